"""Lab dips, samples and vendor discrepancies on real tracker files; accepting fixes and undoing them;
garbage cells through validation (hypothesis)."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import assert_finding, base_sheets, sheet_values, write_book
from prodbook.core.cells import CellError, day_of, to_date, to_number
from prodbook.core.development import labdips, samples
from prodbook.core.development.samples import SampleSettings
from prodbook.core.findings import Code
from prodbook.jobs.base import Context
from prodbook.jobs.development_job import load
from prodbook.jobs.runner import run
from prodbook.workbook.filebook import FileBook
from prodbook.workbook.tracker import Tracker

TODAY = date(2027, 3, 1)
STYLE_HEADER = ["Style #", "Description", "Construction", "Fabric", "Fiber Content", "Colors", "Size Range",
                "Vendor", "Factory", "COO", "HTS Code", "FOB (USD)", "Retail (USD)", "Status", "Adopted Date",
                "T&A Template"]
DIPS = ["Style #", "Color", "Fabric", "Mill", "Round", "Submitted", "Received", "Decision", "Decision Date",
        "Comments"]
SAMPLES = ["Style #", "Sample Type", "Purpose", "Color", "Size", "Qty", "Requested", "Due", "Shipped",
           "Courier", "Tracking #", "Received", "Status", "Comments"]


def ctx(today: date = TODAY, files: tuple[Path, ...] = ()) -> Context:
    return Context(today=today, now=datetime(2027, 3, 1, 9, 0), files=files)


def styles() -> list[list[Any]]:
    return [STYLE_HEADER,
            ["S1", "Crew tee", "Knit", "Jersey 160 g/m2", "60% Cotton 40% Polyester", "Navy, Black", "XS-XL",
             "BD1", "Dhaka Knit Unit 2", "Bangladesh", "6109.10.0012", 5, 19.99, "Adopted", date(2026, 11, 2),
             "Knit"],
            ["S2", "Chino", "Knit", "Twill", "Cotton rich", "Black", "28-40", "CN1", "Ningbo Unit 1", "China",
             "6203.42.4016", 11.5, 39.5, "Adopted", date(2026, 11, 2), "Knit"],
            ["S3", "Midi dress", "Knit", "Jersey", "100% Cotton", "Coral", "XS-XL", "BD1", None, None, None,
             None, None, "Proto", None, "Knit"],
            ["S4", "Skirt", "Woven", "Poplin", "100% Cotton", "Sage", "XS-XL", "CN1", None, None, None, None,
             None, "Proto", None, "Knit"]]


def sheets() -> dict[str, list[list[Any]]]:
    s = base_sheets()
    s["Styles"] = styles()
    s["T&A Templates"].append(["Knit", "FIH", "Bulk fabric in-house", "Mill", "LD", 10, "Working", "Yes",
                               "Materials"])
    return s


def issue_rows(path: Path) -> list[dict[str, Any]]:
    rows = sheet_values(path, "Issues")
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def type_in(path: Path, sheet: str, row: int, header: str, value: Any) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    ws.cell(row=row, column=[c.value for c in ws[1]].index(header) + 1).value = value
    wb.save(path)


# -- lab dips ------------------------------------------------------------------------------------

def dip_book(tmp_path: Path) -> Path:
    s = sheets()
    s["Lab Dips"] = [DIPS,
                     ["S1", "Navy", "Jersey", "Mill A", 1, date(2027, 1, 8), date(2027, 1, 12), "Rejected",
                      date(2027, 1, 15), "A/B/C all too red; resubmit"],
                     ["S1", "Navy", "Jersey", "Mill A", 2, date(2027, 1, 22), date(2027, 1, 26), None, None,
                      "under review"],
                     ["S2", "Black", "Twill", "Mill B", 1, date(2027, 1, 15), date(2027, 1, 18), "Approved",
                      date(2027, 1, 20), "Option B"]]
    return write_book(tmp_path / "dips.xlsx", s)


def test_lab_dip_status_late_colours_and_bulk_fabric_exceptions(tmp_path):
    path = dip_book(tmp_path)
    run(path, ["ta"], ctx())
    result = run(path, ["validate"], ctx())
    late = assert_finding(result.findings, Code.LAB_DIP_LATE, sheet="Lab Dips", row=3, column="Decision")
    assert "round 2, with buyer for 34 day(s)" in late.message
    bulk = assert_finding(result.findings, Code.LAB_DIP_BULK, sheet="Orders", row=2, column="Color")
    assert "Navy had no approved lab dip" in bulk.message
    assert not [f for f in result.findings if f.code is Code.LAB_DIP_BULK and f.row == 3]  # S2 approved
    status = labdips.dip_status(load(Tracker(FileBook(path))).dips, TODAY).set_index("color")
    assert status.loc["Navy", "state"] == "With buyer" and status.loc["Navy", "round"] == 2
    assert status.loc["Navy", "days_with_buyer"] == 34
    assert status.loc["Navy", "next_date"] == date(2027, 1, 31)
    assert status.loc["Black", "approved_on"] == date(2027, 1, 20)


def test_an_approved_colour_fills_the_blank_lab_dip_approval_actual_and_undo_clears_it(tmp_path):
    path = dip_book(tmp_path)
    type_in(path, "Lab Dips", 4, "Decision", None)  # S2 Black: still with the buyer
    run(path, ["ta"], ctx())

    def actual(style: str) -> tuple[Any, Any]:
        rows = sheet_values(path, "T&A")
        row = next(r for r in rows[1:] if r[1] == style and r[4] == "LD-APP")
        return row[rows[0].index("Actual")], row[rows[0].index("Status")]

    assert actual("S2") == (None, "Overdue")
    type_in(path, "Lab Dips", 4, "Decision", "Approved")
    run(path, ["ta"], ctx())
    assert actual("S2")[0].date() == date(2027, 1, 20) and actual("S2")[1] == "Done"
    assert actual("S1")[0] is None
    log = [r for r in sheet_values(path, "Change Log") if r[4] == "Actual" and str(r[3]).endswith("LD-APP")]
    assert [(r[3], r[5], r[6]) for r in log] == [("4500000002 / S2 / Black / LD-APP", None, "2027-01-20")]
    assert str(log[0][1]).startswith("Rebuild T&A")
    run(path, ["undo"], ctx())
    assert actual("S2")[0] is None
    type_in(path, "T&A", next(i for i, r in enumerate(sheet_values(path, "T&A"))
                              if r[1] == "S2" and r[4] == "LD-APP") + 1, "Actual", date(2027, 1, 25))
    run(path, ["ta"], ctx())  # what the user typed wins over the lab dip's date
    assert actual("S2")[0].date() == date(2027, 1, 25)


# -- samples ---------------------------------------------------------------------------------------

def test_samples_late_in_transit_line_review_and_customs_facts(tmp_path):
    s = sheets()
    s["Samples"] = [SAMPLES,
                    ["S3", "Proto", "Line review", "Coral", "S", 3, date(2027, 2, 1), date(2027, 2, 15),
                     date(2027, 2, 16), "DHL", "1234567890", date(2027, 2, 20), "Received", None],
                    ["S4", "Proto", "Line review", "Sage", "S", 3, date(2027, 2, 1), date(2027, 2, 15),
                     date(2027, 2, 10), "FedEx", "999888777666", None, "Shipped", None],
                    ["S1", "Fit", "Fit approval", "Navy", "M", 2, date(2027, 1, 5), date(2027, 2, 27), None,
                     None, None, None, "Requested", None],
                    ["S1", "PP", "Pre-production", "Navy", "M", 2, date(2027, 1, 5), date(2027, 3, 1),
                     date(2027, 2, 26), None, None, None, "Shipped", None],
                    ["S2", "Customs", "CBP ruling request", "Black", "32", 1, date(2027, 2, 1),
                     date(2027, 2, 20), None, None, None, None, "Requested", None]]
    s["Config"] = [["Setting", "Value"], ["Line Review Date", date(2027, 3, 10)]]
    path = write_book(tmp_path / "s.xlsx", s)
    found = run(path, ["validate"], ctx()).findings
    assert_finding(found, Code.SAMPLE_LATE, sheet="Samples", row=4, column="Shipped")
    assert "2 day(s) late" in assert_finding(found, Code.SAMPLE_LATE, row=4).message
    assert not [f for f in found if f.code is Code.SAMPLE_LATE and f.row == 5]  # due today: not late
    assert_finding(found, Code.SAMPLE_TRACKING, sheet="Samples", row=3, column="Received")
    assert_finding(found, Code.SAMPLE_TRACKING, sheet="Samples", row=5, column="Tracking #")
    review = [f for f in found if f.code is Code.LINE_REVIEW]
    assert [(f.key, f.row) for f in review] == [("S4", 5)]
    assert "shipped 10-Feb-27 (FedEx 999888777666)" in review[0].message
    facts = {f.column for f in found if f.code is Code.CUSTOMS_FACT and f.row == 3}
    # 'Cotton rich' has no percentages: the style check names that cell, and the customs check leaves it alone
    assert facts == {"Fabric Weight (g/m2)", "Process Countries"}
    assert_finding(found, Code.FIBER_UNREADABLE, sheet="Styles", row=3, column="Fiber Content")
    d = load(Tracker(FileBook(path)))
    lr = samples.line_review(d.styles, d.samples, date(2027, 3, 10), SampleSettings()).set_index("style")
    assert lr.loc["S3", "ready"] and not lr.loc["S4", "ready"]
    assert lr.loc["S4", "proto"] == "Shipped, not received"


def test_a_proto_received_date_still_to_come_is_not_in_hand_for_the_line_review(tmp_path):
    s = sheets()
    s["Samples"] = [SAMPLES,
                    ["S3", "Proto", "Line review", "Coral", "S", 3, date(2027, 2, 1), date(2027, 2, 15),
                     date(2027, 2, 16), "DHL", "1234567890", date(2027, 3, 6), "Shipped", None]]  # 'arrives 6 Mar'
    s["Config"] = [["Setting", "Value"], ["Line Review Date", date(2027, 3, 10)]]
    path = write_book(tmp_path / "s.xlsx", s)
    found = run(path, ["validate"], ctx()).findings  # today: 1 March
    future = assert_finding(found, Code.SAMPLE_TRACKING, sheet="Samples", row=2, column="Received")
    assert "after today" in future.message
    assert ("S3", 4) in [(f.key, f.row) for f in found if f.code is Code.LINE_REVIEW]  # not ready


def test_line_review_in_the_past_is_not_chased(tmp_path):
    s = sheets()
    s["Config"] = [["Setting", "Value"], ["Line Review Date", date(2027, 2, 28)]]
    path = write_book(tmp_path / "s.xlsx", s)
    assert not [f for f in run(path, ["validate"], ctx()).findings if f.code is Code.LINE_REVIEW]


# -- discrepancies, accepting fixes, undo ---------------------------------------------------------------

def costing_file(tmp_path: Path) -> Path:
    path = tmp_path / "vendor costing.csv"
    path.write_text("Buyer Style #,Colour,FOB USD,Composition,Country of Origin,HTS\n"
                    "S1,Navy Blue,5.25,60% cotton / 40% polyester,BD,6109.10.0012\n"
                    "S1,Black,5.25,60% cotton / 40% polyester,BD,6109.10.0012\n"
                    "S2,Black,11.50,100% Cotton,Vietnam,6203.42.4016\n"
                    "S9,Red,4.00,100% Cotton,BD,6109.10.0012\n", encoding="utf-8")
    return path


def disc_book(tmp_path: Path) -> Path:
    s = sheets()
    s["Vendor WIP"] = [["PO #", "Style #", "Color", "Vendor", "Order Qty", "Planned XF", "Report Date"],
                       ["4500000001", "S1", "NAVY BLUE", "BD1", 1250, date(2027, 4, 15), date(2027, 2, 25)]]
    return write_book(tmp_path / "d.xlsx", s)


def test_a_costing_sheet_from_a_decimal_comma_country_is_read_at_its_prices(tmp_path):
    """A Vietnamese vendor's Excel saves CSV with semicolons and decimal commas: FOB '5,25'. Until 2026-12-05
    that was 525, and Accept would have put 525 in the tracker."""
    path = disc_book(tmp_path)
    costing = tmp_path / "vendor costing.csv"
    costing.write_text("Buyer Style #;Colour;FOB USD;Composition;Country of Origin;HTS\n"
                       "S1;Navy Blue;5,25;60% cotton / 40% polyester;BD;6109.10.0012\n"
                       "S2;Black;1.011,50;100% Cotton;Vietnam;6203.42.4016\n", encoding="utf-8")
    result = run(path, ["validate"], ctx(files=(costing,)))
    fob = {f.row: f.fix.proposed for f in result.findings if f.code is Code.DIFF_FOB}
    assert fob[2] == 5.25 and fob[3] == 1011.5


def test_a_price_that_fits_both_marks_is_read_the_way_its_column_writes_prices(tmp_path):
    """'5,250' is 5.25 in a column that writes '0,850', and 5,250 beside '1,234.50'; beside both it is
    named (the audit, 2026-12-05: it was 5250 in a Turkish costing sheet)."""
    path = disc_book(tmp_path)
    costing = tmp_path / "vendor costing.csv"
    costing.write_text("Buyer Style #;Colour;FOB USD\nS1;Navy Blue;5,250\nS2;Black;0,850\n", encoding="utf-8")
    fob = {f.row: f.fix.proposed for f in run(path, ["validate"], ctx(files=(costing,))).findings
           if f.code is Code.DIFF_FOB}
    assert fob[2] == 5.25
    costing.write_text("Buyer Style #;Colour;FOB USD\nS1;Navy Blue;5,250\nS2;Black;5.25\n", encoding="utf-8")
    fob = {f.row: f.fix.proposed for f in run(path, ["validate"], ctx(files=(costing,))).findings
           if f.code is Code.DIFF_FOB}
    assert fob[2] == 5250
    costing.write_text("Buyer Style #;Colour;FOB USD\nS1;Navy Blue;5,250\nS2;Black;0,85\nS3;Red;1,234.50\n",
                       encoding="utf-8")
    result = run(path, ["validate"], ctx(files=(costing,)))
    found = assert_finding(result.findings, Code.BAD_NUMBER, row=2, value="5,250")
    assert "could be 5.250 or 5250" in found.message
    assert not [f for f in result.findings if f.code is Code.DIFF_FOB and f.row == 2]


def test_discrepancies_name_both_values_their_sources_and_a_fix(tmp_path):
    path = disc_book(tmp_path)
    result = run(path, ["validate"], ctx(files=(costing_file(tmp_path),)))
    f = assert_finding(result.findings, Code.DIFF_FOB, sheet="Styles", row=2, column="FOB (USD)", value=5)
    assert f.fix.other == 5.25 and f.fix.proposed == 5.25 and "vendor costing.csv row 2" in f.fix.source
    assert len([x for x in result.findings if x.code is Code.DIFF_FOB]) == 1  # one per style, not per colour
    coo = assert_finding(result.findings, Code.DIFF_COO, row=3, column="COO")
    assert coo.fix.proposed == "Vietnam"
    assert not [x for x in result.findings if x.code is Code.DIFF_FIBER and x.row == 2]  # same, written apart
    assert_finding(result.findings, Code.DIFF_FIBER, row=3)  # 'Cotton rich' against 100% Cotton
    color = assert_finding(result.findings, Code.DIFF_COLOR, sheet="Styles", row=2)
    assert "calls Navy 'Navy Blue'" in color.message and color.fix.proposed is None
    assert_finding(result.findings, Code.DIFF_STYLE, sheet="vendor costing", row=5)
    wip_color = assert_finding(result.findings, Code.DIFF_COLOR, sheet="Orders", row=2, column="Color")
    assert "'NAVY BLUE'" in wip_color.message
    qty = assert_finding(result.findings, Code.DIFF_QTY, sheet="Orders", row=2, column="Qty")
    assert qty.fix.other == 1250 and "Vendor WIP row 2" in qty.fix.source
    issues = issue_rows(path)
    fob = next(r for r in issues if r["Code"] == "vendor-fob-differs")
    assert (fob["Value"], fob["Other Value"], fob["Proposed Value"], fob["Accept"]) == ("5", "5.25", "5.25", None)


def test_accepted_fixes_change_only_those_cells_are_logged_and_undo_restores_them_exactly(tmp_path):
    path = disc_book(tmp_path)
    files = (costing_file(tmp_path),)
    run(path, ["validate"], ctx(files=files))
    issues = issue_rows(path)
    accept = {"vendor-fob-differs", "vendor-qty-differs", "vendor-color-name", "vendor-fiber-differs"}
    for i, r in enumerate(issues):
        if r["Code"] in accept:
            type_in(path, "Issues", i + 2, "Accept", "yes")
    before = {s: sheet_values(path, s) for s in ("Styles", "Orders", "Vendor WIP", "T&A")}
    result = run(path, ["apply", "validate"], ctx(files=files), title="Apply fixes")
    after = {s: sheet_values(path, s) for s in before}
    changed = {(s, i, j) for s in before for i, (a, b) in enumerate(zip(before[s], after[s]))
               for j, (x, y) in enumerate(zip(a, b)) if x != y}
    fob_col, fiber_col = STYLE_HEADER.index("FOB (USD)"), STYLE_HEADER.index("Fiber Content")
    qty_col = before["Orders"][0].index("Qty")
    assert changed == {("Styles", 1, fob_col), ("Styles", 2, fiber_col), ("Orders", 1, qty_col)}
    assert after["Styles"][2][fiber_col] == "100% Cotton"
    assert after["Styles"][1][fob_col] == 5.25 and after["Orders"][1][qty_col] == 1250
    assert_finding(result.findings, Code.FIX_NOT_APPLIED, sheet="Issues")  # the colour row: nothing to write
    assert not [f for f in result.findings if f.code in (Code.DIFF_FOB, Code.DIFF_QTY) and f.row == 2
                and f.sheet in ("Styles", "Orders")]
    log = [r for r in sheet_values(path, "Change Log") if str(r[1]).startswith("Apply fixes")]
    cells = {(r[2], r[3], r[4], r[5], r[6]) for r in log if r[2] in ("Styles", "Orders")}
    assert cells == {("Styles", "S1", "FOB (USD)", 5, 5.25),  # a number logged as a number
                     ("Styles", "S2", "Fiber Content", "Cotton rich", "100% Cotton"),
                     ("Orders", "4500000001 / S1 / Navy", "Qty", 1200, 1250)}
    run(path, ["undo"], ctx())
    for s in ("Styles", "Orders"):
        restored = sheet_values(path, s)
        assert restored == before[s]
        assert [[type(v) for v in r] for r in restored] == [[type(v) for v in r] for r in before[s]]


def test_a_fix_on_a_cell_changed_since_is_not_applied(tmp_path):
    path = disc_book(tmp_path)
    files = (costing_file(tmp_path),)
    run(path, ["validate"], ctx(files=files))
    i = next(i for i, r in enumerate(issue_rows(path)) if r["Code"] == "vendor-fob-differs")
    type_in(path, "Issues", i + 2, "Accept", "Yes")
    type_in(path, "Styles", 2, "FOB (USD)", 5.1)
    result = run(path, ["apply", "validate"], ctx(files=files), title="Apply fixes")
    f = assert_finding(result.findings, Code.FIX_NOT_APPLIED, sheet="Issues", row=i + 2)
    assert "changed since" in f.message
    assert sheet_values(path, "Styles")[1][STYLE_HEADER.index("FOB (USD)")] == 5.1


def test_a_text_date_typed_as_proposed_value_is_read_in_the_trackers_date_order(tmp_path):
    s = sheets()
    s["Config"] = [["Setting", "Value"], ["Date Order", "DMY"]]
    path = write_book(tmp_path / "d.xlsx", s)
    vendor = tmp_path / "vendor po.csv"
    vendor.write_text("PO #,Style #,Color,FOB USD,Qty,Ex-Factory\n4500000001,S1,Navy,5,1200,2027-04-22\n",
                      encoding="utf-8")
    run(path, ["validate"], ctx(files=(vendor,)))
    i = next(i for i, r in enumerate(issue_rows(path)) if r["Code"] == "vendor-ex-factory-differs")
    type_in(path, "Issues", i + 2, "Proposed Value", "03/05/2027")  # 3 May, as this team writes dates
    type_in(path, "Issues", i + 2, "Accept", "Yes")
    run(path, ["apply", "validate"], ctx(files=(vendor,)), title="Apply fixes")
    orders = sheet_values(path, "Orders")
    assert orders[1][orders[0].index("Ex-Factory")] == datetime(2027, 5, 3)


def test_a_vendor_style_sheet_is_read_in_the_date_order_its_own_dates_show(tmp_path):
    path = write_book(tmp_path / "d.xlsx", sheets())
    vendor = tmp_path / "vendor po.csv"
    vendor.write_text("PO #,Style #,Color,FOB USD,Qty,Ex-Factory\n4500000001,S1,Navy,5,1200,22/04/2027\n"
                      "4500000002,S2,Black,11.5,800,03/05/2027\n", encoding="utf-8")  # 22/04: day first
    result = run(path, ["validate"], ctx(files=(vendor,)))
    moved = [f.message for f in result.findings if f.code is Code.DIFF_XF]
    assert "2027-05-03" in " ".join(map(str, moved)) and "2027-03-05" not in " ".join(map(str, moved))
    note = assert_finding(result.findings, Code.WIP_DATE_ORDER, file="vendor po.csv", row=2)
    assert "DMY" in note.message


def test_a_fix_for_a_cell_its_column_cannot_read_is_applied(tmp_path):
    """'TBC' in Qty and 31/02/2027 in In-DC read as blank: the fix compared the Issues Value with that
    blank, said 'changed since' and could never be applied."""
    s = sheets()
    s["Orders"][2][3] = "TBC"
    s["Orders"][1][6] = "31/02/2027"
    path = write_book(tmp_path / "d.xlsx", s)
    run(path, ["validate"], ctx())
    for i, r in enumerate(issue_rows(path)):
        if r["Code"] in ("bad-number", "bad-date") and r["Sheet"] == "Orders":
            type_in(path, "Issues", i + 2, "Proposed Value", "1,200" if r["Code"] == "bad-number" else "2027-05-10")
            type_in(path, "Issues", i + 2, "Accept", "Yes")
    result = run(path, ["apply", "validate"], ctx(), title="Apply fixes")
    orders = sheet_values(path, "Orders")
    assert orders[2][3] == 1200 and orders[1][6] == datetime(2027, 5, 10)
    assert result.outcomes[0].data["applied"] == 2


@pytest.mark.parametrize(("word", "applied"), [("Yes.", True), (" YES ", True), ("✓", True), ("Oui", True),
                                                ("Done", False), ("agreed with vendor", False)])
def test_an_accept_word_is_applied_or_named_never_ignored_in_silence(tmp_path, word, applied):
    path = disc_book(tmp_path)
    files = (costing_file(tmp_path),)
    run(path, ["validate"], ctx(files=files))
    i = next(i for i, r in enumerate(issue_rows(path)) if r["Code"] == "vendor-fob-differs")
    type_in(path, "Issues", i + 2, "Accept", word)
    result = run(path, ["apply", "validate"], ctx(files=files), title="Apply fixes")
    assert (sheet_values(path, "Styles")[1][STYLE_HEADER.index("FOB (USD)")] == 5.25) is applied
    named = [f for f in result.findings if f.code is Code.FIX_NOT_APPLIED and f.row == i + 2]
    assert bool(named) is not applied
    if named:
        assert f"Accept says '{word}'" in named[0].message and "Dismiss" in named[0].message


def test_cells_as_written_are_read_once_a_sheet(tmp_path, monkeypatch):
    """Each unreadable cell a fix touched read its whole sheet again: a hundred 'TBC' fixes on a 20,000-line
    Orders sheet read it a hundred times."""
    s = sheets()
    s["Orders"][2][3] = "TBC"
    s["Orders"][1][3] = "n/a"
    path = write_book(tmp_path / "d.xlsx", s)
    reads: list[str] = []
    read = FileBook.read_sheet
    monkeypatch.setattr(FileBook, "read_sheet", lambda self, sheet: reads.append(sheet) or read(self, sheet))
    tracker = Tracker(FileBook(path))
    assert [tracker.cell_as_written("Orders", r, 3) for r in (3, 2, 3)] == ["TBC", "n/a", "TBC"]
    assert reads == ["Orders"]


# -- garbage in ------------------------------------------------------------------------------------

def _unreadable(kind: str):
    def ok(s: str) -> bool:
        if s[:1] in "=+-@" or not s.strip():
            return False
        try:
            (to_number if kind == "number" else to_date)(s)
        except CellError:
            return True
        return False
    text = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Co")), min_size=1, max_size=40)
    return st.one_of(st.sampled_from(["#N/A", "#VALUE!", "#REF!", "TBC", "ten", "31/02/2027", "2027-13-01",
                                      "n/a?", "≈5", "五", "x" * 5000]), text).filter(ok)


TEXT = st.one_of(st.text(st.characters(blacklist_categories=("Cc", "Cs", "Co")), max_size=60),
                 st.sampled_from(["#N/A", "=1/0", "=HYPERLINK(\"http://x\")", "@SUM(A1)", "x" * 32000,
                                  "Shell: 200% Nylon;;;", "6110.20", "🧵 100% Lycra", "-", "  "]))
TYPED = {("Styles", "FOB (USD)"): "number", ("Styles", "Retail (USD)"): "number",
         ("Styles", "Adopted Date"): "date", ("Lab Dips", "Round"): "number", ("Lab Dips", "Submitted"): "date",
         ("Lab Dips", "Decision Date"): "date", ("Samples", "Qty"): "number", ("Samples", "Due"): "date",
         ("Samples", "Shipped"): "date"}
FREE = {("Styles", "Fiber Content"), ("Styles", "HTS Code"), ("Styles", "COO"), ("Styles", "Colors"),
        ("Styles", "Size Range"), ("Lab Dips", "Decision"), ("Lab Dips", "Color"), ("Samples", "Sample Type"),
        ("Samples", "Tracking #")}


@st.composite
def garbage(draw):
    typed = {k: draw(_unreadable(kind)) for k, kind in TYPED.items() if draw(st.booleans())}
    free = {k: draw(TEXT) for k in FREE if draw(st.booleans())}
    return typed, free


@settings(max_examples=20, deadline=None)  # no per-example time limit: each writes and validates a real file
@given(garbage())
def test_garbage_cells_never_crash_are_reported_once_and_are_never_rewritten(tmp_path_factory, bad):
    typed, free = bad
    s = sheets()
    s["Lab Dips"] = [DIPS, ["S1", "Navy", "Jersey", "Mill A", 1, date(2027, 1, 8), date(2027, 1, 12),
                            "Approved", date(2027, 1, 15), None]]
    s["Samples"] = [SAMPLES, ["S1", "Fit", "Fit approval", "Navy", "M", 2, date(2027, 1, 5), date(2027, 2, 27),
                              None, None, None, None, "Requested", None]]
    for (sheet, header), value in {**typed, **free}.items():
        s[sheet][1][s[sheet][0].index(header)] = value
    path = write_book(tmp_path_factory.mktemp("g") / "g.xlsx", s)
    before = {name: sheet_values(path, name) for name in ("Styles", "Lab Dips", "Samples")}
    result = run(path, ["validate"], ctx())
    assert not [f for f in result.findings if f.code is Code.INTERNAL], [f.text() for f in result.findings]
    for (sheet, header) in typed:
        at = [f for f in result.findings if f.sheet == sheet and f.row == 2 and f.column == header]
        assert len(at) == 1, (sheet, header, [f.text() for f in at])
    typed_in = " ".join(str(v) for v in (*typed.values(), *free.values()))
    for f in result.findings:
        for word in ("ValidationError", "NoneType", "float", "Traceback", "str object"):
            assert word not in f.message or word in typed_in, f.text()  # Python's words, not the cell's
    assert {name: sheet_values(path, name) for name in before} == before


def test_sample_due_dates_come_from_the_colour_milestone_else_the_style():
    from prodbook.core.development.samples import ta_due
    ta = pd.DataFrame({"style": ["S1", "S1", "S1", "S2"], "color": ["Navy", "Navy", "Black", "Red"],
                       "code": ["FSS", "FSS", "FSS", "PPS"],
                       "planned": [date(2027, 1, 10), date(2027, 1, 12), date(2027, 1, 5), date(2027, 2, 1)],
                       "forecast": [None, date(2027, 1, 14), None, None]})
    smp = pd.DataFrame({"style": ["s1 ", "S1", "S1", "S2", "S2"],
                        "color": ["NAVY", "Green", None, "Red", "Red"],
                        "sample_type": ["Fit", "Fit", "Fit", "Fit", "Photo"]}, index=[10, 11, 12, 13, 14])
    got = ta_due(smp, ta, {"fit": "FSS", "pp": "PPS"})[["earliest", "latest"]]
    # Planned, not Forecast: an overdue milestone still open is forecast for today, a due never passed
    assert got.loc[10].tolist() == [date(2027, 1, 10), date(2027, 1, 12)]  # Navy's own milestones
    assert got.loc[11].tolist() == [date(2027, 1, 5), date(2027, 1, 12)]   # no Green line: the style's
    assert got.loc[12].tolist() == [date(2027, 1, 5), date(2027, 1, 12)]
    assert got.loc[13].tolist() == [None, None]  # S2 has no fit milestone
    assert got.loc[14].tolist() == [None, None]  # photo samples have no milestone here


def test_a_sample_whose_t_and_a_milestone_is_overdue_and_open_is_late(tmp_path):
    """The fit sample's milestone was planned 16 Jan and is still open on 1 Mar: its Forecast is today, so
    a due date read from the Forecast was never passed. The Planned date is the due date."""
    s = sheets()
    s["T&A Templates"] = s["T&A Templates"] + [
        ["Knit", "FSS", "Fit sample submit", "Vendor", "PO Date", 10, "Working", "No", "Development"]]
    s["Samples"] = [["Style #", "Sample Type", "Color", "Requested", "Due", "Shipped", "Status"],
                    ["S1", "Fit", "Navy", date(2027, 1, 5), None, None, "Requested"]]
    path = write_book(tmp_path / "f.xlsx", s)
    run(path, ["ta"], ctx())
    found = run(path, ["validate"], ctx()).findings
    late = assert_finding(found, Code.SAMPLE_LATE, sheet="Samples", row=2)
    assert re.search(r"due 1\d-Jan-27", late.message) and "not shipped" in late.message


@pytest.mark.parametrize("written", ["Fit", "Fit Sample", "Fit 1", "1st Fit", "FIT", "fit sample "])
def test_a_sample_type_written_another_way_finds_its_milestone(written):
    from prodbook.core.development.samples import ta_due
    ta = pd.DataFrame({"style": ["S1"], "color": ["Navy"], "code": ["FSS"], "planned": [date(2027, 1, 16)],
                       "forecast": [None]})
    got = ta_due(pd.DataFrame({"style": ["S1"], "color": ["Navy"], "sample_type": [written]}), ta,
                 {"fit": "FSS", "pp": "PPS"})
    assert got.iloc[0][["earliest", "latest"]].tolist() == [date(2027, 1, 16), date(2027, 1, 16)]


@pytest.mark.parametrize(("written", "kind"), [
    ("PP Sample", "pp"), ("Pre-production", "pp"), ("pre production", "pp"), ("Size set sample", "size set"),
    ("TOP", "top"), ("Gold Seal", "gold seal")])
def test_sample_kinds(written, kind):
    from prodbook.core.development.samples import sample_kind
    assert sample_kind(written) == kind


def test_a_round_left_blank_is_the_round_after_those_above_it_and_a_cancel_ends_an_approval():
    dips = pd.DataFrame({
        "style": ["S1", "S1", "S2", "S2"], "color": ["Navy", "Navy", "Black", "Black"],
        "round": [1, None, 1, 2], "submitted": [date(2027, 1, 5), date(2027, 1, 20), date(2027, 1, 5), None],
        "received": [date(2027, 1, 9), date(2027, 1, 26), date(2027, 1, 9), None],
        "decision": ["Rejected", None, "Approved", "Cancelled - colour dropped by buyer"],
        "decision_date": [date(2027, 1, 12), None, date(2027, 1, 14), date(2027, 2, 1)],
        "mill": [None] * 4, "comments": [None] * 4, "_row": [2, 3, 4, 5]})
    got = labdips.dip_status(dips, date(2027, 2, 2)).set_index("color")
    assert (got.at["Navy", "round"], got.at["Navy", "state"]) == (2, "With buyer")  # not 'Resubmit' round 1
    assert got.at["Black", "state"] == "Cancelled"
    from prodbook.core.followups import lab_dip_items
    assert lab_dip_items(dips, {"S1": "BD1", "S2": "CN1"}, date(2027, 2, 2)) == []  # nothing to resubmit


def test_a_rounds_options_are_rows_of_their_own_and_an_approved_one_approves_the_colour(tmp_path):
    """The mill sends three options a round (DOMAIN): A rejected, B approved, C rejected. As one key they
    were duplicates, only A was read, and the colour stood at 'Resubmit' with a chase to the mill."""
    s = sheets()
    s["Lab Dips"] = [["Style #", "Color", "Round", "Option", "Submitted", "Received", "Decision", "Decision Date"],
                     *[["S1", "Navy", 1, o, date(2027, 1, 8), date(2027, 1, 12), d, date(2027, 1, 15)]
                       for o, d in (("A", "Rejected"), ("B", "Approved"), ("C", "Rejected"))]]
    path = write_book(tmp_path / "o.xlsx", s)
    run(path, ["ta"], ctx())
    found = run(path, ["validate"], ctx()).findings
    assert not [f for f in found if f.code is Code.DUPLICATE_KEY and f.sheet == "Lab Dips"]
    assert not [f for f in found if f.code in (Code.LAB_DIP_LATE, Code.LAB_DIP_BULK) and "Navy" in f.message]
    d = load(Tracker(FileBook(path)))
    state = labdips.dip_status(d.dips, TODAY).set_index("color")
    assert (state.at["Navy", "state"], state.at["Navy", "approved_on"]) == ("Approved", date(2027, 1, 15))
    from prodbook.core.followups import lab_dip_items
    assert lab_dip_items(d.dips, {"S1": "BD1"}, TODAY) == []


_MOMENTS = st.one_of(st.none(), st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 12, 31)))


@given(st.lists(_MOMENTS, max_size=30), st.sampled_from(["ns", "us", "s"]))
def test_days_of_a_date_time_column_are_each_values_date(moments: list[datetime | None], unit: str) -> None:
    """The lab dip rules turn a date-time column into dates in one step: the same dates, blanks None, as
    reading each value alone (the way the rules read them before)."""
    column = pd.Series(pd.to_datetime(pd.Series(moments, dtype=object))).astype(f"datetime64[{unit}]")
    column.index = range(5, 5 + len(column))
    days = labdips._days(column)
    assert days.index.equals(column.index)
    assert days.tolist() == [day_of(v) for v in column.tolist()]
    assert all(d is None or type(d) is date for d in days)


def test_days_of_an_object_column_read_each_value() -> None:
    values = [date(2026, 3, 1), pd.Timestamp("2026-03-02 17:00"), None, float("nan"), "soon", pd.NaT]
    assert labdips._days(pd.Series(values, dtype=object)).tolist() == [date(2026, 3, 1), date(2026, 3, 2),
                                                                        None, None, None, None]


def test_the_lab_dip_chase_reads_a_colour_where_the_lab_dips_view_does():
    """The chase kept its own reading of a colour's dips: 'NAVY ' approved in round 2 was another colour
    than 'Navy' rejected in round 1, so the mill was chased for a colour the buyer had approved; 'Not
    approved' was no rejection to it. Now it takes the colours the Lab Dips view puts at 'Resubmit', due
    the Config's resubmit days after the rejection."""
    from prodbook.core.followups import lab_dip_items
    dips = pd.DataFrame({
        "style": ["S1", "S1", "S2", "S3"], "color": ["Navy", "NAVY ", "Black", "Red"],
        "round": [1, 2, 1, 1], "submitted": [date(2027, 1, 5)] * 4, "received": [date(2027, 1, 9)] * 4,
        "decision": ["Rejected", "Approved", "Not approved - too green", "Failed, shade off"],
        "decision_date": [date(2027, 1, 12), date(2027, 1, 20), date(2027, 1, 12), date(2027, 1, 14)],
        "mill": [None] * 4, "comments": [None, None, "too green", None], "_row": [2, 3, 4, 5]})
    got = lab_dip_items(dips, {"S1": "BD1", "S2": "CN1", "S3": "CN1"}, date(2027, 2, 2),
                        labdips.DipSettings(resubmit_days=10))
    assert [(i.style, i.color, i.due, i.days_overdue) for i in got] == [
        ("S2", "Black", date(2027, 1, 22), 11), ("S3", "Red", date(2027, 1, 24), 9)]
    assert "Round 1 was rejected (too green)" in got[0].detail
    state = labdips.dip_status(dips, date(2027, 2, 2)).set_index("color")["state"].to_dict()
    assert state == {"NAVY ": "Approved", "Black": "Resubmit", "Red": "Resubmit"}


def test_two_rows_with_neither_round_nor_option_are_two_rounds_and_the_later_one_stands(tmp_path):
    """A colour rejected, then approved, both rows with Round blank: all blank rounds were 1, so the second
    row was a duplicate (ignored), the colour stayed at 'Resubmit', the mill was chased and the approval's
    Actual stayed blank. Options A/B/C left without a Round are still one round."""
    s = sheets()
    s["Lab Dips"] = [DIPS + ["Option"],
                     ["S1", "Navy", "Jersey", "Mill A", None, date(2027, 1, 8), date(2027, 1, 12), "Rejected",
                      date(2027, 1, 15), "too red", None],
                     ["S1", "Navy", "Jersey", "Mill A", None, date(2027, 1, 22), date(2027, 1, 26), "Approved",
                      date(2027, 1, 28), None, None],
                     *[["S2", "Black", "Twill", "Mill B", None, date(2027, 1, 15), date(2027, 1, 18), d,
                        date(2027, 1, 20), None, o] for o, d in (("A", "Rejected"), ("B", "Approved"), ("C", None))]]
    path = write_book(tmp_path / "dips.xlsx", s)
    run(path, ["ta"], ctx())
    result = run(path, ["validate"], ctx())
    assert not [f for f in result.findings if f.code is Code.DUPLICATE_KEY]
    dips = load(Tracker(FileBook(path))).dips
    assert labdips.rounds(dips).tolist() == [1, 2, 1, 1, 1]
    status = labdips.dip_status(dips, TODAY).set_index("color")
    assert (status.loc["Navy", "state"], status.loc["Navy", "round"]) == ("Approved", 2)
    assert status.loc["Navy", "approved_on"] == date(2027, 1, 28)
    rows = sheet_values(path, "T&A")
    navy = next(r for r in rows[1:] if r[1] == "S1" and r[4] == "LD-APP")
    assert navy[rows[0].index("Actual")].date() == date(2027, 1, 28)


def test_one_option_the_mill_withdrew_does_not_cancel_an_approved_colour():
    """Round 1: A approved with comments, B rejected, C cancelled (the last row). The colour read as
    Cancelled: no approval date reached the T&A, and the Orders row was told to cancel the PO line. Only a
    round cancelled whole cancels the colour."""
    def status(decisions: list[str]) -> str:
        n = len(decisions)
        dips = pd.DataFrame({"style": ["S1"] * n, "color": ["Black"] * n, "round": [1] * n,
                             "option": list("ABC")[:n], "submitted": [date(2027, 1, 5)] * n,
                             "received": [date(2027, 1, 9)] * n, "decision": decisions,
                             "decision_date": [date(2027, 1, 12)] * n, "mill": [None] * n,
                             "comments": [None] * n, "_row": list(range(2, 2 + n))})
        return labdips.dip_status(dips, date(2027, 2, 2)).at[0, "state"]

    assert status(["Approved w/ comments", "Rejected", "Cancelled"]) == "Approved"
    assert status(["Cancelled", "Cancelled"]) == "Cancelled"
    assert status(["Rejected", "Cancelled"]) == "Resubmit"


@pytest.mark.parametrize(("typed", "kind"), [("Rej.", "rejected"), ("Resub", "rejected"), ("B approved", "approved"),
                                             ("Approved - option C", "approved"), ("Pending", None),
                                             ("Awaiting buyer", None), ("NOT APPROVED", "rejected"),
                                             ("Option A not approved", "rejected"), ("too red?", "unknown")])
def test_a_trackers_decision_shorthand_is_read(typed, kind):
    assert labdips.decision_kind(typed) == kind


def test_a_sample_its_status_closes_or_of_a_dropped_style_is_not_chased_and_one_sent_asks_for_its_date(tmp_path):
    """A Photo sample Cancelled, a sample of a style the buyer dropped, a fit sample whose Status says Shipped
    (hand carried, no date typed yet): each was 'due ... and has not shipped; chase the vendor' and went into
    the vendor's follow-up e-mail. The shipped one now asks for its date; the others need nothing."""
    s = sheets()
    s["Styles"][4][13] = "Dropped"  # S4
    s["Samples"] = [SAMPLES,
                    ["S1", "Photo", "Catalogue", "Navy", "M", 1, date(2027, 1, 5), date(2027, 2, 1), None, None,
                     None, None, "Cancelled", None],
                    ["S4", "SMS", "Sales meeting", "Sage", "M", 2, date(2027, 1, 5), date(2027, 2, 1), None, None,
                     None, None, "Requested", None],
                    ["S1", "1st Fit", "Fit approval", "Navy", "M", 2, date(2027, 1, 5), date(2027, 2, 1), None,
                     "Hand carry", None, None, "Shipped", None],
                    ["S2", "Fit", "Fit approval", "Black", "32", 2, date(2027, 1, 5), date(2027, 2, 1), None, None,
                     None, None, "Requested", None]]
    path = write_book(tmp_path / "s.xlsx", s)
    run(path, ["ta"], ctx())
    found = run(path, ["validate"], ctx()).findings
    assert [f.row for f in found if f.code is Code.SAMPLE_LATE] == [5]  # S2's fit, still the vendor's
    asked = assert_finding(found, Code.SAMPLE_TRACKING, sheet="Samples", row=4, column="Shipped")
    assert "Status says 'Shipped' but Shipped is blank" in asked.message
    run(path, ["followups"], ctx())
    items = [r for r in sheet_values(path, "Follow-ups")[1:] if "sample" in str(r[2]).lower()]
    assert [(r[0], r[2]) for r in items] == [("CN1", "Fit sample")]


@pytest.mark.parametrize("written", ["2nd Fit", "Second fit sample", "Fit 2", "fit #2"])
def test_a_second_fit_sample_is_due_on_the_second_fit_milestone(written):
    """'2nd Fit' with no Due was judged against the first fit's date, weeks before it was due."""
    from prodbook.core.development.samples import SampleSettings, sample_kind, ta_due, type_codes
    ta = pd.DataFrame({"style": ["S1", "S1"], "color": ["Navy", "Navy"], "code": ["FSS", "FS2"],
                       "milestone": ["Fit sample submit", "2nd fit sample submit"],
                       "planned": [date(2027, 1, 16), date(2027, 2, 20)], "forecast": [None, None]})
    got = ta_due(pd.DataFrame({"style": ["S1"], "color": ["Navy"], "sample_type": [written]}), ta,
                 type_codes(ta, SampleSettings()))
    assert sample_kind(written) == "fit 2" and got.iloc[0][["earliest", "latest"]].tolist() == [date(2027, 2, 20)] * 2


def test_the_report_workbook_lists_where_each_colours_lab_dips_stand(tmp_path):
    """The Lab Dips view (round, where it stands, days with the buyer, what comes next and by when) was worked
    out on every run and shown nowhere: a colour with the buyer for weeks went unseen until its approval
    milestone was overdue. The report workbook lists it, the colours that need someone first."""
    path = dip_book(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["Lab Dips"].append(["S3", "Coral", "Jersey", "Mill A", 1, date(2027, 2, 1), date(2027, 2, 4), "Rejected",
                           date(2027, 2, 8), "too pink"])
    wb.save(path)
    out = tmp_path / "report.xlsx"
    run(path, ["ta", "report"], Context(today=TODAY, now=datetime(2027, 3, 1, 9, 0), out=out))
    ws = openpyxl.load_workbook(out)["Lab Dip Status"]
    rows = [dict(zip([c.value for c in ws[1]], r)) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert [(r["Style #"], r["Color"], r["Stands"]) for r in rows] == [
        ("S3", "Coral", "Resubmit"), ("S1", "Navy", "With buyer"), ("S2", "Black", "Approved")]
    navy = rows[1]
    assert (navy["Vendor"], navy["Round"], navy["Days With Buyer"]) == ("BD1", 2, 34)
    assert navy["Next"] == "buyer's decision" and navy["Next By"].date() == date(2027, 1, 31)
    assert rows[0]["Next"] == "new round from the mill"


@pytest.mark.parametrize("first, second", [("R1", "R2"), ("Submit #1", "Submit #2"), ("1st", "2nd"),
                                           ("Round 1", "Round 2"), ("First", "Second")])
def test_a_round_written_in_words_is_its_number(tmp_path, first, second):
    """DOMAIN: a round is written 'Submit #1, #2'. Typed so, every row was an error ('not a number') and
    the rounds were lost: the colour stood at round 1, rejected, and the mill was chased for a resubmit."""
    s = sheets()
    s["Lab Dips"] = [["Style #", "Color", "Round", "Option", "Submitted", "Received", "Decision", "Decision Date"],
                     ["S1", "Navy", first, "A", date(2027, 1, 8), date(2027, 1, 12), "Rejected", date(2027, 1, 15)],
                     ["S1", "Navy", second, "A", date(2027, 1, 25), date(2027, 1, 28), "Approved", date(2027, 2, 1)]]
    path = write_book(tmp_path / "r.xlsx", s)
    found = run(path, ["validate"], ctx()).findings
    assert not [f.text() for f in found if f.sheet == "Lab Dips" and f.column == "Round"]
    d = load(Tracker(FileBook(path)))
    state = labdips.dip_status(d.dips, TODAY).set_index("color")
    assert (state.at["Navy", "state"], state.at["Navy", "round"]) == ("Approved", 2)


def test_a_round_that_names_no_number_is_still_an_error_naming_the_cell(tmp_path):
    s = sheets()
    s["Lab Dips"] = [["Style #", "Color", "Round", "Submitted"], ["S1", "Navy", "Resubmit", date(2027, 1, 8)]]
    path = write_book(tmp_path / "r.xlsx", s)
    f = assert_finding(run(path, ["validate"], ctx()).findings, Code.BAD_NUMBER, sheet="Lab Dips", column="Round")
    assert f.value == "Resubmit"
