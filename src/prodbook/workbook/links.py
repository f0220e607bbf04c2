"""Clickable cells on the sheets prodbook writes: a jump to a cell, or a file beside the workbook.

A link is a ``HYPERLINK()`` formula whose text is cached in the file, so the
cell reads right in any program before it recalculates, a re-read sees the same
text, and rewriting the rows needs nothing outside the cells (a ``<hyperlink>``
element lives outside the rows and would pin them). Both back ends write it the
same way: the file back end with the cached text, live Excel through the formula.
The targets come from prodbook's own values (sheet names, cell addresses, draft
paths); every quote in them is doubled, so no text becomes formula code.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from prodbook.core.exceptions.sheet import awaits_id
from prodbook.core.followups import DRAFTS_FOLDER, OUTLOOK_DRAFTS, draft_day
from prodbook.core.model.sheets import EXCEPTIONS, FOLLOW_UPS, TA, SheetSpec
from prodbook.workbook.xlsx.model import Formula

if TYPE_CHECKING:
    from prodbook.workbook.tracker import Tracker

REPORT_SHEET = "Production Report"
"""``prodbook.core.report.REPORT``'s name (that module is above this layer)."""
MAX_TARGET = 255
"""Excel refuses a HYPERLINK target longer than this (#VALUE!): such a cell stays plain text."""
_CELL = re.compile(r"^\$?([A-Z]{1,3})\$?(\d{1,7})$")
_ROW = re.compile(r"^row (\d{1,7})$")


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def link(target: str, text: str) -> Formula | str:
    """``=HYPERLINK(target, text)`` with ``text`` cached; plain ``text`` when the target is too long."""
    if not target or len(target) > MAX_TARGET:
        return text
    return Formula(f"=HYPERLINK({_quoted(target)},{_quoted(text)})", result=text)


def cell_target(sheet: str, cell: str) -> str | None:
    """'#'T&A'!F12' for a cell address ('F12') or a row ('row 12': its first cell); None for anything else."""
    m = _CELL.match(cell.strip())
    ref = f"{m.group(1)}{m.group(2)}" if m else None
    if ref is None and (r := _ROW.match(cell.strip())):
        ref = f"A{r.group(1)}"
    if ref is None:
        return None
    return "#'" + sheet.replace("'", "''") + "'!" + ref


def cell_link(sheet: object, cell: object, sheets: Collection[str]) -> Any:
    """The Issues Cell column: a jump to the cell when it is on a sheet of this workbook, else as it is."""
    if not isinstance(sheet, str) or not isinstance(cell, str) or sheet not in sheets:
        return cell
    target = cell_target(sheet, cell)
    return link(target, cell) if target else cell


def row_link(sheet: str, row: int | None, text: object) -> Any:
    """A cell that jumps to a row of another sheet (its first cell), showing ``text``."""
    if row is None or text is None or (isinstance(text, float) and text != text):
        return text
    target = cell_target(sheet, f"row {int(row)}")
    return link(target, str(text)) if target else text


def relative_path(path: Path, workbook: Path | None) -> str:
    """``path`` as the workbook's folder sees it ('Follow-up drafts/2027-03-01/BD1.eml'), forward slashes,
    which Excel resolves from the workbook wherever the folder is moved; absolute on another drive."""
    if workbook is None:
        return str(path)
    path = Path(path)
    target = _resolved(path.parent) / path.name  # a run links thousands of drafts in a few folders
    try:
        rel = os.path.relpath(target, _resolved(Path(workbook)).parent)
    except ValueError:  # another drive (Windows): no relative path
        return str(target)
    return rel.replace(os.sep, "/")


@functools.lru_cache(maxsize=256)
def _resolved(path: Path) -> Path:
    return path.resolve()


def file_link(path: Path, workbook: Path | None) -> object:
    """The Follow-ups Draft cell of the draft at ``path``: a link opening it (relative to the workbook), showing
    its file name where the name alone leads back to it (``draft_target``: a draft in 'Follow-up drafts/<the
    date in its name>' beside the workbook), else the whole path (written with --out, or on another drive), a
    draft in the workbook's own folder as './<name>' (its bare name would lead undo to the dated folder).
    The path wrapped to three lines in the column, and every row was that tall; undo reads only the text."""
    rel = relative_path(path, workbook)
    name = Path(path).name
    if draft_target(name) == rel:
        return link(rel, name)
    if rel == name:  # --out the workbook's folder
        rel = f"./{name}"
    return link(rel, rel)


def draft_target(text: str) -> str:
    """Where a Draft cell's text leads: a draft's file name ('BD1_follow-up_2027-03-01.eml') to its dated folder
    beside the workbook ('Follow-up drafts/2027-03-01/BD1_follow-up_2027-03-01.eml'); any other text (a path:
    a draft written elsewhere, or an older row's, which showed its path) as it is."""
    day = draft_day(text)
    return f"{DRAFTS_FOLDER}/{day.isoformat()}/{text}" if day else text


def _draft_link(text: object) -> object:
    """A Draft cell made again from its text (``relink``); Outlook's drafts have no file to open: text as it is."""
    if not isinstance(text, str) or not text.strip() or text.startswith(OUTLOOK_DRAFTS):
        return text
    return link(draft_target(text), text)


LineKey = tuple[str, str, str]


def _text(v: object) -> str:
    return "" if v is None or (isinstance(v, float) and v != v) else str(v).strip().upper()


def _folder() -> Callable[[object], str]:
    """``_text`` with each distinct value folded once (a T&A repeats each PO, style and colour ~20 times)."""
    memo: dict[tuple[type, object], str] = {}

    def fold(v: object) -> str:
        if v.__class__ is float:  # -0.0 == 0.0 but they read apart: a number key is folded as it is
            return _text(v)
        k = (v.__class__, v)
        try:
            return memo[k]
        except KeyError:
            memo[k] = out = _text(v)
            return out
        except TypeError:  # an unhashable value: fold it as it is
            return _text(v)

    return fold


def first_rows(ta: pd.DataFrame) -> dict[LineKey, int]:
    """Each PO line's first row on the T&A (PO, Style, Color folded), from a frame with ``_row``."""
    if not len(ta) or "_row" not in ta.columns:
        return {}
    out: dict[LineKey, int] = {}
    fold = _folder()
    for po, style, color, row in zip(ta["po"].tolist(), ta["style"].tolist(), ta["color"].tolist(),
                                     ta["_row"].tolist(), strict=True):
        if row is None or (isinstance(row, float) and row != row):
            continue
        key = (fold(po), fold(style), fold(color))
        if key not in out or int(row) < out[key]:
            out[key] = int(row)
    return out


def po_links(frame: pd.DataFrame, rows: dict[LineKey, int], ta_sheet: str) -> list[Any]:
    """The PO # column with each PO line's PO jumping to its first T&A row (plain where it has none)."""
    fold = _folder()
    return [row_link(ta_sheet, rows.get((fold(p), fold(s), fold(c))), p) if p not in (None, "") else p
            for p, s, c in zip(frame["po"].tolist(), frame["style"].tolist(), frame["color"].tolist(), strict=True)]


def relink(tracker: Tracker, spec: SheetSpec, frame: pd.DataFrame) -> pd.DataFrame:
    """A generated sheet's rows (as read, or put back by undo) with their links made again: the Follow-ups
    Draft opens its file, an Exceptions or Production Report PO jumps to its line's T&A row."""
    if spec.name == FOLLOW_UPS.name and "draft" in frame.columns:
        drafts = [_draft_link(t) for t in frame["draft"]]
        return frame.assign(draft=drafts)  # type: ignore[arg-type]  # pandas-stubs: no object columns (Formula)
    if spec.name in (EXCEPTIONS.name, REPORT_SHEET) and {"po", "style", "color"} <= set(frame.columns):
        linked = po_links(frame, first_rows(tracker.current(TA)), tracker.sheet(TA))
        if spec.name == EXCEPTIONS.name and "id" in frame.columns:  # a row the APM added, not numbered yet (or
            # its ID taken back by undo): as they typed it, until the run that numbers it links it
            linked = [p if not awaits_id(r) else r.get("po") for p, r in zip(linked, frame.to_dict("records"))]
        return frame.assign(po=linked)
    return frame
