"""Development status for the follow-ups and the production report: pure DataFrames
(``jobs.development_frames.for_tracker`` reads a tracker and calls them all).

``pending_lab_dips`` and ``pending_samples`` list what to chase, one row per
item, in the columns of ``prodbook.core.followups.Item`` (vendor, item, detail, po,
style, color, due, days_overdue): ``Item(**row)`` builds one.
``development_status`` gives one row per style for the report: lab dips
approved / pending, samples received / late, the proto for the line review,
the customs ruling sample.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from prodbook.core.development.labdips import _d
from prodbook.core.where import records

ITEM_COLUMNS = ["vendor", "item", "detail", "po", "style", "color", "due", "days_overdue"]


def _vendor_of(styles: pd.DataFrame) -> dict[str, str]:
    return {str(s).strip().upper(): v for s, v in zip(styles["style"], styles["vendor"])
            if isinstance(v, str) and v.strip()} if len(styles) else {}


def _late(due: date | None, today: date) -> int | None:
    return (today - due).days if due and due < today else None


def pending_lab_dips(status: pd.DataFrame, styles: pd.DataFrame, today: date,
                     approval: pd.DataFrame | None = None) -> pd.DataFrame:
    """Colours whose lab dips wait on the vendor's mill: a resubmission, a first submission, dips
    sent but not arrived. (Dips with the buyer are the buyer's to decide: not chased.)

    Args:
        status: ``labdips.dip_status``.
        styles: valid Styles rows (for each style's vendor).
        approval: ``labdips.milestone_dates`` of the lab-dip approval milestone by (style, color):
            its earliest due date becomes the item's due date when no nearer one is known.
    """
    vendor = _vendor_of(styles)
    due_by = {}
    if approval is not None and len(approval):
        due_by = {(r["style"], r["color"]): _d(r["due"]) for r in records(approval)}
    rows = []
    for r in records(status):
        if r["state"] not in ("Resubmit", "Not submitted", "At mill"):
            continue
        k = (str(r["style"]).strip().upper(), str(r["color"]).strip().upper())
        due = r["next_date"] or due_by.get(k)
        detail = {"Resubmit": f"round {r['round']} rejected" + (f" ({r['comments']})" if r.get("comments") else "")
                  + f": please resubmit round {r['round'] + 1}",
                  "Not submitted": "please submit lab dips (options A/B/C)",
                  "At mill": f"round {r['round']} sent {r['submitted']:%d %b}: please send the courier "
                  "tracking number" if r["submitted"] else "please confirm the dips were sent"}[r["state"]]
        rows.append({"vendor": vendor.get(k[0], ""), "item": "Lab dip", "detail": detail, "po": None,
                     "style": r["style"], "color": r["color"], "due": due, "days_overdue": _late(due, today)})
    return pd.DataFrame(rows, columns=ITEM_COLUMNS)


def pending_samples(sample_rows: pd.DataFrame, styles: pd.DataFrame, today: date,
                    due_from_ta: pd.DataFrame | None = None, courier_days: int = 7) -> pd.DataFrame:
    """Samples the vendor still owes: not shipped (due from the sheet, else from the T&A), or
    shipped without a tracking number, or shipped long ago and not received."""
    vendor = _vendor_of(styles)
    rows = []
    for i, r in zip(sample_rows.index, records(sample_rows)):
        shipped, received = _d(r.get("shipped")), _d(r.get("received"))
        if received:
            continue
        due = _d(r.get("due"))
        if due is None and due_from_ta is not None and i in due_from_ta.index:
            due = _d(due_from_ta.at[i, "earliest"])
        what = f"{r['sample_type']} sample" + (f" ({r['purpose']})" if r.get("purpose") else "")
        if not shipped:
            detail = "please confirm the ship date" if due is None or due >= today else \
                "overdue: please ship and send the tracking number"
        elif not r.get("tracking"):
            detail, due = f"shipped {shipped:%d %b} without a tracking number: please send it", shipped
        elif (today - shipped).days > courier_days:
            detail = f"shipped {shipped:%d %b} ({r.get('courier') or 'courier'} {r['tracking']}), not received"
            due = shipped
        else:
            continue
        rows.append({"vendor": vendor.get(str(r["style"]).strip().upper(), ""), "item": what, "detail": detail,
                     "po": None, "style": r["style"], "color": r.get("color"), "due": due,
                     "days_overdue": _late(due, today)})
    return pd.DataFrame(rows, columns=ITEM_COLUMNS)


def development_status(styles: pd.DataFrame, status: pd.DataFrame, sample_rows: pd.DataFrame,
                       today: date, line_review: pd.DataFrame | None = None,
                       customs: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per style: where its development stands, for the production report.

    Columns: style, description, vendor, status, colors, lab_dips_approved, lab_dips_pending,
    lab_dip_next (the next expected step and date), samples_received, samples_open, samples_late,
    proto_for_review (Received / Shipped, not received / ... / None when not in the review),
    customs_sample (Not requested / Requested / Shipped / Received / None), customs_missing.
    """
    cols = ["style", "description", "vendor", "status", "colors", "lab_dips_approved", "lab_dips_pending",
            "lab_dip_next", "samples_received", "samples_open", "samples_late", "proto_for_review",
            "customs_sample", "customs_missing"]
    if not len(styles):
        return pd.DataFrame(columns=cols)
    dips: dict[str, list[dict[str, Any]]] = {}
    for r in records(status):
        dips.setdefault(str(r["style"]).strip().upper(), []).append(r)
    smp: dict[str, list[dict[str, Any]]] = {}
    for r in records(sample_rows):
        smp.setdefault(str(r["style"]).strip().upper(), []).append(r)
    review = {str(r["style"]).strip().upper(): r["proto"] for r in records(line_review)} \
        if line_review is not None and len(line_review) else {}
    ruling = {str(r["style"]).strip().upper(): r for r in records(customs)} \
        if customs is not None and len(customs) else {}
    out = []
    for s in records(styles):
        k = str(s["style"]).strip().upper()
        d = dips.get(k, [])
        pending = [r for r in d if r["state"] not in ("Approved", "Cancelled")]
        nxt = min((r for r in pending if r["next_date"]), key=lambda r: r["next_date"], default=None)
        ss = smp.get(k, [])
        received = [r for r in ss if _d(r.get("received"))]
        open_ = [r for r in ss if not _d(r.get("received"))]
        late = [r for r in open_ if not _d(r.get("shipped")) and (due := _d(r.get("due"))) and due < today]
        c = ruling.get(k)
        out.append({
            "style": s["style"], "description": s.get("description"), "vendor": s.get("vendor"),
            "status": s.get("status"), "colors": s.get("colors"),
            "lab_dips_approved": sum(r["state"] == "Approved" for r in d), "lab_dips_pending": len(pending),
            "lab_dip_next": f"{nxt['color']}: {nxt['next_expected']} by {nxt['next_date']:%Y-%m-%d}" if nxt else None,
            "samples_received": len(received), "samples_open": len(open_), "samples_late": len(late),
            "proto_for_review": review.get(k), "customs_sample": c["sample"] if c else None,
            "customs_missing": c["missing"] if c else None})
    return pd.DataFrame(out, columns=cols)

