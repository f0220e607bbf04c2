"""Run every benchmark script (benchmarks/bench_*.py) in turn and print their figures.

Figures, not a test: nothing here passes or fails. `make bench` runs this.
Run one alone with `.venv/bin/python benchmarks/bench_ta.py`.
"""

from __future__ import annotations

import runpy
import sys
import time
from pathlib import Path


def main() -> None:
    here = Path(__file__).parent
    sys.path.insert(0, str(here))
    for script in sorted(here.glob("bench_*.py")):
        print(f"\n== {script.name} ==", flush=True)
        started = time.perf_counter()
        runpy.run_path(str(script), run_name="__main__")
        print(f"({script.name}: {time.perf_counter() - started:.0f} s in all)", flush=True)


if __name__ == "__main__":
    main()
