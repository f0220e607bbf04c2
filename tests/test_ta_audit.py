"""The T&A rules checked by hand on small cases, as an APM types them: forecasts that must slip downstream."""

from __future__ import annotations

from datetime import date

import pandas as pd

from prodbook.core import ta
from prodbook.core.calendar import factory_calendar, workday_intl
from test_ta import FILE, orders, templates

MON_FRI = factory_calendar("V", 1, None, range(2026, 2028))[0]
STYLES = pd.DataFrame({"style": ["S1"], "template": ["T"], "vendor": ["V"], "_row": [2]})


def forecast(template: pd.DataFrame, actual: dict[str, date | str], today: date,
             xf: date = date(2027, 4, 15)) -> pd.DataFrame:
    """One PO line (PO 4-Jan-27, ex-factory ``xf``) on a Monday-Friday factory, planned and progressed."""
    plans, found = ta.compile_templates(template, file=FILE)
    assert found == []
    out, _ = ta.schedule(plans, orders(("P1", "S1", "Navy", date(2027, 1, 4), xf, None)), STYLES,
                         {"V": MON_FRI}, MON_FRI, file=FILE)
    out["actual"] = out["code"].map(actual)
    out["actual"] = out["actual"].astype(object).where(out["actual"].notna(), None)
    return ta.progress(out, plans, {"V": MON_FRI}, MON_FRI, today, 7).set_index("code")


def test_a_late_actual_pushes_past_a_milestone_marked_n_a():
    """A (lab dip submit) done 10 working days late, B (approval) N/A for this line, C anchored on B: C still
    follows A by its planned gap. It stayed on its Planned date (forecast today, 'overdue' by one day), as if the
    N/A milestone had absorbed the slip."""
    chain = templates(("T", "A", "PO Date", 5, "Working"), ("T", "B", "A", 5, "Working"),
                      ("T", "C", "B", 5, "Working"))
    res = forecast(chain, {"A": date(2027, 1, 25), "B": ta.NA}, today=date(2027, 1, 26))
    assert res.at["A", "planned"].date() == date(2027, 1, 11)
    assert res.at["C", "forecast"].date() == workday_intl(date(2027, 1, 25), 10, 1) == date(2027, 2, 8)
    assert res.at["C", "variance"] == 10
    on_time = forecast(chain, {"A": date(2027, 1, 11), "B": ta.NA}, today=date(2027, 1, 20))
    assert on_time.at["C", "forecast"] == on_time.at["C", "planned"]  # an N/A pushes nothing of its own


def test_a_final_inspection_n_a_does_not_leave_it_before_the_cutting_slip():
    """Cutting 5 working days late, packing N/A: the final inspection (after packing) moves with the slip as
    the ex-factory does, not forecast a week before it."""
    back = templates(("T", "CUT", "XF", -10, "Working"), ("T", "PCK", "XF", -3, "Working"),
                     ("T", "FRI", "XF", -2, "Working"), ("T", "XF", "Ex-Factory", 0, "Working"))
    res = forecast(back, {"CUT": date(2027, 4, 8), "PCK": ta.NA}, today=date(2027, 4, 8))
    assert res.at["CUT", "variance"] == 5
    assert res.at["XF", "variance"] == 5 and res.at["FRI", "variance"] == 5


def test_a_milestone_anchored_after_the_orders_ex_factory_date_moves_with_the_ex_factory_milestone():
    """ETD typed as 'Ex-Factory +4 Calendar' (the order's date, not the code XF): cutting 7 working days late
    pushes the ex-factory, and the vessel departs 4 days after it. It stayed on its Planned date, a week
    before the goods are forecast to leave the factory."""
    by_date = templates(("T", "CUT", "XF", -10, "Working"), ("T", "XF", "Ex-Factory", 0, "Working"),
                        ("T", "ETD", "Ex-Factory", 4, "Calendar"), ("T", "HND", "Ex-Factory", 0, "Working"))
    res = forecast(by_date, {"CUT": date(2027, 4, 12)}, today=date(2027, 4, 12))
    assert res.at["XF", "forecast"].date() == date(2027, 4, 26)
    assert res.at["ETD", "forecast"].date() == date(2027, 4, 30)
    assert res.at["HND", "forecast"] == res.at["XF", "forecast"]  # a second step on the date, at +0


def test_done_a_day_late_on_a_day_off_is_a_working_day_late():
    """Planned Friday, done on the Saturday (overtime, Monday-Friday factory): 'Done late' with Variance 0, the
    Variance saying on time beside the amber Status. Likewise a milestone planned Friday still open on a
    Saturday run: 'Overdue', forecast today, Variance 0 (not red). Each is a working day late at least."""
    one = templates(("T", "XF", "Ex-Factory", 0, "Working"))
    fri, sat = date(2027, 4, 16), date(2027, 4, 17)
    done = forecast(one, {"XF": sat}, today=date(2027, 4, 20), xf=fri)
    assert done.at["XF", "status"] == "Done late" and done.at["XF", "variance"] == 1
    still_open = forecast(one, {}, today=sat, xf=fri)
    assert still_open.at["XF", "status"] == "Overdue" and still_open.at["XF", "variance"] == 1
    early = forecast(one, {"XF": date(2027, 4, 15)}, today=date(2027, 4, 20), xf=fri)
    assert early.at["XF", "status"] == "Done" and early.at["XF", "variance"] == -1

