"""A vendor with no e-mail address still gets its draft, with no To: its file name says so ('NO ADDRESS - ...')
beside the drafts that can be sent as they are, and the warning says what to look for. Real workbooks and
.eml files, written and read back."""

from __future__ import annotations

import email
from email import policy

import openpyxl

from conftest import assert_finding, base_sheets, write_book
from prodbook.core.findings import Code
from prodbook.jobs.followups_job import NO_ADDRESS
from prodbook.jobs.runner import run
from test_followups_audit import ctx

DRAFT = "CN1_follow-up_2027-03-01.eml"


def test_a_draft_with_no_to_is_named_so_and_takes_the_plain_name_once_the_vendor_has_an_address(tmp_path):
    sheets = base_sheets()
    sheets["Vendors"][2][3] = ""  # CN1: no e-mail address
    path = write_book(tmp_path / "t.xlsx", sheets)
    out = tmp_path / "d"
    result = run(path, ["ta", "exceptions", "followups"], ctx(out))
    names = sorted(p.name for p in out.glob("*.eml"))
    assert names == ["BD1_follow-up_2027-03-01.eml", f"{NO_ADDRESS}{DRAFT}"]
    assert NO_ADDRESS == "NO ADDRESS - "
    held = email.message_from_bytes((out / f"{NO_ADDRESS}{DRAFT}").read_bytes(), policy=policy.default)
    assert held["To"] is None and "4500000002" in held.get_body(("plain",)).get_content()
    found = assert_finding(result.findings, Code.VENDOR_NO_EMAIL, sheet="Vendors", row=3)
    assert f"file name starts '{NO_ADDRESS}'" in found.message

    wb = openpyxl.load_workbook(path)
    wb["Vendors"].cell(3, 4).value = "sales@ningbo.example"
    wb.save(path)
    result = run(path, ["followups"], ctx(out))
    assert sorted(p.name for p in out.glob("*.eml")) == ["BD1_follow-up_2027-03-01.eml", DRAFT]
    assert not [f for f in result.findings if f.code is Code.VENDOR_NO_EMAIL]
