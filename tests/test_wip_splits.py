"""A split shipment reported as two rows of one PO line, read as the line (``matching.read_splits``): real vendor
files written here, imported through the job, the Vendor WIP, Issues and Exceptions sheets read back."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import assert_finding, base_sheets, write_book
from prodbook.core.findings import Code, Severity
from prodbook.core.wip.matching import OrderIndex, OrderLine, read_splits
from prodbook.jobs.runner import run
from test_exceptions_audit import of_line
from test_wip import as_date, ctx, wip_rows

TODAY = date(2027, 4, 6)
HEADER = ["PO No.", "Style No", "Colour", "Order Qty", "Cut", "Sewn", "Packed", "Revised XF", "Mode", "Remarks"]


def tracker(tmp_path: Path, cancel: date = date(2027, 5, 20)) -> Path:
    sheets = base_sheets()
    sheets["Orders"] = [[*sheets["Orders"][0], "Ship Mode"],
                        ["4500000001", "S1", "Navy", 1200, date(2027, 1, 4), date(2027, 4, 15), date(2027, 5, 10),
                         cancel, "Sea"]]
    sheets["Config"] = [["Setting", "Value"], ["WIP Vendor: dhaka*", "BD1"]]
    return write_book(tmp_path / "tracker.xlsx", sheets)


def vendor_file(folder: Path, *rows: list[Any]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "WIP"
    ws.append(["WIP report as of 05-Apr-2027"])
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    path = folder / "dhaka knit 0405.xlsx"
    wb.save(path)
    return path


SEA = ["4500000001", "S1", "Navy", 700, 700, 700, 700, date(2027, 4, 12), "Sea", "1st lot"]
AIR = ["4500000001", "S1", "Navy", 500, 500, 300, 0, date(2027, 4, 18), "Air", "balance by air"]
def test_a_sea_part_and_an_air_part_adding_up_to_the_order_are_read_as_one_split_line(tmp_path):
    """Rows 3 and 4 of the vendor's report: 700 by sea ex-factory 12-Apr, 500 by air 18-Apr, of PO 4500000001 S1
    Navy (1,200, Sea). Before: the second row was dropped ('ask the vendor which one is right'): the sheet showed
    700 of 1,200 by sea on 12-Apr and no exception spoke of the air part."""
    book = tracker(tmp_path)
    result = run(book, ["ta", "wip", "exceptions"], ctx(vendor_file(tmp_path, SEA, AIR), today=TODAY,
                                                         now=datetime(2027, 4, 6, 9)))
    (row,) = wip_rows(book)
    assert (row["Order Qty"], row["Cut Qty"], row["Sewn Qty"], row["Packed Qty"]) == (1200, 1200, 1000, 700), row
    assert as_date(row["Revised XF"]) == date(2027, 4, 18), row
    assert row["Ship Mode"] == "Sea / 500 pcs by air", row
    assert not [f for f in result.findings if f.code is Code.WIP_DUPLICATE], [f.text() for f in result.findings]
    note = assert_finding(result.findings, Code.WIP_SPLIT, file="dhaka knit 0405.xlsx", row=3)
    assert note.severity is Severity.INFO
    assert ("row 3: 700 by Sea, ex-factory 12-Apr-27; row 4: 500 by Air, ex-factory 18-Apr-27" in note.message
            and "order of 1,200" in note.message and "later ex-factory 18-Apr-27" in note.message), note.message
    found = of_line(book, "4500000001")
    mode = found["ship-mode-changed"]
    assert mode["Severity"] == "error" and "part by air" in mode["Detail"], mode
    assert "18-Apr-27" in found["xf-revised-later"]["Detail"]


def test_the_latest_part_is_judged_against_the_cancel_date(tmp_path):
    """Two sea lots, 700 ex-factory 10-May and 500 ex-factory 25-May, cancel 20-May: the line is late for cancel on
    its second lot (judged on 25-May), not on time on its first."""
    book = tracker(tmp_path)
    first = [*SEA[:7], date(2027, 5, 10), "Sea", "1st lot"]
    second = [*AIR[:7], date(2027, 5, 25), "Sea", "2nd lot"]
    run(book, ["ta", "wip", "exceptions"], ctx(vendor_file(tmp_path, first, second), today=TODAY,
                                               now=datetime(2027, 4, 6, 9)))
    (row,) = wip_rows(book)
    assert row["Ship Mode"] == "Sea" and row["Remarks"] == "1st lot / 2nd lot", row
    late = of_line(book, "4500000001")["late-for-cancel"]
    assert late["Severity"] == "error" and "25-May-27" in late["Detail"], late
    assert "ship-mode-changed" not in of_line(book, "4500000001")


@pytest.mark.parametrize(("second", "why"), [
    ([*AIR[:7], date(2027, 4, 12), "Sea", "again"], "same date and mode"),
    ([*AIR[:3], 1200, *AIR[4:]], "more than the order"),
    ([*AIR[:3], None, *AIR[4:]], "no order qty"),
])
def test_two_rows_that_are_not_a_split_stay_a_duplicate_to_ask_about(tmp_path, second, why):
    book = tracker(tmp_path)
    result = run(book, ["wip"], ctx(vendor_file(tmp_path, SEA, second), today=TODAY, now=datetime(2027, 4, 6, 9)))
    (row,) = wip_rows(book)
    assert row["Order Qty"] == 700 and row["Ship Mode"] == "Sea", (why, row)
    dup = assert_finding(result.findings, Code.WIP_DUPLICATE, row=4)
    assert "ask the vendor which one is right" in dup.message.lower(), (why, dup.message)
    assert not [f for f in result.findings if f.code is Code.WIP_SPLIT], why


def test_read_splits_leaves_size_rows_and_other_lines_alone():
    index = OrderIndex([OrderLine("P1", "S1", "Navy", "V1", 1000), OrderLine("P1", "S1", "Red", "V1", 500)])

    def r(color: str, qty: int, xf: date, mode: str, n: int, **kw: Any) -> dict[str, Any]:
        return {"po": "P1", "style": "S1", "color": color, "order_qty": qty, "packed_qty": qty, "revised_xf": xf,
                "ship_mode": mode, "_row": n, "_sheet": "f.xlsx", "report_date": TODAY, **kw}

    sizes = [r("Navy", 600, date(2027, 4, 1), "Sea", 2, _size="S"), r("Navy", 400, date(2027, 4, 9), "Air", 3,
                                                                       _size="M")]
    other = [r("Navy", 600, date(2027, 4, 1), "Sea", 2), r("Red", 400, date(2027, 4, 9), "Air", 3)]
    for rows in (sizes, other):
        found: list = []
        assert read_splits(rows, index, found, "f.xlsx") == rows and found == []
    found = []
    (line,) = read_splits([r("Red", 300, date(2027, 4, 1), "Sea", 2), r("Red", 200, date(2027, 4, 9), "Air", 3)],
                          index, found, "f.xlsx")
    assert (line["order_qty"], line["packed_qty"], line["revised_xf"], line["ship_mode"]) == (
        500, 500, date(2027, 4, 9), "Sea / 200 pcs by air")
    assert [f.code for f in found] == [Code.WIP_SPLIT]


def test_a_cut_repeated_on_every_part_is_the_lines_cut_taken_once(tmp_path):
    """Rows 3 and 4 both give the line's Cut 1,100 (the factory cuts the line, not the shipment): it was added up
    to a Cut of 2,200 on an order of 1,200. Sewn and Packed differ per part and are still added up; equal parts
    each cut in full (600 + 600) are not one figure repeated."""
    book = tracker(tmp_path)
    sea = [*SEA[:4], 1100, 700, 700, *SEA[7:]]
    air = [*AIR[:4], 1100, 300, 0, *AIR[7:]]
    result = run(book, ["wip"], ctx(vendor_file(tmp_path, sea, air), today=TODAY, now=datetime(2027, 4, 6, 9)))
    (row,) = wip_rows(book)
    assert (row["Order Qty"], row["Cut Qty"], row["Sewn Qty"], row["Packed Qty"]) == (1200, 1100, 1000, 700), row
    note = assert_finding(result.findings, Code.WIP_SPLIT, file="dhaka knit 0405.xlsx", row=3)
    assert "Cut 1,100 is given on every row: taken once" in note.message, note.message
    index = OrderIndex([OrderLine("P1", "S1", "Navy", "V1", 1200)])
    halves = [{"po": "P1", "style": "S1", "color": "Navy", "order_qty": 600, "cut_qty": 600, "revised_xf": xf,
               "ship_mode": mode, "_row": n, "_sheet": "f.xlsx", "report_date": TODAY}
              for n, xf, mode in ((2, date(2027, 4, 1), "Sea"), (3, date(2027, 4, 9), "Air"))]
    (line,) = read_splits(halves, index, [], "f.xlsx")
    assert line["cut_qty"] == 1200
