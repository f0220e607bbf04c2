"""A throwaway PostgreSQL server for the roll-up tests: initdb + pg_ctl on a temporary folder.

The binaries come from the Debian ``postgresql`` package (``make test``
installs it in CI). initdb and the server refuse to run as root, and CI runs
as root: then they run as the ``postgres`` user the package creates (or
``nobody``) through ``runuser``, on a folder given to that user. Without the
binaries the tests that need the server are skipped, saying so.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SKIP_REASON = ("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): apt-get install postgresql, "
               "or run `make test` as root with CI set, which installs it")


def pg_bin() -> Path | None:
    """The newest installed PostgreSQL's bin folder."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    return found[-1].parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run_as() -> list[str]:
    """The command prefix that runs a server binary as an unprivileged user when we are root."""
    if os.geteuid() != 0:
        return []
    for user in ("postgres", "nobody"):
        try:
            pwd.getpwnam(user)
        except KeyError:
            continue
        return ["runuser", "-u", user, "--"]
    pytest.skip("running as root and no unprivileged user (postgres, nobody) to run PostgreSQL as")


@dataclass
class Server:
    bin: Path
    base: Path
    port: int
    prefix: list[str]
    _names: Iterator[int] = itertools.count(1)

    @property
    def admin_url(self) -> str:
        return f"postgresql://prodbook@127.0.0.1:{self.port}/postgres"

    def new_database(self) -> str:
        """A fresh, empty database on the server; its URL."""
        import psycopg

        name = f"rollup_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.admin_url, autocommit=True) as con:
            con.execute(f"CREATE DATABASE {name}")
        return f"postgresql://prodbook@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        subprocess.run([*self.prefix, str(self.bin / "pg_ctl"), "-D", str(self.base / "data"), "-m", "immediate",
                        "stop"], capture_output=True, timeout=60)


def start() -> Server:
    """initdb a cluster in a new temporary folder and start it on a free port (local, trust auth)."""
    binary = pg_bin()
    if binary is None:
        pytest.skip(SKIP_REASON)
    prefix = _run_as()
    base = Path(tempfile.mkdtemp(prefix="prodbook-pg-"))
    if prefix:
        user = prefix[2]
        shutil.chown(base, user=user)
    data, log = base / "data", base / "server.log"
    port = _free_port()

    def run(*args: str) -> None:
        done = subprocess.run([*prefix, *args], capture_output=True, text=True, timeout=180)
        if done.returncode:
            raise RuntimeError(f"{args[0]} failed: {done.stdout}\n{done.stderr}\n"
                               f"{log.read_text() if log.exists() else ''}")

    run(str(binary / "initdb"), "-D", str(data), "-U", "prodbook", "--auth=trust", "-E", "UTF8", "--no-locale",
        "--no-sync")
    run(str(binary / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "120", "-o",
        f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={base} -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off", "start")
    return Server(binary, base, port, prefix)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    server = start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.base, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: Server) -> str:
    """A fresh database on the session's server."""
    return pg_server.new_database()
