"""Vendor WIP import and exception rules: speed figures. Prints them; it is not a test.

(a) import of a 20,000-row vendor WIP report (.xlsx written with openpyxl write_only, and the same as
    .csv) against a 20,000-PO-line Orders sheet: read + header mapping + cell parsing + matching
    (the import itself, target < 2 s), then `prodbook wip` end to end (workbook read and write included).
(b) exceptions over a 2,000-PO-line tracker with its T&A built and a 2,000-line WIP report:
    the rules alone, then `prodbook wip` + `prodbook exceptions` end to end.
(c) the weekly import as it happens mid-season: a tracker whose Vendor WIP sheet already holds weeks of
    every vendor's reports (the history), and this week's report of one vendor imported into it. The sizes:
    PRODBOOK_WIP_LINES (default 10,000 PO lines) and PRODBOOK_WIP_WEEKS (default 12 weeks of history).
"""

from __future__ import annotations

import csv
import os
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).parent))
from bench_ta import TODAY, best_of, synthetic, write_sheets, write_tracker  # noqa: E402

from prodbook.core import exceptions as ex
from prodbook.core import wip
from prodbook.core.model.sheets import ORDERS, STYLES, VENDOR_WIP  # noqa: E402
from prodbook.jobs.base import Context, valid_frame  # noqa: E402
from prodbook.jobs.exceptions_job import inputs  # noqa: E402
from prodbook.jobs.runner import run  # noqa: E402
from prodbook.workbook import vendor_files  # noqa: E402
from prodbook.workbook.filebook import FileBook  # noqa: E402
from prodbook.workbook.tracker import Tracker  # noqa: E402

HEADER = ["PO No.", "Style No", "Colour", "Order Qty", "Cut", "Sewing Output", "Packed", "Fabric", "XF Date",
          "Revised ETD", "Mode", "Booking", "Remarks"]


def vendor_rows(n_lines: int, seed: int = 3) -> list[list]:
    """One report row per PO line, the way vendors type them: text numbers, text dates, mixed case."""
    rng = random.Random(seed)
    orders = synthetic(n_lines)["Orders"]
    rows = []
    for o in orders:
        qty = o["qty"]
        cut = int(qty * rng.uniform(0.2, 1.0))
        sewn = int(cut * rng.uniform(0.3, 1.0))
        xf = o["ex_factory"]
        revised = xf + timedelta(days=rng.choice((0, 0, 0, 7))) if rng.random() < 0.3 else None
        rows.append([o["po"], o["style"], o["color"].lower(), f"{qty:,}", f"{cut:,}", f"{sewn:,}",
                     str(int(sewn * 0.5)), "In-house" if cut else "Pending", xf.strftime("%d-%b-%y"),
                     revised.strftime("%m/%d/%Y") if revised else "", "Sea", "Pending", "ok"])
    return rows


def write_vendor_xlsx(path: Path, rows: list[list]) -> Path:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("WIP")
    ws.append(["VENDOR WIP REPORT"])
    ws.append([f"Report date: {TODAY:%d-%b-%Y}"])
    ws.append([])
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def write_vendor_csv(path: Path, rows: list[list]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["VENDOR WIP REPORT"])
        w.writerow([f"Report date: {TODAY:%d-%b-%Y}"])
        w.writerow(HEADER)
        w.writerows(rows)
    return path


def bench_import(folder: Path, n: int = 20_000) -> None:
    book = write_tracker(folder / "tracker-20000.xlsx", n)
    rows = vendor_rows(n)
    xlsx = write_vendor_xlsx(folder / "SHX_wip_big.xlsx", rows)
    csv_path = write_vendor_csv(folder / "SHX_wip_big.csv", rows)
    tracker = Tracker(FileBook(book))
    orders, _ = valid_frame(tracker, ORDERS)
    styles, _ = valid_frame(tracker, STYLES, required=False)
    index = wip.OrderIndex.from_frames(orders, styles)
    codes = sorted({str(v) for v in styles["vendor"].dropna()})

    def one(path: Path) -> wip.ParsedFile:
        return wip.import_file(vendor_files.read_vendor_file(path), index, codes, tracker.config, today=TODAY)

    parsed = one(xlsx)
    assert len(parsed.rows) == n, (len(parsed.rows), [f.text() for f in parsed.findings[:3]])
    t_xlsx = best_of(3, lambda: one(xlsx))
    t_csv = best_of(3, lambda: one(csv_path))
    t_read = best_of(3, lambda: vendor_files.read_vendor_file(xlsx))
    print(f"(a) import of a {n:,}-row vendor WIP report against {len(orders):,} PO lines "
          f"({len(parsed.rows):,} matched):")
    print(f"    .xlsx: {t_xlsx:.2f} s (calamine read {t_read:.2f} s); .csv: {t_csv:.2f} s (target < 2 s)")
    t = time.perf_counter()
    result = run(book, ["wip"], Context(today=TODAY, now=datetime(2026, 11, 25, 8), files=(xlsx,)))
    first = time.perf_counter() - t
    t = time.perf_counter()
    run(book, ["wip"], Context(today=TODAY, now=datetime(2026, 11, 25, 9), files=(xlsx,)))
    again = time.perf_counter() - t
    print(f"    `prodbook wip` end to end: first import {first:.2f} s ({result.changes:,} values logged), "
          f"re-import of the same report {again:.2f} s")


def bench_exceptions(folder: Path, n: int = 2_000) -> None:
    book = write_tracker(folder / "tracker-2000.xlsx", n)
    run(book, ["ta"], Context(today=TODAY, now=datetime(2026, 11, 25, 7)))
    report = write_vendor_csv(folder / "SHX_wip_2000.csv", vendor_rows(n))
    t = time.perf_counter()
    run(book, ["wip"], Context(today=TODAY, now=datetime(2026, 11, 25, 8), files=(report,)))
    t_wip = time.perf_counter() - t
    tracker = Tracker(FileBook(book))
    ctx = Context(today=TODAY)
    t = time.perf_counter()
    inp, _ = inputs(tracker, ctx)
    t_inputs = time.perf_counter() - t
    found = ex.evaluate(inp)
    t_rules = best_of(3, lambda: ex.evaluate(inp))
    t = time.perf_counter()
    result = run(book, ["exceptions"], Context(today=TODAY, now=datetime(2026, 11, 25, 9)))
    t_job = time.perf_counter() - t
    t = time.perf_counter()
    run(book, ["wip", "exceptions"], Context(today=TODAY, now=datetime(2026, 11, 25, 10), files=(report,)))
    t_both = time.perf_counter() - t
    print(f"(b) exceptions over {n:,} PO lines ({len(inp.lines):,} lines, T&A + a {n:,}-line WIP report):")
    print(f"    {len(ex.RULES)} rules: {t_rules * 1000:,.0f} ms for {len(found):,} exceptions "
          f"(inputs read and joined: {t_inputs:.2f} s)")
    print(f"    `prodbook exceptions` end to end {t_job:.2f} s ({result.outcomes[0].data['open']:,} open); "
          f"`prodbook wip` {t_wip:.2f} s; wip + exceptions in one run {t_both:.2f} s")


def tracker_with_history(path: Path, n_lines: int, weeks: int) -> tuple[Path, list[dict]]:
    """A tracker whose Vendor WIP sheet holds ``weeks`` weekly reports of every vendor, each listing all of
    that vendor's lines (the way a season's history piles up). Returns it and its Orders rows."""
    data = synthetic(n_lines)
    vendor_of = {s["style"]: s["vendor"] for s in data["Styles"]}
    history = []
    for w in range(weeks, 0, -1):
        day = TODAY - timedelta(days=7 * w)
        for o in data["Orders"]:
            vendor = vendor_of[o["style"]]
            history.append({"po": o["po"], "style": o["style"], "color": o["color"], "vendor": vendor,
                            "order_qty": o["qty"], "cut_qty": o["qty"] // 2, "sewn_qty": o["qty"] // 3,
                            "packed_qty": 0, "fabric_status": "In-house", "planned_xf": o["ex_factory"],
                            "revised_xf": o["ex_factory"] + timedelta(days=7) if w % 3 == 0 else None,
                            "ship_mode": "Sea", "booking_status": "Pending", "remarks": "ok",
                            "report_date": datetime.combine(day, datetime.min.time()),
                            "source_file": f"{vendor}_WIP_{day:%d-%m-%Y}.xlsx"})
    data[VENDOR_WIP.name] = history
    return write_sheets(path, data), data["Orders"]


def bench_weekly(folder: Path) -> None:
    n = int(os.environ.get("PRODBOOK_WIP_LINES", "10000"))
    weeks = int(os.environ.get("PRODBOOK_WIP_WEEKS", "12"))
    book, _ = tracker_with_history(folder / "tracker-history.xlsx", n, weeks)
    report = write_vendor_xlsx(folder / f"SHX_WIP_{TODAY:%d-%m-%Y}.xlsx", vendor_rows(n))
    copy = folder / "tracker-run.xlsx"
    times = []
    for _ in range(2):
        copy.write_bytes(book.read_bytes())
        cpu = time.process_time()
        result = run(copy, ["wip"], Context(today=TODAY, now=datetime(2026, 11, 25, 8), files=(report,)))
        times.append(time.process_time() - cpu)
    print(f"(c) this week's {n:,}-line report imported into a Vendor WIP sheet holding {weeks} weeks of "
          f"history ({n * weeks:,} rows): `prodbook wip` {min(times):.2f} s CPU (best of 2; "
          f"{result.outcomes[0].data['imported']:,} lines imported)")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if os.environ.get("PRODBOOK_WIP_ONLY") != "weekly":
            bench_import(folder)
            bench_exceptions(folder)
        bench_weekly(folder)


if __name__ == "__main__":
    main()
