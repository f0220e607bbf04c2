"""A run killed (SIGKILL) at many moments: the workbook is the original or the complete new one,
and the next run cleans what the killed one left."""

from __future__ import annotations

import os
import random
import signal
import time
from datetime import date

import pytest

from faults import helpers
from faults.helpers import (
    TODAY,
    WEEKS,
    cli_slow_write,
    copy_tracker,
    leftovers,
    make_tracker,
    opens,
    trials,
    vendor_file,
    wip_sources,
)
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_a_killed_run_leaves_the_original_or_the_new_workbook(tmp_path):
    ctx = helpers.forkserver()
    template = make_tracker(tmp_path / "template")
    n = max(4, trials() // 4)
    rng = random.Random(n)
    seen = {"original": 0, "new": 0, "left something": 0, "left a temp file": 0}
    started = time.monotonic()
    for t in range(n):
        folder = tmp_path / f"k{t}"
        book = copy_tracker(template, folder)
        f = vendor_file(folder, WEEKS[0])
        original = book.read_bytes()
        p = ctx.Process(target=cli_slow_write, args=(["wip", str(book), str(f), "--today", TODAY],
                                                     str(folder / "out.txt"), "5", 0.25))
        p.start()
        if t % 2:  # at a moment from the start: before the write, or in it on a fast machine
            time.sleep(rng.uniform(0.0, 0.8))
        else:  # inside the write, however long this machine takes to reach it (a busy CI runner: seconds)
            _wait_for_temp_file(folder, p)
            time.sleep(rng.uniform(0.0, 0.25))
        try:
            os.kill(p.pid, signal.SIGKILL)
        except ProcessLookupError:  # it had finished
            pass
        p.join(30)
        if book.read_bytes() == original:
            seen["original"] += 1
        else:
            assert wip_sources(book) == {f.name}, "neither the original nor the complete new workbook"
            seen["new"] += 1
        seen["left something"] += bool(leftovers(folder))
        seen["left a temp file"] += any(".prodbook." in name for name in leftovers(folder))
        # the next run cleans up and does its work
        run(book, ["wip"], Context(today=date.fromisoformat(TODAY), files=(f,)))
        assert leftovers(folder) == [], "the next run did not clean what the killed run left"
        opens(book)
        assert wip_sources(book) == {f.name}
    print(f"\n{n} killed runs in {time.monotonic() - started:.1f}s: {seen}")
    assert seen["left a temp file"], "no kill landed inside the write: the test proved nothing"


def _wait_for_temp_file(folder, process, timeout: float = 60.0) -> None:
    """Until the run's temp file is beside the workbook (the write has begun), or the run ended."""
    end = time.monotonic() + timeout
    while process.is_alive() and time.monotonic() < end:
        if any(".prodbook." in name for name in leftovers(folder)):
            return
        time.sleep(0.005)
