"""Follow-ups: a typical row prints one line tall on a sheet created before any row fitted its columns."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl import Workbook

from prodbook.core.looks import text_lines
from prodbook.core.model.sheets import FOLLOW_UPS
from prodbook.demo.tracker import write_sheet

REF = "4500013189 / SS27-DN-1002 / Black Rinse"  # PO / style / colour, as the demo's rows hold it
DETAIL = "Bulk cutting start was due 02-Dec-26; please send it or give us a new date"
ITEM = "PP sample submit (bulk wash)"  # a demo T&A milestone: two lines in the 20 it had


def test_an_empty_follow_ups_sheet_is_wide_enough_for_a_typical_ref_and_detail_on_one_line(tmp_path: Path):
    wb = Workbook()
    wb.remove(wb.worksheets[0])
    write_sheet(wb, FOLLOW_UPS, [])  # as the demo writes it: no row yet to fit the widths to
    wb.save(tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")["Follow-ups"]
    headers = [c.value for c in ws[1]]
    width = {h: ws.column_dimensions[openpyxl.utils.get_column_letter(j)].width for j, h in enumerate(headers, 1)}
    assert text_lines(REF, width["Ref"]) == 1, width["Ref"]
    assert text_lines(DETAIL, width["Detail"]) == 1, width["Detail"]
    assert text_lines(ITEM, width["Item"]) == 1, width["Item"]
    # within the columns' caps: the page, one page wide, stays readable
    assert width["Ref"] <= 44 and width["Detail"] <= 70 and width["Item"] <= 30
