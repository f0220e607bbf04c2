"""A sheet's data validation rules, as the file keeps them: which rule covers a cell, and where a list's
entries are.

Excel writes a rule as ``<dataValidation type=... sqref="J2:J500"><formula1>...</formula1>`` after the
sheet's rows, or, for a list kept on another sheet (Excel 2010 on), inside the sheet's extension list as
``<x14:dataValidation>`` with ``<xm:f>`` and ``<xm:sqref>``. A list's entries are typed in the rule
(``"Vietnam,China"``) or are the cells of a range, named directly or through a defined name: the caller
reads those cells (``ListSource``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from prodbook.core.cell_rules import CellRule, RuleKind
from prodbook.core.cells import is_blank
from prodbook.workbook.xlsx.refs import cell_area
from prodbook.workbook.xlsx.xmltext import _attr, _unesc, flag

_RULE = re.compile(r"<(\w+:|)dataValidation\b([^>]*?)(?:/>|>(.*?)</\1dataValidation>)", re.S)
_FORMULA = re.compile(r"<(?:\w+:)?formula([12])>\s*(?:<(?:\w+:)?f>)?(.*?)(?:</(?:\w+:)?f>)?\s*</(?:\w+:)?formula\1>",
                      re.S)
_SQREF = re.compile(r"<(?:\w+:)?sqref>(.*?)</(?:\w+:)?sqref>", re.S)
_SHEET_REF = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!(.+)$")


@dataclass(frozen=True)
class ListSource:
    """The cells a list rule takes its entries from: a sheet (None: the rule's own) and an area."""

    sheet: str | None
    area: tuple[int, int, int, int]
    """(first row, first column, last row, last column): rows 1-based, columns 0-based."""


@dataclass(frozen=True)
class SheetRule:
    rule: CellRule
    areas: tuple[tuple[int, int, int, int], ...]
    source: ListSource | None = None
    """Where a list's entries are, when they are cells (the caller reads them into ``rule.choices``)."""


def _inline(formula: str) -> tuple[str, ...] | None:
    """'"Vietnam,China"' -> its entries; None when the formula is not an inline list."""
    f = formula.strip()
    if len(f) < 2 or not (f.startswith('"') and f.endswith('"')):
        return None
    return tuple(x.strip() for x in f[1:-1].replace('""', '"').split(","))


def list_source(formula: str, names: dict[str, str]) -> ListSource | None:
    """The cells a list formula names ('Lists!$A$2:$A$40', '$K$2:$K$9', a defined name); None for anything
    else (INDIRECT, OFFSET), which is not judged."""
    f = formula.strip().lstrip("=")
    f = names.get(f.casefold(), f).strip().lstrip("=")
    sheet = None
    m = _SHEET_REF.match(f)
    if m:
        sheet, f = (m.group(1).replace("''", "'") if m.group(1) else m.group(2)), m.group(3)
    area = cell_area(f)
    return None if area is None else ListSource(sheet, area)


def defined_names(workbook_xml: str) -> dict[str, str]:
    """The workbook's defined names (folded case) and what each refers to."""
    return {(_attr(m.group(1), "name") or "").casefold(): _unesc(m.group(2))
            for m in re.finditer(r"<(?:\w+:)?definedName\b([^>]*)>(.*?)</(?:\w+:)?definedName>", workbook_xml, re.S)}


def sheet_rules(sheet_xml: str, names: dict[str, str], date1904: bool) -> list[SheetRule]:
    """Every rule of a sheet (after its rows, and in its extension list: a cell's text never holds '<')."""
    out = []
    for m in _RULE.finditer(sheet_xml):
        attrs, inner = m.group(2), m.group(3) or ""
        try:
            kind = RuleKind(_attr(attrs, "type") or "none")
        except ValueError:
            continue
        formulas = {n: _unesc(f) for n, f in _FORMULA.findall(inner)}
        sqref = _attr(attrs, "sqref") or " ".join(_SQREF.findall(inner))
        areas = tuple(a for ref in sqref.split() if (a := cell_area(ref)) is not None)
        choices = source = None
        if kind is RuleKind.LIST and "1" in formulas:
            choices = _inline(formulas["1"])
            if choices is None:
                source = list_source(formulas["1"], names)
        enforced = flag(attrs, "showErrorMessage") and (_attr(attrs, "errorStyle") or "stop") == "stop"
        rule = CellRule(kind, _attr(attrs, "operator") or "between", formulas.get("1"), formulas.get("2"),
                        choices, enforced, date1904)
        out.append(SheetRule(rule, areas, source))
    return out


def list_entries(values: Iterable[Any]) -> tuple[str, ...]:
    """A list rule's entries from the cells it names, as Excel compares them: blanks left out, a whole
    number without '.0' (calamine and Excel give 5 as 5.0)."""
    out = []
    for v in values:
        if is_blank(v):
            continue
        out.append(str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip())
    return tuple(out)


def rule_at(rules: list[SheetRule], row: int, col: int) -> SheetRule | None:
    """The rule over a cell (row 1-based, column 0-based): Excel keeps one a cell, the first found here."""
    for r in rules:
        if any(r1 <= row <= r2 and c1 <= col <= c2 for r1, c1, r2, c2 in r.areas):
            return r
    return None


__all__ = ["ListSource", "SheetRule", "defined_names", "list_entries", "list_source", "rule_at", "sheet_rules"]
