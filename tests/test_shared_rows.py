"""A big sheet read with its repeated texts and dates held once (``filebook.shared_rows``) is, value for
value and type for type, what calamine's whole-sheet read gives."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from prodbook.workbook.filebook import FileBook, shared_rows

DEMO = Path(__file__).parent.parent / "workbooks"

cells = st.one_of(st.none(), st.booleans(), st.sampled_from([0, 1, 1.0, -0.0, 0.0, 2.5, "1", "", " a ", "TRUE"]),
                  st.sampled_from(["PO 1", "PO 2", "Lab dip"]), st.dates(date(2020, 1, 1), date(2020, 1, 5)),
                  st.sampled_from([datetime(2026, 1, 1, 9, 30), datetime(2026, 1, 1), time(8, 15)]))


def typed(rows: list[list]) -> list[list[tuple[type, object]]]:
    return [[(type(v), v) for v in row] for row in rows]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(cells, min_size=1, max_size=6), min_size=1, max_size=25), st.integers(0, 3),
       st.integers(0, 2), st.integers(1, 7))
def test_shared_rows_read_as_the_whole_sheet_read(tmp_path_factory, grid, col0, row0, block):
    path = tmp_path_factory.mktemp("shared") / "grid.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    for r, row in enumerate(grid):
        for c, v in enumerate(row):
            ws.cell(row=1 + row0 + r, column=1 + col0 + c, value=v)
    wb.save(path)
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(ws.title)
    whole = sheet.to_python(skip_empty_area=False)
    shared = shared_rows(sheet.iter_rows(), sheet.start[1] if sheet.start else 0, block=block)
    assert typed(shared) == typed(whole)


def test_a_tracker_read_shared_is_the_tracker_read_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every sheet of the demo tracker, read both ways through the file back end."""
    from prodbook.workbook import filebook

    tracker = next(DEMO.glob("*.xlsx"))
    book = FileBook(tracker)
    whole = {s: book.read_sheet(s) for s in book.sheet_names()}
    monkeypatch.setattr(filebook, "SHARED_CELLS", 0)
    shared = {s: FileBook(tracker).read_sheet(s) for s in book.sheet_names()}
    assert {s: typed(r) for s, r in shared.items()} == {s: typed(r) for s, r in whole.items()}
    ta = shared.get("T&A") or []
    po = [row[0] for row in ta[1:] if row and row[0]]
    assert len({id(x) for x in po}) == len(set(po))  # each PO's text is one object
