"""The Tables (Insert > Table) a sheet holds, read from their own parts: where each one's Total row is.

A Table's Total row (Table Design > Total Row) is the last row of the Table's ``ref``; its number is
``totalsRowCount``. It is not data: a reader skips it, and a rewrite keeps it under the rows it writes.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from prodbook.workbook.xlsx.model import UnsupportedLayout
from prodbook.workbook.xlsx.package import _Package
from prodbook.workbook.xlsx.refs import cell_area, col_letter
from prodbook.workbook.xlsx.xmltext import _attr, whole

_TABLE_TAG = re.compile(r"<(?:\w+:)?table\b[^>]*>")


class _Table(NamedTuple):
    """A sheet's Table over the rows prodbook rewrites."""

    part: str
    text: str
    """Its part's XML."""
    r1: int
    c1: int
    """Its first row (the header) and column (0-based)."""
    r2: int
    c2: int
    """Its last row (the Total row, where it has one) and column."""
    totals: int = 0
    """Rows of it that are its Total row: 0 or 1."""
    name: str = ""
    """Its name (Table Design > Table Name), as formulas and pivots give it."""

    @property
    def data_end(self) -> int:
        """Its last data row (the header's row where it has none)."""
        return self.r2 - self.totals


def sheet_rels_parts(pkg: _Package, part: str, rtype_suffix: str) -> list[dict]:
    return [r for r in pkg.rels(part) if r["type"] and r["type"].endswith(rtype_suffix) and r["part"]]


def table_parts(pkg: _Package, part: str) -> list[str]:
    return [r["part"] for r in sheet_rels_parts(pkg, part, "/table") if pkg.exists(r["part"])]


def sheet_tables(pkg: _Package, part: str) -> list[_Table]:
    """Every Table of the sheet whose part names its range."""
    out = []
    for tp in table_parts(pkg, part):
        text = pkg.text(tp)
        tag = _TABLE_TAG.search(text)
        area = cell_area(_attr(tag.group(0), "ref") or "") if tag else None
        if tag is None or area is None:
            continue
        r1, c1, r2, c2 = area
        totals = whole(_attr(tag.group(0), "totalsRowCount") or "0", f"the Total row count of Table part {tp}")
        name = _attr(tag.group(0), "displayName") or _attr(tag.group(0), "name") or ""
        out.append(_Table(tp, text, r1, c1, r2, c2, totals, name))
    return out


def total_rows(pkg: _Package, part: str) -> tuple[int, ...]:
    """The sheet's rows (1-based) that are a Table's Total row."""
    return tuple(sorted(r for t in sheet_tables(pkg, part) if t.totals > 0
                        for r in range(max(t.r2 - t.totals + 1, t.r1 + 1), t.r2 + 1)))


_TABLE_COLUMN = re.compile(r"<(?:\w+:)?tableColumn\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?tableColumn>)", re.S)
_CALCULATED = re.compile(r"<(?:\w+:)?calculatedColumnFormula\b([^>]*)>(.*?)</(?:\w+:)?calculatedColumnFormula>", re.S)


def calculated_columns(table: _Table) -> dict[int, str]:
    """The Table's calculated columns (a formula typed once that Excel fills down the column), by 0-based
    sheet column, each formula as its part holds it (XML-escaped). An array formula's is left out."""
    out = {}
    for i, col in enumerate(_TABLE_COLUMN.finditer(table.text)):
        found = _CALCULATED.search(col.group(1) or "")
        if found and _attr(found.group(1), "array") not in ("1", "true"):
            out[table.c1 + i] = found.group(2)
    return out


def find_table(pkg: _Package, part: str, sheet: str, hr: int) -> _Table | None:
    """The Table over the data (it must start at the header row); None when there is none."""
    table = None
    for found in sheet_tables(pkg, part):
        if found.r2 <= hr:
            continue  # a table above the header: not touched
        if found.r1 != hr or table is not None:
            ref = f"{col_letter(found.c1)}{found.r1}:{col_letter(found.c2)}{found.r2}"
            raise UnsupportedLayout(
                f"sheet '{sheet}' has a Table ({ref}) that does not start at the header row {hr}; "
                "prodbook can only rewrite a sheet whose Table starts at its header row"
            )
        if found.totals > 1 or found.r2 - found.totals < hr:
            raise UnsupportedLayout(f"sheet '{sheet}': its Table's Total row is damaged (Table part {found.part}); "
                                    "turn the Total row off and on again (Table Design), save, then run again")
        table = found
    return table
