"""The colour rules an earlier prodbook wrote on a T&A it created are brought up to date by the next run that
writes the T&A; the APM's own rules stay as they are.

Until 74220d8 prodbook coloured any typed Actual as done, one typed ahead too (a vendor's promise), which the
Status prodbook writes calls Overdue: on a tracker made back then the cell said 'Overdue' in green or amber.
prodbook writes a sheet's rules only when it creates the sheet, so those trackers kept them.

Real workbooks: prodbook creates the T&A, the APM types an Actual ahead (openpyxl, as Excel would save it),
and the rule formulas are put back to the text the earlier prodbook wrote (8510a0c's ``create._look_parts``:
``<formula>`` holding the resolved rule, escaped), taken from git history, not from ``looks.RETIRED_RULES``.
Each run goes through ``prodbook.jobs.runner.run``; the result is read back with openpyxl and as zip parts.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import openpyxl
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font, PatternFill

from conftest import base_sheets, write_book
from prodbook.core.looks import RETIRED_RULES, FoundRule, RulePlace, rules_to_update
from prodbook.core.model.sheets import TA
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from prodbook.workbook.xlsx import edits
from prodbook.workbook.xlsx.book import _read_book
from prodbook.workbook.xlsx.colour_rules import RulesNow
from prodbook.workbook.xlsx.package import _Package
from prodbook.workbook.xlsx.styles import _Styles
from prodbook.workbook.xlsxparts import CellEdit

MADE = Context(today=date(2027, 2, 1), now=datetime(2027, 2, 1, 9))
LATER = Context(today=date(2027, 2, 8), now=datetime(2027, 2, 8, 9))

# the T&A as prodbook lays it out: H Planned, J Actual, K Status, L Variance; data from row 2
OLD = (  # 8510a0c..606692d, resolved as create._look_parts wrote them (git show 606692d:src/prodbook/core/looks.py)
    ("K", "AND(ISNUMBER($J2),ISNUMBER($H2),$J2>$H2)"),
    ("K", "ISNUMBER($J2)"),
    ("K", 'AND($J2="",$K2="Overdue")'),
    ("K", 'AND($J2="",$K2="Due soon")'),
    ("L", 'AND($J2="",ISNUMBER($L2),$L2>0)'),
)
NOW = (  # 74220d8 on: an Actual after today is not done
    ("K", "AND(ISNUMBER($J2),$J2<=TODAY(),ISNUMBER($H2),$J2>$H2)"),
    ("K", "AND(ISNUMBER($J2),$J2<=TODAY())"),
    ("K", 'AND(OR($J2="",AND(ISNUMBER($J2),$J2>TODAY())),$K2="Overdue")'),
    ("K", 'AND(OR($J2="",AND(ISNUMBER($J2),$J2>TODAY())),$K2="Due soon")'),
    ("L", 'AND(OR($J2="",AND(ISNUMBER($J2),$J2>TODAY())),ISNUMBER($L2),$L2>0)'),
)
SAID = "The colour rules of 'T&A' were brought up to date: a date typed ahead in Actual is no longer coloured as done."


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _part(path: Path, sheet: str) -> str:
    """The zip part of ``sheet``."""
    with zipfile.ZipFile(path) as z:
        book, rels = z.read("xl/workbook.xml").decode(), z.read("xl/_rels/workbook.xml.rels").decode()
    tag = re.search(rf'<sheet\b[^>]*\bname="{re.escape(sheet.replace("&", "&amp;"))}"[^>]*>', book)
    assert tag
    rid = re.search(r'r:id="([^"]+)"', tag.group(0))
    assert rid
    rel = next(r for r in re.findall(r"<Relationship\b[^>]*>", rels) if f'Id="{rid.group(1)}"' in r)
    target = re.search(r'Target="([^"]+)"', rel)
    assert target
    return target.group(1).lstrip("/") if target.group(1).startswith("/") else "xl/" + target.group(1)


def _edit(path: Path, part: str, change: Callable[[str], str]) -> None:
    """The file with ``part``'s XML changed, every other part copied as it is."""
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            z.writestr(info, change(data.decode()).encode() if info.filename == part else data)


def _patch(path: Path, part: str, swap: dict[str, str]) -> None:
    """Each formula text of ``swap`` in ``part`` replaced, as the earlier prodbook wrote it (escaped)."""
    def change(text: str) -> str:
        for new, old in swap.items():
            assert text.count(f"<formula>{_esc(new)}</formula>") == 1, new
            text = text.replace(f"<formula>{_esc(new)}</formula>", f"<formula>{_esc(old)}</formula>")
        return text
    _edit(path, part, change)


def tracker(folder: Path, *, old: bool = True, extra: bool = True) -> Path:
    """A tracker whose T&A prodbook created on 1 Feb 2027; the APM then typed a vendor's promised date (1 Mar)
    as the lab dip approval's Actual, added a rule of their own with ``extra`` (Notes 'hold' in purple), and ran
    prodbook again that day. With ``old``, the T&A holds the rules prodbook wrote before 74220d8."""
    folder.mkdir(parents=True, exist_ok=True)
    sheets = base_sheets()
    del sheets["T&A"]  # prodbook creates it, with its colour rules
    path = write_book(folder / "tracker.xlsx", sheets)
    run(path, ["ta"], MADE)
    wb = openpyxl.load_workbook(path)
    ws = wb["T&A"]
    assert [c.value for c in ws[1]][7:12] == ["Planned", "Forecast", "Actual", "Status", "Variance"]
    assert ws["E3"].value == "LD-APP" and ws["K3"].value == "Overdue"
    ws["J3"] = date(2027, 3, 1)  # typed ahead: the vendor's promise
    ws["J3"].number_format = "dd-mmm-yy"
    if extra:
        ws.conditional_formatting.add("M2:M11", FormulaRule(formula=['$M2="hold"'], font=Font(color="7030A0"),
                                                            fill=PatternFill("solid", bgColor="E4DFEC")))
    wb.save(path)
    run(path, ["ta"], MADE)  # that day's run: the forecasts follow the Actual typed
    if old:
        _patch(path, _part(path, "T&A"), {new: was for (_, new), (_, was) in zip(NOW, OLD, strict=True)})
    return path


def rules(path: Path, sheet: str = "T&A") -> list[tuple[str, str, int | None]]:
    """(range, formula, dxfId) of each colour rule of the sheet, in order."""
    ws = openpyxl.load_workbook(path)[sheet]
    return [(str(cf.sqref), rule.formula[0], rule.dxfId) for cf in ws.conditional_formatting for rule in cf.rules]


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def said(result) -> list[str]:
    return [line for o in result.outcomes for line in o.summary]


# --- the file back end ------------------------------------------------------------------------------------------

def test_the_run_that_writes_the_ta_brings_prodbooks_old_rules_up_to_date_and_leaves_the_apms_alone(tmp_path):
    path = tracker(tmp_path)
    before = rules(path)
    assert [(r, f) for r, f, _ in before] == [(f"{c}2:{c}11", f) for c, f in OLD] + [("M2:M11", '$M2="hold"')]

    # a run with nothing to change writes nothing: not even the rules
    stamp = path.read_bytes()
    quiet = run(path, ["ta"], MADE)
    assert quiet.commit is None or quiet.commit.written is None
    assert path.read_bytes() == stamp and SAID not in said(quiet)

    done = run(path, ["ta"], LATER)  # a week on: statuses change, the T&A is written
    assert done.commit is not None and done.commit.written == path
    after = rules(path)
    # prodbook's rules: the current ones, on the same ranges, in the same order, in the same colours
    assert [(r, f) for r, f, _ in after[:5]] == [(f"{c}2:{c}11", f) for c, f in NOW]
    assert [d for *_, d in after] == [d for *_, d in before]
    assert after[5] == before[5]  # the APM's own rule, as it was
    assert said(done).count(SAID) == 1
    ws = openpyxl.load_workbook(path)["T&A"]
    assert ws["J3"].value == datetime(2027, 3, 1) and ws["K3"].value == "Overdue"  # now red, not amber

    again = run(path, ["ta"], Context(today=date(2027, 2, 15), now=datetime(2027, 2, 15, 9)))
    assert rules(path) == after and SAID not in said(again)  # said once


def test_every_other_part_is_kept_and_the_ta_ends_as_a_new_trackers(tmp_path):
    old = tracker(tmp_path / "old")
    new = tracker(tmp_path / "new", old=False)  # the same tracker, made with the current rules
    was, was_new = parts(old), parts(new)
    run(old, ["ta"], LATER)
    run(new, ["ta"], LATER)
    now, now_new = parts(old), parts(new)
    ta = _part(old, "T&A")
    assert now[ta] == now_new[ta]  # the T&A's XML, byte for byte as the current prodbook's
    text = now[ta].decode()
    assert "ISNUMBER($J2)</formula>" not in text and 'AND($J2="",' not in text
    # the same parts written as for the tracker made with the current rules; the others as they were
    assert set(now) == set(was)
    changed = {n for n in was if now[n] != was[n]}
    assert changed == {n for n in was_new if now_new[n] != was_new[n]}
    assert ta in changed and "xl/styles.xml" not in changed  # the rules keep their colours: no style added


def test_a_rebuilt_ta_gets_the_current_rules_over_its_new_rows(tmp_path):
    path = tracker(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["Orders"].append(["4500000003", "S1", "Ecru", 600, date(2027, 1, 6), date(2027, 4, 20), date(2027, 5, 15),
                         date(2027, 5, 25)])
    wb.save(path)
    path_rules = rules(path)
    assert [f for _, f, _ in path_rules[:5]] == [f for _, f in OLD]
    done = run(path, ["ta"], LATER)  # five more milestones: the T&A is rebuilt, its rows rearranged
    after = rules(path)
    assert [(r, f) for r, f, _ in after[:5]] == [(f"{c}2:{c}16", f) for c, f in NOW]
    assert after[5][1] == '$M2="hold"' and SAID in said(done)


def test_rules_the_apm_edited_or_put_elsewhere_stay_theirs(tmp_path):
    path = tracker(tmp_path, extra=False)
    part = _part(path, "T&A")
    # the APM edited prodbook's Due soon rule, and copied its Done rule to the Milestone column
    _patch(path, part, {'AND($J2="",$K2="Due soon")': 'AND($J2="",$K2="Due soon",$G2<>"Buyer")'})
    wb = openpyxl.load_workbook(path)
    wb["T&A"].conditional_formatting.add("F2:F11", FormulaRule(formula=["ISNUMBER($J2)"], font=Font(italic=True)))
    wb.save(path)
    done = run(path, ["ta"], LATER)
    after = rules(path)
    assert [(r, f) for r, f, _ in after] == [
        ("K2:K11", NOW[0][1]), ("K2:K11", NOW[1][1]), ("K2:K11", NOW[2][1]),
        ("K2:K11", 'AND($J2="",$K2="Due soon",$G2<>"Buyer")'),  # theirs: edited
        ("L2:L11", NOW[4][1]),
        ("F2:F11", "ISNUMBER($J2)"),  # theirs: another range
    ]
    assert SAID in said(done)


def test_a_mix_prodbook_cannot_read_is_left_alone_until_the_apm_clears_it(tmp_path):
    path = tracker(tmp_path, extra=False)
    wb = openpyxl.load_workbook(path)  # the APM added the current Overdue rule beside the old one themselves
    wb["T&A"].conditional_formatting.add("K2:K11", FormulaRule(formula=[NOW[2][1]], font=Font(color="9C0006"),
                                                               stopIfTrue=True))
    wb.save(path)
    before = rules(path)
    first = run(path, ["ta"], LATER)
    assert first.commit is not None and first.commit.written == path  # the T&A was written
    assert rules(path) == before and SAID not in said(first)  # but which rule is whose is unsure: all stay

    # the APM takes their copy off again (Home > Conditional Formatting > Manage Rules > Delete Rule)
    _edit(path, _part(path, "T&A"), lambda text: re.sub(
        rf"<cfRule\b[^>]*>(?:(?!</cfRule>).)*{re.escape(_esc(NOW[2][1]))}</formula></cfRule>", "", text))
    assert len(rules(path)) == 5
    second = run(path, ["ta"], Context(today=date(2027, 2, 15), now=datetime(2027, 2, 15, 9)))
    assert [f for _, f, _ in rules(path)] == [f for _, f in NOW] and SAID in said(second)


# --- the decision ------------------------------------------------------------------------------------------------

PLACE = RulePlace("T&A", tuple((h, j) for j, h in enumerate(TA.headers)), 1)


def _found(pairs, first: int = 2, last: int = 40) -> list[FoundRule]:
    return [FoundRule(f"{c}{first}:{c}{last}", f) for c, f in pairs]


def test_the_retired_rules_are_the_ones_git_history_holds():
    (ta,) = [r for r in RETIRED_RULES if r.sheet == "T&A"]
    assert ta.until == "74220d8"
    plan = rules_to_update(PLACE, _found(OLD))
    assert plan == {i: f for i, (_, f) in enumerate(NOW)}


def test_a_title_row_above_the_header_moves_every_reference_as_excel_does():
    place = RulePlace("T&A", PLACE.columns, 2)
    old = [(c, f.replace("2", "3")) for c, f in OLD]
    assert rules_to_update(place, _found(old, first=3)) == {i: f.replace("2", "3") for i, (_, f) in enumerate(NOW)}
    assert rules_to_update(place, _found(OLD)) == {}  # row 2's formulas over row 3's data: not as prodbook wrote


def test_columns_where_the_team_keeps_them():
    columns = tuple((h, j + 1) for h, j in PLACE.columns)  # a column inserted before PO #: every letter moves on
    old = [("L", "AND(ISNUMBER($K2),ISNUMBER($I2),$K2>$I2)"), ("L", "ISNUMBER($K2)"),
           ("L", 'AND($K2="",$L2="Overdue")'), ("L", 'AND($K2="",$L2="Due soon")'),
           ("M", 'AND($K2="",ISNUMBER($M2),$M2>0)')]
    plan = rules_to_update(RulePlace("T&A", columns, 1), _found(old))
    assert sorted(plan) == [0, 1, 2, 3, 4] and plan[1] == "AND(ISNUMBER($K2),$K2<=TODAY())"
    assert plan[4] == 'AND(OR($K2="",AND(ISNUMBER($K2),$K2>TODAY())),ISNUMBER($M2),$M2>0)'
    assert rules_to_update(PLACE, _found(old)) == {}  # where the columns are not: not prodbook's


def test_an_unsure_mix_changes_nothing():
    found = _found(OLD)
    assert rules_to_update(PLACE, [*found, found[1]]) == {}  # an old rule twice
    assert rules_to_update(PLACE, [*found, *_found(NOW[1:2])]) == {}  # a current one beside the old one
    assert rules_to_update(PLACE, [*found[:2], FoundRule("K2:K40", None)]) == {0: NOW[0][1], 1: NOW[1][1]}
    assert rules_to_update(PLACE, [FoundRule("K2:K40 M2:M40", OLD[1][1])]) == {}  # on another range too
    assert rules_to_update(RulePlace("Issues", PLACE.columns, 1), found) == {}  # no earlier rules there


def test_a_sheet_written_a_block_at_a_time_is_brought_up_to_date_wherever_a_block_ends(tmp_path):
    """The streamed cell edits read the sheet in blocks: a rule cut in two by a block boundary is still found,
    and the part equals the one merged whole."""
    path = tracker(tmp_path)
    place = RulePlace("T&A", tuple((h, j) for j, h in enumerate(TA.headers)), 1)
    staged = [CellEdit("T&A", 4, 12, "hold")]

    def written(chunk: int | None) -> tuple[bytes, dict[str, str]]:
        pkg = _Package(path)
        try:
            book = _read_book(pkg)
            styles = _Styles(pkg, book.part, "dd-mmm-yy")
            part = next(s[2] for s in book.sheets if s[0] == "T&A")
            done: dict[str, str] = {}
            now = RulesNow({"T&A": place}, done)
            if chunk is None:  # the whole part merged in memory
                flat = edits._Flat(staged, "T&A", "", book.date1904)
                edits._edit_whole(pkg, book, styles, part, "T&A", lambda _p: flat, now)
            else:
                edits._apply_cell_edits(pkg, book, styles, part, "T&A", staged, chunk=chunk, rules_now=now)
            return b"".join(pkg.blocks(part)), done
        finally:
            pkg.close()

    whole, done = written(None)
    assert done == {"T&A": "T&A"}
    text = whole.decode()
    assert all(f"<formula>{_esc(f)}</formula>" in text for _, f in NOW) and '$M2="hold"' in text
    for chunk in (1, 7, 64, 333, 4096):
        assert written(chunk) == (whole, done), chunk
