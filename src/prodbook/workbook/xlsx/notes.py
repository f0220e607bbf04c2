"""Notes, comments and links on the rows of a sheet prodbook rebuilds: moved with their rows.

An APM annotates the T&A as any sheet: a note on a milestone's Actual ("vendor says fabric is late, mail
of 3 Dec"), a threaded comment, a link to the vendor's file (Insert > Link). Excel keeps a note in a
comments part by its cell ('J5') and its box in a VML drawing by row and column; a threaded comment in a
part of its own by cell; a link after the sheet's rows by cell. When prodbook rebuilds the T&A, a
milestone's row may move (an order added above it): each moves with its row, as Excel's Sort moves them.
One on a row the run takes off the sheet has nowhere to go: the run says so, naming the cell, and the
file back end writes its result to a copy, leaving the workbook (and the note) as it was.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from prodbook.workbook.xlsx.model import UnsupportedLayout
from prodbook.workbook.xlsx.package import _Package
from prodbook.workbook.xlsx.refs import _parse_cell, col_letter

_NOTE_PARTS = (("/comments", "a note"), ("/threadedComment", "a comment"))
"""Relationship types of a sheet's comment parts, and what the APM calls each."""
_REF_ATTR = re.compile(r'(<(?:\w+:)?(?:comment|threadedComment)\b[^>]*?\sref=")([^"]+)(")')
_LINK = re.compile(r'(<(?:\w+:)?hyperlink\b[^>]*?\sref=")([^"]+)(")')
_SHAPE = re.compile(r"<(\w+:|)shape\b.*?</\1shape>", re.S)  # Excel writes v:shape; other programs ns1:shape
_VML_ROW = re.compile(r"(<(?:\w+:)?Row>\s*)(\d+)(\s*</(?:\w+:)?Row>)")
_VML_ANCHOR = re.compile(r"(<(?:\w+:)?Anchor>)([^<]*)(</(?:\w+:)?Anchor>)")


def has_marks(pkg: _Package, part: str, tail: str) -> bool:
    """Does the sheet hold a note, a comment or a link? Most rebuilt sheets do not: the old-to-new row map
    (a million rows on a full T&A) is made only for one that does."""
    return _LINK.search(tail) is not None or any(
        rel["type"] and rel["type"].endswith(suffix) for rel in pkg.rels(part) for suffix, _ in _NOTE_PARTS)


def row_moves(source_rows: Sequence[int | None] | None, first_new: int) -> dict[int, int] | None:
    """Each old row's new number (its first, where a row is carried twice); None when no row is carried."""
    if source_rows is None:
        return None
    moves: dict[int, int] = {}
    for i, src in enumerate(source_rows):
        if src is not None:
            moves.setdefault(src, first_new + i)
    return moves


def cell_of(sheet: str, what: str, ref: str) -> tuple[int, int]:
    """(row, column) of a one-cell reference in a part; one that is not a cell is the file's damage."""
    try:
        return _parse_cell(ref)
    except ValueError:
        raise UnsupportedLayout(f"sheet '{sheet}' has {what} on '{ref[:20]}', which is not a cell: the file is "
                                "damaged") from None


def _moved_ref(sheet: str, what: str, ref: str, frozen: int, moves: dict[int, int]) -> str:
    """A one-cell reference moved with its row; a reference below ``frozen`` whose row goes is refused."""
    if ":" in ref:  # a link over cells: moved when its rows move together, as a block
        first, last = ref.split(":", 1)
        (r1, c1), (r2, c2) = cell_of(sheet, what, first), cell_of(sheet, what, last)
        if max(r1, r2) <= frozen:
            return ref
        lo, hi = min(r1, r2), max(r1, r2)
        by = {moves.get(r, -1) - r for r in range(lo, hi + 1)} if lo > frozen and hi - lo < 1000 else set()
        if len(by) != 1 or lo not in moves:
            raise UnsupportedLayout(f"sheet '{sheet}' has {what} over cells {ref}, whose rows this run does not "
                                    "keep together; put it on one cell, then run again")
        shift = by.pop()
        return f"{col_letter(c1)}{r1 + shift}:{col_letter(c2)}{r2 + shift}"
    row, col = cell_of(sheet, what, ref)
    if row <= frozen:
        return ref
    if row not in moves:
        raise UnsupportedLayout(f"sheet '{sheet}' has {what} in cell {ref}, on a row this run takes off the sheet "
                                "(its PO line or milestone is gone, or the action undone added it); copy what it "
                                "says to the Notes column, or delete it, then run again")
    return f"{col_letter(col)}{moves[row]}"


def _each(pattern: re.Pattern[str], text: str, move: Callable[[str], str]) -> str:
    return pattern.sub(lambda m: m.group(1) + move(m.group(2)) + m.group(3), text)


def _mover(sheet: str, what: str, frozen: int, moves: dict[int, int]) -> Callable[[str], str]:
    return lambda ref: _moved_ref(sheet, what, ref, frozen, moves)


def move_links(sheet: str, tail: str, frozen: int, moves: dict[int, int]) -> str:
    """The sheet's links (after its rows) moved with their rows."""
    return _each(_LINK, tail, _mover(sheet, "a link", frozen, moves))


def move_notes(pkg: _Package, part: str, sheet: str, frozen: int, moves: dict[int, int]) -> None:
    """The sheet's notes and threaded comments, and each note's box, moved with their rows. Every part is
    worked out before any is set, so a refusal leaves the package as it was."""
    new: dict[str, str] = {}
    for suffix, what in _NOTE_PARTS:
        for rel in pkg.rels(part):
            name = rel["part"]
            if rel["type"] and rel["type"].endswith(suffix) and name and pkg.exists(name):
                new[name] = _each(_REF_ATTR, pkg.text(name), _mover(sheet, what, frozen, moves))
    for rel in pkg.rels(part):
        name = rel["part"]
        if rel["type"] and rel["type"].endswith("/vmlDrawing") and name and pkg.exists(name):
            new[name] = _SHAPE.sub(lambda m: _moved_shape(m.group(0), frozen, moves), pkg.text(name))
    for name, text in new.items():
        if text != pkg.text(name):
            pkg.set_text(name, text)


def _moved_shape(shape: str, frozen: int, moves: dict[int, int]) -> str:
    """A note's box in the VML drawing: its cell's row (0-based) and the rows its box spans moved by as
    much. Other shapes (buttons, controls) stay where they are."""
    if 'ObjectType="Note"' not in shape:
        return shape
    found = _VML_ROW.search(shape)
    if found is None:
        return shape
    row = int(found.group(2)) + 1
    if row <= frozen or row not in moves:  # a row that goes was refused with its note
        return shape
    by = moves[row] - row
    shape = _VML_ROW.sub(lambda m: f"{m.group(1)}{int(m.group(2)) + by}{m.group(3)}", shape, count=1)
    return _VML_ANCHOR.sub(lambda m: m.group(1) + _anchor(m.group(2), by) + m.group(3), shape, count=1)


def _anchor(text: str, by: int) -> str:
    """'LeftColumn, LeftOffset, TopRow, TopOffset, RightColumn, RightOffset, BottomRow, BottomOffset'."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 8 or not all(p.lstrip("-").isdigit() for p in parts):
        return text
    for i in (2, 6):
        parts[i] = str(max(0, int(parts[i]) + by))
    return ", ".join(parts)


__all__ = ["cell_of", "has_marks", "move_links", "move_notes", "row_moves"]
