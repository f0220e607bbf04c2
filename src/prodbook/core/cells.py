"""Normalise cell values at the boundary, so the core never sees Excel's mess.

Cells arrive as whatever the reader gives (dates, floats, text typed by a
vendor). Each parser returns a clean Python value or raises ``CellError``
with a sentence for the APM; the caller adds the file, sheet, row and column.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, TypeAlias

from prodbook.core.findings import Code, Finding, warning


class CellError(ValueError):
    """A cell value that cannot be understood; the message says why, in plain words."""


class DateOrder(StrEnum):
    """How to read an ambiguous text date such as 03/04/2027 (Config: Date Order)."""

    MDY = "MDY"
    DMY = "DMY"


NA = "N/A"
"""Typed in a user date column (an Actual) when the milestone does not apply."""
NA_WORDS = frozenset({"n/a", "na", "n.a.", "not applicable"})

EXCEL_ERRORS = frozenset({"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!",
                          "#SPILL!", "#CALC!", "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#UNKNOWN!"})
_EPOCH_1900 = date(1899, 12, 30)  # serial 1 = 1900-01-01 once Excel's phantom 1900-02-29 is skipped
_EPOCH_1904 = date(1904, 1, 1)
_FIRST_1900 = date(1900, 1, 1)
_MAX_SERIAL = 2958465  # 9999-12-31
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_MONTHS.update({"sept": 9, "june": 6, "july": 7, "january": 1, "february": 2, "march": 3,
                "april": 4, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12})
_MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December"]

_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
                  r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*(?:Z|[+-]\d{2}:?\d{2}))?)?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_CJK = re.compile(r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]?")
"""2027年3月15日 (Chinese, Japanese), 2027년 3월 15일 (Korean)."""
_NUMERIC = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})"
                      r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?)?")
_DOTTED = re.compile(r"\d{1,2}\.\d{1,2}\.\d")
"""A numeric date written with dots (05.01.2027): day first wherever it fits both, whatever the order set."""
_TIME = r"(?:,?\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?)?"
"""A time after a date ('1-Dec-2026 00:00', 'Dec 1, 2026 9:00 AM'): a system export's, not part of the day."""
_DAY_MON = re.compile(rf"(\d{{1,2}})(?:st|nd|rd|th)?[-/. ]([A-Za-z]{{3,9}})\.?[-/., ]+(\d{{2}}|\d{{4}}){_TIME}")
_WEEKDAY = re.compile(r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|urday|sday)?\.?,?\s+", re.I)
"""A weekday before a date ('Thu 15 Apr 2027', 'Thursday, April 15, 2027'): said, not needed."""
_WEEKDAY_AFTER = re.compile(r"\s*[(,]?\s*\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|urday|sday)?"
                            r"\.?\s*\)?$", re.I)
"""A weekday after a date ('01-Dec-2026 (Tue)', '2026-12-01 Tue'): said, not needed."""
_MON_DAY = re.compile(rf"([A-Za-z]{{3,9}})\.?[-/. ](\d{{1,2}})(?:st|nd|rd|th)?,?[-/. ]+(\d{{2}}|\d{{4}}){_TIME}")


_NOT_YET = re.compile(r"\s*(?:t\.?\s*b\.?\s*[acd]|to\s+be\s+(?:advised|announced|confirmed|decided|determined)|"
                      r"pending)\.*\s*", re.IGNORECASE)


def not_yet(value: Any) -> bool:
    """Text typed in a date cell for a date not known yet: TBC, TBA, TBD ('T.B.C.', 't b a'), 'to be confirmed'
    (advised, announced, decided, determined) or 'pending', in any case, with a full stop or spaces around. The
    one vocabulary: an Orders date (read as blank with its own warning, ``Code.DATE_NOT_YET``) and a vendor's
    WIP date (read as blank; a Revised XF so written takes back the date an earlier report gave) both ask it.
    Words around it ('pending fabric', 'TBC 15-Mar') are not it: the cell says more than "not yet"."""
    return isinstance(value, str) and _NOT_YET.fullmatch(value) is not None


def is_missing(value: Any) -> bool:
    """No value at all, in any of the forms a table gives it: None, NaN, pandas' NA and NaT."""
    if type(value) is str:  # most cells: settled at once (these run for every cell of a sheet's rules)
        return False
    return value is None or (isinstance(value, float) and math.isnan(value)) or (
        type(value).__name__ in ("NAType", "NaTType"))


def is_blank(value: Any) -> bool:
    """Missing, or text with nothing but spaces: a cell the user sees as empty."""
    if type(value) is str:
        return not value.strip()
    return is_missing(value) or (isinstance(value, str) and not value.strip())


def text_or_empty(value: Any) -> str:
    """A table cell as text, trimmed; "" for a blank. A text column read by pandas 3 gives a blank as
    NaN, which ``value or ""`` lets through (NaN is true) and ``str`` turns into "nan"."""
    if type(value) is str:
        return value.strip()
    return "" if is_missing(value) else str(value).strip()


def serial_to_date(serial: float, date1904: bool = False) -> date:
    """Excel serial number to a date, honouring the 1900 leap-year bug and the 1904 system."""
    if not math.isfinite(serial):
        raise CellError(f"{serial} is not a date")
    n = int(math.floor(serial))
    if date1904:
        if not 0 <= n <= _MAX_SERIAL - 1462:
            raise CellError(f"{serial} is outside Excel's date range")
        return _EPOCH_1904 + timedelta(days=n)
    if not 1 <= n <= _MAX_SERIAL:
        raise CellError(f"{serial} is outside Excel's date range")
    if n == 60:
        raise CellError("serial 60 is 29 February 1900, a day that never existed")
    return _EPOCH_1900 + timedelta(days=n if n > 60 else n + 1)


def date_to_serial(d: date, date1904: bool = False) -> int:
    if date1904:
        return (d - _EPOCH_1904).days
    n = (d - _EPOCH_1900).days
    return n if n > 60 else n - 1


def _make(y: int, m: int, d: int, text: str) -> date:
    if y < 100:
        y += 2000
    if not 1 <= m <= 12:
        raise CellError(f"'{text}' has no month {m}")
    try:
        return date(y, m, d)
    except ValueError:
        raise CellError(f"'{text}' is not a real date: {_MONTH_NAMES[m - 1]} {y} has no day {d}") from None


def _month(name: str, text: str) -> int:
    m = _MONTHS.get(name.lower()) or _MONTHS.get(name.lower()[:3])
    if m is None:
        raise CellError(f"'{text}': '{name}' is not a month name")
    return m


def parse_text_date(text: str, order: DateOrder = DateOrder.MDY) -> date:
    """Read a date typed as text, in the forms vendors and APMs use.

    ISO (2027-03-15), dotted (2027.03.15), compact (20270315), numeric
    (3/15/2027, 15/3/27: read by ``order`` only when both readings are
    possible, and day first when written with dots: 05.01.2027), with month
    names (15-Mar-27, Mar 15, 2027), and as a Chinese, Japanese or Korean
    vendor writes it (2027年3月15日, 2027년 3월 15일).
    """
    s = _WEEKDAY.sub("", text.strip(), count=1) if _WEEKDAY.match(text.strip()) else text.strip()
    if (after := _WEEKDAY_AFTER.search(s)) and after.start() > 0:
        s = s[:after.start()]
    if m := _ISO.fullmatch(s):
        return _make(int(m[1]), int(m[2]), int(m[3]), s)
    if m := _CJK.fullmatch(s):
        return _make(int(m[1]), int(m[2]), int(m[3]), s)
    if m := _COMPACT.fullmatch(s):
        return _make(int(m[1]), int(m[2]), int(m[3]), s)
    if m := _NUMERIC.fullmatch(s):
        a, b, y = int(m[1]), int(m[2]), int(m[3])
        if a > 12 >= b:
            return _make(y, b, a, s)
        if b > 12 >= a:
            return _make(y, a, b, s)
        if _DOTTED.match(s):  # 05.01.2027: dots are written day first (Europe, Asia), never month first
            return _make(y, b, a, s)
        return _make(y, a, b, s) if order is DateOrder.MDY else _make(y, b, a, s)
    if m := _DAY_MON.fullmatch(s):
        return _make(int(m[3]), _month(m[2], s), int(m[1]), s)
    if m := _MON_DAY.fullmatch(s):
        return _make(int(m[3]), _month(m[1], s), int(m[2]), s)
    if _NO_YEAR.fullmatch(s):  # '11/14', '15-Nov', 'Nov 15': which year is the APM's to say
        raise CellError(f"'{text}' has no year, so prodbook cannot tell which date it is; type the whole date "
                        "(15-Nov-26, or 2026-11-15) or a real Excel date")
    raise CellError(f"'{text}' is not a date prodbook can read; type it as a real Excel date "
                    "or as 2027-03-15")


_MONTH_WORD = "(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + ")"
_NO_YEAR = re.compile(rf"\d{{1,2}}\s*[/.-]\s*\d{{1,2}}|\d{{1,2}}(?:st|nd|rd|th)?[\s/.-]*{_MONTH_WORD}\.?|"
                      rf"{_MONTH_WORD}\.?[\s/.-]*\d{{1,2}}(?:st|nd|rd|th)?", re.IGNORECASE)
"""A day and a month with no year: 11/14, 15-Nov, Nov 15th."""
_NO_YEAR_NUMBERS = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})")
_NO_YEAR_DAY_MONTH = re.compile(rf"(\d{{1,2}})(?:st|nd|rd|th)?[\s/.-]*({_MONTH_WORD})\.?", re.IGNORECASE)
_NO_YEAR_MONTH_DAY = re.compile(rf"({_MONTH_WORD})\.?[\s/.-]*(\d{{1,2}})(?:st|nd|rd|th)?", re.IGNORECASE)


def year_less(text: str, order: DateOrder, first: date) -> date | None:
    """A date written without a year, in any of the ways ``parse_text_date`` refuses for its year ('30 Nov',
    'Nov 30th', '2nd Jan', '30/11', '30.11', '11/30'), as the first such day on or after ``first``: a vendor
    report's dates fall in the year from a little before its own date. Numbers are read as those of a numeric
    date with a year are (day first where the day is over 12 or with dots, else by ``order``). None for other text;
    a day the month does not have ('30 Feb', '31/11', '13/13') is a ``CellError`` naming it."""
    s = _WEEKDAY.sub("", text.strip(), count=1) if _WEEKDAY.match(text.strip()) else text.strip()
    if m := _NO_YEAR_NUMBERS.fullmatch(s):
        a, b = int(m[1]), int(m[2])
        day_first = a > 12 >= b or (not b > 12 >= a and ("." in s or order is DateOrder.DMY))
        day, month = (a, b) if day_first else (b, a)
    elif m := _NO_YEAR_DAY_MONTH.fullmatch(s):
        day, month = int(m[1]), _month(m[2], s)
    elif m := _NO_YEAR_MONTH_DAY.fullmatch(s):
        day, month = int(m[2]), _month(m[1], s)
    else:
        return None
    if not 1 <= month <= 12:
        raise CellError(f"'{text.strip()}' has no month {month}")
    for year in (first.year, first.year + 1):
        try:
            if (d := date(year, month, day)) >= first:
                return d
        except ValueError:
            continue
    raise CellError(f"'{text.strip()}' is not a real date: {_MONTH_NAMES[month - 1]} {first.year + 1} has no day "
                    f"{day}")


def order_shown(text: str) -> DateOrder | None:
    """The order a numeric date can only be read in: '15/04/2027' is DMY, '04/15/2027' MDY, '03/04/2027'
    either (None); '03.04.2027' DMY (dots are written day first)."""
    m = _NUMERIC.fullmatch(text.strip())
    if m is None:
        return None
    a, b = int(m[1]), int(m[2])
    if a > 12 >= b >= 1:
        return DateOrder.DMY
    if b > 12 >= a >= 1:
        return DateOrder.MDY
    if 1 <= a <= 12 and 1 <= b <= 12 and _DOTTED.match(text.strip()):
        return DateOrder.DMY
    return None


def reads_both_ways(text: str) -> bool:
    """A numeric date whose day and month are both 12 or less and not written with dots ('03/04/2027'): the
    Date Order alone decides which day it is. '13/13/2026' and '03.04.2027' do not, nor '04/04/2027' (one day
    either way: no file is in doubt for it)."""
    m = _NUMERIC.fullmatch(text.strip())
    return (m is not None and 1 <= int(m[1]) <= 12 and 1 <= int(m[2]) <= 12 and int(m[1]) != int(m[2])
            and _DOTTED.match(text.strip()) is None)


def written_both_ways(shown: Mapping[DateOrder, tuple[int, str]], read: DateOrder, where: Mapping[str, Any]
                      ) -> Finding:
    """A vendor file whose dates show both orders (``shown``: each order's first row and text): named, its
    dates that fit both read ``read``. A WIP report and a style or costing sheet alike."""
    (o1, (r1, t1)), (o2, (r2, t2)) = sorted(shown.items(), key=lambda kv: kv[1][0])
    return warning(Code.WIP_DATE_ORDER, f"this file writes dates both ways: '{t1}' (row {r1}) is {o1}, '{t2}' "
                   f"(row {r2}) is {o2}. Dates that fit both, such as 03/04, were read {read}; check them with "
                   "the vendor", row=r2, value=t2, **where)


def first_date(date1904: bool = False) -> date:
    """The first day a workbook's cells can hold: 1 January 1900, or 1904 in the 1904 date system."""
    return _EPOCH_1904 if date1904 else _FIRST_1900


def in_excel_range(d: date, date1904: bool = False) -> date:
    """``d``, or a ``CellError`` where Excel cannot store it: the zero a date-formatted formula shows
    for an empty cell (00-Jan-1900, read as 1899-12-31), a year typed as 1026. Writing it back would
    stop the save."""
    day = d.date() if isinstance(d, datetime) else d
    first = first_date(date1904)
    if day < first:
        raise CellError(f"{day.isoformat()} is before {first.day} January {first.year}, the first date Excel "
                        "can store; type the real date")
    return d


def to_date(value: Any, order: DateOrder = DateOrder.MDY, date1904: bool = False) -> date | None:
    """A date cell as a ``date`` (None when blank)."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return in_excel_range(value.date(), date1904)
    if isinstance(value, date):
        return in_excel_range(value, date1904)
    if isinstance(value, bool):
        raise CellError(f"{str(value).upper()} is a TRUE/FALSE value, not a date")
    if isinstance(value, (int, float)):
        if 19000101 <= value <= 29991231 and float(value).is_integer():
            return parse_text_date(str(int(value)), order)
        return serial_to_date(value, date1904)
    text = str(value).strip()
    if text.upper() in EXCEL_ERRORS:
        raise CellError(f"the cell shows the Excel error {text}")
    return in_excel_range(parse_text_date(text, order), date1904)


def day_of(value: Any) -> date | None:
    """A cell of a date column already read, as its day: a date, datetime or Timestamp gives its date;
    blank, NaT, text (a cell the column could not read, which validate names) or a number gives None.
    The rules' one reading of a read date cell; ``to_date`` is for cells still to be read."""
    if isinstance(value, datetime):  # a pandas Timestamp is one, and so is NaT
        return None if is_missing(value) else value.date()
    return value if isinstance(value, date) else None


def setting_number(value: Any) -> float | None:
    """A number typed into a setting: ``to_number``, with a "%" after it allowed ("3%", "60 %")."""
    return to_number(value.rstrip("% ")) if isinstance(value, str) else to_number(value)


_NUM_TEXT = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")
_COMMA_THOUSANDS = re.compile(r"[-+]?[1-9]\d{0,2}(,\d{3})+(\.\d*)?")
"""1,234,567.50: commas between groups of three, a decimal point ('0,850' groups nothing: it is 0.85)."""
_INDIAN_GROUPS = re.compile(r"[-+]?[1-9]\d?(,\d{2})*,\d{2},\d{3}(\.\d*)?")
"""1,23,456.50: Indian digit grouping (lakh, crore): the last three digits, then pairs, a decimal point."""
_DOT_THOUSANDS = re.compile(r"[-+]?[1-9]\d{0,2}(\.\d{3})+,\d+")
"""1.234,50: a vendor in a decimal-comma country (Vietnam, Indonesia, Turkey, Europe): dots group, comma decimals."""
_DECIMAL_COMMA = re.compile(r"[-+]?\d*,\d+")
"""5,25: a decimal comma (a thousands comma takes three digits after it: 1,200 is that)."""


def _plain_number(core: str) -> str:
    """Number text in Python's form: thousands commas dropped, a decimal comma made a point. Text that fits
    neither way ('1,2,3', '12,5,00') is left as it is, and refused: read as 123, it would be wrong silently."""
    if "," not in core:
        return core
    if _COMMA_THOUSANDS.fullmatch(core) or _INDIAN_GROUPS.fullmatch(core):
        return core.replace(",", "")
    if _DOT_THOUSANDS.fullmatch(core):
        return core.replace(".", "").replace(",", ".")
    if _DECIMAL_COMMA.fullmatch(core):
        return core.replace(",", ".")
    return core


def comma_column(cells: list[Any]) -> tuple[list[Any], dict[int, str]]:
    """A number column's cells read the way the column writes them. '5,250' is 5250 where the column
    writes '1,234.50' or '5.25', and 5.25 where it writes '0,85' or '1.234,50' (a costing sheet from
    Turkey, Vietnam or Europe). Where the column writes both ways, each '5,250' is returned with the
    sentence naming both readings (index -> problem), to be reported, not guessed."""
    texts = {i: re.sub(r"[^\d.,+\-]", "", v) for i, v in enumerate(cells) if type(v) is str and "," in v}
    if not texts:
        return cells, {}
    decimal = thousands = False
    ambiguous = []
    for i, core in texts.items():
        if _COMMA_THOUSANDS.fullmatch(core):
            if "." in core or core.count(",") > 1:
                thousands = True
            else:
                ambiguous.append(i)
        elif _DOT_THOUSANDS.fullmatch(core) or _DECIMAL_COMMA.fullmatch(core):
            decimal = True
    if not ambiguous or not decimal:
        return cells, {}
    thousands = thousands or any(type(v) is str and _DOT_DECIMAL.fullmatch(v.strip()) for v in cells)
    out = list(cells)
    if not thousands:
        for i in ambiguous:
            out[i] = texts[i].replace(",", ".")
        return out, {}
    problems = {}
    for i in ambiguous:
        whole, part = texts[i].split(",")
        problems[i] = (f"'{cells[i]}' could be {whole}.{part} or {whole}{part}: this column writes numbers "
                       "both with a decimal comma and with a decimal point. Type it as a number, or with "
                       "the column's one decimal mark")
        out[i] = None
    return out, problems


_DOT_DECIMAL = re.compile(r"[-+]?\d+\.(\d{1,2}|\d{4,})")
"""5.25: a decimal point, so this writer's commas group thousands."""


def to_number(value: Any) -> float | None:
    """A number cell as float; tolerates text numbers with thousands separators, and a decimal comma where the
    text can be read no other way ('5,25', '1.234,50'; '1,200' is twelve hundred)."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(f"{str(value).upper()} is a TRUE/FALSE value, not a number")
    if isinstance(value, (int, float)):
        if math.isinf(value):
            raise CellError("the number is infinite")
        return float(value)
    if isinstance(value, (date, datetime)):
        raise CellError(f"{value:%Y-%m-%d} is a date, not a number")
    text = re.sub(r"[ \u00a0\u2009\u202f]", "", str(value).strip())  # spaces, also a French thin one: 1 200
    if text.upper() in EXCEL_ERRORS:
        raise CellError(f"the cell shows the Excel error {text}")
    negative = text.startswith("(") and text.endswith(")")
    core = _plain_number(text.strip("()").lstrip("$"))
    if not _NUM_TEXT.fullmatch(core):
        if core.endswith("%") and _NUM_TEXT.fullmatch(_plain_number(core[:-1])):
            raise CellError(f"'{value}' is a percentage, and this column takes the number itself (for a "
                            "quantity, the pieces, not their share of the order)")
        raise CellError(f"'{value}' is not a number")
    number = float(core)
    if math.isinf(number):  # '1e400': past the largest number a cell holds, as the infinite number above
        raise CellError(f"'{value}' is larger than any number Excel holds")
    return -number if negative else number


OZ_PER_SQYD_TO_GSM = 33.906
"""One ounce per square yard (denim's '12 oz') in grams per square metre."""
_AMOUNT = r"(?P<n>[-+]?[\d.,]*\d)"
GSM_TEXT = re.compile(rf"(?i)\s*{_AMOUNT}\s*(?:g/m2|g/m²|gsm|g/sqm|gm2|gr/m2|grams?/m2|grams?|g)\.?\s*")
"""A fabric weight written with its unit: '210 gsm', '180 g/m2', '200g'."""
OZ_TEXT = re.compile(rf"(?i)\s*{_AMOUNT}\s*(?:oz|ozs|ounces?|osy)\.?(?:\s*/\s*(?:sq\.?\s*)?yd(?:2|²)?)?\s*")
"""A fabric weight in ounces per square yard, as denim is sold: '12 oz', '7.5 oz/yd²', '10 osy'."""
USD_TEXT = re.compile(r"(?i)\s*(?:usd|us\s*\$|\$)?\s*(?P<n>[-+]?[\d.,]*\d)\s*(?:usd|us\$|\$)?\s*")
"""A price in US dollars as costing sheets and trackers write it: 'USD 7.25', 'US$7.25', '7.25 USD', '$4.89'."""
_OTHER_MONEY = re.compile(r"(?i)(eur|€|gbp|£|rmb|cny|yuan|¥|jpy|yen|inr|₹|rs\.?|vnd|₫|hkd|hk\$|bdt|tk\.?|৳|"
                          r"aud|a\$|cad|c\$|euro)")


ROUND_TEXT = re.compile(r"(?i)\s*(?:(?:round|rnd|rd|r|submit|submission|sub|s)\s*[-.:]?\s*)?(?:no\.?\s*|#\s*)?"
                        r"(?P<n>\d{1,3})(?:st|nd|rd|th)?(?:\s*(?:round|submit|submission|sub))?\.?\s*")
"""A lab dip round as teams write it: 'R2', 'Round 2', 'Submit #2', 'Sub-2', '#2', '2nd', '2nd submit'."""
ORDINAL_WORDS: dict[str, int] = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
                                 "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10}
"""An ordinal in words, as teams number fit samples and lab dip rounds ('Third Fit', 'Sixth submit')."""
NUMBER_WORDS: dict[str, int] = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                                "eight": 8, "nine": 9, "ten": 10}
"""A count in words, as in 'Round three'."""
_ROUND_UNIT = ("round", "rnd", "submit", "submission", "sub")
_DIP_NUMBER = re.compile(r"(?i)[a-f](?:\s*[/,&]\s*[a-f])*|(?:opt(?:ion)?|dip)\s*[a-f]|[a-z]{1,4}[-\s]?\d{2,}[a-f]?")
"""What goes in the Option column, typed in Round: an option ('B', 'A/C', 'Option B') or a dip number ('LD-2215B')."""


def in_unit(value: Any, unit: str | None) -> Any:
    """A number cell of a column with a unit, its unit words taken off ('210 gsm' in g/m2 -> '210', '12 oz' ->
    its g/m2, 'USD 7.25' -> '7.25', a lab dip round's 'Submit #2' -> '2'), for reading as a number; any other
    value as it is (a number, blank, or text the number check then reports). A price in another currency is
    refused, naming it: read as dollars it would be wrong by the exchange rate."""
    if unit is None or not isinstance(value, str):
        return value
    if unit == "g/m2":
        if m := GSM_TEXT.fullmatch(value):
            return m["n"]
        if (m := OZ_TEXT.fullmatch(value)) and _NUM_TEXT.fullmatch(ounces := _plain_number(m["n"])):
            return f"{round(float(ounces) * OZ_PER_SQYD_TO_GSM, 1):g}"
    elif unit == "round":
        if m := ROUND_TEXT.fullmatch(value):
            return m["n"]
        # 'Third', 'Sixth submit', 'Round three', 'Submit Tenth': the words an ordinal number was read from
        words = value.strip().lower().split()
        if words and words[0] in ORDINAL_WORDS and all(w in _ROUND_UNIT for w in words[1:]):
            return str(ORDINAL_WORDS[words[0]])
        if len(words) == 2 and words[0] in _ROUND_UNIT and (n := NUMBER_WORDS.get(words[1])
                                                             or ORDINAL_WORDS.get(words[1])):
            return str(n)
        if _DIP_NUMBER.fullmatch(value.strip()):  # 'LD-2215B', 'B', 'A/C': typed one column too far left
            raise CellError(f"'{value.strip()}' is a dip number or option, not a round: Round takes 1, 2, 3 (or "
                            "R2, 2nd); put the dip number or option in the Option (or Dip #) column")
    elif unit == "USD":
        if m := USD_TEXT.fullmatch(value):
            return m["n"]
        if (other := _OTHER_MONEY.search(value)) and any(ch.isdigit() for ch in value):
            raise CellError(f"'{value.strip()}' is a price in {other[1].upper()}, and this column is in US dollars: "
                            "type the price in USD (converted at the rate the team uses)")
    return value


DOT_GROUPS = re.compile(r"[-+]?\d{1,3}(\.\d{3})+")
"""12.000: twelve thousand from a decimal-comma country, or twelve from a system that writes three decimals."""


def to_int(value: Any) -> int | None:
    """A count (a quantity): a whole number. '2.400.000' is grouped thousands; '12.000' is refused, naming both
    readings: read as 12 it would be a thousand times short, without a word, where the vendor meant 12,000."""
    if isinstance(value, str) and DOT_GROUPS.fullmatch(value.strip()):
        text = value.strip()
        grouped = int(text.replace(".", ""))
        if text.count(".") > 1:  # 2.400.000: only thousands are grouped twice
            return grouped
        raise CellError(f"'{text}' could be {float(text):g} or {grouped:,}: its dot may group thousands "
                        "(as in Vietnam, Turkey or Europe) or mark decimals. Ask the vendor, or type the number "
                        "without the dot")
    number = to_number(value)
    if number is None:
        return None
    if not number.is_integer():
        raise CellError(f"{value} should be a whole number")
    if abs(number) >= 2.0 ** 53:  # past Excel's 15 digits: not a count anyone typed, and no database column holds it
        raise CellError(f"{value} is too large for a whole number; check the cell")
    return int(number)


def to_text(value: Any) -> str | None:
    """A text cell, trimmed; a whole number typed into a text column loses its '.0'."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():  # past Excel's 15 digits, as Excel shows it: 1E+308
        return str(int(value)) if abs(value) < 1e15 else f"{value:.15G}"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    if text.upper() in EXCEL_ERRORS:
        raise CellError(f"the cell shows the Excel error {text}")
    return text


_DIGIT_FORMAT = re.compile(
    r'(?:[0#?]|"[^"]*"|\\.|[-()/: ]|\[(?:Black|White|Red|Green|Blue|Yellow|Magenta|Cyan|Color\d+)\])+', re.IGNORECASE)
_FORMAT_LITERAL = re.compile(r'"([^"]*)"|\\(.)|\[[^\]]*\]|([0#?])|(.)')


def is_digit_format(code: str) -> bool:
    """Does this number format show a whole number's digits padded or punctuated (0000000, 000-000,
    0000\\.00\\.0000)? Such a cell shows text a code column means (a weekend mask 0000011, a style
    number 012345) while it holds the number (11, 12345)."""
    return shown_digits(1, code) not in (None, "1")


def shown_digits(number: float, code: str) -> str | None:
    """The text Excel shows for a whole number under a digits format (``is_digit_format``); None for any
    other number or format. Digits fill the placeholders from the right; the leftmost takes any more."""
    if not _DIGIT_FORMAT.fullmatch(code) or not float(number).is_integer() or abs(number) >= 1e15:
        return None
    digits = str(abs(int(number)))
    parts: list[str | None] = []  # None: a placeholder, in the format's order
    marks: list[str] = []
    for m in _FORMAT_LITERAL.finditer(code):
        if m.group(3):
            parts.append(None)
            marks.append(m.group(3))
        else:
            parts.append(m.group(1) if m.group(1) is not None else m.group(2) or m.group(4) or "")
    if not marks:
        return None
    fill: list[str] = []
    left = digits if digits != "0" else ""
    for mark in reversed(marks):
        fill.append(left[-1:] if left else {"0": "0", "#": "", "?": " "}[mark])
        left = left[:-1]
    fill[-1] = left + fill[-1]  # the leftmost placeholder takes the digits the others had no room for
    it = reversed(fill)
    text = "".join(p if p is not None else next(it) for p in parts)
    return ("-" + text) if number < 0 else text


def to_bool(value: Any) -> bool | None:
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"y", "yes", "true", "1", "x", "critical", "1.0"}:
        return True
    if text in {"n", "no", "false", "0", "0.0", "-"}:
        return False
    raise CellError(f"'{value}' should be Yes or No")


def is_signed_number(text: str) -> bool:
    """'-5', '+1,200': text a vendor typed as a number, not a formula."""
    try:
        float(text.replace(",", ""))
        return True
    except ValueError:
        return False


def looks_like_formula(text: str) -> bool:
    """Text that Excel (or a CSV import) would take for a formula if typed."""
    return bool(text) and text[0] in "=+-@"


def column_letter(index: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass(frozen=True)
class Formula:
    """A formula to write, e.g. ``Formula("=A2*2")``. A plain ``str`` is always text."""

    text: str
    result: str | int | float | bool | None = None
    """Its value, cached in the file so the cell reads right before any recalculation (a link's text)."""


Value: TypeAlias = None | str | int | float | bool | date | datetime | Formula
"""What a cell holds as prodbook writes it."""
