"""A vendor's weekly WIP file is a new file name every week ('BD1 WIP 2027-02-22.xlsx', then '... 2027-03-01'). The
Issues rows about a report's own rows are the vendor's, not the file name's (audit 192, M1): the APM's Dismiss and
Notes follow the same problem into next week's file, and a newer report of the vendor checks last week's rows again,
so a problem it no longer has leaves the sheet instead of staying all season. Another vendor's rows, whose report
was not read, stay as they were. The Issues row still names the file the problem is in."""

from __future__ import annotations

from datetime import date, datetime
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import base_sheets, decide_issue, write_book
from prodbook.core.findings import Code
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run

HEADER = ["PO #", "Style #", "Color", "Order Qty", "Cut Qty", "Sewn Qty", "Packed Qty", "Planned XF"]
WEEK1, WEEK2 = date(2027, 2, 24), date(2027, 3, 3)
SAMPLE, GONE, CN1_PO = "4500009999", "4500008888", "4500007777"


def report(folder: Path, name: str, lines: list[tuple[str, str, str]]) -> Path:
    """A vendor's WIP report: a tracker PO line first, then ``lines`` (POs not on Orders: wip-unmatched)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for po, style, color in lines:
        ws.append([po, style, color, 1200, 1150, 800, 300, date(2027, 4, 15)])
    wb.save(folder / name)
    return folder / name


def bd1(folder: Path, day: str, *extra: str) -> Path:
    return report(folder, f"BD1 WIP {day}.xlsx", [("4500000001", "S1", "Navy"), *((po, "S1", "Navy") for po in extra)])


def mail(path: Path, attached: Path) -> Path:
    """BD1's mail with ``attached`` as its attachment, as a mail program saves it."""
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "merch@dhaka-knit.example", "apm@retailer.example", "WIP this week"
    m["Date"] = "Mon, 01 Mar 2027 09:30:00 +0600"
    m.set_content("Please find our WIP attached.")
    m.add_attachment(attached.read_bytes(), maintype="application",
                     subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename=attached.name)
    path.write_bytes(m.as_bytes(policy=SMTP))
    attached.unlink()
    return path


def wip(book: Path, today: date, *files: Path) -> str:
    """The WIP import as the command runs it; its line on the Issues sheet."""
    result = run(book, ["wip"], Context(today=today, now=datetime.combine(today, datetime.min.time()), files=files,
                                        steps=("wip",)))
    return " ".join(line for o in result.outcomes for line in o.summary if line.startswith("Issues:"))


def issues(book: Path) -> list[dict[str, Any]]:
    ws = openpyxl.load_workbook(book)["Issues"]
    head = [c.value for c in ws[1]]
    return [dict(zip(head, r)) for r in ws.iter_rows(min_row=2, values_only=True) if any(r)]


def note(book: Path, po: str, accept: str | None, notes: str) -> None:
    """The APM's Accept and Notes (the team's own column) on the one unmatched-PO row of ``po``."""
    decide_issue(book, lambda r: r["Code"] == Code.WIP_UNMATCHED and str(r["Key"]).startswith(po), accept, notes)


def unmatched(book: Path) -> dict[str, tuple[Any, ...]]:
    """The unmatched-PO rows by PO: Sheet, Found In, Accept, Notes, Found On."""
    return {str(r["Key"]).split(" / ")[0]: (r["Sheet"], r["Found In"], r["Accept"], r.get("Notes"), r["Found On"])
            for r in issues(book) if r["Code"] == Code.WIP_UNMATCHED}


@pytest.fixture
def season(tmp_path: Path) -> tuple[Path, Path]:
    """Week 1: BD1's and CN1's reports imported; the APM dismisses BD1's sample PO with a note, and notes (no
    decision) a second PO of BD1's."""
    book = write_book(tmp_path / "tracker.xlsx", base_sheets())
    week1 = tmp_path / "week 1"
    week1.mkdir()
    bd1(week1, "2027-02-22", SAMPLE, GONE)
    report(week1, "CN1 WIP 2027-02-22.xlsx", [("4500000002", "S2", "Black"), (CN1_PO, "S2", "Black")])
    wip(book, WEEK1, week1)
    assert set(unmatched(book)) == {SAMPLE, GONE, CN1_PO}
    note(book, SAMPLE, "Dismiss", "sample PO, not ours")
    note(book, GONE, None, "asked BD1")
    return book, tmp_path


@pytest.mark.parametrize("sent", ["file", "e-mail"])
def test_next_weeks_report_keeps_the_dismiss_and_drops_what_it_no_longer_has(season, sent):
    """Week 2: BD1's new report (a file, or attached to its mail) still has the sample PO and no longer the other.
    The sample PO's row is still dismissed, its note kept, named in the new file; the other leaves; CN1's row,
    whose report was not read, stays as it was."""
    book, folder = season
    new = bd1(folder, "2027-03-01", SAMPLE)
    if sent == "e-mail":
        new = mail(folder / "BD1 WIP.eml", new)
    said = wip(book, WEEK2, new)
    rows = unmatched(book)
    assert set(rows) == {SAMPLE, CN1_PO}
    sheet, found_in, accept, notes, found_on = rows[SAMPLE]
    assert (found_in, accept, notes) == (new.name, "Dismiss", "sample PO, not ours")
    assert sheet == new.name if sent == "file" else sheet.startswith(f"{new.name} > ") and "2027-03-01" in sheet
    assert found_on.date() == WEEK1  # the same problem since week 1
    assert rows[CN1_PO][:4] == ("CN1 WIP 2027-02-22.xlsx", "CN1 WIP 2027-02-22.xlsx", None, None)
    assert "1 dismissed and still so" in said
    assert "left as they were (a vendor file this run did not read 1)" in said  # CN1's only: BD1's are checked


def test_last_weeks_rows_do_not_pile_up(season):
    """Three weeks of BD1's reports, each given alone: the sheet holds this week's problems and CN1's, no more."""
    book, folder = season
    wip(book, WEEK2, bd1(folder, "2027-03-01", SAMPLE))
    wip(book, date(2027, 3, 10), bd1(folder, "2027-03-08", SAMPLE))
    rows = unmatched(book)
    assert set(rows) == {SAMPLE, CN1_PO}
    assert rows[SAMPLE][1:4] == ("BD1 WIP 2027-03-08.xlsx", "Dismiss", "sample PO, not ours")
    assert len([r for r in issues(book) if str(r["Found In"]).startswith("BD1")]) == 1


def test_both_weeks_in_the_folder_are_one_row(season):
    """Last week's file left in the folder beside this week's: both are read; the problem both have is one row,
    in the newer file, still dismissed."""
    book, folder = season
    both = folder / "week 1"
    bd1(both, "2027-03-01", SAMPLE)
    said = wip(book, WEEK2, both)
    rows = unmatched(book)
    assert rows[SAMPLE][1:4] == ("BD1 WIP 2027-03-01.xlsx", "Dismiss", "sample PO, not ours")
    assert [r["Found In"] for r in issues(book) if r["Code"] == Code.WIP_UNMATCHED
            and str(r["Key"]).startswith(SAMPLE)] == ["BD1 WIP 2027-03-01.xlsx"]
    assert rows[GONE][1] == "BD1 WIP 2027-02-22.xlsx"  # only last week's file has it, and it was read again
    assert "1 dismissed and still so" in said


def test_an_older_report_does_not_check_a_newer_ones_rows(season):
    """Week 2 imported; then last week's file is given again alone (an old mail opened): the sample PO's row of the
    newer report stays, and is not taken off as if the old file had checked it."""
    book, folder = season
    wip(book, WEEK2, bd1(folder, "2027-03-01"))  # the sample PO is gone from BD1's report this week
    assert set(unmatched(book)) == {CN1_PO}
    bd1(folder, "2027-03-01", "4500006666")
    wip(book, WEEK2, folder / "BD1 WIP 2027-03-01.xlsx")
    wip(book, WEEK2, folder / "week 1" / "BD1 WIP 2027-02-22.xlsx")
    assert "4500006666" in unmatched(book)
