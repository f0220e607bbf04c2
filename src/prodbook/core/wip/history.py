"""The Vendor WIP sheet: the keys of its rows, the new reports merged into the history (a report sent again
replaces its day), and the newest report of each line for the exception rules."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from prodbook.core.cells import (
    text_or_empty,
)
from prodbook.core.findings import Code, Finding, info, warning
from prodbook.core.keys import fold_ref, fold_text, line_key, once_each
from prodbook.core.model.sheets import VENDOR_WIP
from prodbook.core.where import cells as column_cells
from prodbook.core.where import row_dicts
from prodbook.core.wip.values import cell_text, day_or_none


def wip_key(po: Any, style: Any, color: Any, report_date: Any) -> tuple[str, str, str, str]:
    d = report_date
    if isinstance(d, pd.Timestamp):
        d = d.date()
    if isinstance(d, datetime):
        d = d.date()
    return (fold_ref(po), fold_ref(style), fold_text(color),
            d.isoformat() if isinstance(d, date) else str(d or ""))


def scope_key(vendor: Any, report_date: Any) -> tuple[str, str]:
    return (fold_text(vendor), wip_key(None, None, None, report_date)[3])


def withdrawn_dates(new: Sequence[Mapping[str, Any]], old: pd.DataFrame
                    ) -> tuple[list[dict[str, Any]], list[Finding]]:
    """Rows whose Revised XF the vendor took back (a word of ``cells.not_yet``: 'TBA', 'TBC', 'to be confirmed',
    'pending'; or text that is no date, 'pending fabric') after an earlier report
    of the line gave one. Left blank, the line's xf-revised-later exception would close as solved and
    late-for-cancel fall back to the plan; so the last date the vendor gave is kept, said in Remarks, and
    named as a warning (file, row, column, value). With them, ``fallen_figures``: cut, sewn or packed
    below the line's last earlier report."""
    fallen = fallen_figures(new, old)  # the import's other check against a line's last report, on all of old
    given: dict[str, list[tuple[date, date, str]]] = {}  # line -> (report date, revised XF, source file)
    taken_back = {fold_ref(r.get("po")) for r in new if r.get("_withdrawn") and r.get("revised_xf") is None}
    if taken_back and {"po", "style", "color", "report_date", "revised_xf"} <= set(old.columns):
        mine = [p in taken_back for p in once_each(column_cells(old, "po"), fold_ref)]  # their POs' history only
        old = old[pd.Series(mine, index=old.index, dtype=bool)]  # (a plain empty list would pick no columns)
        for po, style, color, rep, xf, src in zip(old["po"], old["style"], old["color"], old["report_date"],
                                                  old["revised_xf"], old.get("source_file", old["po"])):
            if (d := day_or_none(rep)) is not None and (x := day_or_none(xf)) is not None:
                given.setdefault(line_key(po, style, color), []).append((d, x, text_or_empty(src)))
    rows: list[dict[str, Any]] = []
    findings: list[Finding] = []
    for r in new:
        row = dict(r)
        rows.append(row)
        if not row.get("_withdrawn") or row.get("revised_xf") is not None:
            continue
        value, column = row["_withdrawn"]
        now = day_or_none(row.get("report_date"))
        earlier = [g for g in given.get(line_key(row["po"], row["style"], row["color"]), ())
                   if now is None or g[0] < now]
        if not earlier:
            continue
        rep, xf, src = max(earlier)
        who = row.get("vendor") or "the vendor"
        row["revised_xf"] = xf
        note = f"Revised XF '{value}' in this report; {xf:%d-%b-%y} kept from the {rep:%d-%b-%y} report"
        row["remarks"] = f"{row['remarks']} | {note}" if row.get("remarks") else note
        unread = any(ch.isdigit() for ch in cell_text(value))  # a date it wrote that cannot be read, not 'TBC'
        said, ask = (("prodbook cannot read it as a date. The date", "to write the date as 15-Jan-2027")
                     if unread else (f"it withdrew the date {xf:%d-%b-%y} its {rep:%d-%b-%y} report gave "
                                     f"('{src}'). That date", "for a new date"))
        if unread:
            said += f" {xf:%d-%b-%y} its {rep:%d-%b-%y} report gave ('{src}')"
        findings.append(warning(
            Code.BAD_DATE, f"{who} wrote '{value}' as the revised ex-factory of PO line {row['po']} / "
            f"{row['style']} / {row['color']}: {said} was kept in the Vendor WIP sheet (Revised XF, said in "
            f"Remarks), so the line's exceptions stay open; ask {who} {ask}", file=row.get("source_file"),
            sheet=row.get("_sheet") or row.get("source_file"), row=row.get("_row"), column=column, value=value))
    return rows, findings + fallen


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_CUMULATIVE = ("cut_qty", "sewn_qty", "packed_qty")
"""The stages a WIP report counts to date: a line's figure never falls from one report to the next."""


def _count(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or pd.isna(value):
        return None
    return int(value)


def fallen_figures(new: Sequence[Mapping[str, Any]], old: pd.DataFrame) -> list[Finding]:
    """A warning per imported row whose cut, sewn or packed figure is below the line's last earlier report (on
    the Vendor WIP sheet, or another report of the same import): cumulative figures do not fall, so one report
    is wrong (a day's output sent instead of the total). Names both reports' figures and dates; the new figures
    stay as sent."""
    pos = {fold_ref(r.get("po")) for r in new if any(r.get(f) is not None for f in _CUMULATIVE)}
    if not pos:
        return []
    reports: dict[str, list[tuple[date, Mapping[str, Any] | int]]] = {}  # line -> (day, its row: new, or old's)
    cells: dict[str, list[Any]] = {}  # the old rows' source files and figures, a column at a time
    if {"po", "style", "color", "report_date"} <= set(old.columns):
        mine = [p in pos for p in once_each(column_cells(old, "po"), fold_ref)]  # their POs' history only
        old = old[pd.Series(mine, index=old.index, dtype=bool)]
        keys = zip(once_each(column_cells(old, "po"), fold_ref), once_each(column_cells(old, "style"), fold_ref),
                   once_each(column_cells(old, "color"), fold_text))  # a distinct value at a time, as line_key
        reported = once_each(column_cells(old, "report_date"), _report_day)  # '2026-11-20', '' for no date
        days = {d: date.fromisoformat(d) if _ISO_DAY.fullmatch(d) else None for d in set(reported)}
        for key, day, at in zip(keys, reported, range(len(old))):
            if (d := days[day]) is not None:
                reports.setdefault("\x1f".join(key), []).append((d, at))
        cells = {f: column_cells(old, f) if f in old.columns else [None] * len(old)
                 for f in ("source_file", *_CUMULATIVE)}
    for r in new:
        if (d := day_or_none(r.get("report_date"))) is not None:
            reports.setdefault(line_key(r.get("po"), r.get("style"), r.get("color")), []).append((d, r))
    findings: list[Finding] = []
    for r in new:
        now = day_or_none(r.get("report_date"))
        earlier = [e for e in reports.get(line_key(r.get("po"), r.get("style"), r.get("color")), ())
                   if now is not None and e[0] < now]
        if now is None or not earlier:
            continue
        then, row = max(earlier, key=lambda e: e[0])
        last = {f: values[row] for f, values in cells.items()} if isinstance(row, int) else row
        src, was = text_or_empty(last.get("source_file")), [_count(last.get(f)) for f in _CUMULATIVE]
        fell = [(VENDOR_WIP.column(f).header, n, w) for f, w in zip(_CUMULATIVE, was)
                if (n := _count(r.get(f))) is not None and w is not None and n < w]
        if not fell:
            continue
        who = r.get("vendor") or "the vendor"
        findings.append(warning(
            Code.BAD_NUMBER, f"{who}'s report of {now:%d-%b-%y} gives PO line {r['po']} / {r['style']} / "
            f"{r['color']} {', '.join(f'{h} {n:,}' for h, n, _ in fell)}, where its report of {then:%d-%b-%y} "
            f"('{src}') gave {', '.join(f'{w:,}' for _, _, w in fell)}. Cut, sewn and packed count the pieces done "
            "so far and do not fall, so one of the two reports is wrong (a typo, a recount, or the day's output "
            "sent instead of the total). The new figures were imported as sent, and the line's exceptions read "
            f"them; ask {who} for the figures to date and import the corrected report", file=r.get("source_file"),
            sheet=r.get("_sheet") or r.get("source_file"), row=r.get("_row"),
            value=f"{fell[0][1]:,} (was {fell[0][2]:,})"))
    return findings


def _replaced_sources(old_rows: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]
                      ) -> set[tuple[tuple[str, str], str]]:
    """The (vendor, report date) and source file pairs an import replaces whole: the files it sends again
    (the same name), and any other file of that vendor and day whose every PO line it reports again (a
    corrected re-send under a new name). A file of the same vendor and day that shares only some of its lines
    (a partial update) keeps the lines the import does not list (``merge_wip``); one sharing no line (another
    division's report) stays."""
    keys = {wip_key(r["po"], r["style"], r["color"], r["report_date"]) for r in new}
    out = {(scope_key(r["vendor"], r["report_date"]), fold_text(text_or_empty(r.get("source_file")))) for r in new}
    covered: dict[tuple[tuple[str, str], str], bool] = {}  # per other file of the day: every line reported again
    for r in old_rows:
        pair = (scope_key(r.get("vendor"), r.get("report_date")), fold_text(text_or_empty(r.get("source_file"))))
        if pair not in out:
            again = wip_key(r.get("po"), r.get("style"), r.get("color"), r.get("report_date")) in keys
            covered[pair] = covered.get(pair, True) and again
    return out | {pair for pair, every in covered.items() if every}


def _report_day(value: Any) -> str:
    return wip_key(None, None, None, value)[3]


def on_new_days(old: pd.DataFrame, new: Sequence[Mapping[str, Any]]) -> np.ndarray:
    """Which rows of the Vendor WIP sheet carry a report date of the import: the only rows it can replace or
    sit beside (``wip_key`` and ``scope_key`` hold the day). The rest is the season's history, weeks of every
    vendor's reports, looked at a distinct date at a time rather than a row at a time."""
    days = {_report_day(r.get("report_date")) for r in new}
    if "report_date" not in old.columns:
        return np.full(len(old), "" in days)
    return np.fromiter((d in days for d in once_each(column_cells(old, "report_date"), _report_day)), bool, len(old))


class Replacing(NamedTuple):
    """What an import replaces on the Vendor WIP sheet, worked out once for ``same_day_files`` and
    ``merge_wip``."""

    near: np.ndarray
    """Per old row: dated a report date of the import (``on_new_days``)."""
    replaced: set[tuple[tuple[str, str], str]]
    """The (vendor, report date) and source file pairs replaced whole (``_replaced_sources``)."""
    rows: list[dict[str, Any]]
    """The rows ``near`` marks, as dicts (``row_dicts``): made once, the only old rows looked at one by one."""


def replacing(old: pd.DataFrame, new: Sequence[Mapping[str, Any]]) -> Replacing:
    """What importing ``new`` replaces of ``old``."""
    near = on_new_days(old, new)
    rows = row_dicts(old[near])
    return Replacing(near, _replaced_sources(rows, new), rows)


def same_day_files(old: pd.DataFrame, new: Sequence[Mapping[str, Any]], plan: Replacing | None = None
                   ) -> list[Finding]:
    """For the run's summary: another file of the same vendor and report date already on the Vendor WIP sheet,
    and what this import did to its lines (``merge_wip``): replaced (a re-send), updated where this import
    lists them and kept where it does not (a partial update), or left beside (another report of the day),
    with how many. The note goes on the imported file that reports its lines again, not
    on the first file of that vendor and day: one e-mail often carries two reports of the day (two divisions,
    or a report and its correction), and the APM opens the file the note names."""
    if not new or old.empty:
        return []
    _, replaced, olds = plan or replacing(old, new)
    files: dict[tuple[tuple[str, str], str], tuple[Mapping[str, Any], set[tuple[str, str, str, str]]]] = {}
    for r in new:  # each imported file, in the order given: its first row and its lines
        key = (scope_key(r["vendor"], r["report_date"]), fold_text(text_or_empty(r.get("source_file"))))
        files.setdefault(key, (r, set()))[1].add(wip_key(r["po"], r["style"], r["color"], r["report_date"]))
    scopes = {s for s, _ in files}
    keys = set().union(*(lines for _, lines in files.values()))  # the lines ``merge_wip`` updates
    by_file: dict[tuple[tuple[str, str], str], list[Mapping[str, Any]]] = {}
    for r in olds:
        scope, name = scope_key(r.get("vendor"), r.get("report_date")), text_or_empty(r.get("source_file"))
        if scope in scopes and (scope, fold_text(name)) not in files:
            by_file.setdefault((scope, name), []).append(r)
    findings = []
    for (scope, name), rows in by_file.items():
        mine = [(first, lines) for (s, _), (first, lines) in files.items() if s == scope]
        lines_of = [wip_key(r.get("po"), r.get("style"), r.get("color"), r.get("report_date")) for r in rows]
        # the files that report its lines again (a corrected report under a new name), else the day's first
        sharing = [first for first, lines in mine if any(k in lines for k in lines_of)]
        first = sharing[0] if sharing else mine[0][0]
        who, day = first["vendor"], day_or_none(first["report_date"])
        when = f"{day:%d-%b-%y}" if day else "the same day"
        kept = (scope, fold_text(name)) not in replaced
        again = sum(k in keys for k in lines_of)
        also = [f"'{r.get('source_file')}'" for r in sharing[1:]]
        these = f"this file and {', '.join(also)} report" if also else "this file reports"
        if kept and again:  # a partial update: the lines it does not list stay
            rest = len(rows) - again
            text = (f"{these} again {again} of the {len(rows)} lines of '{name}', {who}'s report of {when} on the "
                    f"Vendor WIP sheet: those {again} line(s) were updated (see the Change Log), and its other "
                    f"{rest} line(s), which {'none of them lists' if also else 'this file does not list'}, were "
                    f"kept. If {who} meant to drop them, delete the {rest} row(s) of the Vendor WIP sheet with "
                    f"Source File '{name}' and Report Date {when}; if not, nothing to do")
        elif kept:
            text = (f"'{name}', {who}'s other report of {when} on the Vendor WIP sheet, shares no PO line with this "
                    f"file: its {len(rows)} line(s) were kept beside this file's. If this file replaces it, delete "
                    "that file's rows from the Vendor WIP sheet")
        else:
            text = (f"{these} again lines of '{name}', {who}'s report of {when} on the Vendor WIP sheet, "
                    f"so {'they' if also else 'it'} replaced that report: {again} line(s) updated, "
                    f"{len(rows) - again} {'that none of them lists' if also else 'it no longer lists'} removed "
                    "(see the Change Log)")
        findings.append(info(Code.WIP_DUPLICATE, text, file=first.get("source_file"), value=name))
    return findings


class Merged(NamedTuple):
    """The Vendor WIP sheet after an import (``merge_wip``)."""

    rows: pd.DataFrame
    """Its rows in sheet order, with the sheet's fields."""
    source: list[int | None]
    """The old Excel row each came from (None: new)."""
    added: list[int]
    """Positions in ``rows`` of new lines."""
    removed: list[int]
    """Old positions removed."""
    updated: list[int]
    """Positions in ``rows`` of old rows that took this import's values (a report sent again)."""


def merge_wip(old: pd.DataFrame, new: Sequence[Mapping[str, Any]], plan: Replacing | None = None) -> Merged:
    """The Vendor WIP sheet after an import: each imported (vendor, report date) updates that vendor's rows
    for that date, file by file: a line the import reports again takes its values in place; a file sent again
    (the same name, or one whose every line the import reports: a corrected re-send) loses the lines it no
    longer lists; another file of the same vendor and day keeps the lines the import does not list (a partial
    update, or another division's report). Every other row (older reports: the history) stays where it is.

    Only the rows dated a report date of the import (``on_new_days``) are looked at one by one.
    """
    fields = list(VENDOR_WIP.fields)
    scopes = {scope_key(r["vendor"], r["report_date"]) for r in new}
    new_by_key = {wip_key(r["po"], r["style"], r["color"], r["report_date"]): r for r in new}
    near, replaced, olds = plan or replacing(old, new)
    # every row as a tuple of the sheet's fields, a column at a time (the history's rows are only copied)
    blank = [None] * len(old)
    out_rows: list[tuple[Any, ...]] = list(zip(*(column_cells(old, f) if f in old.columns else blank
                                                 for f in fields)))
    source: list[int | None] = [int(r) for r in old["_row"]] if len(old) else []
    used: set[tuple] = set()
    removed: list[int] = []
    updated: list[int] = []
    gone: set[int] = set()
    r: Mapping[str, Any]
    for pos, r in zip(np.flatnonzero(near).tolist(), olds):
        scope = scope_key(r.get("vendor"), r.get("report_date"))
        if scope not in scopes:
            continue
        key = wip_key(r.get("po"), r.get("style"), r.get("color"), r.get("report_date"))
        if key in new_by_key and key not in used:  # a line the import reports again takes its values
            used.add(key)
            updated.append(pos)
            out_rows[pos] = tuple(new_by_key[key].get(f) for f in fields)
        elif (scope, fold_text(text_or_empty(r.get("source_file")))) in replaced:  # a re-send no longer lists it
            removed.append(pos)
            gone.add(pos)
    if gone:  # positions in the sheet after the rows removed
        at = np.cumsum([p not in gone for p in range(len(old))]) - 1
        updated = [int(at[p]) for p in updated]
        out_rows = [t for p, t in enumerate(out_rows) if p not in gone]
        source = [s for p, s in enumerate(source) if p not in gone]
    added = []
    for key, r in new_by_key.items():
        if key not in used:
            added.append(len(out_rows))
            out_rows.append(tuple(r.get(f) for f in fields))
            source.append(None)
    return Merged(pd.DataFrame(out_rows, columns=fields), source, added, removed, updated)


def latest_reports(wip: pd.DataFrame) -> pd.DataFrame:
    """The newest reported row of each PO line (by Report Date), with ``_key`` = folded PO/style/colour."""
    if wip.empty:
        return wip.assign(_key=pd.Series(dtype="string"))
    frame = wip.copy()
    frame["_key"] = [line_key(p, s, c) for p, s, c in zip(frame["po"], frame["style"], frame["color"])]
    frame["_date"] = pd.to_datetime(frame["report_date"], errors="coerce")
    frame = frame.sort_values("_date", kind="stable").drop_duplicates("_key", keep="last")
    return frame.drop(columns="_date").reset_index(drop=True)
