"""The ribbon's actions: one registry for the ribbon XML, the VBA callback and the CLI.

``ACTIONS`` lists every button of the prodbook tab. The add-in build turns it
into ``customUI14.xml``; every button calls the one VBA callback
``ProdbookAction``, which passes the button's id to ``run`` here. Adding a
button is one line in ``ACTIONS``.

An action whose job is not in ``prodbook.jobs.runner.JOBS`` (a job another
part of prodbook has not shipped yet) is left out of the ribbon: a button
that can only say "not available" helps no one. ``run`` of such an id says
so in a message box.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from prodbook.core.model.sheets import CLOSURES, CONFIG, TA, VENDORS
from prodbook.jobs import runner, wip_job
from prodbook.jobs.support import crash_log, unexpected
from prodbook.workbook import outlook
from prodbook.workbook.tracker import Tracker
from prodbook.workbook.vendor_files import name_order

CUSTOMUI_NS = "http://schemas.microsoft.com/office/2009/07/customui"
"""customUI14.xml (Office 2010 and later); its package relationship is the 2007 one below."""
CUSTOMUI_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
CALLBACK = "ProdbookAction"
"""The VBA Sub every button calls, with the pressed control as its argument."""
TAB_ID = "prodbookTab"
HELP = "the user guide: README.md, section 'Using prodbook inside Excel'"


@dataclass(frozen=True)
class Group:
    id: str
    label: str


GROUPS: tuple[Group, ...] = (
    Group("grpDaily", "Daily"),
    Group("grpVendors", "Vendors"),
    Group("grpReport", "Report"),
    Group("grpProdbook", "prodbook"),
)


@dataclass(frozen=True)
class Action:
    """A ribbon button.

    Attributes:
        id: The control id; what VBA passes to ``run`` (letters and digits only).
        label: The button's text.
        image: A built-in Office icon (imageMso).
        group: ``Group.id`` it sits in.
        screentip: The tooltip: what the button does, for the APM.
        jobs: Names in ``runner.JOBS`` run in order, as the CLI does.
        call: Instead of jobs, a Python function of the open workbook (xlwings Book) that
            returns the message to show.
        asks_for_files: Ask the APM for files (vendor reports) before running.
        cli: The equivalent ``prodbook`` command, for the screentip and the docs.
    """

    id: str
    label: str
    image: str
    group: str
    screentip: str
    jobs: tuple[str, ...] = ()
    call: Callable[[Any], str] | None = None
    asks_for_files: bool = False
    cli: str = ""

    @property
    def available(self) -> bool:
        """Every job it runs exists in this version of prodbook."""
        return self.call is not None or (bool(self.jobs) and all(j in runner.JOBS for j in self.jobs))


def _settings(book: Any) -> str:
    """Settings/Help: open the Config sheet when the tracker has one, and say where help is."""
    from prodbook.core.config import SETTING_NAMES

    names = [s.name for s in book.sheets]
    where = ""
    if CONFIG.name in names:
        book.sheets[CONFIG.name].activate()
        where = f"The {CONFIG.name} sheet is open: one setting per row (Setting, Value).\n"
    else:
        where = (f"Add a sheet named {CONFIG.name} with the headers Setting and Value to change "
                 "settings.\n")
    return (where + "Settings: " + "; ".join((*SETTING_NAMES, WIP_FOLDER)) + ".\n"
            f"Help: {HELP}.")


OUTLOOK_FOLDER, OUTLOOK_DAYS, DEFAULT_OUTLOOK_DAYS = "WIP Outlook Folder", "WIP Outlook Days", 7
"""Config settings of the Outlook import: the folder ('Inbox/WIP'), and how many days back it reads."""
NO_OUTLOOK = ("Import from Outlook needs Microsoft Outlook on Windows. Save the vendors' messages (.msg or "
              ".eml, attachments and all) to a folder, then choose them with 'Import vendor WIP...', or run: "
              'prodbook wip tracker.xlsx "WIP inbox"')


def _outlook_days(value: object) -> int | None:
    if value in (None, ""):
        return DEFAULT_OUTLOOK_DAYS
    try:
        days = int(float(str(value)))
    except ValueError:
        return None
    return days if days >= 0 else None


def import_from_outlook(book: Any, *, namespace_factory: Callable[[], Any] | None = None,
                        backend_factory: Callable[[Any], Any] | None = None, today: date | None = None) -> str:
    """Import from Outlook...: copy the messages of the Config sheet's Outlook folder into a temporary
    folder, import them as saved messages (``Import vendor WIP``), remove the copies. The message to show."""
    namespace = (namespace_factory or outlook.outlook_namespace)()
    if namespace is None:
        return NO_OUTLOOK
    if backend_factory is None:
        from prodbook.workbook.xlbook import XlBook
        backend_factory = XlBook
    config = Tracker(backend_factory(book)).config
    folder = config.get(OUTLOOK_FOLDER)
    if not folder:
        return (f"Name the Outlook folder the vendors' WIP messages are in: on the Config sheet, set "
                f"'{OUTLOOK_FOLDER}' (for example Inbox/WIP), and '{OUTLOOK_DAYS}' for how many days back "
                f"to read (default {DEFAULT_OUTLOOK_DAYS}). Then press Import from Outlook again.")
    days = _outlook_days(config.get(OUTLOOK_DAYS))
    if days is None:
        return (f"'{OUTLOOK_DAYS}' on the Config sheet is '{config.get(OUTLOOK_DAYS)}'; type a number of days "
                f"(for example {DEFAULT_OUTLOOK_DAYS}).")
    since = datetime.combine((today or date.today()) - timedelta(days=days), time())
    with tempfile.TemporaryDirectory(prefix="prodbook-outlook-", ignore_cleanup_errors=True) as tmp:
        try:
            fetched = outlook.save_wip_messages(namespace, str(folder), since, Path(tmp), config.limits)
        except outlook.OutlookFolderError as exc:
            text = str(exc)
            return text[:1].upper() + text[1:] + "."
        lines = [f"Outlook folder '{fetched.folder}': {len(fetched.files)} message(s) received since "
                 f"{since:%Y-%m-%d}."] + [f"Not read: {n}." for n in fetched.notes]
        if not fetched.files:
            return "\n".join([*lines, "Nothing to import."])
        report = perform(action("pbImportWip"), book, files=[tmp], backend_factory=backend_factory)
    return "\n".join([*lines, report.message])


ACTIONS: tuple[Action, ...] = (
    Action("pbRefresh", "Refresh all", "Refresh", "grpDaily",
           "The daily run: rebuild the T&A, check every record, list what needs attention.",
           jobs=runner.REFRESH, cli="prodbook refresh"),
    Action("pbRebuildTA", "Rebuild T&A", "CalendarMonthDetailsView", "grpDaily",
           "Plan, forecast and status every milestone of every PO line; keeps your Actual dates "
           "and Notes.", jobs=("ta",), cli="prodbook ta"),
    Action("pbCheck", "Check records", "AcceptInvitation", "grpDaily",
           "Check style profiles and records; the problems go to the Issues sheet.",
           jobs=("validate",), cli="prodbook validate"),
    Action("pbApplyFixes", "Apply fixes", "ReviewAcceptChange", "grpDaily",
           "Write into your sheets the Issues rows you marked Yes in Accept (the Proposed Value), then check "
           "the records again.", jobs=("apply", "validate"), cli="prodbook validate --apply"),
    Action("pbImportWip", "Import vendor WIP...", "ImportExcel", "grpVendors",
           "Choose vendor WIP reports or saved e-mails (.msg, .eml); they are read into the Vendor WIP sheet.",
           jobs=("wip",), asks_for_files=True, cli="prodbook wip"),
    Action("pbImportOutlook", "Import from Outlook...", "ImportOutlook", "grpVendors",
           f"Import the WIP reports attached to the messages in the Outlook folder named on the Config sheet "
           f"('{OUTLOOK_FOLDER}', the last '{OUTLOOK_DAYS}' days). Outlook on Windows.",
           call=import_from_outlook),
    Action("pbExceptions", "Exceptions", "HighImportance", "grpVendors",
           "Run the exception rules on orders, WIP and shipping; results on the Exceptions sheet.",
           jobs=("exceptions",), cli="prodbook exceptions"),
    Action("pbFollowups", "Follow-up drafts", "NewMailMessage", "grpVendors",
           "List what to chase per vendor and draft the e-mails (Outlook drafts on Windows).",
           jobs=("followups",), cli="prodbook followups"),
    Action("pbReport", "Production report", "FileSaveAsPdfOrXps", "grpReport",
           "Write the production report: key dates and what changed since last week.",
           jobs=("report",), cli="prodbook report"),
    Action("pbScorecard", "Vendor scorecard", "ChartInsert", "grpReport",
           "Score every vendor on the season so far: on-time delivery (FOB on ex-factory, DDP on arrival at the "
           "DC), lab dips, samples, WIP reports, exceptions, quantities; a workbook with a chart per measure and the "
           "rows behind each figure.",
           jobs=("scorecard",), cli="prodbook scorecard"),
    Action("pbUndo", "Undo last", "Undo", "grpProdbook",
           "Revert the last prodbook action, from the Change Log. Your own later edits are kept.",
           jobs=("undo",), cli="prodbook undo"),
    Action("pbSettings", "Settings / Help", "AddInManager", "grpProdbook",
           "Open the Config sheet and see where the user guide is.", call=_settings),
)


def available_actions(actions: Sequence[Action] = ACTIONS) -> tuple[Action, ...]:
    """The actions the built ribbon shows: those whose jobs exist."""
    return tuple(a for a in actions if a.available)


def action(action_id: str) -> Action:
    for a in ACTIONS:
        if a.id == action_id:
            return a
    raise KeyError(action_id)


# --- the ribbon XML -----------------------------------------------------------------------


def ribbon_xml(actions: Sequence[Action] | None = None, groups: Sequence[Group] = GROUPS) -> str:
    """customUI14.xml for ``actions`` (default: the available ones), grouped, in registry order."""
    shown = available_actions() if actions is None else tuple(actions)
    lines = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
             f'<customUI xmlns="{CUSTOMUI_NS}">',
             "  <ribbon>", "    <tabs>",
             f'      <tab id="{TAB_ID}" label="prodbook" insertAfterMso="TabHome">']
    for g in groups:
        members = [a for a in shown if a.group == g.id]
        if not members:
            continue
        lines.append(f"        <group id={quoteattr(g.id)} label={quoteattr(g.label)}>")
        for a in members:
            tip = a.screentip + (f" (Same as: {a.cli})" if a.cli else "")
            # Office reads one "&" in a label as a keytip marker; "&&" shows an ampersand.
            label = quoteattr(a.label.replace("&", "&&"))
            lines.append(f"          <button id={quoteattr(a.id)} label={label} "
                         f'size="large" imageMso={quoteattr(a.image)} '
                         f"screentip={label} supertip={quoteattr(tip)} "
                         f'onAction="{CALLBACK}"/>')
        lines.append("        </group>")
    lines += ["      </tab>", "    </tabs>", "  </ribbon>", "</customUI>", ""]
    return "\n".join(lines)


# --- running an action from Excel ---------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """What the APM is told after an action."""

    title: str
    message: str
    ok: bool


def _context(files: Sequence[str]) -> Any:
    from prodbook.jobs.base import Context

    return Context(today=date.today(), files=tuple(Path(f) for f in files), outlook=True)


def summary_text(result: Any, limit: int = 8) -> str:
    """A RunResult as a message box text: the summary lines, then the first errors, and in full the warnings
    found once the workbook was written (``AFTER_THE_WRITE``: the Issues sheet does not hold them)."""
    from prodbook.core.findings import AFTER_THE_WRITE, Severity

    lines = [line for o in result.outcomes for line in o.summary]
    errors = [f for f in result.findings if f.severity is Severity.ERROR]
    warnings = [f for f in result.findings if f.severity is Severity.WARNING]
    for f in errors[:limit]:
        lines.append(f"ERROR {f.where}: {f.message}")
    if len(errors) > limit:
        lines.append(f"... and {len(errors) - limit} more errors: see the Issues sheet.")
    told = [f for f in warnings if f.code in AFTER_THE_WRITE]
    for f in told[:limit]:
        lines.append(f"WARNING {f.where}: {f.message}")
    if len(warnings) > len(told):
        lines.append(f"{len(warnings) - len(told)} warning(s): see the Issues sheet.")
    if result.changes:
        lines.append(f"{result.what_changed()} in the Change Log.")
    elif result.sheets:
        said = result.what_changed()
        lines.append(said[0].upper() + said[1:] + ".")
    else:
        from prodbook.jobs.base import nothing_to_change

        lines.append(nothing_to_change(result.file.name, result.outcomes))
    return "\n".join(lines)


def perform(act: Action, book: Any, *, files: Sequence[str] = (),
            backend_factory: Callable[[Any], Any] | None = None) -> Report:
    """Run one action on an open workbook; every outcome becomes a Report, never an exception.

    Args:
        act: The action.
        book: The workbook (an xlwings Book in Excel; anything ``backend_factory`` takes in tests).
        files: Files the APM chose, for actions that ask for them.
        backend_factory: Makes the workbook back end from ``book`` (default: the live one).
    """
    from prodbook.core.findings import UserError
    from prodbook.workbook.safety import WorkbookLocked

    try:
        if not act.available:
            return Report(act.label, f"'{act.label}' is not available in this version of prodbook.", False)
        if act.call is not None:
            return Report(act.label, act.call(book), True)
        if backend_factory is None:
            from prodbook.workbook.xlbook import XlBook
            backend_factory = XlBook
        backend = backend_factory(book)
        title = "Refresh" if act.jobs == runner.REFRESH and len(act.jobs) > 1 else (
            act.label if len(act.jobs) > 1 else None)  # 'Apply fixes' in the Change Log, as the command logs it
        try:
            ctx = replace(_context(files), steps=tuple(act.jobs))  # a step's advice names what this run does next
            result = runner.run(getattr(backend, "path", None) or backend.name, act.jobs, ctx,
                                title=title, on_step=getattr(backend, "status", None), backend=backend)
        finally:  # the sheets may have changed: the spreadsheet functions read them afresh
            from prodbook.excel import formulas
            formulas.clear_cache()
        if _read_by_functions(backend, result.sheets):
            recalculate(book)
        return Report(act.label, summary_text(result), result.exit_code == 0)
    except UserError as exc:
        return Report(act.label, exc.finding.text(), False)
    except WorkbookLocked as exc:
        return Report(act.label, str(exc), False)
    except Exception:
        return Report(act.label, unexpected(crash_log(f"ribbon button {act.id}")), False)


def _read_by_functions(backend: Any, written: Sequence[str]) -> bool:
    """The run wrote a sheet the spreadsheet functions read besides their arguments: Vendors, Closures,
    Config or T&A, by the names the Config sheet gives them (unsure: yes)."""
    if not written:
        return False
    try:
        tracker = Tracker(backend)
        read = {tracker.sheet(s).strip().casefold() for s in (VENDORS, CLOSURES, CONFIG, TA)}
    except Exception:
        return True
    return any(s.strip().casefold() in read for s in written)


def recalculate(book: Any) -> bool:
    """Excel recalculates every formula of the open workbooks, as Ctrl+Alt+F9 does, after a button wrote one.

    The spreadsheet functions read the Vendors, Closures, Config and T&A sheets, which are not their
    arguments: Excel does not know a button's write touched what they give, and would keep the dates it
    had. Not in Manual calculation (the APM chose when Excel calculates: F9 / Ctrl+Alt+F9 then), nor on a
    Mac (no functions there; appscript has no ``CalculateFull``). Returns whether Excel was asked.
    """
    try:
        if str(book.app.calculation).lower() == "manual" or not _uses_functions(book):
            return False
        book.app.api.CalculateFull()
        return True
    except Exception:  # a Mac, or an Excel too busy: the buttons' work stands; Ctrl+Alt+F9 does the same
        return False


FUNCTION_PREFIXES = ("TA_", "FACTORY_")
"""How every spreadsheet function of prodbook's begins (``udfs``): a workbook with no formula holding one has
nothing of prodbook's to recalculate, and a full recalculation of a large tracker's own formulas would only
cost the APM time."""


def _uses_functions(book: Any) -> bool:
    """Does a formula of the workbook name one of prodbook's functions? Excel's own Find over each sheet's used
    range (formulas, part of the text: fast, no cell read into Python); a sheet Excel will not search: yes."""
    for sheet in book.sheets:
        for prefix in FUNCTION_PREFIXES:
            try:
                if sheet.api.UsedRange.Find(What=prefix, LookIn=_XL_FORMULAS, LookAt=_XL_PART) is not None:
                    return True
            except Exception:  # unsure: recalculate, as Ctrl+Alt+F9 would
                return True
    return False


_XL_FORMULAS, _XL_PART = -4123, 2
"""Excel's ``xlFormulas`` (look in the formulas, not the values shown) and ``xlPart`` (part of the cell)."""


# --- asking for vendor files: Windows dialog, Mac dialog, Config-sheet folder --------------

VENDOR_EXTENSIONS = wip_job.INPUT_SUFFIXES
"""Vendor reports, and e-mails saved with them attached (the WIP import reads their attachments): what
`prodbook wip` reads from a folder, so the button and the command take the same files."""
_PATTERNS = ";".join(f"*{e}" for e in VENDOR_EXTENSIONS)
"""The Open dialog's filter: *.xlsx;*.xlsm;..."""
WIP_FOLDER = "WIP Folder"
"""Config-sheet setting: a folder whose vendor files are imported when no dialog can be shown."""
PROMPT = "Choose vendor WIP reports"
MAC_SCRIPT = ('set chosen to choose file with prompt "' + PROMPT + '" with multiple selections allowed\n'
              'set out to ""\n'
              "repeat with f in chosen\n"
              "    set out to out & POSIX path of f & linefeed\n"
              "end repeat\n"
              "return out")
"""AppleScript for osascript, the second way on the Mac (the first is the same dialog inside Excel)."""


@dataclass(frozen=True)
class Asked:
    """What a file dialog gave: files, or why none (``cancelled`` or ``unavailable`` + the reason)."""

    files: tuple[str, ...] = ()
    status: str = "chosen"
    reason: str = ""


def is_cancel(exc: BaseException) -> bool:
    """AppleScript's "User canceled" (error -128), as appscript raises it."""
    return getattr(exc, "errornumber", None) == -128 or "-128" in str(exc)


def mac_paths(chosen: Any) -> tuple[str, ...]:
    """POSIX paths from ``choose file``'s result: one alias or a list of them (``.path``), or text."""
    items = chosen if isinstance(chosen, (list, tuple)) else [chosen]
    return tuple(str(getattr(i, "path", i)) for i in items if i)


def parse_osascript(returncode: int, stdout: str, stderr: str) -> Asked:
    """osascript's answer to MAC_SCRIPT: one POSIX path a line; -128 is a cancel."""
    if returncode == 0:
        files = tuple(line.strip() for line in stdout.splitlines() if line.strip())
        return Asked(files) if files else Asked(status="cancelled")
    if "-128" in stderr:
        return Asked(status="cancelled")
    return Asked(status="unavailable", reason=stderr.strip() or f"osascript exit status {returncode}")


def _folder(folder: str | Path) -> Path | None:
    """``folder`` as a folder this computer can open, else None: '~apm/WIP' naming no user of this Mac, a
    share the APM may not list, raised where it should be said."""
    try:
        d = Path(folder).expanduser()
        return d if d.is_dir() else None
    except (OSError, RuntimeError):
        return None


def folder_files(folder: str | Path) -> tuple[str, ...]:
    """The vendor files directly in ``folder``, by name; Excel's ~$ lock files and hidden files skipped."""
    d = _folder(folder)
    if d is None:
        return ()
    try:
        found = sorted(d.iterdir(), key=name_order)
    except OSError:  # listed as a folder, but not readable by this user
        return ()
    return tuple(str(p) for p in found if wip_job.in_folder(p))


def config_value(rows: Sequence[Sequence[Any]], name: str) -> str:
    """A setting from the Config sheet's cells (Setting, Value rows); blank when absent."""
    for row in rows or ():
        if len(row) >= 2 and str(row[0] or "").strip().lower() == name.lower():
            return "" if row[1] is None else str(row[1]).strip()
    return ""


def choose_files(asked: Asked, folder: str = "") -> tuple[tuple[str, ...], str]:
    """(files to import, message); the message says why nothing is imported, never silence.

    A dialog that could not be shown falls back to the Config sheet's
    WIP Folder; a cancelled dialog imports nothing and says so.
    """
    if asked.files:
        return asked.files, ""
    if asked.status == "cancelled":
        return (), "No file chosen: nothing was imported."
    if folder:
        files = folder_files(folder)
        if files:
            return files, ""
        if _folder(folder) is None:
            return (), (f"The {WIP_FOLDER} on the Config sheet, '{folder}', is not a folder this computer "
                        "can open. Correct it on the Config sheet, then press the button again.")
        return (), (f"The {WIP_FOLDER} on the Config sheet, '{folder}', has no vendor files "
                    f"({', '.join(VENDOR_EXTENSIONS)}). Put the reports there, then press the button again.")
    why = f" ({asked.reason})" if asked.reason else ""
    return (), (f"prodbook could not show a file dialog here{why}. Add the setting '{WIP_FOLDER}' to the "
                "Config sheet with the folder that holds the vendor reports, then press the button again; "
                "or run  prodbook wip WORKBOOK FILES...  in a terminal.")


def _ask_windows(book: Any) -> Asked:
    """Excel's own Open dialog, several files allowed."""
    try:
        chosen = book.app.api.GetOpenFilename(f"Vendor reports and saved e-mails ({_PATTERNS}),{_PATTERNS}", 1,
                                              PROMPT, None, True)
    except Exception as exc:
        return Asked(status="unavailable", reason=str(exc))
    if chosen in (False, None):
        return Asked(status="cancelled")
    return Asked(tuple(str(f) for f in (chosen if isinstance(chosen, (list, tuple)) else [chosen])))


def _ask_mac(book: Any) -> Asked:
    """``choose file`` inside Excel (xlwings' own way to show an alert on the Mac), else through osascript."""
    try:
        import osax  # appscript's StandardAdditions: installed with xlwings on the Mac

        sa = osax.OSAX(pid=book.app.pid)
        sa.activate()
        return Asked(mac_paths(sa.choose_file(with_prompt=PROMPT, multiple_selections_allowed=True)))
    except Exception as exc:
        if is_cancel(exc):
            return Asked(status="cancelled")
    try:
        done = subprocess.run(["osascript", "-e", MAC_SCRIPT], capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.SubprocessError) as exc:
        return Asked(status="unavailable", reason=str(exc))
    return parse_osascript(done.returncode, done.stdout, done.stderr)


def _config_rows(book: Any) -> list[list[Any]]:
    try:
        sheet = book.sheets[CONFIG.name]
        last = sheet.used_range.last_cell
        return sheet.range((1, 1), (last.row, max(last.column, 2))).options(ndim=2).value or []
    except Exception:  # no Config sheet, or one Excel cannot read: the dialog's message says what to do
        return []


def ask_files(book: Any, platform: str | None = None) -> tuple[tuple[str, ...], str]:
    """The vendor files to import and, when there are none, what to tell the APM."""
    asked = _ask_mac(book) if (platform or sys.platform) == "darwin" else _ask_windows(book)
    folder = config_value(_config_rows(book), WIP_FOLDER) if not asked.files else ""
    return choose_files(asked, folder)


def _tell(book: Any, report: Report, report_to: str | None) -> None:
    """A message box, or (the Windows smoke test) the report as JSON in a file, so nothing waits for a click."""
    try:
        book.app.status_bar = False
    except Exception:  # an Excel too busy to take it: the message still goes out (VBA clears the bar after)
        pass
    if report_to:
        Path(report_to).write_text(json.dumps(asdict(report)), encoding="utf-8")
    else:
        book.app.alert(report.message, title=f"prodbook: {report.title}")


def run(action_id: str, report_to: str | None = None, files: Sequence[str] = ()) -> None:
    """Entry point for the VBA callback: run the pressed button's action on the active workbook.

    Args:
        action_id: The pressed button's id.
        report_to: Write the report to this JSON file instead of showing it (addin/smoke_test.py).
        files: The files for an action that asks for them, instead of asking (addin/smoke_test.py).
    """
    import xlwings as xw

    book = xw.Book.caller()
    try:
        _run(book, action_id, report_to, files)
    except Exception:  # never a traceback: xlwings would show it to the APM in an 'Error' box
        _tell(book, Report("prodbook", unexpected(crash_log(f"ribbon button {action_id}")), False), report_to)


def _run(book: Any, action_id: str, report_to: str | None, files: Sequence[str]) -> None:
    """``run``'s work: ask for files if the button does, run it, tell the APM what it did."""
    try:
        act = action(action_id)
    except KeyError:
        _tell(book, Report("prodbook", f"Unknown prodbook button '{action_id}'. Rebuild the add-in "
                           "(prodbook addin install).", False), report_to)
        return
    chosen = tuple(str(f) for f in files)
    if act.asks_for_files and not chosen:
        chosen, why = ask_files(book)
        if not chosen:
            _tell(book, Report(act.label, why, False), report_to)
            return
    book.app.status_bar = f"prodbook: {act.label}..."
    _tell(book, perform(act, book, files=chosen), report_to)


__all__ = ["ACTIONS", "CALLBACK", "CUSTOMUI_NS", "CUSTOMUI_REL", "GROUPS", "WIP_FOLDER", "Action", "Asked", "Group",
           "Report", "action", "ask_files", "available_actions", "choose_files", "config_value", "folder_files",
           "import_from_outlook", "mac_paths", "parse_osascript", "perform", "recalculate", "ribbon_xml", "run"]
