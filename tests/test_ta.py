"""The T&A engine on small inline tables: templates, planned dates, forecast, status."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prodbook.core import exceptions as ex
from prodbook.core import ta
from prodbook.core.calendar import factory_calendar, networkdays_intl, workday_intl
from prodbook.core.findings import Code

FILE = "tracker.xlsx"
TODAY = date(2027, 3, 10)  # a Wednesday


def templates(*rows: tuple) -> pd.DataFrame:
    """Rows of (template, code, anchor, offset, day_type)."""
    frame = pd.DataFrame(rows, columns=["template", "code", "anchor", "offset", "day_type"])
    frame["milestone"] = frame["code"]
    frame["owner"] = "Vendor"
    frame["critical"] = False
    frame["stage"] = None
    frame["_row"] = range(2, len(frame) + 2)
    return frame


KNIT = templates(
    ("Knit", "LD", "PO Date", 5, "Working"),
    ("Knit", "LD-APP", "LD", 7, "Working"),
    ("Knit", "CUT", "XF", -10, "Working"),
    ("Knit", "XF", "Ex-Factory", 0, "Working"),
    ("Knit", "DC", "XF", 30, "Calendar"),
)


def orders(*rows: tuple) -> pd.DataFrame:
    """Rows of (po, style, color, po_date, ex_factory, cancel)."""
    frame = pd.DataFrame(rows, columns=["po", "style", "color", "po_date", "ex_factory", "cancel"])
    frame["in_dc"] = None
    frame["_row"] = range(2, len(frame) + 2)
    return frame


STYLES = pd.DataFrame({"style": ["S1", "S2"], "template": ["Knit", None], "vendor": ["BD1", "BD1"],
                       "_row": [2, 3]})


def late_for_cancel(res: pd.DataFrame, o: pd.DataFrame) -> list:
    """The Issues findings of the cancel check (FOB: on the forecast ex-factory), no vendor WIP."""
    lines = ex.build_lines(o, STYLES, res.reset_index(), pd.DataFrame(columns=["vendor", "report_date"]),
                           ex.Settings())
    return ex.cancel_findings(lines, ex.Settings(), file=FILE)


def codes(findings) -> list[Code]:
    return [f.code for f in findings]


@pytest.fixture(scope="module")
def bd():
    """A Bangladesh factory: Friday off, public holidays, plus an Eid closure."""
    cal, _ = factory_calendar("BD1", 16, "BD", range(2026, 2028),
                              [(date(2027, 3, 8), date(2027, 3, 12))])
    return cal


@pytest.fixture(scope="module")
def default():
    return factory_calendar("(default)", 1, None, range(2026, 2028))[0]


def test_compile_orders_anchors_before_use():
    plans, findings = ta.compile_templates(KNIT, file=FILE)
    assert findings == []
    order = plans["Knit"].dating_order
    assert order.index("XF") < order.index("CUT") and order.index("LD") < order.index("LD-APP")
    assert [s.code for s in plans["Knit"].steps] == ["LD", "LD-APP", "CUT", "XF", "DC"]


def test_cycle_is_named_with_template_and_milestones():
    frame = templates(("Loop", "A", "B", 1, "Working"), ("Loop", "B", "C", 1, "Working"),
                      ("Loop", "C", "A", 1, "Working"), ("Loop", "D", "PO Date", 1, "Working"))
    plans, findings = ta.compile_templates(frame, file=FILE)
    assert "Loop" not in plans
    (f,) = findings
    assert f.code is Code.TEMPLATE_CYCLE and "'Loop'" in f.message
    assert all(c in f.message for c in "ABC") and f.sheet == "T&A Templates" and f.column == "Anchor"


def test_unknown_anchor_and_duplicate_code():
    frame = templates(("T", "A", "PO Date", 1, "Working"), ("T", "A", "PO Date", 2, "Working"),
                      ("U", "X", "Ship Date", 1, "Working"))
    plans, findings = ta.compile_templates(frame, file=FILE)
    assert plans == {}
    assert codes(findings) == [Code.TEMPLATE_DUPLICATE_CODE, Code.TEMPLATE_ANCHOR]
    assert findings[0].row == 3 and findings[1].value == "Ship Date" and findings[1].row == 4


def test_planned_dates_follow_the_factory_calendar(bd, default):
    plans, _ = ta.compile_templates(KNIT, file=FILE)
    o = orders(("P1", "S1", "Navy", date(2027, 1, 4), date(2027, 4, 15), date(2027, 4, 30)))
    out, findings = ta.schedule(plans, o, STYLES, {"BD1": bd}, default, file=FILE)
    assert findings == [f for f in findings if f.code is Code.TEMPLATE_UNUSED] == []
    got = dict(zip(out["code"], out["planned"].dt.date))
    hol = bd.holidays
    ld = workday_intl(date(2027, 1, 4), 5, 16, hol)
    assert got["LD"] == ld
    assert got["LD-APP"] == workday_intl(ld, 7, 16, hol)
    assert got["XF"] == date(2027, 4, 15)
    assert got["CUT"] == workday_intl(date(2027, 4, 15), -10, 16, hol)
    assert got["DC"] == date(2027, 4, 15) + timedelta(days=30)
    assert list(out["code"]) == ["LD", "LD-APP", "CUT", "XF", "DC"]


def test_schedule_reports_what_it_cannot_plan(bd, default):
    plans, _ = ta.compile_templates(KNIT, file=FILE)
    o = orders(("P1", "S1", "Navy", date(2027, 1, 4), None, None),
               ("P2", "S2", "Red", date(2027, 1, 4), date(2027, 4, 1), None),
               ("P3", "NOPE", "Red", date(2027, 1, 4), date(2027, 4, 1), None))
    out, findings = ta.schedule(plans, o, STYLES, {"BD1": bd}, default, file=FILE)
    by_code = {f.code: f for f in findings}
    assert by_code[Code.ANCHOR_DATE_MISSING].row == 2
    assert by_code[Code.ANCHOR_DATE_MISSING].column == "Ex-Factory"
    assert by_code[Code.STYLE_NO_TEMPLATE].sheet == "Styles" and by_code[Code.STYLE_NO_TEMPLATE].row == 3
    assert by_code[Code.STYLE_UNKNOWN].row == 4 and by_code[Code.STYLE_UNKNOWN].value == "NOPE"
    assert set(out["po"]) == {"P1"}
    assert out.loc[out["code"] == "XF", "planned"].isna().all()
    assert out.loc[out["code"] == "LD", "planned"].notna().all()


def scheduled(bd, default, actual: dict[str, date | str], today: date = TODAY,
              xf: date = date(2027, 4, 15), cancel: date | None = date(2027, 4, 30), template: pd.DataFrame = KNIT):
    plans, _ = ta.compile_templates(template, file=FILE)
    o = orders(("P1", "S1", "Navy", date(2027, 1, 4), xf, cancel))
    out, _ = ta.schedule(plans, o, STYLES, {"BD1": bd}, default, file=FILE)
    out["actual"] = out["code"].map(actual)
    out["actual"] = out["actual"].astype(object).where(out["actual"].notna(), None)
    res = ta.progress(out, plans, {"BD1": bd}, default, today, 7)
    return plans, o, res.set_index("code")


def test_late_actual_pushes_followers_by_the_same_gap(bd, default):
    plans, _, on_time = scheduled(bd, default, {})
    planned_ld = on_time.at["LD", "planned"].date()
    late = workday_intl(planned_ld, 4, 16, bd.holidays)
    _, _, res = scheduled(bd, default, {"LD": late}, today=late)
    assert res.at["LD", "status"] == "Done late" and res.at["LD", "forecast"].date() == late
    assert res.at["LD", "variance"] == 4
    assert res.at["LD-APP", "forecast"].date() == workday_intl(late, 7, 16, bd.holidays)
    assert res.at["LD-APP", "forecast"] > res.at["LD-APP", "planned"]


def test_an_actual_typed_ahead_is_a_date_to_come_not_a_milestone_done(bd, default):
    """The vendor promised lab dips for a date a week after their Planned date, and the APM typed it in Actual: on
    a day between, the milestone has not happened. It stays Overdue (and chased); before, it read 'Done late'
    and left the overdue count. Its date still pushes what follows, as the promise it is."""
    _, _, on_time = scheduled(bd, default, {})
    planned = on_time.at["LD", "planned"].date()
    promised = workday_intl(planned, 5, 16, bd.holidays)
    _, _, res = scheduled(bd, default, {"LD": promised}, today=planned + timedelta(days=1))
    assert res.at["LD", "status"] == "Overdue"
    assert res.at["LD-APP", "forecast"].date() == workday_intl(promised, 7, 16, bd.holidays)
    _, _, res = scheduled(bd, default, {"LD": promised}, today=promised)  # the day it came
    assert res.at["LD", "status"] == "Done late"


def test_early_actual_does_not_pull_followers_forward(bd, default):
    _, _, on_time = scheduled(bd, default, {})
    early = on_time.at["LD", "planned"].date() - timedelta(days=3)
    _, _, res = scheduled(bd, default, {"LD": early}, today=early)
    assert res.at["LD", "status"] == "Done"
    assert res.at["LD-APP", "forecast"] == res.at["LD-APP", "planned"]


def test_late_production_step_pushes_ex_factory_past_cancel(bd, default):
    _, _, base = scheduled(bd, default, {})
    cut_planned = base.at["CUT", "planned"].date()
    cut_late = workday_intl(cut_planned, 15, 16, bd.holidays)
    plans, o, res = scheduled(bd, default, {"CUT": cut_late}, today=cut_late)
    assert res.at["XF", "forecast"].date() == workday_intl(cut_late, 10, 16, bd.holidays)
    assert res.at["DC", "forecast"] == res.at["XF", "forecast"] + pd.Timedelta(days=30)
    risks = late_for_cancel(res, o)
    assert [f.code for f in risks] == [Code.LATE_FOR_CANCEL]
    assert "Late for cancel: forecast ex-factory" in risks[0].message and "(FOB)" in risks[0].message
    assert risks[0].sheet == "Orders" and risks[0].row == 2 and risks[0].column == "Cancel Date"


def test_a_step_worked_back_from_the_orders_ex_factory_date_pushes_its_milestone(bd, default):
    """'CUT = Ex-Factory -10' (the order's date) is worked back from the ex-factory as 'CUT = XF -10' is: a
    late cutting start pushes the forecast ex-factory either way."""
    by_date = templates(("Knit", "LD", "PO Date", 5, "Working"), ("Knit", "LD-APP", "LD", 7, "Working"),
                        ("Knit", "CUT", "Ex-Factory", -10, "Working"), ("Knit", "XF", "Ex-Factory", 0, "Working"),
                        ("Knit", "DC", "XF", 30, "Calendar"))
    _, _, base = scheduled(bd, default, {}, template=by_date)
    cut_late = workday_intl(base.at["CUT", "planned"].date(), 15, 16, bd.holidays)
    _, _, on_xf = scheduled(bd, default, {"CUT": cut_late}, today=cut_late)
    plans, o, on_date = scheduled(bd, default, {"CUT": cut_late}, today=cut_late, template=by_date)
    assert on_date.at["XF", "forecast"] == on_xf.at["XF", "forecast"] > on_date.at["XF", "planned"]
    assert [f.code for f in late_for_cancel(on_date, o)] == [Code.LATE_FOR_CANCEL]


def test_steps_worked_back_from_the_ex_factory_follow_a_late_one_before_them(bd, default):
    """CUT = XF -15, INL = XF -10, PCK = XF -3 (one anchored on the order's date): cutting starts 5 working days
    late, so the inline inspection and packing move 5 working days too, as the ex-factory does. They stayed
    put: packing forecast a month before the forecast ex-factory, the inspection 'due soon, on time'. The
    PP approval, before cutting, is not moved by it."""
    back = templates(("Knit", "PPA", "XF", -30, "Working"), ("Knit", "CUT", "XF", -15, "Working"),
                     ("Knit", "INL", "XF", -10, "Working"), ("Knit", "PCK", "Ex-Factory", -3, "Working"),
                     ("Knit", "XF", "Ex-Factory", 0, "Working"), ("Knit", "DC", "XF", 30, "Calendar"))
    _, _, base = scheduled(bd, default, {}, template=back)
    cut_late = workday_intl(base.at["CUT", "planned"].date(), 5, 16, bd.holidays)
    _, _, res = scheduled(bd, default, {"PPA": base.at["PPA", "planned"].date(), "CUT": cut_late},
                          today=cut_late, template=back)
    moved = {c: workday_intl(base.at[c, "planned"].date(), 5, 16, bd.holidays) for c in ("INL", "PCK", "XF")}
    assert {c: res.at[c, "forecast"].date() for c in moved} == moved
    assert [res.at[c, "variance"] for c in ("CUT", "INL", "PCK", "XF")] == [5, 5, 5, 5]
    assert res.at["PPA", "forecast"] == res.at["PPA", "planned"]


def test_a_milestone_marked_n_a_pushes_nothing_after_it(bd, default):
    _, _, base = scheduled(bd, default, {})
    today = base.at["CUT", "planned"].date() + timedelta(days=10)  # cutting would be overdue, were it open
    plans, o, res = scheduled(bd, default, {"CUT": ta.NA}, today=today)
    assert res.at["CUT", "status"] == "N/A"
    assert res.at["XF", "forecast"] == res.at["XF", "planned"] and late_for_cancel(res, o) == []


@pytest.mark.parametrize(("actual", "variance"), [(date(2027, 5, 15), 1), (date(2027, 5, 13), -1),
                                                  (date(2027, 5, 14), 0)])
def test_variance_of_a_milestone_planned_on_a_day_off(bd, default, actual, variance):
    """The in-DC step is 30 calendar days after ex-factory: Friday 14 May, a day off in Dhaka. Done on the
    Saturday it is a working day late (it said 0 beside 'Done late'); on the Thursday a day early."""
    _, _, res = scheduled(bd, default, {"DC": actual}, today=date(2027, 5, 20), xf=date(2027, 4, 14))
    assert res.at["DC", "planned"].date() == date(2027, 5, 14) and not bd.is_working_day(date(2027, 5, 14))
    assert res.at["DC", "variance"] == variance


def test_ex_factory_on_the_cancel_date_is_not_a_risk(bd, default):
    plans, o, res = scheduled(bd, default, {}, xf=date(2027, 4, 15), cancel=date(2027, 4, 15))
    assert late_for_cancel(res, o) == []
    plans, o, res = scheduled(bd, default, {}, xf=date(2027, 4, 15), cancel=date(2027, 4, 14))
    assert len(late_for_cancel(res, o)) == 1


def test_open_overdue_milestone_is_forecast_for_today_and_pushes_followers(bd, default):
    _, _, base = scheduled(bd, default, {})
    ld = base.at["LD", "planned"].date()
    today = ld + timedelta(days=20)
    _, _, res = scheduled(bd, default, {}, today=today)
    assert res.at["LD", "status"] == "Overdue"
    assert res.at["LD", "forecast"].date() == today
    assert res.at["LD-APP", "forecast"].date() >= workday_intl(today, 7, 16, bd.holidays)
    assert res.at["LD", "variance"] == networkdays_intl(ld, today, 16, bd.holidays) - 1


@pytest.mark.parametrize(("days_ahead", "status"), [(-1, "Overdue"), (0, "Due soon"), (7, "Due soon"),
                                                    (8, "Upcoming")])
def test_status_boundaries(days_ahead, status):
    planned = np.array([np.datetime64("2027-03-10") + np.timedelta64(days_ahead, "D")])
    nat = np.array([np.datetime64("NaT")], dtype="datetime64[D]")
    got = ta.statuses(planned, nat, np.array([False]), np.datetime64("2027-03-10"), 7)
    assert got[0] == status


def test_done_on_the_day_is_done_and_a_day_late_is_late():
    planned = np.array(["2027-03-10", "2027-03-10"], dtype="datetime64[D]")
    actual = np.array(["2027-03-10", "2027-03-11"], dtype="datetime64[D]")
    got = ta.statuses(planned, actual, np.array([False, False]), np.datetime64("2027-04-01"), 7)
    assert list(got) == ["Done", "Done late"]


def test_na_actual(bd, default):
    _, _, res = scheduled(bd, default, {"LD": "N/A"})
    assert res.at["LD", "status"] == "N/A" and pd.isna(res.at["LD", "forecast"])


@settings(max_examples=60, deadline=None)
@given(po_day=st.integers(0, 700), lead=st.integers(40, 200), offset=st.integers(0, 40),
       late=st.integers(-5, 30), today_shift=st.integers(-100, 300))
def test_forecast_never_before_planned_and_schedule_never_before_anchor(po_day, lead, offset, late,
                                                                        today_shift):
    cal, _ = factory_calendar("V", 7, "CN", range(2025, 2030), [(date(2027, 1, 30), date(2027, 2, 20))])
    tmpl = templates(("T", "A", "PO Date", offset, "Working"), ("T", "B", "A", 3, "Working"),
                     ("T", "P", "XF", -offset - 1, "Working"), ("T", "XF", "Ex-Factory", 0, "Working"))
    plans, _ = ta.compile_templates(tmpl, file=FILE)
    po_date = date(2025, 6, 1) + timedelta(days=po_day)
    o = orders(("P", "S1", "C", po_date, po_date + timedelta(days=lead), None))
    styles = pd.DataFrame({"style": ["S1"], "template": ["T"], "vendor": ["V"], "_row": [2]})
    out, _ = ta.schedule(plans, o, styles, {"V": cal}, cal, file=FILE)
    got = dict(zip(out["code"], out["planned"].dt.date))
    assert got["A"] >= po_date and got["B"] > got["A"]
    out["actual"] = None
    out.loc[out["code"] == "A", "actual"] = got["A"] + timedelta(days=late)
    res = ta.progress(out, plans, {"V": cal}, cal, po_date + timedelta(days=today_shift), 7)
    open_ = res["actual"].isna()
    assert (res.loc[open_, "forecast"] >= res.loc[open_, "planned"]).all()
    done = res.loc[~open_].iloc[0]
    assert done["forecast"].date() == done["actual"]
    if late > 0:
        assert res.loc[res["code"] == "B", "forecast"].iloc[0].date() >= cal.workday(
            got["A"] + timedelta(days=late), 3)


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(st.tuples(st.sampled_from(["S1", "S2", "S3", "NOPE", " s1 "]), st.booleans()), max_size=12),
       blocked=st.sets(st.sampled_from(["Knit", "Woven"])))
def test_the_plan_s_size_is_the_size_of_the_plan(bd, default, lines, blocked):
    """``planned_size`` (the row-limit check made before the T&A is read) counts what ``schedule`` gives:
    unknown styles, styles without a template or on a blocked or missing one, and lines missing a date."""
    plans, _ = ta.compile_templates(pd.concat([KNIT, templates(("Woven", "XF", "Ex-Factory", 0, "Working"))]),
                                    file=FILE)
    styles = pd.DataFrame({"style": ["S1", "S2", "S3"], "template": ["Knit", None, "Woven"],
                           "vendor": ["BD1", "BD1", None], "_row": [2, 3, 4]})
    o = orders(*[(f"P{i}", s, "Navy", date(2027, 1, 4), date(2027, 4, 15) if dated else None, None)
                 for i, (s, dated) in enumerate(lines)])
    out, _ = ta.schedule(plans, o, styles, {"BD1": bd}, default, file=FILE, blocked=blocked)
    assert ta.planned_size(plans, o, styles, blocked=blocked) == (len(out), out["order_row"].nunique())


def _groups_row_by_row(plans, orders, styles, blocked, *, file, sheets):
    """The oracle: ``ta._groups`` as it was written, a line at a time."""
    orders_sheet, styles_sheet = sheets.get("Orders", "Orders"), sheets.get("Styles", "Styles")
    findings = []
    style_info = {str(s).strip().upper(): (t, v, r) for s, t, v, r in
                  zip(styles["style"], styles["template"], styles["vendor"], styles["_row"])}
    used, groups = set(), {}
    for i, (style, row) in enumerate(zip(orders["style"], orders["_row"])):
        info = style_info.get(str(style).strip().upper())
        if info is None:
            findings.append(ta.error(Code.STYLE_UNKNOWN, f"style '{style}' is not on the {styles_sheet} "
                                     f"sheet; add its style profile so its T&A can be planned",
                                     file=file, sheet=orders_sheet, row=int(row), column="Style #", value=style))
            continue
        template, vendor, srow = info
        if not template or (isinstance(template, float) and np.isnan(template)):
            findings.append(ta.error(Code.STYLE_NO_TEMPLATE, f"style '{style}' has no T&A template; choose "
                                     "one in its 'T&A Template' cell", file=file, sheet=styles_sheet,
                                     row=int(srow), column="T&A Template"))
            continue
        key = ta.template_key(template)  # a style's 'knit ' is the template 'Knit', as Excel matches text
        canon = {ta.template_key(n): n for n in plans}
        used.add(key)
        if key in {ta.template_key(n) for n in blocked}:
            continue
        if key not in canon:
            near = ta.nearest(template, [*plans, *blocked])
            fix = (f"did you mean '{near}'? Type the name as the T&A Templates sheet has it" if near else
                   "type a name from the Template column of the T&A Templates sheet, or add the template there")
            findings.append(ta.error(Code.TEMPLATE_MISSING, f"style '{style}' uses T&A template "
                                     f"'{template}', but no row of the T&A Templates sheet has that Template, so "
                                     f"the style's PO lines get no T&A; {fix}", file=file, sheet=styles_sheet,
                                     row=int(srow), column="T&A Template", value=template))
            continue
        groups.setdefault((canon[key], vendor or ""), []).append(i)
    for name in plans:
        if ta.template_key(name) not in used:
            findings.append(ta.warning(Code.TEMPLATE_UNUSED, f"no style uses template '{name}'",
                                       file=file, sheet=sheets.get("T&A Templates", "T&A Templates")))
    return groups, findings


_STYLE_CELLS = st.sampled_from(["S1", "s1 ", " S2", "S3", "S4", "S5", "S6", "NOPE", "", "nan", 7, 7.0, np.nan])


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(_STYLE_CELLS, max_size=40), blocked=st.sets(st.sampled_from(["Knit", "Woven", "Gone"])),
       vendors=st.lists(st.sampled_from(["BD1", "CN2", None, ""]), min_size=7, max_size=7))
def test_lines_sorted_into_groups_once_per_style_as_line_by_line(lines, blocked, vendors):
    """Every line's group, every finding and their order, as deciding a line at a time gave them: styles
    unknown, without a template, on a blocked or missing template, spelled with other case and spaces,
    numbers, blanks, several vendors."""
    plans, _ = ta.compile_templates(pd.concat([KNIT, templates(("Woven", "XF", "Ex-Factory", 0, "Working")),
                                               templates(("Unused", "XF", "Ex-Factory", 0, "Working"))]),
                                    file=FILE)
    styles = pd.DataFrame({"style": ["S1", "S2", "S3", "S4", "S5", "7", "S6"],
                           "template": ["Knit", None, "Woven", "Gone", "Knit", "Woven", np.nan],
                           "vendor": vendors, "_row": range(2, 9)})
    o = orders(*[(f"P{i}", s, "Navy", date(2027, 1, 4), None, None) for i, s in enumerate(lines)])
    sheets = {"Orders": "PO lines"}
    got = ta._groups(plans, o, styles, blocked, file=FILE, sheets=sheets)
    want = _groups_row_by_row(plans, o, styles, blocked, file=FILE, sheets=sheets)
    assert list(got[0].items()) == list(want[0].items())
    assert list(map(repr, got[1])) == list(map(repr, want[1]))  # a blank style's value is NaN, not equal to itself


_CELLS = st.one_of(st.none(), st.just(float("nan")), st.just(pd.NA), st.just(pd.NaT),
                   st.dates(date(1700, 1, 1), date(2300, 12, 31)),
                   st.datetimes(pd.Timestamp("1700-01-01").to_pydatetime(), pd.Timestamp("2200-01-01").to_pydatetime()),
                   st.sampled_from(["2027-03-01", "not a date", "", "31/12/2027", "99999-01-01"]),
                   st.integers(-5, 5))


@pytest.mark.filterwarnings("ignore")  # pandas' words on the odd mixes drawn here (texts, numbers)
@settings(max_examples=200, deadline=None)
@given(values=st.lists(_CELLS, max_size=20))
def test_dates_of_the_cells_not_blank_are_the_dates_of_the_whole_column(values):
    """``_dates`` converts only the cells not blank: the same days as converting the whole column."""
    column = pd.Series(values, dtype=object)
    try:
        want = pd.to_datetime(column, errors="coerce").to_numpy(dtype="datetime64[D]")
    except (ValueError, TypeError, OverflowError) as exc:  # a mix pandas refuses, refused alike
        with pytest.raises(type(exc)):
            ta._dates(column)
        return
    np.testing.assert_array_equal(ta._dates(column), want)


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(st.one_of(st.none(), st.integers(-20, 20)), st.one_of(st.none(), st.integers(-20, 20)),
                               st.booleans()), min_size=1, max_size=30),
       soon=st.integers(0, 10))
def test_statuses_are_the_texts_of_the_rules(rows, soon):
    """Each row's status, as choosing among the texts themselves gave it."""
    base = np.datetime64("2027-03-10", "D")
    day = lambda d: base + np.timedelta64(d, "D") if d is not None else np.datetime64("NaT", "D")  # noqa: E731
    planned = np.array([day(p) for p, _, _ in rows], dtype="datetime64[D]")
    actual = np.array([day(a) for _, a, _ in rows], dtype="datetime64[D]")
    na = np.array([n for _, _, n in rows])
    done = ~np.isnat(actual) & (actual <= base)  # an Actual after today is a date to come, not done
    conditions = [na, done & (np.isnat(planned) | (actual <= planned)), done, np.isnat(planned), planned < base,
                  planned <= base + np.timedelta64(soon, "D")]
    want = np.select(conditions, ["N/A", "Done", "Done late", "", "Overdue", "Due soon"], default="Upcoming")
    got = ta.statuses(planned, actual, na, base, soon)
    assert got.dtype == object and got.tolist() == want.tolist()


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(st.integers(0, 5), max_size=30), seed=st.randoms(use_true_random=False))
def test_rows_in_line_then_step_order_without_a_sort(lines, seed):
    """Lines of 0-5 steps (0: not planned), their (line, step) rows shuffled as groups hand them over: put in
    order as sorting by line, then step, puts them."""
    pairs = [(i, j) for i, k in enumerate(lines) for j in range(k)]
    seed.shuffle(pairs)
    pos = np.array([i for i, _ in pairs], dtype=np.int64)
    step = np.array([j for _, j in pairs], dtype=np.int64)
    np.testing.assert_array_equal(ta._line_then_step(pos, step, len(lines)), np.lexsort((step, pos)))
