"""Factory calendars of the tracker's vendors, from the Vendors and Closures sheets.

Each vendor gets its weekend, its country's public holidays and its closure
rows (a Closures row names a vendor, or a country for every vendor that keeps
that country's holidays).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from datetime import date

import pandas as pd

from prodbook.core.calendar import FactoryCalendar, country_code_of, factory_calendar
from prodbook.core.cells import NA_WORDS, is_missing, text_or_empty
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


def closures_in_error(raw: pd.DataFrame, findings: Iterable[Finding], sheet: str) -> list[tuple[int, str]]:
    """(Excel row, Calendar as typed) of each Closures row an error left out of the valid rows (a To blank or
    'TBC'), from the sheet's rows as read (``raw``: 'calendar' and '_row') and the reading's findings."""
    bad = {f.row for f in findings if f.sheet == sheet and f.severity == "error" and f.row is not None}
    if not bad or not len(raw) or "calendar" not in raw.columns:
        return []
    return [(int(row), str(cal).strip()) for row, cal in zip(raw["_row"], raw["calendar"])
            if int(row) in bad and text_or_empty(cal)]


_NO_COUNTRY = frozenset(w.upper() for w in NA_WORDS)
"""Country cells that say "not applicable" ('NA', 'n.a.'): no country, although NA is Namibia's code."""


@functools.lru_cache(maxsize=256)
def _country_named(typed: str) -> tuple[str, str] | None:
    """(name, two-letter code) of a vendor's Country typed by name, three-letter code (``country_code_of``) or
    two-letter code ('BD', ' vn ', 'U.S.'), the codes the holidays package knows; None for any other text, so
    that an unknown word raises no alarm. Cached: each look-up reads the package's whole list of countries
    (milliseconds), and a tracker's vendors sit in a handful of countries."""
    if typed.strip().upper() in _NO_COUNTRY:
        return None
    named = country_code_of(typed)
    code = re.sub(r"[\s.]", "", typed).upper()
    if named is not None or not re.fullmatch(r"[A-Z]{2}", code):
        return named
    from holidays.registry import COUNTRIES

    # by its three-letter code, so that the name is the one a name or that code gets
    alpha3 = next((names[2] for names in COUNTRIES.values() if names[1] == code), None)
    return country_code_of(alpha3) if alpha3 else None


def _country_clash(code: str, country: object, holiday_country: str, said: str) -> str | None:
    """What to say when the vendor's Country names another country than its Holiday Country (Bangladesh, IN;
    or BD, IN): its dates count that other country's holidays. None when they agree, or Country is blank or no
    country."""
    typed = text_or_empty(country)
    named = _country_named(typed) if typed else None
    # a Holiday Country the holidays package takes in another form (BGD, UK) is the same country as BD, GB
    held = _country_named(holiday_country)
    if named is None or named[1] in (holiday_country, held[1] if held else None):
        return None
    # Country typed as the code is said with the country's name: 'BD (Bangladesh)', 'Bangladesh (BD)'
    other = named[0] if re.sub(r"[\s.]", "", typed).upper() == named[1] else named[1]
    return (f"vendor {code}: {said} is {holiday_country} but its Country is {typed} ({other}), so its T&A "
            f"counts the public holidays of {holiday_country}, not of {named[0]}. Type {named[1]} if the factory "
            f"is in {named[0]}; if it keeps the holidays of {holiday_country}, dismiss this row")


def vendor_calendars(vendors: pd.DataFrame, closures: pd.DataFrame,
                     years: Iterable[int] | Mapping[str, Iterable[int]], *,
                     file: str, vendors_sheet: str = "Vendors", closures_sheet: str = "Closures",
                     headers: Mapping[str, str] | None = None, far: Mapping[str, str] | None = None,
                     unreadable: Iterable[tuple[int, str]] | None = None
                     ) -> tuple[dict[str, FactoryCalendar], FactoryCalendar, list[Finding]]:
    """One calendar per vendor code, folded (``keys.fold_text``: the Styles sheet's 'shx' is the Vendors sheet's
    SHX), plus the default (Mon-Fri, no holidays) for unknown vendors. ``headers``: the team's header of each
    field of the Vendors and Closures sheets ('holiday_country' -> 'Holidays', 'end' -> 'Closed To'), which the
    findings name; prodbook's own where absent.

    ``years``: the years every calendar needs, or each vendor's (``ta.years_by_vendor``, by folded code; ''
    for the default's), with ``far`` (the order date that asks for a year far from today, by vendor) named in
    a warning that the holiday list lacks a year. ``unreadable``: Closures rows in error (``closures_in_error``):
    a vendor such a row names, or by its Holiday Country, gets no calendar (as for a bad Weekend), so that its
    lines keep their T&A rows as they are rather than move without the shutdown; the row says so. So does a
    closure that ends before it starts. None (a run that plans no T&A): such rows are only left out."""
    theirs = dict(headers or {})
    weekend_h, country_h = theirs.get("weekend", "Weekend"), theirs.get("holiday_country", "Holiday Country")
    to_h, calendar_h = theirs.get("end", "To"), theirs.get("calendar", "Calendar")
    # in a message, a header typed over two lines is said on one
    country_said, from_said, to_said = (" ".join(h.split()) for h in (country_h, theirs.get("start", "From"), to_h))
    by_vendor: dict[str, list[int]] | None = None
    if isinstance(years, Mapping):
        by_vendor = {k: list(v) for k, v in years.items()}
        every = sorted({y for ys in by_vendor.values() for y in ys})
    else:
        every = [int(y) for y in years]
    findings: list[Finding] = []
    spans: dict[str, list[tuple[date, date]]] = {}
    first_row: dict[str, tuple[int, str]] = {}  # each Calendar value's first row, as typed
    broken: dict[str, list[int]] = {}  # Calendar -> its Closures rows whose dates cannot be used
    for row, typed in unreadable or ():
        broken.setdefault(typed.upper(), []).append(row)
    for r in closures.to_dict("records"):
        if r.get("start") and r.get("end"):
            start, end = r["start"], r["end"]
            if end < start:
                findings.append(error(Code.CALENDAR, f"the closure ends before it starts; swap {from_said} and "
                                      f"{to_said}", file=file, sheet=closures_sheet, row=r["_row"], column=to_h,
                                      value=end.isoformat()))
                if unreadable is not None:
                    broken.setdefault(str(r["calendar"]).strip().upper(), []).append(int(r["_row"]))
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
    held: dict[int, list[str]] = {}  # a Closures row in error -> the vendors whose lines it keeps as they are
    for r in vendors.to_dict("records"):
        code = str(r["vendor"]).strip()
        country = text_or_empty(r.get("holiday_country")).upper() or None
        closed = spans.get(code.upper(), []) + (spans.get(country, []) if country else [])
        rows = broken.get(code.upper(), []) + (broken.get(country, []) if country else [])
        if rows:
            for row in rows:
                held.setdefault(row, []).append(code)
            continue
        mine: list[int] = every if by_vendor is None else by_vendor.get(fold_text(code), [])  # [] : no line
        try:
            cal, warnings = factory_calendar(code, _weekend(r.get("weekend")),
                                             text_or_empty(r.get("holiday_country")) or None, mine, closed)
        except ValueError as exc:
            weekend = "weekend" in str(exc).lower()
            # the message already says what the column takes
            detail = str(exc).removeprefix(f"Calendar {code}: ")
            findings.append(error(Code.CALENDAR, f"vendor {code}: {detail}",
                                  file=file, sheet=vendors_sheet, row=r["_row"],
                                  column=weekend_h if weekend else country_h,
                                  value=r.get("weekend") if weekend else r.get("holiday_country")))
            continue
        asked = (far or {}).get(fold_text(code))
        findings += [warning(Code.NO_HOLIDAY_DATA, w + (f" The years past that list are asked for by {asked}: "
                                                       "check the year there" if asked and "no public holidays"
                                                       in w else ""),
                             file=file, sheet=vendors_sheet, row=r["_row"], column=country_h, value=country)
                     for w in warnings]
        clash = _country_clash(code, r.get("country"), country, country_said) if country else None
        if clash:
            findings.append(warning(Code.CALENDAR, clash, file=file, sheet=vendors_sheet, row=r["_row"],
                                    column=country_h, value=r.get("holiday_country")))
        if country is None:  # a week of Tet or Eid left out of every date of the vendor: say so
            named = text_or_empty(r.get("country"))
            findings.append(warning(Code.NO_HOLIDAY_DATA, f"vendor {code}{f' ({named})' if named else ''} has no "
                                    f"{country_said}, so its calendar "
                                    "counts no public holidays (only its weekend and its Closures rows). Type "
                                    "the two-letter code of the factory's country, such as VN or BD; or, if "
                                    "that is meant, dismiss this row",
                                    file=file, sheet=vendors_sheet, row=r["_row"], column=country_h))
        calendars[fold_text(code)] = cal
    for row, codes in sorted(held.items()):  # its own error says what is wrong with the cell
        findings.append(error(Code.CALENDAR, f"this closure's {from_said} and {to_said} are not two dates in order, "
                              f"so the PO lines of vendor {', '.join(codes)} were kept as they are (stale): "
                              "planned without the shutdown, all their dates would move. Type both dates (a "
                              f"{to_said} not known yet: your best guess, corrected later)",
                              file=file, sheet=closures_sheet, row=row, column=to_h))
    default, _ = factory_calendar(DEFAULT, 1, None, every)
    return calendars, default, findings



LINE_VENDOR_HEADERS = frozenset({"vendor", "factory", "supplier", "vendor code", "factory code", "supplier code"})
"""A team's own column on Orders that names a line's factory: prodbook plans by the style's Vendor instead."""


def line_vendors_ignored(orders: pd.DataFrame, styles: pd.DataFrame, vendors: pd.DataFrame,
                         typed: Iterable[tuple[int, str, object]], *, file: str, sheet: str,
                         styles_sheet: str = "Styles", styles_header: str = "Vendor") -> list[Finding]:
    """A warning at a team's Vendor (or Factory) cell on Orders that names another vendor than its style's on
    Styles: the line is planned on the style vendor's calendar, never on this one. ``typed``: (Excel row,
    header, value) of the Orders rows' extra cells. The style vendor's code or its Name on Vendors agree;
    one warning per style and vendor typed, at its first row, counting the others."""
    vendor_of = {fold_text(s): str(v).strip() for s, v in zip(styles["style"], styles["vendor"])
                 if not is_missing(v) and str(v).strip()} if len(styles) else {}
    names = {fold_text(v): fold_text(n) for v, n in zip(vendors["vendor"], vendors.get("name", vendors["vendor"]))
             } if len(vendors) else {}
    style_at = dict(zip(orders["_row"].astype(int), orders["style"])) if len(orders) else {}
    said: dict[tuple[str, str], list[tuple[int, str, str, str]]] = {}
    for row, header, value in typed:
        if " ".join(str(header).split()).casefold() not in LINE_VENDOR_HEADERS or row not in style_at:
            continue
        text, style = text_or_empty(value), style_at[row]
        theirs = vendor_of.get(fold_text(style))
        if not text or theirs is None or fold_text(text) in (fold_text(theirs), names.get(fold_text(theirs))):
            continue
        said.setdefault((fold_text(style), fold_text(text)), []).append((row, str(header), text, theirs))
    out = []
    for (_, _), hits in said.items():
        row, header, text, theirs = hits[0]
        style = style_at[row]
        more = f" (and {len(hits) - 1} more line(s) of the style)" if len(hits) > 1 else ""
        out.append(warning(Code.UNKNOWN_VENDOR, f"style {style}: {header} here is {text}, but the style's "
                           f"{styles_header} on {styles_sheet} is {theirs}; prodbook plans every line of a style "
                           f"by its {styles_header} on {styles_sheet}, so this line{more} counts {theirs}'s "
                           f"weekend and holidays, not {text}'s. If the line is made at {text}, give it a style "
                           f"# of its own with that {styles_header}; otherwise correct this cell",
                           file=file, sheet=sheet, row=row, column=header, value=text))
    return out
