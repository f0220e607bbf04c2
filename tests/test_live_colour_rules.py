"""The add-in brings the colour rules an earlier prodbook wrote on a T&A up to date, as the file back end does
(``tests/test_old_colour_rules.py``): on a run that writes the T&A anyway, in place, the APM's own rules left
alone, and the run says so once.

The tracker is the one ``test_old_colour_rules.tracker`` makes (a real file: prodbook creates the T&A, the APM
types an Actual ahead and adds a rule of their own, the rule formulas put back to 8510a0c's text), opened in
``fakexl.FakeBook``, which gives each rule's formula as Excel does: seen from the APM's selected cell, not from the
rule's first cell (Microsoft's article 895562), and takes a new one (``FormatCondition.Modify``) the same way.
"""

from __future__ import annotations

from datetime import date, datetime

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from fakexl import FakeBook, _FormatCondition
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from prodbook.workbook.xlbook import XlBook
from test_old_colour_rules import LATER, MADE, NOW, OLD, SAID, rules, said, tracker

WEEK_ON = Context(today=date(2027, 2, 15), now=datetime(2027, 2, 15, 9))


def held(book: FakeBook, sheet: str = "T&A") -> list[tuple[str, str, int | None]]:
    """(cells, formula as the file holds it, fill as Excel gives it) of each colour rule, in Excel's order."""
    out = []
    for rule in book.sheets[sheet].format_conditions:
        (r1, c1, r2, c2), = rule.areas
        assert c1 == c2
        letter = get_column_letter(c1)
        out.append((f"{letter}{r1}:{letter}{r2}", rule.formulas[0], rule.Interior.Color))
    return out


@pytest.mark.parametrize("selected", [(1, 1), (7, 3), (40, 20)], ids=["A1", "C7", "T40"])
def test_the_add_in_brings_prodbooks_old_rules_up_to_date_in_place_wherever_the_apm_stands(tmp_path, selected):
    path = tracker(tmp_path)
    book = FakeBook.from_file(path)
    book.app.active_cell = selected  # where the APM clicked last: Excel reads and writes rules from there
    before = held(book)
    assert [(r, f) for r, f, _ in before] == [(f"{c}2:{c}11", f) for c, f in OLD] + [("M2:M11", '$M2="hold"')]

    quiet = run(path, ["ta"], MADE, backend=XlBook(book))  # nothing to change: nothing written, rules too
    assert held(book) == before and SAID not in said(quiet)

    done = run(path, ["ta"], LATER, backend=XlBook(book))  # a week on: statuses change, the T&A is written
    assert book.sheets["T&A"].cells[(3, 11)] == "Overdue"  # the Actual typed ahead: still overdue, now red
    after = held(book)
    # prodbook's rules: the current ones, on the same cells, in the same order, in the same colours
    assert [(r, f) for r, f, _ in after[:5]] == [(f"{c}2:{c}11", f) for c, f in NOW]
    assert [fill for *_, fill in after] == [fill for *_, fill in before]
    assert after[5] == before[5]  # the APM's own rule, as it was
    assert said(done).count(SAID) == 1

    again = run(path, ["ta"], WEEK_ON, backend=XlBook(book))
    assert held(book) == after and SAID not in said(again)  # said once


def test_the_add_in_and_the_file_back_end_end_with_the_same_rules(tmp_path):
    on_file, in_excel = tracker(tmp_path / "file"), tracker(tmp_path / "excel")
    book = FakeBook.from_file(in_excel)
    book.app.active_cell = (5, 2)
    file_run, live_run = run(on_file, ["ta"], LATER), run(in_excel, ["ta"], LATER, backend=XlBook(book))
    assert [(r, f) for r, f, _ in rules(on_file)] == [(r, f) for r, f, _ in held(book)]
    assert SAID in said(file_run) and SAID in said(live_run)


def test_a_rebuilt_ta_keeps_the_current_rules_over_the_rows_excel_grew_them_to(tmp_path):
    path = tracker(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["Orders"].append(["4500000003", "S1", "Ecru", 600, date(2027, 1, 6), date(2027, 4, 20), date(2027, 5, 15),
                         date(2027, 5, 25)])
    wb.save(path)
    book = FakeBook.from_file(path)
    book.app.active_cell = (12, 4)
    done = run(path, ["ta"], LATER, backend=XlBook(book))  # five more milestones: rows go in, ranges grow
    after = held(book)
    assert [(r, f) for r, f, _ in after[:5]] == [(f"{c}2:{c}16", f) for c, f in NOW]
    assert after[5][1] == '$M2="hold"' and SAID in said(done)


def test_rules_the_apm_edited_or_put_elsewhere_stay_theirs(tmp_path):
    path = tracker(tmp_path, extra=False)
    book = FakeBook.from_file(path)
    book.app.active_cell = (9, 9)
    ta = book.sheets["T&A"]
    # the APM edited prodbook's Due soon rule, and copied its Done rule to the Milestone column
    ta.format_conditions[3].formulas = ['AND($J2="",$K2="Due soon",$G2<>"Buyer")']
    ta.format_conditions.append(_FormatCondition([(2, 6, 11, 6)], ["ISNUMBER($J2)"],
                                                 seen_from=lambda: book.app.active_cell))
    done = run(path, ["ta"], LATER, backend=XlBook(book))
    assert [(r, f) for r, f, _ in held(book)] == [
        ("K2:K11", NOW[0][1]), ("K2:K11", NOW[1][1]), ("K2:K11", NOW[2][1]),
        ("K2:K11", 'AND($J2="",$K2="Due soon",$G2<>"Buyer")'),  # theirs: edited
        ("L2:L11", NOW[4][1]),
        ("F2:F11", "ISNUMBER($J2)"),  # theirs: another range
    ]
    assert SAID in said(done)


def test_a_macs_excel_changes_no_rule_and_says_nothing(tmp_path):
    """A Mac's Excel (appscript) answers to none of the COM names: the values are written, the rules stay for
    the file back end's next run, and nothing is said."""
    path = tracker(tmp_path)
    book = FakeBook.from_file(path, mac=True)
    before = held(book)
    done = run(path, ["ta"], LATER, backend=XlBook(book))
    assert done.commit is not None and done.commit.cells > 0
    assert held(book) == before and SAID not in said(done)
