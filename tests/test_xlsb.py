"""A vendor's WIP report saved as an Excel Binary Workbook (.xlsb): written here by ``xlsb_writer`` (no tool on
this machine writes one), shown to be a real .xlsb by three readers, then imported as a vendor's .xlsx is."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
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
from prodbook.workbook import vendor_files, xlsb_layout
from test_mail import CN1_ROW, eml
from test_mail import HEADER as mail_header
from test_mail import ctx as mail_ctx
from test_mail import tracker as mail_tracker
from test_wip import tracker_with_lines, wip_rows
from xlsb_writer import Error, Percent, _record, _wide, write_xlsb

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


def imported_both_ways(tmp_path: Path, write_xlsx: Callable[[Path], Path], write_xlsb: Callable[[Path], Path],
                       other: str = ".xlsb"
                       ) -> tuple[dict[str, list[str]], dict[str, list[list[str]]], dict[str, list[dict[str, Any]]]]:
    """One report written by ``write_xlsx`` and by ``write_xlsb`` ('Dhaka Knit weekly.xlsx' / '.xlsb', or the
    ``other`` suffix that writes), each imported with `prodbook wip` into its own tracker: per suffix, what the terminal
    said, the file's rows on Issues and its Vendor WIP rows, the file's name read 'FILE' and its Source File left
    out (the two compare)."""
    said, issues, rows = {}, {}, {}
    for suffix, write in ((".xlsx", write_xlsx), (other, write_xlsb)):
        folder = tmp_path / suffix[1:]
        folder.mkdir()
        book = tracker_with_lines(folder)
        file = write(folder / f"Dhaka Knit weekly{suffix}")
        said[suffix] = [line.replace(file.name, "FILE") for line in wip(book, file) if "Backup:" not in line]
        issues[suffix] = [[str(v).replace(file.name, "FILE") for v in r] for r in sheet_values(book, "Issues")[1:]
                          if file.name in str(r[0])]
        rows[suffix] = [{**r, "Source File": None} for r in vendor_wip(book, file)]
    return said, issues, rows


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
    assert "ERROR file 'FILE': no header row found in rows 1-100 of sheet 'Notes'" in "\n".join(said[".xlsb"]), said


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


# --- the layout: merged header, hidden rows and columns, the 1904 date system --------------------------------

LAID_OUT: list[list[Any]] = [
    ["DHAKA KNIT LTD - PRODUCTION WIP"],
    ["WIP report as of 01-Mar-2027"],
    [],
    ["PO No.", "Style No", "Colour", "Quantity", None, None, None, "XF Date", "Cut Qty"],
    [None, None, None, "Order", "Cut", "Sewing Output", "Packed"],
    ["4500000001", "S1", "Heather Grey", 600, 600, 450, 0, date(2027, 4, 15), 999],
    ["4500000003", "S1", "Light Blue", 1000, 300, 20, 0, date(2027, 4, 20), 111],
    [None, None, "Dark Blue", None, 200, 10, 0, None, 112],
    ["Note: Light Blue fabric late"],
    ["Prepared by: Rahim"],
]
"""A WIP report laid out as vendors do: a title merged over the table (A1:I1); 'Quantity' merged over
'Order | Cut | Sewing Output | Packed' (D4:G4) and 'XF Date' down over both header rows (H4:H5); PO 4500000003,
its style, its order quantity and its ex-factory date merged down over its two colours (A7:A8, B7:B8, D7:D8,
H7:H8); its first line hidden (row 6: a line the vendor hid, imported and named) and a note under the table
hidden (row 9); last week's 'Cut Qty' in a hidden column I (the visible 'Cut' is read)."""
MERGED = [((0, 0), (0, 8)), ((3, 3), (3, 6)), ((3, 7), (4, 7)), ((6, 0), (7, 0)), ((6, 1), (7, 1)),
          ((6, 3), (7, 3)), ((6, 7), (7, 7))]
HIDDEN_ROWS = [5, 8]
HIDDEN_COLUMNS = [(8, 8)]


def laid_out_xlsx(path: Path, rows: list[list[Any]] = LAID_OUT, *, date1904: bool = False) -> Path:
    """``rows`` saved as .xlsx with the layout above, as Excel would."""
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    wb = openpyxl.Workbook()
    ws = wb.worksheets[0]
    ws.title = "WIP"
    if date1904:
        wb.epoch = CALENDAR_MAC_1904
    for r in rows:
        ws.append(r)
    for (r1, c1), (r2, c2) in MERGED:
        ws.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
    for r in HIDDEN_ROWS:
        ws.row_dimensions[r + 1].hidden = True
    for first, last in HIDDEN_COLUMNS:
        ws.column_dimensions.group(get_column_letter(first + 1), get_column_letter(last + 1), hidden=True)
    wb.save(path)
    return path


def laid_out_xlsb(path: Path, rows: list[list[Any]] = LAID_OUT, *, date1904: bool = False) -> Path:
    return write_xlsb(path, rows, sheet="WIP", merged=MERGED, hidden_rows=HIDDEN_ROWS,
                      hidden_columns=HIDDEN_COLUMNS, date1904=date1904)


@pytest.mark.libreoffice
def test_libreoffice_sees_the_merges_hidden_rows_and_columns_and_1904_dates_written(tmp_path):
    """The layout records xlsb_writer writes are the ones Excel's format means: LibreOffice, saving the .xlsb
    as .xlsx, keeps the merged ranges, the hidden row and column, and the 1904 date system."""
    xlsb = laid_out_xlsb(tmp_path / "laid out.xlsb", date1904=True)
    out = tmp_path / "out"
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(xlsb)],
                   check=True, capture_output=True, timeout=300)
    wb = openpyxl.load_workbook(out / "laid out.xlsx")
    ws = wb.worksheets[0]
    assert sorted(str(r) for r in ws.merged_cells.ranges) == ["A1:I1", "A7:A8", "B7:B8", "D4:G4", "D7:D8",
                                                                "H4:H5", "H7:H8"]
    assert [r for r in range(1, len(LAID_OUT) + 1) if ws.row_dimensions[r].hidden] == [6, 9]
    assert [(d.min, d.max) for d in ws.column_dimensions.values() if d.hidden] == [(9, 9)]
    assert wb.epoch == datetime(1904, 1, 1) and ws["H6"].value == datetime(2027, 4, 15)


def test_calamine_gives_no_merges_of_an_xlsb():
    """Why vendor_files reads an .xlsb's layout itself: calamine's merged ranges are for .xlsx and .xls only
    (should a later calamine give them, this fails, and its own can be used)."""
    with CalamineWorkbook.from_path(str(laid_out_xlsb(Path(tempfile.mkdtemp()) / "m.xlsb"))) as book:
        assert book.get_sheet_by_name("WIP").merged_cell_ranges is None


@pytest.mark.parametrize("date1904", [False, True])
def test_an_xlsbs_merges_hidden_rows_and_columns_and_date_system_read_as_its_xlsxs(tmp_path, date1904):
    xlsx, = vendor_files.read_vendor_file(laid_out_xlsx(tmp_path / "r.xlsx", date1904=date1904))
    xlsb, = vendor_files.read_vendor_file(laid_out_xlsb(tmp_path / "r.xlsb", date1904=date1904))
    assert sorted(xlsx.merged) == sorted(MERGED)  # the .xlsx reader's, the pattern
    assert (sorted(xlsb.merged), xlsb.hidden_rows, xlsb.hidden_columns, xlsb.date1904) == \
        (sorted(xlsx.merged), xlsx.hidden_rows, xlsx.hidden_columns, xlsx.date1904)
    assert (xlsb.hidden_rows, xlsb.hidden_columns, xlsb.date1904) == (HIDDEN_ROWS, [8], date1904)
    assert xlsb.rows == xlsx.rows


def test_a_report_with_a_merged_header_and_hidden_lines_saved_as_xlsb_imports_as_its_xlsx_does(tmp_path):
    """``LAID_OUT`` saved as .xlsx and as .xlsb: the same Vendor WIP rows, the same words on the terminal and on
    Issues. The PO, style and date merged down belong to both colours, the order quantity merged over them is
    named, not copied; the hidden line is imported and named; the visible 'Cut' is read, not the hidden one."""
    said, issues, rows = imported_both_ways(tmp_path, laid_out_xlsx, laid_out_xlsb)
    assert said[".xlsb"] == said[".xlsx"]
    assert issues[".xlsb"] == issues[".xlsx"]
    assert rows[".xlsb"] == rows[".xlsx"]
    got = {(r["PO #"], r["Color"]): (r["Order Qty"], r["Cut Qty"], r["Sewn Qty"], r["Planned XF"])
           for r in rows[".xlsb"]}
    assert got == {("4500000001", "Heather Grey"): (600, 600, 450, datetime(2027, 4, 15)),
                   ("4500000003", "Light Blue"): (None, 300, 20, datetime(2027, 4, 20)),
                   ("4500000003", "Dark Blue"): (None, 200, 10, datetime(2027, 4, 20))}, got
    problems = "\n".join(r[5] for r in issues[".xlsb"])
    assert "row 6 of this file is hidden" in problems and "D7:D8" in problems, problems


def test_a_plain_number_in_a_date_column_of_a_1904_xlsb_is_read_in_1904_as_in_its_xlsx(tmp_path):
    """A Mac vendor's workbook in the 1904 date system whose ex-factory dates are typed as plain numbers (no
    date format): counted from 1904, as Excel shows them once formatted, in the .xlsb as in the .xlsx."""
    rows = [[(v - date(1904, 1, 1)).days if isinstance(v, date) else v for v in r] for r in LAID_OUT]
    planned = {}
    for suffix, write in ((".xlsx", laid_out_xlsx), (".xlsb", laid_out_xlsb)):
        folder = tmp_path / suffix[1:]
        folder.mkdir()
        book = tracker_with_lines(folder)
        file = write(folder / f"Dhaka Knit weekly{suffix}", rows, date1904=True)
        wip(book, file)
        planned[suffix] = [r["Planned XF"] for r in vendor_wip(book, file)]
    assert planned[".xlsb"] == planned[".xlsx"]
    assert [v.date() if isinstance(v, datetime) else v for v in planned[".xlsb"]] == \
        [date(2027, 4, 15), date(2027, 4, 20), date(2027, 4, 20)]


# --- error cells and quantities shown as a percentage ----------------------------------------------------------

BROKEN: list[list[Any]] = [
    ["DHAKA KNIT LTD - PRODUCTION WIP"],
    ["WIP report as of 01-Mar-2027"],
    [],
    ["PO No.", "Style No", "Colour", "Order", "Cut", "Sewing Output", "Packed", "XF Date"],
    ["4500000001", "S1", "Heather Grey", 600, Error("#N/A", formula=True), 450, 0, date(2027, 4, 15)],
    ["4500000003", "S1", "Light Blue", 500, 300, Error("#REF!"), Percent(0.85), date(2027, 4, 20)],
    ["4500000003", "S1", "Dark Blue", 500, 200, 10, 0, date(2027, 4, 20)],
]
"""A report whose Cut of the first line is a broken lookup (=NA(), showing #N/A), whose Sewing Output of the next
is #REF!, and whose Packed of it is formatted as a percentage (85%: a share, not 0.85 pieces)."""


def broken_xlsx(path: Path, rows: list[list[Any]] = BROKEN, percent_format: str = "0%") -> Path:
    """``rows`` saved as .xlsx: an error as the error value (openpyxl writes no formula's saved result), a
    ``Percent`` formatted ``percent_format``."""
    wb = openpyxl.Workbook()
    ws = wb.worksheets[0]
    ws.title = "WIP"
    for r, row in enumerate(rows, 1):
        for c, value in enumerate(row, 1):
            cell = ws.cell(r, c, value.text if isinstance(value, Error) else value)
            if isinstance(value, Percent):
                cell.number_format = percent_format
    wb.save(path)
    return path


def broken_xlsb(path: Path, rows: list[list[Any]] = BROKEN, percent_format: str = "0%") -> Path:
    return write_xlsb(path, rows, sheet="WIP", percent_format=percent_format)


@pytest.mark.libreoffice
@pytest.mark.parametrize("percent_format", ["0%", "0.0%"])
def test_libreoffice_sees_the_error_cells_and_the_percent_format_written(tmp_path, percent_format):
    """The error records and the percent formats xlsb_writer writes are the ones Excel's format means:
    LibreOffice, saving the .xlsb as .xlsx, keeps #N/A as =NA()'s result, #REF! as the cell's error (which it
    writes as a formula, =#REF!), and 85% formatted 0% (built in) or 0.0% (the workbook's own)."""
    xlsb = broken_xlsb(tmp_path / "broken.xlsb", percent_format=percent_format)
    out = tmp_path / "out"
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(xlsb)],
                   check=True, capture_output=True, timeout=300)
    ws = openpyxl.load_workbook(out / "broken.xlsx").worksheets[0]
    assert (ws["E5"].value, ws["F6"].value, ws["G6"].value, ws["G6"].number_format) == \
        ("=NA()", "=#REF!", 0.85, percent_format)
    saved = openpyxl.load_workbook(out / "broken.xlsx", data_only=True).worksheets[0]
    assert (saved["E5"].value, saved["F6"].value, saved["G7"].number_format) == ("#N/A", "#REF!", "General")


@pytest.mark.parametrize("percent_format", ["0%", "0.0%"])
def test_an_xlsbs_error_cells_and_percent_cells_read_as_its_xlsxs(tmp_path, percent_format):
    """calamine gives an .xlsb's error cell as empty, and its number formats not at all: read from its records,
    as the .xlsx's are from its XML, the errors are the errors shown and the 85% a percent cell."""
    xlsx, = vendor_files.read_vendor_file(broken_xlsx(tmp_path / "r.xlsx", percent_format=percent_format))
    xlsb, = vendor_files.read_vendor_file(broken_xlsb(tmp_path / "r.xlsb", percent_format=percent_format))
    assert (xlsx.rows[4][4], xlsx.rows[5][5], xlsx.percent_cells) == ("#N/A", "#REF!", {(5, 6)})  # the pattern
    assert (xlsb.rows, xlsb.percent_cells) == (xlsx.rows, xlsx.percent_cells)


def test_a_report_with_error_cells_and_a_percent_quantity_saved_as_xlsb_imports_as_its_xlsx_does(tmp_path):
    """``BROKEN`` saved as .xlsx and as .xlsb: the same Vendor WIP rows, the same words on the terminal and on
    Issues. The broken lookup is named, not read as nothing cut yet; 85% is named, not read as 0.85 pieces."""
    said, issues, rows = imported_both_ways(tmp_path, broken_xlsx, broken_xlsb)
    assert said[".xlsb"] == said[".xlsx"]
    assert issues[".xlsb"] == issues[".xlsx"]
    assert rows[".xlsb"] == rows[".xlsx"]
    got = {r["Color"]: (r["Cut Qty"], r["Sewn Qty"], r["Packed Qty"]) for r in rows[".xlsb"]}
    assert got == {"Heather Grey": (None, 450, 0), "Light Blue": (300, None, None), "Dark Blue": (200, 10, 0)}, got
    problems = "\n".join(r[5] for r in issues[".xlsb"])
    assert "#N/A" in problems and "#REF!" in problems and "percentage" in problems, problems



# --- short cell records: a row's column run written without its columns ----------------------------------------

IN_A_RUN: list[list[Any]] = [
    ["PO No.", "Style No", "Colour", "Order", "Cut", "Sewing Output", "Packed", "XF Date"],
    ["4500000001", "S1", "Heather Grey", 600, Error("#N/A"), 450, Percent(1), date(2027, 4, 15)],
    ["4500000003", "S1", "Light Blue", 500, 300, Error("#REF!"), Percent(0.85), date(2027, 4, 20)],
    [None, "S1", "Dark Blue", None, Error("#N/A", formula=True), Error("#DIV/0!"), None, Percent(0.5)],
]
"""A report whose errors and percentages sit in a row's run of cells: each cell after the first of a run is a
short record (BrtShortError: #N/A, #REF!, #DIV/0!; BrtShortRk: 100%, BrtShortReal: 85%, 50%), as systems that
write .xlsb (SheetJS, Aspose) save them; a formula's saved error (=NA()) has no short record, and the #DIV/0!
after it is one; the run of the last line starts at 'S1' (B), its 50% after a gap (H) is a long record."""


@pytest.mark.libreoffice
def test_libreoffice_reads_the_short_records_written_as_the_long_ones(tmp_path):
    """The short records xlsb_writer writes are the ones Excel's format means: LibreOffice saves the .xlsb of
    short records as the .xlsx it saves of the same cells written long, every value, error and format alike."""
    saved = {}
    for short in (False, True):
        xlsb = write_xlsb(tmp_path / f"run {short}.xlsb", IN_A_RUN, sheet="WIP", short=short)
        out = tmp_path / "out"
        subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                        "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(xlsb)],
                       check=True, capture_output=True, timeout=300)
        ws = openpyxl.load_workbook(out / f"run {short}.xlsx").worksheets[0]
        saved[short] = [[(c.value, c.number_format) for c in r] for r in ws.iter_rows()]
    assert saved[True] == saved[False]
    assert saved[True][1][4:7] == [("=#N/A", "General"), (450, "General"), (1, "0%")], saved[True][1]
    assert saved[True][3][4:6] == [("=NA()", "General"), ("=#DIV/0!", "General")], saved[True][3]
    assert saved[True][2][5:7] == [("=#REF!", "General"), (0.85, "0%")], saved[True][2]


def test_calamine_reads_no_short_cell_record():
    """calamine reads an .xlsb's short cell records as empty cells (their numbers and text too, not only the
    errors it reads as empty in a long record): should a later calamine read them, this fails, and prodbook can
    say so to the APM no more."""
    path = write_xlsb(Path(tempfile.mkdtemp()) / "run.xlsb", IN_A_RUN, sheet="WIP", short=True)
    with CalamineWorkbook.from_path(str(path)) as book:
        rows = book.get_sheet_by_name("WIP").to_python(skip_empty_area=False)
    assert rows[1][:2] == ["4500000001", ""] and rows[0][:2] == ["PO No.", ""], rows


def test_an_xlsbs_errors_and_percentages_in_short_records_read_as_in_long_ones(tmp_path):
    """The errors and the percent-formatted numbers of an .xlsb in short cell records (their column the one after
    the cell before them in the row) are read as the same cells written as long records are: a #N/A in a row's
    run is the error it shows, not an empty cell (no cut yet)."""
    from prodbook.workbook.xlsx.package import _Package

    layouts = {}
    for short in (False, True):
        path = write_xlsb(tmp_path / f"run {short}.xlsb", IN_A_RUN, sheet="WIP", short=short)
        with _Package(path) as pkg:
            layouts[short] = xlsb_layout.read_layout(pkg).sheets["WIP"]
    assert layouts[False].errors == {(1, 4): "#N/A", (2, 5): "#REF!", (3, 4): "#N/A", (3, 5): "#DIV/0!"}
    assert layouts[False].percent_cells == {(1, 6), (2, 6), (3, 7)}  # the pattern: each long record its column
    assert (layouts[True].errors, layouts[True].percent_cells) == (layouts[False].errors, layouts[False].percent_cells)
    assert (layouts[False].first_short, layouts[True].first_short) == (None, (0, 1))


@pytest.mark.parametrize("above, cell", [([], "B1"), ([["WIP as of 01-Mar-2027", None, "DHAKA KNIT"]], "B2")])
def test_an_xlsb_of_short_cell_records_is_refused_not_read_as_empty_cells(tmp_path, above, cell):
    """calamine reads every short cell record as an empty cell: a report saved so (by a system that writes .xlsb
    itself, not by Excel) read as a PO column and nothing else, its quantities blank, as if not reported. Refused,
    naming the sheet and the first such cell (a title row above, its cells apart, has none), and what to do; the
    same cells in long records are read."""
    path = write_xlsb(tmp_path / "Dhaka Knit weekly.xlsb", above + IN_A_RUN, sheet="WIP", short=True)
    with pytest.raises(vendor_files.CellError) as caught:
        vendor_files.read_vendor_file(path)
    assert str(caught.value) == (
        f"'Dhaka Knit weekly.xlsb' cannot be read in full: its sheet 'WIP' holds cells saved in the short form of "
        f".xlsb that some systems write, from cell {cell} on, which prodbook's reader would read as "
        "empty cells. Open it in Excel and save it again as .xlsx (File > Save As > Excel Workbook), and import "
        "that file"), caught.value
    raw, = vendor_files.read_vendor_file(write_xlsb(tmp_path / "long.xlsb", above + IN_A_RUN, sheet="WIP"))
    at = len(above)
    assert (raw.rows[at + 1][4], raw.rows[at + 2][5], raw.rows[at + 3][5]) == ("#N/A", "#REF!", "#DIV/0!"), raw.rows


def with_short_blank(path: Path, out: Path, row: int) -> Path:
    """The .xlsb at ``path`` with a formatted empty cell right after the last cell of its row ``row`` (0-based)
    written short, a BrtShortBlank (12: its cell format's 4 bytes, no value), as SheetJS or Aspose save one."""
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.bin":
                at = data.index(b"\x00\x19" + struct.pack("<I", row + 1))  # the next row's BrtRowHdr
                data = data[:at] + b"\x0c\x04" + bytes(4) + data[at:]
            zout.writestr(item, data)
    return out


def test_an_xlsb_whose_only_short_record_is_a_formatted_blank_is_read(tmp_path):
    """A BrtShortBlank is an empty cell with a format, which calamine reads rightly as empty: the file was refused
    all the same ('from cell E2 on'); it is read as the same file without it."""
    rows: list[list[Any]] = [["PO #", "Style #", "Color", "Order Qty"], ["4500000001", "S1", "Grey", 600],
                             ["4500000002", "S1", "Blue", 400]]
    long = write_xlsb(tmp_path / "long.xlsb", rows, sheet="WIP")
    path = with_short_blank(long, tmp_path / "with a blank.xlsb", 1)
    from prodbook.workbook.xlsx.package import _Package

    with _Package(path) as pkg:
        assert xlsb_layout.read_layout(pkg).sheets["WIP"].first_short is None
    raw, = vendor_files.read_vendor_file(path)
    assert raw.rows[:3] == vendor_files.read_vendor_file(long)[0].rows[:3] and raw.rows[1][3] == 600, raw.rows


def with_hidden_sheet(visible: Path, hidden: Path, out: Path, name: str) -> Path:
    """The one-sheet .xlsb ``visible`` with the sheet of ``hidden`` added as a hidden sheet ``name`` (BrtBundleSh
    state 1). The two were written from the same rows, so their shared strings are the same list."""
    bundle = 156  # BrtBundleSh: state (0 visible, 1 hidden), sheet id, relationship id, name
    with zipfile.ZipFile(visible) as zv, zipfile.ZipFile(hidden) as zh, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        assert zv.read("xl/sharedStrings.bin") == zh.read("xl/sharedStrings.bin")
        for item in zv.infolist():
            data = zv.read(item.filename)
            if item.filename == "xl/workbook.bin":
                first = _record(bundle, struct.pack("<II", 0, 1) + _wide("rId1") + _wide("WIP"))
                at = data.index(first) + len(first)
                data = data[:at] + _record(bundle, struct.pack("<II", 1, 2) + _wide("rId4") + _wide(name)) + data[at:]
            elif item.filename == "xl/_rels/workbook.bin.rels":
                data = data.replace(b"</Relationships>", (
                    b'<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    b'relationships/worksheet" Target="worksheets/sheet2.bin"/></Relationships>'))
            elif item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", (
                    b'<Override PartName="/xl/worksheets/sheet2.bin" '
                    b'ContentType="application/vnd.ms-excel.worksheet"/></Types>'))
            zout.writestr(item, data)
        zout.writestr("xl/worksheets/sheet2.bin", zh.read("xl/worksheets/sheet1.bin"))
    return out


def test_short_records_on_a_hidden_sheet_do_not_refuse_the_report_beside_it(tmp_path):
    """Last week's data on a hidden sheet, saved in short records, refused the whole file, though its visible
    report (long records) reads in full and is the one imported. The hidden sheet is left out (its values would
    read as empty cells); the same short records on the visible sheet still refuse the file."""
    long = write_xlsb(tmp_path / "long.xlsb", IN_A_RUN, sheet="WIP")
    short = write_xlsb(tmp_path / "short.xlsb", IN_A_RUN, sheet="WIP", short=True)
    path = with_hidden_sheet(long, short, tmp_path / "Dhaka Knit weekly.xlsb", "Last week")
    with CalamineWorkbook.from_path(str(path)) as book:  # a real hidden sheet, as calamine reads the workbook
        states = {m.name: str(m.visible).rsplit(".", 1)[-1] for m in book.sheets_metadata}
    assert states == {"WIP": "Visible", "Last week": "Hidden"}, states
    raws = vendor_files.read_vendor_file(path)
    assert [(raw.sheet, raw.hidden) for raw in raws] == [("WIP", False)]
    assert raws[0].rows == vendor_files.read_vendor_file(long)[0].rows
    with pytest.raises(vendor_files.CellError, match="its sheet 'WIP' holds cells saved in the short form"):
        vendor_files.read_vendor_file(with_hidden_sheet(short, long, tmp_path / "shown short.xlsb", "Last week"))


# --- a damaged or hostile file -----------------------------------------------------------------------------

SMALL: list[list[Any]] = [["PO #", "Style #", "Color", "Order Qty"], ["4500000001", "S1", "Grey", 600],
                          ["", "S1", "Blue", ""]]
LAST_ROW, LAST_COL = 1_048_575, 16_383
"""Excel's last row and column, 0-based: no merge of a sheet Excel saved runs beyond them."""


def merged_xlsx(path: Path, rows: list[list[Any]], ref: str) -> Path:
    """``rows`` saved as .xlsx with one merged range ``ref`` ('A2:A1048576') written into the sheet's XML (openpyxl
    would make a cell object for each cell it covers)."""
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    plain = path.with_name("plain " + path.name)
    wb.save(plain)
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="'
                                    + ref.encode() + b'"/></mergeCells>')
            zout.writestr(info, data)
    return path


@pytest.mark.parametrize("bad", [((1, 0), (4_294_967_294, 0)), ((1, 0), (LAST_ROW + 1, 0)),
                                 ((1, 0), (2, LAST_COL + 1)), ((2, 0), (1, 0)), ((1, 1), (2, 0))])
def test_a_merge_outside_excels_grid_in_an_xlsb_is_not_read(tmp_path, bad):
    """A damaged (or hostile) .xlsb whose merge runs to row 4,294,967,295 (its rows are 32 bits; Excel's grid
    ends at row 1,048,576, as an .xlsx's A1 reference does): the 1.9 KB file took all the memory, a row made for
    each row the merge covers. Such a merge (or one ending before it starts) is no range Excel draws: not read;
    the file's own merges and rows are."""
    path = write_xlsb(tmp_path / "bomb.xlsb", SMALL, merged=[bad, ((1, 1), (2, 1))])
    raw, = vendor_files.read_vendor_file(path)
    assert raw.merged == [((1, 1), (2, 1))]
    assert raw.rows == [["PO #", "Style #", "Color", "Order Qty"], ["4500000001", "S1", "Grey", 600.0],
                        ["", "S1", "Blue", ""]]


@pytest.mark.parametrize("suffix", [".xlsx", ".xlsb"])
def test_a_po_merged_down_to_excels_last_row_fills_only_the_rows_the_file_has(tmp_path, suffix):
    """A PO merged from A2 down to Excel's last row (A2:A1048576: a vendor who merged the whole column): its
    value belongs to each line of the file under it, and no empty line is made for the million rows below."""
    path = (merged_xlsx(tmp_path / "r.xlsx", SMALL, "A2:A1048576") if suffix == ".xlsx" else
            write_xlsb(tmp_path / "r.xlsb", SMALL, merged=[((1, 0), (LAST_ROW, 0))]))
    raw, = vendor_files.read_vendor_file(path)
    assert raw.merged == [((1, 0), (LAST_ROW, 0))]
    assert len(raw.rows) == len(SMALL)
    assert [r[0] for r in raw.rows] == ["PO #", "4500000001", "4500000001"]


def test_an_order_quantity_merged_down_to_excels_last_row_is_read_in_bounded_memory(tmp_path):
    """The order quantity merged from D2 down to Excel's last row over the PO's two colours: shared by the two
    lines the file has (as a quantity merged over them is), without a note kept for each of the million rows."""
    import tracemalloc

    from prodbook.core.cells import DateOrder
    from prodbook.core.config import Config
    from prodbook.core.wip import find_header, vendor_layout
    from prodbook.core.wip.rows import parse_rows

    raw, = vendor_files.read_vendor_file(merged_xlsx(tmp_path / "q.xlsx", SMALL, "D2:D1048576"))
    header = find_header(raw.rows, vendor_layout(Config(), None), raw.merged, raw.hidden_columns)
    assert header is not None
    tracemalloc.start()
    try:
        parsed = parse_rows(raw, header, order=DateOrder.MDY, near=DAY)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000, f"{peak:,} bytes"
    assert [(r["_row"], r.get("color")) for r in parsed.rows] == [(2, "Grey"), (3, "Blue")]


def test_a_zip_whose_part_names_are_damaged_is_told_in_the_apms_words(tmp_path):
    """A workbook whose list of parts (the zip's central directory) has a name damaged into bytes no UTF-8 text
    holds: zipfile raises UnicodeDecodeError ("'utf-8' codec can't decode byte 0xc3..."), a Python message the
    APM cannot act on. Its kind is then taken from its name, and the reader says what is wrong."""
    path = write_xlsb(tmp_path / "damaged.xlsb", SMALL)
    data = bytearray(path.read_bytes())
    central = data.rindex(b"PK\x01\x02")  # the last part's entry: flags at 8, name length at 28, name at 46
    size = int.from_bytes(data[central + 28:central + 30], "little")
    data[central + 8:central + 10] = (int.from_bytes(data[central + 8:central + 10], "little") | 0x800
                                      ).to_bytes(2, "little")  # its name is UTF-8
    data[central + 46:central + 46 + size] = b"\xc3(" * (size // 2) + b"x" * (size % 2)
    path.write_bytes(bytes(data))
    with pytest.raises(UnicodeDecodeError):
        zipfile.ZipFile(path).namelist()
    vendor_files.file_kind(path)  # no Python error
    with pytest.raises(vendor_files.CellError) as caught:
        vendor_files.read_vendor_file(path)
    assert "damaged.xlsb" in str(caught.value) and "codec" not in str(caught.value), caught.value


def test_an_xlsb_whose_shared_strings_are_past_its_end_is_told_in_the_apms_words(tmp_path, capfd):
    """An .xlsb whose list of parts places its shared strings (the text of its cells) past the end of the file,
    as a damaged download does: calamine panicked, a Rust panic (no Python Exception) that ended the run with a
    traceback under "index out of bounds: the len is 0 but the index is 0". The APM is told the file and sheet
    are damaged, and what to do."""
    data = bytearray(write_xlsb(tmp_path / "cut.xlsb", SMALL).read_bytes())
    central = data.index(b"PK\x01\x02")  # each part's entry: name length at 28, its name at 46
    while data[central + 46:central + 46 + int.from_bytes(data[central + 28:central + 30], "little")] != \
            b"xl/sharedStrings.bin":
        central += 46 + sum(int.from_bytes(data[central + k:central + k + 2], "little") for k in (28, 30, 32))
    data[central + 45] = 0x39  # the high byte of where its local header is: 950 MB on, past the file's end
    path = tmp_path / "cut.xlsb"
    path.write_bytes(bytes(data))
    with pytest.raises(vendor_files.CellError) as caught:
        vendor_files.read_vendor_file(path)
    said = str(caught.value)
    assert said.startswith("'cut.xlsb' could not be read as a spreadsheet (its sheet 'Sheet1' is damaged)"), said
    assert "index" not in said and "panicked" not in capfd.readouterr().err


def test_an_xlsb_whose_sheet_has_no_relationship_is_told_in_the_apms_words(tmp_path, capfd):
    """An .xlsb whose workbook names a sheet (rId1) its relationships do not list, as a damaged file's: calamine
    panicked opening it ("no entry found for key"), a traceback for the APM. Told damaged, and what to do."""
    plain = write_xlsb(tmp_path / "plain.xlsb", SMALL)
    path = tmp_path / "norel.xlsb"
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(path, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, data.replace(b'Id="rId1"', b'Id="rId9"') if info.filename.endswith(".rels")
                          else data)
    with pytest.raises(vendor_files.CellError) as caught:
        vendor_files.read_vendor_file(path)
    said = str(caught.value)
    assert said.startswith("'norel.xlsb' could not be read as a spreadsheet") and "damaged" in said, said
    assert "key" not in said and "panicked" not in capfd.readouterr().err


def far_cell_xlsb(path: Path, row: int | None = None, col: int | None = None) -> Path:
    """``SMALL`` as .xlsb, its third line's row header moved to ``row`` (0-based, 32 bits), or the column of its
    first cell to ``col``, as a damaged or hostile file's records may say (its BrtWsDim left as written)."""
    import struct

    from prodbook.workbook import xlsb_layout

    plain = write_xlsb(path.with_name("plain " + path.name), SMALL)
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = bytearray(zin.read(info))
            if info.filename.startswith("xl/worksheets/"):
                at_row = -1
                for kind, at, _ in xlsb_layout.records(bytes(data), frozenset(range(12))):
                    if kind == 0:
                        at_row = struct.unpack_from("<I", data, at)[0]
                        if at_row == 2 and row is not None:
                            struct.pack_into("<I", data, at, row)
                    elif at_row == 2 and col is not None:
                        struct.pack_into("<I", data, at, col)
                        col = None
            zout.writestr(info, bytes(data))
    return path


_READ = """
import sys
try:
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))
except (ImportError, ValueError):
    pass
from pathlib import Path
from prodbook.workbook.vendor_files import CellError, read_vendor_file
try:
    print(len(read_vendor_file(Path(sys.argv[1]))[0].rows))
except CellError as exc:
    print(exc)
    sys.exit(2)
"""


@pytest.mark.parametrize(("row", "col", "said"), [
    (4_000_000_000, None, "a cell in row 4,000,000,001, past Excel's last row (1,048,576)"),
    (None, 4_000_000_000, "a cell in column 4,000,000,001, past Excel's last column (XFD, 16,384)"),
    (LAST_ROW + 1, None, "a cell in row 1,048,577, past Excel's last row (1,048,576)"),
    (None, LAST_COL + 1, "a cell in column 16,385, past Excel's last column (XFD, 16,384)")])
def test_an_xlsb_cell_past_excels_grid_is_refused_as_damaged_before_it_is_read(tmp_path, row, col, said):
    """A 2 KB .xlsb whose cell sits at row or column 4,000,000,000 (32 bits in its records; Excel's grid ends at
    XFD1048576): calamine allocated the whole area, and the process died (a Rust abort, exit 134, no message,
    the run lost) or ran out of memory. An .xlsx is refused first by its <dimension>; an .xlsb is now refused
    from its cells' own rows and columns, told damaged, and never handed to calamine. In a subprocess, so the
    old abort fails the test instead of killing pytest."""
    path = far_cell_xlsb(tmp_path / "far.xlsb", row, col)
    done = subprocess.run([sys.executable, "-c", _READ, str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr[-500:])
    told = done.stdout.strip()
    assert told.startswith("'far.xlsb' is damaged: its sheet 'Sheet1' has " + said), told
    assert "ask the vendor" in told.lower(), told


def test_an_xlsb_sheet_over_max_cells_is_refused_as_an_xlsx_is(tmp_path):
    """A cell far down and across (row 2,001, column T): the area from A1 to it is over Max Cells, which the
    .xlsx's <dimension> is checked against; an .xlsb's is measured from its cells, and told in the same words,
    naming the setting that raises it. Raised, the file is read."""
    from prodbook.core.limits import Limits

    path = far_cell_xlsb(tmp_path / "wide.xlsb", row=2000, col=19)
    with pytest.raises(vendor_files.CellError) as caught:
        vendor_files.read_vendor_file(path, Limits(cells=40_000))
    said = str(caught.value)
    assert said == ("'wide.xlsb' is too large to read safely: part 'xl/worksheets/sheet1.bin' (sheet 'Sheet1') has "
                    "a used area of 2,001 rows x 20 columns = 40,020 cells (A1:T2001); the limit (Max Cells) is "
                    "40,000 cells. A file this size is usually damaged or built to exhaust memory; if it is a real "
                    "workbook, raise 'Max Cells' on the tracker's Config sheet and run again"), said
    raw, = vendor_files.read_vendor_file(path, Limits(cells=40_020))
    assert len(raw.rows) == 2001 and raw.rows[2000][19] == "S1"
