"""The Exceptions sheet: its columns, which Status is closed, the rows the APM typed, and ``merge``: this
run's findings into the sheet's history (an exception keeps its ID, Owner, Status and Resolution across runs;
one no longer found is resolved by data, never deleted)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import pandas as pd

from prodbook.core.cells import is_missing, text_or_empty
from prodbook.core.exceptions.lines import facts_of, identity, identity_of
from prodbook.core.findings import Code, Finding, Subject
from prodbook.core.keys import line_key

OPEN, RESOLVED_BY_DATA = "Open", "Resolved by data"
RESOLVED_NOTE = "No longer found by prodbook on"
CLOSED_WORDS = frozenset({"resolved", "resolved by data", "closed", "done", "cancelled", "canceled",
                          "fixed", "n/a"})


_CODES = frozenset(Code)


EXCEPTION_FIELDS = ("id", "detected", "po", "style", "color", "vendor", "rule", "severity", "detail",
                    "status", "owner", "resolution")
_ID = re.compile(r"(\d+)\s*$")
FACTS = "_facts"
"""A column of ``merge``'s frame, not of the sheet (the writer writes ``EXCEPTION_FIELDS`` alone): each row's
facts as the rule that found it in this run gave them (``Found.facts``), for the follow-ups to tell the
vendor; None for a row no rule found in this run (one the APM added, one resolved by data)."""


_CLOSED = re.compile(r"\s*(" + "|".join(sorted(map(re.escape, CLOSED_WORDS), key=len, reverse=True))
                     + r")(?=$|[\s.,;:!()\[\]\-–—])", re.I)
"""A Status that starts with a closing word, alone or followed by the APM's note: 'Closed', 'Closed - vendor
pays air', 'Resolved: buyer agreed 5-Jun', 'Done.' ('Not closed', 'Closedown?' are not)."""


def is_closed(status: Any) -> bool:
    """The exception is closed: by the APM (Status Closed, Resolved, Done, Cancelled..., with or without a
    note after it) or by prodbook (Resolved by data)."""
    return not is_missing(status) and _CLOSED.match(str(status)) is not None


def is_open(status: Any) -> bool:
    """The exception is open: its Status is anything but a closing word (``is_closed``). A blank Status is
    open: a row the APM typed by hand is an open exception from the moment it is typed, for the follow-ups,
    the report and the counts, before the next run fills in 'Open' (``merge``)."""
    return not is_closed(status)


_CONTENT = ("po", "style", "color", "rule", "detail")
"""What says which exception a row is: a row the APM typed with none of these (a Status, an Owner alone) is
not one yet."""


def awaits_id(rec: Mapping[Any, Any]) -> bool:
    """A row the APM added to the Exceptions sheet, ID left blank, saying what it is about or what is wrong (a
    PO #, Style #, Color, Rule or Detail): the next run gives it an ID. A blank row is not an exception."""
    return not text_or_empty(rec.get("id")) and any(text_or_empty(rec.get(f)) for f in _CONTENT)


def known_rule(value: Any) -> bool:
    """A Rule cell holding the code of one of prodbook's rules (any case): the rules find and resolve its
    exception. Any other text is the APM's own exception, theirs to close."""
    return text_or_empty(value).lower() in _CODES


def highest_id(frame: pd.DataFrame) -> int:
    """The highest number of an ID on the sheet ('EX-0042' -> 42), 0 with none."""
    ids = frame["id"].tolist() if "id" in frame.columns else []
    return max((int(m[1]) for v in ids if not is_missing(v) and (m := _ID.search(str(v)))), default=0)


def merge(old: pd.DataFrame, found: Iterable[Finding], today: date, *, prefix: str = "EX-",
          stopped: Mapping[str, str] | None = None, issued: int = 0) -> tuple[pd.DataFrame, list[int | None]]:
    """The Exceptions sheet after this run, in sheet order, and the old Excel row of each (None: new); the
    frame also holds each row's facts (``FACTS``), never written to the sheet.

    Found again: same ID, Detected, Owner, Status and Resolution (an exception prodbook had resolved by data
    is reopened). New: next ID, detected today, Open. Not found any more: Resolved by data, with the date
    in Resolution unless the user wrote one; never deleted. ``stopped`` (``line_key`` -> why the line is no
    longer wanted): the Resolution of its exceptions says why, so the APM sees they closed with the line.
    ``issued``: the highest ID number ever given in this workbook (kept beside the sheet): a row the APM
    deleted does not give its ID to the next new exception, which e-mails and the Change Log would confuse.
    A row the APM added without an ID (``awaits_id``) gets the next one (and today as Detected and 'Open' as
    Status, each when blank: a Status they typed stays) and keeps the rest as typed; under a Rule of their
    own, no rule of prodbook's finds or resolves it.
    Under a rule's code it is that rule's exception (no second row when the rule finds it), resolved by data
    from the next run on, not the run that reads it first.
    """
    rows: list[dict[str, Any]] = []
    source: list[int | None] = []
    for r in old.to_dict("records"):
        rows.append({f: (None if is_missing(r.get(f)) else r.get(f)) for f in EXCEPTION_FIELDS} | {FACTS: None})
        source.append(int(r["_row"]) if not is_missing(r.get("_row")) else None)
    numbers = [int(m[1]) for r in rows if r["id"] and (m := _ID.search(str(r["id"])))]
    next_id = max([*numbers, issued]) + 1
    numbered: set[int] = set()
    for at, rec in enumerate(rows):  # a row the APM added: its ID now, in sheet order, before this run's new ones
        if awaits_id(rec):
            rec["id"] = f"{prefix}{next_id:04d}"
            rec["detected"] = rec["detected"] or today  # its age counts from the day the sheet first showed it
            if not text_or_empty(rec["status"]):  # open, as a filter on Status = Open shows it (``is_open``)
                rec["status"] = OPEN
            next_id += 1
            numbered.add(at)
    by_identity: dict[tuple[str, str], int] = {}
    for at, rec in enumerate(rows):
        if rec["id"] and rec["rule"]:
            by_identity.setdefault(identity(rec["rule"], rec["po"], rec["style"], rec["color"], rec["vendor"]), at)
    seen: set[int] = set()
    for f in found:
        s, key = f.subject or Subject(), identity_of(f)
        i = by_identity.get(key)
        if i is not None and i not in seen:
            seen.add(i)
            rec = rows[i]
            rec.update(severity=str(f.severity), detail=f.message, vendor=s.vendor or rec["vendor"])
            rec[FACTS] = facts_of(f)
            if rec["status"] == RESOLVED_BY_DATA:
                rec["status"] = OPEN
                if str(rec["resolution"] or "").startswith(RESOLVED_NOTE):
                    rec["resolution"] = None
            continue
        if i is not None:
            continue  # the same exception twice in one run
        rec = {"id": f"{prefix}{next_id:04d}", "detected": today, "po": s.po, "style": s.style,
               "color": s.color, "vendor": s.vendor, "rule": str(f.code), "severity": str(f.severity),
               "detail": f.message, "status": OPEN, "owner": None, "resolution": None, FACTS: facts_of(f)}
        next_id += 1
        by_identity[key] = len(rows)
        seen.add(len(rows))
        rows.append(rec)
        source.append(None)
    for i, rec in enumerate(rows):
        if i in seen or i in numbered or not rec["id"] or not known_rule(rec["rule"]) or is_closed(rec["status"]):
            continue  # found again, closed, just typed in, or the APM's own (their Rule): not resolved by data
        rec["status"] = RESOLVED_BY_DATA
        if not rec["resolution"]:
            why = stopped.get(line_key(rec["po"], rec["style"], rec["color"])) if stopped and rec["po"] else None
            rec["resolution"] = f"{RESOLVED_NOTE} {today.isoformat()}" + (f": {why}" if why else "")
    return pd.DataFrame(rows, columns=[*EXCEPTION_FIELDS, FACTS]), source


def open_exceptions(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of the Exceptions sheet still open (not closed by the user or resolved by data)."""
    if frame.empty:
        return frame
    return frame[frame["status"].map(is_open)]
