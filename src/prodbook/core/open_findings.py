"""Which Issues rows stay open after a run: findings last until they are resolved, not until the next run.

A run only knows what it checked. A finding from a step this run did not do
(``prodbook ta`` does not check records), or from a vendor file it did not read
again (yesterday's costing sheet), is still open: its row stays, with where
(Found In, Found By) and when (Found On) it was first found. It leaves the
sheet when a run that does the same check on the same file (or on a newer
report of the same vendor: a vendor's report is the vendor's, ``_as_vendor``)
no longer finds it, or when its fix was applied (Accept = Yes and ``validate --apply``). A row the
APM dismissed (Accept = Dismiss) stays, last, with their decision, today's sentence in Problem and the
sentence they dismissed in Dismissed As (``dismissed_as``), while the finding stands with the same values
and the same problem (``same_problem``: the sentence but for what the clock moves, and no more than
``GRACE_DAYS`` later than dismissed); otherwise it comes back undecided, their notes with it, Dismissed As
blank. Rows an earlier run wrote under a sheet or header the team renamed since are read under today's names first
(``as_named``), so a rename asks nothing again; the rows of a vendor's older report that its newer one checks off or
carries on are named (``Merged.superseded``) for the run to log, so that undoing it puts them back. Pure: frames in,
a frame and counts out.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property, lru_cache
from typing import Any

import pandas as pd

from prodbook.core.cells import CellError, DateOrder, parse_text_date
from prodbook.core.changes import same_logged
from prodbook.core.keys import key_match
from prodbook.core.model.sheets import Column, normalise_header
from prodbook.core.where import row_dicts

DISMISS = frozenset({"dismiss", "dismissed", "no", "ignore", "ignored", "non", "nein", "nee", "nej", "não", "nao"})
"""Accept words that close a finding without changing the tracker (the tracker is right, or it is known)."""
EVERY_RUN = ""
"""Found By of what every run finds again (reading the workbook, its settings, notes on this run)."""
MATCH = ("sheet", "field", "key", "code", "problem")
"""One finding, run after run: same sheet, column and record, same code, same sentence."""
LOOSE = ("sheet", "field", "key", "code", "found_in", "found_by")
"""The same finding with a sentence that moved on: 'has not shipped (3 day(s) late)' is '(4 day(s) late)' the
next day, 'line review in 27 day(s)' is in 26. Matched after every exact match is taken, so the APM's Accept,
notes and first Found On stay with it; with no Key, its Cell must be the same too."""
GROWN = ("sheet", "field", "code", "found_in", "found_by", "cell")
"""The same finding as an older run's row whose Key parts are among this run's (``_grew``), at the same cell, with the
same problem (``same_problem``): its Key grew a part (a Lab Dips row an older prodbook named 'S1 / Heather Gray'
is 'S1 / Heather Gray / 2' now, by its whole key, which Apply fixes finds it by). Matched after the exact and the
loose matches, so the APM's Dismiss and notes are not lost once by the new form; the older row's blank Other
Value is what it did not write then, not a value that moved (``_grew``). Not another record that moved into
the cell (a row deleted above): its sentence names its own dates."""
GRACE_DAYS = 7
"""How many days later than when it was dismissed a problem may run before its row is asked again: a sample
dismissed at '3 day(s) late' stays dismissed to 10 and comes back at 11; a line agreed at '12 day(s) after
cancel' comes back at 20, not at 13, 14 and 15 as its forecast slips a day at a time. A week: the APM's
weekly look at the vendor's report, and no row back every morning."""
RUN_NOTES = frozenset({"rows-archived", "rows-restored", "change-log-rows-moved"})
"""Codes of notes on what one run did (rows it archived or took back, Change Log rows it moved out), not on
what is wrong: true of that run for good. They leave the sheet with the next run that writes the workbook,
never by themselves: a run with nothing else to do writes no file only to drop them."""
RECODED = {("wip-report-date-assumed", "latest report already on the Vendor WIP sheet"): "wip-report-older"}
"""Findings an older prodbook wrote under a code it shared with others, known by the words of their Problem as
it wrote them (old code, words): the code they have now. Such a row is read as of its new code
(``code_of``), so it continues as the same finding, its Found On and the APM's Accept with it, and is written
back under the new code: the words are read once, on the row as that older prodbook left it."""
_SEVERITY = {"error": 0, "warning": 1, "info": 2}
SAID_BY = {"date-not-yet": "anchor-date-missing"}
"""A code whose new row is not added at a cell where an open row of the other code stays, not checked again by
this run: `prodbook validate` does not plan, and the T&A's row at a 'TBC' Ex-Factory (naming the milestones that
wait) says more than the check's. One cell, one row, as ``order_dates.said_once`` does within a run."""


@dataclass(frozen=True)
class Checked:
    """What this run checked: the steps it did and the files it read."""

    today: date
    steps: frozenset[str] = frozenset()
    """Found By names (``Outcome.action``) of the steps that checked this run."""
    files: frozenset[str] = frozenset()
    """Names of the files this run read (vendor WIP reports, costing sheets)."""
    resolved: frozenset[int] = frozenset()
    """Issues rows (Excel row numbers) whose accepted fix this run applied."""
    after_undo: bool = False
    """The check after an undo: the rows the undo marked (``UNDONE_MARK``) are kept but not counted in its line,
    the undo's own line says them and what to press."""
    dismiss_days: int = GRACE_DAYS
    """Config 'Dismiss Days': how much later than dismissed a problem may run before its row asks again."""
    reports: Mapping[str, tuple[str, date]] = field(default_factory=dict)
    """The vendor WIP reports on the Vendor WIP sheet as this run leaves it, by Source File (the file's name, or
    'mail.msg > attachment ...'): the one vendor and the report date of each. A row about a report's own rows is
    that vendor's (``_as_vendor``), whatever the week's file is called, and a newer report of the vendor read by
    this run checks it again (``_newer_read``). A file not there (a costing sheet, a file of two vendors): as its
    name."""

    @cached_property
    def newest(self) -> dict[str, date]:
        """Each vendor's newest report date among the reports this run read (``files``)."""
        out: dict[str, date] = {}
        for name, (vendor, day) in self.reports.items():
            if name in self.files or name.split(" > ", 1)[0] in self.files:
                out[vendor] = max(out.get(vendor, day), day)
        return out


UNDONE_MARK = "[From the run undone, "
"""How an Issues row's Problem starts when an undo marked it as the undone run's (``undo_job.mark_undone``)."""


@dataclass
class Merged:
    """The Issues rows after this run, and what happened to the ones before it."""

    frame: pd.DataFrame
    source: list[int | None]
    """Per row, the Issues row it continues (its extra columns, the APM's notes, go with it); None: new. Its
    Accept is the frame's: the old row's, or blank where this run asks again (``cleared``)."""
    kept: int = 0
    """Rows kept although this run did not check them again."""
    kept_by: dict[str, int] = field(default_factory=dict)
    """The kept rows by why: the check (step) that found them, or a vendor file this run did not read."""
    kept_files: bool = False
    """Some kept row came from a vendor file: the run that checks it again needs the file given."""
    dismissed: int = 0
    resolved: int = 0
    back: int = 0
    """Dismissed findings this run found again with another value (they are back, Accept blank)."""
    back_named: list[str] = field(default_factory=list)
    """Those rows as the summary names them (Key, else Sheet and Cell), so the APM knows which to look at."""
    still: int = 0
    """Dismissed rows found again with the same values: kept, Dismiss and all."""
    recorded: int = 0
    """Dismissed rows whose Dismissed As this run wrote: the Dismiss typed since the last run (or kept in Problem
    by a prodbook before the column), its sentence the Problem the row showed (``dismissed_as``)."""
    column_new: bool = False
    """The sheet had no Dismissed As column (a tracker an older prodbook wrote, or the team deleted it): this run
    adds it, and the summary says where the sentences dismissed went."""
    moved: int = 0
    """Decided rows (Accept filled) whose other source's value changed since: back, Accept blank."""
    notes: list[str] = field(default_factory=list)
    superseded: list[int] = field(default_factory=list)
    """Older rows about a vendor's report that a newer report of the vendor read by this run took off the sheet
    (``_newer_read``) or continues under its own file's name (``_as_vendor``), by Excel row: the shell logs them
    whole, so that undoing this run puts them back as they were, the older report being the vendor's latest on the
    Vendor WIP sheet again (``undo_job``)."""

    @property
    def cleared(self) -> int:
        """Rows that continue with their Accept made blank (``back`` and ``moved``): the sheet's Accept is written."""
        return self.back + self.moved


def _text(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and v != v) or v is pd.NaT else str(v).strip()


def decision(accept: Any) -> str:
    """An Accept cell as a word: 'No.', ' NO ' and 'ＮＯ' are 'no', '✔️' is '✔' (a full stop or a space typed
    by habit, an East Asian keyboard's full-width letters, an emoji picker's variation selector)."""
    return unicodedata.normalize("NFKC", _text(accept)).replace("\ufe0f", "").strip().strip(".!").strip().lower()


ASKED_WITH = ("problem", "value", "other_value", "dismissed_as")
"""What a Dismiss or Yes was decided on: a run that blanks the Accept logs these as they were, and undo gives them
back with it (else the decision given back would stand for the worse problem, the moved vendor value; a Dismiss
without the sentence it was dismissed as would count its week from the day of the undo)."""


def decision_key(row: Mapping[str, Any]) -> str:
    """The Change Log's Key of an Issues row whose Accept a run blanked (Sheet / Cell / Key / Code): undo gives the
    APM's word back to the row that continues it, found by the same text."""
    return " / ".join([*(_text(row.get(f)) for f in ("sheet", "cell", "key")), code_of(row)])


def code_of(row: Mapping[str, Any]) -> str:
    """An Issues row's Code, the one it has now for a row an older prodbook wrote under a shared one
    (``RECODED``)."""
    code = _text(row.get("code"))
    problem = _text(row.get("problem"))
    return next((new for (old, words), new in RECODED.items() if code == old and words in problem), code)


def dismissed(accept: Any) -> bool:
    return decision(accept) in DISMISS


def dismissed_as(row: Mapping[str, Any]) -> str:
    """The sentence a dismissed row was dismissed as: its Dismissed As; blank there (the Dismiss typed since the
    last run, a tracker an older prodbook wrote, which kept it in Problem, or a column the team deleted or
    typed out), the Problem the row shows. Without the marks undos put before a Problem (``UNDONE_MARK``): the
    check's own sentence, which the next run's is compared with."""
    return _unmarked(_text(row.get("dismissed_as"))) or _unmarked(_text(row.get("problem")))


# -- the same problem: a sentence but for what the clock moves ---------------------------------------------------

_MONTH = (r"(?:january|february|march|april|may|june|july|august|september|sept|october|november|december"
          r"|jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec)(?![a-z])\.?")
_DATE = re.compile(
    r"(?<![\w/.-])(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?(?:"
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"  # 2026-12-18
    r"|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})"  # 18/12/2026, 12/18/26, 18.12.2026
    rf"|\d{{1,2}}(?:st|nd|rd|th)?[-/. ]?{_MONTH}[-/., ]+(?:\d{{4}}|\d{{2}})"  # 18-Dec-26, 18 December 2026
    rf"|{_MONTH}[-/. ]\d{{1,2}}(?:st|nd|rd|th)?,?[-/. ]+(?:\d{{4}}|\d{{2}})"  # Dec 18, 2026
    rf"|(?P<y>\d{{4}})[-/. ](?P<m>{_MONTH})[-/. ](?P<d>\d{{1,2}})"  # 2026-Dec-18
    r")(?![\w/-]|\.\d)", re.IGNORECASE)
"""A date in a sentence, in any Date Format (Config) an earlier run may have written it in."""
_DAYS = re.compile(r"\bin (?P<ahead>\d[\d,]*) (?:working |calendar )?day(?:\(s\)|s\b|\b)"  # in 27 day(s)
                   r"|(?<=\()today(?=\))"  # (today)
                   r"|\b(?P<n>\d[\d,]*) (?:working |calendar )?day(?:\(s\)|s\b|\b)(?: ago\b)?",  # 3 day(s) late
                   re.IGNORECASE)
"""A day count that moves with the clock: 'in 27 day(s)' (-27), '(today)' (0), '3 day(s) late', '(8 days ago)',
'12 day(s) after cancel' (3, 8, 12): one scale, so 'cutting due 03-Dec-26 (in 2 day(s))' is the same sentence
the day it reads '(today)' and the day after, '(1 day(s) ago)'."""


@dataclass(frozen=True)
class _Shape:
    """A Problem taken apart: its words (dates and day counts marked where they stood), its dates (each as
    the days it may be: '03/04/2027' is 3 April or 4 March, as the Date Format it was written in is not
    kept) and its day counts."""

    words: str
    dates: tuple[frozenset[date], ...]
    days: tuple[int, ...]


def _unmarked(problem: str) -> str:
    """A Problem without the marks undos put before it (``UNDONE_MARK``): the check's own sentence."""
    while problem.startswith(UNDONE_MARK) and (end := problem.find(" to check again] ")) > 0:
        problem = problem[end + len(" to check again] "):]
    return problem


def _readings(text: str, m: re.Match[str]) -> frozenset[date]:
    """The days a date found in a sentence may be: one, or two where day and month could be either."""
    if m["y"]:
        text = f"{m['d']} {m['m']} {m['y']}"
    days = set()
    for order in DateOrder:
        try:
            days.add(parse_text_date(text, order))
        except CellError:
            continue
    return frozenset(days)


@lru_cache(maxsize=1 << 12)
def _shape(problem: str) -> _Shape:
    dates: list[frozenset[date]] = []

    def a_date(m: re.Match[str]) -> str:
        days = _readings(m.group(0), m)
        if not days:  # 31/02/2027, sizes 30/32/34: words
            return m.group(0)
        dates.append(days)
        return "\x00date\x00"

    counts: list[int] = []

    def a_count(m: re.Match[str]) -> str:
        ahead, n = m["ahead"], m["n"]
        counts.append(-int(ahead.replace(",", "")) if ahead else int(n.replace(",", "")) if n else 0)
        return "\x00days\x00"

    words = _DAYS.sub(a_count, _DATE.sub(a_date, " ".join(_unmarked(problem).split())))
    return _Shape(words, tuple(dates), tuple(counts))


def same_problem(before: Any, now: Any) -> bool:
    """Two Problems say the same thing but for what the clock moves: their words are the same, and so are their
    dates, or a date moved by as many days as a day count of the sentence did (a forecast slipping a day a
    day: 'forecast ex-factory 06-Jan-27, 12 day(s) after cancel' is '07-Jan-27, 13 day(s)' the next). Another
    name ('vendor DHK is in Bangladesh' for 'vendor VNS is in Vietnam') or another due date (a resubmitted
    sample's) is another problem. A date is read in any Date Format: the Config's may have changed since."""
    a, b = _shape(_text(before)), _shape(_text(now))
    if a.words != b.words:
        return False
    moved = {n - o for o, n in zip(a.days, b.days, strict=True)} - {0}
    return all(any((y - x).days in moved or y == x for x in was for y in is_) for was, is_ in
               zip(a.dates, b.dates, strict=True))


def worse(before: Any, now: Any, days: int = GRACE_DAYS) -> bool:
    """The problem (``same_problem``) is later by more than ``days`` than it was: a day count past its date
    grew by more (a countdown, 'in 27 day(s)', is not late)."""
    a, b = _shape(_text(before)), _shape(_text(now))
    return any(max(n, 0) - max(o, 0) > days for o, n in zip(a.days, b.days))


def _same_values(before: Mapping[str, Any], now: Mapping[str, Any], older: bool = False) -> bool:
    """The tracker's value and the other source's are what they were when the row was decided. ``older``: a row
    an older prodbook wrote in another Key form (``GROWN``), whose blank Other Value is one it did not offer."""
    return _same_value(before.get("value"), now.get("value")) and not _other_moved(before, now, older)


def _other_moved(before: Mapping[str, Any], now: Mapping[str, Any], older: bool) -> bool:
    """The other source's value is not what it was (``_same_values``)."""
    if older and not _text(before.get("other_value")):
        return False
    return not _same_value(before.get("other_value"), now.get("other_value"))


def _same_value(before: Any, now: Any) -> bool:
    """One value, run to run: as the Change Log writes it, or the same day however it is shown ('18-Dec-26'
    and '18/12/2026': the Date Format in Config changed between the runs, the cell did not)."""
    return same_logged(before, now) or bool(_days_of(before) & _days_of(now))


def _days_of(value: Any) -> frozenset[date]:
    """The days a value may be: a date, or a text that is one date in any Date Format (``_DATE``)."""
    if isinstance(value, date):
        return frozenset({value.date() if isinstance(value, datetime) else value})
    m = _DATE.fullmatch(_text(value))
    return _readings(m.group(0), m) if m else frozenset()


def _first_found(row: dict[str, Any], prev: Mapping[str, Any] | None) -> dict[str, Any]:
    """``row`` with the Found On of ``prev``, the same finding asked before (a dismissed one only later, or a Yes
    whose vendor value moved: Found On is the day it was first found, which the APM sorts by age); ``row`` as it
    is for another problem (None: a resubmitted sample late again is found today)."""
    return {**row, "found_on": prev["found_on"]} if prev is not None and isinstance(prev.get("found_on"), date) \
        else row


def _dismiss_stands(before: Mapping[str, Any], now: Mapping[str, Any], older: bool, days: int = GRACE_DAYS) -> bool:
    """A dismissed row found again is what the APM dismissed: the same values (``_same_values``), the same
    problem as the sentence dismissed (``dismissed_as``, ``same_problem``), and not more than ``GRACE_DAYS``
    later than it (``worse``)."""
    was = dismissed_as(before)
    return (_same_values(before, now, older) and same_problem(was, now.get("problem"))
            and not worse(was, now.get("problem"), days))


# -- the team's names today: a row an earlier run wrote under a sheet or header renamed since -------------------

@dataclass(frozen=True)
class Names:
    """The workbook's sheet and column names as this run reads them (the shell's: the Config sheet's 'Sheet:' and
    'Column:' lines, each sheet's headers), for the Issues rows an earlier run wrote under names the team changed
    since (``as_named``)."""

    present: frozenset[str] = frozenset()
    """The workbook's sheets, as it spells them: a row's Sheet among them (in any case) is that sheet still."""
    sheets: Mapping[str, str] = field(default_factory=dict)
    """prodbook's name of a sheet the team calls otherwise today -> the team's name ('Orders' -> 'PO Lines', Config
    'Sheet: Orders'), for each such name no sheet of the workbook has."""
    headers: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """A sheet (today's name, folded: ``fold_sheet``) -> its headers, folded (``normalise_header``): a Field among
    them is that column still."""
    aliases: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """A sheet (folded) -> the other names of its columns (``other_names``: prodbook's header and synonyms),
    folded -> the column's header today."""


def other_names(columns: Mapping[str, str], spec_columns: Sequence[Column]) -> dict[str, str]:
    """The names an Issues row may give a column by, other than its header today: prodbook's header and its
    synonyms ('Cancel', 'Cxl Date' for 'Cancel Date'), folded (``normalise_header``) -> the column's header today
    (``columns``: field -> the header the sheet reads it by). None of the sheet's headers today, and one column's
    only; not a guarded synonym (the T&A's 'Factory' is the team's own column unless it holds vendor codes)."""
    have = {normalise_header(h) for h in columns.values()}
    claims: dict[str, set[str]] = {}
    for c in spec_columns:
        if c.field not in columns:
            continue
        for name in (c.header, *(s for s in c.synonyms if s not in c.guarded)):
            if (folded := normalise_header(name)) and folded not in have:
                claims.setdefault(folded, set()).add(columns[c.field])
    return {name: next(iter(h)) for name, h in claims.items() if len(h) == 1}


@dataclass
class Renamed:
    """The Issues rows of an earlier run under today's names (``as_named``), and the names that moved."""

    frame: pd.DataFrame
    sheets: dict[str, str] = field(default_factory=dict)
    """A sheet's name on those rows -> its name today, for each sheet some row moved to or some sentence names."""
    headers: dict[tuple[str, str], str] = field(default_factory=dict)
    """(today's sheet, a Field on those rows) -> the column's header today."""
    rows: int = 0
    """Rows read under a new name."""

    @property
    def notes(self) -> list[str]:
        """The run's word on the rows it moved to today's names, which the APM reads instead of rows lost."""
        if not self.rows:
            return []
        said = [f"'{a}' is now '{b}'" for a, b in self.sheets.items()]
        said += [f"column '{f}' of '{s}' is now '{h}'" for (s, f), h in self.headers.items()]
        return [f"Issues: {self.rows} row(s) written by earlier runs are under the sheet and column names of "
                f"today ({'; '.join(said)}): Accept, Dismissed As, Found On and your own columns stay with them."]


def fold_sheet(name: Any) -> str:
    """A sheet's name as Excel tells sheets apart: in any case, and without the outer spaces the eye does not see."""
    return _text(name).casefold()


def as_named(old: pd.DataFrame, new: pd.DataFrame, names: Names) -> Renamed:
    """The Issues rows an earlier run wrote (``old``) under the workbook's names today, so that a sheet or header
    renamed since keeps the APM's Accept, Dismissed As, Found On and notes on the rows this run continues: a row
    whose Sheet names no sheet of the workbook is that sheet's under its new name, a Field no header of its sheet
    has is that column's under its header today, and the names in its Problem and Dismissed As are read as today's
    check words them (only where this run's finding of the row says them so: some checks name prodbook's sheet,
    whatever the team calls it). The rows are written back under the new names.

    A name is followed where a trace leads to it: prodbook's names of the sheet and of the column
    (``Names.sheets``, ``Names.aliases``), or, for a name of the team's changed to another ('PO Lines' to 'PO Lines
    SS27'), this run's findings (``new``): an older row and a new one of the same record, code, cell and step, the
    one under a name that is gone, the other under one no older row uses (``_traced``). Nothing else says what a
    team's own name became (the Change Log names the sheets prodbook wrote, not which sheet a name was): a row this
    run does not find again keeps its name until a run that checks it does."""
    if not len(old) or not names.present:
        return Renamed(old)
    present = {fold_sheet(s) for s in names.present}
    rows = row_dicts(old)
    gone = [r for r in rows if _text(r.get("sheet")) and not _text(r.get("found_in"))
            and fold_sheet(r.get("sheet")) not in present]  # a vendor file's rows name the file, not a sheet
    ours = {fold_sheet(k): v for k, v in names.sheets.items()}
    sheets = {s: ours[fold_sheet(s)] for r in gone if fold_sheet(s := _text(r.get("sheet"))) in ours}
    named = {fold_sheet(sheets.get(_text(r.get("sheet")), r.get("sheet"))) for r in rows}
    sheets |= _traced([r for r in gone if _text(r.get("sheet")) not in sheets], new, lambda r: _text(r.get("sheet")),
                      lambda n: _text(n.get("sheet")) if fold_sheet(n.get("sheet")) in present - named else None)

    def sheet_now(r: Mapping[str, Any]) -> str:
        return sheets.get(_text(r.get("sheet")), _text(r.get("sheet")))

    def column_gone(r: Mapping[str, Any]) -> bool:
        have = names.headers.get(fold_sheet(sheet_now(r)))
        return have is not None and bool(_text(r.get("field"))) and normalise_header(_text(r.get("field"))) not in have

    def column_now(n: Mapping[str, Any]) -> tuple[str, str] | None:  # a new row's column, if its sheet has it
        s, f = _text(n.get("sheet")), _text(n.get("field"))
        return (s, f) if normalise_header(f) in names.headers.get(fold_sheet(s), ()) else None

    headers: dict[tuple[str, str], str] = {}
    lost = []  # rows of a column by no name prodbook knows: a team's own header changed to another
    for r in rows:
        if column_gone(r):
            s, f = sheet_now(r), _text(r.get("field"))
            if h := names.aliases.get(fold_sheet(s), {}).get(normalise_header(f)):
                headers[(s, f)] = h
            else:
                lost.append(r)
    traced = _traced(lost, new, lambda r: (sheet_now(r), _text(r.get("field"))), column_now,
                     same=lambda r: fold_sheet(sheet_now(r)))
    headers |= {was: h for was, (_, h) in traced.items()}
    words = {**names.sheets, **sheets}  # a sentence may name a renamed sheet on a row of another
    if not words and not headers:
        return Renamed(old)
    told: dict[tuple[str, ...], list[str]] = {}  # this run's sentences, by sheet, column, record and code
    for n in row_dicts(new) if len(new) else []:
        told.setdefault(_spot(n), []).append(_text(n.get("problem")))
    frame, moved, used = old.copy(), 0, dict(sheets)
    for at, r in zip(old.index, rows, strict=True):
        now = {"sheet": sheet_now(r), "field": headers.get((sheet_now(r), _text(r.get("field"))), r.get("field"))}
        said = told.get(_spot({**r, **now}), [])
        mine = {**words, **{f: h for (s, f), h in headers.items() if s == now["sheet"]}}
        for k in ("problem", "dismissed_as"):
            text = _text(r.get(k))
            if k in frame.columns and text and said and (again := _retold(text, mine, names.present)) != text \
                    and any(same_problem(again, t) for t in said) and not any(same_problem(text, t) for t in said):
                now[k] = again
                used |= {a: b for a, b in words.items() if _retold(text, {a: b}, names.present) != text}
        if any(_text(v) != _text(r.get(k)) for k, v in now.items()):
            moved += 1
            for k, v in now.items():
                frame.at[at, k] = v
    return Renamed(frame, used, headers, moved) if moved else Renamed(old)


def _spot(row: Mapping[str, Any]) -> tuple[str, ...]:
    """A finding's sheet, column, record and code: its row in another run says the same problem there."""
    return fold_sheet(row.get("sheet")), normalise_header(_text(row.get("field"))), key_match(_text(row.get("key"))), \
        code_of(row)


def _place(row: Mapping[str, Any]) -> tuple[str, ...] | None:
    """Where a finding is, whatever its sheet and column are called: its record, code, cell and step; None for a
    row without a record or a cell (a note on a whole sheet), which no name can be traced by."""
    place = (key_match(_text(row.get("key"))), code_of(row), _text(row.get("cell")), _text(row.get("found_by")))
    return place if place[0] and place[2] else None


def _traced(old: list[dict[str, Any]], new: pd.DataFrame, was: Callable[[Mapping[str, Any]], Any],
            now: Callable[[Mapping[str, Any]], Any], same: Callable[[Mapping[str, Any]], str] = lambda r: ""
            ) -> dict[Any, Any]:
    """Names the team changed from one of its own to another, as this run's findings show them: an older row
    (``old``, under a name that is gone: ``was``) and a new one at the same place (``_place``, and ``same``: the
    sheet, for a column) under a name no older row uses (``now``; None: not such a name). A name is taken only
    where it goes to one name, and that one comes from it alone."""
    at: dict[tuple[str, ...], set[Any]] = {}
    for n in row_dicts(new) if len(new) else []:
        if (place := _place(n)) is not None and (name := now(n)) is not None:
            at.setdefault((*place, same(n)), set()).add(name)
    votes: dict[Any, set[Any]] = {}
    for r in old:
        if (place := _place(r)) is not None and (to := at.get((*place, same(r)))):
            votes.setdefault(was(r), set()).update(to)
    pairs = {a: next(iter(b)) for a, b in votes.items() if len(b) == 1}
    taken = Counter(pairs.values())
    return {a: b for a, b in pairs.items() if taken[b] == 1}


def _retold(text: str, words: Mapping[str, str], present: Iterable[str]) -> str:
    """``text`` with each name of ``words`` as a whole word (in its case) replaced by its new name; a longer name of
    a sheet the workbook has ('T&A Templates', where 'T&A' was renamed) stays as it is."""
    table = {**{p: p for p in present}, **dict(words)}
    return _names_pattern(tuple(sorted((n for n in table if n), key=len, reverse=True))).sub(
        lambda m: table[m.group(0)], text)


@lru_cache(maxsize=64)
def _names_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    """Any of ``names`` as a whole word, the longest first."""
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, names)) + r")(?!\w)")


def said_before(new: pd.DataFrame, old: pd.DataFrame, checked: Checked) -> pd.DataFrame:
    """``new`` (this run's rows) without those whose cell an open row of ``old`` that this run did not check
    again speaks of in the code that says more (``SAID_BY``)."""
    if not len(new) or not len(old) or not new["code"].isin(list(SAID_BY)).any():
        return new
    kept = {(_text(r.get("sheet")), _text(r.get("cell")), _text(r.get("code"))) for r in row_dicts(old)
            if _text(r.get("code")) in SAID_BY.values() and not checked_again(r, checked)}
    said = [(_text(s), _text(c), SAID_BY.get(_text(k), "")) in kept
            for s, c, k in zip(new["sheet"], new["cell"], new["code"])]
    return new[~pd.Series(said, index=new.index, dtype=bool)]


def checked_again(row: Mapping[str, Any], checked: Checked) -> bool:
    """Did this run do the check that found this row, on the same file, or on a newer report of the same vendor
    (``_newer_read``)? Then it would have found it again."""
    by, found_in = _text(row.get("found_by")), _text(row.get("found_in"))
    return (by == EVERY_RUN or by in checked.steps) and (not found_in or found_in in checked.files
                                                          or _newer_read(row, checked))


def _report(row: Mapping[str, Any], checked: Checked) -> tuple[str, date] | None:
    """The vendor and date of the report a row is about (``Checked.reports``): its Sheet is the report and
    Found In names it (the file itself, or the saved e-mail it came in). None for any other row."""
    sheet, found_in = _text(row.get("sheet")), _text(row.get("found_in"))
    if not found_in or (sheet != found_in and not sheet.startswith(f"{found_in} > ")):
        return None
    return checked.reports.get(sheet)


def _newer_read(row: Mapping[str, Any], checked: Checked) -> bool:
    """This run read a newer report of the vendor whose report the row is about: last week's file is
    superseded, so a problem the new one no longer has is gone, as if the file had been read again."""
    report = _report(row, checked)
    return report is not None and checked.newest.get(report[0], report[1]) > report[1]


_VENDOR = "\x00vendor "
"""How a vendor report's row is named in place of its file (``_as_vendor``): no sheet or file is called so."""


def _as_vendor(row: Mapping[str, Any], checked: Checked) -> Mapping[str, Any]:
    """A row as it is matched run to run: a vendor report's row by its vendor in place of the file's name
    (Sheet and Found In), so that a problem in 'DHK WIP 2026-11-27.xlsx' is the one the APM dismissed in
    'DHK WIP 2026-11-20.xlsx'. The Issues sheet still names the file."""
    report = _report(row, checked)
    return row if report is None else {**row, "sheet": _VENDOR + report[0], "found_in": _VENDOR + report[0]}


def _newest_only(rows: list[dict[str, Any]], checked: Checked) -> list[dict[str, Any]]:
    """This run's rows without those a newer report of the same vendor, read by this run too, says again
    (two weeks' files in the folder): one problem, one row, in the newest file. A keyless row is the same
    one at the same cell only."""
    def same(r: dict[str, Any]) -> tuple[str, ...]:
        return _loose(_as_vendor(r, checked)) + (_text(r.get("problem")),)

    newest: dict[tuple[str, ...], date] = {}
    for r in rows:
        if (report := _report(r, checked)) is not None:
            newest[same(r)] = max(newest.get(same(r), report[1]), report[1])
    return [r for r in rows if (report := _report(r, checked)) is None or newest[same(r)] <= report[1]]


def _matched(row: Mapping[str, Any], fields: tuple[str, ...]) -> tuple[str, ...]:
    """A row's ``fields`` as rows are matched run to run; its Key as ``keys.key_match`` reads it (an older run
    wrote 'S1 / Navy /  / ' where this one writes 'S1 / Navy')."""
    return tuple(key_match(_text(row.get(k))) if k == "key" else _text(row.get(k)) for k in fields)


def _loose(row: Mapping[str, Any]) -> tuple[str, ...]:
    key = _matched(row, LOOSE)
    return key + (_text(row.get("cell")) if not _text(row.get("key")) else "",)


def _first(before: list[dict[str, Any]], now: Mapping[str, Any]) -> int:
    """Which of the rows alike ``now`` continues: the one in the same cell of the same file first (two findings
    without a key differ by their cell only); then, a vendor's other file, one the APM decided (an older
    prodbook left a row a week); then the same cell."""
    def rank(b: Mapping[str, Any]) -> tuple[bool, bool, bool]:
        cell, file = _text(b.get("cell")) == _text(now.get("cell")), _text(b.get("sheet")) == _text(now.get("sheet"))
        return cell and file, not file and bool(_text(b.get("accept"))), cell

    return max(range(len(before)), key=lambda n: rank(before[n]))


def _grew(before: Mapping[str, Any], now: Mapping[str, Any]) -> bool:
    """``now``'s Key is ``before``'s with parts added (``GROWN``): the same first part, then ``before``'s others
    in their order among ``now``'s ('S1 / Heather Gray' in 'S1 / Proto / Heather Gray / M / Line review', a Samples
    colour an older prodbook named by Style # / Color); both read as ``keys.key_match``."""
    old, new = key_match(_text(before.get("key"))), key_match(_text(now.get("key")))
    was, parts = old.split(" / "), new.split(" / ")
    if not old or len(parts) <= len(was) or parts[0] != was[0]:
        return False
    rest = iter(parts[1:])
    return all(p in rest for p in was[1:])  # each of the older parts found after the one before it


def _row_number(cell: str) -> int:
    m = re.search(r"(\d+)\s*$", cell)
    return int(m.group(1)) if m else 0


def order_key(row: Mapping[str, Any]) -> tuple:
    """Errors first, then by sheet and row; ties by code and sentence so the same rows sort the same way.
    Rows the APM dismissed go last: decided, kept as a record, out of the way of what is open."""
    return (dismissed(row.get("accept")), _SEVERITY.get(_text(row.get("severity")).lower(), 3), _text(row.get("sheet")),
            _row_number(_text(row.get("cell"))), _text(row.get("code")), _text(row.get("problem")),
            _text(row.get("key")))


def merge(old: pd.DataFrame, new: pd.DataFrame, checked: Checked, fields: list[str],
          keep: frozenset[str] = frozenset(), column_new: bool = False) -> Merged:
    """This run's findings (``new``) with the rows already on the sheet (``old``, with ``_row``).

    A new finding that was already there continues its row (first Found On kept). A dismissed one found
    again as it was dismissed (``_dismiss_stands``) keeps its Dismiss, shows today's sentence in Problem and
    the one dismissed in Dismissed As. A decided one found again changed (dismissed, and not what was
    dismissed; a Yes whose other value moved) continues it too, its Accept and Dismissed As blank: the APM
    decides again beside their notes. An old row this run did not check again stays; one it checked and did
    not find again is gone, unless its code is in ``keep`` (``RUN_NOTES``, on a run that writes nothing
    else). ``column_new``: the sheet has no Dismissed As column yet (the summary says where the sentences
    dismissed went).
    """
    waiting: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    old_rows = [{**r, "code": code_of(r)} for r in row_dicts(old)] if len(old) else []
    for r in old_rows:
        waiting.setdefault(_matched(_as_vendor(r, checked), MATCH), []).append(r)
    out: list[tuple[dict[str, Any], int | None]] = []
    result = Merged(pd.DataFrame(columns=fields), [], column_new=column_new)
    matched: set[int] = set()
    new_rows = _newest_only(row_dicts(new), checked)
    prevs: list[dict[str, Any] | None] = []
    for r in new_rows:
        before = waiting.get(_matched(_as_vendor(r, checked), MATCH))
        prevs.append(before.pop(_first(before, r)) if before else None)
    loose: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for left in waiting.values():
        for r in left:
            loose.setdefault(_loose(_as_vendor(r, checked)), []).append(r)
    for at, r in enumerate(new_rows):
        if prevs[at] is None and (candidates := loose.get(_loose(_as_vendor(r, checked)))):
            prevs[at] = candidates.pop(0)
    grown: dict[tuple[str, ...], list[dict[str, Any]]] = {}  # the old rows left at a cell, by all but their Key
    for left in loose.values():
        for r in left:
            if _text(r.get("cell")):
                grown.setdefault(_matched(_as_vendor(r, checked), GROWN), []).append(r)
    older: set[int] = set()  # old rows continued in a Key that grew
    for at, r in enumerate(new_rows):
        candidates = grown.get(_matched(_as_vendor(r, checked), GROWN), []) if prevs[at] is None else []
        n = next((n for n, b in enumerate(candidates)
                  if _grew(b, r) and same_problem(b.get("problem"), r.get("problem"))), None)
        if n is not None:
            prevs[at] = taken = candidates.pop(n)
            older.add(int(taken["_row"]))
    for r, prev in zip(new_rows, prevs):
        if prev is None:
            out.append((r, None))
            continue
        matched.add(int(prev["_row"]))
        if _report(prev, checked) is not None and _text(prev.get("sheet")) != _text(r.get("sheet")) \
                and int(prev["_row"]) not in checked.resolved:
            result.superseded.append(int(prev["_row"]))  # last week's row, named in this week's file now
        was_older = int(prev["_row"]) in older
        if int(prev["_row"]) in checked.resolved:
            result.resolved += 1  # applied, and found again (the cell changed back?): a fresh row
            out.append((r, None))
        elif dismissed(prev.get("accept")) and _dismiss_stands(prev, r, was_older, checked.dismiss_days):
            result.still += 1  # what the APM dismissed, no more than a week later: their decision stands
            result.recorded += not _text(prev.get("dismissed_as"))
            out.append(({**r, "dismissed_as": dismissed_as(prev),  # what the next run compares with
                         "found_on": prev.get("found_on", r.get("found_on")), "accept": prev.get("accept")},
                        int(prev["_row"])))  # Problem: today's sentence
        elif dismissed(prev.get("accept")):
            result.back += 1  # another value or problem, or a week later: decide again, the notes beside it
            result.back_named.append(_text(r.get("key")) or f"{_text(r.get('sheet'))} {_text(r.get('cell'))}".strip())
            same = _same_values(prev, r, was_older) and same_problem(dismissed_as(prev), r.get("problem"))
            out.append(({**_first_found(r, prev if same else None), "accept": None, "dismissed_as": None},
                        int(prev["_row"])))
        elif _other_moved(prev, r, was_older) and _text(prev.get("accept")):
            result.moved += 1  # the other source's value moved since the APM decided: decide again
            out.append(({**_first_found(r, prev), "accept": None}, int(prev["_row"])))
        else:
            r = _first_found(r, prev)
            if _text(prev.get("proposed")) and not same_logged(prev.get("proposed"), r.get("proposed")):
                r = {**r, "proposed": prev["proposed"]}  # the APM's own Proposed Value, which their Yes is for
            out.append(({**r, "accept": prev.get("accept")}, int(prev["_row"])))
    for r in old_rows:
        row = int(r["_row"])
        if row in matched:
            continue
        if row in checked.resolved:
            result.resolved += 1
            continue
        again = checked_again(r, checked)
        if again and _text(r.get("code")) not in keep and _text(r.get("found_in")) not in checked.files \
                and _newer_read(r, checked):
            result.superseded.append(row)  # last week's problem this week's report no longer has
        if dismissed(r.get("accept")) and again:
            result.dismissed += 1  # checked and no longer found: gone, and the decision with it
        elif not again or _text(r.get("code")) in keep:
            if not again and not (checked.after_undo and _text(r.get("problem")).startswith(UNDONE_MARK)):
                result.kept += 1
                why = _not_checked(r, checked)
                result.kept_by[why] = result.kept_by.get(why, 0) + 1
                result.kept_files |= bool(_text(r.get("found_in")))
            out.append((_as_kept(r, fields, result), row))
    out.sort(key=lambda pair: order_key(pair[0]))
    result.frame = pd.DataFrame([r for r, _ in out], columns=fields)
    result.source = [s for _, s in out]
    result.notes = _notes(result, checked.dismiss_days)
    return result


def _as_kept(row: Mapping[str, Any], fields: list[str], result: Merged) -> dict[str, Any]:
    """An old row this run did not check again, as it stays: its Dismissed As written the first run after the
    Dismiss (the Problem it shows, which is the sentence dismissed), blank once the APM cleared the Dismiss."""
    kept = {k: row.get(k) for k in fields}
    if "dismissed_as" not in kept:
        return kept
    if not dismissed(row.get("accept")):
        return {**kept, "dismissed_as": None}
    result.recorded += not _text(row.get("dismissed_as"))
    return {**kept, "dismissed_as": dismissed_as(row)}


KEPT_FILE = "a vendor file this run did not read"
"""Why a kept row was not checked again when its check ran: the file it is about was not given."""


def _not_checked(row: Mapping[str, Any], checked: Checked) -> str:
    """Why this run did not check a kept row again: its check (the step's name, as the summary says it), or
    ``KEPT_FILE`` where the check ran without the file."""
    by = _text(row.get("found_by"))
    return KEPT_FILE if by == EVERY_RUN or by in checked.steps else by or "an earlier check"


def _kept_note(m: Merged) -> str:
    """The kept rows, said so that a single step's run (validate, wip, exceptions) does not read as if
    the rest were lost or still to do: their checks by name, and the run that checks them all again."""
    by = ", ".join(f"{why} {n}" for why, n in sorted(m.kept_by.items(), key=lambda kv: (-kv[1], kv[0])))
    files = " with the vendor files" if m.kept_files else ""
    return (f"{m.kept} row(s) found by checks this run did not do are left as they were ({by}); 'prodbook refresh' "
            f"(Refresh all on the prodbook tab){files} checks them all again")


BACK_NAMED = 5
"""Dismissed rows back that the summary names, the rest counted."""


def _notes(m: Merged, days: int = GRACE_DAYS) -> list[str]:
    parts = []
    if m.kept:
        parts.append(_kept_note(m))
    if m.resolved:
        parts.append(f"{m.resolved} resolved by an accepted fix")
    if m.dismissed:
        parts.append(f"{m.dismissed} dismissed")
    if m.moved:
        parts.append(f"{m.moved} decided, but the vendor's value changed since (decide again: Accept is blank)")
    if m.still:
        parts.append(f"{m.still} dismissed and still so (the same values and problem, at most {days} days "
                     "later than the sentence in Dismissed As; Problem says it as it is today)")
    if m.recorded and m.column_new:
        parts.append(f"the column Dismissed As was added (at the right of the table): it holds the sentence "
                     f"{m.recorded} dismissed row(s) showed in Problem, which later runs compare with, and Problem "
                     "now says each as it is today")
    elif m.recorded:
        parts.append(f"{m.recorded} newly dismissed: Dismissed As keeps the sentence you dismissed, which later "
                     "runs compare with")
    if m.back:
        shown = m.back_named[:BACK_NAMED]
        more = f" and {m.back - len(shown)} more" if m.back > len(shown) else ""
        parts.append(f"{m.back} dismissed but found again with other values, another problem or over "
                     f"{days} days later (decide again: Accept is blank, your notes stay): "
                     f"{', '.join(shown)}{more}")
    return [f"Issues: {'; '.join(parts)}."] if parts else []
