"""The follow-up drafts after a fault (audit h201, helper-205): a run stopped between writing its drafts and
putting them in place leaves temporary files, which a later run removes (never while another run may be writing
there) and never names as drafts; the same tracker reached by another path (a colleague's sync of the folder, a
copied or moved folder) knows its drafts as its own, and with nothing new writes nothing; an undo stopped after it
saved the workbook has its drafts put back by the next run; an undo that keeps a Follow-ups row the APM typed in
keeps the draft that row links to. Real trackers, real .eml files, runs killed in real processes."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import add_config, base_sheets, digest, write_book
from prodbook.cli import main
from prodbook.core import followups as fu
from prodbook.jobs.base import Context
from prodbook.jobs.followups_job import tracker_mark
from prodbook.jobs.runner import REFRESH, run
from prodbook.workbook import kept_drafts
from prodbook.workbook.atomic import remove_temp, write_temp
from prodbook.workbook.lock import lock_path
from prodbook.workbook.publish import is_temp
from prodbook.workbook.safety import BACKUP_DIR, WorkbookLocked
from test_drafts_undo import cancel_cn1, new_bd1_address

TODAY = date(2027, 3, 1)
BD1 = "BD1_follow-up_2027-03-01.eml"
CN1 = "CN1_follow-up_2027-03-01.eml"


def at(hour: int, day: int = 0, *, dry_run: bool = False) -> Context:
    today = TODAY + timedelta(days=day)
    return Context(today=today, now=datetime.combine(today, datetime.min.time()).replace(hour=hour), dry_run=dry_run)


def refresh(path: Path, hour: int, day: int = 0, *, dry_run: bool = False):
    """The daily refresh on day ``day`` after TODAY: drafts to 'Follow-up drafts/DATE' beside the workbook."""
    return run(path, list(REFRESH), at(hour, day, dry_run=dry_run), title="Refresh")


def said(result) -> str:
    return "\n".join(line for o in result.outcomes for line in o.summary)


def folder_of(path: Path, day: int = 0) -> Path:
    return path.parent / fu.DRAFTS_FOLDER / (TODAY + timedelta(days=day)).isoformat()


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.is_dir() else {}


_STOPPED = """
import os, sys, datetime
import prodbook.workbook.publish as pub
from prodbook.jobs.base import Context
from prodbook.jobs.runner import REFRESH, run
real = pub.Prepared.publish
def stopped(self, staged, aside=None):
    if sys.argv[2] != "undo" or any(isinstance(s, pub.StagedRestore) for s in staged):
        os._exit(137)  # killed: the workbook is saved, the drafts not put in place
    return real(self, staged, aside)
pub.Prepared.publish = stopped
day, hour = int(sys.argv[3]), int(sys.argv[4])
today = datetime.date(2027, 3, 1) + datetime.timedelta(days=day)
ctx = Context(today=today, now=datetime.datetime.combine(today, datetime.time(hour)))
if sys.argv[2] == "undo":
    run(sys.argv[1], ["undo"], ctx)
else:
    run(sys.argv[1], list(REFRESH), ctx, title="Refresh")
"""


def killed_after_save(path: Path, command: str, hour: int, day: int = 0) -> None:
    """``command`` ('refresh' or 'undo') in a process of its own, killed once the workbook is saved and before
    its drafts are put in place (an undo: before it puts them back), as a SIGKILL or a power cut stops it."""
    done = subprocess.run([sys.executable, "-c", _STOPPED, str(path), command, str(day), str(hour)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 137, done.stderr


def temps(folder: Path) -> list[str]:
    return sorted(n for n in os.listdir(folder) if n.startswith(".~")) if folder.is_dir() else []


# --------------------------------------------------------------------------- 1. a stopped run's temporary files
def test_a_later_run_removes_the_temporary_files_a_killed_run_left_and_the_folder_they_alone_were_in(tmp_path):
    path = write_book(tmp_path / "t.xlsx", base_sheets())
    killed_after_save(path, "refresh", 9)
    first = folder_of(path)
    left = temps(first)
    assert len(left) == 3 and all(is_temp(n) for n in left), left  # BD1's, CN1's, the drafts record's
    look = refresh(path, 9, 1, dry_run=True)
    assert f"Would remove 3 temporary file(s) a stopped prodbook run left in '{first}'" in said(look), said(look)
    assert temps(first) == left
    done = refresh(path, 9, 1)
    assert not first.exists(), "the folder only the killed run's temporary files were in stays"
    assert f"Removed 3 temporary file(s) a stopped prodbook run left in '{first}'" in said(done), said(done)
    assert "the folder, left empty, went too" in said(done)
    assert sorted(files(folder_of(path, 1))) == [BD1.replace("03-01", "03-02"), CN1.replace("03-01", "03-02"),
                                                kept_drafts.DAY_RECORD]


def test_the_command_typed_in_the_workbooks_folder_removes_the_left_ones_and_writes_its_own(tmp_path, monkeypatch):
    """`prodbook refresh t.xlsx` typed in the workbook's folder, the same day: the killed run's temporary files
    go, this run's own (named from the folder typed in) are put in place as its drafts."""
    path = write_book(tmp_path / "t.xlsx", base_sheets())
    killed_after_save(path, "refresh", 9)
    left = temps(folder_of(path))
    monkeypatch.chdir(tmp_path)
    done = CliRunner().invoke(main, ["refresh", "t.xlsx", "--today", TODAY.isoformat()])
    assert done.exit_code in (0, 1), done.output
    assert "Removed 3 temporary file(s) a stopped prodbook run left in" in done.output, done.output
    assert temps(folder_of(path)) == [] and sorted(files(folder_of(path))) == [BD1, CN1, kept_drafts.DAY_RECORD]
    assert left


def test_an_old_days_cleanup_names_no_temporary_file_as_a_draft_and_a_later_run_takes_them(tmp_path):
    """The audit's 12-08: the day's folder, with its drafts and record and a killed run's temporary files, was
    kept 'because it holds .~BD1_.prodbook....eml, a follow-up draft prodbook wrote there as a file because
    Outlook did not take it ... double-click it to open it'. Here another tracker's run holds its lock at every
    run until then, so the temporary files are still there when the day's folder is cleared."""
    path = add_config(write_book(tmp_path / "t.xlsx", base_sheets()), ("Draft Days To Keep", 1))
    other = Path(shutil.copy(path, tmp_path / "kids.xlsx"))
    killed_after_save(path, "refresh", 9)
    first = folder_of(path)
    fd = hold_lock(other)
    try:
        refresh(path, 12)  # the same day again: the drafts and the day's record written beside the temporary files
        assert len(temps(first)) == 3 and {BD1, CN1, kept_drafts.DAY_RECORD} <= set(files(first))
        refresh(path, 9, 1)
        third = refresh(path, 9, 2)
    finally:
        os.close(fd)
    text = said(third)
    assert "Removed the old follow-up drafts folder '2027-03-01'" in text, text
    assert ".~" not in text and "Outlook did not take it" not in text and "Kept the old" not in text, text
    assert sorted(os.listdir(first)) == temps(first), "a draft or the record left beside the temporary files"
    later = refresh(path, 10, 2)
    assert not first.exists() and f"Removed 3 temporary file(s) a stopped prodbook run left in '{first}'" in said(
        later), said(later)


def hold_lock(workbook: Path) -> int:
    """Another prodbook run holding ``workbook``'s write lock, as its process does (an OS lock on the file)."""
    fd = os.open(lock_path(workbook), os.O_RDWR | os.O_CREAT, 0o666)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd


def test_the_temporary_files_stay_while_another_trackers_run_holds_its_lock_in_the_folder(tmp_path):
    """Two trackers share 'Follow-up drafts/DATE': a temporary file there may be the other one's run, between
    writing its drafts and putting them in place. Only once its lock is let go of are they removed."""
    path = write_book(tmp_path / "t.xlsx", base_sheets())
    other = shutil.copy(path, tmp_path / "kids.xlsx")
    killed_after_save(path, "refresh", 9)
    left = temps(folder_of(path))
    fd = hold_lock(Path(other))
    try:
        busy = refresh(path, 9, 1)
    finally:
        os.close(fd)
    assert temps(folder_of(path)) == left and "temporary file(s)" not in said(busy)
    refresh(path, 10, 1)
    assert not folder_of(path).exists()


def test_a_workbook_open_in_excel_in_the_folder_leaves_only_a_fresh_temporary_file(tmp_path):
    """A run of the add-in inside Excel takes no write lock: beside a workbook open in Excel, a temporary file
    goes only once it is older than any run takes to put its drafts in place."""
    path = write_book(tmp_path / "t.xlsx", base_sheets())
    killed_after_save(path, "refresh", 9)
    (tmp_path / "~$kids.xlsx").write_bytes(b"\x05Ann" + b"\x00" * 160)
    left = temps(folder_of(path))
    refresh(path, 9, 1)
    assert temps(folder_of(path)) == left
    old = datetime.now().timestamp() - 3600
    for name in left:
        os.utime(folder_of(path) / name, (old, old))
    refresh(path, 10, 1)
    assert not folder_of(path).exists()


def test_in_a_folder_named_with_out_a_temporary_file_goes_once_old_and_the_folder_stays(tmp_path):
    """Any tracker's run may write into a --out folder, and no lock there says so: a temporary file goes once it
    is older than a run takes, and the folder, the APM's, is never removed."""
    path = write_book(tmp_path / "t.xlsx", base_sheets())
    out = tmp_path / "to send"
    out.mkdir()
    left = write_temp(out / BD1, b"half a draft")  # as a run stopped before putting it in place leaves it
    ctx = Context(today=TODAY, now=datetime(2027, 3, 1, 9), out=out)
    run(path, ["ta", "exceptions", "followups"], ctx)
    assert left.exists()
    old = datetime.now().timestamp() - 3600
    os.utime(left, (old, old))
    cancel_cn1(path)  # nothing of BD1's changes: its draft is not rewritten
    done = run(path, ["ta", "exceptions", "followups"], Context(today=TODAY, now=datetime(2027, 3, 1, 10), out=out))
    assert not left.exists() and f"Removed 1 temporary file(s) a stopped prodbook run left in '{out}'" in said(done)
    assert "went too" not in said(done) and sorted(files(out)) == [BD1]


@settings(max_examples=60, deadline=None)
@given(stem=st.text(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-. é"),
                    min_size=1, max_size=90).filter(lambda s: s.strip(". ") == s and not s.startswith(".~")),
       suffix=st.sampled_from([".eml", ".json", ".xlsx", ""]))
def test_every_temporary_name_prodbook_writes_is_known_as_one_and_no_draft_name_is(tmp_path_factory, stem, suffix):
    """``write_temp``'s name for any file is a temporary one (``is_temp``); the file's own name, a day's drafts
    record, a draft of any vendor, never is."""
    folder = tmp_path_factory.mktemp("t")
    target = folder / (stem + suffix)
    tmp = write_temp(target, b"x")
    try:
        assert is_temp(tmp.name), tmp.name
    finally:
        remove_temp(tmp)
    assert not is_temp(target.name)
    assert not is_temp(kept_drafts.DAY_RECORD) and not is_temp(f"{stem}_follow-up_2027-03-01_2.eml")


# --------------------------------------------------------------------------- 2. one tracker, two paths
def test_a_copied_folders_run_with_nothing_new_writes_nothing_and_makes_no_second_drafts(tmp_path):
    (tmp_path / "a").mkdir()
    path = write_book(tmp_path / "a" / "t.xlsx", base_sheets())
    refresh(path, 9)
    shutil.copytree(tmp_path / "a", tmp_path / "b", copy_function=shutil.copy2)
    copy = tmp_path / "b" / "t.xlsx"
    before, drafts = digest(copy), files(folder_of(copy))
    times = {p.name: p.stat().st_mtime_ns for p in folder_of(copy).iterdir()}
    backups = sorted((tmp_path / "b" / BACKUP_DIR).iterdir())
    again = refresh(copy, 10)
    assert files(folder_of(copy)) == drafts, "drafts rewritten or added ('_2') by the same tracker's copy"
    assert {p.name: p.stat().st_mtime_ns for p in folder_of(copy).iterdir()} == times
    assert digest(copy) == before and again.changes == 0, said(again)
    assert sorted((tmp_path / "b" / BACKUP_DIR).iterdir()) == backups


def test_two_paths_in_turn_keep_one_draft_a_vendor_and_take_away_the_one_no_longer_wanted(tmp_path):
    """A colleague's PC syncs the folder to another path: the drafts each PC writes are the tracker's own on the
    other. A rewritten draft keeps its name, and a vendor with nothing left to chase loses its draft."""
    (tmp_path / "ann").mkdir()
    path = write_book(tmp_path / "ann" / "t.xlsx", base_sheets())
    refresh(path, 9)
    (tmp_path / "ann").rename(tmp_path / "bob")
    bob = tmp_path / "bob" / "t.xlsx"
    cancel_cn1(bob)
    new_bd1_address(bob)
    noon = refresh(bob, 12)
    assert sorted(files(folder_of(bob))) == [BD1, kept_drafts.DAY_RECORD], said(noon)
    assert b"orders@dhaka-knit.example" in files(folder_of(bob))[BD1]
    assert f"Removed today's earlier draft '{CN1}': CN1 has nothing left to chase" in said(noon)
    (tmp_path / "bob").rename(tmp_path / "ann")
    drafts = files(folder_of(path))
    late = refresh(path, 15)
    assert files(folder_of(path)) == drafts and late.changes == 0, said(late)


def test_two_trackers_in_a_moved_folder_still_keep_their_drafts_apart(tmp_path):
    (tmp_path / "a").mkdir()
    t = write_book(tmp_path / "a" / "t.xlsx", base_sheets())
    shutil.copy(t, tmp_path / "a" / "u.xlsx")
    refresh(t, 9)
    refresh(tmp_path / "a" / "u.xlsx", 9)
    names = sorted(files(folder_of(t)))
    assert names == [BD1, BD1.replace(".eml", "_2.eml"), CN1, CN1.replace(".eml", "_2.eml"),
                     kept_drafts.DAY_RECORD], names
    (tmp_path / "a").rename(tmp_path / "b")
    drafts = files(folder_of(tmp_path / "b" / "t.xlsx"))
    for name in ("t.xlsx", "u.xlsx"):
        refresh(tmp_path / "b" / name, 10)
    assert files(folder_of(tmp_path / "b" / "t.xlsx")) == drafts


# --------------------------------------------------------------------------- 9b. an undo stopped after its save
def noon_run(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """09:00 refresh (BD1's and CN1's drafts), then CN1 cancelled and BD1's address changed, and the 12:00 refresh
    (BD1's draft rewritten, CN1's taken away): the workbook, and the drafts folder as the 09:00 run left it."""
    path = write_book(tmp_path / "t.xlsx", base_sheets())
    refresh(path, 9)
    morning = files(folder_of(path))
    cancel_cn1(path)
    new_bd1_address(path)
    refresh(path, 12)
    assert sorted(files(folder_of(path))) == [BD1, kept_drafts.DAY_RECORD]
    return path, morning


def same_drafts(path: Path, twin: Path) -> bool:
    """The two trackers' drafts folders hold the same drafts, each tracker's mark (a digest of its path) aside,
    and their records the same names of the same tracker."""
    mine, theirs = files(folder_of(path)), files(folder_of(twin))
    if sorted(mine) != sorted(theirs):
        return False
    swap = tracker_mark(twin).encode(), tracker_mark(path).encode()
    mine_record, their_record = kept_drafts.day_record(folder_of(path)), kept_drafts.day_record(folder_of(twin))
    return all(mine[n] == theirs[n].replace(*swap) for n in mine if n.endswith(".eml")) and (
        mine_record is not None and their_record is not None
        and {n: e.tracker for n, e in mine_record.drafts.items()}
        == {n: e.tracker for n, e in their_record.drafts.items()})


def test_an_undo_killed_after_its_save_is_finished_by_the_next_undo(tmp_path):
    path, _ = noon_run(tmp_path)
    killed_after_save(path, "undo", 13)
    assert sorted(files(folder_of(path))) == [BD1, kept_drafts.DAY_RECORD], "the noon run's drafts are still there"
    undo = run(path, ["undo"], at(14))  # the APM presses Undo again: the 09:00 run goes too
    text = said(undo)
    assert "The Undo of 'Refresh 2027-03-01 12:00:00 UTC+0" in text, text  # the noon run ('(2)': a second run
    assert "was stopped after it saved the workbook" in text, text  # of this process at that time)
    assert "finished now" in text and f"Put back the draft '{CN1}'" in text, text
    assert not (tmp_path / fu.DRAFTS_FOLDER).exists(), files(folder_of(path))  # as before the 09:00 run
    assert not [f for f in undo.findings if "draft" in f.message.lower()], undo.findings
    assert not list((tmp_path / BACKUP_DIR).rglob(kept_drafts.UNDOING))


def test_the_next_refresh_finishes_a_killed_undo_as_the_undo_would_have(tmp_path):
    """Twin folders: in one the undo runs through, in the other it is killed after its save and the next refresh
    finishes it. Their drafts folders are the same after that refresh, and after its undo."""
    (tmp_path / "whole").mkdir()
    (tmp_path / "killed").mkdir()
    whole, _ = noon_run(tmp_path / "whole")
    path, morning = noon_run(tmp_path / "killed")
    run(whole, ["undo"], at(13))
    killed_after_save(path, "undo", 13)
    look = refresh(path, 14, dry_run=True)
    assert "this run would finish it" in said(look) and f"Would put back the draft '{CN1}'" in said(look)
    assert sorted(files(folder_of(path))) == [BD1, kept_drafts.DAY_RECORD]
    done = refresh(path, 14)
    assert "finished now" in said(done), said(done)
    refresh(whole, 14)
    assert same_drafts(path, whole)
    run(whole, ["undo"], at(15))
    run(path, ["undo"], at(15))
    assert same_drafts(path, whole) and files(folder_of(path))[BD1] == morning[BD1]


def test_an_undo_refused_before_its_save_leaves_the_drafts_and_nothing_to_finish(tmp_path):
    path, _ = noon_run(tmp_path)
    (tmp_path / "~$t.xlsx").write_bytes(b"\x05Ann" + b"\x00" * 160)  # open in Excel: the undo is refused
    with pytest.raises(WorkbookLocked):
        run(path, ["undo"], at(13))
    (tmp_path / "~$t.xlsx").unlink()
    assert list((tmp_path / BACKUP_DIR).rglob(kept_drafts.UNDOING)), "written just before the save it never made"
    drafts = files(folder_of(path))
    later = run(path, ["followups"], at(14))
    assert "Undo" not in said(later) and files(folder_of(path)) == drafts
    assert not list((tmp_path / BACKUP_DIR).rglob(kept_drafts.UNDOING))


# --------------------------------------------------------------------------- 8b. a kept row's draft
def type_last_contacted(path: Path) -> None:
    """The APM types Last Contacted on the Follow-ups sheet's first row (BD1's): undo keeps that row."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Follow-ups"]
    header = [c.value for c in ws[1]]
    ws.cell(row=2, column=header.index("Last Contacted") + 1, value=datetime(2027, 3, 1))
    wb.save(path)


def test_undo_keeps_the_draft_and_folder_a_row_it_keeps_links_to_and_the_old_days_cleanup_takes_it(tmp_path):
    path = add_config(write_book(tmp_path / "t.xlsx", base_sheets()), ("Draft Days To Keep", 1))
    refresh(path, 9)
    bd1 = files(folder_of(path))[BD1]
    type_last_contacted(path)
    undo = run(path, ["undo"], at(10))
    assert f"Kept the draft '{BD1}' that run wrote" in said(undo), said(undo)
    assert f"Took away the draft '{CN1}' that run wrote" in said(undo)
    assert sorted(files(folder_of(path))) == [BD1, kept_drafts.DAY_RECORD] and files(folder_of(path))[BD1] == bd1
    record = kept_drafts.day_record(folder_of(path))
    assert record is not None and record.drafts == {BD1: kept_drafts.DraftEntry.of("t.xlsx", bd1)}
    refresh(path, 9, 1)
    pruned = refresh(path, 9, 2)
    assert not folder_of(path).exists(), said(pruned)  # the tracker's own draft, as written: it goes with its day
