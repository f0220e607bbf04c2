"""Reading vendor files: WIP reports and style / costing sheets, as they arrive.

The shell half of the WIP import and of the vendor style-sheet check: file
types, encodings and delimiters, the size limits of the tracker's Config
(checked before anything is unpacked), password-protected and unsafe files,
merged cells, formula cells saved without their result, hyperlinks. What comes
out is plain cells (``RawSheet``); the rules in ``core.wip`` and
``core.development.discrepancies`` take it from there.

Formula cells: the value the vendor's Excel saved is used. A formula saved
without a value (a file written by a program, not by Excel) keeps its text,
"=SUM(D6:D9)", with a note: never a blank cell where the vendor wrote
something. A link (=HYPERLINK("http://...", "see photos"), or a cell with
Insert > Link) reads as its text with the address after it:
"see photos (http://...)", so the address is not lost on the way in.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, NoReturn

from defusedxml import ElementTree as DET

from prodbook.core.cells import CellError, is_blank
from prodbook.core.config import Config
from prodbook.core.development.discrepancies import (
    VENDOR_STYLES,
    VendorSheet,
    style_sheet_header,
    style_sheet_order,
)
from prodbook.core.findings import Code, Finding, info, warning
from prodbook.core.limits import Excess, Limits, check_dimension, describe
from prodbook.core.wip import RawSheet, vendor_layout
from prodbook.core.wip import find_header as find_wip_header
from prodbook.workbook import calamine_safe, vendor_markup, xlsb_layout
from prodbook.workbook.filebook import OLE_SIGNATURE, encrypted_message, encrypted_office_file
from prodbook.workbook.limits import VENDOR_WHERE, TooLarge, check_csv, check_package
from prodbook.workbook.safety import unreadable_message
from prodbook.workbook.tables import column_letter, read_table
from prodbook.workbook.xlsx.book import _read_book
from prodbook.workbook.xlsx.package import DAMAGED_ZIP, _Package, doctype_parts
from prodbook.workbook.xlsx.sheetxml import HIDDEN_COLS
from prodbook.workbook.xlsx.styles import _Styles

SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv", ".txt")
MAX_CELL_TEXT = 32_767
"""Excel's limit on the characters in one cell."""
_XLSX = (".xlsx", ".xlsm")
NOTED_FORMULAS = 20
"""Formula cells kept as text noted one by one per sheet; the rest in one note (no flood on Issues)."""
_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_STRING = r'"((?:[^"]|"")*)"'
_HYPERLINK = re.compile(rf"^\s*(?:_xlfn\.)?HYPERLINK\(\s*{_STRING}\s*(?:[,;]\s*{_STRING}\s*)?\)\s*$", re.I)


def name_order(path: Path) -> tuple[str, str]:
    """The order files of a folder are read in, the same on every computer: by name as Windows Explorer and the
    Finder list them (capitals or not, an accented name in one Unicode form), where a plain sort put 'BD1 WIP.xlsx'
    before 'bd1 wip (revised).xlsx' on a Mac and after it on Windows. Of two reports of one PO line and date the
    first file's row is kept, so the order decides what is imported."""
    return unicodedata.normalize("NFC", path.name).casefold(), path.name


def read_vendor_file(path: Path, max_sizes: Limits | None = None, *,
                     look: Callable[[list[str]], None] | None = None, encoding: str | None = None
                     ) -> list[RawSheet]:
    """Every sheet of an Excel / OpenDocument file, or the one table of a CSV file (``encoding``: Config
    'CSV Encoding', for a CSV file that is not UTF-8).

    Raises ``CellError`` (a sentence for the APM naming the file) if the file is unreadable, protected,
    unsafe or over a limit (``max_sizes``: the tracker's Config), checked before anything is unpacked.
    ``look`` is shown a workbook's sheet names before any of its cells is read, and may raise to stop there:
    a tracker chosen where a report was asked for is known by them, without reading its T&A.
    """
    path = Path(path)
    try:
        return _read_vendor_file(path, max_sizes or Limits(), look, encoding)
    except OSError as exc:  # Windows will not hand it over (open in Excel, OneDrive syncing): said plainly
        raise CellError(unreadable_message(exc, path).replace("run again", "import it again")) from None


def _read_vendor_file(path: Path, max_sizes: Limits, look: Callable[[list[str]], None] | None,
                      encoding: str | None) -> list[RawSheet]:
    suffix = file_kind(path)
    if encrypted_office_file(path):
        raise CellError(encrypted_message(path).replace("run again (or use the prodbook tab inside Excel, which "
                                                        "works on the open workbook)", "import it again"))
    text_file = suffix in (".csv", ".txt", ".html", ".xml")
    try:
        if text_file:
            check_csv(path, max_sizes)
        else:
            check_package(path, max_sizes, VENDOR_WHERE)
    except TooLarge as exc:
        raise CellError(f"{exc}".rstrip(".")) from None
    if suffix in (".csv", ".txt"):
        text, notes = decode_csv(path.read_bytes(), path.name, encoding)
        delimiter = csv_delimiter(text)
        rows, broken = csv_records(text, delimiter)
        notes += [warning(Code.WIP_FILE, 'this line has a quote (") that does not pair with another, so it was '
                          "read on its own, the quote as written: check its cells. (A system that writes "
                          '12" without doubling the quote does this; Excel never does.)', file=path.name,
                          sheet=path.name, row=row, value=" | ".join(rows[row - 1])[:120]) for row in broken]
        return [_cut_long_text(RawSheet(path.name, None, rows, findings=notes, delimiter=delimiter))]
    if suffix in (".html", ".xml"):  # markup a vendor's system named .xls
        data = path.read_bytes()
        sheets = vendor_markup.rows_of(path, decode_text(data) if suffix == ".html" else None, data,
                                       xml=suffix == ".xml")
        for raw in sheets:
            _fill_vertical_merges(raw.rows, raw.merged)
        return [_cut_long_text(raw) for raw in sheets]
    return _read_book_cells(path, suffix, look, max_sizes)


_NOT_A_ZIP: tuple[type[Exception], ...] = (OSError, NotImplementedError, *DAMAGED_ZIP)
"""An old .xls, or a zip too damaged to open (NotImplementedError: a version field no reader has)."""
_UNLISTED: tuple[type[Exception], ...] = (*_NOT_A_ZIP, ValueError)
"""Also a zip whose list of parts has a name damaged into bytes no UTF-8 text holds (UnicodeDecodeError)."""
_SNIFF = 4096


def file_kind(path: Path) -> str:
    """The file's kind as its extension says it, or as its first bytes show where they disagree: a vendor's
    export named .xls is often an .xlsx workbook (a zip) or a CSV file, which Excel opens all the same.

    A zip is a workbook (.xlsx, or .ods as named; .xlsb where it holds a binary workbook, whatever its name);
    an OLE file an old .xls; text named .xls a CSV file (as Excel opens it; text named .xlsx Excel refuses, and
    so does prodbook), or markup: ".html" for a web page's tables, ".xml" for an Excel 2003 XML Spreadsheet
    (``vendor_markup``)."""
    suffix = path.suffix.lower()
    try:
        with open(path, "rb") as f:
            head = f.read(_SNIFF)
    except OSError:
        return suffix  # the reader says what is wrong
    if head.startswith(b"PK\x03\x04"):
        if suffix != ".ods" and _zip_holds(path, "xl/workbook.bin"):  # also one a mail left nameless (".xlsx")
            return ".xlsb"
        return suffix if suffix in (*_XLSX, ".ods") else ".xlsx"
    if head.startswith(OLE_SIGNATURE):
        return suffix if suffix in (".xls", ".xlsb") else ".xls"
    if suffix != ".xls" or not head:  # Excel opens text named .xls (with a warning), not named .xlsx
        return suffix
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode Text" (UTF-16, tab-separated), or
        head = head[:len(head) // 2 * 2].decode("utf-16", errors="replace").encode()  # markup saved in UTF-16
    if b"\x00" in head:
        return suffix
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<"):  # a web page's table, or Excel 2003's XML Spreadsheet (vendor_markup)
        return ".xml" if vendor_markup.is_xml_spreadsheet(head) else ".html"
    return ".csv"


def _zip_holds(path: Path, part: str) -> bool:
    """Whether the zip at ``path`` has the part: an .xlsb's workbook is xl/workbook.bin, an .xlsx's
    xl/workbook.xml. A zip too damaged to list is taken for an .xlsx, whose reader says what is wrong (also one
    whose list of parts has a name damaged into bytes no UTF-8 text holds: UnicodeDecodeError, a ValueError)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return part in zf.namelist()
    except _UNLISTED:
        return False


def read_vendor_bytes(name: str, data: bytes, max_sizes: Limits | None = None) -> list[RawSheet]:
    """``read_vendor_file`` for a file held in memory (an e-mail attachment): ``name`` is its file name,
    which decides its type and is the name findings and the Source File column show."""
    clean = Path(name.replace("\\", "/")).name or "attachment"
    with tempfile.TemporaryDirectory(prefix="prodbook-vendor-", ignore_cleanup_errors=True) as folder:
        path = Path(folder) / clean
        path.write_bytes(data)
        return read_vendor_file(path, max_sizes)


def _read_book_cells(path: Path, kind: str, look: Callable[[list[str]], None] | None = None,
                     max_sizes: Limits | None = None) -> list[RawSheet]:
    """``kind``: the file's kind (``file_kind``), which may not be its extension; ``look``: as
    ``read_vendor_file``'s, outside the net for calamine's errors; ``max_sizes``: an .xlsb sheet's used area is
    checked against them before calamine reads it (an .xlsx's <dimension> was, with the file's sizes)."""
    from python_calamine import CalamineWorkbook

    try:
        with zipfile.ZipFile(path) as zf:
            unsafe = doctype_parts(zf)
    except _NOT_A_ZIP:
        unsafe = []  # not a zip (an old .xls), or a damaged one: calamine reads it or says why below
    except ValueError:  # a part's name damaged into bytes no UTF-8 text holds: its parts cannot all be checked
        raise _unreadable(path, zipfile.BadZipFile()) from None
    if unsafe:
        raise CellError(f"'{path.name}' holds a DOCTYPE in {', '.join(unsafe)}, which Excel never writes; "
                        "prodbook does not read such files, for safety. Open it in Excel, save it again as "
                        ".xlsx, and import it again")
    out = []
    try:
        if kind == path.suffix.lower():
            book = calamine_safe.read(partial(CalamineWorkbook.from_path, str(path)), _damaged)
        else:  # calamine picks its reader by the extension, or from the bytes of a file-like object
            with open(path, "rb") as f:
                book = calamine_safe.read(partial(CalamineWorkbook.from_filelike, f), _damaged)
    except Exception as exc:  # calamine's errors are not one class
        raise _unreadable(path, exc) from None
    with book:  # closed on every way out: Windows cannot delete an attachment's temporary copy held open
        if look is not None:
            look(list(book.sheet_names))
        name = None
        try:
            own_merges, facts = _ods_layout(path) if kind == ".ods" else ({}, XmlFacts())
            hidden = {m.name for m in getattr(book, "sheets_metadata", ())
                      if str(m.visible).rsplit(".", 1)[-1] != "Visible"}  # Hidden, VeryHidden
            unread: set[str] = set()
            if kind in _XLSX:
                facts = _formula_cells(path)
            elif kind == ".xlsb":
                own_merges, facts, unread = _xlsb_layout(path, max_sizes or Limits(), hidden)
            elif kind == ".xls":
                facts = xls_hidden(path)
            for name in book.sheet_names:
                if name in unread:
                    continue
                sheet = calamine_safe.read(partial(book.get_sheet_by_name, name), _damaged)
                rows = calamine_safe.read(partial(sheet.to_python, skip_empty_area=False),
                                          partial(_openpyxl_values, path, name))
                merged = list(getattr(sheet, "merged_cell_ranges", None) or own_merges.get(name, []))
                raw = RawSheet(path.name, name, rows, date1904=facts.date1904, merged=merged,
                               hidden=name in hidden, hidden_rows=facts.hidden_rows.get(name, []),
                               hidden_columns=hidden_columns(facts.hidden_columns.get(name, []),
                                                             max(map(len, rows), default=0)),
                               percent_cells=facts.percent_cells.get(name, set()))
                _apply_formulas(raw, facts.formulas.get(name, {}))
                _fill_vertical_merges(rows, merged)
                out.append(_cut_long_text(raw))
        except (TooLarge, _ShortCells) as exc:  # an .xlsb sheet's area: said as an .xlsx's <dimension> is
            raise CellError(f"{exc}".rstrip(".")) from None
        except Exception as exc:  # calamine's errors are not one class
            raise _unreadable(path, exc, name) from None
    return out


def _damaged() -> NoReturn:
    """What a workbook or sheet calamine panicked on opening is (an .xlsb whose shared strings lie past the file's
    end, or whose sheet its relationships do not list): its Rust message ('index out of bounds', 'no entry found
    for key') says nothing to the APM."""
    raise zipfile.BadZipFile


def _unreadable(path: Path, exc: Exception, sheet: str | None = None) -> CellError:
    """The file no reader could read, and the sheet where it stopped: the reader's own words (often one letter
    of the XML it choked on) mean nothing to the APM, the sheet does."""
    where = f" (its sheet '{sheet}' is damaged)" if sheet else ""
    said = str(exc).strip()
    told = f"; the reader said: {said}" if len(said) > 3 else ""
    if isinstance(exc, DAMAGED_ZIP):  # zlib's "invalid distance too far back" says nothing more than this
        where, told = where or " (part of it cannot be unpacked: the file is damaged)", ""
    return CellError(f"'{path.name}' could not be read as a spreadsheet{where}{told}. Open it in Excel and save "
                     "it again as .xlsx, or ask the vendor to send it again")


def _openpyxl_values(path: Path, sheet: str) -> list[list[Any]]:
    """A vendor sheet calamine panicked on (a date cell holding -1E+308): openpyxl reads an .xlsx's."""
    if file_kind(path) not in _XLSX:
        raise CellError(f"sheet '{sheet}' holds a date no spreadsheet can show (it shows ####)")
    return calamine_safe.openpyxl_values(path, sheet)


_ODS = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def _ods_layout(path: Path) -> tuple[dict[str, list[tuple[tuple[int, int], tuple[int, int]]]], XmlFacts]:
    """Merged ranges of an OpenDocument spreadsheet per sheet, and the rows and columns each sheet hides
    (calamine gives neither for .ods): one pass over its content.xml."""
    out: dict[str, list[tuple[tuple[int, int], tuple[int, int]]]] = {}
    facts = XmlFacts()
    with zipfile.ZipFile(path) as zf:
        data = zf.read("content.xml")
    sheet, row, col, column = None, -1, 0, 0
    for event, el in DET.iterparse(io.BytesIO(data), events=("start", "end")):
        tag = el.tag
        if event == "start":
            if tag == f"{_ODS}table":
                sheet, row, column = el.get(f"{_ODS}name"), -1, 0
                out.setdefault(sheet, [])
            elif tag == f"{_ODS}table-row":
                row, col = row + 1, 0
                if sheet is not None and el.get(f"{_ODS}visibility") in ("collapse", "filter"):
                    count = int(el.get(f"{_ODS}number-rows-repeated", "1"))
                    facts.hidden_rows.setdefault(sheet, []).extend(range(row, row + min(count, MAX_HIDDEN_RUN)))
            elif tag == f"{_ODS}table-column":
                count = int(el.get(f"{_ODS}number-columns-repeated", "1"))
                if sheet is not None and el.get(f"{_ODS}visibility") in ("collapse", "filter"):
                    facts.hidden_columns.setdefault(sheet, []).append((column, column + count - 1))
                column += count
            elif tag in (f"{_ODS}table-cell", f"{_ODS}covered-table-cell"):
                across = int(el.get(f"{_ODS}number-columns-spanned", "1"))
                down = int(el.get(f"{_ODS}number-rows-spanned", "1"))
                if sheet is not None and (across > 1 or down > 1):
                    out[sheet].append(((row, col), (row + down - 1, col + across - 1)))
        else:
            if tag == f"{_ODS}table-row":
                row += int(el.get(f"{_ODS}number-rows-repeated", "1")) - 1
            elif tag in (f"{_ODS}table-cell", f"{_ODS}covered-table-cell"):
                col += int(el.get(f"{_ODS}number-columns-repeated", "1"))
                el.clear()
    return out, facts


_NO_LAYOUT: tuple[type[Exception], ...] = (*_NOT_A_ZIP, KeyError)
"""An .xlsb that is no zip, or whose workbook part is missing."""


def _xlsb_layout(path: Path, max_sizes: Limits, hidden: Collection[str] = ()
                 ) -> tuple[dict[str, list[tuple[tuple[int, int], tuple[int, int]]]], XmlFacts, set[str]]:
    """Merged ranges of an Excel Binary Workbook per sheet, the rows and columns each sheet hides, whether it
    counts dates from 1904, its error cells (calamine reads #N/A as empty: a broken lookup would read as nothing
    done) and its number cells shown as a percentage (calamine gives none of them for .xlsb): ``xlsb_layout``
    reads its records, and hands them on as an .xlsx's are. An .xlsb that is no zip (calamine reads it, or says
    why) has none. Raises ``TooLarge`` for a sheet whose cells reach past Excel's grid or over ``max_sizes``
    (``check_xlsb_area``), and ``_ShortCells`` for a visible sheet holding values in short cell records.

    And the sheets of ``hidden`` (the workbook's hidden sheets) holding values in short cell records, which are
    not read: their values would read as empty cells, and a hidden sheet is no report when a visible one is
    (last week's data), so the file is read without them rather than refused."""
    try:
        with _Package(path) as pkg:
            book = xlsb_layout.read_layout(pkg)
    except _NO_LAYOUT:
        return {}, XmlFacts(), set()
    unread = {name for name, sheet in book.sheets.items() if name in hidden and sheet.first_short is not None}
    for name, sheet in book.sheets.items():
        check_xlsb_area(path.name, name, sheet, max_sizes)
        if sheet.first_short is not None and name not in unread:
            row, col = sheet.first_short
            raise _ShortCells(f"'{path.name}' cannot be read in full: its sheet '{name}' holds cells saved in the "
                              f"short form of .xlsb that some systems write, from cell "
                              f"{column_letter(col)}{row + 1} on, which prodbook's reader would read as empty "
                              "cells. Open it in Excel and save it again as .xlsx (File > Save As > Excel "
                              "Workbook), and import that file")
    facts = XmlFacts(date1904=book.date1904,
                     hidden_rows={name: s.hidden_rows for name, s in book.sheets.items()},
                     hidden_columns={name: s.hidden_columns for name, s in book.sheets.items()},
                     formulas={name: {at: ("", True, None, error) for at, error in s.errors.items()}
                               for name, s in book.sheets.items()},
                     percent_cells={name: s.percent_cells for name, s in book.sheets.items()})
    return {name: s.merged for name, s in book.sheets.items()}, facts, unread


def xls_hidden(path: Path) -> XmlFacts:
    """The rows and columns each sheet of an old .xls (Excel 97-2003) hides, which calamine does not give (its
    cells and merged ranges it does): xlrd reads them from the sheet's ROW and COLINFO records (and a sheet whose
    rows are hidden unless a ROW record says otherwise, DEFAULTROWHEIGHT's fDyZero). An .xls xlrd cannot read
    (damaged in a way calamine forgives, or an .xls of Excel 5 or older) has none: its cells are read all the
    same, as before."""
    import xlrd

    facts = XmlFacts()
    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True, logfile=io.StringIO())
    except Exception:  # xlrd's errors are not one class (XLRDError, struct.error, IndexError...)
        return facts
    try:
        for index, name in enumerate(book.sheet_names()):
            try:
                sheet = book.sheet_by_index(index)
            except Exception:  # a damaged sheet: calamine reads it or says why
                continue
            rows = sheet.rowinfo_map
            hidden = [r for r, info in rows.items() if info.hidden]
            if sheet.default_row_hidden:  # every row no ROW record shows
                hidden += [r for r in range(sheet.nrows) if r not in rows]
            facts.hidden_rows[name] = sorted(hidden)
            facts.hidden_columns[name] = [(c, c) for c, info in sorted(sheet.colinfo_map.items()) if info.hidden]
            book.unload_sheet(index)
    finally:
        book.release_resources()
    return facts


class _ShortCells(Exception):
    """An .xlsb sheet holding short cell records (BrtShortRk...: a cell written without its column, after the
    cell before it in the row), which calamine reads as empty cells, their numbers and text too: refused, not
    read as a report of blanks. Systems that write .xlsb themselves (SheetJS, Aspose) save them."""


def check_xlsb_area(file: str, name: str, sheet: xlsb_layout.SheetLayout, max_sizes: Limits) -> None:
    """Refuse an .xlsb sheet (raises ``TooLarge``) before calamine reads it, by the area from A1 to its last
    cells: calamine allocates all of it. A 2 KB file with a cell at column 4,000,000,000 aborted the process (no
    message, the run lost); one at row 1,048,577 or past lost that row unsaid. A cell past Excel's grid is a
    damaged file's (Excel writes none); an area over Max Rows, Max Columns or Max Cells is told in the words of
    an .xlsx's <dimension> (an .xlsb has none the size check reads, and its BrtWsDim may say anything)."""
    if sheet.last_row < 0:
        return
    if sheet.last_row > xlsb_layout.LAST_ROW or sheet.last_col > xlsb_layout.LAST_COL:
        where = (f"row {sheet.last_row + 1:,}, past Excel's last row ({xlsb_layout.LAST_ROW + 1:,})"
                 if sheet.last_row > xlsb_layout.LAST_ROW else
                 f"column {sheet.last_col + 1:,}, past Excel's last column (XFD, {xlsb_layout.LAST_COL + 1:,})")
        damaged = (Excess("rows", sheet.last_row + 1, xlsb_layout.LAST_ROW + 1, "", sheet.part)
                   if sheet.last_row > xlsb_layout.LAST_ROW else
                   Excess("columns", sheet.last_col + 1, xlsb_layout.LAST_COL + 1, "", sheet.part))
        raise TooLarge(f"'{file}' is damaged: its sheet '{name}' has a cell in {where}, which no Excel file "
                       "holds, so it was not read. Ask the vendor to send it again (saved as .xlsx)", damaged, name)
    from openpyxl.utils.cell import get_column_letter

    excess = check_dimension(sheet.part, f"A1:{get_column_letter(sheet.last_col + 1)}{sheet.last_row + 1}",
                             max_sizes)
    if excess is not None:
        raise TooLarge(describe(excess, file, name, VENDOR_WHERE), excess, name)


MAX_HIDDEN_RUN = 10_000
"""Rows of one hidden run of an .ods that are named: LibreOffice writes the empty rows to the sheet's end
as one repeated row, a million long."""


# --- formula and link cells (.xlsx / .xlsm) -------------------------------------------------------

Formula = tuple[str, bool, str | None, str | None]
"""(formula text without '=', whether the file saved a value for it, a link address or None, the Excel
error the cell shows or None)."""


@dataclass
class XmlFacts:
    """What the reader does not give of an .xlsx / .xlsm, from its XML; per sheet name, 0-based."""

    formulas: dict[str, dict[tuple[int, int], Formula]] = field(default_factory=dict)
    date1904: bool = False
    hidden_rows: dict[str, list[int]] = field(default_factory=dict)
    hidden_columns: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    """(first, last) column of each hidden range: a range may run to Excel's last column (XFD)."""
    percent_cells: dict[str, set[tuple[int, int]]] = field(default_factory=dict)


def _formula_cells(path: Path) -> XmlFacts:
    """Per sheet name, the cells that hold a formula, a link or an Excel error: (row, col) 0-based ->
    ``Formula``. The reader gives an error cell (#N/A) as empty, which would hide a vendor's broken lookup.

    Only sheets whose XML holds one of these are parsed; most vendor files hold none. With them, whether
    the workbook counts dates from 1904 (a Mac's old default): a date typed as a number is 4 years off
    otherwise. And what the reader gives like any other cell: the rows and columns each sheet hides (a
    vendor hides last month's column), and the number cells shown as a percentage (1 shows 100%: a share,
    not 1 piece), found by a scan of the same bytes, no second parse.
    """
    facts = XmlFacts()
    pkg = _Package(path)
    try:
        book = _read_book(pkg)
        facts.date1904 = book.date1904
        percent = _percent_tag(_Styles(pkg, book.part).percent_styles())
        for name, _, part in book.sheets:
            if not part or not pkg.exists(part):
                continue
            data = pkg.zf.read(part)
            if b"hidden=" in data:
                facts.hidden_rows[name] = [int(m[1]) - 1 for m in _HIDDEN_ROW.finditer(data)]
                facts.hidden_columns[name] = [(int(m[1]) - 1, int(m[2]) - 1) for m in HIDDEN_COLS.finditer(data)]
            if percent is not None:
                facts.percent_cells[name] = percent_cells(data, percent)
            if b"<f" not in data and b"hyperlink" not in data and b't="e"' not in data:
                continue
            links = {r["id"]: r["target"] for r in pkg.rels(part)}
            facts.formulas[name] = _sheet_formulas(data, links)
    finally:
        pkg.close()
    return facts


_HIDDEN_ROW = re.compile(rb'<(?:\w+:)?row\b(?=[^>]*\bhidden="(?:1|true)")[^>]*?\br="(\d+)"')
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_CELL_TYPE = re.compile(rb'\bt="(\w+)"')


def hidden_columns(ranges: Iterable[tuple[int, int]], width: int) -> list[int]:
    """The hidden columns (0-based) of a sheet ``width`` columns wide: a vendor who hides every column to
    the right of the table hides 16,000 that hold nothing."""
    return sorted({c for first, last in ranges for c in range(first, min(last, width - 1) + 1)})


def _percent_tag(styles: frozenset[int]) -> re.Pattern[bytes] | None:
    """A cell's opening tag whose style shows numbers as a percentage; None when the workbook has no such style."""
    if not styles:
        return None
    ids = b"|".join(str(s).encode() for s in sorted(styles))
    return re.compile(rb'<(?:\w+:)?c\b(?=[^>]*\bs="(?:' + ids + rb')")([^>]*)>')


def percent_cells(data: bytes, tag: re.Pattern[bytes]) -> set[tuple[int, int]]:
    """The number cells (row, col), 0-based, of a sheet's XML whose style (``_percent_tag``) shows them as a
    percentage. Text and empty cells so styled are left out: they show no share."""
    from openpyxl.utils.cell import column_index_from_string

    out = set()
    for m in tag.finditer(data):
        attrs = m[1]
        ref, kind = _CELL_REF.search(attrs), _CELL_TYPE.search(attrs)
        if ref is None or attrs.endswith(b"/") or (kind is not None and kind[1] != b"n"):
            continue
        out.add((int(ref[2]) - 1, column_index_from_string(ref[1].decode()) - 1))
    return out


def _sheet_formulas(data: bytes, links: dict[str, str]) -> dict[tuple[int, int], Formula]:
    from openpyxl.formula.translate import Translator
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    def at(ref: str) -> tuple[int, int]:
        col, row = coordinate_from_string(ref)
        return row - 1, column_index_from_string(col) - 1

    shared: dict[str, tuple[str, str]] = {}
    cells: dict[tuple[int, int], Formula] = {}
    for _, el in DET.iterparse(io.BytesIO(data)):
        if el.tag == f"{_NS}c":
            f = el.find(f"{_NS}f")
            v = el.find(f"{_NS}v")
            error = v.text if el.get("t") == "e" and v is not None and v.text else None
            if f is None and error and el.get("r"):
                cells[at(el.get("r", ""))] = ("", True, None, error)
            if f is not None:
                ref = el.get("r", "")
                text = f.text or ""
                if f.get("t") == "shared" and f.get("si") is not None:
                    if text:
                        shared[f.get("si")] = (text, ref)
                    elif f.get("si") in shared:
                        master, origin = shared[f.get("si")]
                        text = Translator("=" + master, origin=origin).translate_formula(ref)[1:]
                inline = el.find(f"{_NS}is")
                cached = (v is not None and v.text not in (None, "")) or inline is not None
                if text and ref:
                    cells[at(ref)] = (text, cached, None, error)
            el.clear()
        elif el.tag == f"{_NS}hyperlink":
            address = links.get(el.get(_R_ID) or "")
            for ref in _refs(el.get("ref", "")):
                if address:
                    formula, cached, _, error = cells.get(at(ref), ("", True, None, None))
                    cells[at(ref)] = (formula, cached, address, error)
    return cells


def _refs(text: str) -> Iterable[str]:
    """The cells of 'A1' or 'A1:B3' (a link over a range)."""
    from openpyxl.utils.cell import get_column_letter, range_boundaries

    try:
        c1, r1, c2, r2 = range_boundaries(text)
    except ValueError:
        return []
    if c1 is None or r1 is None or c2 is None or r2 is None:  # a whole row or column: no cell link
        return []
    return [f"{get_column_letter(c)}{r}" for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)][:10_000]


def _apply_formulas(raw: RawSheet, formulas: dict[tuple[int, int], Formula]) -> None:
    """Formula cells without a saved value keep their text (with a note); links keep their address; an
    error cell reads as the error it shows ('#N/A'), which the rules then name, not as an empty cell."""
    kept: list[tuple[int, int]] = []
    for (r, c), (formula, cached, address, error) in sorted(formulas.items()):
        if r >= len(raw.rows) or c >= len(raw.rows[r]):
            while len(raw.rows) <= r:
                raw.rows.append([])
            raw.rows[r].extend([""] * (c + 1 - len(raw.rows[r])))
        value = raw.rows[r][c]
        link = _HYPERLINK.match(formula) if formula else None
        if link:
            url = link[1].replace('""', '"')
            label = value if not is_blank(value) else (link[2] or "").replace('""', '"')
            raw.rows[r][c] = link_text(label, url)
        elif address:
            raw.rows[r][c] = link_text(value, address)
        elif error and is_blank(value):
            raw.rows[r][c] = error
        elif formula and not cached and is_blank(value):
            raw.rows[r][c] = "=" + formula
            kept.append((r, c))
    for r, c in kept[:NOTED_FORMULAS]:
        raw.findings.append(info(
            Code.VENDOR_FORMULA, "this cell holds a formula saved without its result (the file was not "
            "saved by Excel, or not recalculated), so its text was read instead of a value. Ask the "
            "vendor to open the file in Excel and save it again", file=raw.file, sheet=raw.sheet,
            row=r + 1, column=column_letter(c), value=raw.rows[r][c]))
    if len(kept) > NOTED_FORMULAS:
        raw.findings.append(info(
            Code.VENDOR_FORMULA, f"{len(kept) - NOTED_FORMULAS:,} more formula cells of this sheet were saved "
            "without their result and read as their text", file=raw.file, sheet=raw.sheet))


def link_text(label: Any, address: str) -> str:
    """A link cell as text: 'see photos (http://...)'; just the address when the text is the address."""
    text = "" if is_blank(label) else str(label).strip()
    return address if not text or text == address else f"{text} ({address})"


# --- cells ------------------------------------------------------------------------------------------

def _cut_long_text(raw: RawSheet) -> RawSheet:
    """Text longer than an Excel cell holds is cut to Excel's limit, with a warning naming the cell."""
    for r, row in enumerate(raw.rows):
        for c, v in enumerate(row):
            if isinstance(v, str) and len(v) > MAX_CELL_TEXT:
                row[c] = v[:MAX_CELL_TEXT]
                raw.findings.append(warning(
                    Code.WIP_FILE, f"this cell holds {len(v):,} characters, more than an Excel cell can hold "
                    f"({MAX_CELL_TEXT:,}); only the first {MAX_CELL_TEXT:,} were read. Ask the vendor to "
                    "shorten it", file=raw.file, sheet=raw.sheet, row=r + 1, column=column_letter(c),
                    value=v[:60] + "..."))
    return raw


def _fill_vertical_merges(rows: list[list[Any]], merged: Iterable[tuple[tuple[int, int], tuple[int, int]]]
                          ) -> None:
    """A cell merged down over several rows (a PO over its colours) belongs to each of them, to the file's last
    row: a merge that runs past it (a PO merged down the whole column, to row 1,048,576, or a damaged file's to
    row 4,294,967,295) makes no empty line."""
    for (r1, c1), (r2, _) in merged:
        if r2 <= r1 or r1 >= len(rows) or c1 >= len(rows[r1]):
            continue
        value = rows[r1][c1]
        for r in range(r1 + 1, min(r2, len(rows) - 1) + 1):
            row = rows[r]
            if len(row) <= c1:
                row.extend([""] * (c1 + 1 - len(row)))
            if is_blank(row[c1]):
                row[c1] = value


CSV_ENCODING = "CSV Encoding"
"""The Config setting naming the encoding of vendors' CSV files that are not UTF-8 (cp932, gbk, mac_roman)."""
_ENCODINGS = ("cp936 Simplified Chinese, cp950 Traditional Chinese, cp932 Japanese, cp949 Korean, "
              "cp1258 Vietnamese, cp874 Thai, mac_roman an old Mac")


_UTF8_MARK = b"\xef\xbb\xbf"


def _unicode(data: bytes) -> str | None:
    """The text of bytes that say they are Unicode: a UTF-8 or UTF-16 mark, or UTF-8 that reads whole. Behind a
    UTF-8 mark, bytes that are no UTF-8 (a system that writes the mark before Windows-1252 text) are None, as
    unmarked ones are: read as '\ufffd' they would lose every accented letter, and say nothing."""
    if data.startswith(_UTF8_MARK):
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.reason != "unexpected end of data":  # not only the last character cut short
                return None
            return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")  # a file cut short ends in half a character
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def decode_text(data: bytes) -> str:
    """Text bytes (a web page a vendor's system named .xls) as text: Unicode, else Windows-1252."""
    text = _unicode(data)
    return text if text is not None else data.removeprefix(_UTF8_MARK).decode("cp1252", errors="replace")


def decode_csv(data: bytes, file: str, encoding: str | None = None) -> tuple[str, list[Finding]]:
    """A CSV file's text, and what the APM should know of how it was read. A CSV that is not UTF-8 was saved
    in its computer's own code page, which the file does not name: Config 'CSV Encoding' names it; without
    it, Windows' Western European (Windows-1252), or an old Mac's where the lines end the Mac way (CR alone),
    and a note saying so, since Chinese or Japanese read so come out as odd Latin letters."""
    text = _unicode(data)
    if text is not None:
        return text, []
    marked = data.startswith(_UTF8_MARK)
    data = data.removeprefix(_UTF8_MARK)
    notes: list[Finding] = []
    if encoding:
        try:
            codecs.lookup(encoding.strip())
        except LookupError:
            notes.append(warning(Code.WIP_ENCODING, f"the Config setting '{CSV_ENCODING}' is '{encoding}', which is no "
                                 f"encoding prodbook knows, so it was not used; type one such as {_ENCODINGS}",
                                 file=file, value=encoding))
            encoding = None
    if encoding:
        text = data.decode(encoding.strip(), errors="replace")
        if "\ufffd" in text:
            notes.append(warning(Code.WIP_ENCODING, f"some bytes of this CSV file are no {encoding} character: they "
                                 "show as \N{REPLACEMENT CHARACTER}. Check the Config setting "
                                 f"'{CSV_ENCODING}', or ask the vendor to save it as 'CSV UTF-8'", file=file,
                                 value=encoding))
        return text, notes
    mac = b"\r" in data and b"\n" not in data
    used, said = ("mac_roman", "an old Mac's Western European (Mac Roman), as its lines end the Mac way") if mac \
        else ("cp1252", "Windows' Western European (Windows-1252)")
    text = ("this CSV file starts with the mark of UTF-8, but its characters are not UTF-8's, so it does not say "
            f"which characters it holds; it was read as {said}" if marked else
            f"this CSV file is not saved as UTF-8, and does not say which characters it holds; it was read as {said}")
    advice = (f"set '{CSV_ENCODING}' on the Config sheet to the vendor's ({_ENCODINGS}) and import it again, or "
              "ask the vendor to save as 'CSV UTF-8'")
    if _paired_high_bytes(data):
        notes.append(warning(Code.WIP_ENCODING, f"{text}, but its letters come in pairs of bytes, as Chinese, "
                             f"Japanese or Korean text does: its names and remarks are likely wrong. {advice}",
                             file=file, value=used))
    else:
        notes.append(info(Code.WIP_ENCODING, f"{text}. If names or remarks look wrong in the import (é as Ã©), "
                          f"{advice}", file=file, value=used))
    return data.decode(used, errors="replace"), notes


_HIGH_RUNS = re.compile(rb"[\x80-\xff]+")


def _paired_high_bytes(data: bytes) -> bool:
    """Whether nearly all the bytes past ASCII stand beside another: an East Asian code page writes each letter
    as two such bytes, while a Western European accent mostly stands alone between plain letters ('Café')."""
    runs = [len(r) for r in _HIGH_RUNS.findall(data)]
    return bool(runs) and sum(n for n in runs if n > 1) > 0.8 * sum(runs)


def csv_rows(text: str) -> list[list[Any]]:
    """A CSV text's rows; the delimiter is the one that splits the first lines widest (',' on ties)."""
    return csv_records(text)[0]


def csv_records(text: str, delimiter: str | None = None) -> tuple[list[list[Any]], list[int]]:
    """A CSV text's rows, and the rows (1-based) whose quotes do not pair (``delimiter``: ``csv_delimiter``'s).

    A quote that never closes (a remark 'URGENT 12" zip' from a system that does not double it) would
    make the rest of the file one cell: such a line is read on its own instead. A quoted cell spanning
    lines (a remark with line breaks, as Excel writes it) stays one cell, unless the lines it would take
    in look like rows of the file.
    """
    head = _head(text)
    delimiter = delimiter or csv_delimiter(head)
    row_like = max(2, _widest(head, delimiter) - 1)  # a line with a delimiter for every column: a row taken in
    try:
        rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)]
        if not any(_takes_in_rows(v, delimiter, row_like) for r in rows for v in r if "\n" in v or "\r" in v):
            return rows, []
    except csv.Error:
        pass
    return _csv_line_by_line(text, delimiter, row_like)


def csv_delimiter(text: str) -> str:
    """The delimiter that splits the first lines widest (',' on ties): the one the file was written with."""
    head = _head(text)
    return max((",", ";", "\t", "|"), key=lambda d: _widest(head, d))


def _head(text: str) -> str:
    return "\n".join(text.splitlines()[:40])


def _widest(head: str, delimiter: str) -> int:
    return max((len(r) for r in csv.reader(io.StringIO(head), delimiter=delimiter)), default=0)


_SPAN = 20
"""Lines a quoted cell may span before an unclosed quote is assumed."""


def _takes_in_rows(value: str, delimiter: str, row_like: int) -> bool:
    return any(line.count(delimiter) >= row_like for line in value.splitlines()[1:])


def _csv_line_by_line(text: str, delimiter: str, row_like: int) -> tuple[list[list[Any]], list[int]]:
    lines = text.splitlines(keepends=True)
    rows: list[list[Any]] = []
    broken: list[int] = []
    i = 0
    while i < len(lines):
        taken = None
        if '"' in lines[i]:
            for j in range(i + 1, min(i + _SPAN, len(lines)) + 1):
                try:
                    got = list(csv.reader(io.StringIO("".join(lines[i:j]), newline=""), delimiter=delimiter,
                                          strict=True))
                except csv.Error:
                    continue
                if len(got) == 1 and not any(_takes_in_rows(v, delimiter, row_like) for v in got[0]):
                    taken = (got[0], j)
                break
        if taken is None:
            got = list(csv.reader([lines[i].rstrip("\r\n")], delimiter=delimiter))
            taken = (got[0] if got else [], i + 1)
            if '"' in lines[i]:
                broken.append(len(rows) + 1)
        rows.append(list(taken[0]))
        i = taken[1]
    return rows, broken


# --- vendor style / costing sheets --------------------------------------------------------------

_PROGRESS = frozenset({"cut_qty", "sewn_qty", "packed_qty"})
"""A WIP report's own columns: no style or costing sheet has them."""


def _wip_report(raw: RawSheet, config: Config) -> bool:
    """Whether a sheet's header is a WIP report's: PO # and a cut, sewn or packed quantity (as the WIP import
    finds it, the team's Config mappings first)."""
    found = find_wip_header(raw.rows, vendor_layout(config, None), raw.merged, raw.hidden_columns)
    return found is not None and "po" in found.columns and bool(_PROGRESS & set(found.columns))


def read_style_sheet(path: Path, config: Config) -> VendorSheet | None:
    """A vendor style sheet / costing file, or None when the file is not one (a WIP report...).

    The first sheet whose header maps Style # and at least one compared column is used; its header is
    recognised by meaning (``core.headers``), as the WIP import's is. A sheet with a WIP report's columns
    (PO # and a cut, sewn or packed quantity) is a WIP report, even with a price column beside them (a
    'Unit Price', hidden or not): the WIP import reads it, and its TOTAL row, which that import skips, is no
    style of a costing sheet.
    """
    for raw in read_vendor_file(path, config.limits, encoding=config.get(CSV_ENCODING)):
        sheet = raw.sheet or Path(path).stem
        found = style_sheet_header(raw.rows, config, file=raw.file)
        if found is None or _wip_report(raw, config):
            continue
        header_row, mapped, texts, notes = found
        as_written, order = style_sheet_order(raw.rows, header_row, mapped, config, file=raw.file)
        # 'USD 7.25' reads 7.25 and 'RMB 45' is named, by the FOB column's unit (``cells.in_unit``)
        table = read_table(raw.rows, VENDOR_STYLES, as_written, sheet=sheet, file=raw.file,
                           header=(header_row, mapped, texts))
        return VendorSheet(raw.file, sheet, table.frame, [*raw.findings, *notes, *order, *table.findings])
    return None
