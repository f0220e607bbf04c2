"""The development half of validation: style profiles, lab dips, samples, vendor discrepancies.

The shell around ``styles_check``, ``style_lock``, ``labdips``, ``samples`` and
``discrepancies``. ``check`` (one of the validate job's ``RULES``) loads the
tables they share once (``load``: an immutable ``DevInputs``), runs the rules
in ``RULES`` over them (each ``(inputs, ctx) -> findings``), and stages the one
write of this step, the Style Snapshot sheet (``stage_style_locks``: the locks
of adopted styles). Accepting fixes from the Issues sheet is its own job,
``apply_job``.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from prodbook.core import ta
from prodbook.core.cells import CellError, is_missing
from prodbook.core.config import Config
from prodbook.core.development import discrepancies, labdips, samples, style_lock, styles_check, unknown_keys
from prodbook.core.findings import Code, Finding, warning
from prodbook.core.keys import fold_text
from prodbook.core.model.sheets import LAB_DIPS, ORDERS, SAMPLES, STYLE_SNAPSHOT, STYLES, TA, VENDOR_WIP, VENDORS
from prodbook.core.where import Place, place_of
from prodbook.jobs.base import Context, valid_frame
from prodbook.jobs.wip_job import expand_inputs
from prodbook.workbook import mail, vendor_files
from prodbook.workbook.tables import Table
from prodbook.workbook.tracker import Tracker


@dataclass(frozen=True)
class DevInputs:
    """The tables the development rules share, read and validated once per run (``load``). The rules
    read them and never change them."""

    file: str
    config: Config
    styles: pd.DataFrame
    vendors: pd.DataFrame
    orders: pd.DataFrame
    dips: pd.DataFrame
    samples: pd.DataFrame
    ta: pd.DataFrame
    """The T&A as this run leaves it (rebuilt by an earlier step of the run, else as read; no row left out:
    dates, N/A, blanks)."""
    wip: pd.DataFrame
    places: Mapping[str, Place]
    reported: Mapping[str, frozenset[tuple[int, str]]]
    """Sheet -> (row, field) cells already reported as unreadable."""

    def once(self, found: list[Finding]) -> list[Finding]:
        """Drop findings on a cell already reported as unreadable: the APM fixes the cell first."""
        bad = {(place.sheet, row, place.header(f)) for name, place in self.places.items()
               for row, f in self.reported.get(name, ())}
        return [f for f in found if (f.sheet, f.row, f.column) not in bad]


def load(tracker: Tracker) -> DevInputs:
    """Read the sheets the development rules need (the tracker reads each sheet once per run)."""
    frames: dict[str, pd.DataFrame] = {}
    places: dict[str, Place] = {}
    reported: dict[str, frozenset[tuple[int, str]]] = {}
    for spec in (STYLES, VENDORS, ORDERS, LAB_DIPS, SAMPLES, VENDOR_WIP):
        frame, _ = valid_frame(tracker, spec, required=False)
        table = tracker.table(spec, required=False)
        frames[spec.name] = frame
        places[spec.name] = place_of(table, tracker.file)
        reported[spec.name] = _reported(table)
    places[TA.name] = place_of(tracker.table(TA, required=False), tracker.file)
    wip = frames[VENDOR_WIP.name]
    if tracker.was_remembered(VENDOR_WIP):  # the reports this run imported: compared today, not on the next run
        wip = as_written(tracker.current(VENDOR_WIP), tracker.table(VENDOR_WIP, required=False))
    return DevInputs(tracker.file, tracker.config, frames[STYLES.name], frames[VENDORS.name],
                     frames[ORDERS.name], frames[LAB_DIPS.name], frames[SAMPLES.name], tracker.current(TA),
                     wip, places, reported)


def as_written(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """The Vendor WIP as this run's import leaves it (``frame``: ``_row`` the row each came from, blank for a
    new one), each row at the Excel row it is written to, so a finding names the row the APM will find it on:
    a new week's rows below the rows kept (``wip_job._only_added``), else the sheet written from the top."""
    source = [None if pd.isna(s) else int(s) for s in frame["_row"]]
    old = [int(r) for r in table.frame["_row"]] if table.exists else []
    if old and source[:len(old)] == old and all(s is None for s in source[len(old):]):
        rows = old + list(range(max(old) + 1, max(old) + 1 + len(source) - len(old)))
    else:
        first = (table.header_row if table.exists else 1) + 1
        rows = list(range(first, first + len(source)))
    return frame.assign(_row=rows)


def _reported(table: Table) -> frozenset[tuple[int, str]]:
    by_header = {table.headers[c]: f for f, c in table.columns.items() if c < len(table.headers)}
    return frozenset((f.row, by_header[f.column]) for f in table.findings
                     if f.row is not None and f.column in by_header)


# -- the rules -----------------------------------------------------------------------------------------

def _style_settings(d: DevInputs) -> styles_check.StyleSettings:
    return styles_check.style_settings(d.config.get, STYLES, d.file)


def style_rules(d: DevInputs, ctx: Context) -> list[Finding]:
    """Style profiles: fiber, HTS, COO, prices, sizes, required fields."""
    settings = _style_settings(d)
    return list(settings.findings) + styles_check.check_styles(d.styles, d.vendors, settings,
                                                               d.places[STYLES.name], d.reported[STYLES.name])


@dataclass(frozen=True)
class DipView:
    status: pd.DataFrame
    approval_code: str | None
    approval: pd.DataFrame
    approved: dict[tuple[str, str], date]
    bulk: pd.DataFrame
    needs_dip: set[str]


def dip_view(d: DevInputs, ctx: Context, settings: labdips.DipSettings) -> DipView:
    status = labdips.dip_status(d.dips, ctx.today, settings)
    code = labdips.milestone_code(d.ta, settings.approval_code, labdips.LAB_DIP_APPROVAL,
                                  labdips.DEFAULT_APPROVAL_CODES)
    approval = labdips.milestone_dates(d.ta, code, ("style", "color"))
    bulk_code = labdips.milestone_code(d.ta, settings.bulk_code, labdips.BULK_FABRIC,
                                       labdips.DEFAULT_BULK_CODES)
    bulk = labdips.milestone_dates(d.ta, bulk_code, ("po", "style", "color"))
    needs = set(approval["style"]) if len(approval) else set()
    return DipView(status, code, approval, labdips.approved_dates(status, approval), bulk, needs)


def lab_dip_rules(d: DevInputs, ctx: Context) -> list[Finding]:
    """Lab dips: dates and decisions, colours late against the T&A, no approval by bulk fabric."""
    if not len(d.dips) and not len(d.ta):
        return []
    found: list[Finding] = []
    view = dip_view(d, ctx, labdips.settings_from(d.config, d.file, found))
    place = d.places[LAB_DIPS.name]
    found += labdips.dip_date_findings(d.dips, place, ctx.today)
    found += labdips.round_findings(d.dips, place)
    found += labdips.late_dips(view.status, view.approval, place, ctx.today)
    found += labdips.bulk_exceptions(d.orders, view.status, view.approved, view.bulk, d.places[ORDERS.name],
                                     ctx.today, view.needs_dip)
    return d.once(found)


def sample_rules(d: DevInputs, ctx: Context) -> list[Finding]:
    """Samples: due against the T&A, late, lost in transit; line review; customs ruling samples."""
    found: list[Finding] = []
    settings = samples.settings_from(d.config, d.file, found)
    place = d.places[SAMPLES.name]
    if len(d.samples):
        due = samples.ta_due(d.samples, d.ta, samples.type_codes(d.ta, settings), settings.cut_code)
        found += samples.sample_findings(d.samples, due, place, ctx.today, settings, d.places[TA.name].sheet,
                                         ta.dropped_styles(d.styles))
    if settings.line_review:
        table = samples.line_review(d.styles, d.samples, settings.line_review, settings, ctx.today)
        found += samples.line_review_findings(table, settings.line_review, ctx.today, d.places[STYLES.name])
    _, customs_found = samples.customs(d.styles, d.samples, _style_settings(d), settings,
                                       d.places[STYLES.name], styles_check.hts_rows(d.styles))
    return d.once(found + customs_found)


def unknown_key_rules(d: DevInputs, ctx: Context) -> list[Finding]:
    """Lab Dips and Samples rows whose Style # is not on Styles or whose Color is not one of the style's:
    they never reach the T&A."""
    if not len(d.dips) and not len(d.samples):
        return []
    colors = unknown_keys.known_colors(d.styles, d.orders, d.ta)
    sheet = d.places[STYLES.name].sheet
    found = unknown_keys.unknown_keys(d.dips, d.places[LAB_DIPS.name], d.styles, sheet, colors, "lab dip")
    found += unknown_keys.unknown_keys(d.samples, d.places[SAMPLES.name], d.styles, sheet, colors, "sample")
    return d.once(found)


def vendor_sheets(d: DevInputs, files: tuple[Path, ...], said_by_wip: bool = False
                  ) -> tuple[list[discrepancies.VendorSheet], list[Finding]]:
    """The run's files that are vendor style sheets / costing files (WIP reports are left out). ``said_by_wip``:
    the run's WIP import read the same files before, with the same reader, and named each one it could not read."""
    found: list[Finding] = []
    sheets = []
    for path in expand_inputs(tuple(files)) if files else []:
        if mail.is_message(path):
            from_mail, said = _mail_sheets(d, path)
            sheets += from_mail
            found += said
            continue
        try:
            vs = vendor_files.read_style_sheet(path, d.config)
        except CellError as exc:  # a damaged or unreadable file: said once (``_unread``), compare the others
            found += _unread(path, str(exc), said_by_wip)  # a CellError already names the file, says what to do
            continue
        except Exception as exc:
            found += _unread(path, f"'{path.name}' could not be read ({exc}); open it in Excel and save it as .xlsx, "
                             "then run again", False)
            continue
        if vs is not None:
            sheets.append(vs)
            found += vs.findings
    return sheets, found


def _unread(path: Path, said: str, said_by_wip: bool) -> list[Finding]:
    """A file the record check could not open: a warning on the file itself, which keeps the file out of what
    the run read (``runner.not_read``), its earlier rows on the Issues sheet with it. None where the run's WIP
    import said it already (``said_by_wip``), in the same words: the APM read it twice, once under this code."""
    return [] if said_by_wip else [warning(Code.DIFF_STYLE, said, file=path.name, found_in=path.name)]


def _mail_sheets(d: DevInputs, path: Path) -> tuple[list[discrepancies.VendorSheet], list[Finding]]:
    """The style sheets / costing files attached to a saved vendor e-mail, each named by where it sits in
    the message; a message with neither a style sheet nor a WIP report (which the WIP import reads) is named as
    not compared: its text is not read for style details."""
    try:
        message = mail.read_message(path, d.config.limits)
    except Exception as exc:  # a damaged message or one over a size limit: say so, compare the others
        said = str(exc) if isinstance(exc, mail.MailError) else (  # a MailError names the file, says what to do
            f"'{path.name}' could not be read ({exc}); save its attachments and give them to validate instead")
        return [], [warning(Code.DIFF_STYLE, said, file=path.name)]
    sheets: list[discrepancies.VendorSheet] = []
    found: list[Finding] = []
    others = bool(message.table_rows or message.carried_tables)  # a WIP report in its text: the WIP import's
    with tempfile.TemporaryDirectory(prefix="prodbook-mail-") as folder:
        for att in message.attachments:
            if mail.is_body_fragment(att.name):
                continue
            saved = Path(folder) / att.name
            saved.write_bytes(att.data)
            try:
                vs = vendor_files.read_style_sheet(saved, d.config)
            except Exception:  # not a spreadsheet prodbook reads (a PDF, a picture): not a style sheet
                continue
            others |= vs is None  # a spreadsheet, not a style sheet: a WIP report, read by the WIP import
            if vs is not None:
                shown = mail.label(message, att)  # "vendor.eml > attachment 'costing.xlsx'"
                sheets.append(dataclasses.replace(vs, name=shown))
                found += [dataclasses.replace(f, file=shown, found_in=path.name) for f in vs.findings]
    if not sheets and not others:
        found.append(warning(Code.DIFF_STYLE, f"file '{path.name}': no style table found, not compared. "
                             "prodbook compares a vendor's style sheet or costing file (an .xlsx, .xls or .csv "
                             "with a Style # column), not the text of an e-mail; compare what the mail says "
                             "by hand, or save the vendor's costing file and give it to validate",
                             file=path.name))
    return sheets, found


def discrepancy_rules(d: DevInputs, ctx: Context) -> list[Finding]:
    """Vendor WIP rows and vendor style sheets (the run's files) against Styles and Orders."""
    sheets, found = vendor_sheets(d, ctx.files, said_by_wip="wip" in ctx.steps)
    places = discrepancies.Places(d.places[STYLES.name], d.places[ORDERS.name], d.places[VENDOR_WIP.name])
    compared = discrepancies.compare_all(sheets, d.wip, d.styles, d.orders, places)
    # a sheet attached to a message is open until a run reads that message again (the file the run was given)
    compared = [dataclasses.replace(f, found_in=f.found_in.split(MESSAGE_STEP)[0])
                if f.found_in and MESSAGE_STEP in f.found_in else f for f in compared]
    return found + d.once(compared)


MESSAGE_STEP = " > attachment "
"""How ``mail.label`` names an attachment after its message's file name."""


Rule = Callable[[DevInputs, Context], list[Finding]]
RULES: tuple[Rule, ...] = (lab_dip_rules, sample_rules, unknown_key_rules, discrepancy_rules)
"""The rules after the style profiles and their locks (``check`` runs those first)."""


# -- the step that writes: locks of adopted styles ------------------------------------------------------

def open_lines(orders: pd.DataFrame) -> dict[str, int]:
    """Style (``fold_text``) -> its Orders lines whose Line Status does not cancel them and whose Qty is not 0."""
    if not len(orders) or "style" not in orders.columns:
        return {}
    status = orders["line_status"].tolist() if "line_status" in orders.columns else [None] * len(orders)
    qty = orders["qty"].tolist() if "qty" in orders.columns else [None] * len(orders)
    out: dict[str, int] = {}
    for style, word, q in zip(orders["style"].tolist(), status, qty):
        if ta.line_state(word) is ta.LineState.CANCELLED or (not is_missing(q) and q == 0):
            continue
        if k := fold_text(style):
            out[k] = out.get(k, 0) + 1
    return out


def stage_style_locks(tracker: Tracker, d: DevInputs, ctx: Context) -> list[Finding]:
    """Lock the locked fields of adopted styles on the Style Snapshot sheet: a new adoption is locked, a
    changed field is reported (and stays locked at its old value until a fix is accepted). Stages the
    sheet and logs its changes; returns the findings."""
    snap = tracker.table(STYLE_SNAPSHOT, required=False)
    result = style_lock.lock_styles(d.styles, snap.frame, _style_settings(d), d.places[STYLES.name], snap.sheet,
                                    ctx.today, open_lines(d.orders))
    if result.changes:
        tracker.replace_rows(snap, result.frame, list(STYLE_SNAPSHOT.fields),
                             result.source_rows if snap.exists else None)
        tracker.log(result.changes)
    return result.findings


def check(tracker: Tracker, ctx: Context) -> list[Finding]:
    """The development step of validate: its inputs loaded once, the style profiles and their locks,
    then every rule of ``RULES``."""
    d = load(tracker)
    found = d.once(style_rules(d, ctx) + stage_style_locks(tracker, d, ctx))
    for rule in RULES:
        found += rule(d, ctx)
    return found
