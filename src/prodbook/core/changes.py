"""What the Change Log records: one changed value, and values written the way the log shows them.

Every value prodbook changes is logged so an action can be undone and a report
can say what changed; these are the rules for how a value reads in the log.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from prodbook.core.cells import Formula, Value


@dataclass(frozen=True)
class Change:
    """One changed value, as the Change Log records it."""

    sheet: str
    key: str
    field: str
    old: Any
    new: Any


UNDO = "Undo "
"""How an undo's action starts: 'Undo Refresh 2027-03-03 10:00:00 UTC-5'."""


def undone(actions: Iterable[Any]) -> set[str]:
    """The actions undone since (each with its 'Undo ...' action): what they changed is no longer there."""
    names = {a for a in actions if isinstance(a, str)}
    return {a[len(UNDO):] for a in names if a.startswith(UNDO)}


NEW_ROW = "(new row)"
FILLED = "(filled)"
"""A row typed by the user (key, Actual) whose generated columns prodbook filled for the first time."""
ARCHIVED = "(archived)"
ARCHIVED_FROM = "T&A row"
"""Old of an ``ARCHIVED`` line: "T&A row 57", the row it left (an older log says "T&A row" alone)."""


def archived_from(old: Any) -> int | None:
    """The Excel row an archived row left, from its line's Old; None for an older log's line."""
    m = re.fullmatch(rf"{re.escape(ARCHIVED_FROM)} (\d+)", str(old or "").strip())
    return int(m[1]) if m else None
REMOVED = "(removed)"
"""A row the run took off a generated sheet; Old holds the whole row (``prodbook.core.row_snapshot``)."""
REMOVED_MORE = "(removed, continued)"
"""The rest of a removed row too long for one Change Log cell."""


def part_tag(n: int, total: int, row: int | None) -> str | None:
    """The New cell of each line of a removed row logged over several: which part, of which row. A team
    that sorts its Change Log (by Key, by Field) parts the lines; undo joins them again by this."""
    return None if total < 2 else f"part {n} of {total}" + (f", row {row}" if row is not None else "")


_PART = re.compile(r"part (\d+) of (\d+)(?:, row (\d+))?")


def part_of(tag: Any) -> tuple[int, int, int | None] | None:
    """(part, parts, Excel row) from ``part_tag``'s text; None for a line logged without one."""
    m = _PART.fullmatch(tag) if isinstance(tag, str) else None
    return (int(m[1]), int(m[2]), int(m[3]) if m[3] else None) if m else None


def cell_value(v: Any) -> Value:
    """pandas/numpy scalars to what the writer takes."""
    if v is None or v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, float) and np.isnan(v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime() if (v.hour or v.minute or v.second) else v.date()
    if isinstance(v, np.datetime64):
        return None if np.isnat(v) else cell_value(pd.Timestamp(v))
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v


def log_text(v: Any) -> str | None:
    if isinstance(v, Formula):  # a link: the text it shows
        v = v.result
    v = cell_value(v)
    if v is None:
        return None
    if isinstance(v, datetime):
        return v.isoformat(sep=" ", timespec="seconds")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def log_texts(values: Iterable[Any]) -> list[str | None]:
    """``log_text`` of many values: text as it is, each distinct value of any other kind once (a first build
    logs 44,000 rows of a few hundred days; a day later 350,000 changed cells hold a few hundred dates and
    variances, as numpy gives them)."""
    seen: dict[tuple[type, Any], str | None] = {}
    out: list[str | None] = []
    for v in values:
        t = type(v)
        if t is str:
            out.append(v)  # log_text of a str is the str
        elif v is None:
            out.append(None)
        elif t in _BY_VALUE and (t not in _TIMES or v.tzinfo is None):  # equal values read the same
            text = seen.get((t, v), _UNSEEN)
            if text is _UNSEEN:  # NaN and NaT equal nothing: worked out each time, as log_text gives them
                text = seen[(t, v)] = log_text(v)
            out.append(text)
        else:
            out.append(log_text(v))
    return out


_BY_VALUE = frozenset({date, datetime, int, float, bool, pd.Timestamp, np.datetime64, np.int64, np.int32,
                       np.float64, np.bool_})
"""Kinds of value whose log text is a function of the value alone (and of its type: 1, 1.0 and True are one
dictionary key, so the type is part of it). A zone-aware time is not: its zone prints."""
_TIMES = (datetime, pd.Timestamp)
"""Times, keyed by value only without a zone: two zone-aware times of one instant are equal, and print apart."""
_UNSEEN: Any = object()


def as_logged_number(v: Any) -> int | float | None:
    """A number the Change Log keeps as a number cell, as it reads back: a whole one as an int. None for any
    other value, and for a number a cell would not give back as it is (past Excel's 15 digits, infinite): that
    is logged as text, as ``log_text`` writes it. Text is never read as a number here: '6203424016' typed as
    text stays text, and so does a vendor's '=1+2'."""
    v = cell_value(v)
    if type(v) is int:
        return v if abs(v) < 10**15 else None
    if type(v) is float and math.isfinite(v) and float(f"{v:.15g}") == v:
        return int(v) if v.is_integer() and abs(v) < 1e15 else v
    return None


def log_values(values: Iterable[Any]) -> list[str | int | float | None]:
    """Old and New as the Change Log writes them: a number as a number (``as_logged_number``), so that undo can
    put back 6203424016 typed as a number in a text column (HTS Code) as a number, not the text Excel flags
    as a number stored as text; every other value as ``log_texts`` gives it (a date as its ISO text)."""
    values = list(values)
    out: list[str | int | float | None] = list(log_texts(values))
    numbers: dict[tuple[type, Any], int | float | None] = {}
    for i, v in enumerate(values):  # text, blanks and dates (most of a log) pass by on their type alone
        t = type(v)
        if t in _NOT_NUMBERS or v is None:
            continue
        if t in _BY_VALUE:  # each distinct number (a day's variances) once
            n = numbers.get((t, v), _UNSEEN)
            if n is _UNSEEN:
                n = numbers[(t, v)] = as_logged_number(v)
        else:
            n = as_logged_number(v)
        if n is not None:
            out[i] = n
    return out


_NOT_NUMBERS = frozenset({str, date, datetime, pd.Timestamp, np.datetime64})


def same_logged(a: Any, b: Any) -> bool:
    """Two values equal as the Change Log writes them: every kind of blank (None, NaN, '') is one blank, and
    outer spaces do not count (a sheet's text is read trimmed; a logged Old is read as written)."""
    return (log_text(a) or "").strip() == (log_text(b) or "").strip()


def row_prints(columns: Sequence[Any]) -> list[str]:
    """A short print of each row's values as the Change Log would write them, one list per column.

    A run logs it in Old of each row it adds (or fills), so undo can tell a row the APM typed in since
    (in any column, prodbook's own too) from one as the run left it. A time at midnight counts as its day:
    the file and Excel give a date column back either way."""
    texts = [_texts(c) for c in columns]
    return [f"{PRINT}{zlib.crc32(chr(31).join(row).encode()):08x}" for row in zip(*texts, strict=True)]


PRINT = "as written #"
"""How a row's print starts in the Old column of its '(new row)' or '(filled)' line."""


def _texts(values: Any) -> list[str]:
    """Each value's ``log_text`` ('' for a blank), a column at once where numpy can: a first build prints
    44,000 rows. A time at midnight reads as its day."""
    a = values if isinstance(values, np.ndarray) else np.asarray(values)
    if a.dtype.kind == "M":  # a column of days (a T&A's dates): its text at once, not a Timestamp a cell
        days = a.astype("datetime64[D]")
        if bool((days == a)[~np.isnat(a)].all()):
            return np.where(np.isnat(days), "", np.datetime_as_string(days)).tolist()
    if a.dtype.kind in "iu":
        return a.astype(str).tolist()
    if a.dtype.kind == "f" and bool(np.all(np.isnan(a) | ((a == np.round(a)) & (np.abs(a) < 2.0**53)))):
        whole = np.where(np.isnan(a), 0, a).astype(np.int64).astype(str)
        return np.where(np.isnan(a), "", whole).tolist()
    texts = log_texts(a.tolist() if a.dtype.kind in "fb" else values)
    return [t[:10] if t is not None and len(t) == 19 and t.endswith(" 00:00:00") else (t or "") for t in texts]


def is_print(old: Any) -> bool:
    return isinstance(old, str) and old.startswith(PRINT)


def run_stamp(now: datetime) -> str:
    """The time in a run's name, with its zone: 'Refresh 2027-03-03 16:00:00 UTC+8'. A team in Hong Kong
    and New York sharing one tracker, or a run in the hour that repeats when summer time ends, would
    otherwise order its runs wrongly, and undo would take back another run than the last."""
    offset = (now if now.tzinfo else now.astimezone()).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    hours, rest = divmod(abs(minutes), 60)
    return f"{now:%Y-%m-%d %H:%M:%S} UTC{'-' if minutes < 0 else '+'}{hours}" + (f":{rest:02d}" if rest else "")


_RUN_STAMP = re.compile(r" (\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?: UTC([+-])(\d{1,2})(?::(\d{2}))?)?"
                        r"(?: \((\d+)\))?$")


def run_order(action: str) -> tuple[datetime, int] | None:
    """Where a run's name puts it in time, in UTC (None: not a run's name). A name without a zone (written
    before names had one) is taken in this PC's zone."""
    m = _RUN_STAMP.search(action)
    if m is None:
        return None
    try:
        local = datetime.fromisoformat(m[1])
    except ValueError:  # 'Refresh 2026-02-30 10:00:00', '... 24:00:00': typed by hand, no run's name
        return None
    if m[2] is None:
        offset = local.astimezone().utcoffset() or timedelta(0)
    else:
        offset = timedelta(hours=int(m[3]), minutes=int(m[4] or 0)) * (-1 if m[2] == "-" else 1)
    return local - offset, int(m[5] or 1)


def oldest_actions_first(actions: Sequence[Any], stamps: Sequence[Any],
                         rows: Sequence[int] | None = None) -> list[tuple[str, int]]:
    """The log's actions, oldest first, each with its row count.

    By each action's earliest timestamp, not by row position: a team may have sorted the log. An
    action with no readable timestamp counts as the oldest (kept in the order first seen), so
    rotation never moves a newer run ahead of one whose time is unknown. Blank actions are one group.
    ``rows``: each entry stands for that many rows one after another (runs of a row each by default).
    """
    names = pd.Series(list(actions), dtype=object)
    names = names.where(names.notna(), "").astype(str)
    times = pd.to_datetime(pd.Series(list(stamps), dtype=object), errors="coerce", format="mixed")
    count = np.ones(len(names), dtype=np.int64) if rows is None else np.asarray(rows, dtype=np.int64)
    frame = pd.DataFrame({"name": names.to_numpy(), "t": times.to_numpy(), "n": count,
                          "i": np.cumsum(count) - count})
    g = frame.groupby("name", sort=False).agg(t=("t", "min"), i=("i", "min"), n=("n", "sum"))
    g = g.sort_values(["t", "i"], kind="stable", na_position="first")  # a time-less action: the oldest
    return [(str(a), int(n)) for a, n in zip(g.index, g["n"], strict=True)]


UNDO_SHARE = 0.9
"""The share of the file's size limits an undo's run lets the Change Log fill before it moves out a run that
Undo last could still reach (other runs move the log's oldest runs out at ``limits.GROWTH_SHARE``, 0.75): an APM
pressing Undo last again and again is going back through those runs. The rest is the margin for the next run's
read (its limits are the whole of them) and for the undo's rows being larger than the log's average."""


def newest_not_undone(actions: Iterable[Any], gone: Iterable[str] = ()) -> str | None:
    """The newest run's name among ``actions`` not undone yet, by the time in its name (``run_order``): what Undo
    last undoes. Undos themselves are not undone, nor an action that is no run's name (typed by hand). ``gone``:
    runs known undone elsewhere (by an undo in a newer part of the log)."""
    names = {a for a in actions if isinstance(a, str)}
    done = undone(names) | set(gone)
    runs = [(when, a) for a in names
            if not a.startswith(UNDO) and a not in done and (when := run_order(a)) is not None]
    return max(runs)[1] if runs else None


def undo_needs_none(oldest_first: Sequence[tuple[str, int]], undoing: str) -> int:
    """How many of the log's oldest actions (``oldest_actions_first``) no Undo last will ever need, this run being
    the undo of ``undoing``: runs already undone (that one included), undos, and actions no run's name, up to the
    first run Undo last could still reach, which stops it (the next one to undo, or one older than it).

    An undo whose run stays in the log stops it too: moved out alone, it would leave that run to be undone a
    second time."""
    names = [a for a, _ in oldest_first]
    done = undone([*names, UNDO + undoing])
    at = {a: i for i, a in enumerate(names)}
    for i, a in enumerate(names):
        if a.startswith(UNDO):
            if at.get(a[len(UNDO):], -1) > i:
                return i
        elif a not in done and run_order(a) is not None:
            return i
    return len(names)


def actions_to_move(oldest_first: Sequence[tuple[str, int]], new_rows: int, room: int,
                    undoing: str | None = None, most: int | None = None) -> int | None:
    """How many of the oldest actions leave the Change Log so that it and this run's rows fit in ``room``.

    0 when everything fits. Otherwise whole actions go, oldest first, until what stays is at most half
    the room (or, when this run alone fills more than half, what is left beside it): the log is then
    trimmed once in a long while, not on every run. None when this run's rows alone pass the room.

    ``undoing``: this run is the undo of that run. Only actions no undo needs any more go
    (``undo_needs_none``), never a run Undo last, pressed again, would reach: the log may then hold up to
    ``most`` rows (the size an undo may fill, ``UNDO_SHARE``; ``room`` when not given), past ``room``. Only
    when even that would not hold it do the oldest runs go as on any other run.
    """
    held = sum(n for _, n in oldest_first)
    if held + new_rows <= room:
        return 0
    if new_rows > room:
        return None
    keep = min(room - new_rows, room // 2)
    moved = 0
    for count, (_, n) in enumerate(oldest_first, start=1):
        held -= n
        moved = count
        if held <= keep:
            break
    if undoing is None:
        return moved
    free = undo_needs_none(oldest_first, undoing)
    if moved <= free:
        return moved
    stays = sum(n for _, n in oldest_first[free:])
    return free if stays + new_rows <= max(room, most or 0) else moved
