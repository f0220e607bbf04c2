"""Speed of writing the demo season and of the part-level writer on an 18,000-row T&A.

These were timed assertions in tests/test_demo.py and tests/test_xlsxparts.py; speed lives here now
(the tests check what is written). Prints figures; no pass/fail. Targets: the demo workbook under
2 s; 18,000 x 13 cells rewritten in about 0.5 s.

    .venv/bin/python benchmarks/bench_demo.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from prodbook.demo.tracker import write_demo
from prodbook.workbook.xlsxparts import SheetRewrite, rewrite_sheets


def bench_write_demo(folder: Path) -> None:
    best = min(_timed(lambda i=i: write_demo(folder / f"demo{i}", date(2026, 11, 25))) for i in range(3))
    print(f"write_demo (the demo tracker, as of 2026-11-25): {best:.2f} s (best of 3; target < 2 s)")


def bench_rewrite_18000(folder: Path) -> None:
    sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
    from test_xlsxparts import build_tracker

    src, dst = folder / "big.xlsx", folder / "o.xlsx"
    build_tracker(src)
    rows = tuple(
        (f"PO{i:05d}", f"ST{i % 500}", "NAVY", f"V{i % 40}", f"M{i % 9}", "Fabric approval", "Vendor",
         date(2025, 1 + i % 12, 1 + i % 28), date(2025, 1 + i % 12, 2 + i % 27),
         None if i % 3 else date(2025, 2, 1), "Upcoming", i % 17 - 8, "")
        for i in range(18000))
    rewrite = SheetRewrite("T&A", 2, tuple(range(13)), rows, append_headers=tuple(f"H{i}" for i in range(7)))
    best = min(_timed(lambda: rewrite_sheets(src, dst, [rewrite])) for _ in range(3))
    print(f"part-level rewrite of an 18,000 x 13 T&A: {best:.2f} s (best of 3; about 0.5 s expected)")


def _timed(step) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        bench_write_demo(Path(tmp))
        bench_rewrite_18000(Path(tmp))
