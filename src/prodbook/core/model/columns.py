"""A record model's check over whole columns, for the rows pydantic would take exactly as they are.

Validating 44,000 T&A rows one ``model_validate`` at a time costs seconds; most
cells are already what the model wants (text with nothing to strip, a date, a
whole number in range). ``accepted`` decides that column by column and gives
the value pydantic would give; a row with any cell it cannot decide (a bad
value, text to strip, a type it does not model, a field with its own
validator) is left to pydantic, so that every finding stays pydantic's own.
``tests/test_valid_columns.py`` holds the two paths equal.
"""

from __future__ import annotations

import math
import operator
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from functools import lru_cache
from typing import Any, Union, get_args, get_origin

import annotated_types as at
import numpy as np
import pandas as pd

from prodbook.core.model.records import Record

_BIG = 2**53
"""Numbers past this are left to pydantic (its own limits and float precision decide them)."""
_NA_NAMES = ("NAType", "NaTType")
_MISSING_TYPES = frozenset({type(None), float, type(pd.NA), type(pd.NaT)})
"""Cells ``pandas.isna`` finds that ``is_missing`` counts too, by their exact type."""
_SAFE_CONFIG = {"frozen", "use_attribute_docstrings", "defer_build", "extra", "str_strip_whitespace", "title"}
"""Model settings that do not change what a value validates to (stripping is handled: text with
anything to strip is left to pydantic)."""


Convert = Callable[[list[Any]], tuple[list[bool], list[Any]]]
"""A column check: for present cells, which pydantic would take as they are, and the value it gives."""


@dataclass(frozen=True)
class FieldCheck:
    """How to decide one field a column at a time."""

    name: str
    required: bool
    default: Any
    convert: Convert | None
    """The column check of present cells; None: every present value is left to pydantic."""


Bounds = list[tuple[Callable[[Any, Any], Any], Any]]
"""A number field's constraints: (operator, bound) pairs, all to hold (Ge(0) is (operator.ge, 0))."""


def _bounds(metadata: Sequence[Any]) -> Bounds | None:
    """The field's numeric constraints; None when it has one this module does not know."""
    out: Bounds = []
    for m in metadata:
        if isinstance(m, at.Ge):
            out.append((operator.ge, m.ge))
        elif isinstance(m, at.Gt):
            out.append((operator.gt, m.gt))
        elif isinstance(m, at.Le):
            out.append((operator.le, m.le))
        elif isinstance(m, at.Lt):
            out.append((operator.lt, m.lt))
        else:
            return None
    return out


def _within(bounds: Bounds, x: Any) -> Any:
    """Every bound holds: a bool for a number, a boolean array for an array."""
    ok = np.ones(len(x), dtype=bool) if isinstance(x, np.ndarray) else True
    for op, bound in bounds:
        ok = ok & op(x, bound)
    return ok


def _numbers(values: list[Any], allowed: set[type]) -> np.ndarray | None:
    """The column as floats when every cell is one of ``allowed`` (exact types), else None."""
    if not set(map(type, values)) <= allowed:
        return None
    try:
        return np.array(values, dtype=float)
    except OverflowError:  # an int too big for a float: left to the per-cell path
        return None


def _text(values: list[Any]) -> tuple[list[bool], list[Any]]:
    # Python strips a superset of what pydantic's (Rust) trim strips: unchanged here, unchanged there
    return [type(v) is str and v == v.strip() for v in values], values


def _date(values: list[Any]) -> tuple[list[bool], list[Any]]:
    return [type(v) is date for v in values], values


def _datetime(values: list[Any]) -> tuple[list[bool], list[Any]]:
    return [type(v) is datetime for v in values], values


def _bool(values: list[Any]) -> tuple[list[bool], list[Any]]:
    return [type(v) is bool for v in values], values


def _int(bounds: Bounds) -> Convert:
    def one(v: Any) -> tuple[bool, Any]:
        t = type(v)
        if t is int:
            return -_BIG < v < _BIG and _within(bounds, v), v
        if t is float and math.isfinite(v) and v.is_integer() and -_BIG < v < _BIG:
            n = int(v)
            return _within(bounds, n), n
        return False, None

    def convert(values: list[Any]) -> tuple[list[bool], list[Any]]:
        x = _numbers(values, {int, float})
        if x is None:
            return _each(one)(values)
        # past 2**53 an int's float is 2**53 or more: refused as by ``one``
        with np.errstate(invalid="ignore"):
            taken = np.isfinite(x) & (np.floor(x) == x) & (np.abs(x) < _BIG) & _within(bounds, x)
        got = values if float not in set(map(type, values)) else [
            int(v) if t else None for v, t in zip(values, taken.tolist())]
        return taken.tolist(), got
    return convert


def _float(bounds: Bounds) -> Convert:
    def one(v: Any) -> tuple[bool, Any]:
        t = type(v)
        if t is float:
            return math.isfinite(v) and _within(bounds, v), v
        if t is int and -_BIG < v < _BIG:
            x = float(v)
            return _within(bounds, x), x
        return False, None

    def convert(values: list[Any]) -> tuple[list[bool], list[Any]]:
        x = _numbers(values, {float})
        if x is None:
            return _each(one)(values)
        with np.errstate(invalid="ignore"):
            return (np.isfinite(x) & _within(bounds, x)).tolist(), values
    return convert


def _enum(kind: type[Enum]) -> Convert:
    by_value: dict[Any, Any] = {m.value: m for m in kind if type(m.value) is str}
    by_value.update({m: m for m in kind})

    def convert(values: list[Any]) -> tuple[list[bool], list[Any]]:
        # an exact str (a value of the enum) or a member; a str subclass equal to a value is pydantic's call
        taken = [(type(v) is str or type(v) is kind) and v in by_value for v in values]
        return taken, [by_value[v] if t else None for v, t in zip(values, taken)]
    return convert


def _each(one: Callable[[Any], tuple[bool, Any]]) -> Convert:
    def convert(values: list[Any]) -> tuple[list[bool], list[Any]]:
        pairs = list(map(one, values))
        return [p[0] for p in pairs], [p[1] for p in pairs]
    return convert


def _text_or_number(values: list[Any]) -> tuple[list[bool], list[Any]]:
    """A Change Log's Old or New (``str | int | float``): text as ``_text`` takes it, or a number as it is (a
    union's smart mode keeps an int an int and a float a float)."""
    return [(t is str and v == v.strip()) or t is int or (t is float and math.isfinite(v))
            for v, t in zip(values, map(type, values))], values


def _converter(annotation: Any, metadata: Sequence[Any]) -> Convert | None:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if set(args) == {str, int, float} and not metadata:
            return _text_or_number
        if len(args) != 1:
            return None
        annotation = args[0]
    bounds = _bounds(metadata)
    if bounds is None:
        return None
    if annotation is str and not metadata:
        return _text
    if annotation is date and not metadata:
        return _date
    if annotation is datetime and not metadata:
        return _datetime
    if annotation is bool and not metadata:
        return _bool
    if annotation is int:
        return _int(bounds)
    if annotation is float:
        return _float(bounds)
    if isinstance(annotation, type) and issubclass(annotation, Enum) and not metadata:
        return _enum(annotation)
    return None


@lru_cache(maxsize=64)
def field_checks(model: type[Record]) -> tuple[FieldCheck, ...] | None:
    """Each field's column check; None when the model has settings, validators or serializers of the
    whole model that this module does not model."""
    decorators = model.__pydantic_decorators__
    if (set(model.model_config) - _SAFE_CONFIG or decorators.model_validators or decorators.field_serializers
            or decorators.model_serializers or decorators.computed_fields):
        return None
    validated = set()
    for dec in model.__pydantic_decorators__.field_validators.values():
        validated |= set(dec.info.fields)
    out = []
    for name, info in model.model_fields.items():
        if info.default_factory is not None or info.validate_default:
            return None
        convert = None if name in validated else _converter(info.annotation, info.metadata)
        out.append(FieldCheck(name, info.is_required(), None if info.is_required() else info.default, convert))
    return tuple(out)


def _missing(values: list[Any]) -> np.ndarray:
    """``cells.is_missing`` over a column: None, NaN, pandas' NA and NaT.

    ``pandas.isna`` finds a superset (numpy's NaT, a Decimal NaN as well); the cells it finds are
    checked one by one only when they are not all of the kinds ``is_missing`` counts.
    """
    column = np.empty(len(values), dtype=object)
    column[:] = values
    found = pd.isna(column)
    if found.any():
        flagged = column[found]
        if not {t for t in map(type, flagged)} <= _MISSING_TYPES:
            found[found] = [v is None or (isinstance(v, float) and v != v) or type(v).__name__ in _NA_NAMES
                            for v in flagged]
    return found


def accepted(model: type[Record], columns: dict[str, list[Any]], n: int
             ) -> tuple[np.ndarray, dict[str, np.ndarray]] | None:
    """Which rows the model takes as they are (column checks), and every field's validated value there.

    ``columns`` holds the cells as ``to_dict('records')`` gives them, by field (a field absent is blank).
    Rows not taken are left to pydantic; their values in the result (object arrays) are placeholders.
    None: the model cannot be decided column-wise at all.
    """
    checks = field_checks(model)
    if checks is None:
        return None
    ok = np.ones(n, dtype=bool)
    out: dict[str, np.ndarray] = {}
    for check in checks:
        result = np.empty(n, dtype=object)
        result[:] = [check.default] * n
        out[check.name] = result
        values = columns.get(check.name)
        if values is None:
            if check.required:
                ok[:] = False
            continue
        missing = _missing(values)
        if check.required:
            ok &= ~missing
        present = np.flatnonzero(~missing & ok)
        if not len(present):
            continue
        if check.convert is None:
            ok[present] = False
            continue
        taken, got = check.convert(values if len(present) == n else [values[i] for i in present.tolist()])
        took = np.array(taken, dtype=bool)
        kept = np.empty(len(got), dtype=object)
        kept[:] = got
        result[present[took]] = kept[took]
        ok[present[~took]] = False
    return ok, out
