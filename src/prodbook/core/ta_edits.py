"""What the APM or a template edit changed since the last T&A run, said so the APM knows what moved and why.

This run's T&A rows (``new``) are held against the rows the sheet holds (``old``: as the last run left them,
and as the APM edited them since), matched by key: ``matched`` marks each new row found on the sheet,
``take`` says where (its position in ``old``, one per matched row, in order).

- a step changed on T&A Templates: its Planned moved on every running line of the template
  (``template_changes``); a milestone added to a template (``milestones_added``) or removed from it
  (``milestones_removed``);
- a Planned, Forecast or Status the APM typed over prodbook's value (``typed_over``);
- an Actual that is not the day a milestone happened (``questioned_actuals``: a formula, a date ahead, a typo
  year, ``actual_dates``).

Pure: frames, arrays and settings in, findings and summary lines out. The shell (``jobs/ta_job``) reads the
workbook, names its file, sheets and headers (``Where``), and reads the Actual cells' formulas and text.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from prodbook.core import actual_dates, ta
from prodbook.core.calendar import FactoryCalendar
from prodbook.core.cells import is_missing
from prodbook.core.findings import Code, Finding, warning
from prodbook.core.keys import fold_text, index_key, key_text
from prodbook.core.looks import date_text
from prodbook.core.model.records import Status
from prodbook.core.model.sheets import ARCHIVE_SUFFIX, ORDERS, TA, TEMPLATES, Kind

EVERY_LINE = 0.9
"""The share of a template's running lines a step must have moved on by itself to be called changed."""


@dataclass(frozen=True)
class Where:
    """Where the findings point, as the workbook names it."""

    file: str
    ta: str = TA.name
    templates: str = TEMPLATES.name
    archive: str = TA.name + ARCHIVE_SUFFIX
    headers: Mapping[str, str] = field(default_factory=dict)
    """A T&A field's header as the team wrote it ('planned' -> 'Plan Date'), and the Orders' 'po_date';
    prodbook's own where absent."""

    def header(self, name: str) -> str:
        if name in self.headers:
            return self.headers[name]
        return (TA if name in TA.fields else ORDERS).column(name).header


def since_last_run(plans: Mapping[str, ta.Plan], calendars: Mapping[str, FactoryCalendar],
                   default: FactoryCalendar, old: pd.DataFrame, new: pd.DataFrame, matched: np.ndarray,
                   take: np.ndarray, fates: np.ndarray, left: np.ndarray, restored: Mapping[int, int],
                   where: Where) -> tuple[list[Finding], list[str]]:
    """The T&A Templates and T&A edits since the last run, in the order the Issues and the summary say them:
    milestones removed, values typed over, template steps changed, milestones added; and their summary lines.

    ``fates``, ``left``: each ``old`` row's ``ta.Fate`` and the template it left (``ta.triage``);
    ``restored``: the rows of ``new`` taken back from the archive (position -> archive position)."""
    planned_before = matched.copy()  # rows the sheet held planned: their lines were planned by a run before
    planned_before[np.flatnonzero(matched)] = ~pd.isna(pd.Series(old["planned"].to_numpy()[take], dtype=object)
                                                       ).to_numpy()
    lines = index_key(new, ta.LINE).to_numpy()  # each row's PO line
    fresh = ~matched & among(lines, lines[planned_before])  # milestones new to a line planned before
    findings, renamed = milestones_removed(plans, old, fates, left, new, fresh, where)
    found, typed = typed_over(calendars, default, new, old, matched, take, where)
    findings += found
    notes: list[str] = []
    for found, said in (template_changes(plans, calendars, default, new, old, lines, matched, take, typed, where),
                        milestones_added(plans, new, lines, fresh, restored, renamed, where)):
        findings += found
        notes += said
    return findings, notes


def template_changes(plans: Mapping[str, ta.Plan], calendars: Mapping[str, FactoryCalendar],
                     default: FactoryCalendar, new: pd.DataFrame, old: pd.DataFrame, lines: np.ndarray,
                     matched: np.ndarray, take: np.ndarray, typed: set[int] | None, where: Where
                     ) -> tuple[list[Finding], list[str]]:
    """One warning per template whose steps changed since the last run, and its summary line (``lines``: each
    row's PO line, ``index_key``; ``typed``: rows whose Planned the APM typed over, said on their own).

    A milestone's Planned moved by its template when the old plan does not follow its step as the sheet now
    reads it: dated from another milestone, the old Planned is not the step's offset from that milestone's old
    Planned; dated from an order date, another milestone of the line on the same order date kept its Planned
    (so the date did not move). A milestone whose anchor moved so moves with it, and is named too. An order
    date moved on Orders moves whole chains consistently: ordinary replanning, not said here."""
    if not len(take) or not len(new):
        return [], []
    idx = np.flatnonzero(matched)
    was = np.full(len(new), np.datetime64("NaT"), dtype="datetime64[D]")
    was[idx] = as_days(old["planned"].to_numpy()[take])
    now = as_days(new["planned"].to_numpy())
    moved = ~np.isnat(was) & ~np.isnat(now) & (was != now)
    moved[sorted(typed or ())] = False
    if not moved.any():
        return [], []
    codes = new["code"].to_numpy(dtype=object)
    templates = new["template"].to_numpy(dtype=object)
    vendors = new["vendor"].to_numpy(dtype=object)
    at = {(line, code): i for i, (line, code) in enumerate(zip(lines.tolist(), codes.tolist()))}
    by_template = np.zeros(len(new), dtype=bool)
    out: list[Finding] = []
    notes: list[str] = []
    old_status = np.full(len(new), None, dtype=object)
    old_status[idx] = old["status"].to_numpy(dtype=object)[take]
    for name, plan in plans.items():
        of = (templates == name) & moved
        if not of.any():
            continue
        first_row = None
        for code in plan.dating_order:
            step = plan.step(code)
            seen: dict[int, tuple[bool, bool]] = {}
            for i in np.flatnonzero(of & (codes == code)).tolist():
                if step.anchor_is_order:
                    sibs = [at.get((lines[i], s.code)) for s in plan.steps
                            if s.anchor_is_order and s.anchor == step.anchor and s.code != code]
                    own = any(j is not None and not np.isnat(was[j]) and not moved[j] for j in sibs)
                    carried = False
                else:
                    j = at.get((lines[i], step.anchor))
                    if j is None or np.isnat(was[j]):
                        own, carried = True, False  # dated from a milestone the line did not have
                    else:
                        cal = calendars.get(fold_text(vendors[i]), default) if not is_missing(vendors[i]) \
                            else default
                        expect = ta._shift(cal, was[j:j + 1], step.offset, step.day_type)
                        own = bool(as_days(np.asarray(expect))[0] != was[i])
                        carried = bool(by_template[j])
                seen[i] = (own, carried)
            # a step changed moves on every running line of the template; a Closures row or a public holiday
            # added moves only the lines of its vendors whose span it falls in (read against today's calendar,
            # their old plan looks like another step too)
            running = int(((templates == name) & (codes == code) & ~np.isnat(was) & ~np.isnat(now)).sum())
            every = sum(own for own, _ in seen.values()) >= EVERY_LINE * running
            for i, (own, carried) in seen.items():
                by_template[i] = (own and every) or carried
                if own and every and first_row is None:
                    first_row = step.row
        hit = (templates == name) & by_template
        if not hit.any():
            continue
        named = [s.code for s in plan.steps if (hit & (codes == s.code)).any()]
        n_lines = len(set(lines[hit].tolist()))
        done = hit & np.isin(old_status, [Status.DONE.value, Status.DONE_LATE.value])
        late = int((done & (old_status == Status.DONE.value)
                    & (new["status"].to_numpy(dtype=object) == Status.DONE_LATE.value)).sum())
        head = (f"Template '{name}' changed: Planned moved on {', '.join(named)} for {n_lines:,} PO line(s) "
                "already planned")
        judged = (f"; {int(done.sum()):,} milestone(s) already done are now judged against the new plan "
                  f"(Done -> Done late: {late:,})") if done.any() else ""
        out.append(warning(
            Code.TEMPLATE_CHANGED,
            f"{head}{judged}. Their Actual dates and Notes are kept. If the change was meant only for new "
            "orders, press Undo last on the prodbook tab (or run 'prodbook undo <tracker>'), put the template "
            f"back as it was and save the new version as a template of its own (a new name in 'Template'), "
            "named in the 'T&A Template' of the styles it is for", file=where.file,
            sheet=where.templates, row=first_row, key=name))
        notes.append(f"{head}{judged} (see Issues).")
    return out, notes


def among(values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """``np.isin`` for text keys: numpy compares object arrays pair by pair (44,000 rows against 44,000: 46 s at
    2,000 PO lines), pandas by hash."""
    return pd.Index(values).isin(wanted)


def milestones_added(plans: Mapping[str, ta.Plan], new: pd.DataFrame, lines: np.ndarray, fresh: np.ndarray,
                     restored: Mapping[int, int], renamed: set[tuple[str, str]], where: Where
                     ) -> tuple[list[Finding], list[str]]:
    """One warning per template that got milestones new to PO lines already planned (``fresh``: the rows of
    ``new`` not on the sheet whose line the sheet held with a Planned date; not the rows of a new PO line or of
    one the APM started by hand), but not rows taken back from the archive, nor a code the archive warning says
    was perhaps renamed."""
    fresh = fresh.copy()
    fresh[list(restored)] = False
    if not fresh.any():  # the daily run: no milestone new to a running line
        return [], []
    codes, templates = new["code"].to_numpy(dtype=object), new["template"].to_numpy(dtype=object)
    overdue = new["status"].to_numpy(dtype=object) == Status.OVERDUE.value
    out: list[Finding] = []
    notes: list[str] = []
    for name, plan in plans.items():
        of = fresh & (templates == name)
        named = [s for s in plan.steps if (of & (codes == s.code)).any() and (name, s.code) not in renamed]
        if not named:
            continue
        of &= np.isin(codes, [s.code for s in named])
        past = int((of & overdue).sum())
        what = (f"New milestone {named[0].code}" if len(named) == 1 else
                f"New milestones {', '.join(s.code for s in named)}")
        head = (f"{what} (template '{name}') added to {len(set(lines[of].tolist())):,} PO line(s) already "
                f"planned, {past:,} already past due")
        out.append(warning(
            Code.MILESTONE_ADDED,
            f"{head}: on the T&A, type the date it was done in Actual, or N/A where it is not needed for that "
            "line; the rest are chased in the vendor's follow-ups", file=where.file,
            sheet=where.templates, row=named[0].row, key=name))
        notes.append(f"{head} (see Issues).")
    return out, notes


def milestones_removed(plans: Mapping[str, ta.Plan], old: pd.DataFrame, fates: np.ndarray, left: np.ndarray,
                       new: pd.DataFrame, fresh: np.ndarray, where: Where
                       ) -> tuple[list[Finding], set[tuple[str, str]]]:
    """A warning per template whose removed milestones (``fates``: ``ta.Fate.REMOVED``) took Actual dates or
    Notes to the archive, with the way back for a renamed code; and the (template, new code) pairs named as
    perhaps the renamed one."""
    at = np.flatnonzero(fates == ta.Fate.REMOVED.value)
    if not len(at):
        return [], set()
    gone_rows, left = old.iloc[at], left[at]
    fresh_codes: dict[str, list[str]] = {}
    for t, c in zip(new["template"].to_numpy(dtype=object)[fresh], new["code"].to_numpy(dtype=object)[fresh]):
        if c not in fresh_codes.setdefault(t, []):
            fresh_codes[t].append(c)
    typed = np.array([not (is_missing(a) and is_missing(n)) for a, n in zip(gone_rows["actual"], gone_rows["notes"])],
                     dtype=bool)
    codes = gone_rows["code"].to_numpy(dtype=object)
    out: list[Finding] = []
    renamed: set[tuple[str, str]] = set()
    for name in dict.fromkeys(left.tolist()):
        of = left == name
        if not (of & typed).any():
            continue
        gone_codes = list(dict.fromkeys(str(c) for c in codes[of]))
        came = fresh_codes.get(name, [])
        what = (f"Milestone {gone_codes[0]} is" if len(gone_codes) == 1 else
                f"Milestones {', '.join(gone_codes)} are")
        if len(gone_codes) == 1 and len(came) == 1:
            renamed.add((name, came[0]))
            maybe = f"; '{came[0]}' is new in the template: if it is {gone_codes[0]} renamed,"
        else:
            maybe = ": if a code was renamed,"
        plan = plans.get(name)
        row = next((s.row for s in plan.steps if len(came) == 1 and s.code == came[0]), None) if plan else None
        back = "' or '".join(gone_codes)
        out.append(warning(
            Code.MILESTONE_REMOVED,
            f"{what} no longer in template '{name}', so its {int(of.sum()):,} T&A row(s) went to '{where.archive}', "
            f"{int((of & typed).sum()):,} with an Actual date or Notes{maybe} "
            f"type '{back}' back in 'Code' (and in the Anchor of the milestones dated from it) and refresh, or "
            "press Undo last on the prodbook tab (or run 'prodbook undo <tracker>') first: the rows come back "
            f"with their Actual dates and Notes. To keep the new code, copy their Actual dates and Notes from "
            f"'{where.archive}' onto its rows on the T&A. If the milestone was really dropped, leave them archived",
            file=where.file, sheet=where.templates, row=row, key=name))
    return out, renamed


def typed_over(calendars: Mapping[str, FactoryCalendar], default: FactoryCalendar, new: pd.DataFrame,
               old: pd.DataFrame, matched: np.ndarray, take: np.ndarray, where: Where
               ) -> tuple[list[Finding], set[int]]:
    """A warning at each Planned, Forecast or Status cell the APM typed into and this run replaced, and the
    rows (of ``new``) whose Planned was typed over: no template change moved them.

    A row as prodbook wrote it agrees with itself, whatever moved since (an order date, a template step, an
    Actual upstream, the day): its Variance is the working days from its Planned to its Forecast, and its
    Status is one of prodbook's, 'Done' only with an Actual. A Planned or Forecast typed over breaks the first
    (the Variance is counted on the vendor's calendar as it is now, and as its weekend alone, so a closure
    added since is no typed date); a Status typed over, the second."""
    if not len(take):
        return [], set()
    idx = np.flatnonzero(matched)
    was, now = old.iloc[take], new.iloc[idx]
    rows = was["_row"].to_numpy()
    vendors = now["vendor"].to_numpy(dtype=object)
    pl, fc = as_days(was["planned"].to_numpy()), as_days(was["forecast"].to_numpy())
    var = pd.to_numeric(pd.Series(was["variance"].to_numpy(), dtype=object), errors="coerce").to_numpy(float)
    moved = {f: differs(was[f].to_numpy(), now[f].to_numpy(), Kind.DATE) for f in ("planned", "forecast")}
    check = (moved["planned"] | moved["forecast"]) & ~np.isnat(pl) & ~np.isnat(fc) & ~np.isnan(var)
    typed: list[tuple[int, str]] = []
    for vendor in dict.fromkeys(vendors[check].tolist()):
        at = np.flatnonzero(check & (vendors == vendor))
        cal = default if is_missing(vendor) else calendars.get(fold_text(vendor), default)
        loose = FactoryCalendar(cal.name, cal.weekend, workdays=cal.workdays)  # the weekend alone
        counts = [ta.variance_days(c, pl[at], fc[at]) for c in (cal, loose)]
        off = (var[at] < np.minimum(*counts)) | (var[at] > np.maximum(*counts))
        typed += [(int(i), "planned" if moved["planned"][i] else "forecast") for i in at[off]]
    ours = {s.value for s in Status}
    old_status = was["status"].to_numpy(dtype=object)
    no_actual = np.array([is_missing(a) for a in now["actual"]], dtype=bool)
    for k in np.flatnonzero(differs(old_status, now["status"].to_numpy(dtype=object), Kind.TEXT)).tolist():
        s = old_status[k]
        if not is_missing(s) and (str(s) not in ours or (str(s) in (Status.DONE.value, Status.DONE_LATE.value)
                                                          and no_actual[k])):
            typed.append((k, "status"))
    out = []
    for i, f in sorted(typed):
        header = where.header(f)
        before, after = (shown(v) for v in (was[f].iloc[i], now[f].iloc[i]))
        advice = ("type the date it was done in Actual (N/A where it is not needed)" if f == "status" else
                  "type the vendor's date in Notes, a completion date in Actual" if f == "forecast" else
                  "to move the plan, change the order date on Orders or the T&A template; put the vendor's "
                  "date in Notes")
        out.append(warning(Code.GENERATED_TYPED_OVER, f"{header} is prodbook's column: your {before} was "
                           f"replaced by {after}; {advice}. The Change Log keeps what was there",
                           file=where.file, sheet=where.ta, row=int(rows[i]), column=header, value=before,
                           key=key_text(now[k].iloc[i] for k in TA.key)))
    return out, {int(idx[i]) for i, f in typed if f == "planned"}


def shown(value: Any) -> str:
    """A cell's value as the message names it: a date as the T&A shows it, text in quotes."""
    if is_missing(value):
        return "blank"
    if isinstance(value, date):
        return date_text(value)
    return f"'{value}'"


@dataclass(frozen=True)
class Actuals:
    """The T&A's Actual dates as the typo checks read them (``read_actuals``), one element a row of ``new``."""

    days: np.ndarray
    """The Actual, by day (NaT: blank, N/A or not a date)."""
    planned: np.ndarray
    po_date: np.ndarray
    """The PO Date of the row's line on Orders."""
    far: np.ndarray
    """Years ahead (``actual_dates.far_ahead``)."""
    future: np.ndarray
    """After today, but not years ahead: a promise typed ahead."""
    early: np.ndarray
    """A year before its Planned, or (not a development step) long before its PO Date (``actual_dates.too_early``):
    the shell reads these cells as typed, for the message."""


def read_actuals(new: pd.DataFrame, orders: pd.DataFrame, plans: Mapping[str, ta.Plan], today: date) -> Actuals:
    """The Actual dates of ``new`` (with ``order_row``, the Orders row of its line) and which look wrong."""
    actual = pd.to_datetime(new["actual"].where(new["actual"] != ta.NA), errors="coerce")
    days = actual.to_numpy("datetime64[D]")
    po_of = dict(zip(orders["_row"], orders["po_date"])) if len(orders) and "po_date" in orders.columns else {}
    po = pd.to_datetime(pd.Series([po_of.get(r) for r in new["order_row"]], dtype=object),
                        errors="coerce").to_numpy("datetime64[D]")
    planned = new["planned"].to_numpy("datetime64[D]")
    far = actual_dates.far_ahead(days, today)
    future = ~np.isnat(days) & (days > np.datetime64(today, "D")) & ~far
    early = actual_dates.too_early(days, planned, po, today)
    development = {(name, s.code) for name, plan in plans.items() for s in plan.steps
                   if actual_dates.is_development(s.stage)}
    if early.any() and development:  # the development steps among the few questioned, not a test a row
        dev = np.zeros(len(new), dtype=bool)
        templates, codes = new["template"].to_numpy(dtype=object), new["code"].to_numpy(dtype=object)
        dev[early] = [(t, c) in development for t, c in zip(templates[early], codes[early])]
        early = actual_dates.too_early(days, planned, po, today, dev)
    return Actuals(days, planned, po, far, future, early)


def questioned_actuals(new: pd.DataFrame, actuals: Actuals, rows: np.ndarray, formulas: Mapping[int, str],
                       typed: Mapping[int, Any], today: date, where: Where) -> list[Finding]:
    """A warning at each Actual cell that is not the day a milestone happened, one a cell: a formula; a date
    after today (the vendor's promise typed ahead: Notes is its place); years ahead, a year before its Planned
    or long before its line's PO Date (a typo in the year, or the day and month: ``actual_dates``).

    ``rows``: each row's Excel row on the T&A (-1: new); ``formulas``: the formula of an Actual cell by its Excel
    row; ``typed``: the Actual cells of ``actuals.early`` as typed (a text such as '3/12/2026' is named)."""
    by_row = {r: text for r, text in formulas.items() if actual_dates.questioned_formula(text)}
    far, future, early, days = actuals.far, actuals.future, actuals.early, actuals.days
    header = where.header("actual")
    out = []
    for i in np.flatnonzero(far | future | early | np.isin(rows, list(by_row))).tolist():
        row = int(rows[i]) if rows[i] > 0 else None
        at = dict(file=where.file, sheet=where.ta, row=row, column=header,
                  key=key_text(new[k].iat[i] for k in TA.key))
        if row in by_row:
            out.append(warning(Code.BAD_DATE, actual_dates.formula_message(by_row[row], header), value=by_row[row],
                               **at))
            continue
        d = days[i].astype(object)
        if far[i]:
            message = actual_dates.far_ahead_message(d, today, header)
        elif future[i]:
            message = "the Actual date is after today; an Actual is the day it happened. Put expected dates in Notes"
        else:
            as_typed = typed.get(row) if row else None
            planned, po = actuals.planned[i], actuals.po_date[i]
            message = actual_dates.too_early_message(
                d, None if np.isnat(planned) else planned.astype(object),
                None if np.isnat(po) else po.astype(object), header=header,
                planned_header=where.header("planned"), po_header=where.header("po_date"),
                typed=as_typed if isinstance(as_typed, str) else None)
        out.append(warning(Code.ACTUAL_IN_FUTURE if far[i] or future[i] else Code.DATE_YEAR_UNLIKELY, message,
                           value=d.isoformat(), **at))
    return out


def differs(before: np.ndarray, after: np.ndarray, kind: Kind) -> np.ndarray:
    """Element-wise 'the value changed', comparing dates by day and numbers by value; blanks equal."""
    if kind is Kind.DATE:
        a, b = as_days(before), as_days(after)
        return ~((a == b) | (np.isnat(a) & np.isnat(b)))
    if kind in (Kind.INT, Kind.NUMBER):
        a = pd.to_numeric(pd.Series(before, dtype=object), errors="coerce").to_numpy(float)
        b = pd.to_numeric(pd.Series(after, dtype=object), errors="coerce").to_numpy(float)
        return ~((a == b) | (np.isnan(a) & np.isnan(b)))
    a = pd.Series(before, dtype=object).fillna("").astype(str).to_numpy()
    b = pd.Series(after, dtype=object).fillna("").astype(str).to_numpy()
    return a != b


def as_days(values: np.ndarray) -> np.ndarray:
    """Dates by day; numpy reads date objects and None directly, pandas the rest.

    A column of dates (or of zone-less Timestamps) and blanks holds a few hundred distinct days: each
    is converted once."""
    if values.dtype.kind == "M":
        return values.astype("datetime64[D]")
    column, codes = values, None
    if values.dtype == object:
        kinds = set(map(type, values))
        if kinds <= _DAYS or (kinds <= _STAMPS and all(v.tzinfo is None for v in values)):
            codes, uniques = pd.factorize(values)  # a blank is -1: the None put last
            column = np.empty(len(uniques) + 1, dtype=object)
            column[:] = [*uniques, None]
    try:
        days = np.array(column, dtype="datetime64[D]")
    except (TypeError, ValueError):
        with warnings.catch_warnings():  # 'TBC' typed in a date column: pandas' 'Could not infer format' is for
            warnings.simplefilter("ignore", UserWarning)  # a programmer, never for the APM's screen
            days = pd.to_datetime(pd.Series(column, dtype=object), errors="coerce").to_numpy("datetime64[D]")
    return days if codes is None else days[codes]


_DAYS = frozenset({date, type(None)})
_STAMPS = frozenset({pd.Timestamp, type(pd.NaT)})
