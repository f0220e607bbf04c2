"""Cell normalisation: the dates, numbers and texts people and vendors actually type."""

from __future__ import annotations

import csv
import re
import subprocess
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from prodbook.core.cells import (
    CellError,
    DateOrder,
    comma_column,
    date_to_serial,
    is_digit_format,
    parse_text_date,
    serial_to_date,
    shown_digits,
    to_bool,
    to_date,
    to_int,
    to_number,
    to_text,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("2027-03-15", date(2027, 3, 15)),
    ("2027-03-15 00:00:00", date(2027, 3, 15)),
    ("2027.03.15", date(2027, 3, 15)),
    ("2027/3/5", date(2027, 3, 5)),
    ("20270315", date(2027, 3, 15)),
    ("3/15/2027", date(2027, 3, 15)),
    ("15/3/2027", date(2027, 3, 15)),  # unambiguous: 15 cannot be a month
    ("3/15/27", date(2027, 3, 15)),
    ("15-Mar-27", date(2027, 3, 15)),
    ("15 Mar 2027", date(2027, 3, 15)),
    ("15-March-2027", date(2027, 3, 15)),
    ("Mar 15, 2027", date(2027, 3, 15)),
    ("Sept 1 2027", date(2027, 9, 1)),
    ("  29/02/2028 ", date(2028, 2, 29)),
])
def test_text_dates(text, expected):
    assert to_date(text) == expected


def test_ambiguous_dates_follow_the_setting():
    assert to_date("03/04/2027", DateOrder.MDY) == date(2027, 3, 4)
    assert to_date("03/04/2027", DateOrder.DMY) == date(2027, 4, 3)


@pytest.mark.parametrize(("text", "words"), [
    ("31/02/2027", "February 2027 has no day 31"),
    ("29/02/2027", "no day 29"),
    ("2027-13-01", "no month 13"),
    ("next Tuesday", "not a date"),
    ("15-Foo-27", "not a month"),
    ("#N/A", "Excel error #N/A"),
])
def test_bad_dates_say_why(text, words):
    with pytest.raises(CellError, match=words):
        to_date(text)


def test_serials_follow_excel_including_the_1900_bug():
    assert serial_to_date(1) == date(1900, 1, 1)
    assert serial_to_date(59) == date(1900, 2, 28)
    assert serial_to_date(61) == date(1900, 3, 1)
    assert serial_to_date(46096) == date(2026, 3, 15)
    assert serial_to_date(0, date1904=True) == date(1904, 1, 1)
    assert to_date(46096.75) == date(2026, 3, 15)
    with pytest.raises(CellError):
        serial_to_date(60)
    with pytest.raises(CellError):
        serial_to_date(-3)


@given(st.dates(min_value=date(1900, 3, 1), max_value=date(9999, 12, 31)), st.booleans())
def test_serial_round_trip(d, date1904):
    if date1904 and d < date(1904, 1, 1):
        with pytest.raises(CellError):
            serial_to_date(date_to_serial(d, date1904), date1904)
        return
    assert serial_to_date(date_to_serial(d, date1904), date1904) == d


def test_typed_values():
    assert to_date(datetime(2027, 3, 15, 10, 30)) == date(2027, 3, 15)
    assert to_date(20270315) == date(2027, 3, 15)
    assert to_number(" 1,234.50 ") == 1234.5
    assert to_number("(12)") == -12
    assert to_int("2,400") == 2400
    assert to_text(4500012345.0) == "4500012345"
    assert to_text("  Navy ") == "Navy"
    assert to_bool("Yes") is True and to_bool("n") is False
    for blank in (None, "", "   "):
        assert to_date(blank) is None and to_number(blank) is None and to_text(blank) is None


@pytest.mark.parametrize("text, number", [
    ("5,25", 5.25), ("1.234,50", 1234.5), ("-0,5", -0.5), ("1.250.000,0", 1_250_000), ("1,200", 1200),
    ("12,345,678.9", 12345678.9), (",75", 0.75), ("0,850", 0.85), ("-0,125", -0.125)])
def test_a_decimal_comma_is_read_where_the_text_can_be_read_no_other_way(text, number):
    """A vendor in Vietnam or Turkey writes a FOB of five twenty-five as '5,25'. Until 2026-12-05 the comma was
    dropped as a thousands separator: 525, and an accepted fix would have put it in the tracker."""
    assert to_number(text) == number


@pytest.mark.parametrize("text", ["2027年4月3日", "2027 年 4 月 3 日", "2027年04月03", "2027년 4월 3일"])
def test_a_date_as_a_chinese_japanese_or_korean_vendor_writes_it(text):
    assert parse_text_date(text, DateOrder.DMY) == parse_text_date(text, DateOrder.MDY) == date(2027, 4, 3)


def test_a_thousands_space_of_any_width_is_read():
    assert to_number("1\u202f200") == to_number("1\u2009200") == to_number("1 200,50") - 0.5 == 1200


@given(st.decimals(min_value=0, max_value=10**9, places=2))
def test_a_price_written_either_way_reads_as_the_same_number(value):
    us = f"{value:,.2f}"  # 1,234.50
    eu = us.replace(",", " ").replace(".", ",").replace(" ", ".")  # 1.234,50
    assert to_number(us) == to_number(eu) == float(value)


@given(st.lists(st.decimals(min_value=0, max_value=10**6, places=3), min_size=1, max_size=8),
       st.booleans())
def test_a_price_column_written_one_way_reads_as_its_prices(values, european):
    """'5,250' alone could be either; the column's other prices decide, and never in a way that changes
    a price written unambiguously."""
    us = [f"{v:,.3f}" for v in values]
    texts = [t.replace(",", " ").replace(".", ",").replace(" ", ".") for t in us] if european else us
    assume(not european or not all(re.fullmatch(r"[1-9]\d{0,2},\d{3}", t) for t in texts))  # one says how
    cells, problems = comma_column(texts)
    assert not problems
    assert [to_number(c) for c in cells] == [float(v) for v in values]


@pytest.mark.parametrize("bad", ["12 pcs", "1.2.3", "#VALUE!", True, "1,2,3", "12,5,00", "1,23.4"])
def test_bad_numbers(bad):
    with pytest.raises(CellError):
        to_number(bad)


@pytest.mark.parametrize("text", ["12.000", "1.500", "-3.000"])
def test_a_quantity_whose_dot_may_group_thousands_is_refused_naming_both_readings(text):
    """'12.000' pieces from a Turkish vendor is twelve thousand; until 2026-12-05 it was read as 12 in silence."""
    with pytest.raises(CellError, match="could be .* or .*: its dot may group thousands"):
        to_int(text)
    assert to_int("12,000") == 12000 and to_int("12000") == 12000 and to_int(12.0) == 12
    assert to_int("2.400.000") == 2_400_000 and to_int("1.234,0") == 1234


def test_fractional_quantity_is_not_a_whole_number():
    with pytest.raises(CellError, match="whole number"):
        to_int("12.5")


@given(st.one_of(st.text(), st.floats(allow_nan=True), st.integers(-10**12, 10**12), st.none(),
                 st.booleans(), st.dates(), st.datetimes()))
def test_parsers_never_fail_with_anything_but_a_cell_error(value):
    for parse in (to_date, to_number, to_int, to_text, to_bool):
        try:
            parse(value)
        except CellError as exc:  # a message for the APM: no Python words, no Python values
            assert str(exc)
            words = str(exc).replace("TRUE/FALSE", "")
            if isinstance(value, str):  # the text typed is quoted back as typed
                words = words.replace(value.strip(), "")
            for word in ("None", "nan", "NaT", "True", "False", "float", "datetime.", "Timestamp"):
                assert word not in words, (parse.__name__, value, str(exc))


class _Text(str):
    """A str subclass (numpy's str_ is one): goes the general way."""


def _missing_as_it_was(value: object) -> bool:
    import math
    return value is None or (isinstance(value, float) and math.isnan(value)) or (
        type(value).__name__ in ("NAType", "NaTType"))


@given(st.one_of(st.text(alphabet=" \t\n\u00a0\u3000ab1"), st.text(), st.floats(allow_nan=True), st.none(),
                 st.integers(), st.dates(), st.sampled_from(["NA", "NaT", "nan64", "str_", "sub"])))
def test_blank_and_missing_as_they_were(value):
    """The quick answer for text gives what the general test gave (the oracle: as it was written before)."""
    import numpy as np
    import pandas as pd

    from prodbook.core.cells import is_blank, is_missing

    made = {"NA": pd.NA, "NaT": pd.NaT, "nan64": np.float64("nan"), "str_": np.str_("  "), "sub": _Text(" x ")}
    v = made.get(value, value) if isinstance(value, str) and value in made else value
    assert is_missing(v) == _missing_as_it_was(v)
    assert is_blank(v) == (_missing_as_it_was(v) or (isinstance(v, str) and not v.strip()))


def test_day_of_reads_a_read_date_cell_as_its_day():
    """The rules' one reading of a date column's cell (four helpers each had its own: one gave a datetime
    back as a datetime, which a date cannot be compared with; two gave a stray number back as it was)."""
    from prodbook.core.cells import day_of
    assert day_of(datetime(2027, 3, 4, 15, 30)) == date(2027, 3, 4)
    assert type(day_of(datetime(2027, 3, 4))) is date
    assert day_of(pd.Timestamp("2027-03-04 08:00")) == date(2027, 3, 4)
    assert day_of(date(2027, 3, 4)) == date(2027, 3, 4)
    for blank in (None, float("nan"), pd.NaT, pd.NA, "TBC", "", 46000, 46000.0):
        assert day_of(blank) is None


# (number, format code): how a team shows a code typed as a number; what LibreOffice shows is the reference
DIGIT_CASES = [(11, "0000000"), (1, "0000000"), (1234567, "0000000"), (12345, "000000"), (0, "000"),
               (6109100012, "0000\\.00\\.0000"), (1234, "000-000"), (12345678, "000-000"), (5, '"PO"00000'),
               (42, "#0000"), (7, "(000)"), (-12, "0000"), (12, "[Red]0000"), (5, "???0"), (3, "# 000")]


@pytest.mark.libreoffice
def test_a_number_in_a_digits_format_reads_as_libreoffice_shows_it(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for i, (number, code) in enumerate(DIGIT_CASES, start=1):
        ws.cell(row=i, column=1, value=number).number_format = code
    wb.save(tmp_path / "codes.xlsx")
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true", "--outdir",
                    str(tmp_path), str(tmp_path / "codes.xlsx")],
                   check=True, capture_output=True, timeout=300)
    with open(tmp_path / "codes.csv", newline="", encoding="utf-8") as f:
        shown = [row[0] for row in csv.reader(f)]
    assert [shown_digits(n, code) for n, code in DIGIT_CASES] == shown


@pytest.mark.parametrize("code", ["General", "0", "0.00", "#,##0", "@", "yyyy-mm-dd", "0%", "0.0E+00", "###",
                                  "0000;(0000)", "[>100]0000", "mm:ss"])
def test_formats_that_do_not_pad_a_whole_number_leave_it_as_it_is(code: str) -> None:
    assert not is_digit_format(code)
    assert shown_digits(11, code) in (None, "11")


@given(st.integers(0, 10**12), st.integers(1, 13))
def test_a_zero_padded_number_reads_back_as_the_number(number: int, width: int) -> None:
    text = shown_digits(number, "0" * width)
    assert text is not None and int(text) == number and len(text) == max(width, len(str(number)))


@pytest.mark.parametrize("text", ["11/14", "15-Nov", "Nov 15", "Nov 15th", "15 November", "3.4"])
def test_a_date_typed_without_its_year_says_the_year_is_missing(text):
    with pytest.raises(CellError, match="has no year"):
        to_date(text)


@pytest.mark.parametrize("text", ["soon", "Week 12", "TBC"])
def test_words_are_not_taken_for_a_date_without_a_year(text):
    with pytest.raises(CellError, match="is not a date prodbook can read"):
        to_date(text)


@pytest.mark.parametrize("text", ["1e400", "-1E309", "(2e308)"])
def test_a_text_number_past_what_a_cell_holds_is_refused_as_the_number_itself_is(text):
    """A vendor's FOB '1e400' read as infinity, and went on into comparisons and a proposed fix; the number
    itself (an infinite float) was already refused."""
    with pytest.raises(CellError, match="larger than any number Excel holds"):
        to_number(text)
    with pytest.raises(CellError):
        to_int(text)
