"""Vendor files that are markup named .xls: a web page's tables, or an Excel 2003 XML spreadsheet.

Many factory and forwarder systems "export to Excel" by writing an HTML table, or Excel 2003's XML
Spreadsheet, into a file named .xls; Excel opens both (after a warning). Each table (each worksheet) becomes
one ``RawSheet``, its cells as the text or values they hold, a cell spanning columns or rows as a merged range,
so that the WIP reader sees what it sees in a workbook. No script runs and no entity expands: HTML is only
parsed (BeautifulSoup's own parser), XML through defusedxml.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from prodbook.core.cells import CellError
from prodbook.core.wip import Merge, RawSheet

SPREADSHEET_2003 = b"urn:schemas-microsoft-com:office:spreadsheet"
_SS = "{urn:schemas-microsoft-com:office:spreadsheet}"
MAX_SPAN = 256
"""A colspan or rowspan past this is read as this (a page's odd markup must not make millions of cells)."""
MAX_CELLS = 2_000_000
"""Cells of one file's tables, spans included: far above a WIP report (tens of thousands of cells), far below
what a page of spans could ask memory for."""
_MAX_ROW, _MAX_COL = 1_048_576, 16_384
"""Excel's sheet: an ss:Index past it is no spreadsheet Excel wrote."""


class _TooOdd(Exception):
    """Markup no spreadsheet holds; ``str()`` follows the file's name in the message."""


def is_xml_spreadsheet(head: bytes) -> bool:
    return SPREADSHEET_2003 in head


def read_html(name: str, text: str) -> list[tuple[str | None, list[list[Any]], list[Merge]]]:
    """Each ``<table>`` of a page with two rows or more: (its name, rows of cell texts, merged ranges)."""
    from bs4 import BeautifulSoup

    out = []
    for t in BeautifulSoup(text, "html.parser").find_all("table"):
        # Each table is read by its own rows and text: a layout table around the data table, or a small table
        # inside one of its cells (a sign-off box), is a table of its own; the WIP reader takes the sheet whose
        # header fits best.
        grid = _Grid()
        nested = t.find("table") is not None  # most pages nest none: their rows and cells need no look up
        for tr in t.find_all("tr"):
            if nested and tr.find_parent("table") is not t:
                continue
            grid.new_row()
            for cell in tr.find_all(["td", "th"], recursive=False):
                words = (" ".join(x for x in cell.find_all(string=True) if x.find_parent("table") is t)
                         if nested and cell.find("table") is not None else cell.get_text(" "))
                grid.put(" ".join(words.split()), _span(cell.get("colspan")), _span(cell.get("rowspan")))
        if len(grid.rows) >= 2:
            out.append(grid)
    if not out:
        raise CellError(f"'{name}' is a web page with no table of two rows or more; ask the vendor for the "
                        "report as an Excel workbook or a CSV file")
    return [(None if len(out) == 1 else f"Table {k}", g.rows, g.merges) for k, g in enumerate(out, 1)]


def read_xml_spreadsheet(name: str, data: bytes) -> list[tuple[str | None, list[list[Any]], list[Merge]]]:
    """Each ``Worksheet`` of an Excel 2003 XML spreadsheet: (its name, rows of values, merged ranges)."""
    from defusedxml import ElementTree as DET

    try:
        root = DET.fromstring(data)
    except Exception as exc:  # defusedxml's refusals and ParseError: not one class
        raise CellError(f"'{name}' is an XML spreadsheet that could not be read ({exc}); open it in Excel and "
                        "save it as Excel Workbook (.xlsx)") from None
    out = []
    for ws in root.iter(f"{_SS}Worksheet"):
        grid = _Grid()
        for row in ws.iter(f"{_SS}Row"):
            grid.new_row(_index(row, _MAX_ROW))
            for cell in row.iter(f"{_SS}Cell"):
                found = cell.find(f"{_SS}Data")
                value = _value(found) if found is not None else ""
                grid.put(value, _span(cell.get(f"{_SS}MergeAcross"), 1), _span(cell.get(f"{_SS}MergeDown"), 1),
                         at=_index(cell, _MAX_COL))
        out.append((ws.get(f"{_SS}Name"), grid.rows, grid.merges))
    if not out:
        raise CellError(f"'{name}' is an XML spreadsheet with no worksheet")
    return out


def _index(el: Any, most: int) -> int | None:
    """ss:Index, 1-based, as a 0-based position (None: next); past Excel's sheet (``most``) the file is damaged."""
    raw = el.get(f"{_SS}Index")
    try:
        at = int(raw) - 1 if raw is not None else None
    except ValueError:
        return None
    if at is not None and at >= most:
        raise _TooOdd(f"is an XML spreadsheet placing a cell at {raw}, past Excel's sheet: the file is damaged; "
                      "ask the vendor for it again, or as an Excel workbook")
    return None if at is None else max(at, 0)


def _value(data: Any) -> Any:
    kind, text = data.get(f"{_SS}Type"), "".join(data.itertext())
    try:
        if kind == "Number":
            return float(text)
        if kind == "DateTime":
            when = datetime.fromisoformat(text.strip()[:19])
            return when.date() if when.time() == datetime.min.time() else when
        if kind == "Boolean":
            return text.strip() == "1"
    except ValueError:
        pass
    return text


def _span(raw: Any, extra: int = 0) -> int:
    """A span attribute as a count of cells (colspan="3"; an XML MergeAcross="2" is 3 cells: ``extra`` 1)."""
    try:
        return min(max(int(str(raw).strip()) + extra, 1), MAX_SPAN)
    except ValueError:
        return 1


class _Grid:
    """Rows of cells laid out as a spreadsheet shows a table: spans become merged ranges, a cell spanning rows
    holds its place in the rows below it."""

    def __init__(self) -> None:
        self.rows: list[list[Any]] = []
        self.merges: list[Merge] = []
        self._below: dict[int, list[tuple[int, int]]] = {}
        """Row -> the column ranges, first to last, that cells spanning down from rows above hold in it."""
        self._r = -1
        self._cells = 0

    def new_row(self, at: int | None = None) -> None:
        self._r = at if at is not None and at > self._r else self._r + 1
        while len(self.rows) <= self._r:
            self.rows.append([])

    def put(self, value: Any, across: int, down: int, at: int | None = None) -> None:
        r, row = self._r, self.rows[self._r]
        c = len(row) if at is None else max(at, len(row))
        held = self._below.get(r, ())
        while (span := next((h for h in held if h[0] <= c <= h[1]), None)) is not None:
            c = span[1] + 1
        self._cells += max(c - len(row), 0) + across * down
        if self._cells > MAX_CELLS:
            raise _TooOdd(f"holds more than {MAX_CELLS:,} cells in its tables, no WIP report's size; ask the "
                          "vendor for the report as an Excel workbook or a CSV file")
        for rr in range(r + 1, r + down):
            self._below.setdefault(rr, []).append((c, c + across - 1))
        while len(row) < c:
            row.append("")
        row.append(value)
        row.extend([""] * (across - 1))
        if across > 1 or down > 1:
            self.merges.append(((r, c), (r + down - 1, c + across - 1)))


def rows_of(path: Path, text: str | None, data: bytes, xml: bool) -> list[RawSheet]:
    """The file's tables as ``RawSheet`` (the caller fills vertical merges, as for a workbook)."""
    try:
        found = read_xml_spreadsheet(path.name, data) if xml else read_html(path.name, text or "")
    except _TooOdd as exc:
        raise CellError(f"'{path.name}' {exc}") from None
    out = []
    for sheet, rows, merges in found:
        height = max([len(rows), *(m[1][0] + 1 for m in merges)])  # a span past the last row: rows for it
        width = max([0, *map(len, rows), *(m[1][1] + 1 for m in merges)])
        rows = rows + [[] for _ in range(height - len(rows))]
        out.append(RawSheet(path.name, sheet, [r + [""] * (width - len(r)) for r in rows], merged=merges))
    return out
