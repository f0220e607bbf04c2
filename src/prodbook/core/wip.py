"""Vendor WIP reports: read each vendor's own layout, match its rows to the PO lines.

Pure functions over the cells ``workbook.vendor_files`` reads. Vendors send
weekly reports as .xlsx or .csv, each in its own layout: title rows, two-row
(merged) headers, blank spacer rows, subtotal rows, numbers as text with
thousands separators, dates typed in several ways. Headers are recognised by
meaning (``core.headers``). Everything is normalised here, once, so the
exception rules see clean ``WipLine`` values.

Matching to the Orders sheet is tolerant (case, spaces, punctuation, leading
zeros, colour-name variants such as Grey/Gray or "Navy" for "Navy Blue") but
never guesses: a row that fits no PO line, or more than one, is a finding
naming the file, row and value, and is not imported.
"""

from __future__ import annotations

import fnmatch
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from prodbook.core import headers
from prodbook.core.cells import (
    DOT_GROUPS,
    CellError,
    DateOrder,
    column_letter,
    day_of,
    is_blank,
    is_signed_number,
    looks_like_formula,
    not_yet,
    order_shown,
    reads_both_ways,
    text_or_empty,
    to_date,
    to_int,
    to_number,
    to_text,
    written_both_ways,
)
from prodbook.core.config import Config
from prodbook.core.findings import Code, Finding, error, info, warning
from prodbook.core.keys import fold_ref, fold_text, fold_word, line_key, once_each, style_vendors
from prodbook.core.model.sheets import VENDOR_WIP, Kind, normalise_header
from prodbook.core.where import cells as column_cells
from prodbook.core.where import row_dicts

HEADER_SCAN_ROWS = 25
WIP_FIELDS = tuple(f for f in VENDOR_WIP.fields if f not in ("report_date", "source_file"))
"""Fields a vendor file can hold (Report Date and Source File come from the file itself)."""
_QTY = ("order_qty", "cut_qty", "sewn_qty", "packed_qty")
_TOTAL = re.compile(r"^\s*(?:(?:(?:sub|grand|g|po|style|order)[\s\-.]*)?(?:total|ttl)\b(?![\-/]\w)|"
                    r"[合总總小][计計]|tổng(?:\s+cộng)?\b)", re.I)
"""'Total', 'Sub-total', 'Grand Total:', 'PO Total 4500012345', 'TTL', 'G. TOTAL', 'Sub Ttl'; Chinese 合计 / 总计 /
小计, Vietnamese 'Tổng cộng'; not 'TOTAL-4500' (a reference)."""
_DOZENS = re.compile(r"(?<![a-z])(dz|dzn|dzns|doz|dozen|dozens)(?![a-z])", re.I)
"""A quantity column counted in dozens ('Order Qty (Dzn)', 'Qty Doz'), as knitwear vendors often do."""
_GROSS = re.compile(r"\s*(gross|grs|gr)\.?\s*", re.I)
"""Twelve dozen, in a UOM cell: how trims and accessories are counted (a header's 'Gross Qty' is a total)."""
_THOUSANDS = re.compile(r"(?<![0-9a-z])(?:'000|,000|000s|k pcs|kpcs|thousands?)(?![0-9a-z])", re.I)
"""A quantity column counted in thousands ("Order Qty ('000 pcs)")."""
_CARTONS = re.compile(r"(?<![a-z])(ctns?|cartons?|box|boxes|bxs?)(?![a-z])", re.I)
"""Units that are not pieces and cannot be turned into pieces: a column counted in them is not imported."""
_TITLE_DOZENS = re.compile(r"\b(?:in|qty|quantit(?:y|ies))\b[^|]{0,20}\b(dozens?|dzns?|doz)\b", re.I)
"""A title line saying every quantity is in dozens ('All quantities in dozens', 'Qty in Dzn')."""
_UOM = re.compile(r"\s*(?:uom|u/?m|unit|units|unit of measure|qty unit|unit of qty)\.?\s*$", re.I)
"""A column saying each row's unit ('UOM': PCS, DZ)."""


def unit_size(text: str) -> int:
    """Pieces per unit of a quantity's header or UOM cell: 12 dozens, 144 gross (a UOM cell), 1,000
    thousands, 0 a unit that is not pieces (cartons, boxes), 1 pieces."""
    if _CARTONS.search(text):
        return 0
    if _DOZENS.search(text):
        return 12
    if _GROSS.fullmatch(text):
        return 144
    if _THOUSANDS.search(text):
        return 1000
    return 1
_UNITS = re.compile(r"\s*(pcs|pc|pieces|units|unit|prs|pairs)\.?\s*$", re.I)
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
_NAME_DATE = re.compile(r"(?<![A-Za-z0-9])(\d{4}[-_.]\d{1,2}[-_.]\d{1,2}|\d{8}|\d{1,2}[-_.]\d{1,2}[-_.]\d{4}|"
                        r"\d{1,2}[-_. ]?[A-Za-z]{3,9}[-_. ]?\d{2,4})(?![0-9])")
_GLUED = re.compile(r"(?<=\d)(?=[A-Za-z])|(?<=[A-Za-z])(?=\d)")
"""Where a file name's date runs its parts together ('04Dec2026'): read as '04 Dec 2026'."""
_NO_YEAR = (re.compile(r"(\d{1,2})[-/. ]([A-Za-z]{3,9})\.?"), re.compile(r"([A-Za-z]{3,9})\.?[-/. ](\d{1,2})"))


# --- vendor files' cells ------------------------------------------------------------------------

Merge = tuple[tuple[int, int], tuple[int, int]]
"""A merged range: ((first row, first col), (last row, last col)), 0-based."""


@dataclass
class RawSheet:
    """The cells of one vendor file (or one sheet of it), row 0 = Excel/CSV row 1.

    ``workbook.vendor_files`` reads files into these; everything here works on them.
    """

    file: str
    """File name, as findings and the Source File column show it."""
    sheet: str | None
    rows: list[list[Any]]
    date1904: bool = False
    findings: list[Finding] = field(default_factory=list)
    """What reading the file changed: cells cut to Excel's limit, formulas kept as text."""
    merged: list[Merge] = field(default_factory=list)
    """The sheet's merged ranges (a group word merged across a two-row header)."""
    hidden: bool = False
    """A sheet the vendor hid (last week's data, a lookup list): read only when no other sheet is a report."""
    hidden_rows: list[int] = field(default_factory=list)
    """Rows the sheet hides (0-based): filtered out, or hidden by hand."""
    hidden_columns: list[int] = field(default_factory=list)
    """Columns the sheet hides (0-based): a vendor hides last month's 'Cut Qty' beside this month's."""
    percent_cells: set[tuple[int, int]] = field(default_factory=set)
    """Number cells (row, col), 0-based, the sheet shows as a percentage: 1 shows 100%, a share, not 1 piece."""
    delimiter: str | None = None
    """A CSV file's delimiter (None: a workbook). There a cell holding the delimiter without quotes around it
    (1,200 in a comma file) is split in two, and every later cell of its row moves one column right."""


def _is_style_sheet(raws: Sequence[RawSheet], config: Config) -> bool:
    """A vendor style / costing sheet given with the WIP reports (it goes to the record check)."""
    # imported here: the rules that only read WIP (the exceptions' newest report) do not load the style checks
    from prodbook.core.development.discrepancies import style_sheet_header

    return any(style_sheet_header(raw.rows, config, file=raw.file) is not None for raw in raws)


# --- layouts --------------------------------------------------------------------------------------

def vendor_layout(config: Config, vendor: str | None) -> dict[str, str]:
    """Folded header -> field the team mapped on the Config sheet: the vendor's own ('WIP Column: VENDOR /
    Cut Qty'), then the team's Vendor WIP headers ('Column: Vendor WIP / ...'). These win over meaning;
    every other header is recognised by ``core.headers``."""
    lookup: dict[str, str] = {}
    by_header = {normalise_header(c.header): c.field for c in VENDOR_WIP.columns}
    if vendor:
        prefix = f"wip column: {vendor.strip().lower()} /"
        for name, theirs in config.extra.items():
            if name.startswith(prefix) and not is_blank(theirs):
                f = by_header.get(normalise_header(name[len(prefix):]))
                if f:
                    for text in str(theirs).split("|"):
                        lookup.setdefault(normalise_header(text), f)
    for header, theirs in config.headers.get(VENDOR_WIP.name, {}).items():
        f = by_header.get(normalise_header(header))
        if f and theirs:
            lookup.setdefault(normalise_header(theirs), f)
    return lookup


def has_own_layout(config: Config, vendor: str | None) -> bool:
    if not vendor:
        return False
    return any(k.startswith(f"wip column: {vendor.strip().lower()} /") for k in config.extra)


@dataclass(frozen=True)
class Header:
    """Where a vendor file's header is and what each of its columns means."""

    first_row: int
    """0-based index of the (first) header row."""
    height: int
    """1, or 2 for a merged two-row header ('Quantity' over 'Order | Cut | Sewn | Packed')."""
    columns: dict[str, int]
    """field -> 0-based column."""
    texts: dict[int, str]
    """column -> header text as the vendor wrote it (both rows for two-row headers)."""
    ambiguous: tuple[headers.Ambiguous, ...] = ()
    """Fields left out because two columns (or two fields) fit equally well."""
    hidden: tuple[int, ...] = ()
    """Hidden columns read all the same: no visible column fits their field (named to the APM)."""
    title_unit: int = 1
    """Pieces per unit the title rows give every quantity ('All quantities in dozens': 12)."""

    def per_unit(self, field_name: str) -> int:
        """Pieces per unit the column counts in: 12 for 'Order Qty (Dzn)' or under a title 'in dozens'
        (unless the header says pieces), 0 for one that counts cartons, else 1."""
        if field_name not in _QTY:
            return 1
        text = self.texts.get(self.columns.get(field_name, -1), "")
        own = unit_size(text)
        return own if own != 1 or re.search(r"(?i)\b(pcs|pc|pieces)\b", text) else self.title_unit

    @property
    def data_start(self) -> int:
        return self.first_row + self.height


def _text(v: Any) -> str:
    return "" if is_blank(v) else str(v).strip()


def find_header(rows: Sequence[Sequence[Any]], lookup: Mapping[str, str], merged: Sequence[Merge] = (),
                hidden_columns: Sequence[int] = ()) -> Header | None:
    """The row (or pair of rows) among the first rows that names the most fields, PO # among them;
    ``lookup`` (Config mappings) wins over meaning; a hidden column only where no visible one fits."""
    found = headers.find_header(rows, headers.WIP_VOCABULARY, ("po",), lookup, merged=merged,
                                scan=HEADER_SCAN_ROWS, fold=normalise_header)
    if found is None:
        return None
    a, hidden = _prefer_visible(found, hidden_columns, lookup)
    titles = " | ".join(_text(v) for row in rows[:found.first_row] for v in row if not is_blank(v))
    return Header(found.first_row, found.height, dict(a.columns), dict(a.texts), a.ambiguous, hidden,
                  title_unit=12 if _TITLE_DOZENS.search(titles) else 1)


def _prefer_visible(found: headers.HeaderFound, hidden: Sequence[int], lookup: Mapping[str, str]
                    ) -> tuple[headers.Assignment, tuple[int, ...]]:
    """The header's fields read from its visible columns, a hidden column only for a field no visible one
    fits: a vendor hides last month's 'Cut Qty' beside this month's 'Cut Qty (Mar)', and the hidden one's
    exact words would win. Also the hidden columns still read, which the APM is told of."""
    gone = set(hidden) & {c.column for c in found.cells}
    if not gone:
        return found.assignment, ()
    full = found.assignment
    seen = headers.candidate([c for c in found.cells if c.column not in gone], headers.WIP_VOCABULARY,
                              lookup, normalise_header)
    extra = {f: c for f, c in full.columns.items() if c in gone and f not in seen.found}
    ambiguous = (*seen.ambiguous, *(a for a in full.ambiguous if not set(a.fields) & seen.found))
    texts = {**seen.texts, **{c: full.texts[c] for c in extra.values()}}
    return headers.Assignment({**seen.columns, **extra}, texts, ambiguous), tuple(sorted(extra.values()))


def header_findings(header: Header, file: str, vendor: str | None) -> list[Finding]:
    """What the header left undecided, with the Config setting that decides it (a PO # left undecided is
    an error: the file cannot be imported)."""
    out = []
    who = vendor or "VENDOR"
    row = header.first_row + header.height
    for f in _QTY:
        if f not in header.columns or (per := header.per_unit(f)) == 1:
            continue
        text = header.texts[header.columns[f]]
        if per == 0:
            out.append(warning(Code.BAD_NUMBER, f"'{text}' counts cartons (or boxes), not pieces, and "
                               "prodbook cannot turn them into pieces, so the column was not imported. Ask "
                               "the vendor for pieces", file=file, sheet=file, row=header.first_row + 1,
                               column=text, value=text))
            continue
        unit = {12: "dozens", 144: "gross (12 dozen)", 1000: "thousands"}[per]
        said = "" if unit_size(text) != 1 else " (the file's title says so)"
        out.append(info(Code.WIP_DOZENS, f"'{text}' counts {unit}{said}, so its numbers were read as pieces "
                        f"(x{per:,}): 100 is {100 * per:,} pieces on the Vendor WIP sheet",
                        file=file, sheet=file, row=header.first_row + 1, value=text))
    for c in header.hidden:
        name = next(VENDOR_WIP.column(f).header for f, col in header.columns.items() if col == c)
        out.append(info(Code.WIP_SHEETS, f"column {column_letter(c)} '{header.texts[c]}' is hidden in this file, "
                        f"and was imported as {name} because no visible column is one. A vendor hides old "
                        "figures: unhide it in the vendor's file and check its figures are this report's",
                        file=file, sheet=file, row=header.first_row + 1, column=column_letter(c),
                        value=header.texts[c]))
    for amb in header.ambiguous:
        cells = ", ".join(f"'{c.text}' (column {column_letter(c.column)})" for c in amb.cells)
        names = [VENDOR_WIP.column(f).header for f in amb.fields]
        if len(amb.cells) > 1:
            what = f"the header cells {cells} all read as {names[0]}"
        else:
            what = f"the header cell {cells} reads as {' or '.join(names)} equally well"
        settings = " or ".join(f"'WIP Column: {who} / {n}' = {amb.cells[0].text.split(' / ')[-1]}"
                               for n in names[:2])
        make = error if "po" in amb.fields else warning
        left = "the file was not imported" if "po" in amb.fields else \
            f"{' and '.join(names)} {'was' if len(names) == 1 else 'were'} left blank for this file"
        out.append(make(Code.WIP_HEADER, f"{what}; prodbook does not guess, so {left}. Say which column is "
                        f"which on the Config sheet, e.g. {settings} (the vendor's header text; for "
                        "several, separate them with |)", file=file, sheet=file, row=row,
                        value=" | ".join(c.text for c in amb.cells)))
    return out


# --- cells ----------------------------------------------------------------------------------------

def parse_qty(value: Any, per_unit: int = 1) -> int | None:
    """A quantity as the vendor typed it: 1,200 / '1 200' / '1200 pcs' / 1200.0; '-' is blank. In a
    column counted in dozens (``per_unit`` 12), 12.5 is 150 pieces. A negative count ('-50', '(100)') is
    refused: no stage has fewer than no pieces, and taken as written it would lower every total and rate."""
    if is_blank(value):
        return None
    if isinstance(value, str):
        text = _UNITS.sub("", value.strip())
        if text in ("-", "--", "–", "nil", "NIL", "n/a", "N/A"):
            return None
        value = text
        if DOT_GROUPS.fullmatch(text):  # '1.000': one, or a thousand? to_int names both readings
            grouped = to_int(text)
            return None if grouped is None else grouped * per_unit
    number = to_number(value)
    if number is None:
        return None
    if number < 0:
        shown = "" if str(value).lstrip().startswith("-") else f" ({number:g})"
        raise CellError(f"'{value}' is a negative quantity{shown}, and a count of pieces cannot be below zero")
    pieces = round(number * per_unit, 6)
    if not float(pieces).is_integer():
        raise CellError(f"{value} is not a whole number of pieces" if per_unit == 1 else
                        f"{value} dozen is not a whole number of pieces ({pieces:g})")
    return int(pieces)


_DASHES = ("-", "--")
"""A vendor's dash in a WIP date cell: no date (WIP's own, beside the words every date cell reads)."""


def parse_wip_date(value: Any, order: DateOrder, date1904: bool, near: date) -> date | None:
    """A date cell. '15-Mar' or 'Mar 15' without a year take the year that puts them in the year around
    ``near`` (the report date) that a WIP report's dates fall in: four months back, eight ahead. A date
    further than a year back or two ahead is a typo or a misread year ('27/03/15' is 2015), not a plan. No date
    yet is blank: the words of ``cells.not_yet`` ('TBA', 'TBD', 'to be confirmed'), and a vendor's dash."""
    if isinstance(value, str) and (value.strip() in _DASHES or not_yet(value)):
        return None
    written = value
    if isinstance(value, str) and _SERIAL_TEXT.fullmatch(value):  # a date column saved as General in a CSV
        value = float(value)
    try:
        d = to_date(value, order, date1904)
    except CellError:
        if not isinstance(value, str):
            raise
        text = value.strip()
        for i, rx in enumerate(_NO_YEAR):
            if m := rx.fullmatch(text):
                day, name = (m[1], m[2]) if i == 0 else (m[2], m[1])
                try:
                    options = [to_date(f"{day} {name} {y}", order) for y in (near.year - 1, near.year,
                                                                              near.year + 1)]
                except CellError:
                    continue
                first = near - timedelta(days=YEARLESS_BACK)
                return next(d for d in options if d and d >= first)
        raise
    if d is not None and not -366 <= (d - near).days <= 731:
        when = "before" if d < near else "after"
        raise CellError(f"'{_text(written)}' reads as {d:%d %B %Y}, too far {when} the report date "
                        f"({near:%d %B %Y}) to be a WIP date (a two-digit year in another place?)")
    return d


_SERIAL_TEXT = re.compile(r"\s*\d{5}(?:\.0*)?\s*")
"""Excel's number for a date (46390 is 2 January 2027), as a date column formatted General shows it and a CSV
file keeps it; the report-date window below refuses one that is not near the report."""
_WEEK_OF = re.compile(r"\s*(?:w/?[cb]|wk\.?\s*(?:of|commencing|beginning)?|week\s+(?:of|commencing|beginning|"
                      r"starting))\s*[.:]?\s*(\S.*)", re.I)
"""A date given as its week: 'w/c 12 Jan' (week commencing), 'w/b 12/01', 'wk of 12-Jan', 'week of Jan 12'."""


YEARLESS_BACK = 120
"""A date without a year falls from this many days before the report date to a year later."""


# --- vendors ----------------------------------------------------------------------------------------

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
                rank = _label_rank(_text(cells[i - 1])) if i else None
                if rank is not None:
                    day = v.date() if isinstance(v, datetime) else v
                    found.append((rank, ReportDate(day, r + 1, i, day.isoformat())))
                continue
            text = _text(v)
            labels = list(_LABEL.finditer(text))
            for k, m in enumerate(labels):
                rest = text[m.end():labels[k + 1].start() if k + 1 < len(labels) else None].strip()
                at = i if rest or i + 1 >= len(cells) else i + 1
                candidate = rest or (cells[i + 1] if i + 1 < len(cells) else None)
                d = _date_at_start(candidate, order, raw.date1904, today)
                if d is not None:
                    shown = text if at == i else (_text(candidate) if not isinstance(candidate, date)
                                                  else d.isoformat())
                    found.append((_strength(m), ReportDate(d, r + 1, at, shown)))
    if found:
        return min(found, key=lambda f: f[0])[1]
    for m in _NAME_DATE.finditer(Path(raw.file).stem):
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


def _swapped(found: ReportDate) -> date | None:
    """The date with day and month the other way round, when it is written in numbers both could be
    ('12/03/2027'); None for '2028-03-01', '01-Mar-2027' or a real date cell."""
    d = found.day
    if not _NUMERIC_DATE.search(found.text) or d.day > 12 or d.day == d.month:
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
    text = _text(value)
    for piece in (text, _first_date_text(text)):
        if piece:
            try:
                return to_date(piece, order, date1904)
            except CellError:
                continue
    if today is None:
        return None
    for i, rx in enumerate(_NO_YEAR):
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


# --- rows -----------------------------------------------------------------------------------------

@dataclass
class ParsedFile:
    """One vendor file read into rows of fields, with where each came from."""

    file: str
    sheet: str | None
    vendor: str | None
    report_date: date | None
    header: Header | None
    rows: list[dict[str, Any]] = field(default_factory=list)
    """Fields + ``_row`` (1-based row in the file) + ``_raw`` (the PO/style/colour as written)."""
    skipped_totals: int = 0
    findings: list[Finding] = field(default_factory=list)
    total_rows: set[tuple[str | None, int]] = field(default_factory=set)
    """The (sheet, 1-based row) of each total row skipped: the reader's notes on their cells say nothing."""


def reader_notes(raws: Sequence[RawSheet], parsed: ParsedFile) -> list[Finding]:
    """The reader's notes on a file's cells (``RawSheet.findings``) that still say something once its rows are
    read: none on a total row's formulas saved without their results, a row the import skips (nothing to ask
    the vendor of its sums). The one filter for a file and an e-mail's attachment alike."""
    return [f for raw in raws for f in raw.findings
            if f.code is not Code.VENDOR_FORMULA or (f.sheet, f.row) not in parsed.total_rows]


def parse_rows(raw: RawSheet, header: Header, *, order: DateOrder, near: date) -> ParsedFile:
    """Data rows below the header: blanks, subtotals and notes skipped, cells normalised."""
    out = ParsedFile(raw.file, raw.sheet, None, None, header)
    where = {"file": raw.file, "sheet": raw.file}  # the APM looks for the file, not its sheet
    kinds = {f: VENDOR_WIP.column(f).kind for f in header.columns}
    shared = _shared_quantities(raw, header)
    size_column = _size_column(raw, header)
    named: set[str] = set()
    width = _header_width(raw, header)
    per = {f: header.per_unit(f) for f in _QTY if f in header.columns}  # once, not a cell at a time
    uom = _uom_column(raw, header)
    by_unit: dict[str, int] = {}  # a UOM cell's unit other than pieces -> rows
    percent_named: set[str] = set()
    read_alone = {f.row for f in raw.findings if f.code is Code.WIP_FILE}  # the reader named these (a quote)
    group_po: Any = None
    group_style: Any = None
    for r in range(header.data_start, len(raw.rows)):
        row = raw.rows[r]
        cells = {f: (row[c] if c < len(row) else None) for f, c in header.columns.items()}
        filled = [f for f, v in cells.items() if not is_blank(v)]
        if not filled:
            continue
        po_text = _text(cells.get("po"))
        if _is_total_row(row, header) or _unlabelled_subtotal(cells, row, size_column):
            out.skipped_totals += 1
            out.total_rows.add((raw.sheet, r + 1))
            group_po = group_style = None  # a PO's total closes it: a row below without a PO is no longer its
            continue
        if raw.delimiter and r + 1 not in read_alone and (wide := _filled_width(row)) > width:
            out.findings.append(error(Code.WIP_FILE, _split_cell_message(row, wide, width, raw.delimiter),
                                      row=r + 1, value=_row_text(row), **where))
            continue
        if filled == ["po"]:  # a PO on its own line heads the colour rows under it; or a note line
            group_po = cells["po"] if _looks_like_po(cells["po"]) else None
            group_style = None
            continue
        values: dict[str, Any] = {"_row": r + 1}
        if po_text:  # a PO written once above its colours (not merged) belongs to the rows under it too
            group_po, group_style = (cells["po"], cells.get("style")) if _looks_like_po(cells["po"]) else (None, None)
        elif group_po is not None:
            cells["po"] = group_po
            values["_po_above"] = _text(group_po)
            if is_blank(cells.get("style")) and not is_blank(group_style) and "style" in header.columns:
                cells["style"] = group_style
            elif not is_blank(cells.get("style")):
                group_style = cells["style"]
        if size_column is not None:
            values["_size"] = _text(row[size_column]) if size_column < len(row) else ""
            if _SIZE_TOTAL.fullmatch(values["_size"]):  # the line's total among its sizes: not one more size
                out.skipped_totals += 1
                continue
        row_unit = _row_unit(row, uom, r, out.findings, where)
        if row_unit > 1 and uom is not None:
            by_unit[_text(row[uom[0]]).upper()] = by_unit.get(_text(row[uom[0]]).upper(), 0) + 1
        for f, raw_value in cells.items():
            unit = (per[f] if per[f] != 1 else row_unit) if f in per else 1  # the column's own unit wins
            if f == "po" and (lost := po_digits_lost(raw_value)):
                values["po"], values["_po_lost"] = None, True
                out.findings.append(warning(Code.WIP_UNMATCHED, _po_lost_message(lost, r, header.columns[f]),
                                            row=r + 1, column=header.texts.get(header.columns[f]),
                                            value=lost, **where))
                continue
            if is_blank(raw_value) or unit == 0:
                values[f] = None
                continue
            if (r, header.columns[f]) in shared:
                values[f] = None
                span, lines = shared[(r, header.columns[f])]
                if span not in named:
                    named.add(span)
                    out.findings.append(warning(
                        Code.BAD_NUMBER, f"{header.texts.get(header.columns[f])} {span} is one cell merged over "
                        f"{lines} colour lines: a quantity of them all, not of each, so it was not imported for "
                        "them. Ask the vendor for one quantity per line", row=r + 1,
                        column=header.texts.get(header.columns[f]), value=raw_value, **where))
                continue
            if f in _QTY and (r, header.columns[f]) in raw.percent_cells and isinstance(raw_value, (int, float)):
                values[f] = None
                if f not in percent_named:  # once a column: a vendor formats a whole stage so
                    percent_named.add(f)
                    out.findings.append(warning(Code.BAD_NUMBER, _percent_message(raw_value, r, header.columns[f]),
                                                row=r + 1, column=header.texts.get(header.columns[f]),
                                                value=f"{raw_value * 100:g}%", **where))
                continue
            try:
                if f in _QTY:
                    values[f] = parse_qty(raw_value, unit)
                elif f == "po":
                    values[f] = read_po(raw_value)
                elif kinds[f] is Kind.DATE:
                    week = _WEEK_OF.fullmatch(raw_value) if isinstance(raw_value, str) else None
                    try:
                        values[f] = parse_wip_date(week[1] if week else raw_value, order, raw.date1904, near)
                    except CellError:
                        if not week:
                            raise
                        values[f] = parse_wip_date(raw_value, order, raw.date1904, near)  # named as written
                    if week and values[f] is not None:
                        out.findings.append(info(
                            Code.BAD_DATE, f"'{_text(raw_value)}' gives a week, not a day: it was read as the "
                            f"day it names, {values[f]:%d-%b-%y}. Ask the vendor for the exact date", row=r + 1,
                            column=header.texts.get(header.columns[f]), value=raw_value, **where))
                    if values[f] is None and f == "revised_xf" and not_yet(_text(raw_value)):
                        values["_withdrawn"] = (raw_value, header.texts.get(header.columns[f]))
                else:
                    values[f] = to_text(raw_value)
            except CellError as exc:
                values[f] = None
                if f == "revised_xf":  # 'pending fabric', or a date it cannot read: not 'no revision'
                    values["_withdrawn"] = (raw_value, header.texts.get(header.columns[f]))
                out.findings.append(warning(
                    Code.BAD_DATE if kinds[f] is Kind.DATE else Code.BAD_NUMBER,
                    f"{exc}; the cell was left blank in the Vendor WIP sheet. Ask the vendor to correct it",
                    row=r + 1, column=header.texts.get(header.columns[f]), value=raw_value, **where))
        if "_po_above" in values and all(values.get(f) is None for f in (*_QTY, "style", "color")):
            continue  # a note under a PO's colours (a remark or a date alone), not one more line of it
        if values.get("po") is None:
            if "_po_lost" not in values and any(values.get(f) is not None for f in (*_QTY, "style", "color")):
                out.findings.append(warning(Code.WIP_UNMATCHED, "this row has no PO number, so it was not "
                                            "imported; ask the vendor to fill in the PO",
                                            row=r + 1, value=_row_text(row), **where))
            continue  # otherwise a note or a footer line
        for f in ("remarks", "fabric_status", "booking_status", "po", "style", "color"):
            v = values.get(f)
            if isinstance(v, str) and looks_like_formula(v) and not is_signed_number(v):
                out.findings.append(info(Code.FORMULA_TEXT, "this text starts like a formula; it is kept as "
                                         "text in the Vendor WIP sheet and never run", row=r + 1,
                                         column=header.texts.get(header.columns[f]), value=v, **where))
        out.rows.append(values)
    if by_unit and uom is not None:
        units = ", ".join(f"{n:,} row(s) in {u} (x{unit_size(u)})" for u, n in by_unit.items())
        out.findings.append(info(Code.WIP_DOZENS, f"the '{uom[1]}' column gives each row's unit: {units}; their "
                                 "quantities were read as pieces", value=uom[1], **where))
    return out


_PO_POINT_ZERO = re.compile(r"\s*(\d+)\.0+\s*")
"""A PO number a CSV carries as a number: '4500012345.0'."""
_SCIENTIFIC = re.compile(r"\s*(\d)(?:[.,](\d+))?\s*E\s*\+(\d{1,2})\s*", re.I)
"""Excel's display of a long number in a narrow column: '4.50001E+09'."""


def read_po(value: Any) -> str | None:
    """A PO cell's text: '4500012345.0' (a CSV written from a number column) is '4500012345', and so is
    '4.500012345E+09', whose digits are all there."""
    text = to_text(value)
    if text is None:
        return None
    if m := _PO_POINT_ZERO.fullmatch(text):
        return m[1]
    if (m := _SCIENTIFIC.fullmatch(text)) and len(m[2] or "") == int(m[3]):
        return m[1] + (m[2] or "")
    return text


def po_digits_lost(value: Any) -> str | None:
    """The text of a PO cell written as Excel shows a long number in scientific notation ('4.50001E+09'), its
    last digits gone: saved to CSV as shown, they cannot be read back, and 4,500,010,000 must not be taken for
    a PO. None for any other cell."""
    text = "" if is_blank(value) or not isinstance(value, str) else value.strip()
    m = _SCIENTIFIC.fullmatch(text)
    return text if m and len(m[2] or "") < int(m[3]) else None


def _po_lost_message(text: str, r: int, c: int) -> str:
    return (f"cell {column_letter(c)}{r + 1} holds the PO number as {text}: the vendor's Excel showed it in "
            "scientific notation (the column was too narrow) and the file was saved as shown, so its last digits "
            "are lost and the PO cannot be told; the row was not imported. Ask the vendor to format the PO "
            "column as Text (or widen it) before saving the CSV, or to send the .xlsx, and import it again")


def _percent_message(value: float, r: int, c: int) -> str:
    """A quantity cell the vendor's Excel shows as a percentage (1 as 100%): a share of the order done, which
    read as a number would be 1 piece cut where the vendor means all of them."""
    return (f"cell {column_letter(c)}{r + 1} shows {value * 100:g}%: the vendor's file formats it as a "
            "percentage, a share of the order, not a count of pieces, so it (and every cell of the column "
            "shown so) was left blank in the Vendor WIP sheet. Ask the vendor for the number of pieces")


def _shared_quantities(raw: RawSheet, header: Header) -> dict[tuple[int, int], tuple[str, int]]:
    """Quantity cells merged down over several lines (an order quantity over a PO's colours): each cell ->
    (the range, 'D6:D8', and how many lines share it). The reader copies a merged cell to every row it
    covers, which is right for a PO, a style or a date, and wrong for a number that is their sum."""
    qty_columns = {header.columns[f] for f in _QTY if f in header.columns}
    keys = [header.columns[f] for f in ("style", "color") if f in header.columns]
    out: dict[tuple[int, int], tuple[str, int]] = {}
    for (r1, c1), (r2, c2) in raw.merged:
        if r2 <= r1 or r1 < header.data_start or c1 not in qty_columns:
            continue
        lines = sum(1 for r in range(r1, min(r2 + 1, len(raw.rows)))
                    if any(c < len(raw.rows[r]) and not is_blank(raw.rows[r][c]) for c in keys))
        if lines > 1:
            span = f"{column_letter(c1)}{r1 + 1}:{column_letter(c2)}{r2 + 1}"
            out.update({(r, c1): (span, lines) for r in range(r1, r2 + 1)})
    return out


def _is_total_row(row: Sequence[Any], header: Header) -> bool:
    """A subtotal line: its first filled cell says Total. A remark 'Total fabric received' or a colour
    'Total Eclipse' further along the row is the vendor's text, not a total."""
    first = next(((c, unicodedata.normalize("NFC", _text(v))) for c, v in enumerate(row) if not is_blank(v)),
                 None)
    if first is None:
        return False
    if not (m := _TOTAL.match(first[1])):  # 'PO 4500012345 | | Total': a PO's total, its label in a key column
        return any(total_label(row[c]) for f in ("style", "color") if (c := header.columns.get(f, -1)) >= 0
                   and c < len(row))
    words = set(re.findall(r"[a-z]{3,}", first[1][m.end():].lower()))
    return first[0] != header.columns.get("color") or words <= _TOTAL_WORDS


def _unlabelled_subtotal(cells: Mapping[str, Any], row: Sequence[Any], size_column: int | None) -> bool:
    """A row of numbers alone under a PO's colours, with no PO, style, colour or size: the vendor's
    subtotal (often only bold), not a line."""
    if any(not is_blank(cells.get(f)) for f in ("po", "style", "color")):
        return False
    if size_column is not None and size_column < len(row) and not is_blank(row[size_column]):
        return False
    filled = [f for f, v in cells.items() if not is_blank(v)]
    return bool(filled) and all(f in _QTY for f in filled)


def total_label(value: Any) -> bool:
    """A style or colour cell that is only a total's label ('Total', 'TTL', '合计'), not 'Total Eclipse': in a vendor's
    file, and in a key cell of the team's own tracker sheets (a 'TOTAL' typed under the PO lines)."""
    text = unicodedata.normalize("NFC", _text(value))
    m = _TOTAL.match(text)
    return m is not None and set(re.findall(r"[a-z]{3,}", text[m.end():].lower())) <= _TOTAL_WORDS


_SIZE_TOTAL = re.compile(r"\s*(?:(?:sub|grand)[\s\-]*)?(?:total|ttl|tot|all)\.?\s*:?\s*", re.I)
"""A size cell that holds the line's total ('TTL', 'Total', 'All'), not a size."""
_TOTAL_WORDS = frozenset({"qty", "quantity", "pcs", "pieces", "units", "for", "order", "style", "all"})


def _uom_column(raw: RawSheet, header: Header) -> tuple[int, str] | None:
    """The column saying each row's unit ('UOM'), and its header, when the header has one."""
    for r in range(header.first_row, header.data_start):
        for c, v in enumerate(raw.rows[r]):
            if c not in header.columns.values() and _UOM.fullmatch(_text(v)):
                return c, _text(v)
    return None


_PIECES = re.compile(r"\s*(?:pcs?|pieces?|ea|each|units?|prs?|pairs?|sets?|nos?)\.?\s*", re.I)


def _row_unit(row: Sequence[Any], uom: tuple[int, str] | None, r: int, findings: list[Finding],
              where: dict[str, Any]) -> int:
    """Pieces per unit of this row's quantities, as its UOM cell says: 12 for DZ, 0 (not imported, named) for
    cartons or a unit prodbook does not know; 1 without a UOM column."""
    text = _text(row[uom[0]]) if uom is not None and uom[0] < len(row) else ""
    if not text or _PIECES.fullmatch(text):
        return 1
    size = unit_size(text)
    if size == 1:  # a unit that is neither pieces nor one prodbook can count in pieces
        size = 0
    if size == 0:
        findings.append(warning(Code.BAD_NUMBER, f"this row counts in '{text}', not pieces, so its quantities "
                                "were not imported. Ask the vendor for pieces", row=r + 1,
                                column=uom[1] if uom else None, value=text, **where))
    return size


def _header_width(raw: RawSheet, header: Header) -> int:
    """Cells of the header row(s), as the CSV file writes them (blank ones included)."""
    return max(len(raw.rows[r]) for r in range(header.first_row, header.data_start))


def _filled_width(row: Sequence[Any]) -> int:
    """Cells of a row up to its last filled one: blank cells at its end are no column."""
    return next((c + 1 for c in range(len(row) - 1, -1, -1) if not is_blank(row[c])), 0)


_THOUSANDS_SPLIT = (re.compile(r"[-+(]?\d{1,3}"), re.compile(r"\d{3}(?:\.\d+)?\)?"))
"""Two cells that were one number before its thousands comma split it: '1' and '200' of 1,200."""


def _split_cell_message(row: Sequence[Any], wide: int, width: int, delimiter: str) -> str:
    """Why a CSV row has more cells than its header: a cell split at a delimiter it holds without quotes, so
    its later cells sit one column right (1,200 read as Order Qty 1 and Cut Qty 200). Names the likely number,
    so the APM finds it in the vendor's line."""
    seen = f"this row has {wide} cells where the header has {width}"
    shifted = "so its cells from there on are shifted one column to the right, and the row was not imported"
    if delimiter != ",":
        name = "a tab" if delimiter == "\t" else f"a '{delimiter}'"
        return (f"{seen} (likely a cell with {name} in it and no quotes around it), {shifted}. Put such cells in "
                "quotes, or save the file from Excel as .xlsx, and import it again")
    texts = [_text(v) for v in row]
    head, tail = _THOUSANDS_SPLIT
    split = next((f"{a},{b}" for a, b in zip(texts, texts[1:]) if head.fullmatch(a) and tail.fullmatch(b)), None)
    likely = f'here perhaps "{split}"' if split else 'such as "1,200"'
    return (f"{seen} (likely a number with a thousands comma and no quotes around it, {likely}), {shifted}. "
            'Put such numbers in quotes ("1,200"), or save the file from Excel as .xlsx, and import it again')


def _looks_like_po(value: Any) -> bool:
    return bool(re.search(r"\d{3}", _text(value)))


def _row_text(row: Sequence[Any]) -> str:
    return " | ".join(_text(v) for v in row if not is_blank(v))[:120]


# --- matching to PO lines ---------------------------------------------------------------------------

_COLOR_WORDS = {"grey": "gray", "gry": "gray", "blk": "black", "bk": "black", "nvy": "navy", "nav": "navy",
                "wht": "white", "wh": "white", "dk": "dark", "drk": "dark", "lt": "light", "lgt": "light",
                "hthr": "heather", "htr": "heather", "hth": "heather", "red": "red", "grn": "green",
                "brn": "brown", "blu": "blue", "ylw": "yellow", "org": "orange", "pnk": "pink",
                "prpl": "purple", "olv": "olive", "chrcl": "charcoal", "char": "charcoal",
                "ivry": "ivory", "khk": "khaki", "mlt": "melange", "mel": "melange", "colour": "", "color": ""}


@lru_cache(maxsize=65536)
def color_tokens(text: str) -> tuple[str, ...]:
    """Colour words, folded: 'NAVY-BLUE' -> ('navy', 'blue'); 'Hthr Grey 021' -> ('heather', 'gray')."""
    words = re.split(r"[^a-z]+", fold_word(text).lower().replace("&", " and "))  # 'Crème' as typed on a Mac
    return tuple(w for w in (_COLOR_WORDS.get(w, w) for w in words) if w and w != "and")


@lru_cache(maxsize=65536)
def color_codes(text: str) -> frozenset[str]:
    """A colour's numbers, leading zeros off: 'Hthr Grey 021' -> {'21'}; 'Blue 19-4052 TCX' -> {'19', '4052'}."""
    return frozenset(n.lstrip("0") or "0" for n in re.findall(r"[0-9]+", fold_word(text)))  # '４１９' is 419


def color_match(theirs: str, ours: str) -> int:
    """How well a vendor's colour fits ours: 3 same words, 2 same words in another order, 1 one's words
    contain the other's ('Navy' / 'Navy Blue'), 0 no match."""
    codes = color_codes(theirs), color_codes(ours)
    if all(codes) and codes[0] != codes[1]:
        return 0  # 'Navy 419' is not 'Navy 410': a colour code, when both give one, must agree
    a, b = color_tokens(theirs), color_tokens(ours)
    if not a or not b:
        return 3 if fold_ref(theirs) == fold_ref(ours) and fold_ref(ours) else 0
    if "".join(a) == "".join(b):
        return 3
    if sorted(a) == sorted(b):
        return 2
    if set(a) <= set(b) or set(b) <= set(a):
        return 1
    return 0


@dataclass(frozen=True)
class OrderLine:
    po: str
    style: str
    color: str
    vendor: str | None
    qty: int | None
    po_date: date | None = None
    """The Orders sheet's PO Date: a report dated before it was misread (``doubtful_report_date``)."""


class OrderIndex:
    """The Orders sheet's PO lines, by folded PO number."""

    def __init__(self, lines: Iterable[OrderLine]) -> None:
        self.by_po: dict[str, list[OrderLine]] = {}
        for line in lines:
            self.by_po.setdefault(fold_ref(line.po), []).append(line)

    @classmethod
    def from_frames(cls, orders: pd.DataFrame, styles: pd.DataFrame) -> OrderIndex:
        vendor_of = style_vendors(styles)
        return cls(OrderLine(str(o["po"]), str(o["style"]), str(o["color"]),
                             _clean(vendor_of.get(fold_ref(o["style"]))), _int(o.get("qty")),
                             day_of(o.get("po_date")))
                   for o in orders.to_dict("records"))


def _clean(v: Any) -> str | None:
    return None if v is None or (isinstance(v, float) and v != v) else str(v)


def _int(v: Any) -> int | None:
    return None if v is None or (isinstance(v, float) and v != v) else int(v)


@dataclass(frozen=True)
class Match:
    line: OrderLine | None
    finding: Finding | None = None


def match_row(values: Mapping[str, Any], index: OrderIndex, *, file: str, sheet: str | None,
              row: int) -> Match:
    """The one PO line a vendor row is about, or a finding saying why there is none."""
    po, style, color = values.get("po"), values.get("style"), values.get("color")
    ref = " / ".join(str(v) for v in (po, style, color) if v)
    where = {"file": file, "sheet": file, "row": row, "key": ref}
    candidates = index.by_po.get(fold_ref(po), [])
    if not candidates and (base := _without_line_suffix(po, index)):
        return _read_as(match_row({**values, "po": base}, index, file=file, sheet=sheet, row=row), po, base,
                        where)
    if not candidates:
        return Match(None, warning(Code.WIP_UNMATCHED, f"PO {po} is not on the Orders sheet, so this row was "
                                   "not imported; check the PO number with the vendor", column="PO #",
                                   value=ref, **where))
    if style:
        same = [c for c in candidates if fold_ref(c.style) == fold_ref(style)]
        if not same:
            styles = ", ".join(sorted({c.style for c in candidates}))
            alike = sorted({c.style for c in candidates if _as_digits(c.style) == _as_digits(style)})
            hint = (f": it differs from {alike[0]} only in a letter O or I typed for a zero or a one, or the "
                    "other way round" if alike else "")
            return Match(None, warning(Code.WIP_UNMATCHED, f"style {style} is not on PO {po} (the PO has "
                                       f"{styles}), so this row was not imported{hint}. Ask the vendor to "
                                       "correct the style number", column="Style #", value=ref, **where))
        candidates = same
    if not color:
        if len(candidates) == 1:
            return Match(candidates[0])
        colors = ", ".join(c.color for c in candidates)
        return Match(None, warning(Code.WIP_AMBIGUOUS, f"the row has no colour and PO {po} has several "
                                   f"({colors}); not imported. Ask the vendor for one row per colour",
                                   column="Color", value=ref, **where))
    scored = [(color_match(str(color), c.color), c) for c in candidates]
    best = max((s for s, _ in scored), default=0)
    top = [c for s, c in scored if s == best and s > 0]
    if len(top) == 1:
        found = None
        if best == 1:
            found = info(Code.WIP_AMBIGUOUS, f"colour '{color}' was read as '{top[0].color}', the only colour "
                         f"of PO {po} / {top[0].style} it fits", column="Color", value=ref, **where)
        return Match(top[0], found)
    if not top:
        colors = ", ".join(c.color for c in candidates)
        return Match(None, warning(Code.WIP_UNMATCHED, f"colour '{color}' is not on PO {po} (the PO line"
                                   f"{'s have' if len(candidates) > 1 else ' has'} {colors}), so this row "
                                   "was not imported", column="Color", value=ref, **where))
    colors = ", ".join(c.color for c in top)
    return Match(None, warning(Code.WIP_AMBIGUOUS, f"colour '{color}' could be any of {colors} on PO {po}; "
                               "not imported rather than guessed. Ask the vendor for the exact colour "
                               "name", column="Color", value=ref, **where))


def _as_digits(style: Any) -> str:
    """A style number with the letters typed for digits (O for 0, I for 1) read as those digits."""
    return fold_ref(style).upper().translate(str.maketrans("OI", "01"))


_LINE_SUFFIX = re.compile(r"\s*(.*\d{5,})\s*[-/_.]\s*(?:l|ln|line)?\s*\d{1,3}\s*", re.I)
"""A PO written with its line number: '4500012345-1', '4500012345/01', '4500012345-L2'."""


def _without_line_suffix(po: Any, index: OrderIndex) -> str | None:
    """The PO of a '4500012345-1' the Orders sheet does not have, when it has '4500012345'."""
    m = _LINE_SUFFIX.fullmatch(_text(po))
    return m[1] if m and fold_ref(m[1]) in index.by_po else None


def _read_as(m: Match, po: Any, base: str, where: Mapping[str, Any]) -> Match:
    """A match made on the PO without its line suffix, saying so."""
    said = (f"PO {po} was read as PO {base} (the '{str(po).strip()[len(base):].strip()}' after it taken as the "
            f"line number; the Orders sheet has no PO {po})")
    if m.finding is not None:
        return replace(m, finding=replace(m.finding, message=f"{m.finding.message} ({said})"))
    return Match(m.line, info(Code.WIP_UNMATCHED, said, column="PO #", value=where.get("key"), **where))


# --- a whole file ---------------------------------------------------------------------------------

def import_file(raws: Sequence[RawSheet], index: OrderIndex, vendors: Sequence[str], config: Config, *,
                today: date, past: VendorPast | None = None) -> ParsedFile:
    """Read one vendor file into matched Vendor WIP rows (tracker PO/style/colour) and findings. ``past``:
    what the run knows of the vendor beyond this file (the order its dates show elsewhere, its latest
    report on the Vendor WIP sheet)."""
    file = raws[0].file if raws else "?"
    past = past or VendorPast()
    vendor = vendor_from_name(file, vendors, config)
    sheets, hidden_reports = _wip_sheets(raws, config, vendor)
    sheets, old_months = _latest_month(sheets, today)
    parsed = sheets[0] if sheets else None
    if parsed is None and _is_style_sheet(raws, config):
        return ParsedFile(file, None, vendor, None, None, findings=[info(
            Code.COLUMN_MISSING, "not a WIP report (it has style columns but no PO column): it is compared "
            "with the Styles sheet by the record check instead", file=file)])
    if parsed is None:
        return ParsedFile(file, None, vendor, None, None, findings=[_no_po_column(raws, config, vendor)])
    raw, header = parsed
    if "po" not in header.columns:  # two columns both read as PO #: nothing can be matched
        return ParsedFile(file, raw.sheet, vendor, None, header, findings=header_findings(header, file, vendor))
    order, found = file_date_order(raw, header, config, vendor, past.hint(vendor))
    report_at = find_report_date(raw, header, order, today)
    report = today if report_at is None else report_at.day
    if report_at is None:
        found.append(info(Code.WIP_REPORT_DATE, f"no report date found in the file's title rows or name; "
                          f"{today.isoformat()} (today) was used", file=file, sheet=file))
    out = parse_rows(raw, header, order=order, near=report)
    if vendor is None:  # the vendor from the file's own Vendor column, or from its PO lines
        vendor = _single({v for r in out.rows if (v := r.get("vendor"))}) or _single(
            {m.line.vendor for r in out.rows if (m := match_row(r, index, file=file, sheet=raw.sheet,
                                                                 row=r["_row"])).line})
        if vendor and (has_own_layout(config, vendor) or config.get(f"WIP Date Order: {vendor}")
                       or past.hint(vendor)):
            return import_file(raws, index, [vendor], _with_vendor(config, file, vendor), today=today, past=past)
    if not _has_progress(header):  # a packing list or a PO list: dated today, it would hide the real report's rows
        return ParsedFile(file, raw.sheet, vendor, None, header,
                          findings=[_not_a_report(raw, header, config, vendor)])
    if report_at is not None and (ahead := future_report_date(report_at, today, order, vendor, file)):
        return ParsedFile(file, raw.sheet, vendor, report, header,
                          findings=[*header_findings(header, file, vendor), *found, ahead])
    out.vendor, out.report_date = vendor, report
    out.findings = header_findings(header, file, vendor) + found + out.findings
    for more, more_header in sheets[1:]:  # the file's other report sheets ('Knit', 'Woven')
        label = f"{file} > sheet '{more.sheet}'"
        if not _has_progress(more_header):
            out.findings.append(replace(_not_a_report(more, more_header, config, vendor), sheet=label))
            continue
        more_order, more_found = file_date_order(more, more_header, config, vendor, past.hint(vendor))
        own = find_report_date(more, more_header, more_order, today)
        if own is not None and own.row is not None and (ahead := future_report_date(own, today, more_order,
                                                                                      vendor, file)):
            out.findings.append(replace(ahead, sheet=label, message=ahead.message.replace(
                "the file was not imported", "this sheet was not imported")))
            continue
        dated = own.day if own is not None else report  # its own title's, if any
        if dated != report:
            more_found.append(info(Code.WIP_REPORT_DATE, f"this sheet is dated {dated.isoformat()} in its own "
                                   f"title rows, the file's first sheet {report.isoformat()}: its rows carry "
                                   "their own date", file=file, sheet=label))
        part = parse_rows(more, more_header, order=more_order, near=dated)
        out.findings += [replace(f, sheet=label) for f in (*header_findings(more_header, file, vendor),
                                                           *more_found, *part.findings)]
        out.rows += [{**r, "_sheet": label, "_report": dated} for r in part.rows]
        out.skipped_totals += part.skipped_totals
        out.total_rows |= part.total_rows
    for k, (sheet_raw, _) in enumerate(sheets):  # the first sheet's findings name the file alone
        out.findings += _hidden_rows_note(sheet_raw, out.rows, file, k > 0)
    if len(sheets) > 1:
        out.findings.append(info(Code.WIP_SHEETS, f"{len(sheets)} sheets of this file are WIP reports, each "
                                 f"imported: {', '.join(repr(r.sheet) for r, _ in sheets)}", file=file,
                                 sheet=file))
    if old_months:
        out.findings.append(info(Code.WIP_SHEETS, f"this file has a sheet per month: '{raw.sheet}', the latest, "
                                 f"was imported as the report; {', '.join(repr(n) for n in old_months)} (earlier "
                                 f"month{'s' if len(old_months) > 1 else ''}) not. To import an earlier month's "
                                 "figures, save that sheet as a file of its own", file=file, sheet=file,
                                 value=", ".join(map(str, old_months))))
    if skipped := hidden_reports:
        out.findings.append(info(Code.WIP_SHEETS, f"the hidden sheet{'s' if len(skipped) > 1 else ''} "
                                 f"{', '.join(repr(n) for n in skipped)} of this file look like WIP reports "
                                 "and were not imported (a vendor hides last week's data). Unhide a sheet "
                                 "in the vendor's file to import it", file=file, sheet=file))
    rows = []
    known = {fold_ref(v): v for v in vendors}
    others: dict[tuple[str, str], list[int]] = {}  # (this report's vendor, the style's vendor) -> rows
    uncoloured: list[dict[str, Any]] = []  # rows of a multi-colour PO in a file with no colour column read
    for r in out.rows:
        m = match_row(r, index, file=file, sheet=raw.sheet, row=r["_row"])
        if m.line is None and "color" not in header.columns and "_sheet" not in r and \
                m.finding is not None and m.finding.code is Code.WIP_AMBIGUOUS:
            uncoloured.append(r)  # named once, with the column the colour is likely in, not row by row
            continue
        if m.finding and "_po_above" in r:  # the APM looks for the PO in the row, and finds it blank
            m = replace(m, finding=replace(m.finding, message=f"{m.finding.message} (this row has no PO of its "
                                           f"own: it was read as PO {r['_po_above']}, written above it)"))
        if m.finding:
            out.findings.append(replace(m.finding, sheet=r["_sheet"]) if "_sheet" in r else m.finding)
        if m.line is None:
            continue
        cell_vendor = known.get(fold_ref(r.get("vendor")))  # the row's own Vendor cell, a tracker's vendor
        row_vendor = cell_vendor or vendor or r.get("vendor") or m.line.vendor
        theirs = known.get(fold_ref(m.line.vendor))
        if theirs and row_vendor in known.values() and theirs != row_vendor:
            others.setdefault((str(row_vendor), theirs), []).append(r["_row"])
        if row_vendor is None:
            out.findings.append(warning(Code.WIP_VENDOR, "the vendor of this row is unknown (no Vendor "
                                        "column, not in the file name, no vendor on the style); imported "
                                        "without one. Name the file with the vendor code or set 'WIP Vendor: "
                                        f"{file}' on the Config sheet", file=file, sheet=file,
                                        row=r["_row"]))
        clean = {f: r.get(f) for f in WIP_FIELDS}
        clean.update(po=m.line.po, style=m.line.style, color=m.line.color, vendor=row_vendor,
                     report_date=r.get("_report", report), source_file=file, _row=r["_row"],
                     _size=r.get("_size"), _withdrawn=r.get("_withdrawn"),
                     _sheet=r.get("_sheet", file),
                     _raw=" / ".join(str(r.get(k)) for k in ("po", "style", "color") if r.get(k)))
        rows.append(clean)
    out.findings += [_other_vendor(file, ours, theirs, at, own_column="vendor" in header.columns)
                     for (ours, theirs), at in others.items()]
    if uncoloured:
        out.findings.append(_no_colour_column(raw, header, uncoloured, index, vendor))
    out.rows = _dedupe(rows, out.findings, file, raw.sheet)
    if report_at is not None and out.rows and (doubt := doubtful_report_date(
            report_at, order, vendor, file, today=today, latest=past.latest.get(fold_text(vendor or "")),
            po_date=max((line.po_date for r in out.rows if r["report_date"] == report
                         for line in index.by_po.get(fold_ref(r["po"]), ())
                         if line.po_date and line.style == r["style"] and line.color == r["color"]),
                        default=None))):
        out.findings.append(doubt)
    return out


def _no_colour_column(raw: RawSheet, header: Header, rows: Sequence[Mapping[str, Any]], index: OrderIndex,
                      vendor: str | None) -> Finding:
    """One warning for a file whose colour column was not understood ('Option', 'Farbe'), rather than 'the row
    has no colour' on every row of a multi-colour PO: the header cell whose values are the POs' colours, and
    the Config setting that maps it."""
    unread = dict(_unread_cells(raw, header))
    hits: dict[int, list[str]] = {}
    for r in rows:
        cells = raw.rows[r["_row"] - 1]
        ours = [line.color for line in index.by_po.get(fold_ref(r.get("po")), ())]
        for c in unread:
            v = _text(cells[c]) if c < len(cells) else ""
            if v and any(color_match(v, color) for color in ours):
                hits.setdefault(c, []).append(v)
    at = ", ".join(str(r["_row"]) for r in rows[:8]) + (f" and {len(rows) - 8:,} more" if len(rows) > 8 else "")
    head = header.first_row + 1
    who = vendor or "VENDOR"
    lost = (f"no column of the header in row {head} is read as the colour, so {len(rows)} row(s) of POs that have "
            f"several colours (rows {at}) were not imported")
    where = {"file": raw.file, "sheet": raw.file, "row": head}
    if hits:
        c = max(hits, key=lambda k: len(hits[k]))
        text = unread[c]
        shown = ", ".join(dict.fromkeys(hits[c]))[:120]
        return warning(Code.COLUMN_MISSING, f"{lost}. Column {column_letter(c)} '{text}' holds their colours "
                       f"({shown}): on the Config sheet, set 'WIP Column: {who} / Color' = {text} and import the "
                       "file again", column=text, value=text, **where)
    listed = ", ".join(f"{column_letter(c)} '{t}'" for c, t in list(unread.items())[:12]) or "none"
    return warning(Code.COLUMN_MISSING, f"{lost}. No other column holds their colours (columns not understood: "
                   f"{listed}): if one does, set 'WIP Column: {who} / Color' = its header on the Config sheet; "
                   "otherwise ask the vendor for a colour column, one row per colour", value=listed[:200],
                   **where)


def _other_vendor(file: str, ours: str, theirs: str, rows: list[int], *, own_column: bool) -> Finding:
    """Rows a report files under one vendor whose style the Styles sheet gives another: production moved
    to another factory, an agent's report, or a file named for the wrong vendor. Said once per pair."""
    where = "its Vendor column" if own_column else "the file's name (or its 'WIP Vendor:' setting)"
    shown = ", ".join(map(str, rows[:8])) + (f" and {len(rows) - 8:,} more" if len(rows) > 8 else "")
    return warning(Code.WIP_VENDOR, f"{len(rows):,} row(s) of this report are {ours}'s by {where}, but their "
                   f"style is {theirs}'s on the Styles sheet (rows {shown}); they were imported under {ours}. "
                   "Check which vendor makes them, and correct the Styles sheet or the report", file=file,
                   sheet=file, row=rows[0], value=f"{ours} / {theirs}")


def _with_vendor(config: Config, file: str, vendor: str) -> Config:
    return replace(config, extra={**config.extra, f"wip vendor: {file.lower()}": vendor})


def file_date_order(raw: RawSheet, header: Header, config: Config, vendor: str | None,
                    hint: tuple[DateOrder, str] | None = None) -> tuple[DateOrder, list[Finding]]:
    """How this file writes 03/04/2027: the vendor's 'WIP Date Order' setting, else what its own dates show
    ('15/04/2027' can only be day first), else what the vendor's dates showed elsewhere (``hint``: its other
    files of the run, its earlier reports' file names; ``vendor_past``), else the Date Order setting. One
    order for the whole file: a DMY file read as MDY would turn 05/03 into 3 May beside a correct 15/04."""
    setting = config.get(f"WIP Date Order: {vendor}") if vendor else None
    try:
        chosen = DateOrder(str(setting).upper().replace("/", "")) if setting else None
    except ValueError:
        chosen = None
    shown: dict[DateOrder, tuple[int, str]] = {}
    unsure: tuple[int | None, str] | None = None  # the first date that reads both ways (03/04/2027)
    date_columns = [c for f, c in header.columns.items() if VENDOR_WIP.column(f).kind is Kind.DATE]
    for r, cells in enumerate(raw.rows):
        title = r < header.first_row
        for c in (range(len(cells)) if title else date_columns):
            v = cells[c] if c < len(cells) else None
            if isinstance(v, str):
                for text in (_NUMERIC_DATE.findall(v) if title else [v.strip()]):
                    if (o := order_shown(text)) is not None:
                        shown.setdefault(o, (r + 1, text))
                    elif unsure is None and reads_both_ways(text):
                        unsure = (r + 1, text)
    if unsure is None:  # a date of the file name both ways ('WIP 03-12-2026.xlsx')
        unsure = next(((None, m[1]) for m in _NAME_DATE.finditer(Path(raw.file).stem)
                       if reads_both_ways(m[1])), None)
    where = {"file": raw.file, "sheet": raw.file}
    if chosen is not None:
        other = next((o for o in shown if o is not chosen), None)
        if other is None:
            return chosen, []
        row, text = shown[other]
        return chosen, [warning(Code.WIP_DATE_ORDER, f"the Config sheet says this vendor writes dates {chosen} "
                                f"('WIP Date Order: {vendor}'), but '{text}' can only be {other}; check the "
                                "file's dates and the setting", row=row, value=text, **where)]
    if len(shown) == 2:
        return config.date_order, [written_both_ways(shown, config.date_order, where)]
    if len(shown) == 1:
        (o, (row, text)), = shown.items()
        if o is not config.date_order:
            who = vendor or "VENDOR"
            return o, [info(Code.WIP_DATE_ORDER, f"'{text}' shows this file writes dates {o}, so every date "
                            f"in it was read {o} (03/04 as {_example(o)}). To say so once for this vendor, "
                            f"set 'WIP Date Order: {who}' = {o} on the Config sheet", row=row, value=text,
                            **where)]
        return o, []
    if hint is not None and unsure is not None and hint[0] is not config.date_order:
        o, seen = hint
        who = vendor or "VENDOR"
        return o, [info(Code.WIP_DATE_ORDER, f"'{unsure[1]}' reads both ways and no date of this file tells "
                        f"day from month; {who}'s dates elsewhere are {o} ({seen}), so this file's were read "
                        f"{o} (03/04 as {_example(o)}). If that is wrong, or to say so once for this vendor, set "
                        f"'WIP Date Order: {who}' on the Config sheet", row=unsure[0], value=unsure[1], **where)]
    return config.date_order, []


@dataclass(frozen=True)
class VendorPast:
    """What a run knows of each vendor beyond the file in hand; keyed by ``fold_text`` of the vendor code."""

    orders: Mapping[str, tuple[DateOrder, str]] = field(default_factory=dict)
    """The order the vendor's dates showed in its other files of the run, else in its earlier reports' file
    names on the Vendor WIP sheet, with where ("'14/12/2026' in 'VNS_WIP_05-12-2026.csv'")."""
    latest: Mapping[str, date] = field(default_factory=dict)
    """The vendor's newest Report Date already on the Vendor WIP sheet."""

    def hint(self, vendor: str | None) -> tuple[DateOrder, str] | None:
        return self.orders.get(fold_text(vendor)) if vendor else None


PAST_ROWS = 5000
"""Rows of each sheet looked at for the order a vendor's dates show (a report's dates are near its top)."""


@dataclass(frozen=True)
class RunFile:
    """A vendor file of the run, read once: a file given, or a report attached to a saved message (whose dates
    tell how its vendor writes 03/04 as much as a file's do)."""

    raws: Sequence[RawSheet]
    shown: str
    """Its name as findings give it ("Mar 3 WIP.eml > attachment 'WIP.csv'" for an attachment)."""
    vendor: str | None = None
    """Its vendor when something beside its name tells it (the sender of its message); None: from its name."""


def vendor_past(run_files: Sequence[RunFile], history: pd.DataFrame, vendors: Sequence[str],
                config: Config) -> VendorPast:
    """Each vendor's date order as its other files show it: the run's files and attached reports (their names
    and every date written in numbers in them), else the file names of its reports on the Vendor WIP sheet
    (``history``); a vendor whose dates show both orders gets none. And its latest report date on the sheet."""
    run: dict[str, dict[DateOrder, str]] = {}
    for one in run_files:
        vendor = one.vendor or (vendor_from_name(one.raws[0].file, vendors, config) if one.raws else None)
        if vendor is not None:
            for o, seen in _orders_in(one.raws, one.shown):
                run.setdefault(fold_text(vendor), {}).setdefault(o, seen)
    earlier: dict[str, dict[DateOrder, str]] = {}
    latest: dict[str, date] = {}
    wanted = ["vendor", "report_date", "source_file"]
    # A report's lines share its vendor, date and file: one look per report, not per line (a season's weekly
    # history is a million rows at 46,000 PO lines); the first of each keeps the sheet's order.
    frame = (history[wanted].drop_duplicates() if set(wanted) <= set(history.columns)
             else pd.DataFrame(columns=wanted))
    for v, d, name in zip(frame["vendor"], frame["report_date"], frame["source_file"]):
        who = fold_text(text_or_empty(v))
        if not who:
            continue
        if (day := _day(d)) is not None and (who not in latest or day > latest[who]):
            latest[who] = day
        shown = text_or_empty(name)
        for m in _NAME_DATE.finditer(Path(shown).stem):
            if (named := order_shown(m[1].replace("_", "-"))) is not None:
                earlier.setdefault(who, {}).setdefault(named, f"'{m[1]}' in the name of its report '{shown}' on "
                                                          "the Vendor WIP sheet")
    orders: dict[str, tuple[DateOrder, str]] = {}
    for who in run.keys() | earlier.keys():
        shown_by = run.get(who) or earlier.get(who) or {}
        if len(shown_by) == 1:
            orders[who] = next(iter(shown_by.items()))
    return VendorPast(orders, latest)


def _orders_in(raws: Sequence[RawSheet], shown: str) -> list[tuple[DateOrder, str]]:
    """The orders one file's dates show (its name, then its cells), each with its first example."""
    found: dict[DateOrder, str] = {}
    name = raws[0].file if raws else shown
    file = f"'{shown}'" if shown == name else shown  # an attachment's label quotes its own name
    for m in _NAME_DATE.finditer(Path(name).stem):
        if (o := order_shown(m[1].replace("_", "-"))) is not None:
            found.setdefault(o, f"'{m[1]}' in the file name {file}" if shown == name else f"'{m[1]}' in {file}")
    for raw in raws:
        for row in raw.rows[:PAST_ROWS]:
            for v in row:
                if isinstance(v, str) and any(ch.isdigit() for ch in v):
                    for text in _NUMERIC_DATE.findall(v):
                        if (o := order_shown(text)) is not None:
                            found.setdefault(o, f"'{text}' in {file}")
    return list(found.items())


def _day(value: Any) -> date | None:
    try:
        return day_of(value)
    except (TypeError, ValueError):
        return None


STALE_REPORT_DAYS = 60
"""A report dated further back than this many days is named: most often a date read the other way round."""


def doubtful_report_date(found: ReportDate, order: DateOrder, vendor: str | None, file: str, *, today: date,
                         latest: date | None, po_date: date | None) -> Finding | None:
    """A report date before its lines' PO date, far in the past, or older than the vendor's latest report on
    the Vendor WIP sheet: its lines become history and raise no exception, so it is named with the date read
    and, for a date written in numbers, the other reading."""
    who = vendor or "VENDOR"
    day = found.day
    why = []
    if po_date is not None and day < po_date:
        why.append(f"before the PO date of its lines ({po_date:%d-%b-%y})")
    elif (today - day).days > STALE_REPORT_DAYS:
        why.append(f"{(today - day).days} days before today ({today:%d-%b-%y})")
    if latest is not None and day < latest:
        why.append(f"older than {who}'s latest report already on the Vendor WIP sheet ({latest:%d-%b-%y})")
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
    return warning(Code.WIP_REPORT_DATE, f"the report date in {found.place} ('{found.text}') reads as "
                   f"{day:%d-%b-%y}, {' and '.join(why)}: its lines were imported as an older report (history), "
                   f"which raises no exception where a newer report of the line exists. {check}", file=file,
                   sheet=file, row=found.row, value=found.text)


_DOTTED_TEXT = re.compile(r"(?<![\d.])\d{1,2}\.\d{1,2}\.\d{2,4}(?![\d.])")


_NUMERIC_DATE = re.compile(r"(?<![\d/.\-])\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})(?![\d/.\-])")


def _example(order: DateOrder) -> str:
    return "3 April" if order is DateOrder.DMY else "4 March"


def _single(values: set[Any]) -> Any:
    values.discard(None)
    return next(iter(values)) if len(values) == 1 else None


def _wip_sheets(raws: Sequence[RawSheet], config: Config, vendor: str | None
                ) -> tuple[list[tuple[RawSheet, Header]], list[str | None]]:
    """The file's report sheets: the one whose header names the most fields first (its vendor, report date
    and date order are the file's), then every other visible sheet with a PO and a style or colour column
    (a report split by product type). Hidden sheets only when no visible sheet is a report. And the hidden
    sheets that look like reports and are left out (last week's data), to be named: each header looked for
    once."""
    lookup = vendor_layout(config, vendor)
    found = [(raw, h) for raw in raws if (h := find_header(raw.rows, lookup, raw.merged, raw.hidden_columns))]
    shown = [(raw, h) for raw, h in found if not raw.hidden] or found
    if not shown:
        return [], []
    best = max(shown, key=lambda rh: _named(rh[1]))  # the first of the best, as the order of the sheets
    used = [best, *((raw, h) for raw, h in shown if raw is not best[0] and _is_report(h))]
    taken = {id(raw) for raw, _ in used}
    return used, [raw.sheet for raw, h in found if raw.hidden and id(raw) not in taken and _is_report(h)]


_MONTH_SHEET = re.compile(r"\s*(?:wip\s*)?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
                          r"(?:[\s\-_'’]*(\d{4}|\d{2}))?\s*(?:wip)?\s*", re.I)
_MONTH_NUMBER = {m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
                                                  "oct", "nov", "dec"))}


def _sheet_month(name: str | None, today: date) -> date | None:
    """The first day of the month a sheet is named for ('NOV', 'Dec 2026', 'DEC-26'); without a year, its
    latest start up to a week after ``today``."""
    m = _MONTH_SHEET.fullmatch(name or "")
    if m is None:
        return None
    month = _MONTH_NUMBER[m[1].lower()]
    if m[2]:
        return date(int(m[2]) + (2000 if len(m[2]) == 2 else 0), month, 1)
    year = today.year if date(today.year, month, 1) <= today + timedelta(days=FUTURE_REPORT_DAYS) else today.year - 1
    return date(year, month, 1)


def _latest_month(sheets: list[tuple[RawSheet, Header]], today: date
                  ) -> tuple[list[tuple[RawSheet, Header]], list[str | None]]:
    """A workbook with a sheet per month ('NOV', 'DEC'): the latest month's sheet is the report, the earlier
    ones last month's figures (to be named, not imported). Any other set of sheets as it is."""
    months = [_sheet_month(raw.sheet, today) for raw, _ in sheets]
    if len(sheets) < 2 or None in months or len(set(months)) < 2:
        return sheets, []
    latest = max(range(len(sheets)), key=lambda k: months[k])  # type: ignore[arg-type,return-value]
    return [sheets[latest]], [raw.sheet for k, (raw, _) in enumerate(sheets) if k != latest]


def _hidden_rows_note(raw: RawSheet, rows: Sequence[Mapping[str, Any]], file: str, other: bool
                      ) -> list[Finding]:
    """The vendor's hidden rows that were read: a filter hides valid lines, a vendor hides old ones, so they
    are imported like the others and named."""
    hidden = set(raw.hidden_rows)
    label = f"{file} > sheet '{raw.sheet}'" if other else file
    read = sorted(r["_row"] for r in rows if r["_row"] - 1 in hidden and r.get("_sheet", file) == label)
    if not read:
        return []
    shown = ", ".join(map(str, read[:8])) + (f" and {len(read) - 8:,} more" if len(read) > 8 else "")
    return [info(Code.WIP_SHEETS, f"row{'s' if len(read) > 1 else ''} {shown} of this file "
                 f"{'are' if len(read) > 1 else 'is'} hidden in it (filtered, or hidden by hand) and "
                 f"{'were' if len(read) > 1 else 'was'} imported like the others; if the vendor hid "
                 "old lines, ask for a report without them", file=file, sheet=label, row=read[0])]


_PROGRESS = frozenset({*_QTY, "fabric_status", "planned_xf", "revised_xf", "booking_status"})
"""What a WIP report tells beside PO, style and colour: quantities, progress, dates. A packing list (carton
numbers, pieces per carton) or a PO list has none of them."""


def _has_progress(header: Header) -> bool:
    """The header has a quantity, status or ex-factory column (even one in cartons, named on its own), or
    one left undecided between two columns."""
    return any(f in _PROGRESS for f in header.columns) or any(set(a.fields) & _PROGRESS for a in header.ambiguous)


def _not_a_report(raw: RawSheet, header: Header, config: Config, vendor: str | None) -> Finding:
    """A file (or sheet) with a PO column and no column a WIP report has, named so it is not looked for; with
    the header cells prodbook did not understand, and how to map them. When the team mapped this vendor's
    columns on the Config sheet, the file is meant as a report: a warning, not a note (0 lines and no word
    was the audit's finding 5)."""
    cells = ", ".join(f"'{t}'" for t in (_text(v) for v in raw.rows[header.first_row]) if t)[:200]
    unread = _unread_cells(raw, header)
    who = vendor or "VENDOR"
    listed = ", ".join(f"{column_letter(c)} '{t}'" for c, t in unread[:12])
    not_read = f"Columns not understood: {listed}. " if unread else ""
    where = {"file": raw.file, "sheet": raw.file, "row": header.first_row + 1, "value": cells}
    if has_own_layout(config, vendor):
        example = unread[0][1] if unread else "the vendor's header"
        return warning(Code.COLUMN_MISSING, f"not imported: the header in row {header.first_row + 1} has the PO "
                       "column you mapped on the Config sheet (or in prodbook.toml), but no column prodbook reads "
                       "as a quantity (cut, sewn, packed), an ex-factory date or a fabric or booking status, so no "
                       f"line could be read. {not_read}On the Config sheet, map each of them to its Vendor WIP "
                       f"column, e.g. 'WIP Column: {who} / Cut Qty' = {example} (the vendor's header text as it is "
                       "in the file), and import the file again", **where)
    return info(Code.COLUMN_MISSING, f"not a WIP report, so it was skipped: its header (row {header.first_row + 1}: "
                f"{cells}) has PO, style or colour columns but no quantity (cut, sewn, packed), ex-factory date "
                "or fabric or booking status (a packing list or a PO list?). If it is the vendor's WIP report, "
                f"map its columns on the Config sheet ('WIP Column: {who} / Cut Qty' = the vendor's header). "
                f"{not_read}".rstrip(), **where)


def _unread_cells(raw: RawSheet, header: Header) -> list[tuple[int, str]]:
    """The header's cells no field was read from, as (0-based column, text as the vendor wrote it: 'Cutting /
    Plan' for a two-row header)."""
    used = set(header.columns.values())
    out: dict[int, list[str]] = {}
    for r in range(header.first_row, header.data_start):
        for c, v in enumerate(raw.rows[r]):
            if c not in used and (t := _text(v)) and t not in out.get(c, []):
                out.setdefault(c, []).append(t)
    return [(c, " / ".join(texts)) for c, texts in sorted(out.items())]


def _is_report(header: Header) -> bool:
    return "po" in header.columns and ("style" in header.columns or "color" in header.columns)


def _no_po_column(raws: Sequence[RawSheet], config: Config, vendor: str | None) -> Finding:
    """No PO column: the error names the row that looks most like the header, and its cells."""
    lookup = vendor_layout(config, vendor)
    likely = max(((raw, h) for raw in raws if (h := headers.find_header(
        raw.rows, headers.WIP_VOCABULARY, (), lookup, merged=raw.merged, scan=HEADER_SCAN_ROWS,
        fold=normalise_header))), key=lambda x: len(x[1].assignment.found), default=None)
    file = raws[0].file if raws else "?"
    setting = f"'WIP Column: {vendor or 'VENDOR'} / PO #' = the vendor's header of the PO number"
    if likely is None:
        return error(Code.COLUMN_MISSING, "no header row with a PO column was found in the first rows of "
                     f"this file; map the vendor's headers on the Config sheet ({setting})", file=file)
    found = likely[1]
    cells = ", ".join(f"'{c.text}'" for c in found.cells[:12])
    return error(Code.COLUMN_MISSING, f"the header in row {found.data_start} ({cells}) has no column prodbook "
                 f"reads as the PO number, so the file was not imported; on the Config sheet, set {setting}",
                 file=file, sheet=file, row=found.data_start, value=cells[:200])


def _named(header: Header) -> int:
    return len(header.columns) + sum(len(a.fields) for a in header.ambiguous)


def _dedupe(rows: list[dict[str, Any]], findings: list[Finding], file: str, sheet: str | None
            ) -> list[dict[str, Any]]:
    """One row per PO line and report: a second row for the same line is reported, not added up; rows of
    one line's sizes (the file has a Size column) are added up into the line."""
    seen: dict[tuple, int] = {}
    sizes: dict[tuple, dict[str, int]] = {}
    out: list[dict[str, Any]] = []
    for r in rows:
        key = (fold_ref(r["po"]), fold_ref(r["style"]), r["color"].upper())
        size = r.pop("_size", None)
        if size and key in sizes and fold_text(size) not in sizes[key]:
            sizes[key][fold_text(size)] = r["_row"]
            _add_size(out[seen[key]], r)
            continue
        if size and key not in seen:
            sizes[key] = {fold_text(size): r["_row"]}
        if key in seen:
            first = out[seen[key]]["_row"]
            there = out[seen[key]].get("_sheet", file)
            if there != r.get("_sheet", file):  # another sheet of the file: named
                name = sheet if there == file else there.split(" > sheet ", 1)[-1].strip("'")
                first = f"{first} of sheet '{name}'"
            findings.append(warning(Code.WIP_DUPLICATE, f"PO line {r['po']} / {r['style']} / {r['color']} "
                                    f"is already reported in row {first}; this row was not imported "
                                    "(quantities are not added up). Ask the vendor which one is right",
                                    file=file, sheet=r.get("_sheet", file), row=r["_row"], value=r["_raw"]))
            continue
        seen[key] = len(out)
        out.append(r)
    for key, rows_of in sizes.items():
        if len(rows_of) > 1:
            line = out[seen[key]]
            findings.append(info(Code.WIP_SIZES, f"{len(rows_of)} size rows of PO line {line['po']} / "
                                 f"{line['style']} / {line['color']} (rows {', '.join(map(str, rows_of.values()))}) "
                                 "were added up into the line", file=file, sheet=file, row=line["_row"],
                                 value=line["_raw"]))
    return out


def _add_size(line: dict[str, Any], size: dict[str, Any]) -> None:
    """A size row's quantities added to its line; its dates and words where they differ: the line ships
    when its last size does."""
    for f in _QTY:
        if size.get(f) is not None:
            line[f] = (line.get(f) or 0) + size[f]
    for f in ("planned_xf", "revised_xf"):
        if size.get(f) is not None and (line.get(f) is None or size[f] > line[f]):
            line[f] = size[f]
    for f in ("fabric_status", "booking_status", "remarks", "ship_mode"):
        words = [w for w in (line.get(f), size.get(f)) if w]
        if words and (len(words) == 1 or fold_text(words[1]) not in fold_text(words[0])):
            line[f] = " / ".join(words)


def _size_column(raw: RawSheet, header: Header) -> int | None:
    """The column of a file that reports each size on its own row ('Size', 'Sizes')."""
    for r in range(header.first_row, header.data_start):
        for c, v in enumerate(raw.rows[r]):
            if c not in header.texts and normalise_header(_text(v)) in ("size", "sizes", "sz", "sizename"):
                return c
    return None


# --- the Vendor WIP sheet -----------------------------------------------------------------------

def wip_key(po: Any, style: Any, color: Any, report_date: Any) -> tuple[str, str, str, str]:
    d = report_date
    if isinstance(d, pd.Timestamp):
        d = d.date()
    if isinstance(d, datetime):
        d = d.date()
    return (fold_ref(po), fold_ref(style), fold_text(color),
            d.isoformat() if isinstance(d, date) else str(d or ""))


def scope_key(vendor: Any, report_date: Any) -> tuple[str, str]:
    return (fold_text(vendor), wip_key(None, None, None, report_date)[3])


def withdrawn_dates(new: Sequence[Mapping[str, Any]], old: pd.DataFrame
                    ) -> tuple[list[dict[str, Any]], list[Finding]]:
    """Rows whose Revised XF the vendor took back (a word of ``cells.not_yet``: 'TBA', 'TBC', 'to be confirmed',
    'pending'; or text that is no date, 'pending fabric') after an earlier report
    of the line gave one. Left blank, the line's xf-revised-later exception would close as solved and
    late-for-cancel fall back to the plan; so the last date the vendor gave is kept, said in Remarks, and
    named as a warning (file, row, column, value)."""
    given: dict[str, list[tuple[date, date, str]]] = {}  # line -> (report date, revised XF, source file)
    taken_back = {fold_ref(r.get("po")) for r in new if r.get("_withdrawn") and r.get("revised_xf") is None}
    if taken_back and {"po", "style", "color", "report_date", "revised_xf"} <= set(old.columns):
        mine = [p in taken_back for p in once_each(column_cells(old, "po"), fold_ref)]  # their POs' history only
        old = old[pd.Series(mine, index=old.index, dtype=bool)]  # (a plain empty list would pick no columns)
        for po, style, color, rep, xf, src in zip(old["po"], old["style"], old["color"], old["report_date"],
                                                  old["revised_xf"], old.get("source_file", old["po"])):
            if (d := _day(rep)) is not None and (x := _day(xf)) is not None:
                given.setdefault(line_key(po, style, color), []).append((d, x, text_or_empty(src)))
    rows: list[dict[str, Any]] = []
    findings: list[Finding] = []
    for r in new:
        row = dict(r)
        rows.append(row)
        if not row.get("_withdrawn") or row.get("revised_xf") is not None:
            continue
        value, column = row["_withdrawn"]
        now = _day(row.get("report_date"))
        earlier = [g for g in given.get(line_key(row["po"], row["style"], row["color"]), ())
                   if now is None or g[0] < now]
        if not earlier:
            continue
        rep, xf, src = max(earlier)
        who = row.get("vendor") or "the vendor"
        row["revised_xf"] = xf
        note = f"Revised XF '{value}' in this report; {xf:%d-%b-%y} kept from the {rep:%d-%b-%y} report"
        row["remarks"] = f"{row['remarks']} | {note}" if row.get("remarks") else note
        unread = any(ch.isdigit() for ch in _text(value))  # a date it wrote that cannot be read, not 'TBC'
        said, ask = (("prodbook cannot read it as a date. The date", "to write the date as 15-Jan-2027")
                     if unread else (f"it withdrew the date {xf:%d-%b-%y} its {rep:%d-%b-%y} report gave "
                                     f"('{src}'). That date", "for a new date"))
        if unread:
            said += f" {xf:%d-%b-%y} its {rep:%d-%b-%y} report gave ('{src}')"
        findings.append(warning(
            Code.BAD_DATE, f"{who} wrote '{value}' as the revised ex-factory of PO line {row['po']} / "
            f"{row['style']} / {row['color']}: {said} was kept in the Vendor WIP sheet (Revised XF, said in "
            f"Remarks), so the line's exceptions stay open; ask {who} {ask}", file=row.get("source_file"),
            sheet=row.get("_sheet") or row.get("source_file"), row=row.get("_row"), column=column, value=value))
    return rows, findings


def _replaced_sources(old_rows: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]
                      ) -> set[tuple[tuple[str, str], str]]:
    """The (vendor, report date) and source file pairs an import replaces whole: the files it sends again
    (the same name), and any other file of that vendor and day whose every PO line it reports again (a
    corrected re-send under a new name). A file of the same vendor and day that shares only some of its lines
    (a partial update) keeps the lines the import does not list (``merge_wip``); one sharing no line (another
    division's report) stays."""
    keys = {wip_key(r["po"], r["style"], r["color"], r["report_date"]) for r in new}
    out = {(scope_key(r["vendor"], r["report_date"]), fold_text(text_or_empty(r.get("source_file")))) for r in new}
    covered: dict[tuple[tuple[str, str], str], bool] = {}  # per other file of the day: every line reported again
    for r in old_rows:
        pair = (scope_key(r.get("vendor"), r.get("report_date")), fold_text(text_or_empty(r.get("source_file"))))
        if pair not in out:
            again = wip_key(r.get("po"), r.get("style"), r.get("color"), r.get("report_date")) in keys
            covered[pair] = covered.get(pair, True) and again
    return out | {pair for pair, every in covered.items() if every}


def _report_day(value: Any) -> str:
    return wip_key(None, None, None, value)[3]


def on_new_days(old: pd.DataFrame, new: Sequence[Mapping[str, Any]]) -> np.ndarray:
    """Which rows of the Vendor WIP sheet carry a report date of the import: the only rows it can replace or
    sit beside (``wip_key`` and ``scope_key`` hold the day). The rest is the season's history, weeks of every
    vendor's reports, looked at a distinct date at a time rather than a row at a time."""
    days = {_report_day(r.get("report_date")) for r in new}
    if "report_date" not in old.columns:
        return np.full(len(old), "" in days)
    return np.fromiter((d in days for d in once_each(column_cells(old, "report_date"), _report_day)), bool, len(old))


class Replacing(NamedTuple):
    """What an import replaces on the Vendor WIP sheet, worked out once for ``same_day_files`` and
    ``merge_wip``."""

    near: np.ndarray
    """Per old row: dated a report date of the import (``on_new_days``)."""
    replaced: set[tuple[tuple[str, str], str]]
    """The (vendor, report date) and source file pairs replaced whole (``_replaced_sources``)."""
    rows: list[dict[str, Any]]
    """The rows ``near`` marks, as dicts (``row_dicts``): made once, the only old rows looked at one by one."""


def replacing(old: pd.DataFrame, new: Sequence[Mapping[str, Any]]) -> Replacing:
    """What importing ``new`` replaces of ``old``."""
    near = on_new_days(old, new)
    rows = row_dicts(old[near])
    return Replacing(near, _replaced_sources(rows, new), rows)


def same_day_files(old: pd.DataFrame, new: Sequence[Mapping[str, Any]], plan: Replacing | None = None
                   ) -> list[Finding]:
    """For the run's summary: another file of the same vendor and report date already on the Vendor WIP sheet,
    and what this import did to its lines (``merge_wip``): replaced (a re-send), updated where this import
    lists them and kept where it does not (a partial update), or left beside (another report of the day),
    with how many. The note goes on the imported file that reports its lines again, not
    on the first file of that vendor and day: one e-mail often carries two reports of the day (two divisions,
    or a report and its correction), and the APM opens the file the note names."""
    if not new or old.empty:
        return []
    _, replaced, olds = plan or replacing(old, new)
    files: dict[tuple[tuple[str, str], str], tuple[Mapping[str, Any], set[tuple[str, str, str, str]]]] = {}
    for r in new:  # each imported file, in the order given: its first row and its lines
        key = (scope_key(r["vendor"], r["report_date"]), fold_text(text_or_empty(r.get("source_file"))))
        files.setdefault(key, (r, set()))[1].add(wip_key(r["po"], r["style"], r["color"], r["report_date"]))
    scopes = {s for s, _ in files}
    keys = set().union(*(lines for _, lines in files.values()))  # the lines ``merge_wip`` updates
    by_file: dict[tuple[tuple[str, str], str], list[Mapping[str, Any]]] = {}
    for r in olds:
        scope, name = scope_key(r.get("vendor"), r.get("report_date")), text_or_empty(r.get("source_file"))
        if scope in scopes and (scope, fold_text(name)) not in files:
            by_file.setdefault((scope, name), []).append(r)
    findings = []
    for (scope, name), rows in by_file.items():
        mine = [(first, lines) for (s, _), (first, lines) in files.items() if s == scope]
        lines_of = [wip_key(r.get("po"), r.get("style"), r.get("color"), r.get("report_date")) for r in rows]
        # the files that report its lines again (a corrected report under a new name), else the day's first
        sharing = [first for first, lines in mine if any(k in lines for k in lines_of)]
        first = sharing[0] if sharing else mine[0][0]
        who, day = first["vendor"], _day(first["report_date"])
        when = f"{day:%d-%b-%y}" if day else "the same day"
        kept = (scope, fold_text(name)) not in replaced
        again = sum(k in keys for k in lines_of)
        also = [f"'{r.get('source_file')}'" for r in sharing[1:]]
        these = f"this file and {', '.join(also)} report" if also else "this file reports"
        if kept and again:  # a partial update: the lines it does not list stay
            rest = len(rows) - again
            text = (f"{these} again {again} of the {len(rows)} lines of '{name}', {who}'s report of {when} on the "
                    f"Vendor WIP sheet: those {again} line(s) were updated (see the Change Log), and its other "
                    f"{rest} line(s), which {'none of them lists' if also else 'this file does not list'}, were "
                    f"kept. If {who} meant to drop them, delete the {rest} row(s) of the Vendor WIP sheet with "
                    f"Source File '{name}' and Report Date {when}; if not, nothing to do")
        elif kept:
            text = (f"'{name}', {who}'s other report of {when} on the Vendor WIP sheet, shares no PO line with this "
                    f"file: its {len(rows)} line(s) were kept beside this file's. If this file replaces it, delete "
                    "that file's rows from the Vendor WIP sheet")
        else:
            text = (f"{these} again lines of '{name}', {who}'s report of {when} on the Vendor WIP sheet, "
                    f"so {'they' if also else 'it'} replaced that report: {again} line(s) updated, "
                    f"{len(rows) - again} {'that none of them lists' if also else 'it no longer lists'} removed "
                    "(see the Change Log)")
        findings.append(info(Code.WIP_DUPLICATE, text, file=first.get("source_file"), value=name))
    return findings


class Merged(NamedTuple):
    """The Vendor WIP sheet after an import (``merge_wip``)."""

    rows: pd.DataFrame
    """Its rows in sheet order, with the sheet's fields."""
    source: list[int | None]
    """The old Excel row each came from (None: new)."""
    added: list[int]
    """Positions in ``rows`` of new lines."""
    removed: list[int]
    """Old positions removed."""
    updated: list[int]
    """Positions in ``rows`` of old rows that took this import's values (a report sent again)."""


def merge_wip(old: pd.DataFrame, new: Sequence[Mapping[str, Any]], plan: Replacing | None = None) -> Merged:
    """The Vendor WIP sheet after an import: each imported (vendor, report date) updates that vendor's rows
    for that date, file by file: a line the import reports again takes its values in place; a file sent again
    (the same name, or one whose every line the import reports: a corrected re-send) loses the lines it no
    longer lists; another file of the same vendor and day keeps the lines the import does not list (a partial
    update, or another division's report). Every other row (older reports: the history) stays where it is.

    Only the rows dated a report date of the import (``on_new_days``) are looked at one by one.
    """
    fields = list(VENDOR_WIP.fields)
    scopes = {scope_key(r["vendor"], r["report_date"]) for r in new}
    new_by_key = {wip_key(r["po"], r["style"], r["color"], r["report_date"]): r for r in new}
    near, replaced, olds = plan or replacing(old, new)
    # every row as a tuple of the sheet's fields, a column at a time (the history's rows are only copied)
    blank = [None] * len(old)
    out_rows: list[tuple[Any, ...]] = list(zip(*(column_cells(old, f) if f in old.columns else blank
                                                 for f in fields)))
    source: list[int | None] = [int(r) for r in old["_row"]] if len(old) else []
    used: set[tuple] = set()
    removed: list[int] = []
    updated: list[int] = []
    gone: set[int] = set()
    r: Mapping[str, Any]
    for pos, r in zip(np.flatnonzero(near).tolist(), olds):
        scope = scope_key(r.get("vendor"), r.get("report_date"))
        if scope not in scopes:
            continue
        key = wip_key(r.get("po"), r.get("style"), r.get("color"), r.get("report_date"))
        if key in new_by_key and key not in used:  # a line the import reports again takes its values
            used.add(key)
            updated.append(pos)
            out_rows[pos] = tuple(new_by_key[key].get(f) for f in fields)
        elif (scope, fold_text(text_or_empty(r.get("source_file")))) in replaced:  # a re-send no longer lists it
            removed.append(pos)
            gone.add(pos)
    if gone:  # positions in the sheet after the rows removed
        at = np.cumsum([p not in gone for p in range(len(old))]) - 1
        updated = [int(at[p]) for p in updated]
        out_rows = [t for p, t in enumerate(out_rows) if p not in gone]
        source = [s for p, s in enumerate(source) if p not in gone]
    added = []
    for key, r in new_by_key.items():
        if key not in used:
            added.append(len(out_rows))
            out_rows.append(tuple(r.get(f) for f in fields))
            source.append(None)
    return Merged(pd.DataFrame(out_rows, columns=fields), source, added, removed, updated)


def latest_reports(wip: pd.DataFrame) -> pd.DataFrame:
    """The newest reported row of each PO line (by Report Date), with ``_key`` = folded PO/style/colour."""
    if wip.empty:
        return wip.assign(_key=pd.Series(dtype="string"))
    frame = wip.copy()
    frame["_key"] = [line_key(p, s, c) for p, s, c in zip(frame["po"], frame["style"], frame["color"])]
    frame["_date"] = pd.to_datetime(frame["report_date"], errors="coerce")
    frame = frame.sort_values("_date", kind="stable").drop_duplicates("_key", keep="last")
    return frame.drop(columns="_date").reset_index(drop=True)
