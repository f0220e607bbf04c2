"""After an undo, the Issues sheet speaks of the workbook as the undo left it: a fix the APM accepted and then
undid is an issue again at once, not only after the next run. Before, the sheet kept what the undone run had
left (the fix applied, its row gone), so the tracker looked clean while the changed value was back."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from conftest import shown_values
from fakexl import FakeBook
from prodbook.excel import ribbon
from prodbook.jobs.base import Context
from prodbook.jobs.runner import RunResult, run
from test_styles_check import HEADER, _type, book

TODAY = date(2027, 3, 1)


def _run(path: Path, jobs: list[str], *, dry_run: bool = False, title: str | None = None) -> RunResult:
    # the clock as the ribbon's runs read it: undo takes the newest action by its time
    return run(path, jobs, Context(today=TODAY, dry_run=dry_run), title=title)


def _issues(rows: list[list[Any]]) -> list[tuple[Any, ...]]:
    """Each Issues row's key, field, code and Accept."""
    head = rows[0]
    at = [head.index(h) for h in ("Key", "Field", "Code", "Accept")]
    return [tuple(r[i] for i in at) for r in rows[1:] if any(v is not None for v in r)]


def _changed_adopted_style(tmp_path: Path) -> Path:
    """An adopted style locked by a first check, then its HTS Code changed and checked again: the Issues sheet
    asks whether the change was agreed."""
    path = book(tmp_path, {})
    _run(path, ["validate"])
    _type(path, "Styles", 2, "HTS Code", "6109.10.0040")
    _run(path, ["validate"])
    assert ("S1", "HTS Code", "adopted-style-changed", None) in _issues(shown_values(path, "Issues"))
    return path


def _accepted(path: Path) -> None:
    rows = shown_values(path, "Issues")
    at = next(i for i, r in enumerate(rows) if r[rows[0].index("Code")] == "adopted-style-changed")
    _type(path, "Issues", at + 1, "Accept", "Yes")


def test_an_accepted_change_undone_is_an_issue_again_at_once(tmp_path):
    path = _changed_adopted_style(tmp_path)
    _accepted(path)
    _run(path, ["apply", "validate"], title="Apply fixes")
    assert not [i for i in _issues(shown_values(path, "Issues")) if i[2] == "adopted-style-changed"]
    result = _run(path, ["undo"])
    # the lock is as it was before the fix, so the change is unreviewed again, and undecided (no Yes)
    assert ("S1", "HTS Code", "adopted-style-changed", None) in _issues(shown_values(path, "Issues"))
    said = "\n".join(line for o in result.outcomes for line in o.summary)
    assert "\nThe records were checked again for the Issues sheet. Checked 11 rows (Styles, Orders, " in said
    assert result.action.startswith("Undo Apply fixes") and result.exit_code == 0
    # the check logged nothing: the undo is still the newest action, and the next undo reaches the run before
    log = shown_values(path, "Change Log")
    assert log[-1][1] == result.action
    again = _run(path, ["undo"])
    assert again.action.startswith("Undo Check records")


def test_an_undo_on_a_dry_run_checks_nothing_and_writes_nothing(tmp_path):
    path = _changed_adopted_style(tmp_path)
    _accepted(path)
    _run(path, ["apply", "validate"], title="Apply fixes")
    before = path.read_bytes()
    result = _run(path, ["undo"], dry_run=True)
    assert path.read_bytes() == before
    assert not any("checked again" in line for o in result.outcomes for line in o.summary)


def test_the_undo_button_in_excel_checks_again_too(tmp_path):
    path = _changed_adopted_style(tmp_path)
    _accepted(path)
    live = FakeBook.from_file(path)
    assert ribbon.perform(ribbon.action("pbApplyFixes"), live).ok
    assert not [i for i in _issues(live.values("Issues")) if i[2] == "adopted-style-changed"]
    report = ribbon.perform(ribbon.action("pbUndo"), live)
    assert report.ok and "checked again for the Issues sheet" in report.message
    assert ("S1", "HTS Code", "adopted-style-changed", None) in _issues(live.values("Issues"))
    assert HEADER[10] == "HTS Code" and live.values("Styles")[1][10] == "6109.10.0040"


def test_a_check_that_fails_after_the_undo_leaves_the_undo_saved_and_says_so(tmp_path, monkeypatch):
    path = _changed_adopted_style(tmp_path)
    _accepted(path)
    _run(path, ["apply", "validate"], title="Apply fixes")
    from prodbook.jobs import runner

    def broken(tracker, ctx):
        raise RuntimeError("a bug in the check")

    monkeypatch.setitem(runner.JOBS, "validate", broken)
    result = _run(path, ["undo"])
    assert result.commit is not None and result.commit.written == path
    assert shown_values(path, "Styles")[1][HEADER.index("HTS Code")] == "6109.10.0040"  # undone: the change is back
    said = [f.message for f in result.findings if "could not be checked again" in f.message]
    assert len(said) == 1 and "Press Check records (prodbook validate)" in said[0]
    assert "Traceback" not in said[0]


def test_an_undo_of_a_t_and_a_rebuild_puts_back_no_record_and_checks_nothing_again(tmp_path):
    """The check costs a second read and save of the workbook (a third more time at 2,000 PO lines): only an
    undo that put back a value of the APM's own sheets, or an adopted style's lock, makes it."""
    path = book(tmp_path, {})
    _run(path, ["ta"])
    result = _run(path, ["undo"])
    assert result.changes and result.outcomes[0].data["records"] is False
    assert not any("checked again" in line for o in result.outcomes for line in o.summary)
