"""The write lock: one prodbook run at a time on a workbook, held from the read to the replace.

An OS-level lock (``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows) on a
hidden file beside the workbook, ``.~NAME.xlsx.prodbook-lock``: a name Excel
(``~$NAME.xlsx``) and LibreOffice (``.~lock.NAME.xlsx#``) never use, so their
"open in Excel" checks never see it and it never looks like theirs. The OS
releases the lock when a run dies, however it dies, so a lock file left by a
killed run is simply taken over by the next one. The file records who holds
it (pid, host, user, since when) so a second run can say who is working, and the backup a write made until
the workbook is replaced (``note_backup``): a run killed in between leaves that name, and the next run removes
that backup, unused, when the workbook is still what it holds (``safety.drop_unused_backup``).
On Windows the file is given the Hidden attribute (``safety.set_hidden``).
"""

from __future__ import annotations

import errno
import getpass
import json
import os
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module
from pathlib import Path
from typing import Any

from prodbook.workbook.safety import (
    NotWritten,
    WorkbookLocked,
    clean_leftovers,
    drop_unused_backup,
    os_error_message,
    set_hidden,
)

__all__ = ["DEFAULT_WAIT", "WorkbookBusy", "WriteLock", "lock_path", "note_backup", "check_not_taken"]

DEFAULT_WAIT = 5.0
"""Seconds a second run waits for the first before it gives up (env PRODBOOK_LOCK_WAIT overrides)."""
_POLL = 0.05
_WIN_LOCK_OFFSET = 1 << 30
"""Windows locks byte ranges and a locked range cannot be read: lock a byte far past the holder's note."""


class WorkbookBusy(WorkbookLocked):
    """Another prodbook run holds the workbook's write lock."""


def seconds_from_env(name: str, default: float) -> float:
    """A wait in seconds set by an environment variable (tests shorten it); unreadable: the default."""
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def lock_path(workbook: str | Path) -> Path:
    """``.~NAME.xlsx.prodbook-lock`` beside the workbook."""
    workbook = Path(workbook)
    return workbook.with_name(f".~{workbook.name}.prodbook-lock")


@dataclass(frozen=True)
class Holder:
    """Who holds a lock, as its file records it."""

    pid: int | None = None
    host: str = ""
    user: str = ""
    since: str = ""

    def describe(self) -> str:
        who = self.user or "someone"
        if self.host and self.host != socket.gethostname():
            who += f" on {self.host}"
        return f"{who}, since {self.since}" if self.since else who


def read_holder(lock: Path) -> Holder:
    """The holder a lock file names; empty when it cannot be read (being written, or gone)."""
    try:
        data: Any = json.loads(lock.read_text(encoding="utf-8")[:4096])
        return Holder(int(data.get("pid") or 0) or None, str(data.get("host", "")), str(data.get("user", "")),
                      str(data.get("since", "")))
    except (OSError, ValueError, AttributeError):
        return Holder()


def _me() -> dict[str, Any]:
    try:
        user = getpass.getuser()
    except Exception:  # no user name in the environment (a service account)
        user = ""
    return {"pid": os.getpid(), "host": socket.gethostname(), "user": user,
            "since": f"{datetime.now():%H:%M:%S on %d %b %Y}"}


_CANNOT_LOCK = {errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOLCK, errno.EINVAL, errno.ENOSYS}
"""What a drive that keeps no locks says: a Mac's network share (SMB) or USB stick refuses ``flock``
("Operation not supported"), a Linux NFS mount without its lock service says ENOLCK, and Windows' C runtime
turns a share's "not supported" into EINVAL."""

TryLock = Callable[[int], bool]
Unlock = Callable[[int], None]

_REAL_LOCKS: set[int] = set()
"""The fds this process holds an OS lock on (a drive that keeps no locks gives none): only then is a run that
left its note in the file known to be over."""


def _windows_locks() -> tuple[TryLock, Unlock]:
    """``msvcrt.locking`` on a byte of the lock file. Only EACCES (the byte is locked: another run holds it) or
    EDEADLOCK (the same, after the C runtime's retries) means busy: a network share or drive without byte-range
    locks raises something else, and the run then goes on without a lock, as on POSIX, rather than wait for a
    run that does not exist and tell the APM another prodbook run is working."""
    msvcrt: Any = import_module("msvcrt")  # Windows only: imported here so Linux tests can hand in their own
    held: set[int] = set()
    """The fds really locked (a drive with no locks has none to undo)."""

    def try_lock(fd: int) -> bool:
        os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EDEADLOCK):
                return False
            if exc.errno not in _CANNOT_LOCK:
                raise
            # no lock of any kind on this drive: the run goes on without one (the workbook is still checked,
            # just before it is replaced, for a save by anyone else meanwhile)
            return True
        held.add(fd)
        _REAL_LOCKS.add(fd)
        return True

    def unlock(fd: int) -> None:
        if fd not in held:
            return
        held.discard(fd)
        _REAL_LOCKS.discard(fd)
        os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        except OSError:  # closing the file lets go of it all the same
            pass

    return try_lock, unlock


def _posix_locks() -> tuple[TryLock, Unlock]:
    """``flock``, else the drive's byte-range locks (``lockf``), else none (a drive that keeps no locks)."""
    fcntl: Any = import_module("fcntl")  # POSIX only, as msvcrt is Windows only: mypy checks both platforms

    held_by: dict[int, str] = {}
    """fd -> how it is locked ('flock', 'lockf', or '' for a drive that locks in no way)."""

    def try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            held_by[fd] = "flock"
            _REAL_LOCKS.add(fd)
            return True
        except BlockingIOError:
            return False
        except OSError as exc:
            if exc.errno not in _CANNOT_LOCK:
                raise
        try:  # the drive's byte-range locks, which SMB and NFS pass on to the server
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            held_by[fd] = "lockf"
            _REAL_LOCKS.add(fd)
            return True
        except (BlockingIOError, PermissionError):  # EAGAIN / EACCES: held by another run
            return False
        except OSError as exc:
            if exc.errno not in _CANNOT_LOCK:
                raise
        # no lock of any kind on this drive: the run goes on without one (the workbook is still checked,
        # just before it is replaced, for a save by anyone else meanwhile)
        held_by[fd] = ""
        return True

    def unlock(fd: int) -> None:
        how = held_by.pop(fd, "flock")
        _REAL_LOCKS.discard(fd)
        try:
            if how == "flock":
                fcntl.flock(fd, fcntl.LOCK_UN)
            elif how == "lockf":
                fcntl.lockf(fd, fcntl.LOCK_UN)
        except OSError:  # closing the file lets go of it all the same
            pass

    return try_lock, unlock


def _locks_for(platform: str) -> tuple[TryLock, Unlock]:
    """This computer's way to lock a file, chosen once as the module loads (a function so tests can choose)."""
    return _windows_locks() if platform == "win32" else _posix_locks()


_try_lock, _unlock = _locks_for(sys.platform)


def _busy_message(workbook: Path, holder: Holder) -> str:
    return (f"Another prodbook run ({holder.describe()}) is working on '{workbook.name}', so this run did "
            "not change it. Run prodbook again when that run has finished.")


_HELD: dict[str, WriteLock] = {}
"""The write locks this process holds, by their lock file's whole path (``_key``)."""


def _key(path: Path) -> str:
    return os.path.normcase(os.path.abspath(path))


class WriteLock:
    """Hold the workbook's write lock: ``with WriteLock(path): read ... replace``.

    On entry, waits up to ``wait`` seconds for another run, then raises
    ``WorkbookBusy``; once held, removes what killed runs left beside the
    workbook (``safety.clean_leftovers``, and the backup a killed run made and
    never used). On exit the lock file is removed.
    """

    def __init__(self, workbook: str | Path, wait: float | None = None, *, clean: bool = True) -> None:
        self.workbook = Path(workbook)
        self.path = lock_path(self.workbook)
        self.wait = seconds_from_env("PRODBOOK_LOCK_WAIT", DEFAULT_WAIT) if wait is None else wait
        self.clean = clean
        self._fd: int | None = None
        self._note: dict[str, Any] = {}

    def __enter__(self) -> WriteLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def acquire(self) -> None:
        deadline = time.monotonic() + self.wait
        while True:
            fd = self._open()
            try:
                locked = _try_lock(fd)
            except BaseException:  # a drive's unexpected refusal: the file is not left open (and undeletable)
                os.close(fd)
                raise
            if locked:
                if self._still_named(fd):
                    break
                _unlock(fd)  # the holder removed the file between our open and our lock: start over
                os.close(fd)
                continue
            os.close(fd)
            if time.monotonic() >= deadline:
                raise WorkbookBusy(_busy_message(self.workbook, read_holder(self.path)))
            time.sleep(_POLL)
        self._fd = fd
        left = _read_note(fd)  # what a run killed while holding it wrote (nothing when the file is new)
        self._note = _me()
        _write_note(fd, self._note)
        _HELD[_key(self.path)] = self
        set_hidden(self.path)
        if self.clean:
            clean_leftovers(self.workbook)
            if isinstance(backup := left.get("backup"), str) and fd in _REAL_LOCKS:
                # the OS let go of that run's lock, so it is over: on a drive that keeps no locks it may not be
                drop_unused_backup(self.workbook, backup, left.get("backup_folder_made") is True)

    def _open(self) -> int:
        try:
            return os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o666)
        except OSError as exc:
            message = os_error_message(exc, self.workbook)
            if message is None:
                raise
            raise NotWritten(message) from exc

    def _still_named(self, fd: int) -> bool:
        """Does the lock file's name still lead to the file we locked (fstat vs stat)?"""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return False
        fst = os.fstat(fd)
        return (st.st_dev, st.st_ino) == (fst.st_dev, fst.st_ino)

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        if _HELD.get(_key(self.path)) is self:
            del _HELD[_key(self.path)]
        if os.name == "nt":  # pragma: no cover - an open file cannot be removed there: unlock first
            _unlock(fd)
            os.close(fd)
            try:
                self.path.unlink()
            except OSError:  # the next run has it open already: it is theirs now
                pass
            return
        try:
            self.path.unlink()  # before unlocking: a waiting run then finds the name gone and retries
        except OSError:
            pass
        _unlock(fd)
        os.close(fd)


def _write_note(fd: int, note: dict[str, Any]) -> None:
    """Record who holds the lock (and the backup of a write not yet done), for the message a second run shows
    and for the run after one that was killed."""
    data = json.dumps(note).encode("utf-8")
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        os.ftruncate(fd, 0)
        os.write(fd, data)
    except OSError:  # a full disk: the lock holds all the same, the note is only for the message
        pass


def _read_note(fd: int) -> dict[str, Any]:
    """The note in a lock file just taken: empty when there is none, or it cannot be read."""
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        note = json.loads(os.read(fd, 4096).decode("utf-8"))
    except (OSError, ValueError):
        return {}
    return note if isinstance(note, dict) else {}


def note_backup(workbook: str | Path, backup: Path | None, folder_made: bool = False) -> None:
    """Have the workbook's lock file name ``backup``, made for a write not yet done (None: done, or given up).
    A run killed before its replace leaves the name, and the next run removes that backup, which the workbook
    still equals. Nothing when this process does not hold the lock (a write without one)."""
    held = _HELD.get(_key(lock_path(workbook)))
    if held is None or held._fd is None:
        return
    note = {**held._note, "backup": backup.name, "backup_folder_made": folder_made} if backup else held._note
    _write_note(held._fd, note)


def check_not_taken(workbook: str | Path) -> None:
    """The last look before the workbook is replaced: raise WorkbookBusy when another prodbook run holds its
    write lock. This run's own lock is still its own unless another run's note is in the file: a drive that
    keeps no locks (a Mac's share) lets a second run in. A write without the lock looks for another holder."""
    path = lock_path(workbook)
    if _key(path) in _HELD:
        holder = read_holder(path)
        if holder.pid in (None, os.getpid()) and holder.host in ("", socket.gethostname()):
            return
    else:
        try:
            fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
        except OSError:  # no lock file: no other run
            return
        try:
            if _try_lock(fd):
                _unlock(fd)
                return
            holder = read_holder(path)
        except OSError:
            return
        finally:
            os.close(fd)
    raise WorkbookBusy(_busy_message(Path(workbook), holder))
