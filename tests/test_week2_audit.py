"""Second week-in-the-life audit (/tmp/audit_week2): what it found, on real workbooks written and read back.

Each run goes through ``prodbook.jobs.runner.run`` on an .xlsx built with openpyxl; the result is read back with
openpyxl.
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import openpyxl

from conftest import base_sheets, digest, sheet_values, write_book
from prodbook.core.findings import Code
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run

JOBS = ["wip", "ta", "validate"]


def ctx(today: date, *files: Path) -> Context:
    return Context(today=today, now=datetime(today.year, today.month, today.day, 9, 0), files=tuple(files))


def wip_csv(folder: Path, name: str, xf: str) -> Path:
    """Ningbo Garments' weekly WIP report (CN1) for PO 4500000002 / S2 / Black, its ex-factory date ``xf``."""
    rows = [["Ningbo Garments weekly WIP"], [],
            ["PO No.", "Style", "Colour", "Order Qty", "Cut", "Sewn", "Packed", "Fabric", "XF Date",
             "Revised ETD", "Mode", "Booking", "Comments"],
            ["4500000002", "S2", "Black", "800", "0", "0", "0", "Received", xf, "", "Sea", "", ""]]
    path = folder / name
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def issues(path: Path) -> list[dict]:
    rows = sheet_values(path, "Issues")
    return [dict(zip(rows[0], r)) for r in rows[1:] if any(v is not None for v in r)]


def test_the_run_that_imports_a_wip_report_compares_that_report_with_orders(tmp_path):
    """Found on Friday: the refresh that imported the new report compared the report before it with Orders (the
    WIP step's rows were not what the record check read), so a new ex-factory date from the vendor went
    unsaid that day, the Issues sheet named the old report's row, and the next run, with nothing new, wrote
    the file to say it."""
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    run(path, JOBS, ctx(date(2027, 3, 2), wip_csv(tmp_path, "CN1_wip_20270302.csv", "04/30/2027")))
    new = wip_csv(tmp_path, "CN1_wip_20270309.csv", "05/14/2027")  # the vendor moves the ex-factory
    result = run(path, JOBS, ctx(date(2027, 3, 9), new))
    said = [f for f in result.findings if f.code is Code.DIFF_XF]
    assert len(said) == 1 and "2027-05-14" in said[0].message
    wip = sheet_values(path, "Vendor WIP")
    row = next(n for n, r in enumerate(wip, start=1) if r[0] == "4500000002" and "20270309" in str(r[-1]))
    assert f"Vendor WIP row {row}, CN1_wip_20270309.csv" in said[0].message
    (issue,) = [r for r in issues(path) if r["Code"] == "vendor-ex-factory-differs"]
    assert f"row {row}, CN1_wip_20270309.csv" in issue["Problem"]
    before = digest(path)
    again = run(path, JOBS, ctx(date(2027, 3, 9), new))  # nothing new: nothing to write
    assert again.commit.written is None and digest(path) == before


EXCEPTIONS = ["ID", "Detected", "PO #", "Style #", "Color", "Vendor", "Rule", "Severity", "Detail", "Status", "Owner",
              "Resolution"]


def followups(path: Path) -> list[dict]:
    rows = sheet_values(path, "Follow-ups")
    return [dict(zip(rows[0], r)) for r in rows[1:] if any(v is not None for v in r)]


def test_a_row_the_apm_adds_to_exceptions_with_a_po_alone_is_chased_with_its_vendor(tmp_path):
    """Found on Wednesday: a row added to Exceptions by hand with the PO # and no Vendor (the vendor is the
    PO's: why type it) got its ID and stayed open, but no follow-up asked about it, and nothing said why."""
    sheets = base_sheets()
    sheets["Exceptions"] = [EXCEPTIONS,
                            [None, None, "4500000001", None, None, None, "Carton marks",
                             None, "Carton marks on the PP sample are wrong", None, None, None]]
    path = write_book(tmp_path / "tracker.xlsx", sheets)
    day = ctx(date(2027, 3, 1))
    run(path, ["ta", "exceptions", "followups"], day)
    rows = sheet_values(path, "Exceptions")
    (hand,) = [dict(zip(rows[0], r)) for r in rows[1:] if r[6] == "Carton marks"]
    assert hand["ID"] and hand["Vendor"] is None  # the sheet keeps the row as typed
    (item,) = [r for r in followups(path) if str(r["Item"]).startswith("Carton marks")]
    assert (item["Vendor"], item["Item"], item["Ref"]) == ("BD1", f"Carton marks ({hand['ID']})", "4500000001")
    assert "Carton marks on the PP sample are wrong" in item["Detail"]


def archive_notes(path: Path) -> list[str]:
    return [r["Problem"] for r in issues(path) if r["Code"] in ("rows-archived", "rows-restored")]


def test_undo_of_a_run_that_archived_rows_takes_its_note_off_the_issues_sheet(tmp_path):
    """Found on Thursday: undo put the cancelled line's rows back on the T&A, but the Issues sheet still said
    '5 T&A row(s) moved to 'T&A Archive''; typing the line back on Orders, the next run had nothing to change,
    so the note stayed, false, until some run wrote for something else."""
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    day = ctx(date(2027, 3, 1))
    run(path, ["ta"], day)
    before = sheet_values(path, "T&A")
    wb = openpyxl.load_workbook(path)
    line = [c.value for c in wb["Orders"][2]]
    wb["Orders"].delete_rows(2)  # 4500000001 leaves (by mistake)
    wb.save(path)
    run(path, ["ta"], day)
    assert any("moved to 'T&A Archive'" in n for n in archive_notes(path))
    run(path, ["undo"], day)
    assert sheet_values(path, "T&A") == before
    assert archive_notes(path) == []
    wb = openpyxl.load_workbook(path)
    wb["Orders"].insert_rows(2)
    for col, v in enumerate(line, start=1):
        wb["Orders"].cell(row=2, column=col, value=v)
    wb.save(path)
    run(path, ["ta"], day)  # the line typed back: it checks again the rows the undo marked as the undone run's
    assert archive_notes(path) == [] and not [r for r in issues(path) if r["Problem"].startswith("[From the run")]
    again = run(path, ["ta"], day)  # the T&A already holds the line, and the Issues sheet says so
    assert again.commit.written is None and archive_notes(path) == []


def test_undo_of_a_run_that_took_rows_back_takes_its_note_off_the_issues_sheet(tmp_path):
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    day = ctx(date(2027, 3, 1))
    run(path, ["ta"], day)
    wb = openpyxl.load_workbook(path)
    line = [c.value for c in wb["Orders"][2]]
    wb["Orders"].delete_rows(2)
    wb.save(path)
    run(path, ["ta"], day)
    wb = openpyxl.load_workbook(path)
    wb["Orders"].insert_rows(2)
    for col, v in enumerate(line, start=1):
        wb["Orders"].cell(row=2, column=col, value=v)
    wb.save(path)
    run(path, ["ta"], day)  # the line back: its rows taken back from the archive
    assert any("taken back from 'T&A Archive'" in n for n in archive_notes(path))
    run(path, ["undo"], day)
    assert not any("taken back" in n for n in archive_notes(path))


def test_undo_gives_back_a_hand_exceptions_po_as_typed_not_as_a_link(tmp_path):
    """Found on Wednesday: the undo of the run that numbered a row the APM added took its ID and Detected back
    to blank, but its PO #, typed as text, stayed the link the run had made of it: the one cell of the
    workbook not given back as it was."""
    sheets = base_sheets()
    sheets["Exceptions"] = [EXCEPTIONS,
                            [None, None, "4500000001", "S1", "Navy", "BD1", "Hangtag artwork", None,
                             "Hangtag artwork not approved", None, None, None]]
    path = write_book(tmp_path / "tracker.xlsx", sheets)
    day = ctx(date(2027, 3, 1))
    run(path, ["ta"], day)
    before = sheet_values(path, "Exceptions")
    run(path, ["exceptions"], day)
    numbered = sheet_values(path, "Exceptions")
    assert numbered[1][0] and str(numbered[1][2]).startswith("=HYPERLINK(")  # numbered, and its PO # a link
    run(path, ["undo"], day)
    assert sheet_values(path, "Exceptions") == before
    run(path, ["exceptions"], day)  # the next run numbers and links it again
    assert str(sheet_values(path, "Exceptions")[1][2]).startswith("=HYPERLINK(")


def test_a_dry_run_of_a_workbook_open_in_excel_says_the_run_itself_will_stop(tmp_path):
    """Found on Monday: 'prodbook refresh --dry-run' with the workbook open in Excel said 'Dry run: 1,265
    value(s) would change; nothing was written.', and the run itself then stopped on the open workbook."""
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    name = "Ann Lee"  # Office's owner file: the name in ANSI padded to 54 bytes, then in UTF-16
    (tmp_path / "~$tracker.xlsx").write_bytes(bytes([len(name)]) + name.encode().ljust(53, b" ")
                                              + len(name).to_bytes(2, "little") + name.encode("utf-16-le"))
    result = run(path, ["ta"], Context(today=date(2027, 3, 1), now=datetime(2027, 3, 1, 9), dry_run=True))
    said = [f.message for f in result.findings if f.code is Code.NOT_WRITABLE]
    assert said and "the run itself will write nothing" in said[0]
    assert "'tracker.xlsx' is open in Excel" in said[0] and "Ann Lee" in said[0]
