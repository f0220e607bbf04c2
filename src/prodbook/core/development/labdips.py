"""Lab dips: where each colour stands, what is late, and what the T&A should record.

Pure functions over the Lab Dips, T&A, Orders and Styles tables. A colour's
rounds are read in order; the last one says where it stands (at the mill, with
the buyer, to resubmit, approved, cancelled). The T&A's lab-dip approval
milestone says when it should have been approved; its bulk-fabric milestone
is the point after which an unapproved colour holds up production.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from prodbook.core.calendar import add_days
from prodbook.core.cancel import fmt
from prodbook.core.cells import day_of
from prodbook.core.config import Config, days_setting
from prodbook.core.findings import Code, Finding, error, warning
from prodbook.core.keys import fold_word, upper_stripped
from prodbook.core.where import Place, records

APPROVED = frozenset({"approved", "approved with comments", "approve", "ok", "passed", "approved w/ comments",
                      "approved with comment", "accepted", "pass"})
REJECTED = frozenset({"rejected", "resubmit", "reject", "re-submit", "failed", "rejected / resubmit",
                      "rejected - resubmit", "not approved"})
CANCELLED = frozenset({"cancelled", "canceled", "dropped"})

LAB_DIP_APPROVAL = re.compile(r"^(?!.*submi)(?:.*lab\s*dip.*approv|.*approv.*lab\s*dip)", re.I)
"""'Lab dip approval', 'Approve lab dips'; never a submission ('Submit lab dips for approval')."""
LAB_DIP_SUBMIT = re.compile(r"lab\s*dips?\b.*submi|submi.*lab\s*dip", re.I)
"""'Lab dip submit (A/B/C)', 'Lab dip submission', 'Submit lab dips (for approval)'."""
BULK_FABRIC = re.compile(r"bulk\s+(?:fabric|denim|yarn\s*/\s*fabric)\s+(?:in[\s-]*house|delivery|received)", re.I)
DEFAULT_APPROVAL_CODES = ("LDA", "LD-APP", "LDAPP", "LD APP")
DEFAULT_SUBMIT_CODES = ("LDS", "LD")
DEFAULT_BULK_CODES = ("FIH", "BFD", "FAB-IH")


@dataclass(frozen=True)
class DipSettings:
    transit_days: int = 4
    """Config 'Lab Dip Transit Days': mill to buyer."""
    review_days: int = 5
    """Config 'Lab Dip Review Days': buyer decision after receipt."""
    resubmit_days: int = 7
    """Config 'Lab Dip Resubmit Days': mill's new round after a rejection."""
    approval_code: str | None = None
    """Config 'Lab Dip Approval Code': the T&A milestone code (default: found by name, or LDA)."""
    bulk_code: str | None = None
    """Config 'Bulk Fabric Code': the bulk-fabric milestone code (default: found by name, or FIH)."""


def settings_from(config: Config, file: str | None, found: list[Finding]) -> DipSettings:
    """The lab dip settings from the Config sheet; a bad one keeps its default and adds a finding."""
    get = config.get
    return DipSettings(
        transit_days=days_setting(config, "Lab Dip Transit Days", 4, file, found),
        review_days=days_setting(config, "Lab Dip Review Days", 5, file, found),
        resubmit_days=days_setting(config, "Lab Dip Resubmit Days", 7, file, found),
        approval_code=str(get("Lab Dip Approval Code")).strip() if get("Lab Dip Approval Code") else None,
        bulk_code=str(get("Bulk Fabric Code")).strip() if get("Bulk Fabric Code") else None)


_OPTION_APPROVED = re.compile(r"(?<!not )\b(?:option |dip )?[a-f] (?:is |was )?approved\b"
                              r"|(?<!not )\bapproved:? (?:option |dip )?[a-f]\b")
"""An option the buyer took ('B approved', 'approved option B'), even beside the ones rejected ('A/C rejected,
B approved'): one approved option approves the colour."""
_OPTION_TAKEN = re.compile(r"(?<!not )\bapprove (?:option |dip )?[a-f](?=\s*(?:$|[,;/&]))")
"""'Reject B, approve A': the buyer's instruction, read after the words for no decision yet ('With buyer -
approve A' is still with the buyer)."""
_ASKED = re.compile(r"\b(?:please|pls|plz|to|will|don'?t|don\u2019t|do not|can'?t|can\u2019t|cannot|never|won'?t"
                    r"|will not)\s+approve\b(?:\s+(?:option |dip )?[a-f]\b)?")
"""'Please approve B', 'buyer to approve A', "Don't approve A": a request or a refusal to come, no decision."""
_UNDECIDED = re.compile(r"^(?:pending|awaiting|waiting|tbc|to be confirmed|under review|in review|with buyer|"
                        r"on hold|submitted|sent)\b")
_NOT_YET = re.compile(r"\b(?:to be|yet to be|not yet|still not|still to be) (?:\w+ )?approv"
                      r"|\b(?:pending|awaiting|awaited|waiting|for) approval\b"
                      r"|\bapproval (?:is )?(?:pending|awaited|due|tbc|expected|requested)\b")
"""No decision yet: 'To be approved', 'Not yet approved', 'Approval pending', 'Sent for approval'."""
_QUESTION = re.compile(r"[^,;.\-\u2013/]*\?")
"""A clause asked, not decided ('B approved for bulk?'): it approves nothing."""


def decision_kind(text: Any) -> str | None:
    """'approved', 'rejected', 'cancelled', 'unknown' or None (blank, or a word for no decision yet: Pending).

    The shorthand of a busy tracker counts: 'Rej.', 'Resub', 'B approved', 'Approved - option C'."""
    if not isinstance(text, str) or not text.strip():
        return None
    t = re.sub(r"\s+", " ", text.strip().lower()).rstrip(".!")
    told = _QUESTION.sub(" ", t).strip()  # what is said, not asked
    asked = bool(_ASKED.search(told))
    told = _ASKED.sub(" ", told).strip()  # what is decided, not requested
    if t in APPROVED or told.startswith("approved") or _OPTION_APPROVED.search(told):
        return "approved"
    if _UNDECIDED.match(t):  # 'Pending - buyer to approve A', 'With buyer - approve A'
        return None
    if _OPTION_TAKEN.search(told):
        return "approved"
    if t in REJECTED or t.startswith(("rej", "resub", "re-sub", "fail", "not approved", "not ok", "nok")):
        return "rejected"
    if t in CANCELLED or t.startswith(("cancel", "dropped")):  # 'Cancelled - colour dropped by buyer'
        return "cancelled"
    if _NOT_YET.search(t) or asked:
        return None
    if re.search(r"\bnot approved\b|\brejected\b", t):
        return "rejected"
    if re.search(r"\bapproved?\b", told):  # 'B approved', 'Option C approved'
        return "approved"
    return "unknown"


def milestone_code(ta: pd.DataFrame, setting: str | None, pattern: re.Pattern[str],
                   defaults: tuple[str, ...]) -> str | None:
    """The T&A code of a milestone: the Config setting, else one whose name matches, else a default."""
    if setting:
        return setting
    if len(ta) and "milestone" in ta:
        names = ta[["code", "milestone"]].dropna().drop_duplicates()
        hits = names[names["milestone"].astype(str).str.contains(pattern)]
        if len(hits):
            return str(hits["code"].iloc[0])
    codes = set(ta["code"].dropna().astype(str)) if len(ta) else set()
    return next((c for c in defaults if c in codes), None)


def milestone_dates(ta: pd.DataFrame, code: str | None, by: tuple[str, ...]) -> pd.DataFrame:
    """Per ``by`` group: the earliest due date (Planned, else Forecast) and Actual of a milestone.

    Planned, not Forecast: the forecast of an open milestone moves with today, the plan is what
    was agreed.
    """
    cols = [*by, "due", "actual"]
    if code is None or not len(ta):
        return pd.DataFrame(columns=cols)
    rows = ta[upper_stripped(ta["code"], strip=False) == fold_word(code, strip=False)].copy()
    if rows.empty:
        return pd.DataFrame(columns=cols)
    rows["due"] = pd.to_datetime(rows["planned"].where(rows["planned"].notna(), rows["forecast"]),
                                 errors="coerce")
    rows["actual"] = pd.to_datetime(rows["actual"], errors="coerce")
    for k in by:
        rows[k] = upper_stripped(rows[k])
    return rows.groupby(list(by), as_index=False).agg(due=("due", "min"), actual=("actual", "min"))


def _na(v: Any) -> bool:
    return v is None or v is pd.NaT or v is pd.NA or (isinstance(v, float) and v != v)


_FIRST_DAY, _LAST_DAY = np.datetime64("0001-01-01"), np.datetime64("9999-12-31")


def _days(column: pd.Series) -> pd.Series:
    """``day_of`` every value (None where blank), on the column's index: a date-time column becomes dates in
    one numpy step (boxing a Timestamp per row and unboxing it again was most of the lab dip rules' time)."""
    days: list[date | None] | None = None
    if column.dtype.kind == "M" and getattr(column.dtype, "tz", None) is None:
        stamps = column.to_numpy().astype("datetime64[D]")
        seen = stamps[~np.isnat(stamps)]
        if not len(seen) or (seen.min() >= _FIRST_DAY and seen.max() <= _LAST_DAY):  # a date each, NaT None
            days = stamps.astype(object).tolist()
    if days is None:
        days = [day_of(v) for v in column.tolist()]
    return pd.Series(days, index=column.index, dtype=object)


def rounds(frame: pd.DataFrame) -> pd.Series:
    """Each row's round: its number, or for a blank (or unreadable, 'R2') Round the round after the ones
    above it for its colour, as the APM added it. Blank rows one after another are one round while their
    Options differ (A, B, C) and the next round from an Option seen again: two rows with neither Round nor
    Option are two rounds (rejected, then approved), not one round twice. Blank-Round rows are taken in
    Decision Date order (then sheet order): an approval typed above an older rejection is the later round."""
    number = pd.to_numeric(frame["round"], errors="coerce").to_numpy(dtype=float)
    rows = frame["_row"].to_numpy() if "_row" in frame.columns else np.arange(len(frame))
    keys = (upper_stripped(frame["style"]) + "\x00" + upper_stripped(frame["color"])).to_numpy()
    order = rows.argsort(kind="stable")
    if "decision_date" in frame.columns and np.isnan(number).any():
        decided = pd.to_datetime(frame["decision_date"], errors="coerce").to_numpy()
        blank: dict[str, list[int]] = {}  # each colour's blank rows, to refill their places by date
        for i in order:
            if np.isnan(number[i]):
                blank.setdefault(keys[i], []).append(i)
        refill = {k: iter(sorted(v, key=lambda i: (pd.isna(decided[i]), str(decided[i]), rows[i])))
                  for k, v in blank.items()}
        order = np.array([next(refill[keys[i]]) if np.isnan(number[i]) else i for i in order])
    options = (upper_stripped(frame["option"]) if "option" in frame.columns
               else pd.Series([""] * len(frame), index=frame.index)).to_numpy()
    out = number.copy()
    highest: dict[str, float] = {}
    run: dict[str, tuple[float, set[str]] | None] = {}  # each colour's run of blank rows: its round, its Options
    for i in order:
        k = keys[i]
        if not np.isnan(number[i]):
            highest[k] = max(highest.get(k, 0.0), number[i])
            run[k] = None
            continue
        current = run.get(k)
        option = options[i] if isinstance(options[i], str) else ""
        if current is None or option in current[1]:
            current = (highest.get(k, 0.0) + 1, set())
        current[1].add(option)
        run[k] = current
        highest[k] = max(highest.get(k, 0.0), current[0])
        out[i] = current[0]
    return pd.Series(out, index=frame.index)


def revoked_colours(keys: pd.Series, rnd: pd.Series, kind: pd.Series) -> dict[str, float]:
    """Colours approved in a round and rejected in a later one (no option of that round or after it approved):
    colour key -> the round that rejected it. The buyer's latest decision wins, so the colour is not approved
    for bulk; a re-dip still with the buyer or at the mill leaves the approval standing."""
    ok = kind == "approved"
    if not ok.any():
        return {}
    last_ok = rnd[ok].groupby(keys[ok]).max().to_dict()
    no = kind == "rejected"
    last_no = rnd[no].groupby(keys[no]).max().to_dict()
    return {str(k): r for k, r in last_no.items() if k in last_ok and r > last_ok[k]}


def dip_status(dips: pd.DataFrame, today: date, settings: DipSettings = DipSettings()) -> pd.DataFrame:
    """One row per style and colour: where its lab dips stand.

    Columns: style, color, round, state (Not submitted / At mill / With buyer / Resubmit /
    Approved / Cancelled / Unclear), submitted, received, decision, approved_on, days_with_buyer,
    next_expected (what and when), next_date, mill, last_row (Excel row of the latest round).
    """
    cols = ["style", "color", "round", "state", "submitted", "received", "decision", "approved_on",
            "days_with_buyer", "next_expected", "next_date", "mill", "comments", "last_row"]
    if not len(dips):
        return pd.DataFrame(columns=cols)
    frame = dips.copy()
    frame["_k"] = (upper_stripped(frame["style"]) + "\x00"
                   + upper_stripped(frame["color"]))
    frame["_round"] = rounds(frame)
    frame = frame.sort_values(["_k", "_round", "_row"], kind="stable")
    kinds = {v: decision_kind(v) for v in frame["decision"].dropna().unique()}
    frame["_kind"] = frame["decision"].map(kinds)
    # the colour stands where its latest round does: one option the mill withdrew (C cancelled, A approved)
    # leaves it approved; only a round cancelled whole cancels the colour
    latest = frame[frame["_round"] == frame.groupby("_k")["_round"].transform("max")]
    whole = (latest["_kind"] == "cancelled").groupby(latest["_k"]).all()
    standing = latest[(latest["_kind"] != "cancelled") | latest["_k"].map(whole)]
    ok = frame["_kind"] == "approved"
    when = pd.to_datetime(frame["decision_date"].where(frame["decision_date"].notna(), frame["received"]),
                          errors="coerce")
    # looked up once per colour below: dicts, not a pandas look-up per row
    # approved since the first approval after the last rejection (approved, rejected, approved again: the
    # second approval's date); a colour still revoked keeps its first
    no = frame["_kind"] == "rejected"
    since = ok & ~(frame["_round"] < frame["_k"].map(frame.loc[no, "_round"].groupby(frame.loc[no, "_k"]).max()))
    approved_on = {**when[ok].groupby(frame.loc[ok, "_k"]).min().to_dict(),
                   **when[since].groupby(frame.loc[since, "_k"]).min().to_dict()}
    n_approved = ok.groupby(frame["_k"]).sum().to_dict()
    revoked = revoked_colours(frame["_k"], frame["_round"], frame["_kind"])
    counts = frame.groupby("_k").size().to_dict()
    out = []
    # an option still with the buyer (received, no decision yet) holds its round open, wherever its row is
    pending = standing["_kind"].isna() & standing["received"].notna()
    lasts = standing.assign(_pending=pending).sort_values(["_k", "_pending"], kind="stable").drop_duplicates(
        "_k", keep="last")
    lasts = lasts.assign(**{c: _days(lasts[c]) for c in ("submitted", "received", "decision_date")})
    for last in records(lasts, ("_k", "_kind", "_round", "_row", "style", "color", "submitted", "received",
                                "decision", "decision_date", "mill", "comments")):  # boxed into dicts: only these
        k = last["_k"]
        kind = last["_kind"]
        submitted, received, decided = last["submitted"], last["received"], last["decision_date"]
        days = None
        nxt, when_next = None, None
        if kind == "cancelled":  # the colour dropped: whatever was approved before
            state = "Cancelled"
        elif n_approved.get(k, 0) and k not in revoked:  # a later round rejected: the latest decision wins
            state = "Approved"
        elif kind == "rejected":
            state = "Resubmit"
            nxt, when_next = "new round from the mill", (decided or received or submitted or today) + timedelta(
                days=settings.resubmit_days)
        elif kind == "unknown":
            state = "Unclear"
        elif received:
            state = "With buyer"
            days = (today - received).days
            nxt, when_next = "buyer's decision", add_days(received, settings.review_days)
        elif submitted:
            state = "At mill"  # sent, not yet received: in transit
            nxt, when_next = "dips to reach the buyer", add_days(submitted, settings.transit_days)
        else:
            state = "Not submitted"
            nxt = "first submission"
        first_ok = approved_on.get(k)
        out.append({"style": last["style"], "color": last["color"],
                    "round": int(last["_round"]) if last["_round"] else int(counts[k]), "state": state,
                    "submitted": submitted, "received": received, "decision": last["decision"],
                    "approved_on": None if first_ok is None or pd.isna(first_ok) else first_ok.date(),
                    "days_with_buyer": days, "next_expected": nxt, "next_date": when_next,
                    "mill": last.get("mill"), "comments": last.get("comments"),
                    "last_row": int(last["_row"])})
    frame = pd.DataFrame(out, columns=cols)
    frame["days_with_buyer"] = frame["days_with_buyer"].astype(object)
    return frame.where(frame.notna(), None)


def dip_date_findings(dips: pd.DataFrame, place: Place, today: date) -> list[Finding]:
    """Dates out of order, a decision without a date, a decision word prodbook cannot read."""
    out = []
    for r in records(dips):
        key = f"{r['style']} / {r['color']}"
        sub, rec, dec = day_of(r.get("submitted")), day_of(r.get("received")), day_of(r.get("decision_date"))
        if sub and rec and rec < sub:
            out.append(warning(Code.LAB_DIP_DATES, "Received is before Submitted; check both dates",
                               **place.at(r["_row"], "received", key=key, value=rec)))
        if rec and dec and dec < rec:
            out.append(warning(Code.LAB_DIP_DATES, "the decision date is before the dips were received; "
                               "check both dates", **place.at(r["_row"], "decision_date", key=key, value=dec)))
        elif sub and dec and dec < sub and not rec:  # no Received kept: the decision still follows the submission
            out.append(warning(Code.LAB_DIP_DATES, "the decision date is before the dips were submitted; "
                               "check both dates", **place.at(r["_row"], "decision_date", key=key, value=dec)))
        for f, d in (("submitted", sub), ("received", rec), ("decision_date", dec)):
            if d and d > today:
                out.append(warning(Code.LAB_DIP_DATES, "this date is after today; record dates when they "
                                   "happen", **place.at(r["_row"], f, key=key, value=d)))
        kind = decision_kind(r.get("decision"))
        if kind == "unknown":
            out.append(warning(Code.LAB_DIP_DATES, "prodbook cannot read this decision; use Approved, "
                               "Approved with comments, Rejected, Resubmit or Cancelled",
                               **place.at(r["_row"], "decision", key=key, value=r.get("decision"))))
        elif kind and not dec:
            meanwhile = (f"; until then prodbook takes the Received date ({fmt(rec)}) as the day it was "
                         "approved (the T&A's lab-dip approval Actual, the bulk fabric check)"
                         if kind == "approved" and rec else "")
            out.append(warning(Code.LAB_DIP_DATES, "a decision without a Decision Date; add the date of "
                               f"the decision{meanwhile}", **place.at(r["_row"], "decision_date", key=key,
                                                                       value="")))
    return out


def round_findings(dips: pd.DataFrame, place: Place) -> list[Finding]:
    """What a colour's rounds say that no single row does: two options of one round both approved (the mill
    dyes bulk to one standard), and a round still with the buyer after the colour was approved (a re-dip:
    the approval stands, but the round waits for a decision no one is chasing)."""
    if not len(dips):
        return []
    frame = dips.assign(_round=rounds(dips), _k=upper_stripped(dips["style"]) + "\x00" + upper_stripped(dips["color"]),
                        _opt=upper_stripped(dips["option"]) if "option" in dips.columns else "")
    out = []
    kinds = frame["decision"].map(decision_kind)
    revoked = revoked_colours(frame["_k"], frame["_round"], kinds)
    first_ok: dict[str, dict[str, Any]] = {}  # colour -> its first approved row
    ok_options: dict[tuple[str, float], dict[str, Any]] = {}  # (colour, round) -> the first approved option's row
    last_ok: dict[str, dict[str, Any]] = {}  # colour -> its latest approved row
    told: set[str] = set()  # colours whose rejection after an approval is named
    for r in records(frame.assign(_kind=kinds).sort_values(["_k", "_round", "_row"], kind="stable")):
        kind = r["_kind"]
        key = f"{r['style']} / {r['color']}"
        rnd = int(r["_round"])
        if kind == "approved":
            option = r["_opt"] if isinstance(r["_opt"], str) else ""
            other = ok_options.get((r["_k"], r["_round"]))
            other_option = other["_opt"] if other is not None and isinstance(other["_opt"], str) else ""
            if other is not None and option and other_option and option != other_option:
                out.append(warning(Code.LAB_DIP_ROUNDS, f"option {r['option']} of round {rnd} is approved, but so "
                                   f"is option {other['option']} (row {other['_row']}): the mill dyes bulk to "
                                   "one standard. Ask the buyer which dip it is, and write the other Rejected",
                                   **place.at(r["_row"], "decision", key=key, value=r.get("decision"))))
            ok_options.setdefault((r["_k"], r["_round"]), r)
            first_ok.setdefault(r["_k"], r)
            last_ok[r["_k"]] = r
        elif kind == "rejected" and revoked.get(r["_k"]) == r["_round"] and r["_k"] not in told:
            told.add(r["_k"])
            kept = last_ok[r["_k"]]
            when, was = day_of(kept.get("decision_date")), int(kept["_round"])
            out.append(warning(Code.LAB_DIP_ROUNDS, f"round {rnd} is rejected, after the colour was approved in "
                               f"round {was} (row {kept['_row']}" + (f", {fmt(when)}" if when else "")
                               + "): prodbook takes the latest decision, so "
                               f"{r['color']} is not approved for bulk and the mill owes a new round. If the buyer "
                               f"keeps the round {was} standard, write that in this Decision "
                               f"('Approved - round {was} standard')",
                               **place.at(r["_row"], "decision", key=key, value=r.get("decision"))))
        elif kind is None and day_of(r.get("received")) and (ok := first_ok.get(r["_k"])) is not None \
                and r["_round"] > ok["_round"]:
            when = day_of(ok.get("decision_date"))
            out.append(warning(Code.LAB_DIP_ROUNDS, f"round {rnd} is with the buyer, but the colour was already "
                               f"approved in round {int(ok['_round'])} (row {ok['_row']}"
                               + (f", {fmt(when)}" if when else "") + "); write the buyer's decision on this "
                               "round, or Cancelled if the earlier approval stands",
                               **place.at(r["_row"], "decision", key=key, value="")))
    return out


NOT_APPROVED = ("At mill", "With buyer", "Resubmit")
"""States in which the Lab Dips sheet says a colour is not approved: a T&A Actual does not override them."""


def _states(status: pd.DataFrame) -> dict[tuple[str, str], str]:
    return {(fold_word(str(r["style"])), fold_word(str(r["color"]))): r["state"]
            for r in records(status[["style", "color", "state"]])} if len(status) else {}


def approved_dates(status: pd.DataFrame, ta_dates: pd.DataFrame | None = None) -> dict[tuple[str, str], date]:
    """(STYLE, COLOR) folded -> the date the colour was approved (lab dips first, then a T&A Actual).

    A T&A Actual counts only where the Lab Dips sheet does not say otherwise: a colour whose latest round is
    at the mill, with the buyer or to resubmit is not approved, whatever the T&A says (``late_dips`` names
    the disagreement)."""
    out: dict[tuple[str, str], date] = {}
    if ta_dates is not None and len(ta_dates):
        states = _states(status)
        for r in records(ta_dates[["style", "color"]].assign(actual=_days(ta_dates["actual"]))):
            if r["actual"] and states.get((r["style"], r["color"])) not in NOT_APPROVED:
                out[(r["style"], r["color"])] = r["actual"]
    for r in records(status[["style", "color", "state", "approved_on"]]):  # the columns read: less to box
        if r["state"] == "Approved" and r["approved_on"]:
            out[(fold_word(str(r["style"])), fold_word(str(r["color"])))] = r["approved_on"]
    return out


def late_dips(status: pd.DataFrame, approval: pd.DataFrame, place: Place, today: date) -> list[Finding]:
    """Colours not approved by their T&A lab-dip approval milestone's date; a T&A approval Actual the Lab
    Dips sheet contradicts; dips at the mill past the day they should have reached the buyer."""
    if not len(status):
        return []
    milestone = {(r["style"], r["color"]): (r["due"], r["actual"]) for r in records(approval[["style", "color"]].assign(
        due=_days(approval["due"]), actual=_days(approval["actual"])))} if len(approval) else {}
    out = []
    for r in records(status):
        if r["state"] in ("Approved", "Cancelled"):
            continue
        key = f"{r['style']} / {r['color']}"
        # as upper_stripped folds the T&A's
        d, actual = milestone.get((fold_word(str(r["style"])), fold_word(str(r["color"]))), (None, None))
        if actual and r["state"] in NOT_APPROVED:
            out.append(warning(Code.LAB_DIP_LATE, f"the T&A's lab-dip approval of {r['color']} has an Actual "
                               f"({fmt(actual)}), but on this sheet its latest round ({r['round']}) is "
                               f"{_STANDING[r['state']]}: prodbook goes by this sheet, so the colour is not "
                               "approved for bulk fabric. If the buyer approved it, write Approved and the "
                               f"Decision Date on round {r['round']}; if not, clear the Actual on the T&A",
                               **place.at(r["last_row"], "decision", key=key,
                                          value="" if _na(r["decision"]) else r["decision"])))
            continue
        if actual or d is None or d >= today:  # a T&A Actual says it was approved
            if r["state"] == "At mill" and r["next_date"] and r["next_date"] < today:
                out.append(_stuck_at_mill(r, place, today))
            continue
        detail = f"round {r['round']}, {r['state'].lower()}"
        if not _na(r["days_with_buyer"]):
            detail += f" for {int(r['days_with_buyer'])} day(s)"
        nxt = f"; next: {r['next_expected']}" + (f" by {fmt(r['next_date'])}" if r["next_date"] else "")
        out.append(warning(Code.LAB_DIP_LATE, f"{r['color']} is not approved and the T&A lab-dip approval "
                           f"was due {fmt(d)} ({(today - d).days} day(s) ago): "
                           f"{detail}{nxt if r['next_expected'] else ''}. "
                           "Chase the mill or the buyer", **place.at(r["last_row"], "decision",
                                                                      key=f"{r['style']} / {r['color']}",
                                                                      value="" if _na(r["decision"])
                                                                      else r["decision"])))
    return out


_STANDING = {"At mill": "at the mill (submitted, not received)", "With buyer": "with the buyer (no decision)",
             "Resubmit": "rejected (to resubmit)"}


def _stuck_at_mill(r: dict[str, Any], place: Place, today: date) -> Finding:
    """Dips sent and not received long after they should have reached the buyer (Lab Dip Transit Days)."""
    return warning(Code.LAB_DIP_LATE, f"round {r['round']} of {r['color']} was submitted {fmt(r['submitted'])} "
                   f"and should have reached the buyer by {fmt(r['next_date'])} ({(today - r['next_date']).days} "
                   "day(s) ago), but no Received date is typed. Ask the mill for the courier tracking, or type "
                   "the Received date if the dips arrived",
                   **place.at(r["last_row"], "received", key=f"{r['style']} / {r['color']}", value=""))


def bulk_exceptions(orders: pd.DataFrame, status: pd.DataFrame, approved: dict[tuple[str, str], date],
                    bulk: pd.DataFrame, place: Place, today: date,
                    needs_dip: set[str] | None = None) -> list[Finding]:
    """PO lines whose colour had no approved lab dip by the bulk-fabric milestone (once it is due).

    Args:
        orders: valid Orders rows.
        status: ``dip_status`` rows (a cancelled colour still on a PO is reported too).
        approved: ``approved_dates``.
        bulk: ``milestone_dates`` of the bulk-fabric milestone by (po, style, color).
        place: the Orders sheet.
        needs_dip: folded style numbers whose T&A plans a lab dip (others, e.g. denim, are skipped).
    """
    if not len(orders) or not len(bulk):
        return []
    # only the columns read are taken into the rows' dicts (10,000 PO lines: most of this rule's time)
    due = {(r["po"], r["style"], r["color"]): r["due"]
           for r in records(bulk[["po", "style", "color"]].assign(due=_days(bulk["due"])))}
    states = {(fold_word(str(r["style"])), fold_word(str(r["color"]))): (r["state"], r["approved_on"])
              for r in records(status[["style", "color", "state", "approved_on"]])}
    out = []
    for r in records(orders[["po", "style", "color", "_row"]]):
        k = (fold_word(str(r["style"])), fold_word(str(r["color"])))  # as upper_stripped folds the T&A's
        if needs_dip is not None and k[0] not in needs_dip:
            continue
        d = due.get((fold_word(str(r["po"])), *k))
        if d is None:
            continue
        ok = approved.get(k)
        state, on = states.get(k, (None, None))
        key = f"{r['po']} / {r['style']} / {r['color']}"
        if state == "Cancelled":  # whatever an earlier approval wrote into the T&A: the colour was dropped since;
            # said now, not once bulk fabric is due: the mill may already be dyeing it
            out.append(error(Code.LAB_DIP_BULK, f"the lab dip of {r['color']} was cancelled, but the colour is "
                             f"still on this PO and its bulk fabric {'is' if d > today else 'was'} due {fmt(d)}; "
                             "cancel the PO line or re-open the colour with the mill",
                             **place.at(r["_row"], "color", key=key)))
            continue
        if d > today or (state == "Approved" and on is None and ok is None):
            continue  # approved, the date not typed: the Lab Dips sheet asks for it (dip_date_findings)
        if ok is None or ok > d:
            late = f" (approved only on {fmt(ok)})" if ok else ""
            out.append(error(Code.LAB_DIP_BULK, f"{r['color']} had no approved lab dip by the bulk fabric "
                             f"milestone due {fmt(d)}{late}: the mill cannot dye bulk without it. "
                             "Get the colour approved now and check the ex-factory date",
                             **place.at(r["_row"], "color", key=key)))
    return out


def colour_actuals(ta: pd.DataFrame, code: str | None, dates: dict[tuple[str, str], date],
                   today: date) -> pd.Series:
    """For the T&A rebuild: the date of each blank-Actual row of the milestone ``code``, by its colour.

    Args:
        ta: the new T&A rows (style, color, code, actual).
        code: the milestone's code (None: no such milestone, nothing to fill).
        dates: (STYLE, COLOR) folded -> the date it happened (``approved_dates``, ``submitted_dates``).
        today: dates after it are never filled in.

    Returns:
        A Series aligned on ``ta``'s index: a date where one should be filled in, else None.
    """
    out = pd.Series([None] * len(ta), index=ta.index, dtype=object)
    if code is None or not len(ta) or not dates:
        return out
    blank = ta["actual"].isna() if "actual" in ta else pd.Series(True, index=ta.index)
    rows = ta[(upper_stripped(ta["code"], strip=False) == fold_word(code, strip=False)) & blank]
    for i, style, color in zip(rows.index, upper_stripped(rows["style"]), upper_stripped(rows["color"])):
        d = dates.get((style, color))
        if d and d <= today:
            out.at[i] = d
    return out


def submitted_dates(dips: pd.DataFrame) -> dict[tuple[str, str], date]:
    """(STYLE, COLOR) folded -> the day its lab dips were first submitted: the earliest Submitted of the
    first round that has one (its options A, B, C went together; a later round is a resubmission)."""
    if not len(dips):
        return {}
    frame = pd.DataFrame({"s": upper_stripped(dips["style"]), "c": upper_stripped(dips["color"]),
                          "round": rounds(dips), "submitted": _days(dips["submitted"])}, index=dips.index)
    frame = frame[frame["submitted"].notna() & frame["s"].notna() & frame["c"].notna()]
    first: dict[tuple[str, str], tuple[float, date]] = {}
    for s, c, rnd, d in zip(frame["s"], frame["c"], frame["round"], frame["submitted"]):
        k = (s, c)
        if k not in first or (rnd, d) < first[k]:
            first[k] = (rnd, d)
    return {k: d for k, (_, d) in first.items()}


def _filled(ta: pd.DataFrame, code: str | None, dates: dict[tuple[str, str], date], today: date
            ) -> tuple[np.ndarray, pd.Series]:
    fed = colour_actuals(ta.reset_index(drop=True), code, dates, today)
    return np.flatnonzero(fed.notna().to_numpy()), fed


def _none() -> tuple[np.ndarray, pd.Series]:
    return np.array([], dtype=int), pd.Series([], dtype=object)


def fill_approval_actuals(ta: pd.DataFrame, dips: pd.DataFrame, today: date, settings: DipSettings
                          ) -> tuple[np.ndarray, pd.Series]:
    """For the T&A rebuild: which rows of the new T&A (positions) get their approved colour's date in
    a blank lab-dip approval Actual, and the dates (a Series by position, None elsewhere)."""
    if not len(dips) or not len(ta):
        return _none()
    status = dip_status(dips, today, settings)
    code = milestone_code(ta, settings.approval_code, LAB_DIP_APPROVAL, DEFAULT_APPROVAL_CODES)
    return _filled(ta, code, approved_dates(status), today)


def fill_submit_actuals(ta: pd.DataFrame, dips: pd.DataFrame, today: date, settings: DipSettings
                        ) -> tuple[np.ndarray, pd.Series]:
    """For the T&A rebuild: which rows of the new T&A (positions) get their colour's first Submitted date
    in a blank lab-dip submit Actual, and the dates (a Series by position, None elsewhere).

    The milestone is found by its name ('Lab dip submit'), else the code LDS or LD; never the approval
    milestone's code."""
    if not len(dips) or not len(ta):
        return _none()
    names = ta[["code", "milestone"]].drop_duplicates() if "milestone" in ta else ta  # one pass over a long T&A
    code = milestone_code(names, None, LAB_DIP_SUBMIT, DEFAULT_SUBMIT_CODES)
    approval = milestone_code(names, settings.approval_code, LAB_DIP_APPROVAL, DEFAULT_APPROVAL_CODES)
    if code is not None and approval is not None and code.upper() == approval.upper():
        return _none()
    return _filled(ta, code, submitted_dates(dips), today)
