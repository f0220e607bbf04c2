"""Config 'Function Errors' = Excel: the spreadsheet functions' errors as Excel's own error values.

In Text mode (the default) a cell shows its error as text with the reason (``#VALUE! offset must be a
number (got 'abc')``); IFERROR, ISERROR, AGGREGATE and a conditional format on errors do not see it. In Excel
mode ``prodbook.excel.udfs`` hands each error cell over as its bare code ('#VALUE!'), and the add-in's VBA
wrapper (``prodbook.excel.addin.udf_vba``) turns exactly the seven codes into ``CVErr`` values, also inside
the array of a whole-column call. The reasons are kept here, per calling cell, for ``=PRODBOOK_WHY(cell)``:
the functions run in xlwings' UDF server, one Python for the Excel session, so PRODBOOK_WHY (run there too)
finds what the cell's own call left; the way PyXLL keeps a cell's last error for its ``get_last_error``.
"""

from __future__ import annotations

import re
import threading
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
    gives an error, a column filled down with 10,000 of them too.
    """
    try:
        address = str(cell.get_address(external=True))
    except Exception:  # a value given instead of a cell, a test's BookData; the reason is a convenience
        return None
    m = _EXTERNAL.match(address)
    if m is None:
        return None
    sheet = m["sheet"].replace("''", "'") if m["q"] else m["sheet"]
    column = 0
    for letter in m["col"]:
        column = column * 26 + ord(letter) - 64
    return m["book"], sheet, int(m["row"]), column


def place(at: Where) -> str:
    """'Plan!B7', as Excel writes a reference ('T&A Plan'!B7 when the name needs quotes)."""
    _, sheet, row, column = at
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    name = sheet if sheet.replace("_", "").isalnum() else "'" + sheet.replace("'", "''") + "'"
    return f"{name}!{letters}{row}"


class Reasons:
    """The Text-mode result of each call that gave an error value, by its calling cell (the top-left cell of a
    spilled result), the newest kept; at most ``size`` calls."""

    def __init__(self, size: int = 100_000) -> None:
        self._size = size
        self._calls: dict[Where, tuple[int, int, int, Any]] = {}
        """Calling cell -> (stamp, rows, columns, result)."""
        self._areas: dict[tuple[str, str], dict[tuple[int, int], None]] = {}
        """(book, sheet) -> the calling cells of results larger than one cell."""
        self._stamp = 0
        self._lock = threading.Lock()

    def keep(self, at: Where | None, result: Any) -> None:
        if at is None:
            return
        rows, cols = (len(result), len(result[0]) if result else 0) if isinstance(result, list) else (1, 1)
        with self._lock:
            self._stamp += 1
            self._drop(at)
            if len(self._calls) >= self._size:
                self._drop(next(iter(self._calls)))
            self._calls[at] = (self._stamp, rows, cols, result)
            if (rows, cols) != (1, 1):
                self._areas.setdefault(at[:2], {})[at[2:]] = None

    def _drop(self, at: Where) -> None:
        if self._calls.pop(at, None) is not None:
            self._areas.get(at[:2], {}).pop(at[2:], None)

    def reason(self, at: Where) -> Any:
        """What the newest call covering the cell gave there in Text mode; None when no call kept covers it."""
        book, sheet, row, column = at
        best: tuple[int, Any] | None = None
        with self._lock:
            hit = self._calls.get(at)
            if hit is not None:
                best = (hit[0], hit[3][0][0] if isinstance(hit[3], list) else hit[3])
            for r0, c0 in self._areas.get((book, sheet), {}):
                stamp, rows, cols, result = self._calls[(book, sheet, r0, c0)]
                if r0 <= row < r0 + rows and c0 <= column < c0 + cols and (best is None or stamp > best[0]):
                    best = (stamp, result[row - r0][column - c0])
        return None if best is None else best[1]

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()
            self._areas.clear()


REASONS = Reasons()
"""The reasons of this Python (xlwings' UDF server: one per Excel session)."""


def shown(cell: Any) -> Any:
    """What a cell shows: its value, an error value as its code (xlwings' ``err_to_str``)."""
    value = cell.options(err_to_str=True).value
    while isinstance(value, list):  # a range given: its first cell
        value = value[0] if value else None
    return value


def why(cell: Any, reasons: Reasons = REASONS) -> str | None:
    """``=PRODBOOK_WHY(cell)``: the reason of the error ``cell`` shows, in words; None when it shows none."""
    at = where(cell)
    if at is None:
        return ("Give PRODBOOK_WHY the cell that shows the error, such as =PRODBOOK_WHY(B2) (a reference, not "
                "a value or a formula)")
    try:
        value = shown(cell)
    except Exception as exc:  # an Excel busy or closing
        return f"prodbook could not read {place(at)} ({exc}); press Ctrl+Alt+F9 and look again"
    if error_code(value) is None:
        return None
    text = value.strip()
    code = text.split(" ", 1)[0].upper()
    if text != code:
        return text  # Text mode: the cell says why itself
    reason = reasons.reason(at)
    if error_code(reason) != code:  # kept for another error than the cell shows (a #SPILL! of Excel's own...)
        return (f"{place(at)} shows {code}, and prodbook kept no reason for it: it is not from one of "
                "prodbook's functions with the Config sheet's Function Errors set to Excel, or Excel has not "
                "calculated it since it opened. Press Ctrl+Alt+F9 and look again")
    text = str(reason).strip()
    if " " not in text:  # an error that came in, as it came
        return (f"{place(at)} shows {code} because a cell its formula reads shows {text}: look at that cell "
                "(=PRODBOOK_WHY of it, if it is one of prodbook's functions too)")
    return text


__all__ = ["CV_ERRORS", "NEWER_ERRORS", "REASONS", "Reasons", "error_code", "excel_errors", "place", "shown",
           "where", "why"]
