"""Rows handed to the writer as columns (``RowsByColumn``) read and write exactly as the row tuples would.

A generated sheet is made column by column and written column by column; the rows in between are a
million tuples at 46,000 PO lines. These hold the column form to the row form: as a sequence, and byte
for byte in the file written (blocks, dates first met late, wrapped text, carried cells).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prodbook.core.looks import look_for, row_height, row_heights
from prodbook.core.model.sheets import CHANGE_LOG
from prodbook.workbook.backend import RowsByColumn
from prodbook.workbook.xlsx import rewrite
from prodbook.workbook.xlsxparts import SheetRewrite, rewrite_sheets

TEXTS = ["Lab dip ✓", "Größe M", "PP sample 样品", "<tag> & 'quote'", "plain",
         "a long remark from the vendor about the fabric delay and the new ex-factory date they ask for",
         "two\nlines", "Averyveryveryveryveryveryveryveryveryveryveryveryverylongwordwithoutspaces", ""]
cell = st.one_of(st.none(), st.sampled_from(TEXTS), st.integers(-5, 10**6), st.floats(allow_nan=False, width=32),
                 st.dates(date(2025, 1, 1), date(2028, 12, 31)),
                 st.datetimes(datetime(2025, 1, 1), datetime(2028, 12, 31)))


@st.composite
def rows_and_picks(draw: st.DrawFn) -> tuple[list[list], list[int] | None]:
    width = draw(st.integers(1, 5))
    n = draw(st.integers(0, 30))
    columns = [draw(st.lists(cell, min_size=n, max_size=n)) for _ in range(width)]
    picks = draw(st.none() | st.lists(st.integers(0, max(n - 1, 0)), max_size=40)) if n else None
    return columns, picks


@settings(max_examples=200, deadline=None)
@given(rows_and_picks(), st.integers(-40, 40), st.integers(-40, 40), st.sampled_from([None, 1, 2, 3, -1]))
def test_rows_by_column_read_as_the_rows_they_hold(made: tuple, lo: int, hi: int, step: int | None) -> None:
    columns, picks = made
    rows = list(zip(*columns)) if columns[0] else []
    if picks is not None:
        rows = [rows[i] for i in picks]
    held = RowsByColumn(columns, picks)
    assert len(held) == len(rows) and list(held) == rows and held.width == len(columns)
    assert held[lo:hi:step] == rows[lo:hi:step]
    for k in range(-len(rows), len(rows)):
        assert held[k] == rows[k]
    with pytest.raises(IndexError):
        held[len(rows)]
    a, b = sorted((max(0, min(lo, len(rows))), max(0, min(hi, len(rows)))))
    assert [list(c) for c in held.block(a, b)] == [[r[j] for r in rows[a:b]] for j in range(len(columns))]


def test_columns_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="every row"):
        RowsByColumn([[1, 2], [3]])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.lists(st.sampled_from(TEXTS + [None, 7, ["unhashable"]]), min_size=6, max_size=6),
                          st.floats(1, 60)), max_size=4))
def test_row_heights_a_column_at_a_time_are_row_height_of_each_row(columns: list) -> None:
    n = 6
    assert row_heights(columns, n) == [row_height((values[i], w) for values, w in columns) for i in range(n)]


def log_book(path: Path) -> Path:
    """A Change Log with a team's column past prodbook's (carried from the source rows)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Change Log"
    ws.append(["Timestamp", "Action", "Sheet", "Key", "Field", "Old", "New", "User", "Note"])
    for i in range(12):
        ws.append([datetime(2026, 11, 1, 8), "Rebuild T&A", "T&A", f"K{i}", "Planned", None, None, "apm",
                   f"note {i}" if i % 3 == 0 else None])
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return log_book(tmp_path_factory.mktemp("bycol") / "log.xlsx")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 60), st.integers(1, 9), st.booleans(), st.booleans(), st.randoms(use_true_random=False))
def test_a_rewrite_from_columns_writes_the_file_row_tuples_write(book: Path, tmp_path: Path, n: int, block: int,
                                                                  create: bool, picked: bool, rnd) -> None:
    """Blocks of a few rows, a date first met in a later block, wrapped text that makes a row taller, a
    team's column carried from source rows, a sheet created with its look: the same bytes either way."""
    columns = [[None if i < n // 2 else datetime(2026, 11, 25, 8) + timedelta(hours=i) for i in range(n)],
               ["Rebuild T&A"] * n, ["T&A"] * n,
               [f"45{i:06d}" if i < n // 2 else date(2026, 1, 1) + timedelta(days=i) for i in range(n)],
               [None if i % 4 else datetime(2026, 11, 25, 8) + timedelta(hours=i) for i in range(n)],
               [rnd.choice(TEXTS) for _ in range(n)], [rnd.choice(TEXTS) for _ in range(n)], ["apm"] * n]
    at = sorted(rnd.sample(range(n), n // 2)) if picked else None
    held = RowsByColumn(columns, at)
    tuples = tuple(held)
    sources = None if create else tuple(rnd.choice([None, *range(2, 14)]) for _ in tuples)

    def rw(rows: object) -> SheetRewrite:
        if create:
            return SheetRewrite(sheet="Moved", header_row=1, columns=tuple(range(8)), rows=rows,  # type: ignore[arg-type]
                                create_headers=tuple(c.header for c in look_for(CHANGE_LOG).columns),
                                look=look_for(CHANGE_LOG))
        return SheetRewrite(sheet="Change Log", header_row=1, columns=tuple(range(8)), rows=rows,  # type: ignore[arg-type]
                            source_rows=sources, look=look_for(CHANGE_LOG))

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rewrite, "ROW_BLOCK", 1 << 20)  # the tuples in one block, the columns in blocks of a few
        rewrite_sheets(book, tmp_path / "tuples.xlsx", [rw(tuples)])
        mp.setattr(rewrite, "ROW_BLOCK", block)
        rewrite_sheets(book, tmp_path / "columns.xlsx", [rw(held)])
    assert (tmp_path / "tuples.xlsx").read_bytes() == (tmp_path / "columns.xlsx").read_bytes()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(st.sampled_from("aiMW1 0-/.,\n\u00e9\u5e7f"), max_size=60), min_size=64, max_size=200),
       st.floats(2, 60))
def test_many_distinct_texts_are_as_tall_as_each_alone(texts: list, width: float) -> None:
    """From 64 distinct texts the one-line ASCII ones are measured all at once (``looks._wider_than``): the
    heights stay each text's own, at the edge of the column too."""
    assert row_heights([(texts, width)], len(texts)) == [row_height([(v, width)]) for v in texts]
