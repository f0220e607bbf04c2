"""`prodbook rollup`: load each tracker into the roll-up database, then write the season roll-up workbook.

Each tracker is read once, judged by the same rules as its Production Report
(``core.report.po_lines``), and loaded in its own transaction
(``store.load``): a tracker with a bad row is a finding naming its workbook,
sheet and row, and nothing of it is loaded, while the others still are. The
database is held only while one tracker is written, so two APMs' roll-ups
into one DuckDB file take turns and into one PostgreSQL server run side by
side. The workbook is then written from the database: every tracker of the
seasons loaded, whoever loaded it. The trackers themselves are never written.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from prodbook.core import cancel as cx
from prodbook.core import exceptions as ex
from prodbook.core import report as rp
from prodbook.core import scorecards as sc
from prodbook.core.cells import is_blank
from prodbook.core.findings import Code, Finding, Severity, UserError
from prodbook.core.keys import fold_code, line_key
from prodbook.core.looks import DEFAULT_DATE_FORMAT
from prodbook.core.model.sheets import EXCEPTIONS, ORDERS
from prodbook.core.ta import LineState, line_state
from prodbook.jobs.base import Context, whole_path
from prodbook.jobs.exceptions_job import inputs
from prodbook.store import load as store_load
from prodbook.store import rollup as q
from prodbook.store.db import opened, shown_url
from prodbook.workbook.filebook import FileBook
from prodbook.workbook.rollup_xlsx import Rollup, roll_up_name, write_rollup
from prodbook.workbook.tracker import Tracker

DEFAULT_DB = "prodbook-rollup.duckdb"
"""The embedded database's name, beside the first tracker."""
SKIPPED_NAMES = ("~$", ".~lock.", ".", "Season Roll-up", "Production Report", "Vendor Scorecard")
"""Files in a folder that are not trackers: lock files, hidden files, prodbook's own reports (and a tracker's
Change Log moved out, '<tracker> Change Log to DATE.xlsx', ``LOG_ARCHIVE``)."""
LOG_ARCHIVE = " Change Log to "
SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class RollupResult:
    database: str
    out: Path | None
    loaded: list[tuple[str, int]] = field(default_factory=list)
    """(workbook, rows) of each tracker loaded."""
    findings: list[Finding] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    date_formats: dict[str, str] = field(default_factory=dict)
    """Each tracker's Date Format (its Config's, else prodbook's default), by its whole path: two team folders'
    'Tracker.xlsx' can each write dates its own way."""

    @property
    def exit_code(self) -> int:
        return 1 if any(f.severity == "error" for f in self.findings) else 0

    def date_format(self, f: Finding) -> str:
        """The Date Format a finding's date is shown in on the terminal (``cli._value_text``): its tracker's, as
        that tracker's own cells and Issues sheet show it; else the roll-up's own, prodbook's default, in which
        the roll-up workbook shows its dates."""
        if not f.file:
            return DEFAULT_DATE_FORMAT
        if f.file in self.date_formats:  # a tracker whose file name another shares: named whole (``_named_whole``)
            return self.date_formats[f.file]
        name = Path(f.file).name.casefold()
        formats = {fmt for path, fmt in self.date_formats.items() if Path(path).name.casefold() == name}
        return formats.pop() if len(formats) == 1 else DEFAULT_DATE_FORMAT


def expand(paths: Sequence[str | Path]) -> tuple[list[Path], list[Path]]:
    """The trackers named: (files given, files found in the folders given). A wrong path stops the command."""
    given: list[Path] = []
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found += sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in SUFFIXES
                            and not f.name.startswith(SKIPPED_NAMES) and LOG_ARCHIVE not in f.name)
        elif not p.exists():
            raise UserError(f"the tracker '{p}' does not exist; check the name and folder", file=str(p))
        else:
            given.append(p)
    seen: set[str] = set()  # a tracker named twice ('.' and 'womens.xlsx') is read and counted once
    def first(f: Path) -> bool:
        key = store_load.id_key(store_load.file_key(f))
        fresh = key not in seen
        seen.add(key)
        return fresh
    given = [f for f in given if first(f)]
    return given, [f for f in found if first(f)]


def vendor_scorecards(combined: q.Combined, today: date) -> pd.DataFrame:
    """Vendor scorecards across the whole vendor base (``core.scorecards``), one row per vendor, over the
    season: every tracker's orders, T&A, WIP reports, exceptions and styles of the roll-up's seasons at once.

    The database holds no Lab Dips or Samples, so the development measures stay blank here (each tracker's own
    scorecard has them). Each line is judged as its own tracker judges it: its ex-factory dates as judged at load
    (its 'Ex-Factory Code'), a blank Terms under its tracker's 'Default Terms', a DDP line's arrival on its
    tracker's 'In-DC Code' (``_as_own_tracker``). The other settings are the defaults, and a tracker that sets
    another is named as it loads (``other_settings``).
    """
    orders, stopped = _live_orders(combined.frame("orders"), combined.frame("po_lines"))
    orders, ta = _as_own_tracker(combined.frame("trackers"), orders, _shipped_as_judged(combined))
    h = sc.History(orders, ta, wip=combined.frame("vendor_wip"),
                   exceptions=combined.frame("exceptions"), styles=combined.frame("styles"), stopped=stopped)
    names = {str(code): name for code, name in ex.ALL_RULE_NAMES.items()}
    return sc.vendor_rows(sc.scorecard(h, sc.ScoreSettings(), today, None, names))


def _live_orders(orders: pd.DataFrame, lines: pd.DataFrame) -> tuple[pd.DataFrame, frozenset[str]]:
    """``orders`` without the lines their tracker no longer plans (cancelled on Orders, their style dropped), and
    those lines (``sc.line_keys``). Each tracker judges its own: a line of its Orders its po_lines leave out. A
    tracker stored with no po_lines (loaded before the database kept them) judged none: only a Line Status
    that says cancelled takes its line out, never all its lines."""
    if not len(orders):
        return orders, frozenset()
    keys = sc.line_keys_of(orders)
    judged: dict[Any, set[str]] = {}
    for tracker, key in zip(lines["tracker_id"].tolist() if len(lines) else [], sc.line_keys_of(lines)):
        judged.setdefault(tracker, set()).add(key)
    status = orders["line_status"].tolist() if "line_status" in orders.columns else [None] * len(orders)
    out = [key not in judged[t] if t in judged else line_state(s) is LineState.CANCELLED
           for t, key, s in zip(orders["tracker_id"].tolist(), keys, status)]
    live = {k for k, o in zip(keys, out) if not o}  # the same line live on another tracker: its exceptions count
    return orders[[not o for o in out]], frozenset(k for k, o in zip(keys, out) if o and k not in live)


def _shipped_as_judged(combined: q.Combined) -> pd.DataFrame:
    """The T&A, its ex-factory milestones as each PO line's planned and actual ex-factory were judged at load
    by its own tracker's 'Ex-Factory Code' ('EXF' on one, 'XF' on another): under the default code the
    scorecard reads (a tracker of other codes showed nothing shipped)."""
    ta, lines = combined.frame("ta"), combined.frame("po_lines")
    if not len(lines):
        return ta
    code = sc.ScoreSettings().xf_code
    own = ta[ta["code"].astype("string").str.strip().str.upper() != code.upper()] if len(ta) else ta
    judged = pd.DataFrame({"po": lines["po"], "style": lines["style"], "color": lines["color"],
                           "vendor": lines["vendor"], "code": code, "planned": lines["planned_xf"],
                           "actual": lines["actual_xf"]})
    return pd.concat([own, judged], ignore_index=True) if len(own) else judged


def _as_own_tracker(trackers: pd.DataFrame, orders: pd.DataFrame,
                    ta: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Orders and T&A as the scorecard with prodbook's defaults reads them, each tracker's lines judged by its own
    Config (kept in ``trackers``; blank for a tracker loaded before prodbook kept them: the defaults). A Terms
    that is blank (or not a known term) takes its tracker's 'Default Terms'; its in-DC milestone ('In-DC Code':
    DC on one tracker, ARR on another) goes under the default code (IDC), and a milestone coded IDC on a tracker
    whose In-DC Code is another is not its arrival at the DC and is left out of the scorecard."""
    default = sc.ScoreSettings()
    ids = trackers["tracker_id"].tolist() if len(trackers) else []
    own_code = {t: fold_code(c) for t, c in zip(ids, trackers["in_dc_code"].tolist() if ids else [])
                if fold_code(c) and fold_code(c) != fold_code(default.in_dc_code)}
    own_terms = {t: str(v).strip() for t, v in zip(ids, trackers["default_terms"].tolist() if ids else [])
                 if not is_blank(v)}
    if own_terms and len(orders) and "tracker_id" in orders.columns:
        terms = orders["terms"].tolist() if "terms" in orders.columns else [None] * len(orders)
        orders = orders.assign(terms=[v if cx.read_terms(v) else own_terms.get(t, v)
                                      for v, t in zip(terms, orders["tracker_id"].tolist())])
    if own_code and len(ta) and "tracker_id" in ta.columns:
        raw = ta["code"].astype(object)
        codes = raw.map({v: fold_code(v) for v in raw.dropna().unique()}).fillna("")  # each code folded once
        mine = ta["tracker_id"].map(own_code).fillna("")
        own = ((codes == mine) & (mine != "")).to_numpy()
        other = ((mine != "") & (codes == fold_code(default.in_dc_code))).to_numpy()
        ta = ta.assign(code=raw.where(~own, default.in_dc_code).where(~other, None))
    return orders, ta


def loaded_without_settings(trackers: pd.DataFrame) -> list[Finding]:
    """Each tracker of the seasons rolled up that an earlier prodbook loaded, before the database kept its
    'In-DC Code' and 'Default Terms' (blank there): the roll-up's Vendor Scorecards judge its DDP lines on the
    defaults (``_as_own_tracker``), not as its own scorecard does. Named until it is rolled up again."""
    if not len(trackers):
        return []
    default, out = sc.ScoreSettings(), []
    for name, file, code in zip(trackers["file_name"].tolist(), trackers["file"].tolist(),
                                trackers["in_dc_code"].tolist()):
        if is_blank(code):
            where = name if is_blank(file) else file
            out.append(Finding(Code.TRACKER_TWICE, Severity.WARNING, (
                f"'{name}' was loaded by an earlier prodbook, which did not keep its In-DC Code and Default Terms: "
                f"its DDP lines are judged on {default.in_dc_code} / {default.terms.label} here; roll it up again "
                f'(prodbook rollup "{where}") to judge them as it does'), file=str(name)))
    return out


def other_settings(config: Any, settings: ex.Settings, file: str) -> list[Finding]:
    """A tracker whose Config sets a scorecard setting other than prodbook's default: the roll-up's Vendor
    Scorecards score its lines by the defaults, one setting for every tracker; said, so a figure that differs
    from the tracker's own scorecard is not a surprise."""
    mine, default = sc.settings_from(config, settings), sc.ScoreSettings()
    names = {"on_time_tolerance_days": "On-Time Tolerance Days", "wip_stale_days": "WIP Stale Days",
             "ship_tolerance_pct": "Ship Tolerance %", "cut_code": "Cut Code", "pack_code": "Pack Code"}
    # not named: Ex-Factory Code, In-DC Code, Default Terms: each tracker's own are used (``_as_own_tracker``)
    differ = [f"{shown} {getattr(mine, f)} (default {getattr(default, f)})" for f, shown in names.items()
              if getattr(mine, f) != getattr(default, f)]
    if not differ:
        return []
    return [Finding(Code.TRACKER_TWICE, Severity.INFO, (
        f"its Config sets {', '.join(differ)}. The roll-up's Vendor Scorecards score every tracker by prodbook's "
        "defaults, so its vendors' figures there can differ from its own scorecard (prodbook scorecard), which "
        "uses its settings"), file=file)]


def read_tracker(path: Path, ctx: Context, *, found: bool = False) -> store_load.Prepared | None:
    """A tracker's tables and its PO lines as its Production Report judges them on ``ctx.today``.

    ``found``: the file was found in a folder, so one without an Orders sheet (a vendor file, a price list)
    is not a tracker and is passed over (None).
    """
    return _read(path, ctx, found=found)[0]


def _read(path: Path, ctx: Context, *, found: bool) -> tuple[store_load.Prepared | None, str]:
    """``read_tracker``, and the tracker's Date Format (its findings' dates are said in it)."""
    with FileBook(path) as book:  # each tracker let go of before the next is read
        tracker = Tracker(book)
        if not tracker.has(ORDERS):
            if found:
                return None, tracker.config.date_format
            raise UserError(f"'{path.name}' has no {tracker.sheet(ORDERS)} sheet, so it is not a tracker prodbook "
                            "can roll up: check that it is the right file (or name its PO lines sheet on its "
                            f"Config sheet: 'Sheet: {ORDERS.name}')", file=path.name)
        inp, _ = inputs(tracker, ctx)
        exceptions = tracker.table(EXCEPTIONS, required=False).frame
        lines = rp.po_lines(inp, exceptions)
        stopped = {line_key(ln.po, ln.style, ln.color) for ln in inp.stopped}
        prepared = store_load.prepare(tracker, path, ctx.today, lines, still_open(exceptions, stopped), stopped)
        prepared.notes += other_settings(tracker.config, inp.settings, path.name)
        prepared.in_dc_code, prepared.default_terms = inp.settings.in_dc_code, inp.settings.default_terms
        return prepared, tracker.config.date_format


def still_open(exceptions: pd.DataFrame, stopped: Collection[str]) -> pd.Series | None:
    """For each Exceptions row, whether it is open as the next exceptions run will leave it: not closed, and
    not about a PO line no longer wanted (cancelled on Orders since that run, its style dropped), which that
    run resolves, unless it is a rule about such a line ('Cancelled line still in production')."""
    if not len(exceptions):
        return None
    about_stopped = {str(w).casefold() for pair in ex.STOPPED_RULE_NAMES.items() for w in pair}
    gone = [line_key(p, s, c) in stopped and str(r).strip().casefold() not in about_stopped if not is_blank(p)
            else False
            for p, s, c, r in zip(exceptions["po"], exceptions["style"], exceptions["color"], exceptions["rule"])]
    return ~exceptions["status"].map(ex.is_closed) & ~pd.Series(gone, index=exceptions.index, dtype=bool)


def rollup(paths: Sequence[str | Path], ctx: Context, *, db: str | None = None) -> RollupResult:
    """Load every tracker of ``paths`` (files, or folders of them) into ``db``, then write the roll-up."""
    given, found = expand(paths)
    trackers = given + found
    if not trackers:
        raise UserError("no tracker to roll up: give tracker workbooks (.xlsx, .xlsm) or folders holding them")
    url = db or str(trackers[0].parent / DEFAULT_DB)
    result = RollupResult(shown_url(url), None)
    seasons: list[str] = []
    passed: list[str] = []
    names = [path.name.casefold() for path in trackers]
    shared = {n for n in names if names.count(n) > 1}
    for path in trackers:  # one at a time: read, load, let go (20 big trackers never sit in memory together)
        whole = path.name.casefold() in shared
        try:
            p, result.date_formats[str(whole_path(path))] = _read(path, ctx, found=path not in given)
        except UserError as exc:
            result.findings += _named_whole(store_load.not_read(path.name, exc.finding), path, whole)
            continue
        if p is None:
            passed.append(path.name)
            continue
        result.findings += _named_whole(p.notes, path, whole)
        if ctx.dry_run:
            start = len(result.findings)
            _would_load(result, p)
            result.findings[start:] = _named_whole(result.findings[start:], path, whole)
            continue
        try:
            with opened(url) as database:
                result.findings += _named_whole(store_load.twins(database, p.identity), path, whole)
                rows = store_load.load(database, p, now=ctx.now)
        except store_load.NotLoaded as exc:
            result.findings += _named_whole(exc.findings, path, whole)
            continue
        result.loaded.append((p.identity.file_name, rows))
        if p.identity.season not in seasons:
            seasons.append(p.identity.season)
    if ctx.dry_run:
        result.summary.append(f"Dry run: {len(result.loaded)} tracker(s) would be loaded into {result.database} "
                              f"({sum(n for _, n in result.loaded):,} rows); nothing was written.")
        result.data = {"database": result.database, "dry_run": True,
                       "loaded": [{"file": f, "rows": n} for f, n in result.loaded]}
        result.summary += _passed_over(passed)
        return result
    if not result.loaded:
        result.summary.append(f"Roll-up: no tracker loaded into {result.database}; no roll-up written.")
        result.summary += _passed_over(passed)
        return result
    with opened(url) as database:
        result.findings += store_load.gone_from(database, [p for p in map(Path, paths) if p.is_dir()], seasons)
        seasons = store_load.spelled_alike(database, seasons)
        result.findings += _lines_in_two(q.lines_in_two(database, seasons), result.database)
        combined = q.Combined(database, tuple(seasons))
        result.findings += loaded_without_settings(combined.frame("trackers"))
        shown = tuple(dict.fromkeys(s or q.NO_SEASON for s in seasons))  # a blank season, named so
        r = Rollup(ctx.today, shown, result.database, q.trackers(database, seasons),
                   q.lines_at_risk(database, seasons), q.owners(database, seasons, ctx.today),
                   q.due_this_week(database, seasons, ctx.today), q.exceptions_by_vendor(database, seasons),
                   q.open_exceptions(database, seasons),
                   tuple(f for f in result.findings if f.code is Code.TRACKER_NOT_LOADED),
                   vendor_scorecards(combined, ctx.today))
    out = whole_path(ctx.out or trackers[0].parent / roll_up_name(ctx.today))  # said whole
    if not ctx.dry_run:
        result.out = write_rollup(out, r)
    result.summary += _summary(result, r) + _passed_over(passed)
    result.data = {"database": result.database, "roll_up": str(result.out) if result.out else None,
                   "seasons": list(seasons), "loaded": [{"file": f, "rows": n} for f, n in result.loaded],
                   "trackers": len(r.trackers), "lines_at_risk": len(r.lines), "due_this_week": len(r.due),
                   "open_exceptions": len(r.exceptions)}
    return result


def _passed_over(names: Sequence[str], shown: int = 5) -> list[str]:
    """The workbooks of the folders that are not trackers (no Orders sheet: a vendor's price list, a report),
    named in the summary: a tracker whose Orders sheet was renamed would otherwise be left out unseen."""
    if not names:
        return []
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return [f"Passed over, not trackers (no Orders sheet): {', '.join(names[:shown])}{more}. If one is a tracker "
            "whose PO lines sheet has another name, name it on its Config sheet ('Sheet: Orders') and run again."]


def _lines_in_two(shared: pd.DataFrame, database: str, shown: int = 5) -> list[Finding]:
    """A PO line in two trackers is counted in each: said, a few lines named, with what to do."""
    if shared.empty:
        return []
    lines = [f"{r['po']} / {r['style']} / {r['color']} ({' and '.join(r['trackers'])})"
             for r in shared.head(shown).to_dict("records")]
    more = f" and {len(shared) - shown} more" if len(shared) > shown else ""
    return [Finding(Code.TRACKER_TWICE, Severity.WARNING, (
        f"{len(shared)} PO line(s) are in more than one tracker, and the roll-up counts each in every one: "
        f"{'; '.join(lines)}{more}. If a line moved from one tracker to another, take it off the one it left"),
        file=database)]


def _would_load(result: RollupResult, p: store_load.Prepared) -> None:
    """--dry-run: what the load would do with this tracker, the database untouched."""
    bad = [f for t in p.tables for f in t.bad]
    if bad:
        result.findings += store_load.not_loaded(p.identity.file_name, bad)
    else:
        result.loaded.append((p.identity.file_name, p.rows()))


def _named_whole(findings: Sequence[Finding], path: Path, whole: bool) -> list[Finding]:
    """A tracker's findings, named by its whole path when another tracker of the roll-up has its file name (two
    team folders' 'Tracker.xlsx'): the APM can tell which one to fix, and each finding's date is shown in its own
    tracker's Date Format (``RollupResult.date_format``)."""
    if not whole:
        return list(findings)
    named = str(whole_path(path))
    return [Finding(**{**f.__dict__, "file": named}) if f.file == path.name else f for f in findings]


def _with_file(f: Finding, path: Path) -> Finding:
    return f if f.file else Finding(**{**f.__dict__, "file": str(path)})


def _summary(result: RollupResult, r: Rollup) -> list[str]:
    lines = [f"Roll-up: loaded {len(result.loaded)} tracker(s) into {result.database} "
             f"({sum(n for _, n in result.loaded):,} rows); {len(r.trackers)} tracker(s) of season "
             f"{', '.join(s for s in r.seasons if s) or '(none)'} in the database."]
    lines.append(f"  {len(r.lines)} line(s) at risk, {len(r.due)} milestone(s) due this week, "
                 f"{len(r.exceptions)} open exception(s) across {len(r.vendors)} vendor(s).")
    if result.out:
        lines.append(f"  Roll-up workbook: {result.out}")
    return lines


__all__ = ["RollupResult", "rollup", "vendor_scorecards"]
