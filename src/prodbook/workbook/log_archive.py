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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from prodbook.core.cells import is_missing
from prodbook.core.looks import SheetLook
from prodbook.workbook.backend import RowsByColumn, SheetRewrite
from prodbook.workbook.publish import StagedFile
from prodbook.workbook.xlsx.writer import rewrite_sheets


def archive_path(workbook: Path, newest: Any) -> Path:
    """Beside the tracker, named by the newest moved action's time: a second rotation of the same rows
    (a save that failed after the archive was written) makes the same file, not a second one."""
    stamp = pd.Timestamp(newest) if not is_missing(newest) else None
    when = f"{stamp:%Y-%m-%d %H%M%S}" if stamp is not None and not pd.isna(stamp) else "undated"
    return workbook.with_name(f"{workbook.stem} Change Log to {when}.xlsx")


@dataclass
class LogColumns:
    """A full Change Log's data rows, by field, read a row at a time.

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


def read_log(rows: Iterable[Sequence[Any]], header_row: int, columns: dict[str, int],
             fields: Sequence[str]) -> LogColumns:
    """The data rows below ``header_row`` (row 1 first); blank rows are skipped, '' reads as blank."""
    out: dict[str, list[Any]] = {f: [] for f in fields}
    where = [(out[f], columns.get(f), f in REPEATED) for f in fields]
    mapped = set(columns.values())
    numbers: list[int] = []
    extras: dict[int, list[tuple[int, Any]]] = {}
    memo: dict[Any, Any] = {}
    for r, row in enumerate(rows, start=1):
        if r <= header_row or all(is_missing(v) or v == "" for v in row):
            continue
        numbers.append(r)
        width = len(row)
        for column, c, repeated in where:
            v = row[c] if c is not None and c < width else None
            if v == "" or is_missing(v):
                v = None
            elif repeated:
                v = memo.setdefault((type(v), v), v)
            column.append(v)
        if width > len(mapped):
            extra = [(c, v) for c, v in enumerate(row) if c not in mapped and not (is_missing(v) or v == "")]
            if extra:
                extras[r] = extra
    return LogColumns(out, numbers, extras)


def moved_rows(log: LogColumns, fields: Sequence[str], at: Sequence[int], extra: Sequence[int]) -> RowsByColumn:
    """The rows ``at`` of the log, its fields then the team's ``extra`` columns, as the writer's columns: a
    million moved rows are formatted a block at a time from the lists read, no tuple made per row."""
    columns: list[Sequence[Any]] = [log.fields[f] for f in fields]
    for c in extra:
        cells = [dict(log.extras.get(r, ())).get(c) for r in log.rows]
        columns.append(cells)
    return RowsByColumn(columns, at)


def archive_file(path: Path, headers: Sequence[str], rows: RowsByColumn, look: SheetLook,
                 source: str) -> StagedFile:
    """The moved rows as a workbook: an About sheet saying where they came from, then the rows as a
    Change Log table, written by the same part writer as the tracker's own log (fast, text stays text)."""

    def write(target: Path) -> None:
        from openpyxl import Workbook  # loaded only on the rare run that moves rows

        seed = Workbook()
        about = seed.create_sheet("About")
        seed.remove(seed.worksheets[0])
        about["A1"] = f"The oldest rows of the Change Log of '{source}', moved here when that sheet was full."
        about["A2"] = "prodbook's undo no longer reaches them; they are kept for the record."
        about.column_dimensions["A"].width = 90
        buf = io.BytesIO()
        seed.save(buf)
        buf.seek(0)
        rewrite_sheets(buf, target, [SheetRewrite(
            sheet="Change Log", header_row=1, columns=tuple(range(len(headers))),
            rows=rows,
            create_headers=tuple(headers), look=look)])

    return StagedFile(path, write, announce=f"The Change Log's older rows are in '{path.name}'.")
