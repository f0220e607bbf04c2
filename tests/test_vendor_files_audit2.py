"""The vendor-file audit of 2026-12-06, second part: real vendor files written here and imported (or checked)
through the jobs. Each test is a defect the audit found: a 2-line update of a vendor's report under a new name
removed every other line of that vendor's report of the day; a style typed 'SS27-KT-1OO3' was taken for
SS27-KT-1013 instead of SS27-KT-1003; a WIP report with a price column was read as a costing sheet, and its
TOTAL row an error; a finding's place lost its file name when a longer name in the message contained it.
"""
from __future__ import annotations

from datetime import date

import openpyxl

from conftest import assert_finding, write_book
from prodbook.core.findings import Code, warning
from prodbook.jobs.runner import REFRESH, run
from test_development import ctx as dev_ctx
from test_development import sheets as dev_sheets
from test_vendor_files_audit import by_file
from test_wip import ctx as wip_ctx
from test_wip import tracker_with_lines
from test_wip_undo import (
    THIS_WEEK,
    Clock,
    by_header,
    cells,
    day_of,
    imported,
    layout,
    report,
    tracker,
    undo_and_compare,
    weekly,
)

# --- 1. a partial update keeps the lines it does not mention ---------------------------------------------


def test_a_partial_update_under_a_new_name_keeps_the_lines_it_does_not_list(tmp_path):
    """SHX's 2-line update removed 18 lines of its report of the day: the lines the update does not list stay,
    the one it lists takes its values, a line new to the day is added; one note says how many were kept and
    what to do if the vendor meant to drop them; undo gives back every cell."""
    clock = Clock()
    path = tracker(tmp_path)
    rows = weekly("BD1", 3)  # 4 lines
    imported(run(path, ["wip"], clock(report(tmp_path, "BD1", THIS_WEEK, rows))))
    before, shape = cells(path), layout(path)
    first = f"BD1_wip_{THIS_WEEK:%Y%m%d}.csv"
    update = [(rows[1][0], rows[1][1] + 30, date(2027, 5, 2), "recut")]  # one line of the four, changed
    name = f"BD1_wip_{THIS_WEEK:%Y%m%d}_update.csv"
    result = run(path, ["wip"], clock(report(tmp_path, "BD1", THIS_WEEK, update, name=name)))
    imported(result)
    now = [r for r in by_header(cells(path)) if day_of(r["Report Date"]) == THIS_WEEK]
    assert [(r["Color"], r["Source File"]) for r in now] == [
        (rows[0][0].color, first), (rows[1][0].color, name), (rows[2][0].color, first), (rows[3][0].color, first)]
    assert now[1]["Cut Qty"] == rows[1][1] + 30 and now[1]["Remarks"] == "recut"
    assert [r["Cut Qty"] for r in now[::2]] == [rows[0][1], rows[2][1]]
    note = assert_finding(result.findings, Code.WIP_DUPLICATE, file=name, value=first)
    assert "1 of the 4 lines" in note.message and "other 3 line(s)" in note.message and "were kept" in note.message
    assert f"delete the 3 row(s) of the Vendor WIP sheet with Source File '{first}'" in note.message
    assert "replaced" not in note.message and "removed" not in note.message
    assert note.severity == "info"
    undo_and_compare(path, before, clock, shape)


def test_a_corrected_re_send_of_every_line_under_a_new_name_still_replaces_the_report(tmp_path):
    """A file that lists every line of the day's earlier one (and drops none) is a re-send: replaced whole."""
    clock = Clock()
    path = tracker(tmp_path)
    rows = weekly("BD1", 3)[:2]
    imported(run(path, ["wip"], clock(report(tmp_path, "BD1", THIS_WEEK, rows))))
    before, shape = cells(path), layout(path)
    name = f"BD1_wip_{THIS_WEEK:%Y%m%d}_rev.csv"
    again = [(line, cut + 5, None, "rev") for line, cut, _, _ in weekly("BD1", 3)]  # both lines, and two more
    result = run(path, ["wip"], clock(report(tmp_path, "BD1", THIS_WEEK, again, name=name)))
    imported(result)
    now = [r for r in by_header(cells(path)) if day_of(r["Report Date"]) == THIS_WEEK]
    assert [(r["Color"], r["Source File"], r["Cut Qty"]) for r in now] == [
        (line.color, name, cut) for line, cut, _, _ in again]
    assert "replaced that report: 2 line(s) updated, 0 it no longer lists removed" in " ".join(
        f.message for f in result.findings)
    undo_and_compare(path, before, clock, shape)


# --- 2. a style typed with the letter O for a zero ------------------------------------------------------


def test_a_style_typed_with_the_letter_o_suggests_the_style_it_reads_as(tmp_path):
    """'SS27-KT-1OO3' in a vendor's costing sheet: 'did they mean SS27-KT-1013?' (closer in spelling) where the
    vendor meant SS27-KT-1003 (the same once O is read as 0); 'SS27-KT-1I13' is SS27-KT-1113, not 1013."""
    sheets = dev_sheets()
    for style in ("SS27-KT-1013", "SS27-KT-1003", "SS27-KT-1113"):
        sheets["Styles"].append([style, *sheets["Styles"][1][1:]])
    book = write_book(tmp_path / "tracker.xlsx", sheets)
    costing = tmp_path / "vendor costing.csv"
    costing.write_text("Buyer Style #,Colour,FOB USD\nSS27-KT-1OO3,Navy,5.00\nSS27-KT-1I13,Navy,5.00\n",
                       encoding="utf-8")
    result = run(book, ["validate"], dev_ctx(files=(costing,)))
    typed_o = assert_finding(result.findings, Code.DIFF_STYLE, row=2)
    assert "(did they mean SS27-KT-1003?)" in typed_o.message and typed_o.fix.other == "SS27-KT-1003"
    typed_i = assert_finding(result.findings, Code.DIFF_STYLE, row=3)
    assert "(did they mean SS27-KT-1113?)" in typed_i.message


# --- 3. a WIP report with a price column ------------------------------------------------------------------


def test_a_wip_report_with_a_hidden_unit_price_column_is_read_as_a_wip_report(tmp_path):
    """A WIP report with a hidden 'Unit Price' column was also read as a costing sheet by refresh: its FOB
    compared with the Styles sheet, and its TOTAL row (formulas saved without their values) an ERROR telling
    the APM to 'fix the cell' in the vendor's file. It is a WIP report: imported, its TOTAL row skipped (and
    no note asks the vendor to save its formulas again)."""
    book = tracker_with_lines(tmp_path)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "WIP"
    ws.append(["WIP as of 01-Mar-2027"])
    ws.append(["PO #", "Style #", "Color", "Order Qty", "Cut Qty", "Sewn Qty", "Packed Qty", "Unit Price",
               "Ex-Factory", "Remarks"])
    ws.append(["4500000001", "S1", "Heather Grey", 600, 300, 100, 0, 4.25, date(2027, 4, 15), ""])
    ws.append(["4500000003", "S1", "Light Blue", 500, 200, 50, 0, 4.25, date(2027, 4, 20), ""])
    ws.append(["TOTAL", None, None, "=SUM(D3:D4)", "=SUM(E3:E4)", "=SUM(F3:F4)", "=SUM(G3:G4)", None, None, None])
    ws.column_dimensions["H"].hidden = True
    path = tmp_path / "dhaka 0301.xlsx"
    wb.save(path)
    result = run(book, list(REFRESH), wip_ctx(path))
    assert [(r["Color"], r["Cut Qty"]) for r in by_file(book, path.name)] == [("Heather Grey", 300),
                                                                              ("Light Blue", 200)]
    theirs = [f for f in result.findings if f.file == path.name or path.name in f.message]
    assert not [f for f in theirs if f.severity == "error"], [f.text() for f in theirs]
    assert not [f for f in theirs if f.row == 5], "the TOTAL row is skipped: nothing to ask the vendor of its cells"
    assert not [f for f in result.findings if f.code is Code.DIFF_FOB], "a WIP report's price was compared"


# --- 4. a finding's place keeps its file name ------------------------------------------------------------


def test_a_finding_s_place_names_its_file_unless_the_message_names_that_file_whole():
    """'x.xls' inside 'x.xlsx' in the message dropped the file from the place: the APM could not tell which of
    the two files the finding was about."""
    about_xls = warning(Code.WIP_FILE, "'WIP 0301.xlsx' was read first; this file is its older copy",
                        file="WIP 0301.xls")
    assert about_xls.where == "file 'WIP 0301.xls'"
    assert about_xls.where_with_file == "file 'WIP 0301.xls'"
    assert about_xls.text().startswith("WARNING: file 'WIP 0301.xls': 'WIP 0301.xlsx' was read first")
    named = warning(Code.WIP_FILE, "'WIP 0301.xls' could not be read; the file was skipped", file="WIP 0301.xls")
    assert named.where == "" and named.where_with_file == ""  # the message names it whole: not twice
    quoted = warning(Code.WIP_FILE, 'the file "WIP 0301.xls" is damaged', file="WIP 0301.xls")
    assert quoted.where == ""
    unquoted = warning(Code.WIP_FILE, "see WIP 0301.xls.bak, a backup", file="WIP 0301.xls")
    assert unquoted.where == "file 'WIP 0301.xls'"
