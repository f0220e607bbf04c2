"""Data validation is kept to: a fix the APM accepts goes in only where Excel would take it typed.

A team limits its tracker's cells (Data > Data Validation): COO from a list of countries, Qty a whole
number, FOB a number in a range. Excel stops a typed value that breaks such a rule (its error alert, as a
Stop). Until 2026-12-04 prodbook wrote an accepted fix past the rule: a vendor's "Viet Nam" in a cell whose
list says "Vietnam", which Excel would have refused the APM.
"""

from __future__ import annotations

from datetime import date, datetime

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.worksheet.datavalidation import DataValidation

from fakexl import FakeBook
from prodbook.core.cell_rules import CellRule, RuleKind, breaks
from prodbook.core.cells import date_to_serial
from prodbook.core.findings import Code
from prodbook.jobs.runner import run
from prodbook.workbook.filebook import FileBook
from prodbook.workbook.xlbook import XlBook
from prodbook.workbook.xlsx.data_validation import rule_at, sheet_rules
from test_development import STYLE_HEADER, costing_file, ctx, disc_book, issue_rows, type_in

FOB, FIBER = STYLE_HEADER.index("FOB (USD)"), STYLE_HEADER.index("Fiber Content")


# --- the rules themselves ---------------------------------------------------------------------------------

def test_each_kind_of_rule_says_what_the_cell_takes():
    assert breaks(CellRule(RuleKind.LIST, choices=("Vietnam", "China")), "Viet Nam") == \
        "only an entry of its list (Vietnam, China)"
    assert breaks(CellRule(RuleKind.LIST, choices=("Vietnam", "China")), "vietnam") is None  # as Excel: any case
    assert breaks(CellRule(RuleKind.LIST, choices=("1", "2", "3")), 2) is None
    assert breaks(CellRule(RuleKind.WHOLE, "greaterThan", "0"), 1250.5) == "a whole number"
    assert breaks(CellRule(RuleKind.WHOLE, "greaterThan", "0"), 0) == "a whole number greater than 0"
    assert breaks(CellRule(RuleKind.DECIMAL, "between", "0", "5.1"), 5.25) == "a number between 0 and 5.1"
    assert breaks(CellRule(RuleKind.DECIMAL, "between", "0", "5.1"), "5.25") == "a number"  # text is no number
    assert breaks(CellRule(RuleKind.TEXT_LENGTH, "lessThanOrEqual", "10"), "6109.10.0012") == \
        "text of a length 10 or less"
    serial = str(date_to_serial(date(2027, 1, 1)))
    assert breaks(CellRule(RuleKind.DATE, "greaterThanOrEqual", serial), date(2026, 12, 31)) == \
        "a date 2027-01-01 or more"
    assert breaks(CellRule(RuleKind.DATE, "greaterThanOrEqual", serial), datetime(2027, 1, 1, 9)) is None


@pytest.mark.parametrize("rule", [
    CellRule(RuleKind.DECIMAL, "between", "0", "5.1", enforced=False),  # a Warning or Information alert
    CellRule(RuleKind.CUSTOM, first="=LEN(A1)<5"),
    CellRule(RuleKind.DECIMAL, "lessThan", "=$B$1"),  # a bound in a cell: not judged
    CellRule(RuleKind.LIST, choices=None),  # entries from a formula (INDIRECT)
], ids=["not enforced", "custom", "bound in a cell", "list from a formula"])
def test_a_rule_excel_does_not_enforce_or_prodbook_cannot_judge_lets_the_value_through(rule):
    assert breaks(rule, 99) is None


@given(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6), st.floats(-1e6, 1e6))
def test_between_and_not_between_say_the_opposite(v, a, b):
    lo, hi = sorted((a, b))
    inside = breaks(CellRule(RuleKind.DECIMAL, "between", repr(lo), repr(hi)), v) is None
    outside = breaks(CellRule(RuleKind.DECIMAL, "notBetween", repr(lo), repr(hi)), v) is None
    assert inside != outside and inside == (lo <= v <= hi)


def test_rules_are_read_as_excel_writes_them_a_list_on_another_sheet_in_the_extension_list():
    xml = ('<worksheet><sheetData/><dataValidations count="1"><dataValidation type="whole" operator="greaterThan" '
           'allowBlank="1" showErrorMessage="1" sqref="D2:D500 F2"><formula1>0</formula1></dataValidation>'
           '</dataValidations><extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}"><x14:dataValidations '
           'count="1"><x14:dataValidation type="list" allowBlank="1" showErrorMessage="1"><x14:formula1><xm:f>'
           "'COO list'!$A$2:$A$40</xm:f></x14:formula1><xm:sqref>K2:K500</xm:sqref></x14:dataValidation>"
           "</x14:dataValidations></ext></extLst></worksheet>")
    rules = sheet_rules(xml, {}, False)
    qty, coo = rule_at(rules, 3, 3), rule_at(rules, 9, 10)
    assert qty is not None and qty.rule.kind is RuleKind.WHOLE and qty.rule.enforced and rule_at(rules, 2, 5) is qty
    assert coo is not None and coo.source is not None and coo.source.sheet == "COO list"
    assert coo.source.area == (2, 0, 40, 0) and rule_at(rules, 1, 10) is None


# --- the fixes the APM accepts ----------------------------------------------------------------------------

def limit(path, sheet: str, ref: str, dv: DataValidation) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    ws.add_data_validation(dv)
    dv.add(ref)
    wb.save(path)


def accept(path, *codes: str) -> dict[str, int]:
    run(path, ["validate"], ctx(files=(costing_file(path.parent),)))
    rows = {r["Code"]: i + 2 for i, r in enumerate(issue_rows(path)) if r["Code"] in codes}
    for row in rows.values():
        type_in(path, "Issues", row, "Accept", "Yes")
    return rows


def apply_fixes(path, backend=None):
    return run(path, ["apply", "validate"], ctx(files=(costing_file(path.parent),)), title="Apply fixes",
               backend=backend)


def styles_values(path) -> list[list]:
    return [[c.value for c in r] for r in openpyxl.load_workbook(path)["Styles"].iter_rows()]


def test_a_fix_the_cell_s_rule_would_stop_is_left_and_one_it_takes_goes_in(tmp_path):
    path = disc_book(tmp_path)
    rows = accept(path, "vendor-fob-differs", "vendor-fiber-differs", "vendor-qty-differs")
    limit(path, "Styles", "L2:L9", DataValidation(type="decimal", operator="between", formula1="0", formula2="5.1",
                                                  showErrorMessage=True))
    limit(path, "Styles", "E2:E9", DataValidation(type="list", formula1='"Cotton rich,100% Cotton"',
                                                  showErrorMessage=True))
    limit(path, "Orders", "D2:D9", DataValidation(type="whole", operator="greaterThan", formula1="0",
                                                  showErrorMessage=True))
    result = apply_fixes(path)
    styles = styles_values(path)
    assert styles[1][FOB] == 5 and styles[2][FIBER] == "100% Cotton"
    assert openpyxl.load_workbook(path)["Orders"]["D2"].value == 1250
    f = next(f for f in result.findings if f.code is Code.FIX_NOT_APPLIED and f.row == rows["vendor-fob-differs"])
    assert "cell L2 of 'Styles' takes a number between 0 and 5.1 (Data > Data Validation)" in f.message
    assert "the Proposed Value '5.25' is not one" in f.message, f.message
    assert {r["Code"]: r["Accept"] for r in issue_rows(path)}.get("vendor-fob-differs") == "Yes"


@pytest.mark.parametrize("dv", [
    DataValidation(type="decimal", operator="lessThan", formula1="5.1", showErrorMessage=True,
                   errorStyle="warning"),
    DataValidation(type="decimal", operator="lessThan", formula1="5.1", showErrorMessage=False),
], ids=["a Warning alert", "no alert"])
def test_a_rule_that_lets_a_person_go_on_lets_the_fix_in(tmp_path, dv):
    path = disc_book(tmp_path)
    accept(path, "vendor-fob-differs")
    limit(path, "Styles", "L2:L9", dv)
    apply_fixes(path)
    assert styles_values(path)[1][FOB] == 5.25


def test_a_list_kept_on_another_sheet_or_under_a_name_is_read_from_its_cells(tmp_path):
    path = disc_book(tmp_path)
    rows = accept(path, "vendor-fob-differs", "vendor-fiber-differs")
    wb = openpyxl.load_workbook(path)
    lists = wb.create_sheet("Lists")
    for i, v in enumerate(["Cotton rich", "60% Cotton 40% Polyester", "Cotton"], 1):
        lists.cell(i, 1, v)
    for i, v in enumerate([4.65, 5, 5.5], 1):
        lists.cell(i, 2, v)
    wb.defined_names["FOBs"] = openpyxl.workbook.defined_name.DefinedName("FOBs", attr_text="Lists!$B$1:$B$3")
    wb.save(path)
    limit(path, "Styles", "E2:E9", DataValidation(type="list", formula1="Lists!$A$1:$A$3", showErrorMessage=True))
    limit(path, "Styles", "L2:L9", DataValidation(type="list", formula1="FOBs", showErrorMessage=True))
    result = apply_fixes(path)
    styles = styles_values(path)
    assert styles[2][FIBER] == "Cotton rich" and styles[1][FOB] == 5
    said = {f.row: f.message for f in result.findings if f.code is Code.FIX_NOT_APPLIED}
    assert "only an entry of its list (Cotton rich, 60% Cotton 40% Polyester, Cotton)" in \
        said[rows["vendor-fiber-differs"]]
    assert "only an entry of its list (4.65, 5, 5.5)" in said[rows["vendor-fob-differs"]]


def test_the_file_back_end_reads_no_rule_where_a_cell_has_none(tmp_path):
    path = disc_book(tmp_path)
    limit(path, "Styles", "L2:L3", DataValidation(type="whole", showErrorMessage=True, operator="greaterThan",
                                                  formula1="0"))
    book = FileBook(path)
    assert book.cell_rule("Styles", 2, FOB) is not None and book.cell_rule("Styles", 4, FOB) is None
    assert book.cell_rule("Orders", 2, 3) is None


@pytest.mark.parametrize("mac", [False, True], ids=["windows", "mac"])
def test_live_a_fix_the_cell_s_rule_would_stop_is_left(tmp_path, mac):
    """Read through xlwings' ``Range.data_validation``, the same on a Mac: there Excel's COM name
    ``Validation`` is unknown, and until 2026-12-05 every cell was taken as having no rule."""
    path = disc_book(tmp_path)
    accept(path, "vendor-fob-differs", "vendor-fiber-differs")
    limit(path, "Styles", "L2:L9", DataValidation(type="decimal", operator="between", formula1="0", formula2="5.1",
                                                  showErrorMessage=True))
    book = FakeBook.from_file(path, mac=mac)
    result = apply_fixes(path, XlBook(book, progress=False))
    sheet = book.sheets["Styles"]
    assert sheet.cells[(2, FOB + 1)] == 5 and sheet.cells[(3, FIBER + 1)] == "100% Cotton"
    assert any(f.code is Code.FIX_NOT_APPLIED and "takes a number between 0 and 5.1" in f.message
               for f in result.findings)


@pytest.mark.parametrize("formula", ['"Vietnam,China,Bangladesh"', "Lists!$A$1:$A$3"], ids=["typed", "cells"])
def test_live_a_list_rule_is_read_as_the_file_s_is(tmp_path, formula):
    path = disc_book(tmp_path)
    wb = openpyxl.load_workbook(path)
    lists = wb.create_sheet("Lists")
    for i, v in enumerate(["Vietnam", "China", "Bangladesh"], 1):
        lists.cell(i, 1, v)
    wb.save(path)
    limit(path, "Styles", "M2:M9", DataValidation(type="list", formula1=formula, showErrorMessage=True))
    live = XlBook(FakeBook.from_file(path, mac=True), progress=False).cell_rule("Styles", 2, 12)
    assert live is not None and live.choices == ("Vietnam", "China", "Bangladesh")
    filed = FileBook(path).cell_rule("Styles", 2, 12)
    assert filed is not None and (live.kind, live.choices, live.enforced) == (filed.kind, filed.choices, filed.enforced)
    assert XlBook(FakeBook.from_file(path), progress=False).cell_rule("Styles", 10, 12) is None


def test_live_an_excel_that_will_not_say_a_cell_s_rule_stops_the_run_unwritten(tmp_path, monkeypatch):
    """Taken as "no rule", a value the cell would stop went in: now the run is refused, naming the cell."""
    import fakexl
    from prodbook.core.findings import UserError

    path = disc_book(tmp_path)
    accept(path, "vendor-fob-differs")
    book = FakeBook.from_file(path, mac=True)

    def refused(self):
        raise RuntimeError("Microsoft Excel got an error: AppleEvent timed out.")

    monkeypatch.setattr(fakexl.FakeRange, "data_validation", property(refused))
    with pytest.raises(UserError) as stop:
        apply_fixes(path, XlBook(book, progress=False))
    text = stop.value.finding.text()
    assert "cell L2 of 'Styles'" in text and "AppleEvent timed out" in text and "Nothing was written" in text
    assert not book.sheets["Styles"].writes
