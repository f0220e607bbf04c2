"""How a run spends Python's cycle collector.

A run reads millions of cells into lists, texts and dates and keeps them to its end. Python runs its cycle
collector every 700 new objects and, every so often, walks every object there is: 9 s of an 83 s daily run
at 46,000 PO lines, 0.2 s of 3.6 s at 2,000 (``benchmarks/RESULTS.md``). Nothing of that data is a cycle.

The add-in's Python lives on between button presses. What a run leaves for the collector (pandas' cycles:
4 MB a refresh of the demo tracker) would be set aside with the modules by the next run's ``gc.freeze`` and
never looked at again: Excel's Python grew by every press. So a run after another first collects what the
one before left.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

BULK_THRESHOLD = 100_000
"""New objects between two runs of the cycle collector during a run (Python's own: 700)."""
_ran_before = False
"""A run has ended in this Python (the add-in's, a test process): its garbage is there to collect."""


@contextmanager
def few_collections() -> Iterator[None]:
    """For a run (a command, a ribbon button): the objects from before it (the modules) set aside
    (``gc.freeze``), and the collector run every ``BULK_THRESHOLD`` new objects; cycles are still collected.
    Put back as it was afterwards, for the add-in's Python, which lives on between runs. Runs inside one
    another (the command around the runner) keep the outer one's setting until it ends."""
    global _ran_before
    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    if not frozen and _ran_before:  # the run before's garbage, collected before it is set aside (0.1 s)
        gc.collect()
    gc.freeze()
    gc.set_threshold(max(before[0], BULK_THRESHOLD), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        if not frozen:  # an outer run froze first: it unfreezes
            gc.unfreeze()
            _ran_before = True
