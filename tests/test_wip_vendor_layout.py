"""A vendor file whose name does not say the vendor: found from its PO lines, then read with that
vendor's own layout (the Config 'WIP Column: VENDOR / ...' settings), every other setting kept."""

from __future__ import annotations

from test_wip import cn_csv, ctx, tracker_with_lines, wip_rows

from prodbook.jobs.runner import run


def test_a_vendor_found_from_its_po_lines_is_read_with_its_own_layout(tmp_path):
    book = tracker_with_lines(tmp_path, [["WIP Column: CN1 / Cut Qty", "CUTTING PCS"]])
    f = cn_csv(tmp_path, name="ningbo weekly.csv")  # no vendor code in the name, no 'WIP Vendor' pattern
    result = run(book, ["wip"], ctx(f))
    (row,) = wip_rows(book)
    assert (row["PO #"], row["Vendor"], row["Source File"]) == ("4500000002", "CN1", "ningbo weekly.csv")
    assert (row["Order Qty"], row["Cut Qty"], row["Sewn Qty"]) == (800, 820, 0)  # Cut Qty: CN1's own header
    assert not [f for f in result.findings if f.severity == "error"]
