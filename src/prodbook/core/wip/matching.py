"""A vendor row matched to one PO line of the Orders sheet: tolerant of case, spaces, leading zeros and colour
names (Grey/Gray, 'Navy' for 'Navy Blue'), never guessing: no line or two lines is a finding."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from typing import Any

import pandas as pd

from prodbook.core.cells import (
    day_of,
)
from prodbook.core.findings import Code, Finding, info, warning
from prodbook.core.keys import fold_ref, fold_word, style_vendors
from prodbook.core.wip.values import cell_text

_COLOR_WORDS = {"grey": "gray", "gry": "gray", "blk": "black", "bk": "black", "nvy": "navy", "nav": "navy",
                "wht": "white", "wh": "white", "dk": "dark", "drk": "dark", "lt": "light", "lgt": "light",
                "hthr": "heather", "htr": "heather", "hth": "heather", "red": "red", "grn": "green",
                "brn": "brown", "blu": "blue", "ylw": "yellow", "org": "orange", "pnk": "pink",
                "prpl": "purple", "olv": "olive", "chrcl": "charcoal", "char": "charcoal",
                "ivry": "ivory", "khk": "khaki", "mlt": "melange", "mel": "melange", "colour": "", "color": ""}


@lru_cache(maxsize=65536)
def color_tokens(text: str) -> tuple[str, ...]:
    """Colour words, folded: 'NAVY-BLUE' -> ('navy', 'blue'); 'Hthr Grey 021' -> ('heather', 'gray')."""
    words = re.split(r"[^a-z]+", fold_word(text).lower().replace("&", " and "))  # 'Crème' as typed on a Mac
    return tuple(w for w in (_COLOR_WORDS.get(w, w) for w in words) if w and w != "and")


@lru_cache(maxsize=65536)
def color_codes(text: str) -> frozenset[str]:
    """A colour's numbers, leading zeros off: 'Hthr Grey 021' -> {'21'}; 'Blue 19-4052 TCX' -> {'19', '4052'}."""
    return frozenset(n.lstrip("0") or "0" for n in re.findall(r"[0-9]+", fold_word(text)))  # '４１９' is 419


def color_match(theirs: str, ours: str) -> int:
    """How well a vendor's colour fits ours: 3 same words, 2 same words in another order, 1 one's words
    contain the other's ('Navy' / 'Navy Blue'), 0 no match."""
    codes = color_codes(theirs), color_codes(ours)
    if all(codes) and codes[0] != codes[1]:
        return 0  # 'Navy 419' is not 'Navy 410': a colour code, when both give one, must agree
    a, b = color_tokens(theirs), color_tokens(ours)
    if not a or not b:
        return 3 if fold_ref(theirs) == fold_ref(ours) and fold_ref(ours) else 0
    if "".join(a) == "".join(b):
        return 3
    if sorted(a) == sorted(b):
        return 2
    if set(a) <= set(b) or set(b) <= set(a):
        return 1
    return 0


@dataclass(frozen=True)
class OrderLine:
    po: str
    style: str
    color: str
    vendor: str | None
    qty: int | None
    po_date: date | None = None
    """The Orders sheet's PO Date: a report dated before it was misread (``doubtful_report_date``)."""
    ex_factory: date | None = None
    """The Orders sheet's Ex-Factory: the reading of a file's 08/12/2026 its Planned XF agree with
    (``date_order.file_date_order``)."""


class OrderIndex:
    """The Orders sheet's PO lines, by folded PO number."""

    def __init__(self, lines: Iterable[OrderLine]) -> None:
        self.by_po: dict[str, list[OrderLine]] = {}
        for line in lines:
            self.by_po.setdefault(fold_ref(line.po), []).append(line)

    @classmethod
    def from_frames(cls, orders: pd.DataFrame, styles: pd.DataFrame) -> OrderIndex:
        vendor_of = style_vendors(styles)
        return cls(OrderLine(str(o["po"]), str(o["style"]), str(o["color"]),
                             _clean(vendor_of.get(fold_ref(o["style"]))), _int(o.get("qty")),
                             day_of(o.get("po_date")), day_of(o.get("ex_factory")))
                   for o in orders.to_dict("records"))


def _clean(v: Any) -> str | None:
    return None if v is None or (isinstance(v, float) and v != v) else str(v)


def _int(v: Any) -> int | None:
    return None if v is None or (isinstance(v, float) and v != v) else int(v)


@dataclass(frozen=True)
class Match:
    line: OrderLine | None
    finding: Finding | None = None


def match_row(values: Mapping[str, Any], index: OrderIndex, *, file: str, sheet: str | None,
              row: int) -> Match:
    """The one PO line a vendor row is about, or a finding saying why there is none."""
    po, style, color = values.get("po"), values.get("style"), values.get("color")
    ref = " / ".join(str(v) for v in (po, style, color) if v)
    where = {"file": file, "sheet": file, "row": row, "key": ref}
    candidates = index.by_po.get(fold_ref(po), [])
    if not candidates and (base := _without_line_suffix(po, index)):
        return _read_as(match_row({**values, "po": base}, index, file=file, sheet=sheet, row=row), po, base,
                        where)
    if not candidates:
        return Match(None, warning(Code.WIP_UNMATCHED, f"PO {po} is not on the Orders sheet, so this row was "
                                   "not imported; check the PO number with the vendor", column="PO #",
                                   value=ref, **where))
    if style:
        same = [c for c in candidates if fold_ref(c.style) == fold_ref(style)]
        if not same:
            styles = ", ".join(sorted({c.style for c in candidates}))
            alike = sorted({c.style for c in candidates if _as_digits(c.style) == _as_digits(style)})
            hint = (f": it differs from {alike[0]} only in a letter O or I typed for a zero or a one, or the "
                    "other way round" if alike else "")
            return Match(None, warning(Code.WIP_UNMATCHED, f"style {style} is not on PO {po} (the PO has "
                                       f"{styles}), so this row was not imported{hint}. Ask the vendor to "
                                       "correct the style number", column="Style #", value=ref, **where))
        candidates = same
    if not color:
        if len(candidates) == 1:
            return Match(candidates[0])
        colors = ", ".join(c.color for c in candidates)
        return Match(None, warning(Code.WIP_AMBIGUOUS, f"the row has no colour and PO {po} has several "
                                   f"({colors}); not imported. Ask the vendor for one row per colour",
                                   column="Color", value=ref, **where))
    scored = [(color_match(str(color), c.color), c) for c in candidates]
    best = max((s for s, _ in scored), default=0)
    top = [c for s, c in scored if s == best and s > 0]
    if len(top) == 1:
        found = None
        if best == 1:
            found = info(Code.WIP_AMBIGUOUS, f"colour '{color}' was read as '{top[0].color}', the only colour "
                         f"of PO {po} / {top[0].style} it fits", column="Color", value=ref, **where)
        return Match(top[0], found)
    if not top:
        colors = ", ".join(c.color for c in candidates)
        return Match(None, warning(Code.WIP_UNMATCHED, f"colour '{color}' is not on PO {po} (the PO line"
                                   f"{'s have' if len(candidates) > 1 else ' has'} {colors}), so this row "
                                   "was not imported", column="Color", value=ref, **where))
    colors = ", ".join(c.color for c in top)
    return Match(None, warning(Code.WIP_AMBIGUOUS, f"colour '{color}' could be any of {colors} on PO {po}; "
                               "not imported rather than guessed. Ask the vendor for the exact colour "
                               "name", column="Color", value=ref, **where))


def _as_digits(style: Any) -> str:
    """A style number with the letters typed for digits (O for 0, I for 1) read as those digits."""
    return fold_ref(style).upper().translate(str.maketrans("OI", "01"))


_LINE_SUFFIX = re.compile(r"\s*(.*\d{5,})\s*[-/_.]\s*(?:l|ln|line)?\s*\d{1,3}\s*", re.I)
"""A PO written with its line number: '4500012345-1', '4500012345/01', '4500012345-L2'."""


def _without_line_suffix(po: Any, index: OrderIndex) -> str | None:
    """The PO of a '4500012345-1' the Orders sheet does not have, when it has '4500012345'."""
    m = _LINE_SUFFIX.fullmatch(cell_text(po))
    return m[1] if m and fold_ref(m[1]) in index.by_po else None


def _read_as(m: Match, po: Any, base: str, where: Mapping[str, Any]) -> Match:
    """A match made on the PO without its line suffix, saying so."""
    said = (f"PO {po} was read as PO {base} (the '{str(po).strip()[len(base):].strip()}' after it taken as the "
            f"line number; the Orders sheet has no PO {po})")
    if m.finding is not None:
        return replace(m, finding=replace(m.finding, message=f"{m.finding.message} ({said})"))
    return Match(m.line, info(Code.WIP_UNMATCHED, said, column="PO #", value=where.get("key"), **where))


_SPLIT_QTY = ("order_qty", "cut_qty", "sewn_qty", "packed_qty")


def read_splits(rows: list[dict[str, Any]], index: OrderIndex, findings: list[Finding], file: str
                ) -> list[dict[str, Any]]:
    """Rows of one PO line that are the parts of a split shipment, read as the line: the figures added up, the
    latest Revised XF kept (the line ships when its last part does), a part flown on a sea order written as
    such ('Sea / 500 pcs by air', which ``exceptions.ship_mode_changed`` reads as a part by air), and a
    note naming the rows. Parts are rows of one report (matched rows, one sheet, no Size column) that differ in
    Ship Mode or Revised XF and whose Order Qty adds up to the PO line's Qty. Any other repeat of a line (the
    same date and mode, or more than the order) is left as it is, for the reader to name as a duplicate."""
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, r in enumerate(rows):
        groups.setdefault((fold_ref(r.get("po")), fold_ref(r.get("style")), str(r.get("color")).upper(),
                           r.get("_sheet"), r.get("report_date")), []).append(i)
    merged: dict[int, dict[str, Any]] = {}
    dropped: set[int] = set()
    for (po, style, _color, _sheet, _report), at in groups.items():
        parts = [rows[i] for i in at]
        line = next((ln for ln in index.by_po.get(po, ()) if fold_ref(ln.style) == style
                     and str(ln.color).upper() == str(parts[0].get("color")).upper()), None)
        if len(parts) < 2 or line is None or not _is_split(parts, line.qty):
            continue
        merged[at[0]] = _merge_parts(parts)
        dropped.update(at[1:])
        findings.append(info(Code.WIP_SPLIT, _split_note(parts, merged[at[0]], line), file=file,
                             sheet=parts[0].get("_sheet", file), row=parts[0].get("_row"),
                             value=parts[0].get("_raw"), key=f"{line.po} / {line.style} / {line.color}"))
    return [merged.get(i, r) for i, r in enumerate(rows) if i not in dropped]


def _is_split(parts: list[dict[str, Any]], qty: int | None) -> bool:
    if qty is None or qty <= 0 or any(p.get("_size") for p in parts):
        return False  # size rows are added up by the reader as sizes
    marks = [(day_of(p.get("revised_xf")), _mode_of(p.get("ship_mode"))) for p in parts]
    if len(set(marks)) < len(marks):
        return False  # two parts the same date and the same mode: a duplicate, not a split
    theirs = [q for p in parts if isinstance(q := p.get("order_qty"), (int, float)) and q > 0]
    return len(theirs) == len(parts) and sum(theirs) == qty


def _mode_of(text: Any) -> str:
    """The ship mode a part names, roughly (Air, or the text folded): which parts fly."""
    t = fold_word(cell_text(text)).lower()
    return "air" if re.search(r"\bair\b|courier|express|\bdhl\b|\bfed\s?ex\b|\bups\b", t) and "sea" not in t else t


def _merge_parts(parts: list[dict[str, Any]]) -> dict[str, Any]:
    out, once = dict(parts[0]), []
    sizes = [p["order_qty"] for p in parts]
    for f in _SPLIT_QTY:
        got = [p[f] for p in parts if isinstance(p.get(f), (int, float))]
        if f != "order_qty" and len(got) == len(parts) and len(set(got)) == 1 and min(sizes) * 1.05 < got[0] <= sum(
                sizes):  # the line's figure on every part (more than a part holds, within the order): once
            out[f] = got[0]
            once.append(f"{f.removesuffix('_qty').capitalize()} {int(got[0]):,}")
            continue
        out[f] = sum(got) if got else out.get(f)
    out["_taken_once"] = once
    for f in ("planned_xf", "revised_xf"):
        days = [d for p in parts if (d := day_of(p.get(f))) is not None]
        out[f] = max(days) if days else out.get(f)
    for f in ("fabric_status", "booking_status", "remarks"):
        words: list[str] = []
        for p in parts:
            if (w := cell_text(p.get(f))) and w not in words:
                words.append(w)
        out[f] = " / ".join(words) or out.get(f)
    out["ship_mode"] = _split_mode(parts)
    return out


def _split_mode(parts: list[dict[str, Any]]) -> Any:
    """The Ship Mode of the line: one mode as written; a part flown beside another mode as 'Sea / 500 pcs by
    air'; other mixes as written, joined."""
    texts = [cell_text(p.get("ship_mode")) for p in parts]
    if len({_mode_of(t) for t in texts}) == 1:
        return parts[0].get("ship_mode")
    flown = sum(p["order_qty"] for p, t in zip(parts, texts) if _mode_of(t) == "air")
    rest = [t for t in texts if _mode_of(t) != "air" and t]
    if flown and rest:
        return f"{' / '.join(dict.fromkeys(rest))} / {flown:,} pcs by air"
    return " / ".join(dict.fromkeys(t for t in texts if t)) or None


def _split_note(parts: list[dict[str, Any]], line_row: Mapping[str, Any], line: OrderLine) -> str:
    def part(p: Mapping[str, Any]) -> str:
        mode, xf = cell_text(p.get("ship_mode")), day_of(p.get("revised_xf"))
        return (f"row {p.get('_row')}: {int(p['order_qty']):,}" + (f" by {mode}" if mode else "")
                + (f", ex-factory {xf:%d-%b-%y}" if xf else ""))
    xf = day_of(line_row.get("revised_xf"))
    return (f"PO line {line.po} / {line.style} / {line.color} is reported in {len(parts)} rows ("
            + "; ".join(part(p) for p in parts) + f") whose quantities add up to the order of {line.qty:,}: read "
            "as a split shipment, the quantities added up" + (f" and the later ex-factory {xf:%d-%b-%y} kept" if xf
                                                               else "")
            + "".join(f"; {w} is given on every row: taken once" for w in line_row.get("_taken_once", ()))
            + ". If the rows are not parts of one shipment, ask the vendor which one is right")
