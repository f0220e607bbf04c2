"""``rewrite_sheets``: one pass over a workbook that rewrites sheets and edits cells."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

from prodbook.core.looks import DEFAULT_DATE_FORMAT, RulePlace
from prodbook.workbook.xlsx.book import (
    _Book,
    _drop_calc_chain,
    _read_book,
    _set_full_calc,
    refuse_doctypes,
    set_defined_names,
)
from prodbook.workbook.xlsx.by_place import MovedLink, RowsMoved
from prodbook.workbook.xlsx.colour_rules import RulesNow
from prodbook.workbook.xlsx.create import _create_sheet
from prodbook.workbook.xlsx.edits import _apply_cell_edits
from prodbook.workbook.xlsx.formula_refs import grow_formula_ranges, growing, links_into_moved_rows, parts_naming
from prodbook.workbook.xlsx.model import AnyEdit, SheetRewrite, UnsupportedLayout
from prodbook.workbook.xlsx.package import Progress, _Package, holds
from prodbook.workbook.xlsx.pivots import refresh_pivots_on
from prodbook.workbook.xlsx.rewrite import _rewrite_sheet
from prodbook.workbook.xlsx.sheetxml import _HAS_F_B
from prodbook.workbook.xlsx.styles import _Styles


def rewrite_sheets(src: Path | BinaryIO, dst: Path, rewrites: Sequence[SheetRewrite],
                   cell_edits: Sequence[AnyEdit] = (), *,
                   on_member: Callable[[int], None] | None = None, date_format: str | None = None,
                   progress: Progress | None = None, copied: dict[str, list[tuple[int, int]]] | None = None,
                   last_rows: Mapping[str, int] | None = None, moved_links: list[MovedLink] | None = None,
                   unlinked: Collection[str] = (), names: Mapping[str, str] | None = None,
                   rule_places: Mapping[str, RulePlace] | None = None,
                   recoloured: dict[str, str] | None = None) -> list[str]:
    """Write `src` to `dst` with the given sheets rewritten and cells edited; return the parts written.

    ``src`` is a path or an open binary file; every byte copied comes from it.
    Every part not named in the changes is copied unchanged. Raises
    UnsupportedLayout / ValueError before anything is written. A date written
    into a cell without a date format gets ``date_format`` (default: the
    rewrites' look's, else dd-mmm-yy). ``progress`` hears how far each long sheet is written. ``copied``
    (when given) receives, for a part written, the byte ranges that hold rows copied unchanged from ``src``.
    ``last_rows``: by sheet, its last row as the caller's look at ``src`` found it (``SheetScan.last_row``):
    rows added below a long sheet's are then written in one pass over it (checked there: a wrong number
    costs a second pass, never a wrong file). ``moved_links`` (when given) receives the team's formulas that
    read one cell of a rebuilt sheet whose row moved or left (``formula_refs.links_into_moved_rows``).
    ``unlinked``: sheets whose XML, as the caller's look at ``src`` found it, holds no '!' (``SheetScan.bang``):
    none of their formulas reads another sheet, so the look for those after the write passes them by unless
    this write rewrites them. ``names``: workbook-level defined names to set (``set_defined_names``).
    ``rule_places``: by sheet, where its colour rules read as the caller read it: on a sheet this write
    rewrites or edits, the rules an earlier prodbook wrote are brought up to date (``colour_rules``), and
    ``recoloured`` (when given) receives the sheet, with the sheet whose rules it takes ('T&A').
    """
    dst = Path(dst)
    if not hasattr(src, "read"):
        src = Path(src)
        if src.resolve() == dst.resolve():
            raise ValueError("rewrite_sheets writes to a new file; dst must differ from src")
    pkg = _Package(src)
    pkg.scratch = dst.parent  # a streamed sheet's temporary part: beside the file written, on its disk
    try:
        refuse_doctypes(pkg)  # every part is copied into the new file: none may carry a DTD
        book = _read_book(pkg)
        if date_format is None:
            date_format = next((rw.look.date_format for rw in rewrites if rw.look is not None), DEFAULT_DATE_FORMAT)
        styles = _Styles(pkg, book.part, date_format)
        rules_now = RulesNow(rule_places or {}, recoloured)
        formulas = False
        seen = set()
        plain: set[str] = set()  # parts that name no other sheet: rewritten with no formula, or no "!" as read
        ends: dict[str, tuple[int, set[int], int]] = {}
        moved: dict[str, RowsMoved] = {}
        for rw in rewrites:
            if rw.sheet.lower() in seen:
                raise ValueError(f"sheet '{rw.sheet}' is rewritten twice in one call")
            seen.add(rw.sheet.lower())
            part = next((s[2] for s in book.sheets if s[0].lower() == rw.sheet.lower()), None)
            if part is None:
                if rw.create_headers is None:
                    raise ValueError(f"the workbook has no sheet '{rw.sheet}'")
                part = _create_sheet(pkg, book, styles, rw)
            elif rw.create_headers is not None and rw.header_row < 1:
                raise ValueError(f"sheet '{rw.sheet}': header_row must be 1 or more")
            if not pkg.exists(part):
                raise UnsupportedLayout(f"sheet '{rw.sheet}' is not a worksheet prodbook can rewrite (a chart sheet?)")
            held = _rewrite_sheet(pkg, book, styles, rw, part, progress,
                                  last_row=(last_rows or {}).get(rw.sheet), ends=ends,
                                  moved=moved if moved_links is not None else None,
                                  rules_now=rules_now if rules_now.wants(rw.sheet) else None)
            formulas |= held
            if not held:
                plain.add(part)
        # the team's formulas over the sheets rewritten: one look at each other sheet for both questions
        moving = growing(ends)
        quiet = {s.lower() for s in unlinked} - seen  # the caller's look holds for the parts not rewritten
        plain |= {part for name, _rid, part in book.sheets if part and name.lower() in quiet}
        naming = parts_naming(pkg, book, {*moving, *(moved if moved_links is not None else ())}, plain)
        if moved_links is not None:  # before the ranges grow: the formulas as the team wrote them
            try:
                moved_links += links_into_moved_rows(pkg, book, moved, naming)
            except Exception:  # noqa: BLE001 - it only informs: a formula it cannot read stops no write
                pass
        grown = grow_formula_ranges(pkg, moving, naming)
        by_sheet: dict[str, list[AnyEdit]] = {}
        for e in cell_edits:
            by_sheet.setdefault(e.sheet, []).append(e)
        for sheet, edits in by_sheet.items():
            part = next((s[2] for s in book.sheets if s[0].lower() == sheet.lower()), None)
            if part is None or not pkg.exists(part):
                raise ValueError(f"the workbook has no sheet '{sheet}'")
            formulas |= _apply_cell_edits(pkg, book, styles, part, sheet, edits, progress=progress,
                                          rules_now=rules_now)
            refresh_pivots_on(pkg, book, sheet, part)
        if names:
            set_defined_names(pkg, book.part, names)
        if formulas or grown or _other_formulas(pkg, book, rewrites):
            if formulas:
                _drop_calc_chain(pkg, book.part)
            _set_full_calc(pkg, book.part)
        try:
            pkg.write(dst, on_member)
        except BaseException:
            dst.unlink(missing_ok=True)
            raise
        written = [n for n in pkg.changed if n not in pkg.removed]
        if copied is not None:
            copied.update((n, pkg.copied[n]) for n in written if n in pkg.copied)
        return written
    finally:
        pkg.close()


def _other_formulas(pkg: _Package, book: _Book, rewrites: Sequence[SheetRewrite]) -> bool:
    """Do other sheets hold formulas that may read the rewritten data? A sheet this write edited or grew is
    looked at too, as it now stands: Orders counting each PO's T&A milestones, with a cell this run filled in.
    Those come last: the first formula found answers, and an edited T&A is the longest part to inflate."""
    if not rewrites:
        return False
    names = {rw.sheet.lower() for rw in rewrites}
    parts = [part for name, _rid, part in book.sheets
             if name.lower() not in names and part and pkg.exists(part)]
    parts.sort(key=lambda part: part in pkg.changed)  # stable: the unchanged ones first, in the book's order
    return any(holds(pkg.blocks(part), _HAS_F_B) for part in parts)


