"""Dozens the audit (H2, 2026-12-07) found misread, on real vendor files and a real tracker: a title that
mentions dozens only to say the figures are pieces ('Quantity in Pcs (1 Doz = 12 Pcs)', 'qty in pcs, not in
dozens'), or to describe the packing ('polybags in dozen bundles'), turned every quantity into twelve times
itself; a header naming both units ('Order Qty (Pcs/Dzn)') was read as dozens without a word."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import assert_finding
from prodbook.core import wip
from prodbook.core.findings import Code, Severity
from prodbook.jobs.runner import run
from test_wip_headers_audit import ctx, tracker, wip_rows, xlsx

HEADER = ["PO No.", "Style No", "Colour", "Order Qty", "Cut Qty", "Sewn Qty", "Packed Qty", "XF Date"]
NAVY = ["4500000001", "S1", "Navy", 1200, 1150, 800, 300, datetime(2027, 4, 15)]
"""The tracker's PO 4500000001 / S1 / Navy is 1,200 pieces on Orders."""


def vendor_file(tmp_path: Path, title: str | None, header: list[str] = HEADER,
                row: list[Any] = NAVY) -> Path:
    rows: list[list[Any]] = [["DHAKA KNIT LTD - WIP"], ["Report Date:", datetime(2027, 3, 1)]]
    if title is not None:
        rows.append([title])
    return xlsx(tmp_path / "BD1 WIP 01.03.2027.xlsx", [*rows, [], header, row])


def imported(tmp_path: Path, path: Path) -> tuple[dict[str, Any], list[Any]]:
    book = tracker(tmp_path)
    result = run(book, ["wip"], ctx(path))
    (navy,) = [r for r in wip_rows(book) if r["Color"] == "Navy"]
    return navy, result.findings


def quantities(row: dict[str, Any]) -> tuple[Any, ...]:
    return row["Order Qty"], row["Cut Qty"], row["Sewn Qty"], row["Packed Qty"]


def dozens_notes(findings: list[Any]) -> list[Any]:
    return [f for f in findings if f.code is Code.WIP_DOZENS]


@pytest.mark.parametrize("title", [
    "Quantity in Pcs (1 Doz = 12 Pcs)",
    "Remarks: qty in pcs, not in dozens",
    "Packing: 1 pc per polybag, polybags in dozen bundles",
    "All quantities in pieces (12 pcs per dozen)",
])
def test_a_title_that_mentions_dozens_but_says_pieces_reads_pieces(tmp_path, title):
    navy, findings = imported(tmp_path, vendor_file(tmp_path, title))
    assert quantities(navy) == (1200, 1150, 800, 300)
    assert not dozens_notes(findings), [f.message for f in dozens_notes(findings)]


@pytest.mark.parametrize("title", ["All quantities in dozens", "Qty in Dzn", "Quantity in dozens (1 dz = 12 pcs)"])
def test_a_title_saying_dozens_still_counts_dozens(tmp_path, title):
    navy, findings = imported(tmp_path, vendor_file(tmp_path, title, row=["4500000001", "S1", "Navy", 100, 95, 60,
                                                                           25, datetime(2027, 4, 15)]))
    assert quantities(navy) == (1200, 1140, 720, 300)
    (note,) = dozens_notes(findings)
    assert note.severity is Severity.INFO and title in note.message and "dozens, x12" in note.message


OVER = ["4500000001", "S1", "Navy", 1250, 1150, 800, 300, datetime(2027, 4, 15)]
"""Navy with the vendor's 1,250 (an overage): neither the PO's 1,200 pieces nor a twelfth of them."""


def test_a_title_naming_both_units_is_a_warning_and_read_as_pieces(tmp_path):
    navy, findings = imported(tmp_path, vendor_file(tmp_path, "Qty in pcs / dozens", row=OVER))
    assert quantities(navy) == (1250, 1150, 800, 300)
    (note,) = dozens_notes(findings)
    assert note.severity is Severity.WARNING and note.file == "BD1 WIP 01.03.2027.xlsx"
    assert "Qty in pcs / dozens" in note.message and "pieces" in note.message and "ask" in note.message.lower()


@pytest.mark.parametrize(("header", "cut"), [("Cut Qty (pcs; 1 dz = 12 pcs)", 1150),
                                             ("Cut Qty (pcs, not dozens)", 1150), ("Cut Qty (Dzn)", 13800)])
def test_a_header_naming_pieces_beside_a_dozen_reads_pieces(tmp_path, header, cut):
    """The team maps the vendor's header on the Config sheet (prodbook does not recognise it alone)."""
    path = vendor_file(tmp_path, None, header=[*HEADER[:4], header, *HEADER[5:]])
    book = tracker(tmp_path, [["WIP Column: BD1 / Cut Qty", header]])
    result = run(book, ["wip"], ctx(path))
    (navy,) = [r for r in wip_rows(book) if r["Color"] == "Navy"]
    assert navy["Cut Qty"] == cut
    notes = dozens_notes(result.findings)
    assert [f.value for f in notes] == ([header] if cut != 1150 else []), [f.message for f in notes]


def test_a_header_naming_both_units_is_a_warning_and_read_as_pieces(tmp_path):
    """'Order Qty (Pcs/Dzn)' (the audit's u1 file) was multiplied by 12 with an info row at most."""
    header = [*HEADER[:3], "Order Qty (Pcs/Dzn)", *HEADER[4:]]
    navy, findings = imported(tmp_path, vendor_file(tmp_path, None, header=header, row=OVER))
    assert quantities(navy) == (1250, 1150, 800, 300)
    note = assert_finding(findings, Code.WIP_DOZENS, value="Order Qty (Pcs/Dzn)")
    assert note.severity is Severity.WARNING and note.row == 4
    assert "'Order Qty (Pcs/Dzn)'" in note.message and "pieces" in note.message and "dozens" in note.message


@pytest.mark.parametrize(("title", "header", "written", "read", "unit"), [
    ("Qty in pcs / dozens", "Order Qty", 1200, 1200, "pieces"),
    (None, "Order Qty (Pcs/Dzn)", 1200, 1200, "pieces"),
    ("Qty in pcs / dozens", "Order Qty", 100, 1200, "dozens"),
    (None, "Order Qty (Pcs/Dzn)", 100, 1200, "dozens"),
])
def test_the_orders_sheet_decides_a_unit_the_file_leaves_open(tmp_path, title, header, written, read, unit):
    """The file's order quantity is the PO's 1,200 pieces on Orders (pieces, whatever the title says), or a
    twelfth of them (dozens): a note says the Orders sheet decided, and every quantity follows."""
    row = ["4500000001", "S1", "Navy", written, written, written // 2, written // 4, datetime(2027, 4, 15)]
    path = vendor_file(tmp_path, title, header=[*HEADER[:3], header, *HEADER[4:]], row=row)
    navy, findings = imported(tmp_path, path)
    assert quantities(navy) == (read, read, read // 2, read // 4)
    (note,) = dozens_notes(findings)
    assert note.severity is Severity.INFO and note.file == "BD1 WIP 01.03.2027.xlsx"
    assert f"read as {unit}" in note.message and "The Orders sheet decided" in note.message
    assert f"PO 4500000001 Navy: {written:,} for 1,200 pieces on Orders" in note.message
    assert (title or header) in note.message


def test_order_qty_in_pieces_under_a_dozens_title_leaves_the_other_columns_as_the_title_says(tmp_path):
    """'All quantities in dozens' with Order Qty the PO's 1,200 pieces (copied from the PO): the Orders sheet
    turned every column into pieces, Cut 100 dz into 100 pcs, with only a note. Order Qty is pieces; the other
    columns stay dozens as the title says, and a warning names them and what to ask the vendor."""
    row = ["4500000001", "S1", "Navy", 1200, 95, 60, 25, datetime(2027, 4, 15)]
    navy, findings = imported(tmp_path, vendor_file(tmp_path, "All quantities in dozens", row=row))
    assert quantities(navy) == (1200, 95 * 12, 60 * 12, 25 * 12)
    (warn,) = [f for f in dozens_notes(findings) if f.severity is Severity.WARNING]
    assert "All quantities in dozens" in warn.message and "PO 4500000001 Navy" in warn.message
    assert all(f"'{c}'" in warn.message for c in ("Cut Qty", "Sewn Qty", "Packed Qty")), warn.message
    assert "ask the vendor" in warn.message.lower()
    assert not [f for f in dozens_notes(findings) if "counts dozens" in f.message]  # said once, in the warning


@pytest.mark.parametrize(("text", "size"), [
    ("Order Qty (Dzn)", 12), ("Qty Doz", 12), ("Order Qty (Pcs/Dzn)", 1), ("Cut Qty (pcs; 1 dz = 12 pcs)", 1),
    ("Order Qty", 1), ("Cut Qty (Ctns)", 0), ("DZ", 12), ("PCS", 1), ("Qty in dozens (1 dz = 12 pcs)", 12)])
def test_unit_size_lets_pieces_win_over_a_dozen_in_the_same_text(text, size):
    assert wip.unit_size(text) == size
