"""``by_place``: which of the team's formulas read one cell of a rebuilt sheet by its place, where the rebuild
put another row. Pure: formulas and row moves in, links out."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from prodbook.workbook.xlsx.by_place import LinkCheck, RowsMoved, _relative

HEADER = 1


def moved(order: list[int], gone: int = 0) -> RowsMoved:
    """The T&A's data rows 2.. rebuilt in ``order`` (old rows), ``gone`` more old rows after them left."""
    return RowsMoved(HEADER, HEADER + len(order) + gone, HEADER + 1, tuple(order))


@given(st.permutations(list(range(2, 12))), st.integers(2, 11), st.integers(0, 5), st.integers(1, 6),
       st.booleans())
def test_a_column_filled_down_is_never_named_and_a_lone_link_is_named_exactly_when_its_row_moved(
        order: list[int], first: int, at: int, length: int, fixed: bool) -> None:
    """Cells D{at}.. filled down from ='T&A'!K{first} read the same place relative to their rows: a mirror,
    never named, however the rows moved. A lone cell is named when, and only when, the milestone it read is now
    in another row; a fixed reference ($K$5) is one cell however it was made."""
    rows = moved(order)
    new_row = {old: HEADER + 1 + i for i, old in enumerate(order)}
    length = min(length, 12 - first)
    dollar = "$" if fixed else ""
    column = {(at + 2 + i, 3): f"='T&A'!{dollar}K{dollar}{first + (0 if fixed else i)}" for i in range(length)}
    check = LinkCheck({"T&A": rows})
    check.sheet("Dashboard", column)
    named = {link.cell for link in check.found}
    if length == 1 or fixed:  # one cell, or every cell reading the one same cell: a link, each of them
        expected = {f"D{r}" for r, _ in column} if new_row[first] != first else set()
        assert named == expected
        assert all(link.new_row == new_row[first] for link in check.found)
    else:
        assert named == set()


def test_a_row_that_left_is_named_with_no_new_row_and_rows_outside_the_data_are_not_named():
    check = LinkCheck({"T&A": moved([3, 2], gone=1)})  # old rows 2, 3 swapped; old row 4 left
    check.sheet("Dashboard", {(1, 1): "='T&A'!K4", (2, 1): "='T&A'!K1", (3, 1): "='T&A'!K9",
                              (4, 1): "=SUM('T&A'!K2:K3)", (5, 1): '=INDIRECT("\'T&A\'!K2")',
                              (6, 1): "=Orders!K2+'t&a'!$K$2", (7, 1): "=MAX('T&A'!H3:J3)"})
    assert [(link.cell, link.ref, link.old_row, link.new_row) for link in check.found] == [
        ("B1", "'T&A'!K4", 4, None), ("B6", "'t&a'!$K$2", 2, 3), ("B7", "'T&A'!H3:J3", 3, 2)]
    check.names([("Watch", "='T&A'!$K$3"), ("Orders_first", "=Orders!$A$2")])
    assert [(link.sheet, link.cell, link.new_row) for link in check.found[3:]] == [("", "Watch", 2)]


def test_the_rebuilt_sheet_s_own_formulas_are_not_looked_at():
    check = LinkCheck({"T&A": moved([3, 2])})
    check.sheet("T&A", {(2, 14): "='T&A'!K3"})
    assert check.found == []


def test_a_formula_reads_alike_from_its_own_row_when_filled_down():
    assert _relative("='T&A'!K5+B5*$C$2", 5) == _relative("='T&A'!K6+B6*$C$2", 6)
    assert _relative("='T&A'!K5", 5) != _relative("='T&A'!K5", 6)
    assert _relative('=LOG10(A3)&"A3"', 3) == '=LOG10(AR[0])&"A3"'


def test_the_warning_names_each_sheet_s_links_once_with_the_first_few_and_how_to_follow_a_row():
    from prodbook.core.findings import Code
    from prodbook.jobs.runner import links_by_place
    from prodbook.workbook.xlsx.by_place import MovedLink

    links = [MovedLink("Dashboard", f"B{r}", f"'T&A'!K{r + 10}", "T&A", r + 10, r + 5, row=r) for r in range(1, 6)]
    links += [MovedLink("Dashboard", "C1", "Exceptions!H4", "Exceptions", 4, None, row=1)]
    found = links_by_place(links, "tracker.xlsx", "T&A")
    assert [(f.code, f.sheet, f.row) for f in found] == [(Code.LINK_BY_PLACE, "Dashboard", 1)] * 2
    ta, exceptions = (" ".join(f.message.split()) for f in found)
    assert ta.startswith("5 formula(s) on 'Dashboard' read a single cell of 'T&A' by its place")
    assert "B3 reads 'T&A'!K13: the row it read is now row 8; and 2 more." in ta and "B4 reads" not in ta
    assert "look it up by its PO #, Style #, Color and Code" in ta
    assert "C1 reads Exceptions!H4: the row it read is no longer on the sheet" in exceptions
    assert "look it up by its key columns" in exceptions


def test_prodbooks_own_po_links_are_one_note_that_the_next_run_mends_them():
    """After an undo, the Production Report's PO # links (prodbook's) were 'left as you typed them', with
    advice to rewrite them as lookups: they are prodbook's, and the next report points them right again."""
    from prodbook.jobs.runner import OwnLinks, links_by_place
    from prodbook.workbook.xlsx.by_place import MovedLink

    links = [MovedLink("Production Report", f"A{r}", f"'T&A'!A{r + 10}", "T&A", r + 10, r + 5, row=r, jump=True)
             for r in range(2, 6)]
    links.append(MovedLink("Production Report", "Z2", "'T&A'!K9", "T&A", 9, 4, row=2))  # the team's own formula
    links.append(MovedLink("Issues", "B2", "'T&A'!J9", "T&A", 9, 4, row=2, jump=True))  # an Issues Cell link
    found = links_by_place(links, "tracker.xlsx", "T&A", ours={
        "Exceptions": OwnLinks("PO #", "lines", "prodbook exceptions, or the refresh"),
        "Production Report": OwnLinks("PO #", "lines", "prodbook report, or the Production report button"),
        "Issues": OwnLinks("Cell", "cells", "prodbook validate, ta or refresh")})
    ours, issues, theirs = (" ".join(f.message.split()) for f in found)
    assert ours.startswith("4 of prodbook's own PO # link(s) on 'Production Report'") and "prodbook report" in ours
    assert issues.startswith("1 of prodbook's own Cell link(s) on 'Issues'") and "cells again" in issues
    assert theirs.startswith("1 formula(s) on 'Production Report' read a single cell of 'T&A'")


def test_a_rule_over_one_row_or_reading_a_fixed_row_is_named_and_one_filled_over_a_column_is_not():
    """A colour rule or a validation reads from the first cell it applies to, relative rows moving with each
    cell: over a column it reads each row's own (a mirror), over one row or with a fixed row it reads one cell."""
    check = LinkCheck({"T&A": moved([3, 2, 4])})  # old rows 2 and 3 swapped; row 4 stays
    check.rules("Dashboard", [
        ("the Conditional Formatting rule", "B4", "'T&A'!K2=\"Overdue\""),
        ("the Conditional Formatting rule", "A2:H2", "'T&A'!K3=\"Overdue\""),
        ("the Conditional Formatting rule", "D2:D4", "'T&A'!K2=\"Overdue\""),
        ("the Data Validation rule", "C2:C9 E2", "C2<='T&A'!$K$3"),
        ("the Data Validation rule", "C2", "'T&A'!$K$4"),
        ("the Data Validation rule", "F2", "COUNTIF('T&A'!$K$2:$K$4,F2)>0"),
    ])
    assert [(link.cell, link.ref, link.old_row, link.new_row, link.row) for link in check.found] == [
        ("the Conditional Formatting rule on B4", "'T&A'!K2", 2, 3, 4),
        ("the Conditional Formatting rule on A2:H2", "'T&A'!K3", 3, 2, 2),
        ("the Data Validation rule on C2:C9, E2", "'T&A'!$K$3", 3, 2, 2)]


def test_rules_read_where_a_relative_row_cannot_be_trusted_name_fixed_rows_only():
    """Excel gives a rule's relative rows as seen from the selected cell (``live_links``): those are left."""
    check = LinkCheck({"T&A": moved([3, 2, 4])})
    check.rules("Dashboard", [("the Conditional Formatting rule", "B4", "'T&A'!K2=1"),
                              ("the Conditional Formatting rule", "B5", "'T&A'!$K$2=1")], fixed_only=True)
    assert [(link.cell, link.new_row) for link in check.found] == [("the Conditional Formatting rule on B5", 3)]


def test_a_link_to_a_moved_row_is_named_as_going_there():
    check = LinkCheck({"T&A": moved([3, 2, 4])})
    check.jumps("Dashboard", [(6, 1, "'T&A'!K2"), (7, 1, "#'T&A'!$K$3"), (8, 1, "'T&A'!K4"), (9, 1, "Orders!A2")])
    assert [(link.cell, link.ref, link.new_row, link.row, link.jump) for link in check.found] == [
        ("the link in B6", "'T&A'!K2", 3, 6, True), ("the link in B7", "'T&A'!$K$3", 2, 7, True)]


def test_a_hyperlink_formula_s_place_is_read_as_typed():
    from prodbook.workbook.xlsx.by_place import hyperlink_targets

    assert hyperlink_targets('=HYPERLINK("#\'T&A\'!K16","PP sample")') == ["'T&A'!K16"]
    assert hyperlink_targets('=IF(A1,hyperlink( "#\'Ana\'\'s\'!B2", "go"),"")') == ["'Ana''s'!B2"]
    assert hyperlink_targets('=HYPERLINK("#"&B1,"go")') == [""]  # built from a cell: nothing to read
    assert hyperlink_targets('=HYPERLINK("https://example.com/#top","site")') == []
