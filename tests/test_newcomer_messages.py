"""Messages a newcomer found odd while following the README on the demo: each says what happened and what to
do in the run's own terms (`prodbook demo DIR --today 2026-11-25`, then single commands on it)."""

from __future__ import annotations

import re
import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.utils import get_column_letter

from conftest import demo_workbook
from prodbook.cli import main

DAY = date(2026, 11, 25)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_workbook(tmp_path_factory.mktemp("demo"), DAY)


@pytest.fixture
def tracker(demo_file: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(demo_file, tmp_path / "demo-tracker.xlsx"))


def prodbook(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--today", DAY.isoformat()])
    return result.exit_code, result.output


def test_a_scorecard_written_beside_an_unchanged_tracker_does_not_say_nothing_happened(tracker: Path) -> None:
    before = tracker.read_bytes()
    code, out = prodbook("scorecard", str(tracker))
    assert code in (0, 1), out
    written = [p.name for p in tracker.parent.glob("Vendor Scorecard*.xlsx")]
    assert len(written) == 1 and written[0] in out, out
    assert tracker.read_bytes() == before
    last = out.rstrip().splitlines()[-1]
    assert last == "The tracker 'demo-tracker.xlsx' itself is unchanged: nothing in it to change.", out
    assert "Nothing to change." not in out, out
    code, out = prodbook("scorecard", str(tracker))  # the same scorecard again: the run really did nothing
    assert "(unchanged)" in out and out.rstrip().splitlines()[-1] == "Nothing to change.", out
    code, out = prodbook("exceptions", str(tracker))  # nor this one: said as before
    assert out.rstrip().splitlines()[-1] == "Nothing to change.", out


def test_wip_without_files_names_what_to_give(tracker: Path, tmp_path: Path) -> None:
    log = tmp_path / "run.log"
    before = tracker.read_bytes()
    result = CliRunner().invoke(main, ["wip", str(tracker), "--log", str(log)])
    assert result.exit_code == 2, result.output
    said = result.output
    assert "Missing argument" not in said and "FILES..." not in said, said
    assert "no vendor WIP report given" in said and "a folder of them" in said and ".eml" in said, said
    assert f'prodbook wip "{tracker}" "vendor files/WIP"' in said, said
    assert tracker.read_bytes() == before
    assert "no vendor WIP report given" in log.read_text(encoding="utf-8")


KEPT = re.compile(r"^Issues: (\d+) row\(s\) found by checks this run did not do are left as they were \((.*)\); "
                  r"'prodbook refresh' \(Refresh all on the prodbook tab\)( with the vendor files)? checks them "
                  r"all again\.$")


@pytest.mark.parametrize("command", ["validate", "exceptions", "ta"])
def test_issues_kept_from_earlier_runs_are_named_by_their_check_with_what_checks_them_again(
        tracker: Path, command: str) -> None:
    from prodbook.jobs.base import ACTION_NAMES

    code, out = prodbook(command, str(tracker))
    lines = [line for line in out.splitlines() if line.startswith("Issues:")]
    assert len(lines) == 1 and (m := KEPT.match(lines[0])), out
    parts = [p.rsplit(" ", 1) for p in m.group(2).split(", ")]
    assert sum(int(n) for _, n in parts) == int(m.group(1)), lines
    names = [name for name, _ in parts]
    assert set(names) <= {*ACTION_NAMES.values(), "a vendor file this run did not read"}, names
    assert ACTION_NAMES[command] not in names, names  # its own check was done: none of its rows is 'kept'
    assert "Import vendor WIP" in names and m.group(3), lines  # the demo's WIP issues: given the files again


def _issues(path: Path) -> list[dict[str, Any]]:
    ws = openpyxl.load_workbook(path)["Issues"]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def _cancel_dates(path: Path) -> dict[str, date]:
    ws = openpyxl.load_workbook(path)["Orders"]
    rows = list(ws.iter_rows(values_only=True))
    at = rows[0].index("Cancel Date")
    return {f"Orders!{get_column_letter(at + 1)}{n}": r[at].date() for n, r in enumerate(rows[1:], start=2)
            if isinstance(r[at], datetime)}


def _cell(row: dict[str, Any]) -> str:
    """The Cell column's address: the text of its link, 'Orders!M8' for a row about that cell."""
    text = str(row["Cell"])
    m = re.search(r',\s*"([^"]*)"\)$', text)
    shown = m.group(1) if m else text
    return shown if "!" in shown else f"{row['Sheet']}!{shown}"


@pytest.mark.parametrize("date_format", [None, "d mmm yyyy"])
def test_a_date_in_the_issues_value_column_is_shown_in_the_workbooks_date_format(
        tracker: Path, date_format: str | None) -> None:
    from prodbook.core.looks import date_text

    if date_format:
        wb = openpyxl.load_workbook(tracker)
        ws = wb["Config"]
        row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "Date Format")
        ws.cell(row, 2, date_format)
        wb.save(tracker)
        prodbook("ta", str(tracker))  # the T&A step finds the late-for-cancel lines again
    fmt = date_format or "dd-mmm-yy"
    cancel = _cancel_dates(tracker)
    late = [r for r in _issues(tracker) if r["Code"] == "late-for-cancel"]
    assert late, _issues(tracker)
    for r in late:
        day = cancel[_cell(r)]
        assert r["Value"] == date_text(day, fmt), (r, day)
    assert not [r for r in _issues(tracker) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(r["Value"] or ""))]


SINCE = re.compile(r"(\d+) change\(s\) since (\S+)( \(.*\))?\.$")


def test_the_reports_default_since_after_today_says_it_is_judged_by_this_computers_clock(tracker: Path) -> None:
    """The demo is built for 25 Nov 2026; run on 7 Dec the report's 'since' is 30-Nov-26 (a week before the
    Change Log's clock, as README says), a date after --today: the line says why, and how to choose another."""
    from prodbook.jobs.base import Context
    from prodbook.jobs.runner import run

    later = run(tracker, ["report"], Context(today=DAY, now=datetime(2026, 12, 7, 9, 0), dry_run=True))
    line = later.outcomes[0].summary[0]
    m = SINCE.search(line)
    assert m and m.group(2) == "30-Nov-26", line
    assert m.group(3) == (" (a week before 07-Dec-26, this computer's date, which stamps the Change Log; --today "
                          "does not move it: give --since DATE to choose the start)"), line
    same_day = run(tracker, ["report"], Context(today=DAY, now=datetime(2026, 11, 25, 9, 0), dry_run=True))
    m = SINCE.search(same_day.outcomes[0].summary[0])
    assert m and m.group(2) == "18-Nov-26" and m.group(3) is None, same_day.outcomes[0].summary
    chosen = run(tracker, ["report"], Context(today=DAY, now=datetime(2026, 12, 7, 9, 0), dry_run=True,
                                              since=datetime(2026, 11, 20)))
    m = SINCE.search(chosen.outcomes[0].summary[0])
    assert m and m.group(2) == "20-Nov-26" and m.group(3) is None, chosen.outcomes[0].summary


def test_a_row_dismissed_when_its_date_was_written_2026_12_18_stays_dismissed(tracker: Path) -> None:
    """An Issues sheet an earlier prodbook wrote (dates as 2026-12-18): the row the APM dismissed is the same
    row after the run that shows the date in the Date Format, not one 'found again with other values'."""
    wb = openpyxl.load_workbook(tracker)
    ws = wb["Issues"]
    heads = [c.value for c in ws[1]]
    col = {h: heads.index(h) + 1 for h in ("Code", "Value", "Accept")}
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, col["Code"]).value == "late-for-cancel")
    day = datetime.strptime(ws.cell(row, col["Value"]).value, "%d-%b-%y").date()
    ws.cell(row, col["Value"], day.isoformat())
    ws.cell(row, col["Accept"], "Dismiss")
    wb.save(tracker)
    code, out = prodbook("ta", str(tracker))
    assert "found again with other values" not in out, out
    from prodbook.core.looks import date_text

    kept = [r for r in _issues(tracker) if r["Code"] == "late-for-cancel" and r["Accept"] == "Dismiss"]
    assert [r["Value"] for r in kept] == [date_text(day, "dd-mmm-yy")], kept
