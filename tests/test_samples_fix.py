"""A Samples row whose Style # or Color is a typo carries its one clear "did you mean" as a Proposed Value, as a
Lab Dips row does: Accept = Yes, then Apply fixes writes it, logged, and Undo last puts the typed text back.
Samples has no key columns, so the row is found by its identity (``SheetSpec.identity``: Style # / Sample Type /
Color / Size / Purpose, the Issues Key every Samples finding has; the Change Log adds Qty and Requested), never by
the row it was on when checked: the APM may sort the sheet between the check and Apply, or between Apply and Undo.
Two rows alike in all of it are refused, nothing written. The Issues Key of an unknown-style row is that whole
identity, not the style alone, so two samples of one typo'd style keep their own Dismiss; an Issues sheet an older
prodbook wrote with the style alone keeps its Dismiss once (``open_findings.GROWN``)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import decide_issue, sheet_values, write_book
from prodbook.core.findings import Code
from prodbook.core.model.sheets import SAMPLES
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from test_development import SAMPLES as HEADER
from test_development import STYLE_HEADER, sheets
from test_samples_twins import put_samples  # the sheet as the APM left it after a sort (or a row copied)

TODAY = date(2027, 3, 1)
TYPO = "SS27-KT-1OO3"  # the letter O for a zero: SS27-KT-1003, not SS27-KT-1013
RIGHT = "SS27-KT-1003"
STYLE, COLOR = HEADER.index("Style #"), HEADER.index("Color")


def ctx() -> Context:
    return Context(today=TODAY, now=datetime(2027, 3, 1, 9, 0))


def sample(style: str, kind: str = "Proto", color: str = "Navy", size: str = "M", qty: int = 3,
           requested: date = date(2027, 1, 4), purpose: str = "Line review") -> list[Any]:
    """A sample shipped and received in time: the only finding on its row is its unknown style or colour."""
    return [style, kind, purpose, color, size, qty, requested, date(2027, 2, 1), date(2027, 1, 28), "DHL",
            "1234567890", date(2027, 2, 2), "Received", None]


def tracker(tmp_path: Path, rows: list[list[Any]]) -> Path:
    s = sheets()
    s["Styles"][1][STYLE_HEADER.index("Colors")] = "Navy, Heather Grey"
    for style in (RIGHT, "SS27-KT-1013"):  # a style like S1, under another number
        s["Styles"].append([style, *s["Styles"][1][1:]])
    s["Samples"] = [HEADER, *rows]
    return write_book(tmp_path / "tracker.xlsx", s)


def samples_now(book: Path) -> list[list[Any]]:
    return [[v.date() if isinstance(v, datetime) else v for v in r] for r in sheet_values(book, "Samples")[1:]]


def issues(book: Path, code: str) -> list[dict[str, Any]]:
    rows = sheet_values(book, "Issues")
    return [r for r in (dict(zip(rows[0], v)) for v in rows[1:]) if r["Code"] == code and r["Sheet"] == "Samples"]


def accept(book: Path, key: str, code: str = "style-unknown", word: str = "Yes") -> None:
    decide_issue(book, lambda r: r["Code"] == code and r["Key"] == key, word, "")


def apply(book: Path) -> list[Any]:
    return run(book, ["apply", "validate"], ctx(), title="Apply fixes").findings


def samples_log(book: Path) -> list[tuple[Any, ...]]:
    """(Key, Field, Old, New) of the Change Log's Samples lines."""
    return [(r[3], r[4], r[5], r[6]) for r in sheet_values(book, "Change Log")[1:] if r[2] == "Samples"]


def not_applied(found: list[Any]) -> list[str]:
    return [f.message for f in found if f.code is Code.FIX_NOT_APPLIED]


# -- 1. a typo'd style or colour proposed, applied, logged and undone --------------------------------------------

def test_a_typo_style_accepted_is_written_into_its_row_logged_and_undone(tmp_path):
    rows = [sample("S1", "Fit"), sample(TYPO), sample("S1", "PP")]
    book = tracker(tmp_path, rows)
    run(book, ["validate"], ctx())
    [issue] = issues(book, "style-unknown")
    key = f"{TYPO} / Proto / Navy / M / Line review"
    assert (issue["Key"], issue["Value"], issue["Proposed Value"]) == (key, TYPO, RIGHT)
    before = samples_now(book)
    accept(book, key)
    found = apply(book)
    assert not not_applied(found), found
    fixed = [r[:] for r in rows]
    fixed[1][STYLE] = RIGHT
    assert samples_now(book) == fixed  # that one cell, no other
    assert samples_log(book) == [(f"{RIGHT} / Proto / Navy / M / Line review / 3 / 2027-01-04", "Style #", TYPO,
                                  RIGHT)]
    assert not issues(book, "style-unknown")
    run(book, ["undo"], ctx())
    assert samples_now(book) == before


def test_a_typo_colour_accepted_is_written_into_its_row(tmp_path):
    rows = [sample("S1", color="Navy"), sample("S1", color="Heather Gray")]
    book = tracker(tmp_path, rows)
    run(book, ["validate"], ctx())
    [issue] = issues(book, "color-unknown")
    key = "S1 / Proto / Heather Gray / M / Line review"
    assert (issue["Key"], issue["Proposed Value"]) == (key, "Heather Grey")
    accept(book, key, "color-unknown")
    assert not not_applied(apply(book))
    assert [r[COLOR] for r in samples_now(book)] == ["Navy", "Heather Grey"]


# -- 2. a sort between the check and Apply, or between Apply and Undo -------------------------------------------

def test_the_sheet_sorted_between_the_check_and_apply_still_fixes_the_right_sample(tmp_path):
    rows = [sample(TYPO, "Fit"), sample("S1"), sample(TYPO, "PP", size="L")]
    book = tracker(tmp_path, rows)
    run(book, ["validate"], ctx())
    assert {r["Cell"].split("!")[-1].split('"')[0] for r in issues(book, "style-unknown")} == {"A2", "A4"}
    accept(book, f"{TYPO} / PP / Navy / L / Line review")  # the PP sample, on row 4 when checked
    put_samples(book, [rows[2], rows[1], rows[0]])  # sorted Z-A by Sample Type: the PP sample on row 2, Fit on 4
    found = apply(book)
    assert not not_applied(found), found
    now = samples_now(book)
    assert [r[STYLE] for r in now] == [RIGHT, "S1", TYPO]  # the PP sample fixed where it is now; the Fit one not
    assert now[0][HEADER.index("Sample Type")] == "PP"


def test_undo_after_a_sort_puts_the_typo_back_into_the_sample_it_was_taken_from(tmp_path):
    rows = [sample(TYPO), sample("S1", "Fit"), sample(RIGHT, "Fit")]
    book = tracker(tmp_path, rows)
    run(book, ["validate"], ctx())
    accept(book, f"{TYPO} / Proto / Navy / M / Line review")
    apply(book)
    applied = samples_now(book)
    assert applied[0][STYLE] == RIGHT
    put_samples(book, [applied[2], applied[1], applied[0]])  # sorted: the fixed Proto is on row 4 now
    found = run(book, ["undo"], ctx()).findings
    assert not [f for f in found if f.code is Code.UNDO_KEPT], found
    assert samples_now(book) == [rows[2], rows[1], rows[0]]


def test_undo_tells_the_fixed_sample_from_its_resubmission_by_qty_and_requested(tmp_path):
    """A PP sample and its resubmission, alike in Style # / Sample Type / Color / Size / Purpose once Apply fixed
    the typo that told them apart: the Change Log's Key holds Qty and Requested too, so Undo finds the one it
    changed (the Issues Key alone would name both)."""
    first = sample(RIGHT, "PP", qty=2, requested=date(2027, 1, 4))
    again = sample(TYPO, "PP", qty=3, requested=date(2027, 2, 8))
    book = tracker(tmp_path, [first, again])
    run(book, ["validate"], ctx())
    accept(book, f"{TYPO} / PP / Navy / M / Line review")
    apply(book)
    assert [r[STYLE] for r in samples_now(book)] == [RIGHT, RIGHT]
    put_samples(book, [samples_now(book)[1], first])  # sorted newest first
    found = run(book, ["undo"], ctx()).findings
    assert not [f for f in found if f.code is Code.UNDO_KEPT], found
    assert samples_now(book) == [again, first]


# -- 3. two rows alike: refused, nothing written ------------------------------------------------------------------

def test_two_rows_alike_in_the_identity_are_refused_and_nothing_is_written(tmp_path):
    # two protos of the typo'd style, alike in Style # / Sample Type / Color / Size / Purpose (requested a month
    # apart): the Issues row names both, so Apply cannot tell which one it is about
    rows = [sample(TYPO, requested=date(2027, 1, 4)), sample(TYPO, requested=date(2027, 2, 4))]
    book = tracker(tmp_path, rows)
    run(book, ["validate"], ctx())
    key = f"{TYPO} / Proto / Navy / M / Line review"
    assert [r["Key"] for r in issues(book, "style-unknown")] == [key, key]
    decide_issue(book, lambda r: r["Code"] == "style-unknown" and str(r["Cell"]).endswith('A3")'), "Yes", "")
    before = sheet_values(book, "Samples")
    said = not_applied(apply(book))
    assert sheet_values(book, "Samples") == before and not samples_log(book)
    assert len(said) == 1 and "rows 2 and 3 of 'Samples' are each the sample" in said[0], said
    assert f"type '{RIGHT}' into the right one yourself" in said[0]
    assert [r["Accept"] for r in issues(book, "style-unknown")].count("Yes") == 1  # the Yes waits


def test_a_sample_gone_since_the_check_is_refused_and_said(tmp_path):
    rows = [sample(TYPO), sample("S1", "Fit")]
    book = tracker(tmp_path, rows)
    run(book, ["validate"], ctx())
    accept(book, f"{TYPO} / Proto / Navy / M / Line review")
    changed = [r[:] for r in rows]
    changed[0][HEADER.index("Size")] = "L"  # the APM corrected its size: no longer the sample the row named
    put_samples(book, changed)
    said = not_applied(run(book, ["apply"], ctx(), title="Apply fixes").findings)
    assert samples_now(book) == changed and not samples_log(book)
    assert len(said) == 1 and "no row of 'Samples' is the sample" in said[0] and "run validate again" in said[0]


def test_undo_refuses_a_sample_copied_since_apply_and_writes_into_neither(tmp_path):
    rows = [sample(TYPO), sample("S1", "Fit")]
    book = tracker(tmp_path, rows)
    run(book, ["validate"], ctx())
    accept(book, f"{TYPO} / Proto / Navy / M / Line review")
    apply(book)
    applied = samples_now(book)
    put_samples(book, [applied[0], applied[1], applied[0]])  # the fixed row copied below: two alike in all
    copied = samples_now(book)
    found = run(book, ["undo"], ctx()).findings
    kept = [f for f in found if f.code is Code.UNDO_KEPT]
    assert samples_now(book) == copied
    assert len(kept) == 1 and "rows 2 and 4 now have this Style # + Sample Type" in kept[0].message, kept


# -- 4. the Issues Key: twins apart, and an older Key's Dismiss kept once -----------------------------------------

def cell_of(row: dict[str, Any]) -> str:
    return str(row["Cell"]).split("!")[-1].split('"')[0]


def test_two_samples_of_one_typo_style_keep_their_own_dismiss_through_a_sort(tmp_path):
    proto, fit = sample(TYPO), sample(TYPO, "Fit")
    book = tracker(tmp_path, [proto, fit])
    run(book, ["validate"], ctx())
    accept(book, f"{TYPO} / Fit / Navy / M / Line review", word="Dismiss")  # the Fit sample, row 3
    put_samples(book, [fit, proto])  # sorted by Sample Type: the Fit sample on row 2
    result = run(book, ["validate"], ctx())
    by_cell = {cell_of(r): (r["Key"], r["Accept"]) for r in issues(book, "style-unknown")}
    assert by_cell == {"A2": (f"{TYPO} / Fit / Navy / M / Line review", "Dismiss"),
                       "A3": (f"{TYPO} / Proto / Navy / M / Line review", None)}
    assert "1 dismissed and still so" in " ".join(line for o in result.outcomes for line in o.summary)


def as_an_older_run_wrote_it(book: Path) -> None:
    """The Issues sheet as prodbook wrote it before this change (checked against that version's output): an
    unknown-style Samples row keyed by its style alone, no Other Value, Other Source or Proposed Value."""
    wb = openpyxl.load_workbook(book)
    ws = wb["Issues"]
    at = {c.value: c.column for c in ws[1]}
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, at["Sheet"]).value == "Samples" and ws.cell(r, at["Code"]).value == "style-unknown":
            ws.cell(r, at["Key"]).value = ws.cell(r, at["Value"]).value
            for h in ("Other Value", "Other Source", "Proposed Value"):
                ws.cell(r, at[h]).value = None
    wb.save(book)


def test_a_dismiss_on_the_older_style_alone_key_is_kept_once(tmp_path):
    book = tracker(tmp_path, [sample(TYPO), sample(TYPO, "Fit")])
    run(book, ["validate"], ctx())
    as_an_older_run_wrote_it(book)
    assert [r["Key"] for r in issues(book, "style-unknown")] == [TYPO, TYPO]
    decide_issue(book, lambda r: r["Code"] == "style-unknown" and cell_of(r) == "A3", "Dismiss", "the vendor's no.")
    result = run(book, ["validate"], ctx())
    rows = {cell_of(r): r for r in issues(book, "style-unknown")}
    assert {c: (r["Key"], r["Accept"], r["Notes"]) for c, r in rows.items()} == {
        "A2": (f"{TYPO} / Proto / Navy / M / Line review", None, None),
        "A3": (f"{TYPO} / Fit / Navy / M / Line review", "Dismiss", "the vendor's no.")}
    assert rows["A3"]["Proposed Value"] == RIGHT
    assert "1 dismissed and still so" in " ".join(line for o in result.outcomes for line in o.summary)
    run(book, ["validate"], ctx())  # and on: the row is in the new form now
    assert {cell_of(r): r["Accept"] for r in issues(book, "style-unknown")} == {"A2": None, "A3": "Dismiss"}


def test_a_dismiss_on_the_older_style_and_colour_key_is_kept_once(tmp_path):
    book = tracker(tmp_path, [sample("S1", color="Heather Gray")])
    run(book, ["validate"], ctx())
    wb = openpyxl.load_workbook(book)
    ws = wb["Issues"]
    at = {c.value: c.column for c in ws[1]}
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, at["Code"]).value == "color-unknown":
            ws.cell(r, at["Key"]).value = "S1 / Heather Gray"  # as the older prodbook named it
            for h in ("Other Value", "Other Source", "Proposed Value"):
                ws.cell(r, at[h]).value = None
    wb.save(book)
    decide_issue(book, lambda r: r["Code"] == "color-unknown", "Dismiss", "")
    run(book, ["validate"], ctx())
    [row] = issues(book, "color-unknown")
    assert (row["Key"], row["Accept"]) == ("S1 / Proto / Heather Gray / M / Line review", "Dismiss")


# -- 5. whatever the order: the sample the Issues row named, or nothing ------------------------------------------

@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(range(4)), twin=st.booleans())
def test_apply_writes_into_the_sample_it_named_or_into_none(tmp_path_factory, order, twin):
    """Rows sorted in any order between the check and Apply (and, with ``twin``, a copy of the accepted sample
    typed in meanwhile): Apply fixes exactly the accepted sample's Style #, or, with two alike, writes nothing."""
    rows = [sample(TYPO), sample(TYPO, "Fit"), sample(TYPO, "PP"), sample("S1", "SMS")]
    book = tracker(tmp_path_factory.mktemp("order"), rows)
    run(book, ["validate"], ctx())
    accept(book, f"{TYPO} / Fit / Navy / M / Line review")
    moved = [rows[i] for i in order] + ([rows[1]] if twin else [])
    put_samples(book, moved)
    apply(book)
    expected = [[RIGHT, *r[1:]] if r is rows[1] and not twin else r for r in moved]
    assert samples_now(book) == expected


def test_the_identity_names_the_sheets_columns():
    assert set(SAMPLES.identity) | set(SAMPLES.logged) <= set(SAMPLES.fields) and not SAMPLES.key
