"""The style profile audit of 2026-12-05, on real tracker and vendor files: a vendor costing sheet's COO,
6-digit HS and 'USD 7.25' FOB are compared, a Construction that says neither knit nor woven is named, fibers
are compared by meaning, the adopted-style lock ignores equivalent rewrites and says how to accept, and
components written on one line are read as components."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import assert_finding
from prodbook.core.development import fiber
from prodbook.core.development.tariff import construction_chapter, country_code
from prodbook.core.findings import Code, Finding
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from test_styles_check import HEADER, book

TODAY = date(2027, 3, 1)


def validate(path: Path, files: tuple[Path, ...] = ()) -> list[Finding]:
    return run(path, ["validate"], Context(today=TODAY, now=datetime(2027, 3, 1, 9), files=files)).findings


def costing(tmp_path: Path, *rows: tuple[Any, ...]) -> Path:
    """A vendor costing sheet as an .xlsx, in the vendor's words."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Costing"
    ws.append(["Buyer Style #", "FOB USD", "Composition", "Country of Origin", "HTS"])
    for r in rows:
        ws.append(list(r))
    path = tmp_path / "TIR costing SS27.xlsx"
    wb.save(path)
    return path


def _type(path: Path, row: int, header: str, value: Any) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["Styles"]
    ws.cell(row=row, column=HEADER.index(header) + 1, value=value)
    wb.save(path)


# -- 1. the vendor's costing file: COO as a label says it, a 6-digit HS, 'USD 7.25' ------------------------

@pytest.mark.parametrize("text, code", [("Made in Vietnam", "VN"), ("P.R.C.", "CN"), ("Made in India", "IN"),
                                        ("Product of Bangladesh", "BD"), ("Vietnam", "VN"), ("Made in Nowhere", None)])
def test_a_country_written_as_a_label_says_it_is_read(text, code):
    assert country_code(text) == code


def test_a_costing_files_coo_hs_and_dollar_fob_are_compared_not_passed_over(tmp_path):
    path = book(tmp_path, {}, {}, {}, {})
    vendor = costing(tmp_path, ("S1", 5.0, "60% Cotton 40% Polyester", "Made in Vietnam", "6109.10.0012"),
                     ("S2", 5.0, "60% Cotton 40% Polyester", "Bangladesh", "6110.20"),
                     ("S3", "USD 7.25", "60% Cotton 40% Polyester", "Bangladesh", "6109.10.0012"),
                     ("S4", "US$5.00", "60% Cotton 40% Polyester", "Bangladesh", "6109.10"))
    found = validate(path, (vendor,))
    coo = assert_finding(found, Code.DIFF_COO, sheet="Styles", row=2, column="COO")
    assert coo.fix.proposed == "Vietnam" and "Made in Vietnam" in coo.message
    hts = assert_finding(found, Code.DIFF_HTS, sheet="Styles", row=3, column="HTS Code")
    assert hts.fix.proposed is None and "6110.20" in hts.message and "10-digit" in hts.message
    assert not [f for f in found if f.code is Code.DIFF_HTS and f.row == 5]  # 6109.10 is the start of ours
    fob = assert_finding(found, Code.DIFF_FOB, sheet="Styles", row=4, column="FOB (USD)")
    assert fob.fix.proposed == 7.25
    assert not [f for f in found if f.code is Code.BAD_NUMBER]  # neither 'USD 7.25' nor 'US$5.00'
    assert not [f for f in found if f.code is Code.DIFF_FOB and f.row == 5]


def test_a_costing_file_priced_in_another_currency_is_named_not_read_as_dollars(tmp_path):
    """'RMB 45' in a vendor's FOB column was 'not a number'; read as dollars it would be six times off."""
    path = book(tmp_path, {}, {})
    vendor = costing(tmp_path, ("S1", "RMB 45", "60% Cotton 40% Polyester", "Bangladesh", None),
                     ("S2", "USD 5.00", "60% Cotton 40% Polyester", "Bangladesh", None))
    found = validate(path, (vendor,))
    bad = assert_finding(found, Code.BAD_NUMBER, file=vendor.name, row=2, value="RMB 45")
    assert "a price in RMB" in bad.message and "US dollars" in bad.message and "not a number" not in bad.message
    assert not [f for f in found if f.code is Code.DIFF_FOB]  # no dollar figure made up for S1; S2 agrees


def test_a_vendor_country_prodbook_cannot_read_is_said_not_compared(tmp_path):
    path = book(tmp_path, {})
    found = validate(path, (costing(tmp_path, ("S1", 5.0, None, "Atlantis", None)),))
    f = assert_finding(found, Code.DIFF_COO, sheet="Styles", row=2, column="COO")
    assert "'Atlantis'" in f.message and "not compared" in f.message


# -- 2. Construction that is not knit or woven in so many words ------------------------------------------

@pytest.mark.parametrize("text, chapter", [("Knit Denim", "61"), ("knit-denim", "61"), ("Woven (Poplin)", "62"),
                                           ("Cut & sew", None), ("K", None), ("Jersey", "61")])
def test_construction_containing_knit_is_knit(text, chapter):
    assert construction_chapter(text) == chapter


def test_a_construction_that_says_neither_knit_nor_woven_is_named(tmp_path):
    path = book(tmp_path, {"Construction": "Cut & sew", "HTS Code": "6203.43.4010"},
                {"Construction": "K"}, {"Construction": "Knit Denim", "HTS Code": "6203.42.4016"})
    found = validate(path)
    for row in (2, 3):
        f = assert_finding(found, Code.HTS_CHAPTER, row=row, column="Construction")
        assert "type Knit or Woven" in f.message
    chapter = assert_finding(found, Code.HTS_CHAPTER, row=4, column="HTS Code")
    assert "chapter 61" in chapter.message


# -- 3. fibers compared with the vendor's by meaning ---------------------------------------------------------

def test_the_same_fibers_written_otherwise_are_no_difference_and_trade_names_are_never_proposed(tmp_path):
    path = book(tmp_path, {"Fiber Content": "95% Cotton 5% Elastane"}, {}, {})
    vendor = costing(tmp_path, ("S1", 5.0, "95% Cotton 5% Spandex", "Bangladesh", "6109.10.0012"),
                     ("S2", 5.0, "Cotton 60%, Poly 40%", "Bangladesh", "6109.10.0012"),
                     ("S3", 5.0, "Cotton 50%, Poly 50%", "Bangladesh", "6109.10.0012"))
    found = validate(path, (vendor,))
    assert [f.row for f in found if f.code is Code.DIFF_FIBER] == [4]
    f = assert_finding(found, Code.DIFF_FIBER, row=4)
    assert f.fix.proposed is None and "'Poly'" in f.message and "generic" in f.message


# -- 4. the adopted-style lock: equivalent rewrites, and how to accept ---------------------------------------

def test_an_equivalent_rewrite_of_a_locked_field_is_no_change_and_a_change_names_the_button(tmp_path):
    path = book(tmp_path, {"Fiber Content": "95% Cotton 5% Elastane", "COO": "Vietnam", "Vendor": "VN1",
                           "Colors": "Dark Fern, Khaki, Olive"})
    validate(path)
    for header, value in (("Fiber Content", "95% cotton, 5% elastane"), ("HTS Code", "6109100012"),
                          ("COO", "VN"), ("Colors", "Dark Fern,Khaki,Olive")):
        _type(path, 2, header, value)
    assert [f.text() for f in validate(path) if f.code is Code.ADOPTED_CHANGED] == []
    _type(path, 2, "HTS Code", "6109.10.0040")
    f = assert_finding(validate(path), Code.ADOPTED_CHANGED, row=2, column="HTS Code")
    assert "Apply fixes on the prodbook tab" in f.message and "prodbook validate <tracker> --apply" in f.message


# -- 5. components written on one line ----------------------------------------------------------------------

@pytest.mark.parametrize("text", ["Shell 100% Nylon, Lining 100% Polyester",
                                  "Shell: 100% Nylon / Lining: 100% Polyester"])
def test_two_components_on_one_line_are_read_as_two(text):
    comp = fiber.read_fiber(text)
    assert [(c.label, [(f.generic, f.percent) for f in c.fibers]) for c in comp.components] == [
        ("Shell", [("nylon", 100.0)]), ("Lining", [("polyester", 100.0)])]
    assert comp.problems == () and comp.text == text


def test_a_labelled_component_that_does_not_add_up_is_said_in_a_sentence(tmp_path):
    path = book(tmp_path, {"Fiber Content": "Shell: 60% Nylon 30% Polyester"},
                {"Fiber Content": "100% Nylon 100% Polyester"})
    found = validate(path)
    shell = assert_finding(found, Code.FIBER_TOTAL, row=2)
    assert "the shell's fibers add up to 90%" in shell.message
    both = assert_finding(found, Code.FIBER_TOTAL, row=3)
    assert "separate them with ';'" in both.message
