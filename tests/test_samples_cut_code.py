"""The PP-sample gate ("do not cut before approval") finds bulk cutting by the Config sheet's Cut Code: a team
whose templates call cutting CUTTING sets Cut Code = CUTTING and is warned as a team on CUT is. On a copy of the
demo tracker with its templates' CUT renamed, a PP sample typed on Samples, run as `prodbook refresh` runs."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from prodbook.core.findings import Severity
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run

DEMO = Path(__file__).resolve().parents[1] / "workbooks" / "demo-tracker.xlsx"
TODAY = date(2026, 12, 7)
PP = ["SS27-KT-1002", "PP", "Pre-production approval", "Optic White", "M", 2, datetime(2026, 11, 1),
      datetime(2026, 11, 17), datetime(2026, 11, 21), "DHL", "1234567890", datetime(2026, 11, 25), "Received",
      "buyer comments pending"]  # PO 4500013265: PP approval open in the T&A, cutting planned 02-Dec


def renamed_cut(tmp_path: Path, cut_code: str | None) -> Path:
    """The demo with every template's CUT (its Code and the Anchors on it) renamed CUTTING, a PP sample with
    the buyer on Samples, and Config 'Cut Code' = ``cut_code`` (no row for None)."""
    book = tmp_path / "tracker.xlsx"
    shutil.copy(DEMO, book)
    wb = openpyxl.load_workbook(book)
    ws = wb["T&A Templates"]
    head = [c.value for c in ws[1]]
    renamed = 0
    for row in ws.iter_rows(min_row=2):
        for col in ("Code", "Anchor"):
            cell = row[head.index(col)]
            if cell.value == "CUT":
                cell.value = "CUTTING"
                renamed += 1
    assert renamed > 3
    samples = wb["Samples"]
    at = samples.max_row + 1
    for c, v in enumerate(PP, start=1):
        samples.cell(at, c, v)
    samples.tables["tblSamples"].ref = f"A1:N{at}"
    if cut_code is not None:
        config = wb["Config"]
        assert not [r for r in config.iter_rows(values_only=True) if r[0] == "Cut Code"]
        end = config.max_row + 1
        config.cell(end, 1, "Cut Code")
        config.cell(end, 2, cut_code)
        table = config.tables["tblConfig"]
        table.ref = f"{table.ref.split(':')[0]}:B{end}"
    wb.save(book)
    return book


@pytest.mark.parametrize("cut_code, warned", [("CUTTING", True), ("cutting ", True), (None, False)])
def test_a_pp_sample_is_gated_on_the_cutting_milestone_the_config_cut_code_names(tmp_path, cut_code, warned):
    book = renamed_cut(tmp_path, cut_code)
    row = openpyxl.load_workbook(book)["Samples"].max_row
    found = run(book, ["ta", "validate"], Context(today=TODAY, now=datetime(2026, 12, 7, 9, 0))).findings
    ta = openpyxl.load_workbook(book)["T&A"]
    codes = {r[[c.value for c in ta[1]].index("Code")] for r in ta.iter_rows(min_row=2, values_only=True)}
    assert "CUTTING" in codes and "CUT" not in codes  # the T&A's cutting milestone is CUTTING
    hit = [f for f in found if f.sheet == "Samples" and f.row == row and "do not cut before approval" in f.message]
    if warned:
        assert len(hit) == 1, [f.text() for f in found if f.sheet == "Samples" and f.row == row]
        assert hit[0].severity is Severity.WARNING and "PP not approved, cutting due 02-Dec-26" in hit[0].message
    else:  # the default CUT is no milestone of these templates: nothing to gate on
        assert not hit
