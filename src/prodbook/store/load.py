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
Issues and Change Log are prodbook's own logs: a cell there that does not
read is stored blank rather than stopping the load.
"""

from __future__ import annotations

import getpass
import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from prodbook.core.findings import Code, Finding, Severity, error
from prodbook.core.model.sheets import ORDERS, STYLES
from prodbook.store.db import Database, shown_url
from prodbook.store.schema import CHANGE_LOG_T, EXCEPTIONS_T, ISSUES_T, PO_LINES_T, RECORD_TABLES, TRACKERS, StoreTable
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

    def rows(self) -> int:
        return sum(len(t.frame) for t in self.tables)


class NotLoaded(Exception):
    """The tracker was not loaded (the transaction rolled back); ``findings`` say why and where."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        super().__init__(findings[0].text() if findings else "not loaded")
        self.findings = list(findings)


def tracker_id(file: str, season: str) -> str:
    return hashlib.sha256(f"{file}\n{season}".encode()).hexdigest()[:16]


def file_key(path: Path) -> str:
    """The file as the database knows it: its full path, with forward slashes."""
    return path.resolve().as_posix()


def _most_common(values: pd.Series) -> str | None:
    texts = [str(v).strip() for v in values if isinstance(v, str) and v.strip()]
    return Counter(texts).most_common(1)[0][0] if texts else None


def identity(tracker: Tracker, path: Path) -> Identity:
    """File, season and division of a tracker: Config 'Season' / 'Division' first, else its Styles."""
    styles = tracker.table(STYLES, required=False).frame
    season = tracker.config.get("Season") or (_most_common(styles["season"]) if len(styles) else None) or ""
    division = tracker.config.get("Division")
    if not division and len(styles):
        names = sorted({str(v).strip() for v in styles["division"] if isinstance(v, str) and v.strip()})
        division = ", ".join(names[:4]) + (", ..." if len(names) > 4 else "") if names else None
    key = file_key(path)
    data = path.read_bytes()
    return Identity(tracker_id(key, str(season)), key, path.name, str(season), division,
                    datetime.fromtimestamp(path.stat().st_mtime).replace(microsecond=0),
                    hashlib.sha256(data).hexdigest())


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
    found = [*read.findings, *blank_keys(read, tracker.file), *duplicate_keys(read, tracker.file)]
    bad = [f for f in found if f.severity is Severity.ERROR]
    return SheetRows(table, read.sheet, out.reset_index(drop=True), bad)


def blank_keys(table: Table, file: str) -> list[Finding]:
    """Rows with a required cell left blank (a T&A row without its PO #): the row cannot be told apart."""
    out: list[Finding] = []
    frame = table.frame
    for col in table.spec.columns:
        if not col.required or col.field not in frame.columns or not len(frame):
            continue
        values = frame[col.field]
        blank = values.isna() | values.map(lambda v: isinstance(v, str) and not v.strip())
        for row in frame.loc[blank, "_row"]:
            out.append(error(Code.REQUIRED, f"'{table.header_of(col.field)}' is empty; fill it in", file=file,
                             sheet=table.sheet, row=int(row), column=table.header_of(col.field)))
    return out


def prepare(tracker: Tracker, path: Path, as_of: date, po_lines: pd.DataFrame | None = None,
            is_open: pd.Series | None = None) -> Prepared:
    """Every record table of a tracker, read once (no database needed yet).

    ``po_lines``: the production report's lines (``core.report.po_lines``), stored as ``po_lines``;
    ``is_open``: for each Exceptions row as read, whether it is still open (``core.exceptions``).
    """
    tables = [sheet_rows(tracker, t) for t in RECORD_TABLES]
    for t in tables:
        if t.table is EXCEPTIONS_T and is_open is not None and len(t.frame):
            t.frame["is_open"] = list(is_open)
    lines = po_lines if po_lines is not None else pd.DataFrame(columns=list(PO_LINES_T.names))
    tables.append(SheetRows(PO_LINES_T, "Production Report", lines.assign(as_of=as_of)))
    return Prepared(identity(tracker, path), as_of, tables)


def load(db: Database, prepared: Prepared, *, now: datetime | None = None, user: str | None = None) -> int:
    """Replace the tracker's rows with ``prepared``'s, in one transaction; returns the rows loaded.

    Raises ``NotLoaded`` (nothing changed in the database) when a table holds a bad row or the database
    refuses a row.
    """
    ident = prepared.identity
    now = now or datetime.now().replace(microsecond=0)
    with db.transaction():
        # claim the tracker first: a second loader of the same tracker waits here until this one is done
        db.execute(
            f"INSERT INTO {TRACKERS.name} ({', '.join(TRACKERS.names)}) "
            f"VALUES ({', '.join('?' * len(TRACKERS.names))}) "
            "ON CONFLICT (tracker_id) DO UPDATE SET file = EXCLUDED.file, file_name = EXCLUDED.file_name, "
            "division = EXCLUDED.division, as_of = EXCLUDED.as_of, loaded_at = EXCLUDED.loaded_at, "
            "loaded_by = EXCLUDED.loaded_by, file_modified = EXCLUDED.file_modified, "
            "file_sha256 = EXCLUDED.file_sha256",
            (ident.tracker_id, ident.file, ident.file_name, ident.season, ident.division, prepared.as_of, now,
             user or _user(), ident.file_modified, ident.file_sha256))
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
