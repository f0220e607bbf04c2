"""Late for cancel: one rule for what the cancel date of a PO line is judged on.

The order's terms decide it (DOMAIN.md, "Shipping exceptions"). Under FOB and
the other terms where the buyer takes the goods at origin (FCA, EXW, FAS, CFR,
CIF, CPT, CIP) the ship window is about the handover: the cancel date is
judged on the ex-factory / on-board date. Under DDP and the other delivered
terms (DAP, DPU, DDU, landed) the vendor delivers, so it is judged on arrival
at the DC. A blank Terms cell takes the Config setting 'Default Terms' (FOB).

A line is *late for cancel* while the judged event has not happened and its
forecast is after the cancel date. Once it happened (shipped under FOB,
received under DDP) the ship-window rule speaks instead: on time, or after
the cancel date with a chargeback to expect. Every place that says "late for
cancel" (the run's summary, Issues, Exceptions, both reports) calls ``judge``
and shows ``CancelCheck.text``, so they count the same lines for the same
reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache

from prodbook.core.looks import DEFAULT_DATE_FORMAT, date_text


class Basis(StrEnum):
    """The date the cancel date is checked against."""

    EX_FACTORY = "ex-factory"
    IN_DC = "in-DC"


ORIGIN_TERMS = ("FOB", "FCA", "EXW", "FAS", "CFR", "CNF", "CIF", "CPT", "CIP")
"""Handed over at origin: the cancel date is judged on ex-factory / on-board."""
DELIVERED_TERMS = ("DDP", "DAP", "DPU", "DDU", "DAT", "LDP", "LANDED", "DELIVERED")
"""The vendor delivers: the cancel date is judged on arrival at the DC."""
DEFAULT_TERMS = "FOB"


@dataclass(frozen=True)
class Terms:
    """An order's terms as prodbook reads them."""

    label: str
    """As shown: FOB, DDP, Landed..."""
    basis: Basis


def read_terms(text: object) -> Terms | None:
    """The terms a cell names ('FOB Shanghai', 'ddp', 'Landed'), or None when blank or not known."""
    if text is None or (isinstance(text, float) and text != text):
        return None
    return _read_terms(str(text))


@lru_cache(maxsize=1 << 10)
def _read_terms(text: str) -> Terms | None:
    """``read_terms`` of a cell's text, worked out once per text (every PO line asks, most say FOB)."""
    words = re.findall(r"[A-Za-z&]+", text.upper())
    if not words:
        return None
    word = "CFR" if words[0] in ("C&F", "CANDF") else words[0]
    if word in ORIGIN_TERMS:
        return Terms(word, Basis.EX_FACTORY)
    if word in DELIVERED_TERMS:
        return Terms(word if len(word) == 3 else word.capitalize(), Basis.IN_DC)
    return None


def is_blank(text: object) -> bool:
    return text is None or (isinstance(text, float) and text != text) or not str(text).strip()


def terms_of(text: object, default: Terms) -> tuple[Terms, bool]:
    """The line's terms, and False when the cell holds something that is not a known term (the default
    applies then, and the caller says so)."""
    if is_blank(text):
        return default, True
    found = read_terms(text)
    return (found, True) if found else (default, False)


def fmt(d: date | None, code: str = DEFAULT_DATE_FORMAT) -> str:
    """A date as the APM reads it in a sentence: 05-Mar-27 (no locale misreads it), or in the workbook's
    Date Format ``code``."""
    return date_text(d, code) if d else "?"


@dataclass(frozen=True)
class CancelCheck:
    """One PO line's cancel date against the date its terms judge it on."""

    terms: Terms
    cancel: date | None
    judged: date | None
    """The forecast (or actual) ex-factory under origin terms, in-DC under delivered terms."""
    happened: bool
    """``judged`` is an actual: the line shipped (origin terms) or was received in the DC (delivered)."""
    date_format: str = DEFAULT_DATE_FORMAT
    """How ``text`` writes its dates: the workbook's Date Format for a sheet's Cancel Check."""

    @property
    def late(self) -> bool:
        """Late for cancel: still open, and forecast after the cancel date."""
        return (not self.happened and self.judged is not None and self.cancel is not None
                and self.judged > self.cancel)

    @property
    def days_late(self) -> int | None:
        if self.judged is None or self.cancel is None:
            return None
        return (self.judged - self.cancel).days

    @property
    def what(self) -> str:
        """The judged date's name: 'forecast ex-factory', 'shipped', 'forecast in-DC', 'received in DC'."""
        if self.terms.basis is Basis.EX_FACTORY:
            return "shipped" if self.happened else "forecast ex-factory"
        return "received in DC" if self.happened else "forecast in-DC"

    def text(self) -> str:
        """The verdict with the date it was judged on, e.g. 'Late for cancel: forecast ex-factory
        12-Mar-27, 7 day(s) after cancel 05-Mar-27 (FOB)'."""
        terms = f"({self.terms.label})"
        cancel, judged = fmt(self.cancel, self.date_format), fmt(self.judged, self.date_format)
        if self.cancel is None:
            return f"No cancel date {terms}"
        if self.judged is None:
            return f"No {self.what} date to judge the cancel date {cancel} on {terms}"
        days = self.days_late or 0
        if self.late:
            return f"Late for cancel: {self.what} {judged}, {days} day(s) after cancel {cancel} {terms}"
        if self.happened:
            when = f"{days} day(s) after cancel" if days > 0 else "cancel"
            return f"{self.what.capitalize()} {judged}, {when} {cancel} {terms}"
        return f"On time for cancel: {self.what} {judged}, cancel {cancel} {terms}"


def judge(terms: Terms, cancel: date | None, *, ex_factory: date | None, shipped: bool,
          in_dc: date | None, received: bool) -> CancelCheck:
    """The cancel check of one PO line from its forecast (or actual) ex-factory and in-DC dates."""
    if terms.basis is Basis.EX_FACTORY:
        return CancelCheck(terms, cancel, ex_factory, shipped)
    return CancelCheck(terms, cancel, in_dc, received)
