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


def two_morning_drafts(tmp_path: Path) -> tuple[Path, Path, date]:
    path = write_book(tmp_path / "t.xlsx", base_sheets())
    out = tmp_path / "d"
    today = date(2027, 3, 1)
    run(path, ["ta", "exceptions", "followups"], ctx(out, today))
    assert (out / "BD1_follow-up_2027-03-01.eml").exists() and (out / "CN1_follow-up_2027-03-01.eml").exists()
    return path, out, today


def test_a_draft_this_run_writes_under_another_case_or_accent_form_is_never_taken_for_a_stale_one(tmp_path):
    """A Mac's disk compares names in any case (and gives accents back decomposed): the morning's 'bd1_...' is
    the file the noon run writes as 'BD1_...'. Removing it after the write would remove the new draft."""
    _, out, today = two_morning_drafts(tmp_path)
    from prodbook.jobs import followups_job

    morning = out / "CN1_follow-up_2027-03-01.eml"
    head = email.message_from_bytes(morning.read_bytes(), policy=policy.default)
    mark = head["X-Prodbook-Tracker"]
    (out / "ré_follow-up_2027-03-01.eml").write_bytes(morning.read_bytes())  # composed é
    morning.rename(out / "cn1_follow-up_2027-03-01.eml")
    bd1 = out / "BD1_follow-up_2027-03-01.eml"
    written = {bd1, out / "CN1_follow-up_2027-03-01.eml", out / "re\u0301_follow-up_2027-03-01.eml"}  # é apart
    stale = followups_job._stale_drafts(out, today, mark, written, set())
    assert [p.name for p, _ in stale] == [], stale
    stale = followups_job._stale_drafts(out, today, mark, {bd1}, set())
    assert sorted(p.name for p, _ in stale) == ["cn1_follow-up_2027-03-01.eml", "ré_follow-up_2027-03-01.eml"]


def test_an_earlier_draft_of_a_vendor_that_still_has_one_is_said_as_replaced_not_as_nothing_to_chase(tmp_path):
    path, out, today = two_morning_drafts(tmp_path)
    (out / "BD1_follow-up_2027-03-01_2.eml").write_bytes((out / "BD1_follow-up_2027-03-01.eml").read_bytes())
    result = run(path, ["followups"], ctx(out, today))
    said = " ".join(result.outcomes[-1].summary)
    assert not (out / "BD1_follow-up_2027-03-01_2.eml").exists()
    assert "BD1's draft is now 'BD1_follow-up_2027-03-01.eml'" in said, said
    assert "BD1 has nothing left to chase" not in said, said


def test_an_earlier_draft_that_cannot_be_removed_is_a_warning_not_a_failed_write(tmp_path):
    """Open in Outlook's editor (its lock file beside it): left, and said as a warning with what to do; the run
    wrote everything it meant to, so it is no error and names no file as not written."""
    path, out, today = two_morning_drafts(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb["Orders"]
    ws.cell(row=1, column=ws.max_column + 1, value="Line Status")
    ws.cell(row=3, column=ws.max_column, value="Cancelled")  # CN1's only line: nothing left to chase
    wb.save(path)
    (out / "~$N1_follow-up_2027-03-01.eml").write_bytes(b"\x00" * 162)
    result = run(path, ["ta", "exceptions", "followups"], ctx(out, today))
    assert (out / "CN1_follow-up_2027-03-01.eml").exists()
    said = [f for f in result.findings if "CN1_follow-up_2027-03-01.eml" in f.message]
    assert len(said) == 1 and said[0].severity == "warning", said
    assert "delete it by hand" in said[0].message and "Not written" not in said[0].message, said[0].message


def test_the_follow_ups_step_reads_the_exception_settings_once(tmp_path, monkeypatch):
    """Which milestones fold into a late line's row (Ex-Factory, Pack Code) and which say the goods have left
    (Ex-Factory, In-DC Code) are one reading of the exception rules' Config settings, not two."""
    import sys

    from prodbook.core import exceptions as ex
    from prodbook.jobs import followups_job

    path = shipped_late_book(tmp_path)
    real, callers = ex.settings_from, []

    def counted(*args, **kwargs):
        callers.append(sys._getframe(1).f_code.co_filename)
        return real(*args, **kwargs)

    monkeypatch.setattr(ex, "settings_from", counted)
    run(path, ["followups"], ctx(tmp_path / "d"))
    assert [c for c in callers if c == followups_job.__file__] == [followups_job.__file__], callers
    (draft,) = (tmp_path / "d").glob("BD1_*.eml")
    text = email.message_from_bytes(draft.read_bytes(), policy=policy.default).get_body(("plain",)).get_content()
    assert "The goods have left the factory" in text, text  # the In-DC Code still reads as shipped
