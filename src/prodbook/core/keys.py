"""Keys: how prodbook says "the same row" (a PO line, a style, a milestone) across sheets and files.

Two folds, on purpose: the tracker's own keys (``fold_text``, ``index_key``)
ignore only case and outer spaces, so two rows the user typed differently
stay two rows; references from vendors (``fold_ref``, ``line_key``) also
ignore punctuation, a "PO" prefix and leading zeros, because vendors write
"PO# 0045-001" for the tracker's "45001".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import pandas as pd

from prodbook.core.cells import is_blank, is_missing


def key_text(values: Iterable[Any]) -> str:
    """A row's key as the Change Log and Issues show it: 'PO / Style / Color / Code'."""
    return " / ".join("" if is_blank(v) or v is pd.NA else str(v) for v in values)


def fold_text(value: Any) -> str:
    """A text key as the tracker's own rows match: case and outer spaces ignored, blank is ''."""
    return "" if is_missing(value) else str(value).strip().upper()


def index_key(frame: pd.DataFrame, fields: Sequence[str] = ("po", "style", "color", "code")) -> pd.Series:
    """Each row's folded key over ``fields``, for matching rows across runs."""
    columns = [frame[f].to_numpy(dtype=object) for f in fields]
    keys = ["\x1f".join("" if is_missing(v) else str(v).strip() for v in values).upper()
            for values in zip(*columns)]
    return pd.Series(keys, index=frame.index, dtype=object)


def fold_ref(value: Any) -> str:
    """PO and style numbers for matching: case, spaces, punctuation, a 'PO' prefix, leading zeros."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    try:
        return _fold_ref(value)
    except TypeError:  # unhashable: not a cell value, fold its text
        return _fold_ref(str(value))


@lru_cache(maxsize=1 << 18)
def _fold_ref(value: Any) -> str:
    s = re.sub(r"[^A-Z0-9]", "", str(value).upper())
    if s.startswith("PO") and s[2:].isdigit():
        s = s[2:]
    return re.sub(r"(?<![0-9])0+(?=[0-9])", "", s)


def line_key(po: Any, style: Any, color: Any) -> str:
    """One PO line's folded key, shared by the WIP, exception and report code."""
    return "\x1f".join((fold_ref(po), fold_ref(style), fold_text(color)))
