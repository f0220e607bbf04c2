"""Rows under a vendor's table that are no PO line, and cumulative figures that fall, as the fresh-eyes audit
found them (M2, M4), on real vendor files imported into the demo tracker: a units row under the header, a
remark row carrying a PO, a 'Prepared by / Checked by' footer, PO subtotal rows repeating the PO number, and a
report whose cut/sewn/packed figures are below the vendor's last report of the same line."""

from __future__ import annotations

import io
import shutil
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path

import openpyxl
import pytest

from conftest import sheet_values
from prodbook.core.findings import Code, Finding, Severity
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from test_wip_rows_audit import xlsx

DEMO = Path(__file__).resolve().parents[1] / "workbooks" / "demo-tracker.xlsx"
TODAY = date(2026, 11, 25)
D = datetime
HEADER = ["PO No.", "Style No", "Colour", "Order Qty", "Cut Qty", "Sewn Qty", "Packed Qty", "XF Date", "Revised XF",
          "Remarks"]


def demo(tmp_path: Path) -> Path:
    book = tmp_path / "tracker.xlsx"
    shutil.copy(DEMO, book)
    return book


def import_wip(book: Path, *files: Path) -> list[Finding]:
    result = run(book, ["wip"], Context(today=TODAY, now=datetime(2026, 11, 25, 9, 0), files=files))
    return result.findings


def of_file(findings: list[Finding], name: str) -> list[Finding]:
    return [f for f in findings if name in (f.file or "") and f.code is not Code.WIP_DATE_ORDER]


def wip_lines(book: Path, name: str) -> list[tuple]:
    rows = sheet_values(book, "Vendor WIP")
    head = rows[0]
    return [tuple(r[head.index(h)] for h in ("PO #", "Color", "Order Qty", "Cut Qty", "Remarks"))
            for r in rows[1:] if r[head.index("Source File")] and name in str(r[head.index("Source File")])]


def test_a_units_row_and_a_remark_row_with_a_po_are_no_lines(tmp_path):
    """The units row ('pcs', 'dd-mmm-yy') under the header was read as a line: two 'dd-mmm-yy is not a date'
    warnings; the remark row under the table ('4500013501' + 'air approved ...') was refused as a second
    report of the PO's line ('ask the vendor which one is right')."""
    book = demo(tmp_path)
    name = "SHX WIP 24.11.2026 notes.xlsx"
    report = xlsx(tmp_path / name, [
        ["SHX WIP"], ["Report Date:", D(2026, 11, 24)], HEADER,
        [None, None, None, "pcs", "pcs", "pcs", "pcs", "dd-mmm-yy", "dd-mmm-yy", None],
        ["4500013877", "SS27-KT-1010", "OPTIC WHITE", 5412, 0, 0, 0, D(2027, 1, 2), D(2027, 1, 9), "a"],
        ["4500013501", "SS27-KT-1006", "WASHED BLUE", 3864, 3900, 3100, 1500, D(2026, 12, 2), D(2026, 12, 5), "b"],
        [], ["Remarks:"],
        ["4500013501", "", "", "", "", "", "", "", "", "air approved by buyer for balance 1,000 pcs"],
        ["* 4500013877 fabric delayed, new XF 10-Jan"]])
    found = of_file(import_wip(book, report), name)
    assert wip_lines(book, name) == [("4500013877", "Optic White", 5412, 0, "a"),
                                     ("4500013501", "Washed Blue", 3864, 3900, "b")]
    assert [(f.severity, f.code) for f in found] == [(Severity.INFO, Code.WIP_SHEETS)], [f.text() for f in found]
    note = found[0].message
    assert "row 4" in note and "units" in note and "'pcs'" in note
    assert "row 9" in note and "PO 4500013501" in note and "air approved by buyer for balance 1,000 pcs" in note


def test_a_units_row_in_dozens_counts_the_column_in_dozens(tmp_path):
    """A units row saying 'dz' under Order Qty: the column counts dozens, as 'Order Qty (dz)' would say."""
    book = demo(tmp_path)
    name = "SHX WIP 24.11.2026 dz.xlsx"
    report = xlsx(tmp_path / name, [
        ["SHX WIP"], ["Report Date:", D(2026, 11, 24)], HEADER,
        [None, None, None, "dz", "pcs", "pcs", "pcs", None, None, None],
        ["4500013501", "SS27-KT-1006", "WASHED BLUE", 322, 3900, 3100, 1500, D(2026, 12, 2), D(2026, 12, 5), "b"]])
    import_wip(book, report)
    assert wip_lines(book, name) == [("4500013501", "Washed Blue", 3864, 3900, "b")]


def test_a_signature_footer_is_no_po(tmp_path):
    """'Prepared by: Ravi ... Checked by: QA' under a mailed report was named 'PO Prepared by: Ravi is not on
    the Orders sheet' and 'Checked by: QA is not a date'."""
    book = demo(tmp_path)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Nov"
    for row in (["Tiruppur Cotton Knits Pvt Ltd"], ["Weekly WIP"],
                ["PO", "Style", "Color", "Qty", "Cut", "Sewn", "Packed", "Ex-Factory", "Revised Ex-Factory", "Mode",
                 "Remarks"],
                [4500012545, "SS27-KT-1007", "Optic White", 684, 684, 684, 684, D(2026, 12, 8), None, "Air", ""],
                [4500012545, "SS27-KT-1007", "Oatmeal", 996, 996, 900, 500, D(2026, 12, 8), None, "Air", ""],
                [], ["Prepared by: Ravi", "", "", "", "", "", "", "Checked by: QA"]):
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    m = EmailMessage()
    m["From"] = "Ravi <merch@tiruppurknits.example.com>"
    m["To"] = "apm@brand.example.com"
    m["Subject"] = "RE: WIP update"
    m["Date"] = "Tue, 24 Nov 2026 18:05:00 +0530"
    m.set_content("Dear team, pls find attached WIP. Regards")
    m.add_attachment(buf.getvalue(), maintype="application",
                     subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename="WIP report.xlsx")
    mail = tmp_path / "RE WIP update.eml"
    mail.write_bytes(bytes(m))
    found = [f for f in of_file(import_wip(book, mail), mail.name) if f.code is not Code.WIP_REPORT_DATE]
    assert len(wip_lines(book, mail.name)) == 2
    assert [(f.severity, f.code, f.row) for f in found] == [(Severity.INFO, Code.WIP_SHEETS, 7)], \
        [f.text() for f in found]
    assert "Prepared by: Ravi" in found[0].message and "signature" in found[0].message


def test_po_subtotal_rows_repeating_the_po_are_not_lines(tmp_path):
    """A PO's subtotal row with its PO and style and no colour was refused with 'ask the vendor for one row per
    colour'; one with its PO alone under a single colour with 'ask the vendor which one is right'."""
    book = demo(tmp_path)
    name = "SHX WIP 24.11.2026 misc.xlsx"
    report = xlsx(tmp_path / name, [
        ["SHX WIP"], ["Report Date:", D(2026, 11, 24)], HEADER,
        ["4500013877", "SS27-KT-1010", "OPTIC WHITE", 5412, 0, 0, 0, D(2027, 1, 2), D(2027, 1, 5), "a"],
        ["4500013877", "SS27-KT-1010", "BLACK", 768, 0, 0, 0, D(2027, 1, 2), D(2027, 1, 9), "b"],
        ["4500013877", "SS27-KT-1010", "WASHED BLUE", 5400, 0, 0, 0, D(2027, 1, 2), D(2027, 1, 9), "c"],
        ["4500013877", "SS27-KT-1010", None, 11580, 0, 0, 0, None, None, None],
        ["4500013501", None, None, 3864, 3900, 3100, 1500, None, None, "PO total"],
        ["4500013501", "SS27-KT-1006", "WASHED BLUE", 3864, 3900, 3100, 1500, D(2026, 12, 2), D(2026, 12, 5), "d"],
        ["4500013172", "SS27-KT-1006", None, 500, 10, 0, 0, None, None, "no colour, not a subtotal"]])
    found = of_file(import_wip(book, report), name)
    assert [r[:3] for r in wip_lines(book, name)] == [
        ("4500013877", "Optic White", 5412), ("4500013877", "Black", 768), ("4500013877", "Washed Blue", 5400),
        ("4500013501", "Washed Blue", 3864)]
    assert not [f for f in found if f.code in (Code.WIP_DUPLICATE, Code.WIP_AMBIGUOUS) and f.row in (7, 8)], \
        [f.text() for f in found]
    assert [f.row for f in found if f.code is Code.WIP_AMBIGUOUS] == [10]  # a real row without its colour
    (note,) = [f for f in found if f.code is Code.WIP_SHEETS]
    assert note.severity == Severity.INFO and "row 7" in note.message and "row 8" in note.message
    assert "subtotal" in note.message


REFRESH = ("SHX daily WIP,,,,,,,,\nReport Date: 24/11/2026,,,,,,,,\n"
           "PO No,Style No,Colour,Order Qty,Cut,Sewing Output,Packed,XF Date,Revised XF\n"
           "4500013172,SS27-KT-1006,Oatmeal,1320,40,35,30,25/11/2026,28/11/2026\n"
           "4500013172,SS27-KT-1006,Washed Blue,492,499,331,198,25/11/2026,01/12/2026\n")


def test_cumulative_figures_that_fall_against_the_last_report_are_named(tmp_path):
    """4500013172 Oatmeal was cut 1,328, sewn 992, packed 722 in SHX's 20-Nov report; the 24-Nov report says
    40, 35, 30 (the day's figures, sent by mistake): nothing said so."""
    book = demo(tmp_path)
    report = tmp_path / "SHX WIP 24.11.2026.csv"
    report.write_text(REFRESH, encoding="utf-8")
    found = [f for f in import_wip(book, report) if f.code is Code.BAD_NUMBER and f.file == report.name]
    (fall,) = found
    assert fall.severity == Severity.WARNING and fall.row == 4
    text = fall.message
    assert "4500013172 / SS27-KT-1006 / Oatmeal" in text
    for figure in ("1,328", "40", "992", "35", "722", "30", "20-Nov-26", "24-Nov-26", "SHX WIP 20Nov2026.xlsx"):
        assert figure in text, text
    assert "ask SHX" in text


@pytest.mark.parametrize("cut", [1328, 1400])
def test_figures_that_hold_or_rise_are_not_named(tmp_path, cut):
    book = demo(tmp_path)
    report = tmp_path / "SHX WIP 24.11.2026.csv"
    report.write_text(REFRESH.replace(",40,35,30,", f",{cut},992,722,"), encoding="utf-8")
    assert not [f for f in import_wip(book, report) if f.code is Code.BAD_NUMBER]


def test_a_fall_is_named_beside_a_revised_date_taken_back(tmp_path):
    """The same report takes back one line's revised ex-factory ('TBC') and drops another PO's cut: both are
    named, the fall against the whole history, not only the PO whose date was taken back."""
    book = demo(tmp_path)
    report = tmp_path / "SHX WIP 24.11.2026.csv"
    report.write_text(REFRESH.splitlines()[0] + "\n" + "\n".join(REFRESH.splitlines()[1:3]) + "\n"
                      "4500013172,SS27-KT-1006,Washed Blue,492,499,331,198,25/11/2026,TBC\n"
                      "4500013501,SS27-KT-1006,Washed Blue,3864,0,2058,428,02/12/2026,\n", encoding="utf-8")
    found = [f for f in import_wip(book, report) if f.file == report.name and f.severity == Severity.WARNING]
    assert [(f.code, f.row) for f in found if f.code in (Code.BAD_DATE, Code.BAD_NUMBER)] == \
        [(Code.BAD_DATE, 4), (Code.BAD_NUMBER, 5)], [f.text() for f in found]
    assert "Cut Qty 0" in found[-1].message and "3,888" in found[-1].message


@pytest.mark.parametrize("brand", ["Signature by Levi Strauss & Co.", "Approved by Buyer", "Prepared by Vendor"])
def test_a_po_line_whose_first_cell_reads_like_a_signature_is_a_line(tmp_path, brand):
    """A Brand column before the PO ('Signature by Levi Strauss & Co.', a real sub-brand) made every PO line a
    'signature' footer: none was imported, only a note. A row with a PO and a style or colour is a line."""
    book = demo(tmp_path)
    name = "SHX WIP 24.11.2026 brand.xlsx"
    report = xlsx(tmp_path / name, [
        ["SHX WIP"], ["Report Date:", D(2026, 11, 24)], ["Brand", *HEADER],
        [brand, "4500013877", "SS27-KT-1010", "OPTIC WHITE", 5412, 100, 0, 0, D(2027, 1, 2), D(2027, 1, 9), "a"],
        [brand, "4500013501", "SS27-KT-1006", "WASHED BLUE", 3864, 3900, 3100, 1500, D(2026, 12, 2),
         D(2026, 12, 5), "b"],
        [], [None, "Prepared by: Ravi", "", "", "", "", "", "", "", "Checked by: QA"]])
    found = of_file(import_wip(book, report), name)
    assert wip_lines(book, name) == [("4500013877", "Optic White", 5412, 100, "a"),
                                     ("4500013501", "Washed Blue", 3864, 3900, "b")]
    notes = [f for f in found if f.code is Code.WIP_SHEETS]
    assert len(notes) == 1 and "row 7" in notes[0].message and "row 4" not in notes[0].message, \
        [f.text() for f in found]


def test_a_signature_footers_figures_are_named_as_the_file_shows_them(tmp_path):
    """The skipped-rows note showed a footer's cells as Python reads them ('5412.0', '2027-01-02')."""
    book = demo(tmp_path)
    name = "SHX WIP 24.11.2026 footer.xlsx"
    report = xlsx(tmp_path / name, [
        ["SHX WIP"], ["Report Date:", D(2026, 11, 24)], HEADER,
        ["4500013877", "SS27-KT-1010", "OPTIC WHITE", 5412, 100, 0, 0, D(2027, 1, 2), D(2027, 1, 9), "a"],
        [], ["Approved by: Ravi", "", "", 5412, "", "", "", D(2027, 1, 2)]])
    found = [f for f in of_file(import_wip(book, report), name) if f.code is Code.WIP_SHEETS]
    assert len(found) == 1 and "signature" in found[0].message, [f.text() for f in found]
    note = found[0].message
    assert "'5,412'" in note and "'02-Jan-27'" in note, note
    assert "5412.0" not in note and "2027-01-02" not in note, note
