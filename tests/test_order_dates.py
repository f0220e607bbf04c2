"""An order date years from today is named once: a typo (2207 for 2027) or a placeholder (31-Dec-9999)."""

from __future__ import annotations

from datetime import date

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from prodbook.core.findings import Code
from prodbook.core.order_dates import ORDER_DATES, YEARS_AWAY, unlikely_years

TODAY = date(2026, 12, 4)
HEADERS = {"po_date": "PO Date", "ex_factory": "FOB Date", "in_dc": "In-DC", "cancel": "Cancel"}


def orders(*rows: dict) -> pd.DataFrame:
    frame = pd.DataFrame([{"po": "4500000001", "style": "S1", "color": "Navy", **dict.fromkeys(ORDER_DATES)} | r
                          for r in rows])
    frame["_row"] = range(2, 2 + len(rows))
    return frame


def test_a_typed_year_and_a_placeholder_are_named_by_cell_and_line():
    found = unlikely_years(orders({"ex_factory": date(2207, 4, 15), "cancel": date(2027, 5, 20)},
                                  {"color": "Black", "in_dc": date(9999, 12, 31), "po_date": date(1927, 1, 4)}),
                           TODAY, file="t.xlsx", sheet="PO Lines", headers=HEADERS)
    assert [(f.code, f.row, f.column, f.value) for f in found] == [
        (Code.DATE_YEAR_UNLIKELY, 2, "FOB Date", "2207-04-15"),
        (Code.DATE_YEAR_UNLIKELY, 3, "PO Date", "1927-01-04"),
        (Code.DATE_YEAR_UNLIKELY, 3, "In-DC", "9999-12-31")]
    assert found[0].key == "4500000001 / S1 / Navy" and found[0].sheet == "PO Lines"
    assert "FOB Date 15-Apr-2207 is 181 years from today; check the year" in found[0].message


@given(st.lists(st.dates(date(TODAY.year - YEARS_AWAY, 1, 1), date(TODAY.year + YEARS_AWAY, 12, 31)),
                min_size=4, max_size=4), st.dates(date(1900, 1, 1), date(9999, 12, 31)))
def test_only_dates_past_the_window_are_named(inside, any_day):
    assert unlikely_years(orders(dict(zip(ORDER_DATES, inside))), TODAY, file="t", sheet="Orders",
                          headers=HEADERS) == []
    named = unlikely_years(orders({"cancel": any_day}), TODAY, file="t", sheet="Orders", headers=HEADERS)
    assert len(named) == (abs(any_day.year - TODAY.year) > YEARS_AWAY)
