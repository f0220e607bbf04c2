"""The Change Log's oldest rows, moved to a workbook of their own when the sheet is full.

An Excel sheet holds 1,048,576 rows. A tracker's Change Log grows every day (a 2,000-line
tracker's daily refresh logs 20,000 to 40,000 values, mostly T&A Forecast and Variance), so in time it
would pass that, and Excel would not open the file. Before that happens prodbook moves the oldest whole actions to
``<tracker> Change Log to <date time>.xlsx`` beside the tracker, written and in place before the
tracker is saved without them: the rows are never only in memory. Undo reaches the actions that
stay in the sheet (the newest ones); an undo's own run moves out none it could still reach
(``changes.actions_to_move``), and when Undo last has none left in the sheet it names the file that holds the
run before them (``next_archived``): nothing is undone from such a file.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

import pandas as pd
from python_calamine import CalamineError, CalamineWorkbook

from prodbook.core.cells import is_missing
from prodbook.core.changes import newest_not_undone, undone
from prodbook.core.findings import UserError
from prodbook.core.looks import SheetLook
from prodbook.workbook import calamine_safe
from prodbook.workbook.backend import RowsByColumn, SheetRewrite
from prodbook.workbook.limits import TooLarge, check_package
from prodbook.workbook.publish import StagedFile
from prodbook.workbook.toml_settings import toml_limits
from prodbook.workbook.xlsx.first_rows import NotCopyable, copy_first_rows
from prodbook.workbook.xlsx.log_runs import scan_runs
from prodbook.workbook.xlsx.model import UnsupportedLayout
from prodbook.workbook.xlsx.package import DAMAGED_ZIP
from prodbook.workbook.xlsx.sheetxml import sheet_head
from prodbook.workbook.xlsx.writer import rewrite_sheets

ARCHIVE_SHEET = "Change Log"
"""The moved rows' sheet in an archive, whatever the tracker calls its log."""


def archive_path(workbook: Path, newest: Any) -> Path:
    """Beside the tracker, named by the newest moved action's time: a second rotation of the same rows
    (a save that failed after the archive was written) makes the same file, not a second one."""
    stamp = pd.Timestamp(newest) if not is_missing(newest) else None
    when = f"{stamp:%Y-%m-%d %H%M%S}" if stamp is not None and not pd.isna(stamp) else "undated"
    return workbook.with_name(f"{workbook.stem} Change Log to {when}.xlsx")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)  # a Mac gives an accented file name decomposed


def archives(workbook: Path) -> list[Path]:
    """The workbooks beside the tracker its Change Log's oldest runs were moved to (``archive_path``), newest
    first by the time in their names ('undated' last)."""
    named = re.compile(re.escape(_nfc(f"{workbook.stem} Change Log to ")) + r"(\d{4}-\d{2}-\d{2} \d{6}|undated)\.xlsx")
    try:
        found = [(m[1], p) for p in workbook.parent.iterdir() if (m := named.fullmatch(_nfc(p.name))) and p.is_file()]
    except OSError:
        return []
    return [p for _, p in sorted(found, key=lambda t: "" if t[0] == "undated" else t[0], reverse=True)]


def archived_actions(path: Path, headers: Sequence[tuple[str, str]]) -> list[str] | None:
    """The actions an archive's Change Log holds, each once (its rows' Action). ``headers``: (Timestamp, Action)
    header texts to find them by, the tracker's log's first (the archive has its headers), then prodbook's. Read
    from those two columns alone (``scan_runs``) where the log is as prodbook writes one, else the sheet whole.
    None: the file cannot be read (damaged, too large), or its log has no such header."""
    try:
        check_package(path, toml_limits(path))
        at = _header(sheet_head(path, ARCHIVE_SHEET), headers)
        if at is None:
            return None
        row, stamp, action = at
        found = scan_runs(path, ARCHIVE_SHEET, row, action, stamp)
        if found is not None:
            return list(dict.fromkeys(r.action for r in found.runs))
        rows = calamine_safe.read(lambda: _calamine_rows(path),
                                  lambda: calamine_safe.openpyxl_values(path, ARCHIVE_SHEET))
    except _UNREAD:
        return None
    return list(dict.fromkeys(v for r in rows[row:] if action < len(r) and isinstance(v := r[action], str) and v))


_UNREAD: tuple[type[Exception], ...] = (TooLarge, UnsupportedLayout, CalamineError, OSError, ValueError, KeyError,
                                        StopIteration, UserError, *DAMAGED_ZIP)
"""An archive that cannot be read: too large, damaged, no such sheet (``sheet_head``'s StopIteration), a
prodbook.toml beside it that cannot be read (UserError)."""


def _calamine_rows(path: Path) -> list[list[Any]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(ARCHIVE_SHEET).to_python()


def _header(head: Sequence[Sequence[Any]], headers: Sequence[tuple[str, str]]) -> tuple[int, int, int] | None:
    """(1-based header row, Timestamp column, Action column) in the archive's first rows, by ``headers``."""
    for r, row in enumerate(head, start=1):
        cells = [v.strip().casefold() if isinstance(v, str) else "" for v in row]
        for stamp, action in headers:
            if stamp.strip().casefold() in cells and action.strip().casefold() in cells:
                return r, cells.index(stamp.strip().casefold()), cells.index(action.strip().casefold())
    return None


@dataclass(frozen=True)
class Archived:
    """Where Undo last would go next when no run in the Change Log is left to undo."""

    path: Path
    """The archive that holds it, or the newest one prodbook could not read (then ``run`` is None)."""
    run: str | None


def next_archived(workbook: Path, in_log: Iterable[Any], headers: Sequence[tuple[str, str]]) -> Archived | None:
    """The newest run not undone among the tracker's archives (``archives``), and the file that holds it; None
    when every run they hold is undone too, or there is none. The undos of the log (``in_log``: its actions) and
    of newer archives count: an undo is never older than its run, so the newest archive is read first and the
    next only while none has such a run. An archive that cannot be read stops the search there, named."""
    gone = undone(in_log)
    for path in archives(workbook):
        actions = archived_actions(path, headers)
        if actions is None:
            return Archived(path, None)
        gone |= undone(actions)
        if (run := newest_not_undone(actions, gone)) is not None:
            return Archived(path, run)
    return None


@dataclass
class LogColumns:
    """A full Change Log's data rows, by field, read a block of rows at a time.

    A million-row log read as a table holds a Python list per row and a DataFrame beside it; here
    each field is one list, and the values that repeat on every row of a run (its time, its name,
    the sheet, the field, the user) are held once.
    """

    fields: dict[str, list[Any]]
    rows: list[int]
    """Each data row's Excel row number."""
    extras: dict[int, list[tuple[int, Any]]]
    """Excel row -> (column, value) of its cells outside prodbook's columns (a team's own column)."""


REPEATED = ("timestamp", "action", "sheet", "field", "user")


LOG_BLOCK = 1 << 14
"""Rows of a full log read at a time (``read_log``), each block taken apart into its columns."""

_PLAIN = frozenset({str, int, bool, float, datetime, date, time, timedelta, type(None)})
"""The cell types calamine and Excel give: of these only None, '' and NaN are blank (``_blanks``)."""


def read_log(rows: Iterable[Sequence[Any]], header_row: int, columns: dict[str, int],
             fields: Sequence[str]) -> LogColumns:
    """The data rows below ``header_row`` (row 1 first); blank rows are skipped, '' reads as blank.

    A block of rows as wide as each other (calamine's always are) is read a column at a time: a column of
    one type (a run's timestamps, its action's name) is taken whole. Any other block is read a row at a
    time (``_read_rows``), to the same result."""
    log = LogColumns({f: [] for f in fields}, [], {})
    memo: dict[type, dict[Any, Any]] = {}
    it = iter(rows)
    r = 0  # the Excel row before the block's first
    while block := list(islice(it, LOG_BLOCK)):
        start, r = r, r + len(block)
        if r <= header_row:
            continue
        if start < header_row:
            block, start = block[header_row - start:], header_row
        width = len(block[0])
        if all(len(row) == width for row in block):
            _read_columns(log, block, start, columns, fields, memo)
        else:
            _read_rows(log, block, start, columns, fields, memo)
    return log


def _blank(v: Any) -> bool:
    return is_missing(v) or v == ""


def _blanks(column: Sequence[Any]) -> list[bool] | None:
    """Which cells of ``column`` are blank (``_blank``); None when none is."""
    kinds = set(map(type, column))
    if kinds <= {datetime, date, int, bool}:
        return None
    if kinds == {str}:
        found = [not v for v in column]
    elif kinds <= _PLAIN:  # NaN is the only value not equal to itself
        found = [v is None or v != v or (v.__class__ is str and not v) for v in column]
    else:
        found = [_blank(v) for v in column]
    return found if any(found) else None


def _held_once(values: list[Any], memo: dict[type, dict[Any, Any]]) -> list[Any]:
    """``values`` with each equal value of one type the same object (None stays None)."""
    kinds = set(map(type, values)) - {type(None)}
    if len(kinds) == 1:
        seen = memo.setdefault(next(iter(kinds)), {})
        return [None if v is None else seen.setdefault(v, v) for v in values]
    return [None if v is None else memo.setdefault(type(v), {}).setdefault(v, v) for v in values]


def _read_columns(log: LogColumns, block: list[Sequence[Any]], start: int, columns: dict[str, int],
                  fields: Sequence[str], memo: dict[type, dict[Any, Any]]) -> None:
    """``_read_rows`` for rows of one width, a column at a time."""
    cells = list(zip(*block))
    blank = [_blanks(column) for column in cells]
    empty = [b for b in blank if b is not None]
    keep = None if len(empty) < len(cells) else [not all(row) for row in zip(*empty)]
    if keep is None:
        log.rows.extend(range(start + 1, start + 1 + len(block)))
    else:
        log.rows.extend(start + 1 + i for i, k in enumerate(keep) if k)
    kept = len(block) if keep is None else sum(keep)
    for f in fields:
        c = columns.get(f)
        if c is None or c >= len(cells):
            log.fields[f].extend([None] * kept)
            continue
        b = blank[c]
        values = list(cells[c]) if b is None else [None if e else v for v, e in zip(cells[c], b)]
        if keep is not None:
            values = [v for v, k in zip(values, keep) if k]
        log.fields[f].extend(_held_once(values, memo) if f in REPEATED else values)
    mapped = set(columns.values())
    for c, column in enumerate(cells):
        if c in mapped:
            continue
        b = blank[c]
        for i, v in enumerate(column):
            if (b is None or not b[i]) and (keep is None or keep[i]):
                log.extras.setdefault(start + 1 + i, []).append((c, v))


def _read_rows(log: LogColumns, block: list[Sequence[Any]], start: int, columns: dict[str, int],
               fields: Sequence[str], memo: dict[type, dict[Any, Any]]) -> None:
    """Rows ``start + 1`` on, one at a time."""
    where = [(log.fields[f], columns.get(f), f in REPEATED) for f in fields]
    mapped = set(columns.values())
    for r, row in enumerate(block, start=start + 1):
        if all(_blank(v) for v in row):
            continue
        log.rows.append(r)
        width = len(row)
        for column, c, repeated in where:
            v = row[c] if c is not None and c < width else None
            if _blank(v):
                v = None
            elif repeated:
                v = memo.setdefault(type(v), {}).setdefault(v, v)
            column.append(v)
        extra = [(c, v) for c, v in enumerate(row) if c not in mapped and not _blank(v)]
        if extra:
            log.extras[r] = extra


def moved_rows(log: LogColumns, fields: Sequence[str], at: Sequence[int], extra: Sequence[int]) -> RowsByColumn:
    """The rows ``at`` of the log, its fields then the team's ``extra`` columns, as the writer's columns: a
    million moved rows are formatted a block at a time from the lists read, no tuple made per row."""
    columns: list[Sequence[Any]] = [log.fields[f] for f in fields]
    if extra:
        cells: dict[int, list[Any]] = {c: [None] * len(log.rows) for c in extra}
        index = {r: i for i, r in enumerate(log.rows)}
        for r, found in log.extras.items():
            for c, v in found:
                cells[c][index[r]] = v
        columns += [cells[c] for c in extra]
    return RowsByColumn(columns, at)


@dataclass(frozen=True)
class RowsInFile:
    """Where the moved rows stand in the tracker's file: its rows 1 to ``last_row`` of ``sheet``, every
    row of the log the run read down to there moving. ``unchanged`` says the file is still the one read."""

    path: Path
    sheet: str
    header_row: int
    last_row: int
    unchanged: Callable[[], bool]


def archive_file(path: Path, values: Callable[[], tuple[Sequence[str], RowsByColumn]], look: SheetLook,
                 source: str, copy: RowsInFile | None = None) -> StagedFile:
    """The moved rows as a workbook: an About sheet saying where they came from, then the rows as a
    Change Log table. With ``copy``, the rows' XML is copied from the tracker as it is (its styles and
    shared strings with it: a million rows cost their deflate only); otherwise, or when they cannot be
    copied so, they are written from their ``values`` (headers, rows: asked for only then) by the same part
    writer as the tracker's own log."""
    about = (f"The oldest rows of the Change Log of '{source}', moved here when that sheet was full.",
             "prodbook's undo no longer reaches them; they are kept for the record.")

    def write(target: Path) -> None:
        if copy is not None and _copied(copy, target, about):
            return
        from openpyxl import Workbook  # loaded only on the rare run that moves rows

        seed = Workbook()
        about_sheet = seed.create_sheet("About")
        seed.remove(seed.worksheets[0])
        for i, line in enumerate(about, 1):
            about_sheet.cell(row=i, column=1, value=line)
        about_sheet.column_dimensions["A"].width = 90
        headers, rows = values()
        buf = io.BytesIO()
        seed.save(buf)
        buf.seek(0)
        rewrite_sheets(buf, target, [SheetRewrite(
            sheet="Change Log", header_row=1, columns=tuple(range(len(headers))),
            rows=rows,
            create_headers=tuple(headers), look=look)])

    return StagedFile(path, write, announce=f"The Change Log's older rows are in '{path.name}'.")


def _copied(copy: RowsInFile, target: Path, about: Sequence[str]) -> bool:
    """Copy the rows' XML into ``target``; False (nothing left at ``target``) when they cannot be, the
    tracker could not be opened again included (the values read are still there to write)."""
    try:
        with open(copy.path, "rb") as fp:  # opened, then checked: the handle holds the file that was read
            if not copy.unchanged():
                return False
            copy_first_rows(fp, copy.sheet, copy.header_row, copy.last_row, target, "Change Log", about)
        return True
    except (NotCopyable, UnsupportedLayout, OSError):
        target.unlink(missing_ok=True)
        return False
