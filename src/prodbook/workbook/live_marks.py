"""Notes, threaded comments and links on a sheet open in Excel, moved with their rows by the add-in.

The add-in writes a rebuilt sheet's changed values through Excel; Excel keeps a note or a link on its cell,
so a milestone whose row moved would leave its note on another milestone's row. Before anything is
written the add-in reads where each is (Excel's ``Comments``, ``CommentsThreaded`` and ``Hyperlinks``
collections); after the sheet's values are written it puts each note and link on its milestone's new row
(``Range.add_note``, ``Hyperlinks.Add``). A threaded comment cannot be made again as it was (Excel would
give it to whoever runs prodbook, its replies' authors lost), so a rebuild that would move one, like one
that takes a marked row off the sheet, stops before writing and says what to do. The file back end moves
all three in the file (``xlsx.notes``). A Mac's Excel gives no collections through appscript: its notes are
found through xlwings' ``Sheet.notes`` and move as on Windows; its links and threaded comments cannot be
listed there, so they stay on their cells (README, "The add-in on a Mac").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from prodbook.core.cells import column_letter
from prodbook.core.findings import UserError
from prodbook.workbook.live_rows import Insert

_LINK_PARTS = ("Address", "SubAddress", "ScreenTip", "TextToDisplay")
"""What a link is (Excel's ``Hyperlink``), so it can be made again on another cell."""


@dataclass
class Marks:
    """The notes, threaded comments and links below a sheet's header (rows and columns 1-based)."""

    notes: list[tuple[int, int, str]] = field(default_factory=list)
    links: list[tuple[int, int, dict[str, str], Any]] = field(default_factory=list)
    """Each link's cell, what it is, and Excel's object (deleted when the link moves)."""
    threaded: list[tuple[int, int]] = field(default_factory=list)
    moves: dict[int, int] = field(default_factory=dict)
    totals: frozenset[int] = frozenset()
    """Rows that are a Table's Total row: Excel takes that row away and puts it back for the write (its notes
    with it, or not), so what is on it is always put back on its new place."""

    @property
    def empty(self) -> bool:
        return not (self.notes or self.links or self.threaded)

    def check(self, sheet: str, book: str, moves: dict[int, int]) -> None:
        """Refuse, before anything is written, a mark whose row this rewrite takes off, and a threaded comment
        whose row moves."""
        marked = ([(r, c, "a note") for r, c, _ in self.notes] + [(r, c, "a link") for r, c, *_ in self.links]
                  + [(r, c, "a comment") for r, c in self.threaded])
        for r, c, what in sorted(marked):
            if r not in moves:
                raise UserError(f"'{sheet}' has {what} in cell {column_letter(c - 1)}{r}, on a row this run takes "
                                "off the sheet (its PO line or milestone is gone, or the action undone added it). "
                                "Nothing was written: copy what it says to the Notes column, or delete it, then "
                                "run again", file=book, sheet=sheet, row=r)
        for r, c in sorted(self.threaded):
            if moves[r] != r:
                raise UserError(f"'{sheet}' has a comment in cell {column_letter(c - 1)}{r}, and this run moves "
                                f"its row to {moves[r]}. Inside Excel prodbook cannot move a comment (a threaded "
                                "one) with its row. Nothing was written: run the prodbook command on the closed "
                                "workbook, which moves it, or copy what it says to the Notes column and delete it",
                                file=book, sheet=sheet, row=r)

    def with_moves(self, moves: dict[int, int], totals: frozenset[int] = frozenset()) -> Marks:
        """The notes and links, each with where its row goes (``moves``: old row -> new row)."""
        return Marks(self.notes, self.links, self.threaded, moves, totals)

    def move(self, sht: Any, rows_in: Insert | None = None) -> None:
        """Put each note and link on its row's new place, after the sheet's values are written. Every old
        one goes first: a note cannot be added to a cell that still holds another. ``rows_in``: the rows
        inserted before the write, which took the notes and links below them down."""
        def now(r: int) -> int:
            return rows_in.where(r) if rows_in is not None else r

        notes = [n for n in self.notes if now(n[0]) != self.moves[n[0]] or n[0] in self.totals]
        links = [k for k in self.links if now(k[0]) != self.moves[k[0]] or k[0] in self.totals]
        for r, c, _ in notes:
            if (note := sht.range((now(r), c)).note) is not None:
                note.delete()
        for r, _, _, link in links:
            try:
                link.Delete()
            except Exception:  # a Total row's, gone with the row while it was off
                if r not in self.totals:
                    raise
        for r, c, text in notes:
            _add_note(sht.range((self.moves[r], c)), text)
        for r, c, parts, _ in links:
            sht.api.Hyperlinks.Add(Anchor=sht.range((self.moves[r], c)).api, Address=parts["Address"],
                                   **{p: v for p, v in parts.items() if v and p != "Address"})


def _add_note(rng: Any, text: str) -> None:
    """xlwings' ``add_note`` where this xlwings has it (recent ones), else Excel's own ``AddComment``."""
    if hasattr(rng, "add_note"):
        rng.add_note(text)
    else:
        rng.api.AddComment(text)


MSO_HYPERLINK_RANGE = 0
"""Office's ``msoHyperlinkRange``: a link on a cell (a link on a picture or a shape is 1, and has no cell)."""


def read_marks(sht: Any, header_row: int) -> Marks:
    """The sheet's marks below ``header_row``; none where this Excel does not give its collections."""
    marks = Marks()
    api = sht.api
    for kind in ("Comments", "CommentsThreaded", "Hyperlinks"):
        try:
            items = list(getattr(api, kind))
        except Exception:  # a Mac, or an Excel before threaded comments
            if kind == "Comments":
                marks.notes += [n for n in _xlwings_notes(sht) if n[0] > header_row]
            continue
        for item in items:
            try:
                if kind == "Hyperlinks" and int(getattr(item, "Type", MSO_HYPERLINK_RANGE)) != MSO_HYPERLINK_RANGE:
                    continue  # a link on a shape: it sits over the sheet, not on a row
                cell = item.Parent if kind != "Hyperlinks" else item.Range
                r, c = int(cell.Row), int(cell.Column)
            except Exception:  # one Excel will not place (a shape's, on an older Excel): on no row
                continue
            if r <= header_row:
                continue
            if kind == "Comments":
                marks.notes.append((r, c, str(item.Text())))
            elif kind == "CommentsThreaded":
                marks.threaded.append((r, c))
            else:
                marks.links.append((r, c, {p: str(getattr(item, p) or "") for p in _LINK_PARTS}, item))
    return marks


def _xlwings_notes(sht: Any) -> list[tuple[int, int, str]]:
    """The sheet's notes through xlwings' ``Sheet.notes``, which finds them on a Mac too (there Excel gives no
    ``Comments`` collection); none where this xlwings or Excel will not say."""
    try:
        return [(int(n.location.row), int(n.location.column), str(n.text)) for n in sht.notes]
    except Exception:
        return []


__all__ = ["Marks", "read_marks"]
