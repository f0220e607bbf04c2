"""The jobs end to end on real tracker files: T&A rebuild, validation, undo, safety."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from conftest import assert_finding, base_sheets, digest, sheet_values, shown_values, write_book
from prodbook.core.findings import Code, UserError
from prodbook.jobs.base import Context
from prodbook.jobs.runner import REFRESH, run
from prodbook.workbook.safety import WorkbookLocked

TODAY = date(2027, 3, 1)


def ctx(today: date = TODAY, dry_run: bool = False) -> Context:
    return Context(today=today, now=datetime(2027, 3, 1, 9, 0), dry_run=dry_run)


def ta_rows(path: Path) -> dict[tuple, dict]:
    rows = sheet_values(path, "T&A")
    header = rows[0]
    return {tuple(r[:3]) + (r[4],): dict(zip(header, r)) for r in rows[1:] if r[0]}


def type_in(path: Path, sheet: str, values: dict[tuple[int, int], object]) -> None:
    """What the APM does in Excel: type values into cells, save."""
    wb = openpyxl.load_workbook(path)
    for (row, col), value in values.items():
        wb[sheet].cell(row=row, column=col, value=value)
    wb.save(path)


def test_refresh_builds_the_ta_and_logs_it(tracker):
    result = run(tracker, REFRESH, ctx())
    rows = ta_rows(tracker)
    assert len(rows) == 10
    xf = rows[("4500000001", "S1", "Navy", "XF")]
    assert xf["Planned"].date() == date(2027, 4, 15) and xf["Status"] == "Upcoming"
    assert rows[("4500000001", "S1", "Navy", "LD")]["Status"] == "Overdue"
    log = [r for r in sheet_values(tracker, "Change Log")[1:] if r[2] == "T&A"]
    assert len(log) == 10 and {r[4] for r in log} == {"(new row)"}
    assert log[0][1].startswith("Refresh 2027-03-01 ")
    assert result.commit.backup.exists()
    assert "Issues" in openpyxl.load_workbook(tracker).sheetnames


def test_rebuild_keeps_what_the_user_typed(tracker):
    run(tracker, ["ta"], ctx())
    header = sheet_values(tracker, "T&A")[0]
    actual_col, notes_col = header.index("Actual") + 1, header.index("Notes") + 1
    wb = openpyxl.load_workbook(tracker)
    ws = wb["T&A"]
    ws.cell(row=1, column=14, value="Merch comment")
    ws.cell(row=2, column=actual_col, value=date(2027, 1, 12))
    ws.cell(row=2, column=notes_col, value="mill late, chased 11/1")
    ws.cell(row=2, column=14, value="=J2+1")
    wb.save(tracker)
    run(tracker, ["ta"], ctx())
    rows = ta_rows(tracker)
    ld = rows[("4500000001", "S1", "Navy", "LD")]
    assert ld["Actual"].date() == date(2027, 1, 12)
    assert ld["Notes"] == "mill late, chased 11/1"
    assert ld["Merch comment"] == "=J2+1"
    assert ld["Status"] == "Done late" and ld["Variance"] == 2
    later = rows[("4500000001", "S1", "Navy", "LD-APP")]
    assert later["Forecast"] > later["Planned"]
    log = sheet_values(tracker, "Change Log")
    assert any(r[1].startswith("Rebuild T&A 2027-03-01 ") and r[4] == "Status" and r[6] == "Done late"
               for r in log)


def test_removed_po_line_is_archived_and_undo_brings_it_back(tracker):
    run(tracker, ["ta"], ctx())
    before = ta_rows(tracker)
    wb = openpyxl.load_workbook(tracker)
    wb["Orders"].delete_rows(3)
    wb.save(tracker)
    result = run(tracker, ["ta"], ctx())
    assert_finding(result.findings, Code.ROWS_ARCHIVED)
    assert len(ta_rows(tracker)) == 5
    archive = sheet_values(tracker, "T&A Archive")
    assert len(archive) == 6 and all(r[0] == "4500000002" for r in archive[1:])
    undo = run(tracker, ["undo"], ctx())
    archived_by = [r[1] for r in sheet_values(tracker, "Change Log")[1:] if r[4] == "(archived)"]
    assert undo.action == "Undo " + archived_by[0]
    assert set(ta_rows(tracker)) == set(before)
    assert len(sheet_values(tracker, "T&A Archive")) == 1


def test_undo_of_the_first_build_empties_the_ta_and_nothing_is_left_to_undo(tracker):
    run(tracker, ["ta"], ctx())
    run(tracker, ["undo"], ctx())
    assert ta_rows(tracker) == {}
    with pytest.raises(UserError, match="nothing to undo"):
        run(tracker, ["undo"], ctx())


def test_dry_run_writes_nothing(tracker):
    before = digest(tracker)
    result = run(tracker, REFRESH, ctx(dry_run=True))
    assert result.changes >= 10 and result.commit is None
    assert digest(tracker) == before


def test_template_cycle_is_reported_and_other_templates_still_plan(tmp_path):
    sheets = base_sheets()
    sheets["T&A Templates"] += [["Loop", "A", "a", "Vendor", "B", 1, "Working", "No", ""],
                                ["Loop", "B", "b", "Vendor", "A", 1, "Working", "No", ""]]
    path = write_book(tmp_path / "t.xlsx", sheets)
    result = run(path, ["ta"], ctx())
    f = assert_finding(result.findings, Code.TEMPLATE_CYCLE, sheet="T&A Templates", column="Anchor")
    assert "'Loop'" in f.message and f.row in (7, 8)
    assert result.exit_code == 1 and len(ta_rows(path)) == 10


def test_impossible_text_date_is_reported_at_its_cell(tmp_path):
    sheets = base_sheets()
    sheets["Orders"][2][5] = "31/02/2027"
    path = write_book(tmp_path / "t.xlsx", sheets)
    result = run(path, REFRESH, ctx())
    f = assert_finding(result.findings, Code.BAD_DATE, sheet="Orders", row=3, column="Ex-Factory")
    assert f.value == "31/02/2027" and "February 2027 has no day 31" in f.message
    issues = shown_values(path, "Issues")
    assert any(r[1] == "F3" and r[4] == "31/02/2027" for r in issues)


def test_duplicate_po_line_is_an_error_and_planned_once(tmp_path):
    sheets = base_sheets()
    sheets["Orders"].append(list(sheets["Orders"][1]))
    path = write_book(tmp_path / "t.xlsx", sheets)
    result = run(path, ["ta"], ctx())
    assert_finding(result.findings, Code.DUPLICATE_KEY, sheet="Orders", row=4)
    assert len(ta_rows(path)) == 10


def test_missing_orders_sheet_stops_before_anything_is_written(tmp_path):
    sheets = base_sheets()
    del sheets["Orders"]
    path = write_book(tmp_path / "t.xlsx", sheets)
    before = digest(path)
    with pytest.raises(UserError, match="no sheet 'Orders'"):
        run(path, ["ta"], ctx())
    assert digest(path) == before


def test_locked_workbook_is_not_touched(tracker):
    (tracker.parent / f"~${tracker.name}").write_bytes(b"owner")
    before = digest(tracker)
    with pytest.raises(WorkbookLocked, match="open in Excel"):
        run(tracker, ["ta"], ctx())
    assert digest(tracker) == before


def test_corrupt_workbook_is_a_clear_error(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a workbook")
    with pytest.raises(UserError, match="damaged"):
        run(path, ["ta"], ctx())


def test_team_headers_title_rows_and_sheet_names(tmp_path):
    sheets = base_sheets()
    orders = sheets.pop("Orders")
    orders[0] = ["PO No.", "STYLE NUMBER", "Colour", "Order Qty", "PO Issue Date", "XF Date", "DC Date",
                 "Cxl Date"]
    sheets["PO Lines"] = [["SS27 production - do not sort"], [], *orders]
    sheets["Config"] = [["Setting", "Value"], ["Sheet: Orders", "PO Lines"]]
    path = write_book(tmp_path / "t.xlsx", sheets, tables=False)
    result = run(path, ["ta"], ctx())
    assert not [f for f in result.findings if f.severity == "error"], [f.text() for f in result.findings]
    assert len(ta_rows(path)) == 10
    assert sheet_values(path, "PO Lines")[0][0] == "SS27 production - do not sort"


def test_formula_looking_text_stays_text(tmp_path):
    sheets = base_sheets()
    sheets["Orders"][1][2] = "=HYPERLINK(\"http://x\")"
    path = write_book(tmp_path / "t.xlsx", sheets)
    wb = openpyxl.load_workbook(path)
    wb["Orders"]["C2"].data_type = "s"
    wb.save(path)
    result = run(path, REFRESH, ctx())
    assert_finding(result.findings, Code.FORMULA_TEXT, sheet="Orders", row=2, column="Color")
    ws = openpyxl.load_workbook(path)["T&A"]
    cells = [c for c in ws["C"] if c.value == "=HYPERLINK(\"http://x\")"]
    assert cells and all(c.data_type == "s" for c in cells)


def test_rows_typed_by_the_user_are_filled_once_and_undo_empties_them(tmp_path):
    sheets = base_sheets()
    sheets["T&A"].append(["4500000001", "S1", "Navy", None, "LD", None, None, None, None, date(2027, 1, 12),
                          None, None, "typed before prodbook"])
    path = write_book(tmp_path / "t.xlsx", sheets)
    run(path, ["ta"], ctx())
    log = [r for r in sheet_values(path, "Change Log")[1:] if r[2] == "T&A"]
    assert [r[4] for r in log].count("(filled)") == 1 and [r[4] for r in log].count("(new row)") == 9
    ld = ta_rows(path)[("4500000001", "S1", "Navy", "LD")]
    assert ld["Status"] == "Done late" and ld["Notes"] == "typed before prodbook"
    run(path, ["undo"], ctx())
    rows = ta_rows(path)
    assert list(rows) == [("4500000001", "S1", "Navy", "LD")]
    ld = rows[("4500000001", "S1", "Navy", "LD")]
    assert ld["Actual"].date() == date(2027, 1, 12) and ld["Notes"] == "typed before prodbook"
    assert ld["Planned"] is None and ld["Status"] is None and ld["Milestone"] is None


def test_values_in_messages_are_shown_as_typed_in_excel():
    from prodbook.core.findings import Finding, Severity, shown
    assert [shown(v) for v in (date(2027, 3, 1), datetime(2027, 3, 1), datetime(2027, 3, 1, 9, 30), 1200.0, 7.81,
                               True, None, float("nan"), "Navy")] == \
        ["2027-03-01", "2027-03-01", "2027-03-01 09:30", "1200", "7.81", "TRUE", "", "", "Navy"]
    f = Finding(Code.BAD_DATE, Severity.ERROR, "check it", sheet="Orders", row=3, column="Ex-Factory",
                value=date(2027, 3, 1))
    assert f.text() == "ERROR: sheet 'Orders', row 3, column 'Ex-Factory': check it (value: 2027-03-01)"
    assert "(value" not in Finding(Code.BAD_DATE, Severity.ERROR, "m", value=float("nan")).text()


def test_a_second_run_with_nothing_new_writes_nothing(tracker):
    run(tracker, REFRESH, ctx())
    before = digest(tracker)
    backups = set((tracker.parent / "prodbook backups").iterdir())
    again = run(tracker, REFRESH, ctx())
    assert again.changes == 0 and again.commit.written is None
    assert digest(tracker) == before
    assert set((tracker.parent / "prodbook backups").iterdir()) == backups


def test_a_toml_file_beside_the_workbook_maps_sheets_headers_and_settings(tmp_path):
    sheets = base_sheets()
    orders = sheets.pop("Orders")
    orders[0][5] = "FOB Date"  # the team's word for Ex-Factory: not one prodbook knows by itself
    sheets["PO Lines"] = orders
    path = write_book(tmp_path / "t.xlsx", sheets)
    (tmp_path / "prodbook.toml").write_text(
        '[sheets]\nOrders = "PO Lines"\n[columns.Orders]\n"Ex-Factory" = "FOB Date"\n'
        '[settings]\n"Due Soon Days" = 30\n', encoding="utf-8")
    result = run(path, ["ta"], ctx(today=date(2027, 3, 1)))
    assert not [f for f in result.findings if f.severity == "error"], [f.text() for f in result.findings]
    rows = ta_rows(path)
    assert rows[("4500000001", "S1", "Navy", "XF")]["Planned"].date() == date(2027, 4, 15)
    # CUT is 15 working days before XF (15 Apr): inside 30 days of 1 Mar only because of the setting
    assert rows[("4500000001", "S1", "Navy", "CUT")]["Status"] == "Due soon"


@pytest.mark.parametrize("toml, says", [
    ('[settings\n"Due Soon Days" = 30\n', "Expected ']' at the end of a table declaration (at line 1"),
    ("settings = 3\n", "[settings] should be a section of settings"),
    ('[columns]\nOrders = "PO Lines"\n', "[columns.Orders] should be a section of settings, such as "
                                         '[columns.Orders] with a line such as Qty = "Units"'),
    ("[wip_columns]\nBD1 = 7\n", "[wip_columns.BD1] should be a section of settings"),
    (b"\xff\xfe[settings]", "it is not text in UTF-8"),
])
def test_a_prodbook_toml_that_cannot_be_read_stops_the_run_plainly(tmp_path, toml, says):
    """Before: "unexpected problem" (a TOML syntax error; a section holding a value, not a table)."""
    from click.testing import CliRunner

    from prodbook.cli import main

    path = write_book(tmp_path / "t.xlsx", base_sheets())
    settings = tmp_path / "prodbook.toml"
    settings.write_bytes(toml if isinstance(toml, bytes) else toml.encode())
    before = digest(path)
    result = CliRunner().invoke(main, ["ta", str(path), "--today", "2027-03-01"])
    assert result.exit_code == 2, result.output
    assert f"'{settings}' could not be read: " in result.output and says in result.output, result.output
    assert "Correct it in a text editor" in result.output and "unexpected" not in result.output
    assert digest(path) == before


def test_a_setting_in_prodbook_toml_that_cannot_be_used_names_that_file(tmp_path):
    path = write_book(tmp_path / "t.xlsx", base_sheets())
    (tmp_path / "prodbook.toml").write_text('[settings]\n"Due Soon Days" = "soon"\n', encoding="utf-8")
    result = run(path, ["ta"], ctx(today=date(2027, 3, 1)))
    said = assert_finding(result.findings, Code.SETTING, file="prodbook.toml", key="Due Soon Days")
    assert said.sheet is None and said.column is None


def test_a_setting_name_showing_an_excel_error_is_named_and_the_other_settings_still_apply(tmp_path):
    sheets = base_sheets()
    sheets["Config"] = [["Setting", "Value"], ["#REF!", 10], ["Due Soon Days", 30]]  # a deleted cell's reference
    path = write_book(tmp_path / "t.xlsx", sheets)
    result = run(path, REFRESH, ctx(today=date(2027, 3, 1)))
    bad = assert_finding(result.findings, Code.BAD_VALUE, sheet="Config", row=2, column="Setting")
    assert "#REF!" in bad.text()
    assert ta_rows(path)[("4500000001", "S1", "Navy", "CUT")]["Status"] == "Due soon"  # row 3 was read


def test_a_mapping_left_blank_is_the_default_name_and_a_bad_date_order_says_what_to_type(tmp_path):
    """"Column: Orders / Qty" or "Sheet: Orders" with a blank Value (a row cleared by hand) leaves the
    default name; before, the T&A stopped on an unexpected problem. A wrong Date Order says what to type,
    not Python's enum message."""
    sheets = base_sheets()
    sheets["Config"] = [["Setting", "Value"], ["Column: Orders / Qty", " "], ["Sheet: Orders", None],
                        ["Date Order", "YMD"], ["Due Soon Days", "a week"]]
    path = write_book(tmp_path / "t.xlsx", sheets)
    result = run(path, REFRESH, ctx(today=date(2027, 3, 1)))
    assert not [f for f in result.findings if f.code is Code.INTERNAL], [f.text() for f in result.findings]
    assert len(ta_rows(path)) == 10  # both PO lines planned from the Orders sheet
    order = assert_finding(result.findings, Code.SETTING, sheet="Config", row=4, column="Value")
    assert "'YMD' is not a date order: type MDY (03/04/2027 is 4 March) or DMY" in order.text()
    days = assert_finding(result.findings, Code.SETTING, sheet="Config", row=5, column="Value")
    assert "the default applies" in days.text() and "Allowed" not in days.text()


def test_a_mapping_names_prodbooks_sheet_in_any_case_and_a_name_it_does_not_know_is_said(tmp_path):
    """"Sheet: orders" is the Orders sheet (it was passed over: the T&A stopped, no sheet 'Orders'); a
    mapping naming no sheet or column of prodbook's is named on its Setting cell, with what to name."""
    sheets = base_sheets()
    orders = sheets.pop("Orders")
    orders[0][3] = "Units"
    sheets["PO Lines"] = orders
    sheets["Config"] = [["Setting", "Value"], ["Sheet: orders", "PO Lines"], ["column: ORDERS / qty", "Units"],
                        ["Column: Orders / Quantity", "Pcs"], ["Sheet: Order", "POs"]]
    path = write_book(tmp_path / "t.xlsx", sheets)
    result = run(path, ["ta"], ctx(today=date(2027, 3, 1)))
    assert not [f for f in result.findings if f.severity == "error"], [f.text() for f in result.findings]
    assert len(ta_rows(path)) == 10
    column = assert_finding(result.findings, Code.SETTING, sheet="Config", row=4, column="Setting")
    assert "the Orders sheet has no column 'Quantity'. Name one of its columns after the '/': PO #, " \
           "Style #, Color, Qty" in column.text()
    sheet = assert_finding(result.findings, Code.SETTING, sheet="Config", row=5, column="Setting")
    assert "prodbook has no sheet 'Order'. Name one of prodbook's sheets after the colon: Styles, Orders" \
           in sheet.text()
    assert not [f for f in result.findings if f.code is Code.SETTING and f.row in (2, 3)]


@pytest.mark.parametrize("name", ["Due Soon Days", "WIP Stale Days", "Transit Days Air", "Transit Days Sea",
                                  "On-Time Tolerance Days", "Courier Days", "Lab Dip Review Days", "Dismiss Days"])
def test_a_days_setting_of_a_billion_days_is_named_and_the_default_applies(tmp_path, name):
    """'Due Soon Days' 1E+9 (a paste gone wrong) stopped the follow-ups and 'WIP Stale Days' the scorecard:
    a date that many days from today is past any calendar. Each days setting takes at most ten years."""
    sheets = base_sheets()
    sheets["Config"] = [["Setting", "Value"], [name, 1e9]]
    path = write_book(tmp_path / "t.xlsx", sheets)
    result = run(path, (*REFRESH, "report", "scorecard"), ctx(today=date(2027, 3, 1)))
    assert not [f for f in result.findings if f.code is Code.INTERNAL], [f.text() for f in result.findings]
    said = assert_finding(result.findings, Code.SETTING, sheet="Config", column="Value")
    assert "more days than prodbook plans with; type at most 3,650 (ten years)" in said.text()


def test_a_cost_setting_of_a_number_no_one_meant_is_named(tmp_path):
    from prodbook.core.config import build_config

    config, found = build_config([("Air Cost per Unit", 1e300, 5), ("Extra Shift Cost per Day", 800, 6)], "t.xlsx")
    assert config.air_cost_per_unit == 2.5 and config.shift_cost_per_day == 800
    (said,) = found
    assert said.row == 5 and "type at most 999,999 (USD)" in said.text()


def test_ruling_blend_is_a_percentage(tmp_path):
    """"60%" typed as text is 60 (it was 'not a number of days'); 5000 is named."""
    from prodbook.core.config import Config, percent_setting

    found: list = []
    assert percent_setting(Config(extra={"ruling blend %": "55%"}), "Ruling Blend %", 60.0, "t.xlsx", found) == 55
    assert percent_setting(Config(extra={"ruling blend %": 5000}), "Ruling Blend %", 60.0, "t.xlsx", found) == 60
    assert len(found) == 1 and "'5000' is not a percentage from 0 to 100" in found[0].text()


def test_an_ex_factory_typed_as_the_last_day_excel_knows_plans_what_fits_and_stops_nothing(tmp_path):
    """31-Dec-9999 is some systems' "no date yet": the in-DC 30 days after it is past Excel's last day, so it is
    left blank as a working-day offset past it is; the daily run, its exceptions and the report go on."""
    sheets = base_sheets()
    sheets["Orders"][1][5] = date(9999, 12, 31)
    path = write_book(tmp_path / "t.xlsx", sheets)
    result = run(path, (*REFRESH, "report"), ctx(today=date(2027, 3, 1)))
    assert not [f for f in result.findings if f.code is Code.INTERNAL], [f.text() for f in result.findings]
    assert_finding(result.findings, Code.DATE_YEAR_UNLIKELY, sheet="Orders", row=2, column="Ex-Factory")
    rows = ta_rows(path)
    assert rows[("4500000001", "S1", "Navy", "XF")]["Planned"].date() == date(9999, 12, 31)
    assert rows[("4500000001", "S1", "Navy", "DC")]["Planned"] is None
    assert rows[("4500000002", "S2", "Black", "DC")]["Planned"].date() == date(2027, 5, 30)  # the other line


def test_a_workbook_saved_by_someone_else_during_the_run_is_not_overwritten(tracker):
    from prodbook.jobs.ta_job import rebuild
    from prodbook.workbook.filebook import FileBook
    from prodbook.workbook.tracker import Tracker

    book = FileBook(tracker)
    rebuild(Tracker(book), ctx())
    assert book.pending
    type_in(tracker, "Orders", {(2, 4): 999})  # meanwhile the APM saves a change from Excel
    theirs = digest(tracker)
    with pytest.raises(WorkbookLocked, match="changed by someone or something else"):
        book.commit()
    assert digest(tracker) == theirs


def test_a_renamed_closures_sheet_is_named_in_its_findings(tmp_path):
    sheets = base_sheets()
    closures = sheets.pop("Closures")
    closures.append([closures[1][0], date(2027, 2, 20), date(2027, 2, 10), "typed backwards"])
    sheets["Factory Shutdowns"] = closures
    sheets["Config"] = [["Setting", "Value"], ["Sheet: Closures", "Factory Shutdowns"]]
    path = write_book(tmp_path / "t.xlsx", sheets, tables=False)
    result = run(path, ["ta"], ctx())
    assert_finding(result.findings, Code.CALENDAR, sheet="Factory Shutdowns", row=len(closures), column="To")


@pytest.mark.parametrize("jobs", [["ta"], ["ta", "exceptions", "followups"]])
def test_a_ta_past_excels_row_limit_is_refused_before_anything_is_written(tracker, monkeypatch, jobs):
    """A sheet holds 1,048,576 rows; a T&A that needs more is refused with what to do, the file untouched.
    (The limit is lowered here: a real one would take a million-row file.)"""
    planned = run(tracker, ["ta"], ctx(dry_run=True)).outcomes[0].data["milestones"]
    before = digest(tracker)
    monkeypatch.setattr("prodbook.workbook.tracker.SHEET_ROWS", planned)  # header + every milestone: one too many
    with pytest.raises(UserError) as refused:
        run(tracker, list(jobs), ctx())
    text = str(refused.value)
    assert f"'T&A' would need {planned + 1:,} rows" in text and f"holds {planned:,}" in text
    assert "Archive a finished season" in text and "split the tracker" in text and "Nothing was written" in text
    assert digest(tracker) == before
    monkeypatch.setattr("prodbook.workbook.tracker.SHEET_ROWS", planned + 1)  # exactly full: fits
    assert run(tracker, ["ta"], ctx()).commit.written == tracker


def test_a_plan_past_excels_row_limit_is_refused_before_the_ta_is_read(tracker, monkeypatch):
    """A tracker past the limit has a T&A of a million rows: the plan alone says it will not fit, so that
    sheet is not read first (at 50,000 PO lines that read took most of the time to say no)."""
    from prodbook.workbook.filebook import FileBook

    run(tracker, ["ta"], ctx())  # a T&A on the sheet, as a real tracker has
    planned = run(tracker, ["ta"], ctx(dry_run=True)).outcomes[0].data["milestones"]
    read: list[str] = []
    real = FileBook.read_sheet
    monkeypatch.setattr(FileBook, "read_sheet", lambda self, sheet: read.append(sheet) or real(self, sheet))
    monkeypatch.setattr("prodbook.workbook.tracker.SHEET_ROWS", planned)
    with pytest.raises(UserError, match=f"'T&A' would need {planned + 1:,} rows"):
        run(tracker, ["ta"], ctx())
    assert "Orders" in read and "T&A" not in read


def test_with_a_bad_orders_row_the_limit_is_still_checked_once_the_ta_is_read(tracker, monkeypatch):
    """A PO line whose Orders row has a bad cell keeps its T&A rows as they are, so the plan alone cannot
    say how many rows the sheet needs: the check comes after the T&A is read, and still refuses."""
    run(tracker, ["ta"], ctx())
    planned = run(tracker, ["ta"], ctx(dry_run=True)).outcomes[0].data["milestones"]
    wb = openpyxl.load_workbook(tracker)
    wb["Orders"]["F3"] = "soon"  # the second PO line's Ex-Factory: its rows stay as they are
    wb.save(tracker)
    before = digest(tracker)
    monkeypatch.setattr("prodbook.workbook.tracker.SHEET_ROWS", planned)
    with pytest.raises(UserError, match=r"'T&A' would need [\d,]+ rows"):
        run(tracker, ["ta"], ctx())
    assert digest(tracker) == before


def test_any_generated_sheet_past_excels_row_limit_is_refused_before_anything_is_written(tracker, monkeypatch):
    """Not only the T&A: a sheet a run rewrites (here the Style Snapshot) that would pass the limit is refused,
    naming it, before the writer could make a file Excel cannot open. (The limit is lowered here.)"""
    milestones = run(tracker, ["ta"], ctx(dry_run=True)).outcomes[0].data["milestones"]
    monkeypatch.setattr("prodbook.workbook.tracker.SHEET_ROWS", milestones + 2)  # the T&A fits
    before = digest(tracker)
    with pytest.raises(UserError) as refused:
        run(tracker, list(REFRESH), ctx())
    assert refused.value.finding.sheet == "Style Snapshot"
    assert re.search(r"'Style Snapshot' would need ([\d,]+) rows \(its header and [\d,]+ rows of data\)",
                     str(refused.value))
    assert digest(tracker) == before


def test_forecasts_stay_dates_when_a_milestone_is_marked_na(tracker):
    """An Actual of N/A blanks that milestone's Forecast; the other Forecasts written in the same run are
    still dates, shown as dates."""
    run(tracker, ["ta"], ctx())
    header = sheet_values(tracker, "T&A")[0]
    actual_col, forecast_col = header.index("Actual") + 1, header.index("Forecast") + 1
    wb = openpyxl.load_workbook(tracker)
    ws = wb["T&A"]
    ws.cell(row=2, column=actual_col, value="N/A")
    ws.cell(row=3, column=actual_col, value=date(2027, 3, 20))  # late: moves the Forecasts after it
    wb.save(tracker)
    run(tracker, ["ta"], ctx())
    ws = openpyxl.load_workbook(tracker)["T&A"]
    assert ws.cell(row=2, column=forecast_col).value is None
    written = [ws.cell(row=r, column=forecast_col) for r in range(3, ws.max_row + 1)]
    assert written and all(c.value is not None for c in written)
    assert not [c.coordinate for c in written if "h" in c.number_format.lower()]


def test_a_setting_named_nearly_as_one_prodbook_reads_is_named():
    """'Due Son Days' = 5 did nothing, without a word: the default 7 applied."""
    from prodbook.core.config import build_config
    config, found = build_config([("Due Son Days", 5, 4), ("Lab Dip Resubmit Days", 9, 5),
                                  ("WIP Vendor: NBT*", "NBT", 6), ("Buyer", "Target", 7)], "t.xlsx")
    (said,) = found
    assert (said.row, said.column, said.value) == (4, "Setting", "Due Son Days")
    assert "did you mean 'Due Soon Days'" in said.message and config.due_soon_days == 7


def test_every_setting_the_code_reads_is_known():
    """The list a typo is measured against holds every name read anywhere (else a real setting would be
    'nearly' another and named as a typo): each quoted name the code asks the Config for."""
    import re

    from prodbook.core.config import KNOWN_PREFIXES, KNOWN_SETTINGS
    from prodbook.core.model.sheets import ALL_SHEETS
    from prodbook.excel import ribbon
    from prodbook.workbook import vendor_files
    sheet_names = {s.name for s in ALL_SHEETS}
    known = {k.lower() for k in KNOWN_SETTINGS}
    from prodbook.core.development.styles_check import MARGIN_SETTINGS
    from prodbook.core.exceptions.lines import _SETTING_NAMES
    asked = set(_SETTING_NAMES.values()) | {ribbon.OUTLOOK_FOLDER, ribbon.OUTLOOK_DAYS, ribbon.WIP_FOLDER,
                                                       vendor_files.CSV_ENCODING} | {n for n, _ in MARGIN_SETTINGS}
    call = re.compile(r"""(?:config\.get|\bget|days_setting\(config,|_setting\(tracker,|setting\(config,)\(?\s*"""
                      r"""f?"([A-Z][^"{]*)""")
    for path in (Path(__file__).parents[1] / "src" / "prodbook").rglob("*.py"):
        for name in call.findall(path.read_text(encoding="utf-8")):
            if name.rstrip(": ").lower() + ":" in KNOWN_PREFIXES or name.lower().startswith(KNOWN_PREFIXES):
                continue
            if (" " in name or name.endswith("%")) and name not in sheet_names:  # not 'XF', 'From', a sheet
                asked.add(name)
    assert {a for a in asked if a.lower() not in known} == set()
