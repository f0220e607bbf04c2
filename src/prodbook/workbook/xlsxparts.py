"""Part-level reading and writing of .xlsx/.xlsm files.

The user's workbook is never loaded and saved whole. ``rewrite_sheets`` streams
the XML of the sheets prodbook generates, makes minimal text edits to the few
shared parts that must follow (workbook.xml, styles.xml, [Content_Types].xml,
relationships, Table parts) and copies every other zip member unchanged: the
same compressed bytes, in the same order.

Small parts are read with defusedxml; the sheet being rewritten is split with
C-speed regular expressions on its (well-formed, DTD-free) SpreadsheetML so that
rows and cells that are kept can be copied verbatim, including namespace
prefixes, x14ac attributes and rich text.
"""

from __future__ import annotations

import copy
import math
import numbers
import posixpath
import re
import struct
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time as dtime
from pathlib import Path
from typing import Any, Union
from xml.sax.saxutils import escape as _xml_escape

from defusedxml import ElementTree as DET

__all__ = [
    "Formula",
    "Value",
    "WorkbookInfo",
    "SheetRewrite",
    "CellEdit",
    "UnsupportedLayout",
    "workbook_info",
    "rewrite_sheets",
    "parts_openpyxl_would_drop",
]

# --------------------------------------------------------------------------- API types


@dataclass(frozen=True)
class Formula:
    """A formula to write, e.g. ``Formula("=A2*2")``. A plain ``str`` is always text."""

    text: str


Value = Union[None, str, int, float, bool, date, datetime, Formula]


@dataclass(frozen=True)
class WorkbookInfo:
    sheets: tuple[str, ...]
    date1904: bool
    has_vba: bool
    sheet_parts: dict[str, str]


@dataclass(frozen=True)
class SheetRewrite:
    """New data rows for one sheet: rows 1..header_row stay as they are, the data below is replaced."""

    sheet: str
    header_row: int
    columns: tuple[int, ...]
    """0-based columns that ``rows`` fill; other columns are carried from ``source_rows``."""
    rows: tuple[tuple[Value, ...], ...]
    source_rows: tuple[int | None, ...] | None = None
    """Per new row, the old row whose other cells (and row attributes) it keeps; None = new."""
    create_headers: tuple[str, ...] | None = None
    """Create the sheet (as an Excel Table) with these headers when it does not exist."""
    append_headers: tuple[str, ...] = ()
    after: str | None = None
    keep_rows: int = 0
    """Existing data rows kept byte for byte above ``rows`` (appending to a log is cheap)."""


@dataclass(frozen=True)
class CellEdit:
    sheet: str
    row: int  # 1-based
    column: int  # 0-based
    value: Value


class UnsupportedLayout(Exception):
    """A rewrite met something it cannot keep safely; nothing was written."""


# --------------------------------------------------------------------------- constants

REWRITE_COMPRESSLEVEL = 3
"""zlib level for the parts prodbook rewrites: 3x faster than 6 on big sheets, about 8% larger."""
NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
RT_BASE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
RT_OFFICE_DOC = RT_BASE + "officeDocument"
RT_WORKSHEET = RT_BASE + "worksheet"
RT_TABLE = RT_BASE + "table"
RT_CALCCHAIN = RT_BASE + "calcChain"
RT_STYLES = RT_BASE + "styles"
RT_COMMENTS = RT_BASE + "comments"
RT_DRAWING = RT_BASE + "drawing"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_TABLE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"

MAX_ROW = 1_048_576
MAX_COL = 16_384
MAX_TEXT = 32_767

_BUILTIN_DATE_FMTS = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47})
_EPOCH_1900 = date(1899, 12, 30)
_EPOCH_1900_EARLY = date(1899, 12, 31)
_LEAP_BUG = date(1900, 3, 1)
_EPOCH_1904 = date(1904, 1, 1)

# --------------------------------------------------------------------------- small helpers

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_X_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_COL_CACHE: dict[int, str] = {}


def col_letter(idx0: int) -> str:
    """0-based column index -> letters."""
    s = _COL_CACHE.get(idx0)
    if s is None:
        n = idx0 + 1
        out = ""
        while n:
            n, r = divmod(n - 1, 26)
            out = chr(65 + r) + out
        _COL_CACHE[idx0] = s = out
    return s


def col_index(letters: str) -> int:
    """Letters -> 0-based column index."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


_REF_RE = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)$")


def _parse_cell(ref: str) -> tuple[int, int]:
    """'B7' -> (row 7, col 1)."""
    m = _REF_RE.match(ref)
    if not m:
        raise ValueError(ref)
    return int(m.group(2)), col_index(m.group(1))


def _esc(s: str) -> str:
    return _xml_escape(s)


def _esc_attr(s: str) -> str:
    return _xml_escape(s, {'"': "&quot;"})


def _unesc(s: str) -> str:
    if "&" not in s:
        return s
    return (
        re.sub(r"&#(x?)([0-9A-Fa-f]+);", lambda m: chr(int(m.group(2), 16 if m.group(1) else 10)), s)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


def _text_xml(s: str) -> str:
    """Escape a cell string for <t>: XML escapes, Excel's _xHHHH_ escape, CR kept."""
    if _ILLEGAL_XML.search(s):
        s = _ILLEGAL_XML.sub("", s)
    if "_x" in s:
        s = _X_ESCAPE.sub(r"_x005F_\1", s)
    s = _xml_escape(s)
    if "\r" in s:
        s = s.replace("\r", "&#13;")
    return s


_ATTR_PATS: dict[str, re.Pattern] = {}


def _attr(attrs: str, name: str) -> str | None:
    pat = _ATTR_PATS.get(name)
    if pat is None:
        pat = _ATTR_PATS[name] = re.compile(r"(?:^|\s)" + re.escape(name) + r"""\s*=\s*(?:"([^"]*)"|'([^']*)')""")
    m = pat.search(attrs)
    if not m:
        return None
    return m.group(1) if m.group(1) is not None else m.group(2)


def _set_attr(tag: str, name: str, value: str) -> str:
    """Set attribute `name` in a start tag text (``<x a="1">`` or ``<x/>``)."""
    pat = re.compile(r'(\s)' + re.escape(name) + r'\s*=\s*("[^"]*"|\'[^\']*\')')
    if pat.search(tag):
        return pat.sub(lambda m: f'{m.group(1)}{name}="{value}"', tag, count=1)
    m = re.match(r"<[\w:.-]+", tag)
    assert m
    return tag[: m.end()] + f' {name}="{value}"' + tag[m.end():]


_DEL_PATS: dict[str, re.Pattern] = {}


def _del_attr(attrs: str, name: str) -> str:
    pat = _DEL_PATS.get(name)
    if pat is None:
        pat = _DEL_PATS[name] = re.compile(r"\s" + re.escape(name) + r"""\s*=\s*("[^"]*"|'[^']*')""")
    return pat.sub("", attrs)


def _decode(data: bytes, part: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    head = data[:100]
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or re.match(rb'<\?xml[^>]*encoding="(?!utf-8|UTF-8)', head):
        raise UnsupportedLayout(f"The part {part} is not UTF-8 encoded; prodbook cannot edit it safely.")
    return data.decode("utf-8")


def _ns_prefix(text: str, uri: str) -> str | None:
    """The prefix bound to `uri` on the root element ('' for the default namespace)."""
    m = re.search(r'xmlns(?::([\w.-]+))?\s*=\s*"' + re.escape(uri) + '"', text)
    if not m:
        return None
    return m.group(1) or ""


def _pfx(prefix: str | None) -> str:
    return f"{prefix}:" if prefix else ""


# --------------------------------------------------------------------------- dates & values


def excel_serial(v: date | datetime, date1904: bool) -> float | int:
    if isinstance(v, datetime):
        if v.tzinfo is not None:
            raise ValueError("timezone-aware datetimes cannot be written to Excel")
        d = v.date()
        frac = (v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6) / 86400.0
    else:
        d = v
        frac = 0.0
    if date1904:
        days = (d - _EPOCH_1904).days
        if days < 0:
            raise ValueError(f"{d} is before 1904-01-01, the first date of this workbook's date system")
    else:
        if d >= _LEAP_BUG:
            days = (d - _EPOCH_1900).days
        else:
            days = (d - _EPOCH_1900_EARLY).days
        if days < 1:
            raise ValueError(f"{d} is before 1900-01-01, the first date Excel can store")
    return days + frac if frac else days


def _num_text(v) -> str:
    if isinstance(v, float):
        if math.isinf(v):
            raise ValueError("infinity cannot be written to Excel")
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return repr(v)
    return str(v)


# --------------------------------------------------------------------------- formula translation

_STR_LIT = re.compile(r'"(?:[^"]|"")*"')
_FAST_REF = re.compile(r"(?<![A-Za-z0-9_.$\\])(\$?)([A-Za-z]{1,3})(\$?)(\d+)(?![A-Za-z0-9_.(!\[])")
_ROW_RANGE = re.compile(r"(?<![A-Za-z0-9_.$])\$?\d+\s*:\s*\$?\d+")
_COL_RANGE = re.compile(r"(?<![A-Za-z0-9_.$])\$?[A-Za-z]{1,3}\s*:\s*\$?[A-Za-z]{1,3}(?![A-Za-z0-9_(])")


def translate_formula(text: str, origin: tuple[int, int], dest: tuple[int, int]) -> str:
    """Move a formula (without the leading '=') from origin (row, col0) to dest.

    A fast path handles plain A1 references; anything more (structured
    references, quoted sheet names, row ranges, errors) goes through
    openpyxl's Translator, which gives the same result.
    """
    dr = dest[0] - origin[0]
    dc = dest[1] - origin[1]
    if dr == 0 and dc == 0:
        return text
    parts = _STR_LIT.split(text)
    ok = all(
        "[" not in p and "'" not in p and "#" not in p and not _ROW_RANGE.search(p)
        and not (dc and _COL_RANGE.search(p))
        for p in parts
    )
    if ok:
        def sub(m: re.Match) -> str:
            cabs, letters, rabs, digits = m.groups()
            c = col_index(letters)
            if c >= MAX_COL:
                return m.group(0)  # a name such as XFZ1, not a reference
            r = int(digits)
            if not rabs:
                r += dr
            if not cabs:
                c += dc
            if r < 1 or r > MAX_ROW or c < 0 or c >= MAX_COL:
                return "#REF!"  # what Excel shows for a reference moved off the sheet
            return f"{cabs}{col_letter(c)}{rabs}{r}"

        lits = _STR_LIT.findall(text)
        out = [_FAST_REF.sub(sub, parts[0])]
        for lit, p in zip(lits, parts[1:]):
            out.append(lit)
            out.append(_FAST_REF.sub(sub, p))
        return "".join(out)
    from openpyxl.formula.translate import Translator, TranslatorError

    o = f"{col_letter(origin[1])}{origin[0]}"
    d = f"{col_letter(dest[1])}{dest[0]}"
    try:
        return Translator("=" + text, origin=o).translate_formula(d)[1:]
    except TranslatorError:
        raise ValueError(f"the formula ={text} cannot be moved from {o} to {d}: a reference would leave the sheet") from None


# --------------------------------------------------------------------------- ranges


_RANGE_RE = re.compile(r"^(\$?)([A-Za-z]{1,3})(\$?)(\d+)(?::(\$?)([A-Za-z]{1,3})(\$?)(\d+))?$")


def _adjust_range(rng: str, header_row: int, old_ends: set[int], new_end: int,
                  old_last_col: int | None = None, new_last_col: int | None = None) -> str:
    """Move the end row of A1:B9-style ranges that run to the old last data row."""
    m = _RANGE_RE.match(rng)
    if not m:
        return rng
    a1, c1, a2, r1, a3, c2, a4, r2 = m.groups()
    if c2 is None:
        return rng  # single cell: leave alone
    start, end = int(r1), int(r2)
    changed = False
    if start <= header_row + 1 and end in old_ends:
        end = max(new_end, start)
        changed = True
    if old_last_col is not None and new_last_col is not None and col_index(c2) == old_last_col \
            and col_index(c1) <= old_last_col and start <= header_row:
        c2 = col_letter(new_last_col)
        changed = True
    if not changed:
        return rng
    return f"{a1}{c1.upper()}{a2}{start}:{a3}{c2.upper()}{a4}{end}"


def _adjust_sqref(sqref: str, *args) -> str:
    return " ".join(_adjust_range(p, *args) for p in sqref.split())


# --------------------------------------------------------------------------- the package


class _Package:
    """The zip in memory: original member order, changed and added parts."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.zf = zipfile.ZipFile(self.path)
        self.infos = self.zf.infolist()
        self.names = {i.filename for i in self.infos}
        self.changed: dict[str, bytes] = {}
        self.added: list[str] = []
        self.removed: set[str] = set()
        self._text: dict[str, str] = {}

    def close(self):
        self.zf.close()

    def exists(self, name: str) -> bool:
        return (name in self.names or name in self.changed) and name not in self.removed

    def text(self, name: str) -> str:
        t = self._text.get(name)
        if t is None:
            if name in self.changed:
                t = _decode(self.changed[name], name)
            else:
                t = _decode(self.zf.read(name), name)
            self._text[name] = t
        return t

    def set_text(self, name: str, text: str):
        self._text[name] = text
        self.changed[name] = text.encode("utf-8")
        if name not in self.names and name not in self.added:
            self.added.append(name)
        self.removed.discard(name)

    def remove(self, name: str):
        self.removed.add(name)

    # relationships ----------------------------------------------------------
    @staticmethod
    def rels_name(part: str) -> str:
        d, f = posixpath.split(part)
        return posixpath.join(d, "_rels", f + ".rels")

    def rels(self, part: str) -> list[dict]:
        rn = self.rels_name(part)
        if not self.exists(rn):
            return []
        root = DET.fromstring(self.text(rn).encode("utf-8"))
        out = []
        base = posixpath.dirname(part)
        for el in root:
            if not el.tag.endswith("Relationship"):
                continue
            tgt = el.get("Target", "")
            mode = el.get("TargetMode")
            if mode == "External":
                full = None
            elif tgt.startswith("/"):
                full = tgt[1:]
            else:
                full = posixpath.normpath(posixpath.join(base, tgt))
            out.append({"id": el.get("Id"), "type": el.get("Type"), "target": tgt, "part": full})
        return out

    def add_rel(self, part: str, rtype: str, target: str) -> str:
        rn = self.rels_name(part)
        if self.exists(rn):
            text = self.text(rn)
        else:
            text = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    f'<Relationships xmlns="{NS_PKG_REL}"></Relationships>')
        ids = set(re.findall(r'\sId="([^"]*)"', text))
        n = len(ids) + 1
        while f"rId{n}" in ids:
            n += 1
        rid = f"rId{n}"
        p = _pfx(_ns_prefix(text, NS_PKG_REL))
        el = f'<{p}Relationship Id="{rid}" Type="{rtype}" Target="{_esc_attr(target)}"/>'
        if re.search(rf"<{p}Relationships\b[^>]*/>", text):
            text = re.sub(rf"(<{p}Relationships\b[^>]*)/>", lambda m: m.group(1) + ">" + el + f"</{p}Relationships>", text, count=1)
        else:
            i = text.rindex(f"</{p}Relationships>")
            text = text[:i] + el + text[i:]
        self.set_text(rn, text)
        return rid

    def remove_rels_of_type(self, part: str, rtype: str):
        rn = self.rels_name(part)
        if not self.exists(rn):
            return
        text = self.text(rn)
        new = re.sub(r'<(?:\w+:)?Relationship\b[^>]*Type="' + re.escape(rtype) + r'"[^>]*/>', "", text)
        if new != text:
            self.set_text(rn, new)

    # content types ------------------------------------------------------------
    def add_override(self, part: str, ctype: str):
        name = "[Content_Types].xml"
        text = self.text(name)
        if f'PartName="/{part}"' in text:
            return
        p = _pfx(_ns_prefix(text, "http://schemas.openxmlformats.org/package/2006/content-types"))
        i = text.rindex(f"</{p}Types>")
        text = text[:i] + f'<{p}Override PartName="/{part}" ContentType="{ctype}"/>' + text[i:]
        self.set_text(name, text)

    def remove_override(self, part: str):
        name = "[Content_Types].xml"
        text = self.text(name)
        new = re.sub(r'<(?:\w+:)?Override\b[^>]*PartName="/' + re.escape(part) + r'"[^>]*/>', "", text)
        if new != text:
            self.set_text(name, new)

    # writing ------------------------------------------------------------------
    def write(self, dst: Path):
        with open(self.path, "rb") as src_fp, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in self.infos:
                name = info.filename
                if name in self.removed:
                    continue
                if name in self.changed:
                    zi = zipfile.ZipInfo(name, date_time=info.date_time)
                    zi.compress_type = zipfile.ZIP_DEFLATED
                    zi.external_attr = info.external_attr
                    zout.writestr(zi, self.changed[name], compresslevel=REWRITE_COMPRESSLEVEL)
                else:
                    _copy_member(src_fp, self.zf, zout, info)
            for name in self.added:
                if name in self.removed:
                    continue
                zi = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                zi.compress_type = zipfile.ZIP_DEFLATED
                zi.external_attr = 0o600 << 16
                zout.writestr(zi, self.changed[name], compresslevel=REWRITE_COMPRESSLEVEL)


def _copy_member(src_fp, zin: zipfile.ZipFile, zout: zipfile.ZipFile, info: zipfile.ZipInfo):
    """Copy one member's compressed bytes as they are (no recompression)."""
    raw_ok = (
        not (info.flag_bits & 0x1)  # not encrypted
        and info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
        and hasattr(zout, "start_dir")
        and not zout._writing  # noqa: SLF001
    )
    if raw_ok:
        src_fp.seek(info.header_offset)
        head = src_fp.read(zipfile.sizeFileHeader)
        fields = struct.unpack(zipfile.structFileHeader, head)
        if fields[0] != zipfile.stringFileHeader:
            raw_ok = False
    if not raw_ok:
        zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
        zi.compress_type = zipfile.ZIP_DEFLATED
        zi.external_attr = info.external_attr
        zout.writestr(zi, zin.read(info.filename))
        return
    fname_len, extra_len = fields[zipfile._FH_FILENAME_LENGTH], fields[zipfile._FH_EXTRA_FIELD_LENGTH]  # noqa: SLF001
    src_fp.seek(info.header_offset + zipfile.sizeFileHeader + fname_len + extra_len)
    raw = src_fp.read(info.compress_size)
    zi = copy.copy(info)
    zi.flag_bits &= ~0x08  # sizes go in the local header, no data descriptor
    zi.extra = b""
    zi.header_offset = zout.fp.tell()
    zip64 = zi.file_size > zipfile.ZIP64_LIMIT or zi.compress_size > zipfile.ZIP64_LIMIT
    zout.fp.write(zi.FileHeader(zip64))
    zout.fp.write(raw)
    zout.filelist.append(zi)
    zout.NameToInfo[zi.filename] = zi
    zout.start_dir = zout.fp.tell()
    zout._didModify = True  # noqa: SLF001


# --------------------------------------------------------------------------- workbook.xml


def _workbook_part(pkg: _Package) -> str:
    for r in pkg.rels(""):
        if r["type"] == RT_OFFICE_DOC or r["type"].endswith("/officeDocument"):
            return r["part"]
    return "xl/workbook.xml"


@dataclass
class _Book:
    part: str
    sheets: list[tuple[str, str, str]]  # (name, rId, part)
    date1904: bool


def _read_book(pkg: _Package) -> _Book:
    wb_part = _workbook_part(pkg)
    root = DET.fromstring(pkg.text(wb_part).encode("utf-8"))
    rels = {r["id"]: r for r in pkg.rels(wb_part)}
    sheets = []
    date1904 = False
    for el in root:
        local = el.tag.rsplit("}", 1)[-1]
        if local == "workbookPr":
            date1904 = el.get("date1904", "0").lower() in ("1", "true")
        elif local == "sheets":
            for sh in el:
                rid = sh.get(f"{{{NS_R}}}id")
                if rid is None:  # strict OOXML or odd prefix
                    rid = next((v for k, v in sh.attrib.items() if k.endswith("}id")), None)
                rel = rels.get(rid)
                sheets.append((sh.get("name"), rid, rel["part"] if rel else None))
    return _Book(wb_part, sheets, date1904)


def workbook_info(path) -> WorkbookInfo:
    pkg = _Package(Path(path))
    try:
        book = _read_book(pkg)
        has_vba = any(n.lower().endswith("vbaproject.bin") for n in pkg.names)
        return WorkbookInfo(
            sheets=tuple(s[0] for s in book.sheets),
            date1904=book.date1904,
            has_vba=has_vba,
            sheet_parts={s[0]: s[2] for s in book.sheets if s[2]},
        )
    finally:
        pkg.close()


_SI_RE = re.compile(r"<(?:\w+:)?si\b[^>]*>(.*?)</(?:\w+:)?si>", re.S)
_T_RE = re.compile(r"<(?:\w+:)?t\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?t>)", re.S)
_V_RE = re.compile(r"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)
_RPH_RE = re.compile(r"<(?:\w+:)?(?:rPh|phoneticPr)\b.*?(?:</(?:\w+:)?rPh>|/>)", re.S)


def _stream_until(zf: zipfile.ZipFile, name: str, enough) -> str:
    """Decompress a part only as far as ``enough(text)`` needs (the head of a long sheet)."""
    chunks: list[bytes] = []
    with zf.open(name) as f:
        while block := f.read(1 << 18):
            chunks.append(block)
            text = b"".join(chunks).decode("utf-8", errors="ignore")
            if enough(text):
                return text
    return b"".join(chunks).decode("utf-8", errors="ignore")


def _rich_text(inner: str) -> str:
    return "".join(_unesc(m.group(1) or "") for m in _T_RE.finditer(_RPH_RE.sub("", inner)))


def sheet_head(path, sheet: str, nrows: int = 12) -> list[list[Any]]:
    """The first rows of a sheet (row 0 = Excel row 1), read without parsing the rest.

    For a long generated sheet (the Change Log) whose header is all a job needs.
    Numbers come back as floats; dates as serial numbers.
    """
    pkg = _Package(Path(path))
    try:
        part = next(s[2] for s in _read_book(pkg).sheets if s[0] == sheet)
        text = _stream_until(pkg.zf, part, lambda t: len(_ROW_RE.findall(t)) > nrows or "sheetData>" in t[-200:])
        grid: dict[int, dict[int, Any]] = {}
        shared: list[int] = []
        prev = 0
        for rm in _ROW_RE.finditer(text):
            r = _R_ATTR.search(rm.group(1))
            num = int(r.group(2)) if r else prev + 1
            prev = num
            if num > nrows:
                break
            for col, attrs, inner, _ in _cells(rm.group(2) or ""):
                t = _attr(attrs, "t")
                v = _V_RE.search(inner)
                if t == "inlineStr":
                    value: Any = _rich_text(inner)
                elif v is None:
                    continue
                elif t == "s":
                    value = ("sst", int(v.group(1)))
                    shared.append(int(v.group(1)))
                elif t in ("str", "e"):
                    value = _unesc(v.group(1))
                elif t == "b":
                    value = v.group(1) == "1"
                else:
                    value = float(v.group(1))
                grid.setdefault(num, {})[col] = value
        if shared:
            need = max(shared)
            sst_part = next((n for n in pkg.names if n.lower().endswith("sharedstrings.xml")), None)
            sst_text = _stream_until(pkg.zf, sst_part, lambda t: len(_SI_RE.findall(t)) > need) if sst_part else ""
            strings = [_rich_text(m.group(1)) for m in _SI_RE.finditer(sst_text)]
            for cells in grid.values():
                for c, v in cells.items():
                    if isinstance(v, tuple):
                        cells[c] = strings[v[1]] if v[1] < len(strings) else ""
        width = max((max(c) + 1 for c in grid.values() if c), default=0)
        return [[grid.get(r, {}).get(c) for c in range(width)] for r in range(1, max(grid, default=0) + 1)]
    finally:
        pkg.close()


def _set_full_calc(pkg: _Package, wb_part: str):
    text = pkg.text(wb_part)
    m = re.search(r"<(?:\w+:)?calcPr\b[^>]*?/?>", text)
    if m:
        tag = _set_attr(m.group(0), "fullCalcOnLoad", "1")
        text = text[: m.start()] + tag + text[m.end():]
    else:
        p = _pfx(_ns_prefix(text, NS_MAIN))
        pos = None
        for el in ("definedNames", "externalReferences", "functionGroups", "sheets"):
            mm = re.search(rf"</{p}{el}>", text)
            if mm:
                pos = mm.end()
                break
            mm = re.search(rf"<{p}{el}\b[^>]*/>", text)
            if mm:
                pos = mm.end()
                break
        if pos is None:
            raise UnsupportedLayout("workbook.xml has no <sheets> element")
        text = text[:pos] + f'<{p}calcPr fullCalcOnLoad="1"/>' + text[pos:]
    pkg.set_text(wb_part, text)


def _drop_calc_chain(pkg: _Package, wb_part: str):
    for r in pkg.rels(wb_part):
        if r["type"] == RT_CALCCHAIN or r["type"].endswith("/calcChain"):
            if r["part"]:
                pkg.remove(r["part"])
                pkg.remove_override(r["part"])
            pkg.remove_rels_of_type(wb_part, r["type"])


_DN_RE = re.compile(r"(<(?:\w+:)?definedName\b[^>]*>)(.*?)(</(?:\w+:)?definedName>)", re.S)
_SHEET_REF_RE = re.compile(
    r"((?:'(?:[^']|'')+'|[^\s'!,()=+\-*/&<>^;{}\"]+)!)(\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?)"
)


def _sheet_of(prefix: str) -> str:
    s = prefix[:-1]
    if s.startswith("'"):
        s = s[1:-1].replace("''", "'")
    return s


def _adjust_defined_names(pkg: _Package, wb_part: str, sheet: str, args: tuple):
    text = pkg.text(wb_part)

    def fix_dn(m: re.Match) -> str:
        formula = _unesc(m.group(2))

        def fix_ref(rm: re.Match) -> str:
            if _sheet_of(rm.group(1)).lower() != sheet.lower():
                return rm.group(0)
            return rm.group(1) + _adjust_range(rm.group(2), *args)

        new = _SHEET_REF_RE.sub(fix_ref, formula)
        if new == formula:
            return m.group(0)
        return m.group(1) + _esc(new) + m.group(3)

    new_text = _DN_RE.sub(fix_dn, text)
    if new_text != text:
        pkg.set_text(wb_part, new_text)


# --------------------------------------------------------------------------- styles


_XF_RE = re.compile(r"<(?:\w+:)?xf\b[^>]*?(?:/>|>.*?</(?:\w+:)?xf>)", re.S)


class _Styles:
    def __init__(self, pkg: _Package, wb_part: str):
        self.pkg = pkg
        self.part = None
        for r in pkg.rels(wb_part):
            if r["type"] == RT_STYLES or r["type"].endswith("/styles"):
                self.part = r["part"]
        self._loaded = False
        self._date_cache: dict[tuple[int, str], int] = {}
        self._bold: int | None = None

    def _load(self):
        if self._loaded:
            return
        self._loaded = True
        self.custom_date: dict[int, bool] = {}
        self.xfs: list[str] = []
        if not self.part or not self.pkg.exists(self.part):
            return
        text = self.pkg.text(self.part)
        from openpyxl.styles.numbers import is_date_format

        for m in re.finditer(r"<(?:\w+:)?numFmt\b([^>]*?)/?>", text):
            fid = _attr(m.group(1), "numFmtId")
            code = _attr(m.group(1), "formatCode")
            if fid is not None and code is not None:
                self.custom_date[int(fid)] = is_date_format(_unesc(code))
        m = re.search(r"<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>", text, re.S)
        if m:
            self.xfs = _XF_RE.findall(m.group(1))

    def is_date(self, s: int) -> bool:
        self._load()
        if s < 0 or s >= len(self.xfs):
            return False
        fid = _attr(self.xfs[s], "numFmtId")
        fid = int(fid) if fid else 0
        if fid in _BUILTIN_DATE_FMTS:
            return True
        return self.custom_date.get(fid, False)

    def _append_xf(self, xf: str) -> int:
        text = self.pkg.text(self.part)
        m = re.search(r"(<(?:\w+:)?cellXfs\b[^>]*>)(.*?)(</(?:\w+:)?cellXfs>)", text, re.S)
        if not m:
            raise UnsupportedLayout("styles.xml has no cellXfs; prodbook cannot add a date style")
        idx = len(self.xfs)
        open_tag = _set_attr(m.group(1), "count", str(idx + 1))
        text = text[: m.start()] + open_tag + m.group(2) + xf + m.group(3) + text[m.end():]
        self.pkg.set_text(self.part, text)
        self.xfs.append(xf)
        return idx

    def date_style(self, base: int, is_datetime: bool) -> int:
        """A cellXfs index like `base` but with a date (or date-time) number format."""
        self._load()
        if not self.xfs:
            raise UnsupportedLayout("the workbook has no styles part; prodbook cannot add a date style")
        if base < 0 or base >= len(self.xfs):
            base = 0
        if self.is_date(base):
            return base
        fmt = "22" if is_datetime else "14"
        key = (base, fmt)
        if key in self._date_cache:
            return self._date_cache[key]
        src = self.xfs[base]
        start = re.match(r"<[^>]*?/?>", src).group(0)
        new_start = _set_attr(_set_attr(start, "numFmtId", fmt), "applyNumberFormat", "1")
        want = new_start.replace("/>", ">") if not start.endswith("/>") else new_start
        xf = src.replace(start, want, 1)
        # an identical xf may already exist
        for i, existing in enumerate(self.xfs):
            if existing == xf:
                self._date_cache[key] = i
                return i
        i = self._append_xf(xf)
        self._date_cache[key] = i
        return i

    def bold_style(self) -> int:
        self._load()
        if self._bold is not None:
            return self._bold
        if not self.xfs:
            return 0
        text = self.pkg.text(self.part)
        m = re.search(r"(<(?:\w+:)?fonts\b[^>]*>)(.*?)(</(?:\w+:)?fonts>)", text, re.S)
        if not m:
            return 0
        fonts = re.findall(r"<(?:\w+:)?font\b[^>]*?(?:/>|>.*?</(?:\w+:)?font>)", m.group(2), re.S)
        if not fonts:
            return 0
        f0 = fonts[0]
        pm = re.match(r"<(\w+:)?font\b", f0)
        p = pm.group(1) or ""
        if f0.endswith("/>"):
            bold = f0[:-2] + f"><{p}b/></{p}font>"
        else:
            i = f0.index(">") + 1
            bold = f0[:i] + f"<{p}b/>" + f0[i:]
        font_id = len(fonts)
        open_tag = _set_attr(m.group(1), "count", str(font_id + 1))
        text = text[: m.start()] + open_tag + m.group(2) + bold + m.group(3) + text[m.end():]
        self.pkg.set_text(self.part, text)
        start = re.match(r"<[^>]*?/?>", self.xfs[0]).group(0)
        x = _set_attr(_set_attr(start, "fontId", str(font_id)), "applyFont", "1")
        if not x.endswith("/>"):
            x = x[:-1] + "/>"
        self._bold = self._append_xf(x)
        return self._bold


# --------------------------------------------------------------------------- sheet XML


_SHEETDATA_RE = re.compile(r"<((?:\w+:)?)sheetData\b[^>]*?(/?)>")
_ROW_RE = re.compile(r"<(?:\w+:)?row\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?row>)", re.S)
_CELL_RE = re.compile(r"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_F_RE = re.compile(r"<((?:\w+:)?)f\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_R_ATTR = re.compile(r'(\s)r\s*=\s*"([^"]*)"')
_SPANS_ATTR = re.compile(r'\sspans\s*=\s*"[^"]*"')
_HAS_F = re.compile(r"<(?:\w+:)?f[\s>/]")
_HAS_F_B = re.compile(rb"<(?:\w+:)?f[\s>/]")


@dataclass
class _Sheet:
    head: str  # text before <sheetData...>
    sd_open: str  # '<sheetData>' with its prefix
    sd_close: str
    rows: list[tuple[int, str, str, str]]  # (row number, attrs, content, raw text)
    tail: str
    prefix: str  # element prefix used in the sheet ('' or 'x:')
    kept_raw: str | None = None  # appending: every existing row, verbatim (rows holds only the first few)
    last_row: int = 0


def _last_row_number(body: str, prefix: str) -> int:
    """The r of the last <row> in sheetData, without parsing the rows before it."""
    i = max(body.rfind(f"<{prefix}row "), body.rfind(f"<{prefix}row>"))
    if i < 0:
        return 0
    m = _R_ATTR.search(body[i:body.find(">", i)])
    return int(m.group(2)) if m else 0


def _split_sheet(text: str, name: str, keep_upto: int = 0, header_row: int = 0) -> _Sheet:
    """Split a sheet's XML; with ``keep_upto`` covering every row (an append), parse only the
    rows up to the first data row and keep the rest as one verbatim chunk."""
    m = _SHEETDATA_RE.search(text)
    if not m:
        raise UnsupportedLayout(f"sheet '{name}' has no sheetData")
    prefix = m.group(1)
    if m.group(2):
        body = ""
        end = m.end()
    else:
        close = f"</{prefix}sheetData>"
        ci = text.find(close, m.end())
        if ci < 0:
            raise UnsupportedLayout(f"sheet '{name}' is not well-formed")
        body = text[m.end():ci]
        end = ci + len(close)
    if "<!--" in body or "<![CDATA[" in body:
        raise UnsupportedLayout(f"sheet '{name}' holds XML comments or CDATA in its cells; prodbook cannot rewrite it safely")
    last = _last_row_number(body, prefix) if keep_upto else 0
    append = bool(keep_upto) and 0 < last <= keep_upto
    rows = []
    prev = 0
    for rm in _ROW_RE.finditer(body):
        attrs = rm.group(1)
        r = _R_ATTR.search(attrs)
        num = int(r.group(2)) if r else prev + 1
        prev = num
        rows.append((num, attrs, rm.group(2) or "", rm.group(0)))
        if append and num > header_row:
            break  # the header rows and the first data row are all an append needs
    return _Sheet(text[: m.start()], f"<{prefix}sheetData>", f"</{prefix}sheetData>", rows, text[end:], prefix,
                  body if append else None, last)


_CELL_RE2 = re.compile(
    r'<(?:\w+:)?c\b(?:(?=[^>]*?\sr\s*=\s*"\$?([A-Za-z]+))|)([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)', re.S
)
_R_LETTERS = re.compile(r'(?:^|\s)r\s*=\s*"\$?([A-Za-z]+)')
_LETTERS_CACHE: dict[str, int] = {}


def _cells(content: str) -> list[tuple[int, str, str, str]]:
    """(col0, attrs, inner, raw) for each cell of a row."""
    out = []
    prev = -1
    cache = _LETTERS_CACHE
    for cm in _CELL_RE2.finditer(content):
        letters = cm.group(1)
        if letters:
            col = cache.get(letters)
            if col is None:
                col = cache[letters] = col_index(letters)
        else:
            col = prev + 1
        prev = col
        out.append((col, cm.group(2), cm.group(3) or "", cm.group(0)))
    return out


def _cell_has_value(attrs: str, inner: str) -> bool:
    return bool(re.search(r"<(?:\w+:)?(?:v|is|f)\b", inner))


def _with_ref(attrs: str, ref: str) -> str:
    if _R_ATTR.search(attrs):
        return _R_ATTR.sub(lambda m: f'{m.group(1)}r="{ref}"', attrs, count=1)
    return f' r="{ref}"' + attrs


# --------------------------------------------------------------------------- cell values


_PRESERVE = ' xml:space="preserve"'
_SPACES = " \t\n\r"


class _ValueWriter:
    def __init__(self, styles: _Styles, date1904: bool, sheet: str, prefix: str = ""):
        self.styles = styles
        self.p = prefix
        self.date1904 = date1904
        self.sheet = sheet
        self.wrote_formula = False
        self._ds: dict[tuple[int, bool], int] = {}

    def cell(self, ref: str, value, style: int, row: int, col: int) -> str | None:
        """Cell XML for one value ('' style means none); None for nothing at all."""
        t = type(value)
        p = self.p
        sa = f' s="{style}"' if style else ""
        if t is str:
            if value == "":
                return f'<{p}c r="{ref}"{sa}/>' if style else None
            if len(value) > MAX_TEXT:
                raise ValueError(
                    f"sheet '{self.sheet}' row {row} column {col_letter(col)}: text of {len(value):,} characters "
                    f"is longer than Excel's limit of {MAX_TEXT:,}"
                )
            space = _PRESERVE if value[0] in _SPACES or value[-1] in _SPACES else ""
            return f'<{p}c r="{ref}"{sa} t="inlineStr"><{p}is><{p}t{space}>{_text_xml(value)}</{p}t></{p}is></{p}c>'
        if value is None:
            return f'<{p}c r="{ref}"{sa}/>' if style else None
        if t is bool:
            return f'<{p}c r="{ref}"{sa} t="b"><{p}v>{int(value)}</{p}v></{p}c>'
        if t is int:
            return f'<{p}c r="{ref}"{sa}><{p}v>{value}</{p}v></{p}c>'
        if t is float:
            if value != value:  # NaN (pandas' empty) -> empty cell
                return f'<{p}c r="{ref}"{sa}/>' if style else None
            try:
                return f'<{p}c r="{ref}"{sa}><{p}v>{_num_text(value)}</{p}v></{p}c>'
            except ValueError as e:
                raise ValueError(f"sheet '{self.sheet}' row {row} column {col_letter(col)}: {e}") from None
        if isinstance(value, Formula):
            text = value.text[1:] if value.text.startswith("=") else value.text
            self.wrote_formula = True
            return f'<{p}c r="{ref}"{sa}><{p}f>{_esc(_ILLEGAL_XML.sub("", text))}</{p}f></{p}c>'
        if isinstance(value, (datetime, date)):
            if isinstance(value, datetime) and value != value:  # pandas NaT
                return f'<{p}c r="{ref}"{sa}/>' if style else None
            try:
                serial = excel_serial(value, self.date1904)
            except ValueError as e:
                raise ValueError(f"sheet '{self.sheet}' row {row} column {col_letter(col)}: {e}") from None
            is_dt = isinstance(value, datetime)
            key = (style, is_dt)
            ds = self._ds.get(key)
            if ds is None:
                ds = self._ds[key] = self.styles.date_style(style, is_dt)
            return f'<{p}c r="{ref}" s="{ds}"><{p}v>{_num_text(serial)}</{p}v></{p}c>'
        if isinstance(value, dtime):
            frac = (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400
            return f'<{p}c r="{ref}"{sa}><{p}v>{_num_text(frac)}</{p}v></{p}c>'
        if isinstance(value, bool):
            return f'<{p}c r="{ref}"{sa} t="b"><{p}v>{int(value)}</{p}v></{p}c>'
        if isinstance(value, numbers.Integral):
            return f'<{p}c r="{ref}"{sa}><{p}v>{int(value)}</{p}v></{p}c>'
        if isinstance(value, numbers.Real):
            return self.cell(ref, float(value), style, row, col)
        if isinstance(value, str):
            return self.cell(ref, str(value), style, row, col)
        raise ValueError(
            f"sheet '{self.sheet}' row {row} column {col_letter(col)}: cannot write a value of type {t.__name__}"
        )


# --------------------------------------------------------------------------- rewriting a sheet


def _sheet_rels_parts(pkg: _Package, part: str, rtype_suffix: str) -> list[dict]:
    return [r for r in pkg.rels(part) if r["type"] and r["type"].endswith(rtype_suffix) and r["part"]]


def _check_comments(pkg: _Package, part: str, sheet: str, header_row: int):
    for r in _sheet_rels_parts(pkg, part, "/comments"):
        if not pkg.exists(r["part"]):
            continue
        for ref in re.findall(r'<(?:\w+:)?comment\b[^>]*\sref="([^"]+)"', pkg.text(r["part"])):
            row, _ = _parse_cell(ref)
            if row > header_row:
                raise UnsupportedLayout(
                    f"sheet '{sheet}' has a comment (note) in cell {ref}, inside the rows prodbook rewrites; "
                    "move the comment above the header row or delete it, then run again"
                )
    for r in _sheet_rels_parts(pkg, part, "/threadedComment"):
        if pkg.exists(r["part"]):
            for ref in re.findall(r'\sref="([^"]+)"', pkg.text(r["part"])):
                row, _ = _parse_cell(ref)
                if row > header_row:
                    raise UnsupportedLayout(
                        f"sheet '{sheet}' has a comment in cell {ref}, inside the rows prodbook rewrites; "
                        "move or delete it, then run again"
                    )


def _table_parts(pkg: _Package, part: str) -> list[str]:
    return [r["part"] for r in _sheet_rels_parts(pkg, part, "/table") if pkg.exists(r["part"])]


def _rewrite_sheet(pkg: _Package, book: _Book, styles: _Styles, rw: SheetRewrite, part: str) -> bool:
    """Rewrite one sheet in `pkg`. Returns True when formulas were involved."""
    sheet = rw.sheet
    hr = rw.header_row
    if hr < 1:
        raise ValueError(f"sheet '{sheet}': header_row must be 1 or more")
    ncols = len(rw.columns)
    if len(set(rw.columns)) != ncols:
        raise ValueError(f"sheet '{sheet}': a column is listed twice in columns")
    for i, row in enumerate(rw.rows):
        if len(row) != ncols:
            raise ValueError(f"sheet '{sheet}': row {hr + 1 + i} has {len(row)} values for {ncols} columns")
    if rw.source_rows is not None and len(rw.source_rows) != len(rw.rows):
        raise ValueError(f"sheet '{sheet}': source_rows must have one entry per row")
    if hr + len(rw.rows) > MAX_ROW:
        raise ValueError(f"sheet '{sheet}': {len(rw.rows):,} rows do not fit in an Excel sheet")

    text = pkg.text(part)
    pure_append = rw.keep_rows > 0 and rw.source_rows is None and not rw.append_headers
    sh = _split_sheet(text, sheet, keep_upto=hr + rw.keep_rows if pure_append else 0, header_row=hr)
    tail = sh.tail
    head = sh.head
    p = sh.prefix

    header_rows = [r for r in sh.rows if r[0] <= hr]
    data_rows = {r[0]: r for r in sh.rows if r[0] > hr}
    old_last_data = max(data_rows) if data_rows else hr
    if sh.kept_raw is not None:
        old_last_data = max(old_last_data, sh.last_row)
    frozen = hr + rw.keep_rows  # rows above this line are kept as they are
    held_formula = bool(_HAS_F.search(text[len(head):len(text) - len(tail)]))

    # --- what the data area must not contain --------------------------------
    for num, attrs, content, raw in sh.rows:
        if num > frozen and ("t=\"array\"" in content or "t=\"dataTable\"" in content or "t='array'" in content):
            for col, cattrs, inner, _ in _cells(content):
                fm = _F_RE.search(inner)
                if fm and (_attr(fm.group(2), "t") in ("array", "dataTable")):
                    raise UnsupportedLayout(
                        f"sheet '{sheet}' has an array or spill formula in cell {col_letter(col)}{num}, inside the rows "
                        "prodbook rewrites; move it out of the table area, then run again"
                    )
    for m in re.finditer(r'<(?:\w+:)?mergeCell\b[^>]*\sref="([^"]+)"', tail):
        ref = m.group(1)
        rows_ = [int(x) for x in re.findall(r"\d+", ref)]
        if max(rows_) > frozen:
            raise UnsupportedLayout(
                f"sheet '{sheet}' has merged cells {ref} inside the rows prodbook rewrites; unmerge them, then run again"
            )
    for m in re.finditer(r'<(?:\w+:)?hyperlink\b[^>]*\sref="([^"]+)"', tail):
        ref = m.group(1)
        rows_ = [int(x) for x in re.findall(r"\d+", ref)]
        if max(rows_) > frozen:
            raise UnsupportedLayout(
                f"sheet '{sheet}' has a hyperlink in cell {ref}, inside the rows prodbook rewrites; "
                "remove it (or put the link in a HYPERLINK formula), then run again"
            )
    _check_comments(pkg, part, sheet, frozen)

    # --- the sheet's Table ----------------------------------------------------
    table = None  # (part, text, start_row, start_col, end_row, end_col)
    for tp in _table_parts(pkg, part):
        ttext = pkg.text(tp)
        tm = re.search(r"<(?:\w+:)?table\b[^>]*>", ttext)
        ref = _attr(tm.group(0), "ref") if tm else None
        if not ref or ":" not in ref:
            continue
        (r1, c1), (r2, c2) = (_parse_cell(x) for x in ref.split(":"))
        if r2 <= hr:
            continue  # a table above the header: not touched
        if r1 != hr or table is not None:
            raise UnsupportedLayout(
                f"sheet '{sheet}' has a Table ({ref}) that does not start at the header row {hr}; "
                "prodbook can only rewrite a sheet whose Table starts at its header row"
            )
        trc = _attr(tm.group(0), "totalsRowCount")
        if trc and trc != "0":
            raise UnsupportedLayout(
                f"sheet '{sheet}': its Table has a Total row; turn off the Total row (Table Design), then run again"
            )
        table = (tp, ttext, r1, c1, r2, c2)

    # --- header row: cells to append ------------------------------------------
    header_cells = []
    for num, attrs, content, raw in header_rows:
        if num == hr:
            header_cells = _cells(content)
    last_header_col = max((c for c, a, inner, _ in header_cells if _cell_has_value(a, inner)), default=-1)
    if table is not None:
        last_header_col = max(last_header_col, table[5])
    new_last_col = last_header_col + len(rw.append_headers)
    new_header_texts: list[str] = []
    if rw.append_headers:
        hstyle = ""
        for c, a, inner, _ in header_cells:
            if c == last_header_col:
                s = _attr(a, "s")
                hstyle = f' s="{s}"' if s and s != "0" else ""
        added = {}
        for i, h in enumerate(rw.append_headers):
            c = last_header_col + 1 + i
            added[c] = (
                f'<{p}c r="{col_letter(c)}{hr}"{hstyle} t="inlineStr"><{p}is><{p}t xml:space="preserve">'
                f'{_text_xml(str(h))}</{p}t></{p}is></{p}c>'
            )
        found = False
        new_header_rows = []
        for num, attrs, content, raw in header_rows:
            if num == hr:
                found = True
                cells = [(c, raw_c) for c, a, inner, raw_c in _cells(content) if c not in added]
                cells += list(added.items())
                cells.sort(key=lambda x: x[0])
                a2 = _SPANS_ATTR.sub("", attrs)
                raw = f"<{p}row{a2}>" + "".join(x[1] for x in cells) + f"</{p}row>"
            new_header_rows.append((num, attrs, content, raw))
        if not found:
            new_header_rows.append((hr, "", "", f'<{p}row r="{hr}">' + "".join(added[c] for c in sorted(added)) + f"</{p}row>"))
            new_header_rows.sort(key=lambda x: x[0])
        header_rows = new_header_rows
        new_header_texts = [str(h) for h in rw.append_headers]

    # --- styles of the written columns ------------------------------------------
    col_style: dict[int, int] = {}
    col_defaults = {}
    cols_m = re.search(r"<(?:\w+:)?cols\b[^>]*>(.*?)</(?:\w+:)?cols>", head, re.S)
    if cols_m:
        for cm in re.finditer(r"<(?:\w+:)?col\b([^>]*?)/?>", cols_m.group(1)):
            a = cm.group(1)
            s = _attr(a, "style")
            lo, hi = _attr(a, "min"), _attr(a, "max")
            if s and lo and hi:
                for c in range(int(lo) - 1, min(int(hi), MAX_COL)):
                    col_defaults[c] = int(s)
    first_data = data_rows.get(min(data_rows)) if data_rows else None
    first_cells = {c: a for c, a, inner, _ in _cells(first_data[2])} if first_data else {}
    for c in rw.columns:
        s = None
        if c in first_cells:
            sv = _attr(first_cells[c], "s")
            s = int(sv) if sv else 0
        if s is None:
            s = col_defaults.get(c, 0)
        col_style[c] = s

    # --- shared formula masters (for expanding followers) ---------------------
    masters: dict[str, tuple[str, int, int]] = {}
    if 't="shared"' in text or "t='shared'" in text:
        for num, attrs, content, raw in sh.rows:
            if "shared" in content and "ref=" in content:
                for col, cattrs, inner, _ in _cells(content):
                    fm = _F_RE.search(inner)
                    if fm and _attr(fm.group(2), "t") == "shared" and fm.group(3):
                        si = _attr(fm.group(2), "si")
                        masters[si] = (_unesc(fm.group(3)), num, col)

    # --- write the rows ---------------------------------------------------------
    vw = _ValueWriter(styles, book.date1904, sheet, p)
    written = list(rw.columns)
    written_set = set(written)
    letters = [col_letter(c) for c in written]
    styles_ = [col_style[c] for c in written]
    src_rows = rw.source_rows
    carried_cache: dict[int, tuple[str, list]] = {}
    translated = False
    max_col = max([last_header_col, new_last_col] + written) if (written or last_header_col >= 0) else 0
    for num, attrs, content, raw in header_rows:
        for c, *_ in _cells(content):
            max_col = max(max_col, c)

    kept = min(hr + rw.keep_rows, max(old_last_data, hr))  # keep_rows may say "all of them"
    if kept + len(rw.rows) > MAX_ROW:
        raise ValueError(f"sheet '{sheet}': {kept + len(rw.rows):,} rows do not fit in an Excel sheet; "
                         "move older rows to another workbook")
    if sh.kept_raw is not None:
        out: list[str] = [sh.kept_raw]
    else:
        out = [r[3] for r in header_rows]
        out += [raw for num, _a, _c, raw in sh.rows if hr < num <= kept]
    row_open = f"<{p}row"
    row_close = f"</{p}row>"
    cell = vw.cell
    for i, values in enumerate(rw.rows):
        rn = kept + 1 + i
        rs = str(rn)
        src = src_rows[i] if src_rows is not None else None
        row_attrs = ""
        carried: list = ()
        if src is not None:
            if src <= hr:
                raise ValueError(f"sheet '{sheet}': source row {src} is not below the header row {hr}")
            cached = carried_cache.get(src)
            if cached is None:
                old = data_rows.get(src)
                if old is None:
                    cached = ("", [])
                else:
                    a = _SPANS_ATTR.sub("", _R_ATTR.sub("", old[1], count=1))
                    keep = [(c, ca, inner) for c, ca, inner, _ in _cells(old[2]) if c not in written_set]
                    cached = (a, keep)
                carried_cache[src] = cached
            row_attrs, carried = cached
        if carried:
            parts_: list[tuple[int, str]] = []
            for c, ca, inner in carried:
                ref = f"{col_letter(c)}{rs}"
                if "<" in inner and _HAS_F.search(inner):
                    fm = _F_RE.search(inner)
                    fattrs = fm.group(2)
                    ftype = _attr(fattrs, "t")
                    if ftype == "shared":
                        si = _attr(fattrs, "si")
                        if si not in masters:
                            raise UnsupportedLayout(
                                f"sheet '{sheet}' cell {col_letter(c)}{src}: a shared formula whose first cell is missing"
                            )
                        mtext, mrow, mcol = masters[si]
                        ftext = translate_formula(mtext, (mrow, mcol), (rn, c))
                    elif ftype in ("array", "dataTable"):
                        raise UnsupportedLayout(
                            f"sheet '{sheet}' has an array formula in cell {col_letter(c)}{src}, inside the rows prodbook rewrites"
                        )
                    else:
                        if src == rn:
                            parts_.append((c, f"<{p}c{_with_ref(ca, ref)}>{inner}</{p}c>"))
                            continue
                        ftext = translate_formula(_unesc(fm.group(3) or ""), (src, c), (rn, c))
                    translated = True
                    extra = ""
                    for an in ("ca", "aca"):
                        av = _attr(fattrs, an)
                        if av:
                            extra += f' {an}="{av}"'
                    ca2 = _del_attr(_del_attr(_del_attr(ca, "t"), "cm"), "vm")
                    fp = fm.group(1)
                    parts_.append((c, f"<{p}c{_with_ref(ca2, ref)}><{fp}f{extra}>{_esc(ftext)}</{fp}f></{p}c>"))
                elif inner:
                    parts_.append((c, f"<{p}c{_with_ref(ca, ref)}>{inner}</{p}c>"))
                else:
                    parts_.append((c, f"<{p}c{_with_ref(ca, ref)}/>"))
            for j, v in enumerate(values):
                x = cell(letters[j] + rs, v, styles_[j], rn, written[j])
                if x is not None:
                    parts_.append((written[j], x))
            parts_.sort(key=lambda x: x[0])
            body = "".join(x[1] for x in parts_)
            if parts_:
                mc = parts_[-1][0]
                if mc > max_col:
                    max_col = mc
        else:
            cells_ = []
            for j, v in enumerate(values):
                x = cell(letters[j] + rs, v, styles_[j], rn, written[j])
                if x is not None:
                    cells_.append(x)
            body = "".join(cells_)
        if body or row_attrs.strip():
            out.append(f'{row_open} r="{rs}"{row_attrs}>{body}{row_close}')
    new_last = kept + len(rw.rows)
    new_end = max(new_last, hr + 1)

    # --- ranges that follow the data -------------------------------------------
    old_ends = {old_last_data} if old_last_data > hr else set()
    if table is not None and table[4] > hr:
        old_ends.add(table[4])
    grow_cols = (last_header_col, new_last_col) if rw.append_headers else (None, None)
    args = (hr, old_ends, new_end)
    # a sheet-level filter over the header alone grows with the data
    af_args = (hr, old_ends or {hr}, new_end)
    tail = re.sub(
        r'(<(?:\w+:)?(?:conditionalFormatting|dataValidation)\b[^>]*\ssqref=")([^"]*)(")',
        lambda m: m.group(1) + _adjust_sqref(m.group(2), *args) + m.group(3),
        tail,
    )
    tail = re.sub(
        r"(<(?:\w+:)?sqref>)([^<]*)(</(?:\w+:)?sqref>)",
        lambda m: m.group(1) + _adjust_sqref(m.group(2), *args) + m.group(3),
        tail,
    )
    tail = re.sub(
        r'(<(?:\w+:)?autoFilter\b[^>]*\sref=")([^"]*)(")',
        lambda m: m.group(1) + _adjust_range(m.group(2), *af_args, *grow_cols) + m.group(3),
        tail,
    )
    # dimension
    dm = re.search(r'(<(?:\w+:)?dimension\b[^>]*\sref=")([^"]*)(")', head)
    last_row_any = max([new_last] + [r[0] for r in header_rows])
    if dm:
        start = dm.group(2).split(":")[0]
        try:
            srow, scol = _parse_cell(start)
        except ValueError:
            srow, scol = 1, 0
        dim = f"{col_letter(scol)}{srow}:{col_letter(max(max_col, scol))}{max(last_row_any, srow)}"
        head = head[: dm.start()] + dm.group(1) + dim + dm.group(3) + head[dm.end():]

    new_text = head + sh.sd_open + "".join(out) + sh.sd_close + tail
    pkg.set_text(part, new_text)

    # --- the Table part ------------------------------------------------------------
    if table is not None:
        tp, ttext, r1, c1, r2, c2 = table
        end_col = max(c2, new_last_col) if rw.append_headers else c2
        new_ref = f"{col_letter(c1)}{r1}:{col_letter(end_col)}{new_end}"
        ttext = re.sub(r'(<(?:\w+:)?table\b[^>]*?\sref=")([^"]*)(")', lambda m: m.group(1) + new_ref + m.group(3), ttext, count=1)
        ttext = re.sub(r'(<(?:\w+:)?autoFilter\b[^>]*?\sref=")([^"]*)(")', lambda m: m.group(1) + new_ref + m.group(3), ttext, count=1)
        ttext = re.sub(
            r'(<(?:\w+:)?sortState\b[^>]*?\sref=")([^"]*)(")',
            lambda m: m.group(1) + _adjust_range(m.group(2), r1, {r2}, new_end) + m.group(3),
            ttext, count=1,
        )
        if rw.append_headers:
            tcm = re.search(r"(<((?:\w+:)?)tableColumns\b[^>]*>)(.*?)(</(?:\w+:)?tableColumns>)", ttext, re.S)
            if tcm:
                tp_ = tcm.group(2)
                ids = [int(x) for x in re.findall(r'<(?:\w+:)?tableColumn\b[^>]*\sid="(\d+)"', tcm.group(3))]
                names = {_unesc(x).lower() for x in re.findall(r'<(?:\w+:)?tableColumn\b[^>]*\sname="([^"]*)"', tcm.group(3))}
                nid = max(ids, default=0)
                add = ""
                # columns between the old table end and the appended headers (should be none)
                for c in range(c2 + 1, new_last_col + 1):
                    nid += 1
                    k = c - (last_header_col + 1)
                    name = new_header_texts[k] if 0 <= k < len(new_header_texts) else f"Column{nid}"
                    if name.lower() in names:
                        raise ValueError(f"sheet '{sheet}': the Table already has a column named '{name}'")
                    names.add(name.lower())
                    add += f'<{tp_}tableColumn id="{nid}" name="{_esc_attr(name)}"/>'
                count = len(ids) + add.count("<")
                open_tag = _set_attr(tcm.group(1), "count", str(count))
                ttext = ttext[: tcm.start()] + open_tag + tcm.group(3) + add + tcm.group(4) + ttext[tcm.end():]
        pkg.set_text(tp, ttext)

    _adjust_defined_names(pkg, book.part, sheet, args)
    return held_formula or translated or vw.wrote_formula


# --------------------------------------------------------------------------- creating a sheet


def _table_name(sheet: str, taken: set[str]) -> str:
    base = re.sub(r"[^\w.]", "_", sheet)
    base = re.sub(r"_+", "_", base).strip("_") or "Table"
    if not (base[0].isalpha() or base[0] == "_"):
        base = "_" + base
    looks_like_ref = re.fullmatch(r"[A-Za-z]{1,3}\d+", base) and col_index(re.match(r"[A-Za-z]+", base).group(0)) < MAX_COL
    if looks_like_ref or re.fullmatch(r"[RrCc]\d*|[Rr]\d+[Cc]\d+", base):
        base += "_"
    base = base[:250]
    name, n = base, 2
    while name.lower() in taken:
        name = f"{base}{n}"
        n += 1
    return name


def _unique_part(pkg: _Package, pattern: str) -> str:
    n = 1
    while True:
        name = pattern.format(n)
        if not pkg.exists(name) and name not in pkg.added:
            return name
        n += 1


def _create_sheet(pkg: _Package, book: _Book, styles: _Styles, rw: SheetRewrite) -> str:
    headers = [str(h) for h in rw.create_headers]
    if rw.header_row != 1:
        raise ValueError(f"sheet '{rw.sheet}': a new sheet has its header in row 1 (header_row must be 1)")
    if not headers:
        raise ValueError(f"sheet '{rw.sheet}': a new sheet needs at least one header")
    if len(rw.sheet) > 31 or re.search(r"[\[\]:*?/\\]", rw.sheet) or rw.sheet.startswith("'") or rw.sheet.endswith("'"):
        raise ValueError(f"'{rw.sheet}' is not a valid Excel sheet name")
    # unique, non-empty header names (a Table requires it)
    seen: set[str] = set()
    uniq = []
    for i, h in enumerate(headers):
        h = _ILLEGAL_XML.sub("", h).strip() or f"Column{i + 1}"
        base, n = h, 2
        while h.lower() in seen:
            h = f"{base}{n}"
            n += 1
        seen.add(h.lower())
        uniq.append(h)
    headers = uniq
    ncol = len(headers)
    wb_part = book.part
    sheet_part = _unique_part(pkg, "xl/worksheets/sheet{}.xml")
    table_part = _unique_part(pkg, "xl/tables/table{}.xml")

    # table id and name unique across the workbook
    taken_names: set[str] = set()
    max_id = 0
    for n in list(pkg.names) + pkg.added:
        if n.startswith("xl/tables/") and n.endswith(".xml") and pkg.exists(n):
            tm = re.search(r"<(?:\w+:)?table\b[^>]*>", pkg.text(n))
            if tm:
                tid = _attr(tm.group(0), "id")
                if tid and tid.isdigit():
                    max_id = max(max_id, int(tid))
                for an in ("name", "displayName"):
                    v = _attr(tm.group(0), an)
                    if v:
                        taken_names.add(_unesc(v).lower())
    for dn in re.findall(r'<(?:\w+:)?definedName\b[^>]*\sname="([^"]*)"', pkg.text(wb_part)):
        taken_names.add(_unesc(dn).lower())
    tname = _table_name(rw.sheet, taken_names)

    bold = styles.bold_style()
    last_col = col_letter(ncol - 1)
    # widths from headers and a sample of values
    widths = []
    for j in range(ncol):
        w = len(headers[j]) + 3  # room for the filter button
        try:
            k = rw.columns.index(j)
        except ValueError:
            k = None
        if k is not None:
            for row in rw.rows[:2000]:
                v = row[k]
                if v is None:
                    continue
                if isinstance(v, datetime):
                    lw = 16
                elif isinstance(v, date):
                    lw = 11
                elif isinstance(v, Formula):
                    lw = 10
                else:
                    lw = max((len(x) for x in str(v).split("\n")), default=0) + 1
                w = max(w, lw)
        widths.append(min(max(w, 8), 60))
    cols = "".join(f'<col min="{j + 1}" max="{j + 1}" width="{w}" customWidth="1"/>' for j, w in enumerate(widths))
    bs = f' s="{bold}"' if bold else ""
    hcells = "".join(
        f'<c r="{col_letter(j)}1"{bs} t="inlineStr"><is><t xml:space="preserve">{_text_xml(h)}</t></is></c>'
        for j, h in enumerate(headers)
    )
    sheet_xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_R}">'
        f'<dimension ref="A1:{last_col}2"/>'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        "</sheetView></sheetViews>"
        '<sheetFormatPr defaultRowHeight="15"/>'
        f"<cols>{cols}</cols>"
        f'<sheetData><row r="1">{hcells}</row></sheetData>'
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        '<tableParts count="1"><tablePart r:id="rId1"/></tableParts>'
        "</worksheet>"
    )
    tcols = "".join(f'<tableColumn id="{j + 1}" name="{_esc_attr(h)}"/>' for j, h in enumerate(headers))
    table_xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<table xmlns="{NS_MAIN}" id="{max_id + 1}" name="{_esc_attr(tname)}" displayName="{_esc_attr(tname)}" '
        f'ref="A1:{last_col}2" totalsRowShown="0">'
        f'<autoFilter ref="A1:{last_col}2"/>'
        f'<tableColumns count="{ncol}">{tcols}</tableColumns>'
        '<tableStyleInfo name="TableStyleMedium2" showFirstColumn="0" showLastColumn="0" '
        'showRowStripes="1" showColumnStripes="0"/>'
        "</table>"
    )
    pkg.set_text(sheet_part, sheet_xml)
    pkg.set_text(table_part, table_xml)
    pkg.set_text(
        pkg.rels_name(sheet_part),
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{NS_PKG_REL}"><Relationship Id="rId1" Type="{RT_TABLE}" '
        f'Target="../tables/{posixpath.basename(table_part)}"/></Relationships>',
    )
    pkg.add_override(sheet_part, CT_WORKSHEET)
    pkg.add_override(table_part, CT_TABLE)
    rel_target = posixpath.relpath(sheet_part, posixpath.dirname(wb_part))
    rid = pkg.add_rel(wb_part, RT_WORKSHEET, rel_target)

    # <sheet> in workbook.xml
    text = pkg.text(wb_part)
    p = _pfx(_ns_prefix(text, NS_MAIN))
    rp = _ns_prefix(text, NS_R)
    if rp is None:
        text = re.sub(r"(<(?:\w+:)?workbook\b)", lambda m: m.group(1) + f' xmlns:r="{NS_R}"', text, count=1)
        rp = "r"
    ids = [int(x) for x in re.findall(r'<(?:\w+:)?sheet\b[^>]*\ssheetId="(\d+)"', text)]
    el = f'<{p}sheet name="{_esc_attr(rw.sheet)}" sheetId="{max(ids, default=0) + 1}" {rp}:id="{rid}"/>'
    sheet_tags = list(re.finditer(r"<(?:\w+:)?sheet\b[^>]*?/>", text))
    names = [_unesc(_attr(m.group(0), "name") or "") for m in sheet_tags]
    if rw.after is not None and rw.after in names:
        idx = names.index(rw.after) + 1
    else:
        if rw.after is not None:
            raise ValueError(f"sheet '{rw.after}' (to put '{rw.sheet}' after) is not in the workbook")
        idx = len(names)
    if idx < len(sheet_tags):
        pos = sheet_tags[idx].start()
    else:
        pos = text.index(f"</{p}sheets>")
    text = text[:pos] + el + text[pos:]
    if idx < len(sheet_tags):
        # sheet indexes after the new one move by one
        def bump(m: re.Match) -> str:
            v = int(m.group(2))
            return f'{m.group(1)}"{v + 1 if v >= idx else v}"'

        text = re.sub(r'(\slocalSheetId=)"(\d+)"', bump, text)
        text = re.sub(r'(<(?:\w+:)?workbookView\b[^>]*\sactiveTab=)"(\d+)"', bump, text)
    pkg.set_text(wb_part, text)
    book.sheets.insert(idx, (rw.sheet, rid, sheet_part))
    return sheet_part


# --------------------------------------------------------------------------- cell edits


def _rows_by_number(text: str, sheet: str, wanted: list[int]) -> _Sheet:
    """Split a sheet, parsing only the ``wanted`` rows (sorted) when every row carries its r.

    The other rows stay as verbatim chunks, so editing a few cells of a long
    sheet costs a scan, not a parse, of the rest.
    """
    m = _SHEETDATA_RE.search(text)
    if not m or m.group(2):
        return _split_sheet(text, sheet)
    prefix = m.group(1)
    close = f"</{prefix}sheetData>"
    ci = text.find(close, m.end())
    body = text[m.end():ci]
    if "<!--" in body or "<![CDATA[" in body or f"<{prefix}row>" in body:
        return _split_sheet(text, sheet)
    rows, pos = [], 0
    for rn in wanted:
        at = body.find(f'<{prefix}row r="{rn}"', pos)
        if at < 0:
            return _split_sheet(text, sheet)  # rows out of order, without r, or a new row: parse all
        if at > pos:
            rows.append((-1, "", "", body[pos:at]))
        rm = _ROW_RE.match(body, at)
        rows.append((rn, rm.group(1), rm.group(2) or "", rm.group(0)))
        pos = rm.end()
    rows.append((-1, "", "", body[pos:]))
    return _Sheet(text[: m.start()], f"<{prefix}sheetData>", close, rows, text[ci + len(close):], prefix)


def _apply_cell_edits(pkg: _Package, book: _Book, styles: _Styles, part: str, sheet: str, edits: list[CellEdit]) -> bool:
    text = pkg.text(part)
    sh = _rows_by_number(text, sheet, sorted({e.row for e in edits}))
    p = sh.prefix
    vw = _ValueWriter(styles, book.date1904, sheet, p)
    by_row: dict[int, list[CellEdit]] = {}
    for e in edits:
        if not (1 <= e.row <= MAX_ROW and 0 <= e.column < MAX_COL):
            raise ValueError(f"sheet '{sheet}': cell row {e.row} column {e.column} is outside a sheet")
        by_row.setdefault(e.row, []).append(e)
    rows = list(sh.rows)
    index = {r[0]: i for i, r in enumerate(rows) if r[0] >= 0}
    had_formula = False
    for rn, es in sorted(by_row.items()):
        if rn in index:
            num, attrs, content, raw = rows[index[rn]]
        else:
            num, attrs, content, raw = rn, f' r="{rn}"', "", ""
        row_style = _attr(attrs, "s") if _attr(attrs, "customFormat") in ("1", "true") else None
        cells = {c: (ca, inner, rawc) for c, ca, inner, rawc in _cells(content)}
        for e in es:
            ref = f"{col_letter(e.column)}{rn}"
            old = cells.get(e.column)
            s = 0
            if old is not None:
                sv = _attr(old[0], "s")
                s = int(sv) if sv else 0
                if _HAS_F.search(old[1]):
                    fm = _F_RE.search(old[1])
                    if fm and _attr(fm.group(2), "t") in ("shared", "array", "dataTable"):
                        raise UnsupportedLayout(
                            f"sheet '{sheet}' cell {ref} is part of a shared or array formula; prodbook will not overwrite it"
                        )
                    had_formula = True
            elif row_style:
                s = int(row_style)
            x = vw.cell(ref, e.value, s, rn, e.column)
            if x is None:
                x = f'<{p}c r="{ref}"/>'
            cells[e.column] = ("", "", x)
        # cells without r after an edited one would get a wrong position: give all cells r
        parts = []
        for c in sorted(cells):
            ca, inner, rawc = cells[c]
            if ca == "" and inner == "" and rawc.startswith("<"):
                parts.append(rawc)
            else:
                parts.append(f"<{p}c{_with_ref(ca, col_letter(c) + str(rn))}" + (f">{inner}</{p}c>" if inner else "/>"))
        a2 = _SPANS_ATTR.sub("", attrs)
        if not _R_ATTR.search(a2):
            a2 = f' r="{rn}"' + a2
        new_raw = f"<{p}row{a2}>" + "".join(parts) + f"</{p}row>"
        entry = (rn, a2, "", new_raw)
        if rn in index:
            rows[index[rn]] = entry
        else:
            rows.append(entry)
            rows.sort(key=lambda r: r[0])
            index = {r[0]: i for i, r in enumerate(rows) if r[0] >= 0}
    # rows without r after an inserted row would move: give every row its r
    out = []
    for num, attrs, content, raw in rows:
        if num < 0:  # a verbatim chunk of untouched rows
            out.append(raw)
            continue
        if not _R_ATTR.search(attrs):
            raw = re.sub(r"^<((?:\w+:)?)row\b", lambda m: f'<{m.group(1)}row r="{num}"', raw, count=1)
        out.append(raw)
    head = sh.head
    dm = re.search(r'(<(?:\w+:)?dimension\b[^>]*\sref=")([^"]*)(")', head)
    if dm:
        try:
            a, _, b = dm.group(2).partition(":")
            r1, c1 = _parse_cell(a)
            r2, c2 = _parse_cell(b or a)
            for e in edits:
                r1, r2 = min(r1, e.row), max(r2, e.row)
                c1, c2 = min(c1, e.column), max(c2, e.column)
            head = head[: dm.start()] + dm.group(1) + f"{col_letter(c1)}{r1}:{col_letter(c2)}{r2}" + dm.group(3) + head[dm.end():]
        except ValueError:
            pass
    pkg.set_text(part, head + sh.sd_open + "".join(out) + sh.sd_close + sh.tail)
    return had_formula or vw.wrote_formula


# --------------------------------------------------------------------------- entry point


def rewrite_sheets(src: Path, dst: Path, rewrites: Sequence[SheetRewrite], cell_edits: Sequence[CellEdit] = ()) -> None:
    """Write `src` to `dst` with the given sheets rewritten and cells edited.

    Every part not named in the changes is copied unchanged. Raises
    UnsupportedLayout / ValueError before anything is written.
    """
    src, dst = Path(src), Path(dst)
    if src.resolve() == dst.resolve():
        raise ValueError("rewrite_sheets writes to a new file; dst must differ from src")
    pkg = _Package(src)
    try:
        book = _read_book(pkg)
        styles = _Styles(pkg, book.part)
        formulas = False
        seen = set()
        for rw in rewrites:
            if rw.sheet.lower() in seen:
                raise ValueError(f"sheet '{rw.sheet}' is rewritten twice in one call")
            seen.add(rw.sheet.lower())
            part = next((s[2] for s in book.sheets if s[0].lower() == rw.sheet.lower()), None)
            if part is None:
                if rw.create_headers is None:
                    raise ValueError(f"the workbook has no sheet '{rw.sheet}'")
                part = _create_sheet(pkg, book, styles, rw)
            elif rw.create_headers is not None and rw.header_row < 1:
                raise ValueError(f"sheet '{rw.sheet}': header_row must be 1 or more")
            if not pkg.exists(part):
                raise UnsupportedLayout(f"sheet '{rw.sheet}' is not a worksheet prodbook can rewrite (a chart sheet?)")
            formulas |= _rewrite_sheet(pkg, book, styles, rw, part)
        by_sheet: dict[str, list[CellEdit]] = {}
        for e in cell_edits:
            by_sheet.setdefault(e.sheet, []).append(e)
        for sheet, edits in by_sheet.items():
            part = next((s[2] for s in book.sheets if s[0].lower() == sheet.lower()), None)
            if part is None or not pkg.exists(part):
                raise ValueError(f"the workbook has no sheet '{sheet}'")
            formulas |= _apply_cell_edits(pkg, book, styles, part, sheet, edits)
        if formulas or _other_formulas(pkg, book, rewrites):
            if formulas:
                _drop_calc_chain(pkg, book.part)
            _set_full_calc(pkg, book.part)
        try:
            pkg.write(dst)
        except BaseException:
            dst.unlink(missing_ok=True)
            raise
    finally:
        pkg.close()


def _other_formulas(pkg: _Package, book: _Book, rewrites) -> bool:
    """Do other sheets (or defined names) hold formulas that may read the rewritten data?"""
    if not rewrites:
        return False
    names = {rw.sheet.lower() for rw in rewrites}
    for name, rid, part in book.sheets:
        if name.lower() in names or not part or not pkg.exists(part) or part in pkg.changed:
            continue
        if _HAS_F_B.search(pkg.zf.read(part) if part not in pkg.changed else pkg.changed[part]):
            return True
    return False


# --------------------------------------------------------------------------- what openpyxl drops

_EXT_NAMES = {
    "{05C60535-1F16-4fd2-B633-F4F36F0B64E0}": "sparklines",
    "{78C0D931-6437-407d-A8EE-F0AAD7539E65}": "Excel 2010 conditional formats (data bars / icon sets)",
    "{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}": "data validation lists that point to another sheet",
    "{A8765BA9-456A-4dab-B4F3-ACF838C121DE}": "slicers",
    "{3A4CF648-6AED-40f4-86FF-DC5316D8AED3}": "slicers",
    "{7E03D99C-DC04-49d9-9315-930204A7B6E9}": "timelines",
}


def parts_openpyxl_would_drop(path) -> list[str]:
    """Plain-English list of what an openpyxl load + save would lose from this workbook."""
    pkg = _Package(Path(path))
    found: list[str] = []

    def add(s: str):
        if s not in found:
            found.append(s)

    try:
        book = _read_book(pkg)
        for name, rid, part in book.sheets:
            if not part or not pkg.exists(part):
                continue
            text = pkg.text(part)
            ext = re.search(r"<(?:\w+:)?extLst>.*</(?:\w+:)?extLst>", text, re.S)
            if ext:
                for uri in re.findall(r'<(?:\w+:)?ext\b[^>]*\suri="([^"]+)"', ext.group(0)):
                    what = _EXT_NAMES.get(uri.upper()) or _EXT_NAMES.get(uri) or next(
                        (v for k, v in _EXT_NAMES.items() if k.lower() == uri.lower()), None)
                    add(f"{what or 'Excel 2010+ extensions'} on sheet '{name}'")
            if re.search(r"<(?:\w+:)?(?:controls|oleObjects)\b", text):
                add(f"form or ActiveX controls on sheet '{name}'")
            for r in pkg.rels(part):
                t = r["type"] or ""
                tp = r["part"]
                if t.endswith("/drawing") and tp and pkg.exists(tp):
                    d = pkg.text(tp)
                    if re.search(r"<(?:\w+:)?(?:sp|grpSp|cxnSp)\b", d):
                        add(f"a shape on sheet '{name}'")
                    if re.search(r"<(?:\w+:)?graphicFrame\b", d) or any(
                        (x["type"] or "").endswith("/chart") for x in pkg.rels(tp)
                    ):
                        add(f"a chart on sheet '{name}'")
                    if re.search(r"<(?:\w+:)?pic\b", d):
                        add(f"a picture on sheet '{name}'")
                    if "mc:AlternateContent" in d or "AlternateContent" in d:
                        add(f"a drawing object on sheet '{name}'")
                elif t.endswith("/pivotTable"):
                    add("a pivot table")
                elif t.endswith("/threadedComment"):
                    add(f"threaded comments on sheet '{name}'")
                elif t.endswith("/vmlDrawing") and tp and pkg.exists(tp):
                    v = pkg.zf.read(tp).decode("utf-8", "replace") if tp in pkg.names else ""
                    if re.search(r'ObjectType\s*=\s*"(?!Note")', v):
                        add(f"form controls on sheet '{name}'")
        for n in pkg.names:
            low = n.lower()
            if low.startswith("xl/pivottables/") or low.startswith("xl/pivotcache/"):
                add("a pivot table")
            elif low.startswith("xl/slicers/") or low.startswith("xl/slicercaches/"):
                add("slicers")
            elif low.startswith("xl/timelines/") or low.startswith("xl/timelinecaches/"):
                add("timelines")
            elif low == "xl/metadata.xml":
                add("dynamic-array formulas")
            elif low.startswith("xl/richdata/"):
                add("pictures in cells or linked data types")
            elif low.startswith("xl/model/"):
                add("a data model (Power Pivot)")
            elif low.startswith("xl/querytables/") or low == "xl/connections.xml":
                add("data connections / queries")
            elif low.startswith("xl/chartsheets/"):
                add("a chart sheet")
            elif low.startswith("xl/activex/") or low.startswith("xl/ctrlprops/"):
                add("form or ActiveX controls")
            elif low.startswith("customxml/"):
                add("custom XML data")
            elif low.startswith("xl/namedsheetviews/"):
                add("sheet views")
        if pkg.exists(book.part):
            wb = pkg.text(book.part)
            if re.search(r"<(?:\w+:)?extLst>", wb) and re.search(r'uri="\{(?:BBE1A952|46BE6895|D0CA8CA8|876F7934)', wb, re.I):
                add("slicers or a data model")
        return found
    finally:
        pkg.close()
