"""The team's formulas on a cancelled PO line's T&A rows survive the trip to the 'T&A Archive' and back.

The T&A's own columns the team added ('Days Late', ``=I5-H5`` on every row, or ``=[@Forecast]-[@Planned]`` as
a Table calculated column) went to the archive's Your Columns cell as the number they showed (or nothing, a
formula Excel had not calculated): undo of that run, and taking the line back when it is un-cancelled on Orders,
then put a number where the team had a formula. Now the archive keeps each formula (its text, the value it
showed and the T&A row it left), and the row gets it back as a formula reading the row it lands on; one that
reads other rows of the T&A is put back too, moved as Excel's fill down would, and named, so the APM checks
it. Text typed as text that starts with '=' stays text. Real files, read back with openpyxl (formulas as
typed); the live back end on the stand-in for Excel.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.cell import Cell

from fakexl import FakeBook
from fakexl import Formula as TypedFormula
from prodbook.core.findings import Code
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from prodbook.workbook.xlbook import XlBook
from test_calculated_columns import A1, STRUCTURED, with_column
from test_cancelled_lines import set_status
from test_total_rows import tracker


def ctx() -> Context:
    """A run today, stamped now (a Context reads the clock when made: one kept would stamp every run alike)."""
    return Context(today=date(2027, 3, 1))
ASK = "=ask Ana"
"""The team's 'Chased by' note, typed as text (a leading apostrophe in Excel): text, never a formula."""
CANCELLED = "Cancelled"


def days_late(formula: str, row: int) -> str:
    return "=" + formula.format(t="T5_TA", r=row)


def team_columns(path: Path, formula: str, *, calculated: bool) -> tuple[int, int, int]:
    """'Days Late' (``formula`` of its own row on every row; ``calculated``: the Table's calculated column too),
    'Since prev' (=H{n}-H{n-1}: reads the row above) and 'Chased by' (text starting with '='), added to the T&A
    Table. Their columns."""
    def late(cell: Cell, table: str) -> None:
        cell.value = "=" + formula.format(t=table, r=cell.row)

    def since(cell: Cell, _table: str) -> None:
        cell.value = f"=H{cell.row}-H{cell.row - 1}" if cell.row > 2 else None

    def chased(cell: Cell, _table: str) -> None:
        cell.value = ASK
        cell.data_type = "s"

    return (with_column(path, "Days Late", late, formula if calculated else None),
            with_column(path, "Since prev", since), with_column(path, "Chased by", chased))


def as_excel_saves(path: Path) -> None:
    """The T&A's formulas in 'Days Late' and 'Since prev' with a value, as Excel saves them (openpyxl keeps
    none): the cell's row number. Called after the last save by openpyxl."""
    wb = openpyxl.load_workbook(path, read_only=True)
    part = f"xl/worksheets/sheet{wb.sheetnames.index('T&A') + 1}.xml"
    heads = next(wb["T&A"].iter_rows(max_row=1, values_only=True))
    wb.close()
    letters = "|".join(openpyxl.utils.get_column_letter(heads.index(h) + 1) for h in ("Days Late", "Since prev"))
    tmp = path.with_suffix(".tmp.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == part:
                data = re.sub(rf'(<c r="(?:{letters})(\d+)"[^>]*>)(<f>[^<]*</f>)(?:<v\s*/>|<v></v>)?',
                              lambda m: m[1].replace(' t="str"', "") + f"{m[3]}<v>{m[2]}</v>",
                              data.decode()).encode()
            out.writestr(item, data)
    shutil.move(tmp, path)


def lines(path: Path) -> list[tuple[str, str, str]]:
    ws = openpyxl.load_workbook(path, read_only=True)["Orders"]
    return [(str(r[0]), r[1], r[2]) for r in ws.iter_rows(min_row=2, max_col=3, values_only=True) if r[0]]


def ta_cells(path: Path, sheet: str = "T&A") -> dict[tuple[str, str], dict[str, tuple[Any, str]]]:
    """Each row's cells by (PO #, Code) and header, as (value as typed, openpyxl's data type: 'f' a formula)."""
    wb = openpyxl.load_workbook(path)  # data_only=False: formulas as typed
    try:
        ws = wb[sheet]
        heads = [c.value for c in ws[1]]
        return {(str(ws.cell(r, 1).value), ws.cell(r, 5).value):
                {h: (ws.cell(r, c).value, ws.cell(r, c).data_type) for c, h in enumerate(heads, 1) if h} | {
                    "(row)": (r, "n")}
                for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value}
    finally:
        wb.close()


def of_po(cells: dict[tuple[str, str], Any], po: str) -> dict[str, Any]:
    return {code: row for (p, code), row in cells.items() if p == po}


def kept(archive: dict[str, Any]) -> dict[str, Any]:
    """The archived rows' Your Columns, decoded."""
    out = {}
    for code, row in archive.items():
        text, kind = row["Your Columns"]
        assert kind == "s", (code, row)  # the archive's cell is text: the team's cells inside it
        out[code] = json.loads(text)
    return out


@pytest.fixture(params=[A1, STRUCTURED], ids=["a1", "calculated"])
def formula(request: pytest.FixtureRequest) -> str:
    return request.param


def test_a_cancelled_lines_archived_rows_keep_the_teams_formulas(tmp_path, formula):
    path = tracker(tmp_path)
    team_columns(path, formula, calculated=formula is STRUCTURED)
    line = lines(path)[0]
    before = of_po(ta_cells(path), line[0])
    assert {c: r["Days Late"] for c, r in before.items()} == {
        c: (days_late(formula, r["(row)"][0]), "f") for c, r in before.items()}
    set_status(path, {line: CANCELLED})
    as_excel_saves(path)
    run(path, ["ta"], ctx())
    assert of_po(ta_cells(path), line[0]) == {}
    archived = kept(of_po(ta_cells(path, "T&A Archive"), line[0]))
    assert set(archived) == set(before)
    for code, got in archived.items():
        row = before[code]["(row)"][0]
        assert got["(row)"] == row, got  # the T&A row it left: the formula reads that row
        assert got["Days Late"] == {"formula": days_late(formula, row), "value": row}, got
        assert got["Chased by"] == ASK, got  # text stays text
        if row > 2:
            assert got["Since prev"] == {"formula": f"=H{row}-H{row - 1}", "value": row}, got


def test_undo_of_the_archiving_run_puts_the_formulas_back(tmp_path, formula):
    path = tracker(tmp_path)
    team_columns(path, formula, calculated=formula is STRUCTURED)
    line = lines(path)[0]
    before = ta_cells(path)
    set_status(path, {line: CANCELLED})
    as_excel_saves(path)
    run(path, ["ta"], ctx())
    result = run(path, ["undo"], ctx())
    assert not [f for f in result.findings if f.code is Code.UNDO_KEPT], [f.text() for f in result.findings]
    after = ta_cells(path)
    assert set(after) == set(before)
    for key, row in of_po(before, line[0]).items():
        got = after[(line[0], key)]
        assert got["(row)"] == row["(row)"]
        assert got["Days Late"] == row["Days Late"] and got["Days Late"][1] == "f", (key, got)
        assert got["Since prev"] == row["Since prev"], (key, got)
        assert got["Chased by"] == (ASK, "s"), (key, got)


def _take_back_elsewhere(path: Path, then: dict[str, Any] | None = None) -> tuple[tuple[str, str, str], dict, Any]:
    """Three PO lines; the second is cancelled (its rows 7-11 archived), then reinstated as the first is
    cancelled: it is taken back onto rows 2-6. The second line's rows before, and the last run's result;
    ``then`` (when given) receives the T&A and the archive as they were just before the take-back run."""
    first, second, _third = lines(path)
    before = of_po(ta_cells(path), second[0])
    assert sorted(r["(row)"][0] for r in before.values()) == [7, 8, 9, 10, 11]
    set_status(path, {second: CANCELLED})
    as_excel_saves(path)
    run(path, ["ta"], ctx())
    set_status(path, {second: "Open", first: CANCELLED})
    as_excel_saves(path)
    if then is not None:
        then.update(ta=ta_cells(path), archive=ta_cells(path, "T&A Archive"))
    result = run(path, ["ta"], ctx())
    assert "5 T&A row(s) taken back" in "\n".join(result.outcomes[0].summary)
    return second, before, result


def test_a_line_taken_back_gets_its_formulas_for_the_row_it_lands_on(tmp_path, formula):
    path = tracker(tmp_path, orders=3)
    team_columns(path, formula, calculated=formula is STRUCTURED)
    then: dict[str, Any] = {}
    second, before, result = _take_back_elsewhere(path, then)
    back = of_po(ta_cells(path), second[0])
    assert sorted(r["(row)"][0] for r in back.values()) == [2, 3, 4, 5, 6]
    for code, got in back.items():
        n = got["(row)"][0]
        assert got["Days Late"] == (days_late(formula, n), "f"), (code, got)  # its own new row
        assert got["Chased by"] == (ASK, "s"), (code, got)
    # 'Since prev' read the row above on rows 7-11; moved as fill down would, it reads the row above again, but
    # that is now another milestone (for row 2, the header): each is put back, and named with what it reads
    assert {got["(row)"][0]: got["Since prev"] for got in back.values()} == {
        n: (f"=H{n}-H{n - 1}", "f") for n in range(2, 7)}
    moved = [f for f in result.findings if f.code is Code.LINK_BY_PLACE and f.column == "Since prev"]
    assert sorted(f.row for f in moved) == [2, 3, 4, 5, 6], [f.text() for f in result.findings]
    for f in moved:
        assert f.sheet == "T&A" and f.severity == "warning", f.text()
        assert f"=H{f.row}-H{f.row - 1}" in f.message and "other rows" in f.message, f.text()
    assert not [f for f in result.findings if f.code is Code.LINK_BY_PLACE and f.column != "Since prev"]
    # undo of that run: the line goes back to the archive with its formulas, not their numbers
    undo = run(path, ["undo"], ctx())
    assert not [f for f in undo.findings if f.code is Code.UNDO_KEPT], [f.text() for f in undo.findings]
    assert ta_cells(path, "T&A Archive") == then["archive"]  # every cell as it was before the take-back
    archived = kept(of_po(ta_cells(path, "T&A Archive"), second[0]))
    assert sorted(got["(row)"] for got in archived.values()) == [7, 8, 9, 10, 11]  # the rows it was archived from
    for got in archived.values():
        assert got["Days Late"]["formula"] == days_late(formula, got["(row)"]) and got["Chased by"] == ASK, got


def live_status(book: FakeBook, statuses: dict[tuple[str, str, str], str]) -> None:
    """Type a status on Orders rows in Excel."""
    cells = book.sheets["Orders"].cells
    col = next(c for (r, c), v in cells.items() if r == 1 and v == "Status")
    for r in range(2, 1 + max(r for r, _ in cells)):
        if (key := (str(cells.get((r, 1))), cells.get((r, 2)), cells.get((r, 3)))) in statuses:
            cells[(r, col)] = statuses[key]


def test_in_excel_too_the_formulas_go_to_the_archive_and_back(tmp_path):
    """The same three trips through the add-in (the live back end, on the in-memory stand-in for Excel), which
    calculates no formula: the archive keeps the formula, with no value."""
    path = tracker(tmp_path, orders=3)
    late, _since, chased = team_columns(path, A1, calculated=False)
    first, second, _third = lines(path)
    set_status(path, {})  # a Status column on Orders, typed into in Excel below
    book = FakeBook.from_file(path)
    ta = book.sheets["T&A"].cells
    assert ta[(7, late)] == "=I7-H7" and isinstance(ta[(7, late)], TypedFormula)
    live_status(book, {second: CANCELLED})
    run(path, ["ta"], ctx(), backend=XlBook(book, progress=False))
    archive = book.values("T&A Archive")
    heads = archive[0]
    got = {r[heads.index("Code")]: json.loads(r[heads.index("Your Columns")]) for r in archive[1:] if r[0]}
    assert len(got) == 5
    for code, cells in got.items():
        assert cells["Days Late"] == {"formula": f"=I{cells['(row)']}-H{cells['(row)']}"}, (code, cells)
        assert cells["Chased by"] == ASK
    undo = run(path, ["undo"], ctx(), backend=XlBook(book, progress=False))  # (b)
    assert not [f for f in undo.findings if f.code is Code.UNDO_KEPT], [f.text() for f in undo.findings]
    ta = book.sheets["T&A"].cells
    for n in range(7, 12):
        assert ta[(n, late)] == f"=I{n}-H{n}" and isinstance(ta[(n, late)], TypedFormula), (n, ta.get((n, late)))
        assert ta[(n, chased)] == ASK and not isinstance(ta[(n, chased)], TypedFormula)
    run(path, ["ta"], ctx(), backend=XlBook(book, progress=False))  # archived again
    live_status(book, {second: "Open", first: CANCELLED})
    run(path, ["ta"], ctx(), backend=XlBook(book, progress=False))  # (c): taken back onto rows 2-6
    ta = book.sheets["T&A"].cells
    rows = [n for n in range(2, 12) if str(ta.get((n, 1))) == second[0]]
    assert rows == [2, 3, 4, 5, 6]
    for n in rows:
        assert ta[(n, late)] == f"=I{n}-H{n}" and isinstance(ta[(n, late)], TypedFormula), (n, ta.get((n, late)))
        assert ta[(n, chased)] == ASK and not isinstance(ta[(n, chased)], TypedFormula)
