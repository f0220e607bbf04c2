"""A new week's WIP reports go below the Vendor WIP sheet's history: the history's rows are copied as they
are, not written again (``wip_job._only_added``: at 10,000 PO lines and 12 weeks, 14.5 s -> 10.5 s). The
oracle is the same import with the whole sheet written again, as before: every cell's value and formula on
every sheet, the defined names and the Tables must come out the same, with the team's formulas over the
history grown to its new last row, and the new rows must look the same; the history's rows look as they
did (a rebuild gives their blank cells the column's format)."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.table import TableColumn, TableFormula

from conftest import add_table
from prodbook.jobs import wip_job
from prodbook.jobs.runner import run
from test_wip import HEADER, ctx, dhaka_xlsx, tracker_with_lines

WEEK_1 = [["4500000001", "S1", "Navy", "BD1", 1200, 1150, 800, 300, "In-house", date(2027, 4, 15),
           date(2027, 4, 20), "Sea", "Pending", "ok", datetime(2027, 3, 1), "Dhaka Knit weekly.xlsx"],
          ["4500000001", "S1", "Heather Grey", "BD1", 600, 600, 450, 0, "In-house", date(2027, 4, 15), None,
           "Sea", "Confirmed", None, datetime(2027, 3, 1), "Dhaka Knit weekly.xlsx"]]


def history(path: Path, *, title: bool = False, helper: bool = False, elsewhere: bool = False,
            calculated: bool = False, total: bool = False) -> Path:
    """A tracker whose Vendor WIP sheet holds last week's report (an Excel Table), with what a team adds:
    a title row counting the lines (``title``), a helper column with a fixed range (``helper``), a summary
    sheet and a defined name over the history (``elsewhere``), a calculated column (``calculated``), the
    Table's Total row with a SUBTOTAL of Cut Qty (``total``)."""
    path.mkdir()
    book = tracker_with_lines(path)
    wb = openpyxl.load_workbook(book)
    ws = wb.create_sheet("Vendor WIP")
    hr = 2 if title else 1
    last = hr + len(WEEK_1)
    if title:
        ws.append(["Lines reported", f"=COUNTA(A{hr + 1}:A{last})"])
    headers = list(HEADER) + (["Seen"] if helper else []) + (["Balance"] if calculated else [])
    ws.append(headers)
    for r, row in enumerate(WEEK_1, start=hr + 1):
        extra: list[Any] = [f"=COUNTIF($A${hr + 1}:$A${last},A{r})"] if helper else []
        extra += [f"=E{r}-F{r}"] if calculated else []
        ws.append(list(row) + extra)
    ref = f"A{hr}:{openpyxl.utils.get_column_letter(len(headers))}{last}"
    add_table(ws, ref, "VendorWIP")
    if calculated:
        table = ws.tables["VendorWIP"]
        table._initialise_columns()
        column: TableColumn = table.tableColumns[-1]
        column.calculatedColumnFormula = TableFormula(attr_text=f"E{hr + 1}-F{hr + 1}")
    if elsewhere:
        summary = wb.create_sheet("Summary")
        summary["A1"], summary["B1"] = "Cut so far", f"=SUM('Vendor WIP'!$F${hr + 1}:$F${last})"
        wb.defined_names["WIP_POs"] = DefinedName("WIP_POs", attr_text=f"'Vendor WIP'!$A${hr + 1}:$A${last}")
    wb.save(book)
    if total:
        from test_total_rows import with_total_row

        with_total_row(book, "Vendor WIP", {"Cut Qty": "SUBTOTAL(109,{t}[Cut Qty])"})
    return book


def everything(path: Path) -> dict[str, Any]:
    """Every cell (formulas as typed) and how it looks, the column widths, the Tables' ranges and columns, the
    defined names."""
    wb = openpyxl.load_workbook(path, data_only=False)
    out: dict[str, Any] = {"names": {n: d.attr_text for n, d in wb.defined_names.items()}}
    for ws in wb.worksheets:
        out[ws.title] = [[c.value for c in row] for row in ws.iter_rows()]
        out[ws.title + " looks"] = [[(c.number_format, c.font.b, c.fill.fgColor.rgb, c.alignment.horizontal,
                                      c.alignment.indent, c.alignment.wrap_text) for c in row]
                                    for row in ws.iter_rows()]
        out[ws.title + " widths"] = {k: d.width for k, d in ws.column_dimensions.items()}
        if ws.title == "Change Log":  # the second run of the same minute in one process is named '(2)'
            out[ws.title] = [r[:1] + r[2:] for r in out[ws.title]]
        out[ws.title + " tables"] = {
            t.displayName: (t.ref, [(c.name, c.calculatedColumnFormula.attr_text if c.calculatedColumnFormula
                                     else None) for c in t.tableColumns]) for t in ws.tables.values()}
    return out


def both_ways(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **team: bool) -> tuple[Path, Path]:
    """Next week's report imported into the same history twice: the new way (``appended``) and with the
    whole sheet written again (``rebuilt``). Checks that the new way was the one taken."""
    appended = history(tmp_path / "a", **team)
    rebuilt = tmp_path / "b" / "tracker.xlsx"
    rebuilt.parent.mkdir()
    shutil.copy(appended, rebuilt)
    shutil.copy(appended, tmp_path / "before.xlsx")
    report = dhaka_xlsx(tmp_path, report="Report date: 2027-03-08", name="dhaka 0308.xlsx")
    taken: list[bool] = []
    only_added = wip_job._only_added
    monkeypatch.setattr(wip_job, "_only_added", lambda *a: taken.append(only_added(*a)) or taken[-1])
    run(appended, ["wip"], ctx(report, now=datetime(2027, 3, 8, 9)))
    assert taken == [True]
    monkeypatch.setattr(wip_job, "_only_added", lambda *a: False)
    run(rebuilt, ["wip"], ctx(report, now=datetime(2027, 3, 8, 9)))
    return appended, rebuilt


def same_but_the_historys_looks(appended: Path, rebuilt: Path, before: Path, kept: int) -> dict[str, Any]:
    """``everything`` of ``appended``, checked against ``rebuilt`` but for how the history's rows look (its
    first ``kept`` rows, header included): those are as they were (``before``), where a rebuild gives their
    blank cells the column's format."""
    got, want, was = everything(appended), everything(rebuilt), everything(before)
    looks = "Vendor WIP looks"
    assert got[looks][:kept] == was[looks][:kept]
    assert got[looks][kept:] == want[looks][kept:]
    assert {k: v for k, v in got.items() if k != looks} == {k: v for k, v in want.items() if k != looks}
    return got


def test_a_new_week_goes_below_the_history_exactly_as_a_rebuild_writes_it(tmp_path, monkeypatch):
    appended, rebuilt = both_ways(tmp_path, monkeypatch)
    got = same_but_the_historys_looks(appended, rebuilt, tmp_path / "before.xlsx", 3)
    rows = got["Vendor WIP"]
    assert [r[14] for r in rows[1:]] == [datetime(2027, 3, 1)] * 2 + [datetime(2027, 3, 8)] * 2
    assert [r[15] for r in rows[3:]] == ["dhaka 0308.xlsx"] * 2
    assert got["Vendor WIP tables"]["VendorWIP"][0] == "A1:P5"


def test_the_teams_formulas_over_the_history_grow_to_the_new_week(tmp_path, monkeypatch):
    appended, rebuilt = both_ways(tmp_path, monkeypatch, title=True, helper=True, elsewhere=True)
    got = same_but_the_historys_looks(appended, rebuilt, tmp_path / "before.xlsx", 4)
    assert got["Vendor WIP"][0][1] == "=COUNTA(A3:A6)"  # the title row's count takes in the new rows
    assert [r[16] for r in got["Vendor WIP"][2:4]] == ["=COUNTIF($A$3:$A$6,A3)", "=COUNTIF($A$3:$A$6,A4)"]
    assert got["Summary"][0][1] == "=SUM('Vendor WIP'!$F$3:$F$6)"
    assert got["names"]["WIP_POs"] == "'Vendor WIP'!$A$3:$A$6"


def test_the_new_rows_get_the_tables_calculated_column(tmp_path, monkeypatch):
    appended, rebuilt = both_ways(tmp_path, monkeypatch, calculated=True)
    got = same_but_the_historys_looks(appended, rebuilt, tmp_path / "before.xlsx", 3)
    assert [r[16] for r in got["Vendor WIP"][1:]] == [f"=E{r}-F{r}" for r in range(2, 6)]


def test_a_report_sent_again_still_rewrites_the_sheet(tmp_path):
    """A re-send updates rows in place: not an append."""
    book = history(tmp_path / "a")
    taken: list[bool] = []
    only_added = wip_job._only_added
    with pytest.MonkeyPatch.context() as m:
        m.setattr(wip_job, "_only_added", lambda *a: taken.append(only_added(*a)) or taken[-1])
        run(book, ["wip"], ctx(dhaka_xlsx(tmp_path, cut="1,180")))
    assert taken == [False]
    rows = openpyxl.load_workbook(book)["Vendor WIP"]
    assert rows["F2"].value == 1180 and rows.max_row == 3


def test_in_excel_the_new_week_is_written_as_before(tmp_path, monkeypatch):
    """The add-in's back end (the in-memory stand-in for Excel) does not take the file's append: it writes the
    new week as it wrote every import before (Excel's Insert growing the team's ranges), whichever way the job
    stages it. Same cells, same formulas, the rows as the file gets them."""
    from fakexl import FakeBook
    from prodbook.workbook.xlbook import XlBook

    book = history(tmp_path / "a", title=True, helper=True, elsewhere=True)
    report = dhaka_xlsx(tmp_path, report="Report date: 2027-03-08", name="dhaka 0308.xlsx")
    appended, rebuilt = FakeBook.from_file(book), FakeBook.from_file(book)
    run(book, ["wip"], ctx(report, now=datetime(2027, 3, 8, 9)), backend=XlBook(appended))
    only_added = wip_job._only_added
    monkeypatch.setattr(wip_job, "_only_added", lambda *a: False)
    run(book, ["wip"], ctx(report, now=datetime(2027, 3, 8, 9)), backend=XlBook(rebuilt))
    monkeypatch.setattr(wip_job, "_only_added", only_added)
    for sheet in ("Vendor WIP", "Summary"):
        assert appended.sheets[sheet].cells == rebuilt.sheets[sheet].cells
    run(book, ["wip"], ctx(report, now=datetime(2027, 3, 8, 9)))
    on_file = everything(book)["Vendor WIP"]
    in_excel = appended.sheets["Vendor WIP"].cells
    assert [in_excel.get((r, 16)) for r in range(3, 7)] == [row[15] for row in on_file[2:6]]
    assert [in_excel.get((r, 1)) for r in range(3, 7)] == [row[0] for row in on_file[2:6]]
    assert str(in_excel[(1, 2)]) == on_file[0][1] == "=COUNTA(A3:A6)"


def test_a_total_row_under_the_history_stays_under_the_new_week(tmp_path, monkeypatch):
    """The team turned on the Table's Total row (a SUBTOTAL of Cut Qty): the new week goes above it, and its
    formula takes in the new rows, as a rebuild does."""
    appended, rebuilt = both_ways(tmp_path, monkeypatch, total=True)
    got, want = everything(appended), everything(rebuilt)
    assert got["Vendor WIP"] == want["Vendor WIP"] and got["Vendor WIP tables"] == want["Vendor WIP tables"]
    assert got["Vendor WIP"][-1][:6] == ["Total", None, None, None, None, "=SUBTOTAL(109,VendorWIP[Cut Qty])"]
    assert got["Vendor WIP tables"]["VendorWIP"][0] == "A1:P6"
