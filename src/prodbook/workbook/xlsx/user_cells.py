"""What a few cells of a sheet hold besides their value: a formula, a cell style.

calamine reads a formula cell's last calculated value, so a cell that reads "5" may be ``=Costing!B7``, and
a T&A Actual that reads blank may be a lookup of the team's. prodbook types no value over a formula of the
user's (a fix from a vendor file, an undo, a lab dip's approval date): the formula is their work and would
be gone (``jobs/apply_job``, ``jobs/undo_job``, ``jobs/ta_job``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from prodbook.workbook.xlsx.edits import _part_texts, _row_regions, _sheet_data_start, _WholePart
from prodbook.workbook.xlsx.package import STREAM_CHUNK, _Package
from prodbook.workbook.xlsx.refs import cell_area, translate_formula
from prodbook.workbook.xlsx.sheetxml import _F_RE, _cells, numbered_rows
from prodbook.workbook.xlsx.xmltext import _attr, _unesc


def formulas_at(pkg: _Package, part: str, sheet: str, cells: Iterable[tuple[int, int]] | None
                ) -> dict[tuple[int, int], str]:
    """Of ``cells`` (Excel row, 0-based column; None: every cell), those holding a formula, with its text
    ('=B2*2'). A cell sharing another's formula (Excel's fill down keeps its text once, in the first cell) gets
    its own, moved from that first cell's, which comes before it in the sheet; '=' alone when that cell is
    not there (a damaged file). A cell of the sheet inside an array formula's range (``{=...}`` entered with
    Ctrl+Shift+Enter, or a dynamic array's spill) holds that formula too: Excel fills it from the formula, whose
    text is in the range's first cell alone. The sheet is read a block at a time and only the wanted rows
    parsed (and the first cells of shared and array formulas, found by one search of a region that holds one;
    the rows an array formula's range reaches): a T&A of a million rows is not held whole for three cells."""
    masters: dict[str, tuple[str, tuple[int, int]]] = {}
    arrays: list[tuple[tuple[int, int, int, int], str]] = []  # ranges of more than one cell, and their formula
    reach = passed = 0  # the last row an array formula's range reaches; the last row of the regions read

    def held(region: str) -> bool:
        nonlocal reach, passed
        found = "<f" in region or ":f" in region
        if found and "shared" in region:
            _shared_masters(region, masters)
        if found and "array" in region:
            for area, text in _array_formulas(region):
                arrays.append((area, text))
                reach = max(reach, area[2])
        into = reach > passed  # a range reaches this region's rows: its cells are the formula's
        if reach:
            passed = _last_row(region) or passed
        return found or into

    out: dict[tuple[int, int], str] = {}
    row = 0
    for at, _attrs, inner in _cells_at(pkg, part, sheet, cells, held):
        fm = _F_RE.search(inner)
        if fm is None:
            if arrays:
                if at[0] != row:  # cells come in row order: the ranges that end above this row are done with
                    row = at[0]
                    arrays[:] = [a for a in arrays if a[0][2] >= row]
                text = next((t for (r1, c1, r2, c2), t in arrays if r1 <= at[0] <= r2 and c1 <= at[1] <= c2), None)
                if text is not None:
                    out[at] = text
            continue
        text = _unesc(fm.group(3) or "")
        if not text and _attr(fm.group(2), "t") == "shared" and (master := masters.get(_attr(fm.group(2), "si") or "")):
            text = translate_formula(master[0], master[1], at)
        out[at] = "=" + text
    return out


_SHARED_MASTER = re.compile(r"<(?:\w+:)?f\b([^>]*\bt=[\"']shared[\"'][^>]*)>([^<]+)</(?:\w+:)?f>")


def _shared_masters(region: str, into: dict[str, tuple[str, tuple[int, int]]]) -> None:
    """The region's shared formulas' first cells, by their ``si``: (text, (row, column)), the cell being the
    first of the formula's ``ref`` range."""
    for m in _SHARED_MASTER.finditer(region):
        si, ref = _attr(m.group(1), "si"), _attr(m.group(1), "ref")
        area = cell_area(ref) if ref else None
        if si is not None and area is not None:
            into[si] = (_unesc(m.group(2)), (area[0], area[1]))


_ARRAY = re.compile(r"<(?:\w+:)?f\b([^>]*\bt=[\"']array[\"'][^>]*?)(?:/>|>([^<]*)</(?:\w+:)?f>)")


def _array_formulas(region: str) -> Iterator[tuple[tuple[int, int, int, int], str]]:
    """The region's array formulas over more than one cell: (their range, as ``cell_area`` gives it; the
    formula's text, '=' alone when the file lost it)."""
    for m in _ARRAY.finditer(region):
        ref = _attr(m.group(1), "ref")
        area = cell_area(ref) if ref else None
        if area is not None and area[:2] != area[2:]:
            yield area, "=" + _unesc(m.group(2) or "")


def styles_at(pkg: _Package, part: str, sheet: str, cells: Iterable[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """Of ``cells`` (Excel row, 0-based column), those with a cell style other than the first, with its
    index (cellXfs): how a cell shows its number (``cells.shown_digits``)."""
    return {at: int(sm.group(1)) for at, attrs, _inner in _cells_at(pkg, part, sheet, cells, lambda region: True)
            if (sm := _STYLE.search(attrs)) is not None and sm.group(1) != "0"}


_STYLE = re.compile(r'\bs="(\d+)"')


def _cells_at(pkg: _Package, part: str, sheet: str, cells: Iterable[tuple[int, int]] | None,
              held: Callable[[str], bool]) -> Iterator[tuple[tuple[int, int], str, str]]:
    """The wanted cells (None: every cell) of the sheet's regions that may hold what is asked (``held``), as
    ((row, column), attributes, inner XML); a region that cannot is passed over without its rows parsed."""
    wanted = set(cells) if cells is not None else None
    rows = {r for r, _ in wanted} if wanted is not None else None
    if wanted is not None and not wanted:
        return
    texts = _part_texts(pkg, part, f"Reading '{sheet}'", STREAM_CHUNK, None)
    found = _sheet_data_start(texts)
    if found is None:
        return
    m, buf = found
    prev = 0
    try:
        for region, _after in _row_regions(texts, buf[m.end():], m.group(1)):
            if not held(region) and (last := _last_row(region)) is not None:
                prev = last
                if rows is not None and prev >= max(rows):
                    break
                continue
            for num, rm in numbered_rows(region, prev):
                prev = num
                if rows is None or num in rows:
                    for c, attrs, inner, _ in _cells(rm.group(2) or ""):
                        if wanted is None or (num, c) in wanted:
                            yield (num, c), attrs, inner
            if rows is not None and prev >= max(rows):
                break
    except _WholePart:  # rows that never end: the file's damage, said by the read that needs it
        return


_ROW_NUMBER = re.compile(r'<(?:\w+:)?row\b[^>]*?\sr="(\d+)"')


def _last_row(region: str) -> int | None:
    """The number of a region's last row, when its tag says it (None: count the rows): a region without a
    formula is passed over without its rows being parsed (an undo asks a whole T&A's Notes)."""
    at = max(region.rfind("<row"), region.rfind(":row"))
    if at < 0:
        return None
    m = _ROW_NUMBER.match(region, region.rfind("<", 0, at + 1))
    return int(m.group(1)) if m else None


__all__ = ["formulas_at", "styles_at"]
