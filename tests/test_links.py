"""Issue 10 point 10: what prodbook writes is clickable, and every link leads where it says.

The links are read back with openpyxl from the file prodbook wrote and each target is resolved: the
Issues Cell goes to the very cell (its column's header is the issue's Field), the Follow-ups Draft is a
file that exists relative to the workbook, an Exceptions or Production Report PO goes to that PO line's
first T&A row. The cached text is what a program shows before recalculating; LibreOffice opens the file.
"""

from __future__ import annotations

import re
import subprocess
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import base_sheets, write_book
from prodbook.jobs.base import Context
from prodbook.jobs.runner import REFRESH, run
from prodbook.workbook.xlbook import excel_value
from prodbook.workbook.xlsxparts import Formula

DAY = date(2027, 3, 1)
LINK = re.compile(r'^=HYPERLINK\("((?:[^"]|"")*)","((?:[^"]|"")*)"\)$')
JUMP = re.compile(r"^#'((?:[^']|'')+)'!([A-Z]+)(\d+)$")


def ctx(**kw: Any) -> Context:
    return Context(today=DAY, now=datetime(2027, 3, 1, 9), **kw)


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("links") / "team's folder"  # a quote and a space in the path
    folder.mkdir()
    sheets = base_sheets()
    sheets["Orders"].append(["4500000003", "S1", "Red", 600, date(2027, 1, 4), "31/02/2027", date(2027, 5, 10),
                             date(2027, 5, 20)])  # a bad date: an Issues row on Orders (the line is not planned)
    sheets["Vendors"][1][3] = ""  # BD1 has no e-mail: an Issues row on Vendors
    path = write_book(folder / "tracker.xlsx", sheets)
    wb = openpyxl.Workbook()  # the vendor revises an ex-factory date: an exception on that PO line
    wb.active.append(["PO #", "Style #", "Color", "Vendor", "Order Qty", "Cut Qty", "Planned XF", "Revised XF",
                      "Report Date"])
    wb.active.append(["4500000002", "S2", "Black", "CN1", 800, 0, date(2027, 4, 30), date(2027, 5, 28),
                      date(2027, 2, 26)])
    wb.save(folder / "CN1 WIP.xlsx")
    run(path, REFRESH, ctx(files=(folder / "CN1 WIP.xlsx",)))
    run(path, ["report"], ctx(out=folder / "report.xlsx"))
    return path


def links_of(path: Path, sheet: str, header: str) -> list[tuple[dict[str, Any], str, str, Any]]:
    """(row as shown, link target, link text, cached value) of every link in a column."""
    ws = openpyxl.load_workbook(path)[sheet]
    shown = openpyxl.load_workbook(path, data_only=True)[sheet]
    head = [c.value for c in ws[1]]
    col = head.index(header)
    out = []
    for r in range(2, ws.max_row + 1):
        v = ws.cell(row=r, column=col + 1).value
        if isinstance(v, str) and (m := LINK.match(v)):
            row = dict(zip(head, (c.value for c in shown[r])))
            out.append((row, m[1].replace('""', '"'), m[2].replace('""', '"'), shown.cell(row=r, column=col + 1).value))
    return out


def jump(path: Path, target: str) -> tuple[openpyxl.worksheet.worksheet.Worksheet, str, int]:
    m = JUMP.match(target)
    assert m, target
    wb = openpyxl.load_workbook(path, data_only=True)
    sheet = m[1].replace("''", "'")
    assert sheet in wb.sheetnames, target
    return wb[sheet], m[2], int(m[3])


def test_issues_cell_jumps_to_the_cell_it_names(book: Path) -> None:
    found = links_of(book, "Issues", "Cell")
    assert len(found) >= 2
    for row, target, text, cached in found:
        ws, col, r = jump(book, target)
        assert ws.title == row["Sheet"] and cached == text == row["Cell"]
        if not text.startswith("row "):
            assert f"{col}{r}" == text
            assert ws[f"{col}1"].value == row["Field"], (target, row)  # the issue's column, on its row
    orders = next(x for x in found if x[0]["Sheet"] == "Orders" and x[0]["Code"] == "bad-date")
    assert orders[1] == "#'Orders'!F4" and orders[0]["Value"] == "31/02/2027"


def test_follow_up_draft_opens_the_file_relative_to_the_workbook(book: Path) -> None:
    found = links_of(book, "Follow-ups", "Draft")
    assert found
    for _row, target, text, cached in found:
        assert not Path(target).is_absolute() and text == cached == Path(target).name  # the name: one line
        assert (book.parent / target).is_file(), target  # Excel resolves it from the workbook's folder
        assert target.startswith("Follow-up drafts/2027-03-01/") and target.endswith(".eml")


@pytest.mark.parametrize("sheet", ["Exceptions", "Production Report"])
def test_po_jumps_to_the_lines_first_ta_row(book: Path, sheet: str) -> None:
    found = links_of(book, sheet, "PO #")
    assert found, sheet
    ta_rows = list(openpyxl.load_workbook(book, data_only=True)["T&A"].iter_rows(values_only=True))
    for row, target, text, cached in found:
        ws, col, r = jump(book, target)
        assert ws.title == "T&A" and col == "A" and text == cached == row["PO #"]
        line = (row["PO #"], row["Style #"], row["Color"])
        assert tuple(ta_rows[r - 1][:3]) == line
        assert all(tuple(x[:3]) != line for x in ta_rows[1:r - 1]), "not the line's first T&A row"


def test_link_quotes_and_limits() -> None:
    from prodbook.workbook.links import cell_target, file_link, link

    assert cell_target("It's", "B7") == "#'It''s'!B7" and cell_target("T&A", "row 4") == "#'T&A'!A4"
    assert cell_target("Styles", "see notes") is None
    f = link('a "b".eml', "x")
    assert isinstance(f, Formula) and f.text == '=HYPERLINK("a ""b"".eml","x")' and f.result == "x"
    assert link("x" * 256, "too long") == "too long"  # Excel refuses longer targets: plain text instead
    wb = Path("/work/t/tracker.xlsx")
    assert file_link(Path("/work/t/Follow-up drafts/d.eml"), wb).result == "Follow-up drafts/d.eml"
    assert excel_value(f) == f.text  # live Excel gets the same formula and computes the text itself


@pytest.mark.libreoffice
def test_libreoffice_opens_the_linked_workbook(book: Path, tmp_path: Path) -> None:
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "csv",
                    "--outdir", str(tmp_path), str(book)], check=True, capture_output=True, timeout=300)
    out = tmp_path / "tracker.csv"
    assert out.is_file() and out.stat().st_size > 0


_cells = st.one_of(st.none(), st.just(float("nan")), st.booleans(), st.integers(-3, 3), st.floats(-3, 3),
                   st.sampled_from(["po1", " PO1 ", "Po1", "S1", "s1", "C1", "", "1", "1.0", "True"]))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_cells, _cells, _cells, st.one_of(st.none(), st.integers(2, 60))), max_size=40))
def test_first_rows_folds_each_value_as_the_plain_fold_does(rows):
    """Each distinct value is folded once now; the result is the per-cell fold's, 1 and 1.0 and True apart."""
    from prodbook.workbook import links

    frame = pd.DataFrame(rows, columns=["po", "style", "color", "_row"], dtype=object)
    expected: dict = {}
    for po, style, color, row in rows:
        if row is None:
            continue
        key = (links._text(po), links._text(style), links._text(color))
        expected[key] = min(row, expected.get(key, row))
    assert links.first_rows(frame) == expected
    shown = links.po_links(frame, expected, "T&A")
    for (po, style, color, _), cell in zip(rows, shown, strict=True):
        row = expected.get((links._text(po), links._text(style), links._text(color)))
        if po in (None, "") or row is None or po != po:  # blank, NaN or no T&A row: the value as it was
            assert cell is po
        else:
            assert isinstance(cell, Formula) and f"'T&A'!A{row}\"" in cell.text and cell.result == str(po)
