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
* the workbook is open (an Excel or LibreOffice lock file beside it): refuse,
  even with ``force``.

Files outside the demo's own paths are never touched.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from prodbook.workbook.safety import BACKUP_DIR, lock_files

MANIFEST = ".prodbook-demo.json"
OLD_DEMOS = "old demos"
WORKBOOK = "demo-tracker.xlsx"
KIDS_WORKBOOK = "demo-tracker-kids.xlsx"
"""The second division's tracker, for the season roll-up."""
OWN_DIRS = ("vendor files", "Follow-up drafts", BACKUP_DIR)
OWN_GLOBS = (WORKBOOK, KIDS_WORKBOOK, "Production Report*")
"""What a demo run writes in its folder (the refresh adds drafts and a backup; `prodbook report` a report)."""
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
    out = []
    for name, digest in present.items():
        if name not in recorded:
            out.append(f"'{name}' was added")
        elif recorded[name] != digest:
            out.append(f"'{name}' was changed")
    return out


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
    for name in (WORKBOOK, KIDS_WORKBOOK):
        locks = lock_files(folder / name)
        if locks:
            raise DemoFolderInUse(f"'{folder / name}' is open in Excel (or another program; '{locks[0].name}' "
                                  "is beside it), so nothing was written. Close it and run again.")
    if not folder.exists() or not own_files(folder):
        (folder / MANIFEST).unlink(missing_ok=True)
        return Prepared(0, None)
    diffs = differences(folder)
    if not diffs:
        removed = len(own_files(folder))
        for top in list(_own_paths(folder)):
            shutil.rmtree(top) if top.is_dir() else top.unlink()
        (folder / MANIFEST).unlink(missing_ok=True)
        return Prepared(removed, None)
    if not force:
        raise DemoFolderInUse(_refusal(folder, diffs))
    target = folder / OLD_DEMOS / _stamp(now)
    target.mkdir(parents=True, exist_ok=False)
    for top in list(_own_paths(folder)):
        shutil.move(str(top), str(target / top.name))
    if (folder / MANIFEST).exists():
        shutil.move(str(folder / MANIFEST), str(target / MANIFEST))
    return Prepared(0, target)


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
    tmp.replace(folder / MANIFEST)


__all__ = ["MANIFEST", "OLD_DEMOS", "DemoFolderInUse", "Prepared", "already_there", "differences", "own_files",
           "prepare", "record"]
