"""The zip package: parts in memory, relationships, content types, copying members unchanged."""

from __future__ import annotations

import copy
import posixpath
import re
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, BinaryIO
from xml.etree import ElementTree as ET

from defusedxml import ElementTree as DET

from prodbook.workbook.xlsx.model import UnsupportedLayout
from prodbook.workbook.xlsx.xmltext import _decode, _esc_attr, _ns_prefix, _pfx

_KEEP_TEXT = 1 << 20
"""Parts shorter than this keep their text beside their bytes (workbook.xml, styles: read again)."""
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


XML_PART_SUFFIXES = (".xml", ".rels", ".vml")
_PROLOG_CHUNK = 1 << 12


def _prolog_state(buf: bytes) -> bool | None:
    """True: a DOCTYPE before the root element; False: the root element first; None: read more."""
    if buf[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16: its markup is ASCII with NULs between
        buf = buf[2:].replace(b"\x00", b"")
    pos = 3 if buf.startswith(b"\xef\xbb\xbf") else 0
    while True:
        while pos < len(buf) and buf[pos] in b" \t\r\n":
            pos += 1
        skipped = False
        for start, end in ((b"<?", b"?>"), (b"<!--", b"-->")):
            if buf.startswith(start, pos):
                close = buf.find(end, pos + len(start))
                if close < 0:
                    return None
                pos, skipped = close + len(end), True
        if skipped:
            continue
        head = buf[pos:pos + 9].upper()
        if head == b"<!DOCTYPE":
            return True
        if len(head) < 9 and b"<!DOCTYPE".startswith(head):
            return None  # too short to tell
        return False  # the root element (or what no XML parser reads): no DOCTYPE before it


def doctype_parts(zf: zipfile.ZipFile) -> list[str]:
    """The XML parts that open with a DOCTYPE (ECMA-376 forbids DTDs in a package; Excel never writes one).

    A DOCTYPE can only stand before the root element, so only each part's prolog
    is read, a few KB however large the part: cheap, and safe on a bomb.
    """
    found = []
    for info in zf.infolist():
        if not info.filename.lower().endswith(XML_PART_SUFFIXES) or info.flag_bits & 0x1:
            continue
        with zf.open(info) as f:
            buf = b""
            while True:
                block = f.read(_PROLOG_CHUNK)
                buf += block
                state = _prolog_state(buf)
                if state is None and block:
                    continue
                if state:
                    found.append(info.filename)
                break
    return found


Progress = Callable[[str, int, int], None]
"""``progress(what, done, total)``: how far a long step is (a sheet written, in bytes or rows); the CLI
draws it, the writer only reports it."""

STREAM_CHUNK = 1 << 20
"""Bytes read or written at a time when a part is streamed (a long sheet is never held whole)."""


class _Deflated:
    """A part compressed into an anonymous temporary file as it is produced, for ``_Package.write`` to copy.

    A million-row sheet is about 600 MB of XML: held as text and bytes it would not fit the memory
    prodbook may use. Compressed here at prodbook's level with zipfile's own raw deflate, it goes into
    the package byte for byte as ``writestr`` would have written it, without a second compression.
    """

    def __init__(self, folder: Path | None = None) -> None:
        self.file = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115 - closed by discard() or the package
        self._z: zlib._Compress | None = zlib.compressobj(REWRITE_COMPRESSLEVEL, zlib.DEFLATED, -15)
        self.crc = 0
        self.file_size = 0
        self.compress_size = 0

    def write(self, text: str) -> None:
        data = text.encode("utf-8")
        assert self._z is not None, "written after close"
        self.crc = zlib.crc32(data, self.crc)
        self.file_size += len(data)
        if out := self._z.compress(data):
            self.file.write(out)

    def close(self) -> None:
        if self._z is not None:
            self.file.write(self._z.flush())
            self._z = None
            self.compress_size = self.file.tell()

    def discard(self) -> None:
        self.file.close()

    def compressed(self) -> IO[bytes]:
        self.file.seek(0)
        return self.file

    def blocks(self) -> Iterator[bytes]:
        """The part's bytes, inflated a block at a time."""
        z = zlib.decompressobj(-15)
        src = self.compressed()
        while block := src.read(STREAM_CHUNK):
            if out := z.decompress(block):
                yield out
        if out := z.flush():
            yield out


def holds(blocks: Iterator[bytes], pattern: re.Pattern[bytes], reach: int = 64, *, hint: bytes = b"",
          fold: bool = False) -> bool:
    """Does the part match ``pattern`` (no longer than ``reach`` bytes) anywhere? Read a block at a time.

    ``hint``: bytes every match holds. A block without them is passed over at the speed of a byte search, not
    of the pattern (a T&A's 25 MB of XML: 3 ms against 120 ms for a case-blind pattern). ``fold``: the
    pattern is written in lower case and matches the part in any case, ASCII's letters folded as ``re.I``
    folds them for bytes, at the speed of a case-bound search."""
    tail = b""
    for block in blocks:
        buf = tail + block
        if hint in buf and pattern.search(buf.lower() if fold else buf):
            return True
        tail = buf[-reach:]  # the stream's last bytes, however short the blocks
    return False


_ROW_END = re.compile(rb"</(?:\w+:)?row>")


def last_row_end(data: bytes) -> int:
    """Where the last complete row of a piece of sheet XML ends (0: none), found from the end: a cut there
    splits no element and no character."""
    i = len(data)
    while (i := data.rfind(b"row>", 0, i)) >= 0:
        j = data.rfind(b"</", 0, i)
        if j >= 0 and _ROW_END.fullmatch(data, j, i + 4):
            return i + 4
    return 0


DAMAGED_ZIP: tuple[type[Exception], ...] = (zlib.error, EOFError, zipfile.BadZipFile)
"""What reading a damaged member of a zip raises: bytes that do not inflate, a member cut short, a CRC that
does not match. None of them is an OSError: every reader of a part catches these."""
_UNPACK_FAILS: tuple[type[Exception], ...] = (*DAMAGED_ZIP, NotImplementedError, RuntimeError)


class _Package:
    """The zip in memory: original member order, changed and added parts.

    ``source`` is a path or an open binary file. Every byte read, including the
    raw members ``write`` copies, comes from that one handle: a file someone
    saves over the path meanwhile is never mixed in.
    """

    def __init__(self, source: Path | BinaryIO):
        self.path = None if hasattr(source, "read") else Path(source)
        self.zf = zipfile.ZipFile(source if self.path is None else self.path)
        self.infos = self.zf.infolist()
        self.names = {i.filename for i in self.infos}
        self.changed: dict[str, bytes | _Deflated] = {}
        self.added: list[str] = []
        self.removed: set[str] = set()
        self._text: dict[str, str] = {}
        self.copied: dict[str, list[tuple[int, int]]] = {}
        """Part -> byte ranges (in order) of its new text that are whole rows copied unchanged from the
        source: the check of the file written parses the rest (``verify_package``'s ``unparsed``)."""
        self.scratch: Path | None = None
        """The folder for the temporary files of streamed parts (beside the file written); None: the system's."""

    def __enter__(self) -> _Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.zf.close()
        for data in self.changed.values():
            if isinstance(data, _Deflated):
                data.discard()

    def blocks(self, name: str) -> Iterator[bytes]:
        """A part's bytes as they stand (read, rewritten or streamed), a block at a time."""
        data = self.changed.get(name)
        if isinstance(data, _Deflated):
            yield from data.blocks()
        elif data is not None:
            yield data
        else:
            with self.unpacking(name), self.zf.open(name) as f:
                while block := f.read(STREAM_CHUNK):
                    yield block

    @contextmanager
    def unpacking(self, name: str) -> Iterator[None]:
        """A part's bytes that do not unpack (``DAMAGED_ZIP``; NotImplementedError, RuntimeError: flags saying
        "patched" or "encrypted", which no workbook part is) are a damaged file, said so (not a Python error
        from deep in zipfile)."""
        try:
            yield
        except _UNPACK_FAILS as exc:
            raise UnsupportedLayout(f"its part {name} does not unpack ({str(exc) or 'cut short'}): the file is "
                                    "damaged") from None

    def size(self, name: str) -> int:
        """A part's size in bytes as it stands (uncompressed)."""
        data = self.changed.get(name)
        if isinstance(data, _Deflated):
            return data.file_size
        return len(data) if data is not None else self.zf.getinfo(name).file_size

    def streamed(self) -> _Deflated:
        """A new temporary part to write into; ``set_streamed`` puts it in the package once complete."""
        return _Deflated(self.scratch)

    def set_streamed(self, name: str, part: _Deflated, copied: list[tuple[int, int]] | None = None) -> None:
        """``copied``: the byte ranges of ``part`` that hold rows copied unchanged from the source."""
        part.close()
        self._text.pop(name, None)
        old = self.changed.get(name)
        if isinstance(old, _Deflated):
            old.discard()
        self._set_changed(name, part)
        if copied:
            self.copied[name] = copied

    def exists(self, name: str) -> bool:
        return (name in self.names or name in self.changed) and name not in self.removed

    def text(self, name: str) -> str:
        t = self._text.get(name)
        if t is None:
            if name in self.changed:
                data = self.changed[name]
                t = _decode(b"".join(data.blocks()) if isinstance(data, _Deflated) else data, name)
            else:
                with self.unpacking(name):
                    t = _decode(self.zf.read(name), name)
            self._text[name] = t
        return t

    def forget_text(self, name: str) -> None:
        """Drop the text kept of a part as read (a long sheet about to be streamed anew)."""
        self._text.pop(name, None)

    def set_text(self, name: str, text: str) -> None:
        if len(text) < _KEEP_TEXT:
            self._text[name] = text
        else:  # a long sheet is held once, as the bytes to write; text() decodes it again if asked
            self._text.pop(name, None)
        self._set_bytes(name, text.encode("utf-8"))

    def set_pieces(self, name: str, pieces: list[str]) -> None:
        """``set_text`` of the pieces joined, without holding the joined text as well as its bytes."""
        self._text.pop(name, None)  # the part as read: its text goes with the caller's last reference
        self._set_bytes(name, "".join(pieces).encode("utf-8"))
        pieces.clear()

    def _set_bytes(self, name: str, data: bytes) -> None:
        old = self.changed.get(name)
        if isinstance(old, _Deflated):
            old.discard()
        self._set_changed(name, data)

    def _set_changed(self, name: str, data: bytes | _Deflated) -> None:
        self.changed[name] = data
        self.copied.pop(name, None)  # new bytes: a range copied before no longer stands
        if name not in self.names and name not in self.added:
            self.added.append(name)
        self.removed.discard(name)

    def remove(self, name: str) -> None:
        self.removed.add(name)

    def parsed(self, name: str) -> Any:
        """A small part (workbook.xml, a .rels) as an element tree; XML that does not parse is a damaged file,
        said so (not a Python ParseError)."""
        try:
            return DET.fromstring(self.text(name).encode("utf-8"))
        except ET.ParseError as exc:
            raise UnsupportedLayout(f"its part {name} is not well-formed XML ({exc}): the file is damaged") from None

    # relationships ----------------------------------------------------------
    @staticmethod
    def rels_name(part: str) -> str:
        d, f = posixpath.split(part)
        return posixpath.join(d, "_rels", f + ".rels")

    def rels(self, part: str) -> list[dict]:
        rn = self.rels_name(part)
        if not self.exists(rn):
            return []
        root = self.parsed(rn)
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
            text = re.sub(rf"(<{p}Relationships\b[^>]*)/>",
                          lambda m: m.group(1) + ">" + el + f"</{p}Relationships>", text, count=1)
        else:
            i = text.rindex(f"</{p}Relationships>")
            text = text[:i] + el + text[i:]
        self.set_text(rn, text)
        return rid

    def remove_rels_of_type(self, part: str, rtype: str) -> None:
        rn = self.rels_name(part)
        if not self.exists(rn):
            return
        text = self.text(rn)
        new = re.sub(r'<(?:\w+:)?Relationship\b[^>]*Type="' + re.escape(rtype) + r'"[^>]*/>', "", text)
        if new != text:
            self.set_text(rn, new)

    # content types ------------------------------------------------------------
    def add_override(self, part: str, ctype: str) -> None:
        name = "[Content_Types].xml"
        text = self.text(name)
        if f'PartName="/{part}"' in text:
            return
        p = _pfx(_ns_prefix(text, "http://schemas.openxmlformats.org/package/2006/content-types"))
        i = text.rindex(f"</{p}Types>")
        text = text[:i] + f'<{p}Override PartName="/{part}" ContentType="{ctype}"/>' + text[i:]
        self.set_text(name, text)

    def remove_override(self, part: str) -> None:
        name = "[Content_Types].xml"
        text = self.text(name)
        new = re.sub(r'<(?:\w+:)?Override\b[^>]*PartName="/' + re.escape(part) + r'"[^>]*/>', "", text)
        if new != text:
            self.set_text(name, new)

    # writing ------------------------------------------------------------------
    def write(self, dst: Path, on_member: Callable[[int], None] | None = None) -> None:
        """Write the package to ``dst``; ``on_member(n)`` is called before the n-th member (a test seam)."""
        src_fp = self.zf.fp  # the handle the package was read from, never the path again
        assert src_fp is not None  # open: read in __init__
        with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
            for n, info in enumerate(self.infos, 1):
                if on_member is not None:
                    on_member(n)
                name = info.filename
                if name in self.removed:
                    continue
                if name in self.changed:
                    zi = zipfile.ZipInfo(name, date_time=info.date_time)
                    zi.compress_type = zipfile.ZIP_DEFLATED
                    zi.external_attr = info.external_attr
                    _write_changed(zout, zi, self.changed[name])
                else:
                    with self.unpacking(name):
                        _copy_member(src_fp, self.zf, zout, info)
            for name in self.added:
                if name in self.removed:
                    continue
                zi = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                zi.compress_type = zipfile.ZIP_DEFLATED
                zi.external_attr = 0o600 << 16
                _write_changed(zout, zi, self.changed[name])


def _write_changed(zout: zipfile.ZipFile, zi: zipfile.ZipInfo, data: bytes | _Deflated) -> None:
    """A rewritten part into the package: bytes compressed by zipfile, a streamed part copied as it was
    compressed, with the same local header ``writestr`` gives (sizes in it, no data descriptor)."""
    if not isinstance(data, _Deflated):
        zout.writestr(zi, data, compresslevel=REWRITE_COMPRESSLEVEL)
        return
    zi.CRC, zi.file_size, zi.compress_size = data.crc, data.file_size, data.compress_size
    zi.flag_bits = 0
    if not zi.external_attr:
        zi.external_attr = 0o600 << 16
    out = zout.fp
    assert out is not None  # open for writing
    out.seek(zout.start_dir)
    zi.header_offset = out.tell()
    out.write(zi.FileHeader(zi.file_size * 1.05 > zipfile.ZIP64_LIMIT))  # writestr's own rule
    src = data.compressed()
    while block := src.read(STREAM_CHUNK):
        out.write(block)
    zout.filelist.append(zi)
    zout.NameToInfo[zi.filename] = zi
    zout.start_dir = out.tell()
    zout._didModify = True  # type: ignore[attr-defined]  # noqa: SLF001 - a member written without zipfile.open


def _copy_member(src_fp: IO[bytes], zin: zipfile.ZipFile, zout: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Copy one member's compressed bytes as they are (no recompression)."""
    raw_ok = (
        not (info.flag_bits & 0x1)  # not encrypted
        and info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
        and hasattr(zout, "start_dir")
        and not zout._writing  # type: ignore[attr-defined]  # noqa: SLF001 - private: raw copy without recompressing
    )
    if raw_ok:
        src_fp.seek(info.header_offset)
        head = src_fp.read(zipfile.sizeFileHeader)  # type: ignore[attr-defined]  # zipfile's undocumented local-header constants
        fields = struct.unpack(zipfile.structFileHeader, head)  # type: ignore[attr-defined]
        if fields[0] != zipfile.stringFileHeader:  # type: ignore[attr-defined]
            raw_ok = False
    if not raw_ok:
        zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
        zi.compress_type = zipfile.ZIP_DEFLATED
        zi.external_attr = info.external_attr
        zout.writestr(zi, zin.read(info.filename))
        return
    fname_len, extra_len = fields[zipfile._FH_FILENAME_LENGTH], fields[zipfile._FH_EXTRA_FIELD_LENGTH]  # type: ignore[attr-defined]  # noqa: SLF001
    src_fp.seek(info.header_offset + zipfile.sizeFileHeader + fname_len + extra_len)  # type: ignore[attr-defined]
    raw = src_fp.read(info.compress_size)
    zi = copy.copy(info)
    zi.flag_bits &= ~0x08  # sizes go in the local header, no data descriptor
    zi.extra = b""
    out = zout.fp
    assert out is not None  # open for writing
    zi.header_offset = out.tell()
    zip64 = zi.file_size > zipfile.ZIP64_LIMIT or zi.compress_size > zipfile.ZIP64_LIMIT
    out.write(zi.FileHeader(zip64))
    out.write(raw)
    zout.filelist.append(zi)
    zout.NameToInfo[zi.filename] = zi
    zout.start_dir = out.tell()
    zout._didModify = True  # type: ignore[attr-defined]  # noqa: SLF001


# --------------------------------------------------------------------------- workbook.xml
