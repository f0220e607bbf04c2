"""Editing cells of a sheet in place: one merge pass over the rows that change.

Edits arrive as single cells (``CellEdit``) or as columns (``ColumnEdit``: the T&A's changed
Planned dates, say). They are flattened into arrays sorted by row and column, their values
formatted column-wise (``values.payloads``), and merged into the sheet's XML row by row: a
row without an edit is copied as one verbatim chunk, a row with edits is split into its cells
once, whatever the number of edits in it. The sheet may be sorted any way the user likes.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from prodbook.workbook.xlsx.book import _Book
from prodbook.workbook.xlsx.colour_rules import RulesNow
from prodbook.workbook.xlsx.model import AnyEdit, ColumnEdit, UnsupportedLayout, Value
from prodbook.workbook.xlsx.package import STREAM_CHUNK, Progress, _Package
from prodbook.workbook.xlsx.refs import MAX_COL, MAX_ROW, _parse_cell, col_index, col_letter
from prodbook.workbook.xlsx.sheetxml import (
    _F_RE,
    _HAS_F,
    _LETTERS_CACHE,
    _R_ATTR,
    _SHEETDATA_RE,
    _SPANS_ATTR,
    _cells_named,
    _has_formula,
    _rows_by_number,
    _with_ref,
    comments_or_cdata,
    row_at,
)
from prodbook.workbook.xlsx.styles import _Styles
from prodbook.workbook.xlsx.values import DATE, EMPTY, PLAIN, _ValueWriter, payloads
from prodbook.workbook.xlsx.xmltext import _attr, plain_utf8, whole


class _Flat:
    """Every edit of one sheet as parallel arrays sorted by (row, column); the last edit of a cell wins."""

    def __init__(self, edits: Sequence[AnyEdit], sheet: str, prefix: str, date1904: bool) -> None:
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        values = np.empty(sum(len(e.rows) if isinstance(e, ColumnEdit) else 1 for e in edits), dtype=object)
        at = 0
        for e in edits:
            if isinstance(e, ColumnEdit):
                rows.append(np.asarray(e.rows, dtype=np.int64))
                cols.append(np.full(len(e.rows), e.column, dtype=np.int64))
                values[at:at + len(e.rows)] = np.fromiter(e.values, dtype=object, count=len(e.rows))
                at += len(e.rows)
            else:
                rows.append(np.array([e.row], dtype=np.int64))
                cols.append(np.array([e.column], dtype=np.int64))
                values[at] = e.value
                at += 1
        row = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        col = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
        del rows, cols
        bad = (row < 1) | (row > MAX_ROW) | (col < 0) | (col >= MAX_COL)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(f"sheet '{sheet}': cell row {row[i]} column {col[i]} is outside a sheet")
        key = row * MAX_COL + col  # one sort key: a million-row sheet's edits sorted without copies of three
        del row, col, bad
        order = np.argsort(key, kind="stable")  # among equal cells, staging order: the last one wins
        key = key[order]
        last = np.ones(len(key), dtype=bool)
        last[:-1] = key[1:] != key[:-1]
        order, key = order[last], key[last]
        self.row, self.col = (key // MAX_COL).astype(np.int32), (key % MAX_COL).astype(np.int32)
        self.values = values[order]
        self.prefix, self.date1904 = prefix, date1904

    def window(self, lo: int, hi: int) -> tuple[list[int], list[int], list[str], list[Value]]:
        """Columns, kinds, payloads and values of the edits ``lo:hi``: formatted a window at a time, so
        a million edited cells are never all held as text at once."""
        values = self.values[lo:hi].tolist()
        kind, text = payloads(values, self.prefix, self.date1904)
        return self.col[lo:hi].tolist(), kind.tolist(), text, values

    def by_row(self) -> list[tuple[int, int, int]]:
        """(row, start, end): the slice of the arrays holding each edited row's cells."""
        return list(self.groups())

    def groups(self, block: int = 1 << 16) -> Iterator[tuple[int, int, int]]:
        """``by_row`` one at a time, made a block at a time (a million edited rows are no list)."""
        if not len(self.row):
            return
        starts = np.flatnonzero(np.r_[True, self.row[1:] != self.row[:-1]])
        ends = np.r_[starts[1:], len(self.row)]
        for b in range(0, len(starts), block):
            yield from zip(self.row[starts[b:b + block]].tolist(), starts[b:b + block].tolist(),
                           ends[b:b + block].tolist())


WINDOW = 1 << 16
"""Edits formatted at a time (``_Flat.window``)."""


class _WholePart(Exception):
    """The streamed merge met what only a parse of the whole sheet handles: a row without its r, rows out
    of order, an edit in a row the sheet does not hold yet, comments or CDATA, an encoding other than UTF-8."""


def _apply_cell_edits(pkg: _Package, book: _Book, styles: _Styles, part: str, sheet: str,
                      edits: Sequence[AnyEdit], chunk: int = STREAM_CHUNK, progress: Progress | None = None,
                      rules_now: RulesNow | None = None) -> bool:
    """Merge ``edits`` into the sheet's XML; True when a formula was overwritten or written.

    The sheet is streamed (``_stream_edits``: read ``chunk`` bytes at a time, merged rows written into a
    compressed temporary part), so its size costs no memory; a sheet the stream cannot take is merged
    whole (``_edit_whole``), with the same result. ``rules_now`` (when given) brings the colour rules an
    earlier prodbook wrote on the sheet up to date (``colour_rules``).
    """
    now = rules_now if rules_now is not None and rules_now.wants(sheet) else None
    flats: dict[str, _Flat] = {}

    def flat_for(prefix: str) -> _Flat:
        if prefix not in flats:
            flats[prefix] = _Flat(edits, sheet, prefix, book.date1904)
        return flats[prefix]

    try:
        return _stream_edits(pkg, book, styles, part, sheet, flat_for, chunk, progress, now)
    except _WholePart:
        return _edit_whole(pkg, book, styles, part, sheet, flat_for, now)


def _edit_whole(pkg: _Package, book: _Book, styles: _Styles, part: str, sheet: str,
                flat_for: Callable[[str], _Flat], rules_now: RulesNow | None = None) -> bool:
    """The sheet's text merged in memory: any row layout, new rows included."""
    text = pkg.text(part)
    m = _SHEETDATA_RE.search(text)
    flat = flat_for(m.group(1) if m else "")
    groups = flat.by_row()
    sh = _rows_by_number(text, sheet, [g[0] for g in groups])
    p = sh.prefix
    vw = _ValueWriter(styles, book.date1904, sheet, p)
    merge = _RowMerge(flat, vw, styles, sheet, p)
    rows = list(sh.rows)
    index = {r[0]: i for i, r in enumerate(rows) if r[0] >= 0}
    added = False
    for rn, lo, hi in groups:
        if rn in index:
            num, attrs, content, raw = rows[index[rn]]
        else:
            num, attrs, content, raw = rn, f' r="{rn}"', "", ""
        a2, new_raw = _merged_row(merge, p, rn, attrs, content, lo, hi)
        entry = (rn, a2, "", new_raw)
        if rn in index:
            rows[index[rn]] = entry
        else:
            rows.append(entry)
            added = True
    if added:
        rows.sort(key=lambda r: r[0])  # only when every row was parsed (a new row): no verbatim chunk
    # rows without r after an inserted row would move: give every row its r
    out = []
    for num, attrs, _content, raw in rows:
        if num < 0:  # a verbatim chunk of untouched rows
            out.append(raw)
            continue
        if not _R_ATTR.search(attrs):
            raw = re.sub(r"^<((?:\w+:)?)row\b", rf'<\g<1>row r="{num}"', raw, count=1)
        out.append(raw)
    head = _grown_dimension(sh.head, flat)
    tail = rules_now(sheet, sh.tail, p) if rules_now is not None else sh.tail
    pkg.set_pieces(part, [head, sh.sd_open, *out, sh.sd_close, tail])
    return merge.had_formula or vw.wrote_formula


def _merged_row(merge: _RowMerge, p: str, rn: int, attrs: str, content: str, lo: int, hi: int) -> tuple[str, str]:
    """(attributes, XML) of a row with its edits ``lo:hi`` merged in: spans dropped, r given."""
    a2 = _SPANS_ATTR.sub("", attrs)
    if not _R_ATTR.search(a2):
        a2 = f' r="{rn}"' + a2
    return a2, f"<{p}row{a2}>" + merge.row(rn, attrs, content, lo, hi) + f"</{p}row>"


def _text_blocks(blocks: Iterator[bytes]) -> Iterator[str]:
    """A UTF-8 part's text, block by block (a character cut between blocks is joined); anything
    ``_decode`` would refuse or change goes to the whole-part merge, which says so as before."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    first = True
    for block in blocks:
        if first:
            first = False
            if not plain_utf8(block):
                raise _WholePart
        try:
            yield decoder.decode(block)
        except UnicodeDecodeError:
            raise _WholePart from None
    try:
        yield decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise _WholePart from None


def _rechunk(blocks: Iterator[bytes], size: int) -> Iterator[bytes]:
    """Blocks of at most ``size`` bytes (the tests choose small ones to cut the sheet everywhere)."""
    for block in blocks:
        for i in range(0, len(block), size):
            yield block[i:i + size]


def _reported(blocks: Iterator[bytes], what: str, total: int, progress: Progress | None) -> Iterator[bytes]:
    """The blocks as they are, telling ``progress`` how many bytes have passed."""
    done = 0
    for block in blocks:
        done += len(block)
        if progress is not None:
            progress(what, done, total)
        yield block


def _part_texts(pkg: _Package, part: str, what: str, chunk: int, progress: Progress | None) -> Iterator[str]:
    """A part's text a block of ``chunk`` bytes at a time, ``progress`` hearing ``what`` and the bytes read."""
    return _text_blocks(_reported(_rechunk(pkg.blocks(part), chunk), what, pkg.size(part), progress))


def _sheet_data_start(texts: Iterator[str]) -> tuple[re.Match[str], str] | None:
    """The ``<sheetData>`` tag of a streamed sheet and the text read so far (None: the part has none)."""
    buf = ""
    for text in texts:
        buf += text
        if (m := _SHEETDATA_RE.search(buf)) is not None:
            return m, buf
    return None


def _row_regions(texts: Iterator[str], buf: str, p: str) -> Iterator[tuple[str, str | None]]:
    """A streamed sheet's rows, from ``buf`` (the text after ``<sheetData>``) on, a region of whole rows at a
    time (cut after its last complete row); the last region, the rows before ``</sheetData>``, comes with
    the text after that tag (the rest of the part is still in ``texts``). Raises ``_WholePart`` where the
    rows never end (not well-formed)."""
    close, row_end = f"</{p}sheetData>", f"</{p}row>"
    while True:
        ci = buf.find(close)
        if ci >= 0:
            yield buf[:ci], buf[ci + len(close):]
            return
        cut = buf.rfind(row_end)
        if cut >= 0:
            cut += len(row_end)
            yield buf[:cut], None
            buf = buf[cut:]
        more = next(texts, None)
        if more is None:
            raise _WholePart
        buf += more


def _stream_edits(pkg: _Package, book: _Book, styles: _Styles, part: str, sheet: str,
                  flat_for: Callable[[str], _Flat], chunk: int, progress: Progress | None = None,
                  rules_now: RulesNow | None = None) -> bool:
    """``_edit_whole``'s result, streamed: the sheet is read a block at a time and cut after its last
    complete row; each piece's edited rows are merged and the piece written on, compressed, into a
    temporary part. Untouched rows pass as they are. Raises ``_WholePart`` where ``_rows_by_number``
    would parse the whole sheet."""
    texts = _part_texts(pkg, part, f"Writing '{sheet}'", chunk, progress)
    found = _sheet_data_start(texts)
    if found is None or found[0].group(2):  # no rows to merge into: every edit is a new row
        raise _WholePart
    m, buf = found
    p = m.group(1)
    flat = flat_for(p)
    groups = flat.groups()
    vw = _ValueWriter(styles, book.date1904, sheet, p)
    merge = _RowMerge(flat, vw, styles, sheet, p)
    bare_row = f"<{p}row>"
    out = pkg.streamed()
    copied: list[tuple[int, int]] = []  # rows as the user's file has them (not as this run wrote them)
    original = part not in pkg.changed
    try:
        out.write(_grown_dimension(buf[:m.start()], flat) + f"<{p}sheetData>")
        want = next(groups, None)
        tail = ""
        for region, end in _row_regions(texts, buf[m.end():], p):
            tail = end or tail
            if comments_or_cdata(region) or bare_row in region:
                raise _WholePart
            pieces: list[str] = []
            pos = 0
            noted = original and region.isascii()  # a character is a byte there: the copied rows' bytes are known
            at_byte = out.file_size
            while want is not None:
                rn, lo, hi = want
                at = region.find(f'<{p}row r="{rn}"', pos)
                if at < 0:
                    break
                rm = row_at(region, at, p)
                if rm is None:
                    raise _WholePart
                row = _merged_row(merge, p, rn, rm[0], rm[1], lo, hi)[1]
                if noted:
                    if at - pos > RUN_NOTED:
                        _copied_inside(region, pos, at, at_byte, p, copied)
                    at_byte += at - pos + (len(row) if row.isascii() else len(row.encode("utf-8")))
                pieces += (region[pos:at], row)
                pos = rm[2]
                want = next(groups, None)
            if noted:
                _copied_inside(region, pos, len(region), at_byte, p, copied)
            pieces.append(region[pos:])
            out.write("".join(pieces))
        if want is not None:  # a row to edit that the sheet does not hold, or holds out of order
            raise _WholePart
        if rules_now is not None:  # what follows the rows, whole: a colour rule may straddle two blocks
            tail = rules_now(sheet, tail + "".join(texts), p)
        out.write(f"</{p}sheetData>" + tail)
        for text in texts:
            out.write(text)
    except BaseException:
        out.discard()
        raise
    pkg.set_streamed(part, out, copied)
    return merge.had_formula or vw.wrote_formula


RUN_NOTED = 4096
"""Untouched rows are noted for the check of the file only in runs longer than this (characters): a first
build edits every row, and a note per short run costs more than parsing it."""


def _copied_inside(region: str, start: int, end: int, at_byte: int, p: str, copied: list[tuple[int, int]]) -> None:
    """Note the rows of ``region[start:end]`` (untouched rows, written from ``at_byte`` on) but its first and
    its last: the check of the file written parses those two, and so every join with an edited row."""
    close = f"</{p}row>"
    lo = region.find(close, start, end)
    hi = region.rfind(f"<{p}row", start, end)
    if lo >= 0 and lo + len(close) < hi:
        copied.append((at_byte + lo + len(close) - start, at_byte + hi - start))


class _RowMerge:
    """Writes one row's cells: its untouched cells as they were, its edited cells from the payloads."""

    def __init__(self, flat: _Flat, vw: _ValueWriter, styles: _Styles, sheet: str, p: str) -> None:
        self.flat, self.vw, self.styles, self.sheet, self.p = flat, vw, styles, sheet, p
        self.had_formula = False
        self._date_style: dict[int, int] = {}
        self._letter: dict[int, str] = {}
        self._lo = self._hi = 0  # the window of edits formatted (``_Flat.window``)
        self.cols: list[int] = []
        self.kinds: list[int] = []
        self.text: list[str] = []
        self.values: list[Value] = []
        self._starts = (f"<{p}c ", f"<{p}c>", f"<{p}c/>")
        self._opener = f"<{p}c "
        self._bare = re.compile(rf"<{re.escape(p)}c[>/\t\n\r]")  # a cell not opened by '<c '
        self._ends = (f"</{p}c>", "/>")
        self._letters_re = re.compile(rf'<{re.escape(p)}c r="([A-Z]{{1,3}})\d')
        self._recipes: dict[tuple[tuple[str, ...], tuple[int, ...]], tuple[list[int], dict[int, int]] | None] = {}
        self._templates: dict[tuple, str | None] = {}  # (recipe key, kinds, row style) -> the row as a format
        self._named = re.compile(rf'(<{re.escape(p)}c(?=[^>]*?\sr\s*=\s*"\$?([A-Za-z]+))\s[^>]*?'
                                 rf'(?:/>|>.*?</{re.escape(p)}c>))', re.S)

    def _window(self, lo: int, hi: int) -> tuple[int, int]:
        """Edits ``lo:hi`` as indexes into the formatted window, formatting the next window when needed."""
        if lo < self._lo or hi > self._hi:
            end = min(max(hi, lo + WINDOW), len(self.flat.row))
            self.cols, self.kinds, self.text, self.values = self.flat.window(lo, end)
            self._lo, self._hi = lo, end
            for c in set(self.cols) - self._letter.keys():
                self._letter[c] = col_letter(c)
        return lo - self._lo, hi - self._lo

    def row(self, rn: int, attrs: str, content: str, lo: int, hi: int) -> str:
        """The row's cells. The usual case (each cell starting ``<c r="``) interleaves the row's cells and
        the edits by a recipe worked out once per shape of row, an edit taking the place (and the style)
        of the cell it lands on; anything else goes cell by cell (``_row_named``)."""
        lo, hi = self._window(lo, hi)
        letters: list[str] = []
        if content:
            if not content.startswith(self._opener) or not content.endswith(self._ends) \
                    or self._bare.search(content):
                return self._row_named(rn, attrs, content, lo, hi)
            letters = self._letters_re.findall(content)
            if len(letters) != content.count(self._opener):
                return self._row_named(rn, attrs, content, lo, hi)
        cols = self.cols
        key = (tuple(letters), tuple(cols[lo:hi]))
        if key not in self._recipes:
            if len(self._recipes) >= 4096:  # a sheet of ever-different rows: the cache stays small
                self._recipes.clear()
            self._recipes[key] = _recipe(letters, cols[lo:hi])
        recipe = self._recipes[key]
        if recipe is None:
            return self._row_named(rn, attrs, content, lo, hi)
        order, over = recipe
        pieces = content.split(self._opener)
        row_style = self._row_style(attrs)
        # the row as one format of its cells and edits; an edit landing on a cell the row holds takes that
        # cell's style, and a formula there must be checked (those rows go the long way)
        if not over or not _has_formula(content):
            kinds_here = tuple(self.kinds[lo:hi])
            shape = (key, kinds_here, row_style)
            if shape not in self._templates:
                if len(self._templates) >= 4096:
                    self._templates.clear()
                self._templates[shape] = self._template(order, len(pieces), key[1], kinds_here, row_style, over)
            template = self._templates[shape]
            if template is not None:
                if not over:
                    return template.format(*pieces, *self.text[lo:hi], rn)
                return template.format(*pieces, *self.text[lo:hi], rn, *self._styles(pieces, kinds_here, over,
                                                                                      row_style))
        sa = f' s="{row_style}"' if row_style else ""
        kinds, text, letter, opener, p = self.kinds, self.text, self._letter, self._opener, self.p
        rs = str(rn)
        out = []
        for i in order:
            if i > 0:
                out.append(opener + pieces[i])
                continue
            k = lo - i
            ref = letter[cols[k]] + rs
            if -i in over:  # the edit lands on a cell the row holds: its style stays, a formula is checked
                raw = opener + pieces[over[-i]]
                start = raw[:raw.find(">") + 1]
                sv = _attr(start, "s")
                s = whole(sv, "a cell's style") if sv else 0
                if not start.endswith("/>") and _HAS_F.search(raw, len(start)):
                    self._formula(raw[len(start):], ref)
                attr = f' s="{s}"' if s else ""
            else:
                s, attr = row_style, sa
            if kinds[k] == PLAIN:
                out.append(f'<{p}c r="{ref}"{attr}{text[k]}')
            else:
                out.append(self._cell(k, ref, s, rn, cols[k]))
        return "".join(out)

    def _template(self, order: list[int], held: int, edit_cols: tuple[int, ...], kinds: tuple[int, ...],
                  row_style: int, over: dict[int, int]) -> str | None:
        """A row of this shape as a ``str.format`` template: field i (0 < i < ``held``) the row's i-th cell after
        its ``<c ``, field ``held + j`` the j-th edit's text, then the row number; what the loop in ``row``
        writes, cell for cell. With edits landing on cells the row holds (``over``), each of those and each
        date takes its style attribute from a field after the row number (``_styles``, worked out per row in
        the loop's order, as a date style first asked for is added then). None where an edit needs more than
        its text (a value written by the value writer)."""
        p, opener = self.p, self._opener
        sa = f' s="{row_style}"' if row_style else ""
        number = _field(held + len(kinds))
        styled = [j for j in range(len(kinds)) if j in over or kinds[j] == DATE] if over else []
        style_of = {j: _field(held + len(kinds) + 1 + n) for n, j in enumerate(styled)}
        parts = []
        for i in order:
            if i > 0:
                parts.append(_literal(opener) + _field(i))
                continue
            j = -i
            start = _literal(f'<{p}c r="{self._letter[edit_cols[j]]}') + number + '"'
            if j in style_of:  # its style worked out per row (``_styles``)
                if kinds[j] in (PLAIN, DATE):
                    parts.append(start + style_of[j] + _field(held + j))
                elif kinds[j] == EMPTY:
                    parts.append(start + style_of[j] + "/>")
                else:
                    return None
            elif kinds[j] == PLAIN:
                parts.append(start + _literal(sa) + _field(held + j))
            elif kinds[j] == DATE:
                parts.append(start + f' s="{self._date_style_of(row_style)}"' + _field(held + j))
            elif kinds[j] == EMPTY:
                parts.append(start + _literal(sa) + "/>")
            else:
                return None
        return "".join(parts)

    def _styles(self, pieces: list[str], kinds: tuple[int, ...], over: dict[int, int], row_style: int
                ) -> list[str]:
        """The style attributes of a row's edits that land on a cell it holds (that cell's own style) and of its
        dates (the date style of that style, or of the row's), edit by edit as the loop in ``row`` asks."""
        out = []
        for j, kind in enumerate(kinds):
            if j in over:
                raw = self._opener + pieces[over[j]]
                sv = _attr(raw[:raw.find(">") + 1], "s")
                s = whole(sv, "a cell's style") if sv else 0
            elif kind == DATE:
                s = row_style
            else:
                continue
            out.append(f' s="{self._date_style_of(s)}"' if kind == DATE else f' s="{s}"' if s else "")
        return out

    def _row_named(self, rn: int, attrs: str, content: str, lo: int, hi: int) -> str:
        """The row's cells, each found by its r; an edit may land on a cell the row holds."""
        named = self._named.findall(content) if content else []
        if len(named) != sum(content.count(x) for x in self._starts):
            return self._row_slow(rn, attrs, content, lo, hi)
        cache = _LETTERS_CACHE
        old: dict[int, str] = {}
        for raw, letters in named:
            c = cache.get(letters)
            if c is None:
                c = cache[letters] = col_index(letters)
            old[c] = raw
        row_style = self._row_style(attrs)
        edited: dict[int, str] = {}
        cols, kinds, text, letter, p = self.cols, self.kinds, self.text, self._letter, self.p
        rs = str(rn)
        for k in range(lo, hi):
            c = cols[k]
            ref = letter[c] + rs
            raw = old.get(c)
            if raw is None:
                s = row_style
            else:
                start = raw[:raw.find(">") + 1]
                sv = _attr(start, "s")
                s = whole(sv, "a cell's style") if sv else 0
                if not start.endswith("/>") and _HAS_F.search(raw, len(start)):
                    self._formula(raw[len(start):], ref)
            if kinds[k] == PLAIN:  # the usual case, inline
                edited[c] = f'<{p}c r="{ref}" s="{s}"{text[k]}' if s else f'<{p}c r="{ref}"{text[k]}'
            else:
                edited[c] = self._cell(k, ref, s, rn, c)
        if old:
            old.update(edited)
            edited = old
        return "".join([edited[c] for c in sorted(edited)])

    def _row_slow(self, rn: int, attrs: str, content: str, lo: int, hi: int) -> str:
        """Rows whose cells do not all carry r (other writers): every cell gets its r."""
        p = self.p
        row_style = self._row_style(attrs)
        old = {c: (ca, inner, rawc, named) for c, ca, inner, rawc, named in _cells_named(content)}
        edited: dict[int, str] = {}
        for k in range(lo, hi):
            c = self.cols[k]
            ref = self._letter[c] + str(rn)
            s = row_style
            cell = old.get(c)
            if cell is not None:
                sv = _attr(cell[0], "s")
                s = whole(sv, "a cell's style") if sv else 0
                if "<" in cell[1] and _HAS_F.search(cell[1]):
                    self._formula(cell[1], ref)
            edited[c] = self._cell(k, ref, s, rn, c)
        parts = []
        for c in sorted(old.keys() | edited.keys()):
            x = edited.get(c)
            if x is not None:
                parts.append(x)
                continue
            ca, inner, rawc, named = old[c]
            if named:  # it names its own place: as it was
                parts.append(rawc)
            else:  # cells without r after an edited one would get a wrong position: give all cells r
                ref = col_letter(c) + str(rn)
                parts.append(f"<{p}c{_with_ref(ca, ref)}" + (f">{inner}</{p}c>" if inner else "/>"))
        return "".join(parts)

    @staticmethod
    def _row_style(attrs: str) -> int:
        """A row formatted as a whole (customFormat) gives its style to the cells written into it."""
        if "customFormat" not in attrs or _attr(attrs, "customFormat") not in ("1", "true"):
            return 0
        sv = _attr(attrs, "s")
        return whole(sv, "a cell's style") if sv else 0

    def _formula(self, inner: str, ref: str) -> None:
        """Overwriting a formula: allowed for a plain one (the calc chain goes), refused for shared/array."""
        fm = _F_RE.search(inner)
        if fm and _attr(fm.group(2), "t") in ("shared", "array", "dataTable"):
            raise UnsupportedLayout(f"sheet '{self.sheet}' cell {ref} is part of a shared or array "
                                    "formula; prodbook will not overwrite it")
        self.had_formula = True

    def _date_style_of(self, s: int) -> int:
        """The date style for a cell of style ``s``, asked for once (asking adds it to the workbook)."""
        ds = self._date_style.get(s)
        if ds is None:
            ds = self._date_style[s] = self.styles.date_style(s, False)
        return ds

    def _cell(self, k: int, ref: str, s: int, rn: int, c: int) -> str:
        p, kind = self.p, self.kinds[k]
        if kind == PLAIN:
            return f'<{p}c r="{ref}"' + (f' s="{s}"' if s else "") + self.text[k]
        if kind == DATE:
            return f'<{p}c r="{ref}" s="{self._date_style_of(s)}"' + self.text[k]
        if kind == EMPTY:
            return f'<{p}c r="{ref}"' + (f' s="{s}"' if s else "") + "/>"
        x = self.vw.cell(ref, self.values[k], s, rn, c)
        return x if x is not None else f'<{p}c r="{ref}"/>'


def _field(n: int) -> str:
    return "{" + str(n) + "}"


def _literal(text: str) -> str:
    """``text`` as literal text of a ``str.format`` template."""
    return text.replace("{", "{{").replace("}", "}}")


def _recipe(letters: Sequence[str], edit_cols: Sequence[int]) -> tuple[list[int], dict[int, int]] | None:
    """The order of a row's cells (``i`` > 0: its i-th cell) and its edits (``-j``: the j-th edit) by
    column, and which cell each edit landing on one replaces (j -> i); None where the row names a
    column twice."""
    cache = _LETTERS_CACHE
    held = []
    for x in letters:
        c = cache.get(x)
        if c is None:
            c = cache[x] = col_index(x)
        held.append(c)
    if len(set(held)) != len(held):
        return None
    edited = {c: j for j, c in enumerate(edit_cols)}
    over = {edited[c]: i + 1 for i, c in enumerate(held) if c in edited}
    order = sorted([(c, i + 1) for i, c in enumerate(held) if c not in edited] +
                   [(c, -j) for j, c in enumerate(edit_cols)])
    return [i for _, i in order], over


def _grown_dimension(head: str, flat: _Flat) -> str:
    """The sheet head with its <dimension> grown to take in every edited cell."""
    dm = re.search(r'(<(?:\w+:)?dimension\b[^>]*\sref=")([^"]*)(")', head)
    if not dm or not len(flat.row):
        return head
    try:
        a, _, b = dm.group(2).partition(":")
        r1, c1 = _parse_cell(a)
        r2, c2 = _parse_cell(b or a)
    except ValueError:
        return head
    r1, r2 = min(r1, int(flat.row.min())), max(r2, int(flat.row.max()))
    c1, c2 = min(c1, int(flat.col.min())), max(c2, int(flat.col.max()))
    ref = f"{col_letter(c1)}{r1}:{col_letter(c2)}{r2}"
    return head[: dm.start()] + dm.group(1) + ref + dm.group(3) + head[dm.end():]
