"""An Exception ID is never given twice. Before, the next ID was the highest on the sheet plus one: an APM who
deleted the newest rows to tidy the sheet had their IDs given to the next new exceptions, so 'EX-0003' in last
week's e-mail to the vendor and in the Change Log named another exception. The highest ID given is kept in a
hidden workbook name beside the sheet."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from conftest import digest, grow_tables, sheet_values
from fakexl import FakeBook
from prodbook.jobs.exceptions_job import ISSUED_NAME
from prodbook.jobs.runner import run
from prodbook.workbook.xlbook import XlBook
from test_exceptions import book_with_wip, ctx, exceptions_sheet


def numbers(rows: list[dict]) -> list[int]:
    return sorted(int(r["ID"].removeprefix("EX-")) for r in rows)


def delete_newest(path: Path, number: int | None = None) -> int:
    """The APM selects the newest exception's row (or EX-``number``'s) in the Table and deletes it (Table >
    Delete Rows)."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Exceptions"]
    row = max(range(2, ws.max_row + 1), key=lambda r: (int(str(ws.cell(r, 1).value).removeprefix("EX-")) == number,
                                                       int(str(ws.cell(r, 1).value).removeprefix("EX-"))))
    gone = int(str(ws.cell(row, 1).value).removeprefix("EX-"))
    ws.delete_rows(row)
    grow_tables(ws)
    wb.save(path)
    return gone


def issued_name(path: Path) -> tuple[str, bool]:
    dn = openpyxl.load_workbook(path).defined_names[ISSUED_NAME]
    return dn.attr_text, bool(dn.hidden)


@pytest.mark.parametrize("live", [False, True])
def test_a_deleted_newest_exception_does_not_give_its_id_to_the_next(tmp_path, live):
    path = book_with_wip(tmp_path, date(2027, 4, 22))
    run(path, ["ta", "exceptions"], ctx())
    first = numbers(exceptions_sheet(path))
    assert first == list(range(1, len(first) + 1)) and len(first) >= 2
    assert issued_name(path) == (str(first[-1]), True)
    gone = delete_newest(path)
    assert gone == first[-1]
    book = FakeBook.from_file(path) if live else None
    run(path, ["exceptions"], ctx(hour=10), backend=XlBook(book) if book is not None else None)
    if book is not None:
        ids = [r[0] for r in book.values("Exceptions")[1:] if r[0]]
        held = next(n for n in book.names if n.name == ISSUED_NAME)
        assert (held.refers_to, held.api.Visible) == (f"={first[-1] + 1}", False)
    else:
        ids = [r["ID"] for r in exceptions_sheet(path)]
        assert issued_name(path) == (str(first[-1] + 1), True)
    # the exception is still found: it comes back under a new ID, never the one the deleted row had
    assert f"EX-{gone:04d}" not in ids and f"EX-{first[-1] + 1:04d}" in ids


def test_a_run_with_no_new_exception_leaves_the_name_and_the_file_alone(tmp_path):
    path = book_with_wip(tmp_path, date(2027, 4, 22))
    run(path, ["ta", "exceptions"], ctx())
    before = digest(path)
    run(path, ["exceptions"], ctx(hour=10))
    assert digest(path) == before


def test_a_tracker_from_before_the_mark_is_not_written_for_it_alone(tmp_path):
    """A tracker whose Exceptions were numbered before prodbook kept the mark: a run that finds nothing new
    writes no file; the next new exception follows the sheet's highest ID and sets the mark."""
    path = book_with_wip(tmp_path, date(2027, 4, 22))
    run(path, ["ta", "exceptions"], ctx())
    wb = openpyxl.load_workbook(path)
    del wb.defined_names[ISSUED_NAME]
    wb.save(path)
    before = digest(path)
    run(path, ["exceptions"], ctx(hour=10))
    assert digest(path) == before
    gone = delete_newest(path)
    run(path, ["exceptions"], ctx(hour=11))
    assert numbers(exceptions_sheet(path))[-1] == gone  # no mark was kept then: the sheet is all it knows
    assert issued_name(path) == (str(gone), True)


def test_the_teams_own_names_are_kept_and_an_ID_above_the_mark_counts(tmp_path):
    """A tracker with its own names (a print area, a list for validation), and a row pasted from another
    tracker with a higher ID: the next ID follows whichever is higher."""
    path = book_with_wip(tmp_path, date(2027, 4, 22))
    wb = openpyxl.load_workbook(path)
    wb.defined_names["VendorList"] = openpyxl.workbook.defined_name.DefinedName(
        "VendorList", attr_text="Vendors!$A$2:$A$3")
    wb.save(path)
    run(path, ["ta", "exceptions"], ctx())
    assert openpyxl.load_workbook(path).defined_names["VendorList"].attr_text == "Vendors!$A$2:$A$3"
    first = numbers(exceptions_sheet(path))
    wb = openpyxl.load_workbook(path)
    ws = wb["Exceptions"]
    assert ws.cell(2, 1).value == "EX-0001"
    ws.cell(2, 1).value = "EX-0040"
    wb.save(path)
    assert delete_newest(path, 2) == 2
    run(path, ["exceptions"], ctx(hour=10))
    assert numbers(exceptions_sheet(path)) == [40, 41]
    with zipfile.ZipFile(path) as z:
        assert z.read("xl/workbook.xml").decode().count(f'name="{ISSUED_NAME}"') == 1
    assert issued_name(path) == ("41", True)
    assert first == [1, 2]


def test_a_name_typed_over_in_the_name_manager_does_not_stop_the_run(tmp_path):
    path = book_with_wip(tmp_path, date(2027, 4, 22))
    wb = openpyxl.load_workbook(path)
    wb.defined_names[ISSUED_NAME] = openpyxl.workbook.defined_name.DefinedName(ISSUED_NAME, attr_text='"abc"')
    wb.save(path)
    result = run(path, ["ta", "exceptions"], ctx())
    assert result.exit_code in (0, 1)
    assert numbers(exceptions_sheet(path))[0] == 1
    assert sheet_values(path, "Exceptions")[1][0] == "EX-0001"


def test_an_exception_undo_took_away_comes_back_under_a_new_id(tmp_path):
    """Undo last takes the new rows away, not the mark: EX-0001 may already be in an e-mail to the vendor."""
    path = book_with_wip(tmp_path, date(2027, 4, 22))
    run(path, ["ta"], ctx())
    run(path, ["exceptions"], ctx(hour=10))
    first = numbers(exceptions_sheet(path))
    run(path, ["undo"], ctx(hour=11))
    assert exceptions_sheet(path) == []
    assert issued_name(path) == (str(first[-1]), True)
    run(path, ["exceptions"], ctx(hour=12))
    assert numbers(exceptions_sheet(path)) == [n + len(first) for n in first]
