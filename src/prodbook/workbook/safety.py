"""Keeping the user's workbook safe on disk: lock files, backups, atomic replace."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

__all__ = ["WorkbookLocked", "lock_files", "backup", "atomic_write", "side_copy_path", "BACKUP_DIR"]

BACKUP_DIR = "prodbook backups"


class WorkbookLocked(Exception):
    """The workbook is open in Excel (or another program)."""


def _locked_message(path: Path, holder: str | None = None) -> str:
    who = f" by {holder}" if holder else ""
    return (
        f"The workbook '{path.name}' is open{who} in Excel (or another program), so prodbook did not change it. "
        "Close the workbook and run again."
    )


def lock_files(path) -> list[Path]:
    """Owner/lock files beside `path` that show the workbook is open.

    Excel writes "~$NAME.xlsx"; Office shortens long names by letting "~$"
    replace the first one or two characters ("~$oduction.xlsx" for
    "Production.xlsx"), so those forms are checked too. LibreOffice writes
    ".~lock.NAME.xlsx#".
    """
    path = Path(path)
    name = path.name
    folder = path.parent
    candidates = ["~$" + name]
    if len(path.stem) >= 7:
        candidates.append("~$" + name[1:])
    if len(path.stem) >= 8:
        candidates.append("~$" + name[2:])
    candidates.append(f".~lock.{name}#")
    found = []
    for c in candidates:
        p = folder / c
        if p.is_file() and p not in found:
            found.append(p)
    return found


def lock_holder(lock: Path) -> str | None:
    """The user name recorded in a lock file, when it can be read."""
    try:
        data = lock.read_bytes()[:512]
    except OSError:
        return None
    if lock.name.startswith(".~lock."):
        # LibreOffice: "u,Full Name,host,date,path;"
        try:
            parts = data.decode("utf-8", "replace").split(",")
            name = parts[1].strip() or parts[0].strip()
            return name or None
        except IndexError:
            return None
    if data:
        n = data[0]
        name = data[1:1 + n].decode("latin-1", "replace").strip()
        return name or None
    return None


_STAMP = "%Y-%m-%d %H%M%S"


def _backup_re(path: Path) -> re.Pattern:
    return re.compile(
        "^" + re.escape(path.stem) + r" (\d{4}-\d\d-\d\d \d{6})(?: \((\d+)\))?" + re.escape(path.suffix) + "$",
        re.IGNORECASE,
    )


def backup(path, keep: int = 20) -> Path:
    """Copy the workbook into "prodbook backups/" beside it; keep the newest `keep` copies."""
    path = Path(path)
    folder = path.parent / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    stamp = datetime.now().strftime(_STAMP)
    pat = _backup_re(path)
    # several backups within one second: " (2)", " (3)", ... after the highest already there,
    # so that names always sort oldest to newest
    used = [int(m.group(2) or 1) for p in folder.iterdir() if (m := pat.match(p.name)) and m.group(1) == stamp]
    n = max(used, default=0) + 1
    target = folder / (f"{path.stem} {stamp}{path.suffix}" if n == 1 else f"{path.stem} {stamp} ({n}){path.suffix}")
    while target.exists():  # a file of another case or a race
        n += 1
        target = folder / f"{path.stem} {stamp} ({n}){path.suffix}"
    # copy under a temporary name first so a half-written backup never looks complete
    fd, tmp = tempfile.mkstemp(prefix=".~prodbook-backup.", suffix=path.suffix, dir=folder)
    os.close(fd)
    try:
        shutil.copy2(path, tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    mine = []
    for p in folder.iterdir():
        m = pat.match(p.name)
        if m and p.is_file():
            mine.append(((m.group(1), int(m.group(2) or 1)), p))
    mine.sort()
    if keep >= 0:
        for _, p in mine[: max(0, len(mine) - max(keep, 1))]:
            if p != target:
                try:
                    p.unlink()
                except OSError:
                    pass
    return target


def atomic_write(path, write: Callable[[Path], None], *, check_lock: bool = True) -> None:
    """Have `write(tmp)` write a temporary file beside `path`, then replace `path` with it.

    On any error the temporary file is removed and `path` is untouched. When the
    workbook is open (a lock file beside it, or Windows refusing the replace)
    WorkbookLocked is raised with a message for the user.
    """
    path = Path(path)
    if check_lock:
        locks = lock_files(path)
        if locks:
            raise WorkbookLocked(_locked_message(path, lock_holder(locks[0])))
    fd, tmp_name = tempfile.mkstemp(prefix=f".~{path.stem}.prodbook.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        tmp.unlink()  # write() gets a path that does not exist yet, like a normal "save as"
        write(tmp)
        if not tmp.is_file():
            raise RuntimeError(f"nothing was written for {path.name}")
        try:
            mode = os.stat(path).st_mode & 0o7777 if path.exists() else 0o666 & ~_umask()
            os.chmod(tmp, mode)
        except OSError:
            pass
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        try:
            os.replace(tmp, path)
        except PermissionError as e:
            raise WorkbookLocked(_locked_message(path)) from e
        _fsync_dir(path.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _umask() -> int:
    m = os.umask(0)
    os.umask(m)
    return m


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def side_copy_path(path) -> Path:
    """"NAME (prodbook).xlsx" beside the workbook (same suffix as the original)."""
    path = Path(path)
    return path.with_name(f"{path.stem} (prodbook){path.suffix}")
