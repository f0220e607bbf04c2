"""Factory calendars read from the Vendors and Closures sheets, as an APM's tracker gets them wrong: a Holiday
Country that contradicts the vendor's Country, a closure whose To is not known yet, a typo year on one PO."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from conftest import assert_finding, base_sheets, write_book
from prodbook.core.findings import Code
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run

TODAY = date(2027, 1, 4)


def ctx(today: date = TODAY) -> Context:
    return Context(today=today, now=datetime(today.year, today.month, today.day, 9, 0))


def planned(path: Path) -> dict[tuple, object]:
    rows = list(openpyxl.load_workbook(path)["T&A"].iter_rows(values_only=True))
    at = {h: i for i, h in enumerate(rows[0])}
    return {(r[at["PO #"]], r[at["Code"]]): r[at["Planned"]] for r in rows[1:] if r[0]}


def set_cell(path: Path, sheet: str, row: int, column: str, value: object) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    header = [c.value for c in ws[1]]
    ws.cell(row, header.index(column) + 1).value = value  # cell(r, c, None) would leave it as it is
    wb.save(path)


# -- F3: Holiday Country against Country ------------------------------------------------------------------

def test_a_holiday_country_that_contradicts_the_country_is_named_with_the_code_the_country_suggests(tmp_path):
    sheets = base_sheets()
    sheets["Vendors"][1][6] = "IN"  # BD1, Country Bangladesh: planned on India's holidays
    path = write_book(tmp_path / "t.xlsx", sheets)
    result = run(path, ["ta"], ctx())
    f = assert_finding(result.findings, Code.CALENDAR, sheet="Vendors", row=2, column="Holiday Country")
    assert f.severity == "warning" and f.value == "IN"
    assert "Bangladesh" in f.message and "IN" in f.message and "BD" in f.message and "BD1" in f.message
    assert not [g for g in result.findings if g.code is Code.CALENDAR and g.row == 3]  # CN1: China, CN


@pytest.mark.parametrize("country", [None, "Narnia", "bangladesh", "BGD"])
def test_a_blank_unknown_or_agreeing_country_says_nothing_about_the_holiday_country(tmp_path, country):
    sheets = base_sheets()
    sheets["Vendors"][1][2] = country
    path = write_book(tmp_path / "t.xlsx", sheets)
    result = run(path, ["ta"], ctx())
    assert not [f for f in result.findings if f.code is Code.CALENDAR and f.sheet == "Vendors"], \
        [f.text() for f in result.findings]


# -- F9: a Closures row whose To is not a date ------------------------------------------------------------

@pytest.mark.parametrize("calendar,po", [("CN", "4500000002"), ("BD1", "4500000001")])
@pytest.mark.parametrize("to", [None, "TBC", date(2027, 1, 1)])  # blank, not a date, before From
def test_a_closure_without_a_readable_to_keeps_its_vendors_rows_as_they_were(tmp_path, calendar, po, to):
    """A shutdown whose end is not known yet: planned without it, the vendor's dates would all move back, and
    move again once To is typed. As for a bad Weekend or Holiday Country, its lines stay as they were."""
    sheets = base_sheets()
    sheets["Closures"][1] = [calendar, date(2027, 1, 4), date(2027, 1, 29), "New Year shutdown"]
    path = write_book(tmp_path / "t.xlsx", sheets)
    run(path, ["ta"], ctx())
    before = planned(path)
    assert before[(po, "LD")] > datetime(2027, 1, 29)  # the closure moved it
    set_cell(path, "Closures", 2, "To", to)
    result = run(path, ["ta"], ctx(date(2027, 1, 5)))
    after = planned(path)
    mine = [k for k in before if k[0] == po]
    assert mine and all(after[k] == before[k] for k in mine)
    other = "4500000001" if po == "4500000002" else "4500000002"
    assert any(k[0] == other for k in after)
    said = [f for f in result.findings if f.code is Code.CALENDAR and f.sheet == "Closures" and f.row == 2]
    assert said and all(f.severity == "error" for f in said), [f.text() for f in result.findings]
    text = " ".join(f.message for f in said)
    assert ("CN1" if calendar == "CN" else "BD1") in text and "kept" in text
    assert ("BD1" if calendar == "CN" else "CN1") not in text
    assert any(f.code is Code.TA_STALE for f in result.findings)


# -- F12: one typo year on one PO -------------------------------------------------------------------------

def test_a_typo_year_asks_for_holidays_of_its_own_vendor_only_and_names_the_order_date(tmp_path):
    sheets = base_sheets()
    sheets["Orders"].append(["4500000003", "S2", "Red", 500, date(2027, 1, 11), date(2207, 4, 30),
                             date(2027, 5, 30), date(2027, 6, 5)])  # S2 is CN1's
    path = write_book(tmp_path / "t.xlsx", sheets)
    result = run(path, ["ta"], ctx())
    holidays = [f for f in result.findings if f.code is Code.NO_HOLIDAY_DATA and f.sheet == "Vendors"]
    assert not [f for f in holidays if f.row == 2], [f.text() for f in holidays]  # BD1's orders are fine
    f = next(f for f in holidays if f.row == 3 and "no public holidays" in f.message)
    assert "2101" not in f.message and "2207" in f.message  # the years around the typo, not 2101-2208
    assert "row 4" in f.message and "Ex-Factory" in f.message and "30-Apr-2207" in f.message


# -- F2: a Vendor column on Orders ------------------------------------------------------------------------

def test_a_vendor_typed_on_orders_that_is_not_the_styles_vendor_is_named_at_the_cell(tmp_path):
    """prodbook plans a line by its style's Vendor on Styles; a team's own Vendor column on Orders that names
    another factory was ignored without a word, the line planned on the other vendor's weekend and holidays."""
    sheets = base_sheets()
    sheets["Orders"][0].append("Factory")
    sheets["Orders"][1].append("cn1")  # S1 is BD1's on Styles
    sheets["Orders"][2].append("Ningbo Garments")  # S2's vendor CN1, by its Name: the same factory
    path = write_book(tmp_path / "t.xlsx", sheets)
    result = run(path, ["ta"], ctx())
    f = assert_finding(result.findings, Code.UNKNOWN_VENDOR, sheet="Orders", row=2, column="Factory")
    assert f.severity == "warning" and f.value == "cn1"
    assert "cn1" in f.message and "BD1" in f.message and "Styles" in f.message
    assert not [g for g in result.findings if g.sheet == "Orders" and g.row == 3 and g.column == "Factory"]
