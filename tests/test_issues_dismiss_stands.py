"""The APM's Dismiss stands for the problem they dismissed, and their notes stay with the row (audit 192: H1-H4,
H6, M3).

A Dismiss is kept while the row is found again with the same values and the same sentence but for what the clock
moves: its day counts, and a date that moves with one ('forecast ex-factory 06-Jan-27, 12 day(s) after cancel' is
'07-Jan-27, 13 day(s)' the next day). A resubmitted sample's other due date, another vendor named, or a problem
more than a week later than when it was dismissed brings the row back undecided, with the notes the APM typed
beside it. A Date Format changed in Config is no change. Real workbooks where the run's own steps make the rows.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import add_config, add_notes_column, assert_finding, base_sheets, write_book
from prodbook.core.findings import Code
from prodbook.core.looks import date_text
from prodbook.core.model.sheets import ISSUES
from prodbook.core.open_findings import GRACE_DAYS, Checked, merge, same_problem
from prodbook.jobs.runner import run
from test_open_findings import book, by_code, costing, ctx, issues_row, type_in

DAY1 = date(2026, 11, 26)
CHECKED = Checked(today=DAY1 + timedelta(days=1), steps=frozenset({"Check records"}))


def row(problem: str, **more: Any) -> dict[str, Any]:
    base = {"sheet": "Samples", "cell": "I5", "key": "SS27-DN-1007 / Proto / Ecru", "field": "Shipped",
            "value": None, "problem": problem, "severity": "warning", "code": "sample-late", "other_value": None,
            "other_source": None, "proposed": None, "accept": None, "found_in": None, "found_on": DAY1,
            "found_by": "Check records"}
    return {**base, **more}


def merged(old: list[dict[str, Any]], new: list[dict[str, Any]], checked: Checked = CHECKED
           ) -> tuple[list[dict[str, Any]], list[int | None]]:
    before = pd.DataFrame([{**r, "_row": i + 2} for i, r in enumerate(old)])
    m = merge(before, pd.DataFrame(new, columns=list(ISSUES.fields)), checked, list(ISSUES.fields))
    return m.frame.to_dict("records"), m.source


def late(due: str, days: int) -> str:
    return f"the sample was due {due} and has not shipped ({days} day(s) late); chase the vendor for a ship date"


def cancel(forecast: date, days: int, fmt: str = "dd-mmm-yy") -> str:
    return (f"PO 4500012545 SS27-KT-1007 Black: Late for cancel: forecast ex-factory {date_text(forecast, fmt)}, "
            f"{days} day(s) after cancel {date_text(date(2026, 12, 25), fmt)} (FOB); agree a new date, faster "
            "freight or an extension with the buyer")


def still_dismissed(before: str, now: str, **values: Any) -> bool:
    rows, source = merged([row(before, accept="Dismiss", **values)], [row(now, **values)])
    assert source == [2]  # the same row either way: the notes beside it stay
    return rows[0]["accept"] == "Dismiss"


# -- which sentence is the one dismissed ---------------------------------------------------------------------------

def test_a_sentence_that_moves_by_the_clock_keeps_its_dismiss():
    assert still_dismissed(late("22-Nov-26", 3), late("22-Nov-26", 4))
    review = "line review on 22-Dec-26 (in {} day(s)): the proto has not shipped (due 22-Nov-26); chase the vendor"
    assert still_dismissed(review.format(27), review.format(26))
    assert still_dismissed(review.format(27), review.format(2))  # a countdown is not late
    cut = "PP not approved, cutting due 03-Dec-26 ({}): do not cut before approval"
    assert still_dismissed(cut.format("in 2 day(s)"), cut.format("today"))
    assert still_dismissed(cut.format("in 2 day(s)"), cut.format("1 day(s) ago"))


def test_a_resubmitted_sample_late_again_does_not_inherit_the_old_samples_dismiss():
    """H1: the same Style / Type / Color, another Due: another sample, another problem."""
    rows, source = merged([row(late("22-Nov-26", 3), accept="Dismiss")],
                          [row(late("08-Dec-26", 4), cell="I37", found_on=CHECKED.today)])
    assert source == [2] and rows[0]["accept"] is None  # the row and its notes: the APM decides again
    assert rows[0]["found_on"] == CHECKED.today and rows[0]["problem"] == late("08-Dec-26", 4)


def test_another_vendor_named_under_the_same_coo_is_another_problem():
    """H2: the COO (Value) is China either way; the style moved from VNS to DHK."""
    coo = dict(sheet="Styles", cell="M33", key="SS27-OW-1004", field="COO", code="coo-vs-vendor-country",
               value="China")
    said = "the country of origin is China but vendor {} is in {} (Vendors sheet). Correct the COO or the vendor"
    assert not still_dismissed(said.format("VNS", "Vietnam"), said.format("DHK", "Bangladesh"), **coo)
    assert still_dismissed(said.format("VNS", "Vietnam"), said.format("VNS", "Vietnam"), **coo)


def test_late_for_cancel_comes_back_once_over_a_week_later_than_dismissed_not_every_day():
    """H3: agreed at 12 days after cancel; the forecast slipping a day a day stays dismissed to 19, back at 20,
    and at 59 (a month's slip at once)."""
    xf = date(2027, 1, 6)
    values = dict(sheet="Orders", cell="I40", key="4500012545 / SS27-KT-1007 / Black", field="Cancel Date",
                  code="late-for-cancel", value="25-Dec-26")
    for slip in range(1, GRACE_DAYS + 1):
        assert still_dismissed(cancel(xf, 12), cancel(xf + timedelta(days=slip), 12 + slip), **values), slip
    assert not still_dismissed(cancel(xf, 12), cancel(xf + timedelta(days=GRACE_DAYS + 1), 20), **values)
    assert not still_dismissed(cancel(xf, 12), cancel(xf + timedelta(days=47), 59), **values)
    assert still_dismissed(cancel(xf, 12), cancel(xf - timedelta(days=5), 7), **values)  # better is no news
    assert not still_dismissed(cancel(xf, 12), cancel(xf + timedelta(days=1), 12), **values)  # not the clock's


def test_a_dismissed_row_keeps_the_sentence_it_was_dismissed_with_so_the_week_counts_from_then():
    """Dismissed As holds the sentence dismissed (the Problem the row showed when the APM typed Dismiss), Problem
    today's: the week counts from the one dismissed."""
    rows, _ = merged([row(late("22-Nov-26", 3), accept="Dismiss")], [row(late("22-Nov-26", 9))])
    assert (rows[0]["accept"], rows[0]["dismissed_as"]) == ("Dismiss", late("22-Nov-26", 3))
    assert rows[0]["problem"] == late("22-Nov-26", 9)
    day = [row(late("22-Nov-26", 3), accept="Dismiss")]
    for n in range(4, 30):  # a refresh a day: back on the first day over a week later, not before
        rows, _ = merged(day, [row(late("22-Nov-26", n))])
        if rows[0]["accept"] is None:
            break
        day = [{**rows[0], "found_on": DAY1}]
    assert n == 3 + GRACE_DAYS + 1 and rows[0]["problem"] == late("22-Nov-26", n)


def test_an_undos_mark_on_a_dismissed_row_is_not_part_of_its_sentence():
    marked = "[From the run undone, 'Refresh all': press Refresh all to check again] " + late("22-Nov-26", 3)
    rows, _ = merged([row(marked, accept="Dismiss")], [row(late("22-Nov-26", 4))])
    assert (rows[0]["accept"], rows[0]["dismissed_as"]) == ("Dismiss", late("22-Nov-26", 3))
    assert rows[0]["problem"] == late("22-Nov-26", 4)
    rows, _ = merged([row(late("22-Nov-26", 4), accept="Dismiss", dismissed_as=marked)], [row(late("22-Nov-26", 5))])
    assert (rows[0]["accept"], rows[0]["dismissed_as"]) == ("Dismiss", late("22-Nov-26", 3))


@settings(max_examples=60, deadline=None)
@given(dismissed_at=st.integers(0, 60), slips=st.lists(st.integers(0, 4), min_size=1, max_size=25))
def test_a_slipping_forecast_is_asked_again_exactly_when_it_runs_over_a_week_later(dismissed_at, slips):
    xf = date(2027, 1, 6)
    old = [row(cancel(xf, dismissed_at), accept="Dismiss", cell="I40", code="late-for-cancel")]
    total = 0
    for slip in slips:
        total += slip
        rows, _ = merged(old, [row(cancel(xf + timedelta(days=total), dismissed_at + total), cell="I40",
                                   code="late-for-cancel")])
        assert (rows[0]["accept"] is None) == (total > GRACE_DAYS)
        if total > GRACE_DAYS:
            break
        old = [{**rows[0]}]


FORMATS = ("dd-mmm-yy", "dd/mm/yyyy", "mm/dd/yyyy", "yyyy-mm-dd", "d mmmm yyyy", "dddd d mmmm yyyy", "mmm d, yyyy",
           "d.m.yyyy", "yyyy-mmm-dd")


@settings(max_examples=80, deadline=None)
@given(day=st.dates(date(2000, 1, 1), date(2098, 12, 31)), was=st.sampled_from(FORMATS),
       now=st.sampled_from(FORMATS), days=st.integers(1, 400))
def test_a_sentence_is_the_same_problem_in_any_date_format(day, was, now, days):
    assert same_problem(cancel(day, days, was), cancel(day, days, now))
    assert not same_problem(cancel(day, days, was), cancel(day + timedelta(days=400), days, now))


def test_a_date_value_shown_in_another_date_format_keeps_its_dismiss():
    """M3 (merge): Config's Date Format changed from dd-mmm-yy to dd/mm/yyyy between the runs."""
    values = dict(sheet="Orders", cell="I40", key="4500012545 / SS27-KT-1007 / Black", field="Cancel Date",
                  code="late-for-cancel")
    xf = date(2027, 1, 6)
    rows, source = merged([row(cancel(xf, 12), accept="Dismiss", value="25-Dec-26", **values)],
                          [row(cancel(xf, 12, "dd/mm/yyyy"), value="25/12/2026", **values)])
    assert source == [2] and rows[0]["accept"] == "Dismiss"
    rows, _ = merged([row(cancel(xf, 12), accept="Dismiss", value="25-Dec-26", **values)],
                     [row(cancel(xf, 12, "dd/mm/yyyy"), value="26/12/2026", **values)])
    assert rows[0]["accept"] is None  # another day is another value


def test_a_neighbour_that_moved_into_the_cell_does_not_take_a_grown_keys_dismiss():
    """H6: 'SS27-DN-1007 / Proto' (no colour) dismissed at I4, its row deleted; the Ecru row moved up to I4 and
    turned late. Its Key starts with the dismissed one's at the same cell, but its sentence is its own."""
    old = row(late("20-Nov-26", 5), cell="I4", key="SS27-DN-1007 / Proto", accept="Dismiss")
    rows, source = merged([old], [row(late("01-Dec-26", 2), cell="I4", key="SS27-DN-1007 / Proto / Ecru")])
    assert source == [None] and rows[0]["accept"] is None
    # the row an older prodbook named by fewer parts, its sentence moved on a day: the same row
    rows, source = merged([old], [row(late("20-Nov-26", 6), cell="I4", key="SS27-DN-1007 / Proto / Black / 27")])
    assert source == [2] and rows[0]["accept"] == "Dismiss"


# -- on a real workbook: the notes stay, and Accept as typed -------------------------------------------------------

def late_for_cancel_book(tmp_path: Path) -> Path:
    """PO 4500000001 forecast ex-factory 15-Apr-27 (a Thursday), cancel 10-Apr-27: 5 day(s) after cancel."""
    sheets = base_sheets()
    sheets["Orders"][1][sheets["Orders"][0].index("Cancel Date")] = date(2027, 4, 10)
    return write_book(tmp_path / "tracker.xlsx", sheets)


def set_ex_factory(path: Path, day: date) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["Orders"]
    ws.cell(2, [c.value for c in ws[1]].index("Ex-Factory") + 1).value = day
    wb.save(path)


def dismissed_with_a_note(tmp_path: Path) -> tuple[Path, int]:
    """The late-for-cancel of ``late_for_cancel_book`` found on 1-Mar-27, dismissed by the APM with a note in a
    'Notes' column of their own; the tracker and that column's number."""
    path = late_for_cancel_book(tmp_path)
    run(path, ["ta"], ctx(date(2027, 3, 1)))
    at = issues_row(path, "late-for-cancel")
    assert "5 day(s) after cancel" in by_code(path)["late-for-cancel"]["Problem"]
    note = add_notes_column(path)
    type_in(path, at, "Accept", "Dismiss")
    type_in(path, at, "Notes", "buyer agreed +5 days")
    return path, note


def said(result: Any) -> str:
    return " ".join(line for o in result.outcomes for line in o.summary)


def test_late_for_cancel_dismissed_stays_a_week_then_comes_back_with_its_notes(tmp_path):
    """H3 and H4 on the file: the buyer agreed +5 days; a week's slip stays dismissed, two weeks' is asked again
    and the APM's note is still beside it."""
    path, note = dismissed_with_a_note(tmp_path)
    set_ex_factory(path, date(2027, 4, 22))  # a week later: 12 day(s) after cancel
    result = run(path, ["ta"], ctx(date(2027, 3, 2)))
    row = by_code(path)["late-for-cancel"]
    assert (row["Accept"], row["Notes"]) == ("Dismiss", "buyer agreed +5 days"), row
    assert "5 day(s) after cancel" in row["Dismissed As"]  # the sentence dismissed
    assert "12 day(s) after cancel" in row["Problem"]  # and the problem as it is today
    assert "1 dismissed and still so" in said(result)
    set_ex_factory(path, date(2027, 4, 29))  # two weeks later: 19 day(s) after cancel
    result = run(path, ["ta"], ctx(date(2027, 3, 3)))
    row = by_code(path)["late-for-cancel"]
    assert row["Accept"] is None and row["Notes"] == "buyer agreed +5 days", row
    assert "19 day(s) after cancel" in row["Problem"] and row["Dismissed As"] is None
    assert "1 dismissed but found again" in said(result) and "notes stay" in said(result)
    assert f"notes stay): {row['Key']}." in said(result)  # which row to look at (review 197)
    assert openpyxl.load_workbook(path)["Issues"].cell(1, note).value == "Notes"


def test_a_date_format_changed_in_config_keeps_dismiss_and_notes(tmp_path):
    """M3 on the file: the Value '10-Apr-27' is '10/04/2027' after the change, the sentence's dates too."""
    path, _ = dismissed_with_a_note(tmp_path)
    add_config(path, ("Date Format", "dd/mm/yyyy"))
    result = run(path, ["ta"], ctx(date(2027, 3, 2)))
    row = by_code(path)["late-for-cancel"]
    assert (row["Accept"], row["Notes"]) == ("Dismiss", "buyer agreed +5 days"), row
    assert row["Value"] == "10/04/2027"
    assert "1 dismissed and still so" in said(result)


def test_a_yes_asked_again_keeps_its_notes_and_every_other_accept_as_typed(tmp_path):
    """H4 on the file: the vendor's FOB moved after the APM's Yes: Accept blank, their note stays; the TRUE
    typed on another row (a Yes) is written back as TRUE, not as the text 'TRUE'."""
    path = book(tmp_path)
    run(path, ["validate"], ctx(date(2027, 3, 1), costing(tmp_path, fob=7.05)))
    add_notes_column(path)
    fob, fiber = issues_row(path, "vendor-fob-differs"), issues_row(path, "vendor-fiber-differs")
    type_in(path, fob, "Accept", "Yes")
    type_in(path, fob, "Notes", "vendor confirmed 7.05 on 1 Mar")
    type_in(path, fiber, "Accept", True)
    result = run(path, ["validate"], ctx(date(2027, 3, 2), costing(tmp_path, fob=6.95)))
    rows = by_code(path)
    assert rows["vendor-fob-differs"]["Accept"] is None
    assert rows["vendor-fob-differs"]["Notes"] == "vendor confirmed 7.05 on 1 Mar"
    assert rows["vendor-fiber-differs"]["Accept"] is True
    assert "the vendor's value changed since" in said(result)


@pytest.mark.parametrize("accept", ["Dismiss", "Yes"])
def test_a_run_that_asks_nothing_again_does_not_write_accept(tmp_path, accept):
    """Accept is written only on a run that blanks one: the next run with nothing new leaves the file alone."""
    path = book(tmp_path)
    cost = costing(tmp_path)
    run(path, ["validate"], ctx(date(2027, 3, 1), cost))
    type_in(path, issues_row(path, "vendor-fob-differs"), "Accept", accept)
    run(path, ["validate"], ctx(date(2027, 3, 2), cost))
    stamp = path.stat().st_mtime_ns, path.read_bytes()
    run(path, ["validate"], ctx(date(2027, 3, 3), cost))
    assert (path.stat().st_mtime_ns, path.read_bytes()) == stamp
    assert by_code(path)["vendor-fob-differs"]["Accept"] == accept


def test_a_row_back_for_the_same_problem_keeps_the_day_it_was_first_found():
    """Review 197: a line 41 days past cancel that came back every 8 days showed Found On a week ago each time, so
    sorting Issues by Found On hid how old it was. The same problem, only later (or a Yes whose vendor value moved),
    keeps its first Found On; another problem (a resubmitted sample late again) is found today."""
    today = CHECKED.today
    slipped = row(late("22-Nov-26", 3 + GRACE_DAYS + 1), found_on=today)
    rows, source = merged([row(late("22-Nov-26", 3), accept="Dismiss")], [slipped])
    assert source == [2] and rows[0]["accept"] is None and rows[0]["found_on"] == DAY1
    resubmitted = row(late("08-Dec-26", 4), found_on=today)
    rows, source = merged([row(late("22-Nov-26", 3), accept="Dismiss")], [resubmitted])
    assert rows[0]["accept"] is None and rows[0]["found_on"] == today
    yes = dict(accept="Yes", other_value="12.50", other_source="SHX costing", code="fob-differs", problem="FOB")
    rows, source = merged([row(**yes)], [row(**{**yes, "other_value": "13.00", "accept": None}, found_on=today)])
    assert source == [2] and rows[0]["accept"] is None and rows[0]["found_on"] == DAY1


@pytest.mark.parametrize(("days", "still"), [(30, True), (3, False)])
def test_dismiss_days_on_config_says_how_much_later_a_dismissed_problem_may_run(tmp_path, days, still):
    """Review 197: a line whose buyer agreed an extension came back every 8 days as its forecast slipped; a team
    sets how much later a dismissed problem may run (Config 'Dismiss Days', 7 unless set). 5 -> 12 day(s) after
    cancel: 7 more, within 30, past 3."""
    path, _ = dismissed_with_a_note(tmp_path)
    add_config(path, ("Dismiss Days", days))
    set_ex_factory(path, date(2027, 4, 22))  # 12 day(s) after cancel
    result = run(path, ["ta"], ctx(date(2027, 3, 2)))
    row = by_code(path)["late-for-cancel"]
    assert (row["Accept"] == "Dismiss") is still and row["Notes"] == "buyer agreed +5 days", row
    assert (f"at most {days} days later" if still else f"over {days} days later") in said(result)


def test_dismiss_days_that_is_not_a_number_of_days_is_named_and_the_default_applies(tmp_path):
    path, _ = dismissed_with_a_note(tmp_path)
    add_config(path, ("Dismiss Days", "a week"))
    set_ex_factory(path, date(2027, 4, 22))  # 7 more: within the default
    result = run(path, ["ta"], ctx(date(2027, 3, 2)))
    assert by_code(path)["late-for-cancel"]["Accept"] == "Dismiss"
    setting = assert_finding(result.findings, Code.SETTING, sheet="Config")
    assert "Dismiss Days" in setting.message and "a week" in setting.message, setting.text()
