"""A colour corrected on Orders (one colour of a PO and style gone, one new one in the same run): the T&A run
archives the old line's rows with their Actuals and plans the new one afresh, so it warns at the new Color
on Orders, and its advice (Undo last, retype the Color on the T&A rows, refresh) keeps the Actuals. Real
workbooks, written and read back."""

from __future__ import annotations

from datetime import date

from conftest import assert_finding
from prodbook.core.findings import Code
from prodbook.jobs.runner import run
from test_ta_stale import S1, S2, built, ctx, delete_order, edit, ta_sheet  # noqa: F401  (built: a fixture)

NEW = "Jet Black"


def test_a_renamed_colour_warns_with_the_counts_and_the_advice_brings_its_actuals_back(built):  # noqa: F811
    edit(built, "Orders", {1: S2[0]}, {3: NEW})
    result = run(built, ["ta"], ctx())
    archive = ta_sheet(built, "T&A Archive")
    gone = [k for k in archive if k[:3] == S2]
    assert gone and archive[(*S2, "LD")]["Actual"].date() == date(2027, 1, 20)
    f = assert_finding(result.findings, Code.COLOR_RENAMED, sheet="Orders", row=3, column="Color")
    assert f.severity == "warning" and f.value == NEW
    for words in (f"PO {S2[0]}", f"style {S2[1]}", "'Black'", f"'{NEW}'", f"the {len(gone)} T&A row(s)",
                  "with their 1 Actual date(s)", "'T&A Archive'", "new lab dips"):
        assert words in f.message, words
    assert not [x for x in result.findings if x.code is Code.COLOR_RENAMED and x.row != 3]
    assert ta_sheet(built)[(S2[0], S2[1], NEW, "LD")]["Actual"] is None

    # the advice, followed: Undo last, the Color of the T&A rows retyped too, refresh again
    assert "Undo last" in f.message
    run(built, ["undo"], ctx())
    assert ta_sheet(built)[(*S2, "LD")]["Actual"].date() == date(2027, 1, 20)
    edit(built, "T&A", {1: S2[0], 3: "Black"}, {3: NEW})
    again = run(built, ["ta"], ctx())
    rows = ta_sheet(built)
    assert rows[(S2[0], S2[1], NEW, "LD")]["Actual"].date() == date(2027, 1, 20)
    assert rows[(S2[0], S2[1], NEW, "LD")]["Notes"] == "ok"
    assert not [k for k in ta_sheet(built, "T&A Archive") if k[0] == S2[0]]
    assert not [x for x in again.findings if x.code is Code.COLOR_RENAMED]


def test_a_line_only_removed_or_only_added_is_not_called_renamed(built):  # noqa: F811
    delete_order(built, S2[0])
    result = run(built, ["ta"], ctx())
    assert not [x for x in result.findings if x.code is Code.COLOR_RENAMED]
    edit(built, "Orders", {1: S1[0]}, {3: "Sky"})  # S1 renamed, and S2's PO still gone: only S1 is named
    result = run(built, ["ta"], ctx())
    named = [x for x in result.findings if x.code is Code.COLOR_RENAMED]
    assert len(named) == 1 and "'Navy'" in named[0].message and "'Sky'" in named[0].message
