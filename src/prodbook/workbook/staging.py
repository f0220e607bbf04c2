"""What a job asks a back end to write, held until the one commit of the run.

Both back ends (the file, live Excel) keep staged writes the same way; only
how they commit differs.
"""

from __future__ import annotations

from dataclasses import dataclass

from prodbook.workbook.backend import AnyEdit, SheetRewrite


@dataclass(frozen=True)
class StagedMark:
    """The writes staged at one moment (``Staging.mark``)."""

    rewrites: dict[str, SheetRewrite]
    edits: int
    names: dict[str, str]


class Staging:
    """Sheet rewrites (one per sheet, the last wins), cell edits in the order staged, and prodbook's own
    workbook-level names (``stage_name``)."""

    def __init__(self) -> None:
        self._rewrites: dict[str, SheetRewrite] = {}
        self._edits: list[AnyEdit] = []
        self._names: dict[str, str] = {}

    def stage(self, rewrite: SheetRewrite) -> None:
        self._rewrites[rewrite.sheet] = rewrite

    def unstage(self, sheet: str) -> None:
        """Forget a staged rewrite of the sheet (a later job found it unchanged after all)."""
        self._rewrites.pop(sheet, None)

    def edit(self, cell: AnyEdit) -> None:
        """Stage one cell (CellEdit) or many cells of a column (ColumnEdit)."""
        self._edits.append(cell)

    def stage_name(self, name: str, value: str) -> None:
        """Set a workbook-level defined name (hidden when new) to ``value``, a formula's text without '='."""
        self._names[name] = value

    def mark(self) -> StagedMark:
        """What is staged now, for ``back_to``."""
        return StagedMark(dict(self._rewrites), len(self._edits), dict(self._names))

    def back_to(self, mark: StagedMark) -> None:
        """Take back what was staged since ``mark``: a step that stopped half-way writes nothing."""
        self._rewrites.clear()
        self._rewrites.update(mark.rewrites)
        del self._edits[mark.edits:]
        self._names.clear()
        self._names.update(mark.names)

    @property
    def pending(self) -> bool:
        return bool(self._rewrites or self._edits or self._names)

    def _clear(self) -> None:
        self._rewrites.clear()
        self._edits.clear()
        self._names.clear()
