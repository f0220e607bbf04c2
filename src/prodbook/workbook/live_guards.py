"""What guards a sheet open in Excel, asked of Excel itself: its protection, its cells' Locked, their Data
Validation rules; and unprotecting prodbook's own sheet around a write, then protecting it again as it was.

Kept apart from the back end (``xlbook``) because each is a few calls of Excel's object model (COM on
Windows, appscript on macOS) that only Excel can prove; ``tests/fakexl.py`` behaves as Excel does for each, and
as a Mac's Excel does when made with ``mac=True``. A guard asked by its Windows name alone would fall back in
silence on a Mac (every cell locked, no rule ever, a read-only tracker written): ``ask`` tries both names.
"""

from __future__ import annotations

from typing import Any

from openpyxl.utils import get_column_letter

from prodbook.core.cell_rules import CellRule, RuleKind
from prodbook.core.findings import UserError
from prodbook.workbook.backend import SheetProtection
from prodbook.workbook.xlsx.data_validation import list_entries, list_source

_ALLOWED = ("AllowFormattingCells", "AllowFormattingColumns", "AllowFormattingRows", "AllowInsertingColumns",
            "AllowInsertingRows", "AllowInsertingHyperlinks", "AllowDeletingColumns", "AllowDeletingRows",
            "AllowSorting", "AllowFiltering", "AllowUsingPivotTables")
"""What Review > Protect Sheet lets people do (Excel's ``Protection`` object), kept across the write."""

_VALIDATION_TYPES = {"whole_number": RuleKind.WHOLE, "decimal": RuleKind.DECIMAL, "list": RuleKind.LIST,
                     "date": RuleKind.DATE, "time": RuleKind.TIME, "text_length": RuleKind.TEXT_LENGTH,
                     "custom": RuleKind.CUSTOM}
"""xlwings' ``DataValidation.type`` ("none" is no rule; "unknown" is Excel's "Any value" with an input message)."""
_VALIDATION_OPERATORS = {"between": "between", "not_between": "notBetween", "equal_to": "equal",
                         "not_equal_to": "notEqual", "greater_than": "greaterThan", "less_than": "lessThan",
                         "greater_than_or_equal": "greaterThanOrEqual", "less_than_or_equal": "lessThanOrEqual"}
"""xlwings' ``DataValidation.operator``, named as the file names them."""


def ask(api: Any, windows: str, mac: str) -> Any:
    """A property of Excel's object model by its COM name (Windows), else by its AppleScript name through
    appscript (a Mac: a reference to ``get``). Raises where Excel answers to neither."""
    try:
        return getattr(api, windows)
    except Exception as first:
        try:
            return getattr(api, mac).get()
        except Exception:
            raise first from None


def sheet_protection(sht: Any) -> SheetProtection | None:
    """Whether the sheet is protected; Excel does not tell whether with a password (None then)."""
    try:
        protected = bool(ask(sht.api, "ProtectContents", "protect_contents"))
    except Exception:
        return None
    return SheetProtection(password=None) if protected else None


def locked(rng: Any) -> bool:
    """A cell's Locked (Format Cells > Protection); not told, or mixed over a range: locked, Excel's default."""
    try:
        return ask(rng.api, "Locked", "locked") is not False
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
    """The cell's data validation rule, through xlwings' ``Range.data_validation`` (the same on Windows and a
    Mac; it says "none" for a cell without one); None where it has none. A list's entries are read from the
    cells it names. Excel failing to say is not taken as "no rule": the run is refused before anything is written.
    """
    try:
        v = sheets[sheet].range((row, column + 1)).data_validation
        kind = _VALIDATION_TYPES.get(v.type)
        if kind is None:
            return None
        first = str((v.source if kind is RuleKind.LIST else v.formula if kind is RuleKind.CUSTOM else v.formula1)
                    or "")
        second = str(v.formula2 or "")
        operator = _VALIDATION_OPERATORS.get(v.operator or "between", "between")
        enforced = bool(v.show_error) and v.alert_style == "stop"
    except Exception as exc:  # an Excel that will not say: a value it would stop is not typed in blind
        cell = f"{get_column_letter(column + 1)}{row}"
        raise UserError(f"Excel did not say which values cell {cell} of '{sheet}' takes (Data > Data Validation: "
                        f"{exc}), so prodbook could not check that its value is one the cell allows. Nothing was "
                        "written. Close other dialogs in Excel and press the button again; if it says this again, "
                        "run prodbook on the saved file instead (README: 'Without the add-in')",
                        sheet=sheet, row=row, column=get_column_letter(column + 1)) from None
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


__all__ = ["ask", "cell_rule", "locked", "protect_again", "protect_options", "sheet_protection"]
