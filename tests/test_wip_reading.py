"""Reading vendor WIP files by meaning: which title date is the report's, how the file writes 03/04, years left
out, which lines are totals."""
from __future__ import annotations

import csv
from datetime import date, datetime

import pytest

from conftest import assert_finding
from prodbook.core import wip
from prodbook.core.cells import CellError, DateOrder, parse_text_date
from prodbook.core.config import Config
from prodbook.core.findings import Code, Severity
from prodbook.jobs.runner import run
from test_wip import ctx, tracker_with_lines, wip_rows

HEADER = ["PO #", "Style", "Color", "Order Qty", "Cut Qty", "Ex-Factory", "Revised XF"]
LINES = wip.OrderIndex([wip.OrderLine("4500012345", "ST-01", "Navy", "VND", 1000),
                        wip.OrderLine("4500012345", "ST-01", "Black", "VND", 1000)])


def title_date(*title_rows: list, order: DateOrder = DateOrder.MDY, file: str = "VND_WIP.xlsx") -> date | None:
    raw = wip.RawSheet(file, "WIP", [*map(list, title_rows), HEADER, ["4500012345", "ST-01", "Navy", 1000, 500]])
    header = wip.find_header(raw.rows, {})
    assert header is not None
    return wip.report_date_of(raw, header, order)


def imported(*rows: list, config: Config | None = None, file: str = "VND_WIP.xlsx",
             today: date = date(2027, 3, 3)) -> wip.ParsedFile:
    raw = wip.RawSheet(file, "WIP", [list(r) for r in rows])
    return wip.import_file([raw], LINES, ["VND"], config or Config(), today=today)


@pytest.mark.parametrize("rows", [
    [["ACME Garments Ltd"], ["Order Date:", date(2026, 10, 1)], ["Report Date:", date(2027, 3, 1)]],
    [["Buyer: ACME   Ship date: 15-Apr-2027"], ["WIP as of 01-Mar-2027"]],
    [["Shipment date: 15/04/2027"], ["Report date", "01-Mar-2027"]],
    [["Season SS27 delivery 15-Apr-2027 | Report Date: 01-Mar-2027"]],
    [["Consolidated WIP - shipments up to 30-Apr-2027"], ["Report Date:", date(2027, 3, 1)]],
    [["Season AW27 / Buyer ABC / Ex-Fty 15-May-2027"], ["Report Date:", date(2027, 3, 1)]],
    [["WIP (reason codes updated 10-Jan-2027)"], ["Report Date:", date(2027, 3, 1)]],
    [["Print date: 15-Jan-2027  Data as of 01-Mar-2027"]],
    [["Season: SS27 | Ex-Fty 15-Apr-2027 | WIP 01-Mar-2027"]],
    [["Date: 1st March 2027"]],
    [["Report Date: 2027/03/01 (Mon)"]],
    [["WIP as of 2027.03.01 12:00"]],
    [["Updated on 2027/03/01"]],
    [["报告日期 Report Date: 2027/03/01 星期一"]],
    [["Report Date: Monday, March 1, 2027"]],
])
def test_the_report_date_is_the_one_labelled_so_not_another_date_of_the_title(rows):
    """The audit (2026-12-05): 'Order Date' above 'Report Date' was taken; 'Season' read as 'as on',
    'Consolidated' as 'dated'; a ship date in the title became the report date."""
    assert title_date(*rows) == date(2027, 3, 1)


@pytest.mark.parametrize("rows", [[["Shipment date: 15/04/2027"]], [["Order Date:", date(2026, 10, 1)]],
                                  [["Season SS27"]], [["Consolidated shipments to 30-Apr-2027"]]])
def test_a_title_with_only_other_dates_has_no_report_date(rows):
    assert title_date(*rows) is None


def test_a_date_in_the_file_name_is_read_in_the_files_order():
    assert title_date(["WIP"], file="VND WIP 03.04.2027.xlsx", order=DateOrder.DMY) == date(2027, 4, 3)
    assert title_date(["WIP"], file="VND WIP 2027-03-04.xlsx", order=DateOrder.DMY) == date(2027, 3, 4)


def test_a_day_first_file_is_read_day_first_throughout_and_says_so():
    """'15/04/2027' can only be 15 April, so '05/03/2027' in the same file is 5 March, not 3 May (it was
    read as 3 May beside a correct 15 April)."""
    out = imported(["WIP as of 01/03/2027"], HEADER,
                   ["4500012345", "ST-01", "Navy", 1000, 500, "15/04/2027", "05/05/2027"],
                   ["4500012345", "ST-01", "Black", 1000, 500, "02/04/2027", "05/03/2027"])
    assert out.report_date == date(2027, 3, 1)
    assert [(r["planned_xf"], r["revised_xf"]) for r in out.rows] == [
        (date(2027, 4, 15), date(2027, 5, 5)), (date(2027, 4, 2), date(2027, 3, 5))]
    note = assert_finding(out.findings, Code.WIP_DATE_ORDER, row=3, value="15/04/2027")
    assert note.severity is Severity.INFO and "'WIP Date Order: VND' = DMY" in note.message


def test_the_vendors_date_order_setting_reads_the_title_too():
    out = imported(["WIP as of 03/04/2027"], HEADER, ["4500012345", "ST-01", "Navy", 1000, 500, "10/04/2027", ""],
                   config=Config(extra={"wip date order: vnd": "DMY"}), today=date(2027, 4, 5))
    assert out.report_date == date(2027, 4, 3) and out.rows[0]["planned_xf"] == date(2027, 4, 10)
    assert not [f for f in out.findings if f.code is Code.WIP_DATE_ORDER]


def test_dates_written_both_ways_are_named_not_guessed_in_silence():
    out = imported(["Report Date:", date(2027, 3, 1)], HEADER,
                   ["4500012345", "ST-01", "Navy", 1000, 500, "15/04/2027", ""],
                   ["4500012345", "ST-01", "Black", 1000, 500, "04/16/2027", "03/04/2027"])
    found = assert_finding(out.findings, Code.WIP_DATE_ORDER, row=4, value="04/16/2027")
    assert found.severity is Severity.WARNING and "'15/04/2027' (row 3) is DMY" in found.message
    assert out.rows[1]["revised_xf"] == date(2027, 3, 4)  # the Config sheet's order, as said


def test_a_setting_the_file_contradicts_is_kept_and_named():
    out = imported(["Report Date:", date(2027, 3, 1)], HEADER,
                   ["4500012345", "ST-01", "Navy", 1000, 500, "04/15/2027", "04/05/2027"],
                   config=Config(extra={"wip date order: vnd": "DMY"}))
    found = assert_finding(out.findings, Code.WIP_DATE_ORDER, value="04/15/2027")
    assert found.severity is Severity.WARNING and out.rows[0]["revised_xf"] == date(2027, 5, 4)


def test_a_day_first_csv_in_a_month_first_tracker_end_to_end(tmp_path):
    book = tracker_with_lines(tmp_path)
    path = tmp_path / "BD1_wip.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["Report date: 01/03/2027"], ["PO No.", "Style", "Colour", "Order Qty",
                                                                 "XF Date", "Revised ETD"],
                                  ["4500000001", "S1", "Heather Grey", 600, "20/04/2027", "05/04/2027"]])
    result = run(book, ["wip"], ctx(path))
    row, = wip_rows(book)
    day = [v.date() if isinstance(v, datetime) else v for v in (row["Report Date"], row["Revised XF"])]
    assert day == [date(2027, 3, 1), date(2027, 4, 5)]
    assert_finding(result.findings, Code.WIP_DATE_ORDER, file="BD1_wip.csv", row=3)


@pytest.mark.parametrize("text, near, want", [
    ("10-Jun", date(2026, 12, 4), date(2027, 6, 10)),   # was June 2026, six months before the report
    ("Sep-01", date(2027, 3, 1), date(2027, 9, 1)),
    ("5-Jan", date(2027, 12, 20), date(2028, 1, 5)),
    ("Dec 1", date(2027, 12, 20), date(2027, 12, 1)),
    ("30-Oct", date(2027, 3, 1), date(2027, 10, 30)), ("1-Nov", date(2027, 3, 1), date(2026, 11, 1)),
    ("15-Nov", date(2027, 3, 1), date(2026, 11, 15)),
])
def test_a_date_without_a_year_falls_in_the_reports_year_ahead(text, near, want):
    assert wip.parse_wip_date(text, DateOrder.MDY, False, near) == want


@pytest.mark.parametrize("value", ["27/03/15", "27-04-15", date(2015, 3, 27), "01/03/2030"])
def test_a_date_years_from_the_report_is_named_not_imported(value):
    with pytest.raises(CellError, match="too far .* the report date"):
        wip.parse_wip_date(value, DateOrder.MDY, False, date(2027, 3, 1))


def test_a_two_digit_year_typo_is_a_finding_in_the_file(tmp_path):
    out = imported(["Report Date:", date(2027, 3, 1)], HEADER, ["4500012345", "ST-01", "Navy", 1000, 500,
                                                                "27/03/15", "15-Apr-27"])
    found = assert_finding(out.findings, Code.BAD_DATE, row=3, value="27/03/15")
    assert "27 March 2015" in found.message and out.rows[0]["planned_xf"] is None
    assert out.rows[0]["revised_xf"] == date(2027, 4, 15)


@pytest.mark.parametrize("text, want", [
    ("Thu 15 Apr 2027", date(2027, 4, 15)), ("Thursday, April 15, 2027", date(2027, 4, 15)),
    ("15th April 2027", date(2027, 4, 15)), ("2027-04-15T00:00:00Z", date(2027, 4, 15)),
    ("2027-04-15 00:00:00+07:00", date(2027, 4, 15)), ("4/15/2027 12:00:00 AM", date(2027, 4, 15)),
    ("1/2/2027 12:00 PM", date(2027, 1, 2)),
])
def test_dates_as_systems_export_them(text, want):
    assert parse_text_date(text, DateOrder.MDY) == want


ROWS = ["PO #", "Style", "Color", "Order Qty", "Cut Qty", "Remarks"]


@pytest.mark.parametrize("line, total", [
    (["", "ST-01", "Black", 1000, 500, "Total fabric received, cutting started"], False),
    (["", "ST-01", "Total Eclipse", 1000, 500, ""], False),
    (["", "", "Total Eclipse", 1000, 500, ""], False),
    (["Subtotal", "", "", 2000, 1000, ""], True),
    (["Grand Total:", "", "", 2000, 1000, ""], True),
    (["", "Style total", "", 2000, 1000, ""], True),
    (["", "", "Total Qty", 2000, 1000, ""], True),
    (["", "", "TOTAL", 2000, 1000, ""], True),
])
def test_a_total_line_is_one_whose_first_cell_says_so(line, total):
    """A remark 'Total fabric received...' under a PO heading its colour lines dropped the line as a
    subtotal (the audit, 2026-12-05)."""
    lines = wip.OrderIndex([wip.OrderLine("4500012345", "ST-01", c, "VND", 1000)
                            for c in ("Navy", "Black", "Total Eclipse")])
    raw = wip.RawSheet("VND_WIP.xlsx", "WIP", [["Report Date:", date(2027, 3, 1)], ROWS, ["4500012345"],
                                                ["", "ST-01", "Navy", 1000, 500, ""], line])
    out = wip.import_file([raw], lines, ["VND"], Config(), today=date(2027, 3, 3))
    assert out.skipped_totals == int(total)
    assert len(out.rows) == 1 + (not total)


def test_a_reference_that_starts_with_total_is_not_a_total():
    lines = wip.OrderIndex([wip.OrderLine("TOTAL-4500", "ST-01", "Navy", "VND", 1000)])
    raw = wip.RawSheet("VND_WIP.xlsx", "WIP", [ROWS, ["TOTAL-4500", "ST-01", "Navy", 1000, 500, ""]])
    out = wip.import_file([raw], lines, ["VND"], Config(), today=date(2027, 3, 3))
    assert out.skipped_totals == 0 and [r["po"] for r in out.rows] == ["TOTAL-4500"]


@pytest.mark.parametrize("title, today, want", [
    ("Report Date: 01-Mar", date(2027, 3, 3), date(2027, 3, 1)),
    ("Report Date: 28-Dec", date(2027, 1, 4), date(2026, 12, 28)),
    ("WIP as of Mar 8", date(2027, 3, 3), date(2027, 3, 8)),
    ("WIP as of 15 Mar", date(2027, 3, 3), date(2026, 3, 15)),
])
def test_a_report_date_without_a_year_is_the_last_such_day(title, today, want):
    """It was no date at all, so today was used: a report of 1 March imported on 3 March was dated 3 March."""
    raw = wip.RawSheet("VND_WIP.xlsx", "WIP", [[title], HEADER, ["4500012345", "ST-01", "Navy", 1000, 500]])
    header = wip.find_header(raw.rows, {})
    assert header is not None and wip.report_date_of(raw, header, DateOrder.MDY, today) == want


def test_a_file_with_a_row_per_size_adds_the_sizes_up_into_the_line():
    """One row per size was read as the first size's row, the others refused as duplicates: a 600-piece
    line stood at 100 ordered, 50 cut."""
    out = imported(["Report Date:", date(2027, 3, 1)], ["PO #", "Style", "Color", "Size", "Order Qty", "Cut Qty",
                                                         "Revised XF", "Remarks"],
                   ["4500012345", "ST-01", "Navy", "S", 100, 50, "2027-04-10", "fabric in"],
                   ["4500012345", "ST-01", "Navy", "M", 200, 80, "2027-04-20", ""],
                   ["4500012345", "ST-01", "Navy", "L", 300, None, "", "L on hold"],
                   ["4500012345", "ST-01", "Navy", "L", 300, 10, "", ""],
                   ["4500012345", "ST-01", "Black", "M", 400, 40, "", ""])
    navy, black = out.rows
    assert (navy["order_qty"], navy["cut_qty"], navy["revised_xf"]) == (600, 130, date(2027, 4, 20))
    assert navy["remarks"] == "fabric in / L on hold" and (black["order_qty"], black["cut_qty"]) == (400, 40)
    assert_finding(out.findings, Code.WIP_SIZES, row=3)
    assert_finding(out.findings, Code.WIP_DUPLICATE, row=6)  # the same size twice: not added up
    assert not [f for f in out.findings if f.code is Code.WIP_SIZES and f.row == 7]


def test_without_a_size_column_a_repeated_line_is_still_not_added_up():
    out = imported(["Report Date:", date(2027, 3, 1)], ["PO #", "Style", "Color", "Order Qty", "Cut Qty"],
                   ["4500012345", "ST-01", "Navy", 1000, 500], ["4500012345", "ST-01", "Navy", 1000, 600])
    assert [r["cut_qty"] for r in out.rows] == [500]
    assert_finding(out.findings, Code.WIP_DUPLICATE, row=4)


@pytest.mark.parametrize("total", ["TTL", "Total", "all", "Grand Total:"])
@pytest.mark.parametrize("first", [False, True])
def test_a_size_row_that_is_the_lines_total_is_not_added_in(total, first):
    """'TTL' in the Size column is the line's total: added in with S/M/L, it doubled the order (the
    audit, 2026-12-05)."""
    sizes = [["4500012345", "ST-01", "Navy", s, q, c] for s, q, c in (("S", 400, 300), ("M", 400, 300),
                                                                        ("L", 400, 300))]
    ttl = ["4500012345", "ST-01", "Navy", total, 1200, 900]
    out = imported(["Report Date:", date(2027, 3, 1)], ["PO #", "Style", "Color", "Size", "Order Qty", "Cut Qty"],
                   *([ttl, *sizes] if first else [*sizes, ttl]))
    (line,) = out.rows
    assert (line["order_qty"], line["cut_qty"]) == (1200, 900) and out.skipped_totals == 1


def test_each_report_sheet_of_a_workbook_carries_its_own_report_date():
    knit = wip.RawSheet("VND_WIP.xlsx", "Knit", [["WIP as of 01-Mar-2027"], HEADER,
                                                 ["4500012345", "ST-01", "Navy", 1000, 500]])
    woven = wip.RawSheet("VND_WIP.xlsx", "Woven", [["WIP as of 15-Feb-2027"], HEADER,
                                                   ["4500012345", "ST-01", "Black", 1000, 200]])
    undated = wip.RawSheet("VND_WIP.xlsx", "Denim", [HEADER, ["4500012345", "ST-01", "Indigo", 1000, 300]])
    lines = wip.OrderIndex([*LINES.by_po["4500012345"], wip.OrderLine("4500012345", "ST-01", "Indigo", "VND", 1000)])
    out = wip.import_file([knit, woven, undated], lines, ["VND"], Config(), today=date(2027, 3, 3))
    assert [(r["color"], r["report_date"]) for r in out.rows] == [  # the undated sheet: the file's date
        ("Navy", date(2027, 3, 1)), ("Black", date(2027, 2, 15)), ("Indigo", date(2027, 3, 1))]
    assert out.report_date == date(2027, 3, 1)
    (f,) = [f for f in out.findings if f.code is Code.WIP_REPORT_DATE]
    assert f.sheet == "VND_WIP.xlsx > sheet 'Woven'" and "2027-02-15" in f.message


def test_the_no_report_date_note_is_told_from_the_other_report_date_findings_by_its_place():
    """An attachment's 'no report date found' note is rewritten to name the message's day; the warning or
    error about a date found (also WIP_REPORT_DATE, from a title row or the file name) must not be."""
    undated = wip.RawSheet("VND_WIP.xlsx", "Knit", [HEADER, ["4500012345", "ST-01", "Navy", 1000, 500]])
    woven = wip.RawSheet("VND_WIP.xlsx", "Woven", [["WIP as of 15-Feb-2027"], HEADER,
                                                   ["4500012345", "ST-01", "Black", 1000, 200]])
    two = wip.import_file([undated, woven], LINES, ["VND"], Config(), today=date(2027, 3, 3)).findings
    stale = imported(HEADER, ["4500012345", "ST-01", "Navy", 1000, 500], file="VND WIP 2026-12-01.xlsx").findings
    ahead = imported(HEADER, ["4500012345", "ST-01", "Navy", 1000, 500], file="VND WIP 2027-04-01.xlsx").findings
    dated = [f for f in (*two, *stale, *ahead) if f.code is Code.WIP_REPORT_DATE]
    assert sorted(f.severity for f in dated) == ["error", "info", "info", "warning"], dated
    (note,) = [f for f in dated if wip.assumed_date_note(f)]
    assert note.message.startswith("no report date found") and note.sheet == "VND_WIP.xlsx"

@pytest.mark.parametrize("title, file, row, value", [
    (["Report Date: 2028-03-01"], "VND_WIP.xlsx", 1, "Report Date: 2028-03-01"),  # a year typed wrong
    (["Report Date:", date(2027, 3, 20)], "VND_WIP.xlsx", 1, "2027-03-20"),
    (["Production status"], "VND WIP 12.03.2027.xlsx", None, "12.03.2027")])  # 3 December, month first
def test_a_report_date_more_than_a_week_ahead_is_refused_naming_where(title, file, row, value):
    """A report dated ahead stayed the vendor's newest report until that day, hiding every real one after it
    (WIP audit F2)."""
    out = imported(title, HEADER, ["4500012345", "ST-01", "Navy", 1000, 500], file=file)
    assert out.rows == []
    found = assert_finding(out.findings, Code.WIP_REPORT_DATE, file=file, row=row, value=value)
    assert found.severity == Severity.ERROR and "not imported" in found.message
    assert "after today (03 March 2027)" in found.message and "'WIP Date Order: VND'" in found.message
    assert ("the file name" if row is None else "cell ") in found.message


def test_a_report_date_read_the_other_way_round_says_the_setting_that_reads_it_right():
    rows = [["WIP as of 12/03/2027"], HEADER, ["4500012345", "ST-01", "Navy", 1000, 500]]
    today = date(2027, 3, 13)
    out = wip.import_file([wip.RawSheet("weekly.xlsx", "WIP", rows)], LINES, ["VND"], Config(), today=today)
    assert out.rows == []
    found = assert_finding(out.findings, Code.WIP_REPORT_DATE, row=1, value="WIP as of 12/03/2027")
    assert "03 December 2027" in found.message and "day first it is 12 March 2027" in found.message
    assert "'WIP Date Order: VND' = DMY" in found.message  # the vendor, known from the PO lines
    fixed = Config(extra={"wip date order: vnd": "DMY"})  # ... and the setting works for such a file
    out = wip.import_file([wip.RawSheet("weekly.xlsx", "WIP", rows)], LINES, ["VND"], fixed, today=today)
    assert [r["report_date"] for r in out.rows] == [date(2027, 3, 12)] and not any(
        f.severity == Severity.ERROR for f in out.findings)


def test_a_report_dated_up_to_a_week_ahead_is_imported():
    out = imported(["Report Date:", date(2027, 3, 10)], HEADER, ["4500012345", "ST-01", "Navy", 1000, 500])
    assert [r["report_date"] for r in out.rows] == [date(2027, 3, 10)]


def test_a_sheet_dated_ahead_is_refused_and_the_files_other_sheets_import():
    knit = wip.RawSheet("VND_WIP.xlsx", "Knit", [["WIP as of 01-Mar-2027"], HEADER,
                                                 ["4500012345", "ST-01", "Navy", 1000, 500]])
    woven = wip.RawSheet("VND_WIP.xlsx", "Woven", [["WIP as of 01-Mar-2028"], HEADER,
                                                   ["4500012345", "ST-01", "Black", 1000, 200]])
    out = wip.import_file([knit, woven], LINES, ["VND"], Config(), today=date(2027, 3, 3))
    assert [(r["color"], r["report_date"]) for r in out.rows] == [("Navy", date(2027, 3, 1))]
    (f,) = [f for f in out.findings if f.code is Code.WIP_REPORT_DATE]
    assert f.severity is Severity.ERROR and f.sheet == "VND_WIP.xlsx > sheet 'Woven'"
    assert "this sheet was not imported" in f.message and "01 March 2028" in f.message


@pytest.mark.parametrize(("header", "qty"), [
    ("Cut Qty (Ctns)", None), ("Cut Qty (Cartons)", None), ("Cut Qty (Boxes)", None),
    ("Cut Qty ('000 pcs)", 100_000), ("Cut Qty (Dzn)", 1_200), ("Cut Qty (pcs)", 100), ("Gross Cut Qty", 100)])
def test_a_quantity_is_read_in_the_unit_its_header_names(header, qty):
    out = imported(["WIP as of 01-Mar-2027"], ["PO #", "Style", "Color", header],
                   ["4500012345", "ST-01", "Navy", 100])
    assert [r["cut_qty"] for r in out.rows] == [qty]
    if qty is None:
        assert_finding(out.findings, Code.BAD_NUMBER, column=header, value=header)


def test_a_title_saying_dozens_counts_every_quantity_in_dozens_but_one_in_pieces():
    out = imported(["WIP as of 01-Mar-2027"], ["All quantities in dozens"],
                   ["PO #", "Style", "Color", "Order Qty", "Cut Qty (pcs)"], ["4500012345", "ST-01", "Navy", 100, 75])
    assert [(r["order_qty"], r["cut_qty"]) for r in out.rows] == [(1_200, 75)]
    assert_finding(out.findings, Code.WIP_DOZENS, value="Order Qty")


def test_a_uom_column_gives_each_rows_unit():
    out = imported(["WIP as of 01-Mar-2027"], ["PO #", "Style", "Color", "Order Qty", "UOM", "Cut Qty"],
                   ["4500012345", "ST-01", "Navy", 100, "DZ", 50], ["4500012345", "ST-01", "Black", 1000, "PCS", 600])
    assert [(r["color"], r["order_qty"], r["cut_qty"]) for r in out.rows] == [("Navy", 1_200, 600),
                                                                            ("Black", 1_000, 600)]
    assert_finding(out.findings, Code.WIP_DOZENS, value="UOM")
    cartons = imported(["WIP as of 01-Mar-2027"], ["PO #", "Style", "Color", "Cut Qty", "UOM"],
                       ["4500012345", "ST-01", "Navy", 40, "CTN"])
    assert [r["cut_qty"] for r in cartons.rows] == [None]
    assert_finding(cartons.findings, Code.BAD_NUMBER, row=3, column="UOM", value="CTN")


TWO_VENDORS = wip.OrderIndex([wip.OrderLine("4500012345", "ST-01", "Navy", "SHX", 1000),
                              wip.OrderLine("4500012346", "NB-09", "Black", "NBT", 800)])


def test_a_rows_own_vendor_cell_wins_over_the_files_name():
    raw = wip.RawSheet("SHX WIP 01Mar2027.xlsx", "WIP", [["PO #", "Color", "Vendor", "Cut Qty"],
                                                         ["4500012346", "Black", "NBT", 100]])
    out = wip.import_file([raw], TWO_VENDORS, ["SHX", "NBT"], Config(), today=date(2027, 3, 3))
    assert [r["vendor"] for r in out.rows] == ["NBT"]
    assert not [f for f in out.findings if f.code is Code.WIP_VENDOR]


def test_rows_of_another_vendors_style_are_named_once_for_the_file():
    raw = wip.RawSheet("SHX WIP 01Mar2027.xlsx", "WIP", [["PO #", "Color", "Cut Qty"], ["4500012346", "Black", 100],
                                                         ["4500012345", "Navy", 300]])
    out = wip.import_file([raw], TWO_VENDORS, ["SHX", "NBT"], Config(), today=date(2027, 3, 3))
    assert [r["vendor"] for r in out.rows] == ["SHX", "SHX"]
    f = assert_finding(out.findings, Code.WIP_VENDOR, row=2, value="SHX / NBT")
    assert "NBT's on the Styles sheet" in f.message and "file's name" in f.message
