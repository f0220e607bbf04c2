"""What every job shares: the run's context, its outcome, validated input tables."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from prodbook.core import ta
from prodbook.core.changes import Change
from prodbook.core.development.labdips import rounds
from prodbook.core.findings import Finding
from prodbook.core.keys import upper_stripped
from prodbook.core.model import columns
from prodbook.core.model.records import RECORDS, Record
from prodbook.core.model.sheets import LAB_DIPS, ORDERS, SheetSpec
from prodbook.workbook.publish import Staged, StagedFile
from prodbook.workbook.tables import Table, awaiting_key, duplicate_keys, records_frame, to_records
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
    steps: tuple[str, ...] = ()
    """The run's steps (``runner.JOBS`` names), as the command or button gives them: a step's advice can then
    say what this run does next or what to run (the WIP import names the exceptions step). Empty: not said."""


def whole_path(path: str | Path) -> Path:
    """A path the run writes to, as it names it: from the folder the command was typed in, its '..' folded
    ('sub\\..\\r.xlsx' is 'r.xlsx' there). ``os.path.abspath``, not ``Path.resolve``: a link or a mapped drive
    (S:\\) stays as the APM knows it, not the server's name for it."""
    return Path(os.path.abspath(path))


ACTION_NAMES: dict[str, str] = {
    "validate": "Check records", "ta": "Rebuild T&A", "wip": "Import vendor WIP", "exceptions": "Check exceptions",
    "followups": "Follow-ups", "report": "Production report", "scorecard": "Vendor scorecard",
    "apply": "Apply fixes", "undo": "Undo last"}
"""Each job's name as the APM reads it in the Change Log and the run's summary; a run whose only step stopped
is logged under it too (an undo names the run it undid instead)."""


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
    table = tracker.table(spec, required=required)
    frame, found = checked_rows(table, RECORDS[spec.name], tracker.file)
    found = table.findings + found
    keyed = _KEYED_AS_READ.get(spec.name)
    if keyed is not None:
        table = replace(table, frame=keyed(table.frame))
    dups = duplicate_keys(table, tracker.file) if has_duplicate_keys(table) else []
    if dups:
        drop = {f.row for f in dups}
        frame = frame[~frame["_row"].isin(drop)].reset_index(drop=True)
    return frame, found + dups


def line_status_header(tracker: Tracker) -> str | None:
    """The Orders sheet's Line Status header as the team wrote it, None when it keeps no such column: then a
    Qty of 0 is a quantity, not a cancellation (``ta.stop_reasons``)."""
    table = tracker.table(ORDERS, required=False)
    return table.header_of("line_status") if "line_status" in table.columns else None


@dataclass(frozen=True)
class Stopped:
    """What the Orders and Styles sheets take out of the plan (``ta.stop_reasons``), for the jobs that chase,
    check or score what is left."""

    rows: frozenset[int]
    """The Orders rows (``_row``) of the stopped PO lines."""
    colours: frozenset[tuple[str, str]]
    """``ta.stopped_colours``: every PO line of the colour is stopped."""
    styles: frozenset[str]
    """``ta.dropped_styles``."""

    def unwanted(self, frame: pd.DataFrame) -> np.ndarray:
        """The Lab Dips or Samples rows of a stopped colour or a dropped style (``ta.no_longer_wanted``)."""
        return ta.no_longer_wanted(frame, self.colours, self.styles)


def stopped_lines(tracker: Tracker, orders: pd.DataFrame, styles: pd.DataFrame) -> Stopped:
    """The PO lines of the valid ``orders`` cancelled on Orders or of a style dropped on Styles."""
    if not len(orders):
        return Stopped(frozenset(), frozenset(), ta.dropped_styles(styles))
    reasons = ta.stop_reasons(orders, styles, status_header=line_status_header(tracker))
    rows = frozenset(int(r) for r, why in zip(orders["_row"].tolist(), reasons) if why is not None)
    return Stopped(rows, ta.stopped_colours(orders, reasons), ta.dropped_styles(styles))


_KEYED_AS_READ: dict[str, Callable[[pd.DataFrame], pd.DataFrame]] = {
    LAB_DIPS.name: lambda frame: frame.assign(round=rounds(frame)) if len(frame) else frame,
}
"""Sheets whose key holds a value the rules read from the rows around it: a blank Round is the round after
the ones above it (``labdips.rounds``), so two blank rows are two rounds, not one round twice."""


def checked_rows(table: Table, model: type[Record], file: str) -> tuple[pd.DataFrame, list[Finding]]:
    """``records_frame(*to_records(...))`` with the same rows, values and findings, decided a column at a
    time: only the rows the column checks cannot take (``core.model.columns``) go through pydantic."""
    fields = [f for f in table.spec.fields if f in model.model_fields]
    n = len(table.frame)
    decided = columns.accepted(model, {f: table.frame[f].tolist() for f in fields}, n) if n else None
    if decided is None:
        records, rows, found = to_records(table, model, file)
        return records_frame(records, rows, table.spec), found
    ok, values = decided
    slow = np.flatnonzero(~ok)
    records, slow_rows, found = to_records(replace(table, frame=table.frame.iloc[slow]), model, file) \
        if len(slow) else ([], [], [])
    if not ok.any() and not records:
        return records_frame([], [], table.spec), found
    # the slow rows pydantic took, back in sheet order among the fast ones (by Excel row: unique in a table)
    at_row = {int(r): i for i, r in enumerate(slow_rows)}
    row_of = table.frame["_row"].to_numpy()
    keep = ok.copy()
    taken = [p for p in slow.tolist() if int(row_of[p]) in at_row]
    keep[taken] = True
    order = np.flatnonzero(keep)
    dumps = [records[at_row[int(row_of[p])]].model_dump() for p in taken]
    where = np.searchsorted(order, taken).tolist()  # each slow row's place among the rows kept
    data: dict[str, list[Any]] = {}
    for f in table.spec.fields:
        if f not in model.model_fields:
            data[f] = [float("nan")] * len(order)  # as a DataFrame of records gives a key none of them has
            continue
        col = values[f][order]
        for i, dump in zip(where, dumps):
            col[i] = dump[f]
        data[f] = col.tolist()  # a list, so that pandas infers each column's dtype as from records
    frame = pd.DataFrame(data, columns=list(table.spec.fields))
    frame["_row"] = [int(r) for r in row_of[order]]
    return frame, found


def has_duplicate_keys(table: Table) -> bool:
    """Whether ``duplicate_keys`` would find a key twice, decided from the key columns folded once per
    distinct text (a T&A's 44,000 keys are usually all different; the findings, when there are any,
    are ``duplicate_keys``' own)."""
    key = list(table.spec.key)
    if not key or table.frame.empty:
        return False
    # the key texts duplicate_keys compares (it folds with astype("string"); a blank is NA there, NaN here:
    # both are equal to each other in duplicated), each distinct value folded once
    folded = pd.DataFrame({k: upper_stripped(table.frame[k]).reset_index(drop=True) for k in key})
    return bool((folded.duplicated(keep="first") & ~awaiting_key(table.spec, folded)).any())


def nothing_to_change(workbook: str, outcomes: Sequence[Outcome]) -> str:
    """The last line of a run that wrote nothing to the tracker. Where it wrote a file beside it (a scorecard,
    a report, drafts: ``Outcome.files``, named on the lines above), the tracker itself is named as unchanged,
    not 'Nothing to change' under the file just written, which reads as if the run did nothing. A file left
    as it was (its line ends '(unchanged)') is no change: then the run did nothing, and says so."""
    if any(_written(o) for o in outcomes):
        return f"The tracker '{workbook}' itself is unchanged: nothing in it to change."
    return "Nothing to change."


def _written(outcome: Outcome) -> bool:
    """Did the run write a file of this step? Publishing adds a staged file's line to the summary as it is
    once written, with ' (unchanged)' when the file already held it, with ' (only N of M written)' in part."""
    said = set(outcome.summary)
    return any(isinstance(f, StagedFile) and f.announce and (
        f.announce in said or any(s.startswith(f"{f.announce} (only ") for s in said)) for f in outcome.files)
