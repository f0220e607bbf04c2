"""A small writer of Outlook .msg files for the tests ([MS-OXMSG] inside an MS-CFB compound file).

extract-msg reads .msg files but cannot write one, and Outlook is not on a
Linux test machine. prodbook already writes compound files for the add-in's
vbaProject.bin (``prodbook.excel.vbaproject.compound_file``); an .msg is the
same container with other streams:

* ``__properties_version1.0``: a header (32 bytes for the message, 24 for an
  embedded message, 8 for a recipient or an attachment), then one 16-byte
  entry per property: tag, flags, and the value (fixed-size types) or the
  byte size (strings, binary);
* ``__substg1.0_IIIITTTT``: the value of each variable-size property (id,
  type in hex), strings in UTF-16-LE;
* ``__recip_version1.0_#0000000N`` / ``__attach_version1.0_#0000000N``:
  one storage per recipient / attachment, with the same layout inside; an
  attached message is the storage ``__substg1.0_3701000D`` of its
  attachment;
* ``__nameid_version1.0``: the named-property map (empty here).

What it writes is proved in ``test_mail.py`` by reading it back with
extract-msg and with olefile.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime

import compressed_rtf

from prodbook.excel.vbaproject import compound_file

PT_LONG, PT_BOOLEAN, PT_SYSTIME, PT_UNICODE, PT_BINARY, PT_OBJECT = 0x0003, 0x000B, 0x0040, 0x001F, 0x0102, 0x000D
_FLAGS = 0x00000006  # readable | writable
_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)


@dataclass
class MsgAttachment:
    name: str
    data: bytes = b""
    mime: str = ""
    message: MsgMessage | None = None
    """An attached Outlook message (attach method 5, embedded) instead of ``data``."""


@dataclass
class MsgMessage:
    subject: str
    sender: str = ""
    sender_name: str = ""
    to: tuple[str, ...] = ("apm@retailer.example",)
    sent: datetime | None = None
    """Client submit time (Outlook keeps it in UTC)."""
    headers: str = ""
    """PR_TRANSPORT_MESSAGE_HEADERS: the Internet headers as received (From, Reply-To, Date...)."""
    body: str = ""
    html: bytes = b""
    """PR_HTML: the message's text as HTML."""
    rtf: bytes = b""
    """PR_RTF_COMPRESSED, given uncompressed: the message's text as Rich Text, where Outlook keeps an HTML
    message's text too (its tags wrapped in ``{\\*\\htmltag <tag>}``)."""
    attachments: list[MsgAttachment] = field(default_factory=list)


def _filetime(when: datetime) -> int:
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return int((when - _FILETIME_EPOCH).total_seconds() * 10_000_000)


def _props(header: bytes, fixed: list[tuple[int, int, bytes]], variable: list[tuple[int, int, bytes]],
           prefix: tuple[str, ...], streams: dict[tuple[str, ...], bytes]) -> None:
    """One property stream plus a stream per variable-size value."""
    body = bytearray(header)
    for pid, ptype, value in fixed:
        body += struct.pack("<II", (pid << 16) | ptype, _FLAGS) + value.ljust(8, b"\x00")
    for pid, ptype, data in variable:
        if ptype == PT_OBJECT:
            body += struct.pack("<IIII", (pid << 16) | ptype, _FLAGS, 0xFFFFFFFF, 0)
            continue
        size = len(data) + (2 if ptype == PT_UNICODE else 0)
        body += struct.pack("<IIII", (pid << 16) | ptype, _FLAGS, size, 0)
        streams[(*prefix, f"__substg1.0_{pid:04X}{ptype:04X}")] = data
    streams[(*prefix, "__properties_version1.0")] = bytes(body)


def _text(s: str) -> bytes:
    return s.encode("utf-16-le")


def _message(msg: MsgMessage, prefix: tuple[str, ...], streams: dict[tuple[str, ...], bytes],
             top: bool) -> None:
    n_recip, n_att = len(msg.to), len(msg.attachments)
    header = struct.pack("<8xIIII", n_recip, n_att, n_recip, n_att) + (b"\x00" * 8 if top else b"")
    fixed = [(0x0E07, PT_LONG, struct.pack("<I", 1)),  # PR_MESSAGE_FLAGS: read, sent
             (0x340D, PT_LONG, struct.pack("<I", 0x00040000))]  # PR_STORE_SUPPORT_MASK: Unicode
    if msg.sent is not None:
        fixed.append((0x0039, PT_SYSTIME, struct.pack("<Q", _filetime(msg.sent))))  # PR_CLIENT_SUBMIT_TIME
        fixed.append((0x0E06, PT_SYSTIME, struct.pack("<Q", _filetime(msg.sent))))  # PR_MESSAGE_DELIVERY_TIME
    variable = [(0x001A, PT_UNICODE, _text("IPM.Note")), (0x0037, PT_UNICODE, _text(msg.subject))]
    if msg.sender:
        variable += [(0x0C1A, PT_UNICODE, _text(msg.sender_name or msg.sender)),
                     (0x0C1E, PT_UNICODE, _text("SMTP")), (0x0C1F, PT_UNICODE, _text(msg.sender)),
                     (0x5D01, PT_UNICODE, _text(msg.sender))]
    if msg.headers:
        variable.append((0x007D, PT_UNICODE, _text(msg.headers)))
    if msg.body:
        variable.append((0x1000, PT_UNICODE, _text(msg.body)))
    if msg.html:
        variable.append((0x1013, PT_BINARY, msg.html))
    if msg.rtf:
        variable.append((0x1009, PT_BINARY, compressed_rtf.compress(msg.rtf)))
    _props(header, fixed, variable, prefix, streams)
    if top:
        for part in ("00020102", "00030102", "00040102"):
            streams[(*prefix, "__nameid_version1.0", f"__substg1.0_{part}")] = b""
    for i, addr in enumerate(msg.to):
        _props(b"\x00" * 8, [(0x3000, PT_LONG, struct.pack("<I", i)), (0x0C15, PT_LONG, struct.pack("<I", 1))],
               [(0x3001, PT_UNICODE, _text(addr)), (0x3002, PT_UNICODE, _text("SMTP")),
                (0x3003, PT_UNICODE, _text(addr)), (0x39FE, PT_UNICODE, _text(addr))],
               (*prefix, f"__recip_version1.0_#{i:08X}"), streams)
    for i, att in enumerate(msg.attachments):
        where = (*prefix, f"__attach_version1.0_#{i:08X}")
        fixed = [(0x0E21, PT_LONG, struct.pack("<I", i)), (0x370B, PT_LONG, struct.pack("<I", 0xFFFFFFFF)),
                 (0x3705, PT_LONG, struct.pack("<I", 5 if att.message else 1))]
        variable = [(0x3001, PT_UNICODE, _text(att.name)), (0x3707, PT_UNICODE, _text(att.name)),
                    (0x3704, PT_UNICODE, _text(att.name[:12]))]
        if att.mime:
            variable.append((0x370E, PT_UNICODE, _text(att.mime)))
        if att.message is not None:
            variable.append((0x3701, PT_OBJECT, b""))
            _message(att.message, (*where, "__substg1.0_3701000D"), streams, top=False)
        else:
            variable.append((0x3701, PT_BINARY, att.data))
        _props(b"\x00" * 8, fixed, variable, where, streams)


def msg_bytes(msg: MsgMessage) -> bytes:
    """The .msg file of ``msg``."""
    streams: dict[tuple[str, ...], bytes] = {}
    _message(msg, (), streams, top=True)
    return compound_file(streams)
