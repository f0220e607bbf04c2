"""Nothing of the user's workbook is lost by `prodbook ta`: real .xlsx/.xlsm files, read back.

The tracker here carries what real trackers carry: macros, Tables, data
validation, conditional formats, defined names, comments, formulas, a
shape and sparklines. After the command every part prodbook did not need to
change is byte-identical, and the rest reads back with openpyxl, calamine
and LibreOffice.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from conftest import base_sheets, digest, sheet_values, write_book
from prodbook.cli import main
from test_xlsxparts import add_shape_and_sparkline, make_xlsm, zip_members

GENERATED_PARTS = ("[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "docProps/app.xml")


def rich_tracker(path: Path) -> Path:
    """The base tracker plus everything a team adds to theirs."""
    write_book(path, base_sheets())
    wb = openpyxl.load_workbook(path)
    orders, styles, ta = wb["Orders"], wb["Styles"], wb["T&A"]
    orders["I1"] = "Weeks"
    for r in (2, 3):
        orders[f"I{r}"] = f"=(F{r}-E{r})/7"
    styles["B2"].comment = Comment("fit approved 3/1", "APM")
    dv = DataValidation(type="list", formula1='"Sea,Air"', allow_blank=True)
    orders.add_data_validation(dv)
    dv.add("E2:E200")
    orders.conditional_formatting.add("F2:F200", CellIsRule(operator="lessThan", formula=["TODAY()"],
                                                            fill=PatternFill("solid", fgColor="FFC7CE")))
    wb.defined_names["PO_List"] = DefinedName("PO_List", attr_text="Orders!$A$2:$A$3")
    ta.freeze_panes = "A2"
    wb.save(path)
    add_shape_and_sparkline(path)  # a shape on Orders, sparklines on T&A: openpyxl would drop both
    return path


@pytest.fixture(params=[".xlsx", ".xlsm"])
def rich(tmp_path: Path, request) -> Path:
    path = rich_tracker(tmp_path / f"tracker{request.param}")
    if request.param == ".xlsm":
        make_xlsm(path)
    return path


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_prodbook_ta_keeps_every_part_it_does_not_own(rich):
    before = zip_members(rich)
    code, out = cli("ta", str(rich), "--today", "2027-03-01")
    assert code == 0, out
    after = zip_members(rich)
    info = openpyxl.load_workbook(rich, keep_vba=True)
    ta_part = f"xl/worksheets/sheet{info.sheetnames.index('T&A') + 1}.xml"
    changed = {n for n in before if before[n] != after.get(n)}
    assert all(n in after for n in before), "a part disappeared"
    assert changed <= {ta_part, *GENERATED_PARTS, "xl/styles.xml"} | {n for n in before if "tables/" in n}
    assert changed and ta_part in changed
    if rich.suffix == ".xlsm":
        assert after["xl/vbaProject.bin"] == before["xl/vbaProject.bin"]
        assert b"macroEnabled" in after["[Content_Types].xml"]
    assert after["xl/drawings/drawing1.xml"] == before["xl/drawings/drawing1.xml"]
    assert b"x14:sparklineGroups" in after[ta_part]


def test_formulas_validation_formats_names_comments_survive(rich):
    cli("ta", str(rich), "--today", "2027-03-01")
    wb = openpyxl.load_workbook(rich, keep_vba=True)
    orders = wb["Orders"]
    assert orders["I2"].value == "=(F2-E2)/7"
    assert [str(r.sqref) for r in orders.data_validations.dataValidation] == ["E2:E200"]
    assert [str(cf.sqref) for cf in orders.conditional_formatting] == ["F2:F200"]
    assert wb.defined_names["PO_List"].attr_text == "Orders!$A$2:$A$3"
    assert wb["Styles"]["B2"].comment.text == "fit approved 3/1"
    ta = wb["T&A"]
    assert ta.freeze_panes == "A2"
    (table,) = ta.tables.values()
    assert table.ref == "A1:M11"
    assert len(sheet_values(rich, "T&A")) == 11


@pytest.mark.libreoffice
def test_libreoffice_reads_the_result(rich, tmp_path):
    cli("refresh", str(rich), "--today", "2027-03-01")
    out = tmp_path / "lo"
    copy = out / "in" / rich.name
    copy.parent.mkdir(parents=True)
    shutil.copy(rich, copy)
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
                    "--outdir", str(out), str(copy)], check=True, capture_output=True, timeout=180)
    ta_csv = next(p for p in out.glob("*.csv") if "T&A" in p.name and "Archive" not in p.name)
    lines = ta_csv.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("PO #,Style #,Color,Vendor,Code")
    assert len(lines) == 11
    assert any("4500000001,S1,Navy,BD1,XF,Ex-factory,Vendor" in line for line in lines)


def test_layout_it_cannot_rewrite_goes_to_a_side_copy(tmp_path):
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    CliRunner().invoke(main, ["ta", str(path), "--today", "2027-03-01"])
    wb = openpyxl.load_workbook(path)
    wb["T&A"].merge_cells("M2:M3")
    wb["Orders"].delete_rows(3)  # a PO line gone: the T&A rows must be rewritten, not just edited
    wb.save(path)
    before = digest(path)
    code, out = cli("ta", str(path), "--today", "2027-03-02")
    assert digest(path) == before
    side = tmp_path / "tracker (prodbook).xlsx"
    assert side.exists() and "copy" in out and "merged" in out.lower()
    assert len(sheet_values(side, "T&A")) == 6


def test_a_daily_rebuild_edits_only_changed_cells_and_keeps_the_users_sort_order(tmp_path):
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    cli("ta", str(path), "--today", "2027-01-05")
    wb = openpyxl.load_workbook(path)
    ws = wb["T&A"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    rows.sort(key=lambda r: (r[4], r[0]))  # the APM sorted the sheet by Code
    for i, r in enumerate(rows, start=2):
        for j, v in enumerate(r, start=1):
            ws.cell(row=i, column=j, value=v)
    ws["M2"].comment = Comment("check with QA", "APM")  # a comment in the data rows is fine too
    wb.save(path)
    code, out = cli("ta", str(path), "--today", "2027-03-01")
    assert code == 0, out
    after = sheet_values(path, "T&A")
    assert [r[4] for r in after[1:]] == sorted(r[4] for r in after[1:])
    assert {r[10] for r in after[1:]} >= {"Overdue", "Upcoming"}
    assert openpyxl.load_workbook(path)["T&A"]["M2"].comment.text == "check with QA"


def test_exit_codes_and_json(tmp_path, tracker):
    code, out = cli("ta", str(tracker), "--today", "2027-03-01", "--json")
    data = json.loads(out)
    assert code == 0 and data["exit_code"] == 0 and data["changes"] == 10
    sheets = base_sheets()
    sheets["T&A Templates"].append(["Knit", "LD", "dup", "Mill", "PO Date", 3, "Working", "No", ""])
    bad = write_book(tmp_path / "bad.xlsx", sheets)
    code, out = cli("ta", str(bad), "--today", "2027-03-01", "--json")
    assert code == 1
    assert any(f["code"] == "template-duplicate-code" and f["sheet"] == "T&A Templates" and f["row"] == 7
               for f in json.loads(out)["findings"])


@pytest.mark.parametrize("name", ["missing.xlsx", "notes.txt", "~$tracker.xlsx", "old.xls"])
def test_wrong_files_exit_2_without_a_traceback(tmp_path, name):
    path = tmp_path / name
    if name != "missing.xlsx":
        path.write_bytes(b"not a workbook")
    code, out = cli("ta", str(path))
    assert code == 2
    assert "Traceback" not in out and "prodbook:" in out


def test_corrupt_zip_exit_2_and_untouched(tmp_path):
    path = tmp_path / "t.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/workbook.xml", "<not-closed")
    before = digest(path)
    code, out = cli("refresh", str(path))
    assert code == 2 and "Traceback" not in out
    assert digest(path) == before


def test_bad_today_is_a_usage_error(tracker):
    code, out = cli("ta", str(tracker), "--today", "31/02/2027")
    assert code == 2 and "2027-03-15" in out


def test_demo_writes_and_refreshes(tmp_path):
    code, out = cli("demo", str(tmp_path), "--today", "2026-11-25")
    assert code == 0, out
    path = tmp_path / "demo-tracker.xlsx"
    rows = sheet_values(path, "T&A")
    statuses = {r[10] for r in rows[1:]}
    assert {"Overdue", "Due soon", "Upcoming", "Done"} <= statuses
    assert "overdue" in out and "late for cancel" in out


def test_square_brackets_in_a_cell_are_printed_as_typed(tmp_path):
    """The terminal output is Rich text: a vendor's '[/]' or '[red]' is data, not formatting."""
    sheets = base_sheets()
    sheets["Orders"][1][3] = "12 [/] pcs [red]"
    path = write_book(tmp_path / "t.xlsx", sheets)
    code, out = cli("ta", str(path), "--today", "2027-03-01")
    assert code == 1 and "Traceback" not in out and "unexpected problem" not in out, out
    assert "sheet 'Orders', row 2, column 'Qty'" in out and "(value: 12 [/] pcs [red])" in out


@pytest.mark.libreoffice
def test_a_tracker_saved_by_another_spreadsheet_program_is_rebuilt_in_place(tmp_path):
    """The T&A sheet as LibreOffice writes it (shared strings, spans, its own styles), edited next day."""
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    assert cli("ta", str(path), "--today", "2027-01-05")[0] == 0
    resaved = tmp_path / "lo"
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "xlsx",
                    "--outdir", str(resaved), str(path)], check=True, capture_output=True, timeout=180)
    lo_path = resaved / "tracker.xlsx"
    with zipfile.ZipFile(lo_path) as z:
        assert "xl/sharedStrings.xml" in z.namelist()  # really LibreOffice's own writing
    before = sheet_values(lo_path, "T&A")
    code, out = cli("ta", str(lo_path), "--today", "2027-03-01")
    assert code == 0, out
    after = sheet_values(lo_path, "T&A")
    assert [r[:5] for r in after] == [r[:5] for r in before]  # same rows, same order
    from prodbook.workbook.xlsxparts import workbook_info
    with zipfile.ZipFile(lo_path) as z:
        ta_xml = z.read(workbook_info(lo_path).sheet_parts["T&A"]).decode()
    assert re.search(r'<c r="A2"[^>]*t="s"', ta_xml)  # LibreOffice's own cell kept: edited in place
    status = {(r[0], r[4]): r[10] for r in after[1:]}
    assert status[("4500000001", "LD")] == "Overdue" and status[("4500000001", "XF")] == "Upcoming"
    log = [r for r in sheet_values(lo_path, "Change Log")[1:] if r[1].startswith("Rebuild T&A")]
    assert any(r[4] == "Status" and r[6] == "Overdue" for r in log)


def test_json_output_is_strict_json_even_with_blank_numbers(tmp_path):
    from prodbook.cli import _strict
    assert _strict({"a": float("nan"), "b": [1.5, float("inf")], "c": ("x", None)}) == {
        "a": None, "b": [1.5, None], "c": ["x", None]}
    sheets = base_sheets()
    sheets["Orders"][1][3] = "lots"  # a Qty that is not a number: reported with its value
    path = write_book(tmp_path / "t.xlsx", sheets)
    code, out = cli("refresh", str(path), "--today", "2027-03-01", "--json")
    data = json.loads(out, parse_constant=lambda c: pytest.fail(f"not strict JSON: {c}"))
    assert any(f["code"] == "bad-number" and f["value"] == "lots" for f in data["findings"])
