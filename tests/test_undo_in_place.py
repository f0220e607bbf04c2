"""Undo of a daily T&A run (dates and statuses moved, no row added, taken off or moved) writes back only the
cells that run changed, one column edit a field, as the daily run itself does: at 10,000 PO lines rewriting
the whole sheet to put back a day's statuses was three quarters of the undo's time. What the sheet holds
after the undo is exactly what it held before the run, on the file and in Excel (the stand-in)."""

from __future__ import annotations

from datetime import date, datetime

import openpyxl
import pytest

from conftest import base_sheets, write_book
from fakexl import FakeBook
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from prodbook.workbook.xlbook import XlBook

BUILT = Context(today=date(2027, 1, 20), now=datetime(2027, 1, 20, 9))
DAILY = Context(today=date(2027, 3, 1), now=datetime(2027, 3, 1, 9))  # weeks on: statuses and forecasts move


def file_rows(path, sheet="T&A"):
    return [list(r) for r in openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True)]


def tracker(tmp_path):
    """The first build, then what the APM types before the next run: an Actual date (late, so the milestones
    downstream move), 'TBC' in another Actual, a note, a column of the team's right of the sheet's."""
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    run(path, ["ta"], BUILT)
    head = file_rows(path)[0]
    wb = openpyxl.load_workbook(path)
    ws = wb["T&A"]
    ws.cell(row=2, column=head.index("Actual") + 1, value=date(2027, 1, 25))
    ws.cell(row=4, column=head.index("Actual") + 1, value="TBC")
    ws.cell(row=5, column=head.index("Notes") + 1, value="chased 19-Jan")
    ws.cell(row=3, column=20, value="team's own")
    wb.save(path)
    return path


def test_undo_of_a_daily_run_gives_back_the_sheet_cell_for_cell(tmp_path):
    path = tracker(tmp_path)
    before = file_rows(path)

    run(path, ["ta"], DAILY)
    after_run = file_rows(path)
    changed = {(r, c) for r, (a, b) in enumerate(zip(before, after_run)) for c in range(len(a)) if a[c] != b[c]}
    assert changed and len(after_run) == len(before)  # a daily run: values moved, no row added or taken off

    result = run(path, ["undo"], DAILY)
    assert result.exit_code == 0
    assert file_rows(path) == before  # every cell as before the run: the 'TBC', the note, the team's column
    ws = openpyxl.load_workbook(path)["T&A"]
    assert ws.cell(row=4, column=before[0].index("Actual") + 1).data_type == "s"  # 'TBC' still text


@pytest.mark.parametrize("mac", [False, True])
def test_in_excel_too_undo_of_a_daily_run_gives_back_the_sheet(tmp_path, mac):
    path = tracker(tmp_path)
    xl = FakeBook.from_file(path, mac=mac)
    before = xl.values("T&A")
    run(path, ["ta"], DAILY, backend=XlBook(xl))
    assert xl.values("T&A") != before
    run(path, ["undo"], DAILY, backend=XlBook(xl))
    assert xl.values("T&A") == before
