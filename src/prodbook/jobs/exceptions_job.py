"""Run the exception rules and stage the Exceptions sheet, keeping each exception's identity."""

from __future__ import annotations

from collections import Counter

import pandas as pd

from prodbook.core import exceptions as ex
from prodbook.core import recovery as rc
from prodbook.core import ta
from prodbook.core.changes import NEW_ROW, Change, row_prints, same_logged
from prodbook.core.factories import vendor_calendars
from prodbook.core.findings import Code, Finding, UserError
from prodbook.core.keys import line_key
from prodbook.core.model.sheets import CLOSURES, EXCEPTIONS, ORDERS, STYLES, TA, VENDOR_WIP, VENDORS
from prodbook.jobs.base import ACTION_NAMES, Context, Outcome, line_status_header, valid_frame
from prodbook.workbook import links
from prodbook.workbook.links import po_links
from prodbook.workbook.tracker import Tracker

TRACKED = tuple(f for f in ex.EXCEPTION_FIELDS if f != "id")
"""Fields whose changes go to the Change Log: every one, so the report can say what changed and undo can
put each back."""
ID_HEADER = EXCEPTIONS.column("id").header
"""The Change Log's Field of an ID given to a row the APM added (Key: that ID; Old: the blank it was)."""


def inputs(tracker: Tracker, ctx: Context) -> tuple[ex.Inputs, list[Finding]]:
    """The rules' inputs as this run leaves the workbook (the T&A and WIP just rebuilt included)."""
    orders, found = valid_frame(tracker, ORDERS)
    if any(f.code is Code.SHEET_MISSING for f in found):
        raise UserError("the exceptions were not checked: the workbook has no Orders sheet",
                        file=tracker.file, sheet=tracker.sheet(ORDERS))
    styles, _ = valid_frame(tracker, STYLES, required=False)
    vendors, _ = valid_frame(tracker, VENDORS, required=False)
    closures, _ = valid_frame(tracker, CLOSURES, required=False)
    settings, findings = ex.settings_from(tracker.config, tracker.file)
    ta_frame = tracker.current(TA)
    wip_frame = tracker.current(VENDOR_WIP)
    years = ta.required_years(orders, ctx.today)
    years = range(min(years.start, ctx.today.year - 1), max(years.stop, ctx.today.year + 2))
    calendars, default, _ = vendor_calendars(vendors, closures, years, file=tracker.file,
                                             vendors_sheet=tracker.sheet(VENDORS),
                                             closures_sheet=tracker.sheet(CLOSURES))
    header = line_status_header(tracker)
    every = ex.build_lines(orders, styles, ta_frame, wip_frame, settings, ctx.today, status_header=header,
                           stopped=None)  # one pass over the T&A for both
    lines = [ln for ln in every if ln.stopped is None]
    stopped = [ln for ln in every if ln.stopped is not None]
    c = tracker.config
    rates = rc.Rates(c.air_cost_per_unit, c.shift_cost_per_day)
    kept = len(wip_frame) > 0 or tracker.table(VENDOR_WIP, required=False).exists  # a sheet, or this run's import
    return ex.Inputs(lines, wip_frame, ctx.today, settings, calendars, default, rates, stopped, kept), findings


def current_exceptions(tracker: Tracker, ctx: Context) -> tuple[pd.DataFrame, list[int | None], list[Finding],
                                                                 list[Finding]]:
    """The Exceptions sheet as this run makes it, without staging it; the frame holds each found row's facts
    (``ex.FACTS``) besides the sheet's fields."""
    inp, findings = inputs(tracker, ctx)
    found = ex.evaluate(inp)
    table = tracker.table(EXCEPTIONS, required=False)
    stopped = {line_key(ln.po, ln.style, ln.color): str(ln.stopped) for ln in inp.stopped}
    frame, source = ex.merge(table.frame, found, ctx.today, stopped=stopped, issued=issued_ids(tracker))
    return frame, source, found, findings + table.findings


def without_ids_given(tracker: Tracker, frame: pd.DataFrame, source: list[int | None]) -> pd.DataFrame:
    """``current_exceptions``' frame with the APM's rows as the sheet holds them, without the IDs it gave them:
    for a run that does not write the Exceptions sheet (the follow-ups alone), which names no ID the sheet
    does not show. The next run that writes it gives them."""
    table = tracker.table(EXCEPTIONS, required=False)
    waiting = {int(r["_row"]) for r in table.frame.to_dict("records") if ex.awaits_id(r)}
    if not waiting:
        return frame
    out = frame.copy()
    out["id"] = [None if src in waiting else i for i, src in zip(out["id"].tolist(), source)]
    return out


ISSUED_NAME = "prodbook_exceptions_issued"
"""A hidden workbook name holding the highest Exception ID number ever given (``ex.merge``'s ``issued``)."""


def issued_ids(tracker: Tracker) -> int:
    """The highest Exception ID number given in this workbook so far, as its hidden name keeps it (0: none)."""
    text = tracker.backend.defined_name(ISSUED_NAME)
    try:
        return max(int(str(text).lstrip("=").strip()), 0) if text is not None else 0
    except ValueError:  # not a number: someone typed over it in the Name Manager; the sheet's IDs still count
        return 0


def check(tracker: Tracker, ctx: Context) -> Outcome:
    """Run every rule; new exceptions get an ID, known ones keep theirs, gone ones are resolved by data."""
    frame, source, found, findings = current_exceptions(tracker, ctx)
    table = tracker.table(EXCEPTIONS, required=False)
    changes = _changes(tracker.sheet(EXCEPTIONS), table.frame, frame, source)
    rows, moved = ta_rows(tracker)
    if changes or moved or not table.exists:
        tracker.replace_rows(table, frame.assign(po=po_links(frame, rows, tracker.sheet(TA))),
                             list(ex.EXCEPTION_FIELDS), source if table.exists else None, force=moved)
        tracker.log(changes)
    given = any(c.field in (NEW_ROW, ID_HEADER) for c in changes)  # new rows, or IDs given to the APM's rows
    if given and (top := ex.highest_id(frame)) > issued_ids(tracker):
        tracker.backend.stage_name(ISSUED_NAME, str(top))  # only with IDs given: a run with nothing new writes none
    # the frame as merged, its facts column (ex.FACTS, not written above) included: the follow-ups tell the
    # vendor those facts, never the advice the Detail adds for the APM
    tracker.remember(EXCEPTIONS, frame.assign(_row=source))  # type: ignore[arg-type]  # pandas-stubs: no None in a list
    new = sum(1 for c in changes if c.field == NEW_ROW)
    resolved = sum(1 for c in changes if c.field == "Status" and c.new == ex.RESOLVED_BY_DATA)
    # an exception found again after prodbook had resolved it by data is open again: said, so that the open
    # count adds up from the last run's (137 open, 4 new, 4 reopened, 1 resolved: 144 open)
    reopened = sum(1 for c in changes if c.field == "Status" and c.old == ex.RESOLVED_BY_DATA
                   and not ex.is_closed(c.new))
    still_open = ex.open_exceptions(frame)
    by_rule = Counter(ex.rule_name(r) or "no rule given" for r in still_open["rule"])
    again = f", {reopened} reopened" if reopened else ""
    summary = [f"Exceptions: {len(still_open)} open ({new} new{again}), {resolved} resolved by data since the "
               f"last run."]
    if by_rule:
        summary.append("  " + ", ".join(f"{name} {n}" for name, n in by_rule.most_common()))
    numbered = [c.key for c in changes if c.field == ID_HEADER]
    if numbered:  # the APM's own rows: not new to them, but they look for the ID to quote
        summary.append(f"  The row(s) you added got their ID: {', '.join(numbered)}.")
    return Outcome(ACTION_NAMES["exceptions"], findings, changes, summary=summary,
                   data={"open": len(still_open), "new": new, "reopened": reopened, "resolved": resolved,
                         "numbered": numbered,
                         "exceptions": [f.to_dict() for f in found]})


def ta_rows(tracker: Tracker) -> tuple[dict[links.LineKey, int], bool]:
    """Each PO line's first T&A row as this run leaves the T&A, and whether it moved since the read
    (then the PO links written before point elsewhere: the sheet is written again)."""
    now = links.first_rows(tracker.current(TA))
    return now, now != links.first_rows(tracker.as_read(TA))


def _changes(sheet: str, old: pd.DataFrame, frame: pd.DataFrame, source: list[int | None]) -> list[Change]:
    out: list[Change] = []
    new_rows: list[dict] = []
    before = {int(r["_row"]): r for r in old.to_dict("records")} if len(old) else {}
    for rec, src in zip(frame.to_dict("records"), source):
        if src is None:  # its print below, all new rows at once: undo keeps a row the APM typed in since
            new_rows.append(rec)
            out.append(Change(sheet, str(rec["id"]), NEW_ROW, len(new_rows) - 1, rec["rule"]))
            continue
        prev = before.get(src, {})
        if ex.awaits_id(prev) and rec["id"]:  # the APM's row, given its ID: undo blanks it again
            out.append(Change(sheet, str(rec["id"]), ID_HEADER, None, rec["id"]))
        for f in TRACKED:
            if not same_logged(prev.get(f), rec.get(f)):
                out.append(Change(sheet, str(rec["id"]), EXCEPTIONS.column(f).header, prev.get(f), rec.get(f)))
    prints = row_prints([[r.get(f) for r in new_rows] for f in EXCEPTIONS.printed]) if new_rows else []
    return [Change(c.sheet, c.key, c.field, prints[c.old], c.new) if c.field == NEW_ROW else c for c in out]
