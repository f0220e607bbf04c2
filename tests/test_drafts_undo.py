"""Follow-up drafts and undo (helper-115): a dry run names today's earlier drafts it would take away; a run
moves such a draft aside into 'prodbook backups' instead of deleting it; undo of a follow-ups or refresh run
puts the drafts folder back as it was before that run: a draft it took away or rewrote comes back, a draft it
wrote goes, unless the APM changed it since or has it open. Real trackers written and run, real .eml files on
disk compared byte for byte."""

from __future__ import annotations

import errno
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from conftest import add_config, base_sheets, sheet_values, write_book
from prodbook.cli import main
from prodbook.jobs.base import Context
from prodbook.jobs.runner import REFRESH, run
from prodbook.workbook import kept_drafts, publish
from prodbook.workbook.safety import BACKUP_DIR, WorkbookLocked

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


# --------------------------------------------------------------------------- review findings (helper-122)
def backups_elsewhere(monkeypatch) -> None:
    """'prodbook backups' on another drive than the drafts folder: a rename between them fails as Windows and
    Linux refuse it (EXDEV), a rename inside either still works."""
    real = kept_drafts.replace_file

    def replace(src, dst):
        if (BACKUP_DIR in Path(src).parts) != (BACKUP_DIR in Path(dst).parts):
            raise OSError(errno.EXDEV, "Invalid cross-device link", str(src), None, str(dst))
        real(src, dst)

    monkeypatch.setattr(kept_drafts, "replace_file", replace)


def test_undo_puts_a_rewritten_draft_back_across_drives_and_lets_its_kept_copy_go(tmp_path, monkeypatch):
    path, out = morning(tmp_path)
    before = (out / BD1).read_bytes()
    new_bd1_address(path)
    run(path, ["ta", "exceptions", "followups"], ctx(out, 12))
    assert (out / BD1).read_bytes() != before and [p.name for p in kept_copies(tmp_path)] == [BD1]
    backups_elsewhere(monkeypatch)
    undo = run(path, ["undo"], ctx(out, 13))
    assert (out / BD1).read_bytes() == before
    assert kept_copies(tmp_path) == [] and sorted(p.name for p in out.iterdir()) == [BD1, CN1]
    assert not [f for f in undo.findings if BD1 in f.message], undo.findings


def test_a_draft_that_cannot_be_put_back_leaves_the_runs_draft_and_says_the_real_reason(tmp_path, monkeypatch):
    path, out = morning(tmp_path)
    new_bd1_address(path)
    run(path, ["ta", "exceptions", "followups"], ctx(out, 12))
    noon = (out / BD1).read_bytes()
    backups_elsewhere(monkeypatch)

    def disk_full(src, dst, **_):
        raise OSError(errno.ENOSPC, "No space left on device", str(dst))

    monkeypatch.setattr(kept_drafts.shutil, "copy2", disk_full)
    undo = run(path, ["undo"], ctx(out, 13))
    assert (out / BD1).read_bytes() == noon  # the run's draft stays until its earlier one can replace it
    assert [p.name for p in kept_copies(tmp_path)] == [BD1]
    said = [f.message for f in undo.findings if BD1 in f.message]
    assert len(said) == 1 and "disk is full" in said[0] and "read-only" not in said[0], said


def test_a_draft_that_could_not_be_kept_is_named_with_the_real_reason_and_its_undo_says_so(tmp_path, monkeypatch):
    """A path too long for Windows: the stale draft left, or the rewritten one's earlier copy not kept, said so
    at once; the undo then says the run could not keep it, not that its copy was let go of."""
    path, out = morning(tmp_path)
    cancel_cn1(path)
    new_bd1_address(path)

    def too_long(p, folder, *, move):
        raise OSError(errno.ENAMETOOLONG, "File name too long", str(folder / p.name))

    monkeypatch.setattr(publish, "keep", too_long)
    noon = run(path, ["ta", "exceptions", "followups"], ctx(out, 12))
    monkeypatch.undo()
    for name in (CN1, BD1):
        said = [f.message for f in noon.findings if name in f.message]
        assert len(said) == 1 and "longer than this computer allows" in said[0], noon.findings
    assert (out / CN1).exists() and b"orders@dhaka-knit.example" in (out / BD1).read_bytes()
    undo = run(path, ["undo"], ctx(out, 13))
    said = [f.message for f in undo.findings if BD1 in f.message]
    assert len(said) == 1 and "could not keep" in said[0] and "no longer" not in said[0], undo.findings


def test_pruning_lets_go_only_of_this_workbooks_kept_drafts(tmp_path):
    """'t.xlsx' and 't drafts 2.xlsx' in one folder: t's folders of kept drafts start as the other's do, yet
    Backups To Keep 1 on t lets go of t's older folder only."""
    path = add_config(write_book(tmp_path / "t.xlsx", base_sheets()), ("Backups To Keep", 1))
    other = write_book(tmp_path / "t drafts 2.xlsx", base_sheets())
    run(path, ["ta", "exceptions", "followups"], ctx(tmp_path / "d", 9))
    run(other, ["ta", "exceptions", "followups"], ctx(tmp_path / "e", 10))
    new_bd1_address(path)  # t's 11:00 run rewrites a draft: its folder of kept drafts is made, older ones pruned
    run(path, ["ta", "exceptions", "followups"], ctx(tmp_path / "d", 11))
    folders = sorted(p.name for p in (tmp_path / BACKUP_DIR).iterdir() if p.is_dir())
    assert len(folders) == 2 and any(f.startswith("t drafts 2 drafts") for f in folders), folders
    undo = run(other, ["undo"], ctx(tmp_path / "e", 12))
    assert list((tmp_path / "e").glob("*.eml")) == [], undo.findings


def test_a_record_naming_a_file_outside_the_drafts_folder_is_a_warning_never_acted_on(tmp_path):
    (tmp_path / "w").mkdir()
    path = write_book(tmp_path / "w" / "t.xlsx", base_sheets())
    out = tmp_path / "w" / "d"
    run(path, ["ta", "exceptions", "followups"], ctx(out, 9))
    victim = tmp_path / "victim.eml"
    victim.write_bytes(b"not a draft of this run")
    (folder,) = [p for p in (tmp_path / "w" / BACKUP_DIR).iterdir() if p.is_dir()]
    (folder / "x.eml").write_bytes(b"a kept copy")
    record = json.loads((folder / kept_drafts.RECORD).read_text(encoding="utf-8"))
    record["drafts"] += [{"path": "../victim.eml", "wrote": kept_drafts.digest(victim), "kept": None,
                          "replaced": False},
                         {"path": str(tmp_path / "w" / "new.eml"), "wrote": None, "kept": "../x.eml",
                          "replaced": True},
                         {"path": "d/other.eml", "wrote": None, "kept": "../" + folder.name + "/x.eml",
                          "replaced": True}]
    (folder / kept_drafts.RECORD).write_text(json.dumps(record), encoding="utf-8")
    undo = run(path, ["undo"], ctx(out, 10))
    assert victim.read_bytes() == b"not a draft of this run"
    assert (folder / "x.eml").exists() and not (out / "other.eml").exists()
    assert not (tmp_path / "w" / "new.eml").exists()
    said = [f for f in undo.findings if "victim.eml" in f.message or "x.eml" in f.message]
    assert len(said) == 3 and all(f.severity == "warning" for f in said), undo.findings
    assert list(out.glob("*.eml")) == []  # the entries that can be trusted were still undone


# --------------------------------------------------------------------------- leftovers (helper-124)
def beside(tmp_path: Path) -> Path:
    """Today's drafts folder as a refresh without --out makes it: 'Follow-up drafts/DATE' beside the workbook."""
    return tmp_path / "Follow-up drafts" / TODAY.isoformat()


def test_undo_removes_the_dated_drafts_folder_its_run_made_once_it_is_empty(tmp_path):
    path = write_book(tmp_path / "t.xlsx", base_sheets())
    run(path, list(REFRESH), ctx(None, 9), title="Refresh")
    assert sorted(p.name for p in beside(tmp_path).iterdir()) == sorted([BD1, CN1, kept_drafts.DAY_RECORD])
    look = run(path, ["undo"], ctx(None, 10, dry_run=True))
    said = " ".join(look.outcomes[-1].summary)
    assert f"Would remove the folder '{TODAY.isoformat()}'" in said and "if nothing else is left" in said, said
    assert sorted(p.name for p in beside(tmp_path).iterdir()) == sorted([BD1, CN1, kept_drafts.DAY_RECORD])
    undo = run(path, ["undo"], ctx(None, 10))
    assert not beside(tmp_path).exists()
    assert not (tmp_path / "Follow-up drafts").exists()  # made by that run too, and empty now
    said = " ".join(undo.outcomes[-1].summary)
    assert f"'{TODAY.isoformat()}'" in said and "Follow-up drafts" in said, said


def test_undo_leaves_follow_up_drafts_holding_other_days_and_a_folder_holding_anything(tmp_path):
    path = write_book(tmp_path / "t.xlsx", base_sheets())
    yesterday = tmp_path / "Follow-up drafts" / "2027-02-28"
    yesterday.mkdir(parents=True)
    (yesterday / "BD1_follow-up_2027-02-28.eml").write_bytes(b"yesterday's draft")
    run(path, list(REFRESH), ctx(None, 9), title="Refresh")
    run(path, ["undo"], ctx(None, 10))
    assert not beside(tmp_path).exists()
    assert [p.name for p in (tmp_path / "Follow-up drafts").iterdir()] == ["2027-02-28"]
    assert (yesterday / "BD1_follow-up_2027-02-28.eml").read_bytes() == b"yesterday's draft"
    run(path, list(REFRESH), ctx(None, 11), title="Refresh")  # the APM then saves a note in today's folder
    (beside(tmp_path) / "call notes.txt").write_text("BD1 called back", encoding="utf-8")
    run(path, ["undo"], ctx(None, 12))
    assert [p.name for p in beside(tmp_path).iterdir()] == ["call notes.txt"]


def test_an_older_record_that_does_not_say_which_folders_its_run_made_leaves_them(tmp_path):
    path = write_book(tmp_path / "t.xlsx", base_sheets())
    run(path, list(REFRESH), ctx(None, 9), title="Refresh")
    (record,) = (tmp_path / BACKUP_DIR).glob(f"*/{kept_drafts.RECORD}")
    data = json.loads(record.read_text(encoding="utf-8"))
    assert data.pop("made"), data  # the field an older prodbook did not write
    record.write_text(json.dumps(data), encoding="utf-8")
    run(path, ["undo"], ctx(None, 10))
    assert beside(tmp_path).is_dir() and list(beside(tmp_path).iterdir()) == []


def test_t_xlsx_and_t_xlsm_run_in_the_same_second_keep_their_drafts_apart(tmp_path, monkeypatch):
    """Two workbooks 'T.xlsx' and 'T.xlsm' in one folder, each run in the same second (two prodbook windows:
    the same run name): each run's record of its drafts is its own, and each undo takes away its own drafts."""
    from prodbook.jobs import runner
    from test_xlsxparts import make_xlsm

    xlsx = write_book(tmp_path / "T.xlsx", base_sheets())
    xlsm = write_book(tmp_path / "T.xlsm", base_sheets())
    make_xlsm(xlsm)
    monkeypatch.setattr(runner, "_issued", {})  # no run of this test process before, in that second
    first = run(xlsx, ["ta", "exceptions", "followups"], ctx(tmp_path / "d1", 9))
    monkeypatch.setattr(runner, "_issued", {})  # the other window: its own count of runs in that second
    second = run(xlsm, ["ta", "exceptions", "followups"], ctx(tmp_path / "d2", 9))
    assert first.action == second.action
    folders = [p for p in (tmp_path / BACKUP_DIR).iterdir() if p.is_dir()]
    assert len(folders) == 2, folders
    undo = run(xlsx, ["undo"], ctx(tmp_path / "d1", 10))
    assert list((tmp_path / "d1").glob("*.eml")) == [], undo.findings
    assert sorted(p.name for p in (tmp_path / "d2").glob("*.eml")) == [BD1, CN1]
    run(xlsm, ["undo"], ctx(tmp_path / "d2", 10))
    assert list((tmp_path / "d2").glob("*.eml")) == []


def test_pruning_one_of_t_xlsx_and_t_xlsm_lets_go_of_its_own_folders_only(tmp_path):
    from test_xlsxparts import make_xlsm

    xlsm = add_config(write_book(tmp_path / "T.xlsm", base_sheets()), ("Backups To Keep", 1))
    make_xlsm(xlsm)
    xlsx = write_book(tmp_path / "T.xlsx", base_sheets())
    run(xlsx, ["ta", "exceptions", "followups"], ctx(tmp_path / "d1", 8))
    run(xlsm, ["ta", "exceptions", "followups"], ctx(tmp_path / "d2", 9))
    new_bd1_address(xlsm)
    run(xlsm, ["ta", "exceptions", "followups"], ctx(tmp_path / "d2", 11))
    folders = sorted(p.name for p in (tmp_path / BACKUP_DIR).iterdir() if p.is_dir())
    assert len(folders) == 2 and any("080000" in f for f in folders) and any("110000" in f for f in folders), folders
    run(xlsx, ["undo"], ctx(tmp_path / "d1", 12))
    assert list((tmp_path / "d1").glob("*.eml")) == []


def test_a_run_refused_because_the_workbook_is_open_writes_and_records_no_draft(tmp_path):
    """The workbook open in Excel ('~$t.xlsx' beside it): the run writes nothing, no draft, no record."""
    path, out = morning(tmp_path)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    records = sorted((tmp_path / BACKUP_DIR).glob(f"*/{kept_drafts.RECORD}"))
    cancel_cn1(path)
    new_bd1_address(path)
    (tmp_path / "~$t.xlsx").write_bytes(b"\x05Ann" + b"\x00" * 157)
    with pytest.raises(WorkbookLocked):
        run(path, ["ta", "exceptions", "followups"], ctx(out, 12))
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted((tmp_path / BACKUP_DIR).glob(f"*/{kept_drafts.RECORD}")) == records


def test_the_drafts_of_a_run_whose_changes_went_to_a_side_copy_are_undone_with_the_side_copy(tmp_path):
    """A T&A layout prodbook cannot rewrite (merged cells): the run's changes go to 't (prodbook).xlsx', the
    workbook stays as it was, the drafts are written. The run's drafts are recorded against the side copy,
    whose Change Log holds the run: undo of the side copy puts them back; undo of the workbook itself undoes
    its own last run (the morning's), never the side copy's record."""
    path, out = morning(tmp_path)
    morning_drafts = {p.name: p.read_bytes() for p in out.iterdir()}
    wb = openpyxl.load_workbook(path)
    wb["T&A"].merge_cells("M2:M3")
    ws = wb["Orders"]
    ws.cell(row=1, column=ws.max_column + 1, value="Line Status")
    ws.cell(row=3, column=ws.max_column, value="Cancelled")
    wb.save(path)
    new_bd1_address(path)
    noon = run(path, ["ta", "exceptions", "followups"], ctx(out, 12))
    side = tmp_path / "t (prodbook).xlsx"
    assert noon.commit.written == side, noon.commit
    assert not (out / CN1).exists() and (out / BD1).read_bytes() != morning_drafts[BD1]
    noon_drafts = {p.name: p.read_bytes() for p in out.iterdir()}
    looked = run(path, ["undo"], ctx(out, 13, dry_run=True))  # the workbook's own last run is the morning's
    assert "09:00:00" in looked.outcomes[-1].data["undone"], looked.outcomes[-1].data
    assert {p.name: p.read_bytes() for p in out.iterdir()} == noon_drafts
    undo = run(side, ["undo"], ctx(out, 14))
    assert "12:00:00" in undo.outcomes[-1].data["undone"], undo.outcomes[-1].data
    assert {p.name: p.read_bytes() for p in out.iterdir()} == morning_drafts, undo.findings
    (record,) = [r for r in (tmp_path / BACKUP_DIR).glob(f"*/{kept_drafts.RECORD}") if "120000" in r.parent.name]
    assert json.loads(record.read_text(encoding="utf-8"))["workbook"] == side.name


def test_an_xlsm_runs_record_kept_under_the_older_folder_name_is_still_undone(tmp_path):
    """A run of 'T.xlsm' recorded before the folder's name said its kind ('T drafts <run>'): its undo still
    finds the record."""
    from test_xlsxparts import make_xlsm

    xlsm = write_book(tmp_path / "T.xlsm", base_sheets())
    make_xlsm(xlsm)
    run(xlsm, ["ta", "exceptions", "followups"], ctx(tmp_path / "d", 9))
    (folder,) = [p for p in (tmp_path / BACKUP_DIR).iterdir() if p.is_dir()]
    assert folder.name.endswith(" xlsm"), folder.name
    folder.rename(folder.with_name(folder.name.removesuffix(" xlsm")))
    run(xlsm, ["undo"], ctx(tmp_path / "d", 10))
    assert list((tmp_path / "d").glob("*.eml")) == []


def earlier(hours: int, out: Path | None) -> Context:
    return Context(today=TODAY, now=datetime.now().replace(microsecond=0) - timedelta(hours=hours), out=out)


def _elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A tracker in 'book', and the command line in 'cwd': '--out d' there means 'cwd/d', not 'book/d'."""
    (tmp_path / "cwd").mkdir()
    (tmp_path / "book").mkdir()
    path = write_book(tmp_path / "book" / "t.xlsx", base_sheets())
    run(path, ["ta", "exceptions"], earlier(2, None))  # the command line's runs are timed now: before them
    monkeypatch.chdir(tmp_path / "cwd")
    return path, tmp_path / "cwd" / "d"


def _command(*args: str) -> str:
    done = CliRunner().invoke(main, [*args, "--today", TODAY.isoformat()])
    assert done.exit_code in (0, 1), done.output  # 1: warnings (a vendor without a contact), never a refusal
    return done.output


def test_undo_takes_away_the_drafts_of_a_relative_out_typed_in_another_folder(tmp_path, monkeypatch):
    path, out = _elsewhere(tmp_path, monkeypatch)
    _command("followups", str(path), "--out", "d")
    assert sorted(p.name for p in out.glob("*.eml")) == [BD1, CN1]
    monkeypatch.chdir(tmp_path)  # the undo from another window
    said = _command("undo", str(path))
    assert not out.exists(), (sorted(out.iterdir()), said)  # its drafts taken away, the folder it made too
    assert not (tmp_path / "book" / "d").exists()


def test_undo_puts_back_a_draft_of_a_relative_out_where_it_was(tmp_path, monkeypatch):
    path, out = _elsewhere(tmp_path, monkeypatch)
    run(path, ["followups"], earlier(1, Path("d")))  # as the command line gives it: as typed
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert sorted(before) == [BD1, CN1]
    cancel_cn1(path)
    _command("followups", str(path), "--out", "d")
    assert not (out / CN1).exists()
    monkeypatch.chdir(tmp_path)
    said = _command("undo", str(path))
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before, said
    assert not (tmp_path / "book" / "d").exists(), said


def test_an_out_with_dot_dot_is_recorded_and_undone_as_the_folder_it_names(tmp_path, monkeypatch):
    """'--out sub/../drafts' is the folder 'drafts' there, as the report and scorecard take their --out
    (``whole_path``): the run's record names 'drafts', so its undo takes the drafts away, not refuses them."""
    path, _ = _elsewhere(tmp_path, monkeypatch)
    (tmp_path / "cwd" / "sub").mkdir()
    out = tmp_path / "cwd" / "drafts"
    _command("followups", str(path), "--out", str(Path("sub", "..", "drafts")))
    assert sorted(p.name for p in out.glob("*.eml")) == [BD1, CN1]
    (record,) = (tmp_path / "book" / BACKUP_DIR).glob(f"*/{kept_drafts.RECORD}")
    recorded = [Path(d["path"]) for d in json.loads(record.read_text(encoding="utf-8"))["drafts"]]
    assert sorted(recorded) == [out / BD1, out / CN1], recorded
    monkeypatch.chdir(tmp_path)
    said = _command("undo", str(path))
    assert not out.exists(), (sorted(out.iterdir()), said)
    assert "not a draft" not in " ".join(said.split()), said
