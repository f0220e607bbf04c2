"""The key cells of T&A rows the APM typed by hand (PO # typed as a number, a code in lower case, a colour with a
space after it) stay exactly as typed through a T&A rebuild that rewrites the sheet, and so through its undo:
the rebuild matches them by their folded key and has nothing to tidy in them, so nothing the APM typed changes
without a line in the Change Log, and undo gives back exactly what was there."""

from __future__ import annotations

from datetime import date, datetime

import openpyxl
import pytest

from conftest import base_sheets, write_book
from fakexl import FakeBook
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from prodbook.workbook.xlbook import XlBook

CTX = Context(today=date(2027, 2, 1), now=datetime(2027, 2, 1, 9))
NEXT = Context(today=date(2027, 2, 2), now=datetime(2027, 2, 2, 9))

HAND = [  # PO #, Style #, Color, Code: as the APM typed them, and what the row's Notes say
    (4500000001, "S1", "Navy  ", "ld", "typed 1"),  # PO a number; Color with spaces after it; code lower case
    ("4500000001", " s1", "navy", "Ld-App", "typed 2"),  # style with a space before it, lower case
    (4500000003, "s1", "red ", "xf", "typed 3"),  # a PO line whose Orders row has an error: kept as it is
]
HEADER = ["PO #", "Style #", "Color", "Vendor", "Code", "Milestone", "Owner", "Planned", "Forecast", "Actual",
          "Status", "Variance", "Notes"]


def hand_tracker(tmp_path):
    sheets = base_sheets()
    sheets["Orders"].append(["4500000003", "S1", "Red", 600, date(2027, 1, 4), "2027-02-31", date(2027, 5, 10),
                             date(2027, 5, 20)])  # an Ex-Factory typed wrong, which the T&A cannot plan from
    for po, style, color, code, notes in HAND:
        sheets["T&A"].append([po, style, color, None, code, None, None, None, None, date(2027, 1, 10), None, None,
                              notes])
    return write_book(tmp_path / "tracker.xlsx", sheets)


def typed_keys(rows) -> dict[str, tuple]:
    """Notes -> the row's PO #, Style #, Color and Code, as the cells hold them."""
    head = list(rows[0])
    at = [head.index(h) for h in ("PO #", "Style #", "Color", "Code")]
    notes = head.index("Notes")
    return {r[notes]: tuple(r[i] for i in at) for r in rows[1:] if isinstance(r[notes], str)
            and r[notes].startswith("typed")}


def as_typed() -> dict[str, tuple]:
    return {notes: (po, style, color, code) for po, style, color, code, notes in HAND}


def file_rows(path, sheet="T&A"):
    return [list(r) for r in openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True)]


def exact(got: dict[str, tuple]) -> dict[str, tuple]:
    """Each value with its type: 4500000001 the number is not '4500000001' the text."""
    return {k: tuple((type(v).__name__, v) for v in vs) for k, vs in got.items()}


def test_a_rebuild_leaves_hand_typed_key_cells_as_typed_and_undo_gives_them_back(tmp_path):
    path = hand_tracker(tmp_path)
    run(path, ["ta"], CTX)
    rows = file_rows(path)
    assert len(rows) > 1 + len(HAND)  # the run wrote the sheet again: the milestones it planned are on it
    assert exact(typed_keys(rows)) == exact(as_typed())  # nothing tidied in what the APM typed
    head = rows[0]
    ld = next(r for r in rows[1:] if r[head.index("Notes")] == "typed 1")
    assert ld[head.index("Milestone")] == "Lab dip submit"  # matched to its milestone all the same
    new = [r for r in rows[1:] if r[head.index("Notes")] is None]
    assert new and all(type(r[0]) is str and r[0] == r[0].strip() and r[4] == r[4].upper() for r in new)
    assert {r[0] for r in new} == {"4500000001", "4500000002"}  # the rows the run added: as prodbook writes keys
    ws = openpyxl.load_workbook(path)["T&A"]
    assert ws["A2"].data_type == "n" and ws["A3"].data_type == "s"
    log = file_rows(path, "Change Log")
    assert not [r for r in log[1:] if r[log[0].index("Field")] in ("PO #", "Style #", "Color", "Code")]  # none changed

    run(path, ["undo"], CTX)
    rows = file_rows(path)
    assert exact(typed_keys(rows)) == exact(as_typed())
    assert len(rows) == 1 + len(HAND)  # the rows the run added are gone again
    assert all(r[HEADER.index("Milestone")] is None for r in rows[1:])  # and what it filled in is blank again


def test_a_new_po_line_then_undo_keeps_a_po_retyped_as_a_number(tmp_path):
    """The APM types over a PO # prodbook wrote (Excel makes it a number) and a code in lower case; the next
    day a PO line is added to Orders, so the rebuild writes the sheet again. Both cells stay as typed, and undo
    of that run leaves them so."""
    sheets = base_sheets()
    sheets["Orders"] = sheets["Orders"][:2]  # only the first PO line at first
    path = write_book(tmp_path / "tracker.xlsx", sheets)
    run(path, ["ta"], CTX)
    wb = openpyxl.load_workbook(path)
    ws = wb["T&A"]
    ws["A3"] = 4500000001  # typed over: Excel holds a number
    ws["E4"] = ws["E4"].value.lower()
    ws["C5"] = "Navy "
    ws["M3"], ws["M4"], ws["M5"] = "typed a", "typed b", "typed c"
    wb.save(path)
    typed = typed_keys(file_rows(path))
    assert typed["typed a"][0] == 4500000001
    wb = openpyxl.load_workbook(path)
    wb["Orders"].append(["4500000002", "S2", "Black", 800, date(2027, 1, 11), date(2027, 4, 30), date(2027, 5, 30),
                         date(2027, 6, 5)])
    wb.save(path)

    run(path, ["ta"], NEXT)
    rows = file_rows(path)
    assert any(r[0] == "4500000002" for r in rows[1:])  # the new line's milestones: the sheet was written again
    assert exact(typed_keys(rows)) == exact(typed)
    run(path, ["undo"], NEXT)
    rows = file_rows(path)
    assert not any(r[0] == "4500000002" for r in rows[1:])
    assert exact(typed_keys(rows)) == exact(typed)


@pytest.mark.parametrize("mac", [False, True])
def test_in_excel_too_hand_typed_key_cells_stay_as_typed(tmp_path, mac):
    path = hand_tracker(tmp_path)
    xl = FakeBook.from_file(path, mac=mac)
    run(path, ["ta"], CTX, backend=XlBook(xl))
    rows = xl.values("T&A")
    assert len([r for r in rows[1:] if any(v is not None for v in r)]) > len(HAND)
    assert exact(typed_keys(rows)) == exact(as_typed())
    run(path, ["undo"], CTX, backend=XlBook(xl))
    rows = xl.values("T&A")
    assert exact(typed_keys(rows)) == exact(as_typed())
    assert len([r for r in rows[1:] if any(v is not None for v in r)]) == len(HAND)
