"""The spreadsheet functions, called as plain functions on whole columns.

xlwings' decorators return the plain function off Windows, so the UDFs are
called here exactly as Excel would call them (2-D lists in, 2-D lists out),
with the workbook's data given directly instead of the calling cell.
The big test builds a 2,000-PO-line tracker, runs the CLI's T&A rebuild, and
checks that =TA_DUE, =TA_DATE and =TA_STATUS give the T&A sheet's own values
on its 10,000 rows.
"""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import xlwings as xw

from conftest import base_sheets, sheet_values, write_book
from prodbook.core.calendar import factory_calendar, networkdays_intl, workday_intl
from prodbook.excel import formulas, udfs
from prodbook.excel.formulas import BookData
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from prodbook.workbook.filebook import FileBook
from prodbook.workbook.tracker import Tracker

TODAY = date(2027, 3, 1)
ROOT = Path(__file__).resolve().parents[1]


def col(values: list[Any]) -> list[list[Any]]:
    return [[v] for v in values]


def flat(grid: list[list[Any]]) -> list[Any]:
    return [r[0] for r in grid]


def book_data(path: Path, years: range = range(2026, 2029), with_ta: bool = False) -> BookData:
    return formulas.book_data(Tracker(FileBook(path)), years, with_ta=with_ta)


@pytest.fixture(scope="module")
def big_tracker(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[list[Any]]]:
    """2,000 PO lines x 5 milestones: a 10,000-row T&A built by the CLI's job."""
    sheets = base_sheets()
    orders = [sheets["Orders"][0]]
    for i in range(2000):
        po_date = date(2027, 1, 4) + timedelta(days=i % 200)
        xf = po_date + timedelta(days=100 + i % 37)
        orders.append([f"45{i:08d}", "S1" if i % 2 else "S2", f"C{i % 7}", 100 + i, po_date, xf,
                       xf + timedelta(days=25), xf + timedelta(days=35)])
    sheets["Orders"] = orders
    path = write_book(tmp_path_factory.mktemp("big") / "tracker.xlsx", sheets)
    run(path, ["ta"], Context(today=TODAY, now=datetime(2027, 3, 1, 9)))
    return path, [list(r) for r in sheet_values(path, "T&A")]


def test_xlwings_decorators_give_back_the_plain_function_here() -> None:
    if sys.platform.startswith("win"):
        pytest.skip("on Windows the decorators register the function with Excel")

    def f(x: Any) -> Any:
        return x

    assert xw.func(f) is f and xw.arg("x", ndim=2)(f) is f
    assert not hasattr(udfs.TA_DUE, "__xlfunc__")
    assert [f.__name__ for f in udfs.UDFS] == ["TA_DUE", "TA_DATE", "TA_STATUS", "FACTORY_WORKDAY",
                                              "FACTORY_NETWORKDAYS", "PRODBOOK_WHY"]


def test_every_spreadsheet_function_is_in_udfs() -> None:
    public = {n for n, v in vars(udfs).items() if callable(v) and n.isupper() and not n.startswith("_")}
    assert public == {f.__name__ for f in udfs.UDFS}


def test_every_spreadsheet_function_is_documented() -> None:
    docs = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [f.__name__ for f in udfs.UDFS if f"`={f.__name__}(" not in docs]
    assert not missing, f"not documented in README.md: {missing}"


def test_ta_due_on_10000_rows_equals_the_cli_planned_dates(big_tracker: tuple[Path, list]) -> None:
    path, ta = big_tracker
    header, rows = ta[0], [r for r in ta[1:] if r[0]]
    assert len(rows) == 10_000
    h = {name: i for i, name in enumerate(header)}
    orders = {str(r[0]): r for r in sheet_values(path, "Orders")[1:]}
    planned = {(str(r[h["PO #"]]), r[h["Code"]]): r[h["Planned"]] for r in rows}
    # the template (conftest): code -> (anchor, offset, day type)
    template = {"LD": ("PO Date", 5, "Working"), "LD-APP": ("LD", 7, "Working"),
                "CUT": ("XF", -15, "Working"), "XF": ("Ex-Factory", 0, "Working"),
                "DC": ("XF", 30, "Calendar")}
    order_col = {"PO Date": 4, "Ex-Factory": 5}
    anchors, offsets, days_type = [], [], []
    for r in rows:
        anchor, offset, kind = template[r[h["Code"]]]
        po = str(r[h["PO #"]])
        anchors.append(orders[po][order_col[anchor]] if anchor in order_col else planned[(po, anchor)])
        offsets.append(offset)
        days_type.append(kind)
    vendors = [r[h["Vendor"]] for r in rows]
    data = book_data(path)
    got = udfs.TA_DUE(col(anchors), col(offsets), col(vendors), col(days_type), caller=data)
    expected = [r[h["Planned"]] for r in rows]
    assert flat(got) == expected
    # the bank holidays and closures matter: the same dates on Monday-Friday differ
    plain = udfs.TA_DUE(col(anchors), col(offsets), None, col(days_type), caller=data)
    assert sum(a != b for a, b in zip(flat(plain), expected)) > 1000


def test_ta_date_and_ta_status_on_10000_rows(big_tracker: tuple[Path, list]) -> None:
    path, ta = big_tracker
    header, rows = ta[0], [r for r in ta[1:] if r[0]]
    h = {name: i for i, name in enumerate(header)}
    data = book_data(path, with_ta=True)
    keys = [col([r[h[k]] for r in rows]) for k in ("PO #", "Style #", "Color", "Code")]
    assert flat(udfs.TA_DATE(*keys, caller=data)) == [r[h["Planned"]] for r in rows]
    assert flat(udfs.TA_DATE(*keys, "Forecast", caller=data)) == [r[h["Forecast"]] for r in rows]
    planned = col([r[h["Planned"]] for r in rows])
    actual = col([r[h["Actual"]] for r in rows])
    status = flat(udfs.TA_STATUS(planned, actual, datetime(2027, 3, 1), caller=data))
    assert status == [r[h["Status"]] for r in rows]
    assert {"Overdue", "Due soon", "Upcoming"} <= set(status)


@pytest.fixture(scope="module")
def small() -> BookData:
    bd1, _ = factory_calendar("BD1", 16, "BD", range(2026, 2029))
    cn1, _ = factory_calendar("CN1", 1, "CN", range(2026, 2029), [(date(2027, 1, 30), date(2027, 2, 20))])
    default, _ = factory_calendar("(default)", 1, None, range(2026, 2029))
    return BookData({"BD1": bd1, "CN1": cn1}, default)


def test_factory_workday_matches_workday_intl_and_round_trips(small: BookData) -> None:
    starts = [datetime(2027, 1, 1) + timedelta(days=i) for i in range(0, 400, 3)]
    days = [(-1) ** i * (i % 40) for i in range(len(starts))]
    got = flat(udfs.FACTORY_WORKDAY(col(starts), col(days), "CN1", caller=small))
    cal = small.calendars["CN1"]
    for s, n, g in zip(starts, days, got):
        assert g.date() == workday_intl(s.date(), n, 1, cal.holidays)
    # a working day plus n working days spans n + 1 working days
    working = [s for s in starts if cal.is_working_day(s.date())]
    ends = flat(udfs.FACTORY_WORKDAY(col(working), 10, "CN1", caller=small))
    assert flat(udfs.FACTORY_NETWORKDAYS(col(working), col(ends), "CN1", caller=small)) == [11] * len(working)
    assert udfs.FACTORY_NETWORKDAYS(datetime(2027, 1, 1), datetime(2027, 3, 31), "BD1", caller=small) == \
        networkdays_intl(date(2027, 1, 1), date(2027, 3, 31), 16, small.calendars["BD1"].holidays)


def test_excel_dates_in_any_form(small: BookData) -> None:
    expected = udfs.TA_DUE(datetime(2027, 4, 15), 3, "CN1", caller=small)
    assert udfs.TA_DUE(46492.0, 3, "CN1", caller=small) == expected  # the serial of 2027-04-15
    assert udfs.TA_DUE(date(2027, 4, 15), 3.9, "CN1", caller=small) == expected  # fractions truncate
    assert udfs.TA_DUE("2027-04-15", 3, "cn1", caller=small) == expected  # text date, any case
    assert isinstance(expected, datetime)


def test_bad_arguments_give_excel_error_text_not_tracebacks(small: BookData) -> None:
    assert udfs.TA_DUE(datetime(2027, 4, 15), "abc", "CN1", caller=small) == \
        "#VALUE! offset must be a number (got 'abc')"
    assert udfs.TA_DUE("soon", 3, "CN1", caller=small).startswith("#VALUE! anchor must be a date")
    assert udfs.TA_DUE(datetime(2027, 4, 15), 3, "ZZ9", caller=small) == \
        "#N/A vendor 'ZZ9' is not on the Vendors sheet"
    assert udfs.TA_DUE(datetime(2027, 4, 15), 3, "CN1", "Weekly", caller=small).startswith(
        "#VALUE! day_type must be Working or Calendar")
    assert udfs.TA_DUE("#N/A", 3, "CN1", caller=small) == "#N/A"  # an error coming in stays itself
    assert udfs.TA_DUE(None, 3, "CN1", caller=small) is None  # blank in, blank out
    shape = udfs.TA_DUE(col([datetime(2027, 4, 15)] * 3), col([1, 2]), caller=small)
    assert shape.startswith("#VALUE! offset has 2 row(s) x 1 column(s)")
    assert udfs.TA_DUE(datetime(9999, 12, 30), 5, caller=small).startswith("#NUM!")
    assert udfs.TA_DATE("1", "S1", "Navy", "LD", caller=small).startswith("#N/A the workbook has no T&A")
    mixed = udfs.TA_DUE(col([datetime(2027, 4, 15), "x", None]), 1, "CN1", caller=small)
    assert isinstance(mixed[0][0], datetime) and mixed[1][0].startswith("#VALUE!") and mixed[2][0] is None


def test_a_bug_in_a_function_is_an_error_text(small: BookData, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*a: Any, **k: Any) -> Any:
        raise RuntimeError("kaput")
    monkeypatch.setattr(formulas, "_flat", boom)
    assert udfs.TA_DUE(datetime(2027, 4, 15), 3, "CN1", caller=small) == \
        "#VALUE! prodbook could not compute this (RuntimeError: kaput)"


def test_ta_status_rules(small: BookData) -> None:
    planned = col([datetime(2027, 3, 10)] * 3 + [datetime(2027, 3, 15), datetime(2027, 2, 1), datetime(2027, 4, 1),
                   datetime(2027, 3, 10)])
    actual = col([datetime(2027, 3, 9), datetime(2027, 3, 12), "N/A", None, None, None, datetime(2027, 3, 20)])
    assert flat(udfs.TA_STATUS(planned, actual, datetime(2027, 3, 12), caller=small)) == \
        ["Done", "Done late", "N/A", "Due soon", "Overdue", "Upcoming", "Overdue"]  # an Actual to come: not done


def test_calendars_are_cached_per_workbook_until_vendors_change(tmp_path: Path) -> None:
    formulas.clear_cache()
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    first, second = book_data(path), book_data(path)
    assert first.calendars["CN1"] is second.calendars["CN1"]
    sheets = base_sheets()
    sheets["Vendors"][2][5] = 11  # CN1 now works Saturdays
    write_book(path, sheets)
    third = book_data(path)
    assert third.calendars["CN1"] is not first.calendars["CN1"]
    assert third.calendars["CN1"].weekend == 11


def test_every_function_documents_itself_and_each_argument() -> None:
    """The docstrings are the one source of the function wizard's help (ProdbookHelp in the add-in)."""
    for fn in udfs.UDFS:
        h = udfs.function_help(fn)
        assert h.name == fn.__name__ and h.description and len(h.description) <= 255
        assert [a for a, _ in h.arguments] == udfs.excel_arguments(fn) and "caller" not in dict(h.arguments)
        assert all(text and len(text) <= 255 for _, text in h.arguments)


def test_a_function_whose_docstring_misses_an_argument_is_refused_at_definition() -> None:
    with pytest.raises(ValueError, match="missing \\['vendor'\\]"):
        @udfs.udf
        def BROKEN(start: Any, vendor: Any = None, caller: Any = None) -> Any:
            """Something.

            Args:
                start: First date.
            """
    with pytest.raises(ValueError, match="unknown \\['stat'\\]"):
        @udfs.udf
        def TYPO(start: Any, caller: Any = None) -> Any:
            """Something.

            Args:
                start: First date.
                stat: Typo.
            """



_ODD = [None, "", "abc", "#N/A", True, 0, -1, 0.5, 1e308, 1e15, -3_000_001, float("nan"), float("inf"), 60,
        2958465, 2958466, "12/30/1899", "2027-02-29", date(1900, 1, 1), date(9999, 12, 31),
        datetime(2027, 3, 1, 12), "BD1", "XX", "Calendar", "Working", "w"]
_SANE = {"ta_due": [datetime(2027, 3, 1), 10, "BD1", "Working"],
         "factory_workday": [datetime(2027, 3, 1), 10, "CN1"],
         "factory_networkdays": [datetime(2027, 3, 1), datetime(2027, 4, 1), "CN1"],
         "ta_status": [datetime(2027, 3, 1), None, datetime(2027, 2, 1)]}


@pytest.mark.parametrize("name", sorted(_SANE))
def test_no_value_a_cell_can_hold_reaches_the_could_not_compute_path(small: BookData, name: str) -> None:
    """Each argument in turn takes every odd value, alone and in a column, the others sane (TA_DUE's both
    as Working and as Calendar days): each is a plain error text in its own cell (#VALUE!, #NUM!) or a
    value, never the guard's "could not compute" (a bug, showing a Python exception's name). A Calendar
    offset of 1e15 did."""
    fn = getattr(formulas, name)
    bases = [_SANE[name]] + ([[*_SANE[name][:3], "Calendar"]] if name == "ta_due" else [])
    bugs = []
    for base in bases:
        for at in range(len(base)):
            for odd in _ODD:
                for arg in (odd, [[odd], [base[at]]]):
                    out = fn(*base[:at], arg, *base[at + 1:], data=small)
                    cells = [v for r in out for v in r] if isinstance(out, list) else [out]
                    bugs += [(at, odd, v) for v in cells if isinstance(v, str) and "could not compute" in v]
    assert not bugs, bugs[:5]


def test_a_text_date_brings_its_years_holidays_and_a_long_offset_its_years(tmp_path: Path) -> None:
    """'2029-12-13' typed as text loaded no 2029 holidays (only real dates counted for the years), so
    Bangladesh's Victory Day (16 Dec) was worked; an offset of 1,000 working days ran past the years loaded."""
    formulas.clear_cache()
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    years = formulas.years_of(col(["2029-12-13"]))
    assert 2029 in years
    data = formulas.book_data(Tracker(FileBook(path)), years)
    assert udfs.TA_DUE("2029-12-13", 3, "BD1", caller=data) == datetime(2029, 12, 18)  # Sun 16 Dec is off
    assert udfs.TA_DUE("13/12/2029", 3, "BD1", caller=formulas.book_data(
        Tracker(FileBook(path)), formulas.years_of("13/12/2029"))) == datetime(2029, 12, 18)
    assert max(formulas.years_of(datetime(2027, 3, 1), offsets=col([5, -1000]))) >= 2032


def test_a_vendor_whose_calendar_is_in_error_says_why_and_calendar_days_need_none(tmp_path: Path) -> None:
    """CN1's Weekend 1111111 (no working day: Excel's #VALUE!) said 'vendor CN1 is not on the Vendors
    sheet'; and counting calendar days, which needs no factory calendar, failed the same way."""
    formulas.clear_cache()
    sheets = base_sheets()
    sheets["Vendors"][2][5] = "1111111"
    path = write_book(tmp_path / "tracker.xlsx", sheets)
    data = formulas.book_data(Tracker(FileBook(path)), range(2026, 2029))
    said = udfs.TA_DUE(datetime(2027, 4, 15), 3, "cn1", caller=data)
    assert said.startswith("#VALUE! vendor CN1:") and "Vendors sheet" in said and "not on" not in said
    assert udfs.TA_DUE(datetime(2027, 4, 15), 3, "CN1", "Calendar", caller=data) == datetime(2027, 4, 18)
    assert udfs.TA_DUE(datetime(2027, 4, 15), 3, "ZZ9", caller=data) == \
        "#N/A vendor 'ZZ9' is not on the Vendors sheet"


def test_the_words_and_errors_the_t_and_a_sheet_takes_are_taken(small: BookData) -> None:
    """Day types as the T&A Templates sheet writes them, 'Not applicable' as N/A, an error coming in as
    the vendor or which stays that error, and each function's errors name its own arguments."""
    start = datetime(2027, 4, 15)
    working = udfs.TA_DUE(start, 3, "CN1", caller=small)
    calendar = udfs.TA_DUE(start, 3, "CN1", "Calendar", caller=small)
    for word in ("working days", "WD", "Business days"):
        assert udfs.TA_DUE(start, 3, "CN1", word, caller=small) == working, word
    for word in ("Calendar days", "CD"):
        assert udfs.TA_DUE(start, 3, "CN1", word, caller=small) == calendar, word
    assert udfs.TA_STATUS(datetime(2027, 3, 10), "Not applicable", datetime(2027, 3, 5), caller=small) == "N/A"
    assert udfs.TA_DUE(start, 3, "#N/A", caller=small) == "#N/A"
    assert udfs.TA_DUE(start, 3, "CN1", "#REF!", caller=small) == "#REF!"
    assert udfs.FACTORY_WORKDAY(start, "x", "CN1", caller=small) == "#VALUE! days must be a number (got 'x')"
    assert udfs.FACTORY_NETWORKDAYS(start, "x", "CN1", caller=small).startswith("#VALUE! end_date must be a date")
    assert udfs.FACTORY_NETWORKDAYS(start, start, "#N/A", caller=small) == "#N/A"
