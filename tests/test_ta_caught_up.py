"""A line that catches up: once a later production step is done, an earlier step's slip no longer holds the
ex-factory forecast late. Before, cutting 7 days late kept the ex-factory 7 days late after packing was done on
time, so the line stayed 'late for cancel' and chased though the goods were ready."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from prodbook.core.calendar import workday_intl
from test_ta import templates
from test_ta_audit import forecast

XF_DAY = date(2027, 4, 15)  # a Thursday; the plan's steps are Monday-Friday working days before it


def production(stage_of_booking: str | None = "Shipping", stage: str | None = "Production") -> pd.DataFrame:
    """Cutting, inline, booking, packing and final inspection worked back from the ex-factory, as the demo's
    knit plan has them."""
    frame = templates(("T", "CUT", "XF", -22, "Working"), ("T", "INL", "XF", -12, "Working"),
                      ("T", "BKC", "XF", -10, "Working"), ("T", "PCK", "XF", -3, "Working"),
                      ("T", "FRI", "XF", -2, "Working"), ("T", "XF", "Ex-Factory", 0, "Working"))
    frame["stage"] = [stage, stage, stage_of_booking, stage, stage, "Shipping"]
    return frame


def planned(code: str) -> date:
    return workday_intl(XF_DAY, {"CUT": -22, "INL": -12, "BKC": -10, "PCK": -3, "FRI": -2, "XF": 0}[code], 1)


def late(code: str, days: int) -> date:
    return workday_intl(planned(code), days, 1)


def test_packing_done_on_time_after_a_late_cutting_brings_the_ex_factory_back():
    res = forecast(production(), {"CUT": late("CUT", 7), "INL": late("INL", 4), "BKC": planned("BKC"),
                                      "PCK": planned("PCK")},
                   today=planned("PCK") + timedelta(days=1))
    assert res.at["CUT", "variance"] == 7
    assert res.at["XF", "forecast"].date() == XF_DAY and res.at["XF", "variance"] == 0
    assert res.at["FRI", "forecast"].date() == planned("FRI")


def test_the_latest_done_step_sets_the_pace_while_the_rest_are_open():
    """Inline done 2 days late after cutting 7 late: the ex-factory follows the inline (2 late), not the cut."""
    res = forecast(production(), {"CUT": late("CUT", 7), "INL": late("INL", 2)}, today=late("INL", 2))
    assert res.at["XF", "forecast"].date() == late("XF", 2)
    assert res.at["PCK", "forecast"].date() == late("PCK", 2)


def test_a_booking_confirmed_on_time_says_nothing_of_a_late_cutting():
    """Booking is of another stage (Shipping): cutting's slip still holds the ex-factory."""
    res = forecast(production(), {"CUT": late("CUT", 7), "BKC": planned("BKC")},
                   today=planned("BKC") + timedelta(days=1))
    assert res.at["XF", "forecast"].date() == late("XF", 7)


def test_a_template_without_stages_keeps_every_push():
    """Without a Stage, prodbook cannot tell a production step from a booking: nothing is taken as caught up."""
    res = forecast(production(stage_of_booking=None, stage=None),
                   {"CUT": late("CUT", 7), "INL": late("INL", 4), "BKC": planned("BKC"), "PCK": planned("PCK")},
                   today=planned("PCK") + timedelta(days=1))
    assert res.at["XF", "forecast"].date() == late("XF", 7)


def test_a_later_step_dated_before_the_earlier_one_spends_nothing():
    """Packing typed as done before cutting started (a typing slip or a part shipment): cutting still pushes."""
    res = forecast(production(), {"CUT": late("CUT", 7), "PCK": planned("CUT")},
                   today=late("CUT", 8))
    assert res.at["XF", "forecast"].date() == late("XF", 7)


def test_a_packing_date_typed_ahead_is_no_catching_up():
    """An Actual after today is the vendor's promise, not done (the Status says Overdue): cutting still pushes."""
    res = forecast(production(), {"CUT": late("CUT", 7), "PCK": planned("PCK")}, today=late("CUT", 1))
    assert res.at["XF", "forecast"].date() == late("XF", 7)


def test_an_overdue_step_after_the_done_one_still_pushes():
    """Inline done on time, booking confirmed, packing still open and overdue: the ex-factory waits for it."""
    today = late("PCK", 3)
    res = forecast(production(), {"CUT": late("CUT", 7), "INL": planned("INL"), "BKC": planned("BKC")},
                   today=today)
    assert res.at["PCK", "status"] == "Overdue"
    assert res.at["XF", "forecast"].date() == workday_intl(today, 3, 1)


STEPS = ("CUT", "INL", "PCK", "FRI")
slips = st.one_of(st.none(), st.integers(-3, 12))


@settings(max_examples=120, deadline=None)
@given(st.fixed_dictionaries({c: slips for c in STEPS}), st.sampled_from(STEPS), st.integers(1, 10))
def test_a_later_actual_never_brings_the_ex_factory_forward(slip, which, more):
    """Moving any done step's Actual later never makes the ex-factory forecast earlier, and the forecast is
    never before the latest done step's Actual plus its planned gap."""
    if slip[which] is None:
        slip = {**slip, which: 0}
    today = late("XF", 20)
    before = forecast(production(), {c: late(c, s) for c, s in slip.items() if s is not None}, today=today)
    after = forecast(production(), {c: late(c, s + (more if c == which else 0))
                                    for c, s in slip.items() if s is not None}, today=today)
    assert after.at["XF", "forecast"] >= before.at["XF", "forecast"]
    gap = {"CUT": 22, "INL": 12, "PCK": 3, "FRI": 2}
    for res, s in ((before, slip), (after, {**slip, which: slip[which] + more})):
        last = [c for c in STEPS if s[c] is not None][-1]
        assert res.at["XF", "forecast"].date() >= workday_intl(late(last, s[last]), gap[last], 1)


def test_steps_worked_back_from_the_orders_date_catch_up_alike():
    """The same plan written against the order's Ex-Factory date itself ('Ex-Factory -22'), not the code XF."""
    frame = production()
    frame["anchor"] = ["Ex-Factory"] * 6
    res = forecast(frame, {"CUT": late("CUT", 7), "INL": late("INL", 4), "BKC": planned("BKC"),
                           "PCK": planned("PCK")}, today=planned("PCK") + timedelta(days=1))
    assert res.at["XF", "forecast"].date() == XF_DAY
    late_cut = forecast(frame, {"CUT": late("CUT", 7)}, today=late("CUT", 1))
    assert late_cut.at["XF", "forecast"].date() == late("XF", 7)


def test_a_step_left_blank_before_a_done_one_no_longer_holds_the_ex_factory():
    """Packing complete typed on time, the inline inspection before it left blank (the APM did not type it):
    production passed it, so its blank, overdue by now, does not push the ex-factory 12 working days out."""
    today = planned("PCK") + timedelta(days=1)
    res = forecast(production(), {"CUT": planned("CUT"), "BKC": planned("BKC"), "PCK": planned("PCK")},
                   today=today)
    assert res.at["INL", "status"] == "Overdue"
    assert res.at["XF", "forecast"].date() == XF_DAY
