"""Python values to cell XML: numbers, text, dates as serials, formulas."""

from __future__ import annotations

import math
import numbers
from datetime import date, datetime
from datetime import time as dtime
from typing import Any

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
