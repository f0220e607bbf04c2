"""Where a finding points: file, sheet, Excel row, the team's own header text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from typing import Any, cast

from prodbook.core.model.sheets import SheetSpec


@dataclass(frozen=True)
class Place:
    """One sheet of one workbook, as the pure checks need to name its cells."""

    file: str
    sheet: str
    headers: Mapping[str, str] = field(default_factory=dict)
    """field -> the header as it appears in the user's sheet (default header when absent)."""
    spec: SheetSpec | None = None
    present: frozenset[str] | None = None
    """Fields that have a column on the sheet (None: not known)."""

    def lacks(self, f: str) -> bool:
        """The sheet has no column for this field at all."""
        return self.present is not None and f not in self.present

    def header(self, f: str) -> str:
        if f in self.headers:
            return self.headers[f]
        if self.spec is not None:
            try:
                return self.spec.column(f).header
            except KeyError:
                pass
        return f

    def at(self, row: Any = None, f: str | None = None, *, key: Any = None, value: Any = None
           ) -> dict[str, Any]:
        """Keyword arguments for ``findings.error``/``warning``/``info``."""
        return {"file": self.file, "sheet": self.sheet, "row": None if row is None else int(row),
                "column": self.header(f) if f else None, "key": None if key is None else str(key),
                "value": value}


def place_of(table: Any, file: str) -> Place:
    """A ``Place`` from a ``workbook.tables.Table`` (its sheet name and header texts)."""
    headers = {f: table.header_of(f) for f in table.spec.fields}
    return Place(file, table.sheet, headers, table.spec, frozenset(table.columns))


def row_dicts(frame: Any) -> list[dict[str, Any]]:
    """``frame.to_dict("records")``, typed as prodbook's frames are: columns named by field (text).

    Blanks stay as pandas has them (NaN, NaT); ``records`` turns them into None. Built a column at a
    time (``cells``): the same dicts, without pandas boxing every cell of every row.
    """
    cols = list(frame.columns)
    if not cols or len(set(cols)) != len(cols):  # no columns, or a name twice: pandas' own way
        return cast(list[dict[str, Any]], frame.to_dict("records"))
    return [dict(zip(cols, row)) for row in zip(*(cells(frame, c) for c in cols))]


def cells(frame: Any, field: str) -> list[Any]:
    """One column's cells as ``frame.to_dict("records")`` gives them (numpy scalars and NA in a column of
    Python objects boxed as pandas boxes them), without building a dict per row."""
    column = frame[field]
    values = column.tolist()
    if column.dtype == object:
        from pandas import NaT, Timestamp

        # what to_dict applies to object columns; pandas-stubs leave this real helper out
        from pandas.core.dtypes.cast import maybe_box_native  # type: ignore[attr-defined]

        native = _NATIVE | {Timestamp, type(NaT)}
        values = [v if type(v) in native else maybe_box_native(v) for v in values]
    return cast(list[Any], values)


_NATIVE = frozenset({str, int, float, bool, type(None), date, datetime})
"""Types ``maybe_box_native`` gives back as they are (pandas' Timestamp and NaT too: added where pandas is
imported, this module is read without it)."""


def records(frame: Any, only: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """A DataFrame's rows as dicts with every blank (None, NaN, NaT, NA) as None; with ``only``, just those
    of its columns the frame has (a rule that reads a few columns of a wide sheet boxes only them).

    Column by column (one ``isna`` per column), several times faster than ``to_dict``.
    """
    import pandas as pd

    cols = list(frame.columns) if only is None else [c for c in dict.fromkeys(only) if c in frame.columns]
    arrays = []
    for c in cols:
        column = frame[c]
        values = column.to_numpy(dtype=object)
        missing = pd.isna(column).to_numpy()
        if missing.any():
            values = values.copy()
            values[missing] = None
        arrays.append(values.tolist())  # the same objects; zip walks a list twice as fast as an array
    return list(map(dict, map(partial(zip, cols), zip(*arrays))))  # a quarter faster than a comprehension
