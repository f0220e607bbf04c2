"""Vendor WIP reports: read each vendor's own layout, match its rows to the PO lines.

Pure functions over the cells ``workbook.vendor_files`` reads. Vendors send
weekly reports as .xlsx or .csv, each in its own layout: title rows, two-row
(merged) headers, blank spacer rows, subtotal rows, numbers as text with
thousands separators, dates typed in several ways. Headers are recognised by
meaning (``core.headers``). Everything is normalised here, once, so the
exception rules see clean ``WipLine`` values.

Matching to the Orders sheet is tolerant (case, spaces, punctuation, leading
zeros, colour-name variants such as Grey/Gray or "Navy" for "Navy Blue") but
never guesses: a row that fits no PO line, or more than one, is a finding
naming the file, row and value, and is not imported.

The package, in the order a report is read (each module imports only the ones above it):

- ``values``: a vendor's quantities and dates as typed (dozens, '1,200', 'TBA', '3-Mar');
- ``layout``: the cells read from a file (``RawSheet``), its header found by meaning, the team's layouts;
- ``report_date``: the report's own date (a title line, the file name) and the doubts about it;
- ``rows``: the rows under the header, totals and size breakdowns left out;
- ``matching``: each row to one PO line of the Orders sheet, or a finding;
- ``sheets``: which sheets of a workbook are the report, and which are set aside by their names;
- ``date_order``: how a file writes 03/04, day or month first, one order for the whole file;
- ``reading``: a whole file, its sheets read, dated and matched, in named steps (``import_file``);
- ``history``: the Vendor WIP sheet, the new reports merged into what was there.
"""

from prodbook.core.cells import DateOrder
from prodbook.core.wip.history import (
    Merged,
    latest_reports,
    merge_wip,
    on_new_days,
    replacing,
    same_day_files,
    scope_key,
    wip_key,
    withdrawn_dates,
)
from prodbook.core.wip.layout import Merge, RawSheet, find_header, vendor_layout
from prodbook.core.wip.matching import OrderIndex, OrderLine, color_match, match_row
from prodbook.core.wip.reading import RunFile, VendorPast, assumed_date_note, import_file, vendor_past
from prodbook.core.wip.report_date import report_date_of, vendor_from_name
from prodbook.core.wip.rows import ParsedFile, reader_notes, total_label
from prodbook.core.wip.values import parse_qty, parse_wip_date, unit_size

__all__ = [
    "DateOrder", "Merge", "Merged", "OrderIndex", "OrderLine", "ParsedFile", "RawSheet", "RunFile", "VendorPast",
    "assumed_date_note", "color_match", "find_header", "import_file", "latest_reports", "match_row", "merge_wip",
    "on_new_days", "parse_qty", "parse_wip_date", "reader_notes", "replacing", "report_date_of", "same_day_files",
    "scope_key", "total_label", "unit_size", "vendor_from_name", "vendor_layout", "vendor_past", "wip_key",
    "withdrawn_dates",
]
