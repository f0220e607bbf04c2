"""The WIP audit of 2026-12-07 on which sheets of a vendor's workbook are read: next month's sheet, set up in
advance with zeros, imported over the report's month (judged by the run date, not the report's); product sheets
('Separates', 'Novelty') taken for months and one dropped; a 'Shipped' or 'Cancelled' sheet read as live lines;
a summary sheet giving false duplicate warnings. Each case is a real workbook written here and imported through
the job into a real tracker."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from conftest import assert_finding
from prodbook.core.findings import Code, Severity
from prodbook.jobs.runner import run
from test_wip import ctx, tracker_with_lines
from test_wip_dates_audit import HEADER, a_book, by_file


def line(cut: int, remark: str, po: str = "4500000001", color: str = "Heather Grey") -> list:
    return [po, "S1", color, 600, cut, date(2027, 4, 15), None, remark]


# --- months: the report's month, judged by the report's date ----------------------------------------------------

def test_next_months_sheet_set_up_in_advance_is_not_the_report(tmp_path):
    """OCT, NOV (titled 'Report Date: 24-Nov') and DEC (all zeros): DEC was imported, cut 3,900 -> 0."""
    book = tracker_with_lines(tmp_path)
    name = "dhaka WIP 26.02.2027.xlsx"
    path = a_book(tmp_path, name, {
        "JAN": [["DHAKA WIP - JAN"], [], HEADER, line(100, "JAN")],
        "FEB": [["DHAKA WIP - FEB"], ["Report Date:", datetime(2027, 2, 26)], HEADER, line(500, "FEB")],
        "MAR": [["DHAKA WIP - MAR"], [], HEADER, line(0, "MAR")]})
    result = run(book, ["wip"], ctx(path, today=date(2027, 2, 27), now=datetime(2027, 2, 27, 9, 0)))
    assert [(r["Cut Qty"], r["Remarks"]) for r in by_file(book, name)] == [(500, "FEB")]
    note = assert_finding(result.findings, Code.WIP_SHEETS, file=name)
    assert note.severity is Severity.INFO
    assert "'FEB'" in note.message and "26-Feb-27" in note.message
    assert "'JAN'" in note.message and "'MAR'" in note.message


def test_a_month_sheet_with_a_year_after_the_report_date_is_not_the_report(tmp_path):
    book = tracker_with_lines(tmp_path)
    name = "dhaka WIP 2027-02-26.xlsx"
    path = a_book(tmp_path, name, {
        "Feb 2027": [HEADER, line(500, "FEB")],
        "Mar 2027": [HEADER, line(0, "MAR")]})
    run(book, ["wip"], ctx(path, today=date(2027, 2, 27), now=datetime(2027, 2, 27, 9, 0)))
    assert [r["Remarks"] for r in by_file(book, name)] == ["FEB"]


def test_full_month_names_are_month_sheets(tmp_path):
    book = tracker_with_lines(tmp_path)
    name = "dhaka WIP 2027-03-01.xlsx"
    path = a_book(tmp_path, name, {
        "January": [HEADER, line(100, "JAN")],
        "February": [HEADER, line(300, "FEB")],
        "March 2027": [HEADER, line(500, "MAR")]})
    result = run(book, ["wip"], ctx(path))
    assert [r["Remarks"] for r in by_file(book, name)] == ["MAR"]
    assert not [f for f in result.findings if f.code is Code.WIP_DUPLICATE]


@pytest.mark.parametrize("first, second", [("Separates", "Novelty"), ("Junior", "Marine"), ("Decor", "Mayfair"),
                                           ("Octagon", "Augusta")])
def test_product_sheets_beginning_like_a_month_are_both_imported(tmp_path, first, second):
    """'Separates' and 'Novelty' were read as September and November: the Separates sheet was dropped."""
    book = tracker_with_lines(tmp_path)
    name = "dhaka WIP 2027-03-01.xlsx"
    path = a_book(tmp_path, name, {
        first: [HEADER, line(100, first)],
        second: [HEADER, line(200, second, po="4500000003", color="Light Blue")]})
    result = run(book, ["wip"], ctx(path))
    assert sorted(r["Remarks"] for r in by_file(book, name)) == sorted([first, second])
    note = assert_finding(result.findings, Code.WIP_SHEETS, file=name)
    assert "each imported" in note.message and "month" not in note.message


# --- shipped, cancelled and summary sheets -----------------------------------------------------------------------

def test_shipped_and_cancelled_sheets_are_not_read_as_the_report(tmp_path):
    """A 'Shipped' sheet (ship qty, ex-fty date, invoice) was imported as a report, quantities blank and the
    ship date as Planned XF, over last week's figures; a 'Cancelled' sheet's line became a live one."""
    book = tracker_with_lines(tmp_path)
    last = a_book(tmp_path, "dhaka WIP 2027-02-22.xlsx", {"WIP": [
        HEADER, line(300, "last week"), line(450, "last week", po="4500000003", color="Light Blue")]})
    run(book, ["wip"], ctx(last))
    name = "dhaka WIP 2027-03-01.xlsx"
    path = a_book(tmp_path, name, {
        "WIP": [HEADER, line(500, "this week")],
        "Shipped": [["SHIPPED LINES"], ["PO #", "Style #", "Color", "Ship Qty", "Ex-Fty Date", "Invoice No"],
                    ["4500000003", "S1", "Light Blue", 500, datetime(2027, 2, 27), "INV-1"]],
        "Cancelled": [["PO #", "Style #", "Color", "Order Qty", "Cut Qty", "Remarks"],
                      ["4500000003", "S1", "Dark Blue", 500, 0, "cancelled by buyer"]]})
    result = run(book, ["wip"], ctx(path))
    assert [(r["Color"], r["Cut Qty"]) for r in by_file(book, name)] == [("Heather Grey", 500)]
    assert [r["Cut Qty"] for r in by_file(book, "dhaka WIP 2027-02-22.xlsx") if r["Color"] == "Light Blue"] == [450]
    note = assert_finding(result.findings, Code.WIP_SHEETS, file=name, value="Shipped, Cancelled")
    assert note.severity is Severity.INFO and "'Shipped'" in note.message and "'Cancelled'" in note.message
    assert not [f for f in result.findings if f.code is Code.WIP_DUPLICATE]


@pytest.mark.parametrize("summary", ["Summary", "Order Summary", "PO_Summary"])
def test_a_summary_sheet_beside_the_report_gives_no_duplicate_warnings(tmp_path, summary):
    book = tracker_with_lines(tmp_path)
    name = "dhaka WIP 2027-03-01.xlsx"
    path = a_book(tmp_path, name, {
        summary: [["ORDER SUMMARY"], ["PO #", "Style #", "Color", "Order Qty", "Packed Qty", "Ex-Factory"],
                  ["4500000001", "S1", "Heather Grey", 600, 0, date(2027, 4, 15)],
                  ["4500000003", "S1", "Light Blue", 500, 0, date(2027, 4, 20)]],
        "Production WIP": [HEADER, line(500, "detail")]})
    result = run(book, ["wip"], ctx(path))
    assert [(r["Color"], r["Remarks"]) for r in by_file(book, name)] == [("Heather Grey", "detail")]
    assert not [f for f in result.findings if f.code is Code.WIP_DUPLICATE]
    note = assert_finding(result.findings, Code.WIP_SHEETS, file=name, value=summary)
    assert f"'{summary}'" in note.message


def test_a_report_sheet_named_summary_is_read_when_it_is_the_only_one(tmp_path):
    book = tracker_with_lines(tmp_path)
    name = "dhaka WIP 2027-03-01.xlsx"
    path = a_book(tmp_path, name, {"WIP Summary": [HEADER, line(500, "only")]})
    run(book, ["wip"], ctx(path))
    assert [r["Remarks"] for r in by_file(book, name)] == ["only"]


# --- review of 2026-12-07: the report named 'WIP Summary', a 'Shipped' sheet beside it, a title dated ahead -------

def test_a_month_sheet_titled_after_today_is_not_the_report(tmp_path):
    """NOV titled 24-Nov and DEC (all zeros) titled 'Report Date: 01-Dec', run 25-Nov: DEC was imported."""
    book = tracker_with_lines(tmp_path)
    name = "dhaka WIP monthly.xlsx"
    path = a_book(tmp_path, name, {
        "NOV": [["DHAKA WIP"], ["Report Date:", datetime(2026, 11, 24)], HEADER, line(500, "NOV")],
        "DEC": [["DHAKA WIP"], ["Report Date:", datetime(2026, 12, 1)], HEADER, line(0, "DEC")]})
    result = run(book, ["wip"], ctx(path, today=date(2026, 11, 25), now=datetime(2026, 11, 25, 9, 0)))
    assert [(r["Cut Qty"], r["Remarks"]) for r in by_file(book, name)] == [(500, "NOV")]
    note = assert_finding(result.findings, Code.WIP_SHEETS, file=name)
    assert "'NOV'" in note.message and "24-Nov-26" in note.message and "2026-11-24" not in note.message


@pytest.mark.parametrize("report", ["WIP Summary", "Shipment Schedule", "Order Summary"])
def test_the_report_named_like_a_summary_beside_a_fabric_sheet_is_the_report(tmp_path, report):
    """The report on 'WIP Summary' beside a 'Fabric' sheet (PO, style, colour, fabric status): the report was
    set aside by its name and 'Fabric' imported as the report, quantities blank over last week's figures."""
    book = tracker_with_lines(tmp_path)
    name = "dhaka WIP 2027-03-01.xlsx"
    path = a_book(tmp_path, name, {
        report: [["DHAKA WIP"], HEADER, line(500, "report")],
        "Fabric": [["PO #", "Style #", "Color", "Fabric Status"], ["4500000001", "S1", "Heather Grey", "In-house"]]})
    result = run(book, ["wip"], ctx(path))
    assert [(r["Cut Qty"], r["Remarks"]) for r in by_file(book, name)] == [(500, "report")]
    assert not [f for f in result.findings if f.code is Code.WIP_SHEETS and f.value and report in f.value]


def test_a_shipped_sheet_beside_the_report_named_summary_is_set_aside(tmp_path):
    """'WIP Summary' and 'Shipped' both matched by name, so neither was set aside: a shipped line became live."""
    book = tracker_with_lines(tmp_path)
    name = "dhaka WIP 2027-03-01.xlsx"
    path = a_book(tmp_path, name, {
        "WIP Summary": [["DHAKA WIP"], HEADER, line(500, "live")],
        "Shipped": [["SHIPPED"], HEADER, line(600, "shipped 20-Feb", po="4500000003", color="Light Blue")]})
    result = run(book, ["wip"], ctx(path))
    assert [(r["Color"], r["Remarks"]) for r in by_file(book, name)] == [("Heather Grey", "live")]
    note = assert_finding(result.findings, Code.WIP_SHEETS, file=name, value="Shipped")
    assert "'Shipped' (shipped lines)" in note.message and "'WIP Summary'" in note.message


def test_an_untitled_month_beside_next_month_titled_ahead_is_the_report(tmp_path):
    """No report date but DEC's own 'Report Date: 01-Dec', run 25-Nov: judged a week ahead, DEC was taken."""
    book = tracker_with_lines(tmp_path)
    name = "dhaka WIP monthly.xlsx"
    path = a_book(tmp_path, name, {
        "NOV": [["DHAKA WIP"], [], HEADER, line(500, "NOV")],
        "DEC": [["DHAKA WIP"], ["Report Date:", datetime(2026, 12, 1)], HEADER, line(0, "DEC")]})
    run(book, ["wip"], ctx(path, today=date(2026, 11, 25), now=datetime(2026, 11, 25, 9, 0)))
    assert [r["Remarks"] for r in by_file(book, name)] == ["NOV"]


# --- a fabric or trims sheet beside the report (helper-164) ------------------------------------------------------

@pytest.mark.parametrize("sheet", ["Fabric", "Fabric Status", "Trims", "Accessories", "Fabric & Trims"])
def test_a_fabric_or_trims_sheet_beside_the_report_is_set_aside_and_named(tmp_path, sheet):
    """A 'Fabric' sheet (PO, style, colour, fabric status, booked qty) was read as a second report: a line only it
    holds became a live WIP line with blank quantities, and a line of the report a duplicate warning."""
    book = tracker_with_lines(tmp_path)
    name = "dhaka WIP 2027-03-01.xlsx"
    path = a_book(tmp_path, name, {
        "WIP": [["DHAKA WIP"], HEADER, line(500, "report")],
        sheet: [["FABRIC / TRIMS STATUS"], ["PO #", "Style #", "Color", "Fabric Status", "Booking Status"],
                ["4500000001", "S1", "Heather Grey", "In-house", "Booked"],
                ["4500000003", "S1", "Light Blue", "Awaiting", "Booked"]]})
    result = run(book, ["wip"], ctx(path))
    assert [(r["Color"], r["Remarks"]) for r in by_file(book, name)] == [("Heather Grey", "report")]
    assert not [f for f in result.findings if f.code is Code.WIP_DUPLICATE]
    note = assert_finding(result.findings, Code.WIP_SHEETS, file=name, value=sheet)
    assert note.severity is Severity.INFO and f"'{sheet}' (fabric or trims)" in note.message
    assert "Read as the report: 'WIP'" in note.message


@pytest.mark.parametrize("beside", [None, "Summary"])
def test_a_sheet_named_fabric_that_is_the_report_is_read(tmp_path, beside):
    """'Fabric WIP' is the vendor's report (a fabric mill's, or a vendor naming it so): alone, or beside a summary
    of it, it is read, and nothing is said of it being set aside."""
    book = tracker_with_lines(tmp_path)
    name = "dhaka WIP 2027-03-01.xlsx"
    sheets = {"Fabric WIP": [["DHAKA WIP"], HEADER, line(500, "report")]}
    if beside:
        sheets[beside] = [["ORDER SUMMARY"], ["PO #", "Style #", "Color", "Order Qty"],
                          ["4500000001", "S1", "Heather Grey", 600]]
    result = run(book, ["wip"], ctx(a_book(tmp_path, name, sheets)))
    assert [(r["Cut Qty"], r["Remarks"]) for r in by_file(book, name)] == [(500, "report")]
    assert not [f for f in result.findings if f.code is Code.WIP_SHEETS and f.value and "Fabric" in f.value]
