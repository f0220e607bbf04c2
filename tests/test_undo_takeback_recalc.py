"""Undo of a run that took a PO line back from the 'T&A Archive', after Excel recalculated the team's formulas.

A line taken back gets the team's formulas in their own columns moved to the row it lands on (``=I7-H7`` from
row 7 is ``=I2-H2`` on row 2). Until Excel calculates it, that cell shows the value it showed when it was
archived; once Excel recalculates (at once in live Excel, or when the APM opens and saves the file) it shows
the value for its new row. Undo asks whether the APM typed in a row the run added since: a formula's new value
is not the APM's typing, so the line goes back to the archive and the T&A is as it was before the take-back.
A value the APM really typed over the formula still keeps the row. Real files, read back with openpyxl; the
live back end on the stand-in for Excel, made to calculate these formulas as Excel would.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import fakexl
from fakexl import FakeBook
from fakexl import Formula as TypedFormula
from prodbook.core.findings import Code
from prodbook.jobs.runner import run
from prodbook.workbook.xlbook import XlBook
from test_archive_formulas import (
    A1,
    CANCELLED,
    STRUCTURED,
    _take_back_elsewhere,
    as_excel_saves,
    ctx,
    days_late,
    kept,
    lines,
    live_status,
    of_po,
    ta_cells,
    team_columns,
)
from test_archive_formulas import tracker as _tracker
from test_cancelled_lines import set_status

TEAM = ("Days Late", "Since prev")


def _letters(path: Path) -> tuple[str, str]:
    wb = openpyxl.load_workbook(path, read_only=True)
    part = f"xl/worksheets/sheet{wb.sheetnames.index('T&A') + 1}.xml"
    heads = next(wb["T&A"].iter_rows(max_row=1, values_only=True))
    wb.close()
    return part, "|".join(openpyxl.utils.get_column_letter(heads.index(h) + 1) for h in TEAM)


def recalculated(path: Path) -> None:
    """Excel recalculates the T&A and saves: every formula in 'Days Late' and 'Since prev' shows its value for
    the row it is on now (in ``as_excel_saves``'s model, the row's number), whatever value it held before."""
    part, letters = _letters(path)
    tmp = path.with_suffix(".tmp.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == part:
                data = re.sub(rf'(<c r="(?:{letters})(\d+)"[^>]*>)(<f[^>]*>[^<]*</f>|<f[^>]*/>)'
                              r"(?:<v>[^<]*</v>|<v\s*/>)?",
                              lambda m: m[1].replace(' t="str"', "") + f"{m[3]}<v>{m[2]}</v>",
                              data.decode()).encode()
            out.writestr(item, data)
    shutil.move(tmp, path)


def cached(path: Path, po: str) -> dict[int, dict[str, Any]]:
    """The values the file holds for the line's 'Days Late' and 'Since prev' cells, by row (data_only)."""
    wb = openpyxl.load_workbook(path, data_only=True)
    try:
        ws = wb["T&A"]
        heads = [c.value for c in ws[1]]
        return {r: {h: ws.cell(r, heads.index(h) + 1).value for h in TEAM}
                for r in range(2, ws.max_row + 1) if str(ws.cell(r, 1).value) == po}
    finally:
        wb.close()


def archive_rows(path: Path, po: str) -> dict[str, dict[str, Any]]:
    """The line's archived rows by Code: every cell as typed but the Your Columns one (compared decoded)."""
    return {code: {h: v for h, v in row.items() if h not in ("Your Columns", "(row)")}
            for code, row in of_po(ta_cells(path, "T&A Archive"), po).items()}


def _take_back(path: Path) -> tuple[tuple[str, str, str], dict, dict]:
    """The second line taken back onto rows 2-6 (``_take_back_elsewhere``); the T&A and the archive as they
    were just before the take-back run."""
    then: dict[str, Any] = {}
    second, _before, _result = _take_back_elsewhere(path, then)
    return second, then["ta"], then["archive"]


@pytest.fixture(params=[A1, STRUCTURED], ids=["a1", "calculated"])
def formula(request: pytest.FixtureRequest) -> str:
    return request.param


def test_undo_takes_the_line_back_to_the_archive_after_excel_recalculated(tmp_path, formula):
    path = _tracker(tmp_path, orders=3)
    team_columns(path, formula, calculated=formula is STRUCTURED)
    second, ta_then, archive_then = _take_back(path)
    back = of_po(ta_cells(path), second[0])
    assert sorted(r["(row)"][0] for r in back.values()) == [2, 3, 4, 5, 6]
    # as taken back, each formula still shows the value it showed on rows 7-11
    assert cached(path, second[0]) == {n: dict.fromkeys(TEAM, n + 5) for n in range(2, 7)}
    recalculated(path)
    assert cached(path, second[0]) == {n: dict.fromkeys(TEAM, n) for n in range(2, 7)}  # now for rows 2-6
    undo = run(path, ["undo"], ctx())
    assert not [f for f in undo.findings if f.code is Code.UNDO_KEPT], [f.text() for f in undo.findings]
    # the T&A is as it was before the take-back: the second line off it, the first one back, formulas as typed
    assert ta_cells(path) == ta_then
    assert of_po(ta_cells(path), second[0]) == {}
    # the second line is in the archive again, as it was, its formulas kept as formulas
    assert archive_rows(path, second[0]) == {c: {h: v for h, v in r.items() if h not in ("Your Columns", "(row)")}
                                             for c, r in of_po(archive_then, second[0]).items()}
    # every cell as the archive held it before the take-back, Your Columns too: the formulas of the T&A rows 7-11
    # the line was archived from, with the values they showed there (not as moved to rows 2-6 and recalculated)
    assert ta_cells(path, "T&A Archive") == archive_then
    archived = kept(of_po(ta_cells(path, "T&A Archive"), second[0]))
    assert sorted(got["(row)"] for got in archived.values()) == [7, 8, 9, 10, 11]  # the rows it was archived from
    for got in archived.values():
        n = got["(row)"]
        assert got["Days Late"] == {"formula": days_late(formula, n), "value": n}, got
        assert got["Since prev"] == {"formula": f"=H{n}-H{n - 1}", "value": n}, got


def _codes(path: Path, sheet: str, po: str) -> list[str]:
    """The line's rows on a sheet by Code, one entry a row (a row on the sheet twice shows twice)."""
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return sorted(str(r[4]) for r in wb[sheet].iter_rows(min_row=2, values_only=True) if r and str(r[0]) == po)
    finally:
        wb.close()


def test_the_row_kept_for_a_value_typed_over_its_formula_is_not_archived_again(tmp_path):
    """The APM typed a number over one taken-back row's formula: that row is theirs, and stays on the T&A,
    named (UNDO_KEPT), and it is not put back in the archive as well: it would be on both sheets. Only the other
    four rows go back."""
    path = _tracker(tmp_path, orders=3)
    team_columns(path, A1, calculated=False)
    second, _before, _result = _take_back_elsewhere(path)
    recalculated(path)
    wb = openpyxl.load_workbook(path)
    ws = wb["T&A"]
    heads = [c.value for c in ws[1]]
    row = next(r for r in range(2, ws.max_row + 1) if str(ws.cell(r, 1).value) == second[0])
    assert ws.cell(row, 5).value == "LD"
    ws.cell(row, heads.index("Days Late") + 1).value = 4  # typed: no formula any more
    wb.save(path)
    as_excel_saves(path)
    undo = run(path, ["undo"], ctx())
    typed = [f for f in undo.findings if f.code is Code.UNDO_KEPT]
    assert [(f.column, f.value) for f in typed] == [("Days Late", "4")], [f.text() for f in undo.findings]
    assert _codes(path, "T&A", second[0]) == ["LD"]  # kept on the T&A, as typed
    assert of_po(ta_cells(path), second[0])["LD"]["Days Late"] == (4, "n")
    assert _codes(path, "T&A Archive", second[0]) == sorted(["LD-APP", "CUT", "XF", "DC"])  # not LD: not twice


def _calculating(v: Any) -> Any:
    """Excel's value for the team's formulas, in ``as_excel_saves``'s model (the row's number): read from the
    formula's own row reference (``=I2-H2``, ``=H2-H1``: 2); any other formula as the stand-in shows it."""
    m = re.fullmatch(r"=[A-Z]+(\d+)-[A-Z]+\d+", v) if isinstance(v, TypedFormula) else None
    return int(m[1]) if m else _shown(v)


_shown = fakexl.shown


def test_in_excel_undo_takes_the_line_back_though_excel_calculated_the_formulas(tmp_path, monkeypatch):
    """Live Excel calculates a formula as it is written: the taken-back rows show their new rows' values at
    once, before the APM can click Undo."""
    monkeypatch.setattr(fakexl, "shown", _calculating)
    path = _tracker(tmp_path, orders=3)
    late, since, _chased = team_columns(path, A1, calculated=False)
    first, second, _third = lines(path)
    set_status(path, {})
    book = FakeBook.from_file(path)
    live_status(book, {second: CANCELLED})
    run(path, ["ta"], ctx(), backend=XlBook(book, progress=False))  # archived from rows 7-11, showing 7-11
    archive_then = book.values("T&A Archive")
    live_status(book, {second: "Open", first: CANCELLED})
    ta_before = dict(book.sheets["T&A"].cells)
    run(path, ["ta"], ctx(), backend=XlBook(book, progress=False))  # taken back onto rows 2-6
    ta = book.sheets["T&A"].cells
    rows = [n for n in range(2, 12) if str(ta.get((n, 1))) == second[0]]
    assert rows == [2, 3, 4, 5, 6]
    shown = book.values("T&A")
    assert [shown[n - 1][late - 1] for n in rows] == rows  # Excel shows each its new row's value, not 7-11
    assert [ta[(n, since)] for n in rows] == [f"=H{n}-H{n - 1}" for n in rows]
    undo = run(path, ["undo"], ctx(), backend=XlBook(book, progress=False))
    assert not [f for f in undo.findings if f.code is Code.UNDO_KEPT], [f.text() for f in undo.findings]
    ta = book.sheets["T&A"].cells
    # the second line off the T&A, the first back on rows 2-6, formulas as typed. Row 2's 'Since prev' aside: it
    # was blank there, but every row of the column held =H{n}-H{n-1} when undo wrote, which the live back end
    # may take for a calculated column and give a row it adds (xlbook's _formula_columns; not this check)
    assert {k: v for k, v in ta.items() if k != (2, since)} == {k: v for k, v in ta_before.items() if k != (2, since)}
    assert all(isinstance(ta[(n, late)], TypedFormula) for n in range(2, 12))
    archive = book.values("T&A Archive")
    heads = archive[0]
    codes = [r[heads.index("Code")] for r in archive[1:] if r[0] and str(r[0]) == second[0]]
    assert sorted(codes) == sorted(r[heads.index("Code")] for r in archive_then[1:]
                                   if r[0] and str(r[0]) == second[0])
