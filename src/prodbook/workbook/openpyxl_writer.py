"""The fallback writer: staged changes applied through openpyxl, into a side copy.

Used only when the part-level writer meets a layout it cannot rewrite
safely (merged cells, comments or array formulas in the rows it would
regenerate). openpyxl may drop parts of a workbook, so this never writes
over the user's file: the caller points it at ``NAME (prodbook).xlsx``
and tells the user why, listing what the copy may lack.

What it does keep, as the part writer does: a carried row's cells as they were (style, number format, note,
link, formulas moved with the row), its row's height; the Table over its own columns; the ranges that
ran to the old last data row (conditional formats, validations, the filter, defined names, formulas) run
to the new one; and the colour rules an earlier prodbook wrote on a sheet it writes brought up to date
(``looks.rules_to_update``, as ``xlsx.colour_rules`` does).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from copy import copy
from io import BytesIO
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import Cell
from openpyxl.comments.shape_writer import ShapeWriter
from openpyxl.formatting.formatting import ConditionalFormatting, ConditionalFormattingList
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.functions import fromstring

from prodbook.core.looks import FoundRule, RulePlace, rules_to_update
from prodbook.workbook.atomic import saved
from prodbook.workbook.xlsx.book import adjust_sheet_refs
from prodbook.workbook.xlsx.formula_refs import _own_ranges, grow_fixed_ranges
from prodbook.workbook.xlsx.package import DAMAGED_ZIP
from prodbook.workbook.xlsx.refs import _adjust_format_sqref, _adjust_range, cell_area, col_letter
from prodbook.workbook.xlsxparts import AnyEdit, Formula, SheetRewrite, Value, single_cells, translate_formula

Rows = tuple[int, set[int], int]
"""Header row, the old last data rows, the new last data row (``refs._adjust_range``)."""


def _put(ws: Worksheet, row: int, col0: int, value: Value) -> None:
    cell = ws.cell(row=row, column=col0 + 1)
    if isinstance(value, Formula):
        cell.value = value.text
        return
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # text stays text, even "=HYPERLINK(...)" from a vendor
    elif hasattr(value, "year") and isinstance(cell, Cell) and not cell.is_date:  # a MergedCell refused the value
        cell.number_format = "yyyy-mm-dd"


def _last_header(ws: Worksheet, header_row: int) -> int:
    """0-based column of the last non-blank header cell (-1: none), as the part writer counts."""
    cells = [c.column for c in ws[header_row] if c.value not in (None, "")] if header_row <= ws.max_row else []
    return max(cells, default=0) - 1


# --------------------------------------------------------------------------- carried rows


def _take_rows(ws: Worksheet, header_row: int) -> dict[int, dict[int, Any]]:
    """The data rows' cells, taken off the sheet whole (not their values alone: a note, a link and a style
    go with the row that is carried, and with nothing else)."""
    cells: dict[tuple[int, int], Any] = ws._cells  # Cell's private parts (_style, _value) are copied as they are
    old: dict[int, dict[int, Any]] = {}
    for r, c in [k for k in cells if k[0] > header_row]:
        old.setdefault(r, {})[c] = cells.pop((r, c))
    return old


def _take_heights(ws: Worksheet, header_row: int) -> dict[int, Any]:
    """The data rows' row attributes (height, hidden, style), taken off the sheet to follow their rows."""
    return {r: ws.row_dimensions.pop(r) for r in [r for r in ws.row_dimensions if r > header_row]}


def _moved_formula(value: Any, src: int, row: int, col0: int, sheet: str, grow: Rows | None) -> Any:
    """A carried formula as Excel's copy would have it in its new row (relative references moved, an array
    formula's own cell with it; fixed ranges over the data run to the new last row)."""
    if isinstance(value, ArrayFormula):
        area = cell_area(value.ref or "")
        if area is None or area[0] != area[2] or area[0] != src:
            return value  # an array over rows moves with none of them
        ref = f"{col_letter(area[1])}{row}" + (f":{col_letter(area[3])}{row}" if area[3] != area[1] else "")
        return ArrayFormula(ref, _moved_formula(value.text, src, row, col0, sheet, grow))
    if not isinstance(value, str) or not value.startswith("="):
        return value
    text = value[1:]
    if src != row:
        try:
            text = translate_formula(text, (src, col0), (row, col0))
        except ValueError:
            pass  # a reference that would leave the sheet: as it was, as the user sees it now
    return "=" + (grow_fixed_ranges(text, sheet, grow) if grow else text)


def _carry(ws: Worksheet, cells: dict[int, Any], src: int, row: int, grow: Rows | None) -> None:
    """An old row's cells put in its new row: value (the caller writes its own columns over it), style,
    note and link."""
    for col, old in cells.items():
        cell: Any = ws.cell(row=row, column=col)
        cell._style = copy(old._style)
        cell._value = _moved_formula(old._value, src, row, col - 1, ws.title, grow) \
            if old.data_type == "f" else old._value
        cell.data_type = old.data_type
        if old.hyperlink is not None:
            link = copy(old.hyperlink)
            link.ref = cell.coordinate
            cell._hyperlink = link  # not the setter: it would fill a blank cell with the link's address
        if old.comment is not None:
            cell.comment = old.comment  # bound to the old cell: a copy


# --------------------------------------------------------------------------- ranges over the data


def _fit_tables(ws: Worksheet, header_row: int, last: int) -> None:
    """Each Table on the header row ends at the new last row, over its own columns (a cell right of it is
    no column of it: a ref wider than its columns is a Table Excel removes)."""
    for table in ws.tables.values():
        area = cell_area(table.ref or "")
        if area is None or area[0] != header_row:
            continue
        table.ref = f"{col_letter(area[1])}{area[0]}:{col_letter(area[3])}{last}"
        if table.autoFilter is not None:
            table.autoFilter.ref = table.ref
        if table.sortState is not None and table.sortState.ref:
            table.sortState.ref = _adjust_range(table.sortState.ref, header_row, {area[2]}, last)


def _old_ends(ws: Worksheet, header_row: int, old_last: int) -> set[int]:
    """The rows a range over the data ended at: the last data row, and each Table's on the header row."""
    ends = {old_last} if old_last > header_row else set()
    for table in ws.tables.values():
        area = cell_area(table.ref or "")
        if area is not None and area[0] == header_row:
            end = area[2] - (table.totalsRowCount or 0)
            if end > header_row:
                ends.add(end)
    return ends


def _follow_formats(ws: Worksheet, rows: Rows) -> None:
    """Conditional formats, validations and the sheet's filter moved to the new last data row, as the part
    writer moves them (``rewrite._move_tail_ranges``)."""
    header_row, old_ends, new_end = rows
    own = _own_fix(ws.title, rows)
    moved = ConditionalFormattingList()
    for cf in ws.conditional_formatting:
        where = ConditionalFormatting(sqref=_adjust_format_sqref(str(cf.sqref), *rows), pivot=cf.pivot)
        for rule in cf.rules:
            rule.formula = [own(f) for f in rule.formula or ()]
            moved.add(where, rule)
    ws.conditional_formatting = moved
    for dv in ws.data_validations.dataValidation:
        dv.sqref = MultiCellRange(_adjust_format_sqref(str(dv.sqref), *rows))
        dv.formula1, dv.formula2 = (own(f) if f else f for f in (dv.formula1, dv.formula2))
    if ws.auto_filter.ref:
        ws.auto_filter.ref = _adjust_range(ws.auto_filter.ref, header_row, old_ends or {header_row}, new_end)
    if ws.print_area:  # 'T&A'!$A$1:$M$90, as openpyxl gives it
        ws.print_area = adjust_sheet_refs(ws.print_area, ws.title, rows)


def _own_fix(sheet: str, rows: Rows) -> Callable[[str], str]:
    """A formula of the sheet itself with its ranges over the data run to the new last row."""
    return lambda f: _own_ranges(f, sheet, lambda rng: _adjust_range(rng, *rows))


def _follow_names(wb: Workbook, sheet: str, rows: Rows) -> None:
    """Defined names (the workbook's and each sheet's own) and formulas elsewhere over the sheet's data run
    to its new last data row; its own formulas above the data too (a title's ``COUNTIF(K3:K500,...)``)."""
    names = [*wb.defined_names.values(), *(n for ws in wb.worksheets for n in ws.defined_names.values())]
    for name in names:
        if name.attr_text:
            name.attr_text = adjust_sheet_refs(name.attr_text, sheet, rows)
    own = _own_fix(sheet, rows)
    for ws in wb.worksheets:
        cells: dict[tuple[int, int], Any] = ws._cells
        for (r, _c), cell in cells.items():
            if cell.data_type != "f" or not isinstance(cell._value, str):
                continue
            if ws.title != sheet:
                cell._value = adjust_sheet_refs(cell._value, sheet, rows)
            elif r <= rows[0]:
                cell._value = own(cell._value)


# --------------------------------------------------------------------------- the rewrite


def _rewrite(wb: Workbook, rw: SheetRewrite) -> None:
    if rw.sheet not in wb.sheetnames:
        ws = wb.create_sheet(rw.sheet)
        for c, header in enumerate(rw.create_headers or ()):
            ws.cell(row=1, column=c + 1, value=header)
    ws = wb[rw.sheet]
    for merged in [m for m in ws.merged_cells.ranges if m.max_row > rw.header_row]:
        ws.unmerge_cells(str(merged))
    old = _take_rows(ws, rw.header_row)
    heights = _take_heights(ws, rw.header_row)
    last = rw.header_row + max(len(rw.rows), 1)
    rows: Rows = (rw.header_row, _old_ends(ws, rw.header_row, max(old, default=rw.header_row)), last)
    grow = rows if rows[1] and last not in rows[1] else None
    first_new = rw.append_at if rw.append_at is not None else _last_header(ws, rw.header_row) + 1
    for i, header in enumerate(rw.append_headers):
        ws.cell(row=rw.header_row, column=first_new + i + 1, value=header)  # over its data's column
    sources = rw.source_rows or (None,) * len(rw.rows)
    for i, (values, src) in enumerate(zip(rw.rows, sources)):
        row = rw.header_row + 1 + i
        if src is not None and src in old:
            _carry(ws, old[src], src, row, grow)
        if src is not None and src in heights:
            dim = copy(heights[src])
            dim.index = row
            ws.row_dimensions[row] = dim
        for c, value in zip(rw.columns, values):
            _put(ws, row, c, value)
    _fit_tables(ws, rw.header_row, last)
    _follow_formats(ws, rows)
    _follow_names(wb, rw.sheet, rows)


def _rules_now(ws: Worksheet, place: RulePlace) -> bool:
    """The colour rules an earlier prodbook wrote on the sheet given the current formula, in place (cells,
    order and colours kept); whether any was. Only a formula rule with one formula can be prodbook's."""
    found: list[FoundRule] = []
    held: list[Any] = []
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            one = rule.type == "expression" and len(rule.formula or ()) == 1
            found.append(FoundRule(str(cf.sqref), rule.formula[0] if one else None))
            held.append(rule)
    plan = rules_to_update(place, found)
    for i, text in plan.items():
        held[i].formula = [text]
    return bool(plan)


# --------------------------------------------------------------------------- notes' drawing (.xlsm)


_SHAPE = re.compile(rb"<(?:\w+:)?shape\b[^>]*>")
_NOTE_SHAPE = re.compile(rb"""\btype=["']#_x0000_t202["']""")
_VBA_COPIED = re.compile(r"xl/drawings/.*vmlDrawing\d\.vml")
"""The drawings openpyxl's save copies from a workbook with macros when no note of the sheet rewrites them
(``ExcelWriter._merge_vba``)."""


def _settle_legacy_drawings(wb: Workbook) -> None:
    """No sheet left naming a drawing the copy lacks (Excel would ask to repair it).

    openpyxl keeps a sheet's VML drawing (its notes' boxes, form buttons) only in a workbook with macros,
    and saves it only while the sheet has notes or under Excel's own name: a drawing of notes alone is let
    go (the save draws the notes left anew), one with buttons too is kept without the boxes of notes gone.
    """
    archive = wb.vba_archive
    for ws in wb.worksheets:
        path = ws.legacy_drawing
        if path is None:
            continue
        if archive is None or path not in archive.namelist():
            ws.legacy_drawing = None
            continue
        vml = archive.read(path)
        tree = _parsed(vml) if not all(_NOTE_SHAPE.search(tag) for tag in _SHAPE.findall(vml)) else None
        if tree is None:  # notes alone, or a drawing openpyxl's save could not read to draw them
            ws.legacy_drawing = None
        elif not any(c.comment is not None for c in ws._cells.values() if isinstance(c, Cell)):
            if _VBA_COPIED.fullmatch(path):
                wb.vba_archive = archive = _replaced(archive, path, ShapeWriter([]).write(tree))
            else:
                ws.legacy_drawing = None


def _parsed(vml: bytes) -> Any:
    """The drawing's XML tree; None for one that is not well-formed (Excel's VML may hold an unclosed <br>)."""
    try:
        return fromstring(vml)
    except (SyntaxError, ValueError):  # ParseError, defusedxml's refusals
        return None


def _replaced(archive: zipfile.ZipFile, name: str, data: str | bytes) -> zipfile.ZipFile:
    """The archive with one member's content replaced (a zip cannot overwrite one in place)."""
    out = zipfile.ZipFile(BytesIO(), "a", zipfile.ZIP_DEFLATED)
    for n in archive.namelist():
        out.writestr(n, data if n == name else archive.read(n))
    return out


_UNREADABLE: tuple[type[Exception], ...] = (
    KeyError, IndexError, ValueError, TypeError, SyntaxError,  # ParseError is a SyntaxError
    AttributeError,  # a link over a range of cells (openpyxl binds a link to one cell)
    NotImplementedError, RuntimeError, *DAMAGED_ZIP)  # the last ones: its zip
"""What openpyxl's load raises for a file it cannot read."""


class Unreadable(Exception):
    """The file is one openpyxl cannot read either (damaged): the copy way is closed too."""


def write_copy(src: Any, dst: Path, rewrites: Sequence[SheetRewrite], edits: Sequence[AnyEdit], *,
               keep_vba: bool | None = None, names: Mapping[str, str] | None = None,
               rule_places: Mapping[str, RulePlace] | None = None, recoloured: dict[str, str] | None = None) -> None:
    """Apply the staged changes with openpyxl, saving to ``dst`` (``src``: a path or an open file);
    ``names``: workbook-level defined names to set, hidden when new. ``rule_places``: by sheet, where its
    colour rules read as the caller read it: on a sheet rewritten or edited, the rules an earlier prodbook
    wrote are brought up to date, and ``recoloured`` (when given) receives the sheet, with the sheet whose
    rules it takes ('T&A')."""
    if keep_vba is None:
        keep_vba = Path(src).suffix.lower() == ".xlsm"
    try:
        wb = openpyxl.load_workbook(src, keep_vba=keep_vba)
    except _UNREADABLE as exc:
        raise Unreadable(f"openpyxl could not read the file ({type(exc).__name__}: {exc})") from exc
    for rw in rewrites:
        _rewrite(wb, rw)
    for e in single_cells(edits):
        _put(wb[e.sheet], e.row, e.column, e.value)
    places = {sheet.lower(): place for sheet, place in (rule_places or {}).items()}
    for sheet in dict.fromkeys([*(rw.sheet for rw in rewrites), *(e.sheet for e in edits)]):
        place = places.get(sheet.lower())
        if place is not None and sheet in wb.sheetnames and _rules_now(wb[sheet], place) and recoloured is not None:
            recoloured[sheet] = place.sheet
    for name, value in (names or {}).items():
        held = next((k for k in wb.defined_names if k.lower() == name.lower()), None)
        if held is not None:
            wb.defined_names[held].attr_text = value
        else:
            wb.defined_names[name] = DefinedName(name, attr_text=value, hidden=True)
    _settle_legacy_drawings(wb)
    saved(wb)(dst)  # our own handle: a save that fails lets go of the file
