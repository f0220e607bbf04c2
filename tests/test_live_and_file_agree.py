"""The add-in (Excel through xlwings) and the command (the file) leave the same tracker.

The live back end runs on the in-memory Excel of ``tests/fakexl.py``, which shows a HYPERLINK's label as
Excel does (prodbook reads its own links' keys back so) and calculates no other formula. Two days of the
demo's daily refresh and an undo, each way: every sheet holds the same cells (formulas as their text),
the Change Log the same rows. Until 2026-12-03 it did not: the live back end wrote each run's log over the earlier
runs', and nothing compared the two back ends over a whole refresh.
"""

from __future__ import annotations

import random
import re
import shutil
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl

from conftest import sheet_values
from fakexl import FakeBook
from prodbook.core.model.sheets import VENDOR_WIP
from prodbook.demo.tracker import build_story, write_demo
from prodbook.demo.vendor_files import wip_history, write_vendor_files
from prodbook.jobs.base import Context
from prodbook.jobs.runner import REFRESH, run
from prodbook.workbook.xlbook import XlBook

TODAY = date(2026, 12, 2)


def _cell(v: Any) -> Any:
    """A cell as both back ends can hold it: a date as a day, a whole number as an int, '' as blank, and
    a run's name without the counter that tells two runs of one minute apart."""
    if isinstance(v, datetime) and v.time() == datetime.min.time():
        return v.date()
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str):
        return re.sub(r"( \d\d:\d\d:\d\d(?: UTC[+-][\d:]+)?) \(\d+\)", r"\1", v) or None
    return v


def _grid(rows: list[list[Any]]) -> list[tuple]:
    out = [tuple(_cell(v) for v in row) for row in rows]
    out = [row[:max((i + 1 for i, v in enumerate(row) if v is not None), default=0)] for row in out]
    while out and not out[-1]:
        out.pop()
    return out


def _entered(book: FakeBook, sheet: str) -> list[list[Any]]:
    """What the live sheet holds: a formula's text, or the constant."""
    cells = book.sheets[sheet].cells
    if not cells:
        return []
    rows, cols = max(r for r, _ in cells), max(c for _, c in cells)
    return [[cells.get((r, c)) for c in range(1, cols + 1)] for r in range(1, rows + 1)]


def _sort_and_type(path: Path, book: FakeBook) -> None:
    """What the APM does between two runs, in both trackers: sort the T&A their own way, type some Actuals."""
    wb = openpyxl.load_workbook(path)
    ws = wb["T&A"]
    head = [c.value for c in ws[1]]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    random.Random(3).shuffle(rows)
    actual, planned, notes = head.index("Actual"), head.index("Planned"), head.index("Notes")
    for r in [r for r in rows if r[planned] is not None and r[actual] is None][:30]:
        r[actual], r[notes] = r[planned] + timedelta(days=len(r[notes] or "") % 5), "typed"
    live = book.sheets["T&A"]
    for i, r in enumerate(rows, 2):
        for j, v in enumerate(r, 1):
            ws.cell(row=i, column=j).value = v
            if v is None:
                live.cells.pop((i, j), None)
            else:
                live.cells[(i, j)] = v
    wb.save(path)


def test_the_daily_refresh_from_excel_leaves_the_tracker_the_command_leaves(tmp_path):
    """Day one with the vendors' WIP reports; the APM sorts the T&A and types Actuals; day two; an undo:
    each step the same way."""
    story = build_story(TODAY)
    story = replace(story, records={**story.records, VENDOR_WIP.name: wip_history(story)})
    demo = write_demo(tmp_path / "demo", TODAY, story)
    reports = tuple(sorted(write_vendor_files(tmp_path / "demo" / "vendor files" / "WIP", story)))
    # each in a folder of its own: two trackers in one folder write their follow-up drafts beside each other's
    # ('..._2.eml'), and the Draft links would differ
    on_file, in_excel = tmp_path / "file" / "on file.xlsx", tmp_path / "excel" / "in excel.xlsx"
    on_file.parent.mkdir()
    in_excel.parent.mkdir()
    shutil.copy(demo, on_file)
    shutil.copy(demo, in_excel)
    book = FakeBook.from_file(in_excel)
    book.fullname = str(in_excel)  # saved on disk: the follow-up drafts go beside it, as beside the file
    steps = [(REFRESH, 0, reports), (REFRESH, 1, ()), (["undo"], 1, ())]
    for jobs, day, files in steps:
        if day == 1 and jobs == REFRESH:
            _sort_and_type(on_file, book)
        ctx = Context(today=TODAY + timedelta(days=day), now=datetime(2026, 12, 2, 9) + timedelta(days=day),
                      files=files)
        file_run, live_run = run(on_file, jobs, ctx), run(in_excel, jobs, ctx, backend=XlBook(book))
        assert file_run.changes == live_run.changes > 0, jobs
        assert [f.code for f in file_run.findings] == [f.code for f in live_run.findings]
    sheets = [s.name for s in book.sheets]
    assert {"Change Log", "Exceptions", "Vendor WIP", "Follow-ups"} <= set(sheets)
    for sheet in sheets:
        assert _grid(_entered(book, sheet)) == _grid(sheet_values(on_file, sheet)), sheet
    log = _grid(sheet_values(on_file, "Change Log"))
    assert len(log) > 1 + file_run.changes and log[1], "the first day logged from the row below the header"
