"""Reading the vendor's words: a ship mode as typed ('Sea changed to Air', '空运', 'Sea, balance by air'), and
a yes that is not a not-yet ('in-house', 'confirmed', but not 'to be confirmed', 'expected in-house 15-Mar').

Pure text functions, no PO line: the line judgements (``lines``) and the rules (``dates``, ``production``,
``shipping``) ask them about the cells of a line's newest WIP report.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from prodbook.core.cells import is_missing


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


_MODES = frozenset({"Sea", "Air", "Sea-Air", "Road"})


def part_by_air(text: Any) -> bool:
    """A vendor's ship mode that flies a part of the goods: 'Sea (partial air)', 'Sea, balance by air'."""
    return type(text) is str and ship_mode(text) != "Air" and _PART_AIR.search(text) is not None


def ruled_out(text: Any) -> set[str]:
    """The modes a vendor's ship mode only rules out: 'Not air' -> {'Air'}; 'Sea, not air' -> {'Air'}."""
    if type(text) is not str:
        return set()
    return {m for neg in _MODE_NOT.finditer(text.lower()) if (m := ship_mode(neg[1])) in _MODES}
