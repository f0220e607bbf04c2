"""Vendor report columns that hold data but that prodbook does not place (audit H4): a factory's commit date
and a 'Delay XF' are the revised ex-factory, and every other date or quantity column the file has is named
once on the Issues sheet with the setting that maps it, never dropped without a word. Real files written
here: a CSV and a Vietnamese UTF-16 tab file (Excel's "Unicode Text")."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from conftest import assert_finding
from prodbook.core import headers
from prodbook.core.findings import Code
from prodbook.jobs.runner import run
from test_headers import best, write_csv
from test_wip import as_date, ctx, tracker_with_lines, wip_rows

COMMIT_WORDINGS = ("Commit XF", "Fty Commit Date", "Factory Commit Date", "Committed XF", "Delay XF",
                   "Actual/Expected XF", "Ex-Fty Now")


@pytest.mark.parametrize("text", COMMIT_WORDINGS)
def test_a_factory_commit_or_delay_date_is_the_revised_ex_factory(text):
    assert best(headers.WIP_VOCABULARY, text) == "revised_xf"
    a = headers.assign(headers.one_row_cells(["PO", "XF Date", text]), headers.WIP_VOCABULARY)
    assert (a.columns.get("planned_xf"), a.columns.get("revised_xf"), a.ambiguous) == (1, 2, ())


@pytest.mark.parametrize("text", ("XF Delay Days", "Delay Days", "Fabric Commit Date", "Actual XF",
                                  "Commit Qty", "Trim Commit Date", "Fabric Ship Date", "XF Delay Reason"))
def test_a_delay_in_days_or_another_commit_is_no_ex_factory(text):
    assert best(headers.WIP_VOCABULARY, text) is None


@pytest.mark.parametrize("commit", ("Commit XF", "Fty Commit Date", "Delay XF", "Actual/Expected XF"))
def test_a_commit_date_beside_xf_date_is_imported_as_revised_xf(tmp_path, commit):
    book = tracker_with_lines(tmp_path)
    f = write_csv(tmp_path / "dhaka_wip_20270301.csv", [
        ["PO No", "Style No", "Colour", "Order Qty", "Cut Qty", "XF Date", commit],
        ["4500000001", "S1", "Navy", "1200", "1150", "2027-04-15", "2027-04-29"]])
    result = run(book, ["wip"], ctx(f))
    (row,) = wip_rows(book)
    assert as_date(row["Planned XF"]) == date(2027, 4, 15) and as_date(row["Revised XF"]) == date(2027, 4, 29)
    assert not [x for x in result.findings if x.code is Code.COLUMN_MISSING and x.file == f.name]


def vietnamese_tab_file(path: Path, extra: tuple[str, ...] = ()) -> Path:
    """Excel's "Unicode Text": UTF-16 with its BOM, tabs. 'May' is the sewing output ('may', to sew)."""
    head = ["STT", "Số PO", "Mã hàng", "Màu sắc", "Số lượng", "Cắt", "May", "Đóng gói", "Xuất xưởng",
            "Actual XF", "Shipped Date", "Shipped Qty", "Destination", "Ghi chú"]
    rows = [head,
            ["1", "4500000001", "S1", "Navy", "1,200", "1,150", "900", "300", "15/04/2027", "", "", "", "US",
             "Đang may"],
            ["2", "4500000001", "S1", "Heather Grey", "600", "600", "600", "600", "15/04/2027", "14/04/2027",
             "14/04/2027", "598", "US", ""]]
    text = "Saigon Star Apparel JSC\tBáo cáo WIP\nNgày báo cáo: 01/03/2027\n\n" + \
        "".join("\t".join(r) + "\n" for r in rows)
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    return path


def test_data_columns_not_placed_are_named_once_with_the_setting(tmp_path):
    book = tracker_with_lines(tmp_path)
    f = vietnamese_tab_file(tmp_path / "dhaka WIP 01-03-2027.txt")
    result = run(book, ["wip"], ctx(f))
    navy, grey = wip_rows(book)
    assert (navy["Cut Qty"], navy["Packed Qty"], navy["Sewn Qty"]) == (1150, 300, None)
    notes = [x for x in result.findings if x.code is Code.COLUMN_MISSING and x.file == f.name]
    assert len(notes) == 1, [x.text() for x in notes]  # once per file, not row by row
    found = notes[0]
    for cell in ("G 'May'", "J 'Actual XF'", "K 'Shipped Date'", "L 'Shipped Qty'"):
        assert cell in found.message, found.message
    assert "900" in found.message and "14/04/2027" in found.message  # the values, so the APM knows it
    # a serial number and words (a destination, remarks already read) are no data to map
    for quiet in ("STT", "Destination", "Ghi chú"):
        assert f"'{quiet}'" not in found.message
    assert "'WIP Column: BD1 / Sewn Qty' = May" in found.message and "Sewn Qty" in found.message
    assert "sewing output" in found.message  # why prodbook did not read it: "May" is also the month
    assert found.severity == "warning" and found.row == 4


def test_mapping_the_column_reads_it_and_stops_naming_it(tmp_path):
    book = tracker_with_lines(tmp_path, [["WIP Column: BD1 / Sewn Qty", "May"]])
    f = vietnamese_tab_file(tmp_path / "dhaka WIP 01-03-2027.txt")
    result = run(book, ["wip"], ctx(f))
    navy, _ = wip_rows(book)
    assert navy["Sewn Qty"] == 900
    found = assert_finding(result.findings, Code.COLUMN_MISSING, file=f.name)
    assert "'May'" not in found.message and "'Shipped Qty'" in found.message
    assert "Revised XF blank" in found.message
    assert "'WIP Column: BD1 / Revised XF' = Actual XF if it is the Revised XF" in found.message  # not a guess
    assert found.severity == "info"  # only the revised date is left blank (many vendors send none): a note


def test_a_file_whose_every_data_column_is_placed_has_no_note(tmp_path):
    book = tracker_with_lines(tmp_path)
    f = write_csv(tmp_path / "dhaka_wip_20270301.csv", [
        ["S/N", "PO #", "Style #", "Colour", "Destination", "Order Qty", "Cut Qty", "Sewn Qty", "Packed Qty",
         "XF Date", "Remarks"],
        ["1", "4500000001", "S1", "Navy", "US", "1200", "1150", "900", "300", "2027-04-15", "ok"],
        ["2", "4500000001", "S1", "Heather Grey", "US", "600", "600", "600", "600", "2027-04-15", ""]])
    result = run(book, ["wip"], ctx(f))
    assert len(wip_rows(book)) == 2
    assert not [x.text() for x in result.findings if x.code is Code.COLUMN_MISSING and x.file == f.name]


def test_an_xlsx_dates_and_a_day_figure_beside_the_total_are_a_note_with_their_values(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["WIP as of 01-Mar-2027"])
    ws.append(["#", "PO #", "Style #", "Color", "Order Qty", "Cut Qty", "Sewn Qty", "Sewing Output (Day)",
               "Packed Qty", "XF Date", "Shipped Date", "Size"])
    ws.append([1, "4500000001", "S1", "Navy", 1200, 1150, 900, 150, 300, date(2027, 4, 15), date(2027, 4, 14), "M"])
    f = tmp_path / "dhaka_wip_20270301.xlsx"
    wb.save(f)
    book = tracker_with_lines(tmp_path)
    result = run(book, ["wip"], ctx(f))
    (row,) = wip_rows(book)
    assert row["Sewn Qty"] == 900
    found = assert_finding(result.findings, Code.COLUMN_MISSING, file=f.name)
    assert "H 'Sewing Output (Day)' (150); K 'Shipped Date' (14-Apr-2027)." in found.message, found.message
    assert "'#'" not in found.message and "'Size'" not in found.message and found.row == 2
    assert found.severity == "info"  # neither names a Vendor WIP column the file left blank


def test_each_report_sheet_of_a_workbook_names_its_own_columns(tmp_path):
    wb = openpyxl.Workbook()
    knit = wb.active
    knit.title = "Knit"
    knit.append(["PO #", "Style #", "Color", "Cut Qty", "Sewn Qty", "XF Date", "Shipped Qty"])
    knit.append(["4500000001", "S1", "Navy", 1150, 900, date(2027, 4, 15), 120])
    woven = wb.create_sheet("Woven")
    woven.append(["PO #", "Style #", "Color", "Cut Qty", "Sewn Qty", "XF Date", "Re-cut Qty"])
    woven.append(["4500000001", "S1", "Heather Grey", 600, 500, date(2027, 4, 15), 30])
    f = tmp_path / "dhaka_wip_20270301.xlsx"
    wb.save(f)
    book = tracker_with_lines(tmp_path)
    result = run(book, ["wip"], ctx(f))
    assert len(wip_rows(book)) == 2
    notes = {x.sheet: x.message for x in result.findings if x.code is Code.COLUMN_MISSING and x.file == f.name}
    assert len(notes) == 2, notes
    woven_note = next(m for s, m in notes.items() if "Woven" in str(s))
    assert "G 'Re-cut Qty' (30)" in woven_note and "Shipped Qty" not in woven_note
