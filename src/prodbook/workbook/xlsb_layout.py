"""The layout of an Excel Binary Workbook (.xlsb) that calamine does not give: its merged cells, hidden rows and
columns, and its date system. calamine reads an .xlsb's cells (and merged ranges of an .xlsx or .xls only), so a
vendor's report saved as .xlsb with 'Quantity' merged over 'Order | Cut | Sewn | Packed', a PO merged down over
its colours or a hidden line would not be read as the same report saved as .xlsx is.

Read from [MS-XLSB] (2.1.4 records, 2.4 record types): each part is a run of records, each its type and its size
as variable-length integers (7 bits a byte, low bits first, the high bit set where another byte follows; the
type in at most 2 bytes, the size in at most 4), then its data, little-endian. What is read:

- workbook.bin: BrtWbProp (153), whose first 32 bits of flags start with fDate1904; BrtBundleSh (156), a sheet's
  state and id, then its relationship id (an XLNullableWideString) and its name (an XLWideString);
- a sheet's .bin: BrtRowHdr (0), its row and, 10 bytes in, 16 bits of flags whose bit 12 is fDyZero (the row is
  hidden); BrtColInfo (60), first and last column and, 16 bytes in, flags whose bit 0 is fHidden; BrtMergeCell
  (176), first row, last row, first column, last column. Rows and columns are 0-based, as here.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field

from prodbook.core.wip import Merge
from prodbook.workbook.xlsx.package import _Package

_ROW_HDR, _COL_INFO, _WB_PROP, _BUNDLE_SH, _MERGE_CELL = 0, 60, 153, 156, 176
_ROW_HIDDEN, _COL_HIDDEN, _DATE1904 = 0x1000, 0x0001, 0x0001
_BOOK_RECORDS, _SHEET_RECORDS = frozenset({_WB_PROP, _BUNDLE_SH}), frozenset({_ROW_HDR, _COL_INFO, _MERGE_CELL})
BOOK_PART = "xl/workbook.bin"


@dataclass
class SheetLayout:
    """What one sheet's .bin part says of its layout, 0-based as ``RawSheet`` holds it."""

    merged: list[Merge] = field(default_factory=list)
    hidden_rows: list[int] = field(default_factory=list)
    hidden_columns: list[tuple[int, int]] = field(default_factory=list)
    """(first, last) column of each hidden range: a range may run to Excel's last column (XFD)."""


@dataclass
class BookLayout:
    """The workbook's date system and each sheet's layout."""

    date1904: bool = False
    sheets: dict[str, SheetLayout] = field(default_factory=dict)
    """Per sheet name."""


def records(data: bytes, wanted: frozenset[int]) -> Iterator[tuple[int, int, int]]:
    """The records of a part whose type is ``wanted``: (type, where its data starts, its size). A part cut short
    ends at its last whole record. Most records are cells, their type and size a byte each: read in one step."""
    pos, end = 0, len(data)
    try:
        while pos < end:
            kind = data[pos]
            if kind & 0x80:
                kind = (kind & 0x7F) | (data[pos + 1] & 0x7F) << 7
                pos += 1
            size = data[pos + 1]
            pos += 2
            if size & 0x80:
                size &= 0x7F
                for shift in (7, 14, 21):
                    byte = data[pos]
                    pos += 1
                    size |= (byte & 0x7F) << shift
                    if not byte & 0x80:
                        break
            if kind in wanted:
                if pos + size > end:
                    return
                yield kind, pos, size
            pos += size
    except IndexError:
        return


def _wide(data: bytes, at: int) -> tuple[str | None, int]:
    """The XLWideString (or XLNullableWideString: None) at ``at``, and where the next field starts."""
    (count,) = struct.unpack_from("<I", data, at)
    if count == 0xFFFFFFFF:
        return None, at + 4
    return data[at + 4:at + 4 + 2 * count].decode("utf-16-le", errors="replace"), at + 4 + 2 * count


def read_layout(pkg: _Package) -> BookLayout:
    """The date system of the .xlsb in ``pkg`` and the layout of each of its sheets (per sheet name)."""
    out = BookLayout()
    parts = {r["id"]: r["part"] for r in pkg.rels(BOOK_PART)}
    sheets: list[tuple[str, str]] = []
    data = pkg.zf.read(BOOK_PART)
    for kind, at, size in records(data, _BOOK_RECORDS):
        if kind == _WB_PROP and size >= 4:
            out.date1904 = bool(struct.unpack_from("<I", data, at)[0] & _DATE1904)
        elif kind == _BUNDLE_SH and size >= 12:
            try:
                rid, next_at = _wide(data, at + 8)
                name, _ = _wide(data, next_at)
            except struct.error:  # cut short: the sheet is read without its layout
                continue
            if name is not None and parts.get(rid):
                sheets.append((name, parts[rid]))
    for name, part in sheets:
        if pkg.exists(part):
            out.sheets[name] = _sheet_layout(pkg.zf.read(part))
    return out


def _sheet_layout(data: bytes) -> SheetLayout:
    out = SheetLayout()
    for kind, at, size in records(data, _SHEET_RECORDS):
        if kind == _ROW_HDR and size >= 12:
            if struct.unpack_from("<H", data, at + 10)[0] & _ROW_HIDDEN:
                out.hidden_rows.append(struct.unpack_from("<I", data, at)[0])
        elif kind == _COL_INFO and size >= 18:
            if struct.unpack_from("<H", data, at + 16)[0] & _COL_HIDDEN:
                first, last = struct.unpack_from("<II", data, at)
                out.hidden_columns.append((first, last))
        elif kind == _MERGE_CELL and size >= 16:
            r1, r2, c1, c2 = struct.unpack_from("<IIII", data, at)
            out.merged.append(((r1, c1), (r2, c2)))
    return out
