"""Import vendor WIP reports into the Vendor WIP sheet.

The shell around ``prodbook.core.wip``: check the files the user gave, read the
Orders, Styles and Vendors sheets, import each file, and stage the Vendor WIP
sheet with each imported (vendor, report date) replaced and every older report
kept as history.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pandas as pd

from prodbook.core import wip
from prodbook.core.cells import CellError
from prodbook.core.findings import Code, Finding, UserError, error
from prodbook.jobs.base import Context, Outcome, valid_frame
from prodbook.core.model.sheets import ORDERS, STYLES, VENDOR_WIP, VENDORS
from prodbook.core.keys import key_text
from prodbook.workbook.tracker import Tracker
from prodbook.core.changes import NEW_ROW, Change, log_text

KEY = VENDOR_WIP.key


def expand_files(files: tuple[Path, ...]) -> list[Path]:
    """The files given, a folder standing for the vendor files in it. A wrong path stops the command."""
    out: list[Path] = []
    for path in files:
        path = Path(path)
        if path.is_dir():
            out += sorted(p for p in path.iterdir() if p.suffix.lower() in wip.SUFFIXES
                          and not p.name.startswith(("~$", ".")))
            continue
        if not path.exists():
            raise UserError(f"the vendor file '{path}' does not exist; check the name and folder",
                            file=str(path))
        if path.suffix.lower() not in wip.SUFFIXES:
            raise UserError(f"'{path.name}' is not a vendor WIP report prodbook reads (.xlsx, .xls, .csv); "
                            "save it from Excel as .xlsx or .csv", file=str(path))
        out.append(path)
    return out


def import_wip(tracker: Tracker, ctx: Context) -> Outcome:
    """Import the run's vendor files (``ctx.files``); with none, nothing to do."""
    if not ctx.files:
        return Outcome("Import vendor WIP", checked=False)
    files = expand_files(ctx.files)
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
    per_file: list[str] = []
    for path in files:
        try:
            raws = wip.read_vendor_file(path, tracker.config.limits)
        except (CellError, OSError, UnicodeError) as exc:
            findings.append(error(Code.WIP_FILE, f"{exc}; the file was skipped", file=path.name))
            continue
        findings += [f for raw in raws for f in raw.findings]
        parsed = wip.import_file(raws, index, codes, tracker.config, today=ctx.today)
        findings += parsed.findings
        new_rows += parsed.rows
        if parsed.report_date is not None or parsed.rows:
            per_file.append(_file_line(parsed))
        else:
            per_file.append(f"  {parsed.file}: not a WIP report, left to the record check")
    new_rows = _across_files(new_rows, findings)

    table = tracker.table(VENDOR_WIP, required=False)
    findings += table.findings
    old = table.frame
    rows, source, added, removed = wip.merge_wip(old, new_rows)
    changes = _changes(tracker.sheet(VENDOR_WIP), rows, source, added, old)
    changes += [c for pos in removed for c in tracker.removed_row(table, cast(dict[str, Any], old.iloc[pos].to_dict()))]
    if new_rows or removed:
        tracker.replace_rows(table, rows, list(VENDOR_WIP.fields), source if table.exists else None)
        tracker.log(changes)
    tracker.remember(VENDOR_WIP, rows.assign(_row=source))  # type: ignore[arg-type]  # pandas-stubs: no None in a list
    not_imported = sum(f.code in (Code.WIP_UNMATCHED, Code.WIP_AMBIGUOUS, Code.WIP_DUPLICATE)
                       and f.severity != "info" for f in findings)
    summary = [f"Vendor WIP: {len(new_rows):,} PO line(s) imported from {len(files)} file(s)"
               + (f"; {not_imported} row(s) not imported (see Issues)." if not_imported else "."),
               *per_file]
    return Outcome("Import vendor WIP", findings, changes, summary=summary,
                   data={"files": len(files), "imported": len(new_rows), "not_imported": not_imported})


def _file_line(parsed: wip.ParsedFile) -> str:
    when = parsed.report_date.isoformat() if parsed.report_date else "?"
    totals = f", {parsed.skipped_totals} total row(s) skipped" if parsed.skipped_totals else ""
    return f"  {parsed.file}: {parsed.vendor or '(vendor unknown)'}, report of {when}, {len(parsed.rows)} " \
           f"line(s){totals}"


def _across_files(rows: list[dict], findings: list[Finding]) -> list[dict]:
    """The same PO line in the same report date from two files: the first file's row is kept."""
    seen: dict[tuple, dict] = {}
    out = []
    for r in rows:
        key = wip.wip_key(r["po"], r["style"], r["color"], r["report_date"])
        if key in seen:
            first = seen[key]
            findings.append(error(Code.WIP_DUPLICATE, f"PO line {r['po']} / {r['style']} / {r['color']} of "
                                  f"{r['report_date']} is also in '{first['source_file']}' row "
                                  f"{first['_row']}; this row was not imported", file=r["source_file"],
                                  row=r["_row"], value=r["_raw"]))
            continue
        seen[key] = r
        out.append(r)
    return out


def _changes(sheet: str, rows: pd.DataFrame, source: list[int | None], added: list[int],
             old: pd.DataFrame) -> list[Change]:
    """New rows and every changed value of a kept row (removed rows: ``Tracker.removed_row``)."""
    changes: list[Change] = []
    records = rows.to_dict("records")
    for i in added:
        changes.append(Change(sheet, key_text(records[i][k] for k in KEY), NEW_ROW, None,
                              records[i]["source_file"]))
    old_by_row = {int(r["_row"]): r for r in old.to_dict("records")} if len(old) else {}
    added_set = set(added)
    for i, (rec, src) in enumerate(zip(records, source)):
        if i in added_set or src is None:
            continue
        before = old_by_row.get(src)
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
