"""A step that stops on an unexpected problem writes nothing, as the run says ("the other steps ran and nothing
of this step was written"): before, the cells it had staged before it stopped were saved all the same, without
their lines in the Change Log, so undo could not take them back."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from conftest import base_sheets, sheet_values, write_book
from fakexl import FakeBook
from prodbook.core.changes import Change
from prodbook.core.findings import Code
from prodbook.core.model.sheets import ORDERS
from prodbook.jobs import runner
from prodbook.jobs.base import Context
from prodbook.workbook.xlbook import XlBook

CTX = Context(today=date(2027, 3, 1), now=datetime(2027, 3, 1, 9, 0))


def half_done(tracker, ctx):
    """Stages a cell and a rewrite, logs them, then stops: a bug half-way through a step."""
    orders = tracker.table(ORDERS)
    tracker.edit_cell(orders.sheet, 2, orders.columns["qty"], 999)
    tracker.log([Change(orders.sheet, "4500000001", "Qty", 1200, 999)])
    tracker.replace_rows(orders, orders.frame.assign(qty=1), ["qty"], list(orders.frame["_row"]))
    raise RuntimeError("a bug half-way")


@pytest.mark.parametrize("live", [False, True])
def test_a_step_that_stops_half_way_writes_none_of_its_cells_and_the_others_are_written(tmp_path, monkeypatch,
                                                                                         live):
    path = write_book(tmp_path / "t.xlsx", base_sheets())
    monkeypatch.setitem(runner.JOBS, "half", half_done)
    book = FakeBook.from_file(path) if live else None
    result = runner.run(path, ["ta", "half"], CTX, backend=XlBook(book) if book is not None else None)
    assert [f.code for f in result.findings if f.code is Code.INTERNAL] == [Code.INTERNAL]
    values = (book.values if book is not None else lambda s: sheet_values(path, s))
    assert [r[3] for r in values("Orders")[1:3]] == [1200, 800]  # Qty as typed
    log = [r for r in values("Change Log")[1:] if r[0] is not None]
    assert log and {r[2] for r in log} == {"T&A"}  # the T&A's lines, none of the stopped step's
    assert len([r for r in values("T&A")[1:] if r[0]]) == 10  # the step before it is written
