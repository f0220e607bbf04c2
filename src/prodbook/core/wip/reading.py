"""A whole vendor file: which sheets are WIP reports, the date order its vendor writes, each sheet's rows read,
dated and matched (``import_file``); what each vendor reported last (``vendor_past``)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from prodbook.core import headers
from prodbook.core.cells import (
    DateOrder,
    column_letter,
    order_shown,
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
    vendor_layout,
)
from prodbook.core.wip.matching import OrderIndex, color_match, match_row
from prodbook.core.wip.report_date import (
    FUTURE_REPORT_DAYS,
    NAME_DATE,
    NUMERIC_DATE,
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
    sheets, hidden_reports = _wip_sheets(raws, config, vendor)
    sheets, old_months = _latest_month(sheets, today)
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
    order, found = file_date_order(raw, header, config, vendor, past.hint(vendor))
    report_at = find_report_date(raw, header, order, today)
    report = today if report_at is None else report_at.day
    if report_at is None:
        found.append(info(Code.WIP_REPORT_DATE, f"no report date found in the file's title rows or name; "
                          f"{today.isoformat()} (today) was used", file=file, sheet=file))  # assumed_date_note
    out = parse_rows(raw, header, order=order, near=report)
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
    for more, more_header in sheets[1:]:  # the file's other report sheets ('Knit', 'Woven')
        label = f"{file} > sheet '{more.sheet}'"
        if not _has_progress(more_header):
            out.findings.append(replace(_not_a_report(more, more_header, config, vendor), sheet=label))
            continue
        more_order, more_found = file_date_order(more, more_header, config, vendor, past.hint(vendor))
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
        out.findings.append(info(Code.WIP_SHEETS, f"this file has a sheet per month: '{raw.sheet}', the latest, "
                                 f"was imported as the report; {', '.join(repr(n) for n in old_months)} (earlier "
                                 f"month{'s' if len(old_months) > 1 else ''}) not. To import an earlier month's "
                                 "figures, save that sheet as a file of its own", file=file, sheet=file,
                                 value=", ".join(map(str, old_months))))
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
                    hint: tuple[DateOrder, str] | None = None) -> tuple[DateOrder, list[Finding]]:
    """How this file writes 03/04/2027: the vendor's 'WIP Date Order' setting, else what its own dates show
    ('15/04/2027' can only be day first), else what the vendor's dates showed elsewhere (``hint``: its other
    files of the run, its earlier reports' file names; ``vendor_past``), else the Date Order setting. One
    order for the whole file: a DMY file read as MDY would turn 05/03 into 3 May beside a correct 15/04."""
    setting = config.get(f"WIP Date Order: {vendor}") if vendor else None
    try:
        chosen = DateOrder(str(setting).upper().replace("/", "")) if setting else None
    except ValueError:
        chosen = None
    shown: dict[DateOrder, tuple[int, str]] = {}
    unsure: tuple[int | None, str] | None = None  # the first date that reads both ways (03/04/2027)
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
                        unsure = (r + 1, text)
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
    if hint is not None and unsure is not None and hint[0] is not config.date_order:
        o, seen = hint
        who = vendor or "VENDOR"
        return o, [info(Code.WIP_DATE_ORDER, f"'{unsure[1]}' reads both ways and no date of this file tells "
                        f"day from month; {who}'s dates elsewhere are {o} ({seen}), so this file's were read "
                        f"{o} (03/04 as {date_example(o)}). If that is wrong, or to say so once for this vendor, set "
                        f"'WIP Date Order: {who}' on the Config sheet", row=unsure[0], value=unsure[1], **where)]
    return config.date_order, []


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


def _wip_sheets(raws: Sequence[RawSheet], config: Config, vendor: str | None
                ) -> tuple[list[tuple[RawSheet, Header]], list[str | None]]:
    """The file's report sheets: the one whose header names the most fields first (its vendor, report date
    and date order are the file's), then every other visible sheet with a PO and a style or colour column
    (a report split by product type). Hidden sheets only when no visible sheet is a report. And the hidden
    sheets that look like reports and are left out (last week's data), to be named: each header looked for
    once."""
    lookup = vendor_layout(config, vendor)
    found = [(raw, h) for raw in raws if (h := find_header(raw.rows, lookup, raw.merged, raw.hidden_columns))]
    shown = [(raw, h) for raw, h in found if not raw.hidden] or found
    if not shown:
        return [], []
    best = max(shown, key=lambda rh: _named(rh[1]))  # the first of the best, as the order of the sheets
    used = [best, *((raw, h) for raw, h in shown if raw is not best[0] and _is_report(h))]
    taken = {id(raw) for raw, _ in used}
    return used, [raw.sheet for raw, h in found if raw.hidden and id(raw) not in taken and _is_report(h)]


_MONTH_SHEET = re.compile(r"\s*(?:wip\s*)?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
                          r"(?:[\s\-_'’]*(\d{4}|\d{2}))?\s*(?:wip)?\s*", re.I)
_MONTH_NUMBER = {m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
                                                  "oct", "nov", "dec"))}


def _sheet_month(name: str | None, today: date) -> date | None:
    """The first day of the month a sheet is named for ('NOV', 'Dec 2026', 'DEC-26'); without a year, its
    latest start up to a week after ``today``."""
    m = _MONTH_SHEET.fullmatch(name or "")
    if m is None:
        return None
    month = _MONTH_NUMBER[m[1].lower()]
    if m[2]:
        return date(int(m[2]) + (2000 if len(m[2]) == 2 else 0), month, 1)
    year = today.year if date(today.year, month, 1) <= today + timedelta(days=FUTURE_REPORT_DAYS) else today.year - 1
    return date(year, month, 1)


def _latest_month(sheets: list[tuple[RawSheet, Header]], today: date
                  ) -> tuple[list[tuple[RawSheet, Header]], list[str | None]]:
    """A workbook with a sheet per month ('NOV', 'DEC'): the latest month's sheet is the report, the earlier
    ones last month's figures (to be named, not imported). Any other set of sheets as it is."""
    months = [_sheet_month(raw.sheet, today) for raw, _ in sheets]
    if len(sheets) < 2 or None in months or len(set(months)) < 2:
        return sheets, []
    latest = max(range(len(sheets)), key=lambda k: months[k])  # type: ignore[arg-type,return-value]
    return [sheets[latest]], [raw.sheet for k, (raw, _) in enumerate(sheets) if k != latest]


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
