"""Lab Dips and Samples as an APM types them (helper-110's audit): the cases prodbook kept silent about or
reported twice, each on a real tracker file."""

from __future__ import annotations

from datetime import date

from conftest import assert_finding, write_book
from prodbook.core.findings import Code
from prodbook.jobs.runner import run
from test_development import DIPS, SAMPLES, ctx, sheets

DIP_HEADER = [*DIPS, "Option"]


def _dip(color: str, rnd: object, option: object, decision: object, decided: date | None,
         submitted: date = date(2027, 1, 8), received: date | None = date(2027, 1, 12)) -> list[object]:
    return ["S1", color, "Jersey", "Mill A", rnd, submitted, received, decision, decided, None, option]


def test_two_options_of_one_round_approved_is_named_once_on_the_later_row(tmp_path):
    """Navy: A approved, then B approved in the same round: the mill must dye bulk to one standard, and
    prodbook said nothing. Black (A rejected, B approved, C rejected) is the normal round: no word."""
    s = sheets()
    s["Lab Dips"] = [DIP_HEADER,
                     _dip("Navy", 1, "A", "Approved", date(2027, 1, 15)),
                     _dip("Navy", 1, "B", "Approved with comments", date(2027, 1, 16)),
                     *[_dip("Black", 1, o, d, date(2027, 1, 15)) for o, d in
                       (("A", "Rejected"), ("B", "Approved"), ("C", "Rejected"))]]
    path = write_book(tmp_path / "two.xlsx", s)
    found = run(path, ["validate"], ctx()).findings
    hits = [f for f in found if f.code is Code.LAB_DIP_ROUNDS]
    assert [(f.row, f.column, f.value) for f in hits] == [(3, "Decision", "Approved with comments")]
    assert "A (row 2)" in hits[0].message and "B" in hits[0].message and "round 1" in hits[0].message


def test_a_new_round_after_the_colour_was_approved_is_asked_about_once(tmp_path):
    """Navy approved in round 1; the mill sent round 2 (a re-dip), received, no decision for weeks. The colour
    still reads Approved (bulk goes on the standard approved), but no one was told the round waits. A round
    whose decision is recorded, or one not yet received, says nothing."""
    s = sheets()
    s["Lab Dips"] = [DIP_HEADER,
                     _dip("Navy", 1, None, "Approved", date(2027, 1, 15)),
                     _dip("Navy", "R2", None, None, None, submitted=date(2027, 2, 1), received=date(2027, 2, 4)),
                     _dip("Black", 1, None, "Approved", date(2027, 1, 15)),
                     _dip("Black", "2nd", None, "Approved", date(2027, 2, 10), submitted=date(2027, 2, 1),
                          received=date(2027, 2, 4))]
    path = write_book(tmp_path / "redip.xlsx", s)
    found = run(path, ["validate"], ctx()).findings
    hits = [f for f in found if f.code is Code.LAB_DIP_ROUNDS]
    assert [(f.row, f.column) for f in hits] == [(3, "Decision")]
    assert "row 2" in hits[0].message and "15-Jan-27" in hits[0].message


def test_a_customs_sample_does_not_repeat_an_unreadable_fiber_content(tmp_path):
    """'Cotton / Spandex' (no percentages) was named as unreadable by the style check and again by the customs
    sample check, on the same cell: the README says the other checks leave an unreadable cell alone."""
    s = sheets()
    s["Styles"][1][4] = "Cotton / Spandex"
    s["Samples"] = [SAMPLES, ["S1", "Customs", "CBP ruling request", "Navy", "M", 1, date(2027, 2, 1),
                              date(2027, 2, 20), None, None, None, None, "Requested", None]]
    path = write_book(tmp_path / "cbp.xlsx", s)
    found = run(path, ["validate"], ctx()).findings
    on_cell = [f for f in found if f.sheet == "Styles" and f.row == 2 and f.column == "Fiber Content"]
    assert [f.code for f in on_cell] == [Code.FIBER_UNREADABLE], [f.text() for f in on_cell]
    assert_finding(found, Code.CUSTOMS_FACT, sheet="Styles", row=2, column="Process Countries")


def test_a_dip_number_typed_in_round_says_where_it_goes(tmp_path):
    """'LD-2215B' in Round was 'is not a number; fix the cell': true, but the APM typed the mill's dip number
    in the wrong column, and the message did not say which one takes it. 'R2' and '2nd' stay rounds."""
    s = sheets()
    s["Lab Dips"] = [DIP_HEADER,
                     _dip("Navy", "LD-2215B", None, "Approved", date(2027, 1, 15)),
                     _dip("Black", "B", None, "Approved", date(2027, 1, 15)),
                     _dip("Sage", "R2", None, "Approved", date(2027, 1, 15)),
                     _dip("Coral", "2nd", None, "Approved", date(2027, 1, 15))]
    path = write_book(tmp_path / "dipno.xlsx", s)
    found = [f for f in run(path, ["validate"], ctx()).findings if f.sheet == "Lab Dips" and f.column == "Round"]
    assert [(f.row, f.value) for f in found] == [(2, "LD-2215B"), (3, "B")]
    assert all("Option" in f.message and "R2" in f.message for f in found), [f.text() for f in found]


def test_a_tracking_number_excel_cut_to_15_digits_is_named_and_a_12_digit_one_is_not(tmp_path):
    """A 22-digit tracking number typed into a General cell is kept by Excel to 15 digits (9.40011189922335E+21):
    the courier cannot find it, and prodbook said 'check tracking 9.40011189922335E+21 with UPS'. A 12-digit
    FedEx number typed as a number is whole (Excel only shows it as 8.09048E+11): nothing to say."""
    s = sheets()
    s["Samples"] = [SAMPLES,
                    ["S1", "Fit", "Fit approval", "Navy", "M", 2, date(2027, 1, 5), date(2027, 2, 10),
                     date(2027, 2, 10), "UPS", 9.400111899223345e21, None, "Shipped", None],
                    ["S1", "PP", "Pre-production", "Navy", "M", 2, date(2027, 1, 5), date(2027, 2, 10),
                     date(2027, 2, 10), "FedEx", 809047585812, None, "Shipped", None]]
    path = write_book(tmp_path / "trk.xlsx", s)
    found = [f for f in run(path, ["validate"], ctx()).findings if f.sheet == "Samples"]
    cut = assert_finding(found, Code.SAMPLE_TRACKING, row=2, column="Tracking #")
    assert "15 digits" in cut.message and "Text" in cut.message
    assert not [f for f in found if f.row == 2 and f.column == "Received"]  # not 'check tracking 9.4E+21'
    late = assert_finding(found, Code.SAMPLE_TRACKING, row=3, column="Received")
    assert "809047585812" in late.message


def test_a_customs_sample_does_not_repeat_a_required_fiber_content_left_blank(tmp_path):
    """An adopted style's blank Fiber Content was 'needs Fiber Content; fill it in' and again 'the customs ruling
    sample needs fiber content by weight', on the same cell. A fact the Styles sheet does not require (the
    process countries) is still asked for by the customs check."""
    s = sheets()
    s["Styles"][1][4] = None
    s["Samples"] = [SAMPLES, ["S1", "Customs", "CBP ruling request", "Navy", "M", 1, date(2027, 2, 1),
                              date(2027, 2, 20), None, None, None, None, "Requested", None]]
    path = write_book(tmp_path / "cbp.xlsx", s)
    found = run(path, ["validate"], ctx()).findings
    on_cell = [f for f in found if f.sheet == "Styles" and f.row == 2 and f.column == "Fiber Content"]
    assert [f.code for f in on_cell] == [Code.REQUIRED], [f.text() for f in on_cell]
    assert_finding(found, Code.CUSTOMS_FACT, sheet="Styles", row=2, column="Process Countries")
