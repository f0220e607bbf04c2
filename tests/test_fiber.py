"""The fiber content parser: the same answers as the old regular expressions on every short text
(hypothesis, with the old patterns as the oracle), 1 MB cells read in full, and the structure that
keeps it linear: no pattern it parses with can backtrack."""

from __future__ import annotations

import re
from re import _constants as sre_c  # type: ignore[attr-defined]
from re import _parser as sre_parse

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from prodbook.core.development import fiber
from prodbook.core.development.fiber import GENERIC, QUALIFIERS, TRADE_NAMES, Component, Composition, Fiber, parse_fiber

# -- the oracle: the old parser, patterns and all (they backtrack: short texts only) ----------------------

_OLD_COMPONENT = re.compile(r"^\s*([A-Za-z][A-Za-z &/'-]{0,30}?)\s*:\s*(.*)$", re.S)
_OLD_PCT_FIRST = re.compile(r"(\d{1,3}(?:[.,]\d+)?)\s*%\s*([^\d%,;/+&|]+?)\s*(?=$|[\d,;/+&|]|\band\b)", re.I)
_OLD_NAME_FIRST = re.compile(r"([A-Za-z][^\d%,;/+&|]*?)\s*(\d{1,3}(?:[.,]\d+)?)\s*%", re.I)
_OLD_EXCLUSIVE = re.compile(r"\(?\s*exclusive of (?:decoration|trim|trims|elastic|ornamentation)[^)]*\)?",
                            re.I)


def _old_generic_name(name: str) -> tuple[str | None, str | None]:
    words = re.sub(r"[^a-z' ]", " ", name.lower()).split()
    folded = " ".join(words)
    if folded in GENERIC:
        return folded, None
    for q in QUALIFIERS:
        if folded.startswith(q + " ") and folded[len(q) + 1:] in GENERIC:
            return folded[len(q) + 1:], None
    if folded in TRADE_NAMES:
        return None, TRADE_NAMES[folded]
    for trade, generic in TRADE_NAMES.items():
        if trade in words and not any(w in GENERIC for w in words):
            return None, generic
    found = [w for w in words if w in GENERIC]
    if len(found) == 1:
        return found[0], None
    return None, None


def _old_fibers(text: str) -> list[tuple[str, float]]:
    def num(t: str) -> float:
        return float(t.replace(",", "."))
    body = _OLD_EXCLUSIVE.sub(" ", text).strip()
    pairs = [(m[2].strip(" -.'"), num(m[1])) for m in _OLD_PCT_FIRST.finditer(body)]
    first = pairs if pairs and all(n for n, _ in pairs) else []
    if first and len(first) >= body.count("%"):
        return first
    # since 2026-12-05: name first when it pairs more percentages ('Cotton 60% Polyester 40%')
    pairs = [(m[1].strip(" -.'"), num(m[2])) for m in _OLD_NAME_FIRST.finditer(body)]
    second = pairs if pairs and all(n for n, _ in pairs) else []
    return second if len(second) > len(first) else first


def old_parse_fiber(text: str) -> Composition:
    """parse_fiber as it was before the tokeniser (commit be45c59)."""
    problems: list[tuple[str, str]] = []
    components: list[Component] = []
    parts = [p for p in re.split(r"[;\n|]+", text) if p.strip()]
    for part in parts:
        label = None
        m = _OLD_COMPONENT.match(part)
        if m and not re.search(r"\d", m[1]):
            label, part = m[1].strip().title(), m[2]
        pairs = _old_fibers(part)
        if not pairs:
            problems.append(("unreadable", f"'{part.strip()}' has no percentages prodbook can read; write "
                             "fiber content like '60% Cotton 40% Polyester', one component per part "
                             "('Shell: 100% Nylon; Lining: 100% Polyester')"))
            continue
        fibers = []
        for name, pct in pairs:
            generic, suggestion = _old_generic_name(name)
            fibers.append(Fiber(name, pct, generic, GENERIC.get(generic) if generic else None))
            if generic is None:
                tip = (f"use the generic name '{suggestion}'" if suggestion else
                       "use a generic fiber name such as cotton, polyester, nylon, rayon, lyocell, "
                       "modal, spandex, wool, linen")
                problems.append(("name", f"'{name}' is not a generic fiber name a US label may use alone: "
                                 f"{tip}"))
        comp = Component(label, tuple(fibers))
        where = f"the {label.lower()}'s fibers" if label else "the fibers"  # 'the shell add up': mended
        if abs(comp.total - 100) > 0.01:
            hint = ("; if the cell holds more than one part (shell, lining...), write each with its name and "
                    "separate them with ';', e.g. 'Shell: 100% Nylon; Lining: 100% Polyester'"
                    if comp.total > 100 and len(fibers) > 1 else "")
            problems.append(("total", f"{where} add up to {comp.total:g}%, not 100%; correct the "
                             f"percentages (by weight){hint}"))
        pcts = [f.percent for f in fibers]
        if any(b > a for a, b in zip(pcts, pcts[1:])):
            order = ", ".join(f"{f.percent:g}% {f.name}" for f in sorted(fibers, key=lambda f: -f.percent))
            problems.append(("order", f"{where} are not listed from the largest share down; write "
                             f"'{order}'"))
        components.append(comp)
    if not parts:
        problems.append(("unreadable", "the fiber content is empty"))
    return Composition(text, tuple(components), tuple(problems))


# -- the same answers ------------------------------------------------------------------------------------

PIECES = ["60% ", "40%", "% ", " %", "%%", "1,5", "5.5", "1234", "12.5.3", "\t", "\u00a0", "  ", " ", ",", ".",
          ";", "/", "+", "&", "|", "\n", ":", "(", ")", "-", "'", "_", "and", "And", "AND", " and ", "5and",
          "and5", "_and", "cotton", "Cotton", "polyester", "Lycra", "spandex", "recycled nylon", "Shell",
          "Lining:", "Trim & Rib:", "exclusive of trim", "(exclusive of elastic)", "EXCLUSIVE OF DECORATION",
          "x", "a", "ſ", "K", "ı", "İ", "²", "١٢", "٪", "％", "é", "五"]
TEXTS = st.one_of(
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=3)), max_size=40).map("".join),
    st.text(max_size=60),
).filter(lambda t: len(t) <= 200)


@given(TEXTS)
@example("60% Cotton 40% Polyester")
@example("Shell: 100% Nylon; Lining: 100% Polyester (exclusive of trim)")
@example("Cotton 60%, Polyester 40%")
@example("Cotton 60% Polyester 40%")  # was read as 60% polyester, the 40% left over
@example("1234% cotton")        # the last three digits, as always
@example("50%  , 50% wool")    # a blank name: the name-first reading is tried
@example("50%\t\t, 50% wool")  # a tab is a name ('\t'), not blank
@example("60% cotton-and 40% wool")
@example("50% and%")
@example("écru 100%")          # the name starts at its first ASCII letter
def test_the_parser_gives_the_old_patterns_answers(text):
    parse_fiber.cache_clear()
    assert parse_fiber(text) == old_parse_fiber(text)


def test_the_oracle_is_the_old_parser_on_the_documented_forms():
    """The oracle itself reads the forms the docs promise (else the comparison would prove little)."""
    comp = old_parse_fiber("Shell: 60% Cotton 40% Polyester; Lining: Polyester 100%")
    assert [(c.label, [(f.generic, f.percent) for f in c.fibers]) for c in comp.components] == [
        ("Shell", [("cotton", 60.0), ("polyester", 40.0)]), ("Lining", [("polyester", 100.0)])]
    assert comp.problems == ()


# -- 1 MB cells --------------------------------------------------------------------------------------------

MB = 1_000_000


def test_a_megabyte_of_the_same_blend_is_every_component_read():
    comp = parse_fiber("60% Cotton 40% Polyester; " * (MB // 26))
    assert len(comp.components) == MB // 26 and comp.ok and comp.problems == ()
    assert {tuple((f.generic, f.percent) for f in c.fibers) for c in comp.components} == {
        (("cotton", 60.0), ("polyester", 40.0))}


@pytest.mark.parametrize("text, fibers, problems", [
    ("x" * MB, [], {"unreadable"}),
    ("a" + " " * MB + "b", [], {"unreadable"}),
    ("Shell" + " " * MB + ": 100% Nylon", [("nylon", 100.0)], set()),
    ("1% " + " a" * (MB // 2), [(None, 1.0)], {"name", "total"}),
    ("Cotton " * (MB // 7) + "60%", [(None, 60.0)], {"name", "total"}),
    ("1% " + "and " * (MB // 4), [(None, 1.0)], {"name", "total"}),
    ("1," * (MB // 2), [], {"unreadable"}),
    ("%" * MB, [], {"unreadable"}),
    ("9" * MB + "% cotton", [("cotton", 999.0)], {"total"}),
    ("(exclusive of trim " * (MB // 19) + ") 100% cotton", [("cotton", 100.0)], set()),
    ("100% cotton (exclusive of trim" + " x" * (MB // 2) + ")", [("cotton", 100.0)], set()),
])
def test_a_megabyte_cell_is_read_in_full(text, fibers, problems):
    """Shapes that made the old patterns backtrack for hours (a run of letters with no digit, long white
    space, a long name after a percentage); read whole, with the answer the short form has."""
    comp = parse_fiber(text)
    assert [(f.generic, f.percent) for c in comp.components for f in c.fibers] == fibers
    assert {code for code, _ in comp.problems} == problems


# -- why it is linear ---------------------------------------------------------------------------------------

def _repeats(tree, inside: bool = False):
    """(kind, max, inside another repeat) for every repeat in a parsed pattern (an optional part, at
    most once, is no repeat to be inside)."""
    for op, arg in tree:
        if op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT):
            lo, hi, sub = arg
            yield op, hi, inside
            yield from _repeats(sub, inside or hi > 1)
        elif op in (sre_c.SUBPATTERN, sre_c.ATOMIC_GROUP, sre_c.ASSERT, sre_c.ASSERT_NOT):
            yield from _repeats(arg[-1], inside)
        elif op is sre_c.BRANCH:
            for branch in arg[1]:
                yield from _repeats(branch, inside)


@pytest.mark.parametrize("name", ["_NAME_RUN", "_PERCENT", "_PERCENT_THEN", "_NAME_STOP"])
def test_the_parse_patterns_cannot_backtrack(name):
    """Each search over the token letters repeats possessively (or at most three times) and never
    repeats inside a repeat: what made the old patterns quadratic cannot come back unnoticed."""
    found = list(_repeats(sre_parse.parse(getattr(fiber, name).pattern)))
    assert found
    for op, hi, inside in found:
        assert not inside, name
        assert op is sre_c.POSSESSIVE_REPEAT or hi <= 3, name


@given(st.text(max_size=80))
def test_every_character_has_one_token_kind(text):
    tokens = fiber._Tokens.of(text)
    assert len(tokens.kinds) == len(text) + 1 and tokens.kinds.endswith("E")
    for char, kind in zip(text, tokens.kinds):
        assert kind == fiber._kind(char) or (kind == "A" and char in "aA"), (char, kind)
