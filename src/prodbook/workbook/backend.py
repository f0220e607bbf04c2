"""What a job needs from a workbook, whatever holds it: the back-end protocol and its write vocabulary.

Two back ends implement it: the file on disk (``filebook``: calamine read,
part-level writer) and live Excel (``xlbook``, through xlwings). Jobs stage
``SheetRewrite``s and ``CellEdit``s (``ColumnEdit``: many cells of one column); neither back end's
internals leak up.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Protocol, overload

from prodbook.core.cells import Value

if TYPE_CHECKING:
    from prodbook.core.cell_rules import CellRule
    from prodbook.core.looks import SheetLook


class Backend(Protocol):
    """What a job needs from a workbook: implemented by the file and the live-Excel back ends."""

    @property
    def name(self) -> str: ...
    @property
    def date1904(self) -> bool: ...
    def sheet_names(self) -> list[str]: ...
    def read_sheet(self, sheet: str) -> list[list[Any]]: ...
    def stage(self, rewrite: SheetRewrite) -> None: ...
    def edit(self, cell: AnyEdit) -> None: ...
    def unstage(self, sheet: str) -> None: ...
    def defined_name(self, name: str) -> str | None:
        """A workbook-level defined name's text (no '='), None when the workbook has none of that name."""
    def stage_name(self, name: str, value: str) -> None:
        """Set a workbook-level defined name at commit, hidden when new (prodbook's own marks)."""
    @property
    def structure_locked(self) -> bool:
        """Review > Protect Workbook (Structure): Excel lets nobody add a sheet."""
    def cell_rule(self, sheet: str, row: int, column: int) -> CellRule | None:
        """The data validation rule over a cell (Data > Data Validation); None where it has none."""
    def formulas(self, sheet: str, cells: Sequence[tuple[int, int]]) -> dict[tuple[int, int], str]:
        """Of ``cells`` (Excel row, 0-based column), those holding a formula, with its text."""
    def protection(self, sheet: str) -> SheetProtection | None:
        """The sheet's protection (Review > Protect Sheet); None when it has none."""
    def locked_cells(self, sheet: str, cells: Sequence[tuple[int, int]]) -> set[tuple[int, int]]:
        """Of ``cells`` (Excel row, 0-based column), those a protected sheet keeps anyone from typing into."""
    def hidden_columns(self, sheet: str) -> frozenset[int]:
        """0-based columns the sheet hides (Home > Format > Hide Columns)."""
    def digit_formats(self, sheet: str, cells: Iterable[tuple[int, int]]) -> dict[tuple[int, int], str]:
        """Of ``cells`` (Excel row, 0-based column), those whose number format shows a whole number's digits
        padded or punctuated (0000011, 000-123: ``cells.is_digit_format``), with the format's code."""


@dataclass(frozen=True)
class SheetProtection:
    """A protected sheet (Review > Protect Sheet)."""

    password: bool | None
    """Whether unprotecting it asks for a password; None where it cannot be told (live Excel)."""


@dataclass(frozen=True)
class SheetRewrite:
    """New data rows for one sheet: rows 1..header_row stay as they are, the data below is replaced."""

    sheet: str
    header_row: int
    columns: tuple[int, ...]
    """0-based columns that ``rows`` fill; other columns are carried from ``source_rows``."""
    rows: Sequence[tuple[Value, ...]]
    """A tuple of rows, or ``RowsByColumn`` (the writer then formats a block from its columns)."""
    source_rows: tuple[int | None, ...] | None = None
    """Per new row, the old row whose other cells (and row attributes) it keeps; None = new."""
    create_headers: tuple[str, ...] | None = None
    """Create the sheet (as an Excel Table) with these headers when it does not exist."""
    append_headers: tuple[str, ...] = ()
    """Headers to add to the header row (their header cells must be blank)."""
    append_at: int | None = None
    """0-based column of the first of ``append_headers``: where the caller writes their data.
    None: right after the last header cell."""
    after: str | None = None
    hidden: bool = False
    """With ``create_headers``: the new sheet is hidden (Excel: Home > Format > Unhide shows it)."""
    keep_rows: int = 0
    """Existing data rows kept byte for byte above ``rows`` (appending to a log is cheap)."""
    drop_rows: int = 0
    """With ``keep_rows``: the rows just below the header left out, the rows kept moved up by as many (the
    Change Log's oldest runs moved out, the rest copied as they are). Only for rows without formulas."""
    grow_ranges: bool = False
    """With ``keep_rows``: the team's ranges over the data (their formulas on this sheet and others, defined
    names) run to the new last row, as when the sheet is rebuilt (a report history the import adds a week
    to). Without it, rows added below a log's are added as Excel adds them: its ranges stay."""
    look: SheetLook | None = None
    """How the sheet looks: all of it on a sheet this rewrite creates (widths, formats, header, colour
    rules); on an existing sheet only the columns it appends get widths and formats."""


class RowsByColumn(Sequence[tuple[Value, ...]]):
    """Rows held as one list per column, optionally only the rows ``at`` of them.

    A generated sheet is made column by column (pandas) and written column by column (``column_cells``):
    handing the writer a million row tuples between the two costs a tuple per row, twice, and the memory of
    all of them. A row is still there for whoever asks (``[i]``, iteration, slices).
    """

    def __init__(self, columns: Sequence[Sequence[Value]], at: Sequence[int] | None = None) -> None:
        self.columns = list(columns)
        self._at = at
        self._len = len(at) if at is not None else len(self.columns[0]) if self.columns else 0
        if at is None and any(len(c) != self._len for c in self.columns):
            raise ValueError("every column must hold a value for every row")

    @property
    def width(self) -> int:
        return len(self.columns)

    def __len__(self) -> int:
        return self._len

    def _index(self, k: int) -> int:
        if not -self._len <= k < self._len:
            raise IndexError(k)
        k %= self._len
        return k if self._at is None else self._at[k]

    @overload
    def __getitem__(self, k: int) -> tuple[Value, ...]: ...

    @overload
    def __getitem__(self, k: slice) -> list[tuple[Value, ...]]: ...

    def __getitem__(self, k: int | slice) -> tuple[Value, ...] | list[tuple[Value, ...]]:
        if isinstance(k, slice):
            lo, hi, step = k.indices(self._len)
            if step != 1:
                return [self[j] for j in range(lo, hi, step)]
            return list(zip(*self.block(lo, hi))) if hi > lo and self.columns else [()] * max(0, hi - lo)
        i = self._index(k)
        return tuple(c[i] for c in self.columns)

    def __iter__(self) -> Iterator[tuple[Value, ...]]:
        if not self.columns:
            return iter([()] * self._len)
        if self._at is None:
            return zip(*self.columns)
        return zip(*self.block(0, self._len))

    def block(self, lo: int, hi: int) -> list[Sequence[Value]]:
        """The columns of rows ``lo:hi`` (0 <= lo <= hi <= len)."""
        if self._at is None:
            return [c[lo:hi] for c in self.columns]
        at = self._at[lo:hi]
        if len(at) == 0:
            return [[] for _ in self.columns]
        if len(at) == 1:
            return [[c[at[0]]] for c in self.columns]
        pick = itemgetter(*at)
        return [pick(c) for c in self.columns]


@dataclass(frozen=True)
class CellEdit:
    sheet: str
    row: int  # 1-based
    column: int  # 0-based
    value: Value


@dataclass(frozen=True, eq=False)
class ColumnEdit:
    """Many cells of one column: ``values[i]`` goes into row ``rows[i]`` (1-based).

    The T&A's changed Planned or Status cells as one record, not one object per cell: the
    file back end formats the values column-wise and merges them into the sheet in one pass.
    """

    sheet: str
    column: int  # 0-based
    rows: Sequence[int]
    values: Sequence[Value]

    def __post_init__(self) -> None:
        if len(self.rows) != len(self.values):
            raise ValueError(f"sheet '{self.sheet}': {len(self.rows)} rows but {len(self.values)} values")

    def cells(self) -> Iterator[CellEdit]:
        return (CellEdit(self.sheet, int(r), self.column, v) for r, v in zip(self.rows, self.values))


AnyEdit = CellEdit | ColumnEdit


def single_cells(edits: Iterable[AnyEdit]) -> Iterator[CellEdit]:
    """Every edit as single cells, in order (for the back ends that write cell by cell)."""
    for e in edits:
        if isinstance(e, ColumnEdit):
            yield from e.cells()
        else:
            yield e


class UnsupportedLayout(Exception):
    """A rewrite met something it cannot keep safely; nothing was written."""


class UnsafeContent(Exception):
    """The package holds XML prodbook will not read, for safety (a DOCTYPE): nothing was read or written."""

    def __init__(self, parts: list[tuple[str, str | None]]) -> None:
        self.parts = parts
        """(part name, its sheet's name or None) for each part holding a DOCTYPE."""
        named = [f"sheet '{sheet}' (part {part})" if sheet else f"the part {part}" for part, sheet in parts]
        super().__init__(
            f"holds content prodbook will not read, for safety: {', '.join(named[:3])}"
            f"{f' and {len(named) - 3} more' if len(named) > 3 else ''} "
            f"{'starts' if len(named) == 1 else 'start'} with a DOCTYPE declaration, which Excel never writes "
            "and which can make a program read other files or run out of memory. Open the workbook in Excel, "
            "save it (File > Save), and run prodbook again. Nothing was written")
