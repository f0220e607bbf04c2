"""What vendors say against what the tracker says: colours, quantities, FOB, fiber, COO, dates.

Two vendor sources: the Vendor WIP sheet (PO lines as each vendor reports
them) and a vendor style sheet or costing file given on the command line
(.xlsx or .csv with Style #, Color, FOB, Fiber Content, COO...). Each
difference is one finding on the tracker's cell, with the vendor's value, its
source and, where the tracker cell can simply take the vendor's value, that
value as the proposed fix (Accept on the Issues sheet applies it). Colour
names are never rewritten: the tracker's colour is on the PO and keys the
T&A, so a different vendor name is a message to the vendor.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from prodbook.core import headers
from prodbook.core.cells import CellError, DateOrder, order_shown, to_date, written_both_ways
from prodbook.core.config import Config
from prodbook.core.development import fiber, tariff
from prodbook.core.findings import Code, Finding, Fix, info, warning
from prodbook.core.keys import color_fold, near_colors, near_styles, once_each, split_colors
from prodbook.core.model.sheets import COLOR, PO_NO, STYLE_NO, C, D, I, N, SheetSpec, T, normalise_header
from prodbook.core.where import Place, records

VENDOR_STYLES = SheetSpec("Vendor Style Sheet", (
    C("Style #", "style", T, *STYLE_NO, "Buyer Style", "Buyer Style #", required=True),
    C("Color", "color", T, *COLOR),
    C("PO #", "po", T, *PO_NO),
    C("Description", "description", T, "Style Name", "Desc"),
    C("FOB", "fob", N, "FOB (USD)", "FOB USD", "FOB Price", "Unit Price", "First Cost", "Price", unit="USD"),
    C("Fiber Content", "fiber_content", T, "Fibre Content", "Composition", "Content", "Fabric Content"),
    C("COO", "coo", T, "Country of Origin", "Origin", "Made In"),
    C("HTS Code", "hts", T, "HTS", "HS Code", "Tariff Code"),
    C("Qty", "qty", I, "Quantity", "Order Qty", "PO Qty", "Units"),
    C("Ex-Factory", "ex_factory", D, "XF", "XF Date", "Ex Factory Date", "Ex-Fty", "Planned XF"),
    C("Vendor", "vendor", T, "Supplier"),
), key=("style", "color", "po"))
"""A vendor's style sheet or costing file: only Style # is needed, every other column is compared."""
COMPARED = ("fob", "fiber_content", "coo", "hts", "qty", "ex_factory", "color")


@dataclass
class VendorSheet:
    """A vendor file read into the VENDOR_STYLES fields."""

    name: str
    sheet: str
    frame: pd.DataFrame
    findings: list[Finding]


STYLE_SHEET_NEEDS = ("fob", "fiber_content", "coo", "hts")
"""A style sheet has Style # and at least one of these beside it (a WIP report has PO # and quantities)."""


APPLY = "press Apply fixes on the prodbook tab (or run 'prodbook validate <tracker> --apply')"
"""How an accepted fix is written, in the Issues' words: the button, or the command with the tracker named."""


def style_sheet_order(rows: Sequence[Sequence[Any]], data_start: int, mapped: dict[str, int], config: Config,
                      *, file: str) -> tuple[Config, list[Finding]]:
    """The settings to read a vendor style sheet with: in the date order its own dates show ('22/04/2027' can
    only be day first), as a WIP report is read, so its '03/05/2027' beside it is 3 May, not 5 March. A file
    that writes dates both ways is named, and read in the tracker's order."""
    shown: dict[DateOrder, tuple[int, str]] = {}
    columns = [c for f, c in mapped.items() if VENDOR_STYLES.column(f).kind is D]
    for r in range(data_start, len(rows)):
        for c in columns:
            v = rows[r][c] if c < len(rows[r]) else None
            if isinstance(v, str) and (o := order_shown(v)) is not None:
                shown.setdefault(o, (r + 1, v.strip()))
    where = {"file": file, "sheet": file}
    if len(shown) == 2:
        return config, [written_both_ways(shown, config.date_order, where)]
    order = next(iter(shown), config.date_order)
    if order is not config.date_order:
        row, text = shown[order]
        return replace(config, date_order=order), [info(
            Code.WIP_DATE_ORDER, f"'{text}' shows this file writes dates {order}, so every date in it was read "
            f"{order}",
            row=row, value=text, **where)]
    return config, []


def style_sheet_header(rows: Sequence[Sequence[Any]], config: Config, *, file: str
                       ) -> tuple[int, dict[str, int], list[str], list[Finding]] | None:
    """The header of a vendor style sheet / costing file, recognised by meaning (``core.headers``), the
    team's Config mappings ('Column: Vendor Style Sheet / FOB' = their header) first.

    Returns (the 0-based row its data starts at, field -> column, every column's header text, findings
    for what it left undecided), or None when these cells are not a style sheet.
    """
    lookup: dict[str, str] = {}
    for header, theirs in config.headers.get(VENDOR_STYLES.name, {}).items():
        for col in VENDOR_STYLES.columns:
            if normalise_header(col.header) == normalise_header(header) and theirs:
                lookup.setdefault(normalise_header(theirs), col.field)
    found = headers.find_header(rows, headers.STYLE_VOCABULARY, ("style",), lookup, fold=normalise_header)
    if found is None or "style" not in found.assignment.columns or \
            not found.assignment.found & set(STYLE_SHEET_NEEDS):
        return None
    a = found.assignment
    width = max(len(rows[r]) for r in range(found.first_row, found.data_start))
    texts = [""] * width
    for cell in found.cells:
        texts[cell.column] = cell.text
    notes = []
    for amb in a.ambiguous:
        names = [VENDOR_STYLES.column(f).header for f in amb.fields]
        cells = ", ".join(f"'{c.text}'" for c in amb.cells)
        verb = "was" if len(names) == 1 else "were"
        notes.append(warning(Code.WIP_HEADER, f"the header {cells} could be {' or '.join(names)} equally "
                             f"well; prodbook does not guess, so {' and '.join(names)} {verb} "
                             f"not compared. Say which on the Config sheet: 'Column: {VENDOR_STYLES.name} / "
                             f"{names[0]}' = {amb.cells[0].text.split(' / ')[-1]}", file=file,
                             row=found.data_start, value=" | ".join(c.text for c in amb.cells)))
    return found.data_start, dict(a.columns), texts, notes


# -- matching ------------------------------------------------------------------------------------

_NOT_UPPER_ALNUM = re.compile(r"[^A-Z0-9]")


def fold(v: Any) -> str:
    return _NOT_UPPER_ALNUM.sub("", str(v).upper()) if v is not None else ""


def near_style(typed: str, styles: Sequence[str]) -> list[str]:
    """The style (folded, of ``styles``) a vendor's unknown style most likely means, as a list of none or one
    (``keys.near_styles``: 'SS27-KT-1OO3' is SS27-KT-1003)."""
    return near_styles(typed, styles)[:1]


def _folds(rows: list[dict[str, Any]], field: str) -> list[str]:
    """``fold`` of one field of every row, each distinct value folded once (styles and colours repeat)."""
    return once_each([r[field] for r in rows], fold)


_LINE_READ = ("po", "style", "color", "qty", "ex_factory", "_row")
"""The Orders columns the comparisons read (boxed into a dict per PO line: only these)."""
_STYLE_READ = ("style", "fob", "fiber_content", "coo", "hts", "colors", "_row")
"""The Styles columns the comparisons read."""


def _lines(orders: list[dict[str, Any]]) -> dict[tuple[str, str, str], dict[str, Any]]:
    """The PO lines by folded (PO, style, colour)."""
    return dict(zip(zip(_folds(orders, "po"), _folds(orders, "style"), _folds(orders, "color")), orders))


def close_color(vendor: str, colors: Sequence[str]) -> str | None:
    """The tracker colour a vendor's colour name most likely means, if it is close enough (``keys.near_colors``:
    the closest of them, 'DK NAVY' is Dark Navy, not the Navy inside it)."""
    near = near_colors(vendor, colors)
    return near[0] if near else None


def _d(v: Any) -> date | None:
    """A vendor file's date as written, or the tracker's: text is read (in MDY), unreadable is None."""
    try:
        return to_date(v)
    except CellError:
        return None


def _like(tracker_text: str, code: str) -> str:
    """A country the way the tracker writes them: code if the tracker cell holds a code."""
    t = tracker_text.strip()
    return code if re.fullmatch(r"[A-Za-z]{2,3}", t) else tariff.country_name(code)


# -- comparing -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Places:
    styles: Place
    orders: Place
    wip: Place


def _show(v: Any, quote: bool = False) -> str:
    """A value as the APM reads it in the message: blank, a whole number without '.0', a date as 2027-03-15."""
    if v is None or (isinstance(v, str) and not v.strip()):
        return "(blank)"
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, datetime):
        v = v.date()
    return f"'{v}'" if quote else str(v)


def _differs(code: Code, field_words: str, place: Place, row: int, f: str, key: str, ours: Any,
             theirs: Any, source: str, proposed: Any, fix_words: str, quote: bool = False) -> Finding:
    # the cell's own value goes in Value (the Accept check compares it with the cell); the words only
    # go in the message
    return warning(code, f"the vendor has {field_words} {_show(theirs, quote)} ({source}) but the tracker has "
                   f"{_show(ours, quote)}. {fix_words}", **place.at(row, f, key=key, value=ours),
                   fix=Fix(theirs, source, proposed))


def compare_style_fields(style: dict[str, Any], vendor: dict[str, Any], source: str, place: Place
                         ) -> list[Finding]:
    """FOB, fiber content, COO and HTS of one style against one vendor row."""
    out: list[Finding] = []
    key, row = style["style"], style["_row"]
    accept = f"If the vendor is right, type Yes in Accept and {APPLY}; otherwise ask the vendor to correct " \
             "their file"
    fob, theirs = style.get("fob"), vendor.get("fob")
    if theirs is not None and (fob is None or abs(float(fob) - float(theirs)) >= 0.005):
        out.append(_differs(Code.DIFF_FOB, "FOB", place, row, "fob", key, fob,
                            theirs, source, theirs, accept))
    ours_t, theirs_t = style.get("fiber_content"), vendor.get("fiber_content")
    if theirs_t:
        a = fiber.read_fiber(str(ours_t)) if ours_t else None
        b = fiber.read_fiber(str(theirs_t))
        same = (a is not None and a.components and b.components and a.normalised() == b.normalised()) or \
            (ours_t and fold(ours_t) == fold(theirs_t))
        if not same:
            trade = [f.name for c in b.components for f in c.fibers if f.generic is None]
            if not b.ok:
                words = ("The vendor's text is not a valid fiber content either; agree the composition with the "
                         "vendor (a test report decides)")
            elif trade:
                words = (f"The vendor writes {', '.join(repr(t) for t in trade)}, which a US label may not use "
                         "alone, so it is not proposed; if the vendor's percentages are right, type them into "
                         "the tracker with generic fiber names (polyester, spandex...), otherwise ask the vendor "
                         "to correct their file")
            else:
                words = accept
            out.append(_differs(Code.DIFF_FIBER, "fiber content", place, row, "fiber_content", key,
                                ours_t, theirs_t, source, theirs_t if b.ok and not trade else None, words,
                                quote=True))
    ours_c, theirs_c = style.get("coo"), vendor.get("coo")
    if theirs_c:
        a_code, b_code = tariff.country_code(str(ours_c)) if ours_c else None, tariff.country_code(str(theirs_c))
        if b_code and a_code != b_code:
            out.append(_differs(Code.DIFF_COO, "country of origin", place, row, "coo", key, ours_c,
                                theirs_c, source, _like(str(ours_c or "x" * 5), b_code), accept))
        elif b_code is None:
            out.append(_not_compared(Code.DIFF_COO, "country of origin", theirs_c, source, place, row, "coo",
                                     key, ours_c, "it is not a country prodbook recognises; ask the vendor to "
                                     "write the country's name (Vietnam) or ISO code (VN)"))
    ours_h, theirs_h = style.get("hts"), vendor.get("hts")
    if theirs_h:
        a_h, _ = tariff.parse_hts(str(ours_h)) if ours_h else (None, None)
        b_h, _ = tariff.parse_hts(str(theirs_h))
        short = tariff.hts_digits(str(theirs_h)) if b_h is None else None
        if short and a_h is not None and not a_h.digits.startswith(short):
            out.append(_differs(Code.DIFF_HTS, "HTS code", place, row, "hts", key, ours_h, theirs_h, source,
                                None, f"The vendor gives only {len(short)} digits, and they are not the "
                                f"start of the tracker's code: a different subheading. Check with the customs "
                                "broker which is right and ask the vendor for the full 10-digit code"))
        elif b_h is None and short is None:
            out.append(_not_compared(Code.DIFF_HTS, "HTS code", theirs_h, source, place, row, "hts", key, ours_h,
                                     "it is not an HTS code prodbook can read; ask the vendor for the 10-digit "
                                     "code, e.g. 6110.20.2079"))
        if b_h and (a_h is None or a_h.digits != b_h.digits):
            dotted = "." in str(ours_h or ".")
            out.append(_differs(Code.DIFF_HTS, "HTS code", place, row, "hts", key, ours_h,
                                theirs_h, source, str(b_h) if dotted else b_h.digits,
                                "Check with the customs broker which is right; " + accept[0].lower()
                                + accept[1:]))
    return out


def _not_compared(code: Code, field_words: str, theirs: Any, source: str, place: Place, row: int, f: str,
                  key: str, ours: Any, why: str) -> Finding:
    """A vendor value that could not be compared with the tracker's, said (at info, with the field's own
    code) rather than passed over."""
    return info(code, f"the vendor's {field_words} {_show(theirs, True)} ({source}) was not compared with the "
                f"tracker's {_show(ours, True)}: {why}", **place.at(row, f, key=key, value=ours),
                fix=Fix(theirs, source))


def compare_vendor_sheet(vs: VendorSheet, styles: pd.DataFrame, orders: pd.DataFrame, places: Places
                         ) -> list[Finding]:
    """A vendor style sheet / costing file against the Styles and Orders sheets."""
    out: list[Finding] = []
    style_rows = records(styles, _STYLE_READ)
    by_style = dict(zip(_folds(style_rows, "style"), style_rows))
    lines = _lines(records(orders, _LINE_READ))
    seen: set[tuple] = set()
    file_place = Place(vs.name, vs.sheet, spec=VENDOR_STYLES)
    for v in records(vs.frame):
        if not v.get("style"):
            continue
        source = f"{vs.name} row {v['_row']}"
        s = by_style.get(fold(v["style"]))
        if s is None:
            near = near_style(fold(v["style"]), list(by_style))
            hint = f" (did they mean {by_style[near[0]]['style']}?)" if near else ""
            out.append(warning(Code.DIFF_STYLE, f"the vendor's file has style {v['style']}, which is not on "
                               f"the Styles sheet{hint}; ask the vendor which style they mean",
                               **file_place.at(v["_row"], "style", key=v["style"], value=v["style"]),
                               fix=Fix(by_style[near[0]]["style"] if near else None, "Styles sheet")))
            continue
        for f in compare_style_fields(s, v, source, places.styles):
            k = (f.code, f.key, str(f.fix.other if f.fix else None))
            if k not in seen:
                seen.add(k)
                out.append(f)
        if v.get("color"):
            out += _color_against_style(s, v["color"], source, places.styles, seen)
        if v.get("po") and v.get("color"):
            o = lines.get((fold(v["po"]), fold(v["style"]), fold(v["color"])))
            if o is not None:
                out += _line_fields(o, v.get("qty"), v.get("ex_factory"), source, places.orders,
                                    setting="'Date Order'")
    return [replace(f, found_in=vs.name) for f in out]  # open until a run reads this file again


def _color_against_style(style: dict[str, Any], color: str, source: str, place: Place, seen: set[tuple]
                         ) -> list[Finding]:
    # a colourway is one colour ('Navy/White Stripe'), though a '/' may also part two ('Navy/Black')
    ways = [c.strip() for c in re.split(r"[,;\n]", str(style.get("colors") or "")) if c.strip()]
    colors = [*ways, *split_colors(style.get("colors"))]
    if not ways or any(color_fold(c) == color_fold(color) for c in colors):
        return []
    k = (Code.DIFF_COLOR, style["style"], color_fold(color))
    if k in seen:
        return []
    seen.add(k)
    near = close_color(color, colors)
    key = style["style"]
    if near:
        return [warning(Code.DIFF_COLOR, f"the vendor calls {near} '{color}' ({source}); ask the vendor to use "
                        f"the tracker's colour name '{near}' on samples, labels and shipping documents",
                        **place.at(style["_row"], "colors", key=key, value=style.get("colors")),
                        fix=Fix(color, source))]
    return [warning(Code.DIFF_COLOR, f"the vendor has colour '{color}' ({source}), which is not a colour of "
                    f"this style ({', '.join(ways)}); ask the vendor which colour they mean",
                    **place.at(style["_row"], "colors", key=key, value=style.get("colors")),
                    fix=Fix(color, source))]


def _line_fields(o: dict[str, Any], qty: Any, xf: Any, source: str, place: Place, *, setting: str
                 ) -> list[Finding]:
    """A PO line's quantity and ex-factory against the vendor's. ``setting``: the Config row that says how the
    vendor's file writes dates, named when its date is the tracker's with day and month swapped."""
    out = []
    key = f"{o['po']} / {o['style']} / {o['color']}"
    if qty is not None and o.get("qty") is not None and int(qty) != int(o["qty"]):
        out.append(_differs(Code.DIFF_QTY, "an order quantity of", place, o["_row"], "qty", key, o["qty"], qty,
                            source, qty, f"If the PO was revised, type Yes in Accept and {APPLY}; otherwise "
                            "ask the vendor to correct it"))
    theirs, ours = _d(xf), _d(o.get("ex_factory"))
    if theirs and ours and _swapped(theirs, ours):  # 12-Aug-26 for 08-Dec-26: a date misread, not moved
        out.append(warning(Code.DIFF_XF, f"the vendor has an ex-factory date of {_show(theirs)} ({source}) but "
                           f"the tracker has {_show(ours)}: the same date with day and month swapped, so the "
                           "vendor's file was most likely read in the wrong date order (its "
                           f"{ours:%d/%m} or {ours:%m/%d} read the other way), not a new date, and it is not "
                           f"proposed for the tracker. Check the date in the vendor's file: set {setting} on the "
                           "Config sheet to the order the vendor writes (DMY day first, MDY month first) and "
                           "import the file again, or ask the vendor to write dates as dd-Mmm-yy (08-Dec-26). If "
                           f"the vendor did move the date to {_show(theirs)}, type it into Ex-Factory yourself",
                           **place.at(o["_row"], "ex_factory", key=key, value=ours), fix=Fix(theirs, source)))
    elif theirs and ours and theirs != ours:
        out.append(_differs(Code.DIFF_XF, "an ex-factory date of", place, o["_row"], "ex_factory", key, ours,
                            theirs, source, theirs, f"If the new date was agreed, type Yes in Accept and {APPLY}; "
                            "otherwise hold the vendor to the PO date"))
    return out


def _swapped(a: date, b: date) -> bool:
    """``a`` is ``b`` with its day and month swapped (12-Aug-26 and 08-Dec-26): the one date a vendor file read
    in the wrong order gives."""
    return a != b and a.year == b.year and a.month == b.day and a.day == b.month


def compare_wip(wip: pd.DataFrame, styles: pd.DataFrame, orders: pd.DataFrame, places: Places
                ) -> list[Finding]:
    """The latest Vendor WIP row of each PO line against the Orders and Styles sheets.

    Unknown PO numbers are the WIP import's to report; here: unknown styles, colour names the
    tracker does not use, order quantities and planned ex-factory dates that differ.
    """
    if not len(wip):
        return []
    out: list[Finding] = []
    known_styles = {fold(s) for s in styles["style"]} if len(styles) else set()
    order_rows = records(orders, _LINE_READ)
    pos, styles_folded = _folds(order_rows, "po"), _folds(order_rows, "style")
    lines = dict(zip(zip(pos, styles_folded, _folds(order_rows, "color")), order_rows))
    colors_of: dict[tuple[str, str], list[dict[str, Any]]] = {}
    o: dict[str, Any] | None
    for po, style, o in zip(pos, styles_folded, order_rows):
        colors_of.setdefault((po, style), []).append(o)
    w = wip.copy()
    w["_date"] = pd.to_datetime(w["report_date"], errors="coerce")
    w = w.sort_values(["_date", "_row"], na_position="first", kind="stable")
    w = w.drop_duplicates([c for c in ("po", "style", "color")], keep="last")
    seen: set[tuple] = set()
    for v in records(w):
        source = f"{places.wip.sheet} row {v['_row']}" + (f", {v['source_file']}" if v.get("source_file") else "")
        if v.get("style") and known_styles and fold(v["style"]) not in known_styles:
            out.append(warning(Code.DIFF_STYLE, f"the vendor reports style {v['style']}, which is not on the "
                               "Styles sheet; ask the vendor which style they mean",
                               **places.wip.at(v["_row"], "style", key=v["po"], value=v["style"])))
            continue
        if not v.get("style") or not v.get("color"):
            continue
        o = lines.get((fold(v["po"]), fold(v["style"]), fold(v["color"])))
        if o is None:
            same_po = colors_of.get((fold(v["po"]), fold(v["style"])), [])
            near = close_color(v["color"], [x["color"] for x in same_po])
            if near is None:
                continue  # not a PO line of the tracker: the WIP import reports it
            o = next(x for x in same_po if x["color"] == near)
            k = (Code.DIFF_COLOR, o["po"], o["style"], near, v["color"])
            if k not in seen:
                seen.add(k)
                out.append(warning(Code.DIFF_COLOR, f"the vendor calls {near} '{v['color']}' ({source}); ask "
                                   f"the vendor to use the tracker's colour name '{near}'",
                                   **places.orders.at(o["_row"], "color", key=f"{o['po']} / {o['style']} / {near}",
                                                      value=near), fix=Fix(v["color"], source)))
        out += _line_fields(o, v.get("order_qty"), v.get("planned_xf"), source, places.orders,
                            setting=f"'WIP Date Order: {v.get('vendor') or 'VENDOR'}'")
    return out


def compare_all(vendor_sheets: Sequence[VendorSheet], wip: pd.DataFrame, styles: pd.DataFrame,
                orders: pd.DataFrame, places: Places) -> list[Finding]:
    """Every discrepancy between the vendors' data and the tracker, each once."""
    out = compare_wip(wip, styles, orders, places)
    for vs in vendor_sheets:
        out += compare_vendor_sheet(vs, styles, orders, places)
    seen, unique = set(), []
    for f in out:
        k = (f.code, f.sheet, f.row, f.column, str(f.fix.other if f.fix else None))
        if k not in seen:
            seen.add(k)
            unique.append(f)
    return unique


def no_vendor_file(path: Path) -> Finding:
    return info(Code.DIFF_STYLE, f"'{path.name}' has no Style # column with FOB, Fiber Content, COO or HTS "
                "next to it, so it was not compared as a vendor style sheet", file=path.name)
