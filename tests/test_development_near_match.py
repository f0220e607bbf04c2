"""A Lab Dips or Samples row whose style or colour matches nothing: the "did you mean" is the one close-match
reading the vendor comparisons use (``keys.near_styles``, ``keys.near_colors``), and on a Lab Dips or Samples row
with exactly one clear match it is a Proposed Value that Accept = Yes writes, logged and undone."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import assert_finding, sheet_values, write_book
from prodbook.core.development import discrepancies
from prodbook.core.findings import Code
from prodbook.core.keys import near_colors, near_styles
from prodbook.jobs.runner import run
from test_development import DIPS, SAMPLES, STYLE_HEADER, ctx, issue_rows, sheets, type_in


def dip(style: str, color: str, round_: Any = 1) -> list[Any]:
    return [style, color, "Jersey", "Mill A", round_, date(2027, 1, 8), date(2027, 1, 12), None, None, None]


def book(tmp_path: Path, s1_colors: str, dips: list[list[Any]], samples: list[list[Any]] | None = None,
         more_styles: list[str] = ()) -> Path:
    s = sheets()
    s["Styles"][1][STYLE_HEADER.index("Colors")] = s1_colors
    for style in more_styles:  # a style like S1, under another number
        s["Styles"].append([style, *s["Styles"][1][1:]])
    s["Lab Dips"] = [DIPS, *dips]
    if samples:
        s["Samples"] = [SAMPLES, *samples]
    return write_book(tmp_path / "near.xlsx", s)


# -- 1. one close-match reading ------------------------------------------------------------------------------

def test_a_style_typed_with_the_letter_o_for_a_zero_is_named_as_that_style_not_the_one_spelt_as_near(tmp_path):
    # 'SS27-KT-1OO3' shares as many characters with SS27-KT-1013 as with SS27-KT-1003; read with its O's as
    # zeros it is SS27-KT-1003 (the vendor comparison knew; the Lab Dips check named SS27-KT-1013)
    path = book(tmp_path, "Navy", [dip("SS27-KT-1OO3", "Navy")], more_styles=["SS27-KT-1003", "SS27-KT-1013"])
    found = run(path, ["validate"], ctx()).findings
    style = assert_finding(found, Code.STYLE_UNKNOWN, sheet="Lab Dips", row=2, column="Style #")
    assert "did you mean SS27-KT-1003?" in style.message


def test_a_colour_only_spelt_a_little_alike_is_not_offered(tmp_path):
    # 'Coral' is not Charcoal: the vendor comparison (0.75 alike) does not offer it, nor does this check now
    path = book(tmp_path, "Navy, Charcoal", [dip("S1", "Coral")])
    found = run(path, ["validate"], ctx()).findings
    coral = assert_finding(found, Code.COLOR_UNKNOWN, sheet="Lab Dips", row=2, column="Color")
    assert "did you mean" not in coral.message and coral.fix is None


@pytest.mark.parametrize("typed, known, near", [
    ("Heather Gray", ["Navy", "Heather Grey"], "Heather Grey"),
    ("Blk", ["Black", "Navy"], "Black"),
    ("DK NAVY", ["Navy", "Dark Navy"], "Dark Navy"),
    ("Coral", ["Charcoal", "Navy"], None),
])
def test_the_vendor_comparison_and_the_lab_dips_check_read_a_colour_alike(typed, known, near):
    assert discrepancies.close_color(typed, known) == near
    assert (near_colors(typed, known) or [None])[0] == near


def test_a_clear_match_is_one_candidate_and_a_guess_is_more():
    assert near_styles("SS27-KT-1OO3", ["SS27-KT-1013", "SS27-KT-1003"]) == ["SS27-KT-1003"]
    assert len(near_styles("SS27-KT-1004", ["SS27-KT-1003", "SS27-KT-1005"])) == 2
    assert near_colors("Heather Gray", ["Navy", "Heather Grey"]) == ["Heather Grey"]
    assert near_colors("DK NAVY", ["Navy", "Dark Navy"]) == ["Dark Navy", "Navy"]


# -- 2. a Proposed Value that Accept applies -------------------------------------------------------------------

def _issue(path: Path, code: str, row: int) -> tuple[int, dict[str, Any]]:
    rows = issue_rows(path)
    i = next(i for i, r in enumerate(rows) if r["Code"] == code and r["Sheet"] == "Lab Dips"
             and str(r["Cell"]).endswith(f'{row}")'))  # =HYPERLINK("#'Lab Dips'!B2","B2")
    return i + 2, rows[i]


def test_accepting_the_did_you_mean_of_a_lab_dip_colour_writes_it_logs_it_and_undo_puts_it_back(tmp_path):
    path = book(tmp_path, "Navy, Heather Grey", [dip("S1", "Navy"), dip("S1", "Heather Gray", 2)])
    run(path, ["validate"], ctx())
    at, issue = _issue(path, "color-unknown", 3)
    assert (issue["Value"], issue["Proposed Value"], issue["Key"]) == ("Heather Gray", "Heather Grey",
                                                                      "S1 / Heather Gray / 2")
    before = sheet_values(path, "Lab Dips")
    type_in(path, "Issues", at, "Accept", "Yes")
    result = run(path, ["apply", "validate"], ctx(), title="Apply fixes")
    after = sheet_values(path, "Lab Dips")
    color = DIPS.index("Color")
    assert after[2][color] == "Heather Grey"
    assert [r for i, r in enumerate(after) if i != 2] == [r for i, r in enumerate(before) if i != 2]
    assert not [f for f in result.findings if f.code is Code.COLOR_UNKNOWN and f.sheet == "Lab Dips"]
    assert not [f for f in result.findings if f.code is Code.FIX_NOT_APPLIED], result.findings
    log = [r for r in sheet_values(path, "Change Log") if r[2] == "Lab Dips"]
    assert [(r[4], r[5], r[6]) for r in log] == [("Color", "Heather Gray", "Heather Grey")]
    assert not [r for r in issue_rows(path) if r["Code"] == "color-unknown"]
    run(path, ["undo"], ctx())
    assert sheet_values(path, "Lab Dips") == before


def test_accepting_the_did_you_mean_of_a_lab_dip_style_writes_it(tmp_path):
    path = book(tmp_path, "Navy", [dip("SS27-KT-1OO3", "Navy")], more_styles=["SS27-KT-1003", "SS27-KT-1013"])
    run(path, ["validate"], ctx())
    at, issue = _issue(path, "style-unknown", 2)
    assert issue["Proposed Value"] == "SS27-KT-1003"
    type_in(path, "Issues", at, "Accept", "Yes")
    run(path, ["apply", "validate"], ctx(), title="Apply fixes")
    assert sheet_values(path, "Lab Dips")[1][DIPS.index("Style #")] == "SS27-KT-1003"


@pytest.mark.parametrize("colors, typed", [
    ("Navy, Dark Navy", "DK NAVY"),  # two near: Dark Navy named first, but not proposed
    ("Navy, Charcoal", "Coral"),  # none near
])
def test_two_close_matches_or_none_propose_nothing(tmp_path, colors, typed):
    path = book(tmp_path, colors, [dip("S1", typed)])
    found = run(path, ["validate"], ctx()).findings
    f = assert_finding(found, Code.COLOR_UNKNOWN, sheet="Lab Dips", row=2, column="Color")
    assert f.fix is None
    _, issue = _issue(path, "color-unknown", 2)
    assert issue["Proposed Value"] is None
    if typed == "DK NAVY":
        assert "did you mean Dark Navy?" in f.message


def test_two_close_styles_propose_nothing(tmp_path):
    path = book(tmp_path, "Navy", [dip("SS27-KT-1004", "Navy")], more_styles=["SS27-KT-1003", "SS27-KT-1005"])
    found = run(path, ["validate"], ctx()).findings
    assert assert_finding(found, Code.STYLE_UNKNOWN, sheet="Lab Dips", row=2).fix is None


def test_a_samples_row_gets_the_proposed_value_named_by_its_identity(tmp_path):
    # Samples has no key columns: its row is named by its identity, which Apply fixes finds it by
    # (tests/test_samples_fix.py applies it)
    sample = ["S1", "Proto", "Fit", "Heather Gray", "M", 2, date(2027, 1, 4), date(2027, 2, 1), None, None,
              None, None, None, None]
    path = book(tmp_path, "Navy, Heather Grey", [dip("S1", "Navy")], samples=[sample])
    found = run(path, ["validate"], ctx()).findings
    f = assert_finding(found, Code.COLOR_UNKNOWN, sheet="Samples", row=2, column="Color")
    assert "did you mean Heather Grey?" in f.message and f.fix is not None and f.fix.proposed == "Heather Grey"
    assert f.key == "S1 / Proto / Heather Gray / M / Fit"
