"""Undo puts back a removed row's formulas as formulas, on real files.

A vendor's corrected report (sent again, the same day) no longer lists some lines: the import takes their rows
off the Vendor WIP sheet and logs each whole in the Change Log. The team's own column there ('Cut %',
``=F5/E5`` on every row) holds formulas; the log used to keep only their last value, and undo put back a
number where the formula was. These tests import, undo, and read the workbook back with openpyxl (formulas
as typed): the formula is back on the row the line lands on, while the vendor's text that looks like a
formula ('=SUM(E2:E9)' in Remarks) and the team's text that does ('=ask vendor' in a note) stay text.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl

from prodbook.core.changes import REMOVED
from prodbook.core.findings import Code
from prodbook.jobs.runner import run
from test_wip_undo import (
    THIS_WEEK,
    WIP_HEADER,
    Clock,
    Formula,
    by_header,
    cells,
    day_of,
    imported,
    layout,
    log_rows,
    report,
    undo_and_compare,
    weekly,
    with_history,
)

NOTE, CUT = len(WIP_HEADER) + 1, len(WIP_HEADER) + 2
"""The team's two columns after prodbook's: a note (text) and 'Cut %' (a formula on every row)."""
FORMULA_LIKE = ("=SUM(E2:E9)", "+1 day")
"""What the vendor wrote in Remarks of the lines the corrected report drops: text, never a formula."""
CORRECTED = f"BD1_wip_{THIS_WEEK:%Y%m%d}.csv"
"""The corrected report sent again under its own name: the lines it no longer lists come off (a file of
another name keeps them: a partial update)."""


def cut_formula(n: int, mixed: bool = False) -> str:
    """Row ``n``'s 'Cut %'; ``mixed``: rounded on odd rows (no formula the whole column shares, which Excel's
    Table would fill into a row added by itself)."""
    return f"=ROUND(F{n}/E{n},2)" if mixed and n % 2 else f"=F{n}/E{n}"


def team_columns(path: Path, *, delete_rows: int = 0, mixed: bool = False) -> None:
    """The APM's 'My note' (text; a note starting with '=' typed as text) and 'Cut %' (=F/E of its own row) on
    every row of the Vendor WIP sheet, saved. ``delete_rows``: that many rows deleted first from the top of the
    data, the formulas below them following their rows as Excel's Delete moves them. ``mixed``: see
    ``cut_formula``."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Vendor WIP"]
    if delete_rows:
        ws.delete_rows(2, delete_rows)
    ws.cell(1, NOTE, "My note")
    ws.cell(1, CUT, "Cut %")
    for n in range(2, ws.max_row + 1):
        if ws.cell(n, 1).value is None:
            continue
        note = ws.cell(n, NOTE, f"=ask vendor {n}" if n % 2 else f"note {n}")
        note.data_type = "s"  # typed as text (Excel: a leading apostrophe)
        ws.cell(n, CUT, cut_formula(n, mixed))
    wb.save(path)


def this_weeks_import(tmp_path: Path, clock: Clock) -> tuple[Path, list[Any]]:
    """Three weeks of history, then this week's BD1 report, its last two lines' remarks looking like formulas."""
    path = with_history(tmp_path, clock)
    rows = [(line, cut, xf, FORMULA_LIKE[n - 2] if n >= 2 else remarks)
            for n, (line, cut, xf, remarks) in enumerate(weekly("BD1", 3))]
    imported(run(path, ["wip"], clock(report(tmp_path, "BD1", THIS_WEEK, rows))))
    return path, rows


def corrected(tmp_path: Path, path: Path, clock: Clock, rows: list[Any]) -> None:
    """The corrected report lists the first two lines again (one changed): the other two rows come off."""
    again = [rows[0], (rows[1][0], rows[1][1] + 30, None, "recut")]
    result = run(path, ["wip"], clock(report(tmp_path, "BD1", THIS_WEEK, again, name=CORRECTED)))
    imported(result)
    assert sum(1 for r in log_rows(cells(path)) if r["Field"] == REMOVED) == 2


def test_undo_puts_back_the_team_s_formula_of_a_removed_row(tmp_path):
    clock = Clock()
    path, rows = this_weeks_import(tmp_path, clock)
    team_columns(path)
    before, shape = cells(path), layout(path)
    removed_at = [n for n, r in enumerate(before["Vendor WIP"], start=1)
                  if r[13] in FORMULA_LIKE and day_of(r[14]) == THIS_WEEK]
    assert len(removed_at) == 2 and all(before["Vendor WIP"][n - 1][CUT - 1] == Formula(f"=F{n}/E{n}")
                                        for n in removed_at)
    corrected(tmp_path, path, clock, rows)
    # the log tells the formula from the vendor's text and the team's
    logged = [json.loads(r["Old"]) for r in log_rows(cells(path)) if r["Field"] == REMOVED]
    assert sorted(r["Remarks"] for r in logged) == sorted(FORMULA_LIKE)
    assert all(isinstance(r["My note"], str) for r in logged)
    assert all(isinstance(r["Cut %"], dict) and r["Cut %"]["formula"] == f"=F{r['(row)']}/E{r['(row)']}"
               for r in logged), logged
    undo_and_compare(path, before, clock, shape)  # every cell as it was: formulas as formulas, text as text
    after = cells(path)["Vendor WIP"]
    for n in removed_at:
        assert after[n - 1][CUT - 1] == Formula(f"=F{n}/E{n}")
        assert isinstance(after[n - 1][13], str) and after[n - 1][13] in FORMULA_LIKE
        assert isinstance(after[n - 1][NOTE - 1], str)


def test_a_removed_row_put_back_on_another_row_gets_its_formula_for_that_row(tmp_path):
    """The APM deleted two history rows after the import: the removed lines come back below the last row, higher
    than they were, each formula reading its own new row."""
    clock = Clock()
    path, rows = this_weeks_import(tmp_path, clock)
    team_columns(path)
    corrected(tmp_path, path, clock, rows)
    team_columns(path, delete_rows=2)
    result = run(path, ["undo"], clock())
    assert not [f for f in result.findings if f.code is Code.UNDO_KEPT], [f.text() for f in result.findings]
    wb = openpyxl.load_workbook(path)
    try:
        ws = wb["Vendor WIP"]
        back = [n for n in range(2, ws.max_row + 1) if ws.cell(n, 14).value in FORMULA_LIKE]
        assert len(back) == 2 and back != [24, 25], back  # they were on rows 24 and 25
        for n in back:
            assert ws.cell(n, CUT).data_type == "f" and ws.cell(n, CUT).value == f"=F{n}/E{n}", n
            assert ws.cell(n, 14).data_type == "s"
        assert all(ws.cell(n, CUT).value == f"=F{n}/E{n}" for n in range(2, ws.max_row + 1))
    finally:
        wb.close()
    assert len(by_header(cells(path))) == 3 * 7 + 4 - 2


def _as_excel_fills_down(path: Path) -> None:
    """The 'Cut %' column as Excel saves a formula filled down: one shared formula, its text in the first cell
    only (``<f t="shared" ref="R2:R30" si="0">F2/E2</f>``, then ``<f t="shared" si="0"/>``)."""
    letter = openpyxl.utils.get_column_letter(CUT)
    tmp = path.with_suffix(".tmp.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
        wb = openpyxl.load_workbook(path, read_only=True)
        index = wb.sheetnames.index("Vendor WIP") + 1
        wb.close()
        part = f"xl/worksheets/sheet{index}.xml"
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == part:
                data = _shared(data.decode(), letter).encode()
            out.writestr(item, data)
    shutil.move(tmp, path)


def _shared(text: str, letter: str) -> str:
    """The sheet's XML with the column's formulas =F{n}/E{n} made one shared formula."""
    found = [int(n) for n in re.findall(rf'<c r="{letter}(\d+)"[^>]*><f>F\1/E\1</f>', text)]
    first, last = min(found), max(found)
    master = f'<f t="shared" ref="{letter}{first}:{letter}{last}" si="0">F{first}/E{first}</f>'
    return re.sub(rf'(<c r="{letter}(\d+)"[^>]*>)<f>F\2/E\2</f>',
                  lambda m: m[1] + (master if int(m[2]) == first else '<f t="shared" si="0"/>'), text)


def test_a_formula_filled_down_in_excel_comes_back_too(tmp_path):
    """Excel keeps a filled-down formula's text once, in its first cell: the removed rows' own formulas are
    worked out from it, and put back as each row's."""
    clock = Clock()
    path, rows = this_weeks_import(tmp_path, clock)
    team_columns(path)
    _as_excel_fills_down(path)
    before, shape = cells(path), layout(path)
    corrected(tmp_path, path, clock, rows)
    logged = [json.loads(r["Old"]) for r in log_rows(cells(path)) if r["Field"] == REMOVED]
    assert all(r["Cut %"]["formula"] == f"=F{r['(row)']}/E{r['(row)']}" for r in logged), logged
    undo_and_compare(path, before, clock, shape)


def test_in_excel_too_undo_puts_back_the_formula_and_keeps_the_vendor_s_text(tmp_path):
    """The same import and undo through the add-in (the live back end, on the in-memory stand-in for Excel)."""
    from fakexl import FakeBook
    from fakexl import Formula as TypedFormula
    from prodbook.workbook.xlbook import XlBook

    clock = Clock()
    path, rows = this_weeks_import(tmp_path, clock)
    team_columns(path, mixed=True)
    book = FakeBook.from_file(path)
    cut = book.sheets["Vendor WIP"].cells
    removed_at = [n for (n, c), v in cut.items() if c == 14 and v in FORMULA_LIKE]
    assert len(removed_at) == 2
    again = [rows[0], (rows[1][0], rows[1][1] + 30, None, "recut")]
    imported(run(path, ["wip"], clock(report(tmp_path, "BD1", THIS_WEEK, again, name=CORRECTED)),
                 backend=XlBook(book)))
    assert all(book.sheets["Vendor WIP"].cells.get((n, 14)) not in FORMULA_LIKE for n in removed_at)
    result = run(path, ["undo"], clock(), backend=XlBook(book))
    assert not [f for f in result.findings if f.code is Code.UNDO_KEPT], [f.text() for f in result.findings]
    now = book.sheets["Vendor WIP"].cells
    for n in removed_at:
        assert isinstance(now[(n, CUT)], TypedFormula) and now[(n, CUT)] == cut_formula(n, True), (n, now.get((n, CUT)))
        assert now[(n, 14)] in FORMULA_LIKE and not isinstance(now[(n, 14)], TypedFormula)
        assert not isinstance(now[(n, NOTE)], TypedFormula)
