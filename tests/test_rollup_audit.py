"""The season roll-up as a production manager with several APMs' trackers met it (audit, helper): a PO line
cancelled on Orders since the last T&A run still open in the roll-up, a tracker taken out of (or renamed in)
the season's folder still counted, a --db URL's password in a message, a key column missing from the header
said once per row. Each case on real .xlsx trackers and a real DuckDB file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from prodbook.core.findings import Code, UserError
from prodbook.jobs.base import Context
from prodbook.jobs.rollup_job import rollup
from prodbook.store.db import opened
from test_rollup import CTX, TODAY, _records, kids, tracker, womens


def _rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    with opened(url) as db:
        return db.rows(sql)


def _line_status(path: Path, po: str, word: str) -> Path:
    """Orders gains the team's 'Line Status' column (its Table with it) and ``word`` on PO ``po``'s line."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Orders"]
    col = ws.max_column + 1
    ws.cell(row=1, column=col, value="Line Status")
    for row in ws.iter_rows(min_row=2):
        if str(row[0].value) == po:
            ws.cell(row=row[0].row, column=col, value=word)
    for table in ws.tables.values():
        table.ref = f"A1:{get_column_letter(col)}{ws.max_row}"
        table.tableColumns = []
        table._initialise_columns()
    wb.save(path)
    return path


def _add_exception(path: Path, row: list[Any]) -> None:
    wb = openpyxl.load_workbook(path)
    wb["Exceptions"].append(row)
    for table in wb["Exceptions"].tables.values():
        table.ref = f"A1:{get_column_letter(wb['Exceptions'].max_column)}{wb['Exceptions'].max_row}"
    wb.save(path)


# --- a PO line cancelled on Orders since the last T&A / exceptions run -----------------------------------

def test_a_line_cancelled_since_the_last_ta_run_is_not_open_in_the_roll_up(tmp_path: Path) -> None:
    """The APM types 'Cancelled' in Line Status for 45001 Navy; the T&A and Exceptions are not rebuilt yet.
    Its cutting milestone (Vendor, due Thursday) stood in Due This Week and By Owner, and its late-for-cancel
    exception in Open Exceptions and By Vendor, though the line is out of po_lines: the roll-up counted a
    cancelled line as live. A 'Cancelled line still in production' exception is about that very line: open."""
    path = _line_status(womens(tmp_path), "45001", "Cancelled")
    _add_exception(path, ["EX-0003", TODAY, "45001", "S1", "Navy", "BD1", "cancelled-line-in-production", "warning",
                          "Vendor still cutting", None, None, None])
    out = tmp_path / "r.xlsx"
    db = str(tmp_path / "db" / "season.duckdb")
    done = rollup([path], Context(today=TODAY, now=CTX.now, out=out), db=db)
    assert done.exit_code == 0, [f.text() for f in done.findings]
    assert _rows(db, "SELECT po, line_status FROM orders ORDER BY po") == [("45001", "Cancelled"), ("45002", None)]
    assert _rows(db, "SELECT po FROM po_lines") == [("45002",)]
    wb = openpyxl.load_workbook(out)
    assert [(r["Code"], r["PO #"]) for r in _records(wb["Due This Week"])] == []
    assert {r["Owner"]: r["Due This Week"] for r in _records(wb["By Owner"])} == {}
    assert [(r["ID"], r["Rule"]) for r in _records(wb["Open Exceptions"])] == [
        ("EX-0003", "cancelled-line-in-production")]
    assert [(r["Vendor"], r["Open Exceptions"]) for r in _records(wb["By Vendor"])] == [("BD1", 1)]
    # the T&A as typed stays in the database (its Done milestones, its dates); only what is open changes
    assert _rows(db, "SELECT code, status FROM ta WHERE po = '45001' ORDER BY code") == [("CUT", "N/A"),
                                                                                      ("XF", "N/A")]
    assert _rows(db, "SELECT code, status FROM ta WHERE po = '45002' ORDER BY code") == [
        ("LD-APP", "Done"), ("XF", "Upcoming")]
    # the summary's figures are the database's, the cancelled line nowhere
    summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(min_row=5, max_row=11, values_only=True)}
    assert summary["PO lines"] == _rows(db, "SELECT COUNT(*) FROM po_lines")[0][0] == 1
    assert summary["Milestones due this week"] == 0 and summary["Open exceptions"] == 1


def test_a_line_on_hold_stays_open_in_the_roll_up(tmp_path: Path) -> None:
    """On hold is not cancelled: its milestones are planned and chased as usual (the fix above takes only
    the lines the T&A takes out)."""
    path = _line_status(womens(tmp_path), "45001", "On hold")
    out = tmp_path / "r.xlsx"
    rollup([path], Context(today=TODAY, now=CTX.now, out=out), db=str(tmp_path / "s.duckdb"))
    wb = openpyxl.load_workbook(out)
    assert [(r["Code"], r["PO #"]) for r in _records(wb["Due This Week"])] == [("CUT", "45001")]
    assert [r["ID"] for r in _records(wb["Open Exceptions"])] == ["EX-0001"]


# --- a tracker taken out of the season's folder, or renamed in it ---------------------------------------

def test_a_tracker_taken_out_of_the_folder_is_no_longer_counted_and_is_named(tmp_path: Path) -> None:
    """The manager rolls up the season's folder; kids.xlsx moves to an 'old' subfolder (the division closed
    its season early), then womens.xlsx is renamed. Kids stayed in every figure, without a word, and the
    renamed workbook was counted twice (its old name's load and its new one)."""
    folder = tmp_path / "FW27 Production é"
    womens(folder), kids(folder)
    db = str(tmp_path / "db" / "season.duckdb")
    ctx = Context(today=TODAY, now=CTX.now, out=tmp_path / "r.xlsx")
    assert rollup([folder], ctx, db=db).findings == []
    (folder / "old").mkdir()
    (folder / "kids.xlsx").rename(folder / "old" / "kids.xlsx")
    done = rollup([folder], ctx, db=db)
    assert done.exit_code == 0 and done.data["trackers"] == 1
    (said,) = done.findings
    assert (said.code, said.file) == (Code.TRACKER_TWICE, "kids.xlsx")
    assert "no longer in that folder" in said.message and str(folder.resolve().as_posix()) in said.message
    assert f"loaded on {CTX.now:%d-%b-%y %H:%M} by " in said.message, said.message  # as the sheets show a date
    assert _rows(db, "SELECT file_name FROM trackers") == [("womens.xlsx",)]
    assert _rows(db, "SELECT COUNT(*) FROM po_lines")[0][0] == 2
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert {r["Tracker"] for r in _records(wb["Lines at Risk"])} == {"womens.xlsx"}

    (folder / "womens.xlsx").rename(folder / "womens FW27.xlsx")
    renamed = rollup([folder], ctx, db=db)
    assert not any("more than one tracker" in f.message for f in renamed.findings)
    assert _rows(db, "SELECT file_name FROM trackers") == [("womens FW27.xlsx",)]
    assert _rows(db, "SELECT COUNT(*) FROM po_lines")[0][0] == 2


def test_a_tracker_loaded_by_name_or_from_another_folder_stays(tmp_path: Path) -> None:
    """Only a folder rolled up in this run says what is in the season: a tracker given by name from elsewhere,
    and last season's tracker that left the folder, keep their loads."""
    folder = tmp_path / "FW27"
    womens(folder)
    other = kids(tmp_path / "elsewhere")
    last = tracker(folder / "ss26.xlsx", po="4400", season="SS26", division="Women's", ta=[], exceptions=[])
    db = str(tmp_path / "s.duckdb")
    rollup([folder, other], CTX, db=db)
    last.unlink()
    done = rollup([folder], CTX, db=db)
    assert done.findings == []
    assert sorted(r[0] for r in _rows(db, "SELECT file_name FROM trackers")) == [
        "kids.xlsx", "ss26.xlsx", "womens.xlsx"]


# --- a --db URL's password is never shown --------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "postgresql+psycopg2://apm:s3cret@127.0.0.1:1/production",  # SQLAlchemy's spelling, as IT may give it
    "PostgreSQL://apm:s3cret@127.0.0.1:1/production",  # a scheme has no case
    "host=127.0.0.1 port=1 user=apm password=s3cret dbname=production",  # a libpq key=value string
    "mysql://apm:s3cret@dbserver/production",  # not a database prodbook takes
])
def test_a_db_url_s_password_is_never_in_the_message(tmp_path: Path, url: str) -> None:
    """--db 'postgresql+psycopg2://apm:s3cret@...' was answered '--db postgresql+psycopg2://apm:s3cret@...:
    name a DuckDB file ...': the password on the screen and in the scheduled run's log."""
    with pytest.raises(UserError) as caught:
        rollup([womens(tmp_path)], CTX, db=url)
    text = caught.value.finding.text()
    assert "s3cret" not in text, text
    if url.lower().startswith("postgres"):  # a server URL in any spelling is a server: tried, and named
        assert "could not reach the roll-up database postgresql://apm@127.0.0.1:1/production" in text


# --- a key column missing from the header: said once -----------------------------------------------------

def test_a_key_column_missing_from_the_header_is_one_finding_not_one_per_row(tmp_path: Path) -> None:
    """Orders' 'PO #' header overtyped: the roll-up said the column is missing, then 'PO #' is empty on every
    row and every row repeated another (the rest of the key alike): 100 lines for one header."""
    path = womens(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["Orders"]["A1"] = "Purchase ref"
    for table in wb["Orders"].tables.values():
        table.tableColumns[0].name = "Purchase ref"
    wb["Orders"].append(["45001", "S2", "Black", 50])  # a third line: the key without PO # repeats
    wb.save(path)
    done = rollup([path, kids(tmp_path)], CTX, db=str(tmp_path / "s.duckdb"))
    mine = [f for f in done.findings if f.file == "womens.xlsx"]
    assert [f.code for f in mine] == [Code.TRACKER_NOT_LOADED, Code.COLUMN_MISSING], [f.text() for f in mine]
    assert "'PO #' is missing" in mine[0].message and mine[1].sheet == "Orders"
    assert [f for f, _ in done.loaded] == ["kids.xlsx"]


def test_a_tracker_stored_without_po_lines_keeps_its_lines_in_the_vendor_scorecards(tmp_path: Path) -> None:
    """(L8) kids.xlsx was loaded before the database kept po_lines (schema version 1: its orders, no po_lines
    rows, no Line Status). Its lines were all taken for cancelled, as the cancelled set was every tracker's
    orders less every tracker's po_lines: BD1 and CN1 lost kids' lines. Each tracker's lines are judged by its
    own po_lines; womens.xlsx's 45001, cancelled on its Orders, stays out."""
    from prodbook.jobs.rollup_job import vendor_scorecards
    from prodbook.store.rollup import Combined

    path = _line_status(womens(tmp_path), "45001", "Cancelled")
    db = str(tmp_path / "db" / "season.duckdb")
    done = rollup([path, kids(tmp_path)], Context(today=TODAY, now=CTX.now, out=tmp_path / "r.xlsx"), db=db)
    assert done.exit_code == 0, [f.text() for f in done.findings]

    def lines_per_vendor() -> dict[str, int]:
        with opened(db) as database:
            cards = vendor_scorecards(Combined(database, ("FW27",)), TODAY)
        return {str(v): int(n) for v, n in zip(cards["vendor"], cards["po_lines"])}

    assert lines_per_vendor() == {"BD1": 1, "CN1": 2}  # 46001; 45002 and 46002 (45001 cancelled)
    with opened(db) as database:  # as a tracker loaded before schema versions 2 and 3 is held
        kid = "(SELECT tracker_id FROM trackers WHERE file_name = 'kids.xlsx')"
        database.execute(f"DELETE FROM po_lines WHERE tracker_id IN {kid}")
        database.execute(f"UPDATE orders SET line_status = NULL WHERE tracker_id IN {kid}")
    assert _rows(db, "SELECT COUNT(*) FROM po_lines")[0][0] == 1
    assert lines_per_vendor() == {"BD1": 1, "CN1": 2}


# --- where the roll-up workbook lands, said whole ------------------------------------------------------------

def test_a_relative_out_and_a_relative_tracker_are_named_by_their_whole_paths(tmp_path: Path, monkeypatch) -> None:
    """`prodbook rollup womens.xlsx --out r.xlsx` typed in a folder: the run said 'Roll-up workbook: r.xlsx', and
    with no --out 'Roll-up workbook: Season Roll-up ....xlsx', leaving the APM to guess the folder (as report and
    scorecard name theirs whole)."""
    from click.testing import CliRunner

    from prodbook.cli import main

    monkeypatch.chdir(tmp_path)
    womens(tmp_path)
    db = ["--db", str(tmp_path / "season.duckdb"), "--today", TODAY.isoformat()]
    done = CliRunner().invoke(main, ["rollup", "womens.xlsx", "--out", "r.xlsx", *db])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "r.xlsx").is_file()
    assert f"Roll-up workbook: {tmp_path / 'r.xlsx'}" in done.output, done.output
    done = CliRunner().invoke(main, ["rollup", "womens.xlsx", *db])
    assert done.exit_code == 0, done.output
    (said,) = [x for x in done.output.splitlines() if "Roll-up workbook:" in x]
    written = Path(said.split("Roll-up workbook: ", 1)[1])
    assert written.is_absolute() and written.is_file() and written.parent == tmp_path, said


def test_a_path_with_dot_dot_is_named_without_it(tmp_path: Path, monkeypatch) -> None:
    """`prodbook rollup sub\\..\\womens.xlsx --out sub\\..\\r.xlsx`: the run named 'C:\\...\\sub\\..\\r.xlsx', with
    its '..'; it names the file as it is, with or without --out."""
    from click.testing import CliRunner

    from prodbook.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    womens(tmp_path)
    up = os.path.join("sub", "..")
    db = ["--db", str(tmp_path / "season.duckdb"), "--today", TODAY.isoformat()]
    done = CliRunner().invoke(main, ["rollup", os.path.join(up, "womens.xlsx"), "--out", os.path.join(up, "r.xlsx"),
                                     *db])
    assert done.exit_code == 0, done.output
    assert f"Roll-up workbook: {tmp_path / 'r.xlsx'}" in done.output, done.output
    done = CliRunner().invoke(main, ["rollup", os.path.join(up, "womens.xlsx"), *db])
    assert done.exit_code == 0, done.output
    (said,) = [x for x in done.output.splitlines() if "Roll-up workbook:" in x]
    written = Path(said.split("Roll-up workbook: ", 1)[1])
    assert ".." not in said and written.is_file() and written.parent == tmp_path, said
