"""Order dates whose year is far from today: a typo (2207 for 2027, 1927), or a placeholder some systems
write for "no date yet" (31-Dec-9999). The T&A plans such a line as typed, every milestone in that year
and its variances in millions of days, so the APM hears of the cell itself, once a run."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import numpy as np
import pandas as pd

from prodbook.core.findings import Code, Finding, warning
from prodbook.core.keys import key_texts

YEARS_AWAY = 5
"""A season is planned a year or two ahead and reported on a year or two back: farther is a typo."""
ORDER_DATES = ("po_date", "ex_factory", "in_dc", "cancel")


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
