"""An Issues row an older prodbook wrote with a shorter Key is the same finding when this run's Key only adds parts
after it, at the same cell, by the same check: a Lab Dips row it named 'S1 / Heather Gray' is named
'S1 / Heather Gray / 2' now (its whole key, which Apply fixes finds the row by). The APM's Dismiss and notes on
last week's row stay with it, and the Other Value the older row did not have (a Proposed Value offered now) does
not bring a dismissed row back."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd

from conftest import add_notes_column, write_book
from prodbook.core.model.sheets import ISSUES
from prodbook.core.open_findings import Checked, merge
from prodbook.jobs.runner import run
from test_development import DIPS, STYLE_HEADER, ctx, issue_rows, sheets

TODAY = date(2027, 3, 1)
CHECKED = Checked(today=TODAY, steps=frozenset({"validate"}))


def row(key: str, cell: str = "B3", **more: Any) -> dict[str, Any]:
    base = {"sheet": "Lab Dips", "cell": cell, "key": key, "field": "Color", "value": "Heather Gray",
            "problem": "colour 'Heather Gray' is not one of style S1's colours; did you mean Heather Grey?",
            "severity": "warning", "code": "color-unknown", "other_value": None, "other_source": None,
            "proposed": None, "accept": None, "found_in": None, "found_on": date(2027, 2, 22),
            "found_by": "validate"}
    return {**base, **more}


def merged(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[int | None]]:
    before = pd.DataFrame([{**r, "_row": i + 2} for i, r in enumerate(old)])
    m = merge(before, pd.DataFrame(new, columns=list(ISSUES.fields)), CHECKED, list(ISSUES.fields))
    return m.frame.to_dict("records"), m.source


NOW = dict(key="S1 / Heather Gray / 2", other_value="Heather Grey", other_source="colours of style S1",
           proposed="Heather Grey", found_on=TODAY)


def test_a_dismissed_row_whose_key_grew_a_part_stays_dismissed():
    rows, source = merged([row("S1 / Heather Gray", accept="Dismiss")], [row(**NOW)])
    assert source == [2] and rows[0]["accept"] == "Dismiss" and rows[0]["key"] == "S1 / Heather Gray / 2"
    assert rows[0]["found_on"] == date(2027, 2, 22)


def test_an_undecided_row_whose_key_grew_keeps_its_row_and_first_found_on():
    rows, source = merged([row("S1 / Heather Gray")], [row(**NOW)])
    assert source == [2] and rows[0]["found_on"] == date(2027, 2, 22)
    assert rows[0]["proposed"] == "Heather Grey"  # this run's proposal: the older row had none


def test_a_style_key_that_grew_its_colour_and_round_is_the_same_finding():
    old = row("SS27-KT-1OO3", cell="A5", field="Style #", code="style-unknown", value="SS27-KT-1OO3",
              accept="Dismiss")
    new = row("SS27-KT-1OO3 / Navy / 1", cell="A5", field="Style #", code="style-unknown", value="SS27-KT-1OO3",
              other_value="SS27-KT-1003", proposed="SS27-KT-1003")
    assert merged([old], [new])[1] == [2]


def test_not_the_same_finding_at_another_cell_with_another_key_or_value():
    dismissed = row("S1 / Heather Gray", accept="Dismiss")
    assert merged([dismissed], [row(**{**NOW, "cell": "B4"})])[1] == [None]  # the sheet was sorted: not guessed
    assert merged([dismissed], [row(**{**NOW, "key": "S1 / Heather Grayish / 2"})])[1] == [None]
    assert merged([row("S1 / Heather Gray / 2")], [row("S1 / Heather Gray")])[1] == [None]  # a key that shrank
    assert merged([dismissed], [row(**{**NOW, "code": "style-unknown"})])[1] == [None]
    assert merged([row("S1 / Heather Gray", cell=None)], [row(**{**NOW, "cell": None})])[1] == [None]  # no cell
    rows, source = merged([dismissed], [row(**{**NOW, "value": "Heather Grye"})])
    assert source == [2] and rows[0]["accept"] is None  # dismissed, found again with another value: asked again


def test_an_exact_match_is_taken_before_a_grown_one():
    # this run finds both the shorter key (an Option-less row) and a longer one at the same cell: the old row
    # continues the one that is exactly it
    rows, source = merged([row("S1 / Heather Gray", accept="Dismiss")],
                          [row("S1 / Heather Gray"), row(**{**NOW, "key": "S1 / Heather Gray / 2"})])
    assert dict(zip((r["key"] for r in rows), source)) == {"S1 / Heather Gray": 2, "S1 / Heather Gray / 2": None}


def test_a_vendor_value_that_moved_still_brings_a_decided_row_back():
    # a row of the same key form keeps comparing its Other Value: only an older form's blank is not a value
    old = row("S1 / Heather Gray / 2", accept="Dismiss", other_value="Heather Grey")
    rows, source = merged([old], [row(**{**NOW, "other_value": "Heather Grey 2"})])
    assert source == [2] and rows[0]["accept"] is None


# -- on a real workbook: last week's Issues sheet, as the older prodbook left it --------------------------------

def dip(style: str, color: str, round_: int) -> list[Any]:
    return [style, color, "Jersey", "Mill A", round_, date(2027, 1, 8), date(2027, 1, 12), None, None, None]


def as_an_older_run_wrote_it(path: Path) -> None:
    """The Issues sheet as prodbook wrote it before a Lab Dips row was named by its whole key (checked against that
    version's own output): Key 'S1 / Heather Gray' and 'SS27-KT-1OO3', no Other Value, Source or Proposed Value.
    Then the APM dismisses the colour and types a note beside the style, in a column of their own."""
    note = add_notes_column(path, "My Note")
    wb = openpyxl.load_workbook(path)
    ws = wb["Issues"]
    at = {c.value: c.column for c in ws[1]}
    for r in range(2, ws.max_row + 1):
        key = ws.cell(r, at["Key"]).value
        if ws.cell(r, at["Sheet"]).value != "Lab Dips":
            continue
        ws.cell(r, at["Key"]).value = {"S1 / Heather Gray / 2": "S1 / Heather Gray",
                                       "SS27-KT-1OO3 / Navy / 1": "SS27-KT-1OO3"}[key]
        for h in ("Other Value", "Other Source", "Proposed Value"):
            ws.cell(r, at[h]).value = None
        if key.startswith("S1 "):
            ws.cell(r, at["Accept"]).value = "Dismiss"
        else:
            ws.cell(r, note).value = "asked the mill for the style number"
    wb.save(path)


def test_last_weeks_dismiss_and_note_on_lab_dips_rows_are_kept_once_the_keys_grew(tmp_path):
    s = sheets()
    s["Styles"][1][STYLE_HEADER.index("Colors")] = "Navy, Heather Grey"
    for style in ("SS27-KT-1003", "SS27-KT-1013"):
        s["Styles"].append([style, *s["Styles"][1][1:]])
    s["Lab Dips"] = [DIPS, dip("S1", "Navy", 1), dip("S1", "Heather Gray", 2), dip("SS27-KT-1OO3", "Navy", 1)]
    path = write_book(tmp_path / "dips.xlsx", s)
    run(path, ["validate"], ctx())
    as_an_older_run_wrote_it(path)
    result = run(path, ["validate"], ctx())
    rows = {r["Key"]: r for r in issue_rows(path) if r["Sheet"] == "Lab Dips"}
    assert set(rows) == {"S1 / Heather Gray / 2", "SS27-KT-1OO3 / Navy / 1"}
    color, style = rows["S1 / Heather Gray / 2"], rows["SS27-KT-1OO3 / Navy / 1"]
    assert color["Accept"] == "Dismiss" and color["Proposed Value"] == "Heather Grey"
    assert style["My Note"] == "asked the mill for the style number" and style["Accept"] is None
    assert style["Proposed Value"] == "SS27-KT-1003"
    said = " ".join(line for o in result.outcomes for line in o.summary)
    assert "1 dismissed and still so" in said, said
