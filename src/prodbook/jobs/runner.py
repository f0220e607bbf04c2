"""Run jobs on a workbook: read once, run each job, write everything in one go.

The ribbon, the CLI and the tests all come through here. A job that fails
unexpectedly becomes an internal-error finding and stages nothing; the
others still run. Nothing is written on --dry-run, or when the input itself
is wrong (``UserError``). Files beside the workbook (drafts, the report) are
written only once the workbook's save succeeded (``publish_staged``).
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from prodbook.core import order_dates
from prodbook.core.changes import run_stamp
from prodbook.core.findings import Code, Finding, Severity, UserError, error, has_errors, info, warning
from prodbook.core.looks import DEFAULT_DATE_FORMAT, retired_for
from prodbook.core.model.sheets import ALL_SHEETS, CHANGE_LOG, EXCEPTIONS, ISSUES, TA
from prodbook.core.open_findings import EVERY_RUN, Checked
from prodbook.jobs import support
from prodbook.jobs.base import ACTION_NAMES, Context, Outcome
from prodbook.jobs.issues_job import stage_issues
from prodbook.jobs.memory import few_collections
from prodbook.workbook import kept_drafts, publish
from prodbook.workbook.filebook import CommitResult, FileBook, check_workbook_path
from prodbook.workbook.lock import WriteLock
from prodbook.workbook.safety import BACKUP_DIR, SavedMeanwhile, WorkbookLocked, saved_meanwhile_message
from prodbook.workbook.tracker import Tracker
from prodbook.workbook.xlsxparts import MovedLink, Progress

Job = Callable[[Tracker, Context], Outcome]



class _Jobs(MutableMapping[str, Job]):
    """The jobs by name, each module imported when its job first runs.

    A `prodbook ta` then never loads the report's openpyxl or the development checks: start-up is
    part of every run's cost (issue 14). Tests may still replace an entry (``monkeypatch.setitem``).
    """

    def __init__(self, specs: dict[str, str]) -> None:
        self._specs = dict(specs)
        self._loaded: dict[str, Job] = {}

    def __getitem__(self, name: str) -> Job:
        if name not in self._loaded:
            module, attr = self._specs[name].split(":")
            self._loaded[name] = getattr(importlib.import_module(f"prodbook.jobs.{module}"), attr)
        return self._loaded[name]

    def __setitem__(self, name: str, job: Job) -> None:
        self._specs.setdefault(name, "")
        self._loaded[name] = job

    def __delitem__(self, name: str) -> None:
        del self._specs[name]
        self._loaded.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)


JOBS: MutableMapping[str, Job] = _Jobs({
    "validate": "validate_job:validate",
    "ta": "ta_job:rebuild",
    "undo": "undo_job:undo",
    "wip": "wip_job:import_wip",
    "exceptions": "exceptions_job:check",
    "followups": "followups_job:followups",
    "report": "report_job:report",
    "scorecard": "scorecard_job:scorecard",
    "apply": "apply_job:apply_fixes",
})
REFRESH: tuple[str, ...] = ("wip", "ta", "validate", "exceptions", "followups")
"""The daily run, in order ("wip" imports the run's vendor files, when any are given). The vendor files
come before the T&A so that its late-for-cancel count reads the same newest WIP report (the vendor's
revised ex-factory) as the Exceptions and the report; the record check comes after the T&A so that what
it weighs against the T&A (a sample's Due, a colour's lab dip) reads the T&A this run writes, as a Check
records run straight after it would."""


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
    sheets: tuple[str, ...] = ()
    """The sheets the run wrote to (or would, on --dry-run)."""
    date_format: str = DEFAULT_DATE_FORMAT
    """The workbook's Date Format (Config), in which the terminal shows a finding's date (``cli``)."""

    @property
    def exit_code(self) -> int:
        return 1 if has_errors(self.findings) else 0

    def what_changed(self) -> str:
        """The run's changes in a few words, for the command's and the ribbon's last line. A run can bring
        the Issues sheet up to date and change no value of the user's: then nothing is logged, and it says so."""
        if self.changes:
            return f"{self.changes:,} value(s) changed, logged as '{self.action}'"
        if not self.sheets:
            return "no value changed"
        return f"{self.sheets_named()} brought up to date; no other value changed, so the Change Log has nothing new"

    def sheets_named(self) -> str:
        """"the 'Issues' sheet", "the 'Issues' and 'Style Snapshot' sheets"."""
        named = [f"'{s}'" for s in self.sheets]
        listed = ", ".join(named[:-1]) + f" and {named[-1]}" if len(named) > 1 else "".join(named)
        return f"the {listed} sheet{'s' if len(named) > 1 else ''}"


def _dedupe(findings: Sequence[Finding]) -> list[Finding]:
    seen: set[tuple] = set()
    out = []
    for f in order_dates.said_once(findings):
        k = (f.file, f.sheet, f.row, f.column, f.message)  # one place, one sentence: said once
        if k not in seen:
            seen.add(k)
            out.append(f)
    return out


def _holding_write_lock(run: Callable[..., RunResult]) -> Callable[..., RunResult]:
    """Run with the workbook's write lock held from the read to the replace (the file back end only).

    A second prodbook run on the same workbook waits ``lock_wait`` seconds
    (default ``lock.DEFAULT_WAIT``), then stops with a plain message. Not taken
    for a live-Excel ``backend`` (Excel itself owns that workbook) nor on
    --dry-run, which writes nothing and reads whichever complete file is there.
    """
    @functools.wraps(run)
    def locked(path: str | Path, jobs: Sequence[str], ctx: Context, *args: Any, lock_wait: float | None = None,
               **kwargs: Any) -> RunResult:
        if kwargs.get("backend") is not None or ctx.dry_run:
            return run(path, jobs, ctx, *args, **kwargs)
        check_workbook_path(Path(path))  # a wrong name gets its own message, before any lock file is made
        with WriteLock(path, lock_wait):
            return run(path, jobs, ctx, *args, **kwargs)
    return locked


@_holding_write_lock
def run(path: str | Path, jobs: Sequence[str], ctx: Context, *, title: str | None = None,
        on_step: Callable[[str], None] | None = None, issues: bool = True,
        backend: Any = None, on_progress: Progress | None = None) -> RunResult:
    """Run ``jobs`` (names from ``JOBS``) on the workbook at ``path``.

    ``backend``: an open workbook back end to use instead of the file at ``path``
    (the live-Excel one, ``prodbook.workbook.xlbook.XlBook``); it commits the same way.
    ``on_step(description)`` hears each step; ``on_progress(what, done, total)`` how far the file
    back end's write of a long sheet has come.
    """
    step = on_step or (lambda _: None)
    result = _run_once(path, jobs, ctx, title=title, step=step, issues=issues, backend=backend,
                       on_progress=on_progress)
    if list(jobs) == ["undo"] and issues and _saved_in_place(result) and _records_put_back(result):
        result = _checked_again(path, result, ctx, step=step, backend=backend, on_progress=on_progress)
    return result


def _run_once(path: str | Path, jobs: Sequence[str], ctx: Context, *, title: str | None,
              step: Callable[[str], None], issues: bool, backend: Any, on_progress: Progress | None,
              issues_only: bool = False) -> RunResult:
    step("Reading the workbook")
    with few_collections():
        book = backend if backend is not None else FileBook(path, progress=on_progress)
        try:
            with _saved_meanwhile(book):
                return _run_jobs(path, book, jobs, ctx, title=title, step=step, issues=issues,
                                 live=backend is not None, issues_only=issues_only)
        finally:
            if backend is None:
                book.close()  # a refused run too: its error may be held (and shown) while the file is still open


def _records_put_back(result: RunResult) -> bool:
    """The undo put back a value the records check reads (the APM's own sheets, an adopted style's lock): an
    undo of a T&A rebuild or a WIP import changes none of them, and is not made slower by a check."""
    return any(o.data.get("records", True) for o in result.outcomes)


def _saved_in_place(result: RunResult) -> bool:
    """The run wrote the workbook itself: not a dry run, not a run with nothing to write, not a side copy (in
    Excel, a workbook never saved has no file: the cells written say it)."""
    c = result.commit
    return (not result.dry_run and c is not None and not c.side_copy_reason
            and (c.written is not None or getattr(c, "cells", 0) > 0))


def _checked_again(path: str | Path, undone: RunResult, ctx: Context, *, step: Callable[[str], None],
                   backend: Any, on_progress: Progress | None) -> RunResult:
    """After an undo, the records checked again on the workbook as the undo saved it, so that the Issues sheet
    speaks of the values put back: a fix undone is an issue again, as a Check records run would show it. Before,
    the sheet kept what the undone run had left (the fix applied, its issue gone) until the next run.

    A run of its own after the undo's save: the undo stages whole sheets, and the check reads them as saved.
    It writes the Issues sheet alone and logs nothing (a first lock of an adopted style waits for the next
    run), so the undo stays the newest action. Its findings go to the Issues sheet, not to the undo's words
    (the undo says what it put back); its summary says what it checked. A check that cannot be made leaves the
    undo saved, and says so."""
    said: str | None = None
    try:
        again = _run_once(path, ["validate"], dataclasses.replace(ctx, files=()), title=None, step=step,
                          issues=True, backend=backend, on_progress=on_progress, issues_only=True)
        said = next((f.message for f in again.findings if f.code is Code.INTERNAL), None)  # the check stopped
    except Exception as exc:  # the undo is saved whatever happens here
        if isinstance(exc, (UserError, WorkbookLocked, SavedMeanwhile)):
            said = exc.finding.message if isinstance(exc, UserError) else str(exc)
        else:
            said = f"an unexpected problem; please {support.send_note(support.crash_log('check after an undo'))}"
    if said is not None:
        return dataclasses.replace(undone, findings=[*undone.findings, warning(
            Code.NOT_WRITABLE, f"the undo is saved, but the records could not be checked again after it ({said}); "
            "the Issues sheet may still list what the undone run left. Press Check records (prodbook validate) "
            "to bring it up to date", file=undone.file.name)])
    checked = next((o.summary[0] for o in again.outcomes if o.summary), "")  # 'Checked 364 rows (Styles, ...)'
    note = f"The records were checked again for the Issues sheet. {checked}".strip()
    # and its word on the rows it left as they were ('Issues: 11 row(s) found by checks this run did not do ...')
    issues = [line for o in again.outcomes for line in o.summary if line.lstrip().startswith("Issues:")]
    outcomes = [*undone.outcomes]
    if outcomes:
        outcomes[-1] = dataclasses.replace(outcomes[-1], summary=[*outcomes[-1].summary, note,
                                                                  *("  " + line.lstrip() for line in issues)])
    return dataclasses.replace(undone, outcomes=outcomes,
                               sheets=tuple(dict.fromkeys([*undone.sheets, *again.sheets])))


def refuse_other_workbooks(tracker: Tracker, live: bool, dry_run: bool = False) -> None:
    """A workbook with none of prodbook's sheets is not a tracker: a vendor's report in front in Excel when a
    button was pressed, another file named on the command line. Said so before any job reads it; each job would
    otherwise ask for the first sheet it needs, as if a tracker lacked only that one ("add the Styles sheet with
    the headers ..."), or check nothing and report all well. A backup prodbook made (in its backups folder) is
    not changed either: it is how the APM goes back, and one changed would be a copy drifting from the tracker
    (a look with --dry-run writes nothing, and is let through)."""
    path = getattr(tracker.backend, "path", None)
    if path is not None and Path(path).parent.name.lower() == BACKUP_DIR.lower() and not dry_run:
        raise UserError(f"'{tracker.file}' is one of prodbook's backups (it is in the '{BACKUP_DIR}' folder beside "
                        "the tracker), and prodbook does not change a backup: it is how you go back. Run prodbook "
                        "on the tracker itself. To go back to this copy, close the tracker, copy this file over it "
                        "(keeping the tracker's name), then run prodbook again. Nothing was written",
                        file=tracker.file)
    names = {n.lower() for n in tracker.backend.sheet_names()}
    found = [spec for spec in ALL_SHEETS if tracker.sheet(spec).lower() in names]
    if found == [CHANGE_LOG]:  # the log's oldest runs, moved out (``log_archive``): a record, not a tracker
        raise UserError(f"'{tracker.file}' holds only a Change Log: it is where prodbook moved the tracker's oldest "
                        "logged runs when its Change Log was full ('<tracker> Change Log to <date>.xlsx'), kept as "
                        "the record of them. prodbook does not change it (an Undo there would undo nothing in the "
                        "tracker, and say it had). Run prodbook on the tracker itself. Nothing was written",
                        file=tracker.file)
    if found:
        return
    wanted = ", ".join(spec.name for spec in ALL_SHEETS[:4])
    where = ("The prodbook buttons work on the workbook in front: switch to your tracker's window (View > Switch "
             "Windows), then press the button again" if live else
             "Check the file named: prodbook works on your production tracker, not on a vendor's report or "
             "another workbook")
    raise UserError(f"'{tracker.file}' is not a production tracker: it has none of prodbook's sheets ({wanted}, "
                    f"Config and the others). {where}. If it is your tracker and its sheets have names of their own, "
                    "name them on a Config sheet (Setting 'Sheet: Orders', Value: your sheet's name). Nothing was "
                    "written", file=tracker.file)


@contextmanager
def _saved_meanwhile(book: Any) -> Iterator[None]:
    """A read that fails because another program saved the file meanwhile is that save, said plainly."""
    try:
        yield
    except (UserError, Exception) as exc:
        changed = getattr(book, "changed_since_read", None)
        if changed is None or isinstance(exc, WorkbookLocked) or not changed():
            raise
        raise SavedMeanwhile(saved_meanwhile_message(book.path)) from exc


def _run_jobs(path: str | Path, book: Any, jobs: Sequence[str], ctx: Context, *, title: str | None,
              step: Callable[[str], None], issues: bool, live: bool = False, issues_only: bool = False
              ) -> RunResult:
    tracker = Tracker(book)
    refuse_other_workbooks(tracker, live, ctx.dry_run)
    outcomes: list[Outcome] = []
    findings: list[Finding] = list(tracker.findings)
    crash_log = None
    start = tracker.mark()
    for name in jobs:
        step(ACTION_NAMES.get(name, name))  # the button's name: 'Rebuild T&A', not 'ta'
        marked = tracker.mark()
        try:
            outcome = JOBS[name](tracker, ctx)
        except (UserError, WorkbookLocked):
            raise
        except Exception:  # a bug: report it as a finding, take back what it staged, keep the other steps
            tracker.back_to(marked)
            crash_log = support.crash_log(f"step '{name}' on {book.name}")
            findings.append(error(Code.INTERNAL, f"the '{name}' step stopped on an unexpected problem; "
                                  f"the other steps ran and nothing of this step was written. Please "
                                  f"{support.send_note(crash_log)}", file=book.name))
            continue
        outcomes.append(outcome)
        findings += outcome.findings
    findings = _dedupe(findings + tracker.notes)
    if issues_only:  # the check after an undo: only its Issues sheet is written, and nothing is logged
        tracker.back_to(start)
    action = title or _action_name(jobs, outcomes)
    run_id = action if action.startswith("Undo ") else f"{action} {_stamp(ctx.now)}"
    if issues and "undo" not in jobs:
        notes = stage_issues(tracker, findings, dataclasses.replace(checked(ctx, outcomes), after_undo=issues_only),
                             found_by(tracker, outcomes))
        if outcomes and notes:
            outcomes[-1].summary += notes
    only_if_logged(outcomes, bool(tracker.changes), ctx.dry_run)
    tracker.stage_change_log(run_id, ctx.now)
    tracker.release()  # everything is staged: the tables read need not be held while the file is written
    findings = _dedupe(findings + tracker.notes)  # the Issues and Change Log sheets' own notes
    commit = None
    guard = getattr(book, "write_guard", None)
    elsewhere = getattr(book, "open_elsewhere", None)  # a dry run says what would stop the run itself
    if ctx.dry_run and guard is not None and book.pending and (said := guard() or (elsewhere and elsewhere())):
        findings.append(warning(Code.NOT_WRITABLE, f"the run itself will write nothing: {said}", file=book.name))
    if not ctx.dry_run:
        prepared = publish.prepare([f for o in outcomes for f in o.files],  # a full disk shows before the save
                                   workbook=getattr(book, "path", None))
        try:
            before = _put_before_save(tracker, book.name)
            step("Writing the workbook")
            commit = book.commit(tracker.config.backups_to_keep)
        except BaseException:  # refused or failed: no draft, no report, no folder made for them
            prepared.discard()
            raise
        if outcomes:
            outcomes[-1].summary += before
        side = commit.written if commit.side_copy_reason else None  # the run's Change Log is in the side copy
        findings += publish_staged(prepared, outcomes, book.name, live=live, run=run_id,
                                   workbook=side or getattr(book, "path", None), keep=tracker.config.backups_to_keep)
        past = getattr(book, "past_limits", None)
        if past is not None and commit.written == getattr(book, "path", None) and (said := past()):
            findings.append(warning(Code.FILE_PAST_LIMITS, said, file=book.name))
        recoloured = getattr(book, "rules_brought_up_to_date", None)
        if recoloured is not None and outcomes and commit.written == getattr(book, "path", None):
            outcomes[-1].summary += rules_brought_up_to_date(recoloured())
        links = getattr(book, "moved_links", None)
        if links is not None and commit.written == getattr(book, "path", None):
            from prodbook.core.report import REPORT  # the sheet's spec: only on a run that moved rows

            findings += links_by_place(links(), book.name, tracker.sheet(TA), ours={
                tracker.sheet(EXCEPTIONS): OwnLinks("PO #", "lines", "prodbook exceptions, or the refresh"),
                tracker.sheet(REPORT): OwnLinks("PO #", "lines", "prodbook report, or the Production report button"),
                tracker.sheet(ISSUES): OwnLinks("Cell", "cells", "prodbook validate, ta or refresh")})
    return RunResult(Path(path), run_id, outcomes, findings, commit, ctx.dry_run,
                     changes=len(tracker.changes), log=crash_log, sheets=tuple(tracker.sheets_written),
                     date_format=tracker.config.date_format)


def rules_brought_up_to_date(sheets: Mapping[str, str]) -> list[str]:
    """The run's one word on the colour rules an earlier prodbook wrote that the write brought up to date
    (``sheets``: each sheet written with the sheet whose rules it takes), and what the APM sees change."""
    out = []
    for sheet, rules in sheets.items():
        why = "; ".join(dict.fromkeys(r.why for r in retired_for(rules)))
        out.append(f"The colour rules of '{sheet}' were brought up to date{': ' + why if why else ''}.")
    return out


@dataclass(frozen=True)
class OwnLinks:
    """Links prodbook writes on a sheet of its own into the T&A's rows: their column, what they go to, and the
    runs that write the sheet again (and so point them right)."""

    column: str
    to: str
    mended_by: str


def links_by_place(links: Sequence[MovedLink], file: str, ta: str, shown: int = 3,
                   ours: Mapping[str, OwnLinks] | None = None) -> list[Finding]:
    """One warning per sheet of the team's formulas that read a cell of a rebuilt sheet by its place, where the
    run put another row: they now read that row's cell, as after Excel's Sort. prodbook leaves the formula as
    typed (a sheet mirroring the T&A row by row means the place); the APM decides. The links prodbook writes
    itself on ``ours`` (the PO # links of Exceptions and the Production Report, the Cell links of Issues) are
    not the APM's to mend: one note says the next run that writes that sheet points them right again."""
    ours = ours or {}
    by: dict[tuple[str, str], list[MovedLink]] = {}
    mine: dict[str, int] = {}
    for link in links:
        if link.jump and link.sheet in ours:
            mine[link.sheet] = mine.get(link.sheet, 0) + 1
            continue
        by.setdefault((link.sheet, link.target), []).append(link)
    out = [warning(Code.LINK_BY_PLACE, f"{n:,} of prodbook's own {ours[sheet].column} link(s) on '{sheet}' still "
                   f"go to the rows of '{ta}' their {ours[sheet].to} had before this run; the next run that writes "
                   f"'{sheet}' ({ours[sheet].mended_by}) points them at their {ours[sheet].to} again", file=file,
                   sheet=sheet) for sheet, n in mine.items()]
    for (sheet, target), group in by.items():
        said = []
        for link in group[:shown]:
            verb, past = ("goes to", "went to") if link.jump else ("reads", "read")
            reads = f"{link.cell} {verb} {link.ref}" if sheet else f"'{link.cell}' refers to {link.ref}"
            went = (f"the row it {past} is now row {link.new_row}" if link.new_row is not None else
                    f"the row it {past} is no longer on the sheet")
            said.append(f"{reads}: {went}")
        more = f"; and {len(group) - shown:,} more" if len(group) > shown else ""
        advice = ("a milestone wherever its row goes, look it up by its PO #, Style #, Color and Code"
                  if target.lower() == ta.lower() else "a row wherever it goes, look it up by its key columns")
        jumps = any(link.jump for link in group)
        what = (f"formula(s) or link(s) on '{sheet}' read or go to" if sheet and jumps else
                f"formula(s) on '{sheet}' read" if sheet else "defined name(s) (Formulas > Name Manager) refer to")
        out.append(warning(
            Code.LINK_BY_PLACE,
            f"{len(group):,} {what} a single cell of '{target}' by its place, and this run moved the rows of "
            f"'{target}' (rows added, taken off or put in Orders order). {'; '.join(said)}{more}. They were left "
            f"as you typed them, so they now {'read or go to' if jumps else 'read'} another row's cell, as after "
            f"a Sort in Excel. To read {advice} (XLOOKUP or INDEX/MATCH), or point the "
            f"{'formula or link' if jumps else 'formula'} at its new row",
            file=file, sheet=sheet or None, row=group[0].row))
    return out


def _action_name(jobs: Sequence[str], outcomes: Sequence[Outcome]) -> str:
    """The run's name in the Change Log: its one step's (also when that step stopped), else "Refresh"."""
    if len(jobs) != 1:
        return "Refresh"
    return outcomes[0].action if outcomes else ACTION_NAMES.get(jobs[0], "Refresh")


# --- what the run checked: the Issues sheet keeps what it did not ------------------------------------

def checked(ctx: Context, outcomes: Sequence[Outcome]) -> Checked:
    """The steps that checked in this run, the files it read, the Issues rows it resolved. A file given that
    the run could not read (``not_read``) is not one it read: the rows found in it before stay on the Issues
    sheet, the APM's Dismiss and notes with them, until a run reads it; counted as read, they were taken off as
    resolved, and came back undecided with the good file the next day."""
    files: frozenset[str] = frozenset()
    if ctx.files:  # the vendor-file reader is loaded only when a run was given vendor files (start-up)
        from prodbook.jobs.wip_job import expand_inputs

        try:
            files = frozenset(p.name for p in expand_inputs(ctx.files)) - not_read(outcomes)
        except UserError:
            pass
    return Checked(ctx.today, frozenset(o.action for o in outcomes if o.checked), files,
                   frozenset(r for o in outcomes for r in o.resolved))


def not_read(outcomes: Sequence[Outcome]) -> frozenset[str]:
    """The names of the files given that the run could not read (damaged, locked, cut short, columns not
    understood): the WIP import lists them (its data 'unread'); the record check, reading style sheets without
    it (``validate FILES``), names one it could not open by a warning on the file itself (no sheet, no row)."""
    listed = {name for o in outcomes for name in o.data.get("unread", ())}
    opened = {f.found_in or f.file for o in outcomes for f in o.findings
              if f.code is Code.DIFF_STYLE and f.severity != Severity.INFO and f.sheet is None and f.row is None}
    return frozenset(listed | {Path(name).name for name in opened if name})


def found_by(tracker: Tracker, outcomes: Sequence[Outcome]) -> dict[int, str]:
    """Each finding's step, by ``id``; what reading the workbook finds belongs to every run."""
    by: dict[int, str] = {id(f): EVERY_RUN for f in (*tracker.findings, *tracker.notes)}
    for o in outcomes:
        for f in o.findings:
            by.setdefault(id(f), o.action)
    return by


# --- publish staged files after the save ----------------------------------------------------------

def only_if_logged(outcomes: Sequence[Outcome], logged: bool, dry_run: bool) -> None:
    """Drop the files staged ``only_if_logged`` (the old days' follow-up drafts pruned) from a run that writes no
    Change Log row: an Undo could not take that back (it would undo the run before). On a dry run that would
    log, say what they would do."""
    for outcome in outcomes:
        if not logged:
            outcome.files = tuple(f for f in outcome.files if not getattr(f, "only_if_logged", False))
        elif dry_run:
            outcome.summary += [_would(f.announce) for f in outcome.files
                                if isinstance(f, publish.StagedFile | publish.StagedRemoval) and f.only_if_logged
                                and f.announce]


def _would(line: str) -> str:
    """'  Removed the old ...' as a dry run says it: '  Would remove the old ...'."""
    for done, would in (("  Removed", "  Would remove"), ("  Kept", "  Would keep")):
        if line.startswith(done):
            return would + line[len(done):]
    return line


def _put_before_save(tracker: Tracker, file: str) -> list[str]:
    """Files the save relies on (the Change Log's oldest rows, moved out), in place before it: if one
    cannot be written, the workbook is not saved either, and keeps every row."""
    if not tracker.before_save:
        return []
    early = publish.prepare(tracker.before_save)
    try:
        done = early.publish(tracker.before_save)
    finally:
        early.discard()
    if done.problem:
        raise UserError(f"{done.problem}. Nothing was written: the workbook keeps its whole Change Log. "
                        "Free some space (or make the folder writable) and run again", file=file)
    return list(done.summary)


def publish_staged(prepared: publish.Prepared, outcomes: Sequence[Outcome], file: str, *,
                   live: bool = False, run: str | None = None, workbook: Path | None = None,
                   keep: int = 20) -> list[Finding]:
    """Put each job's drafts and report in place now that the save succeeded; a job's summary then says
    where they are (only the files written), and a failure part-way names what was and was not written.
    With the ``run``'s id and the ``workbook``'s path (the file whose Change Log holds the run: the side copy,
    when the changes went to one), the follow-up drafts it takes away or rewrites are kept in 'prodbook backups',
    and what it did to them, and the folders made for them, recorded for its undo (``kept_drafts``)."""
    found: list[Finding] = []
    done_to_book = "Its changes to the workbook were made" if live else "The workbook was saved"
    aside = kept_drafts.folder_for(Path(workbook), run) if run and workbook is not None else None
    undoable: list[kept_drafts.Undoable] = []
    made = list(prepared.folders)  # before ``discard`` lets go of the list
    try:
        for outcome in outcomes:
            done = prepared.publish(outcome.files, aside)
            undoable += done.undoable
            outcome.summary += done.summary
            found += [info(Code.SETTING, note, file=file) for note in done.notes]
            found += [warning(Code.FILE_NOT_WRITTEN, f"{outcome.action}: {line}", file=file)
                      for line in done.not_removed]
            if done.problem:
                found.append(error(Code.FILE_NOT_WRITTEN, f"{outcome.action}: {done.problem}. {done_to_book}. "
                                   f"Written: {_names(done.written) or 'none'}. Not written: "
                                   f"{_names(done.not_written)}. Run again once that is fixed to write them",
                                   file=file))
    finally:
        prepared.discard()  # anything not put in place (stopped part-way): no stray temp file
        if undoable and aside is not None and run and workbook is not None:
            holding = {p for d in undoable for p in d.path.parents}
            found += _record_drafts(Path(workbook), run, undoable, keep, file, [f for f in made if f in holding])
    return found


def _record_drafts(workbook: Path, run: str, drafts: list[kept_drafts.Undoable], keep: int,
                   file: str, made: Sequence[Path] = ()) -> list[Finding]:
    """What the run did to the drafts folder (and the folders it made for them), recorded for its undo; the
    oldest runs' records let go of."""
    try:
        kept_drafts.write_record(workbook, run, drafts, made)
    except OSError as exc:
        return [warning(Code.FILE_NOT_WRITTEN, f"the drafts are written, but what this run did to them could not be "
                        f"recorded in '{kept_drafts.folder_for(workbook, run)}' ({exc.strerror or exc}): an Undo of "
                        "this run will not put the drafts folder back. Run Follow-ups again after an Undo to bring "
                        "the drafts up to date", file=file)]
    kept_drafts.prune(workbook, keep)
    return []


def _names(files: Sequence[str]) -> str:
    return "; ".join(f if f.startswith("Outlook Drafts:") else Path(f).name for f in files)


_issued: dict[str, int] = {}


def _stamp(now: datetime) -> str:
    """The run's id in the Change Log: its time, with a counter when one process runs twice a second."""
    stamp = run_stamp(now)
    _issued[stamp] = n = _issued.get(stamp, 0) + 1
    return stamp if n == 1 else f"{stamp} ({n})"


__all__ = ["JOBS", "REFRESH", "RunResult", "Severity", "run"]
