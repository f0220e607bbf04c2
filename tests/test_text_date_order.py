"""Text dates in the APM's own sheets written both ways round: '25/12/2026' can only be day first, so a
'12/01/2026' beside it, read month first by Config Date Order, is most likely 12 January read as 1 December.
Real workbooks written with openpyxl, the real `validate` job."""

from __future__ import annotations

from datetime import date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import assert_finding, base_sheets, write_book
from prodbook.core.findings import Code
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run

CTX = Context(today=date(2026, 12, 1), now=datetime(2026, 12, 1, 9))


def book(tmp_path, po_dates, order=None):
    sheets = base_sheets()
    sheets["Orders"][1][4], sheets["Orders"][2][4] = po_dates
    if order:
        sheets["Config"] = [["Setting", "Value"], ["Date Order", order]]
    return write_book(tmp_path / "t.xlsx", sheets)


def test_a_column_of_text_dates_written_both_ways_names_the_one_read_by_date_order(tmp_path):
    path = book(tmp_path, ("25/12/2026", "12/01/2026"))
    found = run(path, ["validate"], CTX).findings
    f = assert_finding(found, Code.DATE_ORDER, sheet="Orders", row=3, column="PO Date", value="12/01/2026")
    assert "'25/12/2026' (row 2) can only be DMY" in f.message and "read MDY" in f.message
    assert f.severity == "warning"


def test_text_dates_that_agree_with_date_order_or_real_dates_say_nothing(tmp_path):
    for dates, order in ((("25/12/2026", "12/01/2026"), "DMY"), (("12/25/2026", "12/01/2026"), None),
                         ((datetime(2026, 12, 25), "12/01/2026"), None)):
        path = book(tmp_path, dates, order)
        assert not [f for f in run(path, ["validate"], CTX).findings if f.code is Code.DATE_ORDER], dates


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 12), st.integers(1, 12), st.integers(13, 28), st.integers(1, 12))
def test_only_a_column_showing_the_other_order_is_named(a, b, day, month):
    """Whatever the days: a both-ways date is named exactly when another text date of the column can only
    be read the other way round than Date Order (MDY by default). 04/04 is one day either way: not named."""
    from prodbook.core.cells import DateOrder
    from prodbook.workbook.tables import _text_dates_both_ways

    cells = [f"{day:02d}/{month:02d}/2026", f"{a:02d}/{b:02d}/2026", None, date(2026, 3, 4)]
    found = _text_dates_both_ways(cells, DateOrder.MDY, file="t.xlsx", sheet="Orders", first_row=2, column="PO Date")
    assert [(f.row, f.value) for f in found] == ([(3, f"{a:02d}/{b:02d}/2026")] if a != b else [])
    assert _text_dates_both_ways(cells, DateOrder.DMY, file="t.xlsx", sheet="Orders", first_row=2,
                                 column="PO Date") == []


@given(st.integers(0, 40), st.integers(0, 40), st.sampled_from(["2026", "26"]), st.sampled_from("/-."))
def test_reads_both_ways_is_exactly_a_date_the_date_order_alone_decides(a, b, year, sep):
    """One rule, used by the sheets' check above and by the WIP import's file order: a text date reads both
    ways when it is a date month first and another date day first, and no dots say day first."""
    from prodbook.core.cells import CellError, DateOrder, order_shown, reads_both_ways, to_date

    text = f"{a:02d}{sep}{b:02d}{sep}{year}"

    def read(order):
        try:
            return to_date(text, order)
        except CellError:
            return None
    both = None is not read(DateOrder.MDY) != read(DateOrder.DMY) is not None  # two days: 04/04 is one
    assert reads_both_ways(text) == (both and sep != "." and order_shown(text) is None)
    if reads_both_ways(text):
        assert order_shown(text) is None
