"""Fiber content as a sourcing team writes it, read the way a US label must state it.

``parse_fiber("Shell: 100% Nylon; Lining: 100% Polyester")`` gives the
components with their fibers and percentages, plus the problems a label
reviewer would raise: percentages that do not total 100 per component, trade
names (Lycra, Tencel) where the generic name is required, fibers not in
descending order of weight. Parsing is cached: a season repeats the same few
compositions across hundreds of styles. It takes time in proportion to the text's
length, so a pasted megabyte is read as quickly as it is copied.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache


class Group(StrEnum):
    """Fiber families as the HTS headings of chapters 61 and 62 name them."""

    COTTON = "cotton"
    WOOL = "wool"
    SYNTHETIC = "synthetic"
    ARTIFICIAL = "artificial"
    SILK = "silk"
    OTHER = "other"


GENERIC: dict[str, Group] = {
    "cotton": Group.COTTON, "polyester": Group.SYNTHETIC, "nylon": Group.SYNTHETIC,
    "polyamide": Group.SYNTHETIC, "acrylic": Group.SYNTHETIC, "modacrylic": Group.SYNTHETIC,
    "spandex": Group.SYNTHETIC, "elastane": Group.SYNTHETIC, "elastomultiester": Group.SYNTHETIC,
    "olefin": Group.SYNTHETIC, "polypropylene": Group.SYNTHETIC, "triexta": Group.SYNTHETIC,
    "rayon": Group.ARTIFICIAL, "viscose": Group.ARTIFICIAL, "lyocell": Group.ARTIFICIAL,
    "modal": Group.ARTIFICIAL, "acetate": Group.ARTIFICIAL, "triacetate": Group.ARTIFICIAL,
    "cupro": Group.ARTIFICIAL, "bamboo viscose": Group.ARTIFICIAL, "rayon from bamboo": Group.ARTIFICIAL,
    "wool": Group.WOOL, "cashmere": Group.WOOL, "alpaca": Group.WOOL, "mohair": Group.WOOL,
    "camel hair": Group.WOOL, "angora": Group.WOOL, "yak": Group.WOOL, "vicuna": Group.WOOL,
    "silk": Group.SILK, "linen": Group.OTHER, "flax": Group.OTHER, "ramie": Group.OTHER,
    "hemp": Group.OTHER, "jute": Group.OTHER, "metallic": Group.OTHER, "other fiber": Group.OTHER,
    "other fibers": Group.OTHER, "down": Group.OTHER, "feathers": Group.OTHER,
}
"""Generic names (US Textile Act / ISO 2076) and the family each belongs to."""

TRADE_NAMES: dict[str, str] = {
    "lycra": "spandex (or elastane)", "creora": "spandex (or elastane)", "roica": "spandex (or elastane)",
    "dorlastan": "spandex (or elastane)", "tencel": "lyocell", "tencel modal": "modal",
    "micromodal": "modal", "micro modal": "modal", "lenzing modal": "modal", "ecovero": "viscose",
    "lenzing ecovero": "viscose", "refibra": "lyocell", "coolmax": "polyester", "thermolite": "polyester",
    "dacron": "polyester", "repreve": "polyester (recycled polyester)", "polartec": "polyester",
    "sorona": "triexta (polyester)", "cordura": "nylon", "supplex": "nylon", "tactel": "nylon",
    "econyl": "nylon (recycled nylon)", "meryl": "nylon", "orlon": "acrylic", "tyvek": "olefin",
    "poly": "polyester", "pes": "polyester", "pa": "nylon", "spx": "spandex",
    "supima": "cotton (Supima cotton)", "pima": "cotton (Pima cotton)", "merino": "wool (merino wool)",
    "bamboo": "rayon (rayon made from bamboo)", "art silk": "rayon", "polyamid": "nylon",
}
"""Trade names and abbreviations that are not allowed alone on a US label -> the generic name."""

QUALIFIERS = ("organic", "recycled", "bci", "egyptian", "combed", "mercerized", "mercerised",
              "virgin", "extra fine", "superfine", "regenerated", "certified", "pima", "supima", "merino",
              "peruvian", "turkish", "lambs", "lamb's", "baby", "mulberry")
"""Words that may stand before a generic name ('recycled polyester', 'Supima cotton')."""

# The parse: tokenise, then parse. Every character gets a kind letter (_kind); runs of one kind are the
# tokens. The parse is a few regular-expression searches over that string of letters, each a single
# class or a fixed word with possessive repeats and no repeat inside a repeat, so none backtracks: the
# work grows with the length of the text (a 1 MB cell reads in a fraction of a second), never its square.


def _kind(char: str) -> str:
    """The token letter of one character: D digit, S white space, P '%', C ',', X another separator
    (;/+&|), F '.', W a word character (letters, '_'), O anything else."""
    for kind, chars in (("P", "%"), ("C", ","), ("X", ";/+&|"), ("F", ".")):
        if char in chars:
            return kind
    if char.isdecimal():
        return "D"
    if char.isspace():
        return "S"
    return "W" if char.isalnum() or char == "_" else "O"


_ASCII_KINDS = {c: _kind(chr(c)) for c in range(128)}
_OTHER_KINDS = ((re.compile(r"[^\D\x00-\x7f]"), "D"), (re.compile(r"[^\S\x00-\x7f]"), "S"),
                (re.compile(r"[^\W\x00-\x7f]"), "W"), (re.compile(r"[^\x00-\x7f]"), "O"))
"""Non-ASCII characters by kind, in this order (a digit is also a word character)."""
_AND = re.compile(r"\band\b", re.I)
"""The word 'and' standing alone: a fiber name stops before it ('60% cotton and 40% wool'). Only n/N and
d/D match n and d under re.I, so a text without 'nd' in any case has none."""
_NAME = "SWOFA"
"""Kinds a fiber name may contain: everything but digits, '%' and the separators (A: the 'a' of 'and')."""
_NAME_RUN = re.compile(f"[{_NAME}]++")
_PERCENT = re.compile(r"(?P<n>D{1,3}(?!D)(?:[FC]D++)?+)S*+P")
"""A percentage: up to three digits, an optional decimal part ('.' or ','), '%'; a longer run of digits
gives its last three ('1234%' reads as 234%, as the label check always has)."""
_PERCENT_THEN = re.compile(_PERCENT.pattern + "(?P<w>S*+)")
"""A percentage and the white space after it, where a fiber name written after it starts."""
_NAME_STOP = re.compile(r"(?<!S)S++(?=[DCXAE])|[DCXAE]|P")
"""Where a fiber name after a percentage stops: before a number, a separator, 'and' or the end (E),
with the white space before it; a '%' first means there was no name."""
_LETTER = re.compile(r"[A-Za-z]", re.I)
"""Where a name written before its percentage starts (with re.I this also takes İ ı ſ K, as it always has)."""
_SPACE = re.compile(r"\s*")
_EXCLUSIVE = re.compile(r"exclusive of (?:decoration|trim|trims|elastic|ornamentation)", re.I)
_LABEL_FIRST = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_LABEL_CHARS = _LABEL_FIRST | frozenset(" &/'-")
_LABEL_MAX = 31
"""A component label ('Shell', 'Lining', 'Trim & Rib') is a letter, then up to 30 letters, spaces or &/'-."""


@dataclass(frozen=True)
class Fiber:
    name: str
    """As written (trimmed)."""
    percent: float
    generic: str | None
    """The generic name it is, or None when the name is not one."""
    group: Group | None


_SHELL = re.compile(r"(?i)(?:main\s+)?(?:shell|body|outer|outer\s+shell|face|self|main(?:\s+fabric)?)")
"""A component label that names the garment's own fabric, which classifies it."""


@dataclass(frozen=True)
class Component:
    label: str | None
    """Shell, Lining, Fill... (None for a single-component garment)."""
    fibers: tuple[Fiber, ...]

    @property
    def total(self) -> float:
        return round(sum(f.percent for f in self.fibers), 2)


@dataclass(frozen=True)
class Composition:
    text: str
    components: tuple[Component, ...] = ()
    problems: tuple[tuple[str, str], ...] = field(default=())
    """(code, sentence) pairs; code is one of 'unreadable', 'total', 'name', 'order'."""

    @property
    def ok(self) -> bool:
        return bool(self.components) and not any(c in ("unreadable", "total") for c, _ in self.problems)

    @property
    def shell(self) -> Component | None:
        """The body / shell component: the one that decides the classification. The one labelled so
        ('Lining: 100% Polyester; Shell: 100% Cotton' is a cotton garment), else the first."""
        named = [c for c in self.components if c.label and _SHELL.fullmatch(c.label.strip())]
        return named[0] if named else (self.components[0] if self.components else None)

    def weights(self, merge_man_made: bool = False) -> dict[str, float]:
        """Percent by fiber family of the shell (synthetic + artificial as 'man-made' if asked)."""
        out: dict[str, float] = {}
        if self.shell is None:
            return out
        for f in self.shell.fibers:
            g = str(f.group) if f.group else "unknown"
            if merge_man_made and f.group in (Group.SYNTHETIC, Group.ARTIFICIAL):
                g = "man-made"
            out[g] = out.get(g, 0.0) + f.percent
        return out

    def normalised(self) -> tuple:
        """For comparing two writings of the same content by meaning: labels, fibers as ``meaning`` names
        them (spandex and elastane alike, 'Poly' as polyester), percents; order, case and punctuation
        aside. The label of a garment of one component is left out ('Shell: 100% Cotton' is '100% Cotton')."""
        one = len(self.components) == 1
        return tuple(sorted(("" if one else (c.label or "").lower(), tuple(sorted(
            (meaning(f), f.percent) for f in c.fibers))) for c in self.components))


SAME_FIBER: dict[str, str] = {"elastane": "spandex", "polyamide": "nylon", "viscose": "rayon", "flax": "linen",
                              "other fibers": "other fiber"}
"""Generic names that mean the same fiber (the US and the ISO name) -> the one they are compared as."""


def meaning(f: Fiber) -> str:
    """The fiber a name means, for comparing two texts: its generic name ('Elastane' and 'spandex' both
    'spandex'), a trade name or abbreviation as the generic name it stands for ('Poly' is polyester, 'Lycra'
    spandex), else the name as written, folded."""
    name = f.generic
    if name is None:
        suggestion = generic_name(f.name)[1]
        name = suggestion.split(" (")[0] if suggestion else " ".join(_NOT_A_NAME_CHAR.sub(" ", f.name.lower()).split())
    return SAME_FIBER.get(name, name)


_NOT_A_NAME_CHAR = re.compile(r"[^a-z' ]")
_QUALIFIED: dict[str, str] = {f"{q} {g}": g for q in reversed(QUALIFIERS) for g in GENERIC}
"""'recycled polyester' -> 'polyester': every qualifier before every generic name (the first qualifier
wins, as the check always read them in order); one look-up instead of a loop over the qualifiers."""


@lru_cache(maxsize=4096)
def generic_name(name: str) -> tuple[str | None, str | None]:
    """(generic name, suggestion). A trade name gives (None, the generic name to use)."""
    words = _NOT_A_NAME_CHAR.sub(" ", name.lower()).split()
    folded = " ".join(words)
    if folded in GENERIC:
        return folded, None
    if folded in _QUALIFIED:  # 'recycled polyester', 'supima cotton'
        return _QUALIFIED[folded], None
    if folded in TRADE_NAMES:
        return None, TRADE_NAMES[folded]
    vocabulary = set(words)
    if vocabulary.isdisjoint(GENERIC):  # 'Lycra spandex' is fine; 'Lycra' alone is not
        for trade, generic in TRADE_NAMES.items():
            if trade in vocabulary:
                return None, generic
    # 'cotton jersey', 'spandex blend': take the generic word when exactly one is there
    found = [w for w in words if w in GENERIC]
    if len(found) == 1:
        return found[0], None
    return None, None


def _num(text: str) -> float:
    return float(text.replace(",", "."))


@dataclass(frozen=True)
class _Tokens:
    """A text and its tokens: ``kinds[i]`` is the kind of character i (see ``_kind``; A marks where a
    standalone 'and' begins), and ends with E. Runs of one kind are the tokens; the parse is a few
    searches over ``kinds``, each a single pass with no backtracking (possessive runs, no nested repeats),
    so the work grows with the length of the text, never its square."""

    text: str
    kinds: str

    @classmethod
    def of(cls, text: str) -> _Tokens:
        kinds = text.translate(_ASCII_KINDS)
        if not kinds.isascii():
            for pattern, kind in _OTHER_KINDS:
                kinds = pattern.sub(kind, kinds)
        if "nd" not in text and "ND" not in text and "nD" not in text and "Nd" not in text:  # no 'and'
            return cls(text, kinds + "E")
        pieces, last = [], 0
        for m in _AND.finditer(text):
            pieces += [kinds[last:m.start()], "A"]
            last = m.start() + 1
        return cls(text, "".join([*pieces, kinds[last:], "E"]))

    def percent_first(self) -> list[tuple[str, float]]:
        """'60% Cotton 40% Polyester': every percentage followed by its fiber name.

        The name starts after the white space that follows the '%' and runs to the first ``_NAME_STOP``
        (the white space before that stop left out); one that runs into another '%' is none. With only
        white space before the stop, the last space is the name (an empty one: ``_fibers`` rejects it).
        The loop is written out in one function: it runs once per fiber of a cell."""
        kinds, text, pairs, i = self.kinds, self.text, [], 0
        search, stop_at = _PERCENT_THEN.search, _NAME_STOP.search
        while found := search(kinds, i):
            w = found.end()  # after the '%' and its white space
            if kinds[w] in _NAME:
                stop = stop_at(kinds, w + 1)
                if stop is None or (kind := stop[0][0]) == "P":
                    i = found.start() + 1
                    continue
                end, i = stop.start(), stop.end() if kind == "S" else stop.start()
            elif w > found.start(2) and kinds[w] in "DCXAE":
                w, end, i = w - 1, w, w
            else:
                i = found.start() + 1
                continue
            n0, n1 = found.span(1)
            pairs.append((text[w:end].strip(" -.'"), float(text[n0:n1].replace(",", "."))))
        return pairs

    def name_first(self) -> list[tuple[str, float]]:
        """'Cotton 60%, Polyester 40%': every name (from its first letter) followed by a percentage."""
        pairs, i = [], 0
        while run := _NAME_RUN.search(self.kinds, i):
            r = run.end()
            found = _PERCENT.match(self.kinds, r)
            letter = _LETTER.search(self.text, run.start(), r) if found else None
            if found and letter:
                end = run.start() + len(run[0].rstrip("S"))
                pairs.append((self.text[letter.start():end].strip(" -.'"),
                              _num(self.text[slice(*found.span("n"))])))
                i = found.end()
            else:
                i = r + 1
        return pairs


_TOLERANCE = re.compile(r"(?i)(?:\([ \t]*+)?(?:(?:tolerance|tol\.)[ \t]*+:?[ \t]*+(?:\+[ \t]*+/[ \t]*+-|\+-|±)?|"
                        r"\+[ \t]*+/[ \t]*+-|\+-|±)[ \t]*+\d++(?:[.,]\d+)?[ \t]*+%(?:[ \t]*+\))?")
"""A tolerance note after the fibers ('(+/-5%)', '± 3%', '(tolerance 3%)'): how far the mill may stray from
each percentage, no fiber of its own; left out of the reading (a US label states the content without it)."""


def _without_exclusions(text: str) -> str:
    """The text with '(exclusive of trim...)' notes taken out, each up to its ')' or the end."""
    out, pos = [], 0
    while m := _EXCLUSIVE.search(text, pos):
        begin = m.start()
        while begin > pos and text[begin - 1].isspace():
            begin -= 1
        if begin > pos and text[begin - 1] == "(":
            begin -= 1
        close = text.find(")", m.end())
        out += [text[pos:begin], " "]
        pos = len(text) if close < 0 else close + 1
    out.append(text[pos:])
    return "".join(out)


def _fibers(text: str) -> list[tuple[str, float]]:
    """The (name, percent) pairs, read percent first ('60% Cotton') unless that leaves a percentage without
    its fiber and reading name first ('Cotton 60% Polyester 40%') pairs them all."""
    clean = _TOLERANCE.sub(" ", _without_exclusions(text)).strip()
    tokens = _Tokens.of(clean)
    pairs = tokens.percent_first()
    first = pairs if pairs and all(n for n, _ in pairs) else []
    if first and len(first) >= clean.count("%"):
        return first
    pairs = tokens.name_first()
    second = pairs if pairs and all(n for n, _ in pairs) else []
    return second if len(second) > len(first) else first


def _component(part: str) -> tuple[str, str] | None:
    """'Shell: 100% Nylon' -> ('Shell', '100% Nylon'); None when the part has no label before a colon."""
    q = _SPACE.match(part).end()  # type: ignore[union-attr]  # '\s*' always matches
    if q == len(part) or part[q] not in _LABEL_FIRST:
        return None
    colon = part.find(":", q + 1)
    if colon < 0:
        return None
    # the label ends where the white space before the first colon starts; up to there every character
    # must be one a label may have, and it is at most _LABEL_MAX long
    end = q + 1 + len(part[q + 1:colon].rstrip())
    if end - q > _LABEL_MAX or not _LABEL_CHARS.issuperset(part[q + 1:end]):
        return None
    rest = _SPACE.match(part, colon + 1).end()  # type: ignore[union-attr]
    return part[q:end], part[rest:]


@lru_cache(maxsize=4096)
def parse_fiber(text: str) -> Composition:
    """Read a fiber content text into components, fibers and label problems.

    Accepts "60% Cotton 40% Polyester", "95% cotton / 5% spandex",
    "Cotton 60%, Polyester 40%", "Shell: 100% Nylon; Lining: 100% Polyester"
    (components separated by ';' or new lines, each with a label and a colon).

    Args:
        text: the cell's text.

    Returns:
        A ``Composition``; its ``problems`` say what a label reviewer would ask to change. The checks read
        a cell with ``read_fiber``, which also takes components written on one line; this is the parser
        beneath it, its answers held to the old patterns' in tests/test_fiber.py.
    """
    return _parse(text if isinstance(text, str) else "")


@lru_cache(maxsize=4096)
def read_fiber(text: str) -> Composition:
    """A Fiber Content cell as the checks read it: ``parse_fiber``, and also components written on one line
    ('Shell 100% Nylon, Lining 100% Polyester', 'Shell: 100% Nylon / Lining: 100% Polyester').

    Args:
        text: the cell's text.

    Returns:
        A ``Composition`` of the text as written.
    """
    text = text if isinstance(text, str) else ""
    comp = _parse(split_components(text))
    return comp if comp.text == text else Composition(text, comp.components, comp.problems)


_COMPONENT_WORDS = ("shell", "outer shell", "main", "main fabric", "body", "self", "face", "lining", "sleeve lining",
                    "body lining", "pocket lining", "pocketing", "fill", "filling", "padding", "insulation", "wadding",
                    "trim", "trims", "rib", "ribbing", "collar", "cuff", "cuffs", "contrast", "back", "backing",
                    "lace", "mesh", "interlining", "hood", "hood lining", "yoke", "waistband", "gusset", "coating")
_INLINE_LABEL = re.compile(r"(?i)(?<![\w'&])(?:" + "|".join(sorted(_COMPONENT_WORDS, key=len, reverse=True))
                           + r")(?![\w'])[ \t]*+:?[ \t]*+(?=\d)")
"""A component's name ('Shell', 'Lining:') just before its first percentage. Fixed words, possessive white
space: each place is tried once, so the search stays linear."""
_PART_END = " \t,/+&-"


def split_components(text: str) -> str:
    """The text with components written on one line put one a part: 'Shell 100% Nylon, Lining 100% Polyester'
    -> 'Shell: 100% Nylon; Lining: 100% Polyester'. A part is split only where it starts with a component's
    name and names at least two, each before a percentage; any other part is left as written."""
    pieces = re.split(r"([;\n|]+)", text)
    changed = False
    for i in range(0, len(pieces), 2):
        part = pieces[i]
        starts = [m for m in _INLINE_LABEL.finditer(part)]
        if len(starts) < 2 or part[:starts[0].start()].strip():
            continue
        out = []
        for m, end in zip(starts, [*(n.start() for n in starts[1:]), len(part)]):
            name = part[m.start():m.end()].rstrip(" \t:")
            out.append(f"{name}: {part[m.end():end].rstrip(_PART_END)}")
        pieces[i], changed = "; ".join(out), True
    return "".join(pieces) if changed else text


def _parse(text: str) -> Composition:
    problems: list[tuple[str, str]] = []
    components: list[Component] = []
    parts = [p for p in re.split(r"[;\n|]+", text) if p.strip()]
    for part in parts:
        component, found = _parse_part(part)
        problems += found
        if component is not None:
            components.append(component)
    if not parts:
        problems.append(("unreadable", "the fiber content is empty"))
    return Composition(text, tuple(components), tuple(problems))


@lru_cache(maxsize=4096)
def _parse_part(part: str) -> tuple[Component | None, tuple[tuple[str, str], ...]]:
    """One component ('Shell: 100% Nylon') and its problems; cached, as a long cell repeats its parts."""
    label = None
    if found := _component(part):
        label, part = found[0].strip().title(), found[1]
    pairs = _fibers(part)
    if not pairs:
        return None, (("unreadable", f"'{part.strip()}' has no percentages prodbook can read; write "
                       "fiber content like '60% Cotton 40% Polyester', one component per part "
                       "('Shell: 100% Nylon; Lining: 100% Polyester')"),)
    problems = []
    fibers = []
    for name, pct in pairs:
        generic, suggestion = generic_name(name)
        fibers.append(Fiber(name, pct, generic, GENERIC.get(generic) if generic else None))
        if generic is None:
            tip = f"use the generic name '{suggestion}'" if suggestion else _GENERIC_TIP
            problems.append(("name", f"'{name}' is not a generic fiber name a US label may use alone: "
                             f"{tip}"))
    pcts = [pct for _, pct in pairs]
    total = round(sum(pcts), 2)  # Component.total, without a second pass over the fibers
    if abs(total - 100) > 0.01 or pcts != sorted(pcts, reverse=True):
        where = f"the {label.lower()}'s fibers" if label else "the fibers"
        if abs(total - 100) > 0.01:
            hint = ("; if the cell holds more than one part (shell, lining...), write each with its name and "
                    "separate them with ';', e.g. 'Shell: 100% Nylon; Lining: 100% Polyester'"
                    if total > 100 and len(pairs) > 1 else "")
            problems.append(("total", f"{where} add up to {total:g}%, not 100%; correct the "
                             f"percentages (by weight){hint}"))
        if pcts != sorted(pcts, reverse=True):  # some fiber weighs more than the one before it
            order = ", ".join(f"{f.percent:g}% {f.name}" for f in sorted(fibers, key=lambda f: -f.percent))
            problems.append(("order", f"{where} are not listed from the largest share down; write "
                             f"'{order}'"))
    return Component(label, tuple(fibers)), tuple(problems)


_GENERIC_TIP = "use a generic fiber name such as cotton, polyester, nylon, rayon, lyocell, modal, spandex, wool, linen"


def chief_weight(comp: Composition, merge_man_made: bool) -> tuple[str | None, bool]:
    """The fiber family with the most weight in the shell, and whether it is a tie."""
    weights = comp.weights(merge_man_made)
    if not weights:
        return None, False
    ranked = sorted(weights.items(), key=lambda kv: -kv[1])
    tie = len(ranked) > 1 and abs(ranked[0][1] - ranked[1][1]) < 0.01
    return ranked[0][0], tie
