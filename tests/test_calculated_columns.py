"""A column the team adds to the T&A Table with a formula typed once (Days Late = [@Forecast] - [@Planned]):
Excel fills it down the Table, and fills it in every row it adds. The rows prodbook adds get it too; before,
they held a blank there, and the APM filled it down by hand after each rebuild."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, PatternFill
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.table import TableColumn, TableFormula

from fakexl import FakeBook, Formula
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from prodbook.workbook.backend import SheetRewrite
from prodbook.workbook.xlbook import XlBook, rewrite_grid
from test_total_rows import _cli, add_order, lo_rows, tracker, with_total_row

STRUCTURED = "{t}[[#This Row],[Forecast]]-{t}[[#This Row],[Planned]]"
A1 = "I{r}-H{r}"


def with_column(path: Path, header: str, fill: Callable[[Cell, str], None], calculated: str | None = None) -> int:
    """A column added to the T&A Table, each data cell set by ``fill`` (the cell, the Table's name); with
    ``calculated`` (its formula, {t} the Table's name) as Excel writes a calculated column. Its number."""
    wb = openpyxl.load_workbook(path)
    ws = wb["T&A"]
    table = next(iter(ws.tables.values()))
    c1, r1, c2, r2 = range_boundaries(table.ref)
    col = c2 + 1
    ws.cell(1, col).value = header
    for r in range(2, r2 + 1):
        fill(ws.cell(r, col), table.displayName)
    table.ref = f"A1:{get_column_letter(col)}{r2}"
    table.autoFilter.ref = table.ref
    column = TableColumn(id=col, name=header)
    if calculated is not None:
        column.calculatedColumnFormula = TableFormula(attr_text=calculated.format(t=table.displayName, r=2))
    table.tableColumns.append(column)
    wb.save(path)
    return col


def with_days_late(path: Path, formula: str) -> int:
    """'Days Late', a calculated column: the formula in each row and in the Table's column."""
    def fill(cell: Cell, table: str) -> None:
        cell.value = "=" + formula.format(t=table, r=cell.row)

    return with_column(path, "Days Late", fill, formula)


def days_late(path: Path, col: int) -> dict[tuple, str | None]:
    ws = openpyxl.load_workbook(path)["T&A"]
    return {(ws.cell(r, 1).value, ws.cell(r, 5).value): ws.cell(r, col).value for r in range(2, ws.max_row + 1)
            if ws.cell(r, 1).value not in (None, "Total")}


@pytest.mark.parametrize("formula", [STRUCTURED, A1])
def test_the_rows_a_rebuild_adds_get_the_tables_calculated_column(tmp_path, formula):
    path = tracker(tmp_path)
    col = with_days_late(path, formula)
    add_order(path, "4500000003")
    out = _cli("ta", str(path))
    assert "Saved 'tracker.xlsx'" in out and "copy instead" not in out, out
    got = days_late(path, col)
    assert len(got) == 15
    ws = openpyxl.load_workbook(path)["T&A"]
    for r in range(2, 17):
        assert ws.cell(r, col).value == "=" + formula.format(t="T5_TA", r=r), r


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_calculates_the_column_in_the_new_rows(tmp_path):
    path = tracker(tmp_path)
    col = with_days_late(path, STRUCTURED)
    with_total_row(path, "T&A", {"Days Late": "SUBTOTAL(109,{t}[Days Late])"})
    add_order(path, "4500000003")
    _cli("ta", str(path))
    rows = lo_rows(path, "T&A", tmp_path)
    head = rows[0]
    planned, forecast = head.index("Planned"), head.index("Forecast")
    body, total = rows[1:-1], rows[-1]
    assert len(body) == 15 and total[0] == "Total"
    for r in body:
        expect = (_day(r[forecast]) - _day(r[planned])).days
        assert r[col - 1] == str(expect), r
    assert total[col - 1] == str(sum(int(r[col - 1]) for r in body))


def _day(text: str) -> date:
    """A date as LibreOffice prints the cell (its number format)."""
    for form in ("%Y-%m-%d", "%m/%d/%Y", "%d-%b-%y"):
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    raise ValueError(text)


@pytest.mark.parametrize("formula", [STRUCTURED, A1])
def test_live_the_new_rows_get_the_column_s_formula(tmp_path, formula):
    path = tracker(tmp_path)
    col = with_days_late(path, formula)
    add_order(path, "4500000003")
    book = FakeBook.from_file(path)
    run(path, ["ta"], Context(today=date(2027, 3, 1)), backend=XlBook(book, progress=False))
    sheet = book.sheets["T&A"]
    assert [sheet.cells.get((r, col)) for r in range(2, 17)] == [
        "=" + formula.format(t="T5_TA", r=r) for r in range(2, 17)]


def test_a_column_of_formulas_that_differ_or_of_one_row_or_outside_a_table_is_not_filled():
    rw = SheetRewrite("T&A", 1, (0,), (("A",), ("B",), ("C",)), source_rows=(2, 3, None))
    mixed = [["PO #", "Days"], ["A", Formula("=1+1")], ["B", 7]]
    table = range(0, 2)
    assert rewrite_grid(mixed, rw, table)[3][1] is None  # a value typed over one row: no column formula
    moved = [["PO #", "Days"], ["A", Formula("=B1*2")], ["B", Formula("=B2*2")]]
    assert rewrite_grid(moved, rw, table)[3][1] == "=B3*2"  # the same formula, moved with its row
    assert rewrite_grid(moved, rw, range(0, 1))[3][1] is None  # a column beside the Table: not Excel's to fill
    assert rewrite_grid(moved, rw)[3][1] is None  # no Table: a range Excel does not fill either
    alone = SheetRewrite("T&A", 1, (0,), (("A",), ("C",)), source_rows=(2, None))
    assert rewrite_grid([["PO #", "Days"], ["A", Formula("=1+1")]], alone, table)[2][1] is None


def test_the_rows_a_rebuild_adds_take_the_format_of_the_team_s_own_table_columns(tmp_path):
    path = tracker(tmp_path)

    def input_column(cell: Cell, _table: str) -> None:  # the team's input column: yellow, wrapped
        cell.fill = PatternFill("solid", fgColor="FFFF99")
        cell.alignment = Alignment(wrap_text=True)
        cell.value = "ok to ship" if cell.row == 2 else None

    col = with_column(path, "Buyer Comments", input_column)
    add_order(path, "4500000003")
    _cli("ta", str(path))
    ws = openpyxl.load_workbook(path)["T&A"]
    assert ws.max_row == 16
    for r in range(2, 17):
        cell = ws.cell(r, col)
        assert cell.fill.fgColor.rgb.endswith("FFFF99") and cell.alignment.wrap_text, r
    assert [ws.cell(r, col).value for r in range(2, 17)].count("ok to ship") == 1
