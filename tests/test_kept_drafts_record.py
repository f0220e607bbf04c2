"""The drafts record of a run, read once per undo (helper-144): ``kept_drafts.load_record`` gives the drafts and
the folders the run made from one read of the record; before, the undo read and parsed the same JSON twice
(``read_record``, then ``made_folders``). Real trackers run, real records on disk."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from conftest import base_sheets, write_book
from prodbook.jobs.base import Context
from prodbook.jobs.runner import REFRESH, run
from prodbook.workbook import kept_drafts
from prodbook.workbook.safety import BACKUP_DIR

TODAY = date(2027, 3, 1)


def _ctx(hour: int, *, dry_run: bool = False) -> Context:
    return Context(today=TODAY, now=datetime(2027, 3, 1, hour), dry_run=dry_run)


def _refreshed(tmp_path: Path) -> tuple[Path, str]:
    """A refresh that wrote two drafts into 'Follow-up drafts/DATE' beside the workbook, a folder it made."""
    path = write_book(tmp_path / "t.xlsx", base_sheets())
    result = run(path, list(REFRESH), _ctx(9), title="Refresh")
    return path, result.action


def test_the_record_gives_the_drafts_and_the_folders_the_run_made(tmp_path):
    path, action = _refreshed(tmp_path)
    loaded = kept_drafts.load_record(path, action)
    assert loaded is not None
    drafts, made = loaded
    day = tmp_path / "Follow-up drafts" / TODAY.isoformat()
    eml = [d for d in drafts if d.path.name != kept_drafts.DAY_RECORD]  # and the day's own drafts record
    assert sorted(d.path for d in eml) == sorted(day.glob("*.eml")) and len(eml) == 2 == len(drafts) - 1
    assert all(d.wrote == kept_drafts.digest(d.path) for d in drafts)
    assert made == [day, day.parent]  # innermost first
    assert kept_drafts.load_record(path, action + " (2)") is None  # no record of another run


def test_a_record_without_the_made_folders_gives_the_drafts_and_no_folder(tmp_path):
    path, action = _refreshed(tmp_path)
    (record,) = (tmp_path / BACKUP_DIR).glob(f"*/{kept_drafts.RECORD}")
    data = json.loads(record.read_text(encoding="utf-8"))
    del data["made"]  # an older prodbook's record
    record.write_text(json.dumps(data), encoding="utf-8")
    loaded = kept_drafts.load_record(path, action)
    assert loaded is not None and len([d for d in loaded[0] if d.path.suffix == ".eml"]) == 2 and loaded[1] == []
    data["drafts"] = "damaged"
    record.write_text(json.dumps(data), encoding="utf-8")
    assert kept_drafts.load_record(path, action) is None


def test_an_undo_reads_the_drafts_record_once(tmp_path, monkeypatch):
    path, _ = _refreshed(tmp_path)
    reads: list[Path] = []
    real = Path.read_text

    def counted(self: Path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.name == kept_drafts.RECORD:
            reads.append(self)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", counted)
    for dry_run, hour in ((True, 10), (False, 11)):
        reads.clear()
        run(path, ["undo"], _ctx(hour, dry_run=dry_run))
        assert len(reads) == 1, (dry_run, reads)
    assert not (tmp_path / "Follow-up drafts").exists()  # the undo still took the drafts and their folders away


OLD_DAY_RECORD = """{
 "drafts": {
  "BD1_follow-up_2027-03-01.eml": {
   "tracker": "t.xlsx",
   "sha256": "%s"
  },
  "CN1_follow-up_2027-03-01.eml": {
   "tracker": "u.xlsx",
   "sha256": "%s"
  },
  "../outside.eml": {
   "tracker": "t.xlsx",
   "sha256": "%s"
  },
  "damaged.eml": {
   "tracker": "t.xlsx"
  }
 },
 "left_said": [
  "u.xlsx"
 ]
}"""
"""A day's drafts record as the prodbook before ``DraftEntry`` wrote it (``json.dumps(..., indent=1)``), with an
entry outside the folder and a damaged one, which are left out."""


def test_a_day_record_written_before_draft_entries_loads_and_is_written_back_byte_for_byte(tmp_path):
    bd1, cn1 = b"From: a\r\n\r\nBD1", b"From: a\r\n\r\nCN1"
    (tmp_path / "BD1_follow-up_2027-03-01.eml").write_bytes(bd1)
    h1, h2 = kept_drafts.DraftEntry.of("t.xlsx", bd1).sha256, kept_drafts.DraftEntry.of("u.xlsx", cn1).sha256
    assert h1 == kept_drafts.digest(tmp_path / "BD1_follow-up_2027-03-01.eml")
    (tmp_path / kept_drafts.DAY_RECORD).write_text(OLD_DAY_RECORD % (h1, h2, h1), encoding="utf-8")
    record = kept_drafts.day_record(tmp_path)
    assert record is not None
    assert record.drafts == {"BD1_follow-up_2027-03-01.eml": ("t.xlsx", h1),
                             "CN1_follow-up_2027-03-01.eml": ("u.xlsx", h2)}
    assert record.drafts["BD1_follow-up_2027-03-01.eml"].tracker == "t.xlsx" and record.left_said == {"u.xlsx"}
    kept = json.loads(OLD_DAY_RECORD % (h1, h2, h1))
    del kept["drafts"]["../outside.eml"], kept["drafts"]["damaged.eml"]
    assert record.as_bytes() == json.dumps(kept, indent=1).encode("utf-8")  # the same file as before
