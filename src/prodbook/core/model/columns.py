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
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any, Union, get_args, get_origin

import annotated_types as at
import numpy as np

from prodbook.core.model.records import Record

_BIG = 2**53
"""Numbers past this are left to pydantic (its own limits and float precision decide them)."""
_NA_NAMES = ("NAType", "NaTType")
_SAFE_CONFIG = {"frozen", "use_attribute_docstrings", "extra", "str_strip_whitespace", "title"}
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


def _bounds(metadata: Sequence[Any]) -> Callable[[float], bool] | None:
    """The field's numeric constraints as one test; None when it has one this module does not know."""
    tests: list[Callable[[float], bool]] = []
    for m in metadata:
        if isinstance(m, at.Ge):
            tests.append(lambda x, b=m.ge: x >= b)
        elif isinstance(m, at.Gt):
            tests.append(lambda x, b=m.gt: x > b)
        elif isinstance(m, at.Le):
            tests.append(lambda x, b=m.le: x <= b)
        elif isinstance(m, at.Lt):
            tests.append(lambda x, b=m.lt: x < b)
        else:
            return None
    return lambda x: all(t(x) for t in tests)


def _text(values: list[Any]) -> tuple[list[bool], list[Any]]:
    # Python strips a superset of what pydantic's (Rust) trim strips: unchanged here, unchanged there
    return [type(v) is str and v == v.strip() for v in values], values


def _date(values: list[Any]) -> tuple[list[bool], list[Any]]:
    return [type(v) is date for v in values], values


def _datetime(values: list[Any]) -> tuple[list[bool], list[Any]]:
    return [type(v) is datetime for v in values], values


def _bool(values: list[Any]) -> tuple[list[bool], list[Any]]:
    return [type(v) is bool for v in values], values


def _int(ok: Callable[[float], bool]) -> Convert:
    def one(v: Any) -> tuple[bool, Any]:
        t = type(v)
        if t is int:
            return -_BIG < v < _BIG and ok(v), v
        if t is float and math.isfinite(v) and v.is_integer() and -_BIG < v < _BIG:
            n = int(v)
            return ok(n), n
        return False, None
    return _each(one)


def _float(ok: Callable[[float], bool]) -> Convert:
    def one(v: Any) -> tuple[bool, Any]:
        t = type(v)
        if t is float:
            return math.isfinite(v) and ok(v), v
        if t is int and -_BIG < v < _BIG:
            x = float(v)
            return ok(x), x
        return False, None
    return _each(one)


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


def _converter(annotation: Any, metadata: Sequence[Any]) -> Convert | None:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) != 1:
            return None
        annotation = args[0]
    ok = _bounds(metadata)
    if ok is None:
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
        return _int(ok)
    if annotation is float:
        return _float(ok)
    if isinstance(annotation, type) and issubclass(annotation, Enum) and not metadata:
        return _enum(annotation)
    return None


def field_checks(model: type[Record]) -> list[FieldCheck] | None:
    """Each field's column check; None when the model has settings this module does not model."""
    if set(model.model_config) - _SAFE_CONFIG or model.__pydantic_decorators__.model_validators:
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
    return out


def _missing(values: list[Any]) -> np.ndarray:
    """``cells.is_missing`` over a column: None, NaN, pandas' NA and NaT."""
    return np.array([v is None or (isinstance(v, float) and v != v) or type(v).__name__ in _NA_NAMES
                     for v in values], dtype=bool)


def accepted(model: type[Record], columns: dict[str, list[Any]], n: int
             ) -> tuple[np.ndarray, dict[str, list[Any]]] | None:
    """Which rows the model takes as they are (column checks), and every field's validated value there.

    ``columns`` holds the cells as ``to_dict('records')`` gives them, by field (a field absent is blank).
    Rows not taken are left to pydantic; their values in the result are placeholders. None: the model
    cannot be decided column-wise at all.
    """
    checks = field_checks(model)
    if checks is None:
        return None
    ok = np.ones(n, dtype=bool)
    out: dict[str, list[Any]] = {}
    for check in checks:
        values = columns.get(check.name)
        if values is None:
            if check.required:
                ok[:] = False
            out[check.name] = [check.default] * n
            continue
        missing = _missing(values)
        if check.required:
            ok &= ~missing
        result = [check.default] * n
        present = np.flatnonzero(~missing & ok)
        if len(present):
            if check.convert is None:
                ok[present] = False
            else:
                at_ = present.tolist()
                taken, got = check.convert([values[i] for i in at_])
                for i, t, v in zip(at_, taken, got):
                    if t:
                        result[i] = v
                ok[present[~np.array(taken, dtype=bool)]] = False
        out[check.name] = result
    return ok, out
