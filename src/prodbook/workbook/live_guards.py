"""What guards a sheet open in Excel, asked of Excel itself: its protection, its cells' Locked, their Data
Validation rules; and unprotecting prodbook's own sheet around a write, then protecting it again as it was.

Kept apart from the back end (``xlbook``) because each is a few calls of Excel's object model (COM on
Windows, appscript on macOS) that only Excel can prove; ``tests/fakexl.py`` behaves as Excel does for each.
"""

from __future__ import annotations

from typing import Any

from prodbook.core.cell_rules import CellRule, RuleKind
from prodbook.workbook.backend import SheetProtection
from prodbook.workbook.xlsx.data_validation import list_entries, list_source

_ALLOWED = ("AllowFormattingCells", "AllowFormattingColumns", "AllowFormattingRows", "AllowInsertingColumns",
            "AllowInsertingRows", "AllowInsertingHyperlinks", "AllowDeletingColumns", "AllowDeletingRows",
            "AllowSorting", "AllowFiltering", "AllowUsingPivotTables")
"""What Review > Protect Sheet lets people do (Excel's ``Protection`` object), kept across the write."""

_VALIDATION_TYPES = {1: RuleKind.WHOLE, 2: RuleKind.DECIMAL, 3: RuleKind.LIST, 4: RuleKind.DATE, 5: RuleKind.TIME,
                     6: RuleKind.TEXT_LENGTH, 7: RuleKind.CUSTOM}
"""Excel's ``XlDVType`` (0, any value, is no rule)."""
_VALIDATION_OPERATORS = {1: "between", 2: "notBetween", 3: "equal", 4: "notEqual", 5: "greaterThan", 6: "lessThan",
                         7: "greaterThanOrEqual", 8: "lessThanOrEqual"}
"""Excel's ``XlFormatConditionOperator``, named as the file names them."""


def sheet_protection(sht: Any) -> SheetProtection | None:
    """Whether the sheet is protected; Excel does not tell whether with a password (None then)."""
    api = sht.api
    try:
        protected = bool(api.ProtectContents)  # Windows (COM)
    except Exception:
        try:
            protected = bool(api.protect_contents.get())  # macOS (appscript)
        except Exception:
            return None
    return SheetProtection(password=None) if protected else None


def locked(rng: Any) -> bool:
    """A cell's Locked (Format Cells > Protection); not told: locked, Excel's default."""
    try:
        return bool(rng.api.Locked)
    except Exception:
        return True


def protect_options(api: Any) -> dict[str, Any]:
    """The arguments of ``Worksheet.Protect`` that protect the sheet as it is now."""
    allowed = api.Protection
    return {"DrawingObjects": bool(api.ProtectDrawingObjects), "Contents": True,
            "Scenarios": bool(api.ProtectScenarios), "UserInterfaceOnly": bool(api.ProtectionMode),
            **{name: bool(getattr(allowed, name)) for name in _ALLOWED}}


def protect_again(opened: list[tuple[Any, dict[str, Any]]]) -> None:
    """Protect each sheet unprotected for the write as it was (no password: it had none)."""
    for sht, options in opened:
        sht.api.Protect(**options)


def cell_rule(sheets: Any, sheet: str, row: int, column: int, date1904: bool) -> CellRule | None:
    """The cell's data validation rule (``Range.Validation``); None where it has none or this Excel does not
    say. A list's entries are read from the cells it names."""
    try:
        v = sheets[sheet].range((row, column + 1)).api.Validation
        kind = _VALIDATION_TYPES.get(int(v.Type))
        if kind is None:
            return None
        first, second = str(v.Formula1 or ""), str(v.Formula2 or "")
        operator = _VALIDATION_OPERATORS.get(int(v.Operator or 1), "between")
        enforced = bool(v.ShowError) and int(v.AlertStyle) == 1  # xlValidAlertStop
    except Exception:  # no rule on the cell: Excel raises on reading its Type
        return None
    choices = _list_entries(sheets, sheet, first) if kind is RuleKind.LIST else None
    return CellRule(kind, operator, first.lstrip("=") or None, second.lstrip("=") or None, choices, enforced,
                    date1904)


def _list_entries(sheets: Any, sheet: str, formula: str) -> tuple[str, ...] | None:
    """A list rule's entries: typed in it ('Vietnam,China'), or the cells it names ('=Lists!$A$2:$A$9')."""
    if not formula.startswith("="):
        return tuple(x.strip() for x in formula.split(","))
    source = list_source(formula, {})
    if source is None:
        return None
    r1, c1, r2, c2 = source.area
    try:
        values = sheets[source.sheet or sheet].range((r1, c1 + 1), (r2, c2 + 1)).options(ndim=2).value
        return list_entries(x for row in values for x in row)
    except Exception:
        return None


__all__ = ["cell_rule", "locked", "protect_again", "protect_options", "sheet_protection"]
