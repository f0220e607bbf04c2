"""The production report: the 'Production Report' sheet in the workbook and a standalone .xlsx (or .html).

The sheet is generated (one row per PO line, at-risk first; the team's extra
columns stay with their PO line) and, like the report file, is not written
to the Change Log: it is a view of values that are logged where they change.
The report file is staged (``Outcome.files``): the runner writes it only once
the run's save succeeded.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

import pandas as pd

from prodbook.core import report as rp
from prodbook.core.development import labdips
from prodbook.core.findings import Code, UserError, warning
from prodbook.core.keys import style_vendors
from prodbook.core.model.sheets import CHANGE_LOG, EXCEPTIONS, ISSUES, LAB_DIPS, ORDERS, STYLES, TA, VENDOR_WIP
from prodbook.jobs.base import ACTION_NAMES, Context, Outcome, stopped_lines, valid_frame, whole_path
from prodbook.jobs.exceptions_job import inputs, ta_rows
from prodbook.jobs.scorecard_job import card_for, exceptions_now
from prodbook.workbook.atomic import Writer
from prodbook.workbook.links import po_links
from prodbook.workbook.publish import StagedFile, no_folder, same_file
from prodbook.workbook.report_html import is_report_page, render_html
from prodbook.workbook.report_xlsx import is_report_workbook, write_xlsx
from prodbook.workbook.scorecard_xlsx import add_lab_dips, add_recovery, add_scorecard
from prodbook.workbook.tracker import Tracker

SUFFIXES = (".xlsx", ".html", ".htm")
"""What the report file can be: an Excel workbook or a web page."""


def check_out(out: Path, workbook: Path | None) -> None:
    """Refuse a report file name that would lose something (``UserError``: nothing is written): a name that is
    neither a workbook nor a web page, or an existing file that is not a report prodbook wrote (another
    tracker, a backup, the team's own file). A report open in Excel is left as it is when the run publishes
    its files (``publish.open_elsewhere``)."""
    suffix = out.suffix.lower()
    if suffix not in SUFFIXES:
        said = f"ends in '{out.suffix}'" if out.suffix else "has no extension"
        raise UserError(f"the report file '{out.name}' {said}: prodbook writes the report as an Excel workbook "
                        f"(.xlsx) or a web page (.html). Name it '{out.stem}.xlsx' or '{out.stem}.html' with "
                        "--out. Nothing was written", file=str(out))
    if workbook is not None and same_file(out, workbook):
        return  # said as such when the run writes its files (``publish.prepare``)
    try:
        there = out.is_file() and out.stat().st_size > 0
    except OSError:  # a name too long for the drive: said when the run writes its files
        there = False
    if there and not (
            is_report_page(out) if suffix in (".html", ".htm") else is_report_workbook(out)):
        raise UserError(f"'{out}' already exists and is not a production report prodbook wrote (a tracker, a "
                        "backup or another workbook or page): prodbook will not write over it. Name another file "
                        "with --out, or move that file away first. Nothing was written", file=str(out))


def report_path(tracker: Tracker, ctx: Context) -> Path | None:
    """--out from the folder the command was typed in, made whole (the run names the file it wrote by its whole
    path, as the follow-up drafts' --out), else 'Production Report DATE.xlsx' beside the tracker."""
    if ctx.out is not None:
        return whole_path(ctx.out)
    path = getattr(tracker.backend, "path", None)
    return Path(path).parent / f"Production Report {ctx.today.isoformat()}.xlsx" if path else None


def _lab_dips(tracker: Tracker, ctx: Context) -> pd.DataFrame:
    """Where each colour's lab dips stand, as the report lists them (none when the tracker keeps none)."""
    dips, _ = valid_frame(tracker, LAB_DIPS, required=False)
    if not len(dips):
        return pd.DataFrame(columns=list(rp.LAB_DIP_STATUS.fields))
    styles, _ = valid_frame(tracker, STYLES, required=False)
    status = labdips.dip_status(dips, ctx.today, labdips.settings_from(tracker.config, tracker.file, []))
    orders, _ = valid_frame(tracker, ORDERS, required=False)
    gone = stopped_lines(tracker, orders, styles).unwanted(status)  # every PO line cancelled, or style dropped
    if gone.any():  # nothing is next for it: listed last, as a colour whose dips were cancelled
        status = status.copy()
        status.loc[gone, ["state", "next_expected", "next_date"]] = ["Cancelled", None, None]
    return rp.lab_dip_table(status, style_vendors(styles))


def _since_said(ctx: Context, date_format: str) -> str:
    """Why the default start of 'what changed' is not a week before --today: the Change Log is stamped by this
    computer's clock, so the week is counted back from its date (README). Said only where the two days differ
    (the demo built for another day): on a real day's run the line stays as it was."""
    if ctx.since is not None or ctx.now.date() == ctx.today:
        return ""
    return (f" (a week before {rp.since_text(datetime.combine(ctx.now.date(), datetime.min.time()), date_format)}, "
            "this computer's date, which stamps the Change Log; --today does not move it: give --since DATE to "
            "choose the start)")


def report(tracker: Tracker, ctx: Context) -> Outcome:
    """Per PO line, per vendor, and what changed since ``ctx.since`` (default: a week before now, the clock
    the Change Log is stamped with)."""
    since = ctx.since or datetime.combine(ctx.now.date() - timedelta(days=7), datetime.min.time())
    _, found = valid_frame(tracker, ORDERS)
    if any(f.code is Code.SHEET_MISSING for f in found):  # said as the report's, not as the exceptions' step
        raise UserError(f"the production report was not made: the workbook has no '{tracker.sheet(ORDERS)}' "
                        "sheet, the PO lines it reports on. If your PO lines are on a sheet with another name, "
                        "name it on the Config sheet (Setting 'Sheet: Orders', Value: your sheet's name). "
                        "Nothing was written", file=tracker.file, sheet=tracker.sheet(ORDERS))
    out = report_path(tracker, ctx)
    if out is not None:
        check_out(out, getattr(tracker.backend, "path", None))
    inp, findings = inputs(tracker, ctx)
    empty_note = None
    if not inp.lines:
        empty_note = rp.no_lines_text(tracker.sheet(ORDERS), len(inp.stopped))
        findings = [*findings, warning(Code.REQUIRED, empty_note, file=tracker.file, sheet=tracker.sheet(ORDERS))]
    exceptions = exceptions_now(tracker, ctx)
    lines = rp.po_lines(inp, exceptions)
    vendors = rp.vendor_summary(lines, exceptions)  # every open exception counted, as the headline
    recovery = rp.recovery_table(inp)
    dips = _lab_dips(tracker, ctx)
    card, _ = card_for(tracker, ctx, season=True)  # the season's scorecard; its setting notes are said above
    log = tracker.table(CHANGE_LOG, required=False).frame
    milestones = tracker.config.get("Report Milestones")
    codes = tuple(c.strip() for c in str(milestones).split(",")) if milestones else (
        *rp.KEY_MILESTONES[:3], tracker.config.ex_factory_code, rp.KEY_MILESTONES[4])
    changes, other = rp.changes_since(log, since, exceptions=exceptions, milestones=codes, sheets={
        "T&A": tracker.sheet(TA), "Vendor WIP": tracker.sheet(VENDOR_WIP), "Exceptions": tracker.sheet(EXCEPTIONS),
        "Issues": tracker.sheet(ISSUES)},
        wip=tracker.current(VENDOR_WIP))

    table = tracker.table(rp.REPORT, required=False)
    source = None
    if table.exists and len(table.frame):
        old = {(str(r["po"]), str(r["style"]), str(r["color"])): int(r["_row"])
               for r in table.frame.to_dict("records")}
        source = [old.get((r["po"], r["style"], r["color"])) for r in lines.to_dict("records")]
    rows, moved = ta_rows(tracker)  # each PO jumps to its line's first T&A row
    tracker.replace_rows(table, lines.assign(po=po_links(lines, rows, tracker.sheet(TA))),
                         list(rp.REPORT.fields), source, force=moved)
    files: tuple[StagedFile, ...] = ()
    if out is not None:  # written by the runner once the workbook is saved, never on --dry-run
        content: bytes | Writer
        if out.suffix.lower() in (".html", ".htm"):
            content = render_html(today=ctx.today, since=since, lines=lines, vendors=vendors, changes=changes,
                                  other_changes=other, date_format=tracker.config.date_format, scorecard=card,
                                  recovery=recovery, empty_note=empty_note).encode("utf-8")
        else:
            content = partial(write_xlsx, today=ctx.today, since=since, lines=lines, vendors=vendors,
                              changes=changes, other_changes=other, exceptions=exceptions,
                              date_format=tracker.config.date_format, more_sheets=(
                                  partial(add_recovery, options=recovery, date_format=tracker.config.date_format),
                                  partial(add_lab_dips, table=dips, date_format=tracker.config.date_format),
                                  partial(add_scorecard, card=card, date_format=tracker.config.date_format)),
                              empty_note=empty_note)
        what = "Report web page" if out.suffix.lower() in (".html", ".htm") else "Report workbook"
        files = (StagedFile(out, content, f"  {what}: {out}"),)
    risk = lines[lines["status"].isin(rp.RISK)] if len(lines) else lines
    late = int((lines["status"] == rp.LATE).sum()) if len(lines) else 0
    summary = [f"Production report: {len(lines)} PO line(s), {len(risk)} at risk "
               f"({int(risk['qty'].fillna(0).sum()) if len(risk) else 0:,} units, {late} late for cancel); "
               f"{len(changes)} change(s) since {rp.since_text(since, tracker.config.date_format)}"
               f"{_since_said(ctx, tracker.config.date_format)}."]
    if out is None:
        summary.append(no_folder("The report workbook was") + ".")
    return Outcome(ACTION_NAMES["report"], findings, summary=summary, data={
        "lines": len(lines), "at_risk": len(risk), "late_for_cancel": late, "report": str(out) if out else None,
        "changes": [{"when": c.when.isoformat(), "what": c.what, "ref": c.ref, "detail": c.detail}
                    for c in changes],
        "vendors": vendors.to_dict("records"),
        "recovery": recovery.to_dict("records")}, files=files)
