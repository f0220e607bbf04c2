"""A sheet as it will be once this run is written: what later jobs of a refresh must see.

In ``prodbook refresh`` the WIP import, the exception rules and the follow-ups
run after the T&A rebuild, in one read of the workbook: each must see the
tables the earlier jobs staged, not the sheets as they were on disk.

Jobs that know their new table ``remember`` it; for other jobs' sheets (the
T&A) the staged ``SheetRewrite`` is read back into a frame of fields.

TODO(lead): this belongs in ``Tracker`` (``replace_rows`` could remember the
frame it was given and ``Tracker.current(spec)`` return it); the back end's
``_rewrites`` is read here only until then.
"""

from __future__ import annotations

import weakref
from typing import Any

import pandas as pd

from prodbook.model.sheets import SheetSpec
from prodbook.workbook.tracker import Tracker

_REMEMBERED: weakref.WeakKeyDictionary[Tracker, dict[str, pd.DataFrame]] = weakref.WeakKeyDictionary()


def remember(tracker: Tracker, spec: SheetSpec, frame: pd.DataFrame) -> None:
    """Keep a job's new table (the sheet's fields) for the jobs after it in this run."""
    _REMEMBERED.setdefault(tracker, {})[spec.name] = frame.reset_index(drop=True)


def current(tracker: Tracker, spec: SheetSpec, *, required: bool = False) -> pd.DataFrame:
    """The sheet's rows as fields, as this run will leave them (``_row`` is the old row, or NA)."""
    mine = _REMEMBERED.get(tracker, {}).get(spec.name)
    if mine is not None:
        return mine
    table = tracker.table(spec, required=required)
    staged = getattr(tracker.backend, "_rewrites", {}).get(table.sheet)
    if staged is None:
        return table.frame
    return _from_rewrite(table, staged)


def _from_rewrite(table: Any, rw: Any) -> pd.DataFrame:
    spec: SheetSpec = table.spec
    if rw.create_headers is not None and not table.exists:
        fields = [spec.fields[i] for i in rw.columns]
    else:
        by_index = {i: f for f, i in table.columns.items()}
        width = len(table.headers)
        appended = {width + k: h for k, h in enumerate(rw.append_headers)}
        by_header = {c.header: c.field for c in spec.columns}
        fields = [by_index.get(i) or by_header.get(appended.get(i, ""), f"_col{i}") for i in rw.columns]
    frame = pd.DataFrame(list(rw.rows), columns=fields)
    old = table.frame.set_index("_row") if len(table.frame) else None
    sources = list(rw.source_rows) if rw.source_rows is not None else [None] * len(frame)
    for f in spec.fields:
        if f in frame.columns:
            continue
        if old is not None and f in old.columns:
            frame[f] = [old.at[s, f] if s is not None and s in old.index else None for s in sources]
        else:
            frame[f] = None
    frame["_row"] = sources
    return frame


def was_remembered(tracker: Tracker, spec: SheetSpec) -> bool:
    """Whether a job of this run already produced the sheet's new table."""
    return spec.name in _REMEMBERED.get(tracker, {})
