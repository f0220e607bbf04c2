"""Tests of workbook safety: lock files, backups, atomic replace, side copies (real files)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from prodbook.workbook import safety
from prodbook.workbook.safety import WorkbookLocked, atomic_write, backup, lock_files, side_copy_path


@pytest.fixture()
def book(tmp_path) -> Path:
    p = tmp_path / "Production Tracker.xlsx"
    p.write_bytes(b"PK original workbook bytes")
    return p


def test_no_lock_files(book):
    assert lock_files(book) == []


def test_excel_owner_file(book):
    owner = book.parent / ("~$" + book.name)
    owner.write_bytes(b"\x03APM" + b" " * 50)
    assert lock_files(book) == [owner]


def test_excel_owner_file_long_name_shortened(book):
    owner = book.parent / ("~$" + book.name[2:])  # "~$oduction Tracker.xlsx"
    owner.write_bytes(b"\x03APM")
    assert lock_files(book) == [owner]


def _owner_file(ansi: bytes, name: str) -> bytes:
    """Office's owner file as Office writes it: the ANSI name (its length first) padded to 54 bytes, then the
    name's length and the name in UTF-16, padded."""
    return (bytes([len(ansi)]) + ansi.ljust(53, b" ") + len(name).to_bytes(2, "little")
            + name.ljust(54).encode("utf-16-le"))


@pytest.mark.parametrize("ansi, name", [(b"Ann Smith", "Ann Smith"), ("Zoë Müller".encode("cp1252"), "Zoë Müller"),
                                        (b"????", "田中 花子"), ("Nguy?n".encode("cp1252"), "Nguyễn Thị Lan")],
                         ids=["ascii", "western", "japanese", "vietnamese"])
def test_excel_owner_file_names_its_holder_as_they_typed_it(book, ansi, name):
    """The owner's name is read from the owner file's UTF-16 copy: until 2026-12-05 from its ANSI copy as
    Latin-1, where a Japanese name is question marks."""
    owner = book.parent / f"~${book.name}"
    owner.write_bytes(_owner_file(ansi, name))
    assert safety.lock_holder(owner) == name


def test_an_owner_file_with_only_its_ansi_name_is_still_read(book):
    owner = book.parent / f"~${book.name}"
    owner.write_bytes(bytes([10]) + "Zoë Müller".encode("cp1252") + b" " * 30)
    assert safety.lock_holder(owner) == "Zoë Müller"


def test_libreoffice_lock_file(book):
    lock = book.parent / f".~lock.{book.name}#"
    lock.write_text("u,Ann Smith,host,01.01.2024 10:00,file:///x;")
    assert lock_files(book) == [lock]
    assert safety.lock_holder(lock) == "Ann Smith"


def test_other_workbooks_lock_is_not_ours(book):
    (book.parent / "~$Other.xlsx").write_bytes(b"x")
    (book.parent / ".~lock.Other.xlsx#").write_bytes(b"x")
    assert lock_files(book) == []


def test_atomic_write_replaces(book):
    os.chmod(book, 0o640)
    atomic_write(book, lambda tmp: tmp.write_bytes(b"new bytes"))
    assert book.read_bytes() == b"new bytes"
    assert os.stat(book).st_mode & 0o777 == 0o640
    assert sorted(p.name for p in book.parent.iterdir()) == [book.name]


def test_atomic_write_failure_keeps_original(book):
    original = book.read_bytes()
    seen = {}

    def write(tmp: Path):
        seen["tmp"] = tmp
        assert tmp.parent == book.parent and tmp.suffix == ".xlsx" and tmp.name.startswith(".")
        tmp.write_bytes(b"half")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        atomic_write(book, write)
    assert book.read_bytes() == original
    assert not seen["tmp"].exists()
    assert sorted(p.name for p in book.parent.iterdir()) == [book.name]


def test_a_temporary_file_windows_will_not_remove_never_hides_why_the_write_failed(book, monkeypatch):
    """On Windows a writer that failed may still hold its temporary file, and removing it raises: the APM must
    still be told the first cause, and the next run's clean-up takes the file."""
    original, real_unlink, held = book.read_bytes(), Path.unlink, []

    def unlink(self: Path, missing_ok: bool = False) -> None:
        if self in held:
            raise PermissionError(13, "The process cannot access the file because it is being used", str(self))
        real_unlink(self, missing_ok=missing_ok)

    def write(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        held.append(tmp)  # as a writer that failed without closing it
        raise RuntimeError("boom")

    monkeypatch.setattr(Path, "unlink", unlink)
    with pytest.raises(RuntimeError, match="boom"):
        atomic_write(book, write)
    assert book.read_bytes() == original
    monkeypatch.undo()  # the writer let go: the next run's clean-up takes what was left
    assert safety.clean_leftovers(book) == held and sorted(p.name for p in book.parent.iterdir()) == [book.name]


def test_a_replace_refused_for_a_moment_is_tried_again(book, monkeypatch):
    """An antivirus scanner or OneDrive's sync holds the fresh file for a moment (Windows refuses the replace):
    not the APM's doing, so not "open in Excel". A refusal that lasts is still said (the test below)."""
    real, refused = os.replace, []

    def replace(src, dst):
        if len(refused) < 2:
            refused.append(dst)
            raise PermissionError(13, "The process cannot access the file because it is being used", str(dst))
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    atomic_write(book, lambda tmp: tmp.write_bytes(b"new bytes"))
    assert book.read_bytes() == b"new bytes" and len(refused) == 2
    assert sorted(p.name for p in book.parent.iterdir()) == [book.name]


def test_atomic_write_refuses_open_workbook(book):
    (book.parent / f".~lock.{book.name}#").write_text("u,Ann Smith,host,date,path;")
    original = book.read_bytes()
    with pytest.raises(WorkbookLocked, match="open in Excel .or another program., by Ann Smith.*Close the workbook"):
        atomic_write(book, lambda tmp: tmp.write_bytes(b"new"))
    assert book.read_bytes() == original


def test_atomic_write_windows_permission_error_is_locked(book, monkeypatch):
    # Windows refuses os.replace over a file Excel holds open; simulate that one call.
    original = book.read_bytes()

    def refuse(src, dst):
        raise PermissionError(13, "The process cannot access the file because it is being used by another process")

    monkeypatch.setattr(safety.os, "replace", refuse)
    with pytest.raises(WorkbookLocked, match="Close the workbook and run again"):
        atomic_write(book, lambda tmp: tmp.write_bytes(b"new"))
    monkeypatch.undo()
    assert book.read_bytes() == original
    assert sorted(p.name for p in book.parent.iterdir()) == [book.name]


def test_backup_and_rotation(book):
    made = [backup(book, keep=3) for _ in range(5)]
    folder = book.parent / "prodbook backups"
    assert all(p.parent == folder for p in made)
    assert len(set(made)) == 5  # unique even within one second
    for p in made:
        assert re.fullmatch(r"Production Tracker \d{4}-\d\d-\d\d \d{6}( \(\d+\))?\.xlsx", p.name)
    left = sorted(folder.iterdir())
    assert len(left) == 3
    assert set(left) == set(made[-3:])
    assert all(p.read_bytes() == book.read_bytes() for p in left)
    # another workbook's backups are not rotated away
    other = book.parent / "Other.xlsm"
    other.write_bytes(b"o")
    ob = backup(other, keep=1)
    assert ob.suffix == ".xlsm"
    backup(book, keep=2)
    assert ob.exists()
    assert len([p for p in folder.iterdir() if p.name.startswith("Production")]) == 2


def test_backups_an_old_mac_disk_gives_back_in_another_unicode_form_are_still_rotated(tmp_path):
    """An HFS+ disk (an older Mac's, a USB drive) hands back 'Áo Thun' with its accent as a separate mark:
    until 2026-12-05 those backups were never recognised as the workbook's, so never let go of."""
    import unicodedata

    book = tmp_path / "Áo Thun FW27.xlsx"
    book.write_bytes(b"PK tees")
    folder = tmp_path / "prodbook backups"
    folder.mkdir()
    old = [folder / unicodedata.normalize("NFD", f"Áo Thun FW27 2026-11-0{d} 090000.xlsx") for d in (1, 2, 3)]
    for p in old:
        p.write_bytes(b"PK old")
    made = backup(book, keep=2)
    assert sorted(folder.iterdir()) == sorted([old[2], made])


def test_on_a_mac_the_new_workbook_and_its_backup_are_flushed_past_the_drive_s_cache(book, monkeypatch):
    """macOS' fsync leaves the bytes in the drive's cache; F_FULLFSYNC writes them to the disk. Every file
    that replaces the tracker, and its backup, goes through it where the system has it."""
    import sys
    import types

    flushed: list[int] = []
    fake = types.ModuleType("fcntl")
    fake.F_FULLFSYNC = 51  # its number on macOS

    def fcntl(fd: int, op: int) -> int:
        assert op == 51
        flushed.append(fd)
        return 0

    fake.fcntl = fcntl
    monkeypatch.setitem(sys.modules, "fcntl", fake)
    import stat

    synced: list[bool] = []  # whether each fsync was a folder's
    monkeypatch.setattr(safety.os, "fsync", lambda fd: synced.append(stat.S_ISDIR(os.fstat(fd).st_mode)))
    backup(book)
    atomic_write(book, lambda tmp: tmp.write_bytes(b"PK new"))
    assert len(flushed) >= 2 and book.read_bytes() == b"PK new"
    assert all(synced)  # a folder's fsync (the rename made durable) aside, files go the full way

    def refused(fd: int, op: int) -> int:  # an SMB share or a FAT stick: fsync as elsewhere
        raise OSError(45, "Operation not supported")

    fake.fcntl = refused
    synced.clear()
    atomic_write(book, lambda tmp: tmp.write_bytes(b"PK newer"))
    assert False in synced and book.read_bytes() == b"PK newer"


def test_side_copy_path(book):
    assert side_copy_path(book) == book.parent / "Production Tracker (prodbook).xlsx"
    assert side_copy_path(book.with_suffix(".xlsm")).name == "Production Tracker (prodbook).xlsm"
