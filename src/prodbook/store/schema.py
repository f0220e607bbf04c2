"""The roll-up database's schema: one table per tracker sheet, versioned, the same on DuckDB and PostgreSQL.

Every record table carries the tracker it came from (``tracker_id``, a row of
``trackers``) and the Excel row (``sheet_row``), so a figure in the roll-up
can be followed back to the cell. Column names are the tracker's field names
(``prodbook.core.model.sheets``), typed by their kind; the column lists are
written out here, not derived, because a released schema must not move when a
sheet gains a column: that is a new version with its own migration step.

``MIGRATIONS`` is the schema's history. ``schema_version`` holds one row per
step applied; opening a database applies the steps it lacks, in order, in one
transaction (PostgreSQL: under an advisory lock, so two APMs opening a new
database at once do not both create it).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from prodbook.core.model.sheets import CHANGE_LOG, EXCEPTIONS, ISSUES, ORDERS, STYLES, TA, VENDOR_WIP, Kind, SheetSpec
from prodbook.core.report import REPORT

SQL_TYPE = {Kind.TEXT: "TEXT", Kind.DATE: "DATE", Kind.INT: "BIGINT", Kind.NUMBER: "DOUBLE PRECISION",
            Kind.BOOL: "BOOLEAN", Kind.DATETIME: "TIMESTAMP"}
"""Standard SQL types both engines take with the same meaning."""

RENAMED = {"user": "by_user", "timestamp": "logged_at"}
"""Fields whose names are SQL keywords: their column names (no quoting needed in Power Query or a BI tool)."""


@dataclass(frozen=True)
class StoreColumn:
    name: str
    """Column name in the database."""
    field: str
    """The field it holds (``prodbook.core.model.sheets``), or the column's own name for bookkeeping."""
    kind: Kind
    doc: str = ""

    @property
    def sql_type(self) -> str:
        return SQL_TYPE[self.kind]


@dataclass(frozen=True)
class StoreTable:
    """A table of the roll-up database."""

    name: str
    columns: tuple[StoreColumn, ...]
    primary_key: tuple[str, ...]
    doc: str
    sheet: SheetSpec | None = None
    """The tracker sheet its rows come from (None: bookkeeping or a derived table)."""
    unique: tuple[str, ...] = ()
    """The sheet's own key, unique within one tracker (besides the primary key)."""

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def ddl(self) -> str:
        cols = [f"{c.name} {c.sql_type}{' NOT NULL' if c.name in self.primary_key else ''}" for c in self.columns]
        cols.append(f"PRIMARY KEY ({', '.join(self.primary_key)})")
        if self.unique:
            cols.append(f"UNIQUE ({', '.join(self.unique)})")
        return f"CREATE TABLE IF NOT EXISTS {self.name} (\n  " + ",\n  ".join(cols) + "\n)"


TRACKER_ID = StoreColumn("tracker_id", "tracker_id", Kind.TEXT, "the tracker (a row of trackers)")
SHEET_ROW = StoreColumn("sheet_row", "sheet_row", Kind.INT, "the Excel row on the tracker's sheet")


def _sheet_table(name: str, spec: SheetSpec, fields: tuple[str, ...], doc: str,
                 extra: tuple[StoreColumn, ...] = ()) -> StoreTable:
    """A tracker sheet as a table: tracker, Excel row, then ``fields`` named as the sheet's fields."""
    cols = tuple(StoreColumn(RENAMED.get(f, f), f, spec.column(f).kind, spec.column(f).header) for f in fields)
    unique = ("tracker_id", *(RENAMED.get(k, k) for k in spec.key)) if spec.key and all(
        spec.column(k).required for k in spec.key) else ()
    return StoreTable(name, (TRACKER_ID, SHEET_ROW, *cols, *extra), ("tracker_id", "sheet_row"), doc, spec, unique)


TRACKERS_V1 = StoreTable("trackers", (
    StoreColumn("tracker_id", "tracker_id", Kind.TEXT,
                "the tracker's id: a hash of its Config Tracker ID (else its file) and season"),
    StoreColumn("file", "file", Kind.TEXT, "the workbook's full path when it was loaded"),
    StoreColumn("file_name", "file_name", Kind.TEXT, "the workbook's file name"),
    StoreColumn("season", "season", Kind.TEXT, "Config 'Season', else the season most styles carry"),
    StoreColumn("division", "division", Kind.TEXT, "Config 'Division', else the divisions of its styles"),
    StoreColumn("as_of", "as_of", Kind.DATE, "the day statuses and po_lines were judged on (--today)"),
    StoreColumn("loaded_at", "loaded_at", Kind.DATETIME, "when it was loaded"),
    StoreColumn("loaded_by", "loaded_by", Kind.TEXT, "who loaded it (login name)"),
    StoreColumn("file_modified", "file_modified", Kind.DATETIME, "the workbook's last save when loaded"),
    StoreColumn("file_sha256", "file_sha256", Kind.TEXT, "the workbook's content hash when loaded"),
), ("tracker_id",), "one row per tracker and season loaded", unique=("file", "season"))

STYLES_T = _sheet_table("styles", STYLES, (
    "style", "season", "division", "description", "category", "construction", "fabric", "fiber_content", "colors",
    "size_range", "vendor", "factory", "coo", "hts", "fob", "retail", "status", "adopted_date", "template"),
    "the Styles sheet: one row per style profile")
ORDERS_V1 = _sheet_table("orders", ORDERS, (
    "po", "style", "color", "qty", "ship_mode", "po_date", "ex_factory", "in_dc", "cancel", "port", "dc", "terms"),
    "the Orders sheet: one row per PO line (PO x style x colour)")
TA_T = _sheet_table("ta", TA, (
    "po", "style", "color", "vendor", "code", "milestone", "owner", "planned", "forecast", "actual", "status",
    "variance", "notes"), "the T&A sheet: one row per milestone of a PO line")
VENDOR_WIP_T = _sheet_table("vendor_wip", VENDOR_WIP, (
    "po", "style", "color", "vendor", "order_qty", "cut_qty", "sewn_qty", "packed_qty", "fabric_status",
    "planned_xf", "revised_xf", "ship_mode", "booking_status", "remarks", "report_date", "source_file"),
    "the Vendor WIP sheet: one row per PO line per vendor report")
EXCEPTIONS_V1 = _sheet_table("exceptions", EXCEPTIONS, (
    "id", "detected", "po", "style", "color", "vendor", "rule", "severity", "detail", "status", "owner",
    "resolution"), "the Exceptions sheet: one row per exception, open or resolved")
ISSUES_T = _sheet_table("issues", ISSUES, (
    "sheet", "cell", "key", "field", "value", "problem", "severity", "code"),
    "the Issues sheet: one row per validation finding")
CHANGE_LOG_T = _sheet_table("change_log", CHANGE_LOG, (
    "timestamp", "action", "sheet", "key", "field", "old", "new", "user"),
    "the Change Log sheet: one row per value prodbook changed")
IS_OPEN = StoreColumn("is_open", "is_open", Kind.BOOL, "the exception is still open (prodbook's rule, at load)")
PO_LINES_T = StoreTable("po_lines", (
    TRACKER_ID, *(StoreColumn(f, f, REPORT.column(f).kind, REPORT.column(f).header) for f in (
        "po", "style", "color", "vendor", "qty", "ship_mode", "status", "planned_xf", "forecast_xf", "actual_xf",
        "xf_days_late", "in_dc", "forecast_in_dc", "cancel", "terms", "cancel_check", "cut_pct", "sewn_pct",
        "packed_pct", "wip_date", "open_exceptions", "exception_rules")),
    StoreColumn("as_of", "as_of", Kind.DATE, "the day it was judged on")),
    ("tracker_id", "po", "style", "color"),
    "derived at load: each PO line as the Production Report judges it (status, forecast ex-factory, WIP %)")

MIGRATIONS: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (1, "tracker records: trackers, styles, orders, ta, vendor_wip, exceptions, issues, change_log",
     tuple(t.ddl() for t in (TRACKERS_V1, STYLES_T, ORDERS_V1, TA_T, VENDOR_WIP_T, EXCEPTIONS_V1, ISSUES_T,
                             CHANGE_LOG_T))),
    (2, "po_lines (each line as the production report judges it); exceptions.is_open",
     (PO_LINES_T.ddl(), "ALTER TABLE exceptions ADD COLUMN is_open BOOLEAN")),
    (3, "orders.line_status (a line cancelled on Orders is in orders, not in po_lines)",
     ("ALTER TABLE orders ADD COLUMN line_status TEXT",)),
    (4, "trackers.in_dc_code, trackers.default_terms (each tracker's own, for the roll-up's vendor scorecards)",
     ("ALTER TABLE trackers ADD COLUMN in_dc_code TEXT", "ALTER TABLE trackers ADD COLUMN default_terms TEXT")),
)
"""Each step: (version, what it does, its statements). Append a step to change the schema; never edit one."""

TRACKERS = replace(TRACKERS_V1, columns=(*TRACKERS_V1.columns, StoreColumn(
    "in_dc_code", "in_dc_code", Kind.TEXT, "its Config 'In-DC Code' (the milestone a DDP line is judged on)"),
    StoreColumn("default_terms", "default_terms", Kind.TEXT, "its Config 'Default Terms' (of a blank Terms)")))
"""Blank in a tracker loaded before version 4: prodbook's defaults (IDC, FOB)."""
EXCEPTIONS_T = replace(EXCEPTIONS_V1, columns=(*EXCEPTIONS_V1.columns, IS_OPEN))
ORDERS_T = replace(ORDERS_V1, columns=(*ORDERS_V1.columns, StoreColumn(
    "line_status", "line_status", ORDERS.column("line_status").kind, ORDERS.column("line_status").header)))
SCHEMA_VERSION = MIGRATIONS[-1][0]

RECORD_TABLES: tuple[StoreTable, ...] = (STYLES_T, ORDERS_T, TA_T, VENDOR_WIP_T, EXCEPTIONS_T, ISSUES_T,
                                         CHANGE_LOG_T)
"""The tables loaded from a tracker's sheets, in load order."""
TABLES: tuple[StoreTable, ...] = (TRACKERS, *RECORD_TABLES, PO_LINES_T)
"""Every table of the current version (as the README documents them)."""

VERSION_TABLE = ("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL PRIMARY KEY, "
                 "applied_at TIMESTAMP, note TEXT)")
