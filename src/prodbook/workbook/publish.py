"""Files a run writes beside the workbook (e-mail drafts, the report): staged, then published.

A job never writes such a file itself: it returns it in ``Outcome.files`` and the
runner decides. Before the workbook is saved, ``prepare`` writes each file as a
hidden temporary file in its own folder and flushes it to disk, so a full disk or
a read-only folder is found while nothing has been written yet. Only after the
workbook was saved (or the run needed no save) does ``Prepared.publish`` rename
each one into place, so a draft or report never appears for a run that was
refused, failed or was a dry run, and no file is ever seen half-written.
``Prepared.discard`` removes the temporary files and any folder made for them.
"""

from __future__ import annotations

import errno
import os
import re
import time
import zipfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from prodbook.core.findings import UserError
from prodbook.workbook.atomic import Writer, remove_temp, write_atomic, write_temp
from prodbook.workbook.filebook import open_in_excel
from prodbook.workbook.kept_drafts import (
    DAY_RECORD,
    Undoable,
    digest,
    keep,
    keep_linked,
    linked_by_rows,
    remove_made,
    undo_draft,
    undoing,
)
from prodbook.workbook.safety import (
    BACKUP_DIR,
    WorkbookLocked,
    fsync_folder,
    lock_files,
    path_too_long,
    replace_file,
)

if TYPE_CHECKING:
    from datetime import date
    from email.message import EmailMessage

    from prodbook.workbook.outlook import Earlier


@dataclass(frozen=True)
class StagedFile:
    """One file a job wants written once the run has succeeded."""

    path: Path
    content: bytes | Writer
    announce: str = ""
    """The summary line that says where the file is; shown only once it was written."""
    undoable: bool = False
    """A follow-up draft: the draft it replaces is kept (``Prepared.publish``'s ``aside``) and it is recorded
    (``Published.undoable``), so that an undo of the run puts the drafts folder back (``kept_drafts``)."""
    only_if_logged: bool = False
    """Written only by a run that writes a Change Log row (``StagedRemoval.only_if_logged``)."""


@dataclass(frozen=True)
class OutlookDrafts:
    """E-mails for Outlook's Drafts folder (inside Excel); .eml files in ``folder`` where Outlook is not.
    ``folder`` None: the workbook has no folder (``no_folder``), so Outlook's drafts are all there is."""

    messages: tuple[EmailMessage, ...]
    folder: Path | None
    names: tuple[str, ...] = ()
    """The .eml file name of each message, where Outlook is not there to take it (a Mac): the names the
    Follow-ups sheet's Draft links point at. Empty: named from their subjects."""
    mark: str = ""
    """This tracker's mark (``followups_job.tracker_mark``): each Outlook draft carries it and ``day``, and the
    drafts an earlier run of the day made under it are deleted from Outlook's Drafts folder once this run's are
    made. Empty: nothing is marked or deleted."""
    day: date | None = None
    outlook: Any = None
    """Outlook (its COM object) as the job found it, when the Follow-ups sheet says these drafts are in Outlook;
    None: Outlook is asked for when the drafts are handed over."""


@dataclass(frozen=True)
class StagedRemoval:
    """A file an earlier run of prodbook wrote that now says what is no longer so (the day's follow-up draft of a
    vendor with nothing left to chase): removed once the run has succeeded, never on a dry or refused run."""

    path: Path
    announce: str = ""
    """The summary line that says so; shown only once the file is gone."""
    empty_parent: bool = False
    """Remove the file's folder too once nothing is left in it (an old day's 'Follow-up drafts/DATE')."""
    kept: bool = True
    """Kept for the run's undo (moved into ``Prepared.publish``'s ``aside``); False: deleted (a '.DS_Store'
    Finder left, which no undo needs)."""
    only_if_logged: bool = False
    """Done only by a run that writes a Change Log row, which an Undo can take back (pruning old days' drafts):
    the runner drops it from a run that changes nothing in the workbook (``runner.only_if_logged``)."""


@dataclass(frozen=True)
class StagedRestore:
    """A draft the run being undone wrote, rewrote or took away, put back as it was before that run once the
    undo is saved (``kept_drafts.undo_draft``)."""

    draft: Undoable
    run: str
    """The run undone, as the Change Log names it."""


@dataclass(frozen=True)
class StagedEmptyFolders:
    """The folders the run being undone made for its drafts (today's 'Follow-up drafts/DATE'), innermost first:
    each removed once the undo has put the drafts back, only when nothing is left in it
    (``kept_drafts.remove_made``). Staged after the run's ``StagedRestore``s."""

    folders: tuple[Path, ...]


@dataclass(frozen=True)
class StagedKeptDrafts:
    """Drafts the run being undone wrote that the undo leaves in place, because a Follow-ups row it keeps (one the
    APM typed in) links to them (``kept_drafts.linked_by_rows``): said, and added to their day folder's drafts
    record once that is put back (``kept_drafts.keep_linked``). Staged after the run's ``StagedRestore``s."""

    drafts: tuple[Undoable, ...]
    run: str
    book: str
    """The workbook's file name, as a day's drafts record names a tracker."""
    recorded: tuple[Path, ...] = ()
    """The day folders whose drafts record the run wrote (its undo puts that record back)."""


@dataclass(frozen=True)
class StagedLeftovers:
    """Folders where prodbook writes drafts ('Follow-up drafts/DATE' beside ``workbook``, a --out folder): the
    temporary files a stopped run left there (``is_temp``) are removed once the run has succeeded, unless another
    run may be writing there now (``_others_at_work``); a day's folder left empty by that goes too."""

    folders: tuple[Path, ...]
    workbook: Path
    beside: bool = True
    """The folders are beside the workbook, where only the runs of its folder's workbooks write (each holding its
    write lock); False (--out): any tracker's run may, so a temporary file goes only once it is old
    (``LIVE_TEMP_SECONDS``)."""


Staged = (StagedFile | OutlookDrafts | StagedRemoval | StagedRestore | StagedEmptyFolders | StagedKeptDrafts
          | StagedLeftovers)


@dataclass(frozen=True)
class Published:
    """What publishing one job's files did, for the run's summary and messages."""

    written: tuple[str, ...] = ()
    """File paths, or 'Outlook Drafts: <subject>'."""
    not_written: tuple[str, ...] = ()
    problem: str | None = None
    """Why ``not_written`` were not, in words; None when everything was written."""
    summary: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    """One line per Outlook draft made (or .eml written in its place), for the run's messages."""
    not_removed: tuple[str, ...] = ()
    """Out-of-date files a run meant to remove and could not (``StagedRemoval``), drafts an undo could not
    put back (``StagedRestore``), and rewritten drafts whose earlier one could not be kept: why, and what to do."""
    undoable: tuple[Undoable, ...] = ()
    """The drafts written, rewritten or taken away (``StagedFile.undoable``, ``StagedRemoval``) when publish had
    an ``aside`` folder: what the run's undo reads (``kept_drafts.write_record``)."""


def drafts_undone(workbook: Path, run: str, drafts: Sequence[Undoable], made: Sequence[Path],
                  linked: Collection[str]) -> tuple[StagedFile, tuple[Staged, ...]]:
    """What an undo of ``run`` stages for its drafts (``kept_drafts.load_record``: ``drafts``, the folders ``made``):
    each put back, but a draft a Follow-ups row the undo keeps links to (``linked``: ``kept_drafts.linked_paths``),
    which stays (``StagedKeptDrafts``); the folders the run made, removed when empty; last, the run's
    ``kept_drafts.UNDOING`` taken away. That file comes first, as the other part of the pair: staged to be written
    just before the workbook is saved (``Tracker.before_save``), so a later run finishes an undo stopped between
    the save and its drafts (``kept_drafts.finish_undos``)."""
    restore, kept = linked_by_rows(drafts, linked)
    recorded = tuple(dict.fromkeys(d.path.parent for d in drafts if d.path.name == DAY_RECORD and not d.refused))
    marker, text = undoing(workbook, run)
    return StagedFile(marker, text), (
        *(StagedRestore(d, run) for d in restore),
        *((StagedKeptDrafts(tuple(kept), run, Path(workbook).name, recorded),) if kept else ()),
        *((StagedEmptyFolders(tuple(made)),) if made else ()),
        StagedRemoval(marker, kept=False))


def no_folder(what: str) -> str:
    """Why a file made beside the workbook was not written. Only the add-in meets this (a file on disk always
    has a folder): a workbook opened from SharePoint or Teams without sync, or never saved."""
    return (f"{what} not written: this workbook is not saved in a folder on this computer (it was opened "
            "from SharePoint or Teams, or never saved). Save it in a folder (File > Save As), or sync its "
            "library with OneDrive, then run this again")


def why(exc: OSError, name: str, folder: Path) -> str:
    """The plain cause of a failed write: a full disk, a read-only folder, a path too long, or the system's
    words."""
    if path_too_long(exc):
        return (f"'{name}' could not be written in the folder '{folder}': the path is longer than this computer "
                "allows (Windows allows 260 characters for the whole path, folders included). Move the workbook "
                "to a folder with a shorter path, or name a shorter place with --out")
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return f"the disk is full: '{name}' could not be written in the folder '{folder}'"
    if exc.errno == errno.EFBIG:
        return f"the disk does not take a file this large: '{name}' could not be written in the folder '{folder}'"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS) or isinstance(exc, PermissionError):
        return (f"prodbook may not write '{name}' in the folder '{folder}' (it is read-only, or the file "
                "is open in another program)")
    return f"'{name}' could not be written in the folder '{folder}' ({exc.strerror or exc})"


def _new_folders(folder: Path) -> list[Path]:
    """``folder`` and the parents of it that do not exist yet, outermost first."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing[::-1]


@dataclass
class Prepared:
    """Temporary files written and flushed, waiting for ``publish`` (after the save) or ``discard``."""

    temps: dict[Path, Path] = field(default_factory=dict)
    """Target path -> its temporary file."""
    folders: list[Path] = field(default_factory=list)
    """Folders made for the files, outermost first: removed again on discard when left empty."""
    done: set[Path] = field(default_factory=set)
    """Files put in place so far."""
    unchanged: set[Path] = field(default_factory=set)
    """Files already there with this content: left alone (no new modification time)."""

    def discard(self) -> None:
        """Leave the folders as they were: remove every temporary file and every folder made for them."""
        for tmp in self.temps.values():
            remove_temp(tmp)
        self.temps.clear()
        for folder in reversed(self.folders):
            try:
                folder.rmdir()  # only when empty: a folder the user filled meanwhile stays
            except OSError:
                pass
        self.folders.clear()

    def publish(self, staged: Sequence[Staged], aside: Path | None = None) -> Published:
        """Rename one job's prepared files into place (and hand its Outlook drafts over); a file that
        cannot be put in place is named, and the others are still tried. ``aside``: the folder where a draft
        taken away or rewritten is kept for the run's undo (None: a draft taken away is deleted)."""
        written: list[str] = []
        left: list[str] = []
        notes: list[str] = []
        problems: list[str] = []
        announced: dict[str, list[bool]] = {}
        removed: list[str] = []
        not_removed: list[str] = []
        undoable: list[Undoable] = []
        for record in staged:
            if isinstance(record, StagedRestore):  # an undo: the draft as it was before the run undone
                said, left_as_is = undo_draft(record.draft, record.run)
                removed += said
                not_removed += left_as_is
                continue
            if isinstance(record, StagedEmptyFolders):  # an undo, its drafts back: the folders its run made
                removed += remove_made(record.folders)
                continue
            if isinstance(record, StagedKeptDrafts):  # an undo: drafts a kept Follow-ups row links to stay
                said, left_as_is = keep_linked(record.drafts, record.run, record.book, record.recorded)
                removed += said
                not_removed += left_as_is
                continue
            if isinstance(record, StagedLeftovers):  # a stopped run's temporary files; this run's own stay
                removed += clear_leftovers(record, set(self.temps.values()))
                continue
            if isinstance(record, StagedRemoval):  # not a write: a file left is said apart from what was written
                if locks := lock_files(record.path):  # open in Excel or Outlook's editor: left as it is
                    not_removed.append(_not_removed(record.path, open_elsewhere(record.path, locks[0])))
                    continue
                moved = None
                try:
                    if aside is not None and record.kept and record.path.is_file():  # kept for undo, not deleted
                        moved = keep(record.path, aside, move=True)
                        undoable.append(Undoable(record.path, None, moved, replaced=True))
                    else:
                        record.path.unlink(missing_ok=True)
                except OSError as exc:
                    not_removed.append(_not_removed(record.path, (
                        _not_kept(exc, aside) if moved is None and aside is not None and path_too_long(exc)
                        else "the folder is read-only, or the file is open in another program"
                        if isinstance(exc, PermissionError) else str(exc.strerror or exc))))
                    continue
                if record.empty_parent:
                    try:
                        record.path.parent.rmdir()  # only when empty
                    except OSError:
                        pass
                if record.announce:
                    removed.append(record.announce + (f" (kept in '{BACKUP_DIR}/{aside.name}')"
                                                      if moved is not None and aside is not None else ""))
                continue
            if isinstance(record, OutlookDrafts):
                done, rest, problem, gone, stayed = _send(record)
                written += done
                notes += [f"follow-up draft ready: {line}" for line in done]
                left += rest
                problems += [problem] if problem else []
                removed += gone
                not_removed += stayed
                continue
            tmp = self.temps.pop(record.path, None)
            ok = tmp is None and (record.path in self.done or record.path in self.unchanged)
            if tmp is not None and (locks := lock_files(record.path)):  # open in Excel: the reader's copy stays
                remove_temp(tmp)
                problems.append(open_elsewhere(record.path, locks[0]))
            elif tmp is not None:
                try:
                    draft = _keep_replaced(record.path, tmp, aside) if record.undoable and aside else None
                    replace_file(tmp, record.path)
                    undoable += [draft] if draft else []
                    if draft is not None and draft.not_kept:
                        not_removed.append(f"'{record.path.name}' in '{record.path.parent}' was rewritten, but the "
                                           f"draft it replaced could not be kept ({draft.not_kept}): an Undo of this "
                                           "run cannot put that draft back")
                    ok = True
                    self.done.add(record.path)
                    written.append(str(record.path))
                except OSError as exc:
                    remove_temp(tmp)
                    problems.append(why(exc, record.path.name, record.path.parent))
            if not ok:
                left.append(str(record.path))
            if record.announce:
                announced.setdefault(record.announce, []).append(ok)
        for folder in {Path(p).parent for p in written if not p.startswith("Outlook Drafts:")}:
            fsync_folder(folder)
        same = {r.announce for r in staged if isinstance(r, StagedFile) and r.path in self.unchanged}
        summary = [(f"{line} (unchanged)" if line in same and not any(
                        isinstance(r, StagedFile) and r.announce == line and str(r.path) in written
                        for r in staged) else line)
                   if all(oks) else f"{line} (only {sum(oks)} of {len(oks)} written)"
                   for line, oks in announced.items() if any(oks)]
        summary += _outlook_summary(staged, written)
        summary += removed
        problem = "; ".join(dict.fromkeys(problems)) or (
            "they were not prepared before the save" if left else None)
        return Published(tuple(written), tuple(left), problem, tuple(summary), tuple(notes), tuple(not_removed),
                         tuple(undoable))


def _keep_replaced(path: Path, tmp: Path, aside: Path) -> Undoable:
    """The record of a draft about to be put in place from ``tmp``, the draft it replaces kept in ``aside``
    first. A draft that cannot be kept is still replaced (an out-of-date e-mail must not stay): its undo then
    says it cannot be put back."""
    kept, not_kept = None, None
    if replaced := path.is_file():
        try:
            kept = keep(path, aside, move=False)
        except OSError as exc:
            not_kept = _not_kept(exc, aside)
    return Undoable(path, digest(tmp), kept, replaced, not_kept)


def _not_kept(exc: OSError, aside: Path) -> str:
    """Why a draft could not be kept in the run's folder in 'prodbook backups', in words."""
    if path_too_long(exc):
        return (f"its copy's path in '{BACKUP_DIR}/{aside.name}' is longer than this computer allows: Windows "
                "allows 260 characters for the whole path, folders included. Move the workbook to a folder with "
                "a shorter path")
    if isinstance(exc, PermissionError):
        return f"prodbook may not write in '{aside}'"
    return f"'{aside}': {exc.strerror or exc}"


def _not_removed(path: Path, reason: str) -> str:
    return (f"'{path.name}' in '{path.parent}' is out of date and was not removed ({reason}); delete it by hand "
            "so that nobody sends it")


def open_elsewhere(path: Path, lock: Path) -> str:
    """Why a report or draft open in Excel was left as it was (Windows would refuse the write; a Mac or a
    network drive would let it pass under the reader's eyes), and what to do."""
    return (f"{open_in_excel(path.name, lock)}: its lock file '{lock.name}' is beside it, so it was left as it "
            f"was. Close it, or if nobody has it open, delete '{lock.name}'")


def prepare(staged: Sequence[Staged], *, workbook: Path | None = None) -> Prepared:
    """Write every staged file as a temporary file beside its target; nothing is visible yet.

    Raises:
        UserError: a file would replace ``workbook`` itself, or could not be written (a full
            disk, a read-only folder); every temporary file and folder made so far is removed again.
    """
    for record in staged:
        if isinstance(record, StagedFile) and workbook is not None and same_file(record.path, workbook):
            raise UserError(f"'{record.path.name}' is the workbook itself: prodbook will not write over it. "
                            "Choose another file name with --out", file=str(record.path))
    out = Prepared()
    try:
        for record in staged:
            if not isinstance(record, StagedFile):
                continue
            new = _new_folders(record.path.parent)
            for folder in new:
                folder.mkdir()
                out.folders.append(folder)
            old = out.temps.pop(record.path, None)  # staged twice: the last one wins
            if old is not None:
                remove_temp(old)
            out.unchanged.discard(record.path)
            tmp = write_temp(record.path, record.content)
            if same_content(tmp, record.path):  # a run with nothing new leaves the file alone
                remove_temp(tmp)
                out.unchanged.add(record.path)
            else:
                out.temps[record.path] = tmp
    except OSError as exc:
        out.discard()
        assert isinstance(record, StagedFile)  # only files are written here: Outlook's drafts wait for publish
        failed = record.path
        then = "" if path_too_long(exc) else ". Free some space (or choose another folder) and run again"
        raise UserError(f"{why(exc, failed.name, failed.parent)}. Nothing was written: the workbook, drafts and "
                        f"reports are as they were{then}", file=str(failed)) from None
    except BaseException:
        out.discard()
        raise
    return out


_TEMP = re.compile(r"^\.~.+\.prodbook(\.[a-z0-9_]{8}(\.[^.]+)?|-undo)$", re.IGNORECASE)
"""The names of prodbook's temporary files in a folder of drafts: '.~BD1_.prodbook.k2j4x_9q.eml' (a draft or
drafts record being written, ``atomic.write_temp``), '.~BD1_follow-up_2027-03-01.eml.prodbook-undo' (a draft an
undo puts back from another drive)."""
_LOCK_SUFFIX = ".prodbook-lock"
"""How a write lock's file name ends (``lock.lock_path``: '.~NAME.xlsx.prodbook-lock')."""
LIVE_TEMP_SECONDS = 600.0
"""How old a temporary file must be to be taken for a stopped run's where no write lock can say so: a run
inside Excel takes none (Excel holds its workbook), and a --out folder may be any tracker's."""


STOPPED_RUN = "a stopped prodbook run left"
UNFINISHED = "drafts it had not finished: nothing to send"
"""The words of the line that names them, as a run says it removed them and a dry run that it would."""


def is_temp(name: str) -> bool:
    """Is ``name`` one of prodbook's temporary files (``_TEMP``)? A run stopped between writing its drafts and
    putting them in place leaves them; they are never drafts, and are never named as such."""
    return _TEMP.match(name) is not None


def leftover_temps(folders: Sequence[Path]) -> list[Path]:
    """The temporary files in ``folders`` (``is_temp``), for a dry run to name."""
    found: list[Path] = []
    for folder in folders:
        try:
            found += sorted(Path(e.path) for e in os.scandir(folder) if is_temp(e.name)
                            and e.is_file(follow_symlinks=False))
        except OSError:
            continue
    return found


def clear_leftovers(record: StagedLeftovers, own: set[Path]) -> list[str]:
    """Remove the temporary files a stopped run left in ``record.folders`` (never ``own``: this run's, not yet
    put in place), and each day's folder beside the workbook left empty by that: summary lines. Nothing is
    removed while another run may be writing there (``_others_at_work``); a file that cannot be removed stays for
    a later run, unsaid."""
    mine = {_whole(p) for p in own}  # a relative workbook path (the command's) names them from the folder typed in
    found = [p for p in leftover_temps(record.folders) if _whole(p) not in mine]
    if not found:
        return []
    at_work, excel = _others_at_work(record.workbook)
    if at_work:
        return []
    said = []
    for folder in dict.fromkeys(p.parent for p in found):
        gone = 0
        for p in (p for p in found if p.parent == folder):
            if (excel or not record.beside) and not _older_than(p, LIVE_TEMP_SECONDS):
                continue
            try:
                p.unlink()
                gone += 1
            except OSError:
                continue
        if not gone:
            continue
        empty = ""
        try:
            if record.beside:  # a day's folder a stopped run made for its drafts alone; never a --out folder
                folder.rmdir()  # only when nothing is left
                empty = "; the folder, left empty, went too"
        except OSError:
            pass
        said.append(f"  Removed {gone:,} temporary file(s) {STOPPED_RUN} in '{folder}' ({UNFINISHED}){empty}")
    return said


def _others_at_work(workbook: Path) -> tuple[bool, bool]:
    """(Does another prodbook run hold the write lock of a workbook in ``workbook``'s folder (the runs that write
    into its 'Follow-up drafts')?; is a workbook there open in Excel or LibreOffice, where the add-in's run takes
    no write lock?). Each lock is tried, not waited for, and left as it is (``lock.check_not_taken``: a lock
    left by a stopped run, and the note in it, are that workbook's next run's to take over)."""
    from prodbook.workbook.lock import check_not_taken, lock_path  # the locks only where temporary files are left

    folder = Path(workbook).parent
    try:
        names = [e.name for e in os.scandir(folder)]
    except OSError:
        return True, True
    own = lock_path(workbook).name.casefold()
    excel = any(n.startswith("~$") or (n.startswith(".~lock.") and n.endswith("#")) for n in names)
    for name in names:
        if not (name.startswith(".~") and name.endswith(_LOCK_SUFFIX)) or name.casefold() == own:
            continue
        try:
            check_not_taken(folder / name[2:-len(_LOCK_SUFFIX)])
        except WorkbookLocked:  # WorkbookBusy: a run at work
            return True, excel
    return False, excel


def _whole(path: Path) -> str:
    """``path`` whole, as the disk compares it: the same file named from two folders is one."""
    return os.path.normcase(os.path.abspath(path))


def _older_than(path: Path, seconds: float) -> bool:
    try:
        return time.time() - path.stat().st_mtime > seconds
    except OSError:
        return False


VOLATILE_PARTS = frozenset({"docProps/core.xml"})
"""Package parts that only say when a file was made: two reports that differ only there are the same."""


_CHUNK = 1 << 20
"""Bytes compared at a time: a Change Log moved out holds a part of hundreds of megabytes."""


def _same_stream(a: IO[bytes], b: IO[bytes]) -> bool:
    while True:
        x, y = a.read(_CHUNK), b.read(_CHUNK)
        if x != y:
            return False
        if not x:
            return True


def same_content(new: Path, old: Path) -> bool:
    """Does ``old`` already hold what ``new`` holds? Byte for byte, or (a workbook) part for part but its
    creation time. Compared a megabyte at a time: a whole part in memory twice could pass 2 GB."""
    try:
        if not old.is_file() or old.stat().st_size == 0:
            return False
        if new.stat().st_size == old.stat().st_size:
            with new.open("rb") as fa, old.open("rb") as fb:
                if _same_stream(fa, fb):
                    return True
        if not (zipfile.is_zipfile(new) and zipfile.is_zipfile(old)):
            return False
        with zipfile.ZipFile(new) as a, zipfile.ZipFile(old) as b:
            names = a.namelist()
            if names != b.namelist():
                return False
            for n in names:
                if n in VOLATILE_PARTS:
                    continue
                if (a.getinfo(n).file_size, a.getinfo(n).CRC) != (b.getinfo(n).file_size, b.getinfo(n).CRC):
                    return False
                with a.open(n) as pa, b.open(n) as pb:
                    if not _same_stream(pa, pb):
                        return False
            return True
    except (OSError, zipfile.BadZipFile):
        return False


def same_file(a: Path, b: Path) -> bool:
    """``a`` and ``b`` are one file (the same path resolved, or a link to it, another spelling on Windows).

    A file's id proves it only where the drive gives one: a WebDAV-mapped SharePoint library and some cloud
    drives say 0 for every file, which would make every vendor file there "the tracker itself"."""
    try:
        if os.path.normcase(a.resolve()) == os.path.normcase(Path(b).resolve()):
            return True
        if not a.exists():
            return False
        sa, sb = os.stat(a), os.stat(b)
        return sa.st_ino != 0 and (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)
    except OSError:
        return False


def _send(record: OutlookDrafts) -> tuple[list[str], list[str], str | None, list[str], list[str]]:
    """Hand the drafts over: (made, not made, why not, summary lines of today's earlier Outlook drafts deleted,
    warnings for those Outlook would not delete)."""
    from prodbook.core.followups import draft_vendor, vendor_key
    from prodbook.workbook.outlook import DraftMark, deliver  # Outlook only when there are drafts for it

    mark = DraftMark(record.mark, record.day.isoformat()) if record.mark and record.day else None
    got = deliver(list(record.messages), record.folder, None if record.outlook is None else lambda: record.outlook,
                  names=record.names, mark=mark)
    new = {vendor_key(draft_vendor(m)) for m in record.messages}
    gone = [_replaced(e, vendor_key(e.vendor) in new) for e in got.removed]
    kept = [f"today's earlier Outlook draft '{e.subject}' is out of date and was not removed ({said}); delete it "
            "from Outlook's Drafts folder by hand so that nobody sends it" for e, said in got.not_removed]
    if got.stopped is not None:  # only .eml files stop so: there is a folder
        stop = got.stopped
        return stop.done, stop.left, why(stop.cause, stop.name, record.folder or Path.cwd()), gone, kept
    if len(got.done) < len(record.messages):  # Outlook is not there, and there is no folder for .eml files
        return got.done, [str(m["Subject"]) for m in record.messages[len(got.done):]], no_folder(
            "The follow-up e-mail drafts Outlook did not take were"), gone, kept
    return got.done, [], None, gone, kept


def _replaced(draft: Earlier, replaced: bool) -> str:
    """The summary line of one of today's earlier Outlook drafts deleted (Outlook keeps it in Deleted Items);
    ``replaced``: its vendor has a new draft this run."""
    vendor = draft.vendor or "its vendor"
    now = (f"{vendor}'s new draft replaces it" if replaced
           else f"{vendor} has nothing left to chase")
    return f"  Removed today's earlier Outlook draft '{draft.subject}' (now in Deleted Items): {now}"


def _outlook_summary(staged: Sequence[Staged], written: Sequence[str]) -> list[str]:
    out = []
    in_outlook = sum(1 for w in written if w.startswith("Outlook Drafts:"))
    if in_outlook:
        out.append(f"  E-mail drafts: {in_outlook} in Outlook's Drafts folder")
    for record in staged:
        files = [w for w in written if not w.startswith("Outlook Drafts:")]
        if not isinstance(record, OutlookDrafts) or not any(Path(w).parent == record.folder for w in files):
            continue
        out.append(f"  E-mail drafts (open in Outlook): {record.folder}")
        if record.outlook is not None:  # the sheet was told Outlook: say which went to files after all
            out.append(f"  Outlook stopped taking drafts part-way: {len(files)} are .eml files in that folder "
                       "instead (double-click one to open it in Outlook); the Follow-ups sheet's Draft column "
                       "still names them as Outlook drafts until the next run")
    return out


__all__ = ["OutlookDrafts", "Prepared", "Published", "Staged", "StagedEmptyFolders", "StagedFile", "StagedKeptDrafts",
           "StagedLeftovers", "StagedRemoval", "StagedRestore",
           "clear_leftovers", "drafts_undone", "is_temp", "leftover_temps", "no_folder", "prepare", "same_file",
           "why",
           "write_atomic"]
