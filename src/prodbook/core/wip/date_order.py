"""How a vendor file writes 03/04/2027, day or month first: one order for the whole file, from the vendor's
setting, the file's own dates, its PO lines' Ex-Factory on the Orders sheet, the vendor's other files, or
the tracker's Date Order with a warning (``file_date_order``); and the orders a file's dates show, for its
vendor's other files of the run (``orders_in``).

Its own module because the order is decided once for a file, before its rows are read, from evidence all
over the file and beyond it; ``reading.import_file`` asks it for each sheet it reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from prodbook.core.cells import (
    CellError,
    DateOrder,
    column_letter,
    order_shown,
    parse_text_date,
    reads_both_ways,
    written_both_ways,
)
from prodbook.core.config import Config
from prodbook.core.findings import Code, Finding, info, warning
from prodbook.core.model.sheets import VENDOR_WIP, Kind
from prodbook.core.wip.layout import Header, RawSheet
from prodbook.core.wip.matching import OrderIndex, OrderLine, match_row
from prodbook.core.wip.report_date import NAME_DATE, NUMERIC_DATE, date_example
from prodbook.core.wip.values import cell_text

PAST_ROWS = 5000
"""Rows of each sheet looked at for the order a vendor's dates show (a report's dates are near its top)."""


def file_date_order(raw: RawSheet, header: Header, config: Config, vendor: str | None,
                    hint: tuple[DateOrder, str] | None = None, index: OrderIndex | None = None
                    ) -> tuple[DateOrder, list[Finding]]:
    """How this file writes 03/04/2027: the vendor's 'WIP Date Order' setting, else what its own dates show
    ('15/04/2027' can only be day first), else the reading under which its Planned XF are its PO lines'
    Ex-Factory on the Orders sheet (``index``; ``_orders_agree``), else what the vendor's dates showed
    elsewhere (``hint``: its other files of the run, its earlier reports' file names; ``vendor_past``), else
    the Date Order setting, with a warning giving a date of the file both ways. One order for the whole file:
    a DMY file read as MDY would turn 05/03 into 3 May beside a correct 15/04."""
    setting = config.get(f"WIP Date Order: {vendor}") if vendor else None
    try:
        chosen = DateOrder(str(setting).upper().replace("/", "")) if setting else None
    except ValueError:
        chosen = None
    shown: dict[DateOrder, tuple[int, str]] = {}
    unsure: tuple[int | None, str] | None = None  # the first date that reads both ways (03/04/2027)
    unsure_column: int | None = None  # its column, when it is a date column's cell
    date_columns = [c for f, c in header.columns.items() if VENDOR_WIP.column(f).kind is Kind.DATE]
    for r, cells in enumerate(raw.rows):
        title = r < header.first_row
        for c in (range(len(cells)) if title else date_columns):
            v = cells[c] if c < len(cells) else None
            if isinstance(v, str):
                for text in (NUMERIC_DATE.findall(v) if title else [v.strip()]):
                    if (o := order_shown(text)) is not None:
                        shown.setdefault(o, (r + 1, text))
                    elif unsure is None and reads_both_ways(text):
                        unsure, unsure_column = (r + 1, text), None if title else c
    if unsure is None:  # a date of the file name both ways ('WIP 03-12-2026.xlsx')
        unsure = next(((None, m[1]) for m in NAME_DATE.finditer(Path(raw.file).stem)
                       if reads_both_ways(m[1])), None)
    where = {"file": raw.file, "sheet": raw.file}
    if chosen is not None:
        other = next((o for o in shown if o is not chosen), None)
        if other is None:
            return chosen, []
        row, text = shown[other]
        return chosen, [warning(Code.WIP_DATE_ORDER, f"the Config sheet says this vendor writes dates {chosen} "
                                f"('WIP Date Order: {vendor}'), but '{text}' can only be {other}; check the "
                                "file's dates and the setting", row=row, value=text, **where)]
    if len(shown) == 2:
        return config.date_order, [written_both_ways(shown, config.date_order, where)]
    if len(shown) == 1:
        (o, (row, text)), = shown.items()
        if o is not config.date_order:
            who = vendor or "VENDOR"
            return o, [info(Code.WIP_DATE_ORDER, f"'{text}' shows this file writes dates {o}, so every date "
                            f"in it was read {o} (03/04 as {date_example(o)}). To say so once for this vendor, "
                            f"set 'WIP Date Order: {who}' = {o} on the Config sheet", row=row, value=text,
                            **where)]
        return o, []
    if unsure is None:
        return config.date_order, []
    who = vendor or "VENDOR"
    agree = _orders_agree(raw, header, index)
    best = max(agree, key=lambda k: len(agree[k]))
    other_order = _other(best)
    if len(agree[best]) > 2 * len(agree[other_order]):  # the PO lines' own dates decide, clearly
        o, (row, text, line, day) = best, agree[best][0]
        if o is config.date_order and (hint is None or hint[0] is o):
            return o, []  # the tracker's order, and the Orders sheet's dates say so
        said = (f"'{text}' reads both ways and no date of this file tells day from month; read {o} it is "
                f"{day:%d-%b-%y}, the Ex-Factory of PO {line.po} / {line.style} / {line.color} on the Orders "
                f"sheet ({len(agree[o])} of the file's Planned XF are their PO line's Ex-Factory read {o}, "
                f"{len(agree[other_order])} read {other_order}), so every date in it was read {o} (03/04 as "
                f"{date_example(o)})")
        if hint is not None and hint[0] is not o:
            said += (f", not {hint[0]} as {who}'s dates elsewhere are ({hint[1]}): its dates follow its PO lines, "
                     "not its other files")
        return o, [info(Code.WIP_DATE_ORDER, f"{said}. If that is wrong, or to say so once for this vendor, set "
                        f"'WIP Date Order: {who}' = {o} on the Config sheet", row=row, value=text, **where)]
    if hint is not None and hint[0] is not config.date_order:
        o, seen = hint
        return o, [info(Code.WIP_DATE_ORDER, f"'{unsure[1]}' reads both ways and no date of this file tells "
                        f"day from month; {who}'s dates elsewhere are {o} ({seen}), so this file's were read "
                        f"{o} (03/04 as {date_example(o)}). If that is wrong, or to say so once for this vendor, set "
                        f"'WIP Date Order: {who}' on the Config sheet", row=unsure[0], value=unsure[1], **where)]
    if hint is not None:
        return config.date_order, []  # the vendor's other files show the tracker's order
    return config.date_order, [_undecided_order(raw, header, config.date_order, who, unsure, unsure_column,
                                                agree)]


def _other(order: DateOrder) -> DateOrder:
    return DateOrder.MDY if order is DateOrder.DMY else DateOrder.DMY


def _both(text: str) -> dict[DateOrder, date | None]:
    """A date that reads both ways ('08/12/2026'), each way."""
    out: dict[DateOrder, date | None] = {}
    for o in (DateOrder.DMY, DateOrder.MDY):
        try:
            out[o] = parse_text_date(text, o)
        except CellError:
            out[o] = None
    return out


def _orders_agree(raw: RawSheet, header: Header, index: OrderIndex | None
                  ) -> dict[DateOrder, list[tuple[int, str, OrderLine, date]]]:
    """Each reading's Planned XF cells (a text that reads both ways, '08/12/2026') that are their PO line's
    Ex-Factory on the Orders sheet read that way: (row, text, the line, the day). A vendor's Planned XF is the
    PO's ex-factory date far more often than not, so the reading most of them agree with is how it writes."""
    out: dict[DateOrder, list[tuple[int, str, OrderLine, date]]] = {DateOrder.DMY: [], DateOrder.MDY: []}
    xf = header.columns.get("planned_xf")
    if index is None or xf is None or "po" not in header.columns:
        return out
    keys = {f: c for f, c in header.columns.items() if f in ("po", "style", "color")}
    for r in range(header.first_row + header.height, min(len(raw.rows), PAST_ROWS)):
        cells = raw.rows[r]
        v = cells[xf] if xf < len(cells) else None
        if not isinstance(v, str) or not reads_both_ways(v):
            continue
        days = _both(v)
        if days[DateOrder.DMY] == days[DateOrder.MDY]:
            continue  # 05/05/2027: the same day either way
        values = {f: (cell_text(cells[c]) or None) if c < len(cells) else None for f, c in keys.items()}
        if not values.get("po"):
            continue
        line = match_row(values, index, file=raw.file, sheet=raw.sheet, row=r + 1).line
        if line is None or line.ex_factory is None:
            continue
        for o, day in days.items():
            if day == line.ex_factory:
                out[o].append((r + 1, v.strip(), line, day))
    return out


def _undecided_order(raw: RawSheet, header: Header, order: DateOrder, who: str, unsure: tuple[int | None, str],
                     column: int | None, agree: Mapping[DateOrder, Sequence[Any]]) -> Finding:
    """A file whose dates all read both ways, which neither its vendor's setting, its own dates, its PO lines'
    Ex-Factory nor its vendor's other files decide: read in the tracker's Date Order, said with a cell of it
    both ways and what to do."""
    row, text = unsure
    other = _other(order)
    days = _both(text)
    if row is None:
        cell = "in the file name"
    elif column is None:
        cell = f"in row {row}"
    else:
        cell = f"in row {row}, column {column_letter(column)} '{header.texts.get(column, '')}'"
    shown = {o: f"{d:%d-%b-%y}" if d else "no date" for o, d in days.items()}
    if agree[DateOrder.DMY] or agree[DateOrder.MDY]:
        why = (f"its Planned XF are their PO line's Ex-Factory on the Orders sheet {len(agree[DateOrder.DMY])} "
               f"time(s) read DMY and {len(agree[DateOrder.MDY])} read MDY")
    else:
        why = "no Planned XF of it is its PO line's Ex-Factory on the Orders sheet either way"
    return warning(Code.WIP_DATE_ORDER, f"'{text}' {cell} reads both ways, and nothing tells day from month: no "
                   f"date of this file can only be one way, {why}, and {who}'s setting and other files say "
                   f"nothing. It was read {order} (the Config sheet's Date Order), {shown[order]}; read {other} it "
                   f"is {shown[other]}, and every date of the file with it. Check one date with {who}: if it "
                   f"writes {other} (03/04 as {date_example(other)}), set 'WIP Date Order: {who}' = {other} on the "
                   f"Config sheet and import the file again (if it writes {order}, set it = {order} to say so once); "
                   f"better, ask {who} to write dates as dd-Mmm-yy, such as 08-Dec-26, which cannot be misread",
                   row=row, value=text, file=raw.file, sheet=raw.file)


def orders_in(raws: Sequence[RawSheet], shown: str) -> list[tuple[DateOrder, str]]:
    """The orders one file's dates show (its name, then its cells), each with its first example."""
    found: dict[DateOrder, str] = {}
    name = raws[0].file if raws else shown
    file = f"'{shown}'" if shown == name else shown  # an attachment's label quotes its own name
    for m in NAME_DATE.finditer(Path(name).stem):
        if (o := order_shown(m[1].replace("_", "-"))) is not None:
            found.setdefault(o, f"'{m[1]}' in the file name {file}" if shown == name else f"'{m[1]}' in {file}")
    for raw in raws:
        for row in raw.rows[:PAST_ROWS]:
            for v in row:
                if isinstance(v, str) and any(ch.isdigit() for ch in v):
                    for text in NUMERIC_DATE.findall(v):
                        if (o := order_shown(text)) is not None:
                            found.setdefault(o, f"'{text}' in {file}")
    return list(found.items())
