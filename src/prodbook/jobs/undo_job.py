"""Undo the last action, from the Change Log.

Every value prodbook changes is logged with its old and new value, keyed by
the row's key, so an action can be reverted even after rows moved. A value
the user changed again since is left alone and reported, never overwritten.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

import pandas as pd

from prodbook.findings import Code, Finding, UserError, warning
from prodbook.jobs.base import Context, Outcome
from prodbook.jobs.ta_job import TA_ARCHIVE, TAKEN_BACK
from prodbook.model.sheets import ALL_SHEETS, CHANGE_LOG, TA, Kind, SheetSpec
from prodbook.workbook.tables import Table, key_text
from prodbook.workbook.tracker import ARCHIVED, FILLED, NEW_ROW, Change, Tracker, log_text
from prodbook.workbook.xlsxparts import CellEdit

_STAMP = re.compile(r" (\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?: \((\d+)\))?$")
UNDO = "Undo "


def last_action(log: pd.DataFrame) -> str | None:
    """The newest action not undone yet (undos themselves are not undone)."""
    actions = {a for a in log["action"] if isinstance(a, str)}
    undone = {a[len(UNDO):] for a in actions if a.startswith(UNDO)}
    runs = [(m[1], int(m[2] or 1), a) for a in actions
            if not a.startswith(UNDO) and a not in undone and (m := _STAMP.search(a))]
    return max(runs)[2] if runs else None


def _spec_for(tracker: Tracker, sheet: str) -> SheetSpec | None:
    for spec in (*ALL_SHEETS, TA_ARCHIVE):
        if tracker.sheet(spec) == sheet:
            return spec
    return None


def _parse(spec: SheetSpec, field: str, text: str | None):
    if text is None or (isinstance(text, float) and text != text):  # a blank Old reads back as NaN
        return None
    kind = spec.column(field).kind
    if kind is Kind.DATE:
        return date.fromisoformat(text[:10]) if re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", text) else text
    if kind is Kind.INT:
        return int(float(text))
    if kind is Kind.NUMBER:
        return float(text)
    return text


def _keys(frame: pd.DataFrame, spec: SheetSpec) -> list[str]:
    return [key_text(v) for v in frame[list(spec.key)].itertuples(index=False)]


def undo(tracker: Tracker, ctx: Context) -> Outcome:
    log = tracker.table(CHANGE_LOG, required=False)
    target = last_action(log.frame) if log.exists else None
    if target is None:
        raise UserError("there is nothing to undo: the Change Log has no prodbook action that is not "
                        "already undone", file=tracker.file, sheet=log.sheet)
    action = target
    entries = log.frame[log.frame["action"] == action]
    findings: list[Finding] = []
    changes: list[Change] = []
    by_sheet = {s: e for s, e in entries.groupby("sheet", sort=False)}
    archive_rows: dict[str, dict] = {}
    put_back: list[dict] = []
    for sheet, group in by_sheet.items():
        spec = _spec_for(tracker, sheet)
        if spec is TA_ARCHIVE:  # rows the action took back from the archive go back there
            back, done = _put_back(tracker, sheet, group)
            put_back += back
            changes += done
            continue
        if spec is None or spec is CHANGE_LOG or not spec.key:
            continue
        table = tracker.table(spec, required=False)
        if not spec.generated:
            found, done = _undo_cells(tracker, table, group)
            findings += found
            changes += done
            continue
        frame = table.frame.copy()
        keys = _keys(frame, spec)
        source = list(map(int, frame["_row"]))
        drop: set[int] = set()
        where: dict[str, list[int]] = {}
        for i, k in enumerate(keys):
            where.setdefault(k.upper(), []).append(i)
        filled_by_us = [c.field for c in spec.columns if not c.user and c.field not in spec.key]
        for e in reversed(group.to_dict("records")):
            positions = where.get(str(e["key"]).upper(), [])
            if e["field"] == FILLED:
                for i in positions:
                    for f in filled_by_us:
                        frame.at[i, f] = None
                changes.append(Change(sheet, e["key"], "(emptied)", None, e["key"]))
            elif e["field"] == NEW_ROW:
                drop.update(positions)
                changes.append(Change(sheet, e["key"], "(removed)", None, e["key"]))
            elif e["field"] == ARCHIVED:
                restored = _take_from_archive(tracker, e["key"], archive_rows)
                if restored is not None:
                    frame = pd.concat([frame, pd.DataFrame([restored])], ignore_index=True)
                    keys.append(e["key"])
                    source.append(None)
                    changes.append(Change(sheet, e["key"], "(restored)", None, e["key"]))
            else:
                field = next((c.field for c in spec.columns if c.header == e["field"]), None)
                if field is None or not positions:
                    continue
                i = positions[0]
                if log_text(frame.at[i, field]) != e["new"]:
                    findings.append(_conflict(tracker, table, i, field, e))
                    continue
                frame.at[i, field] = _parse(spec, field, e["old"])
                changes.append(Change(sheet, e["key"], e["field"], e["new"], e["old"]))
        keep = [i for i in range(len(frame)) if i not in drop]
        tracker.replace_rows(table, frame.iloc[keep], list(spec.fields), [source[i] for i in keep])
    if archive_rows or put_back:
        _restage_archive(tracker, archive_rows, put_back)
    tracker.log(changes)
    return Outcome(f"{UNDO}{action}", findings, changes,
                   summary=[f"Undid '{action}': {len(changes):,} change(s) reverted."],
                   data={"undone": action})


def _shown(v: object) -> str:
    return "blank" if v in (None, "") else f"'{v}'"


def _conflict(tracker: Tracker, table: Table, i: int, field: str, e: dict) -> Finding:
    return warning(Code.BAD_VALUE, f"not undone: this cell was changed again after '{e['action']}' "
                   f"(it was {_shown(e['new'])}, now {_shown(log_text(table.frame.at[i, field]))}); change it by "
                   f"hand if needed", file=tracker.file, sheet=table.sheet,
                   row=int(table.frame.at[i, "_row"]), column=table.header_of(field), value=e["old"])


def _undo_cells(tracker: Tracker, table: Table, group: pd.DataFrame
                ) -> tuple[list[Finding], list[Change]]:
    """A user sheet: put each old value back in place, cell by cell."""
    keys = _keys(table.frame, table.spec)
    findings, changes = [], []
    for e in reversed(group.to_dict("records")):
        field = next((c.field for c in table.spec.columns if c.header == e["field"]), None)
        if field is None or e["key"] not in keys:
            continue
        i = keys.index(e["key"])
        if log_text(table.frame.at[i, field]) != e["new"]:
            findings.append(_conflict(tracker, table, i, field, e))
            continue
        tracker.backend.edit(CellEdit(table.sheet, int(table.frame.at[i, "_row"]), table.columns[field],
                                      _parse(table.spec, field, e["old"])))
        changes.append(Change(table.sheet, e["key"], e["field"], e["new"], e["old"]))
    return findings, changes


def _take_from_archive(tracker: Tracker, key: str, taken: dict[str, dict]) -> dict | None:
    archive = tracker.table(TA_ARCHIVE, required=False)
    keys = _keys(archive.frame, TA_ARCHIVE)
    for i in reversed(range(len(keys))):
        if keys[i].upper() == key.upper() and i not in {v["_pos"] for v in taken.values()}:
            row = archive.frame.iloc[i].to_dict()
            taken[f"{key}#{i}"] = {"_pos": i}
            return {k: v for k, v in row.items() if k not in ("archived", "reason", "_row")}
    return None


def _put_back(tracker: Tracker, sheet: str, group: pd.DataFrame) -> tuple[list[dict], list[Change]]:
    """Rows a T&A rebuild took back from the archive, as the T&A holds them now, with when and why."""
    ta = tracker.table(TA, required=False)
    keys = [k.upper() for k in _keys(ta.frame, TA)]
    rows, changes = [], []
    for e in group[group["field"] == TAKEN_BACK].to_dict("records"):
        if str(e["key"]).upper() not in keys:
            continue  # no longer on the T&A: nothing to put back
        row = ta.frame.iloc[keys.index(str(e["key"]).upper())]
        rows.append({**{f: row[f] for f in TA.fields}, "archived": _parse(TA_ARCHIVE, "archived", e["old"]),
                     "reason": e["new"]})
        changes.append(Change(sheet, e["key"], "(put back)", None, e["key"]))
    return rows, changes


def _restage_archive(tracker: Tracker, taken: dict[str, dict], put_back: Sequence[dict] = ()) -> None:
    archive = tracker.table(TA_ARCHIVE, required=False)
    gone = {v["_pos"] for v in taken.values()}
    keep = [i for i in range(len(archive.frame)) if i not in gone]
    frame = archive.frame.iloc[keep]
    source: list[int | None] = list(map(int, frame["_row"]))
    if put_back:
        frame = pd.concat([frame[list(TA_ARCHIVE.fields)], pd.DataFrame(list(put_back))], ignore_index=True)
        source += [None] * len(put_back)
    tracker.replace_rows(archive, frame, list(TA_ARCHIVE.fields), source if archive.exists else None)
