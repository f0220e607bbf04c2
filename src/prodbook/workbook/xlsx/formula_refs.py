"""Formulas on the team's other sheets over a sheet prodbook rewrote: a range that ran to its last data row
runs to the new one.

A dashboard's ``=COUNTIFS('T&A'!$K$2:$K$3357,"Overdue")``, made by selecting the T&A's column, means the whole
column. After a rebuild that adds rows it would count the old rows only, beside a chart and a pivot of the same
column that take in the new ones (``charts``, ``pivots``). The rule is the one the sheet's filter, formats and
defined names follow (``refs._adjust_range``): only a range from the first data row (or the header) to the old
last data row moves.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from prodbook.workbook.xlsx.book import _Book, adjust_refs_in, adjust_sheet_refs
from prodbook.workbook.xlsx.package import _Package, holds
from prodbook.workbook.xlsx.refs import adjust_areas
from prodbook.workbook.xlsx.xmltext import F_TEXT, _esc, _unesc


def grow_formula_ranges(pkg: _Package, book: _Book, sheet: str, rows: tuple[int, set[int], int],
                        skip: Collection[str]) -> None:
    """Each formula on the other sheets (not ``skip``, the parts this write rewrites) with a range on ``sheet``
    that ran to its old last data row runs to the new one (``rows``: header row, old last data rows, new
    last data row). A sheet is read whole only when a streamed look finds the sheet's name in it."""
    if not rows[1] or rows[2] in rows[1]:
        return  # the last data row stays where it was: no range moves
    named = re.compile(re.escape(_esc(sheet).encode().lower()) + rb"'?!")  # matched case-blind (fold)
    for _name, _rid, part in book.sheets:
        if not part or part in skip or not pkg.exists(part) or part in pkg.changed:
            continue
        if holds(pkg.blocks(part), named, reach=256, hint=b"!", fold=True):
            adjust_refs_in(pkg, part, F_TEXT, sheet, rows)


def grow_own_ranges(row_xml: str, sheet: str, rows: tuple[int, set[int], int]) -> str:
    """A row of the sheet itself outside its data (a title above the header such as ="Open: "&COUNTIF(K3:K500,
    "<>Done"), a Table's Total row below) with its formulas' ranges over the data run to the new last data
    row, the sheet named or not."""
    def fix(m: re.Match[str]) -> str:
        formula = _unesc(m.group(2))
        new = adjust_areas(adjust_sheet_refs(formula, sheet, rows), *rows)
        return m.group(0) if new == formula else m.group(1) + _esc(new) + m.group(3)

    return F_TEXT.sub(fix, row_xml)
