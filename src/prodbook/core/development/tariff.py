"""HTS codes and countries of origin: the small facts style profile checks need.

Only what can be checked without a customs broker: the 10-digit US format,
chapter 61 (knitted or crocheted) against 62 (not knitted), and, for the
subheadings that are split by material, whether the chief-weight fiber family
matches. Subheadings not listed here are not judged ("flag, don't guess").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pycountry

KNIT_CHAPTER, WOVEN_CHAPTER = "61", "62"

# 6-digit subheading -> (fiber family the chief weight must be, words for the APM).
# Families: cotton, wool, synthetic, artificial, man-made (synthetic + artificial), silk.
# Sources: HTSUS chapters 61 and 62 (2024); "of other textile materials" subheadings are left out.
MATERIAL_SUBHEADINGS: dict[str, tuple[str, str]] = {}


def _add(family: str, words: str, *codes: str) -> None:
    for code in codes:
        MATERIAL_SUBHEADINGS[code] = (family, words)


_add("wool", "of wool or fine animal hair", "6103.41", "6104.41", "6104.51", "6104.61", "6110.11",
     "6110.12", "6110.19", "6203.41", "6204.41", "6204.51", "6204.61", "6201.20", "6202.20")
_add("cotton", "of cotton", "6101.20", "6102.20", "6103.42", "6104.42", "6104.52", "6104.62", "6105.10",
     "6106.10", "6109.10", "6110.20", "6114.20", "6201.30", "6202.30", "6201.92", "6202.92", "6203.42",
     "6204.42", "6204.52", "6204.62", "6205.20", "6206.30", "6211.42", "6211.32")
_add("man-made", "of man-made fibers", "6101.30", "6102.30", "6105.20", "6106.20", "6110.30",
     "6114.30", "6201.40", "6202.40", "6201.93", "6202.93", "6205.30", "6206.40", "6211.43", "6211.33")
_add("synthetic", "of synthetic fibers", "6103.43", "6104.43", "6104.53", "6104.63", "6203.43",
     "6204.43", "6204.53", "6204.63")
_add("artificial", "of artificial fibers", "6104.44", "6204.44")
_add("silk", "of silk", "6206.10")

_HTS = re.compile(r"\d{4}\.?\d{2}\.?\d{2}\.?\d{2}")


@dataclass(frozen=True)
class Hts:
    digits: str
    """The 10 digits."""

    @property
    def chapter(self) -> str:
        return self.digits[:2]

    @property
    def subheading(self) -> str:
        return f"{self.digits[:4]}.{self.digits[4:6]}"

    def __str__(self) -> str:
        d = self.digits
        return f"{d[:4]}.{d[4:6]}.{d[6:10]}"


_PREFIX = re.compile(r"(?i)\s*(HTSUS|HTS|HS)(?:\s*code)?\s*(?:no\.?|#)?\s*:?\s*")
"""A word typed before the code ('HTS 6110.20.2079', 'HS code: 6110202079')."""


@lru_cache(maxsize=4096)  # a season's styles share a few hundred codes
def parse_hts(text: str) -> tuple[Hts | None, str | None]:
    """An HTS code as 10 digits, or None and what is wrong with it, in words.

    Accepts 6110.20.2079, 6110202079, 6203.43.40.10 and spaces instead of dots.
    """
    s = re.sub(r"\s+", "", text).replace("-", ".")
    if _HTS.fullmatch(s):
        return Hts(s.replace(".", "")), None
    prefix = _PREFIX.match(text)
    if prefix and _HTS.fullmatch(re.sub(r"\s+", "", text[prefix.end():]).replace("-", ".")):
        code = Hts(re.sub(r"\D", "", text[prefix.end():]))
        return None, (f"starts with '{prefix.group(1)}'; type only the code, {code}, without the "
                      f"'{prefix.group(1)}' (the column says what it is)")
    if re.fullmatch(r"\d{10}\.0+", s):
        return None, (f"is a number stored with '.0' at the end (Excel or a system export read the code as a "
                      f"number); format the cell as Text and type {Hts(s.split('.')[0])}")
    digits = re.sub(r"\D", "", s)
    if re.fullmatch(r"\d+(\.\d+)*", s) and len(digits) == 8:
        return None, ("has 8 digits; US entries need all 10 (add the 2-digit statistical suffix, "
                      "e.g. 6110.20.2079)")
    if re.fullmatch(r"\d{4}\.\d{1,3}", s):
        return None, ("looks like a number Excel shortened (trailing zeros dropped); format the cell as "
                      "Text and type the full 10-digit code, e.g. 6110.20.2079")
    return None, "is not a 10-digit US HTS code; write it as 6110.20.2079 or 6110202079"


def hts_digits(text: str) -> str | None:
    """The digits of a code given only to its 6- or 8-digit subheading ('6110.20', 'HS 6110.20.20'), as
    vendors' costing sheets often write it; None for anything else."""
    s = re.sub(r"(?i)^\s*(?:hts|hs)(?:\s*code)?\s*:?", "", text).strip()
    if re.fullmatch(r"\d{4}[. ]?\d{2}(?:[. ]?\d{2})?", s):
        return re.sub(r"\D", "", s)
    return None


_ALIASES = {
    "uk": "GB", "england": "GB", "great britain": "GB", "usa": "US", "u.s.a.": "US", "u.s.": "US",
    "america": "US", "turkey": "TR", "turkiye": "TR", "türkiye": "TR", "korea": "KR",
    "republic of korea": "KR", "russia": "RU", "macau": "MO", "macao": "MO", "ivory coast": "CI",
    "burma": "MM", "vietnam": "VN", "viet nam": "VN", "laos": "LA", "taiwan": "TW", "prc": "CN",
    "mainland china": "CN", "p.r. china": "CN", "pr china": "CN", "holland": "NL", "the netherlands": "NL",
    "czech republic": "CZ", "bolivia": "BO", "iran": "IR", "syria": "SY", "tanzania": "TZ",
    "moldova": "MD", "brunei": "BN", "eswatini": "SZ", "swaziland": "SZ", "cape verde": "CV",
    "hongkong": "HK", "hk": "HK", "sri-lanka": "LK",
}


_ORIGIN_WORDS = re.compile(r"(?i)^(?:made\s+in|product\s+of|produced\s+in|manufactured\s+in|"
                           r"(?:country\s+of\s+)?origin\s*:?)\s+")
"""What a label or a costing sheet writes before the country: 'Made in Vietnam', 'Product of India'."""


@lru_cache(maxsize=1024)
def country_code(text: str) -> str | None:
    """ISO 3166 alpha-2 code for a country written as a code (CN, CHN), a name (China, Viet Nam), with its
    dots ('P.R.C.') or as a label says it ('Made in Vietnam')."""
    s = text.strip()
    if not s:
        return None
    bare = _ORIGIN_WORDS.sub("", s).strip(" .")
    if bare and bare != s:
        return country_code(bare)
    if "." in s and (code := _ALIASES.get(s.replace(".", "").replace(" ", "").lower())):
        return code
    return _country_code(s)


def _country_code(s: str) -> str | None:
    alias = _ALIASES.get(s.lower())
    if alias:
        return alias
    try:
        return pycountry.countries.lookup(s).alpha_2
    except LookupError:
        pass
    for c in pycountry.countries:
        if s.lower() in (getattr(c, "common_name", "").lower(), getattr(c, "official_name", "").lower()):
            return c.alpha_2
    return None


def country_name(code: str) -> str:
    c = pycountry.countries.get(alpha_2=code)
    return (getattr(c, "common_name", None) or c.name) if c else code


_KNIT_WORDS = frozenset({"knit", "knitted", "knits", "crochet", "crocheted", "jersey", "fleece", "sweater",
                         "interlock", "rib", "pique", "piqué", "terry", "jacquard-knit", "sweatshirt", "tricot"})
_WOVEN_WORDS = frozenset({"woven", "denim", "twill", "poplin", "chambray", "oxford", "canvas", "voile",
                          "corduroy", "satin", "chiffon", "georgette", "crepe", "crêpe", "flannel", "dobby"})


_KNIT, _WOVEN = frozenset({"knit", "knitted", "knits", "crochet", "crocheted"}), frozenset({"woven"})
"""The words that say it outright: 'Knit Denim' is a knit (a denim look knitted), 'Woven Jersey' a woven."""


def _words(text: Any) -> set[str]:
    found = re.findall(r"[\w-]+", str(text or "").lower())
    return {*found, *(w for f in found if "-" in f for w in f.split("-"))}


def construction_says_nothing(text: Any) -> bool:
    """Whether a Construction cell has no word of knit or woven at all ('Cut & sew', 'K'): not a choice
    between the two ('Knit and woven'), but no answer."""
    return _words(text).isdisjoint(_KNIT_WORDS | _WOVEN_WORDS)


def construction_chapter(text: Any) -> str | None:
    """The apparel chapter a Construction cell names: 61 for a knit ('Knit', 'Jersey', 'Fleece', 'Knit
    Denim'), 62 for a woven ('Woven Twill', 'Denim', 'Poplin'); None when it names neither ('Cut & sew':
    knits and wovens alike are cut and sewn), or both without 'knit' or 'woven' deciding."""
    words = _words(text)
    knit, woven = bool(words & _KNIT), bool(words & _WOVEN)
    if knit == woven:
        knit, woven = bool(words & _KNIT_WORDS), bool(words & _WOVEN_WORDS)
    if knit == woven:
        return None
    return KNIT_CHAPTER if knit else WOVEN_CHAPTER
