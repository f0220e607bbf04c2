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
from collections.abc import Sequence
from pathlib import Path
from typing import Any

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
            sheet="Change Log", header_row=1, columns=tuple(range(len(headers))), rows=tuple(rows),
            create_headers=tuple(headers), look=look)])

    return StagedFile(path, write, announce=f"The Change Log's older rows are in '{path.name}'.")
