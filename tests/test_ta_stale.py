"""Issue 9.2: a template error blocks only its template and never archives; archiving is counted
and archived rows come back with the user's Actual and Notes. Real workbooks, written and read back."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import assert_finding, base_sheets, sheet_values, write_book
from prodbook.core import ta
from prodbook.core.findings import Code
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run

TODAY = date(2027, 3, 1)
S1 = ("4500000001", "S1", "Navy")  # template Knit
S2 = ("4500000002", "S2", "Black")  # template Woven


def ctx(today: date = TODAY) -> Context:
    return Context(today=today, now=datetime(2027, 3, 1, 9, 0))


def two_templates() -> dict:
    """The base tracker with S2 on its own template 'Woven' (a copy of Knit)."""
    sheets = base_sheets()
    knit = [r for r in sheets["T&A Templates"][1:]]
    sheets["T&A Templates"] += [["Woven", *r[1:]] for r in knit]
    sheets["Styles"][2][3] = "Woven"
    return sheets


def ta_sheet(path: Path, name: str = "T&A") -> dict[tuple, dict]:
    wb = openpyxl.load_workbook(path)
    if name not in wb.sheetnames:
        return {}
    rows = [list(r) for r in wb[name].iter_rows(values_only=True)]
    return {tuple(r[:3]) + (r[4],): dict(zip(rows[0], r)) for r in rows[1:] if r[0]}


def edit(path: Path, sheet: str, find: dict[int, object], set_: dict[int, object]) -> None:
    """Change cells (1-based columns) of the rows of ``sheet`` whose cells match ``find``."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    hits = 0
    for row in ws.iter_rows(min_row=2):
        if all(row[c - 1].value == v for c, v in find.items()):
            for c, v in set_.items():
                row[c - 1].value = v
            hits += 1
    assert hits, (sheet, find)
    wb.save(path)


def type_actual(path: Path, key: tuple, actual: date, note: str) -> None:
    header = sheet_values(path, "T&A")[0]
    edit(path, "T&A", {1: key[0], 2: key[1], 3: key[2], 5: key[3]},
         {header.index("Actual") + 1: actual, header.index("Notes") + 1: note})


def delete_order(path: Path, po: str) -> list:
    wb = openpyxl.load_workbook(path)
    ws = wb["Orders"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == po:
            values = [c.value for c in row]
            ws.delete_rows(row[0].row)
            wb.save(path)
            return values
    raise AssertionError(po)


def delete_step(path: Path, template: str, code: str) -> None:
    """What the APM does on T&A Templates: delete a milestone's row, save."""
    wb = openpyxl.load_workbook(path)
    ws = wb["T&A Templates"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == template and row[1].value == code:
            ws.delete_rows(row[0].row)
            break
    wb.save(path)


def add_order(path: Path, values: list) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["Orders"]
    ws.append(values)
    for t in ws.tables.values():
        t.ref = f"A1:{openpyxl.utils.get_column_letter(len(values))}{ws.max_row}"
    wb.save(path)


BREAKS = {  # (milestone code, column, value) that breaks a template, and the error it gives
    "cycle": ("LD", 5, "LD-APP", Code.TEMPLATE_CYCLE),  # LD on LD-APP, LD-APP on LD
    "missing anchor": ("LD-APP", 5, "LDX", Code.TEMPLATE_ANCHOR),
    "bad offset": ("LD-APP", 6, "seven", Code.TEMPLATE_ROW_INVALID),
    "unknown day type": ("LD-APP", 7, "Workdays", Code.TEMPLATE_ROW_INVALID),
}


def break_knit(path: Path, how: str) -> None:
    code, col, value, _ = BREAKS[how]
    edit(path, "T&A Templates", {1: "Knit", 2: code}, {col: value})


def fix_knit(path: Path) -> None:
    edit(path, "T&A Templates", {1: "Knit", 2: "LD"}, {5: "PO Date", 6: 5, 7: "Working"})
    edit(path, "T&A Templates", {1: "Knit", 2: "LD-APP"}, {5: "LD", 6: 7, 7: "Working"})


@pytest.fixture
def built(tmp_path: Path) -> Path:
    path = write_book(tmp_path / "t.xlsx", two_templates())
    run(path, ["ta"], ctx())
    type_actual(path, (*S1, "LD"), date(2027, 1, 12), "mill late")
    type_actual(path, (*S2, "LD"), date(2027, 1, 20), "ok")
    run(path, ["ta"], ctx())
    return path


@pytest.mark.parametrize("how", list(BREAKS))
def test_a_broken_template_keeps_its_rows_exactly_and_other_templates_update(built, how):
    before = ta_sheet(built)
    break_knit(built, how)
    # both PO lines move their ex-factory a week later, and the run is a week later
    edit(built, "Orders", {1: S1[0]}, {6: date(2027, 4, 22)})
    edit(built, "Orders", {1: S2[0]}, {6: date(2027, 5, 7)})
    result = run(built, ["ta"], ctx(TODAY + timedelta(days=7)))
    after = ta_sheet(built)
    assert set(after) == set(before), "no T&A row may be archived or added"
    knit = [k for k in before if k[:3] == S1]
    woven = [k for k in before if k[:3] == S2]
    assert len(knit) == len(woven) == 5
    for k in knit:  # every cell of the broken template's rows exactly as it was
        assert after[k] == before[k], k
    assert after[(*S2, "XF")]["Planned"].date() == date(2027, 5, 7)  # the other template was recomputed
    assert after[(*S2, "XF")]["Planned"] != before[(*S2, "XF")]["Planned"]
    assert after[(*S2, "LD")]["Actual"].date() == date(2027, 1, 20) and after[(*S2, "LD")]["Notes"] == "ok"
    assert ta_sheet(built, "T&A Archive") == {}
    *_, code = BREAKS[how]
    f = assert_finding(result.findings, code, sheet="T&A Templates")
    assert "'Knit'" in f.message and f.severity == "error" and f.row in (2, 3)
    # the bad cell has its own message; the template's says it is on hold, in its Template cell
    assert f.column in ("Anchor", "Template")
    stale = assert_finding(result.findings, Code.TA_STALE, sheet="T&A")
    assert "5 T&A row(s) of 1 PO line(s)" in stale.message and "'Knit'" in stale.message
    assert not [f for f in result.findings if f.code in (Code.ROWS_ARCHIVED, Code.TEMPLATE_MISSING)]
    summary = "\n".join(result.outcomes[0].summary)
    assert "5 milestones recomputed for 1 PO lines" in summary
    assert "5 T&A row(s) of 1 PO line(s) kept unchanged and stale" in summary
    issues = sheet_values(built, "Issues")
    assert any("'Knit'" in str(r) and "stale" in str(r) for r in issues)


def test_fixing_the_template_after_a_broken_run_archives_nothing_and_loses_no_actual(built):
    break_knit(built, "missing anchor")
    run(built, ["ta"], ctx())
    edit(built, "Orders", {1: S1[0]}, {6: date(2027, 4, 22)})
    fix_knit(built)
    result = run(built, ["ta"], ctx())
    rows = ta_sheet(built)
    assert len(rows) == 10 and ta_sheet(built, "T&A Archive") == {}
    ld = rows[(*S1, "LD")]
    assert ld["Actual"].date() == date(2027, 1, 12) and ld["Notes"] == "mill late"
    assert rows[(*S1, "XF")]["Planned"].date() == date(2027, 4, 22)  # recomputed again
    assert not [f for f in result.findings if f.code in (Code.TA_STALE, Code.ROWS_ARCHIVED)]


def test_removing_a_po_line_archives_exactly_its_rows_and_the_summary_counts_them(built):
    before = ta_sheet(built)
    delete_order(built, S2[0])
    result = run(built, ["ta"], ctx())
    rows = ta_sheet(built)
    archive = ta_sheet(built, "T&A Archive")
    assert set(rows) == {k for k in before if k[:3] == S1}
    assert set(archive) == {k for k in before if k[:3] == S2}
    assert archive[(*S2, "LD")]["Actual"].date() == date(2027, 1, 20)
    assert {r["Reason"] for r in archive.values()} == {"PO line no longer on Orders"}
    summary = "\n".join(result.outcomes[0].summary)
    assert "5 T&A row(s) moved to 'T&A Archive' (5 row(s) of 1 PO line(s) no longer on Orders)." in summary
    assert_finding(result.findings, Code.ROWS_ARCHIVED)


def test_a_milestone_removed_from_a_valid_template_is_archived_and_counted(built):
    delete_step(built, "Woven", "DC")
    result = run(built, ["ta"], ctx())
    assert (*S2, "DC") not in ta_sheet(built) and (*S1, "DC") in ta_sheet(built)
    archive = ta_sheet(built, "T&A Archive")
    assert list(archive) == [(*S2, "DC")] and archive[(*S2, "DC")]["Reason"] == \
        "milestone no longer in template 'Woven'"
    assert "1 T&A row(s) moved to 'T&A Archive' (milestones removed from template 'Woven' (DC): 1)." in \
        "\n".join(result.outcomes[0].summary)


def test_a_re_added_po_line_takes_back_its_actual_and_notes_and_undo_reverses_it(built):
    values = delete_order(built, S1[0])
    run(built, ["ta"], ctx())
    assert len(ta_sheet(built, "T&A Archive")) == 5
    add_order(built, values)
    result = run(built, ["ta"], ctx())
    rows = ta_sheet(built)
    ld = rows[(*S1, "LD")]
    assert ld["Actual"].date() == date(2027, 1, 12) and ld["Notes"] == "mill late"
    assert ld["Status"] == "Done late"
    assert ta_sheet(built, "T&A Archive") == {}
    assert_finding(result.findings, Code.ROWS_RESTORED)
    log = [r for r in sheet_values(built, "Change Log")[1:] if r[4] == "(taken back)"]
    assert len(log) == 5 and all(r[2] == "T&A Archive" and r[6] == "PO line no longer on Orders" for r in log)
    run(built, ["undo"], ctx())
    assert {k[:3] for k in ta_sheet(built)} == {S2}
    archive = ta_sheet(built, "T&A Archive")
    assert len(archive) == 5 and archive[(*S1, "LD")]["Notes"] == "mill late"
    assert archive[(*S1, "LD")]["Actual"].date() == date(2027, 1, 12)


@pytest.mark.parametrize("how", ["style without template", "style removed", "bad Orders cell"])
def test_an_input_error_on_a_po_line_keeps_its_rows(built, how):
    before = ta_sheet(built)
    if how == "style without template":
        edit(built, "Styles", {1: "S1"}, {4: None})
    elif how == "style removed":
        edit(built, "Styles", {1: "S1"}, {1: "S1-OLD"})
    else:
        edit(built, "Orders", {1: S1[0]}, {4: "a lot"})  # Qty: not a number
    result = run(built, ["ta"], ctx(TODAY + timedelta(days=30)))
    after = ta_sheet(built)
    assert set(after) == set(before) and ta_sheet(built, "T&A Archive") == {}
    assert all(after[k] == before[k] for k in before if k[:3] == S1)
    assert_finding(result.findings, Code.TA_STALE)


# -- the pure triage ---------------------------------------------------------------------------

def _frame(rows, fields=("po", "style", "color", "code")) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(fields))


def test_triage_archives_only_deliberate_removals():
    old = _frame([("P1", "S", "C", "A"), ("P1", "S", "C", "B"), ("P2", "S", "C", "A"), ("P3", "S", "C", "A"),
                  ("P4", "S", "X", "A"), ("P1", "S", "C", "A"), ("P5", "S", "C", None)])
    matched = [True, False, False, False, False, False, False]
    planned = _frame([("P1", "S", "C", "A", "T")], ("po", "style", "color", "code", "template"))
    orders = _frame([("P1", "S", "C"), ("P2", "S", "C"), ("P4", "S", None)], ("po", "style", "color"))
    fates, left = ta.triage(old, matched, planned, orders)
    assert list(fates) == ["matched", "removed", "stale", "gone", "stale", "duplicate", "stale"]
    assert left[1] == "T"
    fates, _ = ta.triage(old, matched, planned, orders, removal_ok=False)
    assert fates[1] == "stale"


# -- the property --------------------------------------------------------------------------------

LINES = [("4500000001", "S1", "Navy", "Knit"), ("4500000002", "S2", "Black", "Woven"),
         ("4500000003", "S3", "Red", "Denim"), ("4500000004", "S4", "Sand", "Denim")]


def _property_sheets() -> dict:
    sheets = base_sheets()
    knit = sheets["T&A Templates"][1:]
    sheets["T&A Templates"] = [sheets["T&A Templates"][0]] + [[t, *r[1:]] for t in ("Knit", "Woven", "Denim")
                                                              for r in knit]
    sheets["Styles"] = [sheets["Styles"][0]] + [[s, "tee", "BD1", t, "Adopted"] for _, s, _, t in LINES]
    sheets["Orders"] = [sheets["Orders"][0]] + [
        [po, s, c, 100, date(2027, 1, 4), date(2027, 4, 15 + i), date(2027, 5, 20), date(2027, 5, 30)]
        for i, (po, s, c, _) in enumerate(LINES)]
    return sheets


_BASE: dict[str, bytes] = {}


def _base_book(tmp: Path) -> Path:
    """Built once: every example starts from the same refreshed tracker with typed Actuals."""
    path = tmp / "base.xlsx"
    if "book" not in _BASE:
        write_book(path, _property_sheets())
        run(path, ["ta"], ctx())
        for i, (po, s, c, _) in enumerate(LINES):
            type_actual(path, (po, s, c, "LD"), date(2027, 1, 10 + i), f"note {i}")
            type_actual(path, (po, s, c, "CUT"), date(2027, 3, 1), f"cut {i}")
        run(path, ["ta"], ctx())
        _BASE["book"] = path.read_bytes()
    path.write_bytes(_BASE["book"])
    return path


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(broken=st.dictionaries(st.sampled_from(["Knit", "Woven", "Denim"]), st.sampled_from(list(BREAKS))),
       removed=st.sets(st.integers(0, len(LINES) - 1), max_size=2),
       days=st.integers(0, 40))
def test_property_no_row_and_no_actual_is_lost_whatever_templates_break(tmp_path_factory, broken, removed,
                                                                        days):
    path = _base_book(tmp_path_factory.mktemp("p"))
    before = ta_sheet(path)
    typed = {k: (r["Actual"], r["Notes"]) for k, r in before.items() if r["Actual"] is not None}
    wb = openpyxl.load_workbook(path)
    ws = wb["T&A Templates"]
    for row in ws.iter_rows(min_row=2):
        name, code = row[0].value, row[1].value
        if name in broken and code == BREAKS[broken[name]][0]:
            _, col, value, _ = BREAKS[broken[name]]
            row[col - 1].value = value
    gone = [LINES[i] for i in sorted(removed)]
    for po, *_ in gone:
        ws_o = wb["Orders"]
        for r in ws_o.iter_rows(min_row=2):
            if r[0].value == po:
                ws_o.delete_rows(r[0].row)
                break
    wb.save(path)
    result = run(path, ["ta"], ctx(TODAY + timedelta(days=days)))
    after, archive = ta_sheet(path), ta_sheet(path, "T&A Archive")
    gone_lines = {line[:3] for line in gone}
    # rows before = rows after + newly archived (nothing genuinely new here), and exactly the gone lines moved
    assert len(after) + len(archive) == len(before)
    assert {k[:3] for k in archive} == gone_lines
    assert set(after) == {k for k in before if k[:3] not in gone_lines}
    for po, s, c, t in LINES:  # a broken template's rows are exactly as they were
        if t in broken and (po, s, c) not in gone_lines:
            assert all(after[k] == before[k] for k in before if k[:3] == (po, s, c))
    for k, (actual, note) in typed.items():  # every typed Actual is on one of the two sheets
        where = after.get(k) or archive.get(k)
        assert where is not None and where["Actual"] == actual and where["Notes"] == note, k
    stale_lines = {(po, s, c) for po, s, c, t in LINES if t in broken} - gone_lines
    assert bool(stale_lines) == any(f.code is Code.TA_STALE for f in result.findings)
    # then the APM fixes every template and puts the lines back: everything returns, archive empties
    wb = openpyxl.load_workbook(path)
    ws = wb["T&A Templates"]
    for row in ws.iter_rows(min_row=2):
        if row[1].value == "LD":
            row[4].value, row[5].value, row[6].value = "PO Date", 5, "Working"
        if row[1].value == "LD-APP":
            row[4].value, row[5].value, row[6].value = "LD", 7, "Working"
    wb.save(path)
    for i in sorted(removed):
        po, s, c, _ = LINES[i]
        add_order(path, [po, s, c, 100, date(2027, 1, 4), date(2027, 4, 15 + i), date(2027, 5, 20),
                         date(2027, 5, 30)])
    run(path, ["ta"], ctx(TODAY + timedelta(days=days)))
    final = ta_sheet(path)
    assert set(final) == set(before) and ta_sheet(path, "T&A Archive") == {}
    for k, (actual, note) in typed.items():
        assert final[k]["Actual"] == actual and final[k]["Notes"] == note, k


def test_undo_of_a_run_that_archives_one_line_and_takes_back_another(built):
    s1 = delete_order(built, S1[0])
    run(built, ["ta"], ctx())
    add_order(built, s1)
    delete_order(built, S2[0])
    result = run(built, ["ta"], ctx())
    assert {k[:3] for k in ta_sheet(built)} == {S1} and {k[:3] for k in ta_sheet(built, "T&A Archive")} == {S2}
    assert ta_sheet(built)[(*S1, "LD")]["Notes"] == "mill late"
    assert "5 T&A row(s) taken back" in "\n".join(result.outcomes[0].summary)
    run(built, ["undo"], ctx())
    assert {k[:3] for k in ta_sheet(built)} == {S2} and {k[:3] for k in ta_sheet(built, "T&A Archive")} == {S1}
    assert ta_sheet(built)[(*S2, "LD")]["Notes"] == "ok"
    assert ta_sheet(built, "T&A Archive")[(*S1, "LD")]["Notes"] == "mill late"


def test_undo_puts_archived_rows_back_on_the_rows_they_left(built):
    """A PO line's rows archived from the top of the T&A came back at its foot on undo: every row under
    them then sat higher than before the run, and a formula the team keeps on a row (='T&A'!H5 on a
    dashboard) read another milestone, without a word. The log now says the row each left."""
    order = [tuple(r[:3]) + (r[4],) for r in sheet_values(built, "T&A")[1:]]
    assert order[0][:3] == S1
    delete_order(built, S1[0])
    run(built, ["ta"], ctx())
    log = [r for r in sheet_values(built, "Change Log")[1:] if r[4] == "(archived)"]
    assert sorted(r[5] for r in log) == sorted(f"T&A row {n}" for n, k in enumerate(order, 2) if k[:3] == S1)
    run(built, ["undo"], ctx())
    assert [tuple(r[:3]) + (r[4],) for r in sheet_values(built, "T&A")[1:]] == order


def chased_by(path: Path, sheet: str = "T&A") -> dict[tuple, object]:
    """The team's own 'Chased by' column, by T&A key; on the archive, as its Your Columns keeps it."""
    rows = ta_sheet(path, sheet)
    if sheet != "T&A":
        return {k: json.loads(r["Your Columns"])["Chased by"] for k, r in rows.items() if r.get("Your Columns")}
    return {k: r.get("Chased by") for k, r in rows.items() if r.get("Chased by")}


def test_the_teams_own_columns_go_to_the_archive_and_back_with_the_row_and_with_each_undo(built):
    header = sheet_values(built, "T&A")[0]
    wb = openpyxl.load_workbook(built)
    ws = wb["T&A"]
    ws.cell(1, len(header) + 1, "Chased by")
    for row in ws.iter_rows(min_row=2):
        row[0].parent.cell(row[0].row, len(header) + 1, f"Ana {row[4].value}" if row[0].value == S2[0] else None)
    wb.save(built)
    theirs = chased_by(built)
    assert len(theirs) == 5 and {k[:3] for k in theirs} == {S2}

    s2 = delete_order(built, S2[0])
    run(built, ["ta"], ctx())  # S2's rows go to the archive, their Chased by with them
    assert chased_by(built) == {}
    (row,) = [r for k, r in ta_sheet(built, "T&A Archive").items() if k == (*S2, "LD")]
    assert row["Your Columns"] == '{"Chased by": "Ana LD"}'
    undo = run(built, ["undo"], ctx())  # ... and back on the T&A, under their own header
    assert chased_by(built) == theirs and ta_sheet(built, "T&A Archive") == {}
    assert not [f for f in undo.findings if f.code is Code.UNDO_KEPT]

    run(built, ["ta"], ctx())  # archived again
    add_order(built, s2)
    taken = run(built, ["ta"], ctx())  # the PO line is back: its rows are taken back, Chased by too
    assert "5 T&A row(s) taken back" in "\n".join(taken.outcomes[0].summary)
    assert chased_by(built) == theirs and ta_sheet(built, "T&A Archive") == {}
    undo = run(built, ["undo"], ctx())  # not 'typed since': they go back to the archive, whole
    assert not [f for f in undo.findings if f.code is Code.UNDO_KEPT], [f.message for f in undo.findings]
    assert chased_by(built) == {} and chased_by(built, "T&A Archive") == theirs


def test_a_vendor_whose_calendar_is_in_error_keeps_its_rows_as_they_are(built):
    """BD1's Holiday Country typed 'XX': its lines were planned on Monday-Friday instead, every date moved
    (its Friday weekend dropped). Now they stay as they were, stale, and the error is named."""
    before = ta_sheet(built)
    edit(built, "Vendors", {1: "BD1"}, {7: "XX"})
    result = run(built, ["ta"], ctx(TODAY + timedelta(days=1)))
    after = ta_sheet(built)
    s1 = [k for k in before if k[:3] == S1]
    assert s1 and all(after[k]["Planned"] == before[k]["Planned"] for k in s1)
    assert any(f.code is Code.CALENDAR and "XX" in f.message for f in result.findings)
    assert any(f.code is Code.TA_STALE for f in result.findings)
    assert not any(f.code is Code.UNKNOWN_VENDOR for f in result.findings)  # BD1 is on the Vendors sheet


def test_a_style_without_a_vendor_is_named_when_its_lines_are_planned(tmp_path):
    sheets = two_templates()
    sheets["Styles"][1][2] = None  # S1's Vendor left blank
    path = write_book(tmp_path / "t.xlsx", sheets)
    result = run(path, ["ta"], ctx())
    f = assert_finding(result.findings, Code.UNKNOWN_VENDOR, sheet="Styles", row=2, column="Vendor")
    assert "S1 has no Vendor" in f.message and "Monday-Friday" in f.message
