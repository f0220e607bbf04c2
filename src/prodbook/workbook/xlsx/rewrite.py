"""Rewriting the data rows of one sheet below its header.

``_rewrite_sheet`` checks the sheet (``checks``), appends headers, works out the
style of each written column, writes the rows (carrying cells and moving
formulas from ``source_rows``), then moves what follows the data: conditional
formats, validations, filters, the dimension, the Table and defined names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import lru_cache
from itertools import chain

from prodbook.core.looks import date_text, fitted_widths, row_heights
from prodbook.workbook.xlsx.book import _adjust_defined_names, _Book
from prodbook.workbook.xlsx.by_place import RowsMoved
from prodbook.workbook.xlsx.charts import grow_chart_ranges
from prodbook.workbook.xlsx.checks import (
    _check_arguments,
    _check_data_area,
    check_tail_refs,
)
from prodbook.workbook.xlsx.colour_rules import RulesNow
from prodbook.workbook.xlsx.edits import _part_texts, _row_regions, _sheet_data_start, _WholePart
from prodbook.workbook.xlsx.formula_refs import grow_fixed_ranges, grow_kept_rows, grow_own_ranges
from prodbook.workbook.xlsx.model import Formula, RowsByColumn, SheetRewrite, UnsupportedLayout
from prodbook.workbook.xlsx.notes import has_marks, move_links, move_notes, row_moves
from prodbook.workbook.xlsx.package import STREAM_CHUNK, Progress, _Deflated, _Package
from prodbook.workbook.xlsx.pivots import refresh_pivots_on
from prodbook.workbook.xlsx.refs import (
    MAX_COL,
    MAX_ROW,
    _adjust_format_sqref,
    _adjust_range,
    _adjust_sqref,
    _parse_cell,
    col_letter,
    translate_formula,
)
from prodbook.workbook.xlsx.sheetxml import (
    _F_RE,
    _FIRST_R_RE,
    _HAS_F,
    _R_ATTR,
    _SPANS_ATTR,
    _cell_has_value,
    _cells,
    _has_formula,
    _last_row_number,
    _Sheet,
    _split_sheet,
    _with_ref,
    column_styles,
    comments_or_cdata,
    first_row_cells,
    numbered_rows,
    row_numbers,
)
from prodbook.workbook.xlsx.styles import _Styles
from prodbook.workbook.xlsx.table_parts import _Table, find_table
from prodbook.workbook.xlsx.table_rows import ROW_OR_CELL_REF, NewCell, moved_total_row, new_cell, new_row_cells
from prodbook.workbook.xlsx.values import _ValueWriter, column_cells
from prodbook.workbook.xlsx.xmltext import (
    _attr,
    _del_attr,
    _esc,
    _esc_attr,
    _set_attr,
    _text_xml,
    _unesc,
    whole,
)

_WHOLE_ROWS_HINTS = ('t="shared"', "t='shared'", 't="array"', "t='array'", 't="dataTable"')
"""Formulas whose checks and moves read every row (shared masters, array areas): a rewrite of a sheet
without them parses only the rows it keeps cells from (a million-row log is not split into a million rows)."""


def _whole_rows_only(rows: str, formula: bool) -> bool:
    """Do these rows need the whole split: shared or array formulas (``formula``: they hold a formula at all;
    those kinds live only in one), XML comments or CDATA? Plain finds, so a long log is read at C speed."""
    return comments_or_cdata(rows) or (formula and any(x in rows for x in _WHOLE_ROWS_HINTS))


_Row = tuple[int, str, str, str]
"""A split row: (row number, attributes, content, raw XML)."""


def _rewrite_sheet(pkg: _Package, book: _Book, styles: _Styles, rw: SheetRewrite, part: str,
                   progress: Progress | None = None, chunk: int = STREAM_CHUNK, last_row: int | None = None,
                   ends: dict[str, tuple[int, set[int], int]] | None = None,
                   moved: dict[str, RowsMoved] | None = None, rules_now: RulesNow | None = None) -> bool:
    """Rewrite one sheet in `pkg`. Returns True when formulas were involved.

    A rewrite that carries cells from the sheet's rows (``source_rows``) reads the sheet ``chunk`` bytes at a
    time when it can (``_scan_carried``) and writes it streamed; otherwise the sheet is split whole. Rows
    added below a long sheet's (the Change Log) are written after its rows copied as they are: with
    ``last_row`` (the sheet's last row as the caller's first look at the file found it) in one pass that
    checks the rows as it copies them (``_AppendPass``), else in two (``_scan_append``, then the copy).
    Where the one pass finds what the two must answer (another last row, rows that need the whole split),
    what it wrote is dropped and the sheet goes the two-pass way. ``ends`` (when given) receives, for a sheet
    rebuilt (not rows added below a log's), its header row, old last data rows and new last data row, for the
    team's formulas over it (``formula_refs``); ``moved`` (when given), for a sheet whose rows were carried,
    where each went (``formula_refs.links_into_moved_rows``). ``rules_now`` (when given) brings the colour
    rules an earlier prodbook wrote on the sheet up to date in what follows its rows (``colour_rules``)."""
    _check_arguments(rw)
    if (last_row is not None and _pure_append(rw) and part not in pkg.changed
            and 0 < last_row <= rw.header_row + rw.keep_rows):
        try:
            return _rewrite(pkg, book, styles, rw, part, progress, chunk, last_row, ends, moved, rules_now)
        except _WholePart:
            pass
    return _rewrite(pkg, book, styles, rw, part, progress, chunk, ends=ends, moved=moved, rules_now=rules_now)


def _grown_regions(regions: Iterable[str], sheet: str, p: str, grow: tuple[int, set[int], int]) -> Iterator[str]:
    """Regions of whole rows kept below a header, each as it is but for its formulas' ranges over the data,
    grown (``grow_kept_rows``)."""
    prev = 0
    for region in regions:
        yield grow_kept_rows(region, sheet, grow, prev, p)
        prev = _last_row_number(region, p) or prev


def _pure_append(rw: SheetRewrite) -> bool:
    return rw.keep_rows > 0 and rw.source_rows is None and not rw.append_headers


def _rewrite(pkg: _Package, book: _Book, styles: _Styles, rw: SheetRewrite, part: str,
             progress: Progress | None, chunk: int, last_row: int | None = None,
             ends: dict[str, tuple[int, set[int], int]] | None = None,
             moved: dict[str, RowsMoved] | None = None, rules_now: RulesNow | None = None) -> bool:
    """``_rewrite_sheet``; ``last_row``: an append in one pass (raises ``_WholePart`` where it cannot)."""
    sheet = rw.sheet
    hr = rw.header_row
    table = find_table(pkg, part, sheet, hr)
    # a Table's Total row stays under the data: the sheet is split whole (rare), the row set aside and
    # written again below the rows this rewrite leaves, and rows kept are only the Table's data
    totals = table is not None and table.totals > 0
    if totals:
        if last_row is not None:
            raise _WholePart
        assert table is not None
        rw = replace(rw, keep_rows=min(rw.keep_rows, table.data_end - hr))

    pure_append = _pure_append(rw)
    scan = (_scan_carried(pkg, part, rw, chunk, progress)
            if rw.source_rows is not None and rw.keep_rows == 0 and not totals else None)
    one_pass = _AppendPass(pkg, part, rw, chunk, progress, last_row) if last_row is not None else None
    # rows copied from the user's file, not from a sheet created in this call (``_copy_regions`` notes them)
    appended: tuple[_Sheet, bool] | None = None
    if one_pass is not None:  # whether the rows hold a formula is known once they are copied
        appended = one_pass.sheet, False
    elif pure_append and part not in pkg.changed and not totals:
        appended = _scan_append(pkg, part, rw, chunk, progress)
    if scan is not None:  # cells carried from a long sheet (the Change Log moved): read a block at a time
        text = ""
        sh, lean, held_formula = scan.sheet, True, scan.formula
    elif appended is not None:  # rows added below a long sheet's (the Change Log): its rows are copied streamed
        text = ""
        (sh, held_formula), lean = appended, False
    else:
        text = pkg.text(part)
        lean = rw.keep_rows == 0 and not totals and not any(x in text for x in _WHOLE_ROWS_HINTS)
        sh = _split_sheet(text, sheet, keep_upto=hr + rw.keep_rows if pure_append else 0, header_row=hr,
                          wanted=set(r for r in rw.source_rows or () if r is not None) if lean else None)
        held_formula = _has_formula(text, len(sh.head), len(text) - len(sh.tail))
    p = sh.prefix
    total_row = None
    if totals:
        assert table is not None
        total_row = next((r for r in sh.rows if r[0] == table.r2), None)
        sh.rows = [r for r in sh.rows if r[0] != table.r2]

    header_rows = [r for r in sh.rows if r[0] <= hr]
    data_rows = {r[0]: r for r in sh.rows if r[0] > hr}
    old_last_data = max(data_rows) if data_rows else hr
    if sh.kept_raw is not None or lean:
        old_last_data = max(old_last_data, sh.last_row)
    if totals:
        assert table is not None
        old_last_data = table.data_end
    frozen = hr if rw.drop_rows else hr + rw.keep_rows  # rows above this line keep their place

    _check_data_area(pkg, part, sheet, sh, frozen, movable=rw.source_rows is not None)

    # --- header row: cells to append ------------------------------------------
    header_cells = []
    for num, _attrs, content, _raw in header_rows:
        if num == hr:
            header_cells = _cells(content)
    last_header_col = max((c for c, a, inner, _ in header_cells if _cell_has_value(a, inner)), default=-1)
    if table is not None:
        last_header_col = max(last_header_col, table.c2)
    added = _headers_to_add(rw, header_cells, last_header_col, table)
    new_last_col = max(added, default=last_header_col)
    if added:
        hstyle = _header_style(header_cells, last_header_col) if last_header_col >= 0 else styles.bold_style()
        header_rows = _append_headers(p, hr, header_rows, added, hstyle)

    head = sh.head
    if added and rw.look is not None:
        head = _look_added_columns(head, p, styles, rw, added)
    first_cells = first_row_cells(data_rows)
    col_style = _column_styles(head, first_cells, rw.columns)
    head = _dates_shown(head, p, rw, {c: styles.date_code(st) for c, st in col_style.items()})
    masters = _shared_masters(text, sh.rows)
    new_cells = new_row_cells(sh.tail, styles, first_cells, rw.columns, table, pure_append)

    # --- write the rows ---------------------------------------------------------
    vw = _ValueWriter(styles, book.date1904, sheet, p)
    written = list(rw.columns)
    max_col = max([last_header_col, new_last_col] + written) if (written or last_header_col >= 0) else 0
    for _num, _attrs, content, _raw in header_rows:
        for c, *_ in _cells(content):
            max_col = max(max_col, c)
    kept = max(min(hr + rw.keep_rows, max(old_last_data, hr)) - rw.drop_rows, hr)  # keep_rows may say "all of them"
    if kept + len(rw.rows) > MAX_ROW:
        raise ValueError(f"sheet '{sheet}': {kept + len(rw.rows):,} rows do not fit in an Excel sheet; "
                         "move older rows to another workbook")
    carried_marks = rw.source_rows is not None and has_marks(pkg, part, sh.tail)
    moves = row_moves(rw.source_rows, kept + 1) if carried_marks else None
    new_last = kept + len(rw.rows)
    new_end = max(new_last, hr + 1)
    if moves is not None and table is not None and totals:
        moves[table.r2] = new_end + 1
    if moves is not None:  # notes and comments go with their rows (a refusal first, if one's row goes)
        move_notes(pkg, part, sheet, frozen, moves)
    if sh.kept_raw is not None:
        out: list[str] = [sh.kept_raw]
        if rw.drop_rows:
            out = ["".join(_dropping(out, sheet, p, hr, rw.drop_rows))]
    elif rw.drop_rows:  # the whole split keeps the rows verbatim only when the last one names its number
        raise ValueError(f"sheet '{sheet}': rows without their numbers cannot be moved up")
    else:
        out = [r[3] for r in header_rows]
        out += [raw for num, _a, _c, raw in sh.rows if hr < num <= kept]
    wrapped = _wrapped_columns(head, styles, rw, col_style) if rw.look is not None else ()

    # --- ranges that follow the data -------------------------------------------
    old_ends = {old_last_data} if old_last_data > hr else set()
    if table is not None and table.data_end > hr:
        old_ends.add(table.data_end)
    grow_cols = (last_header_col, new_last_col) if rw.append_headers else (None, None)
    args = (hr, old_ends, new_end)
    grow = None
    kept_grow = args if pure_append and rw.grow_ranges and old_ends and new_end not in old_ends else None
    if kept_grow is not None and sh.kept_raw:  # a history kept whole, its formulas grown as a rebuild would
        out = [grow_kept_rows(sh.kept_raw, sheet, kept_grow, 0, p)]
    if sh.kept_raw is None and old_ends and new_end not in old_ends:  # a title row's formulas over the data
        out[:len(header_rows)] = [grow_own_ranges(raw, sheet, args) if _HAS_F.search(raw) else raw
                                  for raw in out[:len(header_rows)]]
        grow = args  # and the fixed ranges of the team's formulas in the rows carried
    tail = rules_now(sheet, sh.tail, p) if rules_now is not None else sh.tail  # prodbook's earlier rules, as now
    tail = _move_tail_ranges(tail, sheet, hr, old_ends, new_end, grow_cols)
    if moves is not None:
        tail = move_links(sheet, tail, frozen, moves)
    last_any = max([new_last] + [r[0] for r in header_rows])
    below = ""  # what follows the rows: the Table's Total row
    if total_row is not None:
        below = moved_total_row(total_row[3], total_row[0], new_end + 1, sheet, args)
        last_any = max(last_any, new_end + 1)
    if rw.source_rows is None:  # no cells carried: the dimension is known before the rows are written
        del text
        sd_close = sh.sd_close
        sh.kept_raw, sh.rows = None, []
        pkg.forget_text(part)
        end: str | Callable[[], str] = below + sd_close + tail
        if one_pass is not None:  # the tail is read after the rows, and checked as _check_data_area would
            def end() -> str:
                read = one_pass.finish(frozen)
                read = rules_now(sheet, read, p) if rules_now is not None else read
                return sd_close + _move_tail_ranges(read, sheet, hr, old_ends, new_end, grow_cols)
        kept_rows = None
        if one_pass is not None:
            kept_rows = one_pass.regions()
        elif appended is not None:
            kept_rows = _body_regions(pkg, part, rw.sheet, chunk, progress)
        if kept_rows is not None and rw.drop_rows:  # moved up: only the r of each row and cell differs
            kept_rows = _dropping(kept_rows, sheet, p, hr, rw.drop_rows)
        if kept_rows is not None and kept_grow is not None:
            kept_rows = _grown_regions(kept_rows, sheet, p, kept_grow)
        translated = _stream_rows(pkg, part, [_set_dimension(head, max_col, last_any), sh.sd_open, *out], rw, p,
                                  data_rows, kept, col_style, masters, vw, max_col, wrapped, end,
                                  progress, kept_rows=kept_rows, new_cells=new_cells, grow=grow)
        held_formula = held_formula or (one_pass is not None and one_pass.stream.formula)
    elif scan is not None:  # the carried cells' last column is known from the scan: the rows go straight out
        del text
        max_col = _carried_last_column(rw, data_rows, scan.carried, max_col)
        translated = _stream_rows(pkg, part, [_set_dimension(head, max_col, last_any), sh.sd_open, *out], rw, p,
                                  data_rows, kept, col_style, masters, vw, max_col, wrapped, sh.sd_close + tail,
                                  progress, scan.carried, new_cells=new_cells, grow=grow)
    else:
        max_col, translated = _write_rows(out, rw, p, data_rows, kept, col_style, masters, vw, max_col, wrapped,
                                          new_cells=new_cells, grow=grow)
        head = _set_dimension(head, max_col, last_any)
        pkg.set_pieces(part, [head, sh.sd_open, *out, below, sh.sd_close, tail])

    if table is not None:
        _update_table(pkg, sheet, table, new_end, added)
    _adjust_defined_names(pkg, book.part, sheet, args)
    refresh_pivots_on(pkg, book, sheet, part, args)
    grow_chart_ranges(pkg, sheet, args)
    if ends is not None and (not pure_append or rw.grow_ranges):  # a log's rows added: Excel's ranges stay
        ends[sheet] = args
    if moved is not None and rw.source_rows is not None:
        moved[sheet] = RowsMoved(frozen, old_last_data, kept + 1, rw.source_rows)
    return held_formula or translated or vw.wrote_formula


def _headers_to_add(rw: SheetRewrite, header_cells: list, last_header_col: int, table: _Table | None
                    ) -> dict[int, str]:
    """Column -> header text to write in the header row: ``append_headers`` from ``append_at``.

    The caller chose ``append_at`` from the sheet as read and writes the data
    there, so a header always sits over its own data. A header cell there that
    is not blank means the sheet changed under the caller: nothing is written.
    Blank header cells between a Table's end and the new headers get Excel's
    own names (Column14), as Excel does when a Table grows over them.
    """
    sheet, hr = rw.sheet, rw.header_row
    if not rw.append_headers:
        return {}
    first = last_header_col + 1 if rw.append_at is None else rw.append_at
    added = {first + i: str(h) for i, h in enumerate(rw.append_headers)}
    taken = {c for c, a, inner, _ in header_cells if _cell_has_value(a, inner)}
    for c, h in added.items():
        if c in taken:
            raise ValueError(f"sheet '{sheet}': cell {col_letter(c)}{hr} already holds a header; "
                             f"'{h}' cannot go there")
        if table is not None and table.c1 <= c <= table.c2:
            raise UnsupportedLayout(
                f"sheet '{sheet}': the header cell {col_letter(c)}{hr} of its Table is blank; type the "
                "column's header there, then run again")
    if table is not None and first > table.c2 + 1:
        for c in range(table.c2 + 1, first):
            if c in taken:
                raise UnsupportedLayout(
                    f"sheet '{sheet}': the header in {col_letter(c)}{hr} is outside the sheet's Table; widen the "
                    "Table to take it in (Table Design > Resize Table), then run again")
            added[c] = f"Column{c - table.c1 + 1}"
    return added


def _header_style(header_cells: list, last_header_col: int) -> str:
    """The style of the last header cell, for the headers added after it."""
    for c, a, _inner, _ in header_cells:
        if c == last_header_col:
            return _attr(a, "s") or ""
    return ""


def _append_headers(p: str, hr: int, header_rows: list[_Row], headers: dict[int, str], style: str | int
                    ) -> list[_Row]:
    """The header rows with ``headers`` (column -> text) written in; a missing header row is added."""
    hstyle = f' s="{style}"' if style and str(style) != "0" else ""
    added = {
        c: f'<{p}c r="{col_letter(c)}{hr}"{hstyle} t="inlineStr"><{p}is><{p}t xml:space="preserve">'
           f'{_text_xml(h)}</{p}t></{p}is></{p}c>'
        for c, h in headers.items()
    }
    found = False
    new_header_rows = []
    for num, attrs, content, raw in header_rows:
        if num == hr:
            found = True
            cells = [(c, raw_c) for c, a, inner, raw_c in _cells(content) if c not in added]
            cells += list(added.items())
            cells.sort(key=lambda x: x[0])
            a2 = _SPANS_ATTR.sub("", attrs)
            raw = f"<{p}row{a2}>" + "".join(x[1] for x in cells) + f"</{p}row>"
        new_header_rows.append((num, attrs, content, raw))
    if not found:
        added_xml = "".join(added[c] for c in sorted(added))
        new_header_rows.append((hr, "", "", f'<{p}row r="{hr}">{added_xml}</{p}row>'))
        new_header_rows.sort(key=lambda x: x[0])
    return new_header_rows


def _cols_of(head: str) -> tuple[re.Match[str] | None, list[str], set[int]]:
    """The sheet's ``<cols>``, its ``<col>`` elements, and the (0-based) columns they cover."""
    cols_m = re.search(r"(<(?:\w+:)?cols\b[^>]*>)(.*?)(</(?:\w+:)?cols>)", head, re.S)
    existing = re.findall(r"<(?:\w+:)?col\b[^>]*?/>|<(?:\w+:)?col\b[^>]*>.*?</(?:\w+:)?col>",
                          cols_m.group(2), re.S) if cols_m else []
    covered: set[int] = set()
    for el in existing:
        lo, hi = _attr(el, "min"), _attr(el, "max")
        if lo and hi and lo.isdigit() and hi.isdigit():
            covered.update(range(int(lo) - 1, min(int(hi), MAX_COL)))
    return cols_m, existing, covered


def _with_cols(head: str, p: str, new: list[tuple[int, str]]) -> str:
    """The sheet head with the ``<col>`` elements ``new`` ((1-based column, element)) among its own, in order."""
    if not new:
        return head
    cols_m, existing, _ = _cols_of(head)

    def start(el: str) -> int:
        v = _attr(el, "min")
        return int(v) if v and v.isdigit() else 0
    merged = sorted([(start(el), el) for el in existing] + new, key=lambda x: x[0])
    body = "".join(el for _, el in merged)
    if cols_m:
        return head[: cols_m.start()] + cols_m.group(1) + body + cols_m.group(3) + head[cols_m.end():]
    return head + f"<{p}cols>{body}</{p}cols>"


def _dates_shown(head: str, p: str, rw: SheetRewrite, codes: Mapping[int, str | None]) -> str:
    """A width for each column prodbook writes dates into that has Excel's standard width (no ``<col>`` of the
    team's, no default width of the sheet's): there '28-Nov-26' shows as ###, in Excel and in LibreOffice. As
    Excel widens such a column when you type a date into it; a width the team set stays theirs. ``codes``: the
    date format each column's cells show (None: prodbook's, the cell's style being no date's)."""
    if rw.look is None or re.search(r"<(?:\w+:)?sheetFormatPr\b[^>]*\bdefaultColWidth=", head):
        return head
    _, _, covered = _cols_of(head)
    open_ = [(k, c) for k, c in enumerate(rw.columns) if c not in covered]
    sample = list(rw.rows[:2000]) if open_ else []
    new = []
    for k, c in open_:
        dates = [v for r in sample if isinstance(v := r[k], date)]
        if dates:
            code = codes.get(c) or (rw.look.datetime_format if isinstance(dates[0], datetime) and
                                    (dates[0].hour or dates[0].minute) else rw.look.date_format)
            width = max(10.0, max(len(date_text(v, code)) for v in dates) + 2.0)
            new.append((c + 1, f'<{p}col min="{c + 1}" max="{c + 1}" width="{width:g}" customWidth="1"/>'))
    return _with_cols(head, p, new)


def _look_added_columns(head: str, p: str, styles: _Styles, rw: SheetRewrite, added: dict[int, str]) -> str:
    """The sheet head with a width and a style (number format, wrap) for each column prodbook appends.

    Only columns no ``<col>`` of the user's covers: their own widths and formats stay theirs.
    """
    look = rw.look
    assert look is not None
    _, _, covered = _cols_of(head)
    new = []
    for c, header in sorted(added.items()):
        if c in covered:
            continue
        k = rw.columns.index(c) if c in rw.columns else None
        sample = [] if k is None else [r[k] for r in rw.rows[:2000] if not isinstance(r[k], Formula)]
        width = fitted_widths(look, [header], [sample])[0]
        cl = look.column(header)
        style = styles.cell_style(cl.number_format if cl else None, wrap=bool(cl and cl.wrap),
                                  horizontal=cl.horizontal if cl else None, indent=cl.indent if cl else 0)
        new.append((c + 1, f'<{p}col min="{c + 1}" max="{c + 1}" width="{width:g}" style="{style}" '
                           'customWidth="1"/>'))
    return _with_cols(head, p, new)


def _column_styles(head: str, first_cells: dict[int, str], columns: tuple[int, ...]) -> dict[int, int]:
    """The style of each written column: its first data cell's (``first_cells``), else the column default,
    else 0."""
    col_style: dict[int, int] = {}
    col_defaults = column_styles(head)
    for c in columns:
        if c in first_cells:
            sv = _attr(first_cells[c], "s")
            col_style[c] = whole(sv, "a cell's style") if sv else 0
        else:  # the last <col> over it, as the file's order says
            col_style[c] = next((st for lo, hi, st in reversed(col_defaults) if lo <= c <= hi), 0)
    return col_style


def _shared_masters(text: str, rows: list[_Row]) -> dict[str | None, tuple[str, int, int]]:
    """Shared formula masters by si: (formula, row, col0), for expanding their followers."""
    masters: dict[str | None, tuple[str, int, int]] = {}
    if 't="shared"' in text or "t='shared'" in text:
        for num, _attrs, content, _raw in rows:
            if "shared" in content and "ref=" in content:
                for col, _cattrs, inner, _ in _cells(content):
                    fm = _F_RE.search(inner)
                    if fm and _attr(fm.group(2), "t") == "shared" and fm.group(3):
                        si = _attr(fm.group(2), "si")
                        masters[si] = (_unesc(fm.group(3)), num, col)
    return masters


def _col_widths(head: str) -> dict[int, float]:
    """Column -> width, from the sheet's <cols>."""
    out: dict[int, float] = {}
    cols_m = re.search(r"<(?:\w+:)?cols\b[^>]*>(.*?)</(?:\w+:)?cols>", head, re.S)
    for cm in re.finditer(r"<(?:\w+:)?col\b([^>]*?)/?>", cols_m.group(1) if cols_m else ""):
        lo, hi, w = _attr(cm.group(1), "min"), _attr(cm.group(1), "max"), _attr(cm.group(1), "width")
        if lo is None or hi is None or w is None:
            continue
        try:
            for c in range(int(lo) - 1, min(int(hi), int(lo) + 256)):
                out[c] = float(w)
        except (TypeError, ValueError):
            continue
    return out


def _wrapped_columns(head: str, styles: _Styles, rw: SheetRewrite, col_style: dict[int, int]
                     ) -> tuple[tuple[int, float], ...]:
    """(index in a row of ``rw.rows``, column width) of the written columns whose style wraps text."""
    widths = _col_widths(head)
    return tuple((j, widths.get(c, 8.43)) for j, c in enumerate(rw.columns) if styles.wraps(col_style[c]))


def _with_height(attrs: str, height: float | None) -> str:
    """Row attributes tall enough for its wrapped text; a height the user set (customHeight) stays."""
    if height is None or re.search(r'customHeight\s*=\s*"(?:1|true)"', attrs):
        return attrs
    old = _attr(attrs, "ht")
    try:
        if old is not None and float(old) >= height:
            return attrs
    except ValueError:
        pass
    return (_del_attr(attrs, "ht") if old is not None else attrs) + f' ht="{height:g}"'


_Carry = tuple[str, Sequence[tuple[int, str, str]]]
"""What a source row gives the row written from it: its attributes (without r and spans) and its cells
outside the written columns, (col0, attributes, inner XML)."""
_NO_CARRY: _Carry = ("", ())


def _carry(attrs: str, content: str, written: set[int], cells: bool = True) -> _Carry:
    """The attributes and the cells a row carries into the row written from it; with ``cells`` False
    (``_only_written`` said so of its rows) the attributes only, its cells not parsed."""
    a = _SPANS_ATTR.sub("", _R_ATTR.sub("", attrs, count=1))
    return a, [(c, ca, inner) for c, ca, inner, _ in _cells(content) if c not in written] if cells else ()


def _only_written(region: str, p: str, letters: frozenset[str]) -> bool:
    """Does every cell of these rows name its column first (``<c r="B7"``), one of ``letters``? Then no
    row of them carries a cell, and their cells need no parsing: a log's kept rows, 141,000 of them, took
    5 s to parse one by one, half a second looked over so. ``p``: the sheet's element prefix."""
    if not p and (":c " in region or ":c>" in region or ":c/" in region):
        return False  # a cell under a prefix of its own, or text that looks like one: each row is parsed
    return _stray_cell(p, letters).search(region) is None


@lru_cache(maxsize=8)
def _stray_cell(p: str, letters: frozenset[str]) -> re.Pattern[str]:
    """A cell that does not start ``r="<one of letters><row>"``."""
    ones = sorted(x for x in letters if len(x) == 1)
    many = sorted(x for x in letters if len(x) > 1)
    allowed = "|".join([*many, *([f"[{''.join(ones)}]"] if ones else [])]) or "(?!)"
    tag = r"(?:\w+:)?" if p else ""  # in a prefixed sheet, a cell under any prefix (slower: such sheets are rare)
    return re.compile(rf'<{tag}c(?=[\s>/])(?!\s+r="(?:{allowed})\d+")')


@dataclass
class _Carried:
    """A sheet as a rewrite that carries cells needs it, read a block at a time (``_scan_carried``)."""

    sheet: _Sheet
    """Head, tail, the header rows and the first data row (for the written columns' styles), the last row."""
    carried: dict[int, _Carry]
    """Source row -> what it carries, for the source rows that carry anything (a log row, nothing)."""
    formula: bool
    """A formula in the sheet's rows."""


class _Streamed:
    """A sheet read ``chunk`` bytes at a time for a streamed rewrite (``_scan_carried``, ``_scan_append``): its
    head (``open``), its rows a region of whole rows at a time (``regions``), then its tail and whether the
    rows hold a formula. Raises ``_WholePart`` where the whole split must answer: shared or array formulas,
    comments or CDATA, no rows, not UTF-8."""

    def __init__(self, pkg: _Package, part: str, sheet: str, chunk: int, progress: Progress | None) -> None:
        self.texts = _part_texts(pkg, part, f"Reading '{sheet}'", chunk, progress)
        self.head = self.p = self.tail = self._rest = ""
        self.formula = False

    def open(self) -> None:
        found = _sheet_data_start(self.texts)
        if found is None or found[0].group(2) or any(x in found[1][:found[0].end()] for x in _WHOLE_ROWS_HINTS):
            raise _WholePart
        m, buf = found
        self.p, self.head, self._rest = m.group(1), buf[:m.start()], buf[m.end():]

    def regions(self) -> Iterator[str]:
        after = ""
        for region, end in _row_regions(self.texts, self._rest, self.p):
            after = end or after
            held = _has_formula(region)
            if _whole_rows_only(region, held):
                raise _WholePart
            self.formula = self.formula or held
            yield region
        self.tail = after + "".join(self.texts)
        if any(x in self.tail for x in _WHOLE_ROWS_HINTS):
            raise _WholePart

    def sheet(self, rows: list[_Row], kept_raw: str | None, last: int) -> _Sheet:
        p = self.p
        return _Sheet(self.head, f"<{p}sheetData>", f"</{p}sheetData>", rows, self.tail, p, kept_raw, last)


_PLAIN_ROW = re.compile(r'<row r="\d+"(?: spans="\d+:\d+")?>')
"""A row's start tag with nothing to carry: its number, and the spans Excel works out again."""


def _scan_carried(pkg: _Package, part: str, rw: SheetRewrite, chunk: int = STREAM_CHUNK,
                  progress: Progress | None = None) -> _Carried | None:
    """``_split_sheet``'s lean split (the header rows, the first data row, the source rows), read ``chunk``
    bytes at a time and cut after the last complete row, so a million-row sheet is never held as bytes or
    text: of each source row only what it carries is kept. None where the sheet needs the whole split (it
    holds shared or array formulas, comments or CDATA, no rows, or is not UTF-8); that split then says what
    it refuses, as before."""
    hr, written = rw.header_row, set(rw.columns)
    letters = frozenset(col_letter(c) for c in written)
    wanted = {r for r in rw.source_rows or () if r is not None}
    stream = _Streamed(pkg, part, rw.sheet, chunk, progress)
    memo: dict[str, _Carry] = {}  # a row's attributes, carrying no cell: one tuple for every row alike
    rows: list[_Row] = []
    carried: dict[int, _Carry] = {}
    first: _Row | None = None
    prev = last = 0
    try:
        stream.open()
        for region in stream.regions():
            if (first is not None and (nums := row_numbers(region)) is not None and min(nums) > first[0]
                    and wanted.isdisjoint(nums)):  # no row here is the first or wanted: only their numbers count
                prev, last = nums[-1], max(last, max(nums))
                continue
            cells = not _only_written(region, stream.p, letters)
            if (not cells and first is not None and not stream.p and (nums := row_numbers(region)) is not None
                    and min(nums) > first[0] and len(_PLAIN_ROW.findall(region)) == len(nums)):
                # data rows below the first that carry nothing (no cell outside those written, no attribute
                # but r and spans): a row of them is kept by no one (an undo's whole T&A, 223,000 rows)
                for num in wanted.intersection(nums):
                    carried.pop(num, None)
                prev, last = nums[-1], max(last, max(nums))
                continue
            for num, rm in numbered_rows(region, prev):
                attrs = rm.group(1)
                prev = num
                last = max(last, num)
                if num <= hr:
                    rows.append((num, attrs, rm.group(2) or "", rm.group(0)))
                    continue
                if first is None or num <= first[0]:  # of equal numbers the last, as a dict of rows keeps
                    first = (num, attrs, rm.group(2) or "", rm.group(0))
                if num in wanted:
                    a, keep = _carry(attrs, rm.group(2) or "", written, cells)
                    if keep:
                        carried[num] = (a, keep)
                    elif a:
                        carried[num] = memo.setdefault(a, (a, ()))
                    else:
                        carried.pop(num, None)
    except _WholePart:
        return None
    if first is not None:
        rows.append(first)
    return _Carried(stream.sheet(rows, None, last), carried, stream.formula)


def _scan_append(pkg: _Package, part: str, rw: SheetRewrite, chunk: int = STREAM_CHUNK,
                 progress: Progress | None = None) -> tuple[_Sheet, bool] | None:
    """``_split_sheet``'s append split (the header rows, the first data row, the last row's number), read
    ``chunk`` bytes at a time, and whether the rows hold a formula: rows added below a long log need nothing
    else of the rows above them, which ``_body_regions`` then copies as they are. None where the whole split
    must answer (rows past ``keep_rows``, shared or array formulas, comments or CDATA, no rows, not UTF-8)."""
    try:
        looked = _AppendPass(pkg, part, rw, chunk, progress)
        for _ in looked.regions():
            pass
    except _WholePart:
        return None
    if not 0 < looked.last_seen <= rw.header_row + rw.keep_rows:
        return None
    return looked.stream.sheet(looked.rows, "", looked.last_seen), looked.stream.formula


class _AppendPass:
    """An append's pass over a long sheet: the head, the header rows and the first data row are read first
    (what the rows added need), then every region is checked and given as it is (``regions``), noting the
    last row. ``_scan_append`` reads it through before writing; with the last row known beforehand
    (``last_row``) the regions are copied as they come and ``finish`` confirms it and gives the tail.
    Raises ``_WholePart`` where the whole split must answer."""

    def __init__(self, pkg: _Package, part: str, rw: SheetRewrite, chunk: int, progress: Progress | None,
                 last_row: int = 0) -> None:
        self.stream = _Streamed(pkg, part, rw.sheet, chunk, progress)
        self.stream.open()
        self._rest = self.stream.regions()
        self._read: list[str] = []
        self._last_row, self.last_seen = last_row, 0
        self.rows: list[_Row] = []
        prev = 0
        for region in self._rest:
            self._read.append(region)
            for num, rm in numbered_rows(region, prev):
                prev = num
                self.rows.append((num, rm.group(1), rm.group(2) or "", rm.group(0)))
                if num > rw.header_row:
                    break  # the header rows and the first data row are all an append needs
            if self.rows and self.rows[-1][0] > rw.header_row:
                break
        self.sheet = self.stream.sheet(self.rows, "", last_row)
        self._sheet_name = rw.sheet

    def regions(self) -> Iterator[str]:
        """Every region of rows, as it is, checked."""
        p = self.stream.p
        for region in chain(self._read, self._rest):
            if max(region.rfind(f"<{p}row "), region.rfind(f"<{p}row>")) >= 0:
                self.last_seen = _last_row_number(region, p)  # the last row as written, as the whole split reads it
            yield region
        self._read = []

    def finish(self, frozen: int) -> str:
        """The sheet's tail once every row is copied; ``_WholePart`` where its last row is not the one known."""
        if self.last_seen != self._last_row:
            raise _WholePart
        check_tail_refs(self._sheet_name, self.stream.tail, frozen)
        return self.stream.tail


def _body_regions(pkg: _Package, part: str, sheet: str, chunk: int = STREAM_CHUNK,
                  progress: Progress | None = None) -> Iterator[str]:
    """The rows of a sheet ``_scan_append`` took, a region of whole rows at a time, as they are."""
    texts = _part_texts(pkg, part, f"Copying '{sheet}'", chunk, progress)
    found = _sheet_data_start(texts)
    assert found is not None, "read once already"
    m, buf = found
    for region, _end in _row_regions(texts, buf[m.end():], m.group(1)):
        yield region


def _carried_last_column(rw: SheetRewrite, data_rows: dict[int, _Row], carried: dict[int, _Carry],
                         max_col: int) -> int:
    """``max_col`` taking in the cells carried (``_write_block`` finds the same column as it writes them): a
    streamed sheet's dimension is written before its rows."""
    written = set(rw.columns)
    for src in set(rw.source_rows or ()):
        if src is None or src <= rw.header_row:
            continue
        found = carried.get(src)
        if found is None:
            old = data_rows.get(src)
            found = _NO_CARRY if old is None else _carry(old[1], old[2], written)
        if found[1]:
            max_col = max(max_col, max(c for c, _, _ in found[1]))
    return max_col


ROW_BLOCK = 1 << 15
"""Rows formatted at a time when a rewrite is streamed (``_stream_rows``)."""


def _stream_rows(pkg: _Package, part: str, start: list[str], rw: SheetRewrite, p: str, data_rows: dict[int, _Row],
                 kept: int, col_style: dict[int, int], masters: dict, vw: _ValueWriter, max_col: int,
                 wrapped: tuple[tuple[int, float], ...], end: str | Callable[[], str], progress: Progress | None = None,
                 carried: dict[int, _Carry] | None = None, kept_rows: Iterator[str] | None = None,
                 new_cells: dict[int, NewCell] | None = None, grow: tuple[int, set[int], int] | None = None) -> bool:
    """The sheet written straight into a compressed temporary part: ``start`` (its head and the rows it
    keeps), ``kept_rows`` (the rows kept, copied a region at a time), ``rw.rows`` a block at a time, then
    ``end`` (or what it gives once the rows are written); nothing is held whole. True when a formula moved.
    ``carried``: the cells each source row carries, as ``_scan_carried`` read them; ``grow``: as for
    ``_write_rows``."""
    sink = pkg.streamed()

    done = [0]

    def flush(pieces: list[str]) -> None:
        if progress is not None and done[0]:  # the first flush is the head and the rows kept
            progress(f"Writing '{rw.sheet}'", min(done[0], len(rw.rows)), len(rw.rows))
        done[0] += ROW_BLOCK
        batch: list[str] = []  # rows joined up to a chunk: one encode and compress call, not one a row
        held = 0
        for piece in pieces:
            if len(piece) >= STREAM_CHUNK:  # a kept log of a million rows: encoded a slice at a time
                _write_joined(sink, batch)
                held = 0
                for i in range(0, len(piece), STREAM_CHUNK):
                    sink.write(piece[i:i + STREAM_CHUNK])
                continue
            batch.append(piece)
            held += len(piece)
            if held >= STREAM_CHUNK:
                _write_joined(sink, batch)
                held = 0
        _write_joined(sink, batch)
        pieces.clear()

    try:
        flush(start)
        copied = _copy_regions(sink, kept_rows) if kept_rows is not None else []
        _, translated = _write_rows([], rw, p, data_rows, kept, col_style, masters, vw, max_col, wrapped, flush,
                                    ROW_BLOCK, carried, new_cells=new_cells, grow=grow)
        sink.write(end() if callable(end) else end)
    except BaseException:
        sink.discard()
        raise
    pkg.set_streamed(part, sink, copied)
    return translated




def _dropping(regions: Iterable[str], sheet: str, p: str, hr: int, drop: int) -> Iterator[str]:
    """Regions of whole rows with rows ``hr + 1`` to ``hr + drop`` left out and every row below moved up by
    ``drop`` (its number and its cells' references): a region wholly above, inside or below the rows left
    out is settled from its row numbers alone, and only a region across a boundary is split into rows."""
    cut = hr + drop

    def up(text: str) -> str:
        if _has_formula(text):  # a formula's references would not move with its row
            raise ValueError(f"sheet '{sheet}': rows moved up hold formulas")
        return ROW_OR_CELL_REF.sub(lambda m: f'{m.group(1)}{int(m.group(2)) - drop}"', text)

    for region in regions:
        if f"<{p}row" not in region:
            yield region
            continue
        head = _FIRST_R_RE.match(region, region.find(f"<{p}row")) if not p else None
        low, high = (int(head.group(1)) if head else 0), _last_row_number(region, p)
        if not (low and high):  # a row's number is not where the first look finds it
            nums = row_numbers(region)
            if nums is None:
                raise ValueError(f"sheet '{sheet}': a row without its number among the rows moved up")
            low, high = nums[0], nums[-1]
        if low > cut:
            yield up(region)
        elif high <= hr:
            yield region
        elif low <= hr or high > cut:
            yield "".join(rm.group(0) if num <= hr else up(rm.group(0))
                          for num, rm in numbered_rows(region) if num <= hr or num > cut)


def _write_joined(sink: _Deflated, pieces: list[str]) -> None:
    """Write ``pieces`` as one text, and empty the list."""
    if pieces:
        sink.write("".join(pieces))
        pieces.clear()


def _copy_regions(sink: _Deflated, regions: Iterator[str]) -> list[tuple[int, int]]:
    """Write ``regions`` (whole rows each) as they are; return the bytes between the first region and the last,
    which the check of the file written need not parse again: rows copied unchanged from the user's file. The
    first and the last region are parsed, so the joins with what prodbook wrote are checked."""
    first = next(regions, None)
    if first is None:
        return []
    sink.write(first)
    lo = sink.file_size
    held = None
    for region in regions:
        if held is not None:
            sink.write(held)
        held = region
    hi = sink.file_size
    if held is not None:
        sink.write(held)
    return [(lo, hi)] if hi > lo else []


def block_columns(rw: SheetRewrite, lo: int, hi: int) -> list[Sequence]:
    """The columns of ``rw.rows[lo:hi]``: taken straight from ``RowsByColumn``, made from row tuples else."""
    if isinstance(rw.rows, RowsByColumn):
        return rw.rows.block(lo, hi)
    return list(zip(*rw.rows[lo:hi])) if hi > lo else [()] * len(rw.columns)


def _date_styles_first(vw: _ValueWriter, rw: SheetRewrite, styles: list[int], step: int) -> None:
    """Add the date styles a whole-column pass would add, in its order (column by column), before the rows
    are written a block at a time: a date first met in a later block must not number its style otherwise."""
    dates = [False] * len(styles)
    stamps = [False] * len(styles)
    for lo in range(0, len(rw.rows), step):
        for j, values in enumerate(block_columns(rw, lo, min(len(rw.rows), lo + step))):
            kinds = set(map(type, values))
            dates[j] = dates[j] or date in kinds
            stamps[j] = stamps[j] or (any(issubclass(t, datetime) for t in kinds) and any(
                isinstance(v, datetime) and v == v for v in values))  # NaT writes no date
    for j, style in enumerate(styles):
        if dates[j]:
            vw.styles.date_style(style, False)
        if stamps[j]:
            vw.styles.date_style(style, True)


def _write_rows(out: list[str], rw: SheetRewrite, p: str, data_rows: dict[int, _Row], kept: int,
                col_style: dict[int, int], masters: dict, vw: _ValueWriter, max_col: int,
                wrapped: tuple[tuple[int, float], ...] = (), flush: Callable[[list[str]], None] | None = None,
                block: int = ROW_BLOCK, carried: dict[int, _Carry] | None = None,
                new_cells: dict[int, NewCell] | None = None,
                grow: tuple[int, set[int], int] | None = None) -> tuple[int, bool]:
    """Append the XML of ``rw.rows`` (from row ``kept + 1``) to ``out``; rows with wrapped text are made
    tall enough to show it (``wrapped``: the row indexes and widths of wrapping columns). With ``flush``,
    the rows are formatted ``block`` at a time and handed to it after each block. ``carried``: each source
    row's carried cells read already (a row in neither it nor ``data_rows`` carries nothing). ``new_cells``:
    the cells a new row gets in columns prodbook does not write (``table_rows.new_row_cells``). ``grow``: the
    sheet's header row, old last data rows and new one, where the data's end moves: a carried formula's ranges
    over the data whose last row is fixed (``$A$2:$A$3357``) run to the new one, as Excel's Insert runs them.

    Returns the last column used and whether a carried formula was moved.
    """
    written = list(rw.columns)
    letters = [col_letter(c) for c in written]
    styles_ = [col_style[c] for c in written]
    carried_cache: dict[int, _Carry] = carried if carried is not None else {}
    translated = False
    n = len(rw.rows)
    step = block if flush is not None else max(n, 1)
    if n > step:
        _date_styles_first(vw, rw, styles_, step)
    for b in range(0, n, step):
        max_col, moved = _write_block(out, rw, b, min(n, b + step), p, data_rows, kept, masters, vw, max_col,
                                      wrapped, written, letters, styles_, carried_cache, new_cells, grow)
        translated = translated or moved
        if flush is not None:
            flush(out)
    return max_col, translated


def _write_block(out: list[str], rw: SheetRewrite, lo: int, hi: int, p: str, data_rows: dict[int, _Row], kept: int,
                 masters: dict, vw: _ValueWriter, max_col: int, wrapped: tuple[tuple[int, float], ...],
                 written: list[int], letters: list[str], styles_: list[int],
                 carried_cache: dict[int, _Carry], new_cells: dict[int, NewCell] | None = None,
                 grow: tuple[int, set[int], int] | None = None) -> tuple[int, bool]:
    """``_write_rows`` for the rows ``lo:hi``, formatted column-wise."""
    sheet, hr = rw.sheet, rw.header_row
    written_set = set(written)
    src_rows = rw.source_rows
    translated = False
    row_open = f"<{p}row"
    row_close = f"</{p}row>"
    numbers = [str(kept + 1 + i) for i in range(lo, hi)]
    by_column = block_columns(rw, lo, hi)
    cells = [column_cells(vw, by_column[j], letters[j], numbers, styles_[j], written[j]) for j in range(len(written))]
    heights = row_heights([(by_column[j], w) for j, w in wrapped], hi - lo) if wrapped else None
    del by_column
    for i in range(hi - lo):
        rn = kept + 1 + lo + i
        rs = numbers[i]
        src = src_rows[lo + i] if src_rows is not None else None
        row_attrs = ""
        carried: Sequence[tuple[int, str, str]] = ()
        if src is not None:
            if src <= hr:
                raise ValueError(f"sheet '{sheet}': source row {src} is not below the header row {hr}")
            cached = carried_cache.get(src)
            if cached is None:
                old = data_rows.get(src)
                cached = _NO_CARRY if old is None else _carry(old[1], old[2], written_set)
                carried_cache[src] = cached
            row_attrs, carried = cached
        if carried:
            assert src is not None  # only a source row carries cells
            parts_: list[tuple[int, str]] = []
            for c, ca, inner in carried:
                xml, moved = _carried_cell(p, sheet, masters, c, ca, inner, src, rn, grow)
                translated = translated or moved
                parts_.append((c, xml))
            for j in range(len(written)):
                if x := cells[j][i]:
                    parts_.append((written[j], x))
            parts_.sort(key=lambda x: x[0])
            body = "".join(x[1] for x in parts_)
            if parts_:
                mc = parts_[-1][0]
                if mc > max_col:
                    max_col = mc
        elif new_cells and src is None:  # a new row: open columns stay open, a Table's calculated ones calculate
            parts_ = [(written[j], x) for j in range(len(written)) if (x := cells[j][i])]
            for c, (st, formula) in new_cells.items():
                parts_.append((c, new_cell(p, c, rs, rn, hr + 1, st, formula)))
                translated = translated or formula is not None
            parts_.sort(key=lambda x: x[0])
            body = "".join(x[1] for x in parts_)
            max_col = max(max_col, parts_[-1][0])
        else:
            body = "".join([column[i] for column in cells])
        if heights is not None:
            row_attrs = _with_height(row_attrs, heights[i])
        if body or row_attrs.strip():
            out.append(f'{row_open} r="{rs}"{row_attrs}>{body}{row_close}')
    return max_col, translated


def _carried_cell(p: str, sheet: str, masters: dict, c: int, ca: str, inner: str, src: int, rn: int,
                  grow: tuple[int, set[int], int] | None = None) -> tuple[str, bool]:
    """A cell carried from row ``src`` to row ``rn``, its formula moved (and grown: ``_write_rows``); True when
    it was translated."""
    ref = f"{col_letter(c)}{rn}"
    if "<" in inner and _HAS_F.search(inner):
        fm = _F_RE.search(inner)
        assert fm is not None  # _HAS_F found one
        fattrs = fm.group(2)
        ftype = _attr(fattrs, "t")
        original = None  # the cell's own formula text, where it has one (a shared formula's is its first cell's)
        if ftype == "shared":
            si = _attr(fattrs, "si")
            if si not in masters:
                raise UnsupportedLayout(
                    f"sheet '{sheet}' cell {col_letter(c)}{src}: a shared formula whose first cell is missing"
                )
            mtext, mrow, mcol = masters[si]
            ftext = translate_formula(mtext, (mrow, mcol), (rn, c))
        elif ftype in ("array", "dataTable"):
            raise UnsupportedLayout(
                f"sheet '{sheet}' has an array formula in cell {col_letter(c)}{src}, inside the rows prodbook rewrites"
            )
        elif src == rn and grow is None:
            return f"<{p}c{_with_ref(ca, ref)}>{inner}</{p}c>", False
        else:
            original = _unesc(fm.group(3) or "")
            ftext = original if src == rn else translate_formula(original, (src, c), (rn, c))
        if grow is not None:
            ftext = grow_fixed_ranges(ftext, sheet, grow)
            if src == rn and ftext == original:  # neither moved nor grown: the cell as it was
                return f"<{p}c{_with_ref(ca, ref)}>{inner}</{p}c>", False
        extra = ""
        for an in ("ca", "aca"):
            av = _attr(fattrs, an)
            if av:
                extra += f' {an}="{av}"'
        ca2 = _del_attr(_del_attr(_del_attr(ca, "t"), "cm"), "vm")
        fp = fm.group(1)
        return f"<{p}c{_with_ref(ca2, ref)}><{fp}f{extra}>{_esc(ftext)}</{fp}f></{p}c>", True
    if inner:
        return f"<{p}c{_with_ref(ca, ref)}>{inner}</{p}c>", False
    return f"<{p}c{_with_ref(ca, ref)}/>", False


def _move_tail_ranges(tail: str, sheet: str, hr: int, old_ends: set[int], new_end: int, grow_cols: tuple) -> str:
    """Conditional formats, validations and the sheet's filter, moved to the new last data row; the ranges of
    their formulas over the data too, as Excel's Insert grows them (a rule that no Notes cell repeats another,
    ``COUNTIF($M$2:$M$3357,M2)<2``, over the new rows as well)."""
    args = (hr, old_ends, new_end)
    if old_ends and new_end not in old_ends and ("<formula" in tail or "f>" in tail):
        tail = grow_own_ranges(tail, sheet, args)
    # a sheet-level filter over the header alone grows with the data
    af_args = (hr, old_ends or {hr}, new_end)
    tail = re.sub(
        r'(<(?:\w+:)?(?:conditionalFormatting|dataValidation)\b[^>]*\ssqref=")([^"]*)(")',
        lambda m: m.group(1) + _adjust_format_sqref(m.group(2), *args) + m.group(3),
        tail,
    )
    tail = re.sub(
        r"(<(?:\w+:)?sqref>)([^<]*)(</(?:\w+:)?sqref>)",
        lambda m: m.group(1) + _adjust_sqref(m.group(2), *args) + m.group(3),
        tail,
    )
    return re.sub(
        r'(<(?:\w+:)?autoFilter\b[^>]*\sref=")([^"]*)(")',
        lambda m: m.group(1) + _adjust_range(m.group(2), *af_args, *grow_cols) + m.group(3),
        tail,
    )


def _set_dimension(head: str, max_col: int, last_row_any: int) -> str:
    """The sheet head with its <dimension> grown to cover the written cells."""
    dm = re.search(r'(<(?:\w+:)?dimension\b[^>]*\sref=")([^"]*)(")', head)
    if dm:
        start = dm.group(2).split(":")[0]
        try:
            srow, scol = _parse_cell(start)
        except ValueError:
            srow, scol = 1, 0
        dim = f"{col_letter(scol)}{srow}:{col_letter(max(max_col, scol))}{max(last_row_any, srow)}"
        head = head[: dm.start()] + dm.group(1) + dim + dm.group(3) + head[dm.end():]
    return head


def _update_table(pkg: _Package, sheet: str, table: _Table, new_end: int, added: dict[int, str],
                  keep_totals: bool = True) -> None:
    """The Table's ref, filter and sort moved to the new end (its Total row, if any, the row below it, or
    with ``keep_totals`` False none: rows copied without it); added headers become Table columns."""
    tp, ttext, r1, c1, _r2, c2, totals, _name = table
    end_col = max(c2, *added) if added else c2
    data_ref = f"{col_letter(c1)}{r1}:{col_letter(end_col)}{new_end}"
    table_ref = f"{col_letter(c1)}{r1}:{col_letter(end_col)}{new_end + totals}" if keep_totals else data_ref

    ttext = re.sub(r'(<(?:\w+:)?table\b[^>]*?\sref=")([^"]*)(")', lambda m: m.group(1) + table_ref + m.group(3),
                   ttext, count=1)
    if totals and not keep_totals:
        ttext = re.sub(r'<(?:\w+:)?table\b[^>]*>', lambda m: _set_attr(m.group(0), "totalsRowCount", "0"),
                       ttext, count=1)
    ttext = re.sub(r'(<(?:\w+:)?autoFilter\b[^>]*?\sref=")([^"]*)(")', lambda m: m.group(1) + data_ref + m.group(3),
                   ttext, count=1)
    ttext = re.sub(
        r'(<(?:\w+:)?sortState\b[^>]*?\sref=")([^"]*)(")',
        lambda m: m.group(1) + _adjust_range(m.group(2), r1, {table.data_end}, new_end) + m.group(3),
        ttext, count=1,
    )
    if added:
        tcm = re.search(r"(<((?:\w+:)?)tableColumns\b[^>]*>)(.*?)(</(?:\w+:)?tableColumns>)", ttext, re.S)
        if tcm:
            tp_ = tcm.group(2)
            ids = [int(x) for x in re.findall(r'<(?:\w+:)?tableColumn\b[^>]*\sid="(\d+)"', tcm.group(3))]
            names = {_unesc(x).lower()
                     for x in re.findall(r'<(?:\w+:)?tableColumn\b[^>]*\sname="([^"]*)"', tcm.group(3))}
            nid = max(ids, default=0)
            add = ""
            for c in sorted(added):
                name = added[c]
                if name.lower() in names:
                    raise UnsupportedLayout(
                        f"sheet '{sheet}': its Table already has a column named '{name}', but no header cell "
                        f"shows it; type the header '{name}' over its column (or remove that Table column), "
                        "then run again")
                nid += 1
                names.add(name.lower())
                add += f'<{tp_}tableColumn id="{nid}" name="{_esc_attr(name)}"/>'
            count = len(ids) + add.count("<")
            open_tag = _set_attr(tcm.group(1), "count", str(count))
            ttext = ttext[: tcm.start()] + open_tag + tcm.group(3) + add + tcm.group(4) + ttext[tcm.end():]
    pkg.set_text(tp, ttext)
