"""The season roll-up as its own workbook, for the APM and the team lead.

Sheets: Summary (figures, one row per tracker, trackers this run could not
load), Lines at Risk, By Owner and Due This Week (open milestones), By Vendor
and Open Exceptions, and Vendor Scorecards when the scorecards are given. The
tables look like the tracker's (``core.looks``): fitted widths, the date
format, the same colour rules for status and severity. Written whole or not
at all (``publish.write_atomic``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from prodbook.core.findings import Finding
from prodbook.core.looks import DEFAULT_DATE_FORMAT, date_text, look_for
from prodbook.core.model.sheets import Column, Kind, SheetSpec
from prodbook.workbook.atomic import saved, write_atomic
from prodbook.workbook.looks_openpyxl import apply_look, font, header_cells
from prodbook.workbook.scorecard_xlsx import SCORECARD, note_on_time

T, D, INT, N, DT = Kind.TEXT, Kind.DATE, Kind.INT, Kind.NUMBER, Kind.DATETIME


def _spec(name: str, *cols: tuple[str, str, Kind]) -> SheetSpec:
    return SheetSpec(name, tuple(Column(h, f, k) for h, f, k in cols))


TRACKERS = _spec("Trackers", ("Tracker", "file_name", T), ("Division", "division", T), ("Season", "season", T),
                 ("As of", "as_of", D), ("Loaded", "loaded_at", DT), ("Loaded By", "loaded_by", T),
                 ("PO Lines", "po_lines", INT), ("At Risk", "at_risk", INT),
                 ("Open Exceptions", "open_exceptions", INT), ("Full Path", "file", T))
LINES = _spec("Lines at Risk", ("Tracker", "tracker", T), ("Division", "division", T), ("PO #", "po", T),
              ("Style #", "style", T), ("Color", "color", T), ("Vendor", "vendor", T), ("Qty", "qty", INT),
              ("Ship Mode", "ship_mode", T), ("Status", "status", T), ("Planned XF", "planned_xf", D),
              ("Forecast XF", "forecast_xf", D), ("XF Days Late", "xf_days_late", INT), ("Cancel Date", "cancel", D),
              ("Terms", "terms", T), ("Cancel Check", "cancel_check", T), ("Packed %", "packed_pct", N),
              ("WIP Report", "wip_date", D), ("Open Exceptions", "open_exceptions", INT),
              ("Exception Rules", "exception_rules", T), ("As of", "as_of", D))
OWNERS = _spec("By Owner", ("Owner", "owner", T), ("Due This Week", "due_this_week", INT),
               ("Overdue", "overdue", INT), ("Trackers", "trackers", INT))
DUE = _spec("Due This Week", ("Owner", "owner", T), ("Due", "due", D), ("Code", "code", T),
            ("Milestone", "milestone", T), ("PO #", "po", T), ("Style #", "style", T), ("Color", "color", T),
            ("Vendor", "vendor", T), ("Planned", "planned", D), ("Forecast", "forecast", D),
            ("Status", "status", T), ("Tracker", "tracker", T), ("Division", "division", T),
            ("T&A Row", "sheet_row", INT))
VENDORS = _spec("By Vendor", ("Vendor", "vendor", T), ("Open Exceptions", "open_exceptions", INT),
                ("Errors", "errors", INT), ("Warnings", "warnings", INT), ("Trackers", "trackers", INT),
                ("Oldest", "oldest", D))
EXCEPTIONS = _spec("Open Exceptions", ("Vendor", "vendor", T), ("ID", "id", T), ("Detected", "detected", D),
                   ("PO #", "po", T), ("Style #", "style", T), ("Color", "color", T), ("Rule", "rule", T),
                   ("Severity", "severity", T), ("Detail", "detail", T), ("Status", "status", T),
                   ("Owner", "owner", T), ("Tracker", "tracker", T), ("Division", "division", T),
                   ("Exceptions Row", "sheet_row", INT))
FORMULA_START = ("=", "+", "-", "@")
"""Text starting so is kept as text: vendor text is data, never a formula."""
LOOK_OF = {LINES.name: "Production Report", EXCEPTIONS.name: "Exceptions", VENDORS.name: "Exceptions"}
"""Whose colour rules a roll-up sheet takes (status, severity), by the tracker sheet it mirrors."""


@dataclass(frozen=True)
class Rollup:
    """What the roll-up workbook shows: the database's answers and the run's own findings."""

    today: date
    seasons: tuple[str, ...]
    database: str
    trackers: pd.DataFrame
    lines: pd.DataFrame
    owners: pd.DataFrame
    due: pd.DataFrame
    vendors: pd.DataFrame
    exceptions: pd.DataFrame
    not_loaded: tuple[Finding, ...] = ()
    scorecards: pd.DataFrame | None = None
    """Vendor scorecards across the vendor base (``jobs.rollup_job.vendor_scorecards``); None: no sheet."""


GRACE = ": no days' grace here, for every tracker (a tracker's own scorecard allows its On-Time Tolerance Days)"
"""The days the Vendor Scorecards allow after the planned date: none, for every tracker (``jobs.rollup_job``
judges all on prodbook's default On-Time Tolerance Days, 0)."""


def write_rollup(path: Path, r: Rollup, *, date_format: str = DEFAULT_DATE_FORMAT) -> Path:
    """The roll-up workbook at ``path``, replaced atomically."""
    from openpyxl import Workbook

    wb = Workbook()
    _summary(wb.active, r, date_format)
    for spec, frame in ((LINES, r.lines), (OWNERS, r.owners), (DUE, r.due), (VENDORS, r.vendors),
                        (EXCEPTIONS, r.exceptions)):
        _table(wb.create_sheet(spec.name), frame, spec, date_format)
    if r.scorecards is not None:
        spec = replace(SCORECARD, name="Vendor Scorecards")
        _table(cards := wb.create_sheet(spec.name), r.scorecards, spec, date_format)
        note_on_time(cards, grace=GRACE)
    return write_atomic(Path(path), saved(wb))


def _summary(ws: Any, r: Rollup, date_format: str) -> None:

    ws.title = "Summary"
    ws["A1"] = f"Season roll-up {', '.join(s for s in r.seasons if s) or ''} - as of {date_text(r.today, date_format)}"
    ws["A1"].font = font(size=16, bold=True, color="1F4E78")
    ws["A2"] = "Every tracker of the season in the roll-up database, whoever loaded it."
    ws["A3"] = f"Database: {r.database}"
    late = int((r.lines["status"] == "Late for cancel").sum()) if len(r.lines) else 0
    figures = (("Trackers", len(r.trackers)), ("PO lines", int(r.trackers["po_lines"].sum()) if len(r.trackers) else 0),
               ("Lines at risk", len(r.lines)), ("Late for cancel", late),
               ("Units at risk", int(pd.to_numeric(r.lines["qty"]).fillna(0).sum()) if len(r.lines) else 0),
               ("Milestones due this week", len(r.due)), ("Open exceptions", len(r.exceptions)))
    for i, (name, value) in enumerate(figures, start=5):
        _put(ws, i, 1, name).font = font(bold=True)
        _put(ws, i, 2, value).number_format = "#,##0"
    top = 5 + len(figures) + 1
    _put(ws, top, 1, "Trackers").font = font(size=13, bold=True)
    _table(ws, r.trackers, TRACKERS, date_format, header_row=top + 1)
    row = top + 3 + len(r.trackers)
    if r.not_loaded:
        _put(ws, row, 1, "Not loaded in this run (the roll-up shows their last good load, if any)").font = \
            font(size=13, bold=True, color="C00000")
        for j, f in enumerate(r.not_loaded, start=row + 1):
            _put(ws, j, 1, f.file or "")
            _put(ws, j, 2, f"{f.where}: {f.message}" if f.where else f.message)
    ws.column_dimensions["A"].width = max(ws.column_dimensions["A"].width or 0, 26)
    ws.page_setup.orientation = "landscape"  # one page wide, as the other sheets print
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _put(ws: Any, row: int, column: int, value: Any) -> Any:
    """A cell whose text is data, never a formula (vendor text may start with '=')."""
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value[:1] in FORMULA_START:
        cell.data_type = "s"
    return cell


def _value(v: Any, kind: Kind) -> Any:
    if v is None or v is pd.NaT or v is pd.NA or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    if kind is Kind.DATE and isinstance(v, datetime):
        return v.date()
    if hasattr(v, "item") and not isinstance(v, (str, date)):
        v = v.item()
    if kind is Kind.INT and isinstance(v, float):
        return int(v)
    return v


def _table(ws: Any, frame: pd.DataFrame, spec: SheetSpec, date_format: str, *, header_row: int = 1) -> None:
    """``frame``'s columns named in ``spec`` as a table with the tracker's look, its header at ``header_row``."""
    for j, col in enumerate(spec.columns, start=1):
        _put(ws, header_row, j, col.header)
    kinds = [(col.field, col.kind) for col in spec.columns]
    for i, rec in enumerate(frame.to_dict("records") if len(frame) else [], start=header_row + 1):
        values = [_value(rec.get(f), k) for f, k in kinds]
        if header_row == 1:  # rows go below the header: append, the fast way, then text stays text
            ws.append(values)
            for j, v in enumerate(values, start=1):
                if isinstance(v, str) and v[:1] in FORMULA_START:
                    ws.cell(row=i, column=j).data_type = "s"
        else:
            for j, v in enumerate(values, start=1):
                _put(ws, i, j, v)
    look = look_for(replace(spec, name=LOOK_OF.get(spec.name, spec.name)), date_format)
    if header_row == 1:
        apply_look(ws, look)
    else:  # a table below the summary's figures: header look and number formats, no freeze, no filter
        _below(ws, look, header_row, len(spec.columns), len(frame))


def _below(ws: Any, look: Any, header_row: int, ncol: int, nrows: int) -> None:
    from openpyxl.utils import get_column_letter

    header_cells(ws, header_row, ncol)
    for j in range(1, ncol + 1):
        header = str(ws.cell(row=header_row, column=j).value or "")
        cl = look.column(header)
        width = max([len(header) + 3, *(len(str(ws.cell(row=r, column=j).value or "")) + 2
                                        for r in range(header_row + 1, header_row + nrows + 1))])
        if cl is not None:
            width = max(cl.min_width, min(width, cl.max_width))
            for r in range(header_row + 1, header_row + nrows + 1):
                c = ws.cell(row=r, column=j)
                if cl.number_format and c.value is not None and not isinstance(c.value, str):
                    c.number_format = cl.number_format
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, min(width, 60))


def roll_up_name(today: date) -> str:
    return f"Season Roll-up {today.isoformat()}.xlsx"

