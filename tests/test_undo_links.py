"""After an undo that moved the T&A's rows (a cancelled line's rows back from the archive), the Exceptions
sheet's PO # links go to their own lines again. Before, they kept the rows the undone run had given them: a click
on PO 4500000001 jumped to another PO line's milestones, with no word (the week audit's finding)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import openpyxl

from conftest import sheet_values
from prodbook.jobs.runner import run
from test_exceptions import book_with_wip, ctx


def cancel_first_line(path: Path) -> None:
    """Line Status 'Cancelled' on the first Orders row, 4500000000, which comes before the Navy line."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Orders"]
    status = [c.value for c in ws[1]].index("Line Status") + 1
    ws.cell(2, status).value = "Cancelled"
    wb.save(path)


def links(path: Path) -> dict[str, tuple[str, int]]:
    """Each exception's PO link: where it jumps (the T&A row) and the PO line that row holds."""
    rows = sheet_values(path, "Exceptions")
    ta = sheet_values(path, "T&A")
    wb = openpyxl.load_workbook(path)
    ws = wb["Exceptions"]
    header = rows[0]
    out = {}
    for r in range(2, ws.max_row + 1):
        formula = str(ws.cell(r, header.index("PO #") + 1).value)
        if m := re.search(r"!A(\d+)", formula):
            row = int(m[1])
            out[ws.cell(r, 1).value] = (f"{ta[row - 1][0]} {ta[row - 1][2]}", row)
    return out


def test_an_undo_that_brings_rows_back_from_the_archive_points_the_exceptions_at_their_lines(tmp_path):
    path = book_with_wip(tmp_path, date(2027, 4, 22))
    wb = openpyxl.load_workbook(path)
    ws = wb["Orders"]
    ws.insert_rows(2)
    for c, v in enumerate(["4500000000", "S1", "Black", 500, date(2027, 1, 4), date(2027, 4, 15),
                           date(2027, 5, 10), date(2027, 5, 20)], 1):
        ws.cell(2, c).value = v
    ws.cell(1, ws.max_column + 1).value = "Line Status"
    for table in ws.tables.values():
        table.ref = f"A1:{openpyxl.utils.get_column_letter(ws.max_column)}{ws.max_row}"
    wb.save(path)
    run(path, ["ta", "exceptions"], ctx())
    before = links(path)
    assert before and all(line == "4500000001 Navy" for line, _ in before.values()), before
    cancel_first_line(path)
    run(path, ["ta", "exceptions"], ctx(hour=10))
    moved = links(path)
    assert all(line == "4500000001 Navy" for line, _ in moved.values()), moved
    assert {row for _, row in moved.values()} != {row for _, row in before.values()}  # the rows moved up
    run(path, ["undo"], ctx(hour=11))
    assert sheet_values(path, "T&A")[1][0] == "4500000000"  # the cancelled line is back where it was
    after = links(path)
    assert after == before, after
