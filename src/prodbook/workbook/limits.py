"""Limits on what prodbook unpacks: a decompression bomb is refused before it is inflated.

An .xlsx is a zip. A part of 1 GB of repeated bytes packs into 1 MB, and the
readers (python-calamine, zipfile) would inflate all of it into memory and
copy it into every save. So before anything else reads a package, prodbook
checks what its central directory declares (parts, sizes, compression
ratios), then inflates every part once in a bounded stream (never more than
a limit + 1 byte, a few hundred KB in memory at a time) to prove the
declared sizes are true, and reads each sheet's ``<dimension ref>`` from the
first KB of its XML (calamine allocates rows x columns of a sheet's used
area, so a sheet claiming A1:XFD1048576 is refused before calamine sees it).

The pure part (``Limits``, ``check_directory``, ``check_dimension``,
``describe``) decides; ``check_package`` and ``check_csv`` are the calls the
readers make. Defaults are generous for real trackers: a 2,000-PO-line
tracker unpacks to about 47 MB, its parts compress 9-15 to 1.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from prodbook.core.limits import (
    MB,
    RATIO_FROM,
    Entry,
    Excess,
    Limits,
    PartSizes,
    check_dimension,
    check_directory,
    describe,
)
from prodbook.workbook.xlsx.book import _read_book
from prodbook.workbook.xlsx.package import _Package
from prodbook.workbook.xlsx.sheetxml import SheetScan, SheetScanner

_CHUNK = 64 * 1024
# The local file header of a zip entry (PKWARE APPNOTE 4.3.7); zipfile keeps these private.
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_LOCAL_MAGIC = b"PK\x03\x04"
_NAME_LENGTH, _EXTRA_LENGTH = 10, 11  # field indexes in the unpacked header
_OUT = 256 * 1024
_PREFIX = 4096
_DEFLATE_MAX = 1032
"""No deflate stream unpacks to more than about 1032 times its size."""


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\bref\s*=\s*[\"']([^\"']+)[\"']")


# --- reading a package --------------------------------------------------------------------------


class TooLarge(Exception):
    """A file goes over a limit; nothing of it was read. ``str()`` is the message for the APM."""

    def __init__(self, message: str, excess: Excess, sheet: str | None) -> None:
        super().__init__(message)
        self.excess = excess
        self.sheet = sheet


TRACKER_WHERE = "in prodbook.toml beside the workbook ([settings] section)"
VENDOR_WHERE = "on the tracker's Config sheet"


def check_package(path: Path, limits: Limits, where_set: str = TRACKER_WHERE,
                  scans: dict[str, SheetScan] | None = None) -> None:
    """Refuse a zip package over a limit, reading at most limit + 1 bytes of any part. Raises ``TooLarge``.

    Not a zip: nothing to check here (the reader says what is wrong with it). ``scans``: filled with each
    sheet part's ``SheetScan`` from the same inflation (the start of a run looks at every sheet; a part
    that did not inflate whole, or failed its CRC, gets none and is looked at when asked, as before).
    """
    path = Path(path)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):  # the last: a damaged version field
        return
    with zf:
        infos = zf.infolist()
        entries = [Entry(i.filename, i.compress_size, i.file_size, i.compress_type) for i in infos]
        excess = check_directory(entries, limits)
        if excess is None:
            excess = _check_inflated(path, infos, limits, scans)
    if excess is not None:
        sheet = _sheet_of(path, excess.part) if excess.part else None
        raise TooLarge(describe(excess, path.name, sheet, where_set), excess, sheet)


def _is_sheet(name: str) -> bool:
    return "/worksheets/" in name and name.endswith(".xml")


def _check_inflated(path: Path, infos: Iterable[zipfile.ZipInfo], limits: Limits,
                    scans: dict[str, SheetScan] | None = None) -> Excess | None:
    """Inflate each part in a bounded stream: its true size, ratio and (sheets) dimension."""
    left = limits.unpacked_mb * MB
    with open(path, "rb") as fp:
        for info in infos:
            scan = _Scan(info) if scans is not None and _is_sheet(info.filename) else None
            got, excess = _inflate(fp, info, limits, min(info.file_size, left), scan)
            if excess is not None:
                return excess
            left -= got
            if scan is not None and scans is not None and (done := scan.done(got)) is not None:
                scans[info.filename] = done
    return None


class _Scan:
    """A sheet part's ``SheetScanner`` and CRC, fed the pieces the size check inflates."""

    def __init__(self, info: zipfile.ZipInfo) -> None:
        self.info, self.scanner, self.crc, self.whole = info, SheetScanner(), 0, False

    def feed(self, piece: bytes) -> None:
        self.crc = zlib.crc32(piece, self.crc)
        self.scanner.feed(piece)

    def done(self, got: int) -> SheetScan | None:
        """The scan, where the part inflated whole and true (what reading it through zipfile proves)."""
        ok = self.whole and got == self.info.file_size and self.crc == self.info.CRC
        return self.scanner.result() if ok else None


def _inflate(fp: BinaryIO, info: zipfile.ZipInfo, limits: Limits, cap: int, scan: _Scan | None = None
             ) -> tuple[int, Excess | None]:
    """Bytes the part really unpacks to (stopping past ``cap``), or the limit it goes over."""
    if info.header_offset < 0:
        return 0, None  # a directory pointing before the file's start: damaged, the reader says so
    fp.seek(info.header_offset)
    head = fp.read(_LOCAL_HEADER.size)
    if len(head) < _LOCAL_HEADER.size:
        return 0, None  # damaged: the reader says so
    fields_ = _LOCAL_HEADER.unpack(head)
    if fields_[0] != _LOCAL_MAGIC:
        return 0, None
    fp.seek(fields_[_NAME_LENGTH] + fields_[_EXTRA_LENGTH], 1)
    remaining = info.compress_size
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    prefix = b"" if _is_sheet(info.filename) else None
    out = used = 0
    while remaining > 0:
        block = fp.read(min(_CHUNK, remaining))
        if not block:
            break
        remaining -= len(block)
        used += len(block)
        data = block
        while data:
            if inflater is None:
                piece, data = data, b""
            else:
                try:
                    piece = inflater.decompress(data, _OUT)
                except zlib.error:
                    return out, None  # damaged: the reader says so
                data = inflater.unconsumed_tail
            out += len(piece)
            if scan is not None:
                scan.feed(piece)
            if prefix is not None and len(prefix) < _PREFIX:
                prefix += piece[:_PREFIX - len(prefix)]
                if len(prefix) >= _PREFIX or b"sheetData" in prefix:
                    excess = _dimension_excess(info.filename, prefix, limits)
                    if excess is not None:
                        return out, excess
                    prefix = None
            if out > cap:
                return out, _over(info, out, cap, limits)
            if out > RATIO_FROM and out > limits.ratio * used:
                return out, Excess("compression ratio", out / used, limits.ratio, "ratio", info.filename)
            if not piece and inflater is not None and inflater.eof:
                break
        if inflater is not None and inflater.eof:
            break
    if scan is not None:
        scan.whole = inflater.eof if inflater is not None else remaining == 0
    if prefix:
        return out, _dimension_excess(info.filename, prefix, limits)
    return out, None


def _over(info: zipfile.ZipInfo, out: int, cap: int, limits: Limits) -> Excess:
    """Which limit a part that unpacked past ``cap`` goes over."""
    if cap < info.file_size:  # the package total ran out first
        return Excess("unpacked size", limits.unpacked_mb * MB, limits.unpacked_mb * MB, "unpacked_mb",
                      info.filename, "more than")
    return Excess("declared size", out, info.file_size, "", info.filename)


def _dimension_excess(part: str, prefix: bytes, limits: Limits) -> Excess | None:
    m = _DIMENSION.search(prefix)
    return check_dimension(part, m[1].decode("ascii", "replace"), limits) if m else None


def _sheet_of(path: Path, part: str) -> str | None:
    """The sheet name of a worksheet part, when workbook.xml says so cheaply (small parts only)."""
    if not _is_sheet(part):
        return None
    try:
        with zipfile.ZipFile(path) as zf:  # zipfile reads no more than the declared sizes
            if any(i.file_size > 4 * MB for i in zf.infolist() if not _is_sheet(i.filename)
                   and i.filename.endswith((".rels", "workbook.xml"))):
                return None
        pkg = _Package(Path(path))  # workbook.xml and its rels only: the oversized part is not read
        try:
            return next((s[0] for s in _read_book(pkg).sheets if s[2] == part), None)
        finally:
            pkg.close()
    except Exception:  # noqa: BLE001 - a name is a nicety; the message stands without it
        return None


def unpacked_sizes(path: Path) -> dict[str, int]:
    """Each part of the file as it is on disk now, uncompressed (its zip directory: nothing inflated)."""
    with zipfile.ZipFile(path) as z:
        return {i.filename: i.file_size for i in z.infolist()}


def part_sizes(sizes: dict[str, int], part: str | None, limits: Limits) -> PartSizes | None:
    """A sheet's ``part`` and the rest of the file, from ``unpacked_sizes``; None when it has no part."""
    if part is None or part not in sizes:
        return None
    return PartSizes(sizes[part], sum(sizes.values()) - sizes[part], limits)


def check_csv(path: Path, limits: Limits, where_set: str = VENDOR_WHERE) -> None:
    """Refuse a text file bigger than the limit before it is read into memory."""
    size = Path(path).stat().st_size
    if size > limits.csv_mb * MB:
        excess = Excess("size", size, limits.csv_mb * MB, "csv_mb")
        raise TooLarge(describe(excess, Path(path).name, None, where_set), excess, None)

