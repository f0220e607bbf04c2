"""A team that never imports vendors' WIP reports (no Vendor WIP sheet) is not told, vendor by vendor, that no
report came, nor are its vendors chased for one; a tracker that keeps them is."""

from __future__ import annotations

from datetime import date, datetime

from conftest import base_sheets, sheet_values, write_book
from prodbook.core.findings import Code
from prodbook.core.model.sheets import VENDOR_WIP
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run

CTX = Context(today=date(2027, 3, 1), now=datetime(2027, 3, 1, 9))


def stale(path) -> list[str]:
    """The vendors of the WIP-stale rows on the Exceptions sheet."""
    rows = sheet_values(path, "Exceptions")
    rule, vendor = rows[0].index("Rule"), rows[0].index("Vendor")
    return sorted(r[vendor] for r in rows[1:] if r[rule] == Code.WIP_STALE)


def test_no_vendor_wip_sheet_no_wip_stale_exceptions(tmp_path):
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    run(path, ["ta", "exceptions"], CTX)
    assert stale(path) == []


def test_a_tracker_with_a_vendor_wip_sheet_is_told_which_vendor_sent_none(tmp_path):
    sheets = base_sheets()
    sheets["Vendor WIP"] = [list(VENDOR_WIP.headers)]
    path = write_book(tmp_path / "tracker.xlsx", sheets)
    run(path, ["ta", "exceptions"], CTX)
    assert stale(path) == ["BD1"]  # CN1 cuts more than 30 days out
