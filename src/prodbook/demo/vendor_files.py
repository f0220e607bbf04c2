"""Demo vendor WIP reports: four vendors, four messy layouts, told from the same story as the T&A.

``vendor_reports(story)`` is the pure part: for each reporting vendor, the
report date and one row per open PO line, with quantities that follow the
line's T&A on that date (``quantities``):

* nothing is cut before the cutting milestone's Actual date; cutting runs
  from there to half-way to packing complete, sewing from the sewing
  milestone's Actual to packing complete, packing over the second half of
  sewing (the plan ``prodbook.core.exceptions.production.production_behind`` expects);
* once packing complete (or ex-factory) has its Actual, the line is cut,
  sewn and packed in full: the order quantity, a little over or short
  (within the Config sheet's Ship Tolerance %);
* packed <= sewn <= cut <= the order + tolerance;
* a line forecast to leave the factory late carries the T&A's forecast
  ex-factory as the vendor's revised date; fabric and booking status follow
  the fabric-in-house and booking milestones.

``write_vendor_files(folder, story)`` writes them in the vendors' own layouts:

* SHX: .xlsx with title rows, a 'Report Date:' cell, a two-row merged header,
  each PO merged down over its colours, subtotal rows, numbers as text with
  thousands separators, dates typed as '15-Apr-27', upper-case colours;
* NBT: .csv in Windows-1252 with semicolons, remarks that look like
  formulas (=HYPERLINK(...), +1 day): prodbook keeps them as text;
* DHK: .xlsx, flat, other header words, POs with leading zeros, colour
  abbreviations;
* VNS: .csv in UTF-8 with BOM.

TIR and AHD send nothing: the WIP-stale rule reports them. Deliberate
problems, for the checks to find (``planted(story)`` lists them with their PO
lines; keep this list in step with ``PLANTED``):

* NBT reports a revised ex-factory after the cancel date for a line the T&A
  still has on time (Exceptions: revised later, and late for the cancel date);
* NBT moves a late line from sea to air to recover time (Exceptions: ship mode changed);
* DHK packed a finished line 6% short (Exceptions: short / over shipment);
* DHK reports more packed than sewn on one line (Exceptions: WIP quantities do not add up);
  (each on the first line it fits; on a day the vendor has none, another vendor's line)
* DHK lists a mistyped PO that is not on the Orders sheet (Issues: not on the Orders sheet);
* VNS's report is 16 days old (Exceptions: WIP report stale);
* the buyer cancelled a line after cutting started (Orders: Line Status 'Cancelled by buyer') and the
  vendor's report still shows it in production (Exceptions: cancelled line still in production; its T&A
  goes to the archive). On a day no line fits (one cut a week ago, not shipped), none.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from prodbook.core.findings import Code
from prodbook.core.model.sheets import ORDERS, STYLES
from prodbook.demo.tracker import Line, Story, Walk
from prodbook.jobs.base import valid_frame
from prodbook.workbook.filebook import FileBook
from prodbook.workbook.tracker import Tracker

_ABBREV = {"Heather Grey": "Hthr Gray", "Navy": "NVY", "Black": "BLK", "Optic White": "Optic Wht",
           "Charcoal": "Char", "Dark Indigo": "Dk Indigo", "Light Wash": "Lt Wash"}
REPORTING = ("SHX", "NBT", "DHK", "VNS")
"""The vendors that send a WIP report, in import order; TIR and AHD send none."""
STALE_DAYS = 16
"""VNS's report is this old on the demo date."""
SHORT_PCT = 6
"""The planted short shipment, % of the order: over the Config sheet's Ship Tolerance % (3)."""
LISTED_AFTER_SHIPPING = 7
"""Days a shipped line stays on a vendor's weekly report (with its final quantities)."""


@dataclass(frozen=True)
class WipRow:
    """One line of a vendor's WIP report, in prodbook's terms (the layouts dress it up)."""

    po: str
    style: str
    color: str
    qty: int
    cut: int
    sewn: int
    packed: int
    fabric_in: bool
    fabric_eta: date | None
    booked: bool
    xf: date
    revised: date | None
    mode: str
    shipped: date | None
    finished: bool
    """Packing complete (or shipped) by the report date: the quantities are final."""
    remark: str = ""


@dataclass(frozen=True)
class Report:
    vendor: str
    on: date
    rows: tuple[WipRow, ...]
    unknown_po: WipRow | None = None
    """A row whose PO is not on the Orders sheet (planted)."""


@dataclass(frozen=True)
class Planted:
    """A deliberate problem in a vendor file, and the check that finds it."""

    vendor: str
    po: str
    style: str
    color: str
    problem: str
    code: Code


PLANTED: tuple[str, ...] = (
    "NBT: revised ex-factory after the cancel date",
    "NBT: sea changed to air",
    f"DHK: packed {SHORT_PCT}% short",
    "DHK: more packed than sewn",
    "DHK: a PO not on the Orders sheet",
    f"VNS: report {STALE_DAYS} days old",
    "a cancelled line still in production",
)


# --- quantities from the T&A ------------------------------------------------------------------

def _done(w: Walk, code: str, on: date) -> date | None:
    """The milestone's Actual date, if it happened by ``on``."""
    d = w.actual.get(code)
    return d if d and d <= on else None


def _ramp(on: date, start: date, end: date) -> float:
    """Share of a stage done by the end of day ``on`` (the first day counts), growing evenly to ``end``."""
    if end <= start:
        return 1.0 if on >= end else 0.0
    return max(0.0, min(1.0, ((on - start).days + 1) / ((end - start).days + 1)))


def totals(qty: int, rng: random.Random) -> tuple[int, int, int]:
    """Final cut, sewn and packed: cutting allows 0.5-2.5% extra, a few pieces are rejected at sewing,
    and the packed quantity lands within about 1% of the order."""
    cut = round(qty * (1 + rng.uniform(0.005, 0.025)))
    sewn = cut - round(qty * rng.uniform(0.0, 0.006))
    return cut, sewn, min(sewn, round(qty * (1 + rng.uniform(-0.012, 0.008))))


def quantities(w: Walk, on: date, final: tuple[int, int, int]) -> tuple[int, int, int]:
    """Cut, sewn and packed on ``on``, as the T&A tells it (see the module docstring)."""
    if _done(w, "PCK", on) or _done(w, "XF", on):
        return final
    cut0, sew0 = _done(w, "CUT", on), _done(w, "SEW", on)
    if cut0 is None:
        return 0, 0, 0
    pack = w.forecast["PCK"]  # packing complete: its Actual (after ``on``) or forecast, never before today
    c = round(final[0] * _ramp(on, cut0, cut0 + (pack - cut0) / 2))
    if sew0 is None:
        return c, 0, 0
    s = min(c, round(final[1] * _ramp(on, sew0, pack)))
    return c, s, min(s, round(final[2] * _ramp(on, sew0 + (pack - sew0) / 2, pack)))


def _listed(ln: Line, w: Walk, on: date) -> bool:
    """Vendors list every open PO line: placed by the report date, and not shipped more than a week before."""
    shipped = w.actual.get("XF")
    return ln.po_date <= on and (shipped is None or shipped >= on - timedelta(days=LISTED_AFTER_SHIPPING))


def wip_row(ln: Line, w: Walk, on: date, final: tuple[int, int, int]) -> WipRow:
    cut, sewn, packed = quantities(w, on, final)
    shipped = _done(w, "XF", on)
    late = not shipped and w.forecast["XF"] > ln.ex_factory
    return WipRow(ln.po, ln.style, ln.color, ln.qty, cut, sewn, packed,
                  fabric_in=bool(_done(w, "FIH", on)) or cut > 0, fabric_eta=w.forecast.get("FIH"),
                  booked=bool(_done(w, "BKC", on)), xf=ln.ex_factory,
                  revised=w.forecast["XF"] if late else None, mode=ln.ship_mode, shipped=shipped,
                  finished=bool(_done(w, "PCK", on) or shipped), remark=f"Shipped {shipped:%d-%b}" if shipped else "")


def report_date(today: date) -> date:
    """The last Friday before today (or three days ago when today is a Friday)."""
    return today - timedelta(days=(today.weekday() - 4) % 7 or 3)


def vendor_reports(story: Story) -> list[Report]:
    """Each reporting vendor's WIP report on its date, with the planted problems (``planted``)."""
    rng = _rng(story)
    return _plant(_told(story, rng), story, rng)


def _rng(story: Story) -> random.Random:
    return random.Random(f"prodbook-demo-wip-{story.today.isoformat()}")


def _told(story: Story, rng: random.Random) -> list[Report]:
    """The reports as the T&A alone tells them, before anything is planted."""
    out = []
    for vendor in REPORTING:
        on = story.today - timedelta(days=STALE_DAYS) if vendor == "VNS" else report_date(story.today)
        out.append(Report(vendor, on, tuple(wip_row(ln, w, on, totals(ln.qty, rng))
                                            for ln, w in zip(story.lines, story.walks)
                                            if ln.vendor == vendor and _listed(ln, w, on))))
    return out


def _plant(reports: list[Report], story: Story, rng: random.Random) -> list[Report]:
    """The deliberate problems (module docstring), each on the first line it fits."""
    by = {r.vendor: r for r in reports}
    cancel = {(ln.po, ln.style, ln.color): ln.cancel for ln in story.lines}
    used = _cancelled(story)  # the cancelled line is a problem of its own

    def pick(vendors: tuple[str, ...], fits: Callable[[WipRow], bool]) -> tuple[str, int] | None:
        """The first unused row that fits, of the first vendor (in order) that has one."""
        for vendor in vendors:
            for k, row in enumerate(by[vendor].rows):
                if (row.po, row.style, row.color) not in used and fits(row):
                    used.add((row.po, row.style, row.color))
                    return vendor, k
        return None

    def change(vendors: tuple[str, ...], fits: Callable[[WipRow], bool], how: Callable[[WipRow], WipRow]) -> None:
        found = pick(vendors, fits)
        if found:
            vendor, k = found
            rows = list(by[vendor].rows)
            rows[k] = how(rows[k])
            by[vendor] = replace(by[vendor], rows=tuple(rows))

    on = by["NBT"].on
    change(("NBT", "DHK", "SHX", "VNS"),
           lambda r: not r.revised and not r.shipped and r.xf > on + timedelta(days=14),
           lambda r: replace(r, revised=cancel[(r.po, r.style, r.color)] + timedelta(days=rng.randint(4, 9)),
                             remark="Mill delay on bulk fabric; new XF, pls advise"))
    change(("NBT", "DHK", "SHX", "VNS"), lambda r: r.revised is not None and r.mode == "Sea" and not r.shipped,
           lambda r: replace(r, mode="Air", remark="Air to recover the delay; who pays to be agreed"))
    change(("DHK", "SHX", "NBT", "VNS"), lambda r: r.finished,
           lambda r: replace(r, packed=round(r.qty * (1 - SHORT_PCT / 100)),
                             remark=f"Short {SHORT_PCT}%: fabric shortage"))
    change(("DHK", "SHX", "NBT", "VNS"), lambda r: 0 < r.sewn < r.cut and r.packed < r.sewn - 30,
           lambda r: replace(r, packed=r.sewn + 24))
    known = {ln.po for ln in story.lines}
    dhk = by["DHK"]
    if dhk.rows:
        r = dhk.rows[0]
        wrong = next(p for d in "9876543210" if (p := r.po[:-1] + d) not in known)
        by["DHK"] = replace(by["DHK"], unknown_po=replace(r, po=wrong, cut=0, sewn=0, packed=0, fabric_in=False,
                                                          revised=None, remark="new PO?"))
    return [by[r.vendor] for r in reports]


def planted(story: Story) -> list[Planted]:
    """The deliberate problems of this day's vendor files, with their PO lines and the check that finds each."""
    reports = {r.vendor: r for r in vendor_reports(story)}
    clean = {r.vendor: {(x.po, x.style, x.color): x for x in r.rows} for r in _told(story, _rng(story))}
    cancel = {(ln.po, ln.style, ln.color): ln.cancel for ln in story.lines}
    out = []
    for vendor, report in reports.items():
        for row in report.rows:
            key = (row.po, row.style, row.color)
            was = clean[vendor][key]
            if row == was:
                continue
            if row.revised and row.revised > cancel[key] and row.revised != was.revised:
                out.append(Planted(vendor, *key, "revised ex-factory after the cancel date", Code.XF_REVISED_LATE))
            if row.mode != was.mode:
                out.append(Planted(vendor, *key, f"ship mode changed from {was.mode} to {row.mode}",
                                   Code.SHIP_MODE_CHANGED))
            if row.packed < was.packed:
                out.append(Planted(vendor, *key, "packed short", Code.SHIP_QTY_OFF))
            if row.packed > row.sewn:
                out.append(Planted(vendor, *key, "more packed than sewn", Code.WIP_QTY_INCONSISTENT))
        if report.unknown_po:
            r = report.unknown_po
            out.append(Planted(vendor, r.po, r.style, r.color, "PO not on the Orders sheet", Code.WIP_UNMATCHED))
        if (story.today - report.on).days > 10:
            out.append(Planted(vendor, "", "", "", f"report of {report.on.isoformat()}", Code.WIP_STALE))
        out += [Planted(vendor, *key, "a cancelled line still in production", Code.CANCELLED_LINE_IN_WIP)
                for row in report.rows if (key := (row.po, row.style, row.color)) in _cancelled(story)
                and (row.cut or row.sewn or row.packed or row.revised)]
    return out


def _cancelled(story: Story) -> set[tuple[str, str, str]]:
    """The PO lines the buyer cancelled (Orders' Line Status)."""
    return {(ln.po, ln.style, ln.color) for ln in story.lines if ln.line_status}


# --- the weeks before: the Vendor WIP sheet's history ------------------------------------------

SENDS = {"SHX": 1.0, "VNS": 0.9, "NBT": 0.7, "DHK": 0.45}
"""Chance that a reporting vendor sent its weekly report in an earlier week (TIR and AHD never send)."""
HISTORY_FILES = {"SHX": "SHX WIP {on:%d.%m.%Y}.xlsx", "NBT": "NBT_WIP_{on:%Y%m%d}.csv",
                 "DHK": "DHK Production Status {on:%d-%b-%Y}.xlsx", "VNS": "VNS_WIP_{on:%Y-%m-%d}.csv"}


def wip_history(story: Story) -> list[dict[str, object]]:
    """The Vendor WIP sheet as the earlier weeks left it: each reporting vendor's weekly reports (on
    Fridays, some weeks missing as ``SENDS`` has it) from its first PO until the week before this one's
    report, told from the same walks as this week's files. The vendor scorecard's WIP punctuality and
    quantity accuracy read them; the exception rules only read each line's newest report."""
    rng = random.Random(f"prodbook-demo-wip-history-{story.today.isoformat()}")
    now = {r.vendor: r for r in vendor_reports(story)}
    final = {(x.po, x.style, x.color): (x.cut, x.sewn, x.packed) for r in now.values() for x in r.rows
             if x.finished}
    out: list[dict[str, object]] = []
    for vendor in REPORTING:
        mine = [(ln, w) for ln, w in zip(story.lines, story.walks) if ln.vendor == vendor]
        if not mine:
            continue
        first = min(ln.po_date for ln, _ in mine)
        on = now[vendor].on - timedelta(days=7)
        weeks = []
        while on >= first + timedelta(days=7):
            weeks.append(on)
            on -= timedelta(days=7)
        for on in reversed(weeks):
            if rng.random() >= SENDS[vendor]:
                continue
            source = HISTORY_FILES[vendor].format(on=on)
            for ln, w in mine:
                if not _listed(ln, w, on):
                    continue
                key = (ln.po, ln.style, ln.color)
                line_rng = random.Random(f"prodbook-demo-wip-final-{story.today.isoformat()}-{'/'.join(key)}")
                r = wip_row(ln, w, on, final.get(key) or totals(ln.qty, line_rng))
                out.append({"po": r.po, "style": r.style, "color": r.color, "vendor": vendor,
                            "order_qty": r.qty, "cut_qty": r.cut, "sewn_qty": r.sewn, "packed_qty": r.packed,
                            "fabric_status": "In-house" if r.fabric_in else "Booked", "planned_xf": r.xf,
                            "revised_xf": r.revised, "ship_mode": r.mode,
                            "booking_status": "Confirmed" if r.booked else None, "remarks": r.remark or None,
                            "report_date": on, "source_file": source})
    return out


# --- the vendors' layouts ---------------------------------------------------------------------

def write_vendor_files(folder: Path, story: Story) -> list[Path]:
    """Write the demo's vendor WIP files into ``folder``; returns their paths (import them in this order)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    writers = {"SHX": _shx, "NBT": _nbt, "DHK": _dhk, "VNS": _vns}
    return [writers[r.vendor](folder, r) for r in vendor_reports(story)]


def _n(x: int) -> str:
    return f"{x:,}"


def _shx(folder: Path, report: Report) -> Path:
    from openpyxl import Workbook

    on = report.on
    wb = Workbook()
    ws = wb.worksheets[0]  # a new workbook's one sheet (`active` is typed Optional)
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
    groups: dict[str, list[WipRow]] = {}
    for r in report.rows:
        groups.setdefault(r.po, []).append(r)
    row = 6  # the last row written; openpyxl's max_row does not count blank rows
    for po, group in groups.items():
        first = row + 1
        sums = [0, 0, 0, 0]
        for r in group:
            fabric = "In-house" if r.fabric_in else "ETA " + (r.fabric_eta or on).strftime("%d/%m")
            ws.append([po if r is group[0] else None, r.style, r.color.upper(), _n(r.qty), _n(r.cut),
                       _n(r.sewn), _n(r.packed), fabric, r.xf.strftime("%d-%b-%y"),
                       r.revised.strftime("%d-%b-%y") if r.revised else None, r.mode.upper(),
                       "Confirmed" if r.booked else "", r.remark])
            row += 1
            for i, v in enumerate((r.qty, r.cut, r.sewn, r.packed)):
                sums[i] += v
        if len(group) > 1:
            ws.merge_cells(start_row=first, start_column=1, end_row=row, end_column=1)
        ws.append([None, "Sub Total", None, *map(_n, sums)])
        ws.append([])
        row += 2
    ws.append(["GRAND TOTAL"])
    path = folder / f"SHX WIP {on:%d%b%Y}.xlsx"
    wb.save(path)
    return path


_NBT_REMARKS = ('=HYPERLINK("https://tianfeng.example.com/qc","QC photos")', "+1 day for washing",
                "Shade band ± ok")


def _nbt(folder: Path, report: Report) -> Path:
    on = report.on
    rows = [["Ningbo Tianfeng Garments - WIP"], [f"As of {on:%d %b %Y}"], [],
            ["PO No.", "Style No", "Colour", "Order Qty", "Cut Qty", "Sewing Output", "Packed", "Fabric",
             "XF Date", "Revised ETD", "Mode", "Booking", "Remarks"]]
    chatter = iter(_NBT_REMARKS)  # on the first rows without a remark of their own
    for r in report.rows:
        fabric = "In-house" if r.fabric_in else "Pending – mill delay"
        remark = r.remark or next(chatter, "")
        rows.append([r.po, r.style, r.color, _n(r.qty), _n(r.cut), _n(r.sewn), _n(r.packed), fabric,
                     f"{r.xf:%m/%d/%Y}", f"{r.revised:%m/%d/%Y}" if r.revised else "", r.mode,
                     "Booked" if r.booked else ("Pending" if r.revised else ""), remark])
    path = folder / f"NBT_Tianfeng_WIP_{on:%Y%m%d}.csv"
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode("cp1252", errors="replace"))
    return path


def _dhk(folder: Path, report: Report) -> Path:
    from openpyxl import Workbook

    on = report.on
    wb = Workbook()
    ws = wb.worksheets[0]  # a new workbook's one sheet (`active` is typed Optional)
    ws.title = "DDK WIP"
    ws.append([f"DDK Composite - WIP Status as of {on:%d-%b-%Y}"])
    ws.append([])
    ws.append(["PO#", "Style No.", "Colour", "PO Qty", "Cutting", "Sewing Out", "Finished", "Fabric", "Ex-Fty",
               "Revised Ex-Factory", "Ship Via", "Forwarder Booking", "Comments"])
    extra = (report.unknown_po,) if report.unknown_po else ()
    for r in (*report.rows, *extra):
        ws.append([f"00{r.po}", r.style, _ABBREV.get(r.color, r.color), r.qty, r.cut, r.sewn, r.packed,
                   "Received" if r.fabric_in else "In transit", r.xf, r.revised, r.mode,
                   "SO issued" if r.booked else "", r.remark])
        for col in (9, 10):
            ws.cell(row=ws.max_row, column=col).number_format = "dd/mm/yyyy"
    ws.append([])
    ws.append(["Total", None, None, sum(r.qty for r in report.rows)])
    path = folder / f"DHK WIP {on:%Y-%m-%d}.xlsx"
    wb.save(path)
    return path


def _vns(folder: Path, report: Report) -> Path:
    rows: list[list[object]] = [["PO", "Style", "Color", "Qty", "Cut", "Sewn", "Packed", "Fabric Status", "Ex-Factory",
             "Revised XF", "Ship Mode", "Booking Status", "Remarks"]]
    for r in report.rows:
        rows.append([r.po, r.style, r.color, r.qty, r.cut, r.sewn, r.packed,
                     "In-house" if r.fabric_in else "Booked", r.xf.isoformat(),
                     r.revised.isoformat() if r.revised else "", r.mode, "Confirmed" if r.booked else "",
                     r.remark])
    path = folder / f"VNS_WIP_{report.on:%Y-%m-%d}.csv"
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
    with FileBook(tracker_path) as book:
        tracker = Tracker(book)
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


__all__ = ["PLANTED", "Planted", "Report", "WipRow", "planted", "quantities", "vendor_reports",
           "wip_history", "write_costing_file", "write_vendor_files"]
