"""Which sheets of a vendor workbook are its WIP report: the sheet whose header names the most fields, the
report's other product sheets ('Knit', 'Woven'), the latest of a sheet per month; and the sheets set aside
beside it by their names (shipped or cancelled lines, a summary) or for hiding.

Its own module because the choice is made before a row is read and is judged on sheet names and headers
alone: ``reading.import_file`` reads the sheets chosen here, and a new kind of sheet a vendor puts beside
its report (a name to set aside, a month form) is a change here only."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from prodbook.core.config import Config
from prodbook.core.wip.layout import QTY_FIELDS, Header, RawSheet, find_header, vendor_layout
from prodbook.core.wip.report_date import FUTURE_REPORT_DAYS, ReportDate

_PROGRESS = frozenset({*QTY_FIELDS, "fabric_status", "planned_xf", "revised_xf", "booking_status"})
"""What a WIP report tells beside PO, style and colour: quantities, progress, dates. A packing list (carton
numbers, pieces per carton) or a PO list has none of them."""


def has_progress(header: Header) -> bool:
    """The header has a quantity, status or ex-factory column (even one in cartons, named on its own), or
    one left undecided between two columns."""
    return any(f in _PROGRESS for f in header.columns) or any(set(a.fields) & _PROGRESS for a in header.ambiguous)


def _is_report(header: Header) -> bool:
    return "po" in header.columns and ("style" in header.columns or "color" in header.columns)


def _named(header: Header) -> int:
    return len(header.columns) + sum(len(a.fields) for a in header.ambiguous)


def _as_good(other: Header, header: Header) -> bool:
    """``other`` is at least as good a report as ``header``: it names as many fields or more (as the report
    sheet is chosen), and a quantity column if ``header`` names one."""
    def qty(h: Header) -> bool:
        return any(f in QTY_FIELDS for f in h.columns) or any(set(a.fields) & set(QTY_FIELDS) for a in h.ambiguous)
    return _named(other) >= _named(header) and (qty(other) or not qty(header))


_Judge = Callable[[RawSheet, Header, Header], bool]
"""Whether a sheet set aside by its name (its header the third argument) is beside a report: the other sheet,
its header."""


def _at_least_as_good(other: RawSheet, header: Header, named: Header) -> bool:
    return _as_good(header, named)


def _beside_report(other: RawSheet, header: Header, named: Header) -> bool:
    """``other`` is a report (PO, style or colour, a quantity, status or date), as a fabric or trims sheet's
    neighbour must be; one named a summary only when at least as good a report as the sheet set aside (a
    summary of 'Fabric WIP', the report, does not set it aside)."""
    return _is_report(header) and has_progress(header) and (
        not _SUMMARY_SHEET.search(other.sheet or "") or _as_good(header, named))


_NOT_A_REPORT_SHEET = re.compile(r"(?<![a-z])(?:shipped|dispatched|cxl|cancel(?:l?ed|l?ations?|s)?)(?![a-z])",
                                 re.I)
"""A sheet named for shipped or cancelled lines: beside the report, not a report. Its lines are not live (a ship
date is no planned ex-factory, a cancelled line no open one). 'Shipment' and 'Summary' alone are not such
words: 'Shipment Schedule', 'Shipment Status', 'Order Summary', 'WIP Summary' are common names of the report."""
_SUMMARY_SHEET = re.compile(r"(?<![a-z])summary(?![a-z])", re.I)
"""A sheet named a summary: set aside only beside a sheet at least as good a report (``_as_good``), as it
repeats the report's lines; the report itself is often so named ('WIP Summary')."""
_MATERIAL_SHEET = re.compile(r"(?<![a-z])(?:fabrics?|trims?|accessor(?:y|ies)|yarns?|materials?)(?![a-z])", re.I)
"""A sheet named for fabric or trims ('Fabric', 'Fabric Status', 'Trims', 'Accessories'): beside the report, the
status of its materials by PO and style, not of its garments. Its rows would become WIP lines with blank
quantities, or duplicates of the report's, so it is set aside beside a report (``_beside_report``), however
many columns it names; a sheet so named that is the only report ('Fabric WIP' alone) is read."""


def set_aside_shown(sheets: Sequence[str | None]) -> str:
    """The sheets left out by their names (``wip_sheets``), each with what its name says it holds."""
    def holds(name: str) -> str:
        word = (m[0].lower() if (m := _NOT_A_REPORT_SHEET.search(name)) else "")
        return "cancelled lines" if word.startswith(("cancel", "cxl")) else "shipped lines" if word else \
            "fabric or trims" if _MATERIAL_SHEET.search(name) else "a summary"
    return ", ".join(f"sheet '{n}' ({holds(n or '')})" for n in sheets)


def wip_sheets(raws: Sequence[RawSheet], config: Config, vendor: str | None
               ) -> tuple[list[tuple[RawSheet, Header]], list[str | None], list[str | None]]:
    """The file's report sheets: the one whose header names the most fields first (its vendor, report date
    and date order are the file's), then every other visible sheet with a PO and a style or colour column
    (a report split by product type). Hidden sheets only when no visible sheet is a report. And the hidden
    sheets that look like reports and are left out (last week's data), to be named: each header looked for
    once. And the sheets of shipped or cancelled lines (``_NOT_A_REPORT_SHEET``), left out beside another
    visible sheet at least as good a report (``_as_good``); then the sheets of fabric or trims
    (``_MATERIAL_SHEET``), beside another visible report (``_beside_report``); then the summaries
    (``_SUMMARY_SHEET``), beside another visible sheet at least as good a report: each to be named. A file whose
    only sheet is one, or whose other sheets name fewer fields ('Order Summary' beside the report named
    'Fabric WIP'), is read."""
    lookup = vendor_layout(config, vendor)
    found = [(raw, h) for raw in raws if (h := find_header(raw.rows, lookup, raw.merged, raw.hidden_columns))]
    aside: set[int] = set()
    passes: tuple[tuple[re.Pattern[str], tuple[re.Pattern[str], ...], _Judge], ...] = (
        (_NOT_A_REPORT_SHEET, (), _at_least_as_good), (_MATERIAL_SHEET, (_NOT_A_REPORT_SHEET,), _beside_report),
        (_SUMMARY_SHEET, (_NOT_A_REPORT_SHEET,), _at_least_as_good))
    for word, beside, judge in passes:  # each kind of name judged beside the sheets not set aside before it
        named = [(raw, h) for raw, h in found if id(raw) not in aside and word.search(raw.sheet or "")]
        others = [(raw, h) for raw, h in found if not raw.hidden and id(raw) not in aside
                  and not any(w.search(raw.sheet or "") for w in (word, *beside))]
        aside |= {id(raw) for raw, h in named if any(judge(o, oh, h) for o, oh in others)}
    set_aside = [raw.sheet for raw, h in found if id(raw) in aside and _is_report(h)]
    found = [(raw, h) for raw, h in found if id(raw) not in aside]
    shown = [(raw, h) for raw, h in found if not raw.hidden] or found
    if not shown:
        return [], [], []
    best = max(shown, key=lambda rh: _named(rh[1]))  # the first of the best, as the order of the sheets
    used = [best, *((raw, h) for raw, h in shown if raw is not best[0] and _is_report(h))]
    taken = {id(raw) for raw, _ in used}
    return used, [raw.sheet for raw, h in found if raw.hidden and id(raw) not in taken and _is_report(h)], set_aside


_MONTH_SHEET = re.compile(
    r"\s*(?:wip[\s\-_]*)?(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?(?:[\s\-_'’]*(\d{4}|\d{2}))?"
    r"(?:[\s\-_]*wip)?\s*", re.I)
"""A sheet named for a month: the month's name or its usual abbreviation, as a whole word, with a year or not
('NOV', 'Sept', 'December 2026', 'DEC-26', 'WIP Nov'); never a word that begins like one ('Separates',
'Novelty', 'Marine', 'Junior', 'Decor': a vendor's product sheets, each a report)."""
_MONTH_NUMBER = {m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
                                                  "oct", "nov", "dec"))}


def _sheet_month(name: str | None, at: date) -> date | None:
    """The first day of the month a sheet is named for ('NOV', 'Dec 2026', 'DEC-26'); without a year, the
    latest start of that month up to ``at``."""
    m = _MONTH_SHEET.fullmatch(name or "")
    if m is None:
        return None
    month = _MONTH_NUMBER[m[1][:3].lower()]
    if m[2]:
        return date(int(m[2]) + (2000 if len(m[2]) == 2 else 0), month, 1)
    return date(at.year if date(at.year, month, 1) <= at else at.year - 1, month, 1)


def latest_month(sheets: list[tuple[RawSheet, Header]], today: date,
                 dated: Callable[[RawSheet, Header], ReportDate | None]
                 ) -> tuple[list[tuple[RawSheet, Header]], list[str | None], date | None]:
    """A workbook with a sheet per month ('OCT', 'NOV', 'DEC'): the report is the sheet of the latest month
    begun on the report's date (``dated``: the latest a month sheet's title rows give, else the file name's,
    no later than ``today``: next month's sheet, set up in advance, may be titled with its first day), the
    others earlier months' figures or next month's sheet set up in advance, all zeros (named, not imported).
    With no report date, the latest month begun a week after ``today`` (by ``today`` if a title gave a later
    date). Returns the sheets to
    read, the month sheets left out and the report date they were judged by; any other set of sheets as it
    is."""
    if len(sheets) < 2 or any(_MONTH_SHEET.fullmatch(raw.sheet or "") is None for raw, _ in sheets):
        return sheets, [], None
    every = [d for raw, h in sheets if (d := dated(raw, h)) is not None]
    found = [d for d in every if d.day <= today]  # a later one is not this report's: next month's sheet's own
    titled = [d.day for d in found if d.row is not None]
    report = max(titled) if titled else (found[0].day if found else None)
    ahead = today if len(found) < len(every) else today + timedelta(days=FUTURE_REPORT_DAYS)
    at = ahead if report is None else report
    months = [m for raw, _ in sheets if (m := _sheet_month(raw.sheet, at)) is not None]
    if len(set(months)) < 2:
        return sheets, [], None
    begun = [k for k, m in enumerate(months) if m <= at] or list(range(len(sheets)))
    latest = max(begun, key=lambda k: months[k])
    return [sheets[latest]], [raw.sheet for k, (raw, _) in enumerate(sheets) if k != latest], report
