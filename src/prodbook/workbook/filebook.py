"""The file back end: the workbook on disk, read fast and written part by part.

Reads go through python-calamine (values, dates already typed); Excel error
values, which calamine reads as blanks, are found in the sheet XML so they
can be reported rather than silently ignored. Writes are staged and applied
in one pass by ``xlsxparts.rewrite_sheets`` into a temporary file that
replaces the workbook atomically, after a backup.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook

from prodbook.findings import UserError
from prodbook.workbook import safety
from prodbook.workbook.tables import HEADER_SCAN_ROWS
from prodbook.workbook.staging import Staging
from prodbook.workbook.xlsxparts import (CellEdit, SheetRewrite, UnsafeContent, UnsupportedLayout,
                                         merged_ranges, parts_openpyxl_would_drop, rewrite_sheets,
                                         sheet_head,
                                         workbook_info)

SUPPORTED = (".xlsx", ".xlsm")
_ERROR_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*\bt=\"e\"[^>]*)>(.*?)</(?:\w+:)?c>", re.S)
_REF = re.compile(rb"\br=\"([A-Z]+)(\d+)\"")
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")


def column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


@dataclass(frozen=True)
class CommitResult:
    """What a write did, for the message to the user."""

    written: Path | None
    """The file written: the workbook itself, or the side copy."""
    backup: Path | None
    side_copy_reason: str | None = None


def _stamp(path: Path) -> tuple[int, int]:
    """What tells a file was saved again since it was read: its size and modification time."""
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def check_workbook_path(path: Path) -> None:
    """Refuse paths that are not an .xlsx/.xlsm workbook, with what to do instead."""
    if path.name.startswith("~$"):
        raise UserError(f"'{path.name}' is Excel's lock file, not a workbook: give the workbook's own "
                        f"name, '{path.name[2:]}'", file=str(path))
    if not path.exists():
        raise UserError(f"the file '{path}' does not exist; check the name and folder", file=str(path))
    if path.is_dir():
        raise UserError(f"'{path}' is a folder; give the workbook file", file=str(path))
    if path.suffix.lower() not in SUPPORTED:
        raise UserError(f"'{path.name}' is not an .xlsx or .xlsm workbook. Open it in Excel and use "
                        "File > Save As > Excel Workbook (.xlsx), then run prodbook on the new file",
                        file=str(path))
    if not zipfile.is_zipfile(path):
        raise UserError(f"'{path.name}' is damaged or is not really an Excel workbook (it is not a "
                        "valid .xlsx package). Open it in Excel and save it again, or restore a copy "
                        "from the 'prodbook backups' folder", file=str(path))


class FileBook(Staging):
    """A tracker workbook file. Nothing is written until ``commit``."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        check_workbook_path(self.path)
        self._read_stamp = _stamp(self.path)
        try:
            self.info = workbook_info(self.path)
            self._book = CalamineWorkbook.from_path(str(self.path))
        except UserError:
            raise
        except UnsafeContent as exc:  # a DOCTYPE: refused before any XML parser sees it
            raise UserError(f"'{self.path.name}' {exc}", file=str(self.path)) from None
        except Exception as exc:  # a damaged package: zip fine, XML not
            raise UserError(f"'{self.path.name}' could not be read ({exc}). Open it in Excel and save "
                            "it again, or restore a copy from the 'prodbook backups' folder",
                            file=str(self.path)) from None
        Staging.__init__(self)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def date1904(self) -> bool:
        return self.info.date1904

    def sheet_names(self) -> list[str]:
        return list(self.info.sheets)

    def read_sheet(self, sheet: str) -> list[list[Any]]:
        """Cell values, row 0 = Excel row 1; error cells hold their text (#N/A...)."""
        try:
            rows = self._book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except CalamineError as exc:  # XML Excel never writes (an undeclared entity, a broken tag)
            raise UserError(f"the sheet could not be read ({exc}). Open the workbook in Excel, save "
                            "it (File > Save), and run prodbook again. Nothing was written",
                            file=self.name, sheet=sheet) from None
        for (r, c), text in self._error_cells(sheet).items():
            while len(rows) <= r:
                rows.append([])
            row = rows[r]
            if len(row) <= c:
                row.extend([""] * (c + 1 - len(row)))
            row[c] = text
        return rows

    def merged_ranges(self, sheet: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        """The sheet's merged ranges, ((row, col), (row, col)) 0-based: a header must not hold one."""
        return merged_ranges(self.path, sheet)

    def head_rows(self, sheet: str, nrows: int = HEADER_SCAN_ROWS) -> list[list[Any]]:
        """The first rows only: enough to map a header without reading a long log."""
        return sheet_head(self.path, sheet, nrows)

    def _error_cells(self, sheet: str) -> dict[tuple[int, int], str]:
        part = self.info.sheet_parts.get(sheet)
        if part is None:
            return {}
        with zipfile.ZipFile(self.path) as z:
            data = z.read(part)
        if b't="e"' not in data:
            return {}
        found: dict[tuple[int, int], str] = {}
        for m in _ERROR_CELL.finditer(data):
            ref, value = _REF.search(m[1]), _VALUE.search(m[2])
            if ref and value:
                found[(int(ref[2]) - 1, column_index(ref[1].decode()))] = value[1].decode()
        return found


    def commit(self, backups_to_keep: int = 20) -> CommitResult:
        """Write every staged change at once: backup, temp file, atomic replace.

        If the workbook is open (a lock file), nothing is written. If a sheet
        cannot be rewritten safely, the changes go to a side copy instead.
        """
        if not self.pending:
            return CommitResult(None, None)
        locks = safety.lock_files(self.path)
        if locks:
            raise safety.WorkbookLocked(
                f"'{self.name}' is open in Excel (or another program): {locks[0].name} exists. Close "
                "the workbook and run prodbook again, or use the prodbook tab inside Excel")
        if _stamp(self.path) != self._read_stamp:
            raise safety.WorkbookLocked(
                f"'{self.name}' was changed by someone or something else while prodbook was working on it, "
                "so nothing was written (that would have lost their change). Run prodbook again")
        rewrites, edits = list(self._rewrites.values()), list(self._edits)
        try:
            backup = safety.backup(self.path, keep=backups_to_keep)
            safety.atomic_write(self.path, lambda tmp: rewrite_sheets(self.path, tmp, rewrites, edits))
        except UnsupportedLayout as exc:
            side = safety.side_copy_path(self.path)
            safety.atomic_write(side, lambda tmp: _side_copy(self.path, tmp, rewrites, edits))
            lacks = parts_openpyxl_would_drop(self.path)
            reason = f"{exc}. The changes were written to a copy instead" + (
                f", which may lack {', '.join(lacks)}" if lacks else "")
            return CommitResult(side, None, reason)
        self._clear()
        return CommitResult(self.path, backup)


def _side_copy(src: Path, tmp: Path, rewrites: list[SheetRewrite], edits: list[CellEdit]) -> None:
    """Write the changes through openpyxl into a copy; the original stays as it was."""
    from prodbook.workbook.openpyxl_writer import write_copy

    write_copy(src, tmp, rewrites, edits)
