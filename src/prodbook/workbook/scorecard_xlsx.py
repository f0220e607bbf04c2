"""The vendor scorecard as sheets of a workbook prodbook writes (the report workbook, the scorecard file).

Scorecard: the vendors' figures, then one bar chart per measure with the
vendors side by side (openpyxl charts over the table's own cells, so a
changed figure moves its bar). Scorecard Detail: the drill-down, every PO
line, milestone, sample, report period or exception behind a figure.
Scorecard by Factory and Exceptions by Rule when there is something to show.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from prodbook.core import scorecards as sc
from prodbook.core.looks import DEFAULT_DATE_FORMAT, date_text
from prodbook.core.model.sheets import Column, Kind, SheetSpec
from prodbook.core.report import LAB_DIP_STATUS, RECOVERY
from prodbook.workbook.atomic import saved
from prodbook.workbook.report_xlsx import table_sheet

N, INT, D = Kind.NUMBER, Kind.INT, Kind.DATE

ON_TIME_BASIS = "FOB lines on ex-factory, DDP lines on arrival at the DC"
"""What the on-time figure judges a line on (``core.scorecards.ex_factory_rows``), wherever it is shown."""
ON_TIME_HEADER = "On-Time Delivery %"

SCORECARD = SheetSpec("Scorecard", (
    Column("Vendor", "vendor"), Column("Name", "name"), Column("Factory", "factory"),
    Column("PO Lines", "po_lines", INT), Column("Delivered", "shipped", INT),
    Column(ON_TIME_HEADER, "on_time_pct", N),
    Column("Avg Days Late", "avg_days_late", N), Column("Worst Days Late", "worst_days_late", INT),
    Column("Dip Colours", "dip_colours", INT), Column("Dip Rounds", "dip_rounds", N),
    Column("Dip Right First Time %", "dip_rft_pct", N), Column("Days With Mill", "mill_days", N),
    Column("Fit/PP Samples", "samples", INT), Column("Samples On Time %", "samples_on_time_pct", N),
    Column("WIP Reports Expected", "wip_expected", INT), Column("WIP Reports Received", "wip_received", INT),
    Column("WIP Punctuality %", "wip_punctuality_pct", N), Column("Exceptions", "exceptions", INT),
    Column("Exceptions per 100 Lines", "exceptions_per_100", N),
    Column("Open From Before", "exceptions_open_before", INT), Column("Qty Lines", "qty_lines", INT),
    Column("Qty Within Tolerance %", "qty_accuracy_pct", N), Column("Packed vs Ordered %", "packed_vs_ordered_pct", N),
), key=("vendor", "factory"))
BY_FACTORY = SheetSpec("Scorecard by Factory", SCORECARD.columns, key=("vendor", "factory"))
DETAIL = SheetSpec("Scorecard Detail", (
    Column("Measure", "measure"), Column("Vendor", "vendor"), Column("Factory", "factory"), Column("Ref", "ref"),
    Column("Item", "item"), Column("Planned / Due", "planned", D), Column("Actual", "actual", D),
    Column("Days", "days", INT), Column("Ordered", "qty", INT), Column("Value", "value", N),
    Column("Result", "result")))
BY_RULE = SheetSpec("Exceptions by Rule", (
    Column("Vendor", "vendor"), Column("Rule", "rule"), Column("Exceptions", "exceptions", INT),
    Column("Per 100 PO Lines", "per_100", N)))

CHARTS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("On-time delivery % (FOB ex-factory, DDP in the DC)", ("on_time_pct",), "%"),
    ("Days late: average and worst", ("avg_days_late", "worst_days_late"), "days"),
    ("Lab-dip rounds to approval", ("dip_rounds",), "rounds"),
    ("Lab dips right first time %", ("dip_rft_pct",), "%"),
    ("Days with the mill per resubmission", ("mill_days",), "days"),
    ("Fit / PP samples on time %", ("samples_on_time_pct",), "%"),
    ("WIP reports received vs expected %", ("wip_punctuality_pct",), "%"),
    ("Exceptions per 100 PO lines", ("exceptions_per_100",), "per 100"),
    ("Packed qty within tolerance %", ("qty_accuracy_pct",), "%"),
)
"""One chart per measure: title, the table fields it shows (vendors side by side), the axis."""


def period_text(card: sc.Scorecard, date_format: str = DEFAULT_DATE_FORMAT) -> str:
    start = f"from {date_text(card.since, date_format)}" if card.since else "the season so far"
    return f"Vendor scorecard, {start} to {date_text(card.today, date_format)}"


FIGURES: tuple[tuple[str, str, str], ...] = (
    ("name", "Name", ""),
    ("factory", "Factory", "a vendor with several: see Scorecard by Factory"),
    ("po_lines", "PO lines", "on the Orders sheet, not cancelled"),
    ("shipped", "Delivered in the period", "FOB: Actual ex-factory in the period; DDP: Actual in-DC"),
    ("on_time_pct", "On-time delivery %", f"{ON_TIME_BASIS} (the order's Terms); on time: on or before the "
     "planned date + On-Time Tolerance Days"),
    ("avg_days_late", "Average days late", "of the late deliveries, days after the planned date"),
    ("worst_days_late", "Worst days late", ""),
    ("dip_colours", "Lab-dip colours approved", "approved in the period"),
    ("dip_rounds", "Lab-dip rounds to approval", "a cancelled round is not counted"),
    ("dip_rft_pct", "Lab dips right first time %", "approved on the first round"),
    ("mill_days", "Days with the mill", "from a rejection to the next submission, on average"),
    ("samples", "Fit / PP samples due", "due in the period"),
    ("samples_on_time_pct", "Fit / PP samples on time %", "shipped on or before Due"),
    ("wip_expected", "WIP reports expected", "one per WIP Stale Days with PO lines in production"),
    ("wip_received", "WIP reports received", "a report dated in that time"),
    ("wip_punctuality_pct", "WIP punctuality %", "received / expected"),
    ("exceptions", "Exceptions detected", "in the period, open or resolved; not withdrawn (Status Cancelled)"),
    ("exceptions_per_100", "Exceptions per 100 PO lines", "by rule: the Exceptions by Rule sheet"),
    ("exceptions_open_before", "Still open from before the period", "detected before it, open still: not "
     "counted again above"),
    ("qty_lines", "Shipped lines with a packed qty", "packed on the newest WIP report"),
    ("qty_accuracy_pct", "Packed within tolerance %", "within Ship Tolerance % of the order"),
    ("packed_vs_ordered_pct", "Packed vs ordered %", "all packed units / all ordered units"),
)
"""The Scorecard sheet's rows: field, what the APM reads, how it is counted. Vendors are the columns."""

_HEAD_FILL, _HEAD_FONT = "1F4E78", "FFFFFF"
CHART_CM = 10


def _cm(width: float) -> float:
    """A column's width in cm (Calibri 11: 7 pixels a character and 5 of padding, at 96 dpi)."""
    return (width * 7 + 5) / 96 * 2.54


def _chart_columns(widths: list[float], chart_cm: int, per_row: int, default: float = 8.43) -> list[int]:
    """The 1-based columns where ``per_row`` charts side by side start without overlapping."""
    starts, x = [], 0.0
    for w in [*widths, *[default] * 60]:
        starts.append(x)
        x += _cm(w)
    out, edge = [1], chart_cm + 0.3
    for j, x in enumerate(starts, start=1):
        if len(out) == per_row:
            break
        if x >= edge:
            out.append(j)
            edge = x + chart_cm + 0.3
    return out


def _number_format(f: str) -> str | None:
    col = SCORECARD.column(f)
    return "0.0" if col.kind is N else "#,##0" if col.kind is INT else None


def add_scorecard(wb: Any, card: sc.Scorecard, date_format: str = DEFAULT_DATE_FORMAT) -> None:
    """The Scorecard sheet (a row per figure, a column per vendor, a chart per measure) and its drill-down
    sheets, added to ``wb``."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Alignment, PatternFill
    from openpyxl.utils import get_column_letter

    from prodbook.workbook.looks_openpyxl import font

    vendors = sc.vendor_rows(card)
    ws = wb.create_sheet(SCORECARD.name)
    ws["A1"] = period_text(card, date_format)
    ws["A1"].font = font(size=16, bold=True, color=_HEAD_FILL)
    ws["A2"] = ("Each figure's PO lines, lab dips, samples, WIP report periods and exceptions are on the "
                "Scorecard Detail sheet (filter Measure and Vendor).")
    ws["A2"].font = font(italic=True)
    head, n = 4, len(vendors)
    names = ["Figure", *[str(v) for v in vendors["vendor"]], "How it is counted"]
    for j, text in enumerate(names, start=1):
        c = ws.cell(row=head, column=j, value=text)
        c.font, c.fill = font(bold=True, color=_HEAD_FONT), PatternFill("solid", fgColor=_HEAD_FILL)
        c.alignment = Alignment(horizontal="center" if 1 < j <= n + 1 else "left", vertical="center")
    row_of: dict[str, int] = {}
    records = vendors.to_dict("records")
    for i, (f, label, how) in enumerate(FIGURES, start=head + 1):
        row_of[f] = i
        label_cell = ws.cell(row=i, column=1, value=label)
        label_cell.font, label_cell.alignment = font(bold=True), Alignment(vertical="top", indent=1)
        fmt = _number_format(f)
        for j, r in enumerate(records, start=2):
            v = r.get(f)
            c = ws.cell(row=i, column=j, value=None if v is None or v != v else v)
            c.alignment = Alignment(horizontal="right", vertical="top", wrap_text=f in ("name", "factory"))
            if fmt:
                c.number_format = fmt
            if isinstance(v, str) and v.startswith("="):  # vendor text is data, never a formula
                c.data_type = "s"
        how_cell = ws.cell(row=i, column=n + 2, value=how or None)
        how_cell.font, how_cell.alignment = font(italic=True, color="595959"), Alignment(vertical="top", indent=1)
    for f in ("name", "factory"):
        ws.row_dimensions[row_of[f]].height = 48  # three lines of a long name in a 14-wide column
    ws.column_dimensions["A"].width = 32
    for j in range(2, n + 2):
        ws.column_dimensions[get_column_letter(j)].width = 14
    ws.column_dimensions[get_column_letter(n + 2)].width = 62
    how = ws.cell(row=row_of["on_time_pct"], column=n + 2)
    how.alignment = Alignment(vertical="top", indent=1, wrap_text=True)  # the legend, on the page whole
    ws.row_dimensions[row_of["on_time_pct"]].height = 30
    ws.freeze_panes = ws.cell(row=head + 1, column=2)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 1  # one page: the figures and the charts
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if n:
        cats = Reference(ws, min_col=2, max_col=n + 1, min_row=head)
        top = head + len(FIGURES) + 2
        widths = [32.0, *[14.0] * n, 62.0]
        anchors = _chart_columns(widths, CHART_CM, per_row=3)
        for k, (title, fields, axis) in enumerate(CHARTS):
            chart = BarChart()
            chart.type, chart.grouping = "col", "clustered"
            chart.title, chart.y_axis.title = title, axis
            chart.y_axis.delete = chart.x_axis.delete = False
            for f in fields:
                chart.add_data(Reference(ws, min_col=1, max_col=n + 1, min_row=row_of[f]), from_rows=True,
                               titles_from_data=True)
            chart.set_categories(cats)
            if len(fields) == 1:
                chart.legend = None
            else:
                chart.legend.position = "b"
            chart.y_axis.scaling.min = 0  # bars from zero: a short bar is a small figure
            if axis == "%":
                chart.y_axis.scaling.max = 100
            chart.height, chart.width = 7, CHART_CM
            ws.add_chart(chart, f"{get_column_letter(anchors[k % len(anchors)])}{top + (k // len(anchors)) * 14}")
    factories = card.table[~card.table.index.isin(card.table.drop_duplicates("vendor").index)]
    if len(factories):
        table_sheet(by_factory := wb.create_sheet(BY_FACTORY.name), card.table, BY_FACTORY, date_format)
        note_on_time(by_factory)
    if len(card.by_rule):
        table_sheet(wb.create_sheet(BY_RULE.name), card.by_rule, BY_RULE, date_format)
    table_sheet(wb.create_sheet(DETAIL.name), card.detail, DETAIL, date_format)


def note_on_time(ws: Any, header_row: int = 1, grace: str = " + On-Time Tolerance Days") -> None:
    """A note on the table's On-Time Delivery % header: what each line is judged on (its red corner in Excel);
    ``grace``: the days allowed after the planned date, as the table takes them (the roll-up's:
    ``rollup_xlsx.GRACE``)."""
    from openpyxl.comments import Comment

    for cell in ws[header_row]:
        if cell.value == ON_TIME_HEADER:
            cell.comment = Comment(f"{ON_TIME_BASIS} (the order's Terms), on or before the planned date{grace}.",
                                   "prodbook", width=260, height=80 if len(grace) < 40 else 120)


def add_recovery(wb: Any, options: pd.DataFrame, date_format: str = DEFAULT_DATE_FORMAT) -> None:
    """The Recovery sheet: every lever of every PO line late for cancel."""
    table_sheet(wb.create_sheet(RECOVERY.name), options, RECOVERY, date_format)


def add_lab_dips(wb: Any, table: pd.DataFrame, date_format: str = DEFAULT_DATE_FORMAT) -> None:
    """The Lab Dip Status sheet: where each colour stands (``report.lab_dip_table``); none without lab dips."""
    if len(table):
        table_sheet(wb.create_sheet(LAB_DIP_STATUS.name), table, LAB_DIP_STATUS, date_format)


def write_scorecard(path: Path, card: sc.Scorecard, *, date_format: str = DEFAULT_DATE_FORMAT) -> Path:
    """The scorecard as its own workbook (``prodbook scorecard``), saved at ``path`` (``publish`` gives a
    temporary file, which replaces the scorecard once whole)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.worksheets[0])
    add_scorecard(wb, card, date_format)
    wb.active = 0
    saved(wb)(path)
    return path


def today_name(today: date) -> str:
    return f"Vendor Scorecard {today.isoformat()}.xlsx"
