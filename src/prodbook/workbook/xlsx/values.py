"""Python values to cell XML: numbers, text, dates as serials, formulas."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from datetime import date, datetime
from datetime import time as dtime
from itertools import repeat
from typing import Any

import numpy as np
import pandas as pd

from prodbook.core.cells import date_to_serial
from prodbook.workbook.xlsx.model import Formula
from prodbook.workbook.xlsx.refs import col_letter
from prodbook.workbook.xlsx.styles import _Styles
from prodbook.workbook.xlsx.xmltext import _ILLEGAL_XML, _esc, _text_xml

MAX_TEXT = 32_767


def excel_serial(v: date | datetime, date1904: bool) -> float | int:
    """The serial number Excel stores for a date or (naive) datetime; refuses dates it cannot hold."""
    if isinstance(v, datetime):
        if v.tzinfo is not None:
            raise ValueError("timezone-aware datetimes cannot be written to Excel")
        d = v.date()
        frac = (v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6) / 86400.0
    else:
        d = v
        frac = 0.0
    days = date_to_serial(d, date1904)
    if date1904:
        if days < 0:
            raise ValueError(f"{d} is before 1904-01-01, the first date of this workbook's date system")
    elif days < 1:
        raise ValueError(f"{d} is before 1900-01-01, the first date Excel can store")
    return days + frac if frac else days


def cut_text(text: str) -> str:
    """Text cut to what an Excel cell holds, saying so in the cell: a long text never stops a save."""
    note = f" [cut by prodbook: Excel cells hold {MAX_TEXT:,} characters, this text had {len(text):,}]"
    return text[:MAX_TEXT - len(note)] + note


def _num_text(v: object) -> str:
    if isinstance(v, float):
        if math.isinf(v):
            raise ValueError("infinity cannot be written to Excel")
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return repr(v)
    return str(v)


_PRESERVE = ' xml:space="preserve"'


def _cached(result: object, p: str, f: str) -> str:
    """The rest of a formula cell's start tag, its formula and its cached result (none: Excel computes it)."""
    if result is None:
        return f">{f}"
    if isinstance(result, bool):
        return f' t="b">{f}<{p}v>{int(result)}</{p}v>'
    if isinstance(result, (int, float)):
        return f">{f}<{p}v>{_num_text(result)}</{p}v>"
    return f' t="str">{f}<{p}v>{_text_xml(str(result)[:MAX_TEXT])}</{p}v>'
_SPACES = " \t\n\r"


class _ValueWriter:
    def __init__(self, styles: _Styles, date1904: bool, sheet: str, prefix: str = ""):
        self.styles = styles
        self.p = prefix
        self.date1904 = date1904
        self.sheet = sheet
        self.wrote_formula = False
        self._ds: dict[tuple[int, bool], int] = {}

    def cell(self, ref: str, value: Any, style: int, row: int, col: int) -> str | None:
        """Cell XML for one value ('' style means none); None for nothing at all."""
        t = type(value)
        p = self.p
        sa = f' s="{style}"' if style else ""
        if t is str:
            if value == "":
                return f'<{p}c r="{ref}"{sa}/>' if style else None
            if len(value) > MAX_TEXT:
                value = cut_text(value)
            space = _PRESERVE if value[0] in _SPACES or value[-1] in _SPACES else ""
            return f'<{p}c r="{ref}"{sa} t="inlineStr"><{p}is><{p}t{space}>{_text_xml(value)}</{p}t></{p}is></{p}c>'
        if value is None:
            return f'<{p}c r="{ref}"{sa}/>' if style else None
        if t is bool:
            return f'<{p}c r="{ref}"{sa} t="b"><{p}v>{int(value)}</{p}v></{p}c>'
        if t is int:
            return f'<{p}c r="{ref}"{sa}><{p}v>{value}</{p}v></{p}c>'
        if t is float:
            if value != value:  # NaN (pandas' empty) -> empty cell
                return f'<{p}c r="{ref}"{sa}/>' if style else None
            try:
                return f'<{p}c r="{ref}"{sa}><{p}v>{_num_text(value)}</{p}v></{p}c>'
            except ValueError as e:
                raise ValueError(f"sheet '{self.sheet}' row {row} column {col_letter(col)}: {e}") from None
        if isinstance(value, Formula):
            text = value.text[1:] if value.text.startswith("=") else value.text
            self.wrote_formula = True
            f = f'<{p}f>{_esc(_ILLEGAL_XML.sub("", text))}</{p}f>'
            return f'<{p}c r="{ref}"{sa}{_cached(value.result, p, f)}</{p}c>'
        if isinstance(value, (datetime, date)):
            if isinstance(value, datetime) and value != value:  # pandas NaT
                return f'<{p}c r="{ref}"{sa}/>' if style else None
            try:
                serial = excel_serial(value, self.date1904)
            except ValueError as e:
                raise ValueError(f"sheet '{self.sheet}' row {row} column {col_letter(col)}: {e}") from None
            is_dt = isinstance(value, datetime)
            key = (style, is_dt)
            ds = self._ds.get(key)
            if ds is None:
                ds = self._ds[key] = self.styles.date_style(style, is_dt)
            return f'<{p}c r="{ref}" s="{ds}"><{p}v>{_num_text(serial)}</{p}v></{p}c>'
        if isinstance(value, dtime):
            frac = (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400
            return f'<{p}c r="{ref}"{sa}><{p}v>{_num_text(frac)}</{p}v></{p}c>'
        if isinstance(value, bool):
            return f'<{p}c r="{ref}"{sa} t="b"><{p}v>{int(value)}</{p}v></{p}c>'
        if isinstance(value, numbers.Integral):
            return f'<{p}c r="{ref}"{sa}><{p}v>{int(value)}</{p}v></{p}c>'
        if isinstance(value, numbers.Real):
            return self.cell(ref, float(value), style, row, col)
        if isinstance(value, str):
            return self.cell(ref, str(value), style, row, col)
        raise ValueError(
            f"sheet '{self.sheet}' row {row} column {col_letter(col)}: cannot write a value of type {t.__name__}"
        )


# --------------------------------------------------------------------------- a column of values at once

EMPTY, PLAIN, DATE, OTHER = 0, 1, 2, 3
"""Payload kinds: no value; the rest of the cell after its r and s attributes; a date's <v> (its style
becomes a date style); anything else (a formula, a datetime, an odd type) through ``_ValueWriter.cell``."""

_TYPE_CODE = {type(None): 1, date: 2, str: 3, int: 4, float: 5, bool: 6}
"""Exact types payloads() handles column-wise (0: anything else, datetime included); each plain type has
its own code, so 1, 1.0 and True are never taken for one another."""
_ORDINAL_1900 = date(1899, 12, 30).toordinal()
_ORDINAL_1904 = date(1904, 1, 1).toordinal()


def payloads(values: Sequence, prefix: str, date1904: bool) -> tuple[np.ndarray, list[str]]:
    """Each value's kind and the text of its cell after the style, worked out column-wise (``_payloads``)."""
    kind, text = _payloads(values, prefix, date1904)
    return kind, text.tolist()


def _payloads(values: Sequence, prefix: str, date1904: bool) -> tuple[np.ndarray, np.ndarray]:
    """``payloads`` with the texts as an object array.

    What ``_ValueWriter.cell`` writes, byte for byte, without its per-value dispatch: dates become
    serials in one numpy step, and each distinct text, number, flag or day is written once and spread
    over its cells by numpy (a T&A column repeats a few hundred values over a million rows).
    """
    p = prefix
    n = len(values)
    kind = np.full(n, OTHER, dtype=np.int8)
    text = np.full(n, "", dtype=object)
    code = np.fromiter(map(_TYPE_CODE.get, map(type, values), repeat(0)), dtype=np.int8, count=n)
    is_date = code == 2
    if is_date.any():
        at = np.flatnonzero(is_date)
        # toordinal, not np.array(dates, "datetime64[D]"): numpy converts date objects one slow step each
        serial = np.fromiter([values[i].toordinal() for i in at.tolist()], dtype=np.int64, count=len(at)) \
            - (_ORDINAL_1904 if date1904 else _ORDINAL_1900)
        ok = serial >= 0 if date1904 else serial > 60  # 1900: the leap-year bug and the refusals stay with cell()
        days, which = np.unique(serial[ok], return_inverse=True)
        written = np.array([f"><{p}v>{d}</{p}v></{p}c>" for d in days.tolist()], dtype=object)
        text[at[ok]] = written[which]
        kind[at[ok]] = DATE
    kind[code == 1] = EMPTY
    for c in (3, 4, 5, 6):
        at = np.flatnonzero(code == c)
        if not len(at):
            continue
        group = np.empty(len(at), dtype=object)
        group[:] = [values[i] for i in at.tolist()]
        codes, uniques = pd.factorize(group, use_na_sentinel=False)
        made = _plain_texts(uniques.tolist(), p) if c == 3 else [_plain(v, p) for v in uniques.tolist()]
        kind[at] = np.array([k for k, _ in made], dtype=np.int8)[codes]
        payload = np.empty(len(made), dtype=object)
        payload[:] = [t for _, t in made]
        text[at] = payload[codes]
    return kind, text


def _plain_texts(texts: list[str], p: str) -> list[tuple[int, str]]:
    """``_plain`` of many texts, escaped as one: joined by NUL (which no cell text keeps: it is
    dropped as illegal in XML), escaped once, split again. A text holding an illegal character, an
    ``_xHHHH_`` or more than a cell holds goes through ``_plain`` alone."""
    joined = _SEP.join(texts)
    if len(_ILLEGAL_XML.findall(joined)) != len(texts) - 1 or "_x" in joined or len(joined) > 1 << 26:
        return [_plain(t, p) for t in texts]
    escaped = _esc(joined).replace("\r", "&#13;").split(_SEP)
    out = []
    for t, e in zip(texts, escaped, strict=True):
        if not t:
            out.append((EMPTY, ""))
        elif len(t) > MAX_TEXT:
            out.append(_plain(t, p))
        else:
            space = _PRESERVE if t[0] in _SPACES or t[-1] in _SPACES else ""
            out.append((PLAIN, f' t="inlineStr"><{p}is><{p}t{space}>{e}</{p}t></{p}is></{p}c>'))
    return out


_SEP = "\x00"


def _plain(v: str | int | float | bool, p: str) -> tuple[int, str]:
    """(kind, payload) of one text, number or flag, as ``_ValueWriter.cell`` writes it."""
    if isinstance(v, str):
        if v == "":
            return EMPTY, ""
        if len(v) > MAX_TEXT:
            v = cut_text(v)
        space = _PRESERVE if v[0] in _SPACES or v[-1] in _SPACES else ""
        return PLAIN, f' t="inlineStr"><{p}is><{p}t{space}>{_text_xml(v)}</{p}t></{p}is></{p}c>'
    if isinstance(v, bool):  # only exact types come here (payloads' _TYPE_CODE): no subclass surprises
        return PLAIN, f' t="b"><{p}v>{int(v)}</{p}v></{p}c>'
    if isinstance(v, int):
        return PLAIN, f"><{p}v>{v}</{p}v></{p}c>"
    if v != v:
        return EMPTY, ""
    if math.isinf(v):
        return OTHER, ""  # cell() says which cell cannot hold it
    return PLAIN, f"><{p}v>{_num_text(v)}</{p}v></{p}c>"


def column_cells(vw: _ValueWriter, values: Sequence, letter: str, rows: Sequence[str], style: int, col: int
                 ) -> list[str]:
    """The cell XML of one column of written rows ("" where no cell is written): ``vw.cell``'s
    output for each value, with the per-value work done column-wise by ``payloads`` and each cell put
    together by one format (numpy's joins of object arrays made a text per part)."""
    p = vw.p
    kind, text = _payloads(values, p, vw.date1904)
    sa = f' s="{style}"' if style else ""
    opened = f'<{p}c r="{letter}'
    # asked only when a date is there: asking adds the date style to the workbook's styles
    dated = f' s="{vw.styles.date_style(style, False)}"' if (kind == DATE).any() else ""
    empty = f'"{sa}/>' if style else None
    out = [f'{opened}{r}"{sa}{t}' if k == PLAIN else f'{opened}{r}"{dated}{t}' if k == DATE else
           f"{opened}{r}{empty}" if k == EMPTY and empty is not None else ""
           for r, k, t in zip(rows, kind.tolist(), text.tolist())]
    stamps: dict[datetime, str] = {}
    for i in np.flatnonzero(kind == OTHER).tolist():
        if type(v := values[i]) is datetime:  # a log's timestamps: one value over thousands of rows
            hit = stamps.get(v)
            if hit is None:
                hit = stamps[v] = vw.cell(_REF, v, style, int(rows[i]), col) or ""
            out[i] = hit.replace(_REF, letter + rows[i], 1)
        else:
            out[i] = vw.cell(letter + rows[i], v, style, int(rows[i]), col) or ""
    return out


_REF = "\x00"
"""Stands for a cell's reference in a cell written once for many rows (no cell's XML holds it)."""
