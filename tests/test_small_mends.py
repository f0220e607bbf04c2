"""Three small mends: the demo's JSON and exit status agree, "Nothing to change" on a workbook open in Excel
says it is open, and the Windows write lock tells a busy lock from a drive that keeps none."""

from __future__ import annotations

import errno
import json
import os
import sys
import types
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import base_sheets, write_book
from prodbook.cli import main
from prodbook.workbook import lock as lockmod
from prodbook.workbook.lock import WorkbookBusy, WriteLock, lock_path

DAY = "2027-03-01"


# --- 1. the demo: one exit status, in the JSON and for the process --------------------------------------------

def test_the_demo_json_exit_code_is_the_exit_status(tmp_path: Path) -> None:
    """The demo's refresh finds its planted errors (the refresh alone would exit 1); the demo's job is done, so
    it exits 0, and its JSON said 1: a script reading both got two answers."""
    folder = tmp_path / "demo"
    done = CliRunner().invoke(main, ["demo", str(folder), "--today", "2026-11-25", "--json"])
    said = json.loads(done.stdout)
    assert any(f["severity"] == "error" for f in said["findings"])  # the planted errors are there
    assert done.exit_code == 0 and said["exit_code"] == done.exit_code, done.stderr

    again = CliRunner().invoke(main, ["demo", str(folder), "--today", "2026-11-25", "--json"])  # nothing new
    said = json.loads(again.stdout)
    assert said["written"] is None and said["exit_code"] == again.exit_code == 0, again.stderr


# --- 2. nothing to change, on a workbook open in Excel -----------------------------------------------------------

def test_nothing_to_change_on_a_workbook_open_in_excel_says_it_is_open(tmp_path: Path) -> None:
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    first = CliRunner().invoke(main, ["ta", str(path), "--today", DAY])
    assert first.exit_code in (0, 1) and "Saved 'tracker.xlsx'" in first.stdout, first.output
    (tmp_path / "~$tracker.xlsx").write_bytes(bytes([3]) + b"Ana".ljust(53) + bytes(111))  # Excel's owner file
    before = path.read_bytes()

    again = CliRunner().invoke(main, ["ta", str(path), "--today", DAY])
    assert again.exit_code == first.exit_code and path.read_bytes() == before, again.output
    last = again.stdout.splitlines()[-1]
    assert last.startswith("Nothing to change.")
    assert "'tracker.xlsx' is open in Excel (or another program), by Ana" in last and "close it" in last


def test_nothing_to_change_is_said_alone_when_the_workbook_is_not_open(tmp_path: Path) -> None:
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    CliRunner().invoke(main, ["ta", str(path), "--today", DAY])
    again = CliRunner().invoke(main, ["ta", str(path), "--today", DAY])
    assert again.stdout.splitlines()[-1] == "Nothing to change."


# --- 3. the Windows lock: busy, or a drive that keeps no locks ------------------------------------------------

def _fake_msvcrt(monkeypatch: pytest.MonkeyPatch, refusal: int | None) -> list[int]:
    """A stand-in ``msvcrt`` whose ``locking`` refuses with ``refusal`` (None: locks). Returns the modes asked."""
    asked: list[int] = []
    fake = types.ModuleType("msvcrt")
    fake.LK_UNLCK, fake.LK_NBLCK = 0, 2  # type: ignore[attr-defined]

    def locking(fd: int, mode: int, nbytes: int) -> None:
        asked.append(mode)
        if refusal is not None and mode == fake.LK_NBLCK:  # type: ignore[attr-defined]
            raise OSError(refusal, os.strerror(refusal))

    fake.locking = locking  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "msvcrt", fake)
    try_lock, unlock = lockmod._locks_for("win32")
    monkeypatch.setattr(lockmod, "_try_lock", try_lock)
    monkeypatch.setattr(lockmod, "_unlock", unlock)
    return asked


@pytest.mark.parametrize("busy", [errno.EACCES, errno.EDEADLOCK], ids=["EACCES", "EDEADLOCK"])
def test_windows_lock_held_by_another_run_is_busy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  busy: int) -> None:
    book = write_book(tmp_path / "tracker.xlsx", base_sheets())
    _fake_msvcrt(monkeypatch, busy)
    with pytest.raises(WorkbookBusy, match="Another prodbook run"):
        WriteLock(book, 0).acquire()


@pytest.mark.parametrize("cannot", [errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP],
                         ids=["EINVAL", "ENOSYS", "EOPNOTSUPP"])
def test_windows_drive_without_locks_goes_on_without_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         cannot: int) -> None:
    """A network share without byte-range locks: every run waited and was told another prodbook run was
    working, when none was."""
    book = write_book(tmp_path / "tracker.xlsx", base_sheets())
    asked = _fake_msvcrt(monkeypatch, cannot)
    with WriteLock(book, 0):
        assert lock_path(book).exists()
    assert not lock_path(book).exists()
    assert asked == [2]  # nothing locked, so nothing to unlock


def test_windows_lock_taken_and_given_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = write_book(tmp_path / "tracker.xlsx", base_sheets())
    asked = _fake_msvcrt(monkeypatch, None)
    with WriteLock(book, 0):
        pass
    assert asked == [2, 0]


def test_windows_lock_other_errors_are_not_hidden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad file handle is a bug, not a busy lock nor a drive without locks: it is raised, as on POSIX."""
    book = write_book(tmp_path / "tracker.xlsx", base_sheets())
    _fake_msvcrt(monkeypatch, errno.EBADF)
    with pytest.raises(OSError) as raised:
        WriteLock(book, 0).acquire()
    assert raised.value.errno == errno.EBADF and not isinstance(raised.value, WorkbookBusy)
