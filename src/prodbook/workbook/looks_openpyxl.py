"""A ``SheetLook`` on a sheet built with openpyxl: the demo tracker and the standalone report workbook.

The same look the part-level writer gives a sheet it creates
(``workbook.xlsx.create``), for the workbooks prodbook builds whole.
"""

from __future__ import annotations

from copy import copy
from typing import Any

from openpyxl.formatting.rule import FormulaRule, Rule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from prodbook.core.looks import HEADER_FILL, HEADER_FONT, SheetLook, Tone, fitted_widths, resolve, row_height

SAMPLE_ROWS = 2000
FONT_NAME = "Calibri"
"""Excel's own font, named on every font prodbook writes: a font without a name is drawn in a program's
fallback (LibreOffice's serif, wider), and a header fitted to Calibri is cut off."""


def font(*, size: float = 11, **kw: Any) -> Font:
    """A cell font in Excel's own face (``FONT_NAME``), bold, coloured or sized as asked."""
    return Font(name=FONT_NAME, size=size, **kw)


def header_cells(ws: Any, row: int, ncol: int) -> None:
    """White bold text on dark blue, wrapped: the header look."""
    head, fill = font(bold=True, color=HEADER_FONT), PatternFill("solid", fgColor=HEADER_FILL)
    align = Alignment(wrap_text=True, vertical="center")
    for j in range(1, ncol + 1):
        c = ws.cell(row=row, column=j)
        c.font, c.fill, c.alignment = head, fill, align


def _rule(formula: str, tone: Tone) -> Rule:
    fill = PatternFill(start_color=tone.fill, end_color=tone.fill, fill_type="solid") if tone.fill else None
    return FormulaRule(formula=[formula], font=Font(color=tone.font, bold=tone.bold), fill=fill, stopIfTrue=True)


def apply_look(ws: Any, look: SheetLook, *, header_row: int = 1, filter_: bool = True) -> None:
    """Widths fitted to the sheet's values, each column's number format and wrapping (on its cells and as
    the column's default, so rows added later get it too), the header look, frozen header, the colour
    rules over the data rows, a filter (unless a Table gives one) and landscape pages one page wide."""
    ncol = ws.max_column
    headers = [str(ws.cell(row=header_row, column=j).value or "") for j in range(1, ncol + 1)]
    last = max(ws.max_row, header_row + 1)
    top = header_row + 1
    columns = [[ws.cell(row=r, column=j).value for r in range(top, min(last, top + SAMPLE_ROWS) + 1)]
               for j in range(1, ncol + 1)]
    widths = fitted_widths(look, headers, columns)
    for j, (header, width) in enumerate(zip(headers, widths), start=1):
        letter = get_column_letter(j)
        cl = look.column(header)
        dim = ws.column_dimensions[letter]
        dim.width = width
        align = Alignment(vertical="top", wrap_text=bool(cl and cl.wrap), horizontal=cl.horizontal if cl else None,
                          indent=cl.indent if cl else 0)
        fmt = cl.number_format if cl else None
        if fmt:
            dim.number_format = fmt
        dim.alignment = align
        styled: dict[tuple[tuple[int, ...] | None, bool], Any] = {}  # a cell's style before -> after, worked out once
        for r in range(top, ws.max_row + 1):
            c = ws.cell(row=r, column=j)
            formatted = bool(fmt) and c.value is not None and not isinstance(c.value, str)
            key = (tuple(c._style) if c._style is not None else None, formatted)
            if key in styled:  # openpyxl's own setters hash every style object: 50 us a cell on big sheets
                c._style = copy(styled[key])
                continue
            if formatted:
                c.number_format = fmt
            c.alignment = align
            styled[key] = copy(c._style)
    wrapped = [(j, w) for j, (h, w) in enumerate(zip(headers, widths), start=1)
               if (cl := look.column(h)) is not None and cl.wrap]
    for r in range(top, ws.max_row + 1):
        height = row_height((ws.cell(row=r, column=j).value, w) for j, w in wrapped)
        if height:
            ws.row_dimensions[r].height = height
    header_cells(ws, header_row, ncol)
    ws.freeze_panes = f"A{top}"
    letters = {h: get_column_letter(j) for j, h in enumerate(headers, start=1)}
    for rule in look.rules:
        formula = resolve(rule, letters, top)
        if formula is not None:
            letter = letters[rule.column]
            ws.conditional_formatting.add(f"{letter}{top}:{letter}{last}", _rule(formula, rule.tone))
    if filter_ and not ws.tables:
        ws.auto_filter.ref = f"A{header_row}:{get_column_letter(ncol)}{last}"
    landscape(ws)


def landscape(ws: Any, *, pages_tall: int = 0) -> None:
    """Printed landscape, one page wide (``pages_tall`` 0: as many pages down as the rows need)."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, pages_tall
    ws.sheet_properties.pageSetUpPr.fitToPage = True
