"""Write a vbaProject.bin from VBA source text: MS-OVBA inside an MS-CFB compound file.

Why our own writer: the add-in must be built from source on any OS (CI runs on
Linux), and the packages that do this were not fit to depend on (see
addin/README.md: ms-ovba 0.0.1 writes scratch files into the working
directory and cannot add class modules; cfbwrite is AGPL).

What is written follows the "on write" rules of [MS-OVBA]:

* ``VBA/_VBA_PROJECT`` is the 7-byte header with version 0xFFFF and no
  performance cache, and every module's ``MODULEOFFSET`` is 0 with no
  p-code: Office finds no compiled code and compiles the project from the
  source text when it opens the file (the same path it takes for a project
  written by another VBA version).
* ``VBA/dir`` lists the project information, the references (OLE
  Automation and the Office object library, which declares IRibbonControl)
  and the modules; streams are compressed with the MS-OVBA LZ77 scheme.
* ``PROJECT`` carries the module list and the CMG/DPB/GC fields encrypted
  with the MS-OVBA data encryption (unprotected, no password, visible).

The compound file is version 3 (512-byte sectors); streams under 4096 bytes
live in the mini stream. Read back on Linux with olefile and olevba in the
tests; Excel itself opening it is the Windows smoke test.
"""

from __future__ import annotations

import os
import re
import struct
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

# --- MS-OVBA 2.4.1 compression --------------------------------------------------------------

_CHUNK = 4096


def _copy_token_help(difference: int) -> tuple[int, int, int]:
    bit_count = max((difference - 1).bit_length(), 4)
    length_mask = 0xFFFF >> bit_count
    return length_mask, bit_count, length_mask + 3  # (mask, bit count, maximum length)


def _compress_chunk(data: bytes, room: int = _CHUNK) -> tuple[bytes, int]:
    """CompressedChunkData for a prefix of ``data``: (tokens, bytes of ``data`` they hold).

    Stops before the tokens would pass ``room`` bytes, as the spec's
    "Compressing a DecompressedChunk" (2.4.1.3.7) stops at CompressedEnd.
    """
    out = bytearray()
    pos, end = 0, len(data)
    index: dict[bytes, list[int]] = {}
    while pos < end and len(out) + 2 <= room:  # a flag byte and at least one literal
        flag_at = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= end:
                break
            best_len, best_off = 0, 0
            if pos > 0:
                _, bit_count, max_len = _copy_token_help(pos)
                limit = min(max_len, end - pos)
                for cand in reversed(index.get(data[pos:pos + 3], [])[-64:]):
                    n = 0
                    while n < limit and data[cand + n] == data[pos + n]:
                        n += 1
                    if n > best_len:
                        best_len, best_off = n, pos - cand
                        if n == limit:
                            break
            if best_len >= 3:
                if len(out) + 2 > room:
                    break
                _, bit_count, _ = _copy_token_help(pos)
                out += struct.pack("<H", ((best_off - 1) << (16 - bit_count)) | (best_len - 3))
                flags |= 1 << bit
                step = best_len
            else:
                if len(out) + 1 > room:
                    break
                out.append(data[pos])
                step = 1
            for p in range(pos, pos + step):
                if p + 3 <= end:
                    index.setdefault(data[p:p + 3], []).append(p)
            pos += step
        out[flag_at] = flags
    return bytes(out), pos


def _header(compressed: bool, size: int) -> bytes:
    """CompressedChunkHeader (2.4.1.1.5): size - 3 in 12 bits, signature 0b011, flag."""
    if not 3 <= size <= _CHUNK + 2:
        raise ValueError(f"a compressed chunk holds 3..4098 bytes, not {size}")
    return struct.pack("<H", (0x8000 if compressed else 0) | 0x3000 | (size - 3))


def compress(data: bytes) -> bytes:
    """MS-OVBA CompressedContainer (2.4.1.1.1) of ``data``.

    A 4,096-byte chunk that does not fit compressed is stored raw (exactly
    4,096 bytes, 2.4.1.1.7). The short final chunk is never stored raw: the
    spec's raw chunk is always 4,096 bytes, so its compressor would pad the
    tail with NULs (2.4.1.3.10) and change the stream. When an incompressible
    tail does not fit one compressed chunk (over ~3,640 bytes of random
    data), it goes into further compressed chunks, which the spec's
    decompression algorithm (2.4.1.3.1) and olevba read back exactly. VBA
    source never comes near that case: text compresses far below 4,096.
    """
    out = bytearray(b"\x01")
    for start in range(0, len(data), _CHUNK):
        chunk = data[start:start + _CHUNK]
        while chunk:
            body, used = _compress_chunk(chunk)
            if used < len(chunk) and len(chunk) == _CHUNK:
                out += _header(False, _CHUNK + 2) + chunk  # stored raw: exactly 4096 bytes
                break
            out += _header(True, len(body) + 2) + body
            chunk = chunk[used:]
    return bytes(out)


def decompress(container: bytes) -> bytes:
    """The data of an MS-OVBA CompressedContainer: "Decompression" (2.4.1.3.1), our own reader.

    Strict where olevba is lenient: a wrong signature, a raw chunk that is not
    4,096 bytes or a chunk running past the end is a ValueError.
    """
    if not container or container[0] != 0x01:
        raise ValueError("not an MS-OVBA compressed container (signature byte is not 0x01)")
    out = bytearray()
    pos = 1
    while pos < len(container):
        if pos + 2 > len(container):
            raise ValueError(f"truncated chunk header at byte {pos}")
        header = struct.unpack_from("<H", container, pos)[0]
        size, signature, compressed = (header & 0x0FFF) + 3, (header >> 12) & 7, header >> 15
        if signature != 0b011:
            raise ValueError(f"invalid chunk signature at byte {pos}")
        end = pos + size
        if end > len(container):
            raise ValueError(f"chunk at byte {pos} runs past the end of the container")
        if not compressed:
            if size != _CHUNK + 2:
                raise ValueError(f"raw chunk at byte {pos} is not 4096 bytes")
            out += container[pos + 2:end]
            pos = end
            continue
        chunk_start = len(out)
        pos += 2
        while pos < end:
            flags = container[pos]
            pos += 1
            for bit in range(8):
                if pos >= end:
                    break
                if not flags >> bit & 1:
                    out.append(container[pos])
                    pos += 1
                    continue
                if pos + 2 > end:
                    raise ValueError(f"truncated copy token at byte {pos}")
                token = struct.unpack_from("<H", container, pos)[0]
                pos += 2
                length_mask, bit_count, _ = _copy_token_help(len(out) - chunk_start)
                offset = (token >> (16 - bit_count)) + 1
                length = (token & length_mask) + 3
                if offset > len(out) - chunk_start:
                    raise ValueError(f"copy token before the chunk start at byte {pos - 2}")
                for _ in range(length):  # byte by byte: a copy may overlap what it writes
                    out.append(out[-offset])
    return bytes(out)


# --- MS-OVBA 2.4.3 data encryption (CMG, DPB, GC) -------------------------------------------


def encrypt(project_id: str, data: bytes, seed: int | None = None) -> bytes:
    """Encrypt a PROJECT-stream field the way VBA does (obfuscation, not security)."""
    seed = os.urandom(1)[0] if seed is None else seed
    version = 2
    proj_key = sum(project_id.encode("latin-1")) & 0xFF
    out = bytearray([seed, seed ^ version, seed ^ proj_key])
    unencrypted1, encrypted1, encrypted2 = proj_key, seed ^ proj_key, seed ^ version
    ignored = (seed & 6) // 2
    for byte in bytes([0] * ignored) + struct.pack("<I", len(data)) + data:
        enc = byte ^ ((encrypted2 + unencrypted1) & 0xFF)
        out.append(enc)
        encrypted2, encrypted1, unencrypted1 = encrypted1, enc, byte
    return bytes(out)


def decrypt(blob: bytes) -> tuple[int, bytes]:
    """(project key, data) of an encrypted PROJECT-stream field."""
    seed, version_enc, proj_key_enc = blob[0], blob[1], blob[2]
    if seed ^ version_enc != 2:
        raise ValueError("not an MS-OVBA encrypted field (version is not 2)")
    proj_key = seed ^ proj_key_enc
    unencrypted1, encrypted1, encrypted2 = proj_key, proj_key_enc, version_enc
    plain = bytearray()
    for enc in blob[3:]:
        byte = enc ^ ((encrypted2 + unencrypted1) & 0xFF)
        plain.append(byte)
        encrypted2, encrypted1, unencrypted1 = encrypted1, enc, byte
    ignored = (seed & 6) // 2
    length = struct.unpack("<I", plain[ignored:ignored + 4])[0]
    return proj_key, bytes(plain[ignored + 4:ignored + 4 + length])


# --- modules ------------------------------------------------------------------------------


class ModuleKind(Enum):
    STANDARD = "Module"
    CLASS = "Class"
    DOCUMENT = "Document"


_DOC_BASES = {"workbook": "0{00020819-0000-0000-C000-000000000046}",
              "worksheet": "0{00020820-0000-0000-C000-000000000046}"}
_CLASS_BASE = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"
_NAME = re.compile(r'^Attribute VB_Name = "([^"]+)"', re.M)


@dataclass(frozen=True)
class Module:
    """A VBA module as stored: its name, kind and source (CRLF lines, Attribute lines first)."""

    name: str
    kind: ModuleKind
    source: str

    @staticmethod
    def from_file_text(text: str, kind: ModuleKind | None = None) -> Module:
        """A module from an exported .bas or .cls file's text."""
        lines = text.replace("\r\n", "\n").split("\n")
        is_class = bool(lines) and lines[0].startswith("VERSION 1.0 CLASS")
        if is_class:  # drop the VERSION/BEGIN..END header, which the VBE does not store
            end = lines.index("END")
            lines = lines[end + 1:]
            attrs = [ln for ln in lines if ln.startswith("Attribute VB_")]
            if not any(a.startswith("Attribute VB_Base") for a in attrs):
                lines.insert(1, f'Attribute VB_Base = "{_CLASS_BASE}"')
            for extra in ("VB_TemplateDerived", "VB_Customizable"):
                if not any(ln.startswith(f"Attribute {extra}") for ln in lines):
                    last = max(i for i, ln in enumerate(lines) if ln.startswith("Attribute VB_Exposed"))
                    lines.insert(last + 1, f"Attribute {extra} = False")
        body = "\r\n".join(lines)
        m = _NAME.search(body)
        if not m:
            raise ValueError("a VBA module file must start with Attribute VB_Name = \"...\"")
        return Module(m.group(1), kind or (ModuleKind.CLASS if is_class else ModuleKind.STANDARD), body)

    @staticmethod
    def document(name: str, of: str) -> Module:
        """An empty document module (ThisWorkbook, a sheet); ``of`` is "workbook" or "worksheet"."""
        lines = [f'Attribute VB_Name = "{name}"', f'Attribute VB_Base = "{_DOC_BASES[of]}"',
                 "Attribute VB_GlobalNameSpace = False", "Attribute VB_Creatable = False",
                 "Attribute VB_PredeclaredId = True", "Attribute VB_Exposed = True",
                 "Attribute VB_TemplateDerived = False", "Attribute VB_Customizable = True", ""]
        return Module(name, ModuleKind.DOCUMENT, "\r\n".join(lines))


@dataclass(frozen=True)
class Reference:
    """A registered type library reference (REFERENCEREGISTERED)."""

    name: str
    libid: str


STDOLE = Reference("stdole", r"*\G{00020430-0000-0000-C000-000000000046}#2.0#0#"
                   r"C:\Windows\System32\stdole2.tlb#OLE Automation")
OFFICE = Reference("Office", r"*\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#"
                   r"C:\Program Files\Common Files\Microsoft Shared\OFFICE16\MSO.DLL#"
                   "Microsoft Office 16.0 Object Library")

CODEPAGE = 1252


def _rec(rid: int, data: bytes) -> bytes:
    return struct.pack("<HI", rid, len(data)) + data


def _mbcs(text: str) -> bytes:
    return text.encode("cp1252")


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


def dir_stream(project_name: str, modules: Sequence[Module], references: Sequence[Reference]) -> bytes:
    """The decompressed ``VBA/dir`` stream (MS-OVBA 2.3.4.2)."""
    out = bytearray()
    out += _rec(0x0001, struct.pack("<I", 1))  # PROJECTSYSKIND: 32-bit Windows (any works)
    out += _rec(0x0002, struct.pack("<I", 0x409))  # PROJECTLCID
    out += _rec(0x0014, struct.pack("<I", 0x409))  # PROJECTLCIDINVOKE
    out += _rec(0x0003, struct.pack("<H", CODEPAGE))  # PROJECTCODEPAGE
    out += _rec(0x0004, _mbcs(project_name))  # PROJECTNAME
    out += _rec(0x0005, b"") + _rec(0x0040, b"")  # PROJECTDOCSTRING (+ unicode)
    out += _rec(0x0006, b"") + _rec(0x003D, b"")  # PROJECTHELPFILEPATH (1 and 2)
    out += _rec(0x0007, struct.pack("<I", 0))  # PROJECTHELPCONTEXT
    out += _rec(0x0008, struct.pack("<I", 0))  # PROJECTLIBFLAGS
    out += struct.pack("<HIIH", 0x0009, 4, 1, 0)  # PROJECTVERSION (Reserved=4, major, minor)
    out += _rec(0x000C, b"") + _rec(0x003C, b"")  # PROJECTCONSTANTS (+ unicode)
    for ref in references:
        out += _rec(0x0016, _mbcs(ref.name)) + _rec(0x003E, _utf16(ref.name))  # REFERENCENAME
        libid = _mbcs(ref.libid)
        body = struct.pack("<I", len(libid)) + libid + struct.pack("<IH", 0, 0)
        out += _rec(0x000D, body)  # REFERENCEREGISTERED
    out += _rec(0x000F, struct.pack("<H", len(modules)))  # PROJECTMODULES
    out += _rec(0x0013, struct.pack("<H", 0xFFFF))  # PROJECTCOOKIE
    for m in modules:
        out += _rec(0x0019, _mbcs(m.name)) + _rec(0x0047, _utf16(m.name))  # MODULENAME(+UNICODE)
        out += _rec(0x001A, _mbcs(m.name)) + _rec(0x0032, _utf16(m.name))  # MODULESTREAMNAME
        out += _rec(0x001C, b"") + _rec(0x0048, b"")  # MODULEDOCSTRING
        out += _rec(0x0031, struct.pack("<I", 0))  # MODULEOFFSET: source at 0, no p-code
        out += _rec(0x001E, struct.pack("<I", 0))  # MODULEHELPCONTEXT
        out += _rec(0x002C, struct.pack("<H", 0xFFFF))  # MODULECOOKIE
        out += struct.pack("<HI", 0x0021 if m.kind is ModuleKind.STANDARD else 0x0022, 0)  # MODULETYPE
        out += struct.pack("<HI", 0x002B, 0)  # module terminator
    out += struct.pack("<HI", 0x0010, 0)  # dir terminator
    return bytes(out)


def project_stream(project_id: str, project_name: str, modules: Sequence[Module]) -> bytes:
    """The ``PROJECT`` stream (MS-OVBA 2.3.1): module list, name, protection fields."""
    lines = [f'ID="{project_id}"']
    for m in modules:
        lines.append(f"Document={m.name}/&H00000000" if m.kind is ModuleKind.DOCUMENT
                     else f"{m.kind.value}={m.name}")
    lines += [f'Name="{project_name}"', 'HelpContextID="0"', 'VersionCompatible32="393222000"']
    for key, data in (("CMG", b"\x00\x00\x00\x00"), ("DPB", b"\x00"), ("GC", b"\xff")):
        lines.append(f'{key}="{encrypt(project_id, data).hex().upper()}"')
    lines += ["", "[Host Extender Info]", "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000",
              "", "[Workspace]"]
    lines += [f"{m.name}=0, 0, 0, 0, C" for m in modules]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def project_wm(modules: Sequence[Module]) -> bytes:
    out = bytearray()
    for m in modules:
        out += _mbcs(m.name) + b"\x00" + _utf16(m.name) + b"\x00\x00"
    return bytes(out + b"\x00\x00")


def vba_project(project_name: str, modules: Sequence[Module],
                references: Sequence[Reference] = (STDOLE, OFFICE), project_id: str | None = None
                ) -> bytes:
    """A complete vbaProject.bin holding ``modules`` as source for Office to compile."""
    names = [m.name for m in modules]
    if len(set(n.upper() for n in names)) != len(names):
        raise ValueError(f"module names must be unique: {names}")
    pid = project_id or "{" + str(uuid.uuid4()).upper() + "}"
    streams = {
        ("PROJECT",): project_stream(pid, project_name, modules),
        ("PROJECTwm",): project_wm(modules),
        ("VBA", "_VBA_PROJECT"): b"\xcc\x61\xff\xff\x00\x00\x00",
        ("VBA", "dir"): compress(dir_stream(project_name, modules, references)),
    }
    for m in modules:
        streams[("VBA", m.name)] = compress(m.source.encode("cp1252"))
    return compound_file(streams)


# --- MS-CFB version 3 writer ----------------------------------------------------------------

_SECTOR = 512
_MINI = 64
_CUTOFF = 4096
_FREE, _END, _FATSECT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _kids(storage: _Entry) -> list[int]:
    """A storage's children (a stream has None)."""
    assert storage.children is not None, storage.name
    return storage.children


@dataclass
class _Entry:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    data: bytes = b""
    children: list[int] | None = None
    left: int = _NOSTREAM
    right: int = _NOSTREAM
    child: int = _NOSTREAM
    red: bool = False
    start: int = _END
    size: int = 0


def _cfb_key(name: str) -> tuple[int, str]:
    return (len(name), name.upper())


def _tree(entries: list[_Entry], ids: list[int], depth: int = 0, max_depth: int | None = None) -> int:
    """A balanced binary search tree of sibling ids; nodes on an incomplete last level are red."""
    if not ids:
        return _NOSTREAM
    if max_depth is None:
        max_depth = len(ids).bit_length() - 1
        if len(ids) == 2 ** (max_depth + 1) - 1:
            max_depth = -1  # perfect tree: all black
    mid = len(ids) // 2
    node = entries[ids[mid]]
    node.red = depth == max_depth and max_depth > 0
    node.left = _tree(entries, ids[:mid], depth + 1, max_depth)
    node.right = _tree(entries, ids[mid + 1:], depth + 1, max_depth)
    return ids[mid]


def compound_file(streams: dict[tuple[str, ...], bytes]) -> bytes:
    """An MS-CFB v3 file holding ``streams`` (path tuple -> bytes), storages created as needed."""
    entries = [_Entry("Root Entry", 5, children=[])]
    storages: dict[tuple[str, ...], int] = {(): 0}
    for path, data in streams.items():
        for depth in range(1, len(path)):
            key = path[:depth]
            if key not in storages:
                entries.append(_Entry(key[-1], 1, children=[]))
                storages[key] = len(entries) - 1
                _kids(entries[storages[key[:-1]]]).append(storages[key])
        entries.append(_Entry(path[-1], 2, data=data, size=len(data)))
        _kids(entries[storages[path[:-1]]]).append(len(entries) - 1)
    for e in entries:
        if e.children is not None:
            e.child = _tree(entries, sorted(e.children, key=lambda i: _cfb_key(entries[i].name)))

    # mini stream: streams under the cutoff, in 64-byte mini sectors
    mini = bytearray()
    minifat: list[int] = []
    big: list[_Entry] = []
    for e in entries:
        if e.kind != 2:
            continue
        if e.size >= _CUTOFF:
            big.append(e)
            continue
        if e.size == 0:
            e.start = _END
            continue
        n = -(-e.size // _MINI)
        first = len(minifat)
        minifat += [first + i + 1 for i in range(n - 1)] + [_END]
        e.start = first
        mini += e.data + b"\x00" * (n * _MINI - e.size)

    def sectors(nbytes: int) -> int:
        return -(-nbytes // _SECTOR)

    n_dir = sectors(len(entries) * 128)
    n_minifat = sectors(len(minifat) * 4)
    n_mini = sectors(len(mini))
    n_big = [sectors(e.size) for e in big]
    n_data = n_dir + n_minifat + n_mini + sum(n_big)
    n_fat = 1
    while n_fat * 128 < n_data + n_fat:
        n_fat += 1
    if n_fat > 109:
        raise ValueError("vbaProject too large for a header-only DIFAT")

    fat: list[int] = [_FATSECT] * n_fat
    body = bytearray()

    def place(data: bytes, count: int) -> int:
        if count == 0:
            return _END
        first = len(fat)
        fat.extend([first + i + 1 for i in range(count - 1)] + [_END])
        body.extend(data + b"\x00" * (count * _SECTOR - len(data)))
        return first

    dir_start_placeholder = len(fat)
    body_dir_at = len(body)
    place(b"\x00" * (n_dir * _SECTOR), n_dir)  # filled in once every start sector is known
    minifat_start = place(b"".join(struct.pack("<I", v) for v in minifat), n_minifat)
    root = entries[0]
    root.start = place(bytes(mini), n_mini)
    root.size = len(mini) if n_mini else 0
    if not n_mini:
        root.start = _END
    for e, n in zip(big, n_big):
        e.start = place(e.data, n)

    directory = bytearray()
    for e in entries:
        name = _utf16(e.name) + b"\x00\x00"
        directory += name.ljust(64, b"\x00") + struct.pack(
            "<HBBIII16sIQQIQ", len(name), e.kind, 0 if e.red else 1, e.left, e.right,
            e.child if e.children is not None else _NOSTREAM, b"\x00" * 16, 0, 0, 0,
            e.start if (e.kind == 2 or e.kind == 5) else 0, e.size)
    empty = ("".encode("utf-16-le").ljust(64, b"\x00") + struct.pack(
        "<HBBIII16sIQQIQ", 0, 0, 0, _NOSTREAM, _NOSTREAM, _NOSTREAM, b"\x00" * 16, 0, 0, 0, 0, 0))
    while len(directory) < n_dir * _SECTOR:
        directory += empty
    body[body_dir_at:body_dir_at + len(directory)] = directory

    fat += [_FREE] * (n_fat * 128 - len(fat))
    fat_bytes = b"".join(struct.pack("<I", v) for v in fat)
    difat = list(range(n_fat)) + [_FREE] * (109 - n_fat)
    header = (bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 16
              + struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6) + b"\x00" * 6
              + struct.pack("<IIIIIIIII", 0, n_fat, dir_start_placeholder, 0, _CUTOFF,
                            minifat_start if n_minifat else _END, n_minifat, _END, 0)
              + b"".join(struct.pack("<I", v) for v in difat))
    assert len(header) == _SECTOR
    return header + fat_bytes + bytes(body)


__all__ = ["Module", "ModuleKind", "OFFICE", "Reference", "STDOLE", "compound_file", "compress", "decompress",
           "decrypt",
           "dir_stream", "encrypt", "project_stream", "vba_project"]
