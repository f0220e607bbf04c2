"""``where.records``: a frame's rows as dicts, every blank None (what the rules iterate over)."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from prodbook.core.where import records

CELLS = st.one_of(st.none(), st.just(math.nan), st.just(pd.NaT), st.text(max_size=5), st.integers(-3, 3),
                  st.floats(allow_nan=False), st.booleans(), st.datetimes(min_value=datetime(1950, 1, 1)))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(CELLS, CELLS, CELLS), max_size=12), st.booleans())
def test_records_are_to_dict_records_with_blanks_none(rows: list[tuple[Any, Any, Any]], typed: bool) -> None:
    """Each row's values, in column order, blanks (None, NaN, NaT) as None: pandas' own rows otherwise."""
    cols = ["b", "a", "_row"]
    data = {c: [r[i] for r in rows] for i, c in enumerate(cols)}
    frame = pd.DataFrame(data if typed else {c: pd.Series(v, dtype=object) for c, v in data.items()},
                         columns=cols)
    want = [{k: None if pd.isna(v) else v for k, v in r.items()} for r in frame.astype(object).to_dict("records")]
    got = records(frame)
    assert [list(r) for r in got] == [cols] * len(frame)
    assert [[(type(v), repr(v)) for v in r.values()] for r in got] == \
        [[(type(v), repr(v)) for v in r.values()] for r in want]


def test_records_of_no_columns_or_no_rows() -> None:
    assert records(pd.DataFrame()) == []
    assert records(pd.DataFrame(columns=["a", "b"])) == []


def test_records_of_only_some_columns() -> None:
    """``only``: those columns the frame has, each once, in the order asked; the others not boxed."""
    frame = pd.DataFrame({"a": [1, None], "b": ["x", "y"], "c": [pd.NaT, pd.Timestamp("2026-01-02")]})
    assert records(frame, ("c", "a", "missing", "a")) == [{"c": None, "a": 1.0}, {"c": pd.Timestamp("2026-01-02"),
                                                                                    "a": None}]
    assert [list(r) for r in records(frame, ("c", "a"))] == [["c", "a"], ["c", "a"]]
    assert records(frame, ()) == []
