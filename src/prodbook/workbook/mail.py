"""Saved e-mail messages (.eml, Outlook .msg) read into their attachments, sender and date.

Vendors send their weekly WIP reports as attachments; an APM saves the
messages to a folder (or the Outlook button does it for them) and the WIP
import reads each attachment like a file. What the import needs from a
message is here, and nothing is written anywhere: attachments stay in memory
as bytes, with their names made safe to use as a file name (no folders, no
Excel lock-file names, no names too long or repeated), and the message's
sender addresses and date to decide the vendor and the report date when the
attachment itself does not say.

.eml is read with the standard library (``email``, policy=default: RFC 2047
names, base64 / quoted-printable, any charset, CRLF or LF line ends); .msg
with extract-msg. A message attached to a message (a forwarded report) is
read too, to ``MAX_DEPTH`` levels, its own sender and date going with its
attachments. A ``winmail.dat`` (TNEF, the attachments Outlook packs into one
file when it sends Rich Text; met when the message passed a gateway or was
saved by another mail program) is unpacked with tnefparse: the files in it
are attachments of its message like the others, and the text it holds (the
message's own, as HTML or Rich Text) is looked at for a pasted table as the
message's text is.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import io
import mimetypes
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email import message_from_bytes
from email.errors import HeaderParseError
from email.header import decode_header
from email.message import EmailMessage
from email.message import Message as StdMessage
from email.policy import default
from email.utils import collapse_rfc2231_value, getaddresses, parsedate_to_datetime
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

from prodbook.core import followups, headers
from prodbook.core.limits import MB, Limits, reserved_on_windows

MESSAGE_SUFFIXES = (".eml", ".msg")
MAX_DEPTH = 3
"""Messages inside messages read this deep (a forward of a forward); deeper ones are named in a note."""
MAX_NAME = 100
"""Characters kept of an attachment's file name (the extension always stays)."""
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]+')
_OUTLOOK_BODY_PARTS = re.compile(r"^ATT\d{5}\.(txt|htm|html)$", re.I)
"""Body fragments mail programs add as attachments (a footer after an attachment); never a report."""
_MIME_EXT = {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
             "application/vnd.ms-excel.sheet.macroenabled.12": ".xlsm",
             "application/vnd.ms-excel": ".xls", "application/vnd.oasis.opendocument.spreadsheet": ".ods",
             "text/csv": ".csv", "message/rfc822": ".eml", "application/vnd.ms-outlook": ".msg"}


class MailError(Exception):
    """A message that cannot be read; ``str()`` is the sentence for the APM."""


@dataclass(frozen=True)
class Attachment:
    """One attached file, in memory."""

    name: str
    """Safe as a file name, unique within its message: what the import reads it as."""
    shown: str
    """The name as the message gives it (decoded, control characters removed), for findings."""
    data: bytes
    via: tuple[str, ...] = ()
    """Shown names of the attached messages it sits in, outermost first (a forwarded report)."""
    senders: tuple[str, ...] = ()
    """The addresses of the message that carried it (innermost), when not the outer message's."""
    sent: date | None = None
    """That message's date, when not the outer message's."""
    packed: str = ""
    """The shown name of the ``winmail.dat`` it was unpacked from (an attachment of the innermost message of
    ``via``), or ''."""


@dataclass(frozen=True)
class Message:
    """What the WIP import uses of a saved message."""

    file: str
    """The message file's name."""
    subject: str
    senders: tuple[str, ...]
    """Lower-case addresses: From, then Reply-To, then Sender, each once."""
    sent: date | None
    """The day it was sent, in the sender's own time zone (the vendor's 'today')."""
    attachments: tuple[Attachment, ...] = ()
    skipped: tuple[str, ...] = field(default_factory=tuple)
    """Attachments not read, each with why ("'photo.jpg' (not a spreadsheet)")."""
    table_rows: int = 0
    """Rows of the tables in the message's own text (a report pasted into the mail, not attached), counting
    only rows of ``TABLE_CELLS`` cells or more, of a table whose header names WIP columns; 0: none."""
    carried_tables: tuple[tuple[str, int], ...] = ()
    """The messages attached to this one (a forwarded mail, at any depth) whose own text holds such a table:
    each its name ('FW WIP.eml > WIP 0301.eml' for one inside another) and its ``table_rows``."""


def is_message(path: Path) -> bool:
    return Path(path).suffix.lower() in MESSAGE_SUFFIXES


def read_message(path: Path, limits: Limits | None = None) -> Message:
    """A saved .eml or .msg file. Raises ``MailError`` (unreadable, over a size limit)."""
    limits = limits or Limits()
    path = Path(path)
    size = path.stat().st_size
    if size > limits.unpacked_mb * MB:
        raise MailError(f"'{path.name}' is {size / MB:,.0f} MB, more than the {limits.unpacked_mb} MB prodbook "
                        "reads from one file (Max Unpacked MB); save the attachments from the message and "
                        "import them, or raise 'Max Unpacked MB' on the tracker's Config sheet")
    if path.suffix.lower() == ".msg":
        return read_msg(path, limits)
    return read_eml(path.read_bytes(), path.name, limits)


def _unique(message: Message) -> Message:
    """Every attachment of the message (nested ones too) under its own file name: 'WIP (2).xlsx'."""
    taken: set[str] = set()
    named = tuple(dataclasses.replace(a, name=safe_name(a.name, taken)) for a in message.attachments)
    return dataclasses.replace(message, attachments=named)


def label(message: Message, attachment: Attachment) -> str:
    """Where an attachment is, for findings and the Source File column:
    "Mar 3 WIP.msg > attachment 'WIP 0303.xlsx'" (a repeated name shows as 'WIP 0303 (2).xlsx'); a file
    unpacked from a winmail.dat: "Mar 3 WIP.eml > attachment 'winmail.dat' > 'WIP 0303.xlsx'"."""
    steps = [f"attachment '{v}'" for v in attachment.via]
    shown = f"'{shown_in(message, attachment)}'"
    steps += [f"attachment '{attachment.packed}'", shown] if attachment.packed else [f"attachment {shown}"]
    return " > ".join([message.file, *steps])


TABLE_CELLS = 3
"""Cells a row of a table in a message's text has at least, to count as a report's row: a signature laid out in a
table (a logo beside a name) has fewer."""
_TABLE = re.compile(rb"<table[\s>/]", re.I)
_TABLES = ((re.compile(rb"<tr[\s>/]", re.I), re.compile(rb"<t[dh][\s>/]", re.I)),
           (re.compile(rb"\\trowd\b"), re.compile(rb"\\cell\b")))
"""A table's rows and cells in HTML, and in Rich Text (read only where no HTML row is: Outlook wraps an HTML
message's text in Rich Text, with the HTML tags kept and the table also written its own way)."""
_CELL_END = re.compile(rb"</t[dhr]\b|</table\b", re.I)
_MARKUP = re.compile(r"<[^>]*>|\\'[0-9a-fA-F]{2}|\\[a-zA-Z]+-?\d* ?|\\[*~_-]|[{}]")
_QTY_OR_DATE = frozenset({"order_qty", "cut_qty", "sewn_qty", "packed_qty", "planned_xf", "revised_xf"})
"""Fields of which a header names one, beside a PO or a Style column, to be a WIP report's header."""


def _cell_text(raw: bytes) -> str:
    """A cell's words: tags, Rich Text control words and entities taken out."""
    text = _MARKUP.sub(" ", raw.decode("utf-8", "replace"))
    return " ".join(html.unescape(text).split())


def _rows(table: bytes, row: re.Pattern[bytes], cell: re.Pattern[bytes]) -> list[list[str]]:
    """A table's rows, each its cells' words."""
    out = []
    for r in row.split(table)[1:]:
        if cell.pattern.startswith(b"<"):
            starts = [m.start() for m in cell.finditer(r)]
            raws = [_CELL_END.split(r[a:b])[0] for a, b in zip(starts, [*starts[1:], len(r)])]
        else:
            raws = cell.split(r)[:-1]
        out.append([_cell_text(c) for c in raws])
    return out


def _is_wip_header(cells: list[str]) -> bool:
    """A header row that names a PO or a Style column and a quantity or ex-factory one, as a WIP report's
    header is read (``headers.WIP_VOCABULARY``); not prodbook's own follow-up table, quoted in a reply."""
    if tuple(cells[:len(followups.COLUMNS)]) == followups.COLUMNS:
        return False
    found = headers.assign(headers.one_row_cells(cells), headers.WIP_VOCABULARY).found
    return bool(found & {"po", "style"}) and bool(found & _QTY_OR_DATE)


def table_rows(text: bytes) -> int:
    """The rows of ``TABLE_CELLS`` cells or more of the tables in a message's text (HTML, or Rich Text as
    Outlook keeps it) whose header, the first such row, names WIP columns: a signature or disclaimer laid out
    as a table, or prodbook's own follow-up quoted in a reply, is no report. Read as bytes: only tags count."""
    for row, cell in _TABLES:
        if not row.search(text):
            continue
        tables = _TABLE.split(text)[1:] or [text] if row.pattern.startswith(b"<") else [text]
        counted = 0
        for table in tables:
            wide = [r for r in _rows(table, row, cell) if len(r) >= TABLE_CELLS]
            if wide and _is_wip_header(wide[0]):
                counted += len(wide)
        return counted
    return 0


def shown_in(message: Message, attachment: Attachment) -> str:
    """An attachment's name as ``label`` gives it: as the message gives it, or, where another attachment beside it
    has that name too, the name it is read as ('WIP 0303 (2).xlsx')."""
    repeated = sum(a.shown == attachment.shown and a.via == attachment.via and a.packed == attachment.packed
                   for a in message.attachments) > 1
    return attachment.name if repeated else attachment.shown


def is_body_fragment(name: str) -> bool:
    """A part mail programs attach for the text after an attachment ('ATT00001.txt'), never a report."""
    return bool(_OUTLOOK_BODY_PARTS.match(name))


# --- names -------------------------------------------------------------------------------------------

def shown_name(name: str | None) -> str:
    """A name as the message gives it, without control characters, short enough for a message."""
    text = " ".join(re.sub(r"[\x00-\x1f\x7f]+", " ", name or "").split())
    return text if len(text) <= 2 * MAX_NAME else f"{text[:MAX_NAME]}...{text[-20:]}"  # the extension shows


def safe_name(name: str | None, taken: set[str], fallback: str = "attachment") -> str:
    """A file name that is safe to write anywhere: the last part of any path ('03/01' in a date is '03-01'), no
    characters Windows refuses, no leading dots or '~$', at most ``MAX_NAME`` characters, not one of ``taken``
    (case folded; the name is added)."""
    text = re.split(r"[/\\]", re.sub(r"(?<=\d)/(?=\d)", "-", name or ""))[-1]  # a date's '/' is no folder
    text = " ".join(_UNSAFE.sub(" ", text).split()).lstrip(". ~$").rstrip(" .")
    stem, dot, ext = text.rpartition(".")
    if not dot or not stem or len(ext) > 10 or " " in ext:
        stem, ext = text, ""
    ext = f".{ext}" if ext else ""
    stem = (stem or fallback)[:MAX_NAME - len(ext)].rstrip(" .") or fallback
    if reserved_on_windows(f"{stem}{ext}"):
        stem = f"_{stem}"
    out, n = f"{stem}{ext}", 1
    while out.lower() in taken:
        n += 1
        out = f"{stem} ({n}){ext}"
    taken.add(out.lower())
    return out


def with_extension(name: str, mime: str | None, data: bytes = b"") -> str:
    """A name without an extension gets the one its content type says (a spreadsheet sent as 'WIP'), or,
    sent as plain bytes (application/octet-stream, or no type), the one its first bytes show. Digits after a
    dot are no extension ('WIP 2027.03.01', 'WIP v1.2')."""
    if Path(name).suffix and not Path(name).suffix[1:].isdigit():
        return name
    kind = (mime or "").lower()
    ext = _MIME_EXT.get(kind) or (_sniffed(data) if kind in ("", "application/octet-stream") else None) or (
        mimetypes.guess_extension(kind) if kind else None) or ""
    return name + ext


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""A compound file's first bytes: an Excel 97-2003 workbook, an Outlook .msg, a Word .doc alike."""


def _sniffed(data: bytes) -> str | None:
    """The kind of file its bytes show: a zip holding an Excel workbook part or an OpenDocument
    spreadsheet; a compound file holding a workbook stream (.xls) or a message's streams (.msg)."""
    if data.startswith(b"PK\x03\x04"):
        if b"application/vnd.oasis.opendocument.spreadsheet" in data[:200]:
            return ".ods"
        if b"xl/workbook." in data:
            return ".xlsm" if b"xl/vbaProject.bin" in data else ".xlsx"
        return None
    if data.startswith(_OLE):
        if "__substg1.0_".encode("utf-16-le") in data:
            return ".msg"
        if any(n.encode("utf-16-le") + b"\x00\x00" in data for n in ("Workbook", "Book")):
            return ".xls"
    return None


def addresses(*headers: Any) -> tuple[str, ...]:
    """Lower-case e-mail addresses in header values (``'Bo <B@x.com>, c@y.com'``), each once, in order."""
    out: list[str] = []
    for value in headers:
        if value is None:
            continue
        for _, addr in getaddresses([str(value)]):
            addr = addr.strip().lower()
            if "@" in addr and addr not in out:
                out.append(addr)
    return tuple(out)


# --- .eml --------------------------------------------------------------------------------------------

def read_eml(data: bytes, file: str, limits: Limits | None = None) -> Message:
    """An RFC 5322 message (as Outlook, Thunderbird and Apple Mail save it)."""
    limits = limits or Limits()
    try:
        msg = message_from_bytes(data, _class=EmailMessage, policy=default)
        return _unique(_from_eml(msg, file, limits, depth=0))
    except MailError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged message: say so, read the others
        raise MailError(f"'{file}' could not be read as an e-mail message ({exc}); open it in your mail "
                        "program and save it again, or save its attachments and import them") from None


def _from_eml(msg: StdMessage, file: str, limits: Limits, depth: int) -> Message:
    subject = _header_text(msg, "Subject")
    senders = addresses(msg.get("From"), msg.get("Reply-To"), msg.get("Sender"))
    found: list[Attachment] = []
    skipped: list[str] = []
    tables: list[tuple[str, int]] = []
    packed_rows = 0  # the table rows of a winmail.dat's text: the message's own, packed (not added to the HTML's)
    for n, part in enumerate(_eml_attachments(msg), 1):
        raw_name = file_name(part)
        mime = part.get_content_type()
        shown = shown_name(raw_name) or _message_name(part) or f"attachment {n}"
        if mime == "message/rfc822" or (raw_name or "").lower().endswith((".eml", ".msg")):
            more, notes, inner_tables = _carried(partial(_inner_eml, part, shown, limits, depth), shown, limits)
            found += more
            skipped += notes
            tables += inner_tables
            continue
        data = _payload(part)
        if len(data) > limits.part_mb * MB:
            skipped.append(f"'{shown}' ({len(data) / MB:,.0f} MB, over the {limits.part_mb} MB limit, "
                           "Max Part MB)")
            continue
        if _is_tnef(shown, mime, data):
            more, notes, rows, inner_tables = _unpack_tnef(data, shown)
            found += more
            skipped += notes
            packed_rows = max(packed_rows, rows)
            tables += inner_tables
        else:
            found.append(Attachment(safe_name(with_extension(shown, mime, data), set()), shown, data))
        if len(found) > limits.parts:
            raise MailError(f"'{file}' has more than {limits.parts:,} attachments (Max Parts); it was not read")
    own = sum(table_rows(_payload(p)) for p in _html_text(msg))
    return Message(file, subject, senders, _eml_date(msg.get("Date")), tuple(found), tuple(skipped),
                   max(own, packed_rows), tuple(tables))


def file_name(part: StdMessage) -> str | None:
    """A part's file name as the sender wrote it. The standard ``get_filename`` takes a name wholly in angle
    brackets ('<WIP wk9>') for a quoted address and drops them: '<>' is then no name, and the file is lost."""
    missing = object()
    raw = part.get_param("filename", missing, "content-disposition")
    if raw is missing:
        raw = part.get_param("name", missing, "content-type")
    if raw is missing:
        return _raw_name(part)  # none, or one the parser refuses: an encoded word left unquoted
    name = (collapse_rfc2231_value(raw) if isinstance(raw, tuple) else str(raw)).strip()
    return (_raw_name(part) or name) if _MISREAD.search(name) else name


_MISREAD = re.compile("[\ufffd\x80-\x9f]")
"""What the parser gives for bytes its charset has not ('\ufffd'), or for Windows' ’ – € under a Latin-1 label
(C1 control characters, which no name holds)."""


_NAME_CHARSETS = ("utf-8", "gb18030", "big5", "shift_jis", "cp1252")
"""Tried in turn on a name a mail program wrote as raw bytes, after the part's own charset: GBK (in GB18030)
from a Chinese factory's mail program is the one met most."""
_WIDER = {"gb2312": ("gb18030",), "gbk": ("gb18030",), "x-gbk": ("gb18030",), "euc-cn": ("gb18030",),
          "big5": ("cp950", "big5hkscs"), "shift-jis": ("cp932",), "x-sjis": ("cp932",), "euc-kr": ("cp949",),
          "ks-c-5601-1987": ("cp949",), "iso-8859-1": ("cp1252",)}
"""The Windows form a mail program writes under a narrower charset's label: a Chinese name with 喆 labelled
'gb2312' is GBK, one with ① labelled 'shift_jis' is Windows' Shift-JIS (cp932)."""


def _raw_name(part: StdMessage) -> str | None:
    """A file name read from the header as sent, for one the parser misreads (``_MISREAD``) or refuses: written
    as raw 8-bit bytes rather than encoded (some Chinese mail programs send GBK so), or encoded (RFC 2047
    '=?gb2312?B?...?=', quoted or not; RFC 2231 "filename*=gb2312''%C9...") under a charset its bytes do not
    fit. Its bytes are read in the wider form of the charset named, that charset, the part's own, else the
    usual ones."""
    for header, param in (("content-disposition", "filename"), ("content-type", "name")):
        for key, value in part.raw_items():
            if key.lower() != header:
                continue
            text = re.sub(r"\r?\n(?=[ \t])", "", str(value))
            pieces = _param_pieces(text, param)
            if pieces is None:
                continue
            names = [_name_text(data, charset, part.get_content_charset()) for data, charset in pieces]
            if all(n is not None for n in names):
                return "".join(n or "" for n in names).strip()
    return None


def _param_pieces(text: str, param: str) -> list[tuple[bytes, str | None]] | None:
    """A parameter's value in a raw header as bytes, each with the charset it names: RFC 2231 (its
    continuations 'filename*0*=', 'filename*1*=' joined first), else RFC 2047 words or raw bytes."""
    split = sorted((int(m[1] or 0), m[1] is None or bool(m[2]), m[3].strip('"'))
                   for m in re.finditer(rf'\b{param}\*(\d+)?(\*?)\s*=\s*("[^"]*"|[^;\s]+)', text, re.I))
    if split:
        value, charset = "".join(v for _, _, v in split), None  # joined first: a '%E4' cut in two is read too
        if split[0][1] and value.count("'") >= 2:
            charset, _, value = value.split("'", 2)
        data = unquote_to_bytes(value) if any(e for _, e, _ in split) else value.encode("ascii", "surrogateescape")
        return [(data, charset or None)]
    m = re.search(rf'\b{param}\s*=\s*"([^"]*)"', text, re.I) or re.search(rf"\b{param}\s*=\s*([^;\s]+)", text, re.I)
    return _words(m[1]) if m else None


def _words(text: str) -> list[tuple[bytes, str | None]] | None:
    """RFC 2047 words (adjacent ones of one charset joined) and raw bytes, as bytes with the charset named."""
    try:
        words = decode_header(text)
    except HeaderParseError:  # a damaged encoded word: the parser's reading stands
        return None
    return [(w if isinstance(w, bytes) else w.encode("ascii", "surrogateescape"), charset) for w, charset in words]


def _header_text(msg: StdMessage, name: str) -> str:
    """A header's text on one line; read again from its bytes where the parser misread them (a subject in GBK
    labelled 'gb2312')."""
    text = " ".join(str(msg.get(name, "") or "").split())
    raw = next((str(v) for k, v in msg.raw_items() if k.lower() == name.lower()), "")
    pieces = _words(re.sub(r"\r?\n(?=[ \t])", "", raw)) if _MISREAD.search(text) else None
    read = [_name_text(data, charset, None) for data, charset in pieces or []]
    return " ".join("".join(r or "" for r in read).split()) if pieces and None not in read else text


def _name_text(data: bytes, charset: str | None, own: str | None) -> str | None:
    named = (charset or "").lower().replace("_", "-")
    for tried in dict.fromkeys(c for c in (*_WIDER.get(named, ()), charset, own, *_NAME_CHARSETS) if c):
        try:
            return data.decode(tried)
        except (LookupError, UnicodeDecodeError):
            continue
    return None


def _payload(part: StdMessage) -> bytes:
    """A leaf part's content, transfer encoding (base64, quoted-printable) undone."""
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _subparts(part: StdMessage) -> list[StdMessage]:
    """The parts of a multipart, or the message inside a message/rfc822 part."""
    payload = part.get_payload()
    return [p for p in payload if isinstance(p, StdMessage)] if isinstance(payload, list) else []


def _eml_attachments(msg: StdMessage) -> Iterator[StdMessage]:
    """Every part that is a file: named parts, parts sent as attachments, attached messages (not what is inside
    those)."""
    if not msg.is_multipart():
        if file_name(msg):
            yield msg  # a message that is only a file (a factory's ERP mails its report so), 'inline' or not
        return
    yield from _file_parts(_subparts(msg))


def _file_parts(parts: Iterable[StdMessage]) -> Iterator[StdMessage]:
    for part in parts:
        if part.get_content_type() == "message/rfc822":
            yield part
        elif part.is_multipart():
            yield from _file_parts(_subparts(part))
        elif file_name(part) or (part.get_content_disposition() == "attachment"
                                 and part.get_content_type() not in ("text/plain", "text/html")):
            yield part  # a file without a name too ('Part 1.2' in a mail program), not the text of the message


def _html_text(part: StdMessage) -> Iterator[StdMessage]:
    """The HTML parts of a message's own text: not its attachments, nor the messages attached to it."""
    if part.get_content_type() == "message/rfc822":
        return
    if part.is_multipart():
        for sub in _subparts(part):
            yield from _html_text(sub)
    elif (part.get_content_type() == "text/html" and not file_name(part)
          and part.get_content_disposition() != "attachment"):
        yield part


def _message_name(part: StdMessage) -> str:
    """An attached message without a file name is called by its subject, as mail programs show it."""
    if part.get_content_type() != "message/rfc822":
        return ""
    inner = next(iter(_subparts(part)), None)
    subject = shown_name(_header_text(inner, "Subject")) if inner is not None else ""
    return f"{subject}.eml" if subject else ""


def _inner_eml(part: StdMessage, shown: str, limits: Limits, depth: int) -> Message | None:
    if depth + 1 > MAX_DEPTH:
        return None
    if part.get_content_type() == "message/rfc822":
        inner = next(iter(_subparts(part)), None)
        if inner is None:
            return Message(shown, "", (), None)
        if str(part.get("Content-Transfer-Encoding", "")).strip().lower() == "base64" and not inner.keys():
            # RFC 2046 forbids it, yet some mail servers send an attached message so (and Outlook reads it)
            try:
                data = base64.b64decode(str(inner.get_payload()))
            except ValueError:
                raise MailError(f"'{shown}' is damaged") from None
            inner = message_from_bytes(data, _class=EmailMessage, policy=default)
        return _from_eml(inner, shown, limits, depth + 1)
    return _inner_message(_payload(part), shown, limits, depth)


def _inner_message(data: Any, shown: str, limits: Limits, depth: int) -> Message | None:
    """An attached message: an Outlook item (extract-msg's message), or a file ('FW WIP.msg', 'WIP.eml') read
    by its name's kind. None: it is deeper than ``MAX_DEPTH``."""
    if depth + 1 > MAX_DEPTH:
        return None
    if not isinstance(data, bytes):
        return _from_msg(data, shown, limits, depth + 1)
    if shown.lower().endswith(".msg"):
        return _msg_from_bytes(data, shown, limits, depth + 1)
    return _from_eml(message_from_bytes(data, _class=EmailMessage, policy=default), shown, limits, depth + 1)


def _eml_date(value: Any) -> date | None:
    if not value:
        return None
    try:
        when = getattr(value, "datetime", None) or parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        return None
    return when.date() if isinstance(when, datetime) else None


def _carried(read: Callable[[], Message | None], shown: str, limits: Limits
             ) -> tuple[list[Attachment], list[str], list[tuple[str, int]]]:
    """An attached message's attachments (``read`` reads it), the notes on what it leaves, and the tables of
    its text and of the messages it carries in turn (``Message.carried_tables``, named from this one): a
    damaged one is a note, not the end of the message that carries it (the vendor's report may sit beside
    it)."""
    try:
        inner = read()
    except MailError:
        return [], [f"'{shown}' (an attached message that could not be read: save it from the message, open it "
                    "in Outlook or your mail program, and import the report it holds)"], []
    if inner is None:
        return [], [f"'{shown}' (a message attached more than {MAX_DEPTH} deep)"], []
    skipped = [f"{s} in '{shown}'" for s in inner.skipped]
    if not inner.attachments and not inner.skipped:
        skipped.append(f"'{shown}' (an attached message with no attachment)")
    tables = [(shown, inner.table_rows)] if inner.table_rows else []
    tables += [(f"{shown} > {name}", rows) for name, rows in inner.carried_tables]
    return _nested(inner, shown, limits), skipped, tables


def _nested(inner: Message, shown: str, limits: Limits) -> list[Attachment]:
    """An attached message's attachments, carrying where they sit and whom they came from."""
    return [dataclasses.replace(a, via=(shown, *a.via), senders=a.senders or inner.senders,
                                sent=a.sent or inner.sent) for a in inner.attachments]


# --- winmail.dat (TNEF) -------------------------------------------------------------------------------

_TNEF_SIGNATURE = b"\x78\x9f\x3e\x22"
"""A TNEF stream's first bytes: 0x223E9F78, little-endian ([MS-OXTNEF] 2.1.3.1)."""
_TNEF_TYPES = ("application/ms-tnef", "application/vnd.ms-tnef")
_PACKED = "Outlook's packed attachments"
_SEND_AGAIN = "ask the sender to send the report again"
"""Outlook packs attachments so when it sends Rich Text: the README tells the APM to ask for HTML or plain text."""


def _is_tnef(name: str, mime: str | None, data: bytes) -> bool:
    """A winmail.dat: by its first bytes, else by its name or type (then a damaged one is said as one)."""
    return (data.startswith(_TNEF_SIGNATURE) or name.lower() == "winmail.dat"
            or (mime or "").lower() in _TNEF_TYPES)


def _unpack_tnef(data: bytes, shown: str) -> tuple[list[Attachment], list[str], int, list[tuple[str, int]]]:
    """The files in a winmail.dat ([MS-OXTNEF]), each an attachment named as the TNEF names it (its long name
    where there is one), notes on what is left (a damaged stream, one with no file in it: only the message's
    formatted text; a damaged file, a message packed in it), the ``table_rows`` of the message's text it
    holds (a report pasted into a Rich Text mail), and those of the messages packed in it, each named as in
    ``Message.carried_tables`` ('winmail.dat > WIP wk 9.msg'): their files are not opened, their text is."""
    from tnefparse.tnef import TNEF  # loaded when a winmail.dat is met: few messages carry one

    damaged = f"'{shown}' ({_PACKED}, damaged: "
    try:
        tnef = TNEF(data, do_checksum=True)
        files = list(tnef.attachments)
        bad = _damaged_tnef_files(tnef, TNEF.ATTATTACHRENDDATA, TNEF.LVL_ATTACHMENT)
    except Exception:  # noqa: BLE001 - a stream cut short or changed fails in many ways (struct, index, decode)
        return [], [f"{damaged}it could not be unpacked; {_SEND_AGAIN})"], 0, []
    cut = _tnef_cut_off(data)
    rows = _tnef_table_rows(tnef)
    if not files:
        return [], [f"{damaged}it ends part-way; {_SEND_AGAIN})" if cut else
                    f"'{shown}' ({_PACKED}, with no file in it: only the message's formatted text)"], rows, []
    found: list[Attachment] = []
    tables: list[tuple[str, int]] = []
    notes = [f"{damaged}it ends part-way, so a file in it may be missing; {_SEND_AGAIN})"] if cut else []
    for n, packed in enumerate(files):
        name = shown_name(_tnef_file_name(packed, tnef.codepage)) or f"attachment {n + 1}"
        embedded = getattr(packed, "embed", None)  # an attached Outlook item: its own TNEF, read by tnefparse
        if embedded is not None:
            subject = _tnef_subject(embedded, TNEF.ATTSUBJECT)
            name = f"{subject}.msg" if subject else name  # called by its subject, as Outlook shows it
        where = f"'{name}' in '{shown}'"
        body = packed.data if isinstance(packed.data, bytes) else b""
        if embedded is not None or name.lower().endswith((".eml", ".msg")):
            notes.append(f"{where} (a message packed in it, which prodbook does not open: {_SEND_AGAIN})")
            if embedded is not None and (inner_rows := _tnef_table_rows(embedded)):
                tables.append((f"{shown} > {name}", inner_rows))
        elif n in bad:
            notes.append(f"{where} (damaged on the way: {_SEND_AGAIN})")
        elif not body:
            notes.append(f"{where} (a link or an object, not a file)")
        else:  # no bigger than its winmail.dat, which was held to Max Part MB
            found.append(Attachment(safe_name(with_extension(name, None, body), set()), name, body, packed=shown))
    return found, notes, rows, tables


def _tnef_table_rows(tnef: Any) -> int:
    """``table_rows`` of the message's text a winmail.dat holds: its HTML (PR_HTML, which tnefparse gives as text
    where the stream names its code page), else its Rich Text (PR_RTF_COMPRESSED, unpacked by compressed-rtf
    through tnefparse: a Rich Text table, or an HTML message's text wrapped, as in a .msg)."""
    for read in (lambda: tnef.htmlbody, lambda: tnef.rtfbody):
        try:
            text = read()
        except Exception:  # noqa: BLE001 - damaged compressed Rich Text fails in many ways: no table seen
            text = None
        if isinstance(text, str):
            text = text.encode("utf-8")
        if isinstance(text, bytes) and text:
            return table_rows(text)
    return 0


def _damaged_tnef_files(tnef: Any, starts: int, level: int) -> set[int]:
    """The files (by position) with an attribute whose checksum is wrong: cut short or changed on the way.
    tnefparse only logs it; a file starts at its attAttachRendData (``starts``), as tnefparse counts them."""
    bad: set[int] = set()
    n = -1
    for obj in tnef.objects:
        if obj.name == starts:
            n += 1
        if obj.level == level and not obj.good_checksum:
            bad.add(n)
    return bad


def _tnef_cut_off(data: bytes) -> bool:
    """The stream ends inside an attribute (a message cut short on the way), where tnefparse reads what is there
    and says nothing. An attribute is its level (1 byte), id (4), length (4), data, checksum (2)."""
    end = len(data.rstrip(b"\x00"))  # a writer may pad the end with zeros
    at = 6
    while at < end:
        if at + 9 > len(data):
            return True
        at += 11 + int.from_bytes(data[at + 5:at + 9], "little")
    return at > len(data)


def _tnef_subject(embedded: Any, tag: int) -> str:
    """The subject (``tag``: attSubject) of a message packed in a winmail.dat, or ''."""
    props = getattr(embedded, "msgprops", None) or []
    return next((shown_name(p.data) for p in props if p.name == tag and isinstance(p.data, str)), "")


_TNEF_LONG_NAME = 0x3707
"""PidTagAttachLongFilename, in an attachment's attAttachment properties."""


def _tnef_file_name(packed: Any, codepage: str | None) -> str:
    """The long file name where the TNEF has one, else its 8.3 title. tnefparse reads the title's bytes as UTF-8
    (its ``name``), which a title in the sender's Windows code page (cp1252, GBK) is not: read here."""
    for prop in packed.mapi_attrs:
        value = prop.data if prop.name == _TNEF_LONG_NAME else None
        if isinstance(value, str) and value.strip("\x00 "):
            return value.strip("\x00")
    raw = getattr(packed, "_name", b"")
    if isinstance(raw, str):
        return raw.strip("\x00")
    return _name_text(bytes(raw).rstrip(b"\x00"), codepage, None) or ""


# --- .msg --------------------------------------------------------------------------------------------

def read_msg(path: Path, limits: Limits | None = None) -> Message:
    """An Outlook message saved as .msg (an OLE compound file, [MS-OXMSG])."""
    return _unique(_msg_from_bytes(Path(path).read_bytes(), Path(path).name, limits or Limits(), 0))


def _msg_from_bytes(data: bytes, file: str, limits: Limits, depth: int) -> Message:
    import extract_msg  # loaded when a .msg is read: it pulls in an RTF parser and more (about a second)

    if not data.startswith(bytes.fromhex("D0CF11E0A1B11AE1")):
        raise MailError(f"'{file}' is not an Outlook message (.msg) file; open it in Outlook and save it "
                        "again with Save As, type 'Outlook Message Format - Unicode'")
    try:
        msg = extract_msg.openMsg(io.BytesIO(data), strict=False)
    except Exception as exc:  # noqa: BLE001 - extract-msg's errors are many classes
        raise MailError(f"'{file}' could not be read as an Outlook message ({exc}); open it in Outlook and "
                        "save it again, or save its attachments and import them") from None
    try:
        return _from_msg(msg, file, limits, depth)
    except MailError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged stream inside: say so, read the other messages
        raise MailError(f"'{file}' could not be read as an Outlook message ({exc}); open it in Outlook and "
                        "save it again, or save its attachments and import them") from None
    finally:
        msg.close()


def _from_msg(msg: Any, file: str, limits: Limits, depth: int) -> Message:
    header = _msg_header(msg)
    senders = addresses(header.get("From"), header.get("Reply-To"), header.get("Sender"),
                        _stream(msg, "__substg1.0_5D01"), _stream(msg, "__substg1.0_0C1F"),
                        _stream(msg, "__substg1.0_0065"), _stream(msg, "__substg1.0_5D02"))
    sent = _eml_date(header.get("Date")) or _msg_time(msg)
    found: list[Attachment] = []
    skipped: list[str] = []
    tables: list[tuple[str, int]] = []
    packed_rows = 0  # as in ``_from_eml``
    for n, att in enumerate(_msg_attachments(msg), 1):
        raw_name = (getattr(att, "longFilename", None) or getattr(att, "shortFilename", None)
                    or getattr(att, "name", None))
        shown = shown_name(raw_name) or f"attachment {n}"
        try:
            data = att.data
        except Exception:  # noqa: BLE001 - a broken attachment: named in the note, the rest read
            data = None
        if data is not None and not isinstance(data, bytes):  # an attached Outlook message
            if not raw_name:
                subject = shown_name(str(getattr(data, "subject", "") or ""))
                shown = f"{subject}.msg" if subject else shown
            more, notes, inner_tables = _carried(partial(_inner_message, data, shown, limits, depth), shown, limits)
            found += more
            skipped += notes
            tables += inner_tables
            continue
        if data is None:
            skipped.append(f"'{shown}' (a link or an object, not a file)")
            continue
        if len(data) > limits.part_mb * MB:
            skipped.append(f"'{shown}' ({len(data) / MB:,.0f} MB, over the {limits.part_mb} MB limit, "
                           "Max Part MB)")
            continue
        if shown.lower().endswith((".eml", ".msg")):  # a message attached as a file, not as an Outlook item
            more, notes, inner_tables = _carried(partial(_inner_message, data, shown, limits, depth), shown, limits)
            found += more
            skipped += notes
            tables += inner_tables
            continue
        mime = getattr(att, "mimetype", None)
        if _is_tnef(shown, mime, data):  # a message that passed a gateway before Outlook saved it
            more, notes, rows, inner_tables = _unpack_tnef(data, shown)
            found += more
            skipped += notes
            packed_rows = max(packed_rows, rows)
            tables += inner_tables
        else:
            found.append(Attachment(safe_name(with_extension(shown, mime, data), set()), shown, data))
        if len(found) > limits.parts:
            raise MailError(f"'{file}' has more than {limits.parts:,} attachments (Max Parts); it was not read")
    subject = " ".join(str(getattr(msg, "subject", "") or "").split())
    return Message(file, subject, senders, sent, tuple(found), tuple(skipped),
                   max(_msg_table_rows(msg), packed_rows), tuple(tables))


def _msg_table_rows(msg: Any) -> int:
    """``table_rows`` of an Outlook message's text: its HTML (PR_HTML), else its Rich Text, where Outlook keeps
    an HTML message's text wrapped (PR_RTF_COMPRESSED, unpacked by extract-msg)."""
    for read in (partial(msg.getStream, "__substg1.0_10130102"), lambda: msg.rtfBody):
        try:
            text = read()
        except Exception:  # noqa: BLE001 - a missing or damaged text: no table seen
            text = None
        if isinstance(text, bytes) and text:
            return table_rows(text)
    return 0


def _msg_attachments(msg: Any) -> Iterable[Any]:
    try:
        return list(getattr(msg, "attachments", None) or [])
    except Exception as exc:  # noqa: BLE001
        raise MailError(f"the attachments of '{getattr(msg, 'filename', '') or 'the message'}' could not be "
                        f"read ({exc}); save them from Outlook and import them") from None


def _msg_header(msg: Any) -> StdMessage:
    """The Internet headers Outlook kept (From, Reply-To, Date as the vendor's server sent them)."""
    text = _stream(msg, "__substg1.0_007D") or ""
    if text.startswith("Microsoft Mail Internet Headers Version 2.0"):
        text = text[43:].lstrip()
    return message_from_bytes(text.encode("utf-8", "replace"), policy=default)


def _stream(msg: Any, name: str) -> str | None:
    try:
        value = msg.getStringStream(name)
    except Exception:  # noqa: BLE001 - a missing or damaged property: none
        return None
    return value or None


def _msg_time(msg: Any) -> date | None:
    """Sent (client submit) time, else delivery time, for a message without Internet headers. Outlook keeps
    them in UTC; the date is this PC's, as Outlook itself shows it (``outlook.as_email``)."""
    for tag in ("00390040", "0E060040"):
        try:
            value = msg.getPropertyVal(tag)
        except Exception:  # noqa: BLE001
            value = None
        if isinstance(value, datetime):
            return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone().date()
    return None


__all__ = ["Attachment", "MESSAGE_SUFFIXES", "TABLE_CELLS", "MailError", "Message", "addresses", "is_body_fragment",
           "is_message", "label", "read_eml", "read_message", "read_msg", "safe_name", "shown_in", "shown_name",
           "table_rows"]
