"""Vendor scorecards: how each vendor (and factory) performed, measured from the tracker's own history.

Pure functions over plain DataFrames (the tracker's sheets as fields: Orders,
T&A, Lab Dips, Samples, Vendor WIP, Exceptions, Styles, Vendors) and the
settings, so the same computation runs on one tracker or on the season's
combined tables (``prodbook.store``). No workbook, no clock.

Every figure is computed from the drill-down table (``Scorecard.detail``):
one row per PO line, lab-dip colour, resubmission, sample, WIP report period
or exception behind it, so each number can be traced. An event counts when
it falls in the period: from ``since`` (default: the whole tracker, the
season) to ``today``, both included.

The measures:

* **On-time delivery** (FOB lines on ex-factory, DDP lines on arrival at the DC): PO lines delivered in the
  period, judged on the date the order's terms make the vendor's promise (as the cancel date is,
  ``core.cancel``): under FOB and the other origin terms the Actual of the
  ex-factory milestone against the planned ex-factory (the order's Ex-Factory,
  else the T&A Planned); under DDP and the other delivered terms the Actual of
  the in-DC milestone against the planned in-DC (the order's In-DC, else the
  T&A Planned): a DDP line that left the factory but is not in the DC is not
  judged yet. On time when Actual <= planned + 'On-Time Tolerance Days'.
  Average and worst days late: over the late ones, days after the planned date.
* **Lab dips**: colours approved in the period. Rounds to approval: the rounds
  submitted up to the approved one, a cancelled round not counted (it was not
  the mill's attempt at the shade). Right first time: approved on the first
  counted round. Days with the mill: from a decision that asks for a new round
  (rejected or cancelled) to the next round's submission, per resubmission.
* **Fit / PP samples on time**: fit and PP samples due in the period; on time
  when shipped on or before Due (one not shipped by today is late).
* **WIP report punctuality**: the period, counted back from today in blocks of
  'WIP Stale Days'. A block is expected for a vendor that has a PO line in
  production on its last day (cutting planned within 30 days, not shipped),
  and received when a report of that vendor is dated in it. Received / expected.
* **Exceptions per 100 PO lines**: exceptions detected in the period (open or
  resolved), by rule, per 100 of the vendor's PO lines. Not counted: one
  withdrawn (Status Cancelled, N/A, Void: raised in error), one on a PO line
  not counted (cancelled on Orders, ``History.stopped``), one detected after the
  period. An open one whose Detected is blank or not a date is open today: it
  counts as detected on ``today``, as the next exceptions run dates a typed row
  (``exceptions.merge``); a closed one without a date cannot be placed and is
  not counted (``exception_date_findings`` names both). One detected before
  the period and still open is not counted again (the period it was detected
  in counted it) but shown: 'Still open from before the period'.
* **Quantity accuracy**: PO lines shipped in the period whose newest WIP report
  is dated on or after packing complete (or ex-factory; an earlier count is
  still growing, as the short / over shipment rule says): within 'Ship
  Tolerance %' of the order, and packed units / ordered units overall.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, cast

import pandas as pd

from prodbook.core import cancel as cx
from prodbook.core.cells import day_of
from prodbook.core.development.labdips import decision_kind, rounds
from prodbook.core.development.samples import CLOSED, SampleSettings, is_fit, sample_kind, ta_due, type_codes
from prodbook.core.findings import Code, Finding, warning
from prodbook.core.keys import fold_code, fold_ref, fold_text, line_key, once_each

IN_PRODUCTION_DAYS = 30
"""A vendor is expected to report WIP for PO lines whose cutting is planned within this many days (as the
WIP-stale exception rule)."""


class Measure:
    """The drill-down's measure names (the Measure column)."""

    XF = "On-time delivery"
    """FOB lines on ex-factory, DDP lines on arrival at the DC (the Item says which: 'XF (FOB)', 'IDC (DDP)')."""
    DIP = "Lab dip approval"
    MILL = "Lab dip resubmission"
    SAMPLE = "Fit / PP sample"
    WIP = "WIP report"
    EXCEPTION = "Exception"
    STILL_OPEN = "Exception still open"
    """Detected before the period, open still: shown, not in the period's rate."""
    QTY = "Quantity packed"


MEASURES = (Measure.XF, Measure.DIP, Measure.MILL, Measure.SAMPLE, Measure.WIP, Measure.EXCEPTION,
            Measure.STILL_OPEN, Measure.QTY)


@dataclass(frozen=True)
class ScoreSettings:
    """The Config settings the scorecard reads."""

    on_time_tolerance_days: int = 0
    wip_stale_days: int = 10
    ship_tolerance_pct: float = 3.0
    xf_code: str = "XF"
    cut_code: str = "CUT"
    pack_code: str = "PCK"
    in_dc_code: str = "IDC"
    default_terms: str = cx.DEFAULT_TERMS
    """Terms of an order whose Terms cell is blank (Config 'Default Terms')."""

    @property
    def terms(self) -> cx.Terms:
        return cx.read_terms(self.default_terms) or cx.Terms(cx.DEFAULT_TERMS, cx.Basis.EX_FACTORY)


@dataclass(frozen=True)
class History:
    """The tracker's sheets as DataFrames of fields (``core.model.sheets``); any may be empty."""

    orders: pd.DataFrame
    ta: pd.DataFrame = field(default_factory=pd.DataFrame)
    lab_dips: pd.DataFrame = field(default_factory=pd.DataFrame)
    samples: pd.DataFrame = field(default_factory=pd.DataFrame)
    wip: pd.DataFrame = field(default_factory=pd.DataFrame)
    exceptions: pd.DataFrame = field(default_factory=pd.DataFrame)
    styles: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Style -> Vendor, Factory (the PO line's vendor, as the exception rules take it)."""
    vendors: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Vendor codes and names: a vendor with no PO line still gets its row."""
    stopped: frozenset[str] = frozenset()
    """PO lines (``line_keys``) left out of ``orders`` as no longer the vendor's to make (cancelled on Orders,
    their style dropped): their exceptions are not counted either."""


@dataclass(frozen=True)
class Scorecard:
    table: pd.DataFrame
    """One row per vendor, then one per factory of a vendor with several (``TABLE_FIELDS``)."""
    by_rule: pd.DataFrame
    """Exceptions per vendor and rule: vendor, rule, exceptions, per_100."""
    detail: pd.DataFrame
    """The drill-down: one row per thing counted (``DETAIL_FIELDS``)."""
    since: date | None
    today: date


TABLE_FIELDS = ("vendor", "name", "factory", "po_lines", "shipped", "on_time_pct", "avg_days_late",
                "worst_days_late", "dip_colours", "dip_rounds", "dip_rft_pct", "mill_days", "samples",
                "samples_on_time_pct", "wip_expected", "wip_received", "wip_punctuality_pct", "exceptions",
                "exceptions_per_100", "exceptions_open_before", "qty_lines", "qty_accuracy_pct",
                "packed_vs_ordered_pct")
DETAIL_FIELDS = ("measure", "vendor", "factory", "ref", "item", "planned", "actual", "days", "qty", "value",
                 "result", "ok")


# --- small readers -----------------------------------------------------------------------------

def _na(v: Any) -> bool:
    return v is None or v is pd.NaT or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _fold(v: Any) -> str:
    """A vendor code, or a lab dip's style and colour, as the rest of prodbook matches them (``keys.fold_text``:
    case, outer spaces and what the eye cannot see ignored)."""
    return "" if _na(v) else fold_text(v)


def _text(v: Any) -> str | None:
    return None if _na(v) or not str(v).strip() else str(v).strip()


def _rows(frame: pd.DataFrame, cols: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """The frame's rows as dicts, of ``cols`` only when given (a T&A has tens of thousands of rows)."""
    if frame is None or not len(frame):
        return []
    if cols is not None:
        frame = frame[[c for c in cols if c in frame.columns]]
    return cast(list[dict[str, Any]], frame.to_dict("records"))


def _folded(frame: pd.DataFrame, col: str) -> pd.Series:
    """The T&A's milestone codes as ``keys.fold_code`` folds them (one rule for codes), worked out once per
    distinct code: a T&A has tens of thousands of rows and a few dozen codes."""
    if col not in frame.columns:
        return pd.Series([""] * len(frame), index=frame.index, dtype="string")
    values = frame[col]
    return values.map({v: fold_code(v) for v in values.unique()}).astype("string")


def _col(r: Mapping[str, Any], f: str) -> Any:
    v = r.get(f)
    return None if _na(v) else v


_LINE_FOLDS = (("po", fold_ref), ("style", fold_ref), ("color", fold_text))
"""How a PO line's key folds each part, as the exception rules match Orders, T&A and Vendor WIP (``keys.line_key``:
the vendor's 'PO# 0045-001' is the tracker's '45001')."""


def _style(v: Any) -> str:
    """A style as the Styles sheet is looked up (``keys.style_vendors``)."""
    return "" if _na(v) else fold_ref(v)


def _line(r: Mapping[str, Any]) -> str:
    return line_key(*("" if _na(v := r.get(f)) else v for f, _ in _LINE_FOLDS))


def _line_keys(frame: pd.DataFrame) -> list[str]:
    """``_line`` of every row, each distinct PO, style and colour folded once (a T&A has tens of thousands of
    rows)."""
    parts = [once_each([None if _na(v) else v for v in frame[f].tolist()] if f in frame.columns
                       else [None] * len(frame), fold) for f, fold in _LINE_FOLDS]
    return ["\x1f".join(p) for p in zip(*parts)]


def line_keys_of(frame: pd.DataFrame) -> list[str]:
    """Each row's PO line (PO #, Style #, Color) as ``History.stopped`` holds them."""
    return _line_keys(frame) if len(frame) else []


def line_keys(frame: pd.DataFrame) -> frozenset[str]:
    """The PO lines of ``frame`` (Orders rows) as ``History.stopped`` holds them."""
    return frozenset(line_keys_of(frame))


def _ref(r: Mapping[str, Any]) -> str:
    return " / ".join(str(r[f]) for f in ("po", "style", "color") if _text(r.get(f)))


def in_period(d: date | None, since: date | None, today: date) -> bool:
    """``d`` falls in the period: on or after ``since`` (no bound when None) and on or before ``today``."""
    return d is not None and d <= today and (since is None or d >= since)


@dataclass(frozen=True)
class _Who:
    """Who made a style: vendor and factory."""

    vendor: str | None
    factory: str | None


@dataclass(frozen=True)
class _Prep:
    """What every measure looks up, computed once per scorecard."""

    by_style: dict[str, _Who]
    """Vendor and factory by folded style (Styles; ``keys.fold_ref``, as ``keys.style_vendors``)."""
    ta_vendor: dict[str, str]
    """The T&A's vendor by PO line (``_line``), for a style the Styles sheet lacks."""
    dates: dict[str, dict[str, dict[str, date | None]]]
    """By folded T&A code, by PO line: its planned and actual dates."""


def _prep(h: History, s: ScoreSettings) -> _Prep:
    by_style = {_style(r.get("style")): _Who(_text(r.get("vendor")), _text(r.get("factory")))
                for r in _rows(h.styles, ("style", "vendor", "factory"))}
    ta_vendor: dict[str, str] = {}
    dates: dict[str, dict[str, dict[str, date | None]]] = {}
    ta = h.ta
    if ta is not None and len(ta):
        if "vendor" in ta.columns:  # the first vendor named for each PO line
            named = ta[ta["vendor"].notna()]
            named = named.drop_duplicates([c for c in ("po", "style", "color") if c in named.columns])
            for k, v in zip(_line_keys(named), named["vendor"].tolist()):
                if k not in ta_vendor and (v := _text(v)) is not None:
                    ta_vendor[k] = v
        codes = _folded(ta, "code")
        wanted = {fold_code(c) for c in (s.xf_code, s.cut_code, s.pack_code, s.in_dc_code)}
        sub, sub_codes = ta[codes.isin(wanted).to_numpy()], codes[codes.isin(wanted)].tolist()
        planned = sub["planned"].tolist() if "planned" in sub.columns else [None] * len(sub)
        actual = sub["actual"].tolist() if "actual" in sub.columns else [None] * len(sub)
        for k, code, p, a in zip(_line_keys(sub), sub_codes, planned, actual):
            dates.setdefault(code, {})[k] = {"planned": day_of(p), "actual": day_of(a)}
    return _Prep(by_style, ta_vendor, dates)


def _makers(h: History, prep: _Prep | None = None) -> tuple[dict[str, _Who], dict[str, str]]:
    p = prep or _prep(h, ScoreSettings())
    return p.by_style, p.ta_vendor


def _who(style: Any, by_style: Mapping[str, _Who], line: str | None = None,
         ta_vendor: Mapping[str, str] | None = None, vendor: Any = None) -> _Who:
    w = by_style.get(_style(style))
    if w and w.vendor:
        return w
    found = _text(vendor) or ((ta_vendor or {}).get(line) if line else None)
    return _Who(found, w.factory if w else None)


def _row(measure: str, who: _Who, ref: str, item: str | None = None, *, planned: date | None = None,
         actual: date | None = None, days: int | None = None, qty: float | None = None,
         value: float | None = None, result: str, ok: bool | None = None) -> dict[str, Any]:
    return {"measure": measure, "vendor": who.vendor or "(no vendor)", "factory": who.factory, "ref": ref,
            "item": item, "planned": planned, "actual": actual, "days": days, "qty": qty, "value": value,
            "result": result, "ok": ok}


# --- the measures: drill-down rows -------------------------------------------------------------

def _ta_dates(prep: _Prep, code: str) -> dict[str, dict[str, date | None]]:
    return prep.dates.get(fold_code(code), {})


def ex_factory_rows(h: History, s: ScoreSettings, since: date | None, today: date,
                    prep: _Prep | None = None) -> list[dict[str, Any]]:
    """One row per PO line delivered in the period, on the date its terms name (shipped under FOB, in the DC
    under DDP): planned and actual date, days late, on time or not. Item: the T&A code judged and the terms."""
    p = prep or _prep(h, s)
    by_style, ta_vendor = p.by_style, p.ta_vendor
    on = {cx.Basis.EX_FACTORY: (_ta_dates(p, s.xf_code), "ex_factory", s.xf_code),
          cx.Basis.IN_DC: (_ta_dates(p, s.in_dc_code), "in_dc", s.in_dc_code)}
    default = s.terms
    out = []
    for o in _rows(h.orders, ("po", "style", "color", "qty", "ex_factory", "in_dc", "terms")):
        k = _line(o)
        terms = cx.terms_of(o.get("terms"), default)[0]
        ta_dates, order_date, code = on[terms.basis]
        dates = ta_dates.get(k, {})
        actual = dates.get("actual")
        if actual is None or not in_period(actual, since, today):
            continue
        planned = day_of(o.get(order_date)) or dates.get("planned")
        if planned is None:
            continue
        days = (actual - planned).days
        ok = days <= s.on_time_tolerance_days
        out.append(_row(Measure.XF, _who(o.get("style"), by_style, k, ta_vendor), _ref(o), f"{code} ({terms.label})",
                        planned=planned, actual=actual, days=days, qty=_col(o, "qty"),
                        result="On time" if ok else "Late", ok=ok))
    return out


def lab_dip_rows(h: History, since: date | None, today: date, prep: _Prep | None = None) -> list[dict[str, Any]]:
    """One row per colour approved in the period (rounds to approval, right first time) and one per
    resubmission in the period (days with the mill).

    Counted in rounds, as the Lab Dips view counts them (``labdips.rounds``): a round's options (A, B, C)
    are one round, approved when one of them is; a blank Round is the round after those above it."""
    by_style, _ = _makers(h, prep)
    dips = h.lab_dips
    if dips is None or not len(dips) or not {"style", "color"} <= set(dips.columns):
        return []
    numbered = dips.assign(round=dips["round"] if "round" in dips.columns else None)
    numbered = numbered.assign(_round=rounds(numbered))
    colours: dict[tuple[str, str], dict[float, list[dict[str, Any]]]] = {}
    for r in _rows(numbered):
        colours.setdefault((_fold(r.get("style")), _fold(r.get("color"))), {}).setdefault(
            float(r["_round"]), []).append(r)
    out = []
    for by_round in colours.values():
        numbers = sorted(by_round)
        first = by_round[numbers[0]][0]
        who = _who(first.get("style"), by_style)
        ref = f"{first.get('style')} / {first.get('color')}"
        began = _earliest(by_round[numbers[0]], "submitted")
        counted = 0
        asked: date | None = None  # when the last round was turned down: the mill's clock starts
        last_word: Any = None
        for n in numbers:
            options = by_round[n]
            kinds = [decision_kind(o.get("decision")) for o in options]
            submitted = _earliest(options, "submitted")
            if asked is not None and submitted is not None and in_period(submitted, since, today):
                days = (submitted - asked).days
                out.append(_row(Measure.MILL, who, ref, f"Round {n:g}", planned=asked, actual=submitted,
                                days=days, value=days, result=f"Resubmitted after {last_word}"))
            if not all(k == "cancelled" for k in kinds):
                counted += 1
            if "approved" in kinds:
                decided = min((d for o, k in zip(options, kinds, strict=True) if k == "approved"
                               and (d := _decided(o)) is not None), default=None)
                if in_period(decided, since, today):
                    out.append(_row(Measure.DIP, who, ref, f"Round {n:g}", planned=began, actual=decided,
                                    value=counted, result="Right first time" if counted == 1 else
                                    f"Approved on round {counted}", ok=counted == 1))
                break
            turned = [(o, k) for o, k in zip(options, kinds, strict=True) if k in ("rejected", "cancelled")]
            asked = max((d for o, _ in turned if (d := _decided(o)) is not None), default=None)
            last_word = next((o.get("decision") for o, _ in reversed(turned)), None)
    return out


def _decided(r: Mapping[str, Any]) -> date | None:
    return day_of(r.get("decision_date")) or day_of(r.get("received"))


def _earliest(rows: list[dict[str, Any]], f: str) -> date | None:
    return min((d for r in rows if (d := day_of(r.get(f))) is not None), default=None)


def sample_rows(h: History, since: date | None, today: date, prep: _Prep | None = None) -> list[dict[str, Any]]:
    """One row per fit or PP sample due in the period: shipped by its due date or not.

    The kinds and due dates as the Samples view reads them: '1st Fit', 'Bulk PP Sample' are fit and PP
    samples (``samples.sample_kind``); a blank Due is its T&A milestone's Planned date."""
    by_style, _ = _makers(h, prep)
    frame = h.samples
    if frame is None or not len(frame) or not {"style", "sample_type"} <= set(frame.columns):
        return []
    frame = frame.assign(**{c: None for c in ("color", "due", "shipped", "status") if c not in frame.columns})
    ta = h.ta
    from_ta = None
    if ta is not None and len(ta) and {"style", "color", "code", "planned", "milestone"} <= set(ta.columns):
        from_ta = ta_due(frame, ta, type_codes(ta, SampleSettings()))["earliest"].tolist()
    out = []
    for n, r in enumerate(_rows(frame, ("style", "sample_type", "color", "due", "shipped", "status"))):
        kind = _text(r.get("sample_type")) or ""
        folded = sample_kind(kind)  # every fit (1st, 2nd, 3rd...) and PP sample is scored
        due = day_of(r.get("due")) or (from_ta[n] if from_ta is not None else None)
        if due is None or not (is_fit(folded) or folded == "pp") or not in_period(due, since, today) \
                or CLOSED.match(_text(r.get("status")) or ""):
            continue
        shipped = day_of(r.get("shipped"))
        ok = shipped is not None and shipped <= due
        days = (shipped - due).days if shipped else (today - due).days
        result = "On time" if ok else ("Late" if shipped else "Not shipped")
        out.append(_row(Measure.SAMPLE, _who(r.get("style"), by_style),
                        f"{r.get('style')} / {_text(r.get('color')) or ''}".rstrip(" /"), kind,
                        planned=due, actual=shipped, days=days, result=result, ok=ok))
    return out


def _blocks(start: date, today: date, days: int) -> list[tuple[date, date]]:
    """The period counted back from ``today`` in blocks of ``days``: (first day, last day), oldest first;
    the oldest block is whole, so it may begin before ``start``."""
    days = max(1, days)
    out = []
    end = today
    while end >= start:
        out.append((end - timedelta(days=days - 1), end))
        end -= timedelta(days=days)
    return out[::-1]


def wip_rows(h: History, s: ScoreSettings, since: date | None, today: date,
             prep: _Prep | None = None) -> list[dict[str, Any]]:
    """One row per vendor and 'WIP Stale Days' block in which it had PO lines in production: a report
    dated in the block, or none."""
    p = prep or _prep(h, s)
    by_style, ta_vendor = p.by_style, p.ta_vendor
    cut, xf = _ta_dates(p, s.cut_code), _ta_dates(p, s.xf_code)
    spans: dict[str, list[tuple[date, date | None]]] = {}
    for o in _rows(h.orders, ("po", "style", "color")):
        k = _line(o)
        start = cut.get(k, {}).get("planned")
        if start is None:
            continue
        who = _who(o.get("style"), by_style, k, ta_vendor)
        if who.vendor is None:
            continue
        spans.setdefault(who.vendor, []).append((start - timedelta(days=IN_PRODUCTION_DAYS),
                                                 xf.get(k, {}).get("actual")))
    reports: dict[str, set[date]] = {}
    for r in _rows(h.wip, ("vendor", "report_date")):
        d, v = day_of(r.get("report_date")), _text(r.get("vendor"))
        if d is not None and v is not None:
            reports.setdefault(_fold(v), set()).add(d)
    out = []
    for vendor, lines in sorted(spans.items()):
        first = since or min(a for a, _ in lines)
        for a, b in _blocks(first, today, s.wip_stale_days):
            active = sum(1 for begin, shipped in lines if begin <= b and (shipped is None or shipped > b))
            if not active:
                continue
            got = sorted(d for d in reports.get(_fold(vendor), ()) if a <= d <= b)
            out.append(_row(Measure.WIP, _Who(vendor, None), f"{a.isoformat()} to {b.isoformat()}",
                            f"{active} PO line(s) in production", planned=b, actual=got[-1] if got else None,
                            value=len(got), result="Received" if got else "Missing", ok=bool(got)))
    return out


_WITHDRAWN = re.compile(r"\s*(cancell?ed|canceled|void|withdrawn|n/a|not applicable|raised in error)"
                        r"(?=$|[\s.,;:!()\[\]\-–—])", re.I)
"""An exception's Status saying it should not have been raised ('Cancelled', 'Cancelled - raised in error',
'N/A', 'Void'): not the vendor's, not counted. 'Closed', 'Resolved', 'Done' are exceptions that happened."""


def _counted(r: Mapping[str, Any], stopped: frozenset[str]) -> bool:
    """An Exceptions row the scorecard may count: not withdrawn, not on a PO line it does not count."""
    status = _text(r.get("status"))
    if status is not None and _WITHDRAWN.match(status):
        return False
    return not (stopped and _text(r.get("po")) and _line(r) in stopped)


def exception_rows(h: History, since: date | None, today: date, rule_names: Mapping[str, str] | None = None,
                   prep: _Prep | None = None) -> list[dict[str, Any]]:
    """One row per exception detected in the period (open or resolved), and one per exception detected before
    it and open still (``Measure.STILL_OPEN``). An open one without a readable Detected date is open today:
    counted as detected ``today``; a closed one without one is left out (``exception_date_findings``)."""
    # the Exceptions sheet's own reading of Status; the rule engine's module (calendars, T&A) is loaded only
    # when exceptions are scored, not by whatever imports the scorecard's names (the sheet and page writers)
    from prodbook.core.exceptions.sheet import is_open

    by_style, _ = _makers(h, prep)
    names = rule_names or {}
    out = []
    for r in _rows(h.exceptions):
        if not _counted(r, h.stopped):
            continue
        status = _text(r.get("status"))
        still_open = is_open(status)
        detected = day_of(r.get("detected"))
        when = detected if detected is not None else (today if still_open else None)
        if in_period(when, since, today):
            measure, result = Measure.EXCEPTION, status or "Open"
            if detected is None:
                result += ", Detected blank or not a date: counted as today"
        elif when is not None and since is not None and when < since and still_open:
            measure, result = Measure.STILL_OPEN, f"{status or 'Open'}, detected before the period"
        else:
            continue
        rule = _text(r.get("rule")) or "(no rule)"
        who = _who(r.get("style"), by_style, vendor=r.get("vendor")) if _text(r.get("style")) else \
            _Who(_text(r.get("vendor")), None)
        ref = " ".join(x for x in (_text(r.get("id")), _ref(r)) if x)
        out.append(_row(measure, who, ref, names.get(rule, rule), actual=detected, result=result))
    return out


def exception_date_findings(h: History, run_day: date, *, sheet: str = "Exceptions", column: str = "Detected",
                            file: str | None = None, unread: Mapping[int, Any] | None = None) -> list[Finding]:
    """The Exceptions rows the scorecard could not place in time, each named at its Detected cell: blank or
    not a date (an open one is counted as detected today, a closed one is not counted), or after ``run_day``
    (the day of the run: a typo such as 2028 for 2027; not counted). ``unread``: Excel row -> the text of a
    Detected cell the sheet's reading could not take as a date (it reads as blank)."""
    from prodbook.core.exceptions.sheet import is_open  # as in exception_rows

    out = []
    for r in _rows(h.exceptions):
        if not _counted(r, h.stopped) or not any(_text(r.get(f)) for f in ("id", "po", "style", "rule", "detail")):
            continue
        row = None if _na(r.get("_row")) else int(r["_row"])
        raw, detected = r.get("detected"), day_of(r.get("detected"))
        if _text(raw) is None and unread and row is not None and row in unread:
            raw = unread[row]
        name = f"Exception {_text(r.get('id')) or '(no ID)'}" + (f" ({v})" if (v := _text(r.get("vendor"))) else "")
        status = _text(r.get("status")) or "Open"
        where: dict[str, Any] = {"file": file, "sheet": sheet, "row": row, "column": column,
                                 "key": _text(r.get("id"))}
        if detected is not None:
            if detected > run_day:
                out.append(warning(Code.BAD_DATE, f"{name}: {column} {detected.isoformat()} is after today "
                                   f"({run_day.isoformat()}), so the vendor scorecard does not count it. Correct "
                                   "the date it was found (the year?).", value=detected, **where))
            continue
        blank = _text(raw) is None
        what = f"has no {column} date" if blank else f"{column} '{raw}' is not a date"
        if is_open(r.get("status")):
            then = ("is still open, so the vendor scorecard counts it as found today; type the date it was "
                    "found, so that it counts in the right period")
        else:
            then = (f"is {status}, so the vendor scorecard cannot place it in a period and does not count it; "
                    "type the date it was found")
        out.append(warning(Code.REQUIRED if blank else Code.BAD_DATE,
                           f"{name} {what}. It {then} (for example {run_day.isoformat()}).",
                           value=None if blank else raw, **where))
    return out


def _newest_packed(wip: pd.DataFrame) -> dict[str, tuple[date | None, int]]:
    """Each PO line's packed quantity on its newest WIP report that gives one."""
    if wip is None or not len(wip) or "packed_qty" not in wip.columns:
        return {}
    f = wip[wip["packed_qty"].notna()]
    keys = _line_keys(f)
    dates = [day_of(v) for v in f["report_date"].tolist()] if "report_date" in f.columns else [None] * len(f)
    best: dict[str, tuple[date | None, int]] = {}
    for k, d, packed in zip(keys, dates, f["packed_qty"].tolist()):
        if k not in best or (d or date.min) >= (best[k][0] or date.min):
            best[k] = (d, int(packed))
    return best


def quantity_rows(h: History, s: ScoreSettings, since: date | None, today: date,
                  prep: _Prep | None = None) -> list[dict[str, Any]]:
    """One row per PO line shipped in the period with a final packed quantity on its newest WIP report."""
    p = prep or _prep(h, s)
    by_style, ta_vendor = p.by_style, p.ta_vendor
    xf, pack = _ta_dates(p, s.xf_code), _ta_dates(p, s.pack_code)
    packed = _newest_packed(h.wip)
    out = []
    for o in _rows(h.orders, ("po", "style", "color", "qty")):
        k, qty = _line(o), _col(o, "qty")
        shipped = xf.get(k, {}).get("actual")
        if not qty or k not in packed or not in_period(shipped, since, today):
            continue
        report, units = packed[k]
        finished = min(d for d in (shipped, pack.get(k, {}).get("actual")) if d is not None)
        if report is not None and report < finished:
            continue  # written before packing finished: not the final count
        diff = units - int(qty)
        ok = abs(diff) * 100 <= int(qty) * s.ship_tolerance_pct
        word = "within tolerance" if ok else ("short" if diff < 0 else "over")
        out.append(_row(Measure.QTY, _who(o.get("style"), by_style, k, ta_vendor), _ref(o),
                        f"WIP report {report.isoformat()}" if report else "WIP report",
                        actual=shipped, days=None, qty=int(qty), value=units,
                        result=f"{diff:+,} ({diff / int(qty) * 100:+.1f}%) {word}", ok=ok))
    return out


def drill_down(h: History, s: ScoreSettings, since: date | None, today: date,
               rule_names: Mapping[str, str] | None = None, prep: _Prep | None = None) -> pd.DataFrame:
    """Every row behind every figure, measure by measure."""
    p = prep or _prep(h, s)
    rows = (ex_factory_rows(h, s, since, today, p) + lab_dip_rows(h, since, today, p)
            + sample_rows(h, since, today, p) + wip_rows(h, s, since, today, p)
            + exception_rows(h, since, today, rule_names, p) + quantity_rows(h, s, since, today, p))
    frame = pd.DataFrame(rows, columns=list(DETAIL_FIELDS))
    order = {m: i for i, m in enumerate(MEASURES)}
    if len(frame):
        frame = frame.assign(_m=frame["measure"].map(order)).sort_values(
            ["vendor", "_m", "ref", "item"], kind="stable", na_position="last").drop(columns="_m")
    return frame.reset_index(drop=True)


# --- the figures -------------------------------------------------------------------------------

def _pct(ok: pd.Series) -> float | None:
    return round(float(ok.astype(bool).mean()) * 100, 1) if len(ok) else None


def _mean(x: pd.Series) -> float | None:
    x = pd.to_numeric(x, errors="coerce").dropna()
    return round(float(x.mean()), 1) if len(x) else None


def figures(detail: pd.DataFrame, po_lines: int, *, with_wip: bool = True) -> dict[str, Any]:
    """One vendor's (or factory's) figures from its drill-down rows."""
    def of(m: str) -> pd.DataFrame:
        return detail[detail["measure"] == m]

    xf, dip, mill, smp = of(Measure.XF), of(Measure.DIP), of(Measure.MILL), of(Measure.SAMPLE)
    wip, exc, qty = of(Measure.WIP), of(Measure.EXCEPTION), of(Measure.QTY)
    late = xf[~xf["ok"].astype(bool)] if len(xf) else xf
    return {
        "po_lines": po_lines, "shipped": len(xf), "on_time_pct": _pct(xf["ok"]),
        "avg_days_late": (_mean(late["days"]) if len(late) else 0.0) if len(xf) else None,
        "worst_days_late": int(late["days"].max()) if len(late) else (0 if len(xf) else None),
        "dip_colours": len(dip), "dip_rounds": _mean(dip["value"]), "dip_rft_pct": _pct(dip["ok"]),
        "mill_days": _mean(mill["days"]),
        "samples": len(smp), "samples_on_time_pct": _pct(smp["ok"]),
        "wip_expected": len(wip) if with_wip else None,
        "wip_received": int(wip["ok"].astype(bool).sum()) if with_wip else None,
        "wip_punctuality_pct": _pct(wip["ok"]) if with_wip else None,
        "exceptions": len(exc),
        "exceptions_per_100": round(len(exc) / po_lines * 100, 1) if po_lines else None,
        "exceptions_open_before": len(of(Measure.STILL_OPEN)),
        "qty_lines": len(qty), "qty_accuracy_pct": _pct(qty["ok"]),
        "packed_vs_ordered_pct": round(float(qty["value"].sum()) / float(qty["qty"].sum()) * 100, 1)
        if len(qty) and qty["qty"].sum() else None,
    }


def _po_lines(h: History, prep: _Prep) -> tuple[dict[str, int], dict[tuple[str, str], int], dict[str, set[str]]]:
    """PO lines per vendor and per (vendor, factory); the factories of each vendor."""
    by_style, ta_vendor = prep.by_style, prep.ta_vendor
    per_vendor: dict[str, int] = {}
    per_factory: dict[tuple[str, str], int] = {}
    factories: dict[str, set[str]] = {}
    for o in _rows(h.orders, ("po", "style", "color")):
        who = _who(o.get("style"), by_style, _line(o), ta_vendor)
        v = who.vendor or "(no vendor)"
        per_vendor[v] = per_vendor.get(v, 0) + 1
        if who.factory:
            per_factory[(v, who.factory)] = per_factory.get((v, who.factory), 0) + 1
            factories.setdefault(v, set()).add(who.factory)
    for r in _rows(h.styles, ("vendor", "factory")):  # a factory of a style not yet ordered is still the vendor's
        if (named := _text(r.get("vendor"))) and (f := _text(r.get("factory"))):
            factories.setdefault(named, set()).add(f)
    return per_vendor, per_factory, factories


def _vendor_fold(v: Any) -> str:
    """A vendor code as the scorecard groups it: ``_fold``, and a run of spaces inside it as one."""
    return " ".join(_fold(v).split())


def _one_spelling(h: History) -> History:
    """Every vendor code in one spelling, the Vendors sheet's (else the first met): 'bd1' typed on one
    style is BD1, not a second vendor with half the lines, credited with the same WIP reports; 'CN  1' (two
    spaces, which a cell does not show) is CN 1: two columns that read the same would split one vendor."""
    frames = {"vendors": h.vendors, "styles": h.styles, "wip": h.wip, "exceptions": h.exceptions, "ta": h.ta}
    spelling: dict[str, str] = {}
    for frame in frames.values():
        if frame is not None and len(frame) and "vendor" in frame.columns:
            for v in frame["vendor"].dropna().unique():
                if (t := _text(v)) is not None:
                    spelling.setdefault(_vendor_fold(t), t)
    changed: dict[str, Any] = {}
    for name, frame in frames.items():
        if frame is None or not len(frame) or "vendor" not in frame.columns:
            continue
        seen = frame["vendor"].dropna().unique()
        to = {v: spelling[_vendor_fold(v)] for v in seen
              if _text(v) is not None and spelling[_vendor_fold(v)] != v}
        if to:
            changed[name] = frame.assign(vendor=frame["vendor"].map(lambda v, to=to: to.get(v, v)))
    return dataclasses.replace(h, **changed) if changed else h


def scorecard(h: History, s: ScoreSettings, today: date, since: date | None = None,
              rule_names: Mapping[str, str] | None = None) -> Scorecard:
    """The scorecard of every vendor over the period, and the drill-down behind it.

    Args:
        h: The tracker's tables (or the season's, combined).
        s: Settings (Config: On-Time Tolerance Days, WIP Stale Days, Ship Tolerance %, the T&A codes).
        today: The period's last day (the run's --today).
        since: The period's first day; None: the whole history (the season).
        rule_names: Exception rule code -> the name the APM reads (``exceptions.RULE_NAMES``).
    """
    h = _one_spelling(h)
    prep = _prep(h, s)
    detail = drill_down(h, s, since, today, rule_names, prep)
    per_vendor, per_factory, factories = _po_lines(h, prep)
    names = {_text(r.get("vendor")): _text(r.get("name")) for r in _rows(h.vendors) if _text(r.get("vendor"))}
    vendors = sorted(set(per_vendor) | set(detail["vendor"]) | {v for v in names if v})
    rows = []
    for v in vendors:
        mine = detail[detail["vendor"] == v]
        own = sorted(factories.get(v, ()))
        rows.append({"vendor": v, "name": names.get(v), "factory": own[0] if len(own) == 1 else None,
                     **figures(mine, per_vendor.get(v, 0))})
        if len(own) > 1:
            for f in own:
                rows.append({"vendor": v, "name": names.get(v), "factory": f,
                             **figures(mine[mine["factory"] == f], per_factory.get((v, f), 0), with_wip=False)})
    table = pd.DataFrame(rows, columns=list(TABLE_FIELDS))
    table = table.astype(object).where(table.notna(), None)  # a figure with nothing to count is blank
    exc = detail[detail["measure"] == Measure.EXCEPTION]
    by_rule = []
    for (v, rule), g in exc.groupby(["vendor", "item"], sort=True) if len(exc) else ():
        n = per_vendor.get(str(v), 0)
        by_rule.append({"vendor": v, "rule": rule, "exceptions": len(g),
                        "per_100": round(len(g) / n * 100, 1) if n else None})
    return Scorecard(table, pd.DataFrame(by_rule, columns=["vendor", "rule", "exceptions", "per_100"]), detail,
                     since, today)


def vendor_rows(card: Scorecard) -> pd.DataFrame:
    """The vendor rows only (no factory breakdown): what the charts compare."""
    return card.table.drop_duplicates("vendor", keep="first").reset_index(drop=True)


def settings_from(config: Any, exception_settings: Any) -> ScoreSettings:
    """The scorecard's settings from the typed Config and the exception rules' settings (same names)."""
    return ScoreSettings(on_time_tolerance_days=int(getattr(config, "on_time_tolerance_days", 0)),
                         wip_stale_days=int(exception_settings.wip_stale_days),
                         ship_tolerance_pct=float(exception_settings.ship_tolerance_pct),
                         xf_code=str(exception_settings.xf_code), cut_code=str(exception_settings.cut_code),
                         pack_code=str(exception_settings.pack_code),
                         in_dc_code=str(exception_settings.in_dc_code),
                         default_terms=str(exception_settings.default_terms))


__all__ = ("History", "Measure", "ScoreSettings", "Scorecard", "scorecard", "drill_down",
                          "figures", "vendor_rows", "settings_from", "exception_date_findings", "line_keys",
                          "line_keys_of", "fold_code", "TABLE_FIELDS", "DETAIL_FIELDS")
