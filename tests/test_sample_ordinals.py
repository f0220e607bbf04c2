"""A third (fourth...) fit sample written '3rd Fit', 'Fit-3', 'Third Fit', 'Fit Sample #3' was read as the FIRST fit:
with no Due it was chased against the first fit's date, weeks before it was due; its Shipped date went nowhere
(the 3rd fit milestone stayed open) and, while it was chased, the first fit's overdue milestone left the
vendor's follow-up e-mail. A lab dip round written 'Round three' or 'Sixth' was no number at all.

Real tracker workbooks, written, run and read back.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from conftest import sheet_values, write_book
from prodbook.core.cells import in_unit
from prodbook.core.development.samples import SampleSettings, code_of, sample_kind, type_codes
from prodbook.core.findings import Code
from prodbook.jobs.runner import run
from test_development import DIPS, SAMPLES, ctx, sheets

FITS = [["Knit", "FSS", "Fit sample submit", "Vendor", "PO Date", 7, "Working", "No", "Development"],
        ["Knit", "FS2", "2nd fit sample submit", "Vendor", "FSS", 15, "Working", "No", "Development"],
        ["Knit", "FS3", "3rd fit sample submit", "Vendor", "FS2", 30, "Working", "No", "Development"]]
"""The fit milestones of S1 Navy (PO 4500000001, PO date 4 Jan 2027): 13 Jan, 3 Feb, mid-March."""
THIRD_FITS = ["3rd Fit", "Fit 3", "Fit-3", "Third Fit", "Fit Sample #3", "3rd fit sample", "Fit3", "Fit (3rd)"]


@pytest.mark.parametrize(("written", "kind"), [
    *[(w, "fit 3") for w in THIRD_FITS],
    ("4th Fit", "fit 4"), ("Fourth fit", "fit 4"), ("Fit #4", "fit 4"), ("Fit 10", "fit 10"), ("10th Fit", "fit 10"),
    # as before: the first and second fits, pieces counted, and a TOP sample whatever its number
    ("Fit", "fit"), ("1st Fit", "fit"), ("First fit", "fit"), ("Fit #1", "fit"), ("Fit sample - 3 pcs", "fit"),
    ("Fit 3 pcs", "fit"), ("2nd Fit", "fit 2"), ("Fit-2", "fit 2"), ("Fit Sample #2", "fit 2"),
    ("Second fit sample", "fit 2"), ("TOP 2", "top"), ("TOP", "top")])
def test_each_fit_is_read_by_its_number(written, kind):
    assert sample_kind(written) == kind


def fit_book(tmp_path: Path, samples: list[list[Any]], config: list[list[Any]] | None = None) -> Path:
    s = sheets()
    s["T&A Templates"] += FITS
    s["Samples"] = [SAMPLES, *samples]
    if config:
        s["Config"] = [["Setting", "Value"], *config]
    return write_book(tmp_path / "fits.xlsx", s)


def ta_cell(path: Path, po: str, code: str, header: str) -> Any:
    rows = sheet_values(path, "T&A")
    row = next(r for r in rows[1:] if r[0] == po and r[4] == code)
    value = row[rows[0].index(header)]
    return value.date() if hasattr(value, "date") else value


@pytest.mark.parametrize("written", THIRD_FITS)
def test_a_third_fit_is_due_on_its_own_milestone_not_late_against_the_first(tmp_path, written):
    """Requested, no Due, not shipped on 1 Mar: its milestone is in mid-March, so it is not late; read as
    the first fit it was '... due 13-Jan-27 and has not shipped (47 day(s) late); chase the vendor'."""
    path = fit_book(tmp_path, [
        ["S1", "1st Fit", "Fit approval", "Navy", "M", 2, date(2027, 1, 5), None, date(2027, 1, 12), "DHL",
         "111", date(2027, 1, 15), "Received", None],
        ["S1", written, "Fit approval", "Navy", "M", 2, date(2027, 2, 20), None, None, None, None, None,
         "Requested", None]])
    found = run(path, ["ta", "validate"], ctx()).findings
    third = ta_cell(path, "4500000001", "FS3", "Planned")
    assert third > date(2027, 3, 1)
    assert not [f.text() for f in found if f.sheet == "Samples" and f.row == 3]


@pytest.mark.parametrize("written", ["3rd Fit", "Third Fit", "Fit Sample #3"])
def test_a_third_fits_shipped_date_fills_the_third_fit_milestone_not_the_first(tmp_path, written):
    """The first fit was cancelled (the buyer went straight to the 2nd); the 3rd fit shipped 25 Feb: its date went
    into the first fit's Actual (a first fit 'done' six weeks late) and the 3rd fit milestone stayed open."""
    path = fit_book(tmp_path, [
        ["S1", "1st Fit", "Fit approval", "Navy", "M", 2, date(2027, 1, 5), None, None, None, None, None,
         "Cancelled", "buyer skipped it"],
        ["S1", written, "Fit approval", "Navy", "M", 2, date(2027, 2, 20), None, date(2027, 2, 25), "DHL", "333",
         None, "Shipped", None]])
    run(path, ["ta"], ctx())
    assert ta_cell(path, "4500000001", "FSS", "Actual") is None
    assert ta_cell(path, "4500000001", "FS3", "Actual") == date(2027, 2, 25)


def test_a_third_fit_chased_leaves_the_first_fits_overdue_milestone_in_the_vendors_e_mail(tmp_path):
    """S1's 3rd fit is due 5 Mar (chased as a sample); the first fit's milestone (13 Jan) is still open. Read as
    the first fit, the 3rd fit stood for that milestone and the vendor was never asked about it."""
    path = fit_book(tmp_path, [
        ["S1", "Fit-3", "Fit approval", "Navy", "M", 2, date(2027, 2, 20), date(2027, 3, 5), None, None, None, None,
         "Requested", None]])
    run(path, ["ta"], ctx())
    run(path, ["followups"], ctx())
    items = {r[2] for r in sheet_values(path, "Follow-ups")[1:] if r[0] == "BD1" and "fit" in str(r[2]).lower()}
    assert items == {"Fit-3 sample", "Fit sample submit", "2nd fit sample submit"}


def test_a_third_fit_named_in_the_settings_is_found_however_it_is_typed():
    """'Sample Milestones' = '3rd Fit=F3X': a sample typed 'Fit 3' or 'Third fit' takes F3X too."""
    codes = {"3rd fit": "F3X", "fit": "FSS"}
    got = type_codes(pd.DataFrame({"code": [], "milestone": []}), SampleSettings(milestones=codes))
    assert [code_of(t, got) for t in ("Fit 3", "Third fit", "3rd Fit", "Fit", "2nd Fit")] == \
        ["F3X", "F3X", "F3X", "FSS", None]


@pytest.mark.parametrize(("typed", "number"), [
    ("Round three", "3"), ("Round One", "1"), ("Sixth", "6"), ("Tenth submit", "10"), ("Submit four", "4"),
    # already read: kept
    ("Third", "3"), ("3rd", "3"), ("Round 10", "10"), ("R 3", "3"), ("R2", "2"), ("Submit #2", "2"),
    ("Second", "2"), ("2nd", "2")])
def test_a_lab_dip_round_written_in_words_is_its_number(typed, number):
    assert in_unit(typed, "round") == number


def test_a_lab_dip_round_in_words_on_the_sheet_is_that_round(tmp_path):
    """'Round three' typed on the Lab Dips sheet was 'not a number' and taken as the round after the row above."""
    s = sheets()
    s["Lab Dips"] = [DIPS,
                     ["S1", "Navy", "Jersey", "Mill A", "Round One", date(2027, 1, 8), date(2027, 1, 12), "Rejected",
                      date(2027, 1, 15), "too red"],
                     ["S1", "Navy", "Jersey", "Mill A", "Round three", date(2027, 2, 10), date(2027, 2, 14), None,
                      None, "under review"]]
    path = write_book(tmp_path / "dips.xlsx", s)
    found = run(path, ["ta", "validate"], ctx()).findings
    assert not [f.text() for f in found if f.sheet == "Lab Dips" and f.column == "Round"]
    late = [f for f in found if f.code is Code.LAB_DIP_LATE and f.row == 3]
    assert late and "round 3," in late[0].message, [f.text() for f in found if f.sheet == "Lab Dips"]
