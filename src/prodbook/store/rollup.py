"""The roll-up's tables, queried from the database: the same SQL on DuckDB and PostgreSQL.

A roll-up covers every tracker in the database of the seasons it was asked
about, whoever loaded it: on a team's server that is the whole team's season.
Each figure keeps the tracker it came from (file and division), and the Excel
row where the sheet has one, so it can be followed back into the workbook.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from prodbook.core.cells import NA
from prodbook.core.report import AT_RISK, LATE
from prodbook.store.db import Database
from prodbook.store.schema import TABLES

NO_OWNER = "(no owner)"
NO_VENDOR = "(no vendor)"
NO_SEASON = "(no season)"
"""How the roll-up shows a tracker loaded without a season (no Config 'Season', no Season on its styles): the
database holds it blank."""


def _in(values: Sequence[str]) -> str:
    return ", ".join("?" * len(values)) or "NULL"


def trackers(db: Database, seasons: Sequence[str]) -> pd.DataFrame:
    """The trackers of ``seasons`` with their PO lines, lines at risk and open exceptions."""
    return db.frame(
        f"""SELECT t.tracker_id, t.file_name, t.division, COALESCE(NULLIF(t.season, ''), ?) AS season, t.as_of,
               t.loaded_at, t.loaded_by, t.file,
               (SELECT COUNT(*) FROM po_lines l WHERE l.tracker_id = t.tracker_id) AS po_lines,
               (SELECT COUNT(*) FROM po_lines l WHERE l.tracker_id = t.tracker_id AND l.status IN (?, ?))
                   AS at_risk,
               (SELECT COUNT(*) FROM exceptions e WHERE e.tracker_id = t.tracker_id AND e.is_open) AS open_exceptions
            FROM trackers t WHERE t.season IN ({_in(seasons)})
            ORDER BY t.season, t.file_name, t.file""", (NO_SEASON, LATE, AT_RISK, *seasons))


def lines_at_risk(db: Database, seasons: Sequence[str]) -> pd.DataFrame:
    """PO lines late for cancel or at risk across the trackers, late ones first, then by forecast ex-factory."""
    return db.frame(
        f"""SELECT t.file_name AS tracker, t.division, l.po, l.style, l.color, l.vendor, l.qty, l.ship_mode,
               l.status, l.planned_xf, l.forecast_xf, l.xf_days_late, l.cancel, l.terms, l.cancel_check,
               l.packed_pct, l.wip_date, l.open_exceptions, l.exception_rules, l.as_of
            FROM po_lines l JOIN trackers t ON t.tracker_id = l.tracker_id
            WHERE t.season IN ({_in(seasons)}) AND l.status IN (?, ?)
            ORDER BY CASE WHEN l.status = ? THEN 0 ELSE 1 END, l.forecast_xf, l.vendor, t.file_name, l.po,
                     l.style, l.color""", (*seasons, LATE, AT_RISK, LATE))


def week_of(day: date) -> tuple[date, date]:
    """Monday to Sunday of the week ``day`` falls in."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def due_this_week(db: Database, seasons: Sequence[str], today: date) -> pd.DataFrame:
    """Open milestones (no Actual, not N/A) due this week (Monday to Sunday), by owner, then due date.

    Due is the Forecast, else the Planned date: the date the T&A says the milestone will happen.
    """
    monday, sunday = week_of(today)
    return db.frame(
        f"""SELECT COALESCE(a.owner, ?) AS owner, COALESCE(a.forecast, a.planned) AS due, a.code, a.milestone,
               a.po, a.style, a.color, a.vendor, a.planned, a.forecast, a.status, t.file_name AS tracker,
               t.division, a.sheet_row
            FROM ta a JOIN trackers t ON t.tracker_id = a.tracker_id
            WHERE t.season IN ({_in(seasons)}) AND a.actual IS NULL AND COALESCE(a.status, '') <> ?
              AND COALESCE(a.forecast, a.planned) BETWEEN ? AND ?
            ORDER BY 1, 2, a.vendor, a.po, a.style, a.color, a.code""", (NO_OWNER, *seasons, NA, monday, sunday))


def owners(db: Database, seasons: Sequence[str], today: date) -> pd.DataFrame:
    """Per owner: open milestones due this week, and open ones already overdue (due before ``today``)."""
    monday, sunday = week_of(today)
    return db.frame(
        f"""SELECT COALESCE(a.owner, ?) AS owner,
               SUM(CASE WHEN COALESCE(a.forecast, a.planned) BETWEEN ? AND ? THEN 1 ELSE 0 END) AS due_this_week,
               SUM(CASE WHEN COALESCE(a.forecast, a.planned) < ? THEN 1 ELSE 0 END) AS overdue,
               COUNT(DISTINCT a.tracker_id) AS trackers
            FROM ta a JOIN trackers t ON t.tracker_id = a.tracker_id
            WHERE t.season IN ({_in(seasons)}) AND a.actual IS NULL AND COALESCE(a.status, '') <> ?
              AND COALESCE(a.forecast, a.planned) <= ?
            GROUP BY 1 ORDER BY 2 DESC, 3 DESC, 1""", (NO_OWNER, monday, sunday, today, *seasons, NA, sunday))


def open_exceptions(db: Database, seasons: Sequence[str]) -> pd.DataFrame:
    """Every open exception across the trackers, by vendor, errors first, oldest first."""
    return db.frame(
        f"""SELECT COALESCE(e.vendor, ?) AS vendor, e.id, e.detected, e.po, e.style, e.color, e.rule,
               e.severity, e.detail, e.status, e.owner, t.file_name AS tracker, t.division, e.sheet_row
            FROM exceptions e JOIN trackers t ON t.tracker_id = e.tracker_id
            WHERE t.season IN ({_in(seasons)}) AND e.is_open
            ORDER BY 1, CASE WHEN e.severity = 'error' THEN 0 ELSE 1 END, e.detected, e.id, t.file_name""",
        (NO_VENDOR, *seasons))


def exceptions_by_vendor(db: Database, seasons: Sequence[str]) -> pd.DataFrame:
    """Per vendor: open exceptions (errors, warnings), the trackers they are in, the oldest one's date."""
    return db.frame(
        f"""SELECT COALESCE(e.vendor, ?) AS vendor, COUNT(*) AS open_exceptions,
               SUM(CASE WHEN e.severity = 'error' THEN 1 ELSE 0 END) AS errors,
               SUM(CASE WHEN e.severity = 'error' THEN 0 ELSE 1 END) AS warnings,
               COUNT(DISTINCT e.tracker_id) AS trackers, MIN(e.detected) AS oldest
            FROM exceptions e JOIN trackers t ON t.tracker_id = e.tracker_id
            WHERE t.season IN ({_in(seasons)}) AND e.is_open
            GROUP BY 1 ORDER BY 2 DESC, 1""", (NO_VENDOR, *seasons))


def lines_in_two(db: Database, seasons: Sequence[str]) -> pd.DataFrame:
    """PO lines in more than one tracker (a line moved from one division's tracker to another's and still on
    both): po, style, color and the trackers, each counted in every one of them."""
    frame = db.frame(
        f"""SELECT l.po, l.style, l.color, t.file_name AS tracker, l.tracker_id
            FROM po_lines l JOIN trackers t ON t.tracker_id = l.tracker_id
            WHERE t.season IN ({_in(seasons)})""", seasons)
    if frame.empty:
        return pd.DataFrame(columns=["po", "style", "color", "trackers"])
    key = [frame[c].astype("string").str.strip().str.upper() for c in ("po", "style", "color")]
    frame = frame.assign(_k=key[0] + "\x1f" + key[1] + "\x1f" + key[2])
    many = frame.groupby("_k")["tracker_id"].transform("nunique") > 1
    out = frame[many].groupby("_k", sort=True).agg(po=("po", "first"), style=("style", "first"),
                                                   color=("color", "first"),
                                                   trackers=("tracker", lambda t: sorted(set(t))))
    return out.reset_index(drop=True)


@dataclass
class Combined:
    """Every record table across the trackers of the roll-up's seasons, read from the database when first asked
    (``frame('orders')``): what whole-vendor-base measures (the vendor scorecards) take as input. Each frame has
    the table's columns plus ``tracker`` (file name) and ``division``; ``frame('trackers')``: each tracker's own
    settings the measures take (``in_dc_code``, ``default_terms``)."""

    db: Database
    seasons: tuple[str, ...]
    _cache: dict[str, pd.DataFrame] = field(default_factory=dict)

    def frame(self, table: str) -> pd.DataFrame:
        if table not in {t.name for t in TABLES}:
            raise KeyError(table)
        if table not in self._cache:
            self._cache[table] = self.db.frame(
                f"""SELECT x.*, t.file_name AS tracker, t.division FROM {table} x
                    JOIN trackers t ON t.tracker_id = x.tracker_id
                    WHERE t.season IN ({_in(self.seasons)}) ORDER BY t.file_name, x.tracker_id""", self.seasons)
        return self._cache[table]


def counts(db: Database) -> dict[str, int]:
    """Rows per table (every tracker, every season): for the run's summary and the tests."""
    return {t.name: int(db.rows(f"SELECT COUNT(*) FROM {t.name}")[0][0]) for t in TABLES}
