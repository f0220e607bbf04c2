"""The add-in makes room for the rows a rebuild adds as a person does, by inserting rows inside the data (and
deletes as many when rows leave), so Excel itself grows every range over the data: the team's formulas on
other sheets, a title row's, a pivot's source. Before, it wrote the new rows below the last one, and a
dashboard's ``COUNTIFS('T&A'!$K$2:$K$3357,"Overdue")`` went on counting the old rows in Excel while the
command, on the closed file, grew it.

The in-memory Excel (``tests/fakexl.py``) adjusts references on an Insert or Delete by Excel's rule, written
there apart from prodbook's own; each test compares the add-in's tracker with the command's on the same file.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from fakexl import FakeBook, FakePivotCache, FakeRange
from prodbook.core.findings import Code
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from prodbook.workbook.live_rows import Insert, data_end, insert_for, inserted
from prodbook.workbook.xlbook import XlBook
from test_live_and_file_agree import _entered, _grid
from test_notes_move import annotate, drop_order
from test_pivots import DASHBOARD, link_dashboard
from test_total_rows import _cli, add_order, tracker

DAY = date(2027, 3, 1)


def _rows(n: int, header_row: int = 1, width: int = 2) -> list[list[object]]:
    return [["title"]] * (header_row - 1) + [["H"] * width] + [[i, "x"][:width] for i in range(n)]


def test_rows_go_in_above_the_last_row():
    assert insert_for(_rows(10), _rows(15), 1) == Insert(11, 5)  # data rows 2..11: five in at 11
    assert insert_for(_rows(10, header_row=3), _rows(12, header_row=3), 3) == Insert(13, 2)
    assert insert_for(_rows(5) + [[None, ""]] * 4, _rows(7), 1) == Insert(6, 2)  # trailing blanks are no data
    assert insert_for(_rows(10), _rows(10), 1) is None
    assert insert_for(_rows(15), _rows(10), 1) is None  # rows leave: none deleted (a cell named alone: #REF!)
    assert insert_for(_rows(1), _rows(5), 1) is None  # one row: a range over it is a cell, which Excel moves
    assert insert_for(_rows(0), _rows(5), 1) is None  # a first build: nothing refers to rows not there
    assert Insert(11, 5).rows == "11:15"
    assert [Insert(11, 5).where(r) for r in (10, 11, 16)] == [10, 16, 21]


@given(st.integers(0, 30), st.integers(0, 30), st.integers(1, 3), st.integers(0, 4))
def test_after_the_insert_the_old_data_ends_where_the_new_does(old: int, new: int, header_row: int, below: int):
    """Whatever the lengths, the rows inserted bring the old cells' last data row to the new one's, keep every
    row above them where it was, and move every other row by as many."""
    current, after = _rows(old, header_row) + [[None]] * below, _rows(new, header_row)
    rows_in = insert_for(current, after, header_row)
    if rows_in is None:
        assert new <= old or old < 2
        return
    moved = inserted(current, rows_in)
    assert data_end(moved, header_row) == data_end(after, header_row)
    assert moved[:rows_in.at - 1] == current[:rows_in.at - 1]
    for r in range(1, len(current) + 1):
        assert moved[rows_in.where(r) - 1] == current[r - 1]


def _dashboard(path: Path) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet("Dashboard")
    for cell, formula in DASHBOARD.items():
        ws[cell] = formula
    wb.save(path)


def _live(path: Path) -> FakeBook:
    book = FakeBook.from_file(path)
    run(path, ["ta"], Context(today=DAY), backend=XlBook(book, progress=False))
    return book


def _same_as_the_command(path: Path, book: FakeBook) -> None:
    """The command, run on the same file, leaves every sheet as the add-in left Excel."""
    _cli("ta", str(path))
    wb = openpyxl.load_workbook(path)
    for name in ("T&A", "Dashboard"):
        ws = wb[name]
        assert _grid(_entered(book, name)) == _grid([[c.value for c in r] for r in ws.iter_rows()]), name


def test_live_the_team_s_formulas_over_the_ta_take_in_the_rows_a_rebuild_adds_as_the_command_s_do(tmp_path):
    path = tracker(tmp_path)
    add_order(path, "4500000003")
    _dashboard(path)
    book = _live(path)
    assert book.sheets["T&A"].inserts == [(11, 15)]  # five milestones, in above the old last row
    dash = book.sheets["Dashboard"].cells
    assert (dash[(1, 1)], dash[(2, 1)], dash[(3, 1)]) == (
        "=COUNTA('T&A'!$E$2:$E$16)", "=SUM('T&A'!L2:L16)", "=COUNTA('T&A'!E2:E5)")
    _same_as_the_command(path, book)


def test_live_rows_that_leave_are_cleared_and_no_reference_is_broken(tmp_path):
    """No row is deleted: a formula naming one of the cells that empty stays as it was (a delete would make it
    #REF! for good), and a range keeps running over the blank rows, which count nothing."""
    path = tracker(tmp_path, orders=3)
    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet("Dashboard")
    ws["A1"], ws["A2"] = "=COUNTA('T&A'!$E$2:$E$16)", "='T&A'!K16"
    wb.save(path)
    drop_order(path, "4500000001")
    book = _live(path)
    assert book.sheets["T&A"].deletes == [] and book.sheets["T&A"].inserts == []
    dash = book.sheets["Dashboard"].cells
    assert (dash[(1, 1)], dash[(2, 1)]) == ("=COUNTA('T&A'!$E$2:$E$16)", "='T&A'!K16")
    _cli("ta", str(path))
    ws = openpyxl.load_workbook(path)["T&A"]
    assert _grid(_entered(book, "T&A")) == _grid([[c.value for c in r] for r in ws.iter_rows()])


def test_live_a_pivot_s_source_range_takes_in_the_rows_and_the_pivot_is_refreshed(tmp_path):
    path = tracker(tmp_path)
    add_order(path, "4500000003")
    book = FakeBook.from_file(path)
    pivot = FakePivotCache("'T&A'!R1C1:R11C13")
    book.pivot_caches.append(pivot)
    run(path, ["ta"], Context(today=DAY), backend=XlBook(book, progress=False))
    assert (pivot.SourceData, pivot.refreshed) == ("'T&A'!R1C1:R16C13", 1)


def test_live_a_note_on_the_last_row_stays_with_its_milestone_when_rows_go_in_above_it(tmp_path):
    path = tracker(tmp_path)
    wb = openpyxl.load_workbook(path)
    ta = wb["T&A"]
    last = (ta.cell(ta.max_row, 1).value, ta.cell(ta.max_row, 5).value)
    wb.close()
    notes, links = {last: "vendor asks for 5 more days"}, {last: "https://vendor.example/XF.pdf"}
    annotate(path, notes, links)
    add_order(path, "4500000003")
    book = _live(path)
    sheet = book.sheets["T&A"]
    assert sheet.inserts, "the rows went in above the note's row, taking the note along"
    key = lambda r: (sheet.cells.get((r, 1)), sheet.cells.get((r, 5)))  # noqa: E731
    assert {key(r): t for (r, _), t in sheet.note_text.items()} == notes
    assert {key(k.Range.Row): k.Address for k in sheet.links} == links


def test_live_a_threaded_comment_on_the_last_row_keeps_the_rows_written_below_as_before(tmp_path):
    path = tracker(tmp_path)
    add_order(path, "4500000003")
    _dashboard(path)
    book = FakeBook.from_file(path)
    sheet = book.sheets["T&A"]
    sheet.threaded[(11, 10)] = "can we pull this forward?"  # Excel cannot move it back: no rows go in above it
    before = sheet.cells[(11, 1)], sheet.cells[(11, 5)]
    run(path, ["ta"], Context(today=DAY), backend=XlBook(book, progress=False))
    assert sheet.inserts == [] and (sheet.cells[(11, 1)], sheet.cells[(11, 5)]) == before
    assert book.sheets["Dashboard"].cells[(1, 1)] == "=COUNTA('T&A'!$E$2:$E$11)"  # as before this change


def test_live_an_excel_that_refuses_the_insert_gets_the_rows_written_below_as_before(tmp_path, monkeypatch):
    path = tracker(tmp_path)
    add_order(path, "4500000003")
    _dashboard(path)

    def refuses(self, shift=None):
        raise RuntimeError("You can't change part of an array.")

    monkeypatch.setattr(FakeRange, "insert", refuses)
    book = _live(path)
    assert book.sheets["Dashboard"].cells[(1, 1)] == "=COUNTA('T&A'!$E$2:$E$11)"
    _cli("ta", str(path))  # the T&A itself is the command's all the same
    ws = openpyxl.load_workbook(path)["T&A"]
    assert _grid(_entered(book, "T&A")) == _grid([[c.value for c in r] for r in ws.iter_rows()])


def _links(path: Path) -> list[str]:
    """The add-in's run on the file: its warnings of formulas reading a moved row by its place."""
    result = run(path, ["ta"], Context(today=DAY), backend=XlBook(FakeBook.from_file(path), progress=False))
    return [" ".join(f.message.split()) for f in result.findings if f.code is Code.LINK_BY_PLACE]


def test_live_a_formula_reading_one_ta_cell_whose_row_moved_is_named_as_the_command_names_it(tmp_path):
    """A PO line taken off: the rows below move up, and a dashboard cell linked to one milestone reads
    another. The add-in, like the command, leaves it and names it; the column filled down is not named."""
    path = tracker(tmp_path, orders=3)
    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet("Dashboard")
    ws["A2"] = "='T&A'!K16"
    for r in range(2, 7):
        ws.cell(r, 4, f"='T&A'!A{r}")  # a mirror of the T&A's first rows, by place
    wb.save(path)
    drop_order(path, "4500000001")
    said = _links(path)
    assert len(said) == 1 and "1 formula(s) on 'Dashboard'" in said[0]
    assert "A2 reads 'T&A'!K16: the row it read is now row 11" in said[0]
    assert "A2 reads 'T&A'!K16: the row it read is now row 11" in " ".join(_cli("ta", str(path)).split())


def test_live_a_link_to_the_last_row_moved_by_the_insert_is_named(tmp_path):
    """The add-in makes room for a new PO line's rows above the old last row, and Excel moves a link to that
    row down with the insert (K11 becomes K16) while the milestone it read is written back in row 11: named,
    with the formula as Excel now holds it. The command leaves the link on row 11, where its milestone stays."""
    path = tracker(tmp_path)
    add_order(path, "4500000003")
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("Dashboard")["B1"] = "='T&A'!K11"
    wb.save(path)
    said = _links(path)
    assert len(said) == 1 and "B1 reads 'T&A'!K16: the row it read is now row 11" in said[0]
    assert "by its place" not in _cli("ta", str(path))


def test_live_a_colour_rule_or_a_validation_reading_one_fixed_ta_cell_is_named_as_the_command_names_it(tmp_path):
    """Rules made by clicking a T&A cell while writing them hold a fixed row ('T&A'!$K$16), which Excel gives
    as typed: the add-in names them as the command does. A relative row Excel gives as seen from the selected
    cell (the fake's A1: 'T&A'!K13 on C2 comes back as 'T&A'!I12), so the add-in leaves those to the command
    rather than name the wrong row."""
    path = tracker(tmp_path, orders=3)  # PO lines 1, 2, 3: T&A rows 2-6, 7-11, 12-16
    wb = openpyxl.load_workbook(path)
    dash = wb.create_sheet("Dashboard")
    red = PatternFill("solid", fgColor="FFC7CE")
    dash.conditional_formatting.add("B4", FormulaRule(formula=["'T&A'!$K$16=\"Overdue\""], fill=red))
    dash.conditional_formatting.add("C2", FormulaRule(formula=["'T&A'!K13=\"Overdue\""], fill=red))
    planned = DataValidation(type="custom", formula1="E2<='T&A'!$H$12")
    dash.add_data_validation(planned)
    planned.add("E2:F2")
    wb.save(path)
    drop_order(path, "4500000001")
    said = " ".join(_links(path))
    assert "2 formula(s) on 'Dashboard'" in said
    assert "the Conditional Formatting rule on B4 reads 'T&A'!$K$16: the row it read is now row 11" in said
    assert "the Data Validation rule on E2:F2 reads 'T&A'!$H$12: the row it read is now row 7" in said
    assert "C2" not in said and "I12" not in said
    command = " ".join(_cli("ta", str(path)).split())
    assert "3 formula(s) on 'Dashboard'" in command
    assert "the Conditional Formatting rule on C2 reads 'T&A'!K13: the row it read is now row 8" in command


def test_live_a_link_goes_where_it_was_typed_so_it_is_named_by_the_rows_before_the_insert(tmp_path):
    """Excel's Insert moves a formula's reference but no link's place (Insert > Link) and no text in quotes: a
    link to the old last row (K11) still lands on its milestone, written back in row 11, and is not named; one
    to a row that a taken-off PO line moved up is, as the command names it."""
    path = tracker(tmp_path)
    add_order(path, "4500000003")
    link_dashboard(path, {"B1": "'T&A'!K11"}, {"B2": '=HYPERLINK("#\'T&A\'!K11","ex-factory, PO 2")'})
    assert _links(path) == []
    assert "by its place" not in _cli("ta", str(path))

    (tmp_path / "dropped").mkdir()
    path = tracker(tmp_path / "dropped", orders=3)
    link_dashboard(path, {"B6": "'T&A'!K13"})
    drop_order(path, "4500000001")
    said = " ".join(_links(path))
    assert "the link in B6 goes to 'T&A'!K13: the row it went to is now row 8" in said
    assert "the link in B6 goes to 'T&A'!K13: the row it went to is now row 8" in " ".join(
        _cli("ta", str(path)).split())


def test_a_button_s_message_says_which_formulas_read_a_moved_row_in_full(tmp_path):
    """The Issues sheet is written before these are found: the button's message gives them whole, not as
    "see the Issues sheet"."""
    from prodbook.excel.ribbon import action, perform

    path = tracker(tmp_path, orders=3)
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("Dashboard")["A2"] = "='T&A'!K16"
    wb.save(path)
    drop_order(path, "4500000001")
    report = perform(action("pbRebuildTA"), FakeBook.from_file(path))
    said = " ".join(report.message.split())
    assert "WARNING sheet 'Dashboard', row 2: 1 formula(s) on 'Dashboard' read a single cell of 'T&A'" in said
    assert "A2 reads 'T&A'!K16: the row it read is now row 11" in said
