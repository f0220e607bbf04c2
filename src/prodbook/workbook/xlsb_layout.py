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
  (176), first row, last row, first column, last column. Rows and columns are 0-based, as here, and 32 bits: a
  range outside Excel's grid (``LAST_ROW``, ``LAST_COL``) is not read;
- a sheet's cells (calamine reads an error cell as empty, and gives no number formats): BrtCellError (3) and
  BrtFmlaError (11, a formula's saved result), each its column, its cell format (the low 24 bits of the next 32)
  and then the error's code (BErr); and, where the workbook has a cell format showing a percentage, the number
  cells in it: BrtCellRk (2), BrtCellReal (5), BrtFmlaNum (9). A cell's row is that of the BrtRowHdr before it;
- every cell record (BrtCellBlank (1) to BrtFmlaError (11)), its column its first 32 bits: the sheet's last row
  and column that hold a cell, the area calamine allocates (its BrtWsDim is not trusted);
- the short cell records (BrtShortBlank (12) to BrtShortIsst (18)) that systems writing .xlsb themselves save
  (SheetJS, Aspose) for a cell right after another in its row: its data the long record's less the column,
  which is the one after the cell before it. BrtShortError (14) is read as BrtCellError is, BrtShortRk (13) and
  BrtShortReal (16) as the number cells are, their column found by walking the row's cells before them (from
  the row's start or the last short cell read) only where one is read; the sheet's first short cell holding a
  value (BrtShortRk (13) to BrtShortIsst (18)) is kept (calamine reads every one as an empty cell; a
  BrtShortBlank (12) is one);
- styles.bin: BrtFmt (44), a number format's id (16 bits) and its code (an XLWideString); BrtXF (47) between
  BrtBeginCellXFs (617) and BrtEndCellXFs (618), a cell format, its number format's id 2 bytes in.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field

from prodbook.core.wip import Merge
from prodbook.workbook.xlsx.package import _Package
from prodbook.workbook.xlsx.styles import _BUILTIN_PERCENT_FMTS, is_percent_format

_ROW_HDR, _COL_INFO, _WB_PROP, _BUNDLE_SH, _MERGE_CELL = 0, 60, 153, 156, 176
_CELL_RK, _CELL_ERROR, _CELL_REAL, _FMLA_NUM, _FMLA_ERROR = 2, 3, 5, 9, 11
_FMT, _XF, _BEGIN_CELL_XFS, _END_CELL_XFS = 44, 47, 617, 618
_ROW_HIDDEN, _COL_HIDDEN, _DATE1904 = 0x1000, 0x0001, 0x0001
_BOOK_RECORDS, _STYLE_RECORDS = frozenset({_WB_PROP, _BUNDLE_SH}), frozenset({_FMT, _XF, _BEGIN_CELL_XFS,
                                                                             _END_CELL_XFS})
_NUMBERS = frozenset({_CELL_RK, _CELL_REAL, _FMLA_NUM})
_CELLS_END = 12
"""BrtCellBlank (1) to BrtFmlaError (11): every cell record, its column the first 32 bits of its data."""
_SHORT_BLANK, _SHORT_RK, _SHORT_ERROR, _SHORT_REAL, _SHORT_END = 12, 13, 14, 16, 19
"""BrtShortBlank, BrtShortRk, BrtShortError, BrtShortReal; BrtShortBlank (12) to BrtShortIsst (18): every short
cell record, a cell in a row's column run written without its column (the one after the cell before it), its
data the long record's less those 4 bytes. A BrtShortBlank holds no value (a formatted empty cell): calamine's
empty cell is right."""
_SHORT_NUMBERS = frozenset({_SHORT_RK, _SHORT_REAL})
_SHEET_RECORDS = frozenset({_ROW_HDR, _COL_INFO, _MERGE_CELL, _CELL_ERROR, _FMLA_ERROR, *range(_CELLS_END, _SHORT_END)})
_NUMBER_RECORDS = _SHEET_RECORDS | _NUMBERS
"""Read where the workbook has a cell format showing a percentage: most have none, and their number cells
(most of a sheet's records) are stepped over."""
_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
           0x2A: "#N/A", 0x2B: "#GETTING_DATA"}
"""BErr: an error's code -> the error the cell shows. A code it does not name (a later Excel's) is shown #VALUE!:
an error all the same, never an empty cell."""
BOOK_PART = "xl/workbook.bin"
_STYLES = "/styles"
"""How the type of the workbook's relationship to its styles part ends."""
LAST_ROW, LAST_COL = 1_048_575, 16_383
"""Excel's last row and column (XFD1048576), 0-based. A record's rows and columns are 32 bits: a merge or hidden
range beyond them (or ending before it starts) is no range Excel draws, only a damaged or hostile file's, and is
not read (a merge to row 4,294,967,295 would make a line for each row it covers; an .xlsx's A1 reference ends at
row 1,048,576)."""


@dataclass
class SheetLayout:
    """What one sheet's .bin part says of its layout, 0-based as ``RawSheet`` holds it."""

    merged: list[Merge] = field(default_factory=list)
    hidden_rows: list[int] = field(default_factory=list)
    hidden_columns: list[tuple[int, int]] = field(default_factory=list)
    """(first, last) column of each hidden range: a range may run to Excel's last column (XFD)."""
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    """(row, col) -> the Excel error the cell shows ('#N/A')."""
    percent_cells: set[tuple[int, int]] = field(default_factory=set)
    """The number cells shown as a percentage (1 shows 100%)."""
    part: str = ""
    """The sheet's part ('xl/worksheets/sheet1.bin')."""
    first_short: tuple[int, int] | None = None
    """(row, col) of the sheet's first short cell record holding a value, None for none: calamine reads every
    short cell as an empty one (its number or text too); a BrtShortBlank, a formatted empty cell, is not one."""
    last_row: int = -1
    last_col: int = -1
    """The last row and column (0-based) that hold a cell record, -1 for none: the area calamine allocates,
    read from the cells themselves (a file's BrtWsDim may say anything). 32 bits each: past ``LAST_ROW`` or
    ``LAST_COL`` only in a damaged or hostile file."""


@dataclass
class BookLayout:
    """The workbook's date system and each sheet's layout."""

    date1904: bool = False
    sheets: dict[str, SheetLayout] = field(default_factory=dict)
    """Per sheet name."""


def records(data: bytes, wanted: frozenset[int], extent: list[int] | None = None
            ) -> Iterator[tuple[int, int, int]]:
    """The records of a part whose type is ``wanted``: (type, where its data starts, its size). A part cut short
    ends at its last whole record. Most records are cells, their type and size a byte each: read in one step.

    ``extent`` (a sheet's part): set, once the walk ends, to [the last row that holds a cell record, the last
    column of one], -1 for none. Measured here, where every cell is stepped over, without handing each cell on
    (which tripled the walk's time): the cell's column's low 16 bits are compared with the largest yet, and only
    a larger one (or a new row, or a column past 65,535) is read whole."""
    pos, end = 0, len(data)
    row, last_row, top = 0, -1, -1  # a cell before any BrtRowHdr is in row 0, as calamine reads it
    cells = extent is not None
    try:
        while pos < end:
            kind = data[pos]
            size = data[pos + 1]
            if kind < 0x80 and size < 0x80:  # a cell: its type and size a byte each
                pos += 2
                if kind < _CELLS_END and cells and pos + size <= end and size >= 4:
                    if kind:  # a cell, its column first
                        if (data[pos] | data[pos + 1] << 8 > top or data[pos + 2] or data[pos + 3]
                                or row > last_row):
                            top = max(top, _u32(data, pos))
                            last_row = max(last_row, row)
                    else:  # BrtRowHdr: the row of the cells after it
                        row = _u32(data, pos)
                if kind in wanted:
                    if pos + size > end:
                        return
                    yield kind, pos, size
                pos += size
                continue
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
            if kind < _CELLS_END and cells and pos + size <= end and size >= 4:  # a long text cell
                if kind:
                    top, last_row = max(top, _u32(data, pos)), max(last_row, row)
                else:
                    row = _u32(data, pos)
            if kind in wanted:
                if pos + size > end:
                    return
                yield kind, pos, size
            pos += size
    except IndexError:
        return
    finally:
        if extent is not None:
            extent[:] = [last_row, top]


def _u32(data: bytes, at: int) -> int:
    return data[at] | data[at + 1] << 8 | data[at + 2] << 16 | data[at + 3] << 24


def _wide(data: bytes, at: int) -> tuple[str | None, int]:
    """The XLWideString (or XLNullableWideString: None) at ``at``, and where the next field starts."""
    (count,) = struct.unpack_from("<I", data, at)
    if count == 0xFFFFFFFF:
        return None, at + 4
    return data[at + 4:at + 4 + 2 * count].decode("utf-16-le", errors="replace"), at + 4 + 2 * count


def read_layout(pkg: _Package) -> BookLayout:
    """The date system of the .xlsb in ``pkg`` and the layout of each of its sheets (per sheet name)."""
    out = BookLayout()
    rels = pkg.rels(BOOK_PART)
    parts = {r["id"]: r["part"] for r in rels}
    styles = next((r["part"] for r in rels if str(r["type"]).endswith(_STYLES) and r["part"]), None)
    percent = _percent_xfs(pkg.zf.read(styles)) if styles and pkg.exists(styles) else frozenset()
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
            out.sheets[name] = _sheet_layout(pkg.zf.read(part), percent)
            out.sheets[name].part = part
    return out


def _percent_xfs(data: bytes) -> frozenset[int]:
    """The cell formats (indexes of the BrtXFs between BrtBeginCellXFs and BrtEndCellXFs) of styles.bin that show
    a number as a percentage: a built-in one (9: 0%, 10: 0.00%) or a BrtFmt whose code does ('0.0%')."""
    custom: set[int] = set()
    out: set[int] = set()
    index = -1  # outside the cell formats (the cell styles' BrtXFs come before them)
    for kind, at, size in records(data, _STYLE_RECORDS):
        if kind == _FMT and size >= 6:
            try:
                code, _ = _wide(data, at + 2)
            except struct.error:
                continue
            if code is not None and is_percent_format(code):
                custom.add(struct.unpack_from("<H", data, at)[0])
        elif kind == _BEGIN_CELL_XFS:
            index = 0
        elif kind == _END_CELL_XFS:
            index = -1
        elif kind == _XF and index >= 0:
            if size >= 4 and struct.unpack_from("<H", data, at + 2)[0] in _BUILTIN_PERCENT_FMTS | custom:
                out.add(index)
            index += 1
    return frozenset(out)


def _sheet_layout(data: bytes, percent: frozenset[int] = frozenset()) -> SheetLayout:
    out = SheetLayout()
    row = 0
    run = (0, -1)  # where to go on measuring the row's columns from (a short cell's column), and the column there
    extent: list[int] = []
    for kind, at, size in records(data, _NUMBER_RECORDS if percent else _SHEET_RECORDS, extent):
        if kind in _NUMBERS:  # first: most of the records read; the cell format's 24 bits a byte at a time (no slice)
            if size >= 8 and data[at + 4] | data[at + 5] << 8 | data[at + 6] << 16 in percent:
                out.percent_cells.add((row, struct.unpack_from("<I", data, at)[0]))
        elif kind == _ROW_HDR and size >= 12:
            row = struct.unpack_from("<I", data, at)[0]
            run = at + size, -1
            if struct.unpack_from("<H", data, at + 10)[0] & _ROW_HIDDEN and row <= LAST_ROW:
                out.hidden_rows.append(row)
        elif _CELLS_END <= kind < _SHORT_END:  # a short cell: its cell format's 24 bits first, then its value
            error = kind == _SHORT_ERROR and size >= 5
            share = (kind in _SHORT_NUMBERS and size >= 8
                     and data[at] | data[at + 1] << 8 | data[at + 2] << 16 in percent)
            if error or share or (out.first_short is None and kind != _SHORT_BLANK):
                # its column, from the cells before it in the row
                run = at + size, _column_before(data, *run, at) + 1
                out.first_short = out.first_short or (row, run[1])
                if error:
                    out.errors[row, run[1]] = _ERRORS.get(data[at + 4], "#VALUE!")
                elif share:
                    out.percent_cells.add((row, run[1]))
        elif kind in (_CELL_ERROR, _FMLA_ERROR) and size >= 9:
            out.errors[row, struct.unpack_from("<I", data, at)[0]] = _ERRORS.get(data[at + 8], "#VALUE!")
        elif kind == _COL_INFO and size >= 18:
            if struct.unpack_from("<H", data, at + 16)[0] & _COL_HIDDEN:
                first, last = struct.unpack_from("<II", data, at)
                if first <= last <= LAST_COL:
                    out.hidden_columns.append((first, last))
        elif kind == _MERGE_CELL and size >= 16:
            r1, r2, c1, c2 = struct.unpack_from("<IIII", data, at)
            if r1 <= r2 <= LAST_ROW and c1 <= c2 <= LAST_COL:
                out.merged.append(((r1, c1), (r2, c2)))
    out.last_row, out.last_col = extent
    return out


def _column_before(data: bytes, pos: int, col: int, at: int) -> int:
    """The column of the cell before the record whose data starts at ``at``, walking the records from ``pos``
    (in the same row, after a cell in column ``col``, -1 for none): a long cell record gives its column, a short
    one is the column after the one before it. Only the row of a short cell that is read (an error, a percentage)
    is walked, each part of it once."""
    while pos < at:
        kind, size = data[pos], data[pos + 1]
        if kind < 0x80 and size < 0x80:  # a cell's type and size, a byte each
            pos += 2
        else:  # a longer record (a text cell's, or no cell's): its type and size as ``records`` reads them
            found = next(records(data[pos:at], _EVERY), None)
            if found is None:
                return col
            kind, start, size = found
            pos += start
        if pos + size > at:
            return col
        if 0 < kind < _CELLS_END and size >= 4:
            col = _u32(data, pos)
        elif _CELLS_END <= kind < _SHORT_END:
            col += 1
        pos += size
    return col


_EVERY = frozenset(range(1 << 14))
"""Every record type (in at most 2 bytes, 7 bits each)."""
