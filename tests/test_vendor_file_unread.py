"""A vendor file given to a run that the run could not read (cut short in the mail, its columns not understood)
is not a file the run read: the Issues rows found in it before stay, the APM's Dismiss and Notes with them, and
the next good copy finds them still decided (audit 192, M2: they were taken off as resolved, '1 dismissed', and
came back undecided the day after). The file that could not be read is said once, not a second time by the
record check under vendor-style-unknown."""

from __future__ import annotations

from datetime import date, datetime
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import base_sheets, write_book
from prodbook.core.findings import Code
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run

TODAY = date(2027, 3, 3)
WIP_HEADER = ("PO #", "Style #", "Color", "Order Qty", "Cut Qty", "Sewn Qty", "Packed Qty", "Planned XF")
REPORT = "BD1 WIP 2027-03-01.xlsx"


def wip_report(folder: Path, header: tuple[str, ...] = WIP_HEADER) -> Path:
    """BD1's report: one line of the tracker's, one of a PO not on Orders (wip-unmatched, at row 3)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(header))
    ws.append(["4500000001", "S1", "Navy", 1200, 1150, 800, 300, date(2027, 4, 15)])
    ws.append(["4500009999", "S1", "Navy", 100, 0, 0, 0, date(2027, 4, 15)])
    path = folder / REPORT
    wb.save(path)
    return path


def costing(folder: Path) -> Path:
    """A vendor's costing sheet naming style S9, which the tracker does not have (vendor-style-unknown)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Style #", "FOB (USD)", "Fiber Content"])
    ws.append(["S9", 5, "100% Cotton"])
    path = folder / "BD1 costing.xlsx"
    wb.save(path)
    return path


def message(path: Path, attached: bytes) -> Path:
    """BD1's mail with the report attached, as a mail program saves it."""
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "merch@dhaka-knit.example", "apm@retailer.example", "WIP this week"
    m["Date"] = "Mon, 01 Mar 2027 09:30:00 +0600"
    m.set_content("Please find our WIP attached.")
    m.add_attachment(attached, maintype="application", subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     filename=REPORT)
    path.write_bytes(m.as_bytes(policy=SMTP))
    return path


def cut_short(path: Path) -> bytes:
    """The file as a mail cut short leaves it: its first half. Returns the whole file, to put back."""
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    return whole


def refresh(book: Path, steps: tuple[str, ...], *files: Path) -> list[str]:
    """A run of ``steps`` as the command runs them; its line on the Issues sheet."""
    result = run(book, list(steps), Context(today=TODAY, now=datetime(2027, 3, 3, 9), files=files, steps=steps))
    return [line for o in result.outcomes for line in o.summary if line.startswith("Issues:")]


def issues(book: Path) -> list[dict[str, Any]]:
    ws = openpyxl.load_workbook(book)["Issues"]
    head = [c.value for c in ws[1]]
    return [dict(zip(head, r)) for r in ws.iter_rows(min_row=2, values_only=True) if any(r)]


def dismiss(book: Path, code: str, notes: str) -> None:
    """Dismiss, with a note in the team's own Notes column, the one Issues row of ``code``."""
    wb = openpyxl.load_workbook(book)
    ws = wb["Issues"]
    head = [c.value for c in ws[1]]
    ws.cell(1, len(head) + 1, "Notes")
    rows = [r for r in range(2, ws.max_row + 1) if ws.cell(r, head.index("Code") + 1).value == code]
    assert len(rows) == 1, rows
    ws.cell(rows[0], head.index("Accept") + 1, "Dismiss")
    ws.cell(rows[0], len(head) + 1, notes)
    wb.save(book)


def decided(book: Path, code: str) -> list[tuple[Any, Any, Any]]:
    return [(r["Found In"], r["Accept"], r["Notes"]) for r in issues(book) if r["Code"] == code]


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return write_book(tmp_path / "tracker.xlsx", base_sheets())


@pytest.mark.parametrize("damage", ["cut short", "columns not understood"])
def test_a_report_not_read_keeps_its_dismissed_rows(tmp_path, book, damage):
    """The APM dismissed BD1's 'PO not on Orders' row. The next import is given the same report cut short, or with
    a header the import cannot read (two columns read as PO #): the row stays dismissed, its note with it, and is
    still so when the good report comes again."""
    folder = tmp_path / "WIP"
    folder.mkdir()
    report = wip_report(folder)
    refresh(book, ("wip",), folder)
    dismiss(book, Code.WIP_UNMATCHED, "sample PO, not ours")
    if damage == "cut short":
        good = cut_short(report)
        unread = Code.WIP_FILE
    else:
        good = report.read_bytes()
        wip_report(folder, ("PO #", "Style #", "Color", "PO No.", *WIP_HEADER[4:]))
        unread = Code.WIP_HEADER
    said = " ".join(refresh(book, ("wip",), folder))
    assert decided(book, Code.WIP_UNMATCHED) == [(REPORT, "Dismiss", "sample PO, not ours")]
    assert "a vendor file this run did not read" in said
    assert "1 dismissed" not in said and "found again" not in said  # neither closed nor back
    assert "1 newly dismissed" in said  # the sentence dismissed kept in Dismissed As, though the file was not read
    assert [r["Found In"] for r in issues(book) if r["Code"] == unread] == [REPORT]  # named, and where
    report.write_bytes(good)
    said = " ".join(refresh(book, ("wip",), folder))
    assert decided(book, Code.WIP_UNMATCHED) == [(REPORT, "Dismiss", "sample PO, not ours")]
    assert "1 dismissed and still so" in said
    assert not [r for r in issues(book) if r["Code"] == unread]  # read again: the file's own row is resolved


def test_a_message_whose_report_cannot_be_read_keeps_its_dismissed_rows(tmp_path, book):
    """The same with the report attached to the vendor's saved mail: the rows found in the message stay decided
    while its attachment cannot be read."""
    report = wip_report(tmp_path)
    good = report.read_bytes()
    mail = message(tmp_path / "BD1 WIP.eml", good)
    refresh(book, ("wip",), mail)
    dismiss(book, Code.WIP_UNMATCHED, "sample PO, not ours")
    message(mail, good[: len(good) // 2])
    refresh(book, ("wip",), mail)
    assert decided(book, Code.WIP_UNMATCHED) == [("BD1 WIP.eml", "Dismiss", "sample PO, not ours")]
    message(mail, good)
    assert "1 dismissed and still so" in " ".join(refresh(book, ("wip",), mail))
    assert decided(book, Code.WIP_UNMATCHED) == [("BD1 WIP.eml", "Dismiss", "sample PO, not ours")]


def test_a_costing_sheet_that_cannot_be_opened_keeps_its_dismissed_rows(tmp_path, book):
    """Check records given the vendor's costing sheet alone (``validate FILES``): style S9 dismissed; the next day
    the sheet is cut short and cannot be opened. The row stays dismissed."""
    sheet = costing(tmp_path)
    refresh(book, ("validate",), sheet)
    dismiss(book, Code.DIFF_STYLE, "S9 is their sample style")
    good = cut_short(sheet)
    refresh(book, ("validate",), sheet)
    assert ("BD1 costing.xlsx", "Dismiss", "S9 is their sample style") in decided(book, Code.DIFF_STYLE)
    sheet.write_bytes(good)
    said = " ".join(refresh(book, ("validate",), sheet))
    assert decided(book, Code.DIFF_STYLE) == [("BD1 costing.xlsx", "Dismiss", "S9 is their sample style")]
    assert "1 dismissed and still so" in said


def test_a_report_that_cannot_be_read_is_said_once(tmp_path, book):
    """A refresh reads the files twice (the WIP import, then the record check for costing sheets): a report cut
    short is one row on the Issues sheet, the import's error, not also a vendor-style-unknown warning in the same
    words."""
    folder = tmp_path / "WIP"
    folder.mkdir()
    cut_short(wip_report(folder))
    refresh(book, ("wip", "validate"), folder)
    about = [(r["Code"], r["Found In"]) for r in issues(book) if REPORT in str(r["Problem"])]
    assert about == [(Code.WIP_FILE, REPORT)]
