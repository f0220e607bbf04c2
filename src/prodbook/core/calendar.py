"""Working-day arithmetic with Excel's WORKDAY.INTL / NETWORKDAYS.INTL rules, and factory calendars.

The T&A sheet must show the same dates Excel would compute from the same inputs,
so every rule here follows Excel (checked against LibreOffice in
``tests/data/workday_reference.csv`` and Microsoft's documentation):

* ``weekend`` is Excel's weekend number (1-7: two-day weekends starting
  Saturday/Sunday ... Friday/Saturday; 11-17: Sunday only ... Saturday only) or
  a 7-character mask of 0/1, Monday first, 1 = day off. Anything else is #VALUE!.
* WORKDAY.INTL(start, 0) is ``start`` itself, working day or not. For n > 0 the
  result is the n-th working day after ``start``; for n < 0 the n-th before it.
  Fractional offsets are truncated toward zero.
* NETWORKDAYS.INTL counts working days in [start, end] inclusive, negated when
  start > end. An all-days-off mask "1111111" gives 0 there (WORKDAY.INTL: #VALUE!).
* Dates before 1900-01-01 or after 9999-12-31 (start, end, holidays or result)
  are #NUM!. Excel's phantom 1900-02-29 is not emulated, so results before
  1900-03-01 can differ from Excel by a day.

Scalar functions raise ``ValueError`` where Excel shows an error value (and
``TypeError`` for a start that is not a date or days that are not a number). The
``*_array`` functions work on whole columns with ``numpy.busday_offset`` /
``busday_count``; a row Excel would show as #NUM! (or a blank input) becomes NaT
or NaN there instead of failing the whole column.

Excel's functions know a weekly mask minus holidays only. A factory calendar knows more: a
weekend day worked by decree (China's make-up Saturdays and Sundays around Golden Week and the
Spring Festival, listed by the holidays package) is a working day of ``FactoryCalendar``; there the
dates differ from WORKDAY.INTL's on purpose, as the factory works them.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import holidays as holidays_pkg
import numpy as np
from holidays import registry as holidays_registry

Weekend = int | str
"""Excel weekend number (1-7, 11-17) or 7-character mask such as "0000011" (Monday first, 1 = day off)."""

EXCEL_FIRST_DATE = date(1900, 1, 1)
EXCEL_LAST_DATE = date(9999, 12, 31)
_FIRST = np.datetime64(EXCEL_FIRST_DATE, "D")
_LAST = np.datetime64(EXCEL_LAST_DATE, "D")
_NAT = np.datetime64("NaT", "D")
# More working days than Excel's whole date range holds: anything beyond is #NUM!.
# Clipping keeps numpy's offset arithmetic far from int64 overflow.
_MAX_OFFSET = 3_000_000

# Weekday index: Monday = 0 ... Sunday = 6.
_WEEKEND_NUMBERS: dict[int, frozenset[int]] = {
    **{k: frozenset({(k + 4) % 7, (k + 5) % 7}) for k in range(1, 8)},  # 1 = Sat+Sun ... 7 = Fri+Sat
    **{k: frozenset({(k - 5) % 7}) for k in range(11, 18)},  # 11 = Sun ... 17 = Sat
}
_WEEKEND_HELP = (
    "use an Excel weekend number 1-7 or 11-17 (1 = Saturday and Sunday, 11 = Sunday only, "
    "16 = Friday only) or a 7-character mask such as 0000011 (Monday first, 1 = day off)"
)
# Countries whose official holiday schedule is announced year by year; the
# holidays package only estimates the years after its last announced one.
_ANNOUNCED_YEARLY = {"CN": "China", "VN": "Vietnam"}


def _shortened(text: str) -> str | None:
    """What to do about a mask Excel kept as a number and so lost its leading zeros (0000100 typed into a
    General cell is 100); None when the text is no such mask."""
    if not 0 < len(text) < 7 or set(text) - {"0", "1"} or text.zfill(7) == "1111111":
        return None
    mask = text.zfill(7)
    return (f"it looks like the mask {mask} with its leading zeros dropped by Excel, which keeps {mask} typed "
            f"into a General cell as the number {int(text)}; format the Weekend cell as Text (Home > Number "
            f"Format > Text) and type {mask} again, or type it as '{mask}")


def _parse_weekend(weekend: Weekend) -> tuple[bool, ...]:
    """Weekend argument -> 7 bools (Monday first, True = day off); may be all True."""
    if isinstance(weekend, str):
        if len(weekend) != 7 or set(weekend) - {"0", "1"}:
            raise ValueError(f"Weekend {weekend!r} is not valid: {_shortened(weekend) or _WEEKEND_HELP}.")
        return tuple(c == "1" for c in weekend)
    if isinstance(weekend, (bool, np.bool_)) or not isinstance(weekend, (int, float, np.integer, np.floating)):
        raise ValueError(f"Weekend {weekend!r} is not valid: {_WEEKEND_HELP}.")
    # Excel passes every number as a float: 11.0 is 11, 11.5 is an error (as in Calc).
    if not math.isfinite(weekend) or weekend != int(weekend) or int(weekend) not in _WEEKEND_NUMBERS:
        shortened = _shortened(str(int(weekend))) if math.isfinite(weekend) and weekend == int(weekend) else None
        raise ValueError(f"Weekend {weekend!r} is not valid: {shortened or _WEEKEND_HELP}.")
    days_off = _WEEKEND_NUMBERS[int(weekend)]
    return tuple(i in days_off for i in range(7))


def weekend_mask(weekend: Weekend) -> tuple[bool, ...]:
    """Decode an Excel weekend argument.

    Args:
        weekend: Excel weekend number (int, or an int-valued float as Excel passes
            it) or a 7-character 0/1 mask string. A numeric string such as "11"
            is not a number to Excel: it is an invalid mask.

    Returns:
        Seven bools, Monday first, True for a day off.

    Raises:
        ValueError: Excel's #VALUE!/#NUM!: not a weekend number or mask, or a
            mask with no working day ("1111111").
    """
    mask = _parse_weekend(weekend)
    if all(mask):
        raise ValueError(f"Weekend {weekend!r} leaves no working day in the week: {_WEEKEND_HELP}.")
    return mask


def numpy_weekmask(weekend: Weekend) -> str:
    """The weekmask numpy's busday functions take ("1111100": Monday first, 1 = working)."""
    return "".join("0" if off else "1" for off in weekend_mask(weekend))


def _as_date(value: Any) -> date:
    """A date, or a datetime truncated to its day as Excel truncates a serial."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, np.datetime64) and not np.isnat(value):
        return value.astype("datetime64[D]").item()
    raise TypeError(f"{value!r} is not a date")


def _check_in_range(d: date, what: str) -> None:
    if not EXCEL_FIRST_DATE <= d <= EXCEL_LAST_DATE:
        raise ValueError(f"{what} {d.isoformat()} is outside Excel's dates (1900-01-01 to 9999-12-31).")


def add_days_array(starts: np.ndarray, days: Any) -> np.ndarray:
    """``starts`` (datetime64[D]) plus ``days`` calendar days, fractions truncated toward zero; NaT where
    the result is outside Excel's dates, as ``_offset`` gives a working-day offset (an ex-factory typed as
    31-Dec-9999 plus transit, an offset of 1e15)."""
    n = np.clip(np.trunc(np.asarray(days, dtype=float)), -_MAX_OFFSET, _MAX_OFFSET).astype("timedelta64[D]")
    out = np.asarray(starts, dtype="datetime64[D]") + n
    out[(out < _FIRST) | (out > _LAST)] = _NAT
    return out


def year_list(years: Iterable[int]) -> str:
    """Years for a message, a run of three or more as a span: "2024, 2101-9999", not eight thousand years."""
    spans: list[list[int]] = []
    for y in sorted(set(years)):
        if spans and y == spans[-1][-1] + 1:
            spans[-1].append(y)
        else:
            spans.append([y])
    return ", ".join(f"{s[0]}-{s[-1]}" if len(s) > 2 else ", ".join(map(str, s)) for s in spans)


def add_days(d: date, days: int) -> date:
    """``d`` plus ``days`` calendar days, held to Excel's dates: an ex-factory typed as 31-Dec-9999 (a
    placeholder some systems use for "no date") plus transit stays 31-Dec-9999 instead of stopping the run."""
    try:
        out = d + timedelta(days=days)
    except OverflowError:
        return EXCEL_LAST_DATE if days > 0 else EXCEL_FIRST_DATE
    return min(max(out, EXCEL_FIRST_DATE), EXCEL_LAST_DATE)


def _holiday_array(holidays: Iterable[Any]) -> np.ndarray:
    """Holidays -> sorted unique datetime64[D]; blanks (None, NaT) ignored as Excel ignores empty cells."""
    days = {_as_date(h) for h in holidays if h is not None and not (isinstance(h, np.datetime64) and np.isnat(h))}
    for d in days:
        _check_in_range(d, "Holiday")
    return np.array(sorted(days), dtype="datetime64[D]")


def _busdaycal(mask: tuple[bool, ...], holidays: Iterable[Any]) -> np.busdaycalendar:
    return np.busdaycalendar(weekmask=[not off for off in mask], holidays=_holiday_array(holidays))


MADE_UP_REACH = 5
"""Years before and after the holidays and make-up days of a calendar that has some, over which its weekend
is spelled out day by day (numpy's calendar has no working day on a weekday it calls off): a T&A's dates
lie within a year or two of its orders."""


def _made_up(mask: tuple[bool, ...], holidays: tuple[date, ...], workdays: tuple[date, ...]) -> np.busdaycalendar:
    """A calendar whose weekend days are listed one by one as days off, but for the make-up days: every day of
    the week may then be a working day, as the make-up Sunday is."""
    known = [*holidays, *workdays]
    first = np.datetime64(f"{min(d.year for d in known) - MADE_UP_REACH:04d}-01-01")
    last = np.datetime64(f"{max(d.year for d in known) + MADE_UP_REACH:04d}-12-31")
    span = np.arange(first, last + np.timedelta64(1, "D"), dtype="datetime64[D]")
    weekday = (span.astype("int64") - 4) % 7  # 1970-01-01 was a Thursday: 0 Monday ... 6 Sunday
    off = np.array(mask, dtype=bool)[weekday]
    off &= ~np.isin(span, np.array(workdays, dtype="datetime64[D]"))
    return np.busdaycalendar(weekmask=[True] * 7, holidays=np.union1d(span[off], _holiday_array(holidays)))


def _truncate_days(days: Any) -> int:
    if not isinstance(days, (int, float, np.integer, np.floating)):
        raise TypeError(f"{days!r} is not a number of days")
    if not math.isfinite(days):
        raise ValueError(f"{days!r} is not a number of days.")
    return int(days)  # int() truncates toward zero, as Excel does


# --- the vectorised core ---------------------------------------------------


def _offset(starts: np.ndarray, days: np.ndarray, cal: np.busdaycalendar) -> np.ndarray:
    """Excel WORKDAY.INTL on arrays; NaT where an input is blank or Excel would give #NUM!.

    numpy rolls a non-working start before counting: rolling it *backward* for
    n > 0 (Saturday -> Friday, +1 -> Monday) and *forward* for n < 0
    (Saturday -> Monday, -1 -> Friday) makes the count start next to the
    original date, which is Excel's rule. n == 0 returns the start unrolled.
    """
    if days.ndim == 0 and starts.ndim == 1:
        return _offset_by(starts, float(days), cal)
    starts, days = np.broadcast_arrays(starts, days)
    out = np.full(starts.shape, _NAT)
    ok = ~np.isnat(starts) & ~np.isnan(days) & (starts >= _FIRST) & (starts <= _LAST)
    n = np.zeros(starts.shape, dtype=np.int64)
    n[ok] = np.clip(np.trunc(days[ok]), -_MAX_OFFSET, _MAX_OFFSET)
    rolls: tuple[tuple[np.ndarray, Literal["backward", "forward"]], ...] = (
        (ok & (n > 0), "backward"), (ok & (n < 0), "forward"))
    for sel, roll in rolls:
        if sel.any():
            out[sel] = np.busday_offset(starts[sel], n[sel], roll=roll, busdaycal=cal)
    zero = ok & (n == 0)
    out[zero] = starts[zero]
    out[(out < _FIRST) | (out > _LAST)] = _NAT
    return out


def _offset_by(starts: np.ndarray, days: float, cal: np.busdaycalendar) -> np.ndarray:
    """``_offset`` with one offset for every start (a template step's): one roll, one numpy call, where the
    general case masks and indexes the dates once per sign of a column of offsets. A T&A plans every step
    of every (template, vendor) group so: hundreds of calls a run."""
    if math.isnan(days):
        return np.full(starts.shape, _NAT)
    n = int(np.clip(np.trunc(days), -_MAX_OFFSET, _MAX_OFFSET))
    ok = (starts >= _FIRST) & (starts <= _LAST)  # NaT compares False
    whole = bool(ok.all())
    if n == 0:
        return starts.copy() if whole else np.where(ok, starts, _NAT)
    roll: Literal["backward", "forward"] = "backward" if n > 0 else "forward"
    if whole:
        out = np.busday_offset(starts, n, roll=roll, busdaycal=cal)
    else:
        out = np.full(starts.shape, _NAT)
        out[ok] = np.busday_offset(starts[ok], n, roll=roll, busdaycal=cal)
    out[(out < _FIRST) | (out > _LAST)] = _NAT
    return out


def _count(starts: np.ndarray, ends: np.ndarray, cal: np.busdaycalendar | None) -> np.ndarray:
    """Excel NETWORKDAYS.INTL on arrays, as float64 with NaN for blank or out-of-range dates.

    busday_count(b, e) counts [b, e) when b <= e, but -(e, b] when b > e, so
    Excel's inclusive [start, end] is busday_count(start, end + 1) forward and
    busday_count(start, end - 1) backward.
    ``cal`` None means no working day at all (mask "1111111"): Excel gives 0.
    """
    starts, ends = np.broadcast_arrays(starts, ends)
    out = np.full(starts.shape, np.nan)
    ok = ~np.isnat(starts) & ~np.isnat(ends)
    ok &= (starts >= _FIRST) & (starts <= _LAST) & (ends >= _FIRST) & (ends <= _LAST)
    if cal is None:
        out[ok] = 0.0
        return out
    s, e = starts[ok], ends[ok]
    forward = s <= e
    one = np.timedelta64(1, "D")
    out[ok] = np.busday_count(s, np.where(forward, e + one, e - one), busdaycal=cal)
    return out


def _date_array(values: Any) -> np.ndarray:
    return np.asarray(values, dtype="datetime64[D]")


def _days_array(values: Any) -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype == object:  # e.g. None for blank cells
        arr = np.array([np.nan if v is None else v for v in arr.ravel()], dtype=float).reshape(arr.shape)
    return arr.astype(np.float64)


def _workday_scalar(start: Any, days: Any, cal: np.busdaycalendar) -> date:
    s = _as_date(start)
    _check_in_range(s, "Start date")
    n = _truncate_days(days)
    if n == 0:
        return s
    result = _offset(np.array([s], dtype="datetime64[D]"), np.array([float(n)]), cal)[0]
    if np.isnat(result):
        raise ValueError(
            f"{n} working days from {s.isoformat()} falls outside Excel's dates (1900-01-01 to 9999-12-31)."
        )
    return result.item()


def _networkdays_scalar(start: Any, end: Any, cal: np.busdaycalendar | None) -> int:
    s, e = _as_date(start), _as_date(end)
    _check_in_range(s, "Start date")
    _check_in_range(e, "End date")
    return int(_count(np.array([s], dtype="datetime64[D]"), np.array([e], dtype="datetime64[D]"), cal)[0])


def _count_calendar(weekend: Weekend, holidays: Iterable[Any]) -> np.busdaycalendar | None:
    mask = _parse_weekend(weekend)
    hol = _holiday_array(holidays)  # validated even when unused, as Excel does
    return None if all(mask) else np.busdaycalendar(weekmask=[not m for m in mask], holidays=hol)


# --- public functions --------------------------------------------------------


def workday_intl(start: date, days: int, weekend: Weekend = 1, holidays: Iterable[date] = ()) -> date:
    """Excel WORKDAY.INTL: the date ``days`` working days before or after ``start``.

    Args:
        start: Start date (a datetime is truncated to its day). It need not be a
            working day: counting starts next to it either way.
        days: Working days to move; negative moves back; fractions truncate
            toward zero; 0 returns ``start`` unchanged, even on a day off.
        weekend: Excel weekend number or mask, see ``weekend_mask``.
        holidays: Extra days off, in any order; duplicates and weekend days are harmless.

    Returns:
        The resulting date.

    Raises:
        ValueError: where Excel gives #VALUE! or #NUM!: invalid weekend, a week
            with no working day, or a start, holiday or result outside
            1900-01-01..9999-12-31.
    """
    return _workday_scalar(start, days, _busdaycal(weekend_mask(weekend), holidays))


def networkdays_intl(start: date, end: date, weekend: Weekend = 1, holidays: Iterable[date] = ()) -> int:
    """Excel NETWORKDAYS.INTL: working days from ``start`` to ``end``, both included.

    Args:
        start: First date (a datetime is truncated to its day).
        end: Last date; before ``start`` gives the negated count.
        weekend: Excel weekend number or mask; "1111111" gives 0 as in Excel.
        holidays: Extra days off, in any order; duplicates and weekend days are harmless.

    Returns:
        The signed count of working days.

    Raises:
        ValueError: where Excel gives #VALUE! or #NUM!: invalid weekend, or a
            date outside 1900-01-01..9999-12-31.
    """
    return _networkdays_scalar(start, end, _count_calendar(weekend, holidays))


def workday_intl_array(starts: Any, days: Any, weekend: Weekend = 1, holidays: Iterable[date] = ()) -> np.ndarray:
    """WORKDAY.INTL over columns.

    Args:
        starts: Dates, anything ``numpy.asarray(..., "datetime64[D]")`` accepts
            (datetime64 of any unit, lists of dates); NaT for blanks.
        days: Offsets, an array or a scalar, broadcast against ``starts``;
            NaN or None for blanks; fractions truncate toward zero.
        weekend: Excel weekend number or mask.
        holidays: Extra days off.

    Returns:
        datetime64[D] array; NaT where an input is blank or Excel would give #NUM!.

    Raises:
        ValueError: invalid weekend or holiday, which Excel rejects for every row.
    """
    return _offset(_date_array(starts), _days_array(days), _busdaycal(weekend_mask(weekend), holidays))


def networkdays_intl_array(starts: Any, ends: Any, weekend: Weekend = 1, holidays: Iterable[date] = ()) -> np.ndarray:
    """NETWORKDAYS.INTL over columns.

    Returns:
        float64 array of whole numbers, NaN where a date is blank (NaT) or outside
        Excel's range: float because a column with blanks needs a missing value
        (pandas makes the same choice); cast with ``astype(int)`` when there are none.

    Raises:
        ValueError: invalid weekend or holiday, which Excel rejects for every row.
    """
    return _count(_date_array(starts), _date_array(ends), _count_calendar(weekend, holidays))


@dataclass(frozen=True)
class FactoryCalendar:
    """A vendor's working days: a weekend mask and a set of days off.

    Attributes:
        name: What the APM calls it (vendor code or country), for messages.
        weekend: Excel weekend number or mask; validated on creation.
        holidays: Days off besides the weekend, normalised to sorted and unique.
    """

    name: str
    weekend: Weekend
    holidays: tuple[date, ...] = ()
    workdays: tuple[date, ...] = ()
    """Weekend days worked all the same: the make-up days China (and Vietnam) declare around a holiday
    bridge ('Sunday 28 September is a working day'). A closure on one keeps it a day off."""
    _cal: np.busdaycalendar = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        days = tuple(sorted({_as_date(h) for h in self.holidays}))
        worked = tuple(sorted({_as_date(d) for d in self.workdays} - set(days)))
        object.__setattr__(self, "holidays", days)
        object.__setattr__(self, "workdays", worked)
        mask = weekend_mask(self.weekend)
        object.__setattr__(self, "_cal", _busdaycal(mask, days) if not worked else _made_up(mask, days, worked))

    def workday(self, start: date, days: int) -> date:
        """WORKDAY.INTL on this calendar; see ``workday_intl``."""
        return _workday_scalar(start, days, self._cal)

    def networkdays(self, start: date, end: date) -> int:
        """NETWORKDAYS.INTL on this calendar; see ``networkdays_intl``."""
        return _networkdays_scalar(start, end, self._cal)

    def workday_array(self, starts: Any, days: Any) -> np.ndarray:
        """WORKDAY.INTL over columns; see ``workday_intl_array``."""
        return _offset(_date_array(starts), _days_array(days), self._cal)

    def networkdays_array(self, starts: Any, ends: Any) -> np.ndarray:
        """NETWORKDAYS.INTL over columns; see ``networkdays_intl_array``."""
        return _count(_date_array(starts), _date_array(ends), self._cal)

    def working_days_array(self, days: Any) -> np.ndarray:
        """Element-wise: is each day a working day of this factory."""
        return np.is_busday(np.asarray(days, dtype="datetime64[D]"), busdaycal=self._cal)

    def is_working_day(self, d: date) -> bool:
        """Whether the factory works on ``d`` (not a weekend day, holiday or closure)."""
        return bool(np.is_busday(np.datetime64(_as_date(d), "D"), busdaycal=self._cal))


_COUNTRY_WORDS = {"PRC": "CN", "PEOPLESREPUBLICOFCHINA": "CN", "VIETNAM": "VN", "USA": "US", "UK": "GB",
                  "GREATBRITAIN": "GB", "ENGLAND": "GB", "SOUTHKOREA": "KR", "KOREA": "KR", "TURKIYE": "TR"}


def country_code_of(text: str) -> tuple[str, str] | None:
    """(country name, two-letter code) of a country typed by name or by its three-letter code ('India',
    'Viet Nam', 'P.R.C.', 'IND'), from the holidays package's own list; None when it names none."""
    from holidays.registry import COUNTRIES

    folded = re.sub(r"[^A-Z]", "", text.upper())
    if not folded:
        return None
    by_word: dict[str, tuple[str, str]] = {}
    for module, (cls, alpha2, alpha3, *_) in COUNTRIES.items():
        name = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", cls)
        for word in (module.replace("_", "").upper(), cls.upper(), alpha3):
            by_word.setdefault(word, (name, alpha2))
    if folded in _COUNTRY_WORDS:
        alpha2 = _COUNTRY_WORDS[folded]
        return next(((n, c) for n, c in by_word.values() if c == alpha2), None)
    return by_word.get(folded)


@functools.cache
def _country_class(code: str) -> Any:
    """The holidays package's class for a country code, loaded from its own module; None: not found that
    way (the package's own look-up then decides). Why: the package's first look-up of any country runs
    ``holidays.countries``' __init__, which imports all of its 250 countries (~0.1-0.2 s of every run);
    a tracker's vendors sit in a handful, each one module."""
    module = next((m for m, names in holidays_registry.COUNTRIES.items() if code in names[1:]), None)
    countries = importlib.util.find_spec("holidays.countries")
    if module is None or countries is None or not countries.submodule_search_locations:
        return None
    path = Path(next(iter(countries.submodule_search_locations))) / f"{module}.py"
    spec = importlib.util.spec_from_file_location(f"holidays.countries.{module}", path)
    if spec is None or spec.loader is None:
        return None
    loaded = importlib.util.module_from_spec(spec)  # not put in sys.modules: the package's own stays its own
    try:
        spec.loader.exec_module(loaded)
    except Exception:  # a module that needs its package loaded first: the package's own look-up takes it
        return None
    return getattr(loaded, holidays_registry.COUNTRIES[module][0], None)


@functools.lru_cache(maxsize=64)
def _public_holidays(code: str, subdiv: str | None, years: tuple[int, ...]
                     ) -> tuple[frozenset[date], int, int, int, frozenset[date]]:
    """A country's public holidays in ``years``, the years the holidays package covers, and the last year of
    its announced special holidays. Kept: the package works out lunar calendars in Python, and a tracker's
    vendors in one country, the T&A and the exceptions of one run, and every recalculated cell share them."""
    country = _country_class(code)
    with warnings.catch_warnings():  # "available only from 2001 to 2035": said in the APM's words by the caller
        warnings.simplefilter("ignore", UserWarning)
        public = (country(years=years, subdiv=subdiv) if country is not None
                  else holidays_pkg.country_holidays(code, subdiv=subdiv, years=years))
    announced = max(getattr(public, "special_public_holidays", None) or (), default=0)
    workdays = frozenset(d for d in getattr(public, "weekend_workdays", None) or () if d.year in years)
    return frozenset(public.keys()), public.start_year, public.end_year, announced, workdays


def factory_calendar(
    name: str,
    weekend: Weekend,
    country: str | None,
    years: Iterable[int],
    closures: Iterable[tuple[date, date]] = (),
    subdiv: str | None = None,
) -> tuple[FactoryCalendar, list[str]]:
    """Build a factory calendar from a country's public holidays and the factory's closures.

    Args:
        name: Calendar name for messages (vendor code or country).
        weekend: Excel weekend number or mask (Bangladesh: 16, Friday only).
        country: ISO country code for public holidays ("CN", "VN", "BD"), any
            case; None or "" for closures only.
        years: Years the schedule touches; holidays are loaded for these only.
        closures: (From, To) periods, both days included, every day off.
        subdiv: Optional state or province code, for countries that have them.

    Returns:
        The calendar, and warnings for the APM: years the holidays package has
        no data for (it returns nothing there, so those holidays are missing),
        years whose official schedule is not yet announced, reversed closures
        (skipped).

    Raises:
        ValueError: an invalid weekend, or a country or subdivision code the
            holidays package does not know. These are configuration errors that
            would make every date of the vendor wrong, so they stop the build
            instead of becoming a warning.
    """
    warnings: list[str] = []
    years = sorted(set(years))
    days_off: set[date] = set()
    workdays: set[date] = set()  # weekend days worked to make up a holiday bridge (China's 调休)
    code = (country or "").strip().upper()
    if code:
        try:
            public, first, last, announced, made_up = _public_holidays(code, subdiv, tuple(years))
        except NotImplementedError:
            where = f"subdivision {subdiv!r} of {code}" if subdiv else f"country code {(country or '').strip()!r}"
            named = None if subdiv else country_code_of(code)
            raise ValueError(
                f"Calendar {name}: prodbook's public holiday list does not know {where}; "
                + (f"type its two-letter ISO code {named[1]} ({named[0]})." if named else
                   "use a two-letter ISO code such as CN, VN, BD, IN or US.")
            ) from None
        days_off.update(public)
        workdays.update(made_up)
        missing = [y for y in years if not first <= y <= last]
        if missing:
            warnings.append(
                f"Calendar {name}: no public holidays for {code} in {year_list(missing)} "
                f"(prodbook's public holiday list covers {first}-{last}); add them on the Closures sheet."
            )
        if code in _ANNOUNCED_YEARLY:
            estimated = [y for y in years if announced and announced < y <= last]
            if estimated:
                warnings.append(
                    f"Calendar {name}: {_ANNOUNCED_YEARLY[code]} announces its holiday schedule each year; "
                    f"prodbook's public holiday list has it up to {announced}, so {year_list(estimated)} "
                    "holidays are an estimate. Check them against the announcement and add closures."
                )
    for frm, to in closures:
        frm, to = _as_date(frm), _as_date(to)
        if frm > to:
            warnings.append(
                f"Calendar {name}: closure from {frm.isoformat()} to {to.isoformat()} ends before it "
                "starts and was skipped; check From and To on the Closures sheet."
            )
            continue
        days_off.update(frm + timedelta(days=i) for i in range((to - frm).days + 1))
    return FactoryCalendar(name=name, weekend=weekend, holidays=tuple(days_off),
                           workdays=tuple(workdays - days_off)), warnings
