"""Follow-ups: the old days' 'Follow-up drafts/DATE' folders beside the workbook go as backups do, only when
they hold nothing but the drafts prodbook wrote for this tracker, unchanged; never today's."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl

from conftest import add_config, base_sheets, write_book
from prodbook.core.findings import Code
from prodbook.jobs.base import Context
from prodbook.jobs.runner import REFRESH, run
from prodbook.workbook import kept_drafts, outlook
from test_outlook import FakeOutlook

DAY1 = date(2027, 3, 1)


def book(tmp_path: Path, keep: int | str | None = 2, *more: tuple[str, object]) -> Path:
    sheets = base_sheets()
    sheets["Samples"] = [["Style #", "Sample Type", "Purpose", "Color", "Due", "Shipped"],
                         ["S1", "Proto", "Line review", "Navy", date(2027, 2, 25), None]]
    path = write_book(tmp_path / "t.xlsx", sheets)
    lines = ((("Draft Days To Keep", keep),) if keep is not None else ()) + more
    return add_config(path, *lines) if lines else path


def edit_purpose(path: Path, text: str) -> None:
    """The APM retypes the sample's Purpose: the next run's draft says it (and the run logs a change)."""
    wb = openpyxl.load_workbook(path)
    wb["Samples"]["C2"] = text
    wb.save(path)


def set_config(path: Path, name: str, value: object) -> None:
    wb = openpyxl.load_workbook(path)
    for row in wb["Config"].iter_rows(min_row=2):
        if row[0].value == name:
            row[1].value = value
    wb.save(path)


def day_run(path: Path, n: int, *, dry_run: bool = False, jobs: tuple[str, ...] = ("followups",), hour: int = 9):
    """Follow-ups on day ``n`` after DAY1 (drafts to 'Follow-up drafts/DATE' beside the workbook)."""
    today = DAY1 + timedelta(days=n)
    return run(path, list(jobs), Context(today=today, now=datetime.combine(today, datetime.min.time()).replace(
        hour=hour), dry_run=dry_run))


def two_days(tmp_path: Path) -> tuple[Path, Path]:
    """A tracker keeping the newest day before today (Draft Days To Keep 1) run on 03-01 and 03-02: the workbook,
    and the folder of 03-01 that the next day's run prunes."""
    path = book(tmp_path, 1)
    day_run(path, 0)
    day_run(path, 1)
    return path, tmp_path / "Follow-up drafts" / "2027-03-01"


def folders(path: Path) -> list[str]:
    root = path.parent / "Follow-up drafts"
    return sorted(p.name for p in root.iterdir()) if root.is_dir() else []


def said(result) -> str:
    return "\n".join(line for o in result.outcomes for line in o.summary)


def test_the_days_older_than_the_newest_kept_go_and_the_summary_says_so(tmp_path):
    path = book(tmp_path)
    for n in range(3):
        day_run(path, n)
    assert folders(path) == ["2027-03-01", "2027-03-02", "2027-03-03"]
    fourth = day_run(path, 3)
    assert folders(path) == ["2027-03-02", "2027-03-03", "2027-03-04"]  # today's and the newest 2 days before
    assert "Removed the old follow-up drafts folder '2027-03-01'" in said(fourth)
    assert "'Draft Days To Keep'" in said(fourth)


def test_without_the_setting_a_week_of_days_is_kept(tmp_path):
    path = book(tmp_path, keep=None)
    for n in range(9):
        day_run(path, n)
    assert folders(path) == [(DAY1 + timedelta(days=n)).isoformat() for n in range(1, 9)]  # 7 days and today


def test_a_folder_with_a_file_of_the_apms_or_a_draft_edited_since_stays(tmp_path):
    path, old = two_days(tmp_path)
    root = old.parent
    (old / "notes for Rahim.txt").write_text("call about the proto", encoding="utf-8")
    (draft,) = (root / "2027-03-02").glob("*.eml")
    draft.write_bytes(draft.read_bytes().replace(b"Subject:", b"Subject: EDITED", 1))  # the APM edited it
    third = day_run(path, 2)
    fourth = day_run(path, 3)
    assert folders(path) == ["2027-03-01", "2027-03-02", "2027-03-03", "2027-03-04"]
    assert (root / "2027-03-01" / "notes for Rahim.txt").is_file() and draft.is_file()
    assert "'2027-03-01' in" in said(third) and "'notes for Rahim.txt'" in said(third)
    assert "Kept the old follow-up drafts folder '2027-03-02'" in said(fourth) and f"'{draft.name}'" in said(fourth)
    assert "2027-03-03" in folders(path)  # not yet older than the newest day kept before today


def test_a_dry_run_removes_nothing_and_says_what_it_would(tmp_path):
    path, _ = two_days(tmp_path)
    dry = day_run(path, 2, dry_run=True)
    assert folders(path) == ["2027-03-01", "2027-03-02"]
    assert "Would remove the old follow-up drafts folder '2027-03-01'" in said(dry)


def test_the_refresh_prunes_and_its_undo_puts_the_folder_back(tmp_path):
    path, old = two_days(tmp_path)
    before = {p.name: p.read_bytes() for p in old.iterdir()}
    day_run(path, 2, jobs=REFRESH)
    assert folders(path) == ["2027-03-02", "2027-03-03"]
    run(path, ["undo"], Context(today=DAY1 + timedelta(days=2), now=datetime(2027, 3, 3, 10)))
    assert {p.name: p.read_bytes() for p in old.iterdir()} == before


def test_a_setting_that_is_no_number_of_days_is_named_and_a_week_is_kept(tmp_path):
    path = book(tmp_path, keep="two weeks")
    for n in range(3):
        result = day_run(path, n)
    (f,) = [f for f in result.findings if f.code is Code.SETTING]
    assert f.sheet == "Config" and f.row == 2 and "'Draft Days To Keep'" in f.message
    assert folders(path) == ["2027-03-01", "2027-03-02", "2027-03-03"]


def test_several_runs_a_day_still_prune_once_the_runs_records_are_let_go_of(tmp_path):
    """Backups To Keep 2 and two runs a day, each rewriting the draft: the runs' records in 'prodbook backups'
    are gone long before a day's folder is old, yet the folder is known by the record inside it."""
    path = book(tmp_path, 1, ("Backups To Keep", 2))
    for n in range(4):
        for hour in (9, 15):
            edit_purpose(path, f"Line review {n}-{hour}")
            last = day_run(path, n, hour=hour)
    assert len(list((tmp_path / "prodbook backups").glob("t drafts *"))) == 2  # the runs' records of 03-04 only
    assert folders(path) == ["2027-03-03", "2027-03-04"]
    assert "Kept the old" not in said(last)


def test_two_trackers_sharing_the_folder_each_take_their_own_drafts_and_the_last_the_folder(tmp_path):
    t = book(tmp_path, 1)
    u = tmp_path / "u.xlsx"
    u.write_bytes(t.read_bytes())
    root = tmp_path / "Follow-up drafts"
    for n in range(2):
        for p in (t, u):
            day_run(p, n)
    assert len(list((root / "2027-03-01").glob("*.eml"))) == 2
    first = day_run(t, 2)  # t's draft of 03-01 goes; u's stays, and nobody is told to delete it
    assert len(list((root / "2027-03-01").glob("*.eml"))) == 1
    assert "2027-03-01" not in said(first) and "Kept the old" not in said(first)
    second = day_run(u, 2)
    assert folders(t) == ["2027-03-02", "2027-03-03"]
    assert "Removed the old follow-up drafts folder '2027-03-01'" in said(second)


def test_the_files_windows_and_a_mac_leave_in_a_folder_do_not_keep_it(tmp_path):
    path, old = two_days(tmp_path)
    (old / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1" + bytes(100))
    (old / "Thumbs.db").write_bytes(bytes(64))
    (old / "desktop.ini").write_text("[.ShellClassInfo]", encoding="utf-8")
    third = day_run(path, 2)
    assert folders(path) == ["2027-03-02", "2027-03-03"]
    assert "Removed the old follow-up drafts folder '2027-03-01'" in said(third)


def test_a_run_that_changes_nothing_in_the_workbook_removes_no_folder_so_undo_always_puts_them_back(tmp_path):
    path = book(tmp_path, 3)
    for n in range(4):
        day_run(path, n)
    set_config(path, "Draft Days To Keep", 1)
    quiet = day_run(path, 3, hour=10)  # nothing new to write in the workbook: no Change Log row, no undo
    assert quiet.changes == 0
    assert folders(path) == ["2027-03-01", "2027-03-02", "2027-03-03", "2027-03-04"]
    assert "old follow-up drafts folder" not in said(quiet)
    root = path.parent / "Follow-up drafts"
    before = {p.name: p.read_bytes() for p in (root / "2027-03-01").iterdir()}
    edit_purpose(path, "Line review, again")
    pruning = day_run(path, 3, hour=11)
    assert pruning.changes > 0 and folders(path) == ["2027-03-03", "2027-03-04"]
    run(path, ["undo"], Context(today=DAY1 + timedelta(days=3), now=datetime(2027, 3, 4, 12)))
    assert {p.name: p.read_bytes() for p in (root / "2027-03-01").iterdir()} == before  # its record too
    edit_purpose(path, "Line review, once more")
    again = day_run(path, 3, hour=13)
    assert folders(path) == ["2027-03-03", "2027-03-04"] and again.changes > 0


def test_pruning_needs_neither_the_change_log_nor_the_runs_records(tmp_path):
    """The record inside the day's folder is all a run reads: the Change Log emptied and 'prodbook backups'
    deleted, the old folder still goes."""
    path, _ = two_days(tmp_path)
    for p in sorted((tmp_path / "prodbook backups").rglob("*"), reverse=True):
        p.rmdir() if p.is_dir() else p.unlink()
    wb = openpyxl.load_workbook(path)
    log = wb["Change Log"]
    log.delete_rows(2, log.max_row)
    wb.save(path)
    third = day_run(path, 2)
    assert folders(path) == ["2027-03-02", "2027-03-03"]
    assert "Removed the old follow-up drafts folder '2027-03-01'" in said(third)


def test_a_folder_kept_for_the_apms_file_is_said_once_with_its_reason(tmp_path):
    path, old = two_days(tmp_path)
    (old / "notes for Rahim.txt").write_text("call about the proto", encoding="utf-8")
    third = day_run(path, 2)
    assert sorted(p.name for p in old.iterdir() if p.suffix != ".json") == ["notes for Rahim.txt"]  # draft gone
    line = next(x for x in said(third).splitlines() if "'2027-03-01'" in x)
    assert "'notes for Rahim.txt'" in line and "not a draft prodbook wrote" in line and "edited" not in line
    fourth = day_run(path, 3)
    assert "2027-03-01" not in said(fourth) and old.is_dir()


def test_a_folder_kept_for_a_draft_edited_since_says_so_once(tmp_path):
    path, old = two_days(tmp_path)
    (draft,) = old.glob("*.eml")
    draft.write_bytes(draft.read_bytes().replace(b"Subject:", b"Subject: EDITED", 1))
    third = day_run(path, 2)
    line = next(x for x in said(third).splitlines() if "'2027-03-01'" in x)
    assert f"'{draft.name}'" in line and "edited since" in line and "your own file" not in line
    assert draft.is_file()
    assert "2027-03-01" not in said(day_run(path, 3))


def test_a_folder_written_before_prodbook_recorded_its_drafts_is_left_alone_silently(tmp_path):
    path, old = two_days(tmp_path)
    for p in old.glob("*.json"):
        p.unlink()  # as an older prodbook left it
    third = day_run(path, 2)
    assert "2027-03-01" in folders(path) and "2027-03-01" not in said(third)
    assert len(list(old.glob("*.eml"))) == 1


def test_a_tracker_synced_to_another_folder_still_knows_its_drafts(tmp_path):
    """The same tracker on a second PC (its OneDrive synced to another path), or its folder moved: a draft is
    known by the workbook's file name in the record, not by the whole path."""
    first = tmp_path / "ann"
    first.mkdir()
    path, _ = two_days(first)
    moved = tmp_path / "bob"
    first.rename(moved)
    third = day_run(moved / path.name, 2)
    assert folders(moved / path.name) == ["2027-03-02", "2027-03-03"]
    assert "Removed the old follow-up drafts folder '2027-03-01'" in said(third)



def test_a_draft_written_as_a_file_when_outlook_stopped_is_named_so_not_as_the_apms_file(tmp_path, monkeypatch):
    """Two trackers beside one drafts folder: u's run from the command line writes its draft (and the day's
    record); t's Excel button finds Outlook closing before it took the draft, so t's draft is an .eml file there,
    which the record does not list. When the folder is old, t's line keeping it says what the file is (a draft
    prodbook wrote because Outlook stopped) and where, never 'your own file'."""
    t = book(tmp_path, 1)
    u = tmp_path / "u.xlsx"
    u.write_bytes(t.read_bytes())
    day_run(u, 0)
    monkeypatch.setattr(outlook, "_outlook", lambda: FakeOutlook(fail_after=0))
    run(t, ["followups"], Context(today=DAY1, now=datetime(2027, 3, 1, 10), outlook=True))
    monkeypatch.undo()  # the next days from the command line
    old = tmp_path / "Follow-up drafts" / "2027-03-01"
    assert len(list(old.glob("*.eml"))) == 2
    record = kept_drafts.day_record(old)
    assert record is not None
    (draft,) = [p for p in old.glob("*.eml") if p.name not in record.drafts]
    day_run(t, 1)
    third = day_run(t, 2)
    line = next(x for x in said(third).splitlines() if "'2027-03-01'" in x)
    assert f"'{draft.name}'" in line and "your own file" not in line, line
    assert "prodbook wrote" in line and "Outlook stopped" in line and "not a draft" not in line, line
    assert draft.is_file()
