"""Run jobs on a workbook: read once, run each job, write everything in one go.

The ribbon, the CLI and the tests all come through here. A job that fails
unexpectedly becomes an internal-error finding and stages nothing; the
others still run. Nothing is written on --dry-run, or when the input itself
is wrong (``UserError``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from prodbook import support
from prodbook.findings import Code, Finding, Severity, UserError, error, has_errors
from prodbook.jobs import (development_job, exceptions_job, followups_job, report_job, ta_job, undo_job,
                           validate_job, wip_job)
from prodbook.jobs.base import Context, Outcome
from prodbook.jobs.issues_job import stage_issues
from prodbook.workbook.filebook import CommitResult, FileBook
from prodbook.workbook.safety import WorkbookLocked
from prodbook.workbook.tracker import Tracker

Job = Callable[[Tracker, Context], Outcome]

JOBS: dict[str, Job] = {
    "validate": validate_job.validate,
    "ta": ta_job.rebuild,
    "undo": undo_job.undo,
    "wip": wip_job.import_wip,
    "exceptions": exceptions_job.check,
    "followups": followups_job.followups,
    "report": report_job.report,
    "apply": development_job.apply_fixes,
}
REFRESH: tuple[str, ...] = ("validate", "ta", "wip", "exceptions", "followups")
"""The daily run, in order ("wip" imports the run's vendor files, when any are given)."""


@dataclass
class RunResult:
    file: Path
    action: str
    outcomes: list[Outcome]
    findings: list[Finding]
    commit: CommitResult | None
    dry_run: bool
    changes: int = 0
    log: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return 1 if has_errors(self.findings) else 0


def _dedupe(findings: Sequence[Finding]) -> list[Finding]:
    seen: set[tuple] = set()
    out = []
    for f in findings:
        k = (f.sheet, f.row, f.column, f.message)  # one place, one sentence: said once
        if k not in seen:
            seen.add(k)
            out.append(f)
    return out


def run(path: str | Path, jobs: Sequence[str], ctx: Context, *, title: str | None = None,
        on_step: Callable[[str], None] | None = None, issues: bool = True,
        backend: Any = None) -> RunResult:
    """Run ``jobs`` (names from ``JOBS``) on the workbook at ``path``.

    ``backend``: an open workbook back end to use instead of the file at ``path``
    (the live-Excel one, ``prodbook.workbook.xlbook.XlBook``); it commits the same way.
    """
    step = on_step or (lambda _: None)
    step("Reading the workbook")
    book = backend if backend is not None else FileBook(path)
    tracker = Tracker(book)
    outcomes: list[Outcome] = []
    findings: list[Finding] = list(tracker.findings)
    crash_log = None
    for name in jobs:
        step(f"Running {name}")
        try:
            outcome = JOBS[name](tracker, ctx)
        except (UserError, WorkbookLocked):
            raise
        except Exception:  # a bug: report it as a finding, keep the other steps
            crash_log = support.crash_log(f"step '{name}' on {book.name}")
            findings.append(error(Code.INTERNAL, f"the '{name}' step stopped on an unexpected problem; "
                                  f"the other steps ran and nothing of this step was written. Please "
                                  f"send this file to support: {crash_log}", file=book.name))
            continue
        outcomes.append(outcome)
        findings += outcome.findings
    findings = _dedupe(findings + tracker.notes)
    action = title or (outcomes[0].action if len(outcomes) == 1 else "Refresh")
    run_id = action if action.startswith("Undo ") else f"{action} {_stamp(ctx.now)}"
    if issues and "undo" not in jobs:
        stage_issues(tracker, findings)
    tracker.stage_change_log(run_id, ctx.now)
    findings = _dedupe(findings + tracker.notes)  # the Issues and Change Log sheets' own notes
    commit = None
    if not ctx.dry_run:
        step("Writing the workbook")
        commit = book.commit(tracker.config.backups_to_keep)
    return RunResult(Path(path), run_id, outcomes, findings, commit, ctx.dry_run,
                     changes=len(tracker.changes), log=crash_log)


_issued: dict[str, int] = {}


def _stamp(now: datetime) -> str:
    """The run's id in the Change Log: its time, with a counter when one process runs twice a second."""
    stamp = f"{now:%Y-%m-%d %H:%M:%S}"
    _issued[stamp] = n = _issued.get(stamp, 0) + 1
    return stamp if n == 1 else f"{stamp} ({n})"


__all__ = ["JOBS", "REFRESH", "RunResult", "Severity", "run"]
