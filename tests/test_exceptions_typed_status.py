"""A row the APM types by hand on the Exceptions sheet, Status left blank, is an open exception: the run that
gives it its ID (and Detected) fills in Status 'Open', logged in the Change Log, so a filter on Status = Open
shows it, and undo blanks it again. Before, its Status stayed blank: the row the APM had just typed was missing
from that filter. A Status the APM typed ('Closed', 'Waiting on vendor') is never changed. Before the run fills
it, a blank Status already counts as open: the follow-ups and the production report list it."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from fakexl import FakeBook
from prodbook.core import exceptions as ex
from prodbook.core.findings import Severity
from prodbook.jobs.runner import run
from prodbook.workbook.xlbook import XlBook
from test_exceptions_by_hand import DAY, LINE, add_by_hand, book, ctx, rows

TYPED = {**LINE, "Rule": "Hangtag artwork", "Detail": "Send the hangtag artwork", "Owner": "Ana"}
"""Typed by hand: no ID, no Detected, no Status."""
CLOSED = {**LINE, "Rule": "Care label", "Detail": "Care label wording", "Status": "Closed - vendor sent it"}
WAITING = {**LINE, "Detail": "Trims to confirm", "Status": "Waiting on vendor"}


def logged(path, action_start: str = "Check") -> list[tuple]:
    return [(r["Key"], r["Field"], r["Old"], r["New"]) for r in rows(path, "Change Log")
            if r["Sheet"] == "Exceptions" and str(r["Action"]).startswith(action_start)]


@pytest.mark.parametrize("live", [False, True])
def test_a_row_typed_with_a_blank_status_is_given_open_with_its_id_and_undo_blanks_all_three(tmp_path, live):
    path = book(tmp_path)
    add_by_hand(path, TYPED, CLOSED, WAITING)
    xl = FakeBook.from_file(path) if live else None
    result = run(path, ["exceptions"], ctx(hour=10), backend=XlBook(xl) if xl is not None else None)
    assert [f.text() for f in result.findings if f.sheet == "Exceptions"] == []
    if xl is not None:
        got = [dict(zip(xl.values("Exceptions")[0], r)) for r in xl.values("Exceptions")[1:]]
        got = [{**r, "Status": r["Status"] or None} for r in got]
    else:
        got = rows(path, "Exceptions")
    assert [(r["ID"], r["Status"]) for r in got] == [
        ("EX-0001", "Open"), ("EX-0002", "Open"), ("EX-0003", CLOSED["Status"]), ("EX-0004", "Waiting on vendor")]
    assert str(got[1]["Detected"])[:10] == str(DAY)
    assert (got[1]["Owner"], got[1]["Detail"]) == ("Ana", TYPED["Detail"])
    if xl is not None:
        return
    log = logged(path)
    assert ("EX-0002", "Status", None, "Open") in log  # each filled cell logged, undo puts each back
    assert ("EX-0002", "ID", None, "EX-0002") in log
    assert [e for e in log if e[0] == "EX-0002" and e[1] == "Detected"] != []
    assert [e for e in log if e[0] in ("EX-0003", "EX-0004") and e[1] == "Status"] == []  # typed: untouched

    undo = run(path, ["undo"], ctx(hour=11))
    assert [f.text() for f in undo.findings if f.severity != Severity.INFO] == []
    after = rows(path, "Exceptions")
    assert len(after) == 4
    assert (after[1]["ID"], after[1]["Detected"], after[1]["Status"]) == (None, None, None)  # as typed
    assert {h: after[1][h] for h in TYPED} == TYPED
    assert [(r["ID"], r["Status"]) for r in after[2:]] == [(None, CLOSED["Status"]), (None, "Waiting on vendor")]


def test_the_next_run_after_open_is_filled_writes_nothing_more(tmp_path):
    path = book(tmp_path)
    add_by_hand(path, TYPED)
    run(path, ["exceptions"], ctx(hour=10))
    again = run(path, ["exceptions"], ctx(hour=11))
    assert again.changes == 0
    assert rows(path, "Exceptions")[1]["Status"] == "Open"


def test_a_row_typed_with_a_blank_status_counts_as_open_before_any_run_fills_it(tmp_path):
    """The follow-ups alone (which do not write the Exceptions sheet) chase it, and the production report alone
    counts it on its PO line, while its Status is still blank."""
    path = book(tmp_path)
    add_by_hand(path, TYPED)
    run(path, ["followups"], ctx(hour=10))
    assert rows(path, "Exceptions")[1]["Status"] is None
    assert "Hangtag artwork" in [r["Item"] for r in rows(path, "Follow-ups")]
    run(path, ["report"], ctx(hour=11))
    line = next(r for r in rows(path, "Production Report") if str(r["PO #"]) == LINE["PO #"]
                and r["Color"] == LINE["Color"])
    assert line["Open Exceptions"] >= 1 and "Hangtag artwork" in str(line["Exception Rules"])


def test_merge_fills_a_blank_status_of_a_row_typed_by_hand_only():
    old = pd.DataFrame([
        {"id": None, "po": "P1", "style": "S1", "color": "Red", "rule": "Hangtag", "status": None, "_row": 2},
        {"id": None, "po": "P1", "style": "S1", "color": "Red", "rule": "Trims", "status": "  ", "_row": 3},
        {"id": None, "po": "P1", "style": "S1", "color": "Red", "rule": "Care", "status": "Closed", "_row": 4},
        {"id": None, "owner": "Ana", "_row": 5},  # nothing saying what it is: no ID, no Status
        {"id": "EX-0001", "po": "P2", "style": "S2", "color": "Red", "rule": "Mine", "status": None, "_row": 6},
    ], columns=[*ex.EXCEPTION_FIELDS, "_row"])
    frame, _ = ex.merge(old, [], DAY, issued=1)
    got = [None if pd.isna(v) else v for v in frame["status"]]
    assert got == ["Open", "Open", "Closed", None, None]  # a row with its ID already is left as it is


@pytest.mark.parametrize("status", [None, float("nan"), "", "  ", "Open", "Waiting on vendor", "Not closed"])
def test_a_blank_or_any_other_status_than_a_closing_word_is_open(status):
    assert ex.is_open(status) and not ex.is_closed(status)


@pytest.mark.parametrize("status", ["Closed", "resolved by data", "Done.", "Cancelled - buyer dropped"])
def test_a_closing_word_is_not_open(status):
    assert not ex.is_open(status)


def test_open_exceptions_keeps_a_blank_status():
    frame = pd.DataFrame({"id": ["EX-0001", None, "EX-0003"], "status": [None, float("nan"), "Closed"]})
    assert [None if pd.isna(v) else v for v in ex.open_exceptions(frame)["id"]] == ["EX-0001", None]


def test_a_typed_status_is_never_changed_on_the_sheet(tmp_path):
    path = book(tmp_path)
    add_by_hand(path, CLOSED)
    run(path, ["exceptions"], ctx(hour=10))
    got = rows(path, "Exceptions")[1]
    assert (got["ID"], got["Status"]) == ("EX-0002", CLOSED["Status"])
    assert str(got["Detected"])[:10] == str(DAY)
    assert date.fromisoformat(str(got["Detected"])[:10]) == DAY
