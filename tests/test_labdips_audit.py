"""Lab dips as a busy APM types them (helper-167's audit, fixed by helper-168): a decision that is no decision
yet read as an approval, a T&A approval Actual the Lab Dips sheet contradicts, a cancelled colour still on a PO
line, a later round rejected after an approval, dips lost between the mill and the buyer.

Real workbooks: a copy of the demo tracker kept in workbooks/ (the one the audit used), rows typed below its Lab
Dips sheet as the APM would, the real jobs run and the sheets read back.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import assert_finding
from prodbook.core.development import labdips
from prodbook.core.findings import Code, Finding, Severity
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run

DAY = date(2026, 12, 7)
D = datetime
CORAL = ("SS27-KT-1013", "Coral")
"""On the demo T&A its lab-dip approval (LDA) has an Actual (PO 4500012603); bulk fabric in-house is planned
29-Dec-26 (PO 4500012603) and 27-Jan-27 (PO 4500013134)."""


def ctx(today: date = DAY) -> Context:
    return Context(today=today, now=datetime(today.year, today.month, today.day, 9, 0))


DEMO = Path(__file__).parent.parent / "workbooks" / "demo-tracker.xlsx"


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    return Path(shutil.copy(DEMO, tmp_path / "tracker.xlsx"))


def add_dips(path: Path, *rows: list[Any]) -> list[int]:
    """Rows typed below the Lab Dips sheet's last one (its Table grown over them); their Excel rows."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Lab Dips"]
    heads = [c.value for c in ws[1]]
    at = []
    for r in rows:
        ws.append([dict(r).get(h) for h in heads] if isinstance(r, dict) else r)
        at.append(ws.max_row)
    for table in ws.tables.values():
        table.ref = f"{table.ref.split(':')[0]}:{openpyxl.utils.get_column_letter(ws.max_column)}{ws.max_row}"
    wb.save(path)
    return at


def dip(style: str, color: str, rnd: int, submitted: date, received: date | None, decision: str | None,
        decided: date | None = None) -> dict[str, Any]:
    return {"Style #": style, "Color": color, "Fabric": "Cotton jersey", "Mill": "Tiruppur Process House",
            "Round": rnd, "Submitted": submitted, "Received": received, "Decision": decision,
            "Decision Date": decided}


def ta_actuals(path: Path, style: str, color: str, code: str) -> list[Any]:
    ws = openpyxl.load_workbook(path, read_only=True)["T&A"]
    rows = list(ws.iter_rows(values_only=True))
    h = list(rows[0])
    return [r[h.index("Actual")] for r in rows[1:]
            if r[h.index("Style #")] == style and r[h.index("Color")] == color and r[h.index("Code")] == code]


def about(found: list[Finding], style: str, color: str, code: Code) -> list[Finding]:
    return [f for f in found if f.code == code and f.key and style in f.key and color in f.key]


# -- H1: what a Decision says -------------------------------------------------------------------------------

NO_DECISION_YET = ["To be approved", "Not yet approved", "Pending approval", "awaiting approval", "approval pending",
                   "Yet to be approved", "Sent for approval", "Approval awaited", "Pending",
                   # helper-176's audit (H2): the buyer still to approve an option, or asked to
                   "Pending - buyer to approve A", "waiting for buyer to approve A", "With buyer - approve A",
                   "Awaiting buyer, approve B", "Please approve B", "Pls approve option A", "Buyer to approve A",
                   "Don't approve A", "Never approve B", "Can't approve A", "cannot approve C", "do not approve B"]
NOT_APPROVED = ["Rejected - B approved for bulk? no", "Rejected", "Resubmit", "Not approved", "Option A not approved",
                "Rej.", "Failed", "Rejected, will approve A", "Rejected - to approve B next round"]
APPROVED = ["Approved", "Approved with comments", "Approved w/ comments", "Approved - option C", "Approved by Buyer",
            "Approved by: Ravi", "OK", "ok", "accepted", "B approved", "A/C rejected, B approved",
            "B approved, A/C rejected", "Rejected A & C; B approved", "A rejected - option B approved",
            "fit approved 3/1", "Option C (LD-7633C) approved: cleaner in bulk, Delta E CMC <= 0.8",
            "Reject B, approve A", "Pass", "passed"]


@pytest.mark.parametrize("typed", NO_DECISION_YET)
def test_a_decision_still_to_come_is_no_approval(typed):
    """'To be approved', 'Not yet approved', 'approval pending': the word 'approved' in them made the colour
    approved, and the T&A rebuild wrote its approval Actual."""
    assert labdips.decision_kind(typed) is None


@pytest.mark.parametrize("typed", NOT_APPROVED)
def test_a_rejection_is_not_read_as_an_approval(typed):
    """'Rejected - B approved for bulk? no': the question 'B approved?' approved the colour."""
    assert labdips.decision_kind(typed) == "rejected"


@pytest.mark.parametrize("typed", APPROVED)
def test_an_approval_as_trackers_write_it_stays_an_approval(typed):
    """Every approval the tests and the demo write, and 'Pass' (as 'passed'), 'Reject B, approve A' (A taken)."""
    assert labdips.decision_kind(typed) == "approved"


def test_a_colour_not_yet_approved_gets_no_approval_actual_on_the_ta(tracker):
    """Heather Grey 'To be approved', Butter Yellow 'Not yet approved', KT-1012 Dusty Rose 'Rejected - B
    approved for bulk? no': the refresh wrote their lab-dip approval Actual (LDA) into the T&A, and nothing
    chased them any more."""
    add_dips(tracker, dip("SS27-KT-1013", "Heather Grey", 1, D(2026, 11, 30), D(2026, 12, 3), "To be approved"),
             dip("SS27-KT-1013", "Butter Yellow", 1, D(2026, 11, 20), D(2026, 11, 24), "Not yet approved"),
             dip("SS27-KT-1012", "Dusty Rose", 1, D(2026, 11, 20), D(2026, 11, 24),
                 "Rejected - B approved for bulk? no", D(2026, 11, 26)))
    colours = (("SS27-KT-1013", "Heather Grey"), ("SS27-KT-1013", "Butter Yellow"), ("SS27-KT-1012", "Dusty Rose"))
    blank = {c: ta_actuals(tracker, *c, "LDA").count(None) for c in colours}
    assert all(blank.values()), f"the demo T&A has no blank LDA Actual for some of them: {blank}"
    run(tracker, ["ta", "validate"], ctx())
    assert {c: ta_actuals(tracker, *c, "LDA").count(None) for c in colours} == blank


# -- H2: a T&A approval Actual the Lab Dips sheet contradicts -----------------------------------------------

def test_a_ta_approval_the_lab_dips_sheet_contradicts_is_named_and_bulk_is_not_cleared(tracker, tmp_path):
    """Coral: round 1 Resubmit, round 2 at the mill, but the T&A has a lab-dip approval Actual. The Actual
    counted as the approval: no word about the disagreement, no late dip, and no bulk-fabric error once bulk
    fabric was due, ever."""
    (_, row2) = add_dips(tracker, dip(*CORAL, 1, D(2026, 11, 1), D(2026, 11, 4), "Resubmit", D(2026, 11, 6)),
                         dip(*CORAL, 2, D(2026, 11, 10), None, None))
    assert any(ta_actuals(tracker, *CORAL, "LDA")), "the demo's Coral LDA Actual is gone"
    later = Path(shutil.copy(tracker, tmp_path / "later.xlsx"))
    found = run(tracker, ["validate"], ctx()).findings
    said = assert_finding(found, Code.LAB_DIP_LATE, sheet="Lab Dips", row=row2, column="Decision")
    assert said.severity == Severity.WARNING
    assert "has an Actual" in said.message and "at the mill" in said.message and "round 2" in said.message
    assert not about(found, *CORAL, Code.LAB_DIP_BULK)  # bulk fabric not due before 29-Dec-26
    found = run(later, ["validate"], ctx(date(2027, 1, 28))).findings
    bulk = about(found, *CORAL, Code.LAB_DIP_BULK)
    assert {f.key.split(" / ")[0] for f in bulk} == {"4500012603", "4500013134"}
    assert all(f.severity == Severity.ERROR and "no approved lab dip" in f.message for f in bulk)


# -- M2: a cancelled colour still on a PO line --------------------------------------------------------------

def test_a_cancelled_colour_still_on_a_po_line_is_said_before_bulk_fabric_is_due(tracker):
    """Coral cancelled on the Lab Dips sheet, its PO lines still open: said only once bulk fabric was due
    (29-Dec-26), three weeks after the mill could have stopped."""
    add_dips(tracker, dip(*CORAL, 1, D(2026, 11, 1), D(2026, 11, 4), "Cancelled - colour dropped by buyer",
                          D(2026, 11, 6)))
    found = run(tracker, ["validate"], ctx()).findings
    bulk = about(found, *CORAL, Code.LAB_DIP_BULK)
    assert {f.key.split(" / ")[0] for f in bulk} == {"4500012603", "4500013134"}
    assert all("was cancelled" in f.message and "is due" in f.message for f in bulk)


# -- M3: a later round rejected after an approval -----------------------------------------------------------

def test_a_round_rejected_after_the_colour_was_approved_is_said_and_the_latest_decision_wins(tracker):
    """KT-1002 Navy approved in round 1 (17-Aug-26), its round 2 rejected: nothing said, the colour stayed
    Approved for bulk."""
    (row,) = add_dips(tracker, dip("SS27-KT-1002", "Navy", 2, D(2026, 11, 20), D(2026, 11, 24), "Rejected",
                                   D(2026, 11, 26)))
    found = run(tracker, ["validate"], ctx()).findings
    said = assert_finding(found, Code.LAB_DIP_ROUNDS, sheet="Lab Dips", row=row, column="Decision")
    assert "approved in round 1" in said.message and "latest decision" in said.message
    wb = openpyxl.load_workbook(tracker, read_only=True)
    rows = list(wb["Lab Dips"].iter_rows(values_only=True))
    dips = labdips.dip_status(_frame(rows), DAY)
    assert dips.loc[(dips["style"] == "SS27-KT-1002") & (dips["color"] == "Navy"), "state"].tolist() == ["Resubmit"]


def _frame(rows: list[tuple[Any, ...]]) -> Any:
    import pandas as pd

    names = {"Style #": "style", "Color": "color", "Fabric": "fabric", "Mill": "mill", "Round": "round",
             "Option": "option", "Submitted": "submitted", "Received": "received", "Decision": "decision",
             "Decision Date": "decision_date", "Comments": "comments"}
    frame = pd.DataFrame([list(r) for r in rows[1:]], columns=[names[h] for h in rows[0]])
    frame["_row"] = range(2, 2 + len(frame))
    return frame


def test_a_re_dip_still_with_the_buyer_leaves_the_approval_standing():
    """Round 1 approved, round 2 received and undecided: the approval stands (round_findings asks for the
    decision); only a rejection revokes it."""
    frame = _frame([("Style #", "Color", "Round", "Submitted", "Received", "Decision", "Decision Date"),
                    ("S1", "Navy", 1, date(2027, 1, 5), date(2027, 1, 9), "Approved", date(2027, 1, 10)),
                    ("S1", "Navy", 2, date(2027, 2, 5), date(2027, 2, 9), None, None),
                    ("S1", "Black", 1, date(2027, 1, 5), date(2027, 1, 9), "Approved", date(2027, 1, 10)),
                    ("S1", "Black", 2, date(2027, 2, 5), date(2027, 2, 9), "Rejected", date(2027, 2, 10)),
                    ("S1", "Black", 3, date(2027, 2, 15), date(2027, 2, 19), "B approved", date(2027, 2, 20)),
                    ("S1", "Sage", 1, date(2027, 1, 5), date(2027, 1, 9), "Approved", date(2027, 1, 10)),
                    ("S1", "Sage", 2, date(2027, 2, 5), date(2027, 2, 9), "Approved - round 1 standard",
                     date(2027, 2, 10))])
    got = labdips.dip_status(frame, date(2027, 3, 1)).set_index("color")["state"].to_dict()
    assert got == {"Navy": "Approved", "Black": "Approved", "Sage": "Approved"}  # Sage: as the warning advises


# -- M4: dips at the mill long past their arrival -----------------------------------------------------------

def test_dips_at_the_mill_long_past_their_arrival_are_chased(tracker):
    """Heather Grey submitted 20-Nov-26, nothing received by 7-Dec (transit 4 days): silent until the T&A
    approval date (15-Dec-26) passed."""
    (row,) = add_dips(tracker, dip("SS27-KT-1013", "Heather Grey", 1, D(2026, 11, 20), None, None))
    found = run(tracker, ["validate"], ctx()).findings
    said = assert_finding(found, Code.LAB_DIP_LATE, sheet="Lab Dips", row=row, column="Received")
    assert "24-Nov-26" in said.message and "courier tracking" in said.message


# -- Low: an approval without its date ----------------------------------------------------------------------

def test_an_approval_without_its_date_says_which_date_stands_in(tracker):
    """Approved, no Decision Date: prodbook took Received as the approval date without saying so."""
    (row,) = add_dips(tracker, dip("SS27-KT-1013", "Heather Grey", 1, D(2026, 11, 20), D(2026, 11, 24),
                                   "Approved"))
    found = run(tracker, ["validate"], ctx()).findings
    said = assert_finding(found, Code.LAB_DIP_DATES, sheet="Lab Dips", row=row, column="Decision Date")
    assert "Received date (24-Nov-26)" in said.message


# -- helper-176's audit: M1, M3 -------------------------------------------------------------------------------

def test_an_approval_after_a_rejection_dates_the_colour_from_the_new_approval():
    """Approved 15-Jan, rejected 08-Feb, approved again 20-Apr: approved since 20-Apr, not the revoked 15-Jan
    (the T&A approval Actual and the bulk fabric check read this date)."""
    frame = _frame([("Style #", "Color", "Round", "Option", "Submitted", "Received", "Decision", "Decision Date"),
                    ("S1", "Navy", 1, "A", date(2026, 1, 5), date(2026, 1, 10), "Approved", date(2026, 1, 15)),
                    ("S1", "Navy", 2, "A", date(2026, 2, 1), date(2026, 2, 5), "Rejected", date(2026, 2, 8)),
                    ("S1", "Navy", 3, "A", date(2026, 3, 1), date(2026, 3, 5), "Approved", date(2026, 4, 20)),
                    ("S1", "Sage", 1, "A", date(2026, 1, 5), date(2026, 1, 10), "Approved", date(2026, 1, 15)),
                    ("S1", "Sage", 2, "A", date(2026, 2, 1), date(2026, 2, 5), "Approved", date(2026, 2, 8))])
    status = labdips.dip_status(frame, date(2026, 6, 1))
    assert labdips.approved_dates(status) == {("S1", "NAVY"): date(2026, 4, 20), ("S1", "SAGE"): date(2026, 1, 15)}


def test_rows_without_a_round_typed_out_of_date_order_follow_their_decision_dates():
    """Round and Option blank, the approval (10-Feb) typed above the older rejection (15-Jan): the approval is
    the latest decision and stands; typed in date order, the rejection after the approval still revokes it."""
    head = ("Style #", "Color", "Round", "Option", "Submitted", "Received", "Decision", "Decision Date")
    frame = _frame([head,
                    ("S1", "Navy", None, None, date(2026, 2, 1), date(2026, 2, 5), "Approved", date(2026, 2, 10)),
                    ("S1", "Navy", None, None, date(2026, 1, 5), date(2026, 1, 10), "Rejected", date(2026, 1, 15)),
                    ("S1", "Sage", None, None, date(2026, 1, 5), date(2026, 1, 10), "Approved", date(2026, 1, 15)),
                    ("S1", "Sage", None, None, date(2026, 2, 1), date(2026, 2, 5), "Rejected", date(2026, 2, 10))])
    status = labdips.dip_status(frame, date(2026, 6, 1)).set_index("color")
    assert status["state"].to_dict() == {"Navy": "Approved", "Sage": "Resubmit"}
    assert labdips.approved_dates(status.reset_index()) == {("S1", "NAVY"): date(2026, 2, 10)}
