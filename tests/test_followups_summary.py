"""A long follow-up draft opens with a summary and lists the most severe rows first (helper-181, M5 of the last
audit: a vendor with many late lines got a 165-row table and no way to see what matters). A short draft stays as
it was. The drafts are real .eml bytes, parsed back with the email package."""

from __future__ import annotations

import email
from datetime import date, timedelta
from email import policy

from prodbook.core import followup_items as fi
from prodbook.core import followups as fu
from prodbook.core import vendor_view as vv
from prodbook.core.exceptions import rule_name
from prodbook.core.findings import Code

TODAY = date(2027, 4, 22)


def _samples(n: int) -> list[fu.Item]:
    """``n`` samples overdue by 30 days and more: by days overdue alone they would lead the table."""
    out = []
    for k in range(n):
        due = TODAY - timedelta(days=30 + k)
        out.append(fu.Item("BD1", "Fit sample", f"Fit sample was due {due:%d-%b-%y}; please send it with the "
                           "tracking number", None, f"S{k}", "Navy", due, (TODAY - due).days))
    return out


def _cancel(po: str) -> fu.Item:
    return fu.Item("BD1", "Late for cancel", "Ex-factory 30-Apr-27 is after the cancel date 25-Apr-27. "
                   + fi.ASK[Code.LATE_FOR_CANCEL.value], po, "S1", "Navy", code=Code.LATE_FOR_CANCEL.value)


def _shipped_cancel(po: str) -> fu.Item:
    """A line that has left the factory: its exception carries no code (``exception_items``), only its rule's name."""
    return fu.Item("BD1", rule_name(Code.LATE_FOR_CANCEL.value), "Ex-factory 30-Apr-27 is after the cancel date "
                   "25-Apr-27. The goods have left the factory: please send us the shipping details.", po, "S3", "Ecru")


def _xf(po: str, days: int) -> fu.Item:
    due = TODAY - timedelta(days=days)
    return fu.Item("BD1", "Ex-factory", f"Ex-factory was due {due:%d-%b-%y}; please confirm the date it happened, or "
                   "give us a new date", po, "S2", "Black", due, days, code="XF")


def _wip() -> fu.Item:
    return fu.Item("BD1", "WIP report stale", "No WIP report since 01-Apr-27. "
                   + fi.ASK[Code.WIP_STALE.value], code=Code.WIP_STALE.value)


def _bodies(items: list[fu.Item]) -> tuple[str, str]:
    made = fu.drafts(items, {"BD1": fu.Contact("BD1", "Dhaka Knit", ("a@example.com",))}, TODAY)
    msg = email.message_from_bytes(fu.eml_bytes(made.messages["BD1"]), policy=policy.default)
    return msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content()


def _table_rows(text: str) -> list[str]:
    """The plain-text table's rows, below its header and its dashes."""
    lines = text.splitlines()
    start = next(n for n, ln in enumerate(lines) if ln.startswith("PO ") and "What we need" in ln) + 2
    return [ln for ln in lines[start:] if ln.strip()][:-2]  # 'Thank you,' and the signature end it


def test_a_long_draft_opens_with_a_summary_and_lists_the_most_severe_rows_first():
    items = _samples(vv.SUMMARY_ROWS) + [_cancel("4500000007"), _cancel("4500000003"), _shipped_cancel("4500000001"),
                                         _xf("4500000005", 2), _xf("4500000006", 9), _wip()]
    text, page = _bodies(fu.collect(items))
    said = text[:text.index("What we need")]
    assert "In short" in said, text
    assert "3 PO lines late for the cancel date or past it" in said, said
    assert "2 PO lines late to ship or to arrive at the DC" in said, said
    assert f"{vv.SUMMARY_ROWS} samples and approvals to send" in said, said
    assert "1 report to send" in said, said
    oldest = sorted(i.due for i in items if i.due)[:2]
    assert f"The oldest items were due {oldest[0]:%d-%b-%y} and {oldest[1]:%d-%b-%y}" in said, said
    assert page.index("In short") < page.index("<table"), page  # the vendor reads it before the table
    rows = _table_rows(text)
    assert len(rows) == len(items), rows
    # the cancel date first, then ex-factory late (most overdue first), then the rest in their order
    assert [r.split()[0] for r in rows[:5]] == ["4500000001", "4500000003", "4500000007", "4500000006",
                                               "4500000005"], rows
    assert all("Fit sample" in r for r in rows[5:5 + vv.SUMMARY_ROWS]), rows
    assert "WIP report" in rows[-1], rows


def test_a_short_draft_has_no_summary_and_keeps_its_order():
    items = fu.collect(_samples(vv.SUMMARY_ROWS - 2) + [_cancel("4500000007"), _xf("4500000005", 2)])
    text, page = _bodies(items)
    assert "In short" not in text and "In short" not in page, text
    rows = _table_rows(text)
    assert "Fit sample" in rows[0] and rows[-1].startswith("4500000007"), rows  # most overdue first, as before
