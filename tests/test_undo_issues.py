"""After an undo, the Issues sheet speaks of the workbook as the undo left it: a fix the APM accepted and then
undid is an issue again at once, not only after the next run. Before, the sheet kept what the undone run had
left (the fix applied, its row gone), so the tracker looked clean while the changed value was back."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

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


# --- the Issues rows of the undone run's T&A and vendor files (h131) ------------------------------------------

def _refreshed_twice(tmp_path: Path) -> tuple[Path, list[str]]:
    """A refresh on 3 May, the cutting Actual of PO 4500000001 typed on 6 May (its ex-factory forecast moves to
    27-May-27, 7 days after its cancel date), a refresh on 6 May: the steps of the daily run."""
    from conftest import base_sheets, write_book
    from prodbook.jobs.runner import REFRESH

    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    run(path, list(REFRESH), _on(date(2027, 5, 3)))
    ta = shown_values(path, "T&A")
    at = next(n for n, r in enumerate(ta, start=1) if r[0] == "4500000001" and r[ta[0].index("Code")] == "CUT")
    _type(path, "T&A", at, "Actual", date(2027, 5, 6))
    run(path, list(REFRESH), _on(date(2027, 5, 6)))
    return path, list(REFRESH)


def _on(day: date, hour: int = 9) -> Context:
    from datetime import datetime

    return Context(today=day, now=datetime(day.year, day.month, day.day, hour, 0))


def _rows(path: Path) -> list[dict[str, Any]]:
    rows = shown_values(path, "Issues")
    return [dict(zip(rows[0], r)) for r in rows[1:] if any(v is not None for v in r)]


def _forecast_xf(path: Path) -> Any:
    ta = shown_values(path, "T&A")
    head = ta[0]
    return next(r[head.index("Forecast")] for r in ta[1:]
                if r[0] == "4500000001" and r[head.index("Code")] == "XF")


def test_an_undo_of_a_refresh_marks_the_t_and_a_rows_it_left_on_the_issues_sheet(tmp_path):
    """Found in a fortnight of use: after an undo of the day's refresh the T&A was back to the day before's
    forecast, but the Issues sheet still said the undone run's 'forecast ex-factory 27-May-27, 7 day(s) after
    cancel' as a current fact. Its rows are now marked as the undone run's, and the undo says what to press."""
    path, _ = _refreshed_twice(tmp_path)
    (late,) = [r for r in _rows(path) if r["Code"] == "late-for-cancel"]
    assert "forecast ex-factory 27-May-27, 7 day(s) after cancel" in late["Problem"]
    result = run(path, ["undo"], _on(date(2027, 5, 6), 10))
    assert _forecast_xf(path).date() == date(2027, 5, 24)  # the T&A is as the 3 May run left it
    (late,) = [r for r in _rows(path) if r["Code"] == "late-for-cancel"]
    undone = result.outcomes[0].data["undone"]
    assert late["Problem"].startswith(f"[From the run undone, '{undone}': press Rebuild T&A to check again] ")
    assert late["Found By"] == "Rebuild T&A"
    # the records' rows are not the T&A's: they are not marked
    assert not [r for r in _rows(path) if r["Found By"] == "Check records" and r["Problem"].startswith("[")]
    said = "\n".join(line for o in result.outcomes for line in o.summary)
    assert "Issues: 2 row(s) found by Rebuild T&A are as the run undone left them" in said
    assert "Press Rebuild T&A (prodbook ta) to check them again" in said
    # a Rebuild T&A checks them again: the row says the T&A's forecast, unmarked, and a second undo is not muddled
    run(path, ["ta"], _on(date(2027, 5, 6), 11))
    (late,) = [r for r in _rows(path) if r["Code"] == "late-for-cancel"]
    assert not late["Problem"].startswith("[")
    assert "7 day(s) after cancel" in late["Problem"]  # the Actual typed on 6 May is still there: rebuilt so


def test_a_second_undo_marks_a_row_once(tmp_path):
    path, _ = _refreshed_twice(tmp_path)
    run(path, ["undo"], _on(date(2027, 5, 6), 10))
    result = run(path, ["undo"], _on(date(2027, 5, 6), 11))  # the 3 May refresh too: the T&A back to empty
    (late,) = [r for r in _rows(path) if r["Code"] == "late-for-cancel"]
    assert late["Problem"].count("[From the run undone") == 1
    assert f"'{result.outcomes[0].data['undone']}'" in late["Problem"]


def test_the_check_after_an_undo_leaves_the_marked_rows_to_the_undos_line(tmp_path):
    """The first refresh locks the adopted styles (the Style Snapshot): its undo puts that back, so the records
    are checked again. The T&A's rows the undo marked were said twice, with two pieces of advice ('Press Rebuild
    T&A' and the check's 'left as they were ... prodbook refresh checks them all again'): the undo's line alone
    speaks of them now (h140)."""
    from conftest import base_sheets, write_book
    from prodbook.jobs.runner import REFRESH

    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    run(path, list(REFRESH), _on(date(2027, 5, 3)))
    result = run(path, ["undo"], _on(date(2027, 5, 3), 10))
    said = "\n".join(line for o in result.outcomes for line in o.summary)
    assert "The records were checked again for the Issues sheet. Checked " in said
    assert "Issues: 2 row(s) found by Rebuild T&A are as the run undone left them" in said
    assert said.count("Issues:") == 1 and "left as they were" not in said
    assert all(r["Problem"].startswith("[From the run undone") for r in _rows(path) if r["Found By"] == "Rebuild T&A")


# --- only the rows of the steps and files the undone run read (h140) ------------------------------------------

def _two_wip_imports(tmp_path: Path) -> tuple[Path, RunResult]:
    """A T&A rebuild, then two WIP imports of a day each, each with a PO not on Orders (an Issues row found in its
    file), then the second import undone. The first file is the vendor's newer report (a report read later than
    a newer one checks nothing of it again: its rows stay as the undone run found them)."""
    from test_undo import GREY, NAVY, ctx, vendor_csv, wip_book

    path = wip_book(tmp_path)
    run(path, ["ta"], ctx(date(2027, 3, 1)))
    first = vendor_csv(tmp_path, [NAVY, ("4599999999", "S9", "Red", 10, "ok")], "BD1_wip_20270303.csv")
    run(path, ["wip"], ctx(date(2027, 3, 3), files=(first,)))
    second = vendor_csv(tmp_path, [GREY, ("4599999998", "S8", "Blue", 10, "ok")], "BD1_wip_20270302.csv")
    run(path, ["wip"], ctx(date(2027, 3, 3), hour=10, files=(second,)))
    return path, run(path, ["undo"], ctx(date(2027, 3, 3), hour=11))


def test_an_undone_wip_import_marks_only_the_rows_of_the_file_it_read(tmp_path):
    """Found in review: the undo marked every WIP row (other files' too) and the T&A's rows, which the undone
    import never wrote: the steps came from the sheets put back, not from what the run did."""
    path, result = _two_wip_imports(tmp_path)
    rows = _rows(path)
    marked = [r for r in rows if str(r["Problem"]).startswith("[From the run undone")]
    assert marked and {r["Found In"] for r in marked} == {"BD1_wip_20270302.csv"}
    assert {r["Found By"] for r in marked} == {"Import vendor WIP"}
    # the first file's row and the T&A's rows are as true as before: unmarked
    (other,) = [r for r in rows if r["Found In"] == "BD1_wip_20270303.csv"]
    assert other["Problem"].startswith("PO 4599999999 is not on the Orders sheet")
    assert [r for r in rows if r["Found By"] == "Rebuild T&A"]
    assert not [r for r in rows if r["Found By"] == "Rebuild T&A" and str(r["Problem"]).startswith("[")]
    said = "\n".join(line for o in result.outcomes for line in o.summary)
    assert f"Issues: {len(marked)} row(s) found by Import vendor WIP are as the run undone left them" in said


def test_a_wip_mark_names_the_file_to_import_again(tmp_path):
    """The mark said 'press Refresh all with the vendor files', but the daily folder never holds the undone file
    again: it names that file, which is how the row is checked again (or Dismiss it)."""
    path, result = _two_wip_imports(tmp_path)
    undone = result.outcomes[0].data["undone"]
    marked = [r for r in _rows(path) if str(r["Problem"]).startswith("[From the run undone")]
    assert all(r["Problem"].startswith(f"[From the run undone, '{undone}': press Import vendor WIP with "
                                       f"'BD1_wip_20270302.csv' to check again] ") for r in marked)
    said = "\n".join(line for o in result.outcomes for line in o.summary)
    assert "Press Import vendor WIP with the file each row names (prodbook wip WORKBOOK FILE)" in said
    assert "Refresh all with the vendor files" not in said


# --- every row of a file the undone run read, and a mark made once whatever the file's name (h144) ------------

def _marked(path: Path) -> list[dict[str, Any]]:
    return [r for r in _rows(path) if str(r["Problem"]).startswith("[From the run undone")]


def test_an_undone_import_of_a_file_read_again_marks_that_files_rows(tmp_path):
    """Found in review: the same vendor file read again with new figures updates its rows without changing their
    Source File, and the undo marked none of that file's Issues rows (it knew the files read by a new row's or a
    changed Source File only): the row of a PO not on Orders stayed as a current fact of the undone run."""
    from test_undo import GREY, ctx, vendor_csv, wip_book

    path = wip_book(tmp_path)
    run(path, ["ta"], ctx(date(2027, 3, 1)))
    # another report of the vendor's, dated after the one read again below (a newer report checks an older one's
    # rows again, and they leave when it lacks them: this one's stay)
    older = vendor_csv(tmp_path, [GREY, ("4599999997", "S7", "Pink", 10, "ok")], "BD1_wip_20270305.csv")
    run(path, ["wip"], ctx(date(2027, 3, 2), files=(older,)))
    name = "BD1_wip_20270301.csv"
    lines = [("4500000001", "S1", "Navy", 1150, "on time"), ("4599999999", "S9", "Red", 10, "ok")]
    run(path, ["wip"], ctx(date(2027, 3, 3), files=(vendor_csv(tmp_path, lines, name),)))
    lines[0] = ("4500000001", "S1", "Navy", 1200, "on time")  # the vendor's corrected cut quantity, same file name
    again = run(path, ["wip"], ctx(date(2027, 3, 3), hour=10, files=(vendor_csv(tmp_path, lines, name),)))
    assert {(c.field, c.new) for o in again.outcomes for c in o.changes} == {("Cut Qty", 1200)}  # no Source File
    result = run(path, ["undo"], ctx(date(2027, 3, 3), hour=11))
    assert result.outcomes[0].data["undone"] == again.action
    marked = _marked(path)  # the PO not on Orders, and the file's report older than the vendor's other one
    assert [r["Found In"] for r in marked] == [name, name]
    assert sorted(r["Code"] for r in marked) == ["wip-report-older", "wip-unmatched"]
    (unmatched,) = [r for r in marked if r["Code"] == "wip-unmatched"]
    assert unmatched["Problem"].startswith(f"[From the run undone, '{again.action}': press Import vendor WIP with "
                                           f"'{name}' to check again] PO 4599999999 is not on the Orders sheet")
    # the older file's row, which the undone run never read, and the T&A's rows are as true as before
    other = [r["Problem"] for r in _rows(path) if r["Found In"] == "BD1_wip_20270305.csv"]
    assert any(p.startswith("PO 4599999997 is not on the Orders sheet") for p in other)
    assert not [p for p in other if p.startswith("[")]
    assert not [r for r in _rows(path) if r["Found By"] == "Rebuild T&A" and str(r["Problem"]).startswith("[")]
    said = "\n".join(line for o in result.outcomes for line in o.summary)
    assert "Issues: 2 row(s) found by Import vendor WIP are as the run undone left them" in said


@pytest.mark.parametrize("name", ["BD1_wip_20270301 [wk 9].csv", "BD1_wip_20270301 Men's [wk 9].csv"])
def test_a_second_undo_marks_a_row_once_whatever_its_files_name(tmp_path, name):
    """A vendor file named 'BD1_wip_20270301 [wk 9].csv': the mark names the file, and its ']' ended the mark where
    the next undo looked for its end, so the second undo put a second mark before the first."""
    from test_undo import NAVY, ctx, vendor_csv, wip_book

    path = wip_book(tmp_path)
    grey = ("4500000001", "S1", "Heather Grey", 600, "late")  # the second read adds its line
    unknown = ("4599999999", "S9", "Red", 10, "ok")
    run(path, ["wip"], ctx(date(2027, 3, 3), files=(vendor_csv(tmp_path, [NAVY, unknown], name),)))
    second = run(path, ["wip"], ctx(date(2027, 3, 3), hour=10,
                                     files=(vendor_csv(tmp_path, [NAVY, grey, unknown], name),)))
    assert run(path, ["undo"], ctx(date(2027, 3, 3), hour=11)).outcomes[0].data["undone"] == second.action
    (row,) = _marked(path)
    first_mark = f"[From the run undone, '{second.action}': press Import vendor WIP with '{name}' to check again] "
    assert row["Problem"].startswith(first_mark + "PO 4599999999 is not on the Orders sheet")
    problem = row["Problem"][len(first_mark):]  # as the import wrote it
    result = run(path, ["undo"], ctx(date(2027, 3, 3), hour=12))  # the first import, which read the file too
    undone = result.outcomes[0].data["undone"]
    assert undone != second.action and undone.startswith("Import vendor WIP")
    (row,) = _marked(path)
    assert row["Problem"].count("[From the run undone") == 1, row["Problem"]
    assert row["Problem"] == f"[From the run undone, '{undone}': press Import vendor WIP with '{name}' to check " \
                             f"again] {problem}"
