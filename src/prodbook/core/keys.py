"""Keys: how prodbook says "the same row" (a PO line, a style, a milestone) across sheets and files."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from prodbook.core.cells import is_blank


def key_text(values: Iterable[Any]) -> str:
    """A row's key as the Change Log and Issues show it: 'PO / Style / Color / Code'."""
    return " / ".join("" if is_blank(v) or v is pd.NA else str(v) for v in values)
