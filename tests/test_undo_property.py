"""Property: any runs and user edits, then undoing the runs newest first, give back the sheets as they were.

Every sheet prodbook generates is read back with openpyxl and compared row by row (by key) with the
state before the runs. The only differences allowed are the user's own: a cell they typed, a row they
deleted, and what undo kept for them and named in a warning (a row they typed in, a value they changed
again). Real files, the file back end, the runner: as the APM uses it.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from conftest import base_sheets, shown_values, write_book
from prodbook.core.changes import run_stamp
from prodbook.core.findings import Code
from prodbook.jobs.base import Context
from prodbook.jobs.runner import REFRESH, run
from prodbook.jobs.undo_job import last_action

START = date(2027, 3, 1)
KEYS = {"T&A": ("PO #", "Style #", "Color", "Code"), "Vendor WIP": ("PO #", "Style #", "Color", "Report Date"),
        "Exceptions": ("ID",), "Follow-ups": ("Vendor", "Item", "Ref"), "Style Snapshot": ("Style #", "Field")}
TYPED = {  # what the APM types where: the user's columns of each generated sheet, and one extra column
    "T&A": (("Actual", st.dates(date(2027, 1, 1), date(2027, 4, 30))), ("Notes", st.sampled_from(["chased", "ok"]))),
    "Exceptions": (("Resolution", st.sampled_from(["air at vendor cost", "agreed"])),
                   ("Status", st.sampled_from(["Closed", "In progress"])), ("Owner", st.just("Ana"))),
    "Follow-ups": (("Last Contacted", st.dates(date(2027, 2, 20), date(2027, 3, 31))),
                   ("Chased by", st.just("Ana"))),
    "Vendor WIP": (("My note", st.sampled_from(["call Rahim", "photo sent"])),)}
KEPT = getattr(Code, "UNDO_KEPT", Code.BAD_VALUE)  # (older prodbook: its 'not undone' warnings)
JOBS = {"refresh": REFRESH, "ta": ["ta"], "exceptions": ["exceptions"], "followups": ["followups"]}
#: vendor files: (report date, lines of (colour, cut qty, revised XF))
FILES = ((date(2027, 3, 1), (("Navy", 1150, None), ("Heather Grey", 600, None))),
         (date(2027, 3, 1), (("Navy", 1150, None),)),
         (date(2027, 3, 1), (("Navy", 1180, date(2027, 4, 26)), ("Heather Grey", 600, date(2027, 4, 16)))),
         (date(2027, 3, 8), (("Navy", 1190, date(2027, 4, 22)), ("Heather Grey", 610, None))))


def vendor_file(folder: Path, n: int) -> Path:
    when, lines = FILES[n]
    path = folder / f"BD1_wip_{when:%Y%m%d}_{n}.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["PO", "Style", "Colour", "Order Qty", "Cut Qty", "Sewn Qty", "Packed Qty", "Planned XF",
                    "Revised XF", "Remarks"])
        for colour, cut, revised in lines:
            w.writerow(["4500000001", "S1", colour, 1000, cut, 0, 0, "2027-04-15",
                        revised.isoformat() if revised else "", f"{colour} cut {cut}"])
    return path


@dataclass(frozen=True)
class Run:
    job: str
    day: int
    file: int


@dataclass(frozen=True)
class Type:
    sheet: str
    row: int
    header: str
    value: Any


@dataclass(frozen=True)
class Delete:
    sheet: str
    row: int


runs = st.builds(Run, st.sampled_from(sorted(JOBS)), st.sampled_from([0, 2, 9, 30, 60]), st.integers(0, 3))
types = st.sampled_from(sorted(TYPED)).flatmap(lambda sheet: st.sampled_from(TYPED[sheet]).flatmap(
    lambda col: st.builds(Type, st.just(sheet), st.integers(0, 40), st.just(col[0]), col[1])))
deletes = st.builds(Delete, st.sampled_from(sorted(TYPED)), st.integers(0, 40))
steps = st.lists(st.one_of(runs, runs, types, deletes), min_size=1, max_size=5)


def _cell(v: Any) -> Any:
    return v.date() if isinstance(v, datetime) and v == datetime.combine(v.date(), datetime.min.time()) else v


def _key(row: dict[str, Any], sheet: str) -> str:
    """The row's key as the Change Log (and undo's warnings) write it."""
    return " / ".join("" if row.get(h) is None else str(_cell(row.get(h))) for h in KEYS[sheet])


def read(path: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """Each generated sheet's rows by key (a repeated key gets '#2'), values as a spreadsheet shows them (a
    link as its text: its target follows the T&A as it is now, which the steps may have changed by hand)."""
    wb = openpyxl.load_workbook(path)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for sheet in KEYS:
        rows: dict[str, dict[str, Any]] = {}
        if sheet in wb.sheetnames:
            values = shown_values(path, sheet)
            header = values[0] if values else []
            for r in values[1:]:
                if any(v not in (None, "") for v in r):
                    row = {h: _cell(v) for h, v in zip(header, r) if h}
                    k = _key(row, sheet)
                    rows[k if k not in rows else f"{k}#{len(rows)}"] = row
        out[sheet] = rows
    return out


def read_log(path: Path) -> list[str]:
    ws = openpyxl.load_workbook(path, read_only=True)["Change Log"]
    return [r[1] for r in ws.iter_rows(min_row=2, values_only=True)]


def data_rows(ws) -> list[int]:
    return [r[0].row for r in ws.iter_rows(min_row=2) if any(c.value not in (None, "") for c in r)]


def apply(path: Path, step: Type | Delete, typed: set, deleted: set) -> None:
    """The APM edits the workbook in Excel and saves it."""
    wb = openpyxl.load_workbook(path)
    if step.sheet not in wb.sheetnames:
        return
    ws = wb[step.sheet]
    rows = data_rows(ws)
    if not rows:
        return
    row = rows[step.row % len(rows)]
    header = [c.value for c in ws[1]]
    key = _key(dict(zip(header, (c.value for c in ws[row]))), step.sheet)
    if isinstance(step, Delete):
        ws.delete_rows(row)
        deleted.add((step.sheet, key))
    else:
        if step.header not in header:
            header.append(step.header)
            ws.cell(row=1, column=len(header), value=step.header)
        ws.cell(row=row, column=header.index(step.header) + 1, value=step.value)
        typed.add((step.sheet, key, step.header))
    wb.save(path)


@pytest.fixture(scope="module")
def earlier(tmp_path_factory) -> Path:
    return make_earlier(tmp_path_factory.mktemp("earlier"))


def make_earlier(folder: Path) -> Path:
    """A tracker after a first refresh with a vendor file: the state every sequence starts from."""
    sheets = base_sheets()
    sheets["Orders"][0] += ["Ship Mode"]
    sheets["Orders"][1] += ["Sea"]
    sheets["Orders"][2] += ["Sea"]
    sheets["Orders"].append(["4500000001", "S1", "Heather Grey", 600, date(2027, 1, 4), date(2027, 4, 15),
                             date(2027, 5, 10), date(2027, 5, 20), "Sea"])
    sheets["Samples"] = [["Style #", "Sample Type", "Purpose", "Color", "Due", "Shipped"],
                         ["S1", "Proto", "Line review", "Navy", date(2027, 3, 5), None],
                         ["S2", "Fit", "", "Black", date(2027, 3, 20), None]]
    sheets["Config"] = [["Setting", "Value"], ["WIP Stale Days", 10], ["Booking Confirm Days", 10]]
    path = write_book(folder / "tracker.xlsx", sheets)
    run(path, REFRESH, Context(today=START, now=datetime(2027, 3, 1, 8), files=(vendor_file(folder, 0),),
                               out=folder / "drafts"))
    return path


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])  # no shrinking: each example is a few runs
@given(steps=steps)
@example(steps=[Type("Follow-ups", 0, "Last Contacted", date(2027, 3, 2)),  # rows the runs remove, typed in
                Type("Vendor WIP", 1, "My note", "call Rahim"), Run("refresh", 30, 1)])
@example(steps=[Run("refresh", 2, 3), Type("T&A", 3, "Notes", "chased"), Run("exceptions", 60, 2),
                Type("Exceptions", 0, "Resolution", "agreed"), Delete("Follow-ups", 1), Run("followups", 60, 0)])
@example(steps=[Delete("Vendor WIP", 31), Run("refresh", 0, 2), Type("Vendor WIP", 5, "My note", "call Rahim"),
                Delete("T&A", 32), Delete("Follow-ups", 18)])  # a row deleted by hand, re-imported, typed in
def test_runs_then_undos_give_back_the_sheets_or_name_what_they_kept(earlier, steps):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "tracker.xlsx"
        shutil.copy(earlier, path)
        before = read(path)
        typed: set[tuple[str, str, str]] = set()
        deleted: set[tuple[str, str]] = set()
        actions = 0
        clock = datetime(2027, 3, 1, 9)
        for n, step in enumerate(steps):
            if not isinstance(step, Run):
                apply(path, step, typed, deleted)
                continue
            ctx = Context(today=START + timedelta(days=step.day), now=clock + timedelta(minutes=n),
                          files=(vendor_file(folder, step.file),) if step.job == "refresh" else (),
                          out=folder / "drafts")
            result = run(path, JOBS[step.job], ctx)
            actions += result.changes > 0
        kept_rows: set[tuple[str, str]] = set()
        kept_cells: set[tuple[str, str, str]] = set()
        for n in range(actions):
            result = run(path, ["undo"], Context(today=START, now=clock + timedelta(hours=1, minutes=n)))
            for f in result.findings:
                if f.code == KEPT:
                    kept_rows.add((f.sheet, f.key))
                    kept_cells.add((f.sheet, f.key, f.column))
        log = pd.DataFrame(read_log(path), columns=["action"])
        first = last_action(pd.DataFrame(read_log(earlier), columns=["action"]))  # the fixture's refresh: its id
        assert first is not None and first.startswith(f"Refresh {run_stamp(datetime(2027, 3, 1, 8))}")  # ' (2)' when
        # another test of this process ran in that second (runner._stamp counts them)
        assert last_action(log) == first  # every run of the sequence undone
        after = read(path)
        for sheet in KEYS:
            was, now = before[sheet], after[sheet]
            for key in now.keys() - was.keys():
                assert (sheet, key) in kept_rows, f"{sheet}: row {key} left over, not named: {now[key]}"
            for key in was.keys() - now.keys():
                assert (sheet, key) in deleted, f"{sheet}: row {key} lost: {was[key]}"
            for key in was.keys() & now.keys():
                if (sheet, key) in deleted and (sheet, key) in kept_rows:
                    # deleted by hand, added again by a run, typed in, so kept by undo and named: the run's row
                    continue
                for h in was[key].keys() | now[key].keys():
                    if (sheet, key, h) in typed or (sheet, key, h) in kept_cells:
                        continue
                    assert was[key].get(h) == now[key].get(h), (
                        f"{sheet} {key} '{h}': was {was[key].get(h)!r}, now {now[key].get(h)!r}; steps {steps}")
