"""The openpyxl side copy ("NAME (prodbook).xlsx") keeps what the rewritten rows carry and opens without repair.

Found by an audit: the copy dropped the notes, styles and links of the rows it carried, left a sheet naming a
notes' drawing it lacked (.xlsm), widened the Table to a cell right of it (Excel then removes the Table), and
left conditional formats, validations and names at the old last row.
"""

from __future__ import annotations

import csv
import importlib.util
import posixpath
import re
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.table import Table, TableStyleInfo

from prodbook.workbook.openpyxl_writer import write_copy
from prodbook.workbook.xlsxparts import SheetRewrite

HEADERS = ["PO #", "Style #", "Color", "Vendor", "Code", "Milestone", "Owner", "Planned", "Actual", "Status",
           "Link", "Notes", "Days"]
LINK = "https://example.com/po/4500000002"
VENDOR_TEXT = '=HYPERLINK("http://vendor.example/x","see")'
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"

# Old data rows 2..6; the copy's rows: 2 <- 4 (the note), 3 <- 6, 4 <- 3 (the link), 5 new; 2 and 5 dropped.
SOURCES = (4, 6, 3, None)
REWRITE = SheetRewrite("T&A", 1, (0, 9), (("PO4", "Late"), ("PO6", VENDOR_TEXT), ("PO3", "Done"), ("PO9", "New")),
                       source_rows=SOURCES)


def build(path: Path) -> Path:
    """A T&A sheet as a 13-column Excel Table (rows 2..6) with a note, dates, a link, a fill, a formula and an
    array formula in its rows, a cell right of the Table, a colour rule, a validation, a name, a print area
    and a formula on another sheet over its data."""
    wb = openpyxl.Workbook()
    orders = wb.active
    orders.title = "Orders"
    orders["A1"] = "=COUNTA('T&A'!$A$2:$A$6)"
    ws = wb.create_sheet("T&A")
    ws.append(HEADERS)
    for r in range(2, 7):
        ws.append([f"PO{r}", f"S{r}", "Navy", "BD1", "XF", "Ex-factory", "Vendor", date(2027, 4, r),
                   date(2027, 4, 2 * r), "Open", None, None, f"=I{r}-H{r}"])
        ws.cell(r, 8).number_format = ws.cell(r, 9).number_format = "dd-mmm-yy"
    ws["L4"].comment = Comment("check with QA", "APM")
    ws["J4"].fill = PatternFill("solid", fgColor="FFC7CE")
    ws.row_dimensions[4].height = 30
    ws["K3"].hyperlink = LINK
    ws["K3"].value = "PO page"
    ws["M3"] = ArrayFormula("M3", "=SUM(I3:I3-H3:H3)")
    ws["O3"] = "a note right of the Table"
    table = Table(displayName="TA", ref="A1:M6")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium9", showRowStripes=True)
    ws.add_table(table)
    ws.conditional_formatting.add("J2:J6", CellIsRule(operator="equal", formula=['"Late"'],
                                                      fill=PatternFill("solid", fgColor="FF0000")))
    dv = DataValidation(type="list", formula1='"Open,Done,Late"', allow_blank=True)
    ws.add_data_validation(dv)
    dv.add("J2:J6")
    wb.defined_names["TA_Planned"] = DefinedName("TA_Planned", attr_text="'T&A'!$H$2:$H$6")
    ws.print_area = "A1:M6"
    wb.save(path)
    return path


def rewritten(tmp_path: Path, src: Path, rewrite: SheetRewrite = REWRITE) -> Path:
    dst = tmp_path / f"{src.stem} (prodbook){src.suffix}"
    write_copy(src, dst, [rewrite], [])
    return dst


def dangling(path: Path) -> list[str]:
    """Each relationship whose target part the zip lacks, and each r:id a part uses that its rels lack."""
    out = []
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        for rels in [n for n in names if n.endswith(".rels")]:
            folder, file = rels.rsplit("_rels/", 1)
            part, ids = folder + file[: -len(".rels")], set()
            for rel in ET.fromstring(z.read(rels)):
                ids.add(rel.get("Id"))
                target = rel.get("Target", "")
                full = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
                if rel.get("TargetMode") != "External" and full not in names:
                    out.append(f"{rels} -> {target}")
            if part.endswith(".xml") and part in names:
                out += [f"{part} r:id {v}" for v in _rel_ids(z.read(part)) if v not in ids]
        for part in names - {n.replace("_rels/", "")[: -len(".rels")] for n in names if n.endswith(".rels")}:
            if part.startswith("xl/worksheets/") and part.endswith(".xml"):
                out += [f"{part} r:id {v} (no rels)" for v in _rel_ids(z.read(part))]
    return out


def _rel_ids(xml: bytes) -> list[str]:
    return [v for el in ET.fromstring(xml).iter() for k, v in el.attrib.items() if k.startswith(REL_NS)]


def table_xml(path: Path) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read(next(n for n in z.namelist() if n.startswith("xl/tables/")))


def sheet_xml(path: Path, sheet: str = "T&A") -> bytes:
    wb = openpyxl.load_workbook(path)
    with zipfile.ZipFile(path) as z:
        return z.read(f"xl/worksheets/sheet{wb.sheetnames.index(sheet) + 1}.xml")


# --------------------------------------------------------------------------- the rows carried


def test_carried_rows_keep_their_notes_styles_links_and_formulas(tmp_path):
    dst = rewritten(tmp_path, build(tmp_path / "tracker.xlsx"))
    ws = openpyxl.load_workbook(dst)["T&A"]
    assert [ws.cell(r, 1).value for r in range(2, 6)] == ["PO4", "PO6", "PO3", "PO9"]
    # the note went with its row (old 4 -> 2), and nowhere else
    assert ws["L2"].comment is not None and ws["L2"].comment.text.startswith("check with QA")
    assert [c.coordinate for row in ws.iter_rows() for c in row if c.comment] == ["L2"]
    # the link with its row (old 3 -> 4), its text too
    assert ws["K4"].hyperlink is not None and ws["K4"].hyperlink.target == LINK and ws["K4"].value == "PO page"
    assert ws["K2"].hyperlink is None and ws["K5"].hyperlink is None
    # dates keep their format, a written cell keeps its style under the new value, the row its height
    assert all(ws.cell(r, 8).number_format == "dd-mmm-yy" for r in (2, 3, 4))
    assert ws["H2"].value.date() == date(2027, 4, 4)
    assert ws["J2"].value == "Late" and ws["J2"].fill.fgColor.rgb.endswith("FFC7CE")
    assert ws.row_dimensions[2].height == 30
    # formulas moved with their rows, an array formula's own cell too
    assert ws["M2"].value == "=I2-H2" and ws["M3"].value == "=I3-H3"
    assert isinstance(ws["M4"].value, ArrayFormula)
    assert (ws["M4"].value.ref, ws["M4"].value.text) == ("M4", "=SUM(I4:I4-H4:H4)")
    # a vendor's text that looks like a formula stays text
    assert ws["J3"].value == VENDOR_TEXT and ws["J3"].data_type == "s"
    assert b"<f>HYPERLINK" not in sheet_xml(dst)
    assert dangling(dst) == []


def test_the_table_keeps_its_own_columns(tmp_path):
    """A cell right of the Table (O3) made the copy's Table A1:O5 over 13 columns: Excel removes it."""
    dst = rewritten(tmp_path, build(tmp_path / "tracker.xlsx"))
    ws = openpyxl.load_workbook(dst)["T&A"]
    assert ws.tables["TA"].ref == "A1:M5"
    assert ws["O4"].value == "a note right of the Table"  # it went with its row (old 3)
    xml = table_xml(dst)
    ref = re.search(rb'<table\b[^>]*\sref="([A-Z]+)1:([A-Z]+)(\d+)"', xml)
    assert ref is not None and ref.groups() == (b"A", b"M", b"5")
    assert int(re.search(rb'<tableColumns count="(\d+)"', xml).group(1)) == len(HEADERS) == 13
    assert len(re.findall(rb"<tableColumn\b", xml)) == 13
    assert b'<autoFilter ref="A1:M5"' in xml


def test_ranges_over_the_data_follow_its_new_last_row(tmp_path):
    """Six rows became five (row 6 the last before, row 5 now): what ran to row 6 runs to row 5."""
    dst = rewritten(tmp_path, build(tmp_path / "tracker.xlsx"))
    wb = openpyxl.load_workbook(dst)
    ws = wb["T&A"]
    assert [str(cf.sqref) for cf in ws.conditional_formatting] == ["J2:J5"]
    assert [str(dv.sqref) for dv in ws.data_validations.dataValidation] == ["J2:J5"]
    assert wb.defined_names["TA_Planned"].attr_text == "'T&A'!$H$2:$H$5"
    assert ws.print_area == "'T&A'!$A$1:$M$5"
    assert wb["Orders"]["A1"].value == "=COUNTA('T&A'!$A$2:$A$5)"


def test_ranges_grow_with_more_rows(tmp_path):
    src = build(tmp_path / "tracker.xlsx")
    rows = tuple((f"N{i}", "Open") for i in range(8))
    dst = rewritten(tmp_path, src, SheetRewrite("T&A", 1, (0, 9), rows, source_rows=(2, 3, 4, 5, 6, None, None, None)))
    wb = openpyxl.load_workbook(dst)
    ws = wb["T&A"]
    assert ws.tables["TA"].ref == "A1:M9"
    assert [str(cf.sqref) for cf in ws.conditional_formatting] == ["J2:J9"]
    assert [str(dv.sqref) for dv in ws.data_validations.dataValidation] == ["J2:J9"]
    assert wb.defined_names["TA_Planned"].attr_text == "'T&A'!$H$2:$H$9"
    assert ws["L4"].comment is not None and ws["K3"].hyperlink.target == LINK  # rows in place keep theirs


# --------------------------------------------------------------------------- .xlsm: the notes' drawing


def vba_project() -> bytes:
    """A real vbaProject.bin, from the workbook xlwings ships."""
    spec = importlib.util.find_spec("xlwings")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        p = Path(folder) / "quickstart.xlsm"
        if p.exists():
            with zipfile.ZipFile(p) as z:
                return z.read("xl/vbaProject.bin")
    pytest.skip("no .xlsm (source of a real vbaProject.bin) shipped with xlwings")


EXCEL_VML = b"""<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"
 xmlns:x="urn:schemas-microsoft-com:office:excel">
 <o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="1"/></o:shapelayout>
 <v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">
  <v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>
 <v:shape id="_x0000_s1025" type="#_x0000_t202" style="position:absolute;visibility:hidden" fillcolor="#ffffe1">
  <v:textbox/><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:Row>3</x:Row><x:Column>11</x:Column>
  </x:ClientData></v:shape>
 <v:shapetype id="_x0000_t201" coordsize="21600,21600" o:spt="201" path="m,l,21600r21600,l21600,xe"/>
 <v:shape id="_x0000_s2049" type="#_x0000_t201" style="position:absolute;width:80pt;height:20pt">
  <x:ClientData ObjectType="Button"><x:Anchor>14, 0, 1, 0, 15, 0, 2, 0</x:Anchor>
  <x:FmlaMacro>[0]!Sample</x:FmlaMacro></x:ClientData></v:shape>
</xml>"""
"""A drawing as Excel saves it: the note's box on L4 and a form button that runs a macro."""


def as_xlsm(xlsx: Path, *, button: bool = False) -> Path:
    """The workbook with macros (its notes' drawing as openpyxl saved it, or renamed as Excel names it with a
    form button drawn in it too)."""
    dst = xlsx.with_suffix(".xlsm")
    with zipfile.ZipFile(xlsx) as z:
        members = {n: z.read(n) for n in z.namelist()}
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml").replace(
        b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    members["xl/_rels/workbook.xml.rels"] = members["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdVBA" Type="http://schemas.microsoft.com/office/2006/'
        b'relationships/vbaProject" Target="vbaProject.bin"/></Relationships>')
    members["xl/vbaProject.bin"] = vba_project()
    if button:
        del members["xl/drawings/commentsDrawing1.vml"]
        members["xl/drawings/vmlDrawing1.vml"] = EXCEL_VML
        rels = "xl/worksheets/_rels/sheet2.xml.rels"
        members[rels] = members[rels].replace(b"commentsDrawing1.vml", b"vmlDrawing1.vml")
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    assert dangling(dst) == []
    return dst


def _legacy_drawing(path: Path) -> bytes | None:
    """The VML drawing the T&A sheet names (None: it names none)."""
    xml = sheet_xml(path)
    rid = re.search(rb'<legacyDrawing [^>]*r:id="([^"]+)"', xml)
    if rid is None:
        return None
    with zipfile.ZipFile(path) as z:
        rels = z.read("xl/worksheets/_rels/sheet2.xml.rels").decode()
        target = re.search(rf'<Relationship [^>]*Id="{rid.group(1).decode()}"[^>]*/>', rels)
        assert target is not None
        return z.read(re.search(r'Target="/?([^"]+)"', target.group(0)).group(1))


@pytest.mark.parametrize("sources", [SOURCES, (2, 3, 5, None)], ids=["note kept", "note's row dropped"])
def test_an_xlsm_copy_names_no_part_it_lacks(tmp_path, sources):
    """Before: the sheet still named its notes' drawing (legacyDrawing r:id="anysvml"), the copy lacked it."""
    src = as_xlsm(build(tmp_path / "tracker.xlsx"))
    rows = tuple((f"P{i}",) for i in range(4))
    dst = rewritten(tmp_path, src, SheetRewrite("T&A", 1, (0,), rows, source_rows=sources))
    assert dangling(dst) == []
    with zipfile.ZipFile(dst) as z:
        assert z.read("xl/vbaProject.bin") == vba_project()
    wb = openpyxl.load_workbook(dst, keep_vba=True)
    notes = [c.coordinate for row in wb["T&A"].iter_rows() for c in row if c.comment]
    vml = _legacy_drawing(dst)
    if 4 in sources:
        assert notes == ["L2"] and vml is not None and b"#_x0000_t202" in vml
    else:
        assert notes == [] and vml is None


@pytest.mark.parametrize("sources", [(4, 2), (2, 3)], ids=["note kept", "note's row dropped"])
def test_an_xlsm_drawing_with_a_button_keeps_the_button_and_the_notes_left(tmp_path, sources):
    """Before: the note's box stayed in the drawing when its note was gone."""
    src = as_xlsm(build(tmp_path / "tracker.xlsx"), button=True)
    dst = rewritten(tmp_path, src, SheetRewrite("T&A", 1, (0,), (("A",), ("B",)), source_rows=sources))
    assert dangling(dst) == []
    vml = _legacy_drawing(dst)
    assert vml is not None and b'ObjectType="Button"' in vml and b"[0]!Sample" in vml
    boxes = re.findall(rb"<x:Row>(\d+)</x:Row>", vml.replace(b"ns2:", b"x:"))  # a box's row, 0-based
    assert boxes == ([b"1"] if 4 in sources else [])  # the note on L4 now on L2, or gone with its row


# --------------------------------------------------------------------------- it opens


@pytest.mark.libreoffice
def test_libreoffice_opens_the_copy(tmp_path):
    """Its Days (Actual - Planned, old row r: r days) computed in each carried row from that row's dates."""
    dst = rewritten(tmp_path, build(tmp_path / "tracker.xlsx"))
    profile = (tmp_path / "profile").as_uri()
    out = tmp_path / "out"
    subprocess.run([shutil.which("soffice") or "soffice", f"-env:UserInstallation={profile}", "--headless",
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,2",
                    "--outdir", str(out), str(dst)], check=True, capture_output=True, timeout=180)
    rows = list(csv.reader(next(out.glob("*.csv")).read_text(encoding="utf-8").splitlines()))
    assert rows[0][:2] == ["PO #", "Style #"]
    assert [(r[0], r[12]) for r in rows[1:5]] == [("PO4", "4"), ("PO6", "6"), ("PO3", "3"), ("PO9", "")]
