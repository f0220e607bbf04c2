"""A whole vendor file: which sheets are WIP reports, the date order its vendor writes, each sheet's rows read,
dated and matched (``import_file``); what each vendor reported last (``vendor_past``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from prodbook.core import headers
from prodbook.core.cells import (
    CellError,
    DateOrder,
    column_letter,
    order_shown,
    parse_text_date,
    reads_both_ways,
    text_or_empty,
    written_both_ways,
)
from prodbook.core.config import Config
from prodbook.core.findings import Code, Finding, Severity, error, info, warning
from prodbook.core.keys import fold_ref, fold_text
from prodbook.core.model.sheets import VENDOR_WIP, Kind, normalise_header
from prodbook.core.wip.layout import (
    HEADER_SCAN_ROWS,
    QTY_FIELDS,
    WIP_FIELDS,
    Header,
    RawSheet,
    find_header,
    has_own_layout,
    header_findings,
    is_style_sheet,
    unit_by_orders,
    vendor_layout,
)
from prodbook.core.wip.matching import OrderIndex, OrderLine, color_match, match_row
from prodbook.core.wip.report_date import (
    FUTURE_REPORT_DAYS,
    NAME_DATE,
    NUMERIC_DATE,
    ReportDate,
    date_example,
    doubtful_report_date,
    find_report_date,
    future_report_date,
    vendor_from_name,
)
from prodbook.core.wip.rows import ParsedFile, add_size, parse_rows
from prodbook.core.wip.values import cell_text, day_or_none


def import_file(raws: Sequence[RawSheet], index: OrderIndex, vendors: Sequence[str], config: Config, *,
                today: date, past: VendorPast | None = None) -> ParsedFile:
    """Read one vendor file into matched Vendor WIP rows (tracker PO/style/colour) and findings. ``past``:
    what the run knows of the vendor beyond this file (the order its dates show elsewhere, its latest
    report on the Vendor WIP sheet)."""
    file = raws[0].file if raws else "?"
    past = past or VendorPast()
    vendor = vendor_from_name(file, vendors, config)
    sheets, hidden_reports, set_aside = _wip_sheets(raws, config, vendor)
    sheets, old_months, month_report = _latest_month(sheets, today, lambda one, h: find_report_date(
        one, h, file_date_order(one, h, config, vendor, past.hint(vendor), index)[0], today))
    parsed = sheets[0] if sheets else None
    if parsed is None and is_style_sheet(raws, config):
        return ParsedFile(file, None, vendor, None, None, findings=[info(
            Code.COLUMN_MISSING, "not a WIP report (it has style columns but no PO column): it is compared "
            "with the Styles sheet by the record check instead", file=file)])
    if parsed is None:
        return ParsedFile(file, None, vendor, None, None, findings=[_no_po_column(raws, config, vendor)])
    raw, header = parsed
    if "po" not in header.columns:  # two columns both read as PO #: nothing can be matched
        return ParsedFile(file, raw.sheet, vendor, None, header, findings=header_findings(header, file, vendor))
    order, found = file_date_order(raw, header, config, vendor, past.hint(vendor), index)
    report_at = find_report_date(raw, header, order, today)
    report = today if report_at is None else report_at.day
    if report_at is None:
        found.append(info(Code.WIP_REPORT_DATE, f"no report date found in the file's title rows or name; "
                          f"{today.isoformat()} (today) was used", file=file, sheet=file))  # assumed_date_note
    out = parse_rows(raw, header, order=order, near=report)
    if (settled := unit_by_orders(header, out.rows, index, file)) is not header:  # dozens or pieces: Orders says
        header, out = settled, parse_rows(raw, settled, order=order, near=report)
    if vendor is None:  # the vendor from the file's own Vendor column, or from its PO lines
        vendor = _single({v for r in out.rows if (v := r.get("vendor"))}) or _single(
            {m.line.vendor for r in out.rows if (m := match_row(r, index, file=file, sheet=raw.sheet,
                                                                 row=r["_row"])).line})
        if vendor and (has_own_layout(config, vendor) or config.get(f"WIP Date Order: {vendor}")
                       or past.hint(vendor)):
            return import_file(raws, index, [vendor], _with_vendor(config, file, vendor), today=today, past=past)
    if not _has_progress(header):  # a packing list or a PO list: dated today, it would hide the real report's rows
        return ParsedFile(file, raw.sheet, vendor, None, header,
                          findings=[_not_a_report(raw, header, config, vendor)])
    if report_at is not None and (ahead := future_report_date(report_at, today, order, vendor, file)):
        return ParsedFile(file, raw.sheet, vendor, report, header,
                          findings=[*header_findings(header, file, vendor), *found, ahead])
    out.vendor, out.report_date = vendor, report
    out.findings = header_findings(header, file, vendor) + found + out.findings
    out.findings += unplaced_data(raw, header, vendor, file=file)  # data columns read into no column, named
    for more, more_header in sheets[1:]:  # the file's other report sheets ('Knit', 'Woven')
        label = f"{file} > sheet '{more.sheet}'"
        if not _has_progress(more_header):
            out.findings.append(replace(_not_a_report(more, more_header, config, vendor), sheet=label))
            continue
        more_order, more_found = file_date_order(more, more_header, config, vendor, past.hint(vendor), index)
        own = find_report_date(more, more_header, more_order, today)
        if own is not None and own.row is not None and (ahead := future_report_date(own, today, more_order,
                                                                                      vendor, file)):
            out.findings.append(replace(ahead, sheet=label, message=ahead.message.replace(
                "the file was not imported", "this sheet was not imported")))
            continue
        dated = own.day if own is not None else report  # its own title's, if any
        if dated != report:
            more_found.append(info(Code.WIP_REPORT_DATE, f"this sheet is dated {dated.isoformat()} in its own "
                                   f"title rows, the file's first sheet {report.isoformat()}: its rows carry "
                                   "their own date", file=file, sheet=label))
        part = parse_rows(more, more_header, order=more_order, near=dated)
        out.findings += [replace(f, sheet=label) for f in (*header_findings(more_header, file, vendor),
                                                           *more_found, *part.findings)]
        out.findings += [replace(f, sheet=label) for f in unplaced_data(more, more_header, vendor, file=file)]
        out.rows += [{**r, "_sheet": label, "_report": dated} for r in part.rows]
        out.skipped_totals += part.skipped_totals
        out.total_rows |= part.total_rows
    for k, (sheet_raw, _) in enumerate(sheets):  # the first sheet's findings name the file alone
        out.findings += _hidden_rows_note(sheet_raw, out.rows, file, k > 0)
    if len(sheets) > 1:
        out.findings.append(info(Code.WIP_SHEETS, f"{len(sheets)} sheets of this file are WIP reports, each "
                                 f"imported: {', '.join(repr(r.sheet) for r, _ in sheets)}", file=file,
                                 sheet=file))
    if old_months:
        judged = (f"the latest month begun on its report date, {month_report:%d-%b-%y}," if month_report else
                  "the latest (no report date was found in the file's title rows or name),")
        out.findings.append(info(Code.WIP_SHEETS, f"this file has a sheet per month: '{raw.sheet}', {judged} was "
                                 f"imported as the report; {', '.join(repr(n) for n in old_months)} not (earlier "
                                 "months, or a month not yet begun: a sheet set up in advance). To import another "
                                 "month's figures, save that sheet as a file of its own", file=file, sheet=file,
                                 value=", ".join(map(str, old_months))))
    if set_aside:
        its = ("their names: they are", "their lines") if len(set_aside) > 1 else ("its name: it is", "its lines")
        out.findings.append(info(Code.WIP_SHEETS, f"not imported: {_set_aside_shown(set_aside)} of this file, by "
                                 f"{its[0]} not the WIP report, so {its[1]} do not replace the report's "
                                 f"figures. Read as the report: {', '.join(repr(r.sheet) for r, _ in sheets)}. "
                                 "If a sheet left out is the vendor's WIP report, rename it in the vendor's file "
                                 "and import the file again", file=file, sheet=file,
                                 value=", ".join(map(str, set_aside))))
    if skipped := hidden_reports:
        out.findings.append(info(Code.WIP_SHEETS, f"the hidden sheet{'s' if len(skipped) > 1 else ''} "
                                 f"{', '.join(repr(n) for n in skipped)} of this file look like WIP reports "
                                 "and were not imported (a vendor hides last week's data). Unhide a sheet "
                                 "in the vendor's file to import it", file=file, sheet=file))
    rows = []
    known = {fold_ref(v): v for v in vendors}
    others: dict[tuple[str, str], list[int]] = {}  # (this report's vendor, the style's vendor) -> rows
    uncoloured: list[dict[str, Any]] = []  # rows of a multi-colour PO in a file with no colour column read
    for r in out.rows:
        m = match_row(r, index, file=file, sheet=raw.sheet, row=r["_row"])
        if m.line is None and "color" not in header.columns and "_sheet" not in r and \
                m.finding is not None and m.finding.code is Code.WIP_AMBIGUOUS:
            uncoloured.append(r)  # named once, with the column the colour is likely in, not row by row
            continue
        if m.finding and "_po_above" in r:  # the APM looks for the PO in the row, and finds it blank
            m = replace(m, finding=replace(m.finding, message=f"{m.finding.message} (this row has no PO of its "
                                           f"own: it was read as PO {r['_po_above']}, written above it)"))
        if m.finding:
            out.findings.append(replace(m.finding, sheet=r["_sheet"]) if "_sheet" in r else m.finding)
        if m.line is None:
            continue
        cell_vendor = known.get(fold_ref(r.get("vendor")))  # the row's own Vendor cell, a tracker's vendor
        row_vendor = cell_vendor or vendor or r.get("vendor") or m.line.vendor
        theirs = known.get(fold_ref(m.line.vendor))
        if theirs and row_vendor in known.values() and theirs != row_vendor:
            others.setdefault((str(row_vendor), theirs), []).append(r["_row"])
        if row_vendor is None:
            out.findings.append(warning(Code.WIP_VENDOR, "the vendor of this row is unknown (no Vendor "
                                        "column, not in the file name, no vendor on the style); imported "
                                        "without one. Name the file with the vendor code or set 'WIP Vendor: "
                                        f"{file}' on the Config sheet", file=file, sheet=file,
                                        row=r["_row"]))
        clean = {f: r.get(f) for f in WIP_FIELDS}
        clean.update(po=m.line.po, style=m.line.style, color=m.line.color, vendor=row_vendor,
                     report_date=r.get("_report", report), source_file=file, _row=r["_row"],
                     _size=r.get("_size"), _withdrawn=r.get("_withdrawn"),
                     _sheet=r.get("_sheet", file),
                     _raw=" / ".join(str(r.get(k)) for k in ("po", "style", "color") if r.get(k)))
        rows.append(clean)
    out.findings += [_other_vendor(file, ours, theirs, at, own_column="vendor" in header.columns)
                     for (ours, theirs), at in others.items()]
    if uncoloured:
        out.findings.append(_no_colour_column(raw, header, uncoloured, index, vendor))
    out.rows = _dedupe(rows, out.findings, file, raw.sheet)
    if report_at is not None and out.rows:
        po_date = max((line.po_date for r in out.rows if r["report_date"] == report
                       for line in index.by_po.get(fold_ref(r["po"]), ())
                       if line.po_date and line.style == r["style"] and line.color == r["color"]), default=None)
        doubt = doubtful_report_date(report_at, order, vendor, file, today=today,
                                     latest=past.latest.get(fold_text(vendor or "")), po_date=po_date)
        if doubt is not None and (fold_text(vendor or ""), report_at.day, fold_text(file)) in past.on_sheet:
            # read again, perhaps: not named older unless its lines change the sheet (``import_wip``)
            quiet = doubtful_report_date(report_at, order, vendor, file, today=today, latest=None, po_date=po_date)
            if quiet != doubt:
                out.older, doubt = (doubt, quiet), quiet
        if doubt is not None:
            out.findings.append(doubt)
    return out


def _no_colour_column(raw: RawSheet, header: Header, rows: Sequence[Mapping[str, Any]], index: OrderIndex,
                      vendor: str | None) -> Finding:
    """One warning for a file whose colour column was not understood ('Option', 'Farbe'), rather than 'the row
    has no colour' on every row of a multi-colour PO: the header cell whose values are the POs' colours, and
    the Config setting that maps it."""
    unread = dict(_unread_cells(raw, header))
    hits: dict[int, list[str]] = {}
    for r in rows:
        cells = raw.rows[r["_row"] - 1]
        ours = [line.color for line in index.by_po.get(fold_ref(r.get("po")), ())]
        for c in unread:
            v = cell_text(cells[c]) if c < len(cells) else ""
            if v and any(color_match(v, color) for color in ours):
                hits.setdefault(c, []).append(v)
    at = ", ".join(str(r["_row"]) for r in rows[:8]) + (f" and {len(rows) - 8:,} more" if len(rows) > 8 else "")
    head = header.first_row + 1
    who = vendor or "VENDOR"
    lost = (f"no column of the header in row {head} is read as the colour, so {len(rows)} row(s) of POs that have "
            f"several colours (rows {at}) were not imported")
    where = {"file": raw.file, "sheet": raw.file, "row": head}
    if hits:
        c = max(hits, key=lambda k: len(hits[k]))
        text = unread[c]
        shown = ", ".join(dict.fromkeys(hits[c]))[:120]
        return warning(Code.COLUMN_MISSING, f"{lost}. Column {column_letter(c)} '{text}' holds their colours "
                       f"({shown}): on the Config sheet, set 'WIP Column: {who} / Color' = {text} and import the "
                       "file again", column=text, value=text, **where)
    listed = ", ".join(f"{column_letter(c)} '{t}'" for c, t in list(unread.items())[:12]) or "none"
    return warning(Code.COLUMN_MISSING, f"{lost}. No other column holds their colours (columns not understood: "
                   f"{listed}): if one does, set 'WIP Column: {who} / Color' = its header on the Config sheet; "
                   "otherwise ask the vendor for a colour column, one row per colour", value=listed[:200],
                   **where)


def _other_vendor(file: str, ours: str, theirs: str, rows: list[int], *, own_column: bool) -> Finding:
    """Rows a report files under one vendor whose style the Styles sheet gives another: production moved
    to another factory, an agent's report, or a file named for the wrong vendor. Said once per pair."""
    where = "its Vendor column" if own_column else "the file's name (or its 'WIP Vendor:' setting)"
    shown = ", ".join(map(str, rows[:8])) + (f" and {len(rows) - 8:,} more" if len(rows) > 8 else "")
    return warning(Code.WIP_VENDOR, f"{len(rows):,} row(s) of this report are {ours}'s by {where}, but their "
                   f"style is {theirs}'s on the Styles sheet (rows {shown}); they were imported under {ours}. "
                   "Check which vendor makes them, and correct the Styles sheet or the report", file=file,
                   sheet=file, row=rows[0], value=f"{ours} / {theirs}")


def _with_vendor(config: Config, file: str, vendor: str) -> Config:
    return replace(config, extra={**config.extra, f"wip vendor: {file.lower()}": vendor})


def file_date_order(raw: RawSheet, header: Header, config: Config, vendor: str | None,
                    hint: tuple[DateOrder, str] | None = None, index: OrderIndex | None = None
                    ) -> tuple[DateOrder, list[Finding]]:
    """How this file writes 03/04/2027: the vendor's 'WIP Date Order' setting, else what its own dates show
    ('15/04/2027' can only be day first), else the reading under which its Planned XF are its PO lines'
    Ex-Factory on the Orders sheet (``index``; ``_orders_agree``), else what the vendor's dates showed
    elsewhere (``hint``: its other files of the run, its earlier reports' file names; ``vendor_past``), else
    the Date Order setting, with a warning giving a date of the file both ways. One order for the whole file:
    a DMY file read as MDY would turn 05/03 into 3 May beside a correct 15/04."""
    setting = config.get(f"WIP Date Order: {vendor}") if vendor else None
    try:
        chosen = DateOrder(str(setting).upper().replace("/", "")) if setting else None
    except ValueError:
        chosen = None
    shown: dict[DateOrder, tuple[int, str]] = {}
    unsure: tuple[int | None, str] | None = None  # the first date that reads both ways (03/04/2027)
    unsure_column: int | None = None  # its column, when it is a date column's cell
    date_columns = [c for f, c in header.columns.items() if VENDOR_WIP.column(f).kind is Kind.DATE]
    for r, cells in enumerate(raw.rows):
        title = r < header.first_row
        for c in (range(len(cells)) if title else date_columns):
            v = cells[c] if c < len(cells) else None
            if isinstance(v, str):
                for text in (NUMERIC_DATE.findall(v) if title else [v.strip()]):
                    if (o := order_shown(text)) is not None:
                        shown.setdefault(o, (r + 1, text))
                    elif unsure is None and reads_both_ways(text):
                        unsure, unsure_column = (r + 1, text), None if title else c
    if unsure is None:  # a date of the file name both ways ('WIP 03-12-2026.xlsx')
        unsure = next(((None, m[1]) for m in NAME_DATE.finditer(Path(raw.file).stem)
                       if reads_both_ways(m[1])), None)
    where = {"file": raw.file, "sheet": raw.file}
    if chosen is not None:
        other = next((o for o in shown if o is not chosen), None)
        if other is None:
            return chosen, []
        row, text = shown[other]
        return chosen, [warning(Code.WIP_DATE_ORDER, f"the Config sheet says this vendor writes dates {chosen} "
                                f"('WIP Date Order: {vendor}'), but '{text}' can only be {other}; check the "
                                "file's dates and the setting", row=row, value=text, **where)]
    if len(shown) == 2:
        return config.date_order, [written_both_ways(shown, config.date_order, where)]
    if len(shown) == 1:
        (o, (row, text)), = shown.items()
        if o is not config.date_order:
            who = vendor or "VENDOR"
            return o, [info(Code.WIP_DATE_ORDER, f"'{text}' shows this file writes dates {o}, so every date "
                            f"in it was read {o} (03/04 as {date_example(o)}). To say so once for this vendor, "
                            f"set 'WIP Date Order: {who}' = {o} on the Config sheet", row=row, value=text,
                            **where)]
        return o, []
    if unsure is None:
        return config.date_order, []
    who = vendor or "VENDOR"
    agree = _orders_agree(raw, header, index)
    best = max(agree, key=lambda k: len(agree[k]))
    other_order = _other(best)
    if len(agree[best]) > 2 * len(agree[other_order]):  # the PO lines' own dates decide, clearly
        o, (row, text, line, day) = best, agree[best][0]
        if o is config.date_order and (hint is None or hint[0] is o):
            return o, []  # the tracker's order, and the Orders sheet's dates say so
        said = (f"'{text}' reads both ways and no date of this file tells day from month; read {o} it is "
                f"{day:%d-%b-%y}, the Ex-Factory of PO {line.po} / {line.style} / {line.color} on the Orders "
                f"sheet ({len(agree[o])} of the file's Planned XF are their PO line's Ex-Factory read {o}, "
                f"{len(agree[other_order])} read {other_order}), so every date in it was read {o} (03/04 as "
                f"{date_example(o)})")
        if hint is not None and hint[0] is not o:
            said += (f", not {hint[0]} as {who}'s dates elsewhere are ({hint[1]}): its dates follow its PO lines, "
                     "not its other files")
        return o, [info(Code.WIP_DATE_ORDER, f"{said}. If that is wrong, or to say so once for this vendor, set "
                        f"'WIP Date Order: {who}' = {o} on the Config sheet", row=row, value=text, **where)]
    if hint is not None and hint[0] is not config.date_order:
        o, seen = hint
        return o, [info(Code.WIP_DATE_ORDER, f"'{unsure[1]}' reads both ways and no date of this file tells "
                        f"day from month; {who}'s dates elsewhere are {o} ({seen}), so this file's were read "
                        f"{o} (03/04 as {date_example(o)}). If that is wrong, or to say so once for this vendor, set "
                        f"'WIP Date Order: {who}' on the Config sheet", row=unsure[0], value=unsure[1], **where)]
    if hint is not None:
        return config.date_order, []  # the vendor's other files show the tracker's order
    return config.date_order, [_undecided_order(raw, header, config.date_order, who, unsure, unsure_column,
                                                agree)]


def _other(order: DateOrder) -> DateOrder:
    return DateOrder.MDY if order is DateOrder.DMY else DateOrder.DMY


def _both(text: str) -> dict[DateOrder, date | None]:
    """A date that reads both ways ('08/12/2026'), each way."""
    out: dict[DateOrder, date | None] = {}
    for o in (DateOrder.DMY, DateOrder.MDY):
        try:
            out[o] = parse_text_date(text, o)
        except CellError:
            out[o] = None
    return out


def _orders_agree(raw: RawSheet, header: Header, index: OrderIndex | None
                  ) -> dict[DateOrder, list[tuple[int, str, OrderLine, date]]]:
    """Each reading's Planned XF cells (a text that reads both ways, '08/12/2026') that are their PO line's
    Ex-Factory on the Orders sheet read that way: (row, text, the line, the day). A vendor's Planned XF is the
    PO's ex-factory date far more often than not, so the reading most of them agree with is how it writes."""
    out: dict[DateOrder, list[tuple[int, str, OrderLine, date]]] = {DateOrder.DMY: [], DateOrder.MDY: []}
    xf = header.columns.get("planned_xf")
    if index is None or xf is None or "po" not in header.columns:
        return out
    keys = {f: c for f, c in header.columns.items() if f in ("po", "style", "color")}
    for r in range(header.first_row + header.height, min(len(raw.rows), PAST_ROWS)):
        cells = raw.rows[r]
        v = cells[xf] if xf < len(cells) else None
        if not isinstance(v, str) or not reads_both_ways(v):
            continue
        days = _both(v)
        if days[DateOrder.DMY] == days[DateOrder.MDY]:
            continue  # 05/05/2027: the same day either way
        values = {f: (cell_text(cells[c]) or None) if c < len(cells) else None for f, c in keys.items()}
        if not values.get("po"):
            continue
        line = match_row(values, index, file=raw.file, sheet=raw.sheet, row=r + 1).line
        if line is None or line.ex_factory is None:
            continue
        for o, day in days.items():
            if day == line.ex_factory:
                out[o].append((r + 1, v.strip(), line, day))
    return out


def _undecided_order(raw: RawSheet, header: Header, order: DateOrder, who: str, unsure: tuple[int | None, str],
                     column: int | None, agree: Mapping[DateOrder, Sequence[Any]]) -> Finding:
    """A file whose dates all read both ways, which neither its vendor's setting, its own dates, its PO lines'
    Ex-Factory nor its vendor's other files decide: read in the tracker's Date Order, said with a cell of it
    both ways and what to do."""
    row, text = unsure
    other = _other(order)
    days = _both(text)
    if row is None:
        cell = "in the file name"
    elif column is None:
        cell = f"in row {row}"
    else:
        cell = f"in row {row}, column {column_letter(column)} '{header.texts.get(column, '')}'"
    shown = {o: f"{d:%d-%b-%y}" if d else "no date" for o, d in days.items()}
    if agree[DateOrder.DMY] or agree[DateOrder.MDY]:
        why = (f"its Planned XF are their PO line's Ex-Factory on the Orders sheet {len(agree[DateOrder.DMY])} "
               f"time(s) read DMY and {len(agree[DateOrder.MDY])} read MDY")
    else:
        why = "no Planned XF of it is its PO line's Ex-Factory on the Orders sheet either way"
    return warning(Code.WIP_DATE_ORDER, f"'{text}' {cell} reads both ways, and nothing tells day from month: no "
                   f"date of this file can only be one way, {why}, and {who}'s setting and other files say "
                   f"nothing. It was read {order} (the Config sheet's Date Order), {shown[order]}; read {other} it "
                   f"is {shown[other]}, and every date of the file with it. Check one date with {who}: if it "
                   f"writes {other} (03/04 as {date_example(other)}), set 'WIP Date Order: {who}' = {other} on the "
                   f"Config sheet and import the file again (if it writes {order}, set it = {order} to say so once); "
                   f"better, ask {who} to write dates as dd-Mmm-yy, such as 08-Dec-26, which cannot be misread",
                   row=row, value=text, file=raw.file, sheet=raw.file)


def assumed_date_note(f: Finding) -> bool:
    """The note of a file with no report date of its own (``import_file`` dated it today, an attachment its
    message's day), told by its place, not its words: the file alone, no row. Not the warning or error about
    a date found (``doubtful_report_date``, ``future_report_date``), nor a second sheet's own date (its place
    names the sheet)."""
    return (f.code is Code.WIP_REPORT_DATE and f.severity is Severity.INFO and f.row is None
            and f.sheet is not None and f.sheet == f.file)


@dataclass(frozen=True)
class VendorPast:
    """What a run knows of each vendor beyond the file in hand; keyed by ``fold_text`` of the vendor code."""

    orders: Mapping[str, tuple[DateOrder, str]] = field(default_factory=dict)
    """The order the vendor's dates showed in its other files of the run, else in its earlier reports' file
    names on the Vendor WIP sheet, with where ("'14/12/2026' in 'VNS_WIP_05-12-2026.csv'")."""
    latest: Mapping[str, date] = field(default_factory=dict)
    """The vendor's newest Report Date already on the Vendor WIP sheet."""
    on_sheet: frozenset[tuple[str, date, str]] = frozenset()
    """The reports already on the Vendor WIP sheet: (vendor, Report Date, Source File), both texts folded. A
    file read again (left in the folder a daily refresh reads) is not a report older than the vendor's latest,
    unless a line of it changes the sheet (``ParsedFile.older``)."""

    def hint(self, vendor: str | None) -> tuple[DateOrder, str] | None:
        return self.orders.get(fold_text(vendor)) if vendor else None


PAST_ROWS = 5000
"""Rows of each sheet looked at for the order a vendor's dates show (a report's dates are near its top)."""


@dataclass(frozen=True)
class RunFile:
    """A vendor file of the run, read once: a file given, or a report attached to a saved message (whose dates
    tell how its vendor writes 03/04 as much as a file's do)."""

    raws: Sequence[RawSheet]
    shown: str
    """Its name as findings give it ("Mar 3 WIP.eml > attachment 'WIP.csv'" for an attachment)."""
    vendor: str | None = None
    """Its vendor when something beside its name tells it (the sender of its message); None: from its name."""


def vendor_past(run_files: Sequence[RunFile], history: pd.DataFrame, vendors: Sequence[str],
                config: Config) -> VendorPast:
    """Each vendor's date order as its other files show it: the run's files and attached reports (their names
    and every date written in numbers in them), else the file names of its reports on the Vendor WIP sheet
    (``history``); a vendor whose dates show both orders gets none. And its latest report date on the sheet."""
    run: dict[str, dict[DateOrder, str]] = {}
    for one in run_files:
        vendor = one.vendor or (vendor_from_name(one.raws[0].file, vendors, config) if one.raws else None)
        if vendor is not None:
            for o, seen in _orders_in(one.raws, one.shown):
                run.setdefault(fold_text(vendor), {}).setdefault(o, seen)
    earlier: dict[str, dict[DateOrder, str]] = {}
    latest: dict[str, date] = {}
    on_sheet: set[tuple[str, date, str]] = set()
    wanted = ["vendor", "report_date", "source_file"]
    # A report's lines share its vendor, date and file: one look per report, not per line (a season's weekly
    # history is a million rows at 46,000 PO lines); the first of each keeps the sheet's order.
    frame = (history[wanted].drop_duplicates() if set(wanted) <= set(history.columns)
             else pd.DataFrame(columns=wanted))
    for v, d, name in zip(frame["vendor"], frame["report_date"], frame["source_file"]):
        who = fold_text(text_or_empty(v))
        if not who:
            continue
        shown = text_or_empty(name)
        if (day := day_or_none(d)) is not None:
            on_sheet.add((who, day, fold_text(shown)))
            if who not in latest or day > latest[who]:
                latest[who] = day
        for m in NAME_DATE.finditer(Path(shown).stem):
            if (named := order_shown(m[1].replace("_", "-"))) is not None:
                earlier.setdefault(who, {}).setdefault(named, f"'{m[1]}' in the name of its report '{shown}' on "
                                                          "the Vendor WIP sheet")
    orders: dict[str, tuple[DateOrder, str]] = {}
    for who in run.keys() | earlier.keys():
        shown_by = run.get(who) or earlier.get(who) or {}
        if len(shown_by) == 1:
            orders[who] = next(iter(shown_by.items()))
    return VendorPast(orders, latest, frozenset(on_sheet))


def _orders_in(raws: Sequence[RawSheet], shown: str) -> list[tuple[DateOrder, str]]:
    """The orders one file's dates show (its name, then its cells), each with its first example."""
    found: dict[DateOrder, str] = {}
    name = raws[0].file if raws else shown
    file = f"'{shown}'" if shown == name else shown  # an attachment's label quotes its own name
    for m in NAME_DATE.finditer(Path(name).stem):
        if (o := order_shown(m[1].replace("_", "-"))) is not None:
            found.setdefault(o, f"'{m[1]}' in the file name {file}" if shown == name else f"'{m[1]}' in {file}")
    for raw in raws:
        for row in raw.rows[:PAST_ROWS]:
            for v in row:
                if isinstance(v, str) and any(ch.isdigit() for ch in v):
                    for text in NUMERIC_DATE.findall(v):
                        if (o := order_shown(text)) is not None:
                            found.setdefault(o, f"'{text}' in {file}")
    return list(found.items())


def _single(values: set[Any]) -> Any:
    values.discard(None)
    return next(iter(values)) if len(values) == 1 else None


_NOT_A_REPORT_SHEET = re.compile(r"(?<![a-z])(?:shipped|dispatched|cxl|cancel(?:l?ed|l?ations?|s)?)(?![a-z])",
                                 re.I)
"""A sheet named for shipped or cancelled lines: beside the report, not a report. Its lines are not live (a ship
date is no planned ex-factory, a cancelled line no open one). 'Shipment' and 'Summary' alone are not such
words: 'Shipment Schedule', 'Shipment Status', 'Order Summary', 'WIP Summary' are common names of the report."""
_SUMMARY_SHEET = re.compile(r"(?<![a-z])summary(?![a-z])", re.I)
"""A sheet named a summary: set aside only beside a sheet at least as good a report (``_as_good``), as it
repeats the report's lines; the report itself is often so named ('WIP Summary')."""


def _set_aside_shown(sheets: Sequence[str | None]) -> str:
    """The sheets left out by ``_NOT_A_REPORT_SHEET``, each with what its name says it holds."""
    def holds(name: str) -> str:
        word = (m[0].lower() if (m := _NOT_A_REPORT_SHEET.search(name)) else "")
        return "cancelled lines" if word.startswith(("cancel", "cxl")) else "shipped lines" if word else \
            "a summary"
    return ", ".join(f"sheet '{n}' ({holds(n or '')})" for n in sheets)


def _wip_sheets(raws: Sequence[RawSheet], config: Config, vendor: str | None
                ) -> tuple[list[tuple[RawSheet, Header]], list[str | None], list[str | None]]:
    """The file's report sheets: the one whose header names the most fields first (its vendor, report date
    and date order are the file's), then every other visible sheet with a PO and a style or colour column
    (a report split by product type). Hidden sheets only when no visible sheet is a report. And the hidden
    sheets that look like reports and are left out (last week's data), to be named: each header looked for
    once. And the sheets of shipped or cancelled lines (``_NOT_A_REPORT_SHEET``), then the summaries
    (``_SUMMARY_SHEET``), left out beside another visible sheet at least as good a report (``_as_good``), to be
    named; a file whose only sheet is one, or whose other sheets name fewer fields ('Fabric' beside the report
    named 'WIP Summary'), is read."""
    lookup = vendor_layout(config, vendor)
    found = [(raw, h) for raw in raws if (h := find_header(raw.rows, lookup, raw.merged, raw.hidden_columns))]
    aside: set[int] = set()
    for word, beside in ((_NOT_A_REPORT_SHEET, None), (_SUMMARY_SHEET, _NOT_A_REPORT_SHEET)):
        named = [(raw, h) for raw, h in found if id(raw) not in aside and word.search(raw.sheet or "")]
        others = [h for raw, h in found if not raw.hidden and id(raw) not in aside
                  and not word.search(raw.sheet or "") and not (beside and beside.search(raw.sheet or ""))]
        aside |= {id(raw) for raw, h in named if any(_as_good(o, h) for o in others)}
    set_aside = [raw.sheet for raw, h in found if id(raw) in aside and _is_report(h)]
    found = [(raw, h) for raw, h in found if id(raw) not in aside]
    shown = [(raw, h) for raw, h in found if not raw.hidden] or found
    if not shown:
        return [], [], []
    best = max(shown, key=lambda rh: _named(rh[1]))  # the first of the best, as the order of the sheets
    used = [best, *((raw, h) for raw, h in shown if raw is not best[0] and _is_report(h))]
    taken = {id(raw) for raw, _ in used}
    return used, [raw.sheet for raw, h in found if raw.hidden and id(raw) not in taken and _is_report(h)], set_aside


_MONTH_SHEET = re.compile(
    r"\s*(?:wip[\s\-_]*)?(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?(?:[\s\-_'’]*(\d{4}|\d{2}))?"
    r"(?:[\s\-_]*wip)?\s*", re.I)
"""A sheet named for a month: the month's name or its usual abbreviation, as a whole word, with a year or not
('NOV', 'Sept', 'December 2026', 'DEC-26', 'WIP Nov'); never a word that begins like one ('Separates',
'Novelty', 'Marine', 'Junior', 'Decor': a vendor's product sheets, each a report)."""
_MONTH_NUMBER = {m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
                                                  "oct", "nov", "dec"))}


def _sheet_month(name: str | None, at: date) -> date | None:
    """The first day of the month a sheet is named for ('NOV', 'Dec 2026', 'DEC-26'); without a year, the
    latest start of that month up to ``at``."""
    m = _MONTH_SHEET.fullmatch(name or "")
    if m is None:
        return None
    month = _MONTH_NUMBER[m[1][:3].lower()]
    if m[2]:
        return date(int(m[2]) + (2000 if len(m[2]) == 2 else 0), month, 1)
    return date(at.year if date(at.year, month, 1) <= at else at.year - 1, month, 1)


def _latest_month(sheets: list[tuple[RawSheet, Header]], today: date,
                  dated: Callable[[RawSheet, Header], ReportDate | None]
                  ) -> tuple[list[tuple[RawSheet, Header]], list[str | None], date | None]:
    """A workbook with a sheet per month ('OCT', 'NOV', 'DEC'): the report is the sheet of the latest month
    begun on the report's date (``dated``: the latest a month sheet's title rows give, else the file name's,
    no later than ``today``: next month's sheet, set up in advance, may be titled with its first day), the
    others earlier months' figures or next month's sheet set up in advance, all zeros (named, not imported).
    With no report date, the latest month begun a week after ``today`` (by ``today`` if a title gave a later
    date). Returns the sheets to
    read, the month sheets left out and the report date they were judged by; any other set of sheets as it
    is."""
    if len(sheets) < 2 or any(_MONTH_SHEET.fullmatch(raw.sheet or "") is None for raw, _ in sheets):
        return sheets, [], None
    every = [d for raw, h in sheets if (d := dated(raw, h)) is not None]
    found = [d for d in every if d.day <= today]  # a later one is not this report's: next month's sheet's own
    titled = [d.day for d in found if d.row is not None]
    report = max(titled) if titled else (found[0].day if found else None)
    ahead = today if len(found) < len(every) else today + timedelta(days=FUTURE_REPORT_DAYS)
    at = ahead if report is None else report
    months = [m for raw, _ in sheets if (m := _sheet_month(raw.sheet, at)) is not None]
    if len(set(months)) < 2:
        return sheets, [], None
    begun = [k for k, m in enumerate(months) if m <= at] or list(range(len(sheets)))
    latest = max(begun, key=lambda k: months[k])
    return [sheets[latest]], [raw.sheet for k, (raw, _) in enumerate(sheets) if k != latest], report


def _hidden_rows_note(raw: RawSheet, rows: Sequence[Mapping[str, Any]], file: str, other: bool
                      ) -> list[Finding]:
    """The vendor's hidden rows that were read: a filter hides valid lines, a vendor hides old ones, so they
    are imported like the others and named."""
    hidden = set(raw.hidden_rows)
    label = f"{file} > sheet '{raw.sheet}'" if other else file
    read = sorted(r["_row"] for r in rows if r["_row"] - 1 in hidden and r.get("_sheet", file) == label)
    if not read:
        return []
    shown = ", ".join(map(str, read[:8])) + (f" and {len(read) - 8:,} more" if len(read) > 8 else "")
    return [info(Code.WIP_SHEETS, f"row{'s' if len(read) > 1 else ''} {shown} of this file "
                 f"{'are' if len(read) > 1 else 'is'} hidden in it (filtered, or hidden by hand) and "
                 f"{'were' if len(read) > 1 else 'was'} imported like the others; if the vendor hid "
                 "old lines, ask for a report without them", file=file, sheet=label, row=read[0])]


_PROGRESS = frozenset({*QTY_FIELDS, "fabric_status", "planned_xf", "revised_xf", "booking_status"})
"""What a WIP report tells beside PO, style and colour: quantities, progress, dates. A packing list (carton
numbers, pieces per carton) or a PO list has none of them."""


def _has_progress(header: Header) -> bool:
    """The header has a quantity, status or ex-factory column (even one in cartons, named on its own), or
    one left undecided between two columns."""
    return any(f in _PROGRESS for f in header.columns) or any(set(a.fields) & _PROGRESS for a in header.ambiguous)


def _not_a_report(raw: RawSheet, header: Header, config: Config, vendor: str | None) -> Finding:
    """A file (or sheet) with a PO column and no column a WIP report has, named so it is not looked for; with
    the header cells prodbook did not understand, and how to map them. When the team mapped this vendor's
    columns on the Config sheet, the file is meant as a report: a warning, not a note (0 lines and no word
    was the audit's finding 5)."""
    cells = ", ".join(f"'{t}'" for t in (cell_text(v) for v in raw.rows[header.first_row]) if t)[:200]
    unread = _unread_cells(raw, header)
    who = vendor or "VENDOR"
    listed = ", ".join(f"{column_letter(c)} '{t}'" for c, t in unread[:12])
    not_read = f"Columns not understood: {listed}. " if unread else ""
    where = {"file": raw.file, "sheet": raw.file, "row": header.first_row + 1, "value": cells}
    if has_own_layout(config, vendor):
        example = unread[0][1] if unread else "the vendor's header"
        return warning(Code.COLUMN_MISSING, f"not imported: the header in row {header.first_row + 1} has the PO "
                       "column you mapped on the Config sheet (or in prodbook.toml), but no column prodbook reads "
                       "as a quantity (cut, sewn, packed), an ex-factory date or a fabric or booking status, so no "
                       f"line could be read. {not_read}On the Config sheet, map each of them to its Vendor WIP "
                       f"column, e.g. 'WIP Column: {who} / Cut Qty' = {example} (the vendor's header text as it is "
                       "in the file), and import the file again", **where)
    return info(Code.COLUMN_MISSING, f"not a WIP report, so it was skipped: its header (row {header.first_row + 1}: "
                f"{cells}) has PO, style or colour columns but no quantity (cut, sewn, packed), ex-factory date "
                "or fabric or booking status (a packing list or a PO list?). If it is the vendor's WIP report, "
                f"map its columns on the Config sheet ('WIP Column: {who} / Cut Qty' = the vendor's header). "
                f"{not_read}".rstrip(), **where)


def _unread_cells(raw: RawSheet, header: Header) -> list[tuple[int, str]]:
    """The header's cells no field was read from, as (0-based column, text as the vendor wrote it: 'Cutting /
    Plan' for a two-row header)."""
    used = set(header.columns.values())
    out: dict[int, list[str]] = {}
    for r in range(header.first_row, header.data_start):
        for c, v in enumerate(raw.rows[r]):
            if c not in used and (t := cell_text(v)) and t not in out.get(c, []):
                out.setdefault(c, []).append(t)
    return [(c, " / ".join(texts)) for c, texts in sorted(out.items())]


_SERIAL_WORDS = frozenset({"s", "n", "sn", "sr", "sl", "#", "stt", "serial", "seq", "sequence", "idx", "index"})
"""Words of a serial-number header ('S/N', '#', 'Sr. No', 'STT', số thứ tự): a count of rows, not data."""
_SIZE_WORDS = frozenset({"xxs", "xs", "s", "m", "l", "xl", "xxl", "xxxl", "2xl", "3xl", "4xl", "os", "size", "sizes"})
_NUMBER_CELL = re.compile(r"[-+(]?\d[\d,. ]*\)?\s*(?:pcs?|pieces|%)?", re.I)
_DATE_CELL = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{2,4}|\d{4}年\d{1,2}月\d{1,2}日?|(?:\d{1,2}[-/ ]?)?"
                        r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?(?:[-/ ,]+\d{1,4}){0,2}", re.I)
"""A date as a vendor types it in a text cell: '15/04/2027', '2027-04-15', '15-Apr-27', 'Apr 15, 2027'."""
_DATE_FIELDS = ("planned_xf", "revised_xf")


def _cell_kind(v: Any) -> str | None:
    """'date' or 'qty' for a cell that holds one, else None (words, a code)."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (date, pd.Timestamp)):
        return "date"
    if isinstance(v, (int, float)):
        return "qty"
    text = cell_text(v)
    if _NUMBER_CELL.fullmatch(text):
        return "qty"
    return "date" if _DATE_CELL.fullmatch(text) else None


def _shown(v: Any) -> str:
    if isinstance(v, (date, pd.Timestamp)):
        return f"{v:%d-%b-%Y}"
    if isinstance(v, float) and v.is_integer():
        return f"{int(v)}"
    return cell_text(v)


def unplaced_data(raw: RawSheet, header: Header, vendor: str | None, *, file: str) -> list[Finding]:
    """The header's columns that hold dates or quantities and that prodbook read into no Vendor WIP column
    ('May' (sewing, in Vietnamese), 'Shipped Qty', 'Actual XF'), named once for the sheet with a few of their
    values and the Config setting that maps one (the audit's H4: they were dropped without a word). A warning
    when a column's words name a field the file left blank ('May' beside no Sewn Qty), a note otherwise ('Cut %',
    'Shipped Qty', 'Actual XF': the APM decides). Serial numbers, sizes, word columns, hidden columns and columns
    already named as undecided are left out."""
    po = header.columns.get("po")
    if po is None:
        return []
    named = {c.column for a in header.ambiguous for c in a.cells}
    undecided = {f for a in header.ambiguous for f in a.fields}
    rows = [row for row in raw.rows[header.data_start:] if po < len(row) and cell_text(row[po])]
    found: list[tuple[int, str, str, list[str]]] = []  # column, header text, kind, values shown
    for c, text in _unread_cells(raw, header):
        hw = set(headers.words(text.split(" / ")[-1]))
        if c in named or c in raw.hidden_columns or not hw or hw <= _SERIAL_WORDS or hw <= _SIZE_WORDS or \
                text.strip().isdigit():
            continue
        values = [row[c] for row in rows if c < len(row) and cell_text(row[c])]
        kinds = [_cell_kind(v) for v in values]
        if not values or sum(k is not None for k in kinds) < 0.8 * len(values):
            continue
        try:
            counted = [float(cell_text(v)) for v in values] == list(range(1, len(values) + 1))
        except ValueError:
            counted = False
        if counted:
            continue  # 1, 2, 3...: the rows counted, under a header prodbook does not know
        kind = "date" if kinds.count("date") > kinds.count("qty") else "qty"
        found.append((c, text, kind, list(dict.fromkeys(_shown(v) for v in values))[:3]))
    if not found:
        return []
    blank = {k: [f for f in (_DATE_FIELDS if k == "date" else QTY_FIELDS) if f not in header.columns
                 and f not in undecided] for k in ("date", "qty")}
    vietnamese = any(ord(ch) > 127 for _, t in _unread_cells(raw, replace(header, columns={})) for ch in t)
    fill = next(((text, f) for _, text, kind, _ in found for f in blank[kind]
                 if _names_field(text, f, vietnamese)), None)  # a blank field this column's words name
    who = vendor or "VENDOR"
    listed = "; ".join(f"{column_letter(c)} '{text}' ({', '.join(shown)})" for c, text, _, shown in found)
    left = [VENDOR_WIP.column(f).header for k in ("qty", "date") if any(x[2] == k for x in found) for f in blank[k]]
    blanks = f" This file leaves {' and '.join([', '.join(left[:-1]), left[-1]] if len(left) > 1 else left)} " \
        "blank on the Vendor WIP sheet." if left else ""
    if vietnamese and any(headers.words(t) == ("may",) for _, t, _, _ in found):
        blanks += (" 'May' in a Vietnamese report is the sewing output (may: to sew); prodbook does not read it "
                   "so on its own, as it is also the month.")
    c0, kind0 = found[0][1], found[0][2]
    text, f = fill or (c0, (blank[kind0] or [QTY_FIELDS[1] if kind0 == "qty" else _DATE_FIELDS[0]])[0])
    column = VENDOR_WIP.column(f).header
    example = f"'WIP Column: {who} / {column}' = {text.split(' / ')[-1]}" + ("" if fill else f" if it is the {column}")
    one = len(found) == 1
    message = (f"{'a column' if one else f'{len(found)} columns'} of this header "
               f"{'holds' if one else 'hold'} dates or quantities that {'was' if one else 'were'} read into no "
               f"Vendor WIP column: {listed}.{blanks} If {'it' if one else 'one of them'} is a Vendor WIP column, "
               f"say which on the Config sheet, e.g. {example} (the vendor's header text), and import the file "
               f"again; if {'not' if one else 'none is'}, there is nothing to do (the Vendor WIP sheet keeps only "
               "its own columns)")
    make = warning if fill else info  # a warning when the column's own words name a field the file left blank
    return [make(Code.COLUMN_MISSING, message, file=file, sheet=file, row=header.first_row + 1,
                 value=", ".join(f"'{text}'" for _, text, _, _ in found)[:200])]


def _names_field(text: str, field_name: str, vietnamese: bool) -> bool:
    """Do a header's words name this Vendor WIP field, with nothing against it ('Sewing Qty' Sewn Qty; not 'Cut
    %', 'Ctn Packed', 'Actual XF' or 'Shipped Qty')? 'May' does in a Vietnamese report (may: to sew)."""
    *group, own = text.split(" / ")
    core = headers.words(own)
    if vietnamese and core == ("may",):
        return field_name == "sewn_qty"
    vocab = next(v for v in headers.WIP_VOCABULARY if v.field == field_name)
    return headers.score(vocab, core, headers.words(" ".join(group))) > 0


def _is_report(header: Header) -> bool:
    return "po" in header.columns and ("style" in header.columns or "color" in header.columns)


def _no_po_column(raws: Sequence[RawSheet], config: Config, vendor: str | None) -> Finding:
    """No PO column: the error names the row that looks most like the header, and its cells."""
    lookup = vendor_layout(config, vendor)
    likely = max(((raw, h) for raw in raws if (h := headers.find_header(
        raw.rows, headers.WIP_VOCABULARY, (), lookup, merged=raw.merged, scan=HEADER_SCAN_ROWS,
        fold=normalise_header))), key=lambda x: len(x[1].assignment.found), default=None)
    file = raws[0].file if raws else "?"
    setting = f"'WIP Column: {vendor or 'VENDOR'} / PO #' = the vendor's header of the PO number"
    if likely is None:
        return error(Code.COLUMN_MISSING, "no header row with a PO column was found in the first rows of "
                     f"this file; map the vendor's headers on the Config sheet ({setting})", file=file)
    found = likely[1]
    cells = ", ".join(f"'{c.text}'" for c in found.cells[:12])
    return error(Code.COLUMN_MISSING, f"the header in row {found.data_start} ({cells}) has no column prodbook "
                 f"reads as the PO number, so the file was not imported; on the Config sheet, set {setting}",
                 file=file, sheet=file, row=found.data_start, value=cells[:200])


def _named(header: Header) -> int:
    return len(header.columns) + sum(len(a.fields) for a in header.ambiguous)


def _as_good(other: Header, header: Header) -> bool:
    """``other`` is at least as good a report as ``header``: it names as many fields or more (as the report
    sheet is chosen), and a quantity column if ``header`` names one."""
    def qty(h: Header) -> bool:
        return any(f in QTY_FIELDS for f in h.columns) or any(set(a.fields) & set(QTY_FIELDS) for a in h.ambiguous)
    return _named(other) >= _named(header) and (qty(other) or not qty(header))


def _dedupe(rows: list[dict[str, Any]], findings: list[Finding], file: str, sheet: str | None
            ) -> list[dict[str, Any]]:
    """One row per PO line and report: a second row for the same line is reported, not added up; rows of
    one line's sizes (the file has a Size column) are added up into the line."""
    seen: dict[tuple, int] = {}
    sizes: dict[tuple, dict[str, int]] = {}
    out: list[dict[str, Any]] = []
    for r in rows:
        key = (fold_ref(r["po"]), fold_ref(r["style"]), r["color"].upper())
        size = r.pop("_size", None)
        if size and key in sizes and fold_text(size) not in sizes[key]:
            sizes[key][fold_text(size)] = r["_row"]
            add_size(out[seen[key]], r)
            continue
        if size and key not in seen:
            sizes[key] = {fold_text(size): r["_row"]}
        if key in seen:
            first = out[seen[key]]["_row"]
            there = out[seen[key]].get("_sheet", file)
            if there != r.get("_sheet", file):  # another sheet of the file: named
                name = sheet if there == file else there.split(" > sheet ", 1)[-1].strip("'")
                first = f"{first} of sheet '{name}'"
            findings.append(warning(Code.WIP_DUPLICATE, f"PO line {r['po']} / {r['style']} / {r['color']} "
                                    f"is already reported in row {first}; this row was not imported "
                                    "(quantities are not added up). Ask the vendor which one is right",
                                    file=file, sheet=r.get("_sheet", file), row=r["_row"], value=r["_raw"]))
            continue
        seen[key] = len(out)
        out.append(r)
    for key, rows_of in sizes.items():
        if len(rows_of) > 1:
            line = out[seen[key]]
            findings.append(info(Code.WIP_SIZES, f"{len(rows_of)} size rows of PO line {line['po']} / "
                                 f"{line['style']} / {line['color']} (rows {', '.join(map(str, rows_of.values()))}) "
                                 "were added up into the line", file=file, sheet=file, row=line["_row"],
                                 value=line["_raw"]))
    return out
