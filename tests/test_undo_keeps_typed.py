"""Undo changes back only what the undone run changed: text the APM typed in a date column of theirs ('TBC', a
date typed as text) stays exactly as typed, in the file and in Excel."""

from __future__ import annotations

from datetime import date, datetime

import openpyxl
import pytest

from conftest import base_sheets, sheet_values, write_book
from fakexl import FakeBook
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from prodbook.workbook.xlbook import XlBook

CTX = Context(today=date(2027, 2, 1), now=datetime(2027, 2, 1, 9))


def typed_tracker(tmp_path):
    sheets = base_sheets()
    sheets["T&A"].append(["4500000001", "S1", "Navy", "BD1", "LD", None, None, None, None, "TBC", None, None,
                          "mill late"])
    sheets["T&A"].append(["4500000001", "S1", "Navy", "BD1", "LD-APP", None, None, None, None, "1/20/2027", None,
                          None, None])
    return write_book(tmp_path / "tracker.xlsx", sheets)


def actuals(rows: list[list]) -> dict[str, object]:
    return {r[4]: r[9] for r in rows[1:] if r[0] == "4500000001" and r[4] in ("LD", "LD-APP")}


def test_undo_of_a_ta_run_keeps_text_typed_in_actual_as_typed(tmp_path):
    path = typed_tracker(tmp_path)
    run(path, ["ta"], CTX)
    assert actuals(sheet_values(path, "T&A")) == {"LD": "TBC", "LD-APP": "1/20/2027"}  # the run kept them
    run(path, ["undo"], CTX)
    assert actuals(sheet_values(path, "T&A")) == {"LD": "TBC", "LD-APP": "1/20/2027"}
    ws = openpyxl.load_workbook(path)["T&A"]
    assert all(c.data_type == "s" for c in ws["J"][1:3])  # text cells, not a date made of the text


def test_undo_still_takes_back_an_actual_the_run_typed(tmp_path):
    """What the run did change in a column of the APM's (an Actual filled from Lab Dips) goes back."""
    path = typed_tracker(tmp_path)
    run(path, ["ta"], CTX)
    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet("Lab Dips")
    ws.append(["Style #", "Color", "Round", "Submitted", "Received", "Decision", "Decision Date"])
    ws.append(["S2", "Black", 1, date(2027, 1, 20), date(2027, 1, 22), "Approved", date(2027, 1, 25)])
    wb.save(path)
    run(path, ["ta"], CTX)
    filled = {r[4]: r[9] for r in sheet_values(path, "T&A")[1:] if r[0] == "4500000002"}
    assert filled["LD"] is not None  # the submission date went into the T&A's Actual
    run(path, ["undo"], CTX)
    rows = sheet_values(path, "T&A")
    assert actuals(rows) == {"LD": "TBC", "LD-APP": "1/20/2027"}
    assert {r[4]: r[9] for r in rows[1:] if r[0] == "4500000002"}["LD"] is None  # blank again, as before the run


@pytest.mark.parametrize("hour", [10])
def test_in_excel_too_undo_keeps_text_typed_in_actual(tmp_path, hour):
    path = typed_tracker(tmp_path)
    xl = FakeBook.from_file(path)
    ctx = Context(today=CTX.today, now=CTX.now.replace(hour=hour))
    run(path, ["ta"], ctx, backend=XlBook(xl))
    run(path, ["undo"], ctx, backend=XlBook(xl))
    assert actuals(xl.values("T&A")) == {"LD": "TBC", "LD-APP": "1/20/2027"}
