"""The demo production tracker: one apparel season, alive on whatever day it is written.

``write_demo(folder, today)`` writes ``demo-tracker.xlsx`` in the default layout
(``prodbook.model.sheets``): ~40 style profiles, ~150 PO lines, three T&A
templates, the vendors with their factory closures, lab dips, samples and the
settings. Every date is placed relative to ``today`` and every random choice
comes from a ``random.Random`` seeded with ``today``, so the same day always
gives the same workbook and any day gives a live mix: early milestones done,
some overdue, some due soon, many upcoming, a few PO lines forecast to ship
after their cancel date.

The T&A sheet holds only what a team would have typed: the Actual dates (and a
few Notes) of milestones that already happened. They are found by planning
the orders with the real engine (``prodbook.ta``, on the same factory
calendars ``prodbook.factories`` builds), then walking each PO line's
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
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo

from prodbook import ta
from prodbook.calendar import FactoryCalendar
from prodbook.factories import vendor_calendars
from prodbook.model.records import DayType
from prodbook.model.sheets import (ALL_SHEETS, CLOSURES, CONFIG, LAB_DIPS, ORDERS, SAMPLES, STYLES,
                                   TA, TEMPLATES, VENDORS, Kind, SheetSpec)

DEMO_FILE = "demo-tracker.xlsx"
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


@dataclass
class Demo:
    """Everything the demo writes, as rows per sheet, plus notes for the tests and the report."""

    today: date
    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    lines: list[Line] = field(default_factory=list)


def _money(x: float) -> float:
    return round(x, 2)


def _retail(rng: random.Random, fob: float) -> float:
    """Retail at 2.5-4x first cost, on a .99 or .50 price point."""
    price = fob * rng.uniform(2.6, 3.9)
    return float(int(price)) + rng.choice((0.99, 0.99, 0.5)) if price > 10 else round(price, 2)


def season_of(today: date) -> str:
    """The season most of the demo's deliveries land in: SS (Jan-Jun) or FW (Jul-Dec)."""
    mid = today + timedelta(days=90)
    return f"{'SS' if mid.month <= 6 else 'FW'}{mid.year % 100:02d}"


def build_styles(rng: random.Random, today: date) -> list[dict[str, Any]]:
    season = season_of(today)
    styles = []
    numbers: dict[str, int] = {}
    for seed in CATALOGUE:
        n = numbers[seed.cat] = numbers.get(seed.cat, 1000) + 1
        vendor = VENDOR_BY_CODE[rng.choice(seed.vendors)]
        colors = rng.sample(PALETTES[seed.palette], rng.randint(2, 4))
        fob = _money(rng.uniform(*seed.fob))
        status, adopted = "Adopted", today - timedelta(days=rng.randint(105, 135))
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
    if lost > 3:
        xf = po_date + timedelta(days=lead + lost + 3)
    while not cal.is_working_day(xf):
        xf -= timedelta(days=1)
    return xf


def build_orders(rng: random.Random, today: date, styles: Sequence[dict[str, Any]],
                 calendars: dict[str, FactoryCalendar], target: int = 150) -> list[Line]:
    """PO lines (PO x style x colour): one flow per style, then repeat flows up to ``target``."""
    ordered = [s for s in styles if s["status"] == "Adopted"]
    po_no = 4500012345 + rng.randint(0, 500)
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

    first: dict[str, date] = {}
    for style in ordered:
        first[style["style"]] = po_date = today + timedelta(days=rng.randint(-100, 20))
        place(style, po_date)
    while len(lines) < target:
        style = rng.choice(ordered)
        again = first[style["style"]] + timedelta(days=rng.randint(21, 45))
        if again > today + timedelta(days=20):
            again = first[style["style"]] - timedelta(days=rng.randint(21, 35))
        place(style, max(again, today - timedelta(days=100)))
    return lines
