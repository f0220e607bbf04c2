"""Text stays text in Excel too. Excel retypes text written into a cell as if the APM typed it: a PO written as
text '0045001' became the number 45001, a vendor's remark '1/2' a date, '50%' a half, 'TRUE' a truth value. The
file back end writes text as text; the add-in now writes such text behind an apostrophe, which Excel keeps as
the cell's prefix, not its text. The stand-in (tests/fakexl.py) retypes as Excel does with US settings."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fakexl import FakeBook, typed
from prodbook.workbook.xlbook import excel_value

AT_RISK = ["0045001", "4500012345", "1/2", "3/4/2027", "2027-03-15", "50%", "TRUE", "false", "1e5", "-5", "+1",
           "=1+2", "@home", "'90s", ".5", " 12 "]
"""Text Excel would retype (or, for the formula-like ones, take for a formula)."""
PLAIN = ["Navy", "SS27-KT-1006", "Navy 2", "d4", "Shipped in full", "PO#4500012345"]


@pytest.mark.parametrize("text", AT_RISK + PLAIN)
def test_text_written_through_excel_reads_back_as_the_same_text(text):
    assert typed(excel_value(text)) == text


def test_the_stand_in_retypes_as_excel_does():
    """Without the apostrophe, the stand-in changes the value, as Excel would: the case above proves something."""
    assert typed("0045001") == 45001 and typed("50%") == 0.5 and typed("TRUE") is True
    assert typed("3/4/2027") == datetime(2027, 3, 4) and typed("2027-03-15") == datetime(2027, 3, 15)
    assert typed("Navy 2") == "Navy 2"


@pytest.mark.parametrize("text", PLAIN)
def test_plain_text_goes_in_without_an_apostrophe(text):
    """No prefix where Excel would keep the text anyway: the formula bar shows what the APM expects."""
    assert excel_value(text) == text


@given(st.text(max_size=12))
def test_any_text_comes_back_as_itself(text):
    assert typed(excel_value(text)) == text


def test_a_vendor_remark_written_into_a_sheet_in_excel_stays_text():
    """Through the stand-in's Range.value, as the add-in writes a block of cells."""
    book = FakeBook()
    sheet = book.sheets.add("Vendor WIP")
    sheet.range((1, 1)).value = [[excel_value(v) for v in ("0045001", "1/2", "50%", "Navy")]]
    assert sheet.range((1, 1), (1, 4)).value == [["0045001", "1/2", "50%", "Navy"]]
