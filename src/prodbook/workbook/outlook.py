"""Outlook: follow-up e-mails as drafts, and vendor WIP messages read from a folder.

Drafts: Outlook drafts on Windows, .eml files everywhere else.

The follow-up job renders the messages (``email.message.EmailMessage``:
To, Cc, Subject, a text body, attachments); this module only delivers them
as drafts, never sends. The one interface:

    send_drafts(messages, folder) -> list[str]

On Windows with Outlook and pywin32, each message becomes a draft in the
user's Outlook Drafts folder (the returned strings say "Outlook Drafts: <subject>").
Otherwise, or if Outlook cannot be reached, each becomes an .eml file in
``folder`` that Outlook, Apple Mail or Thunderbird opens as a message to
send (the returned strings are the file paths). An .eml is marked
``X-Unsent: 1`` so Outlook opens it as a draft, ready to edit and send.

``deliver(..., mark=DraftMark(tracker, day))`` also marks each draft with its
tracker and day (MailItem UserProperties) and, once the new drafts are made,
deletes that tracker's unsent drafts of the same day made by an earlier press
(Outlook moves them to Deleted Items): a draft without the mark (the APM's own),
another tracker's, another day's or a sent one is never touched, nor one the APM
edited since (``edited``: kept and said, as many companies empty Deleted Items
when Outlook closes).

Reading: ``save_wip_messages(namespace, folder_path, since, out, limits)``
copies the mail items of an Outlook folder (the Config sheet's 'WIP Outlook
Folder', received since 'WIP Outlook Days' ago) as .eml files into ``out``, a
temporary folder the caller removes; the WIP import then reads them like
saved messages. Only what the import needs crosses from Outlook: sender and
Reply-To addresses, the sent time, the subject and the attachments.
"""

from __future__ import annotations

import mimetypes
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any

from prodbook.core.followups import OUTLOOK_DRAFTS, draft_vendor, vendor_key
from prodbook.core.limits import MB, Limits
from prodbook.workbook.atomic import write_atomic
from prodbook.workbook.mail import safe_name

_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f]+')


def eml_name(message: EmailMessage, n: int) -> str:
    """A file name from the subject, safe on Windows and macOS, numbered to keep order."""
    subject = " ".join(_UNSAFE.sub(" ", str(message.get("Subject", "") or "follow-up")).split()).strip(" .")[:80]
    return f"{n:03d} {subject or 'follow-up'}.eml"


class DraftsStopped(OSError):
    """Writing the .eml drafts stopped part-way (a full disk...): which were written, which not, and why."""

    def __init__(self, done: list[str], left: list[str], name: str, cause: OSError) -> None:
        super().__init__(cause.errno, cause.strerror)
        self.done, self.left, self.name, self.cause = done, left, name, cause


def write_eml(messages: Sequence[EmailMessage], folder: Path, names: Sequence[str] = ()) -> list[str]:
    """Each message as an unsent .eml draft in ``folder``, each written whole or not at all; returns
    the paths. ``names``: each message's file name (default: numbered, from its subject). Raises
    ``DraftsStopped`` naming the drafts written and not written."""
    folder = Path(folder)
    out: list[str] = []
    for n, msg in enumerate(messages, 1):
        draft = _copy(msg)
        if "X-Unsent" not in draft:
            draft["X-Unsent"] = "1"
        path = folder / (names[n - 1] if len(names) >= n else eml_name(msg, n))
        try:
            write_atomic(path, draft.as_bytes(policy=SMTP))
        except OSError as exc:
            left = [str(m.get("Subject", "")) for m in messages[n - 1:]]
            raise DraftsStopped(out, left, path.name, exc) from exc
        out.append(str(path))
    return out


def _copy(msg: EmailMessage) -> EmailMessage:
    from email import message_from_bytes
    from email.policy import default

    return message_from_bytes(msg.as_bytes(policy=SMTP), _class=EmailMessage, policy=default)


def _recipients(msg: EmailMessage, name: str) -> str:
    """Outlook's 'a@x.com; Bo <b@x.com>' from the parsed header (a comma inside a quoted name stays)."""
    header = msg.get(name)
    found = getattr(header, "addresses", None)
    if found is None:  # a message built with the old policy: plain text
        return "; ".join(a.strip() for a in str(header or "").split(",") if a.strip())
    return "; ".join(str(a) for a in found)


def _body(msg: EmailMessage) -> tuple[str, bool]:
    """(body, is_html): the HTML part when there is one, else the text."""
    part = msg.get_body(preferencelist=("html", "plain"))
    if part is None:
        return "", False
    return part.get_content(), part.get_content_type() == "text/html"


OL_FOLDER_DRAFTS = 16
"""``Namespace.GetDefaultFolder``: olFolderDrafts."""
OL_TEXT = 1
"""``UserProperties.Add``'s type: olText."""
TRACKER_PROPERTY, DAY_PROPERTY, VENDOR_PROPERTY = "Prodbook Tracker", "Prodbook Day", "Prodbook Vendor"
"""The UserProperties a follow-up draft carries in Outlook (an .eml file carries ``followups.TRACKER_HEADER``)."""


@dataclass(frozen=True)
class DraftMark:
    """What each Outlook draft of a run carries, so that a later press of the same day finds it again."""

    tracker: str
    """The tracker's mark (``followups_job.tracker_mark``: a digest of its path, nothing the vendor could read)."""
    day: str
    """The run's day, ISO (2027-03-01): an older day's draft is the APM's to send or delete."""


@dataclass(frozen=True)
class Earlier:
    """A draft an earlier press of the same day made for this tracker, still in Outlook's Drafts folder."""

    item: Any
    vendor: str
    subject: str
    edited: bool = False
    """Changed in Outlook after prodbook made it (``edited``): kept, never deleted."""


EDITED_AFTER = timedelta(minutes=1)
"""prodbook saves a draft once, so an untouched one was last modified within this of its creation."""
EDITED = ("you edited it after prodbook made it, so it was kept rather than moved to Deleted Items, which may "
          "be emptied when Outlook closes; copy your changes into today's new draft first")
"""Why an edited earlier draft is in ``Delivered.not_removed``."""


def edited(item: Any) -> bool:
    """A draft the APM changed after prodbook saved it (a paragraph added, a CC): its LastModificationTime is
    more than ``EDITED_AFTER`` past its CreationTime (MailItem properties). True when Outlook cannot say:
    kept rather than an edit lost."""
    try:
        return bool(abs(item.LastModificationTime - item.CreationTime) > EDITED_AFTER)
    except Exception:  # noqa: BLE001 - a time Outlook would not give: keep the draft
        return True


@dataclass
class Delivered:
    """What ``deliver`` did: the drafts made, and today's earlier drafts deleted or left."""

    done: list[str] = field(default_factory=list)
    """One line per message made: "Outlook Drafts: <subject>", or the .eml file's path."""
    removed: list[Earlier] = field(default_factory=list)
    not_removed: list[tuple[Earlier, str]] = field(default_factory=list)
    """Earlier drafts Outlook would not delete (open in its own window...), each with Outlook's words, and those
    the APM edited (``Earlier.edited``), kept with ``EDITED``."""
    stopped: DraftsStopped | None = None
    """The .eml files stopped part-way (a full disk): ``done`` holds what was made."""


def _property(item: Any, name: str) -> str | None:
    found = item.UserProperties.Find(name)  # None (Outlook's Nothing) on an item without it
    return None if found is None else str(found.Value)


def earlier_drafts(outlook: Any, mark: DraftMark) -> list[Earlier]:
    """This tracker's unsent drafts of ``mark.day`` in Outlook's Drafts folder (never one without the mark)."""
    try:
        items = list(_each(outlook.GetNamespace("MAPI").GetDefaultFolder(OL_FOLDER_DRAFTS).Items))
    except Exception:  # noqa: BLE001 - no Drafts folder to read (a profile without a mailbox): nothing to delete
        return []
    out = []
    for item in items:
        try:
            if getattr(item, "Class", None) != OL_MAIL or getattr(item, "Sent", False):
                continue
            if _property(item, TRACKER_PROPERTY) != mark.tracker or _property(item, DAY_PROPERTY) != mark.day:
                continue
            out.append(Earlier(item, _property(item, VENDOR_PROPERTY) or "", " ".join(str(item.Subject or "").split()),
                               edited(item)))
        except Exception:  # noqa: BLE001 - an item Outlook cannot read out (a corrupt one): not prodbook's to touch
            continue
    return out


def outlook_drafts(messages: Sequence[EmailMessage], outlook: Any, folder: Path,
                   mark: DraftMark | None = None) -> list[str]:
    """Create one Outlook draft per message through Outlook's object model (``outlook``:
    the ``Outlook.Application`` COM object). Attachments go through ``folder``; ``mark``: the UserProperties
    each draft carries (its tracker, day and vendor)."""
    out = []
    for msg in messages:
        item = outlook.CreateItem(0)  # olMailItem
        item.To = _recipients(msg, "To")
        if msg.get("Cc"):
            item.CC = _recipients(msg, "Cc")
        item.Subject = " ".join(str(msg.get("Subject", "")).split())
        body, html = _body(msg)
        if html:
            item.HTMLBody = body
        else:
            item.Body = body
        for k, att in enumerate(msg.iter_attachments(), 1):
            name = _UNSAFE.sub(" ", att.get_filename() or f"attachment {k}")
            Path(folder).mkdir(parents=True, exist_ok=True)
            path = Path(tempfile.mkdtemp(dir=folder)) / name  # one folder each: names can repeat
            payload = att.get_payload(decode=True)  # bytes; None for a multipart part
            path.write_bytes(payload if isinstance(payload, bytes) else b"")
            item.Attachments.Add(str(path))
        if mark is not None:  # not added to the Drafts folder's fields (False): the APM's views stay as they are
            vendor = draft_vendor(msg)
            for name, value in ((TRACKER_PROPERTY, mark.tracker), (DAY_PROPERTY, mark.day), (VENDOR_PROPERTY, vendor)):
                item.UserProperties.Add(name, OL_TEXT, False).Value = value
        item.Save()  # saved in Drafts; never sent
        out.append(f"{OUTLOOK_DRAFTS}{item.Subject}")
    return out


def _outlook() -> Any | None:
    if not sys.platform.startswith("win"):
        return None
    try:
        import win32com.client  # pywin32, installed with xlwings on Windows
        return win32com.client.Dispatch("Outlook.Application")
    except Exception:  # no Outlook, or it refused: fall back to files
        return None


def send_drafts(messages: list[EmailMessage], folder: Path | str | None,
                outlook_factory: Callable[[], Any | None] | None = None, *, names: Sequence[str] = ()) -> list[str]:
    """Put ``messages`` where the APM can review and send them; never sends (``deliver`` without a mark).

    Returns:
        One line per message: "Outlook Drafts: <subject>", or the .eml file's path.

    Raises:
        DraftsStopped: the .eml files stopped part-way.
    """
    got = deliver(messages, folder, outlook_factory, names=names)
    if got.stopped is not None:
        raise got.stopped
    return got.done


def deliver(messages: Sequence[EmailMessage], folder: Path | str | None,
            outlook_factory: Callable[[], Any | None] | None = None, *, names: Sequence[str] = (),
            mark: DraftMark | None = None) -> Delivered:
    """Put ``messages`` where the APM can review and send them; never sends.

    Args:
        messages: Rendered follow-up e-mails (``X-Prodbook-Vendor`` names each one's vendor).
        folder: Where .eml files go when Outlook is not there; None: nowhere (the workbook has no folder),
            so only the messages Outlook took are done.
        outlook_factory: Returns Outlook's COM object, or None when there is none
            (tests pass a stand-in); default: Outlook itself, on Windows.
        names: The .eml file name of each message (``write_eml``), where Outlook does not take it.
        mark: This tracker and day: each Outlook draft carries it, and the drafts an earlier press of the day
            made under it are deleted once the new ones are made (never the draft of a vendor whose new one
            was not made: it keeps the earlier one rather than none; never one the APM edited: it is kept, in
            ``not_removed`` with ``EDITED``). None: nothing is marked or deleted.
    """
    if not messages and mark is None:
        return Delivered()
    outlook = (outlook_factory or _outlook)()
    earlier = earlier_drafts(outlook, mark) if outlook is not None and mark is not None else []
    got = Delivered()
    if outlook is not None:
        # Attachments.Add copies the file into the draft, so the copies on disk (vendor data) go when done
        with tempfile.TemporaryDirectory(prefix="prodbook-att-", ignore_cleanup_errors=True) as attachments:
            for msg in messages:
                try:
                    got.done += outlook_drafts([msg], outlook, Path(attachments), mark)
                except Exception:  # Outlook went away mid-way: the rest become files
                    break
    if folder is not None and len(got.done) < len(messages):
        try:
            got.done += write_eml(messages[len(got.done):], Path(folder), names[len(got.done):])
        except DraftsStopped as stop:
            got.stopped = DraftsStopped(got.done + stop.done, stop.left, stop.name, stop.cause)
            got.done = got.stopped.done
    left = {vendor_key(draft_vendor(m)) for m in messages[len(got.done):]}
    for draft in earlier:
        if vendor_key(draft.vendor) in left:
            continue
        if draft.edited:
            got.not_removed.append((draft, EDITED))
            continue
        try:
            draft.item.Delete()  # Outlook moves it to Deleted Items
        except Exception as exc:  # noqa: BLE001 - open in its own window, or the store refused
            got.not_removed.append((draft, str(exc) or type(exc).__name__))
            continue
        got.removed.append(draft)
    return got


def outlook_app() -> Any | None:
    """Outlook's ``Outlook.Application`` on Windows; None elsewhere, or when Outlook cannot be reached."""
    return _outlook()


# --- reading vendor WIP messages from an Outlook folder ---------------------------------------------

OL_FOLDER_INBOX = 6
OL_MAIL = 43
"""``MailItem.Class``: meeting requests, read receipts and the like are other classes."""
OL_BY_VALUE, OL_EMBEDDED = 1, 5
"""``Attachment.Type``: a file, an attached Outlook item (saved as .msg); links and OLE objects are others."""
MAX_MESSAGES = 500
_SMTP_PROP = "http://schemas.microsoft.com/mapi/proptag/0x5D01001F"
"""PR_SENDER_SMTP_ADDRESS: the sender's Internet address when Outlook shows an Exchange one."""
_HEADERS_PROP = "http://schemas.microsoft.com/mapi/proptag/0x007D001F"
"""PR_TRANSPORT_MESSAGE_HEADERS: the Internet headers as the vendor's server sent them (a .msg keeps them too)."""


class OutlookFolderError(Exception):
    """The folder named on the Config sheet is not in Outlook; ``str()`` says what there is."""


@dataclass
class Fetched:
    """What was copied out of Outlook for the import."""

    folder: str
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Lines for the APM: attachments left (too large, links), messages not read."""


def find_folder(namespace: Any, path: str) -> Any:
    """The Outlook folder ``path`` names: 'Inbox/WIP' (Inbox in any language), 'Vendors/WIP' (beside the
    Inbox), or 'mailbox name/Inbox/WIP'; '\\' works as '/' (Outlook's own folder path)."""
    parts = [p.strip() for p in re.split(r"[/\\]+", path or "") if p.strip()]
    if not parts:
        raise OutlookFolderError("no Outlook folder is named: set 'WIP Outlook Folder' on the Config sheet, "
                                 "for example Inbox/WIP")
    inbox = namespace.GetDefaultFolder(OL_FOLDER_INBOX)
    stores = {str(f.Name).casefold(): f for f in namespace.Folders}
    if parts[0].casefold() in ("inbox", str(inbox.Name).casefold()):
        folder, walked, rest = inbox, [str(inbox.Name)], parts[1:]
    elif parts[0].casefold() in stores:
        folder, walked, rest = stores[parts[0].casefold()], [parts[0]], parts[1:]
    else:  # a folder of the default mailbox, beside the Inbox
        folder, walked, rest = inbox.Parent, [str(inbox.Parent.Name)], parts
    for name in rest:
        children = {str(f.Name).casefold(): f for f in folder.Folders}
        if name.casefold() not in children:
            there = ", ".join(sorted(str(f.Name) for f in folder.Folders)) or "none"
            raise OutlookFolderError(f"Outlook has no folder '{name}' in '{'/'.join(walked)}' (its folders: "
                                     f"{there}); check 'WIP Outlook Folder' on the Config sheet ('{path}')")
        folder = children[name.casefold()]
        walked.append(str(folder.Name))
    return folder


def _naive(when: Any) -> datetime | None:
    """Outlook's times are the PC's local time (pywin32 labels them with a zone; the label is dropped).
    Outlook's 'no date' is 1 January 4501."""
    if not isinstance(when, datetime) or when.year >= 4500:
        return None
    return datetime(when.year, when.month, when.day, when.hour, when.minute, when.second)


def recent_mail(folder: Any, since: datetime, limit: int = MAX_MESSAGES) -> tuple[list[Any], bool]:
    """The folder's mail items received since ``since``, newest first; True when ``limit`` cut the list."""
    items = folder.Items
    items.Sort("[ReceivedTime]", True)
    out: list[Any] = []
    for item in items:
        if getattr(item, "Class", None) != OL_MAIL:
            continue
        received = _naive(getattr(item, "ReceivedTime", None))
        if received is None:
            continue
        if received < since:
            break  # sorted newest first: the rest are older
        if len(out) == limit:
            return out, True
        out.append(item)
    return out, False


def sender_address(item: Any) -> str:
    """The sender's Internet address, also when Outlook shows an Exchange address."""
    addr = str(getattr(item, "SenderEmailAddress", "") or "")
    if "@" in addr:
        return addr
    try:
        found = item.PropertyAccessor.GetProperty(_SMTP_PROP)
    except Exception:  # noqa: BLE001 - not every store has it
        found = ""
    return str(found or addr)


def sent_header(item: Any) -> str | None:
    """The message's Date as the vendor's server wrote it, in the vendor's own time zone: the date the same
    message has when it is saved as .eml or .msg and imported from the file (``mail``), so a report is one
    report either way. None for mail without Internet headers (sent inside the company's Exchange)."""
    try:
        text = str(item.PropertyAccessor.GetProperty(_HEADERS_PROP) or "")
    except Exception:  # noqa: BLE001 - not every store or item has them
        return None
    found = re.search(r"^Date:[ \t]*(.+(?:\r?\n[ \t].+)*)", text, re.MULTILINE | re.IGNORECASE)
    if found is None:
        return None
    value = " ".join(found.group(1).split())
    try:
        parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return value


def as_email(item: Any, work: Path, limits: Limits) -> tuple[EmailMessage, list[str]]:
    """One mail item as a message holding what the WIP import reads, and notes on attachments left."""
    msg = EmailMessage()
    name = str(getattr(item, "SenderName", "") or "").replace('"', "")
    addr = sender_address(item)
    msg["From"] = f'"{name}" <{addr}>' if name and addr else addr or name or "unknown"
    replies = [str(getattr(r, "Address", "") or "") for r in _each(getattr(item, "ReplyRecipients", None))]
    if any("@" in r for r in replies):
        msg["Reply-To"] = ", ".join(r for r in replies if "@" in r)
    subject = " ".join(str(getattr(item, "Subject", "") or "").split())
    msg["Subject"] = subject
    sent = _naive(getattr(item, "SentOn", None)) or _naive(getattr(item, "ReceivedTime", None))
    if (header := sent_header(item)) is not None:
        msg["Date"] = header
    elif sent is not None:
        msg["Date"] = format_datetime(sent.astimezone())
    msg.set_content(f"Copied from Outlook for the WIP import: {subject}")
    try:
        html = item.HTMLBody
    except Exception:  # noqa: BLE001 - COM's errors are not one class; an item without HTML: no table to see
        html = None
    if isinstance(html, str) and html.strip():  # its tables: a report pasted into the mail is said, not lost
        msg.add_alternative(html, subtype="html")
    notes: list[str] = []
    taken: set[str] = set()
    for n, att in enumerate(_each(getattr(item, "Attachments", None)), 1):
        shown = str(getattr(att, "FileName", "") or getattr(att, "DisplayName", "") or f"attachment {n}")
        kind = getattr(att, "Type", OL_BY_VALUE)
        if kind not in (OL_BY_VALUE, OL_EMBEDDED):
            notes.append(f"'{shown}' in '{subject}' (a link or an object, not a file)")
            continue
        size = int(getattr(att, "Size", 0) or 0)
        if size > limits.part_mb * MB:
            notes.append(f"'{shown}' in '{subject}' ({size / MB:,.0f} MB, over the {limits.part_mb} MB limit, "
                         "Max Part MB)")
            continue
        file_name = safe_name(shown if kind == OL_BY_VALUE or shown.lower().endswith(".msg")
                              else f"{shown}.msg", taken)
        target = work / str(n)
        target.mkdir(parents=True, exist_ok=True)
        path = target / file_name
        att.SaveAsFile(str(path))
        data = path.read_bytes()
        path.unlink()
        mime = (mimetypes.guess_type(file_name)[0] or "application/octet-stream").split("/", 1)
        msg.add_attachment(data, maintype=mime[0], subtype=mime[1], filename=shown if kind == OL_BY_VALUE
                           else file_name)
    return msg, notes


def _each(collection: Any) -> Iterable[Any]:
    """Items of an Outlook collection (1-based ``Item(i)``), or of a plain list (the tests' fake)."""
    if collection is None:
        return []
    if isinstance(collection, (list, tuple)):
        return collection
    return [collection.Item(i) for i in range(1, int(collection.Count) + 1)]


def save_wip_messages(namespace: Any, folder_path: str, since: datetime, out: Path,
                      limits: Limits | None = None) -> Fetched:
    """Copy the messages received since ``since`` in the Outlook folder ``folder_path`` into ``out`` as
    .eml files. Raises ``OutlookFolderError`` when the folder is not there."""
    limits = limits or Limits()
    folder = find_folder(namespace, folder_path)
    items, cut = recent_mail(folder, since)
    fetched = Fetched(str(getattr(folder, "FolderPath", "") or folder_path).lstrip("\\"))
    taken: set[str] = set()
    work = out / ".attachments"
    for item in items:
        try:
            msg, notes = as_email(item, work, limits)
        except Exception as exc:  # noqa: BLE001 - one message Outlook cannot hand over: name it, go on
            fetched.notes.append(f"'{getattr(item, 'Subject', '')}' could not be read from Outlook ({exc})")
            continue
        fetched.notes += notes
        when = _naive(getattr(item, "ReceivedTime", None))
        stamp = when.strftime("%Y-%m-%d %H.%M") if when else ""
        path = out / safe_name(f"{stamp} {msg['Subject'] or 'no subject'}.eml", taken)
        path.write_bytes(msg.as_bytes(policy=SMTP))
        fetched.files.append(path)
    if cut:
        fetched.notes.append(f"only the newest {MAX_MESSAGES} messages were read; lower 'WIP Outlook Days' "
                             "on the Config sheet to read fewer at a time")
    return fetched


def outlook_namespace() -> Any | None:
    """Outlook's MAPI namespace on Windows (pywin32 comes with xlwings there); None elsewhere."""
    if not sys.platform.startswith("win"):
        return None
    try:
        import win32com.client
        return win32com.client.Dispatch("Outlook.Application").GetNamespace("MAPI")
    except Exception:  # noqa: BLE001 - no Outlook, or it refused
        return None


__all__ = ["Delivered", "DraftMark", "DraftsStopped", "Earlier", "Fetched", "OutlookFolderError", "as_email",
           "deliver", "earlier_drafts", "eml_name", "find_folder", "outlook_app", "outlook_drafts",
           "outlook_namespace", "recent_mail", "save_wip_messages", "send_drafts", "write_eml"]
