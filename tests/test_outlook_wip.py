"""Import from Outlook...: an Outlook folder's messages through a stand-in for Outlook's object model.

Below the COM layer everything is real: the folder path is resolved over a
fake MAPI namespace, its items filtered by date, each item's attachments
saved by the fake's ``SaveAsFile`` (real .xlsx / .csv bytes), written as
.eml files and imported into a workbook opened as Excel would show it.
"""

from __future__ import annotations

import io
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import base_sheets, write_book
from fakexl import FakeBook
from msgfile import MsgAttachment, MsgMessage, msg_bytes
from prodbook.core.limits import Limits
from prodbook.excel import ribbon
from prodbook.workbook import mail, outlook

HEADER = ["PO #", "Style #", "Color", "Order Qty", "Cut Qty", "Sewn Qty", "Packed Qty"]


def xlsx(*rows: list[Any]) -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(HEADER)
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


class Collection:
    """An Outlook collection: 1-based Item(i) and Count, as COM gives them."""

    def __init__(self, items: list[Any]) -> None:
        self.items = items

    @property
    def Count(self) -> int:  # noqa: N802 (Outlook's names)
        return len(self.items)

    def Item(self, i: int) -> Any:  # noqa: N802
        return self.items[i - 1]


class Att:
    def __init__(self, name: str, data: bytes, kind: int = 1) -> None:
        self.FileName, self.data, self.Type, self.Size = name, data, kind, len(data)
        self.saved_to: str | None = None

    def SaveAsFile(self, path: str) -> None:  # noqa: N802
        self.saved_to = path
        Path(path).write_bytes(self.data)


class Recipient:
    def __init__(self, address: str) -> None:
        self.Address = address


class Accessor:
    def __init__(self, smtp: str, headers: str = "") -> None:
        self.smtp, self.headers = smtp, headers

    def GetProperty(self, tag: str) -> str:  # noqa: N802
        if tag.endswith("0x007D001F"):  # the Internet headers: none on mail sent inside Exchange
            if not self.headers:
                raise RuntimeError("The property ... is unknown or cannot be found.")
            return self.headers
        assert tag.endswith("0x5D01001F")
        return self.smtp


class Item:
    def __init__(self, subject: str, received: datetime, *atts: Att, sender: str = "sales@ningbo.example",
                 name: str = "Ningbo Sales", kind: int = outlook.OL_MAIL, reply_to: tuple[str, ...] = (),
                 smtp: str = "") -> None:
        self.Class, self.Subject, self.ReceivedTime, self.SentOn = kind, subject, received, received
        self.SenderName, self.SenderEmailAddress = name, sender
        self.Attachments = Collection(list(atts))
        self.ReplyRecipients = Collection([Recipient(a) for a in reply_to])
        self.PropertyAccessor = Accessor(smtp)


class Items(list):
    def Sort(self, key: str, descending: bool) -> None:  # noqa: N802
        assert key == "[ReceivedTime]"
        super().sort(key=lambda i: i.ReceivedTime, reverse=descending)


class Folder:
    def __init__(self, name: str, *children: Folder, items: list[Item] | None = None) -> None:
        self.Name, self.Folders, self.Items = name, list(children), Items(items or [])
        self.Parent: Folder | None = None
        for c in children:
            c.Parent = self

    @property
    def FolderPath(self) -> str:  # noqa: N802
        return (self.Parent.FolderPath if self.Parent else "\\") + "\\" + self.Name


class Namespace:
    def __init__(self, *stores: Folder, inbox: Folder) -> None:
        self.Folders, self.inbox = list(stores), inbox

    def GetDefaultFolder(self, kind: int) -> Folder:  # noqa: N802
        assert kind == outlook.OL_FOLDER_INBOX
        return self.inbox


def mailbox(items: list[Item], inbox_name: str = "Inbox") -> Namespace:
    wip = Folder("WIP", items=items)
    inbox = Folder(inbox_name, wip, Folder("Archive"))
    root = Folder("apm@retailer.example", inbox, Folder("Vendors", Folder("WIP 2027")))
    return Namespace(root, Folder("Team mailbox", Folder("Inbox", Folder("WIP"))), inbox=inbox)


# --- the folder ---------------------------------------------------------------------------------

@pytest.mark.parametrize("path, found", [
    ("Inbox/WIP", "\\\\apm@retailer.example\\Inbox\\WIP"), ("inbox\\wip", "\\\\apm@retailer.example\\Inbox\\WIP"),
    ("Vendors/WIP 2027", "\\\\apm@retailer.example\\Vendors\\WIP 2027"),
    ("\\\\apm@retailer.example\\Inbox\\Archive", "\\\\apm@retailer.example\\Inbox\\Archive"),
    ("Team mailbox/Inbox/WIP", "\\\\Team mailbox\\Inbox\\WIP"), ("Inbox", "\\\\apm@retailer.example\\Inbox")])
def test_folder_paths_resolve(path, found):
    assert outlook.find_folder(mailbox([]), path).FolderPath == found


def test_the_inbox_in_another_language_is_still_the_inbox():
    ns = mailbox([], inbox_name="Posteingang")
    assert outlook.find_folder(ns, "Inbox/WIP").Name == "WIP"
    assert outlook.find_folder(ns, "Posteingang/WIP").Name == "WIP"


@pytest.mark.parametrize("path, says", [
    ("Inbox/WIPS", "no folder 'WIPS' in 'Inbox' (its folders: Archive, WIP)"),
    ("Vendors/2027", "no folder '2027' in 'apm@retailer.example/Vendors' (its folders: WIP 2027)"),
    ("Nowhere", "no folder 'Nowhere' in 'apm@retailer.example'"),
    ("  / ", "set 'WIP Outlook Folder' on the Config sheet")])
def test_a_missing_folder_says_what_is_there(path, says):
    with pytest.raises(outlook.OutlookFolderError) as exc:
        outlook.find_folder(mailbox([]), path)
    assert says in str(exc.value)


# --- the messages -----------------------------------------------------------------------------------

def test_only_mail_received_since_the_cutoff_newest_first():
    items = [Item("old", datetime(2027, 2, 20, 9)), Item("new", datetime(2027, 3, 3, 9)),
             Item("meeting", datetime(2027, 3, 2, 9), kind=53), Item("edge", datetime(2027, 2, 26, 0, 0))]
    found, cut = outlook.recent_mail(Folder("WIP", items=items), datetime(2027, 2, 26))
    assert [i.Subject for i in found] == ["new", "edge"] and not cut
    found, cut = outlook.recent_mail(Folder("WIP", items=items), datetime(2027, 2, 1), limit=2)
    assert [i.Subject for i in found] == ["new", "edge"] and cut
    items.append(Item("draft", datetime(4501, 1, 1)))  # Outlook's 'no date': not a received message
    found, cut = outlook.recent_mail(Folder("WIP", items=items), datetime(2027, 2, 1), limit=2)
    assert [i.Subject for i in found] == ["new", "edge"] and cut


def test_an_item_becomes_a_message_with_its_attachments_sender_and_date(tmp_path):
    inner = msg_bytes(MsgMessage("forwarded", sender="li.wei@ningbo.example", sent=datetime(2027, 3, 1),
                                 attachments=[MsgAttachment("inner.csv", b"PO #\r\n")]))
    atts = [Att("WIP 0303.xlsx", xlsx(["4500000002", "S2", "Black", 800, 640, 100, 0])),
            Att("FW WIP", inner, kind=outlook.OL_EMBEDDED), Att("portal", b"", kind=4),
            Att("photos.zip", b"x" * 2_000_000)]
    item = Item("WIP wk 9", datetime(2027, 3, 3, 8, 5), *atts, sender="/O=EXCH/CN=RECIPIENTS/CN=SALES",
                smtp="sales@ningbo.example", reply_to=("merch@ningbo.example",))
    msg, notes = outlook.as_email(item, tmp_path / "work", Limits(part_mb=1))
    assert notes == ["'portal' in 'WIP wk 9' (a link or an object, not a file)",
                     "'photos.zip' in 'WIP wk 9' (2 MB, over the 1 MB limit, Max Part MB)"]
    assert list((tmp_path / "work").rglob("*.*")) == []  # the saved copies are read and removed
    parsed = mail.read_eml(msg.as_bytes(), "m.eml")
    assert parsed.senders == ("sales@ningbo.example", "merch@ningbo.example")
    assert parsed.sent == date(2027, 3, 3) and parsed.subject == "WIP wk 9"
    assert [(a.shown, a.via) for a in parsed.attachments] == [("WIP 0303.xlsx", ()),
                                                              ("inner.csv", ("FW WIP.msg",))]
    assert parsed.attachments[0].data == atts[0].data


@pytest.fixture
def new_york(monkeypatch):
    """This PC's clock in New York (UTC-5 in March), as an APM there has it."""
    if not hasattr(time, "tzset"):
        pytest.skip("the zone of a running Python can be set on Linux and macOS only")
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_one_vendor_message_has_one_date_from_outlook_from_eml_and_from_msg(tmp_path, new_york):
    """Ningbo sends its week-9 WIP at 07:30 on 3 March, China time: 18:30 on 2 March in New York. Until
    2026-12-05 the Outlook button dated it 2 March (the PC's zone), a saved .eml 3 March (the vendor's) and a
    saved .msg 2 March in UTC's terms: one report could land in two report dates. Now the vendor's Date header
    decides wherever it is kept; a message without one is dated as this PC's Outlook shows it."""
    date_line = "Wed, 03 Mar 2027 07:30:00 +0800"
    headers = f"Received: from mx.ningbo.example\r\nFrom: sales@ningbo.example\r\nDate: {date_line}\r\n" \
              "Subject: WIP wk 9\r\n"
    local = datetime(2027, 3, 2, 18, 30)
    item = Item("WIP wk 9", local, Att("WIP.csv", b"PO #\r\n"))
    item.PropertyAccessor = Accessor("", headers)
    msg, _ = outlook.as_email(item, tmp_path / "work", Limits())
    from_outlook = mail.read_eml(msg.as_bytes(), "m.eml").sent
    eml = f"From: sales@ningbo.example\r\nDate: {date_line}\r\nSubject: WIP wk 9\r\n\r\nsee attached\r\n"
    from_eml = mail.read_eml(eml.encode(), "saved.eml").sent
    saved = tmp_path / "saved.msg"
    saved.write_bytes(msg_bytes(MsgMessage("WIP wk 9", sender="sales@ningbo.example", headers=headers,
                                           sent=datetime(2027, 3, 2, 23, 30, tzinfo=UTC))))
    assert from_outlook == from_eml == mail.read_msg(saved).sent == date(2027, 3, 3)

    inside = Item("WIP wk 9", local, Att("WIP.csv", b"PO #\r\n"))  # no Internet headers: the PC's own day
    msg, _ = outlook.as_email(inside, tmp_path / "work2", Limits())
    saved.write_bytes(msg_bytes(MsgMessage("WIP wk 9", sender="sales@ningbo.example",
                                           sent=datetime(2027, 3, 2, 23, 30, tzinfo=UTC))))
    assert mail.read_eml(msg.as_bytes(), "m.eml").sent == mail.read_msg(saved).sent == date(2027, 3, 2)


# --- the button ---------------------------------------------------------------------------------------

def book_with(tmp_path: Path, config: list[list]) -> FakeBook:
    sheets = base_sheets()
    sheets["Config"] = [["Setting", "Value"], *config]
    return FakeBook.from_file(write_book(tmp_path / "tracker.xlsx", sheets))


def vendor_wip(book: FakeBook) -> list[dict]:
    rows = book.values("Vendor WIP")
    return [dict(zip(rows[0], r)) for r in rows[1:] if r[0]]


def test_import_from_outlook_reads_the_folder_into_vendor_wip_and_leaves_no_copies(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temp"))
    (tmp_path / "temp").mkdir()
    book = book_with(tmp_path, [["WIP Outlook Folder", "Inbox/WIP"], ["WIP Outlook Days", 7]])
    items = [Item("WIP wk 9", datetime(2027, 3, 3, 8, 5),
                  Att("weekly.xlsx", xlsx(["4500000002", "S2", "Black", 800, 640, 100, 0])),
                  Att("image001.png", b"\x89PNG")),
             Item("Re: samples", datetime(2027, 3, 2, 8, 0)),
             Item("last month", datetime(2027, 2, 1, 8, 0), Att("old.xlsx", xlsx()))]
    text = ribbon.import_from_outlook(book, namespace_factory=lambda: mailbox(items),
                                      today=date(2027, 3, 5))
    assert text.startswith("Outlook folder 'apm@retailer.example\\Inbox\\WIP': 2 message(s) received since "
                           "2027-02-26."), text
    (row,) = vendor_wip(book)
    assert (row["PO #"], row["Vendor"], row["Cut Qty"]) == ("4500000002", "CN1", 640)
    assert row["Source File"] == "2027-03-03 08.05 WIP wk 9.eml > attachment 'weekly.xlsx'"
    assert row["Report Date"].date() == date(2027, 3, 3)
    issues = book.values("Issues")
    assert any("'Re: samples' has no WIP report attached" in str(c) for r in issues for c in r)
    assert list((tmp_path / "temp").iterdir()) == []


def test_import_from_outlook_without_outlook_says_what_to_do_instead(tmp_path):
    book = book_with(tmp_path, [["WIP Outlook Folder", "Inbox/WIP"]])
    text = ribbon.import_from_outlook(book, namespace_factory=lambda: None)
    assert text == ribbon.NO_OUTLOOK and "Outlook on Windows" in text and "save" in text.lower()
    report = ribbon.perform(ribbon.action("pbImportOutlook"), book)  # on Linux: no Outlook
    assert report.message == ribbon.NO_OUTLOOK


@pytest.mark.parametrize("config, says", [
    ([], "set 'WIP Outlook Folder' (for example Inbox/WIP)"),
    ([["WIP Outlook Folder", "Inbox/Vendors"]], "Outlook has no folder 'Vendors' in 'Inbox' (its folders: "
                                                 "Archive, WIP)"),
    ([["WIP Outlook Folder", "Inbox/WIP"], ["WIP Outlook Days", "a week"]], "'WIP Outlook Days' on the Config "
                                                                             "sheet is 'a week'")])
def test_import_from_outlook_settings_problems_are_plain_messages(tmp_path, config, says):
    book = book_with(tmp_path, config)
    text = ribbon.import_from_outlook(book, namespace_factory=lambda: mailbox([]), today=date(2027, 3, 5))
    assert says in text and "Vendor WIP" not in [s.name for s in book.sheets]


def test_an_empty_folder_imports_nothing(tmp_path):
    book = book_with(tmp_path, [["WIP Outlook Folder", "Inbox/WIP"]])
    text = ribbon.import_from_outlook(book, namespace_factory=lambda: mailbox([]), today=date(2027, 3, 5))
    assert text.endswith("0 message(s) received since 2027-02-26.\nNothing to import.")


def test_the_ribbon_has_the_outlook_button_beside_the_wip_import():
    xml = ribbon.ribbon_xml()
    assert xml.index('id="pbImportWip"') < xml.index('id="pbImportOutlook"') < xml.index('id="pbExceptions"')
