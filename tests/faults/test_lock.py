"""The write lock: its name, who holds it, stale locks, race-free release, leftovers cleaned under it."""

from __future__ import annotations

import json
import os
import signal
import time
from datetime import date
from pathlib import Path

import pytest

from faults import helpers
from faults.helpers import TODAY, WEEKS, cli, hold_lock, leftovers, make_tracker, vendor_file, wait_for, wip_sources
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from prodbook.workbook import lock as lockmod
from prodbook.workbook.lock import WorkbookBusy, WriteLock, lock_path
from prodbook.workbook.safety import lock_files


@pytest.fixture(scope="module")
def forkserver():
    return helpers.forkserver()


def test_the_lock_file_is_never_mistaken_for_excel_or_libreoffice(tmp_path):
    book = make_tracker(tmp_path)
    with WriteLock(book, 0):
        lock = lock_path(book)
        assert lock.exists() and lock.name == ".~tracker.xlsx.prodbook-lock"
        assert not lock.name.startswith("~$") and not lock.name.endswith("#")
        assert lock_files(book) == []  # prodbook's own "open in Excel" check does not see it
        note = json.loads(lock.read_text())
        assert note["pid"] == os.getpid() and note["user"] and note["host"] and note["since"]
    assert not lock.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["tracker.xlsx"]


def test_a_second_run_waits_then_says_who_is_working(tmp_path, forkserver):
    book, f = make_tracker(tmp_path), vendor_file(tmp_path, WEEKS[0])
    ready, release = tmp_path / "ready", tmp_path / "release"
    holder = forkserver.Process(target=hold_lock, args=(str(book), str(ready), str(release)))
    holder.start()
    try:
        wait_for(ready)
        before = book.read_bytes()
        started = time.monotonic()
        with pytest.raises(WorkbookBusy) as raised:
            run(book, ["wip"], Context(today=date.fromisoformat(TODAY), files=(f,)), lock_wait=0.5)
        assert time.monotonic() - started >= 0.5  # it waited its lock_wait first (no upper bound: CI varies)
        message = str(raised.value)
        assert "Another prodbook run" in message and "'tracker.xlsx'" in message and "since" in message
        assert "Run prodbook again when that run has finished" in message
        assert book.read_bytes() == before
        # the CLI: exit 2, the same sentence, no traceback
        os.environ["PRODBOOK_LOCK_WAIT"] = "0"
        code, out = cli("wip", str(book), str(f), "--today", TODAY)
        assert code == 2 and "Another prodbook run" in out and "Traceback" not in out
        # --dry-run writes nothing, so it neither takes nor waits for the lock
        code, out = cli("wip", str(book), str(f), "--today", TODAY, "--dry-run")
        assert code == 0 and "nothing was written" in out
    finally:
        os.environ.pop("PRODBOOK_LOCK_WAIT", None)
        release.touch()
        holder.join(30)


def test_a_lock_left_by_a_killed_run_is_taken_over(tmp_path, forkserver):
    book = make_tracker(tmp_path)
    ready, release = tmp_path / "ready", tmp_path / "release"
    holder = forkserver.Process(target=hold_lock, args=(str(book), str(ready), str(release)))
    holder.start()
    wait_for(ready)
    os.kill(holder.pid, signal.SIGKILL)
    holder.join(30)
    assert lock_path(book).exists()  # the file stays; the OS released the lock with the process
    with WriteLock(book, 0):  # no wait at all: a lock nobody holds is taken at once, or this raises
        assert json.loads(lock_path(book).read_text())["pid"] == os.getpid()
    assert not lock_path(book).exists()


def test_a_lock_file_removed_and_made_again_between_open_and_lock_is_retried(tmp_path, monkeypatch):
    """The race-free pattern: after locking, the name must still lead to the file locked."""
    book = make_tracker(tmp_path)
    real = lockmod._try_lock
    calls = []

    def swap_then_lock(fd: int) -> bool:
        calls.append(fd)
        if len(calls) == 1:  # the holder released (unlinked) and a third run made a new file
            lock_path(book).unlink()
            lock_path(book).write_text("")
        return real(fd)

    monkeypatch.setattr(lockmod, "_try_lock", swap_then_lock)
    with WriteLock(book, 0) as held:
        assert len(calls) == 2
        assert os.fstat(held._fd).st_ino == os.stat(lock_path(book)).st_ino


def test_leftovers_of_a_killed_run_are_cleaned_by_the_next_run_only(tmp_path, forkserver):
    book, f = make_tracker(tmp_path), vendor_file(tmp_path, WEEKS[0])
    backups = tmp_path / "prodbook backups"
    backups.mkdir()
    ours = [tmp_path / ".~tracker.prodbook.k2j4_x9q.xlsx", tmp_path / ".~tracker (prodbook).prodbook.a1b2c3d4.xlsx",
            backups / ".~prodbook-backup.tracker.zz81qp0a.xlsx"]
    others = [tmp_path / ".~other.prodbook.k2j4_x9q.xlsx", backups / ".~prodbook-backup.other.zz81qp0a.xlsx",
              tmp_path / "~$tracker.xlsx.bak"]
    for p in ours + others:
        p.write_bytes(b"PK half written")
    # while another run holds the lock, its files are live: a refused run touches nothing
    ready, release = tmp_path / "ready", tmp_path / "release"
    holder = forkserver.Process(target=hold_lock, args=(str(book), str(ready), str(release)))
    holder.start()
    wait_for(ready)
    with pytest.raises(WorkbookBusy):
        run(book, ["wip"], Context(today=date.fromisoformat(TODAY), files=(f,)), lock_wait=0)
    assert all(p.exists() for p in ours + others)
    release.touch()
    holder.join(30)
    ready.unlink()
    release.unlink()
    run(book, ["wip"], Context(today=date.fromisoformat(TODAY), files=(f,)))
    assert not any(p.exists() for p in ours), "a killed run's temp file was not cleaned"
    assert all(p.exists() for p in others), "another workbook's file was removed"
    assert wip_sources(book) == {f.name}
    assert [p for p in leftovers(tmp_path) if Path(tmp_path / p) not in others] == []
