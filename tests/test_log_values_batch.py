"""The Change Log's Old and New, worked out once per distinct value, are what each value alone gives.

A day's run at 46,000 PO lines logs 350,000 changed cells holding a few hundred dates and variances, as numpy
gives them (``np.datetime64``, ``np.int64``); ``changes.log_values`` works each distinct one out once. The
answer must stay the one ``log_text`` and ``as_logged_number`` give value by value, for every kind of value and
every mix: equal values of other types (1, 1.0, True), NaN and NaT (equal to nothing), the same instant in two
zones (equal, printed apart), -0.0 and 0.0.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from prodbook.core.changes import as_logged_number, log_text, log_texts, log_values

ZONES = st.sampled_from([None, UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5))])
DAYS = st.dates(date(1990, 1, 1), date(2040, 12, 31))
TIMES = st.datetimes(datetime(1990, 1, 1), datetime(2040, 12, 31))
FLOATS = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, -0.0, 1.0, 2.5, 1e15, 1e16]))
VALUES = st.one_of(
    st.none(), st.text(max_size=5), st.sampled_from(["", "TBC", "7", "=1+2"]),
    DAYS, TIMES, st.builds(lambda t, z: t.replace(tzinfo=z), TIMES, ZONES),
    st.integers(-10**16, 10**16), st.sampled_from([0, 1, -3, 10**15]), FLOATS, st.booleans(),
    st.builds(pd.Timestamp, TIMES), st.builds(lambda t, z: pd.Timestamp(t).tz_localize(z) if z else pd.Timestamp(t),
                                              TIMES, ZONES),
    st.builds(np.datetime64, DAYS), st.builds(lambda t: np.datetime64(t, "s"), TIMES),
    st.builds(lambda t: np.datetime64(t, "ns"), TIMES), st.just(np.datetime64("NaT")), st.just(pd.NaT),
    st.builds(np.int64, st.integers(-10**16, 10**16)), st.builds(np.int32, st.integers(-2**31, 2**31 - 1)),
    st.builds(np.float64, FLOATS), st.builds(np.bool_, st.booleans()),
)


def one_by_one(v: object) -> object:
    """The log's value as it was worked out before, one value at a time."""
    numbers = v is not None and not isinstance(v, (str, date, pd.Timestamp, np.datetime64))
    n = as_logged_number(v) if numbers else None
    return n if n is not None else log_text(v)


def same(a: list, b: list) -> bool:
    """Equal, and of one type each: 1 is not 1.0 in a log cell (a whole number is logged as an int)."""
    return a == b and [type(x) for x in a] == [type(x) for x in b]


@settings(max_examples=400, deadline=None)
@given(st.lists(VALUES, max_size=40).flatmap(lambda vs: st.permutations(vs + vs)))
def test_each_distinct_value_once_gives_what_each_value_alone_gives(values):
    assert same(log_values(values), [one_by_one(v) for v in values])
    assert same(log_texts(values), [log_text(v) for v in values])


def test_equal_values_of_other_kinds_are_not_confused():
    """1, 1.0, True and np.int64(1) are one dictionary key without their type; the same instant in two zones
    is equal and prints apart; NaN and NaT are blanks however often they come."""
    t = datetime(2027, 1, 5, 9, 30)
    utc, hk = t.replace(tzinfo=UTC), (t + timedelta(hours=8)).replace(tzinfo=timezone(timedelta(hours=8)))
    assert utc == hk
    values = [1, 1.0, True, np.int64(1), np.bool_(True), utc, hk, float("nan"), float("nan"), np.datetime64("NaT"),
              np.datetime64("2027-01-05"), pd.Timestamp("2027-01-05 00:00"), date(2027, 1, 5)]
    assert same(log_values(values), [1, 1, "True", 1, "True", utc.isoformat(sep=" ", timespec="seconds"),
                                     hk.isoformat(sep=" ", timespec="seconds"), None, None, None,
                                     "2027-01-05", "2027-01-05", "2027-01-05"])
