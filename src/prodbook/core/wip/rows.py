"""The rows of a vendor report under its header: each row's cells read into fields, total and subtotal rows
left out, size breakdowns added up, and what the reading changed said once."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from prodbook.core.cells import (
    CellError,
    DateOrder,
    column_letter,
    is_blank,
    is_signed_number,
    looks_like_formula,
    not_yet,
    to_text,
)
from prodbook.core.findings import Code, Finding, error, info, warning
from prodbook.core.keys import fold_ref, fold_text
from prodbook.core.model.sheets import VENDOR_WIP, Kind, normalise_header
from prodbook.core.wip.layout import QTY_FIELDS, Header, RawSheet
from prodbook.core.wip.values import WEEK_OF, cell_text, parse_qty, parse_wip_date, unit_size, week_number_day

_TOTAL = re.compile(r"^\s*(?:(?:(?:sub|grand|g|po|style|order)[\s\-.]*)?(?:total|ttl)\b(?![\-/]\w)|"
                    r"[合总總小][计計]|tổng(?:\s+cộng)?\b)", re.I)
"""'Total', 'Sub-total', 'Grand Total:', 'PO Total 4500012345', 'TTL', 'G. TOTAL', 'Sub Ttl'; Chinese 合计 / 总计 /
小计, Vietnamese 'Tổng cộng'; not 'TOTAL-4500' (a reference)."""
_UOM = re.compile(r"\s*(?:uom|u/?m|unit|units|unit of measure|qty unit|unit of qty)\.?\s*$", re.I)
"""A column saying each row's unit ('UOM': PCS, DZ)."""


@dataclass
class ParsedFile:
    """One vendor file read into rows of fields, with where each came from."""

    file: str
    sheet: str | None
    vendor: str | None
    report_date: date | None
    header: Header | None
    rows: list[dict[str, Any]] = field(default_factory=list)
    """Fields + ``_row`` (1-based row in the file) + ``_raw`` (the PO/style/colour as written)."""
    skipped_totals: int = 0
    findings: list[Finding] = field(default_factory=list)
    total_rows: set[tuple[str | None, int]] = field(default_factory=set)
    """The (sheet, 1-based row) of each total row skipped: the reader's notes on their cells say nothing."""
    older: tuple[Finding, Finding | None] | None = None
    """A report already on the Vendor WIP sheet under its vendor, date and file name (a file read again from a
    folder): its warning naming it older than the vendor's latest report, held back, and the one ``findings``
    has instead (None: no doubt left). ``import_wip`` puts the first back when a line of the file changes the
    sheet (a vendor naming every week's report alike who left an old date in the title)."""


def reader_notes(raws: Sequence[RawSheet], parsed: ParsedFile) -> list[Finding]:
    """The reader's notes on a file's cells (``RawSheet.findings``) that still say something once its rows are
    read: none on a total row's formulas saved without their results, a row the import skips (nothing to ask
    the vendor of its sums). The one filter for a file and an e-mail's attachment alike."""
    return [f for raw in raws for f in raw.findings
            if f.code is not Code.VENDOR_FORMULA or (f.sheet, f.row) not in parsed.total_rows]


def parse_rows(raw: RawSheet, header: Header, *, order: DateOrder, near: date) -> ParsedFile:
    """Data rows below the header: blanks, subtotals and notes skipped, cells normalised."""
    out = ParsedFile(raw.file, raw.sheet, None, None, header)
    where = {"file": raw.file, "sheet": raw.file}  # the APM looks for the file, not its sheet
    kinds = {f: VENDOR_WIP.column(f).kind for f in header.columns}
    shared = _shared_quantities(raw, header)
    size_column = _size_column(raw, header)
    named: set[str] = set()
    width = _header_width(raw, header)
    per = {f: header.per_unit(f) for f in QTY_FIELDS if f in header.columns}  # once, not a cell at a time
    uom = _uom_column(raw, header)
    by_unit: dict[str, int] = {}  # a UOM cell's unit other than pieces -> rows
    percent_named: set[str] = set()
    read_alone = {f.row for f in raw.findings if f.code is Code.WIP_FILE}  # the reader named these (a quote)
    group_po: Any = None
    group_style: Any = None
    no_lines: list[tuple[int, str]] = []  # (1-based row, what it is): rows under the header that are no PO line
    for r in range(header.data_start, len(raw.rows)):
        row = raw.rows[r]
        cells = {f: (row[c] if c < len(row) else None) for f, c in header.columns.items()}
        filled = [f for f, v in cells.items() if not is_blank(v)]
        if not filled:
            continue
        if (unit_cells := _units_row(row, cells)) is not None:  # 'pcs', 'dd-mmm-yy' under the header
            counted = {f: n for f, text in unit_cells.items() if f in per and per[f] == 1
                       and (n := unit_size(text)) > 1}
            per.update(counted)  # 'dz' under Order Qty: the column counts dozens, as 'Order Qty (dz)' would say
            no_lines.append((r + 1, _units_said(row, counted, header)))
            continue
        if _SIGNED.match(next((cell_text(v) for v in row if not is_blank(v)), "")) and not _a_line(cells):
            signed = ", ".join(f"'{_as_shown(v)}'" for v in row if not is_blank(v))
            if len(filled) > 1:  # one cell alone is a note line, skipped as such; across columns it was misread
                no_lines.append((r + 1, f"signatures ({signed})"))
            group_po = group_style = None
            continue
        po_text = cell_text(cells.get("po"))
        if _is_total_row(row, header) or _unlabelled_subtotal(cells, row, size_column):
            out.skipped_totals += 1
            out.total_rows.add((raw.sheet, r + 1))
            group_po = group_style = None  # a PO's total closes it: a row below without a PO is no longer its
            continue
        if raw.delimiter and r + 1 not in read_alone and (wide := _filled_width(row)) > width:
            out.findings.append(error(Code.WIP_FILE, _split_cell_message(row, wide, width, raw.delimiter),
                                      row=r + 1, value=_row_text(row), **where))
            continue
        if filled == ["po"]:  # a PO on its own line heads the colour rows under it; or a note line
            group_po = cells["po"] if _looks_like_po(cells["po"]) else None
            group_style = None
            continue
        values: dict[str, Any] = {"_row": r + 1}
        if po_text:  # a PO written once above its colours (not merged) belongs to the rows under it too
            group_po, group_style = (cells["po"], cells.get("style")) if _looks_like_po(cells["po"]) else (None, None)
        elif group_po is not None:
            cells["po"] = group_po
            values["_po_above"] = cell_text(group_po)
            if is_blank(cells.get("style")) and not is_blank(group_style) and "style" in header.columns:
                cells["style"] = group_style
            elif not is_blank(cells.get("style")):
                group_style = cells["style"]
        if size_column is not None:
            values["_size"] = cell_text(row[size_column]) if size_column < len(row) else ""
            if _SIZE_TOTAL.fullmatch(values["_size"]):  # the line's total among its sizes: not one more size
                out.skipped_totals += 1
                continue
        row_unit = _row_unit(row, uom, r, out.findings, where)
        if row_unit > 1 and uom is not None:
            by_unit[cell_text(row[uom[0]]).upper()] = by_unit.get(cell_text(row[uom[0]]).upper(), 0) + 1
        for f, raw_value in cells.items():
            unit = (per[f] if per[f] != 1 else row_unit) if f in per else 1  # the column's own unit wins
            if f == "po" and (lost := po_digits_lost(raw_value)):
                values["po"], values["_po_lost"] = None, True
                out.findings.append(warning(Code.WIP_UNMATCHED, _po_lost_message(lost, r, header.columns[f]),
                                            row=r + 1, column=header.texts.get(header.columns[f]),
                                            value=lost, **where))
                continue
            if is_blank(raw_value) or unit == 0:
                values[f] = None
                continue
            if (r, header.columns[f]) in shared:
                values[f] = None
                span, lines = shared[(r, header.columns[f])]
                if span not in named:
                    named.add(span)
                    out.findings.append(warning(
                        Code.BAD_NUMBER, f"{header.texts.get(header.columns[f])} {span} is one cell merged over "
                        f"{lines} colour lines: a quantity of them all, not of each, so it was not imported for "
                        "them. Ask the vendor for one quantity per line", row=r + 1,
                        column=header.texts.get(header.columns[f]), value=raw_value, **where))
                continue
            if f in QTY_FIELDS and (r, header.columns[f]) in raw.percent_cells and isinstance(raw_value, (int, float)):
                values[f] = None
                if f not in percent_named:  # once a column: a vendor formats a whole stage so
                    percent_named.add(f)
                    out.findings.append(warning(Code.BAD_NUMBER, _percent_message(raw_value, r, header.columns[f]),
                                                row=r + 1, column=header.texts.get(header.columns[f]),
                                                value=f"{raw_value * 100:g}%", **where))
                continue
            try:
                if f in QTY_FIELDS:
                    values[f] = parse_qty(raw_value, unit)
                elif f == "po":
                    values[f] = read_po(raw_value)
                elif kinds[f] is Kind.DATE and (numbered := week_number_day(raw_value, near)) is not None:
                    try:
                        values[f] = parse_wip_date(numbered[0], order, raw.date1904, near)  # a year far off: refused
                    except CellError as far:
                        raise CellError(f"'{cell_text(raw_value)}' is ISO week {numbered[1]} of {numbered[2]}: "
                                        f"{far}".replace(f"'{numbered[0]:%Y-%m-%d}' reads as", "ending")) from None
                    out.findings.append(_week_number_note(raw_value, numbered, raw.sheet, row=r + 1,
                                                          column=header.texts.get(header.columns[f]), **where))
                elif kinds[f] is Kind.DATE:
                    week = WEEK_OF.fullmatch(raw_value) if isinstance(raw_value, str) else None
                    try:
                        values[f] = parse_wip_date(week[1] if week else raw_value, order, raw.date1904, near)
                    except CellError:
                        if not week:
                            raise
                        values[f] = parse_wip_date(raw_value, order, raw.date1904, near)  # named as written
                    if week and values[f] is not None:
                        out.findings.append(info(
                            Code.BAD_DATE, f"'{cell_text(raw_value)}' gives a week, not a day: it was read as the "
                            f"day it names, {values[f]:%d-%b-%y}. Ask the vendor for the exact date", row=r + 1,
                            column=header.texts.get(header.columns[f]), value=raw_value, **where))
                    if values[f] is None and f == "revised_xf" and not_yet(cell_text(raw_value)):
                        values["_withdrawn"] = (raw_value, header.texts.get(header.columns[f]))
                else:
                    values[f] = to_text(raw_value)
            except CellError as exc:
                values[f] = None
                if f == "revised_xf":  # 'pending fabric', or a date it cannot read: not 'no revision'
                    values["_withdrawn"] = (raw_value, header.texts.get(header.columns[f]))
                out.findings.append(warning(
                    Code.BAD_DATE if kinds[f] is Kind.DATE else Code.BAD_NUMBER,
                    f"{exc}; the cell was left blank in the Vendor WIP sheet. Ask the vendor to correct it",
                    row=r + 1, column=header.texts.get(header.columns[f]), value=raw_value, **where))
        if "_po_above" in values and all(values.get(f) is None for f in (*QTY_FIELDS, "style", "color")):
            continue  # a note under a PO's colours (a remark or a date alone), not one more line of it
        if values.get("po") is None:
            if "_po_lost" not in values and any(values.get(f) is not None for f in (*QTY_FIELDS, "style", "color")):
                out.findings.append(warning(Code.WIP_UNMATCHED, "this row has no PO number, so it was not "
                                            "imported; ask the vendor to fill in the PO",
                                            row=r + 1, value=_row_text(row), **where))
            continue  # otherwise a note or a footer line
        for f in ("remarks", "fabric_status", "booking_status", "po", "style", "color"):
            v = values.get(f)
            if isinstance(v, str) and looks_like_formula(v) and not is_signed_number(v):
                out.findings.append(info(Code.FORMULA_TEXT, "this text starts like a formula; it is kept as "
                                         "text in the Vendor WIP sheet and never run", row=r + 1,
                                         column=header.texts.get(header.columns[f]), value=v, **where))
        out.rows.append(values)
    no_lines += _not_lines(out, header)
    if no_lines:
        no_lines.sort()
        out.findings.append(info(Code.WIP_SHEETS, _no_lines_message(no_lines), row=no_lines[0][0],
                                 value=", ".join(str(r) for r, _ in no_lines), **where))
    if by_unit and uom is not None:
        units = ", ".join(f"{n:,} row(s) in {u} (x{unit_size(u)})" for u, n in by_unit.items())
        out.findings.append(info(Code.WIP_DOZENS, f"the '{uom[1]}' column gives each row's unit: {units}; their "
                                 "quantities were read as pieces", value=uom[1], **where))
    return out


def _week_number_note(value: Any, numbered: tuple[date, int, int], tab: str | None, **where: Any) -> Finding:
    """A date cell giving an ISO week's number ('wk 48'): read as the week's last day, which the APM checks."""
    day, week, year = numbered
    on = f" (sheet '{tab}')" if tab else ""
    value = cell_text(value)
    nearest = "" if str(year) in value else f"; no year is written, so the year nearest the report date, {year}"
    return warning(Code.BAD_DATE, f"'{value}'{on} gives a week number, not a day: it was read as "
                   f"{day:%a %d-%b-%y}, the last day of ISO week {week} of {year} (Monday to Sunday), the latest "
                   f"day the vendor can mean{nearest}. Check it, and ask the vendor for the day", value=value,
                   **where)


_UNIT_WORD = re.compile(r"\s*(?:pcs?|pieces?|nos?|units?|ea|prs?|pairs?|sets?|dz|dzn|doz|dozens?|qty|date|"
                        r"[dmy]{1,4}(?:\s*[-/. ]\s*[dmy]{1,4}){2})\.?\s*", re.I)
"""A cell of a units row under the header: 'pcs', 'dz', 'dd-mmm-yy', 'mm/dd/yyyy'."""
_SIGNED = re.compile(r"\s*(?:(?:prepared|checked|approved|verified|reviewed|authori[sz]ed|compiled|issued|"
                     r"submitted|signed)\s+by\b|(?:authori[sz]ed\s+)?signatory\b|signature\b|for\s+and\s+on\s+"
                     r"behalf\b)", re.I)
"""The first cell of a signature footer under a vendor's table: 'Prepared by: Ravi', 'Authorised Signatory'."""


def _a_line(cells: Mapping[str, Any]) -> bool:
    """A row with a PO and a style or colour in their own columns: a PO line, whatever its first cell says (a
    Brand column 'Signature by Levi Strauss & Co.' before the PO), never a signature footer."""
    return _looks_like_po(cells.get("po")) and not _SIGNED.match(cell_text(cells.get("po"))) and any(
        not is_blank(v := cells.get(f)) and not _SIGNED.match(cell_text(v)) for f in ("style", "color"))


def _as_shown(value: Any) -> str:
    """A cell as the file shows it, in a note: 5,412 (not 5412.0), 02-Jan-27 (not 2027-01-02)."""
    if isinstance(value, bool):
        return cell_text(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, date):
        return f"{value:%d-%b-%y}"
    return cell_text(value)


def _units_row(row: Sequence[Any], cells: Mapping[str, Any]) -> dict[str, str] | None:
    """A row under the header giving each column's unit or date format ('pcs', 'dd-mmm-yy'), no PO line: its
    cells by field; None for any other row."""
    texts = [cell_text(v) for v in row if not is_blank(v)]
    if len(texts) < 2 or not all(_UNIT_WORD.fullmatch(t) for t in texts):  # one word alone: a note line
        return None
    return {f: cell_text(v) for f, v in cells.items() if not is_blank(v)}


def _units_said(row: Sequence[Any], counted: Mapping[str, int], header: Header) -> str:
    units = ", ".join(dict.fromkeys(f"'{cell_text(v)}'" for v in row if not is_blank(v)))
    said = f"the columns' units ({units})"
    if counted:
        said += "; " + ", ".join(f"{header.texts.get(header.columns[f])} read as counted in dozens "
                                 f"(x{n})" if n == 12 else f"{header.texts.get(header.columns[f])} read x{n:,}"
                                 for f, n in counted.items())
    return said


def _not_lines(out: ParsedFile, header: Header) -> list[tuple[int, str]]:
    """Rows read into ``out.rows`` that are no PO line, taken out of them: a remark carrying only a PO (and its
    text) whose PO the file reports on other rows, and a PO's subtotal (no colour, the PO's number repeated),
    its quantities the sum of the PO's colour rows right above or right below it. Each (row, what it is)."""
    keys = ("style", "color", *QTY_FIELDS)
    reported = {fold_ref(r["po"]) for r in out.rows if any(r.get(f) is not None for f in keys)}
    said: dict[int, str] = {}
    subtotals: set[int] = set()
    for k, r in enumerate(out.rows):
        po = fold_ref(r["po"])
        if r.get("color") is not None or r.get("_size"):
            continue
        if (r.get("remarks") and "_po_above" not in r and po in reported
                and all(v is None for f, v in r.items() if not f.startswith("_") and f not in ("po", "remarks"))):
            said[k] = f"a remark on PO {r['po']}, whose lines are on other rows: '{r['remarks']}' (read it in the file)"
            continue
        filled = [f for f in QTY_FIELDS if r.get(f) is not None]
        if not filled or not any(r[f] for f in filled):
            continue
        for side in (range(k - 1, -1, -1), range(k + 1, len(out.rows))):
            group = []
            for j in side:
                g = out.rows[j]
                if fold_ref(g["po"]) != po or g.get("color") is None or (
                        r.get("style") is not None and fold_ref(g.get("style")) != fold_ref(r["style"])):
                    break
                group.append(g)
            if group and all(r[f] == sum(g.get(f) or 0 for g in group) for f in filled):
                where = "above" if side.step < 0 else "below"
                said[k] = (f"PO {r['po']}'s subtotal, its quantities " + (f"those of its colour row {where}"
                           if len(group) == 1 else f"the sum of its {len(group)} colour rows {where}"))
                subtotals.add(r["_row"])
                break
    if not said:
        return []
    out.skipped_totals += len(subtotals)
    out.total_rows |= {(out.sheet, n) for n in subtotals}
    rows = {out.rows[k]["_row"] for k in said}
    out.findings = [f for f in out.findings if f.row not in rows]  # a subtotal's blank dates: nothing to ask
    found = [(out.rows[k]["_row"], text) for k, text in said.items()]
    out.rows = [r for k, r in enumerate(out.rows) if k not in said]
    return found


def _no_lines_message(rows: Sequence[tuple[int, str]]) -> str:
    """The one note on a file's rows under its header that are no PO line."""
    each = "; ".join(f"row {r}, {text}" for r, text in rows)
    return (f"{len(rows)} row(s) under the table's header are no PO line, so they were not imported: {each}. "
            "Nothing to do, unless one of them is a PO line: then ask the vendor to write it as one (PO, style, "
            "colour and quantities on one row)")


_PO_POINT_ZERO = re.compile(r"\s*(\d+)\.0+\s*")
"""A PO number a CSV carries as a number: '4500012345.0'."""
_SCIENTIFIC = re.compile(r"\s*(\d)(?:[.,](\d+))?\s*E\s*\+(\d{1,2})\s*", re.I)
"""Excel's display of a long number in a narrow column: '4.50001E+09'."""


def read_po(value: Any) -> str | None:
    """A PO cell's text: '4500012345.0' (a CSV written from a number column) is '4500012345', and so is
    '4.500012345E+09', whose digits are all there."""
    text = to_text(value)
    if text is None:
        return None
    if m := _PO_POINT_ZERO.fullmatch(text):
        return m[1]
    if (m := _SCIENTIFIC.fullmatch(text)) and len(m[2] or "") == int(m[3]):
        return m[1] + (m[2] or "")
    return text


def po_digits_lost(value: Any) -> str | None:
    """The text of a PO cell written as Excel shows a long number in scientific notation ('4.50001E+09'), its
    last digits gone: saved to CSV as shown, they cannot be read back, and 4,500,010,000 must not be taken for
    a PO. None for any other cell."""
    text = "" if is_blank(value) or not isinstance(value, str) else value.strip()
    m = _SCIENTIFIC.fullmatch(text)
    return text if m and len(m[2] or "") < int(m[3]) else None


def _po_lost_message(text: str, r: int, c: int) -> str:
    return (f"cell {column_letter(c)}{r + 1} holds the PO number as {text}: the vendor's Excel showed it in "
            "scientific notation (the column was too narrow) and the file was saved as shown, so its last digits "
            "are lost and the PO cannot be told; the row was not imported. Ask the vendor to format the PO "
            "column as Text (or widen it) before saving the CSV, or to send the .xlsx, and import it again")


def _percent_message(value: float, r: int, c: int) -> str:
    """A quantity cell the vendor's Excel shows as a percentage (1 as 100%): a share of the order done, which
    read as a number would be 1 piece cut where the vendor means all of them."""
    return (f"cell {column_letter(c)}{r + 1} shows {value * 100:g}%: the vendor's file formats it as a "
            "percentage, a share of the order, not a count of pieces, so it (and every cell of the column "
            "shown so) was left blank in the Vendor WIP sheet. Ask the vendor for the number of pieces")


def _shared_quantities(raw: RawSheet, header: Header) -> dict[tuple[int, int], tuple[str, int]]:
    """Quantity cells merged down over several lines (an order quantity over a PO's colours): each cell ->
    (the range, 'D6:D8', and how many lines share it). The reader copies a merged cell to every row it
    covers, which is right for a PO, a style or a date, and wrong for a number that is their sum."""
    qty_columns = {header.columns[f] for f in QTY_FIELDS if f in header.columns}
    keys = [header.columns[f] for f in ("style", "color") if f in header.columns]
    out: dict[tuple[int, int], tuple[str, int]] = {}
    for (r1, c1), (r2, c2) in raw.merged:
        if r2 <= r1 or r1 < header.data_start or c1 not in qty_columns:
            continue
        covered = range(r1, min(r2 + 1, len(raw.rows)))  # a merge down the whole column ends at the file's end
        lines = sum(1 for r in covered if any(c < len(raw.rows[r]) and not is_blank(raw.rows[r][c]) for c in keys))
        if lines > 1:
            span = f"{column_letter(c1)}{r1 + 1}:{column_letter(c2)}{r2 + 1}"
            out.update({(r, c1): (span, lines) for r in covered})
    return out


def _is_total_row(row: Sequence[Any], header: Header) -> bool:
    """A subtotal line: its first filled cell says Total. A remark 'Total fabric received' or a colour
    'Total Eclipse' further along the row is the vendor's text, not a total."""
    first = next(((c, unicodedata.normalize("NFC", cell_text(v))) for c, v in enumerate(row) if not is_blank(v)),
                 None)
    if first is None:
        return False
    if not (m := _TOTAL.match(first[1])):  # 'PO 4500012345 | | Total': a PO's total, its label in a key column
        return any(total_label(row[c]) for f in ("style", "color") if (c := header.columns.get(f, -1)) >= 0
                   and c < len(row))
    words = set(re.findall(r"[a-z]{3,}", first[1][m.end():].lower()))
    return first[0] != header.columns.get("color") or words <= _TOTAL_WORDS


def _unlabelled_subtotal(cells: Mapping[str, Any], row: Sequence[Any], size_column: int | None) -> bool:
    """A row of numbers alone under a PO's colours, with no PO, style, colour or size: the vendor's
    subtotal (often only bold), not a line."""
    if any(not is_blank(cells.get(f)) for f in ("po", "style", "color")):
        return False
    if size_column is not None and size_column < len(row) and not is_blank(row[size_column]):
        return False
    filled = [f for f, v in cells.items() if not is_blank(v)]
    return bool(filled) and all(f in QTY_FIELDS for f in filled)


def total_label(value: Any) -> bool:
    """A style or colour cell that is only a total's label ('Total', 'TTL', '合计'), not 'Total Eclipse': in a vendor's
    file, and in a key cell of the team's own tracker sheets (a 'TOTAL' typed under the PO lines)."""
    text = unicodedata.normalize("NFC", cell_text(value))
    m = _TOTAL.match(text)
    return m is not None and set(re.findall(r"[a-z]{3,}", text[m.end():].lower())) <= _TOTAL_WORDS


_SIZE_TOTAL = re.compile(r"\s*(?:(?:sub|grand)[\s\-]*)?(?:total|ttl|tot|all)\.?\s*:?\s*", re.I)
"""A size cell that holds the line's total ('TTL', 'Total', 'All'), not a size."""
_TOTAL_WORDS = frozenset({"qty", "quantity", "pcs", "pieces", "units", "for", "order", "style", "all"})


def _uom_column(raw: RawSheet, header: Header) -> tuple[int, str] | None:
    """The column saying each row's unit ('UOM'), and its header, when the header has one."""
    for r in range(header.first_row, header.data_start):
        for c, v in enumerate(raw.rows[r]):
            if c not in header.columns.values() and _UOM.fullmatch(cell_text(v)):
                return c, cell_text(v)
    return None


_PIECES = re.compile(r"\s*(?:pcs?|pieces?|ea|each|units?|prs?|pairs?|sets?|nos?)\.?\s*", re.I)


def _row_unit(row: Sequence[Any], uom: tuple[int, str] | None, r: int, findings: list[Finding],
              where: dict[str, Any]) -> int:
    """Pieces per unit of this row's quantities, as its UOM cell says: 12 for DZ, 0 (not imported, named) for
    cartons or a unit prodbook does not know; 1 without a UOM column."""
    text = cell_text(row[uom[0]]) if uom is not None and uom[0] < len(row) else ""
    if not text or _PIECES.fullmatch(text):
        return 1
    size = unit_size(text)
    if size == 1:  # a unit that is neither pieces nor one prodbook can count in pieces
        size = 0
    if size == 0:
        findings.append(warning(Code.BAD_NUMBER, f"this row counts in '{text}', not pieces, so its quantities "
                                "were not imported. Ask the vendor for pieces", row=r + 1,
                                column=uom[1] if uom else None, value=text, **where))
    return size


def _header_width(raw: RawSheet, header: Header) -> int:
    """Cells of the header row(s), as the CSV file writes them (blank ones included)."""
    return max(len(raw.rows[r]) for r in range(header.first_row, header.data_start))


def _filled_width(row: Sequence[Any]) -> int:
    """Cells of a row up to its last filled one: blank cells at its end are no column."""
    return next((c + 1 for c in range(len(row) - 1, -1, -1) if not is_blank(row[c])), 0)


_THOUSANDS_SPLIT = (re.compile(r"[-+(]?\d{1,3}"), re.compile(r"\d{3}(?:\.\d+)?\)?"))
"""Two cells that were one number before its thousands comma split it: '1' and '200' of 1,200."""


def _split_cell_message(row: Sequence[Any], wide: int, width: int, delimiter: str) -> str:
    """Why a CSV row has more cells than its header: a cell split at a delimiter it holds without quotes, so
    its later cells sit one column right (1,200 read as Order Qty 1 and Cut Qty 200). Names the likely number,
    so the APM finds it in the vendor's line."""
    seen = f"this row has {wide} cells where the header has {width}"
    shifted = "so its cells from there on are shifted one column to the right, and the row was not imported"
    if delimiter != ",":
        name = "a tab" if delimiter == "\t" else f"a '{delimiter}'"
        return (f"{seen} (likely a cell with {name} in it and no quotes around it), {shifted}. Put such cells in "
                "quotes, or save the file from Excel as .xlsx, and import it again")
    texts = [cell_text(v) for v in row]
    head, tail = _THOUSANDS_SPLIT
    split = next((f"{a},{b}" for a, b in zip(texts, texts[1:]) if head.fullmatch(a) and tail.fullmatch(b)), None)
    likely = f'here perhaps "{split}"' if split else 'such as "1,200"'
    return (f"{seen} (likely a number with a thousands comma and no quotes around it, {likely}), {shifted}. "
            'Put such numbers in quotes ("1,200"), or save the file from Excel as .xlsx, and import it again')


def _looks_like_po(value: Any) -> bool:
    return bool(re.search(r"\d{3}", cell_text(value)))


def _row_text(row: Sequence[Any]) -> str:
    return " | ".join(cell_text(v) for v in row if not is_blank(v))[:120]


def add_size(line: dict[str, Any], size: dict[str, Any]) -> None:
    """A size row's quantities added to its line; its dates and words where they differ: the line ships
    when its last size does."""
    for f in QTY_FIELDS:
        if size.get(f) is not None:
            line[f] = (line.get(f) or 0) + size[f]
    for f in ("planned_xf", "revised_xf"):
        if size.get(f) is not None and (line.get(f) is None or size[f] > line[f]):
            line[f] = size[f]
    for f in ("fabric_status", "booking_status", "remarks", "ship_mode"):
        words = [w for w in (line.get(f), size.get(f)) if w]
        if words and (len(words) == 1 or fold_text(words[1]) not in fold_text(words[0])):
            line[f] = " / ".join(words)


def _size_column(raw: RawSheet, header: Header) -> int | None:
    """The column of a file that reports each size on its own row ('Size', 'Sizes')."""
    for r in range(header.first_row, header.data_start):
        for c, v in enumerate(raw.rows[r]):
            if c not in header.texts and normalise_header(cell_text(v)) in ("size", "sizes", "sz", "sizename"):
                return c
    return None
