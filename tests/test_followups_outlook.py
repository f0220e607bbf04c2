"""Follow-ups inside Excel with Outlook there (the add-in's Follow-ups button): the drafts go to Outlook's Drafts
folder, a later press of the same day replaces this tracker's drafts there instead of adding to them, and the
Follow-ups sheet's Draft column says where the drafts are. Real workbooks; Outlook is a stand-in that records."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from conftest import grow_tables, sheet_values, shown_values
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from prodbook.workbook import outlook
from prodbook.workbook.safety import WorkbookLocked
from test_followups import TODAY, book, parse
from test_outlook import FakeItem, FakeOutlook


def in_excel(out: Path, today: date = TODAY, dry_run: bool = False) -> Context:
    return Context(today=today, now=datetime(2027, 3, 1, 9), out=out, outlook=True, dry_run=dry_run)


@pytest.fixture
def mail(monkeypatch: pytest.MonkeyPatch) -> FakeOutlook:
    fake = FakeOutlook()
    monkeypatch.setattr(outlook, "_outlook", lambda: fake)
    return fake


def marked(mail: FakeOutlook) -> list[FakeItem]:
    return [i for i in mail.drafts if i.UserProperties.Find("Prodbook Tracker") is not None]


def summary(result: object) -> str:
    return "\n".join(line for o in result.outcomes for line in o.summary)  # type: ignore[attr-defined]


def test_a_second_press_the_same_day_replaces_this_trackers_outlook_drafts(tmp_path: Path, mail: FakeOutlook) -> None:
    path = book(tmp_path)
    apm = mail.own(subject="Dhaka Knit Ltd: my own draft")  # the APM's, not prodbook's
    out = tmp_path / "drafts"
    run(path, ["ta", "exceptions", "followups"], in_excel(out))
    first = marked(mail)
    assert len(first) == 2 and {i.UserProperties.Find("Prodbook Day").Value for i in first} == {"2027-03-01"}
    assert {i.UserProperties.Find("Prodbook Vendor").Value for i in first} == {"BD1", "CN1"}
    result = run(path, ["followups"], in_excel(out))
    again = marked(mail)
    assert len(again) == 2 and not set(map(id, again)) & set(map(id, first)), "the drafts piled up in Outlook"
    assert apm in mail.drafts and all(i.deleted for i in first)
    said = summary(result)
    for item in first:
        vendor = item.UserProperties.Find("Prodbook Vendor").Value
        assert (f"Removed today's earlier Outlook draft '{item.Subject}' (now in Deleted Items): {vendor}'s new "
                "draft replaces it") in said, said
    assert "E-mail drafts: 2 in Outlook's Drafts folder" in said
    assert not out.exists() or not list(out.glob("*.eml"))  # Outlook took them: no file


def test_a_second_press_keeps_a_draft_the_apm_edited_and_says_so(tmp_path: Path, mail: FakeOutlook) -> None:
    """(M1) The APM added a paragraph and a CC to this morning's draft to BD1: the second press keeps it (Deleted
    Items may be emptied when Outlook closes) and a warning names it and says why; CN1's untouched one goes."""
    path = book(tmp_path)
    out = tmp_path / "drafts"
    run(path, ["ta", "exceptions", "followups"], in_excel(out))
    first = {i.UserProperties.Find("Prodbook Vendor").Value: i for i in marked(mail)}
    first["BD1"].edit()
    result = run(path, ["followups"], in_excel(out))
    assert first["BD1"] in mail.drafts and not first["BD1"].deleted and first["CN1"].deleted
    warned = [f.message for f in result.findings if f"earlier Outlook draft '{first['BD1'].Subject}'" in f.message]
    assert len(warned) == 1 and "you edited it after prodbook made it, so it was kept" in warned[0], warned
    assert f"Removed today's earlier Outlook draft '{first['BD1'].Subject}'" not in summary(result)


def test_the_next_day_a_dry_run_and_a_refused_run_leave_the_drafts_in_outlook(tmp_path: Path,
                                                                             mail: FakeOutlook) -> None:
    path = book(tmp_path)
    out = tmp_path / "drafts"
    run(path, ["ta", "exceptions", "followups"], in_excel(out))
    yesterday = marked(mail)
    dry = run(path, ["followups"], in_excel(out, dry_run=True))
    assert marked(mail) == yesterday and "Removed" not in summary(dry)
    wb = openpyxl.load_workbook(path)  # a sample late since: the Follow-ups sheet has something to write
    wb["Samples"].append(["S2", "Fit", "", "Black", date(2027, 2, 26), None])
    grow_tables(wb["Samples"])
    wb.save(path)
    lock = tmp_path / "~$t.xlsx"
    lock.write_bytes(bytes([3]) + b"Ana".ljust(53) + bytes(111))  # open in Excel elsewhere: the run is refused
    with pytest.raises(WorkbookLocked):
        run(path, ["followups"], in_excel(out))
    assert marked(mail) == yesterday
    lock.unlink()
    run(path, ["followups"], in_excel(out, today=TODAY + timedelta(days=1)))
    assert len(marked(mail)) == 4 and not any(i.deleted for i in yesterday)  # an older day's are the APM's


def test_the_draft_column_names_the_outlook_draft_not_a_file_never_written(tmp_path: Path,
                                                                         mail: FakeOutlook) -> None:
    """Inside Excel with Outlook the Draft column linked to 'Follow-up drafts/DATE/BD1_follow-up_DATE.eml', a
    file that was never written: the draft was in Outlook."""
    path = book(tmp_path)
    out = tmp_path / "drafts"
    run(path, ["ta", "exceptions", "followups"], in_excel(out))
    head, *rows = shown_values(path, "Follow-ups")
    typed = sheet_values(path, "Follow-ups")[1:]
    at = head.index("Draft")
    subjects = {i.UserProperties.Find("Prodbook Vendor").Value: i.Subject for i in marked(mail)}
    assert rows and all(r[at] == f"Outlook Drafts: {subjects[r[head.index('Vendor')]]}" for r in rows), rows
    assert all(t[at] == r[at] for t, r in zip(typed, rows))  # text, not a link to a file


def test_without_outlook_the_draft_column_links_the_eml_files_written(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A Mac, or a PC without Outlook: .eml files, as the prodbook command writes them, and the links open them;
    a later run of the day takes away the draft of a vendor with nothing left to chase, as there."""
    monkeypatch.setattr(outlook, "_outlook", lambda: None)
    path = book(tmp_path)
    out = tmp_path / "drafts"
    run(path, ["ta", "exceptions", "followups"], in_excel(out))
    head, *rows = shown_values(path, "Follow-ups")
    links = {r[head.index("Draft")] for r in rows}
    assert len(links) == 2 and all((path.parent / link).is_file() for link in links), links
    assert all(parse(path.parent / link)["X-Prodbook-Tracker"] for link in links)
    stale = out / "ZZ9_follow-up_2027-03-01.eml"
    stale.write_bytes((path.parent / sorted(links)[0]).read_bytes().replace(b"X-Prodbook-Vendor: BD1",
                                                                           b"X-Prodbook-Vendor: ZZ9"))
    result = run(path, ["followups"], in_excel(out))
    assert not stale.exists() and "ZZ9 has nothing left to chase" in summary(result)
