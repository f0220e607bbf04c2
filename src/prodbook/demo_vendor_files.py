"""Demo vendor WIP reports: four vendors, four messy layouts, built from the demo tracker's Orders.

``write_vendor_files(folder, tracker_path, today)`` reads the demo tracker's
Orders, Styles and T&A (through the tracker layer) and writes, for the lines
in production:

* SHX: .xlsx with title rows, a 'Report Date:' cell, a two-row merged header,
  each PO merged down over its colours, subtotal rows, numbers as text with
  thousands separators, dates typed as '15-Apr-27', upper-case colours;
* NBT: .csv in Windows-1252 with semicolons: a struggling vendor (revised
  ex-factory dates, a sea-to-air change, fabric pending at cutting), remarks
  that look like formulas (=HYPERLINK(...), +1 day);
* DHK: .xlsx, flat, other header words, POs with leading zeros, colour
  abbreviations, a mistyped PO and quantities that do not add up;
* VNS: .csv in UTF-8 with BOM, a report more than two weeks old (stale).

TIR and AHD send nothing: the WIP-stale rule reports them.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from prodbook.jobs.base import valid_frame
from prodbook.model.sheets import ORDERS, STYLES, TA
from prodbook.wip import fold_ref
from prodbook.workbook.filebook import FileBook
from prodbook.workbook.tracker import Tracker

_ABBREV = {"Heather Grey": "Hthr Gray", "Navy": "NVY", "Black": "BLK", "Optic White": "Optic Wht",
           "Charcoal": "Char", "Dark Indigo": "Dk Indigo", "Light Wash": "Lt Wash"}


def _lines(tracker_path: Path) -> list[dict[str, Any]]:
    tracker = Tracker(FileBook(tracker_path))
    orders, _ = valid_frame(tracker, ORDERS)
    styles, _ = valid_frame(tracker, STYLES, required=False)
    ta = tracker.table(TA, required=False).frame
    vendor_of = {fold_ref(s): v for s, v in zip(styles["style"], styles["vendor"])}
    plan: dict[tuple, dict[str, date]] = {}
    for r in ta.to_dict("records"):
        if r.get("planned") is not None and not isinstance(r.get("planned"), float):
            plan.setdefault((r["po"], r["style"], r["color"]), {})[str(r["code"])] = r["planned"]
    out = []
    for o in orders.to_dict("records"):
        p = plan.get((o["po"], o["style"], o["color"]), {})
        out.append({**o, "vendor": vendor_of.get(fold_ref(o["style"])), "plan": p})
    return out


def _ramp(on: date, start: date | None, end: date | None) -> float:
    if not start or not end:
        return 0.0
    if end <= start:
        return 1.0 if on >= end else 0.0
    return max(0.0, min(1.0, (on - start).days / (end - start).days))


def _progress(line: dict[str, Any], on: date, pace: float) -> tuple[int, int, int]:
    qty, p = int(line["qty"] or 0), line["plan"]
    cut, sew, pack = p.get("CUT"), p.get("SEW"), p.get("PCK")
    mid = cut + (pack - cut) / 2 if cut and pack else None
    smid = sew + (pack - sew) / 2 if sew and pack else None
    c = round(qty * min(1.0, _ramp(on, cut, mid) * pace))
    s = min(c, round(qty * _ramp(on, sew, pack) * pace))
    k = min(s, round(qty * _ramp(on, smid, pack) * pace))
    return c, s, k


def _in_production(line: dict[str, Any], on: date) -> bool:
    """Vendors list every open PO line: placed by the report date, not shipped days before it."""
    po_date, xf = line.get("po_date"), line.get("ex_factory")
    return bool(po_date and po_date <= on and xf and xf >= on - timedelta(days=3))


def _d(value: Any) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def write_vendor_files(folder: Path, tracker_path: Path, today: date) -> list[Path]:
    """Write the demo's vendor WIP files into ``folder``; returns their paths (import them in this order)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"prodbook-demo-wip-{today.isoformat()}")
    lines = _lines(Path(tracker_path))
    by_vendor: dict[str, list[dict[str, Any]]] = {}
    for ln in lines:
        by_vendor.setdefault(ln["vendor"] or "", []).append(ln)
    report = today - timedelta(days=(today.weekday() - 4) % 7 or 3)  # the last Friday (or 3 days ago)
    paths = [
        _shx(folder, by_vendor.get("SHX", []), report, rng),
        _nbt(folder, by_vendor.get("NBT", []), report, rng),
        _dhk(folder, by_vendor.get("DHK", []), report, rng),
        _vns(folder, by_vendor.get("VNS", []), today - timedelta(days=16), rng),
    ]
    return paths


def _n(x: int) -> str:
    return f"{x:,}"


def _shx(folder: Path, lines: list[dict], on: date, rng: random.Random) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "WIP"
    ws.append(["SHAOXING HUAYU KNITWEAR CO., LTD."])
    ws.merge_cells("A1:M1")
    ws.append(["WEEKLY PRODUCTION WIP REPORT"])
    ws.append(["Report Date:", on])
    ws.cell(row=3, column=2).number_format = "dd-mmm-yy"
    ws.append([])
    ws.append(["PO No.", "Style No", "Colour", "Quantity", None, None, None, "Fabric", "XF Date", "Revised ETD",
               "Mode", "Booking", "Remarks"])
    ws.merge_cells("D5:G5")
    ws.append([None, None, None, "Order", "Cut", "Sewing Output", "Packed"])
    groups: dict[str, list[dict]] = {}
    for ln in (x for x in lines if _in_production(x, on)):
        groups.setdefault(ln["po"], []).append(ln)
    row = 6  # the last row written; openpyxl's max_row does not count blank rows
    for po, group in groups.items():
        first = row + 1
        totals = [0, 0, 0, 0]
        for ln in group:
            cut, sewn, packed = _progress(ln, on, rng.uniform(0.95, 1.1))
            xf = _d(ln["ex_factory"])
            fabric = "In-house" if cut or (ln["plan"].get("FIH") and ln["plan"]["FIH"] <= on) else "ETA " + \
                (ln["plan"].get("FIH") or on).strftime("%d/%m")
            ws.append([po if ln is group[0] else None, ln["style"], str(ln["color"]).upper(), _n(ln["qty"]),
                       _n(cut), _n(sewn), _n(packed), fabric, xf.strftime("%d-%b-%y"), None, "SEA",
                       "Confirmed" if xf and (xf - on).days < 12 else "", ""])
            row += 1
            for i, v in enumerate((ln["qty"], cut, sewn, packed)):
                totals[i] += v
        if len(group) > 1:
            ws.merge_cells(start_row=first, start_column=1, end_row=row, end_column=1)
        ws.append([None, "Sub Total", None, *map(_n, totals)])
        ws.append([])
        row += 2
    ws.append(["GRAND TOTAL"])
    path = folder / f"SHX WIP {on:%d%b%Y}.xlsx"
    wb.save(path)
    return path


def _nbt(folder: Path, lines: list[dict], on: date, rng: random.Random) -> Path:
    rows = [["Ningbo Tianfeng Garments - WIP"], [f"As of {on:%d %b %Y}"], [],
            ["PO No.", "Style No", "Colour", "Order Qty", "Cut Qty", "Sewing Output", "Packed", "Fabric",
             "XF Date", "Revised ETD", "Mode", "Booking", "Remarks"]]
    chosen = [x for x in lines if _in_production(x, on)]
    for i, ln in enumerate(chosen):
        cut, sewn, packed = _progress(ln, on, rng.uniform(0.55, 0.85))
        xf = _d(ln["ex_factory"])
        slip = rng.choice((0, 5, 9, 14)) if i % 2 == 0 else 0
        mode = "Air" if i == 1 else "Sea"
        fabric = "In-house" if cut else "Pending – mill delay"
        remark = {0: '=HYPERLINK("https://tianfeng.example.com/qc","QC photos")', 2: "+1 day for washing",
                  3: "Shade band ± ok"}.get(i, "")
        rows.append([ln["po"], ln["style"], ln["color"], _n(ln["qty"]), _n(cut), _n(sewn), _n(packed), fabric,
                     f"{xf:%m/%d/%Y}", f"{xf + timedelta(days=slip):%m/%d/%Y}" if slip else "", mode,
                     "Pending" if slip else "Booked", remark])
    path = folder / f"NBT_Tianfeng_WIP_{on:%Y%m%d}.csv"
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode("cp1252", errors="replace"))
    return path


def _dhk(folder: Path, lines: list[dict], on: date, rng: random.Random) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "DDK WIP"
    ws.append([f"DDK Composite - WIP Status as of {on:%d-%b-%Y}"])
    ws.append([])
    ws.append(["PO#", "Style No.", "Colour", "PO Qty", "Cutting", "Sewing Out", "Finished", "Fabric", "Ex-Fty",
               "Revised Ex-Factory", "Ship Via", "Forwarder Booking", "Comments"])
    chosen = [x for x in lines if _in_production(x, on)]
    for i, ln in enumerate(chosen):
        cut, sewn, packed = _progress(ln, on, rng.uniform(0.7, 0.95))
        if i == 2 and sewn:
            packed = sewn + 24  # does not add up: packed more than sewn
        xf = _d(ln["ex_factory"])
        revised = xf + timedelta(days=7) if i % 3 == 0 else None
        ws.append([f"00{ln['po']}", ln["style"], _ABBREV.get(ln["color"], ln["color"]), ln["qty"], cut, sewn,
                   packed, "Received" if cut else "In transit", xf, revised, "Sea", "", ""])
        for col in (9, 10):
            ws.cell(row=ws.max_row, column=col).number_format = "dd/mm/yyyy"
    if chosen:
        ln = chosen[0]
        ws.append([str(ln["po"])[:-1] + "9", ln["style"], ln["color"], ln["qty"], 0, 0, 0, "In transit",
                   _d(ln["ex_factory"]), None, "Sea", "", "new PO?"])
    ws.append([])
    ws.append(["Total", None, None, sum(int(x["qty"] or 0) for x in chosen)])
    path = folder / f"DHK WIP {on:%Y-%m-%d}.xlsx"
    wb.save(path)
    return path


def _vns(folder: Path, lines: list[dict], on: date, rng: random.Random) -> Path:
    rows = [["PO", "Style", "Color", "Qty", "Cut", "Sewn", "Packed", "Fabric Status", "Ex-Factory",
             "Revised XF", "Ship Mode", "Booking Status", "Remarks"]]
    for ln in (x for x in lines if _in_production(x, on)):
        cut, sewn, packed = _progress(ln, on, rng.uniform(0.95, 1.05))
        xf = _d(ln["ex_factory"])
        rows.append([ln["po"], ln["style"], ln["color"], ln["qty"], cut, sewn, packed,
                     "In-house" if cut else "Booked", xf.isoformat(), "", "Sea", "", ""])
    path = folder / f"VNS_WIP_{on:%Y-%m-%d}.csv"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode("utf-8-sig"))
    return path


def write_costing_file(folder: Path, tracker_path: Path, today: date) -> Path:
    """A vendor's style / costing sheet that disagrees with the tracker in a few places.

    SHX's merchandiser sends the season's costing: one colour spelt the
    vendor's way, one FOB quoted higher, one fiber content changed. The
    development check lists each with both values and a proposed fix.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tracker = Tracker(FileBook(tracker_path))
    styles, _ = valid_frame(tracker, STYLES, required=False)
    orders, _ = valid_frame(tracker, ORDERS)
    shx = styles[styles["vendor"] == "SHX"].head(6).to_dict("records")
    colors = {s: sorted(set(orders.loc[orders["style"] == s, "color"])) for s in (r["style"] for r in shx)}
    path = folder / f"SHX costing {season_label(today)}.csv"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Buyer Style #", "Colour", "FOB USD", "Composition", "Country of Origin"])
    for i, r in enumerate(shx):
        for j, color in enumerate(colors.get(r["style"]) or [""]):
            fob, fiber = r["fob"], r["fiber_content"]
            if i == 0 and j == 0:
                color = color.upper() + " BLUE" if color == "Navy" else color.upper() + " (NEW)"
            if i == 1:
                fob = round((fob or 0) + 0.40, 2)
            if i == 2 and fiber:
                fiber = "100% Cotton"
            writer.writerow([r["style"], color, f"{fob:.2f}" if fob else "", fiber or "", "China"])
    path.write_bytes(out.getvalue().encode("utf-8-sig"))
    return path


def season_label(today: date) -> str:
    return f"SS{(today.year + 1) % 100:02d}" if today.month >= 7 else f"FW{today.year % 100:02d}"
