"""The Vendor WIP sheet's history under an import: rows of other report dates are copied as they were, and
only the import's own dates are looked at row by row (``wip.on_new_days``, ``wip.merge_wip``)."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from prodbook.core import wip

DAYS = (date(2027, 3, 1), datetime(2027, 3, 1, 0, 0), pd.Timestamp("2027-03-08"), date(2027, 3, 15), None, "TBA")

FIELDS = ["po", "style", "color", "vendor", "report_date", "source_file", "cut_qty"]
row = st.fixed_dictionaries({
    "po": st.sampled_from(["1", "2", 3, 3.0, "PO-0003"]),
    "style": st.sampled_from(["S", "s "]),
    "color": st.sampled_from(["Red", "RED", "Blue"]),
    "vendor": st.sampled_from(["A", "a", "B"]),
    "report_date": st.sampled_from(DAYS),
    "source_file": st.sampled_from(["A_1.xlsx", "A_2.xlsx", "B.csv"]),
    "cut_qty": st.integers(0, 9),
})


def _day(value) -> str:
    return wip.wip_key(None, None, None, value)[3]


@settings(max_examples=200, deadline=None)
@given(st.lists(row, max_size=12), st.lists(row, min_size=1, max_size=5))
def test_rows_of_other_days_are_copied_in_place_and_only_the_import_updates_rows(old_rows, new):
    old = pd.DataFrame(old_rows, columns=FIELDS)
    old["_row"] = range(2, len(old) + 2)
    near = wip.on_new_days(old, new)
    days = {_day(r["report_date"]) for r in new}
    assert near.tolist() == [_day(d) in days for d in old["report_date"]]

    rows, source, added, removed, updated = wip.merge_wip(old, new)
    assert len(rows) == len(source) and not set(added) & set(updated)
    kept = [int(r) for r, n in zip(old["_row"], near) if not n]
    assert [s for s in source if s in kept] == kept  # the history stays, in its order
    for i, s in enumerate(source):
        if s in kept:
            before = old_rows[s - 2]
            assert rows["cut_qty"].iloc[i] == before["cut_qty"] and rows["source_file"].iloc[i] == before["source_file"]
    for i in updated:  # a row updated took the values of an imported row of its line and day
        assert source[i] is not None and near[source[i] - 2]
        assert any(rows["cut_qty"].iloc[i] == r["cut_qty"] and rows["source_file"].iloc[i] == r["source_file"]
                   for r in new)
    assert all(near[p] for p in removed)  # only rows of the import's days can go
    assert len(added) + len(updated) == len({wip.wip_key(r["po"], r["style"], r["color"], r["report_date"])
                                             for r in new})
