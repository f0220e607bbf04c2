"""The 'Checked N rows' line of the record check (audit, helper): N counted the sheets prodbook writes as well
(the T&A as the file held it, Exceptions, Follow-ups and the hidden Style Snapshot once a run had made them), so
the first refresh of a tracker said 12 rows and the next 44, of the same tracker. N is now the rows of the
APM's own sheets, and the line names them as the team does."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from click.testing import CliRunner

from conftest import base_sheets, write_book
from prodbook.jobs.base import Context
from prodbook.jobs.runner import REFRESH, run

TODAY = date(2027, 3, 1)
CTX = Context(today=TODAY, now=datetime(2027, 3, 1, 9, 0))
OWN = "Checked 12 rows (Styles, Orders, T&A Templates, Vendors, Closures): "
"""Styles 2 rows, Orders 2, T&A Templates 5, Vendors 2, Closures 1: 12."""


def _checked(path: Path, jobs: list[str] | tuple[str, ...]) -> tuple[str, int]:
    result = run(path, list(jobs), CTX)
    (outcome,) = [o for o in result.outcomes if o.data and "rows_checked" in o.data]
    (line,) = [s for s in outcome.summary if s.startswith("Checked ")]
    return line, outcome.data["rows_checked"]


def test_the_first_refresh_and_the_next_check_the_same_rows_of_the_same_tracker(tmp_path: Path) -> None:
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    first, n1 = _checked(path, REFRESH)
    second, n2 = _checked(path, REFRESH)  # the T&A, Exceptions, Follow-ups and Style Snapshot now in the file
    alone, n3 = _checked(path, ["validate"])
    assert n1 == n2 == n3 == 12
    assert first.startswith(OWN) and second.startswith(OWN) and alone.startswith(OWN), (first, second, alone)


def test_the_command_s_line_names_the_team_s_own_sheet_names(tmp_path: Path) -> None:
    """A team whose Styles sheet is 'Style Profiles' (named on its Config sheet) reads that name in the line."""
    from prodbook.cli import main

    sheets = base_sheets()
    sheets["Style Profiles"] = sheets.pop("Styles")
    sheets["Config"] = [["Setting", "Value"], ["Sheet: Styles", "Style Profiles"]]
    path = write_book(tmp_path / "tracker.xlsx", sheets)
    CliRunner().invoke(main, ["refresh", str(path), "--today", TODAY.isoformat()])
    out = CliRunner().invoke(main, ["validate", str(path), "--today", TODAY.isoformat()]).output
    (line,) = [s for s in out.splitlines() if s.startswith("Checked ")]
    # 12, and the Config sheet's row
    assert line.startswith("Checked 13 rows (Style Profiles, Orders, T&A Templates, Vendors, Closures, Config): "), out
