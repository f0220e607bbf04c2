"""The weekly production report: per PO line, per vendor, and what changed since a date.

Pure functions over the rules' ``Inputs`` (the same forecast ex-factory and
in-DC as the exception rules, and the same late-for-cancel check,
``exceptions.cancel_check``: judged on ex-factory under FOB, on in-DC under
DDP, so the report, the Exceptions sheet, Issues and the run's summary
count the same lines),
the Exceptions sheet and the Change Log. ``workbook.report_xlsx`` lays the
report out as a standalone workbook with a chart, for merchandising.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd

from prodbook.core import cancel as cx
from prodbook.core import exceptions as ex
from prodbook.core import recovery as rc
from prodbook.core.cells import text_or_empty, to_date
from prodbook.core.changes import NEW_ROW, UNDO, undone
from prodbook.core.keys import fold_ref, fold_text, key_text, line_key
from prodbook.core.looks import DEFAULT_DATE_FORMAT, date_text
from prodbook.core.model.sheets import EXCEPTIONS, Column, Kind, SheetSpec

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
    Column("Exception Rules", "exception_rules"), Column("Recovery", "recovery")),
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
        open_ex.setdefault(k, []).append(ex.rule_name(r.get("rule")))
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
        recovery = (recovery_text(ex.recovery_options(ln, inp), check.terms.basis, s.date_format) if check.late
                    else None)
        rows.append({"po": ln.po, "style": ln.style, "color": ln.color, "vendor": ln.vendor, "qty": ln.qty,
                     "ship_mode": ex.current_mode(ln), "terms": check.terms.label, "status": status,
                     "planned_xf": planned,
                     "forecast_xf": forecast, "actual_xf": sent, "xf_days_late": late, "in_dc": ln.in_dc,
                     "forecast_in_dc": arrive, "cancel": ln.cancel, "cancel_check": check.text(),
                     "cut_pct": _pct(ln.w("cut_qty"), qty), "sewn_pct": _pct(ln.w("sewn_qty"), qty),
                     "packed_pct": _pct(ln.w("packed_qty"), qty), "wip_date": ln.w("report_date"),
                     "open_exceptions": len(rules), "exception_rules": ", ".join(sorted(set(rules))) or None,
                     "recovery": recovery})
    frame = pd.DataFrame(rows, columns=list(REPORT.fields))
    order = {LATE: 0, AT_RISK: 1, SHIPPED_LATE: 3, ON_TRACK: 2, SHIPPED: 4}
    if len(frame):
        frame = frame.assign(_o=frame["status"].map(order)).sort_values(
            ["_o", "vendor", "forecast_xf", "po", "style", "color"], kind="stable", na_position="last"
        ).drop(columns="_o").reset_index(drop=True)
    return frame


RISK = (LATE, AT_RISK)


def since_text(since: datetime, date_format: str = DEFAULT_DATE_FORMAT) -> str:
    """The start of the report's 'changed since' period as the APM gave it: the day, and the time when one was
    given (``--since 2027-03-01T09:00``), so the summary, the workbook and the web page name the same moment."""
    day = date_text(since, date_format)
    return f"{day} {since:%H:%M}" if since.time() != datetime.min.time() else day


def no_lines_text(orders_sheet: str, stopped: int) -> str:
    """Why the report lists no PO line, and what to do: the Orders sheet is empty, or every line on it is
    cancelled (or its style dropped)."""
    if stopped:
        return (f"No live PO lines: all {stopped:,} PO line(s) on the '{orders_sheet}' sheet are cancelled or "
                "their style is dropped, so the production report lists none. If a line is still on order, clear "
                "its Line Status (or the style's Status on Styles) and run the report again")
    return (f"No PO lines: the '{orders_sheet}' sheet has no rows, so the production report lists none. Add the "
            "season's PO lines (one row per PO, style and colour) and run the report again")


def recovery_text(opts: Sequence[rc.Option], basis: cx.Basis = cx.Basis.EX_FACTORY,
                  date_format: str = DEFAULT_DATE_FORMAT) -> str | None:
    """The Production Report's Recovery cell: the recommended lever with the date it gives (on the
    ``basis`` the cancel date is judged on) and its cost, or the extension to ask for when no lever saves
    the date."""
    best = next((o for o in opts if o.recommended), None)
    if best is not None and best.gives is not None:
        return f"{best.lever}: {basis} {cx.fmt(best.gives, date_format)}{rc.cost_text(best)}"
    ext = next((o for o in opts if o.lever is rc.Lever.EXTENSION), None)
    return f"No lever saves the date: ask to move the cancel date {ext.cost_days} day(s)" if ext else None


RECOVERY = SheetSpec("Recovery", (
    Column("PO #", "po"), Column("Style #", "style"), Column("Color", "color"), Column("Vendor", "vendor"),
    Column("Qty", "qty", Kind.INT), Column("Terms", "terms"), Column("Cancel Date", "cancel", Kind.DATE),
    Column("Judged On", "basis"), Column("Forecast", "forecast", Kind.DATE), Column("Lever", "lever"),
    Column("Gives", "gives", Kind.DATE), Column("Saves the Date", "saves"), Column("Recommended", "recommended"),
    Column("Cost (days)", "cost_days", Kind.INT), Column("Cost (USD)", "cost_money", Kind.NUMBER),
    Column("Note", "note")), key=("po", "style", "color", "lever"))
"""The report workbook's recovery options: one row per lever of each PO line late for cancel."""


LAB_DIP_STATUS = SheetSpec("Lab Dip Status", (
    Column("Style #", "style"), Column("Color", "color"), Column("Vendor", "vendor"), Column("Mill", "mill"),
    Column("Round", "round", Kind.INT), Column("Stands", "state"), Column("Submitted", "submitted", Kind.DATE),
    Column("Received", "received", Kind.DATE), Column("Days With Buyer", "days_with_buyer", Kind.INT),
    Column("Approved On", "approved_on", Kind.DATE), Column("Next", "next_expected"),
    Column("Next By", "next_date", Kind.DATE), Column("Comments", "comments")), key=("style", "color"))
"""The report workbook's lab dips: where each colour stands, what comes next and by when."""

_STANDING_ORDER = ("Resubmit", "Unclear", "With buyer", "At mill", "Not submitted", "Approved", "Cancelled")


def lab_dip_table(status: pd.DataFrame, vendor_of: dict[str, str]) -> pd.DataFrame:
    """The Lab Dips view (``labdips.dip_status``) as the report lists it: the colours that need someone first
    (to resubmit, unclear, with the buyer), each group by what comes next soonest; approved and cancelled last.
    ``vendor_of``: ``keys.style_vendors``."""
    if not len(status):
        return pd.DataFrame(columns=list(LAB_DIP_STATUS.fields))
    rank = {s: i for i, s in enumerate(_STANDING_ORDER)}
    vendors = pd.Series([vendor_of.get(fold_ref(s)) for s in status["style"]], index=status.index,
                        dtype=object)
    out = status.assign(vendor=vendors,
                        _rank=[rank.get(s, len(rank)) for s in status["state"]],
                        _next=pd.to_datetime(status["next_date"], errors="coerce"))
    out = out.sort_values(["_rank", "_next", "style", "color"], kind="stable", na_position="last")
    return out[list(LAB_DIP_STATUS.fields)].reset_index(drop=True)


def recovery_table(inp: ex.Inputs) -> pd.DataFrame:
    """Every lever of every PO line late for cancel (``core.recovery``), the recommended one first."""
    rows = []
    for ln in inp.lines:
        opts = ex.recovery_options(ln, inp)
        if not opts:
            continue
        check = ex.cancel_check(ln, inp.settings)
        for o in sorted(opts, key=lambda o: not o.recommended):
            rows.append({"po": ln.po, "style": ln.style, "color": ln.color, "vendor": ln.vendor, "qty": ln.qty,
                         "terms": check.terms.label, "cancel": ln.cancel, "basis": str(check.terms.basis),
                         "forecast": check.judged, "lever": str(o.lever), "gives": o.gives,
                         "saves": "Yes" if o.saves else "No", "recommended": "Recommended" if o.recommended
                         else None, "cost_days": o.cost_days, "cost_money": o.cost_money, "note": o.note})
    return pd.DataFrame(rows, columns=list(RECOVERY.fields))


def vendor_summary(lines: pd.DataFrame, exceptions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per vendor: lines, units, on-time % (actual or forecast ex-factory by the planned date), at-risk lines
    and units, average days late of the late ones, open exceptions.

    ``exceptions`` (the Exceptions sheet): each vendor's open exceptions are counted there, so the column adds
    up to the report's headline: a vendor's own (a WIP report gone stale) and a cancelled line's count too,
    and a vendor with open exceptions and no live line gets a row. None: the lines' own counts.
    """
    cols = ["vendor", "lines", "units", "shipped", "on_time_pct", "at_risk", "units_at_risk", "avg_days_late",
            "open_exceptions"]
    table = _by_vendor(lines, cols)
    if exceptions is None or not len(exceptions):
        return table
    opened = ex.open_exceptions(exceptions)
    who = opened["vendor"].map(lambda v: text_or_empty(v).strip() or NO_VENDOR) if len(opened) else pd.Series()
    counts = who.map(fold_text).value_counts()
    shown = dict(zip(who.map(fold_text), who))
    have = set(table["vendor"].map(fold_text))
    extra = pd.DataFrame([{**dict.fromkeys(cols, 0), "vendor": shown[k], "on_time_pct": None}
                          for k in counts.index if k not in have], columns=cols)
    table["open_exceptions"] = [int(counts.get(fold_text(v), 0)) for v in table["vendor"]]
    return pd.concat([table, extra], ignore_index=True) if len(extra) else table


NO_VENDOR = "(no vendor)"


def _by_vendor(lines: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    if lines.empty:
        return pd.DataFrame(columns=cols)
    out = []
    for vendor, g in lines.groupby(lines["vendor"].fillna(NO_VENDOR), sort=True):
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
    line: str = ""
    """The PO line ('PO / Style / Color'), or the vendor of an exception that has no line: what
    ``by_line`` groups on."""
    code: str = ""
    """A T&A change's milestone code ('XF'), 'Revised XF' for a vendor's date, else ''."""
    old: str = ""
    new: str = ""
    rule: str = ""
    """An exception's rule (as the Exceptions sheet names it) and its severity."""
    severity: str = ""


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
                  exceptions: pd.DataFrame, milestones: Sequence[str] = KEY_MILESTONES,
                  wip: pd.DataFrame | None = None) -> tuple[list[ChangeRow], int]:
    """The Change Log since ``since`` in the report's words: key dates moved, key milestone statuses changed,
    vendor-revised ex-factory dates (a value changed, or a new weekly report's Revised XF against the one
    before it on the Vendor WIP sheet ``wip``), new exceptions, resolved ones. Runs undone since, and the
    undos, changed nothing that is still there: left out. Returns them and how many other logged changes
    there were."""
    codes = {c.strip().upper() for c in milestones}
    detail_of = {str(r["id"]): r for r in exceptions.to_dict("records")} if len(exceptions) else {}
    out, other = [], 0
    ta_sheet, wip_sheet, ex_sheet = sheets["T&A"], sheets["Vendor WIP"], sheets["Exceptions"]
    gone = undone(log["action"]) if "action" in log.columns else set()
    reports = _revisions(wip) if wip is not None else {}
    for r in log.to_dict("records"):
        when = _dt(r.get("timestamp"))
        if when is None or when < since:
            continue
        action = text_or_empty(r.get("action"))
        if action in gone or action.startswith(UNDO):
            continue
        sheet, field, key = r.get("sheet"), r.get("field"), text_or_empty(r.get("key"))
        if sheet == sheets.get("Issues", "Issues"):
            continue  # the APM's own decisions asked again (logged for undo): not a change of the production
        old = str(r["old"]) if _has(r.get("old")) else ""
        new = str(r["new"]) if _has(r.get("new")) else ""
        row = None
        if sheet == ta_sheet and key.rsplit(" / ", 1)[-1].upper() in codes and old:  # no old: first dated
            ref = key
            line, code = key.rsplit(" / ", 1)
            if field in ("Forecast", "Planned"):
                row = ChangeRow(when, "Key date moved", ref, f"{field} {old or '(none)'} -> {new or '(none)'}",
                                action, line, code.upper() if field == "Forecast" else f"{code.upper()} planned",
                                old, new)
            elif field == "Status":
                row = ChangeRow(when, "Status changed", ref, f"{old or '(none)'} -> {new or '(none)'}", action,
                                line, code.upper(), old, new)
        elif sheet == wip_sheet and field == "Revised XF":
            row = ChangeRow(when, "Vendor revised ex-factory", key, f"{old or '(none)'} -> {new or '(none)'}",
                            action, " / ".join(key.split(" / ")[:3]), REVISED_XF, old, new)
        elif sheet == wip_sheet and field == NEW_ROW and (moved := reports.get(key.upper())):
            line, before, after, day = moved
            row = ChangeRow(when, "Vendor revised ex-factory", line,
                            f"{before} -> {after} (report of {day})", action, line, REVISED_XF, before, after)
        elif sheet == ex_sheet and field == NEW_ROW:
            e = detail_of.get(key, {})
            ref = " / ".join(str(e[k]) for k in ("po", "style", "color") if _has(e.get(k))) or text_or_empty(
                e.get("vendor"))
            row = ChangeRow(when, "New exception", f"{key} {ref}".strip(), _detail(e) or new, action, ref,
                            rule=ex.rule_name(e.get("rule")), severity=text_or_empty(e.get("severity")))
        elif sheet == ex_sheet and field == "Status" and ex.is_closed(new) and not ex.is_closed(old):
            e = detail_of.get(key, {})
            ref = " / ".join(str(e[k]) for k in ("po", "style", "color") if _has(e.get(k))) or text_or_empty(
                e.get("vendor"))
            row = ChangeRow(when, "Exception resolved", f"{key} {ref}".strip(),
                            f"{new}: {_detail(e)}".strip(": "), action, ref, rule=ex.rule_name(e.get("rule")),
                            severity=text_or_empty(e.get("severity")))
        if row is None:
            other += 1
        else:
            out.append(row)
    return out, other


def _revisions(wip: pd.DataFrame) -> dict[str, tuple[str, str, str, str]]:
    """Each weekly report row whose Revised XF differs from the line's report before it, by its Change Log key
    ('PO / Style / Color / report date', folded): (the line, the date before, the date now, the report's
    day). A vendor's new date comes in a new row, never as a changed value."""
    if not len(wip) or not {"po", "style", "color", "report_date", "revised_xf"} <= set(wip.columns):
        return {}
    dated = [(day, r) for r in wip.to_dict("records") if (day := to_date(r.get("report_date"))) is not None]
    dated.sort(key=lambda dr: dr[0])
    out: dict[str, tuple[str, str, str, str]] = {}
    last: dict[str, str] = {}
    for day, r in dated:
        line = line_key(r["po"], r["style"], r["color"])
        revised = to_date(r.get("revised_xf"))
        now = revised.isoformat() if revised else ""
        before = last.get(line)
        if now:
            if before and before != now:
                out[key_text((r["po"], r["style"], r["color"], day)).upper()] = (
                    " / ".join(str(r[k]) for k in ("po", "style", "color")), before, now, day.isoformat())
            last[line] = now
    return out


def _has(v: Any) -> bool:
    return v is not None and not (isinstance(v, float) and v != v) and str(v).strip() != ""


def _detail(exception: Mapping[Any, Any]) -> str:
    """An exception's Detail as the report says it; '' when the cell is blank (read as NaN: 'nan' otherwise)."""
    d = exception.get("detail")
    return str(d) if _has(d) else ""


REVISED_XF = "Revised XF"
WHAT_CHANGED_LINES = 40
"""How many PO lines the report's What Changed lists (the workbook's sheet and the web page alike); the rest
are counted, and every change is on the report workbook's Changes sheet and the tracker's Change Log."""


@dataclass(frozen=True)
class LineChange:
    """One PO line's changes in the period, as a production manager reads them."""
    ref: str
    dates: str
    """Key dates moved, net over the period (two moves that cancel out are none): ex-factory and in-DC first."""
    milestones: str
    """Key milestones done late, now overdue, or done: where each stands at the end of the period."""
    exceptions: str
    """Exceptions opened (errors first) and resolved, by rule."""
    changes: int
    """How many of the line's logged changes this row sums up (the Changes sheet lists each)."""
    rank: int
    """0: a new error exception (late for cancel...); 1: ex-factory or in-DC later; 2: another key date later, a
    milestone done late or overdue, a new warning; 3: good news and the rest (earlier dates, done, resolved)."""
    slip: int = 0
    """The most days a key date moved later: within a rank, the bigger slip first."""


def _moved(old: str, new: str) -> tuple[date | None, date | None, int]:
    before, after = to_date(old) if old else None, to_date(new) if new else None
    return before, after, (after - before).days if before and after else 0


def by_line(changes: Sequence[ChangeRow]) -> tuple[list[LineChange], int]:
    """``changes_since``'s rows grouped by PO line, most urgent first (``LineChange.rank``, then the biggest
    slip); a line whose only changes are milestones coming due (Upcoming -> Due soon), dates that moved and
    came back or exceptions opened and resolved in the period is left out. Returns the lines and how many
    changes were left out that way."""
    groups: dict[str, list[ChangeRow]] = {}
    for c in changes:
        groups.setdefault(c.line or c.ref, []).append(c)
    out, quiet = [], 0
    order = {code: i for i, code in enumerate(dict.fromkeys(("XF", REVISED_XF, "IDC", *KEY_MILESTONES)))}
    for ref, rows in groups.items():
        rows = sorted(rows, key=lambda c: c.when)
        dates: dict[str, tuple[str, str]] = {}
        status: dict[str, str] = {}
        new_ex: list[ChangeRow] = []
        resolved: dict[str, str] = {}  # by exception ID: its rule
        for c in rows:
            if c.what in ("Key date moved", "Vendor revised ex-factory"):
                first = dates.get(c.code, (c.old, c.new))[0]
                dates[c.code] = (first, c.new)
            elif c.what == "Status changed":
                status[c.code] = c.new
            elif c.what == "New exception":
                new_ex.append(c)
            elif c.what == "Exception resolved":
                resolved[c.ref.split(" ", 1)[0]] = c.rule or "exception"
        # an exception opened and resolved within the period asks nothing of the manager: neither is said
        both = {c.ref.split(" ", 1)[0] for c in new_ex} & set(resolved)
        new_ex = [c for c in new_ex if c.ref.split(" ", 1)[0] not in both]
        closed = [rule for id_, rule in resolved.items() if id_ not in both]
        rank, slip, said, also = 3, 0, [], []
        for code in sorted(dates, key=lambda k: (order.get(k, order.get(k.split()[0], len(order))), k)):
            before, after, days = _moved(*dates[code])
            if before == after:
                continue
            key_date = code == REVISED_XF or code.split()[0] in ("XF", "IDC")
            if days > 0:
                rank, slip = min(rank, 1 if key_date else 2), max(slip, days) if key_date else slip
            if not key_date:  # upstream milestones: what moved the key dates, said in short
                also.append(f"{code} {days:+d}" if days else f"{code} {after or '(none)'}")
                continue
            label = "vendor XF" if code == REVISED_XF else code
            said.append(f"{label} {before or '(none)'} -> {after or '(none)'}"
                        + (f" ({abs(days)} day(s) {'later' if days > 0 else 'earlier'})" if days else ""))
        if also:
            said.append(f"{'also moved' if said else 'milestones moved'} (days): {', '.join(also)}")
        done = []
        for code in sorted(status, key=lambda k: order.get(k, len(order))):
            now = status[code]
            if now in ("Done late", "Overdue", "Done"):
                done.append(f"{code} {now.lower()}")
                if now != "Done":
                    rank = min(rank, 2)
        new_ex.sort(key=lambda c: c.severity != "error")
        names = []
        for c in new_ex:
            names.append(f"{c.rule or 'exception'}{' (error)' if c.severity == 'error' else ''}")
            rank = min(rank, 0 if c.severity == "error" else 2)
        exs = "; ".join(p for p in (f"new: {', '.join(dict.fromkeys(names))}" if names else "",
                                     f"resolved: {', '.join(dict.fromkeys(closed))}" if closed else "") if p)
        if not (said or done or exs):
            quiet += len(rows)
            continue
        out.append(LineChange(ref, "; ".join(said), ", ".join(done), exs, len(rows), rank, slip))
    out.sort(key=lambda lc: (lc.rank, -lc.slip, lc.ref))
    return out, quiet


def what_changed_notes(lines: Sequence[LineChange], quiet: int, other: int,
                       limit: int = WHAT_CHANGED_LINES) -> list[str]:
    """The sentences under the What Changed table: the PO lines beyond ``limit`` and where they are, and what
    is counted rather than listed."""
    notes = []
    if len(lines) > limit:
        rest = lines[limit:]
        notes.append(f"And {len(rest):,} more PO line(s) with {sum(lc.changes for lc in rest):,} change(s), "
                     "less urgent than those above: see the report workbook's Changes sheet.")
    if quiet:
        notes.append(f"Not listed: {quiet:,} change(s) that ask nothing now: milestones coming due, dates that "
                     "moved and came back, exceptions opened and resolved in the period (Changes sheet).")
    if other:
        notes.append(f"Not listed: {other:,} other logged change(s) (other milestones' forecasts and statuses, "
                     "variances, follow-ups, exception details, WIP report rows): see the tracker's Change Log "
                     "sheet.")
    return notes


WHAT_CHANGED = SheetSpec("What Changed", (
    Column("PO / Style / Color", "ref"), Column("Dates Moved", "dates"), Column("Milestones", "milestones"),
    Column("Exceptions", "exceptions"), Column("Changes", "changes", Kind.INT)))
"""The report's What Changed: one row per PO line, most urgent first (``by_line``)."""


CHANGES = SheetSpec("Changes", (Column("When", "when", Kind.DATETIME), Column("What", "what"),
                                Column("Ref", "ref"), Column("Detail", "detail"), Column("Run", "action")))
OPEN_EXCEPTIONS = SheetSpec("Exceptions", tuple(
    c for c in EXCEPTIONS.columns if c.field in ("id", "detected", "po", "style", "color", "vendor", "rule",
                                                 "severity", "detail", "status", "owner")))
"""The report's open exceptions: the Exceptions sheet's columns (and its colour rules) bar Resolution."""
