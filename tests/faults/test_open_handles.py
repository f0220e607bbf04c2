"""Windows refuses to replace or delete a file some handle in this process still holds (python-calamine's
issue 91: its reader keeps the workbook open); Linux does not care, so the tests look at the handles."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from conftest import handles_on
from faults.helpers import WEEKS, make_tracker, vendor_file
from prodbook.core.findings import Code
from prodbook.jobs.base import Context
from prodbook.jobs.runner import REFRESH, run
from prodbook.workbook import safety

pytestmark = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="reads the open files from /proc")


def test_the_workbook_is_held_by_no_handle_when_it_is_replaced(tmp_path, monkeypatch):
    """Before: the reader that read the sheets still held the workbook at the replace; on Windows the replace
    would have failed, and the run said the workbook was open in Excel."""
    book = make_tracker(tmp_path)
    replace, held = os.replace, []

    def replacing(src: str | Path, dst: str | Path) -> None:
        if Path(dst) == book:
            held.append(handles_on(book))
        replace(src, dst)

    monkeypatch.setattr(safety.os, "replace", replacing)
    for jobs in (list(REFRESH), ["undo"]):
        result = run(book, jobs, Context(files=(vendor_file(tmp_path, WEEKS[0]),), today=date(2027, 2, 1)))
        assert result.commit is not None and result.commit.written == book, (jobs, result)
        assert not [f for f in result.findings if f.code is Code.INTERNAL], [f.text() for f in result.findings]
    assert held == [[], []], held


def test_a_refused_run_lets_go_of_the_workbook_while_its_error_is_told(tmp_path):
    """A refused run's error holds the run's frames, the reader among them, for as long as it is shown (a
    dialog in Excel, a scheduled run's log): the workbook is let go of first, so the APM can save it meanwhile."""
    from prodbook.core.findings import UserError

    book = make_tracker(tmp_path)
    with pytest.raises(UserError, match="is the workbook itself") as caught:
        run(book, ["report"], Context(today=date(2027, 2, 1), out=book))
    assert caught.value.__traceback__ is not None and handles_on(book) == []
