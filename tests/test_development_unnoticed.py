"""Development rows and files that used to go unnoticed: a Lab Dips or Samples row whose style or colour the
tracker does not know, a vendor e-mail given to validate, an adopted style set back to Development, and
HTS / fiber content cells whose problem was not named."""

from __future__ import annotations

from datetime import date
from email.message import EmailMessage
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest

from conftest import assert_finding, write_book
from prodbook.core.development import fiber, tariff
from prodbook.core.findings import Code
from prodbook.jobs.runner import run
from test_development import DIPS, SAMPLES, ctx, sheets, type_in


def keys_book(tmp_path: Path) -> Path:
    s = sheets()
    s["Styles"][1][5] = "Navy, Heather Grey"  # S1's colours
    s["Lab Dips"] = [DIPS,
                     ["S1", "Navy", "Jersey", "Mill A", 1, date(2027, 1, 8), date(2027, 1, 12), "Approved",
                      date(2027, 1, 15), None],
                     ["s1 ", " NAVY", "Jersey", "Mill A", 2, date(2027, 1, 8), date(2027, 1, 12), None, None,
                      "case and spaces: the same colour"],
                     ["S1", "Heather Gray", "Jersey", "Mill A", 1, date(2027, 1, 8), date(2027, 1, 12),
                      "Approved", date(2027, 1, 15), None],
                     ["SS2", "Black", "Twill", "Mill B", 1, date(2027, 1, 15), date(2027, 1, 18), "Approved",
                      date(2027, 1, 20), None]]
    s["Samples"] = [SAMPLES,
                    ["S2", "Proto", "Fit", "Blak", "M", 2, date(2027, 1, 4), date(2027, 2, 1), date(2027, 1, 30),
                     "DHL", "1234567890", date(2027, 2, 3), "Received", None],
                    ["S2", "Proto", "Fit", "black", "M", 2, date(2027, 1, 4), date(2027, 2, 1),
                     date(2027, 1, 30), "DHL", "1234567890", date(2027, 2, 3), "Received", None]]
    return write_book(tmp_path / "keys.xlsx", s)


def test_a_lab_dip_or_sample_of_an_unknown_style_or_colour_is_named_with_the_nearest_known_value(tmp_path):
    path = keys_book(tmp_path)
    found = run(path, ["validate"], ctx()).findings
    gray = assert_finding(found, Code.COLOR_UNKNOWN, sheet="Lab Dips", row=4, column="Color")
    assert "'Heather Gray'" in gray.message and "did you mean Heather Grey?" in gray.message
    assert gray.value == "Heather Gray"
    style = assert_finding(found, Code.STYLE_UNKNOWN, sheet="Lab Dips", row=5, column="Style #")
    assert "'SS2'" in style.message and "did you mean S2?" in style.message
    blak = assert_finding(found, Code.COLOR_UNKNOWN, sheet="Samples", row=2, column="Color")
    assert "did you mean Black?" in blak.message  # S2's colour from Styles and Orders
    unknown = {(f.sheet, f.row) for f in found if f.code in (Code.COLOR_UNKNOWN, Code.STYLE_UNKNOWN)}
    assert unknown == {("Lab Dips", 4), ("Lab Dips", 5), ("Samples", 2)}  # case and outer spaces match
    issues = openpyxl.load_workbook(path)["Issues"]
    assert any("did you mean Heather Grey?" in str(c.value) for row in issues.iter_rows() for c in row)


def vendor_mail(tmp_path: Path, attachment: bytes | None = None) -> Path:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "merch@vendor.example.com", "apm@example.com", "S1 details"
    msg["Date"] = "Mon, 22 Feb 2027 09:00:00 +0000"
    msg.set_content("Please note for S1: Composition 100% Cotton, Made in Vietnam, FOB USD 13.50.")
    if attachment is not None:
        msg.add_attachment(attachment, maintype="application",
                           subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename="S1 costing.xlsx")
    path = tmp_path / "vendor mail.eml"
    path.write_bytes(bytes(msg))
    return path


def test_a_vendor_mail_without_a_style_sheet_is_named_as_not_compared(tmp_path):
    path = keys_book(tmp_path)
    mail = vendor_mail(tmp_path)
    found = run(path, ["validate"], ctx(files=(mail,))).findings
    hits = [f for f in found if f.file == mail.name]
    assert len(hits) == 1 and "no style table found, not compared" in hits[0].message


def test_a_costing_sheet_attached_to_a_vendor_mail_is_compared(tmp_path):
    path = keys_book(tmp_path)
    wb = openpyxl.Workbook()
    wb.active.append(["Style #", "FOB (USD)", "COO"])
    wb.active.append(["S1", 6.25, "Vietnam"])
    data = BytesIO()
    wb.save(data)
    mail = vendor_mail(tmp_path, data.getvalue())
    found = run(path, ["validate"], ctx(files=(mail,))).findings
    fob = [f for f in found if f.code is Code.DIFF_FOB and f.row == 2 and f.sheet == "Styles"]
    assert fob and "6.25" in fob[0].message and "S1 costing.xlsx" in fob[0].message
    assert fob[0].found_in == mail.name  # open until a run reads the message again
    assert not [f for f in found if "not compared" in f.message]


def test_a_vendor_mail_with_a_wip_report_is_left_to_the_wip_import(tmp_path):
    path = keys_book(tmp_path)
    wb = openpyxl.Workbook()
    wb.active.append(["PO #", "Style #", "Color", "Order Qty", "Cut Qty", "Sewn Qty", "Packed Qty"])
    wb.active.append(["4500000001", "S1", "Navy", 1200, 600, 300, 0])
    data = BytesIO()
    wb.save(data)
    mail = vendor_mail(tmp_path, data.getvalue())
    found = run(path, ["validate"], ctx(files=(mail,))).findings
    assert not [f for f in found if "not compared" in f.message]


# -- low: HTS and fiber content said plainly -----------------------------------------------------------

@pytest.mark.parametrize("typed, says", [
    ("HTS 6110.20.2079", "starts with 'HTS'"),
    ("HTS: 6110202079", "starts with 'HTS'"),
    ("6110202079.0", "'.0'"),
])
def test_an_hts_code_with_a_prefix_or_stored_as_a_number_says_what_to_type(typed, says):
    hts, problem = tariff.parse_hts(typed)
    assert hts is None and problem is not None
    assert says in problem and "6110.20.2079" in problem and "10-digit" not in problem.split(";")[0]


@pytest.mark.parametrize("typed", ["60% Cotton 40% Polyester (+/-5%)", "60% Cotton 40% Polyester +/- 5%",
                                   "60% Cotton 40% Polyester (±5%)", "60% Cotton, 40% Polyester (tolerance 3%)"])
def test_a_tolerance_note_is_not_read_as_a_fiber(typed):
    comp = fiber.read_fiber(typed)
    assert comp.ok and not comp.problems, comp.problems
    assert [(f.name, f.percent) for f in comp.shell.fibers] == [("Cotton", 60.0), ("Polyester", 40.0)]


# -- an adopted style set back to Development -----------------------------------------------------------

def test_an_adopted_style_with_open_po_lines_set_back_to_development_is_named_and_stays_locked(tmp_path):
    path = write_book(tmp_path / "lock.xlsx", sheets())
    run(path, ["validate"], ctx())  # S1 and S2 adopted: locked on the Style Snapshot
    type_in(path, "Styles", 2, "Status", "Development")
    type_in(path, "Styles", 2, "Fiber Content", "100% Polyester")
    found = run(path, ["validate"], ctx()).findings
    back = assert_finding(found, Code.STYLE_LOCK_SUSPENDED, sheet="Styles", row=2, column="Status")
    assert "style S1 has 1 open PO line" in back.message and "Status is now Development" in back.message
    changed = assert_finding(found, Code.ADOPTED_CHANGED, sheet="Styles", row=2, column="Fiber Content")
    assert "'60% Cotton 40% Polyester'" in changed.message  # still compared with the last snapshot
    assert not [f for f in found if f.code is Code.STYLE_LOCK_SUSPENDED and f.row != 2]


def test_a_style_set_back_to_development_without_open_po_lines_is_not_named(tmp_path):
    s = sheets()
    s["Orders"][1].append("Cancelled")
    s["Orders"][0].append("Line Status")
    s["Orders"][2].append(None)
    path = write_book(tmp_path / "lock.xlsx", s)
    run(path, ["validate"], ctx())
    type_in(path, "Styles", 2, "Status", "Development")
    found = run(path, ["validate"], ctx()).findings
    assert not [f for f in found if f.code is Code.STYLE_LOCK_SUSPENDED]
