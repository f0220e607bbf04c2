"""Actual dates on the T&A that are most likely typos, each said at its cell with a 4-digit year (a '62' reads
as 1962 as easily as 2062):

- years ahead (2062 for 2026): not the vendor's promise typed ahead but a wrong year. The forecast reads the
  cell as blank (``far_ahead``), so one typo does not push the whole line decades out;
- a year or more before its Planned date, or long before the PO line's PO Date (2025 for 2026, or '3/12/2026'
  meant as 3 December read month first as 12 March): a wrong year or day and month, which counted as done
  months early and said nothing;
- a formula of the day or of the T&A's own cells (=TODAY(), =H3): the day the workbook is opened, or another
  cell's date, not the day the milestone happened (a link to another sheet is the team's: not questioned).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import numpy as np

FAR_AHEAD_DAYS = 365
"""An Actual more than this many days after today is a typo. A vendor's promise typed ahead is weeks or a
season away (an order's whole lead time is 60-120 days), never a year."""
YEAR_EARLY_DAYS = 365
"""An Actual this many days or more before its Planned date is a year typo."""
BEFORE_PO_DAYS = 30
"""An Actual more than this many days before the PO Date of a milestone planned after it is a typo. A lab dip
or a fit sample is sometimes sent a few weeks before the PO is issued; a month or more is a wrong year or a
day and month read the other way round."""


def _days(values: np.ndarray) -> np.ndarray:
    return np.asarray(values).astype("datetime64[D]")


def far_ahead(actual: np.ndarray, today: date) -> np.ndarray:
    """Element-wise: the Actual (days, NaT for none) is more than ``FAR_AHEAD_DAYS`` after ``today``."""
    days = _days(actual)
    return ~np.isnat(days) & (days > np.datetime64(today, "D") + np.timedelta64(FAR_AHEAD_DAYS, "D"))


def too_early(actual: np.ndarray, planned: np.ndarray, po_date: np.ndarray, today: date,
              development: np.ndarray | None = None) -> np.ndarray:
    """Element-wise: an Actual (a day that happened, not after ``today``) a year or more before its Planned,
    or more than ``BEFORE_PO_DAYS`` before the PO Date of a milestone planned on or after it, unless the
    milestone is of the development stage (``development``): lab dips and fit samples are done once a style
    and colour, so a repeat PO carries dates months older than itself."""
    a, p, po = _days(actual), _days(planned), _days(po_date)
    done = ~np.isnat(a) & (a <= np.datetime64(today, "D"))
    year = ~np.isnat(p) & (p - a >= np.timedelta64(YEAR_EARLY_DAYS, "D"))
    before_po = ~np.isnat(po) & (po - a > np.timedelta64(BEFORE_PO_DAYS, "D")) & (np.isnat(p) | (p >= po))
    if development is not None:
        before_po &= ~development
    return done & (year | before_po)


def is_development(stage: Any) -> bool:
    """A template step's Stage naming the development stage ('Development', 'Dev', 'development samples')."""
    return isinstance(stage, str) and stage.strip().casefold().startswith("dev")


def day(d: date) -> str:
    """A date in a sentence with its 4-digit year: 01-Dec-2062, never 01-Dec-62."""
    return f"{d:%d-%b-%Y}"


def far_ahead_message(actual: date, today: date, header: str = "Actual") -> str:
    years = (actual - today).days // 365
    ahead = f"{years:,} years" if years > 1 else f"{(actual - today).days:,} days"
    return (f"the {header} {day(actual)} is {ahead} after today ({day(today)}): check the year. This column "
            "holds the day the milestone happened (put an expected date in Notes); until it is fixed the "
            "forecast reads this cell as if it were blank, so it does not push the line's later milestones")


def too_early_message(actual: date, planned: date | None, po_date: date | None, *, header: str = "Actual",
                      planned_header: str = "Planned", po_header: str = "PO Date", typed: str | None = None) -> str:
    """Why an Actual ``too_early`` is questioned: the dates it is against, with 4-digit years."""
    against = []
    if po_date is not None and actual < po_date:
        against.append(f"{(po_date - actual).days:,} days before this PO line's {po_header} {day(po_date)}")
    if planned is not None:
        against.append(f"{(planned - actual).days:,} days before its {planned_header} {day(planned)}")
    read = f" (typed as '{typed}', read as {day(actual)})" if typed else ""
    return (f"the {header} {day(actual)}{read} is " + " and ".join(against) + ": check the year, and the day "
            "and month. Until it is fixed the milestone counts as done on that day")


_VOLATILE = re.compile(r"\b(?:TODAY|NOW)\s*\(", re.IGNORECASE)


_OWN_CELL = re.compile(r"=\s*\$?[A-Z]{1,3}\$?\d+\s*(?:[+-]\s*\d+\s*)?", re.IGNORECASE)


def questioned_formula(text: str) -> bool:
    """A formula in an Actual that is not the day the milestone happened: =TODAY() or =NOW() (the day the
    workbook is opened), or a cell of the T&A itself (=H3, the Planned beside it; =H3+2). Any other formula
    (='Lab Dips'!F5, an XLOOKUP into a table of dates, a name) is the team's link to where the date is
    recorded: theirs, not questioned."""
    return bool(_VOLATILE.search(text)) or _OWN_CELL.fullmatch(text.strip()) is not None


def formula_message(text: str, header: str = "Actual") -> str:
    gives = ("the day the workbook is opened" if _VOLATILE.search(text) else "another cell's date")
    return (f"{header} holds a formula ({text}): type the date it happened. The formula gives {gives}, so the "
            f"milestone's Status and forecast follow it rather than the day it was done")
