"""What every fault test needs: a small tracker, vendor files, and the checks after a fault."""

from __future__ import annotations

import os
import shutil
import sys
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl

import prodbook
from conftest import base_sheets, write_book

TODAY = "2027-02-01"
SRC = Path(prodbook.__file__).resolve().parents[1]
"""The sources under test (child processes run the same ones)."""
WEEKS = ("2027-01-25", "2027-02-01")


def trials(default: int = 100) -> int:
    """How many trials a fault test runs (env PRODBOOK_FAULT_TRIALS)."""
    return max(1, int(os.environ.get("PRODBOOK_FAULT_TRIALS", default)))


def make_tracker(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return write_book(folder / "tracker.xlsx", base_sheets())


def vendor_file(folder: Path, week: str) -> Path:
    """One BD1 WIP report; each week's import adds its own Vendor WIP row (Source File = this name)."""
    cut = 100 if week == WEEKS[0] else 200
    path = folder / f"bd1 wip {week}.csv"
    path.write_text("PO #,Style #,Color,Vendor,Order Qty,Cut Qty,Report Date\n"
                    f"4500000001,S1,Navy,BD1,1200,{cut},{week}\n", encoding="utf-8")
    return path


def opens(path: Path) -> openpyxl.Workbook:
    """The workbook is a whole package (every CRC right) that openpyxl loads."""
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None, f"{path.name}: a damaged member"
    return openpyxl.load_workbook(path)


def wip_sources(path: Path) -> set[str]:
    wb = opens(path)
    if "Vendor WIP" not in wb.sheetnames:
        return set()
    rows = list(wb["Vendor WIP"].iter_rows(values_only=True))
    col = list(rows[0]).index("Source File")
    return {r[col] for r in rows[1:] if r[col]}


def leftovers(folder: Path) -> list[str]:
    """Temp files, lock files and backup temps anywhere under ``folder``."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob(".~*"))


def env(**extra: str) -> dict[str, str]:
    out = dict(os.environ, PYTHONPATH=os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]))
    out.update(extra)
    return out


PRODBOOK = [sys.executable, "-m", "prodbook.cli"]
TESTS = Path(__file__).resolve().parents[1]


def forkserver():
    """Processes forked from a server that has prodbook and these helpers imported: a run starts in ms.

    Python 3.11's forkserver ignores the parent's sys.path for its preloads, so
    PYTHONPATH must name the sources and the tests before the server starts.
    """
    import multiprocessing

    os.environ["PYTHONPATH"] = os.pathsep.join([str(TESTS), str(SRC), os.environ.get("PYTHONPATH", "")])
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["prodbook.cli", "faults.helpers"])
    return ctx


def cli_in_process(args: list[str], out: str, lock_wait: str) -> None:
    """A forked worker: the real `prodbook` command in a process of its own; its output into ``out``."""
    os.environ["PRODBOOK_LOCK_WAIT"] = lock_wait
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    from prodbook.cli import main

    main(args, prog_name="prodbook")


def other_program_save(path: Path, how: str, tag: str) -> bytes:
    """Another program saves the workbook; returns the bytes it saved.

    ``rewrite``: openpyxl writes over the same file (same inode, like an in-place save);
    ``replace``: a different valid package is moved over it (Excel's save-by-rename).
    """
    wb = openpyxl.load_workbook(path)
    ws = wb["Orders"]
    ws.cell(row=2, column=4, value=len(tag) * 1000 + 7)
    ws.cell(row=ws.max_row + 1, column=1, value=f"note {tag}")
    if how == "rewrite":
        wb.save(path)
    else:
        tmp = path.with_name(f"other {tag}.xlsx")
        wb.save(tmp)
        os.replace(tmp, path)
    return path.read_bytes()


def copy_tracker(template: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    dst = folder / template.name
    shutil.copyfile(template, dst)
    return dst


def sheets() -> dict[str, Any]:
    return base_sheets()


__all__ = ["TODAY", "WEEKS", "date", "trials"]


def hold_lock(book: str, ready: str, release: str) -> None:
    """A forked worker standing for a long prodbook run: holds the write lock until ``release`` exists."""
    import time

    from prodbook.workbook.lock import WriteLock

    with WriteLock(book, 10, clean=False):
        Path(ready).touch()
        deadline = time.monotonic() + 30
        while not Path(release).exists() and time.monotonic() < deadline:
            time.sleep(0.005)


def wait_for(path: Path, seconds: float = 30) -> None:
    import time

    deadline = time.monotonic() + seconds
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    assert path.exists(), f"{path.name} never appeared"



def cli(*args: str) -> tuple[int, str]:
    """The `prodbook` command in this process: exit status and everything it printed."""
    from click.testing import CliRunner

    from prodbook.cli import main

    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def folder_listing(folder: Path) -> list[str]:
    """Every file and folder under ``folder``, with its size: 'left as it was' is this list unchanged."""
    return sorted(f"{p.relative_to(folder)} {p.stat().st_size if p.is_file() else '/'}" for p in folder.rglob("*"))


def cli_slow_write(args: list[str], out: str, lock_wait: str, pause: float) -> None:
    """``cli_in_process``, with the half-written temp file kept ``pause`` s before the replace.

    A kill then lands inside the write often enough to matter (``safety.atomic_write`` is a
    seam every version of prodbook has).
    """
    import time

    from prodbook.workbook import safety

    real = safety.atomic_write

    def slow(path, write, *a, **k):
        def write_then_pause(tmp):
            write(tmp)
            time.sleep(pause)
        return real(path, write_then_pause, *a, **k)

    safety.atomic_write = slow
    cli_in_process(args, out, lock_wait)
