"""The tracker's sheets: their columns, keys, header synonyms and who owns each column.

This is the single description of the default layout in DESIGN.md. Readers
use it to map a team's own headers to fields; writers use it to lay out the
sheets prodbook generates.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """What a column holds, which decides how its cells are read."""

    TEXT = "text"
    DATE = "date"
    INT = "int"
    NUMBER = "number"
    BOOL = "bool"
    DATETIME = "datetime"


@dataclass(frozen=True)
class Column:
    """One column of a sheet."""

    header: str
    """The default header text, as in DESIGN.md."""
    field: str
    """The Python name used in records and DataFrames."""
    kind: Kind = Kind.TEXT
    required: bool = False
    """A row without it is a finding."""
    synonyms: tuple[str, ...] = ()
    """Other headers teams and vendors use for it."""
    user: bool = False
    """Typed by the user on a generated sheet: kept by key when prodbook rebuilds the sheet."""
    verbatim: bool = False
    """Text read as written, outer spaces included: a logged value that undo puts back as it was."""
    unit: str | None = None
    """A number column's unit ('g/m2', 'USD', 'pcs'): '210 gsm', '12 oz', 'USD 7.25' typed in it read as numbers
    in it (``cells.in_unit``), and a header naming it in brackets after the column's header or a synonym reads as
    the column ('Qty (pcs)', 'Retail ($)': ``HEADER_UNITS``)."""
    numbers: bool = False
    """A number cell read as its number, not its text: the Change Log's Old and New, so that undo puts back a
    number a text column held as the number it was (``changes.log_values``)."""
    given: bool = False
    """A required column whose blank cell prodbook fills on its next run (the ID of an exception the APM
    added by hand): a blank there is not a finding, and blank keys are not repeats of each other."""
    guarded: tuple[str, ...] = ()
    """Synonyms (of ``synonyms``) read as this column only when every filled cell under them is a value the
    column may hold (the T&A's 'Factory' as its Vendor: vendor codes, not a team's factory names); else the
    column is the team's own, kept as typed (``tables.read_table``'s ``known``)."""
    not_yet: bool = False
    """A date column where a word for a date not known yet ('TBC', 'to be confirmed': ``cells.not_yet``) is read
    as blank with a warning of its own (``Code.DATE_NOT_YET``), not as a bad date to fix: the Orders dates,
    which the T&A plans around. Elsewhere ('TBC' in a closure's From) it stays a bad date."""


@dataclass(frozen=True)
class SheetSpec:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    """Fields that identify a row; duplicates are findings."""
    generated: bool = False
    """prodbook rebuilds the sheet; only ``user`` columns and extra columns are the user's."""
    hidden: bool = False
    """Created as a hidden sheet: prodbook's own bookkeeping, not for editing by hand."""
    identity: tuple[str, ...] = ()
    """A sheet without key columns (Samples): the fields its Issues rows name a row by (their Key), which Apply
    fixes finds the row by again once the APM sorted the sheet. Not a key: two rows alike in all of them are two
    requests, not a finding; Apply fixes and Undo last refuse to choose between them and say so."""
    logged: tuple[str, ...] = ()
    """More of such a row in the Change Log's Key than its Issues rows name (``logged_by``): fields the APM does
    not change when correcting the identity's typo, which tell apart two samples that Apply made alike (a PP
    sample and its resubmission, once the one typo between them is fixed), so that Undo puts the old value back
    into the one it changed. Not in the Issues Key: a Requested date moved would lose the row's Dismiss."""

    @property
    def named_by(self) -> tuple[str, ...]:
        """The fields an Issues row's Key names a record of this sheet by: its key, else its identity."""
        return self.key or self.identity

    @property
    def logged_by(self) -> tuple[str, ...]:
        """The fields of the Change Log's Key for a value prodbook changed on this sheet, which Undo finds the row
        by: its key, else its identity and ``logged``."""
        return self.key or (*self.identity, *self.logged)

    def column(self, field: str) -> Column:
        for c in self.columns:
            if c.field == field:
                return c
        raise KeyError(field)

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(c.field for c in self.columns)

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    @property
    def printed(self) -> tuple[str, ...]:
        """The fields of a row's print when a run adds it (``prodbook.core.changes.row_prints``)."""
        return tuple(c.field for c in self.columns if c.field not in self.key)

    @property
    def filled(self) -> tuple[str, ...]:
        """The fields a run fills in a row the user typed: every one but the key and the user's."""
        return tuple(c.field for c in self.columns if c.field not in self.key and not c.user)


def C(header: str, field: str, kind: Kind = Kind.TEXT, *synonyms: str, required: bool = False,
      user: bool = False, verbatim: bool = False, unit: str | None = None, numbers: bool = False,
      given: bool = False, guarded: tuple[str, ...] = (), not_yet: bool = False) -> Column:
    return Column(header, field, kind, required, synonyms, user, verbatim, unit, numbers, given, guarded, not_yet)


T, D, I, N, B = Kind.TEXT, Kind.DATE, Kind.INT, Kind.NUMBER, Kind.BOOL  # noqa: E741 - one letter per kind

STYLE_NO = ("Style", "Style No", "Style Number", "Style Code", "Article", "Article No", "Item No")
PO_NO = ("PO", "PO No", "PO Number", "Purchase Order", "Order No", "Order #", "PO#")
COLOR = ("Colour", "Color Name", "Colour Name", "Colorway", "Colourway", "Col")

STYLES = SheetSpec("Styles", (
    C("Style #", "style", T, *STYLE_NO, required=True),
    C("Season", "season"),
    C("Division", "division"),
    C("Description", "description", T, "Style Name", "Desc"),
    C("Category", "category", T, "Product Type"),
    C("Construction", "construction", T, "Knit/Woven"),
    C("Fabric", "fabric", T, "Fabrication", "Body Fabric"),
    C("Fiber Content", "fiber_content", T, "Fibre Content", "Composition", "Content"),
    C("Colors", "colors", T, "Colours", "Colorways"),
    C("Size Range", "size_range", T, "Sizes", "Size Scale"),
    C("Vendor", "vendor", T, "Supplier", "Vendor Code"),
    C("Factory", "factory", T, "Mill/Factory"),
    C("COO", "coo", T, "Country of Origin", "Origin"),
    C("HTS Code", "hts", T, "HTS", "HS Code", "Tariff Code"),
    C("FOB (USD)", "fob", N, "FOB", "FOB USD", "First Cost", unit="USD"),
    C("Retail (USD)", "retail", N, "Retail", "Retail Price", "MSRP", unit="USD"),
    C("Status", "status", T, "Style Status"),
    C("Adopted Date", "adopted_date", D, "Adoption Date"),
    C("T&A Template", "template", T, "TA Template", "Template", "T&A Plan", "Critical Path", "TNA Template",
      "TNA Plan", "TNA"),
    C("Fabric Weight (g/m2)", "weight_gsm", N, "GSM", "Weight (g/m2)", "Fabric Weight", "Weight GSM", unit="g/m2"),
    C("Process Countries", "process_countries", T, "Processing", "Country of Processing",
      "Where Made"),
), key=("style",))

ORDERS = SheetSpec("Orders", (
    C("PO #", "po", T, *PO_NO, required=True),
    C("Style #", "style", T, *STYLE_NO, required=True),
    C("Color", "color", T, *COLOR, required=True),
    C("Qty", "qty", I, "Quantity", "Order Qty", "Units", "PO Qty", unit="pcs"),
    C("Ship Mode", "ship_mode", T, "Mode", "Shipment Mode", "Ship Via"),
    C("PO Date", "po_date", D, "Order Date", "PO Issue Date", "PO Placed", not_yet=True),
    C("Ex-Factory", "ex_factory", D, "XF", "XF Date", "Ex Factory Date", "Ex-Fty", "Ex Fty Date", "Ex-Fac",
      "Ex-Fac Date", "X-Fty", "X-Fty Date", "X-Factory", not_yet=True),
    C("In-DC", "in_dc", D, "In DC", "In DC Date", "DC Date", "In-DC Date", not_yet=True),
    C("Cancel Date", "cancel", D, "Cancel", "Cancellation Date", "Cxl Date", "Cxl", "Cxl Dt", "Cancel Dt",
      not_yet=True),
    C("Port of Loading", "port", T, "POL", "Port"),
    C("DC", "dc", T, "Destination", "Warehouse"),
    C("Terms", "terms", T, "Incoterm", "Incoterms", "Ship Terms", "Shipping Terms", "Delivery Terms",
      "Trade Terms", "FOB/DDP"),
    C("Line Status", "line_status", T, "Status", "PO Status", "Order Status"),
), key=("po", "style", "color"))
"""Line Status is the team's optional column: 'Cancelled' (or 'Dropped', 'Cxl'...) takes a line out of the
plan (``prodbook.core.ta.stop_reasons``)."""

TEMPLATES = SheetSpec("T&A Templates", (
    C("Template", "template", T, "Plan", "T&A Template", "TNA Template", required=True),
    C("Code", "code", T, "Milestone Code", "Task Code", "Activity Code", required=True),
    C("Milestone", "milestone", T, "Task", "Event", "Activity"),
    C("Owner", "owner", T, "Responsible", "Resp"),
    C("Anchor", "anchor", T, "Based On", "From", "Relative To", required=True),
    C("Offset", "offset", I, "Days", "Lead Time", "Offset Days", required=True),
    C("Day Type", "day_type", T, "Days Type", "Working/Calendar"),
    C("Critical", "critical", B, "Critical Path", "Key"),
    C("Stage", "stage", T, "Phase"),
), key=("template", "code"))

TA = SheetSpec("T&A", (
    C("PO #", "po", T, *PO_NO, required=True),
    C("Style #", "style", T, *STYLE_NO, required=True),
    C("Color", "color", T, *COLOR, required=True),
    C("Vendor", "vendor", T, "Supplier", "Factory", guarded=("Factory",)),
    C("Code", "code", T, "Milestone Code", "Task Code", "Activity Code", required=True),
    C("Milestone", "milestone", T, "Task"),
    C("Owner", "owner", T, "Responsible", "Resp", "PIC"),
    C("Planned", "planned", D, "Plan Date", "Planned Date", "Target"),
    C("Forecast", "forecast", D, "Forecast Date", "Revised"),
    C("Actual", "actual", D, "Actual Date", "Done", "Completed", user=True),
    C("Status", "status"),
    C("Variance", "variance", I, "Var", "Variance (days)", "Delay"),
    C("Notes", "notes", T, "Comments", "Remarks", user=True),
), key=("po", "style", "color", "code"), generated=True)

LAB_DIPS = SheetSpec("Lab Dips", (
    C("Style #", "style", T, *STYLE_NO, required=True),
    C("Color", "color", T, *COLOR, required=True),
    C("Fabric", "fabric"),
    C("Mill", "mill", T, "Dye House"),
    C("Round", "round", I, "Submit #", "Submission", "Sub #", unit="round"),
    C("Option", "option", T, "Dip", "Dip #", "Dip No", "Lab Dip #", "Shade", "Opt"),
    C("Submitted", "submitted", D, "Submit Date", "Sent"),
    C("Received", "received", D, "Received Date"),
    C("Decision", "decision", T, "Result", "Approval"),
    C("Decision Date", "decision_date", D, "Approved Date", "Approval Date"),
    C("Comments", "comments", T, "Remarks"),
), key=("style", "color", "round", "option"))
"""A round's options (A, B, C: each its own dip) are rows of their own, told apart by Option."""

SAMPLES = SheetSpec("Samples", (
    C("Style #", "style", T, *STYLE_NO, required=True),
    C("Sample Type", "sample_type", T, "Type", "Sample", required=True),
    C("Purpose", "purpose"),
    C("Color", "color", T, *COLOR),
    C("Size", "size"),
    C("Qty", "qty", I, "Quantity", "Pcs", unit="pcs"),
    C("Requested", "requested", D, "Request Date"),
    C("Due", "due", D, "Due Date", "Target Send"),
    C("Shipped", "shipped", D, "Sent", "Ship Date", "Actual Send"),
    C("Courier", "courier"),
    C("Tracking #", "tracking", T, "AWB", "Tracking", "Air Waybill", "Tracking No"),
    C("Received", "received", D, "Received Date"),
    C("Status", "status"),
    C("Comments", "comments", T, "Remarks"),
), identity=("style", "sample_type", "color", "size", "purpose"), logged=("qty", "requested"))
"""No key: two pieces of one request may well be two rows alike. A row is named by Style # / Sample Type / Color,
then Size and Purpose, which tell apart two samples of one style, type and colour (sizes 27 and 30 of a proto; a
line-review and a customs proto); not Due, which the APM moves as the vendor does, nor Requested or Status (the
Issues row would lose its Dismiss each time). The Change Log adds Qty and Requested, which nobody retypes when
correcting a style or colour typo."""

VENDOR_WIP = SheetSpec("Vendor WIP", (
    C("PO #", "po", T, *PO_NO, required=True),
    C("Style #", "style", T, *STYLE_NO),
    C("Color", "color", T, *COLOR),
    C("Vendor", "vendor", T, "Supplier", "Vendor Code"),
    C("Order Qty", "order_qty", I, "Qty", "PO Qty", "Order Quantity", "Quantity Order", "Order Pcs"),
    C("Cut Qty", "cut_qty", I, "Cut", "Cutting", "Cut Quantity", "Quantity Cut", "Cutting Qty"),
    C("Sewn Qty", "sewn_qty", I, "Sewn", "Sewing Output", "Sewing Out", "Sew Output",
      "Quantity Sewing Output", "Sewing Qty"),
    C("Packed Qty", "packed_qty", I, "Packed", "Finished", "Packing", "Pack Qty", "Quantity Packed",
      "Finished Qty", "Packed Pcs"),
    C("Fabric Status", "fabric_status", T, "Fabric"),
    C("Planned XF", "planned_xf", D, "XF Date", "Original XF", "Ex-Factory", "Planned ETD", "Orig XF",
      "Ex-Fty", "Ex-Fty Date"),
    C("Revised XF", "revised_xf", D, "Revised ETD", "Revised Ex-Factory", "New XF", "Revised XF Date",
      "Rev XF", "Latest XF"),
    C("Ship Mode", "ship_mode", T, "Mode", "Shipment Mode", "Ship Via"),
    C("Booking Status", "booking_status", T, "Booking", "Forwarder Booking"),
    C("Remarks", "remarks", T, "Comments"),
    C("Report Date", "report_date", D),
    C("Source File", "source_file"),
), key=("po", "style", "color", "report_date"), generated=True)

EXCEPTIONS = SheetSpec("Exceptions", (
    C("ID", "id", T, required=True, given=True),
    C("Detected", "detected", D),
    C("PO #", "po", T, *PO_NO),
    C("Style #", "style", T, *STYLE_NO),
    C("Color", "color", T, *COLOR),
    C("Vendor", "vendor"),
    C("Rule", "rule"),
    C("Severity", "severity"),
    C("Detail", "detail"),
    C("Status", "status", T, user=True),
    C("Owner", "owner", T, user=True),
    C("Resolution", "resolution", T, user=True),
), key=("id",), generated=True)

FOLLOW_UPS = SheetSpec("Follow-ups", (
    C("Vendor", "vendor", T, required=True),
    C("Contact", "contact"),
    C("Item", "item"),
    C("Ref", "ref"),
    C("Detail", "detail"),
    C("Due", "due", D),
    C("Days Overdue", "days_overdue", I),
    C("Last Contacted", "last_contacted", D, user=True),
    C("Draft", "draft"),
), key=("vendor", "item", "ref"), generated=True)

VENDORS = SheetSpec("Vendors", (
    C("Vendor", "vendor", T, "Vendor Code", "Supplier", required=True),
    C("Name", "name", T, "Vendor Name"),
    C("Country", "country"),
    C("Email", "email", T, "E-mail", "To"),
    C("CC", "cc", T, "Cc Emails"),
    C("Weekend", "weekend", T, "Weekend Days", "Off Days"),
    C("Holiday Country", "holiday_country", T, "Holidays", "Holiday Calendar"),
), key=("vendor",))

CLOSURES = SheetSpec("Closures", (
    C("Calendar", "calendar", T, "Vendor", "Country", required=True),
    C("From", "start", D, "Start", "Closed From", required=True),
    C("To", "end", D, "End", "Closed To", "Until", required=True),
    C("Reason", "reason", T, "Holiday"),
))

ISSUES = SheetSpec("Issues", (
    C("Sheet", "sheet"),
    C("Cell", "cell"),
    C("Key", "key"),
    C("Field", "field"),
    C("Value", "value"),
    C("Problem", "problem"),
    C("Severity", "severity"),
    C("Code", "code"),
    C("Other Value", "other_value", T, "Vendor Value"),
    C("Other Source", "other_source", T, "Source"),
    C("Proposed Value", "proposed", T, "Proposed Fix", "Fix"),
    C("Accept", "accept", T, "Resolve", "Apply", user=True),
    C("Dismissed As", "dismissed_as", T, "Dismissed Problem", "Problem Dismissed"),
    C("Found In", "found_in", T, "Source File"),
    C("Found On", "found_on", D, "First Found"),
    C("Found By", "found_by"),
), generated=True)
"""Dismissed As sits right of Accept, the decision it is part of: 'Dismiss' and the sentence dismissed read
together, while Problem (column F) says the problem as it is today. prodbook's column: a tracker written before
it had one gets it at the right of the table (the writer adds a column past every cell read, never over the
team's own), and a team that deletes it gets it back there."""

CHANGE_LOG = SheetSpec("Change Log", (
    C("Timestamp", "timestamp", Kind.DATETIME),
    C("Action", "action"),
    C("Sheet", "sheet"),
    C("Key", "key"),
    C("Field", "field"),
    C("Old", "old", verbatim=True, numbers=True),
    C("New", "new", numbers=True),
    C("User", "user"),
), generated=True)

STYLE_SNAPSHOT = SheetSpec("Style Snapshot", (
    C("Style #", "style", T, *STYLE_NO, required=True),
    C("Field", "field", T, required=True),
    C("Locked Value", "locked", T),
    C("Locked On", "locked_on", D),
    C("Current Value", "current", T),
    C("Changed On", "changed_on", D),
), key=("style", "field"), generated=True, hidden=True)
"""Key fields of adopted styles as they were locked: a later change is flagged until accepted."""

CONFIG = SheetSpec("Config", (
    C("Setting", "setting", T, "Name", "Key", required=True),
    C("Value", "value"),
), key=("setting",))

ALL_SHEETS: tuple[SheetSpec, ...] = (STYLES, ORDERS, TEMPLATES, TA, LAB_DIPS, SAMPLES, VENDOR_WIP,
                                     EXCEPTIONS, FOLLOW_UPS, VENDORS, CLOSURES, ISSUES, CHANGE_LOG,
                                     CONFIG, STYLE_SNAPSHOT)
ARCHIVE_SUFFIX = " Archive"
ONLY_IN_TRACKERS: tuple[SheetSpec, ...] = (STYLES, ORDERS, TEMPLATES, TA, VENDOR_WIP, CHANGE_LOG, CONFIG)
"""Sheets a vendor's report does not have: a workbook with two of them (by prodbook's names) is a tracker."""


def tracker_sheets(names: Iterable[str | None]) -> list[str]:
    """The sheets among ``names`` that only a tracker has: two or more, and the workbook is a tracker (the
    APM's own, chosen by mistake where a vendor's report was asked for), not a vendor's report."""
    wanted = {spec.name.lower() for spec in ONLY_IN_TRACKERS}
    return [n for n in names if n is not None and n.strip().lower() in wanted]


def normalise_header(text: str) -> str:
    """Fold a header for matching: 'Style No.' / 'STYLE#' / 'style number' -> 'style#'. Letters of every
    alphabet stay ('数量' is not '箱数', 'Màu' not 'Mẫu'); spaces, punctuation and the underscore go. Full-width
    letters (ＰＯ ＮＯ, typed with an East Asian keyboard) and '№' read as their plain forms."""
    s = unicodedata.normalize("NFKC", text).strip().lower().replace("\n", " ")
    s = re.sub(r"\b(number|num|nbr|no)\b\.?", "#", s)
    return re.sub(r"[^\w#&%]|_", "", s)


HEADER_UNITS: dict[str, tuple[str, ...]] = {
    "pcs": ("pcs", "pc", "pieces", "piece", "units", "unit"),
    "USD": ("usd", "us$", "$", "usdollars"),
    "g/m2": ("g/m2", "gsm", "gm2", "g/sqm"),
}
"""The words a header may give in brackets for a column's unit (``Column.unit``), folded as ``header_unit``
folds them: 'Qty (pcs)' is Qty, 'Retail ($)' is Retail (USD). Dozens are not pieces (a quantity in dozens is a
twelfth of its pieces: 'Qty (Dzn)' is not read as Qty), and ounces are not g/m2."""
_TRAILING_UNIT = re.compile(r"^(?P<head>.*?\S)\s*[(\[](?P<unit>[^()\[\]]+)[)\]]\s*$", re.S)


def header_unit(text: str) -> tuple[str, str] | None:
    """A header's text without a trailing unit in brackets, and that unit folded: 'Qty (pcs)' -> ('Qty', 'pcs'),
    'FOB (US $)' -> ('FOB', 'us$'); None without one."""
    m = _TRAILING_UNIT.match(" ".join(text.split()))
    if m is None:
        return None
    return m["head"], re.sub(r"\s+", "", unicodedata.normalize("NFKC", m["unit"]).lower()).rstrip(".")


def unit_fits(column: Column, unit: str) -> bool:
    """Does a header's bracketed unit (folded, ``header_unit``) name this column's own unit?"""
    return column.unit is not None and unit in HEADER_UNITS.get(column.unit, ())


OTHER_UNITS: dict[str, dict[str, tuple[str, ...]]] = {
    "pcs": {"dozens": ("dz", "dzn", "dzns", "doz", "dozen", "dozens"), "gross": ("gross", "grs"),
            "cartons": ("ctn", "ctns", "carton", "cartons"), "thousands": ("'000", "000s", "kpcs", "thousand",
                                                                          "thousands")},
    "USD": {currency: words for currency, words in (
        ("EUR", ("eur", "€", "euro", "euros")), ("GBP", ("gbp", "£")), ("CNY", ("rmb", "cny", "yuan")),
        ("JPY", ("jpy", "yen", "¥")), ("INR", ("inr", "₹", "rs")), ("VND", ("vnd", "₫")),
        ("HKD", ("hkd", "hk$")), ("BDT", ("bdt", "tk", "৳")), ("AUD", ("aud", "a$")), ("CAD", ("cad", "c$")))},
    "g/m2": {"ounces": ("oz", "ounces", "oz/yd2", "oz/sqyd", "osy")},
}
"""Units a header may name that are not its column's own (``Column.unit``): a quantity in dozens is a twelfth
of its pieces, a price in EUR is not dollars (``other_unit``)."""
_UNIT_WORDS = re.compile(r"[^\s()\[\]/,:;]+")


def other_unit(column: Column, header: str) -> str | None:
    """The unit a header names that is not the column's ('Qty (Dzn)' for Qty in pieces: 'dozens'; 'FOB (EUR)' for
    FOB (USD): 'EUR'), in a bracket or as a word of its own; None when it names the column's own unit or none."""
    units = OTHER_UNITS.get(column.unit or "")
    if not units:
        return None
    text = unicodedata.normalize("NFKC", header).lower()
    words = {w.rstrip(".") for w in _UNIT_WORDS.findall(text)}
    if (bare := header_unit(header)) is not None:
        words.add(bare[1])
    return next((unit for unit, names in units.items() if words & set(names)), None)


def spec_by_name(name: str) -> SheetSpec:
    for spec in ALL_SHEETS:
        if spec.name == name:
            return spec
    raise KeyError(name)
