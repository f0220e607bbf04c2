"""Pydantic records: one frozen model per tracker sheet.

Cells are normalised by ``prodbook.core.cells`` first; the models then check what
a row means (required fields, ranges, allowed words). Field docstrings become
the field descriptions (``use_attribute_docstrings``), so the models document
the workbook.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Record(BaseModel):
    """One row of a tracker sheet, typed.

    Each model's validator is built on its first use (``defer_build``): a `prodbook ta` checks orders,
    not lab dips, and building every schema at start-up cost more than the T&A's date arithmetic.
    The attribute docstrings below document the fields for the reader; they are not collected into
    the schema (collecting them parsed this file's source on every start).
    """

    model_config = ConfigDict(frozen=True, defer_build=True, extra="ignore", str_strip_whitespace=True)


class DayType(StrEnum):
    WORKING = "Working"
    CALENDAR = "Calendar"


class Status(StrEnum):
    """T&A milestone status, judged against the run's date (--today)."""

    DONE = "Done"
    DONE_LATE = "Done late"
    OVERDUE = "Overdue"
    DUE_SOON = "Due soon"
    UPCOMING = "Upcoming"
    NA = "N/A"


DROPPED_STYLE_STATUSES = frozenset({"dropped", "cancelled", "canceled", "inactive"})
"""A style Status (folded) that drops the style: its samples are not chased, its PO lines not planned."""


class Style(Record):
    style: str
    """Style number, unique on the Styles sheet."""
    season: str | None = None
    """Season code, e.g. SS27."""
    division: str | None = None
    """Division or department."""
    description: str | None = None
    """Short style name."""
    category: str | None = None
    """Product category (knit top, denim, outerwear...)."""
    construction: str | None = None
    """Knit or Woven: decides the HTS chapter (61 or 62)."""
    fabric: str | None = None
    """Body fabric."""
    fiber_content: str | None = None
    """Fiber content by weight, e.g. '60% Cotton 40% Polyester'."""
    colors: str | None = None
    """Colourways, comma separated."""
    size_range: str | None = None
    """Size range, e.g. XS-XL."""
    vendor: str | None = None
    """Vendor code (Vendors sheet)."""
    factory: str | None = None
    """Producing factory."""
    coo: str | None = None
    """Country of origin (where cut and sewn)."""
    hts: str | None = None
    """US HTS code, 10 digits."""
    fob: float | None = Field(None, ge=0)
    """First cost per unit, USD."""
    retail: float | None = Field(None, ge=0)
    """Retail price per unit, USD."""
    status: str | None = None
    """Development status (Concept, Proto, Adopted, Dropped...): ``DROPPED_STYLE_STATUSES`` drop it."""
    adopted_date: date | None = None
    """Date the style was adopted into the line."""
    template: str | None = None
    """Name of the T&A template its orders follow."""
    weight_gsm: float | None = Field(None, gt=0)
    """Body fabric weight in g/m2 (a customs ruling needs it)."""
    process_countries: str | None = None
    """Where each step happened, e.g. 'Fabric: China; Cut & sew: Vietnam' (customs rulings)."""


class Order(Record):
    po: str
    """Purchase order number."""
    style: str
    """Style number (Styles sheet)."""
    color: str
    """Colour of this PO line."""
    qty: int | None = Field(None, ge=0)
    """Ordered units."""
    ship_mode: str | None = None
    """Sea, Air, Sea-Air..."""
    po_date: date | None = None
    """Date the PO was issued: anchor for PO-based milestones."""
    ex_factory: date | None = None
    """Contractual ex-factory date."""
    in_dc: date | None = None
    """Due date in the distribution centre."""
    cancel: date | None = None
    """Cancel date: shipping after it risks cancellation or chargebacks."""
    port: str | None = None
    """Port of loading."""
    dc: str | None = None
    """Destination DC."""
    terms: str | None = None
    """Incoterm (FOB, DDP...): decides what the cancel date is judged on (blank: Config 'Default Terms')."""
    line_status: str | None = None
    """The team's word for the line: 'Cancelled', 'Cxl' take it out of the plan (``ta.line_state``)."""


WORKING_WORDS = frozenset({"working", "work", "wd", "working days", "business", "business days", "w"})
CALENDAR_WORDS = frozenset({"calendar", "cal", "cd", "calendar days", "c"})


def day_type_of(v: object) -> DayType | None:
    """A Day Type as the T&A Templates sheet and the spreadsheet functions read it: blank is Working; None
    for a word that is neither."""
    if v is None or (isinstance(v, str) and not v.strip()):
        return DayType.WORKING
    if isinstance(v, str):
        folded = " ".join(v.strip().lower().split())
        if folded in WORKING_WORDS:
            return DayType.WORKING
        if folded in CALENDAR_WORDS:
            return DayType.CALENDAR
    return None


class TemplateMilestone(Record):
    template: str
    """Template name, e.g. 'Knit 90'."""
    code: str
    """Short milestone code, unique in its template (LD-APP, PP-APP, XF...)."""
    milestone: str | None = None
    """Milestone name shown to people."""
    owner: str | None = None
    """Who does it: Vendor, Buyer, Tech, Mill, Forwarder..."""
    anchor: str
    """An order date (PO Date, Ex-Factory, In-DC) or another milestone's Code."""
    offset: int
    """Signed days from the anchor: -30 is 30 days before it."""
    day_type: DayType = DayType.WORKING
    """Working days on the vendor's factory calendar, or Calendar days."""
    critical: bool = False
    """On the critical path."""
    stage: str | None = None
    """Development, Materials, Production, Shipping..."""

    @field_validator("day_type", mode="before")
    @classmethod
    def _day_type(cls, v: object) -> object:
        if v is None or (isinstance(v, str) and not v.strip()):
            return DayType.WORKING
        found = day_type_of(v)
        if found is None:
            raise ValueError("should be Working or Calendar")
        return found

    @field_validator("critical", mode="before")
    @classmethod
    def _critical(cls, v: object) -> object:
        return False if v is None else v


class Milestone(Record):
    """A row of the T&A sheet: one milestone of one PO line."""

    po: str
    """PO number."""
    style: str
    """Style number."""
    color: str
    """Colour."""
    vendor: str | None = None
    """Vendor whose factory calendar counts the working days."""
    code: str
    """Template milestone code."""
    milestone: str | None = None
    """Milestone name."""
    owner: str | None = None
    """Who does it."""
    planned: date | None = None
    """Due date from the template."""
    forecast: date | None = None
    """Expected date, slipped by late predecessors."""
    actual: date | None = None
    """Typed by the user when it happened."""
    status: Status | None = None
    """Done, Done late, Overdue, Due soon, Upcoming, N/A."""
    variance: int | None = None
    """Working days late (+) or early (-) against Planned."""
    notes: str | None = None
    """The user's notes."""


class LabDip(Record):
    style: str
    """Style number."""
    color: str
    """Colour being matched."""
    fabric: str | None = None
    """Fabric or trim the dip is on."""
    mill: str | None = None
    """Mill or dye house."""
    round: int | None = Field(None, ge=1)
    """Submission round: 1, 2, 3..."""
    option: str | None = None
    """The round's option (A, B, C), each its own dip; blank for a round of one."""
    submitted: date | None = None
    """Date the mill sent the dips."""
    received: date | None = None
    """Date they reached the buyer."""
    decision: str | None = None
    """Approved, Approved with comments, Rejected, Resubmit, Cancelled."""
    decision_date: date | None = None
    """Date of the decision."""
    comments: str | None = None
    """Direction for the mill: 'too red', 'lighter'..."""


class Sample(Record):
    style: str
    """Style number."""
    sample_type: str
    """Proto, Fit, Size set, SMS, Photo, PP, TOP, Shipment, Test, Customs..."""
    purpose: str | None = None
    """Line review, customs ruling, fit approval..."""
    color: str | None = None
    """Colour."""
    size: str | None = None
    """Size."""
    qty: int | None = Field(None, ge=0)
    """Pieces."""
    requested: date | None = None
    """Date requested from the vendor."""
    due: date | None = None
    """Target send date."""
    shipped: date | None = None
    """Actual send date."""
    courier: str | None = None
    """DHL, FedEx, UPS..."""
    tracking: str | None = None
    """Air waybill / tracking number."""
    received: date | None = None
    """Date received."""
    status: str | None = None
    """Requested, Shipped, Received, Approved, Rejected..."""
    comments: str | None = None
    """Comments."""


class WipLine(Record):
    po: str
    """PO number."""
    style: str | None = None
    """Style number."""
    color: str | None = None
    """Colour."""
    vendor: str | None = None
    """Vendor that sent the report."""
    order_qty: int | None = None
    """Order quantity as the vendor has it."""
    cut_qty: int | None = None
    """Pieces cut."""
    sewn_qty: int | None = None
    """Pieces sewn (sewing output)."""
    packed_qty: int | None = None
    """Pieces finished and packed."""
    fabric_status: str | None = None
    """Fabric status in the vendor's words."""
    planned_xf: date | None = None
    """Ex-factory date the vendor plans."""
    revised_xf: date | None = None
    """Revised ex-factory date."""
    ship_mode: str | None = None
    """Ship mode the vendor plans."""
    booking_status: str | None = None
    """Forwarder booking status."""
    remarks: str | None = None
    """Vendor remarks."""
    report_date: date | None = None
    """Date of the WIP report."""
    source_file: str | None = None
    """File the row came from."""


class ExceptionRecord(Record):
    id: str | None = None
    """Stable ID, kept across runs; blank on a row the APM added, which the next run gives one."""
    detected: date | None = None
    """First detected."""
    po: str | None = None
    """PO number."""
    style: str | None = None
    """Style number."""
    color: str | None = None
    """Colour of the PO line."""
    vendor: str | None = None
    """Vendor."""
    rule: str | None = None
    """Rule code."""
    severity: str | None = None
    """error, warning, info."""
    detail: str | None = None
    """What is wrong, in words."""
    status: str | None = None
    """Open, Resolved, Resolved by data... (the user's)."""
    owner: str | None = None
    """Who handles it (the user's)."""
    resolution: str | None = None
    """How it was resolved (the user's)."""


class FollowUp(Record):
    vendor: str
    """Vendor to chase."""
    contact: str | None = None
    """Contact e-mail."""
    item: str | None = None
    """What is outstanding."""
    ref: str | None = None
    """PO / style / colour reference."""
    detail: str | None = None
    """What is needed."""
    due: date | None = None
    """When it was due."""
    days_overdue: int | None = None
    """Days past due."""
    last_contacted: date | None = None
    """The user's: when the vendor was last chased."""
    draft: str | None = None
    """Path of the e-mail draft."""


class Vendor(Record):
    vendor: str
    """Vendor code used on Styles."""
    name: str | None = None
    """Vendor name."""
    country: str | None = None
    """Factory country."""
    email: str | None = None
    """To: addresses, separated by ; or ,."""
    cc: str | None = None
    """CC: addresses."""
    weekend: str | None = None
    """Excel weekend number (1, 7, 11, 16...) or mask such as 0000011; blank = Saturday and Sunday."""
    holiday_country: str | None = None
    """ISO country code whose public holidays the factory keeps (CN, VN, BD, IN...)."""


class Closure(Record):
    calendar: str
    """A vendor code, or a country code for every vendor with that Holiday Country."""
    start: date
    """First closed day."""
    end: date
    """Last closed day (inclusive)."""
    reason: str | None = None
    """Chinese New Year, Eid, Golden Week..."""


class IssueRow(Record):
    sheet: str | None = None
    """Sheet of the problem."""
    cell: str | None = None
    """Cell address, e.g. F12."""
    key: str | None = None
    """Row key (PO / style / colour...)."""
    field: str | None = None
    """Column header."""
    value: str | None = None
    """The value found."""
    problem: str | None = None
    """What is wrong and what to do."""
    severity: str | None = None
    """error, warning, info."""
    code: str | None = None
    """Stable finding code."""
    other_value: str | None = None
    """The value another source gives (vendor file, Vendor WIP, T&A, the locked profile)."""
    other_source: str | None = None
    """Where the other value comes from."""
    proposed: str | None = None
    """What Accept writes into the cell (blank: nothing to write, see Problem)."""
    accept: str | None = None
    """The user's: Yes to apply the proposed value with 'prodbook validate --apply'; Dismiss to close it."""
    dismissed_as: str | None = None
    """prodbook's, on a dismissed row: the sentence dismissed, which later runs compare today's Problem with."""
    found_in: str | None = None
    """The vendor file it was read from (blank: the workbook): open until a run reads that file again."""
    found_on: date | None = None
    """When a run first found it."""
    found_by: str | None = None
    """The step that found it (Check records, Rebuild T&A...); blank: every run."""


class ChangeLogEntry(Record):
    timestamp: datetime
    """When prodbook changed it."""
    action: str
    """Action and run number, e.g. 'Rebuild T&A #3'."""
    sheet: str
    """Sheet changed."""
    key: str | None = None
    """Row key."""
    field: str | None = None
    """Column changed, or (new row) / (archived)."""
    old: str | int | float | None = None
    """Value before: a number as a number, any other value as text."""
    new: str | int | float | None = None
    """Value after, as Old."""
    user: str | None = None
    """Who ran prodbook."""


class StyleLock(Record):
    """A row of the Style Snapshot sheet: one key field of one adopted style, as locked."""

    style: str
    """Style number."""
    field: str
    """Styles column header (Fiber Content, FOB (USD)...)."""
    locked: str | None = None
    """The value when the style was adopted, or when a change was last accepted."""
    locked_on: date | None = None
    """When it was locked."""
    current: str | None = None
    """The value on the Styles sheet now, when it differs from the locked one."""
    changed_on: date | None = None
    """First run that saw the change."""


class Setting(Record):
    setting: str
    """Setting name."""
    value: str | None = None
    """Setting value."""


RECORDS: dict[str, type[Record]] = {
    "Styles": Style, "Orders": Order, "T&A Templates": TemplateMilestone, "T&A": Milestone,
    "Lab Dips": LabDip, "Samples": Sample, "Vendor WIP": WipLine, "Exceptions": ExceptionRecord,
    "Follow-ups": FollowUp, "Vendors": Vendor, "Closures": Closure, "Issues": IssueRow,
    "Change Log": ChangeLogEntry, "Config": Setting, "Style Snapshot": StyleLock,
}
