"""The production report as one self-contained HTML page, for an e-mail body or a browser.

Same tables as the report workbook: headline, per-vendor summary with a bar
chart (inline SVG, no scripts, no external files), what changed, the PO
lines at risk. Every value is escaped: vendor text is data, never markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from html import escape
from pathlib import Path

import pandas as pd

from prodbook.core.findings import shown
from prodbook.core.looks import DEFAULT_DATE_FORMAT, date_text, with_date_text
from prodbook.core.report import (
    LATE,
    RISK,
    WHAT_CHANGED,
    WHAT_CHANGED_LINES,
    ChangeRow,
    by_line,
    since_text,
    what_changed_notes,
)
from prodbook.core.scorecards import Scorecard, vendor_rows
from prodbook.workbook.scorecard_xlsx import CHARTS, ON_TIME_BASIS, ON_TIME_HEADER, SCORECARD, period_text

_STYLE = """body{font-family:Segoe UI,Arial,sans-serif;color:#222;margin:24px}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #ccc;padding:3px 8px;text-align:left}
th{background:#1f4e78;color:#fff}tr.risk td{background:#fff2cc}
tr.late td{background:#fce4e4;color:#9c0006}td.n{text-align:right}"""


def _shown(v: object, date_format: str) -> str:
    """A value as the workbook shows it: dates in its date format (a timestamp with its time)."""
    if v is pd.NaT:  # an empty date of a datetime column: blank, as in the workbook
        return ""
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime() if v.time() != datetime.min.time() else v.date()
    if isinstance(v, datetime):
        day = date_text(v, date_format)
        return f"{day} {v:%H:%M}" if v.time() != datetime.min.time() else day
    if isinstance(v, date):
        return date_text(v, date_format)
    if isinstance(v, (int, float)) and not isinstance(v, bool) and v == v and abs(v) != float("inf"):
        return f"{int(v):,}" if float(v).is_integer() else f"{v:,}"  # 89,616 units, as the workbook shows them
    return with_date_text(shown(v), date_format) if isinstance(v, str) else shown(v)


def _table(frame: pd.DataFrame, headers: dict[str, str], risk: bool = False,
           date_format: str = DEFAULT_DATE_FORMAT) -> str:
    if frame.empty:
        return "<p>None.</p>"
    head = "".join(f"<th>{escape(h)}</th>" for h in headers.values())
    rows = []
    for r in frame.to_dict("records"):
        cls = ((' class="late"' if r.get("status") == LATE else ' class="risk"')
               if risk and r.get("status") in RISK else "")  # late for cancel red, at risk amber, as the sheet
        cells = "".join(f'<td{" class=n" if isinstance(r.get(f), (int, float)) else ""}>'
                        f"{escape(_shown(r.get(f), date_format))}</td>" for f in headers)
        rows.append(f"<tr{cls}>{cells}</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _chart(vendors: pd.DataFrame) -> str:
    """On-track and at-risk lines per vendor, as horizontal bars."""
    if vendors.empty:
        return ""
    most = max(int(vendors["lines"].max()), 1)
    bar, height = 360, 22
    parts = []
    for i, r in enumerate(vendors.to_dict("records")):
        y = 10 + i * height
        risk = int(r["at_risk"])
        ok_w = (int(r["lines"]) - risk) / most * bar
        risk_w = risk / most * bar
        parts.append(f'<text x="0" y="{y + 14}" font-size="12">{escape(str(r["vendor"]))}</text>'
                     f'<rect x="110" y="{y}" width="{ok_w:.1f}" height="16" fill="#5b9bd5"/>'
                     f'<rect x="{110 + ok_w:.1f}" y="{y}" width="{risk_w:.1f}" height="16" fill="#c00000"/>'
                     f'<text x="{116 + ok_w + risk_w:.1f}" y="{y + 13}" font-size="11">{risk} at risk</text>')
    total = 20 + len(vendors) * height
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="560" height="{total}" role="img" '
            f'aria-label="PO lines on track and at risk by vendor">{"".join(parts)}</svg>'
            '<p style="font-size:12px"><span style="color:#5b9bd5">&#9632;</span> on track '
            '<span style="color:#c00000">&#9632;</span> at risk</p>')


def _measure_svg(vendors: pd.DataFrame, title: str, fields: Sequence[str], unit: str,
                 legend: str | None = None) -> str:
    """One measure, vendors side by side as horizontal bars (a second field a second, lighter bar, named
    in ``legend`` under the title)."""
    values = [[r[f] for f in fields] for r in vendors.to_dict("records")]
    shown_values = [v for row in values for v in row if v is not None and v == v]
    top = max([100.0] if unit == "%" else [*shown_values, 1.0])
    bar, height, left = 200, 14 * len(fields) + 8, 70
    parts = [f'<text x="0" y="14" font-size="13" font-weight="bold">{escape(title)}</text>']
    if legend:
        parts.append(f'<text x="0" y="26" font-size="10" fill="#555">{escape(legend)}</text>')
    first = 34 if legend else 24
    colours = ("#1f4e78", "#9dc3e6")
    for i, (r, row) in enumerate(zip(vendors.to_dict("records"), values)):
        y = first + i * height
        parts.append(f'<text x="0" y="{y + 11}" font-size="11">{escape(str(r["vendor"]))}</text>')
        for j, v in enumerate(row):
            yy = y + j * 14
            if v is None or v != v:
                parts.append(f'<text x="{left}" y="{yy + 10}" font-size="10" fill="#777">no data</text>')
                continue
            w = max(float(v), 0.0) / top * bar
            parts.append(f'<rect x="{left}" y="{yy}" width="{w:.1f}" height="12" fill="{colours[j % 2]}"/>'
                         f'<text x="{left + w + 4:.1f}" y="{yy + 10}" font-size="10">{float(v):g}'
                         f'{"%" if unit == "%" else ""}</text>')
    total = first + 6 + len(vendors) * height
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="330" height="{total}" role="img" '
            f'aria-label="{escape(title)} by vendor" style="margin:0 18px 12px 0">{"".join(parts)}</svg>')


def scorecard_html(card: Scorecard, date_format: str = DEFAULT_DATE_FORMAT) -> str:
    """The vendor scorecard section: a chart per measure, the figures, exceptions by rule."""
    vendors = vendor_rows(card)
    two = "dark: average, light: worst"
    charts = "".join(_measure_svg(vendors, title, fields, unit, two if len(fields) > 1 else None)
                     for title, fields, unit in CHARTS) if len(vendors) else ""
    cols = {c.field: c.header for c in SCORECARD.columns}
    rules = _table(card.by_rule, {"vendor": "Vendor", "rule": "Rule", "exceptions": "Exceptions",
                                  "per_100": "Per 100 PO lines"}, date_format=date_format)
    return (f"<h2>{escape(period_text(card, date_format))}</h2><div>{charts}</div>"
            + _table(card.table, cols, date_format=date_format)
            + f"<p style=\"font-size:12px\">{escape(ON_TIME_HEADER)}: {escape(ON_TIME_BASIS)} (the order's Terms), "
              "on or before the planned date + On-Time Tolerance Days.</p>"
            + "<h3>Exceptions by rule</h3>" + rules
            + "<p style=\"font-size:12px\">The PO lines, lab dips, samples, WIP report periods and exceptions behind "
              "each figure are on the Scorecard Detail sheet of the report workbook.</p>")


def recovery_html(options: pd.DataFrame, date_format: str = DEFAULT_DATE_FORMAT) -> str:
    """Recovery options of the lines late for cancel: each lever's date, whether it saves it, its cost."""
    cols = {"po": "PO #", "style": "Style #", "color": "Color", "vendor": "Vendor", "cancel": "Cancel",
            "basis": "Judged on", "forecast": "Forecast", "lever": "Lever", "gives": "Gives",
            "saves": "Saves the date", "recommended": "Recommended", "cost_days": "Cost (days)",
            "cost_money": "Cost (USD)", "note": "Note"}
    money = options.assign(cost_money=options["cost_money"].map(
        lambda v: None if v is None or v != v else f"{v:,.0f}"))  # 1,020 as the workbook shows it
    return "<h2>Recovery options for lines late for cancel</h2>" + _table(money, cols, date_format=date_format)


def is_report_page(path: Path) -> bool:
    """Is the file at ``path`` a production report page prodbook wrote (so a new report may replace it)?"""
    try:
        with path.open("rb") as f:
            head = f.read(4096).decode("utf-8", "replace")
    except OSError:
        return False
    return "<title>Production report " in head


def render_scorecard_html(card: Scorecard, date_format: str = DEFAULT_DATE_FORMAT) -> str:
    """The scorecard alone as a page (``prodbook scorecard --out FILE.html``)."""
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Vendor scorecard "
            f"{card.today.isoformat()}</title><style>{_STYLE}</style></head><body>"
            f"{scorecard_html(card, date_format)}</body></html>")


def render_html(*, today: date, since: datetime, lines: pd.DataFrame, vendors: pd.DataFrame,
                changes: Sequence[ChangeRow], other_changes: int, date_format: str = DEFAULT_DATE_FORMAT,
                scorecard: Scorecard | None = None, recovery: pd.DataFrame | None = None,
                empty_note: str | None = None) -> str:
    """The whole report page; dates as in the workbook (Config 'Date Format'). ``empty_note``: what the page
    says when there are no PO lines (why, and what to do)."""
    risk = lines[lines["status"].isin(RISK)] if len(lines) else lines
    units = int(risk["qty"].fillna(0).sum()) if len(risk) else 0
    late = int((lines["status"] == LATE).sum()) if len(lines) else 0
    grouped, quiet = by_line(changes)  # by PO line, most urgent first: as the workbook's What Changed sheet
    change_rows = pd.DataFrame([lc.__dict__ for lc in grouped[:WHAT_CHANGED_LINES]],
                               columns=list(WHAT_CHANGED.fields))
    notes = "".join(f"<p>{escape(n)}</p>" for n in what_changed_notes(grouped, quiet, other_changes))
    vendor_cols = {"vendor": "Vendor", "lines": "PO lines", "units": "Units", "on_time_pct": "On-time ex-factory %",
                   "at_risk": "At risk", "units_at_risk": "Units at risk", "avg_days_late": "Avg days late",
                   "open_exceptions": "Open exceptions"}
    line_cols = {"po": "PO #", "style": "Style #", "color": "Color", "vendor": "Vendor", "qty": "Qty",
                 "status": "Status", "terms": "Terms", "planned_xf": "Planned XF", "forecast_xf": "Forecast XF",
                 "in_dc": "In-DC", "forecast_in_dc": "Forecast In-DC", "cancel": "Cancel",
                 "cancel_check": "Cancel check", "recovery": "Recovery"}
    line_cols = {k: v for k, v in line_cols.items() if k in lines.columns}
    body = [
        f"<h1>Production report, {date_text(today, date_format)}</h1>",
        f"<p>{len(lines):,} PO lines; <b>{len(risk):,} at risk</b> ({units:,} units), of which "
        f"<b>{late:,} late for cancel</b> (judged on ex-factory under FOB, on in-DC under DDP).</p>",
        f'<p style="color:#c00000"><b>{escape(empty_note)}.</b></p>' if empty_note and not len(lines) else "",
        "<h2>By vendor</h2>", _chart(vendors), _table(vendors, vendor_cols, date_format=date_format),
        f"<h2>What changed since {escape(since_text(since, date_format))}</h2>",
        _table(change_rows, {c.field: c.header for c in WHAT_CHANGED.columns}, date_format=date_format),
        notes,
        "<h2>PO lines at risk</h2>", _table(risk, line_cols, risk=True, date_format=date_format),
        recovery_html(recovery, date_format) if recovery is not None and len(recovery) else "",
        scorecard_html(scorecard, date_format) if scorecard is not None else "",
    ]
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Production report "
            f"{today.isoformat()}</title><style>{_STYLE}</style></head><body>{''.join(body)}</body></html>")

