"""A Closures row in error (its To blank, 'TBC', or before its From) keeps its vendor's T&A rows as they are,
stale: the T&A's stale warning and summary name that sheet as the reason, not only the Vendors or the template
causes. Real workbooks, written and read back."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import add_config, base_sheets, write_book
from prodbook.core.findings import Code
from prodbook.jobs.runner import run
from test_factories_audit import ctx, planned, set_cell


def _stale(result) -> list:
    return [f for f in result.findings if f.code is Code.TA_STALE]


@pytest.mark.parametrize("to", [None, "TBC", date(2027, 1, 1)])  # blank, not a date, before From
def test_a_closure_in_error_is_named_as_why_its_vendors_rows_are_stale(tmp_path, to):
    path = write_book(tmp_path / "t.xlsx", base_sheets())  # Closures row 2: CN, CN1's holidays (PO ...02)
    run(path, ["ta"], ctx())
    before = planned(path)
    set_cell(path, "Closures", 2, "To", to)
    result = run(path, ["ta"], ctx())
    assert {k: v for k, v in planned(path).items() if k[0] == "4500000002"} == \
        {k: v for k, v in before.items() if k[0] == "4500000002"}  # kept as they were
    [f] = _stale(result)
    assert f.severity == "warning" and f.sheet == "T&A"
    for words in ("5 T&A row(s) of 1 PO line(s) were kept unchanged", "a row of 'Closures' for their vendor CN1",
                  "Holiday Country", "see above"):
        assert words in f.message, (words, f.message)
    assert "Orders or Styles row" not in f.message  # the one reason, not the list of every possible one
    summary = "\n".join(result.outcomes[0].summary)
    assert "('Closures' in error: 5)" in summary, summary


def test_the_teams_name_of_the_closures_sheet_is_the_one_said(tmp_path):
    sheets = base_sheets()
    sheets["Shutdowns"] = sheets.pop("Closures")
    path = add_config(write_book(tmp_path / "t.xlsx", sheets), ("Sheet: Closures", "Shutdowns"))
    run(path, ["ta"], ctx())
    set_cell(path, "Shutdowns", 2, "To", "TBC")
    result = run(path, ["ta"], ctx())
    [f] = _stale(result)
    assert "a row of 'Shutdowns' for their vendor CN1" in f.message, f.message


def test_a_closure_in_error_and_an_orders_error_are_each_said(tmp_path):
    """CN1's line held by the closure, BD1's by a bad Ex-Factory: two warnings, each with its own reason; the
    other reasons' list names a Closures row too."""
    path = write_book(tmp_path / "t.xlsx", base_sheets())
    run(path, ["ta"], ctx())
    set_cell(path, "Closures", 2, "To", "TBC")
    set_cell(path, "Orders", 2, "Ex-Factory", "15/04/2O27")  # a letter O for a zero: not a date
    result = run(path, ["ta"], ctx())
    stale = _stale(result)
    assert len(stale) == 2, [f.text() for f in stale]
    closure, other = stale
    assert "a row of 'Closures' for their vendor CN1" in closure.message
    assert "their Orders or Styles row" in other.message and "a 'Closures' row of their vendor" in other.message
    summary = "\n".join(result.outcomes[0].summary)
    assert "('Closures' in error: 5, input errors: 5)" in summary, summary
