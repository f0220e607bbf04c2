"""Adopted style profiles are locked: a later change to a key field is flagged until accepted.

The locked values live in the workbook, on the generated "Style Snapshot"
sheet (one row per adopted style and key field): the lock travels with the
file when it is e-mailed or opened in Excel with the add-in, the APM can read
and filter it, and a change is judged against the value when the style was
adopted, not against whatever the last run happened to see. A change stays
flagged on the Issues sheet, run after run, until the APM accepts it (Accept =
Yes, then Apply fixes on the prodbook tab or ``prodbook validate <tracker> --apply``) or puts the locked value back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from prodbook.core.cancel import fmt
from prodbook.core.changes import NEW_ROW, Change, log_text, same_logged
from prodbook.core.development import fiber, tariff
from prodbook.core.development.discrepancies import APPLY
from prodbook.core.development.styles_check import StyleSettings, is_adopted
from prodbook.core.findings import Code, Finding, Fix, warning
from prodbook.core.keys import fold_text, key_text, once_each, split_colors
from prodbook.core.model.records import DROPPED_STYLE_STATUSES
from prodbook.core.model.sheets import STYLE_SNAPSHOT, STYLES
from prodbook.core.where import Place, records


@dataclass
class LockResult:
    frame: pd.DataFrame
    """The Style Snapshot rows to write (its fields)."""
    source_rows: list[int | None]
    """Each row's Excel row on the current sheet (None: new)."""
    findings: list[Finding] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)


def _style_key(style: Any) -> str:
    return str(style).strip().upper()


def _field_key(header: str) -> str:
    return header.strip().lower()


def lock_styles(styles: pd.DataFrame, snapshot: pd.DataFrame, settings: StyleSettings, place: Place,
                snapshot_sheet: str, today: date, open_lines: Mapping[str, int] | None = None) -> LockResult:
    """Compare adopted styles with their locked key fields; lock newly adopted ones.

    Args:
        styles: valid Styles rows (fields + ``_row``).
        snapshot: the Style Snapshot sheet's rows (fields + ``_row``), possibly empty.
        settings: which statuses are adopted and which fields are locked.
        place: the Styles sheet, for naming cells in findings.
        snapshot_sheet: the snapshot sheet's name, for the Change Log.
        today: the run's date (Locked On, Changed On).
        open_lines: style (``fold_text``) -> its PO lines on Orders not cancelled. A locked style whose
            Status is no longer adopted (set back to 'Development') while it has open lines is named, and its
            fields are still compared with the Style Snapshot; without open lines its lock rests.
    """
    fields = list(STYLE_SNAPSHOT.fields)
    rows = records(snapshot[fields + ["_row"]]) if len(snapshot) else []
    # each distinct style and field folded once (a snapshot holds 9 rows a style)
    index = {k: i for i, k in enumerate(zip(once_each([r["style"] for r in rows], _style_key),
                                            once_each([r["field"] or "" for r in rows], _field_key)))}
    findings: list[Finding] = []
    changes: list[Change] = []

    def set_(r: dict[str, Any], f: str, new: Any) -> None:
        """Change one value of a lock row, logged (every one, so undo puts each back)."""
        if not same_logged(r[f], new):
            changes.append(Change(snapshot_sheet, key_text((r["style"], r["field"])),
                                  STYLE_SNAPSHOT.column(f).header, r[f], new))
        r[f] = new

    # each locked field's header and its part of the key once, not once per style (5,000 styles x 9 fields)
    headers = [(f, STYLES.column(f).header, STYLES.column(f).header.strip().lower()) for f in settings.locked]
    locked_styles = {k[0] for k in index}  # a style set back to development keeps only the locks it had
    for s in records(styles, ("style", "status", "_row", *settings.locked)):  # boxed into dicts: the columns read
        style = _style_key(s["style"])
        if not is_adopted(s.get("status"), settings) and not _still_locked(s, style, locked_styles, open_lines or {},
                                                                           place, findings):
            continue
        for f, header, folded in headers:
            text = _text(s.get(f))
            i = index.get((style, folded))
            if i is None and not is_adopted(s.get("status"), settings):
                continue  # set back to development: only what was locked is compared
            if i is None:
                r = {"style": s["style"], "field": header, "locked": text, "locked_on": today,
                     "current": None, "changed_on": None, "_row": None}
                index[(style, folded)] = len(rows)
                rows.append(r)
                changes.append(Change(snapshot_sheet, key_text((s["style"], header)), NEW_ROW, None,
                                      text))
                continue
            r = rows[i]
            locked = _text(r["locked"])
            if _same(text, locked) or _same_meaning(f, text, locked):
                if r["current"] is not None or r["changed_on"] is not None:
                    set_(r, "current", None)
                    set_(r, "changed_on", None)
                continue
            if locked is None:  # a blank key field filled in later completes the profile
                set_(r, "locked", text)
                set_(r, "locked_on", today)
                continue
            if not (_same(_text(r["current"]), text) or _same_meaning(f, text, _text(r["current"]))):
                set_(r, "current", text)
                set_(r, "changed_on", today)
            since = r["changed_on"]
            when = f" (first seen {fmt(since)})" if isinstance(since, date) else ""
            lock_day = r["locked_on"]
            locked_when = f" on {fmt(lock_day)}" if isinstance(lock_day, date) else ""
            findings.append(warning(
                Code.ADOPTED_CHANGED,
                f"this adopted style's {place.header(f)} changed from '{locked}' (locked{locked_when}) "
                f"to '{text or '(blank)'}'{when}. Check the change was agreed (vendor, costing, "
                f"customs). To keep it, type Yes in Accept on this row of the Issues sheet and {APPLY}; "
                "otherwise put the old value back",
                **place.at(s["_row"], f, key=s["style"], value=s.get(f)),
                fix=Fix(locked, f"{snapshot_sheet} (locked{locked_when})", text)))
    frame = pd.DataFrame(rows, columns=fields + ["_row"])
    source = [None if pd.isna(v) else int(v) for v in frame["_row"]]
    return LockResult(frame[fields], source, findings, changes)


def _still_locked(s: Mapping[str, Any], style: str, locked_styles: set[str],
                  open_lines: Mapping[str, int], place: Place, findings: list[Finding]) -> bool:
    """Whether a style no longer adopted keeps its lock: it was locked and has open PO lines (then a warning
    on its Status says so). A dropped style's lines are dropped with it."""
    status = s.get("status")
    if isinstance(status, str) and status.strip().lower() in DROPPED_STYLE_STATUSES:
        return False
    n = open_lines.get(fold_text(s["style"]), 0)
    if not n or style not in locked_styles:
        return False
    now = "blank" if status is None or not str(status).strip() else f"now {str(status).strip()}"
    findings.append(warning(
        Code.STYLE_LOCK_SUSPENDED,
        f"style {s['style']} has {n:,} open PO line{'' if n == 1 else 's'} but its Status is {now}, so its "
        "profile is no longer locked; while those lines are open, prodbook keeps comparing its key fields "
        "with the Style Snapshot. If it is still in production, put its Status back (e.g. Adopted); if not, "
        "cancel its PO lines on Orders",
        **place.at(s["_row"], "status", key=s["style"], value=status)))
    return True


def _text(v: Any) -> str | None:
    """``log_text``, with text (most key fields) taken as it is: what log_text gives a str."""
    return v if type(v) is str else log_text(v)


def _same(a: str | None, b: str | None) -> bool:
    if a == b:
        return True
    if a is None or b is None:
        return False
    try:
        return abs(float(a) - float(b)) < 1e-9
    except ValueError:
        return a.strip() == b.strip()


def _same_meaning(f: str, a: str | None, b: str | None) -> bool:
    """Two writings of one value of field ``f`` that mean the same: 'Elastane' and 'elastane', a comma added
    to the fiber content, HTS 6109.10.0012 and 6109100012, COO Vietnam and VN, colours re-spaced. A rewrite
    like these is no change to flag; a value that cannot be read either way is compared as text."""
    if a is None or b is None:
        return False
    if " ".join(a.split()).casefold() == " ".join(b.split()).casefold():
        return True
    if f == "fiber_content":
        x, y = fiber.read_fiber(a), fiber.read_fiber(b)
        return x.ok and y.ok and x.normalised() == y.normalised()
    if f == "hts":
        x_h, y_h = tariff.parse_hts(a)[0], tariff.parse_hts(b)[0]
        return x_h is not None and y_h is not None and x_h.digits == y_h.digits
    if f == "coo":
        code = tariff.country_code(a)
        return code is not None and code == tariff.country_code(b)
    if f == "colors":
        return [c.casefold() for c in split_colors(a)] == [c.casefold() for c in split_colors(b)]
    return False
