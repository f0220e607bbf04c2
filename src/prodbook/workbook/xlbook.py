"""The live-Excel back end: the tracker open in Excel, through xlwings (Windows and macOS).

Implements the same ``Backend`` protocol as ``FileBook``, so a ribbon button
runs the very jobs the CLI runs, through the same ``Tracker`` (same Change
Log, same rules). What differs is the shell:

* a sheet is read in one call (its used range, error cells as their text);
* staged writes are applied at ``commit``: the new cells of a rewritten sheet
  are computed here in pure Python (``rewrite_grid``), compared with the cells
  Excel has, and only the changed blocks are written, one range write per
  block of adjacent changed columns (``changed_blocks``); a run's single-cell
  edits are written without reading the sheet, only the edited cells
  (``edit_blocks``);
* screen updating and automatic calculation are off while writing, with
  progress in the status bar, and restored whatever happens;
* no lock file and no backup file: the workbook is open in Excel and the APM
  saves it; ``Undo last`` reverts an action from the Change Log.

The pure parts are tested on Linux; the xlwings calls are a thin layer that
needs Excel (``tests/test_backends.py``, marked ``excel``).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from prodbook.core.cell_rules import CellRule
from prodbook.core.cells import Formula, is_digit_format, looks_like_formula
from prodbook.core.findings import UserError
from prodbook.core.limits import PartSizes
from prodbook.core.looks import HEADER_FILL, HEADER_FONT, RulePlace, fitted_widths
from prodbook.workbook import limits, live_colour_rules, live_rows
from prodbook.workbook.backend import (
    CellEdit,
    SheetProtection,
    SheetRewrite,
    UnsafeContent,
    UnsupportedLayout,
    single_cells,
)
from prodbook.workbook.live_guards import ask, cell_rule, locked, protect_again, protect_options, sheet_protection
from prodbook.workbook.live_links import link_targets, rule_formulas
from prodbook.workbook.live_marks import Marks, read_marks
from prodbook.workbook.live_pivots import refresh_pivots
from prodbook.workbook.live_rows import Insert, blank, data_end, grown, insert_for, inserted
from prodbook.workbook.staging import Staging
from prodbook.workbook.tables import HEADER_SCAN_ROWS
from prodbook.workbook.toml_settings import toml_limits
from prodbook.workbook.xlsx.book import workbook_info
from prodbook.workbook.xlsx.by_place import LinkCheck, MovedLink, RowsMoved, hyperlink_targets
from prodbook.workbook.xlsx.create import width_samples
from prodbook.workbook.xlsx.log_runs import LogRuns, runs_from_values
from prodbook.workbook.xlsx.notes import row_moves
from prodbook.workbook.xlsx.refs import translate_formula

Grid = list[list[Any]]
SHEET_ROWS = 1_048_576
LINK_CELLS = 2_000_000
"""A sheet of more cells than this is not read for formulas by place (``XlBook._links_by_place``): through Excel,
a long log's would cost more than the run."""


# --- pure: from the cells Excel has and a staged rewrite, the cells it should have ---------


_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_RETYPED = re.compile(rf"^\s*[-+=@#'.(\d$€£¥]|^\s*(?:true|false)\s*$|{_MONTH}[\s/,-]*\d|\d[\s/,-]*{_MONTH}", re.I)
"""Text Excel may read as something else when it is written into a cell: what starts as a number, a date, a
time, an amount, a formula or an error does ('00123', '1-2', '10:30', '$5', '(5)', '#N/A', '-5'), and so do
'TRUE' and a month beside a number ('Mar 3', '3-Mar', 'Mar-27'). 'SS27-KT-1006' or 'Navy 2' is left as it is."""


def excel_value(v: Any) -> Any:
    """A value as written through xlwings: text stays the text it is, as the file back end writes it.

    Excel retypes text written into a cell as if the APM typed it: a formula, '00123' becomes 123, '1-2' and
    'Mar 3' dates, '50%' a half, 'TRUE' a truth value, "'90s" loses its apostrophe. Text that may be so read
    (``_RETYPED``) goes in behind an apostrophe, which Excel keeps as the cell's prefix, not its text."""
    if isinstance(v, Formula):
        return v.text if v.text.startswith("=") else "=" + v.text
    if isinstance(v, str) and _RETYPED.search(v):
        return "'" + v
    if isinstance(v, date) and not isinstance(v, datetime):
        return datetime(v.year, v.month, v.day)
    return v


def _pad(grid: Grid, rows: int, cols: int) -> Grid:
    out = [list(r) + [None] * (cols - len(r)) for r in grid[:rows]]
    out += [[None] * cols for _ in range(rows - len(out))]
    return out


def _is_formula(v: Any) -> bool:
    return isinstance(v, str) and v.startswith("=") and len(v) > 1


def rewrite_grid(current: Grid, rw: SheetRewrite, table: range | None = None) -> Grid:
    """The sheet's cells after ``rw``, as formulas/values the way xlwings' ``.formula`` gives them.

    Args:
        current: The sheet's cells as formulas (``Range.formula``: a formula's text, or
            the constant), row 0 = Excel row 1. Empty for a sheet to be created.
        rw: The staged rewrite: ``rows`` go into ``columns`` from the row below
            ``header_row`` (below the data rows it keeps, ``keep_rows``, less the
            ``drop_rows`` above them, which the rows kept move up over); the other
            columns of each row are carried from its ``source_rows`` entry (formulas
            moved with their row, references adjusted) or left blank; rows below
            the new last row are cleared.
        table: The 0-based columns of the sheet's Table: a column of it that prodbook does not write,
            whose every data row holds the same formula, is a calculated column (``_formula_columns``),
            and a new row gets that formula, as Excel gives a row it adds to the Table.

    Returns:
        The new cells, at least as many rows and columns as ``current`` had, so
        that comparing the two finds every cell to write or clear.
    """
    hr = rw.header_row
    old_width = max((len(r) for r in current), default=0)
    header = list(rw.create_headers) if rw.create_headers is not None else (
        list(current[hr - 1]) if len(current) >= hr else [])
    header = header + [None] * (old_width - len(header))
    last_used = len(header)
    while last_used and header[last_used - 1] in (None, ""):
        last_used -= 1
    at = last_used if rw.append_at is None else rw.append_at  # over the data's column, as the caller chose
    header += [None] * (at + len(rw.append_headers) - len(header))
    header = header[:at] + list(rw.append_headers) + header[at + len(rw.append_headers):]
    width = max(old_width, len(header), max(rw.columns, default=-1) + 1)
    data = data_end(current, hr) - hr  # the data rows the sheet holds, to its last non-blank one
    kept = max(0, min(data, rw.keep_rows) - rw.drop_rows)
    height = max(len(current), hr + kept + len(rw.rows))
    old = _pad(current, height, width)
    new = [list(r) for r in old[:hr - 1]]
    new.append(_pad([header], 1, width)[0])
    for at in range(hr + 1 + rw.drop_rows, hr + 1 + rw.drop_rows + kept):  # a log's rows: kept, moved up
        new.append([("=" + translate_formula(v[1:], (at, c), (len(new) + 1, c))) if _is_formula(v) and rw.drop_rows
                    else _as_held(v) for c, v in enumerate(old[at - 1])])
    written = set(rw.columns)
    calculated = _formula_columns(old[hr:hr + data], hr + 1, written, table) if table is not None else {}
    for i, values in enumerate(rw.rows):
        rn = hr + 1 + kept + i
        src = rw.source_rows[i] if rw.source_rows is not None else None
        row: list[Any] = [None] * width
        if src is None:
            for c, f in calculated.items():
                row[c] = f if "[" in f or rn == hr + 1 else "=" + translate_formula(f[1:], (hr + 1, c), (rn, c))
        else:
            if src <= hr:
                raise ValueError(f"sheet '{rw.sheet}': source row {src} is not below the header row {hr}")
            carried = old[src - 1] if src - 1 < len(old) else [None] * width
            for c, v in enumerate(carried):
                if c in written:
                    continue
                row[c] = ("=" + translate_formula(v[1:], (src, c), (rn, c))) if _is_formula(v) and src != rn \
                    else _as_held(v)
        for c, v in zip(rw.columns, values):
            row[c] = excel_value(v)
        new.append(row)
    new += [[None] * width for _ in range(height - len(new))]
    return new


def _as_held(v: Any) -> Any:
    """A cell carried as read (``Range.formula``: a formula's text, else the constant) to be written back: text
    that is not a formula goes behind an apostrophe where Excel would retype it (``excel_value``), so a PO
    typed as text stays text on a row the rewrite moves."""
    return excel_value(v) if isinstance(v, str) and not _is_formula(v) else v


def _formula_columns(rows: Grid, first: int, written: set[int], table: range) -> dict[int, str]:
    """The Table's columns (``table``) prodbook does not write whose every data row (two at least) holds the
    same formula, moved with its row: what Excel keeps as a calculated column (Days Late = [@Forecast] -
    [@Planned]), with the formula of the first row (``rows`` start at row ``first``)."""
    if len(rows) < 2:
        return {}
    out = {}
    for c, f in enumerate(rows[0]):
        if c in written or c not in table or not _is_formula(f):
            continue
        for k, row in enumerate(rows[1:], first + 1):
            v = row[c] if c < len(row) else None
            if v != f and (not isinstance(v, str) or not _is_formula(v) or "[" in v
                           or _moved_back(v, k, first, c) != f):
                break
        else:
            out[c] = f
    return out


def _moved_back(formula: str, row: int, first: int, c: int) -> str | None:
    """``formula`` of row ``row`` as it would read in row ``first``; None where it cannot be moved there."""
    try:
        return "=" + translate_formula(formula[1:], (row, c), (first, c))
    except ValueError:
        return None


def _same(a: Any, b: Any) -> bool:
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) \
            and not isinstance(b, bool):
        return float(a) == float(b)
    if isinstance(a, datetime) and isinstance(b, datetime):
        return a == b
    if isinstance(a, str) and isinstance(b, str):
        return a.lstrip("'") == b.lstrip("'") if a.startswith("'") or b.startswith("'") else a == b
    return a == b


@dataclass(frozen=True)
class Block:
    """A rectangle to write in one call: top-left (1-based row, 0-based column) and its values."""

    row: int
    col: int
    values: Grid


def changed_blocks(old: Grid, new: Grid, first_row: int = 1) -> list[Block]:
    """The writes that turn ``old`` into ``new``: few calls, and no cell rewritten that COM would retype.

    Adjacent changed columns make one rectangle, from their first to their last changed row, so a
    rebuilt T&A with a few changed statuses writes a few short blocks, not the sheet. Inside it, an
    unchanged cell is written back only where Excel takes it back as it is (``keeps_as_typed``): a row
    holding another unchanged cell (a note such as "1-2", a formula) ends the block above it, and only
    that row's changed cells are written. ``first_row`` is the Excel row of ``old[0]``.
    """
    rows = max(len(old), len(new))
    cols = max(max((len(r) for r in old), default=0), max((len(r) for r in new), default=0))
    o, n = _pad(old, rows, cols), _pad(new, rows, cols)
    span: list[tuple[int, int] | None] = []
    for c in range(cols):
        changed = [r for r in range(rows) if not _same(o[r][c], n[r][c])]
        span.append((changed[0], changed[-1]) if changed else None)
    blocks: list[Block] = []
    c = 0
    while c < cols:
        here = span[c]
        if here is None:
            c += 1
            continue
        start = c
        top, bottom = here
        while c + 1 < cols and (beside := span[c + 1]) is not None:
            c += 1
            top, bottom = min(top, beside[0]), max(bottom, beside[1])
        blocks += _rectangle_writes(o, n, top, bottom, start, c, first_row)
        c += 1
    return blocks


def _rectangle_writes(o: Grid, n: Grid, top: int, bottom: int, left: int, right: int, first_row: int) -> list[Block]:
    """``changed_blocks``' writes of one rectangle (0-based rows, inclusive): its stretches of rows whose
    unchanged cells Excel takes back whole, and in each other row its runs of changed cells."""
    out: list[Block] = []
    stretch: tuple[int, int] | None = None  # the open stretch's first and last row holding a change
    for r in range(top, bottom + 1):
        changed = [not _same(o[r][c], n[r][c]) for c in range(left, right + 1)]
        if all(d or _written_back_as_is(n[r][left + j]) for j, d in enumerate(changed)):
            if any(changed):
                stretch = (r, r) if stretch is None else (stretch[0], r)
            continue
        if stretch is not None:
            out.append(_rows_block(n, stretch, left, right, first_row))
            stretch = None
        j = 0
        while j < len(changed):  # the row's runs of changed cells alone
            if not changed[j]:
                j += 1
                continue
            end = j
            while end + 1 < len(changed) and changed[end + 1]:
                end += 1
            out.append(Block(first_row + r, left + j, [n[r][left + j:left + end + 1]]))
            j = end + 1
    if stretch is not None:
        out.append(_rows_block(n, stretch, left, right, first_row))
    return out


def _rows_block(n: Grid, rows: tuple[int, int], left: int, right: int, first_row: int) -> Block:
    """The block of ``n``'s rows ``rows`` (0-based, inclusive) in columns ``left`` to ``right``."""
    return Block(first_row + rows[0], left, [n[k][left:right + 1] for k in range(rows[0], rows[1] + 1)])


def _written_back_as_is(v: Any) -> bool:
    """An unchanged cell of ``new`` that a block may write again: Excel takes it back as it is, or it is text
    behind the apostrophe ``excel_value`` put there."""
    return keeps_as_typed(v) or (isinstance(v, str) and v.startswith("'"))


def keeps_as_typed(v: Any) -> bool:
    """Would writing ``v`` (a cell's value, or its formula's text) into its cell through COM leave the cell
    as it is? Blanks, numbers, true/false, whole dates and text COM cannot read as anything else do.
    Text may not: COM retypes text written into a cell as if the APM typed it ("00123" becomes 123, "1-2"
    a date, "TRUE" a truth value); a formula written back loses what only Excel holds (an array formula).
    So any text holding a digit, starting as a formula or an error does, or reading true/false is left."""
    if v is None or isinstance(v, (bool, int, float)):
        return True
    if isinstance(v, datetime):
        return v.microsecond == 0
    if isinstance(v, str):
        return v == "" or not (looks_like_formula(v) or v[0] in "#'" or any(ch.isdigit() for ch in v)
                               or v.strip().upper() in ("TRUE", "FALSE"))
    return False


def merge_formulas(values: Sequence[Sequence[Any]], formulas: Sequence[Sequence[Any]]) -> Grid:
    """Cells as typed values, except formula cells, which hold their formula's text."""
    return [[f if _is_formula(f) else v for v, f in zip(vr, fr)] for vr, fr in zip(values, formulas)]


APPEND_LOOK_BACK = 64
"""Rows read from the bottom of a sheet rows are added below, to find its last row holding a value."""


READ_BLOCK = 16_384
"""Rows read through Excel in one call where a long sheet is read a block at a time (``XlBook.iter_rows``)."""


def _appends(rw: SheetRewrite) -> bool:
    """Does ``rw`` only add rows below every row the sheet holds (the Change Log's daily rows), maybe after
    deleting its first rows (the day its oldest runs move out)?"""
    return (rw.keep_rows >= SHEET_ROWS and rw.source_rows is None and not rw.append_headers
            and rw.create_headers is None and not rw.grow_ranges)


@dataclass(frozen=True)
class ColumnDress:
    """How one column of a sheet the live back end creates is shown (as the file back end shows it)."""

    width: float
    number_format: str | None
    wrap: bool


def column_dress(rw: SheetRewrite) -> list[ColumnDress]:
    """Each header's width fitted to the rows written, number format and wrap, from ``rw.look``: what the
    file back end gives a sheet it creates (``create._look_parts``); none without a look or headers."""
    if rw.look is None or rw.create_headers is None:
        return []
    headers = [str(h) for h in rw.create_headers]
    out = []
    for h, w in zip(headers, fitted_widths(rw.look, headers, width_samples(rw, len(headers))), strict=True):
        col = rw.look.column(h)
        out.append(ColumnDress(w, col.number_format if col else None, bool(col and col.wrap)))
    return out


def _formulas(rng: Any) -> Sequence[Sequence[Any]]:
    """A range's formulas (a constant's text where a cell has none) in one call, as rows: COM gives a single
    cell's as itself."""
    forms = rng.formula
    return forms if isinstance(forms, (list, tuple)) else ((forms,),)


def _values(rng: Any) -> Grid:
    """A range's values in one call; error cells hold their text (#N/A...)."""
    try:
        values = rng.options(ndim=2, err_to_str=True).value
    except TypeError:  # xlwings before err_to_str: errors read as None
        values = rng.options(ndim=2).value
    return [list(r) for r in values]


DIRECT_BLOCKS = 64
"""Stretches of edited cells on one sheet written as they are, each in its own call; above this many (a
daily run's Forecast and Variance changes over the whole T&A), the edited columns are read, two calls
each, so that a block can run over the cells between edits that Excel takes back unchanged: a few
long writes instead of hundreds of calls through COM."""


def edited_cells(edits: Sequence[CellEdit]) -> dict[tuple[int, int], Any]:
    """(row, 0-based column) -> the value to write, as written through xlwings; a later edit of a cell wins."""
    return {(e.row, e.column): excel_value(e.value) for e in edits}


def takes_back(value: Any, formula: Any) -> bool:
    """Does writing ``value`` (what xlwings read) back into its cell leave the cell as it was?

    Where ``keeps_as_typed`` says so, and the cell holds no formula (its value would replace it) and has
    formula text of its own (a cell a dynamic array spills into has none, and is left alone).
    """
    if isinstance(formula, str) and formula.startswith("="):
        return False
    if value is None or value == "":
        return formula in (None, "")
    return formula not in (None, "") and keeps_as_typed(value)


def edit_blocks(cells: dict[tuple[int, int], Any],
                between: dict[tuple[int, int], Any] | None = None) -> list[Block]:
    """The writes that put ``cells`` into a sheet and write no other cell, except those in ``between``.

    In each column, a stretch of edited cells one below another is one block; where every cell between two
    stretches is in ``between`` (cells Excel takes back unchanged, with their current values: see
    ``takes_back``), the stretches are one block over them. Blocks of side-by-side columns over the same
    rows are one block. A cell the run did not change and Excel could retype is never written: not
    read, written back and so retyped, as a block spanning from the first to the last edit would.
    """
    rows_of: dict[int, list[int]] = {}
    for r, c in cells:
        rows_of.setdefault(c, []).append(r)
    spans: list[tuple[int, int, int]] = []  # (top, bottom, column)
    for c, rows in rows_of.items():
        rows.sort()
        top = bottom = rows[0]
        for r in rows[1:]:
            if r == bottom + 1 or (between is not None and all((g, c) in between for g in range(bottom + 1, r))):
                bottom = r
                continue
            spans.append((top, bottom, c))
            top = bottom = r
        spans.append((top, bottom, c))
    spans.sort()
    blocks: list[Block] = []
    i = 0
    while i < len(spans):
        top, bottom, first = spans[i]
        last = first
        while i + 1 < len(spans) and spans[i + 1] == (top, bottom, last + 1):
            i += 1
            last += 1
        blocks.append(Block(top, first, [[cells[(r, c)] if (r, c) in cells else between[(r, c)]  # type: ignore[index]
                                          for c in range(first, last + 1)] for r in range(top, bottom + 1)]))
        i += 1
    return blocks


# --- the xlwings shell (needs Excel) -----------------------------------------------------


@dataclass(frozen=True)
class LiveCommit:
    """What a live write did (same fields the CLI's message reads from ``CommitResult``)."""

    written: Path | None
    backup: Path | None = None
    side_copy_reason: str | None = None
    cells: int = 0


class XlBook(Staging):
    """The workbook open in Excel. Nothing is written until ``commit``.

    Args:
        book: An ``xlwings.Book`` (``xw.Book.caller()`` from the ribbon).
        progress: Show progress in Excel's status bar.
    """

    def __init__(self, book: Any, *, progress: bool = True) -> None:
        self.book = book
        self.progress = progress
        Staging.__init__(self)
        self._date1904: bool | None = None
        self._links: list[MovedLink] = []
        self._rule_places: dict[str, RulePlace] = {}
        self._recoloured: dict[str, str] = {}

    # -- Backend protocol ------------------------------------------------------------------
    @property
    def name(self) -> str:
        return str(self.book.name)

    @property
    def path(self) -> Path | None:
        # The Tracker reads a prodbook.toml next to the workbook file when there is one.
        try:
            full = str(self.book.fullname or "")
        except Exception:  # xlwings raises when a SharePoint/Teams URL maps to no synced folder
            return None
        if not full or "://" in full:
            return None
        path = Path(full)
        return path if path.is_absolute() else None  # a never-saved Book1: no folder to read or write beside

    @property
    def date1904(self) -> bool:
        if self._date1904 is None:
            try:
                self._date1904 = ask(self.book.api, "Date1904", "date_1904") is True
            except Exception:  # an Excel that will not say: the 1900 system, the default
                self._date1904 = False
        return self._date1904

    def sheet_names(self) -> list[str]:
        return [s.name for s in self.book.sheets]

    @property
    def structure_locked(self) -> bool:
        try:
            return ask(self.book.api, "ProtectStructure", "protect_structure") is True
        except Exception:  # an Excel that will not say: adding a sheet then says so itself
            return False

    def protection(self, sheet: str) -> SheetProtection | None:
        """Whether the sheet is protected; Excel does not tell whether with a password (None)."""
        return sheet_protection(self.book.sheets[sheet]) if sheet in self.sheet_names() else None

    def cell_rule(self, sheet: str, row: int, column: int) -> CellRule | None:
        """The cell's data validation rule, asked of Excel (``live_guards.cell_rule``)."""
        if sheet not in self.sheet_names():
            return None
        return cell_rule(self.book.sheets, sheet, row, column, self.date1904)

    def formulas(self, sheet: str, cells: Sequence[tuple[int, int]]) -> dict[tuple[int, int], str]:
        """Of ``cells``, those holding a formula, with its text (``Range.formula``, a column's span at a time)."""
        if not cells or sheet not in self.sheet_names():
            return {}
        sht = self.book.sheets[sheet]
        out = {}
        by_column: dict[int, list[int]] = {}
        for r, c in cells:
            by_column.setdefault(c, []).append(r)
        for c, rows in by_column.items():
            for span in row_spans(rows):  # near rows in one call: an undo asks a whole T&A's Notes
                first, last = span[0], span[-1]
                got = sht.range((first, c + 1), (last, c + 1)).formula
                texts = [row[0] if isinstance(row, tuple) and row else row for row in got] \
                    if isinstance(got, tuple) else [got]
                found = {r: f for r in span if isinstance(f := texts[r - first] if r - first < len(texts) else "", str)
                         and looks_like_formula(f) and f.startswith("=")}
                if found:  # text typed as text ('=ask vendor) gives its text as its formula too: its value is the same
                    got = sht.range((first, c + 1), (last, c + 1)).options(ndim=2).value
                    shown = [row[0] if row else None for row in got]
                    out.update({(r, c): f for r, f in found.items()
                                if r - first >= len(shown) or shown[r - first] != f})
        return out

    def merged_at(self, sheet: str, row: int, column: int) -> tuple[tuple[int, int], tuple[int, int]] | None:
        """The merged range holding a cell (Excel row, 0-based column), 0-based as ``FileBook.merged_ranges``
        gives them; None when the cell is not merged. Asked of one cell at a time: a scan of every merge of a
        sheet is not to be had from Excel."""
        if sheet not in self.sheet_names():
            return None
        area = self.book.sheets[sheet].range((row, column + 1)).merge_area
        (r1, c1), (r2, c2) = (area.row, area.column), (area.last_cell.row, area.last_cell.column)
        return None if (r1, c1) == (r2, c2) else ((r1 - 1, c1 - 1), (r2 - 1, c2 - 1))

    def locked_cells(self, sheet: str, cells: Sequence[tuple[int, int]]) -> set[tuple[int, int]]:
        """Of ``cells``, those locked on a protected sheet (each cell's Locked, asked of Excel: a user sheet's
        few edits). Allow Edit Ranges are not asked here: such a cell counts as locked."""
        if not cells or self.protection(sheet) is None:
            return set()
        sht = self.book.sheets[sheet]
        return {(r, c) for r, c in cells if locked(sht.range((r, c + 1)))}

    def _used(self, sheet: str) -> Any:
        sht = self.book.sheets[sheet]
        used = sht.used_range
        last = used.last_cell
        return sht.range((1, 1), (max(last.row, 1), max(last.column, 1)))

    def hidden_columns(self, sheet: str) -> frozenset[int]:
        """0-based columns of the used range the sheet hides: Excel gives a hidden column a width of 0."""
        if sheet not in self.sheet_names():
            return frozenset()
        sht = self.book.sheets[sheet]
        width = max(int(sht.used_range.last_cell.column), 1)
        return frozenset(c for c in range(width) if sht.range((1, c + 1)).column_width == 0)

    def digit_formats(self, sheet: str, cells: Iterable[tuple[int, int]]) -> dict[tuple[int, int], str]:
        """Of ``cells``, those whose number format shows a whole number's digits padded or punctuated. Each
        column's run of rows is asked at once (Excel gives one format for the run, or None when its cells
        differ); only a mixed run is asked cell by cell."""
        cells = list(cells)
        if sheet not in self.sheet_names() or not cells:
            return {}
        sht = self.book.sheets[sheet]
        out: dict[tuple[int, int], str] = {}
        for col in sorted({c for _, c in cells}):
            rows = sorted(r for r, c in cells if c == col)
            code = sht.range((rows[0], col + 1), (rows[-1], col + 1)).number_format
            if isinstance(code, str):
                if is_digit_format(code):
                    out.update({(r, col): code for r in rows})
                continue
            for r in rows:
                if isinstance(one := sht.range((r, col + 1)).number_format, str) and is_digit_format(one):
                    out[(r, col)] = one
        return out

    def last_row(self, sheet: str) -> int:
        """The used range's last row (0: no such sheet): Excel knows it without reading the cells."""
        if sheet not in self.sheet_names():
            return 0
        return int(self.book.sheets[sheet].used_range.last_cell.row)

    def head_rows(self, sheet: str, nrows: int = HEADER_SCAN_ROWS) -> list[list[Any]]:
        """The first rows only: enough to map a header without reading a long log through Excel."""
        sht = self.book.sheets[sheet]
        last = sht.used_range.last_cell
        return _values(sht.range((1, 1), (max(1, min(nrows, int(last.row))), max(int(last.column), 1))))

    def read_sheet(self, sheet: str) -> list[list[Any]]:
        """Cell values in one call; error cells hold their text (#N/A...)."""
        return _values(self._used(sheet))

    def iter_rows(self, sheet: str, last_row: int | None = None) -> Iterator[list[Any]]:
        """``read_sheet``'s rows (down to ``last_row``: the rows of a Change Log that move out), read
        ``READ_BLOCK`` rows at a time through Excel."""
        sht = self.book.sheets[sheet]
        last = sht.used_range.last_cell
        rows, width = max(int(last.row), 1), max(int(last.column), 1)
        if last_row is not None:
            rows = min(rows, last_row)
        for top in range(1, rows + 1, READ_BLOCK):
            yield from _values(sht.range((top, 1), (min(rows, top + READ_BLOCK - 1), width)))

    def part_sizes(self, sheet: str) -> PartSizes | None:
        """The sheet's part and the rest of the file as the workbook was last saved (its zip directory, read
        from disk), with the limits the command reads that file at: a log the add-in fills moves out where
        the command's would, before the file grows past what a scheduled run, a colleague without the
        add-in or the season roll-up can read. None for a workbook never saved, or saved in another format."""
        path = self.path
        if path is None:
            return None
        try:
            part = workbook_info(path).sheet_parts.get(sheet)
            return limits.part_sizes(limits.unpacked_sizes(path), part, toml_limits(path))
        except (OSError, zipfile.BadZipFile, ValueError, UnsupportedLayout, UnsafeContent):
            return None  # not a package the command reads: its limits say nothing here

    def log_runs(self, sheet: str, header_row: int, action: int, stamp: int) -> LogRuns | None:
        """The Change Log's runs from its action and time columns alone (two column reads through Excel, not
        the whole log); None where it must be read the full way (``runs_from_values``)."""
        last = self.last_row(sheet)
        if last <= header_row:
            return None
        sht = self.book.sheets[sheet]

        def column(c: int) -> list[Any]:
            return [r[0] for r in _values(sht.range((header_row + 1, c + 1), (last, c + 1)))]

        return runs_from_values(column(action), column(stamp), header_row)


    def status(self, text: str) -> None:
        """Progress for the APM, in Excel's status bar."""
        if self.progress:
            try:
                self.book.app.status_bar = f"prodbook: {text}..."
            except Exception:
                pass


    def rules_read_at(self, sheet: str, place: RulePlace) -> None:
        """Where the colour rules of a sheet read, as the run read it: a commit that writes the sheet anyway
        brings the rules an earlier prodbook wrote there up to date (``live_colour_rules``), as the file back
        end does. Not a change of its own: a run with nothing else to write writes nothing."""
        self._rule_places[sheet.lower()] = place

    def rules_brought_up_to_date(self) -> dict[str, str]:
        """After a write, the sheets whose colour rules, as an earlier prodbook wrote them, the write brought
        up to date, each with the sheet whose rules it takes (the default name: 'T&A')."""
        return dict(self._recoloured)

    def commit(self, backups_to_keep: int = 20) -> LiveCommit:
        """Write every staged change into the open workbook, changed blocks only."""
        self._links = []
        self._recoloured = {}
        if not self.pending:
            return LiveCommit(None)
        self._refuse_read_only()
        app = self.book.app
        marks = self._marks_to_move()  # before any write: a note whose row goes stops the run here
        moving = self._rows_moving()  # where each rebuilt sheet's data ends before anything is written
        inserts: dict[str, Insert] = {}
        opened = self._unprotect()  # and so does a sheet that asks for a password
        hidden: list[Any] = []  # Total rows turned off for the write: on again whatever happens
        screen, calc = app.screen_updating, app.calculation
        cells = 0
        try:
            app.screen_updating = False
            app.calculation = "manual"
            self._hide_totals(hidden)
            by_sheet: dict[str, list[CellEdit]] = {}
            for e in single_cells(self._edits):
                by_sheet.setdefault(e.sheet, []).append(e)
            for n, (sheet, rw) in enumerate(self._rewrites.items(), 1):
                self.status(f"writing {sheet} ({n} of {len(self._rewrites)})")
                if _appends(rw) and sheet in self.sheet_names() and (added := self._append(sheet, rw)) is not None:
                    cells += added
                    continue
                table = self._table_columns(sheet, rw.header_row)
                threaded = [r for r, _ in marks[sheet].threaded] if sheet in marks else []
                done, rows_in = self._write_sheet(sheet, partial(rewrite_grid, rw=rw, table=table),
                                                  create=rw.create_headers is not None, header_row=rw.header_row,
                                                  hidden=rw.hidden, dress=column_dress(rw), fixed=threaded,
                                                  grow=not rw.keep_rows or rw.grow_ranges)
                cells += done
                if rows_in is not None:
                    inserts[sheet] = rows_in
                if sheet in marks:
                    marks[sheet].move(self.book.sheets[sheet], rows_in)
            for sheet, edits in by_sheet.items():
                self.status(f"updating {sheet}")
                cells += self._write_edits(sheet, edits)
            for name, value in self._names.items():
                self._set_name(name, value)
            written = [s for s in {*self._rewrites, *by_sheet} if s in self.sheet_names()]
            self._recolour(written)
            refresh_pivots(self.book, written, [n for s in written for n in _table_names(self.book.sheets[s])])
            try:
                self._links = self._links_by_place(moving, inserts)
            except Exception:  # it only informs: the write is done, and stands
                self._links = []
        finally:
            _show_totals(hidden)
            protect_again(opened)
            app.calculation = calc
            app.screen_updating = screen
            try:
                app.status_bar = False
            except Exception:
                pass
        self._clear()
        return LiveCommit(self.path, cells=cells)

    def _recolour(self, written: Iterable[str]) -> None:
        """The colour rules an earlier prodbook wrote on each sheet written, brought up to date where the run
        read where they read (``rules_read_at``); a sheet Excel will not let change keeps its rules, and the
        write stands."""
        for sheet in written:
            place = self._rule_places.get(sheet.lower())
            if place is None:
                continue
            try:
                if live_colour_rules.bring_up_to_date(self.book.sheets[sheet], self.book.app, place):
                    self._recoloured[sheet] = place.sheet
            except Exception:  # only the colours: the values are written
                continue

    def _name(self, name: str) -> Any:
        """The workbook's name ``name`` (Excel matches names without regard to case; a sheet's own are 'Sheet!x'),
        or None."""
        return next((n for n in self.book.names if str(n.name).lower() == name.lower()), None)

    def defined_name(self, name: str) -> str | None:
        """A workbook-level name's text as Excel holds it, without its '='."""
        try:
            held = self._name(name)
            return None if held is None else str(held.refers_to or "").removeprefix("=")
        except Exception:  # an Excel that will not list its names: as if it had none
            return None

    def _set_name(self, name: str, value: str) -> None:
        """A name prodbook keeps for itself: set, or added hidden from the Name Manager (where Excel lets it)."""
        held = self._name(name)
        if held is not None:
            held.refers_to = "=" + value
            return
        added = self.book.names.add(name, "=" + value)
        try:
            added.api.Visible = False
        except Exception:  # a Mac's Excel (appscript) names it otherwise: the name stays, only visible
            pass

    def _refuse_read_only(self) -> None:
        """A workbook Excel opened read-only (a colleague has the shared tracker open, an e-mail's copy) could not
        be saved over the tracker with the run's changes; saved elsewhere, it would be a copy drifting from it.
        Refused before anything is written. An Excel that does not say is taken as writable."""
        try:
            read_only = ask(self.book.api, "ReadOnly", "read_only") is True
        except Exception:
            return
        if read_only:
            raise UserError(f"'{self.name}' is open read-only in Excel (the title bar says Read-Only: someone else "
                            "has the tracker open, or this is a copy from an e-mail or a download), so its changes "
                            "could not be saved over the tracker, and a copy saved elsewhere would drift from it. "
                            "Nothing was written. Close it and open the tracker itself with edit rights (when a "
                            "colleague has it open, Excel's Notify tells you when it is free), then press the button "
                            "again", file=self.name)

    def _hide_totals(self, hidden: list[Any]) -> None:
        """Turn off the Total row of each Table on a sheet this commit rewrites (Table Design > Total Row), as a
        person would before pasting rows over a Table: the rows then go in and the Table is resized over the
        data alone. ``_show_totals`` turns each on again after, under the new last row, with the totals Excel
        keeps for it (each column's function, the label). Each one turned off is added to ``hidden`` at once."""
        names = set(self.sheet_names())
        for sheet in self._rewrites:
            if sheet not in names:
                continue
            for t in _tables(self.book.sheets[sheet]):
                try:
                    if t.show_totals:
                        t.show_totals = False
                        hidden.append(t)
                except Exception:  # an Excel without the property: the Table is written as before
                    continue

    def _table_columns(self, sheet: str, header_row: int) -> range | None:
        """The 0-based columns of the sheet's Table that starts at ``header_row``; None where there is none."""
        if sheet not in self.sheet_names():
            return None
        for t in _tables(self.book.sheets[sheet]):
            try:
                head = t.header_row_range
                if head is not None and int(head.row) == header_row:
                    return range(int(t.range.column) - 1, int(t.range.last_cell.column))
            except Exception:
                continue
        return None

    def total_rows(self, sheet: str) -> tuple[int, ...]:
        """The sheet's rows that are a Table's Total row, asked of Excel: not records."""
        if sheet not in self.sheet_names():
            return ()
        out = []
        for t in _tables(self.book.sheets[sheet]):
            try:
                if t.show_totals:
                    out.append(int(t.range.last_cell.row))
            except Exception:
                continue
        return tuple(sorted(out))

    def moved_links(self) -> list[MovedLink]:
        """After a write, the team's formulas that read one cell of a rebuilt sheet by its place, where the write
        put another row (``by_place``)."""
        return list(self._links)

    def _rows_moving(self) -> dict[str, RowsMoved]:
        """For each rewrite that carries rows, where its rows go, with the sheet's data end as it is now (its Total
        rows left out: they come back under the new data)."""
        names = self.sheet_names()
        moving: dict[str, RowsMoved] = {}
        for sheet, rw in self._rewrites.items():
            if sheet not in names or rw.source_rows is None or rw.keep_rows:
                continue
            totals = [r - 1 for r in self.total_rows(sheet) if r > rw.header_row]
            moving[sheet] = RowsMoved(rw.header_row, min([self.last_row(sheet), *totals]), rw.header_row + 1,
                                      rw.source_rows)
        return moving

    def _links_by_place(self, moving: dict[str, RowsMoved], inserts: dict[str, Insert]) -> list[MovedLink]:
        """After the write, ``by_place.LinkCheck`` over the formulas of every sheet it did not rewrite, and the
        defined names. Excel moved a reference below the rows it inserted (``inserts``) by as many, as it moved
        those rows: the rows are looked at where the insert put them. A sheet past ``LINK_CELLS`` or that Excel
        cannot read is passed over: this only informs."""
        if not moving:
            return []
        # a link goes where it was typed: Excel's Insert moves no link's place and no text in quotes
        jumps = LinkCheck(dict(moving))
        for sheet, rows_in in inserts.items():
            if sheet in moving:
                m = moving[sheet]
                moving[sheet] = RowsMoved(m.frozen, rows_in.where(m.old_last), m.first_new,
                                          tuple(None if r is None else rows_in.where(r) for r in m.source_rows))
        check = LinkCheck(moving)
        for sheet in self.sheet_names():
            if sheet in self._rewrites:
                continue
            try:
                sht = self.book.sheets[sheet]
                last = sht.used_range.last_cell
                rows, cols = int(last.row), int(last.column)
                if rows * cols > LINK_CELLS:
                    continue
                grid = sht.range((1, 1), (rows, cols)).formula
            except Exception:
                continue
            grid = grid if isinstance(grid, tuple) else ((grid,),)
            cells = {(r, c): f for r, row in enumerate(grid, 1) for c, f in enumerate(row)
                     if isinstance(f, str) and f.startswith("=") and "!" in f}
            check.sheet(sheet, cells)
            check.rules(sheet, rule_formulas(sht), fixed_only=True)
            jumps.jumps(sheet, [(r, c, t) for (r, c), f in cells.items() for t in hyperlink_targets(f)]
                        + link_targets(sht))
        try:
            check.names((str(n.name), str(n.refers_to)) for n in self.book.names)
        except Exception:  # an Excel (or a fake) that does not list them
            pass
        return check.found + jumps.found

    def _marks_to_move(self) -> dict[str, Marks]:
        """The notes and links on the rows each rewrite moves (``Marks``), read before anything is written: a
        write through Excel changes values and leaves notes and links where they were, on another milestone.
        One on a row that goes, or a threaded comment that would move, stops the run here."""
        names = set(self.sheet_names())
        out: dict[str, Marks] = {}
        for sheet, rw in self._rewrites.items():
            if sheet not in names or rw.source_rows is None or rw.keep_rows:
                continue
            marks = read_marks(self.book.sheets[sheet], rw.header_row)
            if marks.empty:
                continue
            moves = row_moves(rw.source_rows, rw.header_row + 1)
            assert moves is not None  # source_rows given
            totals = [r for r in self.total_rows(sheet) if r > rw.header_row]
            for i, r in enumerate(totals):  # a Total row comes back under the new data (``_show_totals``)
                moves[r] = rw.header_row + len(rw.rows) + 1 + i
            marks.check(sheet, self.name, moves)
            out[sheet] = marks.with_moves(moves, frozenset(totals))
        return out

    def _unprotect(self) -> list[tuple[Any, dict[str, Any]]]:
        """Unprotect each protected sheet this commit writes (its locked cells are prodbook's own sheets': the
        job refused the user's), as Review > Unprotect Sheet does without a password, each with the options to
        protect it again. A sheet with a password that the write would pass a locked cell of: every sheet
        protected again, and the run refused before anything is written."""
        edited: dict[str, list[tuple[int, int]]] = {}
        for e in single_cells(self._edits):
            edited.setdefault(e.sheet, []).append((e.row, e.column))
        names = set(self.sheet_names())
        writes = [s for s in self._rewrites if s in names] + [s for s in edited if s not in self._rewrites]
        opened: list[tuple[Any, dict[str, Any]]] = []
        for sheet in writes:
            if self.protection(sheet) is None:
                continue
            sht = self.book.sheets[sheet]
            try:
                options = protect_options(sht.api)
                sht.api.Unprotect("")
            except Exception:
                if sheet not in self._rewrites and not self.locked_cells(sheet, edited[sheet]):
                    continue  # only open cells written (a user sheet's fixes): Excel takes them as it is
                protect_again(opened)
                raise UserError(f"'{sheet}' is protected, and prodbook could not unprotect it for this run's "
                                "write: it is protected with a password (Review > Unprotect Sheet asks for it), "
                                "or this Excel does not let prodbook unprotect it. Nothing was written. Unprotect "
                                "it, press the button again, then protect it again (Review > Protect Sheet)",
                                file=self.name, sheet=sheet) from None
            opened.append((sht, options))
        return opened

    def _write_edits(self, sheet: str, edits: Sequence[CellEdit]) -> int:
        """A run's single-cell edits, without reading the sheet: only the edited cells are written (see
        ``edit_blocks``), so a long sheet does not pass through COM to change a few cells, and the APM's
        cells between two edits are never written back."""
        if sheet not in self.sheet_names():
            raise ValueError(f"the workbook has no sheet '{sheet}'")
        sht = self.book.sheets[sheet]
        cells = edited_cells(edits)
        blocks = edit_blocks(cells)
        if len(blocks) > DIRECT_BLOCKS:
            blocks = edit_blocks(cells, self._taken_back(sht, cells))
        count = self._write_blocks(sht, blocks)
        self._grow_tables(sht, cells)
        return count

    @staticmethod
    def _write_blocks(sht: Any, blocks: list[Block]) -> int:
        """One write per block; the cells written. Through COM a text starting with "=" is entered as a
        formula (what carried formula cells need) and a leading apostrophe keeps text as text."""
        for block in blocks:
            sht.range((block.row, block.col + 1)).value = block.values
        return sum(len(r) for block in blocks for r in block.values)

    @staticmethod
    def _taken_back(sht: Any, cells: dict[tuple[int, int], Any]) -> dict[tuple[int, int], Any]:
        """The cells between edits, in each edited column, that Excel takes back unchanged, with their
        values: two reads a column, from its first edit to its last."""
        span: dict[int, tuple[int, int]] = {}
        for r, c in cells:
            lo, hi = span.get(c, (r, r))
            span[c] = (min(lo, r), max(hi, r))
        out: dict[tuple[int, int], Any] = {}
        for c, (lo, hi) in span.items():
            rng = sht.range((lo, c + 1), (hi, c + 1))
            for i, (vr, fr) in enumerate(zip(_values(rng), _formulas(rng))):
                if (lo + i, c) not in cells and takes_back(vr[0], fr[0]):
                    out[(lo + i, c)] = vr[0]
        return out

    @staticmethod
    def _grow_tables(sht: Any, cells: dict[tuple[int, int], Any]) -> None:
        """A Table over an edited column is stretched down over the edits below it (writes through COM do
        not stretch one, as typing does)."""
        try:
            tables = list(sht.tables)
        except Exception:
            return
        for t in tables:
            rng = t.range
            first, last = int(rng.column), int(rng.last_cell.column)
            below = [r for r, c in cells if first <= c + 1 <= last and r > int(rng.last_cell.row)]
            if below:
                t.resize(sht.range((rng.row, first), (max(below), last)))

    def _cells(self, sheet: str) -> Grid:
        """Typed values, with the formula's text where a cell has one (two reads in all)."""
        rng = self._used(sheet)
        values = rng.options(ndim=2).value
        return merge_formulas(values, _formulas(rng))

    def _write_sheet(self, sheet: str, change: Callable[[Grid], Grid], *, create: bool = False,
                     header_row: int = 1, hidden: bool = False,
                     dress: list[ColumnDress] | None = None,
                     fixed: Sequence[int] = (), grow: bool = True) -> tuple[int, Insert | None]:
        """The sheet's cells made ``change(current)``: the cells written, and the rows inserted first where the
        data grows (``live_rows``: Excel then grows every range over the data, as for a person's Insert). No rows
        go in for rows added below a log's (``grow`` False: Excel leaves a range then), nor where a threaded
        comment sits on a row they would move (``fixed``: it cannot be moved back)."""
        created = sheet not in self.sheet_names()
        if created:
            if not create:
                raise ValueError(f"the workbook has no sheet '{sheet}'")
            added = self.book.sheets.add(sheet, after=self.book.sheets[-1])
            if hidden:  # as the file back end creates it (Home > Format > Unhide shows it)
                try:
                    added.visible = False
                except Exception:  # xlwings before 0.21.1: the sheet stays in view, nothing lost
                    pass
            current: Grid = []
        else:
            current = self._cells(sheet)
        new = change(current)
        sht = self.book.sheets[sheet]
        rows_in = insert_for(current, new, header_row) if grow and not created else None
        if rows_in is not None and all(r < rows_in.at for r in fixed) and live_rows.insert(sht, rows_in):
            # the grid was made from the formulas read before the Insert: its fixed ranges grown as Excel grew them
            end = data_end(new, header_row)
            new = grown(new, sheet, header_row, rows_in, end)
            current = inserted(current, rows_in, header_row, sheet)
        else:
            rows_in = None
        count = self._write_blocks(sht, changed_blocks(current, new))
        self._fit_table(sht, header_row, new, create)
        if created and dress is not None:
            self._dress(sht, header_row, dress)
        return count, rows_in

    @staticmethod
    def _dress(sht: Any, header_row: int, columns: list[ColumnDress]) -> None:
        """A sheet this run created, shown as the file back end shows one: widths, number formats, long
        text wrapped, the header white on blue. A call this Excel or xlwings lacks is skipped (the values
        are in). A new sheet's colour rules are left to the file back end (``live_colour_rules`` only brings
        an earlier prodbook's up to date, in place): Excel reads a rule's relative references from the active
        cell, which only Excel itself can prove right."""
        def setting(target: Any, name: str, value: Any) -> None:
            try:
                setattr(target, name, value)
            except Exception:
                pass

        for j, col in enumerate(columns, 1):
            setting(sht.range((header_row, j)), "column_width", col.width)
            body = sht.range((header_row + 1, j), (SHEET_ROWS, j))  # the column below: later rows too
            if col.number_format:
                setting(body, "number_format", col.number_format)
            if col.wrap:
                setting(body, "wrap_text", True)
        if columns:
            head = sht.range((header_row, 1), (header_row, len(columns)))
            setting(head, "color", "#" + HEADER_FILL)
            try:
                setting(head.font, "bold", True)
                setting(head.font, "color", "#" + HEADER_FONT)
            except Exception:
                pass

    def _append(self, sheet: str, rw: SheetRewrite) -> int | None:
        """Rows added below a long sheet's (the Change Log's each run): only its last rows are read, to find
        where its data ends, and only the new rows written; a log of a million rows costs what its new
        rows cost. ``rw.drop_rows`` first rows below the header are deleted first, by Excel, whole rows (the
        day the log's oldest runs move out: the rows that stay move up without passing through Python).
        None where the last rows read are all blank (the full way then reads the sheet)."""
        sht = self.book.sheets[sheet]
        last_cell = sht.used_range.last_cell
        last, width = int(last_cell.row), max(int(last_cell.column), max(rw.columns, default=0) + 1)
        hr = rw.header_row
        start = max(hr + 1, last - APPEND_LOOK_BACK + 1)
        end = hr
        if last >= start:
            tail = sht.range((start, 1), (last, width)).options(ndim=2).value
            end = next((start + i for i in range(len(tail) - 1, -1, -1) if not blank(tail[i])), hr)
            if end == hr and start > hr + 1:
                return None
        if rw.drop_rows:
            drop = min(rw.drop_rows, end - hr)
            if drop > 0:
                sht.range(f"{hr + 1}:{hr + drop}").delete(shift="up")
                end -= drop
        if not rw.rows:
            if rw.drop_rows:
                self._fit_table_to(sht, hr, end, width, create=False)
            return 0
        block = []
        for values in rw.rows:
            row: list[Any] = [None] * width
            for c, v in zip(rw.columns, values, strict=True):
                row[c] = excel_value(v)
            block.append(row)
        sht.range((end + 1, 1)).value = block
        self._fit_table_to(sht, hr, end + len(block), width, create=False)
        return len(block) * len(rw.columns)

    @staticmethod
    def _fit_table(sht: Any, header_row: int, grid: Grid, create: bool) -> None:
        """Keep the sheet's Excel Table (if any) over exactly the header and data rows."""
        width = max((len(r) for r in grid[header_row - 1:header_row]), default=1)
        XlBook._fit_table_to(sht, header_row, data_end(grid, header_row), width, create)

    @staticmethod
    def _fit_table_to(sht: Any, header_row: int, last: int, width: int, create: bool) -> None:
        """``_fit_table`` for a sheet whose last data row and width are known."""
        try:
            tables = list(sht.tables)
        except Exception:
            return
        target = sht.range((header_row, 1), (max(last, header_row + 1), width))
        if create and not tables:
            try:
                sht.tables.add(source=target)
            except Exception:
                pass
            return
        for t in tables:
            if t.header_row_range is not None and t.header_row_range.row == header_row:
                t.resize(target)


def _tables(sht: Any) -> list[Any]:
    """The sheet's Tables; none where this xlwings cannot list them."""
    try:
        return list(sht.tables)
    except Exception:
        return []


SPAN_GAP = 256
"""Rows of one column this far apart are read in calls of their own (``row_spans``): one call over a few
blank rows costs less than two, one over a long T&A between two rows far more."""


def row_spans(rows: Iterable[int], gap: int = SPAN_GAP) -> list[list[int]]:
    """The rows, sorted and once each, in runs whose neighbours are at most ``gap`` rows apart."""
    spans: list[list[int]] = []
    for r in sorted(set(rows)):
        if spans and r - spans[-1][-1] <= gap:
            spans[-1].append(r)
        else:
            spans.append([r])
    return spans


def _table_names(sht: Any) -> list[str]:
    """The names of the sheet's Tables (Table Design > Table Name), as far as this xlwings tells them."""
    names = []
    for t in _tables(sht):
        try:
            names.append(str(t.name))
        except Exception:
            continue
    return names


def _show_totals(tables: list[Any]) -> None:
    """The Total rows ``XlBook._hide_totals`` turned off, on again (a failure leaves one off: the data is in)."""
    for t in tables:
        try:
            t.show_totals = True
        except Exception:
            pass


__all__ = ["Block", "LiveCommit", "XlBook", "changed_blocks", "edit_blocks", "edited_cells",
           "excel_value", "keeps_as_typed", "merge_formulas", "rewrite_grid", "takes_back"]
