"""Cell references: column letters, A1 parsing, moving formulas and ranges."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

MAX_ROW = 1_048_576
MAX_COL = 16_384


_COL_CACHE: dict[int, str] = {}


def col_letter(idx0: int) -> str:
    """0-based column index -> letters."""
    s = _COL_CACHE.get(idx0)
    if s is None:
        n = idx0 + 1
        out = ""
        while n:
            n, r = divmod(n - 1, 26)
            out = chr(65 + r) + out
        _COL_CACHE[idx0] = s = out
    return s


def col_index(letters: str) -> int:
    """Letters -> 0-based column index."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


_REF_RE = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)$")
_AREA_RE = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)(?::\$?([A-Za-z]{1,3})\$?(\d+))?")


def cell_area(ref: str) -> tuple[int, int, int, int] | None:
    """'A1:C9' (or one cell, '$' allowed) -> (first row, first column, last row, last column), rows 1-based,
    columns 0-based; None for anything else."""
    m = _AREA_RE.fullmatch(ref.strip())
    if m is None:
        return None
    r1, c1 = int(m.group(2)), col_index(m.group(1))
    r2, c2 = (int(m.group(4)), col_index(m.group(3))) if m.group(3) else (r1, c1)
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def _parse_cell(ref: str) -> tuple[int, int]:
    """'B7' -> (row 7, col 1)."""
    m = _REF_RE.match(ref)
    if not m:
        raise ValueError(ref)
    return int(m.group(2)), col_index(m.group(1))


_STR_LIT = re.compile(r'"(?:[^"]|"")*"')
_FAST_REF = re.compile(r"(?<![A-Za-z0-9_.$\\])(\$?)([A-Za-z]{1,3})(\$?)(\d+)(?![A-Za-z0-9_.(!\[])")
_ROW_RANGE = re.compile(r"(?<![A-Za-z0-9_.$])\$?\d+\s*:\s*\$?\d+")
_COL_RANGE = re.compile(r"(?<![A-Za-z0-9_.$])\$?[A-Za-z]{1,3}\s*:\s*\$?[A-Za-z]{1,3}(?![A-Za-z0-9_(])")


def translate_formula(text: str, origin: tuple[int, int], dest: tuple[int, int]) -> str:
    """Move a formula (without the leading '=') from origin (row, col0) to dest.

    A fast path handles plain A1 references; anything more (structured
    references, quoted sheet names, row ranges, errors) goes through
    openpyxl's Translator, which gives the same result.
    """
    dr = dest[0] - origin[0]
    dc = dest[1] - origin[1]
    if dr == 0 and dc == 0:
        return text
    parts = _STR_LIT.split(text)
    ok = all(
        "[" not in p and "'" not in p and "#" not in p and not _ROW_RANGE.search(p)
        and not (dc and _COL_RANGE.search(p))
        for p in parts
    )
    if ok:
        def sub(m: re.Match) -> str:
            cabs, letters, rabs, digits = m.groups()
            c = col_index(letters)
            if c >= MAX_COL:
                return m.group(0)  # a name such as XFZ1, not a reference
            r = int(digits)
            if not rabs:
                r += dr
            if not cabs:
                c += dc
            if r < 1 or r > MAX_ROW or c < 0 or c >= MAX_COL:
                return "#REF!"  # what Excel shows for a reference moved off the sheet
            return f"{cabs}{col_letter(c)}{rabs}{r}"

        lits = _STR_LIT.findall(text)
        out = [_FAST_REF.sub(sub, parts[0])]
        for lit, p in zip(lits, parts[1:]):
            out.append(lit)
            out.append(_FAST_REF.sub(sub, p))
        return "".join(out)
    from openpyxl.formula.translate import Translator, TranslatorError

    o = f"{col_letter(origin[1])}{origin[0]}"
    d = f"{col_letter(dest[1])}{dest[0]}"
    try:
        return Translator("=" + text, origin=o).translate_formula(d)[1:]
    except TranslatorError:
        raise ValueError(f"the formula ={text} cannot be moved from {o} to {d}: a reference would leave the "
                         "sheet") from None


_ROW_OF_CELL = re.compile(r"(?<![A-Za-z0-9_.])\$?[A-Za-z]{1,3}(\$?)(\d+)(?![A-Za-z0-9_(])")
_ROWS = re.compile(r"^(\$?)(\d+):(\$?)(\d+)$")


def reads_other_rows(text: str, row: int, sheet: str) -> bool:
    """Does a formula on ``row`` of ``sheet`` read a cell of that sheet on another row by a relative reference
    (``=H7-H6`` on row 7: H6; ``=SUM(H2:H7)``)? Such a reference moves with the formula, as Excel's fill down
    moves it, and may then read another record. Its own row (``=I7-H7``, ``[@Forecast]``), fixed rows
    (``$A$2:$A$90``), whole columns, names and other sheets do not. A formula that cannot be read: True."""
    from openpyxl.formula.tokenizer import Token, Tokenizer

    try:
        tokens = Tokenizer("=" + text.removeprefix("=")).items
    except Exception:  # openpyxl raises a bare Exception for a formula it cannot split
        return True
    for t in tokens:
        if t.type != Token.OPERAND or t.subtype != Token.RANGE or "[" in t.value:
            continue  # a Table's column or row: whole, or its own
        ref = t.value
        if "!" in ref:
            where, ref = ref.rsplit("!", 1)
            if where.strip("'").replace("''", "'").lower() != sheet.lower():
                continue
        rows = _ROWS.match(ref)
        parts = [(rows[1], rows[2]), (rows[3], rows[4])] if rows else [m.groups() for m in _ROW_OF_CELL.finditer(ref)]
        if any(not fixed and int(n) != row for fixed, n in parts):
            return True
    return False


# --------------------------------------------------------------------------- ranges


_RANGE_RE = re.compile(r"^(\$?)([A-Za-z]{1,3})(\$?)(\d+)(?::(\$?)([A-Za-z]{1,3})(\$?)(\d+))?$")


def _adjust_range(rng: str, header_row: int, old_ends: set[int], new_end: int,
                  old_last_col: int | None = None, new_last_col: int | None = None) -> str:
    """Move the end row of A1:B9-style ranges that run to the old last data row."""
    m = _RANGE_RE.match(rng)
    if not m:
        return rng
    a1, c1, a2, r1, a3, c2, a4, r2 = m.groups()
    if c2 is None:
        return rng  # single cell: leave alone
    start, end = int(r1), int(r2)
    changed = False
    if start <= header_row + 1 and end in old_ends:
        end = max(new_end, start)
        changed = True
    if old_last_col is not None and new_last_col is not None and col_index(c2) == old_last_col \
            and col_index(c1) <= old_last_col and start <= header_row:
        c2 = col_letter(new_last_col)
        changed = True
    if not changed:
        return rng
    return f"{a1}{c1.upper()}{a2}{start}:{a3}{c2.upper()}{a4}{end}"


_AREA_IN_FORMULA = re.compile(r"(?<![A-Za-z0-9_.!$\]])\$?[A-Za-z]{1,3}\$?\d+:\$?[A-Za-z]{1,3}\$?\d+(?![A-Za-z0-9_(\[])")
"""A range in a formula not named with a sheet (E2:E90, $E$2:$E$90; not 'T&A'!E2:E90, not Orders[Qty])."""


def outside_quotes(formula: str, fix: Callable[[str], str]) -> str:
    """``fix`` applied to the formula between its texts in quotes (an INDIRECT("...") text is no reference)."""
    if '"' not in formula:
        return fix(formula)
    parts = _STR_LIT.split(formula)
    out = [fix(parts[0])]
    for lit, part in zip(_STR_LIT.findall(formula), parts[1:]):
        out += [lit, fix(part)]
    return "".join(out)


def _adjust_sqref(sqref: str, *args: Any) -> str:
    return " ".join(_adjust_range(p, *args) for p in sqref.split())


def _adjust_format_sqref(sqref: str, header_row: int, old_ends: set[int], new_end: int) -> str:
    """A conditional format's or validation's ranges moved to the new last data row.

    On a sheet with one (blank) data row, a rule over that row's cell alone
    (F2, as openpyxl writes F2:F2) covers the column's data: it grows with
    the rows, as it would over a range.
    """
    out = []
    for part in sqref.split():
        m = _RANGE_RE.match(part)
        first = header_row + 1
        if m and m.group(6) is None and int(m.group(4)) == first and first in old_ends and new_end > first:
            part = f"{part}:{m.group(1)}{m.group(2)}{m.group(3)}{m.group(4)}"
        out.append(_adjust_range(part, header_row, old_ends, new_end))
    return " ".join(out)
