"""The records the xlsx writer passes around: the write vocabulary (``workbook.backend``) and what it reads."""

from __future__ import annotations

from dataclasses import dataclass, field

from prodbook.core.cells import Formula, Value
from prodbook.workbook.backend import (
    AnyEdit,
    CellEdit,
    ColumnEdit,
    RowsByColumn,
    SheetRewrite,
    UnsafeContent,
    UnsupportedLayout,
    single_cells,
)


@dataclass(frozen=True)
class WorkbookInfo:
    sheets: tuple[str, ...]
    date1904: bool
    has_vba: bool
    sheet_parts: dict[str, str]
    structure_locked: bool = False
    """Review > Protect Workbook (Structure): no sheet may be added."""
    workbook_part: str = "xl/workbook.xml"
    modify_password: bool = False
    """Save As > Tools > General Options, Password to modify: Excel opens it read-only without it."""
    marked_final: bool = False
    """File > Info > Protect Workbook > Mark as Final: Excel opens it read-only."""
    names: dict[str, str] = field(default_factory=dict)
    """The workbook's own defined names (not a sheet's), each with its text: what it refers to, no '='."""


__all__ = ["AnyEdit", "CellEdit", "ColumnEdit", "Formula", "RowsByColumn", "SheetRewrite", "UnsafeContent",
           "UnsupportedLayout", "Value", "WorkbookInfo", "single_cells"]
