"""Follow-up drafts a run rewrote or took away, kept so that an undo of that run puts the drafts folder back.

A run that writes e-mail drafts (``StagedFile.undoable``) moves each draft it takes away, and copies each one it
rewrites, into a folder of its own in 'prodbook backups' beside the workbook, named after the tracker and the
run ('t drafts Refresh 2027-03-01 090000 UTC+0'). There it records (``RECORD``) every draft it wrote, with the
SHA-256 of the bytes it wrote, and every draft it kept. That record is all undo reads: the Change Log says which
run to undo, the record what that run did to the drafts folder. Undo takes a draft the run wrote away only while
it holds those bytes (the APM may have edited it) and nobody has it open, then puts back what the run kept;
whatever it cannot put back is a warning naming the file and what to do. The folders are let go of as the
workbook's backups are (Config 'Backups To Keep')."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from prodbook.workbook.filebook import open_in_excel
from prodbook.workbook.safety import BACKUP_DIR, lock_files, replace_file

RECORD = "prodbook drafts.json"
"""The record in each run's folder of kept drafts."""


@dataclass(frozen=True)
class Undoable:
    """One draft a run changed on disk, as undo needs it."""

    path: Path
    wrote: str | None
    """SHA-256 of the bytes the run put there; None: the run took the file away."""
    kept: Path | None = None
    """Where the draft that was there before the run is kept; None: there was none, or it could not be kept."""
    replaced: bool = False
    """A draft was there before the run (kept or not)."""


def digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


_NOT_IN_NAMES = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


def folder_for(workbook: Path, run: str) -> Path:
    """The folder of the drafts ``run`` kept: in 'prodbook backups' beside the workbook, named after both (a
    character Windows refuses in a name, such as the run's ':', left out)."""
    return Path(workbook).parent / BACKUP_DIR / f"{Path(workbook).stem} drafts {_NOT_IN_NAMES.sub('', run)}"


def keep(path: Path, folder: Path, *, move: bool) -> Path:
    """Copy (or move) ``path`` into ``folder``, under its own name (' (2)' added when that is taken).

    Raises:
        OSError: the copy could not be made; ``path`` is then as it was.
    """
    folder.mkdir(parents=True, exist_ok=True)
    target, n = folder / path.name, 1
    while target.exists():
        n += 1
        target = folder / f"{path.stem} ({n}){path.suffix}"
    if move:
        try:
            replace_file(path, target)
            return target
        except OSError:  # another drive (--out elsewhere): copied, then removed
            pass
    shutil.copy2(path, target)
    if move:
        try:
            path.unlink()
        except OSError:
            target.unlink(missing_ok=True)
            raise
    return target


def _stored(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()  # the folder moved with its workbook: still found
    except ValueError:
        return str(path)


def write_record(workbook: Path, run: str, drafts: list[Undoable]) -> None:
    """Record what ``run`` did to the drafts folder, for its undo (paths relative to the workbook's folder).

    Raises:
        OSError: the record could not be written.
    """
    base, folder = Path(workbook).parent, folder_for(workbook, run)
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"run": run, "drafts": [
        {"path": _stored(d.path, base), "wrote": d.wrote, "kept": d.kept.name if d.kept else None,
         "replaced": d.replaced} for d in drafts]}, indent=1)
    tmp = folder / (RECORD + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    replace_file(tmp, folder / RECORD)


def read_record(workbook: Path, run: str) -> list[Undoable] | None:
    """What ``run`` did to the drafts folder; None when it recorded nothing (it wrote no draft, ran before
    prodbook kept drafts, or its folder was let go of)."""
    base, folder = Path(workbook).parent, folder_for(workbook, run)
    try:
        data = json.loads((folder / RECORD).read_text(encoding="utf-8"))
        if data.get("run") != run:
            return None
        return [Undoable(base / d["path"], d.get("wrote"), folder / d["kept"] if d.get("kept") else None,
                         bool(d.get("replaced"))) for d in data["drafts"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def prune(workbook: Path, keep_newest: int) -> None:
    """Keep the kept-drafts folders of this workbook's newest ``keep_newest`` runs (never fewer than one)."""
    backups = Path(workbook).parent / BACKUP_DIR
    prefix = f"{Path(workbook).stem} drafts ".casefold()
    try:
        mine = [p for p in backups.iterdir() if p.name.casefold().startswith(prefix) and (p / RECORD).is_file()]
        mine.sort(key=lambda p: (p / RECORD).stat().st_mtime_ns)
    except OSError:
        return
    for p in mine[: max(0, len(mine) - max(keep_newest, 1))]:
        shutil.rmtree(p, ignore_errors=True)


def undo_draft(d: Undoable, run: str, *, dry_run: bool = False) -> tuple[list[str], list[str]]:
    """Put one draft back as it was before ``run``: (summary lines, under the undo's line that names the run;
    warnings, each naming it). On ``dry_run`` nothing is touched and the lines say what would be done."""
    said: list[str] = []
    name, where = d.path.name, d.path.parent
    kept = f"; the draft it replaced is kept as '{d.kept}'" if d.kept is not None and d.kept.exists() else ""
    if d.wrote is not None and d.path.is_file():
        if locks := lock_files(d.path):
            return said, [f"'{name}' in '{where}' was written by '{run}' and is {_open(name, locks[0])}, so it was "
                          f"left as it is{kept}. Close it (or, if nobody has it open, delete '{locks[0].name}'), "
                          "then delete it by hand if it is not needed"]
        try:
            same = digest(d.path) == d.wrote
        except OSError:
            same = False
        if not same:
            return said, [f"'{name}' in '{where}' was written by '{run}' and changed since, so it was left as it "
                          f"is{kept}; delete it by hand if it is not needed"]
        if not dry_run:
            try:
                d.path.unlink()
            except OSError:
                return said, [f"'{name}' in '{where}' was written by '{run}' and could not be taken away (the "
                              "folder is read-only, or the file is open in another program); delete it by hand"]
        if d.kept is None:
            said.append(f"  {'Would take' if dry_run else 'Took'} away the draft '{name}' that run wrote")
    if d.kept is not None and d.kept.is_file():
        if d.path.exists() and not (dry_run and d.wrote is not None):
            return said, [f"the draft '{name}' that '{run}' replaced or took away was not put back: a file of that "
                          f"name is in '{where}' again. Compare the two and keep the one you want (the earlier "
                          f"one is '{d.kept}')"]
        if not dry_run:
            try:
                where.mkdir(parents=True, exist_ok=True)
                replace_file(d.kept, d.path)
            except OSError:
                return said, [f"the draft '{name}' that '{run}' replaced or took away could not be put back in "
                              f"'{where}' (the folder is read-only, or missing); copy '{d.kept}' there by hand"]
        said.append(f"  {'Would put' if dry_run else 'Put'} back the draft '{name}' as it was before that run")
    elif d.kept is not None or d.replaced:
        return said, [f"the draft '{name}' that '{run}' replaced or took away cannot be put back: its copy is no "
                      f"longer in '{BACKUP_DIR}' (prodbook keeps the drafts of its newest runs only). Run "
                      "Follow-ups again to write the drafts of what is open now"]
    return said, []


def _open(name: str, lock: Path) -> str:
    """'open in Excel (Ann)' as ``open_in_excel`` says it, cut to the part after the file's name."""
    text = open_in_excel(name, lock)
    return text.split(f"'{name}' is ", 1)[-1] if f"'{name}' is " in text else "open in another program"


__all__ = ["RECORD", "Undoable", "digest", "folder_for", "keep", "prune", "read_record", "undo_draft",
           "write_record"]
