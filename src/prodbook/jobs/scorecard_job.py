"""The vendor scorecard job: the tracker's history in, a scorecard workbook (or web page) out.

Reads the sheets once (Orders, T&A and Vendor WIP as this run leaves them,
Lab Dips, Samples, Exceptions, Styles, Vendors), calls the pure
``core.scorecards.scorecard`` and stages 'Vendor Scorecard DATE.xlsx' beside
the tracker (``--out`` names another file; .html writes a web page). Nothing
in the tracker changes: the file is written by the runner after the run.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from prodbook.core import exceptions as ex
from prodbook.core import scorecards as sc
from prodbook.core.findings import Code, Finding, UserError
from prodbook.core.model.sheets import EXCEPTIONS, LAB_DIPS, ORDERS, SAMPLES, STYLES, TA, VENDOR_WIP, VENDORS
from prodbook.jobs.base import ACTION_NAMES, Context, Outcome, stopped_lines, valid_frame, whole_path
from prodbook.jobs.exceptions_job import current_exceptions
from prodbook.workbook.publish import StagedFile, Writer, no_folder
from prodbook.workbook.report_html import render_scorecard_html
from prodbook.workbook.scorecard_xlsx import ON_TIME_BASIS, today_name, write_scorecard
from prodbook.workbook.tracker import Tracker


def exceptions_now(tracker: Tracker, ctx: Context) -> pd.DataFrame:
    """The Exceptions sheet as this run leaves it (checked in this run, else as read, else as it would be)."""
    if tracker.was_remembered(EXCEPTIONS):
        return tracker.current(EXCEPTIONS)
    table = tracker.table(EXCEPTIONS, required=False)
    return table.frame if table.exists else current_exceptions(tracker, ctx)[0]


def history(tracker: Tracker, ctx: Context) -> tuple[sc.History, sc.ScoreSettings, list[Finding]]:
    """The scorecard's inputs from the tracker, and its settings."""
    orders, found = valid_frame(tracker, ORDERS)
    if any(f.code is Code.SHEET_MISSING for f in found):
        raise UserError("no scorecard was made: the workbook has no Orders sheet", file=tracker.file,
                        sheet=tracker.sheet(ORDERS))
    settings, findings = ex.settings_from(tracker.config, tracker.file)
    frames = {spec.name: valid_frame(tracker, spec, required=False)[0]
              for spec in (STYLES, VENDORS, LAB_DIPS, SAMPLES)}
    # a PO line cancelled on Orders (or of a dropped style) is not the vendor's to ship: not one of its PO
    # lines, and a sample of a colour no line wants any more is not late for not being sent
    stopped = stopped_lines(tracker, orders, frames[STYLES.name])
    gone = orders["_row"].isin(stopped.rows) if stopped.rows else None
    out_of_scope = sc.line_keys(orders[gone]) if gone is not None else frozenset()
    orders = orders[~gone] if gone is not None else orders
    smp = frames[SAMPLES.name]
    if len(smp) and (unwanted := stopped.unwanted(smp)).any():
        sent = smp["shipped"].notna().to_numpy() if "shipped" in smp.columns else np.zeros(len(smp), dtype=bool)
        frames[SAMPLES.name] = smp[~unwanted | sent]
    # ... nor are its exceptions counted: the lines counted and the exceptions counted are the same lines
    h = sc.History(orders, tracker.current(TA), frames[LAB_DIPS.name], frames[SAMPLES.name],
                   tracker.current(VENDOR_WIP), exceptions_now(tracker, ctx), frames[STYLES.name],
                   frames[VENDORS.name], stopped=out_of_scope)
    return h, sc.settings_from(tracker.config, settings), findings


def card_for(tracker: Tracker, ctx: Context, *, season: bool = False) -> tuple[sc.Scorecard, list[Finding]]:
    """The scorecard over the run's period (``ctx.since`` to ``ctx.today``; the season when ``season``)."""
    h, settings, findings = history(tracker, ctx)
    since = None if season or ctx.since is None else ctx.since.date()
    names = {str(code): name for code, name in ex.ALL_RULE_NAMES.items()}
    table = tracker.table(EXCEPTIONS, required=False)
    header = table.header_of("detected") if table.exists else "Detected"
    unread = {int(f.row): f.value for f in table.findings if f.row and f.column == header and f.value is not None}
    findings += sc.exception_date_findings(h, ctx.now.date(), sheet=tracker.sheet(EXCEPTIONS), column=header,
                                           file=tracker.file, unread=unread)
    return sc.scorecard(h, settings, ctx.today, since, names), findings


def scorecard_path(tracker: Tracker, ctx: Context) -> Path | None:
    """--out from the folder the command was typed in, made whole (``report_job.report_path``), else 'Vendor
    Scorecard DATE.xlsx' beside the tracker."""
    if ctx.out is not None:
        return whole_path(ctx.out)
    path = getattr(tracker.backend, "path", None)
    return Path(path).parent / today_name(ctx.today) if path else None


def scorecard(tracker: Tracker, ctx: Context) -> Outcome:
    """Every vendor's scorecard over the period, written as a workbook (charts, drill-down) or a page."""
    card, findings = card_for(tracker, ctx)
    out = scorecard_path(tracker, ctx)
    fmt = tracker.config.date_format
    files: tuple[StagedFile, ...] = ()
    if out is not None:
        content: bytes | Writer
        if out.suffix.lower() in (".html", ".htm"):
            content = render_scorecard_html(card, fmt).encode("utf-8")
        else:
            content = partial(write_scorecard, card=card, date_format=fmt)
        files = (StagedFile(out, content, f"  Scorecard: {out}"),)
    vendors = sc.vendor_rows(card)
    summary = [f"Vendor scorecard: {len(vendors)} vendor(s), {len(card.detail)} row(s) behind the figures; on time: "
               f"{ON_TIME_BASIS}."]
    for r in vendors.to_dict("records"):
        summary.append("  " + _line(r))
    if out is None:
        summary.append(no_folder("The scorecard workbook was") + ".")
    return Outcome(ACTION_NAMES["scorecard"], findings, summary=summary, files=files,
                   data={"since": card.since.isoformat() if card.since else None, "today": card.today.isoformat(),
                         "vendors": card.table.to_dict("records"), "by_rule": card.by_rule.to_dict("records")})


def _line(r: dict) -> str:
    """One vendor's headline figures for the console."""
    def pct(v: object) -> str:
        return "-" if v is None else f"{v:g}%"

    worst = "" if r["worst_days_late"] is None else f", worst {int(r['worst_days_late'])} day(s) late"
    return (f"{r['vendor']}: on time {pct(r['on_time_pct'])} of {r['shipped']} delivered{worst}, "
            f"dips right first time {pct(r['dip_rft_pct'])}, samples on time {pct(r['samples_on_time_pct'])}, "
            f"WIP reports {pct(r['wip_punctuality_pct'])}, "
            f"{r['exceptions_per_100'] if r['exceptions_per_100'] is not None else '-'} exceptions per 100 lines, "
            f"qty within tolerance {pct(r['qty_accuracy_pct'])}")
