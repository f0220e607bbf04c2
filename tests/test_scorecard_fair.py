"""The vendor scorecard judged as a production manager ranking vendors would, and as a vendor would accept.

A real tracker is written and read back; the scorecard workbook is read back with openpyxl. BD1 makes S1;
the period is April 2027 (``--since 2027-04-01``) to 3-May-2027.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl

from conftest import base_sheets, write_book
from prodbook.core.findings import Code
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run

TODAY = date(2027, 5, 3)
SINCE = datetime(2027, 4, 1)
EXC_HEAD = ["ID", "Detected", "PO #", "Style #", "Color", "Vendor", "Rule", "Severity", "Detail", "Status", "Owner",
            "Resolution"]
TA_HEAD = ["PO #", "Style #", "Color", "Vendor", "Code", "Milestone", "Owner", "Planned", "Forecast", "Actual",
           "Status", "Variance", "Notes"]


def ta_row(po: str, color: str, code: str, actual: date | None) -> list[Any]:
    return [po, "S1", color, "BD1", code, None, None, None, None, actual, None, None, None]


def tracker(tmp_path: Path, orders: list[list[Any]], ta: list[list[Any]], exceptions: list[list[Any]]) -> Path:
    sheets = base_sheets()
    sheets["Orders"] = [["PO #", "Style #", "Color", "Qty", "PO Date", "Ex-Factory", "In-DC", "Cancel Date", "Terms",
                         "Line Status"], *orders]
    sheets["T&A"] = [TA_HEAD, *ta]
    if exceptions:
        sheets["Exceptions"] = [EXC_HEAD, *exceptions]
    return write_book(tmp_path / "t.xlsx", sheets)


def card(path: Path, since: datetime | None = SINCE) -> tuple[dict[str, dict[str, Any]], list[Any], Any]:
    """The Scorecard sheet as read back ({figure: {vendor: value}}), the Scorecard Detail rows, the outcome."""
    out = path.parent / "card.xlsx"
    result = run(path, ["scorecard"], Context(today=TODAY, now=datetime(2027, 5, 3, 9), out=out, since=since))
    wb = openpyxl.load_workbook(out)
    rows = list(wb["Scorecard"].iter_rows(min_row=4, values_only=True))
    vendors = [v for v in rows[0][1:] if v and v != "How it is counted"]
    figures = {r[0]: dict(zip(vendors, r[1:1 + len(vendors)])) for r in rows[1:] if r[0]}
    detail = list(wb["Scorecard Detail"].iter_rows(min_row=2, values_only=True))
    return figures, detail, result.outcomes[0]


ORDERS = [["P1", "S1", "Navy", 500, date(2027, 1, 4), date(2027, 4, 15), date(2027, 4, 25), date(2027, 5, 5), "DDP"],
          ["P2", "S1", "Black", 500, date(2027, 1, 4), date(2027, 4, 10), date(2027, 4, 20), date(2027, 4, 30),
           "DDP Los Angeles"],
          ["P3", "S1", "White", 500, date(2027, 1, 4), date(2027, 4, 12), date(2027, 5, 12), date(2027, 5, 20), None],
          ["P4", "S1", "Grey", 500, date(2027, 1, 4), date(2027, 4, 20), date(2027, 4, 30), date(2027, 5, 10), "DDP"]]


def test_a_ddp_line_is_on_time_by_its_arrival_at_the_dc(tmp_path: Path) -> None:
    """Under DDP the vendor delivers: its promise is the in-DC date (DOMAIN.md, the cancel date is judged so).
    P1 left the factory 5 days late but reached the DC a day early (the vendor flew it at its own cost): on
    time. P2 left on time and reached the DC 8 days late: late. P3 (FOB, Terms blank) shipped on its date. P4
    (DDP) left the factory but has not reached the DC: not judged yet. The scorecard judged all four on
    ex-factory: P1 5 days late, P2 and P4 on time, 75% of 4, worst 5."""
    ta = [ta_row("P1", "Navy", "XF", date(2027, 4, 20)), ta_row("P1", "Navy", "IDC", date(2027, 4, 24)),
          ta_row("P2", "Black", "XF", date(2027, 4, 10)), ta_row("P2", "Black", "IDC", date(2027, 4, 28)),
          ta_row("P3", "White", "XF", date(2027, 4, 12)), ta_row("P4", "Grey", "XF", date(2027, 4, 20))]
    figures, detail, _ = card(tracker(tmp_path, ORDERS, ta, []))
    assert figures["Delivered in the period"]["BD1"] == 3
    assert figures["On-time delivery %"]["BD1"] == 66.7 and figures["Worst days late"]["BD1"] == 8
    judged = {r[3].split(" / ")[0]: (r[4], r[5], r[6], r[10]) for r in detail if r[0] == "On-time delivery"}
    assert judged == {"P1": ("IDC (DDP)", datetime(2027, 4, 25), datetime(2027, 4, 24), "On time"),
                      "P2": ("IDC (DDP)", datetime(2027, 4, 20), datetime(2027, 4, 28), "Late"),
                      "P3": ("XF (FOB)", datetime(2027, 4, 12), datetime(2027, 4, 12), "On time")}


def exc(id_: str, detected: Any, po: str | None, color: str | None, status: str | None,
        rule: str = "My own check") -> list[Any]:
    return [id_, detected, po, "S1" if po else None, color, "BD1", rule, "warning", "typed by the APM", status,
            None, None]


def test_an_exception_typed_without_a_readable_detected_date_is_not_lost(tmp_path: Path) -> None:
    """An exception the APM typed with Detected blank, or as text, was left out without a word: an open one
    is open today, so it counts in the period (as the next exceptions run dates it: today), and the cell is
    named with what to do; a resolved one cannot be placed and is named too. A Detected date after the run's
    own day is a typo (2028 for 2027): not counted, named."""
    exceptions = [exc("EX-0001", date(2027, 4, 10), "P1", "Navy", "Open"),
                  exc("EX-0002", None, "P2", "Black", "Open"),
                  exc("EX-0003", "sometime in April", "P3", "White", "Resolved"),
                  exc("EX-0004", date(2028, 4, 12), "P1", "Navy", "Open")]
    figures, detail, outcome = card(tracker(tmp_path, ORDERS, [], exceptions))
    # P1, P2, P3, P4 are BD1's 4 lines; EX-0001 and EX-0002 count: 2 of 4 = 50 per 100
    assert figures["Exceptions detected"]["BD1"] == 2 and figures["Exceptions per 100 PO lines"]["BD1"] == 50.0
    counted = sorted(r[3].split(" ")[0] for r in detail if r[0] == "Exception")
    assert counted == ["EX-0001", "EX-0002"]
    said = {(f.sheet, f.row, f.column): f for f in outcome.findings if f.sheet == "Exceptions"}
    assert set(said) == {("Exceptions", 3, "Detected"), ("Exceptions", 4, "Detected"), ("Exceptions", 5, "Detected")}
    assert said[("Exceptions", 3, "Detected")].code is Code.REQUIRED
    assert "EX-0002" in said[("Exceptions", 3, "Detected")].message
    assert "sometime in April" in said[("Exceptions", 4, "Detected")].message
    assert "does not count it" in said[("Exceptions", 4, "Detected")].message
    assert "after today" in said[("Exceptions", 5, "Detected")].message
    assert "does not count it" in said[("Exceptions", 5, "Detected")].message


def test_an_exception_still_open_from_before_the_period_is_shown_not_counted_again(tmp_path: Path) -> None:
    """EX-0005, detected in March and still open, is not in April's rate (March's scorecard counted it, and a
    vendor would not accept the same exception in every month's figure), but a manager must see that it is
    still open: its own figure and a row on Scorecard Detail. A resolved one from March is in neither."""
    exceptions = [exc("EX-0001", date(2027, 4, 10), "P1", "Navy", "Open"),
                  exc("EX-0005", date(2027, 3, 1), "P2", "Black", "Open"),
                  exc("EX-0006", date(2027, 3, 5), "P3", "White", "Resolved")]
    figures, detail, _ = card(tracker(tmp_path, ORDERS, [], exceptions))
    assert figures["Exceptions detected"]["BD1"] == 1 and figures["Exceptions per 100 PO lines"]["BD1"] == 25.0
    assert figures["Still open from before the period"]["BD1"] == 1
    rows = {r[3].split(" ")[0]: r for r in detail if r[0] in ("Exception", "Exception still open")}
    assert set(rows) == {"EX-0001", "EX-0005"} and rows["EX-0005"][0] == "Exception still open"
    # the season (no --since) has nothing before it: both March exceptions are in the season's count
    season, _, _ = card(tracker(tmp_path, ORDERS, [], exceptions), since=None)
    assert season["Exceptions detected"]["BD1"] == 3 and season["Still open from before the period"]["BD1"] == 0


def test_a_withdrawn_exception_and_one_on_a_cancelled_line_are_not_counted(tmp_path: Path) -> None:
    """EX-0007's Status is Cancelled (raised in error): not the vendor's. EX-0008 is on P5, a line the buyer
    cancelled on Orders: P5 is not one of BD1's PO lines, so its exceptions are not in the per-100 figure
    either (the lines counted and the exceptions counted are the same lines). The scorecard counted both: 3
    of 4 lines = 75 per 100 instead of 1 of 4 = 25."""
    orders = [*ORDERS, ["P5", "S1", "Red", 500, date(2027, 1, 4), date(2027, 4, 20), date(2027, 4, 30),
                        date(2027, 5, 10), "FOB", "Cancelled"]]
    exceptions = [exc("EX-0001", date(2027, 4, 10), "P1", "Navy", "Open"),
                  exc("EX-0007", date(2027, 4, 15), "P2", "Black", "Cancelled - raised in error"),
                  exc("EX-0008", date(2027, 4, 20), "P5", "Red", "Resolved by data", rule="xf-revised-later")]
    figures, detail, _ = card(tracker(tmp_path, orders, [], exceptions))
    assert figures["PO lines"]["BD1"] == 4
    assert figures["Exceptions detected"]["BD1"] == 1 and figures["Exceptions per 100 PO lines"]["BD1"] == 25.0
    assert [r[3].split(" ")[0] for r in detail if r[0] == "Exception"] == ["EX-0001"]


def test_the_roll_ups_scorecards_leave_out_a_cancelled_line_and_its_exceptions(tmp_path: Path) -> None:
    """The roll-up's Vendor Scorecards read every Orders row from the database, cancelled or not: CN1's only
    line, cancelled on Orders, was one PO line with one exception (100 per 100) there and none on the
    tracker's own scorecard. The tracker's loaded lines (the production report's) are the ones it plans."""
    from prodbook.jobs.rollup_job import rollup

    sheets = base_sheets()
    sheets["Orders"][0].append("Line Status")
    sheets["Orders"][2].append("Cancelled")
    sheets["T&A"] = [TA_HEAD]
    sheets["Exceptions"] = [EXC_HEAD,
                            ["EX-0001", date(2027, 4, 1), "4500000001", "S1", "Navy", "BD1", "xf-revised-later",
                             "warning", "Vendor moved XF", "Open", None, None],
                            ["EX-0002", date(2027, 4, 2), "4500000002", "S2", "Black", "CN1", "xf-revised-later",
                             "warning", "Vendor moved XF", "Resolved by data", None, None]]
    path = write_book(tmp_path / "womens.xlsx", sheets)
    out = tmp_path / "r.xlsx"
    rollup([path], Context(today=TODAY, now=datetime(2027, 5, 3, 9), out=out), db=str(tmp_path / "s.duckdb"))
    rows = list(openpyxl.load_workbook(out)["Vendor Scorecards"].iter_rows(values_only=True))
    cards = {r[0]: dict(zip(rows[0], r)) for r in rows[1:] if r[0]}
    assert (cards["BD1"]["PO Lines"], cards["BD1"]["Exceptions"]) == (1, 1)
    assert "CN1" not in cards  # nothing of CN1's left to score (the roll-up has no Vendors sheet to list it)


def test_a_vendor_code_typed_with_a_double_space_is_one_vendor(tmp_path: Path) -> None:
    """'CN  1' on Styles (two spaces: the eye does not see them in a cell) against 'CN 1' on Vendors made two
    columns that read the same, one with CN 1's line and shipment, the other with its name and nothing. Case and
    outer spaces were already one vendor ('bd1 ' is BD1)."""
    sheets = base_sheets()
    sheets["Styles"][1][2], sheets["Styles"][2][2], sheets["Vendors"][2][0] = " bd1", "CN  1", "CN 1"
    sheets["T&A"] = [TA_HEAD, ["4500000002", "S2", "Black", "CN  1", "XF", None, None, None, None, date(2027, 4, 30),
                               None, None, None]]
    figures, _, _ = card(write_book(tmp_path / "t.xlsx", sheets), since=None)
    assert list(figures["PO lines"]) == ["BD1", "CN 1"]
    assert (figures["PO lines"]["CN 1"], figures["Delivered in the period"]["CN 1"]) == (1, 1)
    assert figures["Name"]["CN 1"] == "Ningbo Garments"
