"""A Due Soon Days below zero is refused on the Config row, and the default window applies: with -3 no
milestone would ever be Due soon, silently (a fresh-eyes audit's F13)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from conftest import base_sheets, sheet_values, write_book
from prodbook.core.findings import Code
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run


def cut_status(path) -> str:
    rows = sheet_values(path, "T&A")
    status = rows[0].index("Status")
    return next(r[status] for r in rows[1:] if r[0] == "4500000001" and r[4] == "CUT")


@pytest.mark.parametrize("typed", [-3, "-3", "-1"])
def test_a_negative_due_soon_days_is_named_and_the_default_window_applies(tmp_path, typed):
    sheets = base_sheets()
    sheets["Config"] = [["Setting", "Value"], ["Due Soon Days", typed]]
    path = write_book(tmp_path / "tracker.xlsx", sheets)
    found = run(path, ["ta"], Context(today=date(2027, 3, 22), now=datetime(2027, 3, 22, 9, 0))).findings
    said = [f for f in found if f.code is Code.SETTING and f.sheet == "Config" and f.row == 2]
    assert len(said) == 1, [f.text() for f in found]
    assert "0 or more" in said[0].message and "the default applies" in said[0].message
    assert cut_status(path) == "Due soon"  # 7 days: as the default


def test_zero_due_soon_days_is_a_choice_not_a_mistake(tmp_path):
    sheets = base_sheets()
    sheets["Config"] = [["Setting", "Value"], ["Due Soon Days", 0]]
    path = write_book(tmp_path / "tracker.xlsx", sheets)
    found = run(path, ["ta"], Context(today=date(2027, 3, 22), now=datetime(2027, 3, 22, 9, 0))).findings
    assert not [f for f in found if f.code is Code.SETTING], [f.text() for f in found]
    assert cut_status(path) == "Upcoming"
