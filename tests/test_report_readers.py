"""The production report as merchandising reads it (helper-109's audit): the report workbook read back."""

from __future__ import annotations

import re
from datetime import date, datetime

import pandas as pd

from conftest import sheet_values
from prodbook.jobs.runner import run
from test_report import ctx, two_runs

ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def test_the_changes_sheet_names_every_date_in_the_workbooks_format(tmp_path):
    """A vendor's re-sent report moved its Revised XF: the Changes sheet's Ref named the report as
    '4500000002 / S2 / Black / 2027-03-01' beside '30-Apr-27 -> 07-May-27' in the Detail."""
    path = two_runs(tmp_path)
    out = tmp_path / "report.xlsx"
    run(path, ["report"], ctx(date(2027, 3, 2), 10, since=datetime(2027, 3, 2), out=out))
    rows = sheet_values(out, "Changes")
    revised = [dict(zip(rows[0], r)) for r in rows[1:] if r[1] == "Vendor revised ex-factory"]
    assert revised, rows
    for r in revised:
        assert not ISO.search(f"{r['Ref']} {r['Detail']}"), r
    assert revised[0]["Ref"] == "4500000002 / S2 / Black / 01-Mar-27"


def test_an_exception_with_a_blank_detail_is_said_without_nan():
    """An exception row whose Detail cell is blank (read as NaN, which is truthy) was said as 'nan' in the
    report's changes, new and resolved alike."""
    from prodbook.core.changes import NEW_ROW
    from prodbook.core.report import changes_since

    when = datetime(2027, 3, 2, 9)
    log = pd.DataFrame([
        {"timestamp": when, "action": "Refresh", "sheet": "Exceptions", "key": "EX-0001", "field": NEW_ROW,
         "old": None, "new": "Open"},
        {"timestamp": when, "action": "Refresh", "sheet": "Exceptions", "key": "EX-0002", "field": "Status",
         "old": "Open", "new": "Resolved"},
    ])
    exceptions = pd.DataFrame([{"id": "EX-0001", "po": "4500000001", "style": "S1", "color": "Navy",
                                "detail": float("nan")},
                               {"id": "EX-0002", "po": "4500000002", "style": "S2", "color": "Black",
                                "detail": float("nan")}])
    rows, _ = changes_since(log, datetime(2027, 3, 1), exceptions=exceptions,
                            sheets={"T&A": "T&A", "Vendor WIP": "Vendor WIP", "Exceptions": "Exceptions"})
    said = [(r.what, r.detail) for r in rows]
    assert said == [("New exception", "Open"), ("Exception resolved", "Resolved")]
