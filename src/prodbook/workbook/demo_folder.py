"""The demo's folder: a re-run replaces only what the demo wrote, and never what the user changed.

After a demo run, ``record`` writes a manifest (``.prodbook-demo.json``): every
file of the demo's own paths (the workbook, ``vendor files``, the follow-up
drafts, the backups, production reports) with its SHA-256. Before the next
run, ``prepare``:

* nothing of a demo there: write the demo (an empty or unrelated folder is fine);
* the files are exactly what the last demo run left: remove them, so no other
  day's WIP files stay beside the new ones;
* anything changed or added (a note typed in the T&A, a refresh run on it, a
  file dropped into ``vendor files``), or no manifest: refuse with
  ``DemoFolderInUse`` and write nothing, unless ``force``, which first moves
  the old demo into ``old demos/demo <time>`` in the same folder;
* any of its files is open (an Excel or LibreOffice lock file beside it, or
  Windows refusing to move it): refuse, even with ``force``, having moved
  nothing (what had moved is put back).

Files outside the demo's own paths are never touched.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from prodbook.core.followups import DRAFTS_FOLDER
from prodbook.workbook.kept_drafts import RECORD
from prodbook.workbook.safety import BACKUP_DIR, lock_files, replace_file

MANIFEST = ".prodbook-demo.json"
OLD_DEMOS = "old demos"
WORKBOOK = "demo-tracker.xlsx"
KIDS_WORKBOOK = "demo-tracker-kids.xlsx"
"""The second division's tracker, for the season roll-up."""
OWN_DIRS = ("vendor files", DRAFTS_FOLDER, BACKUP_DIR)
OWN_GLOBS = (WORKBOOK, KIDS_WORKBOOK, "Production Report*", "Vendor Scorecard*", "Season Roll-up*",
             "prodbook-rollup.duckdb*", ".~prodbook-rollup.duckdb*")
"""What a demo run writes in its folder (the refresh adds drafts and a backup; `prodbook report` a report) and
what the README's commands on the demo add beside it (a scorecard, a roll-up and its database): a fresh demo
moves them too, so none of them is left from an older day."""
SHOWN = 5


class DemoFolderInUse(Exception):
    """The folder holds a demo the user changed (or one prodbook cannot vouch for): nothing was written."""


@dataclass(frozen=True)
class Prepared:
    removed: int
    """Files of an unchanged earlier demo that were removed."""
    moved_to: Path | None
    """Where ``force`` moved an earlier demo."""


def _own_paths(folder: Path) -> Iterator[Path]:
    """The demo's own top-level files and folders in ``folder`` (not the manifest, not lock files)."""
    for name in OWN_DIRS:
        if (folder / name).exists():
            yield folder / name
    for pattern in OWN_GLOBS:
        yield from sorted(p for p in folder.glob(pattern) if p.is_file())


def _is_lock(p: Path) -> bool:
    return p.name.startswith(("~$", ".~lock."))


def own_files(folder: Path) -> dict[str, str]:
    """Every file of the demo's own paths: path relative to ``folder`` (with /) -> SHA-256."""
    out = {}
    for top in _own_paths(folder):
        for p in sorted(top.rglob("*")) if top.is_dir() else [top]:
            if p.is_file() and not _is_lock(p):
                out[p.relative_to(folder).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _manifest(folder: Path) -> dict[str, str] | None:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        files = data["files"]
        return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def differences(folder: Path) -> list[str]:
    """What is in the demo's own paths that the last demo run did not leave there (changed or added)."""
    present = own_files(folder)
    if not present:
        return []
    recorded = _manifest(folder)
    if recorded is None:
        return [f"'{name}' was not written by prodbook demo (or the run did not finish)" for name in present]
    changed = [f"'{name}' was changed" for name, digest in present.items()
               if name in recorded and recorded[name] != digest]
    added = [name for name in present if name not in recorded]
    backups = [name for name in added if name.startswith(f"{BACKUP_DIR}/") and name.count("/") == 1]
    kept = [name for name in added if _kept_draft(folder, name)]  # a run's folder of drafts kept for its Undo
    said = [f"'{name}' was added" for name in added if name not in backups and name not in kept]
    if backups:  # each run's backup of a tracker, one line for them all: the trackers changed come first
        said.append(f"{len(backups)} backup(s) were added in '{BACKUP_DIR}'")
    if drafts := [name for name in kept if name.casefold().endswith(".eml")]:
        said.append(f"{len(drafts)} earlier follow-up draft(s) were kept in '{BACKUP_DIR}' for Undo")
    elif kept:  # only the records of drafts the runs wrote
        said.append(f"the follow-up drafts of {len({n.split('/')[1] for n in kept})} run(s) were recorded in "
                    f"'{BACKUP_DIR}' for Undo")
    return changed + said


def _kept_draft(folder: Path, name: str) -> bool:
    """Is ``name`` in a run's folder of follow-up drafts kept for its Undo (``kept_drafts``: the folder holds
    its record)?"""
    parts = name.split("/")
    return (len(parts) == 3 and parts[0] == BACKUP_DIR and " drafts " in parts[1]
            and (folder / parts[0] / parts[1] / RECORD).is_file())


def _refusal(folder: Path, diffs: list[str]) -> str:
    shown = "; ".join(diffs[:SHOWN]) + (f"; and {len(diffs) - SHOWN} more" if len(diffs) > SHOWN else "")
    make = " (or make demo FORCE=1)" if folder.name == "demo" else ""
    return (f"the folder '{folder}' already holds a demo with changes since prodbook demo wrote it ({shown}), "
            f"so nothing was written. To keep them, write the new demo into another folder: "
            f"prodbook demo OTHER-FOLDER. To start again here, run: prodbook demo \"{folder}\" --force{make}: "
            f"the old demo is first moved into '{folder / OLD_DEMOS}'.")


def _stamp(now: datetime) -> str:
    return f"demo {now:%Y-%m-%d %H%M%S}"


def prepare(folder: Path, *, force: bool, now: datetime) -> Prepared:
    """Make ``folder`` ready for a fresh demo, or raise ``DemoFolderInUse`` having touched nothing."""
    folder = Path(folder)
    try:
        return _prepare(folder, force=force, now=now)
    except DemoFolderInUse:
        raise
    except OSError as exc:  # a file the system will not let prodbook read (open in Excel on Windows: a CSV)
        where = f"'{exc.filename}'" if exc.filename else f"a file in '{folder}'"
        raise DemoFolderInUse(f"{where} could not be read or moved ({exc.strerror or exc}): it may be open in "
                              "Excel or another program, so nothing was changed. Close it and run again.") from exc


def _prepare(folder: Path, *, force: bool, now: datetime) -> Prepared:
    if folder.exists():
        _refuse_open_files(folder)
    if not folder.exists() or not own_files(folder):
        (folder / MANIFEST).unlink(missing_ok=True)
        return Prepared(0, None)
    diffs = differences(folder)
    if not diffs:
        removed = len(own_files(folder))
        trash = folder / f".~{_stamp(now)} removing"
        trash.mkdir(exist_ok=True)
        _move_all(list(_own_paths(folder)), trash)  # all or none, then the copy nobody wants goes
        shutil.rmtree(trash, ignore_errors=True)
        (folder / MANIFEST).unlink(missing_ok=True)
        return Prepared(removed, None)
    if not force:
        raise DemoFolderInUse(_refusal(folder, diffs))
    old_demos = folder / OLD_DEMOS
    first = not old_demos.exists()
    target = old_demos / _stamp(now)
    target.mkdir(parents=True, exist_ok=False)
    tops = list(_own_paths(folder)) + ([folder / MANIFEST] if (folder / MANIFEST).exists() else [])
    try:
        _move_all(tops, target)
    except DemoFolderInUse:
        if first:
            with contextlib.suppress(OSError):
                old_demos.rmdir()
        raise
    return Prepared(0, target)


def _refuse_open_files(folder: Path) -> None:
    """Any file of the demo open in Excel or LibreOffice (their lock file beside it): refuse before touching
    anything, even with ``force``. The workbooks, and a vendor file or report the APM opened to look at."""
    named = [folder / WORKBOOK, folder / KIDS_WORKBOOK]
    named += [p for top in _own_paths(folder) for p in (sorted(top.rglob("*")) if top.is_dir() else [top])
              if p.is_file() and not _is_lock(p) and p not in named]
    for p in named:
        locks = lock_files(p)
        if locks:
            raise DemoFolderInUse(f"'{p}' is open in Excel (or another program; '{locks[0].name}' is beside it), "
                                  "so nothing was written. Close it and run again.")


def _move_all(tops: list[Path], target: Path) -> None:
    """Move every path of ``tops`` into ``target``, or none of them. A rename, never a copy: Windows refuses
    to rename a file (or a folder holding one) that a program has open, and what moved is then put back."""
    moved: list[tuple[Path, Path]] = []
    try:
        for top in tops:
            os.rename(top, target / top.name)
            moved.append((top, target / top.name))
    except OSError as exc:
        for src, dst in reversed(moved):
            try:
                os.rename(dst, src)
            except OSError:  # pragma: no cover - put back what can be; the message says where the rest is
                pass
        with contextlib.suppress(OSError):
            target.rmdir()
        raise DemoFolderInUse(f"'{top}' could not be moved ({exc.strerror or exc}): a file in it may be open in "
                              "Excel or another program, so nothing was changed. Close it and run again.") from exc


def already_there(folder: Path, day: date) -> bool:
    """Does ``folder`` hold the demo of ``day`` exactly as prodbook demo left it? Then a re-run has nothing
    new to write: it leaves every file alone."""
    folder = Path(folder)
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (isinstance(data, dict) and data.get("day") == day.isoformat() and bool(own_files(folder))
            and not differences(folder) and not lock_files(folder / WORKBOOK)
            and not lock_files(folder / KIDS_WORKBOOK))


def record(folder: Path, day: date | None = None) -> None:
    """Remember what this demo run (of ``day``) left in ``folder`` (the next run compares against it)."""
    folder = Path(folder)
    tmp = folder / f"{MANIFEST}.tmp"
    data = {"written_by": "prodbook demo", "files": own_files(folder)}
    if day is not None:
        data["day"] = day.isoformat()
    tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
    replace_file(tmp, folder / MANIFEST)


__all__ = ["MANIFEST", "OLD_DEMOS", "DemoFolderInUse", "Prepared", "already_there", "differences", "own_files",
           "prepare", "record"]
