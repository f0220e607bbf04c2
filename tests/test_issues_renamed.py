"""A sheet or header the team renames keeps its Issues rows' decisions (audit 202, M4).

The Issues rows name the sheet and the header as the team wrote them. A team that renames 'Orders' to 'PO Lines'
in Excel (and types 'Sheet: Orders' = 'PO Lines' on Config), heads 'Cancel Date' as 'Cancel' (a synonym), or
changes a name of its own to another, finds the next run's rows continuing the old ones: the APM's Dismiss, the
first Found On and the notes in their own column stay, and the rows are written under the new names, their Cell
links going to the renamed sheet. Real workbooks (openpyxl renames, prodbook's runs make the rows), and the rule
itself (``open_findings.as_named``) held to an invariant: a rename is invisible to the rows' match.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import add_notes_column, sheet_values
from prodbook.core.model.sheets import ISSUES, ORDERS
from prodbook.core.open_findings import Checked, Names, as_named, merge, other_names
from prodbook.jobs.runner import run
from test_issues_dismiss_stands import late_for_cancel_book, said
from test_open_findings import ctx, issues, issues_row, type_in

DAY1, DAY2, DAY3 = date(2027, 3, 1), date(2027, 3, 2), date(2027, 3, 3)


def tracker(tmp_path: Path, orders: str = "Orders", cancel: str = "Cancel Date") -> Path:
    """The late-for-cancel tracker (PO 4500000001, 5 day(s) after cancel) with a Qty that is no number (PO
    4500000002) and a lab dip of a style not on Styles; the Orders sheet and its Cancel Date named as given, each
    named on Config where it is not prodbook's own name. Checked on day 1: the APM dismisses the late-for-cancel
    and the lab dip, with notes, and notes the Qty (no decision)."""
    path = late_for_cancel_book(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["Orders"].cell(3, 4).value = "lots"
    dips = wb.create_sheet("Lab Dips")
    dips.append(["Style #", "Color", "Round", "Submitted"])
    dips.append(["ZZ99", "Navy", 1, date(2027, 2, 1)])
    wb.save(path)
    rename_header(path, "Orders", "Cancel Date", cancel)
    rename_sheet(path, "Orders", orders)
    if orders != "Orders":
        set_config(path, "Sheet: Orders", orders)
    if cancel not in ("Cancel Date", "Cancel"):
        set_config(path, "Column: Orders / Cancel Date", cancel)
    run(path, ["validate", "ta"], ctx(DAY1))
    add_notes_column(path)
    decide(path, "late-for-cancel", "Dismiss", "buyer agreed +5 days")
    decide(path, "bad-number", None, "asked the merchandiser")
    decide(path, "style-unknown", "Dismiss", "a mill's test style")
    return path


def decide(path: Path, code: str, accept: str | None, note: str) -> None:
    at = issues_row(path, code)
    type_in(path, at, "Accept", accept)
    type_in(path, at, "Notes", note)


def rename_sheet(path: Path, old: str, new: str) -> None:
    """The sheet renamed, as the APM does on its tab (Excel keeps its Table)."""
    if old == new:
        return
    wb = openpyxl.load_workbook(path)
    wb[old].title = new
    wb.save(path)


def rename_header(path: Path, sheet: str, old: str, new: str) -> None:
    """A header retyped: the cell and the Table's column, as Excel keeps them one."""
    if old == new:
        return
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    cell = next(c for c in ws[1] if c.value == old)
    cell.value = new
    for table in ws.tables.values():
        for column in table.tableColumns:
            if column.name == old:
                column.name = new
    wb.save(path)


def set_config(path: Path, setting: str, value: str) -> None:
    """A Setting / Value line on the Config sheet (made if the workbook has none), typed over if it is there."""
    wb = openpyxl.load_workbook(path)
    if "Config" not in wb.sheetnames:
        wb.create_sheet("Config").append(["Setting", "Value"])
    ws = wb["Config"]
    row = next((r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == setting), ws.max_row + 1)
    ws.cell(row, 1).value, ws.cell(row, 2).value = setting, value
    wb.save(path)


def rows(path: Path) -> dict[str, dict[str, Any]]:
    return {r["Code"]: r for r in issues(path)}


def link(path: Path, code: str) -> str:
    """The Cell link of the row of ``code`` as written (its formula)."""
    values = sheet_values(path, "Issues")
    at = values[0].index("Code")
    return next(str(r[values[0].index("Cell")]) for r in values[1:] if r[at] == code)


def assert_decisions_kept(path: Path, sheet: str, cancel: str) -> None:
    got = rows(path)
    late, qty, dip = got["late-for-cancel"], got["bad-number"], got["style-unknown"]
    assert (late["Sheet"], late["Field"], late["Accept"], late["Notes"]) == (
        sheet, cancel, "Dismiss", "buyer agreed +5 days"), late
    assert (qty["Sheet"], qty["Field"], qty["Accept"], qty["Notes"]) == (sheet, "Qty", None,
                                                                         "asked the merchandiser"), qty
    assert (dip["Accept"], dip["Notes"]) == ("Dismiss", "a mill's test style"), dip
    assert {late["Found On"].date(), qty["Found On"].date(), dip["Found On"].date()} == {DAY1}
    assert f"#'{sheet}'!" in link(path, "late-for-cancel") and f"#'{sheet}'!" in link(path, "bad-number")
    assert not [r for r in issues(path) if r["Sheet"] == "Orders" and sheet != "Orders"]  # no row left behind


def test_a_sheet_renamed_keeps_its_rows_decisions_found_on_and_notes(tmp_path):
    """'Orders' renamed 'PO Lines' (and so named on Config): a Check records run, which does not rebuild the T&A,
    already writes the late-for-cancel row under the new name, Dismiss and note with it; the rebuild the next day
    finds it again there, still dismissed. The undecided Qty row keeps its note and Found On."""
    path = tracker(tmp_path)
    rename_sheet(path, "Orders", "PO Lines")
    set_config(path, "Sheet: Orders", "PO Lines")
    result = run(path, ["validate"], ctx(DAY2))
    assert_decisions_kept(path, "PO Lines", "Cancel Date")
    assert "'Orders' is now 'PO Lines'" in said(result)
    result = run(path, ["validate", "ta"], ctx(DAY3))
    assert_decisions_kept(path, "PO Lines", "Cancel Date")
    assert "2 dismissed and still so" in said(result) and "is now" not in said(result)  # said once


def test_a_header_renamed_to_a_synonym_keeps_its_rows(tmp_path):
    """'Cancel Date' headed 'Cancel', which prodbook reads as the same column: the late-for-cancel row continues
    under 'Cancel', Dismiss, note and Found On kept."""
    path = tracker(tmp_path)
    rename_header(path, "Orders", "Cancel Date", "Cancel")
    result = run(path, ["validate", "ta"], ctx(DAY2))
    assert_decisions_kept(path, "Orders", "Cancel")
    assert "column 'Cancel Date' of 'Orders' is now 'Cancel'" in said(result)


@pytest.mark.parametrize("renamed", ["sheet", "column"])
def test_a_teams_own_name_changed_to_another_is_followed_by_the_runs_findings(tmp_path, renamed):
    """A name of the team's own changed to another ('PO Lines' to 'PO Lines SS27', a Cancel Date headed 'Cxl
    Deadline' to 'Buyer Cancel', each with its Config line): no name of prodbook's leads there, this run's finding
    of the same record, code, cell and step does."""
    path = tracker(tmp_path, orders="PO Lines", cancel="Cxl Deadline")
    assert rows(path)["late-for-cancel"]["Sheet"] == "PO Lines"
    sheet, cancel = ("PO Lines SS27", "Cxl Deadline") if renamed == "sheet" else ("PO Lines", "Buyer Cancel")
    rename_sheet(path, "PO Lines", sheet)
    set_config(path, "Sheet: Orders", sheet)
    rename_header(path, sheet, "Cxl Deadline", cancel)
    set_config(path, "Column: Orders / Cancel Date", cancel)
    run(path, ["validate", "ta"], ctx(DAY2))
    assert_decisions_kept(path, sheet, cancel)


def test_a_dismissed_sentence_naming_the_renamed_sheet_stays_dismissed(tmp_path):
    """'Styles' renamed 'Style Profiles': the lab dip's check says 'not on the Style Profiles sheet' now. The
    sentence dismissed said 'Styles': it is read under the new name, and the Dismiss stands."""
    path = tracker(tmp_path)
    assert "not on the Styles sheet" in rows(path)["style-unknown"]["Problem"]
    rename_sheet(path, "Styles", "Style Profiles")
    set_config(path, "Sheet: Styles", "Style Profiles")
    run(path, ["validate", "ta"], ctx(DAY2))
    dip = rows(path)["style-unknown"]
    assert (dip["Accept"], dip["Notes"], dip["Found On"].date()) == ("Dismiss", "a mill's test style", DAY1), dip
    assert "not on the Style Profiles sheet" in dip["Problem"] and "Style Profiles" in dip["Dismissed As"]


def test_rows_of_a_sheet_with_another_name_stay_theirs(tmp_path):
    """A new sheet of the team's beside the ones the rows name ('Orders old' beside 'Orders'): nothing moves there,
    and nothing is said of a rename when nothing was renamed."""
    path = tracker(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("Orders old").append(["PO #"])
    wb.save(path)
    result = run(path, ["validate", "ta"], ctx(DAY2))
    assert "is now" not in said(result)
    assert_decisions_kept(path, "Orders", "Cancel Date")
    assert rows(path)["style-unknown"]["Sheet"] == "Lab Dips"


# -- the rule: a rename is invisible to the match --------------------------------------------------------------

def _row(n: int, sheet: str, field: str, problem: str, **more: Any) -> dict[str, Any]:
    return {"sheet": sheet, "cell": f"H{n + 2}", "key": f"45000000{n:02d} / S1 / Navy", "field": field,
            "value": None, "problem": problem, "severity": "warning", "code": "late-for-cancel",
            "other_value": None, "other_source": None, "proposed": None, "accept": None, "dismissed_as": None,
            "found_in": None, "found_on": DAY1, "found_by": "Rebuild T&A", **more}


_SENTENCE = st.sampled_from([
    "forecast ex-factory {d}, {n} day(s) after cancel; look at the {s} sheet",
    "PO {n} is not on the Orders sheet",  # a check that names prodbook's sheet, whatever the team calls it
    "the {s} sheet's row has {n} day(s) to go ({d})"])


@st.composite
def _runs(draw: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows of a run on 'Orders' / 'Cancel Date' (some dismissed), and the next run's findings: some of the same,
    some a day on, some gone, some new."""
    old, new = [], []
    for n in range(draw(st.integers(1, 6))):
        text = draw(_SENTENCE)
        say = text.format(s="Orders", n=n + 3, d=f"{n + 10}-Apr-27")
        accept = draw(st.sampled_from([None, "Dismiss", "Yes"]))
        old.append(_row(n, "Orders", "Cancel Date", say, accept=accept,
                        dismissed_as=say if accept == "Dismiss" and draw(st.booleans()) else None))
        fate = draw(st.sampled_from(["same", "a day on", "gone"]))
        if fate != "gone":
            later = 1 if fate == "a day on" else 0
            new.append(_row(n, "Orders", "Cancel Date", text.format(s="Orders", n=n + 3 + later,
                                                                    d=f"{n + 10 + later}-Apr-27"), found_on=DAY2))
    if draw(st.booleans()):
        new.append(_row(9, "Orders", "Cancel Date", "PO 9 is not on the Orders sheet", found_on=DAY2))
    return old, new


def _told(text: Any, sheet: str) -> Any:
    """A sentence as a check says it on the renamed sheet: the team's name where it names the sheet as the team
    calls it, prodbook's where it names prodbook's ('not on the Orders sheet')."""
    if not isinstance(text, str):
        return text
    return text.replace("the Orders sheet's", f"the {sheet} sheet's").replace("look at the Orders",
                                                                              f"look at the {sheet}")


def _as_team_names(rows: list[dict[str, Any]], sheet: str, header: str) -> list[dict[str, Any]]:
    """This run's findings on the renamed sheet and column."""
    return [{**r, "sheet": sheet, "field": header, "problem": _told(r["problem"], sheet)} for r in rows]


def _merged(old: list[dict[str, Any]], new: list[dict[str, Any]], names: Names | None = None
            ) -> list[dict[str, Any]]:
    """The rows after the second run: each with the older row it continues (``_source``)."""
    frame = pd.DataFrame([{**r, "_row": i + 2} for i, r in enumerate(old)])
    fresh = pd.DataFrame(new, columns=list(ISSUES.fields))
    if names is not None:
        frame = as_named(frame, fresh, names).frame
    m = merge(frame, fresh, Checked(today=DAY2, steps=frozenset({"Rebuild T&A"})), list(ISSUES.fields))
    return [{**{k: None if pd.isna(v) else v for k, v in r.items()}, "_source": s}  # NaN: a blank, as None
            for r, s in zip(m.frame.to_dict("records"), m.source, strict=True)]


@settings(max_examples=150, deadline=None)
@given(_runs(), st.sampled_from([("PO Lines", "Cancel Date"), ("Orders", "Cancel"), ("PO Lines SS27", "Cxl")]))
def test_a_rename_changes_nothing_but_the_names(runs, renamed):
    """The same two runs, once under the old names and once with the second under today's ('Orders' renamed
    'PO Lines' on Config, 'Cancel Date' headed 'Cancel', or both a team's own names no name of prodbook's leads to):
    each row continues the same older row, with the same Accept, Found On and Dismissed As (said as today's check
    says it)."""
    old, new = runs
    sheet, header = renamed
    ours = {"Orders": sheet} if sheet == "PO Lines" else {}
    columns = {"po": "PO #", "cancel": header}
    names = Names(frozenset({sheet, "Styles"}), ours, {sheet.casefold(): frozenset({"po#", header.lower()})},
                  {sheet.casefold(): other_names(columns, ORDERS.columns) if header == "Cancel" else {}})
    before = _merged(old, new)
    after = _merged(old, _as_team_names(new, sheet, header), names)
    keep = ("_source", "accept", "found_on", "dismissed_as")
    assert [[r[k] for k in keep] for r in after] == [[r[k] for k in keep[:3]] + [_told(r["dismissed_as"], sheet)]
                                                     for r in before]
    assert {r["sheet"] for r in after} <= {sheet} and {r["field"] for r in after} <= {header}


def test_nothing_moves_where_every_name_is_there():
    """Rows whose sheets and columns the workbook has (a vendor file's rows name the file): as they were."""
    old = pd.DataFrame([{**_row(0, "Orders", "Cancel Date", "x"), "_row": 2},
                        {**_row(1, "BD1 WIP.xlsx", "PO #", "y", found_in="BD1 WIP.xlsx", cell="row 3"), "_row": 3}])
    names = Names(frozenset({"Orders"}), {}, {"orders": frozenset({"canceldate"})}, {"orders": {}})
    got = as_named(old, pd.DataFrame(columns=list(ISSUES.fields)), names)
    assert got.rows == 0 and got.frame is old


def test_a_name_two_old_names_lead_to_is_not_taken():
    """Two sheets gone ('A', 'B') whose rows are found again on one new sheet ('C'): which one it was is not
    known, and neither is moved (their rows go as the check's own rows do)."""
    old = pd.DataFrame([{**_row(0, "A", "Cancel Date", "x"), "_row": 2}, {**_row(1, "B", "Cancel Date", "x"),
                                                                          "_row": 3}])
    new = pd.DataFrame([_row(0, "C", "Cancel Date", "x"), _row(1, "C", "Cancel Date", "x")])
    names = Names(frozenset({"C"}), {}, {"c": frozenset({"canceldate"})}, {"c": {}})
    assert as_named(old, new, names).rows == 0


def test_the_sentence_is_read_under_the_new_name_only_where_todays_check_says_it_so():
    """'PO 3 is not on the Orders sheet' is said so whatever the team calls Orders: that sentence stays as it is;
    'look at the Orders sheet' is said 'look at the PO Lines sheet' today, and is read so."""
    old = pd.DataFrame([{**_row(0, "Orders", "Cancel Date", "PO 3 is not on the Orders sheet"), "_row": 2},
                        {**_row(1, "Orders", "Cancel Date", "look at the Orders sheet"), "_row": 3}])
    new = pd.DataFrame([_row(0, "PO Lines", "Cancel Date", "PO 3 is not on the Orders sheet"),
                        _row(1, "PO Lines", "Cancel Date", "look at the PO Lines sheet")])
    names = Names(frozenset({"PO Lines", "Orders old"}), {"Orders": "PO Lines"}, {}, {})
    got = as_named(old, new, names).frame
    assert list(got["problem"]) == ["PO 3 is not on the Orders sheet", "look at the PO Lines sheet"]
    assert list(got["sheet"]) == ["PO Lines", "PO Lines"]


def test_a_sentence_names_a_renamed_sheet_no_row_is_on():
    """No row is on 'Styles' (every style complete), but a lab dip's sentence names it: read under the new name,
    and said."""
    dip = {"sheet": "Lab Dips", "cell": "A2", "key": "ZZ99 / Navy / 1", "field": "Style #", "code": "style-unknown",
           "found_by": "Check records"}
    old = pd.DataFrame([{**dip, "problem": "style 'ZZ99' is not on the Styles sheet", "accept": "Dismiss",
                         "dismissed_as": "style 'ZZ99' is not on the Styles sheet", "_row": 2}])
    new = pd.DataFrame([{**dip, "problem": "style 'ZZ99' is not on the Style Profiles sheet"}])
    names = Names(frozenset({"Lab Dips", "Style Profiles"}), {"Styles": "Style Profiles"},
                  {"lab dips": frozenset({"style#"})}, {})
    got = as_named(old, new, names)
    assert got.frame.loc[0, "dismissed_as"] == "style 'ZZ99' is not on the Style Profiles sheet"
    assert got.frame.loc[0, "sheet"] == "Lab Dips" and "'Styles' is now 'Style Profiles'" in got.notes[0]


def test_the_check_after_a_rename_reads_the_run_of_the_day(tmp_path):
    """The workbook as a run leaves it is read again the same way: a third run with nothing renamed since writes
    the same rows."""
    path = tracker(tmp_path)
    rename_sheet(path, "Orders", "PO Lines")
    set_config(path, "Sheet: Orders", "PO Lines")
    run(path, ["validate", "ta"], ctx(DAY2))
    first = issues(path)
    run(path, ["validate", "ta"], ctx(DAY2))
    assert issues(path) == first
