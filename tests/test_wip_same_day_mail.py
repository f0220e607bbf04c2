"""One e-mail carrying two reports of one vendor and one report day, beside a report of that day already on the
Vendor WIP sheet: the note "this file reports again lines of ..." named the message's first attachment, whichever
attachment re-sent the lines, so the APM opened the other division's report looking for the correction.

Real .xlsx attachments in a real .eml, imported by the wip command and read back from the tracker.
"""

from __future__ import annotations

from datetime import date, datetime
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

from conftest import base_sheets, sheet_values, write_book
from prodbook.core.findings import Code, Finding
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from test_mail import xlsx_bytes

TODAY = date(2027, 3, 5)
KHAKI = ["4500000002", "S2", "Black", "800", "640", "100", "0", "fabric in"]
SAND = ["4500000003", "S2", "Sand", "500", "300", "0", "0", "cutting"]
OLIVE = ["4500000004", "S2", "Olive", "400", "0", "0", "0", "fabric due"]
XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def ctx(*files: Path) -> Context:
    return Context(today=TODAY, now=datetime(2027, 3, 5, 9, 0), files=tuple(files))


def tracker(tmp_path: Path) -> Path:
    """The base tracker with three PO lines of CN1's style S2."""
    sheets = base_sheets()
    orders = sheets["Orders"]
    orders += [["4500000003", "S2", "Sand", 500, *orders[2][4:]], ["4500000004", "S2", "Olive", 400, *orders[2][4:]]]
    return write_book(tmp_path / "tracker.xlsx", sheets)


def eml(path: Path, *attachments: tuple[str, bytes]) -> Path:
    """CN1's message of 3 March as a mail program saves it: a text body, then the .xlsx attachments."""
    m = EmailMessage()
    m["From"] = "sales@ningbo.example"
    m["To"] = "apm@retailer.example"
    m["Subject"] = "WIP 3 March"
    m["Date"] = "Wed, 03 Mar 2027 10:30:00 +0800"
    m.set_content("Dear team, please find our two WIP reports attached.\nBest regards")
    for name, data in attachments:
        m.add_attachment(data, maintype=XLSX[0], subtype=XLSX[1], filename=name)
    path.write_bytes(m.as_bytes(policy=SMTP))
    return path


def sources(book: Path) -> dict[str, str]:
    """PO -> Source File of the Vendor WIP sheet's rows."""
    rows = sheet_values(book, "Vendor WIP")
    return {str(r[rows[0].index("PO #")]): r[rows[0].index("Source File")] for r in rows[1:] if r[0]}


def same_day(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.code is Code.WIP_DUPLICATE and "on the Vendor WIP sheet" in f.message]


def test_the_attachment_that_sends_lines_again_is_the_one_the_note_names(tmp_path):
    book = tracker(tmp_path)
    first = tmp_path / "CN1 WIP 2027-03-03.xlsx"
    first.write_bytes(xlsx_bytes(KHAKI, SAND))
    run(book, ["wip"], ctx(first))
    assert set(sources(book)) == {"4500000002", "4500000003"}
    # the other division's report first, then the corrected report (under a new name) of the file above
    msg = eml(tmp_path / "WIP 3 March.eml", ("Division B.xlsx", xlsx_bytes(OLIVE)),
              ("Corrected.xlsx", xlsx_bytes([*KHAKI[:4], "700", "200", "0", "corrected"])))
    result = run(book, ["wip"], ctx(msg))
    corrected = "WIP 3 March.eml > attachment 'Corrected.xlsx'"
    assert sources(book) == {"4500000002": corrected, "4500000003": "CN1 WIP 2027-03-03.xlsx",  # a partial update
                             "4500000004": "WIP 3 March.eml > attachment 'Division B.xlsx'"}
    notes = same_day(result.findings)
    assert [(f.file, f.found_in) for f in notes] == [(corrected, "WIP 3 March.eml")], [f.text() for f in notes]
    assert notes[0].message.startswith("this file reports again 1 of the 2 lines of 'CN1 WIP 2027-03-03.xlsx'")
    assert "its other 1 line(s), which this file does not list, were kept" in notes[0].message
    summary = result.outcomes[0].summary
    assert any(line.startswith(f"  {corrected}: this file reports again") for line in summary), summary
    assert not any("Division B.xlsx': this file reports again" in line for line in summary), summary


def test_two_attachments_sharing_the_lines_of_one_report_are_both_named_and_the_other_division_is_not(tmp_path):
    """The earlier report's lines split over two attachments of the message: one note, on the first of them,
    naming the second; the counts are the whole report's."""
    book = tracker(tmp_path)
    first = tmp_path / "CN1 WIP 2027-03-03.xlsx"
    first.write_bytes(xlsx_bytes(KHAKI, SAND))
    run(book, ["wip"], ctx(first))
    msg = eml(tmp_path / "WIP 3 March.eml", ("Division B.xlsx", xlsx_bytes(OLIVE)),
              ("Black.xlsx", xlsx_bytes([*KHAKI[:4], "700", "200", "0", "corrected"])),
              ("Sand.xlsx", xlsx_bytes([*SAND[:4], "350", "10", "0", "sewing"])))
    result = run(book, ["wip"], ctx(msg))
    notes = same_day(result.findings)
    assert [f.file for f in notes] == ["WIP 3 March.eml > attachment 'Black.xlsx'"], [f.text() for f in notes]
    assert notes[0].message.startswith("this file and 'WIP 3 March.eml > attachment 'Sand.xlsx'' report again "
                                       "lines of 'CN1 WIP 2027-03-03.xlsx'")
    assert "so they replaced that report: 2 line(s) updated, 0 that none of them lists removed" in notes[0].message


def test_a_report_of_the_day_sharing_no_line_is_kept_beside_the_messages_reports(tmp_path):
    """Nothing re-sent: the earlier report's lines stay, and the note says so (on the message's first report)."""
    book = tracker(tmp_path)
    first = tmp_path / "CN1 WIP 2027-03-03.xlsx"
    first.write_bytes(xlsx_bytes(KHAKI))
    run(book, ["wip"], ctx(first))
    msg = eml(tmp_path / "WIP 3 March.eml", ("Division B.xlsx", xlsx_bytes(OLIVE)),
              ("Division C.xlsx", xlsx_bytes(SAND)))
    result = run(book, ["wip"], ctx(msg))
    assert set(sources(book)) == {"4500000002", "4500000003", "4500000004"}
    notes = same_day(result.findings)
    assert [f.file for f in notes] == ["WIP 3 March.eml > attachment 'Division B.xlsx'"], [f.text() for f in notes]
    assert "shares no PO line with this file: its 1 line(s) were kept" in notes[0].message
