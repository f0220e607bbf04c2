"""The demo's second tracker: the kids division of the same season, with the same vendor base.

Its own catalogue, style numbers (from 5001), PO numbers and random story,
told by the same code as the main tracker (``prodbook.demo.tracker``), so the
season roll-up (``prodbook rollup``) has two trackers to combine, sharing
vendors. It carries no deliberate data problems beyond what its own story
makes (late lines, stale reports), and no Functions sheet.
"""

from __future__ import annotations

from prodbook.demo.tracker import Division, StyleSeed
from prodbook.workbook.demo_folder import KIDS_WORKBOOK

KIDS_FILE = KIDS_WORKBOOK

_KNIT, _WOVEN = ("SHX", "TIR"), ("VNS", "NBT")
KIDS_CATALOGUE: tuple[StyleSeed, ...] = (
    StyleSeed("KT", "Kids Graphic Crew Tee", "Kids", "Knit", "Cotton jersey 150 g/m2", "100% Cotton",
              "4-16", "6109.10.0012", (2.8, 3.8), _KNIT, "knit"),
    StyleSeed("KT", "Kids Raglan Baseball Tee", "Kids", "Knit", "Cotton jersey 160 g/m2",
              "60% Cotton 40% Polyester", "4-16", "6109.10.0012", (3.2, 4.2), _KNIT, "knit"),
    StyleSeed("KT", "Kids Zip Hoodie", "Kids", "Knit", "Brushed fleece 280 g/m2", "60% Cotton 40% Polyester",
              "4-16", "6110.20.2079", (6.5, 8.5), _KNIT, "knit"),
    StyleSeed("KT", "Kids Jogger Sweatpant", "Kids", "Knit", "French terry 260 g/m2",
              "80% Cotton 20% Polyester", "4-16", "6110.20.2079", (5.0, 6.5), ("SHX", "TIR", "DHK"), "knit"),
    StyleSeed("WB", "Kids Pull-On Cargo Short", "Kids", "Woven", "Cotton twill", "100% Cotton", "4-16",
              "6203.42.4051", (4.5, 6.0), _WOVEN, "woven"),
    StyleSeed("WB", "Kids Chino Pant", "Kids", "Woven", "Stretch cotton twill", "98% Cotton 2% Elastane",
              "4-16", "6203.42.4016", (5.5, 7.0), _WOVEN, "woven"),
    StyleSeed("DN", "Kids Slim Jean", "Kids", "Woven", "10 oz stretch denim", "99% Cotton 1% Elastane", "4-16",
              "6203.42.4011", (6.0, 7.5), ("DHK", "AHD"), "denim"),
    StyleSeed("OW", "Kids Puffer Jacket", "Kids", "Woven", "Nylon taffeta, polyester padding",
              "Shell: 100% Nylon; Lining: 100% Nylon; Fill: 100% Polyester", "4-16", "6201.93.3511",
              (14.0, 18.0), ("NBT", "VNS"), "outer"),
    StyleSeed("DR", "Kids Tiered Twirl Dress", "Kids", "Woven", "Cotton poplin", "100% Cotton", "4-16",
              "6204.42.3050", (6.5, 8.5), ("VNS",), "dress"),
    StyleSeed("DR", "Kids Knit Skater Dress", "Kids", "Knit", "Cotton jersey 170 g/m2",
              "95% Cotton 5% Elastane", "4-16", "6104.42.0010", (5.0, 6.5), ("SHX", "TIR"), "dress"),
)

KIDS = Division(KIDS_FILE, KIDS_CATALOGUE, "prodbook-demo-kids", first_style=5000, first_po=4600012345,
                lines=70, functions=False)
"""The kids tracker: ten styles, about seventy PO lines, the main tracker's vendors."""
