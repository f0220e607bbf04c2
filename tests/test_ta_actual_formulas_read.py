"""The formulas in the T&A's Actual column, read cheaply (issue 14): every `prodbook ta` asks for them (a
`=TODAY()` typed where a date belongs is warned about), and the column almost never holds one.

A sheet the start of the run saw hold no formula in its cells (``SheetScan.formulas``) is not read again; a
sheet whose formulas are all elsewhere is read from its formulas alone (``user_cells._formula_cells``), not
parsed cell by cell. Real .xlsx files: a tracker built by `prodbook ta`, then its T&A's XML as Excel saves it.
"""

from __future__ import annotations

import random
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from prodbook.core.findings import Code
from prodbook.jobs.runner import run
from prodbook.workbook import filebook
from prodbook.workbook.filebook import FileBook
from prodbook.workbook.xlsx import user_cells
from prodbook.workbook.xlsx.package import _Package
from prodbook.workbook.xlsx.sheetxml import SheetScanner, scan_sheet
from prodbook.workbook.xlsx.user_cells import formulas_at
from test_ta_actual_typos import actual_findings, built, ctx, type_actuals

ACTUAL = 9  # column J, 0-based


def ta_part(path: Path, sheet: str = "T&A") -> str:
    return f"xl/worksheets/sheet{openpyxl.load_workbook(path).sheetnames.index(sheet) + 1}.xml"


def edit_part(path: Path, part: str, edit: Callable[[str], str]) -> None:
    """Rewrite one part's XML in place, the rest of the package byte for byte (as Excel saves a shared formula,
    which openpyxl cannot write)."""
    with zipfile.ZipFile(path) as z:
        members = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            z.writestr(info, edit(data.decode()).encode() if info.filename == part else data)


def ta_rows(path: Path) -> list[int]:
    ws = openpyxl.load_workbook(path)["T&A"]
    return [r[0].row for r in ws.iter_rows(min_row=2) if r[0].value]


def with_days_column(path: Path) -> list[int]:
    """The team's own column N, 'Days to go', a formula on every T&A row; returns the rows."""
    wb = openpyxl.load_workbook(path)
    ws = wb["T&A"]
    ws.cell(1, 14, "Days to go")
    rows = [r[0].row for r in ws.iter_rows(min_row=2) if r[0].value]
    for r in rows:
        ws.cell(r, 14, f"=H{r}-TODAY()")
    wb.save(path)
    return rows


def actual_formulas(path: Path, rows: list[int]) -> dict[tuple[int, int], str]:
    return FileBook(path).formulas("T&A", [(r, ACTUAL) for r in rows])


def test_a_ta_without_a_formula_is_not_read_again_for_its_actual_column(tmp_path):
    """The start of the run looked at every sheet's XML: a T&A whose cells hold no formula answers from that look
    (0.9 s of reading at 10,000 PO lines before). A colour rule's or a list validation's formula (after the cells)
    is no cell's."""
    path = built(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["T&A"].conditional_formatting.add("J2:J40", FormulaRule(formula=["$J2>TODAY()"], fill=PatternFill(
        "solid", start_color="FFC7CE")))
    wb["T&A"].add_data_validation(DataValidation(type="list", formula1='"Mill,Vendor"', sqref="G2:G40"))
    wb.save(path)
    xml = zipfile.ZipFile(path).read(ta_part(path)).decode()
    assert "<formula>" in xml and "<formula1>" in xml
    rows = ta_rows(path)
    book = FileBook(path)
    assert not book._scan("T&A").formulas and book._scan("Issues").formulas  # Issues: its links are formulas
    with mock.patch.object(filebook, "formulas_at", side_effect=AssertionError("the T&A was read again")):
        assert book.formulas("T&A", [(r, ACTUAL) for r in rows]) == {}
    type_actuals(path, {("4500000001", "LD"): "=TODAY()"})
    assert FileBook(path)._scan("T&A").formulas
    assert list(actual_formulas(path, rows).values()) == ["=TODAY()"]


def test_a_ta_whose_formulas_are_all_in_other_columns_has_none_in_actual(tmp_path):
    path = built(tmp_path)
    rows = with_days_column(path)
    assert FileBook(path)._scan("T&A").formulas
    assert actual_formulas(path, rows) == {}
    assert FileBook(path).formulas("T&A", [(rows[1], 13)]) == {(rows[1], 13): f"=H{rows[1]}-TODAY()"}
    findings = run(path, ["ta"], ctx()).findings
    assert not [f for f in findings if f.code is Code.BAD_DATE], [f.text() for f in findings]
    typed = type_actuals(path, {("4500000001", "CUT"): "=TODAY()"})  # and one among them in Actual
    at = typed[("4500000001", "CUT")]
    assert actual_formulas(path, rows) == {(at, ACTUAL): "=TODAY()"}
    findings = run(path, ["ta"], ctx()).findings
    said = [f for f in findings if f.code is Code.BAD_DATE]
    assert [(f.row, f.value) for f in said] == [(at, "=TODAY()")], [f.text() for f in said]


def _shared(text: str, column: str, first: int, last: int, formula: str, si: int) -> str:
    """The sheet's XML with ``column``'s cells first..last one shared formula, as Excel saves a fill down: its
    text in the first cell only (``formula``, written for that row), the others a reference to it; each cell's
    value as Excel calculated it (its row's Planned + 2: a date). A blank cell (none in the XML) is put after the
    row's cell in column I."""
    master = f'<f t="shared" ref="{column}{first}:{column}{last}" si="{si}">{formula}</f>'
    child = f'<f t="shared" si="{si}"/>'
    for row in range(first, last + 1):
        planned = re.search(rf'<c r="H{row}"[^>]*><v>(\d+)</v>', text)
        assert planned, row
        cell = f'<c r="{column}{row}">{master if row == first else child}<v>{int(planned[1]) + 2}</v></c>'
        own = re.compile(rf'<c r="{column}{row}"(?:[^>]*/>|[^>]*>.*?</c>)', re.S)
        if own.search(text):
            text = own.sub(cell, text, count=1)
        else:
            before = re.compile(rf'<c r="I{row}"(?:[^>]*/>|[^>]*>.*?</c>)', re.S)
            assert before.search(text), row
            text = before.sub(lambda m, cell=cell: m[0] + cell, text, count=1)
    return text


def test_a_shared_formula_filled_down_the_actual_column_is_said_at_each_of_its_cells(tmp_path):
    """Excel keeps a filled-down formula's text once: J4 and J5 hold only a reference to J3's. Each is its own
    formula (=H4+2, =H5+2), asked with or without the cell that holds the text; a shared formula down the
    team's own column beside it is not the Actual's."""
    path = built(tmp_path)
    rows = with_days_column(path)
    part = ta_part(path)
    edit_part(path, part, lambda t: _shared(_shared(t, "N", rows[0], rows[-1], f"H{rows[0]}-TODAY()", 0),
                                            "J", 3, 5, "H3+2", 1))
    xml = zipfile.ZipFile(path).read(part).decode()
    assert xml.count('<f t="shared" si="1"/>') == 2 and xml.count('<f t="shared" si="0"/>') == len(rows) - 1
    want = {(3, ACTUAL): "=H3+2", (4, ACTUAL): "=H4+2", (5, ACTUAL): "=H5+2"}
    assert actual_formulas(path, rows) == want
    assert FileBook(path).formulas("T&A", [(4, ACTUAL), (5, ACTUAL)]) == {c: want[c] for c in [(4, 9), (5, 9)]}
    assert FileBook(path).formulas("T&A", [(6, 13)]) == {(6, 13): "=H6-TODAY()"}
    findings = run(path, ["ta"], ctx()).findings
    for row in (3, 4, 5):
        said = actual_findings(findings, row)
        assert [(f.code, f.value) for f in said] == [(Code.BAD_DATE, f"=H{row}+2")], [f.text() for f in said]
    assert len([f for f in findings if f.code is Code.BAD_DATE]) == 3


# The formulas read from the formulas alone agree with every cell parsed, on any layout (a property)

_AFTER_CELLS = ('<conditionalFormatting sqref="A1"><cfRule type="expression" priority="1"><formula>A1&gt;2'
                '</formula></cfRule></conditionalFormatting><dataValidations count="1"><dataValidation sqref="B2">'
                '<formula1>Lists!$A$1:$A$3</formula1></dataValidation></dataValidations><rowBreaks count="1">'
                '<brk id="3"/></rowBreaks><extLst><ext uri="{78C0D931}"><x14:conditionalFormattings>'
                '<x14:conditionalFormatting><x14:cfRule type="expression"><xm:f>$A$1</xm:f></x14:cfRule>'
                '</x14:conditionalFormatting></x14:conditionalFormattings></ext></extLst>')


def random_sheet(seed: int) -> tuple[str, bool]:
    """A sheet's XML with cells of every kind a T&A may hold (values, plain, shared and array formulas, rich text
    naming a font family, text reading ':f' or 'sheetData'), in any of the layouts the format allows (a prefix,
    rows or cells without their r, white space between tags), and formulas of colour rules and validations after
    the cells; and whether its cells hold a formula element."""
    rnd = random.Random(seed)
    p = rnd.choice(["", "", "x:"])
    gap = rnd.choice(["", "", "\n  "])
    n_rows, n_cols = rnd.randint(1, 40), rnd.randint(1, 6)
    dense = rnd.choice([0.0, 0.0, 0.01, 0.1, 0.3])  # how many cells hold a formula: most T&As none
    shared: dict[tuple[int, int], str] = {}  # a child cell -> its si
    arrays: set[tuple[int, int]] = set()
    any_formula = False
    rows = []
    for r in range(1, n_rows + 1):
        cells = []
        row_r = f' r="{r}"' if rnd.random() < 0.9 else ""
        named = rnd.random() < 0.9  # cells without r: each follows the one before it
        for c in range(n_cols):
            letter = "ABCDEF"[c]
            cell_r = f' r="{letter}{r}"' if named else ""
            kind = rnd.random()
            if (r, c) in shared:
                inner = f'<{p}f t="shared" si="{shared[(r, c)]}"/><{p}v>1</{p}v>'
                any_formula = True
            elif (r, c) in arrays:
                inner = f"<{p}v>2</{p}v>"
            elif kind < dense * 0.6:
                inner = f"<{p}f>{letter}{r}*2</{p}f><{p}v>3</{p}v>"
                any_formula = True
            elif kind < dense * 0.8 and r < n_rows:
                last = rnd.randint(r + 1, n_rows)
                si = f"{r}-{c}"
                shared |= {(rr, c): si for rr in range(r + 1, last + 1)}
                inner = (f'<{p}f t="shared" ref="{letter}{r}:{letter}{last}" si="{si}">{letter}{r}+1</{p}f>'
                         f"<{p}v>1</{p}v>")
                any_formula = True
            elif kind < dense and r < n_rows:
                last = rnd.randint(r + 1, n_rows)
                arrays |= {(rr, c) for rr in range(r + 1, last + 1)}
                inner = f'<{p}f t="array" ref="{letter}{r}:{letter}{last}">SEQUENCE(9)</{p}f><{p}v>1</{p}v>'
                any_formula = True
            elif kind < dense + 0.06:
                inner = (f'<{p}is><{p}r><{p}rPr><{p}family val="2"/></{p}rPr><{p}t>Note:fabric sheetData'
                         f'</{p}t></{p}r></{p}is>')
            elif kind < dense + 0.3:
                continue  # a blank: no cell
            else:
                inner = f"<{p}v>{r * 10 + c}</{p}v>"
            kind_attr = ' t="inlineStr"' if inner.startswith(f"<{p}is>") else ""
            cells.append(f"<{p}c{cell_r}{kind_attr}>{gap}{inner}</{p}c>")
        rows.append(f"<{p}row{row_r}>{gap}{gap.join(cells)}</{p}row>")
    xmlns = f' xmlns{":" + p[:-1] if p else ""}="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    after = _AFTER_CELLS if not p else _AFTER_CELLS.replace("<formula", f"<{p}formula").replace(
        "</formula", f"</{p}formula")
    return (f'<{p}worksheet{xmlns} xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
            f"<{p}sheetData>{gap}{gap.join(rows)}</{p}sheetData>{after}</{p}worksheet>"), any_formula


def package(tmp_path: Path, xml: str) -> Path:
    path = tmp_path / "s.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", xml)
    return path


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 2**32), block=st.integers(40, 600), asked=st.sampled_from(["all", "every", "some"]))
def test_formulas_read_from_the_formulas_alone_agree_with_every_cell_parsed(tmp_path_factory, seed, block, asked):
    """The oracle is the read of every wanted row's cells (the code before: ``_formula_cells`` answering None),
    over regions of a few rows (``block``), so a shared or array formula's first cell is in an earlier region
    than the cells it fills."""
    xml, _ = random_sheet(seed)
    path = package(tmp_path_factory.mktemp("f"), xml)
    rnd = random.Random(seed + 1)
    cells = None if asked == "all" else [(r, c) for r in range(1, 41) for c in range(6)
                                         if asked == "every" or rnd.random() < 0.3]
    with mock.patch.object(user_cells, "STREAM_CHUNK", block), _Package(path) as pkg:
        got = formulas_at(pkg, "xl/worksheets/sheet1.xml", "S", cells)
        with mock.patch.object(user_cells, "_formula_cells", lambda *_: None):
            want = formulas_at(pkg, "xl/worksheets/sheet1.xml", "S", cells)
    assert got == want


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 2**32), cuts=st.lists(st.integers(1, 400), min_size=1, max_size=60))
def test_the_scan_says_a_formula_wherever_the_xml_is_cut(tmp_path_factory, seed, cuts):
    """The start of a run's look at a sheet, fed in pieces cut anywhere: a formula in the cells is always seen;
    a colour rule's or validation's formula after them (<formula>, <xm:f>), a font family, text reading ':f' are
    not one. A sheet it says holds none has none to read."""
    xml, any_formula = random_sheet(seed)
    data = xml.encode()
    scanner, at, i = SheetScanner(), 0, 0
    while at < len(data):
        scanner.feed(data[at:at + cuts[i % len(cuts)]])
        at, i = at + cuts[i % len(cuts)], i + 1
    scan = scanner.result()
    assert scan.formulas == any_formula
    path = package(tmp_path_factory.mktemp("s"), xml)
    assert scan_sheet(path, "xl/worksheets/sheet1.xml").formulas == any_formula
    if not scan.formulas:
        with _Package(path) as pkg:
            assert formulas_at(pkg, "xl/worksheets/sheet1.xml", "S", None) == {}
