"""Cells of vendor workbooks the reader gives otherwise than the vendor's Excel shows them."""
from __future__ import annotations

import subprocess
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from conftest import assert_finding
from prodbook.core import wip
from prodbook.core.cells import CellError
from prodbook.core.config import Config
from prodbook.core.findings import Code
from prodbook.workbook import vendor_files

HEADER = ["PO #", "Style", "Color", "Order Qty", "Cut Qty", "Sewn Qty", "Ex-Factory", "Remarks"]
LINES = wip.OrderIndex([wip.OrderLine("4500012345", "ST-01", "Navy", "VND", 1000)])


def import_path(path: Path) -> wip.ParsedFile:
    return wip.import_file(vendor_files.read_vendor_file(path), LINES, ["VND"], Config(), today=date(2027, 3, 3))


def test_error_cells_read_as_the_error_not_as_empty(tmp_path):
    """calamine gives #N/A as an empty cell: a vendor's broken VLOOKUP for Cut Qty looked like 'not cut yet'."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Report Date:", datetime(2027, 3, 1)])
    ws.append(HEADER)
    ws.append([4500012345, "ST-01", "Navy", 1000, "#N/A", "#REF!", "#VALUE!", "ok"])
    assert ws["E3"].data_type == "e"  # a real error cell, as Excel writes it
    path = tmp_path / "VND_WIP.xlsx"
    wb.save(path)
    # and one error from a formula, with its cached result, as Excel saves it
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(
        '<c r="H3" t="inlineStr"><is><t>ok</t></is></c>',
        '<c r="H3" t="e"><f>VLOOKUP(A3,Notes!A:B,2,0)</f><v>#N/A</v></c>').encode()
    assert parts["xl/worksheets/sheet1.xml"] != sheet.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    (raw,) = vendor_files.read_vendor_file(path)
    assert raw.rows[2][4:8] == ["#N/A", "#REF!", "#VALUE!", "#N/A"]
    out = import_path(path)
    row, = out.rows
    assert (row["cut_qty"], row["sewn_qty"], row["planned_xf"]) == (None, None, None)
    for column, error in (("Cut Qty", "#N/A"), ("Sewn Qty", "#REF!"), ("Ex-Factory", "#VALUE!")):
        found = assert_finding(out.findings, Code.BAD_NUMBER if "Qty" in column else Code.BAD_DATE,
                               row=3, column=column, value=error)
        assert f"Excel error {error}" in found.message


def test_a_1904_workbook_reads_a_date_typed_as_a_number_right(tmp_path):
    """A Mac workbook in the 1904 date system: a serial in a General cell was read four years early."""
    wb = openpyxl.Workbook()
    wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.append(["Report Date:", datetime(2027, 3, 1)])
    ws.append(HEADER)
    serial_1904 = (date(2027, 4, 15) - date(1904, 1, 1)).days
    ws.append([4500012345, "ST-01", "Navy", 1000, 500, 200, serial_1904, ""])
    path = tmp_path / "VND_WIP.xlsx"
    wb.save(path)
    (raw,) = vendor_files.read_vendor_file(path)
    assert raw.date1904 and raw.rows[0][1] == date(2027, 3, 1)
    out = import_path(path)
    assert out.rows[0]["planned_xf"] == date(2027, 4, 15) and out.report_date == date(2027, 3, 1)


def test_a_quantity_merged_over_colour_lines_is_not_copied_to_each(tmp_path):
    """An order quantity merged over a PO's two colours is their sum: copied to each line it doubled the
    order (the audit, 2026-12-05). A PO, style or date merged the same way belongs to each line."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Report Date:", datetime(2027, 3, 1)])
    ws.append(HEADER)
    ws.append([4500012345, "ST-01", "Navy", 2000, 500, 200, datetime(2027, 4, 15), ""])
    ws.append([None, "ST-01", "Black", None, 400, 100, None, ""])
    ws.append([4500012346, "ST-02", "Red", 900, 300, None, None, ""])
    ws.append([None, None, None, None, None, None, None, "spare line"])
    for cells in ("A3:A4", "D3:D4", "G3:G4", "D5:D6"):
        ws.merge_cells(cells)
    path = tmp_path / "VND_WIP.xlsx"
    wb.save(path)
    lines = wip.OrderIndex([wip.OrderLine("4500012345", "ST-01", c, "VND", 1000) for c in ("Navy", "Black")]
                           + [wip.OrderLine("4500012346", "ST-02", "Red", "VND", 900)])
    out = wip.import_file(vendor_files.read_vendor_file(path), lines, ["VND"], Config(), today=date(2027, 3, 3))
    got = {r["color"]: (r["po"], r["order_qty"], r["cut_qty"], r["planned_xf"]) for r in out.rows}
    assert got == {"Navy": ("4500012345", None, 500, date(2027, 4, 15)),
                   "Black": ("4500012345", None, 400, date(2027, 4, 15)),
                   "Red": ("4500012346", 900, 300, None)}
    found = [f for f in out.findings if f.code is Code.BAD_NUMBER]
    assert len(found) == 1 and "D3:D4 is one cell merged over 2 colour lines" in found[0].message


def test_a_quote_that_never_closes_does_not_swallow_the_rest_of_the_csv(tmp_path):
    """'URGENT 12" zip' written by a system that does not double the quote: the rest of the file became one
    remark, and every later line was lost without a word (the audit, 2026-12-05)."""
    path = tmp_path / "VND_WIP.csv"
    path.write_bytes(b'Report Date: 2027-03-01\r\nPO #,Style,Color,Order Qty,Cut Qty,Remarks\r\n'
                     b'4500012345,ST-01,Navy,1000,500,"URGENT air 12 zip\r\n'
                     b'4500012345,ST-01,Black,1000,400,"two\r\nlines, as Excel writes them"\r\n'
                     b'4500012346,ST-02,Red,900,300,"Kids 5" Short, navy"\r\n')
    (raw,) = vendor_files.read_vendor_file(path)
    assert raw.rows[2] == ["4500012345", "ST-01", "Navy", "1000", "500", "URGENT air 12 zip"]
    assert raw.rows[3][5] == "two\r\nlines, as Excel writes them" and raw.rows[4][:5] == [
        "4500012346", "ST-02", "Red", "900", "300"]
    rows = sorted(f.row for f in raw.findings if f.code is Code.WIP_FILE)
    assert rows == [3, 5]
    lines = wip.OrderIndex([wip.OrderLine("4500012345", "ST-01", c, "VND", 1000) for c in ("Navy", "Black")]
                           + [wip.OrderLine("4500012346", "ST-02", "Red", "VND", 900)])
    out = wip.import_file([raw], lines, ["VND"], Config(), today=date(2027, 3, 3))
    assert [(r["color"], r["cut_qty"]) for r in out.rows] == [("Navy", 500), ("Black", 400), ("Red", 300)]


def test_a_clean_csv_with_quoted_line_breaks_has_no_note(tmp_path):
    path = tmp_path / "VND_WIP.csv"
    path.write_text('PO #,Style,Remarks\n1,S,"a ""b""\nline 2"\n2,S,"1,000 pcs"\n', encoding="utf-8")
    (raw,) = vendor_files.read_vendor_file(path)
    assert raw.rows[1:] == [["1", "S", 'a "b"\nline 2'], ["2", "S", "1,000 pcs"]] and not raw.findings


def test_a_quantity_column_in_dozens_is_read_as_pieces(tmp_path):
    """'Order Qty (Dzn)' 100 was imported as 100 pieces: twelve times short of the order."""
    path = tmp_path / "VND_WIP.csv"
    path.write_text("Report Date: 2027-03-01\nPO #,Style,Color,Order Qty (Dzn),Cut Qty Doz,Sewn Qty\n"
                    "4500012345,ST-01,Navy,\"1,000\",12.5,40\n", encoding="utf-8")
    out = import_path(path)
    assert [(r["order_qty"], r["cut_qty"], r["sewn_qty"]) for r in out.rows] == [(12_000, 150, 40)]
    notes = [f for f in out.findings if f.code is Code.WIP_DOZENS]
    assert sorted(f.value for f in notes) == ["Cut Qty Doz", "Order Qty (Dzn)"]


def test_a_dozen_count_that_is_no_whole_number_of_pieces_is_named():
    with pytest.raises(CellError, match="dozen is not a whole number of pieces"):
        wip.parse_qty("12.55", 12)
    assert wip.parse_qty("2.400.000", 12) == 28_800_000 and wip.parse_qty("-", 12) is None


def test_every_report_sheet_of_a_workbook_is_imported_and_a_hidden_one_is_named(tmp_path):
    """A vendor's workbook with a sheet for knits and one for wovens: only the first was imported, and the
    second's PO lines were left out without a word."""
    wb = openpyxl.Workbook()
    knit = wb.active
    knit.title = "Knit"
    for ws, line in ((knit, [4500012345, "ST-01", "Navy", 1000, 500]),
                     (wb.create_sheet("Woven"), [4500012346, "ST-02", "Red", 900, 300]),
                     (wb.create_sheet("Last week"), [4500012346, "ST-02", "Red", 900, 100])):
        ws.append(["Report Date:", datetime(2027, 3, 1)])
        ws.append(HEADER[:5])
        ws.append(line)
    wb["Last week"].sheet_state = "hidden"
    summary = wb.create_sheet("Summary")
    summary.append(["Vendor", "Total Qty"])
    summary.append(["VND", 1900])
    summary["A4"] = "PO #"  # a stray word is no report
    wb.save(tmp_path / "VND_WIP.xlsx")
    lines = wip.OrderIndex([wip.OrderLine("4500012345", "ST-01", "Navy", "VND", 1000),
                            wip.OrderLine("4500012346", "ST-02", "Red", "VND", 900)])
    raws = vendor_files.read_vendor_file(tmp_path / "VND_WIP.xlsx")
    assert [r.hidden for r in raws] == [False, False, True, False]
    out = wip.import_file(raws, lines, ["VND"], Config(), today=date(2027, 3, 3))
    assert [(r["po"], r["cut_qty"]) for r in out.rows] == [("4500012345", 500), ("4500012346", 300)]
    said = " ".join(f.message for f in out.findings if f.code is Code.WIP_SHEETS)
    assert "'Knit', 'Woven'" in said and "'Last week'" in said and "Summary" not in said


def test_a_problem_on_a_second_sheet_names_the_sheet(tmp_path):
    first = wip.RawSheet("VND_WIP.xlsx", "Knit", [HEADER[:5], ["4500012345", "ST-01", "Navy", 1000, 500]])
    second = wip.RawSheet("VND_WIP.xlsx", "Woven", [HEADER[:5], ["4500012346", "ST-02", "Red", 900, "lots"]])
    lines = wip.OrderIndex([wip.OrderLine("4500012346", "ST-02", "Red", "VND", 900)])
    out = wip.import_file([first, second], lines, ["VND"], Config(), today=date(2027, 3, 3))
    assert_finding(out.findings, Code.BAD_NUMBER, sheet="VND_WIP.xlsx > sheet 'Woven'", row=2, value="lots")
    assert_finding(out.findings, Code.WIP_UNMATCHED, sheet="VND_WIP.xlsx", row=2)


def test_a_quoted_remark_over_lines_with_commas_stays_one_cell(tmp_path):
    """A remark typed in Excel with line breaks and commas is one cell, not a quote that never closes."""
    path = tmp_path / "VND_WIP.csv"
    path.write_text('PO #,Style,Color,Qty,Remarks\n1,S,Navy,10,"fabric late, trims late,\nlabels, tags, zips"\n'
                    '2,S,Red,20,ok\n', encoding="utf-8")
    (raw,) = vendor_files.read_vendor_file(path)
    assert raw.rows[1][4] == "fabric late, trims late,\nlabels, tags, zips" and raw.rows[2][0] == "2"
    assert not raw.findings


def as_kind(xlsx: Path, kind: str) -> Path:
    """The vendor's file as saved in ``kind``: the .xlsx itself, or LibreOffice's .ods of it."""
    if kind == "xlsx":
        return xlsx
    subprocess.run(["soffice", f"-env:UserInstallation={(xlsx.parent / 'profile').as_uri()}", "--headless",
                    "--convert-to", kind, "--outdir", str(xlsx.parent / kind), str(xlsx)],
                   check=True, capture_output=True, timeout=300)
    return xlsx.parent / kind / f"{xlsx.stem}.{kind}"


@pytest.mark.parametrize("kind", ["xlsx", pytest.param("ods", marks=pytest.mark.libreoffice)])
def test_hidden_rows_are_imported_and_named(tmp_path, kind):
    """A filter hides valid lines, a vendor hides old ones: both are read, and the rows are named; in an
    OpenDocument file (saved from LibreOffice) too, where they were read without a word."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Report Date:", datetime(2027, 3, 1)])
    ws.append(HEADER[:5])
    ws.append([4500012345, "ST-01", "Navy", 1000, 500])
    ws.append([4500012345, "ST-01", "Black", 1000, 400])
    ws.row_dimensions[4].hidden = True
    ws.row_dimensions[9].hidden = True  # an empty hidden row: nothing to say
    wb.save(tmp_path / "VND_WIP.xlsx")
    path = as_kind(tmp_path / "VND_WIP.xlsx", kind)
    lines = wip.OrderIndex([wip.OrderLine("4500012345", "ST-01", c, "VND", 1000) for c in ("Navy", "Black")])
    (raw,) = vendor_files.read_vendor_file(path)
    assert 3 in raw.hidden_rows
    out = wip.import_file([raw], lines, ["VND"], Config(), today=date(2027, 3, 3))
    assert [r["color"] for r in out.rows] == ["Navy", "Black"]
    found = assert_finding(out.findings, Code.WIP_SHEETS, row=4, sheet=path.name)
    assert found.message.startswith("row 4 of this file is hidden")


def test_an_unquoted_thousands_comma_in_a_csv_is_named_not_read_shifted(tmp_path):
    """'1,200' without quotes in a comma file is two cells: Order Qty 1, Cut Qty 200, Sewn Qty 900, and the
    packed 300 dropped, all without a word (WIP audit F1)."""
    path = tmp_path / "VND_WIP.csv"
    path.write_text("WIP as of 01-Mar-2027\nPO #,Style,Color,Order Qty,Cut Qty,Sewn Qty\n"
                    "4500012345,ST-01,Navy,1,200,900,300\n4500012346,ST-02,Red,900,\"1,200\",300,,\n",
                    encoding="utf-8")
    lines = wip.OrderIndex([*LINES.by_po["4500012345"], wip.OrderLine("4500012346", "ST-02", "Red", "VND", 900)])
    out = wip.import_file(vendor_files.read_vendor_file(path), lines, ["VND"], Config(), today=date(2027, 3, 3))
    assert [(r["po"], r["cut_qty"]) for r in out.rows] == [("4500012346", 1200)]  # blank cells at its end: fine
    found = assert_finding(out.findings, Code.WIP_FILE, file="VND_WIP.csv", row=3,
                           value="4500012345 | ST-01 | Navy | 1 | 200 | 900 | 300")
    assert found.severity == "error" and "7 cells where the header has 6" in found.message
    assert '"1,200"' in found.message and ".xlsx" in found.message


def test_a_negative_quantity_is_named_and_left_blank():
    """'-50' or '(100)' cut was imported as a negative count, lowering every total and rate (WIP audit F9)."""
    raw = wip.RawSheet("VND_WIP.xlsx", "WIP", [["WIP as of 01-Mar-2027"], HEADER[:6],
                                               ["4500012345", "ST-01", "Navy", 1000, "-50", "(100)"]])
    out = wip.import_file([raw], LINES, ["VND"], Config(), today=date(2027, 3, 3))
    (line,) = out.rows
    assert (line["order_qty"], line["cut_qty"], line["sewn_qty"]) == (1000, None, None)
    cut = assert_finding(out.findings, Code.BAD_NUMBER, row=3, column="Cut Qty", value="-50")
    sewn = assert_finding(out.findings, Code.BAD_NUMBER, row=3, column="Sewn Qty", value="(100)")
    assert "negative" in cut.message and "(-100)" in sewn.message and "left blank" in sewn.message
    with pytest.raises(CellError, match="negative"):
        wip.parse_qty(-5, 12)


@pytest.mark.parametrize("kind", ["xlsx", pytest.param("ods", marks=pytest.mark.libreoffice)])
def test_a_hidden_column_gives_way_to_a_visible_one_and_is_named_when_read(tmp_path, kind):
    """A hidden 'Cut Qty' (last month's) beside a visible 'Cut Qty (Mar)' was imported, its words being the
    closer fit (WIP audit F6). A hidden column no visible one replaces is still read, and named. In an
    OpenDocument file too."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Report Date:", datetime(2027, 3, 1)])
    ws.append(["PO #", "Style", "Color", "Order Qty", "Cut Qty", "Cut Qty (Mar)", "Sewn Qty"])
    ws.append([4500012345, "ST-01", "Navy", 1000, 100, 900, 400])
    ws.column_dimensions["E"].hidden = True
    ws.column_dimensions["G"].hidden = True
    ws.column_dimensions.group("J", "XFD", hidden=True)  # every column right of the table: nothing to read
    wb.save(tmp_path / "VND_WIP.xlsx")
    path = as_kind(tmp_path / "VND_WIP.xlsx", kind)
    (raw,) = vendor_files.read_vendor_file(path)
    assert raw.hidden_columns == [4, 6]
    out = wip.import_file([raw], LINES, ["VND"], Config(), today=date(2027, 3, 3))
    (line,) = out.rows
    assert (line["order_qty"], line["cut_qty"], line["sewn_qty"]) == (1000, 900, 400)
    found = assert_finding(out.findings, Code.WIP_SHEETS, column="G", value="Sewn Qty", sheet=path.name)
    assert found.severity == "info" and "column G 'Sewn Qty' is hidden" in found.message
    assert not [f for f in out.findings if f.column == "E"]


def test_a_quantity_shown_as_a_percentage_is_named_not_read_as_pieces(tmp_path):
    """A stage column the vendor formats as a percentage (Cutting 100%, stored 1) was read as 1 piece
    (WIP audit F10). Built-in (0%, 0.00%) and custom ('0.0%') formats alike; a plain number is read."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Report Date:", datetime(2027, 3, 1)])
    ws.append(HEADER[:6])
    ws.append([4500012345, "ST-01", "Navy", 1000, 1, 0.455])
    ws.append([4500012345, "ST-01", "Black", 1000, 600, 0.25])
    ws["E3"].number_format, ws["F3"].number_format, ws["F4"].number_format = "0%", "0.0%", "0.00%"
    ws["D3"].number_format = '0 "%"'  # a literal % sign: not scaled, a plain count
    wb.save(tmp_path / "VND_WIP.xlsx")
    (raw,) = vendor_files.read_vendor_file(tmp_path / "VND_WIP.xlsx")
    assert raw.percent_cells == {(2, 4), (2, 5), (3, 5)}
    lines = wip.OrderIndex([wip.OrderLine("4500012345", "ST-01", c, "VND", 1000) for c in ("Navy", "Black")])
    out = wip.import_file([raw], lines, ["VND"], Config(), today=date(2027, 3, 3))
    assert [(r["order_qty"], r["cut_qty"], r["sewn_qty"]) for r in out.rows] == [(1000, None, None),
                                                                               (1000, 600, None)]
    cut = assert_finding(out.findings, Code.BAD_NUMBER, row=3, column="Cut Qty", value="100%")
    assert cut.severity == "warning" and cut.message.startswith("cell E3 shows 100%")
    assert "not a count of pieces" in cut.message and "left blank" in cut.message
    assert_finding(out.findings, Code.BAD_NUMBER, row=3, column="Sewn Qty", value="45.5%")
    assert len([f for f in out.findings if f.column == "Sewn Qty"]) == 1  # once a column, not a cell
