"""Import vendor WIP reports into the Vendor WIP sheet.

The shell around ``prodbook.core.wip``: check the files the user gave, read the
Orders, Styles and Vendors sheets, import each file, and stage the Vendor WIP
sheet with each imported (vendor, report date) replaced and every older report
kept as history.

Saved e-mail messages (.eml, .msg) are inputs too: each attachment that is a
vendor file is imported like a file, named in findings and in the Source File
column as "Mar 3 WIP.msg > attachment 'WIP 0303.xlsx'". The sender decides the
vendor when the attachment's name does not, the message's date is the report
date when the attachment has none. Attachments go to a temporary folder that
is removed before the job returns; nothing is written beside the messages.
"""

from __future__ import annotations

import contextlib
import dataclasses
import glob
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, cast

import pandas as pd

from prodbook.core import wip
from prodbook.core.cells import CellError, text_or_empty
from prodbook.core.changes import NEW_ROW, Change, log_text, row_prints
from prodbook.core.config import Config
from prodbook.core.findings import Code, Finding, UserError, error, info, warning
from prodbook.core.keys import fold_ref, fold_text, key_text, line_key
from prodbook.core.looks import date_text
from prodbook.core.model.sheets import ISSUES, ORDERS, STYLES, VENDOR_WIP, VENDORS, tracker_sheets
from prodbook.core.open_findings import code_of, decision
from prodbook.core.where import row_dicts
from prodbook.core.wip.report_date import from_the_day_sent
from prodbook.jobs.base import ACTION_NAMES, Context, Outcome, stopped_lines, valid_frame
from prodbook.workbook import mail, vendor_files
from prodbook.workbook.filebook import encrypted_office_file
from prodbook.workbook.publish import same_file
from prodbook.workbook.tables import Table
from prodbook.workbook.tracker import APPEND, Tracker

KEY = VENDOR_WIP.key


INPUT_SUFFIXES = (*vendor_files.SUFFIXES, *mail.MESSAGE_SUFFIXES)


def in_folder(path: Path) -> bool:
    """A file of a folder given for vendor files (``expand_inputs``, the Import button's WIP Folder): a report or a
    saved e-mail. Not Excel's ~$ lock file nor a hidden one, nor a .txt of sentences (a note kept beside the
    reports would be a warning every week), as a text attachment of a message is read (``_table_text``)."""
    suffix = path.suffix.lower()
    if suffix not in INPUT_SUFFIXES or path.name.startswith(("~$", ".")) or not path.is_file():
        return False
    if suffix != ".txt":
        return True
    try:
        with path.open("rb") as fh:
            return _table_text(fh.read(16_384))
    except OSError:  # said where it is read
        return True


def expand_inputs(files: tuple[Path, ...]) -> list[Path]:
    """The files given, a folder standing for the vendor files and saved messages in it. A wrong path
    stops the command."""
    out: list[Path] = []
    for path in files:
        path = Path(path)
        if path.is_dir():
            out += sorted((p for p in path.iterdir() if in_folder(p)), key=vendor_files.name_order)
            continue
        if not path.exists():
            raise UserError(f"the vendor file '{path}' does not exist; check the name and folder",
                            file=str(path))
        if path.suffix.lower() not in INPUT_SUFFIXES:
            raise UserError(f"'{path.name}' is not a vendor WIP report prodbook reads ("
                            f"{', '.join(vendor_files.SUFFIXES)}, or a saved e-mail .msg / .eml); save it from "
                            "Excel as .xlsx or .csv", file=str(path))
        out.append(path)
    return out


def subfolders(files: tuple[Path, ...]) -> list[str]:
    """The subfolders of the folders given that hold vendor files: a folder is read one level deep, so
    'vendor files' leaves its 'WIP' and 'WIP Kids', and the run says so."""
    out = []
    for path in map(Path, files):
        if path.is_dir():
            out += [f"{path.name}/{sub.name}" for sub in sorted(path.iterdir()) if sub.is_dir()
                    and not sub.name.startswith(".") and any(p.suffix.lower() in INPUT_SUFFIXES for p in sub.iterdir())]
    return out


def expand_files(files: tuple[Path, ...]) -> list[Path]:
    """The vendor files given (saved messages left out), a folder standing for the files in it."""
    return [p for p in expand_inputs(files) if not mail.is_message(p)]


def import_wip(tracker: Tracker, ctx: Context) -> Outcome:
    """Import the run's vendor files (``ctx.files``); with none, nothing to do."""
    if not ctx.files:
        return Outcome(ACTION_NAMES["wip"], checked=False)
    files = expand_inputs(ctx.files)
    orders, found_o = valid_frame(tracker, ORDERS)
    styles, found_s = valid_frame(tracker, STYLES, required=False)
    vendors, _ = valid_frame(tracker, VENDORS, required=False)
    if any(f.code is Code.SHEET_MISSING for f in found_o):
        raise UserError("the vendor WIP was not imported: the workbook has no Orders sheet to match the "
                        "vendors' rows to", file=tracker.file, sheet=tracker.sheet(ORDERS))
    index = wip.OrderIndex.from_frames(orders, styles)
    codes = [str(v) for v in vendors["vendor"].dropna()] if len(vendors) else []
    codes += sorted({str(v) for v in styles["vendor"].dropna()} - set(codes)) if len(styles) else []
    findings: list[Finding] = []
    new_rows: list[dict] = []
    held: list[wip.ParsedFile] = []  # reports on the sheet already under their date and name (``older``)
    per_file: list[str] = []
    not_read: set[str] = set()  # the files given that were not read: ``Outcome.data['unread']`` (runner.not_read)
    reports = 0  # the files given read as WIP reports (a message: one of its attachments), not a costing sheet
    senders = sender_book(vendors)
    message_of: dict[str, str] = {}  # Source File of an attachment -> its message file
    own = getattr(tracker.backend, "path", None)  # the tracker's own file, where it has one
    early: dict[Path, list[wip.RawSheet]] = {}
    messages: dict[Path, ReadMessage] = {}
    for path in files:  # all read first: a vendor's other files tell how it writes 03/04 (wip.vendor_past)
        if mail.is_message(path):
            messages[path] = read_message_reports(path, tracker.config)
        elif not (own is not None and same_file(path, own)):
            with contextlib.suppress(TrackerGiven, CellError, OSError, UnicodeError):  # named in the loop below
                early[path] = read_vendor_file(path, tracker.config, path.name)
    table = tracker.table(VENDOR_WIP, required=False)
    old = table.frame
    run_files = [wip.RunFile(raws, path.name) for path, raws in early.items()]
    run_files += [wip.RunFile(raws, mail.label(m.msg, a), attachment_vendor(m.msg, a, codes, senders, tracker.config))
                  for m in messages.values() if m.msg is not None for a, raws in m.reports]
    past = wip.vendor_past(run_files, old, codes, tracker.config)
    for path in files:
        if mail.is_message(path):
            read = messages.pop(path) if path in messages else read_message_reports(path, tracker.config)
            parsed_files, found = import_message(read, index, codes, senders, tracker.config, ctx.today, past)
            findings += found
            reports += any(p.report_date is not None or p.rows for p in parsed_files)
            for parsed in parsed_files:
                new_rows += parsed.rows
                held += [parsed] if parsed.older else []
                message_of.update((r["source_file"], path.name) for r in parsed.rows)
                per_file.append(_file_line(parsed) if parsed.report_date is not None or parsed.rows
                                else _no_lines(parsed, attached=True))
            per_file += _unread_lines(path.name, read, len(parsed_files))
            if read.msg is None or any(f.severity == "error" and f.file != path.name for f in read.findings) \
                    or any(_not_understood(p) for p in parsed_files):
                not_read.add(path.name)  # a report in it not read: the message is not read whole
            continue
        try:
            if own is not None and same_file(path, own):
                raise TrackerGiven(a_tracker((), path.name, itself=True))
            raws = early.pop(path) if path in early else read_vendor_file(path, tracker.config, path.name)
        except TrackerGiven as given:
            findings.append(given.finding)
            per_file.append(f"  {path.name}: a tracker, not a WIP report: skipped")
            continue
        except (CellError, OSError, UnicodeError) as exc:
            findings.append(error(Code.WIP_FILE, f"{exc}; the file was skipped", file=path.name))
            per_file.append(f"  {path.name}: could not be read, skipped (see the Issues sheet)")
            not_read.add(path.name)
            continue
        parsed = wip.import_file(raws, index, codes, tracker.config, today=ctx.today, past=past)
        findings += wip.reader_notes(raws, parsed)
        findings += parsed.findings
        new_rows += parsed.rows
        held += [parsed] if parsed.older else []
        reports += parsed.report_date is not None or bool(parsed.rows)
        per_file.append(_file_line(parsed) if parsed.report_date is not None or parsed.rows else _no_lines(parsed))
        if _not_understood(parsed):
            not_read.add(path.name)
    findings = [_found_in_unread(f, not_read) for f in findings]
    before = len(findings)
    new_rows = _across_files(new_rows, findings)
    per_file += [f"  {f.file}: {f.message}" for f in findings[before:] if f.severity == "info"]  # a copy: said here
    new_rows, withdrawn = wip.withdrawn_dates(new_rows, old)
    kept = {(f.file, f.row, f.column) for f in withdrawn}  # not 'left blank': the last date was kept
    findings = [f for f in findings if f.code is not Code.BAD_DATE or (f.file, f.row, f.column) not in kept]
    plan = wip.replacing(old, new_rows)
    same_day = wip.same_day_files(old, new_rows, plan)
    findings += withdrawn + same_day
    per_file += [f"  {f.file}: {f.message}" for f in same_day]
    per_file += _cancelled_reported(new_rows, orders[orders["_row"].isin(stopped_lines(tracker, orders, styles).rows)]
                                    if len(orders) else orders, "exceptions" in ctx.steps)
    findings = [_in_message(f, message_of) for f in findings]
    unread = subfolders(ctx.files)
    if unread:
        per_file.append("  subfolders not read (give them to import their reports): "
                        + ", ".join(f"'{p}'" for p in unread))

    findings += table.findings
    rows, source, added, removed, updated = wip.merge_wip(old, new_rows, plan)
    changes = _changes(tracker.sheet(VENDOR_WIP), rows, source, added, updated, old)
    changed = {c.key for c in changes}
    fresh = min(len(changed), len(new_rows))  # lines new or changed, not read as they were
    taken_off = [cast(dict[str, Any], old.iloc[pos].to_dict()) for pos in removed]
    findings = _older_if_changed(findings, held, changed, taken_off, message_of, _older_open(tracker))
    changes += tracker.removed_rows(table, taken_off)
    if new_rows or removed:
        if _only_added(table, old, source, removed, updated):  # a new week below the history: only it is written
            tracker.check_fits(table, len(rows), f"its header and {len(rows):,} rows of data")
            tracker.replace_rows(table, rows.iloc[added], list(VENDOR_WIP.fields), keep_rows=APPEND,
                                 grow_ranges=True)
        else:
            tracker.replace_rows(table, rows, list(VENDOR_WIP.fields), source if table.exists else None)
        tracker.log(changes)
    tracker.remember(VENDOR_WIP, rows.assign(_row=source))  # type: ignore[arg-type]  # pandas-stubs: no None in a list
    not_imported = sum(f.code in (Code.WIP_UNMATCHED, Code.WIP_AMBIGUOUS, Code.WIP_DUPLICATE)
                       and f.severity != "info" for f in findings)
    summary = [f"Vendor WIP: {len(new_rows):,} PO line(s) imported from {_from_files(reports, len(files))}"
               + (f"; {not_imported} row(s) not imported (see Issues)." if not_imported else ".")
               + _news(fresh, len(new_rows), len(removed)),
               *per_file]
    return Outcome(ACTION_NAMES["wip"], findings, changes, summary=summary,
                   data={"files": len(files), "imported": len(new_rows), "not_imported": not_imported,
                         **({"unread": sorted(not_read)} if not_read else {})})


def _not_understood(parsed: wip.ParsedFile) -> bool:
    """A report of which no line was read because its columns were not understood (no PO column read, two read
    as PO #, or only the PO column the team mapped: an error or warning on Issues says which)."""
    return not parsed.rows and any(f.code in (Code.COLUMN_MISSING, Code.WIP_HEADER) and f.severity != "info"
                                   for f in parsed.findings)


def _found_in_unread(f: Finding, unread: set[str]) -> Finding:
    """A finding on a file the import did not read (``unread``) names that file in Found In, as one on a file it
    read does: the run does not count it as read (``runner.checked``), so Found In would be left blank."""
    name = Path(f.file).name if f.file and not f.found_in else None
    return dataclasses.replace(f, found_in=name) if name in unread else f


def _news(fresh: int, lines: int, removed: int = 0) -> str:
    """How many of the lines read are news: a daily refresh on a folder reads last week's reports again, whose
    lines are on the Vendor WIP sheet as they are (empty when every line is new), and how many lines came off
    the sheet (a report sent again with fewer lines): never 'Nothing new' then."""
    off = (f"{removed:,} line(s) no longer in those reports were taken off the Vendor WIP sheet."
           if removed else "")
    if fresh >= lines:
        return f" {off}" if off else ""
    if fresh == 0:
        return (f" All were on the Vendor WIP sheet already, as they are; {off}" if off
                else " Nothing new: all were on the Vendor WIP sheet already, as they are.")
    return (f" {fresh:,} of them new or changed; the other {lines - fresh:,} were on the Vendor WIP sheet already, "
            f"as they are{'; ' + off if off else '.'}")


def _older_if_changed(findings: list[Finding], held: Sequence[wip.ParsedFile], changed: set[str],
                      taken_off: Sequence[Mapping[str, Any]], message_of: dict[str, str],
                      still_open: frozenset[tuple[str, str]] = frozenset()) -> list[Finding]:
    """A report on the Vendor WIP sheet already under its vendor, date and file name is named older than the
    vendor's latest report (``ParsedFile.older``) when a line of it changes the sheet: a new or changed value
    (``changed``: the Change Log keys), or a line it no longer lists taken off (``taken_off``), or while the
    Issues sheet holds that warning undecided (``still_open``: ``_older_open``), so that it does not leave the
    sheet the day after, before the APM saw it. Read again as it was (a folder the daily refresh reads), its
    warning never raised or dismissed, it is not."""
    for parsed in held:
        if parsed.older is None:
            continue
        older, instead = parsed.older
        older = _in_message(older, message_of)
        mine = {(wip.scope_key(r["vendor"], r["report_date"]), fold_text(text_or_empty(r["source_file"])))
                for r in parsed.rows}
        if not any(key_text(r[k] for k in KEY) in changed for r in parsed.rows) and not any(
                (wip.scope_key(r.get("vendor"), r.get("report_date")),
                 fold_text(text_or_empty(r.get("source_file")))) in mine for r in taken_off) and (
                older.found_in or Path(older.file or "").name, older.sheet or older.file or "") not in still_open:
            continue
        quiet = _in_message(instead, message_of) if instead is not None else None
        findings = [f for f in findings if f != quiet] + [older]
    return findings


def _older_open(tracker: Tracker) -> frozenset[tuple[str, str]]:
    """(Found In, Sheet) of the Issues rows naming a report older than its vendor's latest on the Vendor WIP
    sheet (by their code: ``open_findings.code_of``, an older prodbook's row too) that the APM has not decided
    (Accept blank): the warning stays until they have."""
    table = tracker.table(ISSUES, required=False)
    if not table.exists:
        return frozenset()
    return frozenset((text_or_empty(r.get("found_in")), text_or_empty(r.get("sheet")))
                     for r in row_dicts(table.frame)
                     if code_of(r) == Code.WIP_REPORT_OLDER and not decision(r.get("accept")))


def _from_files(reports: int, given: int) -> str:
    """Where the lines came from: the files given, or, where some of them were no WIP report (a costing sheet
    left to the record check, a tracker, a file that could not be read), the reports among them."""
    if reports == given:
        return f"{given} file(s)"
    other = given - reports
    return (f"{reports} of the {given} file(s) given ({other} {'file is' if other == 1 else 'files are'} not "
            "imported as WIP: see below)")


def a_tracker(sheets: Iterable[str | None], shown: str, itself: bool = False) -> Finding:
    """A tracker chosen where a vendor's report was asked for (the workbook itself, a colleague's, a backup): its
    Vendor WIP, T&A and Orders rows would go in as a vendor's report, of an unknown vendor, dated today."""
    what = ("this tracker itself" if itself
            else f"a production tracker (it has the sheets {', '.join(tracker_sheets(sheets))})")
    return error(Code.WIP_FILE, f"'{shown}' is {what}, not a vendor's WIP report: it was skipped, and none of its "
                 "rows went to the Vendor WIP sheet. Choose the report the vendor sent (the file, or the e-mail "
                 "it came with)", file=shown)


class TrackerGiven(Exception):
    """A tracker where a vendor's report was asked for: known by its sheets' names, before its cells are read
    (a colleague's 10,000-line tracker would take seconds to read, to be skipped)."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


def read_vendor_file(path: Path, config: Config, shown: str) -> list[wip.RawSheet]:
    """One vendor file's cells (the one reader for files and attachments). Raises ``TrackerGiven`` for a
    workbook with two or more of the sheets only trackers have (``shown``: the name the finding gives it)."""
    def look(sheets: list[str]) -> None:
        if len(tracker_sheets(sheets)) >= 2:
            raise TrackerGiven(a_tracker(sheets, shown))

    return vendor_files.read_vendor_file(path, config.limits, look=look,
                                         encoding=config.get(vendor_files.CSV_ENCODING))


def _file_line(parsed: wip.ParsedFile) -> str:
    when = parsed.report_date.isoformat() if parsed.report_date else "?"
    totals = f", {parsed.skipped_totals} total row(s) skipped" if parsed.skipped_totals else ""
    return f"  {parsed.file}: {parsed.vendor or '(vendor unknown)'}, report of {when}, {len(parsed.rows)} " \
           f"line(s){totals}"


def _unread_lines(file: str, read: ReadMessage, imported: int) -> list[str]:
    """Summary lines for what of a message was not read as reports: the message itself (damaged), each
    attached report that could not be (damaged, a tracker sent by mistake: an error on Issues), not called
    'no WIP report attached'; that line only for a message with nothing to import (``imported``: attachments
    read as reports)."""
    if read.msg is None:
        return [f"  {file}: could not be read as an e-mail message, skipped (see the Issues sheet)"]
    lines = [f"  {f.file}: not imported (see the Issues sheet)" for f in read.findings
             if f.severity == "error" and f.file != file]
    lines += [f"  {mail.label(read.msg, a)}: the same file as '{mail.shown_in(read.msg, first)}', attached "
              "twice: read once" for a, first in read.again]
    pasted = ""
    if (table := _pasted_table(read.msg)) is not None:
        pasted = (f"; the forwarded message '{table[0]}' in it holds a table in its text" if table[0]
                  else "; its text holds a table") + ", which is not read (see the warning)"
    return lines or ([] if imported else [f"  {file}: no WIP report attached{pasted}"])


def _no_lines(parsed: wip.ParsedFile, attached: bool = False) -> str:
    """The summary line of a file that gave no line: a report whose columns were not understood (no PO column
    read, two read as PO #, or only the PO column the team mapped: an error or warning on Issues says which)
    is not called 'not a report'; a packing list is skipped, a style sheet left to the record check (a file
    only, not ``attached``: an attached one is not read there, its note says so)."""
    if _not_understood(parsed):
        return f"  {parsed.file}: not imported, its columns were not understood (see the Issues sheet)"
    if parsed.header is not None:
        return f"  {parsed.file}: not a WIP report, skipped"
    return f"  {parsed.file}: not a WIP report" + ("" if attached else ", left to the record check")


NO_REPORT_DATE = "no report date found"
"""How the note on an attachment dated by its message begins (``wip.assumed_date_note``)."""
_WHERE = frozenset({"source_file", "_row", "_raw", "_sheet"})
"""A row's place, not its content: the same report saved twice differs only in these."""


def _across_files(rows: list[dict], findings: list[Finding]) -> list[dict]:
    """The same PO line in the same report date from two files: the first file's row is kept. A row the
    same in every value (the same report saved twice, or sent in two messages) is not an error: one note
    per file names the copy."""
    seen: dict[tuple, dict] = {}
    copies: dict[tuple[str, str], list[dict]] = {}
    out = []
    for r in rows:
        key = wip.wip_key(r["po"], r["style"], r["color"], r["report_date"])
        if key in seen:
            first = seen[key]
            if all(_text(v) == _text(first.get(f)) for f, v in r.items() if f not in _WHERE):
                copies.setdefault((r["source_file"], first["source_file"]), []).append(r)
                continue
            findings.append(error(Code.WIP_DUPLICATE, f"PO line {r['po']} / {r['style']} / {r['color']} of "
                                  f"{r['report_date']} is also in '{first['source_file']}' row "
                                  f"{first['_row']}; this row was not imported", file=r["source_file"],
                                  sheet=r["source_file"], row=r["_row"], value=r["_raw"]))
            continue
        seen[key] = r
        out.append(r)
    for (file, earlier), same in copies.items():
        lines = f"{len(same)} line{'s' if len(same) > 1 else ''}"
        findings.append(info(Code.WIP_DUPLICATE, f"{lines} of this file {'are' if len(same) > 1 else 'is'} the "
                             f"same, value for value, as in '{earlier}' (the same report twice); imported once",
                             file=file, sheet=file, row=same[0]["_row"]))
    return out


def _cancelled_reported(new_rows: list[dict], stopped: pd.DataFrame, checked_next: bool) -> list[str]:
    """Summary lines for the reports that still list a PO line cancelled on Orders (or of a dropped style):
    said on the import itself, since ``prodbook wip`` alone raises no exception. ``checked_next``: the run's
    exceptions step follows (the refresh), which lists on the Exceptions sheet each such line the report shows
    in production; else the line says what to run for that."""
    if not len(stopped) or not new_rows:
        return []
    gone = {line_key(p, s, c) for p, s, c in zip(stopped["po"], stopped["style"], stopped["color"])}
    by_file: dict[str, list[str]] = {}
    for r in new_rows:
        if line_key(r.get("po"), r.get("style"), r.get("color")) in gone:
            by_file.setdefault(text_or_empty(r.get("source_file")), []).append(
                key_text((r.get("po"), r.get("style"), r.get("color"))))
    then = ("this run's exceptions step lists on the Exceptions sheet each one the report shows in production: "
            "confirm with the vendor that production stopped" if checked_next else
            "run 'prodbook exceptions' (Check exceptions on the prodbook tab, or the refresh) to list on the "
            "Exceptions sheet each one the report shows in production, and confirm with the vendor that production "
            "stopped")
    return [f"  {name}: {len(refs)} PO line(s) cancelled on Orders (or of a dropped style) still reported "
            f"({', '.join(refs[:3])}{', ...' if len(refs) > 3 else ''}); {then}" for name, refs in by_file.items()]


def _only_added(table: Table, old: pd.DataFrame, source: list[int | None], removed: list[int],
                updated: list[int]) -> bool:
    """Does the import only add rows below the sheet's, every row it had staying as it is (a new week's
    reports beside the history)? Then the rows it had are copied as they are, not written again."""
    return (table.exists and not table.new_header and not removed and not updated and len(old) > 0
            and all(f in table.columns for f in VENDOR_WIP.fields)
            and source[:len(old)] == old["_row"].tolist() and all(s is None for s in source[len(old):]))


def _changes(sheet: str, rows: pd.DataFrame, source: list[int | None], added: list[int], updated: list[int],
             old: pd.DataFrame) -> list[Change]:
    """New rows and every changed value of a row the import updated (removed rows: ``Tracker.removed_row``);
    the history's rows were copied as they were."""
    changes: list[Change] = []
    records = dict(zip(added + updated, row_dicts(rows.iloc[added + updated]), strict=True))
    prints = row_prints([[records[i].get(f) for i in added] for f in VENDOR_WIP.printed])
    for i, written in zip(added, prints, strict=True):  # the print: undo keeps a row the APM typed in since
        changes.append(Change(sheet, key_text(records[i][k] for k in KEY), NEW_ROW, written,
                              records[i]["source_file"]))
    sources = {source[i] for i in updated}
    old_by_row = ({int(r["_row"]): r for r in row_dicts(old[old["_row"].isin(sources)])} if updated else {})
    for i in updated:
        rec, src = records[i], source[i]
        before = old_by_row.get(src) if src is not None else None
        if before is None:
            continue
        for col in VENDOR_WIP.columns:
            a, b = before.get(col.field), rec.get(col.field)
            if _same(a, b):
                continue
            if _text(a) != _text(b):
                changes.append(Change(sheet, key_text(rec[k] for k in KEY), col.header,
                                      before.get(col.field), rec.get(col.field)))
    return changes


def _same(a: object, b: object) -> bool:
    """The quick test: equal values of the same type, or both empty (the slow one compares as text)."""
    if type(a) is type(b) and a == b:
        return True
    return _empty(a) and _empty(b)


def _empty(v: object) -> bool:
    return v is None or v is pd.NaT or v is pd.NA or (isinstance(v, float) and v != v) or (
        isinstance(v, str) and v == "")


def _text(v: object) -> str:
    return log_text(v) or ""


# --- saved messages --------------------------------------------------------------------------------

SenderBook = dict[str, tuple[str, ...]]
"""Lower-case address -> the vendor codes whose Email or CC lists it."""


def sender_book(vendors: pd.DataFrame) -> SenderBook:
    """Who is who on the Vendors sheet: every address of its Email and CC columns."""
    book: dict[str, list[str]] = {}
    if not len(vendors):
        return {}
    for r in vendors.to_dict("records"):
        code = r.get("vendor")
        if not isinstance(code, str) or not code.strip():
            continue
        cells = [str(r.get(c)).replace(";", ",") for c in ("email", "cc") if isinstance(r.get(c), str)]
        for addr in mail.addresses(*cells):
            if code.strip() not in book.setdefault(addr, []):
                book[addr].append(code.strip())
    return {a: tuple(v) for a, v in book.items()}


def vendor_of_sender(senders: Sequence[str], book: SenderBook) -> tuple[str | None, str | None, str]:
    """(vendor, the address that decided it, a note when an address fits several vendors).

    The first address (From, then Reply-To, then Sender) on the Vendors sheet decides; one listed for
    several vendors (an agent writing for them) decides nothing: the report's rows will."""
    for addr in senders:
        hits = book.get(addr, ())
        if len(hits) == 1:
            return hits[0], addr, ""
        if hits:
            return None, addr, (f"the sender {addr} is on the Vendors sheet for {', '.join(hits)}, so the "
                                "vendor was taken from the report itself")
    return None, None, ""


_ARCHIVES = frozenset({".zip", ".7z", ".rar", ".gz", ".tgz", ".tar"})


def _why_not_a_report(a: mail.Attachment) -> str | None:
    """None for a vendor file the import reads; else why the attachment is left."""
    if a.shown.startswith("~$"):
        return "an Excel lock file, not a report"
    if mail.is_body_fragment(a.name):
        return "part of the message's text"
    suffix = Path(a.name).suffix.lower()
    if suffix in (".p7m", ".p7s"):
        return ("the sender's digital signature, not a report" if suffix == ".p7s" else
                "a signed or encrypted message (S/MIME), which only a mail program opens: open the message in "
                "Outlook or your mail program and save the report from it")
    if suffix == ".txt" and not _table_text(a.data):
        return "text, not a table (a disclaimer or a note)"
    if suffix in _ARCHIVES:
        return (f"a {suffix} archive, which prodbook does not open: save it from the message, extract it, and "
                "import the report inside")
    if suffix not in vendor_files.SUFFIXES:
        return "not a spreadsheet or .csv"
    return None


def _table_text(data: bytes, lines: int = 20) -> bool:
    """A text attachment's first lines hold a table: a tab, a semicolon or a '|' between values, or commas
    alike on most lines (a report saved as .txt or .csv). The disclaimer a mail server attaches is sentences:
    commas here and there, a different number on each line."""
    head = data[:16_384].replace(b"\r", b"\n").split(b"\n")
    filled = [line for line in head if line.strip()][:lines]
    if not filled or any(sep in line for line in filled for sep in (b"\t", b";", b"|")):
        return True  # an empty file is said as one where it is read
    counts = Counter(line.count(b",") for line in filled)
    commas, rows = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    return commas >= 2 and rows >= max(2, len(filled) // 2)


def _own_reports(reports: list[mail.Attachment]) -> tuple[list[mail.Attachment], list[mail.Attachment]]:
    """(the reports to import, the ones left): a reply or a forward that attaches a report of its own and
    carries the earlier message along carries an older report, which must not replace a corrected one of
    its date. A message whose only reports sit in attached messages (a colleague forwarding the vendor's
    e-mail as an attachment) brings those."""
    own = [a for a in reports if not a.via]
    return (own, [a for a in reports if a.via]) if own else (reports, [])


@dataclass
class ReadMessage:
    """A saved message read once, before any report is imported: its reports' cells (their dates tell how
    their vendor writes 03/04, ``wip.vendor_past``) and what the APM should know about the rest."""

    msg: mail.Message | None
    """None: the message could not be read (``findings`` says why)."""
    reports: list[tuple[mail.Attachment, list[wip.RawSheet]]]
    findings: list[Finding]
    again: list[tuple[mail.Attachment, mail.Attachment]] = field(default_factory=list)
    """Attachments that are the same file as an earlier one of the message, each with that one: read once."""


def read_message_reports(path: Path, config: Config) -> ReadMessage:
    """The WIP reports attached to one saved message, each read once; notes on what is left."""
    try:
        msg = mail.read_message(path, config.limits)
    except (mail.MailError, OSError) as exc:
        return ReadMessage(None, [], [error(Code.WIP_FILE, f"{exc}; the message was skipped", file=path.name,
                                            found_in=path.name)])
    about = f"message '{msg.subject}'" if msg.subject else "this message"
    left = list(msg.skipped)
    reports = []
    for a in msg.attachments:
        why = _why_not_a_report(a)
        if why:
            left.append(f"'{a.shown}' ({why})")
        else:
            reports.append(a)
    findings: list[Finding] = []
    reports, carried = _own_reports(reports)
    reports, again = _once_each(reports)
    for a, first in again:
        findings.append(info(Code.WIP_MESSAGE, f"the same file as '{mail.shown_in(msg, first)}', attached twice to "
                             f"{about}: it was read once", file=mail.label(msg, a), found_in=msg.file))
    for a in carried:
        findings.append(info(Code.WIP_MESSAGE, f"'{a.shown}' is in the earlier message '{a.via[-1]}' that "
                             f"{about} carries along, beside a report of its own; it was not imported, so it "
                             "cannot replace a newer report of its date. To import it, import that earlier "
                             "message on its own", file=mail.label(msg, a), found_in=msg.file))
    if not reports:
        findings.append(_no_report(msg, about, left))
    elif left:
        findings.append(info(Code.WIP_MESSAGE, f"attachments of {about} that are not WIP reports were left: "
                             + "; ".join(left), file=msg.file, found_in=msg.file))
    read = []
    # ignore_cleanup_errors: on Windows a file another program still holds stays in the temp folder,
    # rather than the run failing after its work is done
    with tempfile.TemporaryDirectory(prefix="prodbook-mail-", ignore_cleanup_errors=True) as tmp:
        for n, a in enumerate(reports):
            raws, found = _read_attachment(msg, a, Path(tmp, str(n)), config)
            findings += found
            if raws is not None:
                read.append((a, raws))
    return ReadMessage(msg, read, findings, again)


def _once_each(reports: list[mail.Attachment]) -> tuple[list[mail.Attachment], list[tuple[mail.Attachment,
                                                                                          mail.Attachment]]]:
    """(the reports, each file once; the copies, each with the report it repeats): a report attached twice to one
    message (dragged in twice) would list its lines and every warning on them twice."""
    first: dict[bytes, mail.Attachment] = {}
    once, again = [], []
    for a in reports:
        seen = first.setdefault(a.data, a)
        if seen is a:
            once.append(a)
        else:
            again.append((a, seen))
    return once, again


PASTED_ROWS = 2
"""Rows of a table in a message's text (``mail.table_rows``) that make it a report pasted into the mail: a header
and a line."""


def _pasted_table(msg: mail.Message) -> tuple[str, int] | None:
    """Where a report pasted into the mail is, and its rows: ('', rows) in the message's own text, else (the name
    of a message it carries, rows) in a forwarded mail's; None: no such table."""
    if msg.table_rows >= PASTED_ROWS:
        return "", msg.table_rows
    return next(((name, rows) for name, rows in msg.carried_tables if rows >= PASTED_ROWS), None)


def _no_report(msg: mail.Message, about: str, left: list[str]) -> Finding:
    """The note on a message with no report attached, and what to do; a warning when the message's own text, or
    that of a message it carries (forwarded as an attachment), holds a table (the vendor pasted the report into
    the mail), whose lines were not imported."""
    attached = f" (attached: {'; '.join(left)})" if left else ""
    if (table := _pasted_table(msg)) is not None:
        where = f"the forwarded message '{table[0]}' in it holds in its text" if table[0] else "its text holds"
        return warning(Code.WIP_MESSAGE, f"{about} has no report file attached{attached}, but {where} a "
                       f"table of {table[1]} rows: if that is the vendor's WIP, it was not imported, since "
                       "prodbook reads reports only from attached files. Ask the vendor to attach the report as an "
                       "Excel or CSV file, or copy the table from the message into a new Excel workbook, save it "
                       "as .xlsx with the vendor's code and the report date in its name, and import that file",
                       file=msg.file, found_in=msg.file)
    return info(Code.WIP_MESSAGE, f"{about} has no WIP report attached{attached or ' (no attachment)'}; nothing was "
                "imported from it. If the vendor's report should be in it, ask the vendor to send the report "
                "attached, as an Excel or CSV file", file=msg.file, found_in=msg.file)


def import_message(read: ReadMessage, index: wip.OrderIndex, codes: list[str], senders: SenderBook,
                   config: Config, today: date, past: wip.VendorPast | None = None
                   ) -> tuple[list[wip.ParsedFile], list[Finding]]:
    """Every WIP report attached to one saved message (``read_message_reports``), and the notes on the rest.
    ``past``: the run's knowledge of each vendor (``wip.vendor_past``), as for a file."""
    findings = list(read.findings)
    parsed_files: list[wip.ParsedFile] = []
    if read.msg is None:  # unreadable: ``findings`` says so
        return parsed_files, findings
    for a, raws in read.reports:
        parsed, found = _import_attachment(read.msg, a, raws, index, codes, senders, config, today, past)
        findings += found
        parsed_files.append(parsed)
    return parsed_files, findings


def _read_attachment(msg: mail.Message, a: mail.Attachment, folder: Path, config: Config
                     ) -> tuple[list[wip.RawSheet] | None, list[Finding]]:
    """One attachment's cells, read by the same reader as a file (from a temporary copy)."""
    where = mail.label(msg, a)
    file = folder / a.name
    try:
        folder.mkdir()
        file.write_bytes(a.data)
        return read_vendor_file(file, config, where), []
    except TrackerGiven as given:  # a colleague sent the tracker itself
        return None, [dataclasses.replace(given.finding, found_in=msg.file)]
    except (CellError, OSError, UnicodeError) as exc:
        said = f"{str(exc).replace(str(file), a.name)}; the attachment was skipped"  # not the temporary copy's folder
        if encrypted_office_file(file):  # the password is cleared on a copy saved from the message, not in it
            said = (f"'{a.name}' is protected with a password, so prodbook cannot read it; the attachment was "
                    "skipped. Save it from the message, open the file you saved in Excel (with the password the "
                    "vendor gives), choose File > Info > Protect Workbook > Encrypt with Password, clear the "
                    "password and save; then import the file you saved. Or ask the vendor to send the report "
                    "again without a password")
        return None, [error(Code.WIP_FILE, said, file=where, found_in=msg.file)]


def _from_address(msg: mail.Message, a: mail.Attachment) -> tuple[str, ...]:
    """Who sent an attachment: the addresses of the message that carried it, then the outer message's."""
    return tuple(dict.fromkeys((*a.senders, *msg.senders)))


def attachment_vendor(msg: mail.Message, a: mail.Attachment, codes: list[str], senders: SenderBook,
                      config: Config) -> str | None:
    """The vendor an attachment's sender gives it when its name gives none (None: its name decides, or
    nothing does), as ``_import_attachment`` first takes it."""
    if wip.vendor_from_name(a.name, codes, config) is not None:
        return None
    return vendor_of_sender(_from_address(msg, a), senders)[0]


def _import_attachment(msg: mail.Message, a: mail.Attachment, raws: list[wip.RawSheet], index: wip.OrderIndex,
                       codes: list[str], senders: SenderBook, config: Config, today: date,
                       past: wip.VendorPast | None = None) -> tuple[wip.ParsedFile, list[Finding]]:
    """One attachment's cells through the same import as a file, then named as "message > attachment"."""
    where = mail.label(msg, a)
    from_address = _from_address(msg, a)
    sent = a.sent or msg.sent
    found: list[Finding] = []
    used_sender = None
    parsed = None
    if wip.vendor_from_name(a.name, codes, config) is None:
        vendor, used_sender, note = vendor_of_sender(from_address, senders)
        if note:
            found.append(info(Code.WIP_VENDOR, note, file=where, found_in=msg.file))
        if vendor:
            by_sender = dataclasses.replace(config, extra={
                **config.extra, f"wip vendor: {glob.escape(a.name.lower())}": vendor})
            parsed = wip.import_file(raws, index, codes, by_sender, today=sent or today, past=past)
            theirs = _style_vendors(parsed.rows, index)
            if theirs and vendor not in theirs:  # the tracker's own styles say otherwise: they win
                found.append(info(Code.WIP_VENDOR, f"the sender {used_sender} is {vendor}'s on the Vendors "
                                  f"sheet, but the PO lines of this report are {', '.join(sorted(theirs))}'s "
                                  "(Styles sheet), so the vendor was taken from the PO lines", file=where,
                                  found_in=msg.file))
                parsed = None
        if parsed is None:
            used_sender = None
    if parsed is None:
        parsed = wip.import_file(raws, index, codes, config, today=sent or today, past=past)
    raw_found = wip.reader_notes(raws, parsed)  # as a file's: not a skipped TOTAL row's formulas
    found += [_relabel(f, a.name, where, msg.file, sent, from_address, style_sheet=parsed.header is None)
              for f in (*raw_found, *parsed.findings)]
    if parsed.older is not None:  # named as its findings are, to stand in for one of them
        older, instead = parsed.older
        parsed.older = (_relabel(older, a.name, where, msg.file, sent, from_address),
                        _relabel(instead, a.name, where, msg.file, sent, from_address) if instead else None)
    if a.via and a.sent is None and msg.sent is not None and parsed.rows and parsed.report_date == msg.sent:
        found = [f for f in found if not wip.assumed_date_note(f)]  # said below, exactly
        found.append(info(Code.WIP_MESSAGE, f"the attached message '{a.via[-1]}' has no date of its own, so its "
                          f"report is dated by the message that carries it ({date_text(msg.sent)}); if the report "
                          "is older, import it with its date in the file name ('... 2027-03-01.xlsx')",
                          file=where, found_in=msg.file))
    for r in parsed.rows:
        r["source_file"] = where
        if r.get("_sheet") == a.name:  # a one-sheet file's rows: named as the attachment, as its findings are
            r["_sheet"] = where
    parsed.file = where
    if used_sender and parsed.vendor and parsed.rows:
        parsed.file = f"{where} (vendor {parsed.vendor} from the sender {used_sender})"
    return parsed, found


def _style_vendors(rows: Sequence[dict], index: wip.OrderIndex) -> set[str]:
    """The vendors the Styles sheet gives the imported PO lines."""
    out = set()
    for r in rows:
        for line in index.by_po.get(fold_ref(r["po"]), []):
            if line.vendor and fold_ref(line.style) == fold_ref(r["style"]):
                out.add(line.vendor)
    return out


def _in_message(f: Finding, message_of: dict[str, str]) -> Finding:
    """A finding about an attachment's row stays on the Issues sheet until that message is read again."""
    if f.found_in or f.file not in message_of:
        return f
    return dataclasses.replace(f, found_in=message_of[f.file])


def _relabel(f: Finding, name: str, where: str, message_file: str, sent: date | None,
             from_address: Sequence[str], *, style_sheet: bool = False) -> Finding:
    """A finding about an attachment names the message and the attachment; the report date and vendor
    notes say what the message gave. ``style_sheet``: the attachment is a style or costing sheet (no header
    with a PO column), whose note says to save it; a packing list's note (a PO column, no progress) stays."""
    changes: dict = {"found_in": f.found_in or message_file}
    if f.file == name:
        changes["file"] = where
    if f.sheet == name:
        changes["sheet"] = where
    if wip.assumed_date_note(f) and sent is not None:  # not a title date's warning or error: that one stays
        changes["message"] = (f"{NO_REPORT_DATE} in the attachment's title rows or name; the day the "
                              f"message was sent, {date_text(sent)}, was used")
    elif f.code in (Code.WIP_REPORT_DATE, Code.WIP_REPORT_OLDER) and sent is not None:  # read as of that day
        changes["message"] = from_the_day_sent(f.message)
    elif f.code is Code.COLUMN_MISSING and f.severity == "info" and style_sheet:
        changes["message"] = ("not a WIP report (it has style columns but no PO column). Style and costing "
                              "sheets are compared with the Styles sheet only when given as files, not as "
                              "attachments: save it from the message and import it with the other files")
    elif f.code is Code.WIP_VENDOR and from_address and f.severity != "info":
        changes["message"] = (f"{f.message}, or add the sender's address ({from_address[0]}) to the vendor's "
                              "Email or CC on the Vendors sheet")
    return dataclasses.replace(f, **changes)
