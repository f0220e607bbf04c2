"""The tracker as jobs see it: tables in, tables out, whatever the back end.

A ``Tracker`` wraps a back end (the file on disk now, live Excel through
xlwings in the add-in), reads the Config sheet first so the team's sheet
names and headers apply, and turns a job's new tables into staged writes
plus Change Log rows.
"""

from __future__ import annotations

import dataclasses
import difflib
import getpass
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, cast, overload

import numpy as np
import pandas as pd

from prodbook.core import row_snapshot
from prodbook.core.cell_rules import breaks
from prodbook.core.cells import Formula, Value, is_blank, is_missing
from prodbook.core.changes import (
    REMOVED,
    REMOVED_MORE,
    UNDO,
    UNDO_SHARE,
    Change,
    actions_to_move,
    cell_value,
    log_values,
    oldest_actions_first,
    part_tag,
)
from prodbook.core.config import Config, build_config
from prodbook.core.findings import Code, Finding, UserError, info
from prodbook.core.keys import fold_text, key_text, shown_key
from prodbook.core.limits import GROWTH_SHARE, PartSizes, rows_within
from prodbook.core.looks import RulePlace, SheetLook, look_for, retired_for
from prodbook.core.model.records import RECORDS, Record
from prodbook.core.model.sheets import ALL_SHEETS, CHANGE_LOG, CONFIG, STYLES, VENDORS, SheetSpec
from prodbook.core.wip import total_label
from prodbook.workbook.backend import Backend, CellEdit, ColumnEdit, RowsByColumn, SheetRewrite
from prodbook.workbook.log_archive import (
    LogColumns,
    RowsInFile,
    archive_file,
    archive_path,
    moved_rows,
    read_log,
)
from prodbook.workbook.publish import StagedFile
from prodbook.workbook.tables import (
    HEADER_SCAN_ROWS,
    Merge,
    Table,
    check_merged_header,
    column_letter,
    map_header,
    missing_sheet,
    read_table,
    to_records,
)
from prodbook.workbook.toml_settings import toml_pairs

APPEND = 1_048_576
"""``keep_rows`` that keeps every existing row: the new rows go below them."""
EMPTY_TABLE_ROWS = 16
"""A log this short below its header is read whole to see whether it holds anything (``stage_change_log``)."""
SHEET_ROWS = 1_048_576
CROWDED_RUNS = 10
"""A log with room for fewer runs like this one than this, by the size limits, moves out too often: say so."""
"""Rows an Excel sheet holds, header included (Excel's own limit)."""


def column_values(column: pd.Series) -> list[Value]:
    """A column as the writer's values: dates as dates, NaN/NaT/NA as None, numpy scalars as Python."""
    missing = column.isna().to_numpy()
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        at, distinct = pd.factorize(column)  # a T&A's dates: a few hundred days, each converted once
        days = pd.Series(distinct)
        return _spread(at, list(days.dt.date) if (days.dt.normalize() == days).all() else
                       list(days.dt.to_pydatetime()))
    if pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype):
        values = column.to_numpy(dtype=object, copy=True)  # Python scalars: numpy's cast to object takes .item()
        values[missing] = None
        return cast(list[Value], values.tolist())
    objects = column.to_numpy(dtype=object)
    if isinstance(column.dtype, pd.StringDtype) or all(type(v) is str for v in objects[~missing]):
        text = objects.copy()  # text as it is; blanks and "" as None, as cell by cell below
        blank = missing.copy()
        blank[~missing] = objects[~missing] == ""
        text[blank] = None
        return cast(list[Value], text.tolist())
    if _zoneless_stamps(objects):  # the T&A's dates as pandas left them: each distinct one once
        codes, uniques = pd.factorize(objects)
        return _spread(codes, [cell_value(u) for u in uniques])
    return [None if m or v == "" else (v if type(v) in _AS_IS else cell_value(v))
            for v, m in zip(objects, missing)]


_AS_IS = frozenset({str, int, float, bool, date, datetime})
"""Python values the writer takes as they are (``cell_value`` gives them back; a NaN is ``missing``): the
Change Log's Old and New, already as it logs them (``changes.log_values``), pass by on their type."""


def _spread(codes: np.ndarray, distinct: list[Any]) -> list[Value]:
    """Each cell's value from ``pd.factorize``'s codes and the distinct values converted once; a missing
    cell (code -1: NaT, NaN) is None."""
    done = np.empty(len(distinct) + 1, dtype=object)
    done[:] = [*distinct, None]  # -1 takes the last: None
    return cast(list[Value], done[codes].tolist())


def _zoneless_stamps(values: np.ndarray) -> bool:
    """Only Timestamps without a zone (and NaT): equal ones are the same wall time, the same cell."""
    return len(values) > 0 and set(map(type, values)) <= {pd.Timestamp, type(pd.NaT)} and all(
        v.tzinfo is None for v in values)


def _holds(data: RowsByColumn, before: pd.DataFrame, fields: Sequence[str]) -> bool:
    """Does the sheet as read hold exactly ``data``, a formula (a link) read as its cached result? Column by
    column, stopping at the first difference: as two lists of row tuples, a million-row T&A held over a
    gigabyte more at its undo's peak."""
    if not len(data):
        return len(before) == 0
    return all([v.result if isinstance(v, Formula) else v for v in column] == column_values(before[f])
               for column, f in zip(data.columns, fields, strict=True))


def _blank(v: Any) -> bool:
    return cell_value(v) is None or (isinstance(v, str) and not v.strip())


@dataclasses.dataclass(frozen=True)
class TrackerMark:
    """What a run had staged and logged at one moment (``Tracker.mark``)."""

    staged: Any
    """The back end's own mark (``Staging.mark``); None for a back end that stages otherwise."""
    changes: int
    notes: int
    before_save: int
    rewritten: dict[str, None]
    edited: dict[str, None]
    staged_frames: dict[str, pd.DataFrame]
    moved: dict[str, dict[int, int]]


class Tracker:
    """Tables of one workbook, read once, written together."""

    def __init__(self, backend: Backend, *, user: str | None = None) -> None:
        self.backend = backend
        self.file = backend.name
        self.findings: list[Finding] = []
        self._tables: dict[str, Table] = {}
        self._partial: dict[tuple[str, tuple[str, ...] | None], Table] = {}
        self._raw: dict[str, list[list[Any]]] = {}
        """Cells of a sheet read partly (``only``), until its full read; then only its ``_extras`` stay."""
        self._extras: dict[str, dict[int, list[tuple[int, Any]]]] = {}
        """Sheet -> Excel row -> its non-blank cells outside prodbook's columns, (column, value)."""
        self._staged: dict[str, pd.DataFrame] = {}
        self._as_read: dict[str, pd.DataFrame] = {}
        self._merges: dict[str, list[Merge]] = {}
        self._keys: dict[str, dict[int, str]] = {}
        self._written: dict[str, list[list[Any]]] = {}
        """Sheet -> its cells as the workbook holds them, read once for ``cell_as_written``."""
        self._moved: dict[str, dict[int, int]] = {}
        """Sheet -> old Excel row -> the row a rewrite of this run puts it on (``rows_moved``)."""
        self._spelled: dict[str, str] = {}
        """A sheet name as Config or prodbook gives it -> the workbook's sheet of that name in any case."""
        self.user = user or _user()
        self.changes: list[Change] = []
        self.notes: list[Finding] = []
        """What the writes themselves tell the user (a header added below a title)."""
        self.before_save: list[StagedFile] = []
        """Files that must be in place before the workbook is saved (the Change Log's moved rows)."""
        self._rewritten: dict[str, None] = {}
        self._edited: dict[str, None] = {}
        self.config = Config()
        pairs: list[tuple[str, Any, int | None]] = []
        path = getattr(backend, "path", None)
        if path is not None:
            pairs += toml_pairs(path)
        if self.has(CONFIG):  # 'config' is the Config sheet too
            table = self.table(CONFIG, required=False)
            pairs += [(r["setting"], r["value"], r["_row"]) for r in table.frame.to_dict("records")
                      if r["setting"]]
        self.config, found = build_config(pairs, self.file)
        self.findings += found
        self._tables.clear()
        self._refuse_merged_headers()

    def sheet(self, spec: SheetSpec) -> str:
        """The team's name for a default sheet, as the workbook spells it. Excel's sheet names are one sheet
        in any case: a team's 'Follow-Ups' is the Follow-ups sheet, and 'critical path' in Config names
        'Critical Path'. Taken for missing, such a sheet was written over as new, its typed columns lost."""
        name = self.config.sheet(spec.name)
        if name in self._spelled:  # asked often; a live workbook's names cost a call to Excel each
            return self._spelled[name]
        names = self.backend.sheet_names()
        folded = name.strip().casefold()  # 'T&A ' with a space after it is the T&A too, as the eye reads it
        found = name if name in names else next((n for n in names if n.strip().casefold() == folded), None)
        if found is None:
            return name  # not there (yet): asked again, as a run may make it
        self._spelled[name] = found
        return found

    def has(self, spec: SheetSpec) -> bool:
        return self.sheet(spec) in self.backend.sheet_names()

    def _mapped_elsewhere(self, spec: SheetSpec, sheet: str) -> None:
        """A Config 'Sheet:' naming a sheet the workbook lacks, beside one spelled nearly so ('Crtical Path' by
        'Critical Path'): a typo, which would build a second sheet (an empty T&A) beside the team's. Stops."""
        if spec.name not in self.config.sheet_names:
            return
        def shape(name: str) -> str:  # 'T&A SS27' beside 'T&A SS26' is next season's sheet, not a typo
            return re.sub(r"\d+", "#", name.strip().casefold())

        others = [n for n in self.backend.sheet_names() if shape(n) != shape(sheet)]
        near = difflib.get_close_matches(sheet.strip().casefold(), [n.strip().casefold() for n in others],
                                         n=1, cutoff=0.8)
        if near:
            actual = next(n for n in others if n.strip().casefold() == near[0])
            raise UserError(f"the Config sheet names '{sheet}' as the {spec.name} sheet ('Sheet: {spec.name}'), "
                            f"but the workbook has no such sheet; it has '{actual}'. If that is the one, correct "
                            "the name on the Config sheet (or rename the sheet), save, and run again; if you "
                            "mean a new sheet, add an empty sheet of that name first. Nothing was written",
                            file=self.file, sheet=self.sheet(CONFIG))

    def table(self, spec: SheetSpec, *, required: bool = True, only: tuple[str, ...] | None = None
              ) -> Table:
        """Read a sheet (once). A missing sheet gives an empty table and a finding.

        ``only`` reads just those fields (a cheap look at a long log); the
        full table, once read, serves every later call.
        """
        if spec.name in self._tables:
            return self._tables[spec.name]
        cache = (spec.name, only)
        if only is not None and cache in self._partial:
            return self._partial[cache]
        sheet = self.sheet(spec)
        if sheet not in self.backend.sheet_names():
            self._mapped_elsewhere(spec, sheet)
            table = Table(spec, sheet, 1, {}, list(spec.headers),
                          pd.DataFrame(columns=[*spec.fields, "_row"]), exists=False)
            if required:
                table.findings.append(missing_sheet(spec, sheet, self.file, required=True))
        else:
            rows = self._raw.pop(sheet, None)
            if rows is None:
                rows = self._records_only(sheet, self.backend.read_sheet(sheet))
            own = None  # the header, mapped once: for the total rows, then for the table
            if not spec.generated and spec.key:  # the team's own sheet: a total row typed under the records
                own = map_header(rows, spec, self.config, lambda: self.backend.hidden_columns(sheet))
                rows = _typed_totals_blank(rows, spec, own[0], own[1])
            table = read_table(rows, spec, self.config, sheet=sheet, file=self.file,
                               date1904=self.backend.date1904, only=only, merged=self._merged(sheet),
                               own_header=own, hidden=lambda: self.backend.hidden_columns(sheet),
                               digit_formats=lambda cells: self.backend.digit_formats(sheet, cells),
                               known=self._codes)
            if only is None:  # the cells themselves go: a million-row sheet's cells outweigh its table
                self._extras[sheet] = _extras(rows, table)
            else:
                self._raw[sheet] = rows
            del rows
        if only is None:
            self._tables[spec.name] = table
            place = rules_at(table) if table.exists else None
            read_at = getattr(self.backend, "rules_read_at", None)  # both back ends; a test's stand-in may lack it
            if place is not None and read_at is not None:
                read_at(table.sheet, place)
            # jobs may edit table.frame in place: under Copy-on-Write (pandas 3) a shallow copy is a
            # snapshot that costs nothing until then
            self._as_read[table.sheet] = table.frame.copy(deep=False)
        else:
            self._partial[cache] = table
        return table

    def _codes(self, field: str) -> set[str]:
        """The values a column read by a guarded synonym may hold (``Column.guarded``), folded: a T&A's 'Factory'
        is its Vendor when it holds vendor codes (the Vendors sheet's, the styles'), not factory names."""
        if field != "vendor":
            return set()
        frames = [self.table(spec, required=False).frame["vendor"] for spec in (VENDORS, STYLES)]
        return {fold_text(v) for frame in frames for v in frame if not is_missing(v)} - {""}

    def records(self, spec: SheetSpec, *, required: bool = True
                ) -> tuple[Table, list[Record], list[int], list[Finding]]:
        """Valid records of a sheet, their Excel rows, and every finding about the sheet."""
        table = self.table(spec, required=required)
        records, rows, found = to_records(table, RECORDS[spec.name], self.file)
        return table, records, rows, table.findings + found

    def as_read(self, spec: SheetSpec) -> pd.DataFrame:
        """The sheet's rows as they were read, before any job of this run changed them."""
        table = self.table(spec, required=False)
        return self._as_read.get(table.sheet, table.frame)

    def remember(self, spec: SheetSpec, frame: pd.DataFrame) -> None:
        """A job's new table for a sheet, for the jobs after it in the same run."""
        self._staged[spec.name] = frame.reset_index(drop=True)

    def current(self, spec: SheetSpec, *, required: bool = False) -> pd.DataFrame:
        """The sheet's rows (fields + ``_row``) as this run will leave them."""
        if spec.name in self._staged:
            return self._staged[spec.name]
        return self.table(spec, required=required).frame

    def rows_moved(self, sheet: str, moved: dict[int, int], *, gone: Sequence[int] = ()) -> None:
        """The rows a staged rewrite moves (old Excel row -> new) and takes off (``gone``: archived), so
        findings read before it point where their cells will be, or at no row (``at_rows_now``)."""
        if moved or gone:
            self._moved[sheet] = {**moved, **dict.fromkeys(map(int, gone), 0)}

    def at_rows_now(self, findings: Sequence[Finding]) -> list[Finding]:
        """Findings about cells ('TBC' in a T&A Actual), found as a sheet was read, at the rows a rewrite of
        this run moves them to: the Issues link and the printed cell go to that milestone, not to the one that
        took its old row."""
        return [dataclasses.replace(f, row=self._moved[f.sheet][f.row] or None)  # 0: the row left the sheet
                if f.sheet in self._moved and f.row in self._moved[f.sheet] else f for f in findings]

    def was_remembered(self, spec: SheetSpec) -> bool:
        return spec.name in self._staged

    def peek(self, spec: SheetSpec) -> Table:
        """The sheet's header mapped, no data read: what appending rows needs."""
        if spec.name in self._tables:
            return self._tables[spec.name]
        head = getattr(self.backend, "head_rows", None)
        sheet = self.sheet(spec)
        if head is None or sheet not in self.backend.sheet_names():
            return self.table(spec, required=False)
        table = read_table(head(sheet), spec, self.config, sheet=sheet, file=self.file,
                           date1904=self.backend.date1904, only=(), merged=self._merged(sheet))
        # no header in the first rows: where a new one may go depends on all of them
        return self.table(spec, required=False) if table.new_header else table

    @overload
    def _records_only(self, sheet: str, rows: list[list[Any]]) -> list[list[Any]]: ...

    @overload
    def _records_only(self, sheet: str, rows: Iterable[list[Any]]) -> Iterable[list[Any]]: ...

    def _records_only(self, sheet: str, rows: Iterable[list[Any]]) -> Iterable[list[Any]]:
        """The sheet's rows with each Table's Total row read as blank: a sum (or a count, a label) under the
        data, not a PO line, a milestone or a logged change. The row stays where it is; the writers keep it
        under the data. Rows read a row at a time (a full log) stay a stream."""
        totals_of = getattr(self.backend, "total_rows", None)
        totals = totals_of(sheet) if totals_of is not None else ()
        if not totals:
            return rows
        if not isinstance(rows, list):
            return ([""] * len(row) if r in totals else row for r, row in enumerate(rows, 1))
        for r in totals:
            if r <= len(rows):
                rows[r - 1] = [""] * len(rows[r - 1])
        return rows

    def _merged(self, sheet: str) -> list[Merge]:
        """The sheet's merged ranges, where the back end can tell them (read once)."""
        if sheet not in self._merges:
            merged = getattr(self.backend, "merged_ranges", None)
            self._merges[sheet] = list(merged(sheet)) if merged is not None else []
        return self._merges[sheet]

    def _refuse_merged_headers(self) -> None:
        """Stop before any job runs (and writes a draft) on a sheet prodbook reads whose header row is
        merged, or an owned sheet it could not write into (no header, no room for one)."""
        head = getattr(self.backend, "head_rows", None)
        if head is None:
            return
        names = set(self.backend.sheet_names())
        for spec in ALL_SHEETS:
            sheet = self.sheet(spec)
            if sheet not in names:
                continue
            near = [m for m in self._merged(sheet) if m[0][0] < HEADER_SCAN_ROWS]
            if not near and not spec.generated:
                continue
            rows = head(sheet)
            check_merged_header(near, map_header(rows, spec, self.config)[0], sheet=sheet, file=self.file)
            if spec.generated:
                refusal = read_table(rows, spec, self.config, sheet=sheet, file=self.file, only=(),
                                     merged=near).refusal
                if refusal:
                    raise UserError(refusal, file=self.file, sheet=sheet)

    def address(self, sheet: str | None, column: str | None, row: int | None) -> str | None:
        """Excel address (F12) of a header's cell in a row of a sheet read in this run."""
        if row is None or sheet is None:
            return None
        for table in self._tables.values():
            if table.sheet != sheet:
                continue
            if column in table.headers:
                return f"{column_letter(table.headers.index(column))}{row}"
            # a rule names the field by prodbook's header ('Holiday Country'); the team's column ('Holidays')
            for col in table.spec.columns:
                if col.header == column and col.field in table.columns:
                    return f"{column_letter(table.columns[col.field])}{row}"
        return None

    def key_of(self, sheet: str | None, row: int | None) -> str | None:
        """The record at a row of a sheet read in this run, as the Issues Key column names it
        ('PO / Style / Color'); a sheet without a key is named by its first two columns."""
        if sheet is None or row is None:
            return None
        if sheet not in self._keys:
            self._keys[sheet] = {}
            for table in self._tables.values():
                if table.sheet == sheet and len(table.frame):
                    fields = [f for f in (table.spec.key or table.spec.fields[:2]) if f in table.columns]
                    if fields:
                        texts = (shown_key(v) for v in zip(*(table.frame[f] for f in fields)))
                        self._keys[sheet] = {int(r): t for r, t in zip(table.frame["_row"], texts) if t}
                    break
        return self._keys[sheet].get(int(row))

    def release(self) -> None:
        """Let go of every table read or remembered: the writes are staged, and a million-row T&A's frames
        are not needed while the file is written. Only ``changes`` stay."""
        for held in (self._tables, self._partial, self._raw, self._staged, self._as_read, self._keys, self._extras,
                     self._written):
            held.clear()

    def mark(self) -> TrackerMark:
        """What this run has staged and logged so far, for ``back_to``."""
        staged = getattr(self.backend, "mark", None)
        return TrackerMark(staged() if staged is not None else None, len(self.changes), len(self.notes),
                           len(self.before_save), dict(self._rewritten), dict(self._edited), dict(self._staged),
                           {k: dict(v) for k, v in self._moved.items()})

    def back_to(self, mark: TrackerMark) -> None:
        """Take back what a step staged and logged since ``mark``: a step that stopped on an unexpected problem
        writes nothing, as the run says. A table it changed in place stays so for the steps after it (read
        again, it would lose what the steps before it changed in place too)."""
        back = getattr(self.backend, "back_to", None)  # both back ends stage alike (``Staging``)
        if mark.staged is not None and back is not None:
            back(mark.staged)
        del self.changes[mark.changes:]
        del self.notes[mark.notes:]
        del self.before_save[mark.before_save:]
        self._rewritten, self._edited, self._staged = dict(mark.rewritten), dict(mark.edited), dict(mark.staged_frames)
        self._moved = {k: dict(v) for k, v in mark.moved.items()}

    # -- writing -----------------------------------------------------------------------------
    def replace_rows(self, table: Table, rows: pd.DataFrame, fields: Sequence[str],
                     source_rows: Sequence[int | None] | None = None, *, keep_rows: int = 0,
                     drop_rows: int = 0, force: bool = False, grow_ranges: bool = False) -> None:
        """Stage a generated sheet: ``rows`` (fields) become its data rows (with ``keep_rows``: go below the
        rows kept; ``grow_ranges``: the team's ranges over the data grow with them, ``SheetRewrite``).

        Columns not in ``fields`` (user columns, the team's extra columns) are
        carried from ``source_rows``. A sheet that does not exist yet is
        created in the default layout, as an Excel Table; one holding only a
        title gets the whole header below it. A column the sheet lacks goes
        past every cell read, and the writer puts its header exactly there. A sheet that already reads
        exactly so is not written, unless ``force`` (its links point elsewhere now).
        """
        if table.refusal:
            raise UserError(table.refusal, file=self.file, sheet=table.sheet)
        if keep_rows == 0:  # every generated sheet, before anything is written (the Change Log checks its own)
            self.check_fits(table, len(rows), f"its header and {len(rows):,} rows of data")
        data = RowsByColumn([column_values(rows[f]) for f in fields]) if len(rows) else RowsByColumn([])
        if table.new_header:  # an owned sheet holding only a title (or a note): the whole header below it
            if table.notice is not None and table.notice not in self.notes:
                self.notes.append(table.notice)
            self._rewritten[table.sheet] = None
            self.backend.stage(SheetRewrite(
                sheet=table.sheet, header_row=table.header_row,
                columns=tuple(table.spec.fields.index(f) for f in fields), rows=data,
                append_headers=table.spec.headers, append_at=0, keep_rows=keep_rows, look=self.look(table.spec)))
            return
        if not table.exists:
            self.check_can_add(table.sheet, hidden=table.spec.hidden)
            index = [table.spec.fields.index(f) for f in fields]
            self._rewritten[table.sheet] = None
            self.backend.stage(SheetRewrite(sheet=table.sheet, header_row=1, columns=tuple(index),
                                            rows=data, create_headers=table.spec.headers,
                                            hidden=table.spec.hidden, look=self.look(table.spec)))
            return
        before = self._as_read.get(table.sheet)
        if (before is not None and not force and keep_rows == 0 and source_rows is not None and len(data) == len(before)
                and list(source_rows) == list(before["_row"]) and all(f in table.columns for f in fields)
                and _holds(data, before, fields)):
            self.backend.unstage(table.sheet)  # the sheet already holds exactly this: nothing to write
            self._rewritten.pop(table.sheet, None)
            return
        columns: list[int] = []
        appended: list[str] = []
        width = len(table.headers)  # past every cell read: a new column never lands on the user's data
        for f in fields:
            if f in table.columns:
                columns.append(table.columns[f])
            else:
                appended.append(table.spec.column(f).header)
                columns.append(width + len(appended) - 1)
        self._rewritten[table.sheet] = None
        self.backend.stage(SheetRewrite(
            sheet=table.sheet, header_row=table.header_row, columns=tuple(columns), rows=data,
            source_rows=tuple(source_rows) if source_rows is not None else None,
            append_headers=tuple(appended), append_at=width if appended else None, keep_rows=keep_rows,
            drop_rows=drop_rows, grow_ranges=grow_ranges, look=self.look(table.spec)))

    def check_fits(self, table: Table, data_rows: int, what: str) -> None:
        """Refuse a sheet that would pass Excel's row limit, before anything is written: Excel would not
        open the file, and no writer can keep the rows past the limit."""
        last = (table.header_row if table.exists else 1) + data_rows
        if last > SHEET_ROWS:
            raise UserError(
                f"'{table.sheet}' would need {last:,} rows ({what}), and an Excel sheet holds "
                f"{SHEET_ROWS:,}. Nothing was written. Archive a finished season (move its orders to a "
                "workbook of their own) or split the tracker (by division or by vendor), then run again",
                file=self.file, sheet=table.sheet)

    def check_can_add(self, sheet: str, hidden: bool = False) -> None:
        """Refuse to add a sheet to a workbook whose structure is protected, before anything is written: Excel
        lets nobody add one there, and prodbook does no more than the APM could."""
        if self.backend.structure_locked:
            what = "the hidden sheet prodbook keeps its records in, " if hidden else "the sheet "
            raise UserError(
                f"this run needs to add {what}'{sheet}', and the workbook's structure is protected "
                "(Review > Protect Workbook), so no sheet can be added. Nothing was written. Choose Review > "
                "Protect Workbook to unprotect it (it asks for the password if it has one), run prodbook "
                "again, then protect the workbook again", file=self.file, sheet=sheet)

    def locked(self, sheet: str, cells: Sequence[tuple[int, int]]) -> set[tuple[int, int]]:
        """Of these cells of the user's own sheet (Excel row, 0-based column), those its protection keeps
        the APM from typing into: prodbook changes no cell they could not."""
        return self.backend.locked_cells(sheet, cells) if cells else set()

    def formulas(self, sheet: str, cells: Sequence[tuple[int, int]]) -> dict[tuple[int, int], str]:
        """Of these cells of the user's own sheet, those holding a formula (its text): prodbook types no
        value over one."""
        return self.backend.formulas(sheet, cells) if cells else {}

    def rule_broken(self, sheet: str, row: int, column: int, value: Value) -> str | None:
        """What the cell takes, when its data validation would stop ``value`` typed there (Excel's Stop
        alert); None when it passes or has no rule: prodbook writes no value the APM could not type."""
        rule = self.backend.cell_rule(sheet, row, column)
        return None if rule is None else breaks(rule, value)

    def unprotect_advice(self, sheet: str, again: str = "run prodbook again") -> str:
        """What to do about a protected sheet, for a message: whether it asks for a password."""
        protection = self.backend.protection(sheet)
        asks = ("; it asks for the password, so ask whoever protected it" if protection and protection.password
                else "")
        return f"unprotect '{sheet}' (Review > Unprotect Sheet{asks}), {again}, then protect it again"

    def edit_cell(self, sheet: str, row: int, column: int, value: Value) -> None:
        """Stage one cell: a value on the user's own sheet, or one cell of a row a generated sheet keeps.
        The caller logs the change (``log``), so undo can put it back."""
        self._edited[sheet] = None
        self.backend.edit(CellEdit(sheet, row, column, value))

    def edit_column(self, sheet: str, column: int, rows: Sequence[int], values: Sequence[Value]) -> None:
        """Stage many cells of one column (the T&A's changed dates) as one edit, not one per cell.
        The caller logs the changes."""
        self._edited[sheet] = None
        self.backend.edit(ColumnEdit(sheet, column, rows, values))

    @property
    def sheets_written(self) -> list[str]:
        """The sheets this run stages a write to, in the order first staged: what the message names when
        no value of the user's changed (the Issues sheet brought up to date)."""
        return list(dict.fromkeys([*self._rewritten, *self._edited]))

    def look(self, spec: SheetSpec) -> SheetLook:
        """How a sheet prodbook creates looks (and the columns it appends to one that exists)."""
        return look_for(spec, self.config.date_format)

    def cell_as_written(self, sheet: str, row: int, column: int) -> Any:
        """A cell as the workbook holds it, before its column's kind read it: 'TBC' in a Qty column, which
        the table holds as blank. The sheet is read again for the first such cell of a run, then kept."""
        if sheet not in self._written:
            self._written[sheet] = self.backend.read_sheet(sheet)
        rows = self._written[sheet]
        return rows[row - 1][column] if 0 < row <= len(rows) and column < len(rows[row - 1]) else None

    def extra_cells(self, table: Table, row: int) -> dict[str, Any]:
        """A row's non-blank cells outside prodbook's columns (the team's extra columns), by header.

        A column without a header is named by its letter. Only a sheet read in this run has them.
        """
        out: dict[str, Any] = {}
        for c, v in self._extras.get(table.sheet, {}).get(row, ()):
            out[table.header_at(c)] = cell_value(v)
        return out

    def removed_rows(self, table: Table, records: Iterable[dict[str, Any]]) -> list[Change]:
        """Change Log lines for rows this run takes off a generated sheet: every value each had.

        Each of ``records`` is a row as read (fields and ``_row``); the team's extra columns come along, so
        undo puts the row back whole (see ``prodbook.core.row_snapshot``). A formula of the team's there is
        logged as a formula (its text and last value), not as the value it showed: the formulas of only these
        rows are read, all at once (a sheet may hold a million rows).
        """
        spec = table.spec
        records = list(records)
        of_rows = self.extra_rows(table, [int(r["_row"]) for r in records])
        out: list[Change] = []
        for record in records:
            row = int(record["_row"])
            extras = of_rows.get(row, {})
            cells = sorted([(table.columns[f], spec.column(f).header, cell_value(record.get(f)))
                            for f in spec.fields if f in table.columns]
                           + [(table.headers.index(h) if h in table.headers else 1 << 20, h, v)
                              for h, v in extras.items()], key=lambda t: t[0])
            text = row_snapshot.encode({h: v for _, h, v in cells}, row)
            key = key_text(record.get(k) for k in spec.key)
            pieces = row_snapshot.split(text)
            out += [Change(table.sheet, key, REMOVED if i == 0 else REMOVED_MORE, p, part_tag(i + 1, len(pieces), row))
                    for i, p in enumerate(pieces)]
        return out

    def extra_rows(self, table: Table, rows: Sequence[int]) -> dict[int, dict[str, Any]]:
        """Each of these rows' non-blank cells outside prodbook's columns (``extra_cells``), a formula of the
        team's as a ``Formula`` (its text, and the value it showed as its result), not the value alone: the
        formulas of only these rows are read, all at once (a sheet may hold a million rows)."""
        formulas = self._extra_formulas(table, rows)
        out: dict[int, dict[str, Any]] = {}
        for row in rows:
            extras = self.extra_cells(table, row)
            for c, text in formulas.get(row, {}).items():
                header = table.header_at(c)
                extras[header] = Formula(text, result=cast(Any, extras.get(header)))
            if extras:
                out[row] = extras
        return out

    def _extra_formulas(self, table: Table, rows: Sequence[int]) -> dict[int, dict[int, str]]:
        """Excel row -> (column, formula text) of these rows' formulas outside the table's mapped columns (the
        team's own), as the back end reads them: a formula showing a blank is one too."""
        mapped = set(table.columns.values())
        held = self._extras.get(table.sheet, {})
        width = max([len(table.headers), *(c + 1 for r in rows for c, _ in held.get(r, ()))])
        extra = [c for c in range(width) if c not in mapped]
        out: dict[int, dict[int, str]] = {}
        if not table.exists or not extra or not rows:
            return out
        for (r, c), text in self.formulas(table.sheet, [(r, c) for r in rows for c in extra]).items():
            out.setdefault(r, {})[c] = text
        return out

    def log(self, changes: Iterable[Change]) -> None:
        self.changes.extend(changes)

    def stage_change_log(self, action: str, when: datetime) -> None:
        """Append this run's changes to the Change Log sheet, moving its oldest actions out when it is full."""
        if not self.changes:
            return
        log = self.peek(CHANGE_LOG)
        changes = self.changes
        new = pd.DataFrame({"timestamp": [when] * len(changes), "action": action,
                            "sheet": [c.sheet for c in changes], "key": [c.key for c in changes],
                            "field": [c.field for c in changes], "old": log_values(c.old for c in changes),
                            "new": log_values(c.new for c in changes), "user": self.user},
                           columns=list(CHANGE_LOG.fields))
        room = SHEET_ROWS - (log.header_row if log.exists else 1)
        last_row = getattr(self.backend, "last_row", None)
        held = max(0, last_row(log.sheet) - log.header_row) if log.exists and last_row is not None else 0
        # the file's size limits (a 2,000-line tracker's log passes Max Unpacked MB in about a month, long
        # before Excel's row limit): the next run would refuse the file, so the log moves out before that
        part_sizes = getattr(self.backend, "part_sizes", None)
        sizes = part_sizes(log.sheet) if log.exists and part_sizes is not None else None
        fits = room if sizes is None else min(room, max(rows_within(sizes, held), len(new)))
        # an undo moves out no run Undo last could still reach while the log stays inside UNDO_SHARE of the limits
        most = fits if sizes is None else min(room, max(int(fits * UNDO_SHARE / GROWTH_SHARE), len(new)))
        undoing = action[len(UNDO):] if action.startswith(UNDO) else None
        if held + len(new) <= fits:  # the usual day: one streamed scan of the log, no cell read
            if 0 < held <= EMPTY_TABLE_ROWS and self._nothing_below_header(log):
                # a log with no row logged yet, in a Table Excel gave an empty row: the rows go there (else
                # the log would keep a blank first row, and a full log could not be moved as it is)
                self.replace_rows(log, new, CHANGE_LOG.fields)
                return
            self.replace_rows(log, new, CHANGE_LOG.fields, keep_rows=APPEND)
            return
        self._rotate_change_log(new, fits, sizes if held + len(new) <= room else None, undoing, most)

    def _nothing_below_header(self, log: Table) -> bool:
        """Are the log's rows below its header all blank (a Table's empty first row, formatted rows)?"""
        return all(_blank(v) for row in self.backend.read_sheet(log.sheet)[log.header_row:] for v in row)

    def _rotate_change_log(self, new: pd.DataFrame, room: int, sizes: PartSizes | None = None,
                           undoing: str | None = None, most: int | None = None) -> None:
        """The log is full: its oldest actions go to a workbook beside the tracker (written before the save,
        ``before_save``), the rest stay with this run's rows below them.

        The jobs' tables are let go first (their writes are staged). When the actions that go are the log's
        first rows (prodbook appends), only two columns are read to find them (``_move_first_runs``) and
        the rows are copied as they are; otherwise the log is read a row at a time into one list per field:
        a full log is a million rows. ``sizes``: the log is full by the file's size limits, not by Excel's
        rows (the note says which). ``undoing``, ``most``: this run is that run's undo, which moves out no run Undo
        last could still reach while the log holds up to ``most`` rows (``actions_to_move``): then the rows are
        only appended.
        """
        self.release()
        log = self.peek(CHANGE_LOG)
        if self._move_first_runs(log, new, room, sizes, undoing, most):
            return
        rows_of = getattr(self.backend, "iter_rows", None)
        rows: Iterable[Sequence[Any]] = ()  # no log yet: only this run's rows, which may not fit alone
        if log.exists:
            rows = self._records_only(log.sheet, rows_of(log.sheet) if rows_of is not None
                                      else self.backend.read_sheet(log.sheet))
        fields = list(CHANGE_LOG.fields)
        held = read_log(rows, log.header_row, log.columns, fields)
        groups = oldest_actions_first(held.fields["action"], held.fields["timestamp"])
        n = actions_to_move(groups, len(new), room, undoing, most)
        if n is None:
            raise self._beyond_log(log, len(new), room)
        if n == 0:
            self.replace_rows(log, new, fields, keep_rows=APPEND)
            return
        path = getattr(self.backend, "path", None)
        if path is None:  # a back end with no file (a test's stand-in) cannot keep the rows elsewhere
            raise UserError(f"the '{log.sheet}' sheet is full; save its older rows elsewhere and delete them, "
                            "then run again. Nothing was written", file=self.file, sheet=log.sheet)
        leaving = {a for a, _ in groups[:n]}
        moving = np.fromiter((("" if a is None else str(a)) in leaving for a in held.fields["action"]),
                             dtype=bool, count=len(held.rows))
        at, stay = np.flatnonzero(moving).tolist(), np.flatnonzero(~moving).tolist()
        headers, extra = _moved_headers(log, held, fields)
        stamps = pd.to_datetime(pd.Series([held.fields["timestamp"][i] for i in at], dtype=object),
                                errors="coerce", format="mixed")
        copy = None
        changed = getattr(self.backend, "changed_since_read", None)
        if at and at[-1] == len(at) - 1 and changed is not None:  # the log's first rows: copied as they are
            copy = RowsInFile(Path(path), log.sheet, log.header_row, held.rows[at[-1]], lambda: not changed())
        file = archive_file(archive_path(Path(path), stamps.max()),
                            lambda: (headers, moved_rows(held, fields, at, extra)),
                            self.look(CHANGE_LOG), Path(path).name, copy)
        self.before_save.append(file)
        kept = pd.DataFrame({f: [held.fields[f][i] for i in stay] for f in fields}, columns=fields)
        both = pd.concat([kept, new], ignore_index=True) if len(kept) else new
        self.replace_rows(log, both, fields, [*(held.rows[i] for i in stay), *([None] * len(new))])
        self._note_moved(log, len(at), [a for a, _ in groups[:n] if a], file, len(new), room, sizes)

    def _move_first_runs(self, log: Table, new: pd.DataFrame, room: int, sizes: PartSizes | None,
                         undoing: str | None = None, most: int | None = None) -> bool:
        """Move the oldest actions out when they are the log's first rows, reading only its action and time
        columns (``log_runs``): the rows that go are copied into their workbook as they are, and the rows
        that stay move up as they are (``drop_rows``). False where the log must be read the full way: a back
        end without the look, a log of another shape, a sorted log, rows that must not move up as they are.
        From the add-in the rows that go are read (they are not in the file on disk, which is as the APM last
        saved it) and Excel deletes them."""
        runs_of = getattr(self.backend, "log_runs", None)
        rows_of = getattr(self.backend, "iter_rows", None)
        changed = getattr(self.backend, "changed_since_read", None)  # a file as it was read: rows copied
        path = getattr(self.backend, "path", None)
        columns = log.columns
        if runs_of is None or rows_of is None or path is None:
            return False
        if not log.exists or "action" not in columns or "timestamp" not in columns:
            return False
        found = runs_of(log.sheet, log.header_row, columns["action"], columns["timestamp"])
        if found is None:
            return False
        runs = found.runs
        groups = oldest_actions_first([r.action for r in runs], [r.stamp for r in runs], [r.rows for r in runs])
        n = actions_to_move(groups, len(new), room, undoing, most)
        if n is None:
            raise self._beyond_log(log, len(new), room)
        if n == 0:  # an undo that moves out no run it could still reach: its rows are appended
            self.replace_rows(log, new, list(CHANGE_LOG.fields), keep_rows=APPEND)
            return True
        leaving = {a for a, _ in groups[:n]}
        first = next((i for i, r in enumerate(runs) if r.action not in leaving), len(runs))
        if not n or any(r.action in leaving for r in runs[first:]):
            return False  # a sorted log: what moves is not its first rows
        moved = sum(r.rows for r in runs[:first])
        drop = found.first_row - log.header_row - 1 + moved  # blank rows above the first logged go too
        fields = list(CHANGE_LOG.fields)

        def values() -> tuple[list[str], RowsByColumn]:
            """The rows that move, from their values, read no further down than they go: where they cannot
            be copied."""
            held = read_log(self._records_only(log.sheet, rows_of(log.sheet, log.header_row + drop)),
                            log.header_row, columns, fields)
            headers, extra = _moved_headers(log, held, fields)
            return headers, moved_rows(held, fields, range(moved), extra)

        copy = None if changed is None else RowsInFile(Path(path), log.sheet, log.header_row,
                                                       found.first_row + moved - 1, lambda: not changed())
        file = archive_file(archive_path(Path(path), max(r.stamp for r in runs[:first])), values,
                            self.look(CHANGE_LOG), Path(path).name, copy)
        self.before_save.append(file)
        # the archive keeps the blank rows it moves, as the rows it copies
        self.replace_rows(log, new, fields, keep_rows=APPEND, drop_rows=drop)
        self._note_moved(log, moved, [a for a, _ in groups[:n] if a], file, len(new), room, sizes)
        return True

    def _beyond_log(self, log: Table, new: int, room: int) -> UserError:
        """This run's rows alone pass the log's room: nothing can be moved to make it fit."""
        return UserError(
            f"this run changes {new:,} values, more than the '{log.sheet}' sheet holds "
            f"({room:,} rows below its header), so it could not be logged. Nothing was written. Split "
            "the tracker (by division or by vendor) or archive a finished season, then run again",
            file=self.file, sheet=log.sheet)

    def _note_moved(self, log: Table, moved: int, actions: list[str], file: StagedFile, new: int, room: int,
                    sizes: PartSizes | None) -> None:
        """Say where the rows went and why, the same whichever way they were read."""
        newest = actions[-1] if actions else ""
        full = (f"nearly full (Excel holds {SHEET_ROWS:,} rows a sheet)" if sizes is None else
                f"growing towards the size prodbook reads safely (Max Part MB {sizes.limits.part_mb:,}, Max "
                f"Unpacked MB {sizes.limits.unpacked_mb:,})")
        often = ""
        if sizes is not None and room < CROWDED_RUNS * new:  # the other sheets leave the log little room
            often = (". The workbook's other sheets fill most of that, so the log would move out every few runs: "
                     "raise Max Unpacked MB in prodbook.toml beside the workbook (README section 6)")
        self.notes.append(info(
            Code.LOG_ROWS_MOVED, f"The Change Log was {full}: its "
            f"{moved:,} oldest rows ({len(actions):,} action(s), up to '{newest}') "
            f"moved to '{file.path.name}' beside the workbook. Undo reaches the actions still in the log{often}",
            file=self.file, sheet=log.sheet))


def _moved_headers(log: Table, held: LogColumns, fields: Sequence[str]) -> tuple[list[str], list[int]]:
    """The moved rows' headers (the log's fields, then the team's own columns any row holds), and those
    columns."""
    extra = sorted({c for cells in held.extras.values() for c, _ in cells})
    return [log.header_of(f) for f in fields] + [log.header_at(c) for c in extra], extra


def _extras(rows: Sequence[Sequence[Any]], table: Table) -> dict[int, list[tuple[int, Any]]]:
    """Excel row -> (column, value) of its non-blank cells outside the table's mapped columns."""
    mapped = set(table.columns.values())
    width = max(map(len, rows), default=0)
    extra = [c for c in range(width) if c not in mapped]
    out: dict[int, list[tuple[int, Any]]] = {}
    if not extra:
        return out
    for r, row in enumerate(rows, 1):
        cells = [(c, row[c]) for c in extra if c < len(row) and not _blank(row[c])]
        if cells:
            out[r] = cells
    return out


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (service accounts, containers)
        return "prodbook"


def _typed_totals_blank(rows: list[list[Any]], spec: SheetSpec, header_row: int,
                        mapped: dict[str, int]) -> list[list[Any]]:
    """A total row the team typed under its records, not made with Excel's Table Total Row: a label such as
    'TOTAL', 'Grand Total' or 'TTL' in a key column (PO #, Style #), the other key columns blank, is a sum under
    the data, not a PO line missing its style and colour: read as blank, as a Table's Total row is. The row
    stays as it is; prodbook writes nothing into the team's own sheets but the cells it changes.
    ``header_row``, ``mapped``: the sheet's header as ``map_header`` found it (1-based row, field -> column), the
    one ``read_table`` then reads the rows by: a total row in the rows read, none missed for another mapping;
    blanking rows under the header does not change it."""
    if not {"po", "style"} & set(spec.key):  # a vendor code may well be 'TTL': only PO and style sheets
        return rows
    keys = [mapped[f] for f in spec.key if f in mapped]
    if header_row == 0 or not keys:
        return rows
    rows = rows if isinstance(rows, list) else list(rows)
    for r in range(header_row, len(rows)):
        row = rows[r]
        labels = [row[c] for c in keys if c < len(row) and not is_blank(row[c])]
        if labels and all(total_label(v) for v in labels):
            rows[r] = [""] * len(row)
    return rows


def rules_at(table: Table) -> RulePlace | None:
    """Where the colour rules of a sheet read, for one an earlier prodbook may have given rules since changed
    (``looks.RETIRED_RULES``); None for the others, whose rules prodbook never changed."""
    if not retired_for(table.spec.name):
        return None
    return RulePlace(table.spec.name, tuple((table.spec.column(f).header, c) for f, c in table.columns.items()
                                           if f in table.spec.fields),
                     table.header_row)
