"""The date of a vendor's report: from a labelled title line, a date cell above the header or the file's
name, and the doubts an APM should hear about it (a future date, one read the other way round, a stale one).
The vendor named by a file's name too."""

from __future__ import annotations

import fnmatch
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from prodbook.core.cells import (
    CellError,
    DateOrder,
    column_letter,
    is_blank,
    to_date,
)
from prodbook.core.config import Config
from prodbook.core.findings import Code, Finding, error, warning
from prodbook.core.wip.layout import Header, RawSheet
from prodbook.core.wip.values import NO_YEAR, YEARLESS_BACK, cell_text, parse_wip_date

_LABEL = re.compile(
    r"(?:\b(?:(?P<strong>report(?:ing)?[\s\-]*date|date\s+of\s+report|as\s+(?:of|at|on)|week[\s\-]*ending|w/e|"
    r"wip\s+date|ngày\s+báo\s+cáo|báo\s+cáo\s+ngày|(?:tính\s+)?đến\s+ngày)|"
    r"(?P<weak>dated|(?:last\s+)?updated(?:\s+on)?|(?:print(?:ed)?|run)\s*date|wip(?:\s+report)?|"
    r"cập\s+nhật(?:\s+ngày)?|(?<![^\W\d_]\s)ngày|"
    r"(?<![A-Za-z]\s)(?<![A-Za-z][\-./_])(?<![A-Za-z]\s\s)date))\b"
    r"|(?P<cjk_strong>[报報][告表]日期|[统統]计日期|截[至止](?:日期|到|至)?)"
    r"|(?P<cjk_weak>(?:[制製]表|更新|打印|列印)日期|(?<![\u3400-\u9fff])日期))\s*(?:on\b)?\s*[:\-：]?\s*", re.I)
"""What may label the report's own date, strong before weak. A bare 'Date' counts only on its own
('Date: 01-Mar-2027'): 'Order Date', 'Ship date', 'Ex-Fty Date' above the real one are other dates. Chinese
and Vietnamese factories' labels too: 报告日期 / 截至 / Ngày báo cáo / Tính đến ngày (report date, as of)
strong, 制表日期 / 更新日期 / Cập nhật (made, updated) and a bare 日期 / Ngày weak, never 出货日期 (ship date)
or Ngày giao hàng. Chinese has no spaces between words, so its labels need no word boundary."""
NAME_DATE = re.compile(r"(?<![A-Za-z0-9])(\d{4}[-_.]\d{1,2}[-_.]\d{1,2}|\d{8}|\d{1,2}[-_.]\d{1,2}[-_.]\d{4}|"
                        r"\d{1,2}[-_. ]?[A-Za-z]{3,9}[-_. ]?\d{2,4})(?![0-9])")
_GLUED = re.compile(r"(?<=\d)(?=[A-Za-z])|(?<=[A-Za-z])(?=\d)")
"""Where a file name's date runs its parts together ('04Dec2026'): read as '04 Dec 2026'."""


def vendor_from_name(file_name: str, vendors: Sequence[str], config: Config) -> str | None:
    """The vendor a file is from: a Config 'WIP Vendor: <file name pattern>' setting, or its code in the
    file name (as a word: 'NBT_WIP_0301.xlsx'). Both in one Unicode form: a Mac spells an accented file
    name otherwise than the Config sheet it was typed on."""
    name = unicodedata.normalize("NFC", file_name).lower()
    for key, value in config.extra.items():
        if key.startswith("wip vendor:") and not is_blank(value):
            pattern = unicodedata.normalize("NFC", key.split(":", 1)[1].strip())
            if (fnmatch.fnmatch(name, pattern) if any(ch in pattern for ch in "*?[") else pattern in name):
                return str(value).strip()
    tokens = set(re.split(r"[^a-z0-9]+", Path(name).stem))
    hits = [v for v in vendors if v and v.lower() in tokens]
    return hits[0] if len(hits) == 1 else None


@dataclass(frozen=True)
class ReportDate:
    """A report's date and where it was read: a finding about the date sends the APM to that cell."""

    day: date
    row: int | None
    """1-based row of the title cell that holds it; None: the date is in the file name."""
    column: int | None
    """0-based column of that cell."""
    text: str
    """The cell's text as the vendor wrote it ('WIP as of 12/03/2027'), or the date in the file name."""

    @property
    def place(self) -> str:
        return "the file name" if self.row is None or self.column is None else \
            f"cell {column_letter(self.column)}{self.row}"


def report_date_of(raw: RawSheet, header: Header, order: DateOrder, today: date | None = None) -> date | None:
    """The report's date (``find_report_date``), without where it was read."""
    found = find_report_date(raw, header, order, today)
    return None if found is None else found.day


def find_report_date(raw: RawSheet, header: Header, order: DateOrder, today: date | None = None
                     ) -> ReportDate | None:
    """The report's date: the date a title line labels as the report's ('Report date: ...' and the cell
    beside it, 'WIP as of 01-Mar-2027'), a strong label before a weak one ('Print date', 'Updated');
    else a date in the file name. Other dates of the title rows (an order or ship date) are not it. A
    report date without a year ('Report Date: 01-Mar') is the last such day up to a week after ``today``."""
    found: list[tuple[int, ReportDate]] = []
    for r, row in enumerate(raw.rows[:header.first_row]):
        cells = list(row)
        for i, v in enumerate(cells):
            if isinstance(v, (date, datetime)):
                rank = _label_rank(cell_text(cells[i - 1])) if i else None
                if rank is not None:
                    day = v.date() if isinstance(v, datetime) else v
                    found.append((rank, ReportDate(day, r + 1, i, day.isoformat())))
                continue
            text = cell_text(v)
            labels = list(_LABEL.finditer(text))
            for k, m in enumerate(labels):
                rest = text[m.end():labels[k + 1].start() if k + 1 < len(labels) else None].strip()
                at = i if rest or i + 1 >= len(cells) else i + 1
                candidate = rest or (cells[i + 1] if i + 1 < len(cells) else None)
                d = _date_at_start(candidate, order, raw.date1904, today)
                if d is not None:
                    shown = text if at == i else (cell_text(candidate) if not isinstance(candidate, date)
                                                  else d.isoformat())
                    found.append((_strength(m), ReportDate(d, r + 1, at, shown)))
    if found:
        return min(found, key=lambda f: f[0])[1]
    for m in NAME_DATE.finditer(Path(raw.file).stem):
        try:
            d = to_date(_GLUED.sub(" ", re.sub(r"[_]", "-", m[1])), order)
        except CellError:
            continue
        if d is not None:
            return ReportDate(d, None, None, m[1])
    return None


FUTURE_REPORT_DAYS = 7
"""How many days after today a report may be dated (a vendor ahead in time, a report dated its week's end)."""


def future_report_date(found: ReportDate, today: date, order: DateOrder, vendor: str | None, file: str
                       ) -> Finding | None:
    """A report date more than ``FUTURE_REPORT_DAYS`` after today: a misread date, most often day and month
    read the other way round or a year typed wrong. Imported, it would stay the vendor's newest report until
    that day, hiding every real report after it; so the file is refused, naming the date and where it is."""
    ahead = (found.day - today).days
    if ahead <= FUTURE_REPORT_DAYS:
        return None
    who = vendor or "VENDOR"
    other = DateOrder.DMY if order is DateOrder.MDY else DateOrder.MDY
    swapped = _swapped(found)
    if swapped is not None and (swapped - today).days <= FUTURE_REPORT_DAYS:
        check = (f"It was read {_first(order)} ({order}); read {_first(other)} it is {swapped:%d %B %Y}. If "
                 f"{who} writes dates {_first(other)}, set 'WIP Date Order: {who}' = {other} on the Config "
                 "sheet; otherwise correct the date in the file")
    else:
        check = (f"Check the date in the file: a year typed wrong, or day and month read the other way round "
                 f"('WIP Date Order: {who}' = DMY or MDY on the Config sheet says which comes first for this "
                 "vendor); then correct it")
    return error(Code.WIP_REPORT_DATE, f"the report date in {found.place} reads as {found.day:%d %B %Y}, "
                 f"{ahead} days after today ({today:%d %B %Y}): a WIP report cannot be dated ahead, and this "
                 f"one would stay the newest report until then, so the file was not imported. {check}, and "
                 "import the file again", file=file, sheet=file, row=found.row, value=found.text)


_FROM_TODAY = re.compile(r"\b(\d+ days (?:after|before)) today \(")
"""How ``future_report_date`` and ``doubtful_report_date`` count a report date from the day they were given."""


def from_the_day_sent(message: str) -> str:
    """A report date's error or warning on an e-mail's attachment, which was read as of the day its message was
    sent (``wip_job._import_attachment``): '9 days after the day the message was sent (20 February 2027)',
    not 'after today', naming a day that is not today."""
    return _FROM_TODAY.sub(r"\1 the day the message was sent (", message)


def _swapped(found: ReportDate) -> date | None:
    """The date with day and month the other way round, when it is written in numbers both could be
    ('12/03/2027'); None for '2028-03-01', '01-Mar-2027' or a real date cell."""
    d = found.day
    if not NUMERIC_DATE.search(found.text) or d.day > 12 or d.day == d.month:
        return None
    return date(d.year, d.day, d.month)


def _first(order: DateOrder) -> str:
    return "month first" if order is DateOrder.MDY else "day first"


def _label_rank(label: str) -> int | None:
    """0 or 1 when a cell's whole text labels the report date (the date is in the next cell)."""
    m = _LABEL.match(label)
    return None if m is None or m.end() < len(label) else _strength(m)


def _strength(m: re.Match[str]) -> int:
    """0 for a label that names the report's date, 1 for one that may ('Updated', a bare 'Date')."""
    return 0 if m["strong"] or m["cjk_strong"] else 1


def _date_at_start(value: Any, order: DateOrder, date1904: bool, today: date | None = None) -> date | None:
    """The date a label's text begins with ('2027/03/01 (Mon)', '01-Mar-2027  Data as of ...')."""
    if isinstance(value, (date, datetime)):
        return value.date() if isinstance(value, datetime) else value
    text = cell_text(value)
    for piece in (text, _first_date_text(text)):
        if piece:
            try:
                return to_date(piece, order, date1904)
            except CellError:
                continue
    if today is None:
        return None
    for i, rx in enumerate(NO_YEAR):
        if m := rx.match(text):
            day, name = (m[1], m[2]) if i == 0 else (m[2], m[1])
            try:
                d = parse_wip_date(f"{day}-{name}", order, date1904, today + timedelta(days=YEARLESS_BACK - 358))
            except CellError:
                continue
            return d
    return None


def _first_date_text(text: str) -> str | None:
    m = re.match(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|"
                 r"\d{1,2}[-/. ][A-Za-z]{3,9}[-/., ]+\d{2,4}|"
                 r"[A-Za-z]{3,9}\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}", text)
    return m[0] if m else None


LATEST_ON_SHEET = "latest report already on the Vendor WIP sheet"
"""The words that name a report older than its vendor's latest (its warning is known by its code,
``Code.WIP_REPORT_OLDER``; an older prodbook's row by these words too: ``open_findings.RECODED``)."""
STALE_REPORT_DAYS = 60
"""A report dated further back than this many days is named: most often a date read the other way round."""


def doubtful_report_date(found: ReportDate, order: DateOrder, vendor: str | None, file: str, *, today: date,
                         latest: date | None, po_date: date | None) -> Finding | None:
    """A report date before its lines' PO date, far in the past, or older than the vendor's latest report on
    the Vendor WIP sheet: its lines become history and raise no exception, so it is named with the date read
    and, for a date written in numbers, the other reading. Older than the latest, it has a code of its own
    (``Code.WIP_REPORT_OLDER``): its Issues row stays until the APM decides (``wip_job._older_open``)."""
    who = vendor or "VENDOR"
    day = found.day
    why = []
    if po_date is not None and day < po_date:
        why.append(f"before the PO date of its lines ({po_date:%d-%b-%y})")
    elif (today - day).days > STALE_REPORT_DAYS:
        why.append(f"{(today - day).days} days before today ({today:%d-%b-%y})")
    older = latest is not None and day < latest
    if older:
        why.append(f"older than {who}'s {LATEST_ON_SHEET} ({latest:%d-%b-%y})")
    if not why:
        return None
    swapped = _swapped(found)
    other = DateOrder.DMY if order is DateOrder.MDY else DateOrder.MDY
    if swapped is not None and not _DOTTED_TEXT.search(found.text):
        check = (f"It was read {_first(order)}; read {_first(other)} it is {swapped:%d-%b-%y}. If {who} writes "
                 f"dates {_first(other)}, set 'WIP Date Order: {who}' = {other} on the Config sheet and import "
                 "the file again; if the date is right, nothing to do")
    else:
        check = "Check the date with the vendor; if it is right, nothing to do"
    return warning(Code.WIP_REPORT_OLDER if older else Code.WIP_REPORT_DATE,
                   f"the report date in {found.place} ('{found.text}') reads as "
                   f"{day:%d-%b-%y}, {' and '.join(why)}: its lines were imported as an older report (history), "
                   f"which raises no exception where a newer report of the line exists. {check}", file=file,
                   sheet=file, row=found.row, value=found.text)


_DOTTED_TEXT = re.compile(r"(?<![\d.])\d{1,2}\.\d{1,2}\.\d{2,4}(?![\d.])")


NUMERIC_DATE = re.compile(r"(?<![\d/.\-])\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})(?![\d/.\-])")


def date_example(order: DateOrder) -> str:
    return "3 April" if order is DateOrder.DMY else "4 March"
