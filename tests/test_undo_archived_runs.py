"""An undo moves no run it could still reach out of the Change Log, and says the truth when the next one is out.

A full log moves its oldest runs to '<tracker> Change Log to <time>.xlsx' beside the tracker. An undo's own run
did that too (audit h201): pressed again and again on a full log, the eighth Undo last moved out a run not yet
undone, and the ninth said there was nothing to undo. An undo now moves out only runs already undone (and their
undos) older than the next run to undo, unless the log would pass what the next run can read; and when Undo last
has no run left in the log, it names the file that holds the run before them.

The logs here are a team's older weekly runs, sized against a small Max Part MB (prodbook.toml), so that the
log is past the share of the limit a run lets it fill (``limits.GROWTH_SHARE``) while the file is read.
"""

from __future__ import annotations

import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import base_sheets, write_book
from prodbook.core.changes import UNDO, UNDO_SHARE, actions_to_move, newest_not_undone, undo_needs_none
from prodbook.core.findings import Code, UserError
from prodbook.core.limits import GROWTH_SHARE, MB
from prodbook.core.model.sheets import CHANGE_LOG
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from prodbook.workbook.filebook import FileBook
from prodbook.workbook.log_archive import Archived, archives, next_archived

HEADERS = [("Timestamp", "Action")]
PER_RUN = 200


def _run_name(i: int) -> str:
    return f"Refresh {datetime(2026, 9, 7, 9) + timedelta(days=7 * i):%Y-%m-%d %H:%M:%S} UTC+0"


def _log(runs: int) -> list[list]:
    """A Change Log of ``runs`` weekly runs of PER_RUN rows each (T&A Status lines of PO lines the tracker does
    not hold: their undo logs one line)."""
    rows: list[list] = [list(CHANGE_LOG.headers)]
    for i in range(runs):
        when = datetime(2026, 9, 7, 9) + timedelta(days=7 * i)
        rows += [[when, _run_name(i), "T&A", f"45{i:03d}{j:05d} / S{j % 50:03d} / Navy / PPA", "Status", "Upcoming",
                  "Due soon", "apm"] for j in range(PER_RUN)]
    return rows


def _tracker(tmp_path: Path, runs: int) -> Path:
    path = write_book(tmp_path / "tracker.xlsx", {**base_sheets(), "Change Log": _log(runs)})
    (tmp_path / "prodbook.toml").write_text('[settings]\n"Max Part MB" = 1\n')
    return path


def _log_share(path: Path) -> float:
    """The Change Log's part as a share of Max Part MB (1 MB here)."""
    sizes = FileBook(path).part_sizes("Change Log")
    assert sizes is not None
    return sizes.part_bytes / MB


def _actions(path: Path, sheet: str = "Change Log") -> list[str]:
    ws = openpyxl.load_workbook(path, read_only=True)[sheet]
    return [r[1] for r in ws.iter_rows(min_row=2, values_only=True) if r[1]]


def _day(i: int) -> Context:
    return Context(today=date(2027, 3, 1) + timedelta(days=i), now=datetime(2027, 3, 1, 9) + timedelta(minutes=i))


def test_undo_after_undo_on_a_full_log_moves_out_no_run_it_could_still_reach(tmp_path):
    """Nine runs on a log past three quarters of the limit: each Undo last undoes the next run down, and none is
    moved out before it is undone. Only the undo of the oldest moves the runs out, all undone; the tenth press
    says there is nothing to undo, and names no file as holding a run to undo."""
    path = _tracker(tmp_path, 9)
    assert GROWTH_SHARE < _log_share(path) < UNDO_SHARE  # past what a run lets the log fill, inside an undo's
    logged = _actions(path)
    for i in reversed(range(9)):
        done = run(path, ["undo"], _day(9 - i))
        assert done.outcomes[0].data["undone"] == _run_name(i)
        if i:  # a run still to undo: nothing moved out
            assert archives(path) == [] and _actions(path)[:len(logged)] == logged
            assert not any(f.code is Code.LOG_ROWS_MOVED for f in done.findings)
    moved = [a for p in archives(path) for a in _actions(p)]
    assert {a for a in moved if not a.startswith(UNDO)} <= {_run_name(i) for i in range(9)}
    assert sorted(moved + _actions(path)[:len(logged) - len(moved)]) == sorted(logged)  # every row kept somewhere
    assert _log_share(path) < 1  # read again: not refused
    with pytest.raises(UserError) as refused:
        run(path, ["undo"], _day(10))
    text = str(refused.value)
    assert "there is nothing to undo" in text and "Change Log to" not in text


def test_when_the_next_run_to_undo_was_moved_out_the_undo_names_its_file_and_what_to_do(tmp_path):
    """A refresh moved the oldest runs out; every run still on the log is undone: Undo last names the file that
    holds the run before them, and that run, and says nothing is undone from there (audit h201: 'nothing to
    undo', with the run in the file beside the tracker)."""
    path = _tracker(tmp_path, 9)
    moving = run(path, ["ta"], _day(0))
    assert any(f.code is Code.LOG_ROWS_MOVED for f in moving.findings)
    (archive,) = archives(path)
    gone = list(dict.fromkeys(_actions(archive)))
    assert gone == [_run_name(i) for i in range(len(gone))] and 0 < len(gone) < 9
    for i in [None, *reversed(range(len(gone), 9))]:
        done = run(path, ["undo"], _day(10 - (i or 0)))
        assert done.outcomes[0].data["undone"] == (_run_name(i) if i is not None else moving.action)
    before = path.read_bytes()
    with pytest.raises(UserError) as refused:
        run(path, ["undo"], _day(20))
    text = str(refused.value)
    assert f"The run before them, '{gone[-1]}', is in '{archive.name}'" in text
    assert "nothing is undone from that file" in text and "prodbook backups" in text
    assert "Nothing was written" in text and path.read_bytes() == before


def test_an_undo_moves_runs_it_could_reach_only_when_the_log_would_pass_what_the_next_run_reads(tmp_path):
    """A log already past an undo's share: the oldest runs go as on any run (the file must stay readable),
    and the note says where; Undo last then reaches the runs left on the log."""
    path = _tracker(tmp_path, 10)
    assert UNDO_SHARE < _log_share(path) < 1
    done = run(path, ["undo"], _day(1))
    assert done.outcomes[0].data["undone"] == _run_name(9)
    note = next(f for f in done.findings if f.code is Code.LOG_ROWS_MOVED)
    (archive,) = archives(path)
    assert archive.name in note.message and "Undo reaches the actions still in the log" in note.message
    assert _actions(archive)[0] == _run_name(0) and _log_share(path) <= GROWTH_SHARE


def _archive(path: Path, actions: list[str], header_row: int = 1) -> Path:
    """A workbook as prodbook moves a log's rows into: an About sheet, then the rows (under a title row when
    ``header_row`` is 2, as a team's log may have)."""
    wb = openpyxl.Workbook()
    wb.active.title = "About"
    ws = wb.create_sheet("Change Log")
    if header_row == 2:
        ws.append(["Season log"])
    ws.append(["Timestamp", "Action", "Sheet", "Key", "Field", "Old", "New", "User"])
    for k, a in enumerate(actions):
        ws.append([datetime(2026, 9, 1) + timedelta(hours=k), a, "T&A", "K", "Status", "a", "b", "apm"])
    wb.save(path)
    return path


def test_the_next_archived_run_is_found_newest_file_first_counting_every_undo(tmp_path):
    """An undo's run moves runs undone with their undos into a newer file: the run to undo next is in an older
    one. Undos in the log and in newer files count; a file that cannot be read is named, not passed over."""
    tracker = tmp_path / "Tracker.xlsx"
    r = [_run_name(i) for i in range(6)]
    _archive(tmp_path / "Tracker Change Log to 2026-09-20 090000.xlsx", r[:3], header_row=2)
    _archive(tmp_path / "Tracker Change Log to 2026-10-05 090000.xlsx", [r[3], r[4], f"{UNDO}{r[4]}"])
    _archive(tmp_path / "Other Change Log to 2026-12-01 090000.xlsx", [r[5]])  # another tracker's
    in_log = [f"{UNDO}{r[3]}", r[5], f"{UNDO}{r[5]}"]
    assert newest_not_undone(in_log) is None
    assert next_archived(tracker, in_log, HEADERS) == Archived(
        tmp_path / "Tracker Change Log to 2026-09-20 090000.xlsx", r[2])
    assert next_archived(tracker, in_log[1:], HEADERS) == Archived(
        tmp_path / "Tracker Change Log to 2026-10-05 090000.xlsx", r[3])
    assert next_archived(tracker, [*in_log, *(f"{UNDO}{a}" for a in r[:3])], HEADERS) is None
    damaged = tmp_path / "Tracker Change Log to 2026-11-01 090000.xlsx"
    with zipfile.ZipFile(damaged, "w") as z:
        z.writestr("[Content_Types].xml", "not a workbook")
    assert next_archived(tracker, in_log, HEADERS) == Archived(damaged, None)


# --- the pure rule -------------------------------------------------------------------------------------------------

@st.composite
def _logs(draw: st.DrawFn) -> tuple[list[tuple[str, int]], str]:
    """A log oldest first (actions, rows each) as undos leave it: runs, each undo after its run, the undos of a
    stretch of the newest runs (and of older ones, undone before newer runs were made); and the run this undo
    undoes (the newest not undone)."""
    runs = draw(st.integers(1, 10))
    sizes = draw(st.lists(st.integers(1, 40), min_size=runs, max_size=runs))
    early = draw(st.sets(st.integers(0, runs - 1)))
    log: list[tuple[str, int]] = []
    for i in range(runs):
        log.append((_run_name(i), sizes[i]))
        if i in early and i + 1 < runs:  # undone before the next run was made
            log.append((f"{UNDO}{_run_name(i)}", sizes[i]))
    late = draw(st.integers(0, runs - 1))
    log += [(f"{UNDO}{_run_name(i)}", sizes[i]) for i in reversed(range(runs - late, runs))
            if i not in early or i + 1 == runs]
    if draw(st.booleans()):
        log.insert(0, ("", draw(st.integers(1, 5))))  # blank actions: the oldest group
    undos = [i for i, (a, _) in enumerate(log) if a.startswith(UNDO)]
    if undos and draw(st.booleans()):  # an undo stamped by a PC whose clock is behind: older than its run
        log.insert(0, log.pop(draw(st.sampled_from(undos))))
    target = newest_not_undone([a for a, _ in log])
    return log, target or ""


@settings(max_examples=400, deadline=None)
@given(_logs(), st.integers(1, 60), st.integers(1, 300), st.integers(0, 200))
def test_an_undo_moves_out_only_what_no_undo_needs_while_the_log_stays_inside_its_most(log, new, room, extra):
    groups, target = log
    if not target:
        return  # nothing to undo: no undo's run
    most = room + extra
    held = sum(n for _, n in groups)
    n = actions_to_move(groups, new, room, target, most)
    plain = actions_to_move(groups, new, room)
    if n is None or held + new <= room:
        assert n == plain
        return
    names = [a for a, _ in groups]
    after = names[n:] + [f"{UNDO}{target}"]
    free = undo_needs_none(groups, target)
    if sum(k for _, k in groups[free:]) + new <= most:
        assert n <= free  # only what no undo needs
        assert newest_not_undone(after) == newest_not_undone([*names, f"{UNDO}{target}"])  # the next undo's run
        assert sum(k for _, k in groups[n:]) + new <= most
        assert not any(a.startswith(UNDO) and a[len(UNDO):] in names[n:] for a in names[:n])  # none undone twice
    else:
        assert n == plain  # past what the next run reads: the oldest go, as on any run
