"""Follow-up drafts: Outlook through its object model when there, .eml files otherwise."""

from __future__ import annotations

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


class FakeItem:
    def __init__(self, box: list) -> None:
        self.box, self.To, self.CC, self.Subject, self.Body, self.HTMLBody = box, "", "", "", "", ""
        self.attached: list[str] = []
        self.bytes: list[bytes] = []
        self.Attachments = type("A", (), {"Add": lambda _self, p: self.add(p)})()

    def add(self, path: str) -> None:
        """Outlook copies the file into the draft as it is attached."""
        self.attached.append(path)
        self.bytes.append(Path(path).read_bytes())

    def Save(self) -> None:  # noqa: N802 (Outlook's name)
        self.box.append(self)


class FakeOutlook:
    def __init__(self, fail_after: int | None = None) -> None:
        self.drafts: list[FakeItem] = []
        self.fail_after = fail_after

    def CreateItem(self, kind: int) -> FakeItem:  # noqa: N802
        assert kind == 0
        if self.fail_after is not None and len(self.drafts) >= self.fail_after:
            raise OSError("Outlook closed")
        return FakeItem(self.drafts)


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
