"""Keeping the user's workbook safe on disk: lock files, backups, atomic replace.

A write goes: the workbook's stamp is taken when it is read (``Stamp``); at
commit one handle is opened and checked against it (``Source``); the backup
and the new file copy their bytes from that handle only; the new file is
verified (``verify_package``); and just before the replace the path is
checked again, so a save by Excel or anyone else meanwhile means nothing is
written. ``WRITE_HOOKS`` lets the fault-injection tests act at each step.
"""

from __future__ import annotations

import bisect
import errno
import filecmp
import hashlib
import io
import os
import re
import shutil
import tempfile
import time
import unicodedata
import zipfile
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module
from pathlib import Path
from typing import Any, BinaryIO, TypeAlias
from xml.parsers import expat

__all__ = ["WorkbookLocked", "NotWritten", "SavedMeanwhile", "lock_files", "backup", "make_backup",
           "rotate_backups", "atomic_write", "side_copy_path", "BACKUP_DIR", "Stamp", "Source",
           "verify_package", "PartFailed", "part_parses", "os_error_message", "unreadable_message", "clean_leftovers",
           "WRITE_STEPS", "WRITE_HOOKS", "step", "locked_message", "open_in_excel", "refuse_if_open", "set_hidden",
           "owner_file_names", "drop_unused_backup", "replace_refused_message"]

BACKUP_DIR = "prodbook backups"

StrPath: TypeAlias = "str | os.PathLike[str]"
"""A file name as the callers have it: a Path, or the text of one."""


class WorkbookLocked(Exception):
    """The workbook is open in Excel (or another program)."""


class NotWritten(WorkbookLocked):
    """prodbook wrote nothing, for a plain reason its message gives (read-only, disk full...)."""


class SavedMeanwhile(NotWritten):
    """Someone saved the workbook while prodbook was working on it."""


def saved_meanwhile_message(path: Path) -> str:
    return (f"'{path.name}' was changed by someone or something else (saved from Excel, synced, copied over) "
            "while prodbook was working on it, so prodbook wrote nothing: that would have lost their change. "
            "Run prodbook again.")


# --------------------------------------------------------------------------- test seam
WRITE_STEPS = ("read", "opened", "backup", "writing", "written", "verified", "replace")
"""The moments of a write where the fault-injection tests may act, in order."""
WRITE_HOOKS: tuple[Callable[[str, Path], None], ...] = ()
"""Called as ``hook(step, workbook)`` at each of ``WRITE_STEPS``; empty except in tests."""


def step(name: str, path: Path) -> None:
    for hook in WRITE_HOOKS:
        hook(name, path)


# --------------------------------------------------------------------------- what was read
@dataclass(frozen=True)
class Stamp:
    """What tells the file at a path is still the one prodbook read."""

    size: int
    mtime_ns: int
    file_id: tuple[int, int]
    """(device, inode / Windows file id): a save by replace gives a new file."""
    digest: str = ""
    """A hash of the content: an in-place rewrite that kept size and time is still seen."""

    def same_file(self, st: os.stat_result) -> bool:
        return (st.st_size, st.st_mtime_ns, (st.st_dev, st.st_ino)) == (self.size, self.mtime_ns, self.file_id)


def _digest(fp: io.BufferedReader) -> str:
    fp.seek(0)
    return hashlib.file_digest(fp, "blake2b").hexdigest()


def _stat_stamp(st: os.stat_result, digest: str = "") -> Stamp:
    return Stamp(st.st_size, st.st_mtime_ns, (st.st_dev, st.st_ino), digest)


def read_stamp(path: Path) -> Stamp:
    """The stamp of the workbook as it is now (taken when prodbook reads it)."""
    with open(path, "rb") as fp:
        return _stat_stamp(os.fstat(fp.fileno()), _digest(fp))


class Source:
    """The workbook opened once for writing, checked against the stamp taken at read time.

    The backup and the new file copy their bytes from ``fp`` only; the path is
    never opened again. Raises SavedMeanwhile when the file is not the one read.
    """

    def __init__(self, path: Path, stamp: Stamp) -> None:
        self.path, self.stamp = Path(path), stamp
        self.fp: io.BufferedReader = open(self.path, "rb")  # noqa: SIM115 - closed by close() or the with block
        try:
            if not stamp.same_file(os.fstat(self.fp.fileno())) or (stamp.digest and _digest(self.fp) != stamp.digest):
                raise SavedMeanwhile(saved_meanwhile_message(self.path))
            self.fp.seek(0)
        except BaseException:
            self.fp.close()
            raise

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.fp.close()

    def unchanged(self) -> bool:
        """Is the path still the file that was read (same size, time and file id)?"""
        try:
            return self.stamp.same_file(os.stat(self.path))
        except OSError:
            return False

    def check_before_replace(self) -> None:
        """The last moment: close the handle (Windows cannot replace an open file), then look again."""
        self.close()
        if not self.unchanged():
            raise SavedMeanwhile(saved_meanwhile_message(self.path))


# --------------------------------------------------------------------------- the new file
def verify_package(path: Path, parse: Collection[str] | None = None,
                   progress: Callable[[str, int, int], None] | None = None,
                   unparsed: Mapping[str, Sequence[tuple[int, int]]] | None = None) -> None:
    """Refuse a written package whose members fail their CRC or whose XML does not parse.

    Every member's CRC is checked; the XML parts named in ``parse`` (default:
    all) are parsed too. The file back end passes the parts it wrote: the
    others are byte copies of the original's, which their CRCs prove (parsing
    every part of a 20 MB package costs about 5 s, the CRCs about 1 s).
    Streams each member (bounded memory); XML entity declarations are refused
    as the readers refuse them. Raises ValueError naming the part. ``progress(what, done, total)`` hears
    the bytes checked so far. ``unparsed``: part -> byte ranges (in order) of whole rows the writer copied
    unchanged from the original (a long Change Log's rows above the new ones, the rows between the edited
    ones), read for the CRC but not parsed again, for the reason whole copied parts are not: what is around
    them, the joins included, still is.
    """
    with zipfile.ZipFile(path) as z:
        total, done = sum(i.file_size for i in z.infolist()), 0
        for info in z.infolist():
            xml = info.filename.lower().endswith((".xml", ".rels")) and (parse is None or info.filename in parse)
            parser = _xml_parser() if xml else None
            skip = (unparsed or {}).get(info.filename, ())
            at = 0
            try:
                with z.open(info) as member:  # reading to the end checks the CRC
                    while chunk := member.read(1 << 20):
                        if parser is not None:
                            for piece in _outside(chunk, at, skip):
                                parser.Parse(piece, False)
                        at += len(chunk)
                        if progress is not None:
                            done += len(chunk)
                            progress("Checking the file written", done, total)
                if parser is not None:
                    parser.Parse(b"", True)
            except (zipfile.BadZipFile, expat.ExpatError, EOFError) as exc:
                raise PartFailed(info.filename, f"the file prodbook wrote failed its check at part "
                                                f"{info.filename}: {exc}") from exc


def _xml_parser() -> Any:
    """An expat parser that refuses entity declarations, as the readers refuse them."""
    parser = expat.ParserCreate()
    parser.EntityDeclHandler = _refuse_entities
    return parser


class PartFailed(ValueError):
    """A part of a written package that fails its check (``part``: its name in the zip)."""

    def __init__(self, part: str, message: str) -> None:
        super().__init__(message)
        self.part = part


def part_parses(fp: BinaryIO, part: str) -> bool:
    """Does ``part`` of the package open as ``fp`` parse as XML? (Asked of the original when the written
    file fails its check at a part: was the part broken before prodbook touched it?)"""
    fp.seek(0)
    try:
        with zipfile.ZipFile(fp) as z, z.open(part) as member:
            parser = _xml_parser()
            while chunk := member.read(1 << 20):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except (zipfile.BadZipFile, expat.ExpatError, EOFError, KeyError, ValueError):
        return False
    return True


def _outside(chunk: bytes, at: int, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
    """The pieces of ``chunk`` (its first byte at offset ``at``) outside ``ranges`` (in order, apart)."""
    end = at + len(chunk)
    i = bisect.bisect_right(ranges, (at, end)) - 1  # the last range starting at or before ``at``, if any
    pieces, pos = [], at
    for lo, hi in ranges[max(i, 0):]:
        if lo >= end:
            break
        if hi <= pos:
            continue
        if lo > pos:
            pieces.append(chunk[pos - at:lo - at])
        pos = max(pos, hi)
    if pos < end:
        pieces.append(chunk[pos - at:])
    return pieces


def _refuse_entities(*_: object) -> None:
    raise expat.ExpatError("entity declarations are not allowed")


# --------------------------------------------------------------------------- plain causes
_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_WIN_DISK_FULL = {39, 112}  # ERROR_HANDLE_DISK_FULL, ERROR_DISK_FULL
_DENIED = {errno.EACCES, errno.EPERM, errno.EROFS}
_WIN_MAX_PATH = 260
"""Windows' path limit, folders included, unless long paths were turned on for the whole computer."""


def path_too_long(exc: OSError) -> bool:
    """A name or path the file system refused for its length: Windows says 206 (ERROR_FILENAME_EXCED_RANGE),
    or 3, path not found, for a path past its limit."""
    winerror = getattr(exc, "winerror", None)
    return exc.errno == errno.ENAMETOOLONG or winerror == 206 or (
        winerror == 3 and len(os.path.abspath(exc.filename or "")) >= _WIN_MAX_PATH)


def os_error_message(exc: OSError, workbook: Path | None = None) -> str | None:
    """The plain sentence for an OS error the APM can act on (read-only, disk full), else None."""
    name = f"'{workbook.name}'" if workbook else "the file"
    # whole paths: a run in the workbook's own folder named that folder '.'
    workbook = Path(os.path.abspath(workbook)) if workbook is not None else None
    where = Path(os.path.abspath(exc.filename)) if exc.filename else workbook
    folder = None if where is None else where if _is_dir(where) else where.parent
    if exc.errno in _DISK_FULL or getattr(exc, "winerror", None) in _WIN_DISK_FULL:
        on = f" holding '{folder}'" if folder else ""
        return (f"The disk{on} is full, so prodbook could not save {name} and wrote nothing: it is as it "
                "was. Free some space (empty the Recycle Bin, move old copies out of 'prodbook backups') "
                "and run again.")
    if exc.errno == errno.EFBIG:  # a disk or share that takes files up to a size (FAT32: 4 GB; a quota)
        on = f" holding '{folder}'" if folder else ""
        return (f"The disk{on} does not take a file this large, so prodbook could not save {name} and wrote "
                "nothing: it is as it was. Save the workbook on another drive (your Documents folder), or "
                "make it smaller (archive a past season's rows), and run again.")
    if path_too_long(exc):
        if workbook is None:
            return (f"the path '{where}' is longer than this computer allows (Windows allows {_WIN_MAX_PATH} "
                    "characters for the whole path, folders included). Choose a shorter name, or a folder with "
                    "a shorter path, and run again.")
        return (f"prodbook could not make the files it keeps beside {name} (a lock while it works, backups in "
                f"'{BACKUP_DIR}'): their names are longer than this computer allows (Windows allows "
                f"{_WIN_MAX_PATH} characters for the whole path, folders included), so it did not change {name}. "
                "Give the workbook a shorter name, or move it to a folder with a shorter path, then run again.")
    if isinstance(exc, PermissionError) or exc.errno in _DENIED:
        if workbook is not None and (where == workbook or _read_only(workbook)):
            return (f"{name} is read-only, so prodbook did not change it. In File Explorer right-click it, "
                    "choose Properties and clear 'Read-only' (or ask whoever shares it for edit rights), "
                    "then run again.")
        if folder is not None:
            return (f"prodbook is not allowed to write in the folder '{folder}', so it did not change "
                    f"{name}. Copy the workbook into a folder you can save in (such as Documents), or ask "
                    "for edit rights to that folder, then run again.")
    return None


_WIN_IN_USE = {32, 33}  # ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION
_WIN_CLOUD = range(358, 428)
"""Windows' cloud-file errors (ERROR_CLOUD_FILE_*): OneDrive or another sync program could not hand the file over
(not running, offline, signed out, the download failed)."""


def unreadable_message(exc: OSError, path: Path) -> str:
    """Why the file at ``path`` could not even be opened for reading, in the APM's words: Windows refuses a file
    another program holds (a CSV open in Excel, a file OneDrive is still syncing), a cloud drive that could not
    download it, no right to read it. Never "damaged": the file itself may be fine."""
    name = f"'{Path(path).name}'"
    winerror = getattr(exc, "winerror", None)
    if winerror in _WIN_CLOUD:
        return (f"{name} could not be opened: it is in a OneDrive or SharePoint folder and its content could not "
                "be downloaded to this computer (OneDrive not running, offline, or signed out). Open OneDrive, let "
                "it finish syncing (or right-click the file and choose 'Always keep on this device'), then run "
                "again")
    if winerror in _WIN_IN_USE or isinstance(exc, PermissionError) or exc.errno in _DENIED:
        return (f"{name} could not be opened: another program is using it (Excel, or OneDrive while it syncs), "
                "or you are not allowed to read it. Close it in the other program (or wait for the sync to "
                "finish), or copy it into a folder of your own, then run again")
    return f"{name} could not be opened ({exc.strerror or exc}). Check the file, then run again"


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _read_only(path: Path) -> bool:
    try:
        return path.exists() and not os.access(path, os.W_OK)
    except OSError:
        return False


def read_only_message(path: Path) -> str | None:
    """The read-only message when the workbook file is marked read-only, else None."""
    return os_error_message(PermissionError(errno.EACCES, "read-only", str(path)), path) if _read_only(path) else None


def open_in_excel(name: str, lock: Path) -> str:
    """"'NAME' is open in Excel (or another program), by WHO": how every message says that a workbook, report or
    draft is open, WHO read from its lock file ``lock`` (left out when the lock file names nobody). Each message
    goes on with what that means for its run."""
    who = lock_holder(lock)
    return f"'{name}' is open in Excel (or another program){f', by {who}' if who else ''}"


def locked_message(name: str, lock: Path) -> str:
    """The workbook is open in Excel (its lock file beside it): who has it, and what to do, also when nobody
    has: Excel that closed unexpectedly leaves its lock file behind, hidden, and every run would stop on it.
    The one message for it, whenever in a run the lock file is seen (before the write or at its last moment)."""
    return (f"{open_in_excel(name, lock)}: its lock file "
            f"'{lock.name}' is beside it. Close the workbook and run prodbook again, or use the prodbook tab inside "
            f"Excel. If nobody has it open (Excel closed unexpectedly), delete '{lock.name}': it is a hidden file "
            "(File Explorer: View > Show > Hidden items; a Mac's Finder: Cmd+Shift+.)")


def replace_refused_message(path: Path) -> str:
    """Windows would not let the workbook be replaced, and no lock file says who holds it (Excel on another PC
    of a share, a program that opens files without one)."""
    return (f"'{path.name}' is open in Excel (or another program): Windows would not let prodbook replace it, so "
            "prodbook did not change it. Close the workbook and run again, or use the prodbook tab inside Excel.")


def refuse_if_open(path: Path) -> None:
    """Raise WorkbookLocked when a lock file shows the workbook open now. Asked before a write and again at its
    last moment: Excel may open the workbook while prodbook writes, and on a Mac or a network share the file
    could then be replaced under the open Excel."""
    if locks := lock_files(path):
        raise WorkbookLocked(locked_message(path.name, locks[0]))


def owner_file_names(name: str) -> tuple[str, ...]:
    """The owner files ("~$") Microsoft Office may write beside a document called ``name`` while it is open.

    Excel (and PowerPoint) write "~$" + the whole name. Word shortens it: "~$" takes the place of the first two
    characters of a name of 8 or more before its extension, of the first one of a name of 7. The source is
    LibreOffice, which writes Office's owner files for Office to read (their format reverse-engineered from
    Office 2016): ``svl/source/misc/msodocumentlockfile.cxx`` and its tests,
    ``svl/qa/unit/lockfiles/test_lockfiles.cxx`` ("12345678.xlsx" gives "~$12345678.xlsx", "12345678.docx"
    "~$345678.docx"). The form with one character cut from a longer name is kept as prodbook always took it
    (Outlook's editor on a draft, as the drafts' tests have it). The shortened forms come after the first:
    ``lock_files`` takes them only when no other file in the folder would give that name.
    """
    stem = len(Path(name).stem)
    return ("~$" + name, *(["~$" + name[1:]] if stem >= 7 else []), *(["~$" + name[2:]] if stem >= 8 else []))


def lock_files(path: StrPath) -> list[Path]:
    """Owner/lock files beside `path` that show the workbook is open.

    Excel writes "~$NAME.xlsx" (``owner_file_names``), LibreOffice ".~lock.NAME.xlsx#". A Word-style shortened
    name ("~$oduction.xlsx" for "Production.xlsx") is not Excel's: it is taken for this workbook only when no
    other file in the folder would give it. Until 2026-12-08 the names with one and two characters cut were
    always taken, so a colleague's "~$SS27 Tracker.xlsx" stopped every run on "MSS27 Tracker.xlsx", naming
    them, and the message told the APM to delete their real lock file.
    """
    path = Path(path)
    name = path.name
    folder = path.parent
    owners = owner_file_names(name)
    found = []
    for c in (*owners, f".~lock.{name}#"):
        p = folder / c
        try:
            there = p.is_file()
        except OSError:  # a name longer than the drive allows: no such lock file can exist
            there = False
        if there and p not in found and (c not in owners[1:] or not _claimed_by_another(folder, name, c)):
            found.append(p)
    return found


def _claimed_by_another(folder: Path, name: str, lock: str) -> bool:
    """Would another file in ``folder`` give the owner file ``lock``? Names compared as Windows and a Mac
    compare them (in any case, in one Unicode form). A folder that cannot be listed: no, so the lock is taken
    for this workbook's and the run stops rather than write under an open Excel."""
    def fold(text: str) -> str:
        return unicodedata.normalize("NFC", text).casefold()

    try:
        names = [e.name for e in os.scandir(folder)]
    except OSError:
        return False
    mine, wanted = fold(name), fold(lock)
    return any(fold(n) != mine and not n.startswith("~$") and wanted in map(fold, owner_file_names(n))
               for n in names)


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
    return _owner_name(data) if data else None


def _owner_name(data: bytes) -> str | None:
    """The name in Office's owner file (``~$``): its length and the name in the PC's ANSI code page, padded to
    54 bytes; then, in the files Office writes now, its length again and the name in UTF-16. The UTF-16 copy is
    the one a Japanese or Chinese name reads right from; the ANSI one is read as Windows' Western European."""
    if len(data) >= 56:
        count = int.from_bytes(data[54:56], "little")
        if 0 < count <= 54 and len(data) >= 56 + 2 * count:
            try:
                name = data[56:56 + 2 * count].decode("utf-16-le").strip()
            except UnicodeDecodeError:
                name = ""
            if name and name.isprintable():
                return name
    if not data[0] or len(data) < 1 + data[0]:  # not an owner file Office wrote: no name to trust
        return None
    name = data[1:1 + data[0]].decode("cp1252", "replace").strip()
    return name or None


_STAMP = "%Y-%m-%d %H%M%S"


def _backup_re(path: Path) -> Callable[[str], re.Match[str] | None]:
    """Whether a file name is one of ``path``'s backups (its stamp and count as groups 1 and 2). Names are
    compared in one Unicode form: an older Mac disk gives back an accented name otherwise than it was written,
    and its backups would never be let go of."""
    pattern = re.compile(
        "^" + re.escape(unicodedata.normalize("NFC", path.stem)) + r" (\d{4}-\d\d-\d\d \d{6})(?: \((\d+)\))?"
        + re.escape(path.suffix) + "$", re.IGNORECASE)
    return lambda name: pattern.match(unicodedata.normalize("NFC", name))


def backup(path: StrPath, keep: int = 20) -> Path:
    """Copy the workbook into "prodbook backups/" beside it; keep the newest `keep` copies."""
    made = make_backup(path)
    rotate_backups(path, keep, made)
    return made


def _backup_temp_prefix(path: Path) -> str:
    return f".~prodbook-backup.{path.stem}."


def make_backup(path: StrPath, source: BinaryIO | None = None) -> Path:
    """Copy the workbook (from the open handle ``source`` when given) into "prodbook backups/".

    The copy keeps the original's modification time. Older backups are left
    alone: ``rotate_backups`` runs once the write has succeeded, so a failed
    write, whose own backup is removed, never costs an older one.
    """
    path = Path(path)
    folder = path.parent / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    stamp = datetime.now().strftime(_STAMP)
    pat = _backup_re(path)
    # several backups within one second: " (2)", " (3)", ... after the highest already there,
    # so that names always sort oldest to newest
    used = [int(m.group(2) or 1) for p in folder.iterdir() if (m := pat(p.name)) and m.group(1) == stamp]
    n = max(used, default=0) + 1
    target = folder / (f"{path.stem} {stamp}{path.suffix}" if n == 1 else f"{path.stem} {stamp} ({n}){path.suffix}")
    while target.exists():  # a file of another case or a race
        n += 1
        target = folder / f"{path.stem} {stamp} ({n}){path.suffix}"
    # copy under a temporary name first so a half-written backup never looks complete
    fd, tmp = tempfile.mkstemp(prefix=_backup_temp_prefix(path), suffix=path.suffix, dir=folder)
    try:
        set_hidden(tmp)  # written through fd, never opened anew: hidden from the start (shown by replace_file)
        with open(fd, "wb") as out:
            if source is None:
                with open(path, "rb") as src:
                    st = os.fstat(src.fileno())
                    shutil.copyfileobj(src, out, 1 << 20)
            else:
                st = os.fstat(source.fileno())
                source.seek(0)
                shutil.copyfileobj(source, out, 1 << 20)
            out.flush()
            durable(out.fileno())
        os.chmod(tmp, st.st_mode & 0o777)  # as shutil.copy2 did: the backup reads like the original
        os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))
        replace_file(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def drop_unused_backup(workbook: StrPath, name: str, folder_made: bool = False) -> Path | None:
    """Remove the backup ``name`` that a killed run made of ``workbook`` and never used: the run died before
    its replace, so the backup is a copy of the workbook as it still is, byte for byte (checked), and the
    folder is left as a run that stops leaves it. Only the write lock's holder calls this, knowing the run
    that made the backup is dead (``lock.WriteLock``). A backup the workbook no longer equals (the run did
    replace it, or someone saved it since) is kept, and so is any name that is not one of its backups.
    ``folder_made``: that run made "prodbook backups", which goes too when nothing else is in it."""
    workbook = Path(workbook)
    folder = workbook.parent / BACKUP_DIR
    backup_file = folder / name
    if Path(name).name != name or not _backup_re(workbook)(name):
        return None
    try:
        if not backup_file.is_file() or not filecmp.cmp(backup_file, workbook, shallow=False):
            return None
        backup_file.unlink()
    except OSError:
        return None
    if folder_made:
        try:
            folder.rmdir()
        except OSError:  # something else is in it now
            pass
    return backup_file


def rotate_backups(path: StrPath, keep: int, newest: Path | None = None) -> None:
    """Keep the newest ``keep`` backups of this workbook (never fewer than one, never ``newest``)."""
    path = Path(path)
    folder = path.parent / BACKUP_DIR
    pat = _backup_re(path)
    mine = []
    for p in folder.iterdir():
        m = pat(p.name)
        if m and p.is_file():
            mine.append(((m.group(1), int(m.group(2) or 1)), p))
    mine.sort()
    if keep >= 0:
        for _, p in mine[: max(0, len(mine) - max(keep, 1))]:
            if p != newest:
                try:
                    p.unlink()
                except OSError:
                    pass


def atomic_write(path: StrPath, write: Callable[[Path], None], *, check_lock: bool = True,
                 verify: Callable[[Path], None] | None = None,
                 before_replace: Callable[[], None] | None = None) -> None:
    """Have `write(tmp)` write a temporary file beside `path`, then replace `path` with it.

    ``verify(tmp)`` checks the written file and ``before_replace()`` looks at
    the original one last time; either may raise to stop the replace. On any
    error the temporary file is removed and `path` is untouched. When the
    workbook is open (a lock file beside it, or Windows refusing the replace)
    WorkbookLocked is raised with a message for the user; with ``check_lock`` the lock files are looked for
    before the write and again just before the replace, after ``before_replace``.
    """
    path = Path(path)
    if check_lock:
        refuse_if_open(path)
    fd, tmp_name = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        tmp.unlink()  # write() gets a path that does not exist yet, like a normal "save as"
        write(tmp)
        if not tmp.is_file():
            raise RuntimeError(f"nothing was written for {path.name}")
        set_hidden(tmp)  # only now: Windows refuses to open a hidden file for writing anew, as write() does
        step("written", path)
        if verify is not None:
            verify(tmp)
            step("verified", path)
        try:
            mode = os.stat(path).st_mode & 0o7777 if path.exists() else 0o666 & ~umask()
            os.chmod(tmp, mode)
        except OSError:
            pass
        with open(tmp, "rb+") as f:
            durable(f.fileno())
        step("replace", path)
        if before_replace is not None:
            before_replace()
        if check_lock:
            refuse_if_open(path)
        try:
            replace_file(tmp, path)
        except PermissionError as e:
            raise (NotWritten(read_only_message(path)) if _read_only(path)
                   else WorkbookLocked(replace_refused_message(path))) from e
        fsync_folder(path.parent)
    except BaseException:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:  # Windows: still held by a writer that failed; the next run's clean_leftovers takes it
            pass
        raise


_REPLACE_PAUSES = (0.05, 0.1, 0.2, 0.4)
"""Seconds between tries of a refused replace: 0.75 s in all before the refusal is believed."""


def replace_file(src: StrPath, dst: StrPath) -> None:
    """``os.replace``, tried again for a moment when refused: on Windows an antivirus scanner or OneDrive's sync
    may hold a file just written for a fraction of a second, which is neither the APM's doing nor Excel's.

    A temporary file of prodbook's (".~" name) is shown first: on Windows a file keeps its attributes through
    the rename, and the workbook, a backup or a report must not become hidden."""
    if Path(src).name.startswith(".~") and not Path(dst).name.startswith(".~"):
        set_hidden(src, False)
    for pause in _REPLACE_PAUSES:
        try:
            os.replace(src, dst)
            return
        except PermissionError:
            time.sleep(pause)
    os.replace(src, dst)


def _temp_prefix(path: Path) -> str:
    return f".~{path.stem}.prodbook."


_FILE_ATTRIBUTE_HIDDEN = 0x2
_FILE_ATTRIBUTE_NORMAL = 0x80
_WINDOWS = os.name == "nt"


def _file_attributes(path: StrPath) -> int | None:
    """A file's Windows attributes (None elsewhere)."""
    attributes: int | None = getattr(os.stat(path), "st_file_attributes", None)
    return attributes


def set_hidden(path: StrPath, hidden: bool = True) -> None:
    """Windows: set (or clear) the Hidden attribute of one of prodbook's own files (its lock file, a temporary
    file), so that File Explorer shows the APM none of them, as a Mac's Finder and Linux hide a name that starts
    with ".". Elsewhere nothing. A failure is ignored: the attribute only keeps the folder tidy."""
    if not _WINDOWS:
        return
    try:
        attributes = _file_attributes(path)
        if attributes is None:
            return
        wanted = attributes | _FILE_ATTRIBUTE_HIDDEN if hidden else attributes & ~_FILE_ATTRIBUTE_HIDDEN
        if wanted != attributes:
            kernel32: Any = import_module("ctypes").windll.kernel32  # Windows only: loaded when used
            kernel32.SetFileAttributesW(str(path), wanted or _FILE_ATTRIBUTE_NORMAL)
    except (OSError, AttributeError):
        pass


_RANDOM = r"[a-z0-9_]{8}"  # tempfile.mkstemp's names
_LEGACY_BACKUP_TEMP = re.compile(r"^\.~prodbook-backup\." + _RANDOM + r"\.xls[xm]$", re.IGNORECASE)
_LEGACY_AGE = 600.0


def clean_leftovers(workbook: StrPath) -> list[Path]:
    """Remove the temp files a killed run left for this workbook; only call while holding its write lock.

    Those are ``.~NAME.prodbook.*`` beside it (the new workbook or its side
    copy, half written) and ``.~prodbook-backup.NAME.*`` in its backups
    folder. A nameless backup temp of an older prodbook is removed once it is
    ten minutes old (it may belong to another workbook's live run before that).
    """
    workbook = Path(workbook)
    ours = [re.compile("^" + re.escape(_temp_prefix(p)) + _RANDOM + re.escape(p.suffix) + "$", re.IGNORECASE)
            for p in (workbook, side_copy_path(workbook))]
    backups = re.compile("^" + re.escape(_backup_temp_prefix(workbook)) + _RANDOM + re.escape(workbook.suffix)
                         + "$", re.IGNORECASE)
    removed: list[Path] = []
    for folder, pats in ((workbook.parent, ours), (workbook.parent / BACKUP_DIR, [backups])):
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for e in entries:
            stale = any(p.match(e.name) for p in pats) or (
                folder.name == BACKUP_DIR and _LEGACY_BACKUP_TEMP.match(e.name) and _older_than(e, _LEGACY_AGE))
            if stale and e.is_file(follow_symlinks=False):
                try:
                    os.unlink(e.path)
                    removed.append(Path(e.path))
                except OSError:
                    pass
    return removed


def _older_than(entry: os.DirEntry, seconds: float) -> bool:
    try:
        return time.time() - entry.stat(follow_symlinks=False).st_mtime > seconds
    except OSError:
        return False


def umask() -> int:
    """The process's file-creation mask (read without changing it)."""
    m = os.umask(0)
    os.umask(m)
    return m


def durable(fd: int) -> None:
    """Write a file's bytes through to the disk before it replaces the tracker. On a Mac ``fsync`` stops at the
    drive's own cache, which a power cut loses: ``F_FULLFSYNC`` empties it too (where the disk refuses it,
    ``fsync`` as elsewhere)."""
    try:
        import fcntl
    except ImportError:  # Windows
        fcntl = None  # type: ignore[assignment]
    full = getattr(fcntl, "F_FULLFSYNC", None) if fcntl is not None else None
    if full is not None:
        try:
            fcntl.fcntl(fd, full)
            return
        except OSError:  # a network or FAT disk without it
            pass
    os.fsync(fd)


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; Windows has no directory fsync)."""
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


def side_copy_path(path: StrPath) -> Path:
    """"NAME (prodbook).xlsx" beside the workbook (same suffix as the original)."""
    path = Path(path)
    return path.with_name(f"{path.stem} (prodbook){path.suffix}")
