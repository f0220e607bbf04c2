"""The spreadsheet functions: ``=TA_DUE()`` and friends, for Excel through xlwings.

Thin wrappers: each reads the calling workbook's data through the live back
end and hands the cells to the pure function of the same name in
``prodbook.excel.formulas`` (one Python call per column). On Windows, xlwings'
decorators register them; elsewhere they return the plain function, which is
how the tests call them (with ``caller`` replaced by a ``BookData``). One read
of the workbook serves the calls of the next ``formulas.RECENT_SECONDS``: a
formula filled down a column is many calls in one recalculation.

Every function is in ``UDFS``; the add-in build generates its VBA
declarations from that tuple, and a test checks each one is documented.

The Config sheet's Function Errors decides how an error leaves: Text (the
default) as ``formulas`` writes it, with the reason; Excel as its bare code,
which the add-in's VBA turns into Excel's error value, the reason kept for
``=PRODBOOK_WHY(cell)`` (``prodbook.excel.errors``).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import xlwings as xw

from prodbook.core.config import FunctionErrors
from prodbook.excel import errors, formulas
from prodbook.excel.formulas import BookData, Cells

CATEGORY = "prodbook"


def _data(caller: Any, *columns: Cells, offsets: Cells = None, with_ta: bool = False) -> BookData:
    """The workbook's calendars (and T&A) for the cell that calls the function."""
    if isinstance(caller, BookData):  # tests, and Python callers
        return caller
    from prodbook.workbook.tracker import Tracker
    from prodbook.workbook.xlbook import XlBook

    def years(date1904: bool) -> list[int]:
        return formulas.years_of(*columns, date1904=date1904, offsets=offsets)

    xl_book = caller.sheet.book
    key = (str(xl_book.fullname), with_ta)
    data, also = formulas.recent(key, years)  # a column filled down is one read, not one per cell
    if data is not None:
        return data
    book = XlBook(xl_book, progress=False)
    wanted = sorted(set(years(book.date1904)) | set(also or ()))
    data = formulas.book_data(Tracker(book), wanted, with_ta=with_ta)
    formulas.remember(key, wanted, data)
    return data


def _call(fn: Callable[..., Any], caller: Any, args: tuple, *, dates: tuple = (), offsets: Cells = None,
          with_ta: bool = False, **kwargs: Any) -> Any:
    try:
        data = _data(caller, *dates, offsets=offsets, with_ta=with_ta)
    except Exception as exc:  # the workbook could not be read, its Function Errors setting neither: in words
        return formulas.excel_error("#VALUE!", f"prodbook could not read this workbook ({exc})")
    out = fn(*args, data=data, **kwargs)
    if data.function_errors is not FunctionErrors.EXCEL:
        return out  # Text: the reason in the cell
    codes, found = errors.excel_errors(out)
    if found:  # the calling cell's place is asked of Excel only then: a COM call or two
        errors.REASONS.keep(errors.where(caller), out, codes)
    elif errors.REASONS:  # no error now: what an earlier call from here kept goes (no COM call while none kept)
        rows, cols = (len(out), len(out[0]) if out else 0) if isinstance(out, list) else (1, 1)
        errors.REASONS.forget(errors.where(caller), rows, cols)
    return codes


@dataclass(frozen=True)
class FunctionHelp:
    """What Excel's function wizard shows for a function: read from its docstring."""

    name: str
    description: str
    arguments: tuple[tuple[str, str], ...]  # (argument, help), in signature order, without ``caller``


def excel_arguments(fn: Callable[..., Any]) -> list[str]:
    """The arguments Excel passes, in order; ``caller`` is xlwings' own."""
    return [p for p in inspect.signature(fn).parameters if p != "caller"]


def function_help(fn: Callable[..., Any]) -> FunctionHelp:
    """The docstring's first paragraph and its ``Args:`` section: the only place the help is written.

    Raises:
        ValueError: An argument without help, or help for an argument the function does not have.
    """
    doc = inspect.cleandoc(fn.__doc__ or "")
    paragraphs = doc.split("\n\n")
    description = " ".join(paragraphs[0].split())
    helps: dict[str, str] = {}
    section = re.search(r"^Args:\n((?:[ \t]+.*\n?)+)", doc, re.M)
    current = None
    for line in (section.group(1).splitlines() if section else []):
        m = re.match(r"^\s{2,8}(\w+):\s*(.*)$", line)
        if m and (current is None or len(line) - len(line.lstrip()) <= 8):
            current = m.group(1)
            helps[current] = m.group(2).strip()
        elif current:
            helps[current] += " " + line.strip()
    wanted = excel_arguments(fn)
    if not description:
        raise ValueError(f"{fn.__name__}: no description in its docstring")
    missing = [a for a in wanted if not helps.get(a)]
    extra = [a for a in helps if a not in wanted]
    if missing or extra:
        raise ValueError(f"{fn.__name__}: docstring Args do not match the arguments "
                         f"(missing {missing}, unknown {extra})")
    return FunctionHelp(fn.__name__, description, tuple((a, helps[a]) for a in wanted))


def udf(fn: Callable[..., Any] | None = None, *, cells: tuple[str, ...] = ()) -> Any:
    """``@xw.func`` with one ``@xw.arg(doc=...)`` per argument, the help taken from the docstring.

    Windows' xlwings registers the help from here; the add-in's MacroOptions
    registration (``prodbook.excel.addin``) reads the same ``function_help``.
    An argument in ``cells`` comes in as the cell itself (an xlwings Range), not its value.
    """
    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        help_ = function_help(fn)
        for name, text in reversed(help_.arguments):
            if name in cells:
                fn = xw.arg(name, "range", doc=text)(fn)
            else:
                fn = xw.arg(name, ndim=2, err_to_str=True, doc=text)(fn)  # an error cell comes in as its text
        return xw.func(category=CATEGORY)(fn)
    return wrap(fn) if fn is not None else wrap


@udf
def TA_DUE(anchor: Any, offset: Any, vendor: Any = None, day_type: Any = None, caller: Any = None) -> Any:
    """A milestone's due date: offset working (or calendar) days from the anchor on the vendor's factory calendar.

    Args:
        anchor: The anchor date: an order date or another milestone's date (a cell or a column).
        offset: Days from the anchor; negative is before it (-30 = 30 days before).
        vendor: Vendor code on the Vendors sheet; blank = Monday-Friday, no holidays.
        day_type: Working (default, the vendor's working days) or Calendar.
    """
    return _call(formulas.ta_due, caller, (anchor, offset, vendor, day_type), dates=(anchor,), offsets=offset)


@udf
def TA_DATE(po: Any, style: Any, color: Any, code: Any, which: Any = None, caller: Any = None) -> Any:
    """A milestone's Planned, Forecast or Actual date from the T&A sheet.

    Args:
        po: PO #.
        style: Style #.
        color: Color.
        code: Milestone code (LD, XF...).
        which: Planned (default), Forecast or Actual.
    """
    return _call(formulas.ta_date, caller, (po, style, color, code, which), with_ta=True)


@udf
def TA_STATUS(planned: Any, actual: Any, today: Any = None, caller: Any = None) -> Any:
    """Done, Done late, Overdue, Due soon or Upcoming, by the T&A sheet's rules.

    Args:
        planned: Planned date(s).
        actual: Actual date(s); blank while open, N/A when not applicable.
        today: Judge against this date instead of today.
    """
    return _call(formulas.ta_status, caller, (planned, actual, today))


@udf
def FACTORY_WORKDAY(start: Any, days: Any, vendor: Any = None, caller: Any = None) -> Any:
    """WORKDAY.INTL on the vendor's factory calendar: weekend, public holidays, closures.

    Args:
        start: Start date(s).
        days: Working days to move; negative moves back.
        vendor: Vendor code on the Vendors sheet.
    """
    return _call(formulas.factory_workday, caller, (start, days, vendor), dates=(start,), offsets=days)


@udf
def FACTORY_NETWORKDAYS(start: Any, end_date: Any, vendor: Any = None, caller: Any = None) -> Any:
    """NETWORKDAYS.INTL on the vendor's factory calendar: working days from start to end_date, both included.

    (``end_date``, not ``end``: End is a VBA keyword and cannot name an argument.)

    Args:
        start: First date(s).
        end_date: Last date(s), included.
        vendor: Vendor code on the Vendors sheet.
    """
    return _call(formulas.factory_networkdays, caller, (start, end_date, vendor), dates=(start, end_date))


@udf(cells=("cell",))
def PRODBOOK_WHY(cell: Any) -> Any:
    """Why a cell shows an error: the reason prodbook's function gave for it, in words; blank when it shows none.

    Args:
        cell: The cell showing the error (Config Function Errors = Excel); a cell of a spilled column too.
    """
    return errors.why(cell, [f.__name__ for f in UDFS if f is not PRODBOOK_WHY])


UDFS: tuple[Callable[..., Any], ...] = (TA_DUE, TA_DATE, TA_STATUS, FACTORY_WORKDAY, FACTORY_NETWORKDAYS,
                                        PRODBOOK_WHY)
"""Every spreadsheet function, in the order the add-in declares them."""

__all__ = ["CATEGORY", "UDFS", "FunctionHelp", "excel_arguments", "function_help", "udf",
           *(f.__name__ for f in UDFS)]
