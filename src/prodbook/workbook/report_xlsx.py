"""The production report as its own workbook (for merchandising): Summary with a chart, PO Lines, Changes,
Open Exceptions, and the sheets the job adds (recovery options, the vendor scorecard).

The tables come from ``core.report``; this module only lays them out with
openpyxl, in the tracker's look (``core.looks``), and saves it at the path it
is given: ``publish`` hands it a temporary file, which replaces the report only
once whole.
"""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from prodbook.core import exceptions as ex
from prodbook.core.looks import DEFAULT_DATE_FORMAT, date_text, look_for, with_date_text
from prodbook.core.model.sheets import SheetSpec
from prodbook.core.report import (
    CHANGES,
    LATE,
    OPEN_EXCEPTIONS,
    REPORT,
    RISK,
    WHAT_CHANGED,
    WHAT_CHANGED_LINES,
    ChangeRow,
    by_line,
    since_text,
    what_changed_notes,
)
from prodbook.workbook.atomic import saved
from prodbook.workbook.looks_openpyxl import apply_look, font, landscape

_HEAD_COLOR = "FFFFFF"
_FILL_HEAD = "1F4E78"
_FILL_RISK = "FCE4E4"


def write_xlsx(path: Path, *, today: date, since: datetime, lines: pd.DataFrame, vendors: pd.DataFrame,
               changes: Sequence[ChangeRow], other_changes: int, exceptions: pd.DataFrame,
               title: str = "Production report", date_format: str = DEFAULT_DATE_FORMAT,
               more_sheets: Sequence[Callable[[Any], None]] = (), empty_note: str | None = None) -> Path:
    """The report as its own workbook: Summary (figures, vendors, chart), PO Lines, Changes, Exceptions,
    then whatever ``more_sheets`` add (each called with the openpyxl workbook: recovery, scorecard).
    ``empty_note``: what the Summary says when there are no PO lines (why, and what to do).

    The tables look like the tracker's sheets (``core.looks``): fitted widths, the workbook's date format,
    live colour rules on status and severity.
    """
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Alignment, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.worksheets[0]  # a new workbook's one sheet (`active` is typed Optional)
    ws.title = "Summary"
    head_font, head_fill = font(bold=True, color=_HEAD_COLOR), PatternFill("solid", fgColor=_FILL_HEAD)

    def header(sheet: Any, row: int, names: Sequence[str]) -> None:
        for j, name in enumerate(names, start=1):
            c = sheet.cell(row=row, column=j, value=name)
            c.font, c.fill = head_font, head_fill
            c.alignment = Alignment(wrap_text=True, vertical="center")

    ws["A1"] = f"{title} - as of {date_text(today, date_format)}"
    ws["A1"].font = font(size=16, bold=True, color=_FILL_HEAD)
    period = since_text(since, date_format)
    grouped, quiet = by_line(changes)
    ws["A2"] = (f"Changes since {period}: {len(changes):,} (Changes sheet)"
                + (f", and {other_changes:,} other logged change(s)" if other_changes else "")
                + (f"; {len(grouped):,} PO line(s) to look at, most urgent first: What Changed sheet"
                   if grouped else ""))
    risk = lines[lines["status"].isin(RISK)] if len(lines) else lines
    dated = lines[lines["xf_days_late"].notna()] if len(lines) else lines
    figures = (("PO lines", len(lines)), ("Units", int(lines["qty"].fillna(0).sum()) if len(lines) else 0),
               ("On-time ex-factory %", round((dated["xf_days_late"] <= 0).mean() * 100, 1) if len(dated) else None),
               ("At-risk lines", len(risk)),
               ("Late for cancel", int((lines["status"] == LATE).sum()) if len(lines) else 0),
               ("Units at risk", int(risk["qty"].fillna(0).sum()) if len(risk) else 0),
               ("Open exceptions", len(ex.open_exceptions(exceptions)) if len(exceptions) else 0))
    for i, (name, value) in enumerate(figures, start=4):
        _cell(ws, row=i, column=1, value=name).font = font(bold=True)
        c = _cell(ws, row=i, column=2, value=value)
        c.number_format = "#,##0.0" if isinstance(value, float) else "#,##0"
    top = 4 + len(figures) + 1
    if empty_note and not len(lines):  # said where the reader looks first, not left as a table of blanks
        note = _cell(ws, row=3, column=1, value=empty_note)
        note.font = font(bold=True, color="C00000")
        note.alignment = Alignment(wrap_text=True, vertical="top")  # on the page, not cut at its edge
        ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=9)
        ws.row_dimensions[3].height = 30
    _cell(ws, row=top, column=1, value="By vendor").font = font(size=13, bold=True)
    names = ["Vendor", "PO lines", "Units", "Shipped", "On-time XF %", "At-risk lines", "Units at risk",
             "Avg days late", "Open exceptions"]
    header(ws, top + 1, names)
    for i, r in enumerate(vendors.to_dict("records"), start=top + 2):
        for j, f in enumerate(vendors.columns, start=1):
            v = r[f]
            c = _cell(ws, row=i, column=j, value=None if v is None or (isinstance(v, float) and v != v) else v)
            if j > 1:
                c.number_format = "0.0" if f in ("on_time_pct", "avg_days_late") else "#,##0"
            if f == "at_risk" and (v or 0) > 0:
                c.fill = PatternFill("solid", fgColor=_FILL_RISK)
    last = top + 1 + len(vendors)
    for j, w in enumerate((34, 12, 12, 10, 13, 12, 13, 13, 17), start=1):  # "Open exceptions" on one line
        ws.column_dimensions[get_column_letter(j)].width = w
    if len(vendors):
        chart = BarChart()
        chart.type, chart.grouping, chart.overlap = "col", "clustered", 0
        chart.title = "PO lines on track vs at risk, by vendor"
        chart.y_axis.title, chart.x_axis.title = "PO lines", "Vendor"
        # on track = lines - at risk - shipped; written in a helper column block right of the table
        helper = len(names) + 2
        _cell(ws, row=top + 1, column=helper, value="On track / shipped")
        _cell(ws, row=top + 1, column=helper + 1, value="At risk")
        for i, r in enumerate(vendors.to_dict("records"), start=top + 2):
            _cell(ws, row=i, column=helper, value=int(r["lines"]) - int(r["at_risk"]))
            _cell(ws, row=i, column=helper + 1, value=int(r["at_risk"]))
        data = Reference(ws, min_col=helper, max_col=helper + 1, min_row=top + 1, max_row=last)
        cats = Reference(ws, min_col=1, min_row=top + 2, max_row=last)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(cats)
        chart.grouping, chart.overlap = "stacked", 100
        chart.height, chart.width = 9, 18
        ws.add_chart(chart, f"A{last + 3}")
    # one landscape page: the figures, the vendors and the chart, not the chart's helper columns
    chart_rows = 19 if len(vendors) else 0  # 9 cm at the default row height of 15 points (0.53 cm)
    ws.print_area = f"A1:{get_column_letter(len(names))}{last + 2 + chart_rows}"
    landscape(ws, pages_tall=1)

    table_sheet(wb.create_sheet("PO Lines"), lines, REPORT, date_format)
    what = wb.create_sheet(WHAT_CHANGED.name)
    shown = pd.DataFrame([lc.__dict__ for lc in grouped[:WHAT_CHANGED_LINES]], columns=list(WHAT_CHANGED.fields))
    table_sheet(what, shown, WHAT_CHANGED, date_format)
    below = what.max_row + 2
    if not grouped:
        _cell(what, row=3, column=1, value=f"No key date, milestone or exception changed since {period}.")
        below = 4
    for i, note in enumerate(what_changed_notes(grouped, quiet, other_changes), start=below):
        # one line across the empty cells beside it, not wrapped into the first column's width
        _cell(what, row=i, column=1, value=note).alignment = Alignment(wrap_text=False, vertical="top")
    ch = wb.create_sheet("Changes")
    rows = pd.DataFrame([{"when": c.when, "what": c.what, "ref": with_date_text(c.ref, date_format),  # a report's day
                          "detail": with_date_text(c.detail, date_format),
                          "action": c.action} for c in changes], columns=list(CHANGES.fields))
    table_sheet(ch, rows, CHANGES, date_format)
    if not changes:
        _cell(ch, row=3, column=1, value=f"No key date, status or exception changed since {period}.")
    if other_changes:
        _cell(ch, row=len(changes) + (4 if not changes else 3), column=1,
              value=f"Plus {other_changes:,} other logged change(s): see the workbook's Change Log sheet.")
    exs = ex.open_exceptions(exceptions) if len(exceptions) else exceptions
    table_sheet(wb.create_sheet("Open Exceptions"), exs, OPEN_EXCEPTIONS, date_format)
    for add in more_sheets:
        add(wb)
    saved(wb)(path)
    return path


REPORT_SHEETS = ("Summary", "PO Lines")
"""The sheets every report workbook starts with: how a file is known as a report prodbook wrote."""


def is_report_workbook(path: Path) -> bool:
    """Is the file at ``path`` a production report prodbook wrote (so a new report may replace it)? Anything
    else - a tracker, a backup, the team's own workbook - is not, and must not be written over."""
    try:
        with zipfile.ZipFile(path) as z:
            book = z.read("xl/workbook.xml").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return False
    names = [html.unescape(n) for n in re.findall(r'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"', book)]
    return names[:len(REPORT_SHEETS)] == list(REPORT_SHEETS)


def _cell(ws: Any, *, row: int, column: int, value: Any = None) -> Any:
    """openpyxl takes any text starting with '=' for a formula: vendor text is data, so force text."""
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    return cell


SENTENCE_FIELDS = frozenset({"cancel_check", "recovery", "open_exceptions", "detail", "note", "gives", "result",
                             "next_expected", "what", "dates"})
"""prodbook's own sentences, re-dated in the Date Format; PO #, Style #, Color, Vendor and text quoted from a
vendor (Remarks, Comments) are written as they are."""


def table_sheet(ws: Any, frame: pd.DataFrame, spec: SheetSpec, date_format: str) -> None:
    """``frame``'s ``spec`` fields as a table with the tracker's look (colour rules included); the dates in its
    text in ``date_format`` too."""
    ws.append(list(spec.headers))
    for r in frame.to_dict("records") if len(frame) else []:
        values = []
        for col in spec.columns:
            v = r.get(col.field)
            if v is None or v is pd.NaT or (isinstance(v, float) and v != v):
                v = None
            elif isinstance(v, pd.Timestamp):
                v = v.to_pydatetime()
            elif isinstance(v, str) and col.field in SENTENCE_FIELDS:  # a sentence's dates as the cells beside it
                v = with_date_text(v, date_format)
            values.append(v)
        ws.append(values)
        for j, v in enumerate(values, start=1):
            if isinstance(v, str) and v.startswith("="):  # vendor text is data, never a formula
                ws.cell(row=ws.max_row, column=j).data_type = "s"
    apply_look(ws, look_for(spec, date_format))
