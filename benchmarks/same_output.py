"""Does a speed change write the same file? Run `prodbook` from two source trees on copies of one
tracker and compare every part of the two workbooks written.

    git worktree add --detach /tmp/before main
    python benchmarks/same_output.py /tmp/before/src src tracker.xlsx --today 2026-11-25 [--command refresh]

A run stamps the time into the Change Log (its Timestamp serials and the action's name), so those are
masked; everything else must be equal byte for byte. Prints the parts that differ (exit 1) or that every
part is the same (exit 0). Not a test: the golden digest and tests/ hold behaviour; this holds bytes.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

_RUN_TIME = (re.compile(rb"<v>\d{5}\.\d+</v>"), re.compile(rb"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"))


def written(src: Path, tracker: Path, folder: Path, args: list[str]) -> Path:
    """The tracker as `prodbook` from ``src`` leaves it (a prodbook.toml beside the tracker goes along)."""
    folder.mkdir()
    work = folder / tracker.name
    shutil.copy(tracker, work)
    if (tracker.parent / "prodbook.toml").exists():
        shutil.copy(tracker.parent / "prodbook.toml", folder)
    env = {**os.environ, "PYTHONPATH": str(src)}
    subprocess.run([sys.executable, "-m", "prodbook.cli", *args[:1], str(work), *args[1:]], env=env,
                   capture_output=True, check=False)
    return work


def masked(data: bytes) -> bytes:
    for pattern in _RUN_TIME:
        data = pattern.sub(b"<run time>", data)
    return data


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    ap.add_argument("tracker", type=Path)
    ap.add_argument("--today", required=True)
    ap.add_argument("--command", default="ta")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        args = [a.command, "--today", a.today]
        one, two = (zipfile.ZipFile(written(s.resolve(), a.tracker.resolve(), Path(tmp) / n, args))
                    for s, n in ((a.before, "before"), (a.after, "after")))
        if one.namelist() != two.namelist():
            print(f"the parts differ: {sorted(set(one.namelist()) ^ set(two.namelist()))}")
            return 1
        differ = [n for n in one.namelist() if masked(one.read(n)) != masked(two.read(n))]
        print("parts that differ: " + ", ".join(differ) if differ else
              f"every part of the {len(one.namelist())} is the same (the run's time masked)")
        return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
