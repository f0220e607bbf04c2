r"""Windows smoke test of prodbook.xlam in real Excel: run by hand on a PC with Excel.

    python addin\smoke_test.py               from the repository root, in prodbook's Python
    python addin\smoke_test.py --list        print the checks it would run (works anywhere)

Needs: Windows, desktop Excel, prodbook installed in this Python (with xlwings
and pywin32), and, for the compile check only, Excel's File > Options > Trust
Center > Trust Center Settings > Macro Settings > "Trust access to the VBA
project object model" (without it that check is SKIP, not PASS).

What it does, one line per check, then a summary (exit status 1 on a FAIL):

1. builds prodbook.xlam for this Python into a temporary folder (not XLSTART:
   your own Excel setup is not touched) and opens it in a new Excel instance,
   which runs its Workbook_Open;
2. compiles the VBA project: the VBE's "Compile VBAProject" command
   (CommandBars control id 578); it is greyed out afterwards only if every
   module compiled. A compile error shows Excel's own message box: note it,
   close it, and the check FAILs;
3. asks the add-in whether it is set up (ProdbookNotInstalled is empty) and
   registers the function-wizard help (ProdbookRegisterHelp returns how many
   functions Excel accepted: all of them);
4. for every ribbon button, runs what its callback runs: Application.Run of
   the add-in's RunPython with ``prodbook.excel.ribbon.run('<id>', ...)`` on a
   copy of the demo tracker (the live back end through COM); the report is
   written to a file instead of a message box so nothing waits for a click;
5. types every spreadsheet function into a scratch sheet of that copy and
   compares what Excel shows with what Python computes from the same file;
   then, where Outlook is on the PC, presses Follow-up drafts once more and
   checks that Outlook's Drafts folder holds one draft per vendor of the copy
   for today, made anew (the earlier press's deleted, none piled up), and
   deletes those test drafts (SKIP without Outlook);
6. sets the copy's Config 'Function Errors' to Excel and checks that Excel
   sees the functions' errors as its own error values (ISERROR, ERROR.TYPE,
   IFERROR; in a cell and in a spilled column) and that =PRODBOOK_WHY gives
   the reason Text mode shows;
7. closes the add-in and Excel and deletes the temporary folder ("uninstall").

What it does not prove: that the ribbon tab is drawn and a click reaches
ProdbookAction (Excel has no object model for pressing a ribbon button: look
at the tab and press one once), the Mac, or another Excel version than this one.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT / "src") not in sys.path and (ROOT / "src" / "prodbook").is_dir():
    sys.path.insert(0, str(ROOT / "src"))

from prodbook.excel import addin, formulas, ribbon, udfs  # noqa: E402

DEMO = ROOT / "workbooks" / "demo-tracker.xlsx"
VENDOR_FILES = ROOT / "workbooks" / "vendor files" / "WIP"
COMPILE_CONTROL_ID = 578
"""The VBE's Debug > Compile VBAProject command."""
EXCEL_EPOCH = datetime(1899, 12, 30)


@dataclass(frozen=True)
class Check:
    """One line of the smoke test's output."""

    kind: str  # install, compile, setup, help, button, outlook, function, errors, uninstall
    target: str
    what: str


def planned_checks(actions: Sequence[ribbon.Action] | None = None,
                   functions: Sequence[Callable[..., Any]] = udfs.UDFS) -> list[Check]:
    """Every check, derived from the ribbon's buttons and the spreadsheet functions: none can be forgotten."""
    shown = ribbon.available_actions() if actions is None else actions
    return [Check("install", addin.ADDIN_NAME, "Excel opens the add-in built for this Python"),
            Check("compile", addin.PROJECT_NAME, "the VBA project compiles (VBE Compile, control 578)"),
            Check("setup", addin.SETUP_CHECK, "the add-in knows its Python"),
            Check("help", addin.HELP_FUNCTION, f"function wizard help registered for {len(functions)} functions"),
            *(Check("button", a.id, f"button '{a.label}' runs through RunPython") for a in shown),
            Check("outlook", OUTLOOK_BUTTON, "pressed again, one Outlook draft per vendor of today, the earlier gone"),
            *(Check("function", f.__name__, f"={f.__name__}() in a cell equals Python") for f in functions),
            *(Check("errors", formula, "with Config Function Errors = Excel, Excel's answer equals Python's")
              for formula in ERROR_FORMULAS),
            Check("uninstall", addin.ADDIN_NAME, "the add-in closes and its folder is removed")]


# --- what can be computed without Excel (tested on Linux) ---------------------------------------


@dataclass(frozen=True)
class FunctionCase:
    """A spreadsheet function call on the demo tracker and the value Python gives for it."""

    name: str
    formula: str
    expected: Any
    setup: tuple[tuple[str, str], ...] = ()
    """Cells of the scratch sheet (address, formula) the formula reads, typed first."""


OUTLOOK_BUTTON = "pbFollowups"


@dataclass(frozen=True)
class DraftsCheck:
    """This tracker's Outlook drafts of a day before and after one more press of Follow-up drafts."""

    before: tuple[str, ...]
    """EntryIDs of the drafts the earlier presses left."""
    after: tuple[str, ...]
    vendors: tuple[str, ...]
    """The vendor of each draft after the press."""

    @property
    def ok(self) -> bool:
        """One draft per vendor, as many as before, none of them the earlier press's."""
        return (bool(self.after) and len(set(self.vendors)) == len(self.vendors) == len(self.after) == len(self.before)
                and not set(self.before) & set(self.after))

    def said(self) -> str:
        return (f"{len(self.before)} draft(s) before the press, {len(self.after)} after, for "
                f"{len(set(self.vendors))} vendor(s); {len(set(self.before) & set(self.after))} left from before")


def todays_drafts(mail: Any, tracker: Path, day: date) -> list[Any]:
    """The tracker's drafts of ``day`` in Outlook's Drafts folder (``outlook.earlier_drafts``)."""
    from prodbook.jobs.followups_job import tracker_mark
    from prodbook.workbook.outlook import DraftMark, earlier_drafts

    return earlier_drafts(mail, DraftMark(tracker_mark(tracker), day.isoformat()))


def drafts_check(mail: Any, tracker: Path, day: date, press: Callable[[], None]) -> DraftsCheck:
    """Press Follow-up drafts once more (``press``) and compare the tracker's Outlook drafts of ``day``."""
    before = tuple(str(e.item.EntryID) for e in todays_drafts(mail, tracker, day))
    press()
    after = todays_drafts(mail, tracker, day)
    return DraftsCheck(before, tuple(str(e.item.EntryID) for e in after), tuple(e.vendor for e in after))


def _vba_arg(value: Any) -> str:
    if isinstance(value, (date, datetime)):
        return f"DATE({value.year},{value.month},{value.day})"
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    return repr(value)


def _first_rows(path: Path) -> tuple[list[Any], list[Any]]:
    """(first T&A data row, first Vendors data row) of the tracker."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    try:
        ta = next(r for i, r in enumerate(wb["T&A"].iter_rows(values_only=True)) if i and r[0])
        vendor = next(r for i, r in enumerate(wb["Vendors"].iter_rows(values_only=True)) if i and r[0])
    finally:
        wb.close()
    return list(ta), list(vendor)


def function_cases(tracker: Path) -> list[FunctionCase]:
    """One call of every function in ``udfs.UDFS`` with arguments from ``tracker``, and Python's answer."""
    from prodbook.excel import formulas
    from prodbook.workbook.filebook import FileBook
    from prodbook.workbook.tracker import Tracker

    ta, vendor_row = _first_rows(tracker)
    po, style, color, vendor, code, planned, actual = ta[0], ta[1], ta[2], ta[3], ta[4], ta[7], ta[9]
    start = planned if isinstance(planned, datetime) else datetime(2027, 3, 1)
    end = start + timedelta(days=40)
    today = start + timedelta(days=5)
    args: dict[str, tuple[Any, ...]] = {
        "TA_DUE": (start, -30, vendor_row[0], "Working"),
        "TA_DATE": (po, style, color, code, "Planned"),
        "TA_STATUS": (start, actual if actual else "", today),
        "FACTORY_WORKDAY": (start, 10, vendor),
        "FACTORY_NETWORKDAYS": (start, end, vendor),
    }
    data = formulas.book_data(Tracker(FileBook(tracker)), range(start.year - 1, end.year + 2), with_ta=True)
    cases = []
    for fn in udfs.UDFS:
        if fn is udfs.PRODBOOK_WHY:  # the reason of a cell showing an error; in Text mode that cell's own text
            cases.append(FunctionCase(fn.__name__, "=PRODBOOK_WHY(Z1)", udfs.TA_DUE("soon", 3, caller=data),
                                      setup=(("Z1", '=TA_DUE("soon",3)'),)))
            continue
        a = args[fn.__name__]
        cases.append(FunctionCase(fn.__name__, f"={fn.__name__}({','.join(_vba_arg(v) for v in a)})",
                                  fn(*a, caller=data)))
    return cases


ERROR_SETTING = ("Function Errors", "Excel")
"""The Config line the errors checks add to the copy of the demo tracker."""
ERROR_SETUP = (("E1", "soon"), ("E2", "=DATE(2027,4,15)"), ("A1", "=TA_DUE(E1,3)"), ("A2", '=TA_DUE(E2,3,"ZZ9")'),
               ("A4", "=TA_DUE(E1:E2,3)"))
"""A bad anchor, a vendor not on the Vendors sheet, and a column of both spilled into A4:A5."""
ERROR_FORMULAS = ("=ISERROR(A1)", "=ERROR.TYPE(A1)", '=IFERROR(A1,"caught")', "=ERROR.TYPE(A2)", "=ISERROR(A4)",
                  "=ISERROR(A5)", "=PRODBOOK_WHY(A1)", "=PRODBOOK_WHY(A4)")
ERROR_TYPE = {"#NULL!": 1, "#DIV/0!": 2, "#VALUE!": 3, "#REF!": 4, "#NAME?": 5, "#NUM!": 6, "#N/A": 7}
"""Excel's ERROR.TYPE of each error value."""


def error_cases(tracker: Path) -> tuple[tuple[tuple[str, str], ...], list[FunctionCase]]:
    """The scratch cells and ``ERROR_FORMULAS`` with the answers Python's two modes give for them."""
    from prodbook.core.config import FunctionErrors
    from prodbook.workbook.filebook import FileBook
    from prodbook.workbook.tracker import Tracker

    day = datetime(2027, 4, 15)
    text = formulas.book_data(Tracker(FileBook(tracker)), range(2026, 2029))
    excel = dataclasses.replace(text, function_errors=FunctionErrors.EXCEL)
    a1 = udfs.TA_DUE("soon", 3, caller=excel)
    a2 = udfs.TA_DUE(day, 3, "ZZ9", caller=excel)
    a4, a5 = (row[0] for row in udfs.TA_DUE([["soon"], [day]], 3, caller=excel))
    reason = udfs.TA_DUE("soon", 3, caller=text)
    expected = {"=ISERROR(A1)": a1 in ERROR_TYPE, "=ERROR.TYPE(A1)": ERROR_TYPE.get(a1),
                '=IFERROR(A1,"caught")': "caught" if a1 in ERROR_TYPE else a1, "=ERROR.TYPE(A2)": ERROR_TYPE.get(a2),
                "=ISERROR(A4)": a4 in ERROR_TYPE, "=ISERROR(A5)": a5 in ERROR_TYPE, "=PRODBOOK_WHY(A1)": reason,
                "=PRODBOOK_WHY(A4)": reason}
    return ERROR_SETUP, [FunctionCase("errors", f, expected[f]) for f in ERROR_FORMULAS]


def same(expected: Any, got: Any) -> bool:
    """Python's value against what xlwings reads from the cell (a date may come back as a serial number)."""
    if isinstance(expected, (date, datetime)):
        want = datetime(expected.year, expected.month, expected.day)
        if isinstance(got, (int, float)):
            got = EXCEL_EPOCH + timedelta(days=float(got))
        return isinstance(got, (date, datetime)) and (got.year, got.month, got.day) == (want.year, want.month,
                                                                                       want.day)
    if isinstance(expected, (int, float)) and isinstance(got, (int, float)):
        return abs(float(expected) - float(got)) < 1e-9
    return expected == got


def button_command(action_id: str, report_to: Path, files: Sequence[Path] = ()) -> str:
    """The Python line RunPython runs for a button, answering into a file instead of a message box."""
    return (f"import prodbook.excel.ribbon as r; r.run({action_id!r}, report_to={str(report_to)!r}, "
            f"files={[str(f) for f in files]!r})")


# --- the run in Excel ------------------------------------------------------------------------


def _line(check: Check, status: str, detail: str = "") -> str:
    return f"{status:4}  {check.kind:9} {check.target:20} {check.what}" + (f": {detail}" if detail else "")


def run_in_excel(keep_open: bool = False) -> int:  # pragma: no cover - needs Excel on Windows
    import xlwings as xw

    checks = planned_checks()
    by_kind = {(c.kind, c.target): c for c in checks}
    results: list[str] = []

    def say(check: Check, status: str, detail: str = "") -> None:
        results.append(status)
        print(_line(check, status, detail), flush=True)

    work = Path(tempfile.mkdtemp(prefix="prodbook-smoke-"))
    app = None
    try:
        xlam = addin.build(work / addin.ADDIN_NAME, interpreter=sys.executable)
        app = xw.App(visible=True, add_book=False)
        book = app.books.open(str(xlam))
        add = f"'{addin.ADDIN_NAME}'!"
        say(by_kind["install", addin.ADDIN_NAME], "PASS" if book.name == addin.ADDIN_NAME else "FAIL", book.name)

        check = by_kind["compile", addin.PROJECT_NAME]
        try:
            vbe = app.api.VBE
            vbe.ActiveVBProject = book.api.VBProject
            control = vbe.CommandBars.FindControl(Id=COMPILE_CONTROL_ID)
            control.Execute()
            compiled = not vbe.CommandBars.FindControl(Id=COMPILE_CONTROL_ID).Enabled
            say(check, "PASS" if compiled else "FAIL", "" if compiled else "Excel showed a compile error")
        except Exception as exc:  # trusted access off
            say(check, "SKIP", f"turn on 'Trust access to the VBA project object model' ({exc})")

        problem = app.api.Run(add + addin.SETUP_CHECK)
        say(by_kind["setup", addin.SETUP_CHECK], "PASS" if not problem else "FAIL", problem or "")
        registered = app.api.Run(add + addin.HELP_FUNCTION)
        say(by_kind["help", addin.HELP_FUNCTION], "PASS" if registered == len(udfs.UDFS) else "FAIL",
            f"{registered} of {len(udfs.UDFS)}")

        tracker = work / "demo-tracker.xlsx"
        shutil.copy(DEMO, tracker)
        wb = app.books.open(str(tracker))
        vendor_files = sorted(p for p in VENDOR_FILES.iterdir() if p.suffix.lower() in ribbon.VENDOR_EXTENSIONS)
        for act in ribbon.available_actions():
            check = by_kind["button", act.id]
            answer = work / f"{act.id}.json"
            wb.activate()
            try:
                app.api.Run(add + "RunPython",
                            button_command(act.id, answer, vendor_files if act.asks_for_files else ()))
                report = json.loads(answer.read_text(encoding="utf-8"))
                bad = "unexpected problem" in report["message"]
                say(check, "FAIL" if bad else "PASS", report["message"].splitlines()[0] if report["message"] else "")
            except Exception as exc:
                say(check, "FAIL", f"no answer from Python ({exc})")

        check = by_kind["outlook", OUTLOOK_BUTTON]
        from prodbook.workbook.outlook import outlook_app

        mail = outlook_app()
        if mail is None:
            say(check, "SKIP", "Outlook is not on this PC (or would not answer)")
        else:
            def press() -> None:
                wb.activate()
                app.api.Run(add + "RunPython", button_command(OUTLOOK_BUTTON, work / "again.json"))

            try:
                got = drafts_check(mail, tracker, date.today(), press)
                say(check, "PASS" if got.ok else "FAIL", got.said())
            except Exception as exc:
                say(check, "FAIL", f"Outlook's Drafts folder could not be read ({exc})")
            for left in todays_drafts(mail, tracker, date.today()):  # the test's drafts leave your Outlook
                left.item.Delete()

        scratch = wb.sheets.add("smoke")
        for i, case in enumerate(function_cases(tracker), 1):
            check = by_kind["function", case.name]
            for address, formula in case.setup:
                scratch.range(address).formula = formula
            cell = scratch.range((i, 1))
            cell.formula = case.formula
            app.calculate()
            got = cell.value
            say(check, "PASS" if same(case.expected, got) else "FAIL", f"Excel {got!r}, Python {case.expected!r}")

        config = wb.sheets["Config"]  # Function Errors = Excel, on the line under the last setting
        config.range((config.used_range.last_cell.row + 1, 1)).value = list(ERROR_SETTING)
        time.sleep(formulas.RECENT_SECONDS + 0.5)  # the functions' last read of the workbook serves that long
        errors_sheet = wb.sheets.add("smoke errors")
        setup, error_checks = error_cases(tracker)
        for address, formula in setup:
            errors_sheet.range(address).formula = formula
        for i, case in enumerate(error_checks, 1):
            errors_sheet.range((i, 3)).formula = case.formula
        app.api.CalculateFull()
        for i, case in enumerate(error_checks, 1):
            got = errors_sheet.range((i, 3)).value
            say(by_kind["errors", case.formula], "PASS" if same(case.expected, got) else "FAIL",
                f"Excel {got!r}, Python {case.expected!r}")
        wb.close()  # not saved: the copy is thrown away
        if keep_open:
            input("Look at the prodbook tab and press one button. Press Enter to finish...")
        book.close()
        app.quit()
        app = None
        shutil.rmtree(work)
        say(by_kind["uninstall", addin.ADDIN_NAME], "PASS" if not work.exists() else "FAIL")
    finally:
        if app is not None:
            app.quit()
    counts = {s: results.count(s) for s in ("PASS", "FAIL", "SKIP")}
    print(f"\n{len(results)} checks: {counts['PASS']} passed, {counts['FAIL']} failed, {counts['SKIP']} skipped"
          f" (of {len(checks)} planned)")
    return 0 if counts["FAIL"] == 0 and len(results) == len(checks) else 1


def main(argv: Sequence[str] = ()) -> int:
    if "--list" in argv:
        for c in planned_checks():
            print(_line(c, "-"))
        return 0
    if not sys.platform.startswith("win"):
        print("This smoke test needs desktop Excel on Windows (try --list to see its checks).")
        return 2
    return run_in_excel(keep_open="--keep-open" in argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
