"""calamine's read of a sheet, surviving the cells it panics on.

calamine (Rust) panics on a date-formatted cell whose number no date can be (-1E+308, a serial of a hundred
billion days): pyo3's ``PanicException``, which is not an ``Exception``, ended the run with a Python
traceback under a Rust message. Such a sheet is read again by openpyxl, which keeps that number a number;
the column's reader then names it as a date outside Excel's range, like any other (``cells.in_excel_range``).
The panic's own message, written by Rust straight to the process's stderr, is kept off the APM's console.
"""

from __future__ import annotations

import os
import re
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, time
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def is_panic(exc: BaseException) -> bool:
    """pyo3's PanicException: its class lives in a module Python cannot import."""
    return type(exc).__name__ == "PanicException"


@contextmanager
def quiet_stderr() -> Iterator[None]:
    """The process's stderr (fd 2) sent nowhere meanwhile, where a Rust panic writes; Python's own
    messages are written after. Without a usable fd 2 (pythonw under Excel has none), nothing to quiet."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, AttributeError, ValueError):
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def read(calamine: Callable[[], T], fallback: Callable[[], T]) -> T:
    """``calamine()``, or ``fallback()`` when it panics."""
    try:
        with quiet_stderr():
            return calamine()
    except BaseException as exc:
        if not is_panic(exc):
            raise
    return fallback()


def rows(calamine: Iterator[list[Any]], fallback: Callable[[], list[list[Any]]],
         block: int = 1 << 12) -> Iterator[list[Any]]:
    """``calamine``'s rows; when it panics part way, the rest from ``fallback()`` (rows from row 1). Read a
    block at a time, so stderr is quieted while calamine reads, not while the caller works."""
    done = 0
    try:
        while True:
            with quiet_stderr():
                got = list(islice(calamine, block))
            yield from got
            done += len(got)
            if len(got) < block:
                return
    except BaseException as exc:
        if not is_panic(exc):
            raise
    yield from islice(fallback(), done, None)


_OUT_OF_DATES = re.compile(r"Cell ([A-Z]{1,3})([0-9]+) is marked as a date but the serial value (\S+) is outside")
"""openpyxl's warning for the cell calamine panics on; it then reads the cell as the error #VALUE!."""


def openpyxl_values(path: Path, sheet: str) -> list[list[Any]]:
    """The sheet's cached values from A1, as calamine's ``to_python(skip_empty_area=False)`` gives them:
    blanks '', numbers float, a date at midnight a ``date``; as wide as the widest row. A date-formatted
    number no date can be stays the number (openpyxl would make it #VALUE!, which the cell does not show)."""
    import openpyxl
    from openpyxl.utils import column_index_from_string

    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            ws = book[sheet]
            ws.reset_dimensions()  # the file's own dimension may be wrong; every row the part holds
            got = [[_as_calamine(v) for v in row] for row in ws.iter_rows(values_only=True)]
        finally:
            book.close()
    for warned in said:
        if (m := _OUT_OF_DATES.match(str(warned.message))) and (number := _float(m[3])) is not None:
            row, col = int(m[2]) - 1, column_index_from_string(m[1]) - 1
            if row < len(got) and col < len(got[row]):
                got[row][col] = number
    while got and not any(v != "" for v in got[-1]):
        got.pop()
    width = max(map(len, got), default=0)
    return [row + [""] * (width - len(row)) for row in got]


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _as_calamine(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date()
    return value
