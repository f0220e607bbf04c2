"""Keys: one fold for the tracker's own rows, one for vendors' references, one blank test."""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from prodbook.core.cells import is_blank, is_missing
from prodbook.core.keys import fold_ref, fold_text, index_key, key_text, line_key, style_vendors, upper_stripped


def test_every_missing_form_is_missing_and_blank() -> None:
    for v in (None, float("nan"), np.float64("nan"), pd.NA, pd.NaT):
        assert is_missing(v) and is_blank(v), v
    for v in ("", "   ", "\t"):
        assert is_blank(v) and not is_missing(v), repr(v)
    for v in (0, 0.0, "0", "N/A", False, " x "):
        assert not is_blank(v), repr(v)


def test_vendor_references_fold_to_the_trackers_po() -> None:
    assert fold_ref("PO# 0045-001") == fold_ref("45001") == fold_ref(45001) == "45001"
    assert fold_ref("po 4500123") == fold_ref(" 4500123 ")
    assert fold_ref("ST-1002a") == fold_ref("st1002A")
    assert fold_ref(None) == fold_ref(float("nan")) == ""


def test_the_trackers_own_keys_ignore_only_case_and_outer_spaces() -> None:
    assert fold_text(" navy ") == fold_text("NAVY") == "NAVY"
    assert fold_text("Navy Blue") != fold_text("NavyBlue")
    frame = pd.DataFrame({"po": ["45001", " 45001"], "style": ["st-1", "ST-1"], "color": ["Navy", None],
                          "code": ["LD", "ld"]})
    keys = list(index_key(frame))
    assert keys[0] == "45001\x1fST-1\x1fNAVY\x1fLD" and keys[1] == "45001\x1fST-1\x1f\x1fLD"
    assert fold_ref("PO45001") == fold_ref("45001") and index_key(
        pd.DataFrame({"po": ["PO45001"], "style": ["x"], "color": ["y"], "code": ["z"]})).iloc[0] != keys[0]


def test_key_text_shows_blanks_as_empty() -> None:
    assert key_text(["45001", None, float("nan"), "LD"]) == "45001 /  /  / LD"


refs = st.text(alphabet="Po#0123456789-. /abcXYZ", max_size=20)


@given(refs)
def test_fold_ref_is_idempotent(s: str) -> None:
    assert fold_ref(fold_ref(s)) == fold_ref(s)


@given(st.from_regex(r"[1-9][0-9]{0,8}", fullmatch=True), st.from_regex(r"[A-Za-z0-9]{1,8}", fullmatch=True),
       st.from_regex(r"[A-Za-z ]{0,12}", fullmatch=True))
def test_a_po_line_written_the_vendors_way_is_the_same_line(po: str, style: str, color: str) -> None:
    vendors = line_key(f"PO# 00{po}", style.lower(), f"  {color.upper()} ")
    assert line_key(po, style, color) == vendors
    assert line_key(po + "1", style, color) != vendors


_CELLS = st.one_of(st.text(alphabet=" \tab1Aß\u00a0", max_size=4), st.integers(-3, 3), st.floats(allow_nan=True),
                   st.booleans(), st.none(), st.dates(), st.sampled_from(["NA", "NaT"]))


@given(st.one_of(st.lists(_CELLS, max_size=30), st.lists(st.sampled_from([" a", "a", "A ", "b"]), max_size=30)),
       st.booleans())
def test_upper_stripped_is_pandas_fold_once_per_value(cells, as_text):
    """The oracle: pandas' own ``astype(str).str.strip().str.upper()``, on object columns of any cells
    (1, 1.0 and True are equal keys, not equal texts) and on pandas' text columns."""
    values = [{"NA": pd.NA, "NaT": pd.NaT}.get(v, v) if isinstance(v, str) else v for v in cells]
    column = pd.Series(values, dtype=object, index=np.arange(len(values))[::-1] * 3)
    if as_text:
        column = pd.Series([v for v in values if isinstance(v, str)] + [None], dtype="str")
    def nfkc(folded: pd.Series) -> pd.Series:  # a no-break space is a space (keys.fold_word)
        return folded.map(lambda t: unicodedata.normalize("NFKC", t), na_action="ignore").astype(folded.dtype)

    pd.testing.assert_series_equal(upper_stripped(column), nfkc(column.astype(str).str.strip().str.upper()))
    pd.testing.assert_series_equal(upper_stripped(column, strip=False), nfkc(column.astype(str).str.upper()))


def test_a_styles_vendor_is_found_however_another_sheet_spells_the_style() -> None:
    styles = pd.DataFrame({"style": ["SS27-KT-1010", "SS27-KT-1011", 1012, "SS27-KT-1013"],
                           "vendor": [" SHX ", 101, "VNS", float("nan")]})
    vendor_of = style_vendors(styles)
    assert vendor_of[fold_ref("ss27kt1010")] == "SHX"
    assert vendor_of[fold_ref("SS27-KT-1011")] == "101"  # a code typed as a number is still its vendor
    assert vendor_of[fold_ref("1012")] == "VNS"
    assert fold_ref("SS27-KT-1013") not in vendor_of  # no vendor: nobody to chase
    assert style_vendors(pd.DataFrame(columns=["style"])) == {}
