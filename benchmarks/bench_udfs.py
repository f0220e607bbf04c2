"""Per-column time of the spreadsheet functions on 10,000 rows (prints figures; no pass/fail).

What Excel waits for when a 10,000-row column of =TA_DUE(...) or
=FACTORY_WORKDAY(...) recalculates: one Python call with the whole column.
Measured on the function bodies (``prodbook.excel.udfs`` called as plain
functions), with the calendars already cached, as they are after the first
call; the first (cold) call, which builds the factory calendars, is shown too.
Not included: xlwings' COM transfer of the column in and out, which only a
Windows Excel can measure (see addin/README.md).

    .venv/bin/python benchmarks/bench_udfs.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from conftest import base_sheets, write_book  # noqa: E402
from prodbook.excel import formulas, udfs
from prodbook.workbook.filebook import FileBook  # noqa: E402
from prodbook.workbook.tracker import Tracker  # noqa: E402

ROWS = 10_000
REPEAT = 5


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = write_book(Path(tmp) / "tracker.xlsx", base_sheets())
        tracker = Tracker(FileBook(path))
        anchors = [[datetime(2027, 1, 4) + timedelta(days=i % 400)] for i in range(ROWS)]
        offsets = [[(i % 61) - 30] for i in range(ROWS)]
        vendors = [["BD1" if i % 3 else "CN1"] for i in range(ROWS)]
        years = formulas.years_of(anchors)

        formulas.clear_cache()
        t = time.perf_counter()
        data = formulas.book_data(tracker, years)
        cold = time.perf_counter() - t

        def timed(label: str, fn, rows: int | None = ROWS) -> None:
            times = []
            for _ in range(REPEAT):
                t0 = time.perf_counter()
                out = fn()
                times.append(time.perf_counter() - t0)
            assert rows is None or len(out) == rows
            print(f"{label:58} {statistics.median(times) * 1000:7.1f} ms per column "
                  f"(best {min(times) * 1000:.1f})")

        print(f"{ROWS:,} rows, median of {REPEAT}")
        print(f"{'factory calendars, first call (cold cache)':58} {cold * 1000:7.1f} ms")
        timed("book_data, warm cache (reads Vendors + Closures)",
              lambda: formulas.book_data(tracker, years), rows=None)
        timed("TA_DUE(anchor, offset, vendor)  Working",
              lambda: udfs.TA_DUE(anchors, offsets, vendors, None, caller=data))
        timed("TA_DUE(anchor, offset, vendor, \"Calendar\")",
              lambda: udfs.TA_DUE(anchors, offsets, vendors, "Calendar", caller=data))
        timed("FACTORY_WORKDAY(start, days, \"BD1\")",
              lambda: udfs.FACTORY_WORKDAY(anchors, offsets, "BD1", caller=data))
        timed("FACTORY_NETWORKDAYS(start, end, \"CN1\")",
              lambda: udfs.FACTORY_NETWORKDAYS(anchors, anchors[::-1], "CN1", caller=data))


if __name__ == "__main__":
    main()
