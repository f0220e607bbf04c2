"""What every job shares: the run's context, its outcome, validated input tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from prodbook.core.changes import Change
from prodbook.core.findings import Finding
from prodbook.core.model.sheets import SheetSpec
from prodbook.workbook.publish import Staged
from prodbook.workbook.tables import duplicate_keys, records_frame
from prodbook.workbook.tracker import Tracker


@dataclass(frozen=True)
class Context:
    """The run: the date statuses are judged against, and the clock for the Change Log."""

    today: date
    now: datetime = field(default_factory=lambda: datetime.now().replace(microsecond=0))
    dry_run: bool = False
    files: tuple[Path, ...] = ()
    """Input files of the run (vendor WIP reports); jobs that need none ignore them."""
    out: Path | None = None
    """Where a job writes its files (follow-up drafts folder, report workbook); None: its default."""
    outlook: bool = False
    """Follow-up drafts go to Outlook's Drafts folder when Outlook is there (the Excel add-in)."""
    since: datetime | None = None
    """Start of the 'what changed' window of the production report; None: a week before today."""


@dataclass
class Outcome:
    """What a job did: findings, changed values, a few lines for the APM, figures for --json."""

    action: str
    findings: list[Finding] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    resolved: tuple[int, ...] = ()
    """Rows of the Issues sheet this step resolved (accepted fixes it applied): they leave the sheet."""
    checked: bool = True
    """False: the step had nothing to read (a WIP import without files), so what it found before still
    stands on the Issues sheet."""
    files: tuple[Staged, ...] = ()
    """Files for beside the workbook (drafts, the report): the runner writes them only once the run's
    save succeeded, never on --dry-run; their summary lines are added then."""


def valid_frame(tracker: Tracker, spec: SheetSpec, *, required: bool = True
                ) -> tuple[pd.DataFrame, list[Finding]]:
    """A sheet's valid rows (fields + ``_row``): bad rows and later duplicates become findings."""
    table, records, rows, found = tracker.records(spec, required=required)
    frame = records_frame(records, rows, spec)
    dups = duplicate_keys(table, tracker.file)
    if dups:
        drop = {f.row for f in dups}
        frame = frame[~frame["_row"].isin(drop)].reset_index(drop=True)
    return frame, found + dups

