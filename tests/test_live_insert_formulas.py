"""A team's helper column with a fixed range over the data (``=COUNTIF($A$3:$A$4,A3)`` in every row), on a sheet
the add-in rewrites where it grows. Excel's Insert (``live_rows``) grows the range in every row it leaves in place
and in the row it moves; the grid written after it was worked out from the formulas read before it. Until
2026-12-07 the rows the grid wrote back (the old last row, where the Insert had moved it away) held the old range
again: the column counted over different rows row by row. Every row now holds the range grown as the file back end
grows it (``formula_refs.grow_fixed_ranges``); a new row gets what the file gives it (blank, in a column that is
not a Table's calculated column)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
from openpyxl.cell import Cell

from fakexl import FakeBook, Formula
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from prodbook.workbook import live_rows
from prodbook.workbook.backend import SheetRewrite
from prodbook.workbook.xlbook import XlBook
from test_calculated_columns import with_column
from test_total_rows import add_order, tracker
from test_wip_append import ctx, dhaka_xlsx, history


def _column(cells: dict, col: int, rows: range) -> list[str | None]:
    return [None if cells.get((r, col)) is None else str(cells[(r, col)]) for r in rows]


def test_a_new_week_of_wip_leaves_the_helper_column_counting_over_the_same_rows(tmp_path):
    book = history(tmp_path / "a", title=True, helper=True)
    live = FakeBook.from_file(book)
    report = dhaka_xlsx(tmp_path, report="Report date: 2027-03-08", name="dhaka 0308.xlsx")
    run(book, ["wip"], ctx(report, now=datetime(2027, 3, 8, 9)), backend=XlBook(live, progress=False))
    in_excel = live.sheets["Vendor WIP"].cells
    assert live.sheets["Vendor WIP"].inserts == [(4, 5)]  # the Insert was taken: Excel grew the ranges
    run(book, ["wip"], ctx(report, now=datetime(2027, 3, 8, 9)))
    on_file = openpyxl.load_workbook(book)["Vendor WIP"]
    want = [on_file.cell(r, 17).value for r in range(3, 7)]
    assert want == ["=COUNTIF($A$3:$A$6,A3)", "=COUNTIF($A$3:$A$6,A4)", None, None]
    assert _column(in_excel, 17, range(3, 7)) == want
    assert str(in_excel[(1, 2)]) == on_file["B1"].value == "=COUNTA(A3:A6)"


def test_a_rebuilt_ta_that_grows_keeps_the_teams_helper_column_alike_in_excel_and_on_file(tmp_path):
    """A T&A rebuild adding a PO line (ten rows to fifteen): every kept row's helper counts over the new rows,
    in Excel as in the file; the rows added get what the file gives them."""
    path = tracker(tmp_path)
    last = openpyxl.load_workbook(path)["T&A"].max_row

    def fill(cell: Cell, _table: str) -> None:
        cell.value = f"=COUNTIF($A$2:$A${last},A{cell.row})"

    col = beside(path, fill)
    add_order(path, "4500000003")
    book = FakeBook.from_file(path)
    table = book.sheets["T&A"].tables[0]  # the stand-in lays a Table over the used range: this one stops before
    table.range = book.sheets["T&A"].range((1, 1), (last, col - 2))
    run(path, ["ta"], Context(today=date(2027, 3, 1)), backend=XlBook(book, progress=False))
    assert book.sheets["T&A"].inserts  # the live back end inserted rows, Excel growing the ranges
    run(path, ["ta"], Context(today=date(2027, 3, 1)))
    ws = openpyxl.load_workbook(path)["T&A"]
    new_last = ws.max_row
    assert new_last > last
    on_file = [ws.cell(r, col).value for r in range(2, new_last + 1)]
    assert on_file[:last - 1] == [f"=COUNTIF($A$2:$A${new_last},A{r})" for r in range(2, last + 1)]
    assert _column(book.sheets["T&A"].cells, col, range(2, new_last + 1)) == on_file


def beside(path: Path, fill) -> int:
    """A helper column the team keeps beside the T&A Table, not in it: its number."""
    wb = openpyxl.load_workbook(path)
    ws = wb["T&A"]
    col = ws.max_column + 2
    ws.cell(1, col).value = "Dup"
    for r in range(2, ws.max_row + 1):
        fill(ws.cell(r, col), "")
    wb.save(path)
    return col


def test_in_a_table_a_column_of_one_formula_fills_the_new_rows_grown_too(tmp_path):
    """A Table column whose every row holds the same formula: Excel fills it into the rows it adds (a calculated
    column, ``xlbook._formula_columns``), with the range Excel's Insert grew, as in the rows kept."""
    path = tracker(tmp_path)
    last = openpyxl.load_workbook(path)["T&A"].max_row

    def fill(cell: Cell, _table: str) -> None:
        cell.value = f"=COUNTIF($A$2:$A${last},A{cell.row})"

    col = with_column(path, "Dup", fill, f"COUNTIF($A$2:$A${last},A2)")
    add_order(path, "4500000003")
    book = FakeBook.from_file(path)
    run(path, ["ta"], Context(today=date(2027, 3, 1)), backend=XlBook(book, progress=False))
    sheet = book.sheets["T&A"]
    new_last = max(r for r, _ in sheet.cells)
    assert new_last > last and sheet.inserts
    assert _column(sheet.cells, col, range(2, new_last + 1)) == [
        f"=COUNTIF($A$2:$A${new_last},A{r})" for r in range(2, new_last + 1)]


def test_a_sheet_excel_would_not_insert_in_is_written_as_before(monkeypatch):
    """Where Excel refuses the Insert (an old array formula across the rows), nothing grew: the formulas are
    written as they were read, the values below the data."""
    live = FakeBook()
    sheet = live.sheets.add("Vendor WIP")
    sheet.cells.update({(1, 1): "PO #", (1, 2): "Seen"})
    for r in (2, 3):
        sheet.cells[(r, 1)] = f"PO{r}"
        sheet.cells[(r, 2)] = Formula(f"=COUNTIF($A$2:$A$3,A{r})")
    monkeypatch.setattr(live_rows, "insert", lambda sht, rows: False)
    xl = XlBook(live, progress=False)
    xl.stage(SheetRewrite("Vendor WIP", 1, (0,), (("PO2",), ("PO3",), ("PO4",)), source_rows=(2, 3, None)))
    xl.commit()
    assert _column(sheet.cells, 1, range(2, 5)) == ["PO2", "PO3", "PO4"]
    assert _column(sheet.cells, 2, range(2, 5)) == ["=COUNTIF($A$2:$A$3,A2)", "=COUNTIF($A$2:$A$3,A3)", None]


def test_rows_moved_by_the_insert_are_written_whatever_excel_made_of_them():
    """The grid's row at the insert point and the rows the Insert moved hold what the rebuild gives them, read
    or not: a plain two-row sheet growing to four, in the stand-in."""
    live = FakeBook()
    sheet = live.sheets.add("S")
    sheet.cells.update({(1, 1): "PO #", (1, 2): "Seen", (1, 3): "Next"})
    for r in (2, 3):
        sheet.cells[(r, 1)] = f"PO{r}"
        sheet.cells[(r, 2)] = Formula(f"=COUNTIF($A$2:$A$3,A{r})")
    sheet.cells[(2, 3)] = Formula("=A3")  # reads the next row by its place
    xl = XlBook(live, progress=False)
    xl.stage(SheetRewrite("S", 1, (0,), (("PO2",), ("PO3",), ("PO4",), ("PO5",)), source_rows=(2, 3, None, None)))
    xl.commit()
    assert sheet.inserts == [(3, 4)]
    assert _column(sheet.cells, 1, range(2, 6)) == ["PO2", "PO3", "PO4", "PO5"]
    assert _column(sheet.cells, 2, range(2, 6)) == ["=COUNTIF($A$2:$A$5,A2)", "=COUNTIF($A$2:$A$5,A3)", None, None]
