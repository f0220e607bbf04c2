"""Memory let go between the phases of a long run, handed back to the system."""

from __future__ import annotations

import ctypes
import gc


def give_back() -> None:
    """Collect what the tables let go and return the C heap's free pages to the system (glibc keeps them).

    A million-row T&A's frames are freed before the Change Log is moved, and calamine then reads the whole
    log into memory of its own before prodbook sees a row: with the freed pages handed back that load starts
    from the memory in use, not from the T&A's high-water mark. Where there is no ``malloc_trim`` (Windows,
    macOS) only the collection runs.
    """
    gc.collect()
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError, TypeError):  # not glibc; Windows has no CDLL(None)
        return
    trim(0)
