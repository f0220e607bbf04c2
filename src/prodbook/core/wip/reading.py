"""A whole vendor file read, in named steps (``import_file``): its report sheets as ``sheets`` chose them, each
read under the date order ``date_order`` decided, dated, and every row matched to its PO line; what each vendor
reported last (``vendor_past``).

Its own module because it is where the steps meet: the findings about the file as a whole (the sheets left
out, the columns read into no field, the vendor of a row, a doubtful report date) are said here, once a
file. A new step of reading a file is one more call in ``import_file``."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from prodbook.core import headers
from prodbook.core.cells import DateOrder, column_letter, order_shown, text_or_empty
from prodbook.core.config import Config
from prodbook.core.findings import Code, Finding, Severity, error, info, warning
from prodbook.core.keys import fold_ref, fold_text
from prodbook.core.model.sheets import VENDOR_WIP, normalise_header
from prodbook.core.wip.date_order import file_date_order, orders_in
from prodbook.core.wip.layout import (
    HEADER_SCAN_ROWS,
    QTY_FIELDS,
    WIP_FIELDS,
    Header,
    RawSheet,
    has_own_layout,
    header_findings,
    is_style_sheet,
    no_header_found,
    unit_by_orders,
    vendor_layout,
)
from prodbook.core.wip.matching import OrderIndex, color_match, match_row, read_splits
from prodbook.core.wip.report_date import (
    NAME_DATE,
    ReportDate,
    doubtful_report_date,
    find_report_date,
    future_report_date,
    vendor_from_name,
)
from prodbook.core.wip.rows import ParsedFile, add_size, parse_rows
from prodbook.core.wip.sheets import has_progress, latest_month, set_aside_shown, wip_sheets
from prodbook.core.wip.values import cell_text, day_or_none


def import_file(raws: Sequence[RawSheet], index: OrderIndex, vendors: Sequence[str], config: Config, *,
                today: date, past: VendorPast | None = None) -> ParsedFile:
    """Read one vendor file into matched Vendor WIP rows (tracker PO/style/colour) and findings. ``past``:
    what the run knows of the vendor beyond this file (the order its dates show elsewhere, its latest
    report on the Vendor WIP sheet). The steps, in order: the report sheets chosen (``_Chosen``), the first
    read and dated (its vendor, date and date order are the file's), the others read beside it, the sheets
    left out named, every row matched to its PO line, the report date doubted."""
    file = raws[0].file if raws else "?"
    past = past or VendorPast()
    vendor = vendor_from_name(file, vendors, config)
    chosen = _Chosen.of(raws, index, config, vendor, past, today)
    if not chosen.sheets:
        return _no_report_sheet(raws, config, file, vendor)
    raw, header = chosen.sheets[0]
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
        vendor = _vendor_of_rows(out.rows, index, file, raw.sheet)
        if vendor and (has_own_layout(config, vendor) or config.get(f"WIP Date Order: {vendor}")
                       or past.hint(vendor)):
            return import_file(raws, index, [vendor], _with_vendor(config, file, vendor), today=today, past=past)
    if not has_progress(header):  # a packing list or a PO list: dated today, it would hide the real report's rows
        return ParsedFile(file, raw.sheet, vendor, None, header,
                          findings=[_not_a_report(raw, header, config, vendor)])
    if report_at is not None and (ahead := future_report_date(report_at, today, order, vendor, file)):
        return ParsedFile(file, raw.sheet, vendor, report, header,
                          findings=[*header_findings(header, file, vendor), *found, ahead])
    out.vendor, out.report_date = vendor, report
    out.findings = header_findings(header, file, vendor) + found + out.findings
    out.findings += unplaced_data(raw, header, vendor, file=file)  # data columns read into no column, named
    for more, more_header in chosen.sheets[1:]:  # the file's other report sheets ('Knit', 'Woven')
        _read_other_sheet(out, more, more_header, config, index, past, file=file, today=today, report=report)
    out.findings += chosen.notes(out.rows, file)
    _match_rows(out, raw, header, index, vendors, file=file)
    if report_at is not None and out.rows:
        _doubt_report_date(out, report_at, order, index, past, file=file, today=today)
    return out


@dataclass(frozen=True)
class _Chosen:
    """The sheets of a file read as its report, the first the one whose vendor, date and date order are the
    file's (``sheets.wip_sheets``; of a sheet per month, the latest: ``sheets.latest_month``), and the sheets
    left out, each kind named once on the Issues sheet (``notes``)."""

    sheets: list[tuple[RawSheet, Header]]
    hidden: list[str | None]
    """Hidden sheets that look like reports (last week's data)."""
    set_aside: list[str | None]
    """Sheets left out by their names beside the report (shipped or cancelled lines, a summary)."""
    old_months: list[str | None]
    """Of a sheet per month, the months not imported."""
    month_report: date | None
    """The report date the month sheets were judged by."""

    @classmethod
    def of(cls, raws: Sequence[RawSheet], index: OrderIndex, config: Config, vendor: str | None, past: VendorPast,
           today: date) -> _Chosen:
        sheets, hidden, set_aside = wip_sheets(raws, config, vendor)
        sheets, old_months, month_report = latest_month(sheets, today, lambda one, h: find_report_date(
            one, h, file_date_order(one, h, config, vendor, past.hint(vendor), index)[0], today))
        return cls(sheets, hidden, set_aside, old_months, month_report)

    def notes(self, rows: Sequence[Mapping[str, Any]], file: str) -> list[Finding]:
        """The hidden rows read, and the sheets read and left out, said once for the file."""
        out = [f for k, (sheet_raw, _) in enumerate(self.sheets)  # the first sheet's findings name the file alone
               for f in _hidden_rows_note(sheet_raw, rows, file, k > 0)]
        read = ", ".join(repr(r.sheet) for r, _ in self.sheets)
        if len(self.sheets) > 1:
            out.append(info(Code.WIP_SHEETS, f"{len(self.sheets)} sheets of this file are WIP reports, each "
                            f"imported: {read}", file=file, sheet=file))
        if self.old_months:
            judged = (f"the latest month begun on its report date, {self.month_report:%d-%b-%y}," if
                      self.month_report else "the latest (no report date was found in the file's title rows or "
                      "name),")
            out.append(info(Code.WIP_SHEETS, f"this file has a sheet per month: '{self.sheets[0][0].sheet}', "
                            f"{judged} was imported as the report; {', '.join(repr(n) for n in self.old_months)} "
                            "not (earlier months, or a month not yet begun: a sheet set up in advance). To import "
                            "another month's figures, save that sheet as a file of its own", file=file, sheet=file,
                            value=", ".join(map(str, self.old_months))))
        if aside := self.set_aside:
            its = ("their names: they are", "their lines") if len(aside) > 1 else ("its name: it is", "its lines")
            out.append(info(Code.WIP_SHEETS, f"not imported: {set_aside_shown(aside)} of this file, by "
                            f"{its[0]} not the WIP report, so {its[1]} do not replace the report's "
                            f"figures. Read as the report: {read}. If a sheet left out is the vendor's WIP report, "
                            "rename it in the vendor's file and import the file again", file=file, sheet=file,
                            value=", ".join(map(str, aside))))
        if skipped := self.hidden:
            out.append(info(Code.WIP_SHEETS, f"the hidden sheet{'s' if len(skipped) > 1 else ''} "
                            f"{', '.join(repr(n) for n in skipped)} of this file look like WIP reports "
                            "and were not imported (a vendor hides last week's data). Unhide a sheet "
                            "in the vendor's file to import it", file=file, sheet=file))
        return out


def _no_report_sheet(raws: Sequence[RawSheet], config: Config, file: str, vendor: str | None) -> ParsedFile:
    """A file with no sheet whose header has a PO column: a style sheet (for the record check), else the error
    naming the row most like a header."""
    if is_style_sheet(raws, config):
        return ParsedFile(file, None, vendor, None, None, findings=[info(
            Code.COLUMN_MISSING, "not a WIP report (it has style columns but no PO column): it is compared "
            "with the Styles sheet by the record check instead", file=file)])
    return ParsedFile(file, None, vendor, None, None, findings=[no_header_found(raws, config, vendor)
                                                                  or _no_po_column(raws, config, vendor)])


def _vendor_of_rows(rows: Sequence[Mapping[str, Any]], index: OrderIndex, file: str, sheet: str | None
                    ) -> str | None:
    """The one vendor of a file not named for one: its own Vendor column's, else its PO lines'."""
    return _single({v for r in rows if (v := r.get("vendor"))}) or _single(
        {m.line.vendor for r in rows if (m := match_row(r, index, file=file, sheet=sheet, row=r["_row"])).line})


def _read_other_sheet(out: ParsedFile, more: RawSheet, more_header: Header, config: Config, index: OrderIndex,
                      past: VendorPast, *, file: str, today: date, report: date) -> None:
    """Another report sheet of the file ('Knit' beside 'Woven') read into ``out``: its own date order and title
    date, its rows dated so, every finding naming the sheet."""
    vendor = out.vendor
    label = f"{file} > sheet '{more.sheet}'"
    if not has_progress(more_header):
        out.findings.append(replace(_not_a_report(more, more_header, config, vendor), sheet=label))
        return
    more_order, more_found = file_date_order(more, more_header, config, vendor, past.hint(vendor), index)
    own = find_report_date(more, more_header, more_order, today)
    if own is not None and own.row is not None and (ahead := future_report_date(own, today, more_order,
                                                                                  vendor, file)):
        out.findings.append(replace(ahead, sheet=label, message=ahead.message.replace(
            "the file was not imported", "this sheet was not imported")))
        return
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


def _match_rows(out: ParsedFile, raw: RawSheet, header: Header, index: OrderIndex, vendors: Sequence[str], *,
                file: str) -> None:
    """Each row read to its PO line of the Orders sheet, as a Vendor WIP row, in ``out.rows``; a row that
    matches none is a finding, a second row of one line too (``_dedupe``)."""
    vendor, report = out.vendor, out.report_date
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
    out.rows = _dedupe(read_splits(rows, index, out.findings, file), out.findings, file, raw.sheet)


def _doubt_report_date(out: ParsedFile, report_at: ReportDate, order: DateOrder, index: OrderIndex,
                       past: VendorPast, *, file: str, today: date) -> None:
    """A report date found that may be wrong (older than the vendor's latest, before its POs were placed)
    named in ``out`` (``doubtful_report_date``); a file read again is not older (``ParsedFile.older``)."""
    vendor, report = out.vendor, out.report_date
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
            for o, seen in orders_in(one.raws, one.shown):
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




def _single(values: set[Any]) -> Any:
    values.discard(None)
    return next(iter(values)) if len(values) == 1 else None




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
