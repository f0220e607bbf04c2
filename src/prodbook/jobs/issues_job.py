"""The Issues sheet: every open finding, where the APM can sort, filter and click through to the cell.

What stays open from earlier runs and what leaves the sheet is decided in
``prodbook.core.open_findings``; here the findings become rows (each with its
record's Key, where and when it was found) and the Cell column becomes a link.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from prodbook.core.cells import EXCEL_ERRORS
from prodbook.core.changes import log_text
from prodbook.core.findings import Finding, Severity
from prodbook.core.model.sheets import ISSUES
from prodbook.core.open_findings import EVERY_RUN, RUN_NOTES, Checked, Merged, merge, said_before
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


def issue_rows(tracker: Tracker, findings: Sequence[Finding], checked: Checked | None = None,
               by: Mapping[int, str] | None = None) -> pd.DataFrame:
    """Findings as Issues rows, errors first, then by sheet and row.

    ``by``: the step (Found By) of each finding, by ``id``; what every run finds has none.
    """
    checked = checked or Checked(today=pd.Timestamp.today().date())
    by = by or {}
    own = tracker.sheet(ISSUES)
    ordered = sorted(findings, key=lambda f: (_ORDER[f.severity], f.sheet or "", f.row or 0))
    return pd.DataFrame([{
        "sheet": f.sheet or f.file, "cell": tracker.address(f.sheet, f.column, f.row)
        or (f"row {f.row}" if f.row else None), "key": f.key or tracker.key_of(f.sheet, f.row),
        "field": f.column,
        "value": shown(f.value), "problem": f.message, "severity": str(f.severity),
        "code": str(f.code), "other_value": shown(f.fix.other) if f.fix else None,
        "other_source": f.fix.source if f.fix else None,
        "proposed": log_text(f.fix.proposed) if f.fix else None,
        "found_in": found_in(f, checked.files), "found_on": checked.today,
        # a note on the Issues sheet itself (a fix not applied) is about this run only
        "found_by": EVERY_RUN if f.sheet == own else by.get(id(f), EVERY_RUN) or None} for f in ordered],
        columns=list(ISSUES.fields))


def stage_issues(tracker: Tracker, findings: Sequence[Finding], checked: Checked | None = None,
                 by: Mapping[int, str] | None = None) -> list[str]:
    """Stage the Issues sheet: this run's findings and the open ones it did not check again.

    User columns (Accept) and extra columns stay with their issue. Returns summary lines (what was kept,
    resolved, dismissed) for the APM.
    """
    checked = checked or Checked(today=pd.Timestamp.today().date())
    table = tracker.table(ISSUES, required=False)
    new = issue_rows(tracker, findings, checked, by)
    fields = [c.field for c in ISSUES.columns if not c.user or c.field not in table.columns]
    old = table.frame if table.exists else pd.DataFrame(columns=[*ISSUES.fields, "_row"])
    new = said_before(new, old, checked)  # a 'TBC' the T&A's open row speaks of: not a second row at the cell
    merged = merge(old, new, checked, list(ISSUES.fields))
    if not table.exists and merged.frame.empty:
        return merged.notes
    if table.exists and not getattr(tracker.backend, "pending", True):  # the run writes nothing else so far
        held = merge(old, new, checked, list(ISSUES.fields), keep=RUN_NOTES)
        if len(held.frame) > len(merged.frame):  # a note on an earlier run would leave: not worth a file alone
            mark = tracker.mark()
            stage_rows(tracker, table, held, fields)
            if not getattr(tracker.backend, "pending", True):
                return held.notes
            tracker.back_to(mark)  # something else changed: the sheet is written, and the note leaves with it
    stage_rows(tracker, table, merged, fields)
    return merged.notes


def stage_rows(tracker: Tracker, table: Table, merged: Merged, fields: list[str]) -> None:
    """Stage the Issues rows ``merged`` holds, each Cell a link to its cell (``fields``: those written)."""
    rows = merged.frame.copy()
    sheets = set(tracker.backend.sheet_names())
    rows["cell"] = [cell_link(s, c, sheets) for s, c in zip(rows["sheet"], rows["cell"])]
    tracker.replace_rows(table, rows, fields, merged.source if table.exists else None)
