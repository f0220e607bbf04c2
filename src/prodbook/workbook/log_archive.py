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
from typing import Any, cast, overload

import pandas as pd

from prodbook.core.cells import Value, is_missing
from prodbook.core.looks import SheetLook
from prodbook.workbook.backend import SheetRewrite
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


class LazyRows(Sequence[tuple[Any, ...]]):
    """Rows of a ``LogColumns`` made only when the writer asks for them (a block at a time)."""

    def __init__(self, log: LogColumns, fields: Sequence[str], at: Sequence[int], extra: Sequence[int]) -> None:
        self._columns = [log.fields[f] for f in fields]
        self._at = at
        self._extra = list(extra)
        self._log = log

    def __len__(self) -> int:
        return len(self._at)

    def _row(self, k: int) -> tuple[Any, ...]:
        i = self._at[k]
        row = tuple(c[i] for c in self._columns)
        if not self._extra:
            return row
        cells = dict(self._log.extras.get(self._log.rows[i], ()))
        return row + tuple(cells.get(c) for c in self._extra)

    @overload
    def __getitem__(self, k: int) -> tuple[Any, ...]: ...

    @overload
    def __getitem__(self, k: slice) -> list[tuple[Any, ...]]: ...

    def __getitem__(self, k: int | slice) -> tuple[Any, ...] | list[tuple[Any, ...]]:
        if isinstance(k, slice):
            return [self._row(j) for j in range(*k.indices(len(self)))]
        return self._row(k if k >= 0 else len(self) + k)


def archive_file(path: Path, headers: Sequence[str], rows: Sequence[tuple[Value, ...]], look: SheetLook,
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
            rows=cast(tuple[tuple[Value, ...], ...], rows),  # a LazyRows: made a block at a time
            create_headers=tuple(headers), look=look)])

    return StagedFile(path, write, announce=f"The Change Log's older rows are in '{path.name}'.")
