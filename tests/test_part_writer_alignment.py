"""The part-level writer gives the sheets and columns it creates each column look's horizontal alignment
and indent: dates centred, numbers right-aligned one indent off the edge, text left as the program shows it
('25-Nov-26 Sea', never '25-Nov-26Sea')."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from conftest import base_sheets, write_book
from prodbook.cli import main
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run

TODAY = "2026-11-25"


def _cli(*args: str) -> None:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code in (0, 1), result.output


@pytest.fixture(scope="module")
def reported(tmp_path_factory) -> Path:
    """The demo tracker after `prodbook report`: its 'Production Report' sheet is new, made part by part."""
    folder = tmp_path_factory.mktemp("al_demo")
    _cli("demo", str(folder), "--today", TODAY)
    path = folder / "demo-tracker.xlsx"
    _cli("report", str(path), "--today", TODAY)
    return path


def _alignments(ws, header: str) -> set[tuple[str | None, float, str | None]]:
    headers = [c.value for c in ws[1]]
    col = headers.index(header) + 1
    return {(c.alignment.horizontal, c.alignment.indent, c.alignment.vertical)
            for (c,) in ws.iter_rows(min_row=2, max_row=ws.max_row, min_col=col, max_col=col)}


def test_a_new_sheet_centres_dates_and_indents_numbers_from_the_right(reported):
    wb = openpyxl.load_workbook(reported)
    ws = wb["Production Report"]
    assert ws.max_row > 10
    for header in ("Planned XF", "Cancel Date", "WIP Report"):  # dates
        assert _alignments(ws, header) == {("center", 0, "top")}, header
    for header in ("Qty", "XF Days Late", "Cut %", "Open Exceptions"):  # numbers
        assert _alignments(ws, header) == {("right", 1, "top")}, header
    for header in ("Style #", "Vendor", "Ship Mode", "Status"):  # text: the program's own alignment
        assert _alignments(ws, header) == {(None, 0, "top")}, header
    # the header keeps the header look: no column's alignment
    assert {(c.alignment.horizontal, c.alignment.vertical, c.alignment.wrap_text) for c in ws[1]} == {
        (None, "center", True)}
    # number formats stay as they were
    assert ws.cell(2, [c.value for c in ws[1]].index("Qty") + 1).number_format == "#,##0"
    # so does an archive sheet the writer created
    archive = wb["T&A Archive"]
    headers = [c.value for c in archive[1]]
    col = next(i for i, h in enumerate(headers, 1) if h in ("Planned", "Forecast"))
    dim = archive.column_dimensions[openpyxl.utils.get_column_letter(col)]
    assert dim.alignment.horizontal == "center"


def test_styles_xml_takes_each_alignment_once_and_stays_valid(reported):
    with zipfile.ZipFile(reported) as z:
        styles = z.read("xl/styles.xml").decode()
    xfs = re.search(r"<cellXfs\b[^>]*>(.*?)</cellXfs>", styles, re.S)
    assert xfs is not None
    count = re.search(r'<cellXfs\b[^>]*count="(\d+)"', styles)
    items = re.findall(r"<xf\b[^>]*?(?:/>|>.*?</xf>)", xfs.group(1), re.S)
    assert count is not None and int(count.group(1)) == len(items)
    assert len(items) == len(set(items))  # an identical style is reused, never added twice
    assert any('horizontal="center"' in x for x in items)
    assert any('horizontal="right"' in x and 'indent="1"' in x for x in items)


def test_a_column_added_to_an_existing_sheet_gets_its_alignment_and_an_existing_column_keeps_its_style(
        tmp_path):
    """A team's own 'Production Report' sheet with only some of the columns, Qty styled their way: the
    columns prodbook appends get the look, the team's Qty keeps its style."""
    sheets = base_sheets()
    sheets["Production Report"] = [["PO #", "Style #", "Qty"], ["4500000001", "S1", 1200]]
    path = write_book(tmp_path / "t.xlsx", sheets)
    wb = openpyxl.load_workbook(path)
    ws = wb["Production Report"]
    ws["C2"].alignment = openpyxl.styles.Alignment(horizontal="left")
    wb.save(path)
    run(path, ["ta", "exceptions", "report"], Context(today=date(2027, 3, 1), now=datetime(2027, 3, 1, 9)))
    ws = openpyxl.load_workbook(path)["Production Report"]
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["PO #", "Style #", "Qty"] and "Planned XF" in headers and "XF Days Late" in headers
    assert ws.max_row == 3
    assert _alignments(ws, "Qty") == {("left", 0, None)}  # the team's style, as it was
    assert {a[:2] for a in _alignments(ws, "Planned XF")} == {("center", 0)}
    assert {a[:2] for a in _alignments(ws, "XF Days Late")} == {("right", 1)}
    assert {a[:2] for a in _alignments(ws, "Status")} == {(None, 0)}


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_written_file(reported, tmp_path):
    out = tmp_path / "pdf"
    done = subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(out), str(reported)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    pdf = out / (reported.stem + ".pdf")
    assert pdf.exists() and pdf.stat().st_size > 1000
