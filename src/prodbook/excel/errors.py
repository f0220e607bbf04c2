"""Config 'Function Errors' = Excel: the spreadsheet functions' errors as Excel's own error values.

In Text mode (the default) a cell shows its error as text with the reason (``#VALUE! offset must be a
number (got 'abc')``); IFERROR, ISERROR, AGGREGATE and a conditional format on errors do not see it. In Excel
mode ``prodbook.excel.udfs`` hands each error cell over as its bare code ('#VALUE!'), and the add-in's VBA
wrapper (``prodbook.excel.addin.udf_vba``) turns exactly the seven codes into ``CVErr`` values, also inside
the array of a whole-column call. The reasons are kept here, per calling cell, for ``=PRODBOOK_WHY(cell)``:
the functions run in xlwings' UDF server, one Python for the Excel session, so PRODBOOK_WHY (run there too)
finds what the cell's own call left; the way PyXLL keeps a cell's last error for its ``get_last_error``.
Only the error cells are kept (a whole column with one error: one cell), at most ``Reasons``' bound in all; a
call that gives no error drops what its cells kept, and a reason is given only while the cell's formula (a
spilled cell: its anchor's) still calls one of prodbook's functions.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
from collections.abc import Collection
from dataclasses import dataclass
from itertools import compress, islice
from operator import and_, is_not
from typing import Any

CV_ERRORS: dict[str, int] = {"#NULL!": 2000, "#DIV/0!": 2007, "#VALUE!": 2015, "#REF!": 2023, "#NAME?": 2029,
                             "#NUM!": 2036, "#N/A": 2042}
"""The error values VBA's ``CVErr`` makes in every Excel prodbook supports: code -> XlCVError number."""
NEWER_ERRORS = frozenset({"#GETTING_DATA", "#SPILL!", "#CONNECT!", "#BLOCKED!", "#UNKNOWN!", "#FIELD!", "#CALC!"})
"""Errors of Excel 365 that can come in from a cell; no CVErr of older Excel makes them: handed on as #VALUE!."""


def error_code(value: Any) -> str | None:
    """The error value a result cell stands for: '#VALUE! offset must be a number' and '#VALUE!' are
    '#VALUE!'; '#SPILL!' coming in is '#VALUE!'; None for a value or a text that is no error ('N/A', a PO
    '#4512')."""
    if not isinstance(value, str) or not value.startswith("#"):
        return None
    code = value.split(" ", 1)[0].upper()
    if code in CV_ERRORS:
        return code
    return "#VALUE!" if code in NEWER_ERRORS else None


def excel_errors(result: Any) -> tuple[Any, bool]:
    """``result`` (a value, or rows of values) with every error cell cut to its bare code; and whether any.

    The rows a whole column repeats (every empty row below the data is one list, ``formulas._trimmed``) are
    cut once: a million rows in about 50 ms (benchmarks/bench_udfs.py).
    """
    if not isinstance(result, list):
        code = error_code(result)
        return (code, True) if code else (result, False)
    out: list[Any] = []
    found = False
    last_in: Any = None
    last_out: Any = None
    for row in result:
        if row is not last_in:
            codes = [error_code(v) for v in row]
            last_in = row
            if any(codes):
                found = True
                last_out = [c or v for c, v in zip(codes, row)]
            else:
                last_out = row
        out.append(last_out)
    return out, found


Where = tuple[str, str, int, int]
"""(workbook name, sheet name, row, column) of a cell."""


_EXTERNAL = re.compile(r"^(?P<q>'?)\[(?P<book>[^\]]+)\](?P<sheet>.+?)(?P=q)!\$(?P<col>[A-Z]+)\$(?P<row>\d+)")
"""An external address, "[tracker.xlsx]Plan!$C$2" or "'[tracker.xlsx]T&A'!$C$2:$C$9"."""


def where(cell: Any) -> Where | None:
    """The place of an xlwings Range's first cell; None for what is no cell (a value, a Python caller).

    One call to Excel (``Range.Address`` with the workbook's name; Excel opens no two workbooks of one name),
    not the six that sheet, workbook, row and column would take one by one: it is asked for every call that
    gives an error, a column filled down with 10,000 of them too (and, while reasons are kept, every call).
    """
    found = _where(cell)
    return None if found is None else found[0]


def _where(cell: Any) -> tuple[Where, bool] | None:
    """``where``, and whether ``cell`` is more than that one cell."""
    try:
        address = str(cell.get_address(external=True))
    except Exception:  # a value given instead of a cell, a test's BookData; the reason is a convenience
        return None
    m = _EXTERNAL.match(address)
    if m is None:
        return None
    more = address[m.end():] != ""
    sheet = m["sheet"].replace("''", "'") if m["q"] else m["sheet"]
    column = 0
    for letter in m["col"]:
        column = column * 26 + ord(letter) - 64
    return (m["book"], sheet, int(m["row"]), column), more


def place(at: Where) -> str:
    """'Plan!B7', as Excel writes a reference ('T&A Plan'!B7 when the name needs quotes)."""
    _, sheet, row, column = at
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    name = sheet if sheet.replace("_", "").isalnum() else "'" + sheet.replace("'", "''") + "'"
    return f"{name}!{letters}{row}"


@dataclass
class _Call:
    """What one call that gave an error value keeps: its error cells only, as (row, column) offsets from the
    calling cell -> the Text-mode error text. Rows a whole column repeats (every empty row below the data is
    one list, ``formulas._trimmed``) are kept once, as a run: first and last row offset and that row's error
    cells by column offset."""

    stamp: int
    rows: int
    cols: int
    cells: dict[tuple[int, int], str]
    runs: list[tuple[int, int, dict[int, str]]]

    @property
    def size(self) -> int:
        return len(self.cells) + sum(len(row) for _, _, row in self.runs)

    def at(self, row: int, col: int) -> str | None:
        if (row, col) in self.cells:
            return self.cells[(row, col)]
        return next((cols.get(col) for first, last, cols in self.runs if first <= row <= last), None)


def _kept(stamp: int, result: Any, room: int, codes: Any = None) -> _Call:
    """The error cells of ``result`` (a value, or rows of values), at most ``room`` of them; ``codes``, what
    ``excel_errors`` made of it (a row with no error is the same list there), else worked out here."""
    if not isinstance(result, list):
        text = str(result) if error_code(result) else None
        return _Call(stamp, 1, 1, {(0, 0): text} if text else {}, [])
    call = _Call(stamp, len(result), len(result[0]) if result else 0, {}, [])
    if codes is None:
        codes = excel_errors(result)[0]
    # in C, not a Python loop over a million rows: where a row is another list than the row above (a whole
    # column repeats one list for its empty rows), and which of those rows has an error
    new = [True, *map(is_not, islice(result, 1, None), result)]
    starts = list(compress(range(len(result)), new))
    size = 0
    for i in compress(range(len(result)), map(and_, new, map(is_not, result, codes))):
        if size >= room:
            break
        k = bisect_right(starts, i)
        last = starts[k] - 1 if k < len(starts) else len(result) - 1
        found = {c: str(v) for c, v in enumerate(result[i]) if error_code(v)}
        if last > i:
            call.runs.append((i, last, found))
        else:
            call.cells.update(((i, c), v) for c, v in found.items())
        size += len(found)
    return call


class Reasons:
    """The error cells of each call that gave an error value, by its calling cell (the top-left cell of a
    spilled result), the newest kept; at most ``size`` calls and ``cells`` error cells in all, the oldest calls
    dropped first. A call that gives no error drops what its cells kept (``forget``)."""

    def __init__(self, size: int = 100_000, cells: int = 200_000) -> None:
        self._size = size
        self._room = cells
        self._calls: dict[Where, _Call] = {}
        """Calling cell -> what its newest call kept, oldest first."""
        self._areas: dict[tuple[str, str], dict[tuple[int, int], None]] = {}
        """(book, sheet) -> the calling cells of results larger than one cell."""
        self._cells = 0
        self._stamp = 0
        self._lock = threading.Lock()

    @property
    def cells(self) -> int:
        """How many error cells are kept, in all (a run of repeated rows counts as one row)."""
        return self._cells

    def __bool__(self) -> bool:
        return bool(self._calls)

    def keep(self, at: Where | None, result: Any, codes: Any = None) -> None:
        """Keep the error cells of the Text-mode ``result`` of the call at ``at`` (``codes``: ``excel_errors``'
        cut of it, which makes this faster)."""
        if at is None:
            return
        with self._lock:
            self._stamp += 1
            self._drop(at)
            call = _kept(self._stamp, result, self._room, codes)
            while self._calls and (len(self._calls) >= self._size or self._cells + call.size > self._room):
                self._drop(next(iter(self._calls)))
            self._calls[at] = call
            self._cells += call.size
            if (call.rows, call.cols) != (1, 1):
                self._areas.setdefault(at[:2], {})[at[2:]] = None

    def forget(self, at: Where | None, rows: int = 1, cols: int = 1) -> None:
        """A call at ``at`` gave no error over ``rows`` x ``cols`` cells: what was kept for a call from there,
        or from a cell its result now covers, goes."""
        if at is None:
            return
        with self._lock:
            self._drop(at)
            if (rows, cols) == (1, 1):
                return
            book, sheet, r0, c0 = at
            inside = [w for w in self._calls if w[:2] == (book, sheet) and r0 <= w[2] < r0 + rows
                      and c0 <= w[3] < c0 + cols]
            for w in inside:
                self._drop(w)

    def _drop(self, at: Where) -> None:
        call = self._calls.pop(at, None)
        if call is not None:
            self._cells -= call.size
            self._areas.get(at[:2], {}).pop(at[2:], None)

    def found(self, at: Where) -> tuple[Where, str | None] | None:
        """The calling cell of the newest kept call covering the cell, and what it gave there in Text mode (None:
        no error there); None when no call kept covers it."""
        book, sheet, row, column = at
        best: tuple[int, Where, str | None] | None = None
        with self._lock:
            hit = self._calls.get(at)
            if hit is not None:
                best = (hit.stamp, at, hit.at(0, 0))
            for r0, c0 in self._areas.get((book, sheet), {}):
                call = self._calls[(book, sheet, r0, c0)]
                if r0 <= row < r0 + call.rows and c0 <= column < c0 + call.cols and (best is None or
                                                                                     call.stamp > best[0]):
                    best = (call.stamp, (book, sheet, r0, c0), call.at(row - r0, column - c0))
        return None if best is None else best[1:]

    def reason(self, at: Where) -> str | None:
        """What the newest call covering the cell gave there in Text mode, if an error; None otherwise."""
        hit = self.found(at)
        return None if hit is None else hit[1]

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()
            self._areas.clear()
            self._cells = 0


REASONS = Reasons()
"""The reasons of this Python (xlwings' UDF server: one per Excel session)."""


def _one(value: Any) -> Any:
    while isinstance(value, (list, tuple)):  # a range given: its first cell
        value = value[0] if value else None
    return value


def shown(cell: Any) -> Any:
    """What a cell shows: its value, an error value as its code (xlwings' ``err_to_str``); of a range, its
    first cell's."""
    return _one(cell.options(err_to_str=True).value)


_TEXTS = re.compile(r'"(?:[^"]|"")*"')


def calls(formula: Any, functions: Collection[str]) -> bool:
    """Whether ``formula`` ('=TA_DUE(F2,-15,D2)', as Excel gives a cell's formula) calls one of ``functions``;
    a name inside quotes is no call."""
    if not isinstance(formula, str) or not formula.startswith("=") or not functions:
        return False
    names = "|".join(re.escape(f) for f in functions)
    return re.search(rf"(?<!\w)(?:{names})\s*\(", _TEXTS.sub('""', formula), re.I) is not None


def _prodbook_s(cell: Any, at: Where, anchor: Where, functions: Collection[str]) -> bool:
    """Whether the error ``cell`` shows is still from one of ``functions``: its own formula calls one; a cell
    of a spilled result (no formula of its own, or its value as its formula) by its anchor's formula."""
    own = _one(cell.formula)
    if isinstance(own, str) and own.startswith("="):
        return calls(own, functions)
    return anchor != at and calls(_one(cell.sheet.range(anchor[2:]).formula), functions)


def why(cell: Any, functions: Collection[str], reasons: Reasons = REASONS) -> str | None:
    """``=PRODBOOK_WHY(cell)``: the reason of the error ``cell`` shows, in words; None when it shows none.

    A kept reason is given only while the cell's formula (a spilled cell: its anchor's) still calls one of
    ``functions``, prodbook's own: a formula the APM put in its place gives the same error code for its own
    reasons.
    """
    found = _where(cell)
    if found is None:
        return ("Give PRODBOOK_WHY the cell that shows the error, such as =PRODBOOK_WHY(B2) (a reference, not "
                "a value or a formula)")
    at, more = found
    try:
        if more:  # a range given (a whole column): its first cell, read alone
            cell = cell.sheet.range(at[2:])
        value = shown(cell)
    except Exception as exc:  # an Excel busy or closing
        return f"prodbook could not read {place(at)} ({exc}); press Ctrl+Alt+F9 and look again"
    if error_code(value) is None:
        return None
    text = value.strip()
    code = text.split(" ", 1)[0].upper()
    if text != code:
        return text  # Text mode: the cell says why itself
    hit = reasons.found(at)
    if hit is None or error_code(hit[1]) != code:  # kept for another error than the cell shows (a #SPILL!...)
        return (f"{place(at)} shows {code}, and prodbook kept no reason for it: it is not from one of "
                "prodbook's functions with the Config sheet's Function Errors set to Excel, or Excel has not "
                "calculated it since it opened. Press Ctrl+Alt+F9 and look again")
    anchor, reason = hit
    try:
        ours = _prodbook_s(cell, at, anchor, functions)
    except Exception as exc:  # an Excel busy or closing
        return f"prodbook could not read the formula of {place(at)} ({exc}); press Ctrl+Alt+F9 and look again"
    if not ours:
        return (f"{place(at)} shows {code}, and its formula is not one of prodbook's functions "
                f"({', '.join(functions)}) (any more): the error is from the formula or value it holds now; look "
                "at that and the cells it reads")
    text = str(reason).strip()
    if " " not in text:  # an error that came in, as it came
        return (f"{place(at)} shows {code} because a cell its formula reads shows {text}: look at that cell "
                "(=PRODBOOK_WHY of it, if it is one of prodbook's functions too)")
    return text


__all__ = ["CV_ERRORS", "NEWER_ERRORS", "REASONS", "Reasons", "calls", "error_code", "excel_errors", "place",
           "shown", "where", "why"]
