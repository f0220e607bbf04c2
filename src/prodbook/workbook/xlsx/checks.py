"""What a sheet rewrite checks before it writes: its arguments and the data area."""

from __future__ import annotations

import re

from prodbook.workbook.xlsx.model import RowsByColumn, SheetRewrite, UnsupportedLayout
from prodbook.workbook.xlsx.notes import cell_of
from prodbook.workbook.xlsx.package import _Package
from prodbook.workbook.xlsx.refs import MAX_ROW, col_letter
from prodbook.workbook.xlsx.sheetxml import _F_RE, _cells, _Sheet
from prodbook.workbook.xlsx.table_parts import sheet_rels_parts
from prodbook.workbook.xlsx.xmltext import _attr


def _check_arguments(rw: SheetRewrite) -> None:
    sheet = rw.sheet
    hr = rw.header_row
    if hr < 1:
        raise ValueError(f"sheet '{sheet}': header_row must be 1 or more")
    ncols = len(rw.columns)
    if len(set(rw.columns)) != ncols:
        raise ValueError(f"sheet '{sheet}': a column is listed twice in columns")
    if isinstance(rw.rows, RowsByColumn):  # every row as wide as the columns given
        if rw.rows.width != ncols and len(rw.rows):
            raise ValueError(f"sheet '{sheet}': rows have {rw.rows.width} values for {ncols} columns")
    else:
        for i, row in enumerate(rw.rows):
            if len(row) != ncols:
                raise ValueError(f"sheet '{sheet}': row {hr + 1 + i} has {len(row)} values for {ncols} columns")
    if rw.source_rows is not None and len(rw.source_rows) != len(rw.rows):
        raise ValueError(f"sheet '{sheet}': source_rows must have one entry per row")
    if hr + len(rw.rows) > MAX_ROW:
        raise ValueError(f"sheet '{sheet}': {len(rw.rows):,} rows do not fit in an Excel sheet")
    if rw.drop_rows < 0 or (rw.drop_rows and (not rw.keep_rows or rw.source_rows is not None or rw.append_headers)):
        raise ValueError(f"sheet '{sheet}': drop_rows goes with keep_rows alone")


_COMMENT_RELS = (
    ("/comments", r'<(?:\w+:)?comment\b[^>]*\sref="([^"]+)"',
     "has a comment (note) in cell {ref}, inside the rows prodbook rewrites; "
     "move the comment above the header row or delete it, then run again"),
    ("/threadedComment", r'\sref="([^"]+)"',
     "has a comment in cell {ref}, inside the rows prodbook rewrites; move or delete it, then run again"),
)
"""Comment parts by relationship type: the pattern of a comment's cell, what to tell the user."""


def _check_comments(pkg: _Package, part: str, sheet: str, header_row: int) -> None:
    for suffix, pattern, message in _COMMENT_RELS:
        for r in sheet_rels_parts(pkg, part, suffix):
            if not pkg.exists(r["part"]):
                continue
            for ref in re.findall(pattern, pkg.text(r["part"])):
                row, _ = cell_of(sheet, "a comment", ref)
                if row > header_row:
                    raise UnsupportedLayout(f"sheet '{sheet}' " + message.format(ref=ref))


_TAIL_REFS = (
    ("mergeCell", "has merged cells {ref} inside the rows prodbook rewrites; unmerge them, then run again"),
    ("hyperlink", "has a hyperlink in cell {ref}, inside the rows prodbook rewrites; "
                  "remove it (or put the link in a HYPERLINK formula), then run again"),
)
"""Elements after sheetData that cannot stand in the rewritten rows, and what to tell the user."""


def _check_data_area(pkg: _Package, part: str, sheet: str, sh: _Sheet, frozen: int, movable: bool = False) -> None:
    """Refuse array formulas, merged cells, hyperlinks and comments below row ``frozen``; with ``movable``
    (the rows are carried), links and comments move with their rows instead (``notes``)."""
    for num, _attrs, content, _raw in sh.rows:
        if num > frozen and ("t=\"array\"" in content or "t=\"dataTable\"" in content or "t='array'" in content):
            for col, _cattrs, inner, _ in _cells(content):
                fm = _F_RE.search(inner)
                if fm and (_attr(fm.group(2), "t") in ("array", "dataTable")):
                    raise UnsupportedLayout(
                        f"sheet '{sheet}' has an array or spill formula in cell {col_letter(col)}{num}, inside the "
                        "rows prodbook rewrites; move it out of the table area, then run again"
                    )
    check_tail_refs(sheet, sh.tail, frozen, skip=("hyperlink",) if movable else ())
    if not movable:
        _check_comments(pkg, part, sheet, frozen)


def check_tail_refs(sheet: str, tail: str, frozen: int, skip: tuple[str, ...] = ()) -> None:
    """Refuse merged cells and hyperlinks (after the rows, in ``tail``) below row ``frozen``."""
    for tag, message in _TAIL_REFS:
        if tag in skip:
            continue
        for m in re.finditer(rf'<(?:\w+:)?{tag}\b[^>]*\sref="([^"]+)"', tail):
            ref = m.group(1)
            rows_ = [int(x) for x in re.findall(r"\d+", ref)]
            if max(rows_) > frozen:
                raise UnsupportedLayout(f"sheet '{sheet}' " + message.format(ref=ref))
