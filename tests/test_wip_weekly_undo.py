"""Undo last after a vendor's newer weekly WIP report gives the older report's Issues rows back as they were
(audit 202).

Importing this week's report checks last week's rows again (``open_findings._newer_read``): a problem the new file no
longer has leaves the sheet, one it still has continues under the new file's name, the APM's Dismiss and notes with
it. Undoing that import puts last week's report back on the Vendor WIP sheet, and its rows back on the Issues sheet
as they were: the file they name, Accept, Dismissed As, Found On and the APM's own columns (the run logs each such
row whole in the Change Log, as it logs each Accept it blanks). Import the new file again and the sheet is as the
first import left it. Real workbooks and vendor files; the WIP import and undo as the command runs them.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import base_sheets, decide_issue, write_book
from prodbook.core.findings import Code
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from test_wip_weekly_issues import (  # noqa: F401  (season: a fixture)
    CN1_PO,
    GONE,
    HEADER,
    SAMPLE,
    WEEK1,
    WEEK2,
    bd1,
    issues,
    mail,
    note,
    season,
    unmatched,
    wip,
)

NEW_PO = "4500006666"
"""A PO only next week's report lists: a row of the undone run's own."""
THEN = datetime(2027, 3, 3, 12)


@pytest.fixture
def decided(season: tuple[Path, Path]) -> tuple[Path, Path]:  # noqa: F811  (season: test_wip_weekly_issues' fixture)
    """Week 1 as ``season`` leaves it (BD1's sample PO dismissed with a note), the other PO of BD1's dismissed too,
    its note retyped, and CN1's noted (no decision)."""
    book, _ = season
    note(book, GONE, "Dismiss", "asked BD1: a typo")
    note(book, CN1_PO, None, "CN1 to confirm")
    return season


def undo(book: Path, dry_run: bool = False) -> str:
    result = run(book, ["undo"], Context(today=WEEK2, now=THEN, steps=("undo",), dry_run=dry_run))
    return " ".join(line for o in result.outcomes for line in o.summary)


def week2(book: Path, folder: Path, sent: str = "file") -> Path:
    """BD1's next report: the sample PO still, the other one no longer, and a PO of its own."""
    new = bd1(folder, "2027-03-01", SAMPLE, NEW_PO)
    if sent == "e-mail":
        new = mail(folder / "BD1 WIP.eml", new)
    wip(book, WEEK2, new)
    return new


def everything(book: Path) -> list[tuple[Any, ...]]:
    """Every Issues row as the sheet shows it (the Cell as its text), in the sheet's order."""
    return [tuple(r.items()) for r in issues(book)]


@pytest.mark.parametrize("sent", ["file", "e-mail"])
def test_undo_puts_last_weeks_rows_back_as_they_were(decided, sent):
    """The undone import had taken off the other PO's row (no longer in the new file) and moved the sample PO's
    into the new file: both are back in last week's file, each with its Dismiss, note and Found On; CN1's row is
    as it was. The row only the new file had is the undone run's, marked so."""
    book, folder = decided
    before = unmatched(book)
    new = week2(book, folder, sent)
    assert GONE not in unmatched(book) and unmatched(book)[SAMPLE][1] == new.name
    said = undo(book)
    rows = unmatched(book)
    for po in (SAMPLE, GONE, CN1_PO):
        assert rows[po] == before[po], (po, rows[po])
    assert rows[SAMPLE][2:4] == ("Dismiss", "sample PO, not ours") and rows[GONE][2:4] == ("Dismiss",
                                                                                          "asked BD1: a typo")
    assert rows[GONE][4].date() == WEEK1
    assert "2 row(s) of a vendor's older WIP report" in said and "are back as they were" in said
    assert f"{GONE} / S1 / Navy (BD1 WIP 2027-02-22.xlsx)" in said
    mine = next(r for r in issues(book) if str(r["Key"]).startswith(NEW_PO))
    assert mine["Problem"].startswith("[From the run undone") and mine["Found In"] == new.name
    assert not [r for r in issues(book) if str(r["Key"]).startswith((SAMPLE, GONE))
                and str(r["Problem"]).startswith("[From the run undone")]


def test_the_new_report_imported_again_after_the_undo_reads_as_the_first_time(decided):
    """Undo, then the same report again: the Issues sheet is as the first import of it left it."""
    book, folder = decided
    new = week2(book, folder)
    first = everything(book)
    undo(book)
    wip(book, WEEK2, new)
    assert everything(book) == first


def test_a_dry_run_says_so_and_writes_nothing(decided):
    book, folder = decided
    week2(book, folder)
    after = everything(book)
    said = undo(book, dry_run=True)
    assert "2 row(s) of a vendor's older WIP report" in said and "would be back as they were" in said
    assert everything(book) == after


def test_what_the_apm_typed_since_the_import_stays_theirs(decided):
    """After the import the APM retyped the sample PO's note and decided it again (Yes): the undo puts the row back
    in last week's file, with their note and word as they typed them since."""
    book, folder = decided
    week2(book, folder)
    decide_issue(book, lambda r: r["Code"] == Code.WIP_UNMATCHED and str(r["Key"]).startswith(SAMPLE), "Yes",
                 "BD1 says it is a sample PO")
    undo(book)
    sheet, found_in, accept, notes, found_on = unmatched(book)[SAMPLE]
    assert (sheet, found_in, accept, notes) == ("BD1 WIP 2027-02-22.xlsx", "BD1 WIP 2027-02-22.xlsx", "Yes",
                                                "BD1 says it is a sample PO")
    assert found_on.date() == WEEK1


def test_the_import_logs_the_rows_it_checks_off(decided):
    """The Change Log holds the rows the import took off or moved, whole, each by the Issues row's Sheet / Cell /
    Key / Code: a '(removed)' line with the row (its notes too), and for the one continued, the row it continues
    in."""
    book, folder = decided
    new = week2(book, folder)
    ws = openpyxl.load_workbook(book)["Change Log"]
    head = [c.value for c in ws[1]]
    lines = [dict(zip(head, r)) for r in ws.iter_rows(min_row=2, values_only=True) if r[head.index("Sheet")] ==
             "Issues"]
    removed = {r["Key"]: r["Old"] for r in lines if r["Field"] == "(removed)"}
    assert {k.split(" / ")[2] for k in removed} == {SAMPLE, GONE}
    assert all(k.startswith("BD1 WIP 2027-02-22.xlsx / ") and k.endswith(" / wip-unmatched") for k in removed)
    assert any('"Notes": "asked BD1: a typo"' in old and '"Accept": "Dismiss"' in old for old in removed.values())
    continued = [r for r in lines if r["Field"] == "(continued as)"]
    assert len(continued) == 1 and str(continued[0]["New"]).startswith(f"{new.name} / ")


def test_a_run_that_reads_no_newer_report_logs_nothing_of_the_kind(decided):
    """Week 1's report read again (the same file): its rows are its own, nothing superseded, nothing logged."""
    book, _ = decided
    wip(book, WEEK2, book.parent / "week 1" / "BD1 WIP 2027-02-22.xlsx")
    ws = openpyxl.load_workbook(book)["Change Log"]
    assert not [r for r in ws.iter_rows(min_row=2, values_only=True) if r[4] in ("(removed)", "(continued as)")
                and r[2] == "Issues"]


def test_undo_of_another_run_leaves_the_rows_as_they_are(decided):
    """A T&A rebuild after the import: undo takes back the rebuild only; the import's rows stay in the new file."""
    book, folder = decided
    new = week2(book, folder)
    run(book, ["ta"], Context(today=WEEK2, now=datetime(2027, 3, 3, 10), steps=("ta",)))
    undo(book)
    assert unmatched(book)[SAMPLE][1] == new.name and GONE not in unmatched(book)


def test_a_dismiss_the_newer_report_asked_again_comes_back_with_its_row(tmp_path):
    """Cut falls in last week's report (1,150 where the week before gave 1,200): dismissed, with a note. This
    week's falls again (1,100): another value, so the import asks again (Accept blank) under the new file's name.
    Undo puts last week's row back, its Dismiss, note, value and sentence with it; no decision is given twice."""
    book = write_book(tmp_path / "tracker.xlsx", base_sheets())
    wip(book, date(2027, 2, 17), cut_report(tmp_path, "BD1 WIP 2027-02-15.xlsx", 1200))
    wip(book, WEEK1, cut_report(tmp_path, "BD1 WIP 2027-02-22.xlsx", 1150))
    decide_issue(book, falls, "Dismiss", "recount agreed")
    before = next(r for r in issues(book) if falls(r))
    wip(book, WEEK2, cut_report(tmp_path, "BD1 WIP 2027-03-01.xlsx", 1100))
    asked = next(r for r in issues(book) if falls(r))
    assert (asked["Found In"], asked["Accept"], asked["Notes"]) == ("BD1 WIP 2027-03-01.xlsx", None,
                                                                     "recount agreed")
    said = undo(book)
    back = [r for r in issues(book) if falls(r)]
    assert back == [before], back
    assert "1 row(s) of a vendor's older WIP report" in said and "decision(s) in Accept" not in said


def falls(row: dict[str, Any]) -> bool:
    """The report's one Issues row: the Cut Qty below the report before."""
    return bool(row["Code"] == Code.BAD_NUMBER)


def cut_report(folder: Path, name: str, cut: int) -> Path:
    """BD1's report of one line, its Cut Qty as given."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(["4500000001", "S1", "Navy", 1200, cut, 800, 300, date(2027, 4, 15)])
    wb.save(folder / name)
    return folder / name
