"""Protected sheets and workbooks: prodbook changes no more than the APM could type.

A team protects a shared tracker (Review > Protect Sheet; Review > Protect Workbook) so that nobody
changes a PO's data or a planned date by accident. The file format keeps only flags and a password's hash,
so a program could write past them: prodbook reads them instead. A fix or an undo does not type into a cell
the sheet's protection locks, no sheet is added to a workbook whose structure is protected, prodbook's own
sheets (the T&A) are rebuilt with their protection kept and the columns the team opened left open in new
rows; the add-in unprotects its own sheets around the write and protects them again, as they were.
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.styles import Protection
from openpyxl.workbook.protection import WorkbookProtection

from conftest import base_sheets, digest, sheet_values, write_book
from fakexl import FakeBook
from prodbook.cli import main
from prodbook.core.findings import Code, UserError
from prodbook.excel import ribbon
from prodbook.jobs.runner import run
from prodbook.workbook.filebook import FileBook
from prodbook.workbook.xlbook import XlBook
from test_development import STYLE_HEADER, costing_file, ctx, disc_book, issue_rows, type_in

FOB, FIBER = STYLE_HEADER.index("FOB (USD)"), STYLE_HEADER.index("Fiber Content")


def protect(path: Path, sheet: str, *, password: str | None = None, open_cells: tuple[str, ...] = (),
            open_headers: tuple[str, ...] = ()) -> None:
    """Review > Protect Sheet, after Format Cells > Protection cleared Locked on ``open_cells`` ('L2') and
    on every data cell under ``open_headers``."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    header = [c.value for c in ws[1]]
    for ref in open_cells:
        ws[ref].protection = Protection(locked=False)
    for h in open_headers:
        for r in range(2, ws.max_row + 1):
            ws.cell(r, header.index(h) + 1).protection = Protection(locked=False)
    ws.protection.sheet = True
    if password:
        ws.protection.password = password
    wb.save(path)


def unprotect(path: Path, sheet: str) -> None:
    wb = openpyxl.load_workbook(path)
    wb[sheet].protection.sheet = False
    wb.save(path)


def lock_structure(path: Path) -> None:
    wb = openpyxl.load_workbook(path)
    wb.security = WorkbookProtection(lockStructure=True)
    wb.save(path)


def part_of(path: Path, sheet: str) -> str:
    return f"xl/worksheets/sheet{openpyxl.load_workbook(path).sheetnames.index(sheet) + 1}.xml"


def xml_of(path: Path, part: str) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(part).decode()


def edit_part(path: Path, part: str, edit: Any) -> None:
    with zipfile.ZipFile(path) as z:
        members = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            z.writestr(info, edit(data.decode()).encode() if info.filename == part else data)


def protection_element(path: Path, sheet: str) -> str:
    found = re.search(r"<(?:\w+:)?sheetProtection\b[^>]*>", xml_of(path, part_of(path, sheet)))
    assert found, f"'{sheet}' is no longer protected"
    return found.group(0)


def accepted(path: Path, *codes: str) -> dict[str, int]:
    """Validate, then type Yes in Accept on the Issues rows of these codes; their rows by code."""
    run(path, ["validate"], ctx(files=(costing_file(path.parent),)))
    rows = {r["Code"]: i + 2 for i, r in enumerate(issue_rows(path)) if r["Code"] in codes}
    for row in rows.values():
        type_in(path, "Issues", row, "Accept", "Yes")
    return rows


def apply_fixes(path: Path) -> Any:
    return run(path, ["apply", "validate"], ctx(files=(costing_file(path.parent),)), title="Apply fixes")


# --- the user's own sheets: a fix or an undo types only where the APM could ---------------------------

def test_a_fix_to_a_locked_cell_is_not_applied_and_one_to_an_open_cell_is(tmp_path):
    path = disc_book(tmp_path)
    rows = accepted(path, "vendor-fob-differs", "vendor-fiber-differs", "vendor-qty-differs")
    protect(path, "Styles", open_cells=("E3",))  # S2's Fiber Content opened; S1's FOB (L2) locked, as all are
    result = apply_fixes(path)
    styles = sheet_values(path, "Styles")
    assert styles[1][FOB] == 5 and styles[2][FIBER] == "100% Cotton"
    assert sheet_values(path, "Orders")[1][3] == 1250  # Orders is not protected
    f = next(f for f in result.findings if f.code is Code.FIX_NOT_APPLIED and f.row == rows["vendor-fob-differs"])
    assert f.sheet == "Issues" and "cell L2 of 'Styles' is locked and the sheet is protected" in f.message
    assert "Review > Unprotect Sheet" in f.message and "password" not in f.message, f.message
    still = {r["Code"]: r for r in issue_rows(path)}
    assert still["vendor-fob-differs"]["Accept"] == "Yes"  # kept for the next try
    wb = openpyxl.load_workbook(path)
    assert wb["Styles"].protection.sheet and not wb["Styles"]["E3"].protection.locked
    assert wb["Styles"]["L2"].protection.locked


def test_the_message_says_when_unprotecting_asks_for_a_password(tmp_path):
    path = disc_book(tmp_path)
    accepted(path, "vendor-fob-differs")
    protect(path, "Styles", password="merch")
    before = sheet_values(path, "Styles")
    result = apply_fixes(path)
    f = next(f for f in result.findings if f.code is Code.FIX_NOT_APPLIED)
    assert "it asks for the password, so ask whoever protected it" in f.message
    assert sheet_values(path, "Styles") == before


@pytest.mark.parametrize("range_password, applied", [("", True), (' password="CE4B"', False)])
def test_an_allow_edit_range_opens_its_cells_unless_it_has_a_password_of_its_own(tmp_path, range_password,
                                                                                  applied):
    path = disc_book(tmp_path)
    accepted(path, "vendor-fob-differs")
    protect(path, "Styles")
    edit_part(path, part_of(path, "Styles"), lambda t: re.sub(
        r"(<sheetProtection\b[^>]*/>)",
        rf'\1<protectedRanges><protectedRange sqref="K2:L9"{range_password} name="Costs"/></protectedRanges>', t))
    apply_fixes(path)
    assert sheet_values(path, "Styles")[1][FOB] == (5.25 if applied else 5)
    assert "<protectedRanges>" in xml_of(path, part_of(path, "Styles"))  # kept by the write


def test_an_undo_that_would_type_into_a_locked_cell_is_refused_whole(tmp_path):
    path = disc_book(tmp_path)
    accepted(path, "vendor-fob-differs", "vendor-fiber-differs")
    apply_fixes(path)
    protect(path, "Styles", open_cells=("E3",))  # the fibre cell open, the FOB cell locked
    before = digest(path)
    with pytest.raises(UserError) as refused:
        run(path, ["undo"], ctx())
    text = refused.value.finding.text()
    assert "'Styles'" in text and "(L2)" in text and "Nothing was written" in text and "undo again" in text, text
    assert refused.value.finding.row == 2 and refused.value.finding.column == "FOB (USD)"
    assert digest(path) == before
    unprotect(path, "Styles")
    run(path, ["undo"], ctx())
    styles = sheet_values(path, "Styles")
    assert styles[1][FOB] == 5 and styles[2][FIBER] == "Cotton rich"


# --- the workbook's structure: no sheet added -----------------------------------------------------------

def test_no_sheet_is_added_to_a_workbook_whose_structure_is_protected(tmp_path):
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())  # no Issues, no Change Log yet
    lock_structure(path)
    before, around = digest(path), sorted(p.name for p in tmp_path.iterdir())
    result = CliRunner().invoke(main, ["refresh", str(path), "--today", "2027-03-01"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "unexpected problem" not in result.output
    assert "this run needs to add" in result.output and "Review > Protect Workbook" in result.output
    assert "Nothing was written" in result.output, result.output
    assert digest(path) == before and sorted(p.name for p in tmp_path.iterdir()) == around


def test_a_protected_structure_with_every_sheet_there_is_no_obstacle_and_stays_protected(tmp_path):
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    run(path, ["ta", "validate"], ctx())
    lock_structure(path)
    sheets = openpyxl.load_workbook(path).sheetnames
    type_in(path, "Orders", 2, "Ex-Factory", openpyxl.load_workbook(path)["Orders"]["H2"].value)
    result = run(path, ["ta", "validate"], ctx(today=ctx().today.replace(day=2)))
    assert result.commit is not None
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == sheets and wb.security.lockStructure
    assert re.search(r'<workbookProtection\b[^>]*lockStructure="1"', xml_of(path, "xl/workbook.xml"))


# --- prodbook's own sheets: rebuilt, protection kept, open columns open ---------------------------------

def _tracker_with_ta(tmp_path: Path) -> Path:
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    run(path, ["ta"], ctx())
    return path


def _add_order(path: Path) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["Orders"]
    row = [c.value for c in ws[2]]
    row[0] = "4500000999"
    ws.append(row)
    ws.tables[next(iter(ws.tables))].ref = f"A1:{openpyxl.utils.get_column_letter(ws.max_column)}{ws.max_row}"
    wb.save(path)


def test_a_protected_ta_is_rebuilt_with_its_protection_kept_and_new_rows_open_where_the_team_types(tmp_path):
    path = _tracker_with_ta(tmp_path)
    protect(path, "T&A", password="planning", open_headers=("Actual", "Notes"))
    element = protection_element(path, "T&A")
    rows_before = len(sheet_values(path, "T&A"))
    _add_order(path)
    run(path, ["ta"], ctx())
    assert protection_element(path, "T&A") == element  # flags and password hash as the team set them
    ws = openpyxl.load_workbook(path)["T&A"]
    header = [c.value for c in ws[1]]
    assert ws.max_row > rows_before  # the new PO line's milestones
    new = [r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "4500000999"]
    assert new
    for r in new:
        for h in header:
            opened = h in ("Actual", "Notes")
            assert ws.cell(r, header.index(h) + 1).protection.locked is not opened, (r, h)


def test_a_protected_sheet_s_cells_are_judged_as_excel_judges_them(tmp_path):
    """A cell's own style; where the row has no such cell, the row's style (if it has one), else the
    column's. openpyxl writes each of these as Excel does (a row style with customFormat, a col style)."""
    path = tmp_path / "book.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Orders"
    for r in range(1, 6):
        ws.cell(r, 1, f"A{r}")
    ws["A2"].protection = Protection(locked=False)
    ws.column_dimensions["C"].protection = Protection(locked=False)
    ws.row_dimensions[4].protection = Protection(locked=False)
    ws["C3"] = "typed"  # its own style: locked, whatever the column says
    ws.protection.sheet = True
    wb.save(path)
    cells = [(r, c) for r in range(1, 6) for c in range(4)]
    locked = FileBook(path).locked_cells("Orders", cells)
    expected = {(r, c) for r, c in cells
                if not ((r, c) == (2, 0) or (c == 2 and r != 3) or (r == 4 and (r, c) != (4, 0)))}
    assert locked == expected
    assert (4, 0) in locked  # A4 has its own (locked) style: the row's does not reach it
    unprotect(path, "Orders")
    assert FileBook(path).locked_cells("Orders", cells) == set()


# --- the add-in: live Excel -----------------------------------------------------------------------------

def _live(path: Path, mac: bool = False) -> FakeBook:
    return FakeBook.from_file(path, mac=mac)


PLATFORMS = pytest.mark.parametrize("mac", [False, True], ids=["windows", "mac"])
"""Excel on Windows (COM's names) and on a Mac (appscript's): the same guard either way."""


def test_live_a_protected_ta_is_unprotected_for_the_write_and_protected_again_as_it_was(tmp_path):
    path = _tracker_with_ta(tmp_path)
    _add_order(path)
    book = _live(path)
    ta = book.sheets["T&A"]
    ta.api.Protect(Password="", DrawingObjects=True, Contents=True, Scenarios=False, AllowFiltering=True,
                   AllowSorting=True)
    ta.api.calls.clear()
    run(path, ["ta"], ctx(), backend=XlBook(book, progress=False))
    assert [c[0] for c in ta.api.calls] == ["Unprotect", "Protect"]
    again = ta.api.calls[1][1]
    assert again["Contents"] and again["DrawingObjects"] and not again["Scenarios"]
    assert again["AllowFiltering"] and again["AllowSorting"] and not again["AllowDeletingRows"]
    assert ta.api.ProtectContents and ta.writes
    assert any(v == "4500000999" for (_, c), v in ta.cells.items() if c == 1)


def test_live_a_password_stops_the_run_before_anything_is_written(tmp_path):
    path = _tracker_with_ta(tmp_path)
    _add_order(path)
    protect(path, "T&A", password="planning")
    protect(path, "Orders")  # a second protected sheet, which the run does not write
    book = _live(path)
    with pytest.raises(UserError) as refused:
        run(path, ["ta"], ctx(), backend=XlBook(book, progress=False))
    assert "'T&A' is protected, and prodbook could not unprotect it" in refused.value.finding.text()
    assert all(not s.writes for s in book.sheets) and all(s.api.ProtectContents for s in book.sheets
                                                             if s.name in ("T&A", "Orders"))


@PLATFORMS
def test_live_no_sheet_is_added_when_the_structure_is_protected(tmp_path, mac):
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    book = _live(path, mac)
    book.com.ProtectStructure = True
    names = [s.name for s in book.sheets]
    with pytest.raises(UserError, match="Review > Protect Workbook"):
        run(path, ["ta", "validate"], ctx(), backend=XlBook(book, progress=False))
    assert [s.name for s in book.sheets] == names and all(not s.writes for s in book.sheets)


@PLATFORMS
def test_live_a_fix_to_a_locked_cell_is_not_applied(tmp_path, mac):
    """On a Mac Excel's ``Locked`` is appscript's ``locked``: asked by the Windows name alone, every cell was
    taken as locked there, and no fix to an open cell of a protected sheet ever went in."""
    path = disc_book(tmp_path)
    accepted(path, "vendor-fob-differs")
    protect(path, "Styles")
    book = _live(path, mac)
    result = run(path, ["apply", "validate"], ctx(files=(costing_file(tmp_path),)), title="Apply fixes",
                 backend=XlBook(book, progress=False))
    assert any(f.code is Code.FIX_NOT_APPLIED and "locked" in f.message for f in result.findings)
    assert not book.sheets["Styles"].writes and book.sheets["Styles"].com.ProtectContents


@PLATFORMS
def test_live_a_fix_to_an_open_cell_of_a_sheet_with_a_password_goes_in_without_unprotecting(tmp_path, mac):
    path = disc_book(tmp_path)
    accepted(path, "vendor-fob-differs")
    protect(path, "Styles", password="merch", open_cells=("L2",))
    book = _live(path, mac)
    styles = book.sheets["Styles"]
    styles.com.calls.clear()
    run(path, ["apply", "validate"], ctx(files=(costing_file(tmp_path),)), title="Apply fixes",
        backend=XlBook(book, progress=False))
    assert styles.cells[(2, FOB + 1)] == 5.25
    assert styles.com.ProtectContents and all(c[0] != "Protect" for c in styles.com.calls)


@pytest.mark.libreoffice
def test_libreoffice_sees_the_rebuilt_ta_protected_with_the_new_rows_open_where_the_team_types(tmp_path):
    """A real spreadsheet program reads what the T&A rebuild wrote: the sheet still protected, and in the rows
    it added, Actual and Notes open (LibreOffice's own 'cell-protect' of each cell's style), the rest locked."""
    path = _tracker_with_ta(tmp_path)
    protect(path, "T&A", open_headers=("Actual", "Notes"))
    _add_order(path)
    run(path, ["ta"], ctx())
    out = tmp_path / "lo"
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "fods", "--outdir", str(out), str(path)], check=True, capture_output=True,
                   timeout=180)
    ns = {"table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
          "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
          "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0"}
    root = ElementTree.parse(out / "tracker.fods").getroot()
    q = "{%s}%s"
    open_styles = {s.get(q % (ns["style"], "name")) for s in root.iter(q % (ns["style"], "style"))
                   for p in s.iter(q % (ns["style"], "table-cell-properties"))
                   if p.get(q % (ns["style"], "cell-protect")) == "none"}
    ta = next(t for t in root.iter(q % (ns["table"], "table")) if t.get(q % (ns["table"], "name")) == "T&A")
    assert ta.get(q % (ns["table"], "protected")) == "true"
    column_styles = [c.get(q % (ns["table"], "default-cell-style-name"))
                     for c in ta.iter(q % (ns["table"], "table-column"))
                     for _ in range(int(c.get(q % (ns["table"], "number-columns-repeated"), "1")))]
    rows = []
    for row in ta.iter(q % (ns["table"], "table-row")):
        cells: list[tuple[str, str | None]] = []
        for c in row.iter(q % (ns["table"], "table-cell")):
            text = "".join(c.itertext()).strip()
            for _ in range(min(int(c.get(q % (ns["table"], "number-columns-repeated"), "1")), 64)):
                cells.append((text, c.get(q % (ns["table"], "style-name")) or column_styles[len(cells)]))
        rows.append(cells)
    header = [t for t, _ in rows[0]]
    new = [r for r in rows if r and r[0][0] == "4500000999"]
    assert len(new) == 5  # one a milestone of the template
    for r in new:
        opened = {header[i] for i, (_, style) in enumerate(r[:len(header)]) if style in open_styles}
        assert opened == {"Actual", "Notes"}, opened


def test_the_rebuild_button_on_a_ta_protected_with_a_password_says_what_to_do(tmp_path):
    path = _tracker_with_ta(tmp_path)
    _add_order(path)
    protect(path, "T&A", password="planning")
    book = _live(path)
    report = ribbon.perform(ribbon.action("pbRebuildTA"), book)
    assert not report.ok and "protected with a password" in report.message, report.message
    assert "press the button again" in report.message and "unexpected" not in report.message
    assert all(not s.writes for s in book.sheets) and book.sheets["T&A"].api.ProtectContents


def test_live_protection_is_read_the_way_a_mac_s_excel_gives_it(tmp_path):
    """On macOS xlwings hands over appscript objects: ``protect_contents.get()``, not ``ProtectContents``."""
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    protect(path, "Orders")
    book = FakeBook.from_file(path, mac=True)
    with pytest.raises(AttributeError):
        book.sheets["Orders"].api.ProtectContents  # noqa: B018 (the Windows name is unknown to appscript)
    xl = XlBook(book, progress=False)
    assert xl.protection("Orders") is not None and xl.protection("Styles") is None


# --- the whole file: a password to modify, marked as final -----------------------------------------------

def _refresh_refused(path: Path, *words: str) -> None:
    """A refresh that has work to do (a first T&A) stops with exit 2, names why, and writes nothing."""
    before, around = digest(path), sorted(p.name for p in path.parent.iterdir())
    result = CliRunner().invoke(main, ["refresh", str(path), "--today", "2027-03-01"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "unexpected problem" not in result.output
    for word in words:
        assert word in result.output, result.output
    assert digest(path) == before and sorted(p.name for p in path.parent.iterdir()) == around


def test_a_workbook_that_asks_a_password_to_modify_is_not_written(tmp_path):
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    edit_part(path, "xl/workbook.xml", lambda t: t.replace("<workbookPr", '<fileSharing userName="PM" '
                                                            'reservationPassword="CC1A"/><workbookPr', 1))
    _refresh_refused(path, "asks for a password to modify it", "General Options", "Nothing was written")
    before = digest(path)
    dry = CliRunner().invoke(main, ["refresh", str(path), "--today", "2027-03-01", "--dry-run"])
    assert "the run itself will write nothing" in dry.output and digest(path) == before, dry.output


def test_a_workbook_marked_as_final_is_not_written(tmp_path):
    from openpyxl.packaging.custom import BoolProperty

    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    wb = openpyxl.load_workbook(path)
    wb.custom_doc_props.append(BoolProperty(name="_MarkAsFinal", value=True))
    wb.save(path)
    _refresh_refused(path, "is marked as final", "Edit Anyway", "Nothing was written")
    wb = openpyxl.load_workbook(path)
    wb.custom_doc_props = type(wb.custom_doc_props)()  # Edit Anyway clears the mark
    wb.save(path)
    assert CliRunner().invoke(main, ["refresh", str(path), "--today", "2027-03-01"]).exit_code in (0, 1)
