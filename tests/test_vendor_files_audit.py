"""The vendor-file audit of 2026-12-06: messy files as vendors send them, written here (openpyxl, csv, email)
and imported through the job. Each test is a defect the audit found: a week given for a date ('w/c 12 Jan')
blanked the revised ex-factory and dropped the last date the vendor gave; a date column a CSV keeps as Excel's
number (46390) was not read; a file name dated '04Dec2026' was dated today; a style typed with the letter O for
a zero said nothing of it nor what to do; an attachment's withdrawn date named the attachment's file as a sheet.
"""
from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import openpyxl
import pytest

from conftest import assert_finding, base_sheets, write_book
from prodbook.core.findings import Code
from prodbook.jobs.runner import run
from test_wip import as_date, ctx, tracker_with_lines, wip_rows

HEADER = ["PO #", "Style #", "Color", "Order Qty", "Cut Qty", "Ex-Factory", "Revised XF", "Remarks"]


def a_book(path: Path, title: str, *rows: list) -> Path:
    """A Bangladesh vendor's workbook: a title row over the header, and a 'Summary' sheet beside it."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "WIP"
    ws.append([title])
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    summary = wb.create_sheet("Summary")
    summary.append(["Buyer", "Total Order"])
    summary.append(["Retailer", 600])
    wb.save(path)
    return path


def a_csv(path: Path, *rows: list, bom: bool = True) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def by_file(book: Path, name: str) -> list[dict]:
    return [r for r in wip_rows(book) if r["Source File"] == name]


def test_a_week_in_revised_xf_is_read_as_the_day_it_names(tmp_path):
    """'w/c 12 Apr' (week commencing) was 'not a date', and the line's revised ex-factory was left blank."""
    book = tracker_with_lines(tmp_path)
    path = a_book(tmp_path / "dhaka 0301.xlsx", "WIP as of 01-Mar-2027",
                  ["4500000001", "S1", "Heather Grey", 600, 300, date(2027, 4, 15), "w/c 12 Apr", ""])
    result = run(book, ["wip"], ctx(path))
    (row,) = by_file(book, "dhaka 0301.xlsx")
    assert as_date(row["Revised XF"]) == date(2027, 4, 12)
    note = assert_finding(result.findings, Code.BAD_DATE, file="dhaka 0301.xlsx", row=3, value="w/c 12 Apr")
    assert note.column == "Revised XF" and "12-Apr-27" in note.message and "exact date" in note.message


@pytest.fixture
def after_last_week(tmp_path: Path) -> Path:
    """The tracker once Dhaka's report of 22 Feb is imported: Heather Grey revised to ex-factory 30 May."""
    book = tracker_with_lines(tmp_path)
    last = a_book(tmp_path / "dhaka 0222.xlsx", "WIP as of 22-Feb-2027",
                  ["4500000001", "S1", "Heather Grey", 600, 300, date(2027, 4, 15), date(2027, 5, 30), "late"])
    run(book, ["wip"], ctx(last))
    return book


def test_a_revised_xf_it_cannot_read_keeps_the_last_date_the_vendor_gave(tmp_path, after_last_week):
    """'2nd wk Jun' after a revised 30-May blanked the cell: the line's lateness silently fell back to the plan."""
    book = after_last_week
    this = a_book(tmp_path / "dhaka 0301.xlsx", "WIP as of 01-Mar-2027",
                  ["4500000001", "S1", "Heather Grey", 600, 350, date(2027, 4, 15), "2nd wk Jun", "fabric"])
    result = run(book, ["wip"], ctx(this))
    (row,) = by_file(book, "dhaka 0301.xlsx")
    assert as_date(row["Revised XF"]) == date(2027, 5, 30)
    assert "2nd wk Jun" in row["Remarks"] and row["Remarks"].startswith("fabric")
    found = assert_finding(result.findings, Code.BAD_DATE, file="dhaka 0301.xlsx", row=3, value="2nd wk Jun")
    assert found.column == "Revised XF" and "cannot read it as a date" in found.message
    assert "30-May-27" in found.message and "left blank" not in found.message


def test_a_date_kept_as_excel_number_in_a_csv_is_read(tmp_path):
    """A vendor's date column formatted General, saved as CSV UTF-8: '46500' was 'not a date'."""
    book = tracker_with_lines(tmp_path)
    serial = (date(2027, 4, 20) - date(1899, 12, 30)).days
    path = a_csv(tmp_path / "dhaka_wip.csv", ["Report Date: 01-Mar-2027"], HEADER,
                 ["4500000001", "S1", "Heather Grey", "600", "1,200", "04/15/2027", str(serial), ""],
                 ["4500000003", "S1", "Light Blue", "500", "100", "04/20/2027", f"{serial}.0", ""])
    result = run(book, ["wip"], ctx(path))
    rows = {r["Color"]: r for r in by_file(book, "dhaka_wip.csv")}
    assert as_date(rows["Heather Grey"]["Revised XF"]) == date(2027, 4, 20)
    assert as_date(rows["Light Blue"]["Revised XF"]) == date(2027, 4, 20)
    assert not [f for f in result.findings if f.code is Code.BAD_DATE]


def test_a_report_date_written_without_separators_in_the_file_name(tmp_path):
    """'dhaka WIP 01Mar2027.csv' (no title row) was dated today, and a second day's file read as a resend."""
    book = tracker_with_lines(tmp_path)
    first = a_csv(tmp_path / "dhaka WIP 22Feb2027.csv", HEADER,
                  ["4500000001", "S1", "Heather Grey", "600", "100", "04/15/2027", "", ""])
    second = a_csv(tmp_path / "dhaka WIP 01Mar2027 final.csv", HEADER,
                   ["4500000001", "S1", "Heather Grey", "600", "200", "04/15/2027", "", ""])
    result = run(book, ["wip"], ctx(first, second))
    dates = {r["Source File"]: as_date(r["Report Date"]) for r in wip_rows(book)}
    assert dates == {"dhaka WIP 22Feb2027.csv": date(2027, 2, 22),
                     "dhaka WIP 01Mar2027 final.csv": date(2027, 3, 1)}
    assert not [f for f in result.findings if f.code is Code.WIP_REPORT_DATE]


def test_a_style_typed_with_the_letter_o_says_so_and_what_to_do(tmp_path):
    """'KT-1OO3' for KT-1003: the row is not imported (never guessed) and the message says why and what to do."""
    sheets = base_sheets()
    sheets["Orders"].append(["4500000007", "KT-1003", "Olive", 900, date(2027, 1, 4), date(2027, 4, 15),
                             date(2027, 5, 10), date(2027, 5, 20)])
    sheets["Config"] = [["Setting", "Value"], ["WIP Vendor: dhaka*", "BD1"]]
    book = write_book(tmp_path / "tracker.xlsx", sheets)
    path = a_book(tmp_path / "dhaka 0301.xlsx", "WIP as of 01-Mar-2027",
                  ["4500000007", "KT-1OO3", "Olive", 900, 100, date(2027, 4, 15), None, ""])
    result = run(book, ["wip"], ctx(path))
    assert "Vendor WIP" not in openpyxl.load_workbook(book).sheetnames or not by_file(book, "dhaka 0301.xlsx")
    found = assert_finding(result.findings, Code.WIP_UNMATCHED, file="dhaka 0301.xlsx", row=3)
    assert found.column == "Style #" and "KT-1OO3" in found.value
    assert "differs from KT-1003 only in a letter O or I typed for a zero or a one" in found.message
    assert "Ask the vendor to correct the style number" in found.message


def test_a_withdrawn_date_in_an_attachment_names_the_attachment_once(tmp_path, after_last_week):
    """'TBA' in a mailed report was named "file 'x.eml > attachment ...' > sheet 'dhaka 0301.xlsx'": the
    attachment's own file name shown as a sheet, unlike every other finding of the attachment."""
    book = after_last_week
    report = a_book(tmp_path / "attach.xlsx", "WIP as of 01-Mar-2027",
                    ["4500000001", "S1", "Heather Grey", 600, 350, date(2027, 4, 15), "TBA", ""])
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "sales@dhaka.example", "apm@retailer.example", "WIP"
    m["Date"] = "Mon, 01 Mar 2027 10:00:00 +0600"
    m.set_content("WIP attached")
    m.add_attachment(report.read_bytes(), maintype="application",
                     subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename="dhaka 0301.xlsx")
    eml = tmp_path / "WIP 0301.eml"
    eml.write_bytes(bytes(m))
    result = run(book, ["wip"], ctx(eml, now=datetime(2027, 3, 3, 9, 0)))
    where = "WIP 0301.eml > attachment 'dhaka 0301.xlsx'"
    found = assert_finding(result.findings, Code.BAD_DATE, file=where, row=3, value="TBA")
    assert found.sheet == where and "sheet" not in found.where
    (row,) = by_file(book, where)
    assert as_date(row["Revised XF"]) == date(2027, 5, 30)


def test_serial_days_stay_near_the_report(tmp_path):
    """A five-digit number far from the report (a PO fragment, 12345 = 1933) is not taken for a date."""
    book = tracker_with_lines(tmp_path)
    path = a_csv(tmp_path / "dhaka_wip.csv", ["Report Date: 01-Mar-2027"], HEADER,
                 ["4500000001", "S1", "Heather Grey", "600", "100", "04/15/2027", "12345", ""])
    result = run(book, ["wip"], ctx(path))
    (row,) = by_file(book, "dhaka_wip.csv")
    assert row["Revised XF"] in (None, "")
    found = assert_finding(result.findings, Code.BAD_DATE, file="dhaka_wip.csv", row=3, value="12345")
    assert found.column == "Revised XF" and "'12345' reads as 18 October 1933" in found.message
    assert date(1899, 12, 30) + timedelta(days=12345) < date(2026, 1, 1)


def test_tba_in_the_first_report_ever_imported_is_no_internal_error(tmp_path):
    """'TBA' in Revised XF on a tracker with no Vendor WIP rows yet stopped the whole import: 'internal error'."""
    book = tracker_with_lines(tmp_path)
    path = a_book(tmp_path / "dhaka 0301.xlsx", "WIP as of 01-Mar-2027",
                  ["4500000001", "S1", "Heather Grey", 600, 300, date(2027, 4, 15), "TBA", ""])
    result = run(book, ["wip"], ctx(path))
    assert not [f for f in result.findings if f.code is Code.INTERNAL]
    (row,) = by_file(book, "dhaka 0301.xlsx")
    assert row["Cut Qty"] == 300 and row["Revised XF"] in (None, "")


def test_a_week_that_names_no_day_is_named_as_written(tmp_path):
    """'wk 54' gives no day (no year has a week 54; 'wk 2' is read as its ISO week, test_vendor_leftovers): the
    warning quotes the cell as the vendor wrote it, not '54'."""
    book = tracker_with_lines(tmp_path)
    path = a_book(tmp_path / "dhaka 0301.xlsx", "WIP as of 01-Mar-2027",
                  ["4500000001", "S1", "Heather Grey", 600, 300, date(2027, 4, 15), "wk 54", ""])
    result = run(book, ["wip"], ctx(path))
    found = assert_finding(result.findings, Code.BAD_DATE, file="dhaka 0301.xlsx", row=3, value="wk 54")
    assert found.message.startswith("'wk 54' is not a date")


def test_a_line_in_two_files_names_the_file_whose_row_was_left(tmp_path):
    """'dhaka 0301.xls' (a vendor system's CSV export) beside the vendor's 'dhaka 0301.xlsx': the error said
    "row 3: ... is also in 'dhaka 0301.xlsx' row 3" and named no file, since one name is inside the other."""
    book = tracker_with_lines(tmp_path)
    first = a_book(tmp_path / "dhaka 0301.xlsx", "WIP as of 01-Mar-2027",
                   ["4500000001", "S1", "Heather Grey", 600, 300, date(2027, 4, 15), None, ""])
    second = a_csv(tmp_path / "dhaka 0301.xls", ["WIP as of 01-Mar-2027"], HEADER,
                   ["4500000001", "S1", "Heather Grey", "600", "350", "04/15/2027", "", ""], bom=False)
    result = run(book, ["wip"], ctx(first, second))
    found = assert_finding(result.findings, Code.WIP_DUPLICATE, file="dhaka 0301.xls", row=3)
    assert found.severity == "error" and "file 'dhaka 0301.xls'" in found.text()
    (row,) = wip_rows(book)
    assert row["Source File"] == "dhaka 0301.xlsx" and row["Cut Qty"] == 300
