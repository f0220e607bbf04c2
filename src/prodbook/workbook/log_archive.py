"""The Change Log's oldest rows, moved to a workbook of their own when the sheet is full.

An Excel sheet holds 1,048,576 rows. A tracker's Change Log grows every day (a 2,000-line
tracker logs about 10,000 values a day), so in time it would pass that, and Excel would not open
the file. Before that happens prodbook moves the oldest whole actions to
``<tracker> Change Log to <date time>.xlsx`` beside the tracker, written and in place before the
tracker is saved without them: the rows are never only in memory. Undo reaches the actions that
stay in the sheet (the newest ones).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from prodbook.core.cells import is_missing
from prodbook.workbook.publish import StagedFile


def archive_path(workbook: Path, newest: Any) -> Path:
    """Beside the tracker, named by the newest moved action's time: a second rotation of the same rows
    (a save that failed after the archive was written) makes the same file, not a second one."""
    stamp = pd.Timestamp(newest) if not is_missing(newest) else None
    when = f"{stamp:%Y-%m-%d %H%M%S}" if stamp is not None and not pd.isna(stamp) else "undated"
    return workbook.with_name(f"{workbook.stem} Change Log to {when}.xlsx")


def _cell(value: Any) -> Any:
    if is_missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, (str, date, datetime)):
        return value.item()  # numpy scalars
    return value


def archive_file(path: Path, headers: Sequence[str], rows: pd.DataFrame, columns: Sequence[str],
                 widths: Sequence[float]) -> StagedFile:
    """The moved rows as a workbook (openpyxl's streaming mode: a million rows in bounded memory)."""

    def write(target: Path) -> None:
        from openpyxl import Workbook  # loaded only on the rare run that rotates the log
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Change Log")
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        ws.freeze_panes = "A2"
        bold = Font(bold=True)
        head = []
        for h in headers:
            c = WriteOnlyCell(ws, value=h)
            c.font = bold
            head.append(c)
        ws.append(head)
        stamp = columns.index("timestamp") if "timestamp" in columns else None
        data = [rows[c].tolist() for c in columns]
        for values in zip(*data, strict=True):
            row: list[Any] = [_cell(v) for v in values]
            for i, v in enumerate(row):
                if isinstance(v, str) and v.startswith("="):  # logged text is data, never a formula
                    c = WriteOnlyCell(ws, value=v)
                    c.data_type = "s"
                    row[i] = c
            if stamp is not None and isinstance(row[stamp], datetime):
                c = WriteOnlyCell(ws, value=row[stamp])
                c.number_format = "yyyy-mm-dd hh:mm:ss"
                row[stamp] = c
            ws.append(row)
        wb.save(target)

    return StagedFile(path, write, announce=f"The Change Log's older rows are in '{path.name}'.")
