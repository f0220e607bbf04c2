"""Decompression bombs built inline, fast: a real workbook plus a member of repeated bytes.

1 GB of zeros deflates to about 1 MB. The member is deflated block by block with full flushes, so
one compressed block stands for every repeated MB and a 1 GB bomb is built in well under a second.
The zips are valid (true sizes and CRC): a reader that trusts them inflates all of it.
"""

from __future__ import annotations

import shutil
import struct
import zipfile
import zlib
from pathlib import Path

MB = 1 << 20
ZEROS = bytes(MB)


def _deflate_repeated(head: bytes, block: bytes, count: int, tail: bytes) -> tuple[bytes, int, int]:
    """Raw deflate of head + block * count + tail: (compressed, crc32, size)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    parts = [c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)]
    first = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    assert again == c.compress(block) + c.flush(zlib.Z_FULL_FLUSH), "deflate blocks differ: cannot repeat"
    parts += [first] + [again] * (count - 1)
    parts.append(c.compress(tail) + c.flush())
    crc = zlib.crc32(head)
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    return b"".join(parts), crc, len(head) + len(block) * count + len(tail)


def _append_raw(z: zipfile.ZipFile, name: str, body: bytes, crc: int, size: int) -> None:
    info = zipfile.ZipInfo(name, date_time=(2027, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.file_size, info.compress_size, info.CRC = size, len(body), crc
    z.fp.seek(z.start_dir)
    info.header_offset = z.start_dir
    z.fp.write(info.FileHeader(zip64=size > zipfile.ZIP64_LIMIT))
    z.fp.write(body)
    z.filelist.append(info)
    z.NameToInfo[name] = info
    z.start_dir = z.fp.tell()
    z._didModify = True  # noqa: SLF001


def add_part(src: Path, dst: Path, name: str, mb: int, *, block: bytes = ZEROS) -> Path:
    """``src`` with one more member: ``mb`` MB of ``block`` repeated."""
    shutil.copyfile(src, dst)
    with zipfile.ZipFile(dst, "a") as z:
        _append_raw(z, name, *_deflate_repeated(b"", block, mb, b""))
    return dst


def replace_part(src: Path, dst: Path, name: str, head: bytes, filler: bytes, mb: int, tail: bytes) -> Path:
    """``src`` with member ``name`` rewritten as head + ``mb`` MB of ``filler`` + tail."""
    block = filler * (MB // len(filler))
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename == name:
                _append_raw(zout, name, *_deflate_repeated(head, block, mb, tail))
            else:
                zout.writestr(info, zin.read(info.filename))
    return dst


def lie_about_size(path: Path, name: str, size: int) -> Path:
    """Patch the central directory and local header so member ``name`` declares ``size`` bytes unpacked."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(name)
    assert info.file_size < 0xFFFFFFFF and info.compress_size < 0xFFFFFFFF, "needs a non-zip64 member"
    encoded, pos = name.encode(), 0
    while True:
        pos = data.find(b"PK\x01\x02", pos)
        assert pos >= 0, "central directory record not found"
        n = struct.unpack_from("<H", data, pos + 28)[0]
        if bytes(data[pos + 46:pos + 46 + n]) == encoded:
            break
        pos += 4
    struct.pack_into("<I", data, pos + 24, size)  # central directory: uncompressed size
    struct.pack_into("<I", data, info.header_offset + 22, size)  # local header: uncompressed size
    path.write_bytes(bytes(data))
    return path
