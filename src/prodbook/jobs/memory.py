"""How a run spends Python's cycle collector.

A run reads millions of cells into lists, texts and dates and keeps them to its end. Python runs its cycle
collector every 700 new objects and, every so often, walks every object there is: 9 s of an 83 s daily run
at 46,000 PO lines, 0.2 s of 3.6 s at 2,000 (``benchmarks/RESULTS.md``). Nothing of that data is a cycle.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

BULK_THRESHOLD = 100_000
"""New objects between two runs of the cycle collector during a run (Python's own: 700)."""


@contextmanager
def few_collections() -> Iterator[None]:
    """For a run (a command, a ribbon button): the objects from before it (the modules) set aside
    (``gc.freeze``), and the collector run every ``BULK_THRESHOLD`` new objects; cycles are still collected.
    Put back as it was afterwards, for the add-in's Python, which lives on between runs. Runs inside one
    another (the command around the runner) keep the outer one's setting until it ends."""
    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    gc.freeze()
    gc.set_threshold(max(before[0], BULK_THRESHOLD), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        if not frozen:  # an outer run froze first: it unfreezes
            gc.unfreeze()
