"""A link is as tall as its text. The Follow-ups sheet's Draft link ('Follow-up drafts/2026-11-25/DHK_follow-up_
2026-11-25.eml') wraps to three lines in its column, but the row's height was worked out without it (a link is a
formula, not text): its last line was cut off under the next row's, in Excel and in LibreOffice."""

from __future__ import annotations

from prodbook.core.cells import Formula
from prodbook.core.looks import LINE_HEIGHT, row_height, row_heights, text_lines

PATH = "Follow-up drafts/2026-11-25/DHK_follow-up_2026-11-25.eml"
DRAFT = Formula(f'=HYPERLINK("{PATH}","{PATH}")', result=PATH)


def test_a_links_text_sets_its_rows_height():
    assert text_lines(DRAFT, 30) == text_lines(PATH, 30) == 3
    assert row_heights([([DRAFT, "short"], 30)], 2) == [3 * LINE_HEIGHT, None]
    assert row_height([(DRAFT, 30), ("short", 40)]) == 3 * LINE_HEIGHT


def test_a_link_that_fits_leaves_the_row_one_line():
    short = Formula('=HYPERLINK("#\'T&A\'!A2","4500012345")', result="4500012345")
    assert row_heights([([short], 30)], 1) == [None]
