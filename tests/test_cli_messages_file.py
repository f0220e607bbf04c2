"""What the APM reads in the terminal names the file: a tracker's finding names the tracker, a vendor file's
finding names that vendor file (one refresh reads several); a "Nothing to change" run on a workbook open in
Excel says so in --json too, with the words the other messages about an open file use."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
from click.testing import CliRunner

from conftest import base_sheets, write_book
from prodbook.cli import main
from test_unicode_keys import vendor_file

DAY = "2027-03-01"


def _tracker(folder: Path) -> Path:
    sheets = base_sheets()
    sheets["Orders"][2][5] = "TBC"  # PO 4500000002's Ex-Factory: row 3 of Orders
    return write_book(folder / "tracker.xlsx", sheets)


def _costing(folder: Path, name: str) -> Path:
    """A vendor's costing workbook whose sheet is not named after the file: 'abc' in S1's FOB, row 2."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Costing"
    ws.append(["Style #", "Description", "FOB (USD)", "Fiber Content", "COO"])
    ws.append(["S1", "Crew tee", "abc", "100% Cotton", "Bangladesh"])
    ws.append(["S2", "Chino", 9.5, "100% Cotton", "China"])
    wb.save(folder / name)
    return folder / name


def _lines(out: str, start: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith(start)]


def test_each_finding_line_of_a_refresh_names_its_file(tmp_path: Path) -> None:
    """Before, a tracker finding read "ERROR sheet 'Orders', row 3, ..." and the costing file's read
    "ERROR sheet 'Costing', row 2, ...": which workbook, of the three the run read, was not said."""
    book = _tracker(tmp_path)
    wip = vendor_file(tmp_path, "BD1 WIP.xlsx", [["4500000001", "S1", "Navy", 1200, 1150, 800, 300],
                                                ["4500000099", "S1", "Navy", 10, 0, 0, 0]])
    costing = _costing(tmp_path, "CN1 costing.xlsx")
    done = CliRunner().invoke(main, ["refresh", str(book), str(wip), str(costing), "--today", DAY, "--dry-run"])
    assert done.exit_code == 1, done.output
    out = done.stdout
    assert ("WARNING file 'tracker.xlsx' > sheet 'Orders', row 3, column 'Ex-Factory': PO 4500000002 has 'TBC' in "
            "its 'Ex-Factory' cell, not a date yet" in out), out
    assert ("ERROR file 'CN1 costing.xlsx' > sheet 'Costing', row 2, column 'FOB (USD)': 'abc' is not a number"
            in out), out
    assert "WARNING file 'BD1 WIP.xlsx', row 5, column 'PO #': PO 4500000099 is not on the Orders sheet" in out
    said = _lines(out, "ERROR ") + _lines(out, "WARNING ")
    assert said and all(line.split(" ", 1)[1].startswith("file '") for line in said), said

    # --json keeps its shape: each finding names its file and sheet in their own fields, as before
    as_json = CliRunner().invoke(main, ["refresh", str(book), str(wip), str(costing), "--today", DAY,
                                        "--dry-run", "--json"])
    findings = json.loads(as_json.stdout)["findings"]
    fob = next(f for f in findings if f["code"] == "bad-number")
    assert (fob["file"], fob["sheet"], fob["row"], fob["column"]) == ("CN1 costing.xlsx", "Costing", 2, "FOB (USD)")
    assert {"code", "severity", "message", "file", "sheet", "row", "column", "key", "value"} <= set(fob)


def test_a_refusal_about_a_sheet_names_the_workbook(tmp_path: Path) -> None:
    """A refusal is an error too: "prodbook: ERROR: file 'tracker.xlsx' > sheet 'Orders': ..."."""
    sheets = base_sheets()
    del sheets["Orders"]
    book = write_book(tmp_path / "tracker.xlsx", sheets)
    done = CliRunner().invoke(main, ["exceptions", str(book), "--today", DAY])
    assert done.exit_code == 2, done.output
    assert ("prodbook: ERROR: file 'tracker.xlsx' > sheet 'Orders': the exceptions were not checked"
            in " ".join(done.stderr.split())), done.stderr


def test_nothing_to_change_on_a_workbook_open_in_excel_says_so_in_json_too(tmp_path: Path) -> None:
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    first = CliRunner().invoke(main, ["ta", str(path), "--today", DAY])
    assert "Saved 'tracker.xlsx'" in first.stdout, first.output
    (tmp_path / "~$tracker.xlsx").write_bytes(bytes([3]) + b"Ana".ljust(53) + bytes(111))  # Excel's owner file

    screen = CliRunner().invoke(main, ["ta", str(path), "--today", DAY])
    last = screen.stdout.splitlines()[-1]
    assert last.startswith("Nothing to change. Note: 'tracker.xlsx' is open in Excel (or another program), by Ana;")

    again = CliRunner().invoke(main, ["ta", str(path), "--today", DAY, "--json"])
    said = json.loads(again.stdout)
    assert said["written"] is None and said["exit_code"] == again.exit_code == screen.exit_code, again.output
    notes = [f for f in said["findings"] if f["code"] == "workbook-not-writable"]
    assert len(notes) == 1, said["findings"]
    note = notes[0]
    assert note["severity"] == "info" and note["file"] == "tracker.xlsx"
    assert note["message"] == last.removeprefix("Nothing to change. Note: ")  # the very words on the screen
    assert set(note) == {"code", "severity", "message", "file", "sheet", "row", "column", "key", "value", "fix",
                         "found_in"}  # the shape of every finding in --json

    (tmp_path / "~$tracker.xlsx").unlink()  # closed: no note
    closed = json.loads(CliRunner().invoke(main, ["ta", str(path), "--today", DAY, "--json"]).stdout)
    assert not [f for f in closed["findings"] if f["code"] == "workbook-not-writable"], closed["findings"]


def test_every_message_says_open_in_excel_by_whom_in_the_same_words(tmp_path: Path) -> None:
    """One phrase for the tracker (refused write), a report beside it (left as it was) and the note of a run
    with nothing to change."""
    from prodbook.workbook import filebook, publish

    lock = tmp_path / "~$card.xlsx"
    lock.write_bytes(bytes([4]) + b"Jane".ljust(53) + bytes(111))
    said = "'card.xlsx' is open in Excel (or another program), by Jane"
    assert filebook.open_in_excel("card.xlsx", lock) == said
    assert filebook.locked_message("card.xlsx", lock).startswith(said + ": its lock file '~$card.xlsx'")
    assert publish.open_elsewhere(tmp_path / "card.xlsx", lock).startswith(said + ": its lock file '~$card.xlsx'")


def test_where_with_file_names_the_file_once() -> None:
    """The place as the terminal says it: the file in front of a sheet, never twice."""
    from prodbook.core.findings import Code, Finding, Severity

    def at(**where: Any) -> str:
        return Finding(Code.BAD_VALUE, Severity.ERROR, "check it", **where).where_with_file

    assert at(file="t.xlsx", sheet="Orders", row=3, column="Qty") == \
        "file 't.xlsx' > sheet 'Orders', row 3, column 'Qty'"
    assert at(file="v.xlsx", sheet="v.xlsx", row=5) == "file 'v.xlsx', row 5"  # a vendor file, as before
    assert at(file="v.xlsx", sheet="v.xlsx > sheet 'Knit'", row=2) == "file 'v.xlsx' > sheet 'Knit', row 2"
    assert at(file="cost SS27.csv", sheet="cost SS27", row=4, column="FOB") == \
        "file 'cost SS27.csv', row 4, column 'FOB'"
    assert at(file="t.xlsx") == "file 't.xlsx'" and at(sheet="Orders", row=3) == "sheet 'Orders', row 3"


def test_a_folder_typed_for_the_workbook_names_the_workbooks_in_it(tmp_path):
    """The APM dragged the tracker's folder, not the file: the message names the workbooks there to give."""
    _tracker(tmp_path)
    (tmp_path / "~$tracker.xlsx").write_bytes(b"lock")  # Excel's lock file is not a workbook
    (tmp_path / "notes.txt").write_text("x")
    got = CliRunner().invoke(main, ["ta", str(tmp_path), "--today", DAY])
    assert got.exit_code == 2
    assert f"'{tmp_path}' is a folder, not a workbook" in got.output
    assert f"such as '{tmp_path / 'tracker.xlsx'}'" in " ".join(got.output.split())
    assert "~$" not in got.output and "notes.txt" not in got.output
    empty = tmp_path / "empty"
    empty.mkdir()
    got = CliRunner().invoke(main, ["ta", str(empty), "--today", DAY])
    assert got.exit_code == 2 and "holds no .xlsx or .xlsm workbook" in " ".join(got.output.split())


def test_a_file_typed_where_a_folder_goes_says_a_folder_is_wanted(tmp_path):
    """Follow-ups --out takes the drafts' folder; the tracker's own name given there is refused plainly."""
    book = _tracker(tmp_path)
    got = CliRunner().invoke(main, ["followups", str(book), "--out", str(book), "--today", DAY])
    assert got.exit_code == 2
    said = " ".join(got.output.split())
    assert f"'{book}' is a file; this takes a folder" in said and "Directory" not in said
