"""A formula the APM wrote in their own sheet is never typed over by a fix or an undo.

calamine reads a formula cell's last calculated value, so Styles' FOB may read 5 while it is
``=Costing!B7``. Until 2026-12-04 an accepted fix replaced such a formula with the vendor's number (and an
undo put back a constant, not the formula): the APM's link to their costing was gone.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl

from conftest import sheet_values
from fakexl import FakeBook, Formula
from prodbook.core.findings import Code
from prodbook.jobs.runner import run
from prodbook.workbook.xlbook import XlBook
from test_development import STYLE_HEADER, costing_file, ctx, dip_book, disc_book, issue_rows, type_in

FOB = STYLE_HEADER.index("FOB (USD)")
FOB_LETTER = openpyxl.utils.get_column_letter(FOB + 1)


def with_formula(path: Path, cell: str, formula: str, value: float | str, sheet: str = "Styles") -> None:
    """Put a formula with its calculated value in a cell, as Excel saves one (openpyxl would drop the value,
    which calamine reads)."""
    with zipfile.ZipFile(path) as z:
        members = [(i, z.read(i.filename)) for i in z.infolist()]
    part = f"xl/worksheets/sheet{openpyxl.load_workbook(path).sheetnames.index(sheet) + 1}.xml"
    kind = ' t="str"' if isinstance(value, str) else ""

    def edit(text: str) -> str:
        found = re.search(rf'<c r="{cell}"([^>]*?)(?:/>|>.*?</c>)', text, re.S)
        assert found, cell
        attrs = re.sub(r'\st="[^"]*"', "", found.group(1))
        return (text[:found.start()] + f'<c r="{cell}"{attrs}{kind}><f>{formula}</f><v>{value}</v></c>'
                + text[found.end():])

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            z.writestr(info, edit(data.decode()).encode() if info.filename == part else data)


def formula_in(path: Path, cell: str) -> str | None:
    v = openpyxl.load_workbook(path)["Styles"][cell].value
    return v if isinstance(v, str) and v.startswith("=") else None


def accept_fob(path: Path) -> int:
    run(path, ["validate"], ctx(files=(costing_file(path.parent),)))
    row = next(i + 2 for i, r in enumerate(issue_rows(path)) if r["Code"] == "vendor-fob-differs")
    type_in(path, "Issues", row, "Accept", "Yes")
    return row


def apply_fixes(path: Path):
    return run(path, ["apply", "validate"], ctx(files=(costing_file(path.parent),)), title="Apply fixes")


def test_a_fix_to_a_cell_holding_a_formula_is_left_and_the_formula_kept(tmp_path):
    path = disc_book(tmp_path)
    row = accept_fob(path)
    with_formula(path, f"{FOB_LETTER}2", "2.5*2", 5)
    result = apply_fixes(path)
    assert formula_in(path, f"{FOB_LETTER}2") == "=2.5*2"
    f = next(f for f in result.findings if f.code is Code.FIX_NOT_APPLIED and f.row == row)
    assert f"cell {FOB_LETTER}2 of 'Styles' holds a formula (=2.5*2)" in f.message, f.message
    assert not [r for r in openpyxl.load_workbook(path)["Change Log"].iter_rows(values_only=True)
                if r[1] and str(r[1]).startswith("Apply fixes") and r[2] == "Styles"]


def test_an_undo_keeps_a_formula_typed_since(tmp_path):
    path = disc_book(tmp_path)
    accept_fob(path)
    apply_fixes(path)
    assert openpyxl.load_workbook(path)["Styles"][f"{FOB_LETTER}2"].value == 5.25
    with_formula(path, f"{FOB_LETTER}2", "5.2+0.05", 5.25)  # the APM links it to their costing since
    result = run(path, ["undo"], ctx())
    assert formula_in(path, f"{FOB_LETTER}2") == "=5.2+0.05"
    kept = next(f for f in result.findings if f.code is Code.UNDO_KEPT)
    assert "holds a formula now (=5.2+0.05)" in kept.message and kept.row == 2, kept.message


def test_live_formulas_are_read_from_excel(tmp_path):
    path = disc_book(tmp_path)
    book = FakeBook.from_file(path)
    book.sheets["Styles"].cells[(2, FOB + 1)] = Formula("=Costing!B7")
    xl = XlBook(book, progress=False)
    assert xl.formulas("Styles", [(2, FOB), (3, FOB)]) == {(2, FOB): "=Costing!B7"}


def test_a_lab_dip_approval_leaves_an_actual_that_is_the_team_s_formula(tmp_path):
    """A T&A Actual that reads blank because the team's lookup gives "" is not filled with the approval date
    (it was replaced by the date, the lookup gone), and its status stays what the sheet shows."""
    path = dip_book(tmp_path)
    type_in(path, "Lab Dips", 4, "Decision", None)  # S2 Black: still with the buyer
    run(path, ["ta"], ctx())
    rows = sheet_values(path, "T&A")
    at = next(i + 1 for i, r in enumerate(rows) if r[1] == "S2" and r[4] == "LD-APP")
    cell = f"{openpyxl.utils.get_column_letter(rows[0].index('Actual') + 1)}{at}"
    type_in(path, "Lab Dips", 4, "Decision", "Approved")
    type_in(path, "T&A", at, "Actual", "x")  # a cell to put the formula in
    with_formula(path, cell, 'IFERROR(VLOOKUP(B5,Dips!A:B,2,0),"")', "", sheet="T&A")
    run(path, ["ta"], ctx())
    ws = openpyxl.load_workbook(path)["T&A"]
    assert ws[cell].value == '=IFERROR(VLOOKUP(B5,Dips!A:B,2,0),"")'
    assert ws.cell(at, rows[0].index("Status") + 1).value == "Overdue"
    assert not [r for r in sheet_values(path, "Change Log") if r[4] == "Actual" and str(r[3]).endswith("LD-APP")]


def test_formulas_are_found_in_a_long_sheet_whose_blocks_without_one_are_passed_over(tmp_path):
    """An undo asks every Notes cell of a long T&A for a formula: blocks of the sheet holding none are passed
    over by their last row's number; a formula far down, or on a row right after such a block, is found."""
    from prodbook.workbook.xlsx.package import _Package
    from prodbook.workbook.xlsx.user_cells import formulas_at

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("T&A")
    ws.append(["PO #", "Code", "Notes"])
    at = {5: "=A5&\"x\"", 30_001: "=1+1", 60_000: "=LEN(A60000)"}
    for r in range(2, 60_001):
        ws.append([f"45{r:08d}", "CUT milestone text to make the rows long enough", at.get(r, f"note {r}")])
    path = tmp_path / "long.xlsx"
    wb.save(path)
    with _Package(path) as pkg:
        part = "xl/worksheets/sheet1.xml"
        asked = [(r, 2) for r in range(2, 60_001)]
        assert formulas_at(pkg, part, "T&A", asked) == {(r, 2): f for r, f in at.items()}
        assert formulas_at(pkg, part, "T&A", None) == {(r, 2): f for r, f in at.items()}
        assert formulas_at(pkg, part, "T&A", [(30_000, 2), (30_002, 2)]) == {}
