"""Decompression bombs and oversized files (issue 9, points 4 and 5), built here as real zips.

A tracker or vendor file that unpacks to 1 GB is refused from what its zip says, in well under a
second and with little memory, naming the file, the part, the figure, the limit and the setting
that raises it; nothing is written. The runs that read a bomb go through a subprocess, timed and
measured there (``ru_maxrss``), so a regression costs a timeout, not the test machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from conftest import assert_finding, base_sheets, digest, write_book
from faults.bombs import add_part, lie_about_size, replace_part
from prodbook.core.findings import Code, UserError
from prodbook.core.limits import MB, Entry, Limits, check_dimension, check_directory
from prodbook.jobs.runner import run
from prodbook.workbook.filebook import FileBook
from test_wip import ctx, dhaka_xlsx, tracker_with_lines, wip_rows

SRC = Path(__file__).resolve().parents[2] / "src"
TIMEOUT = 60
PROBE = r"""
import json, os, re, resource, sys, time
from prodbook.cli import main

def peak_kb():  # this process's own high-water mark (ru_maxrss can carry the forking parent's)
    try:
        with open("/proc/self/status") as f:
            return int(re.search(r"VmHWM:\s+(\d+)", f.read())[1])
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // (1024 if sys.platform == "darwin" else 1)

base = peak_kb()
start = time.perf_counter()
try:
    main.main(sys.argv[1:], prog_name="prodbook", standalone_mode=True)
    code = 0
except SystemExit as exc:
    code = exc.code
seconds = time.perf_counter() - start
peak = peak_kb()
with open(os.environ["PROBE_OUT"], "w") as f:
    json.dump({"code": code, "seconds": seconds, "base_mb": base / 1024, "peak_mb": peak / 1024}, f)
"""


def probe(tmp_path: Path, *args: str) -> tuple[dict, str]:
    """Run the prodbook CLI in a fresh process: exit code, seconds and peak memory of the run, its output."""
    out = tmp_path / "probe.json"
    env = {**os.environ, "PROBE_OUT": str(out), "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get(
        "PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env,
                          timeout=TIMEOUT, cwd=tmp_path)
    assert out.exists(), f"the run died (exit {done.returncode}): {done.stderr[-2000:]}"
    return json.loads(out.read_text()), done.stdout + done.stderr


def folder_as_it_was(folder: Path, names: set[str]) -> None:
    """Nothing written beside the workbook: no backup folder, no drafts, no temp or side files."""
    assert {p.name for p in folder.iterdir()} - {"probe.json"} == names


def orders_part(book: Path) -> tuple[str, bytes]:
    from prodbook.workbook.xlsxparts import workbook_info

    part = workbook_info(book).sheet_parts["Orders"]
    with zipfile.ZipFile(book) as z:
        return part, z.read(part)


def sheet_bomb(src: Path, dst: Path, mb: int = 1024) -> Path:
    """The Orders sheet padded with ``mb`` MB of blanks between its rows: valid XML, 1000:1."""
    part, xml = orders_part(src)
    cut = xml.index(b"</sheetData>")
    return replace_part(src, dst, part, xml[:cut], b" ", mb, xml[cut:])


# --- the tracker ----------------------------------------------------------------------------------

def test_a_1gb_tracker_is_refused_in_a_second_with_little_memory_and_nothing_written(tmp_path):
    good = write_book(tmp_path / "good.xlsx", base_sheets())
    book = sheet_bomb(good, tmp_path / "tracker.xlsx")
    good.unlink()
    assert book.stat().st_size < 3 * MB
    before = digest(book)
    result, output = probe(tmp_path, "refresh", str(book), "--today", "2027-03-03")
    assert result["code"] == 2, output
    assert "'tracker.xlsx' is too large to read safely" in output
    assert "sheet 'Orders'" in output and "1,024 MB" in output or "compression ratio" in output
    assert "Max " in output and "prodbook.toml" in output
    assert result["peak_mb"] < 200 and result["peak_mb"] - result["base_mb"] < 50, result
    assert digest(book) == before
    folder_as_it_was(tmp_path, {"tracker.xlsx"})


def test_a_bomb_in_a_part_no_reader_opens_is_refused_too(tmp_path):
    """A 1 GB part beside the sheets would be copied, compressed, into every save and backup."""
    book = add_part(write_book(tmp_path / "good.xlsx", base_sheets()), tmp_path / "tracker.xlsx",
                    "xl/media/image1.png", 1024)
    with pytest.raises(UserError) as caught:
        FileBook(book)
    message = str(caught.value)
    assert "part 'xl/media/image1.png' unpacks to 1,024 MB" in message
    assert "the limit (Max Part MB) is 200 MB" in message and "prodbook.toml" in message


def test_a_part_that_declares_a_small_size_but_unpacks_to_more_is_refused(tmp_path):
    good = write_book(tmp_path / "good.xlsx", base_sheets())
    book = lie_about_size(sheet_bomb(good, tmp_path / "tracker.xlsx", mb=600), orders_part(good)[0], 4_000)
    good.unlink()
    before = digest(book)
    result, output = probe(tmp_path, "refresh", str(book), "--today", "2027-03-03")
    assert result["code"] == 2, output
    assert "unpacks to more than the 4,000 bytes its zip directory declares" in output
    assert "sheet 'Orders'" in output
    assert result["peak_mb"] - result["base_mb"] < 50, result
    assert digest(book) == before
    folder_as_it_was(tmp_path, {"tracker.xlsx"})


def test_a_sheet_whose_used_area_is_all_of_excel_is_refused_before_it_is_read(tmp_path):
    """Two cells, A1 and XFD1048576: a 10 KB file the reader would give 17 billion cells (it aborts)."""
    sheets = base_sheets()
    book = write_book(tmp_path / "tracker.xlsx", sheets, tables=False)
    wb = openpyxl.load_workbook(book)
    wb["Orders"].cell(row=1_048_576, column=16_384, value="x")
    wb.save(book)
    result, output = probe(tmp_path, "refresh", str(book), "--today", "2027-03-03")
    assert result["code"] == 2, output
    assert "sheet 'Orders'" in output and "1,048,576 rows x 16,384 columns" in output
    assert "Max Cells" in output
    folder_as_it_was(tmp_path, {"tracker.xlsx"})


def test_the_trackers_own_limits_come_from_prodbook_toml_not_its_config_sheet(tmp_path):
    sheets = base_sheets()
    sheets["Config"] = [["Setting", "Value"], ["Max Cells", 10]]  # not applied to the tracker itself
    book = write_book(tmp_path / "tracker.xlsx", sheets)
    FileBook(book)
    (tmp_path / "prodbook.toml").write_text('[settings]\n"Max Cells" = 10\n', encoding="utf-8")
    with pytest.raises(UserError, match=r"limit \(Max Cells\) is 10 cells.*prodbook\.toml"):
        FileBook(book)
    (tmp_path / "prodbook.toml").write_text("[settings]\nmax_cells = 100\n", encoding="utf-8")
    FileBook(book)


def test_a_normal_tracker_passes_and_a_big_honest_sheet_too(tmp_path):
    """A 30 MB Orders sheet (compresses about 10:1) is under every default."""
    sheets = base_sheets()
    sheets["Orders"] += [[f"45{i:08d}", "S1", "Navy", 100 + i, date(2027, 1, 4), date(2027, 4, 15),
                          date(2027, 5, 10), date(2027, 5, 20)] for i in range(120_000)]
    book = write_book(tmp_path / "tracker.xlsx", sheets)
    with zipfile.ZipFile(book) as z:
        assert sum(i.file_size for i in z.infolist()) > 20 * MB
    assert "Orders" in FileBook(book).sheet_names()


# --- vendor files -------------------------------------------------------------------------------

def test_a_vendor_bomb_is_a_finding_naming_it_and_the_other_files_import(tmp_path):
    book = tracker_with_lines(tmp_path)
    vendors = tmp_path / "inbox"
    vendors.mkdir()
    dhaka_xlsx(vendors)
    plain = write_book(tmp_path / "plain.xlsx", {"WIP": [["PO #", "Cut Qty"], ["4500000002", 10]]})
    part, xml = orders_part_of(plain, "WIP")
    cut = xml.index(b"</sheetData>")
    replace_part(plain, vendors / "Ningbo WIP.xlsx", part, xml[:cut], b" ", 1024, xml[cut:])
    plain.unlink()
    result, output = probe(tmp_path, "wip", str(book), str(vendors), "--today", "2027-03-03")
    assert result["peak_mb"] < 250, result  # the import itself runs too
    assert "'Ningbo WIP.xlsx' is too large to read safely" in output
    assert "Max " in output and "Config sheet" in output and "the file was skipped" in output
    assert len(wip_rows(book)) == 2  # the Dhaka file's lines


def orders_part_of(book: Path, sheet: str) -> tuple[str, bytes]:
    from prodbook.workbook.xlsxparts import workbook_info

    part = workbook_info(book).sheet_parts[sheet]
    with zipfile.ZipFile(book) as z:
        return part, z.read(part)


def test_vendor_limits_are_the_trackers_config_settings(tmp_path):
    book = tracker_with_lines(tmp_path, [["Max Cells", 20]])
    result = run(book, ["wip"], ctx(dhaka_xlsx(tmp_path)))
    found = assert_finding(result.findings, Code.WIP_FILE, file="Dhaka Knit weekly.xlsx")
    assert "limit (Max Cells) is 20 cells" in found.message and "Config sheet" in found.message


def test_a_vendor_csv_over_the_size_limit_is_not_read(tmp_path):
    book = tracker_with_lines(tmp_path, [["Max CSV MB", 1]])
    big = tmp_path / "CN1_wip_20270302.csv"
    big.write_text("PO No.,Style\n" + "4500000002,S2\n" * 200_000, encoding="utf-8")
    result = run(book, ["wip"], ctx(big))
    found = assert_finding(result.findings, Code.WIP_FILE, file=big.name)
    assert "the limit (Max CSV MB) is 1 MB" in found.message


# --- point 5: text over Excel's cell limit ---------------------------------------------------------

def with_long_text(path: Path, cell: str, text: str) -> Path:
    """The vendor file with ``text`` in ``cell``, written into the XML (openpyxl itself would cut it)."""
    marker = "LONG-TEXT-MARKER"
    wb = openpyxl.load_workbook(path)
    wb["WIP"][cell] = marker
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        members = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            z.writestr(info, data.replace(marker.encode(), text.encode()))
    return path


def test_a_vendor_cell_over_excels_limit_is_cut_with_a_note_and_the_refresh_completes(tmp_path):
    book = tracker_with_lines(tmp_path)
    path = with_long_text(dhaka_xlsx(tmp_path), "M7", "late fabric. " * 3_000 + "end")  # 39,003 characters
    result = run(book, ["wip"], ctx(path))
    found = assert_finding(result.findings, Code.WIP_FILE, file=path.name, sheet="WIP", row=7, column="M")
    assert "39,003 characters" in found.message and "32,767" in found.message
    assert result.commit is not None and result.commit.written == book
    remarks = [r["Remarks"] for r in wip_rows(book) if r["Remarks"] and r["Remarks"].startswith("late")]
    assert len(remarks) == 1 and len(remarks[0]) == 32_767


def test_a_long_cell_in_a_vendor_csv_is_cut_too(tmp_path):
    book = tracker_with_lines(tmp_path, [["WIP Column: CN1 / Cut Qty", "CUTTING PCS"]])
    path = tmp_path / "CN1_wip_20270302.csv"
    path.write_text("PO No.,Style,Colour,Order Qty,CUTTING PCS,Comments\n"
                    f"4500000002,S2,Black,800,820,{'x' * 40_000}\n", encoding="utf-8")
    result = run(book, ["wip"], ctx(path))
    assert_finding(result.findings, Code.WIP_FILE, file=path.name, row=2, column="F")
    assert [len(r["Remarks"]) for r in wip_rows(book)] == [32_767]


# --- the pure checks ------------------------------------------------------------------------------

def test_the_directory_checks_name_the_part_and_the_setting():
    limits = Limits()
    sheet = Entry("xl/worksheets/sheet1.xml", 3 * MB, 40 * MB, zipfile.ZIP_DEFLATED)
    assert check_directory([sheet], limits) is None
    bomb = Entry("xl/worksheets/sheet2.xml", MB, 1024 * MB, zipfile.ZIP_DEFLATED)
    assert check_directory([sheet, bomb], limits).setting == "part_mb"
    dense = Entry("xl/sharedStrings.xml", MB, 150 * MB, zipfile.ZIP_DEFLATED)
    excess = check_directory([dense], limits)
    assert (excess.what, excess.part, round(excess.measured)) == ("compression ratio", dense.name, 150)
    assert check_directory([sheet] * 6, limits).setting == "unpacked_mb"  # 240 MB in all
    assert check_directory([sheet] * 3, Limits(parts=2)).setting == "parts"
    assert check_directory([Entry("a.xml", 10, 10, 12)], limits).what == "compression method"


@pytest.mark.parametrize(("ref", "setting"), [
    ("A1:K2001", None), ("A1", None), ("A1:XFD1048576", "cells"), ("A1:XFD1", None),
    ("A1:A1048577", "rows"), ("A1:XFE1", "columns"), ("B2:T1000001", None), ("A1:BZ1000000", "cells")])
def test_the_dimension_check(ref, setting):
    excess = check_dimension("xl/worksheets/sheet1.xml", ref, Limits())
    assert (excess.setting if excess else None) == setting
