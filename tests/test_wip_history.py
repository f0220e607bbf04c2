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


def plain_merge(old: pd.DataFrame, new: list[dict]) -> wip.Merged:
    """``wip.merge_wip`` as it was (a dict per row, every row looked at): the oracle of the fast one, which
    copies the history's rows a column at a time and looks only at the import's days."""
    from prodbook.core.cells import text_or_empty
    from prodbook.core.keys import fold_text
    from prodbook.core.model.sheets import VENDOR_WIP
    from prodbook.core.where import row_dicts

    fields = list(VENDOR_WIP.fields)
    scopes = {wip.scope_key(r["vendor"], r["report_date"]) for r in new}
    new_by_key = {wip.wip_key(r["po"], r["style"], r["color"], r["report_date"]): r for r in new}
    out_rows, source, used, removed, updated = [], [], set(), [], []
    near, replaced, _ = wip.replacing(old, new)
    for pos, r in enumerate(row_dicts(old)):
        scope = wip.scope_key(r.get("vendor"), r.get("report_date")) if near[pos] else None
        key = wip.wip_key(r.get("po"), r.get("style"), r.get("color"), r.get("report_date"))
        if scope in scopes and key in new_by_key and key not in used:
            used.add(key)
            updated.append(len(out_rows))
            out_rows.append({f: new_by_key[key].get(f) for f in fields})
            source.append(int(r["_row"]))
        elif scope in scopes and (scope, fold_text(text_or_empty(r.get("source_file")))) in replaced:
            removed.append(pos)
        else:  # the history, and the lines a partial update does not list
            out_rows.append({f: r.get(f) for f in fields})
            source.append(int(r["_row"]))
    added = []
    for key, r in new_by_key.items():
        if key not in used:
            added.append(len(out_rows))
            out_rows.append({f: r.get(f) for f in fields})
            source.append(None)
    return wip.Merged(pd.DataFrame(out_rows, columns=fields), source, added, removed, updated)


more = st.fixed_dictionaries({
    "order_qty": st.one_of(st.none(), st.integers(0, 5), st.floats(0, 5)),
    "remarks": st.one_of(st.none(), st.text(max_size=2)),
    "planned_xf": st.one_of(st.none(), st.dates(date(2027, 1, 1), date(2027, 1, 5)),
                            st.datetimes(datetime(2027, 1, 1), datetime(2027, 1, 3)))})


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(row, more).map(lambda t: {**t[0], **t[1]}), max_size=12),
       st.lists(row, min_size=1, max_size=5), st.booleans())
def test_the_fast_merge_is_the_plain_one(old_rows, new, without_remarks):
    """Values, types, positions: the same sheet, whether the sheet has every column or not."""
    columns = FIELDS + ["order_qty", "planned_xf"] + ([] if without_remarks else ["remarks"])
    old = pd.DataFrame(old_rows, columns=columns)
    old["_row"] = range(2, len(old) + 2)
    want, got = plain_merge(old, new), wip.merge_wip(old, new)
    assert (got.source, got.added, got.removed, got.updated) == (want.source, want.added, want.removed, want.updated)
    pd.testing.assert_frame_equal(got.rows, want.rows)
