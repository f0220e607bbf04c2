"""Vendor words read no more generously than they are meant (the audit of 2026-12-07, helper-155): a part of
the fabric in-house is not the fabric in-house, a tentative booking is not a confirmed one, 'Not air' is not
Air; and dates and numbers vendors type as they do at home ('30/11', '2nd Jan', '1,23,456') are read."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodbook.core import exceptions as ex
from prodbook.core import wip
from prodbook.core.cells import CellError, DateOrder, parse_text_date, to_int, to_number
from prodbook.core.exceptions.words import _CONFIRMED, _IN_HOUSE
from prodbook.core.findings import Severity
from test_exceptions import fires, hits, line
from test_wip_rows_audit import HEADER, import_path, xlsx

# --- M5: fabric in-house, booking confirmed -----------------------------------------------------------

CUT_DUE = {"CUT": date(2027, 3, 1)}  # cutting planned for today (test_exceptions.TODAY)


@pytest.mark.parametrize("status, in_house", [
    # a part of the fabric, or fabric that cannot be cut yet, is not the fabric in-house
    ("In-house 50%", False), ("50% received", False), ("Rcvd 60%", False), ("received 99.5%", False),
    ("1st lot received", False), ("2nd lot arrived", False), ("first lot received", False),
    ("Received, failed test", False), ("Fabric received but QC hold", False), ("received, on hold", False),
    ("Received - rejected (shade)", False), ("in-house, retest", False), ("part received", False),
    ("received partly", False), ("short received", False),
    # done, as before (and 'Rcvd' is received)
    ("Rcvd", True), ("Rcvd 100%", True), ("Recd", True), ("received 100%", True), ("In-house 100%", True),
    ("Finished fabric received", True), ("In-house 25/2, no shortage", True), ("All lots received", True),
    ("Received, test passed", True)])
def test_fabric_in_part_or_on_hold_is_not_in_house(status, in_house):
    assert ex.says(status, _IN_HOUSE) is in_house
    assert fires(ex.fabric_not_in_house, line({"fabric_status": status}, planned=CUT_DUE)) is not in_house


@pytest.mark.parametrize("status, confirmed", [
    ("Booked (tentative)", False), ("Booked but rolled", False), ("Booked? N", False), ("Confirmed?", False),
    ("Booked - provisional", False), ("Booking rolled to next vessel", False), ("Booked, cancelled", False),
    ("Booked", True), ("Confirmed SO#123", True), ("Booked - SO No. 4411", True), ("CFM", True)])
def test_a_tentative_rolled_or_questioned_booking_is_not_confirmed(status, confirmed):
    assert ex.says(status, _CONFIRMED) is confirmed
    assert fires(ex.booking_not_confirmed, line({"booking_status": status},
                                                ex_factory=date(2027, 3, 15))) is not confirmed


_FABRIC_YES = ["In-house", "Received", "Rcvd", "Arrived", "Delivered", "Fabric OK", "Done", "Complete"]
_BOOKING_YES = ["Confirmed", "Booked", "SO received", "Yes", "OK", "CFM"]
_NOT_DONE = ["50%", "tentative", "rolled", "?", "failed test", "QC hold", "1st lot", "partial", "rejected"]


@given(st.sampled_from([(w, _IN_HOUSE) for w in _FABRIC_YES] + [(w, _CONFIRMED) for w in _BOOKING_YES]),
       st.sampled_from(_NOT_DONE), st.sampled_from([" ", ", ", " - ", " but ", " ("]), st.booleans())
def test_a_yes_with_a_not_done_word_is_never_a_yes(yes_rx, qualifier, sep, before):
    """Invariant: a yes the rule reads becomes a not-yet with any word of part, doubt or hold beside it."""
    yes, rx = yes_rx
    assert ex.says(yes, rx)
    text = f"{qualifier}{sep}{yes}" if before else f"{yes}{sep}{qualifier}"
    assert not ex.says(text, rx), text


# Nothing missing is not a not-yet (review of 2026-12-07, M4): an excess, a share that is nil, a balance that is
# none, a retest passed, every lot named, a booking in shares that add up to the whole, confirmed by someone.
_NOTHING_MISSING_FABRIC = ["Received 5% excess", "Received, 0% short", "Received - balance 0", "In-house (no balance)",
                           "Received, no short", "In house, test passed (retest OK)",
                           "In-house; 1st and 2nd lot received", "Received 2% over", "Balance received",
                           "Received, balance: nil"]
_NOTHING_MISSING_BOOKING = ["Confirmed (balance booked)", "Booked 50% / 50%", "Confirmed by buyer",
                            "Booked, confirmed by mill", "Booked 60% + 40%"]
_STILL_MISSING_FABRIC = ["In-house 50%", "Rcvd 60%", "1st lot received", "Received, failed test", "QC hold",
                         "In-house, QC hold", "Received, 5% short", "Received - balance 200 yds", "In-house by 20/3",
                         "Received, retest", "Received 50% / 30%", "1st and 2nd lot received, 3rd lot pending"]
_STILL_MISSING_BOOKING = ["Booked (tentative)", "Booked but rolled", "Booked? N", "Booked 50% / 30%",
                          "Confirmed by Friday", "Booked, shipping by 15-Dec", "To be confirmed by buyer"]


@pytest.mark.parametrize("status, in_house", [(s, True) for s in _NOTHING_MISSING_FABRIC] +
                         [(s, False) for s in _STILL_MISSING_FABRIC])
def test_fabric_with_nothing_missing_is_in_house(status, in_house):
    assert ex.says(status, _IN_HOUSE) is in_house
    assert fires(ex.fabric_not_in_house, line({"fabric_status": status}, planned=CUT_DUE)) is not in_house


@pytest.mark.parametrize("status, confirmed", [(s, True) for s in _NOTHING_MISSING_BOOKING] +
                         [(s, False) for s in _STILL_MISSING_BOOKING])
def test_a_booking_with_nothing_missing_is_confirmed(status, confirmed):
    assert ex.says(status, _CONFIRMED) is confirmed
    assert fires(ex.booking_not_confirmed, line({"booking_status": status},
                                                ex_factory=date(2027, 3, 15))) is not confirmed


@given(st.integers(0, 100), st.sampled_from(["Received {}%", "{}% received", "In-house {} %", "Rcvd {}%"]))
def test_received_a_share_is_in_house_only_at_100(share, form):
    assert ex.says(form.format(share), _IN_HOUSE) is (share == 100)


# --- M6: ship mode ------------------------------------------------------------------------------------

@pytest.mark.parametrize("written, mode", [
    ("DHL", "Air"), ("FedEx", "Air"), ("Fed Ex", "Air"), ("UPS", "Air"), ("TNT", "Air"), ("Courier", "Air"),
    ("DHL Express", "Air"), ("Sea, not air", "Sea"), ("Not air - sea", "Sea"), ("Sea (partial air)", "Sea"),
    ("Sea / part by air", "Sea"), ("Sea-Air", "Sea-Air"), ("Air", "Air")])
def test_couriers_are_air_and_a_negated_mode_is_not_the_mode(written, mode):
    assert ex.ship_mode(written) == mode


@pytest.mark.parametrize("written", ["Not air", "No air", "non-air", "not by air"])
def test_not_air_is_not_read_as_air(written):
    assert ex.ship_mode(written) != "Air"
    assert not fires(ex.ship_mode_changed, line({"ship_mode": written}))  # a Sea order: nothing changed
    (h,) = hits(ex.ship_mode_changed, line({"ship_mode": written}, ship_mode="Air"))  # an Air order: it did
    assert h.severity is Severity.WARNING and written in h.message


@pytest.mark.parametrize("written", ["DHL", "FedEx", "UPS"])
def test_a_courier_on_a_sea_order_is_the_air_freight_error(written):
    (h,) = hits(ex.ship_mode_changed, line({"ship_mode": written}))
    assert h.severity is Severity.ERROR and "Sea to Air" in h.message


@pytest.mark.parametrize("written", ["Sea (partial air)", "Sea + part air", "Sea, balance by air",
                                     "Sea / 500 pcs by air", "Split: sea and air"])
def test_part_of_a_sea_order_flown_is_the_air_freight_error(written):
    """DOMAIN.md: a split shipment sends the rest later or by air, and air costs several times sea: the part
    that flies is a cost to agree, not a Sea-Air routing noted as a warning."""
    (h,) = hits(ex.ship_mode_changed, line({"ship_mode": written}))
    assert h.severity is Severity.ERROR and "part by air" in h.message and "agree who pays" in h.message
    (h,) = hits(ex.ship_mode_changed, line({"ship_mode": written}, ship_mode="Air"))  # most of an air order at sea
    assert h.severity is Severity.WARNING and "from Air to Sea." in h.message
    assert ex.transit_days(line({"ship_mode": written}, in_dc=None), ex.Settings()) == ex.Settings().transit_sea


@pytest.mark.parametrize("written", ["Sea (partial air)", "Sea, balance by air", "Split: 1st lot air, 2nd lot sea",
                                     "Sea-Air", "Sea / 500 pcs by air"])
def test_part_of_a_sea_air_order_flown_is_no_change(written):
    """A Sea-Air order is planned to fly a part: a part flown is what was ordered (review M4, L1)."""
    assert not fires(ex.ship_mode_changed, line({"ship_mode": written}, ship_mode="Sea-Air"))


def test_a_split_with_a_lot_by_air_is_part_by_air():
    assert ex.part_by_air("Split: 1st lot air, 2nd lot sea")
    (h,) = hits(ex.ship_mode_changed, line({"ship_mode": "Split: 1st lot air, 2nd lot sea"}))
    assert h.severity is Severity.ERROR and "part by air" in h.message and "Sea to Sea" not in h.message


@pytest.mark.parametrize("written", ["Not air", "non-air", "not by air"])
def test_not_air_on_an_air_order_says_what_was_written_and_what_it_means(written):
    (h,) = hits(ex.ship_mode_changed, line({"ship_mode": written}, ship_mode="Air"))
    assert f"'{written}'" in h.message and "not by air" in h.message and "names no mode" in h.message
    assert "to Not air" not in h.message and "to non-air" not in h.message


# --- M7: dates without a year ------------------------------------------------------------------------

NEAR = date(2026, 11, 24)  # the report's date


@pytest.mark.parametrize("text, want", [
    ("Nov 30", date(2026, 11, 30)), ("30 Nov", date(2026, 11, 30)), ("30/11", date(2026, 11, 30)),
    ("30.11", date(2026, 11, 30)), ("11/30", date(2026, 11, 30)), ("30-11", date(2026, 11, 30)),
    ("Nov 30th", date(2026, 11, 30)), ("30th Nov", date(2026, 11, 30)), ("2nd Jan", date(2027, 1, 2)),
    ("9th Jan", date(2027, 1, 9)), ("Jan 2nd", date(2027, 1, 2)), ("1st Dec", date(2026, 12, 1)),
    ("5.1", date(2027, 1, 5)), ("December 3rd", date(2026, 12, 3))])
def test_every_way_of_writing_a_date_without_a_year_is_read_as_nov_30_is(text, want):
    assert wip.parse_wip_date(text, DateOrder.MDY, False, NEAR) == want


def test_a_numeric_date_without_a_year_that_fits_both_orders_is_read_by_the_date_order():
    assert wip.parse_wip_date("05/12", DateOrder.MDY, False, NEAR) == date(2027, 5, 12)
    assert wip.parse_wip_date("05/12", DateOrder.DMY, False, NEAR) == date(2026, 12, 5)


def _nth(day: int) -> str:
    return f"{day}{'th' if 11 <= day <= 13 else {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th')}"


@given(st.integers(-wip.values.YEARLESS_BACK, 364 - wip.values.YEARLESS_BACK), st.sampled_from(list(DateOrder)),
       st.sampled_from(["{d} {mon}", "{mon} {d}", "{nth} {mon}", "{mon} {nth}", "{d}-{mon}", "{d}.{m}",
                        "{numeric}"]))
def test_any_way_of_writing_a_day_without_its_year_reads_the_same_day(offset, order, form):
    """Invariant: each day of the year a report's dates fall in reads back, whichever way it is written."""
    day = date(2028, 2, 20) + timedelta(days=offset)  # a leap year's 29 February among them
    numeric = f"{day.month}/{day.day}" if order is DateOrder.MDY else f"{day.day}/{day.month}"
    text = form.format(d=day.day, m=day.month, mon=f"{day:%b}", nth=_nth(day.day), numeric=numeric)
    assert wip.parse_wip_date(text, order, False, date(2028, 2, 20)) == day, text


@pytest.mark.parametrize("text", ["30 Feb", "Feb 30th", "31/11", "13/13", "31.04"])
def test_a_day_the_month_does_not_have_is_named_not_called_yearless(text):
    with pytest.raises(CellError, match="not a real date|has no month") as e:
        wip.parse_wip_date(text, DateOrder.MDY, False, NEAR)
    assert "has no year" not in str(e.value)


@pytest.mark.parametrize("text", ["Nov 30", "30 Nov", "30/11", "30.11", "Nov 30th", "2nd Jan", "9th Jan"])
def test_without_a_report_date_every_yearless_form_is_refused_for_its_year(text):
    """An Orders or T&A cell has no report date to place it: the same reason for every form."""
    with pytest.raises(CellError, match="has no year"):
        parse_text_date(text)


@pytest.mark.parametrize("text, want", [
    ("1-Dec-2026 00:00", date(2026, 12, 1)), ("01-Dec-2026 (Tue)", date(2026, 12, 1)),
    ("Dec 1, 2026 10:30", date(2026, 12, 1)), ("01 Dec 2026 9:00 AM", date(2026, 12, 1)),
    ("01/12/2026 00:00", date(2026, 1, 12)), ("01-Dec-26 (Tue)", date(2026, 12, 1)),
    ("Tue 01-Dec-2026", date(2026, 12, 1)), ("2026-12-01 (Tue)", date(2026, 12, 1))])
def test_a_month_name_date_with_a_time_or_weekday_after_it_is_read(text, want):
    assert parse_text_date(text) == want


# --- M8: Indian digit grouping, a share in a quantity -------------------------------------------------

@pytest.mark.parametrize("text, want", [
    ("1,23,456", 123456), ("12,34,56,789", 123456789), ("1,00,000", 100000), ("-1,23,456.50", -123456.5),
    ("1,234,567", 1234567), ("1,200", 1200)])
def test_indian_digit_grouping_is_read(text, want):
    assert to_number(text) == want


@pytest.mark.parametrize("text", ["1,2,3", "12,5,00", "1,23,45", "1,234,56"])
def test_commas_that_group_neither_way_are_still_refused(text):
    with pytest.raises(CellError, match="is not a number"):
        to_number(text)


def _indian(n: int) -> str:
    s = str(n)
    if len(s) <= 3:
        return s
    head, tail = s[:-3], s[-3:]
    pairs = []
    while len(head) > 2:
        head, pairs = head[:-2], [head[-2:], *pairs]
    return ",".join([head, *pairs, tail])


@given(st.integers(0, 10 ** 15))
def test_a_whole_number_grouped_the_indian_way_or_by_thousands_reads_back(n):
    assert to_int(_indian(n)) == n
    assert to_int(f"{n:,}") == n


@pytest.mark.parametrize("text", ["100%", "57%", "50 %"])
def test_a_share_in_a_quantity_is_named_as_a_share(text):
    with pytest.raises(CellError, match="percentage"):
        wip.parse_qty(text)


def test_a_vendor_file_with_yearless_dates_and_indian_grouping_is_read(tmp_path: Path):
    """End to end through a real .xlsx: before, each of these cells was left blank with a warning."""
    path = xlsx(tmp_path / "VND WIP 01-Mar-2027.xlsx", [["WIP as of 01-Mar-2027"], [], HEADER,
        ["4500012667", "ST-05", "Terracotta", "1,23,456", "1,00,000", 0, 0, "30/03", "a"],
        ["4500012667", "ST-05", "Black", "1,000", 500, 0, 0, "Mar 30th", "b"],
        ["4500012667", "ST-05", "Optic White", "1,000", 500, 0, 0, "2nd Apr", "c"]])
    out = import_path(path)
    got = [(r["color"], r["order_qty"], r["cut_qty"], r["planned_xf"]) for r in out.rows]
    assert got == [("Terracotta", 123456, 100000, date(2027, 3, 30)), ("Black", 1000, 500, date(2027, 3, 30)),
                   ("Optic White", 1000, 500, date(2027, 4, 2))]
    assert not [f for f in out.findings if f.code in ("bad-number", "bad-date")]
