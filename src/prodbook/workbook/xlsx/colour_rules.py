"""The colour rules an earlier prodbook wrote on a sheet it created, brought up to date in the sheet's XML.

prodbook writes a sheet's colour rules only when it creates the sheet; a tracker made before a rule changed
keeps the old one (an Actual typed ahead coloured green beside the 'Overdue' prodbook wrote). When a run
rewrites such a sheet anyway, the rules ``looks.rules_to_update`` recognises as prodbook's own get the current
formula, in place: the range, the order, the colour (``dxfId``, which the APM may have changed) and every
other rule stay as they are. Excel 2010's own rules (``x14:conditionalFormatting`` in ``extLst``) are never
prodbook's and are not looked at.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from prodbook.core.looks import FoundRule, RulePlace, retired_for, rules_to_update
from prodbook.workbook.xlsx.xmltext import _attr, _esc, _unesc


def up_to_date_rules(tail: str, p: str, place: RulePlace | None) -> tuple[str, bool]:
    """``tail`` (what follows a sheet's rows) with prodbook's earlier colour rules brought up to date, and
    whether any was. ``p``: the prefix of the sheet's main namespace ('' or 'x:')."""
    if place is None or not retired_for(place.sheet) or "conditionalFormatting" not in tail:
        return tail, False
    pre = re.escape(p)
    found: list[FoundRule] = []
    spans: list[tuple[int, int] | None] = []  # where each rule's formula text is in ``tail``
    for cf in re.finditer(rf"<{pre}conditionalFormatting\b([^>]*?)(?<!/)>(.*?)</{pre}conditionalFormatting>", tail,
                          re.S):
        sqref = _attr(cf.group(1), "sqref") or ""
        for rule in re.finditer(rf"<{pre}cfRule\b([^>]*?)(?:/>|>(.*?)</{pre}cfRule>)", cf.group(2), re.S):
            formula, span, inner = None, None, rule.group(2)
            one = re.fullmatch(rf"<{pre}formula>([^<]*)</{pre}formula>", inner) if inner is not None else None
            if one is not None and _attr(rule.group(1), "type") == "expression":  # one formula, nothing else
                formula = _unesc(one.group(1))
                at = cf.start(2) + rule.start(2)
                span = (at + one.start(1), at + one.end(1))
            found.append(FoundRule(sqref, formula))
            spans.append(span)
    plan = rules_to_update(place, found)
    if not plan:
        return tail, False
    for i in sorted(plan, reverse=True):  # from the end: the earlier places stay where they are
        span = spans[i]
        assert span is not None  # a rule with no formula text is never one to update
        tail = tail[:span[0]] + _esc(plan[i]) + tail[span[1]:]
    return tail, True


class RulesNow:
    """The colour rules of each sheet a write touches, brought up to date where an earlier prodbook wrote
    them: ``places`` says where each sheet's rules read (as the run read the sheet), ``done`` receives each
    sheet whose rules changed, with the sheet whose rules it takes ('T&A')."""

    def __init__(self, places: Mapping[str, RulePlace], done: dict[str, str] | None = None) -> None:
        self._places = {sheet.lower(): place for sheet, place in places.items()}
        self.done = done if done is not None else {}

    def __call__(self, sheet: str, tail: str, p: str) -> str:
        """``tail`` (what follows the sheet's rows; ``p`` the prefix of its main namespace), up to date."""
        tail, changed = up_to_date_rules(tail, p, self._places.get(sheet.lower()))
        if changed:
            self.done[sheet] = self._places[sheet.lower()].sheet
        return tail

    def wants(self, sheet: str) -> bool:
        """Whether the sheet's rules are looked at (the run read where they read): the others are passed by."""
        return sheet.lower() in self._places
