"""Cells as APMs and other systems leave them: empty, or odd. Never a crash, never the word "nan".

pandas 3 reads a text column's blank as NaN, which ``value or ""`` lets through (NaN is true) and ``str``
turns into "nan". Here every optional column of one row of each sheet of the demo tracker is emptied (as a
cell cleared, and as spaces typed), or given a value other systems write (12/30/1899, an Access export's
empty date; 31-Dec-9999, "no date yet"; #REF!; a huge number), and every job runs on it: no step may stop
on an unexpected problem, and no cell may come to hold "nan" or "None".
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from prodbook.cli import main
from prodbook.core.model.sheets import ALL_SHEETS, Kind

TODAY = "2026-12-04"
COMMANDS = ("refresh", "report", "scorecard", "rollup")
"""The daily run holds validate, wip, ta, exceptions and followups; the others read the tracker their way."""
NAN_WORDS = ("nan", "none", "nat", "<na>")


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(main, ["demo", str(folder), "--today", TODAY])
    assert result.exit_code in (0, 1), result.output
    return folder


def emptied(source: Path, target: Path, blank: Any, row: int, kinds: tuple[Kind, ...] = tuple(Kind)
            ) -> list[tuple[str, str]]:
    """``source`` with every optional column of ``kinds`` in ``row`` (or the last row) of each sheet set to
    ``blank``."""
    wb = openpyxl.load_workbook(source)
    done = []
    for spec in ALL_SHEETS:
        if spec.name not in wb.sheetnames or wb[spec.name].max_row < 2:
            continue
        ws = wb[spec.name]
        at = {c.value: c.column for c in ws[1] if c.value}
        r = min(row, ws.max_row)
        for col in spec.columns:
            if not col.required and col.kind in kinds and col.header in at \
                    and ws.cell(r, at[col.header]).value is not None:
                ws.cell(r, at[col.header]).value = blank
                done.append((spec.name, col.header))
    wb.save(target)
    return done


def nan_texts(path: Path) -> set[tuple[str, str]]:
    """(sheet, text) of every cell reading as a word pandas or Python writes for nothing."""
    book = CalamineWorkbook.from_path(str(path))
    return {(name, v) for name in book.sheet_names for r in book.get_sheet_by_name(name).to_python()
            for v in r if isinstance(v, str) and (v.strip().lower() in NAN_WORDS or " nan " in f" {v.lower()} ")}


@pytest.mark.parametrize("blank", [None, "  "], ids=["cleared", "spaces"])
@pytest.mark.parametrize("row", [2, 4])
def test_every_job_takes_empty_optional_cells(demo_folder: Path, tmp_path: Path, blank: str | None,
                                              row: int) -> None:
    cleared = emptied(demo_folder / "demo-tracker.xlsx", tmp_path / "tracker.xlsx", blank, row)
    assert {"Vendors", "Orders", "Styles", "T&A", "Config"} <= {s for s, _ in cleared}
    every_job_runs(demo_folder, tmp_path)


@pytest.mark.parametrize("value, kinds", [
    ("12/30/1899", (Kind.DATE,)),  # before Excel's first day: the save stopped writing it back
    (date(9999, 12, 31), (Kind.DATE,)),  # + transit: past Python's last day, and 8,000 years of days walked
    ("#REF!", (Kind.TEXT, Kind.NUMBER, Kind.INT)),
    (1e308, (Kind.NUMBER, Kind.INT)),
], ids=["1899", "9999", "ref-error", "huge"])
def test_every_job_takes_odd_values_other_systems_write(demo_folder: Path, tmp_path: Path, value: Any,
                                                        kinds: tuple[Kind, ...],
                                                        recwarn: pytest.WarningsRecorder) -> None:
    typed = emptied(demo_folder / "demo-tracker.xlsx", tmp_path / "tracker.xlsx", value, 3, kinds)
    assert {"Orders", "T&A"} <= {s for s, _ in typed}
    every_job_runs(demo_folder, tmp_path)
    # a library's own warning would reach the APM as a line of Python ("calendar.py:475: UserWarning")
    assert not [str(w.message) for w in recwarn if "oliday" in str(w.message)]


def every_job_runs(demo_folder: Path, tmp_path: Path) -> None:
    """Each command on ``tmp_path/tracker.xlsx`` with the demo's vendor files: finished, no "nan" written."""
    shutil.copytree(demo_folder / "vendor files", tmp_path / "vendor files")
    tracker = tmp_path / "tracker.xlsx"
    before = nan_texts(tracker)
    wip = sorted(str(p) for p in (tmp_path / "vendor files" / "WIP").iterdir())
    for command in COMMANDS:
        args = {"refresh": ["refresh", str(tracker), *wip], "report": ["report", str(tracker), "--out",
                                                                          str(tmp_path / "report.xlsx")],
                "scorecard": ["scorecard", str(tracker)], "rollup": ["rollup", str(tracker)]}[command]
        result = CliRunner().invoke(main, [*args, "--today", TODAY])
        out = result.output
        assert result.exit_code in (0, 1) and "unexpected problem" not in out, f"{command}:\n{out[-2000:]}"
        assert not nan_texts(tracker) - before, f"{command} wrote: {sorted(nan_texts(tracker) - before)[:5]}"
        assert " nan" not in out.lower().replace("nanjing", ""), f"{command}:\n{out[-2000:]}"
