"""Protected sheets and workbooks, as the file says: which cells a person could type into, and whether a
sheet may be added.

Review > Protect Sheet locks every cell whose style is locked (every style, unless Format Cells >
Protection unlocks it: the columns a team types into); Allow Edit Ranges open more. Review > Protect
Workbook (structure) stops sheets being added, renamed or moved. Excel keeps both in the file as flags
and a password's hash: nothing stops a program writing past them, so prodbook reads them and keeps to
them (``Tracker.locked``; the structure's flag is read with the sheet list, ``book._read_book``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from prodbook.workbook.backend import SheetProtection
from prodbook.workbook.xlsx.package import _Package
from prodbook.workbook.xlsx.refs import cell_area
from prodbook.workbook.xlsx.sheetxml import _cells, _split_sheet, column_styles
from prodbook.workbook.xlsx.styles import _Styles
from prodbook.workbook.xlsx.xmltext import _attr, flag, whole

_PASSWORD_ATTRS = ("password", "hashValue", "algorithmName")
_SHEET_PROTECTION = re.compile(r"<(?:\w+:)?sheetProtection\b([^>]*?)/?>")
_PROTECTED_RANGE = re.compile(r"<(?:\w+:)?protectedRange\b([^>]*?)/?>")


def _has_password(attrs: str) -> bool:
    return any(_attr(attrs, a) for a in _PASSWORD_ATTRS)


def sheet_protection(sheet_xml: str) -> SheetProtection | None:
    """The sheet's protection; None when it is not protected (a ``sheetProtection`` element whose
    ``sheet`` flag is off protects nothing: the file format's default)."""
    m = _SHEET_PROTECTION.search(sheet_xml)
    if m is None or not flag(m.group(1), "sheet"):
        return None
    return SheetProtection(password=_has_password(m.group(1)))


def _open_ranges(sheet_xml: str) -> list[tuple[int, int, int, int]]:
    """Allow Edit Ranges that anyone may edit (no password of their own)."""
    out = []
    for m in _PROTECTED_RANGE.finditer(sheet_xml):
        if _has_password(m.group(1)):
            continue
        for ref in (_attr(m.group(1), "sqref") or "").split():
            if (area := cell_area(ref)) is not None:
                out.append(area)
    return out


def locked_cells(pkg: _Package, wb_part: str, part: str, sheet: str,
                 cells: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
    """Of ``cells`` (Excel row, 0-based column), those nobody could type into without unprotecting the sheet;
    none when the sheet is not protected.

    A cell's style is its own, or where the row has no such cell, the row's style (when the row says it
    has one) or the column's: the order Excel formats a cell typed there.
    """
    wanted = sorted(set(cells))
    text = pkg.text(part)
    if not wanted or sheet_protection(text) is None:
        return set()
    styles = _Styles(pkg, wb_part)
    split = _split_sheet(text, sheet, wanted={r for r, _ in wanted})
    columns = column_styles(split.head)
    rows = {num: (attrs, dict((c, a) for c, a, _, _ in _cells(content))) for num, attrs, content, _ in split.rows}
    opened = _open_ranges(split.tail)
    out = set()
    for r, c in wanted:
        if any(r1 <= r <= r2 and c1 <= c <= c2 for r1, c1, r2, c2 in opened):
            continue
        row_attrs, row_cells = rows.get(r, ("", {}))
        if c in row_cells:
            s = _attr(row_cells[c], "s")
        elif flag(row_attrs, "customFormat"):
            s = _attr(row_attrs, "s")
        else:
            s = next((str(st) for lo, hi, st in columns if lo <= c <= hi), None)
        if not styles.unlocked(whole(s, "a cell's style") if s else 0):
            out.add((r, c))
    return out


__all__ = ["locked_cells", "sheet_protection"]
