"""Vendor headers by meaning (core/headers.py) and vendor cells as written (workbook/vendor_files.py):
the three cases of issue 11 on files written here, the default synonyms, ambiguity as a finding, the
Config mapping winning, formula and link cells."""

from __future__ import annotations

import csv
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from conftest import assert_finding
from prodbook.core import headers
from prodbook.core.config import Config
from prodbook.core.development.discrepancies import VENDOR_STYLES
from prodbook.core.findings import Code
from prodbook.core.model.sheets import VENDOR_WIP
from prodbook.jobs.runner import run
from prodbook.workbook import vendor_files
from test_wip import as_date, ctx, tracker_with_lines, wip_rows

REVISED_WORDINGS = ("REVISED EX-FTY", "Rev. XF", "New Ex-Fac Date", "Latest ETD", "XF (revised)")


def best(vocabulary, text: str, group: str = "") -> str | None:
    """The field a header goes to on its own, or None (no field, or no clear winner)."""
    cell = headers.Cell(0, text, headers.words(text), headers.words(group))
    a = headers.assign([cell], vocabulary)
    return next(iter(a.columns), None)


# --- the words -------------------------------------------------------------------------------------

@pytest.mark.parametrize("spec, vocabulary", [(VENDOR_WIP, headers.WIP_VOCABULARY),
                                              (VENDOR_STYLES, headers.STYLE_VOCABULARY)])
def test_every_default_header_and_synonym_reads_as_its_field(spec, vocabulary):
    fields = {v.field for v in vocabulary}
    for col in spec.columns:
        if col.field not in fields:
            continue
        for text in (col.header, *col.synonyms):
            assert best(vocabulary, text) == col.field, text


@pytest.mark.parametrize("text", REVISED_WORDINGS + ("Revised ETD", "Updated XF", "Current Ex-Factory",
                                                     "Ex-Factory (New)", "REV. X-FTY DATE",
                                                     "Delayed XF Date", "Proposed Ex-Fty", "Confirmed Ex-Fty Date",
                                                     "Ex-Fty (Factory)", "Vendor XF", "Factory ETD"))
def test_revised_ex_factory_wordings(text):
    assert best(headers.WIP_VOCABULARY, text) == "revised_xf"


@pytest.mark.parametrize("text", ("EX-FTY", "XF", "Original XF", "Contract Ex-Fac", "PO XF Date",
                                  "Orig. ETD", "Ship Date", "Ex-Factory Date (planned)", "Ex Factory Date",
                                  "Ex-Fty (Buyer)"))
def test_planned_ex_factory_wordings(text):
    assert best(headers.WIP_VOCABULARY, text) == "planned_xf"


@pytest.mark.parametrize("text", ("Sewing Input", "PO Date", "Cut Today", "Fabric ETA", "Booking Date",
                                  "Actual XF", "Cut Balance", "Packing List", "Style Name", "Order Value",
                                  "In-DC Date", "Pcs"))
def test_other_columns_go_to_no_field(text):
    assert best(headers.WIP_VOCABULARY, text) is None


def test_words_fold_case_accents_punctuation_and_numbers():
    assert headers.words("Référence Nº") == ("reference", "#")
    assert headers.words("  PO No.  ") == ("po", "#")
    assert headers.words("Order Qty\n(pcs)") == ("order", "qty", "pcs")


def test_a_group_word_gives_the_concept_but_is_not_scored_itself():
    wip = headers.WIP_VOCABULARY
    assert best(wip, "Planned", "Ex-Factory") == "planned_xf"
    assert best(wip, "Revised", "Ex-Factory") == "revised_xf"
    assert best(wip, "Order", "Quantity") == "order_qty"
    assert best(wip, "Cut", "Quantity") == "cut_qty"
    assert best(wip, "Remarks", "Ex-Factory") == "remarks"  # a group word that ran on too far
    assert best(wip, "Planned") is None  # on its own it says nothing


@pytest.mark.parametrize("pair", [("XF Date", "Delayed XF Date"), ("Ex-Fty (Buyer)", "Ex-Fty (Factory)"),
                                  ("Contract XF", "Proposed XF")])
def test_the_vendors_own_date_beside_the_buyers_is_the_revised_one(pair):
    a = headers.assign(headers.one_row_cells(["PO", *pair]), headers.WIP_VOCABULARY)
    assert (a.columns.get("planned_xf"), a.columns.get("revised_xf"), a.ambiguous) == (1, 2, ())


def test_two_columns_for_one_field_are_ambiguous_and_the_config_mapping_decides():
    cells = headers.one_row_cells(["PO", "EX-FTY", "XF Date", "Rev XF"])
    a = headers.assign(cells, headers.WIP_VOCABULARY)
    assert "planned_xf" not in a.columns and a.columns["revised_xf"] == 3
    (amb,) = a.ambiguous
    assert amb.fields == ("planned_xf",) and [c.text for c in amb.cells] == ["EX-FTY", "XF Date"]
    fixed = headers.assign(cells, headers.WIP_VOCABULARY, {"planned_xf": 2})
    assert fixed.columns["planned_xf"] == 2 and not fixed.ambiguous


# --- case 1: a csv with REVISED EX-FTY beside EX-FTY ---------------------------------------------

def write_csv(path: Path, rows: list[list], encoding: str = "utf-8", delimiter: str = ",") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    return path


@pytest.mark.parametrize("revised", REVISED_WORDINGS)
def test_case_1_revised_ex_factory_beside_ex_factory(tmp_path, revised):
    book = tracker_with_lines(tmp_path)
    f = write_csv(tmp_path / "dhaka_wip_20270301.csv", [
        ["PO", "STYLE", "COLOUR", "ORDER QTY", "CUT", "EX-FTY", revised, "REMARKS"],
        ["4500000001", "S1", "Navy", "1,200", "1,150", "15-Apr-2027", "29-Apr-2027", "late fabric"],
        ["4500000001", "S1", "Heather Grey", "600", "600", "15-Apr-2027", "", ""]])
    result = run(book, ["wip"], ctx(f))
    navy, grey = wip_rows(book)
    assert as_date(navy["Planned XF"]) == date(2027, 4, 15) and as_date(navy["Revised XF"]) == date(2027, 4, 29)
    assert (navy["Order Qty"], navy["Cut Qty"], navy["Remarks"]) == (1200, 1150, "late fabric")
    assert as_date(grey["Planned XF"]) == date(2027, 4, 15) and grey["Revised XF"] is None
    assert not [x for x in result.findings if x.code is Code.WIP_HEADER]


def test_two_planned_dates_are_a_finding_not_a_guess_and_config_decides(tmp_path):
    rows = [["PO", "Style", "Color", "EX-FTY", "XF Date", "Revised XF"],
            ["4500000001", "S1", "Navy", "2027-04-15", "2027-04-22", "2027-04-29"]]
    book = tracker_with_lines(tmp_path)
    result = run(book, ["wip"], ctx(write_csv(tmp_path / "dhaka_20270301.csv", rows)))
    (row,) = wip_rows(book)
    assert row["Planned XF"] is None and as_date(row["Revised XF"]) == date(2027, 4, 29)
    found = assert_finding(result.findings, Code.WIP_HEADER, file="dhaka_20270301.csv")
    assert "'EX-FTY' (column D)" in found.message and "'XF Date' (column E)" in found.message
    assert "'WIP Column: BD1 / Planned XF'" in found.message and found.severity == "warning"
    # the APM says which on the Config sheet: that column is read, nothing else asked
    (tmp_path / "mapped").mkdir()
    book2 = tracker_with_lines(tmp_path / "mapped", [["WIP Column: BD1 / Planned XF", "XF Date"]])
    result = run(book2, ["wip"], ctx(write_csv(tmp_path / "dhaka_20270301.csv", rows)))
    (row,) = wip_rows(book2)
    assert as_date(row["Planned XF"]) == date(2027, 4, 22)
    assert not [x for x in result.findings if x.code is Code.WIP_HEADER]


def test_two_po_columns_stop_that_file_with_an_error(tmp_path):
    book = tracker_with_lines(tmp_path)
    f = write_csv(tmp_path / "dhaka_20270301.csv", [["PO #", "Order No", "Style", "Color"],
                                                     ["4500000001", "4500000001", "S1", "Navy"]])
    result = run(book, ["wip"], ctx(f))
    found = assert_finding(result.findings, Code.WIP_HEADER, file=f.name)
    assert found.severity == "error" and "not imported" in found.message
    assert result.outcomes[0].data["imported"] == 0


# --- case 2: a two-row merged header ----------------------------------------------------------------

def two_row_xlsx(path: Path) -> Path:
    """'Order' merged down over both header rows; 'Ex-Factory' merged across 'Planned | Revised'."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Dhaka Knit - WIP as of 01-Mar-2027"])
    ws.append(["PO", "Style", "Colour", "Order", "Ex-Factory", None, "Production", None, "Remarks"])
    ws.append([None, None, None, None, "Planned", "Revised", "Cut", "Packed", None])
    for col in "ABCDI":
        ws.merge_cells(f"{col}2:{col}3")
    ws.merge_cells("E2:F2")
    ws.merge_cells("G2:H2")
    ws.append(["4500000001", "S1", "Navy", 1200, date(2027, 4, 15), date(2027, 4, 29), "1,150", 300, "ok"])
    ws.append(["4500000001", "S1", "Heather Grey", "600 pcs", "15/04/2027", None, 600, 0, None])
    wb.save(path)
    return path


def test_case_2_two_row_header_merged_down_and_across(tmp_path):
    book = tracker_with_lines(tmp_path, [["Date Order", "DMY"]])
    result = run(book, ["wip"], ctx(two_row_xlsx(tmp_path / "dhaka two-row.xlsx")))
    navy, grey = wip_rows(book)
    assert (navy["Order Qty"], navy["Cut Qty"], navy["Packed Qty"], navy["Remarks"]) == (1200, 1150, 300, "ok")
    assert as_date(navy["Planned XF"]) == date(2027, 4, 15) and as_date(navy["Revised XF"]) == date(2027, 4, 29)
    assert (grey["Order Qty"], grey["Cut Qty"], grey["Packed Qty"]) == (600, 600, 0)
    assert as_date(grey["Planned XF"]) == date(2027, 4, 15) and grey["Revised XF"] is None
    assert as_date(navy["Report Date"]) == date(2027, 3, 1)
    assert not [x for x in result.findings if x.severity != "info"]


# --- case 3: formula and link cells ---------------------------------------------------------------

def _edit_sheet(path: Path, change) -> Path:
    """Rewrite sheet1's XML of a real .xlsx (an Excel-saved cached value where openpyxl writes none)."""
    out = path.with_name("edited " + path.name)
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            zout.writestr(item, change(data) if item.filename == "xl/worksheets/sheet1.xml" else data)
    return out


def formula_xlsx(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["PO", "Style", "Color", "Order Qty", "Cut Qty", "Remarks"])
    ws.append(["4500000001", "S1", "Navy", 1200, "=D2-50", '=HYPERLINK("http://qc.example/po1","see photos")'])
    ws.append(["4500000001", "S1", "Heather Grey", 600, 600, "QC report"])
    ws["F3"].hyperlink = "http://qc.example/po1-grey"
    wb.save(path)  # openpyxl saves formulas without a value, as many non-Excel programs do
    return path


def test_case_3_a_hyperlink_without_a_cached_value_keeps_its_text_and_address(tmp_path):
    book = tracker_with_lines(tmp_path)
    result = run(book, ["wip"], ctx(formula_xlsx(tmp_path / "dhaka_20270301.xlsx")))
    navy, grey = wip_rows(book)
    assert navy["Remarks"] == "see photos (http://qc.example/po1)"
    assert grey["Remarks"] == "QC report (http://qc.example/po1-grey)"
    # a formula saved without its result: its text is read, with a note, and the number cell says why
    # it is blank rather than being silently empty
    note = assert_finding(result.findings, Code.VENDOR_FORMULA, file="dhaka_20270301.xlsx", row=2)
    assert note.value == "=D2-50" and note.column == "E" and note.severity == "info"
    bad = assert_finding(result.findings, Code.BAD_NUMBER, file="dhaka_20270301.xlsx", row=2)
    assert bad.value == "=D2-50"
    assert navy["Cut Qty"] is None and grey["Cut Qty"] == 600


def test_a_cached_value_is_used_and_a_link_keeps_its_address(tmp_path):
    plain = formula_xlsx(tmp_path / "plain.xlsx")
    excel_saved = _edit_sheet(plain, lambda b: b.replace(
        b'<c r="E2"><f>D2-50</f><v /></c>', b'<c r="E2"><f>D2-50</f><v>1150</v></c>').replace(
        b'<f>HYPERLINK("http://qc.example/po1","see photos")</f><v />',
        b'<f>HYPERLINK("http://qc.example/po1","see photos")</f><v>see photos</v>').replace(
        b'<c r="F2">', b'<c r="F2" t="str">'))
    (raw,) = vendor_files.read_vendor_file(excel_saved)
    assert raw.rows[1][4] == 1150 and raw.rows[1][5] == "see photos (http://qc.example/po1)"
    assert not raw.findings


def test_a_shared_formula_without_values_is_translated_for_each_cell():
    xml = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
           b'<row r="2"><c r="E2"><f t="shared" ref="E2:E3" si="0">D2*2</f></c></row>'
           b'<row r="3"><c r="E3"><f t="shared" si="0"/></c></row></sheetData></worksheet>')
    cells = vendor_files._sheet_formulas(xml, {})
    assert cells == {(1, 4): ("D2*2", False, None, None), (2, 4): ("D3*2", False, None, None)}


def test_a_file_in_memory_reads_as_the_same_file_on_disk(tmp_path):
    path = two_row_xlsx(tmp_path / "two.xlsx")
    (a,) = vendor_files.read_vendor_file(path)
    (b,) = vendor_files.read_vendor_bytes("inbox/two.xlsx", path.read_bytes())
    assert a.rows == b.rows and b.file == "two.xlsx" and a.merged == b.merged


# --- the vendor style / costing import: the same recognition --------------------------------------

def test_a_costing_sheet_with_other_words_and_a_two_row_header(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["SS27 costing"])
    ws.append(["Buyer Style Ref", "Colourway", "Price", None, "Fibre Composition", "Made In"])
    ws.append([None, None, "FOB (USD)", "Retail", None, None])
    ws.merge_cells("C2:D2")
    ws.append(["S1", "Navy", 9.5, 24, "100% Cotton", "Bangladesh"])
    wb.save(tmp_path / "costing.xlsx")
    vs = vendor_files.read_style_sheet(tmp_path / "costing.xlsx", Config())
    assert vs is not None
    row = vs.frame.iloc[0]
    assert (row["style"], row["color"], row["fob"], row["fiber_content"], row["coo"]) == \
        ("S1", "Navy", 9.5, "100% Cotton", "Bangladesh")
    assert int(row["_row"]) == 4 and not vs.findings


def test_no_po_column_names_the_header_cells_and_the_setting(tmp_path):
    book = tracker_with_lines(tmp_path)
    f = write_csv(tmp_path / "dhaka_20270301.csv", [["Weekly WIP"], ["Ref", "Style", "Colour", "Order Qty"],
                                                     ["4500000001", "S1", "Navy", "1,200"]])
    result = run(book, ["wip"], ctx(f))
    found = assert_finding(result.findings, Code.COLUMN_MISSING, file=f.name, row=2)
    assert "'Ref', 'Style', 'Colour', 'Order Qty'" in found.message
    assert "'WIP Column: BD1 / PO #'" in found.message
    # mapped on the Config sheet, the same file imports
    (tmp_path / "mapped").mkdir()
    book2 = tracker_with_lines(tmp_path / "mapped", [["WIP Column: BD1 / PO #", "Ref"]])
    run(book2, ["wip"], ctx(f))
    assert [r["Order Qty"] for r in wip_rows(book2)] == [1200]


def test_a_vendor_found_in_the_rows_brings_its_own_config_layout(tmp_path):
    """No vendor in the file name: its Vendor column names it, and that vendor's Config mapping is used."""
    book = tracker_with_lines(tmp_path, [["WIP Column: BD1 / Cut Qty", "Stage A"]])
    f = write_csv(tmp_path / "weekly 2027-03-01.csv", [["PO", "Style", "Color", "Vendor", "Stage A"],
                                                        ["4500000001", "S1", "Navy", "BD1", "1,150"]])
    run(book, ["wip"], ctx(f))
    (row,) = wip_rows(book)
    assert (row["Vendor"], row["Cut Qty"]) == ("BD1", 1150)
