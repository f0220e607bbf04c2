"""A whole row of a sheet as Change Log text, so that undo can put a removed row back exactly.

A run that removes a row of a sheet prodbook generates writes a '(removed)' line whose Old cell holds the
row as JSON, readable in Excel::

    {"(row)": 7, "Vendor": "BD1", "Item": "Proto sample", "Due": "2027-02-25", "Last Contacted": "2027-02-27"}

Keys are the sheet's headers (the team's extra columns included), blanks are left out, dates are written
YYYY-MM-DD (with the time when there is one), numbers stay numbers. A formula of the team's is written with
its text and the value it showed, ``"Cut %": {"formula": "=F7/E7", "value": 0.25}``, so undo puts the formula
back; text, even text starting with '=' (a vendor's remark), is a plain string and goes back as text. A
formula whose text could not be read is ``{"formula": null, ...}``. ``(row)`` is the Excel row the row was
on, so undo can put it back where it was. A row longer than one cell can hold (Excel's 32,767 characters)
goes on over '(removed, continued)' lines. Logs written before this held only the row's key in Old: they
decode to None and undo says the row cannot be put back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from prodbook.core.cells import Formula

ROW = "(row)"
FORMULA = "formula"
"""The key of a formula's object in a row: its text ('=F7/E7'), beside ``"value"``, the value it showed."""
CELL_LIMIT = 32_000
"""Text per Change Log cell: under Excel's 32,767 characters."""
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}(?::\d{2})?)?")

Scalar = None | str | int | float | bool | date | datetime | Formula


def encode(values: Mapping[str, Scalar], row: int | None = None) -> str:
    """The row's non-blank values as one JSON object (headers in sheet order)."""
    out: dict[str, Any] = {ROW: row} if row is not None else {}
    for header, v in values.items():
        if isinstance(v, Formula):
            shown = _plain(v.result)
            out[header] = {FORMULA: v.text if v.text.strip("=") else None,
                           **({} if shown is None else {"value": shown})}
        elif (plain := _plain(v)) is not None:
            out[header] = plain
    return json.dumps(out, ensure_ascii=False)


def _plain(v: Any) -> Any:
    """A value as the JSON holds it (None: a blank, left out)."""
    if v is None or v == "" or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, datetime):
        return v.isoformat(sep=" ", timespec="seconds").removesuffix(" 00:00:00")
    if isinstance(v, date):
        return v.isoformat()
    return v


def split(text: str, size: int = CELL_LIMIT) -> list[str]:
    """Text cut into pieces that each fit a cell (one piece when it fits)."""
    return [text[i:i + size] for i in range(0, len(text), size)] or [""]


def decode(pieces: Sequence[str]) -> dict[str, Any] | None:
    """The row back from its pieces; None when the text is not a row (an older log's key)."""
    text = "".join(p for p in pieces if isinstance(p, str))
    if not text.startswith("{"):
        return None
    try:
        row = json.loads(text)
    except ValueError:
        return None
    return row if isinstance(row, dict) else None


def as_cell(v: Any) -> Scalar:
    """A decoded value as a cell holds it: ISO text back to a date (or date and time); a formula's object back
    to a ``Formula`` (its value as the cached result; its text '' when the log could not give it)."""
    if isinstance(v, dict):
        text, shown = v.get(FORMULA), v.get("value")
        return Formula(text if isinstance(text, str) else "",
                       result=shown if isinstance(shown, (str, int, float, bool)) and not _ISO.fullmatch(str(shown))
                       else None)
    if isinstance(v, str) and _ISO.fullmatch(v):
        return datetime.fromisoformat(v) if " " in v else date.fromisoformat(v)
    return v
