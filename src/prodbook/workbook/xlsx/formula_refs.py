"""Formulas on the team's other sheets over a sheet prodbook rewrote: a range that ran to its last data row
runs to the new one.

A dashboard's ``=COUNTIFS('T&A'!$K$2:$K$3357,"Overdue")``, made by selecting the T&A's column, means the whole
column. After a rebuild that adds rows it would count the old rows only, beside a chart and a pivot of the same
column that take in the new ones (``charts``, ``pivots``). The rule is the one the sheet's filter, formats and
defined names follow (``refs._adjust_range``): only a range from the first data row (or the header) to the old
last data row moves.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence

from prodbook.workbook.xlsx.book import _SHEET_REF_RE, _Book, _sheet_of, adjust_refs_in
from prodbook.workbook.xlsx.by_place import (
    COLOUR_RULE,
    VALIDATION_RULE,
    LinkCheck,
    MovedLink,
    RowsMoved,
    hyperlink_targets,
)
from prodbook.workbook.xlsx.package import _Package, holds
from prodbook.workbook.xlsx.refs import (
    _AREA_IN_FORMULA,
    _RANGE_RE,
    _adjust_range,
    _parse_cell,
    cell_area,
    outside_quotes,
)
from prodbook.workbook.xlsx.sheetxml import numbered_rows
from prodbook.workbook.xlsx.table_parts import table_parts
from prodbook.workbook.xlsx.xmltext import SHEET_FORMULA_TEXT, TABLE_FORMULA_TEXT, _attr, _esc, _unesc


def parts_naming(pkg: _Package, book: _Book, sheets: Collection[str], skip: Collection[str]
                 ) -> list[tuple[str, str]]:
    """(name, part) of each sheet (not ``skip``: parts this write rewrote that hold no formula) whose XML names
    one of ``sheets`` other than itself before a '!': a streamed look, one per sheet for every question asked
    of the team's formulas after a write (``grow_formula_ranges``, ``links_into_moved_rows``)."""
    out: list[tuple[str, str]] = []
    if not sheets:
        return out
    for name, _rid, part in book.sheets:
        if not part or part in skip or not pkg.exists(part):
            continue
        others = [s for s in sheets if s.lower() != name.lower()]
        if others and holds(pkg.blocks(part), _names(others), reach=256, hint=b"!", fold=True):
            out.append((name, part))
    return out


def growing(ends: Mapping[str, tuple[int, set[int], int]]) -> dict[str, tuple[int, set[int], int]]:
    """The sheets of ``ends`` whose last data row moved: ranges over them grow or shrink."""
    return {sheet: rows for sheet, rows in ends.items() if rows[1] and rows[2] not in rows[1]}


def grow_formula_ranges(pkg: _Package, moving: Mapping[str, tuple[int, set[int], int]],
                        naming: Sequence[tuple[str, str]]) -> bool:
    """Each formula on the sheets ``naming`` (``parts_naming``) with a range on another sheet of ``moving``
    (``growing``) that ran to its old last data row runs to the new one (by sheet: its header row, old last data
    rows, new last data row). A sheet rebuilt in the same write is among them when it holds formulas, for the
    other sheets it names: a T&A helper column counting the Issues of a refresh. A dashboard counting both the
    Exceptions and the Issues of a refresh has both ranges grown. Returns whether a formula changed: its cell's
    value must be worked out again when Excel opens the file."""
    grown = False
    for name, part in naming:
        for sheet, rows in moving.items():
            if sheet.lower() == name.lower():
                continue  # a sheet's own ranges grew as it was written (grow_own_ranges)
            grown = adjust_refs_in(pkg, part, SHEET_FORMULA_TEXT, sheet, rows) or grown
            for table in table_parts(pkg, part):  # the formula Excel fills into the Table's next row
                adjust_refs_in(pkg, table, TABLE_FORMULA_TEXT, sheet, rows)
    return grown


def _names(sheets: Collection[str]) -> re.Pattern[bytes]:
    """The sheets' names as a formula writes them before its '!', to match case-blind (``holds(fold=True)``);
    a name with an apostrophe is written in quotes with it doubled: 'Ana''s T&A'!A2."""
    names = b"|".join(re.escape(_esc(sheet.replace("'", "''")).encode().lower()) for sheet in sheets)
    return re.compile(b"(?:" + names + rb")'?!")


def grow_own_ranges(row_xml: str, sheet: str, rows: tuple[int, set[int], int]) -> str:
    """A row of the sheet itself outside its data (a title above the header such as ="Open: "&COUNTIF(K3:K500,
    "<>Done"), a Table's Total row below) with its formulas' ranges over the data run to the new last data
    row, the sheet named or not."""
    def fix(m: re.Match[str]) -> str:
        formula = _unesc(m.group(2))
        new = _own_ranges(formula, sheet, lambda rng: _adjust_range(rng, *rows))
        return m.group(0) if new == formula else m.group(1) + _esc(new) + m.group(3)

    return SHEET_FORMULA_TEXT.sub(fix, row_xml)


def grow_fixed_ranges(formula: str, sheet: str, rows: tuple[int, set[int], int]) -> str:
    """A formula in the sheet's own data rows (a team's helper column, ``=COUNTIF($A$2:$A$3357,A2)``) with each
    range over the data whose last row is fixed ($) run to the new last data row, the sheet named or not. A
    range ending on a relative row moves with the row that holds it instead, as a copied formula does."""
    def fixed(rng: str) -> str:
        m = _RANGE_RE.match(rng)
        return _adjust_range(rng, *rows) if m and m.group(8) and m.group(7) == "$" else rng

    return _own_ranges(formula, sheet, fixed) if "$" in formula else formula


def grow_kept_rows(region: str, sheet: str, rows: tuple[int, set[int], int], prev: int = 0, p: str = "") -> str:
    """Whole rows of the sheet kept as they are while rows are added below them (a report history), with
    their formulas grown as a rebuild grows them: a title row's ranges over the data (``grow_own_ranges``),
    a data row's fixed ones (``grow_fixed_ranges``). ``prev``: the number of the row before them, for a row
    written without its own; ``p``: the sheet's namespace prefix."""
    if not _holds_formula(region, p):  # a history of values: a substring search, not a pattern, over its rows
        return region
    header_row = rows[0]
    out: list[str] = []
    at = 0
    for num, rm in numbered_rows(region, prev):
        raw = rm.group(0)
        if not _holds_formula(raw, p):
            continue
        grown = (grow_own_ranges(raw, sheet, rows) if num <= header_row
                 else SHEET_FORMULA_TEXT.sub(lambda m: _grown_fixed(m, sheet, rows), raw))
        if grown != raw:
            out += [region[at:rm.start()], grown]
            at = rm.end()
    out.append(region[at:])
    return "".join(out)


def _holds_formula(rows_xml: str, p: str) -> bool:
    return f"<{p}f>" in rows_xml or f"<{p}f " in rows_xml


def _grown_fixed(m: re.Match[str], sheet: str, rows: tuple[int, set[int], int]) -> str:
    formula = _unesc(m.group(2))
    new = grow_fixed_ranges(formula, sheet, rows)
    return m.group(0) if new == formula else m.group(1) + _esc(new) + m.group(3)


def _own_ranges(formula: str, sheet: str, adjust: Callable[[str], str]) -> str:
    """``adjust`` on each range of ``formula`` on the sheet itself: named with it (``'T&A'!$K$2:$K$90``) or
    with no sheet named (``E2:E90``); a text in quotes is left alone."""
    def named(m: re.Match[str]) -> str:
        return m.group(1) + adjust(m.group(2)) if _sheet_of(m.group(1)).lower() == sheet.lower() else m.group(0)

    return outside_quotes(formula, lambda text: _AREA_IN_FORMULA.sub(lambda m: adjust(m.group(0)),
                                                                     _SHEET_REF_RE.sub(named, text)))


def links_into_moved_rows(pkg: _Package, book: _Book, moved: Mapping[str, RowsMoved],
                          naming: Sequence[tuple[str, str]]) -> list[MovedLink]:
    """The team's formulas (cells, colour rules and validations of the sheets ``naming``; defined names) that
    read cells of one row of a sheet ``moved`` whose row the rebuild moved or took off (``by_place.LinkCheck``).
    A rebuilt sheet's own rows are carried with their formulas, and not read again."""
    if not moved:
        return []
    check = LinkCheck(moved)
    rebuilt = {sheet.lower() for sheet in moved}
    for name, part in naming:
        if name.lower() not in rebuilt:
            text = pkg.text(part)
            cells = {_parse_cell(m.group(1)): _unesc(m.group(2)) for m in _CELL_FORMULA.finditer(text)}
            check.sheet(name, cells)
            check.rules(name, _rules(text))
            if part not in pkg.changed:  # a sheet this write rewrote holds prodbook's own links, to the new rows
                check.jumps(name, _jumps(text, cells))
    if holds(pkg.blocks(book.part), _names(moved), reach=256, hint=b"!", fold=True):
        check.names((_unesc(m.group(1)), _unesc(m.group(2))) for m in _DEFINED_NAME.finditer(pkg.text(book.part)))
    return check.found


_CELL_FORMULA = re.compile(r'<(?:\w+:)?c\s[^>]*?\br="([A-Za-z]{1,3}\d+)"[^>]*>\s*'
                           r'<(?:\w+:)?f\b(?![^>]*\bt="shared")[^>]*>([^<]+)<')
"""A cell's own formula with its cell. A formula Excel shares down a column (filled down: ='T&A'!A2 to A900,
a sheet mirroring the T&A row by row) reads by place on purpose, and is left."""
_RULE = re.compile(r"<(?:\w+:)?(conditionalFormatting|dataValidation)\b([^>]*)(?<!/)>(.*?)</(?:\w+:)?\1>", re.S)
"""A colour rule's block (its rules) or a validation, in the sheet's own form or Excel 2010's (``x14:``, where
Excel keeps those that read another sheet), with what is inside."""
_RULE_CELLS = re.compile(r'\bsqref="([^"]*)"|<(?:\w+:)?sqref>([^<]*)<')
_RULE_NAMES = {"conditionalFormatting": COLOUR_RULE, "dataValidation": VALIDATION_RULE}


def _rules(xml: str) -> list[tuple[str, str, str]]:
    """The sheet's colour rules' and validations' formulas: (what the rule is, the cells it applies to,
    the formula)."""
    out = []
    for m in _RULE.finditer(xml):
        cells = _RULE_CELLS.search(m.group(2)) or _RULE_CELLS.search(m.group(3))
        if cells is not None:
            out += [(_RULE_NAMES[m.group(1)], cells.group(1) or cells.group(2), _unesc(f.group(2)))
                    for f in SHEET_FORMULA_TEXT.finditer(m.group(3)) if f.group(2)]
    return out


_LINK = re.compile(r'<(?:\w+:)?hyperlink\b([^>]*)>')


def _jumps(xml: str, cells: Mapping[tuple[int, int], str]) -> list[tuple[int, int, str]]:
    """The sheet's links to a cell, (row, 0-based column, where it goes): Insert > Link's (``<hyperlink
    location=...>``), and ``HYPERLINK("#...")``'s in ``cells``."""
    out = [(r, c, target) for (r, c), formula in cells.items() for target in hyperlink_targets(formula)]
    for m in _LINK.finditer(xml):
        area, place = cell_area(_attr(m.group(1), "ref") or ""), _attr(m.group(1), "location")
        if area is not None and place is not None:
            out.append((area[0], area[1], _unesc(place)))
    return out


_DEFINED_NAME = re.compile(r'<(?:\w+:)?definedName\b[^>]*?\bname="([^"]*)"[^>]*>([^<]*)<')
