"""An APM brings the team's own tracker: sheets and headers named the team's way, title rows, a header typed over
two lines, a total row typed under the PO lines. Real .xlsx files written, run and read back."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation

from conftest import base_sheets, sheet_values, write_book
from prodbook.core.findings import Code
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run

TODAY = date(2027, 2, 1)


def ctx(out: Path) -> Context:
    return Context(today=TODAY, now=datetime(2027, 2, 1, 9), out=out)


def team_book(path: Path) -> Path:
    """The base tracker with its Orders sheet kept the team's way: 'PO Tracker', a merged title and a 'Last
    updated' line above the header, 'Ex-Fty' / 'Date' typed over two lines, a formula column of the team's, a
    drop-down, and a TOTAL row typed under the PO lines (no Excel Table)."""
    sheets = base_sheets()
    del sheets["Orders"]
    write_book(path, sheets)
    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet("PO Tracker", 0)
    ws["A1"] = "SS27 KNITS - PO TRACKER"
    ws["A1"].font = Font(bold=True, size=16)
    ws.merge_cells("A1:J1")
    ws["A2"], ws["B2"] = "Last updated:", date(2027, 1, 28)
    header = ["PO No.", "Style No", "Colour", "Qty", "PO Date", "Ex-Fty\nDate", "In DC", "Cxl Date", "Days to XF",
              "Comments"]
    for c, h in enumerate(header, 1):
        ws.cell(4, c, h).alignment = Alignment(wrap_text=True)
    rows = [(4500000001, "S1", "Navy", 1200, date(2027, 1, 4), date(2027, 4, 15), date(2027, 5, 10),
             date(2027, 5, 20)),
            ("4500000002 ", "S2", "Black", "800", date(2027, 1, 11), "TBC", date(2027, 5, 30), date(2027, 6, 5))]
    for r, row in enumerate(rows, 5):
        for c, v in enumerate(row, 1):
            ws.cell(r, c, v)
        ws.cell(r, 9, f'=IF(ISNUMBER(F{r}),F{r}-TODAY(),"")')
    ws["A8"], ws["D8"] = "TOTAL", "=SUM(D5:D6)"
    dv = DataValidation(type="list", formula1='"Open,Cxl"', allow_blank=True)
    dv.add("J5:J6")
    ws.add_data_validation(dv)
    ws.freeze_panes = "B5"
    cfg = wb.create_sheet("Config")
    cfg.append(["Setting", "Value"])
    cfg.append(["Sheet: Orders", "PO Tracker"])
    wb.save(path)
    return path


def test_header_typed_over_two_lines_is_said_on_one_line(tmp_path: Path) -> None:
    """'Ex-Fty' / 'Date' (Alt+Enter in the header cell) is one column: the message names it on one line, so the
    terminal shows one message a line and the APM finds the column as Excel shows it."""
    book = team_book(tmp_path / "team.xlsx")
    result = run(book, ["validate"], ctx(tmp_path))
    bad = [f for f in result.findings if f.code is Code.DATE_NOT_YET and f.sheet == "PO Tracker"]  # not yet known
    assert [(f.row, f.value) for f in bad] == [(6, "TBC")]
    assert "column 'Ex-Fty Date'" in bad[0].text()
    assert "\n" not in bad[0].text()


def test_total_row_typed_under_the_po_lines_is_not_a_po_line(tmp_path: Path) -> None:
    """A 'TOTAL' typed in the PO column with a SUM under Qty (no Table Total Row) is a sum, not a PO line missing
    its style and colour: no finding at its row, no milestone for it, and the row stays as the team typed it."""
    book = team_book(tmp_path / "team.xlsx")
    result = run(book, ["validate", "ta"], ctx(tmp_path))
    assert [f.text() for f in result.findings if f.sheet == "PO Tracker" and f.row == 8] == []
    ta = sheet_values(book, "T&A")
    assert {r[0] for r in ta[1:]} == {"4500000001", "4500000002"}
    orders = sheet_values(book, "PO Tracker")
    assert orders[7][0] == "TOTAL" and orders[7][3] == "=SUM(D5:D6)"
    assert orders[3][5] == "Ex-Fty\nDate" and orders[0][0] == "SS27 KNITS - PO TRACKER"
    ws = openpyxl.load_workbook(book)["PO Tracker"]
    assert ws.freeze_panes == "B5" and "A1:J1" in {str(m) for m in ws.merged_cells.ranges}
    assert [str(d.sqref) for d in ws.data_validations.dataValidation] == ["J5:J6"]
    assert ws["I5"].value == '=IF(ISNUMBER(F5),F5-TODAY(),"")'


def test_issue_links_to_the_teams_column_when_a_rule_names_prodbooks_header(tmp_path: Path) -> None:
    """A check that names the field by prodbook's header ('Holiday Country', 'Ex-Factory') on a sheet where the
    team calls it otherwise ('Holidays', 'Ex-Fty Date'): the Issues sheet's Cell goes to the team's cell, not to
    column A of the row."""
    book = team_book(tmp_path / "team.xlsx")
    wb = openpyxl.load_workbook(book)
    wb["Vendors"]["G1"] = "Holidays"
    wb.save(book)
    run(book, ["ta"], ctx(tmp_path))
    issues = sheet_values(book, "Issues")
    head = issues[0]
    rows = [dict(zip(head, r)) for r in issues[1:]]
    holiday = [r for r in rows if r["Sheet"] == "Vendors" and r["Code"] == str(Code.NO_HOLIDAY_DATA)]
    assert holiday and all("'Vendors'!G" in r["Cell"] for r in holiday), holiday
    anchor = [r for r in rows if r["Sheet"] == "PO Tracker" and r["Code"] == str(Code.ANCHOR_DATE_MISSING)]
    assert anchor and all("'PO Tracker'!F6" in r["Cell"] for r in anchor), anchor


def test_style_column_the_team_does_not_keep_says_how_to_stop_asking(tmp_path: Path) -> None:
    """A Style Master without a Retail column gives an error per adopted style every run; the message says the
    Config row that stops it ('Required: Adopted'), and that row, typed as said, does."""
    sheets = base_sheets()
    sheets["Styles"] = [["Style No", "Description", "Supplier", "TNA Plan", "Style Status"],
                        ["S1", "Crew tee", "BD1", "Knit", "Adopted"],
                        ["S2", "Chino", "CN1", "Knit", "Adopted"]]
    sheets["Config"] = [["Setting", "Value"], ["Column: Styles / T&A Template", "TNA Plan"]]
    book = write_book(tmp_path / "team.xlsx", sheets)
    result = run(book, ["validate"], ctx(tmp_path))
    retail = [f for f in result.findings if f.code is Code.REQUIRED and f.column == "Retail (USD)"]
    assert [f.row for f in retail] == [2]  # one for the column, naming the styles that need it
    assert "2 styles" in retail[0].message and "Config row 'Required: Adopted'" in retail[0].message
    wb = openpyxl.load_workbook(book)
    wb["Config"].append(["Required: Adopted", "Description, Vendor, T&A Template"])
    wb.save(book)
    again = run(book, ["validate"], ctx(tmp_path))
    assert [f.text() for f in again.findings if f.code is Code.REQUIRED] == []
