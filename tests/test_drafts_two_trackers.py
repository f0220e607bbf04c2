"""Two trackers writing follow-up drafts into one folder the same day (the demo's two trackers share
'Follow-up drafts/DATE' beside them): neither rewrites the other's draft, nor a file the APM saved under a
draft's name. Real workbooks and real .eml files."""

from __future__ import annotations

import shutil
from pathlib import Path

from prodbook.core import followups as fu
from prodbook.jobs.followups_job import tracker_mark
from prodbook.jobs.runner import run
from test_followups import book, ctx, parse


def drafts(result) -> list[Path]:
    return [Path(p) for o in result.outcomes for p in o.data.get("drafts", ())]


def test_a_second_tracker_in_the_folder_writes_beside_the_first_trackers_drafts(tmp_path: Path) -> None:
    t = book(tmp_path)
    u = shutil.copy(t, tmp_path / "u.xlsx")
    out = tmp_path / "drafts"
    first = drafts(run(t, ["ta", "exceptions", "followups"], ctx(out)))
    before = {p: p.read_bytes() for p in first}
    second = drafts(run(u, ["ta", "exceptions", "followups"], ctx(out)))
    assert len(first) == len(second) == 2
    assert {p: p.read_bytes() for p in first} == before, "the second tracker rewrote the first one's drafts"
    assert not set(first) & set(second)
    assert {parse(p)[fu.TRACKER_HEADER] for p in second} == {tracker_mark(u)}
    assert sorted(p.name for p in second) == sorted(p.stem + "_2.eml" for p in first)
    again = drafts(run(u, ["followups"], ctx(out)))  # the next run finds its own names again
    assert again == second and len(list(out.glob("*.eml"))) == 4


def test_a_file_the_apm_saved_under_a_drafts_name_is_left_as_it_is(tmp_path: Path) -> None:
    t = book(tmp_path)
    out = tmp_path / "drafts"
    names = [p.name for p in drafts(run(t, ["ta", "exceptions", "followups"], ctx(out, dry_run=True)))]
    out.mkdir()
    mine = out / names[0]
    mine.write_bytes(b"Subject: my notes for the call\r\n\r\nkeep me\r\n")
    written = drafts(run(t, ["ta", "exceptions", "followups"], ctx(out)))
    assert mine.read_bytes() == b"Subject: my notes for the call\r\n\r\nkeep me\r\n"
    assert mine not in written and all(parse(p)[fu.TRACKER_HEADER] == tracker_mark(t) for p in written)
