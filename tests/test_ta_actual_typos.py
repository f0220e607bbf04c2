"""Actual dates on the T&A that are most likely typos, said at the cell with a 4-digit year (real workbooks, the
whole `ta` job): a year before its Planned or long before the PO Date (h184 F4), years ahead (F8: not let push
the forecast), a formula (F10), and an order date's unlikely year said by `ta` alone too (F11)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl

from conftest import assert_finding, base_sheets, write_book
from prodbook.core.findings import Code, Finding
from prodbook.jobs.base import Context
from prodbook.jobs.runner import REFRESH, run

TODAY = date(2027, 3, 1)
PO1, PO2 = "4500000001", "4500000002"  # PO Date 04-Jan-2027 / 11-Jan-2027; LD planned PO Date + 5 working days


def ctx() -> Context:
    return Context(today=TODAY, now=datetime(2027, 3, 1, 9, 0))


def built(tmp_path: Path, sheets: dict[str, list[list[Any]]] | None = None) -> Path:
    path = write_book(tmp_path / "t.xlsx", sheets or base_sheets())
    run(path, ["ta"], ctx())
    return path


def type_actuals(path: Path, actuals: dict[tuple[str, str], Any]) -> dict[tuple[str, str], int]:
    """Type Actuals on the T&A as the APM does; returns each one's Excel row."""
    wb = openpyxl.load_workbook(path)
    ws = wb["T&A"]
    rows = {}
    for row in ws.iter_rows(min_row=2):
        key = (row[0].value, row[4].value)
        if key in actuals:
            row[9].value = actuals[key]
            rows[key] = row[0].row
    wb.save(path)
    assert len(rows) == len(actuals)
    return rows


def ta(path: Path) -> dict[tuple[str, str], dict[str, Any]]:
    ws = openpyxl.load_workbook(path)["T&A"]
    header = [c.value for c in ws[1]]
    return {(r[0], r[4]): dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True) if r[0]}


def actual_findings(findings: list[Finding], row: int) -> list[Finding]:
    return [f for f in findings if f.sheet == "T&A" and f.row == row and f.column == "Actual"]


# F4: an Actual a year before its Planned, or long before the PO Date

def test_an_actual_a_year_before_its_planned_is_said_with_the_year_planned_and_po_date(tmp_path):
    path = built(tmp_path)
    planned = ta(path)[(PO1, "LD")]["Planned"].date()
    typo = planned.replace(year=planned.year - 1)  # the year before's, on a lab dip: no PO Date excuses it
    rows = type_actuals(path, {(PO1, "LD"): datetime(typo.year, typo.month, typo.day)})
    findings = run(path, ["ta"], ctx()).findings
    f = assert_finding(findings, Code.DATE_YEAR_UNLIKELY, sheet="T&A", row=rows[(PO1, "LD")], column="Actual")
    assert f.severity == "warning" and f.value == typo.isoformat()
    for words in (f"{typo:%d-%b-%Y}", f"{planned:%d-%b-%Y}", "04-Jan-2027", "PO Date", "check the year"):
        assert words in f.message, f.message
    assert f.key == f"{PO1} / S1 / Navy / LD"


def test_an_actual_months_before_the_po_date_names_the_text_as_typed(tmp_path):
    """'3/12/2026' typed by an APM who means 3 December reads (Date Order MDY) as 12 March: a bulk cutting
    before the PO was placed."""
    path = built(tmp_path)
    rows = type_actuals(path, {(PO2, "CUT"): "3/12/2026"})
    findings = run(path, ["ta"], ctx()).findings
    f = assert_finding(findings, Code.DATE_YEAR_UNLIKELY, sheet="T&A", row=rows[(PO2, "CUT")], column="Actual")
    for words in ("12-Mar-2026", "before", "PO Date 11-Jan-2027", "'3/12/2026'", "day and month"):
        assert words in f.message, f.message


def test_an_actual_a_little_early_or_days_before_the_po_date_is_not_questioned(tmp_path):
    path = built(tmp_path)
    rows = type_actuals(path, {(PO1, "LD"): datetime(2026, 12, 21),  # two weeks before the PO Date
                               (PO2, "LD"): datetime(2027, 1, 12), (PO2, "LD-APP"): datetime(2027, 1, 14)})
    findings = run(path, ["ta"], ctx()).findings
    for row in rows.values():
        assert not actual_findings(findings, row), [f.text() for f in actual_findings(findings, row)]


def test_a_development_milestone_done_months_before_a_repeat_po_is_not_questioned(tmp_path):
    """Lab dips are done once a style and colour: a repeat PO carries its colour's dates from months before it
    (a review's false alarm: said every day on a repeat order). A production milestone that early still is."""
    path = built(tmp_path)
    rows = type_actuals(path, {(PO2, "LD"): datetime(2026, 9, 14), (PO2, "LD-APP"): datetime(2026, 9, 28),
                               (PO1, "CUT"): datetime(2026, 9, 14)})
    findings = run(path, ["ta"], ctx()).findings
    assert not actual_findings(findings, rows[(PO2, "LD")]) and not actual_findings(findings, rows[(PO2, "LD-APP")])
    assert_finding(findings, Code.DATE_YEAR_UNLIKELY, sheet="T&A", row=rows[(PO1, "CUT")], column="Actual")


# F8: an Actual years ahead is a typo: said with its 4-digit year, and it does not push the line

def test_an_actual_years_ahead_is_said_with_its_year_and_pushes_nothing(tmp_path):
    path = built(tmp_path)
    before = ta(path)
    rows = type_actuals(path, {(PO1, "LD"): datetime(2062, 12, 1)})
    findings = run(path, ["ta"], ctx()).findings
    f = assert_finding(findings, Code.ACTUAL_IN_FUTURE, sheet="T&A", row=rows[(PO1, "LD")], column="Actual")
    for words in ("01-Dec-2062", "35 years", "check the year", "as if it were blank"):
        assert words in f.message, f.message
    after = ta(path)
    assert after[(PO1, "LD")]["Actual"] == datetime(2062, 12, 1), "the cell stays as typed"
    for code in ("LD-APP", "CUT", "XF", "DC"):
        assert after[(PO1, code)]["Forecast"] == before[(PO1, code)]["Forecast"], code
    assert after[(PO1, "XF")]["Forecast"].year == 2027
    assert not [f for f in findings if f.code is Code.LATE_FOR_CANCEL and f.key and PO1 in f.key]


def test_an_actual_typed_ahead_within_a_year_still_pushes_the_line(tmp_path):
    """The vendor's promise typed ahead (today's behaviour): the line forecasts from it, said as after today."""
    path = built(tmp_path)
    promised = TODAY + timedelta(days=60)
    rows = type_actuals(path, {(PO1, "CUT"): datetime.combine(promised, datetime.min.time())})
    findings = run(path, ["ta"], ctx()).findings
    f = assert_finding(findings, Code.ACTUAL_IN_FUTURE, sheet="T&A", row=rows[(PO1, "CUT")], column="Actual")
    assert "after today" in f.message and "check the year" not in f.message
    after = ta(path)
    assert after[(PO1, "CUT")]["Forecast"].date() == promised
    assert after[(PO1, "XF")]["Forecast"].date() > promised
    assert after[(PO1, "CUT")]["Status"] not in ("Done", "Done late"), "a date to come, not done"


# F10: a formula in an Actual cell

def test_a_formula_of_the_day_or_of_the_ta_itself_in_an_actual_is_said_at_its_cell(tmp_path):
    path = built(tmp_path)
    rows = type_actuals(path, {(PO1, "LD"): "=TODAY()", (PO1, "LD-APP"): "=H3", (PO1, "CUT"): "=$H4+2",
                               (PO2, "LD"): "='Orders'!E3+5",  # the team's links to where the date is kept
                               (PO2, "LD-APP"): '=IFERROR(XLOOKUP(A3&E3,Dates[Key],Dates[Done]),"")',
                               (PO2, "CUT"): "=DoneDate"})
    findings = run(path, ["ta"], ctx()).findings
    for key in ((PO2, "LD"), (PO2, "LD-APP"), (PO2, "CUT")):
        assert not actual_findings(findings, rows[key]), "a link to where the date is kept is the team's"
    for (key, text) in (((PO1, "LD"), "=TODAY()"), ((PO1, "LD-APP"), "=H3"), ((PO1, "CUT"), "=$H4+2")):
        f = assert_finding(findings, Code.BAD_DATE, sheet="T&A", row=rows[key], column="Actual")
        assert f.severity == "warning" and f.value == text
        assert f"Actual holds a formula ({text})" in f.message and "type the date it happened" in f.message
    assert ta(path)[(PO1, "LD")]["Actual"] == "=TODAY()", "the formula stays as typed"


# F11: `prodbook ta` alone names an order date's unlikely year, in 4 digits

def test_ta_alone_names_an_ex_factory_typed_in_2207(tmp_path):
    sheets = base_sheets()
    sheets["Orders"][2][5] = date(2207, 4, 30)  # PO2's Ex-Factory, row 3
    path = write_book(tmp_path / "t.xlsx", sheets)
    findings = run(path, ["ta"], ctx()).findings
    f = assert_finding(findings, Code.DATE_YEAR_UNLIKELY, sheet="Orders", row=3, column="Ex-Factory")
    assert "30-Apr-2207" in f.message and "check the year" in f.message
    refreshed = run(path, REFRESH, ctx()).findings
    said = [g for g in refreshed if g.code is Code.DATE_YEAR_UNLIKELY and g.sheet == "Orders"]
    assert len(said) == 1, [g.text() for g in said]


# the thresholds, at their edges

def test_the_thresholds_at_their_edges():
    import numpy as np

    from prodbook.core import actual_dates as ad

    def days(*ds: date | None) -> np.ndarray:
        return np.array([np.datetime64(d, "D") if d else np.datetime64("NaT") for d in ds])

    year_on = TODAY + timedelta(days=ad.FAR_AHEAD_DAYS)
    assert ad.far_ahead(days(year_on, year_on + timedelta(days=1), None), TODAY).tolist() == [False, True, False]
    po, planned = date(2027, 1, 4), date(2027, 1, 11)
    month = po - timedelta(days=ad.BEFORE_PO_DAYS)
    early = ad.too_early(days(month, month - timedelta(days=1), planned - timedelta(days=ad.YEAR_EARLY_DAYS),
                              month - timedelta(days=1)),
                         days(planned, planned, planned, po - timedelta(days=60)),  # the last planned before its PO
                         days(po, po, None, po), TODAY)
    assert early.tolist() == [False, True, True, False]
    assert not ad.questioned_formula("='Lab Dips'!F5") and ad.questioned_formula("=today()")
