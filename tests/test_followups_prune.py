"""Follow-ups: the old days' 'Follow-up drafts/DATE' folders beside the workbook go as backups do, only when
they hold nothing but the drafts prodbook wrote for this tracker, unchanged; never today's."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from conftest import add_config, base_sheets, write_book
from prodbook.core.findings import Code
from prodbook.jobs.base import Context
from prodbook.jobs.runner import REFRESH, run

DAY1 = date(2027, 3, 1)


def book(tmp_path: Path, keep: int | str | None = 2) -> Path:
    sheets = base_sheets()
    sheets["Samples"] = [["Style #", "Sample Type", "Purpose", "Color", "Due", "Shipped"],
                         ["S1", "Proto", "Line review", "Navy", date(2027, 2, 25), None]]
    path = write_book(tmp_path / "t.xlsx", sheets)
    return add_config(path, ("Draft Days To Keep", keep)) if keep is not None else path


def day_run(path: Path, n: int, *, dry_run: bool = False, jobs: tuple[str, ...] = ("followups",)):
    """Follow-ups on day ``n`` after DAY1 (drafts to 'Follow-up drafts/DATE' beside the workbook)."""
    today = DAY1 + timedelta(days=n)
    return run(path, list(jobs), Context(today=today, now=datetime.combine(today, datetime.min.time()).replace(hour=9),
                                    dry_run=dry_run))


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
    path = book(tmp_path, keep=1)
    day_run(path, 0)
    day_run(path, 1)
    root = path.parent / "Follow-up drafts"
    (root / "2027-03-01" / "notes for Rahim.txt").write_text("call about the proto", encoding="utf-8")
    (draft,) = (root / "2027-03-02").glob("*.eml")
    draft.write_bytes(draft.read_bytes().replace(b"Subject:", b"Subject: EDITED", 1))  # the APM edited it
    third = day_run(path, 2)
    fourth = day_run(path, 3)
    assert folders(path) == ["2027-03-01", "2027-03-02", "2027-03-03", "2027-03-04"]
    assert (root / "2027-03-01" / "notes for Rahim.txt").is_file() and draft.is_file()
    assert "'2027-03-01' in" in said(third) and "'notes for Rahim.txt'" in said(third)
    assert "Left the old follow-up drafts folder '2027-03-02'" in said(fourth) and f"'{draft.name}'" in said(fourth)
    assert "2027-03-03" in folders(path)  # not yet older than the newest day kept before today


def test_a_dry_run_removes_nothing_and_says_what_it_would(tmp_path):
    path = book(tmp_path, keep=1)
    day_run(path, 0)
    day_run(path, 1)
    dry = day_run(path, 2, dry_run=True)
    assert folders(path) == ["2027-03-01", "2027-03-02"]
    assert "Would remove the old follow-up drafts folder '2027-03-01'" in said(dry)


def test_the_refresh_prunes_and_its_undo_puts_the_folder_back(tmp_path):
    path = book(tmp_path, keep=1)
    day_run(path, 0)
    day_run(path, 1)
    root = path.parent / "Follow-up drafts"
    before = {p.name: p.read_bytes() for p in (root / "2027-03-01").iterdir()}
    day_run(path, 2, jobs=REFRESH)
    assert folders(path) == ["2027-03-02", "2027-03-03"]
    run(path, ["undo"], Context(today=DAY1 + timedelta(days=2), now=datetime(2027, 3, 3, 10)))
    assert {p.name: p.read_bytes() for p in (root / "2027-03-01").iterdir()} == before


def test_a_setting_that_is_no_number_of_days_is_named_and_a_week_is_kept(tmp_path):
    path = book(tmp_path, keep="two weeks")
    for n in range(3):
        result = day_run(path, n)
    (f,) = [f for f in result.findings if f.code is Code.SETTING]
    assert f.sheet == "Config" and f.row == 2 and "'Draft Days To Keep'" in f.message
    assert folders(path) == ["2027-03-01", "2027-03-02", "2027-03-03"]
