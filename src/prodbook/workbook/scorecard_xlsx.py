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
from prodbook.core.report import RECOVERY, table_sheet
from prodbook.workbook.publish import write_atomic

N, I, D = Kind.NUMBER, Kind.INT, Kind.DATE

SCORECARD = SheetSpec("Scorecard", (
    Column("Vendor", "vendor"), Column("Name", "name"), Column("Factory", "factory"),
    Column("PO Lines", "po_lines", I), Column("Shipped", "shipped", I), Column("On-Time XF %", "on_time_pct", N),
    Column("Avg Days Late", "avg_days_late", N), Column("Worst Days Late", "worst_days_late", I),
    Column("Dip Colours", "dip_colours", I), Column("Dip Rounds", "dip_rounds", N),
    Column("Dip Right First Time %", "dip_rft_pct", N), Column("Days With Mill", "mill_days", N),
    Column("Fit/PP Samples", "samples", I), Column("Samples On Time %", "samples_on_time_pct", N),
    Column("WIP Reports Expected", "wip_expected", I), Column("WIP Reports Received", "wip_received", I),
    Column("WIP Punctuality %", "wip_punctuality_pct", N), Column("Exceptions", "exceptions", I),
    Column("Exceptions per 100 Lines", "exceptions_per_100", N), Column("Qty Lines", "qty_lines", I),
    Column("Qty Within Tolerance %", "qty_accuracy_pct", N), Column("Packed vs Ordered %", "packed_vs_ordered_pct", N),
), key=("vendor", "factory"))
BY_FACTORY = SheetSpec("Scorecard by Factory", SCORECARD.columns, key=("vendor", "factory"))
DETAIL = SheetSpec("Scorecard Detail", (
    Column("Measure", "measure"), Column("Vendor", "vendor"), Column("Factory", "factory"), Column("Ref", "ref"),
    Column("Item", "item"), Column("Planned / Due", "planned", D), Column("Actual", "actual", D),
    Column("Days", "days", I), Column("Ordered", "qty", I), Column("Value", "value", N),
    Column("Result", "result")))
BY_RULE = SheetSpec("Exceptions by Rule", (
    Column("Vendor", "vendor"), Column("Rule", "rule"), Column("Exceptions", "exceptions", I),
    Column("Per 100 PO Lines", "per_100", N)))

CHARTS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("On-time ex-factory %", ("on_time_pct",), "%"),
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


def add_scorecard(wb: Any, card: sc.Scorecard, date_format: str = DEFAULT_DATE_FORMAT) -> None:
    """The Scorecard sheet (figures and charts) and its drill-down sheets, added to ``wb``."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font

    vendors = sc.vendor_rows(card)
    ws = wb.create_sheet(SCORECARD.name)
    table_sheet(ws, vendors, SCORECARD, date_format)
    last = 1 + len(vendors)
    note = last + 2
    ws.cell(row=note, column=1, value=period_text(card, date_format) + ". Every figure's rows are on the "
            "Scorecard Detail sheet (filter Measure and Vendor).").font = Font(italic=True)
    if len(vendors):
        col = {c.field: j for j, c in enumerate(SCORECARD.columns, start=1)}
        cats = Reference(ws, min_col=1, min_row=2, max_row=last)
        for k, (title, fields, axis) in enumerate(CHARTS):
            chart = BarChart()
            chart.type, chart.grouping = "col", "clustered"
            chart.title, chart.y_axis.title = title, axis
            chart.y_axis.majorGridlines = None
            chart.y_axis.delete = False
            chart.x_axis.delete = False
            for f in fields:
                chart.add_data(Reference(ws, min_col=col[f], min_row=1, max_row=last), titles_from_data=True)
            chart.set_categories(cats)
            chart.legend = chart.legend if len(fields) > 1 else None
            chart.height, chart.width = 7, 12
            row = note + 2 + (k // 2) * 15
            ws.add_chart(chart, f"{'A' if k % 2 == 0 else 'H'}{row}")
    factories = card.table[~card.table.index.isin(card.table.drop_duplicates("vendor").index)]
    if len(factories):
        table_sheet(wb.create_sheet(BY_FACTORY.name), card.table, BY_FACTORY, date_format)
    if len(card.by_rule):
        table_sheet(wb.create_sheet(BY_RULE.name), card.by_rule, BY_RULE, date_format)
    table_sheet(wb.create_sheet(DETAIL.name), card.detail, DETAIL, date_format)


def add_recovery(wb: Any, options: pd.DataFrame, date_format: str = DEFAULT_DATE_FORMAT) -> None:
    """The Recovery sheet: every lever of every PO line late for cancel."""
    table_sheet(wb.create_sheet(RECOVERY.name), options, RECOVERY, date_format)


def write_scorecard(path: Path, card: sc.Scorecard, *, date_format: str = DEFAULT_DATE_FORMAT) -> Path:
    """The scorecard as its own workbook (``prodbook scorecard``)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    add_scorecard(wb, card, date_format)
    wb.active = 0
    return write_atomic(path, wb.save)


def today_name(today: date) -> str:
    return f"Vendor Scorecard {today.isoformat()}.xlsx"
