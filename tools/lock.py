"""Write requirements.lock: the exact version of every package `pip install -e ".[test]"` brings in,
as installed in this environment (where the tests passed).

`make lock` runs it. The Makefile installs with the lock as constraints (`-c requirements.lock`), so a
fresh clone gets the versions the tests and the golden digest were made with; a package the lock does
not name (a new dependency before the next `make lock`) still installs, at its newest version.

    .venv/bin/python tools/lock.py > requirements.lock
"""

from __future__ import annotations

import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

EXTRAS = ("test",)
"""The extras `make` installs."""


def wanted(pyproject: Path, extras: tuple[str, ...]) -> list[Requirement]:
    """prodbook's own requirements, read from pyproject.toml (not from an install that may be older)."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    lines = list(project["dependencies"])
    for extra in extras:
        lines += project["optional-dependencies"][extra]
    return [Requirement(line) for line in lines]


def closure(roots: list[Requirement]) -> dict[str, str]:
    """{name: installed version} of every package the roots require, directly or not, on this platform
    (markers evaluated here: a Windows-only dependency of xlwings is not locked on Linux)."""
    env = {k: str(v) for k, v in default_environment().items()}
    found: dict[str, str] = {}
    seen: set[tuple[str, frozenset[str]]] = set()
    todo = [r for r in roots if not r.marker or r.marker.evaluate({**env, "extra": ""})]
    while todo:
        req = todo.pop()
        key = canonicalize_name(req.name)
        if (key, frozenset(req.extras)) in seen:
            continue
        seen.add((key, frozenset(req.extras)))
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            sys.exit(f"{req.name} is not installed: run `make` (or pip install -e '.[test]') first")
        found[key] = dist.version
        for line in dist.requires or ():
            sub = Requirement(line)
            if not sub.marker or any(sub.marker.evaluate({**env, "extra": e}) for e in ("", *req.extras)):
                todo.append(sub)
    return found


def main() -> None:
    pins = closure(wanted(Path(__file__).parent.parent / "pyproject.toml", EXTRAS))
    sys.stdout.write(f"# The versions `make` installs (as pip constraints). Made by tools/lock.py (prodbook"
                     f"[{','.join(EXTRAS)}], Python {sys.version_info.major}.{sys.version_info.minor}, "
                     f"{sys.platform}); do not edit: run `make lock`.\n")
    for name in sorted(pins):
        sys.stdout.write(f"{name}=={pins[name]}\n")


if __name__ == "__main__":
    main()
