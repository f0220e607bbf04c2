"""A read-only workbook or folder: a plain message naming it, nothing written.

chmod is used where it works; as root (CI) it does not stop a write, so the OS's refusal
is simulated there (PermissionError from the calls prodbook makes, os.access saying no).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from faults.helpers import TODAY, WEEKS, cli, folder_listing, make_tracker, vendor_file
from prodbook.workbook import safety

ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
needs_chmod = pytest.mark.skipif(ROOT or os.name == "nt", reason="chmod does not stop root from writing")


def _run(book: Path, f: Path) -> tuple[int, str]:
    return cli("wip", str(book), str(f), "--today", TODAY)


@needs_chmod
def test_read_only_workbook_file_chmod(tmp_path):
    book, f = make_tracker(tmp_path), vendor_file(tmp_path, WEEKS[0])
    os.chmod(book, stat.S_IRUSR | stat.S_IRGRP)
    before, listing = book.read_bytes(), folder_listing(tmp_path)
    code, out = _run(book, f)
    assert code == 2 and "'tracker.xlsx' is read-only" in out and "Traceback" not in out, out
    assert book.read_bytes() == before and folder_listing(tmp_path) == listing


@needs_chmod
def test_read_only_folder_chmod(tmp_path):
    folder = tmp_path / "shared"
    book, f = make_tracker(folder), vendor_file(tmp_path, WEEKS[0])
    before, listing = book.read_bytes(), folder_listing(folder)
    os.chmod(folder, stat.S_IRUSR | stat.S_IXUSR)
    try:
        code, out = _run(book, f)
    finally:
        os.chmod(folder, stat.S_IRWXU)
    assert code == 2 and "not allowed to write in the folder" in out and str(folder) in out, out
    assert "Traceback" not in out
    assert book.read_bytes() == before and folder_listing(folder) == listing


def test_read_only_workbook_file_simulated(tmp_path, monkeypatch):
    """What Windows says when the file has the Read-only attribute: os.access no, replace refused."""
    book, f = make_tracker(tmp_path), vendor_file(tmp_path, WEEKS[0])
    before, listing = book.read_bytes(), folder_listing(tmp_path)
    real_access = os.access
    monkeypatch.setattr(safety.os, "access",
                        lambda p, mode, **kw: False if Path(p) == book and mode == os.W_OK else real_access(p, mode))
    code, out = _run(book, f)
    assert code == 2 and "'tracker.xlsx' is read-only" in out and "Properties" in out and "Traceback" not in out, out
    assert book.read_bytes() == before and folder_listing(tmp_path) == listing


@pytest.mark.parametrize("call", ["lock", "backup", "temp", "replace"])
def test_read_only_folder_simulated(tmp_path, monkeypatch, call):
    """The folder refuses new files: at the lock file, the backup, the temp file, or the replace."""
    book, f = make_tracker(tmp_path), vendor_file(tmp_path, WEEKS[0])
    before, listing = book.read_bytes(), folder_listing(tmp_path)

    def denied(name: str) -> PermissionError:
        return PermissionError(errno.EACCES, "Permission denied", name)

    if call == "lock":
        import prodbook.workbook.lock as lock
        real_open = os.open
        monkeypatch.setattr(lock.os, "open", lambda p, *a, **k: (_ for _ in ()).throw(denied(str(p)))
                            if str(p).endswith("prodbook-lock") else real_open(p, *a, **k))
    elif call == "backup":
        monkeypatch.setattr(safety.Path, "mkdir", lambda self, *a, **k: (_ for _ in ()).throw(denied(str(self))))
    elif call == "temp":
        real = safety.tempfile.mkstemp
        monkeypatch.setattr(safety.tempfile, "mkstemp", lambda *a, **k: (_ for _ in ()).throw(denied(
            str(Path(k["dir"]) / (k["prefix"] + "x")))) if not str(k.get("prefix", "")).startswith(".~prodbook-backup")
            else real(*a, **k))
    else:
        monkeypatch.setattr(safety.os, "replace", lambda a, b: (_ for _ in ()).throw(denied(str(a)))
                            if Path(b) == book else os.rename(a, b))
    code, out = _run(book, f)
    assert code == 2 and "Traceback" not in out, out
    if call == "replace":  # Windows: a file another program holds open is refused the same way
        assert "Close the workbook" in out
    else:
        assert "not allowed to write in the folder" in out and str(tmp_path) in out, out
    assert book.read_bytes() == before and folder_listing(tmp_path) == listing
