"""Editing single cells of a sheet in place."""

from __future__ import annotations

import re

from prodbook.workbook.xlsx.book import _Book
from prodbook.workbook.xlsx.model import CellEdit, UnsupportedLayout
from prodbook.workbook.xlsx.package import _Package
from prodbook.workbook.xlsx.refs import MAX_COL, MAX_ROW, _parse_cell, col_letter
from prodbook.workbook.xlsx.sheetxml import (
    _F_RE,
    _HAS_F,
    _R_ATTR,
    _SPANS_ATTR,
    _cells,
    _rows_by_number,
    _with_ref,
)
from prodbook.workbook.xlsx.styles import _Styles
from prodbook.workbook.xlsx.values import _ValueWriter
from prodbook.workbook.xlsx.xmltext import _attr


def _apply_cell_edits(pkg: _Package, book: _Book, styles: _Styles, part: str, sheet: str, edits: list[CellEdit]) -> bool:
    text = pkg.text(part)
    sh = _rows_by_number(text, sheet, sorted({e.row for e in edits}))
    p = sh.prefix
    vw = _ValueWriter(styles, book.date1904, sheet, p)
    by_row: dict[int, list[CellEdit]] = {}
    for e in edits:
        if not (1 <= e.row <= MAX_ROW and 0 <= e.column < MAX_COL):
            raise ValueError(f"sheet '{sheet}': cell row {e.row} column {e.column} is outside a sheet")
        by_row.setdefault(e.row, []).append(e)
    rows = list(sh.rows)
    index = {r[0]: i for i, r in enumerate(rows) if r[0] >= 0}
    had_formula = False
    for rn, es in sorted(by_row.items()):
        if rn in index:
            num, attrs, content, raw = rows[index[rn]]
        else:
            num, attrs, content, raw = rn, f' r="{rn}"', "", ""
        row_style = _attr(attrs, "s") if _attr(attrs, "customFormat") in ("1", "true") else None
        cells = {c: (ca, inner, rawc) for c, ca, inner, rawc in _cells(content)}
        for e in es:
            ref = f"{col_letter(e.column)}{rn}"
            old = cells.get(e.column)
            s = 0
            if old is not None:
                sv = _attr(old[0], "s")
                s = int(sv) if sv else 0
                if _HAS_F.search(old[1]):
                    fm = _F_RE.search(old[1])
                    if fm and _attr(fm.group(2), "t") in ("shared", "array", "dataTable"):
                        raise UnsupportedLayout(
                            f"sheet '{sheet}' cell {ref} is part of a shared or array formula; prodbook will not overwrite it"
                        )
                    had_formula = True
            elif row_style:
                s = int(row_style)
            x = vw.cell(ref, e.value, s, rn, e.column)
            if x is None:
                x = f'<{p}c r="{ref}"/>'
            cells[e.column] = ("", "", x)
        # cells without r after an edited one would get a wrong position: give all cells r
        parts = []
        for c in sorted(cells):
            ca, inner, rawc = cells[c]
            if ca == "" and inner == "" and rawc.startswith("<"):
                parts.append(rawc)
            else:
                parts.append(f"<{p}c{_with_ref(ca, col_letter(c) + str(rn))}" + (f">{inner}</{p}c>" if inner else "/>"))
        a2 = _SPANS_ATTR.sub("", attrs)
        if not _R_ATTR.search(a2):
            a2 = f' r="{rn}"' + a2
        new_raw = f"<{p}row{a2}>" + "".join(parts) + f"</{p}row>"
        entry = (rn, a2, "", new_raw)
        if rn in index:
            rows[index[rn]] = entry
        else:
            rows.append(entry)
            rows.sort(key=lambda r: r[0])
            index = {r[0]: i for i, r in enumerate(rows) if r[0] >= 0}
    # rows without r after an inserted row would move: give every row its r
    out = []
    for num, attrs, content, raw in rows:
        if num < 0:  # a verbatim chunk of untouched rows
            out.append(raw)
            continue
        if not _R_ATTR.search(attrs):
            raw = re.sub(r"^<((?:\w+:)?)row\b", lambda m: f'<{m.group(1)}row r="{num}"', raw, count=1)
        out.append(raw)
    head = sh.head
    dm = re.search(r'(<(?:\w+:)?dimension\b[^>]*\sref=")([^"]*)(")', head)
    if dm:
        try:
            a, _, b = dm.group(2).partition(":")
            r1, c1 = _parse_cell(a)
            r2, c2 = _parse_cell(b or a)
            for e in edits:
                r1, r2 = min(r1, e.row), max(r2, e.row)
                c1, c2 = min(c1, e.column), max(c2, e.column)
            head = head[: dm.start()] + dm.group(1) + f"{col_letter(c1)}{r1}:{col_letter(c2)}{r2}" + dm.group(3) + head[dm.end():]
        except ValueError:
            pass
    pkg.set_text(part, head + sh.sd_open + "".join(out) + sh.sd_close + sh.tail)
    return had_formula or vw.wrote_formula
