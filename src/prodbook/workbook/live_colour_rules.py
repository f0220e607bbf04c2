"""The colour rules an earlier prodbook wrote on a sheet open in Excel, brought up to date: the add-in's side of
``xlsx.colour_rules``, on a commit that writes the sheet anyway.

``looks.rules_to_update`` decides, from each rule as Excel gives it; here are only the calls of Excel's object
model (COM, on Windows): ``Worksheet.Cells.FormatConditions`` (``Count``, ``Item(i)`` in priority order), a
rule's ``Type`` (2, ``xlExpression``: one formula), ``Formula1`` and ``AppliesTo``, and ``FormatCondition.Modify``,
which changes the formula of the rule itself: its cells, its place in the order and its colours stay.

Excel reads and writes a rule's formula as seen from the active cell (``Application.ActiveCell``), not from the
first cell the rule covers (Microsoft's article 895562): a relative row comes back moved by the selection. So
each formula is moved from the active cell to the rule's first cell before it is compared, and the new one moved
back before it is written (``Translator``, the same move Excel's ``ConvertFormula`` makes through R1C1). Only an
exact match is changed, so an active cell Excel did not read from can only leave the rules alone: the text read
moved by another origin is not prodbook's, and a rule recognised is written back through the same origin.

A Mac's Excel (appscript) answers to none of these names: nothing is changed there, and nothing is said; the
file back end (``prodbook refresh`` on the closed file) brings such a tracker up to date. ``tests/fakexl.py``
behaves as Excel does for each call.
"""

from __future__ import annotations

from typing import Any

from openpyxl.formula.translate import Translator, TranslatorError
from openpyxl.utils import get_column_letter

from prodbook.core.looks import FoundRule, RulePlace, retired_for, rules_to_update
from prodbook.workbook.live_links import _sqref

EXPRESSION = 2
"""Excel's ``xlExpression``: a rule of the 'Use a formula to determine which cells to format' kind."""


def _moved(formula: str, origin: tuple[int, int], to: tuple[int, int]) -> str | None:
    """``formula`` (with or without its '=') as seen from the cell ``to`` rather than ``origin`` (row, column),
    without its '='; None where a reference would leave the sheet (Excel would wrap it: not prodbook's)."""
    text = formula if formula.startswith("=") else "=" + formula
    try:
        moved = Translator(text, origin=f"{get_column_letter(origin[1])}{origin[0]}").translate_formula(
            f"{get_column_letter(to[1])}{to[0]}")
    except (TranslatorError, ValueError):
        return None
    return moved[1:]


def bring_up_to_date(sheet: Any, app: Any, place: RulePlace) -> bool:
    """The rules of ``sheet`` (an xlwings Sheet) that an earlier prodbook wrote, as ``place`` says its columns
    read, changed to the current ones in place; whether any was. ``app``: the xlwings App (its active cell).
    An Excel that does not answer (a Mac's, no active cell) changes nothing."""
    if not retired_for(place.sheet):
        return False
    try:
        active = app.api.ActiveCell
        origin = (int(active.Row), int(active.Column))
        conditions = sheet.api.Cells.FormatConditions
        count = int(conditions.Count)
    except Exception:  # noqa: BLE001 - an Excel that does not say (a Mac's): the rules stay as they are
        return False
    found: list[FoundRule] = []
    rules: list[tuple[Any, tuple[int, int]]] = []
    for i in range(1, count + 1):
        rule, first, sqref, formula = None, (1, 1), "", None
        try:
            rule = conditions.Item(i)
            cells = rule.AppliesTo
            first, sqref = (int(cells.Row), int(cells.Column)), _sqref(cells.Address)
            if int(rule.Type) == EXPRESSION:
                formula = _moved(str(rule.Formula1), origin, first)
        except Exception:  # noqa: BLE001 - a rule Excel will not describe (no formula): not prodbook's
            formula = None
        found.append(FoundRule(sqref, formula))
        rules.append((rule, first))
    changed = False
    for i, text in rules_to_update(place, found).items():
        rule, first = rules[i]
        seen = _moved(text, first, origin)  # the current rules read their own row: always on the sheet
        if seen is None:
            continue
        try:
            rule.Modify(Type=EXPRESSION, Formula1="=" + seen)
        except Exception:  # noqa: BLE001 - the rest stay: the next run finds them as they are and goes on
            break
        changed = True
    return changed


__all__ = ["bring_up_to_date"]
