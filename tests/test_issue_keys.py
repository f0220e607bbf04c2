"""The Issues sheet's Key as the APM reads it (helper-116): a record's blank key parts are left out
('SS27-KT-1001 / Butter Yellow', not 'SS27-KT-1001 / Butter Yellow /  / '), and a row an older run wrote with
them is still the same row (its decision, its first Found On, its accepted fix)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
from hypothesis import given
from hypothesis import strategies as st

from conftest import shown_values, write_book
from prodbook.core.findings import Code
from prodbook.core.keys import key_match, key_text, shown_key
from prodbook.jobs.runner import run
from test_development import DIPS, ctx, sheets

DIP_HEADER = [*DIPS, "Option"]
OLD_KEY = "SS27-KT-1001 / Butter Yellow /  / "
"""The key an older run wrote for a Lab Dips row with Round and Option blank."""


def _book(tmp_path: Path) -> Path:
    s = sheets()
    s["Lab Dips"] = [DIP_HEADER,
                     # Round and Option blank: the mill's first dip, typed before the round was known
                     ["SS27-KT-1001", "Butter Yellow", "Jersey", "Mill A", None, "next week", None, None, None,
                      None, None],
                     ["SS27-KT-1001", "Navy", "Jersey", "Mill A", 2, "soon", None, None, None, None, "B"]]
    return write_book(tmp_path / "tracker.xlsx", s)


def _issues(path: Path) -> list[dict[str, Any]]:
    rows = shown_values(path, "Issues")
    return [dict(zip(rows[0], r)) for r in rows[1:] if any(v is not None for v in r)]


def _dip_rows(path: Path) -> list[dict[str, Any]]:
    return [r for r in _issues(path) if r["Sheet"] == "Lab Dips" and r["Field"] == "Submitted"]


def _type_in(path: Path, key: str, values: dict[str, Any]) -> None:
    """Type into the Issues row of the Butter Yellow dip, as an older run and the APM left it."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Issues"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if str(r[header.index("Key")].value).startswith(key))
    for name, value in values.items():
        row[header.index(name)].value = value
    wb.save(path)


def test_a_lab_dip_without_round_or_option_is_named_by_style_and_colour(tmp_path):
    path = _book(tmp_path)
    found = run(path, ["validate"], ctx()).findings
    keys = {f.row: f.key for f in found if f.sheet == "Lab Dips" and f.column == "Submitted"}
    assert keys == {2: "SS27-KT-1001 / Butter Yellow", 3: "SS27-KT-1001 / Navy / 2 / B"}
    assert [r["Key"] for r in _dip_rows(path)] == ["SS27-KT-1001 / Butter Yellow", "SS27-KT-1001 / Navy / 2 / B"]


def test_an_issues_row_an_older_run_wrote_with_blank_parts_keeps_its_decision(tmp_path):
    """The older run's row, dismissed by the APM on 1 February, is the row this run finds again: one row, still
    dismissed, first found when it was; its Key now reads as this run writes it."""
    path = _book(tmp_path)
    run(path, ["validate"], ctx())
    _type_in(path, "SS27-KT-1001 / Butter Yellow", {"Key": OLD_KEY, "Accept": "Dismiss",
                                                     "Found On": datetime(2027, 2, 1)})
    assert OLD_KEY in [r["Key"] for r in _dip_rows(path)]
    result = run(path, ["validate"], ctx())
    yellow = [r for r in _dip_rows(path) if "Butter Yellow" in str(r["Key"])]
    assert [(r["Key"], r["Accept"], r["Found On"]) for r in yellow] == [
        ("SS27-KT-1001 / Butter Yellow", "Dismiss", datetime(2027, 2, 1))]
    assert "1 dismissed and still so" in " ".join(line for o in result.outcomes for line in o.summary)


def test_a_fix_accepted_on_an_older_runs_row_is_applied(tmp_path):
    """Accept = Yes with a Proposed Value on the older run's row: Apply finds the Lab Dips row by that key."""
    path = _book(tmp_path)
    run(path, ["validate"], ctx())
    _type_in(path, "SS27-KT-1001 / Butter Yellow", {"Key": OLD_KEY, "Proposed Value": "2027-01-08",
                                                     "Accept": "Yes"})
    result = run(path, ["apply", "validate"], ctx(), title="Apply fixes")
    assert not [f.message for f in result.findings if f.code is Code.FIX_NOT_APPLIED]
    dips = shown_values(path, "Lab Dips")
    assert dips[1][DIP_HEADER.index("Submitted")] == datetime(2027, 1, 8)


def test_a_fix_accepted_on_this_runs_row_is_applied_and_undone(tmp_path):
    """Apply, then Undo: the Change Log names the row by its key as typed, blank Round and Option included, and
    read back that Key has lost its last space; undo found no row and left the date."""
    path = _book(tmp_path)
    run(path, ["validate"], ctx())
    _type_in(path, "SS27-KT-1001 / Butter Yellow", {"Proposed Value": "2027-01-08", "Accept": "Yes"})
    run(path, ["apply", "validate"], ctx(), title="Apply fixes")
    assert shown_values(path, "Lab Dips")[1][DIP_HEADER.index("Submitted")] == datetime(2027, 1, 8)
    undone = run(path, ["undo"], ctx())
    assert not [f.message for f in undone.findings if f.code is Code.UNDO_KEPT]
    assert shown_values(path, "Lab Dips")[1][DIP_HEADER.index("Submitted")] == "next week"


_PART = st.one_of(st.none(), st.just(""), st.just("  "), st.integers(-5, 500), st.integers(0, 9).map(float),
                  st.text(alphabet="AZaz09 -.", min_size=1, max_size=8))


@given(st.lists(_PART, min_size=1, max_size=5))
def test_a_key_as_written_and_as_shown_match_alike(values):
    """The Issues Key this run writes, the one an older run wrote (blank parts kept), and either read back from
    the sheet (its outer spaces gone) are one key to ``key_match``."""
    full, shown = key_text(values), shown_key(values)
    assert key_match(full) == key_match(shown) == key_match(full.strip()) == key_match(shown.strip())
    assert not shown.endswith(" /") and not shown.endswith("/ ")  # no trailing blank part


def _as_seen(values: list[Any]) -> tuple[str, ...]:
    """A key's parts as the APM sees the cells: a blank is blank, 2.0 is 2 (typed as text '2.0' too), outer
    spaces do not show; trailing blank parts name nothing (a Lab Dips row without Round and Option)."""
    parts = ["" if v is None or not str(v).strip()
             else str(int(v)) if isinstance(v, float) else str(v).strip() for v in values]
    parts = [p[:-2] if re.fullmatch(r"-?\d+\.0", p) else p for p in parts]
    while parts and not parts[-1]:
        parts.pop()
    return tuple(parts)


@given(st.lists(_PART, min_size=1, max_size=5), st.lists(_PART, min_size=1, max_size=5))
def test_two_keys_that_differ_are_never_matched_alike(a, b):
    """(L7) 'S1 / Navy / 1 / ' (Round 1, no Option) and 'S1 / Navy /  / 1' (no Round, Option 1) are two rows:
    a blank part in the middle keeps its place; only trailing blank parts are left out."""
    if _as_seen(a) != _as_seen(b):
        assert shown_key(a) != shown_key(b)
        assert key_match(key_text(a)) != key_match(key_text(b))
        assert key_match(shown_key(a)) != key_match(shown_key(b))
    else:
        assert key_match(key_text(a)) == key_match(key_text(b))


def test_round_without_option_and_option_without_round_are_two_rows(tmp_path):
    """(L7) Round 1 without Option and Option 1 without Round: two Issues rows named apart, and a fix accepted
    on one is applied to that row only, then undone."""
    s = sheets()
    s["Lab Dips"] = [DIP_HEADER,
                     ["S1", "Navy", "Jersey", "Mill A", 1, "next week", None, None, None, None, None],
                     ["S1", "Navy", "Jersey", "Mill A", None, "soon", None, None, None, None, 1]]
    path = write_book(tmp_path / "tracker.xlsx", s)
    found = run(path, ["validate"], ctx()).findings
    keys = {f.row: f.key for f in found if f.sheet == "Lab Dips" and f.column == "Submitted"}
    assert keys == {2: "S1 / Navy / 1", 3: "S1 / Navy /  / 1"}
    assert sorted(r["Key"].strip() for r in _dip_rows(path)) == ["S1 / Navy /  / 1", "S1 / Navy / 1"]
    wb = openpyxl.load_workbook(path)
    ws = wb["Issues"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[header.index("Key")].value == "S1 / Navy /  / 1"
               and r[header.index("Field")].value == "Submitted")
    row[header.index("Proposed Value")].value = "2027-01-08"
    row[header.index("Accept")].value = "Yes"
    wb.save(path)
    result = run(path, ["apply", "validate"], ctx(), title="Apply fixes")
    assert not [f.message for f in result.findings if f.code is Code.FIX_NOT_APPLIED]
    col = DIP_HEADER.index("Submitted")
    assert [r[col] for r in shown_values(path, "Lab Dips")[1:3]] == ["next week", datetime(2027, 1, 8)]
    undone = run(path, ["undo"], ctx())
    assert not [f.message for f in undone.findings if f.code is Code.UNDO_KEPT]
    assert [r[col] for r in shown_values(path, "Lab Dips")[1:3]] == ["next week", "soon"]
