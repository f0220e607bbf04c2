"""Speed of the fiber content parser on 1 MB cells, against the old regular expressions.

A Fiber Content cell pasted from a vendor file can be huge. The parser tokenises, then parses, so
its time grows with the length of the text; the old patterns (kept in tests/test_fiber.py as the
oracle) grew with its square: 32,000 characters took about 30 s. Prints CPU time (the machine is
shared, so wall time says more about the neighbours) and wall time, the best of three with every cache
of the parser emptied first; no pass/fail (target: every 1 MB shape well under a second of CPU).

    .venv/bin/python benchmarks/bench_fiber.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from types import ModuleType

from prodbook.core.development import fiber
from prodbook.core.development.fiber import parse_fiber

MB = 1_000_000


def _letters(n: int) -> str:
    """n written in letters (a, b, ... ba, bb...): a different word for every component."""
    out = ""
    while True:
        n, r = divmod(n, 26)
        out = "abcdefghijklmnopqrstuvwxyz"[r] + out
        if not n:
            return out


SHAPES = {
    "one word, no digits": "x" * MB,
    "white space inside": "a" + " " * MB + "b",
    "a name of spaced words after 1%": "1% " + " a" * (MB // 2),
    "name before its 60%": "Cotton " * (MB // 7) + "60%",
    "'and' after 1%": "1% " + "and " * (MB // 4),
    "1, 1, 1, ...": "1," * (MB // 2),
    "a label and spaces": "Shell" + " " * MB + "x",
    "the same blend 38,000 times": "60% Cotton 40% Polyester; " * (MB // 26),
    "30,000 different components": "; ".join(f"{i % 100}% Cotton {100 - i % 100}% Modal {_letters(i)}"
                                             for i in range(MB // 33)),
    "labelled components, all different": "; ".join(
        f"{('Shell', 'Lining', 'Trim & Rib')[i % 3]}: {i % 100}% Cotton {100 - i % 100}% Polyester {_letters(i)}"
        for i in range(MB // 39)),
}


def old_seconds(text: str) -> float:
    """The old patterns on ``text`` (the oracle from the tests)."""
    sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
    from test_fiber import old_parse_fiber
    started = time.perf_counter()
    old_parse_fiber(text)
    return time.perf_counter() - started


def empty_caches(*modules: ModuleType) -> None:
    """Empty every cache of the modules' functions (default: the fiber parser's; parse_fiber's, the parts',
    the names'): each run starts cold."""
    for module in modules or (fiber,):
        for value in vars(module).values():
            if hasattr(value, "cache_clear"):
                value.cache_clear()


def main() -> None:
    for name, text in SHAPES.items():
        runs = []
        for _ in range(3):
            empty_caches()
            cpu, wall = time.process_time(), time.perf_counter()
            comp = parse_fiber(text)
            runs.append((time.process_time() - cpu, time.perf_counter() - wall))
        cpu, wall = min(runs)
        print(f"{name:36} {len(text):>9,} chars  {cpu * 1000:7.0f} ms CPU {wall * 1000:7.0f} ms wall  "
              f"({len(comp.components):,} components, {len(comp.problems):,} problems)")
    text = "x" * 8000
    print(f"old patterns, {len(text):,} letters: {old_seconds(text):.2f} s; new: ", end="")
    empty_caches()
    started = time.perf_counter()
    parse_fiber(text)
    print(f"{(time.perf_counter() - started) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
