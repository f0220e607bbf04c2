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
from prodbook.workbook.xlsx.refs import cell_area, col_index, translate_formula
from prodbook.workbook.xlsx.sheetxml import _F_RE, _HAS_F, _LETTERS_CACHE, _cells, numbered_rows
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

    def held(region: str) -> int:
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
        return _EVERY_CELL if into else _FORMULA_CELLS if found else _SKIP

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
_SHARED_MASTER_PLAIN = re.compile(r"<f(\s[^>]*\bt=[\"']shared[\"'][^>]*)>([^<]+)</f>")
"""``_SHARED_MASTER`` where no formula has a prefix (no ':f'): its literal start makes it a search for '<f', not
a try at every '<' (1.2 s over a T&A of 220,000 shared-formula cells, profiled)."""


def _shared_masters(region: str, into: dict[str, tuple[str, tuple[int, int]]]) -> None:
    """The region's shared formulas' first cells, by their ``si``: (text, (row, column)), the cell being the
    first of the formula's ``ref`` range."""
    for m in (_SHARED_MASTER if ":f" in region else _SHARED_MASTER_PLAIN).finditer(region):
        si, ref = _attr(m.group(1), "si"), _attr(m.group(1), "ref")
        area = cell_area(ref) if ref else None
        if si is not None and area is not None:
            into[si] = (_unesc(m.group(2)), (area[0], area[1]))


_ARRAY = re.compile(r"<(?:\w+:)?f\b([^>]*\bt=[\"']array[\"'][^>]*?)(?:/>|>([^<]*)</(?:\w+:)?f>)")
_ARRAY_PLAIN = re.compile(r"<f(\s[^>]*\bt=[\"']array[\"'][^>]*?)(?:/>|>([^<]*)</f>)")


def _array_formulas(region: str) -> Iterator[tuple[tuple[int, int, int, int], str]]:
    """The region's array formulas over more than one cell: (their range, as ``cell_area`` gives it; the
    formula's text, '=' alone when the file lost it)."""
    for m in (_ARRAY if ":f" in region else _ARRAY_PLAIN).finditer(region):
        ref = _attr(m.group(1), "ref")
        area = cell_area(ref) if ref else None
        if area is not None and area[:2] != area[2:]:
            yield area, "=" + _unesc(m.group(2) or "")


def styles_at(pkg: _Package, part: str, sheet: str, cells: Iterable[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """Of ``cells`` (Excel row, 0-based column), those with a cell style other than the first, with its
    index (cellXfs): how a cell shows its number (``cells.shown_digits``)."""
    return {at: int(sm.group(1)) for at, attrs, _inner in _cells_at(pkg, part, sheet, cells, lambda region: _EVERY_CELL)
            if (sm := _STYLE.search(attrs)) is not None and sm.group(1) != "0"}


_STYLE = re.compile(r'\bs="(\d+)"')


_SKIP, _FORMULA_CELLS, _EVERY_CELL = 0, 1, 2
"""What ``_cells_at`` reads of a region of rows: nothing (it holds none of what is asked), the cells holding a
formula, every wanted cell."""


def _cells_at(pkg: _Package, part: str, sheet: str, cells: Iterable[tuple[int, int]] | None,
              held: Callable[[str], int]) -> Iterator[tuple[tuple[int, int], str, str]]:
    """The wanted cells (None: every cell) of the sheet's regions that may hold what is asked (``held``), as
    ((row, column), attributes, inner XML); a region that cannot is passed over without its rows parsed. Of a
    region said ``_FORMULA_CELLS``, only the cells holding a formula come, with no attributes and their formula
    element for inner XML (``_formula_cells``)."""
    wanted = set(cells) if cells is not None else None
    rows = {r for r, _ in wanted} if wanted is not None else None
    if wanted is not None and not wanted:
        return
    last_wanted = max(rows) if rows is not None else 0  # once: a T&A's 220,000 rows took 5 ms a region
    texts = _part_texts(pkg, part, f"Reading '{sheet}'", STREAM_CHUNK, None)
    found = _sheet_data_start(texts)
    if found is None:
        return
    m, buf = found
    prev = 0
    try:
        for region, _after in _row_regions(texts, buf[m.end():], m.group(1)):
            mode = held(region)
            if mode != _EVERY_CELL and (last := _last_row(region)) is not None:
                formulas = _formula_cells(region, m.group(1), wanted) if mode == _FORMULA_CELLS else []
                if formulas is not None:
                    yield from ((at, "", f) for at, f in formulas)
                    prev = last
                    if rows is not None and prev >= last_wanted:
                        break
                    continue
            for num, rm in numbered_rows(region, prev):
                prev = num
                if rows is None or num in rows:
                    for c, attrs, inner, _ in _cells(rm.group(2) or ""):
                        if wanted is None or (num, c) in wanted:
                            yield (num, c), attrs, inner
            if rows is not None and prev >= last_wanted:
                break
    except _WholePart:  # rows that never end: the file's damage, said by the read that needs it
        return


_F_TAG = re.compile(r"<f[\s>/]")
"""A formula element as Excel writes it: found at the speed of a search for '<f' (``_HAS_F``, which also takes
'<x:f', tries every '<': seven times slower)."""
_CELL_OPEN = re.compile(r'<(?:\w+:)?c\s[^>]*?(?<=\s)r\s*=\s*"([A-Za-z]{1,3})(\d+)"[^>]*(?<!/)>\s*\Z')


def _formula_cells(region: str, prefix: str, wanted: set[tuple[int, int]] | None
                   ) -> list[tuple[tuple[int, int], str]] | None:
    """Each wanted cell (None: every cell) of a region of rows that holds a formula, as ((row, column), its
    formula element), found from the formulas alone: a T&A whose every row holds the team's formula in another
    column is not parsed cell by cell for its Actual column (8 s at 10,000 PO lines). None where a formula's
    cell is not as Excel writes it (no r naming it, the formula not its first child, its row numbered
    otherwise): the region's rows are parsed then."""
    out = []
    row_tag = f"<{prefix}row"
    for fm in (_HAS_F if ":f" in region else _F_TAG).finditer(region):
        at = fm.start()
        lt = region.rfind("<", 0, at)
        cm = _CELL_OPEN.match(region, lt, at) if lt >= 0 else None
        rt = region.rfind(row_tag, 0, lt) if cm is not None else -1
        rm = _ROW_NUMBER.match(region, rt) if rt >= 0 else None
        if cm is None or rm is None or rm.group(1) != cm.group(2):
            return None
        letters = cm.group(1)
        col = _LETTERS_CACHE.get(letters)
        if col is None:
            col = _LETTERS_CACHE[letters] = col_index(letters)
        cell = (int(cm.group(2)), col)
        if wanted is None or cell in wanted:
            em = _F_RE.match(region, at)
            if em is None:
                return None
            out.append((cell, em.group(0)))
    return out


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
