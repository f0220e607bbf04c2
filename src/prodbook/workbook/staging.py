"""What a job asks a back end to write, held until the one commit of the run.

Both back ends (the file, live Excel) keep staged writes the same way; only
how they commit differs.
"""

from __future__ import annotations

from prodbook.workbook.backend import CellEdit, SheetRewrite


class Staging:
    """Sheet rewrites (one per sheet, the last wins) and cell edits, in the order staged."""

    def __init__(self) -> None:
        self._rewrites: dict[str, SheetRewrite] = {}
        self._edits: list[CellEdit] = []

    def stage(self, rewrite: SheetRewrite) -> None:
        self._rewrites[rewrite.sheet] = rewrite

    def unstage(self, sheet: str) -> None:
        """Forget a staged rewrite of the sheet (a later job found it unchanged after all)."""
        self._rewrites.pop(sheet, None)

    def edit(self, cell: CellEdit) -> None:
        self._edits.append(cell)

    @property
    def pending(self) -> bool:
        return bool(self._rewrites or self._edits)

    def _clear(self) -> None:
        self._rewrites.clear()
        self._edits.clear()
