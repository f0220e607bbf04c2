"""Settings: the Config sheet, optionally a TOML file beside the workbook.

Teams keep their own sheet names and headers; the mapping lives here so the
same tracker works from Excel and from the command line. The Config sheet
wins over the TOML file, which wins over the defaults.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from prodbook.core.cells import CellError, DateOrder, is_missing, setting_number, text_or_empty, to_int, to_text
from prodbook.core.findings import Code, Finding, warning
from prodbook.core.limits import SETTINGS as LIMIT_SETTINGS
from prodbook.core.limits import Limits, setting_field, with_setting
from prodbook.core.looks import DATE_PARTS, DEFAULT_DATE_FORMAT, date_format_lacks
from prodbook.core.model.sheets import ALL_SHEETS, ARCHIVE_SUFFIX, normalise_header, other_unit

T = TypeVar("T", int, float)


class FunctionErrors(StrEnum):
    """Config 'Function Errors': how the spreadsheet functions (=TA_DUE()...) show an error."""

    TEXT = "Text"
    """The error as text with its reason, '#VALUE! offset must be a number (got 'abc')' (the default)."""
    EXCEL = "Excel"
    """Excel's own error value (#VALUE!), which IFERROR and ISERROR see; =PRODBOOK_WHY(cell) gives the reason."""


@dataclass(frozen=True)
class Config:
    date_order: DateOrder = DateOrder.MDY
    """How ambiguous text dates such as 03/04/2027 are read."""
    due_soon_days: int = 7
    """A milestone due within this many calendar days is 'Due soon'."""
    ex_factory_code: str = "XF"
    """The template code of the ex-factory milestone (checked against the cancel date)."""
    date_format: str = DEFAULT_DATE_FORMAT
    """How every date prodbook writes is shown: the sheets' number format, the e-mails, the HTML report."""
    backups_to_keep: int = 20
    """Config 'Backups To Keep': how many of the workbook's backups stay in 'prodbook backups', 1 or more."""
    transit_days_air: int = 7
    """Config 'Transit Days Air': ex-factory to DC by air (the exception rules and the recovery options)."""
    air_cost_per_unit: float = 2.5
    """Config 'Air Cost per Unit' (USD): what air freight costs per unit more than sea. A rule of thumb for
    a garment (sea about 0.30-0.60 a unit, air 4-8 times that); put your forwarder's rate here."""
    shift_cost_per_day: float = 0.0
    """Config 'Extra Shift Cost per Day' (USD): one extra factory working day (overtime, a Saturday shift).
    0: not priced (usually the vendor's cost when the delay is theirs); the options give the days."""
    on_time_tolerance_days: int = 0
    """Config 'On-Time Tolerance Days': a shipment this many days after the planned ex-factory still
    counts as on time on the vendor scorecard."""
    dismiss_days: int = 7
    """Config 'Dismiss Days': how many days later than when it was dismissed a problem may run before its Issues
    row asks again (``open_findings.GRACE_DAYS``, the default)."""
    function_errors: FunctionErrors = FunctionErrors.TEXT
    """Config 'Function Errors': the spreadsheet functions' errors as text with the reason, or as Excel's."""
    sheet_names: dict[str, str] = field(default_factory=dict)
    """Default sheet name -> the team's sheet name."""
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    """Default sheet name -> {default header -> the team's header}."""
    extra: dict[str, str] = field(default_factory=dict)
    """Every other setting, by name, for jobs that define their own."""
    limits: Limits = field(default_factory=Limits)
    """What prodbook agrees to unpack from one file (Max Unpacked MB...). The tracker's own limits come
    from prodbook.toml only: they must be known before its Config sheet is read."""

    def sheet(self, default_name: str) -> str:
        return self.sheet_names.get(default_name, default_name)

    def get(self, name: str, default: Any = None) -> Any:
        return self.extra.get(name.strip().lower(), default)


SETTING_NAMES = ("Date Order", "Date Format", "Due Soon Days", "Ex-Factory Code", "Backups To Keep",
                 "Transit Days Air", "Air Cost per Unit", "Extra Shift Cost per Day", "On-Time Tolerance Days",
                 "Dismiss Days", "Function Errors", "CSV Encoding", "Season", "Division", "Tracker ID",
                 *(name for name, _, _ in LIMIT_SETTINGS),
                 "Sheet: <default sheet name>", "Column: <sheet> / <default header>")


KNOWN_SETTINGS = (
    *(n for n in SETTING_NAMES if ":" not in n), "Default Terms",
    # exception rules (core.exceptions)
    "Booking Confirm Days", "Ship Tolerance %", "WIP Stale Days", "Production Behind Points", "Transit Days Sea",
    "Cut Code", "Sew Code", "Pack Code", "Fabric Code", "Booking Code", "In-DC Code",
    # development (lab dips, samples, style profiles)
    "Lab Dip Transit Days", "Lab Dip Review Days", "Lab Dip Resubmit Days", "Lab Dip Approval Code",
    "Bulk Fabric Code", "Line Review Date", "Courier Days", "Sample Milestones", "Line Review Statuses",
    "Ruling Blend %", "Adopted Statuses", "Locked Fields", "Size Ranges", "Min Margin %", "Max Margin %",
    # follow-ups, report, the add-in's WIP import
    "Vendor Owners", "Sender Email", "Signature", "Draft Days To Keep", "Report Milestones", "WIP Folder",
    "WIP Outlook Folder", "WIP Outlook Days")
"""Every setting name prodbook reads (a test keeps it in step with the code): a name typed nearly so
('Due Son Days') is named, rather than left to do nothing."""
KNOWN_PREFIXES = ("sheet:", "column:", "wip column:", "wip vendor:", "wip date order:", "required:")
"""Settings named with a part of their own after the colon ('WIP Vendor: NBT*')."""


def _near_setting(folded: str) -> str | None:
    """The known setting a name not known reads nearly as (a typo), or None."""
    known = {k.lower(): k for k in KNOWN_SETTINGS}
    if folded in known or folded.startswith(KNOWN_PREFIXES):
        return None
    near = difflib.get_close_matches(folded, list(known), n=1, cutoff=0.8)
    return known[near[0]] if near else None


_TYPED: dict[str, tuple[str, type]] = {
    "transit days air": ("transit_days_air", int), "air cost per unit": ("air_cost_per_unit", float),
    "extra shift cost per day": ("shift_cost_per_day", float),
    "on-time tolerance days": ("on_time_tolerance_days", int), "dismiss days": ("dismiss_days", int)}
"""Numeric settings with a typed field: folded name -> (field, type)."""


TOML_NAME = "prodbook.toml"
"""The settings file beside a workbook (``workbook/toml_settings.py``)."""


def pairs_from_toml(text: str) -> list[tuple[str, Any]]:
    """The settings of a prodbook.toml, as (Config sheet setting name, value) pairs.

    Raises ``tomllib.TOMLDecodeError`` for a file that is not TOML, ``ValueError`` (a sentence for the
    APM) for one whose sections are not laid out as prodbook reads them."""
    data = tomllib.loads(text)
    pairs: list[tuple[str, Any]] = list(_section(data, "settings").items())
    pairs += [(f"Sheet: {k}", v) for k, v in _section(data, "sheets").items()]
    for sheet, cols in _section(data, "columns").items():
        pairs += [(f"Column: {sheet} / {k}", v) for k, v in _table(cols, f"columns.{sheet}").items()]
    for vendor, cols in _section(data, "wip_columns").items():  # vendor WIP layouts
        pairs += [(f"WIP Column: {vendor} / {k}", v) for k, v in _table(cols, f"wip_columns.{vendor}").items()]
    pairs += [(f"WIP Vendor: {k}", v) for k, v in _section(data, "wip_vendors").items()]
    return pairs


def _section(data: dict[str, Any], name: str) -> dict[str, Any]:
    return _table(data.get(name) or {}, name)


def _table(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        example = {"columns": "[columns.Orders] with a line such as Qty = \"Units\"",
                   "wip_columns": "[wip_columns.BD1] with a line such as \"Cut Qty\" = \"CUTTING PCS\""}
        raise ValueError(f"[{name}] should be a section of settings, such as "
                         f"{example.get(name.split('.')[0], f'[{name}] on a line of its own, then name = value lines')}"
                         f"; it holds {value!r}")
    return value


def build_config(pairs: list[tuple[str, Any, int | None]], source: str) -> tuple[Config, list[Finding]]:
    """Settings from (name, value, row) triples; unknown names are kept for other jobs."""
    findings: list[Finding] = []
    kw: dict[str, Any] = {"sheet_names": {}, "headers": {}, "extra": {}, "limits": Limits()}
    for name, value, row in pairs:
        if is_missing(value):  # a blank read as NaN: the setting is empty, as typed
            value = None
        where = ({"file": source, "sheet": "Config", "row": row, "column": "Value", "value": value} if row
                 else {"file": TOML_NAME, "key": text_or_empty(name), "value": value})
        key = text_or_empty(name)  # a Setting cell showing #REF! reads as blank: validation names it
        if not key:
            continue
        folded = key.lower()
        try:
            if folded == "date order":
                text = (to_text(value) or "MDY").upper().replace("/", "").replace("-", "").replace(" ", "")
                if text not in DateOrder.__members__:
                    raise ValueError(f"'{value}' is not a date order: type MDY (03/04/2027 is 4 March) or DMY "
                                     "(03/04/2027 is 3 April)")
                kw["date_order"] = DateOrder(text)
            elif folded == "date format":
                fmt = to_text(value)
                if fmt and (lacks := date_format_lacks(fmt)):
                    raise ValueError(_date_format_refused(fmt, lacks))
                kw["date_format"] = fmt or DEFAULT_DATE_FORMAT
            elif folded == "due soon days":
                if value not in (None, ""):
                    days = within_days(to_int(value), value)
                    if days is None or days < 0:  # -3 would make nothing ever Due soon, silently
                        raise ValueError(f"'{value}' should be a number of days, 0 or more")
                    kw["due_soon_days"] = days
            elif folded == "function errors":
                kw["function_errors"] = function_errors(value)
            elif folded == "ex-factory code":
                kw["ex_factory_code"] = to_text(value) or "XF"
            elif folded == "backups to keep":
                kw["backups_to_keep"] = backups_to_keep(value)
            elif folded in _TYPED:
                name, kind = _TYPED[folded]
                if value not in (None, ""):
                    number = setting_number(value)
                    if number is None or number < 0:
                        raise ValueError(f"'{value}' should be a number, 0 or more")
                    if kind is float and number >= MAX_COST:
                        raise ValueError(f"'{value}' is more than a cost prodbook prices with; type at most "
                                         f"{MAX_COST - 1:,.0f} (USD)")
                    kw[name] = within_days(int(number), value) if kind is int else float(number)
            elif (limit := setting_field(key)) is not None:
                kw["limits"] = with_setting(kw["limits"], limit, to_int(value))
            elif folded.startswith(("sheet:", "column:")):
                if (theirs := to_text(value)) is None:  # a blank name: the default name applies, as unset
                    continue
                sheet, _, header = key.split(":", 1)[1].partition("/")
                default, problem = _mapped(sheet.strip(), header.strip() if folded.startswith("column:") else None)
                if default is None:
                    findings.append(warning(Code.SETTING, f"setting '{key}' is not used: {problem}",
                                            **{**where, "column": "Setting", "value": key}))
                elif folded.startswith("sheet:"):
                    kw["sheet_names"][default] = theirs
                else:
                    kw["headers"].setdefault(default, {})[header.strip()] = theirs
                    findings += _unit_mapped(default, header.strip(), theirs, sheet.strip(), row, where)
            else:
                kw["extra"][folded] = value
                if (meant := _near_setting(folded)) is not None:
                    findings.append(warning(Code.SETTING, f"setting '{key}' is not one prodbook reads; did you "
                                            f"mean '{meant}'? Correct the name; until then it does nothing",
                                            **{**where, "column": "Setting", "value": key}))
        except (CellError, ValueError) as exc:
            applies = _DEFAULT_SAID.get(folded, "the default applies")
            findings.append(warning(Code.SETTING, f"setting '{key}' cannot be used ({exc}); {applies} until the "
                                    "value is corrected", **where))
    return Config(**kw), findings


_DEFAULT_SAID = {"backups to keep": f"prodbook keeps the newest {Config.backups_to_keep} backups (the default)"}
"""What a refused setting's default means, where "the default applies" would leave the APM asking what it is."""


def backups_to_keep(value: Any) -> int:
    """Config 'Backups To Keep': a whole number, 1 or more; blank is the default (20).

    Raises:
        ValueError: 0, a negative number (until 2026-12-08 taken without a word: 0 kept 20 backups, -1 one).
        CellError: text, a fraction, a TRUE/FALSE value.
    """
    keep = to_int(value)
    if keep is None:
        return Config.backups_to_keep
    if keep < 1:
        raise ValueError(f"'{value}' should be a number of backups, 1 or more: prodbook always keeps the backup "
                         "made before its latest write")
    return keep


def _date_format_refused(fmt: str, lacks: list[str]) -> str:
    """Why a Date Format is refused and what to type instead, in Excel's letters."""
    why = "is not a date format" if len(lacks) == len(DATE_PARTS) else f"has no {' or '.join(lacks)}"
    return (f"'{fmt}' {why}; type one with the day, the month and the year, e.g. {DEFAULT_DATE_FORMAT} or "
            "dd/mm/yyyy: d or dd is the day (dddd is the weekday), m, mm or mmm the month, yy or yyyy the year")


def function_errors(value: Any) -> FunctionErrors:
    """Config 'Function Errors': Text or Excel in any case; blank is Text.

    Raises:
        ValueError: Any other value, with the two to type.
    """
    text = (to_text(value) or "").strip()
    found = next((m for m in FunctionErrors if m.value.lower() == text.lower()), None) if text else \
        FunctionErrors.TEXT
    if found is None:
        raise ValueError(f"'{value}' is not one of its two values: type Text (the reason in the cell, such as "
                         "'#VALUE! offset must be a number') or Excel (Excel's own error value, which IFERROR "
                         "and ISERROR see; =PRODBOOK_WHY(cell) gives the reason)")
    return found


def _unit_mapped(default: str, header: str, theirs: str, sheet: str, row: int | None,
                 where: dict[str, Any]) -> list[Finding]:
    """A 'Column:' line naming, for a column with a unit (Qty in pieces, FOB in US dollars), a header that gives
    another ('Qty (Dzn)', 'FOB (EUR)'): the line is the team's word and is read, but every number of that column
    would be wrong by the dozen or the exchange rate. One warning at the line, with what to do."""
    spec = next((s for s in ALL_SHEETS if s.name == default), None)
    col = next((c for c in spec.columns if normalise_header(c.header) == normalise_header(header)), None) \
        if spec is not None else None
    unit = other_unit(col, theirs) if col is not None else None
    if col is None or unit is None:
        return []
    line = (f"the Config line 'Column: {sheet} / {header}' = '{theirs}'" if row
            else f"the line \"{header}\" = \"{theirs}\" under [columns.{sheet}] in {TOML_NAME}")
    if col.unit == "pcs":
        per = {"dozens": " (a dozen is 12: every quantity read 12 times short)",
               "gross": " (a gross is 144)", "thousands": " (every quantity read a thousand times short)"}
        how = " (the dozens times 12: a formula such as =D5*12, filled down)" if unit == "dozens" else ""
        said = (f"{line} reads {col.header} from a column in {unit}, and prodbook reads {col.header} in pieces"
                f"{per.get(unit, '')}. Keep a column of pieces: add one headed '{col.header}' holding the pieces"
                f"{how} and remove this line, or convert the column to pieces and rename its header")
    elif col.unit == "USD":
        said = (f"{line} reads {col.header} from a column in {unit}, and prodbook reads {col.header} in US "
                f"dollars: every price would be wrong by the exchange rate. Keep a column in US dollars: add one "
                f"headed '{col.header}' with the prices converted at the rate the team uses and remove this line; "
                f"if the prices are in dollars after all, rename the header (to '{col.header}') and this line")
    else:
        said = (f"{line} reads {col.header} from a column in {unit}, and prodbook reads {col.header} in "
                f"{col.unit}. Keep a column in {col.unit}: add one headed '{col.header}' and remove this line, or "
                f"convert the column and rename its header")
    return [warning(Code.SETTING, said, **{**where, "value": theirs})]


def _mapped(sheet: str, header: str | None) -> tuple[str | None, str]:
    """The default sheet name a 'Sheet:' or 'Column:' setting names, in any case; or why it names none. A
    mapping that names nothing prodbook knows would otherwise be passed over in silence."""
    base = sheet[:-len(ARCHIVE_SUFFIX)] if sheet.casefold().endswith(ARCHIVE_SUFFIX.casefold()) else None
    spec = next((s for s in ALL_SHEETS if s.name.casefold() == (base or sheet).casefold()), None)
    if spec is None:
        return None, (f"prodbook has no sheet '{sheet}'. Name one of prodbook's sheets after the colon: "
                      + ", ".join(s.name for s in ALL_SHEETS))
    if base is not None:  # a sheet's archive (the T&A's): its columns are the sheet's and a few of its own
        return spec.name + ARCHIVE_SUFFIX, ""
    if header is not None and not any(normalise_header(c.header) == normalise_header(header) for c in spec.columns):
        return None, (f"the {spec.name} sheet has no column '{header}'. Name one of its columns after the "
                      "'/': " + ", ".join(c.header for c in spec.columns))
    return spec.name, ""


MAX_COST = 1_000_000
"""A cost setting (USD a unit, a day) below this: past it the recovery options print figures no one typed on
purpose (a paste of 1E+300 printed a 301-digit price)."""
MAX_DAYS = 3650
"""The most days a days setting takes (ten years): past it a date the setting moves would leave Python's
dates (a 'Due Soon Days' of 1E+9 stopped the follow-ups)."""


def within_days(days: int | None, raw: Any) -> int | None:
    """A days setting's number, refused past ``MAX_DAYS`` in words the APM can act on."""
    if days is not None and days > MAX_DAYS:
        raise CellError(f"'{raw}' is more days than prodbook plans with; type at most {MAX_DAYS:,} (ten years)")
    return days


def days_setting(config: Config, name: str, default: int, file: str | None, found: list[Finding]) -> int:
    """A setting that counts days (0 to ``MAX_DAYS``); a bad one keeps ``default`` and adds a finding."""
    return _setting(config, name, default, file, found, _days)


def percent_setting(config: Config, name: str, default: float, file: str | None, found: list[Finding]) -> float:
    """A setting that is a percentage from 0 to 100 ("60", "60%"); a bad one keeps ``default`` and adds a
    finding."""
    return _setting(config, name, default, file, found, _percent)


def _days(raw: Any) -> int:
    value = within_days(to_int(raw), raw)
    if value is None or value < 0:
        raise CellError(f"'{raw}' is not a number of days")
    return value


def _percent(raw: Any) -> float:
    value = setting_number(raw)
    if value is None or not 0 <= value <= 100:
        raise CellError(f"'{raw}' is not a percentage from 0 to 100")
    return value


def _setting(config: Config, name: str, default: T, file: str | None, found: list[Finding],
             read: Callable[[Any], T]) -> T:
    """A Config setting through ``read`` (which raises ``CellError``): blank is ``default``, and so is a value
    ``read`` refuses, with a finding saying why."""
    raw = config.get(name)
    if raw in (None, ""):
        return default
    try:
        return read(raw)
    except CellError as exc:
        found.append(warning(Code.SETTING, f"setting '{name}' cannot be used ({exc}); the default {default:g} "
                             "applies", file=file, sheet="Config", column="Value", value=raw))
        return default
