"""A T&A column headed 'Factory' is the Vendor only when it holds vendor codes: a team's factory names are its own,
kept cell for cell through `prodbook ta` and `prodbook refresh`. A Config or prodbook.toml `Column:` line that reads
Qty from a column in dozens, or a dollar column from one in another currency, is warned at its line. Real .xlsx
files written with openpyxl, run through the `prodbook` command and read back."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
from click.testing import CliRunner

from conftest import add_config, base_sheets, sheet_values, write_book
from prodbook.cli import main
from prodbook.core.findings import Code
from prodbook.core.model.sheets import ORDERS, STYLES, TA
from prodbook.workbook.filebook import FileBook
from prodbook.workbook.tracker import Tracker

TODAY = "2027-02-01"
CODES = ("LD", "LD-APP", "CUT", "XF", "DC")
LINES = (("4500000001", "S1", "Navy"), ("4500000002", "S2", "Black"))
HEADER = ["PO #", "Style #", "Color", "Factory", "Code", "Milestone", "Owner", "Planned", "Forecast", "Actual",
          "Status", "Variance", "Notes"]


def prodbook(*args: str) -> None:
    result = CliRunner().invoke(main, [*args, "--today", TODAY])
    assert result.exit_code in (0, 1), result.output


def ta_book(path: Path, factories: dict[str, Any]) -> Path:
    """The base tracker whose T&A (every milestone of both PO lines) has a 'Factory' column where the Vendor
    column would be, holding ``factories`` by style; an Actual and a Note typed on the first line."""
    sheets = base_sheets()
    rows: list[list[Any]] = [HEADER]
    for po, style, color in LINES:
        for code in CODES:
            row: list[Any] = [po, style, color, factories[style], code, *[None] * 8]
            if (style, code) == ("S1", "LD"):
                row[9], row[12] = date(2027, 1, 12), "sent by courier"
            rows.append(row)
    sheets["T&A"] = rows
    return write_book(path, sheets)


def by_key(path: Path, sheet: str = "T&A") -> tuple[list[Any], dict[tuple[Any, ...], dict[str, Any]]]:
    values = sheet_values(path, sheet)
    head = values[0]
    rows = [dict(zip(head, r)) for r in values[1:] if any(v is not None for v in r)]
    return head, {(r["PO #"], r["Style #"], r["Color"], r["Code"]): r for r in rows}


def issues(path: Path) -> list[dict[str, Any]]:
    values = sheet_values(path, "Issues")
    return [dict(zip(values[0], r)) for r in values[1:]]


NAMES = {"S1": "Viet Garment Ltd – Factory 2", "S2": "Ningbo Plant 3"}


def test_a_factory_column_of_factory_names_is_the_teams_own_through_ta_and_refresh(tmp_path: Path) -> None:
    """'Factory' holding factory names is not the Vendor: `prodbook ta` and `prodbook refresh` leave every one of
    its cells as typed, on its milestone's row; the vendor codes go in a 'Vendor' column added after the team's
    last column; an info note on Issues says so once, with the Config line that would read it as the Vendor."""
    book = ta_book(tmp_path / "team.xlsx", NAMES)
    before = {k: r["Factory"] for k, r in by_key(book)[1].items()}
    assert len(before) == 10

    prodbook("ta", str(book))
    head, rows = by_key(book)
    assert head == [*HEADER, "Vendor"]  # the team's columns as they were; prodbook's Vendor after them
    assert {k: r["Factory"] for k, r in rows.items()} == before
    assert {k: r["Vendor"] for k, r in rows.items()} == {k: {"S1": "BD1", "S2": "CN1"}[k[1]] for k in before}
    assert rows[("4500000001", "S1", "Navy", "LD")]["Notes"] == "sent by courier"
    log = sheet_values(book, "Change Log")
    assert not [r for r in log[1:] if r[4] == "Factory"]  # nothing of the team's column was changed
    notes = [r for r in issues(book) if r["Sheet"] == "T&A" and r["Field"] == "Factory"]
    assert len(notes) == 1 and notes[0]["Severity"] == "info", notes
    said = str(notes[0]["Problem"])
    assert "column D 'Factory'" in said and "Viet Garment Ltd – Factory 2" in said
    assert "'Column: T&A / Vendor' = 'Factory'" in said and "as you typed it" in said

    prodbook("refresh", str(book))
    head, rows = by_key(book)
    assert head == [*HEADER, "Vendor"]
    assert {k: r["Factory"] for k, r in rows.items()} == before
    assert not [r for r in issues(book) if r["Sheet"] == "T&A" and r["Field"] == "Factory"]  # said once: the
    # T&A has prodbook's own Vendor column now, which is read

    # cell for cell: the Factory column read back as written, row by row, in the file's own order
    wb = openpyxl.load_workbook(book)
    ws = wb["T&A"]
    for r in range(2, ws.max_row + 1):
        key = tuple(ws.cell(r, c).value for c in (1, 2, 3, 5))
        if key[0] is not None:
            assert ws.cell(r, 4).value == before[key], (r, key)


def test_a_factory_column_of_vendor_codes_is_still_the_vendor(tmp_path: Path) -> None:
    """'Factory' holding the styles' vendor codes (in any case, with a blank) is the Vendor, as before: read as
    it, filled in place, no column added, no note."""
    codes = {"S1": "bd1 ", "S2": None}
    book = ta_book(tmp_path / "codes.xlsx", codes)
    assert Tracker(FileBook(book)).table(TA).columns["vendor"] == 3
    prodbook("ta", str(book))
    head, rows = by_key(book)
    assert head == HEADER
    assert {r["Factory"] for r in rows.values()} == {"BD1", "CN1"}
    assert not [r for r in issues(book) if r["Sheet"] == "T&A" and r["Field"] == "Factory"]


def test_a_config_line_reads_a_factory_column_of_names_as_the_vendor(tmp_path: Path) -> None:
    """The team's own word ('Column: T&A / Vendor' = 'Factory') is read as said, names or not."""
    book = add_config(ta_book(tmp_path / "mapped.xlsx", NAMES), ("Column: T&A / Vendor", "Factory"))
    tracker = Tracker(FileBook(book))
    table = tracker.table(TA)
    assert table.columns["vendor"] == 3
    assert not [f for f in table.findings if f.column == "Factory"]


def config_book(path: Path, lines: list[list[str]], orders_qty: str = "Qty (Dzn)",
                fob: str = "FOB (EUR)") -> Path:
    sheets = base_sheets()
    sheets["Orders"][0][3] = orders_qty
    sheets["Styles"] = [[*sheets["Styles"][0], fob], *[[*r, 4.5] for r in sheets["Styles"][1:]]]
    sheets["Config"] = [["Setting", "Value"], *lines]
    return write_book(path, sheets)


def test_a_config_line_mapping_qty_to_dozens_or_fob_to_euros_is_warned(tmp_path: Path) -> None:
    """'Column: Orders / Qty' = 'Qty (Dzn)' reads every quantity twelve times short, 'Column: Styles / FOB (USD)' =
    'FOB (EUR)' every price wrong by the rate: each is a warning on the Issues sheet at its Config row, naming the
    header and what to do. The line is still read (the team's word); a line to a header in pieces is not warned."""
    book = config_book(tmp_path / "team.xlsx", [["Column: Orders / Qty", "Qty (Dzn)"],
                                                ["Column: Styles / FOB (USD)", "FOB (EUR)"]])
    prodbook("validate", str(book))
    rows = [r for r in issues(book) if r["Code"] == str(Code.SETTING)]
    by_value = {r["Value"]: r for r in rows}
    assert set(by_value) == {"Qty (Dzn)", "FOB (EUR)"}, rows
    dozens, euro = by_value["Qty (Dzn)"], by_value["FOB (EUR)"]
    assert dozens["Sheet"] == "Config" and dozens["Severity"] == "warning"
    assert "'Column: Orders / Qty' = 'Qty (Dzn)'" in dozens["Problem"] and "dozens" in dozens["Problem"]
    assert "pieces" in dozens["Problem"] and "12" in dozens["Problem"]
    assert "B2" in str(dozens["Cell"]) and "B3" in str(euro["Cell"])  # the Config rows
    assert "EUR" in euro["Problem"] and "US dollars" in euro["Problem"] and "convert" in euro["Problem"]
    tracker = Tracker(FileBook(book))
    assert tracker.table(ORDERS).frame["qty"].tolist() == [1200, 800]  # read as the line says
    assert tracker.table(STYLES).frame["fob"].tolist() == [4.5, 4.5]

    ok = config_book(tmp_path / "ok.xlsx", [["Column: Orders / Qty", "Order Qty (pcs)"],
                                            ["Column: Styles / FOB (USD)", "FOB ($)"]],
                     orders_qty="Order Qty (pcs)", fob="FOB ($)")
    prodbook("validate", str(ok))
    assert not [r for r in issues(ok) if r["Code"] == str(Code.SETTING)]


def test_a_prodbook_toml_line_mapping_qty_to_dozens_is_warned(tmp_path: Path) -> None:
    """The same line in prodbook.toml: the warning names the file, the section and the line."""
    book = config_book(tmp_path / "team.xlsx", [])
    (tmp_path / "prodbook.toml").write_text('[columns.Orders]\nQty = "Order Qty (dozens)"\n\n'
                                            '[columns.Styles]\n"FOB (USD)" = "FOB (EUR)"\n', encoding="utf-8")
    wb = openpyxl.load_workbook(book)
    wb["Orders"]["D1"] = "Order Qty (dozens)"
    wb.save(book)
    prodbook("validate", str(book))
    rows = {r["Value"]: r for r in issues(book) if r["Code"] == str(Code.SETTING)}
    assert set(rows) == {"Order Qty (dozens)", "FOB (EUR)"}, rows
    said = str(rows["Order Qty (dozens)"]["Problem"])
    assert 'the line "Qty" = "Order Qty (dozens)" under [columns.Orders] in prodbook.toml' in said
    assert "dozens" in said and "pieces" in said
    assert "[columns.Styles]" in str(rows["FOB (EUR)"]["Problem"])
