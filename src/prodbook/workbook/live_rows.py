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

The grid written after the Insert was worked out from the formulas read before it: a team's helper column
(``=COUNTIF($A$3:$A$4,A3)`` in every data row) would get its old range written back into the rows the grid writes,
beside the rows Excel grew. So the formulas of the data rows are grown first, as the file back end grows them
(``grown``: ``formula_refs.grow_fixed_ranges``), and a formula the Insert moved is not taken as known
(``inserted``): whatever Excel made of it, the row holds what the rebuild gives.

Pure: ``insert_for`` (the rows to insert), ``inserted`` (the sheet's cells as they read after) and ``grown``. The
one call to Excel is ``insert``: an Excel that refuses (an old array formula across the rows, the sheet's last
row in use) leaves the sheet as it was, and the values are written below as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from prodbook.workbook.xlsx.formula_refs import grow_fixed_ranges

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


class _Moved:
    """A formula Excel's Insert moved down, its references adjusted by Excel: its text is not worked out here,
    and it is the same as nothing the write compares it with, so its cell is always written."""

    def __eq__(self, other: object) -> bool:
        return False  # not even to itself (and, with __eq__ its own, it has no hash: never a key)

    def __repr__(self) -> str:
        return "<formula moved by the Insert>"


MOVED = _Moved()


def _formula(v: Any) -> bool:
    return isinstance(v, str) and v.startswith("=") and len(v) > 1


def inserted(grid: Grid, insert: Insert, header_row: int | None = None, sheet: str = "") -> Grid:
    """``grid`` (row 0 = Excel row 1) as the sheet reads after ``insert``: blank rows in at its row. With
    ``header_row`` (and the ``sheet``'s name), the formulas too, as far as the write needs them: the data rows'
    above the insert grown (``grown``, what Excel's Insert does to them too), each one the Insert moved ``MOVED``."""
    i = insert.at - 1
    width = max((len(r) for r in grid), default=0)
    if header_row is None:
        return grid[:i] + [[None] * width for _ in range(insert.count)] + grid[i:]
    above = grown(grid[:i], sheet, header_row, insert, insert.at + insert.count)
    moved = [[MOVED if _formula(v) else v for v in row] for row in grid[i:]]
    return above + [[None] * width for _ in range(insert.count)] + moved


def grown(grid: Grid, sheet: str, header_row: int, insert: Insert, new_end: int) -> Grid:
    """``grid``'s data rows (below ``header_row``) with each formula's fixed ranges over the data that ran to the
    row above which ``insert`` went in (the old last data row) run to ``new_end``, as Excel's Insert grows them
    and as the file back end grows a rebuild's (``formula_refs.grow_fixed_ranges``). A range ending on a relative
    row moves with the row that holds it. The header and title rows are left: the grid writes them back only
    where it changed them."""
    rows = (header_row, {insert.at}, new_end)
    out = grid[:header_row]
    for row in grid[header_row:]:
        out.append([("=" + grow_fixed_ranges(v[1:], sheet, rows)) if _formula(v) and "$" in v else v for v in row])
    return out


def insert(sht: Any, rows: Insert) -> bool:
    """Insert the rows in Excel (Home > Insert > Insert Sheet Rows: formats from the row above); False where
    Excel refused, the sheet as it was."""
    try:
        sht.range(rows.rows).insert(shift="down")
    except Exception:
        return False
    return True


__all__ = ["MOVED", "Insert", "blank", "data_end", "grown", "insert", "insert_for", "inserted"]
