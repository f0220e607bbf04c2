"""Days Overdue of an item not overdue (helper-116): the Follow-ups sheet showed 0 where the vendor's e-mail
leaves the cell blank. Both are blank now; a sheet an older run wrote with 0 changes once, then never again."""

from __future__ import annotations

import email
import re
from datetime import date, datetime
from email import policy
from pathlib import Path
from typing import Any

import openpyxl

from conftest import base_sheets, shown_values, write_book
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run

TODAY = date(2027, 3, 1)


def ctx(out: Path, today: date = TODAY) -> Context:
    return Context(today=today, now=datetime(2027, 3, 1, 9), out=out)


def book(tmp_path: Path) -> Path:
    sheets = base_sheets()
    sheets["Vendors"][1][3] = "merch@dhaka-knit.example"
    sheets["Samples"] = [["Style #", "Sample Type", "Purpose", "Color", "Due", "Shipped"],
                         ["S1", "Proto", "Line review", "Navy", date(2027, 2, 25), None],  # 4 days late
                         ["S1", "Fit", "", "Navy", date(2027, 3, 4), None],  # due in 3 days: not overdue
                         ["S1", "Photo", "", "Navy", TODAY, None]]  # due today: not overdue either
    return write_book(tmp_path / "t.xlsx", sheets)


def rows(path: Path) -> dict[str, dict[str, Any]]:
    values = shown_values(path, "Follow-ups")
    return {r[values[0].index("Item")]: dict(zip(values[0], r)) for r in values[1:] if r[0]}


def mailed(out: Path) -> dict[str, str]:
    """Item -> its Days overdue cell in the BD1 draft's HTML table."""
    msg = email.message_from_bytes((out / "BD1_follow-up_2027-03-01.eml").read_bytes(), policy=policy.default)
    html = msg.get_body(("html",)).get_content()
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", tr) for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", html)[1:]]
    return {c[3]: c[5] for c in cells}


def test_an_item_not_overdue_is_blank_on_the_sheet_as_in_the_email(tmp_path):
    path, out = book(tmp_path), tmp_path / "drafts"
    run(path, ["followups"], ctx(out))
    sheet, mail = rows(path), mailed(out)
    assert {k: sheet[k]["Days Overdue"] for k in ("Proto sample", "Fit sample", "Photo sample")} == {
        "Proto sample": 4, "Fit sample": None, "Photo sample": None}
    for item, cell in mail.items():  # the sheet and the vendor's e-mail say the same
        shown = sheet[item]["Days Overdue"]
        assert cell == ("" if shown is None else str(shown)), item


def test_a_zero_an_older_run_wrote_is_cleared_once_and_then_left(tmp_path):
    path, out = book(tmp_path), tmp_path / "drafts"
    run(path, ["followups"], ctx(out))
    wb = openpyxl.load_workbook(path)  # as an older prodbook left the sheet: 0 for the items not overdue
    ws = wb["Follow-ups"]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[header.index("Item")].value in ("Fit sample", "Photo sample"):
            row[header.index("Days Overdue")].value = 0
    wb.save(path)
    first = run(path, ["followups"], ctx(out))
    logged = [(c.key, c.old, c.new) for o in first.outcomes for c in o.changes if c.field == "Days Overdue"]
    assert sorted(logged) == [("BD1 / Fit sample / S1 / Navy", 0, None), ("BD1 / Photo sample / S1 / Navy", 0, None)]
    assert rows(path)["Fit sample"]["Days Overdue"] is None
    again = run(path, ["followups"], ctx(out))
    assert not [c for o in again.outcomes for c in o.changes if c.field == "Days Overdue"]
