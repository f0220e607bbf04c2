"""The cells of a vendor file (``RawSheet``) and its header, recognised by meaning, the team's own layouts
(Config's 'WIP Column' rows) first."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from prodbook.core import headers
from prodbook.core.cells import (
    column_letter,
    is_blank,
)
from prodbook.core.config import Config
from prodbook.core.findings import Code, Finding, error, info, warning
from prodbook.core.model.sheets import VENDOR_WIP, normalise_header
from prodbook.core.wip.matching import OrderIndex, match_row
from prodbook.core.wip.values import cell_text, unit_size, unit_words

HEADER_SCAN_ROWS = 25
"""The rows a vendor file's header is looked for in first: the header naming the most fields wins."""
HEADER_SEARCH_ROWS = 100
"""How far down a header is looked for when none is in the first ``HEADER_SCAN_ROWS`` (a file opening with 30
rows of logo, address and notes). Below them a header must name ``DEEP_FIELDS`` fields, PO # among them."""
DEEP_FIELDS = 3
"""Fields a header below ``HEADER_SCAN_ROWS`` must name: a WIP table's own header, not a PO list under a summary."""
WIP_FIELDS = tuple(f for f in VENDOR_WIP.fields if f not in ("report_date", "source_file"))
"""Fields a vendor file can hold (Report Date and Source File come from the file itself)."""
QTY_FIELDS = ("order_qty", "cut_qty", "sewn_qty", "packed_qty")
_TITLE_DOZENS = re.compile(r"\b(?:in|qty|quantit(?:y|ies))\b[^|]{0,20}\b(dozens?|dzns?|doz)\b", re.I)
"""A title line saying every quantity is in dozens ('All quantities in dozens', 'Qty in Dzn')."""
_TITLE_PIECES = re.compile(r"\b(?:in|qty|quantit(?:y|ies))\b[^|]{0,20}\b(pcs|pc|pieces?)\b", re.I)
"""A title line saying the quantities are pieces ('Quantity in Pcs (1 Doz = 12 Pcs)')."""


Merge = tuple[tuple[int, int], tuple[int, int]]
"""A merged range: ((first row, first col), (last row, last col)), 0-based."""


@dataclass
class RawSheet:
    """The cells of one vendor file (or one sheet of it), row 0 = Excel/CSV row 1.

    ``workbook.vendor_files`` reads files into these; everything here works on them.
    """

    file: str
    """File name, as findings and the Source File column show it."""
    sheet: str | None
    rows: list[list[Any]]
    date1904: bool = False
    findings: list[Finding] = field(default_factory=list)
    """What reading the file changed: cells cut to Excel's limit, formulas kept as text."""
    merged: list[Merge] = field(default_factory=list)
    """The sheet's merged ranges (a group word merged across a two-row header)."""
    hidden: bool = False
    """A sheet the vendor hid (last week's data, a lookup list): read only when no other sheet is a report."""
    hidden_rows: list[int] = field(default_factory=list)
    """Rows the sheet hides (0-based): filtered out, or hidden by hand."""
    hidden_columns: list[int] = field(default_factory=list)
    """Columns the sheet hides (0-based): a vendor hides last month's 'Cut Qty' beside this month's."""
    percent_cells: set[tuple[int, int]] = field(default_factory=set)
    """Number cells (row, col), 0-based, the sheet shows as a percentage: 1 shows 100%, a share, not 1 piece."""
    delimiter: str | None = None
    """A CSV file's delimiter (None: a workbook). There a cell holding the delimiter without quotes around it
    (1,200 in a comma file) is split in two, and every later cell of its row moves one column right."""


def is_style_sheet(raws: Sequence[RawSheet], config: Config) -> bool:
    """A vendor style / costing sheet given with the WIP reports (it goes to the record check)."""
    # imported here: the rules that only read WIP (the exceptions' newest report) do not load the style checks
    from prodbook.core.development.discrepancies import style_sheet_header

    return any(style_sheet_header(raw.rows, config, file=raw.file) is not None for raw in raws)


def vendor_layout(config: Config, vendor: str | None) -> dict[str, str]:
    """Folded header -> field the team mapped on the Config sheet: the vendor's own ('WIP Column: VENDOR /
    Cut Qty'), then the team's Vendor WIP headers ('Column: Vendor WIP / ...'). These win over meaning;
    every other header is recognised by ``core.headers``."""
    lookup: dict[str, str] = {}
    by_header = {normalise_header(c.header): c.field for c in VENDOR_WIP.columns}
    if vendor:
        prefix = f"wip column: {vendor.strip().lower()} /"
        for name, theirs in config.extra.items():
            if name.startswith(prefix) and not is_blank(theirs):
                f = by_header.get(normalise_header(name[len(prefix):]))
                if f:
                    for text in str(theirs).split("|"):
                        lookup.setdefault(normalise_header(text), f)
    for header, theirs in config.headers.get(VENDOR_WIP.name, {}).items():
        f = by_header.get(normalise_header(header))
        if f and theirs:
            lookup.setdefault(normalise_header(theirs), f)
    return lookup


def has_own_layout(config: Config, vendor: str | None) -> bool:
    if not vendor:
        return False
    return any(k.startswith(f"wip column: {vendor.strip().lower()} /") for k in config.extra)


@dataclass(frozen=True)
class Header:
    """Where a vendor file's header is and what each of its columns means."""

    first_row: int
    """0-based index of the (first) header row."""
    height: int
    """1, or 2 for a merged two-row header ('Quantity' over 'Order | Cut | Sewn | Packed')."""
    columns: dict[str, int]
    """field -> 0-based column."""
    texts: dict[int, str]
    """column -> header text as the vendor wrote it (both rows for two-row headers)."""
    ambiguous: tuple[headers.Ambiguous, ...] = ()
    """Fields left out because two columns (or two fields) fit equally well."""
    hidden: tuple[int, ...] = ()
    """Hidden columns read all the same: no visible column fits their field (named to the APM)."""
    title_unit: int = 1
    """Pieces per unit the title rows give every quantity ('All quantities in dozens': 12)."""
    title_text: str = ""
    """The title cells that name the quantities' unit ('All quantities in dozens'), as written."""
    title_both: bool = False
    """The title names both pieces and dozens ('Qty in pcs / dozens'): read as pieces, and said."""
    decided: int = 0
    """Pieces per unit the Orders sheet decided (``unit_by_orders``) for the quantities the title or a header
    naming both units left open: 1 (its order quantities are the PO's pieces) or 12 (a twelfth of them)."""
    decided_by: str = ""
    """The PO line that showed it ('PO 4500000001 Navy: 1,200 for 1,200 pieces on Orders')."""

    def per_unit(self, field_name: str) -> int:
        """Pieces per unit the column counts in: 12 for 'Order Qty (Dzn)' or under a title 'in dozens'
        (unless the header says pieces), 0 for one that counts cartons, else 1."""
        if field_name not in QTY_FIELDS:
            return 1
        text = self.texts.get(self.columns.get(field_name, -1), "")
        own = unit_size(text)
        if self.decided and own == 1 and len(set(unit_words(text))) == 1 and (  # names neither unit, or both
                field_name == "order_qty" or not self.against_title or all(unit_words(text))):
            return self.decided  # against the title, only Order Qty's unit is shown by Orders: the rest as titled
        return own if own != 1 or re.search(r"(?i)\b(pcs|pc|pieces)\b", text) else self.title_unit

    @property
    def against_title(self) -> bool:
        """The Orders sheet decided a unit the title contradicts ('All quantities in dozens', order quantities
        the PO's pieces): it decides Order Qty only, the other columns are read as the title says."""
        return bool(self.title_text) and not self.title_both and self.decided not in (0, self.title_unit)

    def titled_columns(self) -> list[str]:
        """The quantity columns beside Order Qty read as the title says where the Orders sheet contradicts it:
        their unit is not known."""
        if not self.against_title:
            return []
        return [text for f in QTY_FIELDS if f != "order_qty" and f in self.columns and self.per_unit(f) != self.decided
                and unit_size(text := self.texts.get(self.columns[f], "")) == 1 and not any(unit_words(text))]

    @property
    def data_start(self) -> int:
        return self.first_row + self.height


def find_header(rows: Sequence[Sequence[Any]], lookup: Mapping[str, str], merged: Sequence[Merge] = (),
                hidden_columns: Sequence[int] = ()) -> Header | None:
    """The row (or pair of rows) among the first rows that names the most fields, PO # among them;
    ``lookup`` (Config mappings) wins over meaning; a hidden column only where no visible one fits."""
    found = headers.find_header(rows, headers.WIP_VOCABULARY, ("po",), lookup, merged=merged,
                                scan=HEADER_SCAN_ROWS, fold=normalise_header)
    if found is None and len(rows) > HEADER_SCAN_ROWS:  # under a long title block: looked for further down
        found = headers.find_header(rows, headers.WIP_VOCABULARY, ("po",), lookup, merged=merged,
                                    scan=HEADER_SEARCH_ROWS, fold=normalise_header)
        if found is not None and len(found.assignment.found) < DEEP_FIELDS:
            found = None
    if found is None:
        return None
    a, hidden = _prefer_visible(found, hidden_columns, lookup)
    unit, said, both = title_unit([cell_text(v) for row in rows[:found.first_row] for v in row if not is_blank(v)])
    return Header(found.first_row, found.height, dict(a.columns), dict(a.texts), a.ambiguous, hidden,
                  title_unit=unit, title_text=said, title_both=both)


def title_unit(cells: Sequence[str]) -> tuple[int, str, bool]:
    """Pieces per unit the title cells give every quantity, the cells that say a unit, and whether they name
    both. Dozens only where a cell says the quantities are dozens and none says pieces: 'Quantity in Pcs
    (1 Doz = 12 Pcs)', 'qty in pcs, not in dozens' and a packing note ('polybags in dozen bundles') are
    pieces."""
    dozens, pieces = [], []
    for text in cells:
        dz, pc = unit_words(text, packing=True)
        if dz and _TITLE_DOZENS.search(text):
            dozens.append(text)
        if pc and _TITLE_PIECES.search(text):
            pieces.append(text)
    said = " | ".join(dict.fromkeys([*dozens, *pieces]))
    return (12 if dozens and not pieces else 1), said, bool(dozens and pieces)


def unit_by_orders(header: Header, rows: Sequence[Mapping[str, Any]], index: OrderIndex, file: str) -> Header:
    """The header with the unit the Orders sheet shows, where the title or a header naming both units left
    it open: a file whose order quantities are the PO lines' pieces is in pieces whatever its title says,
    one whose order quantities are a twelfth of them is in dozens. ``rows``: the file's rows as read with
    ``header``. Most matched lines must agree, and none the other way; else the header is returned as is."""
    text = header.texts.get(header.columns.get("order_qty", -1), "")
    dozens, pieces = unit_words(text)
    if "order_qty" not in header.columns or unit_size(text) != 1 or header.decided or not (
            (dozens and pieces) or (not dozens and not pieces and (header.title_unit == 12 or header.title_both))):
        return header
    per = header.per_unit("order_qty")
    seen: dict[int, list[str]] = {1: [], 12: []}
    lines = 0
    for r in rows:
        line = match_row(r, index, file=file, sheet=None, row=r.get("_row", 0)).line
        qty = r.get("order_qty")
        if line is None or not line.qty or not isinstance(qty, int) or qty % per:
            continue
        lines += 1
        for unit in (1, 12):
            if qty // per * unit == line.qty:
                seen[unit].append(f"PO {line.po} {line.color}: {qty // per:,} for {line.qty:,} pieces on Orders")
    for unit, other in ((1, 12), (12, 1)):
        if seen[unit] and not seen[other] and 2 * len(seen[unit]) >= lines:
            return replace(header, decided=unit, decided_by=seen[unit][0])
    return header


def _prefer_visible(found: headers.HeaderFound, hidden: Sequence[int], lookup: Mapping[str, str]
                    ) -> tuple[headers.Assignment, tuple[int, ...]]:
    """The header's fields read from its visible columns, a hidden column only for a field no visible one
    fits: a vendor hides last month's 'Cut Qty' beside this month's 'Cut Qty (Mar)', and the hidden one's
    exact words would win. Also the hidden columns still read, which the APM is told of."""
    gone = set(hidden) & {c.column for c in found.cells}
    if not gone:
        return found.assignment, ()
    full = found.assignment
    seen = headers.candidate([c for c in found.cells if c.column not in gone], headers.WIP_VOCABULARY,
                              lookup, normalise_header)
    extra = {f: c for f, c in full.columns.items() if c in gone and f not in seen.found}
    ambiguous = (*seen.ambiguous, *(a for a in full.ambiguous if not set(a.fields) & seen.found))
    texts = {**seen.texts, **{c: full.texts[c] for c in extra.values()}}
    return headers.Assignment({**seen.columns, **extra}, texts, ambiguous), tuple(sorted(extra.values()))


def _both_units(header: Header, file: str) -> list[Finding]:
    """A header or a title naming both pieces and dozens ('Order Qty (Pcs/Dzn)'): read as pieces, never x12
    silently; the APM checks the figures against the PO's pieces and asks the vendor. Where the Orders sheet
    decided the unit (``unit_by_orders``), a note saying so instead."""
    both = [text for f in QTY_FIELDS if all(unit_words(text := header.texts.get(header.columns.get(f, -1), "")))]
    if header.decided:
        why = [*(f"'{t}' names both pieces and dozens" for t in both),
               *([f"the file's title says '{header.title_text}'"] if header.title_text else [])]
        read = "pieces" if header.decided == 1 else "dozens, x12 (100 is 1,200 pieces on the Vendor WIP sheet)"
        match = "the PO lines' pieces" if header.decided == 1 else "a twelfth of the PO lines' pieces"
        if titled := header.titled_columns():
            names = ", ".join(f"'{t}'" for t in titled)
            order = header.texts[header.columns["order_qty"]]
            as_title = "dozens, x12 (100 is 1,200 pieces" if header.title_unit == 12 else "pieces (100 is 100 pieces"
            other = "dozens" if header.decided == 1 else "pieces"
            return [warning(Code.WIP_DOZENS, f"the file's title says '{header.title_text}', but its '{order}' "
                            f"figures are {match} on the Orders sheet ({header.decided_by}), so '{order}' was "
                            f"read as {'pieces' if header.decided == 1 else 'dozens'}. The unit of {names} is "
                            f"not known: they were read as the title says, {as_title} on the Vendor WIP sheet). "
                            f"Check them against the order quantities, and ask the vendor whether {names} count "
                            f"pieces or {other} and to put the unit in the header (or send pieces)",
                            file=file, sheet=file, row=header.first_row + 1, value=header.title_text)]
        return [info(Code.WIP_DOZENS, f"{' and '.join(why)}; its order quantities are {match} on the Orders "
                     f"sheet ({header.decided_by}), so its quantities were read as {read}. The Orders sheet "
                     "decided the unit, not the file's words", file=file, sheet=file, row=header.first_row + 1,
                     value=both[0] if both else header.title_text)]
    out = []
    check = ("compare them with the PO quantities on the Orders sheet: if they are a twelfth of them, they "
             "are dozens. Ask the vendor to say the unit (or send pieces)")
    for text in both:
        out.append(warning(Code.WIP_DOZENS, f"'{text}' names both pieces and dozens, so prodbook cannot tell "
                           f"which its numbers count: they were read as pieces (100 is 100 pieces on the "
                           f"Vendor WIP sheet, not 1,200); {check}", file=file, sheet=file,
                           row=header.first_row + 1, column=text, value=text))
    if header.title_both:
        out.append(warning(Code.WIP_DOZENS, f"the file's title '{header.title_text}' names both pieces and "
                           "dozens, so prodbook cannot tell which its quantities count: they were read as pieces "
                           f"(unless a column's header says dozens); {check}", file=file, sheet=file,
                           value=header.title_text))
    return out


def header_findings(header: Header, file: str, vendor: str | None) -> list[Finding]:
    """What the header left undecided, with the Config setting that decides it (a PO # left undecided is
    an error: the file cannot be imported)."""
    out = []
    who = vendor or "VENDOR"
    row = header.first_row + header.height
    out += _both_units(header, file)
    for f in QTY_FIELDS:
        if f not in header.columns or (per := header.per_unit(f)) == 1:
            continue
        text = header.texts[header.columns[f]]
        if (header.decided == per or text in header.titled_columns()) and unit_size(text) == 1:  # said above
            continue
        if per == 0:
            out.append(warning(Code.BAD_NUMBER, f"'{text}' counts cartons (or boxes), not pieces, and "
                               "prodbook cannot turn them into pieces, so the column was not imported. Ask "
                               "the vendor for pieces", file=file, sheet=file, row=header.first_row + 1,
                               column=text, value=text))
            continue
        unit = {12: "dozens", 144: "gross (12 dozen)", 1000: "thousands"}[per]
        said = "" if unit_size(text) != 1 else " (the file's title says so)"
        out.append(info(Code.WIP_DOZENS, f"'{text}' counts {unit}{said}, so its numbers were read as pieces "
                        f"(x{per:,}): 100 is {100 * per:,} pieces on the Vendor WIP sheet",
                        file=file, sheet=file, row=header.first_row + 1, value=text))
    for c in header.hidden:
        name = next(VENDOR_WIP.column(f).header for f, col in header.columns.items() if col == c)
        out.append(info(Code.WIP_SHEETS, f"column {column_letter(c)} '{header.texts[c]}' is hidden in this file, "
                        f"and was imported as {name} because no visible column is one. A vendor hides old "
                        "figures: unhide it in the vendor's file and check its figures are this report's",
                        file=file, sheet=file, row=header.first_row + 1, column=column_letter(c),
                        value=header.texts[c]))
    for amb in header.ambiguous:
        cells = ", ".join(f"'{c.text}' (column {column_letter(c.column)})" for c in amb.cells)
        names = [VENDOR_WIP.column(f).header for f in amb.fields]
        if len(amb.cells) > 1:
            what = f"the header cells {cells} all read as {names[0]}"
        else:
            what = f"the header cell {cells} reads as {' or '.join(names)} equally well"
        settings = " or ".join(f"'WIP Column: {who} / {n}' = {amb.cells[0].text.split(' / ')[-1]}"
                               for n in names[:2])
        make = error if "po" in amb.fields else warning
        left = "the file was not imported" if "po" in amb.fields else \
            f"{' and '.join(names)} {'was' if len(names) == 1 else 'were'} left blank for this file"
        out.append(make(Code.WIP_HEADER, f"{what}; prodbook does not guess, so {left}. Say which column is "
                        f"which on the Config sheet, e.g. {settings} (the vendor's header text; for "
                        "several, separate them with |)", file=file, sheet=file, row=row,
                        value=" | ".join(c.text for c in amb.cells)))
    return out


def no_header_found(raws: Sequence[RawSheet], config: Config, vendor: str | None) -> Finding | None:
    """The error for a file in which no sheet has a row naming vendor WIP columns where they are looked for
    (the first ``HEADER_SCAN_ROWS`` rows, then ``HEADER_SEARCH_ROWS``): the rows searched, the sheets, and a
    header-like row further down (under a long title block) if there is one. None where some sheet has a row
    naming WIP columns in the first rows (that header lacks a PO column: said by the reader)."""
    lookup = vendor_layout(config, vendor)

    def look(raw: RawSheet, rows: Sequence[Sequence[Any]], scan: int) -> headers.HeaderFound | None:
        return headers.find_header(rows, headers.WIP_VOCABULARY, (), lookup, merged=raw.merged, scan=scan,
                                   fold=normalise_header)

    if any(look(raw, raw.rows, HEADER_SCAN_ROWS) for raw in raws):
        return None
    file = raws[0].file if raws else "?"
    sheets = [raw.sheet for raw in raws if raw.sheet]
    where = (f" of sheet '{sheets[0]}'" if len(sheets) == 1 else
             f" of the sheets {', '.join(repr(s) for s in sheets)}" if sheets else "")
    setting = f"'WIP Column: {vendor or 'VENDOR'} / PO #' = the vendor's header of the PO number"
    said = (f"no header row found in rows 1-{HEADER_SEARCH_ROWS}{where}, so the file was not imported. The header "
            f"(the row naming the columns: PO #, Style #, Color, quantities, ex-factory dates) must be in the first "
            f"{HEADER_SEARCH_ROWS} rows, right above the data")
    for raw in raws:
        shown = f" of sheet '{raw.sheet}'" if raw.sheet else ""
        for start in range(HEADER_SCAN_ROWS, min(len(raw.rows), 1000), HEADER_SCAN_ROWS):
            h = look(raw, raw.rows[start:], HEADER_SCAN_ROWS)
            if h is None or len(h.assignment.found) < 2:
                continue
            row = start + h.first_row + 1
            cells = ", ".join(f"'{c.text}'" for c in h.cells[:8])
            if row <= HEADER_SEARCH_ROWS:  # within reach, but no PO column, or too few columns that far down
                why = (f"names fewer than {DEEP_FIELDS} WIP columns, which a header below row {HEADER_SCAN_ROWS} "
                       f"must, so the file was not imported. If it is the header, delete the title rows above it"
                       if "po" in h.assignment.found else "no column of it reads as the PO number, so the file "
                       f"was not imported; on the Config sheet, set {setting}")
                return error(Code.COLUMN_MISSING, f"row {row}{shown} looks like the header ({cells}), but {why}",
                             file=file, sheet=file, row=row, value=cells[:200])
            return error(Code.COLUMN_MISSING, f"{said}: row {row}{shown} looks like the header ({cells}), too far "
                         "down. Delete the title or logo rows above it (or move the table up) and import the "
                         "file again", file=file, sheet=file, row=row, value=cells[:200])
    return error(Code.COLUMN_MISSING, f"{said}. Check it is a WIP report; if the vendor names the PO column in its "
                 f"own way, on the Config sheet set {setting}", file=file, sheet=file)
