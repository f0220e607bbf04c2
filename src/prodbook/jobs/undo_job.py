"""Undo the last action, from the Change Log.

Every value prodbook changes is logged with its old and new value, keyed by
the row's key, so an action can be reverted even after rows moved. A removed
row is logged whole (``prodbook.core.row_snapshot``) and put back whole. What
the user changed since is never overwritten: a value changed again stays, a
row the action added stays when the user typed in it, and each is named.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from prodbook.core import row_snapshot
from prodbook.core.cells import Formula, column_letter
from prodbook.core.changes import (
    ARCHIVED,
    FILLED,
    NEW_ROW,
    REMOVED,
    REMOVED_MORE,
    UNDO,
    Change,
    archived_from,
    cell_value,
    is_print,
    log_text,
    newest_not_undone,
    part_of,
    row_prints,
    same_logged,
)
from prodbook.core.exceptions.sheet import OPEN
from prodbook.core.findings import Code, Finding, UserError, warning
from prodbook.core.keys import key_match, key_text, key_texts
from prodbook.core.model.sheets import (
    ALL_SHEETS,
    CHANGE_LOG,
    EXCEPTIONS,
    FOLLOW_UPS,
    ISSUES,
    STYLE_SNAPSHOT,
    TA,
    VENDOR_WIP,
    Kind,
    SheetSpec,
)
from prodbook.core.open_findings import (
    ASKED_WITH,
    BACK_NAMED,
    UNDONE_MARK,
    Merged,
    decision,
    decision_key,
    dismissed,
    dismissed_as,
)
from prodbook.core.ta_edits import differs
from prodbook.core.where import cells, row_dicts
from prodbook.jobs.base import ACTION_NAMES, Context, Outcome
from prodbook.jobs.followups_job import finish_stopped_undos
from prodbook.jobs.issues_job import CONTINUED_AS, stage_rows
from prodbook.jobs.ta_job import (
    TA_ARCHIVE,
    TAKEN_BACK,
    archived_extras,
    extras_of,
    moved_formula,
    typed_keys,
)
from prodbook.workbook import kept_drafts
from prodbook.workbook.links import first_rows, relink
from prodbook.workbook.log_archive import next_archived
from prodbook.workbook.publish import Staged, drafts_undone
from prodbook.workbook.safety import BACKUP_DIR
from prodbook.workbook.tables import Table
from prodbook.workbook.tracker import Tracker, column_values

PUT_BACK = "(put back)"
UNDONE = "(undone)"
"""The one line of an undo that reverted nothing (all kept for the user): the action counts as undone."""

NEW_ROW_VALUES: tuple[tuple[str, str, str], ...] = ((EXCEPTIONS.name, "status", OPEN),)
"""(sheet, field, value) a run writes into a user column of every row it adds: not the user's typing."""


def last_action(log: pd.DataFrame) -> str | None:
    """The newest action not undone yet (undos themselves are not undone)."""
    return newest_not_undone(log["action"])


def _spec_for(tracker: Tracker, sheet: str) -> SheetSpec | None:
    for spec in (*ALL_SHEETS, TA_ARCHIVE):
        if tracker.sheet(spec) == sheet:
            return spec
    return None


def _parse(spec: SheetSpec, field_name: str, text: Any) -> Any:
    """A logged value (text, or a number/date from a row snapshot) back as the column's kind. Text the column
    could not read, logged as the cell held it, comes back as that text: 'TBC', '2027-02-31', and '12.000' in a
    number column (a number is logged as ``log_text`` writes it: 12 as '12'). A number the log holds as a number
    (``changes.log_values``) comes back as that number in any column but a number one: 6203424016 typed as a
    number in HTS Code, a text column, is put back as the number, not as the text an older log kept."""
    if log_text(text) in (None, ""):  # None, NaN (a blank Old read back), ''
        return None
    kind = spec.column(field_name).kind
    if isinstance(text, (date, bool)) or not isinstance(text, (str, int, float)):
        return text
    if kind not in (Kind.INT, Kind.NUMBER) and type(text) in (int, float):
        return text
    s = str(text)
    if kind is Kind.DATE:
        try:
            return date.fromisoformat(s[:10]) if re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", s) else s
        except ValueError:  # no such day
            return s
    if kind in (Kind.INT, Kind.NUMBER):
        try:
            n = float(s)
        except ValueError:
            return s
        if not math.isfinite(n) or (isinstance(text, str) and log_text(n) != s):
            return s
        return int(n) if kind is Kind.INT and n.is_integer() else n
    return s if kind is Kind.TEXT else text


def _keys(frame: pd.DataFrame, spec: SheetSpec) -> list[str]:
    """Each row's key as the Change Log names it (``SheetSpec.logged_by``: a Samples row by its identity, Qty and
    Requested, as Apply fixes logged it)."""
    return key_texts([frame[k] for k in spec.logged_by])


def undo(tracker: Tracker, ctx: Context) -> Outcome:
    log = tracker.table(CHANGE_LOG, required=False)
    if not log.exists:
        raise UserError(f"there is nothing to undo: this workbook has no '{log.sheet}' sheet, where prodbook "
                        f"keeps what each action changed (no action has changed it yet). If you renamed that "
                        f"sheet, name it back to "
                        f"'{log.sheet}' (or type its name on the Config sheet as 'Sheet: {CHANGE_LOG.name}'), save, "
                        "and undo again", file=tracker.file)
    target = last_action(log.frame)
    if target is None:
        raise _nothing_to_undo(tracker, log)
    action = target
    entries = log.frame[log.frame["action"] == action]
    findings: list[Finding] = []
    changes: list[Change] = []
    by_sheet = {str(s): e for s, e in entries.groupby("sheet", sort=False)}  # sheet names: text
    archive_rows: dict[str, dict] = {}
    back_to_archive: list[dict] = []
    kept_on_ta: set[str] = set()  # folded keys of the T&A rows undo keeps (typed in): not archived again
    taken_back: list[tuple[str, pd.DataFrame]] = []
    # the T&A first, whatever the log's order: the sheets whose PO # links jump to its rows are relinked to
    # the rows this undo leaves them on (``_stage`` remembers the T&A; ``_relinked``)
    for sheet, group in sorted(by_sheet.items(), key=lambda item: _spec_for(tracker, item[0]) is not TA):
        spec = _spec_for(tracker, sheet)
        if spec is TA_ARCHIVE:  # after the T&A, whatever the log's order: which of its rows undo keeps
            taken_back.append((sheet, group))
            continue
        if spec is None or spec is CHANGE_LOG or not spec.logged_by:
            continue
        table = tracker.table(spec, required=False)
        if not table.exists and not spec.generated:
            raise UserError(f"'{action}' changed {len(group):,} value(s) on the sheet '{sheet}', which this "
                            f"workbook no longer has (renamed or deleted?). Name the sheet back to '{sheet}' (or "
                            f"type its new name on the Config sheet as 'Sheet: {spec.name}'), save, and undo "
                            "again. Nothing was written", file=tracker.file, sheet=sheet)
        records = _Lines(group)
        if not spec.generated:
            found, done = _undo_cells(tracker, table, records)
        else:
            found, done = _undo_generated(tracker, table, records, action, archive_rows,
                                          kept_on_ta if spec is TA else None)
        findings += found
        changes += done
    for sheet, group in taken_back:  # rows the action took back from the archive go back there
        back, done = _archive_again(tracker, sheet, group, kept_on_ta)
        back_to_archive += back
        changes += done
    if archive_rows or back_to_archive:
        findings += _restage_archive(tracker, archive_rows, back_to_archive)
    put_back_on = {spec for sheet in by_sheet if (spec := _spec_for(tracker, sheet)) is not None}
    marked, given, theirs = _issues_after_undo(tracker, action, drop_notes=bool(archive_rows or back_to_archive),
                                               stale=_stale_steps(put_back_on, action),
                                               read=_files_read(tracker, entries),
                                               blanked=_blanked(by_sheet.get(tracker.sheet(ISSUES))),
                                               older=_superseded(by_sheet.get(tracker.sheet(ISSUES))))
    changes += given
    _relinked(tracker, {s for s in by_sheet if _spec_for(tracker, s) is EXCEPTIONS})
    tracker.log(changes or [Change(log.sheet, action, UNDONE, None, None)])  # logged even when all was kept
    kept = sum(1 for f in findings if f.code is Code.UNDO_KEPT)
    summary = [f"Would undo '{action}': {len(changes):,} change(s) to revert." if ctx.dry_run else
               f"Undid '{action}': {len(changes):,} change(s) reverted."]
    if kept:
        summary.append(f"  {kept:,} value(s) or row(s) were not undone: changed again since, or no longer to "
                       "be found where the action left them (each is named in a warning of this run).")
    # a value of the APM's own sheets, or an adopted style's lock, put back: the records check reads them, so the
    # Issues sheet is checked again after the undo (``runner._checked_again``)
    put_back = any((spec := _spec_for(tracker, sheet)) is not None and (not spec.generated or spec is STYLE_SNAPSHOT)
                   for sheet in {c.sheet for c in changes})
    chased = any(_spec_for(tracker, sheet) is FOLLOW_UPS for sheet in by_sheet)
    files, said, left = _drafts_back(tracker, action, ctx, chased)
    summary += _marked_line(marked, ctx.dry_run) + _given_line(given, theirs, ctx.dry_run)
    return Outcome(f"{UNDO}{action}", findings + left, changes, summary=summary + said,
                   data={"undone": action, "records": put_back}, files=files)


def _nothing_to_undo(tracker: Tracker, log: Table) -> UserError:
    """No run on the Change Log is left to undo. When the run before them is in a workbook the log's oldest runs
    were moved to (``log_archive``), the message names it and the run: nothing is undone from there."""
    path = getattr(tracker.backend, "path", None)
    headers = [(log.header_of("timestamp"), log.header_of("action")),
               (CHANGE_LOG.column("timestamp").header, CHANGE_LOG.column("action").header)]
    found = next_archived(Path(path), log.frame["action"], headers) if path else None
    if found is None:
        return UserError("there is nothing to undo: the Change Log has no prodbook action that is not "
                         "already undone", file=tracker.file, sheet=log.sheet)
    where = (f"The run before them, '{found.run}', is in '{found.path.name}'" if found.run else
             f"The runs before them were moved to '{found.path.name}' (prodbook could not read it to name the run)")
    return UserError(
        f"there is nothing left to undo on the Change Log: every run still on it is undone. {where}, beside the "
        "workbook, where prodbook moved the log's oldest runs when it was full; nothing is undone from that file. "
        f"To go back further, close the workbook and copy over it the backup in '{BACKUP_DIR}' saved just after "
        "the time in that run's name (it holds the workbook as it was before that run), if it is still kept; or "
        "open that file and type back by hand the Old values of the run's rows. Nothing was written",
        file=tracker.file, sheet=log.sheet)


def _drafts_back(tracker: Tracker, action: str, ctx: Context, chased: bool
                 ) -> tuple[tuple[Staged, ...], list[str], list[Finding]]:
    """The follow-up drafts ``action`` wrote, rewrote or took away, put back as they were before it once the
    undo is saved (``kept_drafts``: the run's own record of them, in 'prodbook backups'), then the folders it
    made for them removed when nothing is left in them; on a dry run, what would be done, said and not done.
    ``chased``: the action changed the Follow-ups sheet, so it may have written drafts; with no record of them
    (let go of, or an older prodbook's run) that is said. A draft a Follow-ups row the undo keeps links to stays
    (``publish.drafts_undone``); an earlier undo stopped before it put its drafts back is finished first."""
    path = getattr(tracker.backend, "path", None)
    done, stopped = finish_stopped_undos(tracker, ctx)
    record = kept_drafts.load_record(Path(path), action) if path else None  # read once: drafts, folders made
    drafts, made = record if record is not None else (None, [])
    if not drafts or not path:
        return (), done, stopped + ([warning(
            Code.FILE_NOT_WRITTEN, f"{UNDO}{action}: the e-mail drafts of '{action}' are left as they are: prodbook "
            f"has no record in '{BACKUP_DIR}' of drafts that run changed in a folder (it changed none there, it "
            "made them in Outlook, where a later press deletes them, or its record went with the oldest runs': "
            "prodbook keeps as many as Backups To Keep). Run Follow-ups again so that the drafts say what is "
            "open now", file=tracker.file)] if chased and path else [])
    book = Path(path)
    linked = kept_drafts.linked_paths(tracker.current(FOLLOW_UPS).get("draft", ()), book)  # as the undo leaves them
    if ctx.dry_run:  # the same words as the undo itself will have (``runner.publish_staged``)
        restore, kept = kept_drafts.linked_by_rows(drafts, linked)
        looks = [kept_drafts.undo_draft(d, action, dry_run=True) for d in restore]
        return (), done + [line for said, _ in looks for line in said] + kept_drafts.keep_linked(
            kept, action, book.name, (), dry_run=True)[0] + [
            f"  Would remove the folder '{f.name}' in '{f.parent}' that run made for its drafts, if nothing else "
            "is left in it" for f in made if f.is_dir()], stopped + [
            warning(Code.FILE_NOT_WRITTEN, f"{UNDO}{action}: {line}", file=tracker.file)
            for _, left in looks for line in left]
    marker, staged = drafts_undone(book, action, drafts, made, linked)
    tracker.before_save.append(marker)  # in place before the save, gone once the drafts are back
    return staged, done, stopped


class _Lines:
    """An action's log lines for one sheet, in order, as ``to_dict("records")`` gives them, each removed
    row's continuation lines joined to it (``pieces``). A line's dict is made when it is read: the undo of a
    first build at 46,000 PO lines reads a million lines, which as dicts held together took 650 MB."""

    def __init__(self, group: pd.DataFrame) -> None:
        self._columns = {str(c): cells(group, c) for c in group.columns}
        field, key, old = self._columns["field"], self._columns["key"], self._columns["old"]
        new = self._columns["new"]
        removed = [i for i, f in enumerate(field) if f == REMOVED]
        owner = _owners(removed, [i for i, f in enumerate(field) if f == REMOVED_MORE], key, new)
        parts: dict[int, list[tuple[int, int, Any]]] = {i: [] for i in removed}
        for i, f in enumerate(field):
            if f in (REMOVED, REMOVED_MORE) and (at := i if f == REMOVED else owner.get(i)) is not None:
                tag = part_of(new[i])
                parts[at].append((tag[0] if tag else 1 if f == REMOVED else 2, i, old[i]))
        self._at = [i for i, f in enumerate(field) if f != REMOVED_MORE or i not in owner]
        self._pieces = {i: [p for _, _, p in sorted(ps, key=lambda t: t[:2])] for i, ps in parts.items()}

    def __len__(self) -> int:
        return len(self._at)

    def outside(self, fields: Collection[str]) -> dict[tuple[str, str], Any]:
        """New of each line under a header not in ``fields`` (the team's own columns), by folded key and
        header: the cells a T&A rebuild gave back to a row it took back from the archive."""
        field, key, new = self._columns["field"], self._columns["key"], self._columns["new"]
        return {(str(key[i]).upper(), str(f)): new[i] for i, f in enumerate(field)
                if f not in fields and not str(f).startswith("(")}

    def __getitem__(self, n: int) -> dict[str, Any]:
        i = self._at[n]
        line = {c: values[i] for c, values in self._columns.items()}
        if i in self._pieces:
            line["pieces"] = self._pieces[i]
        return line

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (self[n] for n in range(len(self._at)))

    def __reversed__(self) -> Iterator[dict[str, Any]]:
        return (self[n] for n in range(len(self._at) - 1, -1, -1))


def _owners(removed: list[int], more: list[int], key: Sequence[Any], new: Sequence[Any]) -> dict[int, int]:
    """Each '(removed, continued)' line's '(removed)' line. Lines that say their part and row
    (``part_tag``) go with the removed row of that key and row wherever a sort put them. An older log's go
    with the nearest removed row of the same key above them (below, when none is above: a sort by Field
    from Z to A), as they were written."""
    by_row = {(str(key[i]).upper(), t[2]): i for i in removed if (t := part_of(new[i])) and t[2] is not None}
    by_key: dict[str, list[int]] = {}
    for i in removed:
        by_key.setdefault(str(key[i]).upper(), []).append(i)
    out: dict[int, int] = {}
    for i in more:
        k, tag = str(key[i]).upper(), part_of(new[i])
        if tag is not None and tag[2] is not None:
            if (k, tag[2]) in by_row:
                out[i] = by_row[(k, tag[2])]
            continue
        above = [r for r in by_key.get(k, []) if r < i]
        below = [r for r in by_key.get(k, []) if r > i]
        if above or below:
            out[i] = above[-1] if above else below[0]
    return out


@dataclass
class _Sheet:
    """A generated sheet being put back: its rows, where each came from, and what goes with them."""

    table: Table
    frame: pd.DataFrame
    keys: list[str]
    source: list[int | None]
    drop: set[int] = field(default_factory=set)
    at_row: dict[int, int] = field(default_factory=dict)
    """Restored row position -> the Excel row it was on before the action removed it."""
    extras: dict[int, dict[str, Any]] = field(default_factory=dict)
    user_cells: dict[tuple[int, str], Change] = field(default_factory=dict)
    """(row position, field) -> its line: a user column's cell undo puts back on a row that stays."""
    """Restored row position -> its cells in the team's extra columns, by header."""

    where: dict[str, list[int]] = field(default_factory=dict)
    """Folded key -> row positions (a sheet may repeat a key)."""

    def __post_init__(self) -> None:
        for i, k in enumerate(self.keys):
            self.where.setdefault(k.upper(), []).append(i)

    def positions(self, key: str) -> list[int]:
        return [i for i in self.where.get(str(key).upper(), []) if i not in self.drop]

    def add(self, values: dict[str, Any], key: str) -> int:
        self.frame = pd.concat([self.frame, pd.DataFrame([values], dtype=object)], ignore_index=True)
        self.keys.append(key)
        self.source.append(None)
        self.where.setdefault(key.upper(), []).append(len(self.keys) - 1)
        return len(self.keys) - 1


def _undo_generated(tracker: Tracker, table: Table, records: _Lines, action: str,
                    archive_rows: dict[str, dict], kept_rows: set[str] | None = None
                    ) -> tuple[list[Finding], list[Change]]:
    """A generated sheet: revert values, take off added rows, put back removed and archived ones
    (``kept_rows``: given the folded keys of the added rows it keeps, the APM's since)."""
    spec = table.spec
    frame = table.frame.copy().astype(object)
    s = _Sheet(table, frame, _keys(frame, spec), [int(r) for r in frame["_row"]])
    findings: list[Finding] = []
    changes: list[Change] = []
    sheet = table.sheet
    p = _Pending(s, [c.field for c in spec.columns if not c.user and c.field not in spec.key])
    field_of: dict[str, str] = {}
    for c in spec.columns:
        field_of.setdefault(c.header, c.field)
    written = records.outside(field_of)
    formulas = _formulas_held(tracker, s, written)
    as_held = _Prints(table.frame)  # each row's print as the sheet holds it: the rows this action added or filled
    for e in reversed(records):
        key, what = str(e["key"]), e["field"]
        positions = s.positions(key)
        if what == FILLED:
            for i in positions:
                if is_print(e["old"]) and as_held.of(i, spec.filled) != e["old"]:
                    findings.append(_fill_kept(tracker, s, i, key, action))
                    continue
                p.emptied.append(i)
                changes.append(Change(sheet, key, "(emptied)", None, key))
            continue
        if what in (NEW_ROW, REMOVED, ARCHIVED) or p.emptied:
            p.sync()  # what follows reads the frame or adds rows: as they are after the lines undone so far
        if what == NEW_ROW:
            for i in positions:
                typed = _typed(tracker, s, i, written, formulas)
                if typed is None and is_print(e["old"]) and as_held.of(i, spec.printed) != e["old"]:
                    typed = CHANGED_SINCE, None
                if typed is not None:
                    findings.append(_row_kept(tracker, s, i, key, typed, action))
                    if kept_rows is not None:
                        kept_rows.add(key.upper())
                    continue
                s.drop.add(i)
                changes.append(Change(sheet, key, REMOVED, None, key))
        elif what == REMOVED:
            found = _put_back(tracker, s, e, key, action)
            if isinstance(found, Finding):
                findings.append(found)
            else:
                changes.append(Change(sheet, key, PUT_BACK, None, key))
        elif what == ARCHIVED:
            restored = _take_from_archive(tracker, key, archive_rows)
            if restored is not None:
                extras = archived_extras(restored.pop("extras", None))
                at = s.add(restored, key)
                if (row := archived_from(e["old"])) is not None:  # where it was: a formula by place reads it again
                    s.at_row[at] = row
                if extras:
                    s.extras[at] = extras
                changes.append(Change(sheet, key, "(restored)", None, key))
        else:
            field = field_of.get(what)
            if field is None or not positions:
                continue
            i = positions[0]
            now = p.get(i, field)
            if not same_logged(now, e["new"]):
                findings.append(_conflict(tracker, table, s.source[i], field, e, now))
                continue
            p.cells[(i, field)] = _parse(spec, field, e["old"])
            changes.append(Change(sheet, key, what, e["new"], e["old"]))
            if spec.column(field).user and s.source[i] is not None:
                s.user_cells[(i, field)] = changes[-1]
    p.sync()
    staged, kept = _stage(tracker, s)
    return findings + staged, [c for c in changes if id(c) not in kept]


class _Pending:
    """A generated sheet's cells as undo puts them back a line at a time: read from each column's array,
    written into ``cells``, and put into the frame together (``sync``) before anything reads the frame
    itself, then the rows ``emptied`` (lines undone after those cells). A cell at a time through pandas cost
    25 µs a read and a write: 300,000 of each for the undo of a 46,000-line daily run."""

    def __init__(self, s: _Sheet, filled_by_us: list[str]) -> None:
        self.s, self.filled_by_us = s, filled_by_us
        self.cells: dict[tuple[int, str], Any] = {}
        self.emptied: list[int] = []  # rows whose generated cells go blank (a first build's 44,000)
        self._arrays: dict[str, Any] = {}

    def get(self, i: int, field: str) -> Any:
        if (i, field) in self.cells:
            return self.cells[(i, field)]
        if field not in self._arrays:
            self._arrays[field] = self.s.frame[field].to_numpy()
        return self._arrays[field][i]

    def sync(self) -> None:
        by_field: dict[str, list[tuple[int, Any]]] = {}
        for (i, f), v in self.cells.items():
            by_field.setdefault(f, []).append((i, v))
        for f, items in by_field.items():
            column = self.s.frame[f].to_numpy(dtype=object, copy=True)
            for i, v in items:
                column[i] = v
            self.s.frame[f] = column
        self.cells.clear()
        if self.emptied:
            self.s.frame.loc[self.emptied, self.filled_by_us] = None
            self.emptied.clear()
        self._arrays.clear()


def _formulas_held(tracker: Tracker, s: _Sheet, written: dict[tuple[str, str], Any]) -> dict[tuple[str, str], str]:
    """The formulas the rows hold now in the team's columns where the action logged a formula's text (a
    taken-back row's), by folded key and header: read at once, for those rows alone."""
    keys = {k for (k, _), v in written.items() if isinstance(v, str) and v.startswith("=")}
    rows = {src: k for k in keys for i in s.where.get(k, []) if (src := s.source[i]) is not None}
    held = tracker.extra_rows(s.table, sorted(rows)) if rows else {}
    return {(rows[r], h): v.text for r, cells in held.items() for h, v in cells.items() if isinstance(v, Formula)}


def _typed(tracker: Tracker, s: _Sheet, i: int, written: dict[tuple[str, str], Any],
           formulas: dict[tuple[str, str], str]) -> tuple[str, Any] | None:
    """The first cell of a row the action added that holds something the action did not write there
    (``written``: what it logged in the team's own columns, by key and header: a taken-back row's). A cell
    holding the formula the action wrote (``formulas``: as it is now) is the action's, whatever value Excel
    calculated for it since."""
    spec = s.table.spec
    for c in spec.columns:
        if not c.user or c.field not in s.frame.columns:
            continue
        wrote = next((v for name, f, v in NEW_ROW_VALUES if name == spec.name and f == c.field), None)
        value = s.frame.at[i, c.field]
        if not same_logged(value, wrote):
            return s.table.header_of(c.field), value
    src = s.source[i]
    extra = tracker.extra_cells(s.table, src) if src is not None else {}
    key = s.keys[i].upper()
    return next(((h, v) for h, v in extra.items() if not same_logged(v, written.get((key, h)))
                 and not _same_formula(formulas.get((key, h)), written.get((key, h)))), None)


def _same_formula(held: str | None, wrote: Any) -> bool:
    """Does a cell's formula (None: it holds none) read as the formula text the action logged for it?"""
    def bare(text: str) -> str:
        return text.strip().removeprefix("=")

    return held is not None and isinstance(wrote, str) and bare(held) == bare(wrote)


class _Prints:
    """Each row's print (``row_prints``) over a set of fields, computed for the whole sheet at once the
    first time one is asked: the undo of a first build asks 46,000, one a row would take a second."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._by_fields: dict[tuple[str, ...], list[str]] = {}

    def of(self, i: int, fields: tuple[str, ...]) -> str | None:
        if i >= len(self.frame):
            return None  # a row undo itself put back
        if fields not in self._by_fields:
            blank = [None] * len(self.frame)
            self._by_fields[fields] = row_prints([self.frame[f].to_numpy() if f in self.frame.columns else blank
                                                  for f in fields])
        return self._by_fields[fields][i]


CHANGED_SINCE = ""
"""_typed's header when a row's print tells a value was changed since, but not which."""


def _fill_kept(tracker: Tracker, s: _Sheet, i: int, key: str, action: str) -> Finding:
    headers = ", ".join(s.table.header_of(f) for f in s.table.spec.filled if f in s.table.columns)
    return warning(Code.UNDO_KEPT, f"'{action}' filled this row's own columns ({headers}) for the first time; "
                   "one of them was changed since, so they are kept as they are; clear them by hand if "
                   "needed", file=tracker.file, sheet=s.table.sheet, row=s.source[i], key=key)


def _row_kept(tracker: Tracker, s: _Sheet, i: int, key: str, typed: tuple[str, Any], action: str) -> Finding:
    header, value = typed
    if header == CHANGED_SINCE:
        return warning(Code.UNDO_KEPT, f"this row was added by '{action}' but not removed: a value in it was "
                       "changed since, so the row stays as it is; delete the row by hand if it is not needed",
                       file=tracker.file, sheet=s.table.sheet, row=s.source[i], key=key)
    return warning(Code.UNDO_KEPT, f"this row was added by '{action}' but not removed: '{header}' was typed "
                   f"in it since ({_shown(value)}), so the row stays as it is; delete the row by hand if "
                   "it is not needed", file=tracker.file, sheet=s.table.sheet, row=s.source[i],
                   column=header, key=key, value=log_text(value))


def _snapshot_cells(spec: SheetSpec, fields: Iterable[str], row: Mapping[str, Any]
                    ) -> tuple[dict[str, Any], dict[str, Any]]:
    """A removed row as the Change Log kept it (``row_snapshot``): its values by field, each read as the sheet's
    column reads it ('TBC' in a date column stays text), and its cells under the sheet's other headers (the
    team's own columns; a formula kept as one)."""
    by_header = {c.header: c.field for c in spec.columns}
    values: dict[str, Any] = {f: None for f in fields}
    cells: dict[str, Any] = {}
    for header, v in row.items():
        if header == row_snapshot.ROW:
            continue
        if header in by_header:
            values[by_header[header]] = _parse(spec, by_header[header], v)
        else:
            cells[header] = row_snapshot.as_cell(v)
    return values, cells


def _put_back(tracker: Tracker, s: _Sheet, e: dict, key: str, action: str) -> Finding | None:
    """A row the action removed, back with every value it had (the team's extra columns too)."""
    spec, table = s.table.spec, s.table
    where = {"file": tracker.file, "sheet": table.sheet, "key": key}
    row = row_snapshot.decode(e["pieces"])
    if row is None:
        why = ("its lines in the Change Log are not all there (a '(removed, continued)' line was deleted or "
               "changed)" if str(e["pieces"][0]).startswith("{") else
               "the Change Log of that prodbook version kept only its key")
        return warning(Code.UNDO_KEPT, f"the row '{key}' that '{action}' removed is not put back: {why}. Copy "
                       "it from the copy of the workbook in the 'prodbook backups' folder if you need it",
                       **where)
    if s.positions(key):
        return warning(Code.UNDO_KEPT, f"the row '{key}' that '{action}' removed is not put back: a row with "
                       "the same key is on the sheet again; compare them by hand",
                       value=row_snapshot.encode(row), **where)
    values, extras = _snapshot_cells(spec, s.frame.columns, row)
    i = s.add(values, key)
    if isinstance(row.get(row_snapshot.ROW), int):
        s.at_row[i] = row[row_snapshot.ROW]
    if extras:
        s.extras[i] = extras
    return None


def _order(s: _Sheet) -> list[int]:
    """Rows in sheet order: those kept where they are, each put-back row at the Excel row it was on."""
    order = [i for i in range(len(s.keys)) if i not in s.drop and i not in s.at_row]
    first = s.table.header_row + 1
    for i in sorted(s.at_row, key=lambda i: s.at_row[i]):
        if i not in s.drop:
            order.insert(min(max(s.at_row[i] - first, 0), len(order)), i)
    return order


def _relinked(tracker: Tracker, staged: Collection[str]) -> None:
    """The Exceptions sheet's PO # links at their lines' rows on the T&A as this undo leaves it, where the undo
    moved the T&A's rows (a cancelled line's back from the archive) and did not write Exceptions itself."""
    if staged or first_rows(tracker.current(TA)) == first_rows(tracker.as_read(TA)):
        return
    table = tracker.table(EXCEPTIONS, required=False)
    if table.exists and len(table.frame):
        tracker.replace_rows(table, relink(tracker, EXCEPTIONS, table.frame), ["po"],
                             [int(r) for r in table.frame["_row"]], force=True)


def _stage(tracker: Tracker, s: _Sheet) -> tuple[list[Finding], set[int]]:
    """Write the sheet back: prodbook's columns whole, the user's columns only where undo puts a value back
    (a formula the APM put there stays; everything else of theirs as it is), then the put-back rows' extra
    columns under their headers.
    Returns the findings and the ids of the changes not made (a formula)."""
    table, spec = s.table, s.table.spec
    order = _order(s)
    sources = [s.source[i] for i in order]
    findings: list[Finding] = []
    kept: set[int] = set()
    at = {i: n for n, i in enumerate(order)}
    users = [f for f in spec.fields if spec.column(f).user and f in table.columns]
    formulas = tracker.formulas(table.sheet, [(r, table.columns[f]) for r in sources if r is not None for f in users])
    if spec is FOLLOW_UPS:  # the Draft links of the rows it leaves: the drafts they open stay (``_drafts_back``)
        tracker.remember(FOLLOW_UPS, s.frame.iloc[order])
    if spec is TA:  # for the sheets linking to its rows (``relink``), where each row now is
        tracker.remember(TA, s.frame.iloc[order].assign(_row=range(table.header_row + 1,
                                                                   table.header_row + 1 + len(order))))
    # prodbook's columns whole; the user's carried from the rows as they are (a 'TBC' or a text date typed in
    # Actual, which the frame reads as blank or as a date, stays as typed), but where undo puts a value back
    ours = [f for f in spec.fields if not spec.column(f).user]
    if spec is TA and _in_place(s, order, sources):
        _edit_changed(tracker, s, [f for f in ours if f not in spec.key])
    else:
        rows = _keys_as_typed(s, order, sources, relink(tracker, spec, s.frame.iloc[order]))
        tracker.replace_rows(table, rows, ours, sources)
    for i in order:  # rows undo puts back or adds: their user cells too
        if s.source[i] is None:
            for f in users:
                if (v := cell_value(s.frame.at[i, f])) not in (None, ""):
                    tracker.edit_cell(table.sheet, table.header_row + 1 + at[i], table.columns[f], v)
    cells = {(i, f): c for (i, f), c in s.user_cells.items() if i in at and f in table.columns}
    for (i, f), change in cells.items():
        formula = formulas.get((cast(int, s.source[i]), table.columns[f]))
        if formula is not None:
            kept.add(id(change))
            findings.append(warning(Code.UNDO_KEPT, f"not undone: this cell holds a formula now ({formula}), "
                                    "which prodbook does not type over; change it by hand if needed",
                                    file=tracker.file, sheet=table.sheet, row=s.source[i],
                                    column=table.header_of(f), key=s.keys[i], value=log_text(change.new)))
            continue
        tracker.edit_cell(table.sheet, table.header_row + 1 + at[i], table.columns[f],
                          cell_value(s.frame.at[i, f]))
    return findings + _stage_extras(tracker, s, at), kept


def _in_place(s: _Sheet, order: list[int], sources: list[int | None]) -> bool:
    """Every row stays on the Excel row it is on, none taken off or put back (undoing a daily run's dates and
    statuses): the changed cells are all there is to write."""
    first = s.table.header_row + 1
    return (s.table.exists and not s.drop and not s.at_row and len(order) == len(s.table.frame)
            and sources == list(range(first, first + len(order))))


def _edit_changed(tracker: Tracker, s: _Sheet, fields: Sequence[str]) -> None:
    """Stage the cells of prodbook's columns undo changed, one column edit a field, as the T&A's own daily run
    does: rewriting a 230,000-row sheet whole to put back a day's statuses read and carried every row's cells
    (over a third of the undo's CPU at 10,000 PO lines). The keys are left as the sheet holds them."""
    table = s.table
    rows = table.frame["_row"].to_numpy(dtype=np.int64)
    for f in fields:
        if f not in table.columns:
            continue
        changed = np.flatnonzero(differs(table.frame[f].to_numpy(dtype=object), s.frame[f].to_numpy(dtype=object),
                                         table.spec.column(f).kind))
        if len(changed):
            tracker.edit_column(table.sheet, table.columns[f], rows[changed].tolist(),
                                column_values(s.frame[f].iloc[changed]))


def _keys_as_typed(s: _Sheet, order: list[int], sources: list[int | None], rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` with the key cells the APM typed as they typed them (``Table.typed``: a PO # typed as a number, a
    Color with a space after it), on the rows that stay, where undo leaves their key as read: writing the sheet's
    keys as read would tidy them, a change of theirs no Change Log line holds. Only those cells are looked at."""
    table = s.table
    if not table.typed:
        return rows
    src = np.array([r or 0 for r in sources], dtype=np.int64)
    at = pd.Series(np.flatnonzero(src > 0), index=src[src > 0])  # Excel row now -> its position in ``rows``

    def left_as_read(n: int, f: str, value: Any) -> bool:
        return order[n] < len(table.frame) and not pd.isna(value) and value == table.frame[f].iat[order[n]]

    return table.as_typed(rows, at, left_as_read)


def _stage_extras(tracker: Tracker, s: _Sheet, at: dict[int, int]) -> list[Finding]:
    """The put-back rows' cells in the team's own columns, under their headers (or named, the column gone)."""
    table = s.table
    return _put_cells(tracker, table, [(table.header_row + 1 + at[i] if table.exists and i in at else None,
                                        s.keys[i], s.at_row.get(i), extras) for i, extras in s.extras.items()])


def _put_cells(tracker: Tracker, table: Table, rows: Sequence[tuple[int | None, str, int | None, dict[str, Any]]]
               ) -> list[Finding]:
    """Cells of put-back rows in the team's own columns, under their headers; one whose column is gone (or whose
    row is not on the sheet) named, never lost. ``rows``: (Excel row now, key, Excel row it was on, cells by
    header); a formula moves to the row it lands on, and is named when it reads other rows by place."""
    findings: list[Finding] = []
    for row, key, was, extras in rows:
        for header, value in extras.items():
            col = table.headers.index(header) if header in table.headers else None
            if row is None or col is None:
                findings.append(warning(Code.UNDO_KEPT, f"the put-back row '{key}' had "
                                        f"{_shown(value)} in column '{header}', which is no longer on the "
                                        "sheet; type it back by hand if you need it", file=tracker.file,
                                        sheet=table.sheet, row=row, column=header, key=key,
                                        value=log_text(value)))
                continue
            if isinstance(value, Formula):  # on the row it lands on; named when it reads other rows by place
                value, code, said = moved_formula(value, was, row, col, table.sheet)
                if said is not None:
                    findings.append(warning(code or Code.UNDO_KEPT, said, file=tracker.file, sheet=table.sheet,
                                            row=row, column=header, key=key,
                                            value=value.text if isinstance(value, Formula) else log_text(value)))
            tracker.edit_cell(table.sheet, row, col, value)
    return findings


def _shown(v: object) -> str:
    text = log_text(v)
    return "blank" if text in (None, "") else f"'{text}'"


def _conflict(tracker: Tracker, table: Table, row: int | None, field_name: str, e: dict, now: Any
              ) -> Finding:
    return warning(Code.UNDO_KEPT, f"not undone: this cell was changed again after '{e['action']}' "
                   f"(it was {_shown(e['new'])}, now {_shown(now)}); change it by hand if needed",
                   file=tracker.file, sheet=table.sheet, row=row, column=table.header_of(field_name),
                   key=str(e["key"]), value=log_text(e["old"]))


def _no_row(tracker: Tracker, table: Table, field_name: str, e: dict, rows: list[int]) -> Finding:
    """An undo that cannot tell which row the action changed: none has the key now, or several do."""
    parts = table.spec.logged_by
    what = " + ".join(table.header_of(k) for k in parts) or "key"
    if rows:
        said = (f"not undone: rows {', '.join(map(str, rows[:-1]))} and {rows[-1]} now have this {what}, so "
                f"prodbook cannot tell which one '{e['action']}' changed; put {_shown(e['old'])} back by hand on "
                "that row")
    else:
        changed = f"one of those {len(parts)} cells" if len(parts) > 2 else f"its {what}"
        said = (f"not undone: no row has this {what} now (deleted, or {changed} changed since); it was "
                f"{_shown(e['old'])} before '{e['action']}'")
    return warning(Code.UNDO_KEPT, said, file=tracker.file, sheet=table.sheet, row=rows[0] if rows else None,
                   column=table.header_of(field_name), key=str(e["key"]), value=log_text(e["old"]))


def _undo_cells(tracker: Tracker, table: Table, records: _Lines) -> tuple[list[Finding], list[Change]]:
    """A user sheet: put each old value back in place, cell by cell."""
    rows_of: dict[str, list[int]] = {}  # each key's rows, as the sheet is matched
    for n, k in enumerate(_keys(table.frame, table.spec)):
        # its blank parts left out on both sides: the log's Key, read back, has lost its last space
        # ('S1 / Navy / 1 /' for a Lab Dips row without Option)
        rows_of.setdefault(key_match(k).upper(), []).append(n)
    findings, changes = [], []
    puts: list[tuple[int, int, str, dict]] = []  # (frame row, Excel row, field, line)
    for e in reversed(records):
        f = next((c.field for c in table.spec.columns if c.header == e["field"]), None)
        at = rows_of.get(key_match(e["key"]).upper(), []) if f is not None else []
        if f is None:
            continue
        if len(at) != 1:  # the row is gone, or copied since (a style carried over): no row to guess
            findings.append(_no_row(tracker, table, f, e, [int(cast(Any, table.frame.at[n, "_row"])) for n in at]))
            continue
        i = at[0]
        row = int(cast(Any, table.frame.at[i, "_row"]))  # an Excel row number; pandas types .at as any scalar
        now = table.frame.at[i, f]
        if not same_logged(now, e["new"]):
            findings.append(_conflict(tracker, table, row, f, e, now))
            continue
        puts.append((i, row, f, e))
    formulas = tracker.formulas(table.sheet, [(row, table.columns[f]) for _, row, f, _ in puts])
    for _, row, f, e in [p for p in puts if (p[1], table.columns[p[2]]) in formulas]:
        findings.append(warning(Code.UNDO_KEPT, f"not undone: this cell holds a formula now "
                                f"({formulas[(row, table.columns[f])]}), which prodbook does not type over; "
                                "change it by hand if needed", file=tracker.file, sheet=table.sheet, row=row,
                                column=table.header_of(f), key=str(e["key"]), value=log_text(e["old"])))
    puts = [p for p in puts if (p[1], table.columns[p[2]]) not in formulas]
    _refuse_locked(tracker, table, [(row, table.columns[f]) for _, row, f, _ in puts])
    for i, row, f, e in puts:
        old = _parse(table.spec, f, e["old"])
        tracker.edit_cell(table.sheet, row, table.columns[f], old)
        _set(table.frame, i, f, old)
        changes.append(Change(table.sheet, e["key"], e["field"], e["new"], e["old"]))
    return findings, changes


def _set(frame: pd.DataFrame, i: int, f: str, value: Any) -> None:
    """``frame.at[i, f] = value``. A value its column's dtype cannot hold ('TBC' put back into Qty, read as
    int64) turns that column to object first: pandas 3 refuses such a value rather than widen the column."""
    try:
        frame.at[i, f] = value
    except TypeError:
        frame[f] = frame[f].astype(object)
        frame.at[i, f] = value


def _refuse_locked(tracker: Tracker, table: Table, cells: list[tuple[int, int]]) -> None:
    """Undo puts back every value of an action or none: a cell the sheet's protection now locks stops it
    before anything is written, named with what to do."""
    locked = sorted(tracker.locked(table.sheet, cells))
    if not locked:
        return
    names = ", ".join(f"{column_letter(c)}{r}" for r, c in locked[:5]) + (
        f" and {len(locked) - 5:,} more" if len(locked) > 5 else "")
    raise UserError(f"undo would put back {len(locked):,} value(s) in cells that are locked on the protected "
                    f"sheet '{table.sheet}' ({names}), which nobody can type into. Nothing was written. To undo, "
                    f"{tracker.unprotect_advice(table.sheet, 'undo again')}", file=tracker.file, sheet=table.sheet,
                    row=locked[0][0], column=table.header_at(locked[0][1]))


def _take_from_archive(tracker: Tracker, key: str, taken: dict[str, dict]) -> dict | None:
    archive = tracker.table(TA_ARCHIVE, required=False)
    keys = _keys(archive.frame, TA_ARCHIVE)
    for i in reversed(range(len(keys))):
        if keys[i].upper() == key.upper() and i not in {v["_pos"] for v in taken.values()}:
            row = typed_keys(archive, archive.frame.iloc[[i]]).iloc[0].to_dict()  # its keys as the APM typed them
            taken[f"{key}#{i}"] = {"_pos": i}
            return {k: v for k, v in row.items() if k not in ("archived", "reason", "_row")}
    return None


def _archive_again(tracker: Tracker, sheet: str, group: pd.DataFrame, kept: Collection[str] = ()
                   ) -> tuple[list[dict], list[Change]]:
    """Rows a T&A rebuild took back from the archive, to put back there. Each as the archive held it, from its
    '(removed)' lines (``ta_job._as_archived``): every column, the team's own on the archive sheet, and the
    row it was on (``"at"``; its cells in columns of the archive's own: ``"cells"``). A log written before
    those lines: as the T&A holds the row now, with when and why, below the others. A row undo keeps on the
    T&A (``kept``: folded keys; the APM typed in it, and its warning says so) stays there alone, not archived
    again too."""
    ta = tracker.table(TA, required=False)
    keys = [k.upper() for k in _keys(ta.frame, TA)]
    held = _as_archived(_Lines(group))
    rows: list[dict] = []
    changes: list[Change] = []
    older: list[tuple[dict, int]] = []  # (row, its T&A row): its team's cells read from the T&A, at once
    for e in row_dicts(group[group["field"] == TAKEN_BACK]):
        key = str(e["key"]).upper()
        if key not in keys or key in kept:
            continue  # no longer on the T&A, or kept there: nothing to put back
        if key in held:
            rows.append(held[key])
        else:
            row = ta.frame.iloc[keys.index(key)]
            rows.append({**{f: row[f] for f in TA.fields}, "archived": _parse(TA_ARCHIVE, "archived", e["old"]),
                         "reason": e["new"]})
            older.append((rows[-1], int(row["_row"])))
        changes.append(Change(sheet, e["key"], PUT_BACK, None, e["key"]))
    for (r, _), extras in zip(older, extras_of(tracker, ta, [at for _, at in older])):  # formulas read at once
        r["extras"] = extras
    return rows, changes


def _as_archived(lines: _Lines) -> dict[str, dict]:
    """Each row a run took back from the archive as the archive held it, by folded key, from its '(removed)'
    lines: its fields, the Excel row it was on (``"at"``) and its cells under the archive's other headers
    (``"cells"``). A row whose lines are not all there is left out: put back as the T&A holds it."""
    out: dict[str, dict] = {}
    for e in lines:
        if e["field"] != REMOVED or (row := row_snapshot.decode(e["pieces"])) is None:
            continue
        values, cells = _snapshot_cells(TA_ARCHIVE, TA_ARCHIVE.fields, row)
        at = row.get(row_snapshot.ROW)
        out[str(e["key"]).upper()] = {**values, "at": at if isinstance(at, int) else None, "cells": cells}
    return out


def _restage_archive(tracker: Tracker, taken: dict[str, dict], put_back: Sequence[dict] = ()) -> list[Finding]:
    """The archive less the rows undo takes off it (``taken``: those the action archived), with the rows it
    puts back (``put_back``), each at the row it was on (``"at"``; one without: below the others) and its cells
    in the archive's own columns (``"cells"``)."""
    archive = tracker.table(TA_ARCHIVE, required=False)
    gone = {v["_pos"] for v in taken.values()}
    keep = [i for i in range(len(archive.frame)) if i not in gone]
    fields = list(TA_ARCHIVE.fields)
    # an older archive may lack Your Columns; the key cells the APM typed stay as typed (``Table.typed``)
    frame = typed_keys(archive, archive.frame.iloc[keep]).reindex(columns=fields)
    source: list[int | None] = list(map(int, archive.frame["_row"].iloc[keep])) if len(keep) else []
    order = list(range(len(keep)))
    first = archive.header_row + 1 if archive.exists else 2
    placed = [n for n, r in enumerate(put_back) if r.get("at") is not None]
    for n in sorted(placed, key=lambda n: put_back[n]["at"]):  # in the order they were: each lands on its row
        order.insert(min(max(put_back[n]["at"] - first, 0), len(order)), len(keep) + n)
    order += [len(keep) + n for n, r in enumerate(put_back) if r.get("at") is None]
    if put_back:
        added = pd.DataFrame([{f: r.get(f) for f in fields} for r in put_back], columns=fields, dtype=object)
        frame = pd.concat([frame.astype(object), added], ignore_index=True)
        source += [None] * len(put_back)
    tracker.replace_rows(archive, frame.iloc[order].reset_index(drop=True), fields,
                         [source[i] for i in order] if archive.exists else None)
    at = {i: n for n, i in enumerate(order)}
    return _put_cells(tracker, archive, [(first + at[len(keep) + n] if archive.exists else None,
                                          key_text(r.get(k) for k in TA_ARCHIVE.key), r.get("at"), r["cells"])
                                         for n, r in enumerate(put_back) if r.get("cells")])


ARCHIVE_NOTES = frozenset({Code.ROWS_ARCHIVED.value, Code.ROWS_RESTORED.value})
"""Codes of the Issues sheet's notes on T&A rows a run moved to the archive or took back from it."""


STALE_BY: tuple[tuple[SheetSpec, tuple[str, ...]], ...] = (
    (TA, (ACTION_NAMES["ta"],)),
    (VENDOR_WIP, (ACTION_NAMES["ta"], ACTION_NAMES["wip"])),
)
"""A sheet an undo puts back, and the steps (Found By) whose Issues rows read it: the T&A's late-for-cancel reads
the T&A's forecasts and the newest WIP report's revised ex-factory, the WIP import's rows the vendor files."""
AGAIN = {ACTION_NAMES["ta"]: "Rebuild T&A (prodbook ta)",
         ACTION_NAMES["wip"]: "Import vendor WIP with the file each row names (prodbook wip WORKBOOK FILE)"}
"""What the APM presses to check a step's rows again."""
_MARK = re.compile(r"^\[From the run undone, '[^']*': press (?:[^\]']|'[^']*')* to check again\] ")
"""An undo's mark (``mark_undone``): a step's file name, quoted, may hold ']'."""


RAN: dict[str, tuple[str, ...]] = {"Refresh": (ACTION_NAMES["ta"], ACTION_NAMES["wip"]),
                                   ACTION_NAMES["ta"]: (ACTION_NAMES["ta"],),
                                   ACTION_NAMES["wip"]: (ACTION_NAMES["wip"],)}
"""The steps of ``STALE_BY`` a run ran, by its name in the Change Log (without its time): an undo marks only their
rows (an undone WIP import leaves the T&A's rows, written by an earlier rebuild, as true as before)."""


def _stale_steps(put_back: Collection[SheetSpec], action: str) -> tuple[str, ...]:
    """The steps the undone run ran whose Issues rows read a sheet the undo put back: they are the undone run's,
    not checked again. A run of another name (a ribbon button's own) ran none of them."""
    ran = RAN.get(re.sub(r" \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}.*$", "", action), ())
    return tuple(dict.fromkeys(step for spec, steps in STALE_BY if spec in put_back for step in steps
                               if step in ran))


def _files_read(tracker: Tracker, entries: pd.DataFrame) -> frozenset[str]:
    """The vendor files the undone run read, as its Vendor WIP lines name them: a new row's Source File, a Source
    File it changed, and the Source File of a row it changed other values of (the same file read again with new
    figures: its Source File stayed, so the sheet's row names it, as the undo leaves it too)."""
    if not {"sheet", "key", "field", "new"} <= set(entries.columns):  # a log with no New yet (all blank)
        return frozenset()
    files: set[str] = set()
    updated: set[str] = set()  # folded keys of rows the run changed, whose Source File it did not change
    named: set[str] = set()
    wip = {s for s in set(entries["sheet"]) if _spec_for(tracker, str(s)) is VENDOR_WIP}  # once per sheet name
    for sheet, key, what, new in zip(entries["sheet"], entries["key"], entries["field"], entries["new"]):
        if sheet not in wip:
            continue
        what = str(what).strip()
        if what in (NEW_ROW, "Source File", "source_file"):
            named.add(str(key).upper())
            if isinstance(new, str) and new.strip():
                files.add(new.strip())
        elif not what.startswith("("):  # a value of a row it updated ('(removed)' rows: not read by it)
            updated.add(str(key).upper())
    if updated - named:
        frame = tracker.table(VENDOR_WIP, required=False).frame
        if "source_file" in frame.columns:
            files.update(src.strip() for k, src in zip(_keys(frame, VENDOR_WIP), frame["source_file"])
                         if k.upper() in updated and k.upper() not in named and isinstance(src, str) and src.strip())
    return frozenset(files)


def mark_undone(problem: Any, action: str, step: str) -> str:
    """An Issues row's Problem marked as the undone run's (the marks earlier undos put there replaced)."""
    text = _unmarked(problem.strip(), step) if isinstance(problem, str) else ""
    return f"{UNDONE_MARK}'{action}': press {step} to check again] {text}"


def _unmarked(text: str, step: str) -> str:
    """``text`` without the marks earlier undos put before it: this row's own (``step``, whose file name may hold
    ']' or an apostrophe, as typed), then any other mark an undo wrote; what follows them is the check's own."""
    tail = f"': press {step} to check again] "
    while text.startswith(UNDONE_MARK + "'"):
        end = text.find("'", len(UNDONE_MARK) + 1)  # the end of the run's name, which holds no apostrophe
        if end > 0 and text.startswith(tail, end):
            text = text[end + len(tail):]
        elif found := _MARK.match(text):
            text = text[found.end():]
        else:
            break
    return text


def _blanked(lines: pd.DataFrame | None) -> dict[str, list[dict[str, Any]]]:
    """The Accepts the undone run blanked on the Issues sheet (``issues_job._accept_as_typed``), by the row's
    ``decision_key``, in the log's order: each the APM's word ('accept') with the Problem, Value and Other Value it
    was decided on (``ASKED_WITH``), where the run changed them. The generic revert skips these lines (Issues has no
    key)."""
    out: dict[str, list[dict[str, Any]]] = {}
    if lines is None or not {"key", "field", "old"} <= set(lines.columns):
        return out
    names = {ISSUES.column(f).header.lower(): f for f in ("accept", *ASKED_WITH)}
    with_it: dict[str, dict[str, Any]] = {}
    for key, what, old in zip(lines["key"], lines["field"], lines["old"], strict=True):
        f = names.get(str(what).strip().lower())
        if not isinstance(key, str) or f is None:
            continue
        if f != "accept":
            with_it.setdefault(key.strip(), {}).setdefault(f, None if log_text(old) in (None, "") else old)
        elif decision(old):
            out.setdefault(key.strip(), []).append({"accept": {"True": True, "False": False}.get(str(old).strip(),
                                                                                                   old)})
    return {k: [{**with_it.get(k, {}), **d} for d in v] for k, v in out.items()}


def _issues_after_undo(tracker: Tracker, action: str, *, drop_notes: bool, stale: Sequence[str],
                       read: Collection[str] = (), blanked: Mapping[str, list[dict[str, Any]]] | None = None,
                       older: Sequence[_Older] = ()) -> tuple[dict[str, int], list[Change], list[str]]:
    """The Issues sheet after the undo: without its notes on T&A rows moved to or from the archive (``drop_notes``),
    with the rows found by the ``stale`` steps marked as the undone run's, and the Accepts the run blanked
    (``blanked``) given back.

    The notes speak of the run this undo takes back (the run that moved rows drops the notes of earlier ones), and
    are no longer true. Left there, they would stay until a run writes for something else ('23 T&A row(s) moved to
    the archive' over a T&A that holds them). The rows of the T&A's and the WIP import's checks read the sheets the
    undo put back ('forecast ex-factory 27-May-27, 7 day(s) after cancel' over a T&A whose forecast is 24-May-27
    again), and no check after the undo remakes them (a T&A undo is not slowed by a rebuild): their Problem starts
    with what run they are from and what to press, and the next run of that step writes them afresh (its rows are
    matched by sheet, column, key, code and Found By, so Accept and Found On stay). A Dismiss or Yes the run blanked
    goes back on the row that continues it (same Sheet, Cell, Key and Code) while its Accept is still blank; one
    the APM filled again since stays theirs. The rows of a vendor's older report that the run's newer report took
    off or continued (``older``) are put back as they were, the older report being the vendor's latest on the
    Vendor WIP sheet again (``_older_back``). The other rows stay as they are, Accept and the team's columns with
    them. Returns the rows marked, by step; the Accepts and rows given back (as Change Log lines); the rows kept
    as the APM decided them again (their ``decision_key``)."""
    blanked = {k: list(v) for k, v in (blanked or {}).items()}
    table = tracker.table(ISSUES, required=False)
    if not table.exists or "code" not in table.frame.columns or (not drop_notes and not stale and not blanked
                                                                 and not older):
        return {}, [], []
    frame, accepted, older = _older_back(table, older, blanked)
    gone = frame["code"].map(lambda v: str(v).strip() if isinstance(v, str) else "").isin(ARCHIVE_NOTES) \
        if drop_notes else pd.Series(False, index=frame.index)
    by = frame["found_by"].map(lambda v: str(v).strip() if isinstance(v, str) else "") \
        if "found_by" in frame.columns else pd.Series("", index=frame.index)
    found_in = frame["found_in"].map(lambda v: v.strip() if isinstance(v, str) else "") \
        if "found_in" in frame.columns else pd.Series("", index=frame.index)
    # a vendor file's rows only where the undone run read that file: another file's rows are as true as before; a
    # report that came in a saved e-mail is 'mail.msg > attachment' on Vendor WIP, the mail in Found In
    read = {*read, *(name.split(" > ", 1)[0] for name in read)}
    marks = by.isin(list(stale)) & ~gone & ((by != ACTION_NAMES["wip"]) | found_in.isin(list(read)))
    kept = frame[~gone.to_numpy()][list(ISSUES.fields)].copy()
    rows = [int(r) for r in frame["_row"][~gone.to_numpy()]]
    given: list[Change] = []
    theirs: list[str] = []
    accept: list[Any] = []
    if (blanked or older) and "accept" in table.columns:
        at = table.columns["accept"]
        for i, r, row in zip(kept.index, row_dicts(kept), rows, strict=True):
            typed = tracker.cell_as_written(table.sheet, row, at) if decision(r.get("accept")) else None
            if typed is None and i in accepted:  # the older report's row: its Accept as it was, unless typed since
                typed = accepted[i]
            words = blanked.get(key := decision_key(r))
            if words and typed is None:
                back = _with_dismissed_as(words.pop(0), r)
                typed = back.pop("accept")
                given.append(Change(table.sheet, key, ISSUES.column("accept").header, None, typed))
                for f, old in back.items():  # what it was decided on, before the undo's mark goes on
                    given.append(Change(table.sheet, key, ISSUES.column(f).header, r.get(f), old))
                    kept.at[i, f] = old
            elif words:
                words.pop(0)
                theirs.append(key)
            accept.append(typed)
    for o in older:  # one line for each of the run's: the row put back, and where it had gone
        given += [Change(table.sheet, o.key, PUT_BACK, None, o.key)] + (
            [Change(table.sheet, o.key, CONTINUED_AS, o.into, None)] if o.into else [])
    if not gone.any() and not marks.any() and not given:
        return {}, [], theirs
    kept.loc[marks[~gone].to_numpy(), "problem"] = [
        mark_undone(p, action, f"{b} with '{f}'" if b == ACTION_NAMES["wip"] else AGAIN.get(b, b).split(" (")[0])
        for p, b, f in zip(kept["problem"][marks[~gone].to_numpy()], by[marks], found_in[marks])]
    fields = [c.field for c in ISSUES.columns if not c.user or c.field not in table.columns]
    if given:  # the column written: every other Accept as the cell holds it (a TRUE stays TRUE)
        if "accept" in table.columns:
            kept["accept"] = pd.Series(accept, index=kept.index, dtype=object)
        fields = list(ISSUES.fields)
    out, source, extras = _with_taken_off(row_dicts(kept), list(rows), table, older)
    stage_rows(tracker, table, Merged(pd.DataFrame(out, columns=list(ISSUES.fields)), source), fields)
    _put_cells(tracker, table, [(table.header_row + 1 + n, decision_key(out[n]), o.row, o.extras)
                                for n, o in extras if o.extras])
    return {step: int((by[marks] == step).sum()) for step in stale if (by[marks] == step).any()}, given, theirs


@dataclass(frozen=True)
class _Older:
    """A row of a vendor's older report as the undone run's Change Log kept it (``issues_job.superseded_lines``):
    its values by field, its cells in the team's own columns, the Excel row it was on and the row that continues
    it (``into``: its ``decision_key``; None: the run took it off)."""

    key: str
    values: dict[str, Any]
    extras: dict[str, Any]
    row: int | None
    into: str | None


def _superseded(lines: pd.DataFrame | None) -> list[_Older]:
    """The rows of vendors' older reports that the undone run took off the Issues sheet or continued under the
    newer report's file (``issues_job.superseded_lines``), in the log's order; a row whose lines are not all
    there (a part deleted) is passed over: its report's next import finds what is true."""
    if lines is None or not {"key", "field", "old", "new"} <= set(lines.columns):
        return []
    mine = lines[lines["field"].isin([REMOVED, REMOVED_MORE, CONTINUED_AS])]
    if not len(mine):
        return []
    into = {str(e["key"]).strip(): str(e["new"]).strip() for e in _Lines(mine) if e["field"] == CONTINUED_AS
            and isinstance(e["new"], str) and e["new"].strip()}
    out = []
    for e in _Lines(mine):
        if e["field"] == REMOVED and (row := row_snapshot.decode(e["pieces"])) is not None:
            values, extras = _snapshot_cells(ISSUES, ISSUES.fields, row)
            at = row.get(row_snapshot.ROW)
            out.append(_Older(str(e["key"]).strip(), values, extras, at if isinstance(at, int) else None,
                              into.get(str(e["key"]).strip())))
    return out


def _older_back(table: Table, older: Sequence[_Older], blanked: dict[str, list[dict[str, Any]]]
                ) -> tuple[pd.DataFrame, dict[Any, Any], list[_Older]]:
    """The Issues rows with each row that continues an older report's row (``_Older.into``) as the older row was:
    its Sheet, Found In, Problem, Dismissed As, Found On and every other value of prodbook's; the team's columns
    stay as the row has them now. Returns the rows, the Accept each such row had (by the frame's index: given
    unless the APM typed one since), and the older rows that go back: those continued, and those the run took off
    whose row is not on the sheet again (``_with_taken_off``)."""
    frame = table.frame
    if not older:
        return frame, {}, []
    frame = frame.astype(object)
    where: dict[str, list[Any]] = {}
    for i, r in zip(frame.index, row_dicts(frame), strict=True):
        where.setdefault(decision_key(r), []).append(i)
    accept: dict[Any, Any] = {}
    going: list[_Older] = []
    for o in older:
        if o.into is None:
            if not where.get(o.key):  # a row the APM (or an older prodbook) has at its place stays theirs
                going.append(o)
            continue
        if not (at := where.get(o.into)):
            continue  # the row that continued it is gone (the APM deleted it): nothing to put back in place of
        i = at.pop(0)
        blanked.pop(o.into, None)  # its decision is the older row's, given back whole
        for f, v in o.values.items():
            if f != "accept" and f in frame.columns:
                frame.at[i, f] = v
        accept[i] = o.values.get("accept")
        going.append(o)
    return frame, accept, going


def _with_taken_off(rows: list[dict[str, Any]], source: list[int | None], table: Table, older: Sequence[_Older]
                    ) -> tuple[list[dict[str, Any]], list[int | None], list[tuple[int, _Older]]]:
    """The Issues rows with the older reports' rows the undone run took off put back, each at the Excel row it was
    on (as undo puts back a generated sheet's removed rows), and where each went (``(position, row)``: its cells
    in the team's columns go there)."""
    back = sorted((o for o in older if o.into is None), key=lambda o: o.row if o.row is not None else 1 << 30)
    placed: list[_Older | None] = [None] * len(rows)
    for o in back:
        at = min(max((o.row or 1 << 30) - table.header_row - 1, 0), len(rows))
        rows.insert(at, {f: o.values.get(f) for f in ISSUES.fields})
        source.insert(at, None)
        placed.insert(at, o)
    return rows, source, [(n, o) for n, o in enumerate(placed) if o is not None]


def _with_dismissed_as(back: dict[str, Any], row: Mapping[str, Any]) -> dict[str, Any]:
    """A blanked decision as it goes back on its row (``row``: as the undone run left it): a Dismiss with the
    sentence it was dismissed as in Dismissed As. The run logged it where the row had one; a Dismiss typed just
    before the run (or logged by a prodbook before the column) had none yet, and its sentence is the Problem it
    was decided on: the one the log gives back, else the row's own, which the run did not change."""
    if not dismissed(back.get("accept")) or log_text(back.get("dismissed_as")) not in (None, ""):
        return back
    return {**back, "dismissed_as": dismissed_as({"problem": back.get("problem", row.get("problem"))})}


def _given_line(given: Sequence[Change], theirs: Sequence[str], dry_run: bool) -> list[str]:
    """The undo's word on the Dismiss and Yes decisions it gave back to the Issues sheet, and once on those the APM
    decided again since (kept as they typed them)."""
    out = []
    words = [c for c in given if c.field == ISSUES.column("accept").header]
    if words:
        out.append(f"  Issues: {len(words):,} decision(s) in Accept that the run undone had blanked (Dismiss, Yes) "
                   f"{'would be' if dry_run else 'were'} given back to their rows: "
                   + _named(list(dict.fromkeys(c.key for c in words))) + ", with the problem they were decided on.")
    if theirs:
        out.append(f"  Issues: {len(theirs):,} row(s) whose Accept the run undone had blanked were decided again "
                   "since: Accept is kept as you typed it there: " + _named(list(dict.fromkeys(theirs))) + ".")
    if back := [_as_named(c.key) for c in given if c.field == PUT_BACK]:
        out.append(f"  Issues: {len(back):,} row(s) of a vendor's older WIP report, which the run undone had "
                   f"checked again by the newer report it imported, {'would be' if dry_run else 'are'} back as they "
                   "were (the file they name, Accept, Dismissed As, Found On and your own columns): "
                   + _named(list(dict.fromkeys(back))) + ".")
    return out


def _as_named(key: str) -> str:
    """An Issues row's ``decision_key`` (Sheet / Cell / Key / Code) as the summary names a vendor report's row: its
    Key and, in brackets, the file ('4500008888 / S1 / Navy (BD1 WIP 2027-02-22.xlsx)'). A sheet's or file's
    name holds no '/' (Excel and the file system refuse it)."""
    parts = key.split(" / ")
    record = " / ".join(parts[2:-1]).strip(" /")
    return f"{record} ({parts[0]})" if record and len(parts) > 3 else key


def _named(keys: list[str]) -> str:
    """The first few rows by key (as the run's summary names the rows back, ``BACK_NAMED``), the rest counted."""
    more = f" and {len(keys) - BACK_NAMED:,} more" if len(keys) > BACK_NAMED else ""
    return ", ".join(keys[:BACK_NAMED]) + more


def _marked_line(marked: Mapping[str, int], dry_run: bool) -> list[str]:
    """The undo's word on the Issues rows it marked as the undone run's, and what to press to check them again."""
    if not marked:
        return []
    by = ", ".join(f"{step} {n:,}" if len(marked) > 1 else step for step, n in marked.items())
    n = sum(marked.values())
    press = " or ".join(AGAIN.get(step, step) for step in marked)
    verb = "would be" if dry_run else "are"
    return [f"  Issues: {n:,} row(s) found by {by} {verb} as the run undone left them, and may speak of values "
            f"this undo put back (a forecast, a vendor's date): their Problem starts with '[From the run undone'. "
            f"Press {press} to check them again."]


__all__ = ["NEW_ROW_VALUES", "PUT_BACK", "UNDO", "UNDONE", "last_action", "undo"]
