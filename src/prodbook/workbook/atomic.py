"""One file written whole or not at all: a flushed temporary file beside it, then a rename.

Reports, drafts and the workbook itself go through here, so a full disk or a
killed run never leaves half a file where the APM looks.
"""

from __future__ import annotations

import gc
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from prodbook.workbook.safety import durable, fsync_folder, replace_file, set_hidden, umask

Writer = Callable[[Path], object]
"""Writes the whole file at the path it is given (a temporary name in the target folder)."""


_TEMP_EXTRA = len(".~.prodbook.") + 8
"""What a temporary name adds to the stem it keeps (mkstemp's random part is 8 characters)."""


def write_temp(path: Path, content: bytes | Writer, *, hidden: bool = False) -> Path:
    """The file's content as a hidden temporary file beside ``path``, flushed to disk; removed on any error.

    Its name is no longer than ``path``'s (its stem is cut to make room): Windows counts 260 characters for a
    whole path, and a report or draft that fits must not fail for its temporary name. ``hidden``: on Windows
    give it the Hidden attribute too, once written (Windows refuses to open a hidden file anew for writing), for
    a caller that puts it in place with ``safety.replace_file``, which shows it again: a file keeps its
    attributes through a rename."""
    stem = path.stem[:max(1, min(60, len(path.stem) - _TEMP_EXTRA))]
    fd, name = tempfile.mkstemp(prefix=f".~{stem}.prodbook.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        if isinstance(content, bytes):
            with open(tmp, "wb") as f:
                f.write(content)
                f.flush()
                durable(f.fileno())
        else:
            content(tmp)
            with open(tmp, "rb+") as f:
                durable(f.fileno())
        try:
            os.chmod(tmp, 0o666 & ~umask())  # as a plain save would: mkstemp makes it private
        except OSError:
            pass
        if hidden:
            set_hidden(tmp)
    except BaseException:
        remove_temp(tmp)
        raise
    return tmp


def saved(wb: Any) -> Writer:
    """openpyxl's save through a file handle we own: a save that fails part-way lets go of the file, so the
    temporary file can be removed (Windows keeps a file that is still open; openpyxl's own zip stays open)."""
    def save(path: Path) -> None:
        with open(path, "wb") as f:
            wb.save(f)
    return save


def remove_temp(tmp: Path) -> None:
    """Remove a temporary file, never hiding the error that made it useless."""
    try:
        tmp.unlink(missing_ok=True)
    except OSError:  # Windows: a writer that failed may still hold it open until collected
        gc.collect()
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass


def write_atomic(path: Path, content: bytes | Writer) -> Path:
    """Write ``path`` whole or not at all: a temporary file in its folder, flushed, then renamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = write_temp(path, content, hidden=True)
    try:
        replace_file(tmp, path)
    except BaseException:
        remove_temp(tmp)
        raise
    fsync_folder(path.parent)
    return path
