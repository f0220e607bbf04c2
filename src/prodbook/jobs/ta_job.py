"""Rebuild the T&A sheet: read the inputs, run the engine, keep what the user typed.

The shell around ``prodbook.core.ta``: everything here is reading tables from the
tracker, matching the new milestones to the rows already on the T&A sheet,
and staging the writes (T&A, its archive, the Change Log).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

import numpy as np
import pandas as pd

from prodbook.core import exceptions as ex
from prodbook.core import order_dates, row_snapshot, ta, ta_edits
from prodbook.core.cells import Formula, Value, is_missing, text_or_empty
from prodbook.core.changes import (
    ARCHIVED,
    ARCHIVED_FROM,
    FILLED,
    NEW_ROW,
    Change,
    cell_value,
    log_text,
    row_prints,
)
from prodbook.core.development import labdips
from prodbook.core.development.recorded import recorded_actuals
from prodbook.core.factories import LINE_VENDOR_HEADERS, closures_in_error, line_vendors_ignored, vendor_calendars
from prodbook.core.findings import Code, Finding, UserError, error, info, warning
from prodbook.core.keys import fold_text, index_key, key_text, key_texts, split_colors
from prodbook.core.model.records import Status
from prodbook.core.model.sheets import (
    ARCHIVE_SUFFIX,
    CLOSURES,
    LAB_DIPS,
    ORDERS,
    SAMPLES,
    STYLES,
    TA,
    TEMPLATES,
    VENDOR_WIP,
    VENDORS,
    Column,
    Kind,
    SheetSpec,
    normalise_header,
)
from prodbook.core.ta_edits import differs
from prodbook.jobs.base import ACTION_NAMES, Context, Outcome, line_status_header, valid_frame
from prodbook.workbook.tables import Table
from prodbook.workbook.tracker import Tracker, column_values
from prodbook.workbook.xlsx.refs import reads_other_rows, translate_formula

GENERATED = ("vendor", "milestone", "owner", "planned", "forecast", "status", "variance")
"""T&A fields prodbook owns; Actual, Notes and the team's extra columns are the user's."""
KEY = ("po", "style", "color", "code")
ORDER_DATES = ("po_date", "ex_factory", "in_dc", "cancel")
"""The Orders dates a template's step may be anchored on."""
USER = ("actual", "notes")
"""The APM's columns of the T&A: never written over, and added after the last column when the sheet lacks one."""
TA_ARCHIVE = SheetSpec(TA.name + ARCHIVE_SUFFIX, (
    *TA.columns, Column("Archived", "archived", Kind.DATE), Column("Reason", "reason"),
    Column("Your Columns", "extras")),
    key=TA.key, generated=True)
"""Your Columns: the row's cells in the team's own T&A columns (``row_snapshot``), back with the row."""


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


def _colors_split(tracker: Tracker, inputs: Inputs) -> list[Finding]:
    """A warning at a style's Colors on Styles where an Orders colour of the style has a comma (or ';', '/') in
    its name and Colors, split at it as always, reads it as two colours: 'Colors changed' alone does not say so."""
    styles, orders = inputs.styles, inputs.orders
    if not len(styles) or not len(orders) or "colors" not in styles.columns:
        return []
    listed: dict[str, tuple[str, int]] = {}
    for style, colors, row in zip(styles["style"], styles["colors"], styles["_row"]):
        if not is_missing(colors) and fold_text(style):
            listed.setdefault(fold_text(style), (str(colors), int(row)))
    out, said = [], set()
    for style, color, row in zip(orders["style"], orders["color"], orders["_row"]):
        if is_missing(color) or not (sep := re.search(r"[,;/\n]", str(color))) or fold_text(style) not in listed:
            continue
        colors, at = listed[fold_text(style)]
        parts, names = split_colors(color), [fold_text(c) for c in split_colors(colors)]
        if (fold_text(style), fold_text(color)) in said or len(parts) < 2 \
                or not all(fold_text(p) in names for p in parts):
            continue
        said.add((fold_text(style), fold_text(color)))
        plain = " ".join(re.sub(r"[,;/\n]", " ", str(color)).split())
        header = tracker.table(STYLES).header_of("colors")
        out.append(warning(
            Code.COLOR_SPLIT,
            f"style {style}: the colour '{color}' on {tracker.sheet(ORDERS)} (row {int(row)}) has "
            f"'{sep.group()}' in its name, and {header} here is split into colours at every comma, ';' and '/', "
            f"so it reads that colour as {len(parts)}: " + ", ".join(f"'{p}'" for p in parts) + ". Type the "
            f"colour without it (e.g. '{plain}') here, on {tracker.sheet(ORDERS)}, Lab Dips, Samples and in the "
            f"Color of its rows on the T&A, all before the next refresh (so its T&A rows keep their Actual dates)",
            file=tracker.file, sheet=tracker.sheet(STYLES), row=at, column=header, value=colors,
            key=f"{style} / {color}"))
    return out


def _unknown_vendors(inputs: Inputs, calendars: dict, tracker: Tracker) -> list[Finding]:
    known = set(calendars)
    out = []
    planned = {str(s).strip().upper() for s in inputs.orders["style"]} if len(inputs.orders) else set()
    blank = [r for r in inputs.styles.to_dict("records") if is_missing(r.get("vendor")) or not str(r["vendor"]).strip()]
    header, vendors = tracker.table(STYLES).header_of("vendor"), tracker.sheet(VENDORS)  # the team's names
    for r in blank:  # its lines are planned on Monday-Friday without holidays: say so, once a style with orders
        if str(r["style"]).strip().upper() in planned:
            out.append(warning(Code.UNKNOWN_VENDOR, f"style {r['style']} has no {header}, so its T&A counts "
                               f"Monday-Friday with no holidays; type its vendor code (one on the {vendors} sheet)",
                               file=tracker.file, sheet=tracker.sheet(STYLES), row=int(r["_row"]),
                               column=header))
    for vendor, group in inputs.styles.groupby(inputs.styles["vendor"].fillna("")):
        if vendor and fold_text(vendor) not in known:
            out.append(warning(Code.UNKNOWN_VENDOR, f"vendor '{vendor}' is not on the {vendors} sheet, so "
                               "its T&A counts Monday-Friday with no holidays; add the vendor with its "
                               "weekend and holiday country", file=tracker.file,
                               sheet=tracker.sheet(STYLES), row=int(group["_row"].iloc[0]),
                               column=header, value=vendor))
    return out


def _team_headers(tracker: Tracker, *specs: SheetSpec) -> dict[str, str]:
    """Field -> the team's header on these sheets (prodbook's where the team has no column): the findings name
    the column the APM sees ('Ex-Fty Date', 'Holidays'), not prodbook's name for it. Sheets with no field in
    common, as Vendors and Closures."""
    out: dict[str, str] = {}
    for spec in specs:
        table = tracker.table(spec, required=False)
        out.update({f: table.header_of(f) for f in spec.fields})
    return out


def rebuild(tracker: Tracker, ctx: Context) -> Outcome:
    """Plan, forecast and status every milestone of every PO line; stage the T&A sheet.

    A template with an error blocks only its own PO lines: their T&A rows stay
    exactly as they are (stale, reported on Issues), and nothing is archived
    because of an input error. Rows are archived only for PO lines gone from
    Orders or milestones removed from a valid template; rows that come back
    are taken back from the archive with the user's Actual and Notes.
    """
    inputs = read_inputs(tracker)
    findings = list(inputs.findings)
    findings += _colors_split(tracker, inputs)
    fatal = [f for f in findings if f.code in (Code.SHEET_MISSING, Code.COLUMN_MISSING)
             and f.severity == "error"]
    if fatal:
        raise UserError(f"the T&A was not rebuilt, so that no row of it is lost: {fatal[0].message}",
                        file=tracker.file, sheet=fatal[0].sheet, row=fatal[0].row,
                        column=fatal[0].column)
    plans, broken, removal_ok, found = _checked_templates(tracker, inputs)
    twice = ta.duplicate_rows({"": found})  # said once, naming the template, the code and both rows
    findings = [f for f in findings if not (f.code is Code.DUPLICATE_KEY and f.sheet == tracker.sheet(TEMPLATES)
                                            and f.row in twice)]
    findings += found
    orders_table = tracker.table(ORDERS)
    stopped, found, stopped_line = _not_to_plan(tracker, inputs)
    findings += found
    inputs.orders = inputs.orders[~index_key(inputs.orders, ta.LINE).isin(set(stopped)).to_numpy()] \
        .reset_index(drop=True) if stopped else inputs.orders  # not planned, not checked: its T&A is archived
    findings += order_dates.in_dc_before_ex_factory(inputs.orders, file=tracker.file, sheet=orders_table.sheet,
                                                    headers={f: orders_table.header_of(f) for f in ORDER_DATES})
    years, far = ta.years_by_vendor(inputs.orders, inputs.styles, ctx.today, sheet=orders_table.sheet,
                                    headers={f: orders_table.header_of(f) for f in ORDER_DATES})
    calendars, default, found = vendor_calendars(
        inputs.vendors, inputs.closures, years, file=tracker.file, vendors_sheet=tracker.sheet(VENDORS),
        closures_sheet=tracker.sheet(CLOSURES), headers=_team_headers(tracker, VENDORS, CLOSURES), far=far,
        unreadable=closures_in_error(tracker.table(CLOSURES, required=False).frame, inputs.findings,
                                     tracker.sheet(CLOSURES)))
    if any(" ".join(str(h).split()).casefold() in LINE_VENDOR_HEADERS for h in orders_table.headers if h):
        found += line_vendors_ignored(  # a team's Vendor column on Orders: the line is planned by Styles'
            inputs.orders, inputs.styles, inputs.vendors,
            ((int(r), h, v) for r in inputs.orders["_row"] for h, v in tracker.extra_cells(orders_table,
                                                                                           int(r)).items()),
            file=tracker.file, sheet=orders_table.sheet, styles_sheet=tracker.sheet(STYLES),
            styles_header=tracker.table(STYLES).header_of("vendor"))
    on_sheet = {fold_text(v) for v in inputs.vendors["vendor"] if not is_missing(v)} \
        if len(inputs.vendors) else set()
    unusable = on_sheet - set(calendars)  # a Weekend or Holiday Country in error
    findings += found + _unknown_vendors(inputs, calendars | dict.fromkeys(unusable), tracker)
    names = {s.name: tracker.sheet(s) for s in (ORDERS, STYLES, TEMPLATES)}

    not_yet = _not_yet_dates(orders_table)  # 'TBC' in Ex-Factory: planned as for a blank, never kept stale
    if not _bad_order_rows(inputs, tracker.sheet(ORDERS)):  # every line planned: no T&A needed
        rows, lines = ta.planned_size(plans, inputs.orders, inputs.styles, blocked=broken)
        tracker.check_fits(tracker.peek(TA), rows, _milestones(rows, lines))  # before a long T&A is read
    current = tracker.table(TA, required=False)
    findings += current.findings + _lacking_user_columns(current, tracker)
    old = current.frame
    orders = _plannable_orders(inputs, tracker.sheet(ORDERS), unusable)
    findings += _new_lines_held(tracker, inputs, old)
    order_columns = tracker.table(ORDERS).columns
    new, found = ta.schedule(plans, orders, inputs.styles, calendars, default, file=tracker.file, sheets=names,
                             blocked=broken, absent=[f for f in ORDER_DATES if f not in order_columns],
                             headers={s.name: _team_headers(tracker, s) for s in (ORDERS, STYLES)},
                             header_rows={ORDERS.name: orders_table.header_row}, not_yet=not_yet)
    findings += found
    new_key = index_key(new, KEY)
    old_key = index_key(old, KEY) if len(old) else pd.Series([], dtype="string")
    unplanned = int((~old_key.isin(set(new_key))).sum())  # kept as they are, or archived: counted
    tracker.check_fits(current, len(new) + unplanned,
                       _milestones(len(new), new["order_row"].nunique() if len(new) else 0))
    old_pos = pd.Series(np.arange(len(old)), index=old_key.to_numpy())
    old_pos = old_pos[~old_pos.index.duplicated(keep="first")]
    match = old_pos.reindex(new_key.to_numpy()).to_numpy()
    matched = ~np.isnan(match)
    take = match[matched].astype(int)
    was_matched = np.zeros(len(old), dtype=bool)
    was_matched[take] = True
    fates, left = ta.triage(old, was_matched, new, tracker.table(ORDERS).frame, removal_ok=removal_ok,
                            stopped=stopped)
    new["actual"] = None
    new["notes"] = None
    new.loc[matched, "actual"] = old["actual"].to_numpy()[take]
    new.loc[matched, "notes"] = old["notes"].to_numpy()[take]
    archive = tracker.table(TA_ARCHIVE, required=False)
    restored = _from_archive(new, new_key, matched, archive.frame)  # new position -> archive position
    fed = _fill_dev_actuals(tracker, new, ctx, current, match)  # what Lab Dips and Samples record
    new = ta.progress(new, plans, calendars, default, ctx.today, tracker.config.due_soon_days,
                      ex_factory_code=tracker.config.ex_factory_code)
    ta_sheet, archive_sheet = tracker.sheet(TA), tracker.sheet(TA_ARCHIVE)
    where = ta_edits.Where(tracker.file, ta_sheet, tracker.sheet(TEMPLATES), archive_sheet, headers={
        **{f: current.header_of(f) for f in ("planned", "forecast", "status", "actual")},
        "po_date": orders_table.header_of("po_date")})
    findings += _questioned_actuals(new, ctx, tracker, current, matched, take, inputs.orders, plans, where)
    # an order date's typo year (Ex-Factory 2207) said by the T&A run too, in 4 digits: its own messages write
    # 01-Mar-07 (said once in a refresh, where the record check says it as well)
    findings += order_dates.unlikely_years(inputs.orders, ctx.today, file=tracker.file, sheet=orders_table.sheet,
                                           headers={f: orders_table.header_of(f) for f in ORDER_DATES})

    stale = np.flatnonzero(fates == ta.Fate.STALE.value)
    gone = np.flatnonzero(np.isin(fates, [f.value for f in ARCHIVE_FATES]))
    changes = _as_written(_changes(ta_sheet, new, old, matched, take), tracker, current)
    notes: list[str] = [stopped_line] if stopped_line else []
    if len(stale):
        found, line = _stale_findings(tracker, old.iloc[stale], inputs, broken,
                                      _held_by_closures(tracker, inputs, findings, unusable))
        findings += found
        notes.append(line)
    if len(gone):
        changes += [Change(ta_sheet, key_text(r[k] for k in KEY), ARCHIVED, f"{ARCHIVED_FROM} {int(r['_row'])}",
                           archive_sheet) for _, r in old.iloc[gone].iterrows()]  # the row: undo puts it back there
        line = _moved_line(fates[gone], left[gone], index_key(old.iloc[gone], ta.LINE).to_numpy(), archive_sheet,
                           old["code"].to_numpy(dtype=object)[gone])
        findings.append(info(Code.ROWS_ARCHIVED, line, file=tracker.file, sheet=ta_sheet))
        notes.append(line)
        findings += _renamed_colors(tracker, old, fates, new, matched, archive_sheet)
    # what the APM or a template edit changed since the last run: milestones removed or added, a step changed,
    # prodbook's columns typed over
    found, said = ta_edits.since_last_run(plans, calendars, default, old, new, matched, take, fates, left, restored,
                                          where)
    findings += found
    notes += said
    taken_extras, taken_from = _archived_extras(archive, restored, current)
    if restored:
        changes += [Change(archive_sheet, key_text(archive.frame.iloc[a][k] for k in KEY), TAKEN_BACK,
                           archive.frame.iloc[a]["archived"], archive.frame.iloc[a]["reason"])
                    for a in restored.values()]
        changes += _as_archived(tracker, archive, sorted(restored.values()))
        changes += _taken_back_values(ta_sheet, new, restored, taken_extras)
        line = (f"{len(restored):,} T&A row(s) taken back from '{archive_sheet}' with their Actual dates "
                "and Notes (their PO line, template or milestone is planned again).")
        findings.append(info(Code.ROWS_RESTORED, line, file=tracker.file, sheet=ta_sheet))
        notes.append(line)
    if len(gone) or restored:
        reasons = [_REASONS[ta.Fate(f)].format(t=t) for f, t in zip(fates[gone], left[gone])]
        extras = pd.Series(extras_of(tracker, current, old["_row"].to_numpy()[gone].tolist()), dtype=object)
        leaving = typed_keys(current, _user_cells_as_written(tracker, current, old.iloc[gone]))
        _stage_archive(tracker, archive, leaving.assign(reason=reasons, extras=extras.to_numpy()),
                       set(restored.values()), ctx)

    rows_new, final, rows_final, moved = _stage_ta(tracker, current, new, old, old.iloc[stale], matched, take,
                                                   restored, rearrange=bool(len(gone)))
    tracker.rows_moved(ta_sheet, moved, gone=old["_row"].to_numpy()[gone].tolist())
    findings = tracker.at_rows_now(findings)
    if restored and current.exists:  # said at the rows they land on
        found, logged = _write_taken_extras(tracker, current, new, taken_extras, taken_from, rows_new)
        findings += found
        changes += logged
    changes += _write_dev_actuals(tracker, current, new, fed, rows_new)
    tracker.remember(TA, final.assign(_row=rows_final))
    tracker.log(changes)
    findings += cancel_findings(tracker, inputs, final, ctx.today)
    return Outcome(ACTION_NAMES["ta"], findings, changes,
                   summary=summarise(new, findings, ctx, stale=len(stale)) + ["  " + n for n in notes],
                   data={"milestones": len(new), "po_lines": int(new["order_row"].nunique()),
                         "stale_rows": len(stale), "archived": len(gone), "restored": len(restored)})


def _not_to_plan(tracker: Tracker, inputs: Inputs) -> tuple[dict[str, str], list[Finding], str]:
    """The PO lines not to plan (``index_key`` -> why: cancelled on Orders, style dropped), what the APM should
    know about them and the lines on hold, and the summary line ('' when there are none)."""
    table = tracker.table(ORDERS)
    header = line_status_header(tracker)
    reasons = ta.stop_reasons(inputs.orders, inputs.styles, status_header=header)
    found = ta.line_status_findings(inputs.orders, reasons, file=tracker.file, sheet=table.sheet,
                                    status_header=header or ORDERS.column("line_status").header,
                                    qty_header=table.header_of("qty"))
    at = np.array([r is not None for r in reasons], dtype=bool)
    stopped = dict(zip(index_key(inputs.orders[at], ta.LINE).tolist(), [r for r in reasons if r is not None])) \
        if at.any() else {}
    line = ""
    if stopped:
        dropped = sum(1 for r in stopped.values() if r.startswith("style dropped"))
        parts = [f"{n:,} {what}" for n, what in ((len(stopped) - dropped, f"cancelled on {table.sheet}"),
                                                 (dropped, f"of a style dropped on {tracker.sheet(STYLES)}")) if n]
        line = f"{len(stopped):,} PO line(s) not planned nor chased: {', '.join(parts)}."
    held = next((f for f in found if f.code is Code.LINE_ON_HOLD), None)
    if held is not None:
        line = " ".join(p for p in (line, held.message[0].upper() + held.message[1:] + ".") if p)
    return stopped, found, line


def _fill_dev_actuals(tracker: Tracker, new: pd.DataFrame, ctx: Context, current: Table,
                      match: np.ndarray) -> np.ndarray:
    """Put in ``new``'s blank Actuals what the development sheets record, before statuses are worked out:
    an approved colour's approval date (lab-dip approval), its first Submitted date (lab-dip submit), a
    sample's Shipped date (fit, PP... sample submit). Returns the positions filled in. An Actual that reads
    blank because the team's formula gives "" or because it holds text its column cannot read ('TBC') is
    theirs: left as it is (``match``: each new row's row in ``current``, NaN for none)."""
    dips, _ = valid_frame(tracker, LAB_DIPS, required=False)  # their findings are validate's to report
    sent, _ = valid_frame(tracker, SAMPLES, required=False)
    sample_settings = None
    if len(sent):  # the samples rules load the style checks (fiber, tariff, pycountry): only with samples
        from prodbook.core.development import samples as sm

        sample_settings = sm.settings_from(tracker.config, tracker.file, [])
    dates = recorded_actuals(new, dips, sent, ctx.today, labdips.settings_from(tracker.config, tracker.file, []),
                             sample_settings)
    pos = np.array(sorted(dates), dtype=int)
    if len(pos) and current.exists and "actual" in current.columns:
        col = current.columns["actual"]
        excel_rows = current.frame["_row"].to_numpy()
        rows = {p: int(excel_rows[int(match[p])]) for p in pos.tolist() if not np.isnan(match[p])}
        held = tracker.formulas(current.sheet, [(r, col) for r in rows.values()])
        unread = {r for r, _ in current.unread_cells(("actual",))}
        pos = np.array([p for p in pos.tolist() if (rows.get(p), col) not in held and rows.get(p) not in unread],
                       dtype=pos.dtype)
    if len(pos):
        col = cast(int, new.columns.get_loc("actual"))  # one Actual column
        for p in pos.tolist():
            new.iat[p, col] = dates[p]
    return pos


def _write_dev_actuals(tracker: Tracker, current: Table, new: pd.DataFrame, filled: np.ndarray,
                       rows_after: np.ndarray) -> list[Change]:
    """After the T&A sheet is staged: write the filled Actual cells (a user column) and log them."""
    if not len(filled):
        return []
    keys = ("po", "style", "color", "code")
    changes = []
    for p in filled:
        r = new.iloc[int(p)]
        if current.exists and "actual" in current.columns:
            tracker.edit_cell(current.sheet, int(rows_after[int(p)]), current.columns["actual"], r["actual"])
        # else the Actual column is added by this run (``_lacking_user_columns``), the date with it: logged too
        changes.append(Change(current.sheet, key_text(r[k] for k in keys), TA.column("actual").header,
                              None, r["actual"]))
    return changes


def cancel_findings(tracker: Tracker, inputs: Inputs, ta_rows: pd.DataFrame, today: date) -> list[Finding]:
    """Late for cancel, per the order's terms, on the Issues sheet: the same lines and the same judged date
    as the Exceptions rule and the reports (the vendor's newest WIP report included)."""
    settings, _ = ex.settings_from(tracker.config, tracker.file)  # its findings are the exceptions job's
    lines = ex.build_lines(inputs.orders, inputs.styles, ta_rows, tracker.current(VENDOR_WIP), settings, today)
    orders = tracker.table(ORDERS)
    return ex.cancel_findings(lines, settings, file=tracker.file, sheet=tracker.sheet(ORDERS),
                              cancel_header=orders.header_of("cancel"), terms_header=orders.header_of("terms"))


def _taken_back_values(sheet: str, new: pd.DataFrame, restored: dict[int, int],
                       extras: dict[int, dict[str, Any]]) -> list[Change]:
    """The Actual, Notes and the team's own cells a taken-back row brought with it, logged so undo knows
    they were not typed (a formula of the team's: by ``_write_taken_extras``, once it is moved to its row)."""
    out = []
    for i in restored:
        key = key_text(new.iloc[i][k] for k in KEY)
        for f in ("actual", "notes"):
            value = new.iloc[i][f]
            if not pd.isna(value) and value not in ("", None):
                out.append(Change(sheet, key, TA.column(f).header, None, value))
        out += [Change(sheet, key, header, None, value) for header, value in extras.get(i, {}).items()
                if not isinstance(value, Formula)]
    return out


def _as_archived(tracker: Tracker, archive: Table, at: Sequence[int]) -> list[Change]:
    """The archive's rows at these positions, logged whole as the archive held them (``Tracker.removed_rows``:
    every column, the team's own on the archive sheet, the Excel row), so that undo puts each back where and
    as it was, not with what this run recomputed for it on the T&A (a Status 'Due soon' where the archive said
    'Overdue'). Text a column could not read ('TBC' in Actual) is logged as written. A few rows a run: the
    rows taken back."""
    read = archive.frame.iloc[list(at)]
    records = cast(list[dict[str, Any]], typed_keys(archive, read).to_dict("records"))
    unread = archive.unread_cells(TA_ARCHIVE.fields)
    for r in records if unread else ():
        row = int(r["_row"])
        for f in TA_ARCHIVE.fields:
            if (row, f) in unread:
                r[f] = tracker.cell_as_written(archive.sheet, row, archive.columns[f])
    # each row's lines keyed as read ('4500000001 / S1 / Navy / XF'), as its '(taken back)' line is: undo finds
    # one by the other
    as_read = {key_text(r[k] for k in KEY): key_text(k for k in keys) for r, keys in
               zip(records, zip(*(read[k].to_numpy(dtype=object) for k in KEY), strict=True))}
    return [Change(c.sheet, as_read.get(c.key, c.key), c.field, c.old, c.new)
            for c in tracker.removed_rows(archive, records)]


def extras_of(tracker: Tracker, table: Table, rows: Sequence[int]) -> list[str | None]:
    """Each row's cells in the team's own columns, as the archive keeps them (None: none). A formula is kept as
    one, ``{"formula": "=I5-H5", "value": 3}``, with the row it was on (``"(row)": 5``), so the row gets it back
    reading the row it comes back to; text (even text starting with '=') stays text."""
    cells = tracker.extra_rows(table, [int(r) for r in rows])
    out: list[str | None] = []
    for r in map(int, rows):
        held = cells.get(r)
        out.append(row_snapshot.encode(held, r if any(isinstance(v, Formula) for v in held.values()) else None)
                   if held else None)
    return out


def archived_extras(text: Any) -> dict[str, Any]:
    """An archived row's cells in the team's own columns, by header (an archive without them: none); a formula
    as a ``Formula``, its text as on the T&A row it left (``archived_cells``)."""
    return archived_cells(text)[0]


def archived_cells(text: Any) -> tuple[dict[str, Any], int | None]:
    """``archived_extras``, and the T&A row the archived row's formulas were on (None: it had none, or the
    archive is older), from one reading of the archive's text."""
    row = row_snapshot.decode([text]) if isinstance(text, str) else None
    if not row:
        return {}, None
    at = row.get(row_snapshot.ROW)
    return ({h: row_snapshot.as_cell(v) for h, v in row.items() if h != row_snapshot.ROW},
            at if isinstance(at, int) else None)


def _archived_extras(archive: Table, restored: dict[int, int], current: Table
                     ) -> tuple[dict[int, dict[str, Any]], dict[int, int]]:
    """The team's cells each taken-back row gets again: those whose column is still on the T&A; and the T&A row
    their formulas were on, by the row's position."""
    if "extras" not in archive.frame.columns:
        return {}, {}
    cells = {i: archived_cells(archive.frame["extras"].iat[a]) for i, a in restored.items()}
    return ({i: {h: v for h, v in got.items() if h in current.headers} for i, (got, _) in cells.items()},
            {i: r for i, (_, r) in cells.items() if r is not None})


def moved_formula(formula: Formula, was: int | None, row: int, col: int, sheet: str
                  ) -> tuple[Value, Code | None, str | None]:
    """A formula of the team's on a row that goes back to the T&A (or a sheet undo puts a row back on), as it
    reads on the row it lands on (``=I24-H24`` on row 24, back on row 23: ``=I23-H23``, as Excel's fill down
    moves it), with what to tell the APM: nothing; or that it reads other rows of the sheet by their place,
    which may now hold other records (``Code.LINK_BY_PLACE``); or, when its text could not be read, its last value
    instead (the code None: the caller's)."""
    if not formula.text.strip("="):
        shown = f"'{log_text(formula.result)}'" if log_text(formula.result) else "blank"
        return formula.result, None, (
            "this cell held a formula when the row was removed, but its text could not be read, so its last value "
            f"({shown}) is put back instead; copy the formula from a row above or below into it")
    if was is None or was == row:
        return formula, None, None
    text = "=" + translate_formula(formula.text.removeprefix("="), (was, col), (row, col))
    if not reads_other_rows(formula.text, was, sheet):
        return Formula(text, formula.result), None, None
    return Formula(text, formula.result), Code.LINK_BY_PLACE, (
        f"this row had your formula {formula.text} on row {was}; it is back on row {row} as {text}, moved as "
        "Excel's fill down would, but it reads other rows of this sheet by their place, and those rows may now "
        "hold other milestones or lines: check that it reads what you meant")


ARCHIVE_FATES = (ta.Fate.GONE, ta.Fate.REMOVED, ta.Fate.DUPLICATE, ta.Fate.CANCELLED)
_REASONS = {ta.Fate.GONE: "PO line no longer on Orders",
            ta.Fate.REMOVED: "milestone no longer in template '{t}'",
            ta.Fate.DUPLICATE: "a second T&A row with the same PO, style, colour and code",
            ta.Fate.CANCELLED: "{t}"}
"""The Reason column of the T&A archive; a cancelled line's says how (``ta.stop_reasons``): un-cancel the line
and its rows come back with their Actual dates and Notes."""
TAKEN_BACK = "(taken back)"
"""Change Log field: an archived T&A row went back to the T&A (old: when archived, new: why). The row as the
archive held it follows on '(removed)' lines of the archive sheet (``_as_archived``; older logs lack them)."""


def _lacking(current: Table) -> list[str]:
    """The APM's T&A columns the sheet there is lacks: the run adds them after the last column."""
    return [f for f in USER if current.exists and f not in current.columns]


def _lacking_user_columns(current: Table, tracker: Tracker) -> list[Finding]:
    """A T&A without an Actual (or Notes) column prodbook reads: no milestone reads as done, every one past
    its date is Overdue. The column is added after the last one; a header of the team's that reads nearly
    so ('Act. Date') is named with the Config line that reads it instead."""
    out: list[Finding] = []
    if current.new_header:  # a sheet prodbook gives its headers now: all of them
        return out
    for f in _lacking(current):
        col = TA.column(f)
        names = [h for h in current.headers if h]
        near = difflib.get_close_matches(normalise_header(col.header), [normalise_header(h) for h in names],
                                         n=1, cutoff=0.6)
        theirs = next((h for h in names if near and normalise_header(h) == near[0]), None)
        hint = (f" If your column '{theirs}' holds them, name it on the Config sheet: 'Column: {TA.name} / "
                f"{col.header}' = '{theirs}', and delete the added column" if theirs else "")
        what = "every milestone past its date reads as Overdue until the dates are typed in" if f == "actual" \
            else "type notes there"
        out.append(warning(Code.COLUMN_MISSING, f"the T&A has no '{col.header}' column prodbook reads, so one was "
                           f"added after the last column; {what}.{hint}", file=tracker.file, sheet=current.sheet,
                           row=current.header_row, column=col.header))
    return out


def _stage_ta(tracker: Tracker, current: Table, new: pd.DataFrame, old: pd.DataFrame, kept: pd.DataFrame,
              matched: np.ndarray, take: np.ndarray, restored: dict[int, int], *, rearrange: bool
              ) -> tuple[np.ndarray, pd.DataFrame, np.ndarray, dict[int, int]]:
    """Stage the T&A sheet: the recomputed rows and the kept (stale) ones, whose cells are not touched.

    Returns the sheet row of each recomputed row, the whole sheet as this run leaves it (and its rows), and
    the rows that move: old Excel row -> new.
    """
    lacking = _lacking(current)  # added after the last column
    in_place = current.exists and matched.all() and not rearrange and not lacking and all(
        f in current.columns for f in (*KEY, *GENERATED))
    if in_place:  # the same rows: change only the cells that changed, in the order the user keeps
        rows_new = old["_row"].to_numpy()[take].astype(int)
        _edit_in_place(tracker, current, new, old, take)
        return (rows_new, _joined(new, kept),
                np.concatenate([rows_new, kept["_row"].to_numpy(dtype=int)]), {})
    src = np.zeros(len(new) + len(kept), dtype=int)  # the old row each row keeps its other cells from
    src[np.flatnonzero(matched)] = old["_row"].to_numpy()[take]
    src[len(new):] = kept["_row"].to_numpy(dtype=int)
    order = _as_sorted(_layout(new, kept, tracker.table(ORDERS).frame), src)
    final = _joined(new, kept).iloc[order].reset_index(drop=True)
    rows_final = (current.header_row + 1 if current.exists else 2) + np.arange(len(final))
    at = np.empty(len(order), dtype=int)
    at[order] = np.arange(len(order))
    rows_new = rows_final[at[:len(new)]]
    moved: dict[int, int] = {}
    if current.exists:
        source: list[int | None] = [int(r) if r else None for r in src[order]]
        tracker.replace_rows(current, _keys_as_typed(current, final, src[order]), [*KEY, *GENERATED, *lacking], source)
        _write_restored(tracker, current, new, restored, rows_new)
        moved = {r: int(n) for r, n in zip(source, rows_final) if r is not None and r != n}
    else:
        tracker.replace_rows(current, final, list(TA.fields))
    return rows_new, final, rows_final, moved


def _keys_as_typed(current: Table, rows: pd.DataFrame, source: np.ndarray) -> pd.DataFrame:
    """``rows`` to write over the sheet, each key cell of a row already on it (PO #, Style #, Color, Code) as the
    APM typed it there (``source``: each row's Excel row now, 0 for a new one): a code typed 'ld' stays 'ld', a
    PO # typed as a number stays a number (``Table.typed``), a Color with a space after it keeps it. The row
    matched its milestone by the folded key (``keys.index_key``), so there is nothing to tidy in it, nothing to
    log, and undo finds it as it was. The columns are compared at once; only the cells that differ are changed,
    and the frame the next jobs read stays as it is."""
    old = current.frame
    src = np.asarray(source, dtype=np.int64)
    here = np.flatnonzero(src > 0)
    if not len(here) or not len(old):
        return rows
    read_at = pd.Index(old["_row"].to_numpy(dtype=np.int64)).get_indexer(src[here])  # its position as read
    here, read_at = here[read_at >= 0], read_at[read_at >= 0]
    out: dict[str, np.ndarray] = {}
    for k in KEY:
        if k not in rows.columns or k not in old.columns:
            continue
        was = old[k].to_numpy(dtype=object)[read_at]
        now = rows[k].to_numpy(dtype=object)[here]
        differ = np.array([i for i in np.flatnonzero(now != was).tolist() if not is_missing(was[i])], dtype=np.int64)
        if len(differ):
            out[k] = rows[k].to_numpy(dtype=object, copy=True)
            out[k][here[differ]] = was[differ]
    rows = rows.assign(**out) if out else rows
    return current.as_typed(rows, pd.Series(here, index=src[here])) if current.typed else rows


def typed_keys(table: Table, rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` of ``table`` (with their ``_row``) with each key cell the APM typed as typed (``Table.typed``: a
    PO # typed as a number, a Color with a space after it), not as read: for the rows a run moves between the
    T&A and its archive, or writes again where they are. Only those cells are looked at; ``rows`` is not
    changed."""
    if not table.typed or not len(rows):
        return rows
    at = pd.Series(np.arange(len(rows)), index=rows["_row"].to_numpy(dtype=np.int64))
    return table.as_typed(rows, at[~at.index.duplicated(keep="first")])


def _joined(new: pd.DataFrame, kept: pd.DataFrame) -> pd.DataFrame:
    """The recomputed rows, then the kept ones. With none kept (most days) the columns keep the recomputed
    rows' types: pandas would make each date column one of objects, a Timestamp built per cell (0.1 s at
    2,000 PO lines, seconds at 46,000), holding the same values."""
    if not len(kept):
        kept = kept.astype({c: new[c].dtype for c in kept.columns.intersection(new.columns)})
    return pd.concat([new, kept], ignore_index=True)


def _checked_templates(tracker: Tracker, inputs: Inputs
                       ) -> tuple[dict[str, ta.Plan], set[str], bool, list[Finding]]:
    """Plans of the valid templates, the names of the broken ones, and whether removals may archive."""
    sheet = tracker.sheet(TEMPLATES)
    plans, findings = ta.compile_templates(inputs.templates, file=tracker.file, sheet=sheet)
    table = tracker.table(TEMPLATES)
    bad, orphans = ta.invalid_template_rows(table.frame, inputs.templates["_row"], inputs.findings,
                                            file=tracker.file, sheet=sheet,
                                            template_header=table.header_of("template"),
                                            code_header=table.header_of("code"))
    compiled = {ta.template_key(n) for n in plans}
    named = {str(t).strip() for t in inputs.templates["template"]}
    broken = {n for n in named if ta.template_key(n) not in compiled} | set(bad)
    held = {ta.template_key(n) for n in broken}
    findings += [f for found in bad.values() for f in found]
    if orphans:
        findings.append(error(Code.TEMPLATE_ROW_INVALID, f"row(s) {', '.join(map(str, orphans))} of "
                              f"'{sheet}' have errors and no Template name, so prodbook cannot tell which "
                              "template they belong to; until they are fixed no milestone is archived for "
                              "being left out of its template", file=tracker.file, sheet=sheet,
                              row=orphans[0], column=TEMPLATES.column("template").header))
    return {n: p for n, p in plans.items() if ta.template_key(n) not in held}, broken, not orphans, findings


def _milestones(rows: int, lines: int) -> str:
    return f"{rows:,} milestones of {lines:,} PO lines"


def _bad_order_rows(inputs: Inputs, sheet: str) -> set[int]:
    """Orders rows with a bad cell (``_plannable_orders`` leaves them out). A date typed as not known yet ('TBC'
    in Ex-Factory: a warning, ``Code.DATE_NOT_YET``) is not one: the line is planned as for a blank date by every
    run alike, whether its rows are on the T&A already or not."""
    return {int(cast(int, f.row)) for f in _bad_cells(inputs, sheet)}


def _bad_cells(inputs: Inputs, sheet: str) -> list[Finding]:
    """The errors of Orders cells that hold a line back (``_bad_order_rows``), in the order they were found."""
    return [f for f in inputs.findings if f.sheet == sheet and f.row is not None
            and f.severity == "error" and f.code is not Code.DUPLICATE_KEY]


def _new_lines_held(tracker: Tracker, inputs: Inputs, old: pd.DataFrame) -> list[Finding]:
    """A warning at the first bad cell of each Orders row with an error whose PO line is not on the T&A yet: it
    is not planned until the cell is fixed (``_plannable_orders``), on this run as on the next. A date typed
    wrong ('2027-02-31') is not a date not known yet ('TBC'): planned as if blank, the line's rows would be
    held stale by the next run, as a line already on the T&A is, and the two runs would disagree."""
    sheet = tracker.sheet(ORDERS)
    first: dict[int, Finding] = {}
    for f in _bad_cells(inputs, sheet):
        first.setdefault(int(cast(int, f.row)), f)
    orders = inputs.orders
    if not first or not len(orders):
        return []
    on_ta = set(index_key(old, ta.LINE)) if len(old) else set()
    new = orders[orders["_row"].isin(set(first)).to_numpy() & ~index_key(orders, ta.LINE).isin(on_ta).to_numpy()]
    out = []
    for r in new.to_dict("records"):
        bad = first[int(r["_row"])]
        line = key_text(r[k] for k in ta.LINE)
        out.append(warning(Code.TA_STALE, f"PO line {line} is not planned on the T&A until this cell is fixed: "
                           "prodbook cannot read it, and a plan made without it would be wrong. Fix the cell "
                           "(if the date is not known yet, type TBC) and run the T&A again",
                           file=tracker.file, sheet=sheet, row=int(r["_row"]), column=bad.column, key=line,
                           value=bad.value))
    return out


def _not_yet_dates(orders: Table) -> dict[tuple[int, str], str]:
    """(Orders row, field) -> the text of each order date cell the sheet's reading found typed as not known yet
    ('TBC', 'tba': its ``Code.DATE_NOT_YET``, which keeps the cell's text), read as blank."""
    theirs = {orders.header_of(f): f for f in ORDER_DATES if f in orders.columns}
    return {(int(f.row), theirs[str(f.column)]): str(f.value).strip() for f in orders.findings
            if f.code is Code.DATE_NOT_YET and f.row is not None and f.column in theirs}


def _plannable_orders(inputs: Inputs, sheet: str, unusable: frozenset[str] | set[str] = frozenset()
                      ) -> pd.DataFrame:
    """Orders rows to plan: a PO line whose Orders row has a bad cell is left out, so its rows are kept as they
    are (stale) rather than recomputed from a blanked date; one not on the T&A yet gets no rows until the cell
    is fixed (``_new_lines_held``), so that every run treats it alike. So is every line
    of a vendor whose calendar is in error (a Holiday Country 'XX'): planned on Monday-Friday instead, its
    dates would all move. A date typed as not known yet ('TBC': ``_bad_order_rows``) plans its line."""
    bad = _bad_order_rows(inputs, sheet)
    orders = inputs.orders
    if not len(orders) or not bad and not unusable:
        return orders
    drop = np.zeros(len(orders), dtype=bool)
    if bad:
        drop |= orders["_row"].isin(bad).to_numpy()
    if unusable and len(inputs.styles):
        vendor_of = {fold_text(st): fold_text(v)  # as the calendars are keyed (``unusable``)
                     for st, v in zip(inputs.styles["style"], inputs.styles["vendor"]) if not is_missing(v)}
        drop |= np.array([vendor_of.get(fold_text(st)) in unusable for st in orders["style"]], dtype=bool)
    return orders[~drop].reset_index(drop=True)


def _from_archive(new: pd.DataFrame, new_key: pd.Series, matched: np.ndarray, archive: pd.DataFrame
                  ) -> dict[int, int]:
    """New milestones that were archived before: take back their Actual and Notes (newest copy)."""
    if not len(archive) or matched.all():
        return {}
    newest = pd.Series(np.arange(len(archive)), index=index_key(archive, KEY).to_numpy())
    newest = newest[~newest.index.duplicated(keep="last")]
    out: dict[int, int] = {}
    actual_col, notes_col = cast(int, new.columns.get_loc("actual")), cast(int, new.columns.get_loc("notes"))
    for i in np.flatnonzero(~matched).tolist():
        a = newest.get(new_key.iat[i])
        if a is not None:
            out[i] = int(a)
            # pandas-stubs: .iat reads a wider scalar type than it accepts for writing
            new.iat[i, actual_col] = archive["actual"].iat[a]  # type: ignore[assignment]
            new.iat[i, notes_col] = archive["notes"].iat[a]  # type: ignore[assignment]
    return out


def _write_restored(tracker: Tracker, current: Table, new: pd.DataFrame, restored: dict[int, int],
                    rows_new: np.ndarray) -> None:
    """The user's cells of rows taken back from the archive (Actual and Notes are not rewritten). A cell the
    archive's column could not read ('TBC' typed in Actual) goes back as the archive holds it, not as blank. So
    do the key cells the APM typed (``Table.typed``: a PO # typed as a number, a Color with a space after it; a
    code typed 'ld'), where they differ from the PO line's keys the row was planned with: the row matched them
    folded, and nothing of theirs is retyped."""
    archive = tracker.table(TA_ARCHIVE, required=False)
    unread = archive.unread_cells(("actual", "notes")) if restored and archive.exists else set()
    if restored and archive.exists:
        taken = sorted(set(restored.values()))
        held = typed_keys(archive, archive.frame.iloc[taken])
        pos = {a: n for n, a in enumerate(taken)}
        for k in (k for k in KEY if k in current.columns and k in held.columns):
            typed_at, planned_at = held[k].to_numpy(dtype=object), new[k].to_numpy(dtype=object)
            for i, a in restored.items():
                typed, planned = typed_at[pos[a]], planned_at[i]
                if not is_missing(typed) and (type(typed) is not type(planned) or typed != planned):
                    tracker.edit_cell(current.sheet, int(rows_new[i]), current.columns[k], cell_value(typed))
    for i, a in restored.items():
        at = int(archive.frame["_row"].to_numpy()[a]) if unread else 0
        for f in ("actual", "notes"):
            if f not in current.columns:
                continue
            value = (tracker.cell_as_written(archive.sheet, at, archive.columns[f]) if (at, f) in unread
                     else cell_value(new[f].iat[i]))
            if value is not None and value != "":
                tracker.edit_cell(current.sheet, int(rows_new[i]), current.columns[f], value)


def _write_taken_extras(tracker: Tracker, current: Table, new: pd.DataFrame, extras: dict[int, dict[str, Any]],
                        was: dict[int, int], rows_new: np.ndarray) -> tuple[list[Finding], list[Change]]:
    """The taken-back rows' cells in the team's own columns; a formula moved to the row it lands on, and named
    when it reads other rows. Each formula is logged by its text as written (``=I23-H23``), not the value it
    showed: Excel recalculates it on its new row, and undo tells that from the APM's typing by the text."""
    findings: list[Finding] = []
    changes: list[Change] = []
    for i, cells in extras.items():
        row, key = int(rows_new[i]), key_text(new.iloc[i][k] for k in KEY)
        for header, value in cells.items():
            col = current.headers.index(header)
            if isinstance(value, Formula):
                value, code, said = moved_formula(value, was.get(i), row, col, current.sheet)
                if said is not None:
                    findings.append(warning(code or Code.ROWS_RESTORED, said, file=tracker.file, sheet=current.sheet,
                                            row=row, column=header, key=key,
                                            value=value.text if isinstance(value, Formula) else log_text(value)))
                logged = value.text if isinstance(value, Formula) else value
                changes.append(Change(current.sheet, key, header, None, logged))
            tracker.edit_cell(current.sheet, row, col, value)
    return findings, changes


def _layout(new: pd.DataFrame, kept: pd.DataFrame, orders_on_sheet: pd.DataFrame) -> np.ndarray:
    """Row order of the rewritten sheet: Orders order, kept rows with their PO line (or last)."""
    first_row: dict[Any, int] = {}
    if len(orders_on_sheet):
        for k, r in zip(index_key(orders_on_sheet, ta.LINE), orders_on_sheet["_row"]):
            first_row.setdefault(k, int(r))
    big = 1 << 40
    new_rank = new["order_row"].to_numpy(dtype=float) if len(new) else np.array([], dtype=float)
    kept_rank = np.array([first_row.get(k, big) for k in index_key(kept, ta.LINE)], dtype=np.float64) \
        if len(kept) else np.array([], dtype=float)
    rank = np.concatenate([new_rank, kept_rank])
    return np.lexsort((np.arange(len(rank)), rank))


def _as_sorted(order: np.ndarray, src: np.ndarray) -> np.ndarray:
    """``order`` (Orders order), unless the APM sorted the sheet (by Status, by Vendor...): then the rows already
    on it stay in the order they are in, and the new ones (a PO line added, a milestone added to its
    template, rows taken back from the archive) go below them in Orders order, as Excel adds a row to a
    sorted Table. ``src``: each row's Excel row on the sheet now (0: a new row). A sheet still in Orders
    order takes a new PO line where Orders has it."""
    here = order[src[order] > 0]
    if np.all(np.diff(src[here]) > 0):
        return order
    return np.concatenate([here[np.argsort(src[here], kind="stable")], order[src[order] == 0]])


def _held_by_closures(tracker: Tracker, inputs: Inputs, findings: list[Finding], unusable: set[str]) -> set[str]:
    """The vendors (folded) with no calendar because a Closures row in error names them or their Holiday
    Country (a To blank, 'TBC' or before From: ``vendor_calendars`` keeps their lines as they are), from the
    run's findings so far."""
    sheet = tracker.sheet(CLOSURES)
    named = {typed.upper() for _, typed in closures_in_error(tracker.table(CLOSURES, required=False).frame, findings,
                                                              sheet)}
    vendors = inputs.vendors
    if not named or not unusable or not len(vendors):
        return set()
    countries = vendors["holiday_country"] if "holiday_country" in vendors.columns else [None] * len(vendors)
    return {fold_text(v) for v, country in zip(vendors["vendor"], countries) if fold_text(v) in unusable
            and (str(v).strip().upper() in named or text_or_empty(country).upper() in named)}


def _stale_findings(tracker: Tracker, kept: pd.DataFrame, inputs: Inputs, broken: set[str], closed: set[str]
                    ) -> tuple[list[Finding], str]:
    """One warning per broken template, one for the lines of the vendors a Closures row in error holds
    (``closed``: folded, ``_held_by_closures``), one for other input errors; and the summary line."""
    template_of = {str(s).strip().upper(): ("" if is_missing(t) else str(t).strip())
                   for s, t in zip(inputs.styles["style"], inputs.styles["template"])}
    vendor_of = {fold_text(s): str(v).strip() for s, v in zip(inputs.styles["style"], inputs.styles["vendor"])
                 if not is_missing(v)} if closed else {}
    held = {ta.template_key(t): t for t in sorted(broken)}  # a style's 'knit 90' is the template 'Knit 90'
    vendors = [vendor_of.get(fold_text(s), "") for s in kept["style"]] if closed else [""] * len(kept)
    # why each row is kept: (0, its broken template), (1, ''): a Closures row of its vendor, (2, ''): another error
    why = [(0, t) if (t := held.get(ta.template_key(template_of.get(str(s).strip().upper(), "")), "")) else
           (1, "") if fold_text(v) in closed else (2, "") for s, v in zip(kept["style"], vendors)]
    lines = index_key(kept, ta.LINE).to_numpy()
    closures = tracker.sheet(CLOSURES)
    out: list[Finding] = []
    parts: list[str] = []
    for rank, name in sorted(set(why)):
        pick = np.array([w == (rank, name) for w in why])
        n_rows, n_lines = int(pick.sum()), len(set(lines[pick]))
        first = int(kept["_row"].to_numpy()[pick].min())
        codes = ", ".join(sorted({v for v, p in zip(vendors, pick) if p and v}))
        cause = (f"template '{name}' on '{tracker.sheet(TEMPLATES)}' has errors (see above)" if rank == 0 else
                 f"a row of '{closures}' for their vendor {codes} (or its Holiday Country) has an error (see above)"
                 if rank == 1 else
                 "their Orders or Styles row, their style's T&A template, their vendor's Weekend or Holiday "
                 f"Country or a '{closures}' row of their vendor, or their PO #, Style #, Color or Code has an "
                 "error (see above)")
        out.append(warning(Code.TA_STALE, f"{n_rows:,} T&A row(s) of {n_lines:,} PO line(s) were kept "
                           f"unchanged because {cause}: their Planned, Forecast and Status are stale until "
                           "that is fixed. Nothing was archived", file=tracker.file,
                           sheet=tracker.sheet(TA), row=first, key=name or None))
        parts.append(f"template '{name}': {n_rows:,}" if rank == 0 else f"'{closures}' in error: {n_rows:,}"
                     if rank == 1 else f"input errors: {n_rows:,}")
    total_lines = len(set(lines))
    return out, (f"{len(kept):,} T&A row(s) of {total_lines:,} PO line(s) kept unchanged and stale, not "
                 f"counted above ({', '.join(parts)}); fix the errors on the Issues sheet.")


def _renamed_colors(tracker: Tracker, old: pd.DataFrame, fates: np.ndarray, new: pd.DataFrame,
                    matched: np.ndarray, archive_sheet: str) -> list[Finding]:
    """A warning at the new line's Color on Orders when, on one PO and style, exactly one colour left Orders
    (its rows archived with their Actuals) and exactly one new colour was planned afresh in the same run: a
    colour corrected on Orders looks like that, and so does a real colour change (new lab dips needed)."""
    gone = old[fates == ta.Fate.GONE.value]
    if not len(gone) or not len(new):
        return []
    new_line = index_key(new, ta.LINE).to_numpy()
    had_rows = set(new_line[np.asarray(matched, dtype=bool)].tolist())
    fresh = new[~pd.Series(new_line).isin(had_rows).to_numpy()]
    if not len(fresh):
        return []

    def by_po_style(rows: pd.DataFrame) -> dict[tuple[str, str], dict[str, pd.DataFrame]]:
        out: dict[tuple[str, str], dict[str, list[int]]] = {}
        keys = [tuple(fold_text(v) for v in k) for k in zip(*(rows[f].tolist() for f in ta.LINE))]
        for i, (po, style, color) in enumerate(keys):
            out.setdefault((po, style), {}).setdefault(color, []).append(i)
        return {k: {c: rows.iloc[at] for c, at in colors.items()} for k, colors in out.items()}

    left, came = by_po_style(gone), by_po_style(fresh)
    out = []
    for po_style, colors in left.items():
        if len(colors) != 1 or len(came.get(po_style, {})) != 1:
            continue
        rows = next(iter(colors.values()))
        line = next(iter(came[po_style].values()))
        po, style, was = (str(rows[f].tolist()[0]) for f in ta.LINE)
        now = str(line["color"].tolist()[0])
        actuals = int(sum(not is_missing(a) for a in rows["actual"]))
        n = len(rows)
        out.append(warning(
            Code.COLOR_RENAMED,
            f"PO {po} style {style}: colour '{was}' is no longer on Orders and '{now}' is new, so the {n:,} T&A "
            f"row(s) of '{was}' went to '{archive_sheet}' with their {actuals:,} Actual date(s) and '{now}' was "
            f"planned afresh with none: its overdue milestones are chased again in the vendor's follow-ups. "
            f"If it is the same colour renamed, press Undo last on the prodbook tab (or run 'prodbook undo "
            f"<tracker>') to put those rows back on the T&A, type '{now}' in their Color too (PO {po}, {style}, "
            f"'{was}') and refresh again: they keep their Actual dates and Notes. If the colour really changed, "
            f"leave them archived: the vendor needs new lab dips for it",
            file=tracker.file, sheet=tracker.sheet(ORDERS), row=int(line["order_row"].tolist()[0]),
            column=tracker.table(ORDERS).header_of("color"), value=now, key=key_text((po, style, now))))
    return out


def _moved_line(fates: np.ndarray, left: np.ndarray, lines: np.ndarray, archive_sheet: str,
               codes: np.ndarray | None = None) -> str:
    """'N T&A rows moved to ... (X rows of Y PO lines no longer on Orders, milestones removed from template T
    (codes): Z)'; ``lines``: each row's PO line (``index_key``), to count the lines, not their milestones;
    ``codes``: each row's milestone code, to name the removed ones."""

    def of_lines(fate: ta.Fate, why: str) -> str | None:
        at = fates == fate.value
        n = int(at.sum())
        return f"{n:,} row(s) of {len(set(lines[at].tolist())):,} PO line(s) {why}" if n else None

    parts = [p for p in [of_lines(ta.Fate.GONE, "no longer on Orders")] if p]
    removed = pd.Series(left[fates == ta.Fate.REMOVED.value], dtype=object)
    for t, n in removed.value_counts(sort=False).items():
        gone = [] if codes is None else \
            list(dict.fromkeys(map(str, codes[(fates == ta.Fate.REMOVED.value) & (left == t)].tolist())))
        named = f" ({', '.join(gone)})" if gone else ""
        parts.append(f"milestones removed from template '{t}'{named}: {n:,}")
    if (n := int((fates == ta.Fate.DUPLICATE.value).sum())):
        parts.append(f"duplicate rows: {n:,}")
    if (cancelled := of_lines(ta.Fate.CANCELLED, "cancelled on Orders or of a dropped style")):
        parts.append(cancelled)
    return f"{len(fates):,} T&A row(s) moved to '{archive_sheet}' ({', '.join(parts)})."


def _edit_in_place(tracker: Tracker, current: Table, new: pd.DataFrame, old: pd.DataFrame,
                   take: np.ndarray) -> None:
    """Stage the changed generated values (every row matched, none gone): one column edit per field."""
    rows = old["_row"].to_numpy()[take].astype(np.int64)
    for f in GENERATED:
        before, after = old[f].to_numpy()[take], new[f]
        changed = np.flatnonzero(differs(before, after.to_numpy(), TA.column(f).kind))
        if len(changed):
            tracker.edit_column(current.sheet, current.columns[f], rows[changed],
                                column_values(after.iloc[changed]))


def _questioned_actuals(new: pd.DataFrame, ctx: Context, tracker: Tracker, current: Table, matched: np.ndarray,
                        take: np.ndarray, orders: pd.DataFrame, plans: dict[str, ta.Plan], where: ta_edits.Where
                        ) -> list[Finding]:
    """``ta_edits.questioned_actuals``, with what it needs of the sheet: the Actual cells' formulas (=TODAY()),
    and the text typed in a cell whose date looks a typo ('3/12/2026' read month first), named in its message."""
    rows = np.full(len(new), -1)
    rows[np.flatnonzero(matched)] = current.frame["_row"].to_numpy()[take] if len(take) else []
    col = current.columns.get("actual") if current.exists else None
    try:
        held = tracker.formulas(current.sheet, [(int(r), col) for r in rows[rows > 0]]) if col is not None else {}
    except UserError:  # a part damaged in a copy: its values were read, the write goes to a copy; a check less
        held = {}
    actuals = ta_edits.read_actuals(new, orders, plans, ctx.today)
    typed = {int(r): tracker.cell_as_written(current.sheet, int(r), col)
             for r in rows[actuals.early & (rows > 0)].tolist()} if col is not None else {}
    return ta_edits.questioned_actuals(new, actuals, rows, {r: text for (r, _), text in held.items()}, typed,
                                       ctx.today, where)


def _changes(sheet: str, new: pd.DataFrame, old: pd.DataFrame, matched: np.ndarray, take: np.ndarray
             ) -> list[Change]:
    """New rows, and every generated value that differs from what the sheet held."""
    codes = new["code"].to_numpy(dtype=object)
    idx = np.flatnonzero(matched)
    blank = np.ones(len(take), dtype=bool)  # rows prodbook never filled: logged once, as filled
    for f in GENERATED:
        blank &= pd.isna(pd.Series(old[f].to_numpy()[take], dtype=object)).to_numpy()
    moved = {f: np.flatnonzero(differs(old[f].to_numpy()[take], new[f].to_numpy()[idx], TA.column(f).kind)
                               & ~blank) for f in GENERATED} if len(take) else {}
    need = ~matched  # the Change Log's row key, built only for the rows that changed, column-wise
    need[idx[blank]] = True
    for j in moved.values():
        need[idx[j]] = True
    keys = np.empty(len(new), dtype=object)
    at = np.flatnonzero(need)
    keys[at] = key_texts([new[k].to_numpy(dtype=object)[at] for k in KEY])

    # list(array) gives each element as indexing it would (numpy scalars stay numpy scalars), in one pass
    fresh = np.flatnonzero(~matched)
    prints = _prints(new, fresh, TA.printed)  # so undo knows a row typed in since from one as written
    changes = [Change(sheet, k, NEW_ROW, p, c) for k, p, c in zip(list(keys[fresh]), prints, list(codes[fresh]))]
    if not len(take):
        return changes
    filled = idx[blank]
    prints = _prints(new, filled, TA.filled)
    changes += [Change(sheet, k, FILLED, p, c) for k, p, c in zip(list(keys[filled]), prints, list(codes[filled]))]
    for f in GENERATED:
        j = moved[f]
        before, after = old[f].to_numpy()[take][j], new[f].to_numpy()[idx][j]
        header = TA.column(f).header
        changes += [Change(sheet, k, header, b, a) for k, b, a in zip(list(keys[idx[j]]), list(before), list(after))]
    return changes


def _user_cells_as_written(tracker: Tracker, current: Table, rows: pd.DataFrame) -> pd.DataFrame:
    """Rows leaving for the archive with their Actual and Notes as typed: a 'TBC' Actual the column reads as
    blank goes to the archive as 'TBC', and comes back so."""
    leaving = {int(r) for r in rows["_row"]}
    bad = [(row, name) for row, name in current.unread_cells(USER) if row in leaving]
    if not bad:
        return rows
    rows = rows.copy()
    at = {int(r): i for i, r in zip(rows.index, rows["_row"])}
    for row, name in bad:
        rows[name] = rows[name].astype(object)
        rows.at[at[row], name] = tracker.cell_as_written(current.sheet, row, current.columns[name])
    return rows


def _as_written(changes: list[Change], tracker: Tracker, current: Table) -> list[Change]:
    """A changed cell of prodbook's columns that held text its column cannot read ('TBC' in Forecast) is
    logged with that text as its Old, not the blank it read as: undo gives the text back."""
    bad = current.unread_cells(GENERATED)
    if not bad:
        return changes
    frame = current.frame
    rows = frame["_row"].to_numpy()
    at = np.flatnonzero(np.isin(rows, [r for r, _ in bad]))
    row_of = {key_text(frame[k].iloc[i] for k in KEY): int(rows[i]) for i in at}
    field_of = {TA.column(f).header: f for f in GENERATED}  # a change names prodbook's header
    out = []
    for c in changes:
        row, field = row_of.get(c.key), field_of.get(c.field)
        if row is not None and field is not None and is_missing(c.old) and (row, field) in bad:
            c = Change(c.sheet, c.key, c.field, tracker.cell_as_written(current.sheet, row, current.columns[field]),
                       c.new)
        out.append(c)
    return out


def _prints(new: pd.DataFrame, at: np.ndarray, fields: Sequence[str]) -> list[str]:
    return row_prints([new[f].to_numpy()[at] for f in fields]) if len(at) else []


def _stage_archive(tracker: Tracker, table: Table, archived: pd.DataFrame, taken: set[int],
                   ctx: Context) -> None:
    """The archive keeps its rows (less those taken back) and gets the newly archived ones below."""
    rows = archived[list(TA.fields)].copy()
    rows["archived"] = ctx.today
    rows["reason"] = archived["reason"].to_numpy()
    rows["extras"] = archived["extras"].to_numpy()
    keep = [i for i in range(len(table.frame)) if i not in taken]
    old = typed_keys(table, table.frame.iloc[keep])[list(TA_ARCHIVE.fields)]
    both = pd.concat([old, rows], ignore_index=True) if len(old) else rows
    source = [*map(int, table.frame["_row"].iloc[keep]), *([None] * len(rows))] if table.exists else None
    tracker.replace_rows(table, both, list(TA_ARCHIVE.fields), source)


def late_for_cancel_line(findings: list[Finding]) -> str:
    """'N PO line(s) late for cancel (judged a on forecast ex-factory, b on forecast in-DC).'"""
    late = [f for f in findings if f.code is Code.LATE_FOR_CANCEL]
    in_dc = sum("Late for cancel: forecast in-DC" in f.message for f in late)
    if not late:
        return "0 PO lines late for cancel."
    parts = [f"{n} on forecast {what}" for n, what in ((len(late) - in_dc, "ex-factory"), (in_dc, "in-DC")) if n]
    return f"{len(late)} PO line(s) late for cancel (judged {', '.join(parts)})."


def summarise(new: pd.DataFrame, findings: list[Finding], ctx: Context, *, stale: int = 0) -> list[str]:
    """The few lines an APM wants after a rebuild; with ``stale`` rows kept, the counts say 'recomputed'."""
    if new.empty:
        if stale:
            return ["No T&A milestone was recomputed: see the errors on the Issues sheet."]
        return ["No T&A milestones: check the Orders, Styles and T&A Templates sheets."]
    counts = new["status"].value_counts()
    lines = [f"{len(new):,} milestones {'recomputed ' if stale else ''}for {new['order_row'].nunique():,} "
             f"PO lines (as of {ctx.today:%a %d %b %Y}).",
             "  " + ", ".join(f"{counts.get(s.value, 0):,} {s.value.lower()}" for s in
                              (Status.OVERDUE, Status.DUE_SOON, Status.DONE_LATE))
             + f"; {late_for_cancel_line(findings)}"]
    overdue = new[new["status"] == Status.OVERDUE.value]
    if len(overdue):
        by_vendor = overdue.groupby(overdue["vendor"].fillna("(no vendor)")).size().sort_values(
            ascending=False)
        lines.append("  Overdue by vendor: " + ", ".join(f"{v} {n}" for v, n in by_vendor.items()))
    return lines
