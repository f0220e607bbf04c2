"""A vendor's WIP report inside a winmail.dat (TNEF: the attachments Outlook packs into one file when it sends
Rich Text), met when the message passed a gateway or was saved by another mail program.

tnefparse only reads TNEF, so the streams are written here by ``tnef_bytes``, per [MS-OXTNEF]: the signature,
a legacy key, then attributes (level, id, length, data, checksum); a file is attAttachRendData, attAttachTitle
(its 8.3 name, in the sender's code page), attAttachData and, optionally, attAttachment holding MAPI
properties (its long name). ``test_the_writer_is_read_back_by_tnefparse`` proves tnefparse reads them.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path

import compressed_rtf
import openpyxl
import pytest
from tnefparse.tnef import TNEF

from conftest import assert_finding
from msgfile import MsgAttachment, MsgMessage, msg_bytes
from prodbook.core.findings import Code, Severity
from prodbook.jobs.runner import run
from prodbook.workbook import mail
from test_mail import BD1_ROW, CN1_ROW, CSV_MIME, csv_bytes, ctx, day, eml, tracker, wip_rows, xlsx_bytes
from test_mail_reports_audit import DHAKA, PASTED, RTF_TABLE, SENT, SIGNATURE, wrapped
from test_wip import tracker_with_lines

TNEF_MIME = ("application", "ms-tnef")

# attribute ids: the type in the high word, the name in the low word ([MS-OXTNEF] 2.1.3.2)
ATT_TNEF_VERSION = 0x0008_9006
ATT_OEM_CODEPAGE = 0x0006_9007
ATT_MESSAGE_CLASS = 0x0007_8008
ATT_SUBJECT = 0x0001_8004
ATT_MAPI_PROPS = 0x0006_9003
ATT_ATTACH_REND_DATA = 0x0006_9002
ATT_ATTACH_TITLE = 0x0001_8010
ATT_ATTACH_DATA = 0x0006_800F
ATT_ATTACHMENT = 0x0006_9005
LEVEL_MESSAGE, LEVEL_ATTACHMENT = 1, 2
PT_LONG, PT_UNICODE, PT_OBJECT, PT_BINARY = 0x0003, 0x001F, 0x000D, 0x0102
PR_ATTACH_METHOD, PR_ATTACH_LONG_FILENAME, PR_RTF_COMPRESSED = 0x3705, 0x3707, 0x1009
PR_ATTACH_DATA_OBJ, PR_DISPLAY_NAME, PR_BODY_HTML = 0x3701, 0x3001, 0x1013
IID_IMESSAGE = bytes.fromhex("0703020000000000c000000000000046")
ATTACH_EMBEDDED_MSG = 5


@dataclass(frozen=True)
class Packed:
    title: bytes
    """The 8.3 name as Outlook writes it, in the sender's code page."""
    data: bytes
    long_name: str | None = None


def attribute(level: int, att_id: int, data: bytes) -> bytes:
    """One attribute: its checksum is the sum of its data's bytes, modulo 65536."""
    return struct.pack("<BII", level, att_id, len(data)) + data + struct.pack("<H", sum(data) & 0xFFFF)


def _padded(data: bytes) -> bytes:
    return data + b"\x00" * (-len(data) % 4)


def mapi_props(*props: tuple[int, int, bytes | str | int]) -> bytes:
    """MAPI properties as attMAPIProps / attAttachment hold them: a count, then type, id and value; a string or
    binary value as one value of its length, padded to four bytes ([MS-OXTNEF] 2.1.3.4)."""
    out = struct.pack("<I", len(props))
    for ptype, pid, value in props:
        out += struct.pack("<HH", ptype, pid)
        if ptype == PT_LONG:
            assert isinstance(value, int)
            out += struct.pack("<i", value)
            continue
        raw = (value + "\x00").encode("utf-16-le") if isinstance(value, str) else bytes(value)
        out += struct.pack("<II", 1, len(raw)) + _padded(raw)
    return out


def tnef_bytes(*files: Packed, codepage: int = 1252, rtf: bytes | None = b"{\\rtf1 Dear team, WIP attached.}",
               subject: str | None = None, html: bytes | None = None) -> bytes:
    """A winmail.dat as Outlook writes it: version, code page, message class (and subject), the message's
    properties (the body as compressed RTF, and as HTML where ``html`` is given), then each file."""
    out = struct.pack("<IH", 0x223E9F78, 0x1234)
    out += attribute(LEVEL_MESSAGE, ATT_TNEF_VERSION, struct.pack("<I", 0x0001_0000))
    out += attribute(LEVEL_MESSAGE, ATT_OEM_CODEPAGE, struct.pack("<II", codepage, 0))
    out += attribute(LEVEL_MESSAGE, ATT_MESSAGE_CLASS, b"IPM.Microsoft Mail.Note\x00")
    if subject is not None:
        out += attribute(LEVEL_MESSAGE, ATT_SUBJECT, subject.encode(f"cp{codepage}") + b"\x00")
    body = [(PT_BINARY, PR_RTF_COMPRESSED, compressed_rtf.compress(rtf))] if rtf is not None else []
    body += [(PT_BINARY, PR_BODY_HTML, html)] if html is not None else []
    if body:
        out += attribute(LEVEL_MESSAGE, ATT_MAPI_PROPS, mapi_props(*body))
    for f in files:
        out += attribute(LEVEL_ATTACHMENT, ATT_ATTACH_REND_DATA, struct.pack("<HIHHI", 1, 0xFFFFFFFF, 32, 32, 1))
        out += attribute(LEVEL_ATTACHMENT, ATT_ATTACH_TITLE, f.title + b"\x00")
        out += attribute(LEVEL_ATTACHMENT, ATT_ATTACH_DATA, f.data)
        props = [(PT_LONG, PR_ATTACH_METHOD, 1)]
        if f.long_name:
            props.append((PT_UNICODE, PR_ATTACH_LONG_FILENAME, f.long_name))
        out += attribute(LEVEL_ATTACHMENT, ATT_ATTACHMENT, mapi_props(*props))
    return out


def two_reports() -> bytes:
    """BD1's report under its long name (an 8.3 title beside it), CN1's under a cp1252 title only."""
    return tnef_bytes(Packed(b"WIP030~1.XLS", xlsx_bytes(BD1_ROW), "WIP 0303 Dhaka Knit.xlsx"),
                      Packed("CN1 WIP – 0303.csv".encode("cp1252"), csv_bytes(CN1_ROW)))


def test_the_writer_is_read_back_by_tnefparse():
    tnef = TNEF(two_reports())
    assert tnef.codepage == "cp1252"
    assert all(o.good_checksum for o in tnef.objects)
    bd1, cn1 = tnef.attachments
    assert bd1.long_filename() == "WIP 0303 Dhaka Knit.xlsx" and bd1.name == "WIP030~1.XLS"
    # the workbook's cells, not its bytes: openpyxl stamps the second it saves, so two builds may differ
    assert _cells(bd1.data) == _cells(xlsx_bytes(BD1_ROW)) and cn1.data == csv_bytes(CN1_ROW)
    assert cn1._name == "CN1 WIP – 0303.csv".encode("cp1252") + b"\x00"  # its .name reads it as UTF-8: mail.py does not
    assert compressed_rtf.decompress(tnef._rtfbody) == b"{\\rtf1 Dear team, WIP attached.}"
    assert TNEF(tnef_bytes()).attachments == [] and TNEF(tnef_bytes()).has_body()


def test_the_reports_in_a_winmail_dat_are_imported_under_their_own_names(tmp_path: Path):
    book = tracker(tmp_path)
    msg = eml(tmp_path / "Mar 3 WIP.eml", ("winmail.dat", two_reports(), TNEF_MIME),
              sender="merch@dhaka-knit.example")
    result = run(book, ["wip"], ctx(msg))
    assert {(r["Vendor"], r["PO #"], r["Source File"]) for r in wip_rows(book)} == {
        ("BD1", "4500000001", "Mar 3 WIP.eml > attachment 'winmail.dat' > 'WIP 0303 Dhaka Knit.xlsx'"),
        ("CN1", "4500000002", "Mar 3 WIP.eml > attachment 'winmail.dat' > 'CN1 WIP – 0303.csv'")}
    assert result.outcomes[0].data["imported"] == 2
    assert not [f for f in result.findings if f.code is Code.WIP_MESSAGE]


def test_a_winmail_dat_is_known_by_its_bytes_whatever_it_is_called(tmp_path: Path):
    """A gateway may rename it ('ATT00001.dat') and send it as plain bytes."""
    book = tracker(tmp_path)
    msg = eml(tmp_path / "m.eml", ("ATT00001.dat", tnef_bytes(Packed(b"REPORT.CSV", csv_bytes(CN1_ROW))),
                                   ("application", "octet-stream")))
    run(book, ["wip"], ctx(msg))
    assert [(r["Vendor"], r["Source File"]) for r in wip_rows(book)] == [
        ("CN1", "m.eml > attachment 'ATT00001.dat' > 'REPORT.CSV'")]


def test_a_winmail_dat_kept_in_a_saved_outlook_message_is_unpacked_too(tmp_path: Path):
    """Outlook keeps it as an attachment when a gateway packed the message before it reached the mailbox."""
    book = tracker(tmp_path)
    m = MsgMessage("WIP wk 9", sender="merch@dhaka-knit.example", sent=datetime(2027, 3, 2, 22, 0),
                   attachments=[MsgAttachment("winmail.dat", two_reports(), "application/ms-tnef")])
    path = tmp_path / "Mar 3 WIP.msg"
    path.write_bytes(msg_bytes(m))
    run(book, ["wip"], ctx(path))
    assert sorted(r["Source File"] for r in wip_rows(book)) == [
        "Mar 3 WIP.msg > attachment 'winmail.dat' > 'CN1 WIP – 0303.csv'",
        "Mar 3 WIP.msg > attachment 'winmail.dat' > 'WIP 0303 Dhaka Knit.xlsx'"]


def test_a_winmail_dat_in_a_forwarded_message_goes_with_that_message(tmp_path: Path):
    inner = EmailMessage()
    inner["From"] = "Ningbo Sales <sales@ningbo.example>"
    inner["Subject"] = "WIP"
    inner["Date"] = "Mon, 01 Mar 2027 17:00:00 +0800"
    inner.set_content("attached")
    inner.add_attachment(tnef_bytes(Packed(b"REPORT.CSV", csv_bytes(CN1_ROW), "CN1 report.csv")),
                         maintype="application", subtype="ms-tnef", filename="winmail.dat")
    book = tracker(tmp_path)
    msg = eml(tmp_path / "Fwd.eml", sender="colleague@retailer.example", inner=inner)
    run(book, ["wip"], ctx(msg))
    (row,) = wip_rows(book)
    assert row["Vendor"] == "CN1" and day(row["Report Date"]) == date(2027, 3, 1)
    assert row["Source File"] == "Fwd.eml > attachment 'WIP.eml' > attachment 'winmail.dat' > 'CN1 report.csv'"


def _one_byte_changed(data: bytes, at: bytes) -> bytes:
    n = data.index(at)
    return data[:n] + b"X" + data[n + 1:]


def test_a_damaged_winmail_dat_is_a_note_and_the_report_beside_it_is_imported(tmp_path: Path):
    book = tracker(tmp_path)
    good = tnef_bytes(Packed(b"BD1WIP.CSV", csv_bytes(BD1_ROW)))
    cases = {"signature only": b"\x78\x9f\x3e\x22",  # the legacy key and every attribute missing
             "cut in its text": good[:good.index(b"IPM.Microsoft") + 30],  # before any file
             "not TNEF": b"this is no winmail.dat at all",
             "file before its start": struct.pack("<IH", 0x223E9F78, 1) + attribute(2, ATT_ATTACH_DATA, b"x" * 20)}
    for name, damaged in cases.items():
        msg = eml(tmp_path / f"{name}.eml", ("winmail.dat", damaged, TNEF_MIME),
                  ("CN1 WIP.csv", csv_bytes(CN1_ROW), CSV_MIME))
        result = run(book, ["wip"], ctx(msg))
        assert f"{name}.eml > attachment 'CN1 WIP.csv'" in [r["Source File"] for r in wip_rows(book)], name
        note = assert_finding(result.findings, Code.WIP_MESSAGE, file=f"{name}.eml")
        assert "'winmail.dat' (Outlook's packed attachments, damaged: " in note.message, name
        assert "ask the sender to send the report again" in note.message
        assert not [f for f in result.findings if f.severity is Severity.ERROR], name


def test_a_winmail_dat_cut_in_a_file_names_that_file_and_keeps_the_whole_ones(tmp_path: Path):
    book = tracker(tmp_path)
    data = tnef_bytes(Packed(b"CN1WIP.CSV", csv_bytes(CN1_ROW)), Packed(b"BD1WIP.CSV", csv_bytes(BD1_ROW)))
    msg = eml(tmp_path / "m.eml", ("winmail.dat", data[:data.index(b"4500000001") + 5], TNEF_MIME))
    result = run(book, ["wip"], ctx(msg))
    assert [r["Source File"] for r in wip_rows(book)] == ["m.eml > attachment 'winmail.dat' > 'CN1WIP.CSV'"]
    note = assert_finding(result.findings, Code.WIP_MESSAGE, file="m.eml")
    assert "'winmail.dat' (Outlook's packed attachments, damaged: it ends part-way, so a file in it may be " \
        "missing" in note.message
    assert "'BD1WIP.CSV' in 'winmail.dat' (damaged on the way: " in note.message


def test_a_file_changed_on_the_way_is_named_and_the_other_files_in_it_are_imported(tmp_path: Path):
    """A changed byte breaks the checksum of that file's data: that file is left, not read as it came."""
    book = tracker(tmp_path)
    data = tnef_bytes(Packed(b"BD1WIP.CSV", csv_bytes(BD1_ROW)), Packed(b"CN1WIP.CSV", csv_bytes(CN1_ROW)))
    msg = eml(tmp_path / "m.eml", ("winmail.dat", _one_byte_changed(data, b"4500000001"), TNEF_MIME))
    result = run(book, ["wip"], ctx(msg))
    assert [r["Source File"] for r in wip_rows(book)] == ["m.eml > attachment 'winmail.dat' > 'CN1WIP.CSV'"]
    note = assert_finding(result.findings, Code.WIP_MESSAGE, file="m.eml")
    assert "'BD1WIP.CSV' in 'winmail.dat' (damaged" in note.message


def test_a_winmail_dat_cut_between_two_files_says_a_file_may_be_missing(tmp_path: Path):
    book = tracker(tmp_path)
    first = tnef_bytes(Packed(b"CN1WIP.CSV", csv_bytes(CN1_ROW)))
    msg = eml(tmp_path / "m.eml", ("winmail.dat", first + struct.pack("<BI", 2, ATT_ATTACH_REND_DATA), TNEF_MIME))
    result = run(book, ["wip"], ctx(msg))
    assert [r["Source File"] for r in wip_rows(book)] == ["m.eml > attachment 'winmail.dat' > 'CN1WIP.CSV'"]
    note = assert_finding(result.findings, Code.WIP_MESSAGE, file="m.eml")
    assert "'winmail.dat' (Outlook's packed attachments, damaged: it ends part-way, so a file in it may be " \
        "missing" in note.message


def test_a_winmail_dat_with_only_the_formatted_text_says_so(tmp_path: Path):
    book = tracker(tmp_path)
    msg = eml(tmp_path / "RE WIP.eml", ("winmail.dat", tnef_bytes(), TNEF_MIME), subject="RE: WIP next week")
    result = run(book, ["wip"], ctx(msg))
    assert wip_rows(book) == []
    note = assert_finding(result.findings, Code.WIP_MESSAGE, file="RE WIP.eml")
    assert "message 'RE: WIP next week' has no WIP report attached" in note.message
    assert "'winmail.dat' (Outlook's packed attachments, with no file in it: only the message's formatted text)" \
        in note.message


def test_files_in_a_winmail_dat_count_against_max_parts(tmp_path: Path):
    book = tracker(tmp_path, config=[["Max Parts", 2]])
    data = tnef_bytes(*(Packed(f"F{n}.CSV".encode(), csv_bytes(CN1_ROW)) for n in range(3)))
    msg = eml(tmp_path / "many.eml", ("winmail.dat", data, TNEF_MIME))
    result = run(book, ["wip"], ctx(msg))
    assert "more than 2 attachments (Max Parts)" in assert_finding(result.findings, Code.WIP_FILE,
                                                                   file="many.eml").message
    assert wip_rows(book) == []


def test_a_message_packed_in_a_winmail_dat_is_named_not_opened(tmp_path: Path):
    """An Outlook item attached to the message: its own TNEF inside the attachment's properties ([MS-OXTNEF]
    2.1.3.4.1). prodbook does not read it (its label could not say where it sits); the note says so."""
    inner = tnef_bytes(Packed(b"CN1WIP.CSV", csv_bytes(CN1_ROW)), subject="FW: WIP wk 9")
    embedded = struct.pack("<IH", 0x223E9F78, 1)
    embedded += attribute(LEVEL_ATTACHMENT, ATT_ATTACH_REND_DATA, struct.pack("<HIHHI", 1, 0xFFFFFFFF, 0, 0, 0))
    embedded += attribute(LEVEL_ATTACHMENT, ATT_ATTACHMENT, mapi_props(
        (PT_LONG, PR_ATTACH_METHOD, ATTACH_EMBEDDED_MSG), (PT_UNICODE, PR_DISPLAY_NAME, "FW: WIP"),
        (PT_OBJECT, PR_ATTACH_DATA_OBJ, IID_IMESSAGE + inner)))
    embedded += tnef_bytes(Packed(b"BD1WIP.CSV", csv_bytes(BD1_ROW)))[6:]
    assert hasattr(TNEF(embedded).attachments[0], "embed")  # tnefparse sees the packed message
    book = tracker(tmp_path)
    result = run(book, ["wip"], ctx(eml(tmp_path / "m.eml", ("winmail.dat", embedded, TNEF_MIME))))
    assert [r["Source File"] for r in wip_rows(book)] == ["m.eml > attachment 'winmail.dat' > 'BD1WIP.CSV'"]
    note = assert_finding(result.findings, Code.WIP_MESSAGE, file="m.eml")
    assert "'FW: WIP wk 9.msg' in 'winmail.dat' (a message packed in it, which prodbook does not open" \
        in note.message


def test_other_files_in_a_winmail_dat_are_named_like_other_attachments(tmp_path: Path):
    book = tracker(tmp_path)
    data = tnef_bytes(Packed(b"IMAGE001.PNG", bytes.fromhex("89504E470D0A1A0A") + b"\x00" * 20),
                      Packed(b"CN1WIP.CSV", csv_bytes(CN1_ROW)))
    msg = eml(tmp_path / "m.eml", ("winmail.dat", data, TNEF_MIME))
    result = run(book, ["wip"], ctx(msg))
    assert len(wip_rows(book)) == 1
    note = assert_finding(result.findings, Code.WIP_MESSAGE, file="m.eml")
    assert "'IMAGE001.PNG' (not a spreadsheet or .csv)" in note.message


def _cells(data: bytes) -> list[tuple[object, ...]]:
    return list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))


# --- a report pasted into the text a winmail.dat carries -----------------------------------------------------

def _tnef_message(folder: Path, kind: str, name: str, body: dict[str, bytes | None]) -> Path:
    """A message with no file attached but a winmail.dat holding its text (``body``: ``tnef_bytes``' rtf and html),
    saved as .eml or as Outlook's .msg; ``fwd``: an .eml forwarding the vendor's .eml as an attachment."""
    packed = tnef_bytes(**body)  # type: ignore[arg-type]
    if kind == "msg":
        path = folder / f"{name}.msg"
        path.write_bytes(msg_bytes(MsgMessage("WIP", sender=DHAKA, sent=datetime(2027, 3, 2, 4, 0), body="",
                                              attachments=[MsgAttachment("winmail.dat", packed,
                                                                         "application/ms-tnef")])))
        return path
    if kind == "fwd":
        inner = EmailMessage()
        inner["From"], inner["Subject"], inner["Date"] = DHAKA, "WIP", SENT
        inner.set_content("")
        inner.add_attachment(packed, maintype="application", subtype="ms-tnef", filename="winmail.dat")
        return eml(folder / f"{name}.eml", sender="colleague@retailer.example", subject="FW: WIP", inner=inner)
    return eml(folder / f"{name}.eml", ("winmail.dat", packed, TNEF_MIME), sender=DHAKA, subject="WIP", sent=SENT)


TNEF_BODIES = {"rich text": {"rtf": RTF_TABLE}, "html in rich text": {"rtf": wrapped(PASTED)},
               "html": {"rtf": None, "html": PASTED.encode()}}


@pytest.mark.parametrize("body", list(TNEF_BODIES))
@pytest.mark.parametrize("kind", ["eml", "msg", "fwd"])
def test_a_report_pasted_into_the_text_of_a_winmail_dat_is_said_as_in_a_plain_message(tmp_path, kind, body):
    """Outlook sending Rich Text packs the message's text into the winmail.dat with the files: a vendor's WIP
    pasted there as a table was only 'no WIP report attached' (a note), while the same table in a plain message's
    text is a warning saying it was not imported and what to do. A signature table there is no report."""
    book = tracker_with_lines(tmp_path)
    pasted = _tnef_message(tmp_path, kind, "WIP 0301", TNEF_BODIES[body])
    signed = _tnef_message(tmp_path, kind, "next week", {"rtf": wrapped(SIGNATURE)})
    result = run(book, ["wip"], ctx(pasted, signed))
    assert wip_rows(book) == []
    said = assert_finding(result.findings, Code.WIP_MESSAGE, file=pasted.name)
    assert said.severity == "warning" and said.found_in == pasted.name
    inside, where = (" in 'WIP.eml'", "the forwarded message 'WIP.eml' in it holds in its text") if kind == "fwd" \
        else ("", "its text holds")
    assert f"no report file attached (attached: 'winmail.dat' (Outlook's packed attachments, with no file in it: " \
        f"only the message's formatted text){inside}), but {where} a table of 3 rows" in said.message
    assert "not imported" in said.message and "copy the table" in said.message
    assert f"  {pasted.name}: no WIP report attached; " + (
        "the forwarded message 'WIP.eml' in it holds a table in its text" if kind == "fwd" else
        "its text holds a table") + ", which is not read (see the warning)" in result.outcomes[0].summary
    other = assert_finding(result.findings, Code.WIP_MESSAGE, file=signed.name)
    assert other.severity == "info" and "table" not in other.message


def test_a_table_both_in_the_mail_s_html_and_in_its_winmail_dat_is_one_table(tmp_path):
    """A gateway that keeps the HTML beside the winmail.dat sends the same text twice: its rows are counted once."""
    m = EmailMessage()
    m["From"], m["Subject"], m["Date"] = DHAKA, "WIP", SENT
    m.set_content("Dear team, our WIP below.")
    m.add_alternative(PASTED, subtype="html")
    m.add_attachment(tnef_bytes(rtf=wrapped(PASTED)), maintype="application", subtype="ms-tnef",
                     filename="winmail.dat")
    path = tmp_path / "WIP 0301.eml"
    path.write_bytes(m.as_bytes())
    assert mail.read_message(path).table_rows == 3


def test_a_damaged_text_in_a_winmail_dat_is_no_table_and_the_files_are_read(tmp_path):
    """Compressed Rich Text that does not unpack: no table is said, the report beside it is imported."""
    data = tnef_bytes(Packed(b"CN1WIP.CSV", csv_bytes(CN1_ROW)), rtf=None)
    props = attribute(LEVEL_MESSAGE, ATT_MAPI_PROPS, mapi_props((PT_BINARY, PR_RTF_COMPRESSED, b"\x01" * 40)))
    start = data.index(struct.pack("<BI", LEVEL_ATTACHMENT, ATT_ATTACH_REND_DATA))
    msg = mail.read_eml(eml(tmp_path / "m.eml", ("winmail.dat", data[:start] + props + data[start:],
                                                 TNEF_MIME)).read_bytes(), "m.eml")
    assert msg.table_rows == 0 and [a.shown for a in msg.attachments] == ["CN1WIP.CSV"]


def test_a_report_pasted_into_a_message_packed_in_a_winmail_dat_is_said(tmp_path):
    """A Rich Text forward packs the vendor's message (an Outlook item) into the winmail.dat: its text, holding
    the pasted WIP, was not looked at. The warning names the packed message; its files stay a note."""
    inner = tnef_bytes(rtf=RTF_TABLE, subject="WIP wk 9")
    packed = struct.pack("<IH", 0x223E9F78, 1)
    packed += attribute(LEVEL_ATTACHMENT, ATT_ATTACH_REND_DATA, struct.pack("<HIHHI", 1, 0xFFFFFFFF, 0, 0, 0))
    packed += attribute(LEVEL_ATTACHMENT, ATT_ATTACHMENT, mapi_props(
        (PT_LONG, PR_ATTACH_METHOD, ATTACH_EMBEDDED_MSG), (PT_UNICODE, PR_DISPLAY_NAME, "WIP wk 9"),
        (PT_OBJECT, PR_ATTACH_DATA_OBJ, IID_IMESSAGE + inner)))
    book = tracker_with_lines(tmp_path)
    msg = eml(tmp_path / "FW WIP.eml", ("winmail.dat", packed, TNEF_MIME), sender="colleague@retailer.example",
              subject="FW: WIP wk 9")
    result = run(book, ["wip"], ctx(msg))
    assert wip_rows(book) == []
    said = assert_finding(result.findings, Code.WIP_MESSAGE, file="FW WIP.eml")
    assert said.severity == "warning"
    assert "but the forwarded message 'winmail.dat > WIP wk 9.msg' in it holds in its text a table of 3 rows" \
        in said.message
    assert "'WIP wk 9.msg' in 'winmail.dat' (a message packed in it, which prodbook does not open" in said.message
