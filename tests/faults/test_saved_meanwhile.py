"""Another program saves the workbook at each step of prodbook's write: theirs wins, whole, and prodbook says so.

The other "program" is openpyxl saving over the same file (an in-place rewrite, same inode) or a
different valid package moved over it (Excel's save by rename). Trials: steps x ways x repeats,
PRODBOOK_FAULT_TRIALS in all (default 100).
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pytest

from faults.helpers import TODAY, WEEKS, leftovers, make_tracker, opens, other_program_save, trials, vendor_file
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from prodbook.workbook import safety
from prodbook.workbook.safety import WorkbookLocked

WAYS = ("rewrite", "replace")
STEPS = getattr(safety, "WRITE_STEPS", ("read", "opened", "backup", "writing", "written", "verified", "replace"))
REPEATS = math.ceil(trials() / (len(STEPS) * len(WAYS)))
SAID = "changed by someone or something else"


def _ctx(*files: Path) -> Context:
    return Context(today=date.fromisoformat(TODAY), files=files)


def _assert_theirs_and_nothing_else(book: Path, theirs: bytes) -> None:
    assert book.read_bytes() == theirs, "the other program's save was overwritten or mixed"
    opens(book)
    assert leftovers(book.parent) == []
    assert sorted(p.name for p in book.parent.iterdir()) == sorted([book.name, f"bd1 wip {WEEKS[0]}.csv"]), \
        "a backup (or its folder) of a write that never happened"


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("at", STEPS)
def test_a_save_by_another_program_at_each_step_wins_whole(tmp_path, monkeypatch, at, way):
    for r in range(REPEATS):
        folder = tmp_path / f"r{r}"
        book = make_tracker(folder)
        f = vendor_file(folder, WEEKS[0])
        saved: list[bytes] = []

        def other_program(step: str, path: Path) -> None:  # a hook of this trial only
            if step == at and not saved:  # noqa: B023
                saved.append(other_program_save(path, way, f"{at}-{r}"))  # noqa: B023

        monkeypatch.setattr(safety, "WRITE_HOOKS", (other_program,), raising=False)
        with pytest.raises(WorkbookLocked, match=SAID) as raised:
            run(book, ["wip"], _ctx(f))
        assert "wrote nothing" in str(raised.value) and "Run prodbook again" in str(raised.value)
        assert saved, f"step {at} was never reached"
        _assert_theirs_and_nothing_else(book, saved[0])


@pytest.mark.parametrize("way", WAYS)
def test_a_save_after_the_backup_is_never_overwritten_or_mixed(tmp_path, monkeypatch, way):
    """The bug as found: the check ran before the backup, the writer then reopened the path.

    Patched at ``safety.atomic_write``, a seam old and new code share, so this test shows the
    old code printing "Saved" over a broken or overwritten file.
    """
    book = make_tracker(tmp_path)
    f = vendor_file(tmp_path, WEEKS[0])
    real = safety.atomic_write
    saved: list[bytes] = []

    def save_first(path, *args, **kwargs):
        if Path(path) == book and not saved:
            saved.append(other_program_save(book, way, "after backup"))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(safety, "atomic_write", save_first)
    with pytest.raises(WorkbookLocked, match=SAID):
        run(book, ["wip"], _ctx(f))
    _assert_theirs_and_nothing_else(book, saved[0])
