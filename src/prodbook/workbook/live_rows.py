"""Rows a rebuild adds, inserted through Excel so that Excel grows what refers to the data.

A rebuilt T&A with a new PO line is longer than before. Values written below its last row reach no range that
stopped there: a dashboard's ``=COUNTIFS('T&A'!$K$2:$K$3357,"Overdue")``, a defined name, a chart's series, a
pivot's source range and a colour rule over the column all keep the old last row, and count the old rows only.
The file back end grows each of them in the file (``xlsx.formula_refs``, ``xlsx.charts``, ``xlsx.pivots``). In
Excel the add-in does what a person does to make room inside a list: it inserts the new rows above the data's
last row (Home > Insert > Insert Sheet Rows), and Excel itself grows every range over the data, on every sheet,
in every kind of part (colour rules and validation too). Then the values are written as before, into cells that
are already there.

When rows leave, no row is deleted: the values below the new last row are cleared, as before, and the ranges
keep running to the old last row, over blank cells that count and sum nothing. Deleting rows would shrink them,
but would also turn a formula naming one of those cells alone ('T&A'!K16) into #REF!, for good; the file back
end, which rewrites the references itself, shrinks a range without that risk.

Pure: ``insert_for`` (the rows to insert) and ``inserted`` (the sheet's cells as they read after). The one call
to Excel is ``insert``: an Excel that refuses (an old array formula across the rows, the sheet's last row in
use) leaves the sheet as it was, and the values are written below as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

Grid = list[list[Any]]


def blank(row: Sequence[Any]) -> bool:
    """A row of no value (Excel gives an empty cell as None, a cell emptied through COM as '')."""
    return all(v is None or v == "" for v in row)


def data_end(grid: Sequence[Sequence[Any]], header_row: int) -> int:
    """The last row (1-based) below ``header_row`` holding a value; ``header_row`` where none does."""
    last = len(grid)
    while last > header_row and blank(grid[last - 1]):
        last -= 1
    return max(last, header_row)


@dataclass(frozen=True)
class Insert:
    """``count`` whole rows inserted at row ``at``: the rows from ``at`` down move down by as many."""

    at: int
    count: int

    @property
    def rows(self) -> str:
        """The rows as Excel spells them ("5:9")."""
        return f"{self.at}:{self.at + self.count - 1}"

    def where(self, row: int) -> int:
        """Where the row that was ``row`` is after the insert."""
        return row if row < self.at else row + self.count


def insert_for(current: Grid, new: Grid, header_row: int) -> Insert | None:
    """The rows to insert so the data's ranges run from its first row to its new last one: above the old last
    row, since a range over rows 2..L holds row L and Excel grows it with rows put in at L. None where the
    data does not grow, or fewer than two data rows were there (a range over one row is a cell: Excel would
    move it, not grow it)."""
    old_end, new_end = data_end(current, header_row), data_end(new, header_row)
    if old_end - header_row < 2 or new_end <= old_end:
        return None
    return Insert(old_end, new_end - old_end)


def inserted(grid: Grid, insert: Insert) -> Grid:
    """``grid`` (row 0 = Excel row 1) as the sheet reads after ``insert``: blank rows in at its row."""
    i = insert.at - 1
    width = max((len(r) for r in grid), default=0)
    return grid[:i] + [[None] * width for _ in range(insert.count)] + grid[i:]


def insert(sht: Any, rows: Insert) -> bool:
    """Insert the rows in Excel (Home > Insert > Insert Sheet Rows: formats from the row above); False where
    Excel refused, the sheet as it was."""
    try:
        sht.range(rows.rows).insert(shift="down")
    except Exception:
        return False
    return True


__all__ = ["Insert", "blank", "data_end", "insert", "insert_for", "inserted"]
