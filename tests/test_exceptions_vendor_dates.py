"""The vendor's own dates read as an APM reads them: a Revised XF gone by without a shipment is an exception
(``exceptions.revised_xf_passed``), on a real tracker written, run and read back."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from conftest import base_sheets, write_book
from prodbook.core import exceptions as ex
from prodbook.core.findings import Code, Severity
from test_exceptions import hits, line
from test_exceptions_audit import WIP_HEADER, ctx, of_line, type_cells

RULE = str(Code.XF_DATE_PASSED)


def wip_row(revised: date, packed: Any, *, report: date = date(2027, 4, 10), remarks: str = "") -> list[Any]:
    return ["4500000001", "S1", "Navy", "BD1", 1200, 1200, 900, packed, "In-house", date(2027, 4, 15), revised,
            "Sea", "Confirmed", remarks, report, "bd1.xlsx"]


def run_with(tmp_path, row: list[Any], today: date) -> dict[str, dict[str, Any]]:
    sheets = base_sheets()
    sheets["Vendor WIP"] = [WIP_HEADER, row]
    path = write_book(tmp_path / "t.xlsx", sheets)
    from prodbook.jobs.runner import run
    run(path, ["ta", "exceptions"], ctx(today))
    return of_line(path, "4500000001")


@pytest.mark.parametrize(("today", "severity"), [(date(2027, 4, 14), "warning"), (date(2027, 4, 19), "warning"),
                                                 (date(2027, 4, 20), "error"), (date(2027, 5, 3), "error")])
def test_a_revised_xf_gone_by_without_a_shipment_is_an_exception(tmp_path, today, severity):
    """PO 4500000001 S1 Navy, 1,200 ordered: the vendor's report of 10-Apr gives Revised XF 12-Apr (before the
    planned 15-Apr, so no 'revised later'), packed 600. On 14-Apr nothing had shipped and no exception said so: the
    rules quietly judged the line as shipping today. Now: the vendor's date has passed, a warning up to a week,
    an error after it."""
    found = run_with(tmp_path, wip_row(date(2027, 4, 12), 600), today)
    row = found[RULE]
    days = (today - date(2027, 4, 12)).days
    assert row["Severity"] == severity, row
    assert row["Detail"] == (f"PO 4500000001 S1 Navy: Revised XF 12-Apr-27 (WIP report of 10-Apr-27) is {days} "
                             f"day(s) past on {today:%d-%b-%y} and the line has not shipped: packed 600 of 1,200. "
                             "Ask the vendor for a new date."), row["Detail"]


def test_a_revised_xf_still_given_after_it_passed_names_the_report(tmp_path):
    """The report of 15-Apr still gives 12-Apr: the vendor wrote a date already gone."""
    detail = run_with(tmp_path, wip_row(date(2027, 4, 12), None, report=date(2027, 4, 15)),
                      date(2027, 4, 16))[RULE]["Detail"]
    assert "Revised XF 12-Apr-27 (still given on the WIP report of 15-Apr-27) is 4 day(s) past" in detail, detail
    assert "no packed quantity reported (order 1,200)" in detail, detail


@pytest.mark.parametrize(("revised", "packed", "remarks"), [
    (date(2027, 4, 14), 600, ""),                # today: not passed yet
    (date(2027, 4, 12), 1200, ""),               # packed in full: waiting on the vessel, not the factory
    (date(2027, 4, 12), 1250, ""),
    (date(2027, 4, 12), 600, "Shipped 12-Apr"),  # the vendor marks it shipped
])
def test_a_line_packed_in_full_or_shipped_or_not_yet_due_raises_nothing(tmp_path, revised, packed, remarks):
    assert RULE not in run_with(tmp_path, wip_row(revised, packed, remarks=remarks), date(2027, 4, 14))


def test_a_line_shipped_on_the_ta_raises_nothing_and_its_exception_resolves(tmp_path):
    sheets = base_sheets()
    sheets["Vendor WIP"] = [WIP_HEADER, wip_row(date(2027, 4, 12), 600)]
    path = write_book(tmp_path / "t.xlsx", sheets)
    from prodbook.jobs.runner import run
    run(path, ["ta", "exceptions"], ctx(date(2027, 4, 14)))
    assert of_line(path, "4500000001")[RULE]["Status"] == ex.OPEN
    type_cells(path, "T&A", {"PO #": "4500000001", "Code": "XF"}, {"Actual": datetime(2027, 4, 13)})
    run(path, ["exceptions"], ctx(date(2027, 4, 14), hour=10))
    assert of_line(path, "4500000001")[RULE]["Status"] == ex.RESOLVED_BY_DATA


def test_not_shipped_words_do_not_mark_a_line_shipped():
    for remarks in ("Not shipped", "To be shipped 20-Apr", "Partly shipped"):
        (h,) = hits(ex.revised_xf_passed, line({"revised_xf": date(2027, 2, 20), "packed_qty": 10,
                                                "remarks": remarks}))
        assert h.severity is Severity.ERROR and "packed 10 of 1,000" in h.message, h.message


def test_a_sample_fabric_or_trims_shipped_is_not_the_goods_shipped(tmp_path):
    """'PP sample shipped 05-Nov' in Remarks once hid a Revised XF gone by: a sample, fabric, trims, yarn, lab dip
    or accessories shipped is not the line shipped."""
    for remarks in ("PP sample shipped 05-Apr", "Fabric shipped from mill", "Trims shipped", "yarn shipped to knitter",
                    "Lab dip shipped by courier", "Accessories shipped; sewing", "Shipped TOP sample"):
        (h,) = hits(ex.revised_xf_passed, line({"revised_xf": date(2027, 2, 20), "packed_qty": 10,
                                                "remarks": remarks}))
        assert "packed 10 of 1,000" in h.message, remarks
    assert not hits(ex.revised_xf_passed, line({"revised_xf": date(2027, 2, 20), "packed_qty": 10,
                                                "remarks": "Fabric ok, shipped 12-Mar"}))
    assert RULE in run_with(tmp_path, wip_row(date(2027, 4, 1), 600, remarks="PP sample shipped 05-Apr"),
                            date(2027, 4, 14))
