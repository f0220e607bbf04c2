"""Vendor scorecards on a small hand-made history; every expected figure is worked out in the comments.

Vendors: AAA makes S1 in factory F1 and S2 in factory F2; BBB makes S3 in FB; CCC is on the Vendors sheet
with no orders. Today is 31-Mar-2027. Settings: On-Time Tolerance Days 1, WIP Stale Days 10, Ship
Tolerance 3%.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest

from prodbook.core import scorecards as sc
from prodbook.core.findings import Code

D = date.fromisoformat
TODAY = D("2027-03-31")
S = sc.ScoreSettings(on_time_tolerance_days=1, wip_stale_days=10, ship_tolerance_pct=3.0)
NAMES = {str(Code.SHIP_QTY_OFF): "Short / over shipment", str(Code.WIP_STALE): "WIP report stale"}


def frame(rows: list[tuple[Any, ...]], cols: str) -> pd.DataFrame:
    return pd.DataFrame([dict(zip(cols.split(), r)) for r in rows], columns=cols.split())


def history() -> sc.History:
    styles = frame([("S1", "AAA", "F1"), ("S2", "AAA", "F2"), ("S3", "BBB", "FB")], "style vendor factory")
    orders = frame([("P1", "S1", "RED", 1000, D("2027-03-01")), ("P2", "S1", "BLUE", 500, D("2027-03-01")),
                    ("P3", "S2", "RED", 800, D("2027-03-10")), ("P4", "S3", "RED", 600, D("2027-03-05")),
                    ("P5", "S3", "BLUE", 400, D("2027-04-30"))], "po style color qty ex_factory")
    ta = frame([
        # ex-factory actuals: P1 0 days late, P2 3, P3 8, P4 1 (within the 1-day tolerance); P5 not shipped
        ("P1", "S1", "RED", "XF", D("2027-03-01"), D("2027-03-01")),
        ("P2", "S1", "BLUE", "XF", D("2027-03-01"), D("2027-03-04")),
        ("P3", "S2", "RED", "XF", D("2027-03-10"), D("2027-03-18")),
        ("P4", "S3", "RED", "XF", D("2027-03-05"), D("2027-03-06")),
        ("P5", "S3", "BLUE", "XF", D("2027-04-30"), None),
        # cutting planned: in production from 30 days before
        ("P1", "S1", "RED", "CUT", D("2027-02-01"), None), ("P2", "S1", "BLUE", "CUT", D("2027-02-01"), None),
        ("P3", "S2", "RED", "CUT", D("2027-02-10"), None), ("P4", "S3", "RED", "CUT", D("2027-02-05"), None),
        ("P5", "S3", "BLUE", "CUT", D("2027-04-01"), None),
        # packing complete: every newest WIP report below is dated on or after it (a final count)
        ("P1", "S1", "RED", "PCK", D("2027-02-24"), D("2027-02-25")),
        ("P2", "S1", "BLUE", "PCK", D("2027-02-24"), D("2027-02-25")),
        ("P3", "S2", "RED", "PCK", D("2027-03-05"), D("2027-03-09")),
        ("P4", "S3", "RED", "PCK", D("2027-03-01"), D("2027-03-04"))], "po style color code planned actual")
    dips = frame([
        ("S1", "RED", 1, D("2027-02-01"), D("2027-02-04"), "Rejected", D("2027-02-06")),
        ("S1", "RED", 2, D("2027-02-10"), D("2027-02-13"), "Approved", D("2027-02-15")),
        ("S1", "BLUE", 1, D("2027-02-01"), D("2027-02-03"), "Approved with comments", D("2027-02-05")),
        ("S2", "RED", 1, D("2027-01-28"), D("2027-02-01"), "Cancelled", D("2027-02-03")),
        ("S2", "RED", 2, D("2027-02-09"), D("2027-02-11"), "Rejected", D("2027-02-12")),
        ("S2", "RED", 3, D("2027-02-19"), D("2027-02-22"), "Approved", D("2027-02-24")),
        ("S3", "RED", 1, D("2027-02-01"), None, None, None)],
        "style color round submitted received decision decision_date")
    samples = frame([
        ("S1", "Fit", "RED", D("2027-02-10"), D("2027-02-09")),      # on time
        ("S2", "PP", "RED", D("2027-02-20"), D("2027-02-25")),       # 5 days late
        ("S3", "Fit", "RED", D("2027-03-01"), None),                 # not shipped by today: late
        ("S3", "PP", "RED", D("2027-04-15"), None),                  # due after today: not counted
        ("S3", "Proto", "RED", D("2027-02-01"), None)],              # not a fit or PP sample
        "style sample_type color due shipped")
    wip = frame([
        ("P1", "S1", "RED", "AAA", 0, D("2027-01-15")), ("P1", "S1", "RED", "AAA", 0, D("2027-01-29")),
        ("P2", "S1", "BLUE", "AAA", 0, D("2027-02-05")), ("P1", "S1", "RED", "AAA", 980, D("2027-02-26")),
        ("P2", "S1", "BLUE", "AAA", 450, D("2027-02-26")), ("P3", "S2", "RED", "AAA", 760, D("2027-03-10")),
        ("P4", "S3", "RED", "BBB", 618, D("2027-03-25")), ("P5", "S3", "BLUE", "BBB", 0, D("2027-03-26"))],
        "po style color vendor packed_qty report_date")
    exceptions = frame([
        ("EX-0001", D("2027-03-20"), "P3", "S2", "RED", "AAA", str(Code.SHIP_QTY_OFF), "Open"),
        ("EX-0002", D("2027-03-21"), "P2", "S1", "BLUE", "AAA", str(Code.SHIP_QTY_OFF), "Resolved"),
        ("EX-0003", D("2027-03-22"), None, None, None, "AAA", str(Code.WIP_STALE), "Open"),
        ("EX-0004", D("2027-03-22"), "P4", "S3", "RED", "BBB", str(Code.XF_REVISED_LATE), "Open"),
        ("EX-0005", D("2027-04-02"), "P5", "S3", "BLUE", "BBB", str(Code.XF_REVISED_LATE), "Open")],
        "id detected po style color vendor rule status")
    vendors = frame([("AAA", "Alpha Apparel"), ("BBB", "Beta Knits"), ("CCC", "Gamma Denim")], "vendor name")
    return sc.History(orders, ta, dips, samples, wip, exceptions, styles, vendors)


def row(card: sc.Scorecard, vendor: str, factory: str | None = None) -> dict[str, Any]:
    t = card.table
    hit = t[(t["vendor"] == vendor) & ((t["factory"] == factory) if factory else True)]
    return hit.iloc[0].to_dict()


@pytest.fixture(scope="module")
def card() -> sc.Scorecard:
    return sc.scorecard(history(), S, TODAY, rule_names=NAMES)


def test_on_time_ex_factory(card: sc.Scorecard) -> None:
    a, b = row(card, "AAA"), row(card, "BBB")
    # AAA shipped P1 (0 days), P2 (3 > 1: late), P3 (8: late): 1 of 3 on time = 33.3%;
    # average days late (3 + 8) / 2 = 5.5; worst 8.
    assert (a["shipped"], a["on_time_pct"], a["avg_days_late"], a["worst_days_late"]) == (3, 33.3, 5.5, 8)
    # BBB shipped P4 one day after plan, within the 1-day tolerance: 100%, nothing late.
    assert (b["shipped"], b["on_time_pct"], b["avg_days_late"], b["worst_days_late"]) == (1, 100.0, 0.0, 0)


def test_lab_dips(card: sc.Scorecard) -> None:
    a, b = row(card, "AAA"), row(card, "BBB")
    # S1 RED: rejected, approved on round 2. S1 BLUE: approved first time. S2 RED: round 1 cancelled (not
    # counted), rejected, approved: 2 counted rounds. Rounds (2 + 1 + 2) / 3 = 1.67 -> 1.7; right first
    # time 1 of 3 = 33.3%. Days with the mill after a rejection / cancellation: S1 RED 6-Feb -> 10-Feb = 4,
    # S2 RED 3-Feb -> 9-Feb = 6, 12-Feb -> 19-Feb = 7: (4 + 6 + 7) / 3 = 5.67 -> 5.7.
    assert (a["dip_colours"], a["dip_rounds"], a["dip_rft_pct"], a["mill_days"]) == (3, 1.7, 33.3, 5.7)
    # S3 RED is still open: no approval to count.
    assert b["dip_colours"] == 0 and b["dip_rounds"] is None and b["dip_rft_pct"] is None


def test_a_vendor_code_typed_in_another_case_is_one_vendor(card: sc.Scorecard) -> None:
    """'aaa ' typed on S2's style row made a second vendor with S2's lines, and AAA's figures halved."""
    h = history()
    styles = h.styles.assign(vendor=["AAA", "aaa ", "BBB"])
    wip = h.wip.assign(vendor=["aaa"] + h.wip["vendor"].tolist()[1:])
    typed = sc.scorecard(sc.History(h.orders, h.ta, h.lab_dips, h.samples, wip, h.exceptions, styles, h.vendors),
                         S, TODAY, rule_names=NAMES)
    assert sorted(set(typed.table["vendor"])) == ["AAA", "BBB", "CCC"]
    assert typed.table.equals(card.table)


def test_lab_dip_rounds_count_a_rounds_options_once_and_a_blank_round_as_the_next() -> None:
    """Counted in rows, a round of options was several rounds: S1 RED (round 1: A rejected, B approved)
    was 'approved on round 2'; S2 RED (A, B, C rejected, then round 2) on round 4, its mill days -5, -5
    and 10; S3 RED's blank Round sorted first, so its approval was 'right first time'."""
    h = history()
    h = sc.History(h.orders, h.ta, frame([
        ("S1", "RED", 1, "A", D("2027-02-01"), "Rejected", D("2027-02-05")),
        ("S1", "RED", 1, "B", D("2027-02-01"), "Approved", D("2027-02-05")),
        ("S2", "RED", 1, "A", D("2027-02-01"), "Rejected", D("2027-02-05")),
        ("S2", "RED", 1, "B", D("2027-02-01"), "Rejected", D("2027-02-05")),
        ("S2", "RED", 1, "C", D("2027-02-01"), "Rejected", D("2027-02-06")),
        ("S2", "RED", 2, "A", D("2027-02-16"), "Approved", D("2027-02-20")),
        ("S3", "RED", 1, None, D("2027-02-01"), "Rejected", D("2027-02-05")),
        ("S3", "RED", None, None, D("2027-02-27"), "Approved", D("2027-03-03"))],
        "style color round option submitted decision decision_date"), h.samples, h.wip, h.exceptions, h.styles,
        h.vendors)
    rows = sc.lab_dip_rows(h, None, TODAY)
    got = sorted((r["ref"], r["measure"], r["item"], r["value"]) for r in rows)
    assert got == [("S1 / RED", sc.Measure.DIP, "Round 1", 1),
                   ("S2 / RED", sc.Measure.DIP, "Round 2", 2),
                   ("S2 / RED", sc.Measure.MILL, "Round 2", 10),  # the last option turned down, 6-Feb
                   ("S3 / RED", sc.Measure.DIP, "Round 2", 2),
                   ("S3 / RED", sc.Measure.MILL, "Round 2", 22)]


def test_fit_and_pp_samples(card: sc.Scorecard) -> None:
    # AAA: S1 fit on time, S2 PP 5 days late: 50%. BBB: S3 fit not shipped by its due date: 0% (the PP due
    # after today and the proto do not count).
    assert (row(card, "AAA")["samples"], row(card, "AAA")["samples_on_time_pct"]) == (2, 50.0)
    assert (row(card, "BBB")["samples"], row(card, "BBB")["samples_on_time_pct"]) == (1, 0.0)


def test_fit_and_pp_samples_are_known_as_the_samples_view_knows_them() -> None:
    """'1st Fit' and 'Bulk PP Sample' were no fit or PP samples to the scorecard (it read only types that
    begin so), and a fit sample whose Due is blank, which takes its T&A milestone's Planned date, was
    left out: AAA stood at 100% with three of four samples late."""
    h = history()
    ta = pd.concat([h.ta.assign(milestone=None), frame([
        ("P1", "S1", "RED", "FS2", "2nd fit sample submit", D("2027-03-08"), None)],
        "po style color code milestone planned actual")], ignore_index=True)
    samples = frame([
        ("S1", "Fit", "RED", D("2027-02-10"), D("2027-02-09")),          # on time
        ("S1", "1st Fit", "RED", D("2027-02-12"), D("2027-02-20")),      # 8 days late
        ("S2", "Bulk PP Sample", "RED", D("2027-02-20"), None),          # not shipped
        ("S1", "2nd fit", "RED", None, D("2027-03-10"))],                # due 8-Mar from its T&A step: late
        "style sample_type color due shipped")
    rows = sc.sample_rows(sc.History(h.orders, ta, h.lab_dips, samples, h.wip, h.exceptions, h.styles,
                                     h.vendors), None, TODAY)
    assert [(r["item"], r["planned"], r["result"]) for r in rows] == [
        ("Fit", D("2027-02-10"), "On time"), ("1st Fit", D("2027-02-12"), "Late"),
        ("Bulk PP Sample", D("2027-02-20"), "Not shipped"), ("2nd fit", D("2027-03-08"), "Late")]


def test_wip_punctuality(card: sc.Scorecard) -> None:
    # Blocks of 10 days back from 31-Mar: ..., 1-10 Jan, 11-20 Jan, 21-30 Jan, 31 Jan-9 Feb, 10-19 Feb,
    # 20 Feb-1 Mar, 2-11 Mar, 12-21 Mar, 22-31 Mar.
    # AAA is in production from 2-Jan (P1, P2: cutting 1-Feb - 30) to 18-Mar (P3 shipped): expected in the
    # 7 blocks ending 10-Jan ... 11-Mar (P1 shipped 1-Mar, P2 4-Mar, P3 18-Mar; none left on 21-Mar).
    # Reports 15-Jan, 29-Jan, 5-Feb, 26-Feb, 10-Mar: 5 blocks; missing 1-10 Jan and 10-19 Feb. 5/7 = 71.4%.
    a = row(card, "AAA")
    assert (a["wip_expected"], a["wip_received"], a["wip_punctuality_pct"]) == (7, 5, 71.4)
    # BBB from 6-Jan (P4) to today (P5 in production from 2-Mar): 9 blocks; reports 25 and 26-Mar are one
    # block: 1/9 = 11.1%.
    b = row(card, "BBB")
    assert (b["wip_expected"], b["wip_received"], b["wip_punctuality_pct"]) == (9, 1, 11.1)
    missing = card.detail[(card.detail["measure"] == sc.Measure.WIP) & (card.detail["vendor"] == "AAA")
                          & ~card.detail["ok"].astype(bool)]["ref"].tolist()
    assert missing == ["2027-01-01 to 2027-01-10", "2027-02-10 to 2027-02-19"]


def test_exceptions_per_100_lines_by_rule(card: sc.Scorecard) -> None:
    # AAA: EX-0001, EX-0002 (short / over), EX-0003 (WIP stale) on 3 PO lines: 100 per 100; by rule 2/3 = 66.7
    # and 1/3 = 33.3. BBB: EX-0004 on 2 lines = 50 (EX-0005 is after today).
    assert (row(card, "AAA")["exceptions"], row(card, "AAA")["exceptions_per_100"]) == (3, 100.0)
    assert (row(card, "BBB")["exceptions"], row(card, "BBB")["exceptions_per_100"]) == (1, 50.0)
    rules = {(r["vendor"], r["rule"]): (r["exceptions"], r["per_100"]) for r in card.by_rule.to_dict("records")}
    assert rules == {("AAA", "Short / over shipment"): (2, 66.7), ("AAA", "WIP report stale"): (1, 33.3),
                     ("BBB", str(Code.XF_REVISED_LATE)): (1, 50.0)}


def test_quantity_accuracy(card: sc.Scorecard) -> None:
    # Newest packed: P1 980 of 1,000 (-2.0%, within 3%), P2 450 of 500 (-10%), P3 760 of 800 (-5%): 1 of 3 =
    # 33.3%; packed / ordered 2,190 / 2,300 = 95.2%. BBB: P4 618 of 600 (+3.0%, on the tolerance): 100%, 103.0%.
    a, b = row(card, "AAA"), row(card, "BBB")
    assert (a["qty_lines"], a["qty_accuracy_pct"], a["packed_vs_ordered_pct"]) == (3, 33.3, 95.2)
    assert (b["qty_lines"], b["qty_accuracy_pct"], b["packed_vs_ordered_pct"]) == (1, 100.0, 103.0)


def test_a_count_from_before_packing_finished_is_not_judged() -> None:
    h = history()
    ta = h.ta.copy()
    ta.loc[(ta["po"] == "P1") & (ta["code"] == "PCK"), "actual"] = D("2027-02-27")  # after P1's 26-Feb report
    card = sc.scorecard(sc.History(h.orders, ta, h.lab_dips, h.samples, h.wip, h.exceptions, h.styles, h.vendors),
                        S, TODAY)
    # AAA keeps P2 (450 of 500) and P3 (760 of 800): none within 3%, 1,210 / 1,300 = 93.1%.
    a = row(card, "AAA")
    assert (a["qty_lines"], a["qty_accuracy_pct"], a["packed_vs_ordered_pct"]) == (2, 0.0, 93.1)


def test_factories_of_a_vendor_with_several(card: sc.Scorecard) -> None:
    # AAA's row names no factory (it has two); F1 = P1, P2; F2 = P3.
    assert row(card, "AAA")["factory"] is None and row(card, "BBB")["factory"] == "FB"
    f1, f2 = row(card, "AAA", "F1"), row(card, "AAA", "F2")
    # F1: 1 of 2 on time, late P2 3 days; dips S1 RED (2 rounds), S1 BLUE (1): 1.5, 50%; mill 4 days;
    # S1 fit on time; EX-0002 on 2 lines = 50; P1 ok, P2 short: 50%, 1,430 / 1,500 = 95.3%.
    assert (f1["po_lines"], f1["on_time_pct"], f1["avg_days_late"], f1["worst_days_late"]) == (2, 50.0, 3.0, 3)
    assert (f1["dip_rounds"], f1["dip_rft_pct"], f1["mill_days"], f1["samples_on_time_pct"]) == (1.5, 50.0, 4.0,
                                                                                                  100.0)
    assert (f1["exceptions_per_100"], f1["qty_accuracy_pct"], f1["packed_vs_ordered_pct"]) == (50.0, 50.0, 95.3)
    # F2: P3 8 days late; S2 RED 2 rounds, mill (6 + 7) / 2 = 6.5; PP late; EX-0001 on 1 line = 100; 760/800.
    assert (f2["on_time_pct"], f2["worst_days_late"], f2["dip_rounds"], f2["mill_days"]) == (0.0, 8, 2.0, 6.5)
    assert (f2["exceptions_per_100"], f2["packed_vs_ordered_pct"], f2["wip_expected"]) == (100.0, 95.0, None)
    assert list(sc.vendor_rows(card)["vendor"]) == ["AAA", "BBB", "CCC"]


def test_a_vendor_without_orders_has_an_empty_row(card: sc.Scorecard) -> None:
    c = row(card, "CCC")
    assert c["name"] == "Gamma Denim" and c["po_lines"] == 0 and c["shipped"] == 0
    assert c["on_time_pct"] is None and c["exceptions_per_100"] is None


def test_since_narrows_the_period() -> None:
    card = sc.scorecard(history(), S, TODAY, since=D("2027-02-15"), rule_names=NAMES)
    a = row(card, "AAA")
    # Approved from 15-Feb: S1 RED (2 rounds), S2 RED (2): 2.0, 0% first time; resubmitted from 15-Feb:
    # S2 RED round 3 (7 days). Samples due from 15-Feb: S2 PP (late): 0%.
    assert (a["dip_colours"], a["dip_rounds"], a["dip_rft_pct"], a["mill_days"]) == (2, 2.0, 0.0, 7.0)
    assert (a["samples"], a["samples_on_time_pct"]) == (1, 0.0)
    # WIP blocks ending on or after 15-Feb with AAA in production: 10-19 Feb (none), 20 Feb-1 Mar (26-Feb),
    # 2-11 Mar (10-Mar): 2/3 = 66.7%.
    assert (a["wip_expected"], a["wip_received"], a["wip_punctuality_pct"]) == (3, 2, 66.7)


def test_every_figure_has_its_rows_in_the_drill_down(card: sc.Scorecard) -> None:
    d = card.detail
    late = d[(d["measure"] == sc.Measure.XF) & (d["result"] == "Late")]
    assert sorted(late["ref"]) == ["P2 / S1 / BLUE", "P3 / S2 / RED"] and sorted(late["days"]) == [3, 8]
    assert set(d["measure"]) == set(sc.MEASURES) - {sc.Measure.STILL_OPEN}  # the season has no "before"
    assert list(d.columns) == list(sc.DETAIL_FIELDS)


def test_empty_history_is_an_empty_scorecard() -> None:
    card = sc.scorecard(sc.History(pd.DataFrame(columns=["po", "style", "color", "qty", "ex_factory"])), S, TODAY)
    assert card.table.empty and card.detail.empty and card.by_rule.empty
