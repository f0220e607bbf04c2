"""A cancelled PO line as a demanding APM meets it the day after: nothing more chased for a colour no line
wants any more, no fix asked for on a line that is not planned, no vendor scored on it, and the Line Status
words teams really type.

Real workbooks: the demo tracker (``prodbook demo``), edited with openpyxl as the APM would, the real jobs
run, the sheets (and the report workbook) read back.
"""

from __future__ import annotations

import re
import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import demo_workbook
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run

DAY = date(2026, 11, 25)
SAGE = ("4500012589", "SS27-KT-1009", "Sage")
"""The demo's only PO line of SS27-KT-1009 in Sage (TIR): its PP sample is on the Samples sheet."""
BLACK = ("SS27-KT-1009", "Black")
"""The same style's Black: its PO line stays open."""


def ctx(out: Path | None = None) -> Context:
    return Context(today=DAY, now=datetime(2026, 11, 25, 9, 0), out=out)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_workbook(tmp_path_factory.mktemp("demo"), DAY)


@pytest.fixture
def tracker(demo_file: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(demo_file, tmp_path / "tracker.xlsx"))


_LINK = re.compile(r'^=HYPERLINK\(".*",\s*"((?:[^"]|"")*)"\)$', re.S)


def rows(path: Path, sheet: str) -> list[dict[str, Any]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    if sheet not in wb.sheetnames:
        return []
    got = list(wb[sheet].iter_rows(values_only=True))
    shown = [[m.group(1) if isinstance(v, str) and (m := _LINK.match(v)) else v for v in r] for r in got]
    return [dict(zip(shown[0], r)) for r in shown[1:] if any(v is not None for v in r)]


def header_row(path: Path, sheet: str, title: str) -> tuple[int, list[Any]]:
    """The row of a report sheet's header (it may sit below a title) and its cells."""
    ws = openpyxl.load_workbook(path, read_only=True)[sheet]
    for i, r in enumerate(ws.iter_rows(values_only=True), 1):
        if title in r:
            return i, list(r)
    raise AssertionError(f"no '{title}' header on {sheet}")


def edit_orders(path: Path, **by_line: Any) -> None:
    """Type into Orders rows: ``by_line[po] = {header: value}``."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Orders"]
    heads = [c.value for c in ws[1]]
    for r in range(2, ws.max_row + 1):
        for po, cells in by_line.items():
            if f"{ws.cell(r, 1).value} / {ws.cell(r, 2).value} / {ws.cell(r, 3).value}" == po:
                for h, v in cells.items():
                    ws.cell(r, heads.index(h) + 1, v)
    wb.save(path)


def line(*key: str) -> str:
    return " / ".join(key)


def cancel_sage_with_a_dip_and_a_sample_owed(path: Path) -> None:
    """The buyer cancels Sage, the style's only PO line of the colour, while its mill owes a new lab dip round
    and the vendor a PP sample (due 20-Nov: late)."""
    edit_orders(path, **{line(*SAGE): {"Line Status": "Cancelled"}})
    wb = openpyxl.load_workbook(path)
    dips = wb["Lab Dips"]
    heads = [c.value for c in dips[1]]
    for at, color in enumerate((SAGE[2], BLACK[1]), dips.max_row + 1):  # Black's line stays: chased
        typed = {"Style #": SAGE[1], "Color": color, "Fabric": "Cotton jersey", "Mill": "Tiruppur Process House",
                 "Round": 1, "Submitted": datetime(2026, 11, 10), "Received": datetime(2026, 11, 14),
                 "Decision": "Rejected", "Decision Date": datetime(2026, 11, 16), "Comments": "too green"}
        for h, v in typed.items():
            dips.cell(at, heads.index(h) + 1, v)
    samples = wb["Samples"]
    heads = [c.value for c in samples[1]]
    for r in range(2, samples.max_row + 1):
        if (samples.cell(r, 1).value, samples.cell(r, heads.index("Color") + 1).value) == SAGE[1:]:
            samples.cell(r, heads.index("Due") + 1, datetime(2026, 11, 20))
    wb.save(path)


def test_a_colour_whose_only_po_line_is_cancelled_is_not_chased_for_dips_or_samples(tracker: Path) -> None:
    cancel_sage_with_a_dip_and_a_sample_owed(tracker)
    run(tracker, ["ta"], ctx())
    run(tracker, ["followups"], ctx(tracker.parent / "drafts"))
    items = rows(tracker, "Follow-ups")
    assert [(r["Item"], r["Ref"]) for r in items if r["Ref"] == line(*SAGE[1:])] == []
    # a colour with a PO line still planned is chased as before, and so is a sample of a live colour
    assert ("Lab dip resubmit", line(*BLACK)) in {(r["Item"], r["Ref"]) for r in items}
    assert ("Proto sample", "SS27-DN-1007 / Ecru") in {(r["Item"], r["Ref"]) for r in items}


def test_check_records_asks_nothing_of_a_cancelled_colours_sample(tracker: Path) -> None:
    cancel_sage_with_a_dip_and_a_sample_owed(tracker)
    run(tracker, ["ta"], ctx())
    run(tracker, ["validate"], ctx())
    issues = rows(tracker, "Issues")
    about_sage = [r for r in issues if r["Sheet"] == "Samples" and str(r["Key"]).startswith(SAGE[1])
                  and str(r["Key"]).endswith(SAGE[2])]
    assert about_sage == []
    # a live colour's late sample is still there: DN-1007's proto, the demo's planted one
    assert any(r["Code"] == "sample-late" for r in issues)


def test_check_records_does_not_ask_to_fix_the_dates_of_a_cancelled_line(tracker: Path) -> None:
    """In-DC typed a year early on a line the buyer then cancelled: the T&A plans nothing from those dates, so
    'correct the one that is wrong' (an error, exit status 1) is noise; on a live line it stays."""
    cancelled, live = "4500013501 / SS27-KT-1006 / Washed Blue", "4500012542 / SS27-KT-1006 / Coral"
    edit_orders(tracker, **{cancelled: {"Line Status": "  cancelled  ", "In-DC": datetime(2025, 12, 27)},
                            live: {"In-DC": datetime(2025, 11, 14)}})
    run(tracker, ["validate"], ctx())
    in_dc = [r for r in rows(tracker, "Issues") if r["Sheet"] == "Orders" and r["Field"] == "In-DC"]
    assert [r["Key"] for r in in_dc if r["Severity"] == "error"] == [live]


def test_check_records_does_not_offer_the_vendors_qty_for_a_line_cancelled_with_qty_0(tracker: Path) -> None:
    """Qty 0 with Line Status blank is a cancellation: 'type Yes in Accept' to take the vendor's 492 would
    plan the line again. The vendor still reporting it is the exception 'cancelled-line-in-production'."""
    zeroed = "4500013172 / SS27-KT-1006 / Washed Blue"
    edit_orders(tracker, **{zeroed: {"Line Status": None, "Qty": 0}})
    run(tracker, ["validate"], ctx())
    assert [r for r in rows(tracker, "Issues") if r["Key"] == zeroed and r["Field"] == "Qty"
            and r["Code"] != "line-cancelled"] == []


def test_the_scorecard_does_not_hold_a_cancelled_colours_unsent_sample_against_the_vendor(tracker: Path) -> None:
    cancel_sage_with_a_dip_and_a_sample_owed(tracker)
    run(tracker, ["ta"], ctx())
    out = tracker.parent / "report.xlsx"
    run(tracker, ["report"], ctx(out))
    top, heads = header_row(out, "Scorecard Detail", "Measure")
    ws = openpyxl.load_workbook(out, read_only=True)["Scorecard Detail"]
    detail = [dict(zip(heads, r)) for r in ws.iter_rows(min_row=top + 1, values_only=True)]
    assert [r for r in detail if r["Ref"] == line(*SAGE[1:])] == []


def test_the_report_lists_a_cancelled_colours_dips_as_cancelled_with_nothing_next(tracker: Path) -> None:
    cancel_sage_with_a_dip_and_a_sample_owed(tracker)
    run(tracker, ["ta"], ctx())
    out = tracker.parent / "report.xlsx"
    run(tracker, ["report"], ctx(out))
    top, heads = header_row(out, "Lab Dip Status", "Stands")
    ws = openpyxl.load_workbook(out, read_only=True)["Lab Dip Status"]
    sage = [dict(zip(heads, r)) for r in ws.iter_rows(min_row=top + 1, values_only=True)
            if r[0] == SAGE[1] and r[1] == SAGE[2]]
    assert [(r["Stands"], r["Next"], r["Next By"]) for r in sage] == [("Cancelled", None, None)]


@pytest.mark.parametrize(("typed", "cancelled"), [
    ("Cancelled per buyer request", True),
    ("CXL at customer's request", True),
    ("Shipped 800 - balance cancelled", False),
])
def test_line_status_words_as_teams_type_them(tracker: Path, typed: str, cancelled: bool) -> None:
    edit_orders(tracker, **{line(*SAGE): {"Line Status": typed}})
    run(tracker, ["ta"], ctx())
    planned = [r for r in rows(tracker, "T&A") if (str(r["PO #"]), r["Style #"], r["Color"]) == SAGE]
    archived = [r for r in rows(tracker, "T&A Archive") if (str(r["PO #"]), r["Style #"], r["Color"]) == SAGE]
    assert (not planned, bool(archived)) == (cancelled, cancelled), typed


def test_a_dropped_styles_lab_dips_are_not_chased(tracker: Path) -> None:
    """Styles' Status 'Dropped' drops the style's PO lines, samples and, as the README says, every chase."""
    cancel_sage_with_a_dip_and_a_sample_owed(tracker)
    edit_orders(tracker, **{line(*SAGE): {"Line Status": None}})
    wb = openpyxl.load_workbook(tracker)
    ws = wb["Styles"]
    heads = [c.value for c in ws[1]]
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, heads.index("Style #") + 1).value == SAGE[1]:
            ws.cell(r, heads.index("Status") + 1, "Dropped")
    wb.save(tracker)
    run(tracker, ["ta"], ctx())
    run(tracker, ["followups"], ctx(tracker.parent / "drafts"))
    assert [(r["Item"], r["Ref"]) for r in rows(tracker, "Follow-ups") if str(r["Ref"]).find(SAGE[1]) >= 0] == []


def test_the_scorecard_counts_only_the_po_lines_the_vendor_still_makes(tracker: Path) -> None:
    """The demo's SHX line 'Cancelled by buyer' is not one of SHX's PO lines: counted, it made SHX's
    exceptions per 100 PO lines look better than they are."""
    out = tracker.parent / "report.xlsx"
    run(tracker, ["report"], ctx(out))
    top, heads = header_row(out, "Scorecard", "Figure")
    ws = openpyxl.load_workbook(out, read_only=True)["Scorecard"]
    figures = {r[0]: dict(zip(heads, r)) for r in ws.iter_rows(min_row=top + 1, values_only=True)}
    live = [r for r in rows(tracker, "Orders") if r["Style #"].startswith("SS27-KT-1006")
            or r["Style #"] in {s["Style #"] for s in rows(tracker, "Styles") if s["Vendor"] == "SHX"}]
    assert figures["PO lines"]["SHX"] == sum(1 for r in live if not r["Line Status"])


def test_from_the_ribbon_too_a_cancelled_colour_is_not_chased(tracker: Path) -> None:
    """The live Excel back end (``fakexl`` standing in for xlwings) reads the same Line Status and sheets."""
    from fakexl import FakeBook
    from prodbook.workbook.xlbook import XlBook

    cancel_sage_with_a_dip_and_a_sample_owed(tracker)
    book = FakeBook.from_file(tracker)
    run(tracker, ["ta"], ctx(), backend=XlBook(book))
    run(tracker, ["followups"], ctx(tracker.parent / "drafts"), backend=XlBook(book))
    got = book.values("Follow-ups")
    refs = [r[got[0].index("Ref")] for r in got[1:] if any(v is not None for v in r)]
    assert refs and line(*SAGE[1:]) not in refs
