"""The team's formulas that read one cell of a rebuilt sheet by its place (``='T&A'!K8``), where the rebuild put
another row.

A rebuild moves a milestone's row when a PO line above it is added, taken off or put in Orders order. Excel's
Sort leaves such a formula on its cell, and so does prodbook: a sheet mirroring the T&A row by row means the
place. But a dashboard cell linked to one milestone now reads another, and the APM is told which cell, what it
reads and where that row went. A column filled down (each cell reading the same place relative to its own
row: the mirror) is not named. Both back ends give their sheets' formulas to ``LinkCheck``; the file back end
also its colour rules and validations (``LinkCheck.rules``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from prodbook.workbook.xlsx.book import _SHEET_REF_RE, _sheet_of
from prodbook.workbook.xlsx.notes import row_moves
from prodbook.workbook.xlsx.refs import _parse_cell, cell_area, col_letter, outside_quotes

COLOUR_RULE = "the Conditional Formatting rule"
VALIDATION_RULE = "the Data Validation rule"
"""How a warning names a rule that reads a moved row (``LinkCheck.rules``): as Excel's menus name them."""


@dataclass(frozen=True)
class RowsMoved:
    """How a rebuild placed a sheet's rows: rows up to ``frozen`` kept their place; data row ``source_rows[i]``
    (None: a new row) went to row ``first_new + i``; the old data ended at ``old_last``."""

    frozen: int
    old_last: int
    first_new: int
    source_rows: tuple[int | None, ...]


@dataclass(frozen=True)
class MovedLink:
    """A formula of the team's that reads one cell of a rebuilt sheet by its place, where the rebuild put
    another row (``new_row``: where the row read went; None: it left the sheet)."""

    sheet: str
    """The formula's sheet; "" for a defined name."""
    cell: str
    """The formula's cell ('B4'), or the defined name's name."""
    ref: str
    target: str
    old_row: int
    new_row: int | None
    row: int | None = None
    """The formula's cell's row; None for a defined name."""
    jump: bool = False
    """A link that goes to the cell (Insert > Link, ``HYPERLINK("#'T&A'!K16",...)``) rather than a formula that
    reads it."""


@dataclass
class LinkCheck:
    """The formulas given, sheet by sheet, that read a moved row of a sheet of ``moved`` (``found``)."""

    moved: Mapping[str, RowsMoved]
    found: list[MovedLink] = field(default_factory=list)
    _maps: dict[str, dict[int, int]] = field(default_factory=dict)

    def sheet(self, where: str, cells: Mapping[tuple[int, int], str]) -> None:
        """``cells``: the sheet's formulas by (row, 0-based column). A cell reading a relative row whose neighbour
        above or below reads the same place relative to its own row is part of a column filled down, and is
        left; one reading a fixed row ($K$5) means that cell, however it was made."""
        for (r, c), formula in cells.items():
            hits = self._hits(where, formula)
            if hits and not (any(not _fixed_row(ref) for ref, *_ in hits)
                             and _filled(cells, r, c, formula)):
                self.found += [MovedLink(where, f"{col_letter(c)}{r}", *hit, row=r) for hit in hits]

    def rules(self, where: str, rules: Iterable[tuple[str, str, str]], *, fixed_only: bool = False) -> None:
        """The sheet's colour rules and validations: (what the rule is, the cells it applies to, its formula). A
        rule over more than one row reading a relative row reads each row's own (a column filled down), and is
        left; one over a single row, or reading a fixed row, reads that one cell. ``fixed_only``: the formulas
        come from where a relative row cannot be trusted (Excel's, ``live_links``): only fixed rows are named."""
        for what, sqref, formula in rules:
            areas = [a for a in (cell_area(x) for x in sqref.split()) if a is not None]
            if not areas:
                continue
            first = min(a[0] for a in areas)
            one_row = all(a[0] == a[2] == first for a in areas)
            self.found += [MovedLink(where, f"{what} on {sqref.replace(' ', ', ')}", *hit, row=first)
                           for hit in self._hits(where, formula)
                           if _fixed_row(hit[0]) or (one_row and not fixed_only)]

    def jumps(self, where: str, links: Iterable[tuple[int, int, str]]) -> None:
        """The sheet's links to a cell, (row, 0-based column, where it goes: ``'T&A'!K16``): a link made with
        Insert > Link, or the text of a ``HYPERLINK("#...")`` (``hyperlink_targets``). Excel moves neither when
        rows move, and a link is typed to one cell, so each is named."""
        for r, c, target in links:
            self.found += [MovedLink(where, f"the link in {col_letter(c)}{r}", *hit, row=r, jump=True)
                           for hit in self._hits(where, target.removeprefix("#"))]

    def names(self, names: Iterable[tuple[str, str]]) -> None:
        """The workbook's defined names, (name, what it refers to)."""
        for name, formula in names:
            self.found += [MovedLink("", name, *hit) for hit in self._hits("", formula)]

    def _hits(self, where: str, formula: str) -> list[tuple[str, str, int, int | None]]:
        out: list[tuple[str, str, int, int | None]] = []
        if "!" not in formula:
            return out
        for target, rows in self.moved.items():
            if target.lower() == where.lower():
                continue
            for ref, row in _single_cells(formula, target):
                if not rows.frozen < row <= rows.old_last:
                    continue
                if target not in self._maps:  # made once a formula reads a data cell: a million rows on a T&A
                    self._maps[target] = row_moves(rows.source_rows, rows.first_new) or {}
                new = self._maps[target].get(row)
                if new != row:
                    out.append((ref, target, row, new))
        return out


_HYPERLINK_JUMP = re.compile(r'\bHYPERLINK\(\s*"#((?:[^"]|"")*)"', re.I)


def hyperlink_targets(formula: str) -> list[str]:
    """Where the formula's ``HYPERLINK("#'T&A'!K16", ...)`` go, as typed (a target built from cells is not
    read)."""
    return [m.group(1).replace('""', '"') for m in _HYPERLINK_JUMP.finditer(formula)] if "#" in formula else []


def _fixed_row(ref: str) -> bool:
    """Does the reference fix its row ('T&A'!K$16, 'T&A'!$K$16)?"""
    return ref.rstrip("0123456789").endswith("$")


def _single_cells(formula: str, sheet: str) -> list[tuple[str, int]]:
    """The references of ``formula`` on ``sheet`` to cells of one row ('T&A'!K16, 'T&A'!$K$16, one milestone's
    dates 'T&A'!H16:J16) and their rows; ranges over rows and texts in quotes left out."""
    out: list[tuple[str, int]] = []

    def look(text: str) -> str:
        for m in _SHEET_REF_RE.finditer(text):
            if _sheet_of(m.group(1)).lower() == sheet.lower():
                rows = {_parse_cell(end.replace("$", ""))[0] for end in m.group(2).split(":")}
                if len(rows) == 1:
                    out.append((m.group(0), rows.pop()))
        return text

    outside_quotes(formula, look)
    return out


_A1 = re.compile(r"(?<![A-Za-z0-9_.$])(\$?[A-Za-z]{1,3})(\$?)(\d+)(?![A-Za-z0-9_(])")


def _relative(formula: str, row: int) -> str:
    """The formula as it reads from its own row: each relative row number as its distance from ``row`` (two
    cells of a column filled down read alike)."""
    return outside_quotes(formula, lambda text: _A1.sub(
        lambda m: m.group(0) if m.group(2) else f"{m.group(1)}R[{int(m.group(3)) - row}]", text))


def _filled(cells: Mapping[tuple[int, int], str], r: int, c: int, formula: str) -> bool:
    """Is the cell part of a column filled down: does the cell above or below read alike from its own row?"""
    key = _relative(formula, r)
    return any((r + d, c) in cells and _relative(cells[(r + d, c)], r + d) == key for d in (-1, 1))
