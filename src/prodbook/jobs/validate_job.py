"""Check the tracker's records against their models; findings go to the Issues sheet.

Every sheet of the default layout that the workbook has is read and each row
validated. Rules for individual fields (fiber content, HTS...) add to this
through ``RULES``: small pure functions over the validated tables.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from prodbook.core import ta
from prodbook.core.cells import is_signed_number, looks_like_formula
from prodbook.core.findings import Code, Finding, warning
from prodbook.core.model.sheets import (
    ALL_SHEETS,
    CHANGE_LOG,
    ISSUES,
    LAB_DIPS,
    ORDERS,
    SAMPLES,
    STYLES,
    TEMPLATES,
    VENDOR_WIP,
    Kind,
    SheetSpec,
)
from prodbook.core.order_dates import ORDER_DATES, in_dc_before_ex_factory, unlikely_years
from prodbook.jobs import development_job
from prodbook.jobs.base import ACTION_NAMES, Context, Outcome, Stopped, stopped_lines, valid_frame
from prodbook.workbook.tables import Table
from prodbook.workbook.tracker import Tracker

CHECKED: tuple[SheetSpec, ...] = tuple(s for s in ALL_SHEETS if s not in (ISSUES, CHANGE_LOG))
Rule = Callable[[Tracker, Context], list[Finding]]


def formula_text(table: Table, file: str) -> list[Finding]:
    """Text that looks like a formula (=, +, -, @): kept as text, but worth a look.

    Each distinct value of a column is looked at once (a T&A's 300,000 text cells hold a few thousand
    different texts); a value is flagged wherever it occurs, in sheet order."""
    out = []
    rows = table.frame["_row"].to_numpy()
    for f, c in table.columns.items():
        if table.spec.column(f).kind is not Kind.TEXT:
            continue
        values = table.frame[f].to_numpy(dtype=object)
        codes, uniques = pd.factorize(values)  # blanks are -1; equal values read the same
        flagged = [i for i, value in enumerate(uniques)
                   if isinstance(value, str) and looks_like_formula(value) and not is_signed_number(value)]
        if not flagged:
            continue
        for at in np.flatnonzero(np.isin(codes, flagged)).tolist():
            out.append(warning(Code.FORMULA_TEXT, "this text starts like a formula; prodbook keeps "
                               "it as text and never runs it. Check it is what the vendor meant",
                               file=file, sheet=table.sheet, row=int(rows[at]), column=table.headers[c],
                               value=values[at]))
    return out


def validate(tracker: Tracker, ctx: Context) -> Outcome:
    """Every row of every known sheet the workbook has, against its model."""
    findings: list[Finding] = list(tracker.findings)
    counted: dict[str, int] = {}
    stopped = Stopped(frozenset(), frozenset(), frozenset())
    for spec in CHECKED:
        if not tracker.has(spec):
            continue
        frame, found = valid_frame(tracker, spec, required=False)
        table = tracker.table(spec, required=False)
        # the Vendor WIP sheet's text is the vendors': the import names such a text once, with the vendor's
        # file and row, rather than this check again every day
        findings += tracker.at_rows_now(found + ([] if spec is VENDOR_WIP else formula_text(table, tracker.file)))
        if spec is ORDERS:  # the valid rows at hand: a year that is a typo (the T&A plans it as typed)
            headers = {f: table.header_of(f) for f in ORDER_DATES}
            stopped = stopped_lines(tracker, frame, valid_frame(tracker, STYLES, required=False)[0])
            live = frame[~frame["_row"].isin(stopped.rows)]  # a cancelled line is not planned: its dates are moot
            findings += unlikely_years(live, ctx.today, file=tracker.file, sheet=table.sheet, headers=headers)
            findings += in_dc_before_ex_factory(live, file=tracker.file, sheet=table.sheet, headers=headers)
        if spec is TEMPLATES:  # a code listed twice, and a row that cannot be read, said as the T&A build says them
            held, _ = ta.invalid_template_rows(table.frame, frame["_row"], found, file=tracker.file,
                                               sheet=table.sheet, template_header=table.header_of("template"),
                                               code_header=table.header_of("code"))
            twice = ta.duplicate_rows(held)
            findings = [f for f in findings if not (f.code is Code.DUPLICATE_KEY and f.sheet == table.sheet
                                                    and f.row in twice)]
            findings += [f for said in held.values() for f in said]
        if not spec.generated:
            counted[table.sheet] = len(table.frame)
    for rule in RULES:
        findings += _not_asked_of_stopped(tracker, rule(tracker, ctx), stopped)
    return Outcome(ACTION_NAMES["validate"], findings, summary=[checked_line(counted, findings), *repeated(findings)],
                   data={"rows_checked": sum(counted.values()), "sheets_counted": list(counted)})


def checked_line(counted: dict[str, int], findings: list[Finding]) -> str:
    """The run's one line on the check. The rows counted are those of the APM's own sheets (``counted``, rows
    by sheet, named as the team names them), the same from one run to the next; the sheets prodbook writes
    (the T&A, Vendor WIP, Exceptions, Follow-ups), created or grown by the runs, are checked but not counted,
    so a first refresh and the next say the same number of the same tracker."""
    errors = sum(f.severity == "error" for f in findings)
    of = f" ({', '.join(counted)})" if counted else ""
    return (f"Checked {sum(counted.values()):,} rows{of}: {errors:,} error(s), {len(findings) - errors:,} "
            "warning(s)/note(s).")


REPEATED = 10
"""A problem found in this many cells of one column or more is said once in the run's summary, with where to
filter for it: 5,000 rows of 'TBC' in Qty would otherwise be all the APM sees of the run."""


def repeated(findings: list[Finding]) -> list[str]:
    """One line per problem repeated down a column (same sheet, column and code), most first."""
    groups: dict[tuple[str, str, str], list[Finding]] = {}
    for f in findings:
        if f.sheet and f.column and f.row:
            groups.setdefault((f.sheet, f.column, str(f.code)), []).append(f)
    big = sorted((g for g in groups.values() if len(g) >= REPEATED), key=lambda g: (-len(g), g[0].sheet or ""))
    out = []
    for g in big:
        rows = sorted(int(f.row or 0) for f in g)
        f = min(g, key=lambda f: int(f.row or 0))
        column = " ".join(str(f.column).split())  # a header typed over two lines, said on one
        out.append(f"{f.sheet}, column '{column}': {len(g):,} cells (rows {rows[0]:,} to {rows[-1]:,}) have the "
                   f"same kind of {f.severity} ({f.code}), for example row {rows[0]:,}: {f.message}. On the Issues "
                   f"sheet, filter Code on '{f.code}' to see them together, and fix them in one go (Find & "
                   "Replace, or fill down).")
    return out


_CHASES = {LAB_DIPS.name: frozenset({Code.LAB_DIP_LATE}),
           SAMPLES.name: frozenset({Code.SAMPLE_LATE, Code.SAMPLE_DUE})}
"""What the record checks ask of the vendor about a colour's dips and samples: nothing, once the colour's every PO
line is cancelled on Orders or its style dropped (``Stopped``); the samples check already leaves dropped styles."""


def _not_asked_of_stopped(tracker: Tracker, found: list[Finding], stopped: Stopped) -> list[Finding]:
    """``found`` without the chases of a stopped colour's lab dips and samples, and, on a cancelled PO line,
    without its colour's missing bulk approval and the vendor's other quantity (its Accept would put a Qty
    back on a line cancelled with Qty 0; the vendor still reporting it is 'cancelled-line-in-production')."""
    if not stopped.rows and not stopped.styles:
        return found
    quiet: dict[tuple[str, int], frozenset[Code]] = {}
    for spec in (LAB_DIPS, SAMPLES):
        if tracker.has(spec):
            frame, _ = valid_frame(tracker, spec, required=False)
            for row in frame["_row"][stopped.unwanted(frame)].tolist() if len(frame) else ():
                quiet[(tracker.sheet(spec), int(row))] = _CHASES[spec.name]
    for row in stopped.rows:
        quiet[(tracker.sheet(ORDERS), row)] = frozenset({Code.DIFF_QTY, Code.LAB_DIP_BULK})
    return [f for f in found if f.row is None or f.code not in quiet.get((f.sheet or "", int(f.row)), ())]


RULES: tuple[Rule, ...] = (development_job.check,)
"""Further record checks, each ``(tracker, ctx) -> findings``: the development step (style profiles, lab
dips, samples, vendor discrepancies; it also stages the Style Snapshot sheet, the locks of adopted styles)."""

