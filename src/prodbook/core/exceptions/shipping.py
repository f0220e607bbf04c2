"""The shipping rules: the forwarder booking not confirmed near ex-factory, the vendor's ship mode not the
order's (to air, a part flown: a cost), and the packed quantity short or over the order once shipped."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

from prodbook.core.cells import day_of
from prodbook.core.exceptions.lines import Inputs, _code, _fmt, _n, forecast_xf, gone, received, shipped
from prodbook.core.exceptions.words import _CONFIRMED, _MODES, part_by_air, ruled_out, says, ship_mode
from prodbook.core.findings import Code, Finding, Severity


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
