"""A column of cells written at once (``values.column_cells``) is what one ``_ValueWriter.cell`` per value writes.

The column path skips the per-value dispatch (dates to serials in numpy, each distinct text escaped
once, a log's one timestamp written once for all its rows); this holds it to the plain path, byte
for byte, on a real workbook's styles.
"""

from __future__ import annotations

from datetime import date, datetime

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prodbook.core.cells import Formula
from prodbook.workbook.xlsx.book import _read_book
from prodbook.workbook.xlsx.package import _Package
from prodbook.workbook.xlsx.styles import _Styles
from prodbook.workbook.xlsx.values import _ValueWriter, column_cells

values = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_infinity=False),
    st.just(float("nan")), st.text(max_size=12),
    st.sampled_from([" lead", "trail ", "a&b<c>", "=SUM(A1)", "", "_x0041_ code", "nul\x00in", "cr\rlf\n", "\x0b",
                     "x" * 32_800]),
    st.dates(date(1900, 3, 1), date(2100, 1, 1)),
    st.sampled_from([datetime(2026, 11, 25, 9, 30), datetime(2027, 1, 1, 0, 0, 1)]),
    st.datetimes(datetime(1900, 3, 2), datetime(2100, 1, 1)),
    st.builds(Formula, st.sampled_from(["=A1+1", '=HYPERLINK("#a","b")']), st.one_of(st.none(), st.text(max_size=5))),
)


@pytest.fixture(scope="module")
def writer(tmp_path_factory) -> _ValueWriter:
    path = tmp_path_factory.mktemp("v") / "book.xlsx"
    openpyxl.Workbook().save(path)
    pkg = _Package(path)
    return _ValueWriter(_Styles(pkg, _read_book(pkg).part), False, "Sheet")


@settings(max_examples=300, deadline=None)
@given(st.lists(values, max_size=30), st.sampled_from([0, 1]))
def test_a_column_is_written_as_cell_by_cell(writer, column, style):
    rows = [str(2 + i) for i in range(len(column))]
    expected = [writer.cell(f"C{r}", v, style, int(r), 2) or "" for v, r in zip(column, rows, strict=True)]
    assert column_cells(writer, column, "C", rows, style, 2) == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.dates(date(1899, 12, 25), date(1904, 1, 10)), st.dates(), st.integers(0, 3),
                          st.sampled_from([1.0, True, 0.0, -0.0, "1"])), max_size=30),
       st.booleans())
def test_dates_at_either_epoch_and_look_alike_values_are_written_as_cell_by_cell(writer, column, date1904):
    """Around 1900's leap-year bug and the 1904 epoch, and where 1, 1.0, True and '1' meet in one column."""
    vw = _ValueWriter(writer.styles, date1904, "Sheet")
    rows = [str(2 + i) for i in range(len(column))]
    expected = []
    for v, r in zip(column, rows, strict=True):
        try:
            expected.append(vw.cell(f"C{r}", v, 0, int(r), 2) or "")
        except Exception as exc:  # a date the epoch cannot hold: the column path must refuse it the same way
            expected.append(type(exc))
    if any(isinstance(x, type) for x in expected):
        with pytest.raises(next(x for x in expected if isinstance(x, type))):
            column_cells(vw, column, "C", rows, 0, 2)
    else:
        assert column_cells(vw, column, "C", rows, 0, 2) == expected
