"""Audit of the add-in as an Excel power user uses it (helper audit 2, 2026-12-06).

The spreadsheet functions against LibreOffice's WORKDAY.INTL on a real .xlsx (cells typed as Excel users type
them, a serial number kept as text among them); a ribbon button whose Python side meets a problem outside
its job (a Config setting naming a folder no one can open); and the built add-in's ribbon callback: a status
bar before Python starts, a plain message instead of VBA's Debug dialog.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import base_sheets, write_book
from prodbook.core.calendar import factory_calendar
from prodbook.excel import addin, formulas, ribbon, udfs
from prodbook.excel.formulas import BookData

sys.path.insert(0, str(Path(__file__).parent))

from fakexl import FakeBook  # noqa: E402


def cell(value: Any) -> list[list[Any]]:
    """One cell as xlwings passes it with ndim=2."""
    return [[value]]


@pytest.fixture(scope="module")
def plain() -> BookData:
    """A blank vendor's calendar: Monday-Friday, no holidays, as WORKDAY.INTL's defaults."""
    default, _ = factory_calendar("(default)", 1, None, range(2022, 2029))
    return BookData({}, default)


# --- the functions, against LibreOffice ------------------------------------------------------------------

# (anchor as the cell holds it, offset): text cells are typed as text (a Text-formatted column, an export)
_CASES: list[tuple[Any, Any]] = [
    ("45000", 5.0),           # a serial number kept as text: WORKDAY.INTL reads it as the number 45000
    ("45000.7", 2.0),         # with a time part
    ("46451", -3.0),
    (" 46451 ", 1.0),
    ("2027-03-05", 5.0),      # an ISO date as text
    (45000.0, 5.0),           # the serial typed as a number
    (datetime(2027, 3, 5), 2.7),    # fractions truncate toward zero
    (datetime(2027, 3, 5), -2.7),
    (datetime(2027, 3, 6), 0.0),    # a Saturday, 0 days: itself
    (datetime(2027, 3, 6), "5"),    # an offset kept as text
]


def _libreoffice(tmp_path: Path, cases: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """(WORKDAY.INTL(A, B), NETWORKDAYS.INTL(A, 46500)) per case, as LibreOffice computes them."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for i, (anchor, offset) in enumerate(cases, start=1):
        for col, value in ((1, anchor), (2, offset)):
            c = ws.cell(row=i, column=col, value=value)
            if isinstance(value, str):
                c.data_type = "s"
        ws.cell(row=i, column=3, value=f"=WORKDAY.INTL(A{i},B{i})")
        ws.cell(row=i, column=4, value=f"=NETWORKDAYS.INTL(A{i},46500)")
    wb.save(tmp_path / "cases.xlsx")
    (tmp_path / "out").mkdir()
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(tmp_path / "out"),
                    str(tmp_path / "cases.xlsx")], check=True, capture_output=True, timeout=300)
    out = openpyxl.load_workbook(tmp_path / "out" / "cases.xlsx", data_only=True).active
    return [(out.cell(row=i, column=3).value, out.cell(row=i, column=4).value) for i in range(1, len(cases) + 1)]


def _serial(value: Any) -> Any:
    """A function's date as Excel's serial number (what the cell holds), anything else as it is."""
    if isinstance(value, datetime):
        return (value - datetime(1899, 12, 30)).days
    return value


@pytest.mark.libreoffice
def test_cells_typed_as_excel_users_type_them_give_libreoffices_workday_intl(tmp_path: Path,
                                                                            plain: BookData) -> None:
    """'45000' in a Text-formatted anchor cell (a serial number exported as text) gave '#VALUE! anchor must
    be a date'; WORKDAY.INTL (Excel's, and LibreOffice's below) reads it as the number 45000."""
    want = _libreoffice(tmp_path, _CASES)
    for (anchor, offset), (workday, networkdays) in zip(_CASES, want):
        got = udfs.FACTORY_WORKDAY(cell(anchor), cell(offset), cell(None), caller=plain)
        assert _serial(got) == workday, (anchor, offset, got)
        assert _serial(udfs.TA_DUE(cell(anchor), cell(offset), cell(None), cell(None), caller=plain)) == workday
        got = udfs.FACTORY_NETWORKDAYS(cell(anchor), cell(datetime(2027, 4, 23)), cell(None), caller=plain)
        assert got == networkdays, (anchor, got)


def test_a_serial_kept_as_text_brings_its_years_holidays(tmp_path: Path) -> None:
    """'46451' (5-Mar-2027) as text loaded no 2027 holidays (its year was not seen), so a Bangladesh vendor's
    due date ran through them; it now counts them as the date typed as a date does."""
    sheets = base_sheets()
    formulas.clear_cache()
    from prodbook.workbook.filebook import FileBook
    from prodbook.workbook.tracker import Tracker

    path = write_book(tmp_path / "t.xlsx", sheets)
    as_text = formulas.years_of(cell("46451"), offsets=cell(-15.0))
    assert 2027 in as_text
    data = formulas.book_data(Tracker(FileBook(path)), as_text)
    typed = udfs.TA_DUE(cell(datetime(2027, 3, 5)), cell(-15.0), cell("BD1"), cell(None), caller=data)
    assert udfs.TA_DUE(cell("46451"), cell(-15.0), cell("BD1"), cell(None), caller=data) == typed


def test_a_serial_off_the_calendar_kept_as_text_is_num_as_the_number(plain: BookData) -> None:
    got = udfs.TA_DUE(cell("99999999"), cell(5.0), cell(None), cell(None), caller=plain)
    assert got.startswith("#NUM!") and udfs.TA_DUE(cell("12ab"), cell(5.0), cell(None), cell(None),
                                                     caller=plain).startswith("#VALUE!")
    assert udfs.TA_DUE(cell("1,5"), cell(5.0), cell(None), cell(None), caller=plain).startswith("#VALUE!")


# --- a button: never a traceback ------------------------------------------------------------------------


def test_a_wip_folder_no_one_can_open_is_said_not_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    """Config 'WIP Folder' = '~apm/WIP' on a Mac with no user apm: Path.expanduser raised RuntimeError out of
    ribbon.run, which xlwings shows the APM as a Python traceback in an 'Error' box."""
    import xlwings as xw

    sheets = base_sheets()
    sheets["Config"] = [["Setting", "Value"], ["WIP Folder", "~nosuchapm/WIP"]]
    book = FakeBook.from_file(write_book(tmp_path / "t.xlsx", sheets))
    monkeypatch.setattr(xw.Book, "caller", staticmethod(lambda: book))
    monkeypatch.setattr(ribbon.sys, "platform", "darwin")
    monkeypatch.setattr(ribbon, "_ask_mac", lambda book: ribbon.Asked(status="unavailable", reason="no osax"))
    ribbon.run("pbImportWip")
    title, message = book.app.alerts[-1]
    assert title == "prodbook: Import vendor WIP..."
    assert "'~nosuchapm/WIP', is not a folder this computer can open" in message
    assert book.app.status_bar is False


def test_anything_unexpected_in_a_button_is_a_message_naming_the_log(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Outside ``perform`` (asking for files, the status bar) nothing caught an exception: the APM got xlwings'
    traceback box. Now every one is the plain 'unexpected problem' message with the support log."""
    import xlwings as xw

    from prodbook.jobs import support

    book = FakeBook.from_file(write_book(tmp_path / "t.xlsx", base_sheets()))
    monkeypatch.setattr(xw.Book, "caller", staticmethod(lambda: book))
    monkeypatch.setattr(support, "log_folder", lambda: tmp_path / "logs")

    def broken(book: Any, platform: str | None = None) -> Any:
        raise RuntimeError("the Open dialog went away")

    monkeypatch.setattr(ribbon, "ask_files", broken)
    ribbon.run("pbImportWip")
    title, message = book.app.alerts[-1]
    assert "unexpected problem" in message and "Traceback" not in message and str(tmp_path / "logs") in message
    assert "the Open dialog went away" in next((tmp_path / "logs").iterdir()).read_text(encoding="utf-8")
    assert book.app.status_bar is False


# --- the built add-in's ribbon callback ----------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The built .xlam's VBA modules as olevba reads them out of it: name -> source."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from oletools.olevba import VBA_Parser

    out = addin.build(tmp_path_factory.mktemp("addin") / "prodbook.xlam")
    with zipfile.ZipFile(out) as z:
        assert z.testzip() is None
    return {Path(name).stem: code for _, _, name, code in VBA_Parser(str(out)).extract_macros()}


@pytest.fixture(scope="module")
def callback(built: dict[str, str]) -> str:
    """ProdbookAction's body."""
    code = next(c for c in built.values() if f"Sub {ribbon.CALLBACK}(" in c)
    body = code[code.index(f"Sub {ribbon.CALLBACK}("):]
    return body[:body.index("End Sub")]


def test_a_function_on_a_mac_says_it_works_on_windows_only(built: dict[str, str]) -> None:
    """xlwings has no spreadsheet functions on a Mac: the declaration went on to its Windows DLL and the cell
    showed VBA's error about a missing file. Now it says what to use instead, before anything else."""
    for fn in udfs.UDFS:
        body = re.search(rf"Function {fn.__name__}\(.*?\r\n(.*?)End Function", built["xlwings_udfs"], re.S)
        assert body, fn.__name__
        lines = [line.strip() for line in body.group(1).splitlines()]
        assert lines[0] == "#If Mac Then", lines[:3]
        said = re.fullmatch(rf'{fn.__name__} = "(.*)"', lines[1])
        assert said and said.group(1).startswith("#N/A ") and "Excel for Windows only" in said.group(1), lines[1]
        assert lines[2:4] == ["Exit Function", "#End If"]


def test_a_button_says_it_is_working_before_python_starts_and_clears_it_after(callback: str) -> None:
    """Python takes seconds to start (a new process per click on Windows) while Excel waits: nothing said
    the button was working until Python had loaded; a Python that died left no one to clear the bar."""
    lines = [line.strip() for line in callback.splitlines()]
    run = next(i for i, line in enumerate(lines) if line.startswith("RunPython"))
    assert any(re.match(r'Application\.StatusBar = ".+"', line) for line in lines[:run]), callback
    assert lines[run + 1] == "Application.StatusBar = False", callback


def test_a_vba_error_in_a_button_is_a_plain_message_not_the_debug_dialog(callback: str) -> None:
    lines = [line.strip() for line in callback.splitlines()]
    run = next(i for i, line in enumerate(lines) if line.startswith("RunPython"))
    handler = next(i for i, line in enumerate(lines) if line.startswith("On Error GoTo "))
    assert handler < run
    label = lines[handler].split()[-1]
    after = lines[lines.index(f"{label}:"):]
    assert "Application.StatusBar = False" in after and any(line.startswith("MsgBox ") for line in after)
    assert lines[lines.index(f"{label}:") - 1] == "Exit Sub"  # the handler runs only on an error



# --- dates before 1-Mar-1900: Excel's phantom 29-Feb-1900 -----------------------------------------------


def test_a_date_formatted_zero_says_so_not_pythons_repr(plain: BookData) -> None:
    """A lookup of an empty Ex-Factory gives 0; date-formatted, COM hands it over as 30-Dec-1899 and the cell
    showed '#VALUE! anchor must be a date (got datetime.datetime(1899, 12, 30, 0, 0))'."""
    for zero in (datetime(1899, 12, 30), 0.0):
        got = udfs.TA_DUE(cell(zero), cell(-15.0), cell(None), cell(None), caller=plain)
        assert got.startswith("#VALUE! anchor is the serial number 0 ") and "00-Jan-1900" in got, got
        assert "datetime" not in got
    assert udfs.TA_DUE(cell(True), cell(5.0), cell(None), cell(None), caller=plain) == \
        "#VALUE! anchor must be a date (got TRUE)"


@pytest.mark.parametrize("early", [1.0, 59.0, 60.0, datetime(1900, 2, 27), "1900-02-10", "59"])
def test_a_day_before_march_1900_is_refused_not_a_date_a_day_off_excels(plain: BookData, early: Any) -> None:
    """Excel's weekdays before 1-Mar-1900 are a day off the real ones (it counts a 29-Feb-1900):
    =WORKDAY.INTL(59, 5) is 66 in Excel; FACTORY_WORKDAY gave 7-Mar-1900 (67), and serial 60 a bare
    'must be a date (got 60.0)'. Every such day now says why it cannot be counted."""
    for got in (udfs.FACTORY_WORKDAY(cell(early), cell(5.0), cell(None), caller=plain),
                udfs.FACTORY_NETWORKDAYS(cell(datetime(2027, 3, 5)), cell(early), cell(None), caller=plain)):
        assert isinstance(got, str) and got.startswith("#VALUE! ") and "before 1-Mar-1900" in got, got
    assert udfs.FACTORY_WORKDAY(cell(61.0), cell(1.0), cell(None), caller=plain) == datetime(1900, 3, 2)


def test_a_result_before_march_1900_or_the_1904_systems_first_day_is_num(plain: BookData) -> None:
    """5-Mar-1900 less 10 working days came out as 19-Feb-1900, which COM hands Excel as serial 51: Excel
    shows 20-Feb-1900 (and its own WORKDAY.INTL counts its phantom 29-Feb). In a 1904 workbook a result
    before 1-Jan-1904 cannot be stored at all."""
    start = cell(datetime(1900, 3, 5))
    for got in (udfs.FACTORY_WORKDAY(start, cell(-10.0), cell(None), caller=plain),
                udfs.TA_DUE(start, cell(-10.0), cell(None), cell("Calendar"), caller=plain)):
        assert isinstance(got, str) and got.startswith("#NUM! the result, ") and "1-Mar-1900" in got, got
    assert udfs.FACTORY_WORKDAY(start, cell(-2.0), cell(None), caller=plain) == datetime(1900, 3, 1)
    mac = BookData(plain.calendars, plain.default, date1904=True)
    got = udfs.FACTORY_WORKDAY(cell(datetime(1904, 1, 5)), cell(-5.0), cell(None), caller=mac)
    assert isinstance(got, str) and got.startswith("#NUM! ") and "1904" in got, got
