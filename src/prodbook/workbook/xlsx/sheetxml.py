"""Splitting a sheet's XML into rows and cells with regular expressions, and reading its head."""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from prodbook.workbook.xlsx.book import _read_book
from prodbook.workbook.xlsx.model import UnsupportedLayout
from prodbook.workbook.xlsx.package import _Package
from prodbook.workbook.xlsx.refs import col_index
from prodbook.workbook.xlsx.xmltext import _attr, _unesc, number, whole

_SHEETDATA_RE = re.compile(r"<((?:\w+:)?)sheetData\b[^>]*?(/?)>")
_SHEETDATA_RE_B = re.compile(rb"<((?:\w+:)?)sheetData\b[^>]*?(/?)>")
_ROW_RE = re.compile(r"<(?:\w+:)?row\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?row>)", re.S)
_CELL_RE = re.compile(r"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_F_RE = re.compile(r"<((?:\w+:)?)f\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_R_ATTR = re.compile(r'(\s)r\s*=\s*"([^"]*)"')
_SPANS_ATTR = re.compile(r'\sspans\s*=\s*"[^"]*"')
_HAS_F = re.compile(r"<(?:\w+:)?f[\s>/]")
_HAS_F_B = re.compile(rb"<(?:\w+:)?f[\s>/]")


_F_HINTS = ("<f", ":f")


def _has_formula(text: str, start: int = 0, end: int | None = None) -> bool:
    """Does text[start:end] hold a formula element? Plain substring scans first: a long sheet of
    values is answered without the regular expression and without copying it."""
    end = len(text) if end is None else end
    if not any(text.find(h, start, end) >= 0 for h in _F_HINTS):
        return False
    return bool(_HAS_F.search(text, start, end))


@dataclass
class _Sheet:
    head: str  # text before <sheetData...>
    sd_open: str  # '<sheetData>' with its prefix
    sd_close: str
    rows: list[tuple[int, str, str, str]]  # (row number, attrs, content, raw text)
    tail: str
    prefix: str  # element prefix used in the sheet ('' or 'x:')
    kept_raw: str | None = None  # appending: every existing row, verbatim (rows holds only the first few)
    last_row: int = 0


def _last_row_number(body: str, prefix: str) -> int:
    """The r of the last <row> in sheetData, without parsing the rows before it."""
    i = max(body.rfind(f"<{prefix}row "), body.rfind(f"<{prefix}row>"))
    if i < 0:
        return 0
    m = _R_ATTR.search(body[i:body.find(">", i)])
    return whole(m.group(2), "a row's number") if m else 0


def comments_or_cdata(rows: str) -> bool:
    """Do these rows hold an XML comment or a CDATA section (which the row patterns cannot read past)? A
    one-character find first: a memchr, and most sheets hold no "!" at all."""
    return "!" in rows and ("<!--" in rows or "<![CDATA[" in rows)


def numbered_rows(text: str, prev: int = 0) -> Iterator[tuple[int, re.Match[str]]]:
    """Each row element of ``text`` with its number: its r, or one more than the row before (``prev``: the
    number before the first), as the file format reads a row written without r."""
    for rm in _ROW_RE.finditer(text):
        r = _R_ATTR.search(rm.group(1))
        prev = whole(r.group(2), "a row's number") if r else prev + 1
        yield prev, rm


_ROW_R_RE = re.compile(r'<(?:\w+:)?row\b(?:[^>]*?\sr\s*=\s*"(\d+)")?')


_FIRST_R_RE = re.compile(r'<row r="(\d+)"')


def row_numbers(text: str) -> list[int] | None:
    """The number of every row element of ``text``, as ``numbered_rows`` gives them, in one pass of the
    regular expression engine (no Python step per row); None when a row has no plain r (its number then
    follows the row before) or there is none.

    Rows as Excel and prodbook write them (no prefix, r first) are found by a pattern with no
    backtracking, four times faster over a million-row log: when it finds every "<row" there is."""
    plain = _FIRST_R_RE.findall(text)
    if plain and len(plain) == text.count("<row") and ":row" not in text:
        return list(map(int, plain))
    found = _ROW_R_RE.findall(text)
    if not found or "" in found:
        return None
    return list(map(int, found))


def _split_sheet(text: str, name: str, keep_upto: int = 0, header_row: int = 0,
                 wanted: set[int] | None = None) -> _Sheet:
    """Split a sheet's XML; with ``keep_upto`` covering every row (an append), parse only the
    rows up to the first data row and keep the rest as one verbatim chunk. With ``wanted``, keep only
    the header rows, the first data row and the ``wanted`` rows; ``last_row`` is then the highest row."""
    m = _SHEETDATA_RE.search(text)
    if not m:
        raise UnsupportedLayout(f"sheet '{name}' has no sheetData")
    prefix = m.group(1)
    if m.group(2):
        body = ""
        end = m.end()
    else:
        close = f"</{prefix}sheetData>"
        ci = text.find(close, m.end())
        if ci < 0:
            raise UnsupportedLayout(f"sheet '{name}' is not well-formed")
        body = text[m.end():ci]
        end = ci + len(close)
    if comments_or_cdata(body):
        raise UnsupportedLayout(f"sheet '{name}' holds XML comments or CDATA in its cells; prodbook cannot "
                                "rewrite it safely")
    last = _last_row_number(body, prefix) if keep_upto else 0
    append = bool(keep_upto) and 0 < last <= keep_upto
    rows = []
    first: tuple[int, str, str, str] | None = None
    for num, rm in numbered_rows(body):
        attrs = rm.group(1)
        if wanted is not None:
            last = max(last, num)
            if num > header_row and num not in wanted:
                if first is None or num <= first[0]:  # of equal numbers the last, as a dict of rows keeps
                    first = (num, attrs, rm.group(2) or "", rm.group(0))
                continue
        rows.append((num, attrs, rm.group(2) or "", rm.group(0)))
        if append and num > header_row:
            break  # the header rows and the first data row are all an append needs
    if first is not None:
        rows.append(first)  # the first data row, for the written columns' styles (after the rows as read)
    return _Sheet(text[: m.start()], f"<{prefix}sheetData>", f"</{prefix}sheetData>", rows, text[end:], prefix,
                  body if append else None, last)


_CELL_RE2 = re.compile(
    r'<(?:\w+:)?c\b(?:(?=[^>]*?\sr\s*=\s*"\$?([A-Za-z]+))|)([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)', re.S
)
_R_LETTERS = re.compile(r'(?:^|\s)r\s*=\s*"\$?([A-Za-z]+)')
_LETTERS_CACHE: dict[str, int] = {}


def _cells(content: str) -> list[tuple[int, str, str, str]]:
    """(col0, attrs, inner, raw) for each cell of a row."""
    out = []
    prev = -1
    cache = _LETTERS_CACHE
    for cm in _CELL_RE2.finditer(content):
        letters = cm.group(1)
        if letters:
            col = cache.get(letters)
            if col is None:
                col = cache[letters] = col_index(letters)
        else:
            col = prev + 1
        prev = col
        out.append((col, cm.group(2), cm.group(3) or "", cm.group(0)))
    return out


def _cells_named(content: str) -> list[tuple[int, str, str, str, bool]]:
    """``_cells`` plus whether each cell names its column in an r attribute (then its raw text can stay).
    Only the slow path for rows from other writers asks, so the hot ``_cells`` stays lean."""
    return [(c, attrs, inner, raw, _R_LETTERS.search(attrs) is not None) for c, attrs, inner, raw in _cells(content)]


def _cell_has_value(attrs: str, inner: str) -> bool:
    return bool(re.search(r"<(?:\w+:)?(?:v|is|f)\b", inner))


def _with_ref(attrs: str, ref: str) -> str:
    if _R_ATTR.search(attrs):
        return _R_ATTR.sub(lambda m: f'{m.group(1)}r="{ref}"', attrs, count=1)
    return f' r="{ref}"' + attrs


# --------------------------------------------------------------------------- cell values


def _rows_by_number(text: str, sheet: str, wanted: list[int]) -> _Sheet:
    """Split a sheet, parsing only the ``wanted`` rows (sorted) when every row carries its r.

    The other rows stay as verbatim chunks, so editing a few cells of a long
    sheet costs a scan, not a parse, of the rest.
    """
    m = _SHEETDATA_RE.search(text)
    if not m or m.group(2):
        return _split_sheet(text, sheet)
    prefix = m.group(1)
    close = f"</{prefix}sheetData>"
    ci = text.find(close, m.end())
    body = text[m.end():ci]
    if comments_or_cdata(body) or f"<{prefix}row>" in body:
        return _split_sheet(text, sheet)
    rows, pos = [], 0
    for rn in wanted:
        at = body.find(f'<{prefix}row r="{rn}"', pos)
        if at < 0:
            return _split_sheet(text, sheet)  # rows out of order, without r, or a new row: parse all
        if at > pos:
            rows.append((-1, "", "", body[pos:at]))
        rm = row_at(body, at, prefix)
        if rm is None:  # a row element cut short: parse all
            return _split_sheet(text, sheet)
        rows.append((rn, rm[0], rm[1], body[at:rm[2]]))
        pos = rm[2]
    rows.append((-1, "", "", body[pos:]))
    return _Sheet(text[: m.start()], f"<{prefix}sheetData>", close, rows, text[ci + len(close):], prefix)


def row_at(text: str, at: int, p: str) -> tuple[str, str, int] | None:
    """(attributes, content, end) of the ``<{p}row`` element starting at ``at``: ``_ROW_RE.match`` found
    with str.find (a long sheet's rows are found one by one, and the pattern's lazy scan cost the most);
    None where the element is cut short."""
    gt = text.find(">", at)
    if gt < 0:
        return None
    start = at + len(p) + 4
    if text[gt - 1] == "/":
        return text[start:gt - 1], "", gt + 1
    close = f"</{p}row>"
    end = text.find(close, gt)
    if end < 0:
        return None
    return text[start:gt], text[gt + 1:end], end + len(close)


_SI_RE = re.compile(r"<(?:\w+:)?si\b[^>]*>(.*?)</(?:\w+:)?si>", re.S)
_T_RE = re.compile(r"<(?:\w+:)?t\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?t>)", re.S)
_V_RE = re.compile(r"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)
_RPH_RE = re.compile(r"<(?:\w+:)?(?:rPh|phoneticPr)\b.*?(?:</(?:\w+:)?rPh>|/>)", re.S)


def _stream_until(zf: zipfile.ZipFile, name: str, enough: Callable[[str], bool]) -> str:
    """Decompress a part only as far as ``enough(text)`` needs (the head of a long sheet)."""
    chunks: list[bytes] = []
    with zf.open(name) as f:
        while block := f.read(1 << 18):
            chunks.append(block)
            text = b"".join(chunks).decode("utf-8", errors="ignore")
            if enough(text):
                return text
    return b"".join(chunks).decode("utf-8", errors="ignore")


def _rich_text(inner: str) -> str:
    return "".join(_unesc(m.group(1) or "") for m in _T_RE.finditer(_RPH_RE.sub("", inner)))


def sheet_head(path: str | os.PathLike[str], sheet: str, nrows: int = 12) -> list[list[Any]]:
    """The first rows of a sheet (row 0 = Excel row 1), read without parsing the rest.

    For a long generated sheet (the Change Log) whose header is all a job needs.
    Numbers come back as floats; dates as serial numbers.
    """
    pkg = _Package(Path(path))
    try:
        part = next(s[2] for s in _read_book(pkg).sheets if s[0] == sheet and s[2])
        text = _stream_until(pkg.zf, part, lambda t: len(_ROW_RE.findall(t)) > nrows or "sheetData>" in t[-200:])
        grid: dict[int, dict[int, Any]] = {}
        shared: list[int] = []
        for num, rm in numbered_rows(text):
            if num > nrows:
                break
            for col, attrs, inner, _ in _cells(rm.group(2) or ""):
                t = _attr(attrs, "t")
                v = _V_RE.search(inner)
                if t == "inlineStr":
                    value: Any = _rich_text(inner)
                elif v is None:
                    continue
                elif t == "s":
                    value = ("sst", whole(v.group(1), "a text cell's index"))
                    shared.append(value[1])
                elif t in ("str", "e"):
                    value = _unesc(v.group(1))
                elif t == "b":
                    value = v.group(1) == "1"
                else:
                    value = number(v.group(1), f"row {num}")
                grid.setdefault(num, {})[col] = value
        if shared:
            need = max(shared)
            sst_part = next((n for n in pkg.names if n.lower().endswith("sharedstrings.xml")), None)
            sst_text = _stream_until(pkg.zf, sst_part, lambda t: len(_SI_RE.findall(t)) > need) if sst_part else ""
            strings = [_rich_text(m.group(1)) for m in _SI_RE.finditer(sst_text)]
            for cells in grid.values():
                for c, v in cells.items():
                    if isinstance(v, tuple):
                        cells[c] = strings[v[1]] if v[1] < len(strings) else ""
        width = max((max(c) + 1 for c in grid.values() if c), default=0)
        return [[grid.get(r, {}).get(c) for c in range(width)] for r in range(1, max(grid, default=0) + 1)]
    finally:
        pkg.close()


_COLS_RE = re.compile(r"<(?:\w+:)?cols\b[^>]*>(.*?)</(?:\w+:)?cols>", re.S)
_COL_RE = re.compile(r"<(?:\w+:)?col\b([^>]*?)/?>")


def column_styles(head: str) -> list[tuple[int, int, int]]:
    """(first column, last column, style), columns 0-based, of the sheet's ``<cols>`` (``head``: its XML
    before the rows): the style a cell the row does not hold takes, where its row has none."""
    found = _COLS_RE.search(head)
    out = []
    for m in _COL_RE.finditer(found.group(1) if found else ""):
        lo, hi, style = (_attr(m.group(1), a) for a in ("min", "max", "style"))
        if lo and hi and style:
            out.append((whole(lo, "a column format's first column") - 1, whole(hi, "its last column") - 1,
                        whole(style, "a column's style")))
    return out


def first_row_cells(data_rows: dict[int, Any]) -> dict[int, str]:
    """The first data row's cells' attributes, by 0-based column (``data_rows``: parsed rows by number)."""
    if not data_rows:
        return {}
    return {c: a for c, a, _inner, _raw in _cells(data_rows[min(data_rows)][2])}


_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\sref="([^"]+)"')


def merged_ranges(path: str | os.PathLike[str], sheet: str, part: str | None = None
                  ) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The sheet's merged ranges, ((row, col), (row, col)) 0-based as calamine gives them.

    ``part``: the sheet's part when the caller knows it already, so workbook.xml is not read again
    for every sheet. See ``scan_sheet``.
    """
    if part is None:
        pkg = _Package(Path(path))
        try:
            part = next((s[2] for s in _read_book(pkg).sheets if s[0] == sheet), None)
        finally:
            pkg.close()
    return scan_sheet(path, part).merges if part is not None else []


HIDDEN_COLS = re.compile(rb'<(?:\w+:)?col\b(?=[^>]*\bhidden="(?:1|true)")(?=[^>]*\bmin="(\d+)")'
                         rb'(?=[^>]*\bmax="(\d+)")')
"""A hidden column range of a sheet's <cols>: its min and max (1-based)."""


@dataclass(frozen=True)
class SheetScan:
    """What one streamed pass over a sheet's XML tells without parsing its cells."""

    merges: list[tuple[tuple[int, int], tuple[int, int]]]
    """Merged ranges, ((row, col), (row, col)) 0-based as calamine gives them."""
    last_row: int
    """The last row element's number (1-based; 0: no rows). A row written without its number follows
    the one before it (the file format's rule)."""
    cell_hints: bool = True
    """Whether the sheet holds any of ``CELL_HINTS`` (an error cell, a link formula): without one, its
    cells need no second look after calamine's read."""
    bang: bool = True
    """Whether the sheet's XML holds a '!' anywhere: every reference to another sheet has one, so without one no
    formula, colour rule or validation of the sheet reads another (the look after a write passes it by)."""
    hidden_columns: tuple[tuple[int, int], ...] = ()
    """(first, last) 0-based column of each hidden range (Home > Format > Hide Columns)."""
    formulas: bool = True
    """Whether the sheet's cells (its ``<sheetData>``) hold a formula element: without one, no cell of the sheet
    holds a formula (a T&A's Actual column is asked on every run and almost never holds one)."""


CELL_HINTS = (b't="e"', b"HYPERLINK(")
"""What an error cell (whose text calamine reads as a blank) and a link formula (whose shown text a
program may not have saved) always hold; a sheet with neither needs no look for them."""


_ROW_NUMBER_RE = re.compile(rb'<(?:\w+:)?row\b([^>]*)>')
_R_ATTR_RE = re.compile(rb'\sr="(\d+)"')
_ROW_TAG_RE = re.compile(rb'<(\w+:)?row[\s>/]')


def _last_row_in(buf: bytes, cut: int, last: int) -> int:
    """The last row number once the row tags of ``buf[:cut]`` are passed (``last``: the one before them).

    A row's r sets its number, so only the tags after the last row opened with its r (as Excel writes every
    row) are read: found from the end at C speed, a long log costs no pass over its rows. A row without r
    follows the one before it; where no row opens with r, each tag is read.
    """
    first = _ROW_TAG_RE.search(buf, 0, cut)
    if first is None:
        return last
    numbered = b"<" + (first[1] or b"") + b'row r="'
    at = buf.rfind(numbered, first.start(), cut)
    if at >= 0:
        q = at + len(numbered)
        number = buf[q:buf.find(b'"', q, cut)]
        if number.isdigit():
            return _each_row(buf, cut, int(number), q)
    return _each_row(buf, cut, last)


def _each_row(buf: bytes, cut: int, last: int, start: int = 0) -> int:
    for m in _ROW_NUMBER_RE.finditer(buf, start, cut):
        r = _R_ATTR_RE.search(m[1])
        last = int(r[1]) if r else last + 1
    return last


def scan_sheet(path: str | os.PathLike[str], part: str, *, block: int = 1 << 20) -> SheetScan:
    """The sheet's merged ranges and last row, streamed: one decompression pass, little memory
    (``SheetScanner``). The start of a run gets the same from its size check (``limits.check_package``)."""
    pkg = _Package(Path(path))
    try:
        if not pkg.exists(part):
            return SheetScan([], 0)
        scanner = SheetScanner()
        with pkg.zf.open(part) as f:
            while chunk := f.read(block):
                scanner.feed(chunk)
    finally:
        pkg.close()
    return scanner.result()


class SheetScanner:
    """``SheetScan`` of a sheet's XML fed a piece at a time, wherever the pieces are cut.

    A ``<mergeCell`` or ``<row`` in the raw XML is always the element (text escapes its '<'), so a
    long log costs one pass; a tag cut in two by a piece waits for the next one.
    """

    def __init__(self) -> None:
        self._refs: list[bytes] = []
        self._last = 0
        self._carry = self._tail = b""
        self._hints = self._bang = False
        self._hidden: list[tuple[int, int]] = []
        self._in_cols = True  # before <sheetData>: where the columns' widths and hiding are
        self._cells = 0  # where the sheet's cells are: 0 before <sheetData>, 1 inside it, 2 after it
        self._formulas = False

    def feed(self, chunk: bytes) -> None:
        if chunk:
            self._take(self._carry + chunk, final=False)

    def result(self) -> SheetScan:
        self._take(self._carry, final=True)
        out = []
        for ref in self._refs:
            a, _, b = ref.decode().partition(":")
            (r1, c1), (r2, c2) = (_parse_ref(x) for x in (a, b or a))
            out.append(((r1, c1), (r2, c2)))
        return SheetScan(out, self._last, self._hints, self._bang, tuple(self._hidden), self._formulas)

    def _take(self, buf: bytes, *, final: bool) -> None:
        end = len(buf) if final else buf.rfind(b"<")
        cut = end if end >= 0 and buf.find(b">", end) < 0 else len(buf)
        if self._in_cols:
            head = buf.find(b"sheetData", 0, cut)
            stop = cut if head < 0 else head
            self._hidden += [(int(m[1]) - 1, int(m[2]) - 1) for m in HIDDEN_COLS.finditer(buf, 0, stop)]
            self._in_cols = head < 0
        self._last = _last_row_in(buf, cut, self._last)
        if buf.find(b"mergeCell", 0, cut) >= 0:  # most pieces hold none: skip the pattern there
            self._refs += _MERGE_RE.findall(buf, 0, cut)
        self._hints = self._hints or _holds_hint(self._tail, buf, cut)
        self._bang = self._bang or buf.find(b"!", 0, cut) >= 0
        if not self._formulas and self._cells < 2:
            self._formulas = self._formula_in_cells(buf, cut)
        self._tail = (self._tail + buf[max(0, cut - _HINT_REACH):cut])[-_HINT_REACH:]  # the stream so far
        self._carry = buf[cut:]

    def _formula_in_cells(self, buf: bytes, cut: int) -> bool:
        """Whether ``buf[:cut]``'s share of the sheet's cells holds a formula element. Only ``<sheetData>`` is
        looked in: a colour rule's or a validation's ``<formula>`` after it is no cell's."""
        lo = 0
        if self._cells == 0:
            head = buf.find(b"sheetData", 0, cut)
            if head < 0:
                return False
            m = _SHEETDATA_RE_B.match(buf, max(buf.rfind(b"<", 0, head), 0), cut)
            if m is None:  # not the tag prodbook knows: no promise
                return True
            self._cells, lo = (2 if m.group(2) else 1), m.end()  # <sheetData/>: a sheet without cells
        if self._cells != 1:
            return False
        hi = _cells_end(buf, lo, cut)
        if hi < 0:
            hi = cut
        else:
            self._cells = 2
        return _formula_tag(buf, lo, hi)


_SHEETDATA_END_B = re.compile(rb"</(?:\w+:)?sheetData\s*>")
_F_BYTE, _LT_BYTE, _COLON_BYTE = ord("f"), ord("<"), ord(":")


def _cells_end(buf: bytes, lo: int, hi: int) -> int:
    """Where ``</sheetData>`` starts in ``buf[lo:hi]`` (-1: not there). A cell's text may read 'sheetData';
    only the closing tag ends the cells. The tag comes after the last row: looked for from the last 'row>'
    (found from the end, a few hundred bytes back), a piece of rows is not searched whole (a search for a
    word costs 80 ms over a T&A's 130 MB of XML)."""
    at = buf.find(b"sheetData", max(lo, buf.rfind(b"row>", lo, hi)), hi)
    while at >= 0:
        lt = buf.rfind(b"<", lo, at)
        if lt >= 0 and (m := _SHEETDATA_END_B.match(buf, lt, hi)) is not None and m.end() > at:
            return lt
        at = buf.find(b"sheetData", at + 1, hi)
    return -1


def _formula_tag(buf: bytes, lo: int, hi: int) -> bool:
    """Whether ``buf[lo:hi]`` (whole tags: the scanner cuts before an unfinished one) holds a formula element,
    ``<f>`` or ``<x:f ...>``. A search for '<f' costs 0.3 s over a T&A's 130 MB of XML ('<' is every tenth
    byte); here each 'f' is found at numpy's speed (35 ms) and only those after a '<' or ':' are looked at."""
    if hi - lo < 2:
        return False
    a = np.frombuffer(buf, np.uint8, hi - lo, lo)
    at = np.flatnonzero(a[1:] == _F_BYTE)  # the 'f' at a[at + 1]
    before = a[at]
    for i in at[(before == _LT_BYTE) | (before == _COLON_BYTE)].tolist():
        lt = buf.rfind(b"<", lo, lo + i + 1)
        if lt >= 0 and _HAS_F_B.match(buf, lt, hi) is not None:  # not '<family', nor 'Note:f' in a text
            return True
    return False


_HINT_REACH = max(map(len, CELL_HINTS)) - 1


def _holds_hint(tail: bytes, buf: bytes, cut: int) -> bool:
    """Whether ``tail + buf[:cut]`` holds one of ``CELL_HINTS``: a link's formula is text, which a block
    may cut anywhere, so the join with the region before (its last bytes, ``tail``) is looked at too."""
    join = tail + buf[:min(cut, _HINT_REACH)]
    return any(buf.find(h, 0, cut) >= 0 or h in join for h in CELL_HINTS)


def _parse_ref(ref: str) -> tuple[int, int]:
    m = re.fullmatch(r"\$?([A-Za-z]+)\$?(\d+)", ref)
    if not m:
        raise UnsupportedLayout(f"a merged range has an unreadable reference '{ref}'")
    return int(m.group(2)) - 1, col_index(m.group(1))

