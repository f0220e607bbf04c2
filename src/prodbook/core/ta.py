"""T&A: templates become plans, plans become dated milestones per PO line.

Pure functions from tables to tables and findings:

* ``compile_templates`` checks the anchor graph of each template (graphlib)
  and orders its milestones so every anchor is dated before it is used.
* ``schedule`` dates every milestone of every PO line (vectorised per
  template and factory calendar: numpy does the working-day arithmetic).
* ``progress`` adds Forecast, Status and Variance from the Actual dates the
  user typed, judged against ``today``.

Forecast rule: a milestone is forecast at its Planned date unless a
predecessor is late. Edges follow time, not the anchor arrow: a milestone
anchored +5 days after B follows B; one anchored -20 days before
Ex-Factory precedes the ex-factory milestone. A late predecessor (its Actual,
or its Forecast, after its Planned) pushes the follower to keep the same
gap. An open milestone already past its Forecast is forecast for today.

The in-DC date moves with the ex-factory (DOMAIN.md): a milestone anchored on
the order's In-DC date follows the ex-factory milestone in time, keeping its
planned gap (the order's own transit), so forecast in-DC = forecast
ex-factory + transit, as the exception rules and the reports compute it.
"""

from __future__ import annotations

import difflib
import graphlib
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from prodbook.core.actual_dates import far_ahead
from prodbook.core.calendar import FactoryCalendar, add_days_array
from prodbook.core.cells import NA, is_missing
from prodbook.core.findings import Code, Finding, error, info, warning
from prodbook.core.keys import fold_column, fold_text, index_key, key_text
from prodbook.core.model.records import DROPPED_STYLE_STATUSES, DayType, Status
from prodbook.core.model.sheets import ORDERS, normalise_header

ORDER_ANCHORS: dict[str, str] = {}
for _f in ("po_date", "ex_factory", "in_dc", "cancel"):
    _col = ORDERS.column(_f)
    for _text in (_col.header, *_col.synonyms):
        ORDER_ANCHORS[normalise_header(_text)] = _f
ORDER_HEADERS = tuple(ORDERS.column(f).header for f in ("po_date", "ex_factory", "in_dc", "cancel"))
"""The order dates an Anchor may name, as the Orders sheet heads them."""


@dataclass(frozen=True)
class Step:
    """One milestone of a template, anchors resolved."""

    code: str
    milestone: str | None
    owner: str | None
    anchor: str
    """An order field (po_date, ex_factory, in_dc, cancel) or another step's code."""
    anchor_is_order: bool
    offset: int
    day_type: DayType
    critical: bool
    stage: str | None
    row: int | None = None


@dataclass(frozen=True)
class Plan:
    """A compiled template: steps in sheet order and in dating order."""

    name: str
    steps: tuple[Step, ...]
    """As listed on the T&A Templates sheet: the order of the T&A rows."""
    dating_order: tuple[str, ...]
    """Codes in an order where every anchor comes first."""

    def step(self, code: str) -> Step:
        return next(s for s in self.steps if s.code == code)


def template_key(name: Any) -> str:
    """A template name or milestone code as Excel matches text: case and outer spaces ignored."""
    return fold_text(name)


def nearest(text: Any, names: Iterable[str]) -> str | None:
    """The name most like ``text`` (a typo: 'Knit 9O' for 'Knit 90'), or None when none is close."""
    spelled = {template_key(n): n for n in names}
    hit = difflib.get_close_matches(template_key(text), list(spelled), n=1, cutoff=0.6)
    return spelled[hit[0]] if hit else None


def _steps_from(frame: pd.DataFrame) -> dict[str, list[Step]]:
    """Steps per template. An anchor that is one of the template's codes is a milestone,
    even when it also reads as an order date (a code 'XF' is not the Orders' 'XF' column).

    Template names, codes and anchors match as Excel matches text (case and outer spaces ignored): rows of
    'Knit 90' and 'knit 90 ' are one template, named as its first row spells it, and an Anchor 'cut' is the
    milestone 'CUT'."""
    names: dict[str, str] = {}
    codes: dict[str, dict[str, str]] = {}
    for t, c in zip(frame["template"], frame["code"]):
        names.setdefault(template_key(t), str(t).strip())
        codes.setdefault(template_key(t), {}).setdefault(template_key(c), str(c).strip())
    by_template: dict[str, list[Step]] = {}
    for r in frame.to_dict("records"):
        key = template_key(r["template"])
        anchor = str(r["anchor"]).strip()
        code = codes[key].get(template_key(anchor))
        order_field = None if code else ORDER_ANCHORS.get(normalise_header(anchor))
        by_template.setdefault(names[key], []).append(Step(
            code=str(r["code"]).strip(), milestone=r.get("milestone"), owner=r.get("owner"),
            anchor=order_field or code or anchor, anchor_is_order=order_field is not None,
            offset=int(r["offset"]), day_type=DayType(r.get("day_type") or DayType.WORKING),
            critical=bool(r.get("critical")), stage=r.get("stage"), row=r.get("_row")))
    return by_template


def duplicate_code_message(name: str, code: str, first: Any, again: Any) -> str:
    """The one sentence for a template that lists a milestone code twice."""
    return (f"template '{name}' lists milestone code '{code}' twice, in rows {first} and {again}, so the "
            f"template is on hold: the T&A rows of its PO lines are kept as they are until one of the two rows "
            "is deleted or its Code renamed")


def compile_templates(frame: pd.DataFrame, *, file: str, sheet: str = "T&A Templates"
                      ) -> tuple[dict[str, Plan], list[Finding]]:
    """Check each template's anchor graph; a broken template is reported and left out.

    ``frame`` holds validated template rows (fields of TemplateMilestone + ``_row``).
    """
    plans: dict[str, Plan] = {}
    findings: list[Finding] = []
    for name, steps in _steps_from(frame).items():
        where = {"file": file, "sheet": sheet}
        broken = False
        seen: dict[str, Step] = {}
        folded: dict[str, Step] = {}
        for s in steps:
            if (first := folded.get(template_key(s.code))) is not None:
                findings.append(error(Code.TEMPLATE_DUPLICATE_CODE,
                                      duplicate_code_message(name, s.code, first.row, s.row),
                                      row=s.row, column="Code", value=s.code, key=name, **where))
                broken = True
            folded.setdefault(template_key(s.code), s)
            seen.setdefault(s.code, s)
        for s in steps:
            if not s.anchor_is_order and s.anchor not in seen:
                near = nearest(s.anchor, [*seen, *ORDER_HEADERS])
                fix = f"did you mean '{near}'? Type" if near else "type"
                findings.append(error(Code.TEMPLATE_ANCHOR, f"template '{name}', milestone '{s.code}': the "
                                      f"anchor '{s.anchor}' is neither an order date (PO Date, Ex-Factory, "
                                      f"In-DC, Cancel Date) nor a milestone code of this template; {fix} "
                                      "one of them in its Anchor cell. The template is on hold until then",
                                      row=s.row, column="Anchor", value=s.anchor, key=name, **where))
                broken = True
        if broken:
            continue
        sorter = graphlib.TopologicalSorter({s.code: [] if s.anchor_is_order else [s.anchor]
                                             for s in steps})
        try:
            order = tuple(sorter.static_order())
        except graphlib.CycleError as exc:
            cycle = list(dict.fromkeys(exc.args[1]))
            findings.append(error(Code.TEMPLATE_CYCLE, f"template '{name}': the milestones "
                                  f"{' -> '.join(cycle + cycle[:1])} are anchored on each other in a "
                                  "circle, so none can be dated; anchor one of them on an order date",
                                  row=seen[cycle[0]].row, column="Anchor", value=seen[cycle[0]].anchor,
                                  **where))
            continue
        plans[name] = Plan(name, tuple(steps), order)
    return plans, findings


def _shift(cal: FactoryCalendar, base: np.ndarray, days: int | np.ndarray, day_type: DayType
           ) -> np.ndarray:
    if day_type is DayType.CALENDAR:
        return add_days_array(base, days)
    return cal.workday_array(base, days)


TA_COLUMNS = ["po", "style", "color", "vendor", "code", "milestone", "owner", "planned", "template",
              "order_row"]


def schedule(plans: Mapping[str, Plan], orders: pd.DataFrame, styles: pd.DataFrame,
             calendars: Mapping[str, FactoryCalendar], default_calendar: FactoryCalendar, *,
             file: str, sheets: Mapping[str, str] | None = None, blocked: Collection[str] = (),
             absent: Collection[str] = (), headers: Mapping[str, Mapping[str, str]] | None = None,
             header_rows: Mapping[str, int] | None = None, not_yet: Mapping[tuple[int, str], str] | None = None
             ) -> tuple[pd.DataFrame, list[Finding]]:
    """Planned date of every milestone of every PO line.

    ``orders`` and ``styles`` are validated tables (fields + ``_row``). Returns
    one row per (PO line, milestone) in Orders order then template order.
    PO lines on a ``blocked`` template (one with errors, already reported) are
    left out without a finding per style. ``absent``: the order dates (fields) the Orders sheet has no
    column for: one error names the column, at the sheet's header row (``header_rows``, by prodbook's sheet
    name), not one per PO line saying to fill in a date it holds. ``headers``: by prodbook's sheet name, the
    team's header of each field ('ex_factory' -> 'Ex-Fty Date'), which the findings name. ``not_yet``: (Orders
    row, field) -> the text of an order date the team typed as not known yet ('TBC', the reading's
    ``Code.DATE_NOT_YET``; read as blank): the line is
    planned as for a blank cell, and its finding names the text and the milestones left undated.
    """
    names = dict(sheets or {})
    not_yet = not_yet or {}
    groups, findings = _groups(plans, orders, styles, blocked, file=file, sheets=names, headers=headers)
    orders_sheet = names.get("Orders", "Orders")
    orders_headers = {**{c.field: c.header for c in ORDERS.columns}, **(headers or {}).get("Orders", {})}
    anchors = {f: _dates(orders[f]) for f in ("po_date", "ex_factory", "in_dc", "cancel")}
    blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    named: set[str] = set()
    row_of, po_of = orders["_row"].to_numpy(), orders["po"].to_numpy()
    for (template, vendor), idx in groups.items():
        plan = plans[template]
        cal = calendars.get(fold_text(vendor), default_calendar)
        pos = np.asarray(idx)
        planned: dict[str, np.ndarray] = {}
        for code in plan.dating_order:
            step = plan.step(code)
            base = anchors[step.anchor][pos] if step.anchor_is_order else planned[step.anchor]
            planned[code] = _shift(cal, base, step.offset, step.day_type)
        for field in {s.anchor for s in plan.steps if s.anchor_is_order}:
            if field in absent:
                if field not in named:
                    named.add(field)
                    header = ORDERS.column(field).header
                    findings.append(error(Code.ANCHOR_DATE_MISSING, f"the sheet has no {header} column prodbook "
                                          f"reads, so no milestone anchored on the {header} date can be planned; "
                                          f"add the column, or name yours on the Config sheet: 'Column: Orders / "
                                          f"{header}' = your header", file=file, sheet=orders_sheet,
                                          row=(header_rows or {}).get("Orders", 1), column=header))
                continue
            missing = np.isnat(anchors[field][pos])
            header = ' '.join(orders_headers[field].split())
            for at in pos[missing]:
                row, po = int(row_of[at]), po_of[at]
                if (row, field) in not_yet:
                    text = not_yet[row, field]
                    codes = ", ".join(_depending_on(plan, field))
                    findings.append(warning(Code.ANCHOR_DATE_MISSING, f"PO {po} has '{text}' in its '{header}' "
                                          f"cell, not a date yet, so the milestones that depend on it ({codes}) "
                                          f"have no Planned date, and the others are planned; type the {header} "
                                          "date in the cell once it is confirmed", file=file, sheet=orders_sheet,
                                          row=row, column=orders_headers[field], value=text,
                                          key=key_text(orders[k].iat[at] for k in LINE)))
                    continue
                findings.append(error(Code.ANCHOR_DATE_MISSING, f"PO {po} has no date in its "
                                      f"'{header}' cell, so the milestones anchored "
                                      "on it cannot be planned; fill it in", file=file,
                                      sheet=orders_sheet, row=row, column=orders_headers[field]))
        # one block per group: lines x steps, flattened line by line in template order
        dates = np.stack([planned[s.code] for s in plan.steps], axis=1).ravel()
        steps = np.tile(np.arange(len(plan.steps)), len(pos))
        blocks.append((np.repeat(pos, len(plan.steps)), steps, dates,
                       np.full(len(dates), list(plans).index(template)),
                       np.full(len(dates), len(blocks))))
    return _assemble(blocks, plans, orders, groups), findings


def _depending_on(plan: Plan, field: str) -> list[str]:
    """The codes of ``plan`` dated from the order date ``field``, at first hand or through other milestones."""
    on: set[str] = set()
    for code in plan.dating_order:
        step = plan.step(code)
        if (step.anchor == field) if step.anchor_is_order else (step.anchor in on):
            on.add(code)
    return [s.code for s in plan.steps if s.code in on]


def planned_size(plans: Mapping[str, Plan], orders: pd.DataFrame, styles: pd.DataFrame, *,
                 blocked: Collection[str] = ()) -> tuple[int, int]:
    """How many rows ``schedule`` gives (milestones) and for how many PO lines, without working out a date:
    a plan that would pass a sheet's rows is refused before a long T&A is read."""
    groups, _ = _groups(plans, orders, styles, blocked, file="", sheets={})
    return (sum(len(idx) * len(plans[template].steps) for (template, _), idx in groups.items()),
            sum(len(idx) for idx in groups.values()))


def _groups(plans: Mapping[str, Plan], orders: pd.DataFrame, styles: pd.DataFrame, blocked: Collection[str], *,
            file: str, sheets: Mapping[str, str], headers: Mapping[str, Mapping[str, str]] | None = None
            ) -> tuple[dict[tuple[str, str], list[int]], list[Finding]]:
    """The Orders rows (positions) each (template, vendor) plans, and what cannot be planned, said (``headers``:
    the team's headers, as ``schedule`` takes them).

    What a Style # cell means is decided once per distinct text (a season has a few styles per hundred
    lines); the lines are then sorted into their groups in one pass of numpy."""
    orders_sheet, styles_sheet = sheets.get("Orders", "Orders"), sheets.get("Styles", "Styles")
    templates_sheet = sheets.get("T&A Templates", "T&A Templates")
    style_h = (headers or {}).get("Orders", {}).get("style", "Style #")
    template_h = (headers or {}).get("Styles", {}).get("template", "T&A Template")
    findings: list[Finding] = []
    style_info = {str(s).strip().upper(): (t, v, r) for s, t, v, r in
                  zip(*(styles[f].tolist() for f in ("style", "template", "vendor", "_row")))}
    used: set[str] = set()
    canon = {template_key(n): n for n in plans}  # 'knit 90' on a style is the template 'Knit 90', as in Excel
    held = {template_key(n) for n in blocked}
    cells = orders["style"].tolist()
    texts = [str(s) for s in cells]
    verdicts: dict[str, tuple[_Verdict, Any]] = {}
    group_no: dict[str, int] = {}  # text -> its group's number, the groups in the order their first line comes
    keys: dict[tuple[str, str], int] = {}
    for text in dict.fromkeys(texts):
        info = style_info.get(text.strip().upper())
        if info is None:
            verdicts[text] = (_Verdict.UNKNOWN, None)
            continue
        template, vendor, srow = info
        if not template or (isinstance(template, float) and np.isnan(template)):
            verdicts[text] = (_Verdict.NO_TEMPLATE, srow)
            continue
        used.add(template_key(template))
        if template_key(template) in held:
            verdicts[text] = (_Verdict.BLOCKED, None)
        elif template_key(template) not in canon:
            verdicts[text] = (_Verdict.MISSING, (template, srow))
        else:
            group_no[text] = keys.setdefault((canon[template_key(template)], vendor or ""), len(keys))
    said = {t for t, (v, _) in verdicts.items() if v is not _Verdict.BLOCKED}
    if said:
        rows = orders["_row"].tolist()
        for i, text in enumerate(texts):
            if text not in said:
                continue
            verdict, about = verdicts[text]
            style, row = cells[i], rows[i]
            if verdict is _Verdict.UNKNOWN:
                findings.append(error(Code.STYLE_UNKNOWN, f"style '{style}' is not on the {styles_sheet} "
                                      f"sheet; add its style profile so its T&A can be planned",
                                      file=file, sheet=orders_sheet, row=int(row), column=style_h,
                                      value=style))
            elif verdict is _Verdict.NO_TEMPLATE:
                findings.append(error(Code.STYLE_NO_TEMPLATE, f"style '{style}' has no T&A template; choose "
                                      f"one in its '{' '.join(template_h.split())}' cell", file=file,
                                      sheet=styles_sheet, row=int(about), column=template_h))
            else:
                template, srow = about
                near = nearest(template, [*plans, *blocked])
                fix = (f"did you mean '{near}'? Type the name as the {templates_sheet} sheet has it" if near else
                       f"type a name from the Template column of the {templates_sheet} sheet, or add the "
                       "template there")
                findings.append(error(Code.TEMPLATE_MISSING, f"style '{style}' uses T&A template "
                                      f"'{template}', but no row of the {templates_sheet} sheet has that "
                                      f"Template, so the style's PO lines get no T&A; {fix}", file=file,
                                      sheet=styles_sheet, row=int(srow), column=template_h, value=template))
    number = np.fromiter((group_no.get(t, -1) for t in texts), dtype=np.int64, count=len(texts))
    by_group = np.argsort(number, kind="stable")  # each group's lines in Orders order
    bounds = np.searchsorted(number[by_group], np.arange(len(keys) + 1), side="left")
    groups = {key: by_group[bounds[n]:bounds[n + 1]].tolist() for key, n in keys.items()}
    for name in plans:
        if template_key(name) not in used:
            findings.append(warning(Code.TEMPLATE_UNUSED, f"no style uses template '{name}'",
                                    file=file, sheet=templates_sheet))
    return groups, findings


class _Verdict(StrEnum):
    """Why the lines of a Style # are not planned (or are left out quietly: BLOCKED)."""

    UNKNOWN = "not on the Styles sheet"
    NO_TEMPLATE = "no T&A template"
    BLOCKED = "template with errors, reported once"
    MISSING = "template not on the T&A Templates sheet"


def _dates(values: pd.Series) -> np.ndarray:
    """Days (NaT for a blank or what is no date); of a column of cells, only the cells not blank are
    converted: the Actual column of a T&A is mostly blank."""
    if values.dtype == object:
        raw = values.to_numpy()
        present = ~pd.isna(raw)
        if not present.all():
            out = np.full(len(raw), np.datetime64("NaT"), dtype="datetime64[D]")
            if present.any():
                out[present] = _dates(pd.Series(raw[present], dtype=object))
            return out
    return pd.to_datetime(values, errors="coerce").to_numpy(dtype="datetime64[D]")


def _line_then_step(pos: np.ndarray, step: np.ndarray, n_lines: int) -> np.ndarray:
    """``np.lexsort((step, pos))`` without a sort: each planned line has its steps 0..k-1 once, so its rows
    start where the rows of the lines above it end."""
    steps = np.zeros(n_lines + 1, dtype=np.int64)
    np.maximum.at(steps, pos + 1, step + 1)  # a line's step count, one place down
    start = np.cumsum(steps)[:-1]
    order = np.empty(len(pos), dtype=np.int64)
    order[start[pos] + step] = np.arange(len(pos))
    return order


def _assemble(blocks: Sequence[tuple[np.ndarray, ...]], plans: Mapping[str, Plan], orders: pd.DataFrame,
              groups: Mapping[tuple[str, str], list[int]]) -> pd.DataFrame:
    """The T&A rows as one table, sorted by Orders row then template order."""
    if not blocks:
        return pd.DataFrame(columns=[*TA_COLUMNS, "group"]).astype({"planned": "datetime64[s]",
                                                                    "group": "int64"})
    pos, step, planned, plan_no, group = (np.concatenate(parts) for parts in zip(*blocks))
    order = _line_then_step(pos, step, len(orders))
    pos, step, planned, plan_no, group = (a[order] for a in (pos, step, planned, plan_no, group))
    names = list(plans)
    attrs = {k: np.concatenate([np.array([getattr(s, k) for s in plans[n].steps], dtype=object)
                                for n in names]) for k in ("code", "milestone", "owner")}
    first = np.cumsum([0] + [len(plans[n].steps) for n in names])[:-1]
    flat = first[plan_no] + step
    vendor_of = np.empty(len(orders), dtype=object)
    for (_, vendor), idx in groups.items():
        vendor_of[idx] = vendor or None
    return pd.DataFrame({
        "po": orders["po"].to_numpy()[pos], "style": orders["style"].to_numpy()[pos],
        "color": orders["color"].to_numpy()[pos], "vendor": vendor_of[pos],
        "code": attrs["code"][flat], "milestone": attrs["milestone"][flat],
        "owner": attrs["owner"][flat], "planned": planned.astype("datetime64[s]"),
        "template": np.asarray(names, dtype=object)[plan_no],
        "order_row": orders["_row"].to_numpy()[pos], "group": group})


def time_edges(plan: Plan, ex_factory_code: str | None = None
               ) -> tuple[tuple[str, ...], dict[str, list[tuple[str, int | None, DayType]]]]:
    """Predecessors in time: (pred, lag days >= 0, day type) per code, and a dating order.

    With ``ex_factory_code``, a milestone anchored on the order's In-DC date at or after it also follows
    the ex-factory milestone, with lag None: the planned gap of each PO line (its transit).
    """
    preds: dict[str, list[tuple[str, int | None, DayType]]] = {s.code: [] for s in plan.steps}
    # the milestone of an order date (Ex-Factory +0: XF; the first listed, as ``_xf_code`` picks): steps worked
    # back from that date precede it, as if anchored on it ('CUT = Ex-Factory -20' pushes XF when cutting
    # starts late), and steps counted on from it follow it ('ETD = Ex-Factory +4' as 'ETD = XF +4')
    own: dict[str, str] = {}
    for s in plan.steps:
        if s.anchor_is_order and s.offset == 0:
            own.setdefault(s.anchor, s.code)
    for s in plan.steps:
        if s.anchor_is_order:
            if (at := own.get(s.anchor)) is not None and s.code != at:
                if s.offset < 0:
                    preds[at].append((s.code, -s.offset, s.day_type))
                else:
                    preds[s.code].append((at, s.offset, s.day_type))
            continue
        if s.offset >= 0:
            preds[s.code].append((s.anchor, s.offset, s.day_type))
        else:
            preds[s.anchor].append((s.code, -s.offset, s.day_type))
    chained = _worked_back_chain(plan, own)
    for code, links in chained.items():
        preds[code] += links
    xf = _xf_code(plan, ex_factory_code) if ex_factory_code else None
    plain = {c: [p for p, _, _ in ps] for c, ps in preds.items()}
    linked = {s.code for s in plan.steps
              if xf and s.anchor_is_order and s.anchor == "in_dc" and s.offset >= 0 and s.code != xf}
    try:
        order = tuple(graphlib.TopologicalSorter({c: [*p, *([xf] if xf and c in linked else [])]
                                                  for c, p in plain.items()}).static_order())
        if xf:  # always, when anything is linked
            for code in linked:
                preds[code].append((xf, None, DayType.CALENDAR))
    except graphlib.CycleError:  # an in-DC milestone that leads to the ex-factory: leave it alone
        order = tuple(graphlib.TopologicalSorter(plain).static_order())
    return order, preds


def _worked_back_chain(plan: Plan, own: Mapping[str, str]) -> dict[str, list[tuple[str, int | None, DayType]]]:
    """Steps worked back from one date (CUT = XF -15, INL = XF -10, PCK = XF -3) follow each other in time:
    a late cutting start moves the inline inspection and packing, not only the ex-factory, keeping the
    planned gaps. Each step is pushed by the steps of the offset just before its own; between day types
    that differ, by the line's own planned gap (lag None)."""
    levels: dict[tuple[bool, str], dict[int, list[Step]]] = {}
    for s in plan.steps:
        if s.offset < 0:
            anchor = (False, own[s.anchor]) if s.anchor_is_order and s.anchor in own else (s.anchor_is_order, s.anchor)
            levels.setdefault(anchor, {}).setdefault(s.offset, []).append(s)
    out: dict[str, list[tuple[str, int | None, DayType]]] = {}
    for by_offset in levels.values():
        offsets = sorted(by_offset)
        for before, after in zip(offsets, offsets[1:]):
            for later in by_offset[after]:
                out[later.code] = [(earlier.code, after - before if earlier.day_type == later.day_type else None,
                                    earlier.day_type) for earlier in by_offset[before]]
    return out


def later_in_stage(plan: Plan, xf: str | None,
                   preds: Mapping[str, list[tuple[str, int | None, DayType]]]) -> dict[str, tuple[str, ...]]:
    """For each step worked back from the ex-factory milestone, the steps of its Stage planned after it.

    Production steps worked back from the ex-factory (cutting, inline, packing, final inspection) are one
    flow: once a later one is done, an earlier one's slip, or its blank Actual, no longer says when the goods
    leave (cutting 7 days late, packing complete on time: the line caught up). Only within one named Stage, so
    a booking confirmed on time says nothing of a late cutting; a template without a Stage keeps every push.
    """
    if xf is None or xf not in preds:
        return {}
    back = [(p, lag) for p, lag, _ in preds[xf] if lag is not None and plan.step(p).offset < 0]
    stage = {p: "" if is_missing(st := plan.step(p).stage) else str(st).strip().casefold() for p, _ in back}
    return {p: later for p, lag in back if stage[p]
            if (later := tuple(q for q, q_lag in back if stage[q] == stage[p] and q_lag < lag))}


def _caught_up(later: Mapping[str, tuple[str, ...]], actual_at: np.ndarray, col: Mapping[str, int],
               today: np.datetime64) -> dict[str, np.ndarray]:
    """Per step (``later_in_stage``), the PO lines where a later step of its stage was done after it (or the
    same day), or was done while it is still open (packing complete with the inline left blank: production
    passed it): its push on the ex-factory is spent. A date typed ahead is neither. ``actual_at``: lines x
    steps."""
    done = ~np.isnat(actual_at) & (actual_at <= today)
    out: dict[str, np.ndarray] = {}
    for code, after in later.items():
        mine = actual_at[:, col[code]]
        open_ = np.isnat(mine)
        spent = np.zeros(len(mine), dtype=bool)
        for q in after:
            spent |= done[:, col[q]] & (open_ | (actual_at[:, col[q]] >= mine))
        out[code] = spent & (done[:, col[code]] | open_)
    return out


def variance_days(cal: FactoryCalendar, pl: np.ndarray, fc: np.ndarray) -> np.ndarray:
    """The Variance of milestones planned ``pl`` and forecast or done ``fc`` (both set), in working days of
    ``cal``: what ``progress`` writes, and what a row prodbook wrote agrees with (``ta_edits.typed_over``)."""
    diff = (fc - pl).astype(int)
    # NETWORKDAYS counts both ends: take off the planned day when it is a working day. A milestone planned on a
    # Sunday (a Calendar-day step) done on the Monday is 1 working day late, not 0
    counted = cal.working_days_array(pl).astype(int)
    days = np.where(diff == 0, 0, cal.networkdays_array(pl, fc) - np.sign(diff) * counted)
    # done (or still open) on a day off after a Planned date with no working day between: the factory took a day
    # more, so a working day late, not 0 beside 'Done late' or 'Overdue'
    return np.where(diff > 0, np.maximum(days, 1), days)


def progress(ta: pd.DataFrame, plans: Mapping[str, Plan], calendars: Mapping[str, FactoryCalendar],
             default_calendar: FactoryCalendar, today: date, due_soon_days: int, *,
             ex_factory_code: str | None = "XF") -> pd.DataFrame:
    """Forecast, Status and Variance from Planned and the user's Actual.

    A milestone anchored on the order's In-DC date moves with the ex-factory milestone
    (``ex_factory_code``; None: it does not), keeping the line's planned transit.

    ``ta`` is the output of ``schedule`` (its rows in that order, its ``group``
    column) with an ``actual`` column (dates, None, or ``NA``). Returns a copy with forecast, status and variance.
    Each (template, vendor) group is a lines x steps matrix, so every step
    is one vectorised operation over all its PO lines.
    """
    out = ta.copy()
    today64 = np.datetime64(today, "D")
    raw = out["actual"].to_numpy(dtype=object)
    actual_na = raw == NA
    cleared = raw.copy()
    cleared[actual_na] = None
    actual = _dates(pd.Series(cleared, dtype=object))
    # an Actual years ahead (2062 for 2026) is a typo, not the vendor's promise: the forecast reads it as blank,
    # so it pushes nothing (the cell stays as typed; the T&A run names it, ``actual_dates``)
    actual = np.where(far_ahead(actual, today), np.datetime64("NaT"), actual)
    planned = out["planned"].to_numpy(dtype="datetime64[D]")
    forecast = planned.copy()
    variance = np.full(len(out), np.nan)
    templates, vendors, codes = (out[f].to_numpy() for f in ("template", "vendor", "code"))
    edges: dict[str, tuple[tuple[str, ...], dict[str, list[tuple[str, int | None, DayType]]], str | None,
                           dict[str, tuple[str, ...]]]] = {}
    for idx in pd.Series(out["group"].to_numpy()).groupby(out["group"].to_numpy(), sort=False).indices.values():
        template, vendor = templates[idx[0]], vendors[idx[0]] or ""
        plan = plans[template]
        cal = calendars.get(fold_text(vendor), default_calendar)
        if template not in edges:
            order, preds = time_edges(plan, ex_factory_code)
            xf = _xf_code(plan, ex_factory_code) if ex_factory_code else None
            edges[template] = order, preds, xf, later_in_stage(plan, xf, preds)
        order, preds, xf, later = edges[template]
        grid = np.asarray(idx).reshape(-1, len(plan.steps))  # rows: PO lines, columns: steps
        col = {s.code: j for j, s in enumerate(plan.steps)}
        if not (codes[grid] == np.array([s.code for s in plan.steps], dtype=object)).all():
            raise ValueError("progress() needs the rows in the order schedule() returns them")
        planned_at, actual_at = planned[grid], actual[grid]  # a step's dates are a column of these
        na_at = actual_na[grid]
        forecast_at = planned_at.copy()
        eff: dict[str, np.ndarray] = {}
        for code in order:
            pl, ac = planned_at[:, col[code]], actual_at[:, col[code]]
            fc = pl.copy()
            spent = _caught_up(later, actual_at, col, today64) if code == xf else {}
            for pred, lag, day_type in preds[code]:
                pred_planned = planned_at[:, col[pred]]
                late = eff[pred] > pred_planned
                if pred in spent:
                    late &= ~spent[pred]
                if lag is None:  # the line's own planned gap (transit); never pulled forward
                    gap = pl - pred_planned
                    late &= ~np.isnat(gap) & (gap >= np.timedelta64(0, "D"))
                if late.any():
                    pushed = (add_days_array(eff[pred][late], gap[late].astype("int64")) if lag is None
                              else _shift(cal, eff[pred][late], lag, day_type))
                    fc[late] = np.where(pushed > fc[late], pushed, fc[late])
            pushed_only = fc
            open_ = np.isnat(ac)
            fc = np.where(open_ & (fc < today64), today64, fc)
            fc = np.where(open_, fc, ac)
            # an N/A milestone does not apply to the line: it pushes nothing of its own after it (not its
            # Planned date gone by), but passes on the slip of what came before it
            eff[code] = np.where(na_at[:, col[code]], pushed_only, fc)
            forecast_at[:, col[code]] = fc
        forecast[grid] = forecast_at
        rows = grid.ravel()
        pl, fc = planned_at.ravel(), forecast_at.ravel()
        valid = ~np.isnat(pl) & ~np.isnat(fc)
        if valid.any():
            v = np.full(len(rows), np.nan)
            v[valid] = variance_days(cal, pl[valid], fc[valid])
            variance[rows] = v
    forecast = np.where(actual_na, np.datetime64("NaT"), forecast)
    variance = np.where(actual_na, np.nan, variance)
    out["forecast"] = pd.Series(forecast, index=out.index).astype("datetime64[s]")
    missing = np.isnan(variance)
    out["variance"] = pd.arrays.IntegerArray(np.where(missing, 0, variance).astype("int64"), missing)
    out["status"] = statuses(planned, actual, actual_na, today64, due_soon_days)
    return out


def status_today(ta: pd.DataFrame, today: date, due_soon_days: int) -> np.ndarray:
    """Each T&A row's Status as of ``today`` from its Planned and Actual as the sheet holds them now: an
    Actual typed since the last rebuild is done, a milestone due since then is overdue."""
    raw = ta["actual"].to_numpy(dtype=object) if "actual" in ta.columns else np.full(len(ta), None, dtype=object)
    actual_na = raw == NA
    cleared = raw.copy()
    cleared[actual_na] = None
    return statuses(_dates(pd.Series(ta["planned"].to_numpy(dtype=object), dtype=object)),
                    _dates(pd.Series(cleared, dtype=object)), actual_na, np.datetime64(today, "D"), due_soon_days)


def statuses(planned: np.ndarray, actual: np.ndarray, actual_na: np.ndarray, today: np.datetime64 | np.ndarray,
             due_soon_days: int) -> np.ndarray:
    """Done / Done late / Overdue / Due soon / Upcoming / N/A, by the rules in DESIGN.md. An Actual after today
    is a date to come (the vendor's promise typed ahead), not a milestone done: judged by its Planned date, it
    stays Overdue and chased; the Issues sheet names the date (``actual-in-future``)."""
    soon = today + np.timedelta64(due_soon_days, "D")
    done = ~np.isnat(actual) & (actual <= today)
    conditions = [actual_na, done & (np.isnat(planned) | (actual <= planned)), done,
                  np.isnat(planned), planned < today, planned <= soon]
    return _STATUS_TEXTS[np.select(conditions, range(len(conditions)), default=len(conditions))]


_STATUS_TEXTS = np.array([Status.NA.value, Status.DONE.value, Status.DONE_LATE.value, "", Status.OVERDUE.value,
                          Status.DUE_SOON.value, Status.UPCOMING.value], dtype=object)
"""``statuses``' answers in the order of its conditions, the last when none holds: one text each, taken
by number (not a text array made and turned into objects a cell at a time)."""


def _xf_code(plan: Plan, code: str) -> str | None:
    if any(s.code == code for s in plan.steps):
        return code
    return next((s.code for s in plan.steps if s.anchor == "ex_factory" and s.offset == 0), None)


def required_years(orders: pd.DataFrame, today: date, margin: int = 1) -> range:
    """Years a schedule can touch: order dates plus a margin for lead times (today's year without any)."""
    dates = pd.to_datetime(pd.concat([orders[f] for f in ("po_date", "ex_factory", "in_dc", "cancel")]),
                           errors="coerce").dropna()
    if dates.empty:
        return range(today.year, today.year + 1)
    return range(max(dates.min().year - margin, 1900), min(dates.max().year + margin, 9999) + 1)  # Excel's years


def years_by_vendor(orders: pd.DataFrame, styles: pd.DataFrame, today: date, margin: int = 1, *,
                    sheet: str = "Orders", headers: Mapping[str, str] | None = None
                    ) -> tuple[dict[str, list[int]], dict[str, str]]:
    """The years each vendor's calendar needs (by ``fold_text`` of the Styles Vendor, '' for a style with
    none): each of its lines' order dates' years, ``margin`` either side (a vendor with no line: none). One
    typo year (Ex-Factory 2207) so asks for 2206-2208 of that vendor alone, not 2026-2208 of every vendor.
    And, by vendor, its first order date more than ``order_dates.YEARS_AWAY`` years from today, as a message
    names it ('Ex-Factory 30-Apr-2207 on Orders row 4'), to say where a year the holiday list lacks comes
    from."""
    from prodbook.core.order_dates import ORDER_DATES, YEARS_AWAY

    vendor_of = {fold_text(s): fold_text(v) for s, v in zip(styles["style"], styles["vendor"])} \
        if len(styles) else {}
    if not len(orders):
        return {}, {}
    codes, distinct = pd.factorize(orders["style"].to_numpy(dtype=object), use_na_sentinel=False)
    names, at = np.unique(np.array([vendor_of.get(fold_text(s), "") for s in distinct] or [""], dtype=str),
                          return_inverse=True)
    vendor_at = np.asarray(at)[codes]  # each line's vendor, as its place in ``names``
    years: dict[str, set[int]] = {}
    far: dict[str, str] = {}
    rows = orders["_row"].to_numpy() if "_row" in orders.columns else np.zeros(len(orders), dtype=int)
    hits: list[tuple[int, int, str, Any]] = []  # (position, field's place, field, date) far from today
    for place, f in enumerate(f for f in ORDER_DATES if f in orders.columns):
        when = pd.to_datetime(orders[f], errors="coerce")  # as ``required_years`` reads them
        year = when.dt.year.fillna(0).to_numpy(dtype=int)
        dated = year > 0
        for pair in np.unique(vendor_at[dated] * 10_000 + year[dated]).tolist():  # each (vendor, year) once
            vendor, y = str(names[pair // 10_000]), pair % 10_000
            years.setdefault(vendor, set()).update(range(max(y - margin, 1900), min(y + margin, 9999) + 1))
        away = np.flatnonzero(dated & (np.abs(year - today.year) > YEARS_AWAY)).tolist()
        hits += [(i, place, f, when.iat[i]) for i in away]
    for i, _, f, d in sorted(hits, key=lambda h: (int(rows[h[0]]), h[1])):  # the first in sheet order
        far.setdefault(str(names[vendor_at[i]]),
                       f"{(headers or {}).get(f, f)} {d:%d-%b-%Y} on {sheet} row {int(rows[i])}")
    return {v: sorted(ys) for v, ys in years.items()}, far


# -- PO lines no longer wanted: cancelled on Orders, or their style dropped ---------------------------

_CANCELLED = re.compile(r"cancel|\bcxl|\bcnx|\bcanx|\bcncl|\bdropped\b|^drop$|\bvoid|\bkilled\b")
"""Words of a Line Status that take the line out: 'Cancelled', 'Canceled', 'Cxl', 'Cancelled by buyer',
'Dropped', 'Void'."""
_NOT_YET = re.compile(r"\bnot\b|\bun-?c|\bre-?instat|\bre-?open|partial|\bpart\b|\bbal(?:ance)?\b|\bremain|"
                      r"\bpending|\bto be\b|\btbc\b|"
                      r"\bmay\b|\bmaybe\b|(?<!\bper )(?<!\bat )(?<!\bby )(?<!\bon )(?<!buyer )(?<!buyer's )"
                      r"(?<!customer )(?<!customer's )(?<!client )(?<!client's )\brequest|\bpropos|\?")
"""What makes a cancel word no cancellation: negated ('not cancelled', 'un-cancelled', 'reinstated'), a part
of the line ('partially cancelled', 'shipped 800, balance cxl': the line goes on with less, its shipment
still counted), or not decided ('pending cancel', 'to be cancelled?', 'cancel requested'). A request the
cancellation was made at leaves no doubt: 'Cancelled per buyer request', 'Cxl at customer's request'."""
_ON_HOLD = re.compile(r"\bon[\s-]?hold\b|\bhold\b|\bheld\b|\bpaused?\b|\bsuspend")


class LineState(StrEnum):
    """What a Line Status cell says about planning the line."""

    LIVE = "live"
    """Blank, 'Open', 'Confirmed', or the team's own word ('Partial'): planned as usual, said nothing."""
    ON_HOLD = "on hold"
    """Planned and checked as usual (the plan is needed when it resumes); the run summary names the lines."""
    CANCELLED = "cancelled"
    """Not planned: its T&A goes to the archive, no exception or follow-up is raised for it."""


def line_state(text: Any) -> LineState:
    """What a Line Status cell means, its words read as an APM writes them."""
    if is_missing(text) or not str(text).strip():
        return LineState.LIVE
    t = str(text).strip().lower()
    if _CANCELLED.search(t) and not _NOT_YET.search(t):
        return LineState.CANCELLED
    return LineState.ON_HOLD if _ON_HOLD.search(t) else LineState.LIVE


def stop_reasons(orders: pd.DataFrame, styles: pd.DataFrame, *, status_header: str | None = None
                 ) -> list[str | None]:
    """Why each Orders row is no longer planned nor chased, None for a live one.

    A Line Status that says cancelled ('Cancelled', 'Cxl', 'Dropped'...), or the style's Status on Styles in
    ``DROPPED_STYLE_STATUSES``: dropping a style drops its PO lines. A Qty of 0 with the Line Status blank
    counts as cancelled only on a sheet that has the column (``status_header``: its header, None when the
    Orders sheet has none): the team keeps line statuses, and a zeroed line without one is how some cancel;
    without the column, a 0 may be a quantity not confirmed yet, and the line is planned as before.
    """
    n = len(orders)
    if not n:
        return []
    has_status = status_header is not None and "line_status" in orders.columns
    status = orders["line_status"].tolist() if has_status else [None] * n
    qty = orders["qty"].tolist() if "qty" in orders.columns else [None] * n
    dropped = _dropped(styles)
    out: list[str | None] = []
    for style, word, q in zip(orders["style"].tolist(), status, qty):
        blank = is_missing(word) or not str(word).strip()
        if not blank and line_state(word) is LineState.CANCELLED:
            out.append(f"PO line cancelled on Orders ({status_header} '{str(word).strip()}')")
        elif (why := dropped.get(fold_text(style))) is not None:
            out.append(f"style dropped on Styles (Status '{why}')")
        elif has_status and blank and not is_missing(q) and q == 0:
            out.append(f"PO line cancelled on Orders (Qty 0, {status_header} blank)")
        else:
            out.append(None)
    return out


def _dropped(styles: pd.DataFrame) -> dict[str, str]:
    """Style (``fold_text``) -> its Status as typed, for the styles that Status drops (``DROPPED_STYLE_STATUSES``)."""
    out: dict[str, str] = {}
    if len(styles) and "status" in styles.columns:
        for st, word in zip(styles["style"].tolist(), styles["status"].tolist()):
            if not is_missing(word) and str(word).strip().lower() in DROPPED_STYLE_STATUSES:
                out.setdefault(fold_text(st), str(word).strip())
    return out


def dropped_styles(styles: pd.DataFrame) -> frozenset[str]:
    """The styles (``fold_text``) whose Status on Styles drops them: no PO line of theirs is planned, no sample
    or lab dip of theirs chased."""
    return frozenset(_dropped(styles))


def stopped_colours(orders: pd.DataFrame, reasons: Sequence[str | None]) -> frozenset[tuple[str, str]]:
    """The colours (style, colour, ``fold_text``) whose every PO line on Orders is stopped (``stop_reasons``):
    their lab dips and samples are no longer the vendor's to make. A colour with no PO line yet (still in
    development) is not one, nor one with a line still planned."""
    live: set[tuple[str, str]] = set()
    stopped: set[tuple[str, str]] = set()
    for style, color, why in zip(orders["style"].tolist(), orders["color"].tolist(), reasons):
        (live if why is None else stopped).add((fold_text(style), fold_text(color)))
    return frozenset(stopped - live)


def no_longer_wanted(frame: pd.DataFrame, colours: Collection[tuple[str, str]],
                     styles: Collection[str] = frozenset()) -> np.ndarray:
    """The rows of a Lab Dips or Samples frame of a ``stopped_colours`` colour or of a ``dropped_styles``
    style: nothing more is asked of the vendor for them."""
    if not len(frame) or (not colours and not styles):
        return np.zeros(len(frame), dtype=bool)
    color = frame["color"].tolist() if "color" in frame.columns else [None] * len(frame)
    return np.array([(s := fold_text(st)) in styles or (s, fold_text(c)) in colours
                     for st, c in zip(frame["style"].tolist(), color)], dtype=bool)


def on_hold(orders: pd.DataFrame) -> np.ndarray:
    """The Orders rows whose Line Status puts the line on hold."""
    if "line_status" not in orders.columns or not len(orders):
        return np.zeros(len(orders), dtype=bool)
    return np.array([line_state(w) is LineState.ON_HOLD for w in orders["line_status"].tolist()], dtype=bool)


def line_status_findings(orders: pd.DataFrame, reasons: Sequence[str | None], *, file: str, sheet: str = "Orders",
                         status_header: str = "Line Status", qty_header: str = "Qty") -> list[Finding]:
    """What the APM should know about the lines ``stop_reasons`` and ``on_hold`` set apart: a Qty 0 read as a
    cancellation (info, at the Qty cell, so a typo is seen), and the lines on hold (one info naming them)."""
    out: list[Finding] = []
    rows = orders["_row"].tolist()
    keys = [f"{p} / {s} / {c}" for p, s, c in zip(*(orders[f].tolist() for f in LINE))]
    for row, key, why in zip(rows, keys, reasons):
        if why is not None and why.startswith("PO line cancelled on Orders (Qty 0"):
            out.append(info(Code.LINE_CANCELLED, f"PO line {key} has Qty 0 and a blank {status_header}, so it is "
                            "read as cancelled: it is not planned, its T&A rows are moved to the T&A archive and no "
                            f"exception or follow-up is raised for it. Type 'Cancelled' in {status_header} to "
                            "confirm it, or the real Qty to plan it again", file=file, sheet=sheet, row=int(row),
                            column=qty_header, value=0, key=key))
    held = [k for k, h, why in zip(keys, on_hold(orders), reasons) if h and why is None]
    if held:
        first = next(i for i, (h, why) in enumerate(zip(on_hold(orders), reasons)) if h and why is None)
        names = ", ".join(held[:10]) + (f" and {len(held) - 10:,} more" if len(held) > 10 else "")
        out.append(info(Code.LINE_ON_HOLD, f"{len(held):,} PO line(s) on hold ({names}) are still planned, "
                        "checked and chased as usual, so their plan is ready when they resume; type 'Cancelled' "
                        f"in {status_header} for a line that will not", file=file, sheet=sheet,
                        row=int(rows[first]), column=status_header,
                        value=str(orders["line_status"].iloc[first]).strip() if "line_status" in orders else None))
    return out


# -- which T&A rows a run may recompute, keep or archive ------------------------------------------

def invalid_template_rows(raw: pd.DataFrame, valid_rows: Collection[int], cell_findings: Sequence[Finding],
                          *, file: str, sheet: str = "T&A Templates", template_header: str = "Template",
                          code_header: str = "Code") -> tuple[dict[str, list[Finding]], list[int]]:
    """Templates that lost a row to an input error (bad Offset, unknown Day Type, blank Anchor, a code
    listed twice...).

    Such a template is blocked like one with a cycle: planning it without the
    row would treat that milestone as removed. The bad cell has its own
    message already; each template gets one more, in its Template cell at its
    first bad row, saying it is on hold and which rows to fix (not repeating
    the cells' messages). A code listed twice is one message naming the
    template, the code and both rows (it replaces the sheet's duplicate-row
    finding: see ``duplicate_rows``). Returns the findings by template, and
    the bad rows whose Template cell is blank (they cannot be tied to a template).
    """
    valid = set(map(int, valid_rows))
    by_row: dict[int, list[Finding]] = {}
    for f in cell_findings:
        if f.row is not None and f.sheet == sheet:
            by_row.setdefault(int(f.row), []).append(f)
    out: dict[str, list[Finding]] = {}
    bad_rows: dict[str, list[tuple[int, list[str]]]] = {}
    names: dict[str, str] = {}
    first_of: dict[tuple[str, str], int] = {}
    orphans: list[int] = []
    for r in raw.to_dict("records"):
        row = int(r["_row"])
        name = "" if is_missing(r.get("template")) else str(r["template"]).strip()
        code = "" if is_missing(r.get("code")) else str(r["code"]).strip()
        first = first_of.setdefault((template_key(name), template_key(code)), row) if name and code else row
        if row in valid:
            continue
        if not name:
            orphans.append(row)
            continue
        name = names.setdefault(template_key(name), name)
        cells = by_row.get(row, [])
        if first != row and any(f.code is Code.DUPLICATE_KEY for f in cells):
            out.setdefault(name, []).append(error(
                Code.TEMPLATE_DUPLICATE_CODE, duplicate_code_message(name, code, first, row), file=file,
                sheet=sheet, row=row, column=code_header, value=code, key=name))
            continue
        columns = list(dict.fromkeys(f.column for f in cells if f.column))
        bad_rows.setdefault(name, []).append((row, columns))
    for name, rows in bad_rows.items():
        what = ", ".join(f"row {row}" + (f" ({', '.join(cols)})" if cols else "") for row, cols in rows)
        out.setdefault(name, []).insert(0, error(
            Code.TEMPLATE_ROW_INVALID, f"template '{name}' is on hold until the error{'s' if len(rows) > 1 else ''}"
            f" reported in {what} of this sheet {'are' if len(rows) > 1 else 'is'} fixed: a template missing a "
            "milestone would drop it from every PO line, so the T&A rows of its PO lines are kept as they are "
            "until then", file=file, sheet=sheet, row=rows[0][0], column=template_header, value=name, key=name))
    return out, orphans


def duplicate_rows(by_template: Mapping[str, Sequence[Finding]]) -> set[int]:
    """The rows ``invalid_template_rows`` named as a code listed twice: the sheet's own duplicate-row
    finding there says less, and is left out."""
    return {int(f.row) for found in by_template.values() for f in found
            if f.code is Code.TEMPLATE_DUPLICATE_CODE and f.row is not None}


class Fate(StrEnum):
    """What a run does with a row already on the T&A sheet."""

    MATCHED = "matched"
    """Its milestone is planned again: recomputed, the user's cells kept."""
    STALE = "stale"
    """Kept exactly as it is: its template, Orders or Styles row has an error (or its key is blank)."""
    GONE = "gone"
    """Archived: its PO line is no longer on the Orders sheet."""
    REMOVED = "removed"
    """Archived: its milestone was removed from the PO line's (valid) template."""
    DUPLICATE = "duplicate"
    """Archived: a second T&A row with the same PO, style, colour and code."""
    CANCELLED = "cancelled"
    """Archived: its PO line is cancelled on Orders, or its style dropped on Styles (``stop_reasons``)."""


LINE = ("po", "style", "color")


def triage(old: pd.DataFrame, matched: np.ndarray, planned: pd.DataFrame, orders_on_sheet: pd.DataFrame,
           *, removal_ok: bool = True, stopped: Mapping[str, str] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The fate of every old T&A row, and for REMOVED rows the template they left (for CANCELLED ones, why).

    Only deliberate removals archive: a PO line that is on no Orders row at
    all (valid or not), a milestone missing from the template the line is
    planned with, or a line ``stopped`` (its ``index_key`` -> the reason: cancelled on Orders, style
    dropped). A line that is on the Orders sheet but not planned (its
    template, style or Orders row has an error) keeps its rows unchanged.
    An Orders row with a blank PO #, Style # or Color keeps every line that
    agrees with it on the cells it has. ``removal_ok`` False (a template row
    that names no template is broken) keeps removed milestones too.
    """
    stopped = stopped or {}
    fates = np.full(len(old), Fate.MATCHED.value, dtype=object)
    left = np.full(len(old), None, dtype=object)
    if not len(old):
        return fates, left
    parts = [fold_column(old[f].to_numpy(dtype=object)) for f in (*LINE, "code")]
    blank_key = np.logical_or.reduce([p == "" for p in parts])
    line = parts[0]
    for p in parts[1:-1]:
        line = line + "\x1f" + p
    full = line + "\x1f" + parts[-1]
    planned_line = index_key(planned, LINE).to_numpy() if len(planned) else np.array([], dtype=object)
    template_of = dict(zip(planned_line, planned["template"].to_numpy(dtype=object))) if len(planned) else {}
    planned_keys = set(index_key(planned, (*LINE, "code"))) if len(planned) else set()
    on_sheet = set(index_key(orders_on_sheet, LINE)) if len(orders_on_sheet) else set()
    partial = _partial_lines(orders_on_sheet)
    for i in np.flatnonzero(~np.asarray(matched, dtype=bool)):
        if blank_key[i]:
            fates[i] = Fate.STALE.value
        elif line[i] in template_of:
            if full[i] in planned_keys:
                fates[i] = Fate.DUPLICATE.value
            elif removal_ok:
                fates[i], left[i] = Fate.REMOVED.value, template_of[line[i]]
            else:
                fates[i] = Fate.STALE.value
        elif line[i] in stopped:
            fates[i], left[i] = Fate.CANCELLED.value, stopped[line[i]]
        elif line[i] in on_sheet or _covered(line[i], partial):
            fates[i] = Fate.STALE.value
        else:
            fates[i] = Fate.GONE.value
    return fates, left


def _partial_lines(orders: pd.DataFrame) -> list[tuple[str | None, ...]]:
    """Orders rows with a blank PO #, Style # or Color: their folded cells, None for the blank ones."""
    if not len(orders):
        return []
    cols = [fold_column(orders[f].to_numpy(dtype=object)) for f in LINE]
    some_blank = np.logical_or.reduce([c == "" for c in cols])
    return [tuple(None if v == "" else v for v in row) for row in zip(*(c[some_blank] for c in cols))]


def _covered(line: str, partial: Sequence[tuple[str | None, ...]]) -> bool:
    """The line agrees with an Orders row that has a blank key cell on every cell that row has."""
    parts = line.split("\x1f")
    return any(all(p is None or p == v for p, v in zip(row, parts)) for row in partial)
