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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

MB = 1024 * 1024
RATIO_FROM = 10 * MB
"""The ratio limit applies to parts that unpack to more than this (small parts may compress well)."""
_CHUNK = 64 * 1024
# The local file header of a zip entry (PKWARE APPNOTE 4.3.7); zipfile keeps these private.
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_LOCAL_MAGIC = b"PK\x03\x04"
_NAME_LENGTH, _EXTRA_LENGTH = 10, 11  # field indexes in the unpacked header
_OUT = 256 * 1024
_PREFIX = 4096
_DEFLATE_MAX = 1032
"""No deflate stream unpacks to more than about 1032 times its size."""


@dataclass(frozen=True)
class Limits:
    """How much prodbook agrees to unpack from one file. Config / prodbook.toml can raise each one."""

    unpacked_mb: int = 200
    """All parts of one package together, uncompressed."""
    part_mb: int = 200
    """One part (a sheet's XML, the shared strings...), uncompressed."""
    ratio: int = 100
    """Uncompressed : compressed, for a part over 10 MB (real sheets: 9-15)."""
    parts: int = 10_000
    rows: int = 1_048_576
    columns: int = 16_384
    cells: int = 20_000_000
    """Rows x columns of a sheet's used area: what the reader allocates (about 40 bytes a cell)."""
    csv_mb: int = 50
    """A vendor .csv/.txt file's size."""


SETTINGS: tuple[tuple[str, str, str], ...] = (
    ("Max Unpacked MB", "unpacked_mb", "all parts of one file together, uncompressed"),
    ("Max Part MB", "part_mb", "one part of a file (a sheet's XML), uncompressed"),
    ("Max Compression Ratio", "ratio", "uncompressed : compressed size of a part over 10 MB"),
    ("Max Parts", "parts", "parts (zip members) in one file"),
    ("Max Rows", "rows", "rows of a sheet"),
    ("Max Columns", "columns", "columns of a sheet"),
    ("Max Cells", "cells", "rows x columns of a sheet's used area"),
    ("Max CSV MB", "csv_mb", "size of a vendor .csv file"),
)
"""(setting name, Limits field, meaning): the Config / prodbook.toml settings."""
_FIELD_OF = {name.lower(): f for name, f, _ in SETTINGS}
_NAME_OF = {f: name for name, f, _ in SETTINGS}


def setting_field(name: str) -> str | None:
    """The Limits field a setting name sets ('Max Part MB', 'max_part_mb'), or None."""
    return _FIELD_OF.get(re.sub(r"[\s_]+", " ", name.strip().lower()))


def with_setting(limits: Limits, field: str, value: int | None) -> Limits:
    """The limits with one setting applied; a blank setting keeps the default."""
    if value is None:
        return limits
    if value < 1:
        raise ValueError("a limit must be 1 or more")
    return replace(limits, **{field: value})


@dataclass(frozen=True)
class Excess:
    """One limit a file goes over: what was measured, where, against which setting."""

    what: str
    """'unpacked size', 'size', 'compression ratio', 'number of parts', 'rows', 'columns', 'cells'."""
    measured: int | float
    limit: int
    setting: str
    """The Limits field whose setting raises it."""
    part: str | None = None
    detail: str = ""
    """Words in place of the measured figure ('more than declared')."""


@dataclass(frozen=True)
class Entry:
    """What the central directory says about one part."""

    name: str
    compressed: int
    size: int
    method: int


def _bytes(n: float) -> str:
    return f"{n / MB:,.0f} MB" if n >= MB else f"{int(n):,} bytes"


def check_directory(entries: Sequence[Entry], limits: Limits) -> Excess | None:
    """The first limit the declared sizes go over, before a byte is inflated."""
    if len(entries) > limits.parts:
        return Excess("number of parts", len(entries), limits.parts, "parts")
    for e in entries:
        if e.method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            return Excess("compression method", e.method, 0, "", e.name,
                          f"compression method {e.method}, which Excel does not write")
        if e.size > limits.part_mb * MB:
            return Excess("size", e.size, limits.part_mb * MB, "part_mb", e.name)
        if e.size > RATIO_FROM and e.size > limits.ratio * max(e.compressed, 1):
            return Excess("compression ratio", e.size / max(e.compressed, 1), limits.ratio, "ratio", e.name)
    total = sum(e.size for e in entries)
    if total > limits.unpacked_mb * MB:
        return Excess("unpacked size", total, limits.unpacked_mb * MB, "unpacked_mb",
                      max(entries, key=lambda e: e.size).name)
    return None


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\bref\s*=\s*[\"']([^\"']+)[\"']")
_CELL = re.compile(r"\$?([A-Za-z]{1,3})?\$?(\d+)?")


def _cell(ref: str) -> tuple[int, int]:
    m = _CELL.fullmatch(ref.strip())
    if not m:
        return 1, 1
    col = 0
    for ch in (m[1] or "A").upper():
        col = col * 26 + ord(ch) - 64
    return int(m[2] or 1), col


def check_dimension(part: str, ref: str, limits: Limits) -> Excess | None:
    """Rows, columns and cells of a sheet's used area as its ``<dimension ref="A1:K2001">`` says."""
    a, _, b = ref.partition(":")
    (r1, c1), (r2, c2) = _cell(a), _cell(b or a)
    rows, cols = abs(r2 - r1) + 1, abs(c2 - c1) + 1
    if max(r1, r2) > limits.rows:
        return Excess("rows", max(r1, r2), limits.rows, "rows", part, f"{max(r1, r2):,} rows ({ref})")
    if max(c1, c2) > limits.columns:
        return Excess("columns", max(c1, c2), limits.columns, "columns", part,
                      f"{max(c1, c2):,} columns ({ref})")
    if rows * cols > limits.cells:
        return Excess("cells", rows * cols, limits.cells, "cells", part,
                      f"a used area of {rows:,} rows x {cols:,} columns = {rows * cols:,} cells ({ref})")
    return None


def describe(excess: Excess, file: str, sheet: str | None, where_set: str) -> str:
    """The message for the APM: the file, the part (and sheet), the figure, the limit, what to do."""
    part = ""
    if excess.part:
        part = f" part '{excess.part}'" + (f" (sheet '{sheet}')" if sheet else "")
    if excess.what == "compression method":
        return (f"'{file}' cannot be read safely:{part} uses {excess.detail}. Open the file in Excel and "
                "save it again as .xlsx, then run prodbook on the new file")
    if excess.what == "declared size":
        return (f"'{file}' is damaged or was made to look smaller than it is:{part} unpacks to more than "
                f"the {_bytes(excess.limit)} its zip directory declares, so it was not read. Open the file "
                "in Excel and save it again, or ask whoever sent it for a new copy")
    if excess.what in ("rows", "columns", "cells"):
        figure, limit = f"has {excess.detail or f'{excess.measured:,}'}", f"{excess.limit:,} {excess.what}"
    elif excess.what == "compression ratio":
        figure, limit = f"has a compression ratio of {excess.measured:,.0f} to 1", f"{excess.limit} to 1"
    elif excess.what == "number of parts":
        figure, limit = f"has {excess.measured:,} parts", f"{excess.limit:,} parts"
    else:
        figure = f"unpacks to {'more than ' if excess.detail else ''}{_bytes(excess.measured)}"
        limit = _bytes(excess.limit)
    name = _NAME_OF.get(excess.setting, "")
    return (f"'{file}' is too large to read safely:{part} {figure}; the limit ({name}) is {limit}. "
            f"A file this size is usually damaged or built to exhaust memory; if it is a real workbook, "
            f"raise '{name}' {where_set} and run again")


# --- reading a package --------------------------------------------------------------------------


class TooLarge(Exception):
    """A file goes over a limit; nothing of it was read. ``str()`` is the message for the APM."""

    def __init__(self, message: str, excess: Excess, sheet: str | None) -> None:
        super().__init__(message)
        self.excess = excess
        self.sheet = sheet


TRACKER_WHERE = "in prodbook.toml beside the workbook ([settings] section)"
VENDOR_WHERE = "on the tracker's Config sheet"


def check_package(path: Path, limits: Limits, where_set: str = TRACKER_WHERE) -> None:
    """Refuse a zip package over a limit, reading at most limit + 1 bytes of any part. Raises ``TooLarge``.

    Not a zip: nothing to check here (the reader says what is wrong with it).
    """
    path = Path(path)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    with zf:
        infos = zf.infolist()
        entries = [Entry(i.filename, i.compress_size, i.file_size, i.compress_type) for i in infos]
        excess = check_directory(entries, limits)
        if excess is None:
            excess = _check_inflated(path, infos, limits)
    if excess is not None:
        sheet = _sheet_of(path, excess.part) if excess.part else None
        raise TooLarge(describe(excess, path.name, sheet, where_set), excess, sheet)


def _is_sheet(name: str) -> bool:
    return "/worksheets/" in name and name.endswith(".xml")


def _check_inflated(path: Path, infos: Iterable[zipfile.ZipInfo], limits: Limits) -> Excess | None:
    """Inflate each part in a bounded stream: its true size, ratio and (sheets) dimension."""
    left = limits.unpacked_mb * MB
    with open(path, "rb") as fp:
        for info in infos:
            got, excess = _inflate(fp, info, limits, min(info.file_size, left))
            if excess is not None:
                return excess
            left -= got
    return None


def _inflate(fp: BinaryIO, info: zipfile.ZipInfo, limits: Limits, cap: int) -> tuple[int, Excess | None]:
    """Bytes the part really unpacks to (stopping past ``cap``), or the limit it goes over."""
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
        from prodbook.workbook.xlsx.book import _read_book
        from prodbook.workbook.xlsx.package import _Package

        pkg = _Package(Path(path))  # workbook.xml and its rels only: the oversized part is not read
        try:
            return next((s[0] for s in _read_book(pkg).sheets if s[2] == part), None)
        finally:
            pkg.close()
    except Exception:  # noqa: BLE001 - a name is a nicety; the message stands without it
        return None


def check_csv(path: Path, limits: Limits, where_set: str = VENDOR_WHERE) -> None:
    """Refuse a text file bigger than the limit before it is read into memory."""
    size = Path(path).stat().st_size
    if size > limits.csv_mb * MB:
        excess = Excess("size", size, limits.csv_mb * MB, "csv_mb")
        raise TooLarge(describe(excess, Path(path).name, None, where_set), excess, None)

