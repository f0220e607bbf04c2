"""The Issues sheet: every finding of the run, where the APM can sort and filter it."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from prodbook.findings import Finding, Severity
from prodbook.model.sheets import ISSUES
from prodbook.workbook.tracker import Tracker, log_text

_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def issue_rows(tracker: Tracker, findings: Sequence[Finding]) -> pd.DataFrame:
    """Findings as Issues rows, errors first, then by sheet and row."""
    ordered = sorted(findings, key=lambda f: (_ORDER[f.severity], f.sheet or "", f.row or 0))
    return pd.DataFrame([{
        "sheet": f.sheet or f.file, "cell": tracker.address(f.sheet, f.column, f.row)
        or (f"row {f.row}" if f.row else None), "key": f.key, "field": f.column,
        "value": log_text(f.value), "problem": f.message, "severity": str(f.severity),
        "code": str(f.code), "other_value": log_text(f.fix.other) if f.fix else None,
        "other_source": f.fix.source if f.fix else None,
        "proposed": log_text(f.fix.proposed) if f.fix else None} for f in ordered],
        columns=list(ISSUES.fields))


def stage_issues(tracker: Tracker, findings: Sequence[Finding]) -> None:
    """Replace the Issues sheet's rows with this run's findings; extra columns stay with their issue."""
    table = tracker.table(ISSUES, required=False)
    rows = issue_rows(tracker, findings)
    source = None
    if table.exists and len(table.frame):
        key = ["sheet", "cell", "code", "problem"]
        old = {tuple(r[k] for k in key): int(r["_row"]) for r in table.frame.to_dict("records")}
        source = [old.get(tuple(r[k] for k in key)) for r in rows.to_dict("records")]
    if not table.exists and rows.empty:
        return
    # user columns (Accept) stay with their issue; one the sheet lacks yet is added, blank
    fields = [c.field for c in ISSUES.columns if not c.user or c.field not in table.columns]
    tracker.replace_rows(table, rows, fields, source)
