"""Pivot tables over a sheet prodbook wrote: refreshed when Excel next opens the workbook, their source range
following the data.

A team's summary sheet often holds a pivot of the T&A (milestones overdue by vendor) or of Vendor WIP.
Excel keeps a pivot's data in its cache (``pivotCacheDefinition`` and its records) until someone presses
Refresh: after a run the pivot would show the T&A as it was before it. ``refreshOnLoad`` asks Excel to
refresh the cache as it opens the file. A source given as a range (``'T&A'!A1:M3357``) that ran to the
sheet's last data row runs to the new one, as the sheet's filter and formats do (``refs._adjust_range``); a
source given by the Table's name (``tblTA``) follows the Table by itself.
"""

from __future__ import annotations

import re

from prodbook.workbook.xlsx.book import _DN_RE, _SHEET_REF_RE, _Book, _sheet_of
from prodbook.workbook.xlsx.package import _Package
from prodbook.workbook.xlsx.refs import _adjust_range
from prodbook.workbook.xlsx.table_parts import sheet_tables
from prodbook.workbook.xlsx.xmltext import _attr, _set_attr, _unesc

_CACHE_TYPE = "/pivotCacheDefinition"
_SOURCE = re.compile(r"<(?:\w+:)?worksheetSource\b[^>]*>")
_DEFINITION = re.compile(r"<(?:\w+:)?pivotCacheDefinition\b[^>]*>")


def pivot_caches(pkg: _Package, book: _Book) -> list[str]:
    """The workbook's pivot cache parts (none in most trackers)."""
    return [r["part"] for r in pkg.rels(book.part)
            if (r["type"] or "").endswith(_CACHE_TYPE) and r["part"] and pkg.exists(r["part"])]


def refresh_pivots_on(pkg: _Package, book: _Book, sheet: str, part: str,
                      rows: tuple[int, set[int], int] | None = None) -> None:
    """Every pivot whose source is on ``sheet`` (its cells, its Table, a name over it) is refreshed when Excel
    opens the file; with ``rows`` (header row, old last data rows, new last data row: a rewrite) a source range
    that ran to the old last row runs to the new one."""
    caches = pivot_caches(pkg, book)
    if not caches:
        return
    names = _names_on(pkg, book, sheet, part)
    for cache in caches:
        text = pkg.text(cache)
        source = _SOURCE.search(text)
        if source is None:
            continue
        tag = source.group(0)
        on_sheet = _unesc(_attr(tag, "sheet") or "").lower() == sheet.lower() and _attr(tag, "r:id") is None
        by_name = _unesc(_attr(tag, "name") or "").lower() in names
        if not (on_sheet or by_name):
            continue
        new_tag = tag
        ref = _attr(tag, "ref")
        if on_sheet and ref and rows is not None:
            new_tag = _set_attr(new_tag, "ref", _adjust_range(ref, *rows))
        head = _DEFINITION.search(text)
        if head is None:
            continue
        new_head = _set_attr(head.group(0), "refreshOnLoad", "1")
        if new_tag == tag and new_head == head.group(0):
            continue
        text = text[:source.start()] + new_tag + text[source.end():]
        pkg.set_text(cache, text[:head.start()] + new_head + text[head.end():])


def _names_on(pkg: _Package, book: _Book, sheet: str, part: str) -> set[str]:
    """The names a pivot's source may give for the sheet's data: its Tables' and the defined names over it."""
    names = {t.name for t in sheet_tables(pkg, part)}
    for m in _DN_RE.finditer(pkg.text(book.part)):
        refs = _SHEET_REF_RE.findall(_unesc(m.group(2)))
        if refs and all(_sheet_of(prefix).lower() == sheet.lower() for prefix, _ in refs):
            names.add(_attr(m.group(1), "name") or "")
    return {n.lower() for n in names if n}
