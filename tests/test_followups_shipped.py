"""What a vendor is asked about a PO line whose goods have already left the factory (helper-109's audit):
the demo's drafts asked factories to 'ship earlier' and to recover a cancel date 'with overtime' for lines
shipped weeks before. Real trackers written, run and read back; the drafts parsed with the email package."""

from __future__ import annotations

import email
from datetime import date, datetime
from email import policy
from pathlib import Path

import openpyxl

from conftest import base_sheets, sheet_values, write_book
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run

TODAY = date(2027, 4, 22)


def ctx(out: Path, today: date = TODAY) -> Context:
    return Context(today=today, now=datetime.combine(today, datetime.min.time()).replace(hour=9), out=out)


def shipped_late_book(tmp_path: Path) -> Path:
    """BD1's line 4500000001 / S1 / Navy (ex-factory 15-Apr, in-DC 10-May) left the factory on 19-Apr, four
    days late: at sea it reaches the DC after its in-DC date (an 'In-DC late' exception)."""
    path = write_book(tmp_path / "t.xlsx", base_sheets())
    run(path, ["ta"], ctx(tmp_path / "d0"))
    wb = openpyxl.load_workbook(path)
    ws = wb["T&A"]
    head = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        r = dict(zip(head, row))
        if r["PO #"].value == "4500000001" and r["Code"].value == "XF":
            r["Actual"].value = datetime(2027, 4, 19)
    wb.save(path)
    return path


def test_a_line_that_has_left_the_factory_is_not_asked_to_ship_earlier(tmp_path):
    path = shipped_late_book(tmp_path)
    out = tmp_path / "d"
    run(path, ["exceptions", "followups"], ctx(out))
    ex = sheet_values(path, "Exceptions")
    assert any(dict(zip(ex[0], r))["Rule"] == "in-dc-late" for r in ex[1:])  # the APM's warning stays
    fu = sheet_values(path, "Follow-ups")
    rows = [dict(zip(fu[0], r)) for r in fu[1:]]
    late = next(r for r in rows if r["Item"] == "In-DC late" and r["Ref"] == "4500000001 / S1 / Navy")
    assert "ship earlier" not in late["Detail"], late["Detail"]
    assert "left the factory" in late["Detail"] and "shipping details" in late["Detail"], late["Detail"]
    msg = email.message_from_bytes((out / "BD1_follow-up_2027-04-22.eml").read_bytes(), policy=policy.default)
    text = " ".join(msg.get_body(("plain",)).get_content().split())
    assert "ship earlier" not in text and "shipping details" in text, text


def test_a_vendor_with_nothing_left_to_chase_loses_todays_earlier_draft_and_no_other(tmp_path):
    """Morning: BD1 and CN1 each get a draft. Noon: CN1's line is cancelled, so CN1 has nothing left to chase;
    its morning draft stayed in the folder, listing items nobody wants, beside the new Follow-ups sheet. The
    second run takes it away; BD1's draft, a draft of another tracker in the same folder and a file of the
    APM's own stay."""
    sheets = base_sheets()
    path = write_book(tmp_path / "t.xlsx", sheets)
    other = write_book(tmp_path / "kids.xlsx", base_sheets())
    out = tmp_path / "d"
    today = date(2027, 3, 1)
    run(path, ["ta", "exceptions", "followups"], ctx(out, today))
    run(other, ["ta", "exceptions", "followups"], ctx(tmp_path / "k", today))
    names = sorted(p.name for p in out.glob("*.eml"))
    assert names == ["BD1_follow-up_2027-03-01.eml", "CN1_follow-up_2027-03-01.eml"], names
    kids = out / "CN1_follow-up_2027-03-01_kids.eml"  # the other tracker's, moved in by hand
    kids.write_bytes((tmp_path / "k" / "CN1_follow-up_2027-03-01.eml").read_bytes())
    mine = out / "CN1_follow-up_2027-03-01 notes.eml"
    mine.write_bytes(b"Subject: my own notes\r\n\r\nkeep me\r\n")

    wb = openpyxl.load_workbook(path)
    ws = wb["Orders"]
    ws.cell(row=1, column=ws.max_column + 1, value="Line Status")
    ws.cell(row=3, column=ws.max_column, value="Cancelled")
    wb.save(path)
    result = run(path, ["ta", "exceptions", "followups"], ctx(out, today))
    fu = sheet_values(path, "Follow-ups")
    assert {r[0] for r in fu[1:]} == {"BD1"}
    assert not (out / "CN1_follow-up_2027-03-01.eml").exists()
    assert (out / "BD1_follow-up_2027-03-01.eml").exists() and kids.exists() and mine.exists()
    said = " ".join(result.outcomes[-1].summary)
    assert "CN1_follow-up_2027-03-01.eml" in said and "nothing left to chase" in said, said
