"""A tracker into the roll-up database: all of it, replacing its earlier load, or nothing.

``prepare`` reads a tracker's record sheets (through the same ``Tracker`` the
jobs use, so the team's sheet names, headers and date order apply) into one
frame per table, with every row that cannot be stored as it stands: a cell
that does not read as its column's kind (a date, a number), a key left
blank, a key repeated. ``load`` then, in ONE transaction, claims the
tracker's row in ``trackers`` (a second loader of the same tracker waits on
it), deletes the tracker's rows and inserts the new ones table by table. A
table with a bad row stops the load there and the transaction rolls back: the
database holds the tracker's last good load, or nothing of it, never half.
The database's own constraints (keys, types) are the last guard, with the
same outcome.

A tracker is known by its file (the full path) and its season, so next
season's tracker in the same file is a new load and last season's rows stay.
The path is compared as the system compares it (``id_key``: one Unicode form,
and without case on Windows and macOS), so one workbook reached by two
spellings is one tracker. Each colleague reaches a shared workbook through
their own synced folder (OneDrive, Teams): a Config ``Tracker ID`` then names
it instead of its path, and ``twins`` warns of the same file name loaded from
two places without one.
Issues and Change Log are prodbook's own logs: a cell there that does not
read is stored blank rather than stopping the load.
"""

from __future__ import annotations

import getpass
import hashlib
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from prodbook.core.cells import NA, is_blank, text_or_empty
from prodbook.core.findings import Code, Finding, Severity, error, warning
from prodbook.core.keys import line_key
from prodbook.core.model.sheets import ORDERS, STYLES
from prodbook.store.db import Database, shown_url
from prodbook.store.rollup import NO_SEASON
from prodbook.store.schema import (
    CHANGE_LOG_T,
    EXCEPTIONS_T,
    ISSUES_T,
    PO_LINES_T,
    RECORD_TABLES,
    TA_T,
    TRACKERS,
    StoreTable,
)
from prodbook.workbook.tables import Table, duplicate_keys
from prodbook.workbook.tracker import Tracker

LENIENT = (ISSUES_T.name, CHANGE_LOG_T.name)
"""prodbook's own logs: what does not read there is stored blank."""


@dataclass(frozen=True)
class Identity:
    """Which tracker a load is: its file and season (``tracker_id`` hashes the two)."""

    tracker_id: str
    file: str
    file_name: str
    season: str
    division: str | None
    file_modified: datetime
    file_sha256: str
    own_id: str | None = None
    """Config 'Tracker ID', when the tracker has one."""
    carried: tuple[tuple[str, int], ...] = ()
    """The seasons its styles carry and how many styles each, when no Config 'Season' names it."""


@dataclass
class SheetRows:
    """One table's rows from the tracker, and the rows that keep the tracker out."""

    table: StoreTable
    sheet: str
    frame: pd.DataFrame
    bad: list[Finding] = field(default_factory=list)


@dataclass
class Prepared:
    identity: Identity
    as_of: date
    tables: list[SheetRows]
    notes: list[Finding] = field(default_factory=list)
    """What the run should say of this tracker as it loads it (its own settings, say)."""
    in_dc_code: str | None = None
    """Its Config 'In-DC Code' (None: prodbook's default), kept in ``trackers``: the roll-up's scorecards judge
    its DDP lines on that milestone, as its own scorecard does."""
    default_terms: str | None = None
    """Its Config 'Default Terms' (None: prodbook's default), the terms of its lines whose Terms is blank."""

    def rows(self) -> int:
        return sum(len(t.frame) for t in self.tables)


class NotLoaded(Exception):
    """The tracker was not loaded (the transaction rolled back); ``findings`` say why and where."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        super().__init__(findings[0].text() if findings else "not loaded")
        self.findings = list(findings)


CASE_BLIND = sys.platform in ("win32", "darwin")
"""Windows' and macOS' file systems: 'FW27.xlsx' and 'fw27.xlsx' are one file there."""
TRACKER_ID = "Tracker ID"
"""The Config setting that names a tracker in the roll-up instead of its path."""


def tracker_id(file: str, season: str) -> str:
    return hashlib.sha256(f"{file}\n{season}".encode()).hexdigest()[:16]


def file_key(path: Path) -> str:
    """The file as the database shows it: its full path, with forward slashes, in one Unicode form (a Mac
    gives a name typed with an accent in another form than Windows)."""
    return unicodedata.normalize("NFC", path.resolve().as_posix())


def id_key(file: str, own: str | None = None) -> str:
    """What a tracker's id hashes: its Config ``Tracker ID`` when it has one (without case), else its path as
    the system compares paths."""
    if own:
        return "id:" + unicodedata.normalize("NFC", own.strip()).casefold()
    key = unicodedata.normalize("NFC", file)
    return key.casefold() if CASE_BLIND else key


def season_key(season: str) -> str:
    """A season as the roll-up compares it: 'FW 27', 'fw-27' and 'FW27' are one season."""
    return re.sub(r"[\s._/-]+", "", unicodedata.normalize("NFKC", str(season))).upper()


def _seasons(values: pd.Series) -> tuple[tuple[str, int], ...]:
    """The seasons a tracker's styles carry, most styles first, each once however it is spelled."""
    texts = [v.strip() for v in values if _carries(v)]
    first: dict[str, str] = {}
    for t in texts:
        first.setdefault(season_key(t), t)
    counts = Counter(season_key(t) for t in texts)
    return tuple((first[k], n) for k, n in counts.most_common())


def _carries(value: Any) -> bool:
    """A Season cell that names a season (what ``_seasons`` counts): text, not blank."""
    return isinstance(value, str) and bool(value.strip())


def identity(tracker: Tracker, path: Path) -> Identity:
    """File, season and division of a tracker: Config 'Season' / 'Division' first, else its Styles."""
    styles = tracker.table(STYLES, required=False).frame
    carried = _seasons(styles["season"]) if len(styles) and "season" in styles.columns else ()
    configured = str(tracker.config.get("Season") or "").strip()
    season = configured or (carried[0][0] if carried else "")
    division = tracker.config.get("Division")
    if not division and len(styles):
        names = sorted({str(v).strip() for v in styles["division"] if isinstance(v, str) and v.strip()})
        division = ", ".join(names[:4]) + (", ..." if len(names) > 4 else "") if names else None
    key = file_key(path)
    own = str(tracker.config.get(TRACKER_ID) or "").strip() or None
    data = path.read_bytes()
    return Identity(tracker_id(id_key(key, own), str(season)), key, path.name, str(season), division,
                    datetime.fromtimestamp(path.stat().st_mtime).replace(microsecond=0),
                    hashlib.sha256(data).hexdigest(), own, () if configured else carried)


SHOWN_STYLES = 5
"""Styles without a season named in the warning; the rest are counted."""


def unseasoned(tracker: Tracker, ident: Identity) -> list[Finding]:
    """What the roll-up says of a tracker whose season its styles do not say, once per tracker (never a row at a
    time): with no Config 'Season' and no season on any style, it is loaded all the same, under a blank season
    the roll-up shows as '(no season)'; with some styles' Season blank, it is filed under the season the others
    carry, which is said, with those styles, so that it is not a silent guess. Each names the Styles sheet and
    its Season column and says to type the season there."""
    if str(tracker.config.get("Season") or "").strip():
        return []
    file, again = ident.file_name, "save, and run the roll-up again. Its lines are loaded all the same"
    config = "or add the setting 'Season' to the Config sheet"
    if not tracker.has(STYLES):
        return [warning(Code.SHEET_MISSING, (
            f"this tracker has no {tracker.sheet(STYLES)} sheet, so the roll-up cannot tell which season it is and "
            f"shows it under {NO_SEASON}. Add the setting 'Season' to its Config sheet with the season (such as "
            f"FW27), {again}"), file=file, sheet=tracker.sheet(STYLES))]
    table = tracker.table(STYLES, required=False)
    frame, sheet, column = table.frame, table.sheet, table.header_of("season")
    if "season" not in table.columns:
        return [warning(Code.COLUMN_MISSING, (
            f"the {sheet} sheet has no {column} column, so the roll-up cannot tell which season this tracker is "
            f"and shows it under {NO_SEASON}. Add a column headed {column} and type each style's season in it "
            f"(such as FW27), {config}; {again}"), file=file, sheet=sheet, column=column)]
    if not len(frame):
        return [warning(Code.REQUIRED, (
            f"the {sheet} sheet lists no styles, so the roll-up cannot tell which season this tracker is and shows "
            f"it under {NO_SEASON}. Add the setting 'Season' to the Config sheet with the season (such as FW27), or "
            f"list the styles with their {column}; {again}"), file=file, sheet=sheet, column=column)]
    blank = ~frame["season"].map(_carries).astype(bool)
    if not blank.any():
        return []
    if blank.all():
        return [warning(Code.REQUIRED, (
            f"the {column} column of the {sheet} sheet is blank for every style ({len(frame):,}), so the roll-up "
            f"cannot tell which season this tracker is and shows it under {NO_SEASON}. Type each style's season in "
            f"that column (such as FW27), {config}; {again}"), file=file, sheet=sheet, column=column)]
    named = [f"{text_or_empty(s) or 'a style'} (row {int(r)})"
             for s, r in zip(frame.loc[blank, "style"], frame.loc[blank, "_row"])]
    more = f" and {len(named) - SHOWN_STYLES:,} more" if len(named) > SHOWN_STYLES else ""
    has, their = ("has", "its") if len(named) == 1 else ("have", "their")
    return [warning(Code.REQUIRED, (
        f"{len(named):,} of the {len(frame):,} styles {has} no {column}: {', '.join(named[:SHOWN_STYLES])}{more}. "
        f"The roll-up files the whole tracker, {their} lines included, under {ident.season}, the season "
        f"{'most of ' if len(ident.carried) > 1 else ''}the other styles carry. Type {their} season in the {column} "
        f"column of the {sheet} sheet ({config} to say which season the whole tracker is), save, and run the "
        "roll-up again"), file=file, sheet=sheet, column=column)]


def sheet_rows(tracker: Tracker, table: StoreTable) -> SheetRows:
    """A table's rows as read from its sheet, named as the table's columns, and its bad rows."""
    spec = table.sheet
    assert spec is not None
    required = spec is ORDERS
    if not required and not tracker.has(spec):
        return SheetRows(table, tracker.sheet(spec), pd.DataFrame(columns=list(table.names)))
    read = tracker.table(spec, required=required)
    frame = read.frame
    data = {c.name: frame[c.field] if c.field in frame.columns else None
            for c in table.columns if c.name not in ("tracker_id", "sheet_row", "is_open")}
    out = pd.DataFrame(data, index=frame.index).assign(sheet_row=frame["_row"])
    if table.name in LENIENT:
        return SheetRows(table, read.sheet, out.reset_index(drop=True))
    # a key column missing from the header is said once (the table's finding): its rows are neither 'empty'
    # one by one nor 'repeated' on the rest of the key
    keyed = all(k in read.columns for k in spec.key)
    found = [*read.findings, *blank_keys(read, tracker.file),
             *(duplicate_keys(read, tracker.file, later_ignored=False) if keyed else [])]
    bad = [f for f in found if f.severity is Severity.ERROR]
    return SheetRows(table, read.sheet, out.reset_index(drop=True), bad)


def blank_keys(table: Table, file: str) -> list[Finding]:
    """Rows with a required cell left blank (a T&A row without its PO #): the row cannot be told apart. A blank
    the next run fills (``Column.given``: a new exception's ID) is not one."""
    out: list[Finding] = []
    frame = table.frame
    for col in table.spec.columns:
        if not col.required or col.given or col.field not in frame.columns or col.field not in table.columns \
                or not len(frame):
            continue  # a column missing from the header is one finding (the table's own), not one per row
        values = frame[col.field]
        blank = values.isna() | values.map(lambda v: isinstance(v, str) and not v.strip())
        for row in frame.loc[blank, "_row"]:
            out.append(error(Code.REQUIRED, f"'{table.header_of(col.field)}' is empty; fill it in", file=file,
                             sheet=table.sheet, row=int(row), column=table.header_of(col.field)))
    return out


def prepare(tracker: Tracker, path: Path, as_of: date, po_lines: pd.DataFrame | None = None,
            is_open: pd.Series | None = None, stopped: Collection[str] = frozenset()) -> Prepared:
    """Every record table of a tracker, read once (no database needed yet).

    ``po_lines``: the production report's lines (``core.report.po_lines``), stored as ``po_lines``;
    ``is_open``: for each Exceptions row as read, whether it is still open (``core.exceptions``);
    ``stopped``: the PO lines (``line_key``) no longer wanted (cancelled on Orders, their style dropped): their
    milestones without an Actual are no longer open, even before the next T&A run takes them to the archive.
    """
    tables = [sheet_rows(tracker, t) for t in RECORD_TABLES]
    for t in tables:
        if t.table is EXCEPTIONS_T and is_open is not None and len(t.frame):
            t.frame["is_open"] = list(is_open)
        if t.table is TA_T and len(t.frame):  # an Actual 'N/A' typed since the last T&A run: no longer open
            t.frame.loc[t.frame["actual"].map(lambda v: v == NA), "status"] = NA
            if stopped:
                gone = [line_key(*k) in stopped and is_blank(a) for *k, a in
                        zip(t.frame["po"], t.frame["style"], t.frame["color"], t.frame["actual"])]
                t.frame.loc[gone, "status"] = NA
    lines = po_lines if po_lines is not None else pd.DataFrame(columns=list(PO_LINES_T.names))
    tables.append(SheetRows(PO_LINES_T, "Production Report", lines.assign(as_of=as_of)))
    ident = identity(tracker, path)
    return Prepared(ident, as_of, tables, unseasoned(tracker, ident))


def load(db: Database, prepared: Prepared, *, now: datetime | None = None, user: str | None = None) -> int:
    """Replace the tracker's rows with ``prepared``'s, in one transaction; returns the rows loaded.

    Raises ``NotLoaded`` (nothing changed in the database) when a table holds a bad row or the database
    refuses a row.
    """
    ident = prepared.identity
    now = now or datetime.now().replace(microsecond=0)
    with db.transaction():
        _absorb(db, ident)
        # claim the tracker first: a second loader of the same tracker waits here until this one is done
        db.execute(
            f"INSERT INTO {TRACKERS.name} ({', '.join(TRACKERS.names)}) "
            f"VALUES ({', '.join('?' * len(TRACKERS.names))}) "
            "ON CONFLICT (tracker_id) DO UPDATE SET file = EXCLUDED.file, file_name = EXCLUDED.file_name, "
            "division = EXCLUDED.division, as_of = EXCLUDED.as_of, loaded_at = EXCLUDED.loaded_at, "
            "loaded_by = EXCLUDED.loaded_by, file_modified = EXCLUDED.file_modified, "
            "file_sha256 = EXCLUDED.file_sha256, in_dc_code = EXCLUDED.in_dc_code, "
            "default_terms = EXCLUDED.default_terms",
            (ident.tracker_id, ident.file, ident.file_name, ident.season, ident.division, prepared.as_of, now,
             user or _user(), ident.file_modified, ident.file_sha256, prepared.in_dc_code, prepared.default_terms))
        for t in prepared.tables:
            db.execute(f"DELETE FROM {t.table.name} WHERE tracker_id = ?", (ident.tracker_id,))
        for t in prepared.tables:
            if t.bad:
                raise NotLoaded(not_loaded(ident.file_name, t.bad))
            try:
                db.insert(t.table, t.frame.assign(tracker_id=ident.tracker_id))
            except Exception as exc:  # the database refused a row: the same outcome, in its words
                if not _is_data_error(exc):
                    raise
                raise NotLoaded([error(Code.TRACKER_NOT_LOADED, (
                    f"the database {shown_url(db.url)} refused the rows of sheet '{t.sheet}' "
                    f"({_first_line(exc)}). Fix that sheet, then run the roll-up again. Nothing of this "
                    "tracker was loaded; the roll-up shows its last good load, if any"),
                    file=ident.file_name, sheet=t.sheet)]) from exc
    return prepared.rows()


def _absorb(db: Database, ident: Identity) -> None:
    """Drop this tracker's loads made under another id, so it is counted once: the same file and season spelled
    otherwise (another case, another Unicode form, 'FW 27' for 'FW27', an id from before ``id_key``) or loaded
    before it had a Tracker ID; and a load of the same workbook, byte for byte, from another path (a colleague's
    synced folder, a copy beside it). Its rows are loaded again next. And, once the tracker has a season, its load
    from before it had one (its season typed since the roll-up said it had none): a tracker whose season is blank
    is none of the seasons, not one of its own, and its lines would be counted twice."""
    for other, file, sha in _same_season(db, ident, "tracker_id, file, file_sha256"):
        if id_key(str(file)) != id_key(ident.file) and sha != ident.file_sha256:
            continue
        forget(db, str(other))
    if not season_key(ident.season):
        return
    for other, file in db.rows(f"SELECT tracker_id, file FROM {TRACKERS.name} WHERE tracker_id <> ? AND "
                               "COALESCE(season, '') = ''", (ident.tracker_id,)):
        if id_key(str(file)) == id_key(ident.file):
            forget(db, str(other))


def spelled_alike(db: Database, seasons: Sequence[str]) -> list[str]:
    """The seasons as the database spells them, every spelling of each ('FW27' and a colleague's 'FW 27'):
    what the roll-up's queries take."""
    keys = {season_key(s) for s in seasons}
    stored = [str(r[0]) for r in db.rows(f"SELECT DISTINCT season FROM {TRACKERS.name}") if r[0] is not None]
    return list(dict.fromkeys([*seasons, *sorted(s for s in stored if season_key(s) in keys)]))


def _when(at: Any) -> str:
    """A load's time as the sheets show a date (07-Apr-27 09:30), whichever database gave it."""
    if isinstance(at, str):
        try:
            at = datetime.fromisoformat(at)
        except ValueError:
            return at[:16]
    return f"{at:%d-%b-%y %H:%M}" if isinstance(at, datetime) else str(at)[:16]


def forget(db: Database, tracker_id: str) -> None:
    """Take a tracker's load out of the database, every table."""
    for table in (*RECORD_TABLES, PO_LINES_T):
        db.execute(f"DELETE FROM {table.name} WHERE tracker_id = ?", (tracker_id,))
    db.execute(f"DELETE FROM {TRACKERS.name} WHERE tracker_id = ?", (tracker_id,))


def gone_from(db: Database, folders: Sequence[Path], seasons: Sequence[str]) -> list[Finding]:
    """Take out of the roll-up the loads of ``seasons`` made from one of ``folders`` whose workbook is no longer
    there (deleted, renamed, moved to another folder): a folder rolled up is the season's trackers, so a
    workbook gone from it would still be counted, and a renamed one twice. Each is named, with what to do."""
    places = {id_key(file_key(f)) for f in folders}
    keys = {season_key(s) for s in seasons}
    out: list[Finding] = []
    rows = db.rows(f"SELECT tracker_id, file, file_name, season, loaded_by, loaded_at FROM {TRACKERS.name}")
    for tid, file, name, season, by, at in rows:
        text = str(file or "")
        folder = text.rsplit("/", 1)[0] if "/" in text else ""
        if season_key(str(season or "")) not in keys or id_key(folder) not in places or Path(text).exists():
            continue
        with db.transaction():
            forget(db, str(tid))
        shown = f" (season {season})" if season else ""
        out.append(Finding(Code.TRACKER_TWICE, Severity.WARNING, (
            f"'{name}'{shown}, loaded on {_when(at)} by {by} from the folder {folder}, is no longer in that "
            "folder, so its lines were taken out of the roll-up. If it was renamed or moved, its new file is "
            "counted instead when it is rolled up; if it was taken out by mistake, put it back and run the "
            "roll-up again"), file=str(name), value=text))
    return out


def _same_season(db: Database, ident: Identity, columns: str) -> list[tuple[Any, ...]]:
    """The other loads of this tracker's season, however the season is spelled (the last column: its season)."""
    rows = db.rows(f"SELECT {columns}, season FROM {TRACKERS.name} WHERE tracker_id <> ?", (ident.tracker_id,))
    key = season_key(ident.season)
    return [r[:-1] for r in rows if season_key(str(r[-1] or "")) == key]


def twins(db: Database, ident: Identity) -> list[Finding]:
    """Warnings, before a load, where the roll-up may count one tracker twice or lose one: the same file name
    and season already loaded from another folder (each colleague's own synced copy of a shared workbook),
    or this Tracker ID already naming another workbook."""
    out: list[Finding] = []
    rows = _same_season(db, ident, "tracker_id, file, file_name, loaded_by, loaded_at, file_sha256")
    season = f" (season {ident.season})" if ident.season else ""
    out += _mixed_seasons(db, ident)
    for _, file, name, by, at, sha in rows:
        if sha == ident.file_sha256 and id_key(str(file)) != id_key(ident.file):
            out.append(Finding(Code.TRACKER_TWICE, Severity.WARNING, (
                f"'{ident.file_name}'{season} is the same workbook, byte for byte, as {file} (loaded by {by} on "
                f"{_when(at)}), so it is counted once, as this load. If one of them is a copy (\"{name} - "
                "Copy\", a synced duplicate), delete or move it, so the two do not part ways"),
                file=ident.file_name, value=str(file)))
            continue
        if ident.own_id is None and unicodedata.normalize("NFC", str(name)).casefold() == \
                unicodedata.normalize("NFC", ident.file_name).casefold() and id_key(str(file)) != id_key(ident.file):
            out.append(Finding(Code.TRACKER_TWICE, Severity.WARNING, (
                f"'{ident.file_name}'{season} is also in the roll-up from {file} (loaded by {by} on "
                f"{_when(at)}). If that is this same workbook, reached through another person's synced "
                f"folder, its lines are counted twice: add the setting '{TRACKER_ID}' to its Config sheet with "
                "a name of your choice (such as FW27-WOVENS), save, and run the roll-up again; each load of it "
                "is then one tracker. If it is another tracker, give one of them another file name"),
                file=ident.file_name, value=str(file)))
    if ident.own_id is not None:
        same = db.rows(f"SELECT file, file_name FROM {TRACKERS.name} WHERE tracker_id = ?", (ident.tracker_id,))
        for file, name in same:
            if unicodedata.normalize("NFC", str(name)).casefold() != \
                    unicodedata.normalize("NFC", ident.file_name).casefold():
                out.append(Finding(Code.TRACKER_TWICE, Severity.WARNING, (
                    f"'{ident.file_name}' has the {TRACKER_ID} '{ident.own_id}'{season}, which '{name}' ({file}) "
                    f"has too: this load replaces that one in the roll-up. If they are two trackers (one saved "
                    f"as the other, its Config copied), give each its own '{TRACKER_ID}' in its Config sheet"),
                    file=ident.file_name, value=ident.own_id))
    return out


def _mixed_seasons(db: Database, ident: Identity) -> list[Finding]:
    """A tracker without a Config 'Season' whose styles carry two seasons is filed under the one most carry,
    and moves when next season's styles outnumber this one's: said, with its earlier load under another
    season, which stays in that season's roll-up."""
    if len(ident.carried) < 2:
        return []
    shown = ", ".join(f"{s} ({n} style{'s' if n > 1 else ''})" for s, n in ident.carried)
    out = [Finding(Code.TRACKER_TWICE, Severity.WARNING, (
        f"'{ident.file_name}' has styles of more than one season: {shown}. The roll-up files all its lines under "
        f"{ident.season}, the season most of them carry. Add the setting 'Season' to its Config sheet to say "
        "which season it is (or keep each season in a tracker of its own)"), file=ident.file_name)]
    key = id_key(ident.file)
    for file, season, at in db.rows(f"SELECT file, season, loaded_at FROM {TRACKERS.name} WHERE tracker_id <> ?",
                                    (ident.tracker_id,)):
        if id_key(str(file)) == key and season_key(str(season or "")) != season_key(ident.season):
            out.append(Finding(Code.TRACKER_TWICE, Severity.WARNING, (
                f"'{ident.file_name}' was loaded on {_when(at)} as season {season}, and that load stays in "
                f"season {season}'s roll-up beside this one of {ident.season}. Set its Config 'Season', and run "
                "the roll-up of both seasons again"), file=ident.file_name, value=str(season)))
    return out


def not_loaded(file: str, bad: Sequence[Finding]) -> list[Finding]:
    """The bad rows, and one sentence saying the tracker was kept out whole."""
    first = bad[0]
    more = f" and {len(bad) - 1} more problem(s) listed below" if len(bad) > 1 else ""
    head = error(Code.TRACKER_NOT_LOADED, (
        f"this tracker was not loaded into the roll-up: {first.where}{more} cannot be stored as it stands "
        f"({first.message}). Fix it in the workbook, save, and run the roll-up again. Nothing of this tracker "
        "was loaded; the roll-up shows its last good load, if any"), file=file, sheet=first.sheet, row=first.row,
        column=first.column, value=first.value)
    return [head, *(f if f.file else Finding(**{**f.__dict__, "file": file}) for f in bad)]


def not_read(file: str, finding: Finding) -> list[Finding]:
    """A tracker the roll-up could not read at all (damaged, not a tracker): its reason, and that its last
    good load stays."""
    return [error(Code.TRACKER_NOT_LOADED, f"this tracker was not loaded into the roll-up: {finding.message}. "
                  "The roll-up shows its last good load, if any", file=file, sheet=finding.sheet)]


def _is_data_error(exc: Exception) -> bool:
    """A constraint or conversion the database refused (not a lost connection or a bug)."""
    names = {c.__name__ for c in type(exc).__mro__}
    return bool(names & {"ConstraintException", "ConversionException", "IntegrityError", "DataError",
                         "InvalidInputException"})


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (service accounts, containers)
        return "prodbook"
