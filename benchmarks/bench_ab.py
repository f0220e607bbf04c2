"""Two versions of prodbook side by side, interleaved: `prodbook ta` first build and daily run, CPU seconds.

Prints figures; it is not a test. This machine's speed moves by up to half for minutes at a time, so two
codes measured one after the other compare two stretches of the machine: here they alternate, round by
round, each on a tracker its own code built (the first build's result, with five Actual dates typed, is
the daily run's start):

    git worktree add /tmp/old REV
    .venv/bin/python benchmarks/bench_ab.py /tmp/old/src               # 2,000 PO lines, 5 rounds
    PRODBOOK_AB_LINES=10000 PRODBOOK_AB_ROUNDS=3 .venv/bin/python benchmarks/bench_ab.py /tmp/old/src
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import bench_scale as scale

HERE = Path(__file__).resolve().parent


def measure(src: str, args: list[str]) -> float:
    """CPU seconds of `prodbook ARGS` run from the source tree ``src``, in a fresh process."""
    env = {**os.environ, "PYTHONPATH": src}
    out = subprocess.run([sys.executable, "-c", scale._MEASURE, sys.executable, "-m", "prodbook.cli", *args],
                         capture_output=True, text=True, env=env)
    return float(json.loads(out.stdout.strip().splitlines()[-1])[1])


def main() -> None:
    trees = {"old": sys.argv[1], "new": str(HERE.parent / "src")}
    n = int(os.environ.get("PRODBOOK_AB_LINES", "2000"))
    rounds = int(os.environ.get("PRODBOOK_AB_ROUNDS", "5"))
    today, day = scale.TODAY.isoformat(), (scale.TODAY + timedelta(days=1)).isoformat()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        built = scale.write_tracker(folder / "built.xlsx", n)
        if n >= 10_000:  # the size limits raised, as bench_scale does
            (folder / "prodbook.toml").write_text(scale.BIG_LIMITS)
        typed = {}
        for name, src in trees.items():
            work = folder / f"work-{name}.xlsx"
            shutil.copy(built, work)
            measure(src, ["ta", "--today", today, str(work)])
            typed[name] = folder / f"typed-{name}.xlsx"
            shutil.copy(work, typed[name])
            scale.type_actuals(typed[name])
        got: dict[str, list[float]] = {f"{t} {k}": [] for t in trees for k in ("first", "daily")}
        for r in range(rounds):
            for name in ("old", "new") if r % 2 == 0 else ("new", "old"):
                work = folder / f"work-{name}.xlsx"
                shutil.copy(built, work)
                got[f"{name} first"].append(measure(trees[name], ["ta", "--today", today, str(work)]))
                shutil.copy(typed[name], work)
                got[f"{name} daily"].append(measure(trees[name], ["ta", "--today", day, str(work)]))
    print(f"{n:,} PO lines, {rounds} rounds, CPU seconds (old: {trees['old']})")
    for key, values in got.items():
        print(f"  {key:12s} best {min(values):.2f}  median {sorted(values)[len(values) // 2]:.2f}  "
              f"rounds {' '.join(f'{v:.2f}' for v in values)}")


if __name__ == "__main__":
    main()
