"""What a sheet rewrite checks before it writes: its arguments, the data area, the sheet's Table."""

from __future__ import annotations

import re

from prodbook.workbook.xlsx.model import RowsByColumn, SheetRewrite, UnsupportedLayout
from prodbook.workbook.xlsx.notes import cell_of
from prodbook.workbook.xlsx.package import _Package
from prodbook.workbook.xlsx.refs import MAX_ROW, _parse_cell, col_letter
from prodbook.workbook.xlsx.sheetxml import _F_RE, _cells, _Sheet
from prodbook.workbook.xlsx.xmltext import _attr

_Table = tuple[str, str, int, int, int, int]
"""A sheet's Table: (part, its XML, start row, start col0, end row, end col0)."""


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


def _sheet_rels_parts(pkg: _Package, part: str, rtype_suffix: str) -> list[dict]:
    return [r for r in pkg.rels(part) if r["type"] and r["type"].endswith(rtype_suffix) and r["part"]]


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
        for r in _sheet_rels_parts(pkg, part, suffix):
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


def _table_parts(pkg: _Package, part: str) -> list[str]:
    return [r["part"] for r in _sheet_rels_parts(pkg, part, "/table") if pkg.exists(r["part"])]


def _find_table(pkg: _Package, part: str, sheet: str, hr: int) -> _Table | None:
    """The Table over the data (it must start at the header row); None when there is none."""
    table = None
    for tp in _table_parts(pkg, part):
        ttext = pkg.text(tp)
        tm = re.search(r"<(?:\w+:)?table\b[^>]*>", ttext)
        if not tm:
            continue
        ref = _attr(tm.group(0), "ref")
        if not ref or ":" not in ref:
            continue
        (r1, c1), (r2, c2) = (_parse_cell(x) for x in ref.split(":"))
        if r2 <= hr:
            continue  # a table above the header: not touched
        if r1 != hr or table is not None:
            raise UnsupportedLayout(
                f"sheet '{sheet}' has a Table ({ref}) that does not start at the header row {hr}; "
                "prodbook can only rewrite a sheet whose Table starts at its header row"
            )
        trc = _attr(tm.group(0), "totalsRowCount")
        if trc and trc != "0":
            raise UnsupportedLayout(
                f"sheet '{sheet}': its Table has a Total row; turn off the Total row (Table Design), then run again"
            )
        table = (tp, ttext, r1, c1, r2, c2)
    return table
