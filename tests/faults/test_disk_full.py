"""A full disk part-way through the write: the workbook is byte-identical, the message says the disk is full."""

from __future__ import annotations

import errno
import io
import os
import zipfile
from pathlib import Path

import pytest

from faults.helpers import TODAY, WEEKS, cli, folder_listing, make_tracker, vendor_file
from prodbook.workbook import safety

FULL = "is full"


class _FillingFile:
    """A file that takes ``room`` bytes, then fails as a full disk does."""

    def __init__(self, f, room: int, code: int = errno.ENOSPC) -> None:
        self._f, self._room, self._code = f, room, code

    def write(self, data) -> int:
        if len(data) > self._room:
            self._f.write(bytes(data[: self._room]))
            self._room = 0
            raise OSError(self._code, os.strerror(self._code))
        self._room -= len(data)
        return self._f.write(data)

    def __getattr__(self, name):
        return getattr(self._f, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._f.close()


def _disk_fills_at(monkeypatch, room: int, match: str, code: int = errno.ENOSPC) -> None:
    real_open = io.open

    def open_(file, mode="r", *args, **kwargs):
        f = real_open(file, mode, *args, **kwargs)
        if "w" in mode and match in Path(str(file)).name:
            return _FillingFile(f, room, code)
        return f

    monkeypatch.setattr(zipfile.io, "open", open_)


@pytest.mark.parametrize("room", [0, 30, 700, 4_000, 12_000])
def test_a_full_disk_while_writing_the_new_file_changes_nothing(tmp_path, monkeypatch, room):
    book = make_tracker(tmp_path)
    f = vendor_file(tmp_path, WEEKS[0])
    before, listing = book.read_bytes(), folder_listing(tmp_path)
    _disk_fills_at(monkeypatch, room, ".prodbook.")
    code, out = cli("wip", str(book), str(f), "--today", TODAY)
    assert code == 2, out
    assert FULL in out and str(tmp_path) in out and "tracker.xlsx" in out and "Traceback" not in out
    assert book.read_bytes() == before
    assert folder_listing(tmp_path) == listing, "a temp file, a backup or a lock was left"


@pytest.mark.parametrize("room", [0, 5_000])
def test_a_full_disk_while_writing_the_backup_changes_nothing(tmp_path, monkeypatch, room):
    book = make_tracker(tmp_path)
    f = vendor_file(tmp_path, WEEKS[0])
    before, listing = book.read_bytes(), folder_listing(tmp_path)
    real = safety.shutil.copyfileobj

    def copy(src, dst, length=0):
        real(src, _FillingFile(dst, room), length or 1 << 20)

    monkeypatch.setattr(safety.shutil, "copyfileobj", copy)
    code, out = cli("wip", str(book), str(f), "--today", TODAY)
    assert code == 2 and FULL in out and "Traceback" not in out, out
    assert book.read_bytes() == before
    assert folder_listing(tmp_path) == listing


def test_disk_full_on_windows_is_the_same_message():
    err = OSError(None, "There is not enough space on the disk")
    err.winerror = 112
    assert FULL in safety.os_error_message(err, Path("C:/Trackers/tracker.xlsx"))


def test_a_file_too_large_for_the_disk_changes_nothing_and_says_so(tmp_path, monkeypatch):
    """A share with a size quota, or a FAT32 stick (4 GB a file): 'File too large' was an unexpected problem
    to send to support."""
    book = make_tracker(tmp_path)
    f = vendor_file(tmp_path, WEEKS[0])
    before, listing = book.read_bytes(), folder_listing(tmp_path)
    _disk_fills_at(monkeypatch, 700, ".prodbook.", errno.EFBIG)
    code, out = cli("wip", str(book), str(f), "--today", TODAY)
    assert code == 2, out
    assert "does not take a file this large" in out and "support" not in out and "Traceback" not in out
    assert book.read_bytes() == before and folder_listing(tmp_path) == listing
