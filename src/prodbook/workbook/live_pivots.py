"""Pivot tables over the sheets a run wrote in Excel, refreshed after the write (Data > Refresh All, for those).

Excel keeps a pivot's data in its cache until someone refreshes it: a summary pivot of the T&A would show it
as it was before the button was pressed. The file back end asks Excel to refresh such a pivot when it opens
the file (``xlsx.pivots``); in an open workbook the add-in refreshes it itself. A pivot whose source is a
range keeps that range here (Excel's ``SourceData``, which the file back end grows with the rows).

Kept apart from the back end (``xlbook``): a few calls of Excel's object model (COM on Windows) that only
Excel can prove; ``tests/fakexl.py`` behaves as Excel does. On a Mac, or an Excel that does not answer, the
pivots are left as they were (refreshing them is the APM's Refresh All, as before).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any


def refresh_pivots(book: Any, sheets: Iterable[str], tables: Iterable[str]) -> int:
    """Refresh each pivot cache whose source is on one of ``sheets`` or is one of ``tables`` (by name); the
    number refreshed."""
    on = {s.lower() for s in sheets}
    names = {t.lower() for t in tables}
    try:
        caches = book.api.PivotCaches()
        count = int(caches.Count)
    except Exception:
        return 0
    done = 0
    for i in range(1, count + 1):
        try:
            cache = caches.Item(i)
            if _sources(str(cache.SourceData), on, names):
                cache.Refresh()
                done += 1
        except Exception:  # one pivot Excel will not refresh (an external source, say): the others still are
            continue
    return done


_SHEET = re.compile(r"^(?:\[[^\]]*\])?(?:'((?:[^']|'')+)'|([^!']+))!")


def _sources(source: str, sheets: set[str], names: set[str]) -> bool:
    """Is ``source`` (``'T&A'!R1C1:R11C13``, or a Table's or a name's name) on one of ``sheets`` or one of
    ``names``?"""
    m = _SHEET.match(source.strip())
    if m is None:
        return source.strip().lower() in names
    sheet = m.group(1).replace("''", "'") if m.group(1) is not None else m.group(2)
    return sheet.lower() in sheets
