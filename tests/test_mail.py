"""WIP straight from the mailbox: saved .eml and .msg messages, written here, imported like files.

The .eml files are built with the standard library's ``email`` package (and one
raw message typed out the way Outlook encodes names); the .msg files with
``msgfile.py`` (the add-in's compound-file writer plus [MS-OXMSG] streams),
proved readable by extract-msg and olefile below.
"""

from __future__ import annotations

import base64
import csv
import io
import zipfile
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.policy import SMTP, default
from pathlib import Path

import extract_msg
import olefile
import openpyxl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from conftest import assert_finding, base_sheets, sheet_values, write_book
from msgfile import MsgAttachment, MsgMessage, msg_bytes
from prodbook.core.findings import Code
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from prodbook.workbook import mail

TODAY = date(2027, 3, 5)
HEADER = ["PO #", "Style #", "Color", "Order Qty", "Cut Qty", "Sewn Qty", "Packed Qty", "Remarks"]
CN1_ROW = ["4500000002", "S2", "Black", "800", "640", "100", "0", "fabric in"]
BD1_ROW = ["4500000001", "S1", "Navy", "1200", "1150", "800", "300", ""]
CSV_MIME = ("text", "csv")
XLSX_MIME = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def ctx(*files: Path, today: date = TODAY) -> Context:
    return Context(today=today, now=datetime(2027, 3, 5, 9, 0), files=tuple(files))


def tracker(tmp_path: Path, *, style_vendors: bool = False, config: list[list] | None = None) -> Path:
    """The base tracker; by default its styles name no vendor, so only the message can tell it."""
    sheets = base_sheets()
    if not style_vendors:
        sheets["Styles"] = [sheets["Styles"][0]] + [[r[0], r[1], None, *r[3:]] for r in sheets["Styles"][1:]]
    sheets["Vendors"] = [sheets["Vendors"][0],
                         ["BD1", "Dhaka Knit Ltd", "Bangladesh", "merch@dhaka-knit.example", "", 16, "BD"],
                         ["CN1", "Ningbo Garments", "China", "Sales@Ningbo.example",
                          "li.wei@ningbo.example; Amy <amy@agent.example>", 1, "CN"],
                         ["CN2", "Wuxi Knits", "China", "wuxi@wuxi.example", "amy@agent.example", 1, "CN"]]
    if config:
        sheets["Config"] = [["Setting", "Value"], *config]
    return write_book(tmp_path / "tracker.xlsx", sheets)


def csv_bytes(*rows: list[str], title: str | None = None, encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    if title:
        w.writerows([[title], []])
    w.writerow(HEADER)
    w.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(*rows: list[str], title: str | None = None) -> bytes:
    """A vendor's .xlsx of WIP rows under the header; ``title``: a title row (its report date) and a blank row
    above the header."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "WIP"
    if title is not None:
        ws.append([title])
        ws.append([])
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def eml(path: Path, *attachments: tuple[str, bytes, tuple[str, str]], sender: str = "sales@ningbo.example",
        subject: str = "WIP this week", sent: str = "Wed, 03 Mar 2027 01:30:00 +0600",
        reply_to: str | None = None, inner: EmailMessage | None = None, crlf: bool = True) -> Path:
    """A message as a mail program saves it: text body, then the attachments (base64)."""
    m = EmailMessage()
    m["From"] = sender
    m["To"] = "apm@retailer.example"
    m["Subject"] = subject
    m["Date"] = sent
    if reply_to:
        m["Reply-To"] = reply_to
    m.set_content("Dear team, please find our WIP attached.\nBest regards")
    for name, data, (maintype, subtype) in attachments:
        m.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    if inner is not None:
        m.add_attachment(inner)
    path.write_bytes(m.as_bytes(policy=SMTP if crlf else default))
    return path


def wip_rows(path: Path) -> list[dict]:
    if "Vendor WIP" not in openpyxl.load_workbook(path, read_only=True).sheetnames:
        return []
    rows = sheet_values(path, "Vendor WIP")
    return [dict(zip(rows[0], r)) for r in rows[1:] if r[0]]


def day(v) -> date:
    return v.date() if isinstance(v, datetime) else v


# --- the vendor and the report date from the message ------------------------------------------------

def test_the_sender_decides_the_vendor_when_the_file_name_does_not(tmp_path):
    book = tracker(tmp_path)
    inbox = tmp_path / "WIP inbox"
    inbox.mkdir()
    report = csv_bytes(CN1_ROW)
    eml(inbox / "Ningbo WIP.eml", ("weekly report.csv", report, CSV_MIME))
    result = run(book, ["wip"], ctx(inbox))
    (row,) = wip_rows(book)
    assert (row["PO #"], row["Vendor"], row["Cut Qty"]) == ("4500000002", "CN1", 640)
    assert row["Source File"] == "Ningbo WIP.eml > attachment 'weekly report.csv'"
    assert any("vendor CN1 from the sender sales@ningbo.example" in line for line in result.outcomes[0].summary)
    # the same file saved on its own: no vendor anywhere (the styles name none), a warning per row
    plain = tmp_path / "weekly report.csv"
    plain.write_bytes(report)
    (tmp_path / "b").mkdir()
    book2 = tracker(tmp_path / "b")
    result2 = run(book2, ["wip"], ctx(plain))
    assert wip_rows(book2)[0]["Vendor"] is None
    assert_finding(result2.findings, Code.WIP_VENDOR, file="weekly report.csv")


def test_the_file_name_beats_the_sender_and_reply_to_and_cc_count(tmp_path):
    book = tracker(tmp_path)
    named = eml(tmp_path / "a.eml", ("BD1 wip.csv", csv_bytes(BD1_ROW), CSV_MIME), sender="sales@ningbo.example")
    via_cc = eml(tmp_path / "b.eml", ("report.csv", csv_bytes(CN1_ROW), CSV_MIME),
                 sender="Li Wei <LI.WEI@ningbo.example>")
    via_reply = eml(tmp_path / "c.eml", ("report 2.csv", csv_bytes(CN1_ROW), CSV_MIME),
                    sender="noreply@erp-host.example", reply_to="Sales <sales@ningbo.example>",
                    sent="Fri, 05 Feb 2027 10:00:00 +0800")
    run(book, ["wip"], ctx(named, via_cc, via_reply))
    by_source = {r["Source File"]: r["Vendor"] for r in wip_rows(book)}
    assert by_source == {"a.eml > attachment 'BD1 wip.csv'": "BD1", "b.eml > attachment 'report.csv'": "CN1",
                         "c.eml > attachment 'report 2.csv'": "CN1"}


def test_an_address_of_two_vendors_decides_nothing(tmp_path):
    book = tracker(tmp_path)
    msg = eml(tmp_path / "agent.eml", ("report.csv", csv_bytes(CN1_ROW), CSV_MIME), sender="amy@agent.example")
    result = run(book, ["wip"], ctx(msg))
    assert wip_rows(book)[0]["Vendor"] is None
    note = assert_finding(result.findings, Code.WIP_VENDOR, severity="info")
    assert "CN1, CN2" in note.message and note.file == "agent.eml > attachment 'report.csv'"
    warn = assert_finding(result.findings, Code.WIP_VENDOR, severity="warning")
    assert "amy@agent.example" in warn.message and "Vendors sheet" in warn.message


def test_the_message_date_is_the_report_date_when_the_file_has_none(tmp_path):
    book = tracker(tmp_path)
    # 01:30 in Dhaka on 3 March is still 2 March in UTC: the vendor's own day counts
    undated = eml(tmp_path / "m1.eml", ("report.csv", csv_bytes(CN1_ROW), CSV_MIME))
    dated = eml(tmp_path / "m2.eml", ("BD1.csv", csv_bytes(BD1_ROW, title="WIP as of 01-Mar-2027"), CSV_MIME))
    result = run(book, ["wip"], ctx(undated, dated))
    dates = {r["Vendor"]: day(r["Report Date"]) for r in wip_rows(book)}
    assert dates == {"CN1": date(2027, 3, 3), "BD1": date(2027, 3, 1)}  # the file's own date wins
    note = assert_finding(result.findings, Code.WIP_REPORT_DATE, file="m1.eml > attachment 'report.csv'")
    assert "03-Mar-27" in note.message and "sent" in note.message and "today" not in note.message
    assert not [f for f in result.findings if f.code is Code.WIP_REPORT_DATE and "m2.eml" in (f.file or "")]


def titled_xlsx(title: str, *rows: list[str]) -> bytes:
    """A vendor's .xlsx with its report date in a title row above the header."""
    return xlsx_bytes(*rows, title=title)


def test_an_attachments_doubtful_title_date_is_said_as_it_is_not_as_no_date_found(tmp_path):
    """Only the note of an attachment with no date of its own says the sent date was used: a title date
    older than the vendor's latest report, or one ahead of the message, keeps its own warning or error."""
    book = tracker(tmp_path)
    run(book, ["wip"], ctx(eml(tmp_path / "this week.eml", ("CN1 wip.xlsx", titled_xlsx(
        "WIP as of 03-Mar-2027", CN1_ROW), XLSX_MIME))))
    older = eml(tmp_path / "resent.eml", ("CN1 old.xlsx", titled_xlsx("WIP as of 20-Feb-2027", CN1_ROW),
                                          XLSX_MIME), sent="Thu, 04 Mar 2027 10:00:00 +0800")
    ahead = eml(tmp_path / "typo.eml", ("CN1 typo.xlsx", titled_xlsx("WIP as of 25-Mar-2027", CN1_ROW),
                                        XLSX_MIME), sent="Thu, 04 Mar 2027 10:00:00 +0800")
    undated = eml(tmp_path / "plain.eml", ("report.csv", csv_bytes(CN1_ROW), CSV_MIME),
                  sent="Thu, 04 Mar 2027 10:00:00 +0800")
    result = run(book, ["wip"], ctx(older, ahead, undated))
    warn = assert_finding(result.findings, Code.WIP_REPORT_OLDER, file="resent.eml > attachment 'CN1 old.xlsx'")
    assert warn.severity == "warning" and warn.found_in == "resent.eml"
    assert "20-Feb-27" in warn.message and "older than CN1's latest report" in warn.message
    assert "resent.eml > attachment 'CN1 old.xlsx'" in warn.text() and "no report date" not in warn.message
    err = assert_finding(result.findings, Code.WIP_REPORT_DATE, file="typo.eml > attachment 'CN1 typo.xlsx'")
    assert err.severity == "error" and "25 March 2027" in err.message and "not imported" in err.message
    assert "typo.eml > attachment 'CN1 typo.xlsx'" in err.text() and "no report date" not in err.message
    note = assert_finding(result.findings, Code.WIP_REPORT_DATE, file="plain.eml > attachment 'report.csv'")
    assert note.severity == "info" and "no report date found" in note.message
    assert "the message was sent, 04-Mar-27, was used" in note.message

def test_an_attachment_dated_ahead_is_counted_from_the_day_its_message_was_sent(tmp_path):
    """An attachment's report date is compared with the day its message was sent (its 'today' when the file
    has no date): the error said '9 days after today (20 February 2027)', a day that is not today."""
    book = tracker(tmp_path)
    ahead = eml(tmp_path / "typo.eml", ("CN1 typo.xlsx", titled_xlsx("WIP as of 01-Mar-2027", CN1_ROW), XLSX_MIME),
                sent="Sat, 20 Feb 2027 10:00:00 +0800")
    result = run(book, ["wip"], ctx(ahead))  # today is 5 March
    err = assert_finding(result.findings, Code.WIP_REPORT_DATE, file="typo.eml > attachment 'CN1 typo.xlsx'")
    assert err.severity == "error" and "01 March 2027" in err.message and "not imported" in err.message
    assert "9 days after the day the message was sent (20 February 2027)" in err.message, err.message
    assert "today" not in err.message and wip_rows(book) == []
    stale = eml(tmp_path / "stale.eml", ("CN1 jan.xlsx", titled_xlsx("WIP as of 15-Jan-2027", CN1_ROW), XLSX_MIME),
                sent="Sat, 20 Mar 2027 10:00:00 +0800")
    result = run(book, ["wip"], ctx(stale, today=date(2027, 5, 1)))  # read weeks after it came
    warn = assert_finding(result.findings, Code.WIP_REPORT_DATE, file="stale.eml > attachment 'CN1 jan.xlsx'")
    assert "64 days before the day the message was sent (20-Mar-27)" in warn.message, warn.message
    assert "today" not in warn.message


# --- what is in a message ---------------------------------------------------------------------------

def test_a_message_without_an_attachment_is_a_note_naming_it(tmp_path):
    book = tracker(tmp_path)
    msg = eml(tmp_path / "Re chasing.eml", subject="RE: WIP please")
    result = run(book, ["wip"], ctx(msg))
    note = assert_finding(result.findings, Code.WIP_MESSAGE, file="Re chasing.eml")
    assert note.severity == "info" and "'RE: WIP please'" in note.message and "no attachment" in note.message
    assert note.found_in == "Re chasing.eml"
    assert wip_rows(book) == []
    issues = sheet_values(book, "Issues")
    assert any("RE: WIP please" in str(c) for r in issues for c in r)


def test_two_attachments_import_and_others_are_named_in_a_note(tmp_path):
    book = tracker(tmp_path)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    png = bytes.fromhex("89504E470D0A1A0A") + b"\x00" * 20
    msg = eml(tmp_path / "Mar 3 WIP.eml", ("BD1 WIP.xlsx", xlsx_bytes(BD1_ROW), XLSX_MIME),
              ("CN1 WIP.csv", csv_bytes(CN1_ROW), CSV_MIME), ("packing list.pdf", pdf, ("application", "pdf")),
              ("image001.png", png, ("image", "png")), ("winmail.dat", b"\x78\x9f\x3e\x22", ("application",
                                                                                          "ms-tnef")))
    result = run(book, ["wip"], ctx(msg))
    rows = wip_rows(book)
    assert {(r["Vendor"], r["Source File"]) for r in rows} == {
        ("BD1", "Mar 3 WIP.eml > attachment 'BD1 WIP.xlsx'"), ("CN1", "Mar 3 WIP.eml > attachment 'CN1 WIP.csv'")}
    note = assert_finding(result.findings, Code.WIP_MESSAGE, file="Mar 3 WIP.eml")
    assert "'packing list.pdf'" in note.message and "'image001.png'" in note.message
    assert "'winmail.dat' (Outlook's packed attachments" in note.message
    assert result.outcomes[0].data["imported"] == 2


def test_a_message_with_only_a_pdf_is_a_note_and_nothing_else(tmp_path):
    book = tracker(tmp_path)
    msg = eml(tmp_path / "invoice.eml", ("invoice.pdf", b"%PDF-1.4\n", ("application", "pdf")))
    result = run(book, ["wip"], ctx(msg))
    note = assert_finding(result.findings, Code.WIP_MESSAGE, file="invoice.eml")
    assert "no WIP report attached" in note.message and "'invoice.pdf'" in note.message
    assert [f for f in result.findings if f.code is Code.COLUMN_MISSING] == []


def test_findings_name_the_message_the_attachment_and_the_row(tmp_path):
    book = tracker(tmp_path)
    bad = ["4500009999", "S1", "Navy", "100", "0", "0", "0", ""]
    msg = eml(tmp_path / "Mar 3 WIP.eml", ("WIP 0303.xlsx", xlsx_bytes(BD1_ROW, bad), XLSX_MIME),
              sender="merch@dhaka-knit.example")
    result = run(book, ["wip"], ctx(msg))
    f = assert_finding(result.findings, Code.WIP_UNMATCHED, row=3)
    assert f.sheet == "Mar 3 WIP.eml > attachment 'WIP 0303.xlsx'" and f.found_in == "Mar 3 WIP.eml"
    assert "Mar 3 WIP.eml > attachment 'WIP 0303.xlsx'" in f.text() and "row 3" in f.text()


def ningbo_message() -> EmailMessage:
    """The vendor's own message of 1 March, its report attached: what a forward or a reply carries along."""
    inner = EmailMessage()
    inner["From"] = "Ningbo Sales <sales@ningbo.example>"
    inner["Subject"] = "WIP"
    inner["Date"] = "Mon, 01 Mar 2027 17:00:00 +0800"
    inner.set_content("attached")
    inner.add_attachment(csv_bytes(CN1_ROW), maintype="text", subtype="csv", filename="report.csv")
    return inner


def test_a_forwarded_message_brings_its_own_sender_and_date(tmp_path):
    book = tracker(tmp_path)
    inner = ningbo_message()
    msg = eml(tmp_path / "Fwd.eml", sender="colleague@retailer.example", sent="Thu, 04 Mar 2027 09:00:00 -0500",
              inner=inner)
    run(book, ["wip"], ctx(msg))
    (row,) = wip_rows(book)
    assert row["Vendor"] == "CN1" and day(row["Report Date"]) == date(2027, 3, 1)
    assert row["Source File"] == "Fwd.eml > attachment 'WIP.eml' > attachment 'report.csv'"


def test_a_reply_with_its_own_report_leaves_the_earlier_report_it_carries(tmp_path):
    """A vendor's reply attaches this week's report and carries last week's message along: that old
    report was imported too, and replaced the corrected report of its date already on the sheet."""
    book = tracker(tmp_path)
    corrected = tmp_path / "CN1 WIP 2027-03-01.csv"
    corrected.write_bytes(csv_bytes(["4500000002", "S2", "Black", "800", "700", "200", "0", "corrected"]))
    run(book, ["wip"], ctx(corrected))
    inner = ningbo_message()
    reply = eml(tmp_path / "RE WIP.eml", ("WIP.csv", csv_bytes(["4500000002", "S2", "Black", "800", "800",
                                                                "500", "0", "sewing"]), CSV_MIME),
                subject="RE: WIP", sent="Thu, 04 Mar 2027 09:00:00 +0800", inner=inner)
    result = run(book, ["wip"], ctx(reply))
    rows = {day(r["Report Date"]): (r["Cut Qty"], r["Remarks"]) for r in wip_rows(book)}
    assert rows == {date(2027, 3, 1): (700, "corrected"), date(2027, 3, 4): (800, "sewing")}
    note = assert_finding(result.findings, Code.WIP_MESSAGE, file="RE WIP.eml > attachment 'WIP.eml' > "
                          "attachment 'report.csv'")
    assert "not imported" in note.message and "earlier message 'WIP.eml'" in note.message


def test_the_same_message_saved_twice_imports_once_with_a_note_not_an_error_a_row(tmp_path):
    """'WIP.eml' and 'WIP (copy).eml' from the same save: each line was an error ('also in ... not
    imported') and the run ended with errors. A line that differs between the two is still an error."""
    book = tracker(tmp_path)
    first = eml(tmp_path / "WIP.eml", ("report.csv", csv_bytes(CN1_ROW), CSV_MIME))
    copy = tmp_path / "WIP (copy).eml"
    copy.write_bytes(first.read_bytes())
    result = run(book, ["wip"], ctx(first, copy))
    assert len(wip_rows(book)) == 1 and result.exit_code == 0
    assert not [f for f in result.findings if f.severity.value == "error"]
    note = assert_finding(result.findings, Code.WIP_DUPLICATE, file="WIP (copy).eml > attachment 'report.csv'")
    assert note.message.startswith("1 line of this file is the same, value for value, as in 'WIP.eml > ")
    changed = eml(tmp_path / "WIP 2.eml", ("report.csv", csv_bytes(CN1_ROW[:4] + ["700", "100", "0", ""]),
                                           CSV_MIME))
    result = run(book, ["wip"], ctx(first, changed))
    assert_finding(result.findings, Code.WIP_DUPLICATE, file="WIP 2.eml > attachment 'report.csv'", row=2)
    assert result.exit_code == 1


def test_a_report_sent_as_plain_bytes_without_a_name_is_read_and_a_zip_says_to_extract_it(tmp_path):
    """An .xlsx attached as 'WIP' with type application/octet-stream was left as 'not a spreadsheet'; a .zip
    was left with the same words, though the report was inside."""
    book = tracker(tmp_path)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("CN1 WIP.xlsx", xlsx_bytes(CN1_ROW))
    msg = eml(tmp_path / "m.eml", ("WIP", xlsx_bytes(CN1_ROW), ("application", "octet-stream")),
              ("WIP.zip", buf.getvalue(), ("application", "zip")))
    result = run(book, ["wip"], ctx(msg))
    (row,) = wip_rows(book)
    assert (row["Vendor"], row["Cut Qty"], row["Source File"]) == ("CN1", 640, "m.eml > attachment 'WIP'")
    note = assert_finding(result.findings, Code.WIP_MESSAGE, file="m.eml")
    assert "'WIP.zip' (a .zip archive, which prodbook does not open: save it from the message, extract it" \
        in note.message
    assert mail.with_extension("WIP", "application/octet-stream", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
                               + "Workbook".encode("utf-16-le") + b"\x00\x00") == "WIP.xls"
    assert mail.with_extension("WIP", "application/msword", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") == "WIP.doc"
    assert mail.with_extension("WIP", "application/octet-stream", b"%PDF-1.7") == "WIP.bin"


def test_outlook_encodings_rfc2047_names_quoted_printable_cp1252_lf_or_crlf(tmp_path):
    book = tracker(tmp_path)
    body = csv_bytes([*CN1_ROW[:-1], "Café: colour approved"], encoding="cp1252")
    qp = "".join(f"={b:02X}" if b > 126 or b in (61,) else chr(b) for b in body)
    raw = ("From: =?utf-8?q?Ning_B=C3=B6?= <sales@ningbo.example>\r\n"
           "Subject: =?windows-1252?Q?Rapport_d=27avancement_=E9t=E9?=\r\n"
           "Date: Tue, 02 Mar 2027 10:00:00 +0800\r\nMIME-Version: 1.0\r\n"
           'Content-Type: multipart/mixed; boundary="XX"\r\n\r\n--XX\r\n'
           "Content-Type: text/plain; charset=windows-1252\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
           "Bonne journ=E9e\r\n--XX\r\n"
           'Content-Type: text/csv; charset=windows-1252; name="=?windows-1252?Q?Avancement_=E9t=E9.csv?="\r\n'
           'Content-Disposition: attachment; filename="=?windows-1252?Q?Avancement_=E9t=E9.csv?="\r\n'
           "Content-Transfer-Encoding: quoted-printable\r\n\r\n" + qp + "\r\n--XX--\r\n")
    (tmp_path / "crlf.eml").write_bytes(raw.encode("ascii"))
    (tmp_path / "lf.eml").write_bytes(raw.replace("\r\n", "\n").replace("Tue, 02", "Wed, 03").encode("ascii"))
    result = run(book, ["wip"], ctx(tmp_path / "crlf.eml", tmp_path / "lf.eml"))
    rows = wip_rows(book)
    assert [r["Remarks"] for r in rows] == ["Café: colour approved"] * 2
    assert [r["Source File"] for r in rows] == ["crlf.eml > attachment 'Avancement été.csv'",
                                                "lf.eml > attachment 'Avancement été.csv'"]
    assert [day(r["Report Date"]) for r in rows] == [date(2027, 3, 2), date(2027, 3, 3)]
    assert not [f for f in result.findings if f.severity == "error"]


@pytest.mark.parametrize("charset", [b"; charset=gbk", b""], ids=["declared", "undeclared"])
def test_an_attachment_name_sent_as_raw_gbk_bytes_reads_as_chinese(tmp_path, charset):
    """Some Chinese mail programs write the attachment's name as raw GBK bytes, not encoded: it read as
    '\ufffd's, so the Source File and every finding named '�������� CN1.csv'."""
    book = tracker(tmp_path)
    name = "生产进度 CN1.csv".encode("gbk")
    body = base64.b64encode(csv_bytes(HEADER, CN1_ROW)).decode("ascii")
    raw = (b"From: sales@ningbo.example\r\nSubject: WIP\r\nDate: Wed, 03 Mar 2027 10:00:00 +0800\r\n"
           b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="XX"\r\n\r\n--XX\r\n'
           b"Content-Type: text/plain\r\n\r\nplease see attached\r\n--XX\r\n"
           b"Content-Type: text/csv" + charset + b'; name="' + name + b'"\r\n'
           b'Content-Disposition: attachment; filename="' + name + b'"\r\n'
           b"Content-Transfer-Encoding: base64\r\n\r\n" + body.encode("ascii") + b"\r\n--XX--\r\n")
    (tmp_path / "wip.eml").write_bytes(raw)
    run(book, ["wip"], ctx(tmp_path / "wip.eml"))
    (row,) = wip_rows(book)
    assert row["Source File"] == "wip.eml > attachment '生产进度 CN1.csv'" and row["Vendor"] == "CN1"


# --- .msg -----------------------------------------------------------------------------------------

def test_the_msg_writer_is_read_by_extract_msg_and_olefile(tmp_path):
    inner = MsgMessage("inner", sender="sales@ningbo.example", sent=datetime(2027, 3, 1, 9, 0),
                       attachments=[MsgAttachment("in.csv", b"a,b\r\n")])
    m = MsgMessage("WIP wk 9 – Dhaka", sender="merch@dhaka-knit.example", sent=datetime(2027, 3, 2, 22, 0),
                   body="Dear team", attachments=[MsgAttachment("WIP 0303.xlsx", b"x" * 5000, XLSX_MIME[1]),
                                                  MsgAttachment("fwd", message=inner)])
    path = tmp_path / "t.msg"
    path.write_bytes(msg_bytes(m))
    assert olefile.isOleFile(str(path))
    with olefile.OleFileIO(str(path)) as ole:
        names = {"/".join(p) for p in ole.listdir()}
        assert {"__properties_version1.0", "__substg1.0_0037001F", "__recip_version1.0_#00000000/__substg1.0_3003001F",
                "__attach_version1.0_#00000000/__substg1.0_37010102",
                "__attach_version1.0_#00000001/__substg1.0_3701000D/__properties_version1.0"} <= names
        assert ole.openstream("__substg1.0_0037001F").read().decode("utf-16-le") == "WIP wk 9 – Dhaka"
    msg = extract_msg.openMsg(str(path))
    try:
        assert (msg.subject, msg.body.strip()) == ("WIP wk 9 – Dhaka", "Dear team")
        assert msg.date == datetime(2027, 3, 2, 22, 0, tzinfo=UTC)
        assert "merch@dhaka-knit.example" in msg.sender and "apm@retailer.example" in msg.to
        first, second = msg.attachments
        assert (first.longFilename, first.data) == ("WIP 0303.xlsx", b"x" * 5000)
        assert second.data.subject == "inner" and second.data.attachments[0].data == b"a,b\r\n"
    finally:
        msg.close()


def test_a_msg_with_a_report_imports_with_vendor_and_date_from_outlook(tmp_path):
    book = tracker(tmp_path)
    inbox = tmp_path / "WIP inbox"
    inbox.mkdir()
    m = MsgMessage("Mar 3 WIP", sender="merch@dhaka-knit.example", sender_name="Rahim",
                   sent=datetime(2027, 3, 3, 4, 15),
                   attachments=[MsgAttachment("WIP 0303 .xlsx", xlsx_bytes(BD1_ROW), XLSX_MIME[1]),
                                MsgAttachment("logo.png", b"\x89PNG....")])
    (inbox / "Mar 3 WIP.msg").write_bytes(msg_bytes(m))
    result = run(book, ["wip"], ctx(inbox))
    (row,) = wip_rows(book)
    assert (row["Vendor"], day(row["Report Date"]), row["Cut Qty"]) == ("BD1", date(2027, 3, 3), 1150)
    assert row["Source File"] == "Mar 3 WIP.msg > attachment 'WIP 0303 .xlsx'"
    assert "'logo.png'" in assert_finding(result.findings, Code.WIP_MESSAGE, file="Mar 3 WIP.msg").message


def test_a_msg_with_internet_headers_uses_them_and_a_forwarded_msg_inside(tmp_path):
    book = tracker(tmp_path)
    inner = MsgMessage("WIP", sender="sales@ningbo.example", sent=datetime(2027, 2, 26, 8, 0),
                       attachments=[MsgAttachment("report.csv", csv_bytes(CN1_ROW))])
    outer = MsgMessage("FW: WIP", sender="/O=EXCHANGELABS/OU=EXCHANGE/CN=RECIPIENTS/CN=COLLEAGUE",
                       headers="From: Colleague <colleague@retailer.example>\r\n"
                               "Date: Mon, 01 Mar 2027 10:00:00 +0000\r\n",
                       attachments=[MsgAttachment("WIP.msg", message=inner)])
    path = tmp_path / "FW WIP.msg"
    path.write_bytes(msg_bytes(outer))
    parsed = mail.read_message(path)
    assert parsed.senders[0] == "colleague@retailer.example" and parsed.sent == date(2027, 3, 1)
    (att,) = parsed.attachments
    assert (att.via, att.senders, att.sent) == (("WIP.msg",), ("sales@ningbo.example",), date(2027, 2, 26))
    run(book, ["wip"], ctx(path))
    (row,) = wip_rows(book)
    assert (row["Vendor"], day(row["Report Date"])) == ("CN1", date(2027, 2, 26))
    assert row["Source File"] == "FW WIP.msg > attachment 'WIP.msg' > attachment 'report.csv'"


def test_a_damaged_message_is_named_and_the_others_import(tmp_path):
    book = tracker(tmp_path)
    (tmp_path / "broken.msg").write_bytes(b"not an outlook message")
    (tmp_path / "cut.msg").write_bytes(msg_bytes(MsgMessage("x", sender="a@b.example"))[:1200])
    good = eml(tmp_path / "good.eml", ("report.csv", csv_bytes(CN1_ROW), CSV_MIME))
    result = run(book, ["wip"], ctx(tmp_path / "broken.msg", tmp_path / "cut.msg", good))
    assert "not an Outlook message" in assert_finding(result.findings, Code.WIP_FILE, file="broken.msg").message
    assert_finding(result.findings, Code.WIP_FILE, file="cut.msg")
    assert len(wip_rows(book)) == 1


# --- names, limits, nothing written beside the messages ---------------------------------------------

def test_odd_attachment_names_stay_inside_the_temporary_folder(tmp_path):
    book = tracker(tmp_path)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    long_name = "W" * 300 + ".csv"
    eml(inbox / "odd.eml", ("../../escaped.csv", csv_bytes(CN1_ROW), CSV_MIME),
              ("..\\..\\win.csv", csv_bytes(BD1_ROW), CSV_MIME), ("~$WIP.xlsx", b"lock", XLSX_MIME),
              (long_name, csv_bytes(CN1_ROW), CSV_MIME), ("escaped.csv", csv_bytes(CN1_ROW), CSV_MIME))
    before = sorted(p.name for p in tmp_path.rglob("*"))
    result = run(book, ["wip"], ctx(inbox))
    after = sorted(p.name for p in tmp_path.rglob("*"))
    assert not [n for n in set(after) - set(before) if "escaped" in n or "win" in n]
    assert not (tmp_path / "escaped.csv").exists() and not (tmp_path.parent / "escaped.csv").exists()
    sources = sorted(r["Source File"] for r in wip_rows(book))
    # the names as the message gives them (the APM sees them so in Outlook); the file read was a safe copy
    assert "odd.eml > attachment '../../escaped.csv'" in sources
    assert "odd.eml > attachment '..\\..\\win.csv'" in sources
    assert "'~$WIP.xlsx' (an Excel lock file" in assert_finding(result.findings, Code.WIP_MESSAGE,
                                                                 file="odd.eml").message
    # the same file three times over (escaped, escaped again, the long name): read once, the copies named
    dups = [f for f in result.findings if f.code is Code.WIP_MESSAGE and "attached twice" in f.message]
    assert len(dups) == 2 and all("the same file as '../../escaped.csv'" in f.message for f in dups)
    assert {f.file for f in dups} == {"odd.eml > attachment 'escaped.csv'",
                                      f"odd.eml > attachment '{mail.shown_name(long_name)}'"}
    assert mail.shown_name(long_name).endswith("WWW.csv") and len(mail.shown_name(long_name)) < 130


@given(st.text(max_size=400), st.lists(st.text(max_size=30), max_size=5))
@settings(max_examples=300, deadline=None)
def test_safe_names_are_plain_unique_and_short(name, others):
    taken: set[str] = set()
    earlier = [mail.safe_name(o, taken) for o in others]
    out = mail.safe_name(name, taken)
    assert out and "/" not in out and "\\" not in out and not out.startswith((".", "~$", " "))
    assert not any(c in out for c in '<>:"|?*') and all(ord(c) >= 32 for c in out)
    assert len(out) <= mail.MAX_NAME + 12 and out.lower() not in {e.lower() for e in earlier}


def test_a_message_over_the_size_limit_is_refused_by_name(tmp_path):
    book = tracker(tmp_path, config=[["Max Unpacked MB", 1]])
    big = eml(tmp_path / "big.eml", ("report.csv", csv_bytes(CN1_ROW), CSV_MIME),
              ("photos.pdf", b"%PDF" + bytes(1_200_000), ("application", "pdf")))
    small = eml(tmp_path / "small.eml", ("report.csv", csv_bytes(CN1_ROW), CSV_MIME))
    result = run(book, ["wip"], ctx(big, small))
    f = assert_finding(result.findings, Code.WIP_FILE, file="big.eml")
    assert "Max Unpacked MB" in f.message and "1 MB" in f.message
    assert [r["Source File"] for r in wip_rows(book)] == ["small.eml > attachment 'report.csv'"]


def test_an_attachment_over_the_part_limit_is_left_with_a_note(tmp_path):
    book = tracker(tmp_path, config=[["Max Part MB", 1]])
    huge = csv_bytes(CN1_ROW) + b"," * 1_100_000
    msg = eml(tmp_path / "m.eml", ("huge.csv", huge, CSV_MIME), ("report.csv", csv_bytes(CN1_ROW), CSV_MIME))
    result = run(book, ["wip"], ctx(msg))
    assert "'huge.csv' (1 MB, over the 1 MB limit" in assert_finding(result.findings, Code.WIP_MESSAGE).message
    assert [r["Source File"] for r in wip_rows(book)] == ["m.eml > attachment 'report.csv'"]


def test_messages_do_not_disturb_the_record_check_and_the_issues_keep_their_file(tmp_path):
    book = tracker(tmp_path)
    msg = eml(tmp_path / "nothing.eml", subject="hello")
    result = run(book, ["validate", "wip"], ctx(msg))
    said = [f for f in result.findings if f.code is Code.DIFF_STYLE]  # validate names the message it cannot compare
    assert [(f.file, "no style table found, not compared" in f.message) for f in said] == [("nothing.eml", True)]
    issues = sheet_values(book, "Issues")
    head = issues[0]
    row = next(r for r in issues[1:] if r[head.index("Code")] == "wip-message-note")
    assert row[head.index("Found In")] == "nothing.eml"
    # run again without the message: the note stays (that message was not read again)
    run(book, ["wip"], ctx(eml(tmp_path / "other.eml", ("report.csv", csv_bytes(CN1_ROW), CSV_MIME))))
    assert any(r[head.index("Code")] == "wip-message-note" for r in sheet_values(book, "Issues")[1:])


def test_a_folder_of_messages_with_nothing_to_import_leaves_the_vendor_wip_alone(tmp_path):
    book = tracker(tmp_path)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    eml(inbox / "a.eml", subject="no files")
    result = run(book, ["wip"], ctx(inbox))
    assert result.outcomes[0].data["imported"] == 0 and result.changes == 0
    assert "Vendor WIP" not in openpyxl.load_workbook(book, read_only=True).sheetnames
    assert "a.eml: no WIP report attached" in "\n".join(result.outcomes[0].summary)


@pytest.mark.parametrize("name", ["WIP.xlsx", "report", "WIP 03/03.csv"])
def test_reader_gives_decoded_safe_names(tmp_path, name):
    path = eml(tmp_path / "m.eml", (name, b"PO #\r\n", CSV_MIME))
    (att,) = mail.read_message(path).attachments
    assert att.shown == name
    assert "/" not in att.name and att.name.endswith((".xlsx", ".csv"))


# --- messages Outlook itself wrote (tests/data/msg, see its README) -------------------------------------

REAL = Path(__file__).parent / "data" / "msg"


def test_a_real_outlook_message_with_images_only_is_a_note_naming_them(tmp_path):
    book = tracker(tmp_path)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "attachmentFiles.msg").write_bytes((REAL / "attachmentFiles.msg").read_bytes())
    parsed = mail.read_message(inbox / "attachmentFiles.msg")
    assert (parsed.subject, parsed.senders, parsed.sent) == ("attachmentFiles", ("hmailuser@hmailserver.test",),
                                                             date(2023, 11, 1))
    assert [(a.name, len(a.data)) for a in parsed.attachments] == [("jpg.jpg", 726), ("png.png", 134),
                                                                   ("tif.tif", 664)]
    assert parsed.attachments[1].data.startswith(bytes.fromhex("89504E47"))
    result = run(book, ["wip"], ctx(inbox))
    note = assert_finding(result.findings, Code.WIP_MESSAGE, file="attachmentFiles.msg")
    assert "'attachmentFiles' has no WIP report attached" in note.message
    assert all(f"'{n}' (not a spreadsheet" in note.message for n in ("jpg.jpg", "png.png", "tif.tif"))
    assert wip_rows(book) == []


def test_a_real_outlook_message_inside_a_message_is_named():
    parsed = mail.read_message(REAL / "msgInMsg.msg")
    assert parsed.subject == "I have attachments!" and parsed.sent == date(2020, 9, 10)
    assert [a.name for a in parsed.attachments] == ["green.png"]
    assert parsed.skipped == ("'Microsoft Outlook テスト メッセージ.msg' (an attached message with no attachment)",)


def test_the_styles_sheet_beats_a_sender_of_another_vendor(tmp_path):
    book = tracker(tmp_path, style_vendors=True)  # S1 is BD1's, S2 CN1's
    msg = eml(tmp_path / "m.eml", ("report.csv", csv_bytes(BD1_ROW), CSV_MIME), ("r2.csv", csv_bytes(CN1_ROW),
                                                                                   CSV_MIME),
              sender="sales@ningbo.example")
    result = run(book, ["wip"], ctx(msg))
    assert {r["Source File"]: r["Vendor"] for r in wip_rows(book)} == {
        "m.eml > attachment 'report.csv'": "BD1", "m.eml > attachment 'r2.csv'": "CN1"}
    note = assert_finding(result.findings, Code.WIP_VENDOR, file="m.eml > attachment 'report.csv'")
    assert "sales@ningbo.example is CN1's" in note.message and "BD1's (Styles sheet)" in note.message
    assert not [f for f in result.findings if f.code is Code.WIP_VENDOR and "r2.csv" in f.file]


@given(st.lists(st.tuples(st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1,
                                  max_size=60).filter(lambda s: s.strip()),
                          st.binary(max_size=300)), min_size=1, max_size=4),
       st.booleans())
@example([("<WIP wk9>", b"PO #"), ("<>", b"")], False)  # the standard get_filename drops the brackets (2026-12-05)
@settings(max_examples=60, deadline=None)
def test_any_attachment_name_and_bytes_come_back_from_an_eml(attachments, crlf):
    m = EmailMessage()
    m["From"] = "Ning Bö <sales@ningbo.example>"
    m["Subject"] = "WIP"
    m.set_content("see attached")
    for name, data in attachments:
        m.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    parsed = mail.read_eml(m.as_bytes(policy=SMTP if crlf else default), "m.eml")
    assert [a.data for a in parsed.attachments] == [d for _, d in attachments]
    assert [a.shown for a in parsed.attachments] == [mail.shown_name(n) for n, _ in attachments]
    names = [a.name.lower() for a in parsed.attachments]
    assert len(set(names)) == len(names) and not any("/" in n or "\\" in n for n in names)
    assert parsed.senders == ("sales@ningbo.example",)


def test_a_costing_sheet_attached_is_not_a_wip_report_and_says_how_to_compare_it(tmp_path):
    book = tracker(tmp_path)
    out = io.StringIO()
    csv.writer(out).writerows([["Style #", "FOB (USD)", "Fiber Content"], ["S1", "4.10", "100% Cotton"]])
    msg = eml(tmp_path / "costing.eml", ("costing.csv", out.getvalue().encode(), CSV_MIME))
    result = run(book, ["wip"], ctx(msg))
    f = assert_finding(result.findings, Code.COLUMN_MISSING, file="costing.eml > attachment 'costing.csv'")
    assert "only when given as files" in f.message and "record check instead" not in f.message
    assert "  costing.eml > attachment 'costing.csv': not a WIP report" in result.outcomes[0].summary


def test_the_command_takes_a_folder_of_saved_messages(tmp_path):
    import json

    from click.testing import CliRunner

    from prodbook.cli import main

    book = tracker(tmp_path)
    inbox = tmp_path / "WIP inbox"
    inbox.mkdir()
    eml(inbox / "Mar 3 WIP.eml", ("report.csv", csv_bytes(CN1_ROW), CSV_MIME), ("ATT00001.txt", b"--\r\nSent from",
                                                                                ("text", "plain")))
    (inbox / "Dhaka.msg").write_bytes(msg_bytes(MsgMessage(
        "wk 9", sender="merch@dhaka-knit.example", sent=datetime(2027, 3, 2, 6, 0),
        attachments=[MsgAttachment("wip.xlsx", xlsx_bytes(BD1_ROW))])))
    out = CliRunner().invoke(main, ["wip", str(book), str(inbox), "--today", "2027-03-05", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert {(r["Vendor"], day(r["Report Date"])) for r in wip_rows(book)} == {("CN1", date(2027, 3, 3)),
                                                                            ("BD1", date(2027, 3, 2))}
    note = next(f for f in data["findings"] if f["code"] == "wip-message-note")
    assert note["file"] == "Mar 3 WIP.eml" and "'ATT00001.txt' (part of the message's text)" in note["message"]


def test_messages_nested_deeper_than_the_limit_are_named_not_read(tmp_path):
    inner = EmailMessage()
    inner["From"] = "sales@ningbo.example"
    inner["Subject"] = "level 4"
    inner.set_content("x")
    inner.add_attachment(b"PO #\r\n", maintype="text", subtype="csv", filename="deep.csv")
    for level in (3, 2, 1):
        outer = EmailMessage()
        outer["From"] = "fwd@retailer.example"
        outer["Subject"] = f"level {level}"
        outer.set_content("fwd")
        outer.add_attachment(inner)
        inner = outer
    path = eml(tmp_path / "top.eml", inner=inner)
    parsed = mail.read_message(path)
    assert parsed.attachments == ()
    assert parsed.skipped == ("'level 4.eml' (a message attached more than 3 deep) in 'level 3.eml' in "
                              "'level 2.eml' in 'level 1.eml'",)


def test_an_unreadable_attachment_is_named_without_the_temporary_folder(tmp_path):
    book = tracker(tmp_path)
    msg = eml(tmp_path / "m.eml", ("WIP.xlsx", b"PK\x03\x04 not really a workbook", XLSX_MIME),
              ("report.csv", csv_bytes(CN1_ROW), CSV_MIME))
    result = run(book, ["wip"], ctx(msg))
    f = assert_finding(result.findings, Code.WIP_FILE, file="m.eml > attachment 'WIP.xlsx'")
    assert "'WIP.xlsx'" in f.message and "prodbook-mail-" not in f.message and tempfile_dir() not in f.message
    assert f.found_in == "m.eml" and len(wip_rows(book)) == 1


def tempfile_dir() -> str:
    import tempfile

    return tempfile.gettempdir() + "/"


def test_a_forwarded_message_without_a_date_is_dated_by_its_carrier_and_said_so(tmp_path):
    """A forwarded message without a Date header took the forward's date in silence."""
    book = tracker(tmp_path)
    inner = ningbo_message()
    del inner["Date"]
    msg = eml(tmp_path / "Fwd.eml", sender="colleague@retailer.example", sent="Thu, 04 Mar 2027 09:00:00 +0800",
              inner=inner)
    result = run(book, ["wip"], ctx(msg))
    (row,) = wip_rows(book)
    assert day(row["Report Date"]) == date(2027, 3, 4)
    note = assert_finding(result.findings, Code.WIP_MESSAGE, file="Fwd.eml > attachment 'WIP.eml' > "
                          "attachment 'report.csv'")
    assert "has no date of its own" in note.message and "(04-Mar-27)" in note.message  # as findings show dates
    assert "2027-03-04" not in note.message
    assert not [f for f in result.findings if f.message.startswith("no report date found")]  # said once


DISCLAIMER = (b"DISCLAIMER: This e-mail and any files transmitted with it are confidential and intended\r\n"
              b"solely for the use of the addressee. If you are not the intended recipient, please notify\r\n"
              b"the sender immediately and delete it. Any views, opinions or data expressed are those of\r\n"
              b"the author, and do not necessarily represent those of the company.\r\n")


def test_a_disclaimer_the_mail_server_attaches_and_a_signature_are_left_with_a_note(tmp_path):
    """Many factories' mail servers attach a 'Disclaimer.txt' (or sign the message, 'smime.p7s'): text, not
    a report. Before, the disclaimer was read as a report and gave an error asking for its PO column."""
    book = tracker(tmp_path)
    msg = eml(tmp_path / "Mar 3 WIP.eml", ("CN1 WIP.csv", csv_bytes(CN1_ROW), CSV_MIME),
              ("Disclaimer.txt", DISCLAIMER, ("text", "plain")),
              ("smime.p7s", b"0\x82\x05\x00", ("application", "pkcs7-signature")))
    result = run(book, ["wip"], ctx(msg))
    assert result.exit_code == 0 and [f for f in result.findings if f.severity == "error"] == []
    assert result.outcomes[0].data["imported"] == 1
    note = assert_finding(result.findings, Code.WIP_MESSAGE, file="Mar 3 WIP.eml")
    assert "'Disclaimer.txt' (text, not a table (a disclaimer or a note))" in note.message
    assert "'smime.p7s' (the sender's digital signature, not a report)" in note.message


def test_a_report_saved_as_text_is_still_read(tmp_path):
    book = tracker(tmp_path)
    text = csv_bytes(CN1_ROW).replace(b",", b"\t")
    msg = eml(tmp_path / "Mar 3 WIP.eml", ("CN1 WIP.txt", text, ("text", "plain")))
    assert run(book, ["wip"], ctx(msg)).outcomes[0].data["imported"] == 1
    msg = eml(tmp_path / "Mar 4 WIP.eml", ("CN1 WIP.txt", csv_bytes(CN1_ROW), ("text", "plain")))
    assert run(book, ["wip"], ctx(msg)).outcomes[0].data["imported"] == 1
