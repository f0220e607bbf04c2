"""Undo of a WIP import gives back every sheet exactly as it was before the import, on real files.

The import logs only the rows it updated, added or removed (``wip.merge_wip``, ``wip_job._changes``): the
history's rows are copied as they were and not logged. These tests import real vendor files into real
trackers, undo, and compare every cell of every sheet (openpyxl, formulas as typed) with the file before
the import: a first import, this week's report over weeks of history, a report sent again the same day, a
corrected report under a new name, another file of the day kept beside, a withdrawn revised ex-factory,
two imports undone in turn. The Change Log keeps the import's lines and gains the undo's; its older rows
stay as they were, and nothing is left to undo of the import.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl.workbook.defined_name import DefinedName

from conftest import base_sheets, write_book
from prodbook.core.changes import NEW_ROW, REMOVED, REMOVED_MORE
from prodbook.core.findings import Code
from prodbook.jobs import wip_job
from prodbook.jobs.base import Context
from prodbook.jobs.runner import RunResult, run
from prodbook.jobs.undo_job import PUT_BACK, last_action

WIP_HEADER = ["PO #", "Style #", "Color", "Vendor", "Order Qty", "Cut Qty", "Sewn Qty", "Packed Qty",
              "Fabric Status", "Planned XF", "Revised XF", "Ship Mode", "Booking Status", "Remarks",
              "Report Date", "Source File"]
LOG = "Change Log"
ISSUES = "Issues"
MONDAY = date(2027, 3, 1)
"""The first of the weekly reports; this week's is three weeks on."""
THIS_WEEK = MONDAY + timedelta(weeks=3)


@dataclass(frozen=True)
class Line:
    """A PO line as a vendor's report gives it."""

    po: str
    style: str
    color: str
    order: int
    planned: date


BD1_LINES = (Line("4500000001", "S1", "Navy", 1200, date(2027, 4, 15)),
             Line("4500000001", "S1", "Heather Grey", 600, date(2027, 4, 15)),
             Line("4500000003", "S1", "Light Blue", 500, date(2027, 4, 20)),
             Line("4500000003", "S1", "Dark Blue", 500, date(2027, 4, 20)))
CN1_LINES = (Line("4500000002", "S2", "Black", 800, date(2027, 4, 30)),
             Line("4500000002", "S2", "Khaki", 400, date(2027, 4, 30)),
             Line("4500000004", "S2", "Olive", 300, date(2027, 5, 7)))
LINES = {"BD1": BD1_LINES, "CN1": CN1_LINES}


def ctx(*files: Path, today: date = THIS_WEEK, minute: int = 0) -> Context:
    """Each run a minute after the one before: the Change Log tells actions apart by their time."""
    return Context(today=today, now=datetime.combine(today, datetime.min.time()) + timedelta(hours=9, minutes=minute),
                   files=tuple(files))


class Clock:
    """The minutes of one test's runs, one after another."""

    def __init__(self) -> None:
        self.minute = 0

    def __call__(self, *files: Path, today: date = THIS_WEEK) -> Context:
        self.minute += 1
        return ctx(*files, today=today, minute=self.minute)


def tracker(folder: Path) -> Path:
    """The test tracker with the PO lines above and an empty Vendor WIP sheet (its header only)."""
    sheets = base_sheets()
    for vendor, lines in LINES.items():
        for line in lines:
            if (line.po, line.color) not in (("4500000001", "Navy"), ("4500000002", "Black")):  # already there
                sheets["Orders"].append([line.po, line.style, line.color, line.order, date(2027, 1, 4),
                                         line.planned, line.planned + timedelta(days=25),
                                         line.planned + timedelta(days=35)])
        assert vendor in {r[2] for r in sheets["Styles"][1:]}
    sheets["Vendor WIP"] = [WIP_HEADER]
    return write_book(folder / "tracker.xlsx", sheets)


Row = tuple[Line, int, Any, str]
"""A report's row: the line, its cut quantity, its revised ex-factory (a date, None, or the vendor's text
such as 'TBA'), its remarks."""


def report(folder: Path, vendor: str, day: date, rows: Sequence[Row], name: str | None = None) -> Path:
    """A vendor's CSV report, named with the vendor's code and the report date (what the import reads them
    from), as vendors send them."""
    path = folder / (name or f"{vendor}_wip_{day:%Y%m%d}.csv")
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["PO", "Style", "Colour", "Order Qty", "Cut Qty", "Sewn Qty", "Packed Qty", "Planned XF",
                    "Revised XF", "Remarks"])
        for line, cut, revised, remarks in rows:
            shown = revised.isoformat() if isinstance(revised, date) else (revised or "")
            w.writerow([line.po, line.style, line.color, line.order, cut, cut // 2, cut // 4,
                        line.planned.isoformat(), shown, remarks])
    assert vendor in path.name
    return path


def weekly(vendor: str, week: int) -> list[Row]:
    """The vendor's report of ``week`` weeks after MONDAY: every line, cutting on."""
    return [(line, min(line.order, 100 * (week + 1) + 10 * n), None, f"week {week}")
            for n, line in enumerate(LINES[vendor])]


# --- reading the file back ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Formula:
    """A formula cell, told apart from text that looks like one ('=SUM(...)' a vendor wrote in Remarks)."""

    text: str


def cells(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every cell value of every sheet, formulas as typed."""
    wb = openpyxl.load_workbook(path, data_only=False)
    try:
        return {ws.title: [tuple(Formula(c.value) if c.data_type == "f" else c.value for c in row)
                           for row in ws.iter_rows()] for ws in wb.worksheets}
    finally:
        wb.close()


def layout(path: Path) -> dict[str, Any]:
    """What else a team's workbook holds over the data: its defined names and each sheet's Tables' ranges."""
    wb = openpyxl.load_workbook(path)
    try:
        return {"names": {n: d.attr_text for n, d in wb.defined_names.items()},
                "tables": {ws.title: {t.name: t.ref for t in ws.tables.values()} for ws in wb.worksheets}}
    finally:
        wb.close()


def log_rows(book: dict[str, list[tuple[Any, ...]]]) -> list[dict[str, Any]]:
    rows = book.get(LOG, [])
    if not rows:
        return []
    return [dict(zip(rows[0], r)) for r in rows[1:] if any(v is not None for v in r)]


def newest_action(book: dict[str, list[tuple[Any, ...]]]) -> str | None:
    """The action an undo would revert now (None: none)."""
    rows = log_rows(book)
    return last_action(pd.DataFrame({"action": [r["Action"] for r in rows]})) if rows else None


def imported(result: RunResult) -> None:
    """The import ran cleanly and changed something: the undo below has something to revert."""
    assert not [f for f in result.findings if f.severity == "error"], [f.text() for f in result.findings]
    assert result.changes, "the import changed nothing"


def undo_and_compare(path: Path, before: dict[str, list[tuple[Any, ...]]], clock: Clock,
                     shape: dict[str, Any] | None = None) -> RunResult:
    """Undo the last action and hold every sheet to ``before``: each cell value the same (the Issues
    sheet, which prodbook brings up to date on every run without logging it, aside), the Change Log's
    rows before the import unchanged, the undo's lines added after the rows it found, one for each line of
    the action (its values put back, its rows taken off or put back), and the action an undo would revert now
    the one it was before the import."""
    after_import = cells(path)
    action = newest_action(after_import)
    assert action is not None and action != newest_action(before)
    result = run(path, ["undo"], clock())
    assert not [f for f in result.findings if f.code is Code.UNDO_KEPT], [f.text() for f in result.findings]
    after = cells(path)
    assert set(before) <= set(after) and set(after) - set(before) <= {LOG, ISSUES}, (sorted(before), sorted(after))
    for sheet in before:
        if sheet in (LOG, ISSUES):
            continue
        assert after[sheet] == before[sheet], f"{sheet} not as it was before the import"
    if shape is not None:  # the defined names and Tables (their ranges) too
        now = layout(path)
        assert now["names"] == shape["names"]
        ours = (LOG, ISSUES)  # the log grows by the undo's lines
        assert ({s: t for s, t in now["tables"].items() if s in shape["tables"] and s not in ours}
                == {s: t for s, t in shape["tables"].items() if s not in ours})
    old_log, kept_log, log = log_rows(before), log_rows(after_import), log_rows(after)
    assert kept_log[:len(old_log)] == old_log, "the Change Log's earlier rows changed"
    assert action in {r["Action"] for r in kept_log[len(old_log):]}
    assert log[:len(kept_log)] == kept_log, "the undo changed the Change Log's rows instead of adding its own"
    undo_lines = log[len(kept_log):]
    assert undo_lines and {r["Action"] for r in undo_lines} == {f"Undo {action}"}, {r["Action"] for r in undo_lines}
    assert sorted(map(reverted, undo_lines), key=repr) == sorted(
        (reverse(r) for r in kept_log if r["Action"] == action and r["Field"] != REMOVED_MORE), key=repr)
    assert newest_action(after) == newest_action(before)
    return result


def reverse(line: dict[str, Any]) -> tuple[Any, ...]:
    """The undo's line for a line of the action: a value put back, a row it added taken off, one it removed
    put back."""
    key, field = line["Key"], line["Field"]
    if field == NEW_ROW:
        return line["Sheet"], key, REMOVED, None, key
    if field == REMOVED:
        return line["Sheet"], key, PUT_BACK, None, key
    return line["Sheet"], key, field, line["New"], line["Old"]


def reverted(line: dict[str, Any]) -> tuple[Any, ...]:
    return line["Sheet"], line["Key"], line["Field"], line["Old"], line["New"]


def wip_values(book: dict[str, list[tuple[Any, ...]]]) -> list[tuple[Any, ...]]:
    return book["Vendor WIP"]


def by_header(book: dict[str, list[tuple[Any, ...]]]) -> list[dict[str, Any]]:
    rows = wip_values(book)
    return [dict(zip(rows[0], r)) for r in rows[1:] if any(v is not None for v in r)]


def day_of(v: Any) -> Any:
    return v.date() if isinstance(v, datetime) else v


def with_history(folder: Path, clock: Clock, weeks: int = 3) -> Path:
    """A tracker with ``weeks`` weekly reports of BD1 and CN1 imported, one run each."""
    path = tracker(folder)
    for week in range(weeks):
        day = MONDAY + timedelta(weeks=week)
        for vendor in LINES:
            imported(run(path, ["wip"], clock(report(folder, vendor, day, weekly(vendor, week)), today=day)))
    return path


def apm_edits(path: Path, *, sort: bool = False, formula_before: date | None = None) -> None:
    """What the APM does on the Vendor WIP sheet between imports, and saves: a note in a column of the team's
    own on every row; with ``sort``, the rows sorted by PO, colour and date (each report's rows among the
    history's); with ``formula_before``, a formula of the team's beside each row of a report older than that."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Vendor WIP"]
    rows = [list(r)[:len(WIP_HEADER)] for r in ws.iter_rows(min_row=2, values_only=True)]
    if sort:
        rows.sort(key=lambda r: (str(r[0]), str(r[2]), str(r[14])))
    ws.cell(1, len(WIP_HEADER) + 1, "My note")
    ws.cell(1, len(WIP_HEADER) + 2, "Cut %")
    for n, row in enumerate(rows, start=2):
        for c, v in enumerate(row, start=1) if sort else ():
            cell = ws.cell(n, c, v)
            if isinstance(v, str) and v.startswith("="):
                cell.data_type = "s"  # the vendor's text stays text, as prodbook wrote it
        ws.cell(n, len(WIP_HEADER) + 1, f"note {row[2]} {day_of(row[14]):%d %b}")
        if formula_before is not None and day_of(row[14]) < formula_before:
            ws.cell(n, len(WIP_HEADER) + 2, f"=F{n}/E{n}")
    wb.save(path)


def team_formulas(path: Path) -> None:
    """What a team adds over the Vendor WIP data, and saves: a helper column with a fixed range over the
    data, a summary sheet summing a column of it, a defined name over it."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Vendor WIP"]
    last, col = ws.max_row, ws.max_column + 1
    ws.cell(1, col, "Seen")
    for r in range(2, last + 1):
        ws.cell(r, col, f"=COUNTIF($A$2:$A${last},A{r})")
    summary = wb.create_sheet("Summary")
    summary["A1"], summary["B1"] = "Cut so far", f"=SUM('Vendor WIP'!$F$2:$F${last})"
    summary["A2"], summary["B2"] = "Lines", f"=COUNTA('Vendor WIP'!A2:A{last})"
    wb.defined_names["WIP_POs"] = DefinedName("WIP_POs", attr_text=f"'Vendor WIP'!$A$2:$A${last}")
    wb.save(path)


@pytest.fixture
def paths(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Which way each import wrote the sheet: True, only its new rows below the history kept as it is
    (``wip_job._only_added``); False, the whole sheet again."""
    seen: list[bool] = []
    only_added = wip_job._only_added

    def spy(*args: Any) -> bool:
        seen.append(only_added(*args))
        return seen[-1]

    monkeypatch.setattr(wip_job, "_only_added", spy)
    return seen


# --- the cases ---------------------------------------------------------------------------------------

def test_undo_of_a_first_import_into_an_empty_vendor_wip_sheet(tmp_path, paths):
    clock = Clock()
    path = tracker(tmp_path)
    before, shape = cells(path), layout(path)
    assert wip_values(before) == [tuple(WIP_HEADER)]
    imported(run(path, ["wip"], clock(report(tmp_path, "BD1", THIS_WEEK, weekly("BD1", 3)))))
    assert paths == [False]  # no history: the sheet written whole
    assert len(by_header(cells(path))) == len(BD1_LINES)
    undo_and_compare(path, before, clock, shape)


def test_undo_of_this_weeks_report_over_three_weeks_of_two_vendors_history(tmp_path, paths):
    """The new week goes below the history, which is copied as it is; the team's ranges over it grow with it,
    and are back as they were after the undo."""
    clock = Clock()
    path = with_history(tmp_path, clock)
    apm_edits(path, formula_before=THIS_WEEK)
    team_formulas(path)
    before, shape = cells(path), layout(path)
    history = wip_values(before)
    assert len(by_header(before)) == 3 * (len(BD1_LINES) + len(CN1_LINES))
    paths.clear()
    imported(run(path, ["wip"], clock(report(tmp_path, "BD1", THIS_WEEK, weekly("BD1", 3)))))
    assert paths == [True]  # the history kept as it is, only the new rows written
    grown = cells(path)
    assert [r[:len(WIP_HEADER) + 2] for r in wip_values(grown)[:len(history)]] == [
        r[:len(WIP_HEADER) + 2] for r in history], "the import moved or changed a history row"
    assert len(by_header(grown)) == len(history) - 1 + len(BD1_LINES)
    assert grown["Summary"] != before["Summary"] and layout(path)["names"] != shape["names"]  # grown
    undo_and_compare(path, before, clock, shape)


def test_undo_of_a_report_sent_again_the_same_day_with_changed_quantities(tmp_path, paths):
    clock = Clock()
    path = with_history(tmp_path, clock)
    rows = [(line, cut, xf, "=1+1" if n == 0 else remarks) for n, (line, cut, xf, remarks) in
            enumerate(weekly("BD1", 3))]
    imported(run(path, ["wip"], clock(report(tmp_path, "BD1", THIS_WEEK, rows))))
    apm_edits(path)
    before, shape = cells(path), layout(path)
    assert "=1+1" in {r["Remarks"] for r in by_header(before)}  # as text
    formula_like = ("=SUM(E2:E9)", "+1 day", "-5% cut", "@fabric")  # vendor text, never a formula
    again = [(line, cut + 7, THIS_WEEK + timedelta(days=40), formula_like[n % len(formula_like)])
             for n, (line, cut, _, _) in enumerate(rows)]
    result = run(path, ["wip"], clock(report(tmp_path, "BD1", THIS_WEEK, again)))
    imported(result)
    assert paths[-1] is False  # rows updated or removed: the sheet written whole
    now = by_header(cells(path))
    assert len(now) == len(by_header(before))  # updated in place: no row added or removed
    assert {(r["Color"], r["Cut Qty"]) for r in now if day_of(r["Report Date"]) == THIS_WEEK} == {
        (line.color, cut) for line, cut, _, _ in again}
    undo_and_compare(path, before, clock, shape)


def test_undo_of_a_corrected_report_under_a_new_name_that_replaced_the_days_first(tmp_path, paths):
    clock = Clock()
    path = with_history(tmp_path, clock)
    rows = weekly("BD1", 3)
    imported(run(path, ["wip"], clock(report(tmp_path, "BD1", THIS_WEEK, rows))))
    before, shape = cells(path), layout(path)
    # the corrected report lists every line again (one changed): a re-send (one listing only some keeps the rest)
    corrected = [rows[0], (rows[1][0], rows[1][1] + 30, None, "recut"), *rows[2:]]
    name = f"BD1_wip_{THIS_WEEK:%Y%m%d}_corrected.csv"
    result = run(path, ["wip"], clock(report(tmp_path, "BD1", THIS_WEEK, corrected, name=name)))
    imported(result)
    assert paths[-1] is False  # rows updated or removed: the sheet written whole
    now = [r for r in by_header(cells(path)) if day_of(r["Report Date"]) == THIS_WEEK]
    assert [(r["Color"], r["Source File"]) for r in now] == [(line.color, name) for line, *_ in corrected]
    assert "replaced that report" in " ".join(f.message for f in result.findings)
    undo_and_compare(path, before, clock, shape)


def test_undo_of_a_corrected_report_on_a_sorted_sheet_with_the_team_s_columns(tmp_path, paths):
    """The day's rows among the history's (the APM sorted the sheet): the rows the corrected report no longer
    lists are taken from the middle of the sheet, and undo puts each back on its row, with its note, the rows
    below (and the team's formulas on them) back where they were."""
    clock = Clock()
    path = with_history(tmp_path, clock)
    rows = weekly("BD1", 3)
    imported(run(path, ["wip"], clock(report(tmp_path, "BD1", THIS_WEEK, rows))))
    apm_edits(path, sort=True, formula_before=THIS_WEEK)
    before, shape = cells(path), layout(path)
    assert [day_of(r["Report Date"]) for r in by_header(before)][-1] != THIS_WEEK  # the day's rows are among others
    name = f"BD1_wip_{THIS_WEEK:%Y%m%d}.csv"  # sent again under its name: the lines it no longer lists go
    result = run(path, ["wip"], clock(report(tmp_path, "BD1", THIS_WEEK, [rows[0], (rows[2][0], 999, None, "x")],
                                             name=name)))
    imported(result)
    assert paths[-1] is False  # rows updated or removed: the sheet written whole
    assert len(by_header(cells(path))) == len(by_header(before)) - 2
    undo_and_compare(path, before, clock, shape)


def test_undo_of_another_file_of_the_same_vendor_and_day_kept_beside(tmp_path, paths):
    clock = Clock()
    path = with_history(tmp_path, clock)
    first = weekly("BD1", 3)[:2]
    imported(run(path, ["wip"], clock(report(tmp_path, "BD1", THIS_WEEK, first))))
    before, shape = cells(path), layout(path)
    other = weekly("BD1", 3)[2:]
    name = f"BD1_wip_{THIS_WEEK:%Y%m%d}_denim.csv"
    result = run(path, ["wip"], clock(report(tmp_path, "BD1", THIS_WEEK, other, name=name)))
    imported(result)
    assert paths[-1] is True  # only rows added below: the rest kept
    now = [r for r in by_header(cells(path)) if day_of(r["Report Date"]) == THIS_WEEK]
    assert len(now) == len(first) + len(other)
    assert "kept beside" in " ".join(f.message for f in result.findings)
    undo_and_compare(path, before, clock, shape)


def test_undo_of_a_report_that_withdrew_a_revised_ex_factory(tmp_path, paths):
    clock = Clock()
    path = tracker(tmp_path)
    given_date = date(2027, 4, 22)
    last_week = [(line, 300, given_date if n == 0 else None, "on time") for n, line in enumerate(BD1_LINES)]
    imported(run(path, ["wip"], clock(report(tmp_path, "BD1", THIS_WEEK - timedelta(weeks=1), last_week))))
    before, shape = cells(path), layout(path)
    this_week = [(line, 400, "TBA" if n == 0 else None, "") for n, line in enumerate(BD1_LINES)]
    result = run(path, ["wip"], clock(report(tmp_path, "BD1", THIS_WEEK, this_week)))
    imported(result)
    assert paths[-1] is True  # only rows added below: the rest kept
    navy = [r for r in by_header(cells(path)) if r["Color"] == "Navy" and day_of(r["Report Date"]) == THIS_WEEK]
    assert [day_of(r["Revised XF"]) for r in navy] == [given_date] and "TBA" in navy[0]["Remarks"]
    assert any(f.code is Code.BAD_DATE and f.value == "TBA" for f in result.findings)
    undo_and_compare(path, before, clock, shape)


def test_undo_of_a_withdrawn_date_in_a_report_sent_again_the_same_day(tmp_path):
    """The same: the day's report sent again, now with TBA where it gave a date (the row updated in place)."""
    clock = Clock()
    path = tracker(tmp_path)
    imported(run(path, ["wip"], clock(report(tmp_path, "BD1", THIS_WEEK - timedelta(weeks=1),
                                             [(BD1_LINES[0], 300, date(2027, 4, 22), "")]))))
    imported(run(path, ["wip"], clock(report(tmp_path, "BD1", THIS_WEEK,
                                             [(BD1_LINES[0], 400, date(2027, 4, 25), "")]))))
    before, shape = cells(path), layout(path)
    imported(run(path, ["wip"], clock(report(tmp_path, "BD1", THIS_WEEK, [(BD1_LINES[0], 400, "TBA", "")]))))
    undo_and_compare(path, before, clock, shape)


def test_two_imports_in_a_row_undone_twice_give_back_the_start(tmp_path):
    clock = Clock()
    path = with_history(tmp_path, clock, weeks=2)
    start, start_shape = cells(path), layout(path)
    imported(run(path, ["wip"], clock(report(tmp_path, "BD1", THIS_WEEK, weekly("BD1", 3)))))
    middle, middle_shape = cells(path), layout(path)
    changed = [(line, cut + 1, THIS_WEEK + timedelta(days=30), "again") for line, cut, _, _ in weekly("BD1", 3)]
    imported(run(path, ["wip"], clock(report(tmp_path, "BD1", THIS_WEEK, changed),
                                      report(tmp_path, "CN1", THIS_WEEK, weekly("CN1", 3)))))
    undo_and_compare(path, middle, clock, middle_shape)
    undo_and_compare(path, start, clock, start_shape)


# --- any history, any import -------------------------------------------------------------------------

NAMES = ("", "_b", "_fix")
"""A report's file name: the vendor's usual one, another file of the day, a corrected one."""


@dataclass(frozen=True)
class Send:
    vendor: str
    week: int
    name: int
    lines: tuple[tuple[int, int, int | None], ...]
    """(line number, cut, revised XF: days after MONDAY, -1 for 'TBA', None for none)."""


def sends(weeks: int) -> st.SearchStrategy[Send]:
    return st.sampled_from(sorted(LINES)).flatmap(lambda vendor: st.builds(
        Send, st.just(vendor), st.integers(0, weeks), st.integers(0, len(NAMES) - 1),
        st.lists(st.tuples(st.integers(0, len(LINES[vendor]) - 1), st.integers(0, 500),
                           st.one_of(st.none(), st.just(-1), st.integers(40, 60))),
                 min_size=1, max_size=4, unique_by=lambda t: t[0]).map(tuple)))


def send_file(folder: Path, send: Send, n: int) -> Path:
    day = MONDAY + timedelta(weeks=send.week)
    rows: list[Row] = [(LINES[send.vendor][i], cut, "TBA" if xf == -1 else None if xf is None
                        else MONDAY + timedelta(days=xf), f"{('', '=', '+')[n % 3]}r{n}") for i, cut, xf in send.lines]
    sub = folder / f"send{n}"
    sub.mkdir()
    return report(sub, send.vendor, day, rows, name=f"{send.vendor}_wip_{day:%Y%m%d}{NAMES[send.name]}.csv")


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=st.lists(sends(2), max_size=4), imports=st.lists(sends(3), min_size=1, max_size=2),
       sort=st.booleans())
@example(history=[Send("BD1", 1, 0, ((0, 100, None), (1, 200, 45), (2, 300, None))), Send("CN1", 1, 0, ((0, 5, None),)),
                  Send("BD1", 2, 0, ((0, 110, None),))],
         imports=[Send("BD1", 1, 2, ((1, 250, -1), (3, 10, None)))], sort=True)
@example(history=[Send("CN1", 0, 0, ((0, 100, 50), (1, 200, None))), Send("CN1", 0, 1, ((2, 300, None),))],
         imports=[Send("CN1", 0, 0, ((0, 120, None),)), Send("CN1", 1, 0, ((0, 130, -1),))], sort=False)
def test_undo_gives_back_every_sheet_after_any_history_and_import(tmp_path_factory, history, imports, sort):
    """Random small histories of both vendors (reports sent again, other files of a day, corrections, TBA
    where a date was), the APM's notes, sometimes the sheet sorted; then an import of one or two files."""
    folder = tmp_path_factory.mktemp("wip_undo")
    clock = Clock()
    path = tracker(folder)
    n = 0
    for send in history:
        n += 1
        run(path, ["wip"], clock(send_file(folder, send, n)))
    apm_edits(path, sort=sort)
    before, shape = cells(path), layout(path)
    files = []
    for send in imports:
        n += 1
        files.append(send_file(folder, send, n))
    result = run(path, ["wip"], clock(*files))
    if not result.changes:  # the same report again, value for value: nothing changed, nothing to undo
        assert wip_values(cells(path)) == wip_values(before)
        return
    assert wip_values(cells(path)) != wip_values(before)
    undo_and_compare(path, before, clock, shape)
