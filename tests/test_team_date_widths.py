"""Dates prodbook writes into a T&A sheet of the team's show as dates, not ###: a column at Excel's standard width
gets a width that fits them (as Excel widens it when a date is typed there); a width the team set stays."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, datetime

import openpyxl
import pytest

from conftest import HAS_SOFFICE, base_sheets, write_book
from prodbook.core.looks import date_text
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run

CTX = Context(today=date(2027, 3, 1), now=datetime(2027, 3, 1, 9))


def widths(path) -> dict[str, float]:
    ws = openpyxl.load_workbook(path)["T&A"]
    return {k: d.width for k, d in ws.column_dimensions.items() if d.customWidth}


def test_planned_and_forecast_get_a_width_that_shows_their_dates(tracker):
    assert widths(tracker) == {}  # the team's T&A: every column at the standard width
    run(tracker, ["ta"], CTX)
    got = widths(tracker)
    need = len(date_text(date(2027, 1, 11))) + 2
    assert got.get("H", 0) >= need and got.get("I", 0) >= need  # Planned, Forecast
    assert set(got) <= {"H", "I", "J"}  # date columns only: the team's text columns keep their layout


def test_a_width_the_team_set_stays_and_a_date_style_of_theirs_is_measured(tmp_path):
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    wb = openpyxl.load_workbook(path)
    ws = wb["T&A"]
    ws.column_dimensions["H"].width = 6  # theirs, narrow on purpose
    ws.append(["4500000001", "S1", "Navy", "BD1", "LD"] + [None] * 8)
    ws["I2"].number_format = "dddd, mmmm dd, yyyy"  # their long date style on Forecast
    for table in ws.tables.values():
        table.ref = "A1:M2"
    wb.save(path)
    run(path, ["ta"], CTX)
    got = widths(path)
    assert got["H"] == 6
    shown = openpyxl.load_workbook(path)["T&A"]["I2"]
    assert got["I"] >= len(date_text(shown.value, shown.number_format))  # 'Monday, January 11, 2027'


def test_a_sheet_with_its_own_default_width_is_left_as_it_is(tmp_path):
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    wb = openpyxl.load_workbook(path)
    wb["T&A"].sheet_format.defaultColWidth = 14
    wb.save(path)
    run(path, ["ta"], CTX)
    assert widths(path) == {}


@pytest.mark.libreoffice
@pytest.mark.skipif(not HAS_SOFFICE or shutil.which("pdftotext") is None, reason="LibreOffice or poppler missing")
def test_printed_by_libreoffice_the_tas_dates_show_not_hashes(tracker, tmp_path):
    run(tracker, ["ta"], CTX)
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), str(tracker)],
                   check=True, capture_output=True, timeout=180)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "pdf" / "tracker.pdf"), "-"], check=True,
                          capture_output=True, text=True).stdout
    milestones = [line for line in text.splitlines() if line.startswith("45") and ("Lab dip" in line or "Bulk" in line)]
    assert len(milestones) >= 4 and all("-27" in line for line in milestones)
    assert not [line for line in milestones if "###" in line]
