"""A T&A the APM sorted stays sorted: a run that adds or archives PO lines keeps the rows where they are (new
ones below, as Excel adds a row to a sorted Table), and undo gives the sorted sheet back."""

from __future__ import annotations

from datetime import date, datetime

import openpyxl

from conftest import grow_tables, sheet_values
from fakexl import FakeBook
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from prodbook.workbook.xlbook import XlBook

TODAY = date(2027, 3, 1)


def ctx(today: date = TODAY) -> Context:
    return Context(today=today, now=datetime(today.year, today.month, today.day, 9, 0))


def keys(path) -> list[tuple]:
    return [(r[0], r[4]) for r in sheet_values(path, "T&A")[1:] if r[0]]


def sort_ta(path, key) -> None:
    """What Excel's Sort does to the T&A's rows: every cell of a row moves with it."""
    wb = openpyxl.load_workbook(path)
    ws = wb["T&A"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2, max_row=ws.max_row)]
    rows.sort(key=key)
    for n, values in enumerate(rows, start=2):
        for col, v in enumerate(values, start=1):
            ws.cell(row=n, column=col, value=v)
    wb.save(path)


def add_line(path, at: int | None = None) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["Orders"]
    line = ["4500000003", "S1", "Grey", 600, date(2027, 1, 4), date(2027, 4, 20), date(2027, 5, 15),
            date(2027, 5, 25)]
    if at is None:
        ws.append(line)
        grow_tables(ws)
    else:
        ws.insert_rows(at)
        for col, v in enumerate(line, start=1):
            ws.cell(row=at, column=col, value=v)
    wb.save(path)


def by_code_then_po(row: list) -> tuple:
    return (row[4], row[0])


def test_a_po_line_added_goes_below_the_rows_of_a_sorted_ta(tracker):
    run(tracker, ["ta"], ctx())
    sort_ta(tracker, by_code_then_po)
    sorted_keys = keys(tracker)
    wb = openpyxl.load_workbook(tracker)
    wb["T&A"].cell(row=3, column=13, value="chased mill")
    noted = (wb["T&A"].cell(row=3, column=1).value, wb["T&A"].cell(row=3, column=5).value)
    wb.save(tracker)
    add_line(tracker)
    run(tracker, ["ta"], ctx())
    after = keys(tracker)
    assert after[:len(sorted_keys)] == sorted_keys  # the APM's order, row for row
    assert after[len(sorted_keys):] == [("4500000003", c) for c in ("LD", "LD-APP", "CUT", "XF", "DC")]
    row3 = sheet_values(tracker, "T&A")[2]
    assert (row3[0], row3[4], row3[12]) == (*noted, "chased mill")


def test_undo_of_that_run_gives_the_sorted_sheet_back(tracker):
    run(tracker, ["ta"], ctx())
    sort_ta(tracker, by_code_then_po)
    before = sheet_values(tracker, "T&A")
    add_line(tracker)
    run(tracker, ["ta"], ctx())
    run(tracker, ["undo"], ctx())
    assert sheet_values(tracker, "T&A") == before


def test_a_line_archived_from_a_sorted_ta_leaves_the_others_in_their_order_and_undo_puts_it_back(tracker):
    run(tracker, ["ta"], ctx())
    sort_ta(tracker, by_code_then_po)
    before = sheet_values(tracker, "T&A")
    wb = openpyxl.load_workbook(tracker)
    wb["Orders"].delete_rows(2)  # 4500000001 leaves
    wb.save(tracker)
    run(tracker, ["ta"], ctx())
    assert keys(tracker) == [k for k in ((r[0], r[4]) for r in before[1:]) if k[0] != "4500000001"]
    run(tracker, ["undo"], ctx())
    assert sheet_values(tracker, "T&A") == before


def test_a_ta_in_orders_order_takes_a_new_line_where_orders_has_it(tracker):
    run(tracker, ["ta"], ctx())
    add_line(tracker, at=3)  # between the two lines
    run(tracker, ["ta"], ctx())
    assert [po for po, _ in keys(tracker)] == ["4500000001"] * 5 + ["4500000003"] * 5 + ["4500000002"] * 5


def test_in_excel_too_a_sorted_ta_keeps_its_order_and_a_new_line_goes_below(tracker):
    run(tracker, ["ta"], ctx())
    sort_ta(tracker, by_code_then_po)
    sorted_keys = keys(tracker)
    add_line(tracker)
    xl = FakeBook.from_file(tracker)
    run(tracker, ["ta"], ctx(), backend=XlBook(xl))
    got = [(r[0], r[4]) for r in xl.values("T&A")[1:] if r[0]]
    assert got[:len(sorted_keys)] == sorted_keys
    assert got[len(sorted_keys):] == [("4500000003", c) for c in ("LD", "LD-APP", "CUT", "XF", "DC")]
