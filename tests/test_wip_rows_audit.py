"""Vendor WIP rows the audit found misread, on real files written here: a packing list taken for a report,
a PO written once above its colours, total rows spelled as factories spell them, Chinese and Vietnamese
ship modes."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from conftest import assert_finding, base_sheets, sheet_values, write_book
from prodbook.core import wip
from prodbook.core.config import Config
from prodbook.core.findings import Code
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from prodbook.workbook import vendor_files

TODAY = date(2027, 3, 3)
HEADER = ["PO #", "Style #", "Color", "Order Qty", "Cut Qty", "Sewn Qty", "Packed Qty", "Ex-Fty", "Remarks"]
COLOURS = ("Terracotta", "Optic White", "Black")
LINES = wip.OrderIndex([*(wip.OrderLine("4500012667", "ST-05", c, "VND", 1000) for c in COLOURS),
                        wip.OrderLine("4500012717", "ST-07", "Black", "VND", 500),
                        wip.OrderLine("4500012717", "ST-07", "Optic White", "VND", 500),
                        wip.OrderLine("4500012740", "ST-08", "Olive", "VND", 612)])


def ctx(*files: Path) -> Context:
    return Context(today=TODAY, now=datetime(2027, 3, 3, 9, 0), files=tuple(files))


def xlsx(path: Path, rows: list[list]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "WIP"
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def import_path(path: Path) -> wip.ParsedFile:
    return wip.import_file(vendor_files.read_vendor_file(path), LINES, ["VND"], Config(), today=TODAY)


def lines_of(parsed: wip.ParsedFile) -> list[tuple]:
    return [(r["po"], r["style"], r["color"], r["order_qty"], r["cut_qty"]) for r in parsed.rows]


def tracker(tmp_path: Path, ship_mode: str = "Sea") -> Path:
    sheets = base_sheets()
    orders = sheets["Orders"]
    orders[0].insert(4, "Ship Mode")
    for row in orders[1:]:
        row.insert(4, ship_mode)
    sheets["Config"] = [["Setting", "Value"]]
    return write_book(tmp_path / "tracker.xlsx", sheets)


def wip_rows(path: Path) -> list[dict]:
    rows = sheet_values(path, "Vendor WIP")
    return [dict(zip(rows[0], r)) for r in rows[1:] if r[0]]


# --- 1. a packing list is not a WIP report -------------------------------------------------------------

def test_a_packing_list_is_skipped_and_does_not_block_the_real_report(tmp_path):
    """A packing list in the inbox (Carton No, PO, Style, Colour, Size, Pcs/Ctn, Ctns) was imported as a
    report dated today: an all-blank row for its PO line, and the vendor's real row for that line refused
    as 'also in the packing list'."""
    book = tracker(tmp_path)
    report = xlsx(tmp_path / "BD1 WIP 01-Mar-2027.xlsx", [
        ["WIP as of 03-Mar-2027"], [],
        ["PO #", "Style #", "Color", "Order Qty", "Cut Qty", "Sewn Qty", "Packed Qty", "Revised Ex-Fty"],
        ["4500000001", "S1", "Navy", 1200, 1200, 900, 400, datetime(2027, 4, 20)]])
    packing = xlsx(tmp_path / "BD1 Packing List 4500000001.xlsx", [
        ["PACKING LIST"], ["Carton No", "PO", "Style", "Colour", "Size", "Pcs/Ctn", "Ctns"],
        ["1-20", "4500000001", "S1", "Navy", "M", 24, 20]])
    result = run(book, ["wip"], ctx(packing, report))
    (row,) = wip_rows(book)
    assert (row["PO #"], row["Cut Qty"], row["Packed Qty"], row["Source File"]) == \
        ("4500000001", 1200, 400, report.name)
    assert not [f for f in result.findings if f.code is Code.WIP_DUPLICATE]
    note = assert_finding(result.findings, Code.COLUMN_MISSING, file=packing.name, row=2)
    assert note.severity == "info" and note.message.startswith("not a WIP report, so it was skipped")
    assert "'Carton No'" in note.message and "packing list" in note.message
    assert not [f for f in result.findings if f.file == packing.name and f is not note]
    assert f"  {packing.name}: not a WIP report, skipped" in result.outcomes[0].summary


# --- 2. a PO written once above its colours ---------------------------------------------------------

def test_a_po_written_once_above_its_colours_belongs_to_each_and_unlabelled_subtotals_are_skipped(tmp_path):
    """The README says a PO written once above its colours is read; each colour row below it was refused
    'this row has no PO number'. A row of numbers alone (the vendor's bold subtotal) is no line."""
    path = xlsx(tmp_path / "VND WIP poonce.xlsx", [
        ["WIP as of 01-Mar-2027"], [], HEADER,
        ["4500012740", "ST-08", "Olive", 612, 300, 100, 0, datetime(2027, 3, 25), "single colour"],
        [None, None, None, 612, 300, 100, 0, None, None],  # unlabelled subtotal
        ["4500012667", "ST-05", "Terracotta", 1000, 100, 0, 0, datetime(2027, 4, 12), "first colour"],
        [None, None, "Optic White", 1000, 200, 0, 0, None, "PO written once above"],
        [None, None, "Black", 1000, 300, 0, 0, None, None],
        [None, None, None, 3000, 600, 0, 0, None, None],  # unlabelled subtotal
        ["4500012717", "ST-07", "Black", 500, 10, 0, 0, datetime(2027, 4, 20), None],
        [None, None, "Optic White", 500, 20, 0, 0, None, None],
        ["Total", None, None, 4612, 930],
        [None, None, "Navy", 10, 1, 0, 0, None, None],  # after the total: no PO of its own, none above
    ])
    out = import_path(path)
    assert lines_of(out) == [("4500012740", "ST-08", "Olive", 612, 300),
                             ("4500012667", "ST-05", "Terracotta", 1000, 100),
                             ("4500012667", "ST-05", "Optic White", 1000, 200),
                             ("4500012667", "ST-05", "Black", 1000, 300),
                             ("4500012717", "ST-07", "Black", 500, 10),
                             ("4500012717", "ST-07", "Optic White", 500, 20)]
    assert out.skipped_totals == 3
    assert [f.row for f in out.findings if f.code is Code.WIP_UNMATCHED] == [13]
    assert not [f for f in out.findings if f.code is Code.WIP_DUPLICATE]


def test_a_colour_under_a_po_written_once_that_is_not_on_it_says_whose_po_it_was_read_as(tmp_path):
    path = xlsx(tmp_path / "VND WIP poonce.xlsx", [
        ["WIP as of 01-Mar-2027"], [], HEADER,
        ["4500012717", "ST-07", "Black", 500, 10, 0, 0, None, None],
        [None, None, "Lilac", 500, 20, 0, 0, None, None]])
    out = import_path(path)
    assert lines_of(out) == [("4500012717", "ST-07", "Black", 500, 10)]
    miss = assert_finding(out.findings, Code.WIP_UNMATCHED, row=5)
    assert "'Lilac' is not on PO 4500012717" in miss.message
    assert "no PO of its own: it was read as PO 4500012717, written above it" in miss.message


# --- 3. total rows as factories write them -----------------------------------------------------------

@pytest.mark.parametrize("label", [["TTL", None, None], ["G. TOTAL", None, None], ["Grand Ttl", None, None],
                                   ["Sub Ttl", None, None], ["合计", None, None], ["总计", None, None],
                                   ["小计", None, None], ["Tổng cộng", None, None], [None, None, "Grand Total"],
                                   ["4500012717", None, "Total"], ["4500012717", "ST-07", "TTL"]])
def test_total_rows_in_the_factories_words_are_skipped(tmp_path, label):
    """'TTL', 'G. TOTAL', 合计, 'Tổng cộng'... were taken for PO numbers ('PO TTL is not on the Orders
    sheet'), and a colour 'Total' for a colour."""
    path = xlsx(tmp_path / "VND WIP totals.xlsx", [
        ["WIP as of 01-Mar-2027"], [], HEADER[:6],
        ["4500012717", "ST-07", "Black", 500, 10, 0],
        [*label, 500, 10, 0]])
    out = import_path(path)
    assert lines_of(out) == [("4500012717", "ST-07", "Black", 500, 10)]
    assert out.skipped_totals == 1
    assert not [f for f in out.findings if f.severity != "info"]


def test_a_colour_that_begins_with_total_is_still_a_colour(tmp_path):
    lines = wip.OrderIndex([wip.OrderLine("4500012717", "ST-07", "Total Eclipse", "VND", 500)])
    path = xlsx(tmp_path / "VND WIP eclipse.xlsx", [
        ["WIP as of 01-Mar-2027"], [], HEADER[:6], ["4500012717", "ST-07", "Total Eclipse", 500, 10, 0]])
    out = wip.import_file(vendor_files.read_vendor_file(path), lines, ["VND"], Config(), today=TODAY)
    assert [r["color"] for r in out.rows] == ["Total Eclipse"]


# --- 4. ship modes in Chinese and Vietnamese ---------------------------------------------------------

@pytest.mark.parametrize("order_mode, written, expected", [
    ("Sea", "海运", None), ("Sea", "海", None), ("Sea", "Đường biển", None),
    ("Sea", "空运", ("error", "Ship mode changed from Sea to Air")),
    ("Sea", "快递", ("error", "Ship mode changed from Sea to Air")),
    ("Sea", "Đường hàng không", ("error", "Ship mode changed from Sea to Air")),
    ("Air", "空", None), ("Air", "海运", ("warning", "Ship mode changed from Air to Sea"))])
def test_chinese_and_vietnamese_ship_modes_are_read_as_sea_or_air(tmp_path, order_mode, written, expected):
    """海运 (sea) on a Sea order raised 'Ship mode changed from Sea to 海运'; 空运 (air) only a warning,
    not the air-freight change."""
    book = tracker(tmp_path, order_mode)
    f = tmp_path / "BD1_wip_20270301.csv"
    f.write_text("PO,Style,Color,Order Qty,Cut Qty,Planned XF,Ship Mode\n"
                 f"4500000001,S1,Navy,1200,600,04/15/2027,{written}\n", encoding="utf-8")
    run(book, ["wip", "exceptions"], ctx(f))
    assert [r["Ship Mode"] for r in wip_rows(book)] == [written]
    rows = sheet_values(book, "Exceptions")
    found = [dict(zip(rows[0], r)) for r in rows[1:] if r[0]]
    changed = [(r["Severity"], r["Detail"]) for r in found if r["Rule"] == "ship-mode-changed"]
    if expected is None:
        assert changed == []
    else:
        ((severity, detail),) = changed
        assert severity == expected[0] and detail.startswith(expected[1])
