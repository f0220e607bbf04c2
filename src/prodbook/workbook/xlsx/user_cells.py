"""What a few cells of the user's own sheet hold besides their value: a formula.

calamine reads a formula cell's last calculated value, so a cell that reads "5" may be ``=Costing!B7``.
prodbook types no value over a formula of the user's (a fix from a vendor file, an undo): the formula
is their work and would be gone (``jobs/apply_job``, ``jobs/undo_job``).
"""

from __future__ import annotations

from collections.abc import Iterable

from prodbook.workbook.xlsx.package import _Package
from prodbook.workbook.xlsx.sheetxml import _F_RE, _cells, _split_sheet
from prodbook.workbook.xlsx.xmltext import _unesc


def formulas_at(pkg: _Package, part: str, sheet: str, cells: Iterable[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """Of ``cells`` (Excel row, 0-based column), those holding a formula, with its text ('=B2*2'; '=' alone
    for a cell sharing another's formula, whose text the file keeps once)."""
    wanted = set(cells)
    if not wanted:
        return {}
    text = pkg.text(part)
    if "<f" not in text and ":f" not in text:  # no formula anywhere: most user sheets
        return {}
    split = _split_sheet(text, sheet, wanted={r for r, _ in wanted})
    out = {}
    for num, _attrs, content, _raw in split.rows:
        for c, _cattrs, inner, _ in _cells(content):
            if (num, c) in wanted and (fm := _F_RE.search(inner)) is not None:
                out[(num, c)] = "=" + _unesc(fm.group(3) or "")
    return out


__all__ = ["formulas_at"]
