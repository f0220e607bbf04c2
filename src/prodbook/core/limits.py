"""Limits on what prodbook unpacks from a file, and the words that refuse one: pure decisions. Also the
names Windows keeps for its devices, which no file prodbook writes may take.

``workbook/limits.py`` measures a package (central directory, a bounded inflate
pass, each sheet's ``<dimension>``) and asks these functions whether it goes
over a limit; the Config sheet and prodbook.toml can raise each one.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, replace

MB = 1024 * 1024
RATIO_FROM = 10 * MB
"""The ratio limit applies to parts that unpack to more than this (small parts may compress well)."""


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


_WINDOWS_DEVICE = re.compile(r"(con|prn|aux|nul|conin\$|conout\$|(?:com|lpt)[0-9\u00b9\u00b2\u00b3])", re.I)


def reserved_on_windows(name: str) -> bool:
    """A name Windows takes for a device (the console, a printer port) however it ends: what comes before the
    first dot counts, so 'nul.wip.xlsx' and 'PRN.03.01.csv' are the devices NUL and PRN, and a file written
    under such a name goes nowhere."""
    return bool(_WINDOWS_DEVICE.fullmatch(name.split(".", 1)[0].split(":", 1)[0].rstrip(" ")))


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


GROWTH_SHARE = 0.75
"""The share of its size limits a sheet that grows every run (the Change Log) may fill: the rest is left
for the other sheets to grow and for the runs before the next move."""
ROW_BYTES = 500
"""About what one Change Log row takes as prodbook writes it (eight cells, text inline)."""


@dataclass(frozen=True)
class PartSizes:
    """A sheet's part and the rest of its file, uncompressed, as read, with the limits the next read applies."""

    part_bytes: int
    other_bytes: int
    limits: Limits


def rows_within(sizes: PartSizes, rows: int) -> int:
    """How many data rows the sheet may hold, at the size its ``rows`` take now a row, and leave the file
    inside ``GROWTH_SHARE`` of Max Part MB and Max Unpacked MB: past them the next run would refuse it.

    A sheet of few rows is sized at ``ROW_BYTES`` a row (its own average says little yet)."""
    per_row = max(1.0, sizes.part_bytes / rows) if rows >= 1_000 else ROW_BYTES
    room = min(sizes.limits.part_mb * MB, sizes.limits.unpacked_mb * MB - sizes.other_bytes)
    return max(0, int(GROWTH_SHARE * room / per_row))
