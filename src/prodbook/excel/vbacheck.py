"""A syntax gate for the VBA the add-in ships: what VBA would refuse to compile, found without Excel.

Not a VBA compiler: a line-structure checker of the constructs prodbook's
modules and xlwings' runtime use. It reads each logical line (continuations
joined, comments and strings respected, ``:`` statements split), evaluates
``#If`` for each platform the add-in runs on (VBA7 on 64-bit Windows, 32-bit
Windows and the Mac), and checks:

* blocks balance: Sub/Function/Property .. End, If .. ElseIf/Else .. End If,
  Select Case .. Case .. End Select, For .. Next, Do .. Loop, While .. Wend,
  With .. End With, Type/Enum .. End, #If .. #End If;
* procedures and Declares only at module level, Exit Sub only in a Sub
  (and so on), GoTo / On Error GoTo labels exist in their procedure;
* every ``Declare`` is ``Declare PtrSafe`` (64-bit Office refuses the rest);
* a statement starts with a known keyword, an assignment, a member call or a
  call of a known procedure (``EndIf``, ``Elsif``, ``Wend`` out of place are caught);
* argument names are not reserved words.

``collisions`` finds the name clashes VBA refuses (project, module,
procedure, reference names, case-insensitive), and ``callback_problems``
checks ribbon callbacks are ``Sub NAME(control As IRibbonControl)``.
Excel's own compile is the Windows smoke test (addin/smoke_test.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

RESERVED = frozenset(w.lower() for w in (
    "And As Boolean ByRef Byte ByVal Call Case Const Currency Date Declare Dim Do Double Each Else ElseIf "
    "Empty End EndIf Enum Eqv Erase Error Event Exit False For Friend Function Get Global GoSub GoTo If "
    "Imp Implements In Integer Is Let Like Long LongLong LongPtr Loop LSet Me Mod New Next Not Nothing "
    "Null On Optional Or ParamArray Preserve Print Private Property PtrSafe Public RaiseEvent ReDim Rem "
    "Resume Return RSet Select Set Single Static Step Stop String Sub Then To True Type TypeOf Until "
    "Variant Wend While With WithEvents Xor").split())
"""VBA's reserved words: no procedure, argument, module or project may be named like one."""

BUILTIN_STATEMENTS = frozenset(w.lower() for w in (
    "AppActivate Beep ChDir ChDrive Close Debug DeleteSetting DoEvents Err Error FileCopy Input Kill Line "
    "Load Lock MkDir MsgBox Name Open Put Randomize Reset RmDir SaveSetting Seek SendKeys SetAttr Shell "
    "Unload Unlock Width Write Mid Mid$ Calculate MacScript AppleScriptTask").split())
"""Statements and library procedures VBA accepts as a bare call without a project procedure of that name."""

PLATFORMS: Mapping[str, Mapping[str, object]] = {
    "Windows 64-bit": {"vba7": True, "vba6": True, "win64": True, "win32": True, "mac": False},
    "Windows 32-bit": {"vba7": True, "vba6": True, "win64": False, "win32": True, "mac": False},
    "Mac": {"vba7": True, "vba6": True, "win64": False, "win32": False, "mac": True},
}
"""Conditional-compilation constants of the Office versions the add-in supports (Office 2010 and later)."""

IDENT = r"[A-Za-z][A-Za-z0-9_]*"
_PROC = re.compile(rf"^(?:(public|private|friend)\s+)?(?:(static)\s+)?(sub|function|property\s+(?:get|let|set))"
                   rf"\s+({IDENT})\s*(\((.*)\))?\s*(?:as\s+({IDENT}(?:\.{IDENT})?)(?:\s*\(\s*\))?)?$", re.I)
_DECLARE = re.compile(rf"^(?:(public|private)\s+)?declare\s+(ptrsafe\s+)?(sub|function)\s+({IDENT})\s+lib\s+"
                      rf'"[^"]+"(?:\s+alias\s+"[^"]+")?\s*\((.*)\)\s*(?:as\s+{IDENT}(?:\s*\(\s*\))?)?$', re.I)
_PARAM = re.compile(rf"^(?:optional\s+)?(?:(?:byval|byref)\s+)?(?:paramarray\s+)?({IDENT})(?:\s*\(\s*\))?"
                    rf"(?:\s+as\s+(?:{IDENT}\.)?{IDENT})?(?:\s*=\s*.+)?$", re.I)
_LABEL = re.compile(rf"^({IDENT}|\d+):$")
_ATTRIBUTE = re.compile(rf'^attribute\s+(?:{IDENT}\.)?vb_\w+\s*=\s*.+$', re.I)
_END = {"sub": "sub", "function": "function", "property": "property", "if": "if", "select": "select",
        "with": "with", "type": "type", "enum": "enum"}


@dataclass(frozen=True)
class Problem:
    """Something VBA would not compile, where it is."""

    module: str
    line: int
    message: str
    text: str = ""

    def __str__(self) -> str:
        return f"{self.module} line {self.line}: {self.message}" + (f": {self.text}" if self.text else "")


@dataclass(frozen=True)
class Procedure:
    """A Sub, Function, Property or Declare of a module."""

    name: str
    kind: str  # "sub", "function", "property get"..., "declare"
    public: bool
    params: str
    line: int


@dataclass
class ModuleReport:
    """What the gate found in one module (procedures across every platform's branches)."""

    name: str
    procedures: list[Procedure] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


# --- lines ---------------------------------------------------------------------------------


def _strip_comment(line: str) -> str:
    """The line without its comment; a quote inside a string is not a comment."""
    in_str = False
    for i, ch in enumerate(line):
        if ch == '"':
            in_str = not in_str
        elif ch == "'" and not in_str:
            return line[:i].rstrip()
    return line.rstrip()


def _unbalanced_quotes(line: str) -> bool:
    return line.count('"') % 2 == 1


def logical_lines(source: str) -> list[tuple[int, str]]:
    """(first physical line number, text) of each logical line: continuations joined, comments gone."""
    out: list[tuple[int, str]] = []
    pending, start = "", 0
    for n, raw in enumerate(source.replace("\r\n", "\n").split("\n"), 1):
        if not pending:
            start = n
        text = raw.rstrip()
        if re.search(r"(^|\s)_$", text):
            pending += text[:-1] + " "
            continue
        out.append((start, _strip_comment(pending + text).strip()))
        pending = ""
    if pending:
        out.append((start, _strip_comment(pending).strip()))
    return out


def _split_statements(text: str) -> list[str]:
    """``a: b`` -> [a, b]; ``:=`` (named arguments) and colons in strings do not split."""
    parts: list[str] = []
    cur: list[str] = []
    in_str = False
    for i, ch in enumerate(text):
        if ch == '"':
            in_str = not in_str
        if ch == ":" and not in_str and text[i + 1:i + 2] != "=":
            parts.append("".join(cur).strip() + ":")
            cur = []
            continue
        cur.append(ch)
    parts.append("".join(cur).strip())
    # "label:" keeps its colon only when it is the first part and a bare name
    out = []
    for i, p in enumerate(parts):
        if p.endswith(":") and not (i == 0 and _LABEL.match(p)):
            p = p[:-1].strip()
        if p:
            out.append(p)
    return out


def _words(text: str) -> list[str]:
    """Top-level words of a statement, strings blanked (so keywords inside them are not seen)."""
    return re.findall(r"[A-Za-z_][A-Za-z0-9_$]*", re.sub(r'"[^"]*"', '""', text))


# --- conditional compilation ---------------------------------------------------------------


def _pp_eval(expr: str, consts: Mapping[str, object]) -> bool:
    """A #If condition: names, string/number literals, = <> Not And Or, parentheses."""
    tokens = re.findall(r'"[^"]*"|<>|[=()]|[A-Za-z_]\w*|\d+', expr)
    pos = 0

    def atom() -> object:
        nonlocal pos
        tok = tokens[pos]
        pos += 1
        if tok == "(":
            v = disj()
            pos += 1
            return v
        if tok.lower() == "not":
            return not atom()
        if tok.startswith('"'):
            return tok[1:-1]
        if tok.isdigit():
            return int(tok)
        if tok.lower() in ("true", "false"):
            return tok.lower() == "true"
        return consts.get(tok.lower(), False)

    def cmp() -> object:
        nonlocal pos
        left = atom()
        while pos < len(tokens) and tokens[pos] in ("=", "<>"):
            op = tokens[pos]
            pos += 1
            right = atom()
            left = (left == right) if op == "=" else (left != right)
        return left

    def conj() -> object:
        nonlocal pos
        v = cmp()
        while pos < len(tokens) and tokens[pos].lower() == "and":
            pos += 1
            v = bool(cmp()) and bool(v)
        return v

    def disj() -> object:
        nonlocal pos
        v = conj()
        while pos < len(tokens) and tokens[pos].lower() == "or":
            pos += 1
            v = bool(conj()) or bool(v)
        return v

    return bool(disj())


def active_lines(module: str, lines: Sequence[tuple[int, str]], platform: Mapping[str, object],
                 problems: list[Problem]) -> list[tuple[int, str]]:
    """The lines VBA compiles on ``platform``: #If branches chosen, #Const applied, #If balance checked."""
    consts = dict(platform)
    stack: list[list[bool]] = []  # per #If: [this branch on, a branch already taken, parent on]
    out = []
    for n, text in lines:
        low = text.lower()
        on = all(s[0] for s in stack)
        if low.startswith("#"):
            m = re.match(r"#(if|elseif)\s+(.+?)\s+then$", text, re.I)
            if m and m.group(1).lower() == "if":
                value = _pp_eval(m.group(2), consts) if on else False
                stack.append([value, value])
            elif m:
                if not stack:
                    problems.append(Problem(module, n, "#ElseIf without #If", text))
                    continue
                value = not stack[-1][1] and _pp_eval(m.group(2), consts)
                stack[-1] = [value, stack[-1][1] or value]
            elif re.fullmatch(r"#else", low):
                if not stack:
                    problems.append(Problem(module, n, "#Else without #If", text))
                    continue
                stack[-1] = [not stack[-1][1], True]
            elif re.fullmatch(r"#end\s+if", low):
                if not stack:
                    problems.append(Problem(module, n, "#End If without #If", text))
                    continue
                stack.pop()
            elif mc := re.fullmatch(rf"#const\s+({IDENT})\s*=\s*(.+)", text, re.I):
                if on:
                    raw = mc.group(2).strip()
                    consts[mc.group(1).lower()] = raw[1:-1] if raw.startswith('"') else _pp_eval(raw, consts)
            else:
                problems.append(Problem(module, n, "unknown compiler directive", text))
            continue
        if on:
            out.append((n, text))
    if stack:
        problems.append(Problem(module, lines[-1][0] if lines else 0, "#If without #End If"))
    return out


# --- the block checker ---------------------------------------------------------------------


def _params_ok(params: str) -> str | None:
    """None when a parameter list parses, else what is wrong with it."""
    if not params.strip():
        return None
    cur: list[str] = []
    depth, items = 0, []
    for ch in params:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            items.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    items.append("".join(cur).strip())
    for item in items:
        m = _PARAM.match(item)
        if not m:
            return f"cannot read the argument '{item}'"
        if m.group(1).lower() in RESERVED:
            return f"the argument name '{m.group(1)}' is a reserved word"
    return None


class _Checker:
    """Walks one module's active lines once, keeping a stack of open blocks."""

    def __init__(self, module: str, known: set[str], report: ModuleReport, platform: str) -> None:
        self.module, self.known, self.report, self.platform = module, known, report, platform
        self.stack: list[tuple[str, int]] = []
        self.proc: Procedure | None = None
        self.labels: set[str] = set()
        self.gotos: list[tuple[int, str]] = []
        self.seen_code = False
        self.names: dict[str, list[str]] = {}

    def problem(self, n: int, message: str, text: str = "") -> None:
        p = Problem(self.module, n, message + ("" if self.platform == "all" else f" ({self.platform})"), text)
        if p not in self.report.problems:
            self.report.problems.append(p)

    def push(self, kind: str, n: int) -> None:
        self.stack.append((kind, n))

    def pop(self, kind: str, n: int, text: str) -> None:
        if not self.stack or self.stack[-1][0] != kind:
            open_ = f"; '{self.stack[-1][0]}' from line {self.stack[-1][1]} is still open" if self.stack else ""
            self.problem(n, f"'{text.split()[0]} {kind}' without a matching open block{open_}", text)
            return
        self.stack.pop()

    def inside(self, kind: str) -> bool:
        return any(k == kind for k, _ in self.stack)

    def end_procedure(self, n: int) -> None:
        for line, label in self.gotos:
            if label.lower() not in self.labels:
                self.problem(line, f"GoTo '{label}': no such label in this procedure")
        self.proc, self.labels, self.gotos = None, set(), []

    def statement(self, n: int, text: str) -> None:
        low = text.lower()
        words = [w.lower() for w in _words(text)]
        if _unbalanced_quotes(text):
            self.problem(n, "unterminated string", text)
            return
        if not words:
            if _LABEL.match(text) is None:
                self.problem(n, "not a statement", text)
            return
        first = words[0]
        if m := _LABEL.match(text):
            if self.proc is None:
                self.problem(n, "a label outside a procedure", text)
            self.labels.add(m.group(1).lower())
            return
        if _ATTRIBUTE.match(text):
            return
        if first == "option":
            if self.proc is not None or self.seen_code:
                self.problem(n, "Option must come before the procedures", text)
            if not re.fullmatch(r"option\s+(explicit|base\s+[01]|compare\s+(binary|text|database)|private\s+module)",
                                low):
                self.problem(n, "unknown Option", text)
            return
        if "declare" in words[:2]:
            m = _DECLARE.match(text)
            if not m:
                self.problem(n, "cannot read this Declare", text)
                return
            if self.proc is not None or self.stack:
                self.problem(n, "Declare inside a procedure", text)
            if not m.group(2):
                self.problem(n, "Declare without PtrSafe (64-bit Office refuses it)", text)
            if err := _params_ok(m.group(5)):
                self.problem(n, err, text)
            self._add(Procedure(m.group(4), "declare", (m.group(1) or "public").lower() == "public", m.group(5), n))
            return
        if m := _PROC.match(text):
            if self.proc is not None or self.stack:
                self.problem(n, "a procedure inside another block (missing End Sub/End Function/End If?)", text)
                self.stack.clear()
            kind = re.sub(r"\s+", " ", m.group(3).lower())
            if m.group(5) is None:
                self.problem(n, "a procedure needs its argument list in parentheses", text)
            elif err := _params_ok(m.group(6) or ""):
                self.problem(n, err, text)
            if m.group(4).lower() in RESERVED:
                self.problem(n, f"'{m.group(4)}' is a reserved word", text)
            self.proc = Procedure(m.group(4), kind, (m.group(1) or "public").lower() != "private",
                                  (m.group(6) or "").strip(), n)
            self._add(self.proc)
            self.seen_code = True
            self.push(kind.split()[0], n)
            return
        if first in ("sub", "function", "property") or (first in ("public", "private", "friend", "static")
                                                         and len(words) > 1 and words[1] in ("sub", "function",
                                                                                             "property")):
            self.problem(n, "cannot read this procedure header", text)
            return
        if first == "end" and len(words) > 1 and words[1] in _END:
            kind = _END[words[1]]
            self.pop(kind, n, text)
            if kind in ("sub", "function", "property"):
                self.end_procedure(n)
            return
        if first == "end" and len(words) > 1:
            self.problem(n, f"unknown End statement '{text}'")
            return
        if self.proc is None:
            self.module_level(n, text, words)
            return
        self.body(n, text, low, words)

    def _add(self, proc: Procedure) -> None:
        kinds = self.names.setdefault(proc.name.lower(), [])
        props = [k for k in kinds if k.startswith("property")]
        if kinds and not (proc.kind.startswith("property") and len(props) == len(kinds)
                          and proc.kind not in kinds):
            self.problem(proc.line, f"'{proc.name}' is declared twice in this module")
        kinds.append(proc.kind)
        if not any(p.name.lower() == proc.name.lower() and p.kind == proc.kind for p in self.report.procedures):
            self.report.procedures.append(proc)

    def module_level(self, n: int, text: str, words: list[str]) -> None:
        first = words[0]
        if self.stack and self.stack[-1][0] in ("type", "enum"):
            if re.fullmatch(rf"{IDENT}(\s*\(.*\))?(\s+as\s+(new\s+)?\S+(\s*\*\s*\d+)?)?(\s*=\s*.+)?", text, re.I):
                return
            self.problem(n, f"not a member of this {self.stack[-1][0]}", text)
            return
        scope = first in ("public", "private", "global", "dim", "const", "friend")
        rest = words[1:] if first in ("public", "private", "global", "friend") else words
        if rest and rest[0] in ("type", "enum"):
            self.push(rest[0], n)
            return
        if rest and rest[0] in ("event", "implements") or first == "implements":
            return
        if scope:
            return
        self.problem(n, "only declarations can stand outside a procedure", text)

    def body(self, n: int, text: str, low: str, words: list[str]) -> None:
        first = words[0]
        if first == "if":
            if "then" not in words:
                self.problem(n, "If without Then", text)
                return
            after = re.split(r"\bthen\b", re.sub(r'"[^"]*"', '""', text), maxsplit=1, flags=re.I)[-1].strip()
            if not after:
                self.push("if", n)
            else:
                self.inline(n, after)
            return
        if first == "elseif":
            if "then" not in words:
                self.problem(n, "ElseIf without Then", text)
            if not self.stack or self.stack[-1][0] != "if":
                self.problem(n, "ElseIf without a block If", text)
            return
        if first == "else":
            if not self.stack or self.stack[-1][0] != "if":
                self.problem(n, "Else without a block If", text)
            elif len(words) > 1:
                self.statement(n, text[4:].strip())
            return
        if first == "select":
            if len(words) < 2 or words[1] != "case":
                self.problem(n, "Select without Case", text)
            self.push("select", n)
            return
        if first == "case":
            if not self.stack or self.stack[-1][0] != "select":
                self.problem(n, "Case outside Select Case", text)
            return
        if first == "for":
            if not (("each" in words and "in" in words) or ("to" in words and "=" in text)):
                self.problem(n, "For needs 'x = a To b' or 'Each x In c'", text)
            self.push("for", n)
            return
        if first == "next":
            for _ in range(max(1, len(words) - 1)):
                self.pop("for", n, "Next for")
            return
        if first == "do":
            if len(words) > 1 and words[1] not in ("while", "until"):
                self.problem(n, "Do takes While or Until", text)
            self.push("do", n)
            return
        if first == "loop":
            if len(words) > 1 and words[1] not in ("while", "until"):
                self.problem(n, "Loop takes While or Until", text)
            self.pop("do", n, "Loop do")
            return
        if first == "while":
            self.push("while", n)
            return
        if first == "wend":
            self.pop("while", n, "Wend while")
            return
        if first == "with":
            self.push("with", n)
            return
        if first == "exit":
            target = words[1] if len(words) > 1 else ""
            want = {"sub": "sub", "function": "function", "property": "property"}
            if target in want:
                assert self.proc is not None  # body() runs inside a procedure only
                if not self.proc.kind.startswith(want[target]):
                    self.problem(n, f"Exit {words[1].title()} inside a {self.proc.kind.title()}", text)
            elif target in ("for", "do"):
                if not self.inside(target):
                    self.problem(n, f"Exit {target.title()} outside a {target.title()} loop", text)
            else:
                self.problem(n, "Exit needs Sub, Function, Property, For or Do", text)
            return
        if first == "on":
            if re.fullmatch(r"on\s+error\s+resume\s+next", low) or re.fullmatch(r"on\s+error\s+goto\s+0", low):
                return
            if m := re.fullmatch(rf"on\s+error\s+goto\s+({IDENT})", text, re.I):
                self.gotos.append((n, m.group(1)))
                return
            self.problem(n, "On Error takes Resume Next, GoTo 0 or GoTo a label", text)
            return
        if first == "goto" or first == "gosub":
            if m := re.fullmatch(rf"go(?:to|sub)\s+({IDENT})", text, re.I):
                self.gotos.append((n, m.group(1)))
            else:
                self.problem(n, "GoTo needs a label", text)
            return
        if first == "resume":
            if m := re.fullmatch(rf"resume(?:\s+({IDENT}))?", text, re.I):
                if m.group(1) and m.group(1).lower() not in ("next", "0"):
                    self.gotos.append((n, m.group(1)))
            else:
                self.problem(n, "Resume takes Next or a label", text)
            return
        if first in ("dim", "static", "const", "redim", "set", "let", "call", "erase", "raiseevent", "debug",
                     "err", "stop", "end", "lset", "rset", "print", "get", "put", "open", "close", "line",
                     "input", "write", "name", "seek", "lock", "unlock", "me", "mid", "mid$"):
            if first == "end" and len(words) > 1:
                self.problem(n, f"unknown End statement '{text}'")
            return
        if first in RESERVED:
            self.problem(n, f"'{words[0]}' cannot start a statement here", text)
            return
        self.call_or_assignment(n, text, words)

    def inline(self, n: int, after: str) -> None:
        """The statements of a one-line If: ``If c Then a Else b``."""
        parts = re.split(r"\belse\b", after, maxsplit=1, flags=re.I)
        for part in parts:
            for stmt in _split_statements(part.strip()):
                low = stmt.lower()
                if re.match(r"(if|for|do|while|with|select)\b", low) and not re.match(r"if\b.*\bthen\b.+", low):
                    self.problem(n, "a block statement inside a one-line If", stmt)
                    continue
                self.body(n, stmt, low, [w.lower() for w in _words(stmt)])

    def call_or_assignment(self, n: int, text: str, words: list[str]) -> None:
        head = re.match(r"[A-Za-z_][\w$]*(\s*\([^=]*\))?", text)
        rest = text[head.end():].lstrip() if head else text
        if rest.startswith(".") or rest.startswith("!") or (rest.startswith("=")):
            return  # x.y ..., x!y, x = ...
        if re.match(r"^\(.*\)\s*(\.|=)", text[len(words[0]):].lstrip()):
            return
        name = words[0]
        if name in self.known or name in BUILTIN_STATEMENTS:
            return
        self.problem(n, f"unknown statement '{text.split()[0]}' (not a keyword or a known procedure)", text)


def check_module(name: str, source: str, known: Iterable[str] = (),
                 platforms: Mapping[str, Mapping[str, object]] = PLATFORMS) -> ModuleReport:
    """Check one module on every platform; ``known`` names procedures of the rest of the project."""
    report = ModuleReport(name)
    lines = logical_lines(source)
    known_set = {k.lower() for k in known}
    for pname, consts in platforms.items():
        pre: list[Problem] = []
        active = active_lines(name, lines, consts, pre)
        for p in pre:
            if p not in report.problems:
                report.problems.append(p)
        local = known_set | {m.group(4).lower() for _, t in active if (m := _PROC.match(t))} \
            | {m.group(4).lower() for _, t in active if (m := _DECLARE.match(t))}
        checker = _Checker(name, local, report, pname if len(platforms) > 1 else "all")
        in_header = True
        for n, text in active:
            if in_header and (not text or text.lower().startswith("attribute vb_")):
                continue
            in_header = False
            for stmt in _split_statements(text):
                checker.statement(n, stmt)
        for kind, line in checker.stack:
            checker.problem(line, f"'{kind}' block is never closed (missing End {kind.title()} / Next / Loop?)")
    return report


def check_project(modules: Mapping[str, str]) -> dict[str, ModuleReport]:
    """Every module, with every procedure of the project known to the others."""
    known: set[str] = set()
    for name, source in modules.items():
        known |= {p.name for p in check_module(name, source, platforms={"any": PLATFORMS["Windows 64-bit"]})
                  .procedures}
    return {name: check_module(name, source, known) for name, source in modules.items()}


def callback_problems(reports: Mapping[str, ModuleReport], callbacks: Iterable[str],
                      standard: Iterable[str]) -> list[str]:
    """Each ribbon callback must be exactly one public ``Sub NAME(control As IRibbonControl)`` in a standard module."""
    out = []
    std = set(standard)
    for cb in sorted(set(callbacks)):
        found = [(m, p) for m, r in reports.items() for p in r.procedures if p.name.lower() == cb.lower()]
        if len(found) != 1:
            out.append(f"ribbon callback {cb}: {len(found)} procedures of that name (want exactly one Sub)")
            continue
        module, proc = found[0]
        if module not in std or proc.kind != "sub" or not proc.public:
            out.append(f"ribbon callback {cb}: must be a public Sub in a standard module, is a {proc.kind} in {module}")
        if proc.params != "control As IRibbonControl":
            out.append(f"ribbon callback {cb}: arguments are '({proc.params})', want '(control As IRibbonControl)'")
    return out


def collisions(project: str, reports: Mapping[str, ModuleReport], standard: Iterable[str],
               references: Iterable[str] = ()) -> list[str]:
    """Name clashes VBA refuses or resolves ambiguously (case-insensitive).

    Project, module and reference names share one namespace; no procedure
    of a standard module may be named like any of them, and no public one
    like a public procedure of another standard module ("Ambiguous name");
    no procedure anywhere like a reserved word. (A name declared twice in one
    module is a problem of ``check_module``.)
    """
    out = []
    top: dict[str, str] = {}
    for kind, name in ([("project", project)] + [("reference", r) for r in references]
                       + [("module", m) for m in reports]):
        key = name.lower()
        if key in RESERVED:
            out.append(f"{kind} '{name}' is a VBA reserved word")
        if key in top:
            out.append(f"{kind} '{name}' collides with {top[key]}")
        top.setdefault(key, f"{kind} '{name}'")
    public: dict[str, str] = {}
    std = set(standard)
    for module, report in reports.items():
        for p in report.procedures:
            key = p.name.lower()
            if key in RESERVED:
                out.append(f"{module}: procedure '{p.name}' is a VBA reserved word")
            if module not in std:  # a class's or a sheet's members are reached through the object
                continue
            if key in top:
                out.append(f"{module}: procedure '{p.name}' collides with {top[key]}")
            if p.public:
                if key in public and public[key] != module:
                    out.append(f"procedure '{p.name}' is public in both {public[key]} and {module}")
                public.setdefault(key, module)
    return sorted(set(out))


__all__ = ["BUILTIN_STATEMENTS", "PLATFORMS", "RESERVED", "ModuleReport", "Problem", "Procedure",
           "callback_problems", "check_module", "check_project", "collisions", "logical_lines"]
