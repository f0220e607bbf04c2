"""The file back end: the workbook on disk, read fast and written part by part.

Reads go through python-calamine (values, dates already typed); Excel error
values, which calamine reads as blanks, are found in the sheet XML so they
can be reported rather than silently ignored. Writes are staged and applied
in one pass by ``xlsxparts.rewrite_sheets`` into a temporary file that
replaces the workbook atomically, after a backup.
"""

from __future__ import annotations

import os
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook

from prodbook.core.cell_rules import CellRule
from prodbook.core.findings import UserError
from prodbook.core.limits import MB, PartSizes
from prodbook.core.looks import RulePlace
from prodbook.core.model.sheets import CHANGE_LOG
from prodbook.workbook import calamine_safe, limits, lock, safety
from prodbook.workbook.backend import SheetProtection
from prodbook.workbook.safety import locked_message
from prodbook.workbook.safety import open_in_excel as open_in_excel  # said here, as before, for publish and cli
from prodbook.workbook.staging import Staging
from prodbook.workbook.tables import HEADER_SCAN_ROWS
from prodbook.workbook.toml_settings import toml_limits
from prodbook.workbook.xlsx.data_validation import (
    ListSource,
    SheetRule,
    defined_names,
    list_entries,
    rule_at,
    sheet_rules,
)
from prodbook.workbook.xlsx.log_runs import LogRuns, scan_runs
from prodbook.workbook.xlsx.package import DAMAGED_ZIP, _Package, last_row_end
from prodbook.workbook.xlsx.protection import locked_cells, sheet_protection
from prodbook.workbook.xlsx.sheetxml import CELL_HINTS, SheetScan, scan_sheet
from prodbook.workbook.xlsx.styles import _Styles
from prodbook.workbook.xlsx.table_parts import total_rows
from prodbook.workbook.xlsx.user_cells import formulas_at, styles_at
from prodbook.workbook.xlsxparts import (
    AnyEdit,
    MovedLink,
    Progress,
    SheetRewrite,
    UnsafeContent,
    UnsupportedLayout,
    parts_openpyxl_would_drop,
    rewrite_sheets,
    sheet_head,
    workbook_info,
)

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


_UNREADABLE: tuple[type[Exception], ...] = (CalamineError, UnsupportedLayout, *DAMAGED_ZIP)
"""A sheet that cannot be read: said plainly (``FileBook._readable``)."""
_LOG_UNREAD: tuple[type[Exception], ...] = (OSError, *DAMAGED_ZIP)
_WHOLE_FORMULAS = 8 * MB
"""A sheet part up to this size has its formulas read once for every fix (``FileBook.formulas``)."""

OLE_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
"""An OLE compound file: a password-protected .xlsx (or an old .xls) rather than a zip package."""
_ENCRYPTION_STREAMS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
_ENCRYPTED_SCAN_LIMIT = 512 << 20


def encrypted_office_file(path: Path) -> bool:
    """Is this an Office file protected with a password (an OLE file holding EncryptionInfo)?

    The OLE directory names its streams in UTF-16; a scan for those names is
    enough (no OLE library needed at run time).
    """
    try:
        with open(path, "rb") as f:
            if f.read(8) != OLE_SIGNATURE:
                return False
            data = f.read(_ENCRYPTED_SCAN_LIMIT)
    except OSError:
        return False
    return any(name in data for name in _ENCRYPTION_STREAMS)


def encrypted_message(path: Path) -> str:
    return (f"'{path.name}' is protected with a password, so prodbook cannot read it. Open it in Excel, "
            "choose File > Info > Protect Workbook > Encrypt with Password, clear the password and save; "
            "then run again (or use the prodbook tab inside Excel, which works on the open workbook)")


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
    try:  # a file Windows will not hand over (in use, a OneDrive file not downloaded) is not a damaged one
        with open(path, "rb") as f:
            f.read(8)
    except OSError as exc:
        raise UserError(safety.unreadable_message(exc, path), file=str(path)) from None
    if encrypted_office_file(path):
        raise UserError(encrypted_message(path), file=str(path))
    if not zipfile.is_zipfile(path):
        raise UserError(f"'{path.name}' is damaged or is not really an Excel workbook (it is not a "
                        "valid .xlsx package). Open it in Excel and save it again, or restore a copy "
                        "from the 'prodbook backups' folder", file=str(path))


def _mb(n: int) -> str:
    return f"{n / MB:,.1f} MB" if n < 10 * MB else f"{n / MB:,.0f} MB"


def _too_large(exc: limits.TooLarge) -> str:
    """The size message; for the Change Log (grown by prodbook's own runs, as earlier versions let it),
    what raising the limit then does."""
    if exc.sheet != CHANGE_LOG.name or exc.excess.setting not in ("part_mb", "unpacked_mb"):
        return str(exc)
    return (f"{exc}. The Change Log grows with every run; once the file is read again, prodbook keeps it "
            "under three quarters of the limit by moving its oldest runs to a workbook beside the tracker")


class FileBook(Staging):
    """A tracker workbook file. Nothing is written until ``commit``."""

    def __init__(self, path: str | Path, max_sizes: limits.Limits | None = None, *,
                 progress: Progress | None = None) -> None:
        self.path = Path(path)
        self.progress = progress
        """Told how far the write of each long sheet, and its check, have come (the CLI's progress bar)."""
        self._links: list[MovedLink] = []
        self._recoloured: dict[str, str] = {}
        self._rule_places: dict[str, RulePlace] = {}
        check_workbook_path(self.path)
        self._read_stamp = safety.read_stamp(self.path)
        scans: dict[str, SheetScan] = {}  # by part: the size check inflates every sheet, and looks as it goes
        self.limits = max_sizes or toml_limits(self.path)
        try:  # before anything inflates a part: refuse a decompression bomb within a second
            limits.check_package(self.path, self.limits, scans=scans)
        except limits.TooLarge as exc:
            raise UserError(_too_large(exc), file=str(self.path), sheet=exc.sheet) from None
        try:
            self.info = workbook_info(self.path)
            self._book: CalamineWorkbook | None = CalamineWorkbook.from_path(str(self.path))
        except UserError:
            raise
        except UnsafeContent as exc:  # a DOCTYPE: refused before any XML parser sees it
            raise UserError(f"'{self.path.name}' {exc}", file=str(self.path)) from None
        except Exception as exc:  # a damaged package: zip fine, XML not
            raise UserError(f"'{self.path.name}' could not be read ({exc}). Open it in Excel and save "
                            "it again, or restore a copy from the 'prodbook backups' folder",
                            file=str(self.path)) from None
        self._protection: dict[str, SheetProtection | None] = {}
        self._rules: dict[str, list[SheetRule]] = {}
        self._lists: dict[ListSource, tuple[str, ...]] = {}
        self._formulas: dict[str, dict[tuple[int, int], str]] = {}
        self._totals: dict[str, tuple[int, ...]] = {}
        self._digit_styles: dict[int, str] | None = None
        """The cell styles that pad or punctuate a number's digits (``digit_formats``), read once."""
        self._scans: dict[str, SheetScan] = {sheet: scans[part] for sheet, part in self.info.sheet_parts.items()
                                              if part in scans}
        Staging.__init__(self)
        safety.step("read", self.path)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def date1904(self) -> bool:
        return self.info.date1904

    def defined_name(self, name: str) -> str | None:
        """A workbook-level defined name's text as the file was read (no '='), None when it has none."""
        return next((v for k, v in self.info.names.items() if k.lower() == name.lower()), None)

    def sheet_names(self) -> list[str]:
        return list(self.info.sheets)

    @property
    def structure_locked(self) -> bool:
        return self.info.structure_locked

    def protection(self, sheet: str) -> SheetProtection | None:
        """The sheet's protection, read once (its whole part: asked of the user's own sheets only)."""
        if sheet not in self._protection:
            part = self.info.sheet_parts.get(sheet)
            with self._readable(sheet), _Package(self.path) as pkg:
                self._protection[sheet] = sheet_protection(pkg.text(part)) if part and pkg.exists(part) else None
        return self._protection[sheet]

    def total_rows(self, sheet: str) -> tuple[int, ...]:
        """The sheet's rows (1-based) that are a Table's Total row (Table Design > Total Row): not records."""
        if sheet not in self._totals:
            part = self.info.sheet_parts.get(sheet)
            with self._readable(sheet), _Package(self.path) as pkg:
                self._totals[sheet] = total_rows(pkg, part) if part and pkg.exists(part) else ()
        return self._totals[sheet]

    def cell_rule(self, sheet: str, row: int, column: int) -> CellRule | None:
        """The data validation rule over a cell of the sheet (``xlsx.data_validation``), a list's entries
        read from the cells it names; None where the cell has none. Asked of the user's own sheets only."""
        if sheet not in self._rules:
            part = self.info.sheet_parts.get(sheet)
            with self._readable(sheet), _Package(self.path) as pkg:
                text = pkg.text(part) if part and pkg.exists(part) else ""
                names = defined_names(pkg.text(self.info.workbook_part)) if "dataValidation" in text else {}
            self._rules[sheet] = sheet_rules(text, names, self.date1904) if "dataValidation" in text else []
        found = rule_at(self._rules[sheet], row, column)
        if found is None or found.source is None:
            return found.rule if found is not None else None
        src = found.source
        at = src.sheet or sheet
        if at not in self.info.sheet_parts:
            return found.rule  # a list on a sheet that is gone: not judged
        if src not in self._lists:  # read once for every fix under the rule
            r1, c1, r2, c2 = src.area
            self._lists[src] = list_entries(v for r in self.read_sheet(at)[r1 - 1:r2] for v in r[c1:c2 + 1])
        return replace(found.rule, choices=self._lists[src])

    def formulas(self, sheet: str, cells: Sequence[tuple[int, int]]) -> dict[tuple[int, int], str]:
        """Of ``cells`` (Excel row, 0-based column), those holding a formula, with its text. A sheet of a few
        MB (Styles, Orders: a fix at a time) is read once for all its formulas; a long one (the T&A) a
        block at a time for the cells asked. A sheet the start of the run saw hold no formula at all (most
        T&As: ``SheetScan.formulas``) is not read again."""
        part = self.info.sheet_parts.get(sheet)
        scan = self._scans.get(sheet)
        if part is None or not cells or (scan is not None and not scan.formulas):
            return {}
        if sheet in self._formulas:
            held = self._formulas[sheet]
            return {c: held[c] for c in cells if c in held}
        with self._readable(sheet), _Package(self.path) as pkg:
            if pkg.size(part) > _WHOLE_FORMULAS:
                return formulas_at(pkg, part, sheet, cells)
            self._formulas[sheet] = formulas_at(pkg, part, sheet, None)
        return self.formulas(sheet, cells)

    def digit_formats(self, sheet: str, cells: Iterable[tuple[int, int]]) -> dict[tuple[int, int], str]:
        """Of ``cells`` (Excel row, 0-based column), those whose number format shows a whole number's digits
        padded or punctuated (``cells.is_digit_format``), with its code. A workbook with no such format (most)
        answers from its styles alone; else the sheet's cells asked are read for their style."""
        part = self.info.sheet_parts.get(sheet)
        if part is None:
            return {}
        with self._readable(sheet), _Package(self.path) as pkg:
            if self._digit_styles is None:
                self._digit_styles = _Styles(pkg, self.info.workbook_part).digit_styles()
            digits = self._digit_styles
            if not digits:
                return {}
            return {at: digits[s] for at, s in styles_at(pkg, part, sheet, cells).items() if s in digits}

    def locked_cells(self, sheet: str, cells: Sequence[tuple[int, int]]) -> set[tuple[int, int]]:
        """Of ``cells`` (Excel row, 0-based column), those the sheet's protection keeps anyone from typing
        into (``xlsx.protection``): none on a sheet not protected."""
        part = self.info.sheet_parts.get(sheet)
        if part is None or not cells or self.protection(sheet) is None:
            return set()
        with self._readable(sheet), _Package(self.path) as pkg:
            return locked_cells(pkg, self.info.workbook_part, part, sheet, cells)

    def read_sheet(self, sheet: str) -> list[list[Any]]:
        """Cell values, row 0 = Excel row 1; error cells hold their text (#N/A...)."""
        with self._readable(sheet):
            found = self._calamine().get_sheet_by_name(sheet)
            if found.height * found.width < SHARED_CELLS:
                rows = calamine_safe.read(lambda: found.to_python(skip_empty_area=False),
                                          lambda: calamine_safe.openpyxl_values(self.path, sheet))
            else:
                rows = shared_rows(calamine_safe.rows(found.iter_rows(), lambda: self._fallback(sheet, found)),
                                   found.start[1] if found.start else 0)
        for (r, c), text in self._error_cells(sheet).items():
            while len(rows) <= r:
                rows.append([])
            row = rows[r]
            if len(row) <= c:
                row.extend([""] * (c + 1 - len(row)))
            row[c] = text
        return rows

    def iter_rows(self, sheet: str, last_row: int | None = None) -> Iterator[list[Any]]:
        """Cell values a row at a time, row 0 = Excel row 1, down to ``last_row`` (default: the last): a long
        sheet read once through (a full Change Log) without a Python list per row held for all of them.
        Blank cells read as ''."""
        with self._readable(sheet):
            found = self._calamine().get_sheet_by_name(sheet)
        pad = [""] * found.start[1] if found.start else []  # calamine starts a row at the first used column
        rows = calamine_safe.rows(found.iter_rows(), lambda: self._fallback(sheet, found))
        for row in rows if last_row is None else islice(rows, last_row):
            yield pad + row if pad else row

    def _calamine(self) -> CalamineWorkbook:
        """The reader of the file as it is now: opened again after a write (``_close_reader``)."""
        if self._book is None:
            self._book = CalamineWorkbook.from_path(str(self.path))
        return self._book

    def _close_reader(self) -> None:
        """Let the file go before it is replaced: on Windows a handle open in this process can make the replace
        fail (python-calamine issue 91), which would read as "open in Excel"; after the replace it would read
        the old file. The sheets read so far are in memory and stay readable."""
        if self._book is not None:
            self._book.close()
            self._book = None

    def close(self) -> None:
        """Let go of the file when the run ends, however it ends (a refused run's error may live a while)."""
        self._close_reader()

    def __enter__(self) -> FileBook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _fallback(self, sheet: str, found: Any) -> list[list[Any]]:
        """The sheet's rows from openpyxl, cut to where calamine's rows start (its first used column), for
        a sheet calamine panicked on."""
        first = found.start[1] if found.start else 0
        return [row[first:] for row in calamine_safe.openpyxl_values(self.path, sheet)]

    @contextmanager
    def _readable(self, sheet: str) -> Iterator[None]:
        """A sheet calamine cannot parse (XML Excel never writes: an undeclared entity, a broken tag), or whose
        part does not inflate (a file damaged in a copy or a sync: ``DAMAGED_ZIP``), said plainly."""
        try:
            yield
        except _UNREADABLE as exc:
            raise UserError(f"the sheet could not be read ({exc}). Open the workbook in Excel, save "
                            "it (File > Save), and run prodbook again. Nothing was written",
                            file=self.name, sheet=sheet) from None

    def changed_since_read(self) -> bool:
        """Was the file saved over since prodbook read it? Then a read error is that save, not the file."""
        try:
            return not self._read_stamp.same_file(os.stat(self.path))
        except OSError:
            return True

    def merged_ranges(self, sheet: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        """The sheet's merged ranges, ((row, col), (row, col)) 0-based: a header must not hold one."""
        return self._scan(sheet).merges

    def log_runs(self, sheet: str, header_row: int, action: int, stamp: int) -> LogRuns | None:
        """The Change Log's runs from its action and time columns alone (``scan_runs``); None where it must be
        read the full way, a file saved over since it was read included."""
        try:
            with open(self.path, "rb") as fp:  # opened, then checked: the handle holds the file that was read
                return None if self.changed_since_read() else scan_runs(fp, sheet, header_row, action, stamp)
        except _LOG_UNREAD:  # the full read names a damaged part
            return None

    def part_sizes(self, sheet: str) -> PartSizes | None:
        """The sheet's part and the rest of the file, uncompressed (the sizes the size check proved), and
        the limits the next run reads the file with; None when the sheet has no part."""
        part = self.info.sheet_parts.get(sheet)
        return None if part is None else limits.part_sizes(limits.unpacked_sizes(self.path), part, self.limits)

    def moved_links(self) -> list[MovedLink]:
        """After a write, the team's formulas that read one cell of a rebuilt sheet by its place, where the write
        put another row (``formula_refs.links_into_moved_rows``)."""
        return list(self._links)

    def rules_read_at(self, sheet: str, place: RulePlace) -> None:
        """Where the colour rules of a sheet read, as the run read it: a commit that writes the sheet anyway
        brings the rules an earlier prodbook wrote there up to date (``xlsx.colour_rules``). Not a change of
        its own: a run with nothing else to write writes nothing. (The add-in's side, ``live_colour_rules``, reads
        each formula from Excel's active cell and moves it to the rule's first cell before it compares.)"""
        self._rule_places[sheet] = place

    def rules_brought_up_to_date(self) -> dict[str, str]:
        """After a write, the sheets whose colour rules, as an earlier prodbook wrote them when it created the
        sheet, the write brought up to date (``xlsx.colour_rules``), each with the sheet whose rules it takes
        (the default name: 'T&A')."""
        return dict(self._recoloured)

    def past_limits(self) -> str | None:
        """After a write, where the file written is larger than the size limits allow: what the next run
        would refuse, and the setting to raise. None when the next run reads it."""
        sizes = limits.unpacked_sizes(self.path)
        part, largest = max(sizes.items(), key=lambda kv: kv[1], default=("", 0))
        raise_ = []
        if largest > self.limits.part_mb * MB:
            raise_.append(f"'Max Part MB' to at least {-(-largest // MB) * 5 // 4:,}")
        if (total := sum(sizes.values())) > self.limits.unpacked_mb * MB:
            raise_.append(f"'Max Unpacked MB' to at least {-(-total // MB) * 5 // 4:,}")
        if not raise_:
            return None
        sheet = next((s for s, p in self.info.sheet_parts.items() if p == part), part)
        return (f"'{self.name}' now unpacks to {_mb(total)} (its largest part, '{sheet}', {_mb(largest)}), more "
                f"than its size limits: the next run will refuse it until you raise {' and '.join(raise_)} "
                f"{limits.TRACKER_WHERE} (README section 6)")

    def hidden_columns(self, sheet: str) -> frozenset[int]:
        """0-based columns the sheet hides, from the pass over its XML a run makes anyway."""
        return frozenset(c for first, last in self._scan(sheet).hidden_columns
                         for c in range(first, min(last, MAX_COLUMNS - 1) + 1))

    def last_row(self, sheet: str) -> int:
        """The sheet's last row number (0: empty or no such sheet), without reading its cells."""
        return self._scan(sheet).last_row

    def _scan(self, sheet: str) -> SheetScan:
        """One streamed pass per sheet, kept: the merged-header check at the start of a run and the
        Change Log's row count at its end read the same pass."""
        if sheet not in self._scans:
            part = self.info.sheet_parts.get(sheet)
            with self._readable(sheet):
                self._scans[sheet] = scan_sheet(self.path, part) if part else SheetScan([], 0)
        return self._scans[sheet]

    def head_rows(self, sheet: str, nrows: int = HEADER_SCAN_ROWS) -> list[list[Any]]:
        """The first rows only: enough to map a header without reading a long log."""
        with self._readable(sheet):
            return sheet_head(self.path, sheet, nrows)

    def _error_cells(self, sheet: str) -> dict[tuple[int, int], str]:
        """Error cells' text, and the text of links whose cached value a program did not keep."""
        part = self.info.sheet_parts.get(sheet)
        scan = self._scans.get(sheet)  # a sheet looked at already (the start of a run looks at them all)
        if part is None or (scan is not None and not scan.cell_hints):
            return {}
        found: dict[tuple[int, int], str] = {}
        with zipfile.ZipFile(self.path) as z, z.open(part) as f:  # a block at a time: a T&A is 600 MB of XML
            carry = b""
            while True:
                block = f.read(1 << 20)
                buf = carry + block
                cut = len(buf)
                if block:  # up to the last complete row: no cell is cut in two
                    cut = last_row_end(buf)
                _error_cells_in(buf[:cut], found)
                carry = buf[cut:]
                if not block:
                    return found


    def commit(self, backups_to_keep: int = 20) -> CommitResult:
        """Write every staged change at once: backup, temp file, verify, atomic replace.

        The backup and the new file are copied from one handle checked against
        what was read; just before the replace the path is checked again. If
        the workbook is open (a lock file), read-only, or was saved by someone
        else meanwhile, nothing is written (and the backup made for this
        write is removed). If a sheet cannot be rewritten safely, the changes
        go to a side copy instead.
        """
        if not self.pending:
            return CommitResult(None, None)
        if (guarded := self.write_guard()) is not None:
            raise UserError(guarded, file=self.name)
        if (locked := self.open_elsewhere()) is not None:
            raise safety.WorkbookLocked(locked)
        if read_only := safety.read_only_message(self.path):
            raise safety.NotWritten(read_only)
        rewrites, edits, names = list(self._rewrites.values()), list(self._edits), dict(self._names)
        made: Path | None = None
        backups = self.path.parent / safety.BACKUP_DIR
        new_folder = None if backups.exists() else backups
        try:
            with safety.Source(self.path, self._read_stamp) as src:
                self._close_reader()  # the file is the one read; a later read opens what is then there
                safety.step("opened", self.path)
                made = safety.make_backup(self.path, src.fp)
                lock.note_backup(self.path, made, new_folder is not None)  # a run killed now: the next removes it
                safety.step("backup", self.path)
                written: list[str] = []
                copied: dict[str, list[tuple[int, int]]] = {}
                links: list[MovedLink] = []
                recoloured: dict[str, str] = {}
                last_rows = {sheet: scan.last_row for sheet, scan in self._scans.items()}  # of the file read
                unlinked = [sheet for sheet, scan in self._scans.items() if not scan.bang]
                try:
                    safety.atomic_write(
                        self.path, lambda tmp: written.extend(rewrite_sheets(src.fp, tmp, rewrites, edits,
                                                                             on_member=self._writing,
                                                                             progress=self.progress,
                                                                             copied=copied,
                                                                             last_rows=last_rows,
                                                                             moved_links=links,
                                                                             unlinked=unlinked,
                                                                             names=names,
                                                                             rule_places=self._rule_places,
                                                                             recoloured=recoloured)),
                        verify=lambda tmp: _verified(src, tmp, written, self.progress, copied),
                        before_replace=lambda: _last_look(src))
                except UnsupportedLayout as exc:
                    if self.changed_since_read():
                        raise  # saved over in place meanwhile: what looks like damage is that save (_plain)
                    _remove(made, new_folder)
                    return self._side_copy(src, rewrites, edits, exc, names)
        except BaseException as exc:
            _remove(made, new_folder)
            plain = _plain(exc, self.path, self._read_stamp)
            if plain is exc:
                raise
            raise plain from exc
        finally:
            lock.note_backup(self.path, None)
        try:
            safety.rotate_backups(self.path, backups_to_keep, made)
        except OSError:  # the workbook is saved; an old backup kept a run longer is no harm
            pass
        self._clear()
        self._links = links
        self._recoloured = recoloured
        self._scans.clear()  # the file changed: a later look scans it again
        self._totals.clear()
        return CommitResult(self.path, made)

    def open_elsewhere(self) -> str | None:
        """Why a write would stop now: the workbook is open in Excel (its lock file beside it). None when not."""
        locks = safety.lock_files(self.path)
        return locked_message(self.name, locks[0]) if locks else None

    def write_guard(self) -> str | None:
        """Why the workbook's owner asked that it not be changed without them, when they did: prodbook opens
        it as Excel would, read-only."""
        if self.info.modify_password:
            return (f"'{self.name}' asks for a password to modify it (File > Save As > Tools > General "
                    "Options), which prodbook cannot give. Nothing was written. Open it in Excel with the "
                    "password and use the prodbook tab there, or clear the password to modify in that dialog, "
                    "save, and run again")
        if self.info.marked_final:
            return (f"'{self.name}' is marked as final (File > Info > Protect Workbook > Mark as Final), so "
                    "Excel opens it read-only. Nothing was written. If it should change after all, open it in "
                    "Excel, choose Edit Anyway, save, and run again")
        return None

    def _writing(self, member: int) -> None:
        if member == 2:
            safety.step("writing", self.path)

    def _side_copy(self, src: safety.Source, rewrites: list[SheetRewrite], edits: list[AnyEdit],
                   exc: UnsupportedLayout, names: dict[str, str]) -> CommitResult:
        """The workbook stays as it was: the changes go to "NAME (prodbook).xlsx" (no backup needed)."""
        side = safety.side_copy_path(self.path)
        from prodbook.workbook.openpyxl_writer import Unreadable  # openpyxl loads on this way only (start-up)

        try:
            safety.atomic_write(side, lambda tmp: _side_copy(src.fp, tmp, rewrites, edits, names, self._rule_places))
        except Unreadable:  # openpyxl cannot read what the part writer refused either: a damaged file
            raise UserError(f"prodbook could not save its changes: {exc}; nor could it write them to a copy. "
                            "The file is damaged: open it in Excel and save it (Excel repairs what it can), then "
                            "run prodbook again. Nothing was written", file=self.name) from None
        lacks = parts_openpyxl_would_drop(self.path)
        reason = f"{exc}. The changes were written to a copy instead" + (
            f", which may lack {', '.join(lacks)}" if lacks else "")
        return CommitResult(side, None, reason)


MAX_COLUMNS = 16_384
"""Excel's columns (A to XFD): a hidden range may run to the last."""

SHARED_CELLS = 8_000_000
"""From this many cells (a T&A of about 28,000 PO lines) a sheet is read with each repeated text and date
held once (``shared_rows``): a million-row T&A repeats a few thousand keys, codes and days. Below it the
whole read is kept: sharing costs about 1.5 s of CPU at 10,000 PO lines for memory not then needed."""


def shared_rows(rows: Iterable[list[Any]], pad: int, block: int = 1 << 14) -> list[list[Any]]:
    """Rows as ``to_python(skip_empty_area=False)`` gives them (``pad`` blank cells before each row's
    first), each column's repeated texts and dates one object.

    Read a block of rows at a time, so a million-row sheet's cells are never all separate objects
    (~60 bytes a text, 32 a date: half a gigabyte for a full T&A). Only columns of texts, dates, times
    and blanks are shared: among them equal means the same value, where 1.0, True and -0.0 do not.
    """
    seen: dict[Any, Any] = {}
    share = seen.setdefault
    lead = [""] * pad
    out: list[list[Any]] = []
    it = iter(rows)
    while chunk := list(islice(it, block)):
        columns = list(zip(*chunk)) if len(set(map(len, chunk))) == 1 else None
        if columns is None:  # rows of different widths (not from calamine): kept as they come
            out += [lead + r for r in chunk] if pad else chunk
            continue
        del chunk
        for j, col in enumerate(columns):
            if set(map(type, col)) <= _SHAREABLE:
                columns[j] = tuple(map(share, col, col))
        if pad:
            columns[:0] = [("",) * len(columns[0])] * pad
        out += map(list, zip(*columns))
    return out


_SHAREABLE = frozenset({str, date, datetime, time, timedelta})
"""Types no two of which are ever equal unless they are the same value (floats and flags are left out)."""


def _error_cells_in(data: bytes, found: dict[tuple[int, int], str]) -> None:
    """``FileBook._error_cells`` of a run of whole rows, added to ``found``."""
    error, link = CELL_HINTS
    if link in data:
        found.update(uncached_links(data))
    if error not in data:
        return
    for m in _ERROR_CELL.finditer(data):
        ref, value = _REF.search(m[1]), _VALUE.search(m[2])
        if ref and value:
            found[(int(ref[2]) - 1, column_index(ref[1].decode()))] = value[1].decode()


_UNCACHED_LINK = re.compile(rb'<(?:\w+:)?c\b([^>]*)>\s*<(?:\w+:)?f>(?:_xlfn\.)?HYPERLINK\(([^<]*)\)</(?:\w+:)?f>'
                            rb'\s*(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v></(?:\w+:)?v>)?\s*</(?:\w+:)?c>')
_LAST_TEXT = re.compile(r',\s*"((?:[^"]|"")*)"\s*$')


def uncached_links(data: bytes) -> dict[tuple[int, int], str]:
    """(row, col) -> shown text of ``HYPERLINK(target, "text")`` cells saved without their value.

    A program that does not calculate (openpyxl, some scripts) saves a link prodbook wrote with an empty
    result; the text is read from the formula so the Issues Cell and Follow-ups Draft stay readable.
    """
    from html import unescape

    found: dict[tuple[int, int], str] = {}
    for m in _UNCACHED_LINK.finditer(data):
        ref, text = _REF.search(m[1]), _LAST_TEXT.search(unescape(m[2].decode("utf-8", "replace")))
        if ref and text:
            found[(int(ref[2]) - 1, column_index(ref[1].decode()))] = text[1].replace('""', '"')
    return found


def _last_look(src: safety.Source) -> None:
    """Just before the replace: the workbook is still the file read (no save meanwhile) and no other prodbook
    run holds its write lock (a drive that keeps no locks lets one in). Excel's lock files are looked for
    after this, by ``safety.atomic_write``."""
    src.check_before_replace()
    lock.check_not_taken(src.path)


def _remove(made: Path | None, folder: Path | None) -> None:
    """Remove the backup made for a write that did not happen (the original is intact), and the
    backups ``folder`` when this write made it: the folder is left as it was."""
    for remove in ((made.unlink if made else None), (folder.rmdir if folder else None)):
        try:
            if remove is not None:
                remove()
        except OSError:
            pass


def _plain(exc: BaseException, path: Path, stamp: safety.Stamp) -> BaseException:
    """What a failed write is, for the APM: saved meanwhile, read-only, disk full; else itself."""
    if isinstance(exc, safety.WorkbookLocked) or not isinstance(exc, Exception):
        return exc
    try:
        unchanged = stamp.same_file(os.stat(path))
    except OSError:
        unchanged = False
    if not unchanged:  # saved over in place while prodbook copied from it: any error may follow from that
        return safety.SavedMeanwhile(safety.saved_meanwhile_message(path))
    if isinstance(exc, OSError) and (message := safety.os_error_message(exc, path)):
        return safety.NotWritten(message)
    return exc


def _verified(src: safety.Source, tmp: Path, written: list[str], progress: Progress | None,
              copied: dict[str, list[tuple[int, int]]]) -> None:
    """The written file checked; a part that fails because the workbook's own was broken already is the
    workbook's damage (the copy way, or a plain message), not a fault of the write."""
    try:
        safety.verify_package(tmp, parse=written, progress=progress, unparsed=copied)
    except safety.PartFailed as exc:
        if safety.part_parses(src.fp, exc.part):
            raise
        raise UnsupportedLayout(f"its part {exc.part} is not well-formed XML in the workbook itself (the file "
                                "is damaged)") from None


def _side_copy(src: Any, tmp: Path, rewrites: list[SheetRewrite], edits: list[AnyEdit],
               names: dict[str, str], rule_places: dict[str, RulePlace] | None = None) -> None:
    """Write the changes through openpyxl into a copy; the original stays as it was."""
    from prodbook.workbook.openpyxl_writer import write_copy

    src.seek(0)
    with warnings.catch_warnings():  # openpyxl's own words about odd cells ("serial value inf") are not the APM's
        warnings.simplefilter("ignore")
        write_copy(src, tmp, rewrites, edits, keep_vba=tmp.suffix.lower() == ".xlsm", names=names,
                   rule_places=rule_places)
