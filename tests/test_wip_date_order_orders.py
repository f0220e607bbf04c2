"""Audit H1 of 2026-12-07 (helper-149/150): a file whose dates all read both ways (an Indian vendor's 08/12/2026,
11/12/2026, 09/01/2027) was read month first without a word, and a US system's export (12/02/26) day first from
the file names of its vendor's earlier reports alone; the misread Planned XF then closed and raised the wrong
exceptions, and the record check proposed the swapped date for the Orders sheet's Ex-Factory. Now the PO lines'
own Ex-Factory on the Orders sheet decide, else a warning names a cell and both its readings; a vendor date that
is the Orders date with day and month swapped is never proposed. Real files written here, real trackers."""
from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import openpyxl

from conftest import assert_finding, base_sheets, write_book
from prodbook.core.findings import Code, Severity
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from test_wip import as_date, wip_rows

TODAY = date(2026, 11, 25)
HEADER = ["PO No", "Style No", "Colour", "Order Qty", "Cut Qty", "Sewn Qty", "Packed Qty", "Ex-Fty Date",
          "Revised Ex-Fty", "Remarks"]


def ctx(*files: Path, today: date = TODAY) -> Context:
    return Context(today=today, now=datetime(today.year, today.month, today.day, 9, 0), files=tuple(files))


def tracker(tmp_path: Path, config: list[list] | None = None) -> Path:
    """BD1 (style S1) ships PO 4500000011 on 08-Dec-26 and 4500000012 on 09-Jan-27; CN1 (S2) PO 4500000021 on
    02-Dec-26 and 4500000022 on 18-Dec-26: every one a date that reads both ways when typed 08/12/2026."""
    sheets = base_sheets()
    sheets["Orders"] += [
        ["4500000011", "S1", "Navy", 1656, date(2026, 9, 1), date(2026, 12, 8), date(2026, 12, 15),
         date(2026, 12, 25)],
        ["4500000012", "S1", "Navy", 5064, date(2026, 10, 5), date(2027, 1, 9), date(2027, 2, 9),
         date(2027, 2, 17)],
        ["4500000021", "S2", "Black", 3864, date(2026, 8, 29), date(2026, 12, 2), date(2026, 12, 27),
         date(2027, 1, 8)],
        ["4500000022", "S2", "Black", 1140, date(2026, 9, 12), date(2026, 12, 18), date(2027, 1, 8),
         date(2027, 1, 21)],
    ]
    sheets["Config"] = [["Setting", "Value"], ["Date Order", "MDY"], *(config or [])]
    return write_book(tmp_path / "tracker.xlsx", sheets)


def a_csv(folder: Path, name: str, *rows: list) -> Path:
    path = folder / name
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def a_book(folder: Path, name: str, *rows: list) -> Path:
    """An .xlsx whose dates are text cells, as a vendor system's export writes them."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "WIP"
    for row in rows:
        ws.append(row)
    for line in ws.iter_rows(min_row=2):
        for c in line:
            if isinstance(c.value, str) and "/" in c.value:
                c.data_type = "s"
    path = folder / name
    wb.save(path)
    return path


def dates_of(book: Path, name: str) -> list[tuple]:
    return [(r["PO #"], as_date(r["Planned XF"]), as_date(r["Revised XF"]))
            for r in wip_rows(book) if r["Source File"] == name]


def test_a_day_first_file_whose_dates_all_read_both_ways_is_read_as_its_po_lines_ex_factory_say(tmp_path):
    book = tracker(tmp_path)
    path = a_csv(tmp_path, "BD1 WIP 2026-11-23.csv", HEADER,
                 ["4500000011", "S1", "Navy", 1656, 1656, 1200, 300, "08/12/2026", "11/12/2026", "sewing"],
                 ["4500000012", "S1", "Navy", 5064, 0, 0, 0, "09/01/2027", "12/01/2027", ""])
    result = run(book, ["wip"], ctx(path))
    assert dates_of(book, path.name) == [("4500000011", date(2026, 12, 8), date(2026, 12, 11)),
                                         ("4500000012", date(2027, 1, 9), date(2027, 1, 12))]
    note = assert_finding(result.findings, Code.WIP_DATE_ORDER, file=path.name, row=2, value="08/12/2026")
    assert note.severity is Severity.INFO
    assert "08-Dec-26" in note.message and "PO 4500000011" in note.message and "Orders sheet" in note.message
    assert "read DMY" in note.message and "'WIP Date Order: BD1' = DMY" in note.message


def test_a_month_first_export_is_not_read_day_first_from_earlier_file_names_against_its_po_lines(tmp_path):
    """SHX_WIP_export2.csv: the vendor's earlier reports were named 'CN1 WIP 20.11.2026' (dots: day first), so
    its US system's export (12/02/26 for 2 December) was read day first, 12 February, with only a note."""
    book = tracker(tmp_path)
    named = a_book(tmp_path, "CN1 WIP 20.11.2026.xlsx", HEADER,
                   ["4500000022", "S2", "Black", 1140, 0, 0, 0, "18-Dec-26", "", ""])
    run(book, ["wip"], ctx(named))
    path = a_book(tmp_path, "CN1_WIP_export.xlsx", HEADER,
                  ["4500000021", "S2", "Black", 3864, 3900, 3100, 1500, "12/02/26", "12/05/26", ""],
                  ["4500000022", "S2", "Black", 1140, 0, 0, 0, "12/11/26", "", ""])
    result = run(book, ["wip"], ctx(path))
    assert dates_of(book, path.name) == [("4500000021", date(2026, 12, 2), date(2026, 12, 5)),
                                         ("4500000022", date(2026, 12, 11), None)]
    note = assert_finding(result.findings, Code.WIP_DATE_ORDER, file=path.name, value="12/02/26")
    assert "02-Dec-26" in note.message and "PO 4500000021" in note.message
    assert "20.11.2026" in note.message  # the earlier reading it did not follow, named


def test_a_file_neither_its_dates_nor_its_po_lines_decide_is_a_warning_with_both_readings(tmp_path):
    book = tracker(tmp_path)
    path = a_csv(tmp_path, "BD1 WIP 2026-11-24.csv", HEADER,  # the vendor moved both lines: no date agrees
                 ["4500000011", "S1", "Navy", 1656, 1656, 1200, 300, "07/12/2026", "", ""],
                 ["4500000012", "S1", "Navy", 5064, 0, 0, 0, "10/01/2027", "", ""])
    result = run(book, ["wip"], ctx(path))
    found = assert_finding(result.findings, Code.WIP_DATE_ORDER, file=path.name, row=2, value="07/12/2026")
    assert found.severity is Severity.WARNING
    assert "12-Jul-26" in found.message and "07-Dec-26" in found.message and "read MDY" in found.message
    assert "'WIP Date Order: BD1' = DMY" in found.message and "dd-Mmm-yy" in found.message
    assert dates_of(book, path.name)[0][1] == date(2026, 7, 12)  # the tracker's Date Order, as said


def test_po_lines_that_agree_both_ways_do_not_decide_and_the_warning_counts_them(tmp_path):
    """One line agrees day first (08/12/2026 is 08-Dec-26), the other month first (01/09/2027 is 09-Jan-27):
    not a clear win, so neither reading is taken on the Orders sheet's word."""
    book = tracker(tmp_path)
    path = a_csv(tmp_path, "BD1 WIP 2026-11-24.csv", HEADER,
                 ["4500000011", "S1", "Navy", 1656, 1656, 1200, 300, "08/12/2026", "", ""],
                 ["4500000012", "S1", "Navy", 5064, 0, 0, 0, "01/09/2027", "", ""])
    result = run(book, ["wip"], ctx(path))
    found = assert_finding(result.findings, Code.WIP_DATE_ORDER, file=path.name, row=2, value="08/12/2026")
    assert found.severity is Severity.WARNING
    assert "1 time(s) read DMY and 1 read MDY" in found.message and "12-Aug-26" in found.message


def test_the_vendors_setting_decides_without_a_word(tmp_path):
    book = tracker(tmp_path, [["WIP Date Order: BD1", "DMY"]])
    path = a_csv(tmp_path, "BD1 WIP 2026-11-24.csv", HEADER,
                 ["4500000011", "S1", "Navy", 1656, 1656, 1200, 300, "07/12/2026", "", ""])
    result = run(book, ["wip"], ctx(path))
    assert [f for f in result.findings if f.code is Code.WIP_DATE_ORDER] == []
    assert dates_of(book, path.name) == [("4500000011", date(2026, 12, 7), None)]


def test_a_vendor_date_that_is_the_orders_date_with_day_and_month_swapped_is_not_proposed(tmp_path):
    """A report read in the wrong order put Planned XF 12-Aug-26 where Orders says 08-Dec-26: the record check
    proposed writing 12-Aug-26 into the Orders sheet's Ex-Factory."""
    book = tracker(tmp_path)
    path = a_book(tmp_path, "BD1 WIP 2026-11-24.xlsx", HEADER,
                  ["4500000011", "S1", "Navy", 1656, 1656, 1200, 300, date(2026, 8, 12), None, ""],
                  ["4500000012", "S1", "Navy", 5064, 0, 0, 0, date(2027, 1, 16), None, ""])
    result = run(book, ["wip", "validate"], ctx(path))
    swapped = assert_finding(result.findings, Code.DIFF_XF, sheet="Orders", value=date(2026, 12, 8))
    assert swapped.fix is not None and swapped.fix.proposed is None
    assert "day and month swapped" in swapped.message and "'WIP Date Order: BD1'" in swapped.message
    moved = assert_finding(result.findings, Code.DIFF_XF, sheet="Orders", value=date(2027, 1, 9))
    assert moved.fix is not None and as_date(moved.fix.proposed) == date(2027, 1, 16)  # a real new date still is
