"""``core.ta_edits`` on small frames built here, no workbook: what a template edit or the APM changed since the
last T&A run. A step changed moves its milestone on every running line of the template (one warning); a
closure moves only its vendor's lines (silent); a Planned, Forecast or Status typed over is named at its cell;
and when nothing changed, nothing is said."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import assert_finding
from prodbook.core import ta, ta_edits
from prodbook.core.calendar import FactoryCalendar
from prodbook.core.findings import Code
from prodbook.core.keys import fold_text, index_key

TODAY = date(2027, 3, 1)
WHERE = ta_edits.Where("t.xlsx")
PLAIN = FactoryCalendar("(default)", 1)  # Monday-Friday
LINES = [("P1", "S1", "Navy", "V1", date(2027, 1, 4)), ("P2", "S1", "Black", "V1", date(2027, 1, 5)),
         ("P3", "S2", "Red", "V2", date(2027, 1, 6)), ("P4", "S2", "Blue", "V2", date(2027, 1, 7))]
"""PO, style, colour, vendor, PO Date: two vendors' lines on one template."""


def plans(offset: int = 7) -> dict[str, ta.Plan]:
    """Template 'Knit': LD 5 working days after the PO Date, LD-APP ``offset`` working days after LD."""
    rows = [("LD", "PO Date", 5, 2), ("LD-APP", "LD", offset, 3)]
    frame = pd.DataFrame([{"template": "Knit", "code": c, "milestone": c, "owner": "Vendor", "anchor": a,
                           "offset": o, "day_type": "Working", "critical": False, "stage": "Production", "_row": r}
                          for c, a, o, r in rows])
    compiled, found = ta.compile_templates(frame, file="t.xlsx")
    assert not found
    return compiled


def planned(offset: int = 7, calendars: dict[str, FactoryCalendar] | None = None, lines=LINES) -> pd.DataFrame:
    """The T&A rows prodbook writes for ``lines``: Forecast as Planned, Variance 0, nothing done."""
    out = []
    for po, style, color, vendor, po_date in lines:
        cal = (calendars or {}).get(fold_text(vendor), PLAIN)
        ld = cal.workday(po_date, 5)
        for code, day in (("LD", ld), ("LD-APP", cal.workday(ld, offset))):
            out.append({"po": po, "style": style, "color": color, "vendor": vendor, "code": code,
                        "template": "Knit", "planned": day, "forecast": day, "actual": None,
                        "status": "Upcoming", "variance": 0, "notes": None, "_row": 2 + len(out)})
    return pd.DataFrame(out)


def changes(old: pd.DataFrame, new: pd.DataFrame, offset: int = 7,
            calendars: dict[str, FactoryCalendar] | None = None) -> tuple[list, list[str]]:
    """``template_changes`` of a run that found every row on the sheet, in the same order."""
    n = len(new)
    lines = index_key(new, ta.LINE).to_numpy()
    return ta_edits.template_changes(plans(offset), calendars or {}, PLAIN, new, old, lines, np.ones(n, bool),
                                     np.arange(n), set(), WHERE)


def test_a_step_moved_on_every_running_line_is_one_warning_naming_the_template_and_the_step():
    found, notes = changes(planned(7), planned(5), offset=5)  # LD-APP: 7 working days after LD -> 5
    f = assert_finding(found, Code.TEMPLATE_CHANGED, sheet="T&A Templates", row=3, key="Knit")
    assert len(found) == 1 and f.severity == "warning" and f.file == "t.xlsx"
    assert "Template 'Knit' changed: Planned moved on LD-APP for 4 PO line(s) already planned" in f.message
    assert notes == ["Template 'Knit' changed: Planned moved on LD-APP for 4 PO line(s) already planned "
                     "(see Issues)."]


def test_a_closure_that_moves_only_one_vendors_lines_is_not_a_template_change():
    closed = {fold_text("V1"): FactoryCalendar("V1", 1, holidays=(date(2027, 1, 13), date(2027, 1, 14)))}
    old, new = planned(7), planned(7, closed)
    assert (new["planned"] != old["planned"]).sum() == 2  # LD-APP of V1's two lines moved, V2's did not
    assert changes(old, new, calendars=closed) == ([], [])


def test_a_done_milestone_judged_late_against_the_new_plan_is_counted():
    old, new = planned(7), planned(5)
    old.loc[old["code"] == "LD-APP", "status"] = "Done"
    new.loc[new["code"] == "LD-APP", "status"] = "Done late"
    [f], _ = changes(old, new, offset=5)
    assert "4 milestone(s) already done are now judged against the new plan (Done -> Done late: 4)" in f.message


def typed(old: pd.DataFrame, new: pd.DataFrame) -> tuple[list, set[int]]:
    n = len(new)
    return ta_edits.typed_over({}, PLAIN, new, old, np.ones(n, bool), np.arange(n), WHERE)


def test_a_planned_forecast_or_status_typed_over_is_named_at_its_cell_and_prodbooks_own_change_is_not():
    old, new = planned(7), planned(5)  # a template step changed: LD-APP moved on every line, no typing
    assert typed(old, new) == ([], set())
    old.loc[0, "planned"] = date(2027, 1, 20)  # P1 LD re-planned by hand (Variance still 0)
    old.loc[2, "forecast"] = date(2027, 2, 1)  # P2 LD: the vendor's date in Forecast
    old.loc[4, "status"] = "Done"  # P3 LD marked done in Status, no Actual
    found, rows = typed(old, new)
    assert sorted((f.row, f.column, f.value) for f in found) == [(2, "Planned", "20-Jan-27"),
                                                                (4, "Forecast", "01-Feb-27"), (6, "Status", "'Done'")]
    assert all(f.code is Code.GENERATED_TYPED_OVER and f.sheet == "T&A" for f in found)
    f = next(f for f in found if f.column == "Planned")
    assert f.message.startswith("Planned is prodbook's column: your 20-Jan-27 was replaced by 11-Jan-27")
    assert f.key == "P1 / S1 / Navy / LD"
    assert rows == {0}  # its Planned typed: not a template change either
    team = ta_edits.Where("t.xlsx", ta="Time & Action", headers={"planned": "Plan Date"})
    found, _ = ta_edits.typed_over({}, PLAIN, new, old, np.ones(len(new), bool), np.arange(len(new)), team)
    assert {(f.sheet, f.column) for f in found if f.row == 2} == {("Time & Action", "Plan Date")}


def test_a_planned_typed_over_is_not_also_a_template_change():
    old, new = planned(7), planned(7)
    for i in range(1, 8, 2):  # every line's LD-APP re-planned by hand three days later: as a step changed looks
        old.loc[i, "planned"] = old.loc[i, "planned"] + timedelta(days=3)
    found, rows = typed(old, new)
    assert len(found) == 4 and rows == {1, 3, 5, 7}
    lines = index_key(new, ta.LINE).to_numpy()
    assert ta_edits.template_changes(plans(), {}, PLAIN, new, old, lines, np.ones(8, bool), np.arange(8), rows,
                                     WHERE) == ([], [])


def test_an_actual_ahead_or_a_formula_of_the_day_is_questioned_at_its_cell():
    new = planned(7)
    new["order_row"] = [2 + i // 2 for i in range(len(new))]
    new.loc[1, "actual"] = date(2027, 3, 10)  # after today: a promise, not a date done
    orders = pd.DataFrame({"_row": [2, 3, 4, 5], "po_date": [line[4] for line in LINES]})
    rows = new["_row"].to_numpy()
    actuals = ta_edits.read_actuals(new, orders, plans(), TODAY)
    found = ta_edits.questioned_actuals(new, actuals, rows, {4: "=TODAY()", 5: "='Lab Dips'!F5"}, {}, TODAY,
                                        WHERE)
    assert [(f.code, f.row) for f in found] == [(Code.ACTUAL_IN_FUTURE, 3), (Code.BAD_DATE, 4)]  # a link: theirs


FIELDS = ("code", "planned", "forecast", "actual", "status", "variance", "notes", "vendor")
ROW = st.fixed_dictionaries({
    "code": st.sampled_from(["LD", "LD-APP", "CUT"]),
    "planned": st.one_of(st.none(), st.dates(date(2026, 1, 1), date(2028, 1, 1))),
    "forecast": st.one_of(st.none(), st.dates(date(2026, 1, 1), date(2028, 1, 1))),
    "actual": st.one_of(st.none(), st.just(ta.NA), st.dates(date(2026, 1, 1), date(2028, 1, 1))),
    "status": st.one_of(st.none(), st.sampled_from(["Done", "Done late", "Overdue", "Upcoming", "done?", "TBC"])),
    "variance": st.one_of(st.none(), st.integers(-30, 30)),
    "notes": st.one_of(st.none(), st.just("chased")),
    "vendor": st.sampled_from(["V1", "V2", None]),
})


@settings(max_examples=150, deadline=None)
@given(st.lists(ROW, max_size=10), st.integers(-10, 10))
def test_property_nothing_is_said_when_the_sheet_holds_what_this_run_plans(rows: list[dict], offset: int):
    """Whatever the rows hold (typed statuses, blanks, N/A), a run that plans exactly what the sheet holds
    finds no template change, no milestone added or removed, no value typed over."""
    frame = pd.DataFrame([{"po": f"P{i}", "style": "S1", "color": "Navy", "template": "Knit", "_row": 2 + i, **r}
                          for i, r in enumerate(rows)],
                         columns=["po", "style", "color", "template", "_row", *FIELDS])
    n = len(frame)
    fates = np.full(n, ta.Fate.MATCHED.value, dtype=object)
    found, notes = ta_edits.since_last_run(plans(offset), {}, PLAIN, frame, frame.copy(), np.ones(n, bool),
                                           np.arange(n), fates, np.full(n, None, dtype=object), {}, WHERE)
    assert (found, notes) == ([], [])
