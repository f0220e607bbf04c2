"""Per-column time of the spreadsheet functions on 10,000 rows, and on a whole column (1,048,576 rows,
10,000 of them filled: =TA_DUE(F:F, -15, D:D)); prints figures, no pass/fail.

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

import dataclasses
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from conftest import base_sheets, write_book  # noqa: E402
from prodbook.core.config import FunctionErrors  # noqa: E402
from prodbook.excel import formulas, udfs
from prodbook.workbook.filebook import FileBook  # noqa: E402
from prodbook.workbook.tracker import Tracker  # noqa: E402

ROWS = 10_000
REPEAT = 5
WHOLE_COLUMN = 1_048_576
"""Rows of an Excel column: what xlwings passes for F:F."""


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

        # =TA_DUE(F:F, -15, D:D): a whole column as xlwings passes it, the 10,000 rows then empty cells
        blank = [[None] for _ in range(WHOLE_COLUMN - ROWS)]
        whole_anchors, whole_vendors = anchors + blank, vendors + [[None] for _ in blank]
        print(f"whole column: {WHOLE_COLUMN:,} rows, {ROWS:,} of them filled")
        timed("TA_DUE(F:F, -15, D:D)", lambda: udfs.TA_DUE(whole_anchors, -15.0, whole_vendors, None, caller=data),
              rows=WHOLE_COLUMN)
        # Config Function Errors = Excel: every error cut to its code on the way out (a tenth of the rows errors)
        excel = dataclasses.replace(data, function_errors=FunctionErrors.EXCEL)
        some_bad = [["x"] if i % 10 == 0 else a for i, a in enumerate(anchors)] + blank
        timed("TA_DUE(F:F, -15, D:D)  1,000 errors, Function Errors = Text",
              lambda: udfs.TA_DUE(some_bad, -15.0, whole_vendors, None, caller=data), rows=WHOLE_COLUMN)
        timed("TA_DUE(F:F, -15, D:D)  1,000 errors, Function Errors = Excel",
              lambda: udfs.TA_DUE(some_bad, -15.0, whole_vendors, None, caller=excel), rows=WHOLE_COLUMN)
        timed("TA_STATUS(F:F, G:G, today)", lambda: udfs.TA_STATUS(whole_anchors, [[None]] * WHOLE_COLUMN,
                                                                   datetime(2027, 6, 1), caller=data),
              rows=WHOLE_COLUMN)
        timed("years_of(F:F, offsets=-15)  (the holidays' years, each call)",
              lambda: formulas.years_of(whole_anchors, offsets=-15.0), rows=None)


if __name__ == "__main__":
    main()
