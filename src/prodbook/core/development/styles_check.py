"""Style profile rules: what a sourcing team checks before a style goes to the vendor and customs.

Pure functions over the Styles table (fields + ``_row``) and the Vendors
table; each returns findings that name the cell and say what to do. Every
rule skips a cell whose value was already reported as unreadable, so a bad
cell is reported once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pandas as pd

from prodbook.core.cells import CellError, is_blank, setting_number, to_text
from prodbook.core.development import fiber, tariff
from prodbook.core.findings import Code, Finding, error, info, warning
from prodbook.core.model.records import DROPPED_STYLE_STATUSES
from prodbook.core.model.sheets import normalise_header
from prodbook.core.where import Place, records

KNOWN_STATUSES = ("concept", "development", "in development", "proto", "sample", "adopted",
                  "approved", "in production", "carry over", "carryover", "carry-over", "on hold", "dropped",
                  "cancelled", "canceled", "inactive")
REQUIRED_BY_STATUS: dict[str, tuple[str, ...]] = {
    "adopted": ("description", "construction", "fiber_content", "colors", "size_range", "vendor",
                "factory", "coo", "hts", "fob", "retail", "adopted_date", "template"),
    "proto": ("description", "vendor"),
    "development": ("description",),
}
"""Fields a style of that status must have (Config 'Required: <Status>' lists headers instead)."""
LOCKED_FIELDS = ("construction", "fabric", "fiber_content", "colors", "vendor", "factory", "coo",
                 "hts", "fob")
"""Key fields of an adopted style: a change is flagged until accepted (Config 'Locked Fields')."""

LETTER_SIZES = ("XXXS", "XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL", "XXXXL")
_LETTER_ALIASES = {"2XS": "XXS", "3XS": "XXXS", "2XL": "XXL", "3XL": "XXXL", "4XL": "XXXXL",
                   "1X": "XL", "2X": "XXL", "3X": "XXXL", "4X": "XXXXL", "SM": "S", "MD": "M", "LG": "L"}
ONE_SIZE = frozenset({"one size", "os", "o/s", "onesize", "one-size", "n/s", "ns"})


@dataclass(frozen=True)
class StyleSettings:
    """The Config settings the style rules read, with their defaults."""

    min_margin: float = 50.0
    """Config 'Min Margin %': retail margin over FOB below this is flagged."""
    max_margin: float = 85.0
    """Config 'Max Margin %': above this, one of the two prices is probably mistyped."""
    size_ranges: frozenset[str] = frozenset()
    """Config 'Size Ranges': the team's own ranges, accepted as written (folded)."""
    required: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(REQUIRED_BY_STATUS))
    adopted: frozenset[str] = frozenset({"adopted", "approved", "in production", "carryover", "carry over",
                                         "carry-over"})
    """Config 'Adopted Statuses': statuses whose key fields are locked (a style carried over from last season is
    adopted: its fields are required and locked as an adopted one's)."""
    locked: tuple[str, ...] = LOCKED_FIELDS
    findings: tuple[Finding, ...] = ()
    """Problems with the settings themselves."""


def setting_list(value: Any) -> list[str]:
    """A Config value that lists things, split at commas, semicolons and line breaks."""
    text = to_text(value) or ""
    return [p.strip() for p in re.split(r"[,;\n]", text) if p.strip()]


MARGIN_SETTINGS = (("Min Margin %", "min_margin"), ("Max Margin %", "max_margin"))
"""The Config names of the margin limits, and the ``StyleSettings`` field each sets."""


def style_settings(get: Any, spec: Any, file: str) -> StyleSettings:
    """Settings from ``Config.get`` (name -> raw value); a bad one keeps its default and is reported."""
    kw: dict[str, Any] = {}
    found: list[Finding] = []
    for name, attr in MARGIN_SETTINGS:
        raw = get(name)
        if raw in (None, ""):
            continue
        try:
            n = setting_number(raw)
            kw[attr] = n * 100 if n is not None and 0 < n < 1 else n
        except CellError as exc:
            found.append(warning(Code.SETTING, f"setting '{name}' is not a percentage ({exc}); the "
                                 f"default {getattr(StyleSettings, attr)}% applies", file=file,
                                 sheet="Config", column="Value", value=raw))
    if get("Size Ranges"):
        kw["size_ranges"] = frozenset(_fold_size(s) for s in setting_list(get("Size Ranges")))
    by_header: dict[str, str] = {}  # every name the Styles sheet takes for a column, folded: 'FOB', 'HS Code'
    for c in spec.columns:
        for name in (c.header, *c.synonyms):
            by_header.setdefault(normalise_header(name), c.field)
    required = dict(REQUIRED_BY_STATUS)
    for status in {*KNOWN_STATUSES, *required}:
        raw = get(f"Required: {status}")
        if raw in (None, ""):
            continue
        fields: list[str] = []
        unknown: list[str] = []
        for h in setting_list(raw):
            (fields if normalise_header(h) in by_header else unknown).append(by_header.get(normalise_header(h), h))
        required[status] = tuple(fields)
        if unknown:
            found.append(warning(Code.SETTING, f"setting 'Required: {status}' names columns the Styles "
                                 f"sheet does not have: {', '.join(unknown)}", file=file,
                                 sheet="Config", column="Value", value=raw))
    kw["required"] = required
    if get("Adopted Statuses"):
        kw["adopted"] = frozenset(s.lower() for s in setting_list(get("Adopted Statuses")))
    if get("Locked Fields"):
        names = setting_list(get("Locked Fields"))
        kw["locked"] = tuple(by_header[normalise_header(h)] for h in names if normalise_header(h) in by_header)
        if unknown_locked := [h for h in names if normalise_header(h) not in by_header]:
            found.append(warning(Code.SETTING, f"setting 'Locked Fields' names columns the Styles sheet does not "
                                 f"have: {', '.join(unknown_locked)}; they are not locked. Use the Styles sheet's "
                                 "headers, such as FOB (USD) or HTS Code", file=file, sheet="Config",
                                 column="Value", value=get("Locked Fields")))
    return StyleSettings(**kw, findings=tuple(found))


def _fold_size(text: str) -> str:
    return re.sub(r"\s+", "", text.upper())


def _size_token(token: str) -> tuple[str, float] | None:
    t = token.strip().upper()
    t = _LETTER_ALIASES.get(t, t)
    if t in LETTER_SIZES:
        return "letter", float(LETTER_SIZES.index(t))
    if re.fullmatch(r"\d{1,2}(\.5)?", t):
        return "number", float(t)
    if re.fullmatch(r"0{2}", t):
        return "number", -1.0
    return None


@lru_cache(maxsize=4096)  # a season's styles share a few dozen ranges
def size_range_ok(text: str, extra: frozenset[str] = frozenset()) -> bool:
    """'XS-XL', '0-16', '28-40', 'S, M, L', 'One Size' (and the team's own list) are known ranges."""
    if text.strip().lower() in ONE_SIZE or _fold_size(text) in extra:
        return True
    tokens = [t for t in re.split(r"\s*(?:-|–|\bto\b|,|/)\s*", text.strip(), flags=re.I) if t]
    if not tokens:
        return False
    parsed = [p for t in tokens if (p := _size_token(t)) is not None]
    if len(parsed) != len(tokens) or len({p[0] for p in parsed}) != 1:  # a token that is not a size, or mixed kinds
        return False
    values = [p[1] for p in parsed]
    return all(b > a for a, b in zip(values, values[1:]))


def is_adopted(status: Any, settings: StyleSettings) -> bool:
    return isinstance(status, str) and status.strip().lower() in settings.adopted


def check_styles(styles: pd.DataFrame, vendors: pd.DataFrame, settings: StyleSettings, place: Place,
                 reported: Iterable[tuple[int, str]] = ()) -> list[Finding]:
    """Every style profile rule over the valid Styles rows.

    Args:
        styles: valid Styles rows (fields + ``_row``).
        vendors: valid Vendors rows (for the factory country).
        settings: from the Config sheet (``style_settings``).
        place: the Styles sheet, for naming cells.
        reported: (row, field) cells already reported as unreadable: not checked again.

    Returns:
        The findings, one per problem per cell; a column the sheet lacks, that styles need by their status,
        once for the sheet (``_lacking``).
    """
    skip = set(reported)
    vendor_country = _vendor_countries(vendors)
    out: list[Finding] = []
    lacking: dict[str, list[tuple[int, Any, str]]] = {}  # field -> (row, style, status as typed) needing it
    for r in records(styles):
        row, key = r["_row"], r["style"]

        def at(f: str, value: Any = None) -> dict[str, Any]:  # called within this iteration only
            return place.at(row, f, key=key, value=r.get(f) if value is None else value)  # noqa: B023

        status = (r.get("status") or "").strip().lower()
        if r.get("status") and status not in KNOWN_STATUSES and status not in settings.required:
            out.append(info(Code.STATUS_UNKNOWN, "this status is not one prodbook knows (Concept, "
                            "Development, Proto, Adopted, Dropped...); its required fields are not "
                            "checked", **at("status")))
        if status in DROPPED_STYLE_STATUSES:
            continue
        required = settings.required.get(status)
        listed = str(r.get("status") or "").strip()  # the Config row that lists them: 'Required: Adopted'
        if required is None and status in settings.adopted:
            required, listed = settings.required.get("adopted", ()), "Adopted"
        for f in required or ():
            if place.lacks(f):
                lacking.setdefault(f, []).append((row, key, listed))
            elif is_blank(r.get(f)) and (row, f) not in skip:
                out.append(error(Code.REQUIRED, f"a style with status '{r['status']}' needs "
                                 f"'{place.header(f)}'; fill it in", **at(f, "")))
        comp = None
        if not is_blank(r.get("fiber_content")) and (row, "fiber_content") not in skip:
            comp = fiber.read_fiber(r["fiber_content"])
            out += _fiber_findings(comp, at("fiber_content"))
        if not is_blank(r.get("hts")) and (row, "hts") not in skip:
            out += _hts_findings(r, comp, at)
            if not is_blank(r.get("construction")) and (row, "construction") not in skip:
                out += _construction_unknown(r, at)
        if not is_blank(r.get("coo")) and (row, "coo") not in skip:
            out += _coo_findings(r, vendor_country, at)
        out += _price_findings(r, settings, at, skip)
        size = r.get("size_range")
        if not is_blank(size) and not size_range_ok(str(size), settings.size_ranges):
            out.append(warning(Code.SIZE_RANGE, "this is not a size range prodbook knows (XS-XL, S-XXL, "
                               "0-16, 28-40, One Size...); write it as first-last size, or add the "
                               "team's ranges to Config 'Size Ranges'", **at("size_range")))
    return _lacking(lacking, place) + out


def _lacking(lacking: Mapping[str, list[tuple[int, Any, str]]], place: Place) -> list[Finding]:
    """One error a column the sheet does not have that styles need by their status (Retail for an adopted
    style), not one a style: how many need it, the first, and the Config row that stops asking."""
    out: list[Finding] = []
    for f, needing in lacking.items():
        typed: dict[str, str] = {}
        for _, _, status in needing:  # each status once, as first typed
            typed.setdefault(status.lower(), status)
        statuses = list(typed.values())
        row, style, _ = needing[0]
        header = place.header(f)
        which = " or ".join(f"'{s}'" for s in statuses)
        rows = ", ".join(f"'Required: {s}'" for s in statuses)
        many = (f"{len(needing):,} styles with status {which} need '{header}' (the first: style {style}, row "
                f"{row})" if len(needing) > 1 else f"style {style} (row {row}) has status {which}, which needs "
                f"'{header}'")
        out.append(error(Code.REQUIRED, f"{many}, but the {place.sheet} sheet has no '{header}' column: add it "
                         "and fill it in (or, if your team does not keep it, list the columns a style with status "
                         f"{which} needs, without it, in the Config row{'s' if len(statuses) > 1 else ''} {rows})",
                         file=place.file, sheet=place.sheet, row=int(row), column=header))
    return out


_FIBER_CODES = {"unreadable": (Code.FIBER_UNREADABLE, error), "total": (Code.FIBER_TOTAL, error),
                "name": (Code.FIBER_NAME, warning), "order": (Code.FIBER_ORDER, warning)}


FIBER_FINDINGS_SHOWN = 10
"""Problems of one Fiber Content cell listed one by one; the rest are counted (one finding per kind), so a
page pasted into a cell does not bury the workbook's other findings under thousands about that cell."""
_FIBER_MORE = {"unreadable": ("part prodbook cannot read", "parts prodbook cannot read"),
               "total": ("component that does not add up to 100%", "components that do not add up to 100%"),
               "name": ("fiber name that is not a generic name", "fiber names that are not generic names"),
               "order": ("component not listed from the largest share down",
                         "components not listed from the largest share down")}
"""How the count of each kind reads: (one, many)."""


def _fiber_findings(comp: fiber.Composition, where: dict[str, Any]) -> list[Finding]:
    """A finding for each of the cell's first problems, then one per kind counting the others (each kind
    keeps its code and severity, so an error further down is still an error)."""
    out: list[Finding] = []
    more: dict[str, int] = {}
    for kind, sentence in comp.problems:
        if len(out) < FIBER_FINDINGS_SHOWN:
            code, make = _FIBER_CODES[kind]
            out.append(make(code, sentence, **where))
        else:
            more[kind] = more.get(kind, 0) + 1
    for kind, n in more.items():
        code, make = _FIBER_CODES[kind]
        one, many = _FIBER_MORE[kind]
        out.append(make(code, f"and {n:,} more {one if n == 1 else many} in this cell (only the first "
                        f"{FIBER_FINDINGS_SHOWN} problems are listed one by one); check that the cell holds "
                        "this style's fiber content, correct it and validate again", **where))
    return out


def chief_family(comp: fiber.Composition, family: str) -> tuple[str | None, bool]:
    """The shell's chief-weight fiber family as the tariff weighs it against ``family``: synthetic and
    artificial fibers count together as man-made against cotton or wool (40% cotton, 35% polyester, 25%
    viscose is of man-made fibers), and apart only between the two of them."""
    chief, tie = fiber.chief_weight(comp, merge_man_made=True)
    if chief == "man-made" and not tie and family in ("synthetic", "artificial"):
        w = comp.weights(False)
        syn, art = w.get("synthetic", 0.0), w.get("artificial", 0.0)
        return ("synthetic" if syn >= art else "artificial"), abs(syn - art) < 0.01
    return chief, tie


def _family_words(comp: fiber.Composition, chief: str) -> str:
    """A chief-weight family as the APM reads it: 'other' names the shell's fiber ('linen, which the tariff
    counts among other textile materials'), not the tariff's bare word."""
    if chief not in ("other", "unknown") or comp.shell is None or not comp.shell.fibers:
        return f"{chief} fibers" if chief in ("synthetic", "artificial", "man-made") else chief
    top = max(comp.shell.fibers, key=lambda f: f.percent)
    name = (top.generic or top.name).lower()
    return f"{name}, which the tariff counts among other textile materials" if chief == "other" else name


def _hts_findings(r: Mapping[str, Any], comp: fiber.Composition | None, at: Any) -> list[Finding]:
    hts, problem = tariff.parse_hts(str(r["hts"]))
    if hts is None:
        return [error(Code.HTS_FORMAT, f"the HTS code {problem}", **at("hts"))]
    out = []
    want = tariff.construction_chapter(r.get("construction"))
    if want and hts.chapter in (tariff.KNIT_CHAPTER, tariff.WOVEN_CHAPTER) and hts.chapter != want:
        kind = "knitted or crocheted" if want == tariff.KNIT_CHAPTER else "not knitted (woven)"
        out.append(error(Code.HTS_CHAPTER, f"the style is {r['construction']} but HTS {hts} is in "
                         f"chapter {hts.chapter}; {r['construction'].lower()} apparel is chapter {want} "
                         f"({kind}). Correct the HTS code or the Construction (ask the customs broker)",
                         **at("hts")))
    elif want and hts.chapter not in (tariff.KNIT_CHAPTER, tariff.WOVEN_CHAPTER):
        out.append(warning(Code.HTS_CHAPTER, f"HTS {hts} is in chapter {hts.chapter}, not an apparel "
                           f"chapter (61 knit, 62 woven); check the code with the customs broker",
                           **at("hts")))
    material = tariff.MATERIAL_SUBHEADINGS.get(hts.subheading)
    if material and comp is not None and comp.ok:
        family, words = material
        chief, tie = chief_family(comp, family)
        if tie:
            out.append(warning(Code.HTS_FIBER, f"the shell's two largest fiber families weigh the same, "
                               f"so the heading follows the tariff's rule for equal blends; confirm HTS "
                               f"{hts} ({words}) with the customs broker", **at("hts")))
        elif chief and chief != family:
            out.append(warning(Code.HTS_FIBER, f"HTS {hts} is the subheading for garments {words}, but "
                               f"the chief weight of the fiber content is {_family_words(comp, chief)}; check "
                               f"the code with "
                               f"the customs broker (the fiber content may be wrong instead)",
                               **at("hts")))
    return out


def _construction_unknown(r: Mapping[str, Any], at: Any) -> list[Finding]:
    """A Construction that says neither knit nor woven ('Cut & sew', 'K'): the HTS chapter check cannot be
    made, and the APM is told so rather than it being left out without a word."""
    hts, _ = tariff.parse_hts(str(r["hts"]))
    if hts is None or hts.chapter not in (tariff.KNIT_CHAPTER, tariff.WOVEN_CHAPTER) or \
            not tariff.construction_says_nothing(r.get("construction")):
        return []
    return [warning(Code.HTS_CHAPTER, f"the Construction '{str(r['construction']).strip()}' does not say knit or "
                    f"woven, so HTS {hts} (chapter {hts.chapter}) could not be checked against it (chapter 61 is "
                    "knitted or crocheted apparel, 62 not knitted); type Knit or Woven in Construction",
                    **at("construction"))]


def _vendor_countries(vendors: pd.DataFrame) -> dict[str, str]:
    out = {}
    for v in records(vendors) if len(vendors) else []:
        code = None
        for f in ("country", "holiday_country"):
            if not is_blank(v.get(f)):
                code = tariff.country_code(str(v[f]))
                if code:
                    break
        if code and v.get("vendor"):
            out[str(v["vendor"]).strip().upper()] = code
    return out


def _coo_findings(r: Mapping[str, Any], vendor_country: Mapping[str, str], at: Any) -> list[Finding]:
    code = tariff.country_code(str(r["coo"]))
    if code is None:
        return [error(Code.COO_UNKNOWN, "the country of origin is not a country prodbook recognises; "
                      "write its name (Vietnam) or ISO code (VN)", **at("coo"))]
    vendor = str(r.get("vendor") or "").strip().upper()
    factory_country = vendor_country.get(vendor)
    if factory_country and factory_country != code:
        return [warning(Code.COO_VENDOR, f"the country of origin is {tariff.country_name(code)} but vendor "
                        f"{r['vendor']} is in {tariff.country_name(factory_country)} (Vendors sheet). "
                        "The COO is where the garment is cut and sewn: correct the COO, the vendor, or "
                        "note the factory that makes it", **at("coo"))]
    return []


def _price_findings(r: Mapping[str, Any], settings: StyleSettings, at: Any,
                    skip: set[tuple[int, str]]) -> list[Finding]:
    fob, retail = r.get("fob"), r.get("retail")
    out = []
    for f, v in (("fob", fob), ("retail", retail)):
        if v is not None and v == 0 and (r["_row"], f) not in skip:
            out.append(error(Code.PRICE, f"the price is 0; enter the {'first cost' if f == 'fob' else 'retail price'} "
                             "in USD", **at(f)))
    if not fob or not retail:
        return out
    if retail <= fob:
        out.append(error(Code.PRICE, f"the retail price {retail:,.2f} is not above the FOB {fob:,.2f}; one "
                         "of them is mistyped", **at("retail")))
        return out
    margin = (retail - fob) / retail * 100
    if margin < settings.min_margin:
        out.append(warning(Code.PRICE, f"the margin over FOB is {margin:.0f}%, under the {settings.min_margin:g}% "
                           "floor (Config 'Min Margin %'); check the FOB and the retail price",
                           **at("retail")))
    elif margin > settings.max_margin:
        out.append(warning(Code.PRICE, f"the margin over FOB is {margin:.0f}%, over {settings.max_margin:g}% "
                           "(Config 'Max Margin %'): a price is probably mistyped (a missing digit?)",
                           **at("fob")))
    return out


def hts_rows(styles: pd.DataFrame) -> set[int]:
    """Excel rows of styles whose HTS code has a finding (format, chapter, chief weight): the customs
    ruling check leaves them to these findings."""
    rows = set()
    place = Place("", "")
    for r in records(styles):
        if r.get("hts"):
            comp = fiber.read_fiber(r["fiber_content"]) if r.get("fiber_content") else None
            if _hts_findings(r, comp, lambda f, value=None, r=r: place.at(r["_row"], f)):
                rows.add(int(r["_row"]))
    return rows
