"""Vendors' messages as their mail programs really send them: names and subjects in a charset's wider Windows
form or left unquoted, names with a date's '/' or a dot and no extension, a report that is the whole message or
has no name, messages attached damaged, in base64 or as plain files. Each case here was read wrongly once (its
docstring says how); each builds the message it needs, .eml byte for byte, .msg with ``msgfile``."""

from __future__ import annotations

import base64
import urllib.parse
from datetime import date, datetime
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

import pytest

from conftest import assert_finding
from msgfile import MsgAttachment, MsgMessage, msg_bytes
from prodbook.core.findings import Code
from prodbook.jobs.runner import run
from prodbook.workbook import mail
from test_mail import (
    CN1_ROW,
    CSV_MIME,
    XLSX_MIME,
    csv_bytes,
    ctx,
    day,
    eml,
    ningbo_message,
    tracker,
    wip_rows,
    xlsx_bytes,
)


def raw_eml(path: Path, disposition: str, content_type: str, data: bytes) -> Path:
    """A message typed out as a vendor's mail program writes it, the attachment's headers exactly as given."""
    path.write_bytes(
        b"From: sales@ningbo.example\r\nTo: apm@retailer.example\r\nSubject: WIP\r\n"
        b"Date: Wed, 03 Mar 2027 10:00:00 +0800\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nWIP attached\r\n'
        b"--b1\r\nContent-Type: " + content_type.encode() + b"\r\nContent-Disposition: " + disposition.encode()
        + b"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(data) + b"--b1--\r\n")
    return path


def encoded_word(text: str, codec: str, label: str) -> str:
    return f"=?{label}?B?{base64.b64encode(text.encode(codec)).decode()}?="


# 喆 is GBK, not GB2312; ① and ～ are Windows' Shift-JIS (cp932); 恒 is Windows' Big5 (cp950): mail programs
# label such names with the narrower charset, and the standard parser then gives '\ufffd's
WIDER = [("生产进度喆.csv", "gbk", "gb2312"), ("生産進捗①～.csv", "cp932", "shift_jis"),
         ("進度表恒.csv", "cp950", "big5")]


@pytest.mark.parametrize(("name", "codec", "label"), WIDER)
def test_a_name_encoded_rfc2047_in_a_narrower_charset_reads_in_its_wider_form(tmp_path, name, codec, label):
    """The name came back as the raw '=?gb2312?B?...?=' (its report called '= gb2312 B yfqy... =.bin')."""
    path = raw_eml(tmp_path / "m.eml", f'attachment; filename="{encoded_word(name, codec, label)}"',
                   "application/octet-stream", csv_bytes(CN1_ROW))
    (att,) = mail.read_message(path).attachments
    assert (att.shown, att.name) == (name, name)


@pytest.mark.parametrize(("name", "codec", "label"), WIDER)
def test_a_name_encoded_rfc2231_in_a_narrower_charset_reads_in_its_wider_form(tmp_path, name, codec, label):
    """The name came back with '\ufffd's for the characters outside the narrower charset."""
    data = name.encode(codec)
    head, tail = urllib.parse.quote(data[:5]), urllib.parse.quote(data[5:])  # split inside a character
    path = raw_eml(tmp_path / "m.eml", f"attachment;\r\n filename*0*={label}''{head};\r\n filename*1*={tail}",
                   "application/octet-stream", csv_bytes(CN1_ROW))
    (att,) = mail.read_message(path).attachments
    assert (att.shown, att.name) == (name, name)


def test_a_gbk_name_split_over_two_encoded_words_mid_character_reads_as_chinese(tmp_path):
    data = "生产进度喆.csv".encode("gbk")
    words = "\r\n ".join(f"=?gb2312?B?{base64.b64encode(p).decode()}?=" for p in (data[:9], data[9:]))
    path = raw_eml(tmp_path / "m.eml", f'attachment; filename="{words}"', "text/csv", csv_bytes(CN1_ROW))
    (att,) = mail.read_message(path).attachments
    assert att.shown == "生产进度喆.csv"


def test_a_csv_report_named_in_gbk_labelled_gb2312_is_imported(tmp_path):
    """Sent as application/octet-stream, the report was left as "not a spreadsheet or .csv": nothing imported."""
    book = tracker(tmp_path)
    msg = raw_eml(tmp_path / "Mar 3.eml", f'attachment; filename="{encoded_word("生产进度喆.csv", "gbk", "gb2312")}"',
                  "application/octet-stream", csv_bytes(CN1_ROW))
    run(book, ["wip"], ctx(msg))
    (row,) = wip_rows(book)
    assert (row["Vendor"], row["Source File"]) == ("CN1", "Mar 3.eml > attachment '生产进度喆.csv'")


def test_a_damaged_message_attached_beside_a_report_leaves_the_report_imported(tmp_path):
    """One unreadable attached .msg made the whole message unreadable: its report was lost, and the error named
    the attached 'Fw WIP.msg' as if it were a file the APM had chosen."""
    book = tracker(tmp_path)
    msg = eml(tmp_path / "Mar 3.eml", ("report.csv", csv_bytes(CN1_ROW), CSV_MIME),
              ("Fw WIP.msg", b"not an outlook message", ("application", "vnd.ms-outlook")))
    result = run(book, ["wip"], ctx(msg))
    (row,) = wip_rows(book)
    assert row["Source File"] == "Mar 3.eml > attachment 'report.csv'"
    note = assert_finding(result.findings, Code.WIP_MESSAGE, file="Mar 3.eml")
    assert "'Fw WIP.msg' (" in note.message and "could not be read" in note.message


def test_a_message_saved_as_a_file_and_attached_to_an_outlook_message_is_read(tmp_path):
    """A .msg attached as a plain file (Outlook on the web, a Mac), not as an Outlook item, was left as "not a
    spreadsheet or .csv", the vendor's report inside it unread."""
    book = tracker(tmp_path)
    vendor = MsgMessage("WIP wk 9", sender="sales@ningbo.example", sent=datetime(2027, 3, 1, 9, 0),
                        attachments=[MsgAttachment("report.csv", csv_bytes(CN1_ROW))])
    fwd = tmp_path / "Fwd.msg"
    fwd.write_bytes(msg_bytes(MsgMessage("FW: WIP", sender="colleague@retailer.example",
                                         sent=datetime(2027, 3, 4, 9, 0),
                                         attachments=[MsgAttachment("WIP wk 9.msg", msg_bytes(vendor))])))
    run(book, ["wip"], ctx(fwd))
    (row,) = wip_rows(book)
    assert (row["Vendor"], row["Source File"]) == ("CN1", "Fwd.msg > attachment 'WIP wk 9.msg' > attachment "
                                                          "'report.csv'")


def test_what_a_message_attached_to_an_outlook_message_leaves_is_named(tmp_path):
    """An .eml attached to a .msg lost its notes: what it left was not named, and a .msg whose only attachment
    was such a message was said to have "no attachment"."""
    carried = EmailMessage()
    carried["Subject"] = "thanks"
    carried.set_content("no file here")
    inner = EmailMessage()
    inner["From"] = "sales@ningbo.example"
    inner["Subject"] = "WIP"
    inner.set_content("see below")
    inner.add_attachment(carried)
    fwd = tmp_path / "Fwd.msg"
    fwd.write_bytes(msg_bytes(MsgMessage("FW: WIP", sender="colleague@retailer.example", attachments=[
        MsgAttachment("WIP.eml", inner.as_bytes(policy=SMTP)), MsgAttachment("empty.eml", b"Subject: hi\r\n\r\n")])))
    assert mail.read_message(fwd).skipped == ("'thanks.eml' (an attached message with no attachment) in 'WIP.eml'",
                                              "'empty.eml' (an attached message with no attachment)")


def test_a_forwarded_message_attached_in_base64_is_read(tmp_path):
    """Some mail servers send an attached message base64-encoded (RFC 2046 forbids it, Outlook reads it): it was
    read as a message with no attachment, and the vendor's report inside was lost."""
    book = tracker(tmp_path)
    inner = ningbo_message()
    fwd = tmp_path / "Fwd.eml"
    fwd.write_bytes(
        b"From: colleague@retailer.example\r\nSubject: FW: WIP\r\nDate: Thu, 04 Mar 2027 09:00:00 +0800\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/plain'
        b'\r\n\r\nsee attached\r\n--b1\r\nContent-Type: message/rfc822; name="WIP.eml"\r\nContent-Disposition: '
        b'attachment; filename="WIP.eml"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        + base64.encodebytes(inner.as_bytes(policy=SMTP)) + b"--b1--\r\n")
    run(book, ["wip"], ctx(fwd))
    (row,) = wip_rows(book)
    assert (row["Vendor"], row["Source File"]) == ("CN1", "Fwd.eml > attachment 'WIP.eml' > attachment 'report.csv'")
    assert day(row["Report Date"]) == date(2027, 3, 1)  # the vendor's message's own date


@pytest.mark.parametrize("disposition", ["", "Content-Disposition: inline; filename=\"WIP 0303.csv\"\r\n"])
def test_a_message_that_is_only_the_report_is_imported(tmp_path, disposition):
    """A factory's ERP system mails the report as the whole message (one part, no text), without saying
    'attachment' (Apple Mail says 'inline'): the message was "no attachment" and the report was lost."""
    book = tracker(tmp_path)
    msg = tmp_path / "ERP.eml"
    msg.write_bytes(b"From: erp@ningbo.example\r\nReply-To: sales@ningbo.example\r\nSubject: WIP report\r\n"
                    b"Date: Wed, 03 Mar 2027 10:00:00 +0800\r\nMIME-Version: 1.0\r\n"
                    b'Content-Type: text/csv; name="WIP 0303.csv"\r\n' + disposition.encode()
                    + b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(csv_bytes(CN1_ROW)))
    run(book, ["wip"], ctx(msg))
    (row,) = wip_rows(book)
    assert (row["Vendor"], row["Source File"]) == ("CN1", "ERP.eml > attachment 'WIP 0303.csv'")


def test_a_name_sent_as_an_unquoted_encoded_word_is_read(tmp_path):
    """'filename==?UTF-8?B?...?=' (left unquoted by some mail programs) is refused by the standard parser: the
    attachment was not seen at all, and the message was said to have "no attachment"."""
    book = tracker(tmp_path)
    msg = raw_eml(tmp_path / "m.eml", f"attachment; filename={encoded_word('生产进度 CN1.csv', 'utf-8', 'UTF-8')}",
                  "text/csv", csv_bytes(CN1_ROW))
    run(book, ["wip"], ctx(msg))
    (row,) = wip_rows(book)
    assert row["Source File"] == "m.eml > attachment '生产进度 CN1.csv'"


def test_a_name_labelled_latin_1_with_windows_punctuation_reads_as_windows_wrote_it(tmp_path):
    """Windows' ’ and – (cp1252) under an 'iso-8859-1' label came out as invisible control characters."""
    name = encoded_word("Vendor’s WIP – wk9.csv", "cp1252", "iso-8859-1")
    path = raw_eml(tmp_path / "m.eml", f'attachment; filename="{name}"', "text/csv", csv_bytes(CN1_ROW))
    (att,) = mail.read_message(path).attachments
    assert att.shown == "Vendor’s WIP – wk9.csv"


def test_a_date_written_with_slashes_in_an_attachment_name_keeps_the_vendor_and_the_date(tmp_path):
    """'CN1 WIP 2027/03/01.csv' (an ERP's name; no file on a PC can carry '/') was read as the file '01.csv': the
    vendor code and the report date in its name were lost, and the report took the day the mail was sent."""
    book = tracker(tmp_path)
    msg = eml(tmp_path / "Fwd.eml", ("CN1 WIP 2027/03/01.csv", csv_bytes(CN1_ROW), CSV_MIME),
              sender="colleague@retailer.example", sent="Thu, 04 Mar 2027 09:00:00 +0800")
    run(book, ["wip"], ctx(msg))
    (row,) = wip_rows(book)
    assert (row["Vendor"], day(row["Report Date"])) == ("CN1", date(2027, 3, 1))
    assert row["Source File"] == "Fwd.eml > attachment 'CN1 WIP 2027/03/01.csv'"


@pytest.mark.parametrize(("name", "mime"), [("CN1 WIP 2027.03.01", XLSX_MIME), ("CN1 WIP v1.2", CSV_MIME)])
def test_a_report_named_without_an_extension_but_with_a_dot_is_read(tmp_path, name, mime):
    """A name without an extension got the one its type says ('WIP' -> 'WIP.xlsx'), but not a name with a dot in
    it: '.2027' or '.2' was taken for its extension, and the report was left as "not a spreadsheet or .csv"."""
    book = tracker(tmp_path)
    data = xlsx_bytes(CN1_ROW) if mime == XLSX_MIME else csv_bytes(CN1_ROW)
    msg = eml(tmp_path / "m.eml", (name, data, mime), sender="colleague@retailer.example")
    run(book, ["wip"], ctx(msg))
    (row,) = wip_rows(book)
    assert (row["Vendor"], row["Source File"]) == ("CN1", f"m.eml > attachment '{name}'")


def test_a_subject_in_gbk_labelled_gb2312_reads_as_chinese_in_the_notes(tmp_path):
    """The note on a message without a report named it '生产进度��' (and an attached message so called had
    that name in the Source File column)."""
    book = tracker(tmp_path)
    msg = tmp_path / "m.eml"
    msg.write_bytes(b"From: sales@ningbo.example\r\nSubject: " + encoded_word("生产进度喆", "gbk", "gb2312").encode()
                    + b"\r\nDate: Wed, 03 Mar 2027 10:00:00 +0800\r\nContent-Type: text/plain\r\n\r\nhello\r\n")
    result = run(book, ["wip"], ctx(msg))
    note = assert_finding(result.findings, Code.WIP_MESSAGE, file="m.eml")
    assert "message '生产进度喆' has no WIP report attached" in note.message


def test_a_damaged_base64_message_attached_beside_a_report_is_a_note(tmp_path):
    """Guards the base64 reading above: a cut-off attached message is named, the report beside it imported."""
    book = tracker(tmp_path)
    fwd = tmp_path / "Fwd.eml"
    fwd.write_bytes(
        b"From: sales@ningbo.example\r\nSubject: WIP\r\nDate: Thu, 04 Mar 2027 09:00:00 +0800\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/csv; name="report.csv"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(csv_bytes(CN1_ROW))
        + b'--b1\r\nContent-Type: message/rfc822; name="old.eml"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        b"RnJvbTogc2Fs\r\nZX\r\n--b1--\r\n")
    result = run(book, ["wip"], ctx(fwd))
    (row,) = wip_rows(book)
    assert row["Source File"] == "Fwd.eml > attachment 'report.csv'"
    assert "'old.eml' (an attached message that could not be read" in assert_finding(
        result.findings, Code.WIP_MESSAGE, file="Fwd.eml").message


def test_a_report_attached_without_any_name_is_read(tmp_path):
    """A part sent as 'attachment' with a spreadsheet type but no name at all (mail programs show it as 'Part 1.2')
    was not seen: the message was said to have "no attachment", and the report was lost."""
    book = tracker(tmp_path)
    msg = raw_eml(tmp_path / "m.eml", "attachment", XLSX_MIME[0] + "/" + XLSX_MIME[1], xlsx_bytes(CN1_ROW))
    run(book, ["wip"], ctx(msg))
    (row,) = wip_rows(book)
    assert (row["Vendor"], row["Source File"]) == ("CN1", "m.eml > attachment 'attachment 1'")
