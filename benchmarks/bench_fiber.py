"""Speed of the fiber content parser on 1 MB cells, against the old regular expressions.

A Fiber Content cell pasted from a vendor file can be huge. The parser tokenises, then parses, so
its time grows with the length of the text; the old patterns (kept in tests/test_fiber.py as the
oracle) grew with its square: 32,000 characters took about 30 s. Prints figures; no pass/fail
(target: every 1 MB shape well under a second).

    .venv/bin/python benchmarks/bench_fiber.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

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
}


def old_seconds(text: str) -> float:
    """The old patterns on ``text`` (the oracle from the tests)."""
    sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
    from test_fiber import old_parse_fiber
    started = time.perf_counter()
    old_parse_fiber(text)
    return time.perf_counter() - started


def main() -> None:
    for name, text in SHAPES.items():
        parse_fiber.cache_clear()
        started = time.perf_counter()
        comp = parse_fiber(text)
        took = time.perf_counter() - started
        print(f"{name:34} {len(text):>9,} chars  {took * 1000:7.0f} ms  "
              f"({len(comp.components):,} components, {len(comp.problems):,} problems)")
    text = "x" * 8000
    print(f"old patterns, {len(text):,} letters: {old_seconds(text):.2f} s; new: ", end="")
    parse_fiber.cache_clear()
    started = time.perf_counter()
    parse_fiber(text)
    print(f"{(time.perf_counter() - started) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
