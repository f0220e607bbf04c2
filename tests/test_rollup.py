"""The season roll-up against the real engines: DuckDB in every run, PostgreSQL on a throwaway server.

Every check runs on both: the schema created and versioned (and migrated
from version 1), a re-load that does not duplicate rows, two trackers loaded
by two processes at once, a tracker with a bad row (a finding naming the
workbook, sheet and row; nothing of it in the database), and the roll-up
workbook's contents, read back from the .xlsx.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import prodbook
from conftest import base_sheets, write_book
from pg_server import pg_server, pg_url  # noqa: F401  (fixtures)
from prodbook.core.findings import Code, UserError
from prodbook.jobs.base import Context
from prodbook.jobs.rollup_job import read_tracker, rollup
from prodbook.store import load as store_load
from prodbook.store.db import VERSION_TABLE, connect, opened
from prodbook.store.rollup import Combined, counts
from prodbook.store.schema import MIGRATIONS, SCHEMA_VERSION, TABLES

TODAY = date(2027, 4, 7)  # a Wednesday: this week is Mon 5 - Sun 11 April 2027
CTX = Context(today=TODAY, now=datetime(2027, 4, 7, 9, 30))
TA_HEAD = ["PO #", "Style #", "Color", "Vendor", "Code", "Milestone", "Owner", "Planned", "Forecast", "Actual",
           "Status", "Variance", "Notes"]
EX_HEAD = ["ID", "Detected", "PO #", "Style #", "Color", "Vendor", "Rule", "Severity", "Detail", "Status", "Owner",
           "Resolution"]
D = date


def tracker(path: Path, *, po: str, season: str, division: str, ta: list[list[Any]],
            exceptions: list[list[Any]]) -> Path:
    """A small real tracker: two styles, two PO lines (``po``1 BD1 Navy, ``po``2 CN1 Black), its T&A and
    Exceptions rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sheets = base_sheets()
    sheets["Styles"][0] += ["Season", "Division"]
    for row in sheets["Styles"][1:]:
        row += [season, division]
    sheets["Orders"][1][0], sheets["Orders"][2][0] = f"{po}1", f"{po}2"
    sheets["T&A"] = [TA_HEAD, *ta]
    sheets["Exceptions"] = [EX_HEAD, *exceptions]
    return write_book(path, sheets)


def womens(folder: Path, *, actual: Any = None) -> Path:
    """PO 45001 Navy forecast to leave 5 days after its cancel date (late), cutting due this week (Vendor);
    PO 45002 on track, its lab dip done. Open: one error exception for BD1; one closed for CN1."""
    return tracker(folder / "womens.xlsx", po="4500", season="FW27", division="Women's", ta=[
        ["45001", "S1", "Navy", "BD1", "CUT", "Bulk cutting", "Vendor", D(2027, 4, 6), D(2027, 4, 8), actual,
         "Due soon", 2, None],
        ["45001", "S1", "Navy", "BD1", "XF", "Ex-factory", "Vendor", D(2027, 4, 15), D(2027, 5, 25), None,
         "Upcoming", 40, None],
        ["45002", "S2", "Black", "CN1", "LD-APP", "Lab dip approval", "Buyer", D(2027, 4, 9), D(2027, 4, 9),
         D(2027, 4, 6), "Done", 0, None],
        ["45002", "S2", "Black", "CN1", "XF", "Ex-factory", "Vendor", D(2027, 4, 30), D(2027, 4, 30), None,
         "Upcoming", 0, None],
    ], exceptions=[
        ["EX-0001", D(2027, 4, 1), "45001", "S1", "Navy", "BD1", "late-for-cancel", "error", "Late for cancel",
         None, None, None],
        ["EX-0002", D(2027, 3, 20), "45002", "S2", "Black", "CN1", "wip-stale", "warning", "No WIP report",
         "Closed", "Ann", "Report received"],
    ])


def kids(folder: Path) -> Path:
    """PO 46001 Navy forecast 10 days late but before its cancel date (at risk), its PP sample due Friday (QA)
    and an overdue fabric milestone (Mill). One open warning for BD1."""
    return tracker(folder / "kids.xlsx", po="4600", season="FW27", division="Kids", ta=[
        ["46001", "S1", "Navy", "BD1", "PPS", "PP sample", "QA", D(2027, 4, 9), D(2027, 4, 9), None, "Due soon",
         0, None],
        ["46001", "S1", "Navy", "BD1", "FIH", "Fabric in-house", "Mill", D(2027, 3, 30), D(2027, 3, 30), None,
         "Overdue", 0, None],
        ["46001", "S1", "Navy", "BD1", "XF", "Ex-factory", "Vendor", D(2027, 4, 15), D(2027, 4, 25), None,
         "Upcoming", 10, None],
        ["46002", "S2", "Black", "CN1", "XF", "Ex-factory", "Vendor", D(2027, 4, 30), D(2027, 4, 30), None,
         "Upcoming", 0, None],
    ], exceptions=[
        ["EX-0001", D(2027, 4, 2), "46001", "S1", "Navy", "BD1", "xf-revised-later", "warning", "Vendor moved XF",
         None, None, None],
    ])


@pytest.fixture(params=["duckdb", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "duckdb":
        return str(tmp_path / "db" / "season.duckdb")
    return request.getfixturevalue("pg_url")


def table_counts(url: str) -> dict[str, int]:
    with opened(url) as db:
        return counts(db)


def rows_of(url: str, sql: str) -> list[tuple[Any, ...]]:
    with opened(url) as db:
        return db.rows(sql)


# --- the schema ----------------------------------------------------------------------------------------

def test_the_schema_is_created_by_prodbook_and_versioned(db_url: str) -> None:
    with opened(db_url) as db:
        assert db.version() == SCHEMA_VERSION == 4
        assert [r[0] for r in db.rows("SELECT version FROM schema_version ORDER BY version")] == [1, 2, 3, 4]
        for table in TABLES:
            got = db.rows("SELECT column_name FROM information_schema.columns WHERE table_schema = "
                          "current_schema() AND table_name = ? ORDER BY ordinal_position", (table.name,))
            assert [r[0] for r in got] == list(table.names), table.name
        assert db.migrate() == []  # opened again: nothing to do
    # the README documents these columns: a change here is a new schema version
    orders = [c.name for c in next(t for t in TABLES if t.name == "orders").columns]
    assert orders == ["tracker_id", "sheet_row", "po", "style", "color", "qty", "ship_mode", "po_date",
                      "ex_factory", "in_dc", "cancel", "port", "dc", "terms", "line_status"]


def test_a_version_1_database_is_migrated_keeping_its_rows(db_url: str) -> None:
    db = connect(db_url)
    try:
        with db.transaction():
            db.execute(VERSION_TABLE)
            for sql in MIGRATIONS[0][2]:
                db.execute(sql)
            db.execute("INSERT INTO schema_version (version, note) VALUES (1, 'v1')")
            db.execute("INSERT INTO trackers (tracker_id, file, file_name, season) VALUES ('t1', '/x.xlsx', "
                       "'x.xlsx', 'FW27')")
            db.execute("INSERT INTO exceptions (tracker_id, sheet_row, id, vendor) VALUES ('t1', 2, 'EX-1', 'BD1')")
        assert db.version() == 1
        assert db.migrate() == [2, 3, 4]
        assert db.version() == 4
        assert db.rows("SELECT id, vendor, is_open FROM exceptions") == [("EX-1", "BD1", None)]
        assert db.rows("SELECT COUNT(*) FROM orders WHERE line_status IS NULL") == [(0,)]
        assert db.rows("SELECT COUNT(*) FROM po_lines") == [(0,)]
        assert db.rows("SELECT file_name, in_dc_code, default_terms FROM trackers") == [("x.xlsx", None, None)]
    finally:
        db.close()


def test_a_database_from_a_newer_prodbook_is_refused(db_url: str) -> None:
    with opened(db_url) as db:
        db.execute("INSERT INTO schema_version (version, note) VALUES (99, 'future')")
    with pytest.raises(UserError, match="newer prodbook"), opened(db_url):
        pass


# --- the roll-up ---------------------------------------------------------------------------------------

def test_two_trackers_roll_up_and_a_reload_does_not_duplicate(db_url: str, tmp_path: Path) -> None:
    a, b = womens(tmp_path), kids(tmp_path)
    out = tmp_path / "rollup.xlsx"
    ctx = Context(today=TODAY, now=CTX.now, out=out)
    first = rollup([a, b], ctx, db=db_url)
    assert first.findings == [] and first.exit_code == 0
    before = table_counts(db_url)
    assert {k: before[k] for k in ("trackers", "styles", "orders", "ta", "exceptions", "po_lines")} == {
        "trackers": 2, "styles": 4, "orders": 4, "ta": 8, "exceptions": 3, "po_lines": 4}
    again = rollup([tmp_path], ctx, db=db_url)  # the folder: both trackers, loaded again
    assert [f for f, _ in again.loaded] == ["kids.xlsx", "womens.xlsx"]
    assert table_counts(db_url) == before

    with opened(db_url) as db:  # what the vendor scorecards across the vendor base will take
        combined = Combined(db, ("FW27",))
        orders = combined.frame("orders")
        assert sorted(zip(orders["tracker"], orders["po"], orders["division"])) == [
            ("kids.xlsx", "46001", "Kids"), ("kids.xlsx", "46002", "Kids"),
            ("womens.xlsx", "45001", "Women's"), ("womens.xlsx", "45002", "Women's")]
        assert len(combined.frame("ta")) == 8 and combined.frame("ta") is combined.frame("ta")  # read once
        assert Combined(db, ("SS26",)).frame("orders").empty
    assert rows_of(db_url, "SELECT file_name, season, division, as_of FROM trackers ORDER BY file_name") == [
        ("kids.xlsx", "FW27", "Kids", TODAY), ("womens.xlsx", "FW27", "Women's", TODAY)]
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Summary", "Lines at Risk", "By Owner", "Due This Week", "By Vendor", "Open Exceptions",
                             "Vendor Scorecards"]
    # across both trackers: BD1 makes 45001 and 46001, neither shipped; 2 exceptions on 2 lines = 100 per 100
    cards = {r["Vendor"]: r for r in _records(wb["Vendor Scorecards"])}
    assert (cards["BD1"]["PO Lines"], cards["CN1"]["PO Lines"], cards["BD1"]["Exceptions"]) == (2, 2, 2)
    lines = _records(wb["Lines at Risk"])
    assert [(r["Tracker"], r["PO #"], r["Status"], r["XF Days Late"]) for r in lines] == [
        ("womens.xlsx", "45001", "Late for cancel", 40), ("kids.xlsx", "46001", "At risk", 10)]
    due = _records(wb["Due This Week"])
    assert [(r["Owner"], r["Due"].date(), r["Code"], r["PO #"], r["Tracker"], r["T&A Row"]) for r in due] == [
        ("QA", D(2027, 4, 9), "PPS", "46001", "kids.xlsx", 2),
        ("Vendor", D(2027, 4, 8), "CUT", "45001", "womens.xlsx", 2)]
    owners = {r["Owner"]: (r["Due This Week"], r["Overdue"]) for r in _records(wb["By Owner"])}
    assert owners == {"QA": (1, 0), "Vendor": (1, 0), "Mill": (0, 1)}
    vendors = _records(wb["By Vendor"])
    assert [(r["Vendor"], r["Open Exceptions"], r["Errors"], r["Warnings"], r["Trackers"]) for r in vendors] == [
        ("BD1", 2, 1, 1, 2)]
    assert [(r["Vendor"], r["ID"], r["Severity"], r["Tracker"]) for r in _records(wb["Open Exceptions"])] == [
        ("BD1", "EX-0001", "error", "womens.xlsx"), ("BD1", "EX-0001", "warning", "kids.xlsx")]


def test_a_milestone_marked_n_a_is_not_open_in_the_roll_up(tmp_path: Path) -> None:
    """Cutting marked N/A (typed in Actual since the last T&A run, its Status still 'Due soon') stood in Due
    This Week and counted for its owner: an Actual 'N/A' was stored as a blank Actual, which reads as open."""
    out = tmp_path / "rollup.xlsx"
    rollup([womens(tmp_path, actual="N/A")], Context(today=TODAY, now=CTX.now, out=out),
           db=str(tmp_path / "db" / "season.duckdb"))
    wb = openpyxl.load_workbook(out)
    assert [(r["Code"], r["PO #"]) for r in _records(wb["Due This Week"])] == []
    assert {r["Owner"]: (r["Due This Week"], r["Overdue"]) for r in _records(wb["By Owner"])} == {}


def test_a_tracker_with_a_bad_row_is_not_loaded_at_all_and_the_others_are(db_url: str, tmp_path: Path) -> None:
    good, other = womens(tmp_path / "w"), kids(tmp_path)
    rollup([good, other], CTX, db=db_url)
    before = table_counts(db_url)
    loaded_at = rows_of(db_url, "SELECT file_name, loaded_at FROM trackers ORDER BY file_name")
    womens(tmp_path / "w", actual="soon")  # the same tracker, its T&A row 2 now holds a date that is not one
    later = Context(today=TODAY, now=CTX.now + timedelta(hours=1), out=tmp_path / "r.xlsx")
    result = rollup([good, other], later, db=db_url)

    assert result.exit_code == 1
    head = result.findings[0]
    assert (head.code, head.file, head.sheet, head.row, head.column, head.value) == (
        Code.TRACKER_NOT_LOADED, "womens.xlsx", "T&A", 2, "Actual", "soon")
    assert "Nothing of this tracker was loaded" in head.message
    assert any(f.code is Code.BAD_DATE and f.row == 2 for f in result.findings[1:])
    assert [f for f, _ in result.loaded] == ["kids.xlsx"]
    # womens.xlsx: its last good load, whole (its styles and orders, inserted before the T&A in the same
    # transaction, were rolled back); kids.xlsx loaded again
    assert table_counts(db_url) == before
    now = dict(rows_of(db_url, "SELECT file_name, loaded_at FROM trackers ORDER BY file_name"))
    assert now["womens.xlsx"] == dict(loaded_at)["womens.xlsx"]
    assert now["kids.xlsx"] == later.now
    summary = _values(openpyxl.load_workbook(tmp_path / "r.xlsx")["Summary"])
    assert any("womens.xlsx" in str(v) for v in summary) and any("T&A" in str(v) and "row 2" in str(v)
                                                                  for v in summary)


def test_a_first_load_with_a_bad_row_leaves_nothing_of_it(db_url: str, tmp_path: Path) -> None:
    bad = womens(tmp_path, actual="soon")
    result = rollup([bad], CTX, db=db_url)
    assert result.out is None and not result.loaded  # nothing loaded: no roll-up workbook either
    assert not list(tmp_path.glob("Season Roll-up*"))
    assert all(n == 0 for n in table_counts(db_url).values())


def test_rows_the_database_refuses_roll_the_whole_load_back(db_url: str, tmp_path: Path) -> None:
    """The database's own keys are the last guard: a repeated PO line that got past the reading (here put in by
    hand) makes the load fail as a whole, and the earlier load stays."""
    path = womens(tmp_path)
    with opened(db_url) as db:
        store_load.load(db, read_tracker(path, CTX), now=CTX.now)
    before = table_counts(db_url)
    prepared = read_tracker(path, CTX)
    orders = next(t for t in prepared.tables if t.table.name == "orders")
    orders.frame = pd.concat([orders.frame, orders.frame.iloc[[0]].assign(sheet_row=99)], ignore_index=True)
    with opened(db_url) as db, pytest.raises(store_load.NotLoaded) as caught:
        store_load.load(db, prepared, now=CTX.now + timedelta(hours=1))
    f = caught.value.findings[0]
    assert (f.code, f.file, f.sheet) == (Code.TRACKER_NOT_LOADED, "womens.xlsx", "Orders")
    assert "refused" in f.message
    assert table_counts(db_url) == before


def test_two_processes_load_at_once(db_url: str, tmp_path: Path) -> None:
    """Two APMs' roll-ups at the same moment, each loading both trackers in the other order: DuckDB's file is
    taken in turns, PostgreSQL's rows side by side; either way each tracker is there once."""
    a, b = womens(tmp_path), kids(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(Path(prodbook.__file__).parents[1]), "PRODBOOK_DB_WAIT": "120"}
    cmds = [[sys.executable, "-m", "prodbook.cli", "rollup", str(x), str(y), "--db", db_url, "--today",
             TODAY.isoformat(), "--out", str(tmp_path / f"r{i}.xlsx"), "--json"]
            for i, (x, y) in enumerate(((a, b), (b, a)))]
    procs = [subprocess.Popen(c, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for c in cmds]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    got = table_counts(db_url)
    assert (got["trackers"], got["orders"], got["ta"], got["exceptions"], got["po_lines"]) == (2, 4, 8, 3, 4)
    assert all((tmp_path / f"r{i}.xlsx").exists() for i in (0, 1))


# --- one tracker, one load: however its path is spelled, from whichever colleague's folder --------------

def _trackers(url: str) -> list[tuple[Any, ...]]:
    return rows_of(url, "SELECT file_name, file FROM trackers ORDER BY file")


def _with_tracker_id(path: Path, name: str) -> Path:
    wb = openpyxl.load_workbook(path)
    config = wb.create_sheet("Config")
    config.append(["Setting", "Value"])
    config.append(["Tracker ID", name])
    wb.save(path)
    return path


def test_one_workbook_reached_by_another_spelling_is_one_tracker(db_url: str, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """On Windows and a Mac 'Womens.xlsx' and 'womens.xlsx' are one file, and a Mac may give an accented name
    in another Unicode form: until 2026-12-05 each spelling was a tracker of its own, its lines counted twice.
    A load made before (its id from the path as it was spelled) is taken over too."""
    import unicodedata

    path = tracker(tmp_path / "Été" / "womens.xlsx", po="4500", season="FW27", division="Women's", ta=[],
                   exceptions=[])
    monkeypatch.setattr(store_load, "CASE_BLIND", False)  # the id as an earlier prodbook made it
    assert rollup([path], CTX, db=db_url).findings == []
    before = table_counts(db_url)
    monkeypatch.setattr(store_load, "CASE_BLIND", True)
    spelled = unicodedata.normalize("NFD", str(path.resolve())).upper()  # as another program may name it
    monkeypatch.setattr(store_load, "file_key", lambda p: unicodedata.normalize("NFC", spelled))
    again = rollup([path], CTX, db=db_url)
    assert again.findings == [] and table_counts(db_url) == before
    assert _trackers(db_url) == [("womens.xlsx", unicodedata.normalize("NFC", spelled))]


def test_a_shared_workbook_from_each_colleague_s_synced_folder_is_named_then_one_tracker(db_url: str,
                                                                                          tmp_path: Path) -> None:
    """Each APM reaches the team's tracker through their own OneDrive folder: two paths, one workbook. Without
    a Tracker ID the roll-up cannot know, so it says so; with one, the two loads are one tracker."""
    import shutil

    alice = womens(tmp_path / "alice" / "OneDrive - Retail" / "FW27")
    bob = tmp_path / "bob" / "OneDrive - Retail" / "FW27" / "womens.xlsx"
    bob.parent.mkdir(parents=True)
    shutil.copy2(alice, bob)
    assert rollup([alice], CTX, db=db_url).findings == []
    same = rollup([bob], CTX, db=db_url)  # the same bytes: one workbook, whatever the path
    assert [f.code for f in same.findings] == [Code.TRACKER_TWICE] and same.exit_code == 0
    assert "byte for byte" in same.findings[0].text() and table_counts(db_url)["trackers"] == 1
    assert f" on {CTX.now:%d-%b-%y %H:%M})" in same.findings[0].text()  # as the sheets show a date, not ISO
    wb = openpyxl.load_workbook(bob)  # Bob's copy saved since (or Alice's, not yet synced): other bytes
    wb["Orders"]["D2"] = 1300
    wb.save(bob)
    assert rollup([bob], CTX, db=db_url).findings == []  # its own load again: Alice's went with the copy
    twice = rollup([alice], CTX, db=db_url)  # named as one file twice, and its lines as in two trackers
    assert [f.code for f in twice.findings] == [Code.TRACKER_TWICE] * 2 and twice.exit_code == 0
    said = twice.findings[0].text()
    assert str(bob.resolve().as_posix()) in said and "counted twice" in said and "'Tracker ID'" in said
    assert f" on {CTX.now:%d-%b-%y %H:%M})" in said, said
    assert "2 PO line(s) are in more than one tracker" in twice.findings[1].text()
    assert table_counts(db_url)["trackers"] == 2

    for path in (alice, bob):  # the APM adds it in the shared workbook; OneDrive brings it to both folders
        _with_tracker_id(path, "FW27-Wovens")
    shutil.copy2(alice, bob)
    first = rollup([alice], CTX, db=db_url).findings  # Bob's load from before the ID is still in: said
    assert [f.message[:40] for f in first] == ["2 PO line(s) are in more than one tracke"]
    assert rollup([bob], CTX, db=db_url).findings == []
    got = table_counts(db_url)
    assert (got["trackers"], got["orders"], got["ta"]) == (1, 2, 4)
    assert _trackers(db_url) == [("womens.xlsx", bob.resolve().as_posix())]


def test_a_copy_in_the_folder_is_one_tracker_and_a_season_spelled_otherwise_is_the_same_season(
        tmp_path: Path) -> None:
    """'womens - Copy.xlsx' beside womens.xlsx doubled every figure; Bob's styles saying 'FW 27' where Ann's
    say 'FW27' left his tracker out of her roll-up; and a tracker whose styles carried two seasons moved to
    the other one without a word, its earlier load staying."""
    import shutil

    db = str(tmp_path / "db" / "season.duckdb")
    folder = tmp_path / "FW27"
    ann = womens(folder)
    shutil.copy2(ann, folder / "womens - Copy.xlsx")
    done = rollup([folder], CTX, db=db)
    assert [f.code for f in done.findings] == [Code.TRACKER_TWICE] and "byte for byte" in done.findings[0].text()
    assert table_counts(db)["trackers"] == 1 and done.data["lines_at_risk"] == 1
    (folder / "womens - Copy.xlsx").unlink()
    bob = tracker(tmp_path / "bob" / "kids.xlsx", po="4600", season="FW 27", division="Kids", ta=[], exceptions=[])
    assert rollup([bob], CTX, db=db).data["trackers"] == 2  # FW27 and FW 27: one season's roll-up
    assert rollup([ann], CTX, db=db).data["trackers"] == 2
    wb = openpyxl.load_workbook(bob)  # next season's styles added, one more than this season's
    ws = wb["Styles"]
    for n in range(3):
        ws.append([f"N{n}", *[c.value for c in ws[2]][1:-2], "SS28", "Kids"])
    wb.save(bob)
    moved = rollup([bob], CTX, db=db)
    said = [f.text() for f in moved.findings if f.code is Code.TRACKER_TWICE]
    assert any("SS28 (3 styles), FW 27 (2 styles)" in t and "'Season' to its Config sheet" in t for t in said)
    assert any(f"loaded on {CTX.now:%d-%b-%y %H:%M} as season FW 27" in t for t in said), said


def test_a_po_line_in_two_trackers_is_named(tmp_path: Path) -> None:
    """A line moved from Women's to Kids and still on both was counted in each, without a word."""
    a, b = womens(tmp_path), kids(tmp_path)
    wb = openpyxl.load_workbook(b)
    wb["Orders"]["A3"] = "45002"  # Kids' second line is Women's 45002 / S2 / Black
    wb.save(b)
    done = rollup([a, b], CTX, db=str(tmp_path / "db" / "season.duckdb"))
    (said,) = [f for f in done.findings if f.code is Code.TRACKER_TWICE]
    assert "1 PO line(s) are in more than one tracker" in said.message
    assert "45002 / S2 / Black (kids.xlsx and womens.xlsx)" in said.message


def test_the_roll_ups_scorecards_take_each_trackers_ex_factory_and_name_its_other_settings(tmp_path: Path) -> None:
    """A tracker whose ex-factory milestone is coded EXF (Config 'Ex-Factory Code') showed nothing shipped on
    the roll-up's Vendor Scorecards; one with On-Time Tolerance Days 3 was scored by 0 without a word."""
    path = tracker(tmp_path / "womens.xlsx", po="4500", season="FW27", division="Women's", ta=[
        ["45001", "S1", "Navy", "BD1", "EXF", "Ex-factory", "Vendor", D(2027, 4, 15), D(2027, 4, 15),
         D(2027, 4, 14), "Done", 0, None],
        ["45002", "S2", "Black", "CN1", "EXF", "Ex-factory", "Vendor", D(2027, 4, 30), D(2027, 4, 30),
         D(2027, 5, 2), "Done late", 2, None]], exceptions=[])
    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet("Config")
    for r in (["Setting", "Value"], ["Ex-Factory Code", "EXF"], ["On-Time Tolerance Days", 3]):
        ws.append(r)
    wb.save(path)
    out = tmp_path / "r.xlsx"
    done = rollup([path], Context(today=D(2027, 5, 31), now=CTX.now, out=out), db=str(tmp_path / "s.duckdb"))
    cards = {r["Vendor"]: r for r in _records(openpyxl.load_workbook(out)["Vendor Scorecards"])}
    assert (cards["BD1"]["Delivered"], cards["CN1"]["Delivered"], cards["CN1"]["Worst Days Late"]) == (1, 1, 2)
    (said,) = [f for f in done.findings if "On-Time Tolerance Days 3 (default 0)" in f.message]
    assert said.file == "womens.xlsx" and "its own scorecard" in said.message


def test_the_roll_ups_scorecards_judge_ddp_lines_by_each_trackers_in_dc_code_and_default_terms(
        tmp_path: Path) -> None:
    """Two trackers in one DuckDB store, both DDP by their Config 'Default Terms' (no Terms column on Orders),
    their arrival at the DC coded DC on one and ARR on the other ('In-DC Code'). The roll-up scored every line on
    its ex-factory (the default FOB) and looked for IDC: each DDP line is judged on its own tracker's in-DC
    milestone against the Orders In-DC, as its tracker's own scorecard judges it."""
    def ddp_tracker(name: str, po: str, code: str, arrived: tuple[Any, Any]) -> Path:
        # both lines leave the factory on time (XF Actual on the planned day); the DC dates decide
        path = tracker(tmp_path / "season" / name, po=po, season="FW27", division=name, ta=[
            [f"{po}1", "S1", "Navy", "BD1", "XF", "Ex-factory", "Vendor", D(2027, 4, 15), D(2027, 4, 15),
             D(2027, 4, 15), "Done", 0, None],
            [f"{po}1", "S1", "Navy", "BD1", code, "In DC", "Logistics", D(2027, 5, 10), D(2027, 5, 10), arrived[0],
             None, None, None],
            [f"{po}2", "S2", "Black", "CN1", "XF", "Ex-factory", "Vendor", D(2027, 4, 30), D(2027, 4, 30),
             D(2027, 4, 30), "Done", 0, None],
            [f"{po}2", "S2", "Black", "CN1", code, "In DC", "Logistics", D(2027, 5, 30), D(2027, 5, 30), arrived[1],
             None, None, None]], exceptions=[])
        wb = openpyxl.load_workbook(path)
        ws = wb.create_sheet("Config")
        for r in (["Setting", "Value"], ["In-DC Code", code], ["Default Terms", "DDP"]):
            ws.append(r)
        wb.save(path)
        return path

    # Orders In-DC: 10-May for S1 / Navy (BD1), 30-May for S2 / Black (CN1)
    womens = ddp_tracker("womens.xlsx", "4500", "DC", (D(2027, 5, 12), D(2027, 5, 29)))  # BD1 2 days late
    kids = ddp_tracker("kids.xlsx", "4600", "ARR", (D(2027, 5, 15), None))  # BD1 5 days late; CN1 not in the DC
    out = tmp_path / "r.xlsx"
    db = tmp_path / "s.duckdb"
    done = rollup([womens, kids], Context(today=D(2027, 5, 31), now=CTX.now, out=out), db=str(db))
    with opened(str(db)) as database:  # one store, two trackers
        assert sorted(database.rows("SELECT file_name FROM trackers")) == [("kids.xlsx",), ("womens.xlsx",)]
    sheet = openpyxl.load_workbook(out)["Vendor Scorecards"]
    cards = {r["Vendor"]: r for r in _records(sheet)}
    bd1, cn1 = cards["BD1"], cards["CN1"]
    assert (bd1["Delivered"], bd1["On-Time Delivery %"], bd1["Worst Days Late"], bd1["Avg Days Late"]) == (
        2, 0.0, 5, 3.5)
    assert (cn1["Delivered"], cn1["On-Time Delivery %"], cn1["Worst Days Late"]) == (1, 100.0, 0)
    (header,) = [c for c in sheet[1] if c.value == "On-Time Delivery %"]
    assert "FOB lines on ex-factory, DDP lines on arrival at the DC" in header.comment.text
    # their own settings are used, so nothing to say about them
    assert [f for f in done.findings if "In-DC Code" in f.message or "Default Terms" in f.message] == []


def test_one_tracker_id_on_two_workbooks_is_named(db_url: str, tmp_path: Path) -> None:
    """A tracker saved as next division's, its Config copied: two workbooks, one id. The later load replaces
    the earlier in the roll-up, and says so."""
    a = _with_tracker_id(womens(tmp_path), "FW27-Wovens")
    b = _with_tracker_id(kids(tmp_path), "fw27-wovens ")  # the same id for prodbook: case and spaces aside
    assert rollup([a], CTX, db=db_url).findings == []
    second = rollup([b], CTX, db=db_url)
    assert [f.code for f in second.findings] == [Code.TRACKER_TWICE]
    assert "'womens.xlsx'" in second.findings[0].text() and "replaces" in second.findings[0].text()
    assert [name for name, _ in _trackers(db_url)] == ["kids.xlsx"]


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    url = tmp_path / "season.duckdb"
    result = rollup([womens(tmp_path)], Context(today=TODAY, dry_run=True), db=str(url))
    # 2 styles + 2 PO lines + 4 T&A rows + 2 exceptions + 2 report lines
    assert result.loaded == [("womens.xlsx", 12)] and not url.exists() and result.out is None


def test_folders_skip_lock_files_reports_and_workbooks_without_orders(tmp_path: Path) -> None:
    womens(tmp_path)
    write_book(tmp_path / "vendor prices.xlsx", {"Prices": [["Style", "FOB"], ["S1", 4.2]]})
    (tmp_path / "~$womens.xlsx").write_bytes(b"lock")
    write_book(tmp_path / "Season Roll-up 2027-04-01.xlsx", {"Summary": [["x"]]})
    for own in ("Vendor Scorecard 2027-04-01.xlsx", "Production Report 2027-04-01.xlsx",
                "womens Change Log to 2027-03-31.xlsx"):  # prodbook's own files: not even named
        write_book(tmp_path / own, {"Summary": [["x"]]})
    result = rollup([tmp_path], CTX, db=str(tmp_path / "s.duckdb"))
    assert [f for f, _ in result.loaded] == ["womens.xlsx"] and result.findings == []
    assert [s for s in result.summary if s.startswith("Passed over")] == [  # named, in case it is a tracker
        "Passed over, not trackers (no Orders sheet): vendor prices.xlsx. If one is a tracker whose PO lines "
        "sheet has another name, name it on its Config sheet ('Sheet: Orders') and run again."]


def test_no_tracker_and_a_wrong_database_name_stop_with_a_plain_message(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="does not exist"):
        rollup([tmp_path / "nope.xlsx"], CTX)
    with pytest.raises(UserError, match="no tracker to roll up"):
        rollup([tmp_path], CTX)
    with pytest.raises(UserError, match=r"\.duckdb"):
        rollup([womens(tmp_path)], CTX, db=str(tmp_path / "season.txt"))
    # a folder that cannot be made (a drive not connected; here, a file's name): named, not 'unexpected'
    with pytest.raises(UserError, match=r"the folder of the roll-up database, .*womens\.xlsx, cannot be reached"):
        rollup([womens(tmp_path)], CTX, db=str(tmp_path / "womens.xlsx" / "season.duckdb"))


def test_a_workbook_that_is_no_tracker_a_tracker_named_twice_and_a_repeated_key_say_what_they_are(
        tmp_path: Path) -> None:
    """A workbook without an Orders sheet was 'sheet Orders cannot be stored as it stands (the exceptions were
    not checked...)'; a tracker named three times ('.', 'womens.xlsx', './womens.xlsx') was loaded as 3; a
    repeated key said '(the later row is ignored)' while the whole tracker was kept out."""
    db = str(tmp_path / "db" / "season.duckdb")
    other = tmp_path / "prices.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Prices"
    wb.save(other)
    done = rollup([other], CTX, db=db)
    (said,) = done.findings
    assert said.message.startswith("this tracker was not loaded into the roll-up: 'prices.xlsx' has no Orders "
                                   "sheet, so it is not a tracker prodbook can roll up")
    other.unlink()
    path = womens(tmp_path)
    assert len(rollup([tmp_path, path, tmp_path / "." / "womens.xlsx"], CTX, db=db).loaded) == 1
    wb = openpyxl.load_workbook(path)
    wb["Orders"].append([c.value for c in wb["Orders"][2]])
    wb.save(path)
    refused = rollup([path], CTX, db=db)
    repeated = [f for f in refused.findings if f.code is Code.DUPLICATE_KEY]
    assert repeated and all("ignored" not in f.message for f in repeated)


def test_the_readme_documents_every_table_and_column() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    schema = readme[readme.index("### The schema"):readme.index("### Excel (Power Query)")]
    rows = {line.split("|")[1].strip().strip("`"): line for line in schema.splitlines() if line.startswith("| `")}
    assert set(rows) == {t.name for t in TABLES} | {"schema_version"}
    for table in TABLES:
        documented = {c.strip("` ") for c in rows[table.name].split("|")[3].replace("(", ",").split(",")}
        missing = [c for c in table.names if c not in documented and c not in ("tracker_id", "sheet_row")]
        assert not missing, f"README: {table.name} lacks {missing}"


def test_the_demo_season_rolls_up_two_divisions_sharing_vendors(tmp_path: Path) -> None:
    """`prodbook demo` writes the kids tracker beside the main one; the roll-up combines the two."""
    from click.testing import CliRunner

    from prodbook.cli import main

    day = "2026-11-25"
    done = CliRunner().invoke(main, ["demo", str(tmp_path), "--today", day])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "demo-tracker-kids.xlsx").exists() and (tmp_path / "demo-tracker.xlsx").exists()
    result = rollup([tmp_path], Context(today=date.fromisoformat(day)))
    assert result.exit_code == 0, [f.text() for f in result.findings]
    assert sorted(f for f, _ in result.loaded) == ["demo-tracker-kids.xlsx", "demo-tracker.xlsx"]
    url = str(tmp_path / "prodbook-rollup.duckdb")
    assert rows_of(url, "SELECT file_name, division, season FROM trackers ORDER BY file_name") == [
        ("demo-tracker-kids.xlsx", "Kids", "SS27"), ("demo-tracker.xlsx", "Men's, Women's", "SS27")]
    shared = rows_of(url, "SELECT COUNT(*) FROM (SELECT vendor FROM orders o JOIN styles s ON s.tracker_id = "
                          "o.tracker_id AND s.style = o.style GROUP BY vendor "
                          "HAVING COUNT(DISTINCT o.tracker_id) = 2) x")
    assert shared[0][0] >= 3
    # every live PO line of both trackers is judged (the demo's line cancelled by the buyer is not), and the
    # roll-up's at-risk lines are exactly those judged so
    lines = rows_of(url, "SELECT COUNT(*), SUM(CASE WHEN status IN ('Late for cancel', 'At risk') THEN 1 ELSE 0 "
                         "END) FROM po_lines")[0]
    assert rows_of(url, "SELECT line_status, COUNT(*) FROM orders WHERE line_status IS NOT NULL "
                        "GROUP BY line_status") == [("Cancelled by buyer", 1)]
    assert lines[0] == rows_of(url, "SELECT COUNT(*) FROM orders WHERE line_status IS NULL")[0][0]
    wb = openpyxl.load_workbook(result.out)
    at_risk = _records(wb["Lines at Risk"])
    assert len(at_risk) == lines[1] and {r["Tracker"] for r in at_risk} == {"demo-tracker.xlsx",
                                                                             "demo-tracker-kids.xlsx"}


def test_the_command_names_the_bad_row_and_exits_1(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from prodbook.cli import main

    womens(tmp_path / "w", actual="soon")
    kids(tmp_path)
    done = CliRunner().invoke(main, ["rollup", str(tmp_path / "w" / "womens.xlsx"), str(tmp_path / "kids.xlsx"),
                                     "--today", TODAY.isoformat()])
    assert done.exit_code == 1, done.output
    assert "womens.xlsx" in done.output and "sheet 'T&A', row 2, column 'Actual'" in done.output
    assert "Traceback" not in done.output and "loaded 1 tracker(s)" in done.output
    assert (tmp_path / "w" / f"Season Roll-up {TODAY.isoformat()}.xlsx").exists()  # beside the first tracker
    assert (tmp_path / "w" / "prodbook-rollup.duckdb").exists()


def test_an_unreachable_server_is_named_without_its_password(tmp_path: Path) -> None:
    with pytest.raises(UserError) as caught:
        rollup([womens(tmp_path)], CTX, db="postgresql://apm:s3cret@127.0.0.1:1/production")
    text = caught.value.finding.text()
    assert "postgresql://apm@127.0.0.1:1/production" in text and "s3cret" not in text


# --- any sequence of loads leaves each tracker's last good load, once ---------------------------------

@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> list[store_load.Prepared]:
    folder = tmp_path_factory.mktemp("three")
    good_a = read_tracker(womens(folder / "a"), CTX)
    good_b = read_tracker(kids(folder), CTX)
    bad_a = read_tracker(womens(folder / "a", actual="soon"), CTX)
    return [good_a, good_b, bad_a]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.lists(st.sampled_from([0, 1, 2]), min_size=1, max_size=6))
def test_any_sequence_of_loads_leaves_each_trackers_last_good_load(three: list[store_load.Prepared],
                                                                   order: list[int], tmp_path: Path) -> None:
    url = tmp_path / f"p{abs(hash(tuple(order)))}.duckdb"
    url.unlink(missing_ok=True)
    last: dict[str, int] = {}
    with opened(url) as db:
        for i in order:
            p = three[i]
            try:
                last[p.identity.tracker_id] = store_load.load(db, p, now=CTX.now)
            except store_load.NotLoaded:
                assert p.tables and any(t.bad for t in p.tables)
        got = counts(db)
    assert got["trackers"] == len(last)
    assert sum(v for k, v in got.items() if k != "trackers") == sum(last.values())


# --- helpers ------------------------------------------------------------------------------------------

def _records(ws: Any) -> list[dict[str, Any]]:
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:] if any(v is not None for v in r)]


def _values(ws: Any) -> list[Any]:
    return [v for row in ws.iter_rows(values_only=True) for v in row if v is not None]


def test_a_tracker_that_is_not_a_workbook_is_named_on_one_clean_line(tmp_path: Path) -> None:
    """Its finding has no sheet: the line read "ERROR 'x.xlsx' : this tracker ..." (a space before the colon)."""
    from click.testing import CliRunner

    from prodbook.cli import main

    kids(tmp_path)
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    log = tmp_path / "log.txt"
    done = CliRunner().invoke(main, ["rollup", str(tmp_path / "kids.xlsx"), str(tmp_path / "broken.xlsx"),
                                     "--today", TODAY.isoformat(), "--log", str(log)])
    assert done.exit_code == 1, done.output
    assert "ERROR 'broken.xlsx': this tracker was not loaded into the roll-up" in done.output, done.output
    assert " :" not in done.output and "loaded 1 tracker(s)" in done.output
    # the log (--log, for a scheduled roll-up): both trackers named in its head, the words as on the screen
    head, *said = log.read_text(encoding="utf-8").strip("\n").splitlines()
    assert f"prodbook rollup '{tmp_path / 'kids.xlsx'}' '{tmp_path / 'broken.xlsx'}'" in head
    assert head.endswith("(exit 1)") and said == done.stdout.splitlines()


# --- a database file another run or program holds: waited for, on every OS and in every language ----------


def test_a_second_roll_up_waits_for_prodbooks_own_lock_then_says_who_has_it(tmp_path: Path) -> None:
    from prodbook.store.db import DatabaseBusy, DuckDatabase

    path = tmp_path / "season.duckdb"
    first = DuckDatabase(path)
    try:
        with pytest.raises(DatabaseBusy, match=r"in use by another prodbook roll-up \(.*since"):
            DuckDatabase(path, wait=0.3)
    finally:
        first.close()
    DuckDatabase(path, wait=0.3).close()  # released with the first: the next run goes ahead
    assert sorted(p.name for p in tmp_path.iterdir()) == ["season.duckdb"]  # no lock file left behind


@pytest.mark.parametrize("sharing_violation", [True, False])
def test_windows_refusing_the_file_in_its_own_words_is_waited_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  sharing_violation: bool) -> None:
    """Windows says a file is in use in the user's language ("Der Prozess kann nicht auf die Datei zugreifen"),
    never "lock": prodbook asks the system (a sharing violation, error 32) instead of reading DuckDB's words."""
    import duckdb

    from prodbook.store import db

    real, refusals = duckdb.connect, []

    def connect(path: str, *args: Any, **kwargs: Any) -> Any:
        if len(refusals) < 2:
            refusals.append(path)
            raise duckdb.IOException(f'IO Error: Cannot open file "{path}": Der Prozess kann nicht auf die Datei '
                                     "zugreifen, da sie von einem anderen Prozess verwendet wird.")
        return real(path, *args, **kwargs)

    def probe(path: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if sharing_violation:
            exc = PermissionError(13, "Der Prozess kann nicht auf die Datei zugreifen", str(path))
            exc.winerror = 32  # type: ignore[attr-defined]  # as Windows sets it on every OSError
            raise exc
        return open(path, mode, *args, **kwargs)

    monkeypatch.setattr(duckdb, "connect", connect)
    monkeypatch.setattr(db, "open", probe, raising=False)
    path = tmp_path / "season.duckdb"
    if sharing_violation:
        db.DuckDatabase(path, wait=5).close()  # waited, then opened
        assert len(refusals) == 2
    else:  # the file is free: another cause (a damaged file), said at once with what to do
        path.write_bytes(b"not a database")
        with pytest.raises(UserError, match="could not open the roll-up database .*--db PATH.duckdb"):
            db.DuckDatabase(path, wait=5)
        assert len(refusals) == 1


def test_a_tracker_loaded_before_the_store_kept_its_in_dc_code_is_named(tmp_path: Path) -> None:
    """A tracker loaded by an earlier prodbook has no In-DC Code and Default Terms in the store (NULL), and its
    DDP lines were judged on IDC / FOB without a word. Named in every roll-up of its season until it is rolled up
    again; and the roll-up's note on the On-Time Delivery % header says it takes no tolerance (every tracker is
    judged on 0 days there), not the tracker's 'On-Time Tolerance Days'."""
    db, out = str(tmp_path / "s.duckdb"), tmp_path / "r.xlsx"
    first, second = womens(tmp_path), kids(tmp_path)
    assert rollup([first, second], CTX, db=db).findings == []
    with opened(db) as database, database.transaction():  # as the store keeps a load from before step 4
        database.execute("UPDATE trackers SET in_dc_code = NULL, default_terms = NULL WHERE file_name = 'kids.xlsx'")
    done = rollup([first], Context(today=CTX.today, now=CTX.now, out=out), db=db)
    (said,) = [f for f in done.findings if "earlier prodbook" in f.message]
    assert said.file == "kids.xlsx" and "'kids.xlsx'" in said.message
    assert "IDC / FOB" in said.message and "prodbook rollup" in said.message
    (header,) = [c for c in openpyxl.load_workbook(out)["Vendor Scorecards"][1] if c.value == "On-Time Delivery %"]
    assert "FOB lines on ex-factory, DDP lines on arrival at the DC" in header.comment.text
    assert "+ On-Time Tolerance Days" not in header.comment.text and "no days' grace" in header.comment.text
    assert [f for f in rollup([second], CTX, db=db).findings if "earlier prodbook" in f.message] == []
