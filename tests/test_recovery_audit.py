"""Recovery options as an APM reads them: each sentence true for the numbers it shows, each date on the
factory's own calendar, worked by hand on the March 2027 of ``test_recovery``."""

from __future__ import annotations

from datetime import date

from prodbook.core import recovery as rc
from prodbook.core.calendar import FactoryCalendar
from test_recovery import MON, RATES


def fob(**kw: object) -> rc.LateLine:
    """Mon-Fri factory, today Mon 1-Mar, forecast ex-factory Fri 19-Mar, cancel Wed 17-Mar (FOB)."""
    base: dict[str, object] = dict(cancel=date(2027, 3, 17), forecast_xf=date(2027, 3, 19), transit_days=30,
                                   in_dc_basis=False, today=MON, qty=1000, packed=400, mode="Sea",
                                   calendar=FactoryCalendar("SHX", 1))
    return rc.LateLine(**{**base, **kw})  # type: ignore[arg-type]


def test_the_extra_shift_keeps_the_factorys_make_up_sunday() -> None:
    # A Chinese Mon-Fri factory works Sun 7-Mar to make up a holiday bridge (调休): 15 working days after the 1st
    # up to the 19th. With Saturdays too: 2..7 (6), 8..13 (12), 15, 16, 17 (15) -> Wed 17-Mar, on the cancel
    # date; the extra days are Sat 6 and Sat 13. Dropping the make-up Sunday gave 18-Mar, "does not save".
    cal = FactoryCalendar("NBT", 1, (), (date(2027, 3, 7),))
    o = rc.shift(fob(calendar=cal), RATES)
    assert (o.gives, o.saves, o.cost_days, o.cost_money) == (date(2027, 3, 17), True, 2, 1600)


def test_split_with_units_packed_but_no_order_quantity_does_not_say_nothing_is_packed() -> None:
    o = rc.split(fob(qty=None, packed=500), RATES)
    assert o.gives is None and "nothing packed" not in o.note
    assert "500" in o.note and "order quantity" in o.note


def test_split_with_no_wip_report_does_not_quote_one() -> None:
    o = rc.split(fob(packed=None), RATES)
    assert o.gives is None and "nothing packed on the latest WIP report" not in o.note
    assert "WIP report" in o.note
    assert "nothing packed on the latest WIP report" in rc.split(fob(packed=0), RATES).note


def test_ddp_split_names_the_in_dc_date_of_the_units_left_behind() -> None:
    # DDP: ex-factory Sat 13-Mar + 30 = in DC Mon 12-Apr, cancel Mon 5-Apr: 7 days late on in-DC. The 600
    # left behind leave on the 13th (before the cancel date) and reach the DC on 12-Apr, 7 days after it.
    line = fob(cancel=date(2027, 4, 5), forecast_xf=date(2027, 3, 13), in_dc_basis=True, terms="DDP",
               calendar=FactoryCalendar("DHK", 11))
    o = rc.split(line, RATES)
    assert o.cost_days == 7
    assert "leave 13-Mar-27, 7 day(s) after cancel" not in o.note
    assert "leave 13-Mar-27 and reach the DC 12-Apr-27, 7 day(s) after cancel" in o.note


def test_split_is_no_lever_when_the_whole_order_leaves_as_soon_as_the_packed_units() -> None:
    # DDP, the whole order is forecast to leave today (Mon 1-Mar) and arrive 31-Mar; the packed share could leave
    # Tue 2-Mar at the soonest and arrive 1-Apr: later than doing nothing.
    line = fob(cancel=date(2027, 3, 20), forecast_xf=MON, in_dc_basis=True, terms="DDP", packed=990)
    o = rc.split(line, RATES)
    assert o.gives is None and not o.saves
    assert "01-Mar-27" in o.note
    # the same on FOB when the forecast ex-factory is the next working day
    o = rc.split(fob(cancel=date(2027, 3, 1), forecast_xf=date(2027, 3, 2)), RATES)
    assert o.gives is None


def test_split_percent_never_says_100_with_units_left_behind() -> None:
    o = rc.split(fob(qty=3000, packed=2999), rc.Rates(ship_tolerance_pct=0))
    assert "(100%)" not in o.note and "2,999 of 3,000 units (99%)" in o.note and "other 1 leave" in o.note


def test_split_that_does_not_save_says_why_in_the_summary() -> None:
    # 400 packed leave Tue 2-Mar (before the 17th), the other 600 on the 19th: the summary must not read as if
    # 02-Mar-27 itself missed the cancel date.
    text = rc.summary(rc.options(fob(), RATES))
    assert "split shipment 02-Mar-27 does not save the date (the rest 2 day(s) after cancel)" in text


def test_air_with_no_order_quantity_says_it_cannot_be_priced() -> None:
    o = rc.air(fob(qty=None, in_dc_basis=True, terms="DDP", cancel=date(2027, 4, 1)), RATES)
    assert o is not None and o.cost_money is None and "order quantity" in o.note


def test_no_extra_shift_day_is_charged_when_no_working_day_is_left() -> None:
    # Today Fri 5-Mar, ex-factory Sat 6-Mar on a Mon-Fri factory: no production day left to compress; a
    # Saturday shift gains nothing and must not cost a shift day.
    o = rc.shift(fob(today=date(2027, 3, 5), cancel=date(2027, 3, 5), forecast_xf=date(2027, 3, 6)), RATES)
    assert o.gives is None and o.cost_days is None and o.cost_money is None


def test_air_is_no_lever_when_the_current_mode_is_no_slower() -> None:
    # DDP by road, 5 days to the DC: ex-factory Fri 19-Mar + 5 = Wed 24-Mar; by air (7 days) it would land Fri
    # 26-Mar, later, and cost 1,000 x 2.50. It must not be offered as a date at a price.
    line = fob(cancel=date(2027, 3, 20), transit_days=5, in_dc_basis=True, terms="DDP", mode="Road")
    o = rc.air(line, RATES)
    assert o is not None and o.gives is None and o.cost_money is None and not o.saves
    assert "no faster" in o.note
