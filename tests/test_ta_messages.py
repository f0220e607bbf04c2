"""What the T&A run says about typos in the Orders dates and the T&A Templates: one message per cell, for the
APM, naming the sheet, row, column and value (real workbooks, the whole `ta` job)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from conftest import assert_finding, base_sheets, sheet_values, write_book
from prodbook.core.findings import Code, Finding
from prodbook.jobs.base import Context
from prodbook.jobs.runner import REFRESH, run

TODAY = date(2027, 3, 1)


def ctx() -> Context:
    return Context(today=TODAY, now=datetime(2027, 3, 1, 9, 0))


def rebuild(tmp_path: Path, sheets: dict[str, list[list[Any]]]) -> tuple[Path, list[Finding]]:
    path = write_book(tmp_path / "t.xlsx", sheets)
    return path, run(path, ["ta"], ctx()).findings


def at(findings: list[Finding], sheet: str, row: int, column: str | None = None) -> list[Finding]:
    return [f for f in findings if f.sheet == sheet and f.row == row and (column is None or f.column == column)]


def ta_rows(path: Path) -> dict[tuple, list]:
    rows = sheet_values(path, "T&A")
    return {tuple(r[:3]) + (r[4],): r for r in rows[1:] if r[0]}


# 1. an In-DC typed before the Ex-Factory

def test_an_in_dc_before_the_ex_factory_is_an_error_at_the_in_dc_cell(tmp_path):
    sheets = base_sheets()
    sheets["Orders"][1][6] = date(2027, 4, 5)  # Ex-Factory 15-Apr-2027: In-DC typed 10 days before it
    path, findings = rebuild(tmp_path, sheets)
    f = assert_finding(findings, Code.BAD_DATE, sheet="Orders", row=2, column="In-DC")
    assert f.severity == "error" and f.value == "2027-04-05"
    for words in ("05-Apr-27", "15-Apr-27", "before the Ex-Factory", "Check both dates", "still built"):
        assert words in f.message
    assert f.key == "4500000001 / S1 / Navy"
    assert not at(findings, "Orders", 3), "the other line's dates are in order"
    # the line's T&A is still built from the dates as typed, as the message says
    assert ta_rows(path)[("4500000001", "S1", "Navy", "XF")][7].date() == date(2027, 4, 15)


# 2. a bad Offset: its own message, and the template on hold, never "empty"

def test_a_bad_offset_is_said_once_at_its_cell_and_never_called_empty(tmp_path):
    sheets = base_sheets()
    sheets["T&A Templates"][2][5] = 2.5  # LD-APP, row 3
    sheets["T&A Templates"][3][5] = "-2 days"  # CUT, row 4
    _, findings = rebuild(tmp_path, sheets)
    for row, value in ((3, 2.5), (4, "-2 days")):
        cell = at(findings, "T&A Templates", row, "Offset")
        assert len(cell) == 1, [f.text() for f in cell]
        assert cell[0].value == value and "empty" not in cell[0].message
    assert not [f for f in findings if "empty" in f.message]
    held = [f for f in findings if f.code is Code.TEMPLATE_ROW_INVALID]
    assert len(held) == 1
    assert (held[0].row, held[0].column, held[0].value) == (3, "Template", "Knit")
    assert "on hold" in held[0].message and "row 3 (Offset)" in held[0].message and "row 4 (Offset)" in held[0].message
    assert "should be a whole number" not in held[0].message  # the cell's message is not repeated


# 3. names matched as Excel matches them

def test_template_names_and_anchors_match_in_any_case(tmp_path):
    sheets = base_sheets()
    sheets["Styles"][1][3] = " knit "  # S1's template, typed in lower case with spaces
    sheets["T&A Templates"][2][4] = "ld"  # LD-APP anchored on 'ld', the code 'LD'
    sheets["T&A Templates"][3][4] = "xf"  # CUT anchored on 'xf', the code 'XF'
    path, findings = rebuild(tmp_path, sheets)
    assert not [f for f in findings if f.severity == "error"], [f.text() for f in findings]
    rows = ta_rows(path)
    assert ("4500000001", "S1", "Navy", "LD-APP") in rows
    assert rows[("4500000001", "S1", "Navy", "CUT")][7] is not None


def test_a_template_name_that_matches_nothing_names_the_nearest(tmp_path):
    sheets = base_sheets()
    sheets["Styles"][1][3] = "Knt"
    _, findings = rebuild(tmp_path, sheets)
    f = assert_finding(findings, Code.TEMPLATE_MISSING, sheet="Styles", row=2, column="T&A Template")
    assert f.value == "Knt" and "did you mean 'Knit'" in f.message
    assert "reported above" not in f.message


def test_an_anchor_that_matches_nothing_names_the_nearest_code(tmp_path):
    sheets = base_sheets()
    sheets["T&A Templates"][2][4] = "LDD"
    _, findings = rebuild(tmp_path, sheets)
    f = assert_finding(findings, Code.TEMPLATE_ANCHOR, sheet="T&A Templates", row=3, column="Anchor")
    assert "did you mean 'LD'" in f.message and "on hold" in f.message


# 4. a code listed twice in a template

def test_a_code_listed_twice_is_one_message_naming_the_template_the_code_and_both_rows(tmp_path):
    sheets = base_sheets()
    sheets["T&A Templates"].append(["Knit", "xf", "Ex-factory again", "Vendor", "Ex-Factory", 0, "Working",
                                    "Yes", "Shipping"])  # row 7 repeats row 5's XF
    _, findings = rebuild(tmp_path, sheets)
    said = at(findings, "T&A Templates", 7)
    assert len(said) == 1, [f.text() for f in said]
    f = said[0]
    assert f.code is Code.TEMPLATE_DUPLICATE_CODE and f.column == "Code" and f.value == "xf"
    for words in ("template 'Knit'", "'xf' twice", "rows 5 and 7", "on hold", "deleted or its Code renamed"):
        assert words in f.message
    assert not [f for f in findings if f.code in (Code.DUPLICATE_KEY, Code.TEMPLATE_ROW_INVALID)]


def test_the_daily_refresh_says_a_code_listed_twice_and_an_in_dc_before_the_ex_factory_once(tmp_path):
    """The refresh runs the T&A build, then validate: validate said the duplicate its own way ('this Template +
    Code repeats row 5 ... the later row is ignored') beside the build's message, and said nothing of the In-DC
    when run on its own."""
    sheets = base_sheets()
    sheets["T&A Templates"].append(["Knit", "xf", "Ex-factory again", "Vendor", "Ex-Factory", 0, "Working",
                                    "Yes", "Shipping"])
    sheets["Orders"][1][6] = date(2027, 4, 5)
    path = write_book(tmp_path / "t.xlsx", sheets)
    refreshed = run(path, REFRESH, ctx()).findings
    assert [f.code for f in at(refreshed, "T&A Templates", 7)] == [Code.TEMPLATE_DUPLICATE_CODE]
    assert len(at(refreshed, "Orders", 2, "In-DC")) == 1
    validated = run(path, ["validate"], ctx()).findings
    assert [f.code for f in at(validated, "T&A Templates", 7)] == [Code.TEMPLATE_DUPLICATE_CODE]
    assert [f.code for f in at(validated, "Orders", 2, "In-DC")] == [Code.BAD_DATE]
