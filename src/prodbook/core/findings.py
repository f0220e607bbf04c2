"""One Finding type for every job: what is wrong, where, and what to do.

Jobs return findings instead of raising; the shell writes them to the Issues
sheet, prints them, or turns them into exit codes. Codes are stable (an Enum)
so a team can filter on them in Excel and tests can assert on them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

import pandas as pd


class Severity(StrEnum):
    """How much a finding matters. ``error`` makes the command exit 1."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Code(StrEnum):
    """Stable finding codes. Never renumber or reuse one: teams filter on them."""

    # input / workbook
    SHEET_MISSING = "sheet-missing"
    COLUMN_MISSING = "column-missing"
    BAD_DATE = "bad-date"
    BAD_NUMBER = "bad-number"
    BAD_VALUE = "bad-value"
    ERROR_VALUE = "excel-error-value"
    REQUIRED = "required-missing"
    DUPLICATE_KEY = "duplicate-key"
    FORMULA_TEXT = "formula-looking-text"
    SETTING = "bad-setting"
    HEADER_ADDED = "header-added"
    DATE_YEAR_UNLIKELY = "date-year-unlikely"
    """An order date years from today: a typo or a placeholder such as 31-Dec-9999."""
    DATE_NOT_YET = "date-not-yet"
    """An order date typed as not known yet ('TBC', 'TBA', 'to be confirmed': ``cells.not_yet``): read as blank,
    the line planned without it. A warning, not a bad date: the team meant it."""
    # calendars
    CALENDAR = "calendar"
    NO_HOLIDAY_DATA = "no-holiday-data"
    UNKNOWN_VENDOR = "unknown-vendor"
    # T&A templates
    TEMPLATE_CYCLE = "template-cycle"
    TEMPLATE_ANCHOR = "template-unknown-anchor"
    TEMPLATE_DUPLICATE_CODE = "template-duplicate-code"
    TEMPLATE_UNUSED = "template-unused"
    TEMPLATE_MISSING = "template-missing"
    STYLE_NO_TEMPLATE = "style-no-template"
    STYLE_UNKNOWN = "style-unknown"
    COLOR_UNKNOWN = "color-unknown"
    STYLE_LOCK_SUSPENDED = "adopted-style-back-in-development"
    ANCHOR_DATE_MISSING = "anchor-date-missing"
    TEMPLATE_ROW_INVALID = "template-row-invalid"
    # T&A results
    XF_AFTER_CANCEL = "xf-after-cancel"
    """Retired: the cancel check is LATE_FOR_CANCEL, judged on the order's terms."""
    LATE_FOR_CANCEL = "late-for-cancel"
    TERMS_UNKNOWN = "terms-unknown"
    ROWS_ARCHIVED = "rows-archived"
    COLOR_RENAMED = "color-renamed"
    """One colour of a PO and style left Orders and one new colour came in the same run: perhaps renamed."""
    COLOR_SPLIT = "color-split-at-separator"
    """An Orders colour with a comma (';', '/') in its name, read on Styles Colors as two colours."""
    ROWS_RESTORED = "rows-restored"
    LOG_ROWS_MOVED = "change-log-rows-moved"
    FILE_PAST_LIMITS = "file-past-size-limits"
    """The workbook just written is larger than the next run will read: the setting to raise."""
    LINK_BY_PLACE = "formula-reads-a-moved-row"
    """A formula of the team's reads one cell of a sheet the run rebuilt, where the run put another row."""
    NOT_WRITABLE = "workbook-not-writable"
    """A dry run on a workbook its owner guarded (a password to modify, marked as final): the run would stop."""
    TA_STALE = "ta-rows-stale"
    TEMPLATE_CHANGED = "ta-template-changed"
    """A template step changed since the last run: Planned moved on running lines, done milestones re-judged."""
    MILESTONE_ADDED = "ta-milestone-added"
    """A milestone new in a template, put on PO lines already planned (often already past due)."""
    MILESTONE_REMOVED = "ta-milestone-removed"
    """A milestone gone from a template took rows with Actuals or Notes to the archive (a renamed code?)."""
    GENERATED_TYPED_OVER = "ta-generated-typed-over"
    """A date typed into Planned, Forecast or Status (prodbook's columns) that the run replaced."""
    ACTUAL_IN_FUTURE = "actual-in-future"
    LINE_CANCELLED = "po-line-cancelled"
    """A PO line read as cancelled from a Qty of 0 (Line Status blank): not planned, said at its Qty cell."""
    LINE_ON_HOLD = "po-line-on-hold"
    """PO lines whose Line Status says on hold: still planned, named once so the APM knows."""
    # vendor WIP import
    WIP_FILE = "wip-file-unreadable"
    WIP_ENCODING = "wip-file-encoding"
    """A vendor CSV that does not say which characters it holds (not UTF-8): how it was read."""
    WIP_UNMATCHED = "wip-unmatched"
    WIP_AMBIGUOUS = "wip-ambiguous"
    WIP_DUPLICATE = "wip-duplicate-line"
    WIP_SPLIT = "wip-split-shipment"
    """Rows of one PO line that are the parts of a split shipment (other mode or date, adding up to the order):
    read as the line, the figures added up."""
    WIP_VENDOR = "wip-vendor-unknown"
    WIP_REPORT_DATE = "wip-report-date-assumed"
    WIP_REPORT_OLDER = "wip-report-older"
    """A report dated before its vendor's latest report on the Vendor WIP sheet: imported as history, named until
    the APM decides (an older prodbook wrote it as WIP_REPORT_DATE: ``open_findings.RECODED``)."""
    WIP_SHEETS = "wip-sheets"
    """Which sheets of a vendor workbook were read as WIP reports, and hidden ones that were not."""
    WIP_SIZES = "wip-size-rows-added"
    """A vendor file that reports each size on its own row: the sizes of a PO line added up."""
    WIP_DOZENS = "wip-qty-in-dozens"
    """A vendor's quantity column counted in dozens ('Order Qty (Dzn)'): read as pieces, x12."""
    WIP_DATE_ORDER = "wip-date-order"
    """How a vendor file writes 03/04/2027, when its own dates say so against the Config sheet."""
    DATE_ORDER = "date-order"
    """Text dates of one tracker column written day first and month first: 03/04 read by Config Date Order."""
    WIP_HEADER = "vendor-header-undecided"
    """Two columns of a vendor file fit one field equally well (or one column two fields): not guessed."""
    VENDOR_FORMULA = "vendor-formula-without-value"
    # exception rules (the Exceptions sheet's Rule column)
    XF_REVISED_LATE = "xf-revised-later"
    XF_DATE_PASSED = "revised-xf-passed"
    """The vendor's own Revised XF has gone by and the line is neither shipped nor fully packed."""
    VENDOR_DATE_AHEAD = "vendor-date-before-forecast"
    """The vendor's ex-factory is on time for cancel, but the T&A's forecast (late milestones upstream) is not."""
    IN_DC_LATE = "in-dc-late"
    SHIP_WINDOW_MISSED = "ship-window-missed"
    PRODUCTION_BEHIND = "production-behind"
    FABRIC_NOT_IN_HOUSE = "fabric-not-in-house"
    BOOKING_NOT_CONFIRMED = "booking-not-confirmed"
    SHIP_MODE_CHANGED = "ship-mode-changed"
    SHIP_QTY_OFF = "ship-qty-off-tolerance"
    WIP_STALE = "wip-stale"
    WIP_QTY_INCONSISTENT = "wip-qty-inconsistent"
    CANCELLED_LINE_IN_WIP = "cancelled-line-in-production"
    """A vendor's WIP report shows production moving on a PO line cancelled on Orders (or of a dropped style)."""
    WIP_MESSAGE = "wip-message-note"
    """A saved e-mail with no WIP report attached, or attachments that are not WIP reports."""
    # follow-ups
    VENDOR_NO_EMAIL = "vendor-no-email"
    BAD_ADDRESS = "bad-email-address"
    FILE_NOT_WRITTEN = "file-not-written"
    # style profiles (issue 5)
    FIBER_UNREADABLE = "fiber-unreadable"
    FIBER_TOTAL = "fiber-total-not-100"
    FIBER_NAME = "fiber-not-generic-name"
    FIBER_ORDER = "fiber-not-descending"
    HTS_FORMAT = "hts-format"
    HTS_CHAPTER = "hts-chapter-vs-construction"
    HTS_FIBER = "hts-heading-vs-fiber"
    COO_UNKNOWN = "coo-not-a-country"
    COO_VENDOR = "coo-vs-vendor-country"
    PRICE = "price-implausible"
    SIZE_RANGE = "size-range-unknown"
    STATUS_UNKNOWN = "style-status-unknown"
    ADOPTED_CHANGED = "adopted-style-changed"
    # lab dips and samples (issue 5)
    LAB_DIP_LATE = "lab-dip-not-approved-by-milestone"
    LAB_DIP_BULK = "no-approved-lab-dip-by-bulk-fabric"
    LAB_DIP_DATES = "lab-dip-dates"
    LAB_DIP_ROUNDS = "lab-dip-rounds"
    SAMPLE_DUE = "sample-due-vs-ta"
    SAMPLE_LATE = "sample-late"
    SAMPLE_TRACKING = "sample-tracking"
    LINE_REVIEW = "line-review-proto-missing"
    CUSTOMS_SAMPLE = "customs-sample-needed"
    CUSTOMS_FACT = "customs-fact-missing"
    # discrepancies: vendor vs tracker (issue 5)
    DIFF_STYLE = "vendor-style-unknown"
    DIFF_COLOR = "vendor-color-name"
    DIFF_QTY = "vendor-qty-differs"
    DIFF_FOB = "vendor-fob-differs"
    DIFF_FIBER = "vendor-fiber-differs"
    DIFF_COO = "vendor-coo-differs"
    DIFF_HTS = "vendor-hts-differs"
    DIFF_XF = "vendor-ex-factory-differs"
    FIX_NOT_APPLIED = "fix-not-applied"
    # undo
    UNDO_KEPT = "undo-kept-for-user"
    """Undo left a value or a row as it is: the user changed it since the run (or the log cannot say)."""
    # runner
    INTERNAL = "internal-error"
    # the season across trackers (store/)
    TRACKER_NOT_LOADED = "rollup-tracker-not-loaded"
    """A tracker the roll-up could not load: nothing of it went into the database (its last good load stays)."""
    TRACKER_TWICE = "rollup-tracker-twice"
    """One tracker that may be in the roll-up twice (its own synced copy per colleague), or two under one id."""
    DATABASE = "rollup-database"


@dataclass(frozen=True)
class Fix:
    """A second opinion on a finding's cell, and what the Issues sheet's Accept column would do."""

    other: Any
    """The value found elsewhere (the vendor's file, the Vendor WIP sheet, the T&A...)."""
    source: str
    """Where ``other`` comes from, in words: "costing.xlsx row 4"."""
    proposed: Any = None
    """The value Accept writes into the finding's cell; None: nothing to write (see the message)."""


@dataclass(frozen=True)
class Subject:
    """What an exception is about: a PO line (PO, style, colour, and its vendor) or, for a vendor rule
    (a stale WIP report), the vendor alone. The Exceptions sheet keeps one row per rule and subject."""

    po: str | None = None
    style: str | None = None
    color: str | None = None
    vendor: str | None = None

    @property
    def key(self) -> str | None:
        """"4500000001 / S1 / Navy", or the vendor."""
        return " / ".join(v for v in (self.po, self.style, self.color) if v) or self.vendor


@dataclass(frozen=True)
class Finding:
    """A thing the APM should know about, with the exact place it was found.

    ``row`` is the Excel row number (1-based) and ``column`` the header text as
    it appears in the user's sheet, so the message can be followed in Excel.
    """

    code: Code
    severity: Severity
    message: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    key: str | None = None
    value: Any = None
    fix: Fix | None = None
    """Another source's value and a proposed correction (discrepancies)."""
    found_in: str | None = None
    """The file given to the run this was read from, when it is not where the finding points (a costing
    sheet's FOB against the Styles cell): the Issues sheet keeps the finding until a run reads that file
    again."""
    subject: Subject | None = None
    """For an exception (the Exceptions sheet's rules): the PO line or vendor it is about, field by field
    (``key`` is the same in words). Not part of ``to_dict``: the Issues table and --json show ``key``."""

    @property
    def where(self) -> str:
        """Place in words: "Orders row 12, column 'Ex-Factory'"."""
        parts = []
        if self.file and not self.sheet and not names_file(self.message, self.file):
            parts.append(f"file '{self.file}'")
        if self.sheet and self.sheet == self.file:  # a vendor file: its findings name the file where a sheet goes
            parts.append(f"file '{self.file}'")
        elif self.sheet and self.file and self.sheet.startswith(f"{self.file} > "):  # a vendor file's sheet
            parts.append(f"file '{self.file}' > {self.sheet[len(self.file) + 3:]}")
        elif self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:  # a header typed over two lines ('Ex-Fty' / 'Date') is said on one, as Excel shows it
            parts.append(f"column '{' '.join(self.column.split())}'")
        return ", ".join(parts)

    @property
    def where_with_file(self) -> str:
        """``where`` that names the workbook too, for a line read away from it (the terminal, a log), where one
        run speaks of the tracker and of several vendor files: "file 'tracker.xlsx' > sheet 'Orders', row 12,
        column 'Ex-Factory'". A vendor file's own place (and a place with no sheet) names its file already; a
        CSV's one sheet, which Excel names after the file, is not named twice."""
        where = self.where
        if not self.file or not self.sheet or self.sheet == self.file or self.sheet.startswith(f"{self.file} > "):
            return where
        if self.file.lower().endswith(".csv") and self.sheet == self.file[:-4]:
            return where.replace(f"sheet '{self.sheet}'", f"file '{self.file}'", 1)
        return f"file '{self.file}' > {where}"

    def text(self) -> str:
        """One line for the terminal or a log."""
        where = self.where_with_file
        value = f" (value: {shown(self.value)})" if shown(self.value) else ""
        return f"{self.severity.upper()}: {where + ': ' if where else ''}{self.message}{value}"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        del d["subject"]
        d["code"] = str(self.code)
        d["severity"] = str(self.severity)
        if d["value"] is not None and not isinstance(d["value"], (int, float, str, bool)):
            d["value"] = str(d["value"])
        return d


def names_file(message: str, file: str) -> bool:
    """Whether ``message`` names ``file`` whole, in quotes ('x.xls', not the 'x.xlsx' that contains it): then
    ``Finding.where`` need not name it again."""
    return f"'{file}'" in message or f'"{file}"' in message


def shown(value: Any) -> str:
    """A cell value as the APM would type it: 2027-03-01, 1200 (not 1200.0), blank for an empty cell."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        if value.time() == time():
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def error(code: Code, message: str, **where: Any) -> Finding:
    return Finding(code, Severity.ERROR, message, **where)


AFTER_THE_WRITE = frozenset({Code.FILE_PAST_LIMITS, Code.LINK_BY_PLACE})
"""Warnings found once the workbook is written, so not on its Issues sheet: said in full where a run is told."""


def warning(code: Code, message: str, **where: Any) -> Finding:
    return Finding(code, Severity.WARNING, message, **where)


def info(code: Code, message: str, **where: Any) -> Finding:
    return Finding(code, Severity.INFO, message, **where)


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)


def findings_frame(findings: Iterable[Finding]) -> pd.DataFrame:
    """All findings of a run as one table (the Issues sheet's shape)."""
    rows = [f.to_dict() for f in findings]
    columns = ["code", "severity", "message", "file", "sheet", "row", "column", "key", "value"]
    return pd.DataFrame(rows, columns=columns)


class UserError(Exception):
    """Input or command is wrong: nothing was written. The CLI prints it and exits 2."""

    def __init__(self, message: str, *, file: str | None = None, sheet: str | None = None,
                 row: int | None = None, column: str | None = None, value: Any = None) -> None:
        self.finding = Finding(Code.BAD_VALUE, Severity.ERROR, message, file=file, sheet=sheet,
                               row=row, column=column, value=value)
        super().__init__(self.finding.text())
