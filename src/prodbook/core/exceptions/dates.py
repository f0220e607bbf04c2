"""The date rules: the vendor's revised ex-factory (later than planned, gone by, ahead of the T&A's own
forecast), late for cancel with its recovery options, in-DC late and the ship window missed; and the Issues
rows of the lines late for cancel (``cancel_findings``), by the same ``cancel_check``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from prodbook.core import cancel as cx
from prodbook.core import recovery as rc
from prodbook.core.calendar import add_days
from prodbook.core.cells import day_of, is_missing
from prodbook.core.exceptions.lines import (
    Inputs,
    Line,
    Settings,
    _code,
    _fmt,
    _n,
    cancel_check,
    current_mode,
    forecast_in_dc,
    forecast_xf,
    gone,
    planned_xf,
    received,
    shipped,
    terms,
    transit_days,
)
from prodbook.core.exceptions.words import says
from prodbook.core.findings import Code, Finding, Severity, error, warning
from prodbook.core.looks import DEFAULT_DATE_FORMAT


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
