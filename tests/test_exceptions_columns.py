"""``exceptions.build_lines`` column by column gives exactly the lines the per-row version gave.

The per-row version (``to_dict('records')`` of the T&A and the Orders, ``_date`` per cell) is kept here
as the oracle; hypothesis feeds both frames of awkward cells (blanks of every kind, 'N/A', text dates,
times, Timestamps, numbers where text belongs, -0.0, numpy scalars, case and spaces in codes).
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prodbook.core import exceptions as ex
from prodbook.core.cells import NA, is_missing
from prodbook.core.exceptions.words import _ship_mode
from prodbook.core.keys import fold_code, fold_ref, line_key, style_vendors
from prodbook.core.where import cells, row_dicts
from prodbook.core.wip import latest_reports


def _old_date(v: Any) -> date | None:
    if is_missing(v) or v == NA or isinstance(v, str):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    return v.date() if hasattr(v, "date") and callable(v.date) else v


def old_build_lines(orders: pd.DataFrame, styles: pd.DataFrame, ta: pd.DataFrame, wip: pd.DataFrame,
                    settings: ex.Settings) -> list[ex.Line]:
    """The per-row version, as it was before the column one (the vendor as ``keys.style_vendors`` finds it: a
    style listed twice takes the row that names a vendor)."""
    vendor_of = style_vendors(styles)
    dates: dict[str, dict[str, dict[str, date]]] = {}
    if len(ta):
        wanted = {fold_code(c) for c in settings.codes}
        sub = ta[[fold_code(c) in wanted for c in ta["code"]]]
        for r in sub.to_dict("records"):
            d = dates.setdefault(line_key(r["po"], r["style"], r["color"]),
                                 {"planned": {}, "forecast": {}, "actual": {}})
            code = fold_code(r["code"])
            for f in ("planned", "forecast", "actual"):
                if (v := _old_date(r.get(f))) is not None:
                    d[f][code] = v
    latest = {k: r for k, r in zip(lr["_key"], row_dicts(lr))} if len(
        lr := latest_reports(wip)) else {}
    out = []
    for o in orders.to_dict("records"):
        key = line_key(o["po"], o["style"], o["color"])
        d = dates.get(key, {"planned": {}, "forecast": {}, "actual": {}})
        vendor = vendor_of.get(fold_ref(o["style"]))
        out.append(ex.Line(str(o["po"]), str(o["style"]), str(o["color"]),
                           None if is_missing(vendor) else str(vendor),
                           None if is_missing(o.get("qty")) else int(o["qty"]),
                           None if is_missing(o.get("ship_mode")) else str(o["ship_mode"]),
                           _old_date(o.get("po_date")), _old_date(o.get("ex_factory")), _old_date(o.get("in_dc")),
                           _old_date(o.get("cancel")), d["planned"], d["forecast"], d["actual"], latest.get(key),
                           None if is_missing(o.get("terms")) else o.get("terms"),
                           None if is_missing(o.get("_row")) else int(o["_row"])))
    return out


DAY = st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 1, 20))
WHEN = st.one_of(
    DAY, DAY, st.none(), st.just(math.nan), st.just(pd.NaT), st.just(pd.NA), st.just(NA), st.just("2026-01-03"),
    DAY.map(lambda d: datetime(d.year, d.month, d.day, 7)), DAY.map(pd.Timestamp),
    DAY.map(lambda d: datetime(d.year, d.month, d.day, 23, tzinfo=UTC)),
    DAY.map(lambda d: datetime(d.year, d.month, d.day, 8, tzinfo=timezone(timedelta(hours=9)))),
    DAY.map(lambda d: np.datetime64(d, "D")),
)
STAMPS = st.one_of(DAY.map(pd.Timestamp), DAY.map(lambda d: pd.Timestamp(d) + pd.Timedelta(hours=23)),
                   st.just(pd.NaT))
DATES = st.one_of(DAY, st.none())
REF = st.one_of(st.sampled_from(["4501", "PO 4501", "04501", "4502", " 4502", "po-4502", "S1", "s1", "S2"]),
                st.sampled_from([4501, 4501.0, -0.0, 0.0, 0, np.int64(4501), True]))
COLOR = st.one_of(st.sampled_from(["Red", "red ", "RED", "Blue", ""]), st.sampled_from([1, 1.0, -0.0, 0.0]))
CODE = st.sampled_from(["XF", "xf ", " CUT", "SEW", "PCK", "FIH", "BKC", "IDC", "PP", "LD", "I DC", "x\u00a0f"])


@st.composite
def season(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    obj = draw(st.booleans())  # object columns, or let pandas infer (str, float64, datetime64)
    when = draw(st.sampled_from([WHEN, STAMPS, DATES]))  # mixed cells, or a column of one kind

    def frame(rows: list[dict[str, Any]], cols: list[str]) -> pd.DataFrame:
        data = {c: [r[c] for r in rows] for c in cols}
        if obj:
            return pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in data.items()}, columns=cols)
        return pd.DataFrame(data, columns=cols)

    orders = [{"po": draw(REF), "style": draw(REF), "color": draw(COLOR),
               "qty": draw(st.one_of(st.none(), st.integers(0, 9000), st.just(12.0), st.just(math.nan))),
               "ship_mode": draw(st.sampled_from([None, "Sea", "Air", math.nan])),
               "po_date": draw(when), "ex_factory": draw(when), "in_dc": draw(when), "cancel": draw(when),
               "terms": draw(st.sampled_from([None, "FOB", "DDP", " fob", math.nan])),
               "_row": i + 2} for i in range(draw(st.integers(0, 6)))]
    ta = [{"po": draw(REF), "style": draw(REF), "color": draw(COLOR), "code": draw(CODE),
           "planned": draw(when), "forecast": draw(when), "actual": draw(when)}
          for _ in range(draw(st.integers(0, 25)))]
    styles = [{"style": s, "vendor": draw(st.sampled_from(["V1", "V2", None]))} for s in ("S1", "S2", "s1")]
    cols = list(orders[0]) if orders else ["po", "style", "color", "qty", "ship_mode", "po_date", "ex_factory",
                                           "in_dc", "cancel", "terms", "_row"]
    return (frame(orders, cols), frame(styles, ["style", "vendor"]),
            frame(ta, ["po", "style", "color", "code", "planned", "forecast", "actual"]))


def _shown(lines: list[ex.Line]) -> list[str]:
    """Every field with its type: a date is not a datetime, 1 is not 1.0."""
    def one(v: Any) -> str:
        if isinstance(v, dict):
            return "{" + ", ".join(f"{k!r}: {one(x)}" for k, x in v.items()) + "}"
        return f"{type(v).__name__}:{v!r}"
    return [repr([(f, one(getattr(ln, f))) for f in ln.__dataclass_fields__]) for ln in lines]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(season())
def test_build_lines_matches_the_per_row_version(frames: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]) -> None:
    orders, styles, ta = frames
    wip = pd.DataFrame(columns=["po", "style", "color", "report_date"])
    want = old_build_lines(orders, styles, ta, wip, ex.Settings())
    got = ex.build_lines(orders, styles, ta, wip, ex.Settings())
    assert _shown(got) == _shown(want)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(WHEN, REF, COLOR), max_size=8), st.booleans())
def test_cells_are_what_to_dict_gives(values: list[Any], obj: bool) -> None:
    frame = pd.DataFrame({"x": pd.Series(values, dtype=object) if obj else values})
    want = [r["x"] for r in frame.to_dict("records")]
    assert [(type(v), repr(v)) for v in cells(frame, "x")] == [(type(v), repr(v)) for v in want]


def test_a_line_gets_its_milestones_and_vendor() -> None:
    orders = pd.DataFrame({"po": ["4501"], "style": ["S1"], "color": ["Red"], "qty": [100.0], "ship_mode": ["Sea"],
                           "po_date": [date(2026, 1, 2)], "ex_factory": [date(2026, 3, 2)], "in_dc": [None],
                           "cancel": [date(2026, 4, 1)], "terms": [None], "_row": [2]})
    ta = pd.DataFrame({"po": ["PO 4501", "4501"], "style": ["s1", "S1"], "color": ["RED ", "Red"],
                       "code": ["xf ", "CUT"], "planned": [date(2026, 3, 2), date(2026, 2, 1)],
                       "forecast": [pd.Timestamp("2026-03-05"), None], "actual": [NA, date(2026, 2, 3)]})
    styles = pd.DataFrame({"style": ["S1"], "vendor": ["V1"]})
    (line,) = ex.build_lines(orders, styles, ta, pd.DataFrame(columns=["po", "style", "color"]), ex.Settings())
    assert (line.vendor, line.qty, line.row) == ("V1", 100, 2)
    assert line.planned == {"XF": date(2026, 3, 2), "CUT": date(2026, 2, 1)}
    assert line.forecast == {"XF": date(2026, 3, 5)}
    assert line.actual == {"CUT": date(2026, 2, 3)}


def test_equal_values_that_read_differently_stay_apart() -> None:
    """-0.0 == 0.0 and two zoned times of one instant are equal, but fold and date differently."""
    utc = datetime(2026, 1, 5, 23, tzinfo=UTC)
    tokyo = utc.astimezone(timezone(timedelta(hours=9)))  # the same instant, 6 January there
    orders = pd.DataFrame({"po": pd.Series(["4501", "4501"], dtype=object), "style": ["S1", "S1"],
                           "color": pd.Series([0.0, -0.0], dtype=object), "po_date": pd.Series([utc, tokyo],
                                                                                             dtype=object),
                           "_row": [2, 3]})
    ta = pd.DataFrame({"po": ["4501", "4501"], "style": ["S1", "S1"], "color": pd.Series([-0.0, 0.0], dtype=object),
                       "code": ["XF", "XF"], "planned": pd.Series([utc, tokyo], dtype=object)})
    styles = pd.DataFrame({"style": ["S1"], "vendor": ["V1"]})
    wip = pd.DataFrame(columns=["po", "style", "color"])
    got = ex.build_lines(orders, styles, ta, wip, ex.Settings())
    assert _shown(got) == _shown(old_build_lines(orders, styles, ta, wip, ex.Settings()))
    assert [ln.po_date for ln in got] == [date(2026, 1, 5), date(2026, 1, 6)]
    assert [ln.planned for ln in got] == [{"XF": date(2026, 1, 6)}, {"XF": date(2026, 1, 5)}]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.one_of(WHEN, REF), COLOR, st.one_of(st.none(), st.integers(0, 9), st.floats())),
                max_size=10), st.booleans())
def test_row_dicts_are_to_dict_records(rows: list[tuple[Any, Any, Any]], obj: bool) -> None:
    cols = ["a", "b", "c"]
    data = {c: [r[i] for r in rows] for i, c in enumerate(cols)}
    frame = pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in data.items()} if obj else data, columns=cols)
    want = frame.to_dict("records")
    got = row_dicts(frame)
    assert [[(k, type(v), repr(v)) for k, v in r.items()] for r in got] == \
        [[(k, type(v), repr(v)) for k, v in r.items()] for r in want]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=12), st.sampled_from(["Sea", " AIR ", "Sea-Air", "by courier", "FCL",
                                                                  "truck", "vessel + fly", "", "  "]),
                          st.none(), st.just(math.nan), st.integers(0, 3)), max_size=10))
def test_ship_mode_read_once_per_text_is_the_mode_read_each_time(texts: list[Any]) -> None:
    """``ship_mode`` keeps each text's mode for the run: asked twice, it answers as reading it afresh does."""
    for text in texts + texts:
        assert ex.ship_mode(text) == _ship_mode(text)
