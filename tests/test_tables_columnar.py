"""Reading a column at a time gives exactly what reading it cell by cell gives, bad cells included.

``tables._convert`` (numpy, distinct text once) is held to ``tables._convert_cells`` (the per-cell
reference) on mixed columns: serial numbers in both date systems and at their edges, text dates in
several forms, blanks, N/A words, numbers typed as text, Excel errors, garbage. Then the same through
``read_table`` (the frame, its dtypes and every finding) and through a real .xlsx read back.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import openpyxl
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prodbook.core.cells import DateOrder
from prodbook.core.config import Config
from prodbook.core.model.sheets import ALL_SHEETS, TA, Kind
from prodbook.workbook import tables
from prodbook.workbook.filebook import FileBook
from prodbook.workbook.tracker import Tracker

SERIALS = [0.0, -0.0, 1.0, 59.0, 59.99, 60.0, 60.5, 61.0, 1461.0, 1462.0, 45000.0, 45000.75,
           2958465.0, 2958465.5, 2958466.0, 2957003.0, 2957004.0, -1.0, 19000101.0, 20270315.0,
           20271345.0, 29991231.0, 29991232.0, 20270315.5, 1e300, math.inf, -math.inf, math.nan,
           12.0, 3.5, 2.0 ** 53, -7.0]
TEXTS = ["2027-03-15", "2027/3/5", "2027.03.15 10:30", "20270315", "3/15/2027", "15/3/27",
         "03/04/2027", "15-Mar-27", "15 March 2027", "Mar 15, 2027", "Sept 3rd 2027", "31/02/2027",
         "2027-13-01", "15-Foo-27", "N/A", " n/a ", "NA", "n.a.", "Not Applicable", "#N/A", "#REF!",
         " #VALUE! ", "#hashtag", "1,200", "(5)", "$3.50", " 42 ", "1e3", "-0", "0.0", "yes", "No",
         "x", "-", "TRUE", "critical", "hello", "TBC", "", "   ", "\u00a0", "12.5kg", "45000"]
CELLS = st.one_of(
    st.sampled_from(SERIALS),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-5, max_value=3_000_000).map(float),
    st.integers(min_value=-2, max_value=1500).map(float),  # serials around 1900-02-29 and 1904
    st.sampled_from(TEXTS),
    st.sampled_from(TEXTS).map(lambda t: f"  {t} "),
    st.text(max_size=6),
    st.none(),
    st.dates(min_value=date(1900, 1, 1)),
    st.datetimes(min_value=datetime(1900, 1, 1)),
    st.booleans(),
    st.integers(min_value=-10, max_value=30_000_000),
)
KINDS = [(k, u) for k in Kind for u in (False, True)]


def _shown(values: list[Any]) -> list[tuple[type, str]]:
    """Type and repr: -0.0 is not 0.0, a datetime is not a date, 1 is not 1.0."""
    return [(type(v), repr(v)) for v in values]


def _both(cells: list[Any], kind: Kind, user: bool, order: DateOrder, date1904: bool):
    fast_filled = np.zeros(len(cells), dtype=bool)
    fast_reports: list[tuple[int, str, str]] = []
    fast = tables._convert(cells, kind, user, order, date1904, fast_filled,
                           lambda i, raw, exc: fast_reports.append((i, repr(raw), str(exc))))
    slow_filled = [False] * len(cells)
    slow_reports: list[tuple[int, str, str]] = []
    slow = tables._convert_cells(cells, kind, user, order, date1904, slow_filled,
                                 lambda i, raw, exc: slow_reports.append((i, repr(raw), str(exc))))
    return (_shown(fast.tolist()), fast_filled.tolist(), fast_reports), (_shown(slow), slow_filled, slow_reports)


@settings(max_examples=400, deadline=None)
@given(cells=st.lists(CELLS, max_size=40), kind=st.sampled_from(KINDS), order=st.sampled_from(list(DateOrder)),
       date1904=st.booleans(), repeat=st.integers(min_value=1, max_value=3))
def test_columnar_equals_per_cell(cells: list[Any], kind: tuple[Kind, bool], order: DateOrder,
                                  date1904: bool, repeat: int) -> None:
    cells = cells * repeat  # repeated values: each distinct text is read once, each of its cells reported
    fast, slow = _both(cells, kind[0], kind[1], order, date1904)
    assert fast == slow


def test_every_edge_serial_and_text_in_every_kind() -> None:
    cells = [*SERIALS, *TEXTS, None, date(2027, 1, 2), datetime(2027, 1, 2, 3, 4), True, 7]
    for kind, user in KINDS:
        for date1904 in (False, True):
            fast, slow = _both(cells * 2, kind, user, DateOrder.DMY, date1904)
            assert fast == slow, (kind, user, date1904)
    # the edges do reach both paths: serial 60 is a finding, serial 61 a date read with numpy
    _, (values, _, reports) = _both([60.0, 61.0], Kind.DATE, False, DateOrder.MDY, False)
    assert [r[0] for r in reports] == [0] and "29 February 1900" in reports[0][2]
    assert values[1] == (date, repr(date(1900, 3, 1)))


def _per_cell(cells, kind, user, order, date1904, filled, report, strip=True):
    """``_convert`` as it was: cell by cell."""
    mark = [False] * len(cells)
    values = tables._convert_cells(cells, kind, user, order, date1904, mark, report, strip=strip)
    filled |= np.array(mark, dtype=bool)
    out = np.empty(len(cells), dtype=object)
    out[:] = values
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=st.sampled_from(ALL_SHEETS), data=st.data(), date1904=st.booleans())
def test_read_table_frame_and_findings_unchanged(spec, data, date1904: bool) -> None:
    width = len(spec.headers)
    body = data.draw(st.lists(st.lists(CELLS, min_size=width, max_size=width), max_size=12))
    rows = [list(spec.headers), *body]
    fast = tables.read_table(rows, spec, Config(), sheet="S", file="f.xlsx", date1904=date1904)
    with mock.patch.object(tables, "_convert", _per_cell):
        slow = tables.read_table(rows, spec, Config(), sheet="S", file="f.xlsx", date1904=date1904)
    pd.testing.assert_frame_equal(fast.frame, slow.frame)
    assert fast.findings == slow.findings


def test_a_real_tracker_reads_as_cell_by_cell(tmp_path: Path) -> None:
    """A T&A typed by hand (dates as dates, serials, text dates, N/A, garbage), saved and read back."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "T&A"
    ws.append(list(TA.headers))
    actual = TA.fields.index("actual")
    typed = [date(2027, 3, 1), 46000, "2027-03-15", "15-Mar-27", "n/a", "soon", "#N/A", 60, "", "3/4/27"] * 3
    for i, value in enumerate(typed):
        row: list[Any] = [None] * len(TA.headers)
        row[0], row[actual] = f"PO{i % 7}", value
        ws.append(row)
    path = tmp_path / "typed.xlsx"
    wb.save(path)
    fast = Tracker(FileBook(path)).table(TA)
    with mock.patch.object(tables, "_convert", _per_cell):
        slow = Tracker(FileBook(path)).table(TA)
    pd.testing.assert_frame_equal(fast.frame, slow.frame)
    assert fast.findings == slow.findings
    bad = [(f.row, f.value) for f in fast.findings if f.column == TA.headers[actual]]
    assert (7, "soon") in bad and (8, "#N/A") in bad and (9, 60) in bad
