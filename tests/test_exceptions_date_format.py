"""A Config 'Date Format' reaches the dates inside sentences (Exceptions Detail, the report's Cancel Check and
What changed), not only the milestone cells; and 'WIP report stale' names the PO lines it is about."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import openpyxl
import pandas as pd

from conftest import sheet_values
from prodbook.core import exceptions as ex
from prodbook.core.looks import with_date_text
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from test_exceptions import TODAY, book_with_wip, ctx, exceptions_sheet, hits, line

DD_MMM_YY = re.compile(r"\b\d{1,2}-(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-\d{2}\b")


def test_a_sentence_in_dd_mmm_yy_is_shown_in_the_workbooks_format():
    text = "Forecast in DC 24-Feb-27 (sea, ex-factory 25-Jan-27); the 20-Nov-26 report; due 2026-12-30"
    assert with_date_text(text, "mmmm d, yyyy") == ("Forecast in DC February 24, 2027 (sea, ex-factory January 25, "
                                                    "2027); the November 20, 2026 report; due December 30, 2026")
    assert with_date_text(text, "dd/mm/yyyy") == ("Forecast in DC 24/02/2027 (sea, ex-factory 25/01/2027); the "
                                                  "20/11/2026 report; due 30/12/2026")
    assert with_date_text(text) == "Forecast in DC 24-Feb-27 (sea, ex-factory 25-Jan-27); the 20-Nov-26 report; " \
                                   "due 30-Dec-26"
    # not dates: a style or PO with a month in it, a day that does not exist
    for other in ("Style SS-Mar-27", "PO 12-Mar-275", "Lot 31-Feb-27", "ref 4500-Jan-26A"):
        assert with_date_text(other, "dd/mm/yyyy") == other
    # each date once: a date the format writes is never read again as another one
    once = with_date_text("25-Dec-31", "yy-mmm-dd")
    assert with_date_text(once, "yy-mmm-dd") in (once, "25-Dec-31")
    assert with_date_text(with_date_text(text, "dd/mm/yyyy"), "dd/mm/yyyy") == with_date_text(text, "dd/mm/yyyy")


def with_format(path, code: str) -> None:
    wb = openpyxl.load_workbook(path)
    wb["Config"].append(["Date Format", code])
    wb.save(path)


def test_the_exceptions_detail_and_the_report_follow_the_date_format(tmp_path):
    path = book_with_wip(tmp_path, date(2027, 4, 22))
    with_format(path, "dd/mm/yyyy")
    run(path, ["ta", "exceptions"], ctx())
    rows = exceptions_sheet(path)
    late = next(r for r in rows if r["Rule"] == "xf-revised-later")
    assert "22/04/2027" in late["Detail"] and "15/04/2027" in late["Detail"], late["Detail"]
    assert not [r["Detail"] for r in rows if DD_MMM_YY.search(str(r["Detail"]))]
    out = tmp_path / "report.xlsx"
    run(path, ["report"], Context(today=TODAY, now=datetime(2027, 3, 1, 10), out=out, since=datetime(2027, 2, 1)))
    wb = openpyxl.load_workbook(out)
    texts = [str(v) for name in ("PO Lines", "Changes", "Open Exceptions")
             for row in wb[name].iter_rows(min_row=2, values_only=True) for v in row if isinstance(v, str)]
    assert any("/2027" in t for t in texts)
    assert not [t for t in texts if DD_MMM_YY.search(t)]
    header, *lines = [list(r) for r in wb["PO Lines"].iter_rows(values_only=True)]
    checks = [r[header.index("Cancel Check")] for r in lines]
    assert all(re.search(r"\d{2}/\d{2}/\d{4}", c) for c in checks), checks
    # the tracker's own sheets show the same text
    report = sheet_values(path, "Production Report")
    assert not [v for r in report[1:] for v in r if isinstance(v, str) and DD_MMM_YY.search(v)]


def test_no_wip_report_yet_names_the_lines_in_production():
    cut = {"CUT": TODAY - timedelta(days=2)}
    many = [line(po=f"P{i}", planned=cut) for i in range(1, 6)]
    later = line(po="P9", planned={"CUT": TODAY + timedelta(days=31)})  # cutting beyond the 30 days: not counted
    (h,) = hits(ex.wip_stale, *many, later)
    assert "5 PO line(s) in production" in h.message, h.message
    assert "PO P1 S1 Navy" in h.message and "and 2 more" in h.message and "P9" not in h.message, h.message
    (one,) = hits(ex.wip_stale, line(planned=cut), later)
    assert "1 PO line(s) in production" in one.message and "PO P1 S1 Navy" in one.message, one.message
    assert "more" not in one.message
    # a report came, and it is old: the same lines are named
    old = pd.DataFrame({"vendor": ["V1"], "report_date": [TODAY - timedelta(days=20)]})
    (stale,) = hits(ex.wip_stale, *many, wip=old, wip_stale_days=10)
    assert "20 days ago" in stale.message and "PO P1 S1 Navy" in stale.message, stale.message


def test_the_production_reports_recovery_cell_follows_the_date_format():
    """The Recovery cell on the tracker's Production Report wrote its date dd-Mmm-yy beside date columns in
    the Date Format."""
    from prodbook.core import recovery as rc
    from prodbook.core.report import recovery_text

    air = rc.Option(rc.Lever.AIR, date(2027, 4, 18), True, None, 1200.0, "", recommended=True)
    assert "18/04/2027" in (recovery_text([air], date_format="dd/mm/yyyy") or "")
    assert "18-Apr-27" in (recovery_text([air]) or "")


def test_the_report_re_dates_only_its_own_sentences_not_po_style_or_vendor_text(tmp_path):
    from prodbook.workbook.report_xlsx import REPORT, table_sheet
    row = {c.field: None for c in REPORT.columns}
    row.update(po="2026-11-30", style="4500-01-26", color="30 Dec 2026", vendor="2026-12-01",
               cancel_check="Late for cancel: forecast ex-factory 2026-12-30")
    wb = openpyxl.Workbook()
    table_sheet(wb.active, pd.DataFrame([row]), REPORT, "dd/mm/yyyy")
    wb.save(tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx").active
    got = {h.value: c.value for h, c in zip(ws[1], ws[2])}
    assert (got["PO #"], got["Style #"], got["Color"], got["Vendor"]) == ("2026-11-30", "4500-01-26", "30 Dec 2026",
                                                                        "2026-12-01")
    assert got["Cancel Check"] == "Late for cancel: forecast ex-factory 30/12/2026"


def test_an_iso_looking_number_outside_1990_2100_is_no_date():
    assert with_date_text("PO 4500-01-26 and 0012-03-04", "dd/mm/yyyy") == "PO 4500-01-26 and 0012-03-04"
    assert with_date_text("due 2026-12-30", "dd/mm/yyyy") == "due 30/12/2026"


def test_a_date_format_without_the_day_of_the_month_is_not_one():
    from prodbook.core.looks import is_date_format
    for code in ("dddd mmm yyyy", "ddd mm yy", "mmm-yy", "mm/yyyy"):
        assert not is_date_format(code), code
    for code in ("dd-mmm-yy", "d mmm yyyy", "dddd, d mmmm yyyy", "yyyy-mm-dd"):
        assert is_date_format(code), code
