"""A sheet's first rows copied, as they are, into a workbook of their own.

The Change Log's oldest rows leave the tracker when the sheet is full: a million rows written anew from
their values took 10-12 s. Their XML is copied instead (about 4 s: inflated, looked over, deflated),
with the tracker's styles, theme and shared strings beside it, so every cell means and shows what it
did in the tracker. Where a copy could not mean the same (formulas, cell metadata, rows without their
number, strict OOXML), ``NotCopyable`` sends the caller back to writing the rows from their values.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, BinaryIO

from prodbook.workbook.xlsx.book import _read_book
from prodbook.workbook.xlsx.package import (
    CT_TABLE,
    CT_WORKSHEET,
    NS_MAIN,
    NS_PKG_REL,
    NS_R,
    REWRITE_COMPRESSLEVEL,
    RT_BASE,
    RT_STYLES,
    RT_TABLE,
    RT_WORKSHEET,
    _copy_member,
    _Package,
)
from prodbook.workbook.xlsx.rewrite import _update_table
from prodbook.workbook.xlsx.sheetxml import _HAS_F_B, _SHEETDATA_RE_B
from prodbook.workbook.xlsx.table_parts import find_table
from prodbook.workbook.xlsx.xmltext import _esc_attr, _ns_prefix, _text_xml


class NotCopyable(Exception):
    """The rows cannot be copied as they are (the reason is for the developer): write them from values."""


_CT_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_CARRIED = {  # the workbook's parts a copied cell may point into, with their content types
    RT_STYLES: "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml",
    RT_BASE + "theme": "application/vnd.openxmlformats-officedocument.theme+xml",
    RT_BASE + "sharedStrings": "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml",
}
_ABOUT, _ROWS, _TABLE = "xl/worksheets/about.xml", "xl/worksheets/rows.xml", "xl/tables/rows.xml"
_MARGINS = '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
_META = re.compile(rb'\s(?:cm|vm)="')
"""Cell metadata (dynamic arrays, linked data types): it points into parts not carried."""


def copy_first_rows(src: Path | BinaryIO, sheet: str, header_row: int, last_row: int, dst: Path, name: str,
                    about: Sequence[str]) -> None:
    """Write ``dst``: an About sheet of the lines ``about``, then sheet ``name`` holding rows 1 to
    ``last_row`` of ``sheet`` of ``src`` as they are (its column widths, its Table over them from
    ``header_row``). Raises NotCopyable before or while writing; the caller then removes ``dst``."""
    pkg = _Package(src)
    try:
        book = _read_book(pkg)
        part = next((s[2] for s in book.sheets if s[0].lower() == sheet.lower()), None)
        if part is None or not pkg.exists(part):
            raise NotCopyable(f"no worksheet part for '{sheet}'")
        rels = pkg.rels(book.part)
        if any(r["type"] not in _CARRIED and r["type"].endswith(("/styles", "/theme", "/sharedStrings"))
               for r in rels):
            raise NotCopyable("strict OOXML")  # its rows are in another namespace too
        carried = [(r["part"], r["type"]) for r in rels
                   if r["type"] in _CARRIED and r["part"] and pkg.exists(r["part"])]
        if any(c in (_ABOUT, _ROWS, _TABLE) for c, _ in carried):
            raise NotCopyable("a carried part has the name of a new one")
        table = find_table(pkg, part, sheet, header_row)
        with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=REWRITE_COMPRESSLEVEL) as z:
            with z.open(_ROWS, "w", force_zip64=pkg.size(part) * 1.05 > zipfile.ZIP64_LIMIT) as out:
                _copy_rows(pkg.blocks(part), out, last_row, table is not None)
            if table is not None:  # the Table over the rows copied, as the part writer moves a Table's end
                _update_table(pkg, sheet, table, last_row, {}, keep_totals=False)
                z.writestr(_TABLE, pkg.text(table[0]))
                z.writestr("xl/worksheets/_rels/rows.xml.rels", _rels([("rId1", RT_TABLE, "../tables/rows.xml")]))
            z.writestr(_ABOUT, _about_sheet(about))
            z.writestr("xl/workbook.xml", _workbook(name, book.date1904))
            z.writestr("xl/_rels/workbook.xml.rels", _rels(
                [("rId1", RT_WORKSHEET, "worksheets/about.xml"), ("rId2", RT_WORKSHEET, "worksheets/rows.xml"),
                 *((f"rId{i}", t, posixpath.relpath(c, "xl")) for i, (c, t) in enumerate(carried, 3))]))
            z.writestr("_rels/.rels", _rels([("rId1", RT_BASE + "officeDocument", "xl/workbook.xml")]))
            z.writestr("[Content_Types].xml", _content_types(
                [(_ABOUT, CT_WORKSHEET), (_ROWS, CT_WORKSHEET), ("xl/workbook.xml", _CT_MAIN),
                 *((c, _CARRIED[t]) for c, t in carried), *([(_TABLE, CT_TABLE)] if table is not None else [])]))
            fp = pkg.zf.fp
            assert fp is not None  # open: read in _Package
            for c, _ in carried:
                _copy_member(fp, pkg.zf, z, pkg.zf.getinfo(c))
    finally:
        pkg.close()


def _copy_rows(blocks: Iterator[bytes], out: IO[bytes], last_row: int, table: bool) -> None:
    """The sheet's head (tidied), then its rows through ``last_row`` byte for byte, then its print
    setup and the Table: nothing else of the sheet (its comments, links, drawings stay behind)."""
    buf = b""
    start = None
    for block in blocks:
        buf += block
        start = _SHEETDATA_RE_B.search(buf)
        if start is not None:
            break
    if start is None or start.group(2):
        raise NotCopyable("no rows")
    pb = start.group(1)
    p = pb.decode()
    try:
        head = _head(buf[:start.start()].decode("utf-8"), p, table)
    except UnicodeDecodeError:
        raise NotCopyable("the sheet is not UTF-8") from None
    out.write(head.encode("utf-8") + start.group(0))
    marker = b"<" + pb + b'row r="%d"' % last_row
    formula = b"<" + pb + b"f"
    end_data = b"</" + pb + b"sheetData>"
    pending = buf[start.end():]
    reach = len(marker) + 16
    tail = b""
    while (at := pending.find(marker)) < 0:
        if end_data in pending:
            raise NotCopyable(f"no row numbered {last_row}")
        cut = max(0, len(pending) - reach)
        tail = _checked(out, tail, pending[:cut], formula)
        pending = pending[cut:] + _next(blocks)
    close = pending.find(b">", at)
    while close < 0:
        pending += _next(blocks)
        close = pending.find(b">", at)
    if pending[close - 1:close] == b"/":
        end = close + 1
    else:
        row_end = b"</" + pb + b"row>"
        while (found := pending.find(row_end, close)) < 0:
            pending += _next(blocks)
        end = found + len(row_end)
    _checked(out, tail, pending[:end], formula)
    out.write((f"</{p}sheetData>" + _print_setup(pending[end:], blocks, end_data, p)
               + (f'<{p}tableParts count="1"><{p}tablePart r:id="rId1"/></{p}tableParts>' if table else "")
               + f"</{p}worksheet>").encode("utf-8"))


_PRINT = ("printOptions", "pageMargins", "pageSetup", "headerFooter")
"""What says how the sheet prints, in the order a worksheet holds them."""


def _print_setup(rest: bytes, blocks: Iterator[bytes], end_data: bytes, p: str) -> str:
    """How the sheet prints (margins, orientation, fit to width, header and footer), from after its
    rows: the rows left in the tracker are inflated to get there, not parsed (about 1 s a million)."""
    while (at := rest.find(end_data)) < 0:
        rest = rest[-len(end_data):] + _next(blocks)
    try:
        text = (rest[at:] + b"".join(blocks)).decode("utf-8")
    except UnicodeDecodeError:
        raise NotCopyable("the sheet is not UTF-8") from None
    found = []
    for name in _PRINT:
        m = re.search(rf"<{p}{name}\b[^>]*/>|<{p}{name}\b.*?</{p}{name}>", text, re.S)
        if m is not None:  # the printer settings a page setup points to are not carried
            found.append(re.sub(r'\s[\w.-]+:id="[^"]*"', "", m.group(0)) if name == "pageSetup" else m.group(0))
    return "".join(found)


def _next(blocks: Iterator[bytes]) -> bytes:
    block = next(blocks, None)
    if block is None:
        raise NotCopyable("the sheet ended inside its rows")
    return block


def _checked(out: IO[bytes], tail: bytes, chunk: bytes, formula: bytes) -> bytes:
    """Write ``chunk`` after making sure it holds no formula or cell metadata (looked at across the
    join with the ``tail`` written before it); return the new tail. A plain search for the start of
    ``formula`` (``<f``, with the sheet's prefix) and for ``m="`` goes first: the patterns alone took 6 s
    of a million rows, the searches half a second."""
    seen = tail + chunk
    if (formula in seen and _HAS_F_B.search(seen)) or (b'm="' in seen and _META.search(seen)):
        raise NotCopyable("formulas or cell metadata in the rows")
    out.write(chunk)
    return seen[-32:]


def _head(text: str, p: str, table: bool) -> str:
    """The sheet's start as it was, but: no dimension (the rows differ), no tab selected (the About
    sheet opens first), and the relationships namespace declared when a Table is to be pointed at."""
    text = re.sub(rf"<{p}dimension\b[^>]*/>", "", text)
    text = re.sub(rf"(<{p}sheetView\b[^>]*?)\s+tabSelected=\"[^\"]*\"", r"\1", text)
    root = re.search(rf"<{p}worksheet\b[^>]*>", text)
    if root is None or _ns_prefix(root.group(0), NS_MAIN) != p.rstrip(":"):
        raise NotCopyable("no worksheet element of the usual namespace")
    if table:
        r = _ns_prefix(root.group(0), NS_R)
        if r is None:
            tag = root.group(0)[:-1] + f' xmlns:r="{NS_R}">'
            text = text[:root.start()] + tag + text[root.end():]
        elif r != "r":
            raise NotCopyable("relationships namespace under another prefix")
    return text


def _about_sheet(lines: Sequence[str]) -> str:
    rows = "".join(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t xml:space="preserve">{_text_xml(line)}</t>'
                   f"</is></c></row>" for i, line in enumerate(lines, 1))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{NS_MAIN}">'
            '<cols><col min="1" max="1" width="90" customWidth="1"/></cols>'
            f"<sheetData>{rows}</sheetData>{_MARGINS}</worksheet>")


def _workbook(name: str, date1904: bool) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<workbook xmlns="{NS_MAIN}" xmlns:r="{NS_R}">'
            + ('<workbookPr date1904="1"/>' if date1904 else "<workbookPr/>")
            + '<bookViews><workbookView activeTab="0"/></bookViews><sheets>'
            '<sheet name="About" sheetId="1" r:id="rId1"/>'
            f'<sheet name="{_esc_attr(name)}" sheetId="2" r:id="rId2"/></sheets></workbook>')


def _rels(rels: Sequence[tuple[str, str, str]]) -> str:
    items = "".join(f'<Relationship Id="{i}" Type="{t}" Target="{_esc_attr(target)}"/>' for i, t, target in rels)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{NS_PKG_REL}">{items}</Relationships>')


def _content_types(parts: Sequence[tuple[str, str]]) -> str:
    over = "".join(f'<Override PartName="/{_esc_attr(n)}" ContentType="{t}"/>' for n, t in parts)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>{over}</Types>')
