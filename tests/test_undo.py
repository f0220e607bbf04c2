"""Undo restores exactly (issue 9 point 7), on real workbooks written and read back.

One test per bug seen: a cell the run made blank, a row the run added that the user typed in since, a
Follow-ups row the run removed (with the APM's Last Contacted), value changes to kept Follow-ups rows.
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import base_sheets, sheet_values, write_book
from prodbook.core.changes import row_prints
from prodbook.core.findings import Code, UserError
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from test_exceptions import book_with_wip as exceptions_book


def ctx(today: date, hour: int = 9, **kw) -> Context:
    return Context(today=today, now=datetime.combine(today, datetime.min.time()).replace(hour=hour), **kw)


def rows_of(path: Path, sheet: str) -> list[dict]:
    rows = sheet_values(path, sheet)
    return [dict(zip(rows[0], r)) for r in rows[1:] if any(v is not None for v in r)]


def by(rows: list[dict], *key: str) -> dict[tuple, dict]:
    return {tuple(r[k] for k in key): r for r in rows}


def type_in(path: Path, sheet: str, row: int, header: str, value: object) -> None:
    """The APM types a value under a header (a new header goes at the end of row 1), and saves."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    headers = [c.value for c in ws[1]]
    if header not in headers:
        ws.cell(row=1, column=len(headers) + 1, value=header)
        headers.append(header)
    ws.cell(row=row, column=headers.index(header) + 1, value=value)
    wb.save(path)


def kept(result) -> list:
    """What undo left for the user (on older code: its 'not undone' warnings)."""
    return [f for f in result.findings if f.code == getattr(Code, "UNDO_KEPT", Code.BAD_VALUE)]


# --- a cell the run made blank ----------------------------------------------------------------------

def set_revised(path: Path, when: datetime) -> None:
    wb = openpyxl.load_workbook(path)
    wb["Vendor WIP"]["K2"] = when
    wb.save(path)


def test_undo_of_a_run_that_reopened_exceptions_puts_back_the_resolution_it_blanked(tmp_path):
    path = exceptions_book(tmp_path, date(2027, 4, 22))
    run(path, ["ta", "exceptions"], ctx(date(2027, 3, 1)))
    set_revised(path, datetime(2027, 4, 15))  # the vendor pulls the date back: resolved by data
    run(path, ["exceptions"], ctx(date(2027, 3, 2)))
    before = rows_of(path, "Exceptions")
    assert {r["Status"] for r in before} == {"Resolved by data"}
    set_revised(path, datetime(2027, 4, 22))  # ... and moves it out again: reopened, Resolution blanked
    reopened = run(path, ["exceptions"], ctx(date(2027, 3, 3)))
    assert {(c.field, c.new) for c in reopened.outcomes[0].changes} >= {("Status", "Open"), ("Resolution", None)}
    assert {r["Resolution"] for r in rows_of(path, "Exceptions")} == {None}
    undo = run(path, ["undo"], ctx(date(2027, 3, 3), hour=10))
    assert kept(undo) == [], [f.text() for f in undo.findings]
    assert rows_of(path, "Exceptions") == before  # Status and Resolution both back, on every exception


# --- rows the run added, typed in since --------------------------------------------------------------

def wip_book(tmp_path: Path) -> Path:
    sheets = base_sheets()
    sheets["Orders"].append(["4500000001", "S1", "Heather Grey", 600, date(2027, 1, 4), date(2027, 4, 15),
                             date(2027, 5, 10), date(2027, 5, 20)])
    return write_book(tmp_path / "tracker.xlsx", sheets)


def vendor_csv(folder: Path, lines: list[tuple[str, str, str, int, str]], name: str = "BD1_wip_20270301.csv"
               ) -> Path:
    """A BD1 WIP report (the date in its name): PO, style, colour, cut quantity, remarks per line."""
    path = folder / name
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["PO", "Style", "Colour", "Order Qty", "Cut Qty", "Sewn Qty", "Packed Qty", "Remarks"])
        for po, style, colour, cut, remarks in lines:
            w.writerow([po, style, colour, 1000, cut, 0, 0, remarks])
    return path


NAVY = ("4500000001", "S1", "Navy", 1150, "on time")
GREY = ("4500000001", "S1", "Heather Grey", 600, "+1 day")


def test_a_row_the_run_added_stays_when_the_user_typed_in_it_and_undo_says_so(tmp_path):
    path = wip_book(tmp_path)
    run(path, ["wip"], ctx(date(2027, 3, 3), files=(vendor_csv(tmp_path, [NAVY, GREY]),)))
    rows = rows_of(path, "Vendor WIP")
    assert [r["Color"] for r in rows] == ["Navy", "Heather Grey"]
    type_in(path, "Vendor WIP", 2, "My note", "call Rahim")  # the APM's own column, on the Navy row
    undo = run(path, ["undo"], ctx(date(2027, 3, 3), hour=10))
    left = rows_of(path, "Vendor WIP")
    assert [(r["Color"], r["My note"]) for r in left] == [("Navy", "call Rahim")]  # Grey (untouched) is gone
    (f,) = kept(undo)
    assert (f.sheet, f.row, f.column, f.value) == ("Vendor WIP", 2, "My note", "call Rahim")
    assert "4500000001 / S1 / Navy" in f.key and "not removed" in f.message


def test_an_undo_that_kept_everything_for_the_user_still_counts_as_done(tmp_path):
    path = wip_book(tmp_path)
    run(path, ["wip"], ctx(date(2027, 3, 3), files=(vendor_csv(tmp_path, [NAVY]),)))
    type_in(path, "Vendor WIP", 2, "My note", "call Rahim")
    undo = run(path, ["undo"], ctx(date(2027, 3, 3), hour=10))
    assert len(kept(undo)) == 1 and len(rows_of(path, "Vendor WIP")) == 1
    with pytest.raises(UserError, match="nothing to undo"):  # not the same undo again and again
        run(path, ["undo"], ctx(date(2027, 3, 3), hour=11))


def test_a_ta_row_with_notes_typed_since_the_first_build_is_not_removed_by_undo(tmp_path):
    path = write_book(tmp_path / "t.xlsx", base_sheets())
    run(path, ["ta"], ctx(date(2027, 3, 1)))
    ta = sheet_values(path, "T&A")
    row = next(i for i, r in enumerate(ta, 1) if r[4] == "LD" and r[0] == "4500000001")
    type_in(path, "T&A", row, "Notes", "mill late, chased 11/1")
    undo = run(path, ["undo"], ctx(date(2027, 3, 1), hour=10))
    left = rows_of(path, "T&A")
    assert [(r["Code"], r["Notes"]) for r in left] == [("LD", "mill late, chased 11/1")]
    (f,) = kept(undo)
    assert (f.sheet, f.row, f.column) == ("T&A", row, "Notes")


@pytest.mark.parametrize(("header", "value"), [("Revised XF", datetime(2027, 4, 29)),
                                               ("Remarks", "vendor mailed: fabric late")])
def test_a_row_the_run_added_stays_when_the_user_typed_in_one_of_prodbooks_own_columns(tmp_path, header, value):
    path = wip_book(tmp_path)
    run(path, ["wip"], ctx(date(2027, 3, 3), files=(vendor_csv(tmp_path, [NAVY, GREY]),)))
    type_in(path, "Vendor WIP", 2, header, value)  # the vendor's new date, from an e-mail, on the Navy row
    undo = run(path, ["undo"], ctx(date(2027, 3, 3), hour=10))
    left = rows_of(path, "Vendor WIP")
    assert [(r["Color"], r[header]) for r in left] == [("Navy", value)]  # Grey, untouched, is gone
    (f,) = kept(undo)
    assert (f.sheet, f.row, f.key) == ("Vendor WIP", 2, "4500000001 / S1 / Navy / 2027-03-01")
    assert "changed since" in f.message and "not removed" in f.message


def test_a_new_ta_row_with_a_forecast_typed_since_is_not_removed_by_undo(tmp_path):
    path = write_book(tmp_path / "t.xlsx", base_sheets())
    run(path, ["ta"], ctx(date(2027, 3, 1)))
    ta = sheet_values(path, "T&A")
    row = next(i for i, r in enumerate(ta, 1) if r[4] == "LD" and r[0] == "4500000001")
    type_in(path, "T&A", row, "Forecast", datetime(2027, 1, 29))
    undo = run(path, ["undo"], ctx(date(2027, 3, 1), hour=10))
    assert [(r["Code"], r["Forecast"]) for r in rows_of(path, "T&A")] == [("LD", datetime(2027, 1, 29))]
    (f,) = kept(undo)
    assert (f.sheet, f.row) == ("T&A", row)


def test_undo_of_a_first_build_takes_off_every_row_nobody_typed_in(tmp_path):
    path = write_book(tmp_path / "t.xlsx", base_sheets())
    build = run(path, ["ta"], ctx(date(2027, 3, 1)))
    assert build.changes == len(rows_of(path, "T&A")) == 10  # a new row each
    undo = run(path, ["undo"], ctx(date(2027, 3, 1), hour=10))
    assert kept(undo) == [] and rows_of(path, "T&A") == []


def typed_ta_row(tmp_path: Path) -> tuple[Path, int]:
    """A T&A row the APM typed before the first build (key, Actual, Notes): the build fills the rest."""
    sheets = base_sheets()
    sheets["T&A"].append(["4500000001", "S1", "Navy", None, "LD", None, None, None, None, date(2027, 1, 12),
                          None, None, "typed by APM"])
    path = write_book(tmp_path / "t.xlsx", sheets)
    run(path, ["ta"], ctx(date(2027, 3, 1)))
    ta = sheet_values(path, "T&A")
    return path, next(i for i, r in enumerate(ta, 1) if r[0] == "4500000001" and r[4] == "LD")


def test_undo_empties_what_the_build_filled_in_a_row_the_user_typed(tmp_path):
    path, row = typed_ta_row(tmp_path)
    undo = run(path, ["undo"], ctx(date(2027, 3, 1), hour=10))
    assert kept(undo) == []
    (left,) = rows_of(path, "T&A")
    assert (left["Owner"], left["Planned"], left["Actual"], left["Notes"]) == (
        None, None, datetime(2027, 1, 12), "typed by APM")


def test_undo_keeps_what_the_build_filled_when_the_user_changed_it_since(tmp_path):
    path, row = typed_ta_row(tmp_path)
    type_in(path, "T&A", row, "Owner", "Rahim (mill)")
    type_in(path, "T&A", row, "Forecast", datetime(2027, 1, 20))
    before = next(r for r in rows_of(path, "T&A") if r["Code"] == "LD" and r["PO #"] == "4500000001")
    undo = run(path, ["undo"], ctx(date(2027, 3, 1), hour=10))
    assert rows_of(path, "T&A") == [before]
    (f,) = kept(undo)
    assert (f.sheet, f.row) == ("T&A", row) and "Owner" in f.message and "changed since" in f.message


# --- Follow-ups rows the run removed, values of kept rows ----------------------------------------------

def followups_book(tmp_path: Path) -> Path:
    sheets = base_sheets()
    sheets["Samples"] = [["Style #", "Sample Type", "Purpose", "Color", "Due", "Shipped"],
                         ["S1", "Proto", "Line review", "Navy", date(2027, 2, 25), None],
                         ["S2", "Fit", "", "Black", date(2027, 2, 20), None]]
    return write_book(tmp_path / "t.xlsx", sheets)


def test_follow_ups_rows_the_run_removed_come_back_with_last_contacted(tmp_path):
    path = followups_book(tmp_path)
    out = tmp_path / "drafts"
    run(path, ["ta", "followups"], ctx(date(2027, 3, 1), out=out))
    rows = sheet_values(path, "Follow-ups")
    proto = next(i for i, r in enumerate(rows, 1) if r[2] == "Proto sample")
    type_in(path, "Follow-ups", proto, "Last Contacted", datetime(2027, 2, 27))
    type_in(path, "Follow-ups", proto, "Chased by", "Ana")  # the team's extra column
    before = rows_of(path, "Follow-ups")
    wb = openpyxl.load_workbook(path)
    wb["Samples"]["F2"] = datetime(2027, 3, 1)  # the proto ships: its follow-up goes
    wb.save(path)
    run(path, ["followups"], ctx(date(2027, 3, 1), hour=10, out=out))
    assert "Proto sample" not in {r["Item"] for r in rows_of(path, "Follow-ups")}
    log = [r for r in rows_of(path, "Change Log") if r["Field"] == "(removed)"]
    assert len(log) == 1 and '"Last Contacted": "2027-02-27"' in log[0]["Old"]
    undo = run(path, ["undo"], ctx(date(2027, 3, 1), hour=11))
    assert kept(undo) == [], [f.text() for f in undo.findings]
    assert rows_of(path, "Follow-ups") == before  # every value, in its place, Last Contacted included


def test_value_changes_to_kept_follow_ups_rows_are_logged_and_undone(tmp_path):
    path = followups_book(tmp_path)
    run(path, ["ta", "followups"], ctx(date(2027, 3, 1), out=tmp_path / "d1"))
    before = rows_of(path, "Follow-ups")
    later = run(path, ["followups"], ctx(date(2027, 3, 4), out=tmp_path / "d2"))
    after = rows_of(path, "Follow-ups")
    key = ("Vendor", "Item", "Ref")
    assert by(after, *key).keys() == by(before, *key).keys()
    assert all(a["Days Overdue"] != b["Days Overdue"] and a["Draft"] != b["Draft"]
               for a, b in zip(after, before) if b["Days Overdue"])
    assert {"Days Overdue", "Draft"} <= {c.field for c in later.outcomes[0].changes}
    run(path, ["undo"], ctx(date(2027, 3, 4), hour=10))
    assert rows_of(path, "Follow-ups") == before


# --- old logs, long rows ------------------------------------------------------------------------------

def test_a_removed_row_logged_by_an_older_prodbook_is_named_not_guessed(tmp_path):
    path = followups_book(tmp_path)
    run(path, ["ta", "followups"], ctx(date(2027, 3, 1), out=tmp_path / "d"))
    wb = openpyxl.load_workbook(path)  # the line today's prodbook wrote: Old holds only the key
    wb["Change Log"].append([datetime(2027, 3, 2, 9), "Follow-ups 2027-03-02 09:00:00", "Follow-ups",
                             "BD1 / Old item / X", "(removed)", "BD1 / Old item / X", None, "apm"])
    wb.save(path)
    before = rows_of(path, "Follow-ups")
    undo = run(path, ["undo"], ctx(date(2027, 3, 2), hour=10))
    (f,) = kept(undo)
    assert f.key == "BD1 / Old item / X" and "prodbook backups" in f.message
    assert rows_of(path, "Follow-ups") == before


def test_a_removed_row_longer_than_one_cell_is_logged_over_several_lines_and_put_back(tmp_path):
    path = wip_book(tmp_path)
    remark = "sewing line 4 " * 2_300  # 32,200 characters: the row does not fit one Change Log cell
    run(path, ["wip"], ctx(date(2027, 3, 3), files=(vendor_csv(tmp_path, [NAVY, GREY[:4] + (remark,)]),)))
    before = rows_of(path, "Vendor WIP")
    assert before[1]["Remarks"] == remark.strip()
    run(path, ["wip"], ctx(date(2027, 3, 3), hour=10, files=(vendor_csv(tmp_path, [NAVY]),)))
    assert len(rows_of(path, "Vendor WIP")) == 1
    fields = [r["Field"] for r in rows_of(path, "Change Log")]
    assert fields.count("(removed)") == 1 and fields.count("(removed, continued)") == 1
    run(path, ["undo"], ctx(date(2027, 3, 3), hour=11))
    assert rows_of(path, "Vendor WIP") == before


def sort_log(path: Path, by: tuple[str, ...], reverse: bool = False, untag: bool = False) -> None:
    """The APM sorts the Change Log (Data > Sort); ``untag``: the log as an older prodbook wrote it."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Change Log"]
    headers = [c.value for c in ws[1]]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    if untag:
        for r in rows:
            if str(r[headers.index("Field")]).startswith("(removed"):
                r[headers.index("New")] = None
    rows.sort(key=lambda r: tuple(str(r[headers.index(h)]) for h in by), reverse=reverse)
    for i, r in enumerate(rows, start=2):
        for j, v in enumerate(r, start=1):
            ws.cell(i, j).value = v
    wb.save(path)


@pytest.mark.parametrize(("by", "reverse", "untag"), [
    (("Field", "Key"), False, False), (("Field", "Key"), True, False), (("Old",), False, False),
    (("Key",), True, False), (("Field",), False, True), (("Field",), True, True)])
def test_long_removed_rows_come_back_whole_after_the_change_log_is_sorted(tmp_path, by, reverse, untag):
    path = wip_book(tmp_path)  # a 2,000-line WIP sheet gets there: Remarks are each vendor's own
    long = {"Heather Grey": "sewing line 4 " * 2_300, "Olive": "washing delay, " * 5_000}  # 2 cells each
    path = write_book(path, {**base_sheets(), "Orders": base_sheets()["Orders"] + [
        ["4500000001", "S1", c, 600, date(2027, 1, 4), date(2027, 4, 15), date(2027, 5, 10), date(2027, 5, 20)]
        for c in long]})
    lines = [NAVY] + [("4500000001", "S1", c, 600, text) for c, text in long.items()]
    run(path, ["wip"], ctx(date(2027, 3, 3), files=(vendor_csv(tmp_path, lines),)))
    before = rows_of(path, "Vendor WIP")
    run(path, ["wip"], ctx(date(2027, 3, 3), hour=10, files=(vendor_csv(tmp_path, [NAVY]),)))
    fields = [r["Field"] for r in rows_of(path, "Change Log")]
    assert fields.count("(removed)") == 2 and fields.count("(removed, continued)") == 2
    sort_log(path, by, reverse, untag)
    undo = run(path, ["undo"], ctx(date(2027, 3, 3), hour=11))
    assert kept(undo) == []
    assert sorted(rows_of(path, "Vendor WIP"), key=str) == sorted(before, key=str)


def test_a_long_removed_row_with_a_line_deleted_from_the_log_is_named_as_such(tmp_path):
    path = wip_book(tmp_path)
    run(path, ["wip"], ctx(date(2027, 3, 3), files=(vendor_csv(tmp_path, [NAVY, GREY[:4] + ("x " * 17_000,)]),)))
    run(path, ["wip"], ctx(date(2027, 3, 3), hour=10, files=(vendor_csv(tmp_path, [NAVY]),)))
    wb = openpyxl.load_workbook(path)
    ws = wb["Change Log"]
    field = [c.value for c in ws[1]].index("Field")
    ws.delete_rows(next(r[0].row for r in ws.iter_rows(min_row=2) if r[field].value == "(removed, continued)"))
    wb.save(path)
    undo = run(path, ["undo"], ctx(date(2027, 3, 3), hour=11))
    (f,) = kept(undo)
    assert "Heather Grey" in f.key and "not all there" in f.message and "backups" in f.message
    assert [r["Color"] for r in rows_of(path, "Vendor WIP")] == ["Navy"]


@pytest.mark.parametrize("values", [
    {"Vendor": "BD1", "Due": date(2027, 2, 25), "Days Overdue": 4, "Note": "a \"quoted\"; text",
     "When": datetime(2027, 2, 27, 14, 30), "Blank": None, "Flag": True},
    {"Remarks": "x" * 70_000}])
def test_row_snapshot_round_trip(values):
    from prodbook.core import row_snapshot
    pieces = row_snapshot.split(row_snapshot.encode(values, row=7))
    assert all(len(p) <= row_snapshot.CELL_LIMIT for p in pieces)
    back = row_snapshot.decode(pieces)
    assert back.pop(row_snapshot.ROW) == 7
    assert {k: row_snapshot.as_cell(v) for k, v in back.items()} == {k: v for k, v in values.items() if v is not None}
    assert row_snapshot.decode(["BD1 / Proto sample / S1"]) is None


# --- a team in two time zones -----------------------------------------------------------------------

@pytest.fixture
def zone(monkeypatch):
    """This PC's time zone, as Windows or macOS would set it (``time.tzset``: POSIX only)."""
    import time

    if not hasattr(time, "tzset"):
        pytest.skip("the time zone cannot be changed in-process here")

    def use(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield use
    monkeypatch.undo()  # TZ as it was
    time.tzset()


def test_undo_takes_back_the_last_run_of_a_team_in_two_time_zones(tmp_path, zone):
    """Hong Kong builds the T&A at 16:00 (08:00 UTC); New York refreshes it at 10:00 the same day
    (15:00 UTC). Undo in New York took back Hong Kong's T&A: by the clock in the run's name, 16:00 was
    the later."""
    path = write_book(tmp_path / "t.xlsx", base_sheets())
    zone("Asia/Hong_Kong")
    hk = run(path, ["ta"], ctx(date(2027, 3, 3), hour=16))
    ta = sheet_values(path, "T&A")
    type_in(path, "T&A", next(i for i, r in enumerate(ta, 1) if r[4] == "LD"), "Actual", date(2027, 3, 2))
    zone("America/New_York")
    ny = run(path, ["ta"], ctx(date(2027, 3, 3), hour=10))
    assert hk.changes and ny.changes and hk.action.endswith("UTC+8") and ny.action.endswith("UTC-5")
    undo = run(path, ["undo"], ctx(date(2027, 3, 3), hour=11))
    assert undo.outcomes[0].data["undone"] == ny.action


@pytest.mark.parametrize("earlier, later", [
    ("Refresh 2027-11-07 01:30:00 UTC-4", "Refresh 2027-11-07 01:10:00 UTC-5"),  # summer time ends
    ("Refresh 2027-03-03 16:00:00 UTC+8", "Refresh 2027-03-03 10:00:00 UTC-5"),
    ("Refresh 2027-03-03 10:00:00 UTC+5:30", "Refresh 2027-03-03 05:00:00 UTC+0"),
    ("Refresh 2027-03-03 09:00:00 UTC+0", "Refresh 2027-03-03 09:00:00 UTC+0 (2)"),
])
def test_the_last_run_is_the_last_in_utc(earlier, later):
    import pandas as pd

    from prodbook.jobs.undo_job import last_action

    assert last_action(pd.DataFrame({"action": [later, earlier]})) == later
    assert last_action(pd.DataFrame({"action": [earlier, later, f"Undo {later}"]})) == earlier


def test_a_runs_name_says_its_zone():
    from datetime import timedelta, timezone

    from prodbook.core.changes import run_stamp

    assert run_stamp(datetime(2027, 3, 3, 16, tzinfo=timezone(timedelta(hours=8)))) == "2027-03-03 16:00:00 UTC+8"
    assert run_stamp(datetime(2027, 3, 3, 9, tzinfo=timezone(timedelta(hours=-3, minutes=-30)))) == \
        "2027-03-03 09:00:00 UTC-3:30"


def test_a_dry_run_of_undo_says_what_it_would_revert_and_writes_nothing(tmp_path):
    path = write_book(tmp_path / "t.xlsx", base_sheets())
    run(path, ["ta"], ctx(date(2027, 3, 1)))
    before = path.read_bytes()
    dry = run(path, ["undo"], ctx(date(2027, 3, 1), hour=10, dry_run=True))
    line, issues = dry.outcomes[0].summary
    assert line.startswith("Would undo 'Rebuild T&A 2027-03-01 09:00:00") and "10 change(s) to revert" in line
    assert "found by Rebuild T&A would be as the run undone left them" in issues
    assert path.read_bytes() == before


@given(st.lists(st.one_of(st.none(), st.integers(-10**15, 10**15), st.floats(allow_nan=True, allow_infinity=True),
                          st.dates(), st.text(max_size=5)), max_size=6))
def test_a_rows_print_is_the_same_however_its_values_come_back(values):
    """The print a run logs and the print undo takes of the same cells agree, whatever type each cell reads
    back as: numbers from a number column, objects from a mixed one, days as dates or midnight times."""
    as_objects = [[v] for v in values]
    as_read = [[datetime.combine(v, datetime.min.time()) if isinstance(v, date) else v] for v in values]
    as_column = [np.asarray([v]) if isinstance(v, (int, float)) and not isinstance(v, bool) else [v] for v in values]
    assert row_prints(as_objects) == row_prints(as_read) == row_prints(as_column)
    assert row_prints([[v] for v in (*values, "x")]) != row_prints([[v] for v in (*values, "y")])


def test_undo_leaves_a_formula_the_apm_put_in_a_user_column_of_a_generated_sheet(tmp_path):
    path = write_book(tmp_path / "t.xlsx", base_sheets())
    run(path, ["ta"], ctx(date(2027, 3, 1)))
    type_in(path, "T&A", 2, "Notes", '=A2&" chased"')  # the APM's formula in Notes, the team's own column
    type_in(path, "T&A", 2, "Mine", "=1+1")
    moved = run(path, ["ta"], ctx(date(2027, 3, 2)))
    assert moved.changes > 0
    run(path, ["undo"], ctx(date(2027, 3, 2), hour=10))
    ws = openpyxl.load_workbook(path)["T&A"]
    assert (ws["M2"].value, ws["N2"].value) == ('=A2&" chased"', "=1+1")


def test_undo_puts_back_a_resolution_but_not_over_a_formula_typed_there_since(tmp_path):
    path = exceptions_book(tmp_path, date(2027, 4, 22))
    run(path, ["ta", "exceptions"], ctx(date(2027, 3, 1)))
    set_revised(path, datetime(2027, 4, 15))
    run(path, ["exceptions"], ctx(date(2027, 3, 2)))  # resolved by data
    set_revised(path, datetime(2027, 4, 22))
    run(path, ["exceptions"], ctx(date(2027, 3, 3)))  # reopened: Resolution blanked
    headers = sheet_values(path, "Exceptions")[0]
    type_in(path, "Exceptions", 2, "Resolution", '=IF(TRUE,"","")')  # reads blank, as the run left it
    undo = run(path, ["undo"], ctx(date(2027, 3, 3), hour=10))
    (f,) = kept(undo)
    assert (f.sheet, f.row, f.column) == ("Exceptions", 2, "Resolution") and "formula" in f.message
    ws = openpyxl.load_workbook(path)["Exceptions"]
    assert ws.cell(2, headers.index("Resolution") + 1).value == '=IF(TRUE,"","")'
    assert ws.cell(2, headers.index("Status") + 1).value == "Resolved by data"  # the rest is undone


# --- the undo audit: a log or a sheet the APM changed since ----------------------------------------

FIX = "Apply fixes 2027-03-01 09:00:00 UTC+0"


def fixed_book(tmp_path: Path, styles_extra: list | None = None, log_extra: list | None = None) -> Path:
    """S1's Description changed by an action (logged as an apply would), and whatever else the case needs."""
    sheets = base_sheets()
    sheets["Styles"][1][1] = "Crew tee, new neck"
    sheets["Styles"] += styles_extra or []
    sheets["Change Log"] = [["Timestamp", "Action", "Sheet", "Key", "Field", "Old", "New", "User"],
                            *(log_extra or []),
                            [datetime(2027, 3, 1, 9), FIX, "Styles", "S1", "Description", "  Crew tee ",
                             "Crew tee, new neck", "apm"]]
    return write_book(tmp_path / "t.xlsx", sheets)


def test_undo_puts_a_logged_value_back_as_it_was_written_spaces_and_all(tmp_path):
    """Text read back from the Change Log was trimmed: a removed Follow-ups row split over log lines came back
    with a space gone where the lines joined ('fabric915 called281' as 'fabric915called281')."""
    path = fixed_book(tmp_path)
    run(path, ["undo"], ctx(date(2027, 3, 2)))
    assert openpyxl.load_workbook(path)["Styles"]["B2"].value == "  Crew tee "


def test_undo_names_a_key_now_on_two_rows_and_writes_neither(tmp_path):
    """The style was copied for next season (same Style #) and the sheet sorted: the old value went onto the
    copy, and the row the action changed kept the new one, without a word."""
    path = fixed_book(tmp_path, styles_extra=[["S1", "Crew tee, new neck", "BD1", "Knit", "Carryover"]])
    result = run(path, ["undo"], ctx(date(2027, 3, 2)))
    [said] = kept(result)
    assert (said.sheet, said.row, said.column) == ("Styles", 2, "Description")
    assert "rows 2 and 4 now have this Style #" in said.message and "'  Crew tee '" in said.message
    styles = sheet_values(path, "Styles")
    assert [r[1] for r in styles[1:] if r[0] == "S1"] == ["Crew tee, new neck"] * 2


def test_undo_of_a_sheet_renamed_since_stops_and_writes_nothing(tmp_path):
    """Styles renamed 'Style Profiles': undo said '1 change(s) reverted', changed nothing there, and counted the
    action as undone, so no later undo could take it back."""
    path = fixed_book(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["Styles"].title = "Style Profiles"
    wb.save(path)
    before = path.read_bytes()
    with pytest.raises(UserError, match="the sheet 'Styles', which this workbook no longer has"):
        run(path, ["undo"], ctx(date(2027, 3, 2)))
    assert path.read_bytes() == before


def test_a_change_log_renamed_is_named_not_taken_for_an_empty_one(tmp_path):
    path = fixed_book(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["Change Log"].title = "Log"
    wb.save(path)
    with pytest.raises(UserError, match="nothing to undo: this workbook has no .Change Log. sheet.*name it back"):
        run(path, ["undo"], ctx(date(2027, 3, 2)))


def test_an_action_named_with_a_time_that_cannot_be_is_no_run_and_stops_nothing(tmp_path):
    """A row typed by hand, 'Manual fix 2026-12-05 24:00:00', stopped every undo with 'send this file to
    support'."""
    path = fixed_book(tmp_path, log_extra=[[datetime(2027, 2, 1, 9), "Manual fix 2026-12-05 24:00:00", "Styles",
                                           "S2", "Description", "x", "y", "apm"],
                                          [datetime(2027, 2, 1, 9), "Refresh 2026-02-30 10:00:00 UTC+0", "Styles",
                                           "S2", "Description", "x", "y", "apm"]])
    result = run(path, ["undo"], ctx(date(2027, 3, 2)))
    assert result.outcomes[0].data["undone"] == FIX
    assert openpyxl.load_workbook(path)["Styles"]["B2"].value == "  Crew tee "
