"""Follow-up drafts and undo (helper-115): a dry run names today's earlier drafts it would take away; a run
moves such a draft aside into 'prodbook backups' instead of deleting it; undo of a follow-ups or refresh run
puts the drafts folder back as it was before that run: a draft it took away or rewrote comes back, a draft it
wrote goes, unless the APM changed it since or has it open. Real trackers written and run, real .eml files on
disk compared byte for byte."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from conftest import add_config, base_sheets, sheet_values, write_book
from prodbook.cli import main
from prodbook.jobs.base import Context
from prodbook.jobs.runner import REFRESH, run
from prodbook.workbook.safety import BACKUP_DIR

TODAY = date(2027, 3, 1)
BD1 = "BD1_follow-up_2027-03-01.eml"
CN1 = "CN1_follow-up_2027-03-01.eml"


def ctx(out: Path | None, hour: int, *, dry_run: bool = False) -> Context:
    return Context(today=TODAY, now=datetime(2027, 3, 1, hour), out=out, dry_run=dry_run)


def morning(tmp_path: Path) -> tuple[Path, Path]:
    """The 09:00 run: BD1 and CN1 each get a draft."""
    path = write_book(tmp_path / "t.xlsx", base_sheets())
    out = tmp_path / "d"
    run(path, ["ta", "exceptions", "followups"], ctx(out, 9))
    assert sorted(p.name for p in out.glob("*.eml")) == [BD1, CN1]
    return path, out


def cancel_cn1(path: Path) -> None:
    """CN1's only PO line cancelled: CN1 has nothing left to chase."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Orders"]
    ws.cell(row=1, column=ws.max_column + 1, value="Line Status")
    ws.cell(row=3, column=ws.max_column, value="Cancelled")
    wb.save(path)


def new_bd1_address(path: Path) -> None:
    """BD1's Email changed: its draft is rewritten (a new To), and its Contact on the Follow-ups sheet."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Vendors"]
    ws.cell(row=2, column=4, value="orders@dhaka-knit.example")
    wb.save(path)


def kept_copies(tmp_path: Path) -> list[Path]:
    return sorted(p for p in (tmp_path / BACKUP_DIR).rglob("*.eml")) if (tmp_path / BACKUP_DIR).is_dir() else []


def test_a_dry_run_names_todays_earlier_draft_it_would_remove_and_touches_nothing(tmp_path):
    path, out = morning(tmp_path)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    cancel_cn1(path)
    result = run(path, ["followups"], ctx(out, 12, dry_run=True))
    said = "\n".join(result.outcomes[-1].summary)
    assert f"Would remove today's earlier draft '{CN1}': CN1 has nothing left to chase" in said, said
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert kept_copies(tmp_path) == []


def test_refresh_dry_run_on_the_command_line_names_the_draft_too(tmp_path):
    path = write_book(tmp_path / "t.xlsx", base_sheets())
    run(path, list(REFRESH), ctx(None, 9), title="Refresh")  # the drafts beside the workbook, as refresh puts them
    out = tmp_path / "Follow-up drafts" / TODAY.isoformat()
    cancel_cn1(path)
    done = CliRunner().invoke(main, ["refresh", str(path), "--today", TODAY.isoformat(), "--dry-run"])
    text = " ".join(done.output.split())
    assert f"Would remove today's earlier draft '{CN1}'" in text, done.output
    assert "nothing was written" in text, done.output
    assert (out / CN1).exists() and (out / BD1).exists()


def test_an_earlier_draft_taken_away_is_kept_in_the_backups_folder_not_deleted(tmp_path):
    path, out = morning(tmp_path)
    cn1 = (out / CN1).read_bytes()
    cancel_cn1(path)
    result = run(path, ["ta", "exceptions", "followups"], ctx(out, 12))
    assert not (out / CN1).exists() and (out / BD1).exists()
    kept = kept_copies(tmp_path)
    assert [p.name for p in kept] == [CN1] and kept[0].read_bytes() == cn1, kept
    said = " ".join(result.outcomes[-1].summary)
    assert f"'{CN1}'" in said and BACKUP_DIR in said, said


def test_undo_puts_back_a_draft_the_run_took_away_and_the_one_it_rewrote(tmp_path):
    path, out = morning(tmp_path)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    cancel_cn1(path)
    new_bd1_address(path)
    run(path, ["ta", "exceptions", "followups"], ctx(out, 12))
    assert not (out / CN1).exists() and (out / BD1).read_bytes() != before[BD1]
    assert b"orders@dhaka-knit.example" in (out / BD1).read_bytes()
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    look = run(path, ["undo"], ctx(out, 13, dry_run=True))
    said = " ".join(look.outcomes[-1].summary)
    assert f"Would put back the draft '{CN1}'" in said and f"Would put back the draft '{BD1}'" in said, said
    assert {p.name: p.read_bytes() for p in out.iterdir()} == after
    undo = run(path, ["undo"], ctx(out, 13))
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert {r[0] for r in sheet_values(path, "Follow-ups")[1:]} == {"BD1", "CN1"}
    said = " ".join(undo.outcomes[-1].summary)
    assert CN1 in said and BD1 in said, said


def test_undo_of_a_refresh_takes_away_the_drafts_it_wrote(tmp_path):
    path = write_book(tmp_path / "t.xlsx", base_sheets())
    out = tmp_path / "d"
    run(path, list(REFRESH), ctx(out, 9), title="Refresh")
    assert sorted(p.name for p in out.glob("*.eml")) == [BD1, CN1]
    undo = run(path, ["undo"], ctx(out, 10))
    assert list(out.glob("*.eml")) == []
    assert not [f for f in undo.findings if "draft" in f.message], undo.findings


def test_undo_leaves_a_draft_changed_since_or_open_and_says_so(tmp_path):
    path, out = morning(tmp_path)
    edited = (out / BD1).read_bytes().replace(b"Dear", b"Hello")
    assert edited != (out / BD1).read_bytes()
    (out / BD1).write_bytes(edited)  # the APM edited it
    (out / "~$N1_follow-up_2027-03-01.eml").write_bytes(b"\x00" * 162)  # open in Outlook's editor
    undo = run(path, ["undo"], ctx(out, 10))
    assert (out / BD1).read_bytes() == edited and (out / CN1).exists()
    for name, why in ((BD1, "changed since"), (CN1, "open")):
        said = [f for f in undo.findings if name in f.message]
        assert len(said) == 1 and said[0].severity == "warning", undo.findings
        assert why in said[0].message and "by hand" in said[0].message, said[0].message


def test_the_kept_drafts_of_older_runs_are_let_go_of_as_backups_are_and_their_undo_says_so(tmp_path):
    """Backups To Keep 1: the noon run's folder of kept drafts goes when the 14:00 run keeps its own. Undo of
    the 14:00 run puts its drafts back; undo of the noon run then has no record of its drafts, and says so."""
    path = add_config(write_book(tmp_path / "t.xlsx", base_sheets()), ("Backups To Keep", 1))
    out = tmp_path / "d"
    run(path, ["ta", "exceptions", "followups"], ctx(out, 9))
    cancel_cn1(path)
    run(path, ["ta", "exceptions", "followups"], ctx(out, 12))
    noon = (out / BD1).read_bytes()
    new_bd1_address(path)
    run(path, ["ta", "exceptions", "followups"], ctx(out, 14))
    folders = [p.name for p in (tmp_path / BACKUP_DIR).iterdir() if p.is_dir()]
    assert len(folders) == 1 and "140000" in folders[0], folders
    run(path, ["undo"], ctx(out, 15))
    assert (out / BD1).read_bytes() == noon and not (out / CN1).exists()
    undo = run(path, ["undo"], ctx(out, 16))
    said = [f for f in undo.findings if "drafts" in f.message]
    assert len(said) == 1 and "Run Follow-ups again" in said[0].message, undo.findings
    assert (out / BD1).read_bytes() == noon
