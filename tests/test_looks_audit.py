"""The generated sheets as the APM sees them (printed one by one through LibreOffice, Carlito = Calibri's
metrics): what read wrong, each asserted on the written .xlsx read back with openpyxl."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from conftest import demo_workbook
from prodbook.core.looks import look_for
from prodbook.core.model.sheets import ISSUES
from prodbook.workbook.looks_openpyxl import apply_look

DAY = "2026-11-25"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return demo_workbook(tmp_path_factory.mktemp("looks-audit"), DAY)


def _col(ws, header: str) -> int:
    return next(c.column for c in ws[1] if c.value == header)


def _width(ws, header: str) -> float:
    return ws.column_dimensions[get_column_letter(_col(ws, header))].width


def _cells(ws, header: str) -> list:
    j = _col(ws, header)
    return [ws.cell(row=r, column=j) for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=j).value is not None]


def test_dates_are_centred_and_numbers_stand_off_the_text_to_their_right(demo):
    """Right-aligned dates and numbers ran into the left-aligned text of the next column:
    '25-Nov-26Rebuild T&A' (Issues), '29-Oct-26Sea' (Vendor WIP), '11-Jul-26Done late' and
    '5Passed AQL 2.5' (T&A), '25-Nov-264500012559' (Exceptions)."""
    wb = openpyxl.load_workbook(demo)
    for sheet, header in (("Issues", "Found On"), ("Exceptions", "Detected"), ("Vendor WIP", "Revised XF"),
                          ("Vendor WIP", "Report Date"), ("T&A", "Actual"), ("Follow-ups", "Due"),
                          ("Change Log", "Timestamp")):
        cells = _cells(wb[sheet], header)
        assert cells, (sheet, header)
        assert {c.alignment.horizontal for c in cells} == {"center"}, (sheet, header)
    for sheet, header in (("T&A", "Variance"), ("Vendor WIP", "Order Qty"), ("Follow-ups", "Days Overdue")):
        cells = _cells(wb[sheet], header)
        assert cells and all(c.alignment.horizontal == "right" and c.alignment.indent >= 1 for c in cells), \
            (sheet, header)
        ws = wb[sheet]  # the indent has room: the widest number, its indent and the padding
        assert _width(ws, header) >= max(len(f"{c.value:,}") for c in cells) + 2, (sheet, header)


def test_short_text_columns_hold_their_words_on_one_line(demo):
    """Issues' Found By (width 11) wrapped 'Import vendor WIP' and 'Check records' onto two lines and
    Found In (11) a file name onto three; Follow-ups' Contact (22) broke e-mail addresses mid-word;
    the Change Log's Action (26) wrapped 'Refresh 2026-12-06 06:28:05 UTC+0' on every row."""
    wb = openpyxl.load_workbook(demo)
    for sheet, header in (("Issues", "Found By"), ("Follow-ups", "Contact"), ("Change Log", "Action")):
        ws = wb[sheet]
        longest = max(len(str(c.value)) for c in _cells(ws, header))
        assert _width(ws, header) >= longest + 1, (sheet, header, _width(ws, header), longest)
    assert _width(wb["Issues"], "Found In") >= len("DHK WIP 2026-11-20.xlsx") + 2


def test_cjk_text_is_not_cut_off(tmp_path):
    """A CJK vendor name takes two digits' width a character: counted as one, it was wrapped by Excel onto
    a second line the row had no height for."""
    name = "广州天丰服装有限公司"  # 10 characters, 20 digits wide
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = ISSUES.name
    ws.append(list(ISSUES.headers))
    row = {h: None for h in ISSUES.headers}
    row.update({"Sheet": "Vendors", "Cell": "B3", "Value": name, "Problem": "the name differs", "Severity": "warning"})
    ws.append([row[h] for h in ISSUES.headers])
    apply_look(ws, look_for(ISSUES))
    path = tmp_path / "cjk.xlsx"
    wb.save(path)
    ws = openpyxl.load_workbook(path)[ISSUES.name]
    width, height = _width(ws, "Value"), ws.row_dimensions[2].height
    assert width - 1 >= 2 * len(name) or (height or 15) >= 30, (width, height)
