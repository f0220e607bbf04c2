"""Undo of a run that took T&A rows back from the 'T&A Archive' puts each back there as the archive held it.

A cancelled PO line's rows wait in the archive with the Status, Forecast and Variance of the day they were
archived. Un-cancelled, the line comes back to the T&A and a later day's run recomputes them ('Overdue' where
the archive said 'Upcoming'). Undo of that run used to put the rows back in the archive with the recomputed
values, below the other archived lines, without the cells of the team's own archive columns, and with a blank
where the archive held text its Actual column could not read ('TBC'). Now the run logs each row it takes back
whole, as the archive held it, and undo gives the archive back cell for cell, each row on the row it was on. A
Change Log written before (no such lines) undoes as it did. Real files, the file back end, the runner.
"""

from __future__ import annotations

import itertools
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import base_sheets, sheet_values, write_book
from prodbook.core.findings import Code
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run

ARCHIVE = "T&A Archive"
CANCELLED = "Cancelled"
LINES = ("4500000001", "4500000002", "4500000003")
STATUS_COL = 9  # Orders' Line Status, after Cancel Date
_clock = itertools.count()


def ctx(day: date) -> Context:
    """A run judged on ``day``, each stamped a minute after the one before: undo takes back the newest."""
    return Context(today=day, now=datetime(2027, 3, 1, 9, 0) + timedelta(minutes=next(_clock)))


def tracker(folder: Path, name: str = "tracker.xlsx") -> Path:
    """The shared tracker with a third PO line and a Line Status column on Orders, every line open."""
    sheets = base_sheets()
    sheets["Orders"].append(["4500000003", "S1", "Heather Grey", 600, date(2027, 1, 18), date(2027, 4, 22),
                             date(2027, 5, 17), date(2027, 5, 27)])
    sheets["Orders"][0].append("Line Status")
    for row in sheets["Orders"][1:]:
        row.append("Open")
    return write_book(folder / name, sheets)


def set_lines(path: Path, cancelled: set[int]) -> None:
    """What the APM types on Orders: 'Cancelled' on these lines (0-based), 'Open' on the others."""
    wb = openpyxl.load_workbook(path)
    for n in range(len(LINES)):
        wb["Orders"].cell(n + 2, STATUS_COL, CANCELLED if n in cancelled else "Open")
    wb.save(path)


def type_in(path: Path, sheet: str, cells: dict[tuple[str, str, str], Any]) -> None:
    """Type values on a sheet by (PO #, Code, header); a header the sheet lacks becomes a column after the last."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    heads = [c.value for c in ws[1]]
    for (po, code, header), value in cells.items():
        if header not in heads:
            heads.append(header)
            ws.cell(1, len(heads), header)
        row = next(r for r in range(2, ws.max_row + 1)
                   if str(ws.cell(r, 1).value) == po and ws.cell(r, 5).value == code)
        ws.cell(row, heads.index(header) + 1, value)
    wb.save(path)


def of_po(rows: list[list[Any]], po: str) -> dict[str, list[Any]]:
    return {r[4]: r for r in rows[1:] if r and str(r[0]) == po}


def at(rows: list[list[Any]], header: str) -> int:
    return rows[0].index(header)


def test_undo_puts_back_the_status_forecast_and_variance_the_rows_were_archived_with(tmp_path):
    path = tracker(tmp_path)
    run(path, ["ta"], ctx(date(2027, 3, 1)))
    set_lines(path, {1})
    run(path, ["ta"], ctx(date(2027, 3, 20)))  # line 2 archived as of 20 March: its cutting 'Upcoming'
    before = sheet_values(path, ARCHIVE)
    archived = of_po(before, LINES[1])
    assert archived["CUT"][at(before, "Status")] == "Upcoming"
    set_lines(path, set())
    result = run(path, ["ta"], ctx(date(2027, 4, 20)))  # taken back a month on: its cutting now overdue
    assert result.outcomes[0].data["restored"] == 5
    ta = sheet_values(path, "T&A")
    assert of_po(ta, LINES[1])["CUT"][at(ta, "Status")] == "Overdue"
    undo = run(path, ["undo"], ctx(date(2027, 4, 20)))
    assert not [f for f in undo.findings if f.code is Code.UNDO_KEPT], [f.text() for f in undo.findings]
    after = sheet_values(path, ARCHIVE)
    assert of_po(after, LINES[1])["CUT"][at(after, "Status")] == "Upcoming"
    assert after == before  # Forecast, Variance, Archived, Reason: every cell as it was


def test_undo_puts_each_row_back_on_the_archive_row_it_was_on(tmp_path):
    """Line 1 archived first (rows 2-6), line 2 after it (rows 7-11); line 1 taken back and line 3 archived in
    the same run. Undo: line 1 on rows 2-6 again, not below line 2; line 3 off the archive."""
    path = tracker(tmp_path)
    day = date(2027, 3, 1)
    run(path, ["ta"], ctx(day))
    set_lines(path, {0})
    run(path, ["ta"], ctx(day))
    set_lines(path, {0, 1})
    run(path, ["ta"], ctx(day))
    before = sheet_values(path, ARCHIVE)
    assert [str(r[0]) for r in before[1:]] == [LINES[0]] * 5 + [LINES[1]] * 5
    set_lines(path, {1, 2})
    result = run(path, ["ta"], ctx(day))
    assert (result.outcomes[0].data["restored"], result.outcomes[0].data["archived"]) == (5, 5)
    run(path, ["undo"], ctx(day))
    assert sheet_values(path, ARCHIVE) == before


def test_undo_gives_back_the_teams_archive_columns_and_text_the_actual_column_could_not_read(tmp_path):
    """The team typed in a column of its own on the archive ('Why', text and a date) and 'TBC' in an Actual
    that went to the archive with its line: taking the line back loses them from the archive; undo gives them
    back, under their header and in the Actual column, as typed."""
    path = tracker(tmp_path)
    run(path, ["ta"], ctx(date(2027, 3, 1)))
    type_in(path, "T&A", {(LINES[1], "LD", "Actual"): "TBC", (LINES[1], "LD-APP", "Notes"): "chased Ana"})
    set_lines(path, {1})
    run(path, ["ta"], ctx(date(2027, 3, 2)))
    type_in(path, ARCHIVE, {(LINES[1], "LD", "Why"): "buyer dropped the colour",
                            (LINES[1], "XF", "Why"): date(2027, 3, 3)})
    before = sheet_values(path, ARCHIVE)
    assert of_po(before, LINES[1])["LD"][at(before, "Actual")] == "TBC"
    set_lines(path, set())
    run(path, ["ta"], ctx(date(2027, 3, 2)))
    assert LINES[1] not in {str(r[0]) for r in sheet_values(path, ARCHIVE)[1:]}
    back = sheet_values(path, "T&A")  # the take-back itself keeps the text the Actual column could not read
    assert of_po(back, LINES[1])["LD"][at(back, "Actual")] == "TBC"
    undo = run(path, ["undo"], ctx(date(2027, 3, 2)))
    assert not [f for f in undo.findings if f.code is Code.UNDO_KEPT], [f.text() for f in undo.findings]
    after = sheet_values(path, ARCHIVE)
    assert of_po(after, LINES[1])["LD"][at(after, "Why")] == "buyer dropped the colour"
    assert after == before


def test_the_teams_archive_column_gone_at_undo_is_named_not_lost(tmp_path):
    """The team deleted its 'Why' column from the archive before undoing: the value it held is named in a
    warning, with where it was, to type back by hand."""
    path = tracker(tmp_path)
    run(path, ["ta"], ctx(date(2027, 3, 1)))
    set_lines(path, {1})
    run(path, ["ta"], ctx(date(2027, 3, 2)))
    type_in(path, ARCHIVE, {(LINES[1], "CUT", "Why"): "buyer dropped the colour"})
    set_lines(path, set())
    run(path, ["ta"], ctx(date(2027, 3, 2)))
    wb = openpyxl.load_workbook(path)
    ws = wb[ARCHIVE]
    ws.cell(1, [c.value for c in ws[1]].index("Why") + 1).value = None  # the column emptied of its header
    wb.save(path)
    undo = run(path, ["undo"], ctx(date(2027, 3, 2)))
    named = [f for f in undo.findings if f.code is Code.UNDO_KEPT]
    assert [(f.sheet, f.column, f.value, f.key) for f in named] == [
        (ARCHIVE, "Why", "buyer dropped the colour", f"{LINES[1]} / S2 / Black / CUT")], [f.text() for f in named]
    assert "type it back by hand" in named[0].message


def test_the_take_back_logs_each_archive_row_whole_and_an_older_log_still_undoes(tmp_path):
    """The run logs each row it takes back as the archive held it (a '(removed)' line of the archive sheet).
    A Change Log of an earlier prodbook has no such lines: its undo puts the rows back in the archive as the
    T&A holds them, as it always did, below the others."""
    path = tracker(tmp_path)
    run(path, ["ta"], ctx(date(2027, 3, 1)))
    set_lines(path, {1})
    run(path, ["ta"], ctx(date(2027, 3, 20)))
    set_lines(path, set())
    run(path, ["ta"], ctx(date(2027, 4, 20)))
    wb = openpyxl.load_workbook(path)
    ws = wb["Change Log"]
    heads = [c.value for c in ws[1]]
    lines = [r for r in range(2, ws.max_row + 1) if ws.cell(r, heads.index("Sheet") + 1).value == ARCHIVE
             and ws.cell(r, heads.index("Field") + 1).value == "(removed)"]
    assert len(lines) == 5
    logged = {(row := json.loads(ws.cell(r, heads.index("Old") + 1).value))["Code"]: row for r in lines}
    assert logged["CUT"]["Status"] == "Upcoming" and logged["CUT"]["(row)"] == 4
    for r in reversed(lines):  # the log as an earlier prodbook wrote it
        ws.delete_rows(r)
    wb.save(path)
    ta = sheet_values(path, "T&A")
    undo = run(path, ["undo"], ctx(date(2027, 4, 20)))
    assert not [f for f in undo.findings if f.code is Code.UNDO_KEPT], [f.text() for f in undo.findings]
    archive = sheet_values(path, ARCHIVE)
    assert of_po(archive, LINES[1])["CUT"][:13] == of_po(ta, LINES[1])["CUT"]  # as the T&A held it
    assert of_po(archive, LINES[1])["CUT"][at(archive, "Archived")] == datetime(2027, 3, 20)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=st.sets(st.integers(0, 2), min_size=1), second=st.sets(st.integers(0, 2)),
       days=st.tuples(st.integers(0, 40), st.integers(0, 40)), notes=st.booleans(), why=st.booleans())
@example(first={1}, second=set(), days=(19, 31), notes=False, why=False)
@example(first={0, 1}, second={1, 2}, days=(0, 0), notes=True, why=True)
def test_run_then_undo_gives_back_the_archive_sheet_exactly(tmp_path, first, second, days, notes, why):
    """Any lines cancelled, some of them un-cancelled (and others cancelled) on a later day: undo of the run
    that took rows back from the archive gives the archive sheet (and the T&A) back as they were before that
    run, cell for cell, whatever the team typed on the T&A before the lines left and in the archive after."""
    if not first - second:
        second = set()  # at least one line taken back
    path = tracker(tmp_path, f"t{next(_clock)}.xlsx")
    day = date(2027, 3, 1)
    run(path, ["ta"], ctx(day))
    if notes:
        type_in(path, "T&A", {(LINES[n], "LD", "Notes"): f"line {n + 1}" for n in first})
    set_lines(path, first)
    run(path, ["ta"], ctx(day + timedelta(days=days[0])))
    if why:
        type_in(path, ARCHIVE, {(LINES[n], "CUT", "Why"): f"why {n + 1}" for n in first})
    before, ta = sheet_values(path, ARCHIVE), sheet_values(path, "T&A")
    set_lines(path, second)
    result = run(path, ["ta"], ctx(day + timedelta(days=days[0] + days[1])))
    assert result.outcomes[0].data["restored"] == 5 * len(first - second)
    undo = run(path, ["undo"], ctx(day + timedelta(days=days[0] + days[1])))
    assert not [f for f in undo.findings if f.code is Code.UNDO_KEPT], [f.text() for f in undo.findings]
    assert sheet_values(path, ARCHIVE) == before
    assert sheet_values(path, "T&A") == ta
