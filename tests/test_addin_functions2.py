"""The spreadsheet functions as an Excel power user leans on them (helper fixes, 2026-12-06): a whole column
(F:F) as an argument, and Excel recalculating them after a ribbon button changed what they read.

Called with what xlwings hands a UDF on Windows (``ndim=2``: every argument a 2-D list, an empty cell None):
a whole column is 1,048,576 rows of it.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from conftest import base_sheets, write_book
from prodbook.core.calendar import factory_calendar
from prodbook.excel import formulas, ribbon, udfs
from prodbook.excel.formulas import BookData

sys.path.insert(0, str(Path(__file__).parent))

from fakexl import FakeBook, Formula  # noqa: E402

EXCEL_ROWS = 1_048_576


def col(values: list[Any], rows: int | None = None) -> list[list[Any]]:
    """A column as xlwings passes it, padded with empty cells to ``rows`` (a whole column: F:F)."""
    return [[v] for v in values] + [[None] for _ in range((rows or len(values)) - len(values))]


@pytest.fixture(scope="module")
def small() -> BookData:
    return small_book()


def small_book() -> BookData:
    """Two factory calendars (BD1: Friday off, Bangladesh; CN1: a Chinese New Year closure), a default, and a
    T&A of two milestones: what the functions read of a workbook."""
    bd1, _ = factory_calendar("BD1", 16, "BD", range(2026, 2029))
    cn1, _ = factory_calendar("CN1", 1, "CN", range(2026, 2029), [(date(2027, 1, 30), date(2027, 2, 20))])
    default, _ = factory_calendar("(default)", 1, None, range(2026, 2029))
    ta = pd.DataFrame({"po": ["4500000001", "4500000001"], "style": ["S1", "S1"], "color": ["Navy", "Navy"],
                       "code": ["LD", "XF"], "planned": [date(2027, 1, 10), date(2027, 5, 3)],
                       "forecast": [date(2027, 3, 1), None], "actual": [None, "N/A"]})
    return BookData({"BD1": bd1, "CN1": cn1}, default, ta=ta)


# --- a whole column ----------------------------------------------------------------------------------------


def test_a_whole_column_is_computed_on_its_filled_rows_only(small: BookData,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """=TA_DUE(F:F, -15, D:D) read each of the column's 1,048,576 cells (about 14.5 s a recalculation, on
    reshaping the arguments); the empty rows below the data now give their blank at once, and the years for
    the holidays are found from the filled rows too."""
    anchors = col([datetime(2027, 4, 15), None, datetime(2027, 5, 3), "abc"], EXCEL_ROWS)
    vendors = col(["CN1", "BD1", "BD1", "CN1"], EXCEL_ROWS)
    seen = {"dates": 0, "years": 0}
    date_cell, any_date = formulas._date_cell, formulas._any_date

    def counted_date(*args: Any) -> Any:
        seen["dates"] += 1
        return date_cell(*args)

    def counted_year(*args: Any) -> Any:
        seen["years"] += 1
        return any_date(*args)

    monkeypatch.setattr(formulas, "_date_cell", counted_date)
    monkeypatch.setattr(formulas, "_any_date", counted_year)
    out = udfs.TA_DUE(anchors, -15.0, vendors, None, caller=small)
    assert seen["dates"] <= 10, seen
    assert len(out) == EXCEL_ROWS and all(len(r) == 1 for r in out)
    assert [r[0] for r in out[:4]] == [udfs.TA_DUE(datetime(2027, 4, 15), -15.0, "CN1", caller=small), None,
                                       udfs.TA_DUE(datetime(2027, 5, 3), -15.0, "BD1", caller=small),
                                       "#VALUE! anchor must be a date (got 'abc')"]
    assert all(r == [None] for r in out[4:])
    assert formulas.years_of(anchors, offsets=col([-15.0], EXCEL_ROWS)) == [2026, 2027, 2028]
    assert seen["years"] <= 10, seen


_ODD = [None, "", "abc", "#N/A", True, 0, -1, 0.5, 1e15, float("nan"), 60, 2958466, "2027-02-29",
        date(2027, 3, 1), datetime(2027, 3, 1, 12), "BD1", "XX", "Calendar", "Working", "N/A", "4500000001",
        "LD", -2146826246]


@pytest.mark.parametrize("name,sane", [
    ("ta_due", [datetime(2027, 3, 1), 10.0, "BD1", "Working"]),
    ("ta_due", [datetime(2027, 3, 1), "abc", "#N/A", "Calendar"]),  # every empty row is an error here
    ("factory_workday", [datetime(2027, 3, 1), -10.0, "CN1"]),
    ("factory_networkdays", [datetime(2027, 3, 1), datetime(2027, 4, 1), "CN1"]),
    ("ta_status", [datetime(2027, 3, 1), None, datetime(2027, 2, 1)]),
    ("ta_status", [datetime(2027, 3, 1), "N/A", None]),
    ("ta_date", ["4500000001", "S1", "Navy", "LD", "Forecast"]),
])
def test_a_column_with_empty_rows_below_gives_what_each_of_its_cells_gives(small: BookData, name: str,
                                                                          sane: list[Any]) -> None:
    """Each argument in turn is a column of odd values with empty rows below it (as F:F brings), the others
    one cell; then every argument such a column: each row's result is that of the row's cells alone, one
    cell at a time (which nothing trims), and the shape is the column's."""
    fn = getattr(formulas, name)
    kw: dict[str, Any] = {"now": date(2027, 3, 10)} if name == "ta_status" else {}
    rows = len(_ODD) + 40
    for at in range(len(sane)):
        got = fn(*sane[:at], col(_ODD, rows), *sane[at + 1:], data=small, **kw)
        want = [fn(*sane[:at], v, *sane[at + 1:], data=small, **kw) for v in _ODD + [None] * 40]
        assert isinstance(got, list) and len(got) == rows
        assert [r[0] for r in got] == want, (name, at)
    odd = [_ODD[k % len(_ODD)] for k in range(5, 99, 7)]
    columns = [col([value] * (i % 3) + [odd[i]], rows) for i, value in enumerate(sane)]  # a filled row
    for i, c in enumerate(columns):  # and odd cells further down, in one argument at a time
        c[7 + 3 * i] = [odd[-1 - i]]
    got = fn(*columns, data=small, **kw)
    want = [fn(*(c[r][0] for c in columns), data=small, **kw) for r in range(rows)]
    assert [r[0] for r in got] == want


def test_whole_ranges_of_other_shapes_keep_their_results(small: BookData) -> None:
    """Two columns (F:G) with empty rows below, a 1-D list, a row of offsets across a column, ranges of
    different lengths (the same error as before, naming the full sizes), and no T&A sheet for TA_DATE."""
    grid = [[datetime(2027, 4, 15), datetime(2027, 4, 16)], [None, datetime(2027, 4, 19)]] + [[None, None]] * 50
    out = formulas.ta_due(grid, 3.0, "CN1", data=small)
    assert len(out) == 52 and out[0] == [datetime(2027, 4, 20), datetime(2027, 4, 21)]
    assert out[1] == [None, datetime(2027, 4, 22)] and all(r == [None, None] for r in out[2:])
    out = formulas.ta_due(col([datetime(2027, 4, 15)], 30), [[5.0, -10.0]], "CN1", data=small)
    assert len(out) == 30 and out[29] == [None, None]
    assert out[0] == [formulas.ta_due(datetime(2027, 4, 15), n, "CN1", data=small) for n in (5.0, -10.0)]
    flat = formulas.ta_due([datetime(2027, 4, 15)] + [None] * 20, 3.0, "CN1", data=small)
    assert flat == [[datetime(2027, 4, 20)]] + [[None]] * 20
    assert formulas.ta_due(col([datetime(2027, 4, 15)], 30), col([1.0], 20), data=small) == (
        "#VALUE! offset has 20 row(s) x 1 column(s); give one cell or a range the size of the others (30 x 1)")
    no_ta = BookData(small.calendars, small.default)
    assert formulas.ta_date(col(["4500000001"], 30), "S1", "Navy", "LD", data=no_ta) == \
        "#N/A the workbook has no T&A sheet; run Rebuild T&A"
    numpy_values = [np.float64(46500.0), np.datetime64("2027-04-15"), None, None]  # a Python caller's
    assert formulas.ta_due(numpy_values, 3.0, "CN1", data=small) == \
        [[formulas.ta_due(v, 3.0, "CN1", data=small)] for v in numpy_values]
    one = formulas.ta_due(col([datetime(2027, 4, 15)], 2), 3.0, "CN1", data=small)
    assert one == [[datetime(2027, 4, 20)], [None]]


# --- Excel recalculating the functions after a button ------------------------------------------------------


@pytest.fixture
def book(tmp_path: Path) -> FakeBook:
    """A tracker whose 'Plan' sheet uses a function of prodbook's, as the APM fills one down."""
    book = FakeBook.from_file(write_book(tmp_path / "tracker.xlsx", base_sheets()))
    book.sheets.add("Plan").cells[(2, 3)] = Formula('=TA_DUE(Orders!G2, -15, "CN1")')
    return book


def test_a_button_that_wrote_the_workbook_has_excel_recalculate_the_functions(book: FakeBook) -> None:
    """The functions read the Vendors, Closures and T&A sheets, not their arguments: after Rebuild T&A
    rewrote the T&A, =TA_DATE(...) cells kept the old dates until the APM pressed Ctrl+Alt+F9. The button
    now asks Excel for it (Application.CalculateFull), once the workbook is written and calculation is
    automatic again."""
    report = ribbon.perform(ribbon.action("pbRebuildTA"), book)
    assert report.ok, report.message
    assert book.app.full_calculations == ["automatic"]


def test_a_workbook_using_none_of_the_functions_is_not_recalculated(tmp_path: Path) -> None:
    """Nothing of prodbook's to recalculate: a full recalculation of the team's own formulas (a large tracker
    may take minutes) after every Refresh would only cost the APM time. Excel's Find looks for them."""
    book = FakeBook.from_file(write_book(tmp_path / "tracker.xlsx", base_sheets()))
    book.sheets.add("Plan").cells[(2, 3)] = Formula("=SUM(Orders!D2:D9)")
    assert ribbon.perform(ribbon.action("pbRebuildTA"), book).ok
    assert book.app.full_calculations == []
    book.sheets["Plan"].cells[(3, 3)] = Formula('=factory_workday(Orders!G2, 5, "CN1")')  # any case, as Excel
    assert ribbon.recalculate(book) and book.app.full_calculations == ["automatic"]


def test_in_manual_calculation_the_button_leaves_calculating_to_the_apm(book: FakeBook) -> None:
    book.app.calculation = "manual"
    assert ribbon.perform(ribbon.action("pbRebuildTA"), book).ok
    assert book.app.full_calculations == [] and book.app.calculation == "manual"


def test_a_button_that_changed_nothing_or_failed_does_not_recalculate(tmp_path: Path) -> None:
    sheets = base_sheets()
    del sheets["Orders"]
    book = FakeBook.from_file(write_book(tmp_path / "t.xlsx", sheets))
    assert not ribbon.perform(ribbon.action("pbRebuildTA"), book).ok
    assert ribbon.perform(ribbon.action("pbUndo"), book).ok is False
    assert book.app.full_calculations == []


def test_a_button_that_wrote_only_sheets_the_functions_do_not_read_does_not_recalculate(book: FakeBook) -> None:
    """The Production Report, Follow-ups or Exceptions sheet: a function given their cells is recalculated by
    Excel itself; a full recalculation of a large tracker would only cost the APM time."""
    for button in ("pbReport", "pbFollowups", "pbExceptions"):
        assert ribbon.perform(ribbon.action(button), book).ok
    assert book.app.full_calculations == []


def test_recalculating_on_a_mac_or_a_busy_excel_is_no_error(tmp_path: Path) -> None:
    mac = FakeBook.from_file(write_book(tmp_path / "t.xlsx", base_sheets()))
    mac.app.mac = True  # appscript answers to no CalculateFull: the button's work stands
    assert ribbon.recalculate(mac) is False
    assert ribbon.recalculate(object()) is False


def test_an_edited_closure_is_seen_at_the_next_recalculation(book: FakeBook,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The calendars are cached on the Vendors and Closures cells: a closure the APM adds is read at the next
    recalculation (a second after the last read; at once after any button)."""
    formulas.clear_cache()
    now = [1000.0]
    monkeypatch.setattr(formulas, "_clock", lambda: now[0])
    caller = book.sheets["Orders"].range((2, 9))
    friday = datetime(2027, 4, 16)
    assert udfs.TA_DUE([[friday]], [[1.0]], [["CN1"]], None, caller=caller) == datetime(2027, 4, 19)
    book.sheets["Closures"].cells[(3, 1)] = "CN"
    book.sheets["Closures"].cells[(3, 2)] = datetime(2027, 4, 19)
    book.sheets["Closures"].cells[(3, 3)] = datetime(2027, 4, 23)
    now[0] += formulas.RECENT_SECONDS
    assert udfs.TA_DUE([[friday]], [[1.0]], [["CN1"]], None, caller=caller) == datetime(2027, 4, 26)
    book.sheets["Vendors"].cells[(3, 6)] = 11  # CN1 now works Saturdays
    formulas.clear_cache()  # what every button does
    assert udfs.TA_DUE([[friday]], [[1.0]], [["CN1"]], None, caller=caller) == datetime(2027, 4, 17)


def test_whole_column_timing_is_printed_by_the_benchmark() -> None:
    """benchmarks/bench_udfs.py prints the whole-column case beside the 10,000-row one."""
    text = (Path(__file__).parents[1] / "benchmarks" / "bench_udfs.py").read_text(encoding="utf-8")
    assert "1,048,576" in text or "1_048_576" in text

