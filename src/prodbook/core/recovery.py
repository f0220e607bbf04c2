"""Recovery options for a PO line forecast to miss its cancel date: per lever, the date it gives and its cost.

The levers (DOMAIN.md, "Shipping exceptions"):

* **Extra shift**: the factory works one more day a week (overtime, a Saturday
  shift) until ex-factory. The remaining working days to the forecast
  ex-factory, counted on the factory calendar, are done on that calendar with
  one more working day a week (its holidays and closures stay closed). Cost: the
  extra shift days, and money at Config 'Extra Shift Cost per Day' when set.
* **Split shipment**: the units packed on the latest WIP report leave on the
  next working day; the rest follow at the forecast. It saves the date only
  when the packed share is the order within Ship Tolerance %; it is no lever
  when the whole order is forecast to leave by that day.
* **Air freight** instead of sea: the in-DC date comes forward to ex-factory +
  'Transit Days Air', at 'Air Cost per Unit' x the order quantity (no lever
  under DDP when the current mode is no slower, by road say). Under FOB
  the cancel date is judged on ex-factory, which air does not move: there it
  never saves the date.
* **Cancel-date extension**: ask the buyer for the days the forecast needs. It
  does not meet the cancel date as it stands, so it is the fallback, never the
  recommendation.

A lever *saves the date* when the date it gives (ex-factory under FOB, in-DC
under DDP, as ``core.cancel`` judges) is on or before the cancel date. The
recommendation is the first lever that saves it, in the order extra shift
(no freight bill), split shipment, air freight (money); none when none does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from prodbook.core.calendar import FactoryCalendar, add_days, weekend_mask
from prodbook.core.cancel import fmt


class Lever(StrEnum):
    SHIFT = "Extra shift"
    SPLIT = "Split shipment"
    AIR = "Air freight"
    EXTENSION = "Cancel extension"


PREFERENCE = (Lever.SHIFT, Lever.SPLIT, Lever.AIR)
"""Which saving lever is recommended first: no freight bill before a partial shipment before air."""


@dataclass(frozen=True)
class Rates:
    """The Config rates the options are priced with."""

    air_cost_per_unit: float = 2.5
    """'Air Cost per Unit' (USD, more than sea)."""
    shift_cost_per_day: float = 0.0
    """'Extra Shift Cost per Day' (USD); 0: the cost is given in days only."""
    transit_air: int = 7
    """'Transit Days Air'."""
    ship_tolerance_pct: float = 3.0
    """'Ship Tolerance %': a packed share this close to the order ships as the whole order."""


@dataclass(frozen=True)
class LateLine:
    """What the options need to know of a PO line late for cancel."""

    cancel: date
    forecast_xf: date
    transit_days: int
    """Ex-factory to DC with the current ship mode."""
    in_dc_basis: bool
    """The cancel date is judged on in-DC (DDP and the delivered terms), else on ex-factory (FOB)."""
    today: date
    qty: int | None = None
    packed: int | None = None
    """Packed units on the latest WIP report."""
    mode: str | None = None
    """The current ship mode (Sea, Air, ...)."""
    calendar: FactoryCalendar | None = None
    """The factory's calendar; None: Monday to Friday."""
    terms: str = "FOB"
    shipped: date | None = None
    """The line left the factory on this date (DDP, not yet in the DC): only an extension is left."""

    def judged(self, xf: date, transit: int | None = None) -> date:
        """The date the cancel date is judged on for an ex-factory ``xf``."""
        return add_days(xf, self.transit_days if transit is None else transit) if self.in_dc_basis else xf

    @property
    def forecast(self) -> date:
        return self.judged(self.forecast_xf)

    @property
    def basis(self) -> str:
        return "in-DC" if self.in_dc_basis else "ex-factory"


@dataclass(frozen=True)
class Option:
    """One lever for one line."""

    lever: Lever
    gives: date | None
    """The judged date (ex-factory under FOB, in-DC under DDP) with this lever; None: not possible."""
    saves: bool
    """``gives`` is on or before the cancel date."""
    cost_days: int | None
    """Extra shift days, days late of the units left behind, or the extension asked for."""
    cost_money: float | None
    note: str
    recommended: bool = False


MONDAY_TO_FRIDAY = FactoryCalendar("Monday to Friday", 1)


def one_more_day(cal: FactoryCalendar) -> FactoryCalendar | None:
    """The calendar with one more working day a week: Saturday if it is off, else Sunday, else the first day
    off. Holidays and closures stay closed. None when the factory already works every day."""
    mask = list(weekend_mask(cal.weekend))
    off = [i for i in (5, 6, 0, 1, 2, 3, 4) if mask[i]]
    if not off:
        return None
    mask[off[0]] = False
    # its make-up days stay worked (a Sunday China declares a working day): the faster calendar works every
    # day the factory's does
    return FactoryCalendar(f"{cal.name} + 1 day", "".join("1" if m else "0" for m in mask), cal.holidays,
                           cal.workdays)


def _working_after(cal: FactoryCalendar, day: date) -> date | None:
    """The first working day after ``day``; None where the calendar has none (closed to the end of Excel's
    dates: a closure typed with no real end)."""
    try:
        return cal.workday(day, 1)
    except ValueError:
        return None


def shift(line: LateLine, rates: Rates) -> Option:
    """Work the remaining days to ex-factory on a calendar with one more working day a week."""
    if line.shipped is not None:
        return _gone(Lever.SHIFT, line.shipped)
    cal = line.calendar or MONDAY_TO_FRIDAY
    faster = one_more_day(cal)
    if faster is None:
        return Option(Lever.SHIFT, None, False, None, None, "the factory already works seven days a week")
    if line.forecast_xf <= line.today:
        return Option(Lever.SHIFT, None, False, None, None, "ex-factory is due now: no production days left "
                      "to compress")
    left = cal.networkdays(line.today + timedelta(days=1), line.forecast_xf)
    if left <= 0:
        return Option(Lever.SHIFT, None, False, None, None, f"no working day left before ex-factory "
                      f"{fmt(line.forecast_xf)}: no production days to compress")
    new_xf = faster.workday(line.today, left)
    # the days worked only on the faster calendar (it works every day the factory's does, and one more a
    # week): counted, not walked, so an ex-factory typed as 31-Dec-9999 is not eight thousand years of days
    extra = (faster.networkdays(line.today + timedelta(days=1), new_xf)
             - cal.networkdays(line.today + timedelta(days=1), new_xf)) if new_xf > line.today else 0
    gives = line.judged(new_xf)
    money = round(extra * rates.shift_cost_per_day, 2) if rates.shift_cost_per_day else None
    note = (f"{left} working day(s) left; with one more working day a week ex-factory {fmt(new_xf)} "
            f"({(line.forecast_xf - new_xf).days} day(s) earlier), {extra} extra shift day(s)")
    return Option(Lever.SHIFT, gives, gives <= line.cancel, extra, money, note)


def split(line: LateLine, rates: Rates) -> Option:
    """Ship the packed units now, the rest at the forecast."""
    if line.shipped is not None:
        return _gone(Lever.SPLIT, line.shipped)
    if line.packed is None:
        return Option(Lever.SPLIT, None, False, None, None, "no packed quantity on a WIP report")
    if line.packed <= 0:
        return Option(Lever.SPLIT, None, False, None, None, "nothing packed on the latest WIP report")
    if not line.qty or line.qty <= 0:
        return Option(Lever.SPLIT, None, False, None, None, f"{line.packed:,} unit(s) packed, but no order "
                      "quantity to weigh them against")
    cal = line.calendar or MONDAY_TO_FRIDAY
    leaves = _working_after(cal, line.today)
    if leaves is None:
        return Option(Lever.SPLIT, None, False, None, None, "the factory calendar has no working day ahead: "
                      "check its closures on the Closures sheet")
    if leaves >= line.forecast_xf:
        return Option(Lever.SPLIT, None, False, None, None, f"the whole order is forecast to leave "
                      f"{fmt(line.forecast_xf)}; the packed units could not leave before {fmt(leaves)}")
    gives = line.judged(leaves)
    packed = min(line.packed, line.qty)
    rest = line.qty - packed
    whole = rest * 100 <= line.qty * rates.ship_tolerance_pct
    on_time = gives <= line.cancel
    late_days = max(0, (line.forecast - line.cancel).days)
    # the share rounded down: 2,999 of 3,000 is 99%, not "100%" with a unit left behind
    arrive = f" and reach the DC {fmt(line.forecast)}" if line.in_dc_basis else ""
    note = (f"{packed:,} of {line.qty:,} units ({packed * 100 // line.qty}%) packed: they leave "
            f"{fmt(leaves)}" + ("" if whole else f"; the other {rest:,} leave {fmt(line.forecast_xf)}{arrive}, "
                                                f"{late_days} day(s) after cancel"))
    return Option(Lever.SPLIT, gives, on_time and whole, 0 if whole else late_days, None, note)


def air(line: LateLine, rates: Rates) -> Option | None:
    """Air instead of sea; None when the line already flies."""
    if (line.mode or "").strip().lower() == "air":
        return None
    if line.shipped is not None:
        return _gone(Lever.AIR, line.shipped)
    if line.in_dc_basis and rates.transit_air >= line.transit_days:
        return Option(Lever.AIR, None, False, None, None, f"air ({rates.transit_air} days to the DC) is no faster "
                      f"than the {line.transit_days} days of the current mode")
    gives = line.judged(line.forecast_xf, rates.transit_air)
    money = round((line.qty or 0) * rates.air_cost_per_unit, 2) if line.qty else None
    arrive = add_days(line.forecast_xf, rates.transit_air)
    if line.in_dc_basis:
        note = f"in DC {fmt(arrive)} ({rates.transit_air} days by air instead of {line.transit_days})"
    else:
        note = (f"in DC {fmt(arrive)}, but under {line.terms} the cancel date is judged on ex-factory, which "
                "air does not move")
    if money is None:
        note += "; no order quantity to price it with"
    return Option(Lever.AIR, gives, gives <= line.cancel, None, money, note)


def _gone(lever: Lever, shipped: date) -> Option:
    return Option(lever, None, False, None, None, f"the goods left the factory on {fmt(shipped)}")


def extension(line: LateLine) -> Option:
    """The days the buyer would have to move the cancel date."""
    days = (line.forecast - line.cancel).days
    return Option(Lever.EXTENSION, line.forecast, False, days, None,
                  f"ask the buyer to move the cancel date {days} day(s), to {fmt(line.forecast)}")


def options(line: LateLine, rates: Rates = Rates()) -> list[Option]:
    """Every lever for one late line, the first saving one (``PREFERENCE``) marked recommended; the
    extension last."""
    found = [o for o in (shift(line, rates), split(line, rates), air(line, rates)) if o is not None]
    best = next((o for lever in PREFERENCE for o in found if o.lever is lever and o.saves), None)
    found = [replace(o, recommended=True) if o is best else o for o in found]
    return [*found, extension(line)]


def summary(opts: Sequence[Option]) -> str:
    """The options in a sentence or two, for the exception's detail."""
    best = next((o for o in opts if o.recommended), None)
    parts = []
    for o in opts:
        if o.lever is Lever.EXTENSION:
            continue
        if o.gives is None:
            parts.append(f"{o.lever.lower()}: not possible ({o.note})")
        else:
            verdict = "saves the date" if o.saves else "does not save the date"
            parts.append(f"{o.lever.lower()} {fmt(o.gives)} {verdict}{cost_text(o)}")
    ext = next((o for o in opts if o.lever is Lever.EXTENSION), None)
    head = f"Recovery: recommended {best.lever.lower()}." if best else "Recovery: no lever saves the date."
    tail = f" Else ask the buyer to move the cancel date {ext.cost_days} day(s)." if ext else ""
    return f"{head} " + "; ".join(parts) + "." + tail


def cost_text(o: Option) -> str:
    """' (2 extra shift day(s), USD 1,600)': the option's cost in brackets, or nothing."""
    bits = []
    if o.lever is Lever.SHIFT and o.cost_days is not None:
        bits.append(f"{o.cost_days} extra shift day(s)")
    if o.lever is Lever.SPLIT and o.cost_days:
        bits.append(f"the rest {o.cost_days} day(s) after cancel")
    if o.cost_money:
        bits.append(f"USD {o.cost_money:,.0f}")
    return f" ({', '.join(bits)})" if bits else ""
