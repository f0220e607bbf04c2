"""T&A speed: the engine, the whole `prodbook ta`, and the spreadsheet way of doing it.

Prints figures; it is not a test. Run with `make bench` (or this file alone).

(a) engine: planned + forecast + status for 10,000 PO lines x ~22 milestones,
    beside numpy.busday_offset over the same number of dates (the floor).
(b) `prodbook ta` end to end on a 2,000-PO-line tracker whose T&A sheet is
    already built (the daily run), beside a bare openpyxl load + save.
(c) the same T&A built with WORKDAY.INTL formulas over a holiday range,
    loaded, recalculated and saved by LibreOffice headless (when installed).
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

from prodbook.core import ta
from prodbook.core.factories import vendor_calendars
from prodbook.core.model.sheets import ALL_SHEETS, CLOSURES, ORDERS, STYLES, TEMPLATES, VENDORS
from prodbook.demo.tracker import closure_rows, template_rows, vendor_rows
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run

TODAY = date(2026, 11, 25)


def best_of(n: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def synthetic(n_lines: int, seed: int = 7) -> dict[str, list[dict]]:
    """A season of n PO lines on the demo's vendors and templates."""
    rng = random.Random(seed)
    vendors = vendor_rows()
    templates = template_rows()
    names = sorted({t["template"] for t in templates})
    styles = [{"style": f"S{i:05d}", "description": f"Style {i}", "vendor": rng.choice(vendors)["vendor"],
               "template": names[i % len(names)], "status": "Adopted"} for i in range(max(n_lines // 4, 1))]
    orders = []
    for i in range(n_lines):
        style = styles[i % len(styles)]
        po_date = TODAY - timedelta(days=rng.randint(0, 120))
        xf = po_date + timedelta(days=rng.choice((90, 120)))
        orders.append({"po": f"45{i // 3:08d}", "style": style["style"], "color": f"C{i % 3}",
                       "qty": rng.randint(300, 6000), "ship_mode": "Sea", "po_date": po_date,
                       "ex_factory": xf, "in_dc": xf + timedelta(days=30), "cancel": xf + timedelta(days=40)})
    return {"Styles": styles, "Orders": orders, "T&A Templates": templates, "Vendors": vendors,
            "Closures": closure_rows(TODAY)}


def frame(rows: list[dict], spec) -> pd.DataFrame:
    out = pd.DataFrame([{f: r.get(f) for f in spec.fields} for r in rows], columns=list(spec.fields))
    out["_row"] = range(2, len(out) + 2)
    return out


def bench_engine(n_lines: int = 10_000) -> None:
    data = synthetic(n_lines)
    styles, orders = frame(data["Styles"], STYLES), frame(data["Orders"], ORDERS)
    templates = frame(data["T&A Templates"], TEMPLATES)
    templates["day_type"] = templates["day_type"].fillna("Working")
    plans, _ = ta.compile_templates(templates, file="bench")
    calendars, default, _ = vendor_calendars(frame(data["Vendors"], VENDORS),
                                             frame(data["Closures"], CLOSURES), range(2025, 2029), file="b")

    def engine() -> pd.DataFrame:
        out, _ = ta.schedule(plans, orders, styles, calendars, default, file="bench")
        out["actual"] = None
        return ta.progress(out, plans, calendars, default, TODAY, 7)

    result = engine()
    n = len(result)
    seconds = best_of(3, engine)
    cal = next(iter(calendars.values()))
    starts = np.full(n, np.datetime64("2026-09-01"))
    offsets = np.random.default_rng(1).integers(-40, 40, n)
    floor = best_of(5, lambda: np.busday_offset(starts, offsets, roll="forward",
                                                busdaycal=cal._np_calendar if hasattr(cal, "_np_calendar")
                                                else np.busdaycalendar()))
    print(f"(a) T&A engine: {n_lines:,} PO lines x {n / n_lines:.0f} milestones = {n:,} milestones")
    print(f"    planned+forecast+status: {seconds * 1000:,.0f} ms = {n / seconds:,.0f} milestone dates/s "
          f"(target >= 1,000,000/s)")
    print(f"    numpy.busday_offset floor, {n:,} dates: {floor * 1000:,.1f} ms = {n / floor:,.0f} dates/s")


def typed_actuals(data: dict[str, list[dict]], seed: int = 11) -> list[dict]:
    """T&A rows as a team would have them: Actual typed for most milestones already due."""
    rng = random.Random(seed)
    templates = frame(data["T&A Templates"], TEMPLATES)
    templates["day_type"] = templates["day_type"].fillna("Working")
    plans, _ = ta.compile_templates(templates, file="bench")
    calendars, default, _ = vendor_calendars(frame(data["Vendors"], VENDORS),
                                             frame(data["Closures"], CLOSURES), range(2025, 2029), file="b")
    planned, _ = ta.schedule(plans, frame(data["Orders"], ORDERS), frame(data["Styles"], STYLES),
                             calendars, default, file="bench")
    rows = []
    for r in planned.to_dict("records"):
        day = r["planned"].date()
        done = day < TODAY and rng.random() < 0.88
        actual = min(day + timedelta(days=rng.choice((-1, 0, 0, 0, 1, 2, 4))), TODAY) if done else None
        rows.append({"po": r["po"], "style": r["style"], "color": r["color"], "code": r["code"],
                     "actual": actual})
    return rows


def write_tracker(path: Path, n_lines: int) -> Path:
    """A tracker as it stands mid-season: orders, templates, vendors, and the Actuals typed so far."""
    data = synthetic(n_lines)
    data["T&A"] = typed_actuals(data)
    return write_sheets(path, data)


def write_sheets(path: Path, data: dict[str, list[dict]]) -> Path:
    """Every tracker sheet in the default layout, ``data``'s rows (by field) on those it has."""
    wb = openpyxl.Workbook(write_only=True)
    for spec in ALL_SHEETS:
        ws = wb.create_sheet(spec.name)
        ws.append(list(spec.headers))
        for r in data.get(spec.name, []):
            ws.append([r.get(f) for f in spec.fields])
    wb.save(path)
    return path


def bench_end_to_end(folder: Path, n_lines: int = 2_000) -> tuple[Path, int]:
    path = write_tracker(folder / "tracker-2000.xlsx", n_lines)
    t = time.perf_counter()
    first = run(path, ["ta"], Context(today=TODAY, now=datetime(2026, 11, 25, 8)))
    build = time.perf_counter() - t
    milestones = first.outcomes[0].data["milestones"]
    days = iter(range(1, 10))
    daily = best_of(3, lambda: run(path, ["ta"], Context(today=TODAY + timedelta(days=next(days)),
                                                         now=datetime(2026, 11, 26, 8))))
    changes = run(path, ["ta"], Context(today=TODAY + timedelta(days=5), now=datetime(2026, 11, 30, 8)),
                  ).changes
    size = path.stat().st_size / 1e6

    def bare() -> None:
        wb = openpyxl.load_workbook(path)
        wb.save(folder / "bare.xlsx")

    openpyxl_s = best_of(2, bare)
    print(f"(b) `prodbook ta` on {n_lines:,} PO lines ({milestones:,} T&A rows, {size:.1f} MB):")
    print(f"    first build {build:.2f} s; daily rebuild {daily:.2f} s (a day's run logs ~{changes:,} changes); "
          f"bare openpyxl load+save {openpyxl_s:.2f} s -> ratio {daily / openpyxl_s:.2f}x (target <= 1.5x)")
    return path, milestones


def formula_tracker(path: Path, n_lines: int) -> int:
    """The hand-made way: one T&A row per milestone, Planned = WORKDAY.INTL(anchor, offset, weekend, Holidays)."""
    data = synthetic(n_lines)
    calendars, _, _ = vendor_calendars(frame(data["Vendors"], VENDORS), frame(data["Closures"], CLOSURES),
                                       range(2025, 2029), file="b")
    templates = frame(data["T&A Templates"], TEMPLATES)
    templates["day_type"] = templates["day_type"].fillna("Working")
    plans, _ = ta.compile_templates(templates, file="b")
    style_of = {s["style"]: s for s in data["Styles"]}
    wb = openpyxl.Workbook(write_only=True)
    hol = wb.create_sheet("Holidays")
    vendor_cols = {code: openpyxl.utils.get_column_letter(i + 1) for i, code in enumerate(sorted(calendars))}
    width = max(len(c.holidays) for c in calendars.values())
    cals = sorted(calendars.items())
    for r in range(width):
        hol.append([c.holidays[r] if r < len(c.holidays) else None for _, c in cals])
    weekend = {code: cal.weekend for code, cal in calendars.items()}
    ws = wb.create_sheet("T&A")
    ws.append(["PO #", "Code", "Anchor", "Offset", "Weekend", "Planned"])
    row = 2
    for o in data["Orders"]:
        style = style_of[o["style"]]
        plan = plans[style["template"]]
        col = vendor_cols[style["vendor"]]
        first = row
        where = {code: first + plan.steps.index(plan.step(code)) for code in plan.dating_order}
        for step in plan.steps:
            anchor = o[step.anchor] if step.anchor_is_order else f"=F{where[step.anchor]}"
            rng = f"Holidays!${col}$1:${col}${width}"
            planned = (f"=C{row}+D{row}" if step.day_type.value == "Calendar"
                       else f"=WORKDAY.INTL(C{row},D{row},E{row},{rng})")
            ws.append([o["po"], step.code, anchor, step.offset, weekend[style["vendor"]]
                       if isinstance(weekend[style["vendor"]], int) else str(weekend[style["vendor"]]), planned])
            row += 1
    wb.save(path)
    return row - 2


def bench_libreoffice(folder: Path, n_lines: int = 2_000) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        print("(c) LibreOffice peer: skipped (soffice not installed; `apt-get install libreoffice-calc-nogui`)")
        return
    path = folder / "formula-ta.xlsx"
    rows = formula_tracker(path, n_lines)
    empty = folder / "empty.xlsx"
    openpyxl.Workbook().save(empty)
    profile = (folder / "lo-profile").as_uri()

    def convert(src: Path) -> None:
        subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--calc",
                        "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(folder / "lo-out"),
                        str(src)], check=True, capture_output=True, timeout=600)

    convert(empty)  # warm the profile
    startup = best_of(2, lambda: convert(empty))
    total = best_of(2, lambda: convert(path))
    check = openpyxl.load_workbook(folder / "lo-out" / path.name, data_only=True, read_only=True)
    computed = sum(1 for r in check["T&A"].iter_rows(min_row=2, min_col=6, max_col=6, values_only=True)
                   if r[0] is not None)
    print(f"(c) LibreOffice headless, WORKDAY.INTL formulas for the same {rows:,} milestones: "
          f"load+recalc+save {total:.2f} s (of which start-up {startup:.2f} s); {computed:,} dates computed")


def main() -> None:
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, pandas {pd.__version__}")
    bench_engine()
    with tempfile.TemporaryDirectory() as tmp:
        bench_end_to_end(Path(tmp))
        bench_libreoffice(Path(tmp))


if __name__ == "__main__":
    main()
