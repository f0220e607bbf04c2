"""Re-running the demo over one whose files are open elsewhere: all or nothing, said plainly.

Windows refuses to rename or delete a file a program has open. Before, `prodbook demo --force` with a demo
vendor file open in Excel moved half the demo into 'old demos', then stopped with "unexpected problem"."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from prodbook.workbook import demo_folder
from prodbook.workbook.demo_folder import DemoFolderInUse, prepare, record

NOW = datetime(2026, 12, 5, 9, 30)
VENDOR_FILE = "vendor files/WIP/DHK WIP 2026-11-20.xlsx"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def a_demo(folder: Path, *, changed: bool = False) -> Path:
    """A demo folder as `prodbook demo` leaves it (its manifest), with a note typed in since if ``changed``."""
    for name in (demo_folder.WORKBOOK, demo_folder.KIDS_WORKBOOK, VENDOR_FILE, "Follow-up drafts/2026-11-25/BD1.eml"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(name.encode())
    record(folder)
    (folder / "my notes.txt").write_text("mine")
    if changed:
        (folder / demo_folder.WORKBOOK).write_bytes(b"a note typed in the T&A")
    return folder


@pytest.mark.parametrize("force", [False, True])
def test_a_vendor_file_open_in_excel_refuses_the_rerun_before_anything_moves(tmp_path, force):
    folder = a_demo(tmp_path, changed=force)
    (folder / "vendor files" / "WIP" / "~$DHK WIP 2026-11-20.xlsx").write_bytes(b"owner")
    before = tree(folder)
    with pytest.raises(DemoFolderInUse, match="DHK WIP 2026-11-20.xlsx' is open in Excel.*Close it"):
        prepare(folder, force=force, now=NOW)
    assert tree(folder) == before


@pytest.mark.parametrize("force", [False, True])
def test_a_file_windows_will_not_move_puts_back_what_moved(tmp_path, monkeypatch, force):
    """A program that holds a file without a lock file beside it (a CSV open in Excel, a preview pane): the
    rename is refused part-way, and what had moved goes back."""
    folder = a_demo(tmp_path, changed=force)
    before = tree(folder)
    real = os.rename

    def rename(src: str | Path, dst: str | Path) -> None:
        if Path(src).name == "vendor files":
            raise PermissionError(13, "The process cannot access the file because it is being used", str(src))
        real(src, dst)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(DemoFolderInUse, match="vendor files' could not be moved .*nothing was changed"):
        prepare(folder, force=force, now=NOW)
    assert tree(folder) == before
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [demo_folder.WORKBOOK, demo_folder.KIDS_WORKBOOK, "vendor files", "Follow-up drafts", "my notes.txt",
         demo_folder.MANIFEST])  # no 'old demos', no half-emptied folder left


def test_a_file_that_cannot_be_read_is_a_plain_refusal(tmp_path, monkeypatch):
    folder = a_demo(tmp_path)
    before = tree(folder)
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name.endswith(".xlsx") and "WIP" in self.parts:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    with pytest.raises(DemoFolderInUse, match="DHK WIP 2026-11-20.xlsx' could not be read or moved"):
        prepare(folder, force=True, now=NOW)
    monkeypatch.undo()
    assert tree(folder) == before


def test_an_unchanged_demo_is_removed_whole_and_a_changed_one_moved_whole(tmp_path):
    unchanged = a_demo(tmp_path / "a")
    assert prepare(unchanged, force=False, now=NOW).removed == 4
    assert sorted(p.name for p in unchanged.iterdir()) == ["my notes.txt"]  # nothing of the demo, no trash
    changed = a_demo(tmp_path / "b", changed=True)
    before = tree(changed)
    moved = prepare(changed, force=True, now=NOW).moved_to
    assert moved == changed / "old demos" / "demo 2026-12-05 093000"
    assert tree(moved) == {k: v for k, v in before.items() if k != "my notes.txt"}
    assert sorted(p.name for p in changed.iterdir()) == ["my notes.txt", "old demos"]


def test_a_scorecard_a_roll_up_and_its_database_made_beside_the_demo_go_with_it(tmp_path):
    """The README's commands on the demo write a scorecard, a roll-up and its database beside it: a fresh demo
    (make demo FORCE=1) moved the report and left those, an older day's beside the new demo."""
    folder = a_demo(tmp_path / "a")
    for name in ("Vendor Scorecard 2026-12-05.xlsx", "Season Roll-up 2026-12-05.xlsx", "prodbook-rollup.duckdb"):
        (folder / name).write_bytes(b"made by a command on the demo")
    moved = prepare(folder, force=True, now=NOW).moved_to
    assert moved is not None
    assert sorted(p.name for p in folder.iterdir()) == ["my notes.txt", "old demos"]
    assert {"Vendor Scorecard 2026-12-05.xlsx", "Season Roll-up 2026-12-05.xlsx",
            "prodbook-rollup.duckdb"} <= {p.name for p in moved.iterdir()}


def test_a_changed_demos_refusal_names_the_changed_tracker_first_and_its_backups_in_one_line(tmp_path):
    """After a few runs on the demo, the refusal listed each backup as 'was added' before the tracker that
    was changed."""
    folder = a_demo(tmp_path / "a", changed=True)
    for n in range(4):
        (folder / "prodbook backups").mkdir(exist_ok=True)
        (folder / "prodbook backups" / f"demo-tracker 2026-12-0{n + 1}.xlsx").write_bytes(b"a backup")
    said = demo_folder.differences(folder)
    assert said[0] == f"'{demo_folder.WORKBOOK}' was changed"
    assert said[-1] == "4 backup(s) were added in 'prodbook backups'" and len(said) == 2


def test_the_refusal_counts_the_trackers_backups_apart_from_the_follow_up_drafts_kept_for_undo(tmp_path):
    """A run on the demo that rewrote a follow-up draft keeps the earlier draft, with its record, in a folder
    of 'prodbook backups': the refusal counted those files as backups of the tracker (3 where there was 1)."""
    from datetime import date

    import openpyxl

    from conftest import base_sheets, write_book
    from prodbook.jobs.base import Context
    from prodbook.jobs.runner import REFRESH, run

    path = write_book(tmp_path / demo_folder.WORKBOOK, base_sheets())
    run(path, list(REFRESH), Context(today=date(2027, 3, 1), now=datetime(2027, 3, 1, 9)), title="Refresh")
    record(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["Vendors"].cell(row=2, column=4, value="orders@dhaka-knit.example")  # BD1's draft is rewritten
    wb.save(path)
    run(path, ["followups"], Context(today=date(2027, 3, 1), now=datetime(2027, 3, 1, 12)))
    kept = sorted((tmp_path / "prodbook backups").glob("*/*.eml"))
    assert len(kept) == 1, kept
    said = demo_folder.differences(tmp_path)
    assert "1 backup(s) were added in 'prodbook backups'" in said, said
    assert "1 earlier follow-up draft(s) were kept in 'prodbook backups' for Undo" in said, said
