"""Vendor WIP headers and PO cells the audit found misread, on real files written here: 'Plan | Actual' under
each stage, Chinese and Vietnamese headers, a colour column prodbook does not understand, and PO numbers as a
CSV carries them ('4500000001.0', '4.5E+09', '4500000001-1')."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import assert_finding, base_sheets, sheet_values, write_book
from prodbook.core.findings import Code
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run

TODAY = date(2027, 3, 3)


def ctx(*files: Path) -> Context:
    return Context(today=TODAY, now=datetime(2027, 3, 3, 9, 0), files=tuple(files))


def tracker(tmp_path: Path, config: list[list[Any]] = (), colours: tuple[str, ...] = ()) -> Path:
    """The test tracker; ``colours``: more colours of PO 4500000001 (S1, BD1) beside Navy."""
    sheets = base_sheets()
    navy = sheets["Orders"][1]
    sheets["Orders"] += [[navy[0], navy[1], c, *navy[3:]] for c in colours]
    sheets["Config"] = [["Setting", "Value"], *config]
    return write_book(tmp_path / "tracker.xlsx", sheets)


def wip_rows(path: Path) -> list[dict]:
    if "Vendor WIP" not in openpyxl.load_workbook(path, read_only=True).sheetnames:
        return []  # nothing imported: the sheet is not made
    rows = sheet_values(path, "Vendor WIP")
    return [dict(zip(rows[0], r)) for r in rows[1:] if r[0]]


def xlsx(path: Path, rows: list[list], merges: tuple[str, ...] = ()) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "WIP"
    for row in rows:
        ws.append(row)
    for ref in merges:
        ws.merge_cells(ref)
    wb.save(path)
    return path


def day(value: Any) -> date | None:
    return value.date() if isinstance(value, datetime) else value


# --- finding 3: 'Plan | Actual' under each stage ------------------------------------------------------

@pytest.mark.parametrize("plan, actual, original, revised", [
    ("Plan", "Actual", "Original", "Revised"), ("Target", "Done", "Original", "Revised"),
    ("Plan Qty", "Actual Qty", "Planned", "Revised"), ("计划", "实际", "原", "新"),
    ("Plan", "Actual", "Buyer", "Factory")])
def test_a_stage_over_plan_and_actual_is_read_from_the_actual_column(tmp_path, plan, actual, original, revised):
    """'Cutting', 'Sewing', 'Packing' merged over 'Plan | Actual' were read from the Plan column (the plan taken
    for the pieces done), the sub-header row taken for a PO line, and 'Ex-Factory' over 'Buyer | Factory' lost
    the factory's date."""
    book = tracker(tmp_path)
    top = ["PO #", "Style #", "Color", "Order Qty", "Cutting", None, "Sewing", None, "Packing", None,
           "Ex-Factory", None, "Remarks"]
    sub = [None, None, None, None, plan, actual, plan, actual, plan, actual, original, revised, None]
    path = xlsx(tmp_path / "BD1 WIP 01-Mar-2027.xlsx", [
        ["WIP as of 01-Mar-2027"], [], top, sub,
        ["4500000001", "S1", "Navy", 1200, 1200, 900, 1100, 600, 1000, 300, datetime(2027, 4, 15),
         datetime(2027, 4, 22), "actual cut 900 sewn 600 packed 300"]],
        merges=("A3:A4", "B3:B4", "C3:C4", "D3:D4", "M3:M4", "E3:F3", "G3:H3", "I3:J3", "K3:L3"))
    result = run(book, ["wip"], ctx(path))
    (row,) = wip_rows(book)
    assert (row["Order Qty"], row["Cut Qty"], row["Sewn Qty"], row["Packed Qty"]) == (1200, 900, 600, 300)
    assert (day(row["Planned XF"]), day(row["Revised XF"])) == (date(2027, 4, 15), date(2027, 4, 22))
    assert not [f for f in result.findings if f.file == path.name and f.severity != "info"]


# --- finding 5: Chinese and Vietnamese headers ----------------------------------------------------------

ZH = ["订单号", "款号", "颜色", "订单数量", "裁剪数", "车缝完成", "包装数", "原出厂日期", "新出厂日期", "运输方式",
      "面料", "备注"]


def test_chinese_headers_with_the_po_column_mapped_are_read(tmp_path):
    """Chinese-only headers, the PO column mapped on the Config sheet as the error message said: 0 lines, and
    not a word to the APM (every Chinese header folded to nothing)."""
    book = tracker(tmp_path, [["WIP Column: CN1 / PO #", "订单号"]])
    path = xlsx(tmp_path / "CN1 WIP 01-Mar-2027.xlsx", [
        ["生产进度表 01-Mar-2027"], [], ZH,
        ["4500000002", "S2", "Black", 800, 800, 700, 500, datetime(2027, 4, 30), datetime(2027, 5, 7), "海运",
         "已到", "row 1"]])
    run(book, ["wip"], ctx(path))
    (row,) = wip_rows(book)
    assert (row["PO #"], row["Style #"], row["Color"], row["Order Qty"], row["Cut Qty"], row["Sewn Qty"],
            row["Packed Qty"], row["Ship Mode"], row["Fabric Status"], row["Remarks"]) == \
        ("4500000002", "S2", "Black", 800, 800, 700, 500, "海运", "已到", "row 1")
    assert (day(row["Planned XF"]), day(row["Revised XF"])) == (date(2027, 4, 30), date(2027, 5, 7))


@pytest.mark.parametrize("headers", [
    ["订单号", "色号", "订单数", "裁床数", "缝制数", "装箱数", "出货日期"],
    ["Số PO", "Màu", "Số lượng\nđơn hàng", "Số lượng\ncắt", "Số lượng\nmay xong", "Số lượng\nđóng gói",
     "Ngày xuất\nxưởng"]])
def test_chinese_and_vietnamese_factory_headers_are_read_without_a_mapping(tmp_path, headers):
    book = tracker(tmp_path)
    path = xlsx(tmp_path / "CN1 WIP 01-Mar-2027.xlsx", [
        ["01-Mar-2027"], [], headers, ["4500000002", "Black", 800, 800, 700, 500, datetime(2027, 4, 30)]])
    run(book, ["wip"], ctx(path))
    (row,) = wip_rows(book)
    assert (row["PO #"], row["Color"], row["Order Qty"], row["Cut Qty"], row["Sewn Qty"], row["Packed Qty"],
            day(row["Planned XF"])) == ("4500000002", "Black", 800, 800, 700, 500, date(2027, 4, 30))


def test_headers_not_understood_beside_a_mapped_po_column_are_named_with_the_setting(tmp_path):
    """With the PO column mapped, a file whose other headers prodbook does not know was skipped as 'not a WIP
    report' (a note): the APM who mapped it is told which columns were not understood and how to map them."""
    book = tracker(tmp_path, [["WIP Column: CN1 / PO #", "合约编号"]])
    path = xlsx(tmp_path / "CN1 WIP 01-Mar-2027.xlsx", [
        ["01-Mar-2027"], [], ["合约编号", "款号", "颜色", "生产量", "后整", "走货期"],
        ["4500000002", "S2", "Black", 700, 500, datetime(2027, 4, 30)]])
    result = run(book, ["wip"], ctx(path))
    assert wip_rows(book) == []
    found = assert_finding(result.findings, Code.COLUMN_MISSING, file=path.name, row=3)
    assert found.severity == "warning"
    assert "D '生产量', E '后整', F '走货期'" in found.message
    assert "'WIP Column: CN1 / Cut Qty' = 生产量" in found.message


# --- finding 14: a colour header prodbook does not understand -------------------------------------------

def test_a_colour_column_not_understood_is_named_once_with_the_setting(tmp_path):
    """A colour column headed 'Option': every row of a multi-colour PO was refused 'the row has no colour',
    and nothing said the colours were in column C."""
    book = tracker(tmp_path, colours=("Optic White",))
    path = xlsx(tmp_path / "BD1 WIP 01-Mar-2027.xlsx", [
        ["WIP as of 01-Mar-2027"], [], ["PO #", "Style #", "Option", "Order Qty", "Cut Qty", "Remarks"],
        ["4500000001", "S1", "Navy", 1200, 100, "first"],
        ["4500000001", "S1", "Optic White", 1200, 200, "second"]])
    result = run(book, ["wip"], ctx(path))
    assert wip_rows(book) == []
    assert not [f for f in result.findings if f.code is Code.WIP_AMBIGUOUS]
    found = assert_finding(result.findings, Code.COLUMN_MISSING, file=path.name, row=3)
    assert found.severity == "warning" and found.column == "Option"
    assert "2 row(s)" in found.message and "rows 4, 5" in found.message
    assert "Column C 'Option' holds their colours (Navy, Optic White)" in found.message
    assert "'WIP Column: BD1 / Color' = Option" in found.message


# --- finding 15: PO numbers as a CSV carries them -------------------------------------------------------

def test_po_numbers_with_point_zero_or_a_line_suffix_match_and_scientific_ones_are_named(tmp_path):
    """'4500000001.0' and '4500000002-1' were 'not on the Orders sheet'; '4.5E+09' (Excel's display of a long
    number, saved to CSV: its digits gone) was too, without saying why."""
    book = tracker(tmp_path, colours=("Optic White",))
    path = tmp_path / "BD1_WIP_20270301.csv"
    path.write_text("PO #,Style #,Color,Order Qty,Cut Qty\n"
                    "4500000001.0,S1,Navy,1200,11\n"
                    "4.5E+09,S1,Optic White,1200,12\n"
                    "4500000002-1,S2,Black,800,13\n", encoding="utf-8")
    result = run(book, ["wip"], ctx(path))
    assert sorted((r["PO #"], r["Color"], r["Cut Qty"]) for r in wip_rows(book)) == \
        [("4500000001", "Navy", 11), ("4500000002", "Black", 13)]
    lost = assert_finding(result.findings, Code.WIP_UNMATCHED, file=path.name, row=3)
    assert lost.severity == "warning" and lost.value == "4.5E+09"
    assert "cell A3" in lost.message and "scientific notation" in lost.message and "digits are lost" in lost.message
    read = assert_finding(result.findings, Code.WIP_UNMATCHED, file=path.name, row=4)
    assert read.severity == "info" and "read as PO 4500000002" in read.message
    assert result.outcomes[0].data["not_imported"] == 1
