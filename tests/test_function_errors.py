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

from fakexl import FakeBook, Formula  # noqa: E402
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
    plan.cells[(2, 3)] = _shows("#VALUE!", "=TA_DUE(F2,3,D2)")  # xlwings reads an error value so (err_to_str)
    assert udfs.PRODBOOK_WHY(plan.range((2, 3))) == "#VALUE! anchor must be a date (got 'soon')"
    # a spilled column: the reason of the cell's own row
    out = udfs.TA_DUE(col([datetime(2027, 4, 15), None, "x", datetime(2027, 4, 16)]), [[1.0]], [["ZZ9"]], None,
                      caller=plan.range((2, 5)))
    assert [r[0] for r in out] == ["#N/A", None, "#VALUE!", "#N/A"]
    for row, value in zip(range(2, 6), out):
        plan.cells[(row, 5)] = value[0]  # a spilled cell: no formula of its own
    plan.cells[(2, 5)] = _shows(out[0][0], '=TA_DUE(F2:F5,1,"ZZ9")')
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
    plan.cells[(2, 4)] = _shows("#N/A", "=TA_DUE(F2,3,D2)")
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


def _shows(value: Any, formula: str) -> Any:
    """A cell holding ``formula`` that Excel calculated to ``value`` (the stand-in calculates nothing)."""
    cell = Formula(formula)
    cell.shows = value
    return cell


def test_a_cell_that_errs_then_computes_cleanly_keeps_no_reason(book: FakeBook) -> None:
    """B2 gave #VALUE! (kept), then computed a date: its reason goes. When the APM then adds +H2 (a text) and
    Excel's own + gives #VALUE!, PRODBOOK_WHY does not give TA_DUE's old reason. A spilled column alike."""
    plan = book.sheets["Plan"]
    assert udfs.TA_DUE([["soon"]], [[3.0]], [["CN1"]], None, caller=plan.range((2, 3))) == "#VALUE!"
    assert udfs.TA_DUE([[datetime(2027, 4, 15)]], [[3.0]], [["CN1"]], None, caller=plan.range((2, 3))) == \
        datetime(2027, 4, 20)
    plan.cells[(2, 3)] = _shows("#VALUE!", "=TA_DUE(F2,3,\"CN1\")+H2")
    said = udfs.PRODBOOK_WHY(plan.range((2, 3)))
    assert "soon" not in said and "Plan!C2" in said and "Ctrl+Alt+F9" in said
    # a spilled column: an error in row 4, then every row clean; and a cell of its own inside the new spill
    udfs.TA_DUE([["#N/A"]], [[1.0]], [["CN1"]], None, caller=plan.range((5, 5)))
    udfs.TA_DUE(col([datetime(2027, 4, 15), "x", datetime(2027, 4, 16), None]), [[1.0]], [["CN1"]], None,
                caller=plan.range((2, 5)))
    assert udfs.TA_DUE(col([datetime(2027, 4, 15)] * 4), [[1.0]], [["CN1"]], None,
                       caller=plan.range((2, 5)))[1][0] == datetime(2027, 4, 16)
    plan.cells[(2, 5)] = _shows(datetime(2027, 4, 16), "=TA_DUE(F2:F5,1,\"CN1\")")
    for row in (4, 5):
        plan.cells[(row, 5)] = "#N/A"
        assert "Ctrl+Alt+F9" in udfs.PRODBOOK_WHY(plan.range((row, 5)))


def test_a_cell_whose_formula_is_no_longer_prodbook_s_gets_no_prodbook_reason(book: FakeBook) -> None:
    """The APM replaced a TA_DUE giving #N/A by a VLOOKUP giving #N/A: not TA_DUE's reason. Inside a spilled
    column the anchor's formula decides (a spilled cell has none of its own)."""
    plan = book.sheets["Plan"]
    assert udfs.TA_DUE([[datetime(2027, 4, 15)]], [[3.0]], [["ZZ9"]], None, caller=plan.range((2, 3))) == "#N/A"
    plan.cells[(2, 3)] = _shows("#N/A", '=TA_DUE(F2,3,"ZZ9")')
    assert udfs.PRODBOOK_WHY(plan.range((2, 3))) == "#N/A vendor 'ZZ9' is not on the Vendors sheet"
    plan.cells[(2, 3)] = _shows("#N/A", "=VLOOKUP(D2,Vendors!A:B,2,FALSE)")
    said = udfs.PRODBOOK_WHY(plan.range((2, 3)))
    assert "ZZ9" not in said and "Plan!C2" in said and "not one of prodbook's functions" in said
    plan.cells[(2, 3)] = "#N/A"  # typed in
    assert "ZZ9" not in udfs.PRODBOOK_WHY(plan.range((2, 3)))
    # a spill: its own rows follow the anchor's formula; a cell typed over with another formula is not its own
    out = udfs.TA_DUE(col([datetime(2027, 4, 15)] * 3), [[1.0]], [["ZZ9"]], None, caller=plan.range((2, 5)))
    assert [r[0] for r in out] == ["#N/A"] * 3
    plan.cells[(2, 5)] = _shows("#N/A", '=ta_due(F2:F4, 1, "ZZ9")')
    plan.cells[(3, 5)] = "#N/A"
    plan.cells[(4, 5)] = _shows("#N/A", "=MATCH(D4,Vendors!A:A,0)")
    assert udfs.PRODBOOK_WHY(plan.range((3, 5))) == "#N/A vendor 'ZZ9' is not on the Vendors sheet"
    assert "ZZ9" not in udfs.PRODBOOK_WHY(plan.range((4, 5)))
    plan.cells[(2, 5)] = _shows("#N/A", '=IFERROR(1/0,"TA_DUE(")&XLOOKUP(D2,A:A,B:B)')
    assert "ZZ9" not in udfs.PRODBOOK_WHY(plan.range((3, 5)))


def test_a_whole_column_call_keeps_its_error_cells_only(book: FakeBook, text: BookData) -> None:
    """=TA_DUE(F:F, -15, "CN1") over a million rows with one error keeps one cell, not a million rows; with an
    offset that is no number every row is an error, and the million empty rows are kept as one."""
    plan = book.sheets["Plan"]
    anchors = col([datetime(2027, 4, 15), datetime(2027, 4, 16), "abc", datetime(2027, 4, 17)], EXCEL_ROWS)
    out = udfs.TA_DUE(anchors, -15.0, "CN1", caller=plan.range((1, 8)))
    assert out[2] == ["#VALUE!"]
    assert errors.REASONS.cells == 1
    plan.cells[(1, 8)] = _shows(out[0][0], '=TA_DUE(F:F,-15,"CN1")')
    plan.cells[(3, 8)] = "#VALUE!"
    assert udfs.PRODBOOK_WHY(plan.range((3, 8))) == udfs.TA_DUE(anchors, -15.0, "CN1", caller=text)[2][0]
    udfs.TA_DUE(anchors, "abc", "CN1", caller=plan.range((1, 8)))
    assert errors.REASONS.cells <= 5
    plan.cells[(EXCEL_ROWS, 8)] = "#VALUE!"
    assert udfs.PRODBOOK_WHY(plan.range((EXCEL_ROWS, 8))) == "#VALUE! offset must be a number (got 'abc')"
    # PRODBOOK_WHY given a range reads its first cell only
    plan.cells_read = 0
    assert udfs.PRODBOOK_WHY(plan.range((3, 8), (20_000, 8))) == "#VALUE! anchor must be a date (got 'abc')"
    assert plan.cells_read <= 3


def test_the_kept_cells_are_bounded_and_the_oldest_call_goes_first() -> None:
    reasons = errors.Reasons(cells=5)
    reasons.keep(("t.xlsx", "Plan", 2, 2), [["#N/A a"], ["#N/A b"], ["#N/A c"], [None]])
    reasons.keep(("t.xlsx", "Plan", 2, 4), [["#VALUE! d"], [5.0], ["#VALUE! e"]])
    assert reasons.cells == 5 and reasons.reason(("t.xlsx", "Plan", 4, 2)) == "#N/A c"
    reasons.keep(("t.xlsx", "Plan", 9, 9), "#NUM! f")
    assert reasons.cells == 3
    assert reasons.reason(("t.xlsx", "Plan", 2, 2)) is None  # the oldest call went, all of it
    assert reasons.reason(("t.xlsx", "Plan", 4, 4)) == "#VALUE! e" and reasons.reason(("t.xlsx", "Plan", 9, 9))
    reasons.keep(("t.xlsx", "Plan", 20, 1), [[f"#N/A {i}"] for i in range(8)])  # more than the bound alone
    assert reasons.cells <= 5 and reasons.reason(("t.xlsx", "Plan", 20, 1)) == "#N/A 0"
