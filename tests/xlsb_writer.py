"""A minimal writer of Excel Binary Workbooks (.xlsb), for tests: no tool on this machine writes one
(LibreOffice reads .xlsb but cannot save it), and a vendor's WIP report may arrive as one.

Written from [MS-XLSB]: a zip of the same parts as an .xlsx, with the workbook, sheets, shared strings and
styles as BIFF12 records instead of XML. A record is its type and its size, each a variable-length integer
(7 bits a byte, low bits first, the high bit set where another byte follows), then its data, little-endian.
What is written, as Excel writes it: text in the shared-string table (BrtCellIsst), a number as an RK number
where one holds it exactly (BrtCellRk: Excel's form for whole numbers and dates) else a double (BrtCellReal), a
date as its serial number in the 1900 date system with Excel's built-in number format 14 (m/d/yyyy, shown in the
computer's order), and an empty cell as nothing. The layout a vendor's report has: merged ranges
(BrtBeginMergeCells / BrtMergeCell / BrtEndMergeCells after the cells), hidden rows (BrtRowHdr's fDyZero) and
hidden columns (BrtColInfo's fHidden, before the cells), and the 1904 date system (BrtWbProp's fDate1904), its
dates then counted from 1 Jan 1904. What a broken report holds: an error value (``Error``: BrtCellError, or a
formula's saved result, BrtFmlaError, its formula =NA() or the error itself, =#REF!), and a number shown as a
percentage (``Percent``: built-in number format 9, 0%, or a format of the workbook's own such as 0.0%). With
``short``, each cell right after another in its row as a short record, without its column (BrtShortIsst,
BrtShortRk, BrtShortReal, BrtShortError), as systems that write .xlsb themselves (SheetJS, Aspose) save it.
``test_xlsb.py`` shows that calamine, LibreOffice and pyxlsb read it alike, and LibreOffice its layout, errors
and percent format too.
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path


@dataclass(frozen=True)
class Error:
    """An Excel error value in a cell ('#N/A', '#REF!'); ``formula``: as a formula's saved result (=#N/A)."""

    text: str
    formula: bool = False


class Percent(float):
    """A number shown as a percentage (0%): 0.85 shows 85%."""


Cell = str | int | float | date | Error | None
Merge = tuple[tuple[int, int], tuple[int, int]]
"""((first row, first col), (last row, last col)), 0-based."""

# [MS-XLSB] 2.3 record types
_ROW_HDR, _CELL_RK, _CELL_ERROR, _CELL_REAL, _CELL_ISST, _FMLA_ERROR = 0, 2, 3, 5, 7, 11
_SHORT_RK, _SHORT_ERROR, _SHORT_REAL, _SHORT_ISST = 13, 14, 16, 18
"""BrtShortRk, BrtShortError, BrtShortReal, BrtShortIsst: a cell written without its column (the one after the
cell before it in the row), its data the long record's less the column's 4 bytes."""
_SST_ITEM, _FONT, _FILL, _BORDER, _XF, _STYLE = 19, 43, 45, 46, 47, 48
_BEGIN_SHEET, _END_SHEET, _BEGIN_BOOK, _END_BOOK = 129, 130, 131, 132
_BEGIN_BUNDLE_SHS, _END_BUNDLE_SHS, _BEGIN_SHEET_DATA, _END_SHEET_DATA = 143, 144, 145, 146
_WS_DIM, _BUNDLE_SH, _BEGIN_SST, _END_SST = 148, 156, 159, 160
_BEGIN_STYLE_SHEET, _END_STYLE_SHEET = 278, 279
_COL_INFO, _WB_PROP, _MERGE_CELL, _BEGIN_MERGE_CELLS, _END_MERGE_CELLS = 60, 153, 176, 177, 178
_BEGIN_COL_INFOS, _END_COL_INFOS = 390, 391
_ROW_HIDDEN, _COL_HIDDEN, _DATE1904 = 0x1000, 0x0001, 0x0001
"""fDyZero in BrtRowHdr's 16 bits of flags, fHidden in BrtColInfo's, fDate1904 in BrtWbProp's 32."""
_FMT, _BEGIN_FMTS, _END_FMTS, _CUSTOM_FMT = 44, 615, 616, 164
"""BrtFmt, a number format of the workbook's own, between BrtBeginFmts and BrtEndFmts; the first id Excel gives one."""
_BEGIN_FILLS, _END_FILLS, _BEGIN_FONTS, _END_FONTS = 603, 604, 611, 612
_BEGIN_BORDERS, _END_BORDERS, _BEGIN_CELL_XFS, _END_CELL_XFS = 613, 614, 617, 618
_BEGIN_STYLES, _END_STYLES, _BEGIN_CELL_STYLE_XFS, _END_CELL_STYLE_XFS = 619, 620, 626, 627

_DATE_XF, _PERCENT_XF = 1, 2
"""The cell formats (BrtXF in the cell formats) of a date: built-in number format 14, and of a percentage: 9."""
_ERRORS = {"#NULL!": 0x00, "#DIV/0!": 0x07, "#VALUE!": 0x0F, "#REF!": 0x17, "#NAME?": 0x1D, "#NUM!": 0x24,
           "#N/A": 0x2A}
"""[MS-XLSB] BErr: an error value's code."""
_PTG_ERR = 0x1C
"""PtgErr: a formula token that is an error value (its code follows)."""
_NA_FUNCTION = bytes([0x21]) + struct.pack("<H", 10)
"""=NA(): PtgFunc, then the function's number (Ftab 10: NA), a broken lookup's #N/A."""
_EPOCH = date(1899, 12, 30)
"""Serial number 0 of the 1900 date system as Excel counts it (its 29 Feb 1900 lies before March 1900)."""
_EPOCH_1904 = date(1904, 1, 1)
"""Serial number 0 of the 1904 date system (an old Mac's default)."""


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _record(kind: int, data: bytes = b"") -> bytes:
    return _varint(kind) + _varint(len(data)) + data


def _wide(text: str) -> bytes:
    """An XLWideString: its count of UTF-16 code units, then them."""
    units = text.encode("utf-16-le")
    return struct.pack("<I", len(units) // 2) + units


def _cell(col: int, xf: int) -> bytes:
    """The Cell structure: the column, then the cell format in the low 24 bits (flags 0)."""
    return struct.pack("<II", col, xf)


def _short(kind: int, data: bytes) -> bytes:
    """The short record of the long cell record ``kind`` holding ``data`` (its column dropped)."""
    return _record(_SHORT_OF[kind], data[4:])


_SHORT_OF = {_CELL_RK: _SHORT_RK, _CELL_ERROR: _SHORT_ERROR, _CELL_REAL: _SHORT_REAL, _CELL_ISST: _SHORT_ISST}


def _number(col: int, xf: int, value: float) -> tuple[int, bytes]:
    """A number as Excel writes it: an RK number where one holds it exactly (a whole number, or a double whose
    low 32 bits are zero), else a double (BrtCellReal); its record's type and data."""
    as_double = struct.pack("<d", value)
    if as_double[:4] == bytes(4) and not as_double[4] & 0b11:  # the double's high 32 bits, whose last two bits
        return _CELL_RK, _cell(col, xf) + as_double[4:]  # (fX100 and fInt) are 0: all of it
    if value == int(value) and -(1 << 29) <= value < (1 << 29):  # fInt: a 30-bit whole number
        return _CELL_RK, _cell(col, xf) + struct.pack("<i", (int(value) << 2) | 0b10)
    return _CELL_REAL, _cell(col, xf) + as_double


def write_xlsb(path: Path, rows: Sequence[Sequence[Cell]], sheet: str = "Sheet1", *, merged: Iterable[Merge] = (),
               hidden_rows: Iterable[int] = (), hidden_columns: Iterable[tuple[int, int]] = (),
               date1904: bool = False, percent_format: str = "0%", short: bool = False) -> Path:
    """An .xlsb workbook at ``path`` with one sheet named ``sheet`` holding ``rows`` from A1; ``merged``: its
    merged ranges, ``hidden_rows`` (0-based, within ``rows``) and ``hidden_columns`` ((first, last), 0-based):
    what it hides; ``date1904``: the workbook counts dates from 1904; ``percent_format``: how a ``Percent`` shows
    (other than Excel's built-in '0%', a number format of the workbook's own); ``short``: a cell right after
    another in its row (a row's column run) is written as a short record, without its column, as Excel writes
    them (a formula's saved error stays a long record: a formula has no short one)."""
    strings: dict[str, int] = {}
    uses = 0
    data = bytearray()
    last_col = max((len(row) for row in rows), default=1) - 1
    hidden, epoch = set(hidden_rows), _EPOCH_1904 if date1904 else _EPOCH
    for r, row in enumerate(rows):
        # BrtRowHdr: row, format, height (15 pt, in twips), flags, one column span (first, last)
        flags = _ROW_HIDDEN if r in hidden else 0
        data += _record(_ROW_HDR, struct.pack("<IIHHBIII", r, 0, 300, flags, 0, 1, 0, max(last_col, 0)))
        before = -2  # the column of the cell written before, in this row
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                uses += 1
                index = strings.setdefault(value, len(strings))
                kind, cell = _CELL_ISST, _cell(c, 0) + struct.pack("<I", index)
            elif isinstance(value, Error):
                code = bytes([_ERRORS[value.text]])
                if value.formula:  # the error, its flags (0), then the formula: its tokens' size, them, no extra
                    tokens = _NA_FUNCTION if value.text == "#N/A" else bytes([_PTG_ERR]) + code
                    formula = struct.pack("<I", len(tokens)) + tokens + struct.pack("<I", 0)
                    kind, cell = _FMLA_ERROR, _cell(c, 0) + code + struct.pack("<H", 0) + formula
                else:
                    kind, cell = _CELL_ERROR, _cell(c, 0) + code
            elif isinstance(value, date):
                day = value.date() if isinstance(value, datetime) else value
                kind, cell = _number(c, _DATE_XF, (day - epoch).days)
            else:
                kind, cell = _number(c, _PERCENT_XF if isinstance(value, Percent) else 0, value)
            data += _short(kind, cell) if short and c == before + 1 and kind in _SHORT_OF else _record(kind, cell)
            before = c
    dim = struct.pack("<IIII", 0, max(len(rows) - 1, 0), 0, max(last_col, 0))
    # BrtColInfo: first and last column, width (in 1/256 of a character), cell format, flags
    cols = [_record(_COL_INFO, struct.pack("<IIIIH", first, last, 9 * 256, 0, _COL_HIDDEN))
            for first, last in hidden_columns]
    col_infos = _record(_BEGIN_COL_INFOS) + b"".join(cols) + _record(_END_COL_INFOS) if cols else b""
    # BrtBeginMergeCells: how many; BrtMergeCell: first row, last row, first column, last column
    merges = [_record(_MERGE_CELL, struct.pack("<IIII", r1, r2, c1, c2)) for (r1, c1), (r2, c2) in merged]
    merge_cells = (_record(_BEGIN_MERGE_CELLS, struct.pack("<I", len(merges))) + b"".join(merges)
                   + _record(_END_MERGE_CELLS)) if merges else b""
    sheet_bin = (_record(_BEGIN_SHEET) + _record(_WS_DIM, dim) + col_infos + _record(_BEGIN_SHEET_DATA)
                 + bytes(data) + _record(_END_SHEET_DATA) + merge_cells + _record(_END_SHEET))
    sst_bin = (_record(_BEGIN_SST, struct.pack("<II", uses, len(strings)))
               + b"".join(_record(_SST_ITEM, b"\x00" + _wide(text)) for text in strings)  # flags 0: plain text
               + _record(_END_SST))
    # BrtWbProp: flags, theme version, code name; BrtBundleSh: visible, sheet id, relationship id, name
    props = _record(_WB_PROP, struct.pack("<II", _DATE1904 if date1904 else 0, 0) + _wide(""))
    book_bin = (_record(_BEGIN_BOOK) + props + _record(_BEGIN_BUNDLE_SHS)
                + _record(_BUNDLE_SH, struct.pack("<II", 0, 1) + _wide("rId1") + _wide(sheet))
                + _record(_END_BUNDLE_SHS) + _record(_END_BOOK))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _ROOT_RELS)
        zf.writestr("xl/workbook.bin", book_bin)
        zf.writestr("xl/_rels/workbook.bin.rels", _BOOK_RELS)
        zf.writestr("xl/worksheets/sheet1.bin", sheet_bin)
        zf.writestr("xl/styles.bin", _styles_bin(percent_format))
        zf.writestr("xl/sharedStrings.bin", sst_bin)
    return path


def _styles_bin(percent_format: str = "0%") -> bytes:
    """One font (Calibri 11), the two fills and one border every workbook has, one cell style ("Normal"), and
    three cell formats: General, the date format 14 and ``percent_format`` (built-in 9, or a BrtFmt of its own)."""
    def count(kind: int, n: int) -> bytes:
        return _record(kind, struct.pack("<I", n))

    # BrtFont: height (twips), flags, weight 400, no super/subscript, no underline, family 2 (swiss), charset 0,
    # unused, colour (theme colour 1: text), scheme 2 (minor), name
    font = struct.pack("<HHHHBBBB", 220, 0, 400, 0, 0, 2, 0, 0) + bytes([0x07, 1, 0, 0, 0, 0, 0, 0xFF]) + b"\x02"
    # BrtFill: pattern (0 none, 17 gray125), foreground and background colours (8 bytes each), then a gradient
    # block that is ignored for a pattern fill (type, angle, four insets: doubles; stop count 0)
    def fill(pattern: int) -> bytes:
        colour = bytes([0x03, 0x40, 0, 0, 0, 0, 0, 0xFF])  # indexed colour 64: system foreground
        return (struct.pack("<I", pattern) + colour + colour + struct.pack("<I", 0) + struct.pack("<5d", 0, 0, 0, 0, 0)
                + struct.pack("<I", 0))
    # BrtBorder: flags, then top, bottom, left, right, diagonal: a line style (2 bytes) and a colour each
    border = b"\x00" + (struct.pack("<H", 0) + bytes([0x01, 0, 0, 0, 0, 0, 0, 0xFF])) * 5
    # BrtXF: parent style (0xFFFF for a cell style), number format, font, fill, border, rotation, indent,
    # alignment and protection flags (locked), which attributes it applies
    def xf(parent: int, number_format: int) -> bytes:
        return struct.pack("<HHHHHBBHH", parent, number_format, 0, 0, 0, 0, 0, 0x1000, 0)
    # BrtFmt: the number format's id, its code
    percent, fmts = (9, b"") if percent_format == "0%" else (
        _CUSTOM_FMT, count(_BEGIN_FMTS, 1) + _record(_FMT, struct.pack("<H", _CUSTOM_FMT) + _wide(percent_format))
        + _record(_END_FMTS))
    return b"".join([
        _record(_BEGIN_STYLE_SHEET), fmts,
        count(_BEGIN_FONTS, 1), _record(_FONT, font + _wide("Calibri")), _record(_END_FONTS),
        count(_BEGIN_FILLS, 2), _record(_FILL, fill(0)), _record(_FILL, fill(17)), _record(_END_FILLS),
        count(_BEGIN_BORDERS, 1), _record(_BORDER, border), _record(_END_BORDERS),
        count(_BEGIN_CELL_STYLE_XFS, 1), _record(_XF, xf(0xFFFF, 0)), _record(_END_CELL_STYLE_XFS),
        count(_BEGIN_CELL_XFS, 3), _record(_XF, xf(0, 0)), _record(_XF, xf(0, 14)), _record(_XF, xf(0, percent)),
        _record(_END_CELL_XFS),
        # BrtStyle: its cell style format, built-in flag, built-in style 0 (Normal), outline level, name
        count(_BEGIN_STYLES, 1), _record(_STYLE, struct.pack("<IHBB", 0, 1, 0, 0xFF) + _wide("Normal")),
        _record(_END_STYLES),
        _record(_END_STYLE_SHEET),
    ])


_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/xl/workbook.bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>\
<Override PartName="/xl/worksheets/sheet1.bin" ContentType="application/vnd.ms-excel.worksheet"/>\
<Override PartName="/xl/styles.bin" ContentType="application/vnd.ms-excel.styles"/>\
<Override PartName="/xl/sharedStrings.bin" ContentType="application/vnd.ms-excel.sharedStrings"/>\
</Types>"""
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.bin"/>\
</Relationships>"""
_BOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.bin"/>\
<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.bin"/>\
<Relationship Id="rId3" Type="{_REL}/sharedStrings" Target="sharedStrings.bin"/>\
</Relationships>"""
