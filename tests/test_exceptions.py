"""Exception rules at their boundaries, the Exceptions sheet's identity across runs, and end to end."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from conftest import base_sheets, sheet_values, write_book
from prodbook.core import exceptions as ex
from prodbook.core import recovery as rc
from prodbook.core.calendar import factory_calendar
from prodbook.core.config import Config
from prodbook.core.findings import Code, Finding, Severity, Subject
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run

TODAY = date(2027, 3, 1)  # a Monday
MON_FRI, _ = factory_calendar("(default)", 1, None, range(2026, 2029))


def line(wip: dict | None = None, *, planned=None, actual=None, forecast=None, **kw) -> ex.Line:
    base = dict(po="P1", style="S1", color="Navy", vendor="V1", qty=1000, ship_mode="Sea",
                po_date=date(2027, 1, 4), ex_factory=date(2027, 4, 15), in_dc=date(2027, 5, 10),
                cancel=date(2027, 5, 20))
    base.update(kw)
    return ex.Line(**base, planned=planned or {}, forecast=forecast or {}, actual=actual or {}, wip=wip)


def hits(rule, *lines: ex.Line, today: date = TODAY, wip: pd.DataFrame | None = None,
         **settings) -> list[Finding]:
    inp = ex.Inputs(list(lines), wip if wip is not None else pd.DataFrame(columns=["vendor", "report_date"]),
                    today, ex.Settings(**settings), {}, MON_FRI)
    return rule(inp)


def fires(rule, *lines, **kw) -> bool:
    return bool(hits(rule, *lines, **kw))


# --- each rule at its boundary ------------------------------------------------------------------

def test_an_ex_factory_gone_by_without_a_shipment_is_forecast_for_today():
    """The vendor's revised 3-Apr passed without a shipment; on 12-Apr a DDP sea line cancelling 5-May was
    judged on 3-Apr + 25 = 28-Apr, on time, and one cancelling 14-Apr was 'saved' by air freight landing
    3-Apr + 7 = 10-Apr, a date gone by. It can ship 12-Apr at the soonest."""
    today = date(2027, 4, 12)
    late = line({"revised_xf": date(2027, 4, 3)}, cancel=date(2027, 5, 5), terms="DDP", today=today)
    assert ex.forecast_xf(late, ex.Settings()) == today
    (h,) = hits(ex.late_for_cancel, late, today=today)
    assert "forecast in-DC 07-May-27" in h.message and "ex-factory 12-Apr-27 + 25 days" in h.message
    close = line({"revised_xf": date(2027, 4, 3)}, cancel=date(2027, 4, 14), terms="DDP", today=today)
    inp = ex.Inputs([close], pd.DataFrame(columns=["vendor", "report_date"]), today, ex.Settings(), {}, MON_FRI)
    options = ex.recovery_options(close, inp)
    assert not any(o.recommended for o in options)
    air = next(o for o in options if o.lever is rc.Lever.AIR)
    assert air.gives == date(2027, 4, 19) and not air.saves
    assert ex.forecast_xf(line({"revised_xf": date(2027, 4, 3)}, today=today), ex.Settings()) == today
    assert ex.forecast_xf(line({"revised_xf": date(2027, 4, 3)}, actual={"XF": date(2027, 4, 2)}, today=today),
                          ex.Settings()) == date(2027, 4, 2)  # shipped: the day it left


def test_revised_xf_later():
    assert not fires(ex.revised_xf_later, line({"revised_xf": date(2027, 4, 15)}))
    (h,) = hits(ex.revised_xf_later, line({"revised_xf": date(2027, 4, 16)}))
    assert h.code is Code.XF_REVISED_LATE and "1 day(s) after the planned 15-Apr-27" in h.message
    assert not fires(ex.revised_xf_later, line({"revised_xf": date(2027, 4, 16)},
                                               actual={"XF": date(2027, 4, 16)}))


@pytest.mark.parametrize("revised, severity", [
    (date(2027, 4, 15), None),                 # + 25 days = the in-DC date
    (date(2027, 4, 16), Severity.WARNING),     # one day after the in-DC date
    (date(2027, 4, 25), Severity.WARNING),     # lands on the cancel date
    (date(2027, 4, 26), Severity.WARNING)])    # after the cancel date: FOB judges ex-factory, not this
def test_in_dc_late_by_the_orders_own_transit(revised, severity):
    found = hits(ex.in_dc_late, line({"revised_xf": revised}))
    assert [h.severity for h in found] == ([severity] if severity else [])
    assert not fires(ex.late_for_cancel, line({"revised_xf": revised}))


def test_in_dc_late_by_air_transit_when_the_mode_changes():
    assert not fires(ex.in_dc_late, line({"revised_xf": date(2027, 5, 3), "ship_mode": "By Air"}))
    assert fires(ex.in_dc_late, line({"revised_xf": date(2027, 5, 4), "ship_mode": "By Air"}))


def test_ship_window_missed():
    assert not fires(ex.ship_window_missed, line(), today=date(2027, 5, 20))
    assert fires(ex.ship_window_missed, line(), today=date(2027, 5, 21))
    assert not fires(ex.ship_window_missed, line(actual={"XF": date(2027, 5, 20)}), today=date(2027, 6, 1))
    (h,) = hits(ex.ship_window_missed, line(actual={"XF": date(2027, 5, 21)}), today=date(2027, 6, 1))
    assert "chargeback" in h.message


PLAN = {"CUT": date(2027, 3, 1), "SEW": date(2027, 3, 4), "PCK": date(2027, 3, 31)}


def test_production_behind_at_the_tolerance_edge():
    # On 18 Mar sewing (4 -> 31 Mar) is 14/27 = 51.9% along; 10 points behind is 41.9%.
    report = date(2027, 3, 18)
    ok = line({"report_date": report, "cut_qty": 1000, "sewn_qty": 419}, planned=PLAN)
    late = line({"report_date": report, "cut_qty": 1000, "sewn_qty": 418}, planned=PLAN)
    assert not fires(ex.production_behind, ok, today=report)
    (h,) = hits(ex.production_behind, late, today=report)
    assert h.message.startswith("Sewn 418 of 1,000 (42%)") and "about 52%" in h.message


def test_production_behind_judges_cutting_and_skips_shipped_lines():
    report = date(2027, 3, 18)  # cutting should be complete by 16 Mar
    assert fires(ex.production_behind, line({"report_date": report, "cut_qty": 899}, planned=PLAN))
    assert not fires(ex.production_behind, line({"report_date": report, "cut_qty": 900}, planned=PLAN))
    assert not fires(ex.production_behind, line({"report_date": report, "cut_qty": 0}, planned=PLAN,
                                                actual={"XF": report}))


@pytest.mark.parametrize(("revised", "model", "fire"), [
    (date(2027, 5, 15), date(2027, 5, 26), True),    # the vendor on time for cancel 20 May, the T&A not
    (date(2027, 5, 15), date(2027, 5, 20), False),   # both on time: the cancel date itself is on time
    (date(2027, 5, 15), date(2027, 5, 10), False),   # the T&A is the earlier: nothing to say
    (date(2027, 5, 22), date(2027, 5, 26), False),   # both late: late-for-cancel says it
    (None, date(2027, 5, 26), False)])               # no vendor date: the T&A's is the one judged
def test_a_vendor_date_on_time_for_cancel_before_a_late_t_and_a_forecast_is_named(revised, model, fire):
    ln = line({"revised_xf": revised} if revised else None, forecast={"XF": model})
    found = hits(ex.vendor_date_before_forecast, ln)
    assert bool(found) is fire
    if fire:
        (h,) = found
        assert h.code is Code.VENDOR_DATE_AHEAD and h.severity is Severity.WARNING
        assert "15-May-27" in h.message and "26-May-27" in h.message and "late for cancel" in h.message
    assert not fires(ex.vendor_date_before_forecast, line({"revised_xf": revised} if revised else None,
                                                          forecast={"XF": model}, actual={"XF": date(2027, 5, 1)}))


def test_fabric_not_in_house_from_the_cutting_date():
    plan = {"CUT": date(2027, 3, 1)}
    assert not fires(ex.fabric_not_in_house, line({"fabric_status": "Pending"}, planned=plan),
                     today=date(2027, 2, 28))
    assert fires(ex.fabric_not_in_house, line({"fabric_status": "Pending"}, planned=plan))
    assert fires(ex.fabric_not_in_house, line({"fabric_status": "not received"}, planned=plan))
    assert fires(ex.fabric_not_in_house, line(None, planned=plan))
    assert not fires(ex.fabric_not_in_house, line({"fabric_status": "In-house 25/2"}, planned=plan))
    assert not fires(ex.fabric_not_in_house, line(None, planned=plan, actual={"FIH": date(2027, 2, 25)}))


def test_booking_not_confirmed_n_working_days_before_ex_factory():
    # From Tue 2 Mar to Mon 15 Mar is 10 working days (Mon-Fri).
    assert fires(ex.booking_not_confirmed, line(ex_factory=date(2027, 3, 15)), booking_confirm_days=10)
    assert not fires(ex.booking_not_confirmed, line(ex_factory=date(2027, 3, 16)), booking_confirm_days=10)
    assert not fires(ex.booking_not_confirmed, line({"booking_status": "Confirmed SO#123"},
                                                    ex_factory=date(2027, 3, 15)))
    assert fires(ex.booking_not_confirmed, line({"booking_status": "Not confirmed"},
                                                ex_factory=date(2027, 3, 15)))
    assert not fires(ex.booking_not_confirmed, line(ex_factory=date(2027, 3, 15),
                                                    actual={"BKC": date(2027, 3, 1)}))


def test_ship_mode_changed():
    (h,) = hits(ex.ship_mode_changed, line({"ship_mode": "AIR"}))
    assert h.severity is Severity.ERROR and "Sea to Air" in h.message
    assert not fires(ex.ship_mode_changed, line({"ship_mode": "Ocean FCL"}))
    (h,) = hits(ex.ship_mode_changed, line({"ship_mode": "Sea"}, ship_mode="Air"))
    assert h.severity is Severity.WARNING


@pytest.mark.parametrize("status, fire", [
    ("To be confirmed", True), ("waiting for confirmation", True), ("will confirm next week", True),
    ("Confirmation requested", True), ("Requested, waiting confirm", True), ("TBC", True), ("Not confirmed", True),
    ("SO No. 4411", False), ("Booked - SO No. 4411", False), ("Confirmed, no issue", False), ("CFM", False),
    ("Confirmed SO#123", False)])
def test_a_booking_reply_that_means_not_yet_is_not_a_confirmation(status, fire):
    assert fires(ex.booking_not_confirmed, line({"booking_status": status}, ex_factory=date(2027, 3, 15))) is fire


@pytest.mark.parametrize("status, fire", [
    ("Expected in-house 15-Mar", True), ("In-house by 20/3", True), ("will be received next week", True),
    ("To be delivered 10 Mar", True), ("Greige received, dyeing", True), ("partial received", True),
    ("In-house 25/2, no shortage", False), ("Finished fabric received", False), ("received 100%", False)])
def test_a_fabric_reply_about_a_delivery_to_come_is_not_in_house(status, fire):
    plan = {"CUT": date(2027, 3, 1)}
    assert fires(ex.fabric_not_in_house, line({"fabric_status": status}, planned=plan)) is fire


@pytest.mark.parametrize("written, mode", [
    ("Sea changed to Air", "Air"), ("Sea -> Air", "Air"), ("changed from sea to air", "Air"),
    ("Air (changed from sea)", "Air"), ("Air instead of sea", "Air"), ("Sea (was air)", "Sea"),
    ("Air Freight", "Air"), ("by air", "Air"), ("sea-air", "Sea-Air"), ("Sea/Air", "Sea-Air"), ("Ocean FCL", "Sea")])
def test_the_ship_mode_now_is_read_from_a_vendors_note_of_a_change(written, mode):
    assert ex.ship_mode(written) == mode


@pytest.mark.parametrize("packed, fire", [(970, False), (969, True), (1030, False), (1031, True)])
def test_short_or_over_shipment_at_the_tolerance(packed, fire):
    shipped = line({"packed_qty": packed}, actual={"XF": date(2027, 4, 15)})
    assert fires(ex.ship_qty_off, shipped, ship_tolerance_pct=3) is fire
    assert not fires(ex.ship_qty_off, line({"packed_qty": packed}), ship_tolerance_pct=3)


def test_a_report_from_before_packing_finished_is_not_a_short_shipment():
    """Friday's report counts 600 packed; packing completed on Monday: the count was still growing."""
    done = {"PCK": date(2027, 3, 1)}
    assert not fires(ex.ship_qty_off, line({"packed_qty": 600, "report_date": date(2027, 2, 26)}, actual=done))
    assert fires(ex.ship_qty_off, line({"packed_qty": 600, "report_date": date(2027, 3, 1)}, actual=done))
    assert fires(ex.ship_qty_off, line({"packed_qty": 600}, actual=done))  # no report date: judged


def test_wip_stale_per_vendor():
    in_production = line(planned={"CUT": TODAY + timedelta(days=30)})
    reports = lambda d: pd.DataFrame({"vendor": ["V1"], "report_date": [d]})  # noqa: E731
    assert not fires(ex.wip_stale, in_production, wip=reports(TODAY - timedelta(days=10)), wip_stale_days=10)
    (h,) = hits(ex.wip_stale, in_production, wip=reports(TODAY - timedelta(days=11)), wip_stale_days=10)
    assert h.subject == Subject(vendor="V1") and h.key == "V1" and "11 days ago" in h.message
    assert "No WIP report received yet" in hits(ex.wip_stale, in_production)[0].message
    assert not fires(ex.wip_stale, line(planned={"CUT": TODAY + timedelta(days=31)}))


def test_quantities_that_do_not_add_up():
    assert not fires(ex.wip_qty_inconsistent, line({"cut_qty": 1030, "sewn_qty": 900, "packed_qty": 900}),
                     ship_tolerance_pct=3)
    assert fires(ex.wip_qty_inconsistent, line({"cut_qty": 1031}), ship_tolerance_pct=3)
    assert fires(ex.wip_qty_inconsistent, line({"sewn_qty": 900, "packed_qty": 901}))
    assert fires(ex.wip_qty_inconsistent, line({"cut_qty": 500, "sewn_qty": 501}))
    (h,) = hits(ex.wip_qty_inconsistent, line({"order_qty": 1200}))
    assert "1,200 is not the PO's 1,000" in h.message


def test_late_for_cancel_judges_the_date_the_terms_name():
    # FOB (the default): the forecast ex-factory against the cancel date 2027-05-20
    assert not fires(ex.late_for_cancel, line({"revised_xf": date(2027, 5, 20)}))
    (h,) = hits(ex.late_for_cancel, line({"revised_xf": date(2027, 5, 21)}))
    assert h.severity is Severity.ERROR and "ex-factory 21-May-27, 1 day(s) after cancel 20-May-27 (FOB)" in h.message
    # DDP: the forecast in-DC (ex-factory + the order's own 25 days' transit)
    assert not fires(ex.late_for_cancel, line({"revised_xf": date(2027, 4, 25)}, terms="DDP"))
    (h,) = hits(ex.late_for_cancel, line({"revised_xf": date(2027, 4, 26)}, terms="DDP"))
    assert ("forecast in-DC 21-May-27, 1 day(s) after cancel 20-May-27 (DDP) (Sea: ex-factory 26-Apr-27 + 25"
            in h.message)


def _reports(days_ago: int) -> pd.DataFrame:
    return pd.DataFrame({"vendor": ["V1"], "report_date": [TODAY - timedelta(days=days_ago)]})


_SHIPPED = {"XF": date(2027, 4, 15)}
_REPORT = date(2027, 3, 18)
CASES = {  # rule: (the code it gives, a hand-made case it fires on, the near miss it does not)
    ex.revised_xf_later: (Code.XF_REVISED_LATE, lambda: ((line({"revised_xf": date(2027, 4, 16)}),), {}),
                          lambda: ((line({"revised_xf": date(2027, 4, 15)}),), {})),
    ex.revised_xf_passed: (Code.XF_DATE_PASSED,
                           lambda: ((line({"revised_xf": date(2027, 2, 28), "packed_qty": 999}),), {}),
                           lambda: ((line({"revised_xf": date(2027, 2, 28), "packed_qty": 1000}),), {})),
    ex.late_for_cancel: (Code.LATE_FOR_CANCEL, lambda: ((line({"revised_xf": date(2027, 5, 21)}),), {}),
                         lambda: ((line({"revised_xf": date(2027, 5, 20)}),), {})),
    ex.vendor_date_before_forecast: (
        Code.VENDOR_DATE_AHEAD,
        lambda: ((line({"revised_xf": date(2027, 5, 15)}, forecast={"XF": date(2027, 5, 21)}),), {}),
        lambda: ((line({"revised_xf": date(2027, 5, 15)}, forecast={"XF": date(2027, 5, 20)}),), {})),
    ex.in_dc_late: (Code.IN_DC_LATE, lambda: ((line({"revised_xf": date(2027, 4, 16)}),), {}),
                    lambda: ((line({"revised_xf": date(2027, 4, 15)}),), {})),
    ex.ship_window_missed: (Code.SHIP_WINDOW_MISSED, lambda: ((line(),), {"today": date(2027, 5, 21)}),
                            lambda: ((line(),), {"today": date(2027, 5, 20)})),
    ex.production_behind: (Code.PRODUCTION_BEHIND,
                           lambda: ((line({"report_date": _REPORT, "cut_qty": 1000, "sewn_qty": 418},
                                          planned=PLAN),), {"today": _REPORT}),
                           lambda: ((line({"report_date": _REPORT, "cut_qty": 1000, "sewn_qty": 419},
                                          planned=PLAN),), {"today": _REPORT})),
    ex.fabric_not_in_house: (Code.FABRIC_NOT_IN_HOUSE,
                             lambda: ((line({"fabric_status": "Pending"}, planned={"CUT": TODAY}),), {}),
                             lambda: ((line({"fabric_status": "Pending"}, planned={"CUT": TODAY}),),
                                      {"today": TODAY - timedelta(days=1)})),
    ex.booking_not_confirmed: (Code.BOOKING_NOT_CONFIRMED,
                               lambda: ((line(ex_factory=date(2027, 3, 15)),), {"booking_confirm_days": 10}),
                               lambda: ((line(ex_factory=date(2027, 3, 16)),), {"booking_confirm_days": 10})),
    ex.ship_mode_changed: (Code.SHIP_MODE_CHANGED, lambda: ((line({"ship_mode": "AIR"}),), {}),
                           lambda: ((line({"ship_mode": "Ocean FCL"}),), {})),
    ex.ship_qty_off: (Code.SHIP_QTY_OFF, lambda: ((line({"packed_qty": 969}, actual=_SHIPPED),), {}),
                      lambda: ((line({"packed_qty": 970}, actual=_SHIPPED),), {})),
    ex.wip_stale: (Code.WIP_STALE,
                   lambda: ((line(planned={"CUT": TODAY}),), {"wip": _reports(11), "wip_stale_days": 10}),
                   lambda: ((line(planned={"CUT": TODAY}),), {"wip": _reports(10), "wip_stale_days": 10})),
    ex.wip_qty_inconsistent: (Code.WIP_QTY_INCONSISTENT, lambda: ((line({"cut_qty": 1031}),), {}),
                              lambda: ((line({"cut_qty": 1030}),), {})),
}


def test_every_rule_has_a_case_it_fires_on_and_a_near_miss():
    assert set(CASES) == set(ex.RULES)


@pytest.mark.parametrize("rule", ex.RULES, ids=lambda r: r.__name__)
def test_each_rule_fires_on_its_case_and_not_on_the_near_miss(rule):
    code, fire, miss = CASES[rule]
    lines, kw = fire()
    (found,) = hits(rule, *lines, **kw)
    vendor_rule = rule is ex.wip_stale
    subject = Subject(vendor="V1") if vendor_rule else Subject("P1", "S1", "Navy", "V1")
    assert (found.code, found.sheet, found.subject, found.key) == (code, "Exceptions", subject, subject.key)
    assert found.message and "None" not in found.message
    lines, kw = miss()
    assert hits(rule, *lines, **kw) == []
    assert ex.evaluate(ex.Inputs(list(lines), kw.get("wip", pd.DataFrame(columns=["vendor", "report_date"])),
                                 kw.get("today", TODAY), ex.Settings(**{k: v for k, v in kw.items()
                                                                       if k not in ("wip", "today")}),
                                 {}, MON_FRI), (rule,)) == []


def test_every_rule_is_listed_once_and_named():
    assert len(set(ex.RULES)) == len(ex.RULES) == 13
    assert set(ex.RULE_NAMES) == {code for code, _, _ in CASES.values()}


def test_settings_from_config_and_a_bad_one():
    s, found = ex.settings_from(Config(extra={"booking confirm days": 7, "ship tolerance %": "5%",
                                              "wip stale days": "soon"}))
    assert (s.booking_confirm_days, s.ship_tolerance_pct, s.wip_stale_days) == (7, 5.0, 10)
    assert [f.code for f in found] == [Code.SETTING]


# --- identity across runs -------------------------------------------------------------------------

def old_sheet(*rows: dict) -> pd.DataFrame:
    frame = pd.DataFrame([{f: None for f in ex.EXCEPTION_FIELDS} | r for r in rows])
    frame["_row"] = range(2, 2 + len(rows))
    return frame


def test_merge_keeps_ids_and_user_columns_resolves_and_reopens():
    h1 = ex.exception(Code.XF_REVISED_LATE, Severity.WARNING, "5 days", Subject("P1", "S1", "Navy", "V1"))
    h2 = ex.exception(Code.WIP_STALE, Severity.WARNING, "stale", Subject(vendor="V2"))
    old = old_sheet(
        {"id": "EX-0007", "detected": date(2027, 2, 1), "po": "p1", "style": "s1", "color": "NAVY",
         "rule": "xf-revised-later", "detail": "3 days", "status": "In progress", "owner": "Ana",
         "resolution": "chased"},
        {"id": "EX-0008", "po": "P9", "style": "S9", "color": "Red", "rule": "ship-mode-changed",
         "status": "Open"},
        {"id": "EX-0009", "vendor": "v2", "rule": "wip-stale", "status": ex.RESOLVED_BY_DATA,
         "resolution": f"{ex.RESOLVED_NOTE} 2027-02-20"})
    frame, source = ex.merge(old, [h1, h2], TODAY)
    rows = frame.to_dict("records")
    assert source == [2, 3, 4]
    assert (rows[0]["id"], rows[0]["detail"], rows[0]["status"], rows[0]["owner"],
                                         rows[0]["resolution"], rows[0]["detected"]) == \
        ("EX-0007", "5 days", "In progress", "Ana", "chased", date(2027, 2, 1))
    assert (rows[1]["status"], rows[1]["resolution"]) == (ex.RESOLVED_BY_DATA,
                                                          f"{ex.RESOLVED_NOTE} 2027-03-01")
    assert rows[2]["status"] == ex.OPEN and pd.isna(rows[2]["resolution"])
    h3 = ex.exception(Code.WIP_STALE, Severity.WARNING, "x", Subject(vendor="V3"))
    frame2, source2 = ex.merge(frame.assign(_row=range(2, 5)), [h1, h3], TODAY)
    assert frame2["id"].tolist() == ["EX-0007", "EX-0008", "EX-0009", "EX-0010"] and source2[-1] is None


def test_closed_by_the_user_stays_closed():
    h = ex.exception(Code.SHIP_MODE_CHANGED, Severity.ERROR, "air", Subject("P1", "S1", "Navy", "V1"))
    old = old_sheet({"id": "EX-0001", "po": "P1", "style": "S1", "color": "Navy", "rule": "ship-mode-changed",
                     "status": "Closed", "resolution": "vendor pays air"})
    frame, _ = ex.merge(old, [h], TODAY)
    assert (frame.at[0, "status"], frame.at[0, "resolution"], len(frame)) == ("Closed", "vendor pays air", 1)


# --- end to end on a workbook -----------------------------------------------------------------------

WIP_HEADER = ["PO #", "Style #", "Color", "Vendor", "Order Qty", "Cut Qty", "Sewn Qty", "Packed Qty",
              "Fabric Status", "Planned XF", "Revised XF", "Ship Mode", "Booking Status", "Remarks",
              "Report Date", "Source File"]


def book_with_wip(tmp_path: Path, revised: date) -> Path:
    sheets = base_sheets()
    sheets["Orders"][1] += ["Sea"]
    sheets["Orders"][0] += ["Ship Mode"]
    sheets["Orders"][2] += ["Sea"]
    sheets["Config"] = [["Setting", "Value"], ["WIP Stale Days", 10], ["Booking Confirm Days", 10]]
    sheets["Vendor WIP"] = [WIP_HEADER, ["4500000001", "S1", "Navy", "BD1", 1200, 1200, 600, 0, "In-house",
                                         date(2027, 4, 15), revised, "Sea", "Pending", "", date(2027, 2, 26),
                                         "bd1.xlsx"]]
    return write_book(tmp_path / "t.xlsx", sheets)


def exceptions_sheet(path: Path) -> list[dict]:
    rows = sheet_values(path, "Exceptions")
    return [dict(zip(rows[0], r)) for r in rows[1:] if r[0]]


def ctx(today: date = TODAY, hour: int = 9) -> Context:
    return Context(today=today, now=datetime.combine(today, datetime.min.time()).replace(hour=hour))


def test_rerun_keeps_ids_and_user_columns_and_resolves_by_data(tmp_path):
    path = book_with_wip(tmp_path, date(2027, 4, 22))
    run(path, ["ta", "exceptions"], ctx())
    first = exceptions_sheet(path)
    late = [r for r in first if r["Rule"] == "xf-revised-later"]
    assert len(late) == 1 and late[0]["ID"].startswith("EX-") and late[0]["Status"] == "Open"
    assert late[0]["Color"] == "Navy" and late[0]["Vendor"] == "BD1"
    # BD1 reported 3 days ago; CN1 cuts in April, beyond the 30 days a WIP report is expected before
    assert not [r for r in first if r["Rule"] == "wip-stale"]
    # the APM takes it on
    header = sheet_values(path, "Exceptions")[0]
    row = next(i for i, r in enumerate(sheet_values(path, "Exceptions"), 1) if r[0] == late[0]["ID"])
    wb = openpyxl.load_workbook(path)
    ws = wb["Exceptions"]
    ws.cell(row=row, column=header.index("Owner") + 1, value="Ana")
    ws.cell(row=row, column=header.index("Status") + 1, value="In progress")
    ws.cell(row=row, column=header.index("Resolution") + 1, value="asked for air at vendor cost")
    wb.save(path)
    run(path, ["exceptions"], ctx(hour=10))
    again = {r["ID"]: r for r in exceptions_sheet(path)}
    assert set(again) == {r["ID"] for r in first}
    kept = again[late[0]["ID"]]
    assert (kept["Owner"], kept["Status"], kept["Resolution"]) == ("Ana", "In progress",
                                                                   "asked for air at vendor cost")
    # the vendor pulls the date back: the exception is resolved by data, not deleted
    wb = openpyxl.load_workbook(path)
    wb["Vendor WIP"]["K2"] = datetime(2027, 4, 15)
    wb.save(path)
    run(path, ["exceptions"], ctx(date(2027, 3, 2)))
    gone = {r["ID"]: r for r in exceptions_sheet(path)}[late[0]["ID"]]
    assert gone["Status"] == ex.RESOLVED_BY_DATA and gone["Resolution"] == "asked for air at vendor cost"
    others = [r for r in exceptions_sheet(path) if r["ID"] != late[0]["ID"] and r["Rule"] == "in-dc-late"]
    assert len(others) == 1  # the in-DC exception the same revised date raised (2027-04-22 + 25 > in-DC)
    assert all(r["Status"] == ex.RESOLVED_BY_DATA and r["Resolution"].endswith("2027-03-02") for r in others)
