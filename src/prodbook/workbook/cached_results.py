"""Give formula cells their cached results, at the part level: the sheet reads right before any recalculation.

openpyxl writes a formula with an empty result (``<f>..</f><v/>``), so a
spreadsheet program that does not know the function (Excel without the
prodbook add-in, LibreOffice, a viewer) shows nothing or ``#NAME?``.
``set_cached_results`` fills in ``<v>`` for named cells of one sheet and, with
``settled=True``, tells the spreadsheet program that the workbook is
calculated (no full calculation on load), so the cached values are what it
shows. Every other part of the file is copied byte for byte.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path

from prodbook.core.cells import date_to_serial
from prodbook.workbook.safety import replace_file
from prodbook.workbook.xlsx.book import workbook_info
from prodbook.workbook.xlsx.xmltext import _esc

CALC_ID = "191029"
"""The calculation engine of current Excel (365 / 2019): an older calcId makes Excel recalculate on load."""
Result = date | datetime | int | float | str | bool


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _cached(value: Result, date1904: bool) -> tuple[str, str]:
    """(type attribute, <v> text) of a cached formula result."""
    if isinstance(value, bool):
        return ' t="b"', str(int(value))
    if isinstance(value, datetime):
        day = value.date()
        return "", _number(date_to_serial(day, date1904)
                           + (value - datetime(day.year, day.month, day.day)).total_seconds() / 86400)
    if isinstance(value, date):
        return "", str(date_to_serial(value, date1904))
    if isinstance(value, (int, float)):
        return "", _number(value)
    text = str(value)
    return (' t="e"' if text in ERRORS else ' t="str"'), _esc(text)


ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})


def with_results(sheet_xml: str, results: Mapping[str, Result], date1904: bool) -> str:
    """The sheet XML with each named formula cell's result cached; a named cell without a formula is an error."""
    missing = set(results)

    def fill(m: re.Match[str]) -> str:
        ref = m.group(1)
        if ref not in results:
            return m.group(0)
        missing.discard(ref)
        attrs = re.sub(r'\s+t="[^"]*"', "", m.group(2))
        kind, text = _cached(results[ref], date1904)
        return f'<c r="{ref}"{attrs}{kind}>{m.group(3)}<v>{text}</v></c>'

    out = re.sub(r'<c r="([A-Z]+[0-9]+)"([^>]*)>(<f>.*?</f>|<f\s[^>]*>.*?</f>|<f\s[^>]*/>)'
                 r'(?:<v\s*/>|<v>.*?</v>)?</c>', fill, sheet_xml, flags=re.S)
    if missing:
        raise ValueError(f"no formula in cell(s) {', '.join(sorted(missing))}")
    return out


def settled_calc(workbook_xml: str) -> str:
    """workbook.xml saying the values are calculated: no full calculation on load, current calcId."""
    def fix(m: re.Match[str]) -> str:
        tag = re.sub(r'\s+fullCalcOnLoad="[^"]*"', "", m.group(0))
        return re.sub(r'calcId="[^"]*"', f'calcId="{CALC_ID}"', tag)
    return re.sub(r"<calcPr\b[^>]*/?>", fix, workbook_xml, count=1)


def set_cached_results(path: Path, sheet: str, results: Mapping[str, Result], *, settled: bool = True) -> None:
    """Rewrite ``path`` (atomically) with the results of formula cells on ``sheet`` cached."""
    path = Path(path)
    info = workbook_info(path)
    part = info.sheet_parts[sheet]
    tmp = path.with_name(f".{path.name}.cache.tmp")
    try:
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w") as dst:
            for item in src.infolist():
                data = src.read(item.filename)
                if item.filename == part:
                    data = with_results(data.decode("utf-8"), results, info.date1904).encode("utf-8")
                elif item.filename == "xl/workbook.xml" and settled:
                    data = settled_calc(data.decode("utf-8")).encode("utf-8")
                dst.writestr(item, data)
        replace_file(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
