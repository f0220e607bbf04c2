"""Render the README's pictures: the demo's T&A, Issues, Production Report and Scorecard sheets as the APM sees
them.

    make screenshots        # or: python docs/screenshots.py [OUT_DIR]

A fresh demo (as of 2026-11-25) and its production report are written in a
temporary folder; each sheet is copied alone into a workbook, printed to PDF
by LibreOffice (headless) and its first page turned into a PNG by pdftoppm
(poppler-utils). The report workbook's Scorecard sheet has charts, which a
copy through openpyxl would drop: the whole report workbook is printed and
the page that starts with the scorecard's title is the picture. Nothing
outside OUT_DIR (default docs/images) is written.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from prodbook.cli import main

DAY = "2026-11-25"
SHEETS = (("T&A", "ta"), ("Issues", "issues"), ("Production Report", "production-report"))
DPI = 100
ROWS = 60
"""Data rows of each sheet's print area; the picture is its first page."""
START = {"T&A": "Overdue"}
"""A sheet whose picture starts a few rows above the first row with this status (where the work is)."""


def run(*args: str) -> None:
    result = CliRunner().invoke(main, list(args))
    if result.exit_code not in (0, 1):  # 1: done, with error findings (the demo plants some)
        sys.exit(f"prodbook {' '.join(args)} failed:\n{result.output}")


def one_sheet(book: Path, sheet: str, out: Path) -> Path:
    """A copy of ``book`` holding only ``sheet``, printed as its first ``ROWS`` rows on one landscape page."""
    wb = openpyxl.load_workbook(book)
    for ws in list(wb.worksheets):
        if ws.title != sheet:
            wb.remove(ws)
    ws = wb[sheet]
    ws.sheet_state = "visible"
    first = 2
    if sheet in START:
        col = [c.value for c in ws[1]].index("Status") + 1
        hit = next((r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=col).value == START[sheet]), 2)
        first = max(2, hit - 8)
    last = min(ws.max_row, first + ROWS - 1)
    ws.print_title_rows = "1:1"
    ws.print_area = f"A{first}:{openpyxl.utils.get_column_letter(ws.max_column)}{last}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = True
    wb.save(out)
    return out


def render(xlsx: Path, png: Path, work: Path, page: str | None = None) -> None:
    """The first page of ``xlsx`` printed (or the first whose text starts with ``page``) as ``png``."""
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(work), str(xlsx)],
                   check=True, capture_output=True, timeout=300)
    pdf = work / (xlsx.stem + ".pdf")
    first = _page_starting(pdf, page) if page else 1
    crop = [str(round(v * DPI)) for v in (0.4, 0.65, 10.2, 7.2)]  # the printed area of a landscape Letter page
    subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-f", str(first), "-l", str(first),
                    "-x", crop[0], "-y", crop[1],
                    "-W", crop[2], "-H", crop[3], "-singlefile", str(pdf), str(png.with_suffix(""))],
                   check=True, timeout=120)


def _page_starting(pdf: Path, text: str) -> int:
    """The number of the first page of ``pdf`` whose text starts with ``text``."""
    for n in range(1, 500):
        got = subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"], capture_output=True,
                             text=True, timeout=60)
        if got.returncode != 0:
            break
        if got.stdout.strip().startswith(text):
            return n
    sys.exit(f"no page of {pdf.name} starts with '{text}'")


def screenshots(out_dir: Path) -> list[Path]:
    for tool in ("soffice", "pdftoppm", "pdftotext"):
        if shutil.which(tool) is None:
            sys.exit(f"'{tool}' is not installed: install LibreOffice Calc and poppler-utils, then run again")
    out_dir.mkdir(parents=True, exist_ok=True)
    made = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        run("demo", str(work / "demo"), "--today", DAY)
        demo = work / "demo" / "demo-tracker.xlsx"
        book = work / "report" / demo.name  # the report's run on a copy: the demo's own Issues stay in view
        book.parent.mkdir()
        shutil.copy2(demo, book)
        run("report", str(book), "--today", DAY)
        for sheet, slug in SHEETS:
            xlsx = one_sheet(book if sheet == "Production Report" else demo, sheet, work / f"{slug}.xlsx")
            png = out_dir / f"{slug}.png"
            render(xlsx, png, work)
            made.append(png)
        report = work / "report" / f"Production Report {DAY}.xlsx"  # charts and all: printed whole
        render(report, out_dir / "scorecard.png", work, page="Vendor scorecard")
        made.append(out_dir / "scorecard.png")
    return made


if __name__ == "__main__":
    for path in screenshots(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "images"):
        print(path)
