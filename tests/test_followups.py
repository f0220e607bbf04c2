"""Follow-ups: the sheet (Last Contacted kept) and the .eml drafts, parsed back with the email package."""

from __future__ import annotations

import email
from datetime import date, datetime
from email import policy
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import assert_finding, base_sheets, digest, sheet_values, shown_values, write_book
from prodbook.core import followups as fu
from prodbook.core.findings import Code
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run

TODAY = date(2027, 3, 1)


def ctx(out: Path, today: date = TODAY, dry_run: bool = False) -> Context:
    return Context(today=today, now=datetime(2027, 3, 1, 9), out=out, dry_run=dry_run)


def book(tmp_path: Path) -> Path:
    sheets = base_sheets()
    sheets["Vendors"][1][3] = "Rahim <merch@dhaka-knit.example>; qa@dhaka-knit.example"
    sheets["Vendors"][1][4] = "agent@buying.example"
    sheets["Vendors"][2][3] = ""
    sheets["Samples"] = [["Style #", "Sample Type", "Purpose", "Color", "Due", "Shipped"],
                         ["S1", "Proto", "Line review", "Navy", date(2027, 2, 25), None],
                         ["S1", "Fit", "", "Navy", date(2027, 2, 20), date(2027, 2, 19)]]
    sheets["Lab Dips"] = [["Style #", "Color", "Round", "Decision", "Decision Date", "Comments"],
                          ["S2", "Black", 1, "Rejected", date(2027, 2, 10), "too red"],
                          ["S1", "Navy", 1, "Rejected", date(2027, 1, 20), ""],
                          ["S1", "Navy", 2, "Approved", date(2027, 2, 1), ""]]
    return write_book(tmp_path / "t.xlsx", sheets)


def parse(path: Path) -> email.message.EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


def test_drafts_parse_back_with_recipients_and_items(tmp_path):
    path = book(tmp_path)
    out = tmp_path / "drafts"
    result = run(path, ["ta", "exceptions", "followups"], ctx(out))
    files = sorted(p.name for p in out.iterdir())
    assert files == ["BD1_follow-up_2027-03-01.eml", "NO ADDRESS - CN1_follow-up_2027-03-01.eml"]  # CN1: no Email
    msg = parse(out / "BD1_follow-up_2027-03-01.eml")
    assert msg["To"].addresses[0].addr_spec == "merch@dhaka-knit.example"
    assert [a.addr_spec for a in msg["To"].addresses] == ["merch@dhaka-knit.example", "qa@dhaka-knit.example"]
    assert [a.addr_spec for a in msg["Cc"].addresses] == ["agent@buying.example"]
    assert msg["X-Unsent"] == "1" and msg["Subject"].startswith("Dhaka Knit Ltd: ")
    plain = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    # the vendor's (Mill) lab dip submission is overdue; the proto sample is late; nothing else of BD1's
    assert "Lab dip submit" in plain and "4500000001" in plain and "Proto sample" in plain
    assert "Fit sample" not in plain
    rows = [dict(zip(shown_values(path, "Follow-ups")[0], r)) for r in shown_values(path, "Follow-ups")[1:]]
    bd1 = [r for r in rows if r["Vendor"] == "BD1"]
    assert {r["Item"] for r in bd1} >= {"Lab dip submit", "Proto sample"}
    assert html.count("<tr") == len(bd1) + 1  # one table row per item, plus the header
    for r in bd1:  # every row of the sheet is in the e-mail
        assert r["Item"] in plain and r["Item"] in html
    proto = next(r for r in bd1 if r["Item"] == "Proto sample")
    assert (proto["Ref"], proto["Days Overdue"], proto["Contact"]) == (
        "S1 / Navy", 4, "Rahim <merch@dhaka-knit.example>; qa@dhaka-knit.example")
    assert proto["Draft"].endswith("BD1_follow-up_2027-03-01.eml")
    cn1 = parse(out / "NO ADDRESS - CN1_follow-up_2027-03-01.eml")
    assert cn1["To"] is None and "Lab dip resubmit" in cn1.get_body(("plain",)).get_content()
    assert_finding(result.findings, Code.VENDOR_NO_EMAIL, sheet="Vendors", row=3)


@pytest.mark.parametrize("typed", [datetime(2027, 2, 27), "called Mon", "2026-13-45"])
def test_last_contacted_is_kept_by_item_as_typed(tmp_path, typed):
    """A date, or words ('called Mon'): read as a blank date, words were written over with a blank, nothing
    logged, and undo could not bring them back."""
    path = book(tmp_path)
    run(path, ["ta", "followups"], ctx(tmp_path / "d"))
    rows = sheet_values(path, "Follow-ups")
    header = rows[0]
    i = next(n for n, r in enumerate(rows) if r[header.index("Item")] == "Proto sample")
    wb = openpyxl.load_workbook(path)
    wb["Follow-ups"].cell(row=i + 1, column=header.index("Last Contacted") + 1, value=typed)
    wb.save(path)
    run(path, ["followups"], ctx(tmp_path / "d", today=date(2027, 3, 2)))
    rows = sheet_values(path, "Follow-ups")
    proto = next(dict(zip(header, r)) for r in rows if r[header.index("Item")] == "Proto sample")
    assert proto["Last Contacted"] == typed and proto["Days Overdue"] == 5


def test_followups_on_their_own_chase_what_is_open_today_not_at_the_last_rebuild(tmp_path):
    """An Actual the APM typed since the T&A rebuild is not chased; a milestone due since then is."""
    path = book(tmp_path)
    run(path, ["ta", "followups"], ctx(tmp_path / "d1"))
    ta = sheet_values(path, "T&A")
    header = ta[0]
    chased = {(r["Item"], r["Ref"]) for r in
              (dict(zip(sheet_values(path, "Follow-ups")[0], x)) for x in sheet_values(path, "Follow-ups")[1:])}
    assert ("Lab dip submit", "4500000001 / S1 / Navy") in chased
    wb = openpyxl.load_workbook(path)
    for row in wb["T&A"].iter_rows(min_row=2):
        if row[0].value == "4500000001" and row[header.index("Code")].value == "LD":
            row[header.index("Actual")].value = datetime(2027, 3, 1)  # the mill sent it
    wb.save(path)
    later = date(2027, 4, 20)  # cutting (planned before then) is overdue now, though the sheet says Upcoming
    run(path, ["followups"], ctx(tmp_path / "d2", today=later))
    rows = [dict(zip(sheet_values(path, "Follow-ups")[0], x)) for x in sheet_values(path, "Follow-ups")[1:]]
    items = {(r["Item"], r["Ref"]) for r in rows}
    assert ("Lab dip submit", "4500000001 / S1 / Navy") not in items
    upcoming = {(r[header.index("Milestone")], f"{r[0]} / {r[1]} / {r[2]}") for r in ta[1:]
                if r[header.index("Status")] == "Upcoming" and r[header.index("Owner")] in fu.VENDOR_OWNERS
                and r[header.index("Planned")] < datetime(2027, 4, 20)}
    assert upcoming and upcoming <= items


def test_the_reply_by_date_counts_the_vendors_own_working_days(tmp_path):
    """Asked on Thursday 8 Apr 2027 for a reply in two working days: BD1 works Saturday and Sunday (its
    weekend is Friday, Excel's 16), so Sunday 11 Apr; CN1 (Saturday-Sunday) Monday 12 Apr. Every draft
    said Monday, a day late for a Bangladesh factory."""
    path = book(tmp_path)
    out = tmp_path / "drafts"
    run(path, ["ta", "followups"], ctx(out, today=date(2027, 4, 8)))
    asked = {v: parse(out / f"{v}_follow-up_2027-04-08.eml").get_body(("plain",)).get_content()
             for v in ("BD1", "NO ADDRESS - CN1")}
    asked["CN1"] = asked.pop("NO ADDRESS - CN1")  # CN1 has no Email on this tracker
    assert "Could you reply by Sun 11-Apr-27" in asked["BD1"]
    assert "Could you reply by Mon 12-Apr-27" in asked["CN1"]
    assert "Lab dip resubmit" in asked["CN1"]


def test_dry_run_writes_no_drafts(tmp_path):
    path = book(tmp_path)
    before = digest(path)
    result = run(path, ["ta", "followups"], ctx(tmp_path / "d", dry_run=True))
    assert not (tmp_path / "d").exists()
    assert digest(path) == before and result.commit is None and result.changes > 0


def test_render_is_separate_from_writing():
    items = [fu.Item("V1", "PP sample submit", "PP sample submit was due 20 Feb; please send it", "P1", "S1",
                     "Navy", date(2027, 2, 20), 9),
             fu.Item("V1", "Ex-factory revised later", "<b>moved</b> & later. Please advise.", "P2", "S2", "Red")]
    msg = fu.render(fu.Contact("V1", "Vendor One", ("a@v1.example",)), items, TODAY, sender="apm@shop.example")
    assert msg["Subject"] == "Vendor One: 2 open items to update (1 overdue) - 01-Mar-27"
    assert msg["From"] == "apm@shop.example"
    html = msg.get_body(("html",)).get_content()
    assert "&lt;b&gt;moved&lt;/b&gt; &amp; later" in html and "<b>moved" not in html
    plain = msg.get_body(("plain",)).get_content()
    assert "Could you reply by Wed 03-Mar-27" in plain and "20-Feb-27" in plain


def test_addresses():
    assert fu.addresses("a@x.com; Bo <b@x.com>, not an address") == ("a@x.com", "Bo <b@x.com>")
    assert fu.addresses(None) == ()


def test_inside_excel_without_outlook_the_drafts_fall_back_to_eml_files(tmp_path):
    path = book(tmp_path)
    out = tmp_path / "drafts"
    c = Context(today=TODAY, now=datetime(2027, 3, 1, 9), out=out, outlook=True)
    result = run(path, ["ta", "exceptions", "followups"], c)
    files = sorted(out.glob("*.eml"))
    assert len(files) == 2
    assert {parse(p)["Subject"].split(":")[0] for p in files} == {"Dhaka Knit Ltd", "Ningbo Garments"}
    said = "\n".join(line for o in result.outcomes for line in o.summary)  # written as the command writes them
    assert f"E-mail drafts (open in Outlook): {out}" in said and all(parse(p)[fu.TRACKER_HEADER] for p in files)


def test_a_vendor_code_typed_in_another_case_is_one_draft_not_two_names_for_one_file(tmp_path):
    """'BD1' and 'bd1' are one vendor (as everywhere in prodbook), and on Windows and macOS their two draft
    names would be one file: the second would overwrite the first, and the run would say both were written."""
    sheets = base_sheets()
    sheets["Styles"].append(["S3", "Polo", "bd1", "Knit", "Adopted"])
    sheets["Orders"].append(["4500000003", "S3", "White", 500, date(2027, 1, 4), date(2027, 4, 15),
                             date(2027, 5, 10), date(2027, 5, 20)])
    path = write_book(tmp_path / "t.xlsx", sheets)
    out = tmp_path / "drafts"
    run(path, ["ta", "exceptions", "followups"], ctx(out))
    assert sorted(p.name.casefold() for p in out.iterdir()) == ["bd1_follow-up_2027-03-01.eml",
                                                                  "cn1_follow-up_2027-03-01.eml"]
    plain = parse(next(out.glob("[Bb][Dd]1_*.eml"))).get_body(("plain",)).get_content()
    assert "4500000001" in plain and "4500000003" in plain  # both POs in the one e-mail to Dhaka Knit
    rows = [dict(zip(shown_values(path, "Follow-ups")[0], r)) for r in shown_values(path, "Follow-ups")[1:]]
    s3 = [r for r in rows if r["Ref"].startswith("4500000003")]
    assert s3 and all(r["Draft"] and r["Draft"].endswith("_follow-up_2027-03-01.eml") for r in s3)


def test_a_vendor_without_an_email_is_named_whatever_the_case_its_code_is_typed_in(tmp_path):
    sheets = base_sheets()
    sheets["Styles"][2][2] = "cn1"  # the Vendors sheet's CN1, which has no e-mail address
    sheets["Vendors"][2][3] = ""
    path = write_book(tmp_path / "t.xlsx", sheets)
    result = run(path, ["ta", "exceptions", "followups"], ctx(tmp_path / "drafts"))
    assert_finding(result.findings, Code.VENDOR_NO_EMAIL, sheet="Vendors", row=3)


def test_draft_names_differ_where_case_and_punctuation_do_not_count():
    names = fu.draft_names(["BD 1", "BD/1", "bd_1", "CN1"], TODAY)
    assert names["BD 1"] == "BD_1_follow-up_2027-03-01.eml" and names["CN1"] == "CN1_follow-up_2027-03-01.eml"
    assert len({n.casefold() for n in names.values()}) == 4


@given(st.lists(st.text(alphabet="aAbB1 /_.-", min_size=1, max_size=4), unique=True, max_size=12))
def test_no_two_draft_names_are_one_file_on_windows(vendors):
    names = fu.draft_names(vendors, TODAY)
    assert list(names) == vendors and len({n.casefold() for n in names.values()}) == len(vendors)
    assert all(n.endswith(".eml") for n in names.values())
