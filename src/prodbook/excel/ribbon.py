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

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from prodbook.jobs import runner
from prodbook.support import crash_log, unexpected

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
    from prodbook.core.model.sheets import CONFIG

    names = [s.name for s in book.sheets]
    where = ""
    if CONFIG.name in names:
        book.sheets[CONFIG.name].activate()
        where = f"The {CONFIG.name} sheet is open: one setting per row (Setting, Value).\n"
    else:
        where = (f"Add a sheet named {CONFIG.name} with the headers Setting and Value to change "
                 "settings.\n")
    return (where + "Settings: " + "; ".join(SETTING_NAMES) + ".\n"
            f"Help: {HELP}.")


ACTIONS: tuple[Action, ...] = (
    Action("pbRefresh", "Refresh all", "Refresh", "grpDaily",
           "The daily run: check every record, rebuild the T&A, list what needs attention.",
           jobs=runner.REFRESH, cli="prodbook refresh"),
    Action("pbRebuildTA", "Rebuild T&A", "CalendarMonthDetailsView", "grpDaily",
           "Plan, forecast and status every milestone of every PO line; keeps your Actual dates "
           "and Notes.", jobs=("ta",), cli="prodbook ta"),
    Action("pbCheck", "Check records", "AcceptInvitation", "grpDaily",
           "Check style profiles and records; the problems go to the Issues sheet.",
           jobs=("validate",), cli="prodbook validate"),
    Action("pbImportWip", "Import vendor WIP...", "ImportExcel", "grpVendors",
           "Choose vendor WIP reports; they are read into the Vendor WIP sheet.",
           jobs=("wip",), asks_for_files=True, cli="prodbook wip"),
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
           "Score every vendor on the season so far: on-time ex-factory, lab dips, samples, WIP reports, "
           "exceptions, quantities; a workbook with a chart per measure and the rows behind each figure.",
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
    """A RunResult as a message box text: the summary lines, then the first errors."""
    from prodbook.core.findings import Severity

    lines = [line for o in result.outcomes for line in o.summary]
    errors = [f for f in result.findings if f.severity is Severity.ERROR]
    warnings = [f for f in result.findings if f.severity is Severity.WARNING]
    for f in errors[:limit]:
        lines.append(f"ERROR {f.where}: {f.message}")
    if len(errors) > limit:
        lines.append(f"... and {len(errors) - limit} more errors: see the Issues sheet.")
    if warnings:
        lines.append(f"{len(warnings)} warning(s): see the Issues sheet.")
    lines.append(f"{result.changes:,} value(s) changed, logged as '{result.action}' in the Change Log."
                 if result.changes else "Nothing to change.")
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
        title = "Refresh" if act.jobs == runner.REFRESH and len(act.jobs) > 1 else None
        result = runner.run(getattr(backend, "path", None) or backend.name, act.jobs, _context(files),
                            title=title, on_step=getattr(backend, "status", None), backend=backend)
        return Report(act.label, summary_text(result), result.exit_code == 0)
    except UserError as exc:
        return Report(act.label, exc.finding.text(), False)
    except WorkbookLocked as exc:
        return Report(act.label, str(exc), False)
    except Exception:
        return Report(act.label, unexpected(crash_log(f"ribbon button {act.id}")), False)


def _ask_files(book: Any) -> list[str]:
    """Excel's own Open dialog, several files allowed; empty when cancelled."""
    app = book.app
    try:
        chosen = app.api.GetOpenFilename("Vendor reports (*.xlsx;*.xlsm;*.xls;*.csv),"
                                         "*.xlsx;*.xlsm;*.xls;*.csv", 1, "Choose vendor WIP reports",
                                         None, True)
    except Exception:  # macOS: AppleScript dialog through xlwings is not available here
        return []
    if chosen in (False, None):
        return []
    return [str(f) for f in (chosen if isinstance(chosen, (list, tuple)) else [chosen])]


def run(action_id: str) -> None:
    """Entry point for the VBA callback: run the pressed button's action on the active workbook."""
    import xlwings as xw

    book = xw.Book.caller()
    try:
        act = action(action_id)
    except KeyError:
        book.app.alert(f"Unknown prodbook button '{action_id}'. Rebuild the add-in "
                       "(prodbook addin install).", title="prodbook")
        return
    files: list[str] = []
    if act.asks_for_files:
        files = _ask_files(book)
        if not files:
            book.app.status_bar = False
            return
    book.app.status_bar = f"prodbook: {act.label}..."
    report = perform(act, book, files=files)
    book.app.status_bar = False
    book.app.alert(report.message, title=f"prodbook: {report.title}")


__all__ = ["ACTIONS", "CALLBACK", "CUSTOMUI_NS", "CUSTOMUI_REL", "GROUPS", "Action", "Group", "Report",
           "action", "available_actions", "perform", "ribbon_xml", "run"]
