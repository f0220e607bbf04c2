"""The spreadsheet functions' bodies: pure, column-wise, tested without Excel.

``prodbook.excel.udfs`` wraps these for Excel (xlwings). Each function takes what
xlwings hands a UDF — a single value, or a 2-D list for a range — and returns
a value or a 2-D list of the same shape (a dynamic array), so a whole column
is one call. Rules shared by every function:

* Arguments broadcast as Excel's array formulas do: a single value goes with
  every cell, a single row with every row and a single column with every
  column (a column of dates and a row of offsets give a grid); ranges of
  different lengths are a #VALUE! error.
* Dates come in as Excel gives them (datetime, date, or a serial number) and
  go out as ``datetime`` (xlwings writes an Excel date). Text dates are read
  with the workbook's Date Order setting; a serial number kept as text
  ('45000') is that serial, as WORKDAY.INTL reads it. A day before
  1-Mar-1900, in or out, is an error: Excel's calendar counts a 29-Feb-1900
  there, so no date of ours could be WORKDAY.INTL's.
* A bad cell gives an error text in that cell only, such as
  ``#VALUE! offset must be a number``; a blank input gives a blank result.
  Nothing raises: the caller never shows a Python traceback. (With Config
  Function Errors = Excel, ``udfs`` hands each on as Excel's error value.)

The workbook's own data (vendor calendars, the T&A sheet) comes in through a
``BookData``; ``book_data`` builds one from any back end and caches the
factory calendars per workbook, keyed on the Vendors and Closures cells, so
they are rebuilt only when those sheets change.
"""

from __future__ import annotations

import hashlib
import itertools
import operator
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from prodbook.core.calendar import FactoryCalendar, add_days_array
from prodbook.core.cells import EXCEL_ERRORS, NA_WORDS, CellError, DateOrder, is_blank, to_date, to_number
from prodbook.core.config import FunctionErrors
from prodbook.core.factories import vendor_calendars
from prodbook.core.model.records import DayType, day_type_of
from prodbook.core.model.sheets import CLOSURES, TA, VENDORS
from prodbook.core.ta import statuses
from prodbook.jobs.base import valid_frame

Cells = Any
"""A value, or a 2-D list (rows of values) as xlwings passes a range."""


class FormulaError(ValueError):
    """A whole-call error, shown in every cell as its text (``#VALUE! ...``)."""


class ErrorText(str):
    """A cell's error text (``#VALUE! offset must be a number``), told apart from other text."""


def excel_error(kind: str, message: str) -> ErrorText:
    """The text a cell shows for an error: Excel's error code, then what to fix."""
    return ErrorText(f"{kind} {message}")


# --- shapes --------------------------------------------------------------------------------


_COM_ERROR_BASE = -2146826288
"""The code COM hands over for a cell showing #NULL!; every other error value is this plus its XlCVError
number less 2000 (#N/A, 2042: -2146826246)."""
_COM_ERRORS = {2000: "#NULL!", 2007: "#DIV/0!", 2015: "#VALUE!", 2023: "#REF!", 2029: "#NAME?", 2036: "#NUM!",
               2042: "#N/A", 2043: "#GETTING_DATA", 2045: "#SPILL!", 2046: "#CONNECT!", 2047: "#BLOCKED!",
               2048: "#UNKNOWN!", 2049: "#FIELD!", 2050: "#CALC!"}


def _com_error(value: Any) -> Any:
    """A cell error as its text. xlwings' ``err_to_str`` names the seven classic errors only: a cell showing
    #SPILL!, #CALC! or #BLOCKED! comes in as COM's integer code (-2146826243), which would be read as a
    number of days or a serial number. COM gives every number as a float, so an int there is an error."""
    if type(value) is int and _COM_ERROR_BASE <= value <= _COM_ERROR_BASE + 99:
        return _COM_ERRORS.get(value - _COM_ERROR_BASE + 2000, "#UNKNOWN!")
    return value


def _as_grid(value: Cells) -> list[list[Any]]:
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        if not value:
            return [[None]]
        if all(isinstance(r, (list, tuple)) for r in value):
            grid = [list(r) for r in value]
        else:
            grid = [[v] for v in value]  # a 1-D list is a column
        if any(type(v) is int for r in grid for v in r):
            grid = [[_com_error(v) for v in r] for r in grid]
        return grid
    return [[_com_error(value)]]


@dataclass(frozen=True)
class _Args:
    grids: list[list[list[Any]]]
    shape: tuple[int, int]
    scalar: bool


def _broadcast(*values: Cells, names: Iterable[str]) -> _Args:
    grids = [_as_grid(v) for v in values]
    shapes = [(len(g), len(g[0]) if g else 0) for g in grids]
    rows = max(s[0] for s in shapes)
    cols = max(s[1] for s in shapes)
    # Excel's rule, dimension by dimension: one row goes with every row, one column with every column,
    # so a column of anchors and a row of offsets ({5,10,15}) give a grid, as =WORKDAY.INTL does.
    for name, (r, c) in zip(names, shapes):
        if r not in (1, rows) or c not in (1, cols):
            raise FormulaError(excel_error("#VALUE!", f"{name} has {r} row(s) x {c} column(s); give one "
                                           f"cell or a range the size of the others ({rows} x {cols})"))
    out = []
    for g, (r, c) in zip(grids, shapes):
        if (r, c) == (rows, cols):
            out.append(g)
        elif (r, c) == (1, 1):
            out.append([[g[0][0]] * cols for _ in range(rows)])
        elif r == 1:  # a row, for every row
            out.append([list(g[0]) for _ in range(rows)])
        else:  # a column, across every column
            out.append([[row[0]] * cols for row in g])
    scalar = (rows, cols) == (1, 1)  # one cell in, one value out (not a 1x1 array)
    return _Args(out, (rows, cols), scalar)


def _flat(grid: list[list[Any]]) -> list[Any]:
    return [v for row in grid for v in row]


def _shape_back(values: list[Any], shape: tuple[int, int], scalar: bool) -> Any:
    values = [str(v) if isinstance(v, ErrorText) else v for v in values]  # plain str for COM
    if scalar:
        return values[0]
    rows, cols = shape
    return [values[r * cols:(r + 1) * cols] for r in range(rows)]


def _range_shape(value: Cells) -> tuple[int, int] | None:
    """(rows, columns) of a range argument as ``_as_grid`` shapes it, counted without copying it; None for a
    single value or a list of a shape ``_as_grid`` reads otherwise (left to it)."""
    if not isinstance(value, (list, tuple)) or not value:
        return None
    rows = sum(map(isinstance, value, itertools.repeat((list, tuple))))  # in C: a million rows in 30 ms
    if rows == len(value):
        return len(value), len(value[0])
    return (len(value), 1) if rows == 0 else None  # a 1-D list is a column


def _filled_rows(value: Cells, shape: tuple[int, int]) -> int:
    """How many rows of a range are left once its trailing empty rows (every cell None) are left off."""
    last = value[-1]
    empty = type(last)([None] * shape[1]) if isinstance(last, (list, tuple)) else None
    try:
        filled = bytes(map(operator.ne, value, itertools.repeat(empty)))  # in C: a million rows in 40 ms
    except (TypeError, ValueError):  # a numpy value's answer is no plain True/False: nothing left off
        return len(value)
    return len(filled) - filled[::-1].find(1) if 1 in filled else 0


def _filled(value: Cells) -> Cells:
    """A range without its trailing empty rows (None for an empty one): a whole column's million, left off."""
    shape = _range_shape(value)
    return value if shape is None else (value[:_filled_rows(value, shape)] or None)


def _trimmed(fn: Callable, args: tuple, kwargs: dict[str, Any]) -> Any:
    """``fn`` on ``args`` with the trailing empty rows of the ranges left off, then padded back.

    A whole column (F:F) comes in as 1,048,576 rows, nearly all empty; each function gives every row from
    that row's cells alone, so the empty rows all give what one empty row gives: computed once. Returns
    NotImplemented when there is nothing to trim, or the ranges' sizes disagree (the error says so).
    """
    args = tuple(a.tolist() if isinstance(a, np.ndarray) else a for a in args)
    shapes = [_range_shape(a) for a in args]
    ranges = [i for i, s in enumerate(shapes) if s is not None and s[0] > 1]
    if not ranges:
        return NotImplemented
    rows = {shapes[i][0] for i in ranges}  # type: ignore[index]
    cols = max(s[1] for s in shapes if s is not None)
    if len(rows) != 1 or any(s is not None and s[1] not in (1, cols) for s in shapes):
        return NotImplemented
    total = rows.pop()
    last = max(_filled_rows(args[i], shapes[i]) for i in ranges)  # type: ignore[arg-type]
    if last == total:
        return NotImplemented

    def grid(out: Any, height: int) -> list[list[Any]]:
        if isinstance(out, list) and len(out) == height:
            return out
        if height == 1 and cols == 1:  # one cell: a 1 x 1 call gives the value itself
            return [[out]]
        raise FormulaError(str(out))  # a whole-call error (a nested function's), in every cell as before

    def blank(a: Cells) -> Cells:
        return [[None] * len(a[0])] if isinstance(a[0], (list, tuple)) else [None]

    head = grid(fn(*(a[:last] if i in ranges else a for i, a in enumerate(args)), **kwargs), last) if last else []
    empty = grid(fn(*(blank(a) if i in ranges else a for i, a in enumerate(args)), **kwargs), 1)[0]
    return head + [empty] * (total - last)  # one list for every empty row: a million lists take a second


def _guarded(names: tuple[str, ...]) -> Callable:
    """Run a column function; a whole-call problem becomes its error text, never an exception. A whole column
    is computed on its filled rows only (``_trimmed``)."""
    def wrap(fn: Callable) -> Callable:
        def inner(*args: Any, **kwargs: Any) -> Any:
            try:
                out = _trimmed(fn, args, kwargs)
                return fn(*args, **kwargs) if out is NotImplemented else out
            except FormulaError as exc:
                return str(exc)
            except Exception as exc:  # a bug must not become a traceback in a cell
                return excel_error("#VALUE!", f"prodbook could not compute this ({type(exc).__name__}: "
                                   f"{exc})")
        inner.__name__ = fn.__name__
        inner.__doc__ = fn.__doc__
        inner.__wrapped__ = fn  # type: ignore[attr-defined]
        return inner
    return wrap


# --- cell parsing --------------------------------------------------------------------------


_SERIAL_TEXT = re.compile(r"\d+(\.\d+)?")
"""A serial number kept as text ('45000', from a system export or a Text-formatted cell)."""


def _to_date(value: Any, order: DateOrder, date1904: bool) -> date | None:
    """``to_date``, and a serial number kept as text read as that serial: Excel's WORKDAY.INTL turns the
    text '45000' into the number 45000 (15-Mar-2023) as it turns '2027-03-05' into a date."""
    try:
        return to_date(value, order, date1904)
    except (CellError, ValueError, TypeError):
        if isinstance(value, str) and _SERIAL_TEXT.fullmatch(value.strip()):
            return to_date(float(value.strip()), order, date1904)
        raise


_FIRST_EXACT = date(1900, 3, 1)
"""Serial 61. Before it Excel counts a 29-Feb-1900 that never was, so its weekdays are a day off the real
ones (and COM hands such a date cell over a day early): no result there can be WORKDAY.INTL's."""


def _shown(value: Any) -> str:
    """A cell's value as the APM would read it in a message, not as Python writes it."""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, (int, float)):
        return f"{value:g}"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return repr(str(value)) if isinstance(value, str) else repr(value)


def _before_march_1900(value: Any, name: str) -> ErrorText:
    serial = value if isinstance(value, (int, float)) else (
        (value - datetime(1899, 12, 30)).days if isinstance(value, datetime) else None)
    what = f"the serial number {serial:g}" if serial is not None else _shown(value)
    why = " (what a formula gives for an empty cell, shown as 00-Jan-1900)" if serial is not None and \
        serial < 1 else ""
    return excel_error("#VALUE!", f"{name} is {what}{why}, a day before 1-Mar-1900, when Excel's "
                       "calendar starts to agree with the real one: give a real date")


def _date_cell(value: Any, name: str, order: DateOrder, date1904: bool) -> date | None | ErrorText:
    if isinstance(value, str) and value.strip().startswith("#"):
        return ErrorText(value.strip())  # an error coming in stays that error
    try:
        d = _to_date(value, order, date1904)
    except (CellError, ValueError, TypeError):
        if isinstance(value, str) and _SERIAL_TEXT.fullmatch(value.strip()):
            value = float(value.strip())  # a serial off the calendar, kept as text: #NUM! as the number
        if _off_the_calendar(value, date1904):  # Excel: a date 'out of range for the current date base value'
            return excel_error("#NUM!", f"{name} {value:g} is not a date: Excel's dates are the serial numbers "
                               f"{0 if date1904 else 1} to {_LAST_SERIAL - (1462 if date1904 else 0)}")
        if not date1904 and (isinstance(value, datetime) and value < datetime(1900, 3, 1) or (
                isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < 61)):
            return _before_march_1900(value, name)  # 0 (00-Jan-1900) and 60 (29-Feb-1900) have no date
        return excel_error("#VALUE!", f"{name} must be a date (got {_shown(value)})")
    if d is not None and not date1904 and d < _FIRST_EXACT:
        return _before_march_1900(value, name)
    return d


_LAST_SERIAL = 2958465
"""9999-12-31 in the 1900 date system."""


def _off_the_calendar(value: Any, date1904: bool) -> bool:
    """A number below Excel's first date serial or past its last: #NUM!, as WORKDAY.INTL gives."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
        return False
    n = np.floor(value)
    return bool(n < 0 or n > _LAST_SERIAL - (1462 if date1904 else 0))


def _number_cell(value: Any, name: str) -> float | None | ErrorText:
    if isinstance(value, str) and value.strip().startswith("#"):
        return ErrorText(value.strip())
    if isinstance(value, bool):
        return excel_error("#VALUE!", f"{name} must be a number (got {value})")
    try:
        n = to_number(value)
    except (CellError, ValueError, TypeError):
        return excel_error("#VALUE!", f"{name} must be a number (got {value!r})")
    if n is not None and not np.isfinite(n):
        return excel_error("#VALUE!", f"{name} must be a number (got {value!r})")
    return n


def _text_cell(value: Any) -> str:
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a PO number typed as a number
    return str(value).strip()


def _day_type_cell(value: Any) -> DayType | ErrorText:
    """The words the T&A Templates sheet takes (Working, WD, Business days; Calendar, CD...)."""
    if isinstance(value, str) and value.strip().startswith("#"):
        return ErrorText(value.strip())  # an error coming in stays that error
    found = day_type_of(value)
    if found is None:
        return excel_error("#VALUE!", f"day_type must be Working or Calendar (got {value!r})")
    return found


def _incoming_error(value: Any) -> ErrorText | None:
    """An error coming in (#N/A from a lookup, another function's '#N/A vendor ...') stays that error, not
    'vendor #N/A missing' nor 'no T&A row for PO #REF!'; a text merely starting with # (a PO '#4512') is none."""
    if not isinstance(value, str) or not value.lstrip().startswith("#"):
        return None
    text = value.strip()
    code = text.split(" ", 1)[0].upper()
    return ErrorText(text) if code in EXCEL_ERRORS or code in _COM_ERRORS.values() else None


def _out_date(d: np.datetime64) -> datetime | None:
    if np.isnat(d):
        return None
    day = d.astype("datetime64[D]").item()
    return datetime(day.year, day.month, day.day)


# --- the workbook's data -------------------------------------------------------------------


@dataclass
class BookData:
    """What the functions need from the workbook, read once per call and cached where costly.

    Attributes:
        calendars: Vendor code (as on the Vendors sheet) -> its factory calendar.
        default: The calendar of a blank vendor: Monday-Friday, no holidays.
        warnings: Problems found building the calendars (a bad Weekend cell...).
        ta: The T&A sheet's rows (fields of the T&A sheet), for TA_DATE.
        date_order: How text dates are read (Config: Date Order).
        date1904: The workbook's date system.
        due_soon_days: Config: Due Soon Days, for TA_STATUS.
        function_errors: Config: Function Errors (``prodbook.excel.udfs`` applies it to what it returns).
    """

    calendars: dict[str, FactoryCalendar]
    default: FactoryCalendar
    warnings: list[str] = field(default_factory=list)
    broken: dict[str, str] = field(default_factory=dict)
    """Folded vendor code -> why its calendar could not be made (a Weekend of 1111111, a Holiday Country
    'China'): the cell says that, not that the vendor is missing."""
    ta: pd.DataFrame | None = None
    date_order: DateOrder = DateOrder.MDY
    date1904: bool = False
    due_soon_days: int = 7
    function_errors: FunctionErrors = FunctionErrors.TEXT
    _ta_index: dict[str, int] | None = field(default=None, repr=False)

    def calendar(self, vendor: str) -> FactoryCalendar | None:
        if not vendor:
            return self.default
        if vendor in self.calendars:
            return self.calendars[vendor]
        folded = {k.strip().upper(): v for k, v in self.calendars.items()}
        return folded.get(vendor.strip().upper())

    def no_calendar(self, vendor: str) -> ErrorText:
        """The cell's error for a vendor without a calendar: why, when the Vendors sheet has it."""
        why = self.broken.get(vendor.strip().upper())
        if why:
            return excel_error("#VALUE!", f"{why} (Vendors sheet)")
        return excel_error("#N/A", f"vendor '{vendor}' is not on the Vendors sheet")

    def ta_row(self, key: str) -> int | None:
        if self.ta is None:
            return None
        if self._ta_index is None:
            keys = _ta_keys(self.ta[["po", "style", "color", "code"]].itertuples(index=False))
            index: dict[str, int] = {}
            for i, k in enumerate(keys):
                index.setdefault(k, i)
            self._ta_index = index
        return self._ta_index.get(key)


def _fold(v: Any) -> str:
    return _text_cell(v).upper()


def _ta_keys(rows: Iterable[Iterable[Any]]) -> list[str]:
    return ["\x1f".join(_fold(v) for v in r) for r in rows]


_CACHE: dict[tuple, tuple[dict[str, FactoryCalendar], FactoryCalendar, list[str], dict[str, str]]] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 16


def _digest(*sheets: list[list[Any]]) -> str:
    h = hashlib.sha1()
    for rows in sheets:
        h.update(repr(rows).encode("utf-8", "replace"))
        h.update(b"\x00")
    return h.hexdigest()


def book_data(tracker: Any, years: Iterable[int], *, with_ta: bool = False) -> BookData:
    """The calendars (cached per workbook and Vendors/Closures content) and, if asked, the T&A.

    Args:
        tracker: A ``prodbook.workbook.tracker.Tracker`` on any back end.
        years: The years the dates of this call touch (holidays are loaded for them).
        with_ta: Read the T&A sheet too (TA_DATE).
    """
    years = sorted(set(years)) or [date.today().year]
    span = range(years[0] - 1, years[-1] + 2)
    # the two small sheets are read to key the cache; on a hit that is all that is read
    raw = [tracker.backend.read_sheet(tracker.sheet(s)) if tracker.has(s) else [] for s in (VENDORS, CLOSURES)]
    key = (tracker.file, _digest(*raw), span.start, span.stop)
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
    if hit is None:
        vendors, _ = valid_frame(tracker, VENDORS, required=False)
        closures, _ = valid_frame(tracker, CLOSURES, required=False)
        vendors_sheet = tracker.sheet(VENDORS)
        calendars, default, findings = vendor_calendars(vendors, closures, span, file=tracker.file,
                                                        vendors_sheet=vendors_sheet,
                                                        closures_sheet=tracker.sheet(CLOSURES))
        code_at = {int(r): str(v).strip().upper() for r, v in zip(vendors.get("_row", []), vendors.get("vendor", []))
                   if isinstance(v, str) and v.strip()}
        broken = {code_at[f.row]: f.message for f in findings
                  if f.sheet == vendors_sheet and f.severity == "error" and f.row in code_at}
        hit = (calendars, default, [f.message for f in findings], broken)
        with _CACHE_LOCK:
            if len(_CACHE) >= _CACHE_SIZE:
                _CACHE.pop(next(iter(_CACHE)))
            _CACHE[key] = hit
    data = BookData(hit[0], hit[1], list(hit[2]), dict(hit[3]), date_order=tracker.config.date_order,
                    date1904=tracker.backend.date1904, due_soon_days=tracker.config.due_soon_days,
                    function_errors=tracker.config.function_errors)
    if with_ta and tracker.has(TA):
        data.ta = tracker.table(TA, required=False).frame
    return data


def clear_cache() -> None:
    """Forget every cached calendar and every recent read (tests, and the ribbon's Refresh)."""
    with _CACHE_LOCK:
        _CACHE.clear()
        _RECENT.clear()


RECENT_SECONDS = 1.0
"""How long one read of a workbook's Vendors, Closures, Config (and T&A) serves the calls after it. A column
of =TA_DUE(F2, -15, D2) filled down 10,000 rows is 10,000 calls in one recalculation, each of which read
the sheets again (and =TA_DATE the whole T&A sheet: a quarter of a second each); a second is far shorter
than changing a Weekend cell and pressing Ctrl+Alt+F9, which these functions need to see it anyway."""
_RECENT: dict[tuple[str, bool], tuple[float, int, int, BookData]] = {}
_clock: Callable[[], float] = time.monotonic


def recent(key: tuple[str, bool], years: Callable[[bool], list[int]]) -> tuple[BookData | None, list[int] | None]:
    """The workbook's data read under ``RECENT_SECONDS`` ago, when it covers the years this call needs.

    Args:
        key: (the workbook's full name, with the T&A).
        years: The call's years for a date system (``years_of``; serial numbers depend on it).

    Returns:
        (the data, None) on a hit; (None, the years of a recent read to read again with the call's, or None).
    """
    with _CACHE_LOCK:
        hit = _RECENT.get(key)
    if hit is None or _clock() - hit[0] >= RECENT_SECONDS:
        return None, None
    wanted = years(hit[3].date1904)
    if hit[1] <= min(wanted) and max(wanted) <= hit[2]:
        return hit[3], None
    return None, list(range(hit[1], hit[2] + 1))  # other years within the second: one read for both


def remember(key: tuple[str, bool], years: Iterable[int], data: BookData) -> None:
    """Keep ``data`` (read for ``years``) for the calls of the next ``RECENT_SECONDS``."""
    years = list(years)
    with _CACHE_LOCK:
        if key not in _RECENT and len(_RECENT) >= _CACHE_SIZE:
            _RECENT.pop(next(iter(_RECENT)))
        _RECENT[key] = (_clock(), min(years), max(years), data)


def years_of(*columns: Cells, date1904: bool = False, offsets: Cells = None) -> list[int]:
    """The years of every date-like value in the arguments (dates typed as text too), for loading
    holidays, widened by the longest ``offsets`` (about 200 working days a year at the fewest)."""
    years: set[int] = set()
    for col in columns:
        for v in _flat(_as_grid(_filled(col))):
            d = _any_date(v, date1904)
            if d is not None:
                years.add(d.year)
    if not years:
        return [date.today().year]
    longest = max((abs(n) for v in _flat(_as_grid(_filled(offsets))) if (n := _plain_number(v)) is not None),
                  default=0.0) if offsets is not None else 0.0
    reach = 1 + int(longest // 200)  # offsets of a few hundred working days cross into other years
    return list(range(min(years) - reach, max(years) + reach + 1))


def _any_date(value: Any, date1904: bool) -> date | None:
    """A date in any form a cell may hold it, text in either day order ('15/03/2027'), or None."""
    for order in (DateOrder.MDY, DateOrder.DMY):
        try:
            return _to_date(value, order, date1904)
        except (CellError, ValueError, TypeError):
            if not isinstance(value, str):
                return None
    return None


def _plain_number(value: Any) -> float | None:
    try:
        n = to_number(value)
    except (CellError, ValueError, TypeError):
        return None
    return n if n is not None and np.isfinite(n) else None


# --- the functions -------------------------------------------------------------------------


def _shift(values: list[Any], starts: list[Any], days: list[Any], groups: dict[tuple, list[int]],
           data: BookData, working: Callable[[FactoryCalendar, np.ndarray, np.ndarray], np.ndarray]
           ) -> None:
    for (vendor, day_type), idx in groups.items():
        cal = data.calendar(vendor) if day_type is not DayType.CALENDAR else data.default  # every day counts
        if cal is None:
            for i in idx:
                values[i] = data.no_calendar(vendor)
            continue
        s = np.array([starts[i] for i in idx], dtype="datetime64[D]")
        n = np.array([days[i] for i in idx], dtype=float)
        if day_type is DayType.CALENDAR:  # a result past Excel's dates is NaT: #NUM!
            out = add_days_array(s, n)
        else:
            out = working(cal, s, n)
        first = np.datetime64(date(1904, 1, 1) if data.date1904 else _FIRST_EXACT, "D")
        for i, d in zip(idx, out):
            if np.isnat(d):
                values[i] = excel_error("#NUM!", "the result is outside Excel's dates (1900-9999)")
            elif d < first:  # Excel would show it a day off (1900), or cannot store it (1904 date system)
                values[i] = excel_error("#NUM!", f"the result, {d.item():%d-%b-%Y}, is before " + (
                    "1-Jan-1904, the first date of this workbook (1904 date system)" if data.date1904 else
                    "1-Mar-1900, where Excel's calendar is a day off the real one"))
            else:
                values[i] = _out_date(d)


@_guarded(("anchor", "offset", "vendor", "day_type"))
def ta_due(anchor: Cells, offset: Cells, vendor: Cells = None, day_type: Cells = None, *,
           data: BookData, names: tuple[str, str] = ("anchor", "offset")) -> Any:
    """A milestone's due date: ``offset`` days from ``anchor`` on the vendor's factory calendar.

    Args:
        anchor: The anchor date (an order date or another milestone's date).
        offset: Signed days: -30 is 30 days before the anchor; fractions truncate toward zero.
        vendor: Vendor code on the Vendors sheet; blank counts Monday-Friday with no holidays.
        day_type: Working (default: the vendor's working days, as WORKDAY.INTL) or Calendar.
        data: The workbook's calendars.
        names: The date's and the offset's argument names, for the errors (FACTORY_WORKDAY's start, days).

    Returns:
        A date (datetime) or error text per cell, in the shape of the inputs.
    """
    a = _broadcast(anchor, offset, vendor, day_type, names=(*names, "vendor", "day_type"))
    anchors, offsets, vendors, types = (_flat(g) for g in a.grids)
    values: list[Any] = [None] * len(anchors)
    starts: list[Any] = [None] * len(anchors)
    days: list[Any] = [None] * len(anchors)
    groups: dict[tuple, list[int]] = {}
    for i, (an, of, ve, ty) in enumerate(zip(anchors, offsets, vendors, types)):
        s = _date_cell(an, names[0], data.date_order, data.date1904)
        n = _number_cell(of, names[1])
        t = _day_type_cell(ty)
        v = _incoming_error(ve)
        bad = next((x for x in (v, s, n, t) if isinstance(x, ErrorText)), None)
        if bad is not None:
            values[i] = bad
            continue
        if s is None or n is None:
            continue  # blank in, blank out
        starts[i], days[i] = s, n
        groups.setdefault((_text_cell(ve), t), []).append(i)
    _shift(values, starts, days, groups, data, lambda cal, s, n: cal.workday_array(s, n))
    return _shape_back(values, a.shape, a.scalar)


@_guarded(("start", "days", "vendor"))
def factory_workday(start: Cells, days: Cells, vendor: Cells = None, *, data: BookData) -> Any:
    """WORKDAY.INTL on the vendor's factory calendar (weekend, public holidays, closures)."""
    return ta_due(start, days, vendor, None, data=data, names=("start", "days"))


@_guarded(("start", "end_date", "vendor"))
def factory_networkdays(start: Cells, end: Cells, vendor: Cells = None, *, data: BookData) -> Any:
    """NETWORKDAYS.INTL on the vendor's factory calendar: working days from start to end, both included."""
    a = _broadcast(start, end, vendor, names=("start", "end_date", "vendor"))
    starts_in, ends_in, vendors = (_flat(g) for g in a.grids)
    values: list[Any] = [None] * len(starts_in)
    starts: list[Any] = [None] * len(starts_in)
    ends: list[Any] = [None] * len(starts_in)
    groups: dict[str, list[int]] = {}
    for i, (s0, e0, ve) in enumerate(zip(starts_in, ends_in, vendors)):
        s = _date_cell(s0, "start", data.date_order, data.date1904)
        e = _date_cell(e0, "end_date", data.date_order, data.date1904)
        bad = next((x for x in (_incoming_error(ve), s, e) if isinstance(x, ErrorText)), None)
        if bad is not None:
            values[i] = bad
            continue
        if s is None or e is None:
            continue
        starts[i], ends[i] = s, e
        groups.setdefault(_text_cell(ve), []).append(i)
    for vendor_code, idx in groups.items():
        cal = data.calendar(vendor_code)
        if cal is None:
            for i in idx:
                values[i] = data.no_calendar(vendor_code)
            continue
        counts = cal.networkdays_array(np.array([starts[i] for i in idx], dtype="datetime64[D]"),
                                       np.array([ends[i] for i in idx], dtype="datetime64[D]"))
        for i, c in zip(idx, counts):
            values[i] = int(c) if not np.isnan(c) else excel_error(
                "#NUM!", "a date is outside Excel's dates (1900-9999)")
    return _shape_back(values, a.shape, a.scalar)


_WHICH = {"planned": "planned", "forecast": "forecast", "actual": "actual", "status": "status"}


@_guarded(("po", "style", "color", "code", "which"))
def ta_date(po: Cells, style: Cells, color: Cells, code: Cells, which: Cells = None, *,
            data: BookData) -> Any:
    """A milestone's Planned (default), Forecast or Actual date from the T&A sheet.

    Args:
        po, style, color, code: The T&A row's key (case and spaces ignored); a blank PO # or Code gives a
            blank, as the blank rows of a range do.
        which: Planned, Forecast or Actual.
        data: The workbook's T&A rows (``book_data(..., with_ta=True)``).
    """
    if data.ta is None:
        raise FormulaError(excel_error("#N/A", "the workbook has no T&A sheet; run Rebuild T&A"))
    a = _broadcast(po, style, color, code, which, names=("po", "style", "color", "code", "which"))
    cols = [_flat(g) for g in a.grids]
    values: list[Any] = [None] * len(cols[0])
    for i, (p, s, c, k, w) in enumerate(zip(*cols)):
        if isinstance(w, str) and w.strip().startswith("#"):
            values[i] = ErrorText(w.strip())  # an error coming in stays that error
            continue
        field_name = _WHICH.get(_text_cell(w).lower() or "planned")
        if field_name is None or field_name == "status":
            values[i] = excel_error("#VALUE!", f"which must be Planned, Forecast or Actual (got {w!r})")
            continue
        incoming = next((v for v in (p, s, c, k) if _incoming_error(v) is not None), None)
        if incoming is not None:
            values[i] = _incoming_error(incoming)  # an error coming in stays that error (#REF!, not #N/A)
            continue
        if is_blank(p) or is_blank(k):
            continue  # every T&A row has a PO # and a Code: a blank row of a range is a blank result
        row = data.ta_row("\x1f".join(_fold(v) for v in (p, s, c, k)))
        if row is None:
            values[i] = excel_error("#N/A", f"no T&A row for PO {_text_cell(p)} / {_text_cell(s)} / "
                                    f"{_text_cell(c)} / {_text_cell(k)}")
            continue
        v = data.ta[field_name].iloc[row]
        if isinstance(v, str):
            values[i] = v  # N/A typed as the Actual
        elif v is None or pd.isna(v):
            values[i] = None
        else:
            values[i] = _out_date(np.datetime64(pd.Timestamp(v).date(), "D"))
    return _shape_back(values, a.shape, a.scalar)


@_guarded(("planned", "actual", "today"))
def ta_status(planned: Cells, actual: Cells, today: Cells = None, *, data: BookData,
              now: date | None = None) -> Any:
    """A milestone's status from its Planned and Actual dates, by the T&A sheet's rules.

    Done, Done late, Overdue, Due soon (within the Config sheet's Due Soon Days),
    Upcoming, or N/A when the Actual says N/A. ``today`` defaults to the real
    today (``now`` in tests).
    """
    a = _broadcast(planned, actual, today, names=("planned", "actual", "today"))
    p_in, a_in, t_in = (_flat(g) for g in a.grids)
    n = len(p_in)
    values: list[Any] = [None] * n
    pl = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    ac = pl.copy()
    td = np.full(n, np.datetime64(now or date.today(), "D"))
    na = np.zeros(n, dtype=bool)
    ok = np.ones(n, dtype=bool)
    for i, (p, x, t) in enumerate(zip(p_in, a_in, t_in)):
        if isinstance(x, str) and x.strip().lower() in NA_WORDS:
            na[i] = True
            x = None
        parsed = [_date_cell(v, name, data.date_order, data.date1904)
                  for v, name in ((p, "planned"), (x, "actual"), (t, "today"))]
        bad = next((v for v in parsed if isinstance(v, ErrorText)), None)
        if bad is not None:
            values[i], ok[i] = bad, False
            continue
        if parsed[0] is None and parsed[1] is None and not na[i]:
            ok[i] = False  # blank row
            continue
        if parsed[0] is not None:
            pl[i] = parsed[0]
        if parsed[1] is not None:
            ac[i] = parsed[1]
        if parsed[2] is not None:
            td[i] = parsed[2]
    out = statuses(pl, ac, na, td, data.due_soon_days)
    for k in np.flatnonzero(ok):
        values[k] = str(out[k]) or None
    return _shape_back(values, a.shape, a.scalar)


__all__ = ["BookData", "FormulaError", "book_data", "clear_cache", "excel_error", "factory_networkdays",
           "factory_workday", "ta_date", "ta_due", "ta_status", "years_of"]
