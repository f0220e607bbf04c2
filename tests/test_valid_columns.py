"""Validating a sheet a column at a time gives exactly what pydantic row by row gives, bad rows included.

``jobs.base.checked_rows`` (column checks from ``core.model.columns``, pydantic only for the rows they
cannot take) is held to the per-row reference, ``records_frame(*to_records(...))``: the same frame
(values, their Python types, dtypes) and the same findings in the same order, on every record model,
with cells of every awkward kind; then on a real tracker written and read back.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prodbook.core.model import columns
from prodbook.core.model.records import RECORDS, DayType, Status
from prodbook.core.model.sheets import spec_by_name
from prodbook.jobs.base import checked_rows, valid_frame
from prodbook.workbook.filebook import FileBook
from prodbook.workbook.tables import Table, records_frame, to_records
from prodbook.workbook.tracker import Tracker

TEXTS = ["PO1", " PO1", "PO1 ", "\x1cPO1", "PO1\x1f", "\u00a0x", "x\u3000", "", "   ", "Done", "Done late",
         "done", " Done", "Overdue", "N/A", "Working", "Calendar", "cal", "WD", "Yes", "no", "2027-03-15",
         "1,200", "42", "-3", "1.5", "true", "Sept"]
CELLS = st.one_of(
    st.none(),
    st.just(math.nan), st.just(pd.NA), st.just(pd.NaT), st.just(np.float64("nan")),
    st.sampled_from(TEXTS), st.text(max_size=4),
    st.integers(min_value=-3, max_value=3), st.sampled_from([2**53 - 1, 2**53, 2**60, -(2**63)]),
    st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1.0, 2.0, 1.5, -1.0, 1e20, 2.0**53, 9e15]),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 1, 1)),
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2040, 1, 1)),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 1, 1)).map(
        lambda d: datetime(d.year, d.month, d.day)),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 1, 1)).map(pd.Timestamp),
    st.sampled_from([np.int64(3), np.int64(-1), np.float64(2.0), np.float64(2.5), np.bool_(True)]),
    st.sampled_from(list(Status) + list(DayType)),
)
MODELS = sorted(RECORDS)


def _table(name: str, rows: list[dict[str, Any]], *, infer: bool) -> Table:
    spec = spec_by_name(name)
    data = {f: [r.get(f) for r in rows] for f in spec.fields}
    frame = pd.DataFrame(data if infer else {f: pd.Series(v, dtype=object) for f, v in data.items()},
                         columns=list(spec.fields))
    frame["_row"] = np.arange(2, len(rows) + 2)
    return Table(spec, name, 1, {f: i for i, f in enumerate(spec.fields)}, list(spec.headers), frame)


def _same(table: Table) -> None:
    model = RECORDS[table.spec.name]
    records, rows, want_found = to_records(table, model, "t.xlsx")
    want = records_frame(records, rows, table.spec)
    got, found = checked_rows(table, model, "t.xlsx")
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    for a, b in zip(got.itertuples(index=False), want.itertuples(index=False)):
        assert [(type(x), repr(x)) for x in a] == [(type(y), repr(y)) for y in b]
    assert [repr(f) for f in found] == [repr(f) for f in want_found]  # a NaN value is not == itself


@st.composite
def sheets(draw: st.DrawFn) -> tuple[str, list[dict[str, Any]]]:
    name = draw(st.sampled_from(MODELS))
    fields = spec_by_name(name).fields
    model = RECORDS[name]
    # mostly good rows (a value pydantic takes as it is), some cells of any kind
    good = {"str": st.sampled_from(["A1", "Knit 90", "Done", "XF", "Working"]),
            "date": st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)),
            "int": st.integers(min_value=0, max_value=5000), "float": st.floats(min_value=0.5, max_value=99)}

    def cell(f: str) -> st.SearchStrategy[Any]:
        ann = str(model.model_fields[f].annotation) if f in model.model_fields else ""
        kind = next((k for k in good if k in ann), "str")
        return st.one_of(good[kind], good[kind], CELLS)

    n = draw(st.integers(min_value=0, max_value=12))
    rows = [{f: draw(cell(f)) for f in fields} for _ in range(n)]
    return name, rows


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sheets(), st.booleans())
def test_columns_match_pydantic_row_by_row(sheet: tuple[str, list[dict[str, Any]]], infer: bool) -> None:
    name, rows = sheet
    _same(_table(name, rows, infer=infer))


def test_every_model_is_decided_column_wise() -> None:
    """No model falls back whole to the per-row path (a new field type would, silently and slowly)."""
    for name, model in RECORDS.items():
        checks = columns.field_checks(model)
        assert checks is not None, name
        undecided = {c.name for c in checks if c.convert is None}
        assert undecided <= {"day_type", "critical"}, (name, undecided)  # fields with their own validator


def test_a_bad_row_is_reported_as_pydantic_reports_it() -> None:
    rows = [{"po": "P1", "style": "S1", "color": "Red", "qty": 10},
            {"po": " P2 ", "style": "S1", "color": "Red", "qty": 2.5},
            {"po": None, "style": "S1", "color": "Blue", "qty": -1},
            {"po": "P4", "style": "S1", "color": "Red", "qty": 3.0, "ex_factory": datetime(2027, 1, 2, 10)}]
    table = _table("Orders", rows, infer=False)
    _same(table)
    frame, found = checked_rows(table, RECORDS["Orders"], "t.xlsx")
    assert frame["po"].tolist() == ["P1"]  # row 3 has no PO, rows 3-5 have bad values
    assert [(f.row, f.column) for f in found] == [(3, "Qty"), (4, "PO #"), (4, "Qty"), (5, "Ex-Factory")]


def test_a_real_tracker_reads_the_same(tmp_path: Path) -> None:
    """Through a real .xlsx: text with spaces, numbers as text, a date with a time, blanks."""
    spec = spec_by_name("Orders")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Orders"
    ws.append(list(spec.headers))
    ws.append(["4500001", "S1", "Red", 1200, "Sea", date(2026, 9, 1), date(2026, 12, 1), date(2027, 1, 1)])
    ws.append(["4500002", "S1", "Blue", "1,200", "Air ", datetime(2026, 9, 1, 10, 30), None, None])
    ws.append(["4500003", "S2", "Red", -5, None, "2026-09-01", "soon", None])
    ws.append([4500004, "S2", "Red", 10.5, "Sea", None, None, None])
    path = tmp_path / "t.xlsx"
    wb.save(path)
    tracker = Tracker(FileBook(path))
    table = tracker.table(spec)
    _same(table)
    frame, found = valid_frame(tracker, spec)
    assert len(frame) + len({f.row for f in found if f.sheet == "Orders" and f.row}) >= 2


def old_formula_text(table: Table, file: str) -> list[Any]:
    """``validate_job.formula_text`` cell by cell, as it was: the oracle."""
    from prodbook.core.cells import is_signed_number, looks_like_formula
    from prodbook.core.findings import Code, warning
    from prodbook.core.model.sheets import Kind

    out = []
    for f, c in table.columns.items():
        if table.spec.column(f).kind is not Kind.TEXT:
            continue
        for value, row in zip(table.frame[f], table.frame["_row"]):
            if isinstance(value, str) and looks_like_formula(value) and not is_signed_number(value):
                out.append(warning(Code.FORMULA_TEXT, "this text starts like a formula; prodbook keeps "
                                   "it as text and never runs it. Check it is what the vendor meant",
                                   file=file, sheet=table.sheet, row=int(row), column=table.headers[c],
                                   value=value))
    return out


FORMULA_LIKE = st.sampled_from(["=SUM(A1)", "+1,200", "-5", "-", "@x", "=", "+", "-1e3", "- 5", "=1", "a=b",
                                "@", "-inf", "+nan", "Done"])


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(MODELS), st.lists(st.lists(st.one_of(FORMULA_LIKE, CELLS), min_size=30, max_size=30),
                                         max_size=10), st.booleans())
def test_formula_text_by_distinct_value_matches_cell_by_cell(name: str, cells: list[list[Any]],
                                                              infer: bool) -> None:
    from prodbook.jobs.validate_job import formula_text

    fields = spec_by_name(name).fields
    table = _table(name, [dict(zip(fields, row)) for row in cells], infer=infer)
    got, want = formula_text(table, "t.xlsx"), old_formula_text(table, "t.xlsx")
    assert [repr(f) for f in got] == [repr(f) for f in want]


KEYS = st.one_of(st.sampled_from(["P1", "p1", " P1 ", "P2", "S1", "s1", "Red", "RED ", "", " "]),
                 st.sampled_from([None, math.nan, pd.NA, 1, 1.0, "1", "1.0"]))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["Orders", "T&A", "Styles", "Vendor WIP", "Lab Dips"]),
       st.lists(st.lists(KEYS, min_size=30, max_size=30), max_size=12), st.booleans())
def test_duplicate_keys_are_decided_as_duplicate_keys_finds_them(name: str, cells: list[list[Any]],
                                                                  infer: bool) -> None:
    from prodbook.jobs.base import has_duplicate_keys
    from prodbook.workbook.tables import duplicate_keys

    fields = spec_by_name(name).fields
    table = _table(name, [dict(zip(fields, row)) for row in cells], infer=infer)
    assert has_duplicate_keys(table) == bool(duplicate_keys(table, "t.xlsx"))
