"""A corpus of vendor WIP layouts nobody tuned for, generated from a grammar, read back through the import.

Each layout draws header wordings from the vocabularies below (written here, not taken from
core/headers.py, so the test cannot agree with the code by construction), title rows, a one- or
two-row header (group words merged across, single cells merged down), spacer and subtotal rows,
numbers as text with separators and units, every date form the README lists, distractor columns that
are no field, and a file type: csv (UTF-8, UTF-8 with BOM, UTF-16, Windows-1252; comma, semicolon,
tab, pipe), .xlsx, .xlsm, and .xls / .ods (converted from .xlsx by LibreOffice in one batch per run:
LibreOffice is already a test dependency, and it writes these formats as the vendors' own tools do,
where the pure-Python .xls writer, xlwt, has been unmaintained since 2017).

The property: every file imports to exactly the rows it was generated from; a layout made ambiguous on
purpose (two columns for one field) yields a finding naming both header cells, and that field is left
blank, never guessed.
"""

from __future__ import annotations

import csv
import io
import random
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from prodbook.core import wip
from prodbook.core.cells import reads_both_ways
from prodbook.core.config import Config
from prodbook.core.findings import Code
from prodbook.workbook import vendor_files

LAYOUTS = 240
SEED = 11
REPORT = date(2027, 3, 1)
TODAY = date(2027, 3, 3)
LINES = [wip.OrderLine(f"45000000{i:02d}", f"S{i % 3 + 1}", color, "BD1", 100 * (i + 3))
         for i, color in enumerate(("Navy", "Heather Grey", "Black", "Off White", "Light Blue", "Olive",
                                    "Coral", "Ivory"))]
LINES += [wip.OrderLine(po, style, color, "BD1", qty) for po, style, color, qty in (
    ("4500000010", "S1", "Navy", 900), ("4500000010", "S1", "Black", 600), ("4500000011", "S2", "Olive", 300),
    ("4500000011", "S2", "Coral", 450), ("4500000011", "S2", "Ivory", 150))]
"""PO lines; the last two POs have several colours (a PO merged down over them, or written above them)."""

# --- the grammar: wordings per field --------------------------------------------------------------

XF = ["XF", "Ex-Factory", "Ex-Fty", "EX FTY", "Ex-Fac", "X-Fty", "ETD", "Ex Factory", "ExFactory"]
REV = ["Revised", "Rev.", "New", "Latest", "Updated", "Current", "REVISED"]
PLAN = ["Planned", "Original", "Orig.", "Contract", "PO", "Plan"]


def _xf(rng: random.Random, qualifiers: list[str] | None) -> str:
    concept = rng.choice(XF)
    date_word = rng.choice(["", " Date", " date"])
    if qualifiers is None:
        return concept + date_word
    q = rng.choice(qualifiers)
    return rng.choice([f"{q} {concept}{date_word}", f"{concept}{date_word} ({q.lower().rstrip('.')})"])


WORDINGS = {
    "po": lambda r: r.choice(["PO", "PO #", "PO No.", "P.O. No", "PO Number", "Purchase Order", "Order No",
                              "Buyer PO", "po#"]),
    "style": lambda r: r.choice(["Style", "Style #", "Style No", "STYLE NO.", "Article", "Item No",
                                 "Style Code", "Buyer Style"]),
    "color": lambda r: r.choice(["Color", "Colour", "COLOUR", "Colorway", "Color Name", "Col", "Shade"]),
    "order_qty": lambda r: r.choice(["Order Qty", "PO Qty", "Qty", "Quantity", "Order Quantity",
                                     "ORDER QTY (PCS)", "Order Pcs", "Ord. Qty"]),
    "cut_qty": lambda r: r.choice(["Cut", "Cut Qty", "Cutting", "CUTTING PCS", "Cut Quantity", "Cut (pcs)"]),
    "sewn_qty": lambda r: r.choice(["Sewn", "Sewing Output", "Sewing Out", "Sewn Qty", "Sewing Qty",
                                    "Sew Output"]),
    "packed_qty": lambda r: r.choice(["Packed", "Packed Qty", "Finished", "Finished Qty", "Packing",
                                      "Pack Qty (pcs)"]),
    "fabric_status": lambda r: r.choice(["Fabric", "Fabric Status", "FABRIC STATUS", "Fabric Position"]),
    "planned_xf": lambda r: _xf(r, r.choice([None, PLAN])),
    "revised_xf": lambda r: _xf(r, REV),
    "ship_mode": lambda r: r.choice(["Mode", "Ship Mode", "Shipment Mode", "Ship Via", "Mode of Shipment"]),
    "booking_status": lambda r: r.choice(["Booking", "Booking Status", "Forwarder Booking"]),
    "remarks": lambda r: r.choice(["Remarks", "Comments", "Remark", "Notes", "Vendor Comments"]),
}
GROUPS = {  # a group word over the cells under it, in a two-row header
    "qty": (["Quantity", "Qty", "Production Qty", "QTY (PCS)"],
            {"order_qty": ["Order", "Ordered", "PO"], "cut_qty": ["Cut", "Cutting"],
             "sewn_qty": ["Sewn", "Sewing Output", "Sewing"], "packed_qty": ["Packed", "Finished"]}),
    "xf": (["Ex-Factory", "XF Date", "Ex-Fty", "ETD"],
           {"planned_xf": ["Planned", "Original", "Orig", "Contract"],
            "revised_xf": ["Revised", "Rev.", "New", "Latest"]}),
}
DISTRACTORS = ["Sewing Input", "Fabric ETA", "Cut Balance", "Order Value (USD)", "In-DC Date",
               "Packing List #", "Dest.", "Inline Inspection", "Booking Date", "Actual XF"]
QTY_FIELDS = ("order_qty", "cut_qty", "sewn_qty", "packed_qty")
DATE_FIELDS = ("planned_xf", "revised_xf")
FIELD_ORDER = ("po", "style", "color", "order_qty", "cut_qty", "sewn_qty", "packed_qty", "fabric_status",
               "planned_xf", "revised_xf", "ship_mode", "booking_status", "remarks")
CSV_ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1252")
DELIMITERS = (",", ";", "\t", "|")


# --- a layout -----------------------------------------------------------------------------------------

@dataclass
class Layout:
    """One generated vendor file: what to write and what the import must give back."""

    n: int
    kind: str
    """csv, xlsx, xlsm, xls or ods."""
    encoding: str = "utf-8"
    delimiter: str = ","
    rows: list[list[Any]] = field(default_factory=list)
    merges: list[str] = field(default_factory=list)
    expected: list[dict[str, Any]] = field(default_factory=list)
    """Per imported row: field -> value (po/style/color as the Orders sheet has them)."""
    two_row: bool = False
    po_style: str = "each"
    """each: the PO on every row; above: on its own line above its colours; merged: merged down over them."""
    ambiguous: tuple[str, list[str]] | None = None
    """(field, its header cells) when the layout names a field twice on purpose."""

    @property
    def name(self) -> str:
        return f"BD1 layout {self.n:03d} {REPORT:%Y-%m-%d}.{self.kind}"


def _qty_text(rng: random.Random, n: int, csv_file: bool) -> Any:
    form = rng.randrange(5)
    if form == 0 and not csv_file:
        return n
    if form == 1 and not csv_file:
        return float(n)
    return [f"{n:,}", f"{n:,}".replace(",", " "), f"{n} pcs", f"{n:,} PCS", str(n)][rng.randrange(5)]


def _date_text(rng: random.Random, d: date, csv_file: bool) -> Any:
    forms = [d.isoformat(), f"{d:%m/%d/%Y}", f"{d:%d-%b-%y}", f"{d:%b} {d.day} {d.year}", f"{d.day}-{d:%b}",
             f"{d:%d-%b-%Y}"]
    if not csv_file:
        forms.append(d)
    return rng.choice(forms)


def generate(n: int) -> Layout:
    rng = random.Random(SEED * 100_000 + n)
    kind = ("csv", "csv", "csv", "xlsx", "xlsm", "xls", "ods", "xlsx")[n % 8]
    lay = Layout(n, kind)
    csv_file = kind == "csv"
    if csv_file:
        lay.encoding = CSV_ENCODINGS[(n // 8) % 4]
        lay.delimiter = DELIMITERS[(n // 32) % 4]
    optional = [f for f in FIELD_ORDER if f not in ("po", "color")]
    fields = ["po", "color", *rng.sample(optional, rng.randint(3, len(optional)))]
    fields.sort(key=FIELD_ORDER.index)
    two_row = lay.two_row = rng.random() < 0.4
    # the ambiguous layouts: a field named twice, by two different wordings
    if rng.random() < 0.15:
        twice = rng.choice(("planned_xf", "remarks", "cut_qty", "ship_mode"))
        fields += [twice] * (2 - fields.count(twice))  # named twice
    else:
        twice = None
    # columns: (field or None for a distractor, top text, sub text)
    columns: list[tuple[str | None, str, str]] = []
    group_word: dict[str, str] = {}
    for f in fields:
        group = next((g for g, (_, subs) in GROUPS.items() if f in subs), None)
        if two_row and group and f != twice:
            words, subs = GROUPS[group]
            columns.append((f, group_word.setdefault(group, rng.choice(words)), rng.choice(subs[f])))
        else:
            columns.append((f, WORDINGS[f](rng), ""))
    if twice:
        first = next(i for i, c in enumerate(columns) if c[0] == twice)
        second = max(i for i, c in enumerate(columns) if c[0] == twice)
        assert first != second
        while columns[second][1] == columns[first][1] or not columns[second][1]:
            columns[second] = (twice, WORDINGS[twice](rng), "")
    for _ in range(rng.randint(0, 2)):
        columns.insert(rng.randint(1, len(columns)), (None, rng.choice(DISTRACTORS), ""))
    # a group's columns stand together, in the order drawn
    columns = _keep_groups_together(columns, two_row)
    # title rows
    titles: list[list[Any]] = []
    for _ in range(rng.randint(0, 2)):
        titles.append([rng.choice(["DHAKA KNIT LTD", "Weekly WIP", "Production status - confidential"])])
    report_line = rng.choice([[f"WIP as of {REPORT:%d-%b-%Y}"], [f"Report date: {REPORT.isoformat()}"],
                              ["Report Date:", REPORT if not csv_file else f"{REPORT:%d-%b-%Y}"], None])
    if report_line:
        titles.append(report_line)
    if titles and rng.random() < 0.5:
        titles.append([])
    lay.rows = [list(t) for t in titles]
    header_at = len(lay.rows)
    width = len(columns)
    if two_row:
        top = [c[1] if c[2] == "" or i == 0 or columns[i - 1][1] != c[1] or columns[i - 1][2] == "" else ""
               for i, c in enumerate(columns)]
        sub = [c[2] for c in columns]
        lay.rows += [top, sub]
        if not csv_file:
            _header_merges(lay, columns, header_at)
    else:
        lay.rows.append([c[1] for c in columns])
    if twice:
        lay.ambiguous = (twice, [_shown(c) for c in columns if c[0] == twice])
    # data rows
    lines = rng.sample(LINES, rng.randint(1, 5))
    if rng.random() < 0.5:  # every colour of the POs drawn
        lines = [x for x in LINES if x.po in {y.po for y in lines}]
    lines.sort(key=lambda x: x.po)
    lay.po_style = rng.choice(["each", "each", "above"] + ([] if csv_file else ["merged"]))
    po_rows: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        want: dict[str, Any] = {"po": line.po, "style": line.style, "color": line.color}
        values: dict[str, Any] = {"po": line.po, "style": line.style, "color": rng.choice(
            [line.color, line.color.upper(), line.color.lower()])}
        qty = line.qty
        for f, share in zip(QTY_FIELDS, (1, 0.9, 0.6, 0.3)):
            want[f] = int(qty * share) if rng.random() < 0.9 else None
            values[f] = "" if want[f] is None else _qty_text(rng, want[f], csv_file)
        xf = date(2027, 4, 1) + timedelta(days=rng.randrange(60))
        want["planned_xf"] = xf
        want["revised_xf"] = xf + timedelta(days=rng.choice([7, 14])) if rng.random() < 0.5 else None
        for f in DATE_FIELDS:
            values[f] = "" if want[f] is None else _date_text(rng, want[f], csv_file)
        texts = {"fabric_status": ["In-house", "Pending", "ETA 12/03"], "ship_mode": ["Sea", "Air", "SEA"],
                 "booking_status": ["Confirmed", "Pending", ""],
                 "remarks": ["", "late fabric", "Café ok", "+1 day", "shade band ± ok"]}
        for f, options in texts.items():
            v = rng.choice(options)
            values[f] = v
            want[f] = v or None
        if twice:
            want[twice] = None
        row = []
        for f, _, _ in columns:
            row.append(values[f] if f else rng.choice(["", "x", "12", "n/a"]))
        same_po = i > 0 and lines[i - 1].po == line.po
        if rng.random() < 0.2 and not same_po:
            lay.rows.append([])  # a spacer row
        if lay.po_style != "each" and same_po:
            row[0] = ""  # the PO stands once for its colours
        elif lay.po_style == "above" and i + 1 < len(lines) and lines[i + 1].po == line.po:
            lay.rows.append([line.po] + [""] * (width - 1))  # the PO on its own line above its colours
            row[0] = ""
        lay.rows.append(row)
        po_rows.setdefault(line.po, []).append(len(lay.rows))
        lay.expected.append({k: want[k] for k in FIELD_ORDER if k in fields and k != twice} |
                            ({twice: None} if twice else {}))
    if lay.po_style == "merged":
        lay.merges += [f"A{r[0]}:A{r[-1]}" for r in po_rows.values() if len(r) > 1]
    if rng.random() < 0.5:
        total = ["Subtotal" if rng.random() < 0.5 else "Grand Total"] + [""] * (width - 1)
        qty_col = next((i for i, c in enumerate(columns) if c[0] == "order_qty"), None)
        if qty_col is not None and qty_col > 0:
            total[qty_col] = f"{sum(line.qty for line in lines):,}"
        lay.rows.append(total)
    if rng.random() < 0.3:
        lay.rows.append(["Prepared by: Rahim"])
    for want, line in zip(lay.expected, lines):  # nothing is imported for a field the file lacks; the
        for f in FIELD_ORDER:                       # PO line's own style is, in the tracker's spelling
            want.setdefault(f, None)
        want["style"] = line.style
    return lay


def _keep_groups_together(columns, two_row):
    if not two_row:
        return columns
    out: list = []
    for c in columns:
        if c[2] and any(o[2] and o[1] == c[1] for o in out):
            last = max(i for i, o in enumerate(out) if o[2] and o[1] == c[1])
            out.insert(last + 1, c)
        else:
            out.append(c)
    return out


def _shown(c: tuple[str | None, str, str]) -> str:
    return f"{c[1]} / {c[2]}" if c[2] else c[1]


def _header_merges(lay: Layout, columns, header_at: int) -> None:
    from openpyxl.utils import get_column_letter as L

    r1, r2 = header_at + 1, header_at + 2
    i = 0
    while i < len(columns):
        _, top, sub = columns[i]
        if not sub:
            lay.merges.append(f"{L(i + 1)}{r1}:{L(i + 1)}{r2}")  # merged down over both rows
            i += 1
            continue
        j = i
        while j + 1 < len(columns) and columns[j + 1][2] and columns[j + 1][1] == top:
            j += 1
        if j > i:
            lay.merges.append(f"{L(i + 1)}{r1}:{L(j + 1)}{r1}")  # the group word merged across
        i = j + 1


# --- writing --------------------------------------------------------------------------------------

def write(lay: Layout, folder: Path) -> Path:
    if lay.kind == "csv":
        path = folder / lay.name
        buf = io.StringIO()
        csv.writer(buf, delimiter=lay.delimiter, lineterminator="\r\n").writerows(lay.rows)
        path.write_bytes(buf.getvalue().encode(lay.encoding))
        return path
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "WIP"
    for row in lay.rows:
        ws.append(row)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # vendor text such as '+1 day' is text, not a formula
    for rng in lay.merges:
        ws.merge_cells(rng)
    suffix = "xlsm" if lay.kind == "xlsm" else "xlsx"
    path = folder / lay.name.replace(f".{lay.kind}", f".{suffix}")
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[tuple[Layout, Path]]:
    folder = tmp_path_factory.mktemp("layouts")
    layouts = [generate(n) for n in range(LAYOUTS)]
    out: list[tuple[Layout, Path]] = []
    to_convert: dict[str, list[tuple[Layout, Path]]] = {"xls": [], "ods": []}
    for lay in layouts:
        if lay.kind in to_convert:
            src = folder / "src" / lay.kind
            src.mkdir(parents=True, exist_ok=True)
            to_convert[lay.kind].append((lay, write(lay, src)))
        else:
            out.append((lay, write(lay, folder)))
    if shutil.which("soffice"):
        profile = (folder / "profile").as_uri()
        for kind, items in to_convert.items():
            if not items:
                continue
            subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", kind,
                            "--outdir", str(folder), *[str(p) for _, p in items]],
                           check=True, capture_output=True, timeout=600)
            out += [(lay, folder / lay.name) for lay, _ in items]
    return out


# --- the property ---------------------------------------------------------------------------------

def imported(path: Path) -> wip.ParsedFile:
    raws = vendor_files.read_vendor_file(path)
    parsed = wip.import_file(raws, wip.OrderIndex(LINES), ["BD1"], Config(), today=TODAY)
    parsed.findings = [*[f for r in raws for f in r.findings], *parsed.findings]
    return parsed


def test_the_corpus_covers_what_it_claims(corpus):
    kinds = {lay.kind for lay, _ in corpus}
    assert len(corpus) >= 200 or not shutil.which("soffice")
    assert {"csv", "xlsx", "xlsm"} <= kinds and (not shutil.which("soffice") or {"xls", "ods"} <= kinds)
    csvs = [lay for lay, _ in corpus if lay.kind == "csv"]
    assert {lay.encoding for lay in csvs} == set(CSV_ENCODINGS)
    assert {lay.delimiter for lay in csvs} == set(DELIMITERS)
    assert sum(lay.ambiguous is not None for lay, _ in corpus) >= 15
    grouped = [lay for lay, _ in corpus if lay.po_style != "each" and len({e["po"] for e in lay.expected}) <
               len(lay.expected)]
    assert {lay.po_style for lay in grouped} == {"above", "merged"} and len(grouped) >= 20
    assert sum(lay.two_row for lay, _ in corpus) >= 60 and sum(bool(lay.merges) for lay, _ in corpus) >= 30
    assert all(path.exists() for _, path in corpus)


def _undecided(f: Any) -> bool:
    """The warning a file earns whose every date reads both ways, with nothing to tell day from month (no
    Orders sheet here, no setting, no earlier file): it says so and is read in Date Order (MDY, as written)."""
    return (f.code is Code.WIP_DATE_ORDER and "nothing tells day from month" in f.message
            and reads_both_ways(str(f.value)))


def test_every_generated_layout_imports_exactly_or_names_what_was_ambiguous(corpus):
    failures = []
    for lay, path in corpus:
        parsed = imported(path)
        got = [{f: r.get(f) for f in FIELD_ORDER} for r in parsed.rows]
        bad = [f.text() for f in parsed.findings if f.severity != "info" and f.code is not Code.WIP_HEADER
               and not _undecided(f)]
        problems = []
        if len(got) != len(lay.expected):
            problems.append(f"{len(got)} rows, want {len(lay.expected)}")
        for g, w in zip(got, lay.expected):
            diff = {f: (g[f], w[f]) for f in FIELD_ORDER if g[f] != w[f]}
            if diff:
                problems.append(f"row {w['po']}: (got, want) {diff}")
        if bad:
            problems.append(f"unexpected findings: {bad}")
        if parsed.report_date != REPORT:
            problems.append(f"report date {parsed.report_date}")
        header = [f for f in parsed.findings if f.code is Code.WIP_HEADER]
        if lay.ambiguous:
            shown = lay.ambiguous[1]
            if not header or not all(f"'{text}'" in header[0].message for text in shown):
                problems.append(f"no finding naming {shown}: {[f.text() for f in header]}")
        elif header:
            problems.append(f"a header finding for an unambiguous layout: {[f.text() for f in header]}")
        if problems:
            failures.append(f"{path.name} ({lay.kind} {lay.encoding!r} {lay.delimiter!r}):\n  "
                            + "\n  ".join(problems) + "\n  header rows: "
                            + repr([r for r in lay.rows if r][:4])[:600])
    assert not failures, f"{len(failures)} of {len(corpus)} layouts:\n" + "\n".join(failures[:12])
