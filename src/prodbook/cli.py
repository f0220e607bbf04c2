"""The `prodbook` command: the ribbon's jobs, headless, on the workbook file.

Exit status: 0 done, 1 done but error findings exist, 2 nothing written
because the input or the command was wrong. The user never sees a
traceback: unexpected problems are written to a log file and named.
"""

from __future__ import annotations

import atexit
import gc
import json
import math
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime
from functools import cache
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from prodbook import __version__

if TYPE_CHECKING:
    from rich.console import Console

    from prodbook.core.findings import Finding
    from prodbook.jobs.base import Context
    from prodbook.jobs.runner import RunResult

# Start-up: `prodbook --help` imports click and this module only; rich, pandas, the jobs and the add-in
# are imported when a command runs (see CONTRIBUTING: measure with `python -X importtime`).

SHOWN_PER_SEVERITY = 15
SHOWN_ALIKE = 3
"""Of findings alike (one sheet, column and code: 'TBC' down a Qty column), the first few are printed, so the
one different error is not lost behind them; the Issues sheet holds them all."""


def _picked(found: Sequence[Any], limit: int = SHOWN_PER_SEVERITY) -> list[Any]:
    """The findings to print, in their order: at most ``SHOWN_ALIKE`` alike, ``limit`` in all."""
    seen: dict[tuple[Any, ...], int] = {}
    out = []
    for f in found:
        kind = (f.sheet, f.column, f.code)
        seen[kind] = seen.get(kind, 0) + 1
        if seen[kind] <= SHOWN_ALIKE:
            out.append(f)
            if len(out) == limit:
                break
    return out


@cache
def _consoles() -> tuple[Console, Console]:
    """stdout and stderr consoles. Markup only where asked for (markup=True), and then the workbook's own
    text is escaped: a cell or file name with [brackets] is printed as it is."""
    from rich.console import Console

    return (Console(highlight=False, soft_wrap=True, markup=False),
            Console(stderr=True, highlight=False, soft_wrap=True, markup=False))


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def run(workbook: str | Path, jobs: Sequence[str], ctx: Context, **options: Any) -> RunResult:
    """The job runner (``prodbook.jobs.runner.run``), imported when a command runs."""
    from prodbook.jobs.runner import run as run_jobs

    return run_jobs(workbook, jobs, ctx, **options)


def _refresh_jobs() -> list[str]:
    from prodbook.jobs.runner import REFRESH

    return list(REFRESH)


class TodayType(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: Any, ctx: Any) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"'{value}' is not a date like 2027-03-15", param, ctx)


WINDOWS = sys.platform == "win32"


class FilePath(click.Path):
    """A file or folder typed on the command line. On Windows a folder typed with its last backslash inside the
    quotes ("C:\\WIP files\\", as PowerShell's Tab completes it) reaches Python as 'C:\\WIP files"': the
    backslash made the closing quote part of the name. No Windows name holds a double quote, so that one at the
    end is dropped; one further in means the words after it were joined to the name, and the message says why."""

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if WINDOWS and isinstance(value, str) and '"' in value:
            if value.endswith('"') and '"' not in value[:-1]:
                value = value[:-1]
            else:
                self.fail(f"'{value}' holds a double quote (\"), which no Windows file or folder name has: a folder "
                          "typed with a backslash just before its closing quote (\"C:\\WIP files\\\") makes Windows "
                          "join what follows to it. Type the folder without its last backslash (\"C:\\WIP files\") "
                          "and run again", param, ctx)
        if getattr(param, "name", None) == "workbook" and isinstance(value, str | os.PathLike) and Path(value).is_dir():
            self.fail(_a_folder(Path(value)), param, ctx)
        if not self.file_okay and isinstance(value, str | os.PathLike) and Path(value).is_file():
            self.fail(f"'{value}' is a file; this takes a folder (for instance '{Path(value).parent}'): "
                      "give a folder's name, new or existing", param, ctx)
        return super().convert(value, param, ctx)


def _a_folder(folder: Path) -> str:
    """Said when a folder is typed where a workbook goes: the APM dragged the tracker's folder, not the file."""
    try:
        books = sorted(p.name for p in folder.iterdir() if p.suffix.lower() in (".xlsx", ".xlsm")
                       and not p.name.startswith("~$") and p.is_file())
    except OSError:
        books = []
    said = f"'{folder}' is a folder, not a workbook: give the workbook file itself"
    if not books:
        return said + ". It holds no .xlsx or .xlsm workbook"
    shown = ", ".join(f"'{b}'" for b in books[:5]) + (f" and {len(books) - 5} more" if len(books) > 5 else "")
    return f"{said}, such as '{folder / books[0]}'. The workbooks in it: {shown}"


_LOG = "prodbook.log"
"""Where ``--log`` keeps its file and the command's context, in click's ``meta`` (shared by every context of
the run, so the refusal printed by ``Group.invoke`` finds it too)."""


def _remember_log(ctx: click.Context, _param: Any, value: Path | None) -> None:
    if value is not None:
        ctx.meta[_LOG] = (value, ctx)


_JSON = "prodbook.json"


def _remember_json(ctx: click.Context, _param: Any, value: bool) -> bool:
    ctx.meta[_JSON] = value  # a refusal, met after the command's own context is gone, reads it (_fail)
    return value


def common(f: Callable) -> Callable:
    f = click.option("--log", type=FilePath(dir_okay=False, path_type=Path), default=None, metavar="FILE",
                     expose_value=False, callback=_remember_log,
                     help="Also add what the run says to FILE, with the time and the command: for a scheduled "
                          "run, whose messages no one sees.")(f)
    f = click.option("--json", "as_json", is_flag=True, callback=_remember_json,
                     help="Print findings as JSON (for scripts).")(f)
    f = click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")(f)
    f = click.option("--today", type=TodayType(), default=None,
                     help="Judge overdue/due soon against this date instead of today.")(f)
    return f


def _context(today: date | None, dry_run: bool, **options: Any) -> Context:
    from prodbook.jobs.base import Context

    return Context(today=today or date.today(), dry_run=dry_run, **options)


def _print(result: RunResult, as_json: bool, exit_code: int | None = None) -> None:
    """What the run says, or its JSON. ``exit_code``: the command's own status when it is not the run's (the
    demo's), so the JSON's ``exit_code`` is always the one the process exits with."""
    code = result.exit_code if exit_code is None else exit_code
    lines = _said(result) if not as_json or _log_to() else []  # --json alone: rich is not even imported
    if as_json:
        click.echo(json.dumps(_strict({**_as_dict(result), "exit_code": code}), indent=2, default=str,
                              allow_nan=False))
    else:
        _show(lines)
    _log(lines, code)


def _said(result: RunResult) -> list[str]:
    """What the run says, in rich markup: its summary, its errors and warnings, what it wrote."""
    from prodbook.core.findings import Severity

    out = [_escape(line) for outcome in result.outcomes for line in outcome.summary]
    for severity, style in ((Severity.ERROR, "red"), (Severity.WARNING, "yellow")):
        found = [f for f in result.findings if f.severity is severity]
        picked = _picked(found)
        for f in picked:
            value = f" (value: {text})" if (text := _value_text(f, result.date_format)) else ""
            place = f"{where}: " if (where := f.where_with_file) else ""  # the message names the file itself
            out.append(f"[{style}]{f.severity.upper()}[/] " + _escape(f"{place}{f.message}{value}"))
        if len(found) > len(picked):
            out.append(f"  ... and {len(found) - len(picked):,} more {severity}s: see the Issues sheet")
    if result.dry_run:
        would = f"{result.changes:,} value(s) would change" if result.changes or not result.sheets else \
            f"no value would change; {result.sheets_named()} would be brought up to date"
        out.append(f"Dry run: {would}; nothing was written.")
    elif result.commit and result.commit.side_copy_reason:
        out.append("[yellow]Your workbook was left as it was[/]: " + _escape(
            f"{result.commit.side_copy_reason}. The result is in '{result.commit.written}'."))
    elif result.commit and result.commit.written:
        out.append(_escape(f"Saved '{result.commit.written.name}' ({result.what_changed()}). "
                           f"Backup: '{result.commit.backup}'."))
    else:
        from prodbook.jobs.base import nothing_to_change  # a scorecard written beside: the tracker is unchanged

        note = _open_in_excel(result)
        out.append(_escape(nothing_to_change(result.file.name, result.outcomes)
                           + (f" Note: {note}" if note else "")))
    return out


def _value_text(f: Finding, date_format: str) -> str:
    """A finding's value on the terminal: a date in the workbook's Date Format ('10-May-27'), as its cells and its
    Issues sheet show it (--json keeps 2027-05-10, for scripts); a text the cell holds, on a row Accept acts on,
    as typed; anything else as ``findings.shown``."""
    from prodbook.core.findings import shown
    from prodbook.jobs.issues_job import accepted, day_text

    return day_text(f.value, date_format, text_too=not accepted(f)) or shown(f.value)


def _open_in_excel(result: RunResult) -> str | None:
    """A run with nothing to change writes nothing, so a workbook open in Excel stops nothing; said anyway (on
    the screen and in --json), for the APM who would otherwise edit in Excel, run again and only then be told to
    close it. None when the run changed something, or the workbook is not open."""
    if result.dry_run or (result.commit and (result.commit.side_copy_reason or result.commit.written)):
        return None
    from prodbook.workbook.filebook import open_in_excel
    from prodbook.workbook.safety import lock_files

    locks = lock_files(result.file)
    if not locks:
        return None
    return (f"{open_in_excel(result.file.name, locks[0])}; a run that has something to change will stop and ask "
            "you to close it first (or use the prodbook tab inside Excel).")


def _show(lines: Sequence[str]) -> None:
    console = _consoles()[0]
    for line in lines:
        console.print(line, markup=True)


def _log_to() -> tuple[Path, click.Context] | None:
    """The ``--log`` file given to this run, and the command's context (None: no log)."""
    ctx = click.get_current_context(silent=True)
    return ctx.meta.get(_LOG) if ctx is not None else None


def _log(lines: Sequence[str], exit_code: int) -> None:
    """With ``--log FILE``: the run's words added to FILE (plain text, this computer's line endings), under
    the time, the command and its exit status. A log that cannot be written is said on stderr and changes
    nothing else: the run is done."""
    given = _log_to()
    if given is None:
        return
    from rich.text import Text

    path, command = given
    files = [command.params["workbook"]] if command.params.get("workbook") else command.params.get("trackers", ())
    head = " ".join([f"--- {datetime.now():%Y-%m-%d %H:%M:%S}  prodbook {command.info_name}",
                     *(f"'{f}'" for f in files), f" (exit {exit_code})"])
    text = "\n".join([head, *(Text.from_markup(line).plain for line in lines)]) + "\n\n"
    try:
        with open(path, "a", encoding="utf-8") as f:
            f.write(text)
    except OSError as exc:
        _consoles()[1].print("[red]prodbook:[/] " + _escape(
            f"could not add to the log '{path}': {_log_problem(path, exc)}. The run itself is done as said "
            "above."), markup=True)


def _log_problem(path: Path, exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError) and not path.parent.is_dir():
        return f"its folder '{path.parent}' does not exist; create it, or give --log a file in a folder that does"
    if isinstance(exc, (PermissionError, IsADirectoryError)):
        return ("it cannot be written (read-only, a folder, or in a folder you cannot save in); give --log "
                "another file")
    return exc.strerror or str(exc)


def _strict(value: Any) -> Any:
    """JSON other programs can read: a blank number (NaN) or infinity becomes null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strict(v) for v in value]
    return value


def _as_dict(result: RunResult) -> dict[str, Any]:
    commit = result.commit
    return {
        "file": str(result.file), "action": result.action, "dry_run": result.dry_run,
        "written": str(commit.written) if commit and commit.written else None,
        "backup": str(commit.backup) if commit and commit.backup else None,
        "side_copy_reason": commit.side_copy_reason if commit else None,
        "changes": result.changes, "sheets_written": list(result.sheets), "exit_code": result.exit_code,
        "summary": [line for o in result.outcomes for line in o.summary],
        "data": {o.action: o.data for o in result.outcomes},
        "findings": [f.to_dict() for f in result.findings] + _open_note(result),
    }


def _open_note(result: RunResult) -> list[dict[str, Any]]:
    """The note of a run with nothing to change on a workbook open in Excel, as --json gives findings: an info
    finding coded as the dry run's (``workbook-not-writable``), naming the workbook."""
    from prodbook.core.findings import Code, info

    note = _open_in_excel(result)
    return [info(Code.NOT_WRITABLE, note, file=result.file.name).to_dict()] if note else []


def _run(workbook: str, jobs: Sequence[str], today: date | None, dry_run: bool, as_json: bool,
         title: str | None = None, **options: Any) -> None:
    ctx = _context(today, dry_run, steps=tuple(jobs), **options)
    with _progress(len(jobs) + 2, enabled=not as_json and sys.stderr.isatty()) as (step, progress):
        result = run(workbook, jobs, ctx, title=title, on_step=step, on_progress=progress)
    _print(result, as_json)
    sys.exit(result.exit_code)


@contextmanager
def _progress(steps: int, *, enabled: bool
              ) -> Iterator[tuple[Callable[[str], None], Callable[[str, int, int], None]]]:
    """Progress on stderr, drawn in place: the run's steps (read, each job, write) and, for a long sheet,
    how far its write and the check of the file written have come. Nothing when stderr is not a terminal
    (a scheduled run's log, the tests), so output there stays as it was."""
    if not enabled:
        yield (lambda _: None), (lambda *_: None)
        return
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    console = _consoles()[1]
    with Progress(TextColumn("{task.description:<36}"), BarColumn(), TaskProgressColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task("prodbook", total=steps)
        detail: list[Any] = []
        started = [False]

        def step(description: str) -> None:
            bar.update(task, description=description, advance=1 if started[0] else 0)
            started[0] = True

        def progress(what: str, done: int, total: int) -> None:
            if not detail:
                detail.append(bar.add_task(what, total=total))
            bar.update(detail[0], description=f"  {what}", completed=done, total=max(total, 1))

        yield step, progress
        bar.update(task, completed=steps)


class Group(click.Group):
    """Turns every problem into a plain message and exit status 2; loads the add-in commands when used."""

    LAZY = {"addin": ("prodbook.excel.addin", "addin_group",
                      "The Excel add-in: build, install, uninstall, list its buttons.")}
    """Subcommands imported only when run or asked for: name -> (module, attribute, short help)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.LAZY and name not in self.commands:
            module, attribute, _ = self.LAZY[name]
            self.add_command(getattr(import_module(module), attribute), name)
        return super().get_command(ctx, name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of --help, without importing the lazy commands for their one line."""
        names = [n for n in self.list_commands(ctx) if n in self.LAZY and n not in self.commands
                 or not self.commands[n].hidden]
        limit = formatter.width - 6 - max(map(len, names), default=0)  # click's own layout
        rows = [(n, self.LAZY[n][2] if n in self.LAZY and n not in self.commands
                 else self.commands[n].get_short_help_str(limit)) for n in names]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        from prodbook.jobs.memory import few_collections  # the command's imports and its run, collected less

        try:
            with few_collections():
                return super().invoke(ctx)
        except KeyboardInterrupt:
            _fail("stopped; the workbook was not changed")
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit):
            raise
        except Exception as exc:
            _fail(_plain(exc))


def _plain(exc: Exception) -> str:
    """The message for the APM: a refusal as it was worded, an OS problem in plain words, else a bug
    (written to the log file, named in the message)."""
    from prodbook.core.findings import UserError
    from prodbook.jobs.support import crash_log, unexpected
    from prodbook.workbook.safety import WorkbookLocked, os_error_message

    if isinstance(exc, UserError):
        return str(exc.finding.text())
    if isinstance(exc, WorkbookLocked):
        return str(exc)
    if isinstance(exc, OSError):  # a plain cause (read-only, disk full) writing a draft or report; else a bug
        return os_error_message(exc) or unexpected(crash_log(f"prodbook {' '.join(sys.argv[1:])}"))
    return unexpected(crash_log(f"prodbook {' '.join(sys.argv[1:])}"))


def _fail(message: str) -> None:
    line = "[red]prodbook:[/] " + _escape(message)
    _consoles()[1].print(line, markup=True)
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.meta.get(_JSON):  # a script reads stdout: the refusal as JSON too
        click.echo(json.dumps({"error": message, "exit_code": 2}, indent=2))
    _log([line], 2)
    sys.exit(2)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="prodbook")
def main() -> None:
    """prodbook: the production tracker's daily jobs, on the workbook file.

    Every command takes the tracker workbook (.xlsx or .xlsm). Close it in
    Excel first, or use the prodbook tab inside Excel instead.
    """
    for stream in (sys.stdout, sys.stderr):  # a Windows console or log file in cp1252: never crash on a name
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")


WORKBOOK = click.argument("workbook", type=FilePath(dir_okay=False, readable=False))
"""Not checked readable here: prodbook's own check says why a workbook cannot be opened and what to do (in use,
not downloaded by OneDrive, no right to read it), where click said only "File '...' is not readable"."""


FILES = click.argument("files", nargs=-1, type=FilePath(path_type=Path))


@main.command()
@WORKBOOK
@FILES
@common
def refresh(workbook: str, files: tuple[Path, ...], today: date | None, dry_run: bool, as_json: bool
            ) -> None:
    """The daily run: import the vendor WIP FILES given (files or folders), rebuild the T&A, check
    records, check exceptions, list follow-ups and write their e-mail drafts, write Issues."""
    _run(workbook, _refresh_jobs(), today, dry_run, as_json, title="Refresh", files=files)


@main.command()
@WORKBOOK
@click.argument("files", nargs=-1, metavar="FILES...", type=FilePath(path_type=Path))  # none: our refusal below
@common
def wip(workbook: str, files: tuple[Path, ...], today: date | None, dry_run: bool, as_json: bool) -> None:
    """Import vendor WIP reports (.xlsx / .csv files, e-mails saved as .msg / .eml, or folders of them) into
    the Vendor WIP sheet."""
    if not files:  # click's own 'Missing argument FILES...' names nothing an APM would know to give
        _fail(f"no vendor WIP report given, so nothing was imported and '{Path(workbook).name}' was not changed. "
              "After the workbook, give the vendors' WIP files (.xlsx, .xls, .csv), a folder of them, or the "
              f'e-mails they came with saved as .msg / .eml; for example: prodbook wip "{workbook}" '
              '"vendor files/WIP"')
    _run(workbook, ["wip"], today, dry_run, as_json, files=files)


@main.command()
@WORKBOOK
@common
def exceptions(workbook: str, today: date | None, dry_run: bool, as_json: bool) -> None:
    """Run the exception rules; the Exceptions sheet keeps IDs, owners, statuses and resolutions."""
    _run(workbook, ["exceptions"], today, dry_run, as_json)


@main.command()
@WORKBOOK
@click.option("--out", type=FilePath(file_okay=False, path_type=Path), default=None,
              help="Folder for the e-mail drafts (default: 'Follow-up drafts/DATE' beside the workbook).")
@common
def followups(workbook: str, out: Path | None, today: date | None, dry_run: bool, as_json: bool) -> None:
    """List what to chase per vendor (Follow-ups sheet) and write one e-mail draft (.eml) per vendor."""
    _run(workbook, ["followups"], today, dry_run, as_json, out=out)


class SinceType(TodayType):
    name = "YYYY-MM-DD[THH:MM]"

    def convert(self, value: Any, param: Any, ctx: Any) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            return datetime.fromisoformat(str(value))
        except ValueError:
            self.fail(f"'{value}' is not a date like 2027-03-15 (or 2027-03-15T09:30)", param, ctx)


@main.command()
@WORKBOOK
@click.option("--since", type=SinceType(), default=None,
              help="List what changed since this date (default: a week ago).")
@click.option("--out", type=FilePath(dir_okay=False, path_type=Path), default=None,
              help="The standalone report: an .xlsx workbook (default: 'Production Report DATE.xlsx' beside "
                   "the tracker) or, named .html, a web page for an e-mail or a browser.")
@common
def report(workbook: str, since: datetime | None, out: Path | None, today: date | None, dry_run: bool,
           as_json: bool) -> None:
    """The weekly production report: a sheet in the workbook and a standalone .xlsx with a chart."""
    _run(workbook, ["report"], today, dry_run, as_json, since=since, out=out)


@main.command()
@WORKBOOK
@click.option("--since", type=SinceType(), default=None,
              help="Score from this date (default: the season, everything in the tracker).")
@click.option("--out", type=FilePath(dir_okay=False, path_type=Path), default=None,
              help="The scorecard file: an .xlsx workbook (default: 'Vendor Scorecard DATE.xlsx' beside the "
                   "tracker) or, named .html, a web page.")
@common
def scorecard(workbook: str, since: datetime | None, out: Path | None, today: date | None, dry_run: bool,
              as_json: bool) -> None:
    """Vendor scorecards from the tracker's history: on-time delivery (FOB lines on ex-factory, DDP lines on
    arrival at the DC), lab dips, fit/PP samples, WIP report punctuality, exceptions per 100 PO lines, quantity
    accuracy; a chart per measure."""
    _run(workbook, ["scorecard"], today, dry_run, as_json, since=since, out=out)


@main.command()
@WORKBOOK
@common
def ta(workbook: str, today: date | None, dry_run: bool, as_json: bool) -> None:
    """(Re)build the T&A sheet from the templates and the orders, keeping Actual and Notes."""
    _run(workbook, ["ta"], today, dry_run, as_json)


@main.command()
@WORKBOOK
@click.argument("files", nargs=-1, type=FilePath(path_type=Path))
@click.option("--apply", "apply_", is_flag=True,
              help="First apply the Issues rows with Yes in Accept (each logged; undo reverts them).")
@common
def validate(workbook: str, files: tuple[Path, ...], apply_: bool, today: date | None, dry_run: bool,
             as_json: bool) -> None:
    """Check every record; the findings go to the Issues sheet.

    FILES: vendor style sheets or costing files (.xlsx/.csv with Style #, FOB, Fiber Content,
    COO...) to compare with the tracker.
    """
    jobs = ["apply", "validate"] if apply_ else ["validate"]
    _run(workbook, jobs, today, dry_run, as_json, title="Apply fixes" if apply_ else None, files=files)


@main.command()
@WORKBOOK
@common
def undo(workbook: str, today: date | None, dry_run: bool, as_json: bool) -> None:
    """Revert the last prodbook action, using the Change Log."""
    _run(workbook, ["undo"], today, dry_run, as_json)


@main.command()
@click.argument("trackers", nargs=-1, required=True, type=FilePath(path_type=Path))
@click.option("--db", "db", default=None, metavar="URL",
              help="The roll-up database: a DuckDB file (PATH.duckdb; default: prodbook-rollup.duckdb beside the "
                   "first tracker) or a team's PostgreSQL server (postgresql://user:password@server/database).")
@click.option("--out", type=FilePath(dir_okay=False, path_type=Path), default=None,
              help="The roll-up workbook (default: 'Season Roll-up DATE.xlsx' beside the first tracker).")
@common
def rollup(trackers: tuple[Path, ...], db: str | None, out: Path | None, today: date | None, dry_run: bool,
           as_json: bool) -> None:
    """The season across trackers: load each tracker (files or folders of them) into a database, then write
    the roll-up workbook: lines at risk, milestones due this week by owner, open exceptions by vendor.

    The trackers are only read. A tracker with a bad row is not loaded at all (its last good load stays);
    the others are. --dry-run reads the trackers and says what would be loaded, and writes nothing.
    """
    from prodbook.core.findings import Severity
    from prodbook.jobs.rollup_job import rollup as run_rollup

    result = run_rollup(trackers, _context(today, dry_run, out=out), db=db)
    if as_json:
        click.echo(json.dumps(_strict({"summary": result.summary, "data": result.data,
                                       "exit_code": result.exit_code,
                                       "findings": [f.to_dict() for f in result.findings]}),
                              indent=2, default=str, allow_nan=False))
    if as_json and not _log_to():
        sys.exit(result.exit_code)
    lines = [_escape(line) for line in result.summary]
    for f in result.findings[:SHOWN_PER_SEVERITY * 2]:
        style = "red" if f.severity is Severity.ERROR else "yellow"
        value = f" (value: {text})" if (text := _value_text(f, result.date_format(f))) else ""
        file = f"'{f.file}'" if f.file and f.file not in f.where else ""
        place = " ".join(p for p in (file, f.where) if p)
        lines.append(f"[{style}]{f.severity.upper()}[/] " + _escape(f"{place}: {f.message}{value}"))
    if not as_json:
        _show(lines)
    _log(lines, result.exit_code)
    sys.exit(result.exit_code)


DEMO_FOLDER = "demo"


@main.command()
@click.argument("folder", type=FilePath(file_okay=False), default=DEMO_FOLDER)
@click.option("--today", type=TodayType(), default=None, help="Build the demo season around this date.")
@click.option("--force", is_flag=True,
              help="If FOLDER holds a demo you changed, first move it to 'old demos' in FOLDER.")
@click.option("--json", "as_json", is_flag=True, help="Print the refresh's findings as JSON.")
def demo(folder: str, today: date | None, force: bool, as_json: bool) -> None:
    """Write the demo tracker (and vendor files) into FOLDER (default: demo) and run the daily refresh on it.

    A re-run replaces a demo nobody changed; a demo you changed is kept, and the command stops (exit 2)
    unless --force moves it aside first. Exit 0 once the demo is written and refreshed: the errors its
    refresh finds are planted there on purpose.
    """
    from prodbook.core.model.sheets import VENDOR_WIP
    from prodbook.demo.kids import KIDS
    from prodbook.demo.tracker import build_story, fill_functions, write_demo
    from prodbook.demo.vendor_files import wip_history, write_costing_file, write_vendor_files
    from prodbook.workbook import demo_folder

    console = _consoles()[0]
    day = today or date.today()
    target = Path(folder)
    if demo_folder.already_there(target, day):  # the same day's demo, untouched: nothing new to write
        if not as_json:
            console.print(f"'{target / demo_folder.WORKBOOK}' is already the demo of {day:%d %b %Y}, unchanged. "
                          "Nothing to change.")
        else:
            click.echo(json.dumps({"file": str(target / demo_folder.WORKBOOK), "written": None, "changes": 0,
                                   "exit_code": 0}))
        sys.exit(0)
    try:
        prepared = demo_folder.prepare(target, force=force, now=datetime.now())
    except demo_folder.DemoFolderInUse as exc:
        _fail(str(exc))
        return
    story = build_story(day)
    story = replace(story, records={**story.records, VENDOR_WIP.name: wip_history(story)})
    path = write_demo(target, day, story)
    wip = write_vendor_files(target / "vendor files" / "WIP", story)
    costing = write_costing_file(target / "vendor files", path, day)
    kids_story = build_story(day, KIDS)
    kids = write_demo(target, day, kids_story, KIDS)
    kids_wip = write_vendor_files(target / "vendor files" / "WIP Kids", kids_story)
    if not as_json:
        if prepared.moved_to:
            console.print(f"Moved the previous demo to '{prepared.moved_to}'.")
        elif prepared.removed:
            console.print(f"Replaced the previous demo in '{target}' (nobody had changed it).")
        console.print(f"Wrote the demo tracker '{path}', {len(wip)} vendor WIP reports and a vendor "
                      "costing sheet. Running the daily refresh...")
    result = run(path, _refresh_jobs(), _context(day, False, files=(*wip, costing), steps=tuple(_refresh_jobs())),
                 title="Refresh")
    if result.commit and result.commit.written == path:
        fill_functions(path, story)
    # the kids division's tracker: its own refresh, quietly (the main tracker's run is the one shown); no
    # follow-ups, whose drafts would take the main tracker's draft names in the same folder
    kids_jobs = [j for j in _refresh_jobs() if j != "followups"]
    kids_result = run(kids, kids_jobs, _context(day, False, files=tuple(kids_wip), steps=tuple(kids_jobs)),
                      title="Refresh")
    demo_folder.record(target, day)
    _print(result, as_json, exit_code=0)  # the demo's job is done; its refresh's error findings are planted
    if not as_json:
        console.print(f"Open '{path}' in Excel: it opens on the T&A sheet; then see Issues, Exceptions, "
                      "Follow-ups and Functions.")
        console.print(f"A second tracker, '{kids}' (the kids division, {len(kids_story.lines)} PO lines, "
                      f"{len(kids_result.findings)} finding(s)), is there for the season roll-up: "
                      f"prodbook rollup \"{target}\"")
    sys.exit(0)


def entry() -> None:
    """The `prodbook` command as its own process (the console script, ``python -m prodbook.cli``), whose
    settings are the process's own; tests and the add-in call ``main``, whose Python lives on.

    - numpy with one OpenBLAS thread: it starts a thread per core as numpy is imported, and they spin
      before they sleep (0.1-0.16 s of CPU a run on two cores, benchmarks/RESULTS.md), for linear algebra
      prodbook never does. Set before a command imports numpy; the user's own setting wins.
    - an exit without Python's last walks of every object for cycles (0.17-0.20 s of CPU a run). Objects
      are still freed as the interpreter ends; the jobs close their files and databases before this.
    """
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    atexit.register(_no_last_collections)
    main()


def _no_last_collections() -> None:
    gc.freeze()  # every object to the permanent generation, which the collections at exit pass over
    gc.disable()


if __name__ == "__main__":
    entry()
