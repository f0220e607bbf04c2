"""Audit of `prodbook validate` and the Issues sheet, as an APM with a messy tracker meets them.

Real tracker files (openpyxl builds them, prodbook writes them, openpyxl reads them back); the merge of
Issues rows run after run is also held to its invariants with hypothesis.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.worksheet.table import TableColumn

from conftest import base_sheets, shown_values, write_book
from prodbook.core.model.sheets import ISSUES
from prodbook.core.open_findings import Checked, merge
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run

SAMPLES = [["Style #", "Sample Type", "Purpose", "Color", "Size", "Qty", "Requested", "Due", "Shipped", "Courier",
            "Tracking #", "Received", "Status", "Comments"],
           ["S1", "Fit", "Fit", "Navy", "M", 2, date(2027, 2, 1), date(2027, 2, 20), None, None, None, None,
            "Requested", None]]
DAY1 = date(2027, 3, 1)


def ctx(day: date) -> Context:
    return Context(today=day, now=datetime.combine(day, datetime.min.time()).replace(hour=9), files=())


def issues(path: Path) -> list[dict[str, Any]]:
    rows = shown_values(path, "Issues")
    return [dict(zip(rows[0], r)) for r in rows[1:] if any(v is not None for v in r)]


def add_note_column(path: Path, notes: dict[str, str]) -> None:
    """The APM adds 'My Notes' to the Issues table and writes a note on the row of each code in ``notes``."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Issues"]
    headers = [c.value for c in ws[1]]
    col = len(headers) + 1
    ws.cell(1, col).value = "My Notes"
    table = next(iter(ws.tables.values()))
    first, last = table.ref.split(":")
    table.ref = f"{first}:{openpyxl.utils.get_column_letter(col)}{ws.max_row}"
    table.tableColumns.append(TableColumn(id=col, name="My Notes"))
    code_at = headers.index("Code") + 1
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, code_at).value in notes:
            ws.cell(r, col).value = notes[ws.cell(r, code_at).value]
    wb.save(path)


def test_a_finding_whose_sentence_counts_days_keeps_the_apms_note_and_found_on(tmp_path: Path) -> None:
    """'has not shipped (9 day(s) late)' reads '(10 day(s) late)' the next day: the same issue, so the note the
    APM typed beside it and the day it was first found stay with it (before: a fresh row, note dropped)."""
    sheets = base_sheets()
    sheets["Samples"] = [r[:] for r in SAMPLES]
    path = write_book(tmp_path / "tracker.xlsx", sheets)
    run(path, ["validate"], ctx(DAY1))
    late = next(r for r in issues(path) if r["Code"] == "sample-late")
    assert "9 day(s) late" in late["Problem"]
    add_note_column(path, {"sample-late": "courier booked Fri"})
    for day in (DAY1 + timedelta(days=1), DAY1 + timedelta(days=2)):
        run(path, ["validate"], ctx(day))
        rows = [r for r in issues(path) if r["Code"] == "sample-late"]
        assert len(rows) == 1
        assert f"{(day - date(2027, 2, 20)).days} day(s) late" in rows[0]["Problem"]  # the sentence is today's
        assert rows[0]["My Notes"] == "courier booked Fri", rows[0]
        assert rows[0]["Found On"] == datetime(2027, 3, 1)


FIELDS = list(ISSUES.fields)
IDENTITY = st.tuples(st.sampled_from(["Orders", "Styles", "Samples"]), st.sampled_from(["Qty", "Due", "COO"]),
                     st.sampled_from(["K1", "K2", "K3", ""]), st.sampled_from(["sample-late", "bad-number"]),
                     st.integers(min_value=2, max_value=60))


@settings(max_examples=200, deadline=None)
@given(st.lists(IDENTITY, min_size=1, max_size=12, unique_by=lambda t: t[:4] + ((t[4],) if not t[2] else ())),
       st.data())
def test_fixing_cells_removes_exactly_their_rows_and_every_other_row_continues(ids: list[tuple], data: Any) -> None:
    """Whatever the day counts in the sentences do, a run that no longer finds some findings (their cells were
    fixed) drops exactly those rows, and every other row continues the row it was (its Accept and the APM's
    columns go with it) with its first Found On."""
    def row(i: tuple, days: int) -> dict[str, Any]:
        sheet, field, key, code, r = i
        return {"sheet": sheet, "cell": f"B{r}", "key": key, "field": field, "code": code, "severity": "warning",
                "problem": f"due and not shipped ({days} day(s) late)", "found_by": "Check records",
                "found_on": DAY1}

    before = [row(i, 3) for i in ids]
    old = pd.DataFrame([{**r, "_row": n} for n, r in enumerate(before, 2)])
    fixed = data.draw(st.sets(st.integers(min_value=0, max_value=len(ids) - 1)))
    moved = data.draw(st.lists(st.integers(min_value=3, max_value=9), min_size=len(ids), max_size=len(ids)))
    later = [(n, {**row(i, moved[n]), "found_on": DAY1 + timedelta(days=1)}) for n, i in enumerate(ids)
             if n not in fixed]
    new = pd.DataFrame([r for _, r in later], columns=FIELDS)
    m = merge(old, new, Checked(DAY1 + timedelta(days=1), frozenset({"Check records"})), FIELDS)
    assert len(m.frame) == len(ids) - len(fixed)
    assert sorted(s for s in m.source if s is not None) == sorted(n + 2 for n, _ in later)
    for (_, r), got in zip(sorted(later, key=lambda p: p[0] + 2), sorted(
            zip(m.source, m.frame.to_dict("records")), key=lambda p: p[0] or 0)):
        assert got[1]["problem"] == r["problem"] and got[1]["found_on"] == DAY1


def test_thousands_of_one_error_are_said_once_in_the_run_message(tmp_path: Path) -> None:
    """5,000 rows of 'TBC' in Qty: the run's summary says it is one problem down one column, where, and how to
    see them together, instead of leaving the APM 5,000 lines to read (and the one other error buried)."""
    sheets = base_sheets()
    orders = sheets["Orders"]
    for k in range(2000):
        orders.append([str(4600000000 + k), "S1", "Navy", "TBC", date(2027, 1, 4), date(2027, 4, 15),
                       date(2027, 5, 10), date(2027, 5, 20)])
    orders[1][7] = "#REF!"
    path = write_book(tmp_path / "tracker.xlsx", sheets)
    result = run(path, ["validate"], ctx(DAY1))
    summary = [line for o in result.outcomes for line in o.summary]
    said = [line for line in summary if "2,000 cells" in line]
    assert len(said) == 1, summary
    assert "Orders, column 'Qty'" in said[0] and "rows 4 to 2,003" in said[0] and "bad-number" in said[0]
    assert "'TBC' is not a number" in said[0]
    assert not any("Cancel Date" in line and "cells" in line for line in summary)  # one #REF! is not a group
    assert sum(r["Code"] == "bad-number" for r in issues(path)) == 2000


def test_a_run_with_nothing_changed_writes_nothing(tmp_path: Path) -> None:
    """The second run over a damaged tracker (nothing fixed) leaves the file's bytes and modified time alone."""
    sheets = base_sheets()
    sheets["Orders"][1][3] = "TBC"
    sheets["Orders"][2][5] = "#N/A"
    path = write_book(tmp_path / "tracker.xlsx", sheets)
    run(path, ["validate"], ctx(DAY1))
    data, stamp = path.read_bytes(), os.stat(path).st_mtime_ns
    run(path, ["validate"], ctx(DAY1))
    assert path.read_bytes() == data and os.stat(path).st_mtime_ns == stamp


def test_a_dismissed_excel_error_stays_dismissed(tmp_path: Path) -> None:
    """The APM dismisses the #N/A in Qty (the planner fills it on Monday): the next run keeps their Dismiss, as
    it does for any other value that has not changed (before: the Value read back blank, so 'values changed')."""
    sheets = base_sheets()
    sheets["Orders"][1][3] = "#N/A"
    path = write_book(tmp_path / "tracker.xlsx", sheets)
    run(path, ["validate"], ctx(DAY1))
    wb = openpyxl.load_workbook(path)
    ws = wb["Issues"]
    headers = [c.value for c in ws[1]]
    at = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, headers.index("Code") + 1).value == "bad-number")
    assert "#N/A" in ws.cell(at, headers.index("Value") + 1).value
    ws.cell(at, headers.index("Accept") + 1).value = "Dismiss"
    wb.save(path)
    run(path, ["validate"], ctx(DAY1 + timedelta(days=1)))
    row = next(r for r in issues(path) if r["Code"] == "bad-number")
    assert row["Accept"] == "Dismiss" and row["Found On"] == datetime(2027, 3, 1)


def test_the_command_prints_a_few_of_each_kind_so_the_one_other_error_shows(tmp_path: Path) -> None:
    """`prodbook validate` printed the first 15 errors: 15 'TBC' in Qty, and the #REF! in Cancel Date after
    them never on screen. A few of each kind now, then the others, then how many more."""
    from click.testing import CliRunner

    from prodbook.cli import SHOWN_ALIKE, main

    sheets = base_sheets()
    for k in range(40):
        sheets["Orders"].append([str(4600000000 + k), "S1", "Navy", "TBC", date(2027, 1, 4), date(2027, 4, 15),
                                 date(2027, 5, 10), date(2027, 5, 20)])
    sheets["Orders"].append(["4600009999", "S1", "Navy", 10, date(2027, 1, 4), date(2027, 4, 15),
                             date(2027, 5, 10), "#REF!"])
    path = write_book(tmp_path / "tracker.xlsx", sheets)
    out = CliRunner().invoke(main, ["validate", str(path), "--today", DAY1.isoformat()]).output
    printed = [line for line in out.splitlines() if line.startswith("ERROR")]
    assert sum("'TBC'" in line for line in printed) == SHOWN_ALIKE, out
    assert any("#REF!" in line for line in printed), out
    errors = int(re.search(r"Checked [\d,]+ rows[^:]*: ([\d,]+) error", out)[1].replace(",", ""))
    assert f"... and {errors - len(printed):,} more errors: see the Issues sheet" in out
