"""Part-level reading and writing of .xlsx/.xlsm files: the names callers import.

The code lives in the package ``prodbook.workbook.xlsx`` (see its docstring for
the modules); this module keeps the public names importable from here.
"""

from prodbook.workbook.xlsx.book import workbook_info
from prodbook.workbook.xlsx.by_place import MovedLink
from prodbook.workbook.xlsx.drops import parts_openpyxl_would_drop
from prodbook.workbook.xlsx.model import (
    AnyEdit,
    CellEdit,
    ColumnEdit,
    Formula,
    SheetRewrite,
    UnsafeContent,
    UnsupportedLayout,
    Value,
    WorkbookInfo,
    single_cells,
)
from prodbook.workbook.xlsx.package import (
    CT_TABLE,
    CT_WORKSHEET,
    NS_MAIN,
    NS_PKG_REL,
    NS_R,
    REWRITE_COMPRESSLEVEL,
    RT_BASE,
    RT_CALCCHAIN,
    RT_COMMENTS,
    RT_DRAWING,
    RT_OFFICE_DOC,
    RT_STYLES,
    RT_TABLE,
    RT_WORKSHEET,
    Progress,
    doctype_parts,
)
from prodbook.workbook.xlsx.refs import (
    MAX_COL,
    MAX_ROW,
    col_index,
    col_letter,
    translate_formula,
)
from prodbook.workbook.xlsx.sheetxml import merged_ranges, sheet_head
from prodbook.workbook.xlsx.values import MAX_TEXT, excel_serial
from prodbook.workbook.xlsx.writer import rewrite_sheets

__all__ = [
    "CT_TABLE",
    "CT_WORKSHEET",
    "MAX_COL",
    "MAX_ROW",
    "MAX_TEXT",
    "NS_MAIN",
    "NS_PKG_REL",
    "NS_R",
    "REWRITE_COMPRESSLEVEL",
    "Progress",
    "RT_BASE",
    "RT_CALCCHAIN",
    "RT_COMMENTS",
    "RT_DRAWING",
    "RT_OFFICE_DOC",
    "RT_STYLES",
    "RT_TABLE",
    "RT_WORKSHEET",
    "AnyEdit",
    "CellEdit",
    "ColumnEdit",
    "Formula",
    "MovedLink",
    "SheetRewrite",
    "UnsafeContent",
    "UnsupportedLayout",
    "Value",
    "WorkbookInfo",
    "single_cells",
    "col_index",
    "doctype_parts",
    "col_letter",
    "excel_serial",
    "merged_ranges",
    "parts_openpyxl_would_drop",
    "rewrite_sheets",
    "sheet_head",
    "translate_formula",
    "workbook_info",
]
