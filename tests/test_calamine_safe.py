"""A cell calamine panics on (a date-formatted number no date can be) is read by openpyxl instead: the run goes
on, the cell is named, and neither a Python traceback nor Rust's panic message reaches the APM."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from conftest import base_sheets, write_book
from prodbook.core.cells import to_text
from prodbook.workbook import calamine_safe, filebook
from prodbook.workbook.filebook import FileBook

DEMO = Path(__file__).parent.parent / "workbooks"


class PanicException(BaseException):
    """Named as pyo3's is: what ``is_panic`` knows it by (its own class cannot be imported)."""


def tracker_with_a_date_no_date_can_be(tmp_path: Path, value: float = -1e308) -> Path:
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    wb = openpyxl.load_workbook(path)
    wb["Orders"]["F2"] = value  # Ex-Factory of the first PO line, formatted as a date
    wb["Orders"]["F2"].number_format = "dd-mmm-yy"
    wb.save(path)
    return path


def test_the_fallback_reads_every_demo_sheet_as_calamine_does() -> None:
    """openpyxl's read, shaped as calamine's: the same rows, values and types, sheet by sheet."""
    trackers = sorted(DEMO.glob("*.xlsx"))
    assert trackers
    for tracker in trackers:
        book = FileBook(tracker)
        for sheet in book.sheet_names():
            got, want = calamine_safe.openpyxl_values(tracker, sheet), book.read_sheet(sheet)
            assert got == want, (tracker.name, sheet)
            assert [[type(v) for v in r] for r in got] == [[type(v) for v in r] for r in want], (tracker.name, sheet)


def test_calamine_panics_on_such_a_cell(tmp_path: Path) -> None:
    """The reason for the module: if calamine one day reads the cell, this fails and the fallback can go."""
    from python_calamine import CalamineWorkbook

    path = tracker_with_a_date_no_date_can_be(tmp_path)
    with pytest.raises(BaseException) as caught, calamine_safe.quiet_stderr():
        CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Orders").to_python()
    assert calamine_safe.is_panic(caught.value)


@pytest.mark.parametrize("shared", [False, True], ids=["whole", "shared"])
def test_the_sheet_is_read_with_the_number_as_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     shared: bool) -> None:
    path = tracker_with_a_date_no_date_can_be(tmp_path)
    if shared:  # a sheet too big to hold whole: read a block of rows at a time
        monkeypatch.setattr(filebook, "SHARED_CELLS", 0)
    rows = FileBook(path).read_sheet("Orders")
    assert rows[1][5] == -1e308
    assert rows[1][:3] == ["4500000001", "S1", "Navy"] and rows[2][5] == date(2027, 4, 30)
    assert list(FileBook(path).iter_rows("Orders")) == rows


def test_the_run_names_the_cell_and_the_console_shows_no_panic(tmp_path: Path) -> None:
    """Through the real command, in its own process: Rust's panic message goes to the process's stderr."""
    path = tracker_with_a_date_no_date_can_be(tmp_path)
    done = subprocess.run([sys.executable, "-m", "prodbook.cli", "refresh", str(path), "--today", "2027-03-01"],
                          capture_output=True, text=True, timeout=300)
    said = done.stdout + done.stderr
    assert done.returncode == 1, said  # the bad date is an error on the Issues sheet; the rest is written
    for word in ("panicked", "Traceback", "PanicException", "unexpected problem"):
        assert word not in said, said
    assert "sheet 'Orders', row 2, column 'Ex-Factory'" in said and "outside Excel's date range" in said, said
    assert "Saved 'tracker.xlsx'" in said


class Rows:
    """calamine's row iterator, panicking at row ``at``."""

    def __init__(self, rows: list[list[int]], at: int, exc: type[BaseException] = PanicException) -> None:
        self.rows, self.at, self.exc, self.k = rows, at, exc, 0

    def __iter__(self) -> Rows:
        return self

    def __next__(self) -> list[int]:
        if self.k == self.at:
            raise self.exc("TimeDelta::milliseconds out of bounds")
        if self.k == len(self.rows):
            raise StopIteration
        self.k += 1
        return self.rows[self.k - 1]


@pytest.mark.parametrize("at", [0, 1, 5, 6, 7, 99])
def test_a_panic_part_way_takes_the_rest_from_the_fallback(at: int) -> None:
    rows = [[k] for k in range(12)]
    got = list(calamine_safe.rows(Rows(rows, at), lambda: [[k] for k in range(12)], block=3))
    assert got == rows


def test_only_a_panic_is_caught() -> None:
    with pytest.raises(KeyboardInterrupt):
        list(calamine_safe.rows(Rows([[1], [2]], 1, KeyboardInterrupt), lambda: [[0]]))
    with pytest.raises(KeyboardInterrupt):
        calamine_safe.read(lambda: (_ for _ in ()).throw(KeyboardInterrupt()), lambda: [])


def test_a_whole_number_past_excels_digits_reads_as_excel_shows_it() -> None:
    """Not a 309-digit text in a message: 1E+308, as Excel shows the cell."""
    assert to_text(-1e308) == "-1E+308" and to_text(1e15) == "1E+15"
    assert to_text(123456789012345.0) == "123456789012345" and to_text(7.0) == "7" and to_text(2.5) == "2.5"
