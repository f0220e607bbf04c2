"""Leftovers of the vendor-file audit of 2026-12-06, each a file written here (openpyxl, csv) and imported
through the job: a date given as its ISO week number ('wk 48', 'CW 48', 'W48/2026') was not read; a 'Commit
Date' column alone, and 'Commited XF' / 'Comitted XF' as vendors misspell it, were not read as Revised XF; a
header under 30 title and logo rows was not found, and the message blamed a PO column.
"""
from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from conftest import assert_finding
from prodbook.core.config import Config
from prodbook.core.findings import Code, Severity
from prodbook.core.wip.layout import HEADER_SEARCH_ROWS, find_header, no_header_found
from prodbook.jobs.runner import run
from prodbook.workbook.vendor_files import read_vendor_file
from test_wip import as_date, ctx, tracker_with_lines, wip_rows

HEADER = ["PO #", "Style #", "Color", "Order Qty", "Cut Qty", "Ex-Factory", "Revised XF", "Remarks"]
LINE = ["4500000001", "S1", "Heather Grey", 600, 300, date(2027, 4, 15)]


def a_book(path: Path, header: list, *rows: list, title_rows: int = 1, sheet: str = "WIP") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(["WIP as of 01-Mar-2027"])
    for i in range(title_rows - 1):
        ws.append([f"Factory notice line {i + 1}" if i % 3 == 0 else None])
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def by_file(book: Path, name: str) -> list[dict]:
    return [r for r in wip_rows(book) if r["Source File"] == name]


# --- 1. a week number for a date --------------------------------------------------------------------------

@pytest.mark.parametrize(("written", "day"), [
    ("wk 16", date(2027, 4, 25)), ("WK16", date(2027, 4, 25)), ("Week 16", date(2027, 4, 25)),
    ("CW 16", date(2027, 4, 25)), ("W16/2027", date(2027, 4, 25)), ("XF wk 16", date(2027, 4, 25)),
    ("wk 48", date(2026, 11, 29)),  # the week 48 nearest the report of 01-Mar-2027 is 2026's
    ("W48/2027", date(2027, 12, 5)),
])
def test_a_week_number_is_read_as_the_last_day_of_that_iso_week(tmp_path, written, day):
    """'wk 16' in Revised XF was 'not a date': the cell was left blank and the vendor's date lost."""
    book = tracker_with_lines(tmp_path)
    path = a_book(tmp_path / "dhaka 0301.xlsx", HEADER, [*LINE, written, ""])
    result = run(book, ["wip"], ctx(path))
    (row,) = by_file(book, "dhaka 0301.xlsx")
    assert as_date(row["Revised XF"]) == day
    note = assert_finding(result.findings, Code.BAD_DATE, file="dhaka 0301.xlsx", row=3, value=written)
    assert note.severity is Severity.WARNING and note.column == "Revised XF"
    assert f"{day:%d-%b-%y}" in note.message and "ask the vendor for the day" in note.message
    assert "sheet 'WIP'" in note.message and "ISO week" in note.message


def test_a_week_number_in_a_csv_planned_xf(tmp_path):
    book = tracker_with_lines(tmp_path)
    path = tmp_path / "dhaka 0301.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["WIP as of 01-Mar-2027"], HEADER,
                                  ["4500000001", "S1", "Heather Grey", 600, 300, "Week 15", "", ""]])
    result = run(book, ["wip"], ctx(path))
    (row,) = by_file(book, "dhaka 0301.csv")
    assert as_date(row["Planned XF"]) == date(2027, 4, 18)
    note = assert_finding(result.findings, Code.BAD_DATE, file="dhaka 0301.csv", row=3, value="Week 15")
    assert note.severity is Severity.WARNING and "18-Apr-27" in note.message


def test_a_week_of_a_year_far_off_is_refused_and_named(tmp_path):
    book = tracker_with_lines(tmp_path)
    path = a_book(tmp_path / "dhaka 0301.xlsx", HEADER, [*LINE, "W48/2020", ""])
    result = run(book, ["wip"], ctx(path))
    (row,) = by_file(book, "dhaka 0301.xlsx")
    assert row["Revised XF"] is None
    note = assert_finding(result.findings, Code.BAD_DATE, file="dhaka 0301.xlsx", row=3, value="W48/2020")
    assert "'W48/2020' is ISO week 48 of 2020: ending 29 November 2020, too far before" in note.message


@pytest.mark.parametrize("text", ["wk of 12-Jan", "w/c 12 Apr", "wk 54", "week 0", "2nd wk Jun", "48", "W48/26"])
def test_what_is_no_week_number(text):
    from prodbook.core.wip.values import week_number_day

    assert week_number_day(text, date(2027, 3, 1)) is None


# --- 2. 'Commit Date' and 'Commited XF' ------------------------------------------------------------------

@pytest.mark.parametrize("revised", ["Commit Date", "Commited XF", "Comitted XF", "Commited Ex-Fty"])
def test_a_commit_date_column_is_the_revised_xf(tmp_path, revised):
    book = tracker_with_lines(tmp_path)
    header = [revised if h == "Revised XF" else h for h in HEADER]
    path = a_book(tmp_path / "dhaka 0301.xlsx", header, [*LINE, date(2027, 4, 30), ""])
    run(book, ["wip"], ctx(path))
    (row,) = by_file(book, "dhaka 0301.xlsx")
    assert as_date(row["Revised XF"]) == date(2027, 4, 30)
    assert as_date(row["Planned XF"]) == date(2027, 4, 15)


def test_a_commit_date_beside_a_revised_xf_is_not_taken_for_it(tmp_path):
    book = tracker_with_lines(tmp_path)
    header = [*HEADER[:-1], "Commit Date", "Remarks"]
    path = a_book(tmp_path / "dhaka 0301.xlsx", header, [*LINE, date(2027, 4, 30), date(2027, 4, 2), ""])
    run(book, ["wip"], ctx(path))
    (row,) = by_file(book, "dhaka 0301.xlsx")
    assert as_date(row["Revised XF"]) == date(2027, 4, 30)


# --- 3. a header under many title rows -------------------------------------------------------------------

@pytest.mark.parametrize("title_rows", [30, 90])
def test_a_header_under_many_title_rows_is_found(tmp_path, title_rows):
    """30 rows of logo and notes over the header: 'no header row with a PO column', and nothing imported."""
    book = tracker_with_lines(tmp_path)
    path = a_book(tmp_path / "dhaka 0301.xlsx", HEADER, [*LINE, date(2027, 4, 30), "ok"], title_rows=title_rows)
    result = run(book, ["wip"], ctx(path))
    (row,) = by_file(book, "dhaka 0301.xlsx")
    assert as_date(row["Revised XF"]) == date(2027, 4, 30) and row["Cut Qty"] == 300
    assert not [f for f in result.findings if f.code is Code.COLUMN_MISSING]


def test_a_po_list_far_down_a_summary_is_no_header(tmp_path):
    """Below row 25 a header must name three WIP columns: a 'PO #' list under a summary is not a report."""
    rows = [["Summary"], *([None] for _ in range(40)), ["PO #", "Buyer"], ["4500000001", "Retailer"]]
    assert find_header(rows, {}) is None
    rows[41] = ["PO #", "Style #", "Color"]
    found = find_header(rows, {})
    assert found is not None and found.first_row == 41


def far_down(tmp_path: Path) -> Path:
    return a_book(tmp_path / "dhaka 0301.xlsx", HEADER, [*LINE, date(2027, 4, 30), "ok"],
                  title_rows=HEADER_SEARCH_ROWS + 5, sheet="Factory WIP")


def test_a_header_too_far_down_is_said_plainly(tmp_path):
    """A header under 105 title rows was 'no header row with a PO column ... map the vendor's headers on the
    Config sheet': a mapping cannot help; the rows above it must go. The sheet was not named."""
    found = no_header_found(read_vendor_file(far_down(tmp_path)), Config(), "BD1")
    assert found is not None and found.severity is Severity.ERROR and found.file == "dhaka 0301.xlsx"
    assert f"no header row found in rows 1-{HEADER_SEARCH_ROWS}" in found.message
    assert "sheet 'Factory WIP'" in found.message and f"row {HEADER_SEARCH_ROWS + 6}" in found.message
    assert "'PO #', 'Style #'" in found.message and "Delete the title or logo rows above it" in found.message
    assert found.row == HEADER_SEARCH_ROWS + 6


def test_no_header_at_all_is_said_plainly(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Notes"
    for i in range(40):
        wb.active.append([f"note {i}", i])
    wb.save(path := tmp_path / "dhaka 0301.xlsx")
    found = no_header_found(read_vendor_file(path), Config(), "BD1")
    assert found is not None and f"no header row found in rows 1-{HEADER_SEARCH_ROWS} of sheet 'Notes'" in \
        found.message and "'WIP Column: BD1 / PO #'" in found.message


def test_a_header_without_a_po_column_is_left_to_the_reader(tmp_path):
    path = a_book(tmp_path / "dhaka 0301.xlsx", ["Style #", "Color", "Order Qty"], ["S1", "Navy", 600])
    assert no_header_found(read_vendor_file(path), Config(), "BD1") is None


def test_the_job_says_a_header_too_far_down_plainly(tmp_path):
    book = tracker_with_lines(tmp_path)
    result = run(book, ["wip"], ctx(far_down(tmp_path)))
    f = assert_finding(result.findings, Code.COLUMN_MISSING, file="dhaka 0301.xlsx")
    assert f"no header row found in rows 1-{HEADER_SEARCH_ROWS} of sheet 'Factory WIP'" in f.message
