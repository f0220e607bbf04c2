"""Workbook safety, as the fault audit of 2026-12-08 (h201) found it wanting: a lock file that appears while
prodbook writes, a colleague's lock of another workbook, the folder named '.', Backups To Keep 0, a workbook
prodbook may not read, the lock message said two ways, the Hidden attribute on Windows, and the backup a
killed run leaves. Real files and real runs; the OS's refusals simulated where root (CI) is not refused."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import prodbook
from conftest import add_config, base_sheets, write_book
from prodbook.cli import main
from prodbook.core.config import build_config
from prodbook.core.findings import Code
from prodbook.workbook import filebook, lock, safety
from prodbook.workbook.backend import CellEdit
from prodbook.workbook.lock import WriteLock, lock_path

TODAY = "2027-02-01"
SRC = Path(prodbook.__file__).resolve().parents[1]
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _tracker(folder: Path, name: str = "tracker.xlsx") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return write_book(folder / name, base_sheets())


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, " ".join(result.output.split())


def _listing(folder: Path) -> list[str]:
    """Every file under ``folder`` with its size: 'left as it was' is this list unchanged."""
    return sorted(f"{p.relative_to(folder)} {p.stat().st_size if p.is_file() else '/'}" for p in folder.rglob("*"))


def _owner_file(name: str) -> bytes:
    """Excel's owner file: the name's length and the name (ANSI), padded with spaces to 54 bytes."""
    return bytes([len(name)]) + name.encode("cp1252").ljust(53, b" ")


def _backups(book: Path) -> list[str]:
    folder = book.parent / safety.BACKUP_DIR
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_the_tracker_is_written_by_ta_when_nothing_stops_it(tmp_path: Path) -> None:
    """The runs below are refused on purpose: this one shows that without the fault the same run writes."""
    book = _tracker(tmp_path)
    before = book.read_bytes()
    code, out = _cli("ta", str(book), "--today", TODAY)
    assert code in (0, 1) and "Saved 'tracker.xlsx'" in out, out
    assert book.read_bytes() != before and len(_backups(book)) == 1


# --- 4, 11: a lock file that appears while prodbook writes -------------------------------------------------

@pytest.mark.parametrize("when, lock_name, content", [
    ("opened", "~$tracker.xlsx", _owner_file("Bob")),
    ("backup", "~$tracker.xlsx", _owner_file("Bob")),
    ("written", "~$tracker.xlsx", _owner_file("Bob")),
    ("verified", "~$tracker.xlsx", _owner_file("Bob")),
    ("replace", "~$tracker.xlsx", _owner_file("Bob")),
    ("replace", ".~lock.tracker.xlsx#", b"u,Bob,pc-12,08.12.2026 09:30,file:///x;"),
])
def test_a_lock_file_that_appears_during_the_write_stops_it_with_the_one_message(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, when: str, lock_name: str, content: bytes) -> None:
    """Bob opens the tracker in Excel while the run writes: nothing is replaced, the temporary file and the
    backup go, and the message is the one a run refused at its start gives (who, the lock file, what to do
    if it is stale). Until 2026-12-08 the lock was looked for once, before the write: from 'written' on the
    workbook was replaced under the open Excel, and at 'opened'/'backup' an older message without the lock
    file's name was said."""
    book = _tracker(tmp_path)
    before, listing = book.read_bytes(), _listing(tmp_path)
    lock_file = tmp_path / lock_name

    def bob_opens_it(step: str, path: Path) -> None:
        if step == when and path == book:
            lock_file.write_bytes(content)

    monkeypatch.setattr(safety, "WRITE_HOOKS", (bob_opens_it,))
    code, out = _cli("ta", str(book), "--today", TODAY)
    assert code == 2 and "Traceback" not in out, out
    assert " ".join(filebook.locked_message("tracker.xlsx", lock_file).split()) in out, out
    assert "by Bob" in out and f"delete '{lock_name}'" in out
    assert book.read_bytes() == before
    lock_file.unlink()
    assert _listing(tmp_path) == listing  # no temporary file, no backup, no backups folder


def test_another_runs_note_in_the_lock_file_at_the_last_moment_stops_the_write(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A drive that keeps no locks (a Mac's network share) lets a second run take the write lock: its note
    replaces this run's in the lock file. At the last moment this run sees it and writes nothing; the other
    run's save stands."""
    book = _tracker(tmp_path)
    before, listing = book.read_bytes(), _listing(tmp_path)

    def ann_starts(step: str, path: Path) -> None:
        if step == "verified":
            lock_path(book).write_text(json.dumps({"pid": os.getpid() + 1, "host": "ANNS-MAC", "user": "ann",
                                                   "since": "09:30:00 on 08 Dec 2026"}))

    monkeypatch.setattr(safety, "WRITE_HOOKS", (ann_starts,))
    code, out = _cli("ta", str(book), "--today", TODAY)
    assert code == 2 and "Another prodbook run (ann on ANNS-MAC, since 09:30:00 on 08 Dec 2026)" in out, out
    assert book.read_bytes() == before and _listing(tmp_path) == listing


@pytest.mark.skipif(os.name == "nt", reason="flock: POSIX")
def test_a_write_without_the_lock_stops_when_another_process_holds_it(tmp_path: Path) -> None:
    """A write that does not hold the write lock itself (a FileBook committed directly) still looks, at the
    last moment, whether another process holds it."""
    book = _tracker(tmp_path)
    ready, release = tmp_path / "ready", tmp_path / "release"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time, pathlib\n"
         "from prodbook.workbook.lock import WriteLock\n"
         "with WriteLock(sys.argv[1], 5, clean=False):\n"
         "    pathlib.Path(sys.argv[2]).touch()\n"
         "    end = time.monotonic() + 30\n"
         "    while not pathlib.Path(sys.argv[3]).exists() and time.monotonic() < end: time.sleep(0.01)\n",
         str(book), str(ready), str(release)],
        env={**os.environ, "PYTHONPATH": str(SRC)})
    try:
        end = time.monotonic() + 30
        while not ready.exists() and time.monotonic() < end:
            time.sleep(0.01)
        assert ready.exists()
        before = book.read_bytes()
        with filebook.FileBook(book) as fb:
            fb.edit(CellEdit("Orders", 2, 4, 999))
            with pytest.raises(lock.WorkbookBusy, match="Another prodbook run"):
                fb.commit()
        assert book.read_bytes() == before and _backups(book) == []
        assert not [p for p in tmp_path.iterdir() if ".prodbook." in p.name]
    finally:
        release.touch()
        holder.wait(30)


# --- 5: a colleague's lock of another workbook ---------------------------------------------------------------

def test_a_colleagues_lock_on_another_workbook_in_the_folder_does_not_stop_this_one(tmp_path: Path) -> None:
    """'MSS27 Tracker.xlsx' and 'SS27 Tracker.xlsx' side by side, Bob has the second open: Excel's lock file
    of a workbook is "~$" and its whole name, so '~$SS27 Tracker.xlsx' is Bob's lock of SS27, not of MSS27.
    Until 2026-12-08 the run on MSS27 was refused naming Bob and told the APM to delete Bob's lock."""
    mine = _tracker(tmp_path, "MSS27 Tracker.xlsx")
    bobs = _tracker(tmp_path, "SS27 Tracker.xlsx")
    bob_lock = tmp_path / "~$SS27 Tracker.xlsx"
    bob_lock.write_bytes(_owner_file("Bob"))
    assert safety.lock_files(mine) == [] and safety.lock_files(bobs) == [bob_lock]
    before = mine.read_bytes()
    code, out = _cli("ta", str(mine), "--today", TODAY)
    assert code in (0, 1) and "Bob" not in out and mine.read_bytes() != before, out
    bobs_before = bobs.read_bytes()
    code, out = _cli("ta", str(bobs), "--today", TODAY)
    assert code == 2 and "by Bob" in out and bobs.read_bytes() == bobs_before, out


def test_a_word_style_short_lock_name_is_taken_only_when_no_other_workbook_would_give_it(tmp_path: Path) -> None:
    """Word (not Excel) writes '~$' over a long name's first two characters. Such a name is still taken for the
    workbook's, unless another file in the folder would give it: 'FW27 Tracker.xlsx' and 'SS27 Tracker.xlsx'
    both shorten to '~$27 Tracker.xlsx', and '27 Tracker.xlsx' would be its own."""
    ss = _tracker(tmp_path, "SS27 Tracker.xlsx")
    short = tmp_path / "~$27 Tracker.xlsx"
    short.write_bytes(_owner_file("Bob"))
    assert safety.lock_files(ss) == [short]
    (tmp_path / "FW27 Tracker.xlsx").write_bytes(b"PK")
    assert safety.lock_files(ss) == []
    (tmp_path / "FW27 Tracker.xlsx").unlink()
    (tmp_path / "27 Tracker.xlsx").write_bytes(b"PK")
    assert safety.lock_files(ss) == []


_NAME = st.text(alphabet="ABSWabsw27 -", min_size=1, max_size=16).map(str.strip).filter(bool)


@st.composite
def _two_names(draw: Any) -> tuple[str, str]:
    """Two workbook names, often one the other with its first characters cut (as 'MSS27 Tracker' and
    'SS27 Tracker'), the names a shortened lock name confuses."""
    mine = draw(_NAME)
    cut = draw(st.integers(0, 3))
    other = draw(_NAME) if cut == 0 else mine[cut:].strip() or draw(_NAME)
    return (other, mine) if draw(st.booleans()) else (mine, other)


@settings(max_examples=150, deadline=None)
@given(names=_two_names())
def test_excels_lock_of_another_workbook_is_never_this_ones(names: tuple[str, str]) -> None:
    """Whatever the two names, the lock file Excel makes for one workbook in a folder is never taken for the
    other's, and is always taken for its own."""
    mine, other = names
    if mine.casefold() == other.casefold():
        return
    with tempfile.TemporaryDirectory() as folder:
        a, b = Path(folder) / f"{mine}.xlsx", Path(folder) / f"{other}.xlsx"
        a.write_bytes(b"PK")
        b.write_bytes(b"PK")
        excel_lock = Path(folder) / f"~${b.name}"
        excel_lock.write_bytes(_owner_file("Bob"))
        assert safety.lock_files(a) == []
        assert safety.lock_files(b) == [excel_lock]


# --- 6: the folder named '.' ---------------------------------------------------------------------------------

def test_a_folder_prodbook_may_not_write_in_is_named_whole_when_the_run_is_in_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`prodbook ta tracker.xlsx` typed in the tracker's own folder, which refuses new files: the message named
    "the folder '.'" until 2026-12-08."""
    book = _tracker(tmp_path)
    monkeypatch.chdir(tmp_path)
    real_open = os.open

    def refuse(p: Any, *a: Any, **k: Any) -> int:
        if str(p).endswith("prodbook-lock"):
            raise PermissionError(errno.EACCES, "Permission denied", str(p))
        return real_open(p, *a, **k)

    monkeypatch.setattr(lock.os, "open", refuse)
    before = book.read_bytes()
    code, out = _cli("ta", "tracker.xlsx", "--today", TODAY)
    assert code == 2 and f"not allowed to write in the folder '{tmp_path}'" in out, out
    assert "'.'" not in out and book.read_bytes() == before


def test_a_read_only_workbook_named_without_its_folder_is_still_said_read_only(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tracker.xlsx").write_bytes(b"PK")
    said = safety.os_error_message(PermissionError(errno.EACCES, "denied", "tracker.xlsx"), Path("tracker.xlsx"))
    assert said is not None and said.startswith("'tracker.xlsx' is read-only"), said
    said = safety.os_error_message(PermissionError(errno.EACCES, "denied", "backups"), Path("tracker.xlsx"))
    assert said is not None and f"the folder '{tmp_path}'" in said, said


# --- 7: Backups To Keep 0 or less ----------------------------------------------------------------------------

@pytest.mark.parametrize("value", [0, -1, "0", "-3", "abc", 2.5])
def test_backups_to_keep_below_one_or_not_a_number_is_named_with_what_is_kept(value: Any) -> None:
    """0 kept 20 backups and -1 kept one, without a word, until 2026-12-08."""
    config, findings = build_config([("Backups To Keep", value, 7)], "tracker.xlsx")
    assert config.backups_to_keep == 20
    [f] = findings
    assert (f.code, f.sheet, f.row, f.column, f.value) == (Code.SETTING, "Config", 7, "Value", value)
    assert "'Backups To Keep'" in f.message and "prodbook keeps the newest 20 backups" in f.message, f.message


@given(st.integers(min_value=-10**6, max_value=10**6))
def test_backups_to_keep_is_taken_from_one_up_and_named_below(n: int) -> None:
    config, findings = build_config([("Backups To Keep", n, 3)], "tracker.xlsx")
    if n >= 1:
        assert (config.backups_to_keep, findings) == (n, [])
    else:
        assert config.backups_to_keep == 20 and [f.row for f in findings] == [3]


def test_a_blank_backups_to_keep_is_the_default_without_a_word() -> None:
    config, findings = build_config([("Backups To Keep", None, 3)], "tracker.xlsx")
    assert (config.backups_to_keep, findings) == (20, [])


def test_backups_to_keep_0_is_said_on_the_run_naming_the_config_row(tmp_path: Path) -> None:
    book = add_config(_tracker(tmp_path), ("Backups To Keep", 0))
    code, out = _cli("ta", str(book), "--today", TODAY)
    assert "sheet 'Config', row 2, column 'Value'" in out and "prodbook keeps the newest 20 backups" in out, out


# --- 10: a workbook prodbook may not read ----------------------------------------------------------------------

def test_a_workbook_prodbook_may_not_read_gets_prodbooks_message(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The OS's refusal simulated (root reads anything): the access check click made and the open both say no.
    Until 2026-12-08 click's "Invalid value for 'WORKBOOK': File ... is not readable." came first."""
    book = _tracker(tmp_path)
    real_access, real_open = os.access, open

    def no_read(p: Any, mode: int, **k: Any) -> bool:
        return False if Path(p) == book and mode & os.R_OK else real_access(p, mode, **k)

    def refuse(p: Any, *a: Any, **k: Any) -> Any:
        if Path(p) == book:
            raise PermissionError(errno.EACCES, "Permission denied", str(p))
        return real_open(p, *a, **k)

    monkeypatch.setattr(os, "access", no_read)
    monkeypatch.setattr(filebook, "open", refuse, raising=False)
    code, out = _cli("ta", str(book), "--today", TODAY)
    assert code == 2 and "Invalid value" not in out, out
    assert "'tracker.xlsx' could not be opened" in out and "not allowed to read it" in out, out


@pytest.mark.skipif(ROOT or os.name == "nt", reason="chmod does not stop root from reading")
def test_a_workbook_without_read_permission_gets_prodbooks_message(tmp_path: Path) -> None:
    book = _tracker(tmp_path)
    os.chmod(book, 0)
    try:
        code, out = _cli("ta", str(book), "--today", TODAY)
    finally:
        os.chmod(book, 0o644)
    assert code == 2 and "'tracker.xlsx' could not be opened" in out, out


# --- 12: the Hidden attribute on Windows -----------------------------------------------------------------------

def test_set_hidden_does_nothing_here(tmp_path: Path) -> None:
    """On Linux and a Mac the dot at the start of the name hides the file: the file is left as it was, and a
    file that is not there is no error."""
    f = tmp_path / ".~x.prodbook.abcdefgh.xlsx"
    f.write_bytes(b"data")
    before = os.stat(f)
    safety.set_hidden(f)
    safety.set_hidden(f, False)
    safety.set_hidden(tmp_path / "gone")
    after = os.stat(f)
    assert f.read_bytes() == b"data" and (after.st_mode, after.st_mtime_ns) == (before.st_mode, before.st_mtime_ns)


class _FakeWindows:
    """What SetFileAttributesW is asked, with each file's attributes as Windows would keep them."""

    HIDDEN = 0x2

    def __init__(self, fail: bool = False) -> None:
        self.attributes: dict[str, int] = {}
        self.calls: list[tuple[str, int]] = []
        self.fail = fail

    def read(self, path: Any) -> int | None:
        os.stat(path)  # a file that is not there raises, as it does on Windows
        return self.attributes.get(str(path), 0x20)  # ARCHIVE, as Windows gives a new file

    def SetFileAttributesW(self, path: str, attributes: int) -> int:  # noqa: N802 - Windows' own name
        self.calls.append((path, attributes))
        if self.fail:
            raise OSError("refused")
        self.attributes[path] = attributes
        return 1

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(safety, "_WINDOWS", True)
        monkeypatch.setattr(safety, "_file_attributes", self.read)
        fake_ctypes = SimpleNamespace(windll=SimpleNamespace(kernel32=self))
        monkeypatch.setattr(safety, "import_module", lambda name: fake_ctypes)

    def hidden(self, pattern: str) -> list[bool]:
        """Hidden or not, call by call, for the files whose name holds ``pattern``."""
        return [bool(a & self.HIDDEN) for p, a in self.calls if pattern in Path(p).name]


def test_on_windows_the_lock_and_temporary_files_are_hidden_and_what_they_become_is_not(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows' side simulated: prodbook's lock file and its temporary files (the new workbook, the backup)
    get the Hidden attribute; each temporary file is shown again before it becomes the workbook or a backup
    (a file keeps its attributes through a rename), so neither ends up hidden."""
    book = _tracker(tmp_path)
    windows = _FakeWindows()
    windows.install(monkeypatch)
    code, out = _cli("ta", str(book), "--today", TODAY)
    assert code in (0, 1) and "Saved" in out, out
    assert windows.hidden(".prodbook-lock") == [True]
    assert windows.hidden(".~tracker.prodbook.") == [True, False]  # hidden once written, shown for the rename
    assert windows.hidden(".~prodbook-backup.tracker.") == [True, False]
    assert not any(a & windows.HIDDEN for p, a in windows.attributes.items() if not Path(p).name.startswith(".~"))


def test_on_windows_a_refused_hidden_attribute_changes_nothing_else(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    book = _tracker(tmp_path)
    windows = _FakeWindows(fail=True)
    windows.install(monkeypatch)
    before = book.read_bytes()
    code, out = _cli("ta", str(book), "--today", TODAY)
    assert code in (0, 1) and "Saved" in out and book.read_bytes() != before, out
    assert windows.calls and sorted(p.name for p in tmp_path.iterdir()) == ["prodbook backups", "tracker.xlsx"]


def test_a_report_written_whole_is_hidden_while_temporary_and_shown_when_in_place(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from prodbook.workbook.atomic import write_atomic, write_temp

    windows = _FakeWindows()
    windows.install(monkeypatch)
    target = write_atomic(tmp_path / "report.html", b"<html></html>")
    assert target.read_bytes() == b"<html></html>" and windows.hidden(".prodbook.") == [True, False]
    tmp = write_temp(tmp_path / "draft.eml", b"x")  # a caller that puts it in place itself: not hidden
    assert windows.hidden(tmp.name) == []


# --- 9a: the backup a killed run leaves ----------------------------------------------------------------------

@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
@pytest.mark.parametrize("when", ["backup", "verified", "replace"])
def test_the_backup_of_a_run_killed_before_its_replace_is_removed_by_the_next_run(tmp_path: Path, when: str) -> None:
    """README: a run that stops leaves the folder as it was, no backup. A run killed (SIGKILL) after its
    backup and before its replace left that backup, a copy of the workbook as it still is; until 2026-12-08
    it stayed, and pushed an older backup out of Backups To Keep."""
    book = _tracker(tmp_path)
    code, _ = _cli("ta", str(book), "--today", "2027-01-25")  # a backup of an earlier run, which stays
    assert code in (0, 1)
    earlier = _backups(book)
    script = ("import os, signal, sys\n"
              "from prodbook.workbook import safety\n"
              "def kill(step, path):\n"
              f"    if step == {when!r}: os.kill(os.getpid(), signal.SIGKILL)\n"
              "safety.WRITE_HOOKS = (kill,)\n"
              "from prodbook.cli import main\n"
              "main(sys.argv[1:], prog_name='prodbook')\n")
    killed = subprocess.run([sys.executable, "-c", script, "ta", str(book), "--today", TODAY],
                            env={**os.environ, "PYTHONPATH": str(SRC)}, capture_output=True)
    assert killed.returncode == -signal.SIGKILL
    assert len(_backups(book)) == len(earlier) + 1  # the killed run's backup, left behind
    kept = book.read_bytes()
    code, out = _cli("validate", str(book), "--today", "2027-01-25", "--dry-run")  # a dry run takes no lock
    assert len(_backups(book)) == len(earlier) + 1
    with WriteLock(book):  # the next run: it takes the lock, and tidies
        pass
    assert _backups(book) == earlier and book.read_bytes() == kept
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".~")] == []


def _stale_note(book: Path, backup_name: str, **extra: Any) -> None:
    """The lock file a killed run left: its note names the backup it made (the run is over: nobody holds it)."""
    lock_path(book).write_text(json.dumps({"pid": 1, "host": "pc", "user": "apm", "since": "09:30",
                                           "backup": backup_name, **extra}))


def _a_backup(book: Path, content: bytes | None = None) -> Path:
    made = safety.make_backup(book)
    if content is not None:
        made.write_bytes(content)
    return made


def test_a_killed_runs_backup_is_kept_when_the_workbook_is_no_longer_what_it_holds(tmp_path: Path) -> None:
    """Killed after its replace (before it could say so), or the workbook saved since: the backup holds the
    workbook as it was, the only copy of it, and stays."""
    book = _tracker(tmp_path)
    made = _a_backup(book, b"PK the workbook before the run")
    _stale_note(book, made.name)
    with WriteLock(book):
        pass
    assert made.exists()


def test_a_note_naming_anything_but_one_of_the_workbooks_backups_removes_nothing(tmp_path: Path) -> None:
    book = _tracker(tmp_path)
    other = _tracker(tmp_path, "other.xlsx")
    others = _a_backup(other)
    (tmp_path / "notes.xlsx").write_bytes(book.read_bytes())
    for name in (others.name, "../notes.xlsx", "../tracker.xlsx", "tracker.xlsx"):
        _stale_note(book, name)
        with WriteLock(book):
            pass
    assert others.exists() and (tmp_path / "notes.xlsx").exists() and book.exists()


def test_the_backups_folder_a_killed_run_made_goes_with_its_backup(tmp_path: Path) -> None:
    book = _tracker(tmp_path)
    made = _a_backup(book)
    _stale_note(book, made.name, backup_folder_made=True)
    with WriteLock(book):
        pass
    assert not made.parent.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["tracker.xlsx"]


def test_on_a_drive_that_keeps_no_locks_a_backup_named_in_the_lock_file_is_left(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No OS lock: the run that wrote the note may still be working, and its backup is all it has of the
    workbook as it was."""
    book = _tracker(tmp_path)
    made = _a_backup(book)
    _stale_note(book, made.name)
    monkeypatch.setattr(lock, "_try_lock", lambda fd: True)  # a drive without locks lets everyone in
    monkeypatch.setattr(lock, "_unlock", lambda fd: None)
    with WriteLock(book):
        pass
    assert made.exists()


def test_a_lock_without_cleaning_leaves_backups_alone(tmp_path: Path) -> None:
    """The roll-up's database lock (clean=False) is not a workbook run: it tidies nothing."""
    book = _tracker(tmp_path)
    made = _a_backup(book)
    _stale_note(book, made.name)
    with WriteLock(book, clean=False):
        pass
    assert made.exists()
