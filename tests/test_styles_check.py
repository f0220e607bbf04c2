"""Style profile rules at their boundaries, on real tracker files: fiber, HTS, COO, prices, sizes,
required fields by status, and the lock on adopted styles (with --apply and undo)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import assert_finding, base_sheets, sheet_values, write_book
from prodbook.core.development.fiber import parse_fiber
from prodbook.core.development.styles_check import FIBER_FINDINGS_SHOWN, size_range_ok
from prodbook.core.development.tariff import country_code, parse_hts
from prodbook.core.findings import Code, Severity
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run

TODAY = date(2027, 3, 1)
HEADER = ["Style #", "Description", "Construction", "Fabric", "Fiber Content", "Colors", "Size Range",
          "Vendor", "Factory", "COO", "HTS Code", "FOB (USD)", "Retail (USD)", "Status", "Adopted Date",
          "T&A Template"]
GOOD = {"Style #": "S1", "Description": "Crew tee", "Construction": "Knit",
        "Fabric": "Jersey 160 g/m2", "Fiber Content": "60% Cotton 40% Polyester", "Colors": "Navy, Black",
        "Size Range": "XS-XL", "Vendor": "BD1", "Factory": "Dhaka Knit Unit 2", "COO": "Bangladesh",
        "HTS Code": "6109.10.0012", "FOB (USD)": 5.0, "Retail (USD)": 19.99, "Status": "Adopted",
        "Adopted Date": date(2026, 11, 2), "T&A Template": "Knit"}


def ctx(today: date = TODAY) -> Context:
    return Context(today=today, now=datetime(2027, 3, 1, 9, 0))


def book(tmp_path: Path, *styles: dict[str, Any], config: list[list[Any]] | None = None, name: str = "t.xlsx"
         ) -> Path:
    sheets = base_sheets()
    rows = [HEADER]
    for i, s in enumerate(styles):
        rows.append([{**GOOD, "Style #": f"S{i + 1}", **s}.get(h) for h in HEADER])
    sheets["Styles"] = rows
    if config:
        sheets["Config"] = [["Setting", "Value"], *config]
    return write_book(tmp_path / name, sheets)


def findings(path: Path, *codes: Code, files: tuple[Path, ...] = ()) -> list:
    result = run(path, ["validate"], Context(today=TODAY, now=datetime(2027, 3, 1, 9), files=files))
    return [f for f in result.findings if not codes or f.code in codes]


def test_a_clean_adopted_style_has_no_profile_findings(tmp_path):
    path = book(tmp_path, {})
    style_codes = {c for c in Code if c.value.startswith(("fiber", "hts", "coo", "price", "size"))}
    assert [f.text() for f in findings(path, *style_codes, Code.REQUIRED)] == []


@pytest.mark.parametrize("text, code", [
    ("60% Cotton 40% Polyester", None),
    ("95% cotton / 5% spandex", None),
    ("Shell: 100% Nylon; Lining: 100% Polyester", None),
    ("Cotton 60%, Polyester 40%", None),
    ("Cotton 60% Polyester 40%", None),  # was 60% polyester, adding up to 60%
    ("Polyester 5% Cotton 95%", Code.FIBER_ORDER),
    ("60% Cotton 39.9% Polyester", Code.FIBER_TOTAL),
    ("60% Cotton 40.1% Polyester", Code.FIBER_TOTAL),
    ("Shell: 100% Nylon; Lining: 90% Polyester", Code.FIBER_TOTAL),
    ("95% Cotton 5% Lycra", Code.FIBER_NAME),
    ("100% Tencel", Code.FIBER_NAME),
    ("5% Spandex 95% Cotton", Code.FIBER_ORDER),
    ("cotton rich", Code.FIBER_UNREADABLE),
])
def test_fiber_content(tmp_path, text, code):
    path = book(tmp_path, {"Fiber Content": text, "HTS Code": "6109.10.0012"})
    found = findings(path, Code.FIBER_TOTAL, Code.FIBER_NAME, Code.FIBER_ORDER, Code.FIBER_UNREADABLE)
    if code is None:
        assert found == []
    else:
        f = assert_finding(found, code, sheet="Styles", row=2, column="Fiber Content")
        assert f.value == text and len(found) == 1


def test_a_cell_with_thousands_of_fiber_problems_lists_the_first_and_counts_the_rest(tmp_path):
    """1,400 components in one cell (near Excel's 32,767 characters; two or three problems each): the
    first problems one by one, then one finding per kind with how many more; every problem is accounted
    for, and the errors stay errors."""
    text = "; ".join(f"{i % 50}% Cotton {90 - i % 50}% Lycra" for i in range(1400))
    assert len(text) < 32_767
    comp = parse_fiber(text)
    path = book(tmp_path, {"Fiber Content": text, "HTS Code": "6109.10.0012"})
    found = findings(path, Code.FIBER_TOTAL, Code.FIBER_NAME, Code.FIBER_ORDER, Code.FIBER_UNREADABLE)
    counted = [f for f in found if f.message.startswith("and ")]
    shown = {f.message for f in found if f not in counted}  # the run sorts findings and drops repeats
    assert shown == {s for _, s in comp.problems[:FIBER_FINDINGS_SHOWN]}
    assert {(f.sheet, f.row, f.column) for f in found} == {("Styles", 2, "Fiber Content")}
    rest = Counter(kind for kind, _ in comp.problems[FIBER_FINDINGS_SHOWN:])
    assert len(counted) == len(rest) and set(rest) >= {"name", "total", "order"}
    for f in counted:
        kind = {Code.FIBER_TOTAL: "total", Code.FIBER_NAME: "name", Code.FIBER_ORDER: "order"}[f.code]
        assert f.message.startswith(f"and {rest[kind]:,} more ")
        assert f.severity is (Severity.ERROR if kind == "total" else Severity.WARNING)
    assert sum(rest.values()) + FIBER_FINDINGS_SHOWN == len(comp.problems) > 2800


def test_trade_names_point_to_the_generic_name():
    comp = parse_fiber("90% Cotton 10% Lycra")
    assert any("spandex" in words for _, words in comp.problems)
    assert "lyocell" in parse_fiber("100% Tencel").problems[0][1]
    assert parse_fiber("100% Recycled Polyester").problems == ()


@pytest.mark.parametrize("text, ok", [("6110.20.2079", True), ("6110202079", True), ("6203.43.40.10", True),
                                      ("6110.20.20", False), ("61102020791", False), ("6110.2", False),
                                      ("HTS TBC", False)])
def test_hts_format(text, ok):
    hts, problem = parse_hts(text)
    assert (hts is not None) is ok and (problem is None) is ok


def test_hts_chapter_must_match_knit_or_woven(tmp_path):
    path = book(tmp_path, {"HTS Code": "6205.20.2026"}, {"Construction": "Woven", "HTS Code": "6203.42.4016",
                                                         "Fiber Content": "100% Cotton"},
                {"Construction": "Woven", "HTS Code": "6109.10.0012"}, {"HTS Code": "6110.20.20"})
    found = findings(path, Code.HTS_CHAPTER, Code.HTS_FORMAT)
    f = assert_finding(found, Code.HTS_CHAPTER, row=2, column="HTS Code")
    assert "chapter 61" in f.message and "Python" not in f.message
    assert_finding(found, Code.HTS_CHAPTER, row=4)
    assert_finding(found, Code.HTS_FORMAT, row=5)
    assert not [f for f in found if f.row == 3]


def test_hts_subheading_against_the_chief_weight_fiber(tmp_path):
    path = book(tmp_path, {"HTS Code": "6110.20.2079", "Fiber Content": "60% Cotton 40% Polyester"},
                {"HTS Code": "6110.20.2079", "Fiber Content": "65% Polyester 35% Cotton"},
                {"HTS Code": "6110.30.3059", "Fiber Content": "50% Cotton 50% Polyester"},
                {"HTS Code": "6110.90.9088", "Fiber Content": "100% Linen"})
    found = findings(path, Code.HTS_FIBER)
    assert {f.row for f in found} == {3, 4}
    assert "chief weight" in next(f for f in found if f.row == 3).message


def test_man_made_fibers_weigh_together_against_cotton_and_the_labelled_shell_classifies(tmp_path):
    """40% cotton, 35% polyester, 25% viscose is of man-made fibers (60%), not of cotton; a shell written after
    its lining is still the shell."""
    blend = "40% Cotton 35% Polyester 25% Viscose"
    path = book(tmp_path, {"HTS Code": "6110.20.2079", "Fiber Content": blend},
                {"HTS Code": "6110.30.3059", "Fiber Content": blend},
                {"HTS Code": "6110.30.3059", "Fiber Content": "Lining: 100% Polyester; Shell: 100% Cotton"},
                {"HTS Code": "6110.30.3059", "Fiber Content": "Lining: 100% Cotton; Shell: 100% Polyester"},
                {"HTS Code": "6203.43.4010", "Construction": "Woven",
                 "Fiber Content": "60% Polyester 40% Viscose"},  # synthetic over artificial: right
                {"HTS Code": "6203.43.4010", "Construction": "Woven",
                 "Fiber Content": "60% Viscose 40% Polyester"})  # artificial over synthetic: wrong
    found = findings(path, Code.HTS_FIBER)
    assert {f.row for f in found} == {2, 4, 7}


@pytest.mark.parametrize(("construction", "hts", "flagged"), [
    ("Jersey", "6203.42.4016", True), ("Knit Jersey", "6203.42.4016", True), ("Fleece", "6203.42.4016", True),
    ("Woven Twill", "6109.10.0012", True), ("Poplin", "6109.10.0012", True), ("Jersey", "6109.10.0012", False),
    ("Knit and woven", "6109.10.0012", False)])
def test_the_knit_or_woven_chapter_is_read_from_the_fabric_word(tmp_path, construction, hts, flagged):
    path = book(tmp_path, {"Construction": construction, "HTS Code": hts, "Fiber Content": "100% Cotton"})
    assert bool(findings(path, Code.HTS_CHAPTER)) is flagged


@pytest.mark.parametrize("setting", ["FOB (USD), HTS Code", "FOB, HTS", "First Cost; HS Code"])
def test_locked_fields_may_be_named_as_the_styles_sheet_takes_them(tmp_path, setting):
    path = book(tmp_path, {}, config=[["Locked Fields", setting]])
    run(path, ["validate"], ctx())
    assert {r[1] for r in sheet_values(path, "Style Snapshot")[1:] if r[0] == "S1"} == {"FOB (USD)", "HTS Code"}


def test_a_locked_field_the_styles_sheet_does_not_have_is_named(tmp_path):
    path = book(tmp_path, {}, config=[["Locked Fields", "FOB, Colour Story"]])
    f = assert_finding(findings(path, Code.SETTING), Code.SETTING, sheet="Config")
    assert "Colour Story" in f.message and "not locked" in f.message


def test_country_of_origin(tmp_path):
    assert country_code("Viet Nam") == country_code("vietnam") == country_code("VNM") == "VN"
    path = book(tmp_path, {"COO": "BD"}, {"COO": "China"}, {"COO": "Narnia"})
    found = findings(path, Code.COO_UNKNOWN, Code.COO_VENDOR)
    assert_finding(found, Code.COO_VENDOR, row=3, column="COO", value="China")
    assert_finding(found, Code.COO_UNKNOWN, row=4, value="Narnia")
    assert not [f for f in found if f.row == 2]


def test_prices_and_margin_boundaries(tmp_path):
    path = book(tmp_path, {"FOB (USD)": 10.0, "Retail (USD)": 20.0},  # 50% margin: the floor itself
                {"FOB (USD)": 10.0, "Retail (USD)": 19.98},  # just under
                {"FOB (USD)": 10.0, "Retail (USD)": 9.99},
                {"FOB (USD)": 1.0, "Retail (USD)": 19.99},  # 95%: a digit missing
                {"FOB (USD)": 0, "Retail (USD)": 10.0},
                config=[["Min Margin %", "50%"]])
    found = findings(path, Code.PRICE)
    assert {f.row for f in found} == {3, 4, 5, 6}
    assert "under the 50% floor" in next(f for f in found if f.row == 3).message


@pytest.mark.parametrize("text, ok", [("XS-XL", True), ("S - XXL", True), ("0-16", True), ("28-40", True),
                                      ("One Size", True), ("S, M, L", True), ("XL-XS", False),
                                      ("XS-32", False), ("tbd", False)])
def test_size_ranges(text, ok):
    assert size_range_ok(text) is ok


def test_required_fields_by_status_and_dropped_styles_are_left_alone(tmp_path):
    path = book(tmp_path, {"HTS Code": None, "Factory": None}, {"Status": "Proto", "HTS Code": None},
                {"Status": "Dropped", "Fiber Content": "junk"},
                config=[["Required: Proto", "Vendor, Description, HTS Code"]])
    found = findings(path, Code.REQUIRED, Code.FIBER_UNREADABLE)
    assert {(f.row, f.column) for f in found if f.sheet == "Styles"} == {
        (2, "HTS Code"), (2, "Factory"), (3, "HTS Code")}


def test_an_unreadable_price_is_reported_once(tmp_path):
    path = book(tmp_path, {"FOB (USD)": "five dollars"})
    found = [f for f in findings(path) if f.sheet == "Styles" and f.column == "FOB (USD)"]
    assert len(found) == 1 and found[0].code is Code.BAD_NUMBER


def _type(path: Path, sheet: str, row: int, header: str, value: Any) -> None:
    import openpyxl
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    col = [c.value for c in ws[1]].index(header) + 1
    ws.cell(row=row, column=col, value=value)
    wb.save(path)


def test_a_change_to_an_adopted_style_is_flagged_until_accepted_and_undo_restores_the_lock(tmp_path):
    path = book(tmp_path, {}, {"Status": "Proto"})
    run(path, ["validate"], ctx())
    snap = sheet_values(path, "Style Snapshot")
    assert [r[:3] for r in snap if r[0] == "S1" and r[1] == "FOB (USD)"] == [["S1", "FOB (USD)", "5"]]
    assert not [r for r in snap if r[0] == "S2"]
    _type(path, "Styles", 2, "FOB (USD)", 5.4)
    for _ in range(2):  # flagged on every run, not only the first
        found = findings(path, Code.ADOPTED_CHANGED)
        f = assert_finding(found, Code.ADOPTED_CHANGED, row=2, column="FOB (USD)")
        assert "'5'" in f.message and "'5.4'" in f.message
    issues = sheet_values(path, "Issues")
    head = issues[0]
    row = next(i for i, r in enumerate(issues) if r[head.index("Code")] == "adopted-style-changed")
    assert issues[row][head.index("Other Value")] == "5"
    _type(path, "Issues", row + 1, "Accept", "Yes")
    result = run(path, ["apply", "validate"], ctx(), title="Apply fixes")
    assert not [f for f in result.findings if f.code is Code.ADOPTED_CHANGED]
    assert [r[2] for r in sheet_values(path, "Style Snapshot") if r[:2] == ["S1", "FOB (USD)"]] == ["5.4"]
    run(path, ["undo"], ctx())
    assert [r[2] for r in sheet_values(path, "Style Snapshot") if r[:2] == ["S1", "FOB (USD)"]] == ["5"]
    assert sheet_values(path, "Styles")[1][HEADER.index("FOB (USD)")] == 5.4  # the user's edit stays


def _changed_fob(tmp_path: Path) -> tuple[Path, int]:
    """S1's locked FOB 5 changed to 5.4, flagged; returns the tracker and the flag's Issues row."""
    path = book(tmp_path, {}, {"Status": "Proto"})
    run(path, ["validate"], ctx())
    _type(path, "Styles", 2, "FOB (USD)", 5.4)
    run(path, ["validate"], ctx())
    issues = sheet_values(path, "Issues")
    head = issues[0]
    return path, 1 + next(i for i, r in enumerate(issues) if r[head.index("Code")] == "adopted-style-changed")


def locked_fob(path: Path) -> list[Any]:
    return [r[2] for r in sheet_values(path, "Style Snapshot") if r[:2] == ["S1", "FOB (USD)"]]


def test_accepting_a_change_with_a_proposed_value_typed_writes_it_and_locks_it(tmp_path):
    path, row = _changed_fob(tmp_path)
    _type(path, "Issues", row, "Proposed Value", "5.2")  # the price agreed with the vendor
    _type(path, "Issues", row, "Accept", "Yes")
    run(path, ["apply", "validate"], ctx(), title="Apply fixes")
    assert sheet_values(path, "Styles")[1][HEADER.index("FOB (USD)")] == 5.2 and locked_fob(path) == ["5.2"]


def test_accepting_a_change_whose_cell_changed_since_locks_nothing(tmp_path):
    path, row = _changed_fob(tmp_path)
    _type(path, "Styles", 2, "FOB (USD)", 5)  # the old price put back; Yes typed out of habit
    _type(path, "Issues", row, "Accept", "Yes")
    result = run(path, ["apply", "validate"], ctx(), title="Apply fixes")
    f = assert_finding(result.findings, Code.FIX_NOT_APPLIED, sheet="Issues", row=row)
    assert "changed since" in f.message and locked_fob(path) == ["5"]
    assert not [f for f in result.findings if f.code is Code.ADOPTED_CHANGED]


def test_a_required_column_missing_from_the_sheet_says_add_the_column(tmp_path):
    from conftest import base_sheets, write_book
    from prodbook.jobs.base import Context
    from prodbook.jobs.runner import run

    path = write_book(tmp_path / "t.xlsx", base_sheets())  # its Styles sheet has no Construction column
    found = run(path, ["validate"], Context(today=date(2027, 3, 1))).findings
    construction = [f for f in found if f.code is Code.REQUIRED and f.column == "Construction"]
    assert construction and all("has no 'Construction' column: add it" in f.message for f in construction)
    description = [f for f in found if f.code is Code.REQUIRED and f.column == "Description"]
    assert not description  # the Description column is there and filled


@pytest.mark.parametrize("status", ["Carryover", "Carry over", "carry-over"])
def test_a_style_carried_over_is_checked_and_locked_as_an_adopted_one(tmp_path, status):
    """A Carryover style was a status prodbook knew and did nothing with: no required field, no lock."""
    path = book(tmp_path, {"Status": status, "HTS Code": None})
    [missing] = findings(path, Code.REQUIRED)
    assert missing.column == "HTS Code" and f"status '{status}'" in missing.message
    from prodbook.core.development.styles_check import StyleSettings, is_adopted
    assert is_adopted(status, StyleSettings())


def test_a_linen_garment_on_a_cotton_subheading_is_said_in_words(tmp_path):
    """'the chief weight of the fiber content is other' was the tariff's bare word, not the fiber."""
    [f] = findings(book(tmp_path, {"Fiber Content": "100% Linen", "HTS Code": "6109.10.0012"}), Code.HTS_FIBER)
    assert "is linen, which the tariff counts among other textile materials" in f.message
