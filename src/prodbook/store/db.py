"""The roll-up database: DuckDB (a file, embedded) or PostgreSQL (a team's server), through plain SQL.

Why plain SQL and no SQLAlchemy: the schema is nine tables of standard SQL
that both engines take as written; the only differences are the parameter
marker (``?`` vs ``%s``) and the bulk load, which is each engine's own fast
path anyway (DuckDB reads a registered DataFrame; PostgreSQL takes COPY).
SQLAlchemy would add a dependency, a third-party DuckDB dialect and a layer
between the loader and those two fast paths, and give nothing back here.

``connect(url)`` opens either; every statement prodbook runs goes through
``Database.execute`` / ``frame`` / ``insert`` / ``transaction``.

DuckDB lets one process at a time open a database file for writing: a second
prodbook run waits for the file (``PRODBOOK_DB_WAIT`` seconds, default 120),
and each run holds it only while it writes one tracker or reads the roll-up.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pandas as pd

from prodbook.core.findings import UserError
from prodbook.core.model.sheets import Kind
from prodbook.store.schema import MIGRATIONS, SCHEMA_VERSION, VERSION_TABLE, StoreTable
from prodbook.workbook.lock import WorkbookBusy, WriteLock, read_holder, seconds_from_env
from prodbook.workbook.safety import NotWritten

DEFAULT_WAIT = 120.0
MIGRATION_LOCK = 150_150
"""PostgreSQL advisory lock key held while the schema is created or migrated."""


class DatabaseBusy(UserError):
    """Another prodbook run kept the database file for longer than the wait."""


_PG_SCHEME = re.compile(r"^\s*postgres(?:ql)?(?:\+[a-z0-9_]+)?://", re.IGNORECASE)
"""A server URL as IT or another tool writes it: 'postgresql://', 'postgres://', 'PostgreSQL://', and
SQLAlchemy's 'postgresql+psycopg2://' (a scheme is read without case)."""
_PASSWORD_WORD = re.compile(r"(password\s*=\s*)('[^']*'|\S+)", re.IGNORECASE)


def is_postgres(url: str) -> bool:
    return _PG_SCHEME.match(url) is not None


def server_url(url: str) -> str:
    """A server URL in the one spelling the PostgreSQL client takes: 'postgresql://' (lower case, no driver)."""
    return _PG_SCHEME.sub("postgresql://", url, count=1).strip()


def without_password(text: str, url: str = "") -> str:
    """``text`` with every password in it (a URL's 'user:password@', a 'password=...' word, ``url``'s own
    password wherever it is repeated) replaced by '***': a message never shows one."""
    secrets: list[str] = []
    for candidate in (url, text):
        for m in re.finditer(r"[a-z][a-z0-9+.-]*://[^/\s@]*@", candidate, re.IGNORECASE):
            userinfo = m.group(0).split("://", 1)[1][:-1]
            if ":" in userinfo:
                secrets.append(userinfo.split(":", 1)[1])
    secrets += [m.group(2).strip("'") for m in _PASSWORD_WORD.finditer(url or text)]
    out = _PASSWORD_WORD.sub(lambda m: m.group(1) + "***", text)
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        out = out.replace(secret, "***")
    return out


def shown_url(url: str) -> str:
    """The database as a message names it: a server URL without its password (nor its options)."""
    if not is_postgres(url):
        return without_password(url)
    try:
        parts = urlsplit(server_url(url))
        host = parts.hostname or ""
        netloc = (f"{parts.username}@" if parts.username else "") + host + (f":{parts.port}" if parts.port else "")
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    except ValueError:  # an unparsable URL: say only which server kind
        return "the PostgreSQL server"


class Database:
    """One open database; subclasses differ in the connection, the parameter marker and the bulk load."""

    kind = ""
    url = ""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        raise NotImplementedError

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def frame(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        raise NotImplementedError

    def insert(self, table: StoreTable, frame: pd.DataFrame) -> None:
        """Append ``frame``'s rows (columns named as ``table``'s) in one bulk load."""
        raise NotImplementedError

    @contextmanager
    def transaction(self) -> Iterator[None]:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def lock_migrations(self) -> None:
        """Keep a second process from migrating at the same time (a no-op where the engine already does)."""

    # -- the schema --------------------------------------------------------------------------------
    def version(self) -> int:
        """The schema version of this database (0: none yet)."""
        if not self._has_table("schema_version"):
            return 0
        got = self.rows("SELECT MAX(version) FROM schema_version")
        return int(got[0][0] or 0)

    def _has_table(self, name: str) -> bool:
        return bool(self.rows("SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() "
                             "AND table_name = ?", (name,)))

    def migrate(self) -> list[int]:
        """Create the schema or bring it up to ``SCHEMA_VERSION``; returns the steps applied.

        A database made by a newer prodbook is refused rather than written in a shape this one does not know.
        """
        if self.version() == SCHEMA_VERSION:
            return []
        done = []
        with self.transaction():
            self.lock_migrations()
            self.execute(VERSION_TABLE)
            have = self.version()
            if have > SCHEMA_VERSION:
                raise UserError(f"the database {shown_url(self.url)} has schema version {have}, made by a newer "
                                f"prodbook (this one knows up to {SCHEMA_VERSION}). Update prodbook, then run "
                                "the roll-up again. Nothing was loaded")
            for version, note, statements in MIGRATIONS:
                if version <= have:
                    continue
                for sql in statements:
                    self.execute(sql)
                self.execute("INSERT INTO schema_version (version, applied_at, note) VALUES (?, ?, ?)",
                             (version, datetime.now().replace(microsecond=0), note))
                done.append(version)
        return done


def _typed(frame: pd.DataFrame, table: StoreTable) -> pd.DataFrame:
    """The frame with each column in the dtype its SQL type takes (DuckDB reads dtypes, not values).

    A date column may hold the user's N/A: it is stored blank (the Status column says N/A).
    """
    out: dict[str, pd.Series] = {}
    n = len(frame)
    for col in table.columns:
        s = frame[col.name].reset_index(drop=True) if col.name in frame.columns else pd.Series([None] * n,
                                                                                              dtype=object)
        if col.kind in (Kind.DATE, Kind.DATETIME):
            out[col.name] = pd.to_datetime(pd.Series([v if isinstance(v, (date, pd.Timestamp)) else None
                                                      for v in s.to_numpy(dtype=object)], dtype=object),
                                           errors="coerce")
        elif col.kind is Kind.INT:
            out[col.name] = pd.to_numeric(s, errors="coerce").round().astype("Int64")
        elif col.kind is Kind.NUMBER:
            out[col.name] = pd.to_numeric(s, errors="coerce").astype("float64")
        elif col.kind is Kind.BOOL:
            out[col.name] = s.astype("boolean")
        else:
            out[col.name] = pd.Series([v if type(v) is str else (None if _blank(v) else str(v))
                                       for v in s.to_numpy(dtype=object)], dtype=object)
    return pd.DataFrame(out, columns=list(table.names))


def _blank(v: Any) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v)


def python_rows(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    """Rows of a typed frame as Python values (None for every kind of blank), for COPY."""
    cols = []
    for name in frame.columns:
        s = frame[name]
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            vals = [None if pd.isna(v) else (v.date() if v == v.normalize() else v.to_pydatetime())
                    for v in s]
        else:
            vals = [None if _blank(v) else (v.item() if hasattr(v, "item") else v) for v in s.astype(object)]
        cols.append(vals)
    return list(zip(*cols))


class DuckDatabase(Database):
    kind = "DuckDB"

    def __init__(self, path: Path, wait: float | None = None) -> None:
        import duckdb

        self.url = str(path)
        self._duckdb = duckdb
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # a network drive not connected, a name that is a file, no right to write there
            raise UserError(_no_folder(path.parent, exc)) from exc
        wait = wait if wait is not None else seconds_from_env("PRODBOOK_DB_WAIT", DEFAULT_WAIT)
        limit = time.monotonic() + wait
        # prodbook's own lock first: another prodbook roll-up is waited for on every OS and in every language,
        # and named; DuckDB's own refusal below is then only another program's
        self._lock = WriteLock(path, wait=wait, clean=False)
        try:
            self._lock.acquire()
        except WorkbookBusy as exc:
            raise DatabaseBusy(_busy(path, read_holder(self._lock.path).describe())) from exc
        except NotWritten as exc:
            raise UserError(_unopened(path, str(exc))) from exc
        except OSError as exc:  # no file may be made there (a read-only or system folder)
            raise UserError(_unopened(path, exc.strerror or type(exc).__name__)) from exc
        try:
            while True:
                try:
                    self.con = duckdb.connect(str(path))
                    break
                except duckdb.IOException as exc:  # another program has the file: wait for it
                    if not _in_use(exc, path):
                        raise UserError(_unopened(path, str(exc).splitlines()[0])) from exc
                    if time.monotonic() > limit:
                        raise DatabaseBusy(_busy(path)) from exc
                    time.sleep(0.2)
        except BaseException:
            self._lock.release()
            raise

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.con.execute(sql, list(params))

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, list(params)).fetchall()

    def frame(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        return self.con.execute(sql, list(params)).df()

    def insert(self, table: StoreTable, frame: pd.DataFrame) -> None:
        if frame.empty:
            return
        typed = _typed(frame, table)
        names = ", ".join(table.names)
        self.con.register("prodbook_load", typed)
        # on a refused row the transaction is aborted and takes no more statements: the registration then
        # stays until the next load replaces it
        self.con.execute(f"INSERT INTO {table.name} ({names}) SELECT {names} FROM prodbook_load")
        self.con.unregister("prodbook_load")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.con.begin()
        try:
            yield
        except BaseException:
            self.con.rollback()
            raise
        self.con.commit()

    def close(self) -> None:
        try:
            self.con.close()
        finally:
            self._lock.release()


class PgDatabase(Database):
    kind = "PostgreSQL"

    def __init__(self, url: str) -> None:
        import psycopg

        self.url = url
        try:
            self.con = psycopg.connect(server_url(url), autocommit=True, connect_timeout=15)
        except psycopg.Error as exc:  # not reached, refused, or a URL the client cannot read
            why = without_password(str(exc).strip().splitlines()[-1].strip().rstrip("?."), url)
            raise UserError(f"could not reach the roll-up database {shown_url(url)} ({why}). Check the server "
                            "name, port, database, user and password in --db (ask whoever runs the server), "
                            "then run the roll-up again (each tracker is loaded whole or not at all)") from exc

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("?", "%s")  # prodbook's SQL holds no literal question marks

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.con.execute(self._sql(sql), list(params) or None)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.con.execute(self._sql(sql), list(params) or None).fetchall()

    def frame(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        cur = self.con.execute(self._sql(sql), list(params) or None)
        names = [d.name for d in cur.description or ()]
        return pd.DataFrame(cur.fetchall(), columns=names)

    def insert(self, table: StoreTable, frame: pd.DataFrame) -> None:
        if frame.empty:
            return
        typed = _typed(frame, table)
        with self.con.cursor() as cur, cur.copy(
                f"COPY {table.name} ({', '.join(table.names)}) FROM STDIN") as copy:
            for row in python_rows(typed):
                copy.write_row(row)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.con.transaction():
            yield

    def lock_migrations(self) -> None:
        self.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))

    def close(self) -> None:
        self.con.close()


def _busy(path: Path, holder: str | None = None) -> str:
    who = (f"another prodbook roll-up ({holder})" if holder else
           "another program (another prodbook roll-up, or a tool that has it open)")
    return (f"the roll-up database {path} is in use by {who}. Close that, or wait for it to finish, and run the "
            "roll-up again (each tracker is loaded whole or not at all)")


def _no_folder(folder: Path, exc: OSError) -> str:
    """The database's folder cannot be reached or made: which, and why, in words."""
    why = ("a file has that name" if isinstance(exc, (FileExistsError, NotADirectoryError)) else
           "prodbook may not write there" if isinstance(exc, PermissionError) else
           "the drive or a folder on the way is not there" if isinstance(exc, FileNotFoundError) else
           exc.strerror or type(exc).__name__)
    return (f"the folder of the roll-up database, {folder}, cannot be reached or made ({why}). Connect the network "
            "drive (open it in File Explorer or Finder first), or name a database in a folder you can write to "
            "with --db PATH.duckdb")


def _unopened(path: Path, why: str) -> str:
    return (f"could not open the roll-up database {path} ({why}). Check that you may write in that folder, or "
            "name another file with --db PATH.duckdb")


def _in_use(exc: Exception, path: Path) -> bool:
    """Does another program hold the database file? DuckDB says "lock" where it locks the file itself (Linux,
    macOS); on Windows the system refuses the open in the user's own language, so ask the system instead."""
    if "lock" in str(exc).lower():
        return True
    try:
        with open(path, "r+b"):
            return False
    except OSError as probe:
        return getattr(probe, "winerror", None) in _WIN_IN_USE


_WIN_IN_USE = (32, 33)
"""ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION: another process has the file open, or locked."""


def connect(url: str | Path) -> Database:
    """Open the database ``url`` names: ``postgresql://...`` a server, anything else a DuckDB file."""
    text = str(url)
    if is_postgres(text):
        return PgDatabase(text)
    path = Path(text.removeprefix("duckdb:///").removeprefix("duckdb://"))
    if path.suffix.lower() not in (".duckdb", ".db", ".ddb"):
        raise UserError(f"--db {without_password(text)}: name a DuckDB file ending in .duckdb, or a PostgreSQL "
                        "server as postgresql://user:password@server/database")
    return DuckDatabase(path)


@contextmanager
def opened(url: str | Path) -> Iterator[Database]:
    """The database, migrated to the current schema, closed afterwards."""
    db = connect(url)
    try:
        db.migrate()
        yield db
    finally:
        db.close()
