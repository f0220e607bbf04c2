"""Config 'Function Errors': the spreadsheet functions' errors as text with the reason (Text, the default) or as
Excel's own error values (Excel), which IFERROR, ISERROR, AGGREGATE and conditional formats see.

In Excel mode Python hands the bare code ('#VALUE!') to the add-in's VBA wrapper, which turns exactly the seven
codes into CVErr values (tests/test_addin.py checks the built VBA); the reason is kept for =PRODBOOK_WHY(cell).
Called here as Excel calls them (2-D lists in and out), the workbook read through the live back end on the
stand-in for Excel (tests/fakexl.py) where the setting's own reading is what is tested.
"""

from __future__ import annotations

import dataclasses
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import add_config, assert_finding, base_sheets, write_book
from prodbook.core.config import FunctionErrors
from prodbook.core.findings import Code
from prodbook.excel import errors, formulas, udfs
from prodbook.excel.formulas import BookData
from prodbook.workbook.filebook import FileBook
from prodbook.workbook.tracker import Tracker

sys.path.insert(0, str(Path(__file__).parent))

from fakexl import FakeBook  # noqa: E402
from test_addin_functions2 import EXCEL_ROWS, col, small_book  # noqa: E402

SEVEN = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"}


@pytest.fixture(scope="module")
def text() -> BookData:
    return small_book()


@pytest.fixture(scope="module")
def excel(text: BookData) -> BookData:
    return dataclasses.replace(text, function_errors=FunctionErrors.EXCEL)


# --- the setting ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed,mode", [(None, FunctionErrors.TEXT), ("Text", FunctionErrors.TEXT),
                                        ("Excel", FunctionErrors.EXCEL), (" excel ", FunctionErrors.EXCEL),
                                        ("TEXT", FunctionErrors.TEXT)])
def test_the_setting_is_read_from_the_config_sheet_where_the_functions_read_it(tmp_path: Path, typed: Any,
                                                                               mode: FunctionErrors) -> None:
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    if typed is not None:
        add_config(path, ("Function Errors", typed))
    tracker = Tracker(FileBook(path))
    assert tracker.config.function_errors is mode
    assert [f for f in tracker.findings if f.code is Code.SETTING] == []
    assert formulas.book_data(tracker, range(2026, 2029)).function_errors is mode


def test_a_bad_value_names_the_config_row_and_the_two_values_and_text_applies(tmp_path: Path) -> None:
    path = add_config(write_book(tmp_path / "tracker.xlsx", base_sheets()), ("Due Soon Days", 5),
                      ("Function errors", "yes"))
    tracker = Tracker(FileBook(path))
    said = assert_finding(tracker.findings, Code.SETTING, sheet="Config", row=3, column="Value")
    assert "'Function errors'" in said.message and "'yes'" in said.message
    assert "Text" in said.message and "Excel" in said.message
    assert "sheet 'Config', row 3" in said.text()
    assert tracker.config.function_errors is FunctionErrors.TEXT


# --- what Python returns in each mode ----------------------------------------------------------------------


def test_text_mode_gives_the_reason_and_excel_mode_the_bare_code(text: BookData, excel: BookData) -> None:
    day = datetime(2027, 4, 15)
    assert udfs.TA_DUE(day, "abc", "CN1", caller=text) == "#VALUE! offset must be a number (got 'abc')"
    assert udfs.TA_DUE(day, "abc", "CN1", caller=excel) == "#VALUE!"
    assert udfs.TA_DUE(day, 3, "ZZ9", caller=excel) == "#N/A"
    assert udfs.TA_DUE(datetime(9999, 12, 30), 5, caller=excel) == "#NUM!"
    assert udfs.TA_DUE("#REF!", 3, "CN1", caller=excel) == "#REF!"  # an error coming in stays that error
    assert udfs.TA_DUE("#SPILL!", 3, "CN1", caller=excel) == "#VALUE!"  # no VBA error value for #SPILL!
    no_ta = dataclasses.replace(excel, ta=None)
    assert udfs.TA_DATE("1", "S1", "Navy", "LD", caller=no_ta) == "#N/A"  # no T&A sheet: a whole-call error
    assert udfs.TA_DATE("1", "S1", "Navy", "LD", caller=excel) == "#N/A"  # no such T&A row
    assert udfs.TA_DUE(col([day] * 3), col([1, 2]), caller=excel) == "#VALUE!"  # sizes that disagree
    # values are the same in both modes; a text that is no error stays text
    assert udfs.TA_DUE(day, 3, "CN1", caller=excel) == udfs.TA_DUE(day, 3, "CN1", caller=text) == \
        datetime(2027, 4, 20)
    assert udfs.TA_STATUS(datetime(2027, 3, 10), "N/A", datetime(2027, 3, 5), caller=excel) == "N/A"
    assert udfs.TA_DUE(None, 3, "CN1", caller=excel) is None


_ODD = [None, "", "abc", "#N/A", "#DIV/0!", True, 0, -1, 0.5, 1e15, float("nan"), 60, 2958466, "2027-02-29",
        date(2027, 3, 1), "BD1", "XX", "Calendar", "N/A", -2146826243]
_SANE = {"TA_DUE": [datetime(2027, 3, 1), 10.0, "BD1", "Working"],
         "FACTORY_WORKDAY": [datetime(2027, 3, 1), -10.0, "CN1"],
         "FACTORY_NETWORKDAYS": [datetime(2027, 3, 1), datetime(2027, 4, 1), "CN1"],
         "TA_STATUS": [datetime(2027, 3, 1), None, datetime(2027, 2, 1)],
         "TA_DATE": ["4500000001", "S1", "Navy", "LD", "Forecast"]}


def _code(value: Any) -> Any:
    """What Excel mode must give for a cell Text mode gives ``value`` for."""
    if isinstance(value, str) and value.startswith("#"):
        word = value.split(" ", 1)[0]
        return word if word in SEVEN else "#VALUE!"
    return value


@pytest.mark.parametrize("name", sorted(_SANE))
def test_excel_mode_is_text_mode_with_each_reason_cut_to_its_code(text: BookData, excel: BookData,
                                                                  name: str) -> None:
    """Every odd value in every argument, alone and in a column: each cell in Excel mode is the Text mode's
    cell, an error text cut to one of the seven codes; nothing else changes."""
    fn = getattr(udfs, name)
    sane = _SANE[name]
    errors_seen = set()
    for at in range(len(sane)):
        for odd in _ODD:
            for arg in (odd, col([odd, sane[at], odd])):
                args = [*sane[:at], arg, *sane[at + 1:]]
                said, got = fn(*args, caller=text), fn(*args, caller=excel)
                if isinstance(said, list):
                    assert got == [[_code(v) for v in row] for row in said], (name, at, odd)
                    errors_seen |= {v for row in got for v in row if v in SEVEN}
                else:
                    assert got == _code(said), (name, at, odd)
                    errors_seen.add(got)
    assert errors_seen & SEVEN


def test_a_whole_column_in_excel_mode(excel: BookData, text: BookData) -> None:
    """=TA_DUE(F:F, G:G, "CN1"): the filled rows' errors are codes, the million empty rows below stay blank;
    with an offset that is no number every empty row is an error too, each a code."""
    anchors = col([datetime(2027, 4, 15), "abc", None, datetime(2027, 4, 16)], EXCEL_ROWS)
    out = udfs.TA_DUE(anchors, -15.0, "CN1", caller=excel)
    assert len(out) == EXCEL_ROWS and all(len(r) == 1 for r in out)
    said = udfs.TA_DUE(anchors, -15.0, "CN1", caller=text)
    assert said[1][0].startswith("#VALUE! anchor must be a date")
    assert [r[0] for r in out[:4]] == [said[0][0], "#VALUE!", None, said[3][0]]
    assert all(r == [None] for r in out[4:])
    bad = udfs.TA_DUE(anchors, "abc", "CN1", caller=excel)
    assert len(bad) == EXCEL_ROWS and all(r == ["#VALUE!"] for r in bad)
    assert udfs.TA_DUE(anchors, "abc", "CN1", caller=text)[-1][0] == "#VALUE! offset must be a number (got 'abc')"


# --- the reason, for =PRODBOOK_WHY(cell) -------------------------------------------------------------------


@pytest.fixture
def book(tmp_path: Path) -> FakeBook:
    """A tracker set to Excel errors, open in (the stand-in for) Excel, with a sheet of the APM's formulas."""
    path = add_config(write_book(tmp_path / "tracker.xlsx", base_sheets()), ("Function Errors", "Excel"))
    book = FakeBook.from_file(path)
    book.fullname = str(path)
    book.sheets.add("Plan")
    formulas.clear_cache()
    errors.REASONS.clear()
    return book


def test_excel_mode_is_read_from_the_workbook_of_the_calling_cell(book: FakeBook) -> None:
    caller = book.sheets["Plan"].range((2, 3))
    assert udfs.TA_DUE([["soon"]], [[3.0]], [["CN1"]], None, caller=caller) == "#VALUE!"
    book.sheets["Config"].cells[(2, 2)] = "Text"
    formulas.clear_cache()
    assert udfs.TA_DUE([["soon"]], [[3.0]], [["CN1"]], None, caller=caller) == \
        "#VALUE! anchor must be a date (got 'soon')"


def test_prodbook_why_gives_the_reason_of_the_cell_excel_shows_as_an_error(book: FakeBook) -> None:
    plan = book.sheets["Plan"]
    assert udfs.TA_DUE([["soon"]], [[3.0]], [["CN1"]], None, caller=plan.range((2, 3))) == "#VALUE!"
    plan.cells[(2, 3)] = "#VALUE!"  # what Excel shows there (xlwings reads an error value so, err_to_str)
    assert udfs.PRODBOOK_WHY(plan.range((2, 3))) == "#VALUE! anchor must be a date (got 'soon')"
    # a spilled column: the reason of the cell's own row
    out = udfs.TA_DUE(col([datetime(2027, 4, 15), None, "x", datetime(2027, 4, 16)]), [[1.0]], [["ZZ9"]], None,
                      caller=plan.range((2, 5)))
    assert [r[0] for r in out] == ["#N/A", None, "#VALUE!", "#N/A"]
    for row, value in zip(range(2, 6), out):
        plan.cells[(row, 5)] = value[0]
    assert udfs.PRODBOOK_WHY(plan.range((4, 5))) == "#VALUE! anchor must be a date (got 'x')"
    assert udfs.PRODBOOK_WHY(plan.range((5, 5))) == "#N/A vendor 'ZZ9' is not on the Vendors sheet"
    assert udfs.PRODBOOK_WHY(plan.range((3, 5))) is None  # a blank: nothing to explain


def test_prodbook_why_of_a_cell_with_no_reason_kept_says_what_to_do(book: FakeBook) -> None:
    plan = book.sheets["Plan"]
    plan.cells[(7, 2)] = "#DIV/0!"  # the team's own =A1/0, or a function not recalculated since Excel opened
    said = udfs.PRODBOOK_WHY(plan.range((7, 2)))
    assert "Plan!B7" in said and "#DIV/0!" in said and "Ctrl+Alt+F9" in said
    plan.cells[(8, 2)] = 42
    assert udfs.PRODBOOK_WHY(plan.range((8, 2))) is None


def test_prodbook_why_of_an_error_that_came_in_names_it(book: FakeBook) -> None:
    plan = book.sheets["Plan"]
    assert udfs.TA_DUE([["#N/A"]], [[3.0]], [["CN1"]], None, caller=plan.range((2, 4))) == "#N/A"
    plan.cells[(2, 4)] = "#N/A"
    said = udfs.PRODBOOK_WHY(plan.range((2, 4)))
    assert "#N/A" in said and "a cell its formula reads" in said


def test_prodbook_why_in_text_mode_is_the_cell_s_own_text(book: FakeBook) -> None:
    plan = book.sheets["Plan"]
    plan.cells[(2, 2)] = "#VALUE! offset must be a number (got 'abc')"
    assert udfs.PRODBOOK_WHY(plan.range((2, 2))) == "#VALUE! offset must be a number (got 'abc')"


def test_prodbook_why_of_a_stale_reason_does_not_give_it(book: FakeBook) -> None:
    """A cell that gave #VALUE! and now, fixed, shows a date, or shows another error than the one kept: the
    old reason is not given for it."""
    plan = book.sheets["Plan"]
    udfs.TA_DUE([["soon"]], [[3.0]], [["CN1"]], None, caller=plan.range((2, 3)))
    plan.cells[(2, 3)] = datetime(2027, 4, 20)
    assert udfs.PRODBOOK_WHY(plan.range((2, 3))) is None
    plan.cells[(2, 3)] = "#REF!"
    assert "Ctrl+Alt+F9" in udfs.PRODBOOK_WHY(plan.range((2, 3)))


def test_prodbook_why_given_no_cell_says_so() -> None:
    assert "=PRODBOOK_WHY(B2)" in udfs.PRODBOOK_WHY("#VALUE!")


def test_the_newest_call_covering_a_cell_gives_its_reason_and_old_calls_make_room() -> None:
    """A cell that had its own formula and is now inside another formula's spilled column: the spill's reason
    (the newer call), not the old one; a full memory forgets its oldest call first."""
    reasons = errors.Reasons(size=2)
    reasons.keep(("t.xlsx", "Plan", 4, 2), "#VALUE! old")
    reasons.keep(("t.xlsx", "Plan", 2, 2), [["#N/A a"], [None], ["#VALUE! new"]])
    assert reasons.reason(("t.xlsx", "Plan", 4, 2)) == "#VALUE! new"
    assert reasons.reason(("t.xlsx", "Plan", 2, 2)) == "#N/A a"
    assert reasons.reason(("t.xlsx", "Other", 4, 2)) is None and reasons.reason(("t.xlsx", "Plan", 5, 2)) is None
    reasons.keep(("t.xlsx", "Plan", 9, 9), "#NUM! third")
    assert reasons.reason(("t.xlsx", "Plan", 4, 2)) == "#VALUE! new"  # the oldest, (4, 2)'s own, went first
    reasons.keep(("t.xlsx", "Plan", 9, 8), "#NUM! fourth")
    assert reasons.reason(("t.xlsx", "Plan", 4, 2)) is None and reasons.reason(("t.xlsx", "Plan", 9, 8))
