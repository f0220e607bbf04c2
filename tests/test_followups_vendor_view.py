"""The vendor's view of its follow-ups (helper-171's audit, H1/M2/M3/L2): one late PO line listed up to nine
times with contradicting asks, 'please send' a cutting start, prodbook's rule names and 'PO ...: ... XF' in the
vendor's e-mail, and a table that lost its columns under Chinese text. Real trackers written, run and read back;
the drafts parsed with the email package."""

from __future__ import annotations

import email
import unicodedata
from datetime import date, datetime
from email import policy
from pathlib import Path

from conftest import base_sheets, sheet_values, write_book
from prodbook.core import followups as fu
from prodbook.core import vendor_view as vv
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run

LATE = date(2027, 4, 22)  # BD1's 4500000001 / S1 / Navy: ex-factory 15-Apr planned, not shipped


def ctx(out: Path, today: date) -> Context:
    return Context(today=today, now=datetime.combine(today, datetime.min.time()).replace(hour=9), out=out)


def drafted(tmp_path: Path, today: date = LATE) -> tuple[list[dict], str]:
    path = write_book(tmp_path / "t.xlsx", base_sheets())
    out = tmp_path / "d"
    run(path, ["ta", "exceptions", "followups"], ctx(out, today))
    fu_sheet = sheet_values(path, "Follow-ups")
    rows = [dict(zip(fu_sheet[0], r)) for r in fu_sheet[1:]]
    msg = email.message_from_bytes((out / f"BD1_follow-up_{today.isoformat()}.eml").read_bytes(),
                                   policy=policy.default)
    return rows, msg.get_body(("plain",)).get_content()


def test_one_late_po_line_is_one_row_with_one_ask_in_the_vendors_email(tmp_path):
    rows, text = drafted(tmp_path)
    ref = "4500000001 / S1 / Navy"
    sheet = [r["Item"] for r in rows if r["Ref"] == ref]
    assert "Ex-factory" in sheet and len(sheet) >= 2, sheet  # the sheet keeps one row per item
    line = [ln for ln in text.splitlines() if ln.startswith("4500000001") and " Navy " in ln]
    late = [ln for ln in line if "ex-factory" in ln.lower() or "in-dc" in ln.lower() or "Packing" in ln]
    assert len(late) == 1, "\n".join(line)
    (row,) = late
    assert "Ex-factory date" in row and "Also:" in row, row
    assert row.count("Please") == 1 and "new ex-factory date and your recovery plan, by " in row, row
    assert "how you will recover" not in text and "give us a new date" not in row, row


def test_an_event_is_confirmed_not_sent_and_a_sample_is_sent():
    import pandas as pd
    ta = pd.DataFrame([{"vendor": "BD1", "po": "1", "style": "S1", "color": "Navy", "code": c, "milestone": m,
                        "owner": "Vendor", "planned": pd.Timestamp("2027-04-01"), "actual": None,
                        "forecast": pd.Timestamp("2027-04-09")}
                       for c, m in (("CUT", "Bulk cutting start"), ("PPS", "PP sample submit"))])
    cut, pps = sorted(fu.milestone_items(ta, LATE), key=lambda i: i.item)
    assert "please confirm the date it happened, or give us a new date" in cut.detail, cut.detail
    assert "the steps before it put it at" in cut.detail, cut.detail
    assert "please send it" in pps.detail and "happened" not in pps.detail, pps.detail


def test_the_vendor_reads_no_rule_names_no_po_prefix_and_no_xf():
    said = fu.vendor_text("revised-xf-passed", "PO 4500000001 S1 Navy: Revised XF 09-Dec-26 is 5 day(s) past", "BD1")
    assert not said.startswith("PO ") and "XF" not in said and "ex-factory" in said, said
    items = [fu.Item("BD1", "WIP report stale", "No WIP report. Please send us this week's WIP report.",
                     code="wip-stale")]
    (row,) = vv.vendor_view(items, "Wed 24-Apr-27")
    assert row.item == "WIP report", row


def test_the_plain_table_aligns_chinese_text_by_display_width():
    items = [fu.Item("SHX", "Fit sample", "send it", "1", "S1", "藏青色"),
             fu.Item("SHX", "Fit sample", "send it", "2", "S1", "Navy")]
    lines = fu.plain_table(items).splitlines()
    cols = {sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in ln[:ln.index("Fit sample")])
            for ln in lines[2:]}
    assert len(cols) == 1, lines


def test_once_the_cancel_date_has_passed_the_vendor_is_not_asked_to_recover_it(tmp_path):
    rows, text = drafted(tmp_path, date(2027, 5, 24))  # cancel date 20-May-27, the line not shipped
    assert any(r["Item"] == "Ship window missed" and r["Ref"] == "4500000001 / S1 / Navy" for r in rows), rows
    line = [ln for ln in text.splitlines() if ln.startswith("4500000001") and " Navy " in ln]
    (row,) = [ln for ln in line if "Ex-factory date" in ln]
    assert "has passed" in row and "ship date and your plan" in row, row
    assert "recover" not in text and "new ex-factory date" not in row and row.count("Please") == 1, row


def test_an_item_asked_before_reads_as_a_reminder_and_one_asked_today_does_not():
    import pandas as pd
    ta = pd.DataFrame([{"vendor": "BD1", "po": "1", "style": "S1", "color": "Navy", "code": c, "milestone": m,
                        "owner": "Vendor", "planned": pd.Timestamp("2027-04-01"), "actual": None}
                       for c, m in (("CUT", "Bulk cutting start"), ("PPS", "PP sample submit"))])
    cut, pps = sorted(fu.milestone_items(ta, LATE), key=lambda i: i.item)
    made = fu.drafts([cut, pps], {}, LATE, asked={cut.key: date(2027, 4, 15), pps.key: LATE})
    text = made.messages["BD1"].get_body(("plain",)).get_content()
    (c,) = [ln for ln in text.splitlines() if "Bulk cutting start" in ln]
    (p,) = [ln for ln in text.splitlines() if "PP sample submit" in ln]
    assert "(reminder: we asked on 15-Apr-27)" in c, c
    assert "reminder" not in p, p


def test_a_shipped_lines_exception_also_goes_under_the_vendors_name_and_asks_for_shipping_details():
    (row,) = vv.vendor_view([fu.Item("BD1", "Ship window missed", "x", "1", "S1", "Navy")], "Wed 24-Apr-27")
    assert row.item == "Cancel date passed", row
    said = fu.vendor_text("ship-window-missed", "The cancel date 10-Dec-26 has passed and the line has not reached "
                          "the DC (DDP).", "BD1", shipped=True)
    assert "ship date" not in said and "shipping details" in said, said


def test_a_last_contacted_typed_on_the_sheet_reads_as_a_reminder_in_the_next_draft(tmp_path):
    """The job hands each item's Last Contacted to the drafts: before, the rule existed but the job passed nothing,
    so a chased item went out again unmarked."""
    import openpyxl

    path = write_book(tmp_path / "t.xlsx", base_sheets())
    run(path, ["ta", "exceptions", "followups"], ctx(tmp_path / "d1", LATE))
    wb = openpyxl.load_workbook(path)
    ws = wb["Follow-ups"]
    header = [c.value for c in ws[1]]
    row = next(r for r in range(2, ws.max_row + 1)
               if str(ws.cell(r, header.index("Ref") + 1).value).startswith("4500000001 / S1 / Navy"))
    ws.cell(row, header.index("Last Contacted") + 1, value=datetime(2027, 4, 20))
    wb.save(path)
    later = date(2027, 4, 23)
    run(path, ["followups"], ctx(tmp_path / "d2", later))
    text = email.message_from_bytes((tmp_path / "d2" / f"BD1_follow-up_{later.isoformat()}.eml").read_bytes(),
                                    policy=policy.default).get_body(("plain",)).get_content()
    assert "(reminder: we asked on 20-Apr-27)" in text, text


def _line(*rows: tuple[str, str, str, str]) -> list[fu.Item]:
    """One PO line's Packing and Ex-factory milestones (code, name, planned, forecast) as the follow-ups list
    them on 02-Mar-26."""
    import pandas as pd
    ta = pd.DataFrame([{"vendor": "BD1", "po": "P100", "style": "S1", "color": "NAVY", "code": c, "milestone": m,
                        "owner": "Vendor", "planned": pd.Timestamp(p), "actual": None, "forecast": pd.Timestamp(f)}
                       for c, m, p, f in rows])
    return fu.milestone_items(ta, date(2026, 3, 2))


def test_a_po_line_on_track_is_not_folded_into_a_recovery_plan_request():
    """helper-176's review H1: Packing and Ex-factory only due soon, nothing late, went out as one 'Ex-factory
    date' row asking for a new ex-factory date and a recovery plan."""
    on_track = _line(("PCK", "Packing", "2026-03-05", "2026-03-05"), ("XF", "Ex-factory", "2026-03-07", "2026-03-07"))
    view = vv.vendor_view(on_track, "Wed 04-Mar-26", today=date(2026, 3, 2))
    assert [v.item for v in view] == ["Packing", "Ex-factory"], view
    assert all(v.detail.endswith("please confirm it is on track") for v in view), view
    assert not any("recovery" in v.detail or "Also:" in v.detail for v in view), view
    late = _line(("PCK", "Packing", "2026-03-05", "2026-03-09"), ("XF", "Ex-factory", "2026-03-07", "2026-03-11"))
    (row,) = vv.vendor_view(late, "Wed 04-Mar-26", today=date(2026, 3, 2))  # the steps before put it late: one row
    assert row.item == "Ex-factory date" and "new ex-factory date and your recovery plan" in row.detail, row


def test_a_folded_row_led_by_the_vendors_own_new_date_asks_what_that_fact_asks():
    """helper-176's review M2: 'You revised ex-factory to 06-Jan-27' leading, the row still asked for a new
    ex-factory date the vendor had just given."""
    def exc(code: str, detail: str) -> fu.Item:
        return fu.Item("BD1", code, fu.vendor_text(code, detail, "BD1"), "P100", "S1", "NAVY", code=code)
    revised = exc("xf-revised-later", "The vendor revised ex-factory to 06-Jan-27, 6 day(s) after the planned "
                  "31-Dec-26.")
    in_dc = exc("in-dc-late", "PO P100 S1 NAVY: In-DC 20-Feb-27 is after the planned 10-Feb-27.")
    ahead = exc("vendor-date-before-forecast", "The vendor says ex-factory 06-Jan-27, but the T&A forecasts "
                "12-Jan-27 from the milestones still open.")
    (row,) = vv.vendor_view([in_dc, revised], "Wed 04-Mar-26")
    assert row.detail.startswith("You revised ex-factory to 06-Jan-27") and "Also:" in row.detail, row
    assert row.detail.endswith("Please confirm the new date and tell us how you can bring it back, "
                               "by Wed 04-Mar-26."), row
    assert "new ex-factory date" not in row.detail and row.detail.count("Please") == 1, row
    (row,) = vv.vendor_view([ahead, in_dc], "Wed 04-Mar-26")
    assert row.detail.startswith("You gave ex-factory 06-Jan-27"), row
    assert "how you will make your date" in row.detail and "new ex-factory date" not in row.detail, row
    assert row.detail.count("Please") == 1 and row.detail.endswith(", by Wed 04-Mar-26."), row
