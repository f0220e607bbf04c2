"""A vendor's quantities and dates as typed: units (dozens, gross, thousands), numbers as text, dates in
several ways, 'TBA' and dashes for not yet."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from prodbook.core.cells import (
    DOT_GROUPS,
    CellError,
    DateOrder,
    day_of,
    is_blank,
    not_yet,
    to_date,
    to_int,
    to_number,
    year_less,
)

_DOZENS = re.compile(r"(?<![a-z])(dz|dzn|dzns|doz|dozen|dozens)(?![a-z])", re.I)
"""A quantity column counted in dozens ('Order Qty (Dzn)', 'Qty Doz'), as knitwear vendors often do."""
_GROSS = re.compile(r"\s*(gross|grs|gr)\.?\s*", re.I)
"""Twelve dozen, in a UOM cell: how trims and accessories are counted (a header's 'Gross Qty' is a total)."""
_THOUSANDS = re.compile(r"(?<![0-9a-z])(?:'000|,000|000s|k pcs|kpcs|thousands?)(?![0-9a-z])", re.I)
"""A quantity column counted in thousands ("Order Qty ('000 pcs)")."""
_CARTONS = re.compile(r"(?<![a-z])(ctns?|cartons?|box|boxes|bxs?)(?![a-z])", re.I)
"""Units that are not pieces and cannot be turned into pieces: a column counted in them is not imported."""


_PIECES = re.compile(r"(?<![a-z])(pcs|pc|pieces?)(?![a-z])", re.I)
_DOZEN_WORD = r"(?:dz|dzn|dzns|doz|dozens?)\.?"
_ASIDES = re.compile(rf"\b1\s*{_DOZEN_WORD}\s*=\s*12\s*(?:pcs|pc|pieces)\b"  # '1 Doz = 12 Pcs'
                     rf"|\b12\s*(?:pcs|pc|pieces)\.?\s*(?:=|/|per|a|to\s+a)\s*(?:1\s*)?{_DOZEN_WORD}"  # '12 pcs/dz'
                     rf"|\bnot\s+(?:in\s+)?(?:{_DOZEN_WORD}|pcs|pc|pieces)", re.I)  # 'not in dozens'
"""Words about a unit that do not say the figures count in it: a conversion, a negation."""
_PACKING = re.compile(rf"{_DOZEN_WORD}\s+(?:bundles?|packs?|polybags?|bags?|sets?)"
                      rf"|(?:bundles?|packs?|packed|polybags?|bags?)\s+(?:of|in|by|per)\s+(?:a\s+|1\s+)?{_DOZEN_WORD}",
                      re.I)
"""A packing note ('polybags in dozen bundles', 'packed in dozens'): how the goods are packed, not a unit."""


def unit_words(text: str, *, packing: bool = False) -> tuple[bool, bool]:
    """Whether ``text`` says its figures count dozens, and pieces: a conversion ('1 Doz = 12 Pcs'), a
    negation ('not in dozens') and, with ``packing`` (a title line), a packing note do not count."""
    said = _ASIDES.sub(" ", text)
    if packing:
        said = _PACKING.sub(" ", said)
    return bool(_DOZENS.search(said)), bool(_PIECES.search(said))


def unit_size(text: str) -> int:
    """Pieces per unit of a quantity's header or UOM cell: 12 dozens, 144 gross (a UOM cell), 1,000
    thousands, 0 a unit that is not pieces (cartons, boxes), 1 pieces. Pieces named beside dozens win
    ('Qty (pcs; 1 dz = 12 pcs)'; 'Qty (Pcs/Dzn)' too, which ``unit_words`` tells apart, to be said)."""
    if _CARTONS.search(text):
        return 0
    dozens, pieces = unit_words(text)
    if dozens and not pieces:
        return 12
    if _GROSS.fullmatch(text):
        return 144
    if _THOUSANDS.search(text):
        return 1000
    return 1
_UNITS = re.compile(r"\s*(pcs|pc|pieces|units|unit|prs|pairs)\.?\s*$", re.I)
NO_YEAR = (re.compile(r"(\d{1,2})[-/. ]([A-Za-z]{3,9})\.?"), re.compile(r"([A-Za-z]{3,9})\.?[-/. ](\d{1,2})"))


def cell_text(v: Any) -> str:
    return "" if is_blank(v) else str(v).strip()


def parse_qty(value: Any, per_unit: int = 1) -> int | None:
    """A quantity as the vendor typed it: 1,200 / '1 200' / '1200 pcs' / 1200.0; '-' is blank. In a
    column counted in dozens (``per_unit`` 12), 12.5 is 150 pieces. A negative count ('-50', '(100)') is
    refused: no stage has fewer than no pieces, and taken as written it would lower every total and rate."""
    if is_blank(value):
        return None
    if isinstance(value, str):
        text = _UNITS.sub("", value.strip())
        if text in ("-", "--", "–", "nil", "NIL", "n/a", "N/A"):
            return None
        value = text
        if DOT_GROUPS.fullmatch(text):  # '1.000': one, or a thousand? to_int names both readings
            grouped = to_int(text)
            return None if grouped is None else grouped * per_unit
    number = to_number(value)
    if number is None:
        return None
    if number < 0:
        shown = "" if str(value).lstrip().startswith("-") else f" ({number:g})"
        raise CellError(f"'{value}' is a negative quantity{shown}, and a count of pieces cannot be below zero")
    pieces = round(number * per_unit, 6)
    if not float(pieces).is_integer():
        raise CellError(f"{value} is not a whole number of pieces" if per_unit == 1 else
                        f"{value} dozen is not a whole number of pieces ({pieces:g})")
    return int(pieces)


_DASHES = ("-", "--")
"""A vendor's dash in a WIP date cell: no date (WIP's own, beside the words every date cell reads)."""


def parse_wip_date(value: Any, order: DateOrder, date1904: bool, near: date) -> date | None:
    """A date cell. '15-Mar' or 'Mar 15' without a year take the year that puts them in the year around
    ``near`` (the report date) that a WIP report's dates fall in: four months back, eight ahead. A date
    further than a year back or two ahead is a typo or a misread year ('27/03/15' is 2015), not a plan. No date
    yet is blank: the words of ``cells.not_yet`` ('TBA', 'TBD', 'to be confirmed'), and a vendor's dash."""
    if isinstance(value, str) and (value.strip() in _DASHES or not_yet(value)):
        return None
    written = value
    if isinstance(value, str) and _SERIAL_TEXT.fullmatch(value):  # a date column saved as General in a CSV
        value = float(value)
    try:
        d = to_date(value, order, date1904)
    except CellError:
        if not isinstance(value, str):
            raise
        # '30 Nov', 'Nov 30th', '2nd Jan', '30/11', '30.11': each way the same year (cells.year_less)
        if (d := year_less(value, order, near - timedelta(days=YEARLESS_BACK))) is not None:
            return d
        raise
    if d is not None and not -366 <= (d - near).days <= 731:
        when = "before" if d < near else "after"
        raise CellError(f"'{cell_text(written)}' reads as {d:%d %B %Y}, too far {when} the report date "
                        f"({near:%d %B %Y}) to be a WIP date (a two-digit year in another place?)")
    return d


_SERIAL_TEXT = re.compile(r"\s*\d{5}(?:\.0*)?\s*")
"""Excel's number for a date (46390 is 2 January 2027), as a date column formatted General shows it and a CSV
file keeps it; the report-date window below refuses one that is not near the report."""
WEEK_OF = re.compile(r"\s*(?:w/?[cb]|wk\.?\s*(?:of|commencing|beginning)?|week\s+(?:of|commencing|beginning|"
                      r"starting))\s*[.:]?\s*(\S.*)", re.I)
"""A date given as its week: 'w/c 12 Jan' (week commencing), 'w/b 12/01', 'wk of 12-Jan', 'week of Jan 12'."""

_WEEK_NUMBER = re.compile(r"\s*(?:(?:xf|etd|ex[\s\-.]?(?:fty|factory))[\s:\-]*)?(?:wk|wks|week|w|cw|kw)\s*[.:#]?\s*"
                          r"(?P<week>\d{1,2})(?:\s*[/\-,\s]\s*(?P<year>\d{4}))?\s*"
                          r"|\s*(?P<iso_year>\d{4})\s*-?\s*w(?P<iso_week>\d{1,2})\s*", re.I)
"""A date given as its ISO week's number: 'wk 48', 'WK48', 'Week 48', 'CW 48', 'W48/2026', 'XF wk 48', '2026-W48'.
A year written after it has four digits ('W48/26' is not read: 'wk 12/01' is the week of 12 January)."""


def week_number_day(text: Any, near: date) -> tuple[date, int, int] | None:
    """The last day (Sunday) of the ISO week a cell names by number, with the week and its year; None for a
    cell that is no week number. The last day is the latest the vendor can mean: a cancel date is never
    thought safe on the week's Monday. Without a year, the year that puts the week nearest ``near`` (the
    report date): 'wk 48' in a report of March 2027 is 2026's, 'wk 16' 2027's."""
    m = _WEEK_NUMBER.fullmatch(text) if isinstance(text, str) else None
    if m is None:
        return None
    week = int(m["week"] or m["iso_week"])
    given = m["year"] or m["iso_year"]
    days = []
    for year in ([int(given)] if given else [near.year - 1, near.year, near.year + 1]):
        try:
            days.append((date.fromisocalendar(year, week, 7), week, year))
        except ValueError:  # week 0, 54, or a 53rd week the year has not
            continue
    return min(days, key=lambda d: abs((d[0] - near).days)) if days else None


YEARLESS_BACK = 120
"""A date without a year falls from this many days before the report date to a year later."""


def day_or_none(value: Any) -> date | None:
    try:
        return day_of(value)
    except (TypeError, ValueError):
        return None
