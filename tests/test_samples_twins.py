"""Two samples of one style, type and colour (sizes 27 and 30 of a proto; a line-review and a customs proto)
are two records on the Issues sheet: the APM's Dismiss and Notes on one stay with it when a row is typed above
them or the other one's row is deleted (audit 192, H5: they shared the Key 'S1 / Proto / Navy', so the cell
decided, and the Dismiss went to the other sample)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import base_sheets, decide_issue, write_book
from prodbook.core.development.samples import issue_key
from prodbook.core.keys import key_match
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run

TODAY = date(2026, 11, 25)
HEADER = ["Style #", "Sample Type", "Purpose", "Color", "Size", "Qty", "Requested", "Due", "Shipped", "Courier",
          "Tracking #", "Received", "Status", "Comments"]
SHIPPED = "I"  # the column a late sample's row points at


def sample(size: str, purpose: str = "Line review", style: str = "S1") -> list[Any]:
    """A proto due 22-Nov and not shipped: late on 25-Nov."""
    return [style, "Proto", purpose, "Navy", size, 3, datetime(2026, 10, 29), datetime(2026, 11, 22), None, None,
            None, None, "Requested", None]


def tracker(tmp_path: Path, rows: list[list[Any]]) -> Path:
    return write_book(tmp_path / "tracker.xlsx", {**base_sheets(), "Samples": [HEADER, *rows]})


def put_samples(book: Path, rows: list[list[Any]]) -> None:
    """The Samples sheet as the APM left it after typing a row above, or deleting one: every row moved."""
    wb = openpyxl.load_workbook(book)
    ws = wb["Samples"]
    ws.delete_rows(2, ws.max_row)
    for row in rows:
        ws.append(row)
    for table in ws.tables.values():
        table.ref = f"A1:N{max(len(rows) + 1, 2)}"
    wb.save(book)


def validate(book: Path) -> list[str]:
    result = run(book, ["validate"], Context(today=TODAY, now=datetime(2026, 11, 25, 9, 0)))
    return [line for o in result.outcomes for line in o.summary if line.startswith("Issues:")]


def late_rows(book: Path) -> list[dict[str, Any]]:
    ws = openpyxl.load_workbook(book)["Issues"]
    head = [c.value for c in ws[1]]
    rows = [dict(zip(head, r)) for r in ws.iter_rows(min_row=2, values_only=True)]
    return [r for r in rows if r["Code"] == "sample-late"]


def decide(book: Path, cell: str, accept: str, notes: str) -> None:
    """Accept and Notes typed on the Issues row of a late sample, found by its cell."""
    decide_issue(book, lambda r: r["Code"] == "sample-late" and f"!{cell}\"" in str(r["Cell"]), accept, notes)


def by_cell(book: Path) -> dict[str, tuple[Any, Any]]:
    """Each late sample's Issues row by the Samples cell it points at: (Accept, Notes)."""
    return {str(r["Cell"]).split("!")[-1].split('"')[0]: (r["Accept"], r.get("Notes")) for r in late_rows(book)}


TWINS = {"sizes 27 and 30": (sample("27"), sample("30")),
         "a line-review and a customs proto": (sample("27"), sample("27", "CBP ruling request"))}


@pytest.mark.parametrize("twins", TWINS.values(), ids=list(TWINS))
def test_a_row_typed_above_twins_leaves_each_its_own_dismiss(tmp_path, twins):
    """E07: the second twin (row 3) dismissed; a new sample typed in row 2 moves both down one. The Dismiss and
    the note stay with the second twin (now row 4), the first (now row 3) stays undecided."""
    first, second = twins
    book = tracker(tmp_path, [first, second])
    validate(book)
    assert set(by_cell(book)) == {f"{SHIPPED}2", f"{SHIPPED}3"}
    decide(book, f"{SHIPPED}3", "Dismiss", "ships with bulk, agreed")
    put_samples(book, [sample("M", style="S2"), first, second])
    said = validate(book)
    got = by_cell(book)
    assert got[f"{SHIPPED}4"] == ("Dismiss", "ships with bulk, agreed"), got
    assert got[f"{SHIPPED}3"] == (None, None), got
    assert "1 dismissed and still so" in " ".join(said)


@pytest.mark.parametrize("twins", TWINS.values(), ids=list(TWINS))
def test_deleting_the_dismissed_twin_does_not_hide_the_other(tmp_path, twins):
    """E07b: the first twin (row 2) dismissed, then its row deleted (the buyer dropped it): the second, still
    late, moves up to row 2 and is undecided; the Dismiss went with the deleted sample."""
    first, second = twins
    book = tracker(tmp_path, [first, second])
    validate(book)
    decide(book, f"{SHIPPED}2", "Dismiss", "dropped by the buyer")
    put_samples(book, [second])
    said = validate(book)
    assert by_cell(book) == {f"{SHIPPED}2": (None, None)}
    assert "1 dismissed." in " ".join(said)


def test_a_dismiss_from_before_size_and_purpose_were_in_the_key_is_kept(tmp_path):
    """An Issues sheet an older prodbook wrote ('S1 / Proto / Navy' for both twins): each row continues at its
    own cell in the new Key, the Dismiss and the note with it, once."""
    book = tracker(tmp_path, [sample("27"), sample("30")])
    validate(book)
    wb = openpyxl.load_workbook(book)
    ws = wb["Issues"]
    key = [c.value for c in ws[1]].index("Key") + 1
    for r in range(2, ws.max_row + 1):
        if str(ws.cell(r, key).value).startswith("S1 / Proto / Navy / "):
            ws.cell(r, key, "S1 / Proto / Navy")
    wb.save(book)
    decide(book, f"{SHIPPED}3", "Dismiss", "size 30 ships with bulk")
    validate(book)
    assert by_cell(book) == {f"{SHIPPED}2": (None, None), f"{SHIPPED}3": ("Dismiss", "size 30 ships with bulk")}
    assert {r["Key"] for r in late_rows(book)} == {"S1 / Proto / Navy / 27 / Line review",
                                                    "S1 / Proto / Navy / 30 / Line review"}


PART = st.one_of(st.none(), st.text(alphabet="AZaz09 -", min_size=1, max_size=6).filter(lambda s: s.strip()))


@given(st.text(alphabet="AZ09-", min_size=1, max_size=6), st.sampled_from(["Proto", "Fit", "PP"]), PART, PART, PART,
       PART)
def test_the_key_tells_twins_apart_and_grows_from_the_old_one(style, kind, color, size, other_size, purpose):
    """Two samples differing only by Size (or Purpose) have two Keys; each Key starts with the one an older
    prodbook wrote (Style / Type / Color), so an older run's row is found at its cell (``open_findings.GROWN``)."""
    r = {"style": style, "sample_type": kind, "color": color, "size": size, "purpose": purpose}
    old = key_match(f"{style} / {kind}" + (f" / {color}" if color else ""))
    new = key_match(issue_key(r))
    assert new == old or new.startswith(old + " / ")
    if (size or "").strip() != (other_size or "").strip():
        assert key_match(issue_key({**r, "size": other_size})) != new
    assert key_match(issue_key({**r, "purpose": "CBP ruling request"})) != key_match(
        issue_key({**r, "purpose": "Line review"}))
