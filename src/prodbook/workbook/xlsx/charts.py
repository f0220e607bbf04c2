"""Charts over a sheet prodbook wrote: a series over the sheet's data runs to its new last row.

A chart of the T&A's Status column on a team's dashboard names its cells (``'T&A'!$K$2:$K$3357``). Excel
stretches such a range itself as a Table grows while someone types, but not in a file written elsewhere: the
chart would leave out the rows a rebuild adds. A range that ran to the sheet's last data row runs to the new
one, as the sheet's filter, formats and defined names do (``refs._adjust_range``). Excel redraws the chart
from the cells as it opens the file.
"""

from __future__ import annotations

import re

from prodbook.workbook.xlsx.book import adjust_refs_in
from prodbook.workbook.xlsx.package import _Package
from prodbook.workbook.xlsx.xmltext import F_TEXT

_CHART_PART = re.compile(r"xl/charts/chart[^/]*\.xml")


def grow_chart_ranges(pkg: _Package, sheet: str, rows: tuple[int, set[int], int]) -> None:
    """Each chart's ranges on ``sheet`` that ran to its old last data row run to the new one (``rows``: header
    row, old last data rows, new last data row)."""
    for part in sorted(pkg.names):
        if _CHART_PART.fullmatch(part) and pkg.exists(part):
            adjust_refs_in(pkg, part, F_TEXT, sheet, rows)  # c:f (cx:f in the newer chart types)
