"""Undo right after a run that brought a dismissed Issues row back undecided gives the APM's Dismiss back (review
197): the run logs each Accept it blanks (Change Log, sheet Issues, Key 'Sheet / Cell / Key / Code'), and undo puts
it back on the row that continues it while that Accept is still blank; one the APM typed again since stays theirs.
Real workbooks, the run's own steps making the rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import openpyxl

from prodbook.jobs.runner import run
from test_issues_dismiss_stands import dismissed_with_a_note, said, set_ex_factory
from test_open_findings import book, by_code, costing, ctx, issues_row, type_in


def _brought_back(tmp_path):
    """A late-for-cancel dismissed with a note, then two weeks worse: the run blanks its Accept."""
    path, _ = dismissed_with_a_note(tmp_path)
    set_ex_factory(path, date(2027, 4, 29))  # 19 day(s) after cancel
    run(path, ["ta"], ctx(date(2027, 3, 3)))
    assert by_code(path)["late-for-cancel"]["Accept"] is None
    return path


def _log(path):
    ws = openpyxl.load_workbook(path)["Change Log"]
    head = [c.value for c in ws[1]]
    return [dict(zip(head, r)) for r in ws.iter_rows(min_row=2, values_only=True) if any(r)]


def test_the_run_logs_the_accept_it_blanks(tmp_path):
    path = _brought_back(tmp_path)
    lines = [r for r in _log(path) if r["Sheet"] == "Issues"]
    assert [(r["Field"], r["Old"], r["New"]) for r in lines][0] == ("Accept", "Dismiss", None)
    problem = next(r for r in lines if r["Field"] == "Problem")  # what it was dismissed for, and what it is now
    assert "5 day(s) after cancel" in problem["Old"] and "19 day(s) after cancel" in problem["New"]
    assert {r["Key"] for r in lines} == {lines[0]["Key"]} and lines[0]["Key"].endswith(" / late-for-cancel")


def test_undo_gives_the_dismiss_back_beside_the_note(tmp_path):
    path = _brought_back(tmp_path)
    dry = run(path, ["undo"], replace(ctx(date(2027, 3, 3)), dry_run=True))
    assert "1 decision(s) in Accept" in said(dry) and "would be given back" in said(dry)
    assert by_code(path)["late-for-cancel"]["Accept"] is None  # a dry run writes nothing
    result = run(path, ["undo"], ctx(date(2027, 3, 3)))
    row = by_code(path)["late-for-cancel"]
    assert (row["Accept"], row["Notes"]) == ("Dismiss", "buyer agreed +5 days"), row
    assert "5 day(s) after cancel" in row["Problem"], row  # the problem dismissed, not the worse one
    assert "1 decision(s) in Accept that the run undone had blanked (Dismiss, Yes) were given back" in said(result)


def test_undo_keeps_a_decision_the_apm_typed_again_since(tmp_path):
    path = _brought_back(tmp_path)
    type_in(path, issues_row(path, "late-for-cancel"), "Accept", "Yes")
    result = run(path, ["undo"], ctx(date(2027, 3, 3)))
    row = by_code(path)["late-for-cancel"]
    assert (row["Accept"], row["Notes"]) == ("Yes", "buyer agreed +5 days"), row
    assert "decided again since: Accept is kept as you typed it" in said(result)
    assert "given back" not in said(result)
    assert "19 day(s) after cancel" in row["Problem"]  # their Yes is for the problem as it is now


def test_undo_gives_a_yes_back_and_leaves_a_true_as_typed(tmp_path):
    """The vendor's FOB moved after the APM's Yes: the run blanks it; undo gives the Yes back, and the TRUE typed
    on another row is still TRUE (not the text 'True')."""
    path = book(tmp_path)
    run(path, ["validate"], ctx(date(2027, 3, 1), costing(tmp_path, fob=7.05)))
    type_in(path, issues_row(path, "vendor-fob-differs"), "Accept", "Yes")
    type_in(path, issues_row(path, "vendor-fiber-differs"), "Accept", True)
    run(path, ["validate"], ctx(date(2027, 3, 2), costing(tmp_path, fob=6.95)))
    assert by_code(path)["vendor-fob-differs"]["Accept"] is None
    result = run(path, ["undo"], ctx(date(2027, 3, 2)))
    rows = by_code(path)
    assert rows["vendor-fob-differs"]["Accept"] == "Yes"
    assert rows["vendor-fob-differs"]["Other Value"] in ("7.05", 7.05)  # the vendor value the Yes was for
    assert rows["vendor-fiber-differs"]["Accept"] is True
    assert "1 decision(s) in Accept" in said(result)
