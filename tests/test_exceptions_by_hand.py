"""A row the APM adds to the Exceptions sheet by hand gets the next Exception ID on the next run that writes
the sheet. Before, it had none: every refresh put "'ID' is empty; fill it in" on the Issues sheet (two such
rows also "this ID repeats row N") and exited 1, prodbook never numbered it, and its Follow-ups row had a
blank Item, so two of one PO line were one item (Vendor + Item + Ref) and shared one Last Contacted."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from conftest import base_sheets, digest, grow_tables, shown_values, write_book
from fakexl import FakeBook
from prodbook.core import exceptions as ex
from prodbook.core.findings import Code, Finding, Severity, Subject
from prodbook.core.model.sheets import VENDOR_WIP
from prodbook.jobs.base import Context
from prodbook.jobs.exceptions_job import ISSUED_NAME
from prodbook.jobs.runner import REFRESH, run
from prodbook.workbook.xlbook import XlBook

DAY = date(2027, 3, 1)
LINE = {"PO #": "4500000001", "Style #": "S1", "Color": "Navy", "Vendor": "BD1"}
HANGTAG = {**LINE, "Rule": "Hangtag artwork", "Severity": "warning", "Detail": "Send the hangtag artwork",
           "Status": "Waiting on vendor", "Owner": "Ana", "Resolution": "asked 26-Feb"}
CARE_LABEL = {**LINE, "Detail": "Care label wording to confirm"}


def ctx(today: date = DAY, hour: int = 9) -> Context:
    return Context(today=today, now=datetime.combine(today, datetime.min.time()).replace(hour=hour))


def book(tmp_path: Path) -> Path:
    """The shared tracker, its styles in development (so the records check has nothing of its own to say),
    keeping vendors' WIP reports (a Vendor WIP sheet), after its first refresh: EX-0001 (BD1 sent no WIP
    report) on its Exceptions sheet."""
    sheets = base_sheets()
    sheets["Vendor WIP"] = [list(VENDOR_WIP.headers)]
    for row in sheets["Styles"][1:]:
        row[4] = "Development"
    path = write_book(tmp_path / "t.xlsx", sheets)
    assert run(path, list(REFRESH), ctx()).exit_code == 0
    assert [r["ID"] for r in rows(path, "Exceptions")] == ["EX-0001"]
    return path


def add_by_hand(path: Path, *typed: dict[str, Any]) -> list[int]:
    """The APM types rows under the Exceptions Table (it grows over them), ID left blank, and saves; returns
    their Excel rows."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Exceptions"]
    headers = [c.value for c in ws[1]]
    at = []
    for values in typed:
        row = ws.max_row + 1
        for header, value in values.items():
            ws.cell(row, headers.index(header) + 1, value)
        at.append(row)
    grow_tables(ws)
    wb.save(path)
    return at


def type_in(path: Path, sheet: str, row: int, header: str, value: Any) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    ws.cell(row, [c.value for c in ws[1]].index(header) + 1, value)
    wb.save(path)


def rows(path: Path, sheet: str) -> list[dict[str, Any]]:
    """A sheet's rows as the APM reads them (a PO # link as its text), blank rows left out."""
    values = shown_values(path, sheet)
    return [dict(zip(values[0], r)) for r in values[1:] if any(v is not None for v in r)]


def issued(path: Path) -> str | None:
    names = openpyxl.load_workbook(path).defined_names
    return names[ISSUED_NAME].attr_text if ISSUED_NAME in names else None


def on_exceptions(findings: list[Finding]) -> list[str]:
    return [f.text() for f in findings if f.sheet == "Exceptions"]


@pytest.mark.parametrize("live", [False, True])
def test_a_row_added_by_hand_gets_the_next_id_and_keeps_what_was_typed(tmp_path, live):
    path = book(tmp_path)
    add_by_hand(path, HANGTAG, CARE_LABEL)
    xl = FakeBook.from_file(path) if live else None
    result = run(path, ["exceptions"], ctx(hour=10), backend=XlBook(xl) if xl is not None else None)
    assert on_exceptions(result.findings) == []
    if xl is not None:
        got = [dict(zip(xl.values("Exceptions")[0], r)) for r in xl.values("Exceptions")[1:]]
        held = next(n for n in xl.names if n.name == ISSUED_NAME)
        assert held.refers_to == "=3"
        for r in got:  # the live back end holds the PO # link as its formula
            r["PO #"] = "4500000001" if "4500000001" in str(r["PO #"]) else r["PO #"]
    else:
        got = rows(path, "Exceptions")
        assert issued(path) == "3"  # the hand rows' IDs count: none is given twice
    assert [r["ID"] for r in got] == ["EX-0001", "EX-0002", "EX-0003"]
    for typed, r in zip((HANGTAG, CARE_LABEL), got[1:]):
        assert {h: r[h] for h in typed} == typed  # all the APM typed, as typed
        assert str(r["Detected"])[:10] == str(DAY)  # its age counts from the day it got its ID
        assert r["Status"] == typed.get("Status", "Open")  # a blank Status is given 'Open', a typed one stays
        assert all(r[h] in (None, "") for h in r if h not in typed and h not in ("ID", "Detected", "Status"))


def test_a_detected_date_typed_on_a_row_added_by_hand_stays(tmp_path):
    path = book(tmp_path)
    add_by_hand(path, {**HANGTAG, "Detected": date(2027, 2, 20)})
    run(path, ["exceptions"], ctx(hour=10))
    assert [str(r["Detected"])[:10] for r in rows(path, "Exceptions")][1] == "2027-02-20"


def test_the_next_new_exception_is_numbered_after_the_rows_added_by_hand(tmp_path):
    path = book(tmp_path)
    add_by_hand(path, CARE_LABEL)
    run(path, ["exceptions"], ctx(hour=10))
    add_by_hand(path, {"Style #": "S2", "Detail": "Fit comments to send"})
    run(path, ["exceptions"], ctx(date(2027, 4, 20)))  # CN1 cuts within 30 days, no WIP report: new ones
    ids = [r["ID"] for r in rows(path, "Exceptions")]
    assert ids[:3] == ["EX-0001", "EX-0002", "EX-0003"] and len(ids) > 3 and len(set(ids)) == len(ids)
    assert all(int(i.removeprefix("EX-")) > 3 for i in ids[3:])
    assert issued(path) == str(max(int(i.removeprefix("EX-")) for i in ids))


def test_a_row_with_nothing_saying_what_it_is_gets_no_id(tmp_path):
    """A row where the APM only put an Owner (or a Status) is not an exception yet: it stays as it is, it is
    not chased, and the run has nothing to write for it."""
    path = book(tmp_path)
    add_by_hand(path, {"Owner": "Ana"})
    before = digest(path)
    result = run(path, ["exceptions", "followups"], ctx(hour=10))
    assert on_exceptions(result.findings) == []
    assert digest(path) == before and result.commit is not None and result.commit.written is None
    add_by_hand(path, CARE_LABEL)
    run(path, ["exceptions"], ctx(hour=11))
    got = rows(path, "Exceptions")
    assert [(r["ID"], r["Owner"], r["Detail"]) for r in got] == [
        ("EX-0001", None, got[0]["Detail"]), (None, "Ana", None), ("EX-0002", None, CARE_LABEL["Detail"])]


def test_the_refresh_after_rows_added_by_hand_reports_nothing_on_them(tmp_path):
    path = book(tmp_path)
    add_by_hand(path, HANGTAG, CARE_LABEL)
    result = run(path, list(REFRESH), ctx(hour=10))  # the records check reads the sheet before it is numbered
    assert on_exceptions(result.findings) == [] and result.exit_code == 0
    assert [r for r in rows(path, "Issues") if r["Sheet"] == "Exceptions"] == []
    assert [r["ID"] for r in rows(path, "Exceptions")] == ["EX-0001", "EX-0002", "EX-0003"]


def test_an_id_typed_twice_by_hand_is_still_reported(tmp_path):
    path = book(tmp_path)
    add_by_hand(path, {**CARE_LABEL, "ID": "EX-0001"}, HANGTAG, HANGTAG)
    result = run(path, ["validate"], ctx(hour=10))
    said = [f for f in result.findings if f.sheet == "Exceptions"]
    assert [(f.code, f.row) for f in said] == [(Code.DUPLICATE_KEY, 3)], [f.text() for f in said]


def test_a_second_run_after_the_id_is_given_writes_nothing(tmp_path):
    path = book(tmp_path)
    add_by_hand(path, HANGTAG)
    assert run(path, list(REFRESH), ctx(hour=10)).exit_code == 0
    assert issued(path) == "2" and [r["ID"] for r in rows(path, "Exceptions")] == ["EX-0001", "EX-0002"]
    before = digest(path)
    backups = set((tmp_path / "prodbook backups").iterdir())
    again = run(path, list(REFRESH), ctx(hour=11))
    assert again.changes == 0 and again.commit is not None and again.commit.written is None
    assert digest(path) == before and set((tmp_path / "prodbook backups").iterdir()) == backups


def test_a_row_added_by_hand_under_its_own_rule_stays_as_typed_on_the_next_runs(tmp_path):
    """Given its ID, it is the APM's exception: no rule of prodbook's finds it, so none resolves it by data
    (its Status, 'Waiting on vendor', and Resolution stay); it closes when the APM closes it."""
    path = book(tmp_path)
    add_by_hand(path, HANGTAG)
    run(path, list(REFRESH), ctx(hour=10))
    run(path, list(REFRESH), ctx(date(2027, 3, 2)))
    got = rows(path, "Exceptions")[1]
    assert (got["ID"], got["Status"], got["Resolution"]) == ("EX-0002", "Waiting on vendor", "asked 26-Feb")
    assert "Hangtag artwork (EX-0002)" in [r["Item"] for r in rows(path, "Follow-ups")]


def test_undo_blanks_the_id_it_gave_and_keeps_the_row(tmp_path):
    """The ID given is in the Change Log (Key: the ID, Field: ID, Old: blank): undo puts the blank back and
    keeps the row with all the APM typed. The number stays spent: the next run gives the row a new one."""
    path = book(tmp_path)
    add_by_hand(path, HANGTAG)
    run(path, ["exceptions"], ctx(hour=10))
    log = [r for r in rows(path, "Change Log") if r["Sheet"] == "Exceptions" and r["Action"].startswith("Check")]
    given = [r for r in log if r["Field"] == "ID"]
    assert [(r["Key"], r["Old"], r["New"]) for r in given] == [("EX-0002", None, "EX-0002")]
    undo = run(path, ["undo"], ctx(hour=11))
    assert [f.text() for f in undo.findings if f.severity != Severity.INFO] == []
    got = rows(path, "Exceptions")
    assert len(got) == 2 and got[1]["ID"] is None and {h: got[1][h] for h in HANGTAG} == HANGTAG
    assert got[1]["Detected"] is None  # as it was before the run
    assert issued(path) == "2"
    run(path, ["exceptions"], ctx(hour=12))
    assert [r["ID"] for r in rows(path, "Exceptions")] == ["EX-0001", "EX-0003"]


def test_two_rows_added_by_hand_on_one_po_line_are_two_follow_ups_with_their_own_last_contacted(tmp_path):
    path = book(tmp_path)
    add_by_hand(path, {**LINE, "Detail": "Send the hangtag artwork"}, CARE_LABEL)
    run(path, list(REFRESH), ctx(hour=10))
    mine = {r["Item"]: r for r in rows(path, "Follow-ups") if r["Item"].startswith("Exception")}
    assert set(mine) == {"Exception EX-0002", "Exception EX-0003"}
    assert {r["Detail"] for r in mine.values()} == {"Send the hangtag artwork. Please advise.",
                                                    "Care label wording to confirm. Please advise."}
    at = {r["Item"]: i for i, r in enumerate(rows(path, "Follow-ups"), 2)}
    type_in(path, "Follow-ups", at["Exception EX-0002"], "Last Contacted", datetime(2027, 2, 26))
    type_in(path, "Follow-ups", at["Exception EX-0003"], "Last Contacted", datetime(2027, 2, 27))
    run(path, list(REFRESH), ctx(date(2027, 3, 2)))
    contacted = {r["Item"]: r["Last Contacted"] for r in rows(path, "Follow-ups")}
    assert contacted["Exception EX-0002"] == datetime(2027, 2, 26)
    assert contacted["Exception EX-0003"] == datetime(2027, 2, 27)


def test_a_follow_up_typed_in_before_the_row_had_an_id_keeps_its_last_contacted(tmp_path):
    """The follow-ups alone name no ID the Exceptions sheet does not show yet (the row as typed: its Rule);
    the next refresh numbers the row, and its Follow-ups row, Last Contacted with it, moves to the ID."""
    path = book(tmp_path)
    add_by_hand(path, HANGTAG)
    run(path, ["followups"], ctx(hour=10))
    assert rows(path, "Exceptions")[1]["ID"] is None
    items = [r["Item"] for r in rows(path, "Follow-ups")]
    assert "Hangtag artwork" in items and not any("EX-0002" in i for i in items)
    type_in(path, "Follow-ups", items.index("Hangtag artwork") + 2, "Last Contacted", datetime(2027, 2, 26))
    run(path, list(REFRESH), ctx(date(2027, 3, 2)))
    contacted = {r["Item"]: r["Last Contacted"] for r in rows(path, "Follow-ups")}
    assert contacted.get("Hangtag artwork (EX-0002)") == datetime(2027, 2, 26)
    assert "Hangtag artwork" not in contacted


def test_merge_numbers_the_rows_added_by_hand_in_sheet_order_before_the_new_ones():
    old = pd.DataFrame([
        {"id": "EX-0007", "po": "P1", "style": "S1", "color": "Red", "vendor": "BD1", "rule": "wip-stale",
         "status": "Open", "_row": 2},
        {"id": None, "po": "P1", "style": "S1", "color": "Red", "vendor": "BD1", "rule": "Hangtag",
         "detail": "Send it", "status": "Waiting", "_row": 3},
        {"id": None, "owner": "Ana", "_row": 4},  # nothing saying what it is
        {"id": "  ", "style": "S2", "_row": 5},
        {"id": None, "po": "P3", "style": "S3", "color": "Red", "vendor": "BD1", "rule": "in-dc-late",
         "detail": "Forecast in DC after the In-DC date", "status": "Open", "_row": 6},  # under a rule's code
    ], columns=[*ex.EXCEPTION_FIELDS, "_row"])
    found = ex.exception(Code.XF_REVISED_LATE, Severity.WARNING, "Revised later.",
                         Subject(po="P2", style="S2", color="Blue", vendor="CN1"))
    frame, source = ex.merge(old, [found], DAY, issued=9)
    assert [None if pd.isna(i) else i for i in frame["id"]] == ["EX-0007", "EX-0010", None, "EX-0011", "EX-0012",
                                                                 "EX-0013"]
    assert source == [2, 3, 4, 5, 6, None]
    hand = frame.iloc[1].to_dict()
    assert (hand["status"], hand["detail"]) == ("Waiting", "Send it") and pd.isna(hand["resolution"])
    assert frame.iloc[0]["status"] == ex.RESOLVED_BY_DATA  # a rule's exception not found again: resolved
    assert frame.iloc[4]["status"] == "Open"  # typed under a rule's code: not resolved the run it is read
    later, _ = ex.merge(frame.assign(_row=source), [], DAY, issued=13)
    statuses = [None if pd.isna(v) else v for v in later["status"]]
    assert statuses[1:5] == ["Waiting", None, "Open", ex.RESOLVED_BY_DATA]  # then the rule's
