"""What a job needs from a workbook, whatever holds it: the back-end protocol and its write vocabulary.

Two back ends implement it: the file on disk (``filebook``: calamine read,
part-level writer) and live Excel (``xlbook``, through xlwings). Jobs stage
``SheetRewrite``s and ``CellEdit``s; neither back end's internals leak up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from prodbook.core.cells import Value

if TYPE_CHECKING:
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
    def edit(self, cell: CellEdit) -> None: ...
    def unstage(self, sheet: str) -> None: ...


@dataclass(frozen=True)
class SheetRewrite:
    """New data rows for one sheet: rows 1..header_row stay as they are, the data below is replaced."""

    sheet: str
    header_row: int
    columns: tuple[int, ...]
    """0-based columns that ``rows`` fill; other columns are carried from ``source_rows``."""
    rows: tuple[tuple[Value, ...], ...]
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
    look: SheetLook | None = None
    """How the sheet looks: all of it on a sheet this rewrite creates (widths, formats, header, colour
    rules); on an existing sheet only the columns it appends get widths and formats."""


@dataclass(frozen=True)
class CellEdit:
    sheet: str
    row: int  # 1-based
    column: int  # 0-based
    value: Value


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
