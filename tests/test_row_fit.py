"""Rows as tall as their wrapped text (helper-121). A newcomer printing the demo's Issues sheet found many rows
about twice as tall as their text: a row's lines were counted with every letter a digit wide, where Calibri's
'i' is under half a digit, so a Problem of four lines was given six. And a vendor file named in the Sheet
column ('DHK WIP 2026-12-04.xlsx') wrapped at its hyphen in a 16-wide column."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from prodbook.core.looks import LINE_HEIGHT, look_for, text_lines
from prodbook.core.model.sheets import ISSUES
from prodbook.workbook.looks_openpyxl import apply_look

WORDS = "the fibers add up to 95%, not 100%; fill in the list of its fibres in full".split()
LONG = ("the customs ruling sample needs the country of each process step: spinning, knitting or weaving, dyeing, "
        "cutting, sewing (cut and sewn: Bangladesh) (Process Countries column); add it before the sample goes to "
        "the broker")
VENDOR_FILE = "DHK WIP 2026-12-04.xlsx"


def _one_line(width: float) -> str:
    """Plain lower-case words four characters longer than the column is wide: on one line in Calibri."""
    out = ""
    while len(out) < width + 4:
        out = f"{out} {WORDS[len(out.split()) % len(WORDS)]}".strip()
    return out


ROWS = (("Styles", "one line"), ("Orders", LONG), ("Samples", "short"))


def _issues(tmp_path: Path) -> Path:
    """An Issues sheet as prodbook lays it out, written and saved: a one-line, a long and a short Problem."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = ISSUES.name
    ws.append(list(ISSUES.headers))
    width = look_for(ISSUES).column("Problem").max_width  # LONG makes the column its widest
    for sheet, problem in ROWS:
        problem = _one_line(width) if problem == "one line" else problem
        row = {h: None for h in ISSUES.headers}
        row.update({"Sheet": sheet, "Cell": "B3", "Problem": problem, "Severity": "warning"})
        ws.append([row[h] for h in ISSUES.headers])
    apply_look(ws, look_for(ISSUES))
    path = tmp_path / "issues.xlsx"
    wb.save(path)
    return path


def _problem_width(ws) -> float:
    j = list(ISSUES.headers).index("Problem") + 1
    return ws.column_dimensions[get_column_letter(j)].width


def test_a_one_line_problem_is_one_line_tall_and_a_long_one_tall_enough(tmp_path):
    ws = openpyxl.load_workbook(_issues(tmp_path))[ISSUES.name]
    width = _problem_width(ws)
    problem = list(ISSUES.headers).index("Problem") + 1
    assert len(ws.cell(row=2, column=problem).value) > width, "the one-line Problem must be longer than the column"
    assert (ws.row_dimensions[2].height or LINE_HEIGHT) == LINE_HEIGHT, ws.row_dimensions[2].height
    # the long one: at least as many lines as its letters take at 0.8 of a digit each (Calibri's prose averages
    # more); exactly as many as LibreOffice draws, below
    least = -(-len(LONG) // int(width / 0.8))
    assert (ws.row_dimensions[3].height or LINE_HEIGHT) >= least * LINE_HEIGHT, (ws.row_dimensions[3].height, least)
    assert (ws.row_dimensions[4].height or LINE_HEIGHT) == LINE_HEIGHT


def test_a_vendor_file_name_fits_the_issues_sheet_column_on_one_line():
    sheet = look_for(ISSUES).column("Sheet")
    assert sheet is not None and text_lines(VENDOR_FILE, sheet.min_width) == 1, sheet


@pytest.mark.libreoffice
def test_libreoffice_draws_each_problem_on_as_many_lines_as_its_row_is_tall(tmp_path):
    """The row heights against the lines LibreOffice (Carlito, Calibri's metrics) draws: none cut, none spare."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = _issues(tmp_path)
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(path)], check=True, capture_output=True, timeout=600)
    html = subprocess.run(["pdftotext", "-bbox", str(tmp_path / "issues.pdf"), "-"], check=True,
                          capture_output=True, timeout=300).stdout.decode("utf-8")
    words = [(float(x0), float(y0), w) for x0, y0, w in
             re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">([^<]*)</word>', html)]
    x_of = {w: x for x, _, w in words}
    left, right = x_of["Problem"], x_of["Severity"]
    tops = [next(y for x, y, w in words if w == sheet and x < left) for sheet, _ in ROWS] + [1e9]
    ws = openpyxl.load_workbook(path)[ISSUES.name]
    for i in range(len(ROWS)):
        lines = {round(y) for x, y, _ in words if left - 1 <= x < right - 1 and tops[i] - 1 <= y < tops[i + 1] - 1}
        height = ws.row_dimensions[i + 2].height or LINE_HEIGHT
        assert height == len(lines) * LINE_HEIGHT, (ROWS[i][1][:30], height, sorted(lines))
