"""The spreadsheet functions: ``=TA_DUE()`` and friends, for Excel through xlwings.

Thin wrappers: each reads the calling workbook's data through the live back
end and hands the cells to the pure function of the same name in
``prodbook.excel.formulas`` (one Python call per column). On Windows, xlwings'
decorators register them; elsewhere they return the plain function, which is
how the tests call them (with ``caller`` replaced by a ``BookData``).

Every function is in ``UDFS``; the add-in build generates its VBA
declarations from that tuple, and a test checks each one is documented.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import xlwings as xw

from prodbook.excel import formulas
from prodbook.excel.formulas import BookData, Cells

CATEGORY = "prodbook"


def _data(caller: Any, *columns: Cells, with_ta: bool = False) -> BookData:
    """The workbook's calendars (and T&A) for the cell that calls the function."""
    if isinstance(caller, BookData):  # tests, and Python callers
        return caller
    from prodbook.workbook.tracker import Tracker
    from prodbook.workbook.xlbook import XlBook

    book = XlBook(caller.sheet.book, progress=False)
    tracker = Tracker(book)
    return formulas.book_data(tracker, formulas.years_of(*columns, date1904=book.date1904),
                              with_ta=with_ta)


def _call(fn: Callable[..., Any], caller: Any, args: tuple, *, dates: tuple = (), with_ta: bool = False,
          **kwargs: Any) -> Any:
    try:
        data = _data(caller, *dates, with_ta=with_ta)
    except Exception as exc:  # the workbook could not be read: say so in the cell
        return formulas.excel_error("#VALUE!", f"prodbook could not read this workbook ({exc})")
    return fn(*args, data=data, **kwargs)


@xw.func(category=CATEGORY)
@xw.arg("anchor", ndim=2, doc="The anchor date: an order date or another milestone's date (a cell or a column).")
@xw.arg("offset", ndim=2, doc="Days from the anchor; negative is before it (-30 = 30 days before).")
@xw.arg("vendor", ndim=2, doc="Vendor code on the Vendors sheet; blank = Monday-Friday, no holidays.")
@xw.arg("day_type", ndim=2, doc="Working (default, the vendor's working days) or Calendar.")
def TA_DUE(anchor: Any, offset: Any, vendor: Any = None, day_type: Any = None, caller: Any = None) -> Any:
    """A milestone's due date: offset working (or calendar) days from the anchor on the vendor's factory calendar."""
    return _call(formulas.ta_due, caller, (anchor, offset, vendor, day_type), dates=(anchor,))


@xw.func(category=CATEGORY)
@xw.arg("po", ndim=2, doc="PO #.")
@xw.arg("style", ndim=2, doc="Style #.")
@xw.arg("color", ndim=2, doc="Color.")
@xw.arg("code", ndim=2, doc="Milestone code (LD, XF...).")
@xw.arg("which", ndim=2, doc="Planned (default), Forecast or Actual.")
def TA_DATE(po: Any, style: Any, color: Any, code: Any, which: Any = None, caller: Any = None) -> Any:
    """A milestone's Planned, Forecast or Actual date from the T&A sheet."""
    return _call(formulas.ta_date, caller, (po, style, color, code, which), with_ta=True)


@xw.func(category=CATEGORY)
@xw.arg("planned", ndim=2, doc="Planned date(s).")
@xw.arg("actual", ndim=2, doc="Actual date(s); blank while open, N/A when not applicable.")
@xw.arg("today", ndim=2, doc="Judge against this date instead of today.")
def TA_STATUS(planned: Any, actual: Any, today: Any = None, caller: Any = None) -> Any:
    """Done, Done late, Overdue, Due soon or Upcoming, by the T&A sheet's rules."""
    return _call(formulas.ta_status, caller, (planned, actual, today))


@xw.func(category=CATEGORY)
@xw.arg("start", ndim=2, doc="Start date(s).")
@xw.arg("days", ndim=2, doc="Working days to move; negative moves back.")
@xw.arg("vendor", ndim=2, doc="Vendor code on the Vendors sheet.")
def FACTORY_WORKDAY(start: Any, days: Any, vendor: Any = None, caller: Any = None) -> Any:
    """WORKDAY.INTL on the vendor's factory calendar: weekend, public holidays, closures."""
    return _call(formulas.factory_workday, caller, (start, days, vendor), dates=(start,))


@xw.func(category=CATEGORY)
@xw.arg("start", ndim=2, doc="First date(s).")
@xw.arg("end_date", ndim=2, doc="Last date(s), included.")
@xw.arg("vendor", ndim=2, doc="Vendor code on the Vendors sheet.")
def FACTORY_NETWORKDAYS(start: Any, end_date: Any, vendor: Any = None, caller: Any = None) -> Any:
    """NETWORKDAYS.INTL on the vendor's factory calendar: working days from start to end_date, both included.

    (``end_date``, not ``end``: End is a VBA keyword and cannot name an argument.)
    """
    return _call(formulas.factory_networkdays, caller, (start, end_date, vendor), dates=(start, end_date))


UDFS: tuple[Callable[..., Any], ...] = (TA_DUE, TA_DATE, TA_STATUS, FACTORY_WORKDAY, FACTORY_NETWORKDAYS)
"""Every spreadsheet function, in the order the add-in declares them."""

__all__ = ["UDFS", *(f.__name__ for f in UDFS)]
