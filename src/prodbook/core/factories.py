"""Factory calendars of the tracker's vendors, from the Vendors and Closures sheets.

Each vendor gets its weekend, its country's public holidays and its closure
rows (a Closures row names a vendor, or a country for every vendor that keeps
that country's holidays).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

import pandas as pd

from prodbook.core.calendar import FactoryCalendar, factory_calendar
from prodbook.core.cells import text_or_empty
from prodbook.core.findings import Code, Finding, error, warning
from prodbook.core.keys import fold_text

DEFAULT = "(default)"


def _weekend(value: object) -> int | str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or str(value).strip() == "":
        return 1
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    return int(text) if text.isdigit() and len(text) <= 2 else text


def vendor_calendars(vendors: pd.DataFrame, closures: pd.DataFrame, years: Iterable[int], *,
                     file: str, vendors_sheet: str = "Vendors", closures_sheet: str = "Closures",
                     headers: Mapping[str, str] | None = None
                     ) -> tuple[dict[str, FactoryCalendar], FactoryCalendar, list[Finding]]:
    """One calendar per vendor code, folded (``keys.fold_text``: the Styles sheet's 'shx' is the Vendors sheet's
    SHX), plus the default (Mon-Fri, no holidays) for unknown vendors. ``headers``: the team's header of each
    field of the Vendors and Closures sheets ('holiday_country' -> 'Holidays', 'end' -> 'Closed To'), which the
    findings name; prodbook's own where absent."""
    theirs = dict(headers or {})
    weekend_h, country_h = theirs.get("weekend", "Weekend"), theirs.get("holiday_country", "Holiday Country")
    to_h, calendar_h = theirs.get("end", "To"), theirs.get("calendar", "Calendar")
    # in a message, a header typed over two lines is said on one
    country_said, from_said, to_said = (" ".join(h.split()) for h in (country_h, theirs.get("start", "From"), to_h))
    years = list(years)
    findings: list[Finding] = []
    spans: dict[str, list[tuple[date, date]]] = {}
    first_row: dict[str, tuple[int, str]] = {}  # each Calendar value's first row, as typed
    for r in closures.to_dict("records"):
        if r.get("start") and r.get("end"):
            start, end = r["start"], r["end"]
            if end < start:
                findings.append(error(Code.CALENDAR, f"the closure ends before it starts; swap {from_said} and "
                                      f"{to_said}", file=file, sheet=closures_sheet, row=r["_row"], column=to_h,
                                      value=end.isoformat()))
                continue
            spans.setdefault(str(r["calendar"]).strip().upper(), []).append((start, end))
            first_row.setdefault(str(r["calendar"]).strip().upper(), (int(r["_row"]), str(r["calendar"])))
    used = {str(r["vendor"]).strip().upper() for r in vendors.to_dict("records")} | {
        text_or_empty(r.get("holiday_country")).upper() for r in vendors.to_dict("records")}
    for name, (row, typed) in first_row.items():  # a shutdown that reaches no vendor would vanish from every date
        if name not in used:
            findings.append(warning(Code.CALENDAR, f"the closure calendar '{typed}' is neither a vendor code nor a "
                                    f"{country_said} of the {vendors_sheet} sheet, so no vendor's dates skip it; "
                                    "type the vendor code (BD1) or the two-letter country code (CN) of the "
                                    f"{country_said}",
                                    file=file, sheet=closures_sheet, row=row, column=calendar_h, value=typed))
    calendars: dict[str, FactoryCalendar] = {}
    for r in vendors.to_dict("records"):
        code = str(r["vendor"]).strip()
        country = text_or_empty(r.get("holiday_country")).upper() or None
        closed = spans.get(code.upper(), []) + (spans.get(country, []) if country else [])
        try:
            cal, warnings = factory_calendar(code, _weekend(r.get("weekend")),
                                             text_or_empty(r.get("holiday_country")) or None, years, closed)
        except ValueError as exc:
            weekend = "weekend" in str(exc).lower()
            # the message already says what the column takes
            detail = str(exc).removeprefix(f"Calendar {code}: ")
            findings.append(error(Code.CALENDAR, f"vendor {code}: {detail}",
                                  file=file, sheet=vendors_sheet, row=r["_row"],
                                  column=weekend_h if weekend else country_h,
                                  value=r.get("weekend") if weekend else r.get("holiday_country")))
            continue
        findings += [warning(Code.NO_HOLIDAY_DATA, w, file=file, sheet=vendors_sheet,
                             row=r["_row"], column=country_h, value=country) for w in warnings]
        if country is None:  # a week of Tet or Eid left out of every date of the vendor: say so
            named = text_or_empty(r.get("country"))
            findings.append(warning(Code.NO_HOLIDAY_DATA, f"vendor {code}{f' ({named})' if named else ''} has no "
                                    f"{country_said}, so its calendar "
                                    "counts no public holidays (only its weekend and its Closures rows). Type "
                                    "the two-letter code of the factory's country, such as VN or BD; or, if "
                                    "that is meant, dismiss this row",
                                    file=file, sheet=vendors_sheet, row=r["_row"], column=country_h))
        calendars[fold_text(code)] = cal
    default, _ = factory_calendar(DEFAULT, 1, None, years)
    return calendars, default, findings

