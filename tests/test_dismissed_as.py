"""The Issues sheet's Dismissed As: a dismissed row shows today's sentence in Problem, and the sentence the APM
dismissed in Dismissed As, which later runs compare with (same values, same problem, not more than Dismiss Days
later). prodbook writes it the first run after the Dismiss, from the Problem the row showed; it goes when the row
comes back or the APM clears the Dismiss. A tracker an older prodbook wrote (the sentence dismissed kept in Problem,
no such column: ``tests/data/make_dismissed_before_column.py`` made them with that prodbook's own code) gets the
column, every Dismiss kept; a team that deletes, renames or types in the column loses no decision and no column of
its own; Undo last gives a blanked Dismiss back with what it was dismissed as. Real workbooks, the run's own steps
making the rows; the invariant over any sequence of daily runs with hypothesis."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import add_config, base_sheets, write_book
from data.make_dismissed_before_column import SAMPLES, STEPS, first_days
from prodbook.cli import main
from prodbook.core.model.sheets import ISSUES
from prodbook.core.open_findings import Checked, Merged, merge
from prodbook.jobs.runner import run
from test_issues_dismiss_stands import cancel, dismissed_with_a_note, late, row, said, set_ex_factory
from test_open_findings import by_code, ctx, issues, issues_row, type_in

DATA = Path(__file__).parent / "data"
DAY1 = date(2026, 11, 26)
CHECKS = Checked(today=DAY1, steps=frozenset({"Check records"}))
OTHER = Checked(today=DAY1, steps=frozenset({"Rebuild T&A"}))  # a run that does not check these rows


def merged(old: list[dict[str, Any]], new: list[dict[str, Any]], checked: Checked = CHECKS, column_new: bool = False
           ) -> tuple[list[dict[str, Any]], Merged]:
    before = pd.DataFrame([{**r, "_row": i + 2} for i, r in enumerate(old)])
    now = pd.DataFrame([{"dismissed_as": None, **r} for r in new], columns=list(ISSUES.fields))  # as issue_rows
    m = merge(before, now, checked, list(ISSUES.fields), column_new=column_new)
    return m.frame.to_dict("records"), m


def header(path: Path) -> list[Any]:
    return [c.value for c in openpyxl.load_workbook(path)["Issues"][1]]


def from_data(tmp_path: Path, name: str) -> Path:
    """A tracker an older prodbook wrote (``tests/data``), copied where the test may write it."""
    path = tmp_path / "tracker.xlsx"
    shutil.copy(DATA / name, path)
    return path


# -- the rule, row by row --------------------------------------------------------------------------------------

def test_the_first_run_after_a_dismiss_writes_the_sentence_dismissed_and_problem_moves_on():
    rows, m = merged([row(late("22-Nov-26", 3), accept="Dismiss")], [row(late("22-Nov-26", 4))])
    assert (rows[0]["accept"], rows[0]["dismissed_as"], rows[0]["problem"]) == (
        "Dismiss", late("22-Nov-26", 3), late("22-Nov-26", 4))
    assert m.recorded == 1 and "1 newly dismissed: Dismissed As keeps the sentence you dismissed" in m.notes[0]
    rows, m = merged(rows, [row(late("22-Nov-26", 5))])  # the next day: compared with Dismissed As, not Problem
    assert (rows[0]["dismissed_as"], rows[0]["problem"]) == (late("22-Nov-26", 3), late("22-Nov-26", 5))
    assert m.recorded == 0 and "newly" not in m.notes[0]


def test_dismissed_as_goes_when_the_row_comes_back_or_the_apm_clears_the_dismiss():
    dismissed = row(late("22-Nov-26", 9), accept="Dismiss", dismissed_as=late("22-Nov-26", 3))
    rows, m = merged([dismissed], [row(late("22-Nov-26", 11))])  # 8 days later than dismissed: back
    assert (rows[0]["accept"], rows[0]["dismissed_as"], rows[0]["problem"]) == (None, None, late("22-Nov-26", 11))
    assert m.back == 1 and m.source == [2]
    rows, _ = merged([{**dismissed, "accept": None}], [row(late("22-Nov-26", 10))])  # the APM cleared the Dismiss
    assert (rows[0]["accept"], rows[0]["dismissed_as"]) == (None, None)
    rows, _ = merged([{**dismissed, "accept": "Yes"}], [row(late("22-Nov-26", 10))])
    assert (rows[0]["accept"], rows[0]["dismissed_as"]) == ("Yes", None)


def test_a_row_this_run_does_not_check_gets_its_dismissed_as_too_and_loses_it_undismissed():
    """A vendor file not read again, a step not run: the row is kept as it was, but the first run after the
    Dismiss still writes what it was dismissed as, and a cleared Dismiss takes it away."""
    fresh = row(late("22-Nov-26", 3), accept="Dismiss")
    rows, m = merged([fresh], [], OTHER)
    assert (rows[0]["accept"], rows[0]["dismissed_as"], rows[0]["problem"]) == (
        "Dismiss", late("22-Nov-26", 3), late("22-Nov-26", 3))
    assert m.kept == 1 and m.recorded == 1
    cleared = row(late("22-Nov-26", 3), accept=None, dismissed_as=late("22-Nov-26", 1))
    assert merged([cleared], [], OTHER)[0][0]["dismissed_as"] is None
    standing = row(late("22-Nov-26", 5), accept="Dismiss", dismissed_as=late("22-Nov-26", 1))
    assert merged([standing], [], OTHER)[0][0]["dismissed_as"] == late("22-Nov-26", 1)


def test_what_the_apm_types_in_dismissed_as_is_what_they_dismissed():
    """The column is prodbook's, but a sentence typed there on a dismissed row is the one compared: a day count
    moved on by hand moves the week; words that are not the problem bring the row back (its Dismiss logged)."""
    typed = row(late("22-Nov-26", 9), accept="Dismiss", dismissed_as=late("22-Nov-26", 8))
    rows, _ = merged([typed], [row(late("22-Nov-26", 15))])
    assert (rows[0]["accept"], rows[0]["dismissed_as"]) == ("Dismiss", late("22-Nov-26", 8))
    rows, _ = merged([{**typed, "dismissed_as": "agreed with Karim"}], [row(late("22-Nov-26", 10))])
    assert (rows[0]["accept"], rows[0]["dismissed_as"]) == (None, None)


def test_an_upgrade_says_where_the_sentences_dismissed_went():
    rows, m = merged([row(late("22-Nov-26", 3), accept="Dismiss")], [row(late("22-Nov-26", 9))], column_new=True)
    assert rows[0]["dismissed_as"] == late("22-Nov-26", 3)
    assert "the column Dismissed As was added (at the right of the table): it holds the sentence 1 dismissed " \
           "row(s) showed in Problem" in m.notes[0]


@settings(max_examples=80, deadline=None)
@given(dismissed_at=st.integers(0, 60), days=st.integers(1, 14),
       runs=st.lists(st.tuples(st.integers(0, 4), st.booleans()), min_size=1, max_size=30),
       older=st.booleans())
def test_no_sequence_of_daily_runs_loses_a_dismiss_that_stands(dismissed_at, days, runs, older):
    """Whatever the days, slips and runs that do not check the row (a single step, a file not read), and whether
    the tracker was written before the column (``older``: the sentence dismissed in Problem): the Dismiss stands
    exactly while the problem is no more than Dismiss Days later than dismissed; while it stands, Dismissed As is
    the sentence dismissed and Problem the last one found; once back, both Accept and Dismissed As are blank."""
    xf = date(2027, 1, 6)
    was = cancel(xf, dismissed_at)
    old = [row(was, accept="Dismiss", cell="I40", code="late-for-cancel")]
    if not older:  # a run after the Dismiss already wrote it, and Problem moved on since
        old = [{**old[0], "dismissed_as": was, "problem": cancel(xf + timedelta(days=1), dismissed_at + 1)}]
    total, shown, back = 0, old[0]["problem"], False
    for slip, checks in runs:
        if checks:
            total += slip
            shown = cancel(xf + timedelta(days=total), dismissed_at + total)
            back = back or total > days
        new = [row(shown, cell="I40", code="late-for-cancel")] if checks else []
        rows, _ = merged(old, new, Checked(today=DAY1, steps=frozenset({"Check records" if checks else "x"}),
                                           dismiss_days=days))
        assert len(rows) == 1
        r = rows[0]
        assert (r["accept"] == "Dismiss") is not back, (total, r)
        assert r["dismissed_as"] == (None if back else was), r
        assert r["problem"] == shown
        old = [{**r, "found_on": DAY1}]


# -- on real workbooks -------------------------------------------------------------------------------------------

def samples_book(tmp_path: Path) -> Path:
    """The proto of ``SAMPLES``, due 26-Feb-27 and not shipped: 3 day(s) late on 1-Mar-27."""
    return write_book(tmp_path / "tracker.xlsx", {**base_sheets(), "Samples": SAMPLES})


def test_ten_daily_refreshes_show_todays_sentence_beside_the_one_dismissed_then_it_comes_back(tmp_path):
    """The APM dismisses '3 day(s) late' (Dismiss Days 10 on Config). Each morning's Problem says the day's
    lateness, 4 to 13 days; Dismissed As still says 3, and the note stays. The eleventh morning it is 14: back,
    Accept and Dismissed As blank, the note beside it."""
    path = samples_book(tmp_path)
    add_config(path, ("Dismiss Days", 10))
    run(path, ["validate"], ctx(date(2027, 3, 1)))
    at = issues_row(path, "sample-late")
    type_in(path, at, "Accept", "Dismiss")
    column = header(path).index("Dismissed As")
    for day in range(1, 11):
        run(path, ["validate"], ctx(date(2027, 3, 1) + timedelta(days=day)))
        r = by_code(path)["sample-late"]
        assert r["Accept"] == "Dismiss", (day, r)
        assert f"({3 + day} day(s) late)" in r["Problem"], (day, r)
        assert r["Dismissed As"] == late("26-Feb-27", 3), (day, r)
    assert header(path).index("Dismissed As") == column  # after Accept, in a tracker made with it
    result = run(path, ["validate"], ctx(date(2027, 3, 12)))
    r = by_code(path)["sample-late"]
    assert (r["Accept"], r["Dismissed As"]) == (None, None) and "(14 day(s) late)" in r["Problem"], r
    assert "1 dismissed but found again" in said(result)


def test_a_tracker_written_before_the_column_gets_it_and_keeps_every_dismiss_and_note(tmp_path):
    """Written by the prodbook before the column: both dismissed rows hold the sentence dismissed in Problem (the
    line 5 day(s) after cancel, now 12; the proto 3 day(s) late, now 5). The first run adds Dismissed As at the
    right of the table, past the APM's Notes, moves those sentences there and writes today's in Problem; no row
    comes back, no note moves, and the next run has nothing to write."""
    path = from_data(tmp_path, "dismissed-before-column.xlsx")
    assert "Dismissed As" not in header(path) and header(path)[-1] == "Notes"
    assert "5 day(s) after cancel" in by_code(path)["late-for-cancel"]["Problem"]
    result = run(path, STEPS, ctx(date(2027, 3, 3)))
    assert header(path)[-2:] == ["Notes", "Dismissed As"]
    rows = by_code(path)
    line, proto = rows["late-for-cancel"], rows["sample-late"]
    assert (line["Accept"], line["Notes"]) == ("Dismiss", "buyer agreed +5 days"), line
    assert "5 day(s) after cancel" in line["Dismissed As"] and "12 day(s) after cancel" in line["Problem"], line
    assert (proto["Accept"], proto["Notes"]) == ("Dismiss", "vendor ships Friday"), proto
    assert "(3 day(s) late)" in proto["Dismissed As"] and "(5 day(s) late)" in proto["Problem"], proto
    assert "the column Dismissed As was added (at the right of the table): it holds the sentence 2 dismissed " \
           "row(s) showed in Problem" in said(result)
    assert "found again" not in said(result)
    ws = openpyxl.load_workbook(path)["Issues"]
    table = next(iter(ws.tables.values()))
    assert table.ref.split(":")[1].rstrip("0123456789") == openpyxl.utils.get_column_letter(ws.max_column)
    assert [c.name for c in table.tableColumns][-2:] == ["Notes", "Dismissed As"]
    stamp = path.read_bytes()
    run(path, STEPS, ctx(date(2027, 3, 3)))
    assert path.read_bytes() == stamp  # nothing new: no file written
    set_ex_factory(path, date(2027, 4, 29))  # 19 day(s) after cancel: more than a week later than dismissed
    run(path, STEPS, ctx(date(2027, 3, 4)))
    line = by_code(path)["late-for-cancel"]
    assert (line["Accept"], line["Dismissed As"], line["Notes"]) == (None, None, "buyer agreed +5 days"), line


def test_an_upgraded_tracker_reads_as_one_written_with_the_column_all_along(tmp_path):
    """The same days run by this prodbook from the first: the same Accept, Problem and Dismissed As on every row."""
    upgraded = from_data(tmp_path, "dismissed-before-column.xlsx")
    run(upgraded, STEPS, ctx(date(2027, 3, 3)))
    (tmp_path / "now").mkdir()
    fresh = first_days(tmp_path / "now" / "tracker.xlsx")
    run(fresh, STEPS, ctx(date(2027, 3, 3)))

    def decided(path: Path) -> dict[Any, tuple[Any, ...]]:
        return {(r["Code"], r["Key"], r["Cell"]): (r["Accept"], r["Problem"], r["Dismissed As"], r["Notes"])
                for r in issues(path)}
    assert decided(upgraded) == decided(fresh)


def test_the_json_output_says_the_column_was_added(tmp_path):
    path = from_data(tmp_path, "dismissed-before-column.xlsx")
    out = CliRunner().invoke(main, ["refresh", str(path), "--json", "--today", "2027-03-03"]).output
    lines = json.loads(out[out.index("{"):])["summary"]
    assert any("the column Dismissed As was added" in line for line in lines), lines


# -- Undo last --------------------------------------------------------------------------------------------------

def test_undo_gives_a_dismiss_back_with_the_sentence_it_was_dismissed_as(tmp_path):
    """Dismissed at 5 day(s) after cancel; a week later (12) it stands, Problem today's; two weeks later (19) it
    comes back, the run logging the Dismiss and its Dismissed As. Undo last: the Dismiss, Dismissed As '5 day(s)'
    and the Problem the row showed before that run (12) go back; the next run compares with 5 again."""
    path, _ = dismissed_with_a_note(tmp_path)
    set_ex_factory(path, date(2027, 4, 22))
    run(path, ["ta"], ctx(date(2027, 3, 2)))
    set_ex_factory(path, date(2027, 4, 29))
    run(path, ["ta"], ctx(date(2027, 3, 3)))
    assert by_code(path)["late-for-cancel"]["Dismissed As"] is None
    log = [r for r in openpyxl.load_workbook(path)["Change Log"].iter_rows(min_row=2, values_only=True)
           if r[2] == "Issues" and r[4] == "Dismissed As"]
    assert len(log) == 1 and "5 day(s) after cancel" in log[0][5] and log[0][6] is None, log
    result = run(path, ["undo"], ctx(date(2027, 3, 3)))
    r = by_code(path)["late-for-cancel"]
    assert (r["Accept"], r["Notes"]) == ("Dismiss", "buyer agreed +5 days"), r
    assert "5 day(s) after cancel" in r["Dismissed As"] and "12 day(s) after cancel" in r["Problem"], r
    assert "1 decision(s) in Accept" in said(result)
    run(path, ["ta"], ctx(date(2027, 3, 3)))  # still 19 days: asked again, as before the undo
    r = by_code(path)["late-for-cancel"]
    assert (r["Accept"], r["Dismissed As"]) == (None, None) and "19 day(s) after cancel" in r["Problem"], r


def test_undo_of_a_dismiss_typed_just_before_the_run_fills_dismissed_as_from_its_problem(tmp_path):
    """Dismissed, then the run right after found it two weeks worse: Dismissed As was still blank, so the log has
    only the Problem it was decided on. Undo gives the Dismiss back with that sentence as Dismissed As."""
    path, _ = dismissed_with_a_note(tmp_path)
    set_ex_factory(path, date(2027, 4, 29))
    run(path, ["ta"], ctx(date(2027, 3, 3)))
    run(path, ["undo"], ctx(date(2027, 3, 3)))
    r = by_code(path)["late-for-cancel"]
    assert r["Accept"] == "Dismiss" and "5 day(s) after cancel" in r["Dismissed As"], r
    assert "5 day(s) after cancel" in r["Problem"], r


def test_undo_of_a_run_the_older_prodbook_made_gives_the_dismiss_back_with_dismissed_as(tmp_path):
    """The older prodbook blanked the line's Dismiss (19 day(s) after cancel) and logged the Problem it was
    decided on (5). This prodbook's Undo last gives it back, the column added, Dismissed As that sentence; the
    proto's Dismiss, which that run kept, stays."""
    path = from_data(tmp_path, "dismiss-blanked-before-column.xlsx")
    assert by_code(path)["late-for-cancel"]["Accept"] is None and "Dismissed As" not in header(path)
    run(path, ["undo"], ctx(date(2027, 3, 3)))
    rows = by_code(path)
    line, proto = rows["late-for-cancel"], rows["sample-late"]
    assert (line["Accept"], line["Notes"]) == ("Dismiss", "buyer agreed +5 days"), line
    assert "5 day(s) after cancel" in line["Dismissed As"] and "5 day(s) after cancel" in line["Problem"], line
    assert proto["Accept"] == "Dismiss", proto
    run(path, STEPS, ctx(date(2027, 3, 4)))
    rows = by_code(path)
    assert rows["late-for-cancel"]["Accept"] is None  # 19: more than a week later than 5, as the older run said
    assert rows["sample-late"]["Accept"] == "Dismiss" and "(3 day(s) late)" in rows["sample-late"]["Dismissed As"]
    assert "(6 day(s) late)" in rows["sample-late"]["Problem"]


# -- a team's own ways with the column --------------------------------------------------------------------------

def _issues_columns(path: Path, change: Any) -> None:
    """The Issues table after ``change(ws, header)`` edits its header row: the Table's columns named as the header
    cells say, over as many columns."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Issues"]
    change(ws, [c.value for c in ws[1]])
    table = next(iter(ws.tables.values()))
    names = [c.value for c in ws[1]]
    table.ref = f"A1:{openpyxl.utils.get_column_letter(len(names))}{ws.max_row}"
    table.autoFilter.ref = table.ref
    table.tableColumns = [openpyxl.worksheet.table.TableColumn(id=i, name=n) for i, n in enumerate(names, 1)]
    wb.save(path)


def test_a_team_that_deletes_the_column_gets_it_back_and_keeps_its_dismiss_and_notes(tmp_path):
    """Deleted (with Excel's Delete > Table Columns): the next run adds it again at the right, each dismissed row's
    sentence the Problem it showed (the day before's); the Dismiss and the APM's column beside it stay."""
    path = from_data(tmp_path, "dismissed-before-column.xlsx")
    run(path, STEPS, ctx(date(2027, 3, 3)))
    shown = by_code(path)["late-for-cancel"]["Problem"]
    _issues_columns(path, lambda ws, head: ws.delete_cols(head.index("Dismissed As") + 1))
    assert "Dismissed As" not in header(path)
    run(path, STEPS, ctx(date(2027, 3, 4)))
    assert header(path)[-2:] == ["Notes", "Dismissed As"]
    line = by_code(path)["late-for-cancel"]
    assert (line["Accept"], line["Notes"], line["Dismissed As"]) == ("Dismiss", "buyer agreed +5 days", shown)


def rename(ws: Any, head: list[Any]) -> None:
    ws.cell(1, head.index("Dismissed As") + 1).value = "Why dismissed"


def test_a_renamed_column_stays_the_teams_and_prodbook_writes_its_own_beside_it(tmp_path):
    """Renamed 'Why dismissed' and typed in: prodbook cannot know it was its column, so it is the team's now, kept
    as typed with its row; Dismissed As comes again at the right, and no Dismiss is lost."""
    path = from_data(tmp_path, "dismissed-before-column.xlsx")
    run(path, STEPS, ctx(date(2027, 3, 3)))
    _issues_columns(path, rename)
    type_in(path, issues_row(path, "late-for-cancel"), "Why dismissed", "buyer extension, mail of 1 Mar")
    run(path, STEPS, ctx(date(2027, 3, 4)))
    assert header(path)[-3:] == ["Notes", "Why dismissed", "Dismissed As"]
    line = by_code(path)["late-for-cancel"]
    assert (line["Accept"], line["Why dismissed"]) == ("Dismiss", "buyer extension, mail of 1 Mar"), line
    assert "12 day(s) after cancel" in line["Dismissed As"], line  # the Problem it showed: 3 March's


def test_a_renamed_column_named_on_config_is_prodbooks_under_its_new_header(tmp_path):
    path = from_data(tmp_path, "dismissed-before-column.xlsx")
    run(path, STEPS, ctx(date(2027, 3, 3)))
    _issues_columns(path, rename)
    add_config(path, ("Column: Issues / Dismissed As", "Why dismissed"))
    run(path, STEPS, ctx(date(2027, 3, 4)))
    assert header(path)[-2:] == ["Notes", "Why dismissed"]
    line = by_code(path)["late-for-cancel"]
    assert line["Accept"] == "Dismiss" and "5 day(s) after cancel" in line["Why dismissed"], line


def test_text_typed_in_the_column_of_a_row_not_dismissed_is_prodbooks_to_clear(tmp_path):
    path = from_data(tmp_path, "dismissed-before-column.xlsx")
    run(path, STEPS, ctx(date(2027, 3, 3)))
    at = issues_row(path, "customs-sample-needed")
    type_in(path, at, "Dismissed As", "asked the broker")
    run(path, STEPS, ctx(date(2027, 3, 4)))
    assert all(r["Dismissed As"] is None for r in issues(path) if r["Accept"] is None)
    assert by_code(path)["late-for-cancel"]["Accept"] == "Dismiss"
