"""Words a team or a vendor types in a date cell for a date not known yet ('TBC', 'TBA', 'TBD', 'to be
confirmed', 'pending'): one vocabulary (``cells.not_yet``) for the Orders sheet and for vendor WIP reports,
recognised once, where cells are read.

On the Orders sheet such a word is a warning of its own (``date-not-yet``) at its cell, not the "not a date
prodbook can read; fix the cell" of a typo ('2027-02-31', still an error): the cell is read as blank and the
line is planned from its other dates. Where the plan speaks of the cell (the milestones waiting for it), that
is the one message at the cell. A 'TBC' where "not yet" means nothing (a closure's From) stays a bad date. A
vendor's 'TBD' or 'to be confirmed' in a WIP report is read as its 'TBA' always was. Real workbooks and vendor
files, written here and run through the jobs and the CLI.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from conftest import assert_finding, base_sheets, write_book
from prodbook.cli import main
from prodbook.core import wip
from prodbook.core.cells import DateOrder, not_yet, to_date
from prodbook.core.findings import Code, Finding, Severity
from prodbook.jobs.runner import run
from test_wip import as_date, ctx, tracker_with_lines, wip_rows

TODAY = "2027-03-01"


def _orders_book(folder: Path, **cells: Any) -> Path:
    """The base tracker with text typed in Orders cells: ``cells`` maps 'F2' style addresses to values."""
    sheets = base_sheets()
    sheets["Orders"].append(["4500000003", "S1", "Grey", 300, date(2027, 1, 4), date(2027, 4, 15),
                             date(2027, 5, 10), date(2027, 5, 20)])
    for address, value in cells.items():
        col, row = ord(address[0]) - ord("A"), int(address[1:]) - 1
        sheets["Orders"][row][col] = value
    return write_book(folder / "tracker.xlsx", sheets)


def _at(findings: list[Finding], sheet: str, row: int, column: str) -> list[Finding]:
    return [f for f in findings if (f.sheet, f.row, f.column) == (sheet, row, column)]


def test_the_orders_reading_names_a_date_not_known_yet_apart_from_a_typo(tmp_path: Path) -> None:
    book = _orders_book(tmp_path, F2="TBC", G3="to be confirmed", F4="2027-02-31")
    result = run(book, ["validate"], ctx(today=date(2027, 3, 1)))
    tbc = assert_finding(result.findings, Code.DATE_NOT_YET, sheet="Orders", row=2, column="Ex-Factory")
    assert tbc.severity is Severity.WARNING and tbc.value == "TBC"
    assert "'TBC'" in tbc.message and "Ex-Factory" in tbc.message and "not known yet" in tbc.message
    assert "milestones" in tbc.message and "wait" in tbc.message and "fix the cell" not in tbc.message
    dc = assert_finding(result.findings, Code.DATE_NOT_YET, sheet="Orders", row=3, column="In-DC")
    assert dc.severity is Severity.WARNING and dc.value == "to be confirmed"
    typo = assert_finding(result.findings, Code.BAD_DATE, sheet="Orders", row=4, column="Ex-Factory")
    assert typo.severity is Severity.ERROR and "fix the cell" in typo.message
    # one message a cell: the word is not also a bad date
    assert [f.code for f in _at(result.findings, "Orders", 2, "Ex-Factory")] == [Code.DATE_NOT_YET]
    assert [f.code for f in _at(result.findings, "Orders", 3, "In-DC")] == [Code.DATE_NOT_YET]
    assert [f.code for f in _at(result.findings, "Orders", 4, "Ex-Factory")] == [Code.BAD_DATE]


def test_where_the_plan_speaks_of_the_cell_its_message_is_the_one(tmp_path: Path) -> None:
    """The T&A's "'TBC' in its 'Ex-Factory' cell, ... the milestones that depend on it (CUT, XF, DC)" says more
    than the reading's: a refresh keeps that one at the cell, by code, whatever either says."""
    book = _orders_book(tmp_path, F2="tba")
    result = run(book, ["validate", "ta"], ctx(today=date(2027, 3, 1)))
    (said,) = _at(result.findings, "Orders", 2, "Ex-Factory")
    assert said.code is Code.ANCHOR_DATE_MISSING and said.value == "tba", said.text()
    assert "CUT, XF, DC" in said.message and "LD" not in said.message.split("(")[1]
    issues = [r for r in openpyxl.load_workbook(book)["Issues"].iter_rows(values_only=True) if r[0] == "Orders"]
    assert len([r for r in issues if "F2" in str(r[1])]) == 1, issues


def test_a_check_after_a_refresh_leaves_one_row_at_the_cell_on_the_issues_sheet(tmp_path: Path) -> None:
    """The refresh's row (the plan's, naming the milestones) stays open through `prodbook validate`, which does
    not plan: the check's own row for the cell ('not a date prodbook can read; fix the cell', then 'not known
    yet') was a second row at F2. Once the T&A is rebuilt, its row is the one again."""
    book = _orders_book(tmp_path, F2="TBC")

    def at_f2() -> list[str]:
        rows = openpyxl.load_workbook(book)["Issues"].iter_rows(min_row=2, values_only=True)
        return [str(r[7]) for r in rows if r[0] == "Orders" and "F2" in str(r[1])]

    day = ctx(today=date(2027, 3, 1))
    run(book, ["validate"], day)
    assert at_f2() == [str(Code.DATE_NOT_YET)]
    for steps in (["validate", "ta"], ["validate"], ["ta"], ["validate"], ["validate", "ta"]):
        run(book, steps, day)
        assert at_f2() == [str(Code.ANCHOR_DATE_MISSING)], steps


def test_the_apm_reads_one_clear_line_on_screen(tmp_path: Path) -> None:
    book = _orders_book(tmp_path, F2="TBC")
    done = CliRunner().invoke(main, ["validate", str(book), "--today", TODAY])
    lines = [x for x in done.stdout.splitlines() if "sheet 'Orders', row 2, column 'Ex-Factory'" in x]
    assert len(lines) == 1 and lines[0].startswith("WARNING "), done.stdout
    assert "'TBC'" in lines[0] and "fix the cell" not in lines[0], lines
    done = CliRunner().invoke(main, ["refresh", str(book), "--today", TODAY])
    lines = [x for x in done.stdout.splitlines() if "sheet 'Orders', row 2, column 'Ex-Factory'" in x]
    assert len(lines) == 1 and "PO 4500000001 has 'TBC' in its 'Ex-Factory' cell" in lines[0], done.stdout
    assert lines[0].startswith("WARNING "), lines  # typed on purpose: the plan says what waits, as the check does
    assert "fix the cell" not in done.stdout, done.stdout


def test_a_dash_on_orders_and_a_tbc_where_not_yet_means_nothing_stay_bad_dates(tmp_path: Path) -> None:
    """The dash is a vendor's placeholder in a WIP report, not an APM's word on Orders; a closure with no
    From date is no closure at all."""
    sheets = base_sheets()
    sheets["Orders"][1][5] = "-"
    sheets["Closures"][1][1] = "TBC"
    book = write_book(tmp_path / "tracker.xlsx", sheets)
    result = run(book, ["validate", "ta"], ctx(today=date(2027, 3, 1)))
    dash = assert_finding(result.findings, Code.BAD_DATE, sheet="Orders", row=2, column="Ex-Factory")
    assert dash.severity is Severity.ERROR
    closure = assert_finding(result.findings, Code.BAD_DATE, sheet="Closures", row=2, column="From")
    assert closure.severity is Severity.ERROR and closure.value == "TBC"
    assert not [f for f in result.findings if f.code is Code.DATE_NOT_YET]


# --- vendor WIP reports: the same words ----------------------------------------------------------------------

HEADER = ["PO #", "Style #", "Color", "Order Qty", "Cut Qty", "Ex-Factory", "Revised XF", "Remarks"]


def _report(folder: Path, name: str, title: str, revised: Any) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "WIP"
    for row in ([title], HEADER, ["4500000001", "S1", "Heather Grey", 600, 300, date(2027, 4, 15), revised, None]):
        ws.append(row)
    wb.save(folder / name)
    return folder / name


WORDS = ["TBA", "TBD", "to be confirmed", "T.B.C.", "Pending", "to be advised."]


@pytest.mark.parametrize("text", [*WORDS, "-", "--"])
def test_a_wip_date_not_known_yet_reads_as_blank(text: str) -> None:
    assert wip.parse_wip_date(text, DateOrder.MDY, False, date(2027, 3, 1)) is None


@pytest.mark.parametrize("text", WORDS)
def test_a_first_report_with_no_date_yet_imports_the_line_without_a_word(tmp_path: Path, text: str) -> None:
    """'TBA' in Revised XF always imported as blank and said nothing; 'TBD' and 'to be confirmed' were 'not a
    date prodbook can read ... ask the vendor to correct it'."""
    book = tracker_with_lines(tmp_path)
    result = run(book, ["wip"], ctx(_report(tmp_path, "dhaka 0301.xlsx", "WIP as of 01-Mar-2027", text)))
    (row,) = wip_rows(book)
    assert row["Revised XF"] in (None, "") and row["Cut Qty"] == 300
    assert not [f.text() for f in result.findings if f.column == "Revised XF"]


@pytest.mark.parametrize("text", WORDS)
def test_a_date_taken_back_keeps_the_last_one_given_whatever_the_word(tmp_path: Path, text: str) -> None:
    book = tracker_with_lines(tmp_path)
    run(book, ["wip"], ctx(_report(tmp_path, "dhaka 0222.xlsx", "WIP as of 22-Feb-2027", date(2027, 5, 30))))
    result = run(book, ["wip"], ctx(_report(tmp_path, "dhaka 0301.xlsx", "WIP as of 01-Mar-2027", text)))
    (row,) = [r for r in wip_rows(book) if r["Source File"] == "dhaka 0301.xlsx"]
    assert as_date(row["Revised XF"]) == date(2027, 5, 30) and text in row["Remarks"]
    (said,) = [f for f in result.findings if f.column == "Revised XF"]
    assert said.code is Code.BAD_DATE and said.value == text and "withdrew the date 30-May-27" in said.message


def test_pending_with_a_reason_is_not_a_bare_word_the_vendor_is_asked(tmp_path: Path) -> None:
    """'pending fabric' says why there is no date: not in the vocabulary, so a first report's cell is named (ask
    the vendor), as before; after a report that gave a date it still withdraws it (``withdrawn_dates``)."""
    assert not not_yet("pending fabric")
    book = tracker_with_lines(tmp_path)
    result = run(book, ["wip"], ctx(_report(tmp_path, "dhaka 0301.xlsx", "WIP as of 01-Mar-2027",
                                            "pending fabric")))
    said = assert_finding(result.findings, Code.BAD_DATE, column="Revised XF", value="pending fabric")
    assert "Ask the vendor" in said.message


# --- the vocabulary ----------------------------------------------------------------------------------------------

def _cased(draw: Any, text: str) -> str:
    return "".join(ch.upper() if draw(st.booleans()) else ch.lower() for ch in text)


@st.composite
def not_yet_texts(draw: Any) -> str:
    """A word of the vocabulary as people type it: any case, dots or spaces between the letters of TBC, runs of
    spaces (a no-break space from a web page) between words, a full stop after, spaces around."""
    space = st.sampled_from([" ", "  ", "\u00a0", "\t"])
    if draw(st.booleans()):
        letters = ["t", "b", draw(st.sampled_from("acd"))]
        gaps = [draw(st.sampled_from(["", ".", ". ", " ", ".\u00a0"])) for _ in range(2)]
        text = letters[0] + gaps[0] + letters[1] + gaps[1] + letters[2]
    else:
        words = draw(st.sampled_from([["to", "be", w] for w in
                                      ("advised", "announced", "confirmed", "decided", "determined")] + [["pending"]]))
        text = "".join(w + (draw(space) if i < len(words) - 1 else "") for i, w in enumerate(words))
    text = _cased(draw, text) + draw(st.sampled_from(["", ".", ".."]))
    return draw(st.sampled_from(["", " ", "  ", "\u00a0"])) + text + draw(st.sampled_from(["", " ", "\u00a0 "]))


@given(not_yet_texts())
def test_any_casing_spacing_or_dots_of_the_words_is_recognised(text: str) -> None:
    assert not_yet(text), repr(text)
    assert wip.parse_wip_date(text, DateOrder.MDY, False, date(2027, 3, 1)) is None


@given(st.dates(date(1900, 3, 1), date(9999, 12, 31)),
       st.sampled_from(["%Y-%m-%d", "%d-%b-%Y", "%d-%b-%y", "%b %d, %Y", "%d %B %Y", "%Y.%m.%d", "%Y%m%d",
                        "%a %d %b %Y", "%Y年%m月%d日"]))
def test_a_real_date_text_never_is(day: date, form: str) -> None:
    text = day.strftime(form)
    assert not not_yet(text), text
    if "%y" not in form or 2000 <= day.year <= 2099:
        assert to_date(text, DateOrder.MDY) == day


@pytest.mark.parametrize("value", ["2027-02-31", "15-Nov", "next week", "", None, date(2027, 3, 1), "TBC 15-Mar",
                                   "pending fabric", "tbcx", "t-b-c", "-", 46000])
def test_other_text_is_not_a_word_for_no_date_yet(value: Any) -> None:
    assert not not_yet(value)
