"""The Change Log's oldest rows, moved to a workbook of their own when the sheet is full.

An Excel sheet holds 1,048,576 rows. A tracker's Change Log grows every day (a 2,000-line
tracker logs about 10,000 values a day), so in time it would pass that, and Excel would not open
the file. Before that happens prodbook moves the oldest whole actions to
``<tracker> Change Log to <date time>.xlsx`` beside the tracker, written and in place before the
tracker is saved without them: the rows are never only in memory. Undo reaches the actions that
stay in the sheet (the newest ones).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

import pandas as pd

from prodbook.core.cells import is_missing
from prodbook.core.looks import SheetLook
from prodbook.workbook.backend import RowsByColumn, SheetRewrite
from prodbook.workbook.publish import StagedFile
from prodbook.workbook.xlsx.first_rows import NotCopyable, copy_first_rows
from prodbook.workbook.xlsx.model import UnsupportedLayout
from prodbook.workbook.xlsx.writer import rewrite_sheets


def archive_path(workbook: Path, newest: Any) -> Path:
    """Beside the tracker, named by the newest moved action's time: a second rotation of the same rows
    (a save that failed after the archive was written) makes the same file, not a second one."""
    stamp = pd.Timestamp(newest) if not is_missing(newest) else None
    when = f"{stamp:%Y-%m-%d %H%M%S}" if stamp is not None and not pd.isna(stamp) else "undated"
    return workbook.with_name(f"{workbook.stem} Change Log to {when}.xlsx")


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
