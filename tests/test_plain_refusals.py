"""Files prodbook refuses with a plain message, not "unexpected problem": merged header cells, a DOCTYPE
in a part, XML calamine cannot read. Each through the CLI: exit 2, the cause and what to do named, no
traceback, the workbook byte-identical and nothing else written beside it."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from conftest import base_sheets, damage_compressed_data, digest, sheet_values, write_book
from prodbook.cli import main

DAY = "2027-03-01"
NEXT_DAY = "2027-03-02"
"""The refresh runs the day after the demo's: its T&A forecasts and Issues move, so it has sheets to write."""


def refused(path: Path, *words: str) -> str:
    """Run refresh on ``path``; it must stop with exit 2 and a message holding ``words``, writing nothing."""
    before = digest(path)
    around = sorted(p.name for p in path.parent.iterdir())
    result = CliRunner().invoke(main, ["refresh", str(path), "--today", NEXT_DAY])
    out = result.output
    assert result.exit_code == 2, out
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in out and "unexpected problem" not in out, out
    for word in words:
        assert word in out, f"{word!r} not in:\n{out}"
    assert digest(path) == before, "the workbook changed"
    assert sorted(p.name for p in path.parent.iterdir()) == around, "a file was written beside it"
    return out


def tracker_with_ta(tmp_path: Path, *, tables: bool) -> Path:
    """A tracker whose T&A holds rows (one refresh run), saved as the APM would keep it."""
    path = write_book(tmp_path / "tracker.xlsx", base_sheets(), tables=tables)
    result = CliRunner().invoke(main, ["refresh", str(path), "--today", DAY])
    assert result.exit_code in (0, 1), result.output
    for leftover in ("prodbook backups", "Follow-up drafts"):
        for p in sorted((tmp_path / leftover).rglob("*"), reverse=True):
            p.rmdir() if p.is_dir() else p.unlink()
        (tmp_path / leftover).rmdir()
    return path


# --- merged cells in a header row ---------------------------------------------------------------

@pytest.mark.parametrize("tables", [False, True], ids=["range", "Excel Table"])
@pytest.mark.parametrize("sheet, cells", [("T&A", "H1:I1"), ("T&A", "A1:A2"), ("Issues", "H1:I1"),
                                          ("Orders", "B1:C1")])
def test_merged_header_cells_stop_the_run_naming_sheet_and_cells(tmp_path, tables, sheet, cells):
    path = tracker_with_ta(tmp_path, tables=tables)
    wb = openpyxl.load_workbook(path)
    wb[sheet].merge_cells(cells)  # Excel keeps the first cell's text only, as here
    wb.save(path)
    out = refused(path, f"sheet '{sheet}'", cells, "unmerge", "Nothing was written")
    assert "row 1" in out


def test_a_merged_title_above_the_header_is_harmless(tmp_path):
    sheets = base_sheets()
    sheets["T&A"] = [["SS27 T&A - knits"], *sheets["T&A"]]
    path = write_book(tmp_path / "tracker.xlsx", sheets, tables=False)
    wb = openpyxl.load_workbook(path)
    wb["T&A"].merge_cells("A1:M1")
    wb.save(path)
    result = CliRunner().invoke(main, ["refresh", str(path), "--today", DAY])
    assert result.exit_code in (0, 1) and "Saved" in result.output, result.output
    rows = sheet_values(path, "T&A")
    assert rows[0][0] == "SS27 T&A - knits" and rows[1][:5] == ["PO #", "Style #", "Color", "Vendor", "Code"]
    assert {r[4] for r in rows[2:]} == {"LD", "LD-APP", "CUT", "XF", "DC"}
    assert [r.coord for r in openpyxl.load_workbook(path)["T&A"].merged_cells.ranges] == ["A1:M1"]


# --- a DOCTYPE, or XML no parser of Excel's would take ---------------------------------------------

def edit_part(path: Path, part_of, edit) -> str:
    """Rewrite one zip member of a real .xlsx with ``edit(text)``; returns the member's name."""
    with zipfile.ZipFile(path) as z:
        members = [(i, z.read(i.filename)) for i in z.infolist()]
    name = part_of([i.filename for i, _ in members])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            z.writestr(info, edit(data.decode()).encode() if info.filename == name else data)
    return name


def sheet_part(path: Path, sheet: str) -> str:
    wb = openpyxl.load_workbook(path)
    return f"xl/worksheets/sheet{wb.sheetnames.index(sheet) + 1}.xml"


def with_doctype(doctype: str):
    def edit(text: str) -> str:
        at = text.index("?>") + 2 if text.startswith("<?xml") else 0
        return text[:at] + doctype + text[at:]
    return edit


DOCTYPES = {"plain": "<!DOCTYPE worksheet>",
            "entity": '<!DOCTYPE worksheet [<!ENTITY who "x">]>',
            "external": '<!DOCTYPE worksheet SYSTEM "http://example.com/x.dtd">',
            "after a comment": "\n<!-- saved by a tool -->\n<!DOCTYPE worksheet>"}


@pytest.mark.parametrize("doctype", DOCTYPES.values(), ids=DOCTYPES.keys())
@pytest.mark.parametrize("sheet", ["T&A", "Orders"])
def test_a_doctype_in_a_sheet_is_refused_by_name(tmp_path, doctype, sheet):
    path = tracker_with_ta(tmp_path, tables=True)
    part = edit_part(path, lambda names: sheet_part(path, sheet), with_doctype(doctype))
    refused(path, "for safety", "DOCTYPE", f"sheet '{sheet}'", part, "save it", "Nothing was written")


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/styles.xml", "[Content_Types].xml",
                                  "xl/_rels/workbook.xml.rels", "xl/tables/table1.xml"])
def test_a_doctype_in_any_other_part_is_refused(tmp_path, part):
    path = tracker_with_ta(tmp_path, tables=True)
    edit_part(path, lambda names: part, with_doctype(DOCTYPES["entity"]))
    refused(path, "for safety", "DOCTYPE", part, "Nothing was written")


def test_an_entity_calamine_cannot_read_is_a_plain_message(tmp_path):
    """No DOCTYPE at all, but a cell using an entity nobody declared: the file is damaged."""
    path = tracker_with_ta(tmp_path, tables=True)
    edit_part(path, lambda names: sheet_part(path, "T&A"),
              lambda t: t.replace("</row>", '<c r="Z1" t="inlineStr"><is><t>&who;</t></is></c></row>', 1))
    refused(path, "sheet 'T&A'", "could not be read", "save it", "Nothing was written")


# --- parts missing: a bad sync, a tool that zipped half the package ------------------------------

def drop_part(path: Path, name: str) -> None:
    with zipfile.ZipFile(path) as z:
        members = [(i, z.read(i.filename)) for i in z.infolist() if i.filename != name]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            z.writestr(info, data)


@pytest.mark.parametrize("sheet", ["T&A", "Orders", "Vendors"])
def test_a_sheet_missing_from_the_package_is_named(tmp_path, sheet):
    """The workbook lists the sheet, its part is not in the zip: Excel offers to repair it; prodbook names it
    (before: "unexpected problem", a KeyError from the zip)."""
    path = tracker_with_ta(tmp_path, tables=True)
    part = sheet_part(path, sheet)
    drop_part(path, part)
    refused(path, f"sheet '{sheet}' is missing", part, "damaged", "save it again")


def test_a_damaged_file_neither_writer_can_save_is_a_plain_message(tmp_path):
    """No styles part, yet cells that name styles: the part writer cannot add a date style, and openpyxl (which
    writes the copy then) cannot read the file. Before: "unexpected problem", an IndexError from openpyxl."""
    result = CliRunner().invoke(main, ["demo", str(tmp_path), "--today", DAY])
    assert result.exit_code in (0, 1), result.output
    path = tmp_path / "demo-tracker.xlsx"
    drop_part(path, "xl/styles.xml")
    refused(path, "no styles part", "damaged", "open it in Excel and save it", "Nothing was written")


@pytest.mark.parametrize("sheet", ["T&A", "Orders"])
def test_a_row_numbered_with_a_fraction_is_a_damaged_sheet(tmp_path, sheet):
    """r="2.5": no spreadsheet program writes it (before: "unexpected problem", a ValueError)."""
    path = tracker_with_ta(tmp_path, tables=True)
    edit_part(path, lambda names: sheet_part(path, sheet), lambda t: t.replace('<row r="2"', '<row r="2.5"', 1))
    out = refused(path, f"sheet '{sheet}'", "could not be read", "save it", "Nothing was written")
    assert "number is '2.5'" in out or "Expecting alphanumeric character" in out, out  # ours, or calamine's


def test_a_table_part_broken_in_the_workbook_itself_is_its_damage_not_the_writes(tmp_path):
    """A sheet's Table part cut short (a sync that stopped half-way): the run that must update the Table says
    the workbook is damaged, and writes nothing. Before: "unexpected problem", the written file's check
    failing at that part as if prodbook had broken it."""
    import re

    result = CliRunner().invoke(main, ["demo", str(tmp_path), "--today", DAY])
    assert result.exit_code in (0, 1), result.output
    path = tmp_path / "demo-tracker.xlsx"
    rels = f"xl/worksheets/_rels/{Path(sheet_part(path, 'Issues')).name}.rels"
    with zipfile.ZipFile(path) as z:
        table = "xl/tables/" + re.search(r'Target="[./]*(?:xl/)?tables/([^"]+)"', z.read(rels).decode()).group(1)
    edit_part(path, lambda names: table, lambda t: t[: len(t) // 2])
    out = refused(path, table, "not well-formed", "damaged", "open it in Excel and save it", "Nothing was written")
    assert "failed its check" not in out


ODD_NUMBERS = {"a cell's style": (r'(<c r="A2"[^>]*?\ss=")\d+"', r'\1x"'),
               "a column format's first column": (r'(<col\b[^>]*?\smin=")\d+"', r'\1e"')}


@pytest.mark.parametrize("what", ODD_NUMBERS)
def test_a_number_the_format_says_is_whole_but_is_not_is_a_damaged_sheet(tmp_path, what):
    """s="x" on a cell, min="e" on a column format of the Issues sheet, which the run after the demo's
    writes again: before, "unexpected problem" (a ValueError from int())."""
    import re

    result = CliRunner().invoke(main, ["demo", str(tmp_path), "--today", DAY])
    assert result.exit_code in (0, 1), result.output
    path = tmp_path / "demo-tracker.xlsx"
    pattern, to = ODD_NUMBERS[what]

    def edit(text: str) -> str:
        assert re.search(pattern, text), pattern
        return re.sub(pattern, to, text, count=1)

    edit_part(path, lambda names: sheet_part(path, "Issues"), edit)
    refused(path, what, "not a whole number", "damaged", "Nothing was written")


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/_rels/workbook.xml.rels", "sheet rels"])
def test_a_small_part_cut_short_is_a_damaged_file(tmp_path, part):
    """workbook.xml or a .rels part cut short (the Issues sheet's: the run after the demo's writes that sheet
    again). Before: "could not be read (unclosed token ...)", or for the sheet's rels "unexpected problem"
    (an XML ParseError)."""
    result = CliRunner().invoke(main, ["demo", str(tmp_path), "--today", DAY])
    assert result.exit_code in (0, 1), result.output
    path = tmp_path / "demo-tracker.xlsx"
    if part == "sheet rels":
        part = f"xl/worksheets/_rels/{Path(sheet_part(path, 'Issues')).name}.rels"
    edit_part(path, lambda names: part, lambda t: t[: len(t) // 2])
    refused(path, part, "not well-formed", "damaged", "save it")


@pytest.mark.parametrize("sheet", ["Issues", "Follow-ups", "T&A"])
def test_a_sheet_whose_bytes_do_not_inflate_is_a_damaged_file(tmp_path, sheet):
    """A sheet's compressed bytes damaged (a copy or a sync gone wrong), the zip's directory whole: reading it
    raised zlib.error (or BadZipFile for its CRC), neither an OSError: "unexpected problem"."""
    result = CliRunner().invoke(main, ["demo", str(tmp_path), "--today", DAY])
    assert result.exit_code in (0, 1), result.output
    path = tmp_path / "demo-tracker.xlsx"
    damage_compressed_data(path, sheet_part(path, sheet))
    out = refused(path, f"sheet '{sheet}'", "Excel")
    assert "could not be read" in out or "is damaged" in out, out


def test_a_part_its_zip_directory_says_is_longer_than_the_file_is_left_alone(tmp_path):
    """The zip's directory says the T&A's compressed part runs 4 GB past where the file ends (one byte of
    its size damaged): reading it for the write ended in EOFError, "unexpected problem". Now the part is
    named as damaged; the workbook is left as it was, and the run's result goes to a copy beside it."""
    import struct

    result = CliRunner().invoke(main, ["demo", str(tmp_path), "--today", DAY])
    assert result.exit_code in (0, 1), result.output
    path = tmp_path / "demo-tracker.xlsx"
    part = sheet_part(path, "T&A").encode()
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")  # the central directory's entry of the T&A's part
    while data[at + 46: at + 46 + struct.unpack("<H", data[at + 28: at + 30])[0]] != part:
        at = data.find(b"PK\x01\x02", at + 4)
    data[at + 23] = 0xFF  # the compressed size's high byte
    path.write_bytes(bytes(data))
    before = digest(path)
    result = CliRunner().invoke(main, ["refresh", str(path), "--today", NEXT_DAY])
    out = result.output
    assert "unexpected problem" not in out and "Traceback" not in out, out
    assert f"its part {part.decode()} does not unpack (cut short): the file is damaged" in out, out
    assert digest(path) == before
    assert (tmp_path / "demo-tracker (prodbook).xlsx").exists()


def _zip_damaged(path: Path, how: str) -> None:
    """The zip's end record says its directory starts 4 GB further on (every part's offset then reads as
    before the file's start), or a part's entry asks for a zip version no reader has (23.5), or is flagged
    encrypted or patched."""
    data = bytearray(path.read_bytes())
    first = data.find(b"PK\x01\x02")  # the directory's first entry
    if how == "offsets":
        data[data.rfind(b"PK\x05\x06") + 19] = 0xFF
    elif how == "version":
        data[first + 6] = 235
    else:  # its flags say "encrypted" or "compressed patched data", which no workbook part is
        data[first + 8] |= 0x01 if how == "encrypted" else 0x20
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["offsets", "version", "encrypted", "patched"])
def test_a_zip_directory_damaged_is_a_plain_message(tmp_path, how):
    """Before: "unexpected problem" (an OSError from a seek before the file's start; NotImplementedError;
    RuntimeError for a part flagged encrypted, as the writer copied it)."""
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    _zip_damaged(path, how)
    before = digest(path)
    result = CliRunner().invoke(main, ["refresh", str(path), "--today", NEXT_DAY])
    out = result.output
    assert "unexpected problem" not in out and "Traceback" not in out, out
    assert "could not be read" in out or "damaged" in out, out
    assert digest(path) == before  # refused (exit 2), or left as it was with the result in a copy beside it
    assert result.exit_code == 2 or (tmp_path / "tracker (prodbook).xlsx").exists(), out


@pytest.mark.parametrize("how", ["offsets", "version", "encrypted", "patched"])
def test_a_vendor_file_with_its_zip_directory_damaged_is_named_or_read(tmp_path, how):
    from prodbook.core.findings import Code
    from prodbook.jobs.base import Context
    from prodbook.jobs.runner import run

    book = write_book(tmp_path / "tracker.xlsx", base_sheets())
    vendor = write_book(tmp_path / "BD1 WIP.xlsx", {"WIP": [["PO #", "Style #", "Color", "Cut Qty"],
                                                             ["4500000001", "S1", "Navy", 100]]})
    _zip_damaged(vendor, how)
    result = run(book, ["wip"], Context(today=date(2027, 3, 1), files=(vendor,)))
    assert not [f for f in result.findings if f.code is Code.INTERNAL], [f.text() for f in result.findings]
    named = [f for f in result.findings if f.code is Code.WIP_FILE and f.file == vendor.name]
    assert named or sheet_values(book, "Vendor WIP")[1][:3] == ["4500000001", "S1", "Navy"]  # or read past it


def vendor_report(tmp_path: Path) -> Path:
    """A vendor's WIP report, as it comes in: one sheet of the vendor's own, none of a tracker's."""
    return write_book(tmp_path / "DHK WIP 2026-12-01.xlsx", {"WIP": [
        ["PO No", "Style", "Colour", "Order Qty", "Cut", "Sewn", "Packed", "Revised XF"],
        ["4500000001", "S1", "Navy", 1200, 600, 200, 0, date(2027, 4, 20)]]})


def test_a_vendor_s_report_named_instead_of_the_tracker_is_said_to_be_no_tracker(tmp_path):
    """Before: "sheet 'Styles': the T&A was not rebuilt ... Add it with the headers Style #, Season, ...", as if
    the tracker lacked one sheet; and Check records said "Checked 0 rows ... Nothing to change"."""
    out = refused(vendor_report(tmp_path), "'DHK WIP 2026-12-01.xlsx' is not a production tracker",
                  "Check the file named", "Nothing was written")
    assert "Add it with the headers" not in out, out


def test_a_button_pressed_with_a_vendor_s_report_in_front_says_to_switch_to_the_tracker(tmp_path):
    from fakexl import FakeBook
    from prodbook.excel.ribbon import action, perform

    book = FakeBook.from_file(vendor_report(tmp_path))
    for button in ("pbRefresh", "pbRebuildTA", "pbCheck", "pbUndo"):
        report = perform(action(button), book)
        assert not report.ok and "is not a production tracker" in report.message, report
        assert "switch to your tracker's window (View > Switch Windows)" in report.message, report.message
    assert [s.name for s in book.sheets] == ["WIP"] and not book.sheets["WIP"].writes


def test_a_tracker_with_a_single_sheet_of_prodbook_s_is_one(tmp_path):
    """Lenient: any one of prodbook's sheets (here Closures, a team that only keeps factory closures so far)."""
    path = write_book(tmp_path / "tracker.xlsx", {"Closures": base_sheets()["Closures"]})
    result = CliRunner().invoke(main, ["validate", str(path), "--today", DAY])
    assert "not a production tracker" not in result.output, result.output


@pytest.mark.parametrize("mac", [False, True], ids=["windows", "mac"])
def test_a_button_pressed_on_a_tracker_open_read_only_writes_nothing_and_says_why(tmp_path, mac):
    """Excel opens a shared tracker read-only while a colleague has it open: a run's changes could not be saved
    over it. Before, the button wrote them all the same, and the APM found out at Save; on a Mac (appscript's
    ``read_only``) until 2026-12-05."""
    from fakexl import FakeBook
    from prodbook.excel.ribbon import action, perform

    book = FakeBook.from_file(write_book(tmp_path / "tracker.xlsx", base_sheets()), mac=mac)
    book.api.ReadOnly = True
    report = perform(action("pbRebuildTA"), book)
    assert not report.ok and "'tracker.xlsx' is open read-only in Excel" in report.message, report
    assert "Nothing was written" in report.message and "Traceback" not in report.message
    assert not any(s.writes for s in book.sheets) and "T&A" in [s.name for s in book.sheets]
    book.api.ReadOnly = False  # opened with edit rights: the same button writes
    assert perform(action("pbRebuildTA"), book).ok
    assert book.sheets["T&A"].writes


def test_a_backup_named_instead_of_the_tracker_is_left_as_it_was(tmp_path):
    """A backup opened to look at last week (double-clicked in 'prodbook backups') and refreshed would be a copy
    drifting from the tracker, and no longer the way back. A look with --dry-run is let through."""
    path = tracker_with_ta(tmp_path, tables=True)
    CliRunner().invoke(main, ["refresh", str(path), "--today", NEXT_DAY])  # the day's run, and its backup
    backup = next((tmp_path / "prodbook backups").glob("*.xlsx"))  # not the folder of the run's drafts
    out = refused(backup, "is one of prodbook's backups", "Run prodbook on the tracker itself", "Nothing was written")
    assert "Traceback" not in out
    looked = CliRunner().invoke(main, ["refresh", str(backup), "--today", NEXT_DAY, "--dry-run"])
    assert looked.exit_code in (0, 1) and "backups" not in looked.output.split("\n")[0], looked.output


def test_the_change_log_s_archive_named_instead_of_the_tracker_is_left_as_it_was(tmp_path, monkeypatch):
    """Before, Undo on '<tracker> Change Log to <date>.xlsx' undid nothing in the tracker, said it had, and wrote
    the claim into the archive's log (and made it a T&A sheet)."""
    from datetime import datetime

    from prodbook.jobs.base import Context
    from prodbook.jobs.runner import run
    from test_total_rows import add_order

    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    first = run(path, ["ta"], Context(today=date(2027, 3, 1), now=datetime(2027, 3, 1, 9))).changes
    add_order(path, "4500000003")
    second = run(path, ["ta"], Context(today=date(2027, 3, 8), now=datetime(2027, 3, 8, 9))).changes
    monkeypatch.setattr("prodbook.workbook.tracker.SHEET_ROWS", first + second + 2)  # the next run's rows do not fit
    add_order(path, "4500000004")
    run(path, ["ta"], Context(today=date(2027, 3, 15), now=datetime(2027, 3, 15, 9)))
    archive = next(tmp_path.glob("tracker Change Log to *.xlsx"))
    refused(archive, "holds only a Change Log", "Run prodbook on the tracker itself", "Nothing was written")
    before = digest(archive)
    result = CliRunner().invoke(main, ["undo", str(archive), "--today", NEXT_DAY])
    assert result.exit_code == 2 and "holds only a Change Log" in result.output, result.output
    assert digest(archive) == before


def test_a_button_pressed_in_a_backup_open_in_excel_writes_nothing(tmp_path):
    from fakexl import FakeBook
    from prodbook.excel.ribbon import action, perform

    path = tracker_with_ta(tmp_path, tables=True)
    CliRunner().invoke(main, ["refresh", str(path), "--today", NEXT_DAY])  # the day's run, and its backup
    backup = next((tmp_path / "prodbook backups").glob("*.xlsx"))  # not the folder of the run's drafts
    book = FakeBook.from_file(backup)
    book.fullname = str(backup)  # as Excel names the open file
    report = perform(action("pbRefresh"), book)
    assert not report.ok and "is one of prodbook's backups" in report.message, report
    assert not any(s.writes for s in book.sheets)


def test_a_refusal_with_json_asked_is_json_on_stdout(tmp_path):
    """A script asking --json got nothing on stdout when the run was refused (a missing file): only the
    person's text on stderr."""
    import json

    from click.testing import CliRunner

    from prodbook.cli import main
    result = CliRunner().invoke(main, ["ta", str(tmp_path / "nope.xlsx"), "--json"])
    assert result.exit_code == 2
    said = json.loads(result.stdout)
    assert said["exit_code"] == 2 and "nope.xlsx" in said["error"] and "does not exist" in said["error"]
