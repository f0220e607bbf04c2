"""Samples as an APM reads them, the cases of the development audit (helper-167: H3, M5, M6, M8 and the low one),
all on one copy of the demo tracker with rows typed on its Samples sheet, run through the T&A rebuild and the
record checks as `prodbook refresh` runs them."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from prodbook.core.findings import Code, Finding, Severity
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run

DEMO = Path(__file__).resolve().parents[1] / "workbooks" / "demo-tracker.xlsx"
TODAY = date(2026, 12, 7)
D = datetime
ROWS = {  # Samples row -> the row typed there (the demo's last row is 36)
    37: ["SS27-KT-1009", "PP", "Pre-production approval", "Black", "S", 2, D(2026, 11, 4), D(2026, 11, 30),
         "10/15/2026", "DHL", "4455667788", None, "Shipped", None],               # shipped before requested
    38: ["SS27-KT-1009", "Fit", "Fit approval", "Sage", "S", 2, D(2026, 11, 20), D(2026, 12, 1), D(2026, 11, 25),
         "DHL", "4455667711", D(2026, 10, 2), "Received", None],                  # received before requested
    39: ["SS27-KT-1002", "PP", "Pre-production approval", "Optic White", "M", 2, D(2026, 11, 1), D(2026, 11, 17),
         D(2026, 11, 21), "DHL", "1234567890", D(2026, 11, 25), "Received", "buyer comments pending"],
    40: ["SS27-WB-1007", "PP Sample", "Pre-production approval", "Navy", "32", 2, D(2026, 10, 1), D(2026, 10, 20),
         D(2026, 10, 22), "UPS", "1Z999AA10123456784", D(2026, 10, 28), "Rejected", "resubmit PP"],
    41: ["SS27-WB-1008", "Proto", "Line review", "Ivory", "32", 3, D(2026, 12, 1), D(2027, 1, 5), None, None, None,
         None, "Requested", None],                                                # due after the line review
    42: ["SS27-KT-1013", "Size set", "Grading check", "Sage", "S", 3, D(2026, 10, 1), D(2026, 10, 20),
         D(2026, 10, 20), "DHL", None, None, "Shipped", None],                    # no tracking, 48 days ago
    43: ["SS27-WB-1007", "PP", "Pre-production approval", "Olive", "32", 2, D(2026, 10, 1), D(2026, 10, 20),
         D(2026, 10, 22), "UPS", "1Z999AA10123456785", D(2026, 10, 28), "Rejected", "resubmit PP"],
    44: ["SS27-WB-1007", "PP", "Pre-production approval", "Olive", "32", 2, D(2026, 11, 1), D(2026, 11, 10),
         D(2026, 11, 8), "UPS", "1Z999AA10123456786", D(2026, 11, 12), "Approved", "the resubmission"],
    45: ["SS27-KT-1009", "Fit", "Fit approval", "Sage", "S", 3, D(2026, 11, 20), D(2026, 12, 10), D(2026, 12, 2),
         "DHL", "4455667722", None, "Resubmitted", None],                         # the resubmission, on its way
}


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Finding]]:
    book = tmp_path_factory.mktemp("samples") / "tracker.xlsx"
    shutil.copy(DEMO, book)
    wb = openpyxl.load_workbook(book)
    ws = wb["Samples"]
    for r, values in ROWS.items():
        for c, v in enumerate(values, start=1):
            ws.cell(r, c, v)
    table = ws.tables["tblSamples"]
    table.ref = f"A1:N{max(ROWS)}"
    styles = wb["Styles"]
    row = next(c.row for c in styles["A"] if c.value == "SS27-WB-1008")
    styles.cell(row, 17, "In Development")
    wb.save(book)
    found = run(book, ["ta", "validate"], Context(today=TODAY, now=datetime(2026, 12, 7, 9, 0))).findings
    return book, found


def at(found: list[Finding], row: int, sheet: str = "Samples") -> list[Finding]:
    return [f for f in found if f.sheet == sheet and f.row == row]


def ta_actual(book: Path, po: str, color: str, code: str) -> object:
    ws = openpyxl.load_workbook(book)["T&A"]
    head = [c.value for c in ws[1]]
    for r in ws.iter_rows(min_row=2, values_only=True):
        if str(r[head.index("PO #")]) == po and r[head.index("Color")] == color and r[head.index("Code")] == code:
            return r[head.index("Actual")]
    raise AssertionError(f"no {code} line for {po} {color}")


def test_a_shipped_date_before_the_request_is_named_and_kept_out_of_the_ta(refreshed):
    """'10/15/2026' typed for a PP sample requested 04-Nov: only the courier was chased, and the T&A's PP sample
    submit took 15-Oct as done."""
    book, found = refreshed
    hit = [f for f in at(found, 37) if "before Requested" in f.message]
    assert len(hit) == 1, [f.text() for f in at(found, 37)]
    f = hit[0]
    assert (f.severity, f.column, f.value) == (Severity.WARNING, "Shipped", date(2026, 10, 15))
    assert "Shipped is before Requested (04-Nov-26)" in f.message and "check the date" in f.message
    assert ta_actual(book, "4500013358", "Black", "PPS") is None
    assert not [f for f in at(found, 37) if "not received" in f.message]  # no courier chase on that date


def test_a_received_date_before_the_request_is_named(refreshed):
    _, found = refreshed
    hit = [f for f in at(found, 38) if "before Requested" in f.message]
    assert [(f.column, f.value) for f in hit] == [("Received", date(2026, 10, 2))], [f.text() for f in at(found, 38)]
    assert "Received is before Requested (20-Nov-26)" in hit[0].message


def test_a_pp_sample_not_approved_with_cutting_due_warns_not_to_cut(refreshed):
    """PO 4500013265 Optic White: PP approval open in the T&A, cutting planned 02-Dec, the PP sample with the
    buyer since 25-Nov, Status 'Received'."""
    _, found = refreshed
    hit = [f for f in at(found, 39) if "do not cut before approval" in f.message]
    assert len(hit) == 1, [f.text() for f in at(found, 39)]
    assert hit[0].severity is Severity.WARNING
    assert "PP not approved, cutting due 02-Dec-26" in hit[0].message


def test_a_rejected_sample_asks_for_a_resubmission(refreshed):
    """The demo's own Rejected fit (row 10) and a Rejected PP: settled as if received, nothing asked."""
    _, found = refreshed
    for row in (10, 40):
        hit = [f for f in at(found, row) if "ask the vendor for a resubmission" in f.message]
        assert len(hit) == 1, (row, [f.text() for f in at(found, row)])
        assert hit[0].severity is Severity.WARNING and "rejected" in hit[0].message.lower()
        assert hit[0].column == "Status"
    assert [f.key for f in at(found, 40) if "ask the vendor for a resubmission" in f.message] == [
        "SS27-WB-1007 / PP Sample / Navy / 32 / Pre-production approval"]


def test_a_ta_pp_approval_against_a_rejected_pp_sample_is_a_conflict(refreshed):
    _, found = refreshed
    hit = [f for f in at(found, 40) if "PP sample approval" in f.message]
    assert len(hit) == 1, [f.text() for f in at(found, 40)]
    assert "20-Nov-26" in hit[0].message and "4500012756" in hit[0].message


def test_a_rejected_sample_with_its_resubmission_on_a_later_row_asks_nothing(refreshed):
    _, found = refreshed
    assert not [f for f in at(found, 43) if "resubmi" in f.message or "PP sample approval" in f.message]


def test_a_proto_due_after_the_line_review_says_so(refreshed):
    _, found = refreshed
    styles = openpyxl.load_workbook(refreshed[0])["Styles"]
    row = next(c.row for c in styles["A"] if c.value == "SS27-WB-1008")
    hit = [f for f in at(found, row, "Styles") if f.code is Code.LINE_REVIEW]
    assert len(hit) == 1, [f.text() for f in at(found, row, "Styles")]
    assert hit[0].message.startswith("line review on 22-Dec-26 (in 15 day(s)): the proto has not shipped and is "
                                      "due 05-Jan-27, after the line review; it must be brought forward")


def test_a_sample_shipped_long_ago_without_tracking_says_how_long(refreshed):
    _, found = refreshed
    hit = [f for f in at(found, 42) if "tracking number" in f.message]
    assert len(hit) == 1, [f.text() for f in at(found, 42)]
    assert "shipped 20-Oct-26 (48 days ago) without a tracking number" in hit[0].message


def test_a_resubmitted_sample_is_not_a_rejection(refreshed):
    """'Resubmitted' is the vendor's new sample on its way (helper-176's audit, L1): it was read as 'Resubmit',
    a rejection, and asked for yet another resubmission."""
    _, found = refreshed
    assert not [f for f in at(found, 45) if "resubmission" in f.message or "rejected" in f.message], [
        f.text() for f in at(found, 45)]
