"""A sheet's colour rules, validations and links as Excel gives them, for the look at what reads a moved row by
its place (``xlsx.by_place.LinkCheck.rules``, ``LinkCheck.jumps``).

Excel gives a rule's formula (``FormatCondition.Formula1``, ``Validation.Formula1``) as seen from the cell
selected at the time, not from the first cell the rule covers: a relative row comes back moved by wherever the
selection is (Microsoft's article 895562). A fixed row ($K$16) comes back as typed, and that is what Excel puts
in a rule when the APM clicks a cell of another sheet while writing it. So the check trusts only fixed rows here
(``fixed_only``); the file back end reads the rules' own text and trusts both.

A few calls of Excel's object model (COM on Windows); an Excel that answers otherwise (macOS, or a rule with
no formula) gives no rule, and nothing is named: this only informs. ``tests/fakexl.py`` behaves as Excel does.
"""

from __future__ import annotations

from typing import Any

from prodbook.workbook.xlsx.by_place import COLOUR_RULE, VALIDATION_RULE

CELL_TYPE_ALL_VALIDATION = -4174
"""Excel's ``xlCellTypeAllValidation``, for ``Range.SpecialCells``."""


def rule_formulas(sheet: Any) -> list[tuple[str, str, str]]:
    """(what the rule is, the cells it applies to as a sqref, its formula) of each of the sheet's colour
    rules and validations."""
    out: list[tuple[str, str, str]] = []
    try:
        conditions = sheet.api.Cells.FormatConditions
        for i in range(1, int(conditions.Count) + 1):
            rule = conditions.Item(i)
            out += [(COLOUR_RULE, _sqref(rule.AppliesTo.Address), f) for f in _formulas(rule)]
    except Exception:  # noqa: BLE001 - an Excel that does not say: nothing named
        pass
    try:
        areas = sheet.api.Cells.SpecialCells(CELL_TYPE_ALL_VALIDATION).Areas
    except Exception:  # noqa: BLE001 - Excel raises when the sheet has no validation
        return out
    for i in range(1, int(areas.Count) + 1):
        try:
            area = areas.Item(i)
            out += [(VALIDATION_RULE, _sqref(area.Address), f) for f in _formulas(area.Validation)]
        except Exception:  # noqa: BLE001 - an area of several rules: Excel will not say one
            continue
    return out


def link_targets(sheet: Any) -> list[tuple[int, int, str]]:
    """(row, 0-based column, where it goes) of each of the sheet's links to a place in the workbook (Insert >
    Link, Excel's ``Hyperlink.SubAddress``; one to a file or web page has none)."""
    try:
        links = list(sheet.api.Hyperlinks)
    except Exception:  # noqa: BLE001 - an Excel that does not give them (macOS): nothing named
        return []
    out = []
    for link in links:
        try:
            place = str(link.SubAddress or "")
            if place:
                out.append((int(link.Range.Row), int(link.Range.Column) - 1, place))
        except Exception:  # noqa: BLE001 - a link Excel will not describe
            continue
    return out


def _formulas(rule: Any) -> list[str]:
    """A rule's formulas without their '=' (a rule of another kind, a data bar, has none: Excel raises)."""
    out = []
    for name in ("Formula1", "Formula2"):
        try:
            text = getattr(rule, name)
        except Exception:  # noqa: BLE001
            continue
        if isinstance(text, str) and text.startswith("="):
            out.append(text[1:])
    return out


def _sqref(address: str) -> str:
    """Excel's address ('$B$4:$B$9,$D$2') as the file writes a rule's cells ('B4:B9 D2')."""
    return str(address).replace("$", "").replace(",", " ")


__all__ = ["link_targets", "rule_formulas"]
