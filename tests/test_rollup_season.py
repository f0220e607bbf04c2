"""A tracker the roll-up cannot tell the season of (audit, helper): no Season column on its Styles sheet, every
Season cell blank, or some styles without one. It was loaded under a blank season, without a word: the APM saw a
blank Season in the roll-up and did not know why. Now it is still loaded, one warning per tracker names the
file, the Styles sheet and its Season column and says to type the season there, the roll-up shows
'(no season)', and the load under no season goes once the season is typed. Real .xlsx trackers, real
databases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import base_sheets, write_book
from pg_server import pg_server, pg_url  # noqa: F401  (fixtures)
from prodbook.core.findings import Code, Finding
from prodbook.jobs.base import Context
from prodbook.jobs.rollup_job import rollup
from prodbook.store.db import opened
from test_rollup import CTX, TODAY, db_url, tracker  # noqa: F401  (db_url: a fixture)


def _rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    with opened(url) as db:
        return db.rows(sql)


def _season_cell(out: Path) -> Any:
    """The Season of the one tracker in the roll-up workbook's Summary (its Trackers table)."""
    ws = openpyxl.load_workbook(out)["Summary"]
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == "Season" and ws.cell(row=cell.row, column=1).value == "Tracker":
                return ws.cell(row=cell.row + 1, column=cell.column).value
    raise AssertionError("no Trackers table on the Summary sheet")


def _about_season(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.code in (Code.SHEET_MISSING, Code.COLUMN_MISSING, Code.REQUIRED)]


def _type_season(path: Path, values: dict[str, str | None]) -> None:
    """What the APM does in Excel: types the Season of these styles (the column added when missing), saves."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Styles"]
    header = [c.value for c in ws[1]]
    col = header.index("Season") + 1 if "Season" in header else len(header) + 1
    ws.cell(row=1, column=col, value="Season")
    for row in ws.iter_rows(min_row=2):
        if row[0].value in values:
            ws.cell(row=row[0].row, column=col, value=values[row[0].value])
    for table in ws.tables.values():
        table.ref = f"A1:{openpyxl.utils.get_column_letter(ws.max_column)}{ws.max_row}"
        table.tableColumns = []
        table._initialise_columns()
    wb.save(path)


def test_a_tracker_without_a_season_column_is_loaded_named_once_and_shown_as_no_season(
        db_url: str, tmp_path: Path) -> None:  # noqa: F811  (db_url: test_rollup's fixture)
    """The Styles sheet has no Season column (the team never kept one) and Config says no Season."""
    path = write_book(tmp_path / "wovens.xlsx", base_sheets())
    out = tmp_path / "roll-up.xlsx"
    ctx = Context(today=TODAY, now=CTX.now, out=out)

    dry = rollup([path], Context(today=TODAY, now=CTX.now, dry_run=True), db=db_url)
    assert [(f.code, f.file, f.sheet, f.column) for f in _about_season(dry.findings)] == [
        (Code.COLUMN_MISSING, "wovens.xlsx", "Styles", "Season")]  # --dry-run says it too

    done = rollup([path], ctx, db=db_url)
    # loaded all the same: 2 styles, 2 PO lines, 2 report lines
    assert done.exit_code == 0 and done.loaded == [("wovens.xlsx", 6)]
    (said,) = _about_season(done.findings)
    assert (said.code, said.severity, said.file, said.sheet, said.column, said.row) == (
        Code.COLUMN_MISSING, "warning", "wovens.xlsx", "Styles", "Season", None)
    assert "has no Season column" in said.message and "(no season)" in said.message, said.message
    assert "type each style's season in it" in said.message and "Config" in said.message, said.message
    assert _rows(db_url, "SELECT season FROM trackers") == [("",)]
    # the roll-up says '(no season)' where it showed a blank
    assert _season_cell(out) == "(no season)"
    assert "(no season)" in openpyxl.load_workbook(out)["Summary"]["A1"].value
    assert "of season (no season)" in done.summary[0], done.summary

    # the season set on the Config sheet: nothing to say
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("Config").append(["Setting", "Value"])
    wb["Config"].append(["Season", "FW27"])
    wb.save(path)
    again = rollup([path], ctx, db=db_url)
    assert _about_season(again.findings) == [] and _season_cell(out) == "FW27"


def test_every_season_blank_is_one_warning_not_one_per_style(tmp_path: Path) -> None:
    path = tracker(tmp_path / "kids.xlsx", po="4600", season="", division="Kids", ta=[], exceptions=[])
    done = rollup([path], CTX, db=str(tmp_path / "db" / "season.duckdb"))
    (said,) = _about_season(done.findings)
    assert (said.code, said.file, said.sheet, said.column, said.row) == (
        Code.REQUIRED, "kids.xlsx", "Styles", "Season", None)
    assert "blank for every style (2)" in said.message and "Type each style's season" in said.message, said.message
    assert done.loaded == [("kids.xlsx", 6)]


def test_styles_without_a_season_beside_others_are_counted_once_and_the_season_filed_under_is_said(
        tmp_path: Path) -> None:
    """Eight styles: S1 and S2 of FW27, six typed without one. The tracker is filed under FW27 as before (the
    season its styles carry), but no longer in silence: one warning, with the count and the first styles."""
    sheets = base_sheets()
    sheets["Styles"][0] += ["Season"]
    sheets["Styles"][1] += ["FW27"]
    sheets["Styles"][2] += ["FW27"]
    sheets["Styles"] += [[f"S{k}", "Tee", "BD1", "Knit", "Adopted", None] for k in range(3, 9)]
    path = write_book(tmp_path / "knits.xlsx", sheets)
    db = str(tmp_path / "db" / "season.duckdb")
    done = rollup([path], CTX, db=db)
    (said,) = _about_season(done.findings)
    assert (said.code, said.file, said.sheet, said.column, said.row) == (
        Code.REQUIRED, "knits.xlsx", "Styles", "Season", None)
    assert said.message.startswith("6 of the 8 styles have no Season: S3 (row 4), S4 (row 5), S5 (row 6), "
                                   "S6 (row 7), S7 (row 8) and 1 more."), said.message
    assert "under FW27, the season the other styles carry" in said.message, said.message
    assert "Type their season in the Season column of the Styles sheet" in said.message, said.message
    assert _rows(db, "SELECT season FROM trackers") == [("FW27",)]


def test_the_load_under_no_season_goes_once_the_season_is_typed(
        db_url: str, tmp_path: Path) -> None:  # noqa: F811  (db_url: test_rollup's fixture)
    """The APM types the season the warning asked for and rolls up again: the tracker's earlier load under no
    season stayed in the database beside the new one, its PO lines counted twice by any query over it."""
    path = write_book(tmp_path / "wovens.xlsx", base_sheets())
    rollup([path], CTX, db=db_url)
    _type_season(path, {"S1": "FW27", "S2": "FW27"})
    done = rollup([path], CTX, db=db_url)
    assert _about_season(done.findings) == []
    assert _rows(db_url, "SELECT file_name, season FROM trackers") == [("wovens.xlsx", "FW27")]
    assert _rows(db_url, "SELECT COUNT(*) FROM po_lines")[0][0] == 2


@pytest.mark.parametrize("sheets", ["no Styles sheet", "no styles"])
def test_a_tracker_with_no_styles_to_read_a_season_from_says_so(tmp_path: Path, sheets: str) -> None:
    book = base_sheets()
    if sheets == "no Styles sheet":
        del book["Styles"]
    else:
        book["Styles"] = [book["Styles"][0] + ["Season"]]
    path = write_book(tmp_path / "tracker.xlsx", book)
    done = rollup([path], CTX, db=str(tmp_path / "db" / "season.duckdb"))
    (said,) = _about_season(done.findings)
    assert (said.file, said.sheet) == ("tracker.xlsx", "Styles") and "(no season)" in said.message, said.message
    assert "Add the setting 'Season' to" in said.message, said.message
    assert done.loaded and done.loaded[0][0] == "tracker.xlsx"
