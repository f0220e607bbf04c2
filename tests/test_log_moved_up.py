"""The day a full Change Log moves its oldest runs out, read from two columns and moved as it is.

When the runs that move are the log's first rows (prodbook appends, so they are unless a team sorted the
log), only the action and time columns are read to choose them (``xlsx/log_runs.scan_runs``), the rows
that go are copied into their workbook, and the rows that stay move up as they are (``drop_rows``). Every
test here holds that way to the full way (the log read cell by cell, the rows kept written anew), which
is still taken for any log of another shape.
"""

from __future__ import annotations

import re
import zipfile
from copy import copy
from datetime import datetime, time, timedelta
from itertools import groupby
from pathlib import Path

import openpyxl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from conftest import base_sheets, write_book
from fakexl import FakeBook
from prodbook.core.changes import oldest_actions_first
from prodbook.core.findings import Code
from prodbook.core.model.sheets import CHANGE_LOG
from prodbook.jobs.runner import run
from prodbook.workbook.backend import RowsByColumn
from prodbook.workbook.filebook import FileBook
from prodbook.workbook.log_archive import archive_file, archive_path
from prodbook.workbook.xlbook import XlBook
from prodbook.workbook.xlsx.log_runs import LogRuns, Run, runs_from_values, scan_runs
from prodbook.workbook.xlsx.rewrite import _dropping
from test_change_log_full import _saved_by_libreoffice, day, log_rows, title_above_header

# --- the two ways give the same files ----------------------------------------------------------------


def _full_way(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(FileBook, "log_runs", lambda *a: None)


def _team_column(tracker: Path) -> None:
    wb = openpyxl.load_workbook(tracker)
    ws = wb["Change Log"]
    ws["J1"] = "Checked by"
    for r in range(2, ws.max_row + 1, 3):
        ws.cell(row=r, column=10, value=f"MK {r}")
    wb.save(tracker)


def _blank_first_row(tracker: Path) -> None:
    """The log as an earlier prodbook left one begun in a Table's empty row: a formatted blank row 2."""
    wb = openpyxl.load_workbook(tracker)
    ws = wb["Change Log"]
    ws.insert_rows(2)
    for c in range(1, 9):  # formatted as the column is, as Excel formats a Table's empty row
        ws.cell(row=2, column=c)._style = copy(ws.cell(row=3, column=c)._style)
    for name in list(ws.tables):
        ws.tables[name].ref = f"A1:H{ws.max_row}"
    wb.save(tracker)


SHAPES = {"as prodbook writes it": None, "a team's column beside it": _team_column,
          "a blank row below its header": _blank_first_row,
          "a title above its header": title_above_header, "saved by another program": _saved_by_libreoffice}


def _moved(folder: Path, shape: str, full_way: bool) -> tuple[Path, Path, list]:
    """Two weekly runs, the log reshaped, then a third run that fills it: the tracker, the archive, the
    findings. ``full_way``: the log read cell by cell, as before."""
    folder.mkdir()
    tracker = write_book(folder / "tracker.xlsx", base_sheets())
    sizes = [run(tracker, ["ta"], day(i)).changes for i in range(2)]
    if SHAPES[shape] is not None:
        SHAPES[shape](tracker)
    title = 1 if shape in ("a title above its header", "a blank row below its header") else 0
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("prodbook.workbook.tracker.SHEET_ROWS", sum(sizes) + 1 + title)
        calls = []
        real = FileBook.log_runs
        mp.setattr(FileBook, "log_runs", lambda *a: calls.append(r := real(*a)) or r)
        if full_way:
            _full_way(mp)
        third = run(tracker, ["ta"], day(2))
    assert full_way or (calls and calls[0] is not None), "the log was not read from its two columns"
    return tracker, archive_path(tracker, day(0).now), third.findings


def _values(path: Path) -> dict[str, list[tuple]]:
    """Each sheet's rows, blank rows left out (the copy keeps a blank row the full way reads past)."""
    wb = openpyxl.load_workbook(path)
    return {ws.title: [row for row in ws.iter_rows(values_only=True) if any(v is not None for v in row)]
            for ws in wb}


def _same_run(rows: list[tuple]) -> list[tuple]:
    """Two processes' runs are told apart by a counter in their names: the same run either way."""
    return [tuple(re.sub(r" \(\d+\)$", "", v) if isinstance(v, str) else v for v in r) for r in rows]


@pytest.mark.parametrize("shape", [pytest.param(s, marks=pytest.mark.libreoffice) if "another" in s else s
                                   for s in SHAPES])
def test_the_log_moved_up_as_it_is_reads_as_the_log_written_anew(tmp_path, shape):
    fast = _moved(tmp_path / "fast", shape, full_way=False)
    slow = _moved(tmp_path / "slow", shape, full_way=True)
    for made, other in ((fast[0], slow[0]), (fast[1], slow[1])):  # the tracker, then the archive
        a, b = _values(made), _values(other)
        assert list(a) == list(b)
        for sheet in a:
            assert _same_run(a[sheet]) == _same_run(b[sheet]), sheet
    wb_fast, wb_slow = openpyxl.load_workbook(fast[0]), openpyxl.load_workbook(slow[0])
    log_fast, log_slow = wb_fast["Change Log"], wb_slow["Change Log"]
    assert dict(log_fast.tables.items()) == dict(log_slow.tables.items())
    assert [str(r.sqref) for r in log_fast.conditional_formatting] == [
        str(r.sqref) for r in log_slow.conditional_formatting]
    assert log_fast.dimensions == log_slow.dimensions
    assert [log_fast.cell(row=r, column=1).number_format for r in range(2, log_fast.max_row + 1)] == [
        log_slow.cell(row=r, column=1).number_format for r in range(2, log_slow.max_row + 1)]
    notes = [re.sub(r" \(\d+\)'", "'", next(f.message for f in made[2] if f.code is Code.LOG_ROWS_MOVED))
             for made in (fast, slow)]
    assert notes[0] == notes[1]


def test_a_sorted_log_is_read_the_full_way_and_moves_the_same_rows(tracker, monkeypatch):
    """A team sorted its log newest first: the oldest run is its last rows, not its first, so it is read
    cell by cell (and the rows written anew) as before; nothing is lost or moved twice."""
    sizes = [run(tracker, ["ta"], day(i)).changes for i in range(2)]
    wb = openpyxl.load_workbook(tracker)
    ws = wb["Change Log"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    rows.sort(key=lambda r: r[0], reverse=True)
    for i, row in enumerate(rows, 2):
        for j, v in enumerate(row, 1):
            ws.cell(row=i, column=j, value=v)
    wb.save(tracker)
    logged = log_rows(tracker)
    monkeypatch.setattr("prodbook.workbook.tracker.SHEET_ROWS", sum(sizes) + 1)
    third = run(tracker, ["ta"], day(2))
    oldest = logged[-1][0]
    assert log_rows(archive_path(tracker, day(0).now)) == [r for r in logged if r[0] == oldest]
    kept = log_rows(tracker)
    assert kept[:len(logged) - sizes[0]] == [r for r in logged if r[0] != oldest]
    assert len(kept) == sizes[1] + third.changes


def test_rows_that_cannot_be_copied_after_all_are_written_from_their_values(tmp_path, monkeypatch):
    """The log was read from two columns, then its rows could not be copied (here: as if the file could
    not be opened again): they are read the full way and written from their values, the same rows."""
    tracker = write_book(tmp_path / "tracker.xlsx", base_sheets())
    sizes = [run(tracker, ["ta"], day(i)).changes for i in range(2)]
    logged = log_rows(tracker)
    monkeypatch.setattr("prodbook.workbook.tracker.SHEET_ROWS", sum(sizes) + 1)
    monkeypatch.setattr("prodbook.workbook.log_archive._copied", lambda *a: False)
    run(tracker, ["ta"], day(2))
    archive = archive_path(tracker, day(0).now)
    with zipfile.ZipFile(archive) as z:
        assert "xl/worksheets/rows.xml" not in z.namelist()  # written from values, not copied
    assert log_rows(archive) == [r for r in logged if r[0] == logged[0][0]]
    assert log_rows(tracker)[:sizes[1]] == [r for r in logged if r[0] != logged[0][0]]


# --- reading the runs --------------------------------------------------------------------------------

texts = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12).filter(str.strip)
stamps = st.datetimes(datetime(2020, 1, 1), datetime(2030, 1, 1)).map(lambda d: d.replace(microsecond=d.microsecond
                                                                                          // 1000 * 1000))


def _log_file(path: Path, runs: list[tuple[str, datetime, int]], inline: bool) -> None:
    """A log of these runs: written by prodbook's part writer (inline strings) or by openpyxl (shared
    strings, as Excel keeps them)."""
    rows = [(t, a, "T&A", f"K{i}", "Status", "", "x", "apm") for a, t, n in runs for i in range(n)]
    if inline:
        from prodbook.core.looks import look_for

        archive_file(path, lambda: (list(CHANGE_LOG.headers), RowsByColumn([list(c) for c in zip(*rows)])),
                     look_for(CHANGE_LOG, "dd-mmm-yy"), "t.xlsx").content(path)
        return
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Change Log"
    ws.append(list(CHANGE_LOG.headers))
    for row in rows:
        ws.append(row)
        ws.cell(row=ws.max_row, column=1).number_format = "dd-mmm-yy hh:mm:ss"
        ws.cell(row=ws.max_row, column=2).data_type = "s"  # text, even where it starts with "="
    wb.save(path)


def _calamine_runs(path: Path) -> list[Run]:
    """The runs as the full way reads them (calamine gives a time at midnight as a date: the same time)."""
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Change Log").to_python()[1:]
    return [Run(a, t if isinstance(t, datetime) else datetime.combine(t, time()), len(list(g)))
            for (t, a), g in groupby((r[0], r[1]) for r in rows)]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(texts, stamps, st.integers(1, 40)), min_size=1, max_size=6), st.booleans())
@example([("0", datetime(2020, 1, 1), 1), ("_x", datetime(2020, 1, 1), 1)], False)  # found by hypothesis, 2026-12-05
def test_the_runs_read_from_two_columns_are_the_runs_calamine_reads(tmp_path_factory, runs, inline):
    path = tmp_path_factory.mktemp("runs") / "log.xlsx"
    _log_file(path, runs, inline)
    found = scan_runs(path, "Change Log", 1, 1, 0)
    if found is None:  # an action with Excel's _xHHHH_ escape in it is read the full way, by design
        assert any("_x" in a for a, _, _ in runs)
        return
    assert found.first_row == 2
    assert found.runs == _calamine_runs(path)
    # the add-in's look at the two columns, through Excel (here its in-memory stand-in), finds the same
    assert XlBook(FakeBook.from_file(path)).log_runs("Change Log", 1, 1, 0) == found
    # and the oldest actions are chosen from the runs as from the rows one by one
    rows = [(r.action, r.stamp) for r in found.runs for _ in range(r.rows)]
    assert oldest_actions_first([r.action for r in found.runs], [r.stamp for r in found.runs],
                                [r.rows for r in found.runs]) == oldest_actions_first(*zip(*rows))


@pytest.mark.parametrize("change", ["formula", "blank action", "gap", "no row number", "number as time",
                                    "numeric action", "escape"])
def test_a_log_of_another_shape_is_left_to_the_full_way(tmp_path, change):
    path = tmp_path / "log.xlsx"
    when = datetime(2027, 3, 1, 9)
    _log_file(path, [("Refresh", when, 5), ("Rebuild", when + timedelta(days=1), 5)], inline=False)
    assert scan_runs(path, "Change Log", 1, 1, 0) is not None  # the file before the change is read so
    wb = openpyxl.load_workbook(path)
    ws = wb["Change Log"]
    if change == "formula":
        ws["J4"] = "=LEN(B4)"
    elif change == "blank action":
        ws["B6"] = None
    elif change == "gap":
        ws.insert_rows(5)
        ws["C5"] = "a note"
    elif change == "number as time":
        ws["A3"].number_format = "General"
    elif change == "numeric action":
        ws["B3"] = 7
    elif change == "escape":
        ws["B3"] = "Refresh_x000D_"
    wb.save(path)
    if change == "no row number":
        with zipfile.ZipFile(path) as z:
            parts = {n: z.read(n) for n in z.namelist()}
        parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(b'<row r="7"', b"<row")
        with zipfile.ZipFile(path, "w") as z:
            for n, data in parts.items():
                z.writestr(n, data)
    assert scan_runs(path, "Change Log", 1, 1, 0) is None


def test_the_runs_from_the_values_excel_gives():
    """What the add-in reads: blank rows above (a Table's empty row) and below (formatted rows) are no
    run; a blank, a number or a time not shown as a date between them sends the log the full way."""
    a, b = datetime(2027, 3, 1, 9), datetime(2027, 3, 2, 9)
    assert runs_from_values([None, "", "R", "R", "S", None], [None, None, a, a, b, ""], 1) == LogRuns(
        4, [Run("R", a, 2), Run("S", b, 1)])
    assert runs_from_values(["R", "R", "R"], [a, b, b], 2) == LogRuns(3, [Run("R", a, 1), Run("R", b, 2)])
    for actions, times in [(["R", None, "S"], [a, None, b]), (["R", 7], [a, b]), (["R", "S"], [a, 46082.5]),
                           (["R", ""], [a, b]), ([None, None], [None, ""]), ([], [])]:
        assert runs_from_values(actions, times, 1) is None, (actions, times)


# --- the rows kept, moved up as they are --------------------------------------------------------------

def _row(n: int, width: int = 3) -> str:
    cells = "".join(f'<c r="{chr(65 + j)}{n}" s="{n % 3}" t="inlineStr"><is><t>r{n}c{j} {n}"</t></is></c>'
                    for j in range(width))
    return f'<row r="{n}" spans="1:{width}">{cells}</row>'


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 3), st.integers(0, 30), st.integers(0, 30), st.lists(st.integers(1, 60), max_size=5))
def test_rows_moved_up_wherever_the_regions_are_cut(header_row, drop, keep, cuts):
    """The rows left out are exactly the ``drop`` below the header; each row below keeps its cells and
    attributes with its number, and each cell's reference, ``drop`` less; wherever the regions fall."""
    rows = [_row(n) for n in range(1, header_row + drop + keep + 1)]
    regions, at = [], 0
    for cut in sorted(set(cuts)):
        if at < cut <= len(rows):
            regions.append("".join(rows[at:cut]))
            at = cut
    regions.append("".join(rows[at:]))
    out = "".join(_dropping(iter(regions), "Change Log", "", header_row, drop))
    kept = range(header_row + drop + 1, header_row + drop + keep + 1)
    assert out == "".join(rows[:header_row]) + "".join(_moved_row(n, drop) for n in kept)


def _moved_row(n: int, drop: int) -> str:
    """Row ``n`` as it reads ``drop`` rows higher: its number and its cells' references, and nothing else
    (the text "r{n}c{j} {n}" inside the cells keeps the old number)."""
    cells = "".join(f'<c r="{chr(65 + j)}{n - drop}" s="{n % 3}" t="inlineStr"><is><t>r{n}c{j} {n}"</t></is></c>'
                    for j in range(3))
    return f'<row r="{n - drop}" spans="1:3">{cells}</row>'


def test_rows_holding_a_formula_are_not_moved_up():
    """A formula's references would not move with its row: the caller reads such a log the full way, and
    the writer refuses rather than write it wrong."""
    region = _row(1) + _row(2) + '<row r="3"><c r="A3"><f>B3+1</f><v>3</v></c></row>'
    with pytest.raises(ValueError, match="formulas"):
        "".join(_dropping(iter([region]), "Change Log", "", 1, 1))


@pytest.mark.parametrize("how", ["one pass", "two passes", "whole", "small regions"])
def test_the_writer_moves_a_logs_rows_up_as_it_rewrites_them_from_values(tmp_path, monkeypatch, how):
    """``drop_rows`` on a log with a Table, a colour rule and a drop-down over its rows, by each of the
    writer's ways through a long sheet: the same values, and the same ranges, as the rows written anew."""
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.table import Table

    from prodbook.workbook.backend import SheetRewrite
    from prodbook.workbook.xlsx import rewrite as rewrite_module
    from prodbook.workbook.xlsx.writer import rewrite_sheets

    src = tmp_path / "src.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Log"
    ws.append(["When", "What", "Who"])
    for i in range(1, 11):
        ws.append([datetime(2027, 3, i, 9), f"run {i}", "apm"])
        ws.cell(row=i + 1, column=1).number_format = "dd-mmm-yy hh:mm"
    ws.add_table(Table(displayName="Log", ref="A1:C11"))
    ws.conditional_formatting.add("A2:C11", CellIsRule(operator="equal", formula=['"x"'],
                                                       fill=PatternFill("solid", fgColor="FFC7CE")))
    dv = DataValidation(type="list", formula1='"apm,pm"')
    dv.add("C2:C11")
    ws.add_data_validation(dv)
    wb.save(src)
    new = [(datetime(2027, 3, 20, 9), "run 20", "pm"), (datetime(2027, 3, 21, 9), "run 21", "pm")]
    last_rows = {"Log": 11} if how == "one pass" else None
    if how == "whole":
        monkeypatch.setattr(rewrite_module, "_scan_append", lambda *a, **k: None)
    regions: list[str] = []
    if how == "small regions":  # a few rows a region: the rows left out end inside one, or at its end
        real_rewrite, real_dropping = rewrite_module._rewrite_sheet, rewrite_module._dropping
        monkeypatch.setattr("prodbook.workbook.xlsx.writer._rewrite_sheet",
                            lambda *a, **k: real_rewrite(*a, chunk=300, **k))
        monkeypatch.setattr(rewrite_module, "_dropping",
                            lambda given, *a: real_dropping((regions.append(r) or r for r in given), *a))
    up = tmp_path / "up.xlsx"
    rewrite_sheets(src, up, [SheetRewrite("Log", 1, (0, 1, 2), new, keep_rows=1_048_576, drop_rows=4)],
                   last_rows=last_rows)
    kept = [tuple(r) for r in list(openpyxl.load_workbook(src)["Log"].iter_rows(min_row=6, values_only=True))]
    anew = tmp_path / "anew.xlsx"
    rewrite_sheets(src, anew, [SheetRewrite("Log", 1, (0, 1, 2), kept + new)])
    a, b = openpyxl.load_workbook(up)["Log"], openpyxl.load_workbook(anew)["Log"]
    assert [tuple(r) for r in a.iter_rows(values_only=True)] == [tuple(r) for r in b.iter_rows(values_only=True)]
    assert [tuple(r) for r in a.iter_rows(min_row=2, values_only=True)] == kept + new
    assert dict(a.tables.items()) == dict(b.tables.items()) == {"Log": "A1:C9"}
    assert [str(r.sqref) for r in a.conditional_formatting] == [str(r.sqref) for r in b.conditional_formatting]
    assert [str(d.sqref) for d in a.data_validations.dataValidation] == ["C2:C9"]
    assert a.dimensions == b.dimensions == "A1:C9"
    assert a["A2"].number_format == b["A2"].number_format
    assert how != "small regions" or len(regions) > 3
