"""A vendor's WIP pasted as a table into a FORWARDED message (helper-116): a colleague forwards the vendor's mail
as an attachment (an .eml with a message/rfc822 part, the message attached as a file, or an .msg with the
Outlook item embedded). The outer mail's own text was checked for a pasted report, the forwarded one's was not:
the run said only 'no WIP report attached' while the lines sat in the forwarded mail. Each message is written
here (.eml with the standard library's ``email``, .msg with ``msgfile``) and imported through the job."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

import openpyxl
import pytest

from conftest import assert_finding
from msgfile import MsgAttachment, MsgMessage, msg_bytes
from prodbook.core.findings import Code
from prodbook.core.limits import Limits
from prodbook.jobs.runner import run
from prodbook.workbook import mail, outlook
from test_mail_reports_audit import DHAKA, PASTED, SENT, SIGNATURE
from test_outlook_wip import Att, Item
from test_wip import ctx, tracker_with_lines

COLLEAGUE = "buyer@retailer.example"


def _vendor_eml(html: str) -> EmailMessage:
    """Dhaka's own message: its WIP pasted into the text as a table, nothing attached."""
    m = EmailMessage()
    m["From"], m["To"], m["Subject"], m["Date"] = DHAKA, COLLEAGUE, "WIP 0301", SENT
    m.set_content("Dear team, our WIP below.")
    m.add_alternative(html, subtype="html")
    return m


def forwarded(folder: Path, kind: str, name: str, html: str) -> Path:
    """A colleague's message forwarding Dhaka's as an attachment, with a line of their own and nothing else."""
    if kind == "msg":
        inner = MsgMessage("WIP 0301", sender=DHAKA, sent=datetime(2027, 3, 2, 4, 0),
                           body="Dear team, our WIP below.", html=html.encode())
        path = folder / f"{name}.msg"
        path.write_bytes(msg_bytes(MsgMessage("FW: WIP 0301", sender=COLLEAGUE, sent=datetime(2027, 3, 2, 6, 0),
                                              body="FYI, see below.",
                                              attachments=[MsgAttachment("WIP 0301", message=inner)])))
        return path
    outer = EmailMessage()
    outer["From"], outer["To"], outer["Subject"], outer["Date"] = (COLLEAGUE, "apm@retailer.example",
                                                                    "FW: WIP 0301", SENT)
    outer.set_content("FYI, see below.")
    inner = _vendor_eml(html)
    if kind == "eml":  # forwarded as an attachment: a message/rfc822 part
        outer.add_attachment(inner)
    else:  # the vendor's message saved and attached as a file
        outer.add_attachment(inner.as_bytes(policy=SMTP), maintype="application", subtype="octet-stream",
                             filename="WIP 0301.eml")
    path = folder / f"{name}.eml"
    path.write_bytes(outer.as_bytes(policy=SMTP))
    return path


@pytest.mark.parametrize("kind", ["eml", "eml-file", "msg"])
def test_a_report_pasted_into_a_forwarded_message_is_said_as_the_outer_one_is(tmp_path, kind):
    book = tracker_with_lines(tmp_path)
    pasted = forwarded(tmp_path, kind, "FW WIP 0301", PASTED)
    signed = forwarded(tmp_path, kind, "FW next week", SIGNATURE)
    result = run(book, ["wip"], ctx(pasted, signed))
    assert "Vendor WIP" not in openpyxl.load_workbook(book, read_only=True).sheetnames
    said = assert_finding(result.findings, Code.WIP_MESSAGE, file=pasted.name)
    assert said.severity == "warning" and said.found_in == pasted.name, said.message
    inner = "WIP 0301" if kind == "msg" else "WIP 0301.eml"
    assert f"the forwarded message '{inner}' in it" in said.message and "table of 3 rows" in said.message
    assert "not imported" in said.message and "copy the table" in said.message
    assert f"  {pasted.name}: no WIP report attached; the forwarded message '{inner}' in it holds a table in its " \
           "text, which is not read (see the warning)" in result.outcomes[0].summary
    other = assert_finding(result.findings, Code.WIP_MESSAGE, file=signed.name)
    assert other.severity == "info" and "table" not in other.message


@pytest.mark.parametrize("kind", ["eml", "eml-file", "msg"])
def test_the_table_of_a_forwarded_message_is_counted_where_it_is(tmp_path, kind):
    message = mail.read_message(forwarded(tmp_path, kind, "FW WIP 0301", PASTED))
    inner = "WIP 0301" if kind == "msg" else "WIP 0301.eml"
    assert (message.table_rows, message.carried_tables) == (0, ((inner, 3),))


def test_an_outlook_item_forwarding_a_pasted_report_says_where_the_table_is(tmp_path):
    """The Outlook button's copy of an item whose attachment is the vendor's Outlook item (embedded): the
    forwarded item's text is read as a saved .msg's is."""
    inner = msg_bytes(MsgMessage("WIP 0301", sender=DHAKA, sent=datetime(2027, 3, 2, 4, 0),
                                 body="Dear team, our WIP below.", html=PASTED.encode()))
    item = Item("FW: WIP 0301", datetime(2027, 3, 2, 6, 0), Att("WIP 0301", inner, kind=outlook.OL_EMBEDDED),
                sender=COLLEAGUE)
    msg, notes = outlook.as_email(item, tmp_path / "work", Limits())
    read = mail.read_eml(msg.as_bytes(), "FW WIP 0301.eml")
    assert notes == [] and (read.table_rows, read.carried_tables) == (0, (("WIP 0301.msg", 3),))
