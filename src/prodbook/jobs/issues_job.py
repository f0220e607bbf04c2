"""The Issues sheet: every open finding, where the APM can sort, filter and click through to the cell.

What stays open from earlier runs and what leaves the sheet is decided in
``prodbook.core.open_findings``; here the findings become rows (each with its
record's Key, where and when it was found) and the Cell column becomes a link.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pandas as pd

from prodbook.core.cells import EXCEL_ERRORS
from prodbook.core.changes import REMOVED, Change, log_text, same_logged
from prodbook.core.findings import Code, Finding, Severity
from prodbook.core.looks import date_text
from prodbook.core.model.sheets import ALL_SHEETS, ISSUES, VENDOR_WIP, SheetSpec, normalise_header
from prodbook.core.open_findings import (
    ASKED_WITH,
    EVERY_RUN,
    RUN_NOTES,
    Checked,
    Merged,
    Names,
    as_named,
    decision,
    decision_key,
    fold_sheet,
    merge,
    other_names,
    said_before,
)
from prodbook.core.where import row_dicts
from prodbook.workbook.links import cell_link
from prodbook.workbook.tables import Table
from prodbook.workbook.tracker import Tracker

_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def found_in(f: Finding, files: frozenset[str]) -> str | None:
    """The run's file a finding was read from (a vendor file), or None for the workbook itself."""
    if f.found_in:
        return f.found_in
    name = Path(f.file).name if f.file else None
    return name if name in files else None


def shown(value: object) -> str | None:
    """A finding's value as the Issues sheet shows it: an Excel error the cell held ('#N/A', '#REF!') with
    '(Excel error)' after it. The sheet's text is read back as every sheet's is, where such a text is the error
    itself and reads as blank: the next run would see another value on every such row, rewrite the file (and
    keep a backup) each time nothing changed, and bring back undecided a row the APM dismissed."""
    text = log_text(value)
    return f"{text} (Excel error)" if text is not None and text.strip().upper() in EXCEL_ERRORS else text


def shown_for(f: Finding, date_format: str) -> tuple[str | None, str | None]:
    """A finding's Value and Other Value as the Issues sheet shows them: a date in the workbook's Date Format
    (Config), as every other date of the workbook is shown ('18-Dec-26', not 2026-12-18). Not on a row that
    Accept acts on (``accepted``): Apply fixes compares and writes that value as the cell holds it."""
    if accepted(f):
        return shown(f.value), shown(f.fix.other) if f.fix else None
    return _as_day(f.value, date_format), None


def accepted(f: Finding) -> bool:
    """A finding the Issues sheet's Accept acts on (a fix, a locked style value)."""
    return f.fix is not None or f.code is Code.ADOPTED_CHANGED


def day_text(value: Any, date_format: str, text_too: bool = True) -> str | None:
    """A day (a date, a time at midnight, or, ``text_too``, the 2026-12-18 text a check gives for one) in
    ``date_format``; None for any other value."""
    day = value.date() if isinstance(value, datetime) and value.time() == time() else value
    if text_too and isinstance(day, str) and _ISO_DAY.fullmatch(day.strip()):
        try:
            day = date.fromisoformat(day.strip())
        except ValueError:  # 2026-13-45: not a day, shown as it is
            return None
    if isinstance(day, date) and not isinstance(day, datetime):
        return date_text(day, date_format)
    return None


def _as_day(value: Any, date_format: str) -> str | None:
    """``day_text``; anything else as ``shown``."""
    return day_text(value, date_format) or shown(value)


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _days_as_shown(old: pd.DataFrame, date_format: str) -> pd.DataFrame:
    """The Issues rows of an earlier run (or prodbook before it showed dates so) whose Value is a date
    written 2026-12-18: in the Date Format, as this run writes it, as a row kept unchecked shows it. A row
    found again is the same row in any Date Format (``open_findings`` compares dates as days), not one
    'found again with other values'. Rows Accept acts on keep their value (``shown_for``)."""
    if not len(old) or "value" not in old.columns:
        return old
    blank = pd.Series("", index=old.index)
    text = old["value"].map(lambda v: v.strip() if isinstance(v, str) else "")
    plain = old.get("other_source", blank).map(lambda v: not (isinstance(v, str) and v.strip()))
    plain &= old.get("code", blank).map(lambda v: v != str(Code.ADOPTED_CHANGED))
    days = text.map(lambda t: bool(_ISO_DAY.fullmatch(t))) & plain
    if not days.any():
        return old
    old = old.copy()
    old.loc[days, "value"] = [_as_day(t, date_format) for t in text[days]]
    return old


def issue_rows(tracker: Tracker, findings: Sequence[Finding], checked: Checked | None = None,
               by: Mapping[int, str] | None = None) -> pd.DataFrame:
    """Findings as Issues rows, errors first, then by sheet and row.

    ``by``: the step (Found By) of each finding, by ``id``; what every run finds has none.
    """
    checked = checked or Checked(today=pd.Timestamp.today().date())
    by = by or {}
    own = tracker.sheet(ISSUES)
    ordered = sorted(findings, key=lambda f: (_ORDER[f.severity], f.sheet or "", f.row or 0))
    values = [shown_for(f, tracker.config.date_format) for f in ordered]
    return pd.DataFrame([{
        "sheet": f.sheet or f.file, "cell": tracker.address(f.sheet, f.column, f.row)
        or (f"row {f.row}" if f.row else None), "key": f.key or tracker.key_of(f.sheet, f.row),
        "field": f.column,
        "value": value, "problem": f.message, "severity": str(f.severity),
        "code": str(f.code), "other_value": other,
        "other_source": f.fix.source if f.fix else None,
        "proposed": log_text(f.fix.proposed) if f.fix else None, "dismissed_as": None,
        "found_in": found_in(f, checked.files), "found_on": checked.today,
        # a note on the Issues sheet itself (a fix not applied) is about this run only
        "found_by": EVERY_RUN if f.sheet == own else by.get(id(f), EVERY_RUN) or None}
        for f, (value, other) in zip(ordered, values)],
        columns=list(ISSUES.fields))


def stage_issues(tracker: Tracker, findings: Sequence[Finding], checked: Checked | None = None,
                 by: Mapping[int, str] | None = None) -> list[str]:
    """Stage the Issues sheet: this run's findings and the open ones it did not check again.

    User columns (Accept) and extra columns stay with their issue. Returns summary lines (what was kept,
    resolved, dismissed) for the APM.
    """
    checked = replace(checked or Checked(today=pd.Timestamp.today().date()),
                      dismiss_days=tracker.config.dismiss_days)  # the workbook's Config, whoever asks
    if checked.files and not checked.reports:
        checked = replace(checked, reports=vendor_reports(tracker))
    table = tracker.table(ISSUES, required=False)
    new = issue_rows(tracker, findings, checked, by)
    old = table.frame if table.exists else pd.DataFrame(columns=[*ISSUES.fields, "_row"])
    old = _days_as_shown(old, tracker.config.date_format)
    renamed = as_named(old, new, today_names(tracker, old, new))  # a sheet or header renamed since: today's names
    old = renamed.frame
    new = said_before(new, old, checked)  # a 'TBC' the T&A's open row speaks of: not a second row at the cell
    column_new = table.exists and "dismissed_as" not in table.columns  # written before the column, or deleted
    merged = merge(old, new, checked, list(ISSUES.fields), column_new=column_new)
    if not table.exists and merged.frame.empty:
        return merged.notes
    if table.exists and not getattr(tracker.backend, "pending", True):  # the run writes nothing else so far
        held = merge(old, new, checked, list(ISSUES.fields), keep=RUN_NOTES, column_new=column_new)
        if len(held.frame) > len(merged.frame):  # a note on an earlier run would leave: not worth a file alone
            mark = tracker.mark()
            _stage_asked(tracker, table, held, log=not checked.after_undo)
            if not getattr(tracker.backend, "pending", True):
                return renamed.notes + held.notes
            tracker.back_to(mark)  # something else changed: the sheet is written, and the note leaves with it
    _stage_asked(tracker, table, merged, log=not checked.after_undo)
    return renamed.notes + merged.notes


def today_names(tracker: Tracker, old: pd.DataFrame, new: pd.DataFrame) -> Names:
    """The sheet and column names of the workbook today (``open_findings.Names``), for the Issues rows an earlier
    run wrote under others: each default sheet's name (a Config 'Sheet:' line), and the headers of the sheets the
    rows speak of, each column's other names with them (a sheet this run did not read is peeked at: its header
    only). Nothing for a sheet without rows."""
    if not len(old):
        return Names()
    present = frozenset(tracker.backend.sheet_names())
    have = {fold_sheet(s) for s in present}
    specs: dict[str, SheetSpec] = {}
    sheets: dict[str, str] = {}
    for spec in ALL_SHEETS:
        now = tracker.sheet(spec)
        if fold_sheet(now) in have:
            specs[fold_sheet(now)] = spec
            if fold_sheet(spec.name) not in have:
                sheets[spec.name] = now  # 'Orders' is 'PO Lines' today
    ours = {fold_sheet(k): v for k, v in sheets.items()}
    about = {fold_sheet(ours.get(fold_sheet(s), s)) for s in [*old["sheet"], *new["sheet"]] if isinstance(s, str)}
    headers: dict[str, frozenset[str]] = {}
    aliases: dict[str, dict[str, str]] = {}
    for name in sorted(about & specs.keys()):
        table = tracker.peek(specs[name])
        if table.exists:
            headers[name] = frozenset(normalise_header(h) for h in table.headers if isinstance(h, str) and h)
            aliases[name] = other_names({f: table.headers[i] for f, i in table.columns.items()
                                         if i < len(table.headers) and table.headers[i]}, specs[name].columns)
    return Names(present, sheets, headers, aliases)


def vendor_reports(tracker: Tracker) -> dict[str, tuple[str, date]]:
    """The vendor WIP reports on the Vendor WIP sheet as this run leaves it (``Checked.reports``): by Source File,
    its vendor and report date, for a file of one vendor and one date. Read only after a WIP import this run (its
    rows are in hand): a run that read no report has no newer one to check an older file's rows by."""
    if not tracker.was_remembered(VENDOR_WIP):
        return {}
    rows = tracker.current(VENDOR_WIP)
    if not len(rows):
        return {}
    seen: dict[str, set[tuple[str, date]]] = {}
    for source, vendor, day in zip(rows["source_file"], rows["vendor"], rows["report_date"], strict=True):
        day = day.date() if isinstance(day, datetime) else day
        if isinstance(source, str) and source.strip() and isinstance(vendor, str) and vendor.strip() \
                and isinstance(day, date) and not pd.isna(day):
            seen.setdefault(source.strip(), set()).add((vendor.strip(), day))
    return {source: next(iter(both)) for source, both in seen.items() if len(both) == 1}


def _stage_asked(tracker: Tracker, table: Table, merged: Merged, *, log: bool) -> None:
    """Stage the rows ``merged`` holds, Accept as typed; ``log``: each Accept the run blanked goes in the Change
    Log (not on the check after an undo, which logs nothing), so that undo gives the APM's word back, and so does
    each row of a vendor's older report that its newer one took off or continues (``superseded_lines``)."""
    merged, fields, blanked = _accept_as_typed(tracker, table, merged)
    stage_rows(tracker, table, merged, fields)
    if log:
        tracker.log(blanked + superseded_lines(tracker, table, merged))


CONTINUED_AS = "(continued as)"
"""The Change Log's Field of the line that names (in New) the row continuing a superseded row (``superseded_lines``)
by its ``decision_key``: the newer report's row, which undo puts the older one back in place of."""


def superseded_lines(tracker: Tracker, table: Table, merged: Merged) -> list[Change]:
    """Change Log lines for the rows of a vendor's older report that a newer report read by this run took off the
    Issues sheet or continues under its own file's name (``Merged.superseded``): each row whole, as it was, the
    APM's Accept as typed and their own columns with it (a '(removed)' line, Key: its ``decision_key``), and for a
    row continued, the row that continues it ('(continued as)'). Undoing this run puts the older report's rows back
    as they were: its report is the vendor's latest on the Vendor WIP sheet again (``undo_job``)."""
    if not merged.superseded or not table.exists:
        return []
    rows = {int(r["_row"]): r for r in row_dicts(table.frame)}
    records = [rows[n] for n in merged.superseded if n in rows]
    if "accept" in table.columns:  # as typed: a TRUE is TRUE again
        records = [{**r, "accept": tracker.cell_as_written(table.sheet, int(r["_row"]), table.columns["accept"])}
                   for r in records]
    now = {src: decision_key(r) for src, r in zip(merged.source, row_dicts(merged.frame), strict=True)
           if src is not None}
    keys = [decision_key(r) for r in records]
    out: list[Change] = []
    at = -1
    for line in tracker.removed_rows(table, records):  # a row's '(removed)' line, then any '(removed, continued)'
        at += line.field == REMOVED
        out.append(replace(line, key=keys[at]))
    out += [Change(table.sheet, key, CONTINUED_AS, None, now[int(r["_row"])])
            for key, r in zip(keys, records, strict=True) if int(r["_row"]) in now]
    return out


def _accept_as_typed(tracker: Tracker, table: Table, merged: Merged) -> tuple[Merged, list[str], list[Change]]:
    """``merged``, the fields to write and the Accepts blanked. Accept is the APM's: it goes with its row, as
    typed, unless this run asks a row again (``Merged.cleared``: a dismissed row found again changed, a Yes whose
    vendor value moved). Then the column is written, that row's Accept blank beside the notes it keeps, every
    other one as the cell holds it (a TRUE stays TRUE, not the text the column reads it as), and each blanked one
    is a Change Log line (Key: ``decision_key``; Old: the word typed), with the Problem, Value, Other Value and
    Dismissed As it was decided on where they changed (``ASKED_WITH``: undo puts them back with it). Only then:
    a run that clears none leaves the sheet unwritten when nothing else on it changed."""
    fields = [c.field for c in ISSUES.columns if not c.user or c.field not in table.columns]
    if not table.exists or "accept" in fields or not merged.cleared:
        return merged, fields, []
    at = table.columns["accept"]
    typed = [tracker.cell_as_written(table.sheet, src, at) if src is not None else None for src in merged.source]
    accept = [was if decision(a) else None for a, was in zip(merged.frame["accept"], typed, strict=True)]
    before = {int(r["_row"]): r for r in row_dicts(table.frame)}
    blanked = []
    for r, src, a, was in zip(row_dicts(merged.frame), merged.source, accept, typed, strict=True):
        if src is not None and a is None and decision(was):
            key, old = decision_key(r), before.get(src, {})
            blanked += [Change(table.sheet, key, ISSUES.column("accept").header, was, None)] + [
                Change(table.sheet, key, ISSUES.column(f).header, old.get(f), r.get(f)) for f in ASKED_WITH
                if not same_logged(old.get(f), r.get(f))]
    return replace(merged, frame=merged.frame.assign(accept=pd.Series(accept, index=merged.frame.index,
                                                                       dtype=object))), list(ISSUES.fields), blanked


def stage_rows(tracker: Tracker, table: Table, merged: Merged, fields: list[str]) -> None:
    """Stage the Issues rows ``merged`` holds, each Cell a link to its cell (``fields``: those written)."""
    rows = merged.frame.copy()
    sheets = set(tracker.backend.sheet_names())
    rows["cell"] = [cell_link(s, c, sheets) for s, c in zip(rows["sheet"], rows["cell"])]
    tracker.replace_rows(table, rows, fields, merged.source if table.exists else None)
