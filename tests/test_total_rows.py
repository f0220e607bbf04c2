"""A Table's Total row (Table Design > Total Row): a sum under the data, not a record, and it stays under
the data when prodbook writes more or fewer rows. Teams keep one on Orders (the season's units), on Vendor
WIP (units cut, sewn, packed), on the T&A (milestones open)."""

from __future__ import annotations

import csv
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.utils import get_column_letter, range_boundaries

from conftest import base_sheets, write_book
from fakexl import FakeBook
from prodbook.cli import main
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from prodbook.workbook.xlbook import XlBook
from test_notes_move import drop_order

DAY = "2027-03-01"


def _cli(*args: str) -> str:
    result = CliRunner().invoke(main, [*args, "--today", DAY])
    assert result.exit_code in (0, 1), result.output
    return result.output


def tracker(tmp_path: Path, orders: int = 2) -> Path:
    """``orders`` PO lines (2 to 4), their T&A built: five milestones each."""
    sheets = base_sheets()
    for n in range(3, orders + 1):
        extra = list(sheets["Orders"][1])
        extra[0] = f"450000000{n}"
        sheets["Orders"].append(extra)
    path = write_book(tmp_path / "tracker.xlsx", sheets)
    _cli("ta", str(path))
    return path


def with_total_row(path: Path, sheet: str, formulas: dict[str, str]) -> int:
    """Turn on the Table's Total row as Excel writes it: 'Total' under the first column, and under each
    header named its formula ({t}: the Table's name, {col}: the column's letter, {last}: the last data
    row). The row's number."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    table = next(iter(ws.tables.values()))
    c1, r1, c2, r2 = range_boundaries(table.ref)
    total = r2 + 1
    table.ref = f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{total}"
    table.totalsRowCount = 1
    table.autoFilter.ref = f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2}"
    headers = [c.value for c in ws[r1]]
    table.tableColumns[0].totalsRowLabel = "Total"
    ws.cell(total, c1).value = "Total"
    for name, formula in formulas.items():
        col = headers.index(name) + 1
        ws.cell(total, col).value = "=" + formula.format(t=table.displayName, col=get_column_letter(col), last=r2)
        table.tableColumns[col - c1].totalsRowFunction = "custom"
    wb.save(path)
    return total


def add_order(path: Path, po: str) -> None:
    """A PO line typed into Orders above its Total row (if any), as Excel grows a Table."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Orders"]
    table = next(iter(ws.tables.values()))
    c1, r1, c2, r2 = range_boundaries(table.ref)
    last = r2 - (table.totalsRowCount or 0)
    ws.insert_rows(last + 1)  # openpyxl moves the cells only: the Table and the formulas are set here
    for c in range(1, c2 + 1):
        ws.cell(last + 1, c).value = ws.cell(last, c).value
        ws.cell(last + 1, c).number_format = ws.cell(last, c).number_format
    ws.cell(last + 1, 1).value = po
    table.ref = f"A{r1}:{get_column_letter(c2)}{r2 + 1}"
    if table.totalsRowCount:
        table.autoFilter.ref = f"A{r1}:{get_column_letter(c2)}{last + 1}"
    wb.save(path)


def lo_rows(path: Path, sheet: str, tmp_path: Path) -> list[list[str]]:
    """The sheet as LibreOffice calculates and shows it (its non-blank rows, as text)."""
    out = tmp_path / "lo"
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
                    "--outdir", str(out), str(path)], check=True, capture_output=True, timeout=180)
    with open(out / f"{path.stem}-{sheet}.csv", newline="", encoding="utf-8") as fh:
        return [r for r in csv.reader(fh) if any(r)]


def ta_state(path: Path) -> tuple[str, int, str, list[tuple], list]:
    """The T&A's Table ref, Total row count and filter, its milestone rows (PO #, Code), and the last row."""
    wb = openpyxl.load_workbook(path)
    ws = wb["T&A"]
    table = next(iter(ws.tables.values()))
    rows = [(ws.cell(r, 1).value, ws.cell(r, 5).value) for r in range(2, ws.max_row)]
    return table.ref, table.totalsRowCount or 0, table.autoFilter.ref, rows, [c.value for c in ws[ws.max_row]]


def test_a_total_row_on_orders_is_not_read_as_a_po_line(tmp_path):
    path = tracker(tmp_path)
    total = with_total_row(path, "Orders", {"Qty": "SUBTOTAL(109,{t}[Qty])"})
    out = _cli("validate", str(path))
    assert f"row {total}" not in out, out
    out = _cli("ta", str(path))
    assert "kept unchanged and stale" not in out and f"row {total}" not in out, out
    wb = openpyxl.load_workbook(path)
    assert {r[0] for r in wb["T&A"].iter_rows(min_row=2, values_only=True)} == {"4500000001", "4500000002"}
    assert wb["Orders"].cell(total, 4).value == "=SUBTOTAL(109,T1_Orders[Qty])"  # the user's row, as it was


def test_the_ta_total_row_stays_under_its_milestones_as_orders_come_and_go(tmp_path):
    path = tracker(tmp_path)
    with_total_row(path, "T&A", {"Code": "SUBTOTAL(103,{t}[Code])", "Notes": "COUNTA(E2:E{last})"})
    assert ta_state(path)[:3] == ("A1:M12", 1, "A1:M11")

    add_order(path, "4500000003")
    out = _cli("ta", str(path))
    assert "Saved 'tracker.xlsx'" in out and "copy instead" not in out, out
    ref, totals, filtered, rows, last = ta_state(path)
    assert (ref, totals, filtered) == ("A1:M17", 1, "A1:M16")
    assert len(rows) == 15 and ("Total", None) not in rows and {po for po, _ in rows} == {
        "4500000001", "4500000002", "4500000003"}
    assert last[0] == "Total" and last[4] == "=SUBTOTAL(103,T5_TA[Code])" and last[12] == "=COUNTA(E2:E16)"

    drop_order(path, "4500000001")
    out = _cli("ta", str(path))
    assert "copy instead" not in out, out
    ref, totals, filtered, rows, last = ta_state(path)
    assert (ref, totals, filtered) == ("A1:M12", 1, "A1:M11")
    assert len(rows) == 10 and last[0] == "Total" and last[12] == "=COUNTA(E2:E11)"
    assert openpyxl.load_workbook(path)["T&A"].max_row == 12  # nothing left below it

    out = _cli("ta", str(path))  # read back: the Total row is no milestone
    assert "kept unchanged and stale" not in out and "value(s) changed" not in out, out


def test_undo_puts_the_total_row_back_under_the_rows_it_restores(tmp_path):
    path = tracker(tmp_path)
    with_total_row(path, "T&A", {"Code": "SUBTOTAL(103,{t}[Code])"})
    before = ta_state(path)
    add_order(path, "4500000003")
    _cli("ta", str(path))
    assert ta_state(path)[0] == "A1:M17"
    _cli("undo", str(path))
    assert ta_state(path) == before


def test_the_change_log_appends_above_its_total_row(tmp_path):
    path = tracker(tmp_path)
    total = with_total_row(path, "Change Log", {"Sheet": "SUBTOTAL(103,{t}[Sheet])"})
    add_order(path, "4500000003")
    _cli("ta", str(path))
    wb = openpyxl.load_workbook(path)
    ws = wb["Change Log"]
    table = next(iter(ws.tables.values()))
    assert ws.max_row > total and ws.cell(ws.max_row, 1).value == "Total"
    assert table.ref.endswith(str(ws.max_row)) and table.autoFilter.ref.endswith(str(ws.max_row - 1))
    assert all(ws.cell(r, 2).value for r in range(2, ws.max_row))  # every row above it a logged change


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_totals_the_rows_written(tmp_path):
    path = tracker(tmp_path)
    with_total_row(path, "T&A", {"Code": "SUBTOTAL(103,{t}[Code])", "Notes": "COUNTA(E2:E{last})"})
    add_order(path, "4500000003")
    _cli("ta", str(path))
    rows = lo_rows(path, "T&A", tmp_path)
    assert rows[-1][0] == "Total" and rows[-1][4] == "15" and rows[-1][12] == "15", rows[-1]
    assert len(rows) == 17


def test_live_the_total_row_is_turned_off_for_the_write_and_on_again_under_the_new_rows(tmp_path):
    path = tracker(tmp_path)
    with_total_row(path, "T&A", {"Code": "SUBTOTAL(103,{t}[Code])"})
    total = with_total_row(path, "Orders", {"Qty": "SUBTOTAL(109,{t}[Qty])"})
    add_order(path, "4500000003")
    book = FakeBook.from_file(path)
    result = run(path, ["ta"], Context(today=date(2027, 3, 1)), backend=XlBook(book, progress=False))
    assert not any("stale" in f.text() or f.row == total + 1 for f in result.findings)
    sheet = book.sheets["T&A"]
    table = sheet.tables[0]
    assert table.show_totals and table.range.top == (1, 1) and table.range.bottom == (17, 13)
    assert sheet.cells[(17, 1)] == "Total" and sheet.cells[(17, 5)] == "=SUBTOTAL(103,T5_TA[Code])"
    assert sorted({sheet.cells[(r, 1)] for r in range(2, 17)}) == ["4500000001", "4500000002", "4500000003"]
    assert not any(r > 17 for r, _ in sheet.cells)
    _cli("ta", str(path))  # the command on the same file: the same rows
    assert ta_state(path)[0] == "A1:M17"


def test_a_full_change_log_moves_its_oldest_actions_out_without_its_total_row(tmp_path, monkeypatch):
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    first = run(path, ["ta"], Context(today=date(2027, 3, 1), now=datetime(2027, 3, 1, 9))).changes
    add_order(path, "4500000003")
    second = run(path, ["ta"], Context(today=date(2027, 3, 8), now=datetime(2027, 3, 8, 9))).changes
    with_total_row(path, "Change Log", {"Sheet": "SUBTOTAL(103,{t}[Sheet])"})
    monkeypatch.setattr("prodbook.workbook.tracker.SHEET_ROWS", first + second + 2)  # the next run's rows do not fit
    add_order(path, "4500000004")
    run(path, ["ta"], Context(today=date(2027, 3, 15), now=datetime(2027, 3, 15, 9)))
    archive = next(tmp_path.glob("tracker Change Log to *.xlsx"))
    moved = [r for r in openpyxl.load_workbook(archive)["Change Log"].iter_rows(min_row=2, values_only=True)]
    assert len(moved) in (first, first + second) and all(r[1] and r[0] != "Total" for r in moved), moved[-2:]
    ws = openpyxl.load_workbook(path)["Change Log"]
    table = next(iter(ws.tables.values()))
    assert [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Total"] == [ws.max_row]
    assert table.ref.endswith(f"{ws.max_row}") and table.totalsRowCount == 1


def test_live_a_write_that_fails_part_way_turns_the_total_row_on_again(tmp_path, monkeypatch):
    path = tracker(tmp_path)
    with_total_row(path, "T&A", {"Code": "SUBTOTAL(103,{t}[Code])"})
    add_order(path, "4500000003")
    book = FakeBook.from_file(path)

    def fails(*_args, **_kw):
        raise RuntimeError("Excel stopped answering")

    monkeypatch.setattr(XlBook, "_write_sheet", fails)
    with pytest.raises(Exception):  # noqa: B017 (whatever the run makes of it, the Table is whole again)
        run(path, ["ta"], Context(today=date(2027, 3, 1)), backend=XlBook(book, progress=False))
    table = book.sheets["T&A"].tables[0]
    assert table.show_totals and book.sheets["T&A"].cells[(table.range.bottom[0], 1)] == "Total"
    assert book.app.screen_updating is not False


@pytest.mark.parametrize("change", ["an order added", "an order dropped", "an order added, the note taken off"])
def test_live_a_note_on_the_total_row_goes_with_it_as_the_command_s_does(tmp_path, monkeypatch, change):
    """Before, the add-in stopped the run: 'a note ... on a row this run takes off the sheet (its PO line or
    milestone is gone)', of a Total row, which no run takes off. Whether Excel keeps a note on the Total row's
    cell while the row is off is not known here: both ways, it ends on the Total row."""
    from openpyxl.comments import Comment

    from fakexl import FakeTable

    if change.endswith("taken off"):
        turn = FakeTable.show_totals.fset

        def takes_notes(table, on):
            row = table.range.bottom[0]
            if not on:
                for at in [a for a in table.range.sheet.note_text if a[0] == row]:
                    del table.range.sheet.note_text[at]
            turn(table, on)

        monkeypatch.setattr(FakeTable, "show_totals", property(FakeTable.show_totals.fget, takes_notes))

    path = tracker(tmp_path, orders=3)
    total = with_total_row(path, "T&A", {"Variance": "SUBTOTAL(109,{t}[Variance])"})
    wb = openpyxl.load_workbook(path)
    wb["T&A"].cell(total, 12).comment = Comment("units short at the mill", "APM")
    wb.save(path)
    if change.startswith("an order added"):
        add_order(path, "4500000004")
    else:
        drop_order(path, "4500000001")
    book = FakeBook.from_file(path)
    run(path, ["ta"], Context(today=date(2027, 3, 1)), backend=XlBook(book, progress=False))
    table = book.sheets["T&A"].tables[0]
    live_total = table.range.bottom[0]
    assert book.sheets["T&A"].note_text == {(live_total, 12): "units short at the mill"}
    _cli("ta", str(path))
    ws = openpyxl.load_workbook(path)["T&A"]
    assert [(c.row, c.column) for r in ws.iter_rows() for c in r if c.comment] == [(live_total, 12)]
    assert ws.cell(live_total, 1).value == "Total"
