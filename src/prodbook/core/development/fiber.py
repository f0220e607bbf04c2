"""Fiber content as a sourcing team writes it, read the way a US label must state it.

``parse_fiber("Shell: 100% Nylon; Lining: 100% Polyester")`` gives the
components with their fibers and percentages, plus the problems a label
reviewer would raise: percentages that do not total 100 per component, trade
names (Lycra, Tencel) where the generic name is required, fibers not in
descending order of weight. Parsing is cached: a season repeats the same few
compositions across hundreds of styles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache


class Group(StrEnum):
    """Fiber families as the HTS headings of chapters 61 and 62 name them."""

    COTTON = "cotton"
    WOOL = "wool"
    SYNTHETIC = "synthetic"
    ARTIFICIAL = "artificial"
    SILK = "silk"
    OTHER = "other"


GENERIC: dict[str, Group] = {
    "cotton": Group.COTTON, "polyester": Group.SYNTHETIC, "nylon": Group.SYNTHETIC,
    "polyamide": Group.SYNTHETIC, "acrylic": Group.SYNTHETIC, "modacrylic": Group.SYNTHETIC,
    "spandex": Group.SYNTHETIC, "elastane": Group.SYNTHETIC, "elastomultiester": Group.SYNTHETIC,
    "olefin": Group.SYNTHETIC, "polypropylene": Group.SYNTHETIC, "triexta": Group.SYNTHETIC,
    "rayon": Group.ARTIFICIAL, "viscose": Group.ARTIFICIAL, "lyocell": Group.ARTIFICIAL,
    "modal": Group.ARTIFICIAL, "acetate": Group.ARTIFICIAL, "triacetate": Group.ARTIFICIAL,
    "cupro": Group.ARTIFICIAL, "bamboo viscose": Group.ARTIFICIAL, "rayon from bamboo": Group.ARTIFICIAL,
    "wool": Group.WOOL, "cashmere": Group.WOOL, "alpaca": Group.WOOL, "mohair": Group.WOOL,
    "camel hair": Group.WOOL, "angora": Group.WOOL, "yak": Group.WOOL, "vicuna": Group.WOOL,
    "silk": Group.SILK, "linen": Group.OTHER, "flax": Group.OTHER, "ramie": Group.OTHER,
    "hemp": Group.OTHER, "jute": Group.OTHER, "metallic": Group.OTHER, "other fiber": Group.OTHER,
    "other fibers": Group.OTHER, "down": Group.OTHER, "feathers": Group.OTHER,
}
"""Generic names (US Textile Act / ISO 2076) and the family each belongs to."""

TRADE_NAMES: dict[str, str] = {
    "lycra": "spandex (or elastane)", "creora": "spandex (or elastane)", "roica": "spandex (or elastane)",
    "dorlastan": "spandex (or elastane)", "tencel": "lyocell", "tencel modal": "modal",
    "micromodal": "modal", "micro modal": "modal", "lenzing modal": "modal", "ecovero": "viscose",
    "lenzing ecovero": "viscose", "refibra": "lyocell", "coolmax": "polyester", "thermolite": "polyester",
    "dacron": "polyester", "repreve": "polyester (recycled polyester)", "polartec": "polyester",
    "sorona": "triexta (polyester)", "cordura": "nylon", "supplex": "nylon", "tactel": "nylon",
    "econyl": "nylon (recycled nylon)", "meryl": "nylon", "orlon": "acrylic", "tyvek": "olefin",
    "poly": "polyester", "pes": "polyester", "pa": "nylon", "spx": "spandex",
    "supima": "cotton (Supima cotton)", "pima": "cotton (Pima cotton)", "merino": "wool (merino wool)",
    "bamboo": "rayon (rayon made from bamboo)", "art silk": "rayon", "polyamid": "nylon",
}
"""Trade names and abbreviations that are not allowed alone on a US label -> the generic name."""

QUALIFIERS = ("organic", "recycled", "bci", "egyptian", "combed", "mercerized", "mercerised",
              "virgin", "extra fine", "superfine", "regenerated", "certified", "pima", "supima", "merino",
              "peruvian", "turkish", "lambs", "lamb's", "baby", "mulberry")
"""Words that may stand before a generic name ('recycled polyester', 'Supima cotton')."""

_COMPONENT = re.compile(r"^\s*([A-Za-z][A-Za-z &/'-]{0,30}?)\s*:\s*(.*)$", re.S)
_PCT_FIRST = re.compile(r"(\d{1,3}(?:[.,]\d+)?)\s*%\s*([^\d%,;/+&|]+?)\s*(?=$|[\d,;/+&|]|\band\b)",
                        re.I)
_NAME_FIRST = re.compile(r"([A-Za-z][^\d%,;/+&|]*?)\s*(\d{1,3}(?:[.,]\d+)?)\s*%", re.I)
_EXCLUSIVE = re.compile(r"\(?\s*exclusive of (?:decoration|trim|trims|elastic|ornamentation)[^)]*\)?", re.I)


@dataclass(frozen=True)
class Fiber:
    name: str
    """As written (trimmed)."""
    percent: float
    generic: str | None
    """The generic name it is, or None when the name is not one."""
    group: Group | None


@dataclass(frozen=True)
class Component:
    label: str | None
    """Shell, Lining, Fill... (None for a single-component garment)."""
    fibers: tuple[Fiber, ...]

    @property
    def total(self) -> float:
        return round(sum(f.percent for f in self.fibers), 2)


@dataclass(frozen=True)
class Composition:
    text: str
    components: tuple[Component, ...] = ()
    problems: tuple[tuple[str, str], ...] = field(default=())
    """(code, sentence) pairs; code is one of 'unreadable', 'total', 'name', 'order'."""

    @property
    def ok(self) -> bool:
        return bool(self.components) and not any(c in ("unreadable", "total") for c, _ in self.problems)

    @property
    def shell(self) -> Component | None:
        """The body / shell component: the one that decides the classification."""
        return self.components[0] if self.components else None

    def weights(self, merge_man_made: bool = False) -> dict[str, float]:
        """Percent by fiber family of the shell (synthetic + artificial as 'man-made' if asked)."""
        out: dict[str, float] = {}
        if self.shell is None:
            return out
        for f in self.shell.fibers:
            g = str(f.group) if f.group else "unknown"
            if merge_man_made and f.group in (Group.SYNTHETIC, Group.ARTIFICIAL):
                g = "man-made"
            out[g] = out.get(g, 0.0) + f.percent
        return out

    def normalised(self) -> tuple:
        """For comparing two writings of the same content: labels, generic names, percents."""
        return tuple(sorted(((c.label or "").lower(), tuple(sorted(
            ((f.generic or f.name.lower()), f.percent) for f in c.fibers))) for c in self.components))


def generic_name(name: str) -> tuple[str | None, str | None]:
    """(generic name, suggestion). A trade name gives (None, the generic name to use)."""
    words = re.sub(r"[^a-z' ]", " ", name.lower()).split()
    folded = " ".join(words)
    if folded in GENERIC:
        return folded, None
    for q in QUALIFIERS:  # 'recycled polyester', 'supima cotton'
        if folded.startswith(q + " ") and folded[len(q) + 1:] in GENERIC:
            return folded[len(q) + 1:], None
    if folded in TRADE_NAMES:
        return None, TRADE_NAMES[folded]
    for trade, generic in TRADE_NAMES.items():  # 'Lycra spandex' is fine; 'Lycra' alone is not
        if trade in words and not any(w in GENERIC for w in words):
            return None, generic
    # 'cotton jersey', 'spandex blend': take the generic word when exactly one is there
    found = [w for w in words if w in GENERIC]
    if len(found) == 1:
        return found[0], None
    return None, None


def _num(text: str) -> float:
    return float(text.replace(",", "."))


def _fibers(text: str) -> list[tuple[str, float]]:
    body = _EXCLUSIVE.sub(" ", text).strip()
    pairs = [(m[2].strip(" -.'"), _num(m[1])) for m in _PCT_FIRST.finditer(body)]
    if pairs and all(n for n, _ in pairs):
        return pairs
    pairs = [(m[1].strip(" -.'"), _num(m[2])) for m in _NAME_FIRST.finditer(body)]
    return pairs if pairs and all(n for n, _ in pairs) else []


@lru_cache(maxsize=4096)
def parse_fiber(text: str) -> Composition:
    """Read a fiber content text into components, fibers and label problems.

    Accepts "60% Cotton 40% Polyester", "95% cotton / 5% spandex",
    "Cotton 60%, Polyester 40%", "Shell: 100% Nylon; Lining: 100% Polyester"
    (components separated by ';' or new lines, each with a label and a colon).

    Args:
        text: the cell's text.

    Returns:
        A ``Composition``; its ``problems`` say what a label reviewer would ask to change.
    """
    problems: list[tuple[str, str]] = []
    components: list[Component] = []
    text = text if isinstance(text, str) else ""
    parts = [p for p in re.split(r"[;\n|]+", text) if p.strip()]
    for part in parts:
        label = None
        m = _COMPONENT.match(part)
        if m and not re.search(r"\d", m[1]):
            label, part = m[1].strip().title(), m[2]
        pairs = _fibers(part)
        if not pairs:
            problems.append(("unreadable", f"'{part.strip()}' has no percentages prodbook can read; write "
                             "fiber content like '60% Cotton 40% Polyester', one component per part "
                             "('Shell: 100% Nylon; Lining: 100% Polyester')"))
            continue
        fibers = []
        for name, pct in pairs:
            generic, suggestion = generic_name(name)
            fibers.append(Fiber(name, pct, generic, GENERIC.get(generic) if generic else None))
            if generic is None:
                tip = (f"use the generic name '{suggestion}'" if suggestion else
                       "use a generic fiber name such as cotton, polyester, nylon, rayon, lyocell, "
                       "modal, spandex, wool, linen")
                problems.append(("name", f"'{name}' is not a generic fiber name a US label may use alone: "
                                 f"{tip}"))
        comp = Component(label, tuple(fibers))
        where = f"the {label.lower()}" if label else "the fibers"
        if abs(comp.total - 100) > 0.01:
            problems.append(("total", f"{where} add up to {comp.total:g}%, not 100%; correct the "
                             "percentages (by weight)"))
        pcts = [f.percent for f in fibers]
        if any(b > a for a, b in zip(pcts, pcts[1:])):
            order = ", ".join(f"{f.percent:g}% {f.name}" for f in sorted(fibers, key=lambda f: -f.percent))
            problems.append(("order", f"{where} are not listed from the largest share down; write "
                             f"'{order}'"))
        components.append(comp)
    if not parts:
        problems.append(("unreadable", "the fiber content is empty"))
    return Composition(text, tuple(components), tuple(problems))


def chief_weight(comp: Composition, merge_man_made: bool) -> tuple[str | None, bool]:
    """The fiber family with the most weight in the shell, and whether it is a tie."""
    weights = comp.weights(merge_man_made)
    if not weights:
        return None, False
    ranked = sorted(weights.items(), key=lambda kv: -kv[1])
    tie = len(ranked) > 1 and abs(ranked[0][1] - ranked[1][1]) < 0.01
    return ranked[0][0], tie
