"""The records the xlsx writer passes around: the write vocabulary (``workbook.backend``) and what it reads."""

from __future__ import annotations

from dataclasses import dataclass

from prodbook.core.cells import Formula, Value
from prodbook.workbook.backend import CellEdit, SheetRewrite, UnsafeContent, UnsupportedLayout


@dataclass(frozen=True)
class WorkbookInfo:
    sheets: tuple[str, ...]
    date1904: bool
    has_vba: bool
    sheet_parts: dict[str, str]


__all__ = ["CellEdit", "Formula", "SheetRewrite", "UnsafeContent", "UnsupportedLayout", "Value",
           "WorkbookInfo"]
