"""Apply fixes (``prodbook validate --apply``) used as an APM uses it (the audit of 2026-12-06, helper-76).

It writes into the APM's own Styles and Orders cells, so each case here is one an APM met: a Proposed Value
typed by hand that Excel cannot hold (it stopped the whole run, the other fixes with it), a fix under merged
cells (written where Excel hides it) or into a cell an array formula fills, undo of a cell its column could not
read ('TBC' came back blank in a date column, and stopped the undo in a number column), a cell holding a pasted
#N/A or the value already typed by hand (refused on every run), messages that said 'None' or nothing of what to
do, Accept words typed with a full stop, an emoji picker or another language's keyboard, and an HTS code typed as
a number that undo put back as text (the Change Log now keeps a number as a number: tests/test_changelog_types.py).
"""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from conftest import sheet_values, write_book
from fakexl import FakeBook
from prodbook.core.findings import Code
from prodbook.core.model.sheets import ISSUES
from prodbook.core.open_findings import Checked, merge, order_key
from prodbook.jobs.runner import run
from prodbook.workbook.xlbook import XlBook
from test_development import STYLE_HEADER, costing_file, ctx, disc_book, issue_rows, sheets, type_in

FOB, FIBER, HTS = (STYLE_HEADER.index(h) for h in ("FOB (USD)", "Fiber Content", "HTS Code"))


def validated(tmp_path: Path) -> tuple[Path, tuple[Path, ...]]:
    path = disc_book(tmp_path)
    files = (costing_file(tmp_path),)
    run(path, ["validate"], ctx(files=files))
    return path, files


def row_of(path: Path, code: str, key: str | None = None) -> int:
    return next(i + 2 for i, r in enumerate(issue_rows(path)) if r["Code"] == code and key in (None, r["Key"]))


def apply_fixes(path: Path, files: tuple[Path, ...] = ()):
    return run(path, ["apply", "validate"], ctx(files=files), title="Apply fixes")


def not_applied(result, row: int) -> str:
    return next(f.message for f in result.findings if f.code is Code.FIX_NOT_APPLIED and f.sheet == "Issues"
                and f.row == row)


def test_a_proposed_number_excel_cannot_hold_is_refused_and_the_other_fixes_still_go_in(tmp_path):
    """'1E400' typed over Proposed Value read as infinity: the save stopped on it ('prodbook hit an unexpected
    problem'), and the fiber fix accepted beside it did not go in either."""
    path, files = validated(tmp_path)
    fob, fiber = row_of(path, "vendor-fob-differs"), row_of(path, "vendor-fiber-differs")
    type_in(path, "Issues", fob, "Proposed Value", "1E400")
    type_in(path, "Issues", fob, "Accept", "Yes")
    type_in(path, "Issues", fiber, "Accept", "Yes")
    result = apply_fixes(path, files)
    styles = sheet_values(path, "Styles")
    assert styles[1][FOB] == 5 and styles[2][FIBER] == "100% Cotton"
    assert "not applied: the Proposed Value cannot go in cell L2 of 'Styles'" in not_applied(result, fob)
    assert "1E400" in not_applied(result, fob)


def test_a_proposed_date_before_a_1904_workbooks_first_date_is_refused_not_a_crash(tmp_path):
    """A tracker in Excel for Mac's 1904 date system holds no date before 1 January 1904: '1903-04-22' (a
    typo for 2027) stopped the run instead of being named."""
    path = write_book(tmp_path / "d.xlsx", sheets())
    wb = openpyxl.load_workbook(path)
    wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    wb.save(path)
    vendor = tmp_path / "vendor po.csv"
    vendor.write_text("PO #,Style #,Color,FOB USD,Qty,Ex-Factory\n4500000001,S1,Navy,5,1200,2027-04-22\n",
                      encoding="utf-8")
    run(path, ["validate"], ctx(files=(vendor,)))
    row = row_of(path, "vendor-ex-factory-differs")
    type_in(path, "Issues", row, "Proposed Value", "1903-04-22")
    type_in(path, "Issues", row, "Accept", "Yes")
    result = apply_fixes(path, (vendor,))
    assert "before 1 January 1904" in not_applied(result, row)
    orders = sheet_values(path, "Orders")
    assert orders[1][orders[0].index("Ex-Factory")] == datetime(2027, 4, 15)


def unread_fixed(tmp_path: Path, column: int, text: str, proposed: str) -> tuple[list, Path]:
    """An Orders cell its column cannot read, fixed through Issues, then undone: (Orders before, the file)."""
    s = sheets()
    s["Orders"][1][column] = text
    path = write_book(tmp_path / "d.xlsx", s)
    run(path, ["validate"], ctx())
    before = sheet_values(path, "Orders")
    row = next(i + 2 for i, r in enumerate(issue_rows(path))  # 'TBC' in a date: not known yet, fixed all the same
               if r["Code"] in ("bad-number", "bad-date", "date-not-yet") and r["Sheet"] == "Orders")
    type_in(path, "Issues", row, "Proposed Value", proposed)
    type_in(path, "Issues", row, "Accept", "Yes")
    assert apply_fixes(path).outcomes[0].data["applied"] == 1
    assert sheet_values(path, "Orders") != before
    undone = run(path, ["undo"], ctx())
    assert not [f.message for f in undone.findings if f.code is Code.INTERNAL]  # the undo ran, not a crash
    assert undone.outcomes and undone.outcomes[0].data["undone"].startswith("Apply fixes")
    return before, path


@pytest.mark.parametrize("text", ["TBC", "31/02/2027", "2027-02-31"])
def test_undo_puts_back_the_text_a_date_column_could_not_read(tmp_path, text):
    """'TBC' and 31/02/2027 in In-DC read as blank, so the Change Log's Old was blank and undo emptied the
    cell: the APM's note was lost. '2027-02-31', logged so, stopped the undo (no such day)."""
    before, path = unread_fixed(tmp_path, 6, text, "2027-05-10")
    assert sheet_values(path, "Orders") == before


@pytest.mark.parametrize("text", ["TBC", "12.000", 1200.5])
def test_undo_puts_back_the_text_a_number_column_could_not_read(tmp_path, text):
    """'TBC' in Qty read as blank and came back blank; put back into the Qty column read as whole numbers it
    stopped the undo. '12.000' (12 or 12,000?) must come back as that text, not as 12, and 1200.5 (not a
    whole number) as 1200.5, not 1200."""
    before, path = unread_fixed(tmp_path, 3, text, "1200")
    assert sheet_values(path, "Orders") == before
    assert type(sheet_values(path, "Orders")[1][3]) is type(text)


def test_undo_puts_back_a_number_a_text_column_held(tmp_path):
    """An HTS code typed as a number (Excel's own way with 6203424016) in the text column HTS Code: a fix then
    its undo put back the text '6203424016', which Excel flags as a number stored as text."""
    s = sheets()
    s["Styles"][2][HTS] = 6203424016
    path = write_book(tmp_path / "d.xlsx", s)
    run(path, ["validate"], ctx())
    row = row_of(path, "hts-chapter-vs-construction", "S2")
    type_in(path, "Issues", row, "Proposed Value", "6109.10.0012")
    type_in(path, "Issues", row, "Accept", "Yes")
    assert apply_fixes(path).outcomes[0].data["applied"] == 1
    assert sheet_values(path, "Styles")[2][HTS] == "6109.10.0012"
    run(path, ["undo"], ctx())
    held = sheet_values(path, "Styles")[2][HTS]
    assert (held, type(held)) == (6203424016, int)


@pytest.mark.parametrize("live", [False, True])
def test_a_fix_into_merged_cells_is_refused_and_nothing_is_hidden_under_the_merge(tmp_path, live):
    """FOB merged over S1 and S2 (one price for both): S2's fix went into L3, under the merge, where Excel
    shows S1's value and prodbook read S2's; S1's fix changed what S2 shows too. In Excel (the ribbon's Apply
    fixes) the same: each cell's merge is asked of Excel."""
    s = sheets()
    s["Styles"][2][FOB] = None
    path = write_book(tmp_path / "d.xlsx", s)
    wb = openpyxl.load_workbook(path)
    wb["Styles"].merge_cells("L2:L3")
    wb["Styles"].merge_cells("E3:F3")  # S2's Fiber Content over two columns of its own row: its value alone
    wb.save(path)
    files = (costing_file(tmp_path),)
    run(path, ["validate"], ctx(files=files))
    rows = [row_of(path, "vendor-fob-differs", key) for key in ("S1", "S2")]
    for row in [*rows, row_of(path, "vendor-fiber-differs")]:
        type_in(path, "Issues", row, "Accept", "Yes")
    book = FakeBook.from_file(path) if live else None
    result = run(path, ["apply", "validate"], ctx(files=files), title="Apply fixes",
                 backend=XlBook(book) if book is not None else None)
    for row, cell in zip(rows, ("L2", "L3")):
        message = not_applied(result, row)
        assert f"cell {cell} of 'Styles' is one of the merged cells L2:L3" in message, message
        assert "Merge & Center" in message
    values = book.values if book is not None else lambda sheet: sheet_values(path, sheet)
    styles = values("Styles")
    assert (styles[1][FOB], styles[2][FOB], styles[2][FIBER]) == (5, None, "100% Cotton")
    issues = values("Issues")
    decided = {r["Key"]: r["Accept"] for r in (dict(zip(issues[0], v)) for v in issues[1:])
               if r["Code"] == "vendor-fob-differs"}
    assert decided == {"S1": "Yes", "S2": "Yes"}  # still there, decided: unmerge and apply again


@pytest.mark.parametrize("word", ["✅", "✔️", "ＹＥＳ"])
def test_a_yes_from_an_emoji_picker_or_a_full_width_keyboard_is_applied(tmp_path, word):
    path, files = validated(tmp_path)
    row = row_of(path, "vendor-fob-differs")
    type_in(path, "Issues", row, "Accept", word)
    result = apply_fixes(path, files)
    assert sheet_values(path, "Styles")[1][FOB] == 5.25
    assert not [f for f in result.findings if f.code is Code.FIX_NOT_APPLIED and f.row == row]


@pytest.mark.parametrize("word", ["No.", "Dismiss!", "Non", "Nein"])
def test_a_dismissal_written_as_people_write_it_closes_the_row_as_dismiss_does(word):
    """'No.' was not named as unread (Apply read it as No) but the Issues sheet did not read it as a
    dismissal: the row stayed among the open ones and kept the word when the tracker's value changed, where
    Dismiss comes back undecided (README: Dismiss). 'Non' and 'Nein' beside 'Oui' and 'Ja' were unread."""
    fields = list(ISSUES.fields)
    base = {"sheet": "Styles", "cell": "K2", "key": "S1", "field": "HTS Code", "code": "hts-chapter-vs-construction",
            "problem": "a knit style under a woven chapter", "severity": "warning", "found_by": "Check records",
            "value": "6203.42.4016"}
    old = pd.DataFrame([{**base, "accept": word, "_row": 2}])
    moved = merge(old, pd.DataFrame([{**base, "value": "6203.43.4010"}], columns=fields),
                  Checked(datetime(2027, 3, 2).date(), frozenset({"Check records"})), fields)
    assert moved.source == [2] and moved.back == 1 and list(moved.frame["accept"]) == [None]  # notes stay
    open_info = {**base, "severity": "info", "accept": None}
    assert order_key({**base, "accept": word}) > order_key(open_info)  # decided: below what is open


def test_a_fix_on_a_row_without_its_key_names_the_row_not_none(tmp_path):
    """Two styles without a Style #: typing each its number in Proposed Value said "'None' is on more than one
    row of 'Styles'; fix the duplicate first", a word of Python's and the wrong advice."""
    s = sheets()
    s["Styles"][3][0] = s["Styles"][4][0] = None
    path = write_book(tmp_path / "d.xlsx", s)
    run(path, ["validate"], ctx())
    rows = [i + 2 for i, r in enumerate(issue_rows(path))
            if r["Code"] == "required-missing" and r["Field"] == "Style #"]
    assert len(rows) == 2
    for row, style in zip(rows, ("S3", "S4")):
        type_in(path, "Issues", row, "Proposed Value", style)
        type_in(path, "Issues", row, "Accept", "Yes")
    result = apply_fixes(path)
    for row in rows:
        message = not_applied(result, row)
        assert "None" not in message and "duplicate" not in message, message
        assert "more than one row of 'Styles' has no Style #" in message and "type" in message


def test_a_yes_on_a_row_with_nothing_to_apply_says_what_to_do(tmp_path):
    """Yes on the HTS chapter row (no Proposed Value) said only "(a colour name is corrected by the vendor, not
    in the tracker)": about colours, and nothing on what to do."""
    path, files = validated(tmp_path)
    hts, color = row_of(path, "hts-chapter-vs-construction"), row_of(path, "vendor-color-name")
    for row in (hts, color):
        type_in(path, "Issues", row, "Accept", "Yes")
    result = apply_fixes(path, files)
    message = not_applied(result, hts)
    assert "colour" not in message and "type the value the cell should hold in Proposed Value" in message, message
    assert "ask the vendor" in not_applied(result, color)


def test_a_fix_for_a_cell_holding_an_excel_error_is_applied(tmp_path):
    """A pasted #N/A in In-DC shows on Issues as '#N/A (Excel error)'; Apply compared that with '#N/A' and said
    "the cell changed since the issue was found" on every run: the fix could never go in."""
    s = sheets()
    s["Orders"][1][6] = "#N/A"  # openpyxl writes it as the error value, as a paste of values leaves it
    path = write_book(tmp_path / "d.xlsx", s)
    run(path, ["validate"], ctx())
    row = next(i + 2 for i, r in enumerate(issue_rows(path)) if r["Sheet"] == "Orders" and r["Field"] == "In-DC")
    type_in(path, "Issues", row, "Proposed Value", "2027-05-10")
    type_in(path, "Issues", row, "Accept", "Yes")
    result = apply_fixes(path)
    assert not [f for f in result.findings if f.code is Code.FIX_NOT_APPLIED], [f.message for f in result.findings]
    assert sheet_values(path, "Orders")[1][6] == datetime(2027, 5, 10)


def test_a_proposed_value_the_column_cannot_take_says_where_and_what_to_do(tmp_path):
    path, files = validated(tmp_path)
    row = row_of(path, "vendor-fob-differs")
    type_in(path, "Issues", row, "Proposed Value", "5.25 USD/pc")
    type_in(path, "Issues", row, "Accept", "Yes")
    message = not_applied(apply_fixes(path, files), row)
    assert "cell L2 of 'Styles'" in message and "'5.25 USD/pc' is not a number" in message, message
    assert "correct the Proposed Value, then apply the fixes again" in message, message


def test_a_fix_already_typed_into_the_cell_closes_the_row_instead_of_refusing_it_forever(tmp_path):
    """The APM typed the vendor's FOB by hand, then said Yes: every Apply said "not applied: the cell changed
    since the issue was found (it was '5', now '5.25')", and the row stayed (the costing file is not re-read
    by Apply), Yes and all."""
    path, _ = validated(tmp_path)
    row = row_of(path, "vendor-fob-differs")
    type_in(path, "Issues", row, "Accept", "Yes")
    type_in(path, "Styles", 2, "FOB (USD)", 5.25)
    result = apply_fixes(path)
    assert not [f for f in result.findings if f.code is Code.FIX_NOT_APPLIED and f.severity.value == "warning"]
    assert not [r for r in issue_rows(path) if r["Key"] == "S1" and r["Field"] == "FOB (USD)"]  # locked too
    assert sheet_values(path, "Styles")[1][FOB] == 5.25
    assert not [r for r in sheet_values(path, "Change Log") if r[2] == "Styles"]  # nothing written


def test_a_fix_into_a_cell_of_an_array_formula_is_refused(tmp_path):
    """FOB filled by one array formula over L2:L3: S2's fix went into L3, which Excel fills from the formula
    again when it calculates: the fix, logged as applied, is gone."""
    from openpyxl.worksheet.formula import ArrayFormula

    path = write_book(tmp_path / "d.xlsx", sheets(), tables=False)  # a Table holds no array formula
    wb = openpyxl.load_workbook(path)
    wb["Styles"]["L2"] = ArrayFormula("L2:L3", "={5;11}")
    wb["Styles"]["L3"] = 11  # the value the array shows there
    wb.save(path)
    files = (costing_file(tmp_path),)
    run(path, ["validate"], ctx(files=files))
    row = row_of(path, "vendor-fob-differs", "S2")
    type_in(path, "Issues", row, "Accept", "Yes")
    message = not_applied(apply_fixes(path, files), row)
    assert "cell L3 of 'Styles' holds a formula (={5;11})" in message, message
    assert sheet_values(path, "Styles")[2][FOB] == 11


def test_every_cell_of_an_array_formulas_range_holds_it_however_far_it_reaches(tmp_path):
    """The cells of an array formula's range hold no formula of their own in the file: its text is in the
    first cell alone. A range over blocks of the sheet that hold no formula (which the read passes over), a
    dynamic array's spill, and a one-cell array, asked cell by cell and for the whole sheet alike."""
    from prodbook.workbook.xlsx.package import _Package
    from prodbook.workbook.xlsx.user_cells import formulas_at

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Styles")
    ws.append(["Style #", "Description", "FOB (USD)", "Note"])
    marks = {100: "=ARRAY1", 55_000: "=ARRAY2", 58_000: "=ARRAY3", 59_000: "=1+1"}
    for r in range(2, 60_001):
        ws.append([f"S{r:06d}", "a description long enough to make the rows long", marks.get(r, r / 4), "n"])
    path = tmp_path / "long.xlsx"
    wb.save(path)
    arrays = {"ARRAY1": ('t="array" ref="C100:C50000"', 'A100:A50000&amp;"x"'),
              "ARRAY2": ('t="array" ref="C55000:D55002" aca="false"', "SEQUENCE(3,2)"),  # a spill over two columns
              "ARRAY3": ('t="array" ref="C58000"', "SUM(C2:C9)")}
    with zipfile.ZipFile(path) as z:
        members = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                for mark, (attrs, formula) in arrays.items():
                    text = text.replace(f"<f>{mark}</f>", f"<f {attrs}>{formula}</f>")
                text = text.replace('<c r="C55000"', '<c r="C55000" cm="1"')
                data = text.encode()
            z.writestr(info, data)
    want = {(r, 2): '=A100:A50000&"x"' for r in range(100, 50_001)}
    want |= {(r, c): "=SEQUENCE(3,2)" for r in range(55_000, 55_003) for c in (2, 3)}
    want |= {(58_000, 2): "=SUM(C2:C9)", (59_000, 2): "=1+1"}
    with _Package(path) as pkg:
        part = "xl/worksheets/sheet1.xml"
        assert formulas_at(pkg, part, "Styles", None) == want
        asked = [(r, c) for r in range(2, 60_001) for c in (1, 2, 3)]
        assert formulas_at(pkg, part, "Styles", asked) == want
        far = [(49_999, 2), (50_000, 2), (50_001, 2), (55_002, 3), (55_003, 3), (58_001, 2), (40_000, 1)]
        assert formulas_at(pkg, part, "Styles", far) == {c: want[c] for c in far if c in want}
