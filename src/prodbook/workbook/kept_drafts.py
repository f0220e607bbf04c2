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

import errno
import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from prodbook.core.followups import OUTLOOK_DRAFTS
from prodbook.workbook.atomic import write_atomic
from prodbook.workbook.filebook import open_in_excel
from prodbook.workbook.links import draft_target
from prodbook.workbook.safety import BACKUP_DIR, lock_files, path_too_long, replace_file

RECORD = "prodbook drafts.json"
"""The record in each run's folder of kept drafts."""
DAY_RECORD = "prodbook drafts record.json"
"""The record in each day's 'Follow-up drafts/DATE' folder of the drafts prodbook wrote there: each draft's name,
the tracker it was written for (the workbook's file name) and the SHA-256 of its bytes (``day_record``). It
stays with the folder (not with the runs' records, which are let go of), so an old day's drafts are known for as
long as the folder is there."""
UNDOING = "prodbook drafts undo.json"
"""Put in a run's folder of kept drafts just before the undo of that run saves the workbook, and taken away once
that undo has put the run's drafts back (``undoing``): found by a later run while the Change Log says the run is
undone, it tells of an undo stopped between the two, whose drafts that run puts back (``finish_undos``)."""
LEFT_BY_SYSTEM = frozenset({".ds_store", "thumbs.db", "desktop.ini"})
"""Files Finder and Explorer leave in a folder once it is opened (lower case): no one's, never a reason to keep it."""


class DraftEntry(NamedTuple):
    """One draft of a day's ``DAY_RECORD``, as it is written there and read back (``as_json``, ``from_json``):
    ``{"tracker": ..., "sha256": ...}`` under the draft's name."""

    tracker: str
    """The file name of the workbook the draft was written for."""
    sha256: str
    """The SHA-256 of the bytes written, in hex."""

    @classmethod
    def of(cls, tracker: str, content: bytes) -> DraftEntry:
        """The entry of a draft written now with ``content``."""
        return cls(tracker, hashlib.sha256(content).hexdigest())

    def as_json(self) -> dict[str, str]:
        return {"tracker": self.tracker, "sha256": self.sha256}

    @classmethod
    def from_json(cls, value: object) -> DraftEntry | None:
        """The entry as the record holds it; None for anything else (a damaged or hand-edited record)."""
        if isinstance(value, dict) and isinstance(value.get("tracker"), str) and isinstance(value.get("sha256"), str):
            return cls(value["tracker"], value["sha256"])
        return None


@dataclass(frozen=True)
class DayRecord:
    """What ``DAY_RECORD`` says: each draft's name -> its ``DraftEntry``, and the trackers (file names, lower
    case) that already said why the old folder was kept (``left_said``), so that is said once."""

    drafts: dict[str, DraftEntry]
    left_said: frozenset[str] = frozenset()

    def as_bytes(self) -> bytes:
        """The record's text, the same for the same drafts (an unchanged record is left alone)."""
        return json.dumps({"drafts": {n: e.as_json() for n, e in sorted(self.drafts.items())},
                           "left_said": sorted(self.left_said)}, indent=1).encode("utf-8")


def day_record(folder: Path) -> DayRecord | None:
    """The drafts record in ``folder`` ('Follow-up drafts/DATE'); None when there is none (a folder written before
    prodbook kept one) or it cannot be read. An entry that is not a name with a tracker and a digest is left out."""
    try:
        data = json.loads((folder / DAY_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("drafts"), dict):
        return None
    drafts = {str(n): entry for n, e in data["drafts"].items()
              if (entry := DraftEntry.from_json(e)) is not None and Path(str(n)).name == n}
    said = data.get("left_said")
    return DayRecord(drafts, frozenset(str(m) for m in said) if isinstance(said, list) else frozenset())


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
    not_kept: str | None = None
    """Why the draft that was there before the run could not be kept, in words; None: it was, or there was none."""
    refused: str = ""
    """The record's entry could not be trusted (a path outside the drafts folder, a kept copy outside the run's
    folder): what it said, for the warning. Such an entry is never acted on."""


def digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


_NOT_IN_NAMES = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


def folder_for(workbook: Path, run: str) -> Path:
    """The folder of the drafts ``run`` kept: in 'prodbook backups' beside the workbook, named after both (a
    character Windows refuses in a name, such as the run's ':', left out). A workbook that is not an .xlsx has
    its kind at the end ('t drafts Refresh 2027-03-01 090000 UTC+0 xlsm'): 'T.xlsx' and 'T.xlsm' run in the same
    second (two windows) each keep their own folder."""
    book = Path(workbook)
    kind = "" if book.suffix.casefold() in ("", ".xlsx") else f" {_NOT_IN_NAMES.sub('', book.suffix[1:])}"
    older = _legacy_folder(book, run)
    return older.with_name(older.name + kind)


def _legacy_folder(workbook: Path, run: str) -> Path:
    """The folder's name before it said the workbook's kind (an .xlsx's folder is still named so)."""
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


def write_record(workbook: Path, run: str, drafts: list[Undoable], made: Sequence[Path] = ()) -> None:
    """Record what ``run`` did to the drafts folder, for its undo (paths relative to the workbook's folder), the
    workbook's file name (the one whose Change Log holds the run: a side copy's when the run's changes went to
    one), and the folders the run made for its drafts (``made``: today's 'Follow-up drafts/DATE'), which its
    undo removes once they are empty.

    Raises:
        OSError: the record could not be written.
    """
    base, folder = Path(workbook).parent, folder_for(workbook, run)
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"run": run, "workbook": Path(workbook).name, "drafts": [
        {"path": _stored(d.path, base), "wrote": d.wrote, "kept": d.kept.name if d.kept else None,
         "replaced": d.replaced, **({"not_kept": d.not_kept} if d.not_kept else {})} for d in drafts],
        "made": [_stored(Path(p), base) for p in made]}, indent=1)
    tmp = folder / (RECORD + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    replace_file(tmp, folder / RECORD)


def load_record(workbook: Path, run: str) -> tuple[list[Undoable], list[Path]] | None:
    """What ``run`` did to the drafts folder, and the folders it made for its drafts (``_made``), from one read
    of its record; None when it recorded nothing (it wrote no draft, ran before prodbook kept drafts, or its
    folder was let go of) or its record holds no list of drafts."""
    book = Path(workbook)
    found = _load(book, run)
    if found is None:
        return None
    data, folder = found
    drafts = _entries(data, book.parent, folder)
    return None if drafts is None else (drafts, _made(data, book.parent, drafts))


def _entries(data: dict[str, Any], base: Path, folder: Path) -> list[Undoable] | None:
    """The record's drafts (``_entry``); None when it is not a list of entries."""
    try:
        return [_entry(d, base, folder) for d in data["drafts"]]
    except (KeyError, TypeError, AttributeError):
        return None


def _load(workbook: Path, run: str) -> tuple[dict[str, Any], Path] | None:
    """``run``'s record for this workbook and its folder: in the folder named as now, else (a workbook not an
    .xlsx whose run was recorded before the name said its kind) as before. None: no such record."""
    for folder in dict.fromkeys((folder_for(workbook, run), _legacy_folder(workbook, run))):
        try:
            data = json.loads((folder / RECORD).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("run") == run and _names_this(data, workbook):
            return data, folder
    return None


def _made(data: dict[str, Any], base: Path, drafts: list[Undoable]) -> list[Path]:
    """The folders the run made for its drafts, innermost first: each one a draft of the record is in, or a
    folder above one. Empty when the record does not say (written before prodbook recorded them): the folders
    are then left, whatever they hold."""
    if not isinstance(data.get("made"), list):
        return []
    above = {base, *base.parents}  # the workbook's own folder, and those above it: never
    holding = {p for d in drafts if not d.refused for p in d.path.parents if p not in above}
    made = [base / str(p) for p in data["made"] if isinstance(p, str) and p and ".." not in Path(p).parts]
    return sorted({p for p in made if p in holding}, key=lambda p: len(p.parts), reverse=True)


def remove_made(folders: Sequence[Path]) -> list[str]:
    """Remove each of ``folders`` (innermost first) that is empty now that the drafts of the run undone are put
    back (``load_record``): summary lines. A folder holding anything at all (a note the APM saved there, another
    day's drafts, a lock file) is left as it is, and not named."""
    said = []
    for folder in folders:
        try:
            folder.rmdir()  # only when empty
        except OSError:
            continue
        said.append(f"  Removed the folder '{folder.name}' in '{folder.parent}' that run made for its drafts "
                    "(nothing was left in it)")
    return said


def _names_this(data: dict[str, object], workbook: Path) -> bool:
    """Is the record this workbook's? A record without the workbook's name (written before prodbook named it)
    is taken as this workbook's, as its folder's name says."""
    name = data.get("workbook")
    return name is None or str(name).casefold() == workbook.name.casefold()


def _entry(d: dict[str, object], base: Path, folder: Path) -> Undoable:
    """One draft of the record, checked: its path relative to the workbook's folder without '..' (or, drafts
    written with --out on another drive, an absolute path without '..' to an .eml file), its kept copy a bare
    name in the run's folder. An entry that fails is ``refused``: undo warns of it and does nothing with it."""
    raw, kept, wrote = str(d["path"]), d.get("kept"), d.get("wrote")
    where = Path(raw)
    if (".." in where.parts or (where.suffix.casefold() != ".eml" and where.name != DAY_RECORD)
            or not (kept is None or (isinstance(kept, str) and kept not in (".", "..") and Path(kept).name == kept))
            or not (wrote is None or isinstance(wrote, str))):
        return Undoable(base / where.name if where.name else base, None, refused=(
            f"'{raw}'" + (f" (kept as '{kept}')" if kept else "") + f" in '{folder / RECORD}'"))
    not_kept = d.get("not_kept")
    return Undoable(base / where, wrote, folder / kept if isinstance(kept, str) and kept else None,
                    bool(d.get("replaced")), str(not_kept) if not_kept else None)


def prune(workbook: Path, keep_newest: int) -> None:
    """Keep the kept-drafts folders of this workbook's newest ``keep_newest`` runs (never fewer than one)."""
    backups = Path(workbook).parent / BACKUP_DIR
    prefix = f"{Path(workbook).stem} drafts ".casefold()
    try:
        mine = [p for p in backups.iterdir() if p.name.casefold().startswith(prefix) and (p / RECORD).is_file()
                and _record_names(p / RECORD, Path(workbook))]
        mine.sort(key=lambda p: (p / RECORD).stat().st_mtime_ns)
    except OSError:
        return
    for p in mine[: max(0, len(mine) - max(keep_newest, 1))]:
        shutil.rmtree(p, ignore_errors=True)


def _record_names(record: Path, workbook: Path) -> bool:
    """Is ``record`` this workbook's ('t drafts ...' is also how the folders of 't drafts 2.xlsx' begin)? One
    that cannot be read is left alone."""
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
        return isinstance(data, dict) and _names_this(data, workbook)
    except (OSError, ValueError):
        return False


def undo_draft(d: Undoable, run: str, *, dry_run: bool = False) -> tuple[list[str], list[str]]:
    """Put one draft back as it was before ``run``: (summary lines, under the undo's line that names the run;
    warnings, each naming it). On ``dry_run`` nothing is touched and the lines say what would be done. A draft
    the run rewrote is put back over the run's in one step, so the run's draft goes only once its earlier one
    is in place. A day folder's ``DAY_RECORD`` is put back the same way, but never said: it is prodbook's own
    (one another tracker's run rewrote since stays as it is, its entries of drafts no longer there are unused)."""
    said, warned = _undo_draft(d, run, dry_run=dry_run)
    return ([], []) if d.path.name == DAY_RECORD and not d.refused else (said, warned)


def _undo_draft(d: Undoable, run: str, *, dry_run: bool = False) -> tuple[list[str], list[str]]:
    said: list[str] = []
    name, where = d.path.name, d.path.parent
    if d.refused:
        return said, [f"the record of what '{run}' did to the e-mail drafts names {d.refused}, which is not a draft "
                      "in its drafts folder (the record was changed or damaged): that entry was left alone. Check "
                      "the drafts folder by hand, or run Follow-ups again to write the drafts of what is open now"]
    kept = f"; the draft it replaced is kept as '{d.kept}'" if d.kept is not None and d.kept.exists() else ""
    ours = False
    if d.wrote is not None and d.path.is_file():
        if locks := lock_files(d.path):
            return said, [f"'{name}' in '{where}' was written by '{run}' and is {_open(name, locks[0])}, so it was "
                          f"left as it is{kept}. Close it (or, if nobody has it open, delete '{locks[0].name}'), "
                          "then delete it by hand if it is not needed"]
        try:
            ours = digest(d.path) == d.wrote
        except OSError:
            ours = False
        if not ours:
            return said, [f"'{name}' in '{where}' was written by '{run}' and changed since, so it was left as it "
                          f"is{kept}; delete it by hand if it is not needed"]
    if d.kept is not None and d.kept.is_file():
        if d.path.exists() and not ours:
            return said, [f"the draft '{name}' that '{run}' replaced or took away was not put back: a file of that "
                          f"name is in '{where}' again. Compare the two and keep the one you want (the earlier "
                          f"one is '{d.kept}')"]
        if not dry_run:
            try:
                where.mkdir(parents=True, exist_ok=True)
                _put_back(d.kept, d.path)
            except OSError as exc:
                left = f"; the draft '{run}' wrote is left in its place" if ours else ""
                return said, [f"the draft '{name}' that '{run}' replaced or took away could not be put back in "
                              f"'{where}' ({_reason(exc)}){left}; copy '{d.kept}' there by hand"]
        said.append(f"  {'Would put' if dry_run else 'Put'} back the draft '{name}' as it was before that run")
        return said, []
    if ours:
        if not dry_run:
            try:
                d.path.unlink()
            except OSError as exc:
                return said, [f"'{name}' in '{where}' was written by '{run}' and could not be taken away "
                              f"({_reason(exc)}); delete it by hand"]
        if d.kept is None:
            said.append(f"  {'Would take' if dry_run else 'Took'} away the draft '{name}' that run wrote")
    if d.replaced and d.kept is None and d.not_kept:
        return said, [f"the draft '{name}' that '{run}' replaced cannot be put back: that run could not keep a copy "
                      f"of it ({d.not_kept}). Run Follow-ups again to write the drafts of what is open now"]
    if d.kept is not None or d.replaced:
        return said, [f"the draft '{name}' that '{run}' replaced or took away cannot be put back: its copy is no "
                      f"longer in '{BACKUP_DIR}' (prodbook keeps the drafts of its newest runs only). Run "
                      "Follow-ups again to write the drafts of what is open now"]
    return said, []


def _put_back(kept: Path, path: Path) -> None:
    """Move ``kept`` to ``path``, over what is there, in one step; from another drive (--out elsewhere), copied
    into ``path``'s folder first, then put in place and the kept copy let go of.

    Raises:
        OSError: it could not be put back; ``path`` is then as it was.
    """
    try:
        replace_file(kept, path)
        return
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    tmp = path.with_name(f".~{path.name}.prodbook-undo")
    try:
        shutil.copy2(kept, tmp)
        replace_file(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise
    kept.unlink(missing_ok=True)  # the draft is back; a copy left in the backups goes with its folder


def _reason(exc: OSError) -> str:
    """Why a draft could not be put back or taken away, in words."""
    if path_too_long(exc):
        return ("the path is longer than this computer allows: Windows allows 260 characters for the whole path, "
                "folders included")
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return "the disk is full"
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "the folder is read-only, or the file is open in another program"
    return str(exc.strerror or exc)


def _open(name: str, lock: Path) -> str:
    """'open in Excel (Ann)' as ``open_in_excel`` says it, cut to the part after the file's name."""
    text = open_in_excel(name, lock)
    return text.split(f"'{name}' is ", 1)[-1] if f"'{name}' is " in text else "open in another program"


def linked_paths(texts: Iterable[object], workbook: Path) -> set[str]:
    """The drafts the Follow-ups Draft cells ``texts`` open (their text, as undo reads them: a file name in its
    dated folder, a path from the workbook's folder, or an Outlook draft, which has no file), as ``_path_key``
    gives them, to compare with a record's paths."""
    out = set()
    for text in texts:
        if isinstance(text, str) and text.strip() and not text.startswith(OUTLOOK_DRAFTS):
            out.add(_path_key(Path(workbook).parent / draft_target(text.strip())))
    return out


def _path_key(path: Path) -> str:
    """A path as a Windows or Mac disk compares it (any case, '.' and '..' folded)."""
    return os.path.normcase(os.path.normpath(path)).casefold()


def linked_by_rows(drafts: Sequence[Undoable], linked: Collection[str]) -> tuple[list[Undoable], list[Undoable]]:
    """``drafts`` split into those to put back and those to leave: a draft the run wrote where there was none
    (its undo would take it away) that a Follow-ups row the undo keeps links to (``linked_paths``: a row the APM
    typed in, kept with its Draft link). Taken away, the link would open nothing, and its folder would go. A
    draft the run rewrote is put back (or, not kept, said), whatever links to its name."""
    restore: list[Undoable] = []
    keep: list[Undoable] = []
    for d in drafts:
        new = not d.refused and d.wrote is not None and not d.replaced and d.path.name != DAY_RECORD
        (keep if new and _path_key(d.path) in linked else restore).append(d)
    return restore, keep


def keep_linked(drafts: Sequence[Undoable], run: str, book: str, recorded: Collection[Path], *,
                dry_run: bool = False) -> tuple[list[str], list[str]]:
    """The drafts of ``run`` left in place for the Follow-ups rows that link to them (``linked_by_rows``): each
    added to its day folder's ``DAY_RECORD`` (a folder in ``recorded``, whose record the run wrote: put back or
    taken away by now) under the workbook's file name ``book``, so the old days' cleanup knows it as this
    tracker's draft. Returns (summary lines, warnings)."""
    said = [f"  {'Would keep' if dry_run else 'Kept'} the draft '{d.path.name}' that run wrote in '{d.path.parent}': "
            "a Follow-ups row this undo leaves (you typed in it) links to it" for d in drafts]
    if dry_run:
        return said, []
    warned = []
    by_folder: dict[Path, dict[str, DraftEntry]] = {}
    for d in drafts:
        if d.path.parent in recorded and d.wrote is not None:
            by_folder.setdefault(d.path.parent, {})[d.path.name] = DraftEntry(book, d.wrote)
    for folder, entries in by_folder.items():
        before = day_record(folder)
        record = DayRecord({**(before.drafts if before else {}), **entries},
                           before.left_said if before else frozenset())
        try:
            if before is None or record != before:
                write_atomic(folder / DAY_RECORD, record.as_bytes())
        except OSError as exc:
            warned.append(f"the drafts record '{DAY_RECORD}' in '{folder}' could not be written ({_reason(exc)}): "
                          f"when that day's folder is cleared, its draft(s) {', '.join(map(repr, entries))} are "
                          "named as not prodbook's; delete the folder by hand once you no longer need it")
    return said, warned


def undoing(workbook: Path, run: str) -> tuple[Path, bytes]:
    """The ``UNDOING`` file of the undo of ``run`` and its text (the run, the workbook's file name)."""
    return (folder_for(workbook, run) / UNDOING,
            json.dumps({"run": run, "workbook": Path(workbook).name}, indent=1).encode("utf-8"))


def finish_undos(workbook: Path, undone: Callable[[], Collection[str]], linked: Callable[[], Collection[str]],
                 *, dry_run: bool = False) -> tuple[list[str], list[str]]:
    """Put back the drafts of each run whose undo saved the workbook and was stopped before it put them back (its
    ``UNDOING`` is there, and ``undone()``, from the Change Log, names the run); an ``UNDOING`` whose undo never
    saved the workbook (refused, or stopped before) is let go of. What that undo did already is not done again;
    a draft a Follow-ups row links to (``linked()``: ``linked_paths``) stays, as the undo itself leaves it.
    Returns (summary lines, warnings); on ``dry_run`` nothing is touched and the lines say what would be done."""
    said: list[str] = []
    warned: list[str] = []
    pending = _pending(Path(workbook))
    if not pending:
        return said, warned
    gone = undone()
    for run, marker in pending:
        if run not in gone:  # the undo never saved the workbook: the drafts are as that run left them, rightly
            if not dry_run:
                _let_go(marker)
            continue
        record = load_record(Path(workbook), run)
        if record is None:  # its record damaged: nothing to go by
            warned.append(f"the Undo of '{run}' was stopped after it saved the workbook, before it had put back that "
                          f"run's e-mail drafts, and the record of them in '{marker.parent}' cannot be read: the "
                          "drafts folder is as that run left it. Run Follow-ups again so that the drafts say what is "
                          "open now")
            if not dry_run:
                _let_go(marker)
            continue
        drafts, made = record
        restore, keep = linked_by_rows([d for d in drafts if not _back_already(d)], linked())
        lines: list[str] = []
        left: list[str] = []
        for d in restore:
            did, stays = undo_draft(d, run, dry_run=dry_run)
            lines += did
            left += stays
        recorded = {d.path.parent for d in drafts if d.path.name == DAY_RECORD and not d.refused}
        did, stays = keep_linked(keep, run, Path(workbook).name, recorded, dry_run=dry_run)
        lines += did
        left += stays
        if not dry_run:
            lines += remove_made(made)
            _let_go(marker)
        if lines or left:  # else it had done all but take its UNDOING away: nothing to tell
            said.append(f"  The Undo of '{run}' was stopped after it saved the workbook, before it had put back "
                        f"that run's e-mail drafts: {'this run would finish it' if dry_run else 'finished now'}")
        said += lines
        warned += left
    return said, warned


def _pending(workbook: Path) -> list[tuple[str, Path]]:
    """The runs of this workbook whose undo left its ``UNDOING`` (run, that file), from 'prodbook backups'."""
    prefix = f"{workbook.stem} drafts ".casefold()
    try:
        folders = [p for p in (workbook.parent / BACKUP_DIR).iterdir() if p.name.casefold().startswith(prefix)]
    except OSError:
        return []
    out = []
    for folder in sorted(folders):
        try:
            data = json.loads((folder / UNDOING).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and isinstance(data.get("run"), str) and _names_this(data, workbook):
            out.append((data["run"], folder / UNDOING))
    return out


def _let_go(marker: Path) -> None:
    """Remove an ``UNDOING`` done with; one that cannot be removed (a read-only folder) is read again next run."""
    try:
        marker.unlink(missing_ok=True)
    except OSError:
        pass


def _back_already(d: Undoable) -> bool:
    """Did the stopped undo put this draft back already? Its kept copy is gone (moved back into place), or the
    draft the run wrote where there was none is gone (taken away)."""
    if d.refused:
        return False
    if d.kept is not None:
        return not d.kept.exists()
    return d.wrote is not None and not d.path.exists()


__all__ = ["DAY_RECORD", "LEFT_BY_SYSTEM", "RECORD", "UNDOING", "DayRecord", "DraftEntry", "Undoable", "day_record",
           "digest", "finish_undos", "folder_for", "keep", "keep_linked", "linked_by_rows", "linked_paths",
           "load_record", "prune", "remove_made", "undo_draft", "undoing", "write_record"]
