"""The demo production tracker: one apparel season, alive on whatever day it is written.

``write_demo(folder, today)`` writes ``demo-tracker.xlsx`` in the default layout
(``prodbook.core.model.sheets``): ~40 style profiles, ~150 PO lines, three T&A
templates, the vendors with their factory closures, lab dips, samples and the
settings. Every date is placed relative to ``today`` and every random choice
comes from a ``random.Random`` seeded with ``today``, so the same day always
gives the same workbook and any day gives a live mix: early milestones done,
some overdue, some due soon, many upcoming, a few PO lines forecast to ship
after their cancel date.

Most POs are FOB (the cancel date is judged on the ex-factory); a few are DDP
(judged on arrival at the DC), among them one whose ex-factory is still
before its cancel date while its arrival is after it: late for cancel under
DDP, and it would not be under FOB.

The T&A sheet holds only what a team would have typed: the Actual dates (and a
few Notes) of milestones that already happened. They are found by planning
the orders with the real engine (``prodbook.core.ta``, on the same factory
calendars ``prodbook.core.factories`` builds), then walking each PO line's
milestones in time order the way the engine forecasts them. prodbook fills in
the rest (Planned, Forecast, Status...) on its first refresh.

Deliberate data problems, for the checks to find (keep this list in step with
``DELIBERATE_PROBLEMS``):

* the fiber content of the "Slub Boxy Tee" adds up to 95% ("60% Cotton 35% Modal");
* the "Pique Polo" is a knit but carries a chapter-62 (woven shirt) HTS code;
* the "Rain Shell Jacket" is made by the Vietnamese vendor VNS but its COO says China.

HTS codes are illustrative: each is in the right chapter and heading for the
garment; a customs broker confirms the statistical suffix.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any, cast

import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo

from prodbook.core import ta
from prodbook.core.calendar import FactoryCalendar
from prodbook.core.development.recorded import recorded_actuals
from prodbook.core.factories import vendor_calendars
from prodbook.core.looks import DEFAULT_DATE_FORMAT, look_for
from prodbook.core.model.records import DayType
from prodbook.core.model.sheets import (
    ALL_SHEETS,
    CLOSURES,
    CONFIG,
    LAB_DIPS,
    ORDERS,
    SAMPLES,
    STYLES,
    TA,
    TEMPLATES,
    VENDORS,
    SheetSpec,
)
from prodbook.excel import formulas
from prodbook.workbook import demo_folder
from prodbook.workbook.cached_results import set_cached_results
from prodbook.workbook.filebook import FileBook
from prodbook.workbook.looks_openpyxl import apply_look, font
from prodbook.workbook.tracker import Tracker

DEMO_FILE = demo_folder.WORKBOOK
DELIBERATE_PROBLEMS: tuple[str, ...] = (
    "Styles: 'Slub Boxy Tee' fiber content adds up to 95%",
    "Styles: 'Pique Polo' is Knit but its HTS code is in chapter 62",
    "Styles: 'Rain Shell Jacket' COO China does not match vendor VNS (Vietnam)",
)

# --- vendors and their calendars -------------------------------------------------------------

@dataclass(frozen=True)
class Vendor:
    code: str
    name: str
    country: str
    holiday_country: str
    weekend: int
    """Excel weekend number: 1 Sat+Sun, 11 Sunday only (6-day factory), 16 Friday only."""
    domain: str
    port: str
    factory: str
    mill: str
    struggling: bool = False
    """Reports late and lets milestones slip: where the demo's overdue items gather."""


VENDOR_LIST: tuple[Vendor, ...] = (
    Vendor("SHX", "Shaoxing Huayu Knitwear Co., Ltd.", "China", "CN", 11, "huayu-knit.example.com",
           "Shanghai", "Huayu Knitwear Factory No. 2, Shaoxing", "Keqiao Dyeing & Finishing Co."),
    Vendor("NBT", "Ningbo Tianfeng Garments Co., Ltd.", "China", "CN", 1, "tianfeng-garments.example.com",
           "Ningbo", "Tianfeng Garment Factory, Yinzhou", "Zhejiang Jiaxin Textile Co.", struggling=True),
    Vendor("VNS", "Saigon Star Apparel JSC", "Vietnam", "VN", 11, "saigonstar.example.com",
           "Ho Chi Minh City", "Saigon Star Factory 3, Binh Duong", "Dong Nai Weaving Mill"),
    Vendor("DHK", "Dhaka Denim & Knit Composite Ltd.", "Bangladesh", "BD", 16, "dhakadenim.example.com",
           "Chittagong", "DDK Composite Unit 1, Gazipur", "DDK Dyeing Unit, Gazipur", struggling=True),
    Vendor("TIR", "Tiruppur Cotton Knits Pvt. Ltd.", "India", "IN", 11, "tiruppurknits.example.com",
           "Chennai", "TCK Unit 1, Tiruppur", "Tiruppur Process House"),
    Vendor("AHD", "Ahmedabad Denim Works Pvt. Ltd.", "India", "IN", 11, "ahmedabaddenim.example.com",
           "Nhava Sheva", "ADW Garment Unit, Narol", "Narol Denim Mills"),
)
VENDOR_BY_CODE = {v.code: v for v in VENDOR_LIST}

# Published lunar-calendar dates (Chinese New Year / Tet day 1, Eid al-Fitr and Eid al-Adha as
# expected in Bangladesh, Diwali in India). Islamic dates depend on the moon sighting and may
# move a day; factories announce their exact closure nearer the time.
LUNAR_NEW_YEAR = {2025: date(2025, 1, 29), 2026: date(2026, 2, 17), 2027: date(2027, 2, 6),
                  2028: date(2028, 1, 26), 2029: date(2029, 2, 13)}
EID_AL_FITR = {2025: date(2025, 3, 31), 2026: date(2026, 3, 21), 2027: date(2027, 3, 10),
               2028: date(2028, 2, 27), 2029: date(2029, 2, 15)}
EID_AL_ADHA = {2025: date(2025, 6, 7), 2026: date(2026, 5, 27), 2027: date(2027, 5, 17),
               2028: date(2028, 5, 5), 2029: date(2029, 4, 24)}
DIWALI = {2025: date(2025, 10, 21), 2026: date(2026, 11, 8), 2027: date(2027, 10, 29),
          2028: date(2028, 10, 17), 2029: date(2029, 11, 5)}


def closures(years: Iterable[int]) -> list[tuple[str, date, date, str]]:
    """Factory closures longer than the public holidays: (calendar, from, to, reason).

    Chinese factories close about a week before New Year and reopen two weeks
    after (workers travel home); Golden Week is 1-7 October. Bangladesh's
    three official Eid days stretch to 8-10 days in the factories.
    """
    out = []
    for y in years:
        if y in LUNAR_NEW_YEAR:
            d = LUNAR_NEW_YEAR[y]
            out.append(("CN", d - timedelta(days=7), d + timedelta(days=14),
                        f"Chinese New Year {y}: factory closure"))
            out.append(("VN", d - timedelta(days=4), d + timedelta(days=6), f"Tet {y}: factory closure"))
        if y in EID_AL_FITR:
            d = EID_AL_FITR[y]
            out.append(("BD", d - timedelta(days=4), d + timedelta(days=5), f"Eid al-Fitr {y}: closure"))
        if y in EID_AL_ADHA:
            d = EID_AL_ADHA[y]
            out.append(("BD", d - timedelta(days=3), d + timedelta(days=5), f"Eid al-Adha {y}: closure"))
        if y in DIWALI:
            d = DIWALI[y]
            for code in ("TIR", "AHD"):
                out.append((code, d - timedelta(days=1), d + timedelta(days=3), f"Diwali {y}: closure"))
        out.append(("CN", date(y, 10, 1), date(y, 10, 7), f"Golden Week {y}"))
    return sorted(out, key=lambda c: (c[1], c[0]))


# --- styles -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class StyleSeed:
    """A line of the style catalogue: everything but the number, vendor and colours."""

    cat: str
    description: str
    division: str
    construction: str
    fabric: str
    fiber: str
    sizes: str
    hts: str
    fob: tuple[float, float]
    vendors: tuple[str, ...]
    palette: str


CATEGORIES = {"KT": "Knit Tops", "WB": "Woven Bottoms", "DN": "Denim", "OW": "Outerwear", "DR": "Dresses"}
PALETTES = {
    "knit": ("Optic White", "Black", "Heather Grey", "Navy", "Sage", "Coral", "Butter Yellow",
             "Dusty Rose", "Olive", "Washed Blue", "Terracotta", "Oatmeal"),
    "woven": ("Khaki", "Navy", "Black", "Olive", "Stone", "Dark Fern", "Chambray Blue", "Ivory", "Rust"),
    "denim": ("Rinse", "Dark Indigo", "Mid Wash", "Light Vintage", "Black Rinse", "Ecru"),
    "outer": ("Black", "Navy", "Olive", "Sand", "Cobalt"),
    "dress": ("Black", "Ivory", "Sage", "Blue Floral", "Coral", "Navy Dot", "Terracotta"),
}
_KT_V, _WB_V, _DN_V, _OW_V = ("SHX", "TIR", "DHK"), ("VNS", "NBT"), ("DHK", "AHD"), ("NBT", "VNS")
CATALOGUE: tuple[StyleSeed, ...] = (
    StyleSeed("KT", "Essential Crew Tee", "Men's", "Knit", "Cotton jersey 160 g/m2", "100% Cotton",
              "S-XXL", "6109.10.0012", (4.2, 5.6), _KT_V, "knit"),
    StyleSeed("KT", "Pocket Crew Tee", "Men's", "Knit", "Slub jersey 180 g/m2", "100% Cotton",
              "S-XXL", "6109.10.0012", (4.8, 6.2), _KT_V, "knit"),
    StyleSeed("KT", "Vintage Wash Tee", "Men's", "Knit", "Garment-dyed jersey 200 g/m2", "100% Cotton",
              "S-XXL", "6109.10.0012", (5.5, 7.0), _KT_V, "knit"),
    StyleSeed("KT", "Waffle Henley", "Men's", "Knit", "Thermal waffle 230 g/m2",
              "60% Cotton 40% Polyester", "S-XXL", "6109.10.0012", (7.0, 9.0), _KT_V, "knit"),
    StyleSeed("KT", "Pique Polo", "Men's", "Knit", "Cotton pique 210 g/m2", "100% Cotton",
              "S-XXL", "6205.20.2026", (8.0, 10.5), _KT_V, "knit"),  # deliberate: woven-shirt HTS
    StyleSeed("KT", "Performance Polo", "Men's", "Knit", "Recycled polyester birdseye 150 g/m2",
              "92% Polyester 8% Elastane", "S-XXL", "6105.20.2010", (8.5, 11.0), _KT_V, "knit"),
    StyleSeed("KT", "Relaxed V-Neck Tee", "Women's", "Knit", "Cotton modal jersey 150 g/m2",
              "60% Cotton 40% Modal", "XS-XL", "6109.10.0040", (4.5, 6.0), _KT_V, "knit"),
    StyleSeed("KT", "Slub Boxy Tee", "Women's", "Knit", "Slub jersey 140 g/m2",
              "60% Cotton 35% Modal", "XS-XL", "6109.10.0040", (4.5, 6.0), _KT_V, "knit"),  # deliberate
    StyleSeed("KT", "Rib Crop Tee", "Women's", "Knit", "2x1 rib 180 g/m2", "95% Cotton 5% Elastane",
              "XS-XL", "6109.10.0040", (4.0, 5.5), _KT_V, "knit"),
    StyleSeed("KT", "Striped Breton Top", "Women's", "Knit", "Yarn-dyed interlock 220 g/m2",
              "100% Cotton", "XS-XL", "6106.10.0010", (7.0, 9.0), _KT_V, "knit"),
    StyleSeed("KT", "Long Sleeve Rib Henley", "Women's", "Knit", "Cotton modal rib 190 g/m2",
              "57% Cotton 38% Modal 5% Elastane", "XS-XL", "6106.10.0010", (6.5, 8.5), _KT_V, "knit"),
    StyleSeed("KT", "French Terry Sweatshirt", "Women's", "Knit", "French terry 300 g/m2",
              "80% Cotton 20% Polyester", "XS-XL", "6110.20.2079", (10.0, 13.0), _KT_V, "knit"),
    StyleSeed("KT", "Fleece Pullover Hoodie", "Women's", "Knit", "Brushed fleece 320 g/m2",
              "60% Cotton 40% Polyester", "XS-XL", "6110.20.2079", (11.0, 14.5), _KT_V, "knit"),
    StyleSeed("WB", "Slim Stretch Chino", "Men's", "Woven", "Stretch cotton twill 260 g/m2",
              "98% Cotton 2% Elastane", "28-40", "6203.42.4016", (10.0, 13.0), _WB_V, "woven"),
    StyleSeed("WB", "Relaxed Pleated Chino", "Men's", "Woven", "Cotton twill 280 g/m2", "100% Cotton",
              "28-40", "6203.42.4016", (10.5, 13.5), _WB_V, "woven"),
    StyleSeed("WB", "Flat Front Short 9in", "Men's", "Woven", "Stretch cotton poplin",
              "97% Cotton 3% Elastane", "28-40", "6203.42.4051", (8.0, 10.5), _WB_V, "woven"),
    StyleSeed("WB", "Linen Blend Drawstring Pant", "Women's", "Woven", "Cotton-linen slub",
              "70% Cotton 30% Linen", "XS-XL", "6204.62.4021", (10.0, 13.0), _WB_V, "woven"),
    StyleSeed("WB", "Wide-Leg Trouser", "Women's", "Woven", "Stretch suiting twill",
              "68% Polyester 29% Rayon 3% Elastane", "0-16", "6204.63.3510", (12.0, 15.0), _WB_V, "woven"),
    StyleSeed("WB", "Utility Cargo Pant", "Women's", "Woven", "Cotton ripstop", "100% Cotton",
              "0-16", "6204.62.4021", (11.0, 14.0), _WB_V, "woven"),
    StyleSeed("WB", "Tailored Ankle Pant", "Women's", "Woven", "Cotton sateen", "97% Cotton 3% Elastane",
              "0-16", "6204.62.4021", (11.5, 14.5), _WB_V, "woven"),
    StyleSeed("WB", "Pull-On Poplin Short", "Women's", "Woven", "Cotton poplin", "100% Cotton",
              "XS-XL", "6204.62.4056", (7.0, 9.0), _WB_V, "woven"),
    StyleSeed("DN", "Slim Straight Jean", "Men's", "Woven", "12 oz stretch denim",
              "99% Cotton 1% Elastane", "28-40", "6203.42.4011", (11.0, 14.0), _DN_V, "denim"),
    StyleSeed("DN", "Athletic Taper Jean", "Men's", "Woven", "12.5 oz comfort stretch denim",
              "98% Cotton 2% Elastane", "28-40", "6203.42.4011", (11.5, 14.5), _DN_V, "denim"),
    StyleSeed("DN", "Relaxed Carpenter Jean", "Men's", "Woven", "13.5 oz rigid denim", "100% Cotton",
              "28-40", "6203.42.4011", (12.0, 15.0), _DN_V, "denim"),
    StyleSeed("DN", "High-Rise Skinny Jean", "Women's", "Woven", "10 oz power stretch denim",
              "92% Cotton 6% Polyester 2% Elastane", "24-34", "6204.62.4011", (11.0, 14.0), _DN_V,
              "denim"),
    StyleSeed("DN", "Wide-Leg Jean", "Women's", "Woven", "11 oz rigid denim", "100% Cotton",
              "24-34", "6204.62.4011", (12.0, 15.5), _DN_V, "denim"),
    StyleSeed("DN", "Straight Ankle Jean", "Women's", "Woven", "10.5 oz stretch denim",
              "98% Cotton 2% Elastane", "24-34", "6204.62.4011", (11.5, 14.5), _DN_V, "denim"),
    StyleSeed("DN", "Mom Jean", "Women's", "Woven", "11.5 oz comfort denim", "99% Cotton 1% Elastane",
              "24-34", "6204.62.4011", (12.0, 15.0), _DN_V, "denim"),
    StyleSeed("OW", "Packable Windbreaker", "Men's", "Woven", "Nylon ripstop 40D, DWR finish",
              "Shell: 100% Nylon; Lining: 100% Polyester", "S-XXL", "6201.93.3511", (18.0, 24.0),
              _OW_V, "outer"),
    StyleSeed("OW", "Hooded Anorak", "Men's", "Woven", "Nylon taslan, DWR finish",
              "Shell: 100% Nylon; Lining: 100% Polyester", "S-XXL", "6201.93.3511", (22.0, 28.0),
              _OW_V, "outer"),
    StyleSeed("OW", "Lightweight Puffer Vest", "Men's", "Woven", "Nylon taffeta, polyester padding",
              "Shell: 100% Nylon; Lining: 100% Nylon; Fill: 100% Polyester", "S-XXL", "6201.93.3511",
              (28.0, 36.0), _OW_V, "outer"),
    StyleSeed("OW", "Rain Shell Jacket", "Women's", "Woven", "Recycled polyester taffeta, DWR finish",
              "Shell: 100% Polyester; Lining: 100% Polyester", "XS-XL", "6202.93.5011", (22.0, 30.0),
              ("VNS",), "outer"),  # deliberate: COO mismatch
    StyleSeed("OW", "Quilted Liner Jacket", "Women's", "Woven", "Polyester pongee, quilted",
              "Shell: 100% Polyester; Lining: 100% Polyester; Fill: 100% Polyester", "XS-XL",
              "6202.93.5011", (36.0, 45.0), _OW_V, "outer"),
    StyleSeed("DR", "Knit Midi T-Shirt Dress", "Women's", "Knit", "Cotton modal jersey 170 g/m2",
              "60% Cotton 40% Modal", "XS-XL", "6104.42.0010", (9.0, 12.0), ("SHX", "TIR"), "dress"),
    StyleSeed("DR", "Rib Knit Tank Dress", "Women's", "Knit", "2x2 rib 220 g/m2", "95% Cotton 5% Elastane",
              "XS-XL", "6104.42.0010", (8.5, 11.0), ("SHX", "TIR"), "dress"),
    StyleSeed("DR", "Smocked Poplin Midi Dress", "Women's", "Woven", "Cotton poplin", "100% Cotton",
              "XS-XL", "6204.42.3050", (13.0, 17.0), ("VNS",), "dress"),
    StyleSeed("DR", "Tiered Gauze Maxi Dress", "Women's", "Woven", "Cotton double gauze", "100% Cotton",
              "XS-XL", "6204.42.3050", (14.0, 18.0), ("VNS",), "dress"),
    StyleSeed("DR", "Printed Satin Slip Dress", "Women's", "Woven", "Polyester satin", "100% Polyester",
              "XS-XL", "6204.43.4010", (13.5, 18.0), ("VNS", "NBT"), "dress"),
    StyleSeed("DR", "Chambray Shirt Dress", "Women's", "Woven", "Cotton chambray", "100% Cotton",
              "XS-XL", "6204.42.3050", (14.0, 19.0), ("VNS",), "dress"),
    StyleSeed("DR", "Eyelet Sundress", "Women's", "Woven", "Cotton eyelet, voile lining",
              "Shell: 100% Cotton; Lining: 100% Cotton", "XS-XL", "6204.42.3050", (15.0, 20.0),
              ("VNS",), "dress"),
)
IN_DEVELOPMENT = ("Long Sleeve Rib Henley", "Mom Jean", "Eyelet Sundress")


@dataclass(frozen=True)
class Division:
    """One division's tracker of the demo season: its catalogue, its file, its own numbers and random story."""

    file: str
    catalogue: tuple[StyleSeed, ...]
    seed: str
    """The random story's name: with the day, it decides every choice."""
    first_style: int = 1000
    """Style numbers per category start after this (SS27-KT-1001)."""
    first_po: int = 4500012345
    lines: int = 150
    functions: bool = True
    """Whether the workbook carries the Functions example sheet."""
"""Styles still in proto for the line review: no orders yet."""
DROPPED = ("Hooded Anorak",)
COO_MISMATCH = {"Rain Shell Jacket": "China"}


def template_for(seed: StyleSeed) -> str:
    """The T&A plan follows the product: knits 90 days, wovens and denim 120."""
    if seed.cat == "DN":
        return "Denim 120"
    return "Knit 90" if seed.construction == "Knit" else "Woven 120"


# --- T&A templates ----------------------------------------------------------------------------

_W, _C = DayType.WORKING.value, DayType.CALENDAR.value
# (code, milestone, owner, anchor, offset, day type, critical, stage). Development steps run
# forward from the PO date; materials and production are worked back from ex-factory, so a late
# fabric booking pushes cutting, sewing and the ex-factory forecast with it.
_SHIPPING = (
    ("BKC", "Booking confirmed with forwarder", "Forwarder", "XF", -10, _W, True, "Shipping"),
    ("XF", "Ex-factory", "Vendor", "Ex-Factory", 0, _W, True, "Shipping"),
    ("ETD", "Vessel / flight departs (ETD)", "Forwarder", "XF", 4, _C, False, "Shipping"),
    ("IDC", "Received in DC", "Forwarder", "In-DC", 0, _C, True, "Shipping"),
)
TEMPLATE_ROWS: dict[str, tuple[tuple[Any, ...], ...]] = {
    "Knit 90": (
        ("LDS", "Lab dip submit (A/B/C)", "Mill", "PO Date", 5, _W, False, "Development"),
        ("LDA", "Lab dip approval", "Buyer", "LDS", 7, _W, True, "Development"),
        ("FSS", "Fit sample submit", "Vendor", "PO Date", 7, _W, False, "Development"),
        ("FSC", "Fit comments to vendor", "Tech Design", "FSS", 7, _W, False, "Development"),
        ("SOS", "Print strike-off submit", "Mill", "PO Date", 7, _W, False, "Development"),
        ("SOA", "Strike-off approval", "Buyer", "SOS", 5, _W, False, "Development"),
        ("FBK", "Bulk yarn / fabric booking", "Vendor", "FIH", -30, _W, True, "Materials"),
        ("TBK", "Bulk trims booking", "Vendor", "TIH", -20, _W, False, "Materials"),
        ("YIH", "Bulk yarn in-house", "Mill", "FIH", -12, _W, False, "Materials"),
        ("FIH", "Bulk fabric in-house", "Mill", "CUT", -5, _W, True, "Materials"),
        ("TIH", "Trims in-house", "Vendor", "CUT", -6, _W, True, "Materials"),
        ("PPS", "PP sample submit", "Vendor", "PPA", -7, _W, True, "Development"),
        ("PPA", "PP sample approval", "Tech Design", "CUT", -5, _W, True, "Development"),
        ("PPM", "Pre-production meeting", "Vendor", "CUT", -2, _W, False, "Production"),
        ("CUT", "Bulk cutting start", "Vendor", "XF", -22, _W, True, "Production"),
        ("SEW", "Sewing start", "Vendor", "CUT", 3, _W, False, "Production"),
        ("INL", "Inline inspection (20-30% sewn)", "QA", "XF", -12, _W, False, "Production"),
        ("PCK", "Packing complete", "Vendor", "XF", -3, _W, False, "Production"),
        ("FRI", "Final random inspection", "QA", "XF", -2, _W, True, "Production"),
        *_SHIPPING,
    ),
    "Woven 120": (
        ("LDS", "Lab dip submit (A/B/C)", "Mill", "PO Date", 5, _W, False, "Development"),
        ("LDA", "Lab dip approval", "Buyer", "LDS", 8, _W, True, "Development"),
        ("FSS", "Fit sample submit", "Vendor", "PO Date", 10, _W, False, "Development"),
        ("FSC", "Fit comments to vendor", "Tech Design", "FSS", 7, _W, False, "Development"),
        ("FS2", "2nd fit sample submit", "Vendor", "FSC", 12, _W, False, "Development"),
        ("FC2", "2nd fit comments", "Tech Design", "FS2", 7, _W, False, "Development"),
        ("FBK", "Bulk fabric booking", "Vendor", "FIH", -40, _W, True, "Materials"),
        ("TBK", "Bulk trims booking", "Vendor", "TIH", -25, _W, False, "Materials"),
        ("FIH", "Bulk fabric in-house", "Mill", "CUT", -5, _W, True, "Materials"),
        ("FTP", "Bulk fabric test passed", "QA", "FIH", 3, _W, False, "Materials"),
        ("TIH", "Trims in-house", "Vendor", "CUT", -7, _W, True, "Materials"),
        ("PPS", "PP sample submit", "Vendor", "PPA", -8, _W, True, "Development"),
        ("PPA", "PP sample approval", "Tech Design", "CUT", -5, _W, True, "Development"),
        ("CUT", "Bulk cutting start", "Vendor", "XF", -25, _W, True, "Production"),
        ("SEW", "Sewing start", "Vendor", "CUT", 3, _W, False, "Production"),
        ("INL", "Inline inspection (20-30% sewn)", "QA", "XF", -14, _W, False, "Production"),
        ("PCK", "Packing complete", "Vendor", "XF", -3, _W, False, "Production"),
        ("FRI", "Final random inspection", "QA", "XF", -2, _W, True, "Production"),
        *_SHIPPING,
    ),
    "Denim 120": (
        ("WSS", "Wash standard submit", "Vendor", "PO Date", 8, _W, False, "Development"),
        ("WSA", "Wash standard approval", "Buyer", "WSS", 7, _W, True, "Development"),
        ("FSS", "Fit sample submit", "Vendor", "PO Date", 10, _W, False, "Development"),
        ("FSC", "Fit comments to vendor", "Tech Design", "FSS", 7, _W, False, "Development"),
        ("FBK", "Bulk denim booking", "Vendor", "FIH", -40, _W, True, "Materials"),
        ("TBK", "Trims booking (rivets, shanks, patch)", "Vendor", "TIH", -25, _W, False, "Materials"),
        ("FIH", "Bulk denim in-house", "Mill", "CUT", -5, _W, True, "Materials"),
        ("SHT", "Bulk shrinkage / stretch test", "QA", "FIH", 2, _W, False, "Materials"),
        ("TIH", "Trims in-house", "Vendor", "CUT", -7, _W, True, "Materials"),
        ("PPS", "PP sample submit (bulk wash)", "Vendor", "PPA", -8, _W, True, "Development"),
        ("PPA", "PP sample approval", "Tech Design", "CUT", -5, _W, True, "Development"),
        ("CUT", "Bulk cutting start", "Vendor", "XF", -28, _W, True, "Production"),
        ("SEW", "Sewing start", "Vendor", "CUT", 3, _W, False, "Production"),
        ("INL", "Inline inspection (20-30% sewn)", "QA", "XF", -16, _W, False, "Production"),
        ("WSH", "Bulk wash start", "Vendor", "XF", -12, _W, False, "Production"),
        ("BWA", "First bulk wash lot approval", "Buyer", "WSH", 3, _W, True, "Production"),
        ("PCK", "Packing complete", "Vendor", "XF", -3, _W, False, "Production"),
        ("FRI", "Final random inspection", "QA", "XF", -2, _W, True, "Production"),
        *_SHIPPING,
    ),
}
LEAD_DAYS = {"Knit 90": (86, 94), "Woven 120": (114, 126), "Denim 120": (114, 126)}
"""Calendar days from PO date to ex-factory, before closures are added."""

# --- orders -----------------------------------------------------------------------------------

SEA_TRANSIT = {"Shanghai": 21, "Ningbo": 22, "Ho Chi Minh City": 25, "Chittagong": 33,
               "Chennai": 31, "Nhava Sheva": 30}
"""Ex-factory to in-DC by sea, days, to the West Coast DC (rule of thumb incl. port time)."""
DCS = {"Ontario CA": 0, "Columbus OH": 4}
"""DC and the extra days inland from the West Coast port."""
AIR_TRANSIT = 7


@dataclass
class Line:
    """A PO line as it goes on the Orders sheet, plus what the demo needs to know about it."""

    po: str
    style: str
    color: str
    vendor: str
    template: str
    qty: int
    ship_mode: str
    po_date: date
    ex_factory: date
    in_dc: date
    cancel: date
    port: str
    dc: str
    terms: str = "FOB"
    """FOB: the cancel date is judged on the ex-factory; DDP: on arrival at the DC."""
    line_status: str | None = None
    """Orders' Line Status: blank for a live line; one line is 'Cancelled by buyer' (``with_a_cancellation``)."""


def _money(x: float) -> float:
    return round(x, 2)


def _retail(rng: random.Random, fob: float) -> float:
    """Retail at 2.5-4x first cost, rounded down to a .99 or .50 price point."""
    price = fob * rng.uniform(2.8, 3.9)
    return int(price) - rng.choice((0.01, 0.01, 0.5))


def season_of(today: date) -> str:
    """The season most of the demo's deliveries land in: SS (Jan-Jun) or FW (Jul-Dec)."""
    mid = today + timedelta(days=90)
    return f"{'SS' if mid.month <= 6 else 'FW'}{mid.year % 100:02d}"


def build_styles(rng: random.Random, today: date, catalogue: Sequence[StyleSeed] = CATALOGUE,
                 first: int = 1000) -> list[dict[str, Any]]:
    season = season_of(today)
    styles = []
    numbers: dict[str, int] = {}
    for seed in catalogue:
        n = numbers[seed.cat] = numbers.get(seed.cat, first) + 1
        vendor = VENDOR_BY_CODE[rng.choice(seed.vendors)]
        colors = rng.sample(PALETTES[seed.palette], rng.randint(2, 4))
        fob = _money(rng.uniform(*seed.fob))
        adopted: date | None
        status, adopted = "Adopted", today - timedelta(days=rng.randint(160, 190))
        if seed.description in IN_DEVELOPMENT:
            status, adopted = "Proto", None
        elif seed.description in DROPPED:
            status = "Dropped"
        styles.append({
            "style": f"{season}-{seed.cat}-{n}", "season": season, "division": seed.division,
            "description": seed.description, "category": CATEGORIES[seed.cat],
            "construction": seed.construction, "fabric": seed.fabric, "fiber_content": seed.fiber,
            "colors": ", ".join(colors), "size_range": seed.sizes, "vendor": vendor.code,
            "factory": vendor.factory, "coo": COO_MISMATCH.get(seed.description, vendor.country),
            "hts": seed.hts, "fob": fob, "retail": _retail(rng, fob), "status": status,
            "adopted_date": adopted, "template": template_for(seed), "_seed": seed})
    return styles


def _closed_days(cal: FactoryCalendar, start: date, end: date) -> int:
    """Working days lost to holidays and closures between two dates (weekends not counted)."""
    return sum(1 for h in cal.holidays if start <= h <= end)


def _ex_factory(cal: FactoryCalendar, po_date: date, lead: int) -> date:
    """PO date + lead, stretched by the days the factory is closed, on a working day.

    Teams plan around Chinese New Year and Eid instead of through them: a
    closure inside the lead time moves the ex-factory date by its length.
    """
    xf = po_date + timedelta(days=lead)
    lost = _closed_days(cal, po_date, xf)
    if lost >= 5:  # a closure of a week or more, not the odd public holiday
        xf = po_date + timedelta(days=lead + lost)
    while not cal.is_working_day(xf):
        xf -= timedelta(days=1)
    return xf


SEASON_WINDOW = (-150, 20)
"""PO dates, in days from today: about 5 months back (shipped and in-production lines, with WIP to
report) to 3 weeks ahead (just placed)."""


def build_orders(rng: random.Random, today: date, styles: Sequence[dict[str, Any]],
                 calendars: dict[str, FactoryCalendar], target: int = 150, first_po: int = 4500012345
                 ) -> list[Line]:
    """PO lines (PO x style x colour): one flow per style, then repeat flows up to ``target``."""
    ordered = [s for s in styles if s["status"] == "Adopted"]
    po_no = first_po + rng.randint(0, 500)
    lines: list[Line] = []

    def place(style: dict[str, Any], po_date: date) -> None:
        nonlocal po_no
        po_no += rng.randint(3, 40)
        vendor = VENDOR_BY_CODE[style["vendor"]]
        cal = calendars[vendor.code]
        colors = style["colors"].split(", ")
        lead = rng.randint(*LEAD_DAYS[style["template"]])
        xf = _ex_factory(cal, po_date, lead)
        air = rng.random() < 0.08
        dc = rng.choice(tuple(DCS))
        in_dc = xf + timedelta(days=AIR_TRANSIT if air else SEA_TRANSIT[vendor.port] + DCS[dc])
        tight = rng.random() < 0.06
        cancel = in_dc + timedelta(days=rng.randint(1, 3) if tight else rng.randint(7, 14))
        for color in rng.sample(colors, min(len(colors), rng.randint(1, 3))):
            qty = rng.randrange(25, 160 if air else 500) * 12
            lines.append(Line(str(po_no), style["style"], color, vendor.code, style["template"], qty,
                              "Air" if air else "Sea", po_date, xf, in_dc, cancel, vendor.port, dc))

    # Spread each vendor's first POs over the whole window, so that every vendor has shipped,
    # in-work and just-placed orders on any day.
    first: dict[str, date] = {}
    for code in VENDOR_BY_CODE:
        own = [s for s in ordered if s["vendor"] == code]
        for k in rng.sample(range(len(own)), len(own)):
            offset = SEASON_WINDOW[0] + int((k + rng.random()) * (SEASON_WINDOW[1] - SEASON_WINDOW[0]) / len(own))
            first[own[k]["style"]] = today + timedelta(days=offset)
    for style in ordered:
        place(style, first[style["style"]])
    while len(lines) < target:
        style = rng.choice(ordered)
        again = first[style["style"]] + timedelta(days=rng.randint(21, 45))
        if again > today + timedelta(days=20):
            again = first[style["style"]] - timedelta(days=rng.randint(21, 35))
        place(style, max(again, today + timedelta(days=SEASON_WINDOW[0])))
    return lines


# --- the engine's view of the demo ------------------------------------------------------------

FILE = DEMO_FILE


def _frame(records: Sequence[dict[str, Any]], fields: Sequence[str]) -> pd.DataFrame:
    """Validated-table shape the engine takes: the fields plus ``_row`` (sheet row numbers)."""
    frame = pd.DataFrame([{f: r.get(f) for f in fields} for r in records], columns=list(fields))
    frame["_row"] = range(2, len(frame) + 2)
    return frame


def vendor_rows() -> list[dict[str, Any]]:
    return [{"vendor": v.code, "name": v.name, "country": v.country, "email": f"merch@{v.domain}",
             "cc": f"qa@{v.domain}; shipping@{v.domain}", "weekend": v.weekend,
             "holiday_country": v.holiday_country} for v in VENDOR_LIST]


def closure_rows(today: date) -> list[dict[str, Any]]:
    """Closures for the years the demo season touches."""
    return [{"calendar": c, "start": a, "end": b, "reason": why}
            for c, a, b, why in closures(range(today.year - 1, today.year + 2))]


def template_rows() -> list[dict[str, Any]]:
    return [{"template": name, "code": code, "milestone": milestone, "owner": owner, "anchor": anchor,
             "offset": offset, "day_type": day_type, "critical": "Yes" if critical else "No",
             "stage": stage}
            for name, rows in TEMPLATE_ROWS.items()
            for code, milestone, owner, anchor, offset, day_type, critical, stage in rows]


def _calendars(vendors: Sequence[dict[str, Any]], closed: Sequence[dict[str, Any]], years: Iterable[int]
               ) -> dict[str, FactoryCalendar]:
    """The factory calendars exactly as the T&A job builds them from the Vendors and Closures sheets."""
    calendars, _, _ = vendor_calendars(_frame(vendors, VENDORS.fields), _frame(closed, CLOSURES.fields),
                                       years, file=FILE)
    return calendars


def plan_orders(styles: Sequence[dict[str, Any]], lines: Sequence[Line],
                calendars: dict[str, FactoryCalendar]) -> tuple[dict[str, ta.Plan], pd.DataFrame]:
    """Compile the templates and plan every PO line with the real engine."""
    plans, findings = ta.compile_templates(_frame(template_rows(), TEMPLATES.fields)
                                           .assign(critical=lambda f: f["critical"] == "Yes"), file=FILE)
    if findings:  # the demo's own templates must be sound
        raise AssertionError(f"demo templates do not compile: {findings}")
    orders = _frame([vars(ln) for ln in lines], ORDERS.fields)
    default = next(iter(calendars.values()))
    planned, findings = ta.schedule(plans, orders, _frame(styles, STYLES.fields), calendars, default,
                                    file=FILE)
    if findings:
        raise AssertionError(f"demo orders do not plan: {findings}")
    return plans, planned


# --- what has happened by today ---------------------------------------------------------------

Edges = dict[str, list[tuple[str, int | None, DayType]]]
"""``ta.time_edges``: lag None only for in-DC links to the ex-factory, which the demo does not ask for."""


def _shift(cal: FactoryCalendar, d: date, days: int, day_type: DayType) -> date:
    return d + timedelta(days=days) if day_type is DayType.CALENDAR else cal.workday(d, days)


def _on_working_day(cal: FactoryCalendar, d: date) -> date:
    """Factories do not report work on days they are closed: move back to the last working day."""
    return d if cal.is_working_day(d) else cal.workday(d, -1)


XF_CODE = "XF"
HOLDS_GOOD, HOLDS_STRUGGLING = 0.8, 0.3
"""Chance that a vendor recovers an upstream slip and ships on the planned ex-factory date."""


def _noise(rng: random.Random) -> int:
    """Days an actual lands from its forecast: mostly on time, some early, ~15% late."""
    r = rng.random()
    if r < 0.10:
        return -rng.randint(1, 2)
    if r < 0.85:
        return 0
    return rng.randint(1, 6)


@dataclass
class Walk:
    """One PO line's milestones by today: the Actual dates, Notes, and forecasts as the engine sees them."""

    actual: dict[str, date | None]
    forecast: dict[str, date]
    notes: dict[str, str] = field(default_factory=dict)
    reported_to: date | None = None
    """The day the vendor's reporting on this line runs to (``live_actuals``)."""
    forced: dict[str, date] = field(default_factory=dict)
    """Actuals set rather than walked: a late booking, a sample's Shipped date."""


def walk_line(plan: ta.Plan, edges: tuple[tuple[str, ...], Edges], planned: dict[str, date],
              cal: FactoryCalendar, today: date, reported_to: date, rng: random.Random,
              forced: dict[str, date] | None = None, holds: float = 0.0,
              hold_rng: random.Random | None = None) -> Walk:
    """Walk a PO line's milestones in time order, as the engine forecasts them.

    A milestone whose forecast is on or before ``reported_to`` happened (its
    Actual is the forecast give or take a few days); later ones stay open, and
    those planned before today show as Overdue. ``forced`` sets an Actual.
    With chance ``holds`` (drawn from ``hold_rng``) the factory makes up an
    upstream slip with overtime and ships on the planned ex-factory date (not
    before its last step before ex-factory): good vendors mostly do, the
    struggling ones seldom, which is what the vendor scorecard measures.
    """
    order, preds = edges
    forced = forced or {}
    later = ta.later_in_stage(plan, XF_CODE, preds)
    actual: dict[str, date | None] = {}
    effective: dict[str, date] = {}
    for code in order:
        fc = planned[code]
        for pred, lag, day_type in preds[code]:
            if code == XF_CODE and _spent(pred, later, actual):
                continue
            if effective[pred] > planned[pred]:
                assert lag is not None, "time_edges(plan) without an ex-factory code has no lag-less edges"
                fc = max(fc, _shift(cal, effective[pred], lag, day_type))
        done = forced.get(code)
        if done is None and fc <= reported_to:
            done = fc + timedelta(days=_noise(rng))
            if plan.step(code).day_type is DayType.WORKING:
                done = _on_working_day(cal, done)
            if done >= today:
                done = None
        if done and code == XF_CODE and hold_rng is not None and done > planned[code] \
                and hold_rng.random() < holds:
            ready = max((effective[p] for p, _, _ in preds[code]), default=planned[code])
            done = max(planned[code], ready)
        actual[code] = done
        effective[code] = done if done else (today if fc < today else fc)
    return Walk(actual, effective)


def _spent(code: str, later: dict[str, tuple[str, ...]], actual: dict[str, date | None]) -> bool:
    """A step done before a later step of its stage was done, or still open when one was: the line caught up,
    its slip pushes no more (``ta._caught_up``; the walk's Actuals are all on or before today)."""
    mine = actual.get(code)
    return any((theirs := actual.get(q)) is not None and (mine is None or theirs >= mine)
               for q in later.get(code, ()))


NOTES: dict[str, tuple[str, ...]] = {
    "LDA": ("Option B approved", "Approved on 2nd submit: A/B/C too red on 1st",
            "Approved with comments: slightly lighter in bulk"),
    "FSC": ("Comments sent: lengthen body 1 cm, narrow sleeve opening", "Fit approved as sample",
            "Comments sent: ease hip 1/2 in, raise back rise 1/4 in"),
    "WSA": ("Approved: slightly less abrasion at knee in bulk",),
    "PPA": ("Approved with comments: adjust neck rib tension", "Approved",
            "Approved; match bulk shade to approved dip"),
    "FIH": ("Shade band approved; 3% over-delivery",),
    "INL": ("Inline passed: minor puckering at side seam, corrected",),
    "FRI": ("Passed AQL 2.5", "Passed AQL 2.5 after re-inspection of 2 cartons"),
    "BKC": ("SO received from forwarder",),
    "XF": ("Shipped in full", "Shipped 2% short, within tolerance"),
}
STUCK_NOTES = {
    "FBK": "Vendor: mill has not confirmed bulk booking, chasing daily",
    "TBK": "Vendor: trims supplier waiting for approved artwork",
    "YIH": "Vendor: yarn delayed at spinner, no ETA yet",
    "FIH": "Vendor: bulk fabric failed shade, re-dyeing",
    "TIH": "Vendor: zippers delayed at supplier, new ETA pending",
    "PPS": "Vendor: PP sample waiting for bulk fabric",
    "PPA": "PP sample comments outstanding with tech design",
}
XF_TREE = tuple(STUCK_NOTES)


DDP_SHARE = 0.08
"""About this share of POs ship DDP: the vendor delivers to the DC."""


def with_terms(today: date, lines: Sequence[Line], walks: Sequence[Walk]) -> list[Line]:
    """The lines with their PO's terms: a few DDP POs, the rest FOB.

    One DDP PO (two if there are) is one whose ex-factory, as forecast, leaves the
    factory by the cancel date but reaches the DC after it: the case where the
    terms decide whether the line is late for cancel. Drawn from a random stream
    of its own, so the rest of the story does not move.
    """
    rng = random.Random(f"prodbook-demo-terms-{today.isoformat()}")
    by_po: dict[str, list[int]] = {}
    for i, ln in enumerate(lines):
        by_po.setdefault(ln.po, []).append(i)

    def arrives_after_cancel(i: int) -> bool:
        ln, xf = lines[i], walks[i].forecast["XF"]
        return not walks[i].actual.get("IDC") and xf <= ln.cancel < xf + (ln.in_dc - ln.ex_factory)

    showcase = [po for po, idx in by_po.items() if any(arrives_after_cancel(i) for i in idx)]
    ddp = set(rng.sample(showcase, min(2, len(showcase))))
    ddp |= {po for po in by_po if rng.random() < DDP_SHARE}
    return [replace(ln, terms="DDP") if ln.po in ddp else ln for ln in lines]


CANCELLED_BY_BUYER = "Cancelled by buyer"
CANCELLING_VENDORS = ("SHX", "DHK", "NBT")
"""Vendors whose weekly report is this week's: the cancelled line is one of theirs, still in production."""


def with_a_cancellation(today: date, lines: Sequence[Line], walks: Sequence[Walk]) -> list[Line]:
    """The lines with one cancelled by the buyer after cutting started: an FOB line of a vendor that reports
    weekly, cut before its report's date (a week ago at the latest) and not yet packed. Its vendor's report
    still shows it moving (the factory was not told), which is what the APM must catch; prodbook archives
    its T&A."""
    def fits(i: int, packed_too: bool) -> bool:
        ln, w = lines[i], walks[i]
        cut = w.actual.get("CUT")
        return (ln.vendor in CANCELLING_VENDORS and ln.terms == "FOB" and cut is not None
                and cut <= today - timedelta(days=7) and (packed_too or not w.actual.get("PCK"))
                and not w.actual.get("XF"))
    order = sorted(range(len(lines)), key=lambda i: (CANCELLING_VENDORS.index(lines[i].vendor)
                                                     if lines[i].vendor in CANCELLING_VENDORS else 9, lines[i].po))
    pick = next((i for i in order if fits(i, False)), None)
    pick = next((i for i in order if fits(i, True)), None) if pick is None else pick  # packed, not shipped
    return [replace(ln, line_status=CANCELLED_BY_BUYER) if i == pick else ln for i, ln in enumerate(lines)]


def planned_by_row(planned: pd.DataFrame) -> dict[int, dict[str, date]]:
    """The engine's Planned dates per Orders row (2 = the first PO line), by milestone code."""
    return {cast(int, row): dict(zip(g["code"], (t.date() for t in g["planned"])))
            for row, g in planned.groupby("order_row", sort=False)}


def live_actuals(rng: random.Random, today: date, lines: Sequence[Line], plans: dict[str, ta.Plan],
                 planned: pd.DataFrame, calendars: dict[str, FactoryCalendar]) -> list[Walk]:
    """Actual dates per PO line so that today shows done, overdue, due-soon and at-risk work.

    Good vendors report everything up to yesterday; the struggling ones (NBT,
    DHK) report days or weeks behind, which is where the overdue milestones
    gather. One line has a fabric booking confirmed weeks late, and three lines
    of the struggling vendors are stuck on a materials milestone: their
    ex-factory is forecast after the cancel date.
    """
    by_line = planned_by_row(planned)
    edges = {name: ta.time_edges(plan) for name, plan in plans.items()}
    margin = [(ln.cancel - ln.ex_factory).days for ln in lines]
    yesterday = today - timedelta(days=1)

    reported = []
    for ln in lines:
        if VENDOR_BY_CODE[ln.vendor].struggling:
            behind = rng.choice((0, 3, 5, 8, 12, 16, 21))
        else:
            behind = rng.choices((0, 1, 3), weights=(80, 12, 8))[0]
        reported.append(yesterday - timedelta(days=behind))

    forced: dict[int, dict[str, date]] = {}
    notes: dict[int, dict[str, str]] = {}

    def misses_cancel(i: int, reported_to: date, force: dict[str, date] | None = None) -> bool:
        """Would the engine forecast this line's ex-factory after its cancel date?

        Tried rather than estimated: a closure (Chinese New Year) inside the plan
        absorbs part of a slip, so calendar-day margins mislead.
        """
        ln = lines[i]
        trial = walk_line(plans[ln.template], edges[ln.template], by_line[i + 2], calendars[ln.vendor],
                          today, reported_to, random.Random(0), force)
        return trial.forecast["XF"] > ln.cancel

    open_future = [i for i, ln in enumerate(lines) if ln.ex_factory > today + timedelta(days=5)]
    struggling = {i for i in open_future if VENDOR_BY_CODE[lines[i].vendor].struggling}
    # One line of a good vendor: the fabric booking confirmed weeks late pushes everything after it.
    for i in sorted((k for k in open_future if k not in struggling), key=lambda k: (margin[k], k)):
        fbk = by_line[i + 2]["FBK"]
        late = margin[i] + rng.randint(8, 14)
        while fbk + timedelta(days=late) < yesterday:
            done = _on_working_day(calendars[lines[i].vendor], fbk + timedelta(days=late))
            if misses_cancel(i, reported[i], {"FBK": done}):
                forced[i] = {"FBK": done}
                notes[i] = {"FBK": f"Mill capacity: booking confirmed {(done - fbk).days} days late; "
                                   "vendor asks to move XF"}
                break
            late += 7
        if forced:
            break
    # A few lines, of the struggling vendors if they have any at risk, stuck on a materials step.
    stuck: list[tuple[int, str]] = []
    for pool in (sorted(struggling), [k for k in open_future if k not in struggling]):
        for i in pool:
            if i in forced or len(stuck) >= 8:
                continue
            overdue = sorted((c for c in XF_TREE if c in by_line[i + 2] and by_line[i + 2][c] < today),
                             key=lambda c: by_line[i + 2][c], reverse=True)
            code = next((c for c in overdue if misses_cancel(i, by_line[i + 2][c] - timedelta(days=1))),
                        None)
            if code:
                stuck.append((i, code))
        if len(stuck) >= 3:
            break
    for i, code in rng.sample(stuck, min(3, len(stuck))):
        reported[i] = by_line[i + 2][code] - timedelta(days=1)
        notes[i] = {code: STUCK_NOTES[code]}

    walks = []
    for i, ln in enumerate(lines):
        holds = HOLDS_STRUGGLING if VENDOR_BY_CODE[ln.vendor].struggling else HOLDS_GOOD
        w = walk_line(plans[ln.template], edges[ln.template], by_line[i + 2], calendars[ln.vendor],
                      today, reported[i], rng, forced.get(i), holds,
                      random.Random(f"prodbook-demo-holds-{today.isoformat()}-{i}"))
        w.notes, w.reported_to, w.forced = notes.get(i, {}), reported[i], forced.get(i, {})
        for code, happened in w.actual.items():
            if happened and code in NOTES and code not in w.notes and rng.random() < 0.12:
                w.notes[code] = rng.choice(NOTES[code])
        walks.append(w)
    settled = {*forced, *(i for i, _ in stuck)}
    k = next((i for i in sorted(range(len(lines)), key=lambda i: (by_line[i + 2].get("XF") or today, i))
              if i not in settled and _may_catch_up(lines[i], walks[i], by_line[i + 2], today)), None)
    if k is not None:
        ln = lines[k]
        walks[k] = caught_up(plans[ln.template], edges[ln.template], by_line[k + 2], calendars[ln.vendor],
                             today, walks[k], random.Random(f"prodbook-demo-caught-up-{today.isoformat()}-{k}"))
    return walks


CAUGHT_UP_NOTES = {"CUT": "Cutting started 4 days late: marker waiting on graded patterns",
                   "INL": "Inline on time: vendor added a second sewing line to make up the late cut"}


def _may_catch_up(ln: Line, w: Walk, planned: dict[str, date], today: date) -> bool:
    """A good vendor's line cut and inline-inspected on time, packing still to come (not yet due)."""
    if VENDOR_BY_CODE[ln.vendor].struggling or not {"CUT", "SEW", "INL", "PCK"} <= planned.keys():
        return False
    cut, inline = w.actual.get("CUT"), w.actual.get("INL")
    return (cut is not None and cut <= planned["CUT"] and inline is not None and inline <= planned["INL"]
            and planned["PCK"] > today and w.reported_to is not None and planned["INL"] <= w.reported_to)


def caught_up(plan: ta.Plan, edges: tuple[tuple[str, ...], Edges], planned: dict[str, date],
              cal: FactoryCalendar, today: date, w: Walk, rng: random.Random) -> Walk:
    """The line walked again with cutting 4 working days late and the inline inspection on time: the factory
    caught up, and the engine forecasts the ex-factory on its Planned date (README: a line that catches up).
    Steps before cutting keep their Actuals; ``rng`` is the line's own, so no other line changes."""
    cut = cal.workday(planned["CUT"], 4)
    kept = {c: a for c, a in w.actual.items() if a is not None and planned[c] < planned["CUT"]}
    plant = {"CUT": cut, "SEW": cal.workday(cut, 1), "INL": planned["INL"]}
    assert w.reported_to is not None
    new = walk_line(plan, edges, planned, cal, today, w.reported_to, rng, {**kept, **plant})
    new.reported_to, new.forced = w.reported_to, {**w.forced, **plant}
    new.notes = {**{c: n for c, n in w.notes.items() if c in kept}, **CAUGHT_UP_NOTES}
    return new


def ta_rows(lines: Sequence[Line], plans: dict[str, ta.Plan], walks: Sequence[Walk],
            planned: Sequence[dict[str, date]] = ()) -> list[dict[str, Any]]:
    """T&A rows for what the team typed: Actual dates and Notes; prodbook fills the rest. A line cancelled
    since the last run (``with_a_cancellation``) has its whole plan as that run left it: it goes to the T&A
    archive as it was."""
    out = []
    for k, (ln, w) in enumerate(zip(lines, walks)):
        for step in plans[ln.template].steps:
            done, note = w.actual.get(step.code), w.notes.get(step.code)
            if ln.line_status and k < len(planned):
                out.append({"po": ln.po, "style": ln.style, "color": ln.color, "vendor": ln.vendor,
                            "code": step.code, "milestone": step.milestone, "owner": step.owner,
                            "planned": planned[k].get(step.code), "forecast": w.forecast.get(step.code),
                            "actual": done, "notes": note})
            elif done or note:
                out.append({"po": ln.po, "style": ln.style, "color": ln.color, "code": step.code,
                            "actual": done, "notes": note})
    return out


# --- lab dips and samples ---------------------------------------------------------------------

DIRECTIONS = ("too red", "too green", "too dark", "too yellow", "too flat, needs brightness", "too blue")


def lab_dip_rows(rng: random.Random, today: date, lines: Sequence[Line], walks: Sequence[Walk],
                 styles: dict[str, dict[str, Any]], pairs: int = 20) -> list[dict[str, Any]]:
    """Submission rounds of the first dyed colours: three options per round, the buyer picks or rejects."""
    seen: set[tuple[str, str]] = set()
    chosen = []
    for ln, w in sorted(zip(lines, walks), key=lambda lw: lw[0].po_date):
        key = (ln.style, ln.color)
        if ln.template != "Denim 120" and key not in seen and (submitted := w.actual.get("LDS")):
            seen.add(key)
            chosen.append((ln, submitted))
    out = []
    for n, (ln, submitted) in enumerate(chosen[:pairs]):
        out += _dip_rounds(rng, today, ln, styles[ln.style], submitted,
                           rounds=rng.choices((1, 2, 3), weights=(6, 3, 1))[0], cancelled_first=n == 7)
    return out


def _dip_rounds(rng: random.Random, today: date, ln: Line, style: dict[str, Any], submitted: date,
                rounds: int, cancelled_first: bool) -> list[dict[str, Any]]:
    """The rounds of one colour, up to today: rejected rounds, then an approval (or still open)."""
    out = []
    if cancelled_first:  # a round that does not count: the next one is a resubmit
        rounds = max(rounds, 2)
    for r in range(1, rounds + 1):
        dip = f"LD-{rng.randint(1000, 9999)}"
        received = submitted + timedelta(days=rng.randint(3, 5))
        decided = received + timedelta(days=rng.randint(1, 3))
        row = {"style": ln.style, "color": ln.color, "fabric": style["fabric"],
               "mill": VENDOR_BY_CODE[ln.vendor].mill, "round": r, "submitted": submitted,
               "comments": f"Options A/B/C sent ({dip}A-C)"}
        out.append(row)
        if received > today:
            break
        row["received"] = received
        if decided > today:
            row["comments"] = f"Options A/B/C ({dip}A-C) under review: D65 then TL84"
            break
        row["decision_date"] = decided
        if r < rounds:
            if cancelled_first and r == 1:
                row["decision"] = "Cancelled"
                row["comments"] = "Dipped on the wrong base quality; resubmit on bulk fabric"
            else:
                row["decision"] = "Rejected"
                row["comments"] = f"A/B/C all {rng.choice(DIRECTIONS)} under D65; resubmit"
            submitted = decided + timedelta(days=rng.randint(4, 7))
            if submitted > today:
                break
            continue
        pick = rng.choice("ABC")
        if rng.random() < 0.35:
            row["decision"] = "Approved with comments"
            row["comments"] = (f"Option {pick} ({dip}{pick}) approved: "
                               f"{rng.choice(('slightly lighter', 'a touch yellower', 'cleaner'))} "
                               "in bulk, Delta E CMC <= 0.8")
        else:
            row["decision"], row["comments"] = "Approved", f"Option {pick} ({dip}{pick}) approved"
    return out


def _courier(rng: random.Random) -> tuple[str, str]:
    """A courier and a tracking number in that courier's format."""
    name = rng.choice(("DHL", "DHL", "FedEx", "UPS"))
    if name == "DHL":
        return name, "".join(rng.choice("0123456789") for _ in range(10))
    if name == "FedEx":
        return name, "".join(rng.choice("0123456789") for _ in range(12))
    return name, "1Z" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(16))


SAMPLE_SIZE = {"S-XXL": "M", "XS-XL": "S", "28-40": "32", "0-16": "8", "24-34": "27"}


def _sample(rng: random.Random, today: date, style: dict[str, Any], kind: str, purpose: str,
            color: str | None, qty: int, requested: date, due: date, shipped: date | None,
            decided: date | None, verdicts: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """A sample request in the state its dates put it in."""
    row = {"style": style["style"], "sample_type": kind, "purpose": purpose, "color": color,
           "size": SAMPLE_SIZE.get(style["size_range"], "M"), "qty": qty, "requested": requested,
           "due": due, "status": "Requested", "comments": None}
    if shipped and shipped <= today:
        row["shipped"] = shipped
        row["courier"], row["tracking"] = _courier(rng)
        row["status"] = "Shipped"
        received = shipped + timedelta(days=rng.randint(3, 5))
        if received <= today:
            row["received"], row["status"] = received, "Received"
            if decided and decided <= today:
                row["status"], row["comments"] = rng.choice(verdicts)
    elif due < today:
        row["comments"] = "Vendor promised new ship date; chase"
    return row


def sample_rows(rng: random.Random, today: date, lines: Sequence[Line], walks: Sequence[Walk],
                styles: dict[str, dict[str, Any]], line_review: date,
                planned: Sequence[dict[str, date]] | None = None) -> list[dict[str, Any]]:
    """Protos for the line review, fit / PP / TOP samples of the orders, customs samples."""
    out = []
    protos = [(s, c) for s in styles.values() if s["status"] == "Proto" for c in s["colors"].split(", ")[:2]]
    # (shipped days before today, due days from today): received, in transit, not yet due, overdue
    states = ((12, -5), (2, 3), (None, 10), (None, -3))
    for k, (s, color) in enumerate(protos):
        shipped_ago, due_in = states[k % len(states)]
        due = min(today + timedelta(days=due_in), line_review - timedelta(days=7))
        shipped = today - timedelta(days=shipped_ago) if shipped_ago is not None else None
        requested = today - timedelta(days=rng.randint(20, 30))
        row = _sample(rng, today, s, "Proto", "Line review", color, 3, requested, due, shipped, None, ())
        row["comments"] = ("Vendor chasing trims for proto; chase" if row["status"] == "Requested"
                           and due < today else "2 pcs to buyer, 1 counter sample kept at vendor")
        out.append(row)
    by_style: dict[str, tuple[Line, Walk]] = {}
    for k, (ln, w) in enumerate(zip(lines, walks)):
        if planned is not None:  # a sample is due on its T&A milestone's planned date
            w = replace(w, forecast={**w.forecast, **{c: planned[k][c] for c in ("FSS", "PPS") if c in planned[k]}})
        by_style.setdefault(ln.style, (ln, w))
    picks = sorted(by_style.values(), key=lambda lw: lw[0].po_date)
    fit_verdicts = (("Approved", "Fit approved"), ("Approved", "Fit approved"),
                    ("Approved with comments", "Lengthen body 1 cm; OK to proceed to PP"),
                    ("Rejected", "Too boxy through chest; resubmit"))
    pp_verdicts = (("Approved", "OK to cut"), ("Approved with comments", "Adjust neck rib; OK to cut"))
    for ln, w in picks[::4]:
        s = styles[ln.style]
        out.append(_sample(rng, today, s, "Fit", "Fit approval", ln.color, 2, ln.po_date,
                           _expected(w, "FSS"), w.actual.get("FSS"), w.actual.get("FSC"), fit_verdicts))
    for ln, w in picks[1::4]:
        s = styles[ln.style]
        out.append(_sample(rng, today, s, "PP", "Pre-production approval", ln.color, 2,
                           ln.po_date + timedelta(days=30), _expected(w, "PPS"), w.actual.get("PPS"),
                           w.actual.get("PPA"), pp_verdicts))
    for ln, cut in [(ln, cut) for ln, w in picks if (cut := w.actual.get("CUT"))][:5]:
        s = styles[ln.style]
        due = cut + timedelta(days=10)
        out.append(_sample(rng, today, s, "TOP", "Top of production", ln.color, 2, cut, due,
                           due - timedelta(days=rng.randint(-2, 2)), due + timedelta(days=7),
                           (("Approved", "Matches PP"),)))
    for ln, _ in picks[2:4]:
        s = styles[ln.style]
        out.append(_sample(rng, today, s, "Photo", "E-commerce photo shoot", ln.color, 1,
                           today - timedelta(days=10), today + timedelta(days=10), None, None, ()))
    for ln, w in picks[5:7]:
        s = styles[ln.style]
        out.append(_sample(rng, today, s, "Size set", "Grading check (jump sizes)", ln.color, 3,
                           ln.po_date + timedelta(days=14), _expected(w, "PPS"), w.actual.get("PPS"),
                           None, ()))
    for name in ("Pique Polo", "Wide-Leg Trouser"):  # customs samples where the catalogue has these styles
        found = next((x for x in styles.values() if x["description"] == name), None)
        if found is None:
            continue
        row = _sample(rng, today, found, "Customs", "CBP ruling request", found["colors"].split(", ")[0], 1,
                      today - timedelta(days=12), today + timedelta(days=5), today - timedelta(days=6),
                      None, ())
        row["comments"] = ("With fiber content by weight, knit or woven, fabric weight (g/m2), finish, "
                           "and where cut and sewn")
        out.append(row)
    return out


def recorded_elsewhere(today: date, lines: Sequence[Line], plans: dict[str, ta.Plan], walks: Sequence[Walk],
                       dips: Sequence[dict[str, Any]], sent: Sequence[dict[str, Any]]
                       ) -> dict[int, dict[str, date]]:
    """Line index -> the blank Actuals prodbook's T&A rebuild fills in from Lab Dips and Samples.

    One colour's lab dips and one fit or PP sample serve every PO line of that style and colour, but
    the demo draws each from one line's walk: the other lines must take the same dates, or the T&A
    forecasts them differently from what the vendor's WIP file says. Asked of the rules themselves.
    """
    frame = pd.DataFrame([{"style": ln.style, "color": ln.color, "code": s.code, "milestone": s.milestone,
                           "actual": w.actual.get(s.code), "line": i}
                          for i, (ln, w) in enumerate(zip(lines, walks)) for s in plans[ln.template].steps])
    dip_frame, sample_frame = _frame(dips, LAB_DIPS.fields), _frame(sent, SAMPLES.fields)
    line, code = frame["line"].tolist(), frame["code"].tolist()
    found: dict[int, dict[str, date]] = {}
    for p, day in recorded_actuals(frame, dip_frame, sample_frame, today).items():
        found.setdefault(line[p], {}).setdefault(code[p], cast(date, day))
    return found


def _after(edges: tuple[tuple[str, ...], Edges], codes: AbstractSet[str]) -> set[str]:
    """The steps dated, directly or not, from any of ``codes``."""
    order, preds = edges
    out: set[str] = set()
    for c in order:
        if any(p in codes or p in out for p, _, _ in preds[c]):
            out.add(c)
    return out


def rewalked(today: date, lines: Sequence[Line], plans: dict[str, ta.Plan], planned: dict[int, dict[str, date]],
             calendars: dict[str, FactoryCalendar], walks: Sequence[Walk], fed: dict[int, dict[str, date]]
             ) -> list[Walk]:
    """``walks`` with each line of ``fed`` walked again from its new Actuals: what came before them stays,
    what is dated from them follows."""
    out = list(walks)
    for i, codes in fed.items():
        ln, w = lines[i], walks[i]
        plan = plans[ln.template]
        edges = ta.time_edges(plan)
        later = _after(edges, set(codes))
        kept = {c: d for c, d in w.actual.items() if d and c not in later}
        force = {**kept, **w.forced, **codes}
        holds = HOLDS_STRUGGLING if VENDOR_BY_CODE[ln.vendor].struggling else HOLDS_GOOD
        new = walk_line(plan, edges, planned[i + 2], calendars[ln.vendor], today, w.reported_to or today,
                        random.Random(f"prodbook-demo-rewalk-{today.isoformat()}-{i}"), force, holds,
                        random.Random(f"prodbook-demo-holds-{today.isoformat()}-{i}"))
        new.notes = {c: n for c, n in w.notes.items() if bool(new.actual.get(c)) == bool(w.actual.get(c))}
        new.reported_to, new.forced = w.reported_to, {**w.forced, **codes}
        out[i] = new
    return out


def _expected(w: Walk, code: str) -> date:
    """When a sample is due: its T&A milestone's date in ``w.forecast`` (``sample_rows`` puts the planned
    date there: the plan the vendor agreed to, which a slip upstream does not move)."""
    return w.forecast[code]


# --- writing ----------------------------------------------------------------------------------

DATE_FORMAT = DEFAULT_DATE_FORMAT


def config_rows(today: date) -> list[dict[str, Any]]:
    return [{"setting": k, "value": v} for k, v in (
        ("Date Order", "MDY"), ("Date Format", DATE_FORMAT), ("Due Soon Days", 7), ("Ex-Factory Code", "XF"),
        ("Line Review Date", line_review_date(today)), ("Booking Confirm Days", 10),
        ("Ship Tolerance %", 3), ("WIP Stale Days", 10), ("Default Terms", "FOB"),
        ("Transit Days Sea", 30), ("Transit Days Air", 7), ("Air Cost per Unit", 2.5),
        ("Extra Shift Cost per Day", 800), ("On-Time Tolerance Days", 0))]


def line_review_date(today: date) -> date:
    """Three weeks out, on a Tuesday: protos must be in hand by then."""
    d = today + timedelta(days=21)
    return d + timedelta(days=(1 - d.weekday()) % 7)


def _table_name(sheet: str) -> str:
    return "tbl" + re.sub(r"[^A-Za-z0-9]", "", sheet)


def write_sheet(wb: Workbook, spec: SheetSpec, records: Sequence[dict[str, Any]]) -> None:
    """One sheet in the default layout: header row, records, an Excel Table, and prodbook's look."""
    ws = wb.create_sheet(spec.name)
    if spec.hidden:
        ws.sheet_state = "hidden"
    ws.append(list(spec.headers))
    for rec in records:
        ws.append([rec.get(f) for f in spec.fields])
    # A Table needs a data row: an empty sheet gets one blank row, as prodbook's own writer does.
    ref = f"A1:{get_column_letter(len(spec.columns))}{max(2, len(records) + 1)}"
    table = Table(displayName=_table_name(spec.name), ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    apply_look(ws, look_for(spec, DATE_FORMAT))


@dataclass(frozen=True)
class Story:
    """The demo season on one day: the PO lines, what happened to each (its walk), and the sheets.

    The vendor WIP reports (``prodbook.demo.vendor_files``) are told from the
    same lines and walks as the T&A, so the two never disagree except where a
    discrepancy is planted on purpose.
    """

    today: date
    lines: tuple[Line, ...]
    walks: tuple[Walk, ...]
    records: dict[str, list[dict[str, Any]]]
    planned: tuple[dict[str, date], ...]
    """The engine's Planned dates of each line, by milestone code."""


def build_demo(today: date) -> dict[str, list[dict[str, Any]]]:
    """Every sheet's records for ``today``: the pure part of ``write_demo``."""
    return build_story(today).records


def build_story(today: date, division: Division | None = None) -> Story:
    """The season for ``today``: lines, walks and every sheet's records (same day, same story).

    ``division``: another division's tracker of the same season (default: the main demo tracker).
    """
    d = division or MAIN
    rng = random.Random(f"{d.seed}-{today.isoformat()}")
    vendors, closed = vendor_rows(), closure_rows(today)
    styles = build_styles(rng, today, d.catalogue, d.first_style)
    pre = _calendars(vendors, closed, range(today.year - 1, today.year + 2))
    lines = build_orders(rng, today, styles, pre, d.lines, d.first_po)
    years = ta.required_years(_frame([vars(ln) for ln in lines], ORDERS.fields), today)
    calendars = _calendars(vendors, closed, years)
    plans, planned = plan_orders(styles, lines, calendars)
    walks = live_actuals(rng, today, lines, plans, planned, calendars)
    by_style = {s["style"]: s for s in styles}
    by_row = planned_by_row(planned)
    planned_dates = tuple(by_row[i + 2] for i in range(len(lines)))
    drawn = rng.getstate()
    for _ in range(4):  # the development sheets and the walks, until they tell the same story
        rng.setstate(drawn)
        dips = lab_dip_rows(rng, today, lines, walks, by_style)
        sent = sample_rows(rng, today, lines, walks, by_style, line_review_date(today), planned_dates)
        fed = recorded_elsewhere(today, lines, plans, walks, dips, sent)
        if not fed:
            break
        walks = rewalked(today, lines, plans, by_row, calendars, walks, fed)
    else:
        raise AssertionError("the demo's walks do not settle with its lab dips and samples")
    lines = with_a_cancellation(today, with_terms(today, lines, walks), walks)
    records = {
        STYLES.name: styles, ORDERS.name: [vars(ln) for ln in lines], TEMPLATES.name: template_rows(),
        TA.name: ta_rows(lines, plans, walks, planned_dates), LAB_DIPS.name: dips, SAMPLES.name: sent,
        VENDORS.name: vendors, CLOSURES.name: closed, CONFIG.name: config_rows(today),
    }
    return Story(today, tuple(lines), tuple(walks), records, planned_dates)


def write_demo(folder: Path, today: date, story: Story | None = None, division: Division | None = None) -> Path:
    """Write ``folder/demo-tracker.xlsx`` for ``today``, replacing an earlier demo of that name.

    Every sheet of the default layout is there, in order, then the Functions
    example sheet; the generated ones (Vendor WIP, Exceptions, Follow-ups,
    Issues, Change Log) are empty until prodbook runs, and the Functions
    sheet's formulas get their values from ``fill_functions`` after the first
    refresh. The workbook opens on the T&A sheet. Same ``today``, same workbook.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    d = division or MAIN
    story = story or build_story(today, d)
    wb = Workbook()
    wb.remove(wb.worksheets[0])  # the new workbook's empty default sheet
    for spec in ALL_SHEETS:
        write_sheet(wb, spec, story.records.get(spec.name, []))
    if d.functions:
        write_functions_sheet(wb, functions_sheet(story))
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws.title == TA.name
    wb.active = wb.sheetnames.index(TA.name)
    wb.calculation.fullCalcOnLoad = False  # prodbook writes values, and the Functions sheet's are cached
    wb.properties.creator = "prodbook demo"
    wb.properties.title = f"Demo production tracker as of {today.isoformat()}"
    path = folder / d.file
    tmp = path.with_name(f".{d.file}.tmp")
    wb.save(tmp)
    tmp.replace(path)
    return path


MAIN = Division(DEMO_FILE, CATALOGUE, "prodbook-demo")
"""The main demo tracker: men's and women's."""


# --- the Functions sheet ------------------------------------------------------------------------

FUNCTIONS = "Functions"
FUNCTIONS_DATE_FORMAT = "dd-mmm-yy"
FUNCTIONS_FIRST_ROW = 11
"""The first example's row; rows 4-8 hold the inputs (as-of date, PO #, Style #, Color, Vendor)."""
INPUTS = ("As of", "PO #", "Style #", "Color", "Vendor")
WIDTHS = (22, 12, 52, 72)
"""Columns A-D of the Functions sheet: function, result, formula text, what it gives."""


@dataclass(frozen=True)
class Call:
    """A call of one of prodbook's spreadsheet functions; an argument is a literal, a cell (``Cell``) or a Call."""

    func: str
    args: tuple[Any, ...]

    def text(self) -> str:
        return f"{self.func}({','.join(_arg_text(a) for a in self.args)})"


@dataclass(frozen=True)
class Cell:
    ref: str
    """An A1 reference as written in the formula: ``$B$5`` or ``B11``."""


@dataclass(frozen=True)
class Example:
    call: Call
    says: str
    """What the result is, for the APM."""
    is_date: bool = True


@dataclass(frozen=True)
class FunctionsSheet:
    inputs: tuple[Any, ...]
    """The values of INPUTS, in B4:B8."""
    examples: tuple[Example, ...]

    def result_cell(self, k: int) -> str:
        return f"B{FUNCTIONS_FIRST_ROW + k}"


def _arg_text(a: Any) -> str:
    if isinstance(a, Cell):
        return a.ref
    if isinstance(a, Call):
        return a.text()
    if isinstance(a, str):
        return '"' + a.replace('"', '""') + '"'
    return str(a)


def _example_line(story: Story) -> tuple[int, str]:
    """The PO line the examples are about, and a milestone of it that finished late.

    The line with the biggest ex-factory slip among those not shipped: its
    Planned and Forecast differ, so TA_DATE shows both. Falls back to the
    first line with any Actual date.
    """
    best: tuple[tuple[int, int], int, str] | None = None
    for i, (ln, w, pl) in enumerate(zip(story.lines, story.walks, story.planned)):
        if w.actual.get("XF"):
            continue
        late = [((d - pl[c]).days, c) for c, d in w.actual.items() if d and c in pl and d > pl[c]]
        if not late:
            continue
        key = ((w.forecast["XF"] - ln.ex_factory).days, max(late)[0])
        if best is None or key > best[0]:
            best = (key, i, max(late)[1])
    if best:
        return best[1], best[2]
    i = next((k for k, w in enumerate(story.walks) if any(w.actual.values())), 0)
    return i, next((c for c, d in story.walks[i].actual.items() if d), "XF")


def functions_sheet(story: Story) -> FunctionsSheet:
    """The examples: TA_DATE, TA_DUE, TA_STATUS and FACTORY_NETWORKDAYS on one late PO line."""
    i, code = _example_line(story)
    ln = story.lines[i]
    names = {row[0]: row[1] for row in TEMPLATE_ROWS[ln.template]}
    cut_offset = next(row[4] for row in TEMPLATE_ROWS[ln.template] if row[0] == "CUT")
    key = (Cell("$B$5"), Cell("$B$6"), Cell("$B$7"))
    on, vendor = Cell("$B$4"), Cell("$B$8")
    row = FUNCTIONS_FIRST_ROW

    def ta_date(c: str, *which: str) -> Call:
        return Call("TA_DATE", (*key, c, *which))

    examples = (
        Example(ta_date("XF"), "Planned ex-factory of this PO line, from the T&A sheet (the order's date)."),
        Example(ta_date("XF", "Forecast"), "Forecast ex-factory: the plan moved by the milestones that "
                "finished late. Later than the Planned one above: this line is at risk."),
        Example(Call("FACTORY_NETWORKDAYS", (on, Cell(f"B{row + 1}"), vendor)),
                f"Working days from the as-of date to the forecast ex-factory, on {ln.vendor}'s factory "
                "calendar (its weekend, public holidays and closures).", is_date=False),
        Example(Call("TA_DUE", (Cell(f"B{row}"), cut_offset, vendor)),
                f"Bulk cutting due: {-cut_offset} working days before the planned ex-factory on {ln.vendor}'s "
                "factory calendar, as the T&A template says. The same date as the T&A's Planned cutting "
                "date, next row."),
        Example(ta_date("CUT"), "Planned bulk cutting start, from the T&A sheet."),
        Example(ta_date(code), f"Planned '{names[code]}', from the T&A sheet."),
        Example(ta_date(code, "Actual"), f"Actual '{names[code]}': the date the team typed on the T&A."),
        Example(Call("TA_STATUS", (Cell(f"B{row + 5}"), Cell(f"B{row + 6}"), on)),
                f"Status of '{names[code]}' from its Planned and Actual dates, by the T&A sheet's rules.",
                is_date=False),
        Example(Call("TA_STATUS", (ta_date("CUT"), ta_date("CUT", "Actual"), on)),
                "Status of bulk cutting: the functions nest like any Excel function.", is_date=False),
    )
    return FunctionsSheet((story.today, ln.po, ln.style, ln.color, ln.vendor), examples)


def write_functions_sheet(wb: Workbook, sheet: FunctionsSheet) -> None:
    """The Functions sheet: inputs, then one formula per row with its text and what it gives."""
    from openpyxl.styles import Alignment

    ws = wb.create_sheet(FUNCTIONS)
    ws["A1"] = "prodbook's spreadsheet functions, on one PO line of this demo"
    ws["A1"].font = font(bold=True, size=14)
    ws["A2"] = ("Each cell of the Result column is a formula. The values shown were computed by prodbook "
                "when the demo was written. With the prodbook add-in (Excel on Windows) they recalculate "
                "when their cells change (Ctrl+Alt+F9 after Rebuild T&A); without it, Excel shows #NAME? once "
                "it recalculates.")
    ws["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells("A2:D2")
    ws.row_dimensions[2].height = 32
    for k, (label, value) in enumerate(zip(INPUTS, sheet.inputs)):
        ws.cell(row=4 + k, column=1, value=label).font = font(bold=True)
        cell = ws.cell(row=4 + k, column=2, value=value)
        if isinstance(value, date):
            cell.number_format = FUNCTIONS_DATE_FORMAT
        cell.alignment = Alignment(horizontal="left")
    for j, header in enumerate(("Function", "Result", "Formula", "What it gives"), start=1):
        ws.cell(row=FUNCTIONS_FIRST_ROW - 1, column=j, value=header).font = font(bold=True)
    for k, ex in enumerate(sheet.examples):
        r = FUNCTIONS_FIRST_ROW + k
        ws.cell(row=r, column=1, value=ex.call.func)
        result = ws.cell(row=r, column=2, value="=" + ex.call.text())
        result.number_format = FUNCTIONS_DATE_FORMAT if ex.is_date else "General"
        text = ws.cell(row=r, column=3)
        text.value, text.data_type = "=" + ex.call.text(), "s"  # shown as text, not calculated
        text.quotePrefix = True
        text.alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(row=r, column=4, value=ex.says).alignment = Alignment(wrap_text=True, vertical="top")
        for c in (1, 2):
            ws.cell(row=r, column=c).alignment = Alignment(horizontal="left", vertical="top")
        # wrapped text: spreadsheet programs do not grow a row written without a height
        lines = max(-(-len(t) // int(w * 0.95)) for t, w in ((text.value, WIDTHS[2]), (ex.says, WIDTHS[3])))
        ws.row_dimensions[r].height = 15 * max(1, lines)
    for letter, width in zip("ABCD", WIDTHS):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = f"A{FUNCTIONS_FIRST_ROW}"
    ws.page_setup.orientation = "landscape"  # printed: one page wide
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def functions_results(sheet: FunctionsSheet, data: Any) -> dict[str, Any]:
    """Each example's value as prodbook computes it (``prodbook.excel.formulas``), by result cell."""
    fns = {"TA_DUE": formulas.ta_due, "TA_DATE": formulas.ta_date, "TA_STATUS": formulas.ta_status,
           "FACTORY_WORKDAY": formulas.factory_workday, "FACTORY_NETWORKDAYS": formulas.factory_networkdays}
    cells: dict[str, Any] = {f"$B${4 + k}": v for k, v in enumerate(sheet.inputs)}

    def value(a: Any) -> Any:
        if isinstance(a, Cell):
            return cells[a.ref if "$" in a.ref else "$" + a.ref[0] + "$" + a.ref[1:]]
        if isinstance(a, Call):
            return fns[a.func](*(value(x) for x in a.args), data=data)
        return a

    out = {}
    for k, ex in enumerate(sheet.examples):
        ref = sheet.result_cell(k)
        out[ref] = cells["$B$" + ref[1:]] = value(ex.call)
    return out


def fill_functions(path: Path, story: Story) -> dict[str, Any]:
    """Cache, in the Functions sheet's formulas, the values prodbook computes from the (refreshed) workbook.

    Run after the refresh has written the T&A's Planned and Forecast dates.
    Returns the values by cell. A value prodbook cannot compute (an error
    text) means the demo is broken: it raises.
    """
    sheet = functions_sheet(story)
    years = range(story.today.year - 1, story.today.year + 3)
    with FileBook(path) as book:  # let go before the results are written into the file
        data = formulas.book_data(Tracker(book), years, with_ta=True)
    results = functions_results(sheet, data)
    bad = {ref: v for ref, v in results.items() if v is None or (isinstance(v, str) and v.startswith("#"))}
    if bad:
        raise AssertionError(f"the demo's Functions sheet does not compute: {bad}")
    set_cached_results(path, FUNCTIONS, results)
    return results
