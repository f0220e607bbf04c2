"""What a rewrite writes for the sheet's Table around the rows it writes, as Excel does when a Table grows or
shrinks: a new row's cells in the columns prodbook does not write (a calculated column's formula, the first
data row's format, an open cell on a protected sheet), and the Total row moved under the last data row.
"""

from __future__ import annotations

import re

from prodbook.workbook.xlsx.formula_refs import grow_own_ranges
from prodbook.workbook.xlsx.protection import sheet_protection
from prodbook.workbook.xlsx.refs import col_letter, translate_formula
from prodbook.workbook.xlsx.styles import _Styles
from prodbook.workbook.xlsx.table_parts import _Table, calculated_columns
from prodbook.workbook.xlsx.xmltext import _attr, _esc, _unesc, whole

ROW_OR_CELL_REF = re.compile(r'(<(?:\w+:)?(?:row|c)\b[^>]*?\sr\s*=\s*"\$?[A-Za-z]*)(\d+)"')
"""A row's or a cell's ``r``: its prefix (the letters), and the row number."""


NewCell = tuple[int | None, str | None]
"""A cell a new row gets in a column prodbook does not write: its style, its formula (as the XML holds it)."""


def new_row_cells(tail: str, styles: _Styles, first_cells: dict[int, str], columns: tuple[int, ...],
                   table: _Table | None, appending: bool) -> dict[int, NewCell] | None:
    """The cells a new row gets in the columns prodbook does not write, as Excel gives a row it adds to a
    Table: under a calculated column (Days Late = [@Forecast] - [@Planned], typed once and filled by
    Excel) its formula; in a column of the Table the first data row's format (a team's yellow input column,
    its date format); on a protected sheet a blank cell where the column is open (``_open_cells``)."""
    out: dict[int, NewCell] = {}
    opened = None if appending else _open_cells(tail, styles, first_cells, columns)
    for c, st in (opened or {}).items():
        out[c] = (st, None)
    if table is None:
        return out or None
    written = set(columns)
    calculated = calculated_columns(table)
    for c in range(table.c1, table.c2 + 1):
        s = _attr(first_cells[c], "s") if c in first_cells else None
        style = whole(s, "a cell's style") if s else None
        if c in written or (c not in calculated and (c in out or not style)):
            continue
        out[c] = (style, calculated.get(c))
    return out or None


def new_cell(p: str, c: int, rs: str, rn: int, first: int, style: int | None, formula: str | None) -> str:
    """A new row's cell (``NewCell``); a calculated column's formula in A1 references moved from the first
    data row to this one (structured references, [@Forecast], are the same in every row)."""
    s = f' s="{style}"' if style else ""
    if formula is not None and "[" not in formula and rn != first:
        try:
            formula = _esc(translate_formula(_unesc(formula), (first, c), (rn, c)))
        except ValueError:  # a reference that would leave the sheet: the cell is left blank
            formula = None
    if formula is None:
        return f'<{p}c r="{col_letter(c)}{rs}"{s}/>'
    return f'<{p}c r="{col_letter(c)}{rs}"{s}><{p}f>{formula}</{p}f></{p}c>'


def _open_cells(tail: str, styles: _Styles, first_cells: dict[int, str], columns: tuple[int, ...]
                ) -> dict[int, int] | None:
    """On a protected sheet, the columns prodbook does not write whose first data cell is unlocked (the
    Actual and Notes columns a team opens for typing on a protected T&A), with that cell's style: a new row
    gets a blank cell so styled, as a row Excel adds to a Table takes the formats of the row above, so the
    team can type into it. None on a sheet not protected (nothing added: the file stays as before)."""
    if not first_cells or sheet_protection(tail) is None:
        return None
    written = set(columns)
    out = {}
    for c, attrs in first_cells.items():
        s = _attr(attrs, "s")
        if c not in written and s and styles.unlocked(whole(s, "a cell's style")):
            out[c] = int(s)
    return out or None


_SHARED_REF = re.compile(r'(<(?:\w+:)?f\b[^>]*?\sref=")([A-Za-z]+)(\d+)(?::([A-Za-z]+)(\d+))?(")')


def moved_total_row(raw: str, old: int, new: int, sheet: str, rows: tuple[int, set[int], int]) -> str:
    """A Table's Total row moved from row ``old`` to ``new``, under the data written: its number and its
    cells', and in its formulas a range over the data (SUM(E2:E90)) run to the new last data row (``rows``:
    header row, old last data rows, new last data row), as Excel grows it when rows go in. Structured
    references (SUBTOTAL(109,Orders[Qty]), what Excel writes there) need nothing."""
    text = ROW_OR_CELL_REF.sub(lambda m: f'{m.group(1)}{new}"' if int(m.group(2)) == old else m.group(0), raw)
    text = _SHARED_REF.sub(lambda m: f"{m.group(1)}{m.group(2)}{new}" + (f":{m.group(4)}{new}" if m.group(4) else "")
                           + m.group(6), text)
    return grow_own_ranges(text, sheet, rows)
