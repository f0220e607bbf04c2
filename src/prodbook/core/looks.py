"""What a sheet prodbook writes looks like: widths, number formats, wrapping and colour rules.

The one declarative place for the presentation of every generated sheet (and
of the report workbook). Pure: the part-level writer (``workbook.xlsx``) and
the openpyxl writers (demo, report workbook) turn a ``SheetLook`` into XML.

Colour rules are conditional formats over whole columns, written as formulas
over the row's own cells, so they follow the APM's typing (an Actual date
typed over an Overdue milestone turns it green or amber at once) instead of
static fills frozen at the last run.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import numpy as np

from prodbook.core.cells import Formula, column_letter
from prodbook.core.model.sheets import ARCHIVE_SUFFIX, Kind, SheetSpec

DEFAULT_DATE_FORMAT = "dd-mmm-yy"
"""25-Nov-26: a month name, so no locale reads 03/04 as the wrong month."""


# --- dates as text -------------------------------------------------------------------------------

_TOKEN = re.compile(r'"[^"]*"|\\.|yyyy|yy|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|[-/., :]', re.I)
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _tokens(code: str) -> list[str] | None:
    """The format code split into tokens; None when it holds something else (a colour, a condition)."""
    out, pos = [], 0
    for m in _TOKEN.finditer(code):
        if m.start() != pos:
            return None
        out.append(m.group(0))
        pos = m.end()
    return out if pos == len(code) else None


def is_date_format(code: str) -> bool:
    """A format code prodbook can show dates with: day of the month (d, dd), month and year, in Excel's own letters."""
    return not date_format_lacks(code)


DATE_PARTS = ("day of the month", "month", "year")


def date_format_lacks(code: str) -> list[str]:
    """What of ``DATE_PARTS`` a format code does not show ('mmm-yy': the day of the month); all of them for a code
    that is no format of dates ('0.00', '[Red]0')."""
    toks = _tokens(code.strip()) if code else None
    if not toks:
        return list(DATE_PARTS)
    low = {t.lower()[0] for t in toks if t[0].isalpha()}
    day_of_month = any(t.lower() in ("d", "dd") for t in toks)  # 'dddd' is the weekday: no day of the month
    return [part for part, shown in zip(DATE_PARTS, (day_of_month, "m" in low, "y" in low)) if not shown]


def date_text(value: date, code: str = DEFAULT_DATE_FORMAT) -> str:
    """``value`` as Excel shows it with the number format ``code`` (English month names).

    Used for the e-mails and the HTML report, so they read like the workbook. A plain date's text
    is worked out once per date and format (a season's drafts repeat a few hundred days).
    """
    if type(value) is date:
        return _day_text(value, code)
    return _date_text(value, code)


@lru_cache(maxsize=1 << 12)
def _day_text(value: date, code: str) -> str:
    return _date_text(value, code)


@lru_cache(maxsize=1 << 8)
def _format_tokens(code: str) -> tuple[str, ...]:
    return tuple(_tokens(code) or _tokens(DEFAULT_DATE_FORMAT) or [])


def _date_text(value: date, code: str) -> str:
    toks = _format_tokens(code)
    out: list[str] = []
    after_hour = False
    for t in toks:
        low = t.lower()
        if t.startswith('"'):
            out.append(t[1:-1])
        elif t.startswith("\\"):
            out.append(t[1:])
        elif low == "yyyy":
            out.append(f"{value.year:04d}")
        elif low == "yy":
            out.append(f"{value.year % 100:02d}")
        elif low in ("mm", "m") and after_hour:
            minute = value.minute if isinstance(value, datetime) else 0
            out.append(f"{minute:02d}" if low == "mm" else str(minute))
        elif low == "mmmm":
            out.append(_MONTHS[value.month - 1])
        elif low == "mmm":
            out.append(_MONTHS[value.month - 1][:3])
        elif low == "mm":
            out.append(f"{value.month:02d}")
        elif low == "m":
            out.append(str(value.month))
        elif low == "dddd":
            out.append(_DAYS[value.weekday()])
        elif low == "ddd":
            out.append(_DAYS[value.weekday()][:3])
        elif low == "dd":
            out.append(f"{value.day:02d}")
        elif low == "d":
            out.append(str(value.day))
        elif low in ("hh", "h"):
            hour = value.hour if isinstance(value, datetime) else 0
            out.append(f"{hour:02d}" if low == "hh" else str(hour))
        elif low in ("ss", "s"):
            second = value.second if isinstance(value, datetime) else 0
            out.append(f"{second:02d}" if low == "ss" else str(second))
        else:
            out.append(t)
        if t[0].isalpha():
            after_hour = low in ("hh", "h")
    return "".join(out)


_MON = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
_DATES = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"  # 2026-12-30
                    rf"|\b(\d{{1,2}}) ({_MON}) (\d{{4}})\b"  # 30 Dec 2026
                    rf"|(?<![\w-])(\d{{1,2}})-({_MON})-(\d{{2}})(?![\w-])")  # 30-Dec-26: a sentence's own (cancel.fmt)
_PROBE = date(2031, 12, 25)
"""A day whose text in any format names day, month and year apart (25 > 12, 31 > 25)."""


def with_date_text(text: str, code: str = DEFAULT_DATE_FORMAT) -> str:
    """A sentence with its dates (2026-12-30, 30 Dec 2026, 30-Dec-26) shown in the workbook's date format.

    One pass: a date written in ``code`` is never read again as another date. Under a format whose text
    would read back as another day (yy-mmm-dd: 31-Dec-25), a sentence keeps its dates as they are, so that
    text re-dated twice (a Detail read back from the sheet into the report) cannot change its day."""
    if not _reads_back(code):
        return text

    def one(m: re.Match[str]) -> str:
        day = _day_of(m)
        return m.group(0) if day is None else date_text(day, code)
    return _DATES.sub(one, text)


def _day_of(m: re.Match[str]) -> date | None:
    g, months = m.groups(), _MON.split("|")
    try:
        if g[0]:  # an ISO-looking PO or style number (4500-01-26) is no date
            return date(int(g[0]), int(g[1]), int(g[2])) if 1990 <= int(g[0]) <= 2100 else None
        if g[3]:
            return date(int(g[5]), months.index(g[4]) + 1, int(g[3]))
        return date(2000 + int(g[8]), months.index(g[7]) + 1, int(g[6]))
    except ValueError:
        return None


@lru_cache(maxsize=1 << 6)
def _reads_back(code: str) -> bool:
    """A date shown in ``code`` is not read as a date again, or read as the same day."""
    shown = date_text(_PROBE, code)
    return all(_day_of(m) in (None, _PROBE) for m in _DATES.finditer(shown))


# --- colours -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Tone:
    """A conditional format's look: fill and font colour (RGB hex)."""

    fill: str | None
    font: str
    bold: bool = False


RED = Tone("FFC7CE", "9C0006", bold=True)
"""Late, overdue, error: Excel's own 'Light red fill with dark red text'."""
AMBER = Tone("FFEB9C", "9C5700")
"""Done late, at risk, warning: Excel's 'Yellow fill with dark yellow text'."""
GREEN = Tone("C6EFCE", "006100")
"""Done on time."""
BLUE = Tone("DDEBF7", "1F4E78")
"""Due soon: look ahead, nothing wrong yet."""
RED_TEXT = Tone(None, "C00000", bold=True)
"""A number that is late (days late), without a fill."""

HEADER_FILL, HEADER_FONT = "1F4E78", "FFFFFF"
"""Header row: white bold text on dark blue, the Table style's own colours, in every program."""


@dataclass(frozen=True)
class Rule:
    """A conditional format on one column: ``formula`` over the row's cells, ``{Header}`` naming a column.

    Excel evaluates the formula for each cell of the column with the
    references moved to that cell's row; the first true rule wins.
    """

    column: str
    formula: str
    tone: Tone
    meaning: str
    """What the colour says, for the README and tests."""

    def headers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([self.column, *re.findall(r"\{([^}]+)\}", self.formula)]))


def resolve(rule: Rule, letters: dict[str, str], first_row: int) -> str | None:
    """The rule's formula for ``first_row`` with each ``{Header}`` as ``$F2``; None when a column is missing."""
    if any(h not in letters for h in rule.headers()):
        return None
    return re.sub(r"\{([^}]+)\}", lambda m: f"${letters[m.group(1)]}{first_row}", rule.formula)


_SEVERITY = (Rule("Severity", '{Severity}="error"', RED, "error"),
             Rule("Severity", '{Severity}="warning"', AMBER, "warning"))

RULES: tuple[tuple[str, tuple[Rule, ...]], ...] = (
    ("T&A", (
        # the Actual date decides as soon as it is typed (a date to come, typed ahead, is not done: the status
        # prodbook wrote stands); Overdue / Due soon only while it is blank or to come
        Rule("Status", "AND(ISNUMBER({Actual}),{Actual}<=TODAY(),ISNUMBER({Planned}),{Actual}>{Planned})", AMBER,
             "Done late"),
        Rule("Status", "AND(ISNUMBER({Actual}),{Actual}<=TODAY())", GREEN, "Done"),
        Rule("Status", 'AND(OR({Actual}="",AND(ISNUMBER({Actual}),{Actual}>TODAY())),{Status}="Overdue")', RED,
             "Overdue"),
        Rule("Status", 'AND(OR({Actual}="",AND(ISNUMBER({Actual}),{Actual}>TODAY())),{Status}="Due soon")', BLUE,
             "Due soon"),
        Rule("Variance", 'AND(OR({Actual}="",AND(ISNUMBER({Actual}),{Actual}>TODAY())),ISNUMBER({Variance}),'
             '{Variance}>0)', RED_TEXT, "forecast late"),
    )),
    ("Issues", _SEVERITY),
    ("Exceptions", _SEVERITY),
    ("Follow-ups", (
        Rule("Days Overdue", "AND(ISNUMBER({Days Overdue}),{Days Overdue}>7)", RED, "over a week overdue"),
        Rule("Days Overdue", "AND(ISNUMBER({Days Overdue}),{Days Overdue}>0)", AMBER, "overdue"),
    )),
    ("Production Report", (
        Rule("Status", '{Status}="Late for cancel"', RED, "late for cancel"),
        Rule("Status", '{Status}="At risk"', AMBER, "at risk"),
        Rule("Status", '{Status}="Shipped late"', AMBER, "shipped late"),
        Rule("Status", 'LEFT({Status},7)="Shipped"', GREEN, "shipped"),
        Rule("XF Days Late", "AND(ISNUMBER({XF Days Late}),{XF Days Late}>0)", RED_TEXT, "days late"),
    )),
    ("Lab Dip Status", (
        Rule("Stands", '{Stands}="Resubmit"', RED, "to resubmit"),
        Rule("Stands", '{Stands}="Unclear"', AMBER, "decision unclear"),
        Rule("Stands", '{Stands}="Approved"', GREEN, "approved"),
        Rule("Next By", 'AND(ISNUMBER({Next By}),{Next By}<TODAY())', RED_TEXT, "next step late"),
    )),
    ("Vendor WIP", (
        Rule("Revised XF", "AND(ISNUMBER({Revised XF}),ISNUMBER({Planned XF}),{Revised XF}>{Planned XF})",
             AMBER, "vendor moved ex-factory later"),
    )),
)
"""Colour rules by sheet (the default name; an archive sheet takes its sheet's rules)."""


def base_sheet(name: str) -> str:
    """The sheet whose colour rules a sheet takes: its own, or an archive sheet's sheet's."""
    return name[:-len(ARCHIVE_SUFFIX)] if name.endswith(ARCHIVE_SUFFIX) else name


# --- colour rules an earlier prodbook wrote ------------------------------------------------------

@dataclass(frozen=True)
class RetiredRules:
    """Colour rules prodbook wrote on a sheet it created, from commit ``since`` until ``until`` replaced them.

    prodbook writes a sheet's rules only when it creates the sheet, so a tracker made back then keeps them:
    they are recognised by their exact text (``rules_to_update``) and brought up to date on the next run that
    writes the sheet. ``why`` says what the APM sees change.
    """

    sheet: str
    since: str
    until: str
    rules: tuple[Rule, ...]
    why: str


RETIRED_RULES: tuple[RetiredRules, ...] = (
    # 8510a0c (2026-12-01) to 74220d8 (2026-12-06): any Actual typed was done, one typed ahead too (a vendor's
    # promise), which the Status prodbook writes calls Overdue: a green 'Overdue'
    RetiredRules("T&A", "8510a0c", "74220d8", (
        Rule("Status", "AND(ISNUMBER({Actual}),ISNUMBER({Planned}),{Actual}>{Planned})", AMBER, "Done late"),
        Rule("Status", "ISNUMBER({Actual})", GREEN, "Done"),
        Rule("Status", 'AND({Actual}="",{Status}="Overdue")', RED, "Overdue"),
        Rule("Status", 'AND({Actual}="",{Status}="Due soon")', BLUE, "Due soon"),
        Rule("Variance", 'AND({Actual}="",ISNUMBER({Variance}),{Variance}>0)', RED_TEXT, "forecast late"),
    ), "a date typed ahead in Actual is no longer coloured as done"),
)
"""Earlier versions of ``RULES`` for a sheet, as git history holds them (the Production Report's
'Late: after cancel' rule of 8510a0c-6f5d793 never left its branch)."""


@dataclass(frozen=True)
class RulePlace:
    """Where a sheet's colour rules read: its name in ``RULES``, the column (0-based) of each of its headers
    (by the default header name, whatever the team calls it) and its header row, as the run read them."""

    sheet: str
    columns: tuple[tuple[str, int], ...]
    header_row: int


@dataclass(frozen=True)
class FoundRule:
    """A colour rule as a sheet holds it: the cells it applies to (``K2:K500``) and, for a rule of the
    'formula' kind with one formula, its text (no '='); None for any other rule."""

    sqref: str
    formula: str | None


def retired_for(sheet: str) -> tuple[RetiredRules, ...]:
    """The earlier rules of the sheet named ``sheet`` in ``RULES`` (an archive sheet takes its sheet's)."""
    return tuple(r for r in RETIRED_RULES if r.sheet == base_sheet(sheet))


def rules_to_update(place: RulePlace, found: Sequence[FoundRule]) -> dict[int, str]:
    """Which of ``found`` are prodbook's own earlier rules, each with the current rule's formula for it.

    One of them is an earlier version's formula, resolved to the sheet's columns and first data row, exactly
    (as prodbook wrote it), on its own column from the first data row down; it becomes the current rule of
    the same column and tone, in its place (range and order kept). Every other rule is the APM's: one they
    added or edited, or one on another range. Where the sheet leaves the mapping unsure (an earlier formula
    twice, two versions' rules, a current rule beside the one it would replace, a tone the current rules
    lack or hold twice), nothing is changed: prodbook never guesses at the APM's colours. Keys index ``found``.
    """
    retired = retired_for(place.sheet)
    if not retired or not found:
        return {}
    letters = {header: column_letter(c) for header, c in place.columns}
    first = place.header_row + 1
    current = [(rule, text) for rule in next((r for name, r in RULES if name == base_sheet(place.sheet)), ())
               if (text := resolve(rule, letters, first)) is not None]
    texts = {text for _, text in current}

    def own(sqref: str, column: str) -> bool:
        m = re.fullmatch(rf"{letters[column]}{first}(?::{letters[column]}(\d+))?", sqref.strip())
        return m is not None and (m.group(1) is None or int(m.group(1)) >= first)

    known: dict[str, tuple[set[str], Rule | None]] = {}  # an earlier formula: the versions that wrote it
    for version in retired:
        for rule in version.rules:
            text = resolve(rule, letters, first)
            if text is None or text in texts:
                continue  # a column the sheet lacks, or a rule that did not change
            versions, was = known.setdefault(text, (set(), rule))
            versions.add(version.until)
            if was is not None and (was.column, was.tone) != (rule.column, rule.tone):
                known[text] = versions, None  # one text, two meanings: not for prodbook to say which
    plan: dict[int, str] = {}
    common: set[str] | None = None
    for i, f in enumerate(found):
        versions, was = known.get(f.formula or "", (set(), None))
        if not versions or (was is not None and not own(f.sqref, was.column)):
            continue  # not an earlier rule of prodbook's, or one the APM put on another range
        new = [text for r, text in current if was is not None and (r.column, r.tone) == (was.column, was.tone)]
        if len(new) != 1:
            return {}
        plan[i] = new[0]
        common = versions if common is None else common & versions
    if not plan or not common or len({found[i].formula for i in plan}) != len(plan):
        return {}  # none; rules of two versions; or one rule twice, and prodbook cannot tell which is its own
    targets = {(text, r.column) for r, text in current if text in plan.values()}
    if any(f.formula == text and own(f.sqref, column) for f in found for text, column in targets):
        return {}  # the current rule is there already: which of the two is the APM's, prodbook cannot tell
    return plan


# --- columns -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ColumnLook:
    header: str
    number_format: str | None
    min_width: float
    max_width: float
    wrap: bool = False
    horizontal: str | None = None
    """'center' for dates, 'right' for numbers; None: the program's own (text left)."""
    indent: int = 0
    """A number's indent from the right edge, so it does not run into the text of the column to its right."""


WRAP: dict[str, tuple[int, int]] = {
    "detail": (50, 70), "problem": (50, 70), "dismissed_as": (50, 70), "notes": (28, 45), "remarks": (28, 45),
    "resolution": (24, 40),
    "comments": (28, 45), "exception_rules": (24, 40), "value": (16, 36), "other_value": (16, 36),
    "proposed": (16, 36), "old": (16, 36), "new": (16, 36), "description": (24, 40), "note": (40, 60),
    "recovery": (30, 50),
}
"""Long text columns: wrapped, (min, max) width. A row grows in height instead of hiding text."""

MIN_WIDTH: dict[str, int] = {
    "id": 10, "po": 12, "style": 14, "color": 14, "vendor": 9, "milestone": 34, "owner": 12, "code": 10,
    "contact": 22, "item": 20, "ref": 28, "rule": 20, "severity": 10, "status": 11, "sheet": 12, "cell": 8,
    "key": 28, "field": 14, "action": 26, "user": 10, "source_file": 26, "fabric_status": 14,
    "booking_status": 15, "other_source": 22, "draft": 30, "ship_mode": 10, "reason": 20,
    "found_in": 26, "found_by": 18,
}
"""Widths that read well on an empty sheet (before any row fits the column); longer text wraps."""

SHEET_MIN_WIDTH: dict[tuple[str, str], int] = {("Issues", "code"): 20, ("Issues", "sheet"): 24,
                                                ("Exceptions", "rule"): 22, ("Follow-ups", "contact"): 36,
                                                ("Follow-ups", "item"): 26, ("Follow-ups", "ref"): 40,
                                                ("Follow-ups", "detail"): 70,
                                                ("Change Log", "action"): 34, ("Change Log", "key"): 40,
                                                ("Change Log", "old"): 20, ("Change Log", "new"): 20}
"""Issues: a code, and a vendor file named as the Sheet (``DHK WIP 2026-12-04.xlsx`` wrapped at its hyphen in
16). Follow-ups: a contact is an e-mail address (``merch@ahmedabaddenim.example.com``),
broken mid-word by a narrower column; a Ref is a PO line (``4500013189 / SS27-DN-1002 / Black Rinse``), a
Detail a sentence to the vendor and an Item a milestone (``PP sample submit (bulk wash)``), two lines tall in
28, 50 and 20 (the demo's sheet, made before it had a row to fit: 9 of 245 rows one line tall, 120 now).
Change Log: every row's Action is ``Refresh 2026-12-06 06:28:05 UTC+0``,
a Key ``4500012594 / SS27-KT-1010 / Washed Blue / 2026-11-20`` and an Old ``as written #8bf80b0c``: each row
was two lines tall."""
"""Where a field's text is longer on one sheet than on the others (an Issues code, not a T&A code)."""

MONEY = frozenset({"fob", "retail", "cost_money"})
PERCENT = frozenset({"cut_pct", "sewn_pct", "packed_pct", "on_time_pct", "avg_days_late", "dip_rounds",
                     "dip_rft_pct", "mill_days", "samples_on_time_pct", "wip_punctuality_pct", "exceptions_per_100",
                     "qty_accuracy_pct", "packed_vs_ordered_pct", "per_100"})
TEXT_MAX = 40
FILTER_BUTTON = 3
"""Room for the Table's filter button beside the header text."""


@dataclass(frozen=True)
class SheetLook:
    """Everything prodbook sets on a sheet it creates."""

    columns: tuple[ColumnLook, ...]
    rules: tuple[Rule, ...]
    date_format: str = DEFAULT_DATE_FORMAT

    def column(self, header: str) -> ColumnLook | None:
        for c in self.columns:
            if c.header == header:
                return c
        return None

    @property
    def datetime_format(self) -> str:
        return f"{self.date_format} hh:mm"


def number_format(kind: Kind, field: str, date_format: str) -> str | None:
    if kind is Kind.DATE:
        return date_format
    if kind is Kind.DATETIME:
        return f"{date_format} hh:mm"
    if kind is Kind.INT:
        return "#,##0"
    if kind is Kind.NUMBER:
        return "#,##0.00" if field in MONEY else "0.0" if field in PERCENT else "#,##0.0#"
    return None


def look_for(spec: SheetSpec, date_format: str = DEFAULT_DATE_FORMAT) -> SheetLook:
    """The look of a sheet laid out by ``spec``, dates shown with ``date_format``."""
    if not is_date_format(date_format):
        date_format = DEFAULT_DATE_FORMAT
    sample = datetime(2026, 12, 28, 23, 59)
    cols = []
    for c in spec.columns:
        fmt = number_format(c.kind, c.field, date_format)
        head = len(c.header) + FILTER_BUTTON
        if c.kind in (Kind.DATE, Kind.DATETIME):
            # centred: a date right-aligned against the text of the next column reads as one ('25-Nov-26Sea')
            width = len(date_text(sample, fmt or date_format)) + 3
            cols.append(ColumnLook(c.header, fmt, max(head, width), max(head, width) + 4, horizontal="center"))
        elif c.field in WRAP:
            lo, hi = WRAP[c.field]
            lo = SHEET_MIN_WIDTH.get((spec.name, c.field), lo)
            cols.append(ColumnLook(c.header, fmt, max(head, lo), max(head, hi), wrap=True))
        elif c.kind in (Kind.INT, Kind.NUMBER):
            # right-aligned as numbers are, one indent off the edge: '3,120 Sea' rather than '3,120Sea'
            cols.append(ColumnLook(c.header, fmt, max(head, 8), max(head, 16), horizontal="right", indent=1))
        else:
            # wrapped too: a longer text than the column was fitted to makes the row taller, never cut
            least = SHEET_MIN_WIDTH.get((spec.name, c.field), MIN_WIDTH.get(c.field, 8))
            cols.append(ColumnLook(c.header, fmt, max(head, least), max(head, TEXT_MAX), wrap=True))
    rules = next((r for name, r in RULES if name == base_sheet(spec.name)), ())
    headers = set(spec.headers)
    return SheetLook(tuple(cols), tuple(r for r in rules if set(r.headers()) <= headers), date_format)


def _shown_width(v: Any, look: SheetLook, col: ColumnLook | None) -> float:
    """About how many characters a value takes in the column (Excel's width unit is a digit's width)."""
    if isinstance(v, datetime):
        return len(date_text(v, look.datetime_format))
    if isinstance(v, date):
        return len(date_text(v, col.number_format if col and col.number_format else look.date_format))
    if isinstance(v, bool):
        return 5
    if isinstance(v, int):
        return len(f"{v:,}")
    if isinstance(v, float):
        return len(f"{v:,.2f}") if v == v else 0
    text = str(v)
    longest = max((text_width(x) for x in text.split("\n")), default=0.0)
    return longest * 1.1  # capitals and wide letters: a little more than a digit each


def fitted_widths(look: SheetLook, headers: Sequence[str], columns: Sequence[Iterable[Any]]
                  ) -> tuple[float, ...]:
    """One width per header: the widest value (or the header) plus padding, within the column's limits.

    ``columns[j]`` are sample values of column ``j`` (a few thousand rows are plenty).
    """
    out = []
    for j, header in enumerate(headers):
        col = look.column(header)
        lo, hi = (col.min_width, col.max_width) if col else (max(len(header) + FILTER_BUTTON, 8), TEXT_MAX)
        widest = max((_shown_width(v, look, col) for v in (columns[j] if j < len(columns) else ())
                      if v is not None and v != ""), default=0.0)
        indent = col.indent if col else 0  # a number's indent takes about a digit of the column
        out.append(float(round(min(max(lo, widest + 2 + indent), hi + indent), 1)))
    return tuple(out)


LINE_HEIGHT = 15.0
"""Points per line of the default 11-point font: a row's height is this times its most lines."""

@lru_cache(maxsize=1 << 14)
def text_width(text: str) -> float:
    """How wide ``text`` is drawn, in digits (a column's width unit), erring wide: a letter as a digit (a
    row's height then has a spare line rather than a hidden one), a CJK character (``广州``) as two, for it
    takes a whole em: counted as one, its text was wrapped onto lines the row had no height for."""
    if text.isascii():
        return float(len(text))
    total = 0
    for ch in text:
        if unicodedata.east_asian_width(ch) in ("W", "F"):
            total += 2
        elif not unicodedata.combining(ch):
            total += 1
    return float(total)


_CALIBRI_11 = (
    463, 667, 821, 1020, 1038, 1464, 1397, 452, 621, 621, 1020, 1020, 511, 627, 517, 791, 1038, 1038, 1038, 1038,
    1038, 1038, 1038, 1038, 1038, 1038, 548, 548, 1020, 1020, 1020, 949, 1831, 1185, 1114, 1092, 1260, 1000, 941,
    1292, 1276, 516, 653, 1064, 861, 1751, 1322, 1356, 1058, 1378, 1112, 941, 998, 1314, 1162, 1822, 1063, 998,
    959, 628, 791, 628, 1020, 1020, 596, 981, 1076, 866, 1076, 1019, 625, 964, 1076, 470, 490, 931, 470, 1636,
    1076, 1080, 1076, 1076, 714, 801, 686, 1076, 925, 1464, 887, 927, 809, 644, 943, 644, 1020)
"""How far Calibri (and Carlito, drawn to the same metrics) advances for each character from ' ' to '~', in
font units: a digit is 1038. An 'i' is under half a digit, an 'M' 1.7: counted as a digit each, a Problem of
four lines was given six."""
_DIGIT = 1038
_WIDEST = max(_CALIBRI_11) / _DIGIT
_OTHER = 1.2
"""A character outside ASCII that is not a whole em (CJK): about a digit ('é' as 'e'); erring wide."""


@lru_cache(maxsize=1 << 14)
def drawn_width(text: str) -> float:
    """How wide Excel draws ``text`` in Calibri 11, in digits (a column's width unit)."""
    if text.isascii():
        total = 0
        for ch in text:
            o = ord(ch) - 32
            total += _CALIBRI_11[o] if 0 <= o < len(_CALIBRI_11) else _DIGIT
        return total / _DIGIT
    out = 0.0
    for ch in text:
        if ch.isascii():
            out += drawn_width(ch)
        elif unicodedata.east_asian_width(ch) in ("W", "F"):
            out += 2
        elif not unicodedata.combining(ch):
            out += _OTHER
    return out


def _room(width: float) -> float:
    return max(1.0, width - 1)  # Excel keeps a few pixels of the cell clear on each side


_BREAK = re.compile(r"(?<=-)(?=[^\W\d_])")
"""Where a word breaks: after a hyphen before a letter ('ex-' / 'factory'), as Excel and LibreOffice break;
not before a digit, where LibreOffice does not always ('drafts/2026-11-25/' stays whole): a spare line
rather than a hidden one."""


@lru_cache(maxsize=1 << 14)
def _pieces(word: str) -> tuple[float, ...]:
    """The drawn widths of the pieces ``word`` may break between (``_BREAK``)."""
    return tuple(drawn_width(p) for p in _BREAK.split(word)) if "-" in word else (drawn_width(word),)


_ASCII_WIDTHS = np.array([_DIGIT] * 32 + list(_CALIBRI_11) + [_DIGIT] * (128 - 32 - len(_CALIBRI_11)),
                         dtype=np.int64)


def _wider_than(room: float, texts: list[str]) -> list[str]:
    """The ``texts`` (ASCII, no line break) that may take more than a line ``room`` digits wide: one whose drawn
    width fits is left out, measured for all at once (a million distinct Change Log keys: each a few
    dozen characters past the widest-letter guess, one ``drawn_width`` call each took seconds)."""
    texts = [v for v in texts if v]  # '' is one line, and reduceat cannot sum an empty run
    if len(texts) < 64:
        return texts
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    codes = np.frombuffer("".join(texts).encode("ascii"), dtype=np.uint8)
    drawn = np.add.reduceat(_ASCII_WIDTHS[codes], np.cumsum(lengths) - lengths)
    wide = drawn >= room * _DIGIT - 1  # at the edge: text_lines, which adds the widths one by one, decides
    return [texts[i] for i in np.flatnonzero(wide).tolist()]


def shown(value: Any) -> Any:
    """What a cell shows: a link's text (``Formula.result``, a follow-up draft's file name), else the value."""
    return value.result if type(value) is Formula else value


def text_lines(value: Any, width: float) -> int:
    """How many lines ``value`` takes when wrapped in a column ``width`` wide (word wrap; ``text_width``)."""
    value = shown(value)
    if not isinstance(value, str) or not value:
        return 1
    room = _room(width)
    if "\n" not in value and len(value) * (_WIDEST if value.isascii() else 2) <= room:
        return 1
    space = drawn_width(" ")
    lines = 0
    for para in value.split("\n"):
        n, used = 1, 0.0
        for word in para.split(" "):
            gap = space if used else 0.0
            for w in _pieces(word):
                if used and used + gap + w > room:
                    n, used, gap = n + 1, 0.0, 0.0
                used += gap + w
                gap = 0.0
                while used > room:  # a word longer than the column breaks inside
                    n, used = n + 1, used - room
        lines += n
    return lines


def row_height(values: Iterable[tuple[Any, float]]) -> float | None:
    """The height (points) a row needs for its wrapped ``(value, column width)`` cells; None for one line."""
    most = max((text_lines(v, w) for v, w in values), default=1)
    return LINE_HEIGHT * most if most > 1 else None


def row_heights(columns: Sequence[tuple[Sequence[Any], float]], n: int) -> list[float | None]:
    """``row_height`` of each of ``n`` rows, from its wrapped ``(values, column width)`` columns: a column
    at a time, each distinct text looked at once, and a column whose every text fits a line skipped."""
    most = [1] * n
    for values, width in columns:
        if any(type(v) is Formula for v in values):  # a link is as tall as its text
            values = [shown(v) for v in values]
        for i, lines in _taller(values, width):
            if lines > most[i]:
                most[i] = lines
    return [LINE_HEIGHT * m if m > 1 else None for m in most]


def _taller(values: Sequence[Any], width: float) -> Iterable[tuple[int, int]]:
    """(row, lines) of the cells of ``values`` that take more than one line in a column ``width`` wide."""
    room = _room(width)  # as text_lines

    def may_wrap(v: Any) -> bool:  # text_lines' own quick one-line test, without the call
        return isinstance(v, str) and (len(v) * (_WIDEST if v.isascii() else 2) > room or "\n" in v)

    try:
        distinct = set(values)
    except TypeError:  # a value that cannot be hashed: each looked at
        return ((i, text_lines(v, width)) for i, v in enumerate(values) if may_wrap(v))
    texts = [v for v in distinct if isinstance(v, str)]
    one_line = [v for v in texts if v.isascii() and "\n" not in v]
    rest = [v for v in texts if not v.isascii() or "\n" in v] if len(one_line) < len(texts) else []
    tall = {v: text_lines(v, width) for part in (_wider_than(room, one_line), rest) for v in part if may_wrap(v)}
    if not tall:
        return ()
    return ((i, tall[v]) for i, v in enumerate(values) if v in tall)
