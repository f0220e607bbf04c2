"""A milestone due soon that the steps before it have already made late is not 'on track': the e-mail told the
vendor 'Packing complete is due 26-Nov-26; please confirm it is on track' while the T&A forecast it for
12-Jan-27 (the week audit's finding). It now names the forecast date and asks for the date the vendor can make."""

from __future__ import annotations

from datetime import date

import pandas as pd

from prodbook.core import followups as fu

TODAY = date(2026, 11, 23)


def ta(forecast: date) -> pd.DataFrame:
    return pd.DataFrame([{"po": "4500012924", "style": "SS27-KT-1010", "color": "Sage", "vendor": "SHX",
                          "code": "PCK", "milestone": "Packing complete", "owner": "Vendor",
                          "planned": pd.Timestamp(2026, 11, 26), "forecast": pd.Timestamp(forecast), "actual": None}])


def test_a_milestone_due_soon_but_forecast_late_asks_for_the_date_not_on_track():
    (item,) = fu.milestone_items(ta(date(2027, 1, 12)), TODAY)
    assert "on track" not in item.detail
    assert item.detail == ("Packing complete is due 26-Nov-26, but the steps before it put it at 12-Jan-27; "
                           "please confirm the date you can make")


def test_a_milestone_due_soon_and_forecast_on_its_date_is_asked_to_confirm_it():
    (item,) = fu.milestone_items(ta(date(2026, 11, 26)), TODAY)
    assert item.detail == "Packing complete is due 26-Nov-26; please confirm it is on track"
