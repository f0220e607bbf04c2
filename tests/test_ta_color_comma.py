"""A colour with a comma in its name (Orders 'Navy, Deep') is read on Styles Colors as two colours; the T&A run
says so at the Colors cell, names the character and what to type. Real workbooks, written and read back."""

from __future__ import annotations

from datetime import date, datetime

from conftest import assert_finding, base_sheets, write_book
from prodbook.core.findings import Code
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run

TODAY = date(2027, 3, 1)


def ctx() -> Context:
    return Context(today=TODAY, now=datetime(2027, 3, 1, 9, 0))


def book(tmp_path, s1: str, s2: str, order_color: str):
    sheets = base_sheets()
    sheets["Styles"][0].append("Colors")
    sheets["Styles"][1].append(s1)
    sheets["Styles"][2].append(s2)
    sheets["Orders"][2][2] = order_color
    return write_book(tmp_path / "t.xlsx", sheets)


def test_an_orders_colour_with_a_comma_split_on_styles_colors_is_named_with_what_to_type(tmp_path):
    path = book(tmp_path, "Navy", 'Sand, Navy, "Deep" 藏青色', 'Navy, "Deep" 藏青色')
    findings = run(path, ["ta"], ctx()).findings
    f = assert_finding(findings, Code.COLOR_SPLIT, sheet="Styles", row=3, column="Colors")
    assert f.severity == "warning" and f.value == 'Sand, Navy, "Deep" 藏青色'
    for words in ("style S2", "'Navy, \"Deep\" 藏青色' on Orders (row 3)", "has ',' in its name",
                  "as 2: 'Navy', '\"Deep\" 藏青色'", "e.g. 'Navy \"Deep\" 藏青色'", "T&A"):
        assert words in f.message, words
    assert len([x for x in findings if x.code is Code.COLOR_SPLIT]) == 1


def test_colours_listed_with_commas_and_a_slash_colour_not_listed_apart_are_not_named(tmp_path):
    for s2, color in (("Black, Sand", "Black"), ("Navy/White, Sand", "Navy/Red"), ("Black, Sand", "Black, Red")):
        path = book(tmp_path, "Navy", s2, color)
        assert not [x for x in run(path, ["ta"], ctx()).findings if x.code is Code.COLOR_SPLIT], (s2, color)
