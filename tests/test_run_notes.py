"""Notes on what a run did (rows archived, rows taken back, Change Log rows moved out) stay on the Issues sheet
until a run writes the workbook for something else: a run with nothing else to do writes no file to drop them."""

from __future__ import annotations

from datetime import date, datetime

import openpyxl

from conftest import digest, sheet_values
from prodbook.core.findings import Code
from prodbook.jobs.base import Context
from prodbook.jobs.runner import REFRESH, run

TODAY = date(2027, 3, 1)


def ctx(today: date = TODAY) -> Context:
    return Context(today=today, now=datetime(today.year, today.month, today.day, 9, 0))


def codes_on_issues(path) -> list[str]:
    rows = sheet_values(path, "Issues")
    at = rows[0].index("Code")
    return [r[at] for r in rows[1:]]


def archive_a_line(tracker) -> None:
    run(tracker, REFRESH, ctx())
    wb = openpyxl.load_workbook(tracker)
    wb["Orders"].delete_rows(3)
    wb.save(tracker)
    run(tracker, REFRESH, ctx())
    assert str(Code.ROWS_ARCHIVED) in codes_on_issues(tracker)


def test_the_run_after_an_archiving_run_with_nothing_to_do_writes_no_file(tracker):
    archive_a_line(tracker)
    before = digest(tracker)
    backups = set((tracker.parent / "prodbook backups").iterdir())
    again = run(tracker, REFRESH, ctx())
    assert again.commit.written is None and again.changes == 0
    assert digest(tracker) == before
    assert set((tracker.parent / "prodbook backups").iterdir()) == backups
    assert str(Code.ROWS_ARCHIVED) in codes_on_issues(tracker)  # still there, dated the day it happened


def test_the_note_leaves_with_the_next_run_that_writes_the_workbook(tracker):
    archive_a_line(tracker)
    run(tracker, REFRESH, ctx())  # nothing to do: the note stays
    later = run(tracker, REFRESH, ctx(date(2027, 3, 9)))  # a week on: statuses move, the workbook is written
    assert later.commit.written is not None
    assert str(Code.ROWS_ARCHIVED) not in codes_on_issues(tracker)


def test_the_archiving_run_itself_still_says_so_on_the_issues_sheet(tracker):
    run(tracker, REFRESH, ctx())
    wb = openpyxl.load_workbook(tracker)
    wb["Orders"].delete_rows(3)
    wb.save(tracker)
    result = run(tracker, REFRESH, ctx())
    assert any(f.code is Code.ROWS_ARCHIVED for f in result.findings)
    assert codes_on_issues(tracker).count(str(Code.ROWS_ARCHIVED)) == 1
