"""Apply the fixes the APM accepted on the Issues sheet (``prodbook apply``, the ribbon's Apply fixes).

Each Issues row whose Accept column says Yes and which proposes a value has that value written into its
cell on the Styles, Orders, Lab Dips or Samples sheet, logged in the Change Log so ``prodbook undo`` puts the old
value back. The row is found by its key (a Samples row, which has none, by its identity: ``_not_one``), never by
the row number it was on when checked, so a sort in between is safe.
A cell changed since the issue was found is left alone and reported (one that holds the Proposed Value
already, typed by hand, closes its row). Accepting an adopted style's change renews its lock on the Style
Snapshot sheet. The rules that run after it in the same run (validate) read the tables as this job left them:
the tracker holds one copy of each table per run.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any, cast

from prodbook.core.cells import CellError, DateOrder, column_letter, is_missing, to_date, to_int, to_number
from prodbook.core.changes import Change, as_logged_number, log_text, same_logged
from prodbook.core.findings import Code, Finding, UserError, info, warning
from prodbook.core.keys import key_match, key_text
from prodbook.core.model.sheets import ALL_SHEETS, ISSUES, STYLE_SNAPSHOT, STYLES, Kind, SheetSpec
from prodbook.core.open_findings import decision, dismissed
from prodbook.core.where import records
from prodbook.jobs.base import ACTION_NAMES, Context, Outcome
from prodbook.jobs.issues_job import shown
from prodbook.workbook.tables import Table
from prodbook.workbook.tracker import Tracker

YES = frozenset({"y", "yes", "x", "true", "1", "ok", "accept", "accepted", "apply", "resolve", "resolved",
                 "✓", "✔", "☑", "✅", "si", "sí", "oui", "ja", "da", "sim"})


def accept_word(value: Any) -> str:
    """An Accept cell as a word (``open_findings.decision``): 'Yes.', ' YES ' and 'ＹＥＳ' are 'yes'."""
    return decision(value) if isinstance(value, str) else ""


def _spec_named(tracker: Tracker, sheet: str) -> SheetSpec | None:
    return next((s for s in ALL_SHEETS if tracker.sheet(s).lower() == str(sheet).lower()), None)


def _convert(kind: Kind, text: str, order: DateOrder, date1904: bool) -> Any:
    """A Proposed Value as the cell's kind: a text date read in the tracker's Date Order (03/05/2027 is
    3 May in a day-first tracker, as the same text on its Orders sheet is). A ``CellError`` for a value the
    workbook cannot hold (1E400; a date before 1904 in a 1904 workbook): it would stop the save, and the other
    fixes with it."""
    if kind is Kind.DATE:
        return to_date(text, order, date1904)
    if kind is Kind.INT:
        return to_int(text)
    if kind is Kind.NUMBER:
        if (n := to_number(text)) is not None and not math.isfinite(n):
            raise CellError(f"'{text}' is larger than any number Excel holds")
        return n
    return text


def accepted(tracker: Tracker) -> list[dict[str, Any]]:
    """Issues rows whose Accept column says Yes."""
    issues = tracker.table(ISSUES, required=False)
    if not issues.exists or "accept" not in issues.columns:
        return []
    return [r for r in records(issues.frame) if accept_word(r.get("accept")) in YES]


def unread_accepts(tracker: Tracker) -> list[Finding]:
    """Accept cells that say neither Yes nor Dismiss ('Done', 'agreed'): named, so a decision typed in other
    words is not left waiting in silence."""
    issues = tracker.table(ISSUES, required=False)
    if not issues.exists or "accept" not in issues.columns:
        return []
    return [info(Code.FIX_NOT_APPLIED, f"Accept says '{r.get('accept')}', which prodbook does not read as a "
                 "decision: type Yes to apply the Proposed Value, or Dismiss (or No) to close the row",
                 file=tracker.file, sheet=issues.sheet, row=int(r["_row"]), column="Accept", value=r.get("accept"))
            for r in records(issues.frame)
            if (word := accept_word(r.get("accept"))) and word not in YES and not dismissed(word)]


def apply_fixes(tracker: Tracker, ctx: Context) -> Outcome:
    """Apply the Issues rows the APM accepted: write each proposed value into its cell, logged.

    A cell whose value changed since the issue was found is left alone and reported. Accepting
    an adopted style's change updates its lock on the Style Snapshot sheet.
    """
    rows = accepted(tracker)
    findings: list[Finding] = unread_accepts(tracker)
    changes: list[Change] = []
    applied = 0
    resolved: list[int] = []
    relocked = False
    issues_sheet = tracker.sheet(ISSUES)
    for r in rows:
        where = {"file": tracker.file, "sheet": issues_sheet, "row": int(r["_row"]), "column": "Accept",
                 "value": r.get("accept")}
        if r.get("code") == str(Code.ADOPTED_CHANGED):
            # accepting the change locks the value the cell holds, the one the row showed; a Proposed Value
            # the APM typed is written first, then locked (the plain fix below)
            stale, _ = _locate(tracker, {k: None if is_missing(v) else v for k, v in r.items()}, where)
            if stale:
                findings += stale
                continue
            typed = not is_missing(r.get("proposed")) and str(r.get("proposed")).strip() and not same_logged(
                r.get("proposed"), r.get("value"))
            if not typed:
                done = _relock(tracker, r, ctx.today)
                if done is None:
                    findings.append(warning(Code.FIX_NOT_APPLIED, "not applied: the locked value of this style "
                                            "and column is no longer on the Style Snapshot sheet", **where))
                else:
                    changes += done
                    applied += 1
                    resolved.append(int(r["_row"]))
                    relocked = True
                continue
        if r.get("proposed") in (None, ""):
            todo = ("a colour name is corrected by the vendor, not in the tracker: ask the vendor to use yours, "
                    "then Dismiss the row" if r.get("code") == str(Code.DIFF_COLOR) else "type the value the cell "
                    "should hold in Proposed Value and apply again, or correct the cell yourself")
            findings.append(info(Code.FIX_NOT_APPLIED, f"nothing to apply on this row: it has no Proposed Value; "
                                 f"{todo}", **where))
            continue
        found, change = _apply_one(tracker, r, where)
        findings += found
        if not found and change is None:  # the cell holds the Proposed Value already: done, nothing to write
            findings.append(info(Code.FIX_NOT_APPLIED, f"nothing to write: {r.get('field')} of '{r.get('key')}' on "
                                 f"'{r.get('sheet')}' already holds the Proposed Value '{r.get('proposed')}'; the "
                                 "row is closed", **where))
        elif change:
            changes.append(change)
            applied += 1
        if change or not found:
            resolved.append(int(r["_row"]))  # done: the row leaves the Issues sheet
            if str(r.get("sheet")).lower() == tracker.sheet(STYLES).lower():  # the review of a locked field
                new = log_text(change.new) if change else r.get("proposed")
                lock = _relock(tracker, {**r, "value": new}, ctx.today)
                if lock is not None:
                    changes += lock
                    relocked = True
    if relocked:
        snap = tracker.table(STYLE_SNAPSHOT, required=False)
        tracker.replace_rows(snap, snap.frame, list(STYLE_SNAPSHOT.fields),
                             [int(x) for x in snap.frame["_row"]])
    tracker.log(changes)
    summary = [f"Applied {applied} accepted fix(es) of {len(rows)} row(s) marked Accept on "
               f"'{issues_sheet}'." if rows else f"No row of '{issues_sheet}' says Yes in Accept: nothing "
               "to apply."]
    return Outcome(ACTION_NAMES["apply"], findings, changes, summary=summary, data={"applied": applied},
                   resolved=tuple(resolved))


def _locate(tracker: Tracker, r: dict[str, Any], where: dict[str, Any]
            ) -> tuple[list[Finding], tuple[Table, int, str, int] | None]:
    """The cell an Issues row is about (its table, frame row, field and column), or why it cannot be
    changed: its sheet is not the user's, its row or column is gone, or the cell changed since. Neither (no
    finding, no cell): the cell holds the Proposed Value already."""
    spec = _spec_named(tracker, r.get("sheet") or "")
    if spec is None or spec.generated or not spec.named_by:
        return [warning(Code.FIX_NOT_APPLIED, f"not applied: prodbook applies fixes to the sheets you keep "
                        f"(Styles, Orders, Lab Dips, Samples...), not to '{r.get('sheet')}', which it writes itself or "
                        "no longer finds: correct the cell yourself", **where)], None
    table = tracker.table(spec, required=False)
    header = r.get("field")
    col = next((c for f, c in table.columns.items() if table.headers[c] == header), None)
    field_name = next((f for f, c in table.columns.items() if c == col), None)
    # as the Issues sheet names a record (``keys.shown_key``), and as older runs did (blank parts and all)
    keys = [key_match(key_text(v)).upper() for v in table.frame[list(spec.named_by)].itertuples(index=False)]
    want = key_match(r.get("key")).upper()
    if not spec.key and (said := _not_one(table, keys, want, field_name, r)):  # Samples: found by its identity
        return [warning(Code.FIX_NOT_APPLIED, said, **where)], None
    no_key = "no " + " / ".join(table.header_of(k) for k in spec.key)  # a row found with its key blank
    if field_name is None or col is None or want not in keys:
        row_named = f"the row '{r.get('key')}'" if want else f"the row with {no_key}"
        return [warning(Code.FIX_NOT_APPLIED, f"not applied: {row_named} or its column "
                        f"'{header}' is no longer on '{table.sheet}'", **where)], None
    if keys.count(want) > 1 and not want:
        return [warning(Code.FIX_NOT_APPLIED, f"not applied: more than one row of '{table.sheet}' has {no_key}, "
                        "so prodbook cannot tell which one this row is about; type the value into the cell "
                        "yourself (Cell says where it was found), then run validate again", **where)], None
    if keys.count(want) > 1:
        return [warning(Code.FIX_NOT_APPLIED, f"not applied: '{r.get('key')}' is on more than one row of "
                        f"'{table.sheet}'; fix the duplicate first", **where)], None
    i = keys.index(want)
    current = log_text(table.frame.at[i, field_name])
    # a cell its kind could not read ('TBC' in Qty, a pasted #N/A), as Issues shows it ('#N/A (Excel error)')
    if current is None and r.get("value") not in (None, ""):
        current = shown(tracker.cell_as_written(table.sheet, int(cast(Any, table.frame.at[i, "_row"])), col))
    if (current or "") != (r.get("value") or "") and not _same_number(current, r.get("value")):
        if r.get("proposed") not in (None, "") and (current == log_text(r["proposed"])
                                                     or _same_number(current, r["proposed"])):
            return [], None  # typed in by hand since: nothing to write (the caller closes the row)
        was, now = (f"'{v}'" if v not in (None, "") else "blank" for v in (r.get("value"), current))
        return [warning(Code.FIX_NOT_APPLIED, f"not applied: the cell changed since the issue was found (it "
                        f"was {was}, now {now}); run validate again and re-check",
                        **where)], None
    return [], (table, i, field_name, col)


def _apply_one(tracker: Tracker, r: dict[str, Any], where: dict[str, Any]
               ) -> tuple[list[Finding], Change | None]:
    r = {k: None if is_missing(v) else v for k, v in r.items()}  # a blank Issues cell reads as NaN
    found, cell = _locate(tracker, r, where)
    if cell is None:
        return found, None
    table, i, field_name, col = cell
    spec = table.spec
    kind = spec.column(field_name).kind
    row = int(cast(Any, table.frame.at[i, "_row"]))
    try:
        new = _convert(kind, str(r["proposed"]), tracker.config.date_order, tracker.backend.date1904)
    except CellError as exc:
        return [warning(Code.FIX_NOT_APPLIED, f"not applied: the Proposed Value cannot go in cell "
                        f"{column_letter(col)}{row} of '{table.sheet}' ({exc}); correct the Proposed Value, then "
                        "apply the fixes again", **where)], None
    old = table.frame.at[i, field_name]
    if is_missing(old):  # 'TBC' in a date or number column reads as blank: logged as written, so undo puts it
        old = tracker.cell_as_written(table.sheet, row, col)  # back
    elif kind is Kind.TEXT and isinstance(old, str) and _reads_as_number(old):
        old = _number_held(tracker, table.sheet, row, col, old)
    if formula := tracker.formulas(table.sheet, [(row, col)]).get((row, col)):
        return [warning(Code.FIX_NOT_APPLIED, f"not applied: cell {column_letter(col)}{row} of '{table.sheet}' "
                        f"holds a formula ({formula}), and prodbook types no value over your formula; correct "
                        "what it reads, or type the value over it yourself, then run validate again",
                        **where)], None
    if merged := _merged_at(tracker, table.sheet, row, col):
        return [warning(Code.FIX_NOT_APPLIED, f"not applied: cell {column_letter(col)}{row} of '{table.sheet}' "
                        f"is one of the merged cells {merged}, which show one value for them all (the first "
                        "cell's); unmerge them (Home > Merge & Center) and type each row's value, then apply the "
                        "fixes again", **where)], None
    if tracker.locked(table.sheet, [(row, col)]):
        return [warning(Code.FIX_NOT_APPLIED, f"not applied: cell {column_letter(col)}{row} of '{table.sheet}' is "
                        f"locked and the sheet is protected, so nobody can type into it; "
                        f"{tracker.unprotect_advice(table.sheet, 'apply the fixes again')}", **where)], None
    if (takes := tracker.rule_broken(table.sheet, row, col, new)) is not None:
        return [warning(Code.FIX_NOT_APPLIED, f"not applied: cell {column_letter(col)}{row} of '{table.sheet}' "
                        f"takes {takes} (Data > Data Validation), and the Proposed Value '{r['proposed']}' is "
                        "not one; change the Proposed Value to one it takes, or the rule, then apply the fixes "
                        "again", **where)], None
    tracker.edit_cell(table.sheet, row, col, new)
    table.frame.at[i, field_name] = new
    # the row's key as the Change Log names it, which undo finds the row by (a Samples row: its identity and more)
    return [], Change(table.sheet, key_text(table.frame.loc[i, list(spec.logged_by)]),
                      spec.column(field_name).header, old, new)


def _not_one(table: Table, keys: list[str], want: str, field_name: str | None, r: dict[str, Any]) -> str | None:
    """Why an Issues row about a sheet without key columns (Samples) names no row, or more than one, of it now
    (None: one row). Such a row is found by its identity (``SheetSpec.identity``: Style # / Sample Type / Color /
    Size / Purpose), never by the row number it was on when checked: the APM may have sorted the sheet since,
    and another sample would be there. Two samples alike in all of it cannot be told apart, so neither is
    written."""
    spec = table.spec
    named = f"the sample '{r.get('key')}' ({' / '.join(table.header_of(f) for f in spec.identity)})"
    if field_name is None:
        return (f"not applied: the column '{r.get('field')}' is no longer on '{table.sheet}'; name it back (or type "
                "the value into the cell yourself), then run validate again")
    rows = [int(cast(Any, table.frame.at[n, "_row"])) for n, k in enumerate(keys) if k == want]
    if not rows:
        return (f"not applied: no row of '{table.sheet}' is {named} now: the row was deleted, or one of those cells "
                "changed since the issue was found; run validate again, and accept the fix on the row it gives")
    if len(rows) > 1:
        return (f"not applied: rows {', '.join(map(str, rows[:-1]))} and {rows[-1]} of '{table.sheet}' are each "
                f"{named}, so prodbook cannot tell which one this Issues row is about and wrote into neither; "
                f"type '{r.get('proposed')}' into the right one yourself (Cell says the row it was on when checked, "
                "if the sheet was not sorted since), then run validate again")
    return None


def _reads_as_number(text: str) -> bool:
    """Could a text column's value be a number's text (the cell may hold the number)?"""
    try:
        float(text)
    except ValueError:
        return False
    return True


def _number_held(tracker: Tracker, sheet: str, row: int, col: int, text: str) -> Any:
    """The number a text column's cell holds where the table read it as that number's text (6203424016 typed as
    a number in HTS Code): logged as the number, so that undo puts back a number, not text Excel then flags as a
    number stored as text. A number shown otherwise by its format (11 as 0000011) stays the text it shows. The
    sheet is read again only for such a value, once a run (``Tracker.cell_as_written``)."""
    number = as_logged_number(tracker.cell_as_written(sheet, row, col))
    return number if number is not None and log_text(number) == text else text


def _merged_at(tracker: Tracker, sheet: str, row: int, col: int) -> str | None:
    """The merged range (A1:B2) holding a cell: a value written under a merge is hidden (Excel shows its first
    cell's), and one in the first cell of a merge over rows shows for them all. The first cell of cells merged
    across one row holds that row's value alone: None. The file tells every merge of the sheet; Excel is asked
    of the one cell."""
    every = getattr(tracker.backend, "merged_ranges", None)
    one = getattr(tracker.backend, "merged_at", None)
    if every is not None:
        merges = every(sheet)
    elif one is not None and (merge := one(sheet, row, col)) is not None:
        merges = [merge]
    else:
        merges = []
    for (r1, c1), (r2, c2) in merges:
        if r1 <= row - 1 <= r2 and c1 <= col <= c2 and (r1 < r2 or col > c1):
            return f"{column_letter(c1)}{r1 + 1}:{column_letter(c2)}{r2 + 1}"
    return None


def _same_number(a: str | None, b: Any) -> bool:
    try:
        return a is not None and b is not None and abs(float(a) - float(b)) < 1e-9
    except (TypeError, ValueError):
        return False


def _relock(tracker: Tracker, r: dict[str, Any], today: date) -> list[Change] | None:
    snap = tracker.table(STYLE_SNAPSHOT, required=False)
    styles = tracker.table(STYLES, required=False)
    by_header: dict[str | None, str] = {styles.headers[c]: f for f, c in styles.columns.items()}
    f = by_header.get(r.get("field"))
    if f is None or not len(snap.frame):
        return None
    header = STYLES.column(f).header
    frame = snap.frame
    hit = frame.index[(frame["style"].astype(str).str.upper() == str(r.get("key")).upper())
                      & (frame["field"].astype(str).str.lower() == header.lower())]
    if not len(hit):
        return None
    i = hit[0]
    key = key_text((frame.at[i, "style"], header))
    out = []
    for f, new in (("locked", r.get("value")), ("locked_on", today), ("current", None), ("changed_on", None)):
        if f == "locked" or not same_logged(frame.at[i, f], new):  # each value logged: undo puts it back
            out.append(Change(snap.sheet, key, STYLE_SNAPSHOT.column(f).header, frame.at[i, f], new))
        frame.at[i, f] = new
    return out


def require_issues(tracker: Tracker) -> None:
    if not tracker.has(ISSUES):
        raise UserError("there is no Issues sheet to apply fixes from: run 'prodbook validate' first, then "
                        "type Yes in the Accept column of the rows to apply", file=tracker.file)
