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

The package, each module importing only the ones above it (none imports this one):

- ``words``: the vendor's words, a ship mode as typed and a yes that is not a not-yet (``says``);
- ``lines``: ``Settings``, ``Line``, ``Inputs`` (``build_lines``), ``exception`` and the judgements the rules
  share (forecast ex-factory and in-DC, ``transit_days``, ``cancel_check``);
- ``dates``, ``production``, ``shipping``: the rules, by family (a new rule goes in its family's module, and
  into ``RULES`` here);
- ``sheet``: the Exceptions sheet (``merge``, ``is_open``, ``awaits_id``);
- this ``__init__``: the registry (``RULES``, ``STOPPED_RULES``, their names) and ``evaluate``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from prodbook.core.cells import text_or_empty
from prodbook.core.exceptions.dates import (
    PASSED_ERROR_DAYS,
    cancel_findings,
    in_dc_late,
    late_for_cancel,
    recovery_options,
    revised_xf_later,
    revised_xf_passed,
    ship_window_missed,
    vendor_date_before_forecast,
)
from prodbook.core.exceptions.lines import (
    Found,
    Inputs,
    Line,
    Settings,
    build_lines,
    cancel_check,
    current_mode,
    detail,
    exception,
    facts_of,
    forecast_in_dc,
    forecast_xf,
    gone,
    identity,
    identity_of,
    planned_xf,
    received,
    settings_from,
    shipped,
    terms,
    transit_days,
)
from prodbook.core.exceptions.production import (
    IN_PRODUCTION_DAYS,
    NAMED_LINES,
    cancelled_line_in_production,
    expected_pct,
    fabric_not_in_house,
    production_behind,
    wip_qty_inconsistent,
    wip_stale,
)
from prodbook.core.exceptions.sheet import (
    CLOSED_WORDS,
    EXCEPTION_FIELDS,
    FACTS,
    OPEN,
    RESOLVED_BY_DATA,
    RESOLVED_NOTE,
    awaits_id,
    highest_id,
    is_closed,
    is_open,
    known_rule,
    merge,
    open_exceptions,
)
from prodbook.core.exceptions.shipping import booking_not_confirmed, ship_mode_changed, ship_qty_off
from prodbook.core.exceptions.words import part_by_air, ruled_out, says, ship_mode
from prodbook.core.findings import Code, Finding
from prodbook.core.looks import DEFAULT_DATE_FORMAT, with_date_text

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


def evaluate(inp: Inputs, rules: Sequence[Rule] = (*RULES, *STOPPED_RULES)) -> list[Finding]:
    """Every rule over the inputs, in rule order; each Detail's dates in the workbook's Date Format (the
    rules write 05-Mar-27; ``Found.facts`` keeps that, the follow-ups show it in the vendor's format)."""
    found = [h for rule in rules for h in rule(inp)]
    code = inp.settings.date_format
    if code == DEFAULT_DATE_FORMAT:
        return found
    return [replace(h, message=with_date_text(h.message, code)) for h in found]


__all__ = [
    "ALL_RULE_NAMES", "CLOSED_WORDS", "EXCEPTION_FIELDS", "FACTS", "Found", "IN_PRODUCTION_DAYS", "Inputs", "Line",
    "NAMED_LINES", "OPEN", "PASSED_ERROR_DAYS", "RESOLVED_BY_DATA", "RESOLVED_NOTE", "RULES", "RULE_NAMES", "Rule",
    "STOPPED_RULES", "STOPPED_RULE_NAMES", "Settings", "awaits_id", "booking_not_confirmed", "build_lines",
    "cancel_check", "cancel_findings", "cancelled_line_in_production", "current_mode", "detail", "evaluate",
    "exception", "expected_pct", "fabric_not_in_house", "facts_of", "forecast_in_dc", "forecast_xf", "gone",
    "highest_id", "identity", "identity_of", "in_dc_late", "is_closed", "is_open", "known_rule", "late_for_cancel",
    "merge", "open_exceptions", "part_by_air", "planned_xf", "production_behind", "received", "recovery_options",
    "revised_xf_later", "revised_xf_passed", "rule_name", "ruled_out", "says", "settings_from", "ship_mode",
    "ship_mode_changed", "ship_qty_off", "ship_window_missed", "shipped", "terms", "transit_days",
    "vendor_date_before_forecast", "wip_qty_inconsistent", "wip_stale",
]
