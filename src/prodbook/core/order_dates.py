"""Order dates whose year is far from today: a typo (2207 for 2027, 1927), or a placeholder some systems
write for "no date yet" (31-Dec-9999). The T&A plans such a line as typed, every milestone in that year
and its variances in millions of days, so the APM hears of the cell itself, once a run. And one message at a
cell typed as not known yet ('TBC': ``said_once``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import numpy as np
import pandas as pd

from prodbook.core.cancel import fmt
from prodbook.core.findings import Code, Finding, error, warning
from prodbook.core.keys import key_texts

YEARS_AWAY = 5
"""A season is planned a year or two ahead and reported on a year or two back: farther is a typo."""
ORDER_DATES = ("po_date", "ex_factory", "in_dc", "cancel")


def said_once(findings: Sequence[Finding]) -> list[Finding]:
    """``findings`` without the reading's ``DATE_NOT_YET`` ("'TBC' in Ex-Factory says the date is not known
    yet...") at a cell the T&A's plan speaks of (``ANCHOR_DATE_MISSING``: "'TBC' in its Ex-Factory cell, not a
    date yet, so the milestones that depend on it (FBK, TBK...) have no Planned date"): one message a cell, the
    one that names the milestones. Without the plan's (a run that does not plan), the reading's stays."""
    said = {(f.file, f.sheet, f.row, f.column) for f in findings if f.code is Code.ANCHOR_DATE_MISSING}
    if not said:
        return list(findings)
    return [f for f in findings
            if not (f.code is Code.DATE_NOT_YET and (f.file, f.sheet, f.row, f.column) in said)]


def unlikely_years(orders: pd.DataFrame, today: date, *, file: str, sheet: str, headers: Mapping[str, str],
                   key: tuple[str, ...] = ("po", "style", "color")) -> list[Finding]:
    """A warning for each order date more than ``YEARS_AWAY`` years from ``today``'s year, in sheet order.

    Args:
        orders: the Orders sheet's valid rows (fields and ``_row``).
        headers: each date field's header on the team's sheet.
    """
    if orders.empty:
        return []
    hits: list[tuple[int, str, date]] = []
    rows = orders["_row"].to_numpy()
    for f in ORDER_DATES:
        if f not in orders.columns:
            continue
        values = orders[f].to_numpy(dtype=object)
        years = np.array([v.year if isinstance(v, date) else today.year for v in values])
        for at in np.flatnonzero(np.abs(years - today.year) > YEARS_AWAY).tolist():
            hits.append((at, f, values[at]))
    if not hits:
        return []
    keys = key_texts([orders[k].to_numpy(dtype=object) for k in key if k in orders.columns])
    return [warning(Code.DATE_YEAR_UNLIKELY, f"{headers[f]} {d:%d-%b-%Y} is {abs(d.year - today.year):,} "
                    f"years from today; check the year. The T&A plans the line's milestones in {d.year}",
                    file=file, sheet=sheet, row=int(rows[at]), column=headers[f], key=keys[at],
                    value=d.isoformat())
            for at, f, d in sorted(hits, key=lambda h: (int(rows[h[0]]), ORDER_DATES.index(h[1])))]


def in_dc_before_ex_factory(orders: pd.DataFrame, *, file: str, sheet: str, headers: Mapping[str, str],
                            key: tuple[str, ...] = ("po", "style", "color")) -> list[Finding]:
    """An error at each In-DC date earlier than its line's Ex-Factory date (a typo in one of the two), in
    sheet order. Goods cannot reach the DC before they leave the factory; the T&A plans the line as typed,
    so its in-DC milestones come before its ex-factory and its transit reads negative until one is fixed.

    Args:
        orders: the Orders sheet's valid rows (fields and ``_row``).
        headers: each date field's header on the team's sheet.
    """
    if orders.empty or not {"ex_factory", "in_dc"} <= set(orders.columns):
        return []
    xf = pd.to_datetime(orders["ex_factory"], errors="coerce").to_numpy("datetime64[D]")
    dc = pd.to_datetime(orders["in_dc"], errors="coerce").to_numpy("datetime64[D]")
    early = np.flatnonzero(~np.isnat(xf) & ~np.isnat(dc) & (dc < xf))
    if not len(early):
        return []
    rows = orders["_row"].to_numpy()
    keys = key_texts([orders[k].to_numpy(dtype=object)[early] for k in key if k in orders.columns])
    out = []
    for at, line in zip(early.tolist(), keys):
        x, d = xf[at].astype(object), dc[at].astype(object)
        out.append(error(Code.BAD_DATE,
                         f"{headers['in_dc']} {fmt(d)} is {(x - d).days} day(s) before the "
                         f"{headers['ex_factory']} {fmt(x)} of this PO line: the goods cannot reach the DC "
                         f"before they leave the factory. Check both dates and correct the one that is wrong. "
                         f"Until then the T&A is still built from the dates as typed, so this line's in-DC "
                         f"milestones come before its ex-factory", file=file, sheet=sheet, row=int(rows[at]),
                         column=headers["in_dc"], key=line, value=d.isoformat()))
    return sorted(out, key=lambda f: f.row or 0)
