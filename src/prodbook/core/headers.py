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
tests/test_headers.py). Chinese and Vietnamese header words are read as their English ones through
``CJK_GLOSSARY`` and ``VI_GLOSSARY`` ('裁剪数' is 'cut qty'). Pure functions; no file access.
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
ALONE = 0.7
"""A header's score for a field it names only by a concept of ``Vocab.alone`` ('Commit Date' alone as Revised
XF): enough to take the field (``ACCEPT``), not to tie with a header naming it plainly ('Revised XF' beside)."""
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
    alone: tuple[str, ...] = ()
    """Concepts that say what ``needs`` asks on their own ('Commit Date' is the factory's revised date): a header
    of one and nothing of ``needs`` scores ``ALONE`` of its share, so a column naming the field plainly wins."""


def _p(*phrases: str) -> tuple[str, ...]:
    return phrases


XF = _p("xf", "ex factory", "exfactory", "ex fty", "exfty", "ex fac", "exfac", "x fty", "xfty", "x factory",
        "ex f", "ex fact", "etd", "ship date", "shipment date", "shipping date", "ex mill date")
REVISED = _p("revised", "rev", "revision", "new", "latest", "updated", "update", "current", "amended",
             "re confirmed", "reconfirmed", "expected", "forecast", "estimated", "est", "delayed", "proposed",
             "confirmed", "vendor", "supplier", "fty factory", "xf factory", "factory xf", "factory etd",
             "etd factory", "factory ex fty", "factory", "fty", "commit", "committed", "commitment", "delay", "now",
             "commited", "comitted", "comited", "committment", "commitement")
"""The vendor's own, current date: 'Delayed XF', 'Delay XF', 'Proposed Ex-Fty', 'Confirmed XF', 'Commit XF'
(the factory's commitment; 'Commited XF', 'Comitted XF' as vendors spell it), 'Ex-Fty Now', 'Ex-Fty (Factory)'
beside 'Ex-Fty (Buyer)', 'Factory' under 'Ex-Factory' beside 'Buyer'. A word counts only outside the date
word's own ('factory' of 'Ex Factory'): 'Ex Factory' alone is the planned date (``score``)."""
COMMIT_DATE = _p("commit date", "commitment date", "committed date", "commit dt", "commited date", "comitted date")
"""A factory's commit date ('Fty Commit Date', 'Commit Date' alone): the date it now promises to ship, the
revised ex-factory. Alone it yields to a column naming Revised XF plainly (``Vocab.alone``)."""
PLANNED = _p("planned", "plan", "original", "orig", "contract", "contractual", "po", "initial", "buyer")
DATE = _p("date", "dt", "dte")
QTY = _p("qty", "qnty", "quantity", "quantities", "qtys", "pcs", "total")
NOT_CUMULATIVE = _p("balance", "bal", "remaining", "short", "excess", "%", "percent", "pct", "ratio",
                    "today", "daily", "day", "days", "target", "diff", "difference", "variance", "delay",
                    "value", "amount", "price", "cost")
"""Words that make a number column something other than the running quantity."""
ACTUAL = _p("actual", "act", "actl", "achieved", "achievement", "done", "completed", "complete")
"""The vendor's achieved figure under a stage ('Cutting' over 'Plan | Actual', 'Target | Done'): the
quantity. The plan beside it is ruled out ('plan', 'planned' and 'target' are against every stage)."""
STAGES = _p("cut", "cutting", "sewn", "sewing", "sew", "stitched", "stitching", "packed", "pack", "packing",
            "finished", "finishing", "ship", "shipped", "shipping", "input", "loading", "output", "carton",
            "ctn", "ctns")
XF_NOT = _p("actual", "act", "in dc", "dc", "eta", "arrival", "cancel", "booking", "po date", "day", "days",
            "wk", "wks", "week", "weeks", "reason", "reasons", "cause", "fabric", "fab", "trim", "trims", "yarn",
            "sample", "samples")
"""Not the ex-factory date: 'Actual XF' (shipped), 'XF Delay Days', 'Delay Reason', 'Fabric Commit Date'."""

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
_CUT = Vocab("cut_qty", _p("cut", "cutting", "cut qty"), _p(*QTY, *ACTUAL, "total", "cum", "cumulative"),
             against=_p(*DATE, *NOT_CUMULATIVE, "sewn", "sewing", "packed", "finished", "input", "plan",
                        "planned"))
_SEWN = Vocab("sewn_qty", _p("sewn", "sewing", "sew", "stitched", "stitching", "sewing output", "sewing out",
                             "sew output", "line output"),
              _p(*QTY, *ACTUAL, "output", "out", "total", "cum", "cumulative"),
              against=_p(*DATE, *NOT_CUMULATIVE, "input", "in", "loading", "load", "cut", "cutting",
                         "packed", "plan", "planned", "line"))
_PACKED = Vocab("packed_qty", _p("packed", "pack", "packing", "finished", "finish", "finishing"),
                _p(*QTY, *ACTUAL, "output", "total", "goods", "cum", "cumulative"),
                against=_p(*DATE, *NOT_CUMULATIVE, "list", "ctn", "ctns", "carton", "cartons", "cut",
                           "sewn", "plan", "planned", "status", "instruction", "instructions"))
_FABRIC = Vocab("fabric_status", _p("fabric", "fab", "fabrics"),
                _p("status", "stat", "position", "in house", "inhouse", "availability"),
                against=_p(*DATE, *QTY, "eta", "content", "composition", "type", "description", "mill",
                           "consumption", "weight", "gsm", "width", "cost", "price"))
_PLANNED = Vocab("planned_xf", XF, _p(*PLANNED, *DATE),
                 against=_p(*REVISED, *XF_NOT))
_REVISED = Vocab("revised_xf", _p(*XF, *COMMIT_DATE),
                 _p(*REVISED, *DATE, "actual expected", "actual or expected", "actual est"), needs=REVISED,
                 against=_p(*PLANNED, *(w for w in XF_NOT if w not in ("actual", "act"))), alone=COMMIT_DATE)
"""'Actual XF' alone is no field (it needs a word of ``REVISED``); 'Actual/Expected XF' is the vendor's date."""
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


# --- Chinese and Vietnamese factory words -------------------------------------------------------------

CJK_GLOSSARY: dict[str, str] = {
    # PO, style, colour
    "订单号": "po #", "订单编号": "po #", "订单号码": "po #", "采购单号": "po #", "訂單號": "po #",
    "订单": "order", "訂單": "order", "款号": "style #", "款式号": "style #", "款式编号": "style #",
    "款號": "style #", "货号": "style #", "款式": "style", "颜色": "color", "顏色": "color", "色号": "color code",
    "色號": "color code", "编号": "#", "編號": "#", "号": "#", "號": "#",
    # quantities and stages
    "数量": "qty", "數量": "qty", "数": "qty", "數": "qty", "件数": "qty", "箱数": "ctns", "箱": "ctn",
    "裁剪": "cut", "裁床": "cut", "开裁": "cut", "裁片": "cut", "裁": "cut",
    "车缝": "sewing", "車縫": "sewing", "缝制": "sewing", "縫製": "sewing", "缝纫": "sewing", "上线": "input",
    "包装": "packing", "包裝": "packing", "装箱": "packing", "裝箱": "packing", "装箱单": "packing list",
    "包装单": "packing list", "完成": "done", "已完成": "done", "累计": "cum", "累計": "cum",
    "计划": "plan", "計劃": "plan", "实际": "actual", "實際": "actual", "目标": "target", "目標": "target",
    "今日": "today", "当日": "today", "欠数": "balance", "余数": "balance", "结余": "balance", "差数": "balance",
    "合计": "total", "总计": "total", "總計": "total", "百分比": "%",
    # dates
    "出货日期": "ex factory date", "出厂日期": "ex factory date", "出貨日期": "ex factory date",
    "出廠日期": "ex factory date", "出货": "ex factory", "出厂": "ex factory", "出貨": "ex factory",
    "出廠": "ex factory", "出货数": "shipped qty", "出货数量": "shipped qty", "出货量": "shipped qty",
    "已出货": "shipped", "出货港": "port", "交期": "xf date", "日期": "date", "新": "new", "最新": "latest",
    "更新": "updated", "修改": "revised", "原": "original", "原定": "original", "到货": "in house", "到厂": "in house",
    # ship mode, fabric, booking, remarks
    "运输方式": "ship mode", "運輸方式": "ship mode", "出货方式": "ship mode", "出貨方式": "ship mode",
    "方式": "mode", "面料": "fabric", "布料": "fabric", "成分": "composition", "克重": "gsm", "门幅": "width",
    "状态": "status", "狀態": "status", "状况": "status", "情况": "status", "订舱": "booking", "訂艙": "booking",
    "备注": "remarks", "備註": "remarks", "备注说明": "remarks", "供应商": "supplier", "工厂": "factory",
}
"""Chinese (simplified and traditional) words of factory WIP headers -> English header words. The longest
is read first: '订单号' is the PO number, '订单数量' the order quantity. Add a vendor's new word here."""
_CJK_WORDS = re.compile("|".join(sorted(map(re.escape, CJK_GLOSSARY), key=len, reverse=True)))

VI_GLOSSARY: dict[str, str] = {
    "so po": "po #", "so don hang": "po #", "ma don hang": "po #", "ma hang": "style #", "ma sp": "style #",
    "ma san pham": "style #", "mau sac": "color", "so luong": "qty", "sl": "qty", "don hang": "order",
    "so luong cat": "cut qty", "sl cat": "cut qty", "da cat": "cut done", "so luong may": "sewn qty",
    "sl may": "sewn qty", "may xong": "sewn done", "da may": "sewn done", "dong goi": "packed",
    "dong thung": "packed", "xuat xuong": "ex factory", "xuat hang": "ex factory", "ke hoach": "plan",
    "thuc te": "actual", "ban dau": "original", "phuong thuc van chuyen": "ship mode",
    "hinh thuc van chuyen": "ship mode", "ghi chu": "remarks", "tinh trang": "status", "trang thai": "status",
    "nha cung cap": "supplier", "xong": "done", "hoan thanh": "done",
}
"""Vietnamese phrases of factory WIP headers, accents folded ('Số lượng cắt' -> 'so luong cat')."""
VI_WORDS: dict[str, str] = {"mau": "color", "cat": "cut", "may": "sewing", "vai": "fabric", "ngay": "date",
                            "moi": "new", "goc": "original"}
"""Single Vietnamese words read so only in a header written with Vietnamese accents."""
_VI_PHRASES = re.compile(r"\b(?:" + "|".join(p.replace(" ", r"\s+") for p in sorted(VI_GLOSSARY, key=len,
                                                                                      reverse=True)) + r")\b")
_VI_WORDS = re.compile(r"\b(?:" + "|".join(VI_WORDS) + r")\b")
_VIETNAMESE_LETTERS = re.compile("[ăâđêôơưĂÂĐÊÔƠƯàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ]",
                                 re.I)


# --- words ------------------------------------------------------------------------------------------

@lru_cache(maxsize=1 << 14)
def words(text: str) -> tuple[str, ...]:
    """A header's words: accents, case and punctuation folded, 'No.' / 'Number' as '#'.

    'REVISED EX-FTY' -> ('revised', 'ex', 'fty'); 'Order Qty (pcs)' -> ('order', 'qty', 'pcs');
    'Colour Nº' -> ('colour', '#'). Chinese and Vietnamese factory words read as their English ones
    ('新出货日期' -> ('new', 'ex', 'factory', 'date'), 'Số lượng cắt' -> ('qty', 'cut')); Chinese the glossary
    does not know is left out, as before.
    """
    s = _CJK_WORDS.sub(lambda m: f" {CJK_GLOSSARY[m[0]]} ", unicodedata.normalize("NFKC", str(text)))
    vietnamese = bool(_VIETNAMESE_LETTERS.search(s))
    s = re.sub(r"(?i)\bn?[º°]", " no ", s).replace("đ", "d").replace("Đ", "D")
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).lower().replace("\n", " ")
    s = _VI_PHRASES.sub(lambda m: f" {VI_GLOSSARY[' '.join(m[0].split())]} ", s)
    if vietnamese:  # 'Cắt', 'Màu' alone: without the accents, 'Cat' (category) and 'May' (the month) are English
        s = _VI_WORDS.sub(lambda m: f" {VI_WORDS[m[0]]} ", s)
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


def _has_apart(tokens: Sequence[str], phrases: Sequence[str], concept: set[int]) -> bool:
    """Does any phrase stand in ``tokens`` other than inside the concept's own words? The 'factory' of
    'Ex Factory' names the date; a 'Factory' of its own (under 'Ex-Factory') says whose date it is."""
    for p in phrases:
        ph = _phrase(p)
        n = len(ph)
        for i in range(len(tokens) - n + 1):
            if tuple(tokens[i:i + n]) == ph and not set(range(i, i + n)) <= concept:
                return True
    return False


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
    concept = _find(both, vocab.concepts)
    if not concept or _has_apart(both, vocab.against, concept):
        return 0.0
    share = 1.0
    if vocab.needs and not _has_apart(both, vocab.needs, concept):
        if not _has(both, vocab.alone):
            return 0.0
        share = ALONE  # 'Commit Date' alone: the field, unless a header names it plainly
    counted = [i for i, t in enumerate(core) if t not in NEUTRAL] or list(range(len(core)))
    explained = _find(core, (*vocab.concepts, *vocab.qualifiers))
    return share * sum(i in explained for i in counted) / len(counted)


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
