"""The vendor's view of its Follow-ups rows: what its e-mail lists, and in which order.

The Follow-ups sheet keeps one row per item (its Last Contacted and undo go by item); the vendor's e-mail folds
each late PO line's facts into one row with one ask (``vendor_view``), names prodbook's rules in the vendor's
words (``VENDOR_NAMES``), and, in a long draft, opens with a summary and lists the most severe rows first
(``summary``, ``most_severe_first``). Pure functions over ``followups.Item``; ``followups.drafts`` renders the
result.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from prodbook.core.exceptions import rule_name
from prodbook.core.findings import Code
from prodbook.core.followup_items import ASK, ON_TRACK, Item, sends_it
from prodbook.core.keys import line_key
from prodbook.core.looks import DEFAULT_DATE_FORMAT, date_text

LATENESS_MILESTONES = ("XF", "PCK")
"""T&A codes (Ex-Factory and Packing Code, as the exception rules' defaults) whose overdue or late milestone is one
PO line's ex-factory lateness in the vendor's e-mail."""

_LATENESS_RULES = (Code.SHIP_WINDOW_MISSED.value, Code.LATE_FOR_CANCEL.value, Code.XF_DATE_PASSED.value, "XF",
                   Code.XF_REVISED_LATE.value, Code.VENDOR_DATE_AHEAD.value, Code.IN_DC_LATE.value, "PCK")
"""The facts of one PO line's ex-factory lateness, most severe first: the first one found leads its row."""

VENDOR_NAMES: dict[str, str] = {
    Code.XF_REVISED_LATE.value: "Ex-factory date moved later",
    Code.XF_DATE_PASSED.value: "Your ex-factory date has passed",
    Code.LATE_FOR_CANCEL.value: "Ex-factory after the cancel date",
    Code.VENDOR_DATE_AHEAD.value: "Your ex-factory date vs our plan",
    Code.IN_DC_LATE.value: "Late arrival at the DC",
    Code.SHIP_WINDOW_MISSED.value: "Cancel date passed",
    Code.PRODUCTION_BEHIND.value: "Production behind plan",
    Code.FABRIC_NOT_IN_HOUSE.value: "Bulk fabric not in-house",
    Code.BOOKING_NOT_CONFIRMED.value: "Forwarder booking",
    Code.SHIP_MODE_CHANGED.value: "Ship mode changed",
    Code.SHIP_QTY_OFF.value: "Ship quantity",
    Code.WIP_STALE.value: "WIP report",
    Code.WIP_QTY_INCONSISTENT.value: "WIP report quantities",
    Code.CANCELLED_LINE_IN_WIP.value: "Cancelled PO line in production",
}
"""An exception's Item as the vendor reads it (the Follow-ups sheet keeps the rule's name, the APM's word)."""

LATENESS_ITEM = "Ex-factory date"

_OWN_ASK = (Code.XF_REVISED_LATE.value, Code.VENDOR_DATE_AHEAD.value)
"""Lateness facts that carry the vendor's own new date: a row they lead asks what they ask (confirm the date and
how to bring it back, how to make it), not for a new ex-factory date."""


def vendor_item(it: Item) -> str:
    """``it``'s Item as the vendor reads it: an exception of prodbook's under ``VENDOR_NAMES`` (a shipped line's
    too, which carries no code: by its rule's name), anything else as it is."""
    if (said := VENDOR_NAMES.get((it.code or "").strip())) is not None:
        return said
    return next((v for c, v in VENDOR_NAMES.items() if rule_name(c) == it.item), it.item)


def _facts(it: Item) -> str:
    """An item's detail without what it asks: the facts alone, to fold into another row."""
    text = it.detail
    if it.code in ASK:
        for ask in (ASK[it.code], "Please advise."):
            text = text.removesuffix(ask).rstrip()
    else:
        text = text.split(";")[0]
    return text.rstrip(" .;:,")


def vendor_view(items: Sequence[Item], reply: str, *, milestones: Sequence[str] = LATENESS_MILESTONES,
                asked: Mapping[tuple[str, str, str], date] | None = None, today: date | None = None,
                date_format: str = DEFAULT_DATE_FORMAT) -> list[Item]:
    """One vendor's items as its e-mail lists them: each PO line's ex-factory lateness (its overdue Packing and
    Ex-factory milestones, Ex-factory revised later, In-DC late, Late for cancel, Ship window missed, the
    vendor's ex-factory date passed, its date before our plan) in ONE row, the most severe fact leading and the
    others after 'Also:', with one ask by ``reply`` (the reply-by date): a new ex-factory date and the recovery
    plan, or once the cancel date has passed, the ship date and the plan (no date left to recover), or led by the
    vendor's own new date (``_OWN_ASK``), what that fact asks. A PO line with nothing overdue or late (its
    milestones only due soon, ``ON_TRACK``) is not folded: each item keeps its own row and ask. Every other
    item keeps its own row, under the name the vendor reads (``VENDOR_NAMES``). The Follow-ups sheet keeps one
    row per item (its Last Contacted and undo go by item); only the e-mail folds.

    ``asked``: each item's Last Contacted (by ``Item.key``). A row asked about before ``today`` (a folded row:
    its earliest) opens with '(reminder: we asked on DD-Mmm-YY)', so the vendor sees it is a second request; one
    asked today is not marked (the APM has just asked and sends the same list again, not a reminder)."""
    xf, pck = (m.strip().upper() for m in (*milestones, "XF", "PCK")[:2])
    rank = {c: n for n, c in enumerate(_LATENESS_RULES)}
    rank[xf], rank[pck] = rank.pop("XF"), rank.pop("PCK")
    groups: dict[str, list[Item]] = {}  # by the PO line's folded key (``keys.line_key``)
    out: list[Item | str] = []
    for it in items:
        code = (it.code or "").strip()
        if code in rank or code.upper() in (xf, pck):
            line = line_key(it.po, it.style, it.color)
            if line not in groups:
                out.append(line)
            groups.setdefault(line, []).append(it)
        else:
            out.append(it)

    def key(it: Item) -> int:
        code = (it.code or "").strip()
        return rank.get(code, rank.get(code.upper(), len(rank)))

    def fold(group: list[Item]) -> Item:
        group = sorted(group, key=key)
        lead = group[0]
        if len(group) == 1:
            return replace(lead, item=vendor_item(lead))
        passed = any(i.code == Code.SHIP_WINDOW_MISSED.value and "has passed" in i.detail for i in group)
        said = [f for f in dict.fromkeys(_facts(i) for i in group) if f]
        detail = said[0] + "." + (f" Also: {'; '.join(said[1:])}." if said[1:] else "")
        ask = (f" Please give us your ship date and your plan to ship, by {reply}." if passed
               else f" {ASK[lead.code].rstrip('.')}, by {reply}." if lead.code in _OWN_ASK  # the vendor's own date
               else f" Please give us your new ex-factory date and your recovery plan, by {reply}.")
        dues = [i.due for i in group if i.due and (i.code or "").upper() == xf] or [i.due for i in group if i.due]
        late = [i.days_overdue for i in group if i.days_overdue]
        return replace(lead, item=LATENESS_ITEM, detail=detail + ask, due=min(dues) if dues else None,
                       days_overdue=max(late) if late else None)

    def remind(shown: Item, of: Sequence[Item]) -> Item:
        days = [d for i in of if (d := (asked or {}).get(i.key)) is not None and today is not None and d < today]
        if not days:
            return shown
        return replace(shown, detail=f"(reminder: we asked on {date_text(min(days), date_format)}) {shown.detail}")

    def is_late(it: Item) -> bool:  # overdue, late by its forecast, or a lateness exception
        return bool(it.days_overdue) or (it.code or "").strip().upper() not in (xf, pck) \
            or not it.detail.endswith(ON_TRACK)

    rows: list[Item] = []
    for o in out:
        if isinstance(o, str) and any(is_late(i) for i in groups[o]):
            rows.append(remind(fold(groups[o]), groups[o]))
        else:  # an item of its own, or a PO line on track: each of its items with its own ask
            own = groups[o] if isinstance(o, str) else [o]
            rows += [remind(replace(i, item=vendor_item(i)), [i]) for i in own]
    return rows



SUMMARY_ROWS = 15
"""A draft with more rows than this opens with a summary (``summary``) and lists its rows most severe first
(``most_severe_first``): about what Outlook's reading pane shows at once (a row is one or two lines at 11pt), so
a longer table hides its worst rows below the fold. A draft of this many rows or fewer stays as it is."""

_CANCEL = (Code.SHIP_WINDOW_MISSED.value, Code.LATE_FOR_CANCEL.value)
_REPORTS = (Code.WIP_STALE.value, Code.WIP_QTY_INCONSISTENT.value)
_REPORT = re.compile(r"\breports?\b", re.I)
_LATE_RULES = tuple(c for c in _LATENESS_RULES if c not in ("XF", "PCK"))  # the milestones' codes are Config's


def _rule_of(it: Item) -> str:
    """The rule or milestone code a row stands for: its code, else (a shipped line's exception, which carries
    none) the rule its Item names, by the rule's name or the vendor's (``vendor_item``)."""
    code = (it.code or "").strip()
    return code or next((c for c, said in VENDOR_NAMES.items() if it.item in (said, rule_name(c))), "")


def _kind(it: Item, milestones: Sequence[str]) -> str:
    """What one row of the vendor's view asks, as its summary counts it: 'cancel' (a PO line late for its cancel
    date or past it), 'late' (a PO line late to leave the factory, or shipped and late to reach the DC), 'send'
    (a sample, a lab dip, a submit, an approval), 'report', or 'other'."""
    xf, pck = (m.strip().upper() for m in (*milestones, "XF", "PCK")[:2])
    code = _rule_of(it)
    if code in _CANCEL:
        return "cancel"
    if (code in _LATE_RULES or code.upper() in (xf, pck)) and (it.days_overdue or not it.detail.endswith(ON_TRACK)):
        return "late"
    if code in _REPORTS or _REPORT.search(it.item):
        return "report"
    return "send" if sends_it(it.item) else "other"


_SEVERITY = {"cancel": 0, "late": 1}


def most_severe_first(rows: Sequence[Item], milestones: Sequence[str] = LATENESS_MILESTONES) -> list[Item]:
    """A long draft's rows, the most severe first: the PO lines late for their cancel date (or past it), then the
    PO lines late to leave the factory (or to reach the DC), then every other row; each group in the order it had
    (most overdue first, then by due date: ``followups.collect``), so the order is the same on every run."""
    return sorted(rows, key=lambda it: _SEVERITY.get(_kind(it, milestones), len(_SEVERITY)))


@dataclass(frozen=True)
class Summary:
    """What a long draft says before its table, in the vendor's words."""

    lead: str
    counts: tuple[str, ...]
    """One line per kind of row there is ('2 PO lines late for the cancel date or past it')."""
    oldest: str
    """The one or two earliest due dates, and where the table puts the most urgent rows."""


def _count(n: int, one: str, many: str, tail: str) -> str:
    return f"{n} {one if n == 1 else many} {tail}"


def summary(rows: Sequence[Item], milestones: Sequence[str] = LATENESS_MILESTONES,
            date_format: str = DEFAULT_DATE_FORMAT) -> Summary:
    """The summary at the top of a long draft (more than ``SUMMARY_ROWS`` rows): how many PO lines are late for
    the cancel date, late to ship or to reach the DC, how many samples and approvals and reports we wait for, the
    rest, and the one or two earliest due dates."""
    kinds = [_kind(it, milestones) for it in rows]
    said = (("cancel", "PO line", "PO lines", "late for the cancel date or past it"),
            ("late", "PO line", "PO lines", "late to ship or to arrive at the DC"),
            ("send", "sample or approval", "samples and approvals", "to send"),
            ("report", "report", "reports", "to send"),
            ("other", "other item", "other items", "to update"))
    counts = tuple(_count(n, one, many, tail) for kind, one, many, tail in said if (n := kinds.count(kind)))
    dues = sorted({it.due for it in rows if it.due})[:2]
    oldest = ("The oldest items were due " + " and ".join(date_text(d, date_format) for d in dues) + ". "
              if len(dues) > 1 else f"The oldest item was due {date_text(dues[0], date_format)}. " if dues else "")
    return Summary(f"In short, {len(rows)} items:", counts,
                   oldest + "The most urgent come first in the table.")
