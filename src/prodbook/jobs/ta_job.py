"""Rebuild the T&A sheet: read the inputs, run the engine, keep what the user typed.

The shell around ``prodbook.ta``: everything here is reading tables from the
tracker, matching the new milestones to the rows already on the T&A sheet,
and staging the writes (T&A, its archive, the Change Log).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from prodbook import ta
from prodbook.factories import vendor_calendars
from prodbook.findings import Code, Finding, UserError, info, warning
from prodbook.jobs import development_job
from prodbook.jobs.base import Context, Outcome, valid_frame
from prodbook.model.records import Status
from prodbook.model.sheets import (ARCHIVE_SUFFIX, CLOSURES, ORDERS, STYLES, TA, TEMPLATES, VENDORS,
                                   Column, Kind, SheetSpec)
from prodbook.workbook.tables import Table, key_text
from prodbook.workbook.tracker import ARCHIVED, FILLED, NEW_ROW, Change, Tracker, column_values
from prodbook.workbook.xlsxparts import CellEdit

GENERATED = ("vendor", "milestone", "owner", "planned", "forecast", "status", "variance")
"""T&A fields prodbook owns; Actual, Notes and the team's extra columns are the user's."""
KEY = ("po", "style", "color", "code")
TA_ARCHIVE = SheetSpec(TA.name + ARCHIVE_SUFFIX, (
    *TA.columns, Column("Archived", "archived", Kind.DATE), Column("Reason", "reason")),
    key=TA.key, generated=True)


@dataclass
class Inputs:
    """The validated input tables of the T&A engine."""

    styles: pd.DataFrame
    orders: pd.DataFrame
    templates: pd.DataFrame
    vendors: pd.DataFrame
    closures: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)


def read_inputs(tracker: Tracker) -> Inputs:
    findings: list[Finding] = []
    frames = {}
    for spec, required in ((STYLES, True), (ORDERS, True), (TEMPLATES, True), (VENDORS, False),
                           (CLOSURES, False)):
        frame, found = valid_frame(tracker, spec, required=required)
        frames[spec.name] = frame
        findings += found
    return Inputs(frames["Styles"], frames["Orders"], frames["T&A Templates"], frames["Vendors"],
                  frames["Closures"], findings)


def _unknown_vendors(inputs: Inputs, calendars: dict, tracker: Tracker) -> list[Finding]:
    known = set(calendars)
    out = []
    for vendor, group in inputs.styles.groupby(inputs.styles["vendor"].fillna("")):
        if vendor and vendor not in known:
            out.append(warning(Code.UNKNOWN_VENDOR, f"vendor '{vendor}' is not on the Vendors sheet, so "
                               "its T&A counts Monday-Friday with no holidays; add the vendor with its "
                               "weekend and holiday country", file=tracker.file,
                               sheet=tracker.sheet(STYLES), row=int(group["_row"].iloc[0]),
                               column="Vendor", value=vendor))
    return out


def rebuild(tracker: Tracker, ctx: Context) -> Outcome:
    """Plan, forecast and status every milestone of every PO line; stage the T&A sheet."""
    inputs = read_inputs(tracker)
    findings = list(inputs.findings)
    fatal = [f for f in findings if f.code in (Code.SHEET_MISSING, Code.COLUMN_MISSING)
             and f.severity == "error"]
    if fatal:
        raise UserError(f"the T&A was not rebuilt, so that no row of it is lost: {fatal[0].message}",
                        file=tracker.file, sheet=fatal[0].sheet, row=fatal[0].row,
                        column=fatal[0].column)
    plans, found = ta.compile_templates(inputs.templates, file=tracker.file,
                                        sheet=tracker.sheet(TEMPLATES))
    findings += found
    years = ta.required_years(inputs.orders)
    calendars, default, found = vendor_calendars(inputs.vendors, inputs.closures, years,
                                                 file=tracker.file, vendors_sheet=tracker.sheet(VENDORS))
    findings += found + _unknown_vendors(inputs, calendars, tracker)
    names = {s.name: tracker.sheet(s) for s in (ORDERS, STYLES, TEMPLATES)}
    new, found = ta.schedule(plans, inputs.orders, inputs.styles, calendars, default,
                             file=tracker.file, sheets=names)
    findings += found
    current = tracker.table(TA, required=False)
    findings += current.findings
    old = current.frame
    new_key = ta.index_key(new, KEY)
    old_key = ta.index_key(old, KEY) if len(old) else pd.Series([], dtype="string")
    old_pos = pd.Series(np.arange(len(old)), index=old_key.to_numpy())
    old_pos = old_pos[~old_pos.index.duplicated(keep="first")]
    match = old_pos.reindex(new_key.to_numpy()).to_numpy()
    matched = ~np.isnan(match)
    take = match[matched].astype(int)
    new["actual"] = None
    new["notes"] = None
    new.loc[matched, "actual"] = old["actual"].to_numpy()[take]
    new.loc[matched, "notes"] = old["notes"].to_numpy()[take]
    fed = development_job.fill_lab_dip_actuals(tracker, new, ctx)  # approved colours' blank Actuals
    new = ta.progress(new, plans, calendars, default, ctx.today, tracker.config.due_soon_days)
    findings += ta.ex_factory_risks(new, inputs.orders, tracker.config.ex_factory_code, plans,
                                    file=tracker.file, sheet=tracker.sheet(ORDERS))
    findings += _future_actuals(new, ctx, tracker, current, matched, take)

    source_rows = np.zeros(len(new), dtype=int)
    source_rows[matched] = old["_row"].to_numpy()[take]
    source: list[int | None] = [int(r) if r else None for r in source_rows]
    changes = _changes(tracker.sheet(TA), new, old, matched, take)
    gone = np.setdiff1d(np.arange(len(old)), take)
    if len(gone):
        archived = old.iloc[gone]
        changes += [Change(tracker.sheet(TA), key_text(r[k] for k in KEY), ARCHIVED, "T&A row",
                           tracker.sheet(TA_ARCHIVE)) for _, r in archived.iterrows()]
        findings.append(info(Code.ROWS_ARCHIVED, f"{len(gone)} T&A row(s) of PO lines no longer on the "
                             f"Orders sheet (or milestones no longer in their template) were moved to "
                             f"'{tracker.sheet(TA_ARCHIVE)}'", file=tracker.file,
                             sheet=tracker.sheet(TA)))
        _stage_archive(tracker, current, archived, ctx)
    in_place = current.exists and matched.all() and not len(gone) and all(
        f in current.columns for f in (*KEY, *GENERATED))
    if in_place:  # the same rows: change only the cells that changed, in the order the user keeps
        rows_after = np.asarray(source, dtype=int)
        _edit_in_place(tracker, current, new, old, take)
    else:
        rows_after = current.header_row + 1 + np.arange(len(new)) if current.exists else 2 + np.arange(len(new))
        fields = list(GENERATED) if current.exists else list(TA.fields)
        tracker.replace_rows(current, new, [*KEY, *fields] if current.exists else fields,
                             source if current.exists else None)
    changes += development_job.write_lab_dip_actuals(tracker, current, new, fed, rows_after)
    tracker.remember(TA, new.assign(_row=rows_after))
    tracker.log(changes)
    return Outcome("Rebuild T&A", findings, changes, summary=summarise(new, findings, ctx),
                   data={"milestones": len(new), "po_lines": int(new["order_row"].nunique())})


def _edit_in_place(tracker: Tracker, current: Table, new: pd.DataFrame, old: pd.DataFrame,
                   take: np.ndarray) -> None:
    """Stage one cell edit per changed generated value (every row matched, none gone)."""
    rows = old["_row"].to_numpy()[take]
    for f in GENERATED:
        before, after = old[f].to_numpy()[take], new[f]
        changed = np.flatnonzero(differs(before, after.to_numpy(), TA.column(f).kind))
        values = column_values(after.iloc[changed])
        for j, value in zip(changed, values):
            tracker.backend.edit(CellEdit(current.sheet, int(rows[j]), current.columns[f], value))


def _future_actuals(new: pd.DataFrame, ctx: Context, tracker: Tracker, current, matched, take
                    ) -> list[Finding]:
    actual = pd.to_datetime(new["actual"].where(new["actual"] != ta.NA), errors="coerce")
    future = actual > pd.Timestamp(ctx.today)
    out = []
    rows = np.full(len(new), -1)
    rows[np.flatnonzero(matched)] = current.frame["_row"].to_numpy()[take] if len(take) else []
    for i in np.flatnonzero(future.to_numpy()):
        out.append(warning(Code.ACTUAL_IN_FUTURE, "the Actual date is after today; an Actual is the day "
                           "it happened. Put expected dates in Notes", file=tracker.file,
                           sheet=tracker.sheet(TA), row=int(rows[i]) if rows[i] > 0 else None,
                           column=current.header_of("actual"),
                           value=actual.iloc[i].date().isoformat()))
    return out


def _changes(sheet: str, new: pd.DataFrame, old: pd.DataFrame, matched: np.ndarray, take: np.ndarray
             ) -> list[Change]:
    """New rows, and every generated value that differs from what the sheet held."""
    key_columns = [new[k].to_numpy(dtype=object) for k in KEY]
    codes = new["code"].to_numpy(dtype=object)

    def key(i: int) -> str:  # the Change Log's row key, built only for the rows that changed
        return key_text(c[i] for c in key_columns)

    changes = [Change(sheet, key(i), NEW_ROW, None, codes[i]) for i in np.flatnonzero(~matched)]
    if not len(take):
        return changes
    idx = np.flatnonzero(matched)
    blank = np.ones(len(take), dtype=bool)  # rows prodbook never filled: logged once, as filled
    for f in GENERATED:
        blank &= pd.isna(pd.Series(old[f].to_numpy()[take], dtype=object)).to_numpy()
    changes += [Change(sheet, key(i), FILLED, None, codes[i]) for i in idx[blank]]
    for f in GENERATED:
        before, after = old[f].to_numpy()[take], new[f].to_numpy()[idx]
        for j in np.flatnonzero(differs(before, after, TA.column(f).kind) & ~blank):
            changes.append(Change(sheet, key(idx[j]), TA.column(f).header, before[j], after[j]))
    return changes


def differs(before: np.ndarray, after: np.ndarray, kind: Kind) -> np.ndarray:
    """Element-wise 'the value changed', comparing dates by day and numbers by value; blanks equal."""
    if kind is Kind.DATE:
        a, b = _days(before), _days(after)
        return ~((a == b) | (np.isnat(a) & np.isnat(b)))
    if kind in (Kind.INT, Kind.NUMBER):
        a = pd.to_numeric(pd.Series(before, dtype=object), errors="coerce").to_numpy(float)
        b = pd.to_numeric(pd.Series(after, dtype=object), errors="coerce").to_numpy(float)
        return ~((a == b) | (np.isnan(a) & np.isnan(b)))
    a = pd.Series(before, dtype=object).fillna("").astype(str).to_numpy()
    b = pd.Series(after, dtype=object).fillna("").astype(str).to_numpy()
    return a != b


def _days(values: np.ndarray) -> np.ndarray:
    """Dates by day; numpy reads date objects and None directly, pandas the rest."""
    if values.dtype.kind == "M":
        return values.astype("datetime64[D]")
    try:
        return np.array(values, dtype="datetime64[D]")
    except (TypeError, ValueError):
        return pd.to_datetime(pd.Series(values, dtype=object), errors="coerce").to_numpy("datetime64[D]")


def _stage_archive(tracker: Tracker, current, archived: pd.DataFrame, ctx: Context) -> None:
    table = tracker.table(TA_ARCHIVE, required=False)
    rows = archived[list(TA.fields)].copy()
    rows["archived"] = ctx.today
    rows["reason"] = "PO line or milestone no longer planned"
    old = table.frame[list(TA_ARCHIVE.fields)]
    both = pd.concat([old, rows], ignore_index=True) if len(old) else rows
    source = [*map(int, table.frame["_row"]), *([None] * len(rows))] if table.exists else None
    tracker.replace_rows(table, both, list(TA_ARCHIVE.fields), source)


def summarise(new: pd.DataFrame, findings: list[Finding], ctx: Context) -> list[str]:
    """The few lines an APM wants after a rebuild."""
    if new.empty:
        return ["No T&A milestones: check the Orders, Styles and T&A Templates sheets."]
    counts = new["status"].value_counts()
    risk = [f for f in findings if f.code is Code.XF_AFTER_CANCEL]
    lines = [f"{len(new):,} milestones for {new['order_row'].nunique():,} PO lines "
             f"(as of {ctx.today:%a %d %b %Y}).",
             "  " + ", ".join(f"{counts.get(s.value, 0):,} {s.value.lower()}" for s in
                              (Status.OVERDUE, Status.DUE_SOON, Status.DONE_LATE))
             + f"; {len(risk)} PO line(s) forecast to miss the cancel date."]
    overdue = new[new["status"] == Status.OVERDUE.value]
    if len(overdue):
        by_vendor = overdue.groupby(overdue["vendor"].fillna("(no vendor)")).size().sort_values(
            ascending=False)
        lines.append("  Overdue by vendor: " + ", ".join(f"{v} {n}" for v, n in by_vendor.items()))
    return lines
