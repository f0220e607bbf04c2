"""A pivot table or a chart over the T&A (milestones by vendor and status, on a summary sheet) shows the
T&A prodbook left, not the one before: Excel refreshes a pivot as it opens the workbook, and a source range
or a chart's series that ran to the T&A's last row runs to its new one."""

from __future__ import annotations

import html
import re
import shutil
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableColumn, TableFormula

from conftest import base_sheets, write_book
from fakexl import FakeBook, FakePivotCache
from pivotfile import CACHE, add_pivot
from prodbook.cli import main
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from prodbook.workbook.xlbook import XlBook
from prodbook.workbook.xlsx.formula_refs import grow_fixed_ranges
from prodbook.workbook.xlsxparts import CellEdit, SheetRewrite, rewrite_sheets
from test_notes_move import drop_order
from test_total_rows import _cli, add_order, lo_rows, tracker


def with_pivot(path: Path, source: tuple[str, str], sheet: str = "T&A") -> None:
    """A 'Summary' sheet with a pivot counting the sheet's first column."""
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("Summary")["A1"] = "Milestones"
    wb.save(path)
    heads = [c.value for c in openpyxl.load_workbook(path)[sheet][1]]
    add_pivot(path, source, heads, heads[0], f"xl/worksheets/sheet{len(wb.worksheets)}.xml", sheet=sheet)


def cache(path: Path) -> tuple[str | None, bool]:
    """The pivot's source range, and whether Excel refreshes it on opening the file."""
    with zipfile.ZipFile(path) as z:
        text = z.read(CACHE).decode()
    ref = re.search(r'<worksheetSource\b[^>]*\sref="([^"]+)"', text)
    return (ref.group(1) if ref else None), bool(re.search(r'<pivotCacheDefinition\b[^>]*refreshOnLoad="1"', text))


def test_a_pivot_over_the_ta_range_follows_the_rows_and_is_refreshed_on_opening(tmp_path):
    path = tracker(tmp_path)
    add_order(path, "4500000003")
    with_pivot(path, ("ref", "A1:M11"))
    out = _cli("ta", str(path))
    assert "Saved 'tracker.xlsx'" in out and "copy instead" not in out, out
    assert cache(path) == ("A1:M16", True)


def test_a_pivot_over_the_ta_table_by_name_is_refreshed_on_opening(tmp_path):
    path = tracker(tmp_path)
    add_order(path, "4500000003")
    with_pivot(path, ("name", "T5_TA"))
    _cli("ta", str(path))
    assert cache(path) == (None, True)


def test_a_day_that_only_changes_statuses_refreshes_the_pivot_and_leaves_its_range(tmp_path):
    path = tracker(tmp_path)
    with_pivot(path, ("ref", "A1:M11"))
    result = CliRunner().invoke(main, ["ta", str(path), "--today", "2027-05-03"])  # statuses change in place
    assert "value(s) changed" in result.output, result.output
    assert cache(path) == ("A1:M11", True)


def test_a_pivot_over_a_sheet_the_run_leaves_alone_is_left_byte_for_byte(tmp_path):
    path = tracker(tmp_path)
    add_order(path, "4500000003")
    with_pivot(path, ("ref", "A1:H4"), sheet="Orders")
    with zipfile.ZipFile(path) as z:
        before = z.read(CACHE)
    _cli("ta", str(path))
    with zipfile.ZipFile(path) as z:
        assert z.read(CACHE) == before


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_counts_the_rows_the_rebuild_added(tmp_path):
    path = tracker(tmp_path)
    add_order(path, "4500000003")
    with_pivot(path, ("ref", "A1:M11"))
    _cli("ta", str(path))
    rows = lo_rows(path, "Summary", tmp_path)
    assert rows[-2:] == [["Count of PO #"], ["15"]], rows


def test_live_the_pivots_over_the_sheets_written_are_refreshed_after_the_write(tmp_path):
    path = tracker(tmp_path)
    add_order(path, "4500000003")
    book = FakeBook.from_file(path)
    by_range, by_name, elsewhere = (FakePivotCache("'T&A'!R1C1:R11C13"), FakePivotCache("T5_TA"),
                                    FakePivotCache("Closures!R1C1:R2C4"))
    book.pivot_caches.extend([by_range, by_name, elsewhere])
    run(path, ["ta"], Context(today=date(2027, 3, 1)), backend=XlBook(book, progress=False))
    assert (by_range.refreshed, by_name.refreshed, elsewhere.refreshed) == (1, 1, 0)


def with_chart(path: Path) -> None:
    """A 'Dashboard' sheet with a bar chart of the T&A's Variance by Code, over its cells (A1 ranges)."""
    wb = openpyxl.load_workbook(path)
    ta = wb["T&A"]
    heads = [c.value for c in ta[1]]
    chart = BarChart()
    chart.add_data(Reference(ta, min_col=heads.index("Variance") + 1, min_row=1, max_row=ta.max_row),
                   titles_from_data=True)
    chart.set_categories(Reference(ta, min_col=heads.index("Code") + 1, min_row=2, max_row=ta.max_row))
    wb.create_sheet("Dashboard").add_chart(chart, "A1")
    wb.save(path)


def chart_refs(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        text = next(z.read(n).decode() for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
    return [html.unescape(f) for f in re.findall(r"<(?:\w+:)?f>([^<]*)</(?:\w+:)?f>", text)]


def test_a_chart_over_the_ta_cells_takes_in_the_rows_a_rebuild_adds_and_lets_go_of_those_it_takes_off(tmp_path):
    path = tracker(tmp_path)
    add_order(path, "4500000003")
    with_chart(path)
    assert chart_refs(path) == ["'T&A'!L1", "'T&A'!$E$2:$E$11", "'T&A'!$L$2:$L$11"]
    out = _cli("ta", str(path))
    assert "copy instead" not in out, out
    assert chart_refs(path) == ["'T&A'!L1", "'T&A'!$E$2:$E$16", "'T&A'!$L$2:$L$16"]
    drop_order(path, "4500000001")
    _cli("ta", str(path))
    assert chart_refs(path) == ["'T&A'!L1", "'T&A'!$E$2:$E$11", "'T&A'!$L$2:$L$11"]


DASHBOARD = {"A1": "=COUNTA('T&A'!$E$2:$E$11)", "A2": "=SUM('T&A'!L2:L11)", "A3": "=COUNTA('T&A'!E2:E5)",
             "A4": "=COUNTA('T&A'!E:E)", "A5": "=COUNTA(INDIRECT(\"'T&A'!E2:E11\"))", "A6": "=COUNTA(Orders!A2:A3)"}


def test_the_team_s_formulas_over_the_ta_column_take_in_the_rows_a_rebuild_adds(tmp_path):
    path = tracker(tmp_path)
    add_order(path, "4500000003")
    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet("Dashboard")
    for cell, formula in DASHBOARD.items():
        ws[cell] = formula
    wb.save(path)
    _cli("ta", str(path))
    got = {c: openpyxl.load_workbook(path)["Dashboard"][c].value for c in DASHBOARD}
    assert got == {**DASHBOARD, "A1": "=COUNTA('T&A'!$E$2:$E$16)", "A2": "=SUM('T&A'!L2:L16)"}
    if shutil.which("soffice"):  # LibreOffice's count of the column, from the file written
        assert lo_rows(path, "Dashboard", tmp_path)[0] == ["15"]
    drop_order(path, "4500000001")
    _cli("ta", str(path))
    got = {c: openpyxl.load_workbook(path)["Dashboard"][c].value for c in DASHBOARD}
    assert got == DASHBOARD  # ten milestones again: back to row 11


def test_a_title_row_s_formulas_over_the_ta_below_take_in_the_rows_a_rebuild_adds(tmp_path):
    sheets = base_sheets()
    sheets["T&A"] = [["Open milestones"], *sheets["T&A"]]  # a title above the header, as teams keep one
    path = write_book(tmp_path / "tracker.xlsx", sheets)
    wb = openpyxl.load_workbook(path)
    del wb["T&A"].tables[next(iter(wb["T&A"].tables))]  # a plain range under a title (a Table starts at its header)
    wb.save(path)
    _cli("ta", str(path))
    title = {"B1": "=COUNTA(E3:E12)", "C1": "=COUNTIF('T&A'!$K$3:$K$12,\"Overdue\")", "D1": "=COUNTA(E3:E5)",
             "E1": "=\"E3:E12\""}
    wb = openpyxl.load_workbook(path)
    for cell, formula in title.items():
        wb["T&A"][cell] = formula
    wb.save(path)
    add_order(path, "4500000003")
    out = _cli("ta", str(path))
    assert "Saved" in out and "copy instead" not in out, out
    got = {c: openpyxl.load_workbook(path)["T&A"][c].value for c in title}
    assert got == {**title, "B1": "=COUNTA(E3:E17)", "C1": "=COUNTIF('T&A'!$K$3:$K$17,\"Overdue\")"}


def test_a_dashboard_counting_two_sheets_a_refresh_grows_takes_in_the_new_rows_of_both(tmp_path):
    """A refresh rewrites the Exceptions, Follow-ups and Issues in one write: a dashboard counting two of them
    had only the first one's range grown (the sheet, once changed, was not looked at again)."""
    path, out = tmp_path / "tracker.xlsx", tmp_path / "written.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Exceptions"
    for sheet in ("Exceptions", "Issues"):
        ws = wb[sheet] if sheet in wb.sheetnames else wb.create_sheet(sheet)
        for value in ("Key", "a", "b", "c"):
            ws.append([value])
    board = {"A1": "=COUNTA(Exceptions!$A$2:$A$4)", "A2": "=COUNTA(issues!$A$2:$A$4)",  # as typed: any case
             "A3": "=COUNTA(Exceptions!A2:A4)+COUNTA('ISSUES'!A2:A4)", "A4": "=COUNTA(Issues!$A$2:$A$3)"}
    dash = wb.create_sheet("Dashboard")
    for cell, formula in board.items():
        dash[cell] = formula
    wb.save(path)
    saved_by_excel(path)
    rewrite_sheets(path, out, [SheetRewrite(sheet=s, header_row=1, columns=(0,), rows=tuple((x,) for x in "abcde"))
                               for s in ("Exceptions", "Issues")])
    got = {c: openpyxl.load_workbook(out)["Dashboard"][c].value for c in board}
    assert got == {"A1": "=COUNTA(Exceptions!$A$2:$A$6)", "A2": "=COUNTA(issues!$A$2:$A$6)",
                   "A3": "=COUNTA(Exceptions!A2:A6)+COUNTA('ISSUES'!A2:A6)", "A4": board["A4"]}
    # the dashboard's only formulas are those grown: Excel still works them out again as it opens the file,
    # or it would show the counts of before (3) beside ranges that take in five rows
    with zipfile.ZipFile(out) as z:
        assert re.search(r'<calcPr\b[^>]*fullCalcOnLoad="1"', z.read("xl/workbook.xml").decode())


def test_a_sheet_named_with_an_apostrophe_is_found_in_the_formulas_over_it(tmp_path):
    """A formula names 'Ana''s Issues' with the apostrophe doubled: the look for the name missed it."""
    path, out = tmp_path / "tracker.xlsx", tmp_path / "written.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Ana's Issues"
    for value in ("Key", "a", "b", "c"):
        wb.active.append([value])
    wb.create_sheet("Dashboard")["A1"] = "=COUNTA('Ana''s Issues'!$A$2:$A$4)"
    wb.save(path)
    rewrite_sheets(path, out, [SheetRewrite(sheet="Ana's Issues", header_row=1, columns=(0,),
                                            rows=tuple((x,) for x in "abcde"))])
    assert openpyxl.load_workbook(out)["Dashboard"]["A1"].value == "=COUNTA('Ana''s Issues'!$A$2:$A$6)"


def saved_by_excel(path: Path) -> None:
    """The workbook as Excel saves it: its values trusted as they are on opening (openpyxl asks for a full
    calculation on every file it writes)."""
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b' fullCalcOnLoad="1"', b"")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def test_a_sheet_edited_in_the_same_write_still_has_its_formulas_over_the_rewritten_sheet_worked_out_again(tmp_path):
    """Orders counts each PO's milestones on the T&A; a run that rebuilds the T&A and fills in a cell on Orders
    asked Excel for no calculation (Orders, changed, was not looked at for formulas): the counts of before."""
    path, out = tmp_path / "tracker.xlsx", tmp_path / "written.xlsx"
    wb = openpyxl.Workbook()
    orders = wb.active
    orders.title = "Orders"
    orders.append(["PO #", "Qty", "Milestones"])
    orders.append(["4500000001", 500, "=COUNTIF('T&A'!A:A,A2)"])
    ta = wb.create_sheet("T&A")
    for po in ("PO #", "4500000001", "4500000001"):
        ta.append([po])
    wb.save(path)
    saved_by_excel(path)
    rewrite_sheets(path, out, [SheetRewrite(sheet="T&A", header_row=1, columns=(0,), rows=(("4500000001",),) * 3)],
                   [CellEdit("Orders", 2, 1, 600)])
    with zipfile.ZipFile(out) as z:
        assert re.search(r'<calcPr\b[^>]*fullCalcOnLoad="1"', z.read("xl/workbook.xml").decode())
    assert openpyxl.load_workbook(out)["Orders"]["B2"].value == 600


def test_a_colour_rule_and_a_drop_down_list_over_the_ta_take_in_the_rows_a_rebuild_adds(tmp_path):
    """Orders coloured where a PO has an overdue milestone, and a drop-down of the T&A's codes: both were left
    at the old last row (only cell formulas were grown), so a new PO's milestones never coloured its line. Excel,
    inserting the rows, grows them."""
    path = tracker(tmp_path)
    wb = openpyxl.load_workbook(path)
    last = wb["T&A"].max_row
    overdue = f"COUNTIFS('T&A'!$A$2:$A${last},$A2,'T&A'!$K$2:$K${last},\"Overdue\")>0"
    wb["Orders"].conditional_formatting.add("A2:A20", FormulaRule(formula=[overdue], fill=PatternFill("solid",
                                                                                                     fgColor="FFC7CE")))
    codes = DataValidation(type="list", formula1=f"'T&A'!$E$2:$E${last}")
    wb["Orders"].add_data_validation(codes)
    codes.add("Z2:Z5")
    wb, new = rebuilt_with_a_new_order(path, wb, last)
    rules = [r.formula for cf in wb["Orders"].conditional_formatting for r in cf.rules]
    assert rules == [[overdue.replace(f"${last},", f"${new},")]]
    assert [v.formula1 for v in wb["Orders"].data_validations.dataValidation] == [f"'T&A'!$E$2:$E${new}"]


def test_the_ta_s_own_rules_over_its_column_take_in_the_rows_a_rebuild_adds(tmp_path):
    """A validation that no Notes cell repeats another and a colour rule counting the sheet's overdue milestones:
    the range each covers grew, the range in its formula did not (the new rows checked against the old ones
    only). A range on another sheet in such a rule is left as it is."""
    path = tracker(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb["T&A"]
    last = ws.max_row
    busy = f"COUNTIF($K$2:$K${last},\"Overdue\")>3"
    ws.conditional_formatting.add(f"K2:K{last}", FormulaRule(formula=[busy], fill=PatternFill("solid",
                                                                                              fgColor="FFC7CE")))
    ws.conditional_formatting.add(f"A2:A{last}", FormulaRule(formula=[f"COUNTIF(Orders!$A$2:$A${last},$A2)=0"],
                                                             fill=PatternFill("solid", fgColor="FFC7CE")))
    once = DataValidation(type="custom", formula1=f"COUNTIF($M$2:$M${last},M2)<2")
    ws.add_data_validation(once)
    once.add(f"M2:M{last}")
    wb, new = rebuilt_with_a_new_order(path, wb, last)
    ws = wb["T&A"]
    rules = {str(cf.sqref): r.formula for cf in ws.conditional_formatting for r in cf.rules}
    assert rules == {f"K2:K{new}": [busy.replace(f"${last}", f"${new}")],
                     f"A2:A{new}": [f"COUNTIF(Orders!$A$2:$A${last},$A2)=0"]}
    assert [(str(v.sqref), v.formula1) for v in ws.data_validations.dataValidation] == [
        (f"M2:M{new}", f"COUNTIF($M$2:$M${new},M2)<2")]


def test_a_table_s_calculated_column_over_the_ta_takes_in_the_rows_a_rebuild_adds(tmp_path):
    """A Table of the team's counting each PO's overdue milestones in a calculated column: its cells were grown,
    the column's formula (what Excel fills into the Table's next row) was not, so the next PO typed in counted
    the old rows only, and Excel marked every grown cell as differing from its column."""
    path = tracker(tmp_path)
    wb = openpyxl.load_workbook(path)
    last = wb["T&A"].max_row
    count = f"COUNTIFS('T&A'!$A$2:$A${last},[@PO],'T&A'!$K$2:$K${last},\"Overdue\")"
    ws = wb.create_sheet("By PO")
    ws.append(["PO", "Overdue"])
    for po in ("4500000001", "4500000002"):
        ws.append([po, "=" + count.replace("[@PO]", f"A{ws.max_row + 1}")])
    table = Table(displayName="tblByPO", ref="A1:B3")
    table.tableColumns = [TableColumn(id=1, name="PO"), TableColumn(id=2, name="Overdue",
                                                                   calculatedColumnFormula=TableFormula(attr_text=count))]
    ws.add_table(table)
    wb, new = rebuilt_with_a_new_order(path, wb, last)
    grown = count.replace(f"${last},", f"${new},")
    assert wb["By PO"].tables["tblByPO"].tableColumns[1].calculatedColumnFormula.attr_text == grown
    assert wb["By PO"]["B2"].value == "=" + grown.replace("[@PO]", "A2")


def rebuilt_with_a_new_order(path: Path, wb: openpyxl.Workbook, last: int) -> tuple[openpyxl.Workbook, int]:
    """``wb`` saved, a PO line of five milestones added and the T&A rebuilt: the workbook read back, and the
    T&A's new last row (``last``: the one before)."""
    wb.save(path)
    add_order(path, "4500000003")
    _cli("ta", str(path))
    wb = openpyxl.load_workbook(path)
    new = wb["T&A"].max_row
    assert new == last + 5
    return wb, new


def test_a_helper_column_of_the_team_s_on_the_ta_has_its_fixed_ranges_grown_and_moves_with_its_rows(tmp_path):
    """A column the team added to the T&A: how many milestones its PO has (``COUNTIF($A$2:$A$11,A2)``) and a
    running count (``COUNTA($A$2:A2)``). A rebuild that adds rows grows the fixed range, as Excel's Insert would,
    and a row that moves takes its relative references with it; before, the fixed range stayed at row 11."""
    path = tracker(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb["T&A"]
    last = ws.max_row
    ws.cell(1, 14, "Milestones of PO")
    ws.cell(1, 15, "Running")
    for r in range(2, last + 1):
        ws.cell(r, 14, f"=COUNTIF($A$2:$A${last},A{r})")
        ws.cell(r, 15, f"=COUNTA($A$2:A{r})")
    wb.save(path)
    drop_order(path, "4500000001")  # the second PO's rows move up from 7-11 to 2-6
    add_order(path, "4500000004")
    wb, new = rebuilt_with_a_new_order(path, openpyxl.load_workbook(path), last)
    ws = wb["T&A"]
    pos = [ws.cell(r, 1).value for r in range(2, new + 1)]
    assert pos == ["4500000002"] * 5 + ["4500000004"] * 5 + ["4500000003"] * 5
    carried = [(ws.cell(r, 14).value, ws.cell(r, 15).value) for r in range(2, 7)]
    assert carried == [(f"=COUNTIF($A$2:$A${new},A{r})", f"=COUNTA($A$2:A{r})") for r in range(2, 7)]
    assert [ws.cell(r, 14).value for r in range(7, new + 1)] == [None] * 10  # new rows: the team fills them


def test_a_helper_column_over_another_sheet_the_same_write_grows_takes_in_its_new_rows(tmp_path):
    """A T&A column of the team's counting each PO's open issues (``COUNTIF(Issues!$C$2:$C$4,A2)``): a refresh
    rebuilds the T&A and adds rows to the Issues in one write. The T&A, itself rewritten, was passed over in
    the look for formulas over the Issues, and its column kept counting the old rows."""
    path, out = tmp_path / "tracker.xlsx", tmp_path / "written.xlsx"
    wb = openpyxl.Workbook()
    ta = wb.active
    ta.title = "T&A"
    ta.append(["PO #", "Open issues"])
    for r, po in enumerate(("4500000001", "4500000002"), start=2):
        ta.append([po, f"=COUNTIF(Issues!$C$2:$C$4,A{r})+COUNTIF('T&A'!$A$2:$A$3,A{r})"])
    issues = wb.create_sheet("Issues")
    issues.append(["Sheet", "Cell", "Key"])
    for po in ("4500000001", "4500000002", "4500000001"):
        issues.append(["Orders", "A2", po])
    wb.create_sheet("Board")["A1"] = "=COUNTA(Issues!$C$2:$C$4)"
    wb.save(path)
    # ``unlinked``: the sheets the caller's look found no '!' in. Told so of the Board (wrongly, to see the
    # look pass it by), and of the T&A, which this write rewrites: that word holds for the file read only
    rewrite_sheets(path, out, [
        SheetRewrite(sheet="T&A", header_row=1, columns=(0,), rows=(("4500000001",), ("4500000002",)),
                     source_rows=(2, 3)),
        SheetRewrite(sheet="Issues", header_row=1, columns=(0, 1, 2),
                     rows=tuple(("Orders", "A2", po) for po in ("4500000001",) * 3 + ("4500000002",) * 2))],
        unlinked=["t&a", "Board"])
    got = openpyxl.load_workbook(out)["T&A"]
    # the Issues range grows to its new last row; the T&A's own range, which did not move, is left
    assert [got.cell(r, 2).value for r in (2, 3)] == [
        f"=COUNTIF(Issues!$C$2:$C$6,A{r})+COUNTIF('T&A'!$A$2:$A$3,A{r})" for r in (2, 3)]
    assert openpyxl.load_workbook(out)["Board"]["A1"].value == "=COUNTA(Issues!$C$2:$C$4)"
    with zipfile.ZipFile(out) as z:
        assert re.search(r'<calcPr\b[^>]*fullCalcOnLoad="1"', z.read("xl/workbook.xml").decode())


@given(refs=st.lists(st.tuples(st.booleans(), st.integers(1, 4), st.booleans(), st.sampled_from([9, 11, 12, 30]),
                               st.sampled_from(["", "'T&A'!", "Orders!"])), min_size=1, max_size=4))
def test_only_a_fixed_end_on_the_old_last_row_of_the_sheet_itself_grows(refs: list) -> None:
    """``grow_fixed_ranges``: a range runs on to the new last row (16) exactly when its last row is fixed, it
    starts at the header or the first data row, it ends on the old last data row (11), and it is the sheet's."""
    def area(fixed: bool, start: int, fixed_start: bool, end: int, sheet: str) -> str:
        return f"{sheet}${'A'}{'$' if fixed_start else ''}{start}:$A{'$' if fixed else ''}{end}"

    def grows(fixed: bool, start: int, _fixed_start: bool, end: int, sheet: str) -> bool:
        return fixed and start <= 2 and end == 11 and sheet != "Orders!"

    formula = "+".join(f"COUNTA({area(*r)})" for r in refs)
    want = "+".join(f"COUNTA({area(*r[:3], 16 if grows(*r) else r[3], r[4])})" for r in refs)
    assert grow_fixed_ranges(formula, "T&A", (1, {11}, 16)) == want


def test_a_formula_reading_one_ta_cell_whose_row_moved_is_left_as_typed_and_named(tmp_path):
    """A dashboard cell linked to one milestone's Status (``='T&A'!K8``): a rebuild that takes a PO line off
    moves the rows below it up, and the link reads another milestone, as after a Sort. prodbook leaves the
    formula as typed and says which cells read a row it moved, and where that row went; ranges, texts in
    quotes, a column filled down (a mirror by place) and a run that moves no row say nothing."""
    path = tracker(tmp_path, orders=3)  # PO lines 1, 2, 3: T&A rows 2-6, 7-11, 12-16
    wb = openpyxl.load_workbook(path)
    status = openpyxl.utils.get_column_letter([c.value for c in wb["T&A"][1]].index("Status") + 1)
    board = {"B1": f"='T&A'!{status}8", "B2": f"='T&A'!${status}$3", "B3": f"=COUNTA('T&A'!{status}2:{status}16)",
             "B4": f'=INDIRECT("\'T&A\'!{status}9")', "B5": f"='T&A'!{status}13"}
    dash = wb.create_sheet("Dashboard")
    for cell, formula in board.items():
        dash[cell] = formula
    for r in range(2, 17):  # a mirror of the T&A's first column, filled down: by place on purpose
        dash.cell(r, 4, f"='T&A'!A{r}")
    wb.defined_names["Watch"] = DefinedName("Watch", attr_text=f"'T&A'!${status}$12")
    wb.save(path)
    said = _cli("ta", str(path))  # nothing moved: the rows stand where the formulas read them
    assert "by its place" not in said
    drop_order(path, "4500000001")
    said = " ".join(_cli("ta", str(path)).split())
    assert openpyxl.load_workbook(path)["Dashboard"]["B1"].value == board["B1"]  # left as typed
    assert ("3 formula(s) on 'Dashboard' read a single cell of 'T&A' by its place" in said and
            f"B1 reads 'T&A'!{status}8: the row it read is now row 3" in said and
            f"B2 reads 'T&A'!${status}$3: the row it read is no longer on the sheet" in said and
            f"B5 reads 'T&A'!{status}13: the row it read is now row 8" in said)
    assert "1 defined name(s) (Formulas > Name Manager) refer to a single cell of 'T&A'" in said
    assert f"'Watch' refers to 'T&A'!${status}$12: the row it read is now row 7" in said
    assert "B3 reads" not in said and "B4 reads" not in said and "D2 reads" not in said


def test_a_colour_rule_and_a_validation_reading_one_ta_cell_whose_row_moved_are_named(tmp_path):
    """Orders' PO # coloured when one milestone of the T&A is overdue (``'T&A'!$K$8="Overdue"``), a validation
    on the dashboard checking a date against one milestone's Planned: after a rebuild that takes a PO line off,
    each reads another milestone. Named like a cell, left as typed; a rule over a column reading each row's own
    T&A row is a mirror, and is not."""
    path = tracker(tmp_path, orders=3)  # PO lines 1, 2, 3: T&A rows 2-6, 7-11, 12-16
    wb = openpyxl.load_workbook(path)
    heads = [c.value for c in wb["T&A"][1]]
    status, planned = (openpyxl.utils.get_column_letter(heads.index(h) + 1) for h in ("Status", "Planned"))
    red = PatternFill("solid", fgColor="FFC7CE")
    link = f"'T&A'!${status}$8=\"Overdue\""
    wb["Orders"].conditional_formatting.add("A2", FormulaRule(formula=[link], fill=red))
    wb["Orders"].conditional_formatting.add("C2:C16", FormulaRule(formula=[f"'T&A'!{status}2=\"Overdue\""],
                                                                  fill=red))
    check = DataValidation(type="custom", formula1=f"B2<='T&A'!{planned}13")
    dash = wb.create_sheet("Dashboard")
    dash.add_data_validation(check)
    check.add("B2:E2")
    wb.save(path)
    drop_order(path, "4500000001")
    said = " ".join(_cli("ta", str(path)).split())
    wb = openpyxl.load_workbook(path)
    assert [r.formula for cf in wb["Orders"].conditional_formatting for r in cf.rules][0] == [link]  # as typed
    assert ("1 formula(s) on 'Orders' read a single cell of 'T&A' by its place" in said and
            f"the Conditional Formatting rule on A2 reads 'T&A'!${status}$8: the row it read is now row 3" in said)
    assert ("1 formula(s) on 'Dashboard' read" in said and
            f"the Data Validation rule on B2:E2 reads 'T&A'!{planned}13: the row it read is now row 8" in said)
    assert "on C2:C16" not in said


def link_dashboard(path: Path, links: dict[str, str], formulas: dict[str, str] | None = None) -> None:
    """A 'Dashboard' sheet of jumps into the workbook: Insert > Link's (cell -> place) and formulas."""
    from openpyxl.worksheet.hyperlink import Hyperlink

    wb = openpyxl.load_workbook(path)
    dash = wb.create_sheet("Dashboard")
    for cell, place in links.items():
        dash[cell] = f"go to {place}"
        dash[cell].hyperlink = Hyperlink(ref=cell, location=place)
    for cell, formula in (formulas or {}).items():
        dash[cell] = formula
    wb.save(path)


def test_a_link_to_one_ta_cell_whose_row_moved_is_named_and_prodbook_s_own_links_are_not(tmp_path):
    """A dashboard's jump to one milestone (Insert > Link to 'T&A'!K13, or ``HYPERLINK("#'T&A'!K13",...)``)
    lands on another milestone after a rebuild: Excel never moves a link's place, and neither does prodbook.
    Named; the links prodbook itself writes on its sheets (to the rows as they now are) are not."""
    path = tracker(tmp_path, orders=3)  # PO lines 1, 2, 3: T&A rows 2-6, 7-11, 12-16
    link_dashboard(path, {"B6": "'T&A'!K13"}, {"B7": '=HYPERLINK("#\'T&A\'!K14","Fit, PO 3")'})
    drop_order(path, "4500000001")
    said = " ".join(_cli("refresh", str(path)).split())
    assert "2 formula(s) or link(s) on 'Dashboard' read or go to a single cell of 'T&A' by its place" in said
    assert "the link in B6 goes to 'T&A'!K13: the row it went to is now row 8" in said
    assert "the link in B7 goes to 'T&A'!K14: the row it went to is now row 9" in said
    assert "point the formula or link at its new row" in said
    assert said.count("by its place") == 1  # nothing on Issues, Exceptions or Follow-ups, rewritten this run
    wb = openpyxl.load_workbook(path)
    assert wb["Dashboard"]["B6"].hyperlink.location == "'T&A'!K13"  # left as typed


def test_rules_are_read_in_the_sheet_s_own_form_and_in_excel_2010_s():
    """Excel keeps a colour rule or a validation that reads another sheet in its 2010 form (``x14:``, the cells
    in ``xm:sqref``); a validation with no formula (self-closing) lends its cells to none."""
    from prodbook.workbook.xlsx.formula_refs import _rules

    xml = ('<worksheet><sheetData/><conditionalFormatting sqref="B4"><cfRule type="expression" priority="1">'
           '<formula>\'T&amp;A\'!$K$16="Overdue"</formula></cfRule></conditionalFormatting>'
           '<dataValidations count="2"><dataValidation sqref="A1"/><dataValidation type="custom" sqref="C2 E2">'
           '<formula1>C2&lt;=\'T&amp;A\'!$H$5</formula1></dataValidation></dataValidations><extLst>'
           '<ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}"><x14:conditionalFormattings>'
           '<x14:conditionalFormatting xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
           '<x14:cfRule type="expression" priority="2" id="{1}"><xm:f>\'T&amp;A\'!$K$9="Overdue"</xm:f><x14:dxf/>'
           '</x14:cfRule><xm:sqref>D7:F7</xm:sqref></x14:conditionalFormatting></x14:conditionalFormattings></ext>'
           '<ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}"><x14:dataValidations count="1">'
           '<x14:dataValidation type="list"><x14:formula1><xm:f>\'T&amp;A\'!$E$2:$E$20</xm:f></x14:formula1>'
           '<xm:sqref>G2</xm:sqref></x14:dataValidation></x14:dataValidations></ext></extLst></worksheet>')
    cf, dv = "the Conditional Formatting rule", "the Data Validation rule"
    assert _rules(xml) == [(cf, "B4", "'T&A'!$K$16=\"Overdue\""), (dv, "C2 E2", "C2<='T&A'!$H$5"),
                           (cf, "D7:F7", "'T&A'!$K$9=\"Overdue\""), (dv, "G2", "'T&A'!$E$2:$E$20")]


def test_a_column_excel_filled_down_reads_by_place_on_purpose():
    """A formula Excel shares down a column (a sheet mirroring the T&A row by row) is not named: its place is
    what it means. A cell's own formula is."""
    from prodbook.workbook.xlsx.formula_refs import _CELL_FORMULA

    shared = '<c r="D2"><f t="shared" ref="D2:D900" si="0">\'T&amp;A\'!A2</f><v>1</v></c>'
    own = '<c r="D2" s="3"><f>\'T&amp;A\'!A2</f><v>1</v></c>'
    assert _CELL_FORMULA.search(shared) is None
    found = _CELL_FORMULA.search(own)
    assert found is not None and found.groups() == ("D2", "'T&amp;A'!A2")
