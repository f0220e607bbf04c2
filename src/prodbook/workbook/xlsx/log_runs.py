"""The runs a Change Log holds, read from its sheet's XML: each data row's action and time, nothing else.

The day a full log moves its oldest runs out, choosing whole runs needs two of its columns. calamine
parses every cell of a million rows (9 s at 46,000 PO lines, then 4 s to type them); this looks at the
two columns alone (3.4 s, most of it inflating the part and two passes of a pattern). It answers only for
a log as prodbook and Excel write one: rows numbered one after another from the header down, every cell
naming its column, each row's action a text and its time a date, no formula anywhere. For anything else
it says None and the caller reads the log the full way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby
from pathlib import Path
from typing import Any, BinaryIO

from prodbook.workbook.xlsx.book import _read_book
from prodbook.workbook.xlsx.model import UnsupportedLayout
from prodbook.workbook.xlsx.package import _Package
from prodbook.workbook.xlsx.refs import col_letter
from prodbook.workbook.xlsx.sheetxml import _HAS_F_B, _SHEETDATA_RE_B, _SI_RE, _rich_text
from prodbook.workbook.xlsx.styles import _Styles
from prodbook.workbook.xlsx.xmltext import _unesc

_ROW = re.compile(rb'<row r="(\d+)"')
_DAY_MS = 86_400_000
_EPOCH = {False: datetime(1899, 12, 30), True: datetime(1904, 1, 1)}


@dataclass(frozen=True)
class Run:
    """Rows one after another with the same action and time."""

    action: str
    stamp: datetime
    rows: int


@dataclass(frozen=True)
class LogRuns:
    """The log's data rows from ``first_row`` down, one after another, as runs in row order. Rows between
    the header and ``first_row`` are blank (a Table's empty first row, which an earlier prodbook kept)."""

    first_row: int
    runs: list[Run]


class _Unread(Exception):
    """The log is not of the shape read here: the caller reads it the full way."""


def scan_runs(src: Path | BinaryIO, sheet: str, header_row: int, action: int, stamp: int) -> LogRuns | None:
    """The runs of ``sheet`` below ``header_row`` (0-based columns ``action`` and ``stamp``); None where the
    log is not as prodbook and Excel write one (see the module's note), or has no data rows."""
    pkg = _Package(src)
    try:
        book = _read_book(pkg)
        part = next((s[2] for s in book.sheets if s[0].lower() == sheet.lower()), None)
        if part is None or not pkg.exists(part):
            return None
        found = _Columns(header_row, col_letter(action), col_letter(stamp))
        for region in _regions(pkg.blocks(part)):
            found.read(region)
        if not found.runs:
            return None
        styles = _Styles(pkg, book.part)
        if not all(styles.is_date(s) for _, (_, s), _ in found.runs):
            return None  # a time not shown as a date reads as a number the full way
        texts = _texts({a for a, _, _ in found.runs if isinstance(a, int)}, pkg)
        runs = [Run(texts[a] if isinstance(a, int) else a, _datetime(t, book.date1904), n)
                for a, (t, _), n in found.runs]
        return LogRuns(header_row + 1 + found.blank, runs)
    except (_Unread, UnsupportedLayout, UnicodeDecodeError, ValueError):
        return None
    finally:
        pkg.close()


def _regions(blocks: Iterator[bytes]) -> Iterator[bytes]:
    """The sheet's rows, a region of whole rows at a time (cut after its last ``</row>``)."""
    buf = b""
    for block in blocks:
        buf += block
        m = _SHEETDATA_RE_B.search(buf)
        if m is not None:
            break
    else:
        raise _Unread
    if m.group(1) or m.group(2):  # a prefix, or no rows
        raise _Unread
    buf = buf[m.end():]
    for block in blocks:
        buf += block
        if b"</sheetData>" in buf:
            break
        cut = buf.rfind(b"</row>")
        if cut >= 0:
            yield buf[:cut + 6]
            buf = buf[cut + 6:]
    end = buf.find(b"</sheetData>")
    if end < 0:
        raise _Unread
    yield buf[:end]


_Action = str | int
"""A text, or a shared string's index."""
_Stamp = tuple[float, int]
"""A serial time and its cell's style."""


class _Columns:
    """The two columns gathered a region at a time, as runs of equal cells (a run's rows are one stretch of
    the log), each distinct cell read once. Each column's cells are found by one pattern that does not
    backtrack; where a row's cell is not of the forms it finds (a blank, rich text, a formula's result) the
    count differs from the rows', and the log is then read the full way."""

    def __init__(self, header_row: int, action: str, stamp: str) -> None:
        self.header_row = header_row
        self.blank = 0
        """Blank rows between the header and the first row logged (a Table's empty first row)."""
        self.rows = 0
        self.runs: list[tuple[_Action, _Stamp, int]] = []
        self._action = re.compile(b'<c r="' + action.encode() + rb'\d+"([^>]*>'
                                  rb'(?:<is><t(?: xml:space="preserve")?>[^<]*</t></is>|<v>[^<]*</v>))</c>')
        self._stamp = re.compile(b'<c r="' + stamp.encode() + rb'\d+"((?: s="\d+")?(?: t="n")?><v>[^<]*)</v></c>')
        self._seen_action: dict[bytes, _Action] = {}
        self._seen_stamp: dict[bytes, _Stamp] = {}

    def read(self, region: bytes) -> None:
        """Each pass over a million rows costs about 0.4 s, so only what could mislead is looked for: a
        formula (its row could not be moved up as it is). A row without its number first, or one read
        another way (a prefix, a comment), makes the counts or the numbers differ."""
        if b"<f" in region and _HAS_F_B.search(region):
            raise _Unread
        count = region.count(b'<row r="')
        if not count:
            return
        first = self.header_row + 1 + self.blank + self.rows
        at = 0
        if self.rows == 0:  # the header rows, at the top of the first regions
            while (m := _ROW.search(region, at)) is not None and int(m.group(1)) <= self.header_row:
                at, count = m.end(), count - 1
            if not count:
                return
            at = region.find(b'<row r="%d"' % first)
            region = region[at:] if at > 0 else region
            while count and (end := _blank_row(region)):  # a Table's empty first row, before anything logged
                region, count, first, self.blank = region[end:], count - 1, first + 1, self.blank + 1
            if not count:
                return
        m = _ROW.match(region, region.rfind(b'<row r="'))
        rows = count
        if not region.startswith(b'<row r="%d"' % first) or m is None or int(m.group(1)) != first + rows - 1:
            raise _Unread  # a gap (rows ascend in every file Excel opens: as many rows as numbers, none left out)
        self.rows += rows
        actions = _runs(self._action.findall(region), rows, self._seen_action, _action_value)
        stamps = _runs(self._stamp.findall(region), rows, self._seen_stamp, _stamp_value)
        for a, t, n in _both(actions, stamps):
            if self.runs and self.runs[-1][:2] == (a, t):
                n += self.runs.pop()[2]
            self.runs.append((a, t, n))


def _blank_row(rows: bytes) -> int:
    """Where the first row of ``rows`` ends when it holds no value (no cells, or cells with a format
    only); 0 when it holds one."""
    gt = rows.find(b">")
    if gt > 0 and rows[gt - 1:gt] == b"/":
        return gt + 1
    end = rows.find(b"</row>", gt)
    if gt < 0 or end < 0:
        return 0
    inner = rows[gt + 1:end]
    return 0 if b"<v>" in inner or b"<is>" in inner or b"<f" in inner else end + 6


def _runs(cells: list[bytes], rows: int, seen: dict, value: Callable[[bytes], Any]) -> list[tuple]:
    """Runs of equal cells as (value, rows); one cell a row (Excel never writes a cell twice)."""
    if len(cells) != rows:
        raise _Unread
    out = []
    for cell, same in groupby(cells):
        v = seen.get(cell)
        if v is None:
            v = seen[cell] = value(cell)
        out.append((v, len(list(same))))
    return out


def _both(first: list[tuple], second: list[tuple]) -> Iterator[tuple]:
    """Two columns' runs over the same rows as runs of both: (value, value, rows)."""
    i = j = 0
    left, right = first[0][1], second[0][1]
    while i < len(first):
        n = min(left, right)
        yield first[i][0], second[j][0], n
        left, right = left - n, right - n
        if not left:
            i += 1
            left = first[i][1] if i < len(first) else 0
        if not right:
            j += 1
            right = second[j][1] if j < len(second) else 0


def _action_value(cell: bytes) -> _Action:
    attrs, _, inner = cell.partition(b">")
    if b"_x" in inner:
        raise _Unread  # Excel's _xHHHH_ escape: calamine's reading of it is the one to go by
    if attrs.endswith(b't="inlineStr"') and inner.startswith(b"<is>"):
        text = _unesc(inner[inner.index(b">", 4) + 1:inner.rindex(b"</t>")].decode("utf-8"))
        if text:
            return text
    elif attrs.endswith(b't="s"') and inner.startswith(b"<v>") and inner[3:-4].isdigit():
        return int(inner[3:-4])
    raise _Unread  # a blank, a number or an error where the action is named


def _stamp_value(cell: bytes) -> _Stamp:
    style, _, number = cell.partition(b"><v>")
    return float(number), int(style.split(b'"')[1]) if b's="' in style else 0


def _texts(need: set[int], pkg: _Package) -> list[str]:
    """The shared strings, read as far as the highest of ``need``; each of those a text."""
    if not need:
        return []
    part = next((n for n in pkg.names if n.lower().endswith("sharedstrings.xml")), None)
    if part is None:
        raise _Unread
    strings: list[str] = []
    top = max(need)
    for m in _SI_RE.finditer(pkg.text(part)):
        strings.append(_rich_text(m.group(1)))
        if len(strings) > top:
            break
    if len(strings) <= top or any(not strings[i] or "_x" in strings[i] for i in need):
        raise _Unread
    return strings


def _datetime(serial: float, date1904: bool) -> datetime:
    """A serial time as calamine reads it, to the millisecond."""
    if not (0 if date1904 else 61) <= serial < 2_958_466:
        raise _Unread  # before 1 March 1900 (Excel's leap day) or past 9999: the full way's business
    return _EPOCH[date1904] + timedelta(milliseconds=round(serial * _DAY_MS))


def runs_from_values(actions: Sequence[Any], stamps: Sequence[Any], header_row: int) -> LogRuns | None:
    """``scan_runs``' answer from the two columns' values, as Excel gives them through the add-in (the rows
    below ``header_row``, in order). Blank rows before the first row logged are a Table's empty first row;
    blank rows after the last are Excel's formatted rows below a Table. None where a row between them has
    no action text or no date and time (the log is then read the full way), or no row is logged."""
    blank = [_empty(a) and _empty(t) for a, t in zip(actions, stamps, strict=True)]
    first = next((i for i, b in enumerate(blank) if not b), None)
    if first is None:
        return None
    last = len(blank) - next(i for i, b in enumerate(reversed(blank)) if not b)
    runs: list[Run] = []
    for (action, stamp), same in groupby(zip(actions[first:last], stamps[first:last])):
        if not isinstance(action, str) or not action or not isinstance(stamp, datetime):
            return None
        runs.append(Run(action, stamp, len(list(same))))
    return LogRuns(header_row + 1 + first, runs)


def _empty(v: Any) -> bool:
    return v is None or v == ""
