"""Vendor WIP import on real messy files built here: xlsx with title rows and merged headers, CSVs in
other encodings, matched to the Orders sheet and written to the Vendor WIP sheet."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from conftest import assert_finding, base_sheets, damage_compressed_data, digest, handles_on, sheet_values, write_book
from prodbook.core import keys, wip
from prodbook.core.cells import CellError
from prodbook.core.config import Config
from prodbook.core.findings import Code, UserError
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from prodbook.workbook import vendor_files

TODAY = date(2027, 3, 3)
HEADER = ["PO #", "Style #", "Color", "Vendor", "Order Qty", "Cut Qty", "Sewn Qty", "Packed Qty",
          "Fabric Status", "Planned XF", "Revised XF", "Ship Mode", "Booking Status", "Remarks",
          "Report Date", "Source File"]


def ctx(*files: Path, today: date = TODAY, now: datetime = datetime(2027, 3, 3, 9, 0)) -> Context:
    return Context(today=today, now=now, files=tuple(files))


def tracker_with_lines(tmp_path: Path, config: list[list] | None = None) -> Path:
    sheets = base_sheets()
    sheets["Orders"] += [
        ["4500000001", "S1", "Heather Grey", 600, date(2027, 1, 4), date(2027, 4, 15), date(2027, 5, 10),
         date(2027, 5, 20)],
        ["4500000003", "S1", "Light Blue", 500, date(2027, 1, 4), date(2027, 4, 20), date(2027, 5, 15),
         date(2027, 5, 25)],
        ["4500000003", "S1", "Dark Blue", 500, date(2027, 1, 4), date(2027, 4, 20), date(2027, 5, 15),
         date(2027, 5, 25)],
    ]
    sheets["Config"] = [["Setting", "Value"], ["WIP Vendor: dhaka*", "BD1"], *(config or [])]
    return write_book(tmp_path / "tracker.xlsx", sheets)


def dhaka_xlsx(folder: Path, *, cut: str = "1,150", report: str = "WIP report as of 01-Mar-2027",
               name: str = "Dhaka Knit weekly.xlsx") -> Path:
    """Title rows, a two-row merged header, a PO merged over its colours, text numbers, subtotals."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "WIP"
    ws["A1"] = "DHAKA KNIT LTD - PRODUCTION WIP"
    ws.merge_cells("A1:M1")
    ws["A2"] = report
    ws.append([])
    ws.append(["PO No.", "Style No", "Colour", "Quantity", None, None, None, "Fabric", "XF Date",
               "Revised ETD", "Mode", "Booking", "Remarks"])
    ws.merge_cells("D4:G4")
    ws.append([None, None, None, "Order", "Cut", "Sewing Output", "Packed"])
    ws.append(["4500000001", "S1", "NAVY", "1,200", cut, 800, "300 pcs", "In-house", "15-Apr-27",
               "20-Apr-27", "Sea", "Pending", '=HYPERLINK("http://x","photo")'])
    ws.append([None, "S1", "Hthr Gray", 600, "600", 450, 0, "In-house", date(2027, 4, 15), None, "Sea",
               "Confirmed", "+1 day"])
    ws.merge_cells("A6:A7")
    ws["M6"].data_type = "s"  # text the vendor typed, not a formula
    ws.append(["Subtotal", None, None, "1,800", "1,750", "1,250", "300"])
    ws.append([])
    ws.append(["0004500000003", "S-1", "Blue", 500, 0, 0, 0, "Pending", "20-Apr-27"])
    ws.append(["4500009999", "S1", "Navy", 100, 0, 0, 0])
    ws.append(["Grand Total", None, None, "2,400"])
    ws.append(["Prepared by: Rahim"])
    path = folder / name
    wb.save(path)
    return path


def cn_csv(folder: Path, encoding: str = "cp1252", name: str = "CN1_wip_20270302.csv", *,
           remarks: str = "Café to confirm; -5% cut", line_end: str = "\r\n") -> Path:
    rows = [["Ningbo Garments weekly WIP"], [],
            ["PO No.", "Style", "Colour", "Order Qty", "CUTTING PCS", "Sewn", "Packed", "Fabric",
             "XF Date", "Revised ETD", "Mode", "Booking", "Comments"],
            ["4500000002", "s2", "Black ", "800", "820", "0", "0", "Received", "04/30/2027", "05/07/2027",
             "Air", "", remarks],
            ["", "", "", "", "", "", "", "", "", "", "", "", ""]]
    path = folder / name
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=";", lineterminator=line_end).writerows(rows)
    return path


def wip_rows(path: Path) -> list[dict]:
    rows = sheet_values(path, "Vendor WIP")
    return [dict(zip(rows[0], r)) for r in rows[1:] if r[0]]


def as_date(v):
    return v.date() if isinstance(v, datetime) else v


def test_messy_xlsx_imports_exact_values_and_reports_the_rest(tmp_path):
    book = tracker_with_lines(tmp_path)
    f = dhaka_xlsx(tmp_path)
    result = run(book, ["wip"], ctx(f))
    rows = wip_rows(book)
    assert [(r["PO #"], r["Style #"], r["Color"]) for r in rows] == [
        ("4500000001", "S1", "Navy"), ("4500000001", "S1", "Heather Grey")]
    navy, grey = rows
    assert (navy["Vendor"], navy["Order Qty"], navy["Cut Qty"], navy["Sewn Qty"], navy["Packed Qty"]) == \
        ("BD1", 1200, 1150, 800, 300)
    assert as_date(navy["Planned XF"]) == date(2027, 4, 15) and as_date(navy["Revised XF"]) == date(2027, 4, 20)
    assert (navy["Fabric Status"], navy["Ship Mode"], navy["Booking Status"]) == ("In-house", "Sea", "Pending")
    assert navy["Remarks"] == '=HYPERLINK("http://x","photo")'
    assert as_date(navy["Report Date"]) == date(2027, 3, 1) and navy["Source File"] == "Dhaka Knit weekly.xlsx"
    assert (grey["Cut Qty"], grey["Sewn Qty"], grey["Packed Qty"], grey["Remarks"]) == (600, 450, 0, "+1 day")
    assert grey["Revised XF"] is None and as_date(grey["Planned XF"]) == date(2027, 4, 15)
    # formula-looking vendor text is a text cell, never a formula
    ws = openpyxl.load_workbook(book)["Vendor WIP"]
    remarks = [c for c in ws["N"] if c.value and str(c.value).startswith(("=", "+"))]
    assert len(remarks) == 2 and all(c.data_type == "s" for c in remarks)
    # the ambiguous colour and the unknown PO are findings naming the file, row and value
    amb = assert_finding(result.findings, Code.WIP_AMBIGUOUS, file="Dhaka Knit weekly.xlsx", row=10)
    assert "Light Blue" in amb.message and "Dark Blue" in amb.message and amb.value == "0004500000003 / S-1 / Blue"
    unk = assert_finding(result.findings, Code.WIP_UNMATCHED, file="Dhaka Knit weekly.xlsx", row=11)
    assert unk.value == "4500009999 / S1 / Navy"
    assert unk.where == "file 'Dhaka Knit weekly.xlsx', row 11, column 'PO #'"  # a file, not a tracker sheet
    assert not [f for f in result.findings if f.row in (8, 12, 13) and f.file == "Dhaka Knit weekly.xlsx"]
    assert result.outcomes[0].data == {"files": 1, "imported": 2, "not_imported": 2}


def test_csv_in_windows_1252_with_a_vendor_layout_from_config(tmp_path):
    book = tracker_with_lines(tmp_path, [["WIP Column: CN1 / Cut Qty", "CUTTING PCS"]])
    f = cn_csv(tmp_path)
    result = run(book, ["wip"], ctx(f))
    (row,) = wip_rows(book)
    assert (row["PO #"], row["Style #"], row["Color"], row["Vendor"]) == ("4500000002", "S2", "Black", "CN1")
    assert (row["Order Qty"], row["Cut Qty"], row["Sewn Qty"], row["Packed Qty"]) == (800, 820, 0, 0)
    assert row["Remarks"] == "Café to confirm; -5% cut" and row["Ship Mode"] == "Air"
    assert as_date(row["Revised XF"]) == date(2027, 5, 7) and as_date(row["Report Date"]) == date(2027, 3, 2)
    assert not [f for f in result.findings if f.severity == "error"]
    (said,) = [f for f in result.findings if "not saved as UTF-8" in f.message]  # it does not name its characters
    assert said.severity == "info" and said.file == f.name and "Windows-1252" in said.message
    assert "'CSV Encoding'" in said.message and "CSV UTF-8" in said.message


@pytest.mark.parametrize("encoding, remarks", [("cp932", "検品済み、出荷は5/7"), ("cp936", "面料已到，裁剪完成"),
                                               ("cp949", "원단 입고 완료")], ids=["japanese", "chinese", "korean"])
def test_a_csv_in_the_vendor_s_own_code_page_is_read_with_the_config_s_csv_encoding(tmp_path, encoding, remarks):
    """A vendor on an Asian or Vietnamese Windows saves CSV in its ANSI code page, which the file does not name.
    Until 2026-12-05 it was read as Windows-1252 without a word: Remarks full of odd Latin letters."""
    book = tracker_with_lines(tmp_path, [["WIP Column: CN1 / Cut Qty", "CUTTING PCS"], ["CSV Encoding", encoding]])
    result = run(book, ["wip"], ctx(cn_csv(tmp_path, encoding, remarks=remarks)))
    (row,) = wip_rows(book)
    assert row["Remarks"] == remarks and row["Cut Qty"] == 820
    assert not [f for f in result.findings if "UTF-8" in f.message]

    (tmp_path / "unset").mkdir()
    unset = tracker_with_lines(tmp_path / "unset", [["WIP Column: CN1 / Cut Qty", "CUTTING PCS"]])
    result = run(unset, ["wip"], ctx(cn_csv(tmp_path, encoding, remarks=remarks)))
    assert wip_rows(unset)[0]["Remarks"] != remarks
    (said,) = [f for f in result.findings if "not saved as UTF-8" in f.message]
    assert said.severity == "warning" and "likely wrong" in said.message and said.code is Code.WIP_ENCODING


def test_a_csv_from_an_old_mac_is_read_as_mac_roman(tmp_path):
    """Excel for Mac's "CSV (Macintosh)" ends its lines with CR alone, in Mac Roman: 'é' is byte 0x8E there."""
    f = cn_csv(tmp_path, "mac_roman", line_end="\r")
    assert b"\n" not in f.read_bytes() and "é".encode("mac_roman") in f.read_bytes()
    book = tracker_with_lines(tmp_path, [["WIP Column: CN1 / Cut Qty", "CUTTING PCS"]])
    result = run(book, ["wip"], ctx(f))
    assert wip_rows(book)[0]["Remarks"] == "Café to confirm; -5% cut"
    assert any("Mac Roman" in f.message for f in result.findings if f.severity == "info")


def test_an_unknown_csv_encoding_is_named_and_the_file_still_read(tmp_path):
    book = tracker_with_lines(tmp_path, [["WIP Column: CN1 / Cut Qty", "CUTTING PCS"], ["CSV Encoding", "Mandarin"]])
    result = run(book, ["wip"], ctx(cn_csv(tmp_path)))
    assert wip_rows(book)[0]["Remarks"] == "Café to confirm; -5% cut"
    (bad,) = [f for f in result.findings if "no encoding prodbook knows" in f.message]
    assert bad.severity == "warning" and bad.value == "Mandarin" and "cp936" in bad.message


@given(st.text(max_size=200))
def test_utf8_csv_text_reads_back_as_written_without_a_note(text):
    assert vendor_files.decode_csv(text.encode("utf-8"), "wip.csv") == (text, [])


@given(st.text(st.characters(codec="cp1252"), max_size=200))
def test_western_european_csv_text_reads_back_as_written_and_says_how(text):
    data = text.encode("cp1252")
    assume(b"\r" not in data or b"\n" in data)  # CR alone is an old Mac's: read as Mac Roman
    got, notes = vendor_files.decode_csv(data, "wip.csv")
    try:
        assert got == data.decode("utf-8") and notes == []  # plain ASCII, or bytes that happen to be UTF-8
    except UnicodeDecodeError:
        assert got == text and [n.code for n in notes] == [Code.WIP_ENCODING]  # info; warning if it looks Asian


def test_csv_utf8_with_bom_and_without_reads_the_same(tmp_path):
    book = tracker_with_lines(tmp_path, [["WIP Column: CN1 / Cut Qty", "CUTTING PCS"]])
    for enc, name in (("utf-8-sig", "CN1_a_20270302.csv"), ("utf-8", "CN1_b_20270309.csv")):
        run(book, ["wip"], ctx(cn_csv(tmp_path, enc, name)))
    rows = wip_rows(book)
    assert [r["Remarks"] for r in rows] == ["Café to confirm; -5% cut"] * 2
    assert [as_date(r["Report Date"]) for r in rows] == [date(2027, 3, 2), date(2027, 3, 9)]


def test_reimport_replaces_that_report_and_keeps_history_and_user_columns(tmp_path):
    book = tracker_with_lines(tmp_path)
    run(book, ["wip"], ctx(dhaka_xlsx(tmp_path)))
    wb = openpyxl.load_workbook(book)
    ws = wb["Vendor WIP"]
    ws.cell(row=1, column=17, value="My note")
    ws.cell(row=2, column=17, value="call Rahim")
    wb.save(book)
    # the vendor re-sends the same week's report with a corrected cut quantity
    result = run(book, ["wip"], ctx(dhaka_xlsx(tmp_path, cut="1,180")))
    rows = wip_rows(book)
    assert len(rows) == 2 and rows[0]["Cut Qty"] == 1180 and rows[0]["My note"] == "call Rahim"
    assert [(c.field, c.old, c.new) for c in result.outcomes[0].changes] == [("Cut Qty", 1150, 1180)]
    # next week's report adds rows; last week's stay as history
    run(book, ["wip"], ctx(dhaka_xlsx(tmp_path, report="Report date: 2027-03-08", name="dhaka 0308.xlsx")))
    rows = wip_rows(book)
    assert [as_date(r["Report Date"]) for r in rows] == [date(2027, 3, 1)] * 2 + [date(2027, 3, 8)] * 2
    assert rows[2]["Source File"] == "dhaka 0308.xlsx"


def test_undo_removes_an_import(tmp_path):
    book = tracker_with_lines(tmp_path)
    run(book, ["wip"], ctx(dhaka_xlsx(tmp_path)))
    run(book, ["undo"], ctx())
    assert wip_rows(book) == []


def test_missing_file_stops_before_anything_is_written(tmp_path):
    book = tracker_with_lines(tmp_path)
    before = digest(book)
    with pytest.raises(UserError, match="does not exist"):
        run(book, ["wip"], ctx(dhaka_xlsx(tmp_path), tmp_path / "nope.xlsx"))
    assert digest(book) == before  # not even the readable file's rows


def test_unreadable_file_is_a_finding_and_the_others_import(tmp_path):
    book = tracker_with_lines(tmp_path, [["WIP Column: CN1 / Cut Qty", "CUTTING PCS"]])
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"not a spreadsheet")
    result = run(book, ["wip"], ctx(bad, cn_csv(tmp_path)))
    assert_finding(result.findings, Code.WIP_FILE, file="broken.xlsx")
    assert len(wip_rows(book)) == 1


def _with_part(src: Path, dst: Path, part: str, change) -> Path:
    """A copy of a real .xlsx with one zip part changed by ``change(bytes) -> bytes``."""
    import zipfile

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, change(data) if info.filename == part else data)
    return dst


def test_a_vendor_file_with_a_doctype_is_refused_by_name_and_the_others_import(tmp_path):
    book = tracker_with_lines(tmp_path, [["WIP Column: CN1 / Cut Qty", "CUTTING PCS"]])
    (tmp_path / "in").mkdir()
    good = dhaka_xlsx(tmp_path / "in")
    bad = _with_part(good, tmp_path / "BD1_doctype.xlsx", "xl/worksheets/sheet1.xml",
                     lambda b: b'<!DOCTYPE x [<!ENTITY e "boom">]>' + b)
    result = run(book, ["wip"], ctx(bad, cn_csv(tmp_path)))
    found = assert_finding(result.findings, Code.WIP_FILE, file="BD1_doctype.xlsx")
    assert "DOCTYPE" in found.message and "xl/worksheets/sheet1.xml" in found.message
    assert len(wip_rows(book)) == 1  # the CN1 file still imported


def test_a_vendor_sheet_calamine_cannot_read_is_a_finding_not_a_crash(tmp_path):
    book = tracker_with_lines(tmp_path, [["WIP Column: CN1 / Cut Qty", "CUTTING PCS"]])
    (tmp_path / "in").mkdir()
    good = dhaka_xlsx(tmp_path / "in")
    bad = _with_part(good, tmp_path / "BD1_broken.xlsx", "xl/worksheets/sheet1.xml",
                     lambda b: b.replace(b"</sheetData>", b"<row r=\"90\"><c r=\"A90\"><v>1</v></row", 1))
    result = run(book, ["wip"], ctx(bad, cn_csv(tmp_path)))
    assert_finding(result.findings, Code.WIP_FILE, file="BD1_broken.xlsx")
    assert not [f for f in result.findings if f.code is Code.INTERNAL]
    assert len(wip_rows(book)) == 1


def test_a_password_protected_vendor_file_is_named_as_such(tmp_path):
    ooxml = pytest.importorskip("msoffcrypto.format.ooxml")
    book = tracker_with_lines(tmp_path, [["WIP Column: CN1 / Cut Qty", "CUTTING PCS"]])
    (tmp_path / "in").mkdir()
    plain = dhaka_xlsx(tmp_path / "in")
    locked = tmp_path / "BD1_locked.xlsx"
    with open(plain, "rb") as src, open(locked, "wb") as out:
        ooxml.OOXMLFile(src).encrypt("s3cret", out)
    result = run(book, ["wip"], ctx(locked, cn_csv(tmp_path)))
    found = assert_finding(result.findings, Code.WIP_FILE, file="BD1_locked.xlsx")
    assert "protected with a password" in found.message and "import it again" in found.message
    assert len(wip_rows(book)) == 1


def test_a_folder_stands_for_its_vendor_files(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    dhaka_xlsx(folder)
    book = tracker_with_lines(tmp_path)
    run(book, ["wip"], ctx(folder))
    assert len(wip_rows(book)) == 2


# --- the pure parts -------------------------------------------------------------------------------

@pytest.mark.parametrize("theirs, ours, score", [
    ("NAVY", "Navy", 3), ("Off-White", "Off White", 3), ("Offwhite", "Off White", 3),
    ("Hthr Gray", "Heather Grey", 3), ("Heather Navy", "Navy Heather", 2), ("Navy", "Navy Blue", 1),
    ("410 Navy", "Navy", 3), ("Black", "Navy", 0), ("Navy 419", "Navy 410", 0), ("Navy 410", "410 Navy", 3),
    ("Hthr Grey 021", "Heather Gray 21", 3), ("Blue 19-4052", "Blue 19-4052 TCX", 1),
    ("Blue 19-4052", "Blue 19-4053", 0)])
def test_colour_variants(theirs, ours, score):
    assert wip.color_match(theirs, ours) == score


def test_a_colour_code_picks_the_po_line_of_that_code():
    index = wip.OrderIndex([wip.OrderLine("4500000001", "S1", c, "BD1", 600) for c in ("Navy 410", "Navy 419")])
    match = wip.match_row({"po": "4500000001", "style": "S1", "color": "NAVY-419"}, index, file="f.csv", sheet=None,
                          row=3)
    assert match.line is not None and match.line.color == "Navy 419" and match.finding is None
    alone = wip.OrderIndex([wip.OrderLine("4500000001", "S1", "Navy 410", "BD1", 600)])
    miss = wip.match_row({"po": "4500000001", "style": "S1", "color": "Navy 419"}, alone, file="f.csv", sheet=None,
                         row=3)
    assert miss.line is None and miss.finding is not None and "Navy 410" in miss.finding.message


@pytest.mark.parametrize("a, b", [("4500000001", "PO 4500000001"), ("0045-0001", "450001"),
                                  ("s-1", "S1"), (" kt 0012 ", "KT12")])
def test_references_fold(a, b):
    assert keys.fold_ref(a) == keys.fold_ref(b)


@pytest.mark.parametrize("text, value", [("1,200", 1200), ("1 200", 1200), ("300 pcs", 300), (1200.0, 1200),
                                         ("-", None), ("", None)])
def test_quantities(text, value):
    assert wip.parse_qty(text) == value


def test_dates_without_a_year_take_the_nearest():
    near = date(2027, 12, 20)
    assert wip.parse_wip_date("5-Jan", wip.DateOrder.MDY, False, near) == date(2028, 1, 5)
    assert wip.parse_wip_date("Dec 1", wip.DateOrder.MDY, False, near) == date(2027, 12, 1)


def test_vendor_from_file_name_and_config():
    config = Config(extra={"wip vendor: tianfeng*": "NBT"})
    assert wip.vendor_from_name("Tianfeng WIP.xlsx", ["NBT", "SHX"], config) == "NBT"
    assert wip.vendor_from_name("SHX_wip_0301.csv", ["NBT", "SHX"], Config()) == "SHX"
    assert wip.vendor_from_name("weekly.csv", ["NBT", "SHX"], Config()) is None


def test_a_quantity_with_a_thousands_dot_is_named_not_read_a_thousand_times_short():
    with pytest.raises(CellError, match="could be 1 or 1,000"):
        wip.parse_qty("1.000 pcs")
    assert wip.parse_qty("2.400.000") == 2_400_000 and wip.parse_qty("1,000") == 1000


def test_a_file_name_from_a_mac_matches_the_pattern_typed_on_the_config_sheet():
    """macOS gives 'Tiên Phong' with the accent as a separate mark (NFD); Excel keeps what was typed (NFC)."""
    import unicodedata

    config = Config(extra={"wip vendor: tiên phong*": "VN1"})
    mac_name = unicodedata.normalize("NFD", "Tiên Phong WIP 0301.xlsx")
    assert mac_name != "Tiên Phong WIP 0301.xlsx"
    assert wip.vendor_from_name(mac_name, ["VN1"], config) == "VN1"
    assert wip.vendor_from_name(unicodedata.normalize("NFD", "Tiên Phong.xlsx"),
                                ["VN1"], Config(extra={"wip vendor: tiên phong": "VN1"})) == "VN1"


def test_merge_replaces_only_that_vendor_and_date():
    import pandas as pd
    old = pd.DataFrame([
        {"po": "1", "style": "S", "color": "Red", "vendor": "A", "report_date": date(2027, 3, 1), "_row": 2},
        {"po": "2", "style": "S", "color": "Red", "vendor": "A", "report_date": date(2027, 3, 1), "_row": 3},
        {"po": "1", "style": "S", "color": "Red", "vendor": "B", "report_date": date(2027, 3, 1), "_row": 4},
        {"po": "1", "style": "S", "color": "Red", "vendor": "A", "report_date": date(2027, 2, 22), "_row": 5}])
    new = [{"po": "1", "style": "S", "color": "RED", "vendor": "A", "report_date": date(2027, 3, 1),
            "cut_qty": 5}]
    rows, source, added, removed, _ = wip.merge_wip(old, new)
    assert source == [2, 4, 5] and added == [] and removed == [1]
    assert rows["cut_qty"].tolist()[0] == 5


def test_a_vendor_known_only_from_its_po_lines_still_gets_its_own_layout(tmp_path):
    book = tracker_with_lines(tmp_path, [["WIP Column: CN1 / Cut Qty", "BUNDLES DONE"]])
    f = tmp_path / "ningbo weekly 20270302.csv"  # no vendor code in the name: the PO lines say CN1
    with f.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["PO No.", "Style", "Colour", "Order Qty", "BUNDLES DONE", "Sewn"],
                                  ["4500000002", "S2", "Black", "800", "640", "200"]])
    run(book, ["wip"], ctx(f))
    (row,) = wip_rows(book)
    assert (row["Vendor"], row["Cut Qty"], row["Sewn Qty"]) == ("CN1", 640, 200)


def test_a_date_cell_holding_a_number_no_date_can_be_is_a_warning_not_a_crash(tmp_path):
    """A date-formatted cell holding -1E+308 (Excel shows ####): calamine's Rust panicked, which no
    ``except Exception`` catches, and the run ended in a traceback. Now the file is read by openpyxl and
    the cell is named, the rest of the row imported."""
    book = tracker_with_lines(tmp_path)
    f = dhaka_xlsx(tmp_path)
    wb = openpyxl.load_workbook(f)
    wb["WIP"]["J6"] = -1e308
    wb["WIP"]["J6"].number_format = "dd-mmm-yy"
    wb.save(f)
    result = run(book, ["wip"], ctx(f))
    bad = assert_finding(result.findings, Code.BAD_DATE, file=f.name, row=6, column="Revised ETD")
    assert "outside Excel's date range" in bad.message and "left blank" in bad.message
    navy = wip_rows(book)[0]
    assert navy["Revised XF"] is None and navy["Cut Qty"] == 1150


def test_a_vendor_workbook_damaged_inside_its_zip_is_named_and_the_others_import(tmp_path):
    """Before: "unexpected problem", the whole import lost (the check for a DOCTYPE inflated the part)."""
    book = tracker_with_lines(tmp_path)
    good = dhaka_xlsx(tmp_path)
    (tmp_path / "bad").mkdir()
    bad = dhaka_xlsx(tmp_path / "bad", name="Dhaka Knit weekly damaged.xlsx")
    damage_compressed_data(bad, "xl/worksheets/sheet1.xml")
    result = run(book, ["wip"], ctx(good, bad))
    assert not [f for f in result.findings if f.code is Code.INTERNAL], [f.text() for f in result.findings]
    said = assert_finding(result.findings, Code.WIP_FILE, file=bad.name)
    assert "could not be read as a spreadsheet (part of it cannot be unpacked: the file is damaged)" in said.message
    assert "zlib" not in said.message and "distance" not in said.message, said.message
    assert [r["Color"] for r in wip_rows(book)] == ["Navy", "Heather Grey"]  # the good file's PO lines


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="reads the open files from /proc")
def test_a_vendor_workbook_that_cannot_be_read_is_not_held_open(tmp_path):
    """An attachment is read from a temporary copy, deleted after: Windows cannot delete a file still open, so
    the reader must be closed even as its error goes up (before: calamine's book, kept alive by the error's
    traceback, held the file, and the deletion's PermissionError would have replaced the plain message)."""
    bad = dhaka_xlsx(tmp_path, name="Dhaka Knit weekly damaged.xlsx")
    damage_compressed_data(bad, "xl/worksheets/sheet1.xml")
    with pytest.raises(CellError) as said:
        vendor_files.read_vendor_file(bad)
    assert said.value.__traceback__ is not None  # the error, with its frames, is alive as we look
    assert handles_on(bad) == []


def test_a_date_before_1900_is_a_warning_and_the_import_goes_on(tmp_path):
    """Exports from Access-based systems show an empty date as 12/30/1899 (their day zero): Excel cannot
    store that date, so writing it to the Vendor WIP sheet stopped the whole run."""
    book = tracker_with_lines(tmp_path)
    f = dhaka_xlsx(tmp_path)
    wb = openpyxl.load_workbook(f)
    wb["WIP"]["J6"] = "12/30/1899"
    wb.save(f)
    result = run(book, ["wip"], ctx(f))
    bad = assert_finding(result.findings, Code.BAD_DATE, file=f.name, row=6, column="Revised ETD")
    assert "1899-12-30 is before 1 January 1900" in bad.message and "left blank" in bad.message
    navy = wip_rows(book)[0]
    assert navy["Revised XF"] is None and navy["Cut Qty"] == 1150  # the rest of the row is imported


CN1_ROWS = [["PO No.", "Style", "Colour", "Order Qty", "Cut", "Sewn"],
            ["4500000002", "S2", "Black", "800", "640", "200"]]


def _text(rows: list[list[str]], delimiter: str = ",") -> str:
    return "\r\n".join(delimiter.join(r) for r in rows) + "\r\n"


MISNAMED = {  # name -> bytes: what vendors' systems send as ".xls", all of which Excel opens
    "a workbook named .xls": lambda folder: dhaka_xlsx(folder).read_bytes(),
    "a CSV file named .xls": lambda folder: _text(CN1_ROWS).encode("utf-8"),
    "Excel's Unicode Text named .xls": lambda folder: _text(CN1_ROWS, "\t").encode("utf-16"),
    "a web page in UTF-16 named .xls": lambda folder: ("<html><body><table>" + "".join(
        "<tr>" + "".join(f"<td>{v}</td>" for v in r) + "</tr>" for r in CN1_ROWS) + "</table></body></html>"
    ).encode("utf-16"),
    "an XML Spreadsheet in UTF-16 named .xls": lambda folder: (
        '<?xml version="1.0" encoding="UTF-16"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="WIP"><Table>' + "".join(
            "<Row>" + "".join(f'<Cell><Data ss:Type="String">{v}</Data></Cell>' for v in r) + "</Row>"
            for r in CN1_ROWS) + "</Table></Worksheet></Workbook>").encode("utf-16"),
}


@pytest.mark.parametrize("what", MISNAMED)
def test_a_vendor_file_named_as_another_kind_is_read_as_what_it_is(tmp_path, what):
    """Before: "could not be read as a spreadsheet (Cfb error: Invalid OLE (signature ...))"."""
    book = tracker_with_lines(tmp_path)
    (tmp_path / "made").mkdir()
    f = tmp_path / "CN1 weekly WIP.xls"
    f.write_bytes(MISNAMED[what](tmp_path / "made"))
    result = run(book, ["wip"], ctx(f))
    assert not [x for x in result.findings if x.code in (Code.WIP_FILE, Code.INTERNAL)], \
        [x.text() for x in result.findings]
    rows = wip_rows(book)
    assert rows and {r["Source File"] for r in rows} == {"CN1 weekly WIP.xls"}


def as_markup(xlsx: Path, xml: bool) -> bytes:
    """The workbook's first sheet as a vendor system's "Excel export" writes it: an HTML table (text cells,
    colspan/rowspan for merged cells) or an Excel 2003 XML Spreadsheet (typed cells, MergeAcross/Down)."""
    from html import escape

    ws = openpyxl.load_workbook(xlsx).active
    spans = {(m.min_row, m.min_col): (m.max_col - m.min_col + 1, m.max_row - m.min_row + 1)
             for m in ws.merged_cells.ranges}
    hidden = {(r, c) for m in ws.merged_cells.ranges for r in range(m.min_row, m.max_row + 1)
              for c in range(m.min_col, m.max_col + 1)} - set(spans)
    lines = []
    for r in range(1, ws.max_row + 1):
        cells = []
        for c in range(1, ws.max_column + 1):
            if (r, c) in hidden:
                continue
            v = ws.cell(r, c).value
            across, down = spans.get((r, c), (1, 1))
            if not xml:
                text = v.strftime("%d-%b-%y") if isinstance(v, datetime) else "" if v is None else str(v)
                span = (f' colspan="{across}"' if across > 1 else "") + (f' rowspan="{down}"' if down > 1 else "")
                cells.append(f"<td{span}>{escape(text)}</td>")
                continue
            attrs = f' ss:Index="{c}"' + (f' ss:MergeAcross="{across - 1}"' if across > 1 else "") + \
                (f' ss:MergeDown="{down - 1}"' if down > 1 else "")
            if v is None:
                cells.append(f"<Cell{attrs}/>")
                continue
            kind, text = ("DateTime", v.strftime("%Y-%m-%dT00:00:00.000")) if isinstance(v, datetime) else \
                ("Number", str(v)) if isinstance(v, (int, float)) else ("String", escape(str(v)))
            cells.append(f'<Cell{attrs}><Data ss:Type="{kind}">{text}</Data></Cell>')
        row = "".join(cells)
        lines.append(f'<Row ss:Index="{r}">{row}</Row>' if xml else f"<tr>{row}</tr>")
    if not xml:
        return ("<html><head><meta charset='utf-8'></head><body><table border=1>" + "".join(lines) +
                "</table></body></html>").encode("utf-8")
    return ('<?xml version="1.0"?>\r\n<?mso-application progid="Excel.Sheet"?>\r\n<Workbook '
            'xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
            'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="WIP"><Table>'
            + "".join(lines) + "</Table></Worksheet></Workbook>").encode("utf-8")


@pytest.mark.parametrize("xml", [False, True], ids=["web page", "XML spreadsheet"])
def test_a_web_page_or_xml_spreadsheet_named_xls_imports_as_the_workbook_does(tmp_path, xml):
    """A factory system's "export to Excel": the same report as the messy workbook (title rows, a two-row
    header with a group word across four columns, a PO merged over its colours, subtotals) written as markup
    and named .xls, which Excel opens. Before: "could not be read (Cfb error: Invalid OLE ...)". The rows
    imported are the workbook's, value for value."""
    (tmp_path / "x").mkdir()
    (tmp_path / "m").mkdir()
    from_xlsx = tracker_with_lines(tmp_path / "x")
    run(from_xlsx, ["wip"], ctx(dhaka_xlsx(tmp_path / "x")))
    book = tracker_with_lines(tmp_path / "m")
    f = tmp_path / "m" / "Dhaka Knit weekly.xls"
    f.write_bytes(as_markup(dhaka_xlsx(tmp_path), xml))
    result = run(book, ["wip"], ctx(f))
    assert not [x for x in result.findings if x.code in (Code.WIP_FILE, Code.INTERNAL)], \
        [x.text() for x in result.findings]
    want = [{**r, "Source File": None} for r in wip_rows(from_xlsx)]
    assert [{**r, "Source File": None} for r in wip_rows(book)] == want and len(want) == 2


def test_a_web_page_with_no_table_says_so(tmp_path):
    book = tracker_with_lines(tmp_path)
    f = tmp_path / "BD1 WIP.xls"
    f.write_bytes(b"<html><body><p>Session expired. Please log in again.</p></body></html>")
    result = run(book, ["wip"], ctx(f))
    said = assert_finding(result.findings, Code.WIP_FILE)
    assert "'BD1 WIP.xls' is a web page with no table of two rows or more" in said.message


def test_a_utf16_csv_cut_short_is_read_to_its_last_whole_character(tmp_path):
    """Before: "'utf-16-le' codec can't decode byte 0x00 ...: truncated data", the file skipped."""
    book = tracker_with_lines(tmp_path)
    f = tmp_path / "CN1 WIP.csv"
    f.write_bytes(_text(CN1_ROWS, "\t").encode("utf-16") + b"\x00")
    result = run(book, ["wip"], ctx(f))
    assert not [x for x in result.findings if x.code is Code.WIP_FILE], [x.text() for x in result.findings]
    assert [r["Color"] for r in wip_rows(book)] == ["Black"]


def test_markup_that_no_spreadsheet_holds_is_bounded_or_named(tmp_path):
    """A span of 99,999 columns is read as 256 (no file of a few bytes makes millions of cells); a cell
    placed past Excel's last column names the file as damaged."""
    from prodbook.workbook import vendor_markup

    page = tmp_path / "wide.xls"
    page.write_bytes(b'<table><tr><td colspan="99999">PO</td></tr><tr><td>1</td></tr></table>')
    (raw,) = vendor_files.read_vendor_file(page)
    assert len(raw.rows[0]) == vendor_markup.MAX_SPAN and raw.merged == [((0, 0), (0, 255))]
    book = tracker_with_lines(tmp_path)
    far = tmp_path / "far.xls"
    far.write_bytes(b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
                    b'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="W"><Table>'
                    b'<Row><Cell ss:Index="99999999"><Data ss:Type="String">PO</Data></Cell></Row>'
                    b"</Table></Worksheet></Workbook>")
    result = run(book, ["wip"], ctx(far))
    said = assert_finding(result.findings, Code.WIP_FILE)
    assert "'far.xls' is an XML spreadsheet placing a cell at 99999999, past Excel's sheet" in said.message


def test_a_pages_spans_lay_out_as_a_browser_shows_them(tmp_path):
    """A cell spanning rows holds its column in the rows below; the next cells of those rows go past it."""
    page = tmp_path / "p.xls"
    page.write_bytes(b"<table><tr><td rowspan=2>PO1</td><td>a</td><td rowspan=3>R</td><td>b</td></tr>"
                     b"<tr><td>c</td><td>d</td></tr><tr><td>e</td><td>f</td><td>g</td></tr></table>")
    (raw,) = vendor_files.read_vendor_file(page)
    assert raw.merged == [((0, 0), (1, 0)), ((0, 2), (2, 2))]
    assert raw.rows == [["PO1", "a", "R", "b"], ["PO1", "c", "R", "d"], ["e", "f", "R", "g"]]  # merges filled down


def test_a_web_page_s_table_inside_a_layout_table_with_a_table_in_a_cell_is_read(tmp_path):
    """A factory portal's page: the report's table in a two-row layout table (a banner above it), a sign-off
    box (a small table) in a cell of a row under the report. Before, only a table holding no other table was
    read: the sign-off box, and the report was "no table fits"."""
    (tmp_path / "x").mkdir()
    (tmp_path / "m").mkdir()
    from_xlsx = tracker_with_lines(tmp_path / "x")
    run(from_xlsx, ["wip"], ctx(dhaka_xlsx(tmp_path / "x")))
    page = as_markup(dhaka_xlsx(tmp_path), False).decode("utf-8")
    signoff = ("<tr><td><table><tr><td>Prepared by</td><td>QA</td></tr><tr><td>Checked by</td><td>PM</td></tr>"
               "</table></td></tr>")
    page = page.replace("</table></body>", signoff + "</table></body>")
    start, end = page.index("<table"), page.index("</body>")
    page = (page[:start] + "<table><tr><td>Dhaka Knit Ltd: supplier portal</td></tr><tr><td>" + page[start:end]
            + "</td></tr></table>" + page[end:])
    book = tracker_with_lines(tmp_path / "m")
    f = tmp_path / "m" / "Dhaka Knit weekly.xls"
    f.write_text(page, encoding="utf-8")
    result = run(book, ["wip"], ctx(f))
    assert not [x for x in result.findings if x.code in (Code.WIP_FILE, Code.INTERNAL)], \
        [x.text() for x in result.findings]
    want = [{**r, "Source File": None} for r in wip_rows(from_xlsx)]
    assert [{**r, "Source File": None} for r in wip_rows(book)] == want and len(want) == 2


XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def test_a_tracker_chosen_as_a_vendor_report_is_skipped_by_name_and_the_reports_import(tmp_path):
    """Before, the tracker itself chosen in Import vendor WIP... went in as a report: 103 of the demo's PO lines
    from its own sheets, of '(vendor unknown)', dated today, over the vendors' own rows."""
    import shutil

    from test_mail import eml

    book = tracker_with_lines(tmp_path)
    run(book, ["wip"], ctx(dhaka_xlsx(tmp_path)))
    before = wip_rows(book)
    colleague = shutil.copy(book, tmp_path / "tracker (Ana's copy).xlsx")
    message = eml(tmp_path / "tracker for you.eml", ("tracker.xlsx", Path(book).read_bytes(), XLSX_TYPE),
                  sender="ana@retailer.example")
    result = run(book, ["wip"], ctx(book, colleague, message, dhaka_xlsx(tmp_path)))
    said = {f.file: f.message for f in result.findings if f.code is Code.WIP_FILE}
    assert "is this tracker itself, not a vendor's WIP report" in said["tracker.xlsx"], said
    assert "is a production tracker (it has the sheets Styles, Orders" in said["tracker (Ana's copy).xlsx"], said
    assert any("tracker for you.eml" in f and "is a production tracker" in m for f, m in said.items()), said
    assert wip_rows(book) == before  # the vendor's report again, nothing of the trackers'


def test_a_tracker_chosen_as_a_report_is_known_by_its_sheets_names_before_its_cells_are_read(tmp_path):
    """A colleague's tracker is skipped on its sheets' names: its cells are never read (a 10,000-line T&A takes
    seconds), so a T&A no reader could read does not turn the message into 'could not be read'."""
    import zipfile

    book = tracker_with_lines(tmp_path)
    colleague = tmp_path / "tracker (Ana's copy).xlsx"
    with zipfile.ZipFile(book) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    ta_part = next(n for n, data in parts.items() if n.startswith("xl/worksheets/") and b">Forecast<" in data)
    parts[ta_part] = parts[ta_part][: len(parts[ta_part]) // 2]  # cut in the middle of its rows
    with zipfile.ZipFile(colleague, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    with pytest.raises(CellError, match="could not be read as a spreadsheet \\(its sheet 'T&A' is damaged\\)"):
        vendor_files.read_vendor_file(colleague)  # what reading its cells says
    run(book, ["wip"], ctx(dhaka_xlsx(tmp_path)))
    before = wip_rows(book)
    result = run(book, ["wip"], ctx(colleague))
    said = {f.file: f.message for f in result.findings if f.code is Code.WIP_FILE}
    assert "is a production tracker (it has the sheets Styles, Orders" in said[colleague.name], said
    assert wip_rows(book) == before


def test_on_a_drive_without_file_ids_a_vendor_report_is_not_taken_for_the_tracker(tmp_path, monkeypatch):
    """A WebDAV-mapped SharePoint library gives every file the id 0: only the tracker's own path is itself."""
    from conftest import without_file_ids

    book = tracker_with_lines(tmp_path)
    report = dhaka_xlsx(tmp_path)
    without_file_ids(monkeypatch)
    result = run(book, ["wip"], ctx(report))
    assert not [f for f in result.findings if f.code is Code.WIP_FILE], [f.text() for f in result.findings]
    assert len(wip_rows(book)) >= 2


def test_a_folders_subfolders_of_reports_are_named_as_not_read(tmp_path):
    """'vendor files' holds only a costing sheet; its reports are in 'WIP' and 'WIP Kids': the import said
    '0 PO line(s) imported from 1 file(s)' and nothing of the subfolders it passed by."""
    path = write_book(tmp_path / "t.xlsx", base_sheets())
    folder = tmp_path / "vendor files"
    for sub in ("WIP", "WIP Kids", "empty"):
        (folder / sub).mkdir(parents=True)
    (folder / "WIP" / "CN1 WIP.csv").write_text("PO #,Style #,Color\n4500000002,S2,Black\n", encoding="utf-8")
    (folder / "WIP Kids" / "BD1 WIP.csv").write_text("PO #,Style #,Color\n4500000001,S1,Navy\n", encoding="utf-8")
    (folder / "notes.csv").write_text("nothing,here\n", encoding="utf-8")
    summary = "\n".join(run(path, ["wip"], ctx(folder)).outcomes[0].summary)
    assert "subfolders not read (give them to import their reports): 'vendor files/WIP', " \
           "'vendor files/WIP Kids'" in summary


def test_the_import_counts_only_the_wip_reports_among_the_files_given(tmp_path):
    """A folder with a WIP report and a vendor's costing sheet: the costing sheet is left to the record check,
    so the summary does not say the PO lines came from two files."""
    book = tracker_with_lines(tmp_path)
    folder = tmp_path / "vendor files"
    folder.mkdir()
    dhaka_xlsx(folder)
    (folder / "BD1 costing.csv").write_text("Buyer Style #,Colour,FOB USD\nS1,Heather Grey,7.25\n", encoding="utf-8")
    summary = run(book, ["wip"], ctx(folder)).outcomes[0].summary
    lines = len(wip_rows(book))
    assert lines >= 2
    assert summary[0].startswith(f"Vendor WIP: {lines} PO line(s) imported from 1 of the 2 file(s) given (1 file "
                                 "is not imported as WIP: see below)"), summary
    assert "  BD1 costing.csv: not a WIP report, left to the record check" in summary
    summary = run(book, ["wip"], ctx(folder / "Dhaka Knit weekly.xlsx")).outcomes[0].summary
    assert summary[0].startswith(f"Vendor WIP: {lines} PO line(s) imported from 1 file(s)"), summary


def test_a_report_read_again_is_not_counted_as_news(tmp_path):
    """A week of daily refreshes on one WIP folder (helper-129): the folder keeps last week's reports, so each
    morning said 'Vendor WIP: 92 PO line(s) imported from 5 file(s)' though not one line was new and the
    Change Log had no Vendor WIP row; the day a new report came it said the same. Now it says how many lines
    are new or changed and that the rest were on the Vendor WIP sheet already."""
    book = tracker_with_lines(tmp_path)
    report = tmp_path / "BD1 WIP 2027-03-01.csv"
    lines = [["4500000001", "S1", "Heather Grey", 600, 300], ["4500000003", "S1", "Light Blue", 500, 100]]

    def summary_of(rows: list[list]) -> str:
        with report.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([["PO #", "Style #", "Color", "Order Qty", "Cut Qty"], *rows])
        return run(book, ["wip"], ctx(report)).outcomes[0].summary[0]

    first = summary_of(lines)
    assert first == "Vendor WIP: 2 PO line(s) imported from 1 file(s).", first
    again = summary_of(lines)
    assert again == ("Vendor WIP: 2 PO line(s) imported from 1 file(s). Nothing new: all were on the Vendor WIP "
                     "sheet already, as they are."), again
    corrected = summary_of([lines[0], [*lines[1][:4], 250]])
    assert corrected == ("Vendor WIP: 2 PO line(s) imported from 1 file(s). 1 of them new or changed; the other 1 "
                         "were on the Vendor WIP sheet already, as they are."), corrected
    assert [r["Cut Qty"] for r in wip_rows(book)] == [300, 250]


def test_a_report_sent_again_with_fewer_lines_says_what_was_taken_off(tmp_path):
    """Review of helper-129 (helper-133): a report re-sent with a line fewer took that line off the Vendor WIP
    sheet (a Change Log row), and the run said 'Nothing new: all were on the Vendor WIP sheet already'."""
    book = tracker_with_lines(tmp_path)
    report = tmp_path / "BD1 WIP 2027-03-01.csv"
    lines = [["4500000001", "S1", "Heather Grey", 600, 300], ["4500000003", "S1", "Light Blue", 500, 100],
             ["4500000003", "S1", "Dark Blue", 500, 50]]

    def summary_of(rows: list[list]) -> str:
        with report.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([["PO #", "Style #", "Color", "Order Qty", "Cut Qty"], *rows])
        return run(book, ["wip"], ctx(report)).outcomes[0].summary[0]

    summary_of(lines)
    fewer = summary_of(lines[:2])
    assert fewer == ("Vendor WIP: 2 PO line(s) imported from 1 file(s). All were on the Vendor WIP sheet "
                     "already, as they are; 1 line(s) no longer in those reports were taken off the Vendor WIP "
                     "sheet."), fewer
    changed = summary_of([[*lines[0][:4], 350]])
    assert changed == ("Vendor WIP: 1 PO line(s) imported from 1 file(s). 1 line(s) no longer in those reports "
                       "were taken off the Vendor WIP sheet."), changed
    assert [(r["Color"], r["Cut Qty"]) for r in wip_rows(book)] == [("Heather Grey", 350)]
