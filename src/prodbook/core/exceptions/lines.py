"""The PO lines as the exception rules see them, and the judgements the rules share.

``Settings`` (the Config sheet's), ``Line`` (one PO line: the order, its key T&A milestones, its newest
vendor WIP report) and ``Inputs`` (every line, with the run's today, calendars and rates), built by
``build_lines``; ``exception`` (a ``Found``: the facts apart from the APM's advice) and ``identity`` (which
exception a row of the Exceptions sheet is). Then what every rule family asks of a line: shipped, gone, the
forecast ex-factory and in-DC, the transit for its ship mode (``transit_days``), its terms and the one late
for cancel judgement (``cancel_check``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from functools import lru_cache
from typing import Any, cast

import numpy as np
import pandas as pd

from prodbook.core import cancel as cx
from prodbook.core import recovery as rc
from prodbook.core.calendar import FactoryCalendar, add_days
from prodbook.core.cells import CellError, day_of, is_missing, setting_number
from prodbook.core.config import Config, within_days
from prodbook.core.exceptions.words import ship_mode
from prodbook.core.findings import Code, Finding, Severity, Subject, warning
from prodbook.core.keys import fold_code, fold_ref, fold_text, line_key, style_vendors
from prodbook.core.looks import DEFAULT_DATE_FORMAT
from prodbook.core.ta import stop_reasons
from prodbook.core.where import cells, row_dicts
from prodbook.core.wip import latest_reports


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


def _fmt(d: date | None) -> str:
    """A date in a sentence, as the late-for-cancel one writes it: 05-Mar-27 (no locale misreads it)."""
    return cx.fmt(d)


def _n(x: int | None) -> str:
    return f"{x:,}" if x is not None else "?"
