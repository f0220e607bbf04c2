"""Vendor headers recognised by meaning, not by a list of exact spellings.

Vendors name the same column a dozen ways: "REVISED EX-FTY", "Rev. XF",
"New Ex-Fac Date", "Latest ETD", "XF (revised)"; and two-row headers put half
of the meaning in a group word above ("Ex-Factory" over "Planned | Revised").
A header is normalised (case, accents, punctuation, units such as "(pcs)"),
split into words and scored against each field's vocabulary:

- **concepts**: what the column is about (ex-factory = xf / ex-fty / ex-fac /
  etd / ship date...); one must be present;
- **qualifiers**: words that fit the field (revised / rev / new / latest for
  Revised XF; planned / original / contract / PO for Planned XF; qty, date);
- **needs**: qualifiers the field cannot do without (Revised XF needs one of
  its words; a bare "XF" is the planned date);
- **against**: words that rule the field out ("Sewing Input" is not Sewn Qty,
  "PO Date" is not the PO number).

The score is the share of the header's words the field explains. A column
goes to a field only with a score of at least ``ACCEPT`` that beats its next
field by ``MARGIN``; a field goes to its best column only when that column
beats the next one by ``MARGIN``. Anything closer is ``Ambiguous``: the
caller reports it and imports nothing for that field. Never a silent guess.

The vocabularies live here, in ``WIP_VOCABULARY`` and ``STYLE_VOCABULARY``:
add a vendor's new word to the field's tuple (and a case to
tests/test_headers.py). Pure functions; no file access.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

ACCEPT = 0.6
"""The least share of a header's words a field must explain ("Cut Qty Today": 2 of 3 is enough)."""
MARGIN = 0.25
"""How far the best must be ahead of the next to count as clearly better."""
NEUTRAL = frozenset({"pcs", "pc", "pieces", "piece", "units", "unit", "prs", "pairs", "usd", "us", "eur",
                     "gbp", "kg", "kgs", "the", "of", "in"})
"""Units and filler: they neither help nor hurt a score ("Order Qty (pcs)" is "Order Qty")."""
_NUMBER_WORDS = re.compile(r"\b(number|num|nbr|no|nr)\b\.?")
_WORDS = re.compile(r"[a-z0-9]+|#|%")


@dataclass(frozen=True)
class Vocab:
    """One field's words. Each entry is a phrase: words that must stand together, in order."""

    field: str
    concepts: tuple[str, ...]
    """What the column is about; at least one must appear in the header (or its group word)."""
    qualifiers: tuple[str, ...] = ()
    """Words that fit this field: they explain the header's other words."""
    needs: tuple[str, ...] = ()
    """If given, one of these must appear too (Revised XF needs 'revised', 'new', 'latest'...)."""
    against: tuple[str, ...] = ()
    """Words that rule this field out."""


def _p(*phrases: str) -> tuple[str, ...]:
    return phrases


XF = _p("xf", "ex factory", "exfactory", "ex fty", "exfty", "ex fac", "exfac", "x fty", "xfty", "x factory",
        "ex f", "ex fact", "etd", "ship date", "shipment date", "shipping date", "ex mill date")
REVISED = _p("revised", "rev", "revision", "new", "latest", "updated", "update", "current", "amended",
             "re confirmed", "reconfirmed", "expected", "forecast", "estimated", "est", "delayed", "proposed",
             "confirmed", "vendor", "supplier", "fty factory", "xf factory", "factory xf", "factory etd",
             "etd factory", "factory ex fty")
"""The vendor's own, current date: 'Delayed XF', 'Proposed Ex-Fty', 'Confirmed XF', 'Ex-Fty (Factory)'
beside 'Ex-Fty (Buyer)'. 'Factory' only next to the date word: 'Ex Factory' alone is the planned date."""
PLANNED = _p("planned", "plan", "original", "orig", "contract", "contractual", "po", "initial", "buyer")
DATE = _p("date", "dt", "dte")
QTY = _p("qty", "qnty", "quantity", "quantities", "qtys", "pcs", "total")
NOT_CUMULATIVE = _p("balance", "bal", "remaining", "short", "excess", "%", "percent", "pct", "ratio",
                    "today", "daily", "day", "days", "target", "diff", "difference", "variance", "delay",
                    "value", "amount", "price", "cost")
"""Words that make a number column something other than the running quantity."""
STAGES = _p("cut", "cutting", "sewn", "sewing", "sew", "stitched", "stitching", "packed", "pack", "packing",
            "finished", "finishing", "ship", "shipped", "shipping", "input", "loading", "output", "carton",
            "ctn", "ctns")
XF_NOT = _p("actual", "act", "in dc", "dc", "eta", "arrival", "cancel", "booking", "po date")

_PO = Vocab("po", _p("po", "po #", "purchase order", "order #", "p o", "purchase order #", "buyer po", "cpo",
                     "customer po"),
            _p("#", "ref", "reference", "buyer", "customer", "line"),
            against=_p(*QTY, *DATE, *XF, "value", "amount", "status", "style", "color", "colour", "mode"))
_STYLE = Vocab("style", _p("style", "article", "item", "model", "sku"),
               _p("#", "code", "ref", "reference", "buyer", "vendor", "factory", "id"),
               against=_p("name", "description", "desc", "qty", "color", "colour"))
_COLOR = Vocab("color", _p("color", "colour", "col", "colorway", "colourway", "clr", "shade"),
               _p("name", "code", "description", "desc", "#"),
               against=_p("qty", "quantity", "approval", "status", "date", "lab dip"))
_VENDOR = Vocab("vendor", _p("vendor", "supplier"), _p("code", "name", "id"),
                against=_p("style", "#", "ref", "price", "remarks", "comments"))
_ORDER_QTY = Vocab("order_qty", _p("order", "po qty", "qty", "quantity", "order qty", "ord qty"),
                   _p(*QTY, "po", "ordered", "total", "ord"),
                   against=_p("#", *STAGES, *NOT_CUMULATIVE, *DATE, "ref", "status", "mode"))
_CUT = Vocab("cut_qty", _p("cut", "cutting", "cut qty"), _p(*QTY, "total", "done", "cum", "cumulative"),
             against=_p(*DATE, *NOT_CUMULATIVE, "sewn", "sewing", "packed", "finished", "input", "plan",
                        "planned"))
_SEWN = Vocab("sewn_qty", _p("sewn", "sewing", "sew", "stitched", "stitching", "sewing output", "sewing out",
                             "sew output", "line output"),
              _p(*QTY, "output", "out", "total", "done", "completed", "cum", "cumulative"),
              against=_p(*DATE, *NOT_CUMULATIVE, "input", "in", "loading", "load", "cut", "cutting",
                         "packed", "plan", "planned", "line"))
_PACKED = Vocab("packed_qty", _p("packed", "pack", "packing", "finished", "finish", "finishing"),
                _p(*QTY, "output", "total", "done", "goods", "cum", "cumulative"),
                against=_p(*DATE, *NOT_CUMULATIVE, "list", "ctn", "ctns", "carton", "cartons", "cut",
                           "sewn", "plan", "planned", "status", "instruction", "instructions"))
_FABRIC = Vocab("fabric_status", _p("fabric", "fab", "fabrics"),
                _p("status", "stat", "position", "in house", "inhouse", "availability"),
                against=_p(*DATE, *QTY, "eta", "content", "composition", "type", "description", "mill",
                           "consumption", "weight", "gsm", "width", "cost", "price"))
_PLANNED = Vocab("planned_xf", XF, _p(*PLANNED, *DATE),
                 against=_p(*REVISED, *XF_NOT))
_REVISED = Vocab("revised_xf", XF, _p(*REVISED, *DATE), needs=REVISED,
                 against=_p(*PLANNED, *XF_NOT))
_MODE = Vocab("ship_mode", _p("ship mode", "mode", "shipment mode", "shipping mode", "ship via", "via",
                              "freight mode", "transport mode", "mode of shipment", "shipment by", "ship by",
                              "mode of transport"),
              _p("shipment", "shipping", "ship", "freight", "transport", "of"),
              against=_p(*DATE, "status", "booking"))
_BOOKING = Vocab("booking_status", _p("booking", "forwarder booking", "so status", "shipping order"),
                 _p("status", "forwarder", "fwd", "fwdr", "confirmed", "confirmation", "space"),
                 against=_p(*DATE, "#", "ref", "number", "qty"))
_REMARKS = Vocab("remarks", _p("remarks", "remark", "comments", "comment", "notes", "note", "rmks", "rmk"),
                 _p("vendor", "factory", "supplier", "general", "production", "status", "other"))

WIP_VOCABULARY: tuple[Vocab, ...] = (_PO, _STYLE, _COLOR, _VENDOR, _ORDER_QTY, _CUT, _SEWN, _PACKED, _FABRIC,
                                     _PLANNED, _REVISED, _MODE, _BOOKING, _REMARKS)
"""The fields of a vendor WIP report (Report Date and Source File come from the file itself)."""

STYLE_VOCABULARY: tuple[Vocab, ...] = (
    replace(_STYLE, against=_p("name", "description", "desc", "qty", "color", "colour", "status")),
    _COLOR, _PO,
    Vocab("description", _p("description", "desc", "style name", "style description", "item name",
                            "item description"), _p("style", "item", "product")),
    Vocab("fob", _p("fob", "first cost", "unit price", "price", "fob price", "cost"),
          _p("usd", "unit", "price", "final", "quoted"), against=_p("retail", "msrp", "landed", "duty")),
    Vocab("fiber_content", _p("fiber content", "fibre content", "composition", "content", "fabric content",
                              "fiber", "fibre", "fabrication"),
          _p("fabric", "fiber", "fibre", "%", "shell", "main"), against=_p("weight", "gsm")),
    Vocab("coo", _p("coo", "country of origin", "origin", "made in", "country"), _p("of", "country"),
          against=_p("port", "destination")),
    Vocab("hts", _p("hts", "hts code", "hs code", "hs", "tariff", "tariff code", "htsus"),
          _p("code", "#", "no", "classification")),
    replace(_ORDER_QTY, field="qty", concepts=(*_ORDER_QTY.concepts, "units")),
    replace(_PLANNED, field="ex_factory"),
    _VENDOR,
)
"""The fields of a vendor style sheet / costing file (``discrepancies.VENDOR_STYLES``)."""


# --- words ------------------------------------------------------------------------------------------

@lru_cache(maxsize=1 << 14)
def words(text: str) -> tuple[str, ...]:
    """A header's words: accents, case and punctuation folded, 'No.' / 'Number' as '#'.

    'REVISED EX-FTY' -> ('revised', 'ex', 'fty'); 'Order Qty (pcs)' -> ('order', 'qty', 'pcs');
    'Colour Nº' -> ('colour', '#').
    """
    s = re.sub(r"(?i)\bn?[º°]", " no ", str(text))
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).lower().replace("\n", " ")
    s = _NUMBER_WORDS.sub(" # ", s)
    return tuple(_WORDS.findall(s))


@lru_cache(maxsize=4096)
def _phrase(text: str) -> tuple[str, ...]:
    return words(text)


def _find(tokens: Sequence[str], phrases: Sequence[str]) -> set[int]:
    """Positions of ``tokens`` covered by any of the phrases."""
    hit: set[int] = set()
    for p in phrases:
        ph = _phrase(p)
        n = len(ph)
        for i in range(len(tokens) - n + 1):
            if tuple(tokens[i:i + n]) == ph:
                hit.update(range(i, i + n))
    return hit


def _has(tokens: Sequence[str], phrases: Sequence[str]) -> bool:
    return bool(phrases) and bool(_find(tokens, phrases))


@lru_cache(maxsize=1 << 15)
def score(vocab: Vocab, core: tuple[str, ...], context: tuple[str, ...] = ()) -> float:
    """How well ``vocab`` explains a header: 0 (not this field) to 1 (every word fits).

    ``core`` is the header cell's own words; ``context`` the group word above it in a two-row header,
    which can supply the concept or a qualifier but is not itself scored ('Ex-Factory' over 'Remarks' is
    Remarks).
    """
    if not core:
        return 0.0
    both = (*context, "|", *core)  # '|' keeps phrases from running across the two cells
    if not _has(both, vocab.concepts) or _has(both, vocab.against):
        return 0.0
    if vocab.needs and not _has(both, vocab.needs):
        return 0.0
    counted = [i for i, t in enumerate(core) if t not in NEUTRAL] or list(range(len(core)))
    explained = _find(core, (*vocab.concepts, *vocab.qualifiers))
    return sum(i in explained for i in counted) / len(counted)


# --- a header row -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    """One header column: its words, the group word above it, and the text to show the APM."""

    column: int
    text: str
    core: tuple[str, ...]
    context: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ambiguous:
    """A field two or more columns fit equally well, or a column that fits two fields equally well."""

    fields: tuple[str, ...]
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Assignment:
    columns: dict[str, int]
    """field -> 0-based column."""
    texts: dict[int, str]
    """column -> header text as the vendor wrote it."""
    ambiguous: tuple[Ambiguous, ...] = ()

    @property
    def found(self) -> set[str]:
        """Fields the row names: assigned or ambiguous (either way, this row is the header)."""
        return set(self.columns) | {f for a in self.ambiguous for f in a.fields}


def assign(cells: Sequence[Cell], vocabulary: Sequence[Vocab], fixed: Mapping[str, int] = {}
           ) -> Assignment:
    """Columns to fields by meaning. ``fixed``: field -> column mappings the team made (Config), which win."""
    taken_cols = set(fixed.values())
    texts = {c.column: c.text for c in cells if c.column in taken_cols}
    best_of: dict[int, tuple[str, float]] = {}
    ambiguous: list[Ambiguous] = []
    for cell in cells:
        if cell.column in taken_cols:
            continue
        scored = sorted(((score(v, cell.core, cell.context), v.field) for v in vocabulary
                         if v.field not in fixed), reverse=True)
        if not scored or scored[0][0] < ACCEPT:
            continue
        (s1, f1), s2 = scored[0], scored[1][0] if len(scored) > 1 else 0.0
        if s1 - s2 < MARGIN:
            ambiguous.append(Ambiguous(tuple(f for s, f in scored if s1 - s < MARGIN), (cell,)))
            continue
        best_of[cell.column] = (f1, s1)
    columns = dict(fixed)
    by_field: dict[str, list[tuple[float, Cell]]] = {}
    cell_at = {c.column: c for c in cells}
    for col, (f, s) in best_of.items():
        by_field.setdefault(f, []).append((s, cell_at[col]))
    for f, options in by_field.items():
        options.sort(key=lambda o: -o[0])
        if len(options) > 1 and options[0][0] - options[1][0] < MARGIN:
            top = options[0][0]
            ambiguous.append(Ambiguous((f,), tuple(c for s, c in options if top - s < MARGIN)))
            continue
        columns[f] = options[0][1].column
        texts[options[0][1].column] = options[0][1].text
    return Assignment(columns, texts, tuple(ambiguous))


def _text(v: Any) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    return str(v).strip()


def one_row_cells(row: Sequence[Any]) -> list[Cell]:
    return [Cell(c, t, words(t)) for c, v in enumerate(row) if (t := _text(v))]


def two_row_cells(top: Sequence[Any], sub: Sequence[Any], spans: Mapping[int, int] = {}) -> list[Cell]:
    """A two-row header's columns: each cell under a group word composed with it.

    ``spans``: top-row column -> last column of its merged range (a group word merged across). A group
    word not merged spans the blank top cells to its right that have a cell under them.
    """
    top_t = [_text(v) for v in top]
    sub_t = [_text(v) for v in sub]
    width = max(len(top_t), len(sub_t))
    out: list[Cell] = []
    group, group_end = "", None
    for c in range(width):
        p = top_t[c] if c < len(top_t) else ""
        s = sub_t[c] if c < len(sub_t) else ""
        if p:
            group, group_end = p, spans.get(c)
        elif group and not (c <= group_end if group_end is not None else bool(s)):
            group = ""
        parent = p or group
        if not s:
            if p:
                out.append(Cell(c, p, words(p)))
        elif not parent or s == parent:  # no group word, or one cell merged down over both rows
            out.append(Cell(c, s, words(s)))
        else:
            out.append(Cell(c, f"{parent} / {s}", words(s), words(parent)))
    return out


@dataclass(frozen=True)
class HeaderFound:
    """Where a header is and what its columns mean."""

    first_row: int
    """0-based index of the (first) header row."""
    height: int
    """1, or 2 for a two-row header."""
    assignment: Assignment
    cells: tuple[Cell, ...] = field(default=())

    @property
    def data_start(self) -> int:
        return self.first_row + self.height


Merge = tuple[tuple[int, int], tuple[int, int]]


def find_header(rows: Sequence[Sequence[Any]], vocabulary: Sequence[Vocab], required: Sequence[str],
                fixed_by_text: Mapping[str, str] = {}, *, merged: Sequence[Merge] = (),
                scan: int = 25, fold: Any = None) -> HeaderFound | None:
    """The row (or pair of rows) among the first ``scan`` that names the most fields, the required ones
    among them. ``fixed_by_text``: folded header text -> field (Config mappings; ``fold`` folds a text the
    same way), which win over meaning."""
    best: tuple[int, HeaderFound | None] = (0, None)
    for r in range(min(len(rows), scan)):
        if not any(_text(v) for v in rows[r]):
            continue
        one = candidate(one_row_cells(rows[r]), vocabulary, fixed_by_text, fold)
        n1 = len(one.found)
        if set(required) <= one.found and n1 > best[0]:
            height = 2 if r + 1 < len(rows) and _repeats(rows[r], rows[r + 1]) else 1
            best = (n1, HeaderFound(r, height, one, tuple(one_row_cells(rows[r]))))
        if r + 1 >= len(rows) or not n1:  # a title line above the header is no group word
            continue
        spans = {c1: c2 for (r1, c1), (r2, c2) in merged if r1 == r and r2 == r and c2 > c1}
        cells = two_row_cells(rows[r], rows[r + 1], spans)
        two = candidate(cells, vocabulary, fixed_by_text, fold)
        n2 = len(two.found)
        wins = n2 > n1 or (n2 == n1 and _words_only(rows[r + 1]) and any(
            c.context and two.columns.get(f) == c.column for c in cells for f in two.columns))
        if set(required) <= two.found and n2 >= best[0] and (n2 > best[0] or best[1] is None or
                                                            best[1].first_row == r) and wins:
            best = (n2, HeaderFound(r, 2, two, tuple(cells)))
    return best[1]


def _repeats(row: Sequence[Any], below: Sequence[Any]) -> bool:
    """The row below is the header's own cells merged down over it (nothing but copies of the header)."""
    cells = [(c, _text(v)) for c, v in enumerate(below) if _text(v)]
    return bool(cells) and all(c < len(row) and _text(row[c]) == t for c, t in cells)


def _words_only(row: Sequence[Any]) -> bool:
    """A row of words without a digit: a header's second row ('Planned | Revised'), not data."""
    cells = [v for v in row if _text(v)]
    return bool(cells) and all(isinstance(v, str) and not any(ch.isdigit() for ch in v) for v in cells)


def candidate(cells: list[Cell], vocabulary: Sequence[Vocab], fixed_by_text: Mapping[str, str],
              fold: Any) -> Assignment:
    """``cells`` assigned to fields, the team's mappings (``fixed_by_text``, header text -> field) first."""
    fixed: dict[str, int] = {}
    if fixed_by_text and fold is not None:
        for cell in cells:
            parts = [p.strip() for p in cell.text.split(" / ")]
            options = [cell.text, " ".join(parts), " ".join(reversed(parts)), parts[-1]]
            for option in options:
                f = fixed_by_text.get(fold(option))
                if f and f not in fixed:
                    fixed[f] = cell.column
                    break
    return assign(cells, vocabulary, fixed)
