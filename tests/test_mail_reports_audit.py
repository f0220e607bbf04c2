"""The e-mail audit of 2026-12-07: vendors' WIP reports as their mail really comes, each message written here
(.eml with the standard library's ``email``, .msg with ``msgfile``) and imported through the job, beside the
same report given as a plain file where the two should agree. Each test is a defect the audit found: a TOTAL
row of formulas in an attached report asked the APM to have the vendor save the file again (a plain file's
did not); a report pasted into the mail as a table was only 'no WIP report attached' on the Issues sheet, with
nothing on the screen and nothing to do (the Outlook button did not even keep the mail's text); a password on an
attached report sent the APM to 'import it again', which reads the same locked file; a CSV with UTF-8's mark
before Windows-1252 text lost every accent to '�' in silence (attached or not); a report attached twice listed
its lines and its warnings twice, and one sent again under another name said so only on the Issues sheet.
"""
from __future__ import annotations

import io
import re
from datetime import date, datetime
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

import openpyxl
import pytest

from conftest import assert_finding
from msgfile import MsgAttachment, MsgMessage, msg_bytes
from prodbook.core import followups
from prodbook.core.findings import Code, Finding
from prodbook.core.limits import Limits
from prodbook.jobs.runner import run
from prodbook.workbook import mail, outlook
from test_mail import XLSX_MIME, eml
from test_wip import ctx, tracker_with_lines, wip_rows

DHAKA = "merch@dhaka-knit.example"
SENT = "Tue, 02 Mar 2027 10:00:00 +0600"


def report_with_total() -> bytes:
    """Dhaka's report of 1 March: two PO lines, a remark typed as a formula, and a TOTAL row of SUMs, all
    saved without their results (as a vendor's system or openpyxl writes them)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "WIP"
    ws.append(["WIP as of 01-Mar-2027"])
    ws.append(["PO #", "Style #", "Color", "Order Qty", "Cut Qty", "Sewn Qty", "Packed Qty", "Ex-Factory", "Remarks"])
    ws.append(["4500000001", "S1", "Heather Grey", 600, 300, 100, 0, date(2027, 4, 15), '="recut "&"10 pcs"'])
    ws.append(["4500000003", "S1", "Light Blue", 500, 200, 50, 0, date(2027, 4, 20), None])
    ws.append(["TOTAL", None, None, "=SUM(D3:D4)", "=SUM(E3:E4)", "=SUM(F3:F4)", "=SUM(G3:G4)", None, None])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def as_message(folder: Path, kind: str, name: str, data: bytes) -> Path:
    """The report attached to Dhaka's message, saved as .eml or as Outlook's .msg."""
    if kind == "eml":
        return eml(folder / "WIP 0301.eml", (name, data, XLSX_MIME), sender=DHAKA, sent=SENT)
    path = folder / "WIP 0301.msg"
    path.write_bytes(msg_bytes(MsgMessage("WIP", sender=DHAKA, sent=datetime(2027, 3, 2, 4, 0),
                                          attachments=[MsgAttachment(name, data, "/".join(XLSX_MIME))])))
    return path


def about(findings: list[Finding], file: str) -> list[tuple]:
    """The findings about one report, its file's name taken out of their place: what the APM reads of it."""
    def plain(text: str | None) -> str | None:
        return None if text is None else text.replace(file, "FILE")

    return sorted((str(f.code), str(f.severity), plain(f.sheet), f.row, f.column, str(f.value), f.message)
                  for f in findings if f.file == file)


@pytest.mark.parametrize("kind", ["eml", "msg"])
def test_a_total_row_of_formulas_in_an_attached_report_says_what_the_same_file_says(tmp_path, kind):
    """A TOTAL row of SUMs saved without their results: the plain file's import skips the row and says nothing of
    its cells, but the same report attached to an e-mail gave four notes on row 5 asking the APM to have the
    vendor open the file in Excel and save it again. The remark's formula (row 3) is noted both ways."""
    data = report_with_total()
    (tmp_path / "file").mkdir()
    (tmp_path / "mail").mkdir()
    plain = tmp_path / "file" / "dhaka 0301.xlsx"
    plain.write_bytes(data)
    by_file = run(tracker_with_lines(tmp_path / "file"), ["wip"], ctx(plain))
    book = tracker_with_lines(tmp_path / "mail")
    message = as_message(tmp_path / "mail", kind, "dhaka 0301.xlsx", data)
    by_mail = run(book, ["wip"], ctx(message))
    where = f"{message.name} > attachment 'dhaka 0301.xlsx'"
    assert [(r["Color"], r["Cut Qty"], r["Source File"]) for r in wip_rows(book)] == [
        ("Heather Grey", 300, where), ("Light Blue", 200, where)]
    assert not [f for f in by_mail.findings if f.row == 5], [f.text() for f in by_mail.findings]
    assert_finding(by_mail.findings, Code.VENDOR_FORMULA, file=where, row=3, column="I")
    assert about(by_mail.findings, where) == about(by_file.findings, plain.name)
    assert "1 total row(s) skipped" in next(line for line in by_mail.outcomes[0].summary if where in line)


# --- a report pasted into the mail, not attached ----------------------------------------------------------

PASTED = ("<html><body><p>Dear team, our WIP below.</p><table border=1>"
          "<tr><th>PO #</th><th>Style #</th><th>Color</th><th>Cut Qty</th></tr>"
          "<tr><td>4500000001</td><td>S1</td><td>Heather Grey</td><td>300</td></tr>"
          "<tr><td>4500000003</td><td>S1</td><td>Light Blue</td><td>200</td></tr></table>"
          "<table><tr><td><img src='cid:logo'></td><td>Rahim<br>Dhaka Knit Ltd</td></tr></table></body></html>")
SIGNATURE = ("<html><body><p>Dear team, WIP next week.</p><table><tr><td><img src='cid:logo'></td>"
             "<td>Rahim<br>Merchandiser</td></tr><tr><td></td><td>Dhaka Knit Ltd</td></tr></table></body></html>")


RTF_TABLE = (rb"{\rtf1\ansi Dear team, our WIP below.\par\trowd\cellx2000\cellx4000\cellx6000\cellx8000 "
             rb"PO #\cell Style #\cell Color\cell Cut Qty\cell\row\trowd\cellx2000\cellx4000\cellx6000\cellx8000 "
             rb"4500000001\cell S1\cell Heather Grey\cell 300\cell\row\trowd\cellx2000\cellx4000\cellx6000"
             rb"\cellx8000 4500000003\cell S1\cell Light Blue\cell 200\cell\row}")


def wrapped(html: str) -> bytes:
    """HTML as Outlook keeps it inside Rich Text: each tag wrapped, the text between as it is."""
    return b"{\\rtf1\\ansi\\fromhtml1 " + re.sub(r"(<[^>]+>)", r"{\\*\\htmltag64 \1}", html).encode() + b"}"


def html_message(folder: Path, kind: str, name: str, html: str) -> Path:
    """A message whose text is HTML (the plain text beside it, as mail programs send it), with no attachment:
    .eml, or .msg with the HTML kept as HTML, as Outlook wraps it in Rich Text, or (``rtf``) the table written
    in Rich Text itself, as a Rich Text message holds it."""
    if kind.startswith("msg"):
        text = {"msg": {"html": html.encode()}, "msg-wrapped": {"rtf": wrapped(html)},
                "msg-rtf": {"rtf": RTF_TABLE if html == PASTED else wrapped(html)}}[kind]
        path = folder / f"{name}.msg"
        path.write_bytes(msg_bytes(MsgMessage("WIP", sender=DHAKA, sent=datetime(2027, 3, 2, 4, 0),
                                              body="Dear team, our WIP below.", **text)))
        return path
    m = EmailMessage()
    m["From"], m["To"], m["Subject"], m["Date"] = DHAKA, "apm@retailer.example", "WIP", SENT
    m.set_content("Dear team, our WIP below.")
    m.add_alternative(html, subtype="html")
    path = folder / f"{name}.eml"
    path.write_bytes(m.as_bytes(policy=SMTP))
    return path


@pytest.mark.parametrize("kind", ["eml", "msg", "msg-wrapped", "msg-rtf"])
def test_a_report_pasted_into_the_mail_says_it_was_not_read_and_what_to_do(tmp_path, kind):
    """A vendor pasted its WIP as a table into the mail: the run said only 'no WIP report attached' (a note on
    the Issues sheet, nothing on the screen), and the APM did not learn that the lines in front of them in Outlook
    were not imported, nor what to do. A message with a signature laid out in a table is not said to hold one."""
    book = tracker_with_lines(tmp_path)
    pasted = html_message(tmp_path, kind, "WIP 0301", PASTED)
    signed = html_message(tmp_path, kind, "next week", SIGNATURE)
    result = run(book, ["wip"], ctx(pasted, signed))
    assert "Vendor WIP" not in openpyxl.load_workbook(book, read_only=True).sheetnames
    said = assert_finding(result.findings, Code.WIP_MESSAGE, file=pasted.name)
    assert said.severity == "warning" and said.found_in == pasted.name
    assert "no report file attached" in said.message and "table of 3 rows" in said.message
    assert "not imported" in said.message and "attach" in said.message and "copy the table" in said.message
    assert f"  {pasted.name}: no WIP report attached; its text holds a table, which is not read (see the warning)" \
        in result.outcomes[0].summary
    other = assert_finding(result.findings, Code.WIP_MESSAGE, file=signed.name)
    assert other.severity == "info" and "table" not in other.message
    assert "ask the vendor to send the report attached" in other.message


def followup_reply() -> str:
    """A vendor's reply, no attachment, quoting prodbook's own follow-up draft: its HTML as ``followups.render``
    writes it, with its table of open items."""
    items = [followups.Item("BD1", "Ex-factory", "Confirm the revised ex-factory date", po="4500000001",
                            style="S1", color="Heather Grey", due=date(2027, 3, 1), days_overdue=2),
             followups.Item("BD1", "PP sample", "Send the PP sample", po="4500000003", style="S1",
                            color="Light Blue", due=date(2027, 3, 4))]
    draft = followups.render(followups.Contact("BD1", "Dhaka Knit", ("rahim@dhaka.example",)), items,
                             date(2027, 3, 2))
    quoted = next(p for p in draft.walk() if p.get_content_type() == "text/html").get_content()
    assert "<table" in quoted
    return ("<html><body><p>Noted, we will update by Friday.</p><div style='border-left:1px solid #ccc'>"
            f"<p>From: APM</p>{quoted}</div></body></html>")


SIGNATURE_TABLE = ("<html><body><p>Dear team, WIP next week.</p><table><tr><th>Name</th><th>Title</th>"
                   "<th>Phone</th></tr><tr><td>Rahim</td><td>Merchandiser</td><td>+880 1711 000000</td></tr>"
                   "<tr><td>Karim</td><td>QA</td><td>+880 1711 000001</td></tr></table></body></html>")
PASTED_WIP = ("<html><body><p>Dear team, our WIP below.</p><table border=1><tr><td>PO</td><td>Style</td>"
              "<td>Color</td><td>Order Qty</td><td>Cut</td><td>Sewn</td><td>Ex-Factory</td></tr>"
              "<tr><td>4500000001</td><td>S1</td><td>Heather Grey</td><td>300</td><td>300</td><td>120</td>"
              "<td>15-Mar-27</td></tr></table></body></html>")


@pytest.mark.parametrize("kind", ["eml", "msg", "msg-wrapped"])
def test_a_reply_quoting_our_follow_up_or_a_signature_table_is_not_said_to_hold_a_pasted_report(tmp_path, kind):
    """A reply with no attachment quoting prodbook's own follow-up e-mail (its table of open items), or with a
    signature laid out as a table of 3 columns, was a warning that the vendor's WIP pasted into it was not
    imported, where there was no WIP at all. A table whose header names WIP columns still is."""
    book = tracker_with_lines(tmp_path)
    reply = html_message(tmp_path, kind, "RE open items", followup_reply())
    signed = html_message(tmp_path, kind, "next week", SIGNATURE_TABLE)
    pasted = html_message(tmp_path, kind, "WIP 0301", PASTED_WIP)
    result = run(book, ["wip"], ctx(reply, signed, pasted))
    for quiet in (reply, signed):
        said = assert_finding(result.findings, Code.WIP_MESSAGE, file=quiet.name)
        assert said.severity == "info" and "table" not in said.message, said.message
        assert "ask the vendor to send the report attached" in said.message
    said = assert_finding(result.findings, Code.WIP_MESSAGE, file=pasted.name)
    assert said.severity == "warning" and "table of 2 rows" in said.message and "not imported" in said.message


def test_table_rows_counts_only_a_table_whose_header_names_wip_columns():
    """``table_rows`` itself: our follow-up table and a signature table count no rows; a WIP table its rows,
    also in Rich Text written as a table."""
    assert mail.table_rows(followup_reply().encode()) == 0
    assert mail.table_rows(wrapped(followup_reply())) == 0
    assert mail.table_rows(SIGNATURE_TABLE.encode()) == 0
    assert mail.table_rows(PASTED_WIP.encode()) == 2
    assert mail.table_rows(PASTED.encode()) == 3
    assert mail.table_rows(RTF_TABLE) == 3
    assert mail.table_rows(rb"{\rtf1\trowd\cellx1 Name\cell Title\cell Phone\cell\row\trowd\cellx1 Rahim"
                           rb"\cell QA\cell 880\cell\row}") == 0


# --- a password-protected report attached -------------------------------------------------------------------

def test_a_password_protected_attachment_says_to_save_it_from_the_message_first(tmp_path):
    """An attached report protected with a password said 'Open it in Excel, ... clear the password and save;
    then import it again': the message imported again holds the same protected file, so the APM was sent round in
    a circle. The report beside it is imported."""
    from msoffcrypto.format.ooxml import OOXMLFile

    book = tracker_with_lines(tmp_path)
    locked = io.BytesIO()
    OOXMLFile(io.BytesIO(report_with_total())).encrypt("s3cret", locked)
    other = ("WIP as of 01-Mar-2027\r\nPO #,Style #,Color,Order Qty,Cut Qty\r\n4500000003,S1,Dark Blue,500,120\r\n")
    message = eml(tmp_path / "WIP 0301.eml", ("dhaka 0301.xlsx", locked.getvalue(), XLSX_MIME),
                  ("dhaka 0301 dark.csv", other.encode(), ("text", "csv")), sender=DHAKA, sent=SENT)
    result = run(book, ["wip"], ctx(message))
    where = "WIP 0301.eml > attachment 'dhaka 0301.xlsx'"
    said = assert_finding(result.findings, Code.WIP_FILE, file=where)
    assert said.severity == "error" and said.found_in == "WIP 0301.eml"
    assert "protected with a password" in said.message and "import it again" not in said.message
    assert "Save it from the message" in said.message and "import the file you saved" in said.message
    assert "the attachment was skipped" in said.message and "ask the vendor" in said.message
    assert [r["Color"] for r in wip_rows(book)] == ["Dark Blue"]
    assert f"  {where}: not imported (see the Issues sheet)" in result.outcomes[0].summary


# --- a CSV report in another encoding --------------------------------------------------------------------

CSV_REPORT = ("WIP as of 01-Mar-2027\r\nPO #,Style #,Color,Order Qty,Cut Qty,Remarks\r\n"
              "4500000001,S1,Heather Grey,600,300,Café: écru trims due 5 Mar\r\n")


@pytest.mark.parametrize("how", ["attached", "file"])
def test_a_csv_in_windows_1252_behind_a_utf8_mark_keeps_its_accents_and_says_how_it_was_read(tmp_path, how):
    """A vendor's system wrote the UTF-8 mark (BOM) before Windows-1252 text: every accented letter came in as '�',
    and nothing said so. It is read as Windows-1252, with the note that names the encoding setting. The same file
    in UTF-16 (Excel's Unicode Text, with its mark) is read as it is, without a note."""
    book = tracker_with_lines(tmp_path)
    data = b"\xef\xbb\xbf" + CSV_REPORT.encode("cp1252")
    unicode16 = CSV_REPORT.replace(",", "\t").replace("Heather Grey", "Light Blue").replace(
        "4500000001", "4500000003").encode("utf-16")
    if how == "file":
        given = [tmp_path / "dhaka 0301.csv", tmp_path / "dhaka 0301 b.csv"]
        given[0].write_bytes(data)
        given[1].write_bytes(unicode16)
        names = [p.name for p in given]
    else:
        given = [eml(tmp_path / "WIP 0301.eml", ("dhaka 0301.csv", data, ("text", "csv")),
                     ("dhaka 0301 b.csv", unicode16, ("text", "csv")), sender=DHAKA, sent=SENT)]
        names = [f"WIP 0301.eml > attachment '{n}'" for n in ("dhaka 0301.csv", "dhaka 0301 b.csv")]
    result = run(book, ["wip"], ctx(*given))
    assert {r["Color"]: r["Remarks"] for r in wip_rows(book)} == {"Heather Grey": "Café: écru trims due 5 Mar",
                                                                  "Light Blue": "Café: écru trims due 5 Mar"}
    said = assert_finding(result.findings, Code.WIP_ENCODING, file=names[0])
    assert "UTF-8" in said.message and "Windows-1252" in said.message and "CSV Encoding" in said.message
    assert not [f for f in result.findings if f.code is Code.WIP_ENCODING and f.file == names[1]]


# --- the same report attached twice ------------------------------------------------------------------------

def test_the_same_report_attached_twice_to_one_message_is_read_once_and_said_once(tmp_path):
    """A vendor attached its report twice (dragged in twice, or once from each folder): the screen listed both
    copies with all their lines, as if twice the lines were imported, and every warning of the report came twice
    (here an unknown PO). The copy is read once; one line says so, on the screen and on the Issues sheet."""
    book = tracker_with_lines(tmp_path)
    wb = openpyxl.load_workbook(io.BytesIO(report_with_total()))
    wb.active.append(["4500009999", "S1", "Navy", 100, 10, 0, 0, date(2027, 4, 15), None])
    buf = io.BytesIO()
    wb.save(buf)
    message = eml(tmp_path / "WIP 0301.eml", ("dhaka 0301.xlsx", buf.getvalue(), XLSX_MIME),
                  ("dhaka 0301.xlsx", buf.getvalue(), XLSX_MIME), sender=DHAKA, sent=SENT)
    result = run(book, ["wip"], ctx(message))
    first, copy = "WIP 0301.eml > attachment 'dhaka 0301.xlsx'", "WIP 0301.eml > attachment 'dhaka 0301 (2).xlsx'"
    assert [(r["Color"], r["Source File"]) for r in wip_rows(book)] == [("Heather Grey", first),
                                                                         ("Light Blue", first)]
    assert [f.file for f in result.findings if f.code is Code.WIP_UNMATCHED] == [first]
    assert not [f for f in result.findings if f.file == copy and f.code is not Code.WIP_MESSAGE]
    note = assert_finding(result.findings, Code.WIP_MESSAGE, file=copy)
    assert note.severity == "info" and "attached twice" in note.message and "'dhaka 0301.xlsx'" in note.message
    lines = [line for line in result.outcomes[0].summary if "dhaka 0301" in line]
    assert lines == [f"  {first}: BD1, report of 2027-03-01, 2 line(s), 1 total row(s) skipped",
                     f"  {copy}: the same file as 'dhaka 0301.xlsx', attached twice: read once"]
    assert result.outcomes[0].summary[0].startswith("Vendor WIP: 2 PO line(s) imported from 1 file(s); 1 row(s) ")


def test_import_from_outlook_keeps_the_message_s_text_so_a_pasted_report_is_said(tmp_path):
    """The Outlook button copied each item's attachments and a line of text, not the item's HTML: a report pasted
    into the mail was 'no WIP report attached' there, where the same message saved as .msg said what to do."""
    from test_outlook_wip import Item

    item = Item("WIP", datetime(2027, 3, 2, 4, 0), sender=DHAKA)
    item.HTMLBody = PASTED
    msg, notes = outlook.as_email(item, tmp_path / "work", Limits())
    assert notes == [] and mail.read_eml(msg.as_bytes(), "m.eml").table_rows == 3
    signed = Item("WIP next week", datetime(2027, 3, 2, 4, 0), sender=DHAKA)
    signed.HTMLBody = SIGNATURE
    assert mail.read_eml(outlook.as_email(signed, tmp_path / "work", Limits())[0].as_bytes(), "m.eml").table_rows == 0


def test_a_report_sent_again_under_another_name_says_on_the_screen_that_its_lines_were_imported_once(tmp_path):
    """The same report attached again under another name ('rev', a note line added): the screen listed both with
    all their lines and said nothing more; only the Issues sheet said the second one's lines were the same."""
    book = tracker_with_lines(tmp_path)
    wb = openpyxl.load_workbook(io.BytesIO(report_with_total()))
    wb.active.append(["Prepared by Rahim, merchandising"])
    buf = io.BytesIO()
    wb.save(buf)
    message = eml(tmp_path / "WIP 0301.eml", ("dhaka 0301.xlsx", report_with_total(), XLSX_MIME),
                  ("dhaka 0301 rev.xlsx", buf.getvalue(), XLSX_MIME), sender=DHAKA, sent=SENT)
    result = run(book, ["wip"], ctx(message))
    first, again = "WIP 0301.eml > attachment 'dhaka 0301.xlsx'", "WIP 0301.eml > attachment 'dhaka 0301 rev.xlsx'"
    assert [r["Source File"] for r in wip_rows(book)] == [first, first]
    note = assert_finding(result.findings, Code.WIP_DUPLICATE, file=again)
    assert note.severity == "info" and f"as in '{first}'" in note.message
    assert f"  {again}: {note.message}" in result.outcomes[0].summary
