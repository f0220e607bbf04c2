"""Issue 10, points 2-4: sheets readable at their widths, colour that follows the APM's typing, one date format.

Real workbooks: the demo as `prodbook demo` writes it, and small trackers built
inline, refreshed through the part-level writer and read back with openpyxl;
LibreOffice prints the demo to PDF where it is installed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from conftest import base_sheets, write_book
from prodbook.cli import main
from prodbook.core.looks import (
    DEFAULT_DATE_FORMAT,
    date_text,
    fitted_widths,
    is_date_format,
    look_for,
    resolve,
    text_lines,
    with_date_text,
)
from prodbook.core.model.sheets import ISSUES, TA

DAY = "2026-11-25"
DATE_RE = re.compile(r"\b\d{2}-(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-\d{2}\b")


def cli(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(main, list(args))
    return r.exit_code, r.output


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The demo as a new user gets it."""
    folder = tmp_path_factory.mktemp("look-demo")
    assert cli("demo", str(folder), "--today", DAY)[0] == 0
    return folder / "demo-tracker.xlsx"


@pytest.fixture(scope="module")
def reported(demo, tmp_path_factory) -> Path:
    """A copy of the demo after `prodbook report` (its Production Report sheet and report workbook)."""
    path = tmp_path_factory.mktemp("look-report") / demo.name
    shutil.copy2(demo, path)
    assert cli("report", str(path), "--today", DAY)[0] in (0, 1)
    return path


def _width(ws, col: int) -> float:
    dim = ws.column_dimensions.get(get_column_letter(col))
    return dim.width if dim is not None and dim.width else 8.43


def _headers(ws) -> dict[str, int]:
    return {str(c.value): c.column for c in ws[1] if c.value is not None}


def _rules(ws) -> dict[str, list[tuple[str, str]]]:
    """Column letter -> (sqref, formula) of each conditional format rule on the sheet."""
    out: dict[str, list[tuple[str, str]]] = {}
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            for rng in str(cf.sqref).split():
                out.setdefault(re.match(r"[A-Z]+", rng).group(0), []).append((rng, rule.formula[0]))
    return out


# --- the pure part -----------------------------------------------------------------------------

def test_dates_read_the_same_everywhere():
    assert date_text(date(2026, 11, 25)) == "25-Nov-26"
    assert date_text(datetime(2026, 11, 25, 9, 5), "dd-mmm-yy hh:mm") == "25-Nov-26 09:05"
    assert date_text(date(2026, 1, 2), "dd/mm/yyyy") == "02/01/2026"
    assert date_text(date(2026, 1, 2), "dddd d mmmm yyyy") == "Friday 2 January 2026"
    assert with_date_text("due 2026-12-30, forecast 06 Jan 2027; ref 2026-13-40") == \
        "due 30-Dec-26, forecast 06-Jan-27; ref 2026-13-40"
    assert is_date_format("dd-mmm-yy") and is_date_format("yyyy-mm-dd")
    assert not is_date_format("General") and not is_date_format("[Red]dd") and not is_date_format("0.00")


def test_widths_fit_the_values_within_limits_and_long_text_wraps():
    look = look_for(ISSUES)
    headers = list(ISSUES.headers)
    problem = "the vendor has FOB 8.21 but the tracker has 7.81; type Yes in Accept " * 3
    widths = fitted_widths(look, headers, [["Orders"], ["F12"], [], [], [], [problem]])
    by = dict(zip(headers, widths))
    assert by["Problem"] == look.column("Problem").max_width and look.column("Problem").wrap
    assert by["Cell"] >= len("Cell") + 3  # room for the filter button
    assert text_lines(problem, by["Problem"]) >= 3 and text_lines("short", 10) == 1
    ta = look_for(TA, "dd/mm/yyyy")
    planned = ta.column("Planned")
    assert planned.number_format == "dd/mm/yyyy" and planned.min_width >= len("28/12/2026") + 2


def test_rules_name_columns_by_header_and_are_dropped_when_one_is_missing():
    rule = next(r for r in look_for(TA).rules if r.meaning == "Overdue")
    letters = {h: get_column_letter(i + 1) for i, h in enumerate(TA.headers)}
    assert resolve(rule, letters, 2) == 'AND(OR($J2="",AND(ISNUMBER($J2),$J2>TODAY())),$K2="Overdue")'
    assert resolve(rule, {"Status": "K"}, 2) is None


# --- point 2: readable at the widths prodbook writes --------------------------------------------

def _shown(value, fmt: str | None) -> str:
    if isinstance(value, datetime) and fmt and is_date_format(fmt.replace(" hh:mm", "")):
        return date_text(value, fmt)
    if isinstance(value, (datetime, date)):
        return date_text(value, fmt if fmt and is_date_format(fmt) else "mm/dd/yyyy")
    if isinstance(value, bool):
        return "TRUE"
    if isinstance(value, int):
        return f"{value:,}" if fmt and "," in fmt else str(value)
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def cut_cells(path: Path, sheets: tuple[str, ...]) -> list[str]:
    """Cells whose value does not show whole at the sheet's widths: a number or date wider than its column
    (Excel and LibreOffice show ###), or unwrapped text wider than its column with a neighbour to its right."""
    wb = openpyxl.load_workbook(path)
    out = []
    for name in sheets:
        ws = wb[name]
        widths = {c: _width(ws, c) for c in range(1, ws.max_column + 1)}
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                v = cell.value
                if v is None or v == "" or (isinstance(v, str) and v.startswith("=")):
                    continue
                text = _shown(v, cell.number_format)
                room = widths[cell.column]
                if not isinstance(v, str):
                    if len(text) + 1 > room:
                        out.append(f"{name}!{cell.coordinate} {text!r} in width {room}")
                elif not cell.alignment.wrap_text and len(text) > room:
                    right = ws.cell(row=cell.row, column=cell.column + 1).value
                    if right not in (None, ""):
                        out.append(f"{name}!{cell.coordinate} {text[:30]!r}... in width {room}")
    return out


GENERATED = ("T&A", "Issues", "Exceptions", "Follow-ups", "Vendor WIP", "Change Log", "Production Report")


def test_point2_every_value_of_the_demo_shows_whole_at_its_width(demo, reported):
    cut = cut_cells(demo, GENERATED[:-1] + ("Orders", "Styles")) + cut_cells(reported, ("Production Report",))
    assert not cut, f"{len(cut)} cut cells, e.g.:\n" + "\n".join(cut[:15])
    wb = openpyxl.load_workbook(demo)
    for sheet, header, least in (("Exceptions", "ID", len("EX-0001") + 2), ("Issues", "Problem", 50),
                                 ("Vendor WIP", "PO #", 12), ("Follow-ups", "Due", len("25-Nov-26") + 2),
                                 ("Change Log", "Timestamp", len("25-Nov-26 09:05") + 2)):
        ws = wb[sheet]
        assert _width(ws, _headers(ws)[header]) >= least, (sheet, header)
    ws = wb["Issues"]
    problem = _headers(ws)["Problem"]
    assert all(ws.cell(row=r, column=problem).alignment.wrap_text for r in range(2, ws.max_row + 1))


def test_point2_a_sheet_the_writer_creates_fits_its_rows(tracker):
    code, out = cli("refresh", str(tracker), "--today", "2027-02-01")
    assert code in (0, 1), out
    assert not cut_cells(tracker, ("Issues", "Change Log"))  # created by this run (the T&A is the user's)
    wb = openpyxl.load_workbook(tracker)
    ws = wb["Change Log"]
    assert ws["A2"].number_format == "dd-mmm-yy hh:mm" and _width(ws, 1) >= len("25-Nov-26 09:05") + 2
    ws = wb["Issues"]
    assert ws.freeze_panes == "A2" and ws["A1"].font.b and ws["A1"].fill.fgColor.rgb.endswith("1F4E78")


@pytest.mark.libreoffice
def test_point2_the_demo_printed_to_pdf_has_no_hash_cells_and_every_date_whole(demo, tmp_path):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(demo)], check=True, capture_output=True, timeout=600)
    pdf = tmp_path / (demo.stem + ".pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          timeout=300).stdout.decode("utf-8")
    assert "###" not in text, f"{text.count('###')} cells show ###"
    # every date cell of the visible sheets is printed whole (a cut date would not match dd-Mmm-yy)
    wb = openpyxl.load_workbook(demo)
    dates = sum(isinstance(c.value, (date, datetime)) for ws in wb.worksheets if ws.sheet_state == "visible"
                for row in ws.iter_rows() for c in row)
    assert dates > 5000 and len(DATE_RE.findall(text)) >= dates


# --- point 3: colour on status and severity, live as the APM types -------------------------------

def test_point3_status_and_severity_columns_are_coloured_over_every_row(demo, reported):
    wb = openpyxl.load_workbook(demo)
    want = {"T&A": ("Status", ("Overdue", "Due soon")), "Issues": ("Severity", ("error", "warning")),
            "Exceptions": ("Severity", ("error", "warning")), "Follow-ups": ("Days Overdue", (">0",)),
            "Production Report": ("Status", ("Late for cancel", "At risk"))}
    for sheet, (header, words) in want.items():
        ws = (openpyxl.load_workbook(reported) if sheet == "Production Report" else wb)[sheet]
        letter = get_column_letter(_headers(ws)[header])
        rules = _rules(ws).get(letter, [])
        assert rules, f"{sheet}: no conditional format on {header}"
        for rng, _formula in rules:
            assert rng == f"{letter}2:{letter}{ws.max_row}", (sheet, rng, ws.max_row)  # the whole column's data
        formulas = " ".join(f for _, f in rules)
        assert all(w in formulas for w in words), (sheet, formulas)
        assert not any(c.fill.fgColor.rgb not in (None, "00000000") and c.fill.fill_type
                       for c in ws[letter][1:]), f"{sheet}: static fills on {header}"
    # the T&A's colours follow the Actual date the APM types, not only the status prodbook wrote
    ws = wb["T&A"]
    h = _headers(ws)
    actual, planned = get_column_letter(h["Actual"]), get_column_letter(h["Planned"])
    formulas = [f for _, f in _rules(ws)[get_column_letter(h["Status"])]]
    assert f'AND(ISNUMBER(${actual}2),${actual}2<=TODAY(),ISNUMBER(${planned}2),${actual}2>${planned}2)' in formulas
    # blank, or a date to come (typed ahead): the Overdue prodbook wrote stays red
    assert f'AND(OR(${actual}2="",AND(ISNUMBER(${actual}2),${actual}2>TODAY())),$K2="Overdue")' in formulas


def test_point3_the_report_workbook_colours_late_lines_by_rule(reported):
    report = next(reported.parent.glob("Production Report *.xlsx"))
    ws = openpyxl.load_workbook(report)["PO Lines"]
    letter = get_column_letter(_headers(ws)["Status"])
    rules = _rules(ws)[letter]
    assert any("Late for cancel" in f for _, f in rules) and rules[0][0] == f"{letter}2:{letter}{ws.max_row}"
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref


def test_point3_a_sheet_the_writer_creates_gets_the_rules_and_they_grow_with_its_rows(tracker):
    assert cli("validate", str(tracker), "--today", "2027-02-01")[0] in (0, 1)
    wb = openpyxl.load_workbook(tracker)
    ws = wb["Issues"]
    letter = get_column_letter(_headers(ws)["Severity"])
    assert ws.max_row > 2 and [r for r, _ in _rules(ws)[letter]] == [f"{letter}2:{letter}{ws.max_row}"] * 2


# --- the user's own formats stay theirs ----------------------------------------------------------

def test_a_users_own_formats_on_an_existing_sheet_are_untouched(tmp_path):
    sheets = base_sheets()
    sheets["T&A"][0] = [h for h in sheets["T&A"][0] if h != "Variance"]  # prodbook appends it
    path = write_book(tmp_path / "tracker.xlsx", sheets)
    wb = openpyxl.load_workbook(path)
    ws = wb["T&A"]
    ws.column_dimensions["F"].width = 55
    ws.column_dimensions["H"].width = 9.5
    ws["A1"].fill = PatternFill("solid", fgColor="FF00FF")
    ws["A1"].font = Font(italic=True)
    ws.conditional_formatting.add("K2:K500", FormulaRule(formula=['$K2="Overdue"'], font=Font(color="0000FF")))
    iss = wb.create_sheet("Issues")
    iss.append(list(ISSUES.headers))
    iss.column_dimensions["F"].width = 20
    wb.save(path)
    code, out = cli("refresh", str(path), "--today", "2027-02-01")
    assert code in (0, 1), out
    wb = openpyxl.load_workbook(path)
    ws = wb["T&A"]
    assert ws.column_dimensions["F"].width == 55 and ws.column_dimensions["H"].width == 9.5
    assert ws["A1"].fill.fgColor.rgb.endswith("FF00FF") and ws["A1"].font.i
    assert [(str(cf.sqref), [r.formula for r in cf.rules]) for cf in ws.conditional_formatting] == \
        [("K2:K500", [['$K2="Overdue"']])]  # theirs, as they were; none of prodbook's added
    assert ws["H2"].number_format == "yyyy-mm-dd" or ws["H2"].number_format == DEFAULT_DATE_FORMAT
    variance = _headers(ws)["Variance"]  # the column prodbook added gets a width and its number format
    assert variance == 13 and _width(ws, variance) >= len("Variance") + 3
    assert ws.cell(row=2, column=variance).number_format == "#,##0"
    assert wb["Issues"].column_dimensions["F"].width == 20 and not list(wb["Issues"].conditional_formatting)


# --- point 4: one date format ------------------------------------------------------------------

def test_point4_one_date_format_in_every_sheet_and_every_email(demo, reported):
    wb = openpyxl.load_workbook(reported)
    formats = {}
    for sheet in ("T&A", "Orders", "Follow-ups", "Exceptions", "Vendor WIP", "Production Report"):
        for row in wb[sheet].iter_rows(min_row=2):
            for c in row:
                if isinstance(c.value, datetime):
                    formats.setdefault(c.number_format, f"{sheet}!{c.coordinate}")
    assert set(formats) == {DEFAULT_DATE_FORMAT}, formats
    assert {c.number_format for c in wb["Change Log"]["A"][1:] if c.value} == {f"{DEFAULT_DATE_FORMAT} hh:mm"}
    emails = list((demo.parent / "Follow-up drafts").rglob("*.eml"))
    assert emails
    for path in emails:
        msg = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        for part in ("plain", "html"):
            body = msg.get_body((part,)).get_content()
            assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2} (?:Nov|Dec|Jan) \d{4}\b", body), path.name
            assert DATE_RE.search(body)
        assert DATE_RE.search(msg["Subject"])


def test_point4_the_config_date_format_is_used_by_the_writer_emails_and_html(tmp_path):
    sheets = base_sheets()
    sheets["Config"] = [["Setting", "Value"], ["Date Format", "dd/mm/yyyy"]]
    path = write_book(tmp_path / "tracker.xlsx", sheets)
    code, out = cli("refresh", str(path), "--today", "2027-02-01")
    assert code in (0, 1), out
    wb = openpyxl.load_workbook(path)
    ws = wb["T&A"]
    assert ws.cell(row=2, column=_headers(ws)["Planned"]).number_format == "dd/mm/yyyy"
    html = tmp_path / "report.html"
    assert cli("report", str(path), "--today", "2027-02-01", "--out", str(html))[0] in (0, 1)
    page = html.read_text(encoding="utf-8")
    assert "Production report, 01/02/2027" in page and re.search(r"What changed since \d{2}/\d{2}/\d{4}<", page)


def test_a_date_format_that_is_not_one_is_a_warning_and_the_default_applies(tmp_path):
    sheets = base_sheets()
    sheets["Config"] = [["Setting", "Value"], ["Date Format", "0.00"]]
    path = write_book(tmp_path / "tracker.xlsx", sheets)
    code, out = cli("refresh", str(path), "--today", "2027-02-01")
    assert "'0.00' is not a date format" in out and "Config" in out
    ws = openpyxl.load_workbook(path)["T&A"]
    assert ws.cell(row=2, column=_headers(ws)["Planned"]).number_format == DEFAULT_DATE_FORMAT


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.dates(), st.datetimes()),
                          st.sampled_from(["dd-mmm-yy", "d/m/yyyy", "mm/dd/yyyy hh:mm", "yyyy-mm-dd", "dddd d mmmm",
                                           "[Red]0", ""])), max_size=30))
def test_date_text_remembered_per_day_reads_as_worked_out(pairs: list[tuple[date, str]]) -> None:
    """The per-day cache gives each date, and each datetime, the text worked out afresh."""
    from prodbook.core.looks import _date_text, date_text

    for value, code in pairs + pairs:
        assert date_text(value, code) == _date_text(value, code)


_FORMAT_PIECES = st.sampled_from(["d", "dd", "mmm", "yyyy", "h", "[h]", "[mm]", "ss", "0", "0.00", "#,##0", "@",
                                  '"day"', '"m"', "\\d", "_m", "[Red]", "[$-409]", "[$USD]", ";", " ", "/", "-",
                                  "General", "AM/PM", "E+00", "%", "[s]", "[>100]"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_FORMAT_PIECES, max_size=8).map("".join))
def test_date_formats_are_told_as_openpyxl_tells_them(code):
    """prodbook's own copy of the rule (importing openpyxl for it cost each run ~0.1 s) stays openpyxl's."""
    from openpyxl.styles.numbers import is_date_format as openpyxl_rule

    from prodbook.workbook.xlsx.styles import is_date_format

    assert is_date_format(code) == openpyxl_rule(code)


def test_every_font_prodbook_writes_names_its_face(reported, tracker):
    """The report's, the demo's and a created sheet's fonts were written bold or coloured without a name:
    LibreOffice drew them in a wider serif, and headers fitted to Calibri were cut off."""
    import re
    import zipfile
    report = next(reported.parent.glob("Production Report *.xlsx"))
    for book in (report, tracker):
        with zipfile.ZipFile(book) as z:
            styles = z.read("xl/styles.xml").decode()
        fonts = re.search(r"<fonts\b[^>]*>(.*?)</fonts>", styles, re.S).group(1)
        nameless = [f for f in re.findall(r"<font\b[^>]*?(?:/>|>.*?</font>)", fonts, re.S) if "<name " not in f]
        assert nameless == [], (book.name, nameless)


@pytest.mark.libreoffice
def test_point8_the_report_workbooks_summary_prints_on_one_page_with_its_chart(reported, tmp_path):
    """The Summary's figures, its By vendor table to the last column and the chart print together: the
    table and the chart were split over two portrait pages, the chart's legend cut off at the edge."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    book = reported.parent / f"Production Report {DAY}.xlsx"
    wb = openpyxl.load_workbook(book)
    for name in wb.sheetnames[1:]:
        wb[name].sheet_state = "hidden"
    wb.save(tmp_path / "summary.xlsx")
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "summary.xlsx")],
                   check=True, capture_output=True, timeout=600)
    pages = subprocess.run(["pdftotext", "-layout", str(tmp_path / "summary.pdf"), "-"], check=True,
                           capture_output=True, timeout=300).stdout.decode("utf-8").strip("\f\n").split("\f")
    assert len(pages) == 1, f"{len(pages)} pages"
    for words in ("By vendor", "Open exceptions", "PO lines on track vs at risk", "On track / shipped"):
        assert words in pages[0], words
