"""Shipping and production exceptions: small pure rules over the PO lines, listed in ``RULES``.

Each rule takes the prepared ``Inputs`` (one record per PO line: the order, its
key T&A milestones, its latest vendor WIP report) and returns ``Finding``s
(``exception``): a stable code, a severity, a sentence for the APM and the
``Subject`` it is about (the PO line, or the vendor). The sentence is the facts (dates, quantities) and the
APM's advice, given apart (``Found``): a vendor's follow-up takes the facts alone. The
Exceptions sheet keeps each exception's identity across runs (``merge``):
the same rule on the same PO line (or vendor) keeps its ID, Owner, Status and
Resolution; one no longer found is marked resolved by data, never deleted.

Late for cancel is one rule (``prodbook.core.cancel``): the cancel date is judged
on the forecast ex-factory under FOB (and the other origin terms), on the
forecast in-DC under DDP (and the other delivered terms). ``cancel_check``
gives it per PO line, for the rules, the T&A job's Issues and both reports.

Transit (ex-factory to DC) has one definition, ``transit_days``: the order's
own In-DC minus Ex-Factory while its ship mode holds, else the setting for
the mode the vendor reports.

Settings (Config sheet): Booking Confirm Days (10), Ship Tolerance % (3),
WIP Stale Days (10), Production Behind Points (10), Transit Days Sea (30),
Transit Days Air (7), Default Terms (FOB), and the T&A codes the rules read: Ex-Factory Code (XF),
Cut Code (CUT), Sew Code (SEW), Pack Code (PCK), Fabric Code (FIH), Booking
Code (BKC), In-DC Code (IDC).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, cast

import numpy as np
import pandas as pd

from prodbook.core import cancel as cx
from prodbook.core import recovery as rc
from prodbook.core.calendar import FactoryCalendar, add_days
from prodbook.core.cells import CellError, day_of, is_missing, setting_number, text_or_empty
from prodbook.core.config import Config, within_days
from prodbook.core.findings import Code, Finding, Severity, Subject, error, warning
from prodbook.core.keys import fold_code, fold_ref, fold_text, line_key, style_vendors
from prodbook.core.looks import DEFAULT_DATE_FORMAT, with_date_text
from prodbook.core.ta import stop_reasons
from prodbook.core.where import cells, row_dicts
from prodbook.core.wip import latest_reports

IN_PRODUCTION_DAYS = 30
"""A vendor is expected to report WIP for PO lines whose cutting is planned within this many days."""
OPEN, RESOLVED_BY_DATA = "Open", "Resolved by data"
RESOLVED_NOTE = "No longer found by prodbook on"
CLOSED_WORDS = frozenset({"resolved", "resolved by data", "closed", "done", "cancelled", "canceled",
                          "fixed", "n/a"})


@dataclass(frozen=True)
class Settings:
    booking_confirm_days: int = 10
    ship_tolerance_pct: float = 3.0
    wip_stale_days: int = 10
    behind_points: float = 10.0
    transit_sea: int = 30
    transit_air: int = 7
    xf_code: str = "XF"
    cut_code: str = "CUT"
    sew_code: str = "SEW"
    pack_code: str = "PCK"
    fabric_code: str = "FIH"
    booking_code: str = "BKC"
    in_dc_code: str = "IDC"
    default_terms: str = cx.DEFAULT_TERMS
    """Terms of an order whose Terms cell is blank: FOB judges the cancel date on ex-factory."""
    date_format: str = DEFAULT_DATE_FORMAT
    """Config 'Date Format': how the dates in a Detail read (``evaluate``); the facts a vendor is sent keep
    dd-mmm-yy, for the follow-ups to show in the vendor's format."""

    @property
    def terms(self) -> cx.Terms:
        return cx.read_terms(self.default_terms) or cx.Terms(cx.DEFAULT_TERMS, cx.Basis.EX_FACTORY)

    @property
    def codes(self) -> tuple[str, ...]:
        return (self.xf_code, self.cut_code, self.sew_code, self.pack_code, self.fabric_code,
                self.booking_code, self.in_dc_code)


_SETTING_NAMES = {"booking_confirm_days": "Booking Confirm Days", "ship_tolerance_pct": "Ship Tolerance %",
                  "wip_stale_days": "WIP Stale Days", "behind_points": "Production Behind Points",
                  "transit_sea": "Transit Days Sea", "transit_air": "Transit Days Air",
                  "cut_code": "Cut Code", "sew_code": "Sew Code", "pack_code": "Pack Code",
                  "fabric_code": "Fabric Code", "booking_code": "Booking Code", "in_dc_code": "In-DC Code",
                  "default_terms": "Default Terms"}


def settings_from(config: Config, file: str | None = None) -> tuple[Settings, list[Finding]]:
    """The rules' settings from the Config sheet; a value that is not a number is a finding."""
    values: dict[str, Any] = {"xf_code": config.ex_factory_code, "transit_air": config.transit_days_air,
                              "date_format": config.date_format}
    findings = []
    defaults = Settings()
    for f in fields(Settings):
        name = _SETTING_NAMES.get(f.name)
        raw = config.get(name) if name else None
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        default = getattr(defaults, f.name)
        if isinstance(default, str):
            values[f.name] = str(raw).strip()
            if f.name == "default_terms" and cx.read_terms(raw) is None:
                values.pop(f.name)
                findings.append(warning(Code.SETTING, f"setting '{name}': '{raw}' is not a term prodbook "
                                        f"knows; {default} is used. Use an Incoterm such as FOB, FCA, CIF "
                                        "(judged on ex-factory) or DDP, DAP, Landed (judged on in-DC)",
                                        file=file, sheet="Config", column="Value", value=raw))
            continue
        try:
            number = setting_number(raw)
            if number is None or number < 0:
                raise CellError(f"{raw} should be 0 or more")
            values[f.name] = float(number) if not isinstance(default, int) else (
                within_days(int(number), raw) if f.name.endswith("_days") or f.name.startswith("transit_")
                else int(number))
        except CellError as exc:
            findings.append(warning(Code.SETTING, f"setting '{name}': {exc}; {default} is used", file=file,
                                    sheet="Config", column="Value", value=raw))
    return replace(defaults, **values), findings


@dataclass(frozen=True)
class Found(Finding):
    """An exception a rule found: its Detail (``message``) is ``facts``, then ``joint`` and ``advice``.

    The two halves are kept apart because they go to different people: the Exceptions sheet is the APM's and
    shows both; a follow-up e-mail to the vendor takes the facts alone (``followups.vendor_text``), so no
    wording of the advice can reach a vendor.
    """

    facts: str = ""
    """What the data shows (dates, quantities, the vendor's own words): what a vendor may read."""
    advice: str = ""
    """The APM's own next step (agree with the buyer, expect a chargeback, the recovery levers and their
    cost); "" when the rule gives none. Never sent to a vendor."""
    joint: str = ""
    """What joins the facts to the advice in the Detail (': ', '. ')."""

    def to_dict(self) -> dict[str, Any]:
        """As any finding's (--json, the Issues shape): the Detail whole, as the sheet shows it."""
        d = super().to_dict()
        for name in ("facts", "advice", "joint"):
            del d[name]
        return d


def detail(facts: str, advice: str = "", joint: str = ": ") -> str:
    """The Exceptions sheet's Detail: the facts, then the APM's advice after ``joint`` (none: the facts)."""
    return f"{facts}{joint}{advice}" if advice else facts


def exception(code: Code, severity: Severity, facts: str, subject: Subject, advice: str = "", *,
              joint: str = ": ") -> Finding:
    """An exception a rule found: a ``Finding`` on the Exceptions sheet, keyed by what it is about.

    ``facts`` are for anyone (the vendor's e-mail takes them); ``advice`` is the APM's alone: a ``Found``,
    typed as the ``Finding`` every rule returns (``facts_of`` reads its facts).
    """
    return Found(code, severity, detail(facts, advice, joint), sheet="Exceptions", key=subject.key,
                 subject=subject, facts=facts, advice=advice, joint=joint if advice else "")


def facts_of(found: Finding) -> str | None:
    """The facts of an exception a rule found; None for any other finding (its message is all there is)."""
    return found.facts if isinstance(found, Found) else None


def identity_of(found: Finding) -> tuple[str, str]:
    """The Exceptions sheet's identity of an exception a rule found (see ``identity``)."""
    s = found.subject or Subject()
    return identity(str(found.code), s.po, s.style, s.color, s.vendor)


def identity(rule: str, po: Any, style: Any, color: Any, vendor: Any) -> tuple[str, str]:
    """Same rule, same PO line (or, for vendor rules, same vendor): the same exception."""
    rule = str(rule or "").strip().lower()
    if po is not None and str(po).strip() and not is_missing(po):
        return rule, line_key(po, style, color)
    return rule, "vendor:" + str(vendor or "").strip().upper()


@dataclass(frozen=True)
class Line:
    """A PO line as the rules see it."""

    po: str
    style: str
    color: str
    vendor: str | None
    qty: int | None
    ship_mode: str | None
    po_date: date | None
    ex_factory: date | None
    in_dc: date | None
    cancel: date | None
    planned: Mapping[str, date]
    """T&A Planned date by milestone code."""
    forecast: Mapping[str, date]
    actual: Mapping[str, date]
    wip: Mapping[str, Any] | None
    """The newest Vendor WIP row of the line (fields), or None."""
    terms: str | None = None
    """The Orders sheet's Terms cell (FOB, DDP...), as typed; blank takes Default Terms."""
    row: int | None = None
    """The line's row on the Orders sheet."""
    today: date | None = None
    """The run's today: an ex-factory date gone by without a shipment is no forecast (``forecast_xf``)."""
    stopped: str | None = None
    """Why the line is no longer planned ('PO line cancelled on Orders (Status 'Cxl')'); None: it is live."""

    def exception(self, code: Code, severity: Severity, facts: str, advice: str = "", *,
                  joint: str = ": ") -> Finding:
        """An exception about this PO line (``facts`` and the APM's ``advice``: see ``exception``)."""
        return exception(code, severity, facts, Subject(self.po, self.style, self.color, self.vendor), advice,
                         joint=joint)

    def w(self, f: str) -> Any:
        v = self.wip.get(f) if self.wip else None
        return None if is_missing(v) else v

    def q(self, f: str) -> float | None:
        """A quantity of the newest WIP report: the number, None for a blank or a cell that holds no number
        ('TBC', '#N/A': the sheet's reading names it). A negative one is kept: ``wip_qty_inconsistent``
        says so, the other rules leave it be."""
        v = self.w(f)
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
            return None
        v = v.item() if isinstance(v, (np.integer, np.floating)) else v
        if isinstance(v, float):
            return v + 0.0 if math.isfinite(v) else None  # + 0.0: -0.0 reads as 0
        return v


@dataclass
class Inputs:
    lines: list[Line]
    wip: pd.DataFrame
    """Every Vendor WIP row (the history)."""
    today: date
    settings: Settings = field(default_factory=Settings)
    calendars: Mapping[str, FactoryCalendar] = field(default_factory=dict)
    default_calendar: FactoryCalendar | None = None
    rates: rc.Rates = field(default_factory=rc.Rates)
    """Config rates for the recovery options of late lines (air cost, extra shift cost)."""
    stopped: list[Line] = field(default_factory=list)
    """The PO lines cancelled on Orders or of a dropped style: only ``STOPPED_RULES`` look at them."""
    wip_kept: bool = True
    """The tracker keeps vendors' WIP reports (it has a Vendor WIP sheet): a team that never imports them is not
    told, vendor by vendor, that no report came."""

    def calendar(self, vendor: str | None) -> FactoryCalendar | None:
        return self.calendars.get(fold_text(vendor), self.default_calendar)


# --- building the inputs ---------------------------------------------------------------------------

def build_lines(orders: pd.DataFrame, styles: pd.DataFrame, ta: pd.DataFrame, wip: pd.DataFrame,
                settings: Settings, today: date | None = None, *, status_header: str | None = None,
                stopped: bool | None = False) -> list[Line]:
    """One ``Line`` per live Orders row: its vendor (Styles), key T&A dates and newest WIP report.

    A line cancelled on Orders or of a dropped style (``ta.stop_reasons``) is no line to plan, chase or
    judge late: it is left out, so every rule, report and Issues check skips it. ``stopped``: the other way
    round, only those lines (with their reason), for the rules that watch them (``STOPPED_RULES``); None:
    every line, each with its reason or None (one pass for a caller that needs both).

    Column by column: each distinct key part and date is folded once (a T&A holds a few thousand PO
    lines and a few hundred days), the cells read as ``to_dict('records')`` gives them.
    """
    vendor_of = style_vendors(styles)
    dates: dict[str, dict[str, dict[str, date]]] = {}
    if len(ta):
        wanted = {fold_code(c) for c in settings.codes}
        sub = ta[_wanted_codes(ta["code"], wanted)]
        keys = _line_keys(sub)
        codes = _distinct(fold_code, cells(sub, "code"))
        got = [_distinct_cells(day_of, sub, f) if f in sub.columns else [None] * len(sub)
               for f in ("planned", "forecast", "actual")]
        for key, c, planned, forecast, actual in zip(keys, codes, *got):
            d = dates.get(key)
            if d is None:
                d = dates[key] = {"planned": {}, "forecast": {}, "actual": {}}
            if planned is not None:
                d["planned"][c] = planned
            if forecast is not None:
                d["forecast"][c] = forecast
            if actual is not None:
                d["actual"][c] = actual
    latest = {k: r for k, r in zip(lr["_key"], row_dicts(lr))} if len(
        lr := latest_reports(wip)) else {}
    out = []
    n = len(orders)
    col: dict[str, list[Any]] = {f: cells(orders, f) if f in orders.columns or f in ("po", "style", "color")
                                 else [None] * n
           for f in ("po", "style", "color", "qty", "ship_mode", "terms", "_row")}
    when = {f: _distinct_cells(day_of, orders, f) if f in orders.columns else [None] * n
            for f in ("po_date", "ex_factory", "in_dc", "cancel")}
    reasons = stop_reasons(orders, styles, status_header=status_header)
    for i, key in enumerate(_line_keys(orders)):
        if stopped is not None and (reasons[i] is None) is stopped:
            continue
        d = dates.get(key, {"planned": {}, "forecast": {}, "actual": {}})
        po, style, color = col["po"][i], col["style"][i], col["color"][i]
        vendor = vendor_of.get(fold_ref(style))
        qty, mode, terms_, row = col["qty"][i], col["ship_mode"][i], col["terms"][i], col["_row"][i]
        out.append(Line(str(po), str(style), str(color), None if is_missing(vendor) else str(vendor),
                        None if is_missing(qty) else int(qty),
                        None if is_missing(mode) else str(mode),
                        when["po_date"][i], when["ex_factory"][i], when["in_dc"][i],
                        when["cancel"][i], d["planned"], d["forecast"], d["actual"], latest.get(key),
                        None if is_missing(terms_) else terms_,
                        None if is_missing(row) else int(row), today, reasons[i]))
    return out


def _wanted_codes(code: pd.Series, wanted: set[str]) -> np.ndarray:
    """Rows whose milestone code, folded (``fold_code``: 'IN  DC' is the Config's 'In DC'), is one the rules
    read; each distinct code looked at once."""
    return np.array(_distinct(lambda c: fold_code(c) in wanted, code.tolist()), dtype=bool)


def _line_keys(frame: pd.DataFrame) -> list[str]:
    """``line_key`` of every row, each distinct PO, style and colour folded once."""
    parts = (_distinct(fold_ref, cells(frame, "po")), _distinct(fold_ref, cells(frame, "style")),
             _distinct(fold_text, cells(frame, "color")))
    return ["\x1f".join(p) for p in zip(*parts)]


def _distinct(fn: Callable[[Any], Any], values: list[Any]) -> list[Any]:
    """``fn`` of each value, computed once per distinct (type, value) of the types whose equal values
    read the same (1 and 1.0 stay apart; floats, -0.0 == 0.0, and zoned times are computed each time)."""
    kinds = set(map(type, values))
    blank: Any = _UNSEEN
    if kinds <= _FACTORIZED:  # text, or dates and blanks
        blank = None
    elif kinds <= _STAMPS and all(v.tzinfo is None for v in values):  # a column of times without a zone
        blank = pd.NaT
    if blank is not _UNSEEN:  # hashed in C, each distinct value once
        column = np.empty(len(values), dtype=object)
        column[:] = values
        codes, uniques = pd.factorize(column)  # the blank is -1: the last entry
        done = np.empty(len(uniques) + 1, dtype=object)
        done[:] = [*(fn(u) for u in uniques), fn(blank)]
        return cast(list[Any], done[codes].tolist())
    seen: dict[tuple[type, Any], Any] = {}
    out = []
    for v in values:
        t = type(v)
        if t in _SAME_WHEN_EQUAL or (t in _NAIVE_WHEN_EQUAL and v.tzinfo is None):
            k = (t, v)
            r = seen.get(k, _UNSEEN)
            if r is _UNSEEN:
                r = seen[k] = fn(v)
        else:
            r = fn(v)
        out.append(r)
    return out


def _distinct_cells(fn: Callable[[Any], Any], frame: pd.DataFrame, field: str) -> list[Any]:
    """``_distinct(fn, cells(frame, field))``. A column of dates as numpy holds them (the T&A's Planned and
    Forecast as the T&A job leaves them) is factorized as it is: no Timestamp made per cell (a million-row
    T&A: 1.5 s)."""
    column = frame[field]
    if not (isinstance(column.dtype, np.dtype) and column.dtype.kind == "M"):  # zoned times: each computed
        return _distinct(fn, cells(frame, field))
    codes, uniques = pd.factorize(column)  # NaT is -1: the last entry
    done = np.empty(len(uniques) + 1, dtype=object)
    done[:] = [*(fn(u) for u in uniques), fn(pd.NaT)]
    return cast(list[Any], done[codes].tolist())


_UNSEEN = object()
_FACTORIZED = frozenset({str, date, type(None)})
"""Kinds of cell no two of which are equal unless they read the same (a str never equals a date)."""
_STAMPS = frozenset({pd.Timestamp, type(pd.NaT)})
"""Times without a zone: equal ones are the same wall time."""
_SAME_WHEN_EQUAL = frozenset({str, int, bool, date, type(None)})
_NAIVE_WHEN_EQUAL = frozenset({datetime, pd.Timestamp})


# --- shared judgements ----------------------------------------------------------------------------

_code = lru_cache(maxsize=64)(fold_code)
"""A setting's milestone code as a line's dates are keyed (``build_lines``), each folded once: the rules ask
for it per line."""


def shipped(line: Line, s: Settings) -> date | None:
    return line.actual.get(_code(s.xf_code))


def gone(line: Line, s: Settings) -> bool:
    """The goods have left the factory: an Actual ex-factory, or an Actual in-DC (a line in the DC has
    shipped, even when nobody typed the day it left). No production rule is about such a line."""
    return shipped(line, s) is not None or received(line, s) is not None


def planned_xf(line: Line, s: Settings) -> date | None:
    return line.ex_factory or line.planned.get(_code(s.xf_code))


def forecast_xf(line: Line, s: Settings) -> date | None:
    """Actual ex-factory, else the vendor's revised date, else the T&A forecast, else the order's date;
    not before today for a line not shipped (a revised 3-Apr passed on 12-Apr without a shipment can ship
    12-Apr at the soonest: judged on 3-Apr, it looked on time, and air freight 'saved' a date gone by)."""
    sent = shipped(line, s)
    if sent is not None:
        return sent
    xf = day_of(line.w("revised_xf")) or line.forecast.get(_code(s.xf_code)) or planned_xf(line, s)
    if received(line, s) is not None:
        return xf  # in the DC: it left on a day nobody typed, not today
    return line.today if xf is not None and line.today is not None and xf < line.today else xf


def ship_mode(text: Any) -> str | None:
    """Sea, Air, Sea-Air, Road, or the text as written. A text is read once per run's worth of lines (a
    refresh asks for every line's mode several times; a season uses a handful of texts)."""
    return _text_mode(text) if type(text) is str else _ship_mode(text)


@lru_cache(maxsize=4096)
def _text_mode(text: str) -> str | None:
    return _ship_mode(text)


_MODE_NOW = re.compile(r"(?:\b(?:changed?|switch(?:ed)?|moved?|revised)\s+to\b|\bfrom\s+\S+\s+to\b|->|→|=>|"
                       r"\bnow\b)(.*)$")
"""A vendor's note of a change of mode: the mode after it is the mode now ('Sea changed to Air', 'Sea -> Air')."""
_MODE_WAS = re.compile(r"\(?\s*\b(?:was|instead of)\b[^()]*\)?|\bfrom\s+\S+")
"""The mode it was ('Air (was sea)', 'Air instead of sea'): not the mode now."""
_MODE_NOT = re.compile(r"\b(?:not|no|non)[\s-]+(?:by\s+|via\s+)?([^\s,;:/()+-]+)")
"""A mode ruled out ('Not air', 'non-air', 'Sea, not by air'): not the mode."""
_PART_AIR = re.compile(r"\b(?:part(?:ial(?:ly)?|ly)?|split|balance|bal|rest|remaining|short)\b[^.;]*?\bair\b|"
                       r"\d\s*(?:pcs|pieces|units|ctns?|cartons?)?\s*(?:by|via)\s+air\b", re.I)
"""A sea shipment with a part flown ('Sea (partial air)', 'Sea, balance by air', 'Sea / 500 pcs by air',
'Split: sea and air'): a split shipment, the part that flies a cost (DOMAIN.md), the rest at sea's pace."""


def _ship_mode(text: Any) -> str | None:
    if is_missing(text) or not str(text).strip():
        return None
    t = str(text).strip().lower()
    if (now := _MODE_NOW.search(t)) and now[1].strip():
        t = now[1]
    t = _MODE_WAS.sub(" ", t).strip() or t
    t = unicodedata.normalize("NFC", t)  # Vietnamese typed on a Mac comes decomposed
    t = _MODE_NOT.sub(" ", t)  # 'Not air' is not Air
    # Chinese 空运 / 空 (air), 快递 (courier), 海运 / 海 (sea); Vietnamese 'đường hàng không' (air), 'đường biển' (sea)
    # a courier (DHL, FedEx, UPS, TNT, Aramex) flies the goods: Air, as 'Courier' is
    air = bool(re.search(r"\bair|courier|express|\bfly|\bdhl\b|\bfed\s?ex\b|\bups\b|\btnt\b|aramex|"
                         r"空运|空運|快递|快遞|^空$|hàng không|hang khong|máy bay", t))
    sea = bool(re.search(r"sea|ocean|vessel|boat|\bfcl\b|\blcl\b|\bcy\b|海运|海運|^海$|đường biển|duong bien", t))
    if air and sea and _PART_AIR.search(t):
        return "Sea"  # the goods go by sea, a part flown: ship_mode_changed names the part (part_by_air)
    if air and sea:
        return "Sea-Air"
    if air:
        return "Air"
    if sea:
        return "Sea"
    if re.search(r"truck|road|land|rail|陆运|陸運|铁路|鐵路|卡车|đường bộ|đường sắt", t):
        return "Road"
    return str(text).strip()


def current_mode(line: Line) -> str | None:
    return ship_mode(line.w("ship_mode")) or ship_mode(line.ship_mode)


def transit_days(line: Line, s: Settings) -> int | None:
    """Ex-factory to DC: the order's own gap while its ship mode holds, else the setting for the mode."""
    mode, planned_mode = current_mode(line), ship_mode(line.ship_mode)
    if line.in_dc and line.ex_factory and (mode == planned_mode or mode is None):
        return (line.in_dc - line.ex_factory).days
    if mode == "Air":
        return s.transit_air
    if mode in ("Sea", "Sea-Air", None):
        return s.transit_sea if mode != "Sea-Air" else (s.transit_sea + s.transit_air) // 2
    return s.transit_sea


def received(line: Line, s: Settings) -> date | None:
    """The Actual of the in-DC milestone: the line is in the DC."""
    return line.actual.get(_code(s.in_dc_code))


def forecast_in_dc(line: Line, s: Settings) -> date | None:
    """Received in DC, else forecast ex-factory + transit for the ship mode: the in-DC date moves with
    the ex-factory."""
    if (got := received(line, s)) is not None:
        return got
    xf, transit = forecast_xf(line, s), transit_days(line, s)
    return add_days(xf, transit) if xf is not None and transit is not None else None


def terms(line: Line, s: Settings) -> tuple[cx.Terms, bool]:
    """The line's terms; False when its Terms cell is not a known term (Default Terms applies)."""
    return cx.terms_of(line.terms, s.terms)


def cancel_check(line: Line, s: Settings) -> cx.CancelCheck:
    """Late for cancel or not, judged on the date the line's terms name: the one rule every report uses. Its
    ``text`` writes dates in the workbook's Date Format (the report's Cancel Check, the Issues row)."""
    sent, got = shipped(line, s), received(line, s)
    return replace(cx.judge(terms(line, s)[0], line.cancel,
                    ex_factory=None if sent is None and got is not None else forecast_xf(line, s),
                    shipped=sent is not None or got is not None, in_dc=forecast_in_dc(line, s),
                    received=received(line, s) is not None), date_format=s.date_format)


_IN_HOUSE = re.compile(r"in[\s-]?house|received|\br(?:e?c|cv)'?d\b|arrived|delivered|\bok\b|\bdone\b|complete|"
                       r"100\s*%", re.I)
_CONFIRMED = re.compile(r"confirm|booked|\bso\s*(received|issued|no)|\byes\b|\bok\b|\bcfm", re.I)
_NOT = re.compile(r"\bnot\b|\bno\b|pending|await|partial|\beta\b|\btbc\b|\bun|\bto be\b|\bwait|\bwill\b|"
                  r"request|expect|\bby\b|\bdue\b|\bplan|schedul|\bnext\b|tomorrow|on the way|in transit|"
                  r"\bgreige\b|\bdyeing\b|\bknitting\b|\bweaving\b|\bprinting\b|in process|processing|"
                  r"(?<![\d.])\d{1,2}(?:\.\d+)?\s*%|\bpart(?:ly)?\b|\bshort\b|\bbalance\b|"
                  r"\b(?:\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth)\s+(?:lot|batch|delivery|shipment)\b|"
                  r"\bfail|\breject|\bhold\b|\bre-?test|quarantin|"
                  r"tentative|provisional|\brolled\b|\brolling\b|roll[\s-]?over|cancel|\?", re.I)
"""Words that make a yes a not-yet: negated ('not received'), pending ('awaiting', 'to be confirmed',
'confirmation requested'), ahead ('expected in-house 15-Mar', 'in-house by 20/3', 'will confirm'), still in
the mill ('greige received, dyeing'), a part of it ('in-house 50%', '1st lot received', 'short received'), not
usable ('received, failed test', 'QC hold', 'rejected'), or not sure ('booked (tentative)', 'booked but rolled',
'booked?'). 'Received 100%' is in-house; any share below it is not."""
_NO_BUT_YES = re.compile(
    r"\bso\s*no\b\.?|\bno\.?\s*(?=\d)|\bno\s+(?:issues?|problems?|short(?:age)?|delay|concerns?|balance)\b|"
    r"\b\d+(?:\.\d+)?\s*%\s*(?:excess|over|extra|more)\b|\b0+(?:\.0+)?\s*%\s*(?:short(?:age)?|balance|pending)\b|"
    r"\bbal(?:ance)?\s*[:=-]?\s*(?:0+|nil|none|zero)\b(?![.,]\d)|"
    r"\b(?:balance|bal|rest)\s+(?:also\s+)?(?:booked|confirmed|received|rcvd|recd|in[\s-]?house|arrived|delivered)\b|"
    r"\bre-?test\s*(?:ok|passed|pass)\b|"
    r"\b(?:1st|first)\s*(?:(?:,|&|and|\+)\s*(?:\d+(?:st|nd|rd|th)|second|third|fourth|fifth)\s*)+"
    r"(?:lots?|batch(?:es)?|deliver(?:y|ies)|shipments?)\b|"
    r"\bby\s+(?:the\s+)?(?:buyer|customer|brand|mill|vendor|factory|supplier|forwarder|agent|carrier|liner|"
    r"shipper|consignee|merchandiser|qa|qc|us|them|courier|dhl|fed\s?ex|ups|tnt|maersk|msc|email|e-mail|mail)\b",
    re.I)
"""Words of 'not' or 'part' that say nothing is missing: a number ('SO No. 4411', 'Booking No 12'), no trouble
('no shortage', 'no balance', 'balance 0', '0% short'), more than the whole ('5% excess'), the rest done ('balance
booked'), a retest passed ('retest OK'), every lot from the first named ('1st and 2nd lot received'), and who
confirmed ('confirmed by buyer': 'by' a party is not 'by' a date)."""
_SHARES = re.compile(r"\d{1,2}(?:\.\d+)?\s*%(?:\s*(?:/|\+|&|and|,)\s*\d{1,2}(?:\.\d+)?\s*%)+", re.I)
"""Shares side by side ('Booked 50% / 50%', '60% + 40%'): the whole when they add up to 100."""


def _whole(m: re.Match[str]) -> str:
    return " 100% " if abs(sum(float(n) for n in re.findall(r"\d+(?:\.\d+)?", m[0])) - 100) < 1e-9 else m[0]


def says(text: Any, yes: re.Pattern[str]) -> bool:
    """Vendor words meaning yes ('in-house', 'confirmed'), not negated or not yet ('not received',
    'pending', 'to be confirmed', 'expected in-house 15-Mar')."""
    if is_missing(text):
        return False
    t = str(text)
    return bool(yes.search(t)) and not _NOT.search(_NO_BUT_YES.sub(" ", _SHARES.sub(_whole, t)))


def _fmt(d: date | None) -> str:
    """A date in a sentence, as the late-for-cancel one writes it: 05-Mar-27 (no locale misreads it)."""
    return cx.fmt(d)


def _n(x: int | None) -> str:
    return f"{x:,}" if x is not None else "?"


# --- the rules ------------------------------------------------------------------------------------

def revised_xf_later(inp: Inputs) -> list[Finding]:
    """The vendor's revised ex-factory is later than the planned one."""
    s, out = inp.settings, []
    for ln in inp.lines:
        revised, planned = day_of(ln.w("revised_xf")), planned_xf(ln, s)
        if revised and planned and revised > planned and not gone(ln, s):
            days = (revised - planned).days
            out.append(ln.exception(Code.XF_REVISED_LATE, Severity.WARNING,
                              f"The vendor revised ex-factory to {_fmt(revised)}, {days} day(s) after the "
                              f"planned {_fmt(planned)}."))
    return out


_SHIPPED = re.compile(r"\bshipped\b|\bon[\s-]?board\b|\bsailed\b|\bdeparted\b|\bhanded over\b|\bex-?factoried\b",
                      re.I)
"""A vendor's words that the goods have left ('Shipped 14-Apr', 'On board', 'Sailed'); negated or partial ('not
shipped', 'partly shipped', 'to be shipped') they are not (``says``)."""
_NOT_GOODS = re.compile(r"\b(?:samples?|fabrics?|trims?|yarns?|lab[\s-]?dips?|accessor(?:y|ies))\s+(?:\w+\s+)?shipped\b"
                        r"|\bshipped\s+(?:\w+\s+)?(?:samples?|fabrics?|trims?|yarns?|lab[\s-]?dips?|accessor(?:y|ies))\b",
                        re.I)
"""'Shipped' next to a sample, fabric, trims, yarn, lab dip or accessories ('PP sample shipped 05-Nov', 'Fabric
shipped from mill'): those left, not the goods."""
PASSED_ERROR_DAYS = 7
"""A vendor's Revised XF gone by more than this many days without a shipment is an error; up to it, a warning
(a report or a shipping advice may be a few days behind)."""


def revised_xf_passed(inp: Inputs) -> list[Finding]:
    """The vendor's own Revised XF has gone by (before today) and the line has neither shipped (no Actual
    ex-factory or in-DC) nor been packed in full (Packed below the order): the date the vendor gave is no
    longer a plan. The other rules judge such a line as shipping today (``forecast_xf``); this one says the
    vendor's date is spent, so the APM asks for a new one."""
    s, out = inp.settings, []
    for ln in inp.lines:
        revised = day_of(ln.w("revised_xf"))
        if revised is None or revised >= inp.today or gone(ln, s):
            continue
        if any(not is_missing(t) and says(_NOT_GOODS.sub(" ", str(t)), _SHIPPED)
               for t in (ln.w("remarks"), ln.w("booking_status"))):
            continue  # the vendor marks it shipped; the T&A's Actual is still to be typed
        qty, packed = ln.qty or ln.q("order_qty"), ln.q("packed_qty")
        if qty is not None and qty > 0 and packed is not None and packed >= qty:
            continue  # packed in full: waiting on the vessel or the paperwork, not on the factory
        days = (inp.today - revised).days
        report = day_of(ln.w("report_date"))
        on = ("" if report is None else f" (WIP report of {_fmt(report)})" if report <= revised else
              f" (still given on the WIP report of {_fmt(report)})")
        order = _n(int(qty) if qty else None)
        count = (f"packed {_n(int(packed))} of {order}" if packed is not None and packed >= 0
                 else f"no packed quantity reported (order {order})")
        severity = Severity.ERROR if days > PASSED_ERROR_DAYS else Severity.WARNING
        out.append(ln.exception(Code.XF_DATE_PASSED, severity,
                                f"PO {ln.po} {ln.style} {ln.color}: Revised XF {_fmt(revised)}{on} "
                                f"is {days} day(s) past on {_fmt(inp.today)} and the line has not shipped: "
                                f"{count}", "Ask the vendor for a new date.", joint=". "))
    return out


def vendor_date_before_forecast(inp: Inputs) -> list[Finding]:
    """The vendor's revised ex-factory is on time for cancel, but the T&A's own forecast, pushed by late
    milestones upstream (nothing cut a week before), is not. The report and the cancel check take the
    vendor's word; this names the gap, so an optimistic date does not hide the risk that matters."""
    s, out = inp.settings, []
    for ln in inp.lines:
        revised, model = day_of(ln.w("revised_xf")), ln.forecast.get(_code(s.xf_code))
        if revised is None or model is None or model <= revised or gone(ln, s):
            continue
        if cancel_check(ln, s).late:
            continue  # late for cancel already: that error says it
        transit = transit_days(ln, s)
        check = cx.judge(terms(ln, s)[0], ln.cancel, ex_factory=model, shipped=False,
                         in_dc=add_days(model, transit) if transit is not None else None,
                         received=received(ln, s) is not None)
        if check.late:
            out.append(ln.exception(Code.VENDOR_DATE_AHEAD, Severity.WARNING,
                                    f"The vendor says ex-factory {_fmt(revised)}, but the T&A forecasts "
                                    f"{_fmt(model)} from the milestones still open, and on that date "
                                    f"{check.text()[0].lower()}{check.text()[1:]}",
                                    "Ask the vendor how they will make their date (overtime, another line), or "
                                    "plan for the later one.", joint=". "))
    return out


def late_for_cancel(inp: Inputs) -> list[Finding]:
    """Forecast after the cancel date, judged on the date the order's terms name (``cancel_check``)."""
    s, out = inp.settings, []
    for ln in inp.lines:
        check = cancel_check(ln, s)
        if not check.late:
            continue
        how = ""
        if check.terms.basis is cx.Basis.IN_DC:
            how = (f" ({current_mode(ln) or 'planned mode'}: ex-factory {cx.fmt(forecast_xf(ln, s))} + "
                   f"{transit_days(ln, s)} days)")
        facts = replace(check, date_format=DEFAULT_DATE_FORMAT).text()  # a vendor's: dated by the follow-ups
        out.append(ln.exception(Code.LATE_FOR_CANCEL, Severity.ERROR,
                          f"{facts}{how}",
                          "agree a new date, faster freight or an extension with the buyer, or expect a "
                          "cancellation or chargeback. " + rc.summary(recovery_options(ln, inp))))
    return out


def recovery_options(ln: Line, inp: Inputs) -> list[rc.Option]:
    """The recovery levers of a line late for cancel (``core.recovery``); none for a line that is not."""
    s, check = inp.settings, cancel_check(ln, inp.settings)
    if not check.late or ln.cancel is None or (xf := forecast_xf(ln, s)) is None:
        return []
    packed = ln.q("packed_qty")
    packed = None if packed is None or packed < 0 else packed
    transit = transit_days(ln, s)
    late = rc.LateLine(ln.cancel, xf, s.transit_sea if transit is None else transit,
                       check.terms.basis is cx.Basis.IN_DC,
                       inp.today, None if not (qty := ln.qty or ln.q("order_qty")) or qty < 0 else int(qty),
                       None if packed is None else int(packed),
                       current_mode(ln), inp.calendar(ln.vendor), check.terms.label, shipped(ln, s))
    return rc.options(late, replace(inp.rates, transit_air=s.transit_air, ship_tolerance_pct=s.ship_tolerance_pct))


def in_dc_late(inp: Inputs) -> list[Finding]:
    """Forecast ex-factory + transit (by ship mode) lands after the in-DC date: the DC plans labour and
    floor-set around it. Whether that misses the cancel date is ``late_for_cancel``'s (it depends on the
    terms: under FOB a late arrival is not late for cancel)."""
    s, out = inp.settings, []
    for ln in inp.lines:
        if received(ln, s):
            continue
        xf, transit, arrive = forecast_xf(ln, s), transit_days(ln, s), forecast_in_dc(ln, s)
        if arrive is None or ln.in_dc is None or arrive <= ln.in_dc:
            continue
        mode = current_mode(ln) or "the planned mode"
        out.append(ln.exception(Code.IN_DC_LATE, Severity.WARNING,
                          f"Forecast in DC {_fmt(arrive)} ({mode}, ex-factory {_fmt(xf)} + {transit} "
                          f"days) is {(arrive - ln.in_dc).days} day(s) after the in-DC date "
                          f"{_fmt(ln.in_dc)}."))
    return out


def ship_window_missed(inp: Inputs) -> list[Finding]:
    """The cancel date has passed and the line has not shipped (FOB) / reached the DC (DDP), or it did so
    after the cancel date: the date judged is the one the order's terms name, as in ``late_for_cancel``."""
    s, out = inp.settings, []
    for ln in inp.lines:
        if not ln.cancel:
            continue
        t = terms(ln, s)[0]
        delivered = t.basis is cx.Basis.IN_DC
        done = received(ln, s) if delivered else shipped(ln, s)
        if done is None and received(ln, s) is not None:
            continue  # FOB, in the DC: it shipped on a day nobody typed on the T&A
        if done is None and inp.today > ln.cancel:
            out.append(ln.exception(Code.SHIP_WINDOW_MISSED, Severity.ERROR,
                              f"The cancel date {_fmt(ln.cancel)} has passed and the line has not "
                              f"{'reached the DC' if delivered else 'shipped'} ({t.label})",
                              "agree a new date or a cancellation with the buyer."))
        elif done is not None and done > ln.cancel:
            out.append(ln.exception(Code.SHIP_WINDOW_MISSED, Severity.ERROR,
                              f"{'Received in DC' if delivered else 'Shipped'} {_fmt(done)}, "
                              f"{(done - ln.cancel).days} day(s) after the cancel date {_fmt(ln.cancel)} "
                              f"({t.label})", "expect a chargeback."))
    return out


def expected_pct(on: date, start: date | None, end: date | None) -> float | None:
    """Share of a stage the plan expects done by ``on``, growing evenly from ``start`` to ``end``."""
    if start is None or end is None:
        return None
    if end <= start:
        return 100.0 if on >= end else 0.0
    return max(0.0, min(100.0, (on - start).days / (end - start).days * 100))


def _mid(a: date | None, b: date | None) -> date | None:
    return a + (b - a) / 2 if a and b else None


def production_behind(inp: Inputs) -> list[Finding]:
    """Cut, sewn or packed % on the vendor's latest report is behind what the T&A plan expects by the report
    date, by more than Production Behind Points. The plan: cutting runs from the cutting milestone to
    half-way to packing complete; sewing from sewing start to packing complete; packing over the second
    half of sewing."""
    s, out = inp.settings, []
    for ln in inp.lines:
        qty = ln.qty or ln.q("order_qty")
        report = day_of(ln.w("report_date"))
        if not ln.wip or not qty or qty < 0 or report is None or gone(ln, s):
            continue
        cut, sew, pack = (ln.planned.get(_code(c)) for c in (s.cut_code, s.sew_code, s.pack_code))
        stages = (("cut", "Cut", "cut_qty", cut, _mid(cut, pack)),
                  ("sewn", "Sewn", "sewn_qty", sew, pack),
                  ("packed", "Packed", "packed_qty", _mid(sew, pack), pack))
        worst = None
        for _name, label, f, start, end in stages:
            done, want = ln.q(f), expected_pct(report, start, end)
            if done is None or done < 0 or want is None:  # below zero: wip_qty_inconsistent says so
                continue
            have = done / qty * 100
            gap = want - have
            if gap > s.behind_points and (worst is None or gap > worst[0]):
                worst = (gap, label, done, have, want)
        if worst:
            _, label, done, have, want = worst
            out.append(ln.exception(Code.PRODUCTION_BEHIND, Severity.WARNING,
                              f"{label} {_n(int(done))} of {_n(int(qty))} ({have:.0f}%) on the "
                              f"{_fmt(report)} report; the plan expects about {want:.0f}% by then "
                              f"(cutting {_fmt(cut)}, sewing {_fmt(sew)}, packing complete {_fmt(pack)})."))
    return out


def fabric_not_in_house(inp: Inputs) -> list[Finding]:
    """The cutting milestone has come and the bulk fabric is not in-house (no Actual on the fabric milestone,
    the vendor's fabric status does not say in-house, nothing cut yet)."""
    s, out = inp.settings, []
    for ln in inp.lines:
        cut = ln.planned.get(_code(s.cut_code))
        if cut is None or inp.today < cut or gone(ln, s) or ln.actual.get(_code(s.fabric_code)):
            continue
        if says(ln.w("fabric_status"), _IN_HOUSE) or (ln.q("cut_qty") or 0) > 0:
            continue
        status = ln.w("fabric_status")
        report = day_of(ln.w("report_date"))
        why = (f" (vendor: '{status}')" if status else
               " (no fabric date, no WIP report)" if not ln.wip else
               f" (no fabric date; the vendor's WIP report{f' of {_fmt(report)}' if report else ''} gives no "
               "fabric status)")
        out.append(ln.exception(Code.FABRIC_NOT_IN_HOUSE, Severity.ERROR,
                          f"Cutting was planned for {_fmt(cut)} and the bulk fabric is not in-house{why}",
                          "ask the mill for a delivery date."))
    return out


def booking_not_confirmed(inp: Inputs) -> list[Finding]:
    """Ex-factory is Booking Confirm Days working days away or less (factory calendar) and the forwarder
    booking is not confirmed (no Actual on the booking milestone, the WIP booking status does not say so)."""
    s, out = inp.settings, []
    for ln in inp.lines:
        xf = forecast_xf(ln, s)
        if xf is None or gone(ln, s) or ln.actual.get(_code(s.booking_code)):
            continue
        if says(ln.w("booking_status"), _CONFIRMED):
            continue
        cal = inp.calendar(ln.vendor)
        start = inp.today + timedelta(days=1)
        left = 0 if xf < start else (cal.networkdays(start, xf) if cal else
                                     len(pd.bdate_range(start, xf)))
        if left <= s.booking_confirm_days:
            status = ln.w("booking_status")
            out.append(ln.exception(Code.BOOKING_NOT_CONFIRMED, Severity.WARNING,
                              f"Ex-factory {_fmt(xf)} is {left} working day(s) away and the forwarder booking "
                              f"is not confirmed" + (f" (vendor: '{status}')" if status else "") + "."))
    return out


def ship_mode_changed(inp: Inputs) -> list[Finding]:
    """The vendor reports a ship mode other than the order's; sea to air is a cost, and so is a part of a
    sea order flown ('Sea (partial air)', a split shipment). A mode only ruled out ('Not air') is a change
    only when it rules out the order's own mode."""
    out = []
    for ln in inp.lines:
        written = ln.w("ship_mode")
        planned, now = ship_mode(ln.ship_mode), ship_mode(written)
        if not planned or not now:
            continue
        if planned == "Sea-Air" and part_by_air(written):
            continue  # a Sea-Air order is planned to fly a part: a part flown is what was ordered
        part_air = planned != "Air" and now != "Air" and part_by_air(written)
        unsaid = ruled_out(written)
        only_not_another = now not in _MODES and unsaid and planned not in unsaid  # 'Not air' on a Sea order
        if not part_air and (planned.lower() == now.lower() or only_not_another):
            continue
        if now not in _MODES and planned in unsaid:  # 'Not air' on an Air order: what it rules out, not a mode
            out.append(ln.exception(Code.SHIP_MODE_CHANGED, Severity.WARNING,
                              f"Ship mode: the order is {planned} and the vendor writes '{written}' (not by "
                              f"{planned.lower()}), which names no mode", "ask the vendor how the goods will ship."))
            continue
        to_air = part_air or (now == "Air" and planned != "Air")
        what = f"{now} with part by air (vendor: '{written}')" if part_air else now
        said = (f"Ship mode: this {planned} order ships with part by air (vendor: '{written}')"
                if part_air and now == planned else f"Ship mode changed from {planned} to {what}")
        out.append(ln.exception(Code.SHIP_MODE_CHANGED, Severity.ERROR if to_air else Severity.WARNING,
                          said + ("" if to_air else "."),
                          "air freight is a cost; agree who pays before it ships." if to_air else ""))
    return out


_MODES = frozenset({"Sea", "Air", "Sea-Air", "Road"})


def part_by_air(text: Any) -> bool:
    """A vendor's ship mode that flies a part of the goods: 'Sea (partial air)', 'Sea, balance by air'."""
    return type(text) is str and ship_mode(text) != "Air" and _PART_AIR.search(text) is not None


def ruled_out(text: Any) -> set[str]:
    """The modes a vendor's ship mode only rules out: 'Not air' -> {'Air'}; 'Sea, not air' -> {'Air'}."""
    if type(text) is not str:
        return set()
    return {m for neg in _MODE_NOT.finditer(text.lower()) if (m := ship_mode(neg[1])) in _MODES}


def ship_qty_off(inp: Inputs) -> list[Finding]:
    """Once shipped (or packing complete), the packed quantity is short or over the order by more than
    Ship Tolerance %. A report from before packing finished is not judged: its count is still growing."""
    s, out = inp.settings, []
    for ln in inp.lines:
        packed = ln.q("packed_qty")
        if packed is None or packed < 0 or not ln.qty or ln.qty < 0:
            continue
        finished = [d for d in (shipped(ln, s), received(ln, s), ln.actual.get(_code(s.pack_code))) if d]
        if not finished:
            continue
        report = day_of(ln.w("report_date"))
        if report is not None and report < min(finished):
            continue  # the report was written before packing finished: its count is not the final one
        diff = int(packed) - ln.qty
        if abs(diff) * 100 > ln.qty * s.ship_tolerance_pct:
            word = "short" if diff < 0 else "over"
            out.append(ln.exception(Code.SHIP_QTY_OFF, Severity.WARNING,
                              f"Packed {_n(int(packed))} against an order of {_n(ln.qty)}: {abs(diff):,} "
                              f"{word} ({abs(diff) / ln.qty * 100:.1f}%, tolerance {s.ship_tolerance_pct:g}%)."))
    return out


NAMED_LINES = 3
"""How many PO lines a vendor's 'WIP report stale' names before 'and N more'."""


def wip_stale(inp: Inputs) -> list[Finding]:
    """A vendor with PO lines in production has sent no WIP report for more than WIP Stale Days (in a tracker that
    keeps WIP reports at all): a line is in production once its cutting is within ``IN_PRODUCTION_DAYS``. The
    Detail names the lines, so the APM sees which POs to ask about."""
    if not inp.wip_kept:
        return []
    s, out = inp.settings, []
    last: dict[str, date] = {}
    for v, d in zip(inp.wip.get("vendor", []), inp.wip.get("report_date", [])):
        d = day_of(d)
        if not is_missing(v) and d:
            key = str(v).strip().upper()
            last[key] = max(d, last.get(key, d))
    horizon = inp.today + timedelta(days=IN_PRODUCTION_DAYS)
    active: dict[str, list[Line]] = {}
    for ln in inp.lines:
        cut = ln.planned.get(_code(s.cut_code))
        if not ln.vendor or gone(ln, s):
            continue
        if cut is not None and cut <= horizon:
            active.setdefault(ln.vendor, []).append(ln)
    for vendor, lines in sorted(active.items()):
        seen, n, named = last.get(vendor.upper()), len(lines), _named_lines(lines)
        if seen is None:
            facts, advice = f"No WIP report received yet for {n} PO line(s) in production: {named}.", ""
        elif (inp.today - seen).days > s.wip_stale_days:
            facts = (f"The last WIP report is of {_fmt(seen)}, {(inp.today - seen).days} days ago "
                     f"({n} PO line(s) in production: {named})")
            advice = "ask for this week's report."
        else:
            continue
        out.append(exception(Code.WIP_STALE, Severity.WARNING, facts, Subject(vendor=vendor), advice))
    return out


def _named_lines(lines: Sequence[Line]) -> str:
    """'PO 4500012847 SS27-DN-1001 Black Rinse, PO ... and 4 more': the first few by PO, then how many more."""
    names = sorted(f"PO {ln.po} {ln.style} {ln.color}".strip() for ln in lines)
    more = len(names) - NAMED_LINES
    return ", ".join(names[:NAMED_LINES]) + (f" and {more} more" if more > 0 else "")


def wip_qty_inconsistent(inp: Inputs) -> list[Finding]:
    """The vendor's quantities do not add up: packed > sewn, sewn > cut, cut over the order + Ship Tolerance %,
    or the vendor's order quantity differs from the PO."""
    s, out = inp.settings, []
    for ln in inp.lines:
        if not ln.wip:
            continue
        cut, sewn, packed, theirs = (ln.q(f) for f in ("cut_qty", "sewn_qty", "packed_qty", "order_qty"))
        why = [f"{label} {_n(int(v))} is below zero" for label, v in (
            ("the vendor's order qty", theirs), ("cut", cut), ("sewn", sewn), ("packed", packed))
            if v is not None and v < 0]
        cut, sewn, packed = (None if v is None or v < 0 else v for v in (cut, sewn, packed))
        if theirs is not None and theirs >= 0 and ln.qty is not None and int(theirs) != ln.qty:
            why.append(f"the vendor's order qty {_n(int(theirs))} is not the PO's {_n(ln.qty)}")
        if packed is not None and sewn is not None and packed > sewn:
            why.append(f"packed {_n(int(packed))} is more than sewn {_n(int(sewn))}")
        if sewn is not None and cut is not None and sewn > cut:
            why.append(f"sewn {_n(int(sewn))} is more than cut {_n(int(cut))}")
        if cut is not None and ln.qty and ln.qty > 0 and cut * 100 > ln.qty * (100 + s.ship_tolerance_pct):
            why.append(f"cut {_n(int(cut))} is more than the order {_n(ln.qty)} + "
                       f"{s.ship_tolerance_pct:g}%")
        if why:
            out.append(ln.exception(Code.WIP_QTY_INCONSISTENT, Severity.WARNING,
                              "Quantities do not add up: " + "; ".join(why), "Ask the vendor to check.",
                              joint=". "))
    return out


def cancelled_line_in_production(inp: Inputs) -> list[Finding]:
    """A vendor's newest WIP report still shows a cancelled line (or one of a dropped style) moving: cut,
    sewn or packed, or a revised ex-factory. The factory may be making goods nobody will buy: a warning
    naming the line, the vendor and the report, so the APM confirms production stopped."""
    out = []
    for ln in inp.stopped:
        moving = [f"{label} {_n(int(q))}" for label, f in (("cut", "cut_qty"), ("sewn", "sewn_qty"),
                                                           ("packed", "packed_qty"))
                  if (q := ln.q(f)) is not None and q > 0]
        revised = day_of(ln.w("revised_xf"))
        if revised is not None:
            moving.append(f"revised ex-factory {_fmt(revised)}")
        if not moving:
            continue
        vendor = ln.vendor or ln.w("vendor") or "the vendor"
        report, source = day_of(ln.w("report_date")), ln.w("source_file")
        of = (f" of {_fmt(report)}" if report else "") + (f" ('{source}')" if source else "")
        out.append(ln.exception(Code.CANCELLED_LINE_IN_WIP, Severity.WARNING,
                                f"PO {ln.po} {ln.style} {ln.color}: {ln.stopped}, but "
                                f"{vendor}'s WIP report{of} still shows it in production: {', '.join(moving)}",
                                f"Confirm with {vendor} that production stopped, and agree with the buyer "
                                "who takes the goods already made.", joint=". "))
    return out


Rule = Callable[[Inputs], list[Finding]]
RULES: tuple[Rule, ...] = (revised_xf_later, revised_xf_passed, late_for_cancel, vendor_date_before_forecast,
                           in_dc_late,
                           ship_window_missed, production_behind, fabric_not_in_house, booking_not_confirmed,
                           ship_mode_changed, ship_qty_off, wip_stale, wip_qty_inconsistent)
RULE_NAMES: dict[Code, str] = {
    Code.XF_REVISED_LATE: "Ex-factory revised later", Code.XF_DATE_PASSED: "Vendor's ex-factory date passed",
    Code.LATE_FOR_CANCEL: "Late for cancel",
    Code.VENDOR_DATE_AHEAD: "Vendor date before T&A forecast",
    Code.IN_DC_LATE: "In-DC late",
    Code.SHIP_WINDOW_MISSED: "Ship window missed", Code.PRODUCTION_BEHIND: "Production behind plan",
    Code.FABRIC_NOT_IN_HOUSE: "Fabric not in-house", Code.BOOKING_NOT_CONFIRMED: "Booking not confirmed",
    Code.SHIP_MODE_CHANGED: "Ship mode changed", Code.SHIP_QTY_OFF: "Short / over shipment",
    Code.WIP_STALE: "WIP report stale", Code.WIP_QTY_INCONSISTENT: "WIP quantities do not add up",
}


STOPPED_RULES: tuple[Rule, ...] = (cancelled_line_in_production,)
"""Rules over the lines no longer wanted (``Inputs.stopped``); ``RULES`` see only the live ones."""
STOPPED_RULE_NAMES: dict[Code, str] = {Code.CANCELLED_LINE_IN_WIP: "Cancelled line still in production"}
ALL_RULE_NAMES: dict[Code, str] = {**RULE_NAMES, **STOPPED_RULE_NAMES}
"""Every rule's name as the APM reads it (the Exceptions sheet, the scorecard, the roll-up)."""


def rule_name(value: Any) -> str:
    """A Rule cell of the Exceptions sheet as the APM reads it: a rule prodbook knows by its name, any other
    text as typed (a row the APM added), "" for a blank."""
    rule = text_or_empty(value)
    if rule not in _CODES:
        return rule
    return ALL_RULE_NAMES.get(Code(rule), rule)


_CODES = frozenset(Code)


def cancel_findings(lines: Sequence[Line], s: Settings, *, file: str, sheet: str = "Orders",
                    cancel_header: str = "Cancel Date", terms_header: str = "Terms") -> list[Finding]:
    """Issues rows: each PO line late for cancel (at its Cancel Date cell, naming the judged date), and
    each Terms cell that is not a known term. The same ``cancel_check`` as the Exceptions rule."""
    out = []
    for ln in lines:
        key = f"{ln.po} / {ln.style} / {ln.color}"
        t, known = terms(ln, s)
        if not known:
            out.append(warning(Code.TERMS_UNKNOWN, f"PO {ln.po} {ln.style} {ln.color}: Terms '{ln.terms}' is not "
                               f"a term prodbook knows, so its cancel date is judged as {t.label} (on "
                               f"{t.basis}). Type an Incoterm: FOB, FCA, CIF... (judged on ex-factory) or DDP, "
                               "DAP, Landed (judged on in-DC)", file=file, sheet=sheet, row=ln.row,
                               column=terms_header, value=ln.terms, key=key))
        check = cancel_check(ln, s)
        if check.late:
            out.append(error(Code.LATE_FOR_CANCEL, f"PO {ln.po} {ln.style} {ln.color}: {check.text()}; agree a "
                             "new date, faster freight or an extension with the buyer",
                             file=file, sheet=sheet, row=ln.row, column=cancel_header,
                             value=ln.cancel.isoformat() if ln.cancel else None, key=key))
    return out


def evaluate(inp: Inputs, rules: Sequence[Rule] = (*RULES, *STOPPED_RULES)) -> list[Finding]:
    """Every rule over the inputs, in rule order; each Detail's dates in the workbook's Date Format (the
    rules write 05-Mar-27; ``Found.facts`` keeps that, the follow-ups show it in the vendor's format)."""
    found = [h for rule in rules for h in rule(inp)]
    code = inp.settings.date_format
    if code == DEFAULT_DATE_FORMAT:
        return found
    return [replace(h, message=with_date_text(h.message, code)) for h in found]


# --- the Exceptions sheet ---------------------------------------------------------------------------

EXCEPTION_FIELDS = ("id", "detected", "po", "style", "color", "vendor", "rule", "severity", "detail",
                    "status", "owner", "resolution")
_ID = re.compile(r"(\d+)\s*$")
FACTS = "_facts"
"""A column of ``merge``'s frame, not of the sheet (the writer writes ``EXCEPTION_FIELDS`` alone): each row's
facts as the rule that found it in this run gave them (``Found.facts``), for the follow-ups to tell the
vendor; None for a row no rule found in this run (one the APM added, one resolved by data)."""


_CLOSED = re.compile(r"\s*(" + "|".join(sorted(map(re.escape, CLOSED_WORDS), key=len, reverse=True))
                     + r")(?=$|[\s.,;:!()\[\]\-–—])", re.I)
"""A Status that starts with a closing word, alone or followed by the APM's note: 'Closed', 'Closed - vendor
pays air', 'Resolved: buyer agreed 5-Jun', 'Done.' ('Not closed', 'Closedown?' are not)."""


def is_closed(status: Any) -> bool:
    """The exception is closed: by the APM (Status Closed, Resolved, Done, Cancelled..., with or without a
    note after it) or by prodbook (Resolved by data)."""
    return not is_missing(status) and _CLOSED.match(str(status)) is not None


def is_open(status: Any) -> bool:
    """The exception is open: its Status is anything but a closing word (``is_closed``). A blank Status is
    open: a row the APM typed by hand is an open exception from the moment it is typed, for the follow-ups,
    the report and the counts, before the next run fills in 'Open' (``merge``)."""
    return not is_closed(status)


_CONTENT = ("po", "style", "color", "rule", "detail")
"""What says which exception a row is: a row the APM typed with none of these (a Status, an Owner alone) is
not one yet."""


def awaits_id(rec: Mapping[Any, Any]) -> bool:
    """A row the APM added to the Exceptions sheet, ID left blank, saying what it is about or what is wrong (a
    PO #, Style #, Color, Rule or Detail): the next run gives it an ID. A blank row is not an exception."""
    return not text_or_empty(rec.get("id")) and any(text_or_empty(rec.get(f)) for f in _CONTENT)


def known_rule(value: Any) -> bool:
    """A Rule cell holding the code of one of prodbook's rules (any case): the rules find and resolve its
    exception. Any other text is the APM's own exception, theirs to close."""
    return text_or_empty(value).lower() in _CODES


def highest_id(frame: pd.DataFrame) -> int:
    """The highest number of an ID on the sheet ('EX-0042' -> 42), 0 with none."""
    ids = frame["id"].tolist() if "id" in frame.columns else []
    return max((int(m[1]) for v in ids if not is_missing(v) and (m := _ID.search(str(v)))), default=0)


def merge(old: pd.DataFrame, found: Iterable[Finding], today: date, *, prefix: str = "EX-",
          stopped: Mapping[str, str] | None = None, issued: int = 0) -> tuple[pd.DataFrame, list[int | None]]:
    """The Exceptions sheet after this run, in sheet order, and the old Excel row of each (None: new); the
    frame also holds each row's facts (``FACTS``), never written to the sheet.

    Found again: same ID, Detected, Owner, Status and Resolution (an exception prodbook had resolved by data
    is reopened). New: next ID, detected today, Open. Not found any more: Resolved by data, with the date
    in Resolution unless the user wrote one; never deleted. ``stopped`` (``line_key`` -> why the line is no
    longer wanted): the Resolution of its exceptions says why, so the APM sees they closed with the line.
    ``issued``: the highest ID number ever given in this workbook (kept beside the sheet): a row the APM
    deleted does not give its ID to the next new exception, which e-mails and the Change Log would confuse.
    A row the APM added without an ID (``awaits_id``) gets the next one (and today as Detected and 'Open' as
    Status, each when blank: a Status they typed stays) and keeps the rest as typed; under a Rule of their
    own, no rule of prodbook's finds or resolves it.
    Under a rule's code it is that rule's exception (no second row when the rule finds it), resolved by data
    from the next run on, not the run that reads it first.
    """
    rows: list[dict[str, Any]] = []
    source: list[int | None] = []
    for r in old.to_dict("records"):
        rows.append({f: (None if is_missing(r.get(f)) else r.get(f)) for f in EXCEPTION_FIELDS} | {FACTS: None})
        source.append(int(r["_row"]) if not is_missing(r.get("_row")) else None)
    numbers = [int(m[1]) for r in rows if r["id"] and (m := _ID.search(str(r["id"])))]
    next_id = max([*numbers, issued]) + 1
    numbered: set[int] = set()
    for at, rec in enumerate(rows):  # a row the APM added: its ID now, in sheet order, before this run's new ones
        if awaits_id(rec):
            rec["id"] = f"{prefix}{next_id:04d}"
            rec["detected"] = rec["detected"] or today  # its age counts from the day the sheet first showed it
            if not text_or_empty(rec["status"]):  # open, as a filter on Status = Open shows it (``is_open``)
                rec["status"] = OPEN
            next_id += 1
            numbered.add(at)
    by_identity: dict[tuple[str, str], int] = {}
    for at, rec in enumerate(rows):
        if rec["id"] and rec["rule"]:
            by_identity.setdefault(identity(rec["rule"], rec["po"], rec["style"], rec["color"], rec["vendor"]), at)
    seen: set[int] = set()
    for f in found:
        s, key = f.subject or Subject(), identity_of(f)
        i = by_identity.get(key)
        if i is not None and i not in seen:
            seen.add(i)
            rec = rows[i]
            rec.update(severity=str(f.severity), detail=f.message, vendor=s.vendor or rec["vendor"])
            rec[FACTS] = facts_of(f)
            if rec["status"] == RESOLVED_BY_DATA:
                rec["status"] = OPEN
                if str(rec["resolution"] or "").startswith(RESOLVED_NOTE):
                    rec["resolution"] = None
            continue
        if i is not None:
            continue  # the same exception twice in one run
        rec = {"id": f"{prefix}{next_id:04d}", "detected": today, "po": s.po, "style": s.style,
               "color": s.color, "vendor": s.vendor, "rule": str(f.code), "severity": str(f.severity),
               "detail": f.message, "status": OPEN, "owner": None, "resolution": None, FACTS: facts_of(f)}
        next_id += 1
        by_identity[key] = len(rows)
        seen.add(len(rows))
        rows.append(rec)
        source.append(None)
    for i, rec in enumerate(rows):
        if i in seen or i in numbered or not rec["id"] or not known_rule(rec["rule"]) or is_closed(rec["status"]):
            continue  # found again, closed, just typed in, or the APM's own (their Rule): not resolved by data
        rec["status"] = RESOLVED_BY_DATA
        if not rec["resolution"]:
            why = stopped.get(line_key(rec["po"], rec["style"], rec["color"])) if stopped and rec["po"] else None
            rec["resolution"] = f"{RESOLVED_NOTE} {today.isoformat()}" + (f": {why}" if why else "")
    return pd.DataFrame(rows, columns=[*EXCEPTION_FIELDS, FACTS]), source


def open_exceptions(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of the Exceptions sheet still open (not closed by the user or resolved by data)."""
    if frame.empty:
        return frame
    return frame[frame["status"].map(is_open)]
