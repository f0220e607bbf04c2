"""A number column with a unit reads the unit typed beside the number: 'Fabric Weight (g/m2)' takes '210 gsm'
and denim's '12 oz', 'FOB (USD)' takes 'USD 7.25'; a price in another currency is named, never read as
dollars. Through a real .xlsx and the same reading every job uses (``valid_frame``)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodbook.core.cells import OZ_PER_SQYD_TO_GSM, CellError, in_unit, to_number
from prodbook.core.findings import Code
from prodbook.core.model.sheets import STYLES
from prodbook.jobs.base import valid_frame
from prodbook.workbook.filebook import FileBook
from prodbook.workbook.tracker import Tracker


@pytest.mark.parametrize(("typed", "unit", "read"), [
    ("210 gsm", "g/m2", 210.0), ("180 G/M2", "g/m2", 180.0), ("200g", "g/m2", 200.0), ("165 g/m²", "g/m2", 165.0),
    ("12 oz", "g/m2", 406.9), ("7.5 oz/yd²", "g/m2", 254.3), ("10 osy", "g/m2", 339.1),
    ("USD 7.25", "USD", 7.25), ("US$ 7.25", "USD", 7.25), ("7.25 USD", "USD", 7.25), ("$1,234.50", "USD", 1234.5)])
def test_a_number_with_its_columns_unit_is_read_in_that_unit(typed: str, unit: str, read: float) -> None:
    assert to_number(in_unit(typed, unit)) == pytest.approx(read)


@pytest.mark.parametrize("typed", ["EUR 7.25", "7,25 €", "RMB 52", "¥52.00", "£6.10"])
def test_a_price_in_another_currency_is_named_not_read_as_dollars(typed: str) -> None:
    with pytest.raises(CellError, match="US dollars"):
        in_unit(typed, "USD")


@given(st.decimals(min_value=1, max_value=40, places=1))
def test_ounces_are_converted_to_the_same_grams_however_written(oz) -> None:
    grams = [to_number(in_unit(f"{oz}{sep}{word}", "g/m2")) for sep in ("", " ") for word in ("oz", "oz/yd2", "osy")]
    assert len(set(grams)) == 1 and grams[0] == pytest.approx(float(oz) * OZ_PER_SQYD_TO_GSM, abs=0.05)


def test_text_that_is_no_amount_is_left_for_the_number_check() -> None:
    for typed, unit in (("heavy", "g/m2"), ("TBC", "USD"), ("about 200", "g/m2")):
        assert in_unit(typed, unit) == typed
    assert in_unit(7.25, "USD") == 7.25 and in_unit("210 gsm", None) == "210 gsm"


def test_the_styles_sheet_reads_units_and_names_another_currency(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Styles"
    heads = list(STYLES.headers)
    ws.append(heads)
    at = {h: i for i, h in enumerate(heads)}

    def style(no: str, fob: object, retail: object, weight: object) -> None:
        row: list[object] = [None] * len(heads)
        row[at["Style #"]], row[at["FOB (USD)"]], row[at["Retail (USD)"]] = no, fob, retail
        row[at["Fabric Weight (g/m2)"]] = weight
        ws.append(row)

    style("S1", "USD 7.25", "$29.99", "210 gsm")
    style("S2", 8.1, "29.99 USD", "12 oz")
    style("S3", "EUR 6.50", 30, 180)
    path = tmp_path / "tracker.xlsx"
    wb.save(path)
    frame, found = valid_frame(Tracker(FileBook(path)), STYLES)
    got = {r["style"]: (r["fob"], r["retail"], r["weight_gsm"]) for r in frame.to_dict("records")}
    assert got["S1"] == (7.25, 29.99, 210.0)
    assert got["S2"] == (8.1, 29.99, pytest.approx(406.9))
    bad = [f for f in found if f.code is Code.BAD_NUMBER]
    assert [(f.row, f.column, f.value) for f in bad] == [(4, "FOB (USD)", "EUR 6.50")]
    assert "EUR" in bad[0].message and "US dollars" in bad[0].message
