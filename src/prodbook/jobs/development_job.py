"""The development half of validation: style profiles, lab dips, samples, vendor discrepancies.

The shell around ``styles_check``, ``style_lock``, ``labdips``, ``samples`` and
``discrepancies``: each rule reads the tables it needs from the tracker and
returns findings (the validate job's ``RULES``). Two writes happen here: the
Style Snapshot sheet (locks of adopted styles) and, with ``--apply``, the
fixes the APM accepted on the Issues sheet (``apply_fixes``), each a cell edit
logged in the Change Log so ``prodbook undo`` puts the old value back.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from prodbook.core.development import discrepancies, labdips, samples, styles_check, style_lock
from prodbook.core.cells import CellError, to_date, to_int, to_number
from prodbook.core.findings import Code, Finding, UserError, info, warning
from prodbook.jobs.base import Context, Outcome, valid_frame
from prodbook.core.model.sheets import (ALL_SHEETS, ISSUES, LAB_DIPS, ORDERS, SAMPLES, STYLE_SNAPSHOT, STYLES,
                                   TA, VENDOR_WIP, VENDORS, Kind, SheetSpec)
from prodbook.workbook.tables import Table
from prodbook.core.keys import key_text
from prodbook.workbook.tracker import Tracker
from prodbook.core.changes import Change, log_text, same_logged
from prodbook.core.where import Place, place_of, records


@dataclass
class DevInputs:
    """The tables the development rules share, read and validated once per run."""

    styles: pd.DataFrame
    vendors: pd.DataFrame
    orders: pd.DataFrame
    dips: pd.DataFrame
    samples: pd.DataFrame
    ta: pd.DataFrame
    """The T&A sheet's cells as read (no row left out: dates, N/A, blanks)."""
    wip: pd.DataFrame
    places: dict[str, Place] = field(default_factory=dict)
    reported: dict[str, set[tuple[int, str]]] = field(default_factory=dict)
    """Sheet -> (row, field) cells already reported as unreadable."""


_CACHE: weakref.WeakKeyDictionary[Tracker, DevInputs] = weakref.WeakKeyDictionary()


def inputs(tracker: Tracker) -> DevInputs:
    """Read (once per tracker) the sheets the development rules need."""
    if tracker in _CACHE:
        return _CACHE[tracker]
    frames: dict[str, pd.DataFrame] = {}
    places: dict[str, Place] = {}
    reported: dict[str, set[tuple[int, str]]] = {}
    for spec in (STYLES, VENDORS, ORDERS, LAB_DIPS, SAMPLES, VENDOR_WIP):
        frame, _ = valid_frame(tracker, spec, required=False)
        table = tracker.table(spec, required=False)
        frames[spec.name] = frame
        places[spec.name] = place_of(table, tracker.file)
        reported[spec.name] = _reported(table)
    ta_table = tracker.table(TA, required=False)
    places[TA.name] = place_of(ta_table, tracker.file)
    d = DevInputs(frames[STYLES.name], frames[VENDORS.name], frames[ORDERS.name], frames[LAB_DIPS.name],
                  frames[SAMPLES.name], ta_table.frame, frames[VENDOR_WIP.name], places, reported)
    _CACHE[tracker] = d
    return d


def _once(d: DevInputs, found: list[Finding]) -> list[Finding]:
    """Drop findings on a cell already reported as unreadable: the APM fixes the cell first."""
    bad = {(place.sheet, row, place.header(f)) for name, place in d.places.items()
           for row, f in d.reported.get(name, ())}
    return [f for f in found if (f.sheet, f.row, f.column) not in bad]


def _reported(table: Table) -> set[tuple[int, str]]:
    by_header = {table.headers[c]: f for f, c in table.columns.items() if c < len(table.headers)}
    return {(f.row, by_header[f.column]) for f in table.findings
            if f.row is not None and f.column in by_header}


def _setting_int(tracker: Tracker, name: str, default: int, found: list[Finding]) -> int:
    raw = tracker.config.get(name)
    if raw in (None, ""):
        return default
    try:
        value = to_int(raw)
        if value is None or value < 0:
            raise CellError(f"'{raw}' is not a number of days")
        return value
    except CellError as exc:
        found.append(warning(Code.SETTING, f"setting '{name}' cannot be used ({exc}); the default {default} "
                             "applies", file=tracker.file, sheet="Config", column="Value", value=raw))
        return default


# -- rules (validate_job.RULES) ----------------------------------------------------------------------

def style_rules(tracker: Tracker, ctx: Context) -> list[Finding]:
    """Style profiles: fiber, HTS, COO, prices, sizes, required fields; locks of adopted styles."""
    d = inputs(tracker)
    settings = styles_check.style_settings(tracker.config.get, STYLES, tracker.file)
    place = d.places[STYLES.name]
    findings = list(settings.findings)
    findings += styles_check.check_styles(d.styles, d.vendors, settings, place, d.reported[STYLES.name])
    snap = tracker.table(STYLE_SNAPSHOT, required=False)
    result = style_lock.lock_styles(d.styles, snap.frame, settings, place, snap.sheet, ctx.today)
    findings += result.findings
    if result.changes:
        tracker.replace_rows(snap, result.frame, list(STYLE_SNAPSHOT.fields),
                             result.source_rows if snap.exists else None)
        tracker.log(result.changes)
    return _once(d, findings)


def dip_settings(tracker: Tracker, found: list[Finding]) -> labdips.DipSettings:
    get = tracker.config.get
    return labdips.DipSettings(
        transit_days=_setting_int(tracker, "Lab Dip Transit Days", 4, found),
        review_days=_setting_int(tracker, "Lab Dip Review Days", 5, found),
        resubmit_days=_setting_int(tracker, "Lab Dip Resubmit Days", 7, found),
        approval_code=str(get("Lab Dip Approval Code")).strip() if get("Lab Dip Approval Code") else None,
        bulk_code=str(get("Bulk Fabric Code")).strip() if get("Bulk Fabric Code") else None)


@dataclass
class DipView:
    status: pd.DataFrame
    approval_code: str | None
    approval: pd.DataFrame
    approved: dict[tuple[str, str], date]
    bulk: pd.DataFrame
    needs_dip: set[str]


def dip_view(tracker: Tracker, today: date, settings: labdips.DipSettings) -> DipView:
    d = inputs(tracker)
    status = labdips.dip_status(d.dips, today, settings)
    code = labdips.milestone_code(d.ta, settings.approval_code, labdips.LAB_DIP_APPROVAL,
                                  labdips.DEFAULT_APPROVAL_CODES)
    approval = labdips.milestone_dates(d.ta, code, ("style", "color"))
    bulk_code = labdips.milestone_code(d.ta, settings.bulk_code, labdips.BULK_FABRIC,
                                       labdips.DEFAULT_BULK_CODES)
    bulk = labdips.milestone_dates(d.ta, bulk_code, ("po", "style", "color"))
    needs = set(approval["style"]) if len(approval) else set()
    return DipView(status, code, approval, labdips.approved_dates(status, approval), bulk, needs)


def lab_dip_rules(tracker: Tracker, ctx: Context) -> list[Finding]:
    """Lab dips: dates and decisions, colours late against the T&A, no approval by bulk fabric."""
    d = inputs(tracker)
    if not len(d.dips) and not len(d.ta):
        return []
    found: list[Finding] = []
    view = dip_view(tracker, ctx.today, dip_settings(tracker, found))
    place = d.places[LAB_DIPS.name]
    found += labdips.dip_date_findings(d.dips, place, ctx.today)
    found += labdips.late_dips(view.status, view.approval, place, ctx.today)
    found += labdips.bulk_exceptions(d.orders, view.status, view.approved, view.bulk, d.places[ORDERS.name],
                                     ctx.today, view.needs_dip)
    return _once(d, found)


def sample_settings(tracker: Tracker, found: list[Finding]) -> samples.SampleSettings:
    get = tracker.config.get
    review = None
    raw = get("Line Review Date")
    if raw not in (None, ""):
        try:
            review = to_date(raw, tracker.config.date_order)
        except CellError as exc:
            found.append(warning(Code.SETTING, f"setting 'Line Review Date' is not a date ({exc}); line-review "
                                 "readiness is not checked", file=tracker.file, sheet="Config",
                                 column="Value", value=raw))
    milestones = {}
    for part in styles_check._list(get("Sample Milestones")):
        kind, _, code = part.partition("=")
        if code.strip():
            milestones[kind.strip().lower()] = code.strip()
    kw: dict[str, Any] = {}
    if get("Line Review Statuses"):
        kw["review_statuses"] = frozenset(s.lower() for s in styles_check._list(get("Line Review Statuses")))
    return samples.SampleSettings(line_review=review,
                                  courier_days=_setting_int(tracker, "Courier Days", 7, found),
                                  milestones=milestones,
                                  ruling_chief_below=float(_setting_int(tracker, "Ruling Blend %", 60, found)),
                                  **kw)


def sample_rules(tracker: Tracker, ctx: Context) -> list[Finding]:
    """Samples: due against the T&A, late, lost in transit; line review; customs ruling samples."""
    d = inputs(tracker)
    found: list[Finding] = []
    settings = sample_settings(tracker, found)
    place = d.places[SAMPLES.name]
    if len(d.samples):
        due = samples.ta_due(d.samples, d.ta, samples.type_codes(d.ta, settings))
        found += samples.sample_findings(d.samples, due, place, ctx.today, settings, d.places[TA.name].sheet)
    if settings.line_review:
        table = samples.line_review(d.styles, d.samples, settings.line_review, settings)
        found += samples.line_review_findings(table, settings.line_review, ctx.today, d.places[STYLES.name])
    style_settings = styles_check.style_settings(tracker.config.get, STYLES, tracker.file)
    _, customs_found = samples.customs(d.styles, d.samples, style_settings, settings, d.places[STYLES.name],
                                       hts_rows(d.styles))
    return _once(d, found + customs_found)


def hts_rows(styles: pd.DataFrame) -> set[int]:
    """Excel rows of styles whose HTS code has a finding (format, chapter, chief weight)."""
    rows = set()
    place = Place("", "")
    for r in records(styles):
        if r.get("hts"):
            comp = styles_check.fiber.parse_fiber(r["fiber_content"]) if r.get("fiber_content") else None
            if styles_check._hts_findings(r, comp, lambda f, value=None: place.at(r["_row"], f)):
                rows.add(int(r["_row"]))
    return rows


def vendor_sheets(tracker: Tracker, files: tuple[Path, ...]) -> tuple[list[discrepancies.VendorSheet],
                                                                     list[Finding]]:
    """The run's files that are vendor style sheets / costing files (WIP reports are left out)."""
    from prodbook.jobs.wip_job import expand_files

    found: list[Finding] = []
    sheets = []
    for path in expand_files(tuple(files)) if files else []:
        try:
            vs = discrepancies.read_vendor_file(path, tracker.config)
        except Exception as exc:  # a damaged or unreadable file: say so, compare the others
            # a CellError already names the file and says what to do
            found.append(warning(Code.DIFF_STYLE, str(exc) if isinstance(exc, CellError) else
                                 f"'{path.name}' could not be read ({exc}); open it in Excel and save it as "
                                 ".xlsx, then run again", file=path.name))
            continue
        if vs is not None:
            sheets.append(vs)
            found += vs.findings
    return sheets, found


def discrepancy_rules(tracker: Tracker, ctx: Context) -> list[Finding]:
    """Vendor WIP rows and vendor style sheets (the run's files) against Styles and Orders."""
    d = inputs(tracker)
    sheets, found = vendor_sheets(tracker, ctx.files)
    places = discrepancies.Places(d.places[STYLES.name], d.places[ORDERS.name], d.places[VENDOR_WIP.name])
    return found + _once(d, discrepancies.compare_all(sheets, d.wip, d.styles, d.orders, places))


RULES = (style_rules, lab_dip_rules, sample_rules, discrepancy_rules)
"""For ``validate_job.RULES``."""


# -- the T&A rebuild's hook ----------------------------------------------------------------------------

def fill_lab_dip_actuals(tracker: Tracker, new: pd.DataFrame, ctx: Context) -> np.ndarray:
    """Put each approved colour's approval date in its blank lab-dip approval Actual (in ``new``).

    Called by the T&A rebuild before statuses are worked out. Returns the positions filled in.
    """
    d = inputs(tracker)
    if not len(d.dips) or not len(new):
        return np.array([], dtype=int)
    settings = dip_settings(tracker, [])
    status = labdips.dip_status(d.dips, ctx.today, settings)
    code = labdips.milestone_code(new, settings.approval_code, labdips.LAB_DIP_APPROVAL,
                                  labdips.DEFAULT_APPROVAL_CODES)
    fed = labdips.approval_actuals(new.reset_index(drop=True), code, labdips.approved_dates(status),
                                   ctx.today)
    pos = np.flatnonzero(fed.notna().to_numpy())
    if len(pos):
        col = new.columns.get_loc("actual")
        for p in pos:
            new.iat[p, col] = fed.iat[p]
    return pos


def write_lab_dip_actuals(tracker: Tracker, current: Table, new: pd.DataFrame, filled: np.ndarray,
                          rows_after: np.ndarray) -> list[Change]:
    """After the T&A sheet is staged: write the filled Actual cells (a user column) and log them."""
    if not len(filled):
        return []
    keys = ("po", "style", "color", "code")
    changes = []
    for p in filled:
        r = new.iloc[int(p)]
        if current.exists and "actual" in current.columns:
            tracker.edit_cell(current.sheet, int(rows_after[int(p)]),
                                          current.columns["actual"], r["actual"])
        elif current.exists:
            continue  # the team's T&A has no Actual column: nothing to fill
        changes.append(Change(current.sheet, key_text(r[k] for k in keys), TA.column("actual").header,
                              None, r["actual"]))
    return changes


# -- accepting fixes ---------------------------------------------------------------------------------

YES = frozenset({"y", "yes", "x", "true", "1", "ok", "accept", "accepted", "apply", "resolve", "resolved"})


def _spec_named(tracker: Tracker, sheet: str) -> SheetSpec | None:
    return next((s for s in ALL_SHEETS if tracker.sheet(s).lower() == str(sheet).lower()), None)


def _convert(kind: Kind, text: str) -> Any:
    if kind is Kind.DATE:
        return to_date(text)
    if kind is Kind.INT:
        return to_int(text)
    if kind is Kind.NUMBER:
        return to_number(text)
    return text


def accepted(tracker: Tracker) -> list[dict[str, Any]]:
    """Issues rows whose Accept column says Yes."""
    issues = tracker.table(ISSUES, required=False)
    if not issues.exists or "accept" not in issues.columns:
        return []
    out = []
    for r in records(issues.frame):
        a = r.get("accept")
        if isinstance(a, str) and a.strip().lower() in YES:
            out.append(r)
    return out


def apply_fixes(tracker: Tracker, ctx: Context) -> Outcome:
    """Apply the Issues rows the APM accepted: write each proposed value into its cell, logged.

    A cell whose value changed since the issue was found is left alone and reported. Accepting
    an adopted style's change updates its lock on the Style Snapshot sheet.
    """
    rows = accepted(tracker)
    findings: list[Finding] = []
    changes: list[Change] = []
    applied = 0
    resolved: list[int] = []
    relocked = False
    issues_sheet = tracker.sheet(ISSUES)
    for r in rows:
        where = {"file": tracker.file, "sheet": issues_sheet, "row": int(r["_row"]), "column": "Accept",
                 "value": r.get("accept")}
        if r.get("code") == str(Code.ADOPTED_CHANGED):
            done = _relock(tracker, r, ctx.today)
            if done is None:
                findings.append(warning(Code.FIX_NOT_APPLIED, "not applied: the locked value of this style "
                                        "and column is no longer on the Style Snapshot sheet", **where))
            else:
                changes += done
                applied += 1
                resolved.append(int(r["_row"]))
                relocked = True
            continue
        if r.get("proposed") in (None, ""):
            findings.append(info(Code.FIX_NOT_APPLIED, "nothing to apply on this row: it has no Proposed "
                                 "Value (a colour name is corrected by the vendor, not in the tracker)",
                                 **where))
            continue
        found, change = _apply_one(tracker, r, where)
        findings += found
        if change:
            changes.append(change)
            applied += 1
            resolved.append(int(r["_row"]))  # done: the row leaves the Issues sheet
            if change.sheet == tracker.sheet(STYLES):  # accepting it is the review of a locked field
                lock = _relock(tracker, {**r, "value": log_text(change.new)}, ctx.today)
                if lock is not None:
                    changes += lock
                    relocked = True
    if relocked:
        snap = tracker.table(STYLE_SNAPSHOT, required=False)
        tracker.replace_rows(snap, snap.frame, list(STYLE_SNAPSHOT.fields),
                             [int(x) for x in snap.frame["_row"]])
    tracker.log(changes)
    _CACHE.pop(tracker, None)  # the rules that follow read the values just written
    summary = [f"Applied {applied} accepted fix(es) of {len(rows)} row(s) marked Accept on "
               f"'{issues_sheet}'." if rows else f"No row of '{issues_sheet}' says Yes in Accept: nothing "
               "to apply."]
    return Outcome("Apply fixes", findings, changes, summary=summary, data={"applied": applied},
                   resolved=tuple(resolved))


def _apply_one(tracker: Tracker, r: dict[str, Any], where: dict[str, Any]
               ) -> tuple[list[Finding], Change | None]:
    spec = _spec_named(tracker, r.get("sheet") or "")
    if spec is None or spec.generated or not spec.key:
        return [warning(Code.FIX_NOT_APPLIED, f"not applied: prodbook applies fixes to the Styles and Orders "
                        f"sheets, not to '{r.get('sheet')}'", **where)], None
    table = tracker.table(spec, required=False)
    header = r.get("field")
    col = next((c for f, c in table.columns.items() if table.headers[c] == header), None)
    field_name = next((f for f, c in table.columns.items() if c == col), None)
    keys = [key_text(v).upper() for v in table.frame[list(spec.key)].itertuples(index=False)]
    want = str(r.get("key") or "").upper()
    if field_name is None or want not in keys:
        return [warning(Code.FIX_NOT_APPLIED, f"not applied: the row '{r.get('key')}' or its column "
                        f"'{header}' is no longer on '{table.sheet}'", **where)], None
    if keys.count(want) > 1:
        return [warning(Code.FIX_NOT_APPLIED, f"not applied: '{r.get('key')}' is on more than one row of "
                        f"'{table.sheet}'; fix the duplicate first", **where)], None
    i = keys.index(want)
    current = log_text(table.frame.at[i, field_name])
    if (current or "") != (r.get("value") or "") and not _same_number(current, r.get("value")):
        was, now = (f"'{v}'" if v not in (None, "") else "blank" for v in (r.get("value"), current))
        return [warning(Code.FIX_NOT_APPLIED, f"not applied: the cell changed since the issue was found (it "
                        f"was {was}, now {now}); run validate again and re-check",
                        **where)], None
    kind = spec.column(field_name).kind
    try:
        new = _convert(kind, str(r["proposed"]))
    except CellError as exc:
        return [warning(Code.FIX_NOT_APPLIED, f"not applied: the Proposed Value cannot go in this column "
                        f"({exc})", **where)], None
    old = table.frame.at[i, field_name]
    tracker.edit_cell(table.sheet, int(table.frame.at[i, "_row"]), col, new)
    table.frame.at[i, field_name] = new
    return [], Change(table.sheet, key_text(table.frame.loc[i, list(spec.key)]), spec.column(field_name).header,
                      old, new)


def _same_number(a: str | None, b: Any) -> bool:
    try:
        return a is not None and b is not None and abs(float(a) - float(b)) < 1e-9
    except (TypeError, ValueError):
        return False


def _relock(tracker: Tracker, r: dict[str, Any], today: date) -> list[Change] | None:
    snap = tracker.table(STYLE_SNAPSHOT, required=False)
    styles = tracker.table(STYLES, required=False)
    by_header = {styles.headers[c]: f for f, c in styles.columns.items()}
    f = by_header.get(r.get("field"))
    if f is None or not len(snap.frame):
        return None
    header = STYLES.column(f).header
    frame = snap.frame
    hit = frame.index[(frame["style"].astype(str).str.upper() == str(r.get("key")).upper())
                      & (frame["field"].astype(str).str.lower() == header.lower())]
    if not len(hit):
        return None
    i = hit[0]
    key = key_text((frame.at[i, "style"], header))
    out = []
    for f, new in (("locked", r.get("value")), ("locked_on", today), ("current", None), ("changed_on", None)):
        if f == "locked" or not same_logged(frame.at[i, f], new):  # each value logged: undo puts it back
            out.append(Change(snap.sheet, key, STYLE_SNAPSHOT.column(f).header, frame.at[i, f], new))
        frame.at[i, f] = new
    return out


def require_issues(tracker: Tracker) -> None:
    if not tracker.has(ISSUES):
        raise UserError("there is no Issues sheet to apply fixes from: run 'prodbook validate' first, then "
                        "type Yes in the Accept column of the rows to apply", file=tracker.file)
