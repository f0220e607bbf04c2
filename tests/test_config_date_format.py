"""A Config Date Format without the day of the month is refused with what to type: the letters (d or dd is the
day) and a format to copy, on a real tracker read from disk."""

from __future__ import annotations

from datetime import date, datetime

import openpyxl
import pytest

from conftest import base_sheets, write_book
from prodbook.core.findings import Code
from prodbook.core.looks import DEFAULT_DATE_FORMAT
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run


@pytest.mark.parametrize("typed, why", [
    ("mmm-yy", "has no day of the month"),
    ("dddd mmmm yyyy", "has no day of the month"),  # dddd is the weekday
    ("0.00", "is not a date format"),
])
def test_a_date_format_without_the_day_says_what_to_type(tmp_path, typed, why):
    sheets = base_sheets()
    sheets["Config"] = [["Setting", "Value"], ["Date Format", typed]]
    path = write_book(tmp_path / "tracker.xlsx", sheets)
    found = run(path, ["ta"], Context(today=date(2027, 2, 1), now=datetime(2027, 2, 1, 9, 0))).findings
    said = [f for f in found if f.code is Code.SETTING and f.sheet == "Config" and f.value == typed]
    assert len(said) == 1, [f.text() for f in found if f.code is Code.SETTING]
    message = said[0].message
    assert f"'{typed}' {why}" in message
    assert "d or dd is the day" in message and "e.g. dd-mmm-yy or dd/mm/yyyy" in message
    ws = openpyxl.load_workbook(path)["T&A"]
    planned = [c.value for c in ws[1]].index("Planned") + 1
    assert ws.cell(row=2, column=planned).number_format == DEFAULT_DATE_FORMAT  # the default applies
