"""Stage the Follow-ups sheet and write one e-mail draft (.eml) per vendor.

Last Contacted is the user's column: kept by (Vendor, Item, Ref) when the
sheet is rebuilt. Drafts go to ``--out`` or 'Follow-up drafts/DATE' beside the
workbook; the job only stages them (``Outcome.files``): the runner writes them
once the workbook is saved, never on --dry-run or for a refused run. Vendors
text that cannot go into an e-mail header is left out of the draft and named.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from datetime import date
from email import policy as email_policy
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from prodbook.core import exceptions as ex
from prodbook.core import followups as fu
from prodbook.core import ta
from prodbook.core.cells import day_of, text_or_empty
from prodbook.core.changes import NEW_ROW, Change, row_prints, same_logged, undone
from prodbook.core.development import labdips
from prodbook.core.development import samples as sm
from prodbook.core.development.recorded import recorded_actuals
from prodbook.core.factories import vendor_calendars
from prodbook.core.findings import Code, Finding, warning
from prodbook.core.keys import fold_ref, index_key, style_vendors
from prodbook.core.model.sheets import (
    CHANGE_LOG,
    CLOSURES,
    CONFIG,
    EXCEPTIONS,
    FOLLOW_UPS,
    LAB_DIPS,
    ORDERS,
    SAMPLES,
    STYLES,
    TA,
    VENDORS,
)
from prodbook.core.where import row_dicts
from prodbook.jobs.base import ACTION_NAMES, Context, Outcome, Stopped, stopped_lines, valid_frame, whole_path
from prodbook.jobs.exceptions_job import current_exceptions, without_ids_given
from prodbook.workbook import kept_drafts
from prodbook.workbook.kept_drafts import DAY_RECORD, LEFT_BY_SYSTEM, DayRecord, DraftEntry
from prodbook.workbook.links import file_link
from prodbook.workbook.publish import (
    STOPPED_RUN,
    UNFINISHED,
    OutlookDrafts,
    Staged,
    StagedFile,
    StagedLeftovers,
    StagedRemoval,
    is_temp,
    leftover_temps,
    no_folder,
)
from prodbook.workbook.tables import Table
from prodbook.workbook.toml_settings import toml_path
from prodbook.workbook.tracker import Tracker

FIELDS = list(FOLLOW_UPS.fields)


def drafts_folder(tracker: Tracker, ctx: Context) -> Path | None:
    """--out as typed, from the folder the command was typed in (a relative one made whole now, its '..' folded,
    as the report and scorecard take theirs: undo, run from another folder, reads the record from the workbook's
    folder, and refuses a path with '..'), else 'Follow-up drafts/DATE' beside the workbook."""
    if ctx.out is not None:
        return whole_path(ctx.out)
    path = getattr(tracker.backend, "path", None)
    return Path(path).parent / fu.DRAFTS_FOLDER / ctx.today.isoformat() if path else None


def _exceptions(tracker: Tracker, ctx: Context) -> pd.DataFrame:
    """The Exceptions rows as this run leaves them, with the facts the rules gave apart (``FACTS``): the
    exceptions step's frame when it ran before, else the rules run now. Never the sheet as read: its Detail
    holds the APM's advice, and only a regular expression could cut it off."""
    frame = tracker.current(EXCEPTIONS)
    if tracker.was_remembered(EXCEPTIONS):
        return frame
    frame, source, _, _ = current_exceptions(tracker, ctx)  # run alone: the rules as of today
    return without_ids_given(tracker, frame, source)


def followups(tracker: Tracker, ctx: Context) -> Outcome:
    """Everything outstanding per vendor: the sheet, and a draft e-mail each."""
    findings: list[Finding] = []
    styles, _ = valid_frame(tracker, STYLES, required=False)
    vendors, _ = valid_frame(tracker, VENDORS, required=False)
    samples, _ = valid_frame(tracker, SAMPLES, required=False)
    dips, _ = valid_frame(tracker, LAB_DIPS, required=False)
    vendor_of = style_vendors(styles)
    owners = tracker.config.get("Vendor Owners")
    owners = tuple(o.strip() for o in str(owners).split(",")) if owners else fu.VENDOR_OWNERS
    orders, _ = valid_frame(tracker, ORDERS, required=False)
    stopped = stopped_lines(tracker, orders, styles)  # a colour no PO line wants any more: no dip, no sample
    sample_settings = sm.settings_from(tracker.config, tracker.file, [])
    rules = _rule_settings(tracker)
    vendor_dates = fu.vendor_date_format(tracker.config.date_format)  # the sheet's Detail is the e-mail's text
    milestones = fu.live_milestones(tracker.current(TA), _stopped_lines(orders, stopped))
    dip_settings = labdips.settings_from(tracker.config, tracker.file, [])
    if not tracker.was_remembered(TA):  # a T&A rebuilt in this run (refresh) has them filled in already
        milestones = _as_recorded(milestones, recorded_actuals(milestones, dips, samples, ctx.today, dip_settings,
                                                               sample_settings))
    sampled = fu.sample_items(samples[sm.to_chase(samples, stopped.styles).to_numpy()
                                      & ~stopped.unwanted(samples)], vendor_of, ctx.today,
                              tracker.config.due_soon_days, date_format=vendor_dates)
    codes = sm.type_codes(milestones, sample_settings) if len(milestones) else {}
    items = fu.collect(
        fu.milestone_items(fu.without_sampled(milestones, sampled, lambda kind: sm.code_of(kind, codes)),
                           ctx.today, owners, date_format=vendor_dates,
                           due_soon_days=tracker.config.due_soon_days),
        sampled,
        fu.lab_dip_items(dips[~stopped.unwanted(dips)], vendor_of, ctx.today, dip_settings),
        fu.exception_items(_with_vendors(_exceptions(tracker, ctx), orders, vendor_of),
                           fu.shipped_lines(milestones, (rules.xf_code, rules.in_dc_code), ctx.today)))
    contacts, found = contacts_of(tracker, vendors)
    findings += found
    chased = {fu.vendor_key(it.vendor) for it in items}  # 'cn1' on Styles is the Vendors sheet's CN1
    for r in row_dicts(vendors):
        if fu.vendor_key(str(r["vendor"])) in chased and not any(fu.parse_addresses(r.get("email"))):
            findings.append(warning(Code.VENDOR_NO_EMAIL, f"vendor {r['vendor']} has items to chase but no "
                                    "e-mail address; add one in the Email column so its draft has a To: "
                                    f"until then its draft's file name starts '{NO_ADDRESS}'",
                                    file=tracker.file, sheet=tracker.sheet(VENDORS), row=int(r["_row"]),
                                    column="Email"))
    listed = {fu.vendor_key(str(v)) for v in vendors["vendor"]} if len(vendors) else set()
    for vendor in dict.fromkeys(fu.one_line(it.vendor) for it in items if it.key[0] not in listed):
        findings.append(warning(Code.VENDOR_NO_EMAIL, f"vendor {vendor} has items to chase but is not on the "
                                f"{tracker.sheet(VENDORS)} sheet, so its draft has no To: add a row for {vendor} "
                                f"with its Email (or correct the vendor code on Styles); until then its draft's "
                                f"file name starts '{NO_ADDRESS}'", file=tracker.file,
                                sheet=tracker.sheet(VENDORS), column="Vendor", value=vendor))
    sender, found = sender_of(tracker)
    findings += found
    closures, _ = valid_frame(tracker, CLOSURES, required=False)
    calendars, _, _ = vendor_calendars(vendors, closures, (ctx.today.year, ctx.today.year + 1), file=tracker.file)
    table = tracker.table(FOLLOW_UPS, required=False)
    old = table.frame
    old_by_key: dict[tuple[str, str, str], dict[str, Any]] = {}
    for r in row_dicts(old):
        key = (text_or_empty(r.get("vendor")).upper(), text_or_empty(r.get("item")).upper(),
               text_or_empty(r.get("ref")).upper())
        old_by_key.setdefault(key, r)
    typed = _typed_last_contacted(tracker, table)
    carried = _carried(items, old_by_key)
    made = fu.drafts(items, contacts, ctx.today, sender=sender, signature=_setting(tracker, "Signature"),
                     date_format=vendor_dates,
                     calendars={fu.vendor_key(v): c for v, c in calendars.items()},
                     milestones=(rules.xf_code, rules.pack_code), asked=_asked(items, old_by_key, carried, typed))
    folder = drafts_folder(tracker, ctx)
    workbook_path = getattr(tracker.backend, "path", None)
    paths: dict[str, Path] = {}
    files: tuple[Staged, ...] = ()
    nowhere, found = finish_stopped_undos(tracker, ctx)  # first: the drafts folder as that undo leaves it
    findings += found
    mark = _mark_of(tracker)
    if mark:  # on every draft, whichever way it goes: an .eml written when Outlook stops part-way is known later
        for msg in made.messages.values():
            msg[fu.TRACKER_HEADER] = mark
    app = _outlook_app() if ctx.outlook else None  # inside Excel: asked once, so the Draft column says where they go
    if folder is None and made.messages:  # no folder beside the workbook: Outlook's Drafts, where it is
        if ctx.outlook:
            files = (OutlookDrafts(tuple(made.messages.values()), None, mark=mark, day=ctx.today, outlook=app),)
        else:
            nowhere.append(no_folder("The follow-up e-mail drafts were") + ".")
    if folder is not None:
        ours = _recorded_ours(folder, workbook_path)
        paths = _not_anothers({v: folder / (name if made.messages[v]["To"] else NO_ADDRESS + name)
                               for v, name in fu.draft_names(made.messages, ctx.today).items()}, mark, ours)
        if app is not None:  # Outlook's Drafts folder (today's earlier drafts of this tracker go); .eml files
            # under these names only if Outlook stops part-way. Staged with nothing to chase too: they still go
            files = (OutlookDrafts(tuple(made.messages.values()), folder, tuple(paths[v].name for v in made.messages),
                                   mark=mark, day=ctx.today, outlook=app),)
        else:  # written by the runner once the workbook is saved (the command; a Mac or a PC without Outlook)
            where = f"  E-mail drafts (open in Outlook): {folder}"
            _marks_kept(made.messages, paths, mark, ours)
            eml = {v: fu.eml_bytes(msg) for v, msg in made.messages.items()}
            files = tuple(StagedFile(paths[v], content, where, undoable=True) for v, content in eml.items())
            now = {fu.vendor_key(v): p for v, p in paths.items()}
            stale = [(p, f"{vendor}'s draft is now '{now[fu.vendor_key(vendor)].name}'"
                      if fu.vendor_key(vendor) in now else f"{vendor} has nothing left to chase")
                     for p, vendor in _stale_drafts(folder, ctx.today, mark, set(paths.values()), ours)]
            files += tuple(StagedRemoval(p, f"  Removed today's earlier draft '{p.name}': {why}") for p, why in stale)
            if ctx.out is None and workbook_path is not None:  # the dated folders beside the workbook: pruned
                files += _day_record(folder, Path(workbook_path).name,
                                     {paths[v].name: content for v, content in eml.items()}, [p for p, _ in stale])
            if ctx.dry_run:  # nothing is removed: the APM reads what the run would take away
                nowhere += [f"  Would remove today's earlier draft '{p.name}': {why}" for p, why in stale]
        if ctx.out is None and workbook_path is not None:  # the dated folders beside the workbook, only
            pruning, found = _old_days(tracker, Path(workbook_path), ctx.today)
            findings += found
            files += tuple(pruning)  # done only by a run with a Change Log row (``runner.only_if_logged``)
    if workbook_path is not None:  # before anything else is put in place or removed: an old day's folder may
        # hold nothing else, and goes once they are gone
        leftovers = _leftovers(Path(workbook_path), folder if ctx.out is not None else None)
        files = leftovers + files
        if ctx.dry_run:
            temps = leftover_temps([f for record in leftovers for f in record.folders])
            nowhere += [f"  Would remove {sum(1 for p in temps if p.parent == f):,} temporary file(s) {STOPPED_RUN} "
                        f"in '{f}' ({UNFINISHED})" for f in dict.fromkeys(p.parent for p in temps)]

    rows, source, changes = [], [], []
    sheet = tracker.sheet(FOLLOW_UPS)
    workbook = getattr(tracker.backend, "path", None)  # Draft: a link relative to the workbook's folder
    draft_links = ({fu.vendor_key(v): fu.OUTLOOK_DRAFTS + " ".join(str(m["Subject"]).split())  # as Outlook lists it
                    for v, m in made.messages.items()} if app is not None  # no file: the link would go nowhere
                   else {fu.vendor_key(v): file_link(p, workbook) for v, p in paths.items()})  # one per vendor
    for it in items:
        before = old_by_key.get(it.key, carried.get(it.key))
        contact = contacts.get(it.key[0])
        rows.append({"vendor": it.vendor, "contact": "; ".join(contact.to) if contact and contact.to else None,
                     "item": it.item, "ref": it.ref, "detail": it.detail, "due": it.due,
                     "days_overdue": it.days_overdue,
                     "last_contacted": (typed.get(int(before["_row"]), before.get("last_contacted"))
                                        if before else None),
                     "draft": draft_links.get(it.key[0])})
        source.append(int(before["_row"]) if before else None)
        logged = " / ".join((it.vendor, it.item, it.ref))
        if before is None:  # its print comes below, all new rows at once: undo keeps a row typed in since
            changes.append(Change(sheet, logged, NEW_ROW, len(rows) - 1, it.detail))
        else:  # a kept row: every value that changes is logged, so undo can put it back
            changes += [Change(sheet, logged, FOLLOW_UPS.column(f).header, before.get(f), rows[-1][f])
                        for f in FIELDS if not same_logged(before.get(f), rows[-1][f])]
    changes = _printed(changes, rows)
    kept = {s for s in source if s is not None}
    # the whole row, Last Contacted included, so undo can put it back
    changes += tracker.removed_rows(table, [r for r in row_dicts(old) if int(r["_row"]) not in kept])
    frame = pd.DataFrame(rows, columns=FIELDS)
    if rows or len(old) or not table.exists:
        tracker.replace_rows(table, frame, FIELDS, source if table.exists else None)
    tracker.log(changes)
    overdue = sum(1 for it in items if it.days_overdue)
    summary = [f"Follow-ups: {len(items):,} item(s) for {len(made.messages):,} vendor(s), {overdue:,} overdue.",
               *nowhere]
    drafts = [str(v) for v in draft_links.values()] if app is not None else [str(p) for p in paths.values()]
    return Outcome(ACTION_NAMES["followups"], findings, changes, summary=summary,
                   data={"items": len(items), "drafts": drafts}, files=files)


NO_ADDRESS = "NO ADDRESS - "
"""The start of the file name of a draft with no To (its vendor has no e-mail address, or is not on Vendors):
plain beside the drafts that can be sent as they are, in the folder and in Outlook's Open dialog."""
DRAFT_DAYS = "Draft Days To Keep"
DRAFT_DAYS_DEFAULT = 7
"""Config 'Draft Days To Keep': the newest days' 'Follow-up drafts/DATE' folders kept beside the workbook (today's
always); an older day's drafts go as the backups do, by a run that writes a Change Log row (so its Undo puts
them back), each folder judged by the drafts record inside it (``kept_drafts.DAY_RECORD``)."""


def _draft_days(tracker: Tracker) -> tuple[int, list[Finding]]:
    """Config 'Draft Days To Keep' (at least 1), else the default and, for a value that is no whole number of
    days, a warning naming it."""
    value = tracker.config.get(DRAFT_DAYS)
    if value in (None, ""):
        return DRAFT_DAYS_DEFAULT, []
    try:
        number = float(str(value).strip())
        if number.is_integer() and number >= 1:
            return int(number), []
    except ValueError:
        pass
    return DRAFT_DAYS_DEFAULT, [warning(
        Code.SETTING, f"the setting '{DRAFT_DAYS}' should be a whole number of days, 1 or more: the follow-up "
        f"drafts folders of the newest {DRAFT_DAYS_DEFAULT} days were kept. Type a number such as 14 there",
        value=value, **_setting_place(tracker, DRAFT_DAYS))]


def _day_record(folder: Path, book: str, wrote: dict[str, bytes], gone: Sequence[Path]) -> tuple[Staged, ...]:
    """Today's folder's drafts record (``kept_drafts.DAY_RECORD``) with this run's drafts in it (name, the
    workbook's file name ``book``, the SHA-256 of the bytes written) and today's earlier drafts it takes away left
    out; another tracker's entries kept. Written with the drafts, and put back by their undo. The tracker is named
    by its file name, not ``tracker_mark`` (its whole path): two trackers beside one drafts folder have two names,
    and the same tracker has one on every PC that syncs the folder, wherever it is synced to."""
    before = kept_drafts.day_record(folder)
    if not wrote and before is None:
        return ()
    drafts = {n: e for n, e in (before.drafts if before else {}).items() if n not in {p.name for p in gone}}
    drafts.update({name: DraftEntry.of(book, content) for name, content in wrote.items()})
    record = DayRecord(drafts, before.left_said if before else frozenset())
    return (StagedFile(folder / DAY_RECORD, record.as_bytes(), undoable=True),)


def _old_days(tracker: Tracker, workbook: Path, today: date) -> tuple[list[Staged], list[Finding]]:
    """What to take out of the old days' 'Follow-up drafts/DATE' folders: those older than the newest 'Draft Days
    To Keep' days' folders (never today's or a later one). Each folder is judged by the drafts record inside it
    (``_old_day``), never by the Change Log or the runs' records in 'prodbook backups'."""
    root = workbook.parent / fu.DRAFTS_FOLDER
    try:
        days = sorted((d, p) for p in root.iterdir() if p.is_dir() and (d := _day(p.name)) is not None) \
            if root.is_dir() else []
    except OSError:
        return [], []
    older = [(d, p) for d, p in days if d < today]
    keep, found = _draft_days(tracker)
    staged: list[Staged] = []
    for _, folder in older[: max(0, len(older) - keep)]:
        staged += _old_day(folder, workbook.name, keep, root)
    return staged, found


_KEPT_BECAUSE = {"yours": "which is not a draft prodbook wrote (your own file)",
                 "outlook": "a follow-up draft prodbook wrote there as a file because Outlook did not take it "
                            "(Outlook stopped part-way, or could not be reached), so it is not in Outlook's Drafts "
                            "folder: double-click it to open it in Outlook",
                 "edited": "a draft prodbook wrote for this tracker, edited since",
                 "folder": "a folder"}


def _old_day(folder: Path, book: str, keep: int, root: Path) -> list[Staged]:
    """One old day's folder: this tracker's drafts that hold the very bytes its record says go (kept in
    'prodbook backups' for the run's undo); another tracker's drafts and the APM's files stay; '.DS_Store',
    'Thumbs.db' and 'desktop.ini' count for nothing; once nothing else is left the record goes and the folder
    with it. A folder kept for a file of the APM's (or a draft edited since) is said once, with that file: the
    record remembers it was said. A folder with no record (written before prodbook kept one) is left alone."""
    record = kept_drafts.day_record(folder)
    if record is None:
        return []
    ours: list[Path] = []
    system: list[Path] = []
    stays: list[tuple[Path, str]] = []
    try:
        for f in sorted(folder.iterdir()):
            entry = record.drafts.get(f.name)
            if f.name == DAY_RECORD or is_temp(f.name):  # a stopped run's temporary file: ``_leftovers`` takes it
                continue
            if f.name.casefold() in LEFT_BY_SYSTEM and f.is_file():
                system.append(f)
            elif not f.is_file() or entry is None:
                stays.append((f, "folder" if f.is_dir() else _unlisted(f)))
            elif entry.tracker.casefold() != book.casefold():
                stays.append((f, "another tracker's"))
            elif kept_drafts.digest(f) == entry.sha256:
                ours.append(f)
            else:
                stays.append((f, "edited"))
    except OSError:
        return []
    where = f"'{folder.name}' in '{root}'"
    if not stays:
        said = (f"  Removed the old follow-up drafts folder {where} ({len(ours):,} draft(s); the newest {keep:,} "
                f"day(s) before today are kept, Config '{DRAFT_DAYS}')")
        last = folder / DAY_RECORD
        return [StagedRemoval(f, said if f == last else "", empty_parent=True, kept=f not in system,
                              only_if_logged=True) for f in (*ours, *system, last)]
    staged: list[Staged] = [StagedRemoval(f, only_if_logged=True) for f in ours]
    apms = [(f, why) for f, why in stays if why in _KEPT_BECAUSE]
    if apms and book.casefold() not in record.left_said:  # only another tracker's drafts: its own runs take them
        (first, why), more = apms[0], len(apms) - 1
        taken = f"; this tracker's {len(ours):,} draft(s) in it were removed" if ours else ""
        line = (f"  Kept the old follow-up drafts folder {where}: it holds '{first.name}', {_KEPT_BECAUSE[why]}"
                f"{f' (and {more:,} more such file(s))' if more else ''}{taken}. Delete the "
                "folder yourself once you no longer need it (this is said only once)")
        marked = DayRecord(record.drafts, record.left_said | {book.casefold()})
        staged.append(StagedFile(folder / DAY_RECORD, marked.as_bytes(), line, only_if_logged=True))
    return staged


def _unlisted(path: Path) -> str:
    """Why a file the day's record does not list stays (``_KEPT_BECAUSE``): an .eml with prodbook's mark is a draft
    the Excel button wrote as a file when Outlook stopped or could not be reached (only the drafts written as
    files from the start are recorded), anything else the APM's own."""
    if path.suffix.casefold() == ".eml" and (head := _head(path)) is not None and head.get(fu.TRACKER_HEADER):
        return "outlook"
    return "yours"


def _leftovers(workbook: Path, out: Path | None) -> tuple[StagedLeftovers, ...]:
    """The folders where a stopped run's temporary files may be (``publish.StagedLeftovers``): the dated folders
    of 'Follow-up drafts' beside the workbook, and the --out folder of this run."""
    root = workbook.parent / fu.DRAFTS_FOLDER
    try:
        days = tuple(p for p in sorted(root.iterdir()) if _day(p.name) is not None and p.is_dir()) \
            if root.is_dir() else ()
    except OSError:
        days = ()
    return (*((StagedLeftovers(days, workbook),) if days else ()),
            *((StagedLeftovers((out,), workbook, beside=False),) if out is not None and out.is_dir() else ()))


def finish_stopped_undos(tracker: Tracker, ctx: Context) -> tuple[list[str], list[Finding]]:
    """An undo that saved the workbook and was stopped before it put its run's drafts back: finished now, before
    the drafts folder is looked at (``kept_drafts.finish_undos``; on a dry run, said). Its summary lines, and a
    warning for each draft it cannot put back."""
    path = getattr(tracker.backend, "path", None)
    if not path:
        return [], []
    said, left = kept_drafts.finish_undos(Path(path), lambda: undone_runs(tracker),
                                          lambda: kept_drafts.linked_paths(
                                              tracker.table(FOLLOW_UPS, required=False).frame.get("draft", ()),
                                              Path(path)),
                                          dry_run=ctx.dry_run)
    return said, [warning(Code.FILE_NOT_WRITTEN, line, file=tracker.file) for line in left]


def undone_runs(tracker: Tracker) -> set[str]:
    """The runs the Change Log says are undone (each with its 'Undo ...' rows); only its Action column read."""
    log = tracker.table(CHANGE_LOG, required=False, only=("action",))
    return undone(log.frame["action"]) if "action" in log.frame.columns else set()


def _day(name: str) -> date | None:
    try:
        return date.fromisoformat(name) if len(name) == 10 else None
    except ValueError:
        return None


def _outlook_app() -> Any | None:
    from prodbook.workbook.outlook import outlook_app  # Outlook's module only inside Excel

    return outlook_app()


def _mark_of(tracker: Tracker) -> str:
    """``tracker_mark`` of the workbook; none ('') for one with no folder (opened from SharePoint or Teams, never
    saved): its name alone would be the mark of every tracker so named ('Production Tracker.xlsx' of two brands),
    and a press in one would delete the other's Outlook drafts. Unmarked, nothing is deleted: a second press
    makes a second draft."""
    path = getattr(tracker.backend, "path", None)
    return tracker_mark(path) if path else ""


def tracker_mark(workbook: Path | str) -> str:
    """What a draft says of the tracker it was written for (``fu.TRACKER_HEADER``): a digest of the workbook's
    full path, so two trackers writing drafts into one folder never take each other's away, and the draft
    does not carry the tracker's name or folder to the vendor."""
    try:
        where = str(Path(workbook).resolve())
    except OSError:
        where = str(workbook)
    return hashlib.sha256(where.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _stale_drafts(folder: Path, today: date, mark: str, written: set[Path], ours: set[str]
                  ) -> list[tuple[Path, str]]:
    """Today's drafts in ``folder`` that an earlier run for this tracker (``mark``, or the folder's record:
    ``_recorded_ours``) wrote and this run does not (their vendor has nothing left to chase): each with its
    vendor. A file without prodbook's marks (the APM's own, another tracker's, an older prodbook's) is left
    alone."""
    out = []
    try:
        found = sorted(folder.glob(f"*follow-up_{today.isoformat()}*.eml")) if folder.is_dir() else []
    except OSError:
        return []
    names = {_same_name(p.name) for p in written}
    for path in found:
        if _same_name(path.name) in names or is_temp(path.name):  # this run writes it (a Mac's disk: 'bd1_...'
            continue  # is 'BD1_...'), or a stopped run's temporary file
        head = _head(path)
        if head is None:
            continue
        if _is_ours(path, head, mark, ours) and head.get("X-Unsent") == "1" and fu.draft_vendor(head):
            out.append((path, fu.draft_vendor(head)))
    return out


def _head(path: Path) -> Any | None:
    """The headers of the .eml file at ``path``; None where there is none to read."""
    try:
        with path.open("rb") as f:
            return BytesHeaderParser(policy=email_policy.default).parse(f)
    except (OSError, ValueError):
        return None


def _not_anothers(paths: dict[str, Path], mark: str, ours: set[str]) -> dict[str, Path]:
    """Each vendor's draft path, moved to a free name ('..._2.eml') where today's file of that name is not this
    tracker's draft (``_is_ours``): another tracker's in the same folder ('Follow-up drafts/DATE' beside both), or
    a file the APM saved under it. Rewriting it would put this tracker's items in the other's draft, which its
    Follow-ups sheet links. The same name is found again by the next run, so a vendor's draft stays one file a
    day."""
    taken = {_same_name(p.name) for p in paths.values()}
    out: dict[str, Path] = {}
    for vendor, path in paths.items():
        here, n = path, 1
        while _anothers(here, mark, ours) or (here != path and _same_name(here.name) in taken):
            n += 1
            here = path.with_name(f"{path.stem}_{n}{path.suffix}")
        taken.add(_same_name(here.name))
        out[vendor] = here
    return out


def _anothers(path: Path, mark: str, ours: set[str]) -> bool:
    """Is there a file at ``path`` that is not this tracker's draft (``_is_ours``)?"""
    if not path.exists():
        return False
    head = _head(path)
    return head is None or not _is_ours(path, head, mark, ours)


def _is_ours(path: Path, head: Any, mark: str, ours: set[str]) -> bool:
    """Is the draft at ``path`` (its headers ``head``) this tracker's? It carries this tracker's ``mark``, or it
    carries a tracker's mark and the drafts record of its folder names it under this workbook's file name
    (``_recorded_ours``): the mark is a digest of the path the workbook was reached by, which is another on a
    colleague's PC syncing the folder, or after the folder was copied or moved, while its file name is the same.
    Two trackers beside one folder have two names, and keep their drafts apart."""
    theirs = head.get(fu.TRACKER_HEADER)
    return bool(theirs) and (theirs == mark or _same_name(path.name) in ours)


def _recorded_ours(folder: Path, workbook: Path | None) -> set[str]:
    """The names (``_same_name``) of the drafts that the drafts record of ``folder`` (``kept_drafts.DAY_RECORD``:
    only a dated folder beside the workbook has one) says were written for this workbook (its file name)."""
    record = kept_drafts.day_record(folder) if workbook is not None else None
    book = Path(workbook).name.casefold() if workbook is not None else None
    return {_same_name(n) for n, e in record.drafts.items() if e.tracker.casefold() == book} if record else set()


def _marks_kept(messages: dict[str, Any], paths: dict[str, Path], mark: str, ours: set[str]) -> None:
    """Each of this tracker's drafts already there under another of its marks (``_is_ours``: written when the
    workbook was reached by another path) keeps that mark, so the draft rewritten with nothing new is the same
    file and stays as it is: the folder is not rewritten each time a colleague's sync, or a copy, runs."""
    for vendor, msg in messages.items():
        path = paths.get(vendor)
        if path is None or _same_name(path.name) not in ours or not path.is_file():
            continue
        head = _head(path)
        theirs = head.get(fu.TRACKER_HEADER) if head is not None else None
        if theirs and theirs != mark:  # a prodbook draft the record says is this tracker's: ours (``_is_ours``)
            msg.replace_header(fu.TRACKER_HEADER, str(theirs))


def _same_name(name: str) -> str:
    """A file name as a Mac's or Windows' disk compares it: in any case, and in either Unicode form of an accent
    (a Mac gives names back decomposed). The draft this run writes as 'BD1_...' replaces the morning's 'bd1_...'
    there, and removing the morning's would remove the new one."""
    return unicodedata.normalize("NFC", name).casefold()


def _rule_settings(tracker: Tracker) -> ex.Settings:
    """The exception rules' Config settings, read once for the step: their T&A codes of ex-factory and packing
    ('Ex-Factory Code', 'Pack Code') are the milestones a vendor's e-mail folds into one row per late PO line
    (``vendor_view.vendor_view``); of ex-factory and in-DC ('In-DC Code'), those whose Actual says the goods have
    left the factory (``followups.shipped_lines``). Their notes are the exceptions step's."""
    settings, _ = ex.settings_from(tracker.config, tracker.file)
    return settings


def _asked(items: list[fu.Item], old_by_key: dict[tuple[str, str, str], dict[str, Any]],
           carried: dict[tuple[str, str, str], dict[str, Any]], typed: dict[int, Any]
           ) -> dict[tuple[str, str, str], date]:
    """Each item's Last Contacted as the sheet holds it (typed today or kept from an earlier run), so the vendor's
    e-mail marks a second request as a reminder."""
    out: dict[tuple[str, str, str], date] = {}
    for it in items:
        before = old_by_key.get(it.key, carried.get(it.key))
        if before and (day := day_of(typed.get(int(before["_row"]), before.get("last_contacted")))) is not None:
            out[it.key] = day
    return out


def _with_vendors(exceptions: pd.DataFrame, orders: pd.DataFrame, vendor_of: dict[str, str]) -> pd.DataFrame:
    """The exceptions, each with no Vendor typed (a row the APM added with a PO # or Style # alone) given its
    style's vendor on Styles, or its PO's when every style of that PO on Orders has the one vendor: the vendor
    the follow-up asks. The sheet keeps the row as typed; a row whose vendor cannot be told is not chased."""
    if not len(exceptions) or "vendor" not in exceptions.columns:
        return exceptions
    blank = [not text_or_empty(v) for v in exceptions["vendor"]]
    if not any(blank):
        return exceptions
    of_po: dict[str, set[str]] = {}
    for po, style in zip(orders.get("po", ()), orders.get("style", ())):
        vendor = vendor_of.get(fold_ref(style)) if text_or_empty(style) else None
        of_po.setdefault(fold_ref(po), set()).add(fu.vendor_key(vendor) if vendor else "")
    by_key = {fu.vendor_key(v): v for v in vendor_of.values()}
    vendors = list(exceptions["vendor"])
    for i, (po, style) in enumerate(zip(exceptions.get("po", [None] * len(vendors)),
                                        exceptions.get("style", [None] * len(vendors)))):
        if not blank[i]:
            continue
        if text_or_empty(style):
            vendors[i] = vendor_of.get(fold_ref(style))
        elif text_or_empty(po) and len(found := of_po.get(fold_ref(po), set())) == 1 and (one := next(iter(found))):
            vendors[i] = by_key[one]
    return exceptions.assign(vendor=vendors)


def _carried(items: list[fu.Item], old_by_key: dict[tuple[str, str, str], dict[str, Any]]
             ) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Item key -> the row it takes over under its former Item (``Item.formerly``: an exception of the APM's,
    listed by its Rule alone before it named its ID), so its Last Contacted stays with it. Each row goes to
    one item, and only when no item is listed under that key now."""
    taken = {it.key for it in items if it.key in old_by_key}
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    for it in items:
        former = it.former_key
        if it.key in old_by_key or former is None or former not in old_by_key or former in taken:
            continue
        taken.add(former)
        out[it.key] = old_by_key[former]
    return out


def _as_recorded(ta_frame: pd.DataFrame, dates: dict[int, Any]) -> pd.DataFrame:
    """The T&A with each blank Actual the development sheets already answer (``recorded_actuals``), as the
    T&A rebuild fills it in: a dip submitted or a sample shipped since the last rebuild is done, not
    chased. Only the chase reads it; nothing is written here."""
    if not dates:
        return ta_frame
    actual = ta_frame["actual"].to_numpy(dtype=object).copy()
    for p, day in dates.items():
        actual[p] = day
    out = ta_frame.copy()
    out["actual"] = actual
    return out


def _stopped_lines(orders: pd.DataFrame, stopped: Stopped) -> set[str]:
    """The PO lines cancelled on Orders or of a dropped style (``ta.index_key`` over PO, style, colour)."""
    at = orders["_row"].isin(stopped.rows).to_numpy() if len(orders) else np.zeros(0, dtype=bool)
    return set(index_key(orders[at], ta.LINE)) if at.any() else set()


def _typed_last_contacted(tracker: Tracker, table: Table) -> dict[int, Any]:
    """Row -> a Last Contacted the column cannot read as a date ('called Mon'), as the APM typed it: it is
    theirs, kept with its row (read as a blank, the rebuild wrote a blank over it, and logged nothing)."""
    return {r: v for r, _ in table.unread_cells(("last_contacted",))  # none unless the column is there
            if (v := tracker.cell_as_written(table.sheet, r, table.columns["last_contacted"])) not in (None, "")}


def _printed(changes: list[Change], rows: list[dict]) -> list[Change]:
    """The '(new row)' lines with their rows' prints, worked out for all of them at once (their Old held
    the row's position until now): a print a row at a time cost 20 µs a row of a daily refresh."""
    new = [c for c in changes if c.field == NEW_ROW]
    prints = row_prints([[rows[c.old].get(f) for c in new] for f in FOLLOW_UPS.printed]) if new else []
    by_position = {c.old: p for c, p in zip(new, prints, strict=True)}
    return [Change(c.sheet, c.key, c.field, by_position[c.old], c.new) if c.field == NEW_ROW else c
            for c in changes]


def contacts_of(tracker: Tracker, vendors: pd.DataFrame) -> tuple[dict[str, fu.Contact], list[Finding]]:
    """Each vendor's name and addresses as they may go into an e-mail header; every Name, Email or CC
    entry that may not is left out and named (the rest of the vendor's draft is still made)."""
    table = tracker.table(VENDORS, required=False)
    sheet = tracker.sheet(VENDORS)
    contacts: dict[str, fu.Contact] = {}
    findings: list[Finding] = []
    for r in row_dicts(vendors):
        vendor = fu.one_line(r["vendor"])
        where = {"file": tracker.file, "sheet": sheet, "row": int(r["_row"])}
        name = text_or_empty(r.get("name")) or None
        if (why := fu.bad_name(name)) is not None:
            findings.append(warning(
                Code.BAD_ADDRESS, f"vendor {vendor}'s name cannot go into an e-mail subject: {why}. Its "
                f"draft uses the vendor code '{vendor}' instead; put the name on one line (no Alt+Enter)",
                column=table.header_of("name"), value=name, **where))
            name = None
        found = {f: fu.parse_addresses(r.get(f)) for f in ("email", "cc")}
        for f, (good, bad) in found.items():
            kept = "the other addresses are kept" if good else f"the draft has no {table.header_of(f)} address"
            for b in bad:
                findings.append(warning(
                    Code.BAD_ADDRESS, f"'{fu.one_line(b.entry)}' cannot go into vendor {vendor}'s e-mail: "
                    f"{b.why}. It was left out of the draft ({kept}); make each entry one address such as "
                    "name@vendor.com, separated by ';'", column=table.header_of(f), value=r.get(f), **where))
        c = fu.Contact(str(r["vendor"]), name, found["email"][0], found["cc"][0])
        contacts[fu.vendor_key(c.vendor)] = c
    return contacts, findings


def sender_of(tracker: Tracker) -> tuple[str | None, list[Finding]]:
    """Config 'Sender Email' as the drafts' From, when it is exactly one address; else no From
    (Outlook fills in the account's own) and a finding naming the setting."""
    text = _setting(tracker, "Sender Email")
    if text is None:
        return None, []
    got = fu.one_address(text)
    if not isinstance(got, fu.BadAddress):
        return got, []
    return None, [warning(Code.BAD_ADDRESS, f"the setting 'Sender Email' cannot be the drafts' From: "
                          f"{got.why}. The drafts were made without a From (your mail program fills in your "
                          "own address); put exactly one address such as Anna Lee <anna@company.com> there",
                          value=tracker.config.get("Sender Email"), **_setting_place(tracker, "Sender Email"))]


def _setting_place(tracker: Tracker, name: str) -> dict[str, object]:
    """Where a setting was read: its Config sheet row, else the prodbook.toml beside the workbook."""
    if tracker.has(CONFIG):
        table = tracker.table(CONFIG, required=False)
        for r in table.frame.to_dict("records"):
            if text_or_empty(r.get("setting")).lower() == name.lower():
                return {"file": tracker.file, "sheet": table.sheet, "row": int(r["_row"]),
                        "column": table.header_of("value")}
    path = getattr(tracker.backend, "path", None)
    return {"file": str(toml_path(Path(path))) if path else tracker.file}


def _setting(tracker: Tracker, name: str) -> str | None:
    value = tracker.config.get(name)
    return str(value).strip() if value not in (None, "") else None
