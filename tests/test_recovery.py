"""Recovery options for lines late for cancel: each lever's date and cost, worked by hand on a calendar.

March 2027:   Mo Tu We Th Fr Sa Su
               1  2  3  4  5  6  7
               8  9 10 11 12 13 14
              15 16 17 18 19 20 21
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from prodbook.core import exceptions as ex
from prodbook.core import recovery as rc
from prodbook.core.calendar import FactoryCalendar
from prodbook.core.findings import Code

MON = date(2027, 3, 1)
RATES = rc.Rates(air_cost_per_unit=2.5, shift_cost_per_day=800, transit_air=7, ship_tolerance_pct=3)


def by_lever(opts: list[rc.Option]) -> dict[rc.Lever, rc.Option]:
    return {o.lever: o for o in opts}


def test_fob_saturday_shift_saves_the_date_and_air_does_not() -> None:
    # Mon-Fri factory, forecast ex-factory Fri 19-Mar, cancel Wed 17-Mar (FOB: judged on ex-factory), 2 days late.
    line = rc.LateLine(cancel=date(2027, 3, 17), forecast_xf=date(2027, 3, 19), transit_days=30,
                       in_dc_basis=False, today=MON, qty=1000, packed=400, mode="Sea",
                       calendar=FactoryCalendar("SHX", 1))
    o = by_lever(rc.options(line, RATES))
    # Working days after Mon 1-Mar up to Fri 19-Mar: 2-5 (4) + 8-12 (5) + 15-19 (5) = 14.
    # Mon-Sat: 2..6 (5), 8..13 (11), 15 (12), 16 (13), 17 (14) -> Wed 17-Mar, on the cancel date.
    # Extra days worked: Sat 6 and Sat 13 = 2, at 800 = 1,600.
    assert o[rc.Lever.SHIFT].gives == date(2027, 3, 17) and o[rc.Lever.SHIFT].saves
    assert (o[rc.Lever.SHIFT].cost_days, o[rc.Lever.SHIFT].cost_money) == (2, 1600)
    assert o[rc.Lever.SHIFT].recommended
    # 400 of 1,000 packed: they leave Tue 2-Mar, the other 600 on the 19th, 2 days after cancel: not saved.
    assert o[rc.Lever.SPLIT].gives == date(2027, 3, 2) and not o[rc.Lever.SPLIT].saves
    assert o[rc.Lever.SPLIT].cost_days == 2 and "600 leave" in o[rc.Lever.SPLIT].note
    # Air under FOB: the ex-factory stays the 19th; 1,000 x 2.50 = 2,500.
    assert o[rc.Lever.AIR].gives == date(2027, 3, 19) and not o[rc.Lever.AIR].saves
    assert o[rc.Lever.AIR].cost_money == 2500 and "judged on ex-factory" in o[rc.Lever.AIR].note
    assert o[rc.Lever.EXTENSION].cost_days == 2 and not o[rc.Lever.EXTENSION].recommended
    text = rc.summary(rc.options(line, RATES))
    assert text.startswith("Recovery: recommended extra shift.")
    assert "air freight 19-Mar-27 does not save the date (USD 2,500)" in text
    assert "move the cancel date 2 day(s)" in text


def test_ddp_split_and_air_save_split_is_recommended() -> None:
    # Sunday-only weekend (11), forecast ex-factory Sat 13-Mar + 30 days sea = in DC Mon 12-Apr; cancel Mon 5-Apr
    # judged on in-DC (DDP): 7 days late.
    line = rc.LateLine(cancel=date(2027, 4, 5), forecast_xf=date(2027, 3, 13), transit_days=30,
                       in_dc_basis=True, today=MON, qty=1000, packed=990, mode="Sea",
                       calendar=FactoryCalendar("DHK", 11), terms="DDP")
    o = by_lever(rc.options(line, RATES))
    # Mon-Sat working days after the 1st up to the 13th: 2-6 (5) + 8-13 (6) = 11; seven days a week the 11th
    # is Fri 12-Mar (Sun 7 worked: 1 extra day); + 30 = Sun 11-Apr, after the 5th: not saved.
    assert o[rc.Lever.SHIFT].gives == date(2027, 4, 11) and not o[rc.Lever.SHIFT].saves
    assert o[rc.Lever.SHIFT].cost_days == 1
    # 990 of 1,000 packed: the 10 left are within 3% (30), so the order ships whole on Tue 2-Mar, + 30 = 1-Apr.
    assert o[rc.Lever.SPLIT].gives == date(2027, 4, 1) and o[rc.Lever.SPLIT].saves
    # Air: 13-Mar + 7 = 20-Mar, saves; 2,500.
    assert o[rc.Lever.AIR].gives == date(2027, 3, 20) and o[rc.Lever.AIR].saves
    assert [x.lever for x in rc.options(line, RATES) if x.recommended] == [rc.Lever.SPLIT]
    assert o[rc.Lever.EXTENSION].gives == date(2027, 4, 12) and o[rc.Lever.EXTENSION].cost_days == 7


def test_no_lever_saves_says_so_and_recommends_none() -> None:
    # Already by air, a seven-day factory, nothing packed: only the extension is left.
    line = rc.LateLine(cancel=date(2027, 3, 10), forecast_xf=date(2027, 3, 19), transit_days=7,
                       in_dc_basis=False, today=MON, qty=500, packed=0, mode="Air",
                       calendar=FactoryCalendar("X", "0000000"))
    opts = rc.options(line, RATES)
    assert [o.lever for o in opts] == [rc.Lever.SHIFT, rc.Lever.SPLIT, rc.Lever.EXTENSION]
    assert not any(o.recommended or o.saves for o in opts)
    text = rc.summary(opts)
    assert text.startswith("Recovery: no lever saves the date.") and "move the cancel date 9 day(s)" in text
    assert "seven days a week" in text


def test_a_shipped_ddp_line_has_only_the_extension() -> None:
    # Left the factory by sea on 25-Feb; in DC 27-Mar + ... after a 17-Mar cancel: nothing but an extension.
    line = rc.LateLine(cancel=date(2027, 3, 17), forecast_xf=date(2027, 2, 25), transit_days=30,
                       in_dc_basis=True, today=MON, qty=1000, packed=1000, mode="Sea", terms="DDP",
                       shipped=date(2027, 2, 25))
    opts = rc.options(line, RATES)
    assert [o.gives for o in opts[:-1]] == [None, None, None] and not any(o.recommended for o in opts)
    # 25-Feb + 30 = 27-Mar, 10 days after the 17th.
    assert (opts[-1].gives, opts[-1].cost_days) == (date(2027, 3, 27), 10)
    assert "left the factory on 25-Feb-27" in rc.summary(opts)


def test_closures_stay_closed_on_the_extra_day_calendar() -> None:
    # Sat 6-Mar is a closure day: the extra shift cannot use it. 14 days as in the first test ->
    # Mon-Sat without the 6th: 2..5 (4), 8..13 (10), 15..18 (14) -> Thu 18-Mar, 1 extra day (Sat 13).
    cal = FactoryCalendar("SHX", 1, (date(2027, 3, 6),))
    line = rc.LateLine(cancel=date(2027, 3, 17), forecast_xf=date(2027, 3, 19), transit_days=30,
                       in_dc_basis=False, today=MON, qty=1000, calendar=cal)
    o = rc.shift(line, RATES)
    assert (o.gives, o.saves, o.cost_days) == (date(2027, 3, 18), False, 1)


def test_late_for_cancel_exception_carries_the_options() -> None:
    line = ex.Line("PO1", "ST1", "NAVY", "SHX", 1000, "Sea", None, date(2027, 3, 12), date(2027, 4, 12),
                   date(2027, 3, 17), {"XF": date(2027, 3, 12)}, {"XF": date(2027, 3, 19)}, {},
                   {"packed_qty": 400, "report_date": date(2027, 2, 26)})
    inp = ex.Inputs([line], __import__("pandas").DataFrame(), MON, calendars={"SHX": FactoryCalendar("SHX", 1)})
    hit = ex.late_for_cancel(inp)[0]
    assert hit.code is Code.LATE_FOR_CANCEL
    assert "Recovery: recommended extra shift." in hit.message and "extra shift 17-Mar-27 saves the date" in hit.message
    assert ex.recovery_options(line, inp)[0].gives == date(2027, 3, 17)


WEEKENDS = st.sampled_from([1, 2, 7, 11, 12, 16, 17, "0000000", "0000011", "1010100"])


@settings(max_examples=300, deadline=None)
@given(today=st.dates(date(2026, 1, 1), date(2028, 12, 31)), ahead=st.integers(-5, 120),
       late=st.integers(1, 60), transit=st.integers(0, 45), ddp=st.booleans(), qty=st.integers(1, 20000),
       packed=st.one_of(st.none(), st.integers(0, 20000)), mode=st.sampled_from(["Sea", "Air", None, "Road"]),
       weekend=WEEKENDS, closed=st.lists(st.integers(0, 150), max_size=10),
       air_days=st.integers(1, 14), gone=st.booleans())
def test_a_recommended_lever_always_saves_the_date(today: date, ahead: int, late: int, transit: int, ddp: bool,
                                                   qty: int, packed: int | None, mode: str | None,
                                                   weekend: int | str, closed: list[int], air_days: int,
                                                   gone: bool) -> None:
    xf = today + timedelta(days=ahead)
    judged = xf + timedelta(days=transit) if ddp else xf
    cal = FactoryCalendar("F", weekend, tuple(today + timedelta(days=d) for d in closed))
    line = rc.LateLine(cancel=judged - timedelta(days=late), forecast_xf=xf, transit_days=transit, in_dc_basis=ddp,
                       today=today, qty=qty, packed=packed, mode=mode, calendar=cal,
                       shipped=today - timedelta(days=1) if gone else None)
    opts = rc.options(line, rc.Rates(transit_air=air_days))
    recommended = [o for o in opts if o.recommended]
    assert len(recommended) <= 1
    for o in opts:
        if o.saves or o.recommended:  # a lever that does not save the date is never recommended
            assert o.saves and o.gives is not None and o.gives <= line.cancel
        if o.gives is not None and o.lever is not rc.Lever.SPLIT:
            assert o.saves == (o.gives <= line.cancel)
        if o.lever is rc.Lever.SHIFT and o.gives is not None:
            assert o.gives <= line.forecast  # compressing never makes it later
    assert (len(recommended) == 1) == any(o.saves for o in opts)
    assert opts[-1].lever is rc.Lever.EXTENSION and not opts[-1].saves


def test_recovery_rates_are_typed_config_settings() -> None:
    from prodbook.core.config import build_config

    config, found = build_config([("Air Cost per Unit", "$3.10", 5), ("Extra Shift Cost per Day", 1200, 6),
                                  ("Transit Days Air", "5", 7), ("On-Time Tolerance Days", 2, 8)], "t.xlsx")
    assert not found
    assert (config.air_cost_per_unit, config.shift_cost_per_day, config.transit_days_air,
            config.on_time_tolerance_days) == (3.1, 1200.0, 5, 2)
    assert ex.settings_from(config)[0].transit_air == 5  # the exception rules read the same setting
    config, found = build_config([("Air Cost per Unit", "by sea", 5), ("Transit Days Air", -2, 6)], "t.xlsx")
    assert (config.air_cost_per_unit, config.transit_days_air) == (2.5, 7)  # the defaults apply
    assert [(f.row, f.column) for f in found] == [(5, "Value"), (6, "Value")]
    assert all("Air" in f.message and "default applies" in f.message for f in found)
