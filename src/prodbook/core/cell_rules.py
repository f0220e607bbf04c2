"""Data validation (Data > Data Validation): what a cell lets a person type, and whether a value would pass.

A team's tracker often limits its cells: COO from a list of countries, Status from a list, Qty a whole
number above zero, FOB a decimal in a range. Excel refuses a typed value that breaks such a rule when the
rule shows its error alert as a Stop (the default); prodbook, applying a fix the APM accepted, keeps to the
same rule (``jobs/apply_job``). A rule prodbook cannot judge (a custom formula, a bound that is a formula
or a cell) lets the value through, as a rule Excel does not enforce does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from prodbook.core.cells import CellError, date_to_serial, is_blank, serial_to_date, to_text


class RuleKind(StrEnum):
    """Excel's validation types (``dataValidation/@type``)."""

    WHOLE = "whole"
    DECIMAL = "decimal"
    LIST = "list"
    DATE = "date"
    TIME = "time"
    TEXT_LENGTH = "textLength"
    CUSTOM = "custom"
    ANY = "none"


_OPERATORS = {
    "between": ("between {a} and {b}", lambda v, a, b: a <= v <= b),
    "notBetween": ("not between {a} and {b}", lambda v, a, b: not a <= v <= b),
    "equal": ("equal to {a}", lambda v, a, b: v == a),
    "notEqual": ("other than {a}", lambda v, a, b: v != a),
    "greaterThan": ("greater than {a}", lambda v, a, b: v > a),
    "lessThan": ("less than {a}", lambda v, a, b: v < a),
    "greaterThanOrEqual": ("{a} or more", lambda v, a, b: v >= a),
    "lessThanOrEqual": ("{a} or less", lambda v, a, b: v <= a),
}
"""Excel's operators (``dataValidation/@operator``; between when absent): how to say one, how to test it."""


@dataclass(frozen=True)
class CellRule:
    """One validation rule over a cell, as the workbook keeps it."""

    kind: RuleKind
    operator: str = "between"
    first: str | None = None
    """``formula1``: a constant (a number; a date as its serial number) or a formula prodbook does not judge."""
    second: str | None = None
    choices: tuple[str, ...] | None = None
    """For a list: its entries, typed in the rule or read from the cells it names; None when prodbook could not
    read them (a formula such as INDIRECT)."""
    enforced: bool = True
    """Excel stops a value that breaks it: the error alert is shown, as a Stop (not a Warning or an
    Information, which let the person go on)."""
    date1904: bool = False


def _number(text: str | None) -> float | None:
    """A bound that is a constant; None for a formula or a cell (not judged)."""
    if text is None:
        return None
    try:
        n = float(text.strip().lstrip("="))
    except ValueError:
        return None
    return n if math.isfinite(n) else None


def _shown(n: float, kind: RuleKind, date1904: bool) -> str:
    if kind is RuleKind.DATE:
        try:
            return serial_to_date(n, date1904).isoformat()
        except CellError:
            return f"{n:g}"
    return f"{n:g}"


def _as_number(value: Any, rule: CellRule) -> float | None:
    """The value as Excel compares it: a number, or a date as its serial number; None when it is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        seconds = value.hour * 3600 + value.minute * 60 + value.second
        return date_to_serial(value.date(), rule.date1904) + seconds / 86400
    if isinstance(value, date):
        return date_to_serial(value, rule.date1904)
    if isinstance(value, (int, float)):
        return float(value)
    return None


def breaks(rule: CellRule, value: Any) -> str | None:
    """What the cell allows, as a sentence for the APM, when ``value`` breaks ``rule``; None when it passes
    (or the rule is not one Excel enforces, or prodbook cannot judge it)."""
    if not rule.enforced or rule.kind in (RuleKind.ANY, RuleKind.CUSTOM) or is_blank(value):
        return None
    if rule.kind is RuleKind.LIST:
        if rule.choices is None:
            return None
        text = (to_text(value) or "").strip().casefold()
        number = _as_number(value, rule)
        for choice in rule.choices:
            if choice.strip().casefold() == text or (number is not None and _number(choice) == number):
                return None
        shown = ", ".join(rule.choices[:8]) + (", ..." if len(rule.choices) > 8 else "")
        return f"only an entry of its list ({shown})"
    if rule.kind is RuleKind.TEXT_LENGTH:
        measured: float | None = float(len(to_text(value) or ""))
        what = "text of a length"
    else:
        measured = _as_number(value, rule)
        what = {RuleKind.WHOLE: "a whole number", RuleKind.DECIMAL: "a number", RuleKind.DATE: "a date",
                RuleKind.TIME: "a time"}[rule.kind]
        if measured is None or (rule.kind is RuleKind.WHOLE and not float(measured).is_integer()):
            return what
    a, b = _number(rule.first), _number(rule.second)
    said, test = _OPERATORS.get(rule.operator, _OPERATORS["between"])
    needs_b = rule.operator in ("between", "notBetween")
    if a is None or (needs_b and b is None) or measured is None:
        return None  # a bound that is a formula or a cell: not judged
    if test(measured, a, b if b is not None else a):
        return None
    return f"{what} {said.format(a=_shown(a, rule.kind, rule.date1904), b=_shown(b or 0, rule.kind, rule.date1904))}"


__all__ = ["CellRule", "RuleKind", "breaks"]
