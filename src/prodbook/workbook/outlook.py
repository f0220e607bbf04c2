"""Follow-up e-mails as drafts: Outlook drafts on Windows, .eml files everywhere else.

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
"""

from __future__ import annotations

import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Any

from prodbook.workbook.atomic import write_atomic

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


def write_eml(messages: Sequence[EmailMessage], folder: Path) -> list[str]:
    """Each message as an unsent .eml draft in ``folder``, each written whole or not at all; returns
    the paths. Raises ``DraftsStopped`` naming the drafts written and not written."""
    folder = Path(folder)
    out: list[str] = []
    for n, msg in enumerate(messages, 1):
        draft = _copy(msg)
        if "X-Unsent" not in draft:
            draft["X-Unsent"] = "1"
        path = folder / eml_name(msg, n)
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


def outlook_drafts(messages: Sequence[EmailMessage], outlook: Any, folder: Path) -> list[str]:
    """Create one Outlook draft per message through Outlook's object model (``outlook``:
    the ``Outlook.Application`` COM object). Attachments go through ``folder``."""
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
        item.Save()  # saved in Drafts; never sent
        out.append(f"Outlook Drafts: {item.Subject}")
    return out


def _outlook() -> Any | None:
    if not sys.platform.startswith("win"):
        return None
    try:
        import win32com.client  # pywin32, installed with xlwings on Windows
        return win32com.client.Dispatch("Outlook.Application")
    except Exception:  # no Outlook, or it refused: fall back to files
        return None


def send_drafts(messages: list[EmailMessage], folder: Path | str,
                outlook_factory: Callable[[], Any | None] = _outlook) -> list[str]:
    """Put ``messages`` where the APM can review and send them; never sends.

    Args:
        messages: Rendered follow-up e-mails.
        folder: Where .eml files (and Outlook attachments) go.
        outlook_factory: Returns Outlook's COM object, or None when there is none
            (tests pass a fake).

    Returns:
        One line per message: "Outlook Drafts: <subject>", or the .eml file's path.
    """
    if not messages:
        return []
    folder = Path(folder)
    outlook = outlook_factory()
    done: list[str] = []
    if outlook is not None:
        attachments = Path(tempfile.mkdtemp(prefix="prodbook-att-"))
        for msg in messages:
            try:
                done += outlook_drafts([msg], outlook, attachments)
            except Exception:  # Outlook went away mid-way: the rest become files
                break
    try:
        return done + write_eml(messages[len(done):], folder)
    except DraftsStopped as stop:
        raise DraftsStopped(done + stop.done, stop.left, stop.name, stop.cause) from stop.cause


__all__ = ["DraftsStopped", "eml_name", "outlook_drafts", "send_drafts", "write_eml"]
