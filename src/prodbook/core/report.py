"""The weekly production report: per PO line, per vendor, and what changed since a date.

Pure functions over the rules' ``Inputs`` (the same forecast ex-factory and
in-DC as the exception rules, and the same late-for-cancel check,
``exceptions.cancel_check``: judged on ex-factory under FOB, on in-DC under
DDP, so the report, the Exceptions sheet, Issues and the run's summary
count the same lines),
the Exceptions sheet and the Change Log. ``write_xlsx`` lays the report out
as a standalone workbook with a chart, for merchandising.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from prodbook.core import exceptions as ex
from prodbook.core.findings import Code
from prodbook.core.looks import DEFAULT_DATE_FORMAT, date_text, look_for, with_date_text
from prodbook.core.model.sheets import EXCEPTIONS, Column, Kind, SheetSpec
from prodbook.core.keys import line_key
from prodbook.workbook.atomic import write_atomic
from prodbook.core.changes import NEW_ROW

ON_TRACK, AT_RISK, LATE, SHIPPED, SHIPPED_LATE = "On track", "At risk", "Late for cancel", "Shipped", \
    "Shipped late"
KEY_MILESTONES = ("FIH", "CUT", "PCK", "XF", "IDC")
"""T&A codes whose moves and status changes the report lists (Config 'Report Milestones')."""

REPORT = SheetSpec("Production Report", (
    Column("PO #", "po"), Column("Style #", "style"), Column("Color", "color"), Column("Vendor", "vendor"),
    Column("Qty", "qty", Kind.INT), Column("Ship Mode", "ship_mode"), Column("Status", "status"),
    Column("Planned XF", "planned_xf", Kind.DATE), Column("Forecast XF", "forecast_xf", Kind.DATE),
    Column("Actual XF", "actual_xf", Kind.DATE), Column("XF Days Late", "xf_days_late", Kind.INT),
    Column("In-DC", "in_dc", Kind.DATE), Column("Forecast In-DC", "forecast_in_dc", Kind.DATE),
    Column("Cancel Date", "cancel", Kind.DATE), Column("Terms", "terms"),
    Column("Cancel Check", "cancel_check"),
    Column("Cut %", "cut_pct", Kind.NUMBER),
    Column("Sewn %", "sewn_pct", Kind.NUMBER), Column("Packed %", "packed_pct", Kind.NUMBER),
    Column("WIP Report", "wip_date", Kind.DATE), Column("Open Exceptions", "open_exceptions", Kind.INT),
    Column("Exception Rules", "exception_rules")),
    key=("po", "style", "color"), generated=True)


def _pct(done: Any, qty: int | None) -> float | None:
    if done is None or not qty or (isinstance(done, float) and done != done):
        return None
    return round(float(done) / qty * 100, 1)


def po_lines(inp: ex.Inputs, exceptions: pd.DataFrame) -> pd.DataFrame:
    """One row per PO line: key dates, status, WIP %, open exceptions. At-risk lines first."""
    s = inp.settings
    open_ex: dict[str, list[str]] = {}
    errors: set[str] = set()
    for r in ex.open_exceptions(exceptions).to_dict("records") if len(exceptions) else []:
        if r.get("po") is None or (isinstance(r.get("po"), float)):
            continue
        k = line_key(r["po"], r["style"], r["color"])
        rule = str(r.get("rule") or "")
        open_ex.setdefault(k, []).append(ex.RULE_NAMES.get(Code(rule), rule) if rule in set(Code) else rule)
        if str(r.get("severity")) == "error":
            errors.add(k)
    rows = []
    for ln in inp.lines:
        k = line_key(ln.po, ln.style, ln.color)
        planned, forecast, sent = ex.planned_xf(ln, s), ex.forecast_xf(ln, s), ex.shipped(ln, s)
        arrive, check = ex.forecast_in_dc(ln, s), ex.cancel_check(ln, s)
        late = (forecast - planned).days if forecast and planned else None
        if check.late:  # FOB: forecast ex-factory after cancel; DDP: forecast in-DC after cancel
            status = LATE
        elif sent:
            status = SHIPPED_LATE if planned and sent > planned else SHIPPED
        elif (late or 0) > 0 or (arrive and ln.in_dc and arrive > ln.in_dc) or k in errors:
            status = AT_RISK
        else:
            status = ON_TRACK
        qty = ln.qty or ln.w("order_qty")
        rules = open_ex.get(k, [])
        rows.append({"po": ln.po, "style": ln.style, "color": ln.color, "vendor": ln.vendor, "qty": ln.qty,
                     "ship_mode": ex.current_mode(ln), "terms": check.terms.label, "status": status,
                     "planned_xf": planned,
                     "forecast_xf": forecast, "actual_xf": sent, "xf_days_late": late, "in_dc": ln.in_dc,
                     "forecast_in_dc": arrive, "cancel": ln.cancel, "cancel_check": check.text(),
                     "cut_pct": _pct(ln.w("cut_qty"), qty), "sewn_pct": _pct(ln.w("sewn_qty"), qty),
                     "packed_pct": _pct(ln.w("packed_qty"), qty), "wip_date": ln.w("report_date"),
                     "open_exceptions": len(rules), "exception_rules": ", ".join(sorted(set(rules))) or None})
    frame = pd.DataFrame(rows, columns=list(REPORT.fields))
    order = {LATE: 0, AT_RISK: 1, SHIPPED_LATE: 3, ON_TRACK: 2, SHIPPED: 4}
    if len(frame):
        frame = frame.assign(_o=frame["status"].map(order)).sort_values(
            ["_o", "vendor", "forecast_xf", "po", "style", "color"], kind="stable", na_position="last"
        ).drop(columns="_o").reset_index(drop=True)
    return frame


RISK = (LATE, AT_RISK)


def vendor_summary(lines: pd.DataFrame) -> pd.DataFrame:
    """Per vendor: lines, units, on-time % (actual or forecast ex-factory by the planned date), at-risk lines
    and units, average days late of the late ones, open exceptions."""
    cols = ["vendor", "lines", "units", "shipped", "on_time_pct", "at_risk", "units_at_risk", "avg_days_late",
            "open_exceptions"]
    if lines.empty:
        return pd.DataFrame(columns=cols)
    out = []
    for vendor, g in lines.groupby(lines["vendor"].fillna("(no vendor)"), sort=True):
        dated = g[g["xf_days_late"].notna()]
        on_time = (dated["xf_days_late"] <= 0).sum()
        risk = g[g["status"].isin(RISK)]
        late = dated[dated["xf_days_late"] > 0]["xf_days_late"]
        out.append({"vendor": vendor, "lines": len(g), "units": int(g["qty"].fillna(0).sum()),
                    "shipped": int(g["status"].isin((SHIPPED, SHIPPED_LATE)).sum()),
                    "on_time_pct": round(on_time / len(dated) * 100, 1) if len(dated) else None,
                    "at_risk": len(risk), "units_at_risk": int(risk["qty"].fillna(0).sum()),
                    "avg_days_late": round(float(late.mean()), 1) if len(late) else 0.0,
                    "open_exceptions": int(g["open_exceptions"].sum())})
    return pd.DataFrame(out, columns=cols)


@dataclass(frozen=True)
class ChangeRow:
    when: datetime
    what: str
    ref: str
    detail: str
    action: str


def _dt(v: Any) -> datetime | None:
    if v is None or v is pd.NaT or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if isinstance(v, datetime):
        return v
    if isinstance(v, date):
        return datetime.combine(v, datetime.min.time())
    return None


def changes_since(log: pd.DataFrame, since: datetime, *, sheets: dict[str, str],
                  exceptions: pd.DataFrame, milestones: Sequence[str] = KEY_MILESTONES
                  ) -> tuple[list[ChangeRow], int]:
    """The Change Log since ``since`` in the report's words: key dates moved, key milestone statuses changed,
    vendor-revised ex-factory dates, new exceptions, resolved ones. Returns them and how many other logged
    changes there were."""
    codes = {c.strip().upper() for c in milestones}
    detail_of = {str(r["id"]): r for r in exceptions.to_dict("records")} if len(exceptions) else {}
    out, other = [], 0
    ta_sheet, wip_sheet, ex_sheet = sheets["T&A"], sheets["Vendor WIP"], sheets["Exceptions"]
    for r in log.to_dict("records"):
        when = _dt(r.get("timestamp"))
        if when is None or when < since:
            continue
        sheet, field, key = r.get("sheet"), r.get("field"), str(r.get("key") or "")
        old = str(r["old"]) if _has(r.get("old")) else ""
        new = str(r["new"]) if _has(r.get("new")) else ""
        action = str(r.get("action") or "")
        row = None
        if sheet == ta_sheet and key.rsplit(" / ", 1)[-1].upper() in codes and old:  # no old: first dated
            ref = key
            if field in ("Forecast", "Planned"):
                row = ChangeRow(when, "Key date moved", ref, f"{field} {old or '(none)'} -> {new or '(none)'}",
                                action)
            elif field == "Status":
                row = ChangeRow(when, "Status changed", ref, f"{old or '(none)'} -> {new or '(none)'}", action)
        elif sheet == wip_sheet and field == "Revised XF":
            row = ChangeRow(when, "Vendor revised ex-factory", key, f"{old or '(none)'} -> {new or '(none)'}",
                            action)
        elif sheet == ex_sheet and field == NEW_ROW:
            e = detail_of.get(key, {})
            ref = " / ".join(str(e[k]) for k in ("po", "style", "color") if _has(e.get(k))) or str(
                e.get("vendor") or "")
            row = ChangeRow(when, "New exception", f"{key} {ref}".strip(), str(e.get("detail") or new), action)
        elif sheet == ex_sheet and field == "Status" and ex.is_closed(new) and not ex.is_closed(old):
            e = detail_of.get(key, {})
            ref = " / ".join(str(e[k]) for k in ("po", "style", "color") if _has(e.get(k))) or str(
                e.get("vendor") or "")
            row = ChangeRow(when, "Exception resolved", f"{key} {ref}".strip(),
                            f"{new}: {e.get('detail') or ''}".strip(": "), action)
        if row is None:
            other += 1
        else:
            out.append(row)
    return out, other


def _has(v: Any) -> bool:
    return v is not None and not (isinstance(v, float) and v != v) and str(v).strip() != ""


# --- the standalone workbook ---------------------------------------------------------------------

_HEAD_COLOR = "FFFFFF"
_FILL_HEAD = "1F4E78"
_FILL_RISK = "FCE4E4"


def write_xlsx(path: Path, *, today: date, since: datetime, lines: pd.DataFrame, vendors: pd.DataFrame,
               changes: Sequence[ChangeRow], other_changes: int, exceptions: pd.DataFrame,
               title: str = "Production report", date_format: str = DEFAULT_DATE_FORMAT) -> Path:
    """The report as its own workbook: Summary (figures, vendors, chart), PO Lines, Changes, Exceptions.

    The tables look like the tracker's sheets (``core.looks``): fitted widths, the workbook's date format,
    live colour rules on status and severity.
    """
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.worksheets[0]  # a new workbook's one sheet (`active` is typed Optional)
    ws.title = "Summary"
    head_font, head_fill = Font(bold=True, color=_HEAD_COLOR), PatternFill("solid", fgColor=_FILL_HEAD)

    def header(sheet: Any, row: int, names: Sequence[str]) -> None:
        for j, name in enumerate(names, start=1):
            c = sheet.cell(row=row, column=j, value=name)
            c.font, c.fill = head_font, head_fill
            c.alignment = Alignment(wrap_text=True, vertical="center")

    ws["A1"] = f"{title} - as of {date_text(today, date_format)}"
    ws["A1"].font = Font(size=16, bold=True, color=_FILL_HEAD)
    ws["A2"] = f"Changes since {date_text(since, date_format)} {since:%H:%M}" \
        if since.time() != datetime.min.time() else f"Changes since {date_text(since, date_format)}"
    risk = lines[lines["status"].isin(RISK)] if len(lines) else lines
    dated = lines[lines["xf_days_late"].notna()] if len(lines) else lines
    figures = (("PO lines", len(lines)), ("Units", int(lines["qty"].fillna(0).sum()) if len(lines) else 0),
               ("On-time ex-factory %", round((dated["xf_days_late"] <= 0).mean() * 100, 1) if len(dated) else None),
               ("At-risk lines", len(risk)),
               ("Late for cancel", int((lines["status"] == LATE).sum()) if len(lines) else 0),
               ("Units at risk", int(risk["qty"].fillna(0).sum()) if len(risk) else 0),
               ("Open exceptions", len(ex.open_exceptions(exceptions)) if len(exceptions) else 0))
    for i, (name, value) in enumerate(figures, start=4):
        _cell(ws, row=i, column=1, value=name).font = Font(bold=True)
        c = _cell(ws, row=i, column=2, value=value)
        c.number_format = "#,##0.0" if isinstance(value, float) else "#,##0"
    top = 4 + len(figures) + 1
    _cell(ws, row=top, column=1, value="By vendor").font = Font(size=13, bold=True)
    names = ["Vendor", "PO lines", "Units", "Shipped", "On-time %", "At-risk lines", "Units at risk",
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
    for j, w in enumerate((34, 12, 12, 10, 11, 12, 13, 13, 14), start=1):
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

    _table_sheet(wb.create_sheet("PO Lines"), lines, REPORT, date_format)
    ch = wb.create_sheet("Changes")
    rows = pd.DataFrame([{"when": c.when, "what": c.what, "ref": c.ref, "detail": with_date_text(c.detail, date_format),
                          "action": c.action} for c in changes], columns=list(CHANGES.fields))
    _table_sheet(ch, rows, CHANGES, date_format)
    if other_changes:
        _cell(ch, row=len(changes) + 3, column=1,
              value=f"Plus {other_changes:,} other logged change(s): see the workbook's Change Log sheet.")
    exs = ex.open_exceptions(exceptions) if len(exceptions) else exceptions
    _table_sheet(wb.create_sheet("Open Exceptions"), exs, OPEN_EXCEPTIONS, date_format)
    return write_atomic(path, wb.save)  # whole or not at all: a full disk leaves no partial file


def _cell(ws: Any, *, row: int, column: int, value: Any = None) -> Any:
    """openpyxl takes any text starting with '=' for a formula: vendor text is data, so force text."""
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    return cell


def _table_sheet(ws: Any, frame: pd.DataFrame, spec: SheetSpec, date_format: str) -> None:
    """``frame``'s ``spec`` fields as a table with the tracker's look (colour rules included)."""
    from prodbook.workbook.looks_openpyxl import apply_look

    ws.append(list(spec.headers))
    for r in frame.to_dict("records") if len(frame) else []:
        values = []
        for col in spec.columns:
            v = r.get(col.field)
            if v is None or v is pd.NaT or (isinstance(v, float) and v != v):
                v = None
            elif isinstance(v, pd.Timestamp):
                v = v.to_pydatetime()
            values.append(v)
        ws.append(values)
        for j, v in enumerate(values, start=1):
            if isinstance(v, str) and v.startswith("="):  # vendor text is data, never a formula
                ws.cell(row=ws.max_row, column=j).data_type = "s"
    apply_look(ws, look_for(spec, date_format))


CHANGES = SheetSpec("Changes", (Column("When", "when", Kind.DATETIME), Column("What", "what"),
                                Column("Ref", "ref"), Column("Detail", "detail"), Column("Run", "action")))
OPEN_EXCEPTIONS = SheetSpec("Exceptions", tuple(
    c for c in EXCEPTIONS.columns if c.field in ("id", "detected", "po", "style", "color", "vendor", "rule",
                                                 "severity", "detail", "status", "owner")))
"""The report's open exceptions: the Exceptions sheet's columns (and its colour rules) bar Resolution."""
