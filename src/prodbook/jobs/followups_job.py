"""Stage the Follow-ups sheet and write one e-mail draft (.eml) per vendor.

Last Contacted is the user's column: kept by (Vendor, Item, Ref) when the
sheet is rebuilt. Drafts go to ``--out`` or 'Follow-up drafts/DATE' beside the
workbook; nothing is written on --dry-run.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from prodbook import followups as fu
from prodbook.findings import Code, Finding, info, warning
from prodbook.jobs.base import Context, Outcome, valid_frame
from prodbook.jobs.exceptions_job import current_exceptions
from prodbook.model.sheets import EXCEPTIONS, FOLLOW_UPS, LAB_DIPS, SAMPLES, STYLES, TA, VENDORS
from prodbook.outlook import send_drafts
from prodbook.wip import fold_ref
from prodbook.workbook.tracker import NEW_ROW, Change, Tracker, same_logged

FIELDS = list(FOLLOW_UPS.fields)


def drafts_folder(tracker: Tracker, ctx: Context) -> Path | None:
    if ctx.out is not None:
        return Path(ctx.out)
    path = getattr(tracker.backend, "path", None)
    return Path(path).parent / "Follow-up drafts" / ctx.today.isoformat() if path else None


def _exceptions(tracker: Tracker, ctx: Context) -> pd.DataFrame:
    frame = tracker.current(EXCEPTIONS)
    if tracker.was_remembered(EXCEPTIONS):
        return frame
    return current_exceptions(tracker, ctx)[0]  # run alone: the rules as of today


def followups(tracker: Tracker, ctx: Context) -> Outcome:
    """Everything outstanding per vendor: the sheet, and a draft e-mail each."""
    findings: list[Finding] = []
    styles, _ = valid_frame(tracker, STYLES, required=False)
    vendors, _ = valid_frame(tracker, VENDORS, required=False)
    samples, _ = valid_frame(tracker, SAMPLES, required=False)
    dips, _ = valid_frame(tracker, LAB_DIPS, required=False)
    vendor_of = {fold_ref(s): str(v) for s, v in zip(styles["style"], styles["vendor"])
                 if isinstance(v, str) and v.strip()} if len(styles) else {}
    owners = tracker.config.get("Vendor Owners")
    owners = tuple(o.strip() for o in str(owners).split(",")) if owners else fu.VENDOR_OWNERS
    items = fu.collect(
        fu.milestone_items(tracker.current(TA), ctx.today, owners),
        fu.sample_items(samples, vendor_of, ctx.today, tracker.config.due_soon_days),
        fu.lab_dip_items(dips, vendor_of, ctx.today),
        fu.exception_items(_exceptions(tracker, ctx)))
    contacts = {}
    for r in vendors.to_dict("records"):
        c = fu.Contact(str(r["vendor"]), r.get("name") or None, fu.addresses(r.get("email")),
                       fu.addresses(r.get("cc")))
        contacts[c.vendor.strip().upper()] = c
    chased = {it.vendor for it in items}
    for r in vendors.to_dict("records"):
        if str(r["vendor"]) in chased and not fu.addresses(r.get("email")):
            findings.append(warning(Code.VENDOR_NO_EMAIL, f"vendor {r['vendor']} has items to chase but no "
                                    "e-mail address; add one in the Email column so its draft has a To:",
                                    file=tracker.file, sheet=tracker.sheet(VENDORS), row=int(r["_row"]),
                                    column="Email"))
    made = fu.drafts(items, contacts, ctx.today, sender=_setting(tracker, "Sender Email"),
                     signature=_setting(tracker, "Signature"))
    folder = drafts_folder(tracker, ctx)
    paths: dict[str, Path] = {}
    if folder is None:
        findings.append(info(Code.SETTING, "the drafts were not saved: give a folder with --out",
                             file=tracker.file))
    else:
        paths = {v: folder / fu.draft_name(v, ctx.today) for v in made.messages}
        if not ctx.dry_run and ctx.outlook:  # inside Excel: Outlook drafts where Outlook is, else .eml
            for line in send_drafts(list(made.messages.values()), folder):
                findings.append(info(Code.SETTING, f"follow-up draft ready: {line}", file=tracker.file))
        elif not ctx.dry_run:
            for vendor, msg in made.messages.items():
                fu.write_eml(msg, paths[vendor])

    table = tracker.table(FOLLOW_UPS, required=False)
    old = table.frame
    old_by_key = {}
    for r in old.to_dict("records"):
        key = (str(r.get("vendor") or "").strip().upper(), str(r.get("item") or "").strip().upper(),
               str(r.get("ref") or "").strip().upper())
        old_by_key.setdefault(key, r)
    rows, source, changes = [], [], []
    sheet = tracker.sheet(FOLLOW_UPS)
    for it in items:
        before = old_by_key.get(it.key)
        contact = contacts.get(it.vendor.strip().upper())
        rows.append({"vendor": it.vendor, "contact": "; ".join(contact.to) if contact and contact.to else None,
                     "item": it.item, "ref": it.ref, "detail": it.detail, "due": it.due,
                     "days_overdue": it.days_overdue,
                     "last_contacted": before.get("last_contacted") if before else None,
                     "draft": str(paths[it.vendor]) if it.vendor in paths else None})
        source.append(int(before["_row"]) if before else None)
        key = " / ".join((it.vendor, it.item, it.ref))
        if before is None:
            changes.append(Change(sheet, key, NEW_ROW, None, it.detail))
        else:  # a kept row: every value that changes is logged, so undo can put it back
            changes += [Change(sheet, key, FOLLOW_UPS.column(f).header, before.get(f), rows[-1][f])
                        for f in FIELDS if not same_logged(before.get(f), rows[-1][f])]
    kept = {s for s in source if s is not None}
    for r in old.to_dict("records"):
        if int(r["_row"]) not in kept:  # the whole row, Last Contacted included, so undo can put it back
            changes += tracker.removed_row(table, r)
    frame = pd.DataFrame(rows, columns=FIELDS)
    if rows or len(old) or not table.exists:
        tracker.replace_rows(table, frame, FIELDS, source if table.exists else None)
    tracker.log(changes)
    overdue = sum(1 for it in items if it.days_overdue)
    summary = [f"Follow-ups: {len(items)} item(s) for {len(made.messages)} vendor(s), {overdue} overdue."]
    if paths and not ctx.dry_run:
        summary.append(f"  E-mail drafts (open in Outlook): {folder}")
    return Outcome("Follow-ups", findings, changes, summary=summary,
                   data={"items": len(items), "drafts": [str(p) for p in paths.values()]})


def _setting(tracker: Tracker, name: str) -> str | None:
    value = tracker.config.get(name)
    return str(value).strip() if value not in (None, "") else None
