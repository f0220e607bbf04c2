"""Lab dips, samples and vendor discrepancies as an APM uses them: cases found by an audit of the development
side, each on a real tracker file (or the pure rule where the file adds nothing)."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from conftest import assert_finding, write_book
from prodbook.core.development import labdips
from prodbook.core.findings import Code
from prodbook.jobs.development_job import load
from prodbook.jobs.runner import run
from prodbook.workbook.filebook import FileBook
from prodbook.workbook.tracker import Tracker
from test_development import DIPS, SAMPLES, TODAY, ctx, sheets


def add_row(path: Path, sheet: str, row: list) -> None:
    """A row typed below the sheet's last one, its Table grown over it."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    ws.append(row)
    table = ws.tables[next(iter(ws.tables))]
    table.ref = f"{table.ref.split(':')[0]}:{openpyxl.utils.get_column_letter(ws.max_column)}{ws.max_row}"
    wb.save(path)


# -- lab dips ------------------------------------------------------------------------------------------

def test_a_colour_cancelled_after_its_approval_reached_the_ta_is_still_on_the_po(tmp_path):
    """Navy approved in round 1 (the T&A rebuild wrote the approval's Actual), then dropped by the buyer in
    round 2. The approval Actual prodbook itself had written counted as an approval, so the PO line still
    holding the cancelled colour past its bulk fabric date went unreported; a tracker rebuilt only after the
    cancel reported it."""
    s = sheets()
    s["Lab Dips"] = [DIPS, ["S1", "Navy", "Jersey", "Mill A", 1, date(2027, 1, 8), date(2027, 1, 12), "Approved",
                            date(2027, 1, 15), None]]
    path = write_book(tmp_path / "dips.xlsx", s)
    run(path, ["ta"], ctx())
    add_row(path, "Lab Dips", ["S1", "Navy", "Jersey", "Mill A", 2, None, None, "Cancelled - colour dropped by buyer",
                               date(2027, 2, 1), None])
    found = run(path, ["ta", "validate"], ctx()).findings
    bulk = assert_finding(found, Code.LAB_DIP_BULK, sheet="Orders", row=2, column="Color")
    assert "the lab dip of Navy was cancelled" in bulk.message


def test_a_late_lab_dip_is_found_when_the_colour_is_typed_with_its_accent_apart(tmp_path):
    """'Crème' typed on a Mac (the accent a character of its own) on the Lab Dips sheet, 'Crème' on the
    Orders: the bulk-fabric rule matched them, the late-approval rule did not, and a colour with the buyer
    past its T&A approval date was never flagged late."""
    s = sheets()
    s["Orders"][1][2] = unicodedata.normalize("NFC", "Crème")
    s["Lab Dips"] = [DIPS, ["S1", unicodedata.normalize("NFD", "Crème"), "Jersey", "Mill A", 1, date(2027, 1, 8),
                            date(2027, 1, 12), None, None, None]]
    path = write_book(tmp_path / "dips.xlsx", s)
    found = run(path, ["ta", "validate"], ctx()).findings
    late = assert_finding(found, Code.LAB_DIP_LATE, sheet="Lab Dips", row=2, column="Decision")
    assert "round 1, with buyer" in late.message


@pytest.mark.parametrize("typed", ["B approved, A/C rejected", "A/C rejected, B approved",
                                   "Rejected A & C; B approved", "A rejected - option B approved"])
def test_a_decision_naming_the_approved_option_approves_the_colour(tmp_path, typed):
    """A tracker with one row a round writes which option the buyer took: 'A/C rejected, B approved'. The
    word 'rejected' won, the colour stood at Resubmit (the mill chased for a new round), its T&A approval
    stayed open and the PO line was told the mill cannot dye bulk."""
    assert labdips.decision_kind(typed) == "approved"
    assert labdips.decision_kind("Option A not approved, B not approved") == "rejected"  # no option taken
    s = sheets()
    s["Lab Dips"] = [DIPS, ["S1", "Navy", "Jersey", "Mill A", 1, date(2027, 1, 8), date(2027, 1, 12), typed,
                            date(2027, 1, 15), None]]
    path = write_book(tmp_path / "dips.xlsx", s)
    found = run(path, ["ta", "validate"], ctx()).findings
    assert not [f for f in found if f.code in (Code.LAB_DIP_BULK, Code.LAB_DIP_LATE) and f.row == 2]
    status = labdips.dip_status(load(Tracker(FileBook(path))).dips, TODAY)
    assert (status.at[0, "state"], status.at[0, "approved_on"]) == ("Approved", date(2027, 1, 15))


# -- samples -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", ["Received", "Approved", "Approved with comments", "Rejected"])
def test_a_sample_whose_status_says_it_arrived_asks_for_the_received_date_not_the_courier(tmp_path, status):
    """A fit sample shipped 18 Jan whose Status says Received (or the buyer already approved or rejected it),
    its Received date not typed: prodbook said 'shipped without a tracking number; ask the vendor for the
    courier and air waybill', or 'not received; check tracking with DHL', for a sample in the buyer's
    hands."""
    s = sheets()
    s["Samples"] = [SAMPLES,
                    ["S1", "Fit", "Fit approval", "Navy", "M", 2, date(2027, 1, 5), date(2027, 1, 20),
                     date(2027, 1, 18), "DHL", None, None, status, None],
                    ["S2", "Fit", "Fit approval", "Black", "M", 2, date(2027, 1, 5), date(2027, 1, 20),
                     date(2027, 1, 18), "DHL", "4455667788", None, status, None]]
    path = write_book(tmp_path / "s.xlsx", s)
    found = [f for f in run(path, ["ta", "validate"], ctx()).findings if f.sheet == "Samples"]
    for row in (2, 3):
        asked = assert_finding(found, Code.SAMPLE_TRACKING, row=row, column="Received")
        assert f"the Status says '{status}' but Received is blank" in asked.message
    assert not [f for f in found if f.column == "Tracking #" or "check tracking" in f.message]


def test_a_sample_of_a_dropped_style_is_not_chased_whatever_its_status(tmp_path):
    """README: every sample of a style whose Status is Dropped is not chased (no issue). One whose Status said
    Shipped still was: 'shipped without a tracking number; ask the vendor...' for a style the buyer dropped."""
    s = sheets()
    s["Styles"][4][13] = "Dropped"  # S4
    s["Samples"] = [SAMPLES,
                    ["S4", "Proto", "Line review", "Sage", "M", 2, date(2027, 1, 5), date(2027, 2, 1),
                     date(2027, 1, 28), "DHL", None, None, "Shipped", None],
                    ["S4", "SMS", "Sales meeting", "Sage", "M", 2, date(2027, 1, 5), date(2027, 2, 1), None,
                     None, None, None, "Sent", None],
                    ["S1", "Fit", "Fit approval", "Navy", "M", 2, date(2027, 1, 5), date(2027, 2, 1),
                     date(2027, 1, 28), "DHL", None, None, "Shipped", None]]
    path = write_book(tmp_path / "s.xlsx", s)
    found = [f for f in run(path, ["ta", "validate"], ctx()).findings if f.sheet == "Samples"]
    assert [(f.row, f.column) for f in found] == [(4, "Tracking #")]  # S1's, its style still live


# -- vendor discrepancies ------------------------------------------------------------------------------

def test_a_colourway_with_a_slash_is_the_vendors_colour_when_it_is_the_trackers(tmp_path):
    """Styles' Colors 'Navy/White Stripe, Black' (a colourway), the vendor's costing file 'Navy/White Stripe',
    as on the PO: prodbook split the colourway at the '/' and asked the vendor to call it 'Navy'."""
    s = sheets()
    s["Styles"][1][5] = "Navy/White Stripe, Black"
    s["Orders"][1][2] = "Navy/White Stripe"
    path = write_book(tmp_path / "t.xlsx", s)
    costing = write_book(tmp_path / "costing.xlsx", {"Costing": [
        ["Style #", "Color", "FOB"], ["S1", "NAVY / WHITE STRIPE", 5], ["S1", "Black", 5], ["S1", "Navy Blue", 5]]})
    found = [f for f in run(path, ["ta", "validate"], ctx(files=(costing,))).findings if f.code is Code.DIFF_COLOR]
    assert [(f.row, f.fix.other if f.fix else None) for f in found] == [(2, "Navy Blue")]  # a name it is not


def test_line_review_reads_a_proto_by_its_status_a_cancelled_one_left_out_a_received_one_in_hand(tmp_path):
    """S3's proto: Status Received, the date not typed; the line review said 'shipped and is not received;
    check the tracking with the courier' beside the Samples finding asking for the Received date. S4's first
    proto was cancelled and a second requested, due 5 Mar: the review named the cancelled one, 'not shipped
    (due 01-Feb-27)', a month late it is not."""
    s = sheets()
    s["Samples"] = [SAMPLES,
                    ["S3", "Proto", "Line review", "Coral", "M", 3, date(2027, 1, 5), date(2027, 2, 1),
                     date(2027, 1, 28), "DHL", "123", None, "Received", None],
                    ["S4", "Proto", "Line review", "Sage", "M", 3, date(2027, 1, 5), date(2027, 2, 1), None, None,
                     None, None, "Cancelled", "replaced by proto 2"],
                    ["S4", "Proto 2", "Line review", "Sage", "M", 3, date(2027, 2, 5), date(2027, 3, 5), None, None,
                     None, None, "Requested", None]]
    s["Config"] = [["Setting", "Value"], ["Line Review Date", date(2027, 3, 10)]]
    path = write_book(tmp_path / "s.xlsx", s)
    found = [f for f in run(path, ["ta", "validate"], ctx()).findings if f.code is Code.LINE_REVIEW]
    assert [(f.row, f.message) for f in found] == [
        (5, "line review on 10-Mar-27 (in 9 day(s)): the proto has not shipped (due 05-Mar-27); chase the vendor "
            "for a ship date")]


@pytest.mark.parametrize("written", ["Fit-2", "Fit sample 2", "Fit Sample #2", "Fit (2nd)"])
def test_a_second_fit_written_another_way_takes_the_second_fit_date_and_fills_its_actual(tmp_path, written):
    """'Fit Sample #2', 'Fit-2'... were the first fit: a 2nd fit with no Due was chased against the first fit's
    date (weeks before it was due), and its Shipped date went into the first fit's blank Actual, while the 2nd
    fit milestone stayed open and its vendor was chased for a sample already sent."""
    from test_dev_actuals import sample_book, ta_cell

    path = sample_book(tmp_path, samples=[
        ["S1", written, "Fit approval", "Navy", "M", 2, date(2027, 1, 5), None, date(2027, 2, 8), "DHL", "123",
         None, "Shipped", None]])
    run(path, ["ta"], ctx())
    assert ta_cell(path, "4500000001", "FSS") is None
    assert ta_cell(path, "4500000001", "FS2") == date(2027, 2, 8)


def test_a_colour_approved_without_a_date_is_not_an_error_for_want_of_an_approval(tmp_path):
    """Lab Dips: Navy 'Approved', neither Decision Date nor Received typed. The Lab Dips view and the late
    rule read it approved; the bulk fabric rule said 'Navy had no approved lab dip by the bulk fabric
    milestone' as an error (the run exits 1). The missing date is the Lab Dips sheet's warning."""
    s = sheets()
    s["Lab Dips"] = [DIPS, ["S1", "Navy", "Jersey", "Mill A", 1, date(2027, 1, 8), None, "Approved", None, None]]
    path = write_book(tmp_path / "dips.xlsx", s)
    found = run(path, ["ta", "validate"], ctx()).findings
    assert not [f for f in found if f.code is Code.LAB_DIP_BULK and f.row == 2]
    assert_finding(found, Code.LAB_DIP_DATES, sheet="Lab Dips", row=2, column="Decision Date")
    assert_finding(found, Code.LAB_DIP_BULK, sheet="Orders", row=3)  # S2 Black: no lab dip at all


def test_a_cancelled_customs_sample_asks_for_no_ruling_facts(tmp_path):
    """S1's customs sample was Cancelled (the broker found a ruling that covers it); S1 needs none of itself
    (HTS given, 60% cotton). prodbook still warned 'the customs ruling sample needs the country of each
    process step... add it before the sample goes to the broker'."""
    s = sheets()
    s["Samples"] = [SAMPLES, ["S1", "Customs", "CBP ruling", "Navy", "M", 1, date(2027, 1, 5), date(2027, 2, 1),
                              None, None, None, None, "Cancelled", "ruling NY N123456 covers it"]]
    path = write_book(tmp_path / "s.xlsx", s)
    found = run(path, ["ta", "validate"], ctx()).findings
    assert not [f for f in found if f.code in (Code.CUSTOMS_FACT, Code.CUSTOMS_SAMPLE) and f.row == 2]
    assert_finding(found, Code.CUSTOMS_FACT, sheet="Styles", row=3, column="Process Countries")  # S2's HTS


def test_an_option_still_with_the_buyer_holds_its_round_open_whatever_its_row():
    """Round 2: B and C rejected, A received and not decided yet. Typed in the order A, B, C the colour stood
    at 'Resubmit' (the last row) and the mill was chased for a round 3; typed B, C, A it stood 'With buyer'."""
    from prodbook.core.followups import lab_dip_items

    decided = {"A": None, "B": "Rejected", "C": "Rejected"}
    for order in ("ABC", "BCA", "CAB"):
        rows = [("S1", "Navy", 1, "A", "Rejected"), ("S1", "Navy", 1, "B", "Rejected"),
                ("S1", "Navy", 1, "C", "Rejected"), *[("S1", "Navy", 2, o, decided[o]) for o in order]]
        dips = pd.DataFrame({"style": [r[0] for r in rows], "color": [r[1] for r in rows],
                             "round": [r[2] for r in rows], "option": [r[3] for r in rows],
                             "submitted": [date(2027, 2, 1)] * 6, "received": [date(2027, 2, 5)] * 6,
                             "decision": [r[4] for r in rows],
                             "decision_date": [date(2027, 2, 8) if r[4] else None for r in rows],
                             "mill": [None] * 6, "comments": [None] * 6, "_row": list(range(2, 8))})
        got = labdips.dip_status(dips, date(2027, 2, 10))
        assert (got.at[0, "round"], got.at[0, "state"], got.at[0, "days_with_buyer"]) == (2, "With buyer", 5), order
        assert got.at[0, "last_row"] == 5 + order.index("A")
        assert lab_dip_items(dips, {"S1": "BD1"}, date(2027, 2, 10)) == []


def test_a_shipped_date_still_to_come_is_no_shipment_and_the_late_sample_is_late(tmp_path):
    """A fit sample due 10 Feb, its Shipped typed as the vendor's promise, 5 Mar (today 1 Mar): prodbook said
    the date is after today, but took the sample as shipped, so it was not late. A date to come counts for
    nothing until it happens (README)."""
    s = sheets()
    s["Samples"] = [SAMPLES, ["S1", "Fit", "Fit approval", "Navy", "M", 2, date(2027, 1, 5), date(2027, 2, 10),
                              date(2027, 3, 5), "DHL", "123", None, "Requested", None]]
    path = write_book(tmp_path / "s.xlsx", s)
    found = [f for f in run(path, ["ta", "validate"], ctx()).findings if f.sheet == "Samples"]
    assert_finding(found, Code.SAMPLE_TRACKING, row=2, column="Shipped", value=date(2027, 3, 5))
    late = assert_finding(found, Code.SAMPLE_LATE, row=2, column="Shipped")
    assert "due 10-Feb-27 and has not shipped (19 day(s) late)" in late.message


def test_a_submit_milestone_named_for_approval_is_not_the_approval(tmp_path):
    """A template whose submit milestone reads 'Submit lab dips for approval' (before 'Lab dip approval'): it
    was taken for the approval milestone, so the approval date went into the submit milestone's Actual, the
    real approval milestone stayed open, and the submit date never reached the T&A."""
    s = sheets()
    s["T&A Templates"][1][2] = "Submit lab dips for approval"
    s["Lab Dips"] = [DIPS, ["S1", "Navy", "Jersey", "Mill A", 1, date(2027, 1, 8), date(2027, 1, 12), "Approved",
                            date(2027, 1, 15), None]]
    path = write_book(tmp_path / "dips.xlsx", s)
    run(path, ["ta"], ctx())
    from test_dev_actuals import ta_cell

    assert (ta_cell(path, "4500000001", "LD"), ta_cell(path, "4500000001", "LD-APP")) == (
        date(2027, 1, 8), date(2027, 1, 15))
    names = pd.DataFrame({"code": ["SUB1", "APP1"], "milestone": ["Submit lab dips for approval", "Lab dip approval"]})
    assert (labdips.milestone_code(names, None, labdips.LAB_DIP_SUBMIT, labdips.DEFAULT_SUBMIT_CODES),
            labdips.milestone_code(names, None, labdips.LAB_DIP_APPROVAL, labdips.DEFAULT_APPROVAL_CODES)) == (
        "SUB1", "APP1")


@pytest.mark.parametrize(("theirs", "ours"), [("DK NAVY", "Dark Navy"), ("NAVY STRIPES", "Navy Stripe")])
def test_a_vendor_colour_is_matched_to_the_po_line_it_names_not_a_shorter_colour_inside_it(tmp_path, theirs, ours):
    """PO 4500000001 holds S1 Navy (1,200) and S1 Dark Navy / Navy Stripe (500). The vendor's WIP row 'DK NAVY'
    (or 'NAVY STRIPES') was taken for Navy, the first colour found inside it: 'the vendor calls Navy
    'DK NAVY'', and Accept offered to write 500 into Navy's Qty."""
    s = sheets()
    s["Orders"].append(["4500000001", "S1", ours, 500, date(2027, 1, 4), date(2027, 4, 15), date(2027, 5, 10),
                        date(2027, 5, 20)])
    s["Vendor WIP"] = [["PO #", "Style #", "Color", "Vendor", "Order Qty", "Planned XF", "Report Date"],
                       ["4500000001", "S1", "NAVY", "BD1", 1200, date(2027, 4, 15), date(2027, 2, 26)],
                       ["4500000001", "S1", theirs, "BD1", 500, date(2027, 4, 15), date(2027, 2, 26)]]
    path = write_book(tmp_path / "w.xlsx", s)
    found = [f for f in run(path, ["validate"], ctx()).findings if f.code.name.startswith("DIFF")]
    assert [(f.code, f.row, f.column) for f in found] == [(Code.DIFF_COLOR, 4, "Color")]
    assert f"the vendor calls {ours} '{theirs}'" in found[0].message


def test_a_decision_dated_before_the_dips_were_submitted_is_flagged_when_received_is_blank(tmp_path):
    """Submitted 8 Jan 2027, Received not kept, approved '15 Jan 2026' (the year mistyped): only a decision
    before Received was checked, so the date went unremarked into the T&A's approval Actual."""
    s = sheets()
    s["Lab Dips"] = [DIPS, ["S1", "Navy", "Jersey", "Mill A", 1, date(2027, 1, 8), None, "Approved",
                            date(2026, 1, 15), None]]
    path = write_book(tmp_path / "dips.xlsx", s)
    found = run(path, ["validate"], ctx()).findings
    got = assert_finding(found, Code.LAB_DIP_DATES, sheet="Lab Dips", row=2, column="Decision Date",
                         value=date(2026, 1, 15))
    assert "before the dips were submitted" in got.message
