"""Samples: due dates from the T&A, late and lost samples, line-review readiness, customs rulings.

Pure functions over the Samples, Styles and T&A tables. A sample type maps to
a T&A milestone (fit sample -> fit sample submit, PP -> PP sample submit) by
the milestone's name, or by Config 'Sample Milestones' ("Fit=FSS; PP=PPS").
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from prodbook.core.cancel import fmt
from prodbook.core.cells import ORDINAL_WORDS, OZ_PER_SQYD_TO_GSM, CellError, day_of, to_date
from prodbook.core.config import Config, days_setting, percent_setting
from prodbook.core.development import fiber, tariff
from prodbook.core.development.styles_check import StyleSettings, is_adopted, setting_list
from prodbook.core.findings import Code, Finding, Fix, info, warning
from prodbook.core.keys import fold_word, shown_key, upper_stripped
from prodbook.core.model.records import DROPPED_STYLE_STATUSES
from prodbook.core.model.sheets import SAMPLES
from prodbook.core.where import Place, records

SAMPLE_MILESTONES: dict[str, re.Pattern[str]] = {
    "pp": re.compile(r"^pp sample submit|pre-?production sample submit", re.I),
    "size set": re.compile(r"size set.*submit", re.I),
    "top": re.compile(r"^top sample|top of production", re.I),
    "sms": re.compile(r"salesman|sms", re.I),
    "photo": re.compile(r"photo sample", re.I),
}
"""Sample type (folded) -> how its T&A milestone is named; the fit milestones are ``fit_milestone_kind``'s."""
_ORDINAL_WORD = "|".join(ORDINAL_WORDS)
_BEFORE = rf"(?:(?P<a>\d{{1,2}})(?:st|nd|rd|th)|(?P<aw>{_ORDINAL_WORD}))[\s-]+"
"""An ordinal before the word fit: '3rd ', 'third ' (a bare '3 fit' may be a count of pieces)."""
_AFTER = rf"\s*[-#(]*\s*(?:no\.?\s*)?(?:(?P<b>\d{{1,2}})(?:st|nd|rd|th)?|(?P<bw>{_ORDINAL_WORD}))\b"
"""An ordinal after it: ' 3', '-3', '3', ' #3', ' (3rd)', ' No. 3', ' third'."""
_FIT_ORDINAL = re.compile(rf"\b{_BEFORE}fit\b|\bfit(?:\s*sample)?{_AFTER}(?!\s*(?:pcs?|pieces?|units?|sets?)\b)")
"""Which fit a Sample Type names: '3rd Fit', 'Fit-3', 'Fit3', 'Fit Sample #3'; not 'Fit sample - 3 pcs'."""
_FIT_MILESTONE = re.compile(rf"^(?:{_BEFORE})?fit sample submit(?:{_AFTER})?", re.I)
"""A fit sample's T&A milestone: 'Fit sample submit', '2nd fit sample submit', 'Third fit sample submit'."""
_KINDS = ((re.compile(r"\b(?:pp|pre[\s-]?production)\b"), "pp"), (re.compile(r"\bsize[\s-]?sets?\b"), "size set"),
          (re.compile(r"\btop\b|top of production"), "top"),
          (re.compile(r"\bfit(?:\b|\d)"), "fit"),
          (re.compile(r"\bsms\b|salesman"), "sms"), (re.compile(r"\bphoto\b"), "photo"))


def _ordinal(m: re.Match[str] | None) -> int:
    """The number an ordinal match names (1 when it names none)."""
    if m is None:
        return 1
    groups = m.groupdict()
    if digits := groups.get("a") or groups.get("b"):
        return int(digits)
    word = groups.get("aw") or groups.get("bw")
    return ORDINAL_WORDS[word.lower()] if word else 1


def fit_kind(number: int) -> str:
    """The kind of the ``number``th fit sample: 'fit' for the first, 'fit 2', 'fit 3'... for the next ones, so
    a later fit is its own sample, due on its own milestone, never the first fit's."""
    return "fit" if number <= 1 else f"fit {number}"


def fit_number(text: Any) -> int:
    """Which fit a fit Sample Type names: '3rd Fit', 'Fit-3', 'Third fit sample', 'Fit Sample #3' are 3; 'Fit',
    '1st Fit' and 'Fit sample - 3 pcs' (a count of pieces) are 1."""
    return _ordinal(_FIT_ORDINAL.search(str(text or "").strip().lower()))


def fit_milestone_kind(name: Any) -> str | None:
    """The fit kind a T&A milestone name stands for ('3rd fit sample submit' -> 'fit 3'), else None."""
    m = _FIT_MILESTONE.search(str(name or "").strip())
    return fit_kind(_ordinal(m)) if m else None


def is_fit(kind: str) -> bool:
    """A kind (``sample_kind``) of fit sample, the first or a later one: 'fit', 'fit 2', 'fit 3'."""
    return kind == "fit" or (kind.startswith("fit ") and kind[4:].isdigit())


def sample_kind(text: Any) -> str:
    """A Sample Type as the kind it names: 'Fit Sample', 'Fit 1', '1st Fit' are 'fit'; '2nd Fit', 'Fit-2' and
    'Fit Sample #2' 'fit 2', '3rd Fit', 'Third Fit', 'Fit 3' 'fit 3' (each fit its own milestone, not the
    first one's date); 'PP Sample', 'Pre-production' are 'pp'; 'Size set sample' is 'size set'; 'TOP 2' is
    'top'. Any other type, folded, as it is."""
    t = str(text or "").strip().lower()
    kind = next((kind for pattern, kind in _KINDS if pattern.search(t)), t)
    return fit_kind(fit_number(t)) if kind == "fit" else kind


def code_of(sample_type: Any, codes: dict[str, str]) -> str | None:
    """The T&A milestone code of a sample type: its own words first (a 'Sample Milestones' setting), else
    its kind's."""
    t = str(sample_type or "").strip().lower()
    return codes.get(t) or codes.get(sample_kind(t))


CLOSED = re.compile(r"^(?:cancel|drop|not (?:required|needed)|n/?a$|no longer|on hold|void|skip)", re.I)
"""A sample Status that needs nothing more from the vendor: Cancelled, Dropped, Not required, On hold."""
SENT = re.compile(r"^(?:shipped|sent|dispatched|in transit|delivered|received|approved|rejected|commented)", re.I)
"""A sample Status that says the vendor sent it, whatever the Shipped column holds."""


def _status(samples: pd.DataFrame) -> pd.Series:
    """The Status column, stripped (NA where blank, or where the sheet has no Status)."""
    return samples["status"].astype("string").str.strip() if "status" in samples.columns else \
        pd.Series([pd.NA] * len(samples), index=samples.index, dtype="string")


def _closed(samples: pd.DataFrame) -> pd.Series:
    """The samples their Status closes (Cancelled, Not required, On hold)."""
    return _status(samples).str.contains(CLOSED).fillna(False).astype(bool)


def to_chase(samples: pd.DataFrame, dropped_styles: AbstractSet[str] = frozenset()) -> pd.Series:
    """The samples still the vendor's to send: not closed by their Status (Cancelled, Not required), not
    sent by it (Shipped with the date not yet typed), and not of a style that was dropped."""
    if not len(samples):
        return pd.Series([], dtype=bool, index=samples.index)
    status = _status(samples)
    settled = status.str.contains(CLOSED).fillna(False) | status.str.contains(SENT).fillna(False)
    return ~(settled | upper_stripped(samples["style"]).isin(dropped_styles))


CUSTOMS = re.compile(r"customs|cbp|ruling", re.I)
PROTO = re.compile(r"proto|line review", re.I)
RECEIVED = re.compile(r"^(?:received|delivered|approved|rejected|commented)", re.I)
"""A sample Status that says the sample reached the buyer (Received, Approved with comments), whatever the
Received column holds."""
REJECTED = re.compile(r"^(?:rejected|resubmit(?!ted))", re.I)
"""A sample Status that says the buyer turned the sample down ('Rejected, resubmit PP'): a new one is owed;
'Resubmitted' is the new one on its way, no rejection."""
APPROVED = re.compile(r"^approved", re.I)
"""A sample Status that says the buyer approved it ('Approved', 'Approved with comments')."""
PP_APPROVAL = re.compile(r"^pp sample approv|pre-?production (?:sample )?approv", re.I)
"""How the T&A names the PP sample approval milestone ('PP sample approval')."""
CUT_NOTICE_DAYS = 14
"""A PP sample not approved is flagged when bulk cutting is planned within this many days (or is overdue)."""


@dataclass(frozen=True)
class SampleSettings:
    line_review: date | None = None
    """Config 'Line Review Date'."""
    courier_days: int = 7
    """Config 'Courier Days': a shipped sample not received after this many days is chased."""
    milestones: dict[str, str] = field(default_factory=dict)
    """Config 'Sample Milestones': sample type (folded) -> T&A code."""
    review_statuses: frozenset[str] = frozenset({"concept", "development", "in development", "proto",
                                                 "sample"})
    """Config 'Line Review Statuses': styles still being developed for the review."""
    ruling_chief_below: float = 60.0
    """Config 'Ruling Blend %': a shell whose chief fiber is under this share needs a ruling sample."""
    cut_code: str = "CUT"
    """Config 'Cut Code': the T&A code of bulk cutting start, which waits for the PP sample's approval."""


def settings_from(config: Config, file: str | None, found: list[Finding]) -> SampleSettings:
    """The sample settings from the Config sheet; a bad one keeps its default and adds a finding."""
    get = config.get
    review = None
    raw = get("Line Review Date")
    if raw not in (None, ""):
        try:
            review = to_date(raw, config.date_order)
        except CellError as exc:
            found.append(warning(Code.SETTING, f"setting 'Line Review Date' is not a date ({exc}); line-review "
                                 "readiness is not checked", file=file, sheet="Config",
                                 column="Value", value=raw))
    milestones = {}
    for part in setting_list(get("Sample Milestones")):
        kind, _, code = part.partition("=")
        if code.strip():
            milestones[kind.strip().lower()] = code.strip()
    kw: dict[str, Any] = {}
    if get("Line Review Statuses"):
        kw["review_statuses"] = frozenset(s.lower() for s in setting_list(get("Line Review Statuses")))
    if str(get("Cut Code") or "").strip():
        kw["cut_code"] = str(get("Cut Code")).strip()
    return SampleSettings(line_review=review, courier_days=days_setting(config, "Courier Days", 7, file, found),
                          milestones=milestones,
                          ruling_chief_below=percent_setting(config, "Ruling Blend %", 60.0, file, found),
                          **kw)


def type_codes(ta: pd.DataFrame, settings: SampleSettings) -> dict[str, str]:
    """Sample type (folded) -> T&A milestone code, from the settings then the milestone names."""
    out = dict(settings.milestones)
    for written, code in settings.milestones.items():  # '3rd Fit=FS3' also maps a sample typed 'Fit 3'
        if is_fit(kind := sample_kind(written)):
            out.setdefault(kind, code)
    if len(ta) and "milestone" in ta:
        names = ta[["code", "milestone"]].dropna().drop_duplicates("code")
        for kind, pattern in SAMPLE_MILESTONES.items():
            if kind in out:
                continue
            hits = names[names["milestone"].astype(str).str.contains(pattern)]
            if len(hits):
                out[kind] = str(hits["code"].iloc[0])
        for code, name in zip(names["code"], names["milestone"]):  # the first milestone of each fit
            if (fit := fit_milestone_kind(name)) is not None:
                out.setdefault(fit, str(code))
    return out


def _pp_gates(samples: pd.DataFrame, ta: pd.DataFrame, cut_code: str, out: pd.DataFrame) -> None:
    """For each PP sample, in ``out``: 'cut_due', the earliest Planned bulk cutting start still open on a PO
    line of its style (and colour) whose PP sample approval is open too; 'approved' and 'approved_po', the
    first PP sample approval Actual the T&A records on those lines, and its PO."""
    if "milestone" not in ta.columns or "actual" not in ta.columns or "color" not in samples.columns:
        return
    code = upper_stripped(ta["code"], strip=False)
    approval = {c for c, n in zip(code, ta["milestone"]) if isinstance(n, str) and PP_APPROVAL.search(n.strip())}
    cut = fold_word(cut_code, strip=False)
    t = pd.DataFrame({"po": ta["po"].astype(str) if "po" in ta.columns else "", "s": upper_stripped(ta["style"]),
                      "c": upper_stripped(ta["color"]), "code": code,
                      "planned": pd.to_datetime(ta["planned"], errors="coerce"),
                      "actual": pd.to_datetime(ta["actual"], errors="coerce")})
    appr = t[t["code"].isin(approval)].drop_duplicates(["po", "s", "c"]).set_index(["po", "s", "c"])
    cuts = t[t["code"] == cut].drop_duplicates(["po", "s", "c"]).set_index(["po", "s", "c"])
    if not len(appr) and not len(cuts):
        return
    lines = cuts.join(appr[["actual"]].rename(columns={"actual": "approved"}), how="outer").reset_index()
    for i, kind, style, color in zip(samples.index, samples["sample_type"], upper_stripped(samples["style"]),
                                     upper_stripped(samples["color"].astype(object))):
        if sample_kind(kind) != "pp" or not isinstance(style, str):
            continue
        mine = lines[(lines["s"] == style) & ((lines["c"] == color) if isinstance(color, str) and color else True)]
        open_cut = mine[mine["actual"].isna() & mine["approved"].isna() & mine["planned"].notna()]
        if len(open_cut):
            out.at[i, "cut_due"] = open_cut["planned"].min().date()
        done = mine[mine["approved"].notna()].sort_values("approved")
        if len(done):
            out.at[i, "approved"] = done["approved"].iloc[0].date()
            out.at[i, "approved_po"] = done["po"].iloc[0]


def ta_due(samples: pd.DataFrame, ta: pd.DataFrame, codes: dict[str, str], cut_code: str = "CUT") -> pd.DataFrame:
    """Each sample's due dates from its T&A milestone's Planned date: earliest and latest over the PO lines
    of its style (and colour, when the sample has one). None where no milestone. Not its Forecast: an
    overdue milestone still open is forecast for today, a due date that moves with the clock and is
    never passed (the lab dips' dates are read the same way). A PP sample also gets 'cut_due', 'approved'
    and 'approved_po' (``_pp_gates``): cutting that waits for its approval, an approval the T&A records."""
    out = pd.DataFrame({c: [None] * len(samples) for c in ("earliest", "latest", "cut_due", "approved",
                                                           "approved_po")},
                       index=samples.index, dtype=object)
    if not len(samples) or not len(ta):
        return out
    _pp_gates(samples, ta, cut_code, out)
    if not codes:
        return out
    t = pd.DataFrame({
        "_due": pd.to_datetime(ta["planned"], errors="coerce"),
        "_s": upper_stripped(ta["style"]),
        "_c": upper_stripped(ta["color"]),
        "_code": upper_stripped(ta["code"], strip=False)})
    by_style = t.groupby(["_code", "_s"], as_index=False)["_due"].agg(["min", "max"])
    by_color = t.groupby(["_code", "_s", "_c"], as_index=False)["_due"].agg(["min", "max"])
    color = samples["color"].where(samples["color"].map(lambda v: isinstance(v, str) and bool(v.strip())))
    want = pd.DataFrame({
        "_code": samples["sample_type"].map(lambda t: code_of(t, codes)).astype("string").map(
            lambda c: fold_word(c, strip=False), na_action="ignore"),  # as upper_stripped folds the T&A's
        "_s": upper_stripped(samples["style"]),
        "_c": upper_stripped(color).astype("string")}, index=samples.index)
    got = want.reset_index().merge(by_color, on=["_code", "_s", "_c"], how="left").merge(
        by_style, on=["_code", "_s"], how="left", suffixes=("", "_style")).set_index("index")
    use_style = got["min"].isna()
    lo = got["min"].where(~use_style, got["min_style"])
    hi = got["max"].where(~use_style, got["max_style"])
    found = lo.notna() & want["_code"].notna()
    out.loc[found[found].index, "earliest"] = [d.date() for d in lo[found]]
    out.loc[found[found].index, "latest"] = [d.date() for d in hi[found]]
    return out


def shipped_dates(samples: pd.DataFrame, codes: dict[str, str], today: date
                  ) -> dict[tuple[str, str, str], date]:
    """(CODE, STYLE, COLOR) folded -> the earliest Shipped date of the samples of that T&A milestone; COLOR
    is '' for a sample without a colour (it stands for every colour of its style). A sample its Status
    closes (Cancelled, Not required), one of a type no milestone takes, a Shipped date after ``today`` and
    one before the sample's Requested date (a typo ``sample_findings`` names) do not count."""
    if not len(samples) or not codes:
        return {}
    counts = ~_closed(samples)
    colors = upper_stripped(samples["color"].astype(object)) if "color" in samples.columns else \
        pd.Series([""] * len(samples), index=samples.index, dtype=object)  # object: a blank column stays blank
    requested = samples["requested"] if "requested" in samples.columns else [None] * len(samples)
    out: dict[tuple[str, str, str], date] = {}
    for kind, style, color, shipped, asked, ok in zip(samples["sample_type"],
                                                      upper_stripped(samples["style"].astype(object)), colors,
                                                      samples["shipped"], requested, counts):
        day, code, since = day_of(shipped), code_of(kind, codes), day_of(asked)
        if not ok or day is None or day > today or code is None or not isinstance(style, str) \
                or (since is not None and day < since):
            continue
        k = (fold_word(code, strip=False), style, color if isinstance(color, str) else "")
        out[k] = min(out.get(k, day), day)
    return out


def shipped_actuals(ta: pd.DataFrame, samples: pd.DataFrame, codes: dict[str, str], today: date) -> pd.Series:
    """For the T&A rebuild: the Shipped date each blank sample-submit Actual takes from the Samples sheet.

    A sample fills its milestone (``code_of``) on the PO lines of its style and colour, or of its style
    when it has no colour; when several samples fill one milestone, the earliest Shipped date counts.

    Returns:
        A Series aligned on ``ta``'s index: a date where one should be filled in, else None.
    """
    out = pd.Series([None] * len(ta), index=ta.index, dtype=object)
    shipped = shipped_dates(samples, codes, today) if len(ta) else {}
    if not shipped:
        return out
    code = upper_stripped(ta["code"], strip=False)
    blank = ta["actual"].isna() if "actual" in ta else pd.Series(True, index=ta.index)
    pick = (code.isin({c for c, _, _ in shipped}) & blank).to_numpy()
    rows = ta[pick]
    for i, c, style, color in zip(rows.index, code[pick], upper_stripped(rows["style"]),
                                  upper_stripped(rows["color"])):
        days = [d for d in (shipped.get((c, style, color)), shipped.get((c, style, ""))) if d]
        if days:
            out.at[i] = min(days)
    return out


def fill_shipped_actuals(ta: pd.DataFrame, samples: pd.DataFrame, today: date, settings: SampleSettings
                         ) -> tuple[np.ndarray, pd.Series]:
    """For the T&A rebuild: which rows of the new T&A (positions) get a sample's Shipped date in a blank
    sample-submit Actual (fit sample submit, PP sample submit...), and the dates (a Series by position,
    None elsewhere)."""
    if not len(samples) or not len(ta):
        return np.array([], dtype=int), pd.Series([], dtype=object)
    frame = ta.reset_index(drop=True)
    fed = shipped_actuals(frame, samples, type_codes(frame, settings), today)
    return np.flatnonzero(fed.notna().to_numpy()), fed


def _happened(day: date | None, today: date) -> bool:
    """A Shipped or Received date that is a fact: typed and not after today (a date to come is a promise)."""
    return day is not None and day <= today


CUT_NUMBER = re.compile(r"(?i)\d(?:\.\d+)?e\+?(?:1[5-9]|[2-9]\d)")
"""A tracking number Excel stored as a number of 16 digits or more: it keeps 15, shown '9.40011189922335E+21'
(a 12-digit FedEx number is kept whole, only shown short)."""


KEY_PARTS = SAMPLES.identity
"""How the Issues sheet names a sample, part by part (the sheet's ``identity``): Style # / Sample Type / Color, then
Size and Purpose, which tell apart two samples of one style, type and colour (sizes 27 and 30 of a proto; a
line-review and a customs proto), so each keeps its own Dismiss and Notes when rows are added or deleted above
them, and Apply fixes finds the row again after a sort. Not Due, which the APM moves as the vendor does (the row
would come back undecided each time), nor Requested or Status."""


def issue_key(sample: dict[str, Any]) -> str:
    """A Samples row as its Issues rows name it (``KEY_PARTS``): 'SS27-DN-1007 / Proto / Ecru / 27 / Line review';
    a blank part before a filled one keeps its place, trailing blank ones are left out (``keys.shown_key``), so
    the Key an older prodbook wrote ('SS27-DN-1007 / Proto / Ecru') is where this one starts."""
    return shown_key(sample.get(f) for f in KEY_PARTS)


def sample_findings(samples: pd.DataFrame, due_from_ta: pd.DataFrame, place: Place, today: date,
                    settings: SampleSettings, ta_sheet: str = "T&A",
                    dropped_styles: AbstractSet[str] = frozenset()) -> list[Finding]:
    """Due dates against the T&A, late samples, shipped samples without tracking or not arriving. A sample
    its Status closes (Cancelled, Not required) or whose style was dropped is not chased; one its Status
    says was sent, with no Shipped date, asks for the date instead of a chase."""
    out = []
    # a dict look-up a sample, not a pandas one (``day_of`` reads the value either way)
    earliest, latest = due_from_ta["earliest"].to_dict(), due_from_ta["latest"].to_dict()
    chase = to_chase(samples, dropped_styles).to_dict()
    dropped = upper_stripped(samples["style"]).isin(dropped_styles).to_dict()
    gates = {c: due_from_ta[c].to_dict() if c in due_from_ta.columns else {}
             for c in ("cut_due", "approved", "approved_po")}
    resubmitted = _resubmitted(samples)
    for i, r in zip(samples.index, records(samples)):
        status = str(r.get("status") or "").strip()
        if dropped[i] or (not chase[i] and not SENT.match(status)):  # a dropped style's samples: whatever sent
            continue
        key = issue_key(r)
        due = day_of(r.get("due"))
        first = day_of(earliest[i]) if i in earliest else None
        last = day_of(latest[i]) if i in latest else None
        shipped, received = day_of(r.get("shipped")), day_of(r.get("received"))
        requested = day_of(r.get("requested"))
        for f, when in (("shipped", shipped), ("received", received)):
            if when and when > today:
                out.append(warning(Code.SAMPLE_TRACKING, f"this date is after today; a {f.capitalize()} date is "
                                   "the day it happened: put the expected date in Comments",
                                   **place.at(r["_row"], f, key=key, value=when)))
            elif when and requested and when < requested:  # a typo, or the day and month swapped
                extra = " (it is not taken into the T&A)" if f == "shipped" else ""
                out.append(warning(Code.SAMPLE_TRACKING, f"{f.capitalize()} is before Requested ({fmt(requested)}) "
                                   f"- check the date: a sample cannot be {f} before it was asked for{extra}",
                                   **place.at(r["_row"], f, key=key, value=when)))
        if due and first and last and not shipped and not (first <= due <= last):
            span = f"{fmt(first)}" if first == last else f"{fmt(first)} to {fmt(last)}"
            out.append(info(Code.SAMPLE_DUE, f"this sample is due {fmt(due)} but its T&A milestone says "
                            f"{span}; align the Due date with the T&A (or the T&A with the agreed date)",
                            **place.at(r["_row"], "due", key=key, value=due),
                            fix=Fix(span, f"{ta_sheet} (milestone planned)")))
        due = due or first
        if not chase[i] and not shipped and not received:
            out.append(info(Code.SAMPLE_TRACKING, f"the Status says '{status}' but Shipped is blank; type the day it "
                            "shipped (and the courier and tracking number), so the sample is followed to "
                            "its arrival", **place.at(r["_row"], "shipped", key=key, value="")))
        elif due and not _happened(shipped, today) and not _happened(received, today) and due < today:
            out.append(warning(Code.SAMPLE_LATE, f"the sample was due {fmt(due)} and has not shipped "
                               f"({(today - due).days} day(s) late); chase the vendor for a ship date",
                               **place.at(r["_row"], "shipped", key=key, value="")))
        if shipped and not received:
            if RECEIVED.match(status):  # in the buyer's hands: neither the vendor nor the courier to chase
                out.append(info(Code.SAMPLE_TRACKING, f"the Status says '{status}' but Received is blank; type the "
                                "day it arrived", **place.at(r["_row"], "received", key=key, value="")))
            elif not r.get("tracking"):
                ago = f" ({(today - shipped).days} days ago)" if shipped < today else ""
                out.append(warning(Code.SAMPLE_TRACKING, f"shipped {fmt(shipped)}{ago} without a tracking number; "
                                   "ask the vendor for the courier and air waybill",
                                   **place.at(r["_row"], "tracking", key=key, value="")))
            elif CUT_NUMBER.fullmatch(str(r["tracking"]).strip()):
                out.append(warning(Code.SAMPLE_TRACKING, "Excel turned this tracking number into a number and "
                                   "kept only its first 15 digits, so the courier cannot find it; format the "
                                   "Tracking # column as Text and type the number again from the vendor's mail",
                                   **place.at(r["_row"], "tracking", key=key, value=r["tracking"])))
            elif (today - shipped).days > settings.courier_days and not (requested and shipped < requested):
                out.append(warning(Code.SAMPLE_TRACKING, f"shipped {fmt(shipped)} ({(today - shipped).days} "
                                   f"days ago) and not received; check tracking {r['tracking']} with "
                                   f"{r.get('courier') or 'the courier'}",
                                   **place.at(r["_row"], "received", key=key, value="")))
        if shipped and received and received < shipped and not (requested and received < requested):
            out.append(warning(Code.SAMPLE_TRACKING, "Received is before Shipped; check both dates",
                               **place.at(r["_row"], "received", key=key, value=received)))
        out += _pp_and_rejected(i, r, key, status, i in resubmitted, gates, place, today, ta_sheet)
    return out


def _resubmitted(samples: pd.DataFrame) -> set[Any]:
    """The samples (index) a later row of the same style, kind and colour follows: a resubmission, or the next
    round, whatever its Status."""
    seen: dict[tuple[str, str, str], Any] = {}
    out = set()
    closed = _closed(samples).to_dict()
    colors = upper_stripped(samples["color"].astype(object)).to_dict() if "color" in samples.columns else {}
    for i, style, kind in zip(samples.index, upper_stripped(samples["style"].astype(object)),
                              samples["sample_type"]):
        if closed[i] or not isinstance(style, str):
            continue
        color = colors.get(i)
        k = (style, sample_kind(kind), color if isinstance(color, str) else "")
        if k in seen:
            out.add(seen[k])
        seen[k] = i
    return out


def _pp_and_rejected(i: Any, r: dict[str, Any], key: str, status: str, resubmitted: bool,
                     gates: dict[str, dict[Any, Any]], place: Place, today: date, ta_sheet: str) -> list[Finding]:
    """A Rejected sample with no resubmission after it; a T&A PP sample approval against a rejected PP sample;
    a PP sample not approved while bulk cutting, which waits for it, is due."""
    out = []
    pp = sample_kind(r.get("sample_type")) == "pp"
    cut, approved, po = (day_of(gates["cut_due"].get(i)), day_of(gates["approved"].get(i)), gates["approved_po"].get(i))
    if REJECTED.match(status) and not resubmitted:
        what = str(r.get("sample_type") or "sample").strip()
        what += "" if what.lower().endswith("sample") else " sample"
        out.append(warning(Code.SAMPLE_LATE, f"the buyer rejected this {what} ('{status}'); "
                           "ask the vendor for a resubmission and add it as a new row with its Due date "
                           "(or set this one's Status to Cancelled if none is needed)",
                           **place.at(r["_row"], "status", key=key, value=status)))
        if pp and approved:
            out.append(warning(Code.SAMPLE_TRACKING, f"this PP sample is '{status}' but the {ta_sheet} sheet has "
                               f"PP sample approval done {fmt(approved)} (PO {po}); if a resubmitted PP sample was "
                               "approved, add its row here, else clear that Actual: bulk must not be cut on a "
                               "rejected PP sample", **place.at(r["_row"], "status", key=key, value=status)))
    elif pp and cut and not APPROVED.match(status) and not CLOSED.match(status) \
            and (day_of(r.get("shipped")) or SENT.match(status)) and (cut - today).days <= CUT_NOTICE_DAYS:
        when = f"{(today - cut).days} day(s) ago" if cut < today else "today" if cut == today \
            else f"in {(cut - today).days} day(s)"
        out.append(warning(Code.SAMPLE_LATE, f"PP not approved, cutting due {fmt(cut)} ({when}): do not cut "
                           "before approval; chase the buyer for the PP sample comments and tell the vendor to "
                           "hold cutting", **place.at(r["_row"], "status", key=key, value=status or "")))
    return out


def _folded(v: Any) -> str:
    return fold_word(str(v))


def line_review(styles: pd.DataFrame, samples: pd.DataFrame, review: date,
                settings: SampleSettings, today: date | None = None) -> pd.DataFrame:
    """For the line review: every style in development, whether its proto is in hand by ``review``.

    Columns: style, description, vendor, status, ready (bool), proto (what the sample rows say),
    due, shipped, courier, tracking, received, _row (the style's Styles row).
    """
    cols = ["style", "description", "vendor", "status", "ready", "proto", "due", "shipped", "courier",
            "tracking", "received", "_row"]
    if not len(styles):
        return pd.DataFrame(columns=cols)
    # a proto its Status closes (Cancelled, replaced by another) is no proto for the review
    is_proto = ((samples["sample_type"].astype(str).str.contains(PROTO)
                 | samples["purpose"].astype(str).str.contains(PROTO))
                & ~_closed(samples)) if len(samples) else pd.Series(dtype=bool)
    protos = samples[is_proto] if len(samples) else samples
    by_style: dict[str, list[dict[str, Any]]] = {}
    for p in records(protos):
        by_style.setdefault(_folded(p["style"]), []).append(p)
    out = []
    for s in records(styles):
        if str(s.get("status") or "").strip().lower() not in settings.review_statuses:
            continue
        rows = by_style.get(_folded(s["style"]), [])
        by = min(review, today) if today else review  # a Received date still to come is not in hand
        # in hand by its Received date, or by a Status that says it arrived (the date not typed yet)
        received = [p for p in rows if ((got := day_of(p.get("received"))) and got <= by)
                    or (got is None and RECEIVED.match(str(p.get("status") or "").strip()))]
        best = received[0] if received else (
            min(rows, key=lambda p: (day_of(p.get("shipped")) is None, day_of(p.get("due")) or date.max))
            if rows else None)
        if received:
            proto = "Received"
        elif best is None:
            proto = "Not requested"
        elif day_of(best.get("shipped")):
            proto = "Shipped, not received"
        else:
            proto = "Requested, not shipped"
        out.append({"style": s["style"], "description": s.get("description"), "vendor": s.get("vendor"),
                    "status": s.get("status"), "ready": bool(received), "proto": proto,
                    "due": day_of(best.get("due")) if best else None,
                    "shipped": day_of(best.get("shipped")) if best else None,
                    "courier": best.get("courier") if best else None,
                    "tracking": best.get("tracking") if best else None,
                    "received": day_of(best.get("received")) if best else None, "_row": s["_row"]})
    return pd.DataFrame(out, columns=cols)


def line_review_findings(review_table: pd.DataFrame, review: date, today: date, place: Place
                         ) -> list[Finding]:
    """A style without its proto in hand for the line review is a finding (until the review is past)."""
    if review < today:
        return []
    out = []
    for r in records(review_table[~review_table["ready"].astype(bool)]):
        detail = {"Not requested": "no proto has been requested: request it from the vendor now",
                  "Requested, not shipped": f"the proto has not shipped (due {fmt(r['due'])})"
                  if r["due"] else "the proto has not shipped",
                  "Shipped, not received": f"the proto shipped {fmt(r['shipped'])}"
                  + (f" ({r['courier']} {r['tracking']})" if r["tracking"] else "") + " and is not received"
                  if r["shipped"] else "the proto is not received"}[r["proto"]]
        todo = {"Requested, not shipped": "; chase the vendor for a ship date",
                "Shipped, not received": "; check the tracking with the courier"}.get(r["proto"], "")
        if r["proto"] == "Requested, not shipped" and (due := day_of(r["due"])) and due > review:
            detail = f"the proto has not shipped and is due {fmt(r['due'])}, after the line review"
            todo = f"; it must be brought forward: ask the vendor to ship it before {fmt(review)}"
        out.append(warning(Code.LINE_REVIEW, f"line review on {fmt(review)} "
                           f"(in {(review - today).days} day(s)): {detail}{todo}",
                           **place.at(r["_row"], "style", key=r["style"], value=r["style"])))
    return out


_GSM = re.compile(r"(\d+(?:\.\d+)?)\s*(?:g/m2|g/m²|gsm|g/sqm|grams?)\b", re.I)
_OZ = re.compile(r"(\d+(?:\.\d+)?)\s*oz\b", re.I)


def fabric_weight(style: dict[str, Any]) -> float | None:
    """g/m2 from the Fabric Weight column, else from the Fabric text ('180 g/m2', '12 oz' denim)."""
    w = style.get("weight_gsm")
    if w:
        return float(w)
    text = str(style.get("fabric") or "")
    if m := _GSM.search(text):
        return float(m[1])
    if m := _OZ.search(text):
        return round(float(m[1]) * OZ_PER_SQYD_TO_GSM)
    return None


def needs_ruling(style: dict[str, Any], settings: SampleSettings, hts_findings: AbstractSet[int]) -> str | None:
    """Why an adopted style needs a customs ruling sample, or None."""
    if not style.get("hts"):
        return "it has no HTS code yet"
    if int(style["_row"]) in hts_findings:
        return "its HTS code is in question (see the HTS findings)"
    text = style.get("fiber_content")
    if text:
        comp = fiber.read_fiber(str(text))
        if comp.ok:
            weights = comp.weights(merge_man_made=True)
            top = max(weights.values(), default=100.0)
            if top < settings.ruling_chief_below:
                return (f"its chief fiber is only {top:g}% of the shell, so the heading turns on the "
                        "blend")
    return None


def customs(styles: pd.DataFrame, samples: pd.DataFrame, style_settings: StyleSettings,
            settings: SampleSettings, place: Place, hts_rows: AbstractSet[int] = frozenset()
            ) -> tuple[pd.DataFrame, list[Finding]]:
    """Adopted styles that need a CBP ruling sample, and the facts that must go with it.

    A style needs one when it already has a customs sample row, has no HTS code, its HTS code
    has findings, or its shell is a near-even blend. The facts: fiber content by weight (readable,
    totals 100), knit or woven, fabric weight in g/m2, and the country of each process step
    (Process Countries, e.g. 'Fabric: China; Cut & sew: Vietnam').

    Returns:
        (one row per such style: style, reason, sample (its state), missing (facts), _row), findings.
    """
    cols = ["style", "description", "vendor", "reason", "sample", "missing", "_row"]
    # a customs sample its Status closes (Cancelled: the broker needs none) asks for nothing
    is_customs = ((samples["sample_type"].astype(str).str.contains(CUSTOMS)
                   | samples["purpose"].astype(str).str.contains(CUSTOMS))
                  & ~_closed(samples)) if len(samples) else pd.Series(dtype=bool)
    rows = samples[is_customs] if len(samples) else samples
    by_style: dict[str, dict[str, Any]] = {}
    for p in records(rows):
        by_style[_folded(p["style"])] = p
    out, found = [], []
    for s in records(styles):
        if not is_adopted(s.get("status"), style_settings) or str(s.get("status")).lower() in DROPPED_STYLE_STATUSES:
            continue
        sample = by_style.get(_folded(s["style"]))
        reason = "a customs sample is on the Samples sheet" if sample else needs_ruling(s, settings, hts_rows)
        if reason is None:
            continue
        if sample is None:
            state = "Not requested"
            found.append(info(Code.CUSTOMS_SAMPLE, f"this style needs a customs (CBP ruling) sample because "
                              f"{reason}; request one from the vendor and add it to the Samples sheet",
                              **place.at(s["_row"], "hts", key=s["style"], value=s.get("hts") or "")))
        else:
            state = ("Received" if day_of(sample.get("received")) else "Shipped" if day_of(sample.get("shipped"))
                     else "Requested")
        missing = []
        comp = fiber.read_fiber(str(s["fiber_content"])) if s.get("fiber_content") else None
        if comp is None or not comp.ok:
            missing.append(("fiber_content", "fiber content by weight (readable, totalling 100% per part)"))
        if tariff.construction_chapter(s.get("construction")) is None:
            missing.append(("construction", "construction: Knit or Woven"))
        if fabric_weight(s) is None:
            missing.append(("weight_gsm", "fabric weight in g/m2 (Fabric Weight (g/m2) column)"))
        if not s.get("process_countries"):
            cut = f" (cut and sewn: {tariff.country_name(tariff.country_code(s['coo']) or s['coo'])})" \
                if s.get("coo") else ""
            missing.append(("process_countries", "the country of each process step: spinning, knitting or "
                            f"weaving, dyeing, cutting, sewing{cut} (Process Countries column)"))
        status = str(s.get("status") or "").strip().lower()
        required = style_settings.required.get(status)
        if required is None:  # as the style check reads it: an adopted status takes Required: Adopted
            required = style_settings.required.get("adopted", ())
        for f, words in missing:
            # the style check names the cell, once: a required one left blank, a fiber content not usable
            # (no percentages, not 100%)
            if (f == "fiber_content" and comp is not None) or (f in required and not s.get(f)):
                continue
            found.append(warning(Code.CUSTOMS_FACT, f"the customs ruling sample needs {words}; add it "
                                 "before the sample goes to the broker", **place.at(s["_row"], f, key=s["style"],
                                                                                     value=s.get(f) or "")))
        out.append({"style": s["style"], "description": s.get("description"), "vendor": s.get("vendor"),
                    "reason": reason, "sample": state, "missing": "; ".join(w for _, w in missing) or None,
                    "_row": s["_row"]})
    return pd.DataFrame(out, columns=cols), found


def review_date_of(value: Any) -> date | None:
    """The Config 'Line Review Date' value as a date."""
    try:
        return to_date(value)
    except CellError:
        return None

