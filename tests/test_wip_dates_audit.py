"""The WIP audit of 2026-12-05 on report dates and report files: day-first dates read month first without a
word, a second file of the same vendor and day deleting the first's rows, 'TBA' closing exceptions, and a
workbook with a sheet per month. Each case is a real file written here and imported through the job."""
from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import openpyxl

from conftest import assert_finding, sheet_values
from prodbook.core.cells import DateOrder, parse_text_date
from prodbook.core.findings import Code, Severity
from prodbook.jobs.runner import run
from test_wip import as_date, ctx, tracker_with_lines, wip_rows

HEADER = ["PO #", "Style #", "Color", "Order Qty", "Cut Qty", "Ex-Factory", "Revised XF", "Remarks"]


def a_csv(folder: Path, name: str, *rows: list) -> Path:
    path = folder / name
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def a_book(folder: Path, name: str, sheets: dict[str, list[list]]) -> Path:
    wb = openpyxl.Workbook()
    for k, (title, rows) in enumerate(sheets.items()):
        ws = wb.active if k == 0 else wb.create_sheet()
        ws.title = title
        for row in rows:
            ws.append(row)
    path = folder / name
    wb.save(path)
    return path


def by_file(book: Path, name: str) -> list[dict]:
    return [r for r in wip_rows(book) if r["Source File"] == name]


# --- 1. day-first dates ------------------------------------------------------------------------------------

def test_a_dotted_date_is_day_first_whatever_the_order_set(tmp_path):
    """'05.01.2027' was read 1 May 2027 in a month-first tracker: nobody writes month first with dots."""
    assert parse_text_date("05.01.2027", DateOrder.MDY) == date(2027, 1, 5)
    assert parse_text_date("05/01/2027", DateOrder.MDY) == date(2027, 5, 1)  # slashes: the order set
    book = tracker_with_lines(tmp_path)
    path = a_csv(tmp_path, "dhaka_wip.csv", ["Report Date: 01-Mar-2027"], HEADER,
                 ["4500000001", "S1", "Heather Grey", 600, 600, "20-Apr-2027", "05.04.2027", ""])
    run(book, ["wip"], ctx(path))
    (row,) = wip_rows(book)
    assert as_date(row["Revised XF"]) == date(2027, 4, 5)


def test_a_dotted_date_in_the_file_name_is_the_report_date_day_first(tmp_path):
    """'SHX WIP 01.12.2026.xlsx' became a report of 12 January, months older than the vendor's others."""
    book = tracker_with_lines(tmp_path)
    path = a_book(tmp_path, "dhaka WIP 01.03.2027.xlsx", {"WIP": [
        HEADER, ["4500000001", "S1", "Heather Grey", 600, 300, date(2027, 4, 20), None, ""]]})
    run(book, ["wip"], ctx(path))
    assert [as_date(r["Report Date"]) for r in wip_rows(book)] == [date(2027, 3, 1)]


def test_a_file_whose_dates_all_read_both_ways_follows_the_vendors_other_file_of_the_run(tmp_path):
    """A day-first vendor's second file held only dates such as 04/12/2026 and 07/01/2027: read month first,
    its report became 12 April and its revised date 1 July, silently."""
    book = tracker_with_lines(tmp_path)
    shows = a_csv(tmp_path, "dhaka_wip_a.csv", ["Report date: 02/03/2027"], HEADER,
                  ["4500000001", "S1", "Heather Grey", 600, 600, "20/04/2027", "", ""])
    unsure = a_csv(tmp_path, "dhaka_wip_b.csv", ["Report date: 01/03/2027"], HEADER,
                   ["4500000003", "S1", "Light Blue", 500, 100, "10/04/2027", "05/05/2027", ""])
    result = run(book, ["wip"], ctx(shows, unsure))
    (row,) = by_file(book, "dhaka_wip_b.csv")
    assert (as_date(row["Report Date"]), as_date(row["Planned XF"]), as_date(row["Revised XF"])) == (
        date(2027, 3, 1), date(2027, 4, 10), date(2027, 5, 5))
    note = assert_finding(result.findings, Code.WIP_DATE_ORDER, file="dhaka_wip_b.csv", value="01/03/2027")
    assert "'20/04/2027' in 'dhaka_wip_a.csv'" in note.message and "'WIP Date Order: BD1'" in note.message


def test_an_ambiguous_file_name_follows_the_vendors_earlier_reports_on_the_sheet(tmp_path):
    """'SHX WIP 03-12-2026.xlsx' after 'SHX ... 26-11-2026': the earlier file name shows day first."""
    book = tracker_with_lines(tmp_path)
    line = ["4500000001", "S1", "Heather Grey", 600, 300, date(2027, 4, 20), None, ""]
    run(book, ["wip"], ctx(a_book(tmp_path, "dhaka WIP 26-02-2027.xlsx", {"WIP": [HEADER, line]})))
    run(book, ["wip"], ctx(a_book(tmp_path, "dhaka WIP 02-03-2027.xlsx", {"WIP": [HEADER, line]})))
    assert [as_date(r["Report Date"]) for r in by_file(book, "dhaka WIP 02-03-2027.xlsx")] == [date(2027, 3, 2)]


def test_a_report_date_before_the_po_date_is_named_with_its_other_reading(tmp_path):
    """A report read as 02-Jan-27, before its line's PO date (04-Jan-27), sat as history without a word."""
    book = tracker_with_lines(tmp_path)
    path = a_csv(tmp_path, "dhaka_wip.csv", ["Report date: 01/02/2027"], HEADER,
                 ["4500000001", "S1", "Heather Grey", 600, 600, "", "", ""])
    result = run(book, ["wip"], ctx(path))
    found = assert_finding(result.findings, Code.WIP_REPORT_DATE, file="dhaka_wip.csv", row=1)
    assert found.severity is Severity.WARNING
    assert "02-Jan-27" in found.message and "before the PO date of its lines (04-Jan-27)" in found.message
    assert "read day first it is 01-Feb-27" in found.message and "'WIP Date Order: BD1' = DMY" in found.message


def test_a_report_older_than_the_vendors_latest_on_the_sheet_is_named(tmp_path):
    book = tracker_with_lines(tmp_path)
    line = ["4500000001", "S1", "Heather Grey", 600, 300, date(2027, 4, 20), None, ""]
    run(book, ["wip"], ctx(a_book(tmp_path, "dhaka 0301.xlsx", {"WIP": [["WIP as of 01-Mar-2027"], HEADER, line]})))
    result = run(book, ["wip"], ctx(a_book(tmp_path, "dhaka 0222.xlsx", {"WIP": [["WIP as of 22-Feb-2027"],
                                                                                   HEADER, line]})))
    found = assert_finding(result.findings, Code.WIP_REPORT_OLDER, file="dhaka 0222.xlsx")
    assert "older than BD1's latest report already on the Vendor WIP sheet (01-Mar-27)" in found.message
    assert [f for f in result.findings if f.code is Code.WIP_REPORT_DATE] == []  # a code of its own, said once


def test_a_report_already_on_the_sheet_read_again_after_a_newer_one_is_not_named_older(tmp_path):
    """A week of daily refreshes on one WIP folder (helper-129): the vendor's 20 Nov report, imported on the
    23rd, stays in the folder beside its 25 Nov report. From the day after the newer one came, every refresh
    read the 20 Nov file again and warned 'older than SHX's latest report ... check the date with the vendor'
    about a report whose lines were on the sheet all along; an older report new to the sheet still is."""
    book = tracker_with_lines(tmp_path)
    line = ["4500000001", "S1", "Heather Grey", 600, 300, date(2027, 4, 20), None, ""]
    first = a_book(tmp_path, "dhaka 0222.xlsx", {"WIP": [["WIP as of 22-Feb-2027"], HEADER, line]})
    newer = a_book(tmp_path, "dhaka 0301.xlsx", {"WIP": [["WIP as of 01-Mar-2027"], HEADER, line]})
    run(book, ["wip"], ctx(first))
    run(book, ["wip"], ctx(first, newer))
    result = run(book, ["wip"], ctx(first, newer))  # the next morning: the folder as it was
    assert [f.text() for f in result.findings if f.code in (Code.WIP_REPORT_DATE, Code.WIP_REPORT_OLDER)] == []
    assert sorted(as_date(r["Report Date"]) for r in wip_rows(book)) == [date(2027, 2, 22), date(2027, 3, 1)]


def test_a_report_on_the_sheet_under_its_date_and_name_that_changes_its_lines_is_named_older(tmp_path):
    """Review of helper-129 (helper-133): a vendor names every weekly report alike ('dhaka WIP.xlsx') and in week
    3 leaves the title at week 1's date. Its date and name matched week 1's rows on the sheet, so it was taken
    for a file read again: no warning, and week 3's figures overwrote the 22 Feb history. A report whose lines
    change the sheet (a value, or a line taken off) is named older, as before helper-129."""
    book = tracker_with_lines(tmp_path)
    report = tmp_path / "dhaka WIP.xlsx"

    def week(title: str, *cuts: int) -> list[str]:
        lines = [["4500000001", "S1", "Heather Grey", 600, cuts[0], date(2027, 4, 20), None, ""],
                 ["4500000003", "S1", "Light Blue", 500, 100, date(2027, 4, 20), None, ""]][:len(cuts)]
        a_book(tmp_path, report.name, {"WIP": [[f"WIP as of {title}"], HEADER, *lines]})
        return [f.message for f in run(book, ["wip"], ctx(report)).findings
                if f.code in (Code.WIP_REPORT_DATE, Code.WIP_REPORT_OLDER)]

    assert week("22-Feb-2027", 100, 100) == []
    assert week("01-Mar-2027", 200, 100) == []
    changed = week("22-Feb-2027", 450, 100)  # week 3, its title left at week 1's date
    assert len(changed) == 1 and "older than BD1's latest report already on the Vendor WIP sheet (01-Mar-27)" \
        in changed[0] and "Check the date with the vendor" in changed[0], changed
    assert week("22-Feb-2027", 450, 100) == changed  # read again the next morning: its Issues row is undecided
    fewer = week("22-Feb-2027", 450)  # a line no longer listed comes off the sheet: a change too
    assert len(fewer) == 1 and "older than BD1's latest report" in fewer[0], fewer
    assert sorted((as_date(r["Report Date"]), r["Color"], r["Cut Qty"]) for r in wip_rows(book)) == [
        (date(2027, 2, 22), "Heather Grey", 450), (date(2027, 3, 1), "Heather Grey", 200),
        (date(2027, 3, 1), "Light Blue", 100)]



def _older_on_issues(book: Path, name: str) -> list[dict]:
    rows = sheet_values(book, "Issues")
    return [dict(zip(rows[0], r)) for r in rows[1:] if r[rows[0].index("Code")] in (str(Code.WIP_REPORT_OLDER), LEGACY)
            and r[rows[0].index("Found In")] == name]


def test_an_older_warning_stays_on_issues_until_the_apm_dismisses_it(tmp_path):
    """Review of helper-134 (helper-142): NBT's changed 20 Nov report, its 24 Nov one on the sheet, was named
    older once; the next day's refresh read the same file (it stays in the folder) as 'Nothing new', and the
    warning left the Issues sheet before the APM had decided anything, its lines filed as history all the same.
    It stays while its Issues row is open; once dismissed (Accept = No), the file read again is quiet."""
    book, report, newer = _changed_after_newer(tmp_path)

    def refresh() -> list[str]:
        return [f.message for f in run(book, ["wip"], ctx(report, newer)).findings
                if f.code in (Code.WIP_REPORT_DATE, Code.WIP_REPORT_OLDER)]

    changed = refresh()
    assert len(changed) == 1 and "older than BD1's latest report" in changed[0], changed
    assert len(_older_on_issues(book, report.name)) == 1
    assert refresh() == changed  # the next morning, nothing decided yet: still named
    [row] = _older_on_issues(book, report.name)
    assert row["Problem"] == changed[0] and not row["Accept"]
    wb = openpyxl.load_workbook(book)
    ws = wb["Issues"]
    head = [c.value for c in ws[1]]
    at = next(n for n, r in enumerate(ws.iter_rows(min_row=2, values_only=True), 2)
              if r[head.index("Code")] == str(Code.WIP_REPORT_OLDER))
    ws.cell(at, head.index("Accept") + 1, "No")  # the APM checked with the vendor: the date is right
    wb.save(book)
    assert refresh() == []
    assert refresh() == [] and _older_on_issues(book, report.name) == []
    assert sorted((as_date(r["Report Date"]), r["Cut Qty"]) for r in wip_rows(book)) == [
        (date(2027, 2, 22), 450), (date(2027, 3, 1), 100)]

LEGACY = "wip-report-date-assumed"
"""The code prodbook wrote the older-warning under before it had one of its own (shared with the other
report-date findings)."""


def _named_older_on_issues(tmp_path: Path) -> tuple[Path, Path, Path]:
    """(tracker, report, newer): BD1's 22 Feb report changed after its 1 Mar one came, named older once, its
    warning on the Issues sheet, undecided."""
    book, report, newer = _changed_after_newer(tmp_path)
    run(book, ["wip"], ctx(report, newer))
    return book, report, newer


def _changed_after_newer(tmp_path: Path) -> tuple[Path, Path, Path]:
    """(tracker, report, newer): BD1's 22 Feb report and its 1 Mar one imported, then the 22 Feb file changed
    (a Cut Qty of 450) in the folder, not yet read again."""
    book = tracker_with_lines(tmp_path)
    line = ["4500000001", "S1", "Heather Grey", 600, 100, date(2027, 4, 20), None, ""]
    report = a_book(tmp_path, "dhaka WIP.xlsx", {"WIP": [["WIP as of 22-Feb-2027"], HEADER, line]})
    run(book, ["wip"], ctx(report))
    newer = a_book(tmp_path, "dhaka 0301.xlsx", {"WIP": [["WIP as of 01-Mar-2027"], HEADER, line]})
    run(book, ["wip"], ctx(newer))
    a_book(tmp_path, report.name, {"WIP": [["WIP as of 22-Feb-2027"], HEADER, [*line[:4], 450, *line[5:]]]})
    return book, report, newer


def _as_an_older_prodbook_wrote_it(book: Path, name: str, accept: str | None) -> None:
    """The older-warning's Issues row as the version before wrote it: under the shared report-date code,
    found on 1 March, with the APM's Accept."""
    wb = openpyxl.load_workbook(book)
    ws = wb["Issues"]
    head = [c.value for c in ws[1]]
    (at,) = [n for n, r in enumerate(ws.iter_rows(min_row=2, values_only=True), 2)
             if r[head.index("Code")] == str(Code.WIP_REPORT_OLDER) and r[head.index("Found In")] == name]
    ws.cell(at, head.index("Code") + 1, LEGACY)
    ws.cell(at, head.index("Found On") + 1, datetime(2027, 3, 1))
    ws.cell(at, head.index("Accept") + 1, accept)
    wb.save(book)


def test_the_older_warning_has_a_code_of_its_own_on_issues(tmp_path):
    """The older-warning shared 'wip-report-date-assumed' with the notes of a report dated today, a date ahead
    and one before the PO date: the APM could not filter on it, and the run found its row by its words."""
    book, report, _ = _named_older_on_issues(tmp_path)
    [row] = _older_on_issues(book, report.name)
    assert row["Code"] == "wip-report-older" and "older than BD1's latest report" in row["Problem"]


def test_an_older_warning_an_older_prodbook_wrote_stays_open_under_its_own_code(tmp_path):
    """On the day of the upgrade the row the version before wrote (the shared code, Accept blank) is still the
    open warning: the file read again as it was keeps it on the sheet, now under its own code, Found On kept."""
    book, report, newer = _named_older_on_issues(tmp_path)
    _as_an_older_prodbook_wrote_it(book, report.name, None)
    said = [f for f in run(book, ["wip"], ctx(report, newer)).findings if f.code is Code.WIP_REPORT_OLDER]
    assert len(said) == 1 and "older than BD1's latest report" in said[0].message
    [row] = _older_on_issues(book, report.name)
    assert row["Code"] == "wip-report-older" and not row["Accept"]
    assert as_date(row["Found On"]) == date(2027, 3, 1)
    said = [f for f in run(book, ["wip"], ctx(report, newer)).findings if f.code is Code.WIP_REPORT_OLDER]
    assert len(said) == 1 and len(_older_on_issues(book, report.name)) == 1  # the next day: one row, as before


def test_an_apms_no_on_an_older_prodbooks_older_warning_is_kept(tmp_path):
    """The APM typed No on the row the version before wrote; the vendor's file changes again after the
    upgrade, named older again with the same values: their No stands, on one row, under the new code."""
    book, report, newer = _named_older_on_issues(tmp_path)
    _as_an_older_prodbook_wrote_it(book, report.name, "No")
    line = ["4500000001", "S1", "Heather Grey", 600, 500, date(2027, 4, 20), None, ""]
    a_book(tmp_path, report.name, {"WIP": [["WIP as of 22-Feb-2027"], HEADER, line]})
    said = [f for f in run(book, ["wip"], ctx(report, newer)).findings if f.code is Code.WIP_REPORT_OLDER]
    assert len(said) == 1
    [row] = _older_on_issues(book, report.name)
    assert (row["Code"], row["Accept"]) == ("wip-report-older", "No")
    assert as_date(row["Found On"]) == date(2027, 3, 1)


# --- 2. two files of one vendor and day ---------------------------------------------------------------------

def test_a_second_file_of_the_same_vendor_and_day_keeps_the_first_files_lines(tmp_path):
    """'DHK Denim WIP 05Dec2026.xlsx' deleted the rows of 'DHK Knit WIP 05Dec2026.xlsx' (another run)."""
    book = tracker_with_lines(tmp_path)
    title = ["WIP as of 01-Mar-2027"]
    knit = a_book(tmp_path, "dhaka knit 0301.xlsx", {"WIP": [title, HEADER, [
        "4500000001", "S1", "Heather Grey", 600, 300, date(2027, 4, 20), None, "knit"]]})
    denim = a_book(tmp_path, "dhaka denim 0301.xlsx", {"WIP": [title, HEADER, [
        "4500000003", "S1", "Light Blue", 500, 100, date(2027, 4, 20), None, "denim"]]})
    run(book, ["wip"], ctx(knit))
    result = run(book, ["wip"], ctx(denim))
    assert sorted(r["Source File"] for r in wip_rows(book)) == ["dhaka denim 0301.xlsx", "dhaka knit 0301.xlsx"]
    note = assert_finding(result.findings, Code.WIP_DUPLICATE, file="dhaka denim 0301.xlsx",
                          value="dhaka knit 0301.xlsx")
    assert "1 line(s) were kept" in note.message
    assert any("dhaka knit 0301.xlsx" in line for line in result.outcomes[0].summary)
    # the same file sent again (same name) replaces that file whole: a line it no longer lists goes
    again = a_book(tmp_path, "dhaka knit 0301.xlsx", {"WIP": [title, HEADER, [
        "4500000003", "S1", "Dark Blue", 500, 50, date(2027, 4, 20), None, "knit again"]]})
    run(book, ["wip"], ctx(again))
    assert sorted((r["Source File"], r["Color"]) for r in wip_rows(book)) == [
        ("dhaka denim 0301.xlsx", "Light Blue"), ("dhaka knit 0301.xlsx", "Dark Blue")]


# --- 3. a date taken back ------------------------------------------------------------------------------------

def test_tba_in_revised_xf_keeps_the_last_date_and_the_exception_open(tmp_path):
    """'TBA' this week after a late revised date last week blanked the cell and resolved xf-revised-later."""
    book = tracker_with_lines(tmp_path)
    last = a_book(tmp_path, "dhaka 0222.xlsx", {"WIP": [["WIP as of 22-Feb-2027"], HEADER, [
        "4500000001", "S1", "Heather Grey", 600, 300, date(2027, 4, 15), date(2027, 5, 30), "fabric late"]]})
    run(book, ["wip", "exceptions"], ctx(last))
    this = a_book(tmp_path, "dhaka 0301.xlsx", {"WIP": [["WIP as of 01-Mar-2027"], HEADER, [
        "4500000001", "S1", "Heather Grey", 600, 350, date(2027, 4, 15), "TBA", None]]})
    result = run(book, ["wip", "exceptions"], ctx(this))
    (row,) = by_file(book, "dhaka 0301.xlsx")
    assert as_date(row["Revised XF"]) == date(2027, 5, 30) and "TBA" in row["Remarks"]
    found = assert_finding(result.findings, Code.BAD_DATE, file="dhaka 0301.xlsx", row=3, value="TBA")
    assert found.column == "Revised XF" and "withdrew the date 30-May-27" in found.message
    rows = sheet_values(book, "Exceptions")
    rules = [dict(zip(rows[0], r)) for r in rows[1:]]
    (late,) = [r for r in rules if r["Rule"] == "xf-revised-later" and r["Color"] == "Heather Grey"]
    assert late["Status"] == "Open" and "30-May-27" in late["Detail"]


# --- 4. a sheet per month -------------------------------------------------------------------------------------

def test_of_sheets_named_for_months_the_latest_month_is_the_report(tmp_path):
    book = tracker_with_lines(tmp_path)
    path = a_book(tmp_path, "dhaka WIP 2027-03-01.xlsx", {
        "FEB": [HEADER, ["4500000001", "S1", "Heather Grey", 600, 100, date(2027, 4, 15), None, "FEB"]],
        "MAR": [HEADER, ["4500000001", "S1", "Heather Grey", 600, 500, date(2027, 4, 15), None, "MAR"]]})
    result = run(book, ["wip"], ctx(path))
    assert [(r["Cut Qty"], r["Remarks"]) for r in wip_rows(book)] == [(500, "MAR")]
    assert not [f for f in result.findings if f.code is Code.WIP_DUPLICATE]
    note = assert_finding(result.findings, Code.WIP_SHEETS, file="dhaka WIP 2027-03-01.xlsx")
    assert "'MAR', the latest" in note.message and "'FEB'" in note.message


def test_a_line_reported_on_two_sheets_names_the_other_sheet_without_nested_quotes(tmp_path):
    book = tracker_with_lines(tmp_path)
    line = ["4500000001", "S1", "Heather Grey", 600, 100, date(2027, 4, 15), None, ""]
    path = a_book(tmp_path, "dhaka WIP 2027-03-01.xlsx", {"Knit": [HEADER, line], "Woven": [HEADER, line]})
    result = run(book, ["wip"], ctx(path, now=datetime(2027, 3, 3, 9, 0)))
    found = assert_finding(result.findings, Code.WIP_DUPLICATE, row=2)
    assert "already reported in row 2 of sheet 'Knit'" in found.message
    assert found.where == "file 'dhaka WIP 2027-03-01.xlsx' > sheet 'Woven', row 2"
