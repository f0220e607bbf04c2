"""The Change Log keeps whether Old and New were numbers (helper-83).

An HTS code typed as a number (6203424016, Excel's own way with it) in the text column HTS Code was logged
as the text '6203424016', like the same code typed as text, so Undo put back text Excel then flags as a
number stored as text. A number is now logged as a number cell and read back as one; text (digits, or a
vendor's '=...') stays text, a date stays its ISO text, and a log written before (all text) undoes as before.
Every case on a real .xlsx written and read back, and through the live back end's stand-in where the case
runs through Excel.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest

from conftest import sheet_values, write_book
from fakexl import FakeBook
from prodbook.core import changes
from prodbook.core.changes import Change
from prodbook.core.model.sheets import CHANGE_LOG
from prodbook.jobs.runner import run
from prodbook.workbook.filebook import FileBook
from prodbook.workbook.tracker import Tracker
from prodbook.workbook.xlbook import XlBook
from test_apply_audit import HTS, row_of
from test_development import ctx, sheets, type_in

ACTION = "Refresh 2027-03-01 09:00:00 UTC+0"


def hts_fixed(tmp_path: Path, held: Any, live: bool) -> tuple[Path, FakeBook | None]:
    """S2's HTS Code holding ``held``, fixed to 6109.10.0012 by Apply fixes (through Excel when ``live``)."""
    s = sheets()
    s["Styles"][2][HTS] = held
    path = write_book(tmp_path / "d.xlsx", s)
    run(path, ["validate"], ctx())
    row = row_of(path, "hts-chapter-vs-construction", "S2")
    type_in(path, "Issues", row, "Proposed Value", "6109.10.0012")
    type_in(path, "Issues", row, "Accept", "Yes")
    book = FakeBook.from_file(path) if live else None
    result = run(path, ["apply", "validate"], ctx(), title="Apply fixes",
                 backend=XlBook(book, progress=False) if book is not None else None)
    assert result.outcomes[0].data["applied"] == 1
    return path, book


def values(path: Path, book: FakeBook | None, sheet: str) -> list[list[Any]]:
    return book.values(sheet) if book is not None else sheet_values(path, sheet)


def logged(path: Path, book: FakeBook | None, field: str) -> tuple[Any, Any]:
    """(Old, New) of the Change Log's line for that field, as the workbook holds them."""
    rows = values(path, book, "Change Log")
    head = rows[0]
    line = next(r for r in rows[1:] if r[head.index("Field")] == field)
    return line[head.index("Old")], line[head.index("New")]


def undo(path: Path, book: FakeBook | None) -> None:
    result = run(path, ["undo"], ctx(), backend=XlBook(book, progress=False) if book is not None else None)
    assert result.outcomes[0].data["undone"].startswith("Apply fixes")


@pytest.mark.parametrize("live", [False, True])
def test_a_number_a_text_column_held_is_logged_and_put_back_as_a_number(tmp_path, live):
    """The HTS code typed as a number: its Old is a number cell in the Change Log, and Undo puts the number
    back (it put back the text '6203424016'). In Excel (the ribbon's buttons) the same."""
    path, book = hts_fixed(tmp_path, 6203424016, live)
    old, new = logged(path, book, "HTS Code")
    assert (old, type(old), new) == (6203424016, int, "6109.10.0012")
    undo(path, book)
    held = values(path, book, "Styles")[2][HTS]
    assert (held, type(held)) == (6203424016, int)


@pytest.mark.parametrize("live", [False, True])
def test_digits_typed_as_text_in_a_text_column_stay_text(tmp_path, live):
    """The same code typed as text (Format Cells > Text): logged as text, put back as text, not a number."""
    path, book = hts_fixed(tmp_path, "6203424016", live)
    old, _ = logged(path, book, "HTS Code")
    assert (old, type(old)) == ("6203424016", str)
    undo(path, book)
    held = values(path, book, "Styles")[2][HTS]
    assert (held, type(held)) == ("6203424016", str)


@pytest.mark.parametrize("old", ["6203424016", 6203424016], ids=["text", "number"])
def test_undo_puts_back_what_the_log_holds_text_as_text_a_number_as_a_number(tmp_path, old):
    """A Change Log an older prodbook wrote holds every Old as text: its '6203424016' is put back as that
    text, as it was then (the log cannot tell it was a number). A number cell in Old is put back a number,
    also in a text column (it was read as its text, and undo wrote that)."""
    path, _ = hts_fixed(tmp_path, 6203424016, live=False)
    wb = openpyxl.load_workbook(path)
    ws = wb["Change Log"]
    head = [c.value for c in ws[1]]
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, head.index("Field") + 1).value == "HTS Code":
            ws.cell(r, head.index("Old") + 1).value = old
    wb.save(path)
    undo(path, None)
    held = sheet_values(path, "Styles")[2][HTS]
    assert (held, type(held)) == (old, type(old))


VALUES: list[tuple[Any, Any]] = [
    # (value changed, as the Change Log holds it and gives it back)
    (6203424016, 6203424016),
    (np.int64(1200), 1200),
    (12.0, 12),
    (5.25, 5.25),
    ("6203424016", "6203424016"),  # text of digits: text
    ("=1+2", "=1+2"),  # a vendor's text that starts like a formula: text, never a formula
    ("-5 days", "-5 days"),
    (date(2027, 3, 15), "2027-03-15"),  # a date: its ISO text, as before
    (datetime(2027, 3, 15, 10, 30), "2027-03-15 10:30:00"),
    (True, "True"),  # as before: a yes/no is no number
    (10**16, "10000000000000000"),  # past Excel's 15 digits: text, as before, so no digit is lost
    (0.1 + 0.2, "0.30000000000000004"),
    (math.inf, "inf"),
    (None, None),
]


def stage_and_read(path: Path, live: bool) -> list[tuple[Any, Any]]:
    """VALUES logged as Old and New by one run, saved, and read back as undo reads the log: (Old, New) each."""
    book = FakeBook.from_file(path) if live else None
    backend: Any = XlBook(book, progress=False) if book is not None else FileBook(path)
    tracker = Tracker(backend)
    tracker.log([Change("Styles", f"S{i}", "HTS Code", v, v) for i, (v, _) in enumerate(VALUES)])
    tracker.stage_change_log(ACTION, datetime(2027, 3, 1, 9, 0))
    backend.commit()
    again: Any = XlBook(book, progress=False) if book is not None else FileBook(path)
    frame = Tracker(again).table(CHANGE_LOG).frame
    return list(zip(frame["old"].tolist(), frame["new"].tolist(), strict=True))


@pytest.mark.parametrize("live", [False, True])
def test_old_and_new_keep_numbers_as_numbers_and_everything_else_as_it_was_logged(tmp_path, live):
    path = write_book(tmp_path / "d.xlsx", sheets())
    read = stage_and_read(path, live)
    want = [(w, w) for _, w in VALUES]
    assert [tuple(None if v is None or v != v else v for v in pair) for pair in read] == want
    assert [type(old) for old, _ in read[:4]] == [int, int, int, float]
    if not live:  # the cells themselves: a number as a number, text (the '=...' too) as text
        ws = openpyxl.load_workbook(path)["Change Log"]
        head = [c.value for c in ws[1]]
        kinds = [ws.cell(r, head.index("Old") + 1).data_type for r in range(2, 2 + len(VALUES) - 1)]
        assert kinds == ["n"] * 4 + ["s"] * (len(VALUES) - 5)


def test_log_values_keeps_numbers_and_gives_every_other_value_its_logged_text():
    assert changes.log_values(v for v, _ in VALUES) == [w for _, w in VALUES]
