"""Follow-up drafts: Outlook through its object model when there, .eml files otherwise."""

from __future__ import annotations

from datetime import datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

from prodbook.workbook.outlook import send_drafts


def message(n: int, attach: bool = False) -> EmailMessage:
    m = EmailMessage()
    m["To"] = f"merch{n}@vendor.example, qa@vendor.example"
    m["Cc"] = "apm@retailer.example"
    m["Subject"] = f"PO 45000000{n}: lab dip approval / 3 items"
    m.set_content(f"Hello,\n\nplease send the lab dips for PO {n}.\n")
    if attach:
        m.add_attachment(b"PO,Style\n1,S1\n", maintype="text", subtype="csv", filename="items.csv")
    return m


class FakeProperty:
    def __init__(self, name: str, value: str = "") -> None:
        self.Name, self.Value = name, value


class FakeProperties:
    """An item's UserProperties: Add(name, type, add_to_folder_fields) and Find(name) (None: Outlook's Nothing)."""

    def __init__(self, **values: str) -> None:
        self.props = [FakeProperty(k.replace("_", " "), v) for k, v in values.items()]
        self.added: list[tuple] = []

    def Add(self, name: str, kind: int, *more: object) -> FakeProperty:  # noqa: N802
        assert kind == 1 and len(name) <= 64 and not set(name) & set("[]_#")  # olText; names Outlook takes
        self.added.append((name, kind, *more))
        self.props.append(FakeProperty(name))
        return self.props[-1]

    def Find(self, name: str) -> FakeProperty | None:  # noqa: N802
        return next((p for p in self.props if p.Name.casefold() == name.casefold()), None)


class FakeItem:
    Class = 43  # olMail

    def __init__(self, box: list, subject: str = "", sent: bool = False, **props: str) -> None:
        self.box, self.To, self.CC, self.Subject, self.Body, self.HTMLBody = box, "", "", subject, "", ""
        self.Sent = sent
        self.attached: list[str] = []
        self.bytes: list[bytes] = []
        self.Attachments = type("A", (), {"Add": lambda _self, p: self.add(p)})()
        self.UserProperties = FakeProperties(**props)
        self.deleted = False
        self.EntryID = f"{id(self):016X}"
        # Outlook sets both when the item is first saved, and LastModificationTime again at each later save
        self.CreationTime: datetime | None = None
        self.LastModificationTime: datetime | None = None

    def add(self, path: str) -> None:
        """Outlook copies the file into the draft as it is attached."""
        self.attached.append(path)
        self.bytes.append(Path(path).read_bytes())

    def Save(self) -> None:  # noqa: N802 (Outlook's name)
        now = datetime.now()
        self.CreationTime = self.CreationTime or now
        self.LastModificationTime = now
        if self not in self.box:
            self.box.append(self)

    def edit(self, minutes: int = 7) -> None:
        """The APM opens the draft, adds a paragraph and a CC, and Outlook saves it some minutes later."""
        self.Body += "\n\nPlease also confirm the trims."
        self.CC += "; qa@retailer.example"
        assert self.CreationTime is not None
        self.LastModificationTime = self.CreationTime + timedelta(minutes=minutes)

    def Delete(self) -> None:  # noqa: N802 - Outlook moves it to Deleted Items
        if getattr(self, "locked", False):
            raise OSError("The item is open in another window")
        self.box.remove(self)
        self.deleted = True


class FakeItems:
    """A folder's Items: 1-based Item(i) and Count, as COM gives them."""

    def __init__(self, box: list) -> None:
        self.box = box

    @property
    def Count(self) -> int:  # noqa: N802
        return len(self.box)

    def Item(self, i: int) -> FakeItem:  # noqa: N802
        return self.box[i - 1]


class FakeOutlook:
    """Outlook.Application: CreateItem, and GetNamespace('MAPI').GetDefaultFolder(16), the Drafts folder, whose
    items are ``drafts`` (a saved item lands there; Delete takes it out)."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.drafts: list[FakeItem] = []
        self.fail_after = fail_after
        self.made = 0

    def CreateItem(self, kind: int) -> FakeItem:  # noqa: N802
        assert kind == 0
        if self.fail_after is not None and self.made >= self.fail_after:
            raise OSError("Outlook closed")
        self.made += 1
        return FakeItem(self.drafts)

    def GetNamespace(self, name: str) -> object:  # noqa: N802
        assert name == "MAPI"
        drafts = self.drafts
        folder = type("Folder", (), {"Items": FakeItems(drafts)})()
        return type("Namespace", (), {"GetDefaultFolder": lambda _self, n: folder if n == 16 else None})()

    def own(self, tracker: str = "", day: str = "", vendor: str = "", subject: str = "", sent: bool = False
            ) -> FakeItem:
        """A draft already in the Drafts folder (the APM's own when it has no tracker)."""
        props = {"Prodbook_Tracker": tracker, "Prodbook_Day": day, "Prodbook_Vendor": vendor} if tracker else {}
        item = FakeItem(self.drafts, subject, sent, **props)
        item.CreationTime = item.LastModificationTime = datetime(2027, 3, 1, 9, 0, 12)
        self.drafts.append(item)
        return item


def test_no_outlook_writes_unsent_eml_files(tmp_path: Path) -> None:
    out = send_drafts([message(1, attach=True), message(2)], tmp_path / "drafts", outlook_factory=lambda: None)
    assert len(out) == 2 and all(p.endswith(".eml") for p in out)
    assert Path(out[0]).name == "001 PO 450000001 lab dip approval 3 items.eml"
    back = message_from_bytes(Path(out[0]).read_bytes(), policy=default)
    assert back["X-Unsent"] == "1" and back["To"].startswith("merch1@")
    assert [a.get_filename() for a in back.iter_attachments()] == ["items.csv"]
    assert send_drafts([], tmp_path / "none") == []


def test_outlook_gets_drafts_never_sent(tmp_path: Path) -> None:
    outlook = FakeOutlook()
    out = send_drafts([message(1, attach=True), message(2)], tmp_path, outlook_factory=lambda: outlook)
    assert out == ["Outlook Drafts: PO 450000001: lab dip approval / 3 items",
                   "Outlook Drafts: PO 450000002: lab dip approval / 3 items"]
    first = outlook.drafts[0]
    assert first.To == "merch1@vendor.example; qa@vendor.example" and first.CC == "apm@retailer.example"
    assert "lab dips for PO 1" in first.Body
    assert first.bytes == [b"PO,Style\n1,S1\n"]
    assert not Path(first.attached[0]).parent.parent.exists()  # the copy on disk, vendor data, is gone
    assert not list(tmp_path.glob("*.eml"))


def test_outlook_failing_midway_leaves_the_rest_as_files(tmp_path: Path) -> None:
    outlook = FakeOutlook(fail_after=1)
    out = send_drafts([message(1), message(2), message(3)], tmp_path, outlook_factory=lambda: outlook)
    assert out[0].startswith("Outlook Drafts:") and len(outlook.drafts) == 1
    assert [Path(p).suffix for p in out[1:]] == [".eml", ".eml"]
    assert "PO 450000002" in Path(out[1]).name


def vendor_message(vendor: str, n: int = 1) -> EmailMessage:
    m = message(n)
    del m["Subject"]
    m["Subject"] = f"{vendor} Ltd: {n} open item to update - 01-Mar-27"
    m["X-Prodbook-Vendor"] = vendor
    return m


def test_a_later_press_the_same_day_replaces_only_this_trackers_unsent_drafts_of_today(tmp_path: Path) -> None:
    """Each press made a new Outlook draft per vendor, so the Drafts folder piled up. Now each draft carries its
    tracker and day, and a later press deletes this tracker's earlier drafts of today: nothing else."""
    from prodbook.workbook.outlook import DraftMark, deliver

    outlook = FakeOutlook()
    mine = DraftMark("a1b2c3d4e5f6a7b8", "2027-03-01")
    apm = outlook.own(subject="BD1 Ltd: my own note")  # the APM's own draft, no prodbook mark
    other = outlook.own("ffffffffffffffff", mine.day, "BD1", "BD1 Ltd: the other tracker's")
    older = outlook.own(mine.tracker, "2027-02-28", "BD1", "BD1 Ltd: yesterday's")
    sent = outlook.own(mine.tracker, mine.day, "BD1", "BD1 Ltd: sent this morning", sent=True)
    first = deliver([vendor_message("BD1"), vendor_message("ZZ9")], tmp_path, lambda: outlook, mark=mine)
    assert first.done == ["Outlook Drafts: BD1 Ltd: 1 open item to update - 01-Mar-27",
                          "Outlook Drafts: ZZ9 Ltd: 1 open item to update - 01-Mar-27"] and not first.removed
    made = outlook.drafts[-2:]
    assert [(p.Name, p.Value) for p in made[0].UserProperties.props] == [
        ("Prodbook Tracker", mine.tracker), ("Prodbook Day", mine.day), ("Prodbook Vendor", "BD1")]
    assert all(a[2] is False for a in made[0].UserProperties.added)  # not added to the Drafts folder's fields
    second = deliver([vendor_message("bd1", 2), vendor_message("CN1")], tmp_path, lambda: outlook, mark=mine)
    assert len(second.done) == 2
    assert [(e.vendor, e.subject) for e in second.removed] == [("BD1", "BD1 Ltd: 1 open item to update - 01-Mar-27"),
                                                               ("ZZ9", "ZZ9 Ltd: 1 open item to update - 01-Mar-27")]
    assert all(i.deleted for i in made) and not any(i.deleted for i in (apm, other, older, sent))
    assert sorted(i.Subject for i in outlook.drafts if i.UserProperties.Find("Prodbook Day")) == [
        "BD1 Ltd: sent this morning", "BD1 Ltd: the other tracker's", "BD1 Ltd: yesterday's",
        "CN1 Ltd: 1 open item to update - 01-Mar-27", "bd1 Ltd: 2 open item to update - 01-Mar-27"]
    assert not list(tmp_path.glob("*.eml"))


def test_an_earlier_draft_is_kept_where_its_vendors_new_one_was_not_made(tmp_path: Path) -> None:
    """Outlook stopped and the folder took no file: the vendor keeps this morning's draft rather than none; a
    draft Outlook will not delete (open in its window) is said, and the others still go."""
    from prodbook.workbook.outlook import DraftMark, DraftsStopped, deliver

    outlook = FakeOutlook()
    mine = DraftMark("a1b2c3d4e5f6a7b8", "2027-03-01")
    bd1 = outlook.own(mine.tracker, mine.day, "BD1", "BD1 morning")
    cn1 = outlook.own(mine.tracker, mine.day, "CN1", "CN1 morning")
    zz9 = outlook.own(mine.tracker, mine.day, "ZZ9", "ZZ9 morning")
    zz9.locked = True
    outlook.fail_after = 1
    got = deliver([vendor_message("BD1"), vendor_message("CN1")], None, lambda: outlook, mark=mine)
    assert len(got.done) == 1 and bd1.deleted and not cn1.deleted and not zz9.deleted
    assert [(e.subject, why) for e, why in got.not_removed] == [("ZZ9 morning", "The item is open in another window")]
    folder = tmp_path / "file"
    folder.write_text("a file where the folder should be")
    outlook.fail_after, outlook.made = 0, 0
    got = deliver([vendor_message("CN1")], folder, lambda: outlook, mark=mine)
    assert isinstance(got.stopped, DraftsStopped) and not got.done and not cn1.deleted


def test_no_outlook_no_drafts_folder_is_asked(tmp_path: Path) -> None:
    from prodbook.workbook.outlook import DraftMark, deliver

    got = deliver([vendor_message("BD1")], tmp_path, lambda: None, mark=DraftMark("a" * 16, "2027-03-01"))
    assert [Path(p).suffix for p in got.done] == [".eml"] and not got.removed


def test_an_earlier_draft_the_apm_edited_is_kept_and_said(tmp_path: Path) -> None:
    """(M1) The APM added a paragraph and a CC to this morning's draft to BD1: a later press keeps it (Deleted
    Items may be emptied when Outlook closes) and says why; the untouched draft to ZZ9 still goes."""
    from prodbook.workbook.outlook import DraftMark, deliver, edited

    outlook = FakeOutlook()
    mine = DraftMark("a1b2c3d4e5f6a7b8", "2027-03-01")
    first = deliver([vendor_message("BD1"), vendor_message("ZZ9")], tmp_path, lambda: outlook, mark=mine)
    bd1, zz9 = outlook.drafts
    assert len(first.done) == 2 and bd1.LastModificationTime - bd1.CreationTime < timedelta(minutes=1)
    bd1.edit()
    second = deliver([vendor_message("BD1", 2), vendor_message("ZZ9", 2)], tmp_path, lambda: outlook, mark=mine)
    assert len(second.done) == 2 and zz9.deleted and not bd1.deleted
    assert bd1 in outlook.drafts and "confirm the trims" in bd1.Body
    assert [e.subject for e in second.removed] == ["ZZ9 Ltd: 1 open item to update - 01-Mar-27"]
    [(kept, why)] = second.not_removed
    assert kept.subject == "BD1 Ltd: 1 open item to update - 01-Mar-27" and kept.edited
    assert "edited" in why and "kept" in why
    assert edited(FakeItem([], "no times")), "an item whose times Outlook would not give is kept, not deleted"
