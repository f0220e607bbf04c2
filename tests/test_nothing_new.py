"""Issue 10 point 7: a run with nothing new leaves every file alone and makes no backup.

Each command runs twice in a row through the real CLI on a real tracker: the second run must leave the
tracker's bytes, its modification time, the backups folder, the e-mail drafts and the report file as they
were, and say "Nothing to change".
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from conftest import base_sheets, digest, sheet_values, write_book
from prodbook.cli import main
from prodbook.workbook.safety import BACKUP_DIR

DAY = "2027-03-01"
WIP_HEADER = ["PO #", "Style #", "Color", "Vendor", "Order Qty", "Cut Qty", "Sewn Qty", "Packed Qty",
              "Planned XF", "Report Date"]


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--today", DAY])
    return result.exit_code, result.output


def files_of(folder: Path) -> dict[str, tuple[int, str]]:
    """Every file under ``folder``: modification time (ns) and digest."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, digest(p))
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tracker after its first daily run with a vendor WIP report and a costing sheet."""
    folder = tmp_path_factory.mktemp("nothing-new")
    sheets = base_sheets()
    sheets["Styles"][0] += ["FOB (USD)"]
    sheets["Styles"][1] += [7.45]
    sheets["Styles"][2] += [11.5]
    write_book(folder / "tracker.xlsx", sheets)
    wb = openpyxl.Workbook()
    wb.active.append(WIP_HEADER)
    wb.active.append(["4500000001", "S1", "Navy", "BD1", 1200, 600, 0, 0, date(2027, 4, 15), date(2027, 2, 26)])
    wb.save(folder / "BD1 WIP.xlsx")
    (folder / "costing.csv").write_text("Style #,FOB USD\nS1,7.05\n", encoding="utf-8")
    code, out = cli("refresh", str(folder / "tracker.xlsx"), str(folder / "BD1 WIP.xlsx"))
    assert code in (0, 1), out
    return folder


COMMANDS = {
    "refresh": ("refresh",),
    "refresh with files": ("refresh", "{wip}", "{costing}"),
    "ta": ("ta",),
    "validate": ("validate",),
    "validate a costing sheet": ("validate", "{costing}"),
    "wip, the same files again": ("wip", "{wip}"),
    "exceptions": ("exceptions",),
    "followups": ("followups",),
    "report": ("report",),
}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_second_run_writes_nothing(folder: Path, name: str) -> None:
    book = folder / "tracker.xlsx"
    args = [a.format(wip=folder / "BD1 WIP.xlsx", costing=folder / "costing.csv") for a in COMMANDS[name]]
    command = [args[0], str(book), *args[1:]]
    code, out = cli(*command)
    assert code in (0, 1), out
    before = files_of(folder)
    code, out = cli(*command)
    assert code in (0, 1), out
    after = files_of(folder)
    assert after == before, f"'{name}' run again changed {sorted(k for k in after if after[k] != before.get(k))}"
    assert "Nothing to change" in out and "Saved" not in out, out
    assert len(list((folder / BACKUP_DIR).iterdir())) == len([k for k in before if k.startswith(BACKUP_DIR)])


def test_the_demo_run_again_on_the_same_day_leaves_it_alone(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", str(folder), "--today", "2026-11-25"])
    assert result.exit_code == 0, result.output
    before = files_of(folder)
    stamp = os.stat(folder / "demo-tracker.xlsx").st_mtime_ns
    result = CliRunner().invoke(main, ["demo", str(folder), "--today", "2026-11-25"])
    assert result.exit_code == 0, result.output
    assert "Nothing to change" in result.output
    assert files_of(folder) == before and os.stat(folder / "demo-tracker.xlsx").st_mtime_ns == stamp


def _package(path: Path, parts: dict[str, bytes]) -> Path:
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def test_a_file_is_the_same_part_for_part_but_its_creation_time_compared_a_megabyte_at_a_time(tmp_path: Path) -> None:
    """A moved Change Log's part of hundreds of megabytes is compared in pieces, never held twice; a part that
    differs anywhere, even past the first megabyte and at the same size, is a difference."""
    from prodbook.workbook.publish import _CHUNK, same_content

    big = b"<row>" * (3 * _CHUNK // 5 + 7)  # a part of over three megabytes
    parts = {"docProps/core.xml": b"<created>1</created>", "xl/worksheets/sheet1.xml": big}
    old = _package(tmp_path / "old.xlsx", parts)
    assert same_content(_package(tmp_path / "a.xlsx", parts), old)  # byte for byte
    assert same_content(_package(tmp_path / "b.xlsx", {**parts, "docProps/core.xml": b"<created>2</created>"}), old)
    late = big[:-3 * _CHUNK // 2] + b"x" + big[-3 * _CHUNK // 2 + 1:]  # one byte past the first megabytes
    import tracemalloc

    changed = _package(tmp_path / "c.xlsx", {**parts, "xl/worksheets/sheet1.xml": late})
    tracemalloc.start()
    try:
        assert not same_content(changed, old)
        held = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert held < len(big), f"{held:,} bytes held to compare parts of {len(big):,}"  # whole parts: twice that
    assert not same_content(_package(tmp_path / "d.xlsx", {"xl/worksheets/sheet1.xml": big}), old)
    assert not same_content(old, tmp_path / "missing.xlsx")
    (tmp_path / "e.txt").write_bytes(b"a" * 10)
    (tmp_path / "f.txt").write_bytes(b"a" * 9 + b"b")
    assert not same_content(tmp_path / "e.txt", tmp_path / "f.txt")
    assert same_content(tmp_path / "e.txt", tmp_path / "e.txt")


def test_a_run_that_only_brings_the_issues_up_to_date_says_so(tmp_path: Path) -> None:
    """A sample that turns late changes no value of the APM's: the check rewrites the Issues sheet, logs
    nothing, and says that, not "0 value(s) changed, logged as ..." (a Change Log row that is not there)."""
    sheets = base_sheets()
    sheets["Samples"] = [["Style #", "Sample Type", "Color", "Due"], ["S1", "Proto", "Navy", date(2027, 3, 10)]]
    book = write_book(tmp_path / "tracker.xlsx", sheets)
    first = CliRunner().invoke(main, ["validate", str(book), "--today", "2027-03-01", "--json"])
    assert first.exit_code in (0, 1), first.output
    assert "Issues" in json.loads(first.output)["sheets_written"]
    logged = len(sheet_values(book, "Change Log"))
    dry = CliRunner().invoke(main, ["validate", str(book), "--today", "2027-03-15", "--dry-run"])
    assert "Dry run: no value would change; the 'Issues' sheet would be brought up to date; nothing was " \
           "written." in dry.output, dry.output
    late = CliRunner().invoke(main, ["validate", str(book), "--today", "2027-03-15"])
    assert late.exit_code in (0, 1), late.output
    assert "Saved 'tracker.xlsx' (the 'Issues' sheet brought up to date; no other value changed, so the " \
           "Change Log has nothing new)" in late.output, late.output
    assert "logged as" not in late.output
    assert len(sheet_values(book, "Change Log")) == logged
    assert any("5 day(s) late" in str(r) for r in sheet_values(book, "Issues")), sheet_values(book, "Issues")
