"""Two prodbook runs on one workbook at once: it always opens, and no change is lost without a message.

Each trial has two real processes on one tracker. Processes are forked from a server that has
prodbook imported (cheap: no interpreter start), and a few trials run the full
`python -m prodbook.cli`. In most trials (cheap) one process holds the write lock for a moment,
as a long run would, while a `prodbook wip` run starts; in a fifth of them both processes are
`prodbook wip` runs importing different weeks of vendor WIP. The second run either waits for
the first (both imports end up in the workbook) or is given no time (it must say plainly that
another run is working and change nothing).
"""

from __future__ import annotations

import random
import subprocess
import time
from pathlib import Path

import pytest

from faults import helpers
from faults.helpers import (
    PRODBOOK,
    TODAY,
    WEEKS,
    cli_in_process,
    copy_tracker,
    env,
    hold_lock,
    leftovers,
    make_tracker,
    trials,
    vendor_file,
    wait_for,
    wip_sources,
)

BUSY = "Another prodbook run"


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return make_tracker(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="module")
def forkserver():
    return helpers.forkserver()


def _check(folder: Path, book: Path, results: list[tuple[int, str, str]]) -> None:
    """The invariant of every trial, whatever the timing."""
    found = wip_sources(book)  # opens: zip CRCs and openpyxl
    for code, output, source in results:
        if code == 0:
            assert source in found, f"a run said it saved but its import is gone:\n{output}"
        else:
            assert code == 2 and BUSY in output, f"a run failed without the plain message:\n{output}"
            assert "Traceback" not in output
            assert source not in found
    assert leftovers(folder) == [], "a lock or temp file was left behind"
    backups = list((folder / "prodbook backups").glob("*.xlsx")) if (folder / "prodbook backups").exists() else []
    assert len(backups) == sum(code == 0 for code, _, _ in results), "a backup without a write"


def _trial_forked(ctx, template: Path, folder: Path, wait: str) -> None:
    book = copy_tracker(template, folder)
    files = [vendor_file(folder, w) for w in WEEKS]
    procs = []
    for i, f in enumerate(files):
        out = str(folder / f"out{i}.txt")
        p = ctx.Process(target=cli_in_process, args=(["wip", str(book), str(f), "--today", TODAY], out, wait))
        procs.append((p, out, f.name))
    for p, _, _ in procs:
        p.start()
    for p, _, _ in procs:
        p.join(60)
    results = [(p.exitcode, Path(out).read_text(), name) for p, out, name in procs]
    for _, out, _ in procs:
        Path(out).unlink()
    _check(folder, book, results)


def _trial_held(ctx, template: Path, folder: Path, rng: random.Random, refuse: bool) -> int:
    """One process holds the lock, as a long run would, while a `prodbook wip` run starts.

    ``refuse``: the run is given no time to wait and the holder lets go only after it ended;
    else the run may wait 5 s and the holder lets go after 0-0.2 s.
    """
    book = copy_tracker(template, folder)
    f = vendor_file(folder, WEEKS[0])
    ready, release, out = folder / "held", folder / "release", folder / "out.txt"
    holder = ctx.Process(target=hold_lock, args=(str(book), str(ready), str(release)))
    holder.start()
    wait_for(ready)
    ready.unlink()
    run = ctx.Process(target=cli_in_process, args=(["wip", str(book), str(f), "--today", TODAY], str(out),
                                                   "0" if refuse else "5"))
    run.start()
    if refuse:
        run.join(60)
    else:
        time.sleep(rng.uniform(0, 0.2))
    release.touch()
    run.join(60)
    holder.join(60)
    release.unlink()
    result = (run.exitcode, out.read_text(), f.name)
    out.unlink()
    _check(folder, book, [result])
    assert result[0] == (2 if refuse else 0), result[1]
    return result[0]


def test_a_run_meeting_a_held_lock_waits_or_says_so(template, forkserver, tmp_path):
    n = trials() - max(2, trials() // 5)
    rng = random.Random(n)
    started = time.monotonic()
    codes = [_trial_held(forkserver, template, tmp_path / f"h{t}", rng, refuse=t % 2 == 1) for t in range(n)]
    print(f"\n{n} held-lock trials in {time.monotonic() - started:.1f}s: {codes.count(0)} waited and saved, "
          f"{codes.count(2)} refused plainly")


def test_two_runs_at_once_lose_nothing_without_a_message(template, forkserver, tmp_path):
    n = max(2, trials() // 5)
    started = time.monotonic()
    outcomes = {"both saved": 0, "one refused": 0}
    for t in range(n):
        folder = tmp_path / f"t{t}"
        _trial_forked(forkserver, template, folder, "10" if t % 2 == 0 else "0")
        outcomes["both saved" if len(wip_sources(folder / "tracker.xlsx")) == 2 else "one refused"] += 1
    print(f"\n{n} double runs in {time.monotonic() - started:.1f}s: {outcomes}")


def test_concurrent_runs_full_processes(template, tmp_path):
    """The real entry point, twice at once (fewer trials: each process starts Python afresh)."""
    n = max(2, trials() // 33)
    started = time.monotonic()
    for t in range(n):
        folder = tmp_path / f"t{t}"
        book = copy_tracker(template, folder)
        files = [vendor_file(folder, w) for w in WEEKS]
        wait = "10" if t % 2 == 0 else "0"
        procs = [subprocess.Popen([*PRODBOOK, "wip", str(book), str(f), "--today", TODAY], stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, env=env(PRODBOOK_LOCK_WAIT=wait))
                 for f in files]
        results = [(p.wait(60), p.stdout.read(), f.name) for p, f in zip(procs, files)]
        for p in procs:
            p.stdout.close()
        _check(folder, book, results)
    print(f"\n{n} full-process double runs in {time.monotonic() - started:.1f}s")
