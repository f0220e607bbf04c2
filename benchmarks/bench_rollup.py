"""The season roll-up: 20 trackers of 2,000 PO lines each, into DuckDB and into PostgreSQL.

Prints figures; it is not a test. Run with `make bench` (or this file alone; `--trackers N` for fewer).

One mid-season tracker is built as in bench_ta.py (2,000 PO lines, their
T&A of ~44,700 milestones built by `prodbook ta`, the Exceptions by
`prodbook exceptions`, ~46,000 Change Log rows) and copied 20 times under
different names: each copy is a tracker of its own to the database (a file
and a season). Then, for each engine:

(a) reading: 20 trackers read and judged (tables, PO lines): the part that
    does not depend on the database;
(b) first load of the 20 into an empty database, each in its own transaction;
(c) the daily re-load of the 20 (each replaces its own rows);
(d) the roll-up: its queries over ~1.9 million rows and the workbook.

The machine is shared with busy processes: wall time moves with them, so CPU
time (this process, and for PostgreSQL the server's processes) is printed too.
PostgreSQL runs on a throwaway server (tests/pg_server.py), fsync off as in
the tests.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

import bench_ta  # noqa: E402

from prodbook.jobs.base import Context  # noqa: E402
from prodbook.jobs.rollup_job import read_tracker  # noqa: E402
from prodbook.jobs.runner import run  # noqa: E402
from prodbook.store import load as store_load  # noqa: E402
from prodbook.store import rollup as q  # noqa: E402
from prodbook.store.db import opened  # noqa: E402
from prodbook.store.rollup import counts  # noqa: E402
from prodbook.workbook.rollup_xlsx import Rollup, write_rollup  # noqa: E402

TODAY = bench_ta.TODAY
CTX = Context(today=TODAY, now=datetime(2026, 11, 25, 8))


@dataclass
class Timing:
    wall: float
    cpu: float
    server_cpu: float | None = None

    def text(self) -> str:
        server = f", server CPU {self.server_cpu:.1f} s" if self.server_cpu is not None else ""
        return f"{self.wall:6.1f} s wall, {self.cpu:5.1f} s CPU{server}"


def server_cpu() -> float | None:
    """CPU seconds of every PostgreSQL process on the machine (the throwaway server's: the postmaster with the
    backends it reaped, and the live ones)."""
    tick = os.sysconf("SC_CLK_TCK")
    total, found = 0.0, False
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1:text.rindex(")")]
        if not name.startswith("postgres"):
            continue
        fields = text[text.rindex(")") + 2:].split()
        total += sum(int(x) for x in fields[11:15]) / tick  # utime, stime, cutime, cstime
        found = True
    return total if found else None


def timed(fn: Callable[[], Any], pg: bool = False) -> tuple[Any, Timing]:
    s0 = server_cpu() if pg else None
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    t = Timing(time.perf_counter() - w, time.process_time() - c)
    if pg and s0 is not None:
        t.server_cpu = (server_cpu() or 0.0) - s0
    return out, t


def make_trackers(folder: Path, n: int, lines: int) -> list[Path]:
    first = bench_ta.write_tracker(folder / "tracker-00.xlsx", lines)
    run(first, ["ta", "exceptions"], CTX)
    paths = [first]
    for i in range(1, n):
        paths.append(folder / f"tracker-{i:02d}.xlsx")
        shutil.copyfile(first, paths[-1])
    return paths


def load_prepared(url: str, prepared: list[store_load.Prepared]) -> int:
    rows = 0
    for p in prepared:
        with opened(url) as db:
            rows += store_load.load(db, p, now=CTX.now)
    return rows


def roll_up(url: str, out: Path) -> int:
    with opened(url) as db:
        seasons = [s for (s,) in db.rows("SELECT DISTINCT season FROM trackers")]
        r = Rollup(TODAY, tuple(seasons), url, q.trackers(db, seasons), q.lines_at_risk(db, seasons),
                   q.owners(db, seasons, TODAY), q.due_this_week(db, seasons, TODAY),
                   q.exceptions_by_vendor(db, seasons), q.open_exceptions(db, seasons))
    write_rollup(out, r)
    return len(r.lines) + len(r.due) + len(r.exceptions)


def bench_engine(name: str, url: str, paths: list[Path], prepared: list[store_load.Prepared], folder: Path) -> None:
    pg = name == "PostgreSQL"
    rows, first = timed(lambda: load_prepared(url, prepared), pg)
    _, again = timed(lambda: load_prepared(url, prepared), pg)
    with opened(url) as db:
        total = sum(counts(db).values())
    shown, rolled = timed(lambda: roll_up(url, folder / f"rollup-{name}.xlsx"), pg)
    print(f"{name}:")
    print(f"    (b) first load, {len(paths)} trackers, {rows:,} rows: {first.text()} "
          f"= {rows / first.wall:,.0f} rows/s")
    print(f"    (c) re-load (each replaces its own): {again.text()}; rows in the database after: {total:,}")
    print(f"    (d) roll-up queries + workbook ({shown:,} rows shown): {rolled.text()}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trackers", type=int, default=20)
    ap.add_argument("--lines", type=int, default=2_000)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="prodbook-bench-rollup-"))
    try:
        paths, made = timed(lambda: make_trackers(folder, args.trackers, args.lines))
        size = paths[0].stat().st_size / 1e6
        print(f"{args.trackers} trackers of {args.lines:,} PO lines ({size:.1f} MB each) built in {made.wall:.0f} s")
        prepared, read = timed(lambda: [read_tracker(p, CTX) for p in paths])
        rows = sum(p.rows() for p in prepared)
        print(f"(a) reading {args.trackers} trackers ({rows:,} rows): {read.text()} "
              f"= {read.cpu / args.trackers:.2f} s CPU per tracker")
        bench_engine("DuckDB", str(folder / "season.duckdb"), paths, prepared, folder)
        import pg_server
        try:
            server = pg_server.start()
        except BaseException as exc:  # pytest.skip when PostgreSQL is not installed
            print(f"PostgreSQL: not measured ({exc})")
            return
        try:
            bench_engine("PostgreSQL", server.new_database(), paths, prepared, folder)
        finally:
            server.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
