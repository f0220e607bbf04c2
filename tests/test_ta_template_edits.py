"""What a T&A run says when the T&A Templates sheet was edited between runs: a template step changed (its
Planned moves on every running line, and milestones already done are judged against the new plan), a milestone
added (it lands on every running line, often already past due), a milestone code renamed (the old code's rows go
to the archive with their Actuals and Notes). An order date moved on Orders is ordinary replanning and is not
called a template change. Real workbooks, written and read back."""

from __future__ import annotations

from datetime import date

import openpyxl

from conftest import assert_finding, base_sheets, grow_tables, write_book
from prodbook.core.findings import Code
from prodbook.jobs.runner import run
from test_ta_stale import S1, S2, add_order, built, ctx, delete_step, edit, ta_sheet, type_actual  # noqa: F401  (a fixture)


def _done_on_plan(path, line, code: str) -> None:
    """The milestone done on its Planned day: Status 'Done'."""
    type_actual(path, (*line, code), ta_sheet(path)[(*line, code)]["Planned"].date(), "on time")
    run(path, ["ta"], ctx())
    assert ta_sheet(path)[(*line, code)]["Status"] == "Done"


def _summary(result) -> str:
    return "\n".join(result.outcomes[0].summary)


def test_a_changed_offset_names_the_template_the_milestones_the_lines_and_the_done_ones_turned_late(built):  # noqa: F811
    _done_on_plan(built, S1, "LD-APP")
    edit(built, "T&A Templates", {1: "Knit", 2: "LD-APP"}, {6: 5})  # 7 working days after LD -> 5
    result = run(built, ["ta"], ctx())
    assert ta_sheet(built)[(*S1, "LD-APP")]["Status"] == "Done late"
    f = assert_finding(result.findings, Code.TEMPLATE_CHANGED, sheet="T&A Templates", row=3)
    assert f.severity == "warning" and f.key == "Knit"
    for words in ("Template 'Knit' changed", "Planned moved on LD-APP for 1 PO line(s)",
                  "1 milestone(s) already done are now judged against the new plan (Done -> Done late: 1)",
                  "Undo last", "only for new orders"):
        assert words in f.message, words
    assert "Template 'Knit' changed: Planned moved on LD-APP for 1 PO line(s)" in _summary(result)
    assert not [x for x in result.findings if x.code is Code.TEMPLATE_CHANGED and x.key != "Knit"]


def test_a_step_moved_carries_its_dependants_and_names_them_too(built):  # noqa: F811
    edit(built, "T&A Templates", {1: "Woven", 2: "XF"}, {5: "LD-APP", 6: 60})  # XF now after LD-APP
    result = run(built, ["ta"], ctx())
    f = assert_finding(result.findings, Code.TEMPLATE_CHANGED, key="Woven")
    assert "Planned moved on CUT, XF, DC for 1 PO line(s)" in f.message, f.message
    assert "already done" not in f.message


def test_an_order_date_moved_on_orders_is_replanning_not_a_template_change(built):  # noqa: F811
    before = ta_sheet(built)
    edit(built, "Orders", {1: S1[0]}, {6: date(2027, 4, 22)})  # Ex-Factory a week later
    edit(built, "Orders", {1: S2[0]}, {5: date(2027, 1, 4)})  # PO Date a week earlier
    result = run(built, ["ta"], ctx())
    after = ta_sheet(built)
    assert after[(*S1, "CUT")]["Planned"] != before[(*S1, "CUT")]["Planned"]
    assert after[(*S2, "LD-APP")]["Planned"] != before[(*S2, "LD-APP")]["Planned"]
    assert not [x for x in result.findings if x.code is Code.TEMPLATE_CHANGED], \
        [x.message for x in result.findings if x.code is Code.TEMPLATE_CHANGED]
    assert "changed: Planned moved" not in _summary(result)
    # a week later with nothing edited: statuses move, nothing is said about templates
    again = run(built, ["ta"], ctx(date(2027, 3, 8)))
    assert not [x for x in again.findings if x.code in (Code.TEMPLATE_CHANGED, Code.MILESTONE_ADDED)]


def _add_template_row(path, row: list) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["T&A Templates"]
    ws.append(row)
    grow_tables(ws)
    wb.save(path)


def test_a_milestone_added_to_a_template_says_how_many_running_lines_got_it_and_how_many_are_past_due(built):  # noqa: F811
    _add_template_row(built, ["Knit", "GSA", "Green seal approval", "Buyer", "PO Date", 20, "Working", "No",
                              "Development"])
    result = run(built, ["ta"], ctx())
    assert ta_sheet(built)[(*S1, "GSA")]["Status"] == "Overdue"
    f = assert_finding(result.findings, Code.MILESTONE_ADDED, sheet="T&A Templates", row=12)
    assert f.severity == "warning" and f.key == "Knit"
    for words in ("New milestone GSA (template 'Knit') added to 1 PO line(s) already planned",
                  "1 already past due", "Actual", "N/A"):
        assert words in f.message, (words, f.message)
    assert "New milestone GSA (template 'Knit') added to 1 PO line(s)" in _summary(result)
    assert not [x for x in result.findings if x.code is Code.TEMPLATE_CHANGED]


def test_a_new_po_line_is_not_a_new_milestone(built):  # noqa: F811
    add_order(built, ["4500000003", "S1", "Navy", 100, date(2027, 1, 4), date(2027, 4, 15), date(2027, 5, 10),
                      date(2027, 5, 20)])
    result = run(built, ["ta"], ctx())
    assert (("4500000003", "S1", "Navy", "GSA") not in ta_sheet(built)
            and ("4500000003", "S1", "Navy", "LD") in ta_sheet(built))
    assert not [x for x in result.findings if x.code in (Code.MILESTONE_ADDED, Code.TEMPLATE_CHANGED)]


def test_a_renamed_code_names_the_code_the_actuals_and_notes_archived_and_the_way_back(built):  # noqa: F811
    edit(built, "T&A Templates", {1: "Woven", 2: "LD"}, {2: "LDS"})
    edit(built, "T&A Templates", {1: "Woven", 2: "LD-APP"}, {5: "LDS"})
    result = run(built, ["ta"], ctx())
    assert ta_sheet(built, "T&A Archive")[(*S2, "LD")]["Notes"] == "ok"
    line = "1 T&A row(s) moved to 'T&A Archive' (milestones removed from template 'Woven' (LD): 1)."
    assert line in _summary(result)
    f = assert_finding(result.findings, Code.MILESTONE_REMOVED, sheet="T&A Templates", key="Woven")
    assert f.severity == "warning"
    for words in ("Milestone LD is no longer in template 'Woven'", "1 T&A row(s)", "'T&A Archive'",
                  "1 with an Actual date or Notes", "'LDS' is new", "type 'LD' back", "Undo last",
                  "copy their Actual dates and Notes"):
        assert words in f.message, (words, f.message)
    # the advice, followed: the code typed back, refresh: the Actual and Notes come back
    edit(built, "T&A Templates", {1: "Woven", 2: "LDS"}, {2: "LD"})
    edit(built, "T&A Templates", {1: "Woven", 2: "LD-APP"}, {5: "LD"})
    run(built, ["ta"], ctx())
    row = ta_sheet(built)[(*S2, "LD")]
    assert row["Actual"].date() == date(2027, 1, 20) and row["Notes"] == "ok"


def test_a_removed_milestone_without_actuals_is_only_counted(built):  # noqa: F811
    delete_step(built, "Woven", "DC")
    result = run(built, ["ta"], ctx())
    assert not [x for x in result.findings if x.code is Code.MILESTONE_REMOVED]
    assert "(milestones removed from template 'Woven' (DC): 1)" in _summary(result)



def _type(path, key: tuple, **values) -> None:
    header = ta_sheet(path)[key]
    cols = list(header)
    edit(path, "T&A", {1: key[0], 2: key[1], 3: key[2], 5: key[3]},
         {cols.index(k) + 1: v for k, v in values.items()})


def test_a_date_or_status_typed_into_prodbooks_columns_is_named_once_at_its_cell(built):  # noqa: F811
    before = ta_sheet(built)
    _type(built, (*S1, "LD-APP"), Forecast=date(2027, 3, 20))  # the vendor's revised date, in Forecast
    _type(built, (*S1, "CUT"), Status="Done")  # marked done in Status, no Actual
    _type(built, (*S2, "XF"), Planned=date(2027, 5, 14))  # re-planned by hand
    _type(built, (*S1, "DC"), Planned=date(2027, 6, 1))  # a milestone dated from another: no template change
    result = run(built, ["ta"], ctx())
    after = ta_sheet(built)
    assert after[(*S1, "LD-APP")]["Forecast"] == before[(*S1, "LD-APP")]["Forecast"]  # replaced, as before
    typed = [x for x in result.findings if x.code is Code.GENERATED_TYPED_OVER]
    assert sorted((x.column, x.value) for x in typed) == [("Forecast", "20-Mar-27"), ("Planned", "01-Jun-27"),
                                                         ("Planned", "14-May-27"), ("Status", "'Done'")], \
        [x.text() for x in typed]
    assert not [x for x in result.findings if x.code is Code.TEMPLATE_CHANGED]
    f = next(x for x in typed if x.column == "Forecast")
    assert f.severity == "warning" and f.sheet == "T&A" and f.row is not None
    assert "Forecast is prodbook's column: your 20-Mar-27 was replaced by 01-Mar-27" in f.message, f.message
    assert "type the vendor's date in Notes, a completion date in Actual" in f.message
    assert "Actual" in next(x for x in typed if x.column == "Status").message
    again = run(built, ["ta"], ctx())  # said once: the next run finds prodbook's own values there
    assert not [x for x in again.findings if x.code is Code.GENERATED_TYPED_OVER]


def test_ordinary_replanning_is_not_called_typed_over(built):  # noqa: F811
    edit(built, "Orders", {1: S1[0]}, {6: date(2027, 4, 22)})  # Ex-Factory moved
    edit(built, "T&A Templates", {1: "Woven", 2: "LD-APP"}, {6: 4})  # a template step changed
    type_actual(built, (*S1, "LD"), date(2027, 1, 28), "mill later still")  # an Actual upstream, later
    wb = openpyxl.load_workbook(built)
    wb["Closures"].append(["BD", date(2027, 2, 1), date(2027, 2, 5), "Factory closed"])  # a closure added
    grow_tables(wb["Closures"])
    wb.save(built)
    result = run(built, ["ta"], ctx(date(2027, 3, 8)))  # and a week went by
    assert result.outcomes[0].changes
    assert not [x for x in result.findings if x.code is Code.GENERATED_TYPED_OVER], \
        [x.text() for x in result.findings if x.code is Code.GENERATED_TYPED_OVER]


def test_a_line_the_apm_started_by_hand_gets_its_plan_without_a_new_milestone_warning(tmp_path):
    sheets = base_sheets()  # the T&A holds one row typed by hand (keys and an Actual, no Planned)
    sheets["T&A"].append([*S1[:3], None, "LD", None, None, None, None, date(2027, 1, 12), None, None, "typed"])
    path = write_book(tmp_path / "t.xlsx", sheets)
    result = run(path, ["ta"], ctx())
    assert ta_sheet(path)[(*S1, "CUT")]["Planned"] is not None
    assert not [x for x in result.findings if x.code in (Code.MILESTONE_ADDED, Code.TEMPLATE_CHANGED,
                                                         Code.GENERATED_TYPED_OVER)]


def test_a_closure_added_for_one_vendor_is_not_called_a_template_change(tmp_path):
    """A review's false alarm: a Closures row (or a public holiday) added moves Planned on the lines of that
    vendor whose span it falls in; read against today's calendar their old plan looked like a changed step, and
    the run told the APM to undo a template edit nobody made. A step changed moves every running line."""
    path = write_book(tmp_path / "t.xlsx", base_sheets())  # S1 (BD1) and S2 (CN1), both on Knit
    run(path, ["ta"], ctx())
    wb = openpyxl.load_workbook(path)
    wb["Closures"].append(["BD1", date(2027, 1, 12), date(2027, 1, 13), "Factory shutdown"])
    grow_tables(wb["Closures"])
    wb.save(path)
    before = ta_sheet(path)[(*S1, "LD-APP")]["Planned"]
    result = run(path, ["ta"], ctx())
    assert ta_sheet(path)[(*S1, "LD-APP")]["Planned"] > before, "the closure moved BD1's lab dip approval"
    assert not [f for f in result.findings if f.code is Code.TEMPLATE_CHANGED], \
        [f.text() for f in result.findings if f.code is Code.TEMPLATE_CHANGED]
