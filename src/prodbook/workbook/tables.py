"""From raw sheet cells to clean tables: find the header, map it, normalise cells.

Pure functions over lists of cell values, shared by both back ends. Teams
keep their own headers and title rows; this is where their layout meets the
default one (``prodbook.core.model.sheets``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from operator import itemgetter
from typing import Any, cast

import numpy as np
import pandas as pd
from pydantic import ValidationError

from prodbook.core.cells import (
    NA,
    NA_WORDS,
    CellError,
    DateOrder,
    column_letter,
    comma_column,
    first_date,
    in_excel_range,
    in_unit,
    is_blank,
    is_missing,
    not_yet,
    order_shown,
    reads_both_ways,
    shown_digits,
    to_bool,
    to_date,
    to_int,
    to_number,
    to_text,
)
from prodbook.core.changes import as_logged_number
from prodbook.core.config import Config
from prodbook.core.findings import Code, Finding, UserError, error, info, warning
from prodbook.core.keys import fold_text, shown_key, upper_stripped
from prodbook.core.model.records import Record
from prodbook.core.model.sheets import (
    HEADER_UNITS,
    Column,
    Kind,
    SheetSpec,
    header_unit,
    normalise_header,
    unit_fits,
)
from prodbook.core.wip import unit_size

HEADER_SCAN_ROWS = 12



@dataclass
class Table:
    """A sheet read into a DataFrame of fields, remembering where each came from."""

    spec: SheetSpec
    sheet: str
    """The sheet's name in this workbook."""
    header_row: int
    """1-based Excel row of the header."""
    columns: dict[str, int]
    """field -> 0-based column index in the sheet."""
    headers: list[str]
    """Every header cell's text, extras included (index = column)."""
    frame: pd.DataFrame
    """One row per non-blank data row: the fields, plus ``_row`` (Excel row number)."""
    findings: list[Finding] = field(default_factory=list)
    exists: bool = True

    def header_of(self, field_name: str) -> str:
        idx = self.columns.get(field_name)
        return self.headers[idx] if idx is not None else self.spec.column(field_name).header

    def unread_cells(self, fields: Iterable[str]) -> set[tuple[int, str]]:
        """(Excel row, field) of the cells of ``fields`` the column could not read ('TBC' in a date column,
        held as blank): the cells whose text a job keeps or logs as written (``Tracker.cell_as_written``)."""
        theirs = {self.headers[self.columns[f]]: f for f in fields if f in self.columns}
        return {(int(f.row), theirs[str(f.column)]) for f in self.findings if f.row and f.column in theirs}

    def header_at(self, column: int) -> str:
        """The header over a 0-based column; its letter where the column has none (a team's extra column)."""
        return self.headers[column] if column < len(self.headers) and self.headers[column] else column_letter(column)

    end_row: int = 0
    """The sheet's last row holding anything (0: not known, use the data)."""
    new_header: bool = False
    """A sheet prodbook owns with no header it recognises: its header is to be written in
    ``header_row``, below what the sheet holds (which stays as it is)."""
    refusal: str | None = None
    """Why prodbook will not write into this sheet (no header, and no room to add one)."""
    notice: Finding | None = None
    """What to tell the user when the new header is written."""
    typed: dict[tuple[int, str], Any] = field(default_factory=dict)
    """(Excel row, field) -> a key cell of a sheet prodbook writes whose reading tidied it (a PO # typed as a
    number, a Color with a space after it), as the sheet holds it: a rewrite puts it back so (``_tidied``)."""

    @property
    def last_row(self) -> int:
        data = int(self.frame["_row"].max()) if len(self.frame) else self.header_row
        return max(data, self.end_row)

    def as_typed(self, rows: pd.DataFrame, at: pd.Series,
                 keep: Callable[[int, str, Any], bool] | None = None) -> pd.DataFrame:
        """``rows`` with each key cell of this sheet the APM typed (``typed``) put back as typed, at the
        position ``at`` maps its Excel row to (rows not in ``at`` are not written there): the one place a
        rewrite, the archive and undo restore them. ``keep(position, field, value there)`` says whether to
        (undo: only where it left the key as read). Only those cells are looked at; ``rows`` is not changed."""
        out: dict[str, np.ndarray] = {}
        for (row, f), value in self.typed.items():
            n = at.get(row)
            if n is None or f not in rows.columns:
                continue
            column = out.setdefault(f, rows[f].to_numpy(dtype=object, copy=True))
            if keep is None or keep(int(n), f, column[int(n)]):
                column[int(n)] = value
        return rows.assign(**out) if out else rows


TEAMS, OURS, SYNONYM = 0, 1, 2
"""How a header names its field, best first: the team's own header (Config 'Column:'), prodbook's header, one
of its synonyms. A column named the better way wins: the team's 'Target' (a synonym of Planned) left of
prodbook's 'Planned' is the team's, and never written over."""


def _lookup(spec: SheetSpec, config: Config) -> dict[str, tuple[str, int]]:
    """Folded header -> (field, how it names it: TEAMS, OURS or SYNONYM), the team's own headers first."""
    table: dict[str, tuple[str, int]] = {}
    for header, theirs in config.headers.get(spec.name, {}).items():
        try:
            table.setdefault(normalise_header(theirs), (spec.column(_field_by_header(spec, header)).field, TEAMS))
        except KeyError:
            continue
    for col in spec.columns:
        table.setdefault(normalise_header(col.header), (col.field, OURS))
        for text in col.synonyms:
            table.setdefault(normalise_header(text), (col.field, SYNONYM))
    return table


def _hit(lookup: Mapping[str, tuple[str, int]], spec: SheetSpec, text: str) -> tuple[str, int] | None:
    """The field a header cell names, and how (``_lookup``); None for a column of the team's. A header prodbook
    does not know whose trailing unit in brackets is the field's own ('Qty (pcs)', 'Retail ($)', ``HEADER_UNITS``)
    is read without it, as a synonym: 'FOB (USD)' and 'Variance (days)' are found as written first, and 'Qty (Dzn)'
    counts dozens, not pieces, so it is not Qty."""
    hit = lookup.get(normalise_header(text)) if text else None
    if hit is not None or (bare := header_unit(text)) is None:
        return hit
    head, unit = bare
    hit = lookup.get(normalise_header(head))
    if hit is None or hit[1] == TEAMS or not unit_fits(spec.column(hit[0]), unit):
        return None
    return hit[0], SYNONYM


def _field_by_header(spec: SheetSpec, header: str) -> str:
    for col in spec.columns:
        if normalise_header(col.header) == normalise_header(header):
            return col.field
    raise KeyError(header)


def map_header(rows: Sequence[Sequence[Any]], spec: SheetSpec, config: Config,
               hidden: Callable[[], AbstractSet[int]] | None = None) -> tuple[int, dict[str, int], list[str]]:
    """Find the header row among the first rows and map its cells to fields.

    Returns (1-based header row, field -> column index, header texts; 0 when
    no row qualifies). The row with the most recognised headers wins; title
    rows above it are ignored. On a sheet prodbook owns, one recognised word
    is a title ('Notes'), not a header: prodbook writes every header it owns.
    ``hidden``: the sheet's hidden columns (0-based), asked for only when two columns name one field: a
    visible one wins over a hidden one named as well (an old Ex-Factory column the team hid).
    """
    lookup = _lookup(spec, config)
    shut: frozenset[int] | None = None
    least = 2 if spec.generated and len(spec.columns) > 2 else 1
    best: tuple[int, int, dict[str, int], list[str]] = (0, least - 1, {}, [])
    for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        texts = ["" if is_blank(v) else str(v).strip() for v in row]
        candidates: dict[str, list[tuple[int, int]]] = {}  # field -> [(how, column)]
        for c, text in enumerate(texts):
            hit = _hit(lookup, spec, text)
            if hit is not None:
                candidates.setdefault(hit[0], []).append((hit[1], c))
        if shut is None and hidden is not None and any(len(v) > 1 for v in candidates.values()):
            shut = frozenset(hidden())  # asked once a sheet, and only when there is a choice
        mapping = dict(sorted(((f, _best(v, shut or frozenset(), ours=spec.generated))
                               for f, v in candidates.items()), key=lambda fc: fc[1]))
        if len(mapping) > best[1]:
            best = (r + 1, len(mapping), mapping, texts)
    return best[0], best[2], best[3]


def _best(candidates: list[tuple[int, int]], hidden: AbstractSet[int], *, ours: bool = False) -> int:
    """The column a field is read from, of its (how named, column) candidates: the team's own (Config) first,
    then a visible one, then the better named, then the first. On a sheet prodbook writes (``ours``) its own
    header comes before visibility: the team hid prodbook's Planned, and its visible 'Target' is still theirs,
    never written over."""
    if ours:
        return min(candidates, key=lambda hc: (hc[0] != TEAMS, hc[0], hc[1] in hidden, hc[1]))[1]
    return min(candidates, key=lambda hc: (hc[0] != TEAMS, hc[1] in hidden, hc[0], hc[1]))[1]


_PARSERS = {Kind.TEXT: to_text, Kind.INT: to_int, Kind.NUMBER: to_number, Kind.BOOL: to_bool}
_BAD = {Kind.DATE: Code.BAD_DATE, Kind.DATETIME: Code.BAD_DATE, Kind.INT: Code.BAD_NUMBER,
        Kind.NUMBER: Code.BAD_NUMBER}


def _unread(raw: Any, exc: CellError, col: Column, fix: str, **where: Any) -> Finding:
    """The finding at a cell its column could not read (the cell is read as blank). A word for a date not known
    yet ('TBC', 'to be confirmed': ``cells.not_yet``) in a column that takes one (``Column.not_yet``: the Orders
    dates) is a warning of its own: the team meant it, and the line is planned without the date. Anything else
    is a bad cell, with what to do (``fix``)."""
    if col.not_yet and not_yet(raw):
        header = " ".join(str(where["column"]).split())
        return warning(Code.DATE_NOT_YET, f"'{str(raw).strip()}' in {header} says the date is not known yet, so "
                       f"prodbook reads the cell as blank: the PO line is planned from its other dates, and the T&A "
                       f"milestones that hang on its {header} wait for the date, with no Planned date. Type the "
                       f"{header} date in the cell once it is confirmed", value=raw, **where)
    return error(_BAD.get(col.kind, Code.BAD_VALUE), f"{exc}{fix}", value=raw, **where)


def _datetime(value: Any, order: DateOrder, date1904: bool) -> Any:
    if isinstance(value, datetime):
        return in_excel_range(value, date1904)
    d = to_date(value, order, date1904)
    return None if d is None else datetime(d.year, d.month, d.day)


def _text_dates_both_ways(cells: list[Any], order: DateOrder, *, file: str, sheet: str, first_row: int,
                          column: str) -> list[Finding]:
    """A date column whose text dates show the other order than Config Date Order ('25/12/2026' can only be
    day first where the workbook reads 03/04 month first): its dates that read both ways ('12/01/2026') were
    read in Date Order, most likely the wrong way round. One warning at the first such cell, naming both."""
    texts = [(i, v.strip()) for i, v in enumerate(cells) if type(v) is str]
    if not texts:
        return []
    other = next(((i, t) for i, t in texts if (o := order_shown(t)) is not None and o is not order), None)
    if other is None:
        return []
    both = [(i, t) for i, t in texts if reads_both_ways(t)]
    if not both:
        return []
    (i, t), (j, u) = both[0], other
    more = f" and {len(both) - 1:,} more" if len(both) > 1 else ""
    shown = DateOrder.DMY if order is DateOrder.MDY else DateOrder.MDY
    return [warning(Code.DATE_ORDER, f"this column's text dates are written both ways: '{u}' (row {first_row + j}) "
                    f"can only be {shown}, but '{t}'{more} read(s) both ways and was read {order} (Config Date "
                    f"Order). If this column is written {shown}, type its dates again as dates (or set Date Order "
                    f"to {shown} on the Config sheet) and check them", file=file, sheet=sheet, row=first_row + i,
                    column=column, value=t)]


def _in_unit(cells: list[Any], unit: str) -> tuple[list[Any], dict[int, str]]:
    """A number column's text cells with the column's unit taken off (``cells.in_unit``), and the cells in
    another unit (a price in EUR) with what is wrong: read as blank, as any cell that is not a number."""
    out = list(cells)
    other: dict[int, str] = {}
    for i, v in enumerate(cells):
        if isinstance(v, str):
            try:
                out[i] = in_unit(v, unit)
            except CellError as exc:
                other[i], out[i] = str(exc), None
    return out, other


def _convert_cells(cells: list[Any], kind: Kind, user: bool, order: DateOrder, date1904: bool,
                   filled: list[bool], report: Any, *, strip: bool = True) -> list[Any]:
    """One column's cells, normalised one by one; marks non-blank rows in ``filled``; bad cells reported.

    The reference for ``_convert`` (which gives the same answer a column at a time) and its
    fallback for the cells that do not fit a vectorised path.
    """
    out: list[Any] = [None] * len(cells)
    parse = _PARSERS.get(kind)  # None for DATE and DATETIME, which are read by _one
    for i, raw in enumerate(cells):
        t = type(raw)
        if raw is None or (t is str and not raw.strip()) or (t is float and raw != raw):
            continue
        filled[i] = True
        try:
            out[i] = _one(raw, kind, user, order, date1904, parse, strip)
        except CellError as exc:
            report(i, raw, exc)
    return out


def _one(raw: Any, kind: Kind, user: bool, order: DateOrder, date1904: bool, parse: Any,
         strip: bool = True) -> Any:
    """One non-blank cell, normalised; raises ``CellError`` for a bad one."""
    t = type(raw)
    if kind is Kind.TEXT and t is str:
        return (raw.strip() if strip else raw) if raw[0] != "#" else to_text(raw)
    if kind is Kind.DATE and (t is date):
        return in_excel_range(raw, date1904)
    if kind is Kind.DATE and user and t is str and raw.strip().lower() in NA_WORDS:
        return NA
    if kind is Kind.DATE:
        return to_date(raw, order, date1904)
    if kind is Kind.DATETIME:
        return _datetime(raw, order, date1904)
    assert parse is not None, kind  # every other Kind has a parser
    return parse(raw)


_EPOCH_1900 = np.datetime64("1899-12-30", "D")
_EPOCH_1904 = np.datetime64("1904-01-01", "D")
_MAX_SERIAL = 2958465  # 9999-12-31


def _convert(cells: list[Any], kind: Kind, user: bool, order: DateOrder, date1904: bool,
             filled: np.ndarray, report: Any, *, strip: bool = True) -> np.ndarray:
    """One column's cells, normalised a column at a time; ORs non-blank rows into ``filled``.

    Gives exactly what ``_convert_cells`` gives (tests/test_tables_columnar.py holds it to that):
    text is converted once per distinct value, serial dates and numbers with numpy, ready dates
    as they are; any other cell, and every cell whose value is bad, goes through the per-cell
    path, so each finding (row, column, value) is reported as before, in row order. ``strip`` False: text
    keeps its outer spaces (a logged value, put back as it was).
    """
    n = len(cells)
    out = np.empty(n, dtype=object)
    if not n:
        return out
    parse = _PARSERS.get(kind)
    none = np.zeros(n, dtype=bool)
    present = set(map(type, cells))
    if len(present) == 1:  # the usual column: one type throughout
        of_type = {present.pop(): np.ones(n, dtype=bool)}
    else:
        codes_t, kinds = pd.factorize(np.fromiter(map(type, cells), dtype=object, count=n))
        of_type = {t: codes_t == k for k, t in enumerate(kinds)}
    arr = np.empty(n, dtype=object)
    arr[:] = cells
    done = of_type.get(type(None), none).copy()  # blank cells: nothing to do
    is_str = of_type.get(str, none)
    if is_str.any():
        idx = np.flatnonzero(is_str)
        codes, uniques = pd.factorize(arr[idx])
        values = np.empty(len(uniques), dtype=object)
        values[:] = [t.strip() for t in uniques]  # text in a text column: this, unless '#...'
        blank = values == ""
        if not strip:  # a logged value, as written: ' called281' keeps its space
            values[~blank] = uniques[~blank]
        failed = np.zeros(len(uniques), dtype=bool)
        todo = ([u for u, t in enumerate(uniques) if t[:1] == "#"] if kind is Kind.TEXT
                else np.flatnonzero(~blank))
        for u in todo:
            try:
                values[u] = _one(uniques[u], kind, user, order, date1904, parse)
            except CellError:
                failed[u] = True
        got, bad = values[codes], failed[codes]
        ok = ~blank[codes] & ~bad
        out[idx[ok]] = got[ok]
        filled[idx[ok]] = True
        done[idx[~bad]] = True
    is_float = of_type.get(float, none)
    if is_float.any():
        idx = np.flatnonzero(is_float)
        x = arr[idx].astype(np.float64)
        nan = np.isnan(x)
        done[idx[nan]] = True
        fit = _float_fit(x, kind, date1904) & ~nan
        if fit.any():
            out[idx[fit]] = _floats(x[fit], kind, date1904)
            filled[idx[fit]] = True
            done[idx[fit]] = True
    ready = {Kind.DATE: date, Kind.DATETIME: datetime}.get(kind)
    if ready is not None:
        same = of_type.get(ready, none)
        if same.any():  # a date Excel cannot store takes the per-cell path, which says so
            first = first_date(date1904)
            where = np.flatnonzero(same)
            same = same.copy()
            earliest: date = first if kind is Kind.DATE else datetime(first.year, first.month, first.day)
            same[where[~np.asarray(cast(Any, arr[where]) >= earliest, dtype=bool)]] = False
        out[same] = arr[same]
        filled[same] = True
        done |= same
    rest = np.flatnonzero(~done)
    if len(rest):
        mark = [False] * len(rest)
        errors: list[tuple[int, Any, CellError]] = []
        one_by_one = _convert_cells([cells[i] for i in rest], kind, user, order, date1904, mark,
                                    lambda j, raw, exc: errors.append((int(rest[j]), raw, exc)), strip=strip)
        for j, at in enumerate(rest.tolist()):
            out[at] = one_by_one[j]
        filled[rest[np.array(mark, dtype=bool)]] = True
        for i, raw, exc in errors:
            report(i, raw, exc)
    return out


def _float_fit(x: np.ndarray, kind: Kind, date1904: bool) -> np.ndarray:
    """The numbers the vectorised path gives the per-cell answer for (the rest take that path)."""
    if kind in (Kind.DATE, Kind.DATETIME):
        whole = np.floor(x)
        compact = (x >= 19000101) & (x <= 29991231) & (whole == x)  # 20270315 read as text
        lo, hi = (0, _MAX_SERIAL - 1462) if date1904 else (1, _MAX_SERIAL)
        return np.isfinite(x) & (whole >= lo) & (whole <= hi) & ~compact & (date1904 | (whole != 60))
    if kind is Kind.NUMBER:
        return np.isfinite(x)
    if kind is Kind.INT:
        return np.isfinite(x) & (np.floor(x) == x) & (np.abs(x) < 2.0 ** 53)
    return np.zeros(len(x), dtype=bool)  # text and Yes/No: per cell ('-0.0' is not '0.0')


def _floats(x: np.ndarray, kind: Kind, date1904: bool) -> np.ndarray:
    """Numbers that fit (``_float_fit``) as the per-cell path gives them, as Python objects."""
    out = np.empty(len(x), dtype=object)
    if kind in (Kind.DATE, Kind.DATETIME):
        n = np.floor(x).astype(np.int64)
        if date1904:
            days = _EPOCH_1904 + n.astype("timedelta64[D]")
        else:  # serials up to 59 fall before Excel's phantom 29 February 1900
            days = _EPOCH_1900 + np.where(n > 60, n, n + 1).astype("timedelta64[D]")
        out[:] = (days.astype("datetime64[us]") if kind is Kind.DATETIME else days).tolist()
    elif kind is Kind.INT:
        out[:] = x.astype(np.int64).tolist()
    else:
        out[:] = x.tolist()
    return out


Merge = tuple[tuple[int, int], tuple[int, int]]
"""A merged range as calamine gives it: ((first row, first col), (last row, last col)), 0-based."""


def range_text(merge: Merge) -> str:
    (r1, c1), (r2, c2) = merge
    return f"{column_letter(c1)}{r1 + 1}:{column_letter(c2)}{r2 + 1}"


def check_merged_header(merged: Sequence[Merge], header_row: int, *, sheet: str, file: str) -> None:
    """Stop on merged cells in the header row: the merge hides every header but its first.

    Excel keeps only the first cell's text, so the columns under the rest of the
    merge have no header: their data would be read as nothing, and a missing
    column would be added beside data it belongs to. A merged title above the
    header is harmless and allowed.
    """
    for merge in merged:
        (r1, _), (r2, _) = merge
        if header_row and r1 + 1 <= header_row <= r2 + 1 and merge[0] != merge[1]:
            rng = range_text(merge)
            raise UserError(
                f"the header row holds merged cells {rng}: Excel keeps only the first cell's text, so a "
                f"column under them has no header prodbook can read. Select {rng}, click Home > Merge & "
                f"Center to unmerge them, type each column's header in its own cell in row {header_row}, "
                "save, and run prodbook again. Nothing was written", file=file, sheet=sheet, row=header_row)


def _headerless(rows: Sequence[Sequence[Any]], spec: SheetSpec, sheet: str, file: str,
                merged: Sequence[Merge]) -> Table:
    """A sheet prodbook owns that holds no header it recognises (a title, a note, other content).

    Its header goes below what it holds, after one blank row, and what it holds
    stays as it is, untouched. The header must fall within the rows the next run
    searches (``HEADER_SCAN_ROWS``); a sheet with more content than that is
    refused, with what to do, rather than written under a header that would not
    be found again.
    """
    end = len(rows)
    while end and all(is_blank(v) for v in rows[end - 1]):
        end -= 1
    end = max([end, *(r2 + 1 for (_, _), (r2, _) in merged)])
    at = end + 2 if end else 1
    frame = pd.DataFrame(columns=[*spec.fields, "_row"])
    if at > HEADER_SCAN_ROWS:
        refusal = (f"sheet '{sheet}' holds {end} rows but none of them is a header prodbook recognises, so "
                   f"prodbook did not write its {spec.name} rows there. Rename that sheet (prodbook then adds "
                   f"a new '{sheet}'), or type the headers {', '.join(spec.headers[:4])}... in a row among its "
                   f"first {HEADER_SCAN_ROWS}, or name another sheet in Config as 'Sheet: {spec.name}'. "
                   "Nothing was written")
        return Table(spec, sheet, at, {}, [], frame, [], end_row=end, new_header=True, refusal=refusal)
    kept = f", below the {end} row(s) it already holds, which stay as they are" if end else ""
    note = warning(Code.HEADER_ADDED, f"this sheet had no header row prodbook recognises, so prodbook puts "
                   f"its headers ({', '.join(spec.headers[:3])}...) in row {at}{kept}", file=file,
                   sheet=sheet, row=at)
    return Table(spec, sheet, at, {}, [], frame, [], end_row=end, new_header=True, notice=note)


def _header_notes(texts: Sequence[str], header_row: int, mapped: dict[str, int], spec: SheetSpec, config: Config,
                  *, file: str, sheet: str, hidden: Callable[[], AbstractSet[int]] | None = None) -> list[Finding]:
    """What the header row leaves in doubt: a Config 'Column:' naming a header the row does not have (a typo:
    the field would be read from nowhere, or from a column of prodbook's name), two columns named
    equally well for one field (the first is read; a mapping settles it), and on the team's own sheets a header
    prodbook does not read that begins as a field's does, the field read from no column (``_near_misses``)."""
    out: list[Finding] = []
    folded = [normalise_header(t) for t in texts]
    raw, texts = texts, [" ".join(t.split()) for t in texts]  # a header typed over two lines, said on one
    prodbooks = _lookup(spec, Config())  # the names prodbook finds each field by, without the team's
    for ours, theirs in config.headers.get(spec.name, {}).items():
        if normalise_header(theirs) not in folded:
            shown = ", ".join(f"'{t}'" for t in texts if t)
            out.append(warning(Code.COLUMN_MISSING, f"Config 'Column: {spec.name} / {ours}' names the column "
                               f"'{theirs}', which the header row of this sheet does not have (it has {shown}); "
                               "correct the name on the Config sheet", file=file, sheet=sheet, row=header_row,
                               value=theirs))
            continue
        hit = prodbooks.get(normalise_header(theirs))  # another field's own header or synonym?
        own = prodbooks.get(normalise_header(ours), ("", OURS))[0]
        taken = spec.column(hit[0]) if hit is not None and hit[0] != own else None
        if taken is not None and taken.field not in mapped and taken.header not in config.headers[spec.name]:
            out.append(warning(Code.COLUMN_MISSING, f"Config 'Column: {spec.name} / {ours}' names '{theirs}', "
                               f"which is how prodbook finds {taken.header}: {taken.header} is now read from no "
                               f"column. If that is right, leave it; else name its column too: 'Column: "
                               f"{spec.name} / {taken.header}' = your header", file=file, sheet=sheet,
                               row=header_row, value=theirs))
    lookup = _lookup(spec, config)
    hits = [_hit(lookup, spec, t) for t in raw]
    shut: AbstractSet[int] | None = None
    for f, c in mapped.items():
        how = cast(tuple[str, int], hits[c])[1]
        rivals = [i for i, h in enumerate(hits) if i != c and h == (f, how)]
        if not rivals or how == TEAMS:
            continue
        if shut is None:
            shut = hidden() if hidden is not None else frozenset()
        if c not in shut and all(i in shut for i in rivals):
            continue  # the others are hidden: the visible one is read, as the team means
        header, other = spec.column(f).header, texts[rivals[0]]
        if folded[rivals[0]] == folded[c]:  # named alike: no Config line can tell them apart
            advice = (f"If '{other}' in column {column_letter(rivals[0])} is the one, rename one of the two "
                      "(a Config 'Column:' line names a header, and these read the same)")
        else:
            advice = (f"If '{other}' is the one, name it on the Config sheet: 'Column: {spec.name} / {header}' = "
                      f"'{other}'")
        out.append(warning(Code.COLUMN_MISSING, f"the columns '{texts[c]}' ({column_letter(c)}) and '{other}' "
                           f"({column_letter(rivals[0])}) both read as {header}; prodbook reads '{texts[c]}'. "
                           f"{advice}", file=file, sheet=sheet, row=header_row, column=raw[c]))
    if not spec.generated:
        out += _near_misses(raw, hits, header_row, mapped, spec, file=file, sheet=sheet)
    return out


_UNIT_NAMES = {"pcs": "pieces", "USD": "US dollars", "g/m2": "g/m2"}
_HEADER_WORDS = re.compile(r"[^\s()\[\]]+")


def _near_misses(texts: Sequence[str], hits: Sequence[tuple[str, int] | None], header_row: int,
                 mapped: Mapping[str, int], spec: SheetSpec, *, file: str, sheet: str) -> list[Finding]:
    """Headers of the team's that prodbook does not read but that begin with a field's header or synonym, the
    field read from no column ('Qty Ordered', 'Ex-Fty Date (Final)', 'Qty (Dzn)'): kept and not read, silently,
    until now. One note a column, with the Config line that reads it; a unit in brackets that is not the
    field's ('Qty (Dzn)': dozens, not pieces) is said instead, as the line would read it wrong."""
    names: dict[str, str] = {}
    for col in spec.columns:
        for name in (col.header, *col.synonyms):
            names.setdefault(normalise_header(name), col.field)
    out: list[Finding] = []
    for c, text in enumerate(texts):
        if not text or hits[c] is not None:
            continue
        parts = _HEADER_WORDS.findall(text)
        near = next((names[k] for n in range(len(parts) - 1, 0, -1)
                     if (k := normalise_header(" ".join(parts[:n]))) in names), None)
        if near is None or near in mapped:
            continue
        col, shown, letter = spec.column(near), " ".join(text.split()), column_letter(c)
        line = f"'Column: {spec.name} / {col.header}' = '{shown}'"
        bare = header_unit(text)
        if col.unit in HEADER_UNITS and bare is not None and not unit_fits(col, bare[1]):
            if col.unit == "pcs" and unit_size(text) == 12:
                said = (f"column {letter} '{shown}' is not read as {col.header}: it counts dozens, and prodbook "
                        f"reads {col.header} in pieces (a dozen is 12). Add a column headed '{col.header}' with the "
                        f"pieces (={letter}{header_row + 1}*12, filled down), or type the quantities in pieces")
            else:
                said = (f"column {letter} '{shown}' is not read as {col.header}: prodbook reads {col.header} in "
                        f"{_UNIT_NAMES[col.unit]}, and this header gives another unit. Add a column in "
                        f"{_UNIT_NAMES[col.unit]} headed '{col.header}'; if the column is in "
                        f"{_UNIT_NAMES[col.unit]} after all, add the Config line {line}")
        else:
            said = (f"prodbook does not read column {letter} '{shown}', and reads {col.header} from no column. If "
                    f"this column holds {col.header}, add the line {line} to the Config sheet (or the file "
                    "prodbook.toml); if not, leave it: it stays as you typed it")
        out.append(info(Code.COLUMN_MISSING, said, file=file, sheet=sheet, row=header_row, column=text))
    return out


def read_table(rows: Sequence[Sequence[Any]], spec: SheetSpec, config: Config, *, sheet: str,
               file: str, date1904: bool = False, only: Sequence[str] | None = None,
               merged: Sequence[Merge] = (),
               header: tuple[int, dict[str, int], list[str]] | None = None,
               own_header: tuple[int, dict[str, int], list[str]] | None = None,
               hidden: Callable[[], AbstractSet[int]] | None = None,
               digit_formats: Callable[[Iterable[tuple[int, int]]], Mapping[tuple[int, int], str]] | None = None,
               known: Callable[[str], AbstractSet[str]] | None = None) -> Table:
    """Map and normalise one sheet. Bad cells become findings and blanks, never exceptions.

    ``only`` limits the fields converted (the header is still mapped in full).
    ``merged``: the sheet's merged ranges; one in the header row stops the run.
    ``header``: (1-based last header row, field -> column, header texts) already found by meaning (a
    vendor's file, ``core.headers``); by default the header is found by the sheet's own headers.
    ``own_header``: that default, already mapped by the caller (``map_header`` with the same ``hidden``), read
    as if mapped here: the header is mapped once.
    ``hidden``: the sheet's hidden columns, when asked (``map_header``).
    ``digit_formats``: of some cells (Excel row, 0-based column), those whose format pads or punctuates a whole
    number, with its code (``Backend.digit_formats``): a text column of the team's reads what such a cell shows.
    ``known``: of a field with guarded synonyms (``Column.guarded``), the values its cells may hold, folded
    (``keys.fold_text``): a column headed by such a synonym is read only when its cells are among them.
    """
    header_row, mapped, headers = header if header is not None else own_header if own_header is not None \
        else map_header(rows, spec, config, hidden)
    check_merged_header(merged, header_row, sheet=sheet, file=file)
    findings: list[Finding] = []
    if header is None and known is not None and header_row:
        mapped, findings = _guarded(rows, header_row, mapped, headers, spec, config, known, file=file, sheet=sheet)
    columns = mapped if only is None else {f: c for f, c in mapped.items() if f in only}
    if header_row == 0:
        if spec.generated:
            return _headerless(rows, spec, sheet, file, merged)
        expected = ", ".join(c.header for c in spec.columns if c.required)
        findings.append(error(Code.COLUMN_MISSING, f"no header row found on this sheet; the first "
                              f"rows should hold headers such as {expected}", file=file, sheet=sheet))
        return Table(spec, sheet, 1, {}, [], pd.DataFrame(columns=[*spec.fields, "_row"]), findings)
    if header is None:
        findings += _header_notes(headers, header_row, mapped, spec, config, file=file, sheet=sheet, hidden=hidden)
    for col in spec.columns:
        if col.required and col.field not in mapped:
            findings.append(error(Code.COLUMN_MISSING, f"the column '{col.header}' is missing: add it "
                                  f"to the header in row {header_row} (or name your column in Config as "
                                  f"'Column: {spec.name} / {col.header}')", file=file, sheet=sheet,
                                  row=header_row))
    body = rows[header_row:]
    shown = _shown_digits(body, header_row, columns, spec, digit_formats)
    data: dict[str, np.ndarray] = {}
    typed: dict[tuple[int, str], Any] = {}
    filled = np.zeros(len(body), dtype=bool)
    width = min(map(len, body), default=0)
    for f, c in columns.items():
        col = spec.column(f)
        cells = (list(map(itemgetter(c), body)) if c < width
                 else [row[c] if c < len(row) else None for row in body])
        for i, text in shown.get(c, {}).items():
            cells[i] = text
        if col.unit is not None:  # '210 gsm', 'USD 7.25': the column's own unit, said in the cell
            cells, other = _in_unit(cells, col.unit)
            findings.extend(error(Code.BAD_NUMBER, f"{problem}; fix the cell", file=file, sheet=sheet,
                                  row=header_row + i + 1, column=headers[c], value=body[i][c])
                            for i, problem in other.items())
        if col.kind is Kind.NUMBER:
            cells, mixed = comma_column(cells)
            findings.extend(error(Code.BAD_NUMBER, f"{problem}; fix the cell", file=file, sheet=sheet,
                                  row=header_row + i + 1, column=headers[c], value=body[i][c])
                            for i, problem in mixed.items())
        fix = ("; prodbook writes this column, so the run puts its own value here (your text is kept in the "
               "Change Log's Old)") if spec.generated and not col.user else "; fix the cell"
        if col.kind is Kind.DATE and header is None and (col.user or not spec.generated):
            findings.extend(_text_dates_both_ways(cells, config.date_order, file=file, sheet=sheet,
                                                  first_row=header_row + 1, column=headers[c]))
        data[f] = _convert(cells, col.kind, col.user, config.date_order, date1904, filled,
                           lambda i, raw, exc, c=c, col=col, fix=fix: findings.append(_unread(
                               raw, exc, col, fix, file=file, sheet=sheet, row=header_row + i + 1,
                               column=headers[c])), strip=not col.verbatim)
        if col.numbers and col.kind is Kind.TEXT:
            _keep_numbers(cells, data[f])
        if spec.generated and f in spec.key and col.kind is Kind.TEXT:
            typed.update(_tidied(cells, data[f], header_row, f))
    keep = np.flatnonzero(filled)
    # lists, not object arrays: pandas infers each column's dtype from the values, as before
    frame = pd.DataFrame({f: v[keep].tolist() for f, v in data.items()}, columns=list(columns))
    frame["_row"] = (keep + header_row + 1).tolist()
    for f in spec.fields:
        if f not in frame.columns:
            frame[f] = None
    end = len(rows)
    while end > header_row and all(is_blank(v) for v in rows[end - 1]):
        end -= 1
    return Table(spec, sheet, header_row, mapped, headers, frame, with_keys(findings, frame, spec), end_row=end,
                 typed=typed)


def _tidied(cells: list[Any], read: np.ndarray, header_row: int, field_name: str) -> dict[tuple[int, str], Any]:
    """The cells of a key column its reading changed (a number made text, outer spaces stripped), by (Excel row,
    field), as typed: the column compared at once, only those cells one by one (a T&A's million rows, a few of
    them typed by hand)."""
    raw = np.empty(len(cells), dtype=object)
    raw[:] = cells
    return {(header_row + i + 1, field_name): cells[i] for i in np.flatnonzero(raw != read).tolist()
            if not is_blank(read[i])}  # a blank cell, or only spaces: read as blank, nothing to keep


def _guarded(rows: Sequence[Sequence[Any]], header_row: int, mapped: dict[str, int], headers: Sequence[str],
             spec: SheetSpec, config: Config, known: Callable[[str], AbstractSet[str]], *, file: str, sheet: str
             ) -> tuple[dict[str, int], list[Finding]]:
    """A field read from a column headed by one of its guarded synonyms (``Column.guarded``: a T&A's 'Factory' as
    its Vendor) whose filled cells are not all values the field holds (``known``: vendor codes) is not read from
    it: the column holds the team's own words (factory names), kept as typed, never filled over. Another column
    naming the field is read instead, if the sheet has one. One info note, with the Config line that reads it."""
    out: list[Finding] = []
    lookup: dict[str, tuple[str, int]] | None = None
    mapped = dict(mapped)  # the caller's mapping (``own_header``) stays as it was given
    for f, c in list(mapped.items()):
        guards = {normalise_header(g) for g in spec.column(f).guarded}
        if not guards or normalise_header(headers[c]) not in guards:
            continue
        lookup = lookup if lookup is not None else _lookup(spec, config)
        if lookup.get(normalise_header(headers[c]), ("", TEAMS))[1] != SYNONYM:
            continue  # a Config 'Column:' line names it: the team's word
        codes = known(f)
        stray = next(((r, v) for r, row in enumerate(rows[header_row:], header_row + 1)
                      if c < len(row) and not is_blank(v := row[c]) and _folded(v) not in codes), None)
        if stray is None:
            continue
        del mapped[f]
        others = [(h[1], i) for i, t in enumerate(headers) if i != c and normalise_header(t) not in guards
                  and (h := _hit(lookup, spec, t)) is not None and h[0] == f]
        col, shown, letter = spec.column(f), " ".join(headers[c].split()), column_letter(c)
        if others:
            mapped[f] = _best(others, frozenset(), ours=spec.generated)
            instead = f"reads {col.header} from '{headers[mapped[f]]}' ({column_letter(mapped[f])})"
        else:
            instead = (f"writes each line's {col.header} code in a column headed '{col.header}'"
                       + (" after your last column" if spec.generated else ""))
        out.append(info(Code.COLUMN_MISSING, f"column {letter} '{shown}' holds names, not {col.header} codes: "
                        f"'{stray[1]}' (row {stray[0]}) is not a {col.header} on the Vendors sheet or a style's "
                        f"{col.header}. So prodbook leaves '{shown}' as your own column, as you typed it, and "
                        f"{instead}. If '{shown}' is the {col.header} after all, add the line 'Column: {spec.name} "
                        f"/ {col.header}' = '{shown}' to the Config sheet (or the file prodbook.toml)",
                        file=file, sheet=sheet, row=header_row, column=headers[c], value=stray[1]))
    return dict(sorted(mapped.items(), key=itemgetter(1))), out


def _folded(value: Any) -> str:
    """A cell as a code is matched (``keys.fold_text``): a whole number as it shows, 1001 not 1001.0."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return fold_text(value)


def _keep_numbers(cells: list[Any], out: np.ndarray) -> None:
    """A text column's number cells as their numbers, not their text (``Column.numbers``: the Change Log's Old
    and New keep whether a logged value was a number). A whole one as an int, as ``changes.as_logged_number``
    wrote it; one past Excel's 15 digits, or not finite, stays the text it was read as."""
    for i in [i for i, v in enumerate(cells) if type(v) in (int, float)]:
        if (n := as_logged_number(cells[i])) is not None:
            out[i] = n


def _shown_digits(body: Sequence[Sequence[Any]], header_row: int, columns: Mapping[str, int], spec: SheetSpec,
                  digit_formats: Callable[[Iterable[tuple[int, int]]], Mapping[tuple[int, int], str]] | None
                  ) -> dict[int, dict[int, str]]:
    """Column -> body index -> the text a whole number shows in a text column of the team's: 11 formatted
    0000000 is the weekend mask 0000011, 12345 formatted 000000 the style 012345. On a sheet prodbook writes
    its own cells are text. The numbers' cells are handed over lazily: a workbook without such a format (most)
    answers without them being looked for."""
    if digit_formats is None or spec.generated:
        return {}
    text_columns = [c for f, c in columns.items() if spec.column(f).kind is Kind.TEXT]
    numbers = ((i + header_row + 1, c) for c in text_columns for i, row in enumerate(body)
               if c < len(row) and type(row[c]) in (int, float))
    out: dict[int, dict[int, str]] = {}
    for (r, c), code in digit_formats(numbers).items():
        if (text := shown_digits(body[r - header_row - 1][c], code)) is not None:
            out.setdefault(c, {})[r - header_row - 1] = text
    return out


def with_keys(findings: list[Finding], frame: pd.DataFrame, spec: SheetSpec) -> list[Finding]:
    """Each finding on a row named by that row's key (Style #, PO / Style / Color...): the Issues sheet
    says which record a bad cell belongs to, not only where it is."""
    if not spec.key or not findings or not all(k in frame.columns for k in spec.key):
        return findings
    keys = {int(r): _row_key(v) for r, *v in zip(frame["_row"], *(frame[k] for k in spec.key))}
    return [replace(f, key=key) if f.key is None and f.row is not None and (key := keys.get(f.row)) else f
            for f in findings]


def _row_key(values: Iterable[Any]) -> str | None:
    return shown_key(values) or None


def duplicate_keys(table: Table, file: str, *, later_ignored: bool = True) -> list[Finding]:
    """Rows whose key repeats an earlier row: the later ones are reported (``later_ignored``: the job goes on
    without them, and says so; else the caller keeps the whole sheet out, and says that)."""
    key = list(table.spec.key)
    if not key or table.frame.empty:
        return []
    # the keys as the jobs match them (``keys.fold_text``: an accent typed apart from its letter is the same
    # key); NA, not NaN, for a blank: a row's tuple of keys finds its first row below
    folded = table.frame[key].apply(lambda s: upper_stripped(s.astype("string")).astype("string"))
    dup = folded.duplicated(keep="first") & ~awaiting_key(table.spec, folded)
    first_row = dict(zip(map(tuple, folded[~dup].itertuples(index=False)), table.frame["_row"][~dup]))
    out = []
    for idx in table.frame.index[dup]:
        row = table.frame.loc[idx]
        first = first_row.get(tuple(folded.loc[idx]))
        out.append(error(Code.DUPLICATE_KEY, f"this {' + '.join(table.header_of(k) for k in key)} "
                         f"repeats row {first}; keep one row per "
                         f"{' + '.join(table.header_of(k) for k in key)}"
                         + (" (the later row is ignored)" if later_ignored else ""),
                         file=file, sheet=table.sheet, row=int(row["_row"]),
                         key=shown_key(row[k] for k in key)))
    return out


def awaiting_key(spec: SheetSpec, folded: pd.DataFrame) -> pd.Series:
    """Rows of ``folded`` (the key columns, folded) whose key is blank where prodbook gives it on its next run
    (``Column.given``: an exception the APM added, without an ID yet): no row's repeat, two such rows are two
    exceptions."""
    if not all(spec.column(k).given for k in folded.columns):
        return pd.Series(False, index=folded.index)
    return (folded.isna() | (folded.astype("string").fillna("") == "")).all(axis=1)


_PYDANTIC_WORDS = {
    "missing": "is empty; fill it in",
    "greater_than_equal": "must be 0 or more",
    "greater_than": "must be more than 0",
    "int_parsing": "should be a whole number",
    "int_from_float": "should be a whole number",
    "float_parsing": "should be a number",
    "date_parsing": "should be a date",
    "date_from_datetime_inexact": "should be a date without a time",
    "bool_parsing": "should be Yes or No",
    "string_type": "should be text",
    "enum": "is not one of the allowed words",
}


def to_records(table: Table, model: type[Record], file: str
               ) -> tuple[list[Record], list[int], list[Finding]]:
    """Validate each row against its pydantic model; a bad row becomes findings and is left out.

    Returns the valid records, their Excel row numbers, and the findings.
    """
    out: list[Record] = []
    rows: list[int] = []
    findings: list[Finding] = []
    fields = [f for f in table.spec.fields if f in model.model_fields]
    key_fields = [k for k in table.spec.key if k in table.frame.columns]
    # a cell the reading already reported ('2.5 should be a whole number') reads as blank here: it is not
    # also "empty"; one message per cell
    said = {(f.row, f.column) for f in table.findings if f.row is not None}
    # 'N/A' typed in a date column of the user's (a T&A Actual: the milestone does not apply) is read as NA, a
    # value the README asks for, not a bad date: the model checks the cell as blank
    na_fields = {c.field for c in table.spec.columns if c.kind is Kind.DATE and c.user}
    for values in table.frame[list(dict.fromkeys([*fields, *key_fields, "_row"]))].to_dict("records"):
        row = int(values.pop("_row"))
        key = _row_key(values.get(k) for k in key_fields)  # the Issues row names its record
        values = {k: v for k, v in values.items() if k in fields}
        clean = {k: v for k, v in values.items() if not is_missing(v) and not (k in na_fields and v == NA)}
        try:
            out.append(model.model_validate(clean))
            rows.append(row)
        except ValidationError as exc:
            for e in exc.errors():
                f = str(e["loc"][0]) if e["loc"] else ""
                words = _PYDANTIC_WORDS.get(e["type"], e["msg"].removeprefix("Value error, "))
                header = table.header_of(f) if f in table.spec.fields else f
                if e["type"] == "missing" and (row, header) in said:
                    continue
                findings.append(error(Code.REQUIRED if e["type"] == "missing" else Code.BAD_VALUE,
                                      f"'{header}' {words}", file=file, sheet=table.sheet, row=row,
                                      column=header, key=key, value=values.get(f)))
    return out, rows, findings


def records_frame(records: Sequence[Record], rows: Sequence[int], spec: SheetSpec) -> pd.DataFrame:
    """Valid records back as a table of fields + ``_row``, for the vectorised jobs."""
    frame = pd.DataFrame([r.model_dump() for r in records], columns=list(spec.fields))
    frame["_row"] = list(rows)
    return frame


def missing_sheet(spec: SheetSpec, sheet: str, file: str, *, required: bool) -> Finding:
    make = error if required else warning
    return make(Code.SHEET_MISSING, f"the workbook has no sheet '{sheet}'. Add it with the headers "
                f"{', '.join(spec.headers)}, or name your sheet in Config as 'Sheet: {spec.name}'",
                file=file, sheet=sheet)
