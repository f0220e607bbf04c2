"""Keys: how prodbook says "the same row" (a PO line, a style, a milestone) across sheets and files.

Two folds, on purpose: the tracker's own keys (``fold_text``, ``index_key``)
ignore only case and outer spaces, so two rows the user typed differently
stay two rows; references from vendors (``fold_ref``, ``line_key``) also
ignore punctuation, a "PO" prefix and leading zeros, because vendors write
"PO# 0045-001" for the tracker's "45001".

Both first drop what the eye cannot see (``fold_word``): the Unicode form (NFKC: an accent typed apart
from its letter, as a Mac gives it, is the accented letter; full-width 'ＰＯ４５００１' from an Asian
keyboard is 'PO45001'; a no-break space is a space) and zero-width characters a web page or an e-mail
leaves in a copied cell. Every fold of a key goes through ``fold_word``, so every side of a comparison
folds alike; ASCII text, nearly all of it, skips the Unicode work.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any, cast

import numpy as np
import pandas as pd

from prodbook.core.cells import is_blank, is_missing, text_or_empty


def key_text(values: Iterable[Any]) -> str:
    """A row's key as the Change Log and Issues show it: 'PO / Style / Color / Code'."""
    return " / ".join("" if is_blank(v) or v is pd.NA else str(v) for v in values)


def shown_key(values: Iterable[Any]) -> str:
    """A record's key as the Issues sheet names it: its trailing blank parts left out ('SS27-KT-1001 / Butter
    Yellow', not 'SS27-KT-1001 / Butter Yellow /  / ' for a Lab Dips row without Round and Option) and a whole
    number as the cell shows it (Round 2, not the 2.0 a column with a blank reads as). A blank part before a
    filled one keeps its place: 'S1 / Navy /  / 1' (Option 1, no Round) is not 'S1 / Navy / 1' (Round 1). The
    Change Log keeps ``key_text``, a part for every key column: the report and the T&A read its parts by
    place."""
    parts = ["" if is_blank(v) or v is pd.NA else _shown_part(v) for v in values]
    return " / ".join(_without_trailing_blanks(parts))


def _without_trailing_blanks(parts: list[str]) -> list[str]:
    end = len(parts)
    while end and not parts[end - 1]:
        end -= 1
    return parts[:end]


def _shown_part(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_WHOLE = re.compile(r"(-?\d+)\.0")


def key_match(text: Any) -> str:
    """A key text as an Issues row is matched to its record and to its row of an earlier run: trailing blank
    parts left out and '2.0' read as '2' (``shown_key``), so the row an older run wrote with them is the same
    row; a blank part in the middle keeps its place. Read back from the sheet, such a key has lost its last
    space ('S1 / Navy /  /'): padded, it splits alike."""
    parts = (p.strip() for p in f" {'' if is_missing(text) else str(text).strip()} ".split(" / "))
    return " / ".join(_without_trailing_blanks([m.group(1) if (m := _WHOLE.fullmatch(p)) else p
                                                for p in parts]))


_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
"""Characters that show nothing in a cell: soft hyphen, zero-width spaces and joiners, direction marks,
the byte-order mark. NFKC keeps them."""


def fold_word(text: str, strip: bool = True) -> str:
    """One text as every key compares it: invisible characters dropped, NFKC, outer spaces stripped (unless
    not ``strip``), upper case. ASCII text is only stripped and upper-cased."""
    if text.isascii():  # O(1): CPython keeps the flag
        return (text.strip() if strip else text).upper()
    t = unicodedata.normalize("NFKC", _INVISIBLE.sub("", text))
    t = (t.strip() if strip else t).upper()
    # upper() can leave a letter and its accent apart (Greek 'ΐ' -> 'Ϊ́'): compose again, so that a folded
    # key folds to itself
    return t if t.isascii() else unicodedata.normalize("NFKC", t)


def fold_text(value: Any) -> str:
    """A text key as the tracker's own rows match: case and outer spaces ignored (and what the eye cannot
    see, ``fold_word``), blank is ''."""
    return "" if is_missing(value) else fold_word(str(value))


def fold_code(code: Any) -> str:
    """A milestone code as every rule and scorecard matches it, a Config's ('In-DC Code') as a T&A's: outer
    spaces and case aside, inner spaces as one ('IN  DC' is 'IN DC'); blank is ''."""
    return "" if is_blank(code) else " ".join(str(code).split()).upper()


def key_texts(columns: Sequence[Iterable[Any]]) -> list[str]:
    """``key_text`` of many rows, column by column: each distinct value becomes text once."""
    parts = [once_each(column.tolist() if isinstance(column, np.ndarray) else list(column),
                       lambda v: key_text((v,))) for column in columns]
    return [" / ".join(p) for p in zip(*parts)]


def once_each(values: list[Any], fn: Callable[[Any], str]) -> list[str]:
    """``fn`` of every value, worked out once per distinct value: texts through one ``factorize`` (equal
    texts are the same value), anything else by type and value (1, 1.0 and True are equal keys, not equal
    texts)."""
    array = np.fromiter(values, dtype=object, count=len(values))
    if pd.api.types.infer_dtype(array, skipna=False) == "string":  # every value a text, asked in C
        codes, uniques = pd.factorize(array)
        return cast(list[str], np.array([fn(u) for u in uniques], dtype=object)[codes].tolist())
    seen: dict[tuple[type, Any], str] = {}
    out = []
    for v in values:
        k = (type(v), v)
        t = seen.get(k)
        if t is None:
            t = seen[k] = fn(v)
        out.append(t)
    return out


def index_key(frame: pd.DataFrame, fields: Sequence[str] = ("po", "style", "color", "code")) -> pd.Series:
    """Each row's folded key over ``fields``, for matching rows across runs (built column by column)."""
    keys = np.full(len(frame), "", dtype=object)
    for i, f in enumerate(fields):
        part = fold_column(frame[f].to_numpy(dtype=object))
        keys = part if i == 0 else keys + "\x1f" + part
    return pd.Series(keys, index=frame.index, dtype=object)


def upper_stripped(column: pd.Series, strip: bool = True) -> pd.Series:
    """``column.astype(str).str.strip().str.upper()`` (without ``.str.strip()`` when not ``strip``), each
    distinct value folded once, with ``fold_word`` (so a text folds as ``fold_text`` folds it).

    pandas 3 runs those string methods a Python call per cell; a T&A's style and colour columns hold a
    few hundred distinct values in their thousands of rows. Blanks stay blank (NaN), as pandas has them.
    """
    if column.dtype != object and not isinstance(column.dtype, pd.StringDtype):
        text = column.astype(str)  # dates, numbers: pandas' own text for them
        return (text.str.strip() if strip else text).str.upper()  # ASCII: what fold_word would give
    values = column.to_numpy(dtype=object)
    missing = pd.isna(values)
    present = values[~missing].tolist()  # a list: Python walks it faster than an array
    out = np.full(len(values), np.nan, dtype=object)
    out[~missing] = np.array(once_each(present, lambda v: fold_word(str(v), strip)),
                             dtype=object)
    return pd.Series(out, index=column.index, dtype=str)


def fold_column(values: np.ndarray) -> np.ndarray:
    """``fold_text`` of every value, each distinct value folded once (a T&A's million rows hold a few
    thousand POs and a few dozen codes)."""
    if pd.api.types.infer_dtype(values, skipna=False) == "string":
        codes, uniques = pd.factorize(values)
        return np.array([fold_word(u) for u in uniques], dtype=object)[codes]
    return np.array(once_each(values.tolist(), fold_text), dtype=object)


def fold_ref(value: Any) -> str:
    """PO and style numbers for matching: case, spaces, punctuation, a 'PO' prefix, leading zeros, accents
    (and the Unicode form, ``fold_word``: full-width 'ＰＯ４５００１' is '45001'). Letters of other scripts
    stay letters."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    try:
        return _fold_ref(value)
    except TypeError:  # unhashable: not a cell value, fold its text
        return _fold_ref(str(value))


def _base_letters(text: str) -> str:
    """A reference's letters and digits without their accents, in any script: a vendor's system that
    cannot type 'ÉTÉ-01' sends 'ETE-01', and a style '女装-01' is not '01'. A digit of another script
    ('٤٥') is its ASCII digit. What is not a letter or a digit goes, as in ASCII."""
    out = []
    for c in unicodedata.normalize("NFKD", text):
        d = unicodedata.decimal(c, None)
        if d is not None:
            out.append(str(d))
        elif c.isalnum() and not unicodedata.combining(c):
            out.append(c)
    return unicodedata.normalize("NFKC", "".join(out))


def style_vendors(styles: pd.DataFrame) -> dict[str, str]:
    """Style # (``fold_ref``) -> its vendor on the Styles sheet: whom to chase about a style's samples and
    lab dips, however another sheet spells the style. A style with no vendor is left out."""
    if not len(styles) or not {"style", "vendor"} <= set(styles.columns):
        return {}
    return {fold_ref(s): v for s, v in zip(styles["style"], map(text_or_empty, styles["vendor"])) if v}


@lru_cache(maxsize=1 << 18)
def _fold_ref(value: Any) -> str:
    s = fold_word(str(value), strip=False)
    s = re.sub(r"[^A-Z0-9]", "", s) if s.isascii() else _base_letters(s)
    if s.startswith("PO") and s[2:].isdigit():
        s = s[2:]
    return re.sub(r"(?<![0-9])0+(?=[0-9])", "", s)


def line_key(po: Any, style: Any, color: Any) -> str:
    """One PO line's folded key, shared by the WIP, exception and report code."""
    return "\x1f".join((fold_ref(po), fold_ref(style), fold_text(color)))


def split_colors(text: Any) -> list[str]:
    """A Colors cell's colours, split at a comma, ';', '/' or a line break: one reading for the style checks and
    the T&A's warning about a colour name that holds one."""
    return [c.strip() for c in re.split(r"[,;/\n]", str(text or "")) if c.strip()]


# -- the nearest known key: "did you mean" -----------------------------------------------------------------

_AS_DIGITS = str.maketrans("OIL", "011")
"""The letters a style number is typed with for digits: O for 0, I and l for 1 (a folded key is upper case)."""


def near_styles(typed: str, styles: Iterable[str]) -> list[str]:
    """The styles (of ``styles``, folded as ``typed`` is, upper case) an unknown style most likely means, best
    first: those that read the same once the letters O, I and l are read as the digits 0 and 1 ('SS27-KT-1OO3'
    is SS27-KT-1003, not the SS27-KT-1013 that shares as many characters), else those spelt at least 0.8 alike.
    One is a clear match; two or more (SS27-KT-1004 typed, SS27-KT-1003 and SS27-KT-1005 known) are a guess."""
    known = list(dict.fromkeys(styles))
    digits = typed.translate(_AS_DIGITS)
    same = [s for s in known if s.translate(_AS_DIGITS) == digits]
    return same or difflib.get_close_matches(typed, known, n=3, cutoff=0.8)


_COLOR_ALIASES = {"grey": "gray", "heather": "htr", "charcoal": "charcoal", "off white": "offwhite"}
_NOT_LOWER_ALNUM = re.compile(r"[^a-z0-9]")


def color_fold(name: str) -> str:
    """A colour name as a colour is told apart from another: lower case, letters and digits only, the spellings
    and short forms of one word as one ('Heather Grey' is 'HTR GRAY')."""
    s = name.lower()
    for a, b in _COLOR_ALIASES.items():
        s = s.replace(a, b)
    return _NOT_LOWER_ALNUM.sub("", s)


def _skeleton(s: str) -> str:
    """A folded colour without its vowels after the first letter: 'blk' is black's, 'nvy' navy's."""
    return s[:1] + re.sub(r"[aeiou]", "", s[1:]) if s else s


def near_colors(typed: str, colors: Iterable[str]) -> list[str]:
    """The colours (of ``colors``, as written) a colour name most likely means, best first: the same name
    (``color_fold``), else a name inside the other, short for it ('Blk', 'Nvy') or spelt at least 0.75 alike,
    the closest in spelling first ('DK NAVY' is Dark Navy before the Navy inside it). One is a clear match;
    two or more are a guess."""
    v = color_fold(typed)
    if not v:
        return []
    folded = {color_fold(c): c for c in colors if c}
    if v in folded:
        return [folded[v]]
    hits = [f for f in folded if f and (f in v or v in f or _skeleton(f) == _skeleton(v) or _skeleton(f) == v)]
    near = dict.fromkeys([*hits, *difflib.get_close_matches(v, list(folded), n=3, cutoff=0.75)])
    ranked = sorted(near, key=lambda f: -difflib.SequenceMatcher(None, v, f).ratio())  # stable: ties keep order
    return [folded[f] for f in ranked]
