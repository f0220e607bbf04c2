"""Follow-ups as a demanding APM and the vendor receiving the draft read them: real trackers written,
run and read back; the drafts parsed with the email package."""

from __future__ import annotations

import email
import re
from datetime import date, datetime
from email import policy
from pathlib import Path

import openpyxl
from hypothesis import given
from hypothesis import strategies as st

from conftest import assert_finding, base_sheets, sheet_values, write_book
from prodbook.core import followups as fu
from prodbook.core.exceptions import ALL_RULE_NAMES
from prodbook.core.findings import Code
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run

TODAY = date(2027, 3, 1)
LINE = "4500000001 / S1 / Navy"


def ctx(out: Path, today: date = TODAY) -> Context:
    return Context(today=today, now=datetime.combine(today, datetime.min.time()).replace(hour=9), out=out)


def rows_of(path: Path) -> list[dict]:
    values = sheet_values(path, "Follow-ups")
    return [dict(zip(values[0], r)) for r in values[1:]]


def chased(path: Path) -> set[tuple[str, str, str]]:
    return {(r["Vendor"], r["Item"], r["Ref"]) for r in rows_of(path)}


def parse(path: Path) -> email.message.EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


def plain(path: Path) -> str:
    return " ".join(parse(path).get_body(("plain",)).get_content().split())


def sample_book(tmp_path: Path) -> Path:
    """BD1 owes S1 Navy a PP sample (Samples row, due 25 Feb) and its lab dips (Mill); CN1 owes the same
    milestones for S2 Black, with no Samples row."""
    sheets = base_sheets()
    sheets["T&A Templates"].append(["Knit", "PPS", "PP sample submit", "Vendor", "XF", -60, "Working", "Yes",
                                    "Development"])
    sheets["Samples"] = [["Style #", "Sample Type", "Purpose", "Color", "Due", "Shipped", "Status"],
                         ["S1", "PP", "Pre-production", "Navy", date(2027, 2, 25), None, None]]
    sheets["Lab Dips"] = [["Style #", "Color", "Round", "Submitted", "Decision", "Decision Date", "Comments"],
                          ["S1", "Navy", 1, None, None, None, None]]
    return write_book(tmp_path / "t.xlsx", sheets)


def test_a_sample_shipped_or_a_dip_submitted_since_the_t_and_a_rebuild_is_not_chased(tmp_path):
    """Followups on their own (the ribbon button, after the APM typed the Shipped and Submitted dates the
    vendor e-mailed): the T&A still had a blank Actual until its next rebuild, so the vendor was asked
    again for a PP sample already on its way and for lab dips already submitted."""
    path = sample_book(tmp_path)
    run(path, ["ta", "followups"], ctx(tmp_path / "d1"))
    before = chased(path)
    assert {("BD1", "Lab dip submit", LINE), ("BD1", "PP sample", "S1 / Navy")} <= before
    wb = openpyxl.load_workbook(path)
    wb["Samples"]["F2"].value = datetime(2027, 2, 27)  # shipped
    wb["Lab Dips"]["D2"].value = datetime(2027, 2, 27)  # submitted
    wb.save(path)
    run(path, ["followups"], ctx(tmp_path / "d2"))
    after = chased(path)
    bd1 = {(i, r) for v, i, r in after if v == "BD1"}
    assert ("Lab dip submit", LINE) not in bd1 and ("PP sample submit", LINE) not in bd1
    assert ("PP sample", "S1 / Navy") not in bd1
    # CN1 sent nothing: still chased for both
    assert {("CN1", "Lab dip submit", "4500000002 / S2 / Black"),
            ("CN1", "PP sample submit", "4500000002 / S2 / Black")} <= after
    text = plain(tmp_path / "d2" / "BD1_follow-up_2027-03-01.eml")
    assert "Lab dip submit" not in text and "PP sample" not in text


def test_one_sample_is_asked_for_once_not_again_as_its_t_and_a_milestone(tmp_path):
    """A PP sample on the Samples sheet and the PP sample submit milestone of its PO line are the same
    parcel: the draft listed it twice, with two different due dates."""
    path = sample_book(tmp_path)
    out = tmp_path / "d"
    run(path, ["ta", "exceptions", "followups"], ctx(out))
    bd1 = [(r["Item"], r["Ref"]) for r in rows_of(path) if r["Vendor"] == "BD1"]
    assert ("PP sample", "S1 / Navy") in bd1
    assert ("PP sample submit", LINE) not in bd1
    assert ("CN1", "PP sample submit", "4500000002 / S2 / Black") in chased(path)  # no sample row: chased
    text = plain(out / "BD1_follow-up_2027-03-01.eml")
    assert text.count("PP sample") == 2  # the Item and its 'What we need', once


APM_ONLY = re.compile(r"chargeback|\bbuyer\b|\bUSD\b|Recovery|\bagree\b|[Tt]he vendor|[Aa]sk the|"
                      r"on Orders|Line Status|plan for the later|Confirm with")


def test_exception_items_tell_the_vendor_the_facts_not_the_apms_own_next_steps(tmp_path):
    """The Exceptions sheet's Detail is written for the APM ('agree ... with the buyer, or expect a
    cancellation or chargeback', the recovery levers and their cost in USD, 'The vendor revised...'); it went
    word for word into the e-mail to the vendor."""
    sheets = base_sheets()
    sheets["Orders"][1][7] = date(2027, 4, 10)  # cancel before the ex-factory: late for cancel
    sheets["Orders"][1].append("Sea")
    sheets["Orders"][0].append("Ship Mode")
    sheets["Orders"][2].append("Sea")
    path = write_book(tmp_path / "t.xlsx", sheets)
    out = tmp_path / "d"
    run(path, ["ta", "exceptions", "followups"], ctx(out))
    ex = sheet_values(path, "Exceptions")
    exceptions = [dict(zip(ex[0], r)) for r in ex[1:]]
    late = next(e for e in exceptions if e["Rule"] == Code.LATE_FOR_CANCEL.value)
    assert "chargeback" in late["Detail"]  # the APM's sheet keeps the advice
    rows = [r for r in rows_of(path) if r["Item"] in {n for n in ALL_RULE_NAMES.values()}]
    assert any(r["Item"] == "Late for cancel" for r in rows)
    text = plain(out / "BD1_follow-up_2027-03-01.eml")
    for r in rows:
        assert not APM_ONLY.search(r["Detail"]), r["Detail"]
        assert r["Detail"].rstrip().endswith((".", "?")), r["Detail"]
    assert not APM_ONLY.search(text), text
    assert "Ex-factory after the cancel date" in text and "10-Apr-27" in text and "recover the date" in text


def test_a_row_the_apm_added_to_exceptions_goes_to_the_vendor_as_typed():
    got = fu.vendor_text("Hangtag artwork", "Send the hangtag artwork for approval", "BD1")
    assert got == "Send the hangtag artwork for approval. Please advise."
    assert fu.vendor_text(Code.XF_REVISED_LATE.value, "The vendor revised ex-factory to 20-Apr-27, 5 day(s) "
                          "after the planned 15-Apr-27.", "BD1").startswith("You revised ex-factory to 20-Apr-27")


ADVICE = [": agree a new date, faster freight or an extension with the buyer, or expect a cancellation or "
          "chargeback. Recovery: extra shift USD 4,800. Else ask the buyer to move the cancel date 3 day(s).",
          ": ask the mill for a delivery date.", ": expect a chargeback.",
          ". Ask the vendor how they will make their date (overtime, another line), or plan for the later one.",
          ": air freight is a cost; agree who pays before it ships.",
          ". Confirm with BD1 that production stopped, and agree with the buyer who takes the goods already made."]


@given(st.sampled_from(sorted(c.value for c in ALL_RULE_NAMES)),
       st.text(alphabet="abcdefghij0123456789 -,()", min_size=1, max_size=40).filter(str.strip),
       st.sampled_from(["", *ADVICE]))
def test_vendor_text_keeps_the_facts_and_drops_the_advice(rule, facts, advice):
    facts = "Fact " + " ".join(facts.split())
    got = fu.vendor_text(rule, facts + advice, "BD1")
    assert got.startswith(facts.rstrip(" .,:;")) and not APM_ONLY.search(got)
    assert got.endswith(".")


def test_a_vendor_missing_from_the_vendors_sheet_is_named_not_sent_a_draft_without_to(tmp_path):
    """Style S3's vendor ZZ9 is not on Vendors: its draft had no To and nothing said so."""
    sheets = base_sheets()
    sheets["Styles"].append(["S3", "Tee", "ZZ9", "Knit", "Adopted"])
    sheets["Lab Dips"] = [["Style #", "Color", "Round", "Submitted", "Decision", "Decision Date", "Comments"],
                          ["S3", "Red", 1, date(2027, 1, 2), "Rejected", date(2027, 1, 5), "too dull"]]
    path = write_book(tmp_path / "t.xlsx", sheets)
    out = tmp_path / "d"
    result = run(path, ["ta", "exceptions", "followups"], ctx(out))
    assert parse(out / "NO ADDRESS - ZZ9_follow-up_2027-03-01.eml")["To"] is None
    found = assert_finding(result.findings, Code.VENDOR_NO_EMAIL, sheet="Vendors", column="Vendor", value="ZZ9")
    assert "ZZ9" in found.message and "not on the Vendors sheet" in found.message
    assert not [f for f in result.findings if f.code is Code.VENDOR_NO_EMAIL and f.value in ("BD1", "CN1")]


def test_a_long_vendor_code_still_gets_its_draft(tmp_path):
    """A vendor typed as a long name (here 100 CJK characters, 300 bytes) made a file name past the 255 a
    folder entry holds: the draft was not written, and the message blamed the folder's path."""
    vendor = "宁波天丰服装" * 17
    sheets = base_sheets()
    sheets["Styles"][2][2] = vendor
    sheets["Vendors"][2][0] = vendor
    path = write_book(tmp_path / "t.xlsx", sheets)
    out = tmp_path / "d"
    result = run(path, ["ta", "exceptions", "followups"], ctx(out))
    assert not [f for f in result.findings if f.code is Code.FILE_NOT_WRITTEN]
    drafts = {p.name: parse(p) for p in out.glob("*.eml")}
    assert len(drafts) == 2
    mine = next(m for m in drafts.values() if m["X-Prodbook-Vendor"] == vendor)
    assert mine["To"].addresses[0].addr_spec == "sales@ningbo.example"
    link = next(r["Draft"] for r in rows_of(path) if r["Vendor"] == vendor)
    assert any(name in link for name in drafts)


WINDOWS_BAD = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


@given(st.lists(st.text(min_size=1, max_size=120), unique=True, max_size=8))
def test_every_draft_name_is_a_file_windows_and_macos_accept(vendors):
    names = fu.draft_names(vendors, TODAY)
    for name in names.values():
        assert not WINDOWS_BAD.search(name) and not name.startswith(".") and name.endswith(".eml")
        assert len(name.encode("utf-8")) <= 255 and len(name) <= 120
    assert len({n.casefold() for n in names.values()}) == len(vendors)


def test_no_rule_of_the_demo_season_sends_the_apms_advice_to_a_vendor(tmp_path):
    """The rewording reads each rule's Detail as the exception rules write it today: the demo plants many
    kinds of exception, so a rule whose wording moves on (new advice the pattern does not know) fails here
    rather than reaching a vendor."""
    from click.testing import CliRunner

    from prodbook.cli import main

    result = CliRunner().invoke(main, ["demo", str(tmp_path), "--today", "2026-11-25"])
    assert result.exit_code in (0, 1), result.output
    path = next(tmp_path.glob("*.xlsx"))
    ex = sheet_values(path, "Exceptions")
    rules = {dict(zip(ex[0], r))["Rule"] for r in ex[1:] if dict(zip(ex[0], r))["Status"] == "Open"}
    names = {n for c, n in ALL_RULE_NAMES.items() if c.value in rules}
    chased_rules = [r for r in rows_of(path) if r["Item"] in names]
    assert len({r["Item"] for r in chased_rules}) >= 6, (names, {r["Item"] for r in chased_rules})
    for r in chased_rules:
        assert not APM_ONLY.search(r["Detail"]), r["Detail"]
        assert r["Detail"].rstrip().endswith((".", "?")), r["Detail"]


def test_a_numeric_date_format_is_not_what_a_vendor_reads(tmp_path):
    """A workbook showing dates as mm/dd/yyyy sent '02/25/2027' and '03/01/2027' to factories that read
    03/01 as 3 January: what goes to a vendor names the month in letters. The year-first format is kept."""
    books = {}
    for fmt in ("mm/dd/yyyy", "yyyy-mm-dd"):
        s = base_sheets()
        s["T&A Templates"].append(["Knit", "PPS", "PP sample submit", "Vendor", "XF", -60, "Working", "Yes",
                                   "Development"])
        s["Samples"] = [["Style #", "Sample Type", "Purpose", "Color", "Due", "Shipped", "Status"],
                        ["S1", "PP", "Pre-production", "Navy", date(2027, 2, 25), None, None]]
        s["Config"] = [["Setting", "Value"], ["Date Format", fmt]]
        books[fmt] = write_book(tmp_path / f"{fmt[:2]}.xlsx", s)
        run(books[fmt], ["ta", "followups"], ctx(tmp_path / fmt[:2]))
    us = plain(tmp_path / "mm" / "BD1_follow-up_2027-03-01.eml")
    assert "25-Feb-27" in us and "01-Mar-27" in us, us
    assert not re.search(r"\b\d{2}/\d{2}/\d{4}\b", us), us
    pp = next(r for r in rows_of(books["mm/dd/yyyy"]) if r["Item"] == "PP sample")
    assert "25-Feb-27" in pp["Detail"]  # the sheet's Detail is the e-mail's text
    iso = plain(tmp_path / "yy" / "BD1_follow-up_2027-03-01.eml")
    assert "2027-02-25" in iso and "2027-03-01" in iso, iso


def test_a_sample_whose_shipped_date_is_still_to_come_is_chased_when_late(tmp_path):
    """The vendor promised to ship on 5 March and the APM typed that day in Shipped: on 1 March the sample due
    25 February has not left, so the follow-up asks for it (before, any Shipped date counted as sent)."""
    path = sample_book(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["Samples"]["F2"].value = datetime(2027, 3, 5)
    wb.save(path)
    run(path, ["ta", "followups"], ctx(tmp_path / "d1"))
    assert ("BD1", "PP sample", "S1 / Navy") in chased(path)
    run(path, ["followups"], ctx(tmp_path / "d2", today=date(2027, 3, 6)))  # the day after it shipped
    assert ("BD1", "PP sample", "S1 / Navy") not in chased(path)
