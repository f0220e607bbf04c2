"""The production rules: the vendor's cut, sewn and packed against the T&A plan (``production_behind``),
fabric not in-house at cutting, a vendor's WIP report stale, quantities that do not add up, and a cancelled
line still in production (a ``STOPPED_RULES`` rule, over ``Inputs.stopped``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from prodbook.core.cells import day_of, is_missing
from prodbook.core.exceptions.lines import Inputs, Line, _code, _fmt, _n, exception, gone
from prodbook.core.exceptions.words import _IN_HOUSE, says
from prodbook.core.findings import Code, Finding, Severity, Subject

IN_PRODUCTION_DAYS = 30
"""A vendor is expected to report WIP for PO lines whose cutting is planned within this many days."""


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
