"""Follow-ups: what to chase, per vendor, and one polite e-mail draft per vendor.

Pure functions. ``collect`` gathers the outstanding items (the vendor's
overdue and soon-due T&A milestones, samples not sent, lab dips to resubmit,
open exceptions); ``render`` turns one vendor's items into an
``email.message.EmailMessage`` (plain text and HTML, each with a table of the
items); ``eml_bytes`` is the standard .eml file that Outlook opens as
a draft (``workbook.outlook`` saves it). Sending is not done here: the live-Excel back end will hand the same
messages to Outlook.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.headerregistry import Address, AddressHeader, HeaderRegistry
from email.message import EmailMessage, MIMEPart
from email.policy import SMTP
from email.utils import format_datetime
from typing import Any, cast

import numpy as np
import pandas as pd

from prodbook.core import vendor_view as vv
from prodbook.core.calendar import FactoryCalendar
from prodbook.core.cells import day_of, is_missing, text_or_empty
from prodbook.core.development.labdips import DipSettings, dip_status
from prodbook.core.exceptions import FACTS, awaits_id, known_rule, open_exceptions, rule_name
from prodbook.core.findings import Code
from prodbook.core.followup_items import ASK, ASK_SHIPPED, ON_TRACK, Item, sends_it, vendor_key
from prodbook.core.keys import fold_ref, fold_word, index_key, line_key, upper_stripped
from prodbook.core.limits import reserved_on_windows
from prodbook.core.looks import DEFAULT_DATE_FORMAT, date_text, with_date_text
from prodbook.core.model.records import Status
from prodbook.core.ta import status_today
from prodbook.core.where import records

VENDOR_OWNERS = ("Vendor", "Mill", "Factory", "Supplier")
"""T&A owners the vendor answers for (Config 'Vendor Owners' replaces the list)."""


def _text(v: Any) -> str | None:
    return None if is_missing(v) or not str(v).strip() else str(v).strip()


def _overdue(due: date | None, today: date) -> int | None:
    """Days past ``due``; None (a blank cell, on the sheet as in the e-mail) for an item not overdue."""
    return days if due and (days := (today - due).days) > 0 else None


def milestone_items(ta: pd.DataFrame, today: date, owners: Sequence[str] = VENDOR_OWNERS, *,
                    date_format: str = DEFAULT_DATE_FORMAT, due_soon_days: int = 7) -> list[Item]:
    """The vendor's T&A milestones that are overdue or due soon today: the status worked out again from
    Planned and Actual, so an Actual typed since the last T&A rebuild is not chased, and a milestone due
    since then is."""
    if ta.empty:
        return []
    wanted = {o.strip().lower() for o in owners}
    status = pd.Series(status_today(ta, today, due_soon_days), index=ta.index).astype("string")
    owner = ta["owner"].astype("string").str.strip().str.lower()
    sub = ta[status.isin([Status.OVERDUE.value, Status.DUE_SOON.value]) & owner.isin(wanted)
             & ta["vendor"].notna()]
    out = []
    for i, r in zip(sub.index, sub.to_dict("records"), strict=True):
        due = day_of(r.get("planned"))
        name = _text(r.get("milestone")) or str(r["code"])
        if status[i] == Status.OVERDUE.value:
            ask = "please send it or give us a new date" if sends_it(name) else \
                "please confirm the date it happened, or give us a new date"
            detail = f"{name} was due {date_text(due, date_format)}" if due else f"{name} is overdue"
            if due and (expected := day_of(r.get("forecast"))) and expected > due:
                detail += f" and the steps before it put it at {date_text(expected, date_format)}"
            detail += f"; {ask}"
        elif due and (expected := day_of(r.get("forecast"))) and expected > due:  # late before it starts
            detail = (f"{name} is due {date_text(due, date_format)}, but the steps before it put it at "
                      f"{date_text(expected, date_format)}; please confirm the date you can make")
        else:
            detail = f"{name} is due {date_text(due, date_format)}; {ON_TRACK}" if due else \
                f"{name} is due soon; {ON_TRACK}"
        out.append(Item(str(r["vendor"]), name, detail, str(r["po"]), str(r["style"]), str(r["color"]), due,
                        _overdue(due, today), code=_text(r.get("code"))))
    return out


def live_milestones(ta: pd.DataFrame, stopped: Collection[str]) -> pd.DataFrame:
    """The T&A rows of PO lines still wanted: a line cancelled on Orders (``stopped``: their ``index_key``
    over PO, style and colour) is not chased, even before the next T&A rebuild archives its rows."""
    if ta.empty or not stopped:
        return ta
    return ta[~index_key(ta, ("po", "style", "color")).isin(set(stopped)).to_numpy()]


def without_sampled(ta: pd.DataFrame, samples: Iterable[Item], code_of: Callable[[str], str | None]
                    ) -> pd.DataFrame:
    """The T&A rows less the sample-submit milestones that a chased sample stands for (``samples``: the
    items of ``sample_items``; ``code_of``: a sample type's milestone code, as the T&A rebuild reads it): the
    milestone of its style and colour on every PO line, of every colour when the sample has none. Sending
    that one sample completes them all, so the vendor is asked once, about the sample and its agreed Due."""
    keys: set[tuple[str, str, str]] = set()
    for it in samples:
        code = code_of(it.item.removesuffix(" sample"))
        if code and it.style:
            keys.add((fold_word(code), fold_word(it.style), fold_word(it.color or "")))  # as upper_stripped
    if not keys or ta.empty:
        return ta

    if "code" not in ta:
        return ta
    # the sample codes' rows first (a season's T&A is a million rows, a few of them sample milestones)
    at = np.flatnonzero(upper_stripped(ta["code"]).isin({c for c, _, _ in keys}).to_numpy())
    near = ta.iloc[at]

    def fold(column: str) -> pd.Series:
        if column not in near:
            return pd.Series("", index=near.index, dtype=object)
        return upper_stripped(near[column]).fillna("").astype(object)

    line = fold("code") + "\x1f" + fold("style") + "\x1f"
    wanted = {"\x1f".join(k) for k in keys}
    hit = ((line + fold("color")).isin(wanted) | line.isin(wanted)).to_numpy()
    keep = np.ones(len(ta), dtype=bool)
    keep[at[hit]] = False
    return ta[keep]


def sample_items(samples: pd.DataFrame, vendor_of: Mapping[str, str], today: date, soon_days: int, *,
                 date_format: str = DEFAULT_DATE_FORMAT) -> list[Item]:
    """Samples due (or due within the due-soon window) that the vendor has not sent: a Shipped or Received
    date still to come is a promise, not a parcel (as the Samples check reads it)."""
    out = []
    for r in samples.to_dict("records"):
        due = day_of(r.get("due"))
        if due is None or due > today + timedelta(days=soon_days) or any(
                (d := day_of(r.get(f))) is not None and d <= today for f in ("shipped", "received")):
            continue
        vendor = vendor_of.get(fold_ref(r.get("style")))
        if not vendor:
            continue
        kind = _text(r.get("sample_type")) or "Sample"
        purpose = f" for {r['purpose']}" if _text(r.get("purpose")) else ""
        when = date_text(due, date_format)
        detail = (f"{kind} sample{purpose} was due {when}; please send it with the tracking number"
                  if due < today else f"{kind} sample{purpose} is due {when}; please confirm the send date")
        out.append(Item(vendor, f"{kind} sample", detail, None, str(r["style"]), _text(r.get("color")), due,
                        _overdue(due, today)))
    return out


def lab_dip_items(dips: pd.DataFrame, vendor_of: Mapping[str, str], today: date,
                  settings: DipSettings | None = None) -> list[Item]:
    """Colours whose lab dips stand at 'Resubmit' on the Lab Dips view (the latest round rejected, no
    option or round approved, not cancelled): the mill owes a new round, due 'Lab Dip Resubmit Days'
    after the rejection. The one reading of where a colour stands, so the chase and the sheet agree."""
    status = dip_status(dips, today, settings or DipSettings())
    out = []
    for r in records(status[status["state"] == "Resubmit"]):
        vendor = vendor_of.get(fold_ref(r["style"]))
        if not vendor:
            continue
        comments = f" ({_text(r['comments'])})" if _text(r.get("comments")) else ""
        due = r["next_date"]
        out.append(Item(vendor, "Lab dip resubmit", f"Round {r['round'] or '?'} was rejected{comments}; "
                        "please resubmit new dips", None, str(r["style"]), str(r["color"]), due,
                        _overdue(due, today)))
    return out


_FOR_APM = re.compile(r"\s*(?:[:;.]|,? or)\s+(?:agree|ask|expect|confirm with|air freight is a cost|recovery:|"
                      r"else ask|plan for)\b.*$", re.I | re.S)
"""Where a rule's Detail turns from the facts to the APM's own next steps (agree with the buyer, expect a
chargeback, the recovery levers and their costs): none of that is for the vendor. Only the fallback for a
row whose facts this run does not know (a row the APM added under a rule's code): a rule found in this run
gives its facts apart (``exceptions.Found``), whatever its advice's wording."""


def vendor_text(rule: Any, detail: Any, vendor: str, facts: Any = None, *, shipped: bool = False) -> str:
    """An exception as the vendor reads it: its facts, said to the vendor, and what we ask.

    A rule prodbook knows keeps its facts (dates, quantities) and drops the APM's advice: ``facts`` as the
    rule gave them in this run, else the Detail cut where ``_FOR_APM`` finds the advice. A row the APM added
    by hand (any other Rule) is sent as typed, with 'Please advise.' ``shipped``: the PO line has left the
    factory, so the request is the one for goods on their way (``ASK_SHIPPED``) where the rule has one.
    """
    text = " ".join(str(detail).split()) if _text(detail) else ""
    rule = text_or_empty(rule)
    if rule not in ASK:
        said = text or rule_name(rule)
        return f"{said}{'' if said.endswith(('.', '?', '!')) else '.'} Please advise." if said else "Please advise."
    known = _text(facts)
    facts = (" ".join(known.split()) if known else _FOR_APM.sub("", text)).rstrip(" .:;,")
    who = re.escape(vendor.strip())
    for pattern, said in ((r"\bThe vendor says\b", "You gave"), (r"\bThe vendor\b", "You"),
                          (r"\(vendor: '", "(your status: '"), (r"\bthe T&A forecasts\b", "our plan forecasts"),
                          (rf"\b{who}'s WIP report\b", "your WIP report"),
                          (r" cancelled on Orders \(Line Status '[^']*'\)", " cancelled"),
                          (r"^PO [^:]*:\s*", ""), (rf"^{re.escape(rule_name(rule))}:\s*", ""),  # said in the row
                          (r"\bXF\b", "ex-factory")):
        facts = re.sub(pattern, said, facts)
    ask = ASK_SHIPPED.get(rule, ASK[rule]) if shipped else ASK[rule]
    if rule == Code.SHIP_WINDOW_MISSED.value and "has passed" not in facts:  # shipped already, but late
        ask = "Please advise."
    return f"{facts}. {ask}" if facts else ask


def exception_items(exceptions: pd.DataFrame, shipped: Collection[str] = ()) -> list[Item]:
    """Open exceptions (not closed by the APM, not resolved by data), as questions to the vendor: the
    facts and what we ask, never the APM's own next steps (see ``vendor_text``). The facts are the frame's
    ``FACTS`` column where the rules of this run filled it in (``exceptions.merge``). A row the APM added is
    listed under its Rule and ID (``exception_item``); one saying nothing of what it is, not at all.
    ``shipped``: the ``keys.line_key`` of each PO line that has left the factory (``shipped_lines``)."""
    out = []
    for r in open_exceptions(exceptions).to_dict("records"):
        vendor = _text(r.get("vendor"))
        if not vendor or not (_text(r.get("id")) or awaits_id(r)):  # a row saying nothing of what it is
            continue
        name = exception_item(r.get("rule"), r.get("id"))
        gone = bool(shipped) and line_key(r.get("po"), r.get("style"), r.get("color")) in shipped
        said = vendor_text(r.get("rule"), r.get("detail"), vendor, r.get(FACTS), shipped=gone)
        former = rule_name(r.get("rule"))
        out.append(Item(vendor, name, said, _text(r.get("po")), _text(r.get("style")), _text(r.get("color")),
                        None, None, former if former != name else None,
                        None if gone else _text(r.get("rule"))))
    return out


def shipped_lines(ta: pd.DataFrame, codes: Collection[str], today: date) -> set[str]:
    """The PO lines (``keys.line_key``) whose ex-factory or in-DC milestone (``codes``, as the exception rules'
    ``gone`` reads them) has an Actual on or before ``today``: their goods have left the factory (an Actual
    still to come is the vendor's promise, not a shipment)."""
    if ta.empty or not {"code", "actual", "po", "style", "color"} <= set(ta.columns):
        return set()
    rows = ta[upper_stripped(ta["code"]).isin({fold_word(c) for c in codes}).to_numpy()]
    return {line_key(r["po"], r["style"], r["color"]) for r in rows.to_dict("records")
            if (d := day_of(r.get("actual"))) is not None and d <= today}


def exception_item(rule: Any, ident: Any) -> str:
    """An exception's Item: a rule of prodbook's by its name (one exception per rule and PO line); the APM's
    own by their Rule and its ID ('Hangtag artwork (EX-0042)', 'Exception EX-0043' with no Rule), so two
    of one PO line are two items, each with its own Last Contacted."""
    name, ident = rule_name(rule), text_or_empty(ident)
    if known_rule(rule) or not ident:
        return name
    return f"{name} ({ident})" if name else f"Exception {ident}"


def collect(*sources: Iterable[Item]) -> list[Item]:
    """All items, one per (vendor, item, ref), most overdue first within each vendor."""
    seen: dict[tuple[str, str, str], Item] = {}
    for source in sources:
        for it in source:
            seen.setdefault(it.key, it)
    return sorted(seen.values(), key=lambda i: (i.vendor.upper(), -(i.days_overdue or -1),
                                                i.due or date.max, i.ref, i.item))


# --- e-mail ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Contact:
    vendor: str
    name: str | None = None
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()


_LINE_BREAK = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
"""What Python and Excel take as a line break: between address entries, never inside one."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
"""Line breaks, tabs and other control characters: never allowed in text bound for a header."""
_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+")
_HEADERS = HeaderRegistry()


@dataclass(frozen=True)
class BadAddress:
    """One entry of an address cell that cannot go into a To/Cc/From header, and why."""

    entry: str
    why: str


def one_address(entry: str) -> str | BadAddress:
    """``entry`` as exactly one address ('Bo <b@x.com>' or 'b@x.com'), re-written by the email package.

    Anything else (a header line such as 'Bcc: x@evil.com', two addresses, no dot in the
    domain, a control character) is a ``BadAddress``: text from a cell never reaches a
    header unparsed, so it can neither add a recipient nor a header.
    """
    text = entry.strip()
    if _CONTROL.search(text):
        return BadAddress(text, "it holds a line break or another control character")
    header = _HEADERS("To", text)
    groups = cast(AddressHeader, header).groups  # the registry's To class is a BaseHeader and an AddressHeader
    if len(groups) != 1 or groups[0].display_name is not None or len(groups[0].addresses) != 1:
        return BadAddress(text, "it is not one e-mail address")
    addr = groups[0].addresses[0]
    if header.defects and text.count("@") > 1:
        return BadAddress(text, "it holds more than one address")
    if header.defects or not addr.username or not addr.domain:
        return BadAddress(text, "it is not an e-mail address such as name@vendor.com")
    if not (_ATOM.fullmatch(addr.username) and _ATOM.fullmatch(addr.domain)):
        return BadAddress(text, "an e-mail address can only hold plain letters, digits and . - _ +")
    labels = addr.domain.split(".")
    if len(labels) < 2 or not all(labels):
        return BadAddress(text, f"the part after '@' ('{addr.domain}') needs a dot, as in vendor.com")
    if _CONTROL.search(addr.display_name):
        return BadAddress(text, "the name before the address holds a control character")
    return str(Address(addr.display_name, addr.username, addr.domain))


def _entries(text: str) -> list[str]:
    """A cell split into address entries: at ';' or ',' outside "quotes", and at every line break
    (Alt+Enter between addresses is how many people list them)."""
    out: list[str] = []
    for line in _LINE_BREAK.split(text):
        quoted, start = False, 0
        for i, ch in enumerate(line):
            if ch == '"' and (i == 0 or line[i - 1] != "\\"):
                quoted = not quoted
            elif ch in ";," and not quoted:
                out.append(line[start:i])
                start = i + 1
        out.append(line[start:])
    return out


def parse_addresses(text: Any) -> tuple[tuple[str, ...], tuple[BadAddress, ...]]:
    """'a@x.com; Bo <b@x.com>' -> (the good addresses, the entries that are not one address)."""
    if is_missing(text) or not str(text).strip():
        return (), ()
    good: list[str] = []
    bad: list[BadAddress] = []
    for part in _entries(str(text)):
        if part.strip():
            found = one_address(part)
            if isinstance(found, BadAddress):
                bad.append(found)
            else:
                good.append(found)
    return tuple(good), tuple(bad)


def addresses(text: Any) -> tuple[str, ...]:
    """'a@x.com; Bo <b@x.com>, c@x.com' -> each valid address (display names kept); others dropped."""
    return parse_addresses(text)[0]


def one_line(text: Any) -> str:
    """Tracker text (a vendor name or code) made safe for a header: control characters and line
    breaks become one space."""
    return " ".join(_CONTROL.sub(" ", str(text)).split())


def draft_vendor(msg: Any) -> str:
    """The vendor a follow-up draft (an e-mail or its header block) was written for, as the draft names it:
    its ``X-Prodbook-Vendor`` on one line ("" for none). Folded with ``vendor_key`` wherever drafts are
    matched to vendors, so every reader of a draft agrees on whose it is."""
    return one_line(msg.get("X-Prodbook-Vendor", ""))


def bad_name(text: Any) -> str | None:
    """Why a display name (the Vendors Name) cannot head an e-mail, or None when it can."""
    if is_missing(text) or not _CONTROL.search(str(text).strip()):
        return None
    return "it holds a line break or another control character"


COLUMNS = ("PO", "Style", "Colour", "Item", "Due", "Days overdue", "What we need")


def _cells(it: Item, date_format: str = DEFAULT_DATE_FORMAT) -> tuple[str, ...]:
    """One item's row of the e-mail table; every date in it, the detail's too, in the workbook's format."""
    return (it.po or "", it.style or "", it.color or "", it.item, date_text(it.due, date_format) if it.due else "",
            str(it.days_overdue) if it.days_overdue else "", with_date_text(it.detail, date_format))


def display_width(text: str) -> int:
    """How many columns ``text`` takes in a fixed-width font: a wide or full-width character (Chinese,
    Japanese, Korean) two, a combining mark none, any other one."""
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
               for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - display_width(text), 0)


def plain_table(items: Sequence[Item], date_format: str = DEFAULT_DATE_FORMAT) -> str:
    rows = [COLUMNS, *(_cells(i, date_format) for i in items)]
    widths = [min(max(display_width(r[c]) for r in rows), 60) for c in range(len(COLUMNS) - 1)]
    lines = []
    for n, r in enumerate(rows):
        lines.append("  ".join(_pad(v, w) for v, w in zip(r, widths)) + "  " + r[-1])
        if n == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * len(COLUMNS[-1]))
    return "\n".join(line.rstrip() for line in lines)


def html_table(items: Sequence[Item], date_format: str = DEFAULT_DATE_FORMAT) -> str:
    th = "".join(f'<th style="text-align:left;padding:4px 8px;border-bottom:1px solid #999">'
                 f'{html.escape(c)}</th>' for c in COLUMNS)
    body = []
    for it in items:
        style = ' style="color:#b00020"' if it.days_overdue else ""
        tds = "".join(f'<td style="padding:4px 8px;border-bottom:1px solid #ddd">{html.escape(v)}</td>'
                      for v in _cells(it, date_format))
        body.append(f"<tr{style}>{tds}</tr>")
    return (f'<table style="border-collapse:collapse;font-family:Calibri,Arial,sans-serif;font-size:11pt">'
            f"<thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>")


def reply_by(today: date, calendar: FactoryCalendar | None = None) -> date:
    """Two of the vendor's working days from today (its weekend, holidays and closures; Mon-Fri without
    a calendar): the date the e-mail asks for an answer by. A Friday-Saturday factory answers by Sunday."""
    if calendar is not None:
        return calendar.workday(today, 2)
    d, n = today, 0
    while n < 2:
        d += timedelta(days=1)
        n += d.weekday() < 5
    return d


def vendor_date_format(date_format: str) -> str:
    """How dates read in what goes to a vendor: the workbook's Date Format when it writes the month in
    letters (dd-mmm-yy) or the year first (yyyy-mm-dd); else dd-mmm-yy. A factory reads 03/04/27 its own way
    round (3 April in Dhaka, 4 March in a US buying office): a date sent in numbers alone gets misread."""
    fmt = date_format.strip().lower()
    return date_format if "mmm" in fmt or fmt.startswith("yy") else DEFAULT_DATE_FORMAT


def render(contact: Contact, items: Sequence[Item], today: date, *, sender: str | None = None,
           signature: str | None = None, date_format: str = DEFAULT_DATE_FORMAT,
           calendar: FactoryCalendar | None = None, summary: vv.Summary | None = None) -> EmailMessage:
    """One vendor's draft: To/CC from the Vendors sheet, a clear subject, a short body, the items' table
    (``summary``: what a long draft says before it).

    Every date reads in ``date_format`` (``vendor_date_format`` of the workbook's), in the table and in the
    sentences.
    """
    day = date_text(today, date_format)
    overdue = sum(1 for i in items if i.days_overdue)
    who = one_line(contact.name or contact.vendor) or one_line(contact.vendor)
    msg = EmailMessage()
    msg["Subject"] = (f"{who}: {len(items)} open item{'s' if len(items) != 1 else ''} to update"
                      + (f" ({overdue} overdue)" if overdue else "") + f" - {day}")
    to, cc = _checked(contact.to), _checked(contact.cc)  # callers validate; a header never takes raw text
    if to:
        msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    if isinstance(frm := one_address(sender) if sender else None, str):
        msg["From"] = frm
    msg["Date"] = format_datetime(datetime.combine(today, datetime.min.time()).astimezone())
    msg["X-Unsent"] = "1"  # Outlook opens the file as a draft, ready to edit and send
    msg["X-Prodbook-Vendor"] = one_line(contact.vendor)
    by = reply_by(today, calendar)
    by_text = f"{by:%a} {date_text(by, date_format)}"
    sign = signature or "Production team"
    intro = (f"Dear {who} team,\n\nPlease find below the items we are waiting for as of {day}. "
             f"Could you reply by {by_text} with an update or a new date for each?")
    said = "" if summary is None else "\n".join((summary.lead, *(f"- {c}" for c in summary.counts),
                                                  summary.oldest)) + "\n\n"
    msg.set_content(f"{intro}\n\n{said}{plain_table(items, date_format)}\n\nThank you,\n{sign}\n")
    said = "" if summary is None else (
        f"<p><b>{html.escape(summary.lead)}</b></p><ul>{''.join(f'<li>{html.escape(c)}</li>' for c in summary.counts)}"
        f"</ul><p>{html.escape(summary.oldest)}</p>")
    msg.add_alternative(
        f'<html><body style="font-family:Calibri,Arial,sans-serif;font-size:11pt">'
        f"<p>Dear {html.escape(who)} team,</p><p>Please find below the items we are waiting for as of "
        f"{day}. Could you reply by {by_text} with an update or a new date for each?</p>"
        f"{said}{html_table(items, date_format)}<p>Thank you,<br>{html.escape(sign)}</p></body></html>",
        subtype="html")
    return msg


def _checked(entries: Sequence[str]) -> list[str]:
    return [a for a in map(one_address, entries) if not isinstance(a, BadAddress)]


TRACKER_HEADER = "X-Prodbook-Tracker"
"""The header that names, as a digest, the tracker a draft file was written for: a later run of the same day
takes away the draft of a vendor with nothing left to chase, and only its own (``followups_job._stale_drafts``)."""

DRAFT_VENDOR_CHARS = 40
"""At most this much of a vendor code goes into its draft's file name: a long code (a full company name, CJK
text taking three bytes a character) made a name past the 255 a folder entry may hold, and no draft."""


def draft_name(vendor: str, today: date) -> str:
    """'<vendor>_follow-up_<date>.eml': letters, digits, '.', '-' and '_' only (nothing Windows refuses),
    never starting with a dot (a hidden file), the vendor part cut to ``DRAFT_VENDOR_CHARS``."""
    code = unicodedata.normalize("NFC", vendor).strip().lstrip(".")[:DRAFT_VENDOR_CHARS] or "vendor"
    name = re.sub(r"[^\w.-]+", "_", f"{code} follow-up {today.isoformat()}").lstrip(".") + ".eml"
    return f"_{name}" if reserved_on_windows(name) else name  # vendor 'AUX.': 'AUX._follow-up_...eml' is no file


def draft_names(vendors: Iterable[str], today: date) -> dict[str, str]:
    """Each vendor's draft file name, no two alike even where Windows and macOS ignore case ("BD1" and "bd1",
    or "BD 1" and "BD/1", which both become "BD_1"): else one vendor's draft would overwrite another's."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for vendor in vendors:
        name = draft_name(vendor, today)
        stem, n = name[:-len(".eml")], 1
        while name.casefold() in taken:
            n += 1
            name = f"{stem}_{n}.eml"
        taken.add(name.casefold())
        out[vendor] = name
    return out


DRAFTS_FOLDER = "Follow-up drafts"
"""The folder beside the workbook a run writes its drafts in, one folder a day ('Follow-up drafts/2027-03-01')."""
OUTLOOK_DRAFTS = "Outlook Drafts: "
"""What the Follow-ups Draft column shows before a draft's subject when the drafts went to Outlook (no file)."""
_DRAFT_DAY = re.compile(r"[^/\\]*_follow-up_(\d{4}-\d{2}-\d{2})(?:_\d+)*\.eml")


def draft_day(name: str) -> date | None:
    """The day in a draft's file name as ``draft_name`` and ``draft_names`` make it, a '_2' added or not
    ('BD1_follow-up_2027-03-01_2.eml': 1 March 2027); None for any other text (a path, a name of the APM's)."""
    m = _DRAFT_DAY.fullmatch(name)
    if m is None:
        return None
    try:
        return date.fromisoformat(m.group(1))
    except ValueError:  # '2027-02-30': no day
        return None


def eml_bytes(msg: EmailMessage) -> bytes:
    """The .eml file's content; the same message gives the same bytes (a run with nothing new leaves the
    draft alone), so each MIME boundary comes from the content rather than from chance."""
    _fixed_boundaries(msg)
    return msg.as_bytes(policy=SMTP)


def _fixed_boundaries(msg: MIMEPart) -> None:
    if not msg.is_multipart():
        return
    for part in msg.iter_parts():
        _fixed_boundaries(part)
    body = b"".join(part.as_bytes(policy=SMTP) for part in msg.iter_parts())
    msg.set_boundary(f"===============prodbook{hashlib.sha256(body).hexdigest()[:20]}==")


@dataclass
class Drafts:
    """The messages of a run, by vendor, before anything is written or sent."""

    messages: dict[str, EmailMessage] = field(default_factory=dict)
    items: dict[str, list[Item]] = field(default_factory=dict)


def drafts(items: Sequence[Item], contacts: Mapping[str, Contact], today: date, *, sender: str | None = None,
           signature: str | None = None, date_format: str = DEFAULT_DATE_FORMAT,
           calendars: Mapping[str, FactoryCalendar] | None = None, milestones: Sequence[str] = (),
           asked: Mapping[tuple[str, str, str], date] | None = None) -> Drafts:
    """One message per vendor; ``calendars`` (by ``vendor_key``) set each vendor's reply-by date. The message
    lists the vendor's view of its items (``vendor_view.vendor_view``; ``milestones``: the Ex-Factory and Packing
    codes, ``vendor_view.LATENESS_MILESTONES`` when none are given);
    ``Drafts.items`` keeps them one by one, as the Follow-ups sheet lists them. ``asked``: each item's Last
    Contacted by ``Item.key``, to mark a second request as a reminder."""
    out = Drafts()
    spelled: dict[str, str] = {}  # one message per vendor however its code is typed: "BD1", "bd1 "
    for it in items:
        out.items.setdefault(spelled.setdefault(it.key[0], it.vendor), []).append(it)
    for vendor, its in out.items.items():
        contact = contacts.get(vendor_key(vendor), Contact(vendor))
        calendar = (calendars or {}).get(vendor_key(vendor))
        by = reply_by(today, calendar)
        view = vv.vendor_view(its, f"{by:%a} {date_text(by, date_format)}", milestones=milestones, asked=asked,
                              today=today, date_format=date_format)
        said = None
        if len(view) > vv.SUMMARY_ROWS:  # a long draft: what matters first (a short one stays as it was)
            view = vv.most_severe_first(view, milestones)
            said = vv.summary(view, milestones, date_format)
        out.messages[vendor] = render(contact, view, today, sender=sender, signature=signature,
                                      date_format=date_format, calendar=calendar, summary=said)
    return out
