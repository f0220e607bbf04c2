"""Audit of the spreadsheet functions as an Excel power user calls them (helper audit, 2026-12-06).

The functions are called with what xlwings hands a UDF on Windows (``ndim=2``: every argument a 2-D
list; numbers as floats, date cells as datetimes, an empty cell as None, an error cell as its text for
the seven classic errors and as COM's integer code for the newer ones) and give what Excel shows.
"""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import base_sheets, write_book
from prodbook.core.calendar import factory_calendar
from prodbook.excel import formulas, udfs
from prodbook.excel.formulas import BookData
from prodbook.workbook.filebook import FileBook
from prodbook.workbook.tracker import Tracker

sys.path.insert(0, str(Path(__file__).parent))


def col(values: list[Any]) -> list[list[Any]]:
    return [[v] for v in values]


def cell(value: Any) -> list[list[Any]]:
    """One cell as xlwings passes it with ndim=2."""
    return [[value]]


@pytest.fixture(scope="module")
def small() -> BookData:
    bd1, _ = factory_calendar("BD1", 16, "BD", range(2026, 2029))
    cn1, _ = factory_calendar("CN1", 1, "CN", range(2026, 2029), [(date(2027, 1, 30), date(2027, 2, 20))])
    default, _ = factory_calendar("(default)", 1, None, range(2026, 2029))
    ta = pd.DataFrame({"po": ["4500000001", "4500000001", "4500000002"], "style": ["S1", "S1", "S2"],
                       "color": ["Navy", "Navy", "Red"], "code": ["LD", "XF", "XF"],
                       "planned": [date(2027, 1, 10), date(2027, 5, 3), date(2027, 6, 1)],
                       "forecast": [date(2027, 3, 1), date(2027, 5, 10), None],
                       "actual": [None, "N/A", date(2027, 6, 2)]})
    return BookData({"BD1": bd1, "CN1": cn1}, default, ta=ta)


# --- shapes: Excel's broadcasting ----------------------------------------------------------------


def test_a_column_of_anchors_and_a_row_of_offsets_give_a_grid(small: BookData) -> None:
    """=TA_DUE(F2:F4, {5,10,15}, "CN1") spills 3 x 3 in Excel, as =WORKDAY.INTL(F2:F4, {5,10,15}) does; it
    gave one '#VALUE! anchor has 3 row(s) x 1 column(s)' cell."""
    anchors = col([datetime(2027, 4, 15), datetime(2027, 4, 17), None])
    offsets = [[5.0, -10.0, 15.0]]
    grid = udfs.TA_DUE(anchors, offsets, cell("CN1"), None, caller=small)
    assert isinstance(grid, list) and len(grid) == 3 and all(len(r) == 3 for r in grid)
    for r, (a,) in enumerate(anchors):
        for c, n in enumerate(offsets[0]):
            assert grid[r][c] == udfs.TA_DUE(cell(a), cell(n), cell("CN1"), None, caller=small)
    days = udfs.FACTORY_NETWORKDAYS(col([datetime(2027, 4, 1), datetime(2027, 5, 1)]),
                                    [[datetime(2027, 4, 30), datetime(2027, 6, 30)]], cell("BD1"), caller=small)
    assert days == [[udfs.FACTORY_NETWORKDAYS(s, e, "BD1", caller=small)
                     for e in (datetime(2027, 4, 30), datetime(2027, 6, 30))]
                    for s in (datetime(2027, 4, 1), datetime(2027, 5, 1))]
    # ranges of different lengths stay one error, as documented
    assert udfs.TA_DUE(col([datetime(2027, 4, 15)] * 3), col([1.0, 2.0]), caller=small).startswith("#VALUE!")


_ANCHORS = st.one_of(
    st.dates(date(2026, 1, 1), date(2028, 12, 31)).map(lambda d: datetime(d.year, d.month, d.day)),
    st.integers(46023, 47118).map(float),  # serial numbers (=DATE(), =TODAY(), a computed range)
    st.sampled_from([None, "", "2027-03-01", "15/04/2027", "abc", "#N/A", True, -1.0, "#REF!"]))
_OFFSETS = st.one_of(st.integers(-60, 60).map(float), st.floats(-60, 60, allow_nan=False),
                     st.sampled_from([None, "x", "5", "#DIV/0!", False]))
_VENDORS = st.sampled_from([None, "", "BD1", "bd1", " CN1 ", "cn1", "ZZ9", "#N/A"])
_DAY_TYPES = st.sampled_from([None, "Working", "cd", "Calendar days", "weekly", "#VALUE!"])


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(_ANCHORS, _OFFSETS, _VENDORS, _DAY_TYPES), min_size=1, max_size=12))
def test_ta_due_of_a_column_is_ta_due_of_each_cell_and_a_row_its_transpose(small: BookData,
                                                                          rows: list[tuple]) -> None:
    """Invariant: the spilled result of a range is, cell by cell, what each cell alone gives (an error in one
    row stays in that row), and a row of inputs gives the same values as a row."""
    columns = [col([r[k] for r in rows]) for k in range(4)]
    whole = udfs.TA_DUE(*columns, caller=small)
    each = [udfs.TA_DUE(*(cell(v) for v in r), caller=small) for r in rows]
    if len(rows) == 1:
        assert whole == each[0]
        return
    assert [r[0] for r in whole] == each
    as_row = udfs.TA_DUE(*([[r[k] for r in rows]] for k in range(4)), caller=small)
    assert as_row == [each]


@settings(max_examples=40, deadline=None)
@given(anchors=st.lists(_ANCHORS, min_size=2, max_size=6), offsets=st.lists(_OFFSETS, min_size=2, max_size=5),
       vendor=_VENDORS)
def test_a_column_by_a_row_is_every_pair(small: BookData, anchors: list[Any], offsets: list[Any],
                                         vendor: Any) -> None:
    grid = udfs.FACTORY_WORKDAY(col(anchors), [offsets], cell(vendor), caller=small)
    assert grid == [[udfs.FACTORY_WORKDAY(cell(a), cell(n), cell(vendor), caller=small) for n in offsets]
                    for a in anchors]


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.tuples(_ANCHORS, _ANCHORS, _VENDORS), min_size=2, max_size=10))
def test_factory_networkdays_and_ta_status_of_a_column_are_each_cell(small: BookData, rows: list[tuple]) -> None:
    starts, ends, vendors = (col([r[k] for r in rows]) for k in range(3))
    assert [r[0] for r in udfs.FACTORY_NETWORKDAYS(starts, ends, vendors, caller=small)] == \
        [udfs.FACTORY_NETWORKDAYS(*(cell(v) for v in r), caller=small) for r in rows]
    today = cell(datetime(2027, 3, 1))
    assert [r[0] for r in udfs.TA_STATUS(starts, ends, today, caller=small)] == \
        [udfs.TA_STATUS(cell(r[0]), cell(r[1]), today, caller=small) for r in rows]


# --- TA_DATE over ranges ---------------------------------------------------------------------------


def test_ta_date_over_a_range_with_blank_rows_leaves_them_blank(small: BookData) -> None:
    """=TA_DATE(A2:A5, B2:B5, C2:C5, "XF") over a range with blank rows at its end gave
    '#N/A no T&A row for PO  / ...' in each blank row (the code, one cell, is not blank)."""
    got = udfs.TA_DATE(col(["4500000001", 4500000002.0, None, None]), col(["S1", "s2", None, None]),
                       col(["Navy", "Red", None, ""]), cell("XF"), None, caller=small)
    assert got == [[datetime(2027, 5, 3)], [datetime(2027, 6, 1)], [None], [None]]
    assert udfs.TA_DATE(cell("4500000001"), cell("S1"), cell("Navy"), cell(None), None, caller=small) is None
    # a PO that is there but a milestone that is not is still #N/A
    assert udfs.TA_DATE(cell("4500000001"), cell("S1"), cell("Navy"), cell("PP"), None,
                        caller=small).startswith("#N/A no T&A row")
    assert udfs.TA_DATE(cell("4500000001"), cell("S1"), cell("Navy"), cell("XF"), cell("Actual"),
                        caller=small) == "N/A"


def test_an_error_coming_into_ta_date_stays_that_error(small: BookData) -> None:
    """A #REF! (or the #N/A of a failed lookup) as the PO or code became '#N/A no T&A row for PO #REF! ...':
    an error coming in stays itself, as in every other function."""
    assert udfs.TA_DATE(cell("#REF!"), cell("S1"), cell("Navy"), cell("XF"), None, caller=small) == "#REF!"
    assert udfs.TA_DATE(cell("4500000001"), cell("S1"), cell("Navy"), cell("#N/A"), None, caller=small) == "#N/A"
    chained = udfs.TA_DATE(col(["4500000001", "#N/A vendor 'ZZ9' is not on the Vendors sheet"]), cell("S1"),
                           cell("Navy"), cell("XF"), None, caller=small)
    assert chained == [[datetime(2027, 5, 3)], ["#N/A vendor 'ZZ9' is not on the Vendors sheet"]]
    # a PO that merely starts with # is a PO, looked up
    assert udfs.TA_DATE(cell("#4512"), cell("S1"), cell("Navy"), cell("XF"), None,
                        caller=small).startswith("#N/A no T&A row for PO #4512")


# --- error values coming in and going out ------------------------------------------------------------


_SPILL, _CALC, _BLOCKED = -2146826243, -2146826238, -2146826241  # COM's codes for #SPILL!, #CALC!, #BLOCKED!


def test_newer_excel_errors_coming_in_as_com_codes_stay_errors(small: BookData) -> None:
    """xlwings' err_to_str names only the seven classic errors; a cell showing #SPILL! or #CALC! comes in as
    COM's integer code, which was read as -2,146,826,243 days (#NUM! 'outside Excel's dates') or as the
    vendor '-2146826238' ('not on the Vendors sheet')."""
    start = cell(datetime(2027, 4, 15))
    assert udfs.TA_DUE(start, cell(_SPILL), cell("CN1"), None, caller=small) == "#SPILL!"
    assert udfs.TA_DUE(cell(_CALC), cell(3.0), cell("CN1"), None, caller=small) == "#CALC!"
    assert udfs.TA_DUE(start, cell(3.0), cell(_CALC), None, caller=small) == "#CALC!"
    assert udfs.FACTORY_NETWORKDAYS(start, cell(_BLOCKED), cell("CN1"), caller=small) == "#BLOCKED!"
    assert udfs.TA_STATUS(cell(_SPILL), cell(None), start, caller=small) == "#SPILL!"
    assert udfs.TA_DATE(cell(_SPILL), cell("S1"), cell("Navy"), cell("XF"), None, caller=small) == "#SPILL!"
    mixed = udfs.TA_DUE(col([datetime(2027, 4, 15), _SPILL]), cell(3.0), cell("CN1"), None, caller=small)
    assert isinstance(mixed[0][0], datetime) and mixed[1][0] == "#SPILL!"
    # a plain int from a Python caller is still a number
    assert udfs.TA_DUE(start, cell(3), cell("CN1"), None, caller=small) == \
        udfs.TA_DUE(start, cell(3.0), cell("CN1"), None, caller=small)


def test_a_serial_number_off_excels_calendar_is_num(small: BookData) -> None:
    """WORKDAY.INTL / NETWORKDAYS.INTL give #NUM! for a start 'out of range for the current date base value'
    (Microsoft's documentation of both); a negative serial gave #VALUE!."""
    assert udfs.TA_DUE(cell(-1.0), cell(3.0), None, None, caller=small).startswith("#NUM! anchor")
    assert udfs.FACTORY_WORKDAY(cell(2958466.0), cell(1.0), None, caller=small).startswith("#NUM! start")
    assert udfs.FACTORY_NETWORKDAYS(cell(46000.0), cell(-5.0), None, caller=small).startswith("#NUM! end_date")
    assert udfs.TA_DUE(cell(2958465.0), cell(0.0), None, None, caller=small) == datetime(9999, 12, 31)
    assert udfs.TA_DUE(cell("soon"), cell(3.0), None, None, caller=small).startswith("#VALUE!")  # text stays so


# --- the Vendors sheet's weekends and closures, against LibreOffice ------------------------------------

# Computed by LibreOffice Calc 24 (soffice --headless --convert-to xlsx) from =WORKDAY.INTL(start, days,
# weekend, H!A1:A40) and =NETWORKDAYS.INTL(start, end, weekend, H!A1:A40), where H!A1:A40 lists the days
# of _CLOSURES with a blank cell after each: (weekend, start, days, WORKDAY.INTL, end, NETWORKDAYS.INTL).
_CLOSURES = [(date(2027, 1, 30), date(2027, 2, 5)), (date(2027, 3, 10), date(2027, 3, 10)),
             (date(2027, 3, 20), date(2027, 3, 22))]
_LIBREOFFICE = [
    (1, date(2027, 3, 21), 0, date(2027, 3, 21), date(2027, 3, 2), -13),
    (1, date(2027, 3, 31), 5, date(2027, 4, 7), date(2027, 3, 20), -7),
    (1, date(2027, 2, 12), -8.9, date(2027, 1, 26), date(2027, 2, 10), -3),
    (2, date(2027, 2, 6), 0, date(2027, 2, 6), date(2027, 1, 10), -15),
    (2, date(2027, 1, 29), 2, date(2027, 2, 9), date(2027, 2, 17), 9),
    (2, date(2027, 3, 25), -8, date(2027, 3, 12), date(2027, 3, 28), 3),
    (3, date(2027, 2, 6), 0, date(2027, 2, 6), date(2027, 2, 18), 9),
    (3, date(2027, 2, 4), 5.9, date(2027, 2, 12), date(2027, 2, 19), 10),
    (3, date(2027, 2, 26), -8.9, date(2027, 2, 14), date(2027, 1, 28), -17),
    (4, date(2027, 1, 30), 0, date(2027, 1, 30), date(2027, 2, 23), 13),
    (4, date(2027, 3, 3), 5, date(2027, 3, 8), date(2027, 2, 14), -12),
    (4, date(2027, 2, 20), -5.9, date(2027, 2, 13), date(2027, 2, 16), -3),
    (5, date(2027, 1, 30), 0, date(2027, 1, 30), date(2027, 1, 21), -6),
    (5, date(2027, 2, 5), 3.9, date(2027, 2, 8), date(2027, 2, 23), 14),
    (5, date(2027, 2, 9), -13, date(2027, 1, 16), date(2027, 1, 10), -18),
    (6, date(2027, 1, 30), 0, date(2027, 1, 30), date(2027, 1, 28), 0),
    (6, date(2027, 3, 31), 2, date(2027, 4, 4), date(2027, 3, 8), -14),
    (6, date(2027, 3, 16), -1.9, date(2027, 3, 15), date(2027, 4, 10), 15),
    (7, date(2027, 3, 10), 0, date(2027, 3, 10), date(2027, 4, 3), 14),
    (7, date(2027, 2, 6), 1, date(2027, 2, 7), date(2027, 1, 23), -5),
    (7, date(2027, 1, 26), -3.9, date(2027, 1, 21), date(2026, 12, 31), -19),
    (11, date(2027, 1, 30), 0, date(2027, 1, 30), date(2026, 12, 31), -26),
    (11, date(2027, 3, 13), 3.9, date(2027, 3, 17), date(2027, 4, 5), 18),
    (11, date(2027, 2, 11), -13, date(2027, 1, 20), date(2027, 1, 31), -5),
    (12, date(2027, 2, 6), 0, date(2027, 2, 6), date(2027, 1, 17), -12),
    (12, date(2027, 2, 19), 13.9, date(2027, 3, 6), date(2027, 2, 15), -4),
    (12, date(2027, 1, 31), -1.9, date(2027, 1, 29), date(2027, 1, 16), -12),
    (13, date(2027, 3, 21), 0, date(2027, 3, 21), date(2027, 3, 9), -8),
    (13, date(2027, 4, 1), 2, date(2027, 4, 3), date(2027, 4, 1), 1),
    (13, date(2027, 2, 3), -2, date(2027, 1, 28), date(2027, 1, 8), -19),
    (14, date(2027, 3, 10), 0, date(2027, 3, 10), date(2027, 2, 10), -24),
    (14, date(2027, 2, 16), 3.9, date(2027, 2, 20), date(2027, 1, 22), -17),
    (14, date(2027, 3, 12), -3, date(2027, 3, 8), date(2027, 3, 19), 7),
    (15, date(2027, 1, 30), 0, date(2027, 1, 30), date(2027, 1, 2), -24),
    (15, date(2027, 1, 27), 8, date(2027, 2, 13), date(2027, 2, 12), 8),
    (15, date(2027, 3, 5), -1, date(2027, 3, 3), date(2027, 3, 3), -2),
    (16, date(2027, 3, 10), 0, date(2027, 3, 10), date(2027, 3, 30), 14),
    (16, date(2027, 3, 9), 3, date(2027, 3, 14), date(2027, 4, 5), 20),
    (16, date(2027, 2, 3), -5, date(2027, 1, 24), date(2027, 2, 12), 6),
    (17, date(2027, 3, 21), 0, date(2027, 3, 21), date(2027, 2, 24), -20),
    (17, date(2027, 2, 5), 13, date(2027, 2, 21), date(2027, 2, 21), 13),
    (17, date(2027, 3, 8), -5.9, date(2027, 3, 2), date(2027, 3, 31), 18),
    ('0000011', date(2027, 1, 30), 0, date(2027, 1, 30), date(2027, 1, 30), 0),
    ('0000011', date(2027, 1, 27), 2, date(2027, 1, 29), date(2027, 1, 13), -11),
    ('0000011', date(2027, 1, 26), -2, date(2027, 1, 22), date(2027, 1, 29), 4),
    ('1010100', date(2027, 2, 6), 0, date(2027, 2, 6), date(2027, 1, 27), -2),
    ('1010100', date(2027, 3, 17), 13.9, date(2027, 4, 11), date(2027, 4, 7), 10),
    ('1010100', date(2027, 2, 19), -2.9, date(2027, 2, 16), date(2027, 2, 2), -8),
    ('0111111', date(2027, 2, 6), 0, date(2027, 2, 6), date(2027, 2, 21), 2),
    ('0111111', date(2027, 2, 2), 3, date(2027, 2, 22), date(2027, 2, 2), 0),
    ('0111111', date(2027, 3, 1), -5.9, date(2027, 1, 18), date(2027, 3, 14), 2),
    ('1000000', date(2027, 3, 10), 0, date(2027, 3, 10), date(2027, 4, 2), 18),
    ('1000000', date(2027, 1, 29), 3, date(2027, 2, 9), date(2027, 2, 4), 1),
    ('1000000', date(2027, 3, 11), -13, date(2027, 2, 23), date(2027, 3, 6), -4),
]


def test_vendor_weekends_and_closures_give_libreoffices_workday_intl(tmp_path: Path) -> None:
    """Every weekend number (1-7, 11-17) and masks typed on the Vendors sheet, closures on the Closures
    sheet: FACTORY_WORKDAY and FACTORY_NETWORKDAYS give what WORKDAY.INTL / NETWORKDAYS.INTL give with
    those days as holidays (start on a day off, offset 0, negative and fractional offsets)."""
    weekends = list(dict.fromkeys(w for w, *_ in _LIBREOFFICE))
    sheets = base_sheets()
    sheets["Vendors"] = [sheets["Vendors"][0]] + [[f"V{i}", "x", "", "", "", w, ""] for i, w in enumerate(weekends)]
    sheets["Closures"] = [sheets["Closures"][0]] + [row for i in range(len(weekends)) for a, b in _CLOSURES
                                                    for row in ([f"v{i}", a, b, "shut"], [None] * 4)]  # blank rows
    formulas.clear_cache()
    data = formulas.book_data(Tracker(FileBook(write_book(tmp_path / "t.xlsx", sheets))), range(2026, 2029))

    def dt(d: date) -> datetime:
        return datetime(d.year, d.month, d.day)

    vendors = col([f"v{weekends.index(w)}" for w, *_ in _LIBREOFFICE])
    got = udfs.FACTORY_WORKDAY(col([dt(s) for _, s, *_ in _LIBREOFFICE]),
                               col([float(n) for _, _, n, *_ in _LIBREOFFICE]), vendors, caller=data)
    assert [r[0] for r in got] == [dt(w) for *_, w, _, _ in _LIBREOFFICE]
    got = udfs.FACTORY_NETWORKDAYS(col([dt(s) for _, s, *_ in _LIBREOFFICE]),
                                   col([dt(e) for *_, e, _ in _LIBREOFFICE]), vendors, caller=data)
    assert [r[0] for r in got] == [n for *_, n in _LIBREOFFICE]


# --- recalculating a column of single-cell formulas ------------------------------------------------------


def test_a_column_filled_down_reads_the_workbook_once_a_second(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """=TA_DUE(F2, -15, D2) filled down 10,000 rows is 10,000 calls in one recalculation; each built a
    Tracker and read Vendors, Closures and Config again (and =TA_DATE the whole T&A sheet, 0.29 s a call
    on a 5,000-row T&A through the stand-in for Excel: 48 minutes for a column of 10,000). One read now
    serves the calls of the next second; after it, a changed Weekend is seen."""
    from fakexl import FakeBook

    formulas.clear_cache()
    book = FakeBook.from_file(write_book(tmp_path / "t.xlsx", base_sheets()))
    caller = book.sheets["Orders"].range((2, 9))
    now = [1000.0]
    monkeypatch.setattr(formulas, "_clock", lambda: now[0])
    reads: list[tuple[list[int], bool]] = []
    real = formulas.book_data

    def counted(tracker: Any, years: Any, *, with_ta: bool = False) -> BookData:
        reads.append((list(years), with_ta))
        return real(tracker, years, with_ta=with_ta)

    monkeypatch.setattr(formulas, "book_data", counted)
    saturday = datetime(2027, 4, 16)  # Friday: +1 working day is Monday, or Saturday once CN1 works Saturdays
    firsts = [udfs.TA_DUE(cell(saturday + timedelta(days=7 * (i % 30))), cell(1.0), cell("CN1"), None, caller=caller)
              for i in range(200)]
    assert firsts[0] == datetime(2027, 4, 19) and len(reads) == 1
    # an anchor in other years within the second: one more read, for both
    assert udfs.TA_DUE(cell(datetime(2031, 4, 18)), cell(1.0), cell("CN1"), None, caller=caller) == \
        datetime(2031, 4, 21)
    assert len(reads) == 2 and min(reads[1][0]) <= 2027 and max(reads[1][0]) >= 2031
    udfs.TA_DUE(cell(saturday), cell(1.0), cell("CN1"), None, caller=caller)
    assert len(reads) == 2
    book.sheets["Vendors"].cells[(3, 6)] = 11  # CN1 now works Saturdays
    now[0] += formulas.RECENT_SECONDS
    assert udfs.TA_DUE(cell(saturday), cell(1.0), cell("CN1"), None, caller=caller) == datetime(2027, 4, 17)
    assert len(reads) == 3
    udfs.TA_DATE(cell("4500000001"), cell("S1"), cell("Navy"), cell("LD"), None, caller=caller)
    udfs.TA_DATE(cell("4500000001"), cell("S1"), cell("Navy"), cell("XF"), None, caller=caller)
    assert [w for _, w in reads].count(True) == 1
    formulas.clear_cache()  # the ribbon's Refresh forgets the recent read at once
    udfs.TA_DUE(cell(saturday), cell(1.0), cell("CN1"), None, caller=caller)
    assert len(reads) == 5


def test_a_ribbon_action_forgets_the_recent_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A button rewrites the T&A: a =TA_DATE recalculated right after must not read the sheet as it was."""
    monkeypatch.setattr(formulas, "_clock", lambda: 1000.0)  # the button takes no time: still 'recent'

    from fakexl import FakeBook
    from prodbook.excel import ribbon

    path = write_book(tmp_path / "t.xlsx", base_sheets())
    formulas.remember(("somebook.xlsx", True), [2027], formulas.book_data(Tracker(FileBook(path)), [2027]))
    assert formulas.recent(("somebook.xlsx", True), lambda _: [2027])[0] is not None
    ribbon.perform(ribbon.action("pbRebuildTA"), FakeBook.from_file(path))
    assert formulas.recent(("somebook.xlsx", True), lambda _: [2027]) == (None, None)
