"""Key cells the APM typed by hand on the T&A (a PO # typed as a number, a Color with a space after it) stay as
typed when their row goes to the 'T&A Archive' (its PO line cancelled on Orders), when it comes back (the line
un-cancelled), and through undo of either run. And an Orders line not yet on the T&A whose Ex-Factory holds a
date that does not exist ('2027-02-31') is treated alike by every run: not planned until the cell is fixed, so
a second run has nothing new to write.

Real workbooks written with openpyxl, the real jobs run on the file (and on the stand-in for Excel), the
sheets read back."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from conftest import base_sheets, digest, write_book
from fakexl import FakeBook
from prodbook.cli import main
from prodbook.core.findings import Code
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from prodbook.workbook.safety import BACKUP_DIR
from prodbook.workbook.xlbook import XlBook

DAYS = [Context(today=date(2027, 2, d), now=datetime(2027, 2, d, 9)) for d in range(1, 8)]
LINE = ("4500000001", "S1", "Navy")
HAND = [  # PO #, Style #, Color, Code, Notes: as the APM typed them on the T&A
    (4500000001, "S1", "Navy ", "LD", "typed 1"),  # PO # a number, Color with a space after it
    (4500000001, "S1", "Navy ", "XF", "typed 2"),
]


def hand_tracker(tmp_path: Path) -> Path:
    sheets = base_sheets()
    sheets["Orders"] = [[*r, "Line Status" if i == 0 else None] for i, r in enumerate(sheets["Orders"])]
    for po, style, color, code, notes in HAND:
        sheets["T&A"].append([po, style, color, None, code, None, None, None, None, date(2027, 1, 10), None,
                              None, notes])
    return write_book(tmp_path / "tracker.xlsx", sheets)


def as_typed() -> dict[str, tuple]:
    return {notes: tuple((type(v).__name__, v) for v in (po, color)) for po, _, color, _, notes in HAND}


def typed_cells(rows: list[list[Any]]) -> dict[str, tuple]:
    """Notes -> the row's PO # and Color as the cells hold them, each with its type (4500000001 the number is
    not '4500000001' the text)."""
    head = list(rows[0])
    po, color, notes = head.index("PO #"), head.index("Color"), head.index("Notes")
    return {r[notes]: tuple((type(v).__name__, v) for v in (r[po], r[color])) for r in rows[1:]
            if isinstance(r[notes], str) and r[notes].startswith("typed")}


class File:
    """The tracker on disk, run headless."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def run(self, what: str, day: Context) -> Any:
        return run(self.path, [what], day)

    def rows(self, sheet: str) -> list[list[Any]]:
        wb = openpyxl.load_workbook(self.path)
        return [list(r) for r in wb[sheet].iter_rows(values_only=True)] if sheet in wb.sheetnames else [[]]

    def status(self, value: str | None) -> None:
        wb = openpyxl.load_workbook(self.path)
        ws = wb["Orders"]
        col = [c.value for c in ws[1]].index("Line Status") + 1
        ws.cell(2, col).value = value
        wb.save(self.path)


class Live(File):
    """The same tracker open in Excel (the in-memory stand-in), run through the add-in's back end."""

    def __init__(self, path: Path, mac: bool) -> None:
        super().__init__(path)
        self.book = FakeBook.from_file(path, mac=mac)

    def run(self, what: str, day: Context) -> Any:
        return run(self.path, [what], day, backend=XlBook(self.book, progress=False))

    def rows(self, sheet: str) -> list[list[Any]]:
        return self.book.values(sheet) if sheet in [s.name for s in self.book.sheets] else [[]]

    def status(self, value: str | None) -> None:
        cells = self.book.sheets["Orders"].cells
        col = next(c for (r, c), v in cells.items() if r == 1 and v == "Line Status")
        if value is None:
            cells.pop((2, col), None)
        else:
            cells[(2, col)] = value


BACKENDS = ["file", "excel", "excel-mac"]


def book(tmp_path: Path, backend: str) -> File:
    path = hand_tracker(tmp_path)
    return File(path) if backend == "file" else Live(path, mac=backend == "excel-mac")


@pytest.mark.parametrize("backend", BACKENDS)
def test_hand_typed_keys_go_to_the_archive_and_come_back_as_typed(tmp_path, backend):
    wb = book(tmp_path, backend)
    wb.run("ta", DAYS[0])
    assert typed_cells(wb.rows("T&A")) == as_typed()

    wb.status("Cancelled")
    wb.run("ta", DAYS[1])
    assert not typed_cells(wb.rows("T&A"))  # the rows left the T&A
    assert typed_cells(wb.rows("T&A Archive")) == as_typed()  # the archive holds them as typed
    if backend == "file":
        ws = openpyxl.load_workbook(wb.path)["T&A Archive"]
        kinds = {ws.cell(r, 13).value: (ws.cell(r, 1).data_type, ws.cell(r, 3).value) for r in range(2, ws.max_row + 1)}
        assert kinds["typed 1"] == ("n", "Navy ") and kinds["typed 2"] == ("n", "Navy ")

    wb.status(None)  # un-cancelled: the rows come back, as typed
    wb.run("ta", DAYS[2])
    assert typed_cells(wb.rows("T&A")) == as_typed()
    assert not typed_cells(wb.rows("T&A Archive"))
    log = wb.rows("Change Log")
    assert not [r for r in log[1:] if r[log[0].index("Field")] in ("PO #", "Color")]  # no key retyped

    undone = wb.run("undo", DAYS[3])  # the rows go back to the archive as it held them
    assert not [f for f in undone.findings if f.code is Code.UNDO_KEPT], [f.text() for f in undone.findings]
    assert typed_cells(wb.rows("T&A Archive")) == as_typed()
    assert not typed_cells(wb.rows("T&A"))


@pytest.mark.parametrize("backend", BACKENDS)
def test_undo_of_the_cancel_gives_the_keys_back_as_typed(tmp_path, backend):
    wb = book(tmp_path, backend)
    wb.run("ta", DAYS[0])
    wb.status("Cancelled")
    wb.run("ta", DAYS[1])
    assert typed_cells(wb.rows("T&A Archive")) == as_typed()
    undone = wb.run("undo", DAYS[2])
    assert not [f for f in undone.findings if f.code is Code.UNDO_KEPT], [f.text() for f in undone.findings]
    assert typed_cells(wb.rows("T&A")) == as_typed()
    assert not typed_cells(wb.rows("T&A Archive"))


@pytest.mark.parametrize("backend", ["file", "excel"])
def test_an_archive_row_that_stays_keeps_its_keys_as_typed(tmp_path, backend):
    """A second line cancelled later rewrites the archive: the rows already on it keep their typed keys, and
    undo of that run (which rewrites it again) leaves them so."""
    wb = book(tmp_path, backend)
    wb.run("ta", DAYS[0])
    wb.status("Cancelled")
    wb.run("ta", DAYS[1])
    if isinstance(wb, Live):
        cells = wb.book.sheets["Orders"].cells
        col = next(c for (r, c), v in cells.items() if r == 1 and v == "Line Status")
        cells[(3, col)] = "Cancelled"
    else:
        x = openpyxl.load_workbook(wb.path)
        x["Orders"].cell(3, 9).value = "Cancelled"
        x.save(wb.path)
    wb.run("ta", DAYS[2])
    archive = wb.rows("T&A Archive")
    assert any(str(r[0]) == "4500000002" for r in archive[1:])  # the second line went there too
    assert typed_cells(archive) == as_typed()
    wb.run("undo", DAYS[3])
    archive = wb.rows("T&A Archive")
    assert not any(str(r[0]) == "4500000002" for r in archive[1:])
    assert typed_cells(archive) == as_typed()


# --- a date typo on a brand-new PO line ------------------------------------------------------------------------

def typo_tracker(tmp_path: Path) -> Path:
    sheets = base_sheets()
    sheets["Orders"].append(["4500000003", "S1", "Red", 600, date(2027, 1, 4), "2027-02-31", date(2027, 5, 10),
                             date(2027, 5, 20)])  # a new PO line whose Ex-Factory does not exist
    return write_book(tmp_path / "tracker.xlsx", sheets)


def files_of(folder: Path) -> dict[str, tuple[int, str]]:
    """Every file of the tracker's folder (the backups folder too): its time of change and its bytes."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, digest(p))
            for p in sorted(folder.rglob("*")) if p.is_file()}


def cli(*args: str, today: str = "2027-02-01") -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--today", today])
    return result.exit_code, result.output


def line_rows(path: Path, po: str) -> list[list[Any]]:
    ws = openpyxl.load_workbook(path)["T&A"]
    return [list(r) for r in ws.iter_rows(min_row=2, values_only=True) if str(r[0]) == po]


def issues(path: Path) -> list[dict[str, Any]]:
    rows = [list(r) for r in openpyxl.load_workbook(path)["Issues"].iter_rows(values_only=True)]
    return [dict(zip(rows[0], r)) for r in rows[1:]]  # Cell: a link to the cell, showing 'F4'


@pytest.mark.parametrize("command", ["ta", "refresh"])
def test_a_new_line_with_a_date_typo_is_not_planned_until_fixed_and_a_second_run_writes_nothing(tmp_path,
                                                                                                command):
    path = typo_tracker(tmp_path)
    code, out = cli(command, str(path))
    assert code in (0, 1), out
    assert line_rows(path, "4500000001") and line_rows(path, "4500000002")  # the other lines are planned
    assert not line_rows(path, "4500000003")  # as on every later run: not planned from a blanked date
    at_cell = [r for r in issues(path) if r["Sheet"] == "Orders" and str(r["Cell"]).endswith('"F4")')]
    assert at_cell and "2027-02-31" in str(at_cell[0]["Value"]) and at_cell[0]["Severity"] == "error"
    assert any("not planned" in str(r["Problem"]) for r in at_cell), at_cell  # says what happens, and to fix it

    backups = sorted((path.parent / BACKUP_DIR).iterdir())
    before = files_of(path.parent)
    code, out = cli(command, str(path))
    assert code in (0, 1), out
    assert "Nothing to change" in out, out
    assert files_of(path.parent) == before  # bytes and times of every file
    assert sorted((path.parent / BACKUP_DIR).iterdir()) == backups  # and no new backup

    wb = openpyxl.load_workbook(path)
    wb["Orders"]["F4"] = date(2027, 4, 20)  # the APM fixes the cell
    wb.save(path)
    code, out = cli(command, str(path), today="2027-02-02")
    assert code in (0, 1), out
    rows = line_rows(path, "4500000003")
    assert len(rows) == 5 and all(r[7] is not None for r in rows)  # every milestone planned
    assert not [r for r in issues(path) if r["Sheet"] == "Orders" and str(r["Cell"]).endswith('"F4")')]
