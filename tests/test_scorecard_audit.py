"""The scorecard matches rows across sheets as the rest of prodbook does (``core.keys``).

A PO line, a colour or a vendor code that differs only in what the eye cannot see (a zero-width space
pasted from an e-mail, full-width characters from an Asian keyboard) is the same one to the T&A, the
exception rules and the Lab Dips view; the scorecard counted it apart, so a shipment, a lab-dip round or
a vendor's lines went missing from the figures. The history is ``test_scorecards.history``'s.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from prodbook.core import scorecards as sc
from test_scorecards import NAMES, TODAY, D, S, frame, history, row

ZW = "\u200b"  # a zero-width space: shows nothing in the cell


def test_a_colour_pasted_with_a_zero_width_space_keeps_its_shipment() -> None:
    """P3's colour on Orders was pasted as 'RED' + a zero-width space; the T&A (which took it as the same
    line) has 'RED'. The scorecard lost P3's 8-day-late shipment: AAA read 50% on time of 2, worst 3 days,
    instead of 33.3% of 3, worst 8."""
    h = history()
    orders = h.orders.assign(color=[c + ZW if po == "P3" else c for po, c in zip(h.orders["po"], h.orders["color"])])
    card = sc.scorecard(dataclasses.replace(h, orders=orders), S, TODAY, rule_names=NAMES)
    a = row(card, "AAA")
    assert (a["shipped"], a["on_time_pct"], a["worst_days_late"]) == (3, 33.3, 8)


def test_a_po_typed_in_full_width_keeps_its_shipment_and_its_packed_count() -> None:
    """P2 typed on Orders from an Asian keyboard ('Ｐ２'): the same PO line to the T&A and the exception
    rules; the scorecard lost its late shipment and its short packed count."""
    h = history()
    orders = h.orders.assign(po=["Ｐ２" if po == "P2" else po for po in h.orders["po"]])
    card = sc.scorecard(dataclasses.replace(h, orders=orders), S, TODAY, rule_names=NAMES)
    a = row(card, "AAA")
    assert (a["shipped"], a["on_time_pct"], a["qty_lines"], a["qty_accuracy_pct"]) == (3, 33.3, 3, 33.3)


def test_a_wip_report_that_writes_the_po_as_the_vendor_does_is_the_lines_packed_count() -> None:
    """P1 is PO 4500000001; a Vendor WIP row 'PO# 4500000001' is its report to the short / over shipment rule
    (``keys.line_key``). The scorecard did not find P1's packed 980 of 1,000: AAA's quantity figures left P1
    out (0% within tolerance of 2 lines, 93.1% packed, instead of 33.3% of 3 and 95.2%)."""
    h = history()

    def renamed(f: Any, to: str) -> Any:
        return f.assign(po=[to if po == "P1" else po for po in f["po"]])

    h = dataclasses.replace(h, orders=renamed(h.orders, "4500000001"), ta=renamed(h.ta, "4500000001"),
                            wip=renamed(h.wip, "PO# 4500000001"))
    card = sc.scorecard(h, S, TODAY, rule_names=NAMES)
    a = row(card, "AAA")
    assert (a["qty_lines"], a["qty_accuracy_pct"], a["packed_vs_ordered_pct"]) == (3, 33.3, 95.2)


def test_a_lab_dip_colour_typed_two_ways_is_one_colour() -> None:
    """S1 RED rejected on round 1, then approved on round 2 in a row whose colour carries a zero-width space.
    The Lab Dips view counts one colour approved on round 2; the scorecard made two colours, the second
    'right first time' (100%)."""
    h = history()
    dips = frame([
        ("S1", "RED", 1, D("2027-02-01"), D("2027-02-04"), "Rejected", D("2027-02-06")),
        ("S1", "RED" + ZW, 2, D("2027-02-10"), D("2027-02-13"), "Approved", D("2027-02-15"))],
        "style color round submitted received decision decision_date")
    card = sc.scorecard(dataclasses.replace(h, lab_dips=dips), S, TODAY, rule_names=NAMES)
    a = row(card, "AAA")
    assert (a["dip_colours"], a["dip_rounds"], a["dip_rft_pct"], a["mill_days"]) == (1, 2.0, 0.0, 4.0)


def test_a_vendor_code_with_an_invisible_character_is_one_vendor() -> None:
    """S2's vendor on Styles 'AAA' + a zero-width space: a second column headed 'AAA' (to the eye) with
    S2's line, and AAA's own figures short of it."""
    h = history()
    styles = h.styles.assign(vendor=["AAA", "AAA" + ZW, "BBB"])
    card = sc.scorecard(dataclasses.replace(h, styles=styles), S, TODAY, rule_names=NAMES)
    assert list(sc.vendor_rows(card)["vendor"]) == ["AAA", "BBB", "CCC"]
    a: dict[str, Any] = row(card, "AAA")
    assert (a["po_lines"], a["shipped"], a["on_time_pct"]) == (3, 3, 33.3)
