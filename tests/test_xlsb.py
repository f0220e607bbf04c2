"""A vendor's WIP report saved as an Excel Binary Workbook (.xlsb): written here by ``xlsb_writer`` (no tool on
this machine writes one), shown to be a real .xlsb by three readers, then imported as a vendor's .xlsx is."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from conftest import demo_workbook, sheet_values
from prodbook.cli import main
from prodbook.jobs.runner import run
from prodbook.workbook import vendor_files
from test_mail import CN1_ROW, eml
from test_mail import HEADER as mail_header
from test_mail import ctx as mail_ctx
from test_mail import tracker as mail_tracker
from test_wip import tracker_with_lines, wip_rows
from xlsb_writer import write_xlsb

DAY = date(2027, 3, 3)
ROWS: list[list[Any]] = [
    ["WIP as of 01-Mar-2027", None, None],
    [],
    ["PO #", "Qty", "Ex-Factory", "Price", "Big", "Remarks"],
    ["4500000001", 1200, date(2027, 4, 15), 3.25, 300_000_001, "Café 报告 – ok"],
    ["4500000003", -7, datetime(2027, 4, 20), 0.1, 10**12, None],
    [None, 0, None, 1e-9, 123456.789, ""],
]


def expected(rows: list[list[Any]]) -> list[list[Any]]:
    """The cells as written: numbers as numbers (1200 or 1200.0), dates as dates (a datetime is no date to ==),
    empty cells as None, rows to the widest."""
    width = max(map(len, rows))
    def cell(v: Any) -> Any:
        if isinstance(v, datetime):
            return v.date()
        return None if v == "" else v
    return [[cell(v) for v in r] + [None] * (width - len(r)) for r in rows]


@pytest.fixture
def xlsb(tmp_path: Path) -> Path:
    return write_xlsb(tmp_path / "cells.xlsb", ROWS, sheet="WIP")


def test_calamine_reads_the_cells_written(xlsb):
    with CalamineWorkbook.from_path(str(xlsb)) as book:
        assert book.sheet_names == ["WIP"]
        got = book.get_sheet_by_name("WIP").to_python(skip_empty_area=False)
    got = [[None if v == "" else v for v in r] for r in got]
    assert got == expected(ROWS)


@pytest.mark.libreoffice
def test_libreoffice_reads_the_same_cells(xlsb, tmp_path):
    """LibreOffice opens the same bytes with its own reader of binary workbooks and saves them as .xlsx, which
    openpyxl reads typed: the same values, the date cells formatted as dates."""
    out = tmp_path / "out"
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(xlsb)],
                   check=True, capture_output=True, timeout=300)
    ws = openpyxl.load_workbook(out / "cells.xlsx").worksheets[0]
    assert ws.title == "WIP"
    got = [[v.date() if isinstance(v, datetime) else v for v in r]
           for r in ws.iter_rows(min_row=1, max_row=len(ROWS), max_col=6, values_only=True)]
    assert got == expected(ROWS)
    assert ws["C4"].is_date and ws["C5"].is_date and not ws["B4"].is_date


def test_pyxlsb_reads_the_same_cells(xlsb):
    pyxlsb = pytest.importorskip("pyxlsb", reason="pyxlsb is not installed (a third reader, optional)")
    with pyxlsb.open_workbook(str(xlsb)) as book, book.get_sheet("WIP") as sheet:
        got = [[c.v for c in r] for r in sheet.rows()]
    want = expected(ROWS)
    for r in want:  # pyxlsb reads no number formats: a date is its serial number
        r[2] = float((r[2] - date(1899, 12, 30)).days) if isinstance(r[2], date) else r[2]
    assert got == want


def test_an_xlsb_is_known_by_its_parts_also_when_named_xls(xlsb, tmp_path):
    """A vendor's system that names its .xlsb export '.xls' (as some name an .xlsx): read all the same."""
    named_xls = shutil.copy(xlsb, tmp_path / "cells.xls")
    assert vendor_files.file_kind(xlsb) == vendor_files.file_kind(Path(named_xls)) == ".xlsb"
    named, = vendor_files.read_vendor_file(Path(named_xls))
    real, = vendor_files.read_vendor_file(xlsb)
    assert named.rows == real.rows and real.rows[2][:2] == ["PO #", "Qty"]


# --- prodbook on it ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return demo_workbook(tmp_path_factory.mktemp("demo"), DAY)


def wip(tracker: Path, file: Path) -> list[str]:
    """What `prodbook wip TRACKER FILE` says, its exit code first (1 where it names an error)."""
    result = CliRunner().invoke(main, ["wip", str(tracker), str(file), "--today", DAY.isoformat()])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return [f"exit {result.exit_code}", *result.output.splitlines()]


def vendor_wip(tracker: Path, file: Path) -> list[dict[str, Any]]:
    rows = sheet_values(tracker, "Vendor WIP")
    return [dict(zip(rows[0], r)) for r in rows[1:] if r[rows[0].index("Source File")] == file.name]


def test_a_vendor_wip_report_saved_as_xlsb_imports_as_its_xlsx_does(demo, tmp_path):
    """The demo's DHK report, dated today, saved by the vendor as .xlsb: the same Vendor WIP rows as the same
    report saved as .xlsx (in a copy of the same tracker), its quantities and dates read as numbers and dates."""
    report = next((demo.parent / "vendor files" / "WIP").glob("DHK WIP *.xlsx"))
    ws = openpyxl.load_workbook(report).worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    rows[0][0] = re.sub(r"as of .*", f"as of {DAY:%d-%b-%Y}", rows[0][0])
    as_xlsx = tmp_path / f"DHK WIP {DAY}.xlsx"
    wb = openpyxl.Workbook()
    out = wb.worksheets[0]
    out.title = ws.title
    for r in rows:
        out.append(r)
    wb.save(as_xlsx)
    as_xlsb = write_xlsb(tmp_path / f"DHK WIP {DAY}.xlsb", rows, sheet=ws.title)
    books, said = {}, {}
    for file in (as_xlsx, as_xlsb):
        (tmp_path / file.suffix[1:]).mkdir(exist_ok=True)
        books[file] = shutil.copy(demo, tmp_path / file.suffix[1:] / demo.name)
        said[file] = [line.replace(file.name, "FILE") for line in wip(books[file], file) if "Backup:" not in line]
    assert said[as_xlsb] == said[as_xlsx]
    got, want = vendor_wip(books[as_xlsb], as_xlsb), vendor_wip(books[as_xlsx], as_xlsx)
    data = [r for r in rows[3:] if r[0] and str(r[0]).lstrip("0").isdigit()]
    assert len(got) >= len(data) - 1 >= 3  # the demo's DHK report has one PO not on the Orders sheet
    assert [{**r, "Source File": None} for r in got] == [{**r, "Source File": None} for r in want]
    first = next(r for r in got if r["PO #"] == data[0][0].lstrip("0"))
    assert (first["Cut Qty"], first["Sewn Qty"], first["Packed Qty"]) == tuple(data[0][4:7])
    assert first["Report Date"] in (DAY, datetime.combine(DAY, datetime.min.time()))
    assert first["Planned XF"] in (data[0][8], data[0][8].date())


def test_an_xlsb_that_is_no_wip_report_is_told_as_an_xlsx_is(tmp_path):
    """Meeting notes saved as .xlsb: the message an .xlsx of the same cells gets (no PO column: map the headers),
    not "could not be read as a spreadsheet"."""
    rows: list[list[Any]] = [["Minutes of the fit meeting"], ["Attendees", "Rahim", "Lan"],
                             ["Next meeting", date(2027, 3, 10)]]
    said = {}
    for suffix in (".xlsx", ".xlsb"):
        folder = tmp_path / suffix[1:]
        folder.mkdir()
        book = tracker_with_lines(folder)
        file = folder / f"BD1 notes{suffix}"
        if suffix == ".xlsb":
            write_xlsb(file, rows, sheet="Notes")
        else:
            wb = openpyxl.Workbook()
            wb.worksheets[0].title = "Notes"
            for r in rows:
                wb.worksheets[0].append(r)
            wb.save(file)
        said[suffix] = [line.replace(file.name, "FILE") for line in wip(book, file)
                        if "Backup:" not in line]
    assert said[".xlsb"] == said[".xlsx"]
    assert "ERROR file 'FILE': no header row with a PO column was found" in "\n".join(said[".xlsb"]), said


@pytest.mark.parametrize("name, mime", [
    ("CN1 WIP.xlsb", ("application", "vnd.ms-excel.sheet.binary.macroEnabled.12")),
    ("WIP", ("application", "octet-stream")),  # no name: its bytes show a workbook, named .xlsx by prodbook
])
def test_an_xlsb_attached_to_a_vendors_message_is_imported(tmp_path, name, mime):
    book = mail_tracker(tmp_path)
    data = write_xlsb(tmp_path / "report.xlsb", [mail_header, CN1_ROW], sheet="WIP").read_bytes()
    run(book, ["wip"], mail_ctx(eml(tmp_path / "m.eml", (name, data, mime))))
    row, = wip_rows(book)
    assert (row["Vendor"], row["Cut Qty"], row["Source File"]) == ("CN1", 640, f"m.eml > attachment '{name}'")
