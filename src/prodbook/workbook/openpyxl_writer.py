"""The fallback writer: staged changes applied through openpyxl, into a side copy.

Used only when the part-level writer meets a layout it cannot rewrite
safely (merged cells, comments or array formulas in the rows it would
regenerate). openpyxl may drop parts of a workbook, so this never writes
over the user's file: the caller points it at ``NAME (prodbook).xlsx``
and tells the user why, listing what the copy may lack.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from prodbook.workbook.atomic import saved
from prodbook.workbook.xlsx.package import DAMAGED_ZIP
from prodbook.workbook.xlsxparts import AnyEdit, Formula, SheetRewrite, Value, single_cells


def _put(ws: Worksheet, row: int, col0: int, value: Value) -> None:
    cell = ws.cell(row=row, column=col0 + 1)
    if isinstance(value, Formula):
        cell.value = value.text
        return
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # text stays text, even "=HYPERLINK(...)" from a vendor
    elif hasattr(value, "year") and isinstance(cell, Cell) and not cell.is_date:  # a MergedCell refused the value
        cell.number_format = "yyyy-mm-dd"


def _last_header(ws: Worksheet, header_row: int) -> int:
    """0-based column of the last non-blank header cell (-1: none), as the part writer counts."""
    cells = [c.column for c in ws[header_row] if c.value not in (None, "")] if header_row <= ws.max_row else []
    return max(cells, default=0) - 1


def _rewrite(wb: Workbook, rw: SheetRewrite) -> None:
    if rw.sheet not in wb.sheetnames:
        ws = wb.create_sheet(rw.sheet)
        for c, header in enumerate(rw.create_headers or ()):
            ws.cell(row=1, column=c + 1, value=header)
    ws = wb[rw.sheet]
    width = max(ws.max_column, max(rw.columns, default=-1) + 1)
    old = {r: [ws.cell(row=r, column=c + 1).value for c in range(width)]
           for r in range(rw.header_row + 1, ws.max_row + 1)}
    for merged in [m for m in ws.merged_cells.ranges if m.max_row > rw.header_row]:
        ws.unmerge_cells(str(merged))
    if ws.max_row > rw.header_row:
        ws.delete_rows(rw.header_row + 1, ws.max_row - rw.header_row)
    first_new = rw.append_at if rw.append_at is not None else _last_header(ws, rw.header_row) + 1
    for i, header in enumerate(rw.append_headers):
        ws.cell(row=rw.header_row, column=first_new + i + 1, value=header)  # over its data's column
    sources = rw.source_rows or (None,) * len(rw.rows)
    written = set(rw.columns)
    for i, (values, src) in enumerate(zip(rw.rows, sources)):
        row = rw.header_row + 1 + i
        if src is not None and src in old:
            for c, v in enumerate(old[src]):
                if c not in written and v is not None:
                    ws.cell(row=row, column=c + 1, value=v)
        for c, value in zip(rw.columns, values):
            _put(ws, row, c, value)
    last = rw.header_row + max(len(rw.rows), 1)
    for table in ws.tables.values():
        first, _, end = table.ref.partition(":")
        if first.rstrip("0123456789") and int(first.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) == rw.header_row:
            last_col = get_column_letter(max(ws.max_column, 1))
            table.ref = f"{first}:{last_col}{last}"
            if table.autoFilter is not None:
                table.autoFilter.ref = table.ref


_UNREADABLE: tuple[type[Exception], ...] = (
    KeyError, IndexError, ValueError, TypeError, SyntaxError,  # ParseError is a SyntaxError
    AttributeError,  # a link over a range of cells (openpyxl binds a link to one cell)
    NotImplementedError, RuntimeError, *DAMAGED_ZIP)  # the last ones: its zip
"""What openpyxl's load raises for a file it cannot read."""


class Unreadable(Exception):
    """The file is one openpyxl cannot read either (damaged): the copy way is closed too."""


def write_copy(src: Any, dst: Path, rewrites: Sequence[SheetRewrite], edits: Sequence[AnyEdit], *,
               keep_vba: bool | None = None) -> None:
    """Apply the staged changes with openpyxl, saving to ``dst`` (``src``: a path or an open file)."""
    if keep_vba is None:
        keep_vba = Path(src).suffix.lower() == ".xlsm"
    try:
        wb = openpyxl.load_workbook(src, keep_vba=keep_vba)
    except _UNREADABLE as exc:
        raise Unreadable(f"openpyxl could not read the file ({type(exc).__name__}: {exc})") from exc
    for rw in rewrites:
        _rewrite(wb, rw)
    for e in single_cells(edits):
        _put(wb[e.sheet], e.row, e.column, e.value)
    saved(wb)(dst)  # our own handle: a save that fails lets go of the file
