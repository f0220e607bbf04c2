"""A vendor's Country typed as a country code ('BD', 'bd', ' VN ', 'BGD') is compared with its Holiday Country
as a country name is: a factory in Bangladesh planned on India's holidays is named, whichever way its Country
was typed. Text that names no country ('NA', 'XX') says nothing."""

from __future__ import annotations

import pandas as pd
import pytest
from holidays.registry import COUNTRIES
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import assert_finding, base_sheets, write_book
from prodbook.core.factories import vendor_calendars
from prodbook.core.findings import Code, Finding
from prodbook.jobs.runner import run
from test_factories_audit import ctx


def calendar_findings(country: object, holiday_country: str) -> list[Finding]:
    """The Vendors sheet's findings for one vendor, as the T&A's calendars are built (no year asked)."""
    vendors = pd.DataFrame([{"vendor": "V1", "country": country, "holiday_country": holiday_country,
                             "weekend": 1, "_row": 2}])
    closures = pd.DataFrame(columns=["calendar", "start", "end", "_row"])
    _, _, findings = vendor_calendars(vendors, closures, [], file="t.xlsx")
    return [f for f in findings if f.code is Code.CALENDAR]


@pytest.mark.parametrize("country, code, name", [("BD", "BD", "Bangladesh"), ("bd", "BD", "Bangladesh"),
                                                 (" VN ", "VN", "Vietnam"), ("BGD", "BD", "Bangladesh")])
def test_a_country_typed_as_a_code_that_is_not_the_holiday_country_is_named(tmp_path, country, code, name):
    sheets = base_sheets()
    sheets["Vendors"][1][2] = country  # BD1
    sheets["Vendors"][1][6] = "IN"  # planned on India's holidays
    path = write_book(tmp_path / "t.xlsx", sheets)
    result = run(path, ["ta"], ctx())
    f = assert_finding(result.findings, Code.CALENDAR, sheet="Vendors", row=2, column="Holiday Country")
    assert f.severity == "warning" and f.value == "IN"
    assert f"its Country is {country.strip()} (" in f.message and name in f.message
    assert f"Type {code} if the factory is in {name}" in f.message and "BD1" in f.message
    assert not [g for g in result.findings if g.code is Code.CALENDAR and g.row == 3]  # CN1: China, CN


@pytest.mark.parametrize("country, holiday_country", [
    ("BD", "BD"), ("bd", "BD"), (" bd ", "BD"),  # the same code
    ("Bangladesh", "BGD"), ("BD", "BGD"), ("United Kingdom", "UK"),  # a Holiday Country the package takes so
    ("NA", "BD"), ("n.a.", "BD"), ("XX", "BD"), ("Narnia", "BD"),  # no country
])
def test_a_country_that_is_the_holiday_country_or_no_country_says_nothing(country, holiday_country):
    assert not calendar_findings(country, holiday_country), country


def test_the_warning_says_the_country_by_name_when_it_was_typed_as_a_code():
    [f] = calendar_findings("bd", "IN")
    assert "its Country is bd (Bangladesh)" in f.message


_CODES = sorted({names[1] for names in COUNTRIES.values()} - {"NA"})  # NA: typed for 'not applicable'


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(_CODES), st.sampled_from(_CODES), st.sampled_from(["{}", "{} ", " {}", "{}."]),
       st.booleans())
def test_a_two_letter_country_is_silent_on_its_own_code_and_named_on_another(country, other, form, lower):
    """Every two-letter code the holidays package knows, in any case and with spaces or a full stop."""
    typed = form.format(country.lower() if lower else country)
    assert not calendar_findings(typed, country)
    if other != country:
        [f] = calendar_findings(typed, other)
        assert f"Type {country} if the factory is in" in f.message and f"is {other} but" in f.message

