"""The openpyxl side copy ("NAME (prodbook).xlsx", written when the part writer meets a layout it cannot rewrite)
brings the colour rules an earlier prodbook wrote on the T&A up to date, as the part writer does
(``tests/test_old_colour_rules.py``): in place, in their colours, the APM's own rule left alone.

Real workbooks (``test_old_colour_rules.tracker``), read back with openpyxl.
"""

from __future__ import annotations

from datetime import date

import openpyxl

from prodbook.core.looks import RulePlace
from prodbook.core.model.sheets import TA
from prodbook.jobs.runner import run
from prodbook.workbook.openpyxl_writer import write_copy
from prodbook.workbook.xlsxparts import CellEdit
from test_old_colour_rules import LATER, NOW, OLD, SAID, rules, said, tracker


def fills(path) -> list[str | None]:
    """Each colour rule's fill colour, in order."""
    ws = openpyxl.load_workbook(path)["T&A"]
    return [rule.dxf.fill.bgColor.rgb if rule.dxf and rule.dxf.fill else None
            for cf in ws.conditional_formatting for rule in cf.rules]


def test_the_copy_a_run_writes_instead_has_the_current_rules(tmp_path):
    path = tracker(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["T&A"].merge_cells("M5:M6")  # the APM merged two Notes cells: the part writer will not rebuild the rows
    wb["Orders"].append(["4500000003", "S1", "Ecru", 600, date(2027, 1, 6), date(2027, 4, 20), date(2027, 5, 15),
                         date(2027, 5, 25)])
    wb.save(path)
    before, colours = rules(path), fills(path)
    assert [f for _, f, _ in before[:5]] == [f for _, f in OLD]

    done = run(path, ["ta"], LATER)  # five more milestones: the T&A is rebuilt, into a copy
    copy = done.commit.written
    assert copy is not None and copy != path and done.commit.side_copy_reason
    after = rules(copy)
    assert [(r, f) for r, f, _ in after[:5]] == [(f"{c}2:{c}16", f) for c, f in NOW]
    assert [d for *_, d in after] == [d for *_, d in before] and fills(copy) == colours
    assert after[5] == ("M2:M16", '$M2="hold"', before[5][2])  # the APM's own rule, grown with the rows
    assert rules(path) == before  # the tracker itself as it was
    assert SAID not in said(done)  # the run tells what the tracker's own write did; the copy is told apart


def test_a_copy_that_only_edits_cells_of_the_ta_brings_them_up_to_date_too(tmp_path):
    path = tracker(tmp_path)
    place = RulePlace("T&A", tuple((h, j) for j, h in enumerate(TA.headers)), 1)
    out, done = tmp_path / "copy.xlsx", {}
    write_copy(path, out, [], [CellEdit("T&A", 4, 12, "hold")], rule_places={"t&a": place}, recoloured=done)
    assert [f for _, f, _ in rules(out)] == [*(f for _, f in NOW), '$M2="hold"'] and done == {"T&A": "T&A"}
    assert fills(out) == fills(path)

    out2, none = tmp_path / "copy2.xlsx", {}
    write_copy(path, out2, [], [CellEdit("Orders", 2, 11, "x")], rule_places={"T&A": place}, recoloured=none)
    assert rules(out2) == rules(path) and none == {}  # the T&A not written: its rules as they were
