"""What prodbook chases a vendor for: the ``Item`` (one thing to chase) and what each kind of item asks.

The words every follow-up shares: ``followups`` builds the items and renders one e-mail per vendor,
``vendor_view`` folds a vendor's items into the rows its e-mail lists. Both read the asks here, so neither
imports the other's internals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from prodbook.core.findings import Code


@dataclass(frozen=True)
class Item:
    """One thing to chase with a vendor."""

    vendor: str
    item: str
    """What: the milestone, the sample, the exception rule."""
    detail: str
    """What is needed, in words the vendor understands."""
    po: str | None = None
    style: str | None = None
    color: str | None = None
    due: date | None = None
    days_overdue: int | None = None
    formerly: str | None = None
    """The Item this one was listed under before it named its exception's ID: its row's Last Contacted
    carries over (``former_key``)."""
    code: str | None = None
    """The T&A milestone code or exception rule code the item stands for (None for samples, dips, a line
    that has shipped): what the vendor's e-mail folds one PO line's ex-factory lateness by
    (``vendor_view.vendor_view``)."""

    @property
    def ref(self) -> str:
        return " / ".join(v for v in (self.po, self.style, self.color) if v) or self.vendor

    @property
    def key(self) -> tuple[str, str, str]:
        return (vendor_key(self.vendor), self.item.strip().upper(), self.ref.strip().upper())

    @property
    def former_key(self) -> tuple[str, str, str] | None:
        """``key`` as it was under ``formerly``; None when the Item is as it always was."""
        return None if self.formerly is None else (vendor_key(self.vendor), self.formerly.strip().upper(),
                                                   self.ref.strip().upper())


def vendor_key(vendor: str) -> str:
    """A vendor code as the follow-ups match it: "BD1", "bd1 " are one vendor, one draft, one contact."""
    return vendor.strip().upper()


ON_TRACK = "please confirm it is on track"
"""What a milestone only due soon, and not late by its forecast either, asks: its PO line is not folded for it
(``vendor_view.vendor_view``)."""

_SENT = re.compile(r"\b(?:submits?|submission|samples?|dips?|strike-?offs?|swatch(?:es)?|reports?|approvals?|"
                   r"tests?|photos?|artwork|standards?)\b", re.I)
"""Milestone names of things the vendor sends (a sample, a lab dip, a submit, a test report): 'please send it'.
Any other milestone is an event (cutting, sewing, packing, a booking, a meeting, goods in-house), which the vendor
confirms the date of."""


def sends_it(name: str) -> bool:
    """A milestone the vendor sends (a sample, a submit, a report), not an event whose date it confirms."""
    return bool(_SENT.search(name))


ASK: dict[str, str] = {
    Code.XF_REVISED_LATE.value: "Please confirm the new date and tell us how you can bring it back.",
    Code.XF_DATE_PASSED.value: "Please give us a new ex-factory date.",
    Code.LATE_FOR_CANCEL.value: "Please tell us how you will recover the date (overtime, an extra line, "
                                "a split shipment).",
    Code.VENDOR_DATE_AHEAD.value: "Please tell us how you will make your date (overtime, another line).",
    Code.IN_DC_LATE.value: "Please tell us how you can ship earlier.",
    Code.SHIP_WINDOW_MISSED.value: "Please give us your ship date.",
    Code.PRODUCTION_BEHIND.value: "Please send us your recovery plan.",
    Code.FABRIC_NOT_IN_HOUSE.value: "Please give us the mill's delivery date for the bulk fabric.",
    Code.BOOKING_NOT_CONFIRMED.value: "Please confirm the booking with the forwarder.",
    Code.SHIP_MODE_CHANGED.value: "Please tell us the reason for the change.",
    Code.SHIP_QTY_OFF.value: "Please confirm the quantity you will ship.",
    Code.WIP_STALE.value: "Please send us this week's WIP report.",
    Code.WIP_QTY_INCONSISTENT.value: "Please check the quantities and send a corrected report.",
    Code.CANCELLED_LINE_IN_WIP.value: "Please confirm that production has stopped and tell us the quantities "
                                      "already made.",
}
"""Per exception rule, what the vendor is asked to do (the Exceptions sheet's advice is for the APM)."""

ASK_SHIPPED: dict[str, str] = {
    Code.IN_DC_LATE.value: "The goods have left the factory: please send us the shipping details (vessel or "
                           "flight, and the arrival date).",
    Code.LATE_FOR_CANCEL.value: "The goods have left the factory: please send us the shipping details and the "
                                "earliest date they can reach the DC.",
    Code.SHIP_QTY_OFF.value: "Please confirm the quantity you shipped.",
    Code.SHIP_WINDOW_MISSED.value: "The goods have left the factory: please send us the shipping details and the "
                                   "earliest date they can reach the DC.",
}
"""What the vendor is asked instead when the PO line has an Actual ex-factory or in-DC: no overtime or earlier
shipment can move goods on their way (the rules still warn the APM of the late arrival)."""
