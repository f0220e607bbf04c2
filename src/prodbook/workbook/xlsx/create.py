"""Creating a new sheet holding an Excel Table."""

from __future__ import annotations

import posixpath
import re
from datetime import date, datetime
from typing import Any

from prodbook.core.looks import fitted_widths, resolve
from prodbook.workbook.xlsx.book import _Book
from prodbook.workbook.xlsx.model import Formula, SheetRewrite
from prodbook.workbook.xlsx.package import (
    CT_TABLE,
    CT_WORKSHEET,
    NS_MAIN,
    NS_PKG_REL,
    NS_R,
    RT_TABLE,
    RT_WORKSHEET,
    _Package,
)
from prodbook.workbook.xlsx.refs import MAX_COL, col_index, col_letter
from prodbook.workbook.xlsx.styles import _Styles
from prodbook.workbook.xlsx.xmltext import (
    _ILLEGAL_XML,
    _attr,
    _esc,
    _esc_attr,
    _ns_prefix,
    _pfx,
    _text_xml,
    _unesc,
)


def _table_name(sheet: str, taken: set[str]) -> str:
    base = re.sub(r"[^\w.]", "_", sheet)
    base = re.sub(r"_+", "_", base).strip("_") or "Table"
    if not (base[0].isalpha() or base[0] == "_"):
        base = "_" + base
    looks_like_ref = (m := re.fullmatch(r"([A-Za-z]{1,3})\d+", base)) and col_index(m.group(1)) < MAX_COL
    if looks_like_ref or re.fullmatch(r"[RrCc]\d*|[Rr]\d+[Cc]\d+", base):
        base += "_"
    base = base[:250]
    name, n = base, 2
    while name.lower() in taken:
        name = f"{base}{n}"
        n += 1
    return name


def _unique_part(pkg: _Package, pattern: str) -> str:
    n = 1
    while True:
        name = pattern.format(n)
        if not pkg.exists(name) and name not in pkg.added:
            return name
        n += 1


def _plain_cols(rw: SheetRewrite, headers: list[str]) -> str:
    """Widths from headers and a sample of values, for a sheet created without a look."""
    widths = []
    for j, header in enumerate(headers):
        w = len(header) + 3  # room for the filter button
        k = rw.columns.index(j) if j in rw.columns else None
        if k is not None:
            for row in rw.rows[:2000]:
                v = row[k]
                if v is None:
                    continue
                if isinstance(v, datetime):
                    lw = 16
                elif isinstance(v, date):
                    lw = 11
                elif isinstance(v, Formula):
                    lw = 10
                else:
                    lw = max((len(x) for x in str(v).split("\n")), default=0) + 1
                w = max(w, lw)
        widths.append(min(max(w, 8), 60))
    return "".join(f'<col min="{j + 1}" max="{j + 1}" width="{w}" customWidth="1"/>' for j, w in enumerate(widths))


def width_samples(rw: SheetRewrite, width: int) -> list[list[Any]]:
    """The values each of ``width`` columns is fitted to: the first rows written (formulas left out), as
    given, before either back end turns them into cells. Both back ends fit a new sheet's widths to them."""
    sample = rw.rows[:2000]
    columns: list[list[Any]] = []
    for j in range(width):
        k = rw.columns.index(j) if j in rw.columns else None
        columns.append([] if k is None else [None if isinstance(r[k], Formula) else r[k] for r in sample])
    return columns


def _look_parts(styles: _Styles, rw: SheetRewrite, headers: list[str]) -> tuple[str, int, str]:
    """The <cols> content, the header style and the conditional formats of a sheet created with a look.

    Widths fit the rows being written (within each column's limits); each
    column's style carries its number format (dates in the workbook's date
    format, thousands separators) and wraps long text; the colour rules cover
    the data rows, and grow with them on every later rewrite.
    """
    look = rw.look
    assert look is not None
    widths = fitted_widths(look, headers, width_samples(rw, len(headers)))
    cols = []
    for j, (h, w) in enumerate(zip(headers, widths)):
        cl = look.column(h)
        s = styles.cell_style(cl.number_format if cl else None, wrap=bool(cl and cl.wrap),
                              horizontal=cl.horizontal if cl else None, indent=cl.indent if cl else 0)
        cols.append(f'<col min="{j + 1}" max="{j + 1}" width="{w:g}" style="{s}" customWidth="1"/>')
    letters = {h: col_letter(j) for j, h in enumerate(headers)}
    blocks, priority = [], 0
    for rule in look.rules:
        formula = resolve(rule, letters, 2)
        if formula is None:
            continue
        priority += 1
        letter = letters[rule.column]
        blocks.append(f'<conditionalFormatting sqref="{letter}2:{letter}2"><cfRule type="expression" '
                      f'dxfId="{styles.dxf(rule.tone)}" priority="{priority}" stopIfTrue="1">'
                      f"<formula>{_esc(formula)}</formula></cfRule></conditionalFormatting>")
    return "".join(cols), styles.cell_style(header=True), "".join(blocks)


def _create_sheet(pkg: _Package, book: _Book, styles: _Styles, rw: SheetRewrite) -> str:
    assert rw.create_headers is not None  # only called for a sheet to create
    headers = [str(h) for h in rw.create_headers]
    if rw.header_row != 1:
        raise ValueError(f"sheet '{rw.sheet}': a new sheet has its header in row 1 (header_row must be 1)")
    if not headers:
        raise ValueError(f"sheet '{rw.sheet}': a new sheet needs at least one header")
    if len(rw.sheet) > 31 or re.search(r"[\[\]:*?/\\]", rw.sheet) or rw.sheet.startswith("'") or rw.sheet.endswith("'"):
        raise ValueError(f"'{rw.sheet}' is not a valid Excel sheet name")
    # unique, non-empty header names (a Table requires it)
    seen: set[str] = set()
    uniq = []
    for i, h in enumerate(headers):
        h = _ILLEGAL_XML.sub("", h).strip() or f"Column{i + 1}"
        base, n = h, 2
        while h.lower() in seen:
            h = f"{base}{n}"
            n += 1
        seen.add(h.lower())
        uniq.append(h)
    headers = uniq
    ncol = len(headers)
    wb_part = book.part
    sheet_part = _unique_part(pkg, "xl/worksheets/sheet{}.xml")
    table_part = _unique_part(pkg, "xl/tables/table{}.xml")

    # table id and name unique across the workbook
    taken_names: set[str] = set()
    max_id = 0
    for name in list(pkg.names) + pkg.added:
        if name.startswith("xl/tables/") and name.endswith(".xml") and pkg.exists(name):
            tm = re.search(r"<(?:\w+:)?table\b[^>]*>", pkg.text(name))
            if tm:
                tid = _attr(tm.group(0), "id")
                if tid and tid.isdigit():
                    max_id = max(max_id, int(tid))
                for an in ("name", "displayName"):
                    v = _attr(tm.group(0), an)
                    if v:
                        taken_names.add(_unesc(v).lower())
    for dn in re.findall(r'<(?:\w+:)?definedName\b[^>]*\sname="([^"]*)"', pkg.text(wb_part)):
        taken_names.add(_unesc(dn).lower())
    tname = _table_name(rw.sheet, taken_names)

    last_col = col_letter(ncol - 1)
    if rw.look is not None:
        cols, header_style, tail = _look_parts(styles, rw, headers)
    else:
        cols, header_style, tail = _plain_cols(rw, headers), styles.bold_style(), ""
    bs = f' s="{header_style}"' if header_style else ""
    hcells = "".join(
        f'<c r="{col_letter(j)}1"{bs} t="inlineStr"><is><t xml:space="preserve">{_text_xml(h)}</t></is></c>'
        for j, h in enumerate(headers)
    )
    fit = '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' if rw.look is not None else ""
    page = '<pageSetup orientation="landscape" fitToWidth="1" fitToHeight="0"/>' if rw.look is not None else ""
    sheet_xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_R}">'
        f"{fit}"
        f'<dimension ref="A1:{last_col}2"/>'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        "</sheetView></sheetViews>"
        '<sheetFormatPr defaultRowHeight="15"/>'
        f"<cols>{cols}</cols>"
        f'<sheetData><row r="1">{hcells}</row></sheetData>'
        f"{tail}"
        '<pageMargins left="0.5" right="0.5" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        f"{page}"
        '<tableParts count="1"><tablePart r:id="rId1"/></tableParts>'
        "</worksheet>"
    )
    tcols = "".join(f'<tableColumn id="{j + 1}" name="{_esc_attr(h)}"/>' for j, h in enumerate(headers))
    table_xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<table xmlns="{NS_MAIN}" id="{max_id + 1}" name="{_esc_attr(tname)}" displayName="{_esc_attr(tname)}" '
        f'ref="A1:{last_col}2" totalsRowShown="0">'
        f'<autoFilter ref="A1:{last_col}2"/>'
        f'<tableColumns count="{ncol}">{tcols}</tableColumns>'
        '<tableStyleInfo name="TableStyleMedium2" showFirstColumn="0" showLastColumn="0" '
        'showRowStripes="1" showColumnStripes="0"/>'
        "</table>"
    )
    pkg.set_text(sheet_part, sheet_xml)
    pkg.set_text(table_part, table_xml)
    pkg.set_text(
        pkg.rels_name(sheet_part),
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{NS_PKG_REL}"><Relationship Id="rId1" Type="{RT_TABLE}" '
        f'Target="../tables/{posixpath.basename(table_part)}"/></Relationships>',
    )
    pkg.add_override(sheet_part, CT_WORKSHEET)
    pkg.add_override(table_part, CT_TABLE)
    rel_target = posixpath.relpath(sheet_part, posixpath.dirname(wb_part))
    rid = pkg.add_rel(wb_part, RT_WORKSHEET, rel_target)

    # <sheet> in workbook.xml
    text = pkg.text(wb_part)
    p = _pfx(_ns_prefix(text, NS_MAIN))
    rp = _ns_prefix(text, NS_R)
    if rp is None:
        text = re.sub(r"(<(?:\w+:)?workbook\b)", lambda m: m.group(1) + f' xmlns:r="{NS_R}"', text, count=1)
        rp = "r"
    ids = [int(x) for x in re.findall(r'<(?:\w+:)?sheet\b[^>]*\ssheetId="(\d+)"', text)]
    state = ' state="hidden"' if rw.hidden else ""
    el = f'<{p}sheet name="{_esc_attr(rw.sheet)}" sheetId="{max(ids, default=0) + 1}"{state} {rp}:id="{rid}"/>'
    sheet_tags = list(re.finditer(r"<(?:\w+:)?sheet\b[^>]*?/>", text))
    names = [_unesc(_attr(m.group(0), "name") or "") for m in sheet_tags]
    if rw.after is not None and rw.after in names:
        idx = names.index(rw.after) + 1
    else:
        if rw.after is not None:
            raise ValueError(f"sheet '{rw.after}' (to put '{rw.sheet}' after) is not in the workbook")
        idx = len(names)
    if idx < len(sheet_tags):
        pos = sheet_tags[idx].start()
    else:
        pos = text.index(f"</{p}sheets>")
    text = text[:pos] + el + text[pos:]
    if idx < len(sheet_tags):
        # sheet indexes after the new one move by one
        def bump(m: re.Match) -> str:
            v = int(m.group(2))
            return f'{m.group(1)}"{v + 1 if v >= idx else v}"'

        text = re.sub(r'(\slocalSheetId=)"(\d+)"', bump, text)
        text = re.sub(r'(<(?:\w+:)?workbookView\b[^>]*\sactiveTab=)"(\d+)"', bump, text)
    pkg.set_text(wb_part, text)
    book.sheets.insert(idx, (rw.sheet, rid, sheet_part))
    return sheet_part
