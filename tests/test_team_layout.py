"""A team's own tracker layout, as the layout audit met it: sheets named in another case or mistyped in
Config, team columns whose headers are prodbook's words, a mapping that names a header the sheet lacks.
Each case is a real workbook, run through the jobs and read back."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import base_sheets, sheet_values, write_book
from prodbook.core.findings import UserError
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run

TODAY = date(2027, 3, 1)
S1 = ("4500000001", "S1", "Navy")


def ctx(today: date = TODAY) -> Context:
    return Context(today=today, now=datetime(2027, 3, 1, 9, 0))


def built(tmp_path: Path, config: list[list] | None = None) -> Path:
    sheets = base_sheets()
    if config:
        sheets["Config"] = [["Setting", "Value"], *config]
        del sheets["T&A"]  # the team's own name instead
    path = write_book(tmp_path / "t.xlsx", sheets)
    run(path, ["ta"], ctx())
    return path


def rename(path: Path, old: str, new: str) -> None:
    wb = openpyxl.load_workbook(path)
    wb[old].title = "renaming"  # openpyxl takes 't&a' for a second 'T&A' and makes it 't&a1'
    wb["renaming"].title = new
    wb.save(path)


def head_actual_as(ws: Any, header: str) -> None:
    """The T&A's Actual column headed the team's way, its Table column renamed with it (as Excel does)."""
    heads = [c.value for c in ws[1]]
    ws.cell(row=1, column=heads.index("Actual") + 1, value=header)
    for table in ws.tables.values():
        table.tableColumns[heads.index("Actual")].name = header


def named_in_config(path: Path, sheet: str, configured: str) -> Path:
    """The T&A renamed ``sheet``, and Config's 'Sheet: T&A' set to ``configured``."""
    rename(path, "T&A", sheet)
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("Config").append(["Setting", "Value"])
    wb["Config"].append(["Sheet: T&A", configured])
    wb.save(path)
    return path


def type_in(path: Path, sheet: str, key: tuple, code: str, header: str, value: object) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    heads = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if tuple(c.value for c in row[:3]) == key and row[heads.index("Code")].value == code:
            row[heads.index(header)].value = value
    wb.save(path)


def actuals(path: Path, sheet: str) -> dict[tuple, object]:
    rows = sheet_values(path, sheet)
    h = rows[0]
    return {(*r[:3], r[h.index("Code")]): r[h.index("Actual")] for r in rows[1:] if r[h.index("Actual")]}


@pytest.mark.parametrize("sheet, config", [("t&a", None), ("Critical Path", [["Sheet: T&A", "critical path"]])])
def test_a_sheet_named_in_another_case_is_that_sheet_and_keeps_what_was_typed(tmp_path, sheet, config):
    """A T&A called 't&a', or Config naming 'critical path' for the team's 'Critical Path': the sheet was
    taken for missing and written over as new, every Actual and Note gone, and undo then emptied it."""
    path = built(tmp_path, config)  # the first build names the sheet as Config says: 'critical path'
    rename(path, "T&A" if config is None else "critical path", sheet)
    type_in(path, sheet, S1, "LD", "Actual", datetime(2027, 1, 14))
    run(path, ["ta"], ctx())
    names = openpyxl.load_workbook(path, read_only=True).sheetnames
    assert [n for n in names if n.casefold() in ("t&a", "critical path")] == [sheet]
    assert actuals(path, sheet)[(*S1, "LD")] == datetime(2027, 1, 14)
    run(path, ["undo"], ctx())
    assert actuals(path, sheet)[(*S1, "LD")] == datetime(2027, 1, 14)


def test_a_config_sheet_name_spelled_nearly_as_a_sheet_stops_before_anything_is_written(tmp_path):
    """Config 'Sheet: T&A' = 'Crtical Path' beside the team's 'Critical Path' built a second, empty T&A."""
    path = named_in_config(built(tmp_path), "Critical Path", "Crtical Path")
    before = path.read_bytes()
    with pytest.raises(UserError, match="names 'Crtical Path' as the T&A sheet .* it has 'Critical Path'"):
        run(path, ["ta"], ctx())
    assert path.read_bytes() == before


def insert_column(path: Path, sheet: str, before: str, header: str, values: list) -> None:
    """A team column put in left of prodbook's column ``before``, with a value per data row."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    at = [c.value for c in ws[1]].index(before) + 1
    ws.insert_cols(at)
    ws.cell(row=1, column=at, value=header)
    for r, v in enumerate(values, start=2):
        ws.cell(row=r, column=at, value=v)
    for table in ws.tables.values():  # the Table widens over the new column, as Excel's insert does
        first, last = table.ref.split(":")
        end_row = last.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        table.ref = f"{first}:{openpyxl.utils.get_column_letter(ws.max_column)}{end_row}"
        table.tableColumns = []
        table._initialise_columns()
        for cell, column in zip(ws[1], table.tableColumns):
            column.name = str(cell.value)
    wb.save(path)


def test_team_columns_named_with_prodbooks_synonyms_beside_its_own_are_the_teams(tmp_path):
    """The team's 'Target' (the buyer's target dates) left of Planned, and 'Revised' left of Forecast: the
    first column a synonym matched was read and written as the field, so every rebuild wrote planned and
    forecast dates over the team's."""
    path = built(tmp_path)
    n = len(sheet_values(path, "T&A")) - 1
    insert_column(path, "T&A", "Planned", "Target", ["buyer"] * n)
    insert_column(path, "T&A", "Forecast", "Revised", ["ask"] * n)
    result = run(path, ["ta"], ctx(date(2027, 3, 20)))
    rows = sheet_values(path, "T&A")
    h = rows[0]
    assert {r[h.index("Target")] for r in rows[1:]} == {"buyer"}
    assert {r[h.index("Revised")] for r in rows[1:]} == {"ask"}
    assert all(isinstance(r[h.index("Planned")], datetime) for r in rows[1:])
    assert not [f for f in result.findings if "both read as" in f.message]


def test_the_teams_mapping_beats_a_synonym_and_a_mistyped_one_is_named(tmp_path):
    """Config maps Ex-Factory to the team's 'Ex-Fac Date (Revised)'; an 'XF Date' (a synonym) left of it was
    read instead. A mapping naming a header the sheet lacks ('Cancel Dt') was accepted without a word."""
    sheets = base_sheets()
    orders = sheets["Orders"]
    at = orders[0].index("Ex-Factory")
    orders[0][at] = "Ex-Fac Date (Revised)"
    for r in orders:
        r.insert(at, "XF Date" if r is orders[0] else date(2027, 3, 1))
    sheets["Config"] = [["Setting", "Value"], ["Column: Orders / Ex-Factory", "Ex-Fac Date (Revised)"],
                        ["Column: Orders / Cancel Date", "Cancel Dt"]]
    path = write_book(tmp_path / "t.xlsx", sheets)
    result = run(path, ["ta", "validate"], ctx())
    rows = sheet_values(path, "T&A")
    h = rows[0]
    xf = {r[0]: r[h.index("Planned")] for r in rows[1:] if r[h.index("Code")] == "XF"}
    assert xf == {"4500000001": datetime(2027, 4, 15), "4500000002": datetime(2027, 4, 30)}
    (typo,) = [f for f in result.findings if "Cancel Dt" in f.message]
    assert typo.sheet == "Orders" and "Config 'Column: Orders / Cancel Date' names the column 'Cancel Dt'" in \
        typo.message and "'Cancel Date'" in typo.message


def test_two_columns_named_equally_well_for_one_field_are_named(tmp_path):
    sheets = base_sheets()
    orders = sheets["Orders"]
    at = orders[0].index("Ex-Factory")
    orders[0][at] = "XF Date"
    for r in orders:
        r.append("Ex-Fty" if r is orders[0] else date(2027, 3, 1))
    path = write_book(tmp_path / "t.xlsx", sheets)
    result = run(path, ["validate"], ctx())
    (both,) = [f for f in result.findings if "both read as Ex-Factory" in f.message]
    assert both.sheet == "Orders" and "prodbook reads 'XF Date'" in both.message
    assert "'Column: Orders / Ex-Factory' = 'Ex-Fty'" in both.message


def test_a_ta_without_an_actual_column_gets_one_and_a_near_header_is_named(tmp_path):
    """The team heads its Actual column 'Act. Date': no column was read as Actual, none was added, and every
    finished milestone turned Overdue without a word."""
    path = built(tmp_path)
    type_in(path, "T&A", S1, "LD", "Actual", datetime(2027, 1, 14))
    wb = openpyxl.load_workbook(path)
    head_actual_as(wb["T&A"], "Act. Date")
    wb.save(path)
    result = run(path, ["ta"], ctx())
    (said,) = [f for f in result.findings if "has no 'Actual' column" in f.message]
    assert "'Column: T&A / Actual' = 'Act. Date'" in said.message
    rows = sheet_values(path, "T&A")
    assert rows[0][-1] == "Actual" and "Act. Date" in rows[0]
    typed = [r for r in rows[1:] if tuple(r[:3]) == S1 and r[rows[0].index("Code")] == "LD"]
    assert typed[0][rows[0].index("Act. Date")] == datetime(2027, 1, 14)


def test_a_cell_named_by_a_run_that_moves_its_row_is_named_where_it_ends_up(tmp_path):
    """'TBC' in an Actual on the last PO line's rows, and a new PO line added at the top of Orders: the
    rebuild moved every milestone down, but the T&A step and validate named the cell by the row it was read
    on, where another milestone's Actual now sits."""
    path = built(tmp_path)
    type_in(path, "T&A", ("4500000002", "S2", "Black"), "LD", "Actual", "TBC")
    wb = openpyxl.load_workbook(path)
    ws = wb["Orders"]
    ws.insert_rows(2)
    for c, v in enumerate(["4500000000", "S1", "Red", 300, date(2027, 1, 4), date(2027, 4, 15),
                           date(2027, 5, 10), date(2027, 5, 20)], start=1):
        ws.cell(row=2, column=c, value=v)
    wb.save(path)
    result = run(path, ["ta", "validate"], ctx())
    rows = sheet_values(path, "T&A")
    (now,) = [n for n, r in enumerate(rows, 1) if "TBC" in r]
    said = [f for f in result.findings if f.sheet == "T&A" and f.value == "TBC"]
    assert said and {f.row for f in said} == {now}


@pytest.mark.parametrize("header", ["Ex-Fac Date", "X-Fty"])
def test_the_teams_usual_ex_factory_headers_are_read(tmp_path, header):
    sheets = base_sheets()
    sheets["Orders"][0][sheets["Orders"][0].index("Ex-Factory")] = header
    path = write_book(tmp_path / "t.xlsx", sheets)
    result = run(path, ["ta"], ctx())
    assert not [f for f in result.findings if f.sheet == "Orders" and f.severity.value == "error"]


def test_an_orders_sheet_without_the_date_a_step_is_anchored_on_is_one_error_naming_the_column(tmp_path):
    """Orders headed 'Ship Date' (no Ex-Factory column): an error a PO line said each 'has no Ex-Factory date
    ... fill it in', though the date was there under another header."""
    sheets = base_sheets()
    sheets["Orders"][0][sheets["Orders"][0].index("Ex-Factory")] = "Ship Date"
    path = write_book(tmp_path / "t.xlsx", sheets)
    result = run(path, ["ta"], ctx())
    (said,) = [f for f in result.findings if f.sheet == "Orders" and "Ex-Factory" in f.message]
    assert "no Ex-Factory column" in said.message and "'Column: Orders / Ex-Factory'" in said.message


def test_prodbooks_own_hidden_column_on_its_sheet_is_still_its_own(tmp_path):
    """The team hid prodbook's Planned and keeps its own 'Target' dates visible beside it: the visible
    synonym won, and every rebuild wrote planned dates over the team's targets."""
    path = built(tmp_path)
    n = len(sheet_values(path, "T&A")) - 1
    insert_column(path, "T&A", "Planned", "Target", ["buyer"] * n)
    wb = openpyxl.load_workbook(path)
    ws = wb["T&A"]
    planned = [c.value for c in ws[1]].index("Planned") + 1
    ws.column_dimensions[openpyxl.utils.get_column_letter(planned)].hidden = True
    wb.save(path)
    run(path, ["ta"], ctx(date(2027, 3, 20)))
    rows = sheet_values(path, "T&A")
    assert {r[rows[0].index("Target")] for r in rows[1:]} == {"buyer"}


def test_headers_in_other_alphabets_are_told_apart(tmp_path):
    """Every Chinese header folded to '' (only a-z and digits were kept): 'Column: Orders / Qty' = '数量'
    matched the carton count '箱数' left of it, and 12 cartons were the order quantity."""
    sheets = base_sheets()
    orders = sheets["Orders"]
    at = orders[0].index("Qty")
    orders[0][at] = "数量"
    for r in orders:
        r.insert(at, "箱数" if r is orders[0] else 12)
    sheets["Config"] = [["Setting", "Value"], ["Column: Orders / Qty", "数量"]]
    path = write_book(tmp_path / "t.xlsx", sheets)
    from prodbook.core.model.sheets import ORDERS
    from prodbook.workbook.filebook import FileBook
    from prodbook.workbook.tracker import Tracker
    table = Tracker(FileBook(path)).table(ORDERS)
    assert table.frame["qty"].tolist() == [1200, 800]


def test_a_sheet_named_with_a_space_after_it_is_that_sheet(tmp_path):
    """The team's T&A is named 'T&A ' (a space after it): a second, empty T&A was built beside it, and every
    finished milestone was chased as overdue."""
    path = built(tmp_path)
    rename(path, "T&A", "T&A ")
    type_in(path, "T&A ", S1, "LD", "Actual", datetime(2027, 1, 14))
    run(path, ["ta"], ctx())
    names = openpyxl.load_workbook(path, read_only=True).sheetnames
    assert [n for n in names if n.strip() == "T&A"] == ["T&A "]
    assert actuals(path, "T&A ")[(*S1, "LD")] == datetime(2027, 1, 14)


def test_text_typed_in_prodbooks_own_columns_comes_back_with_undo(tmp_path):
    """'TBC' in Forecast and 'see notes' in Variance read as blanks: the rebuild wrote over them and logged a
    blank Old, so undo put back nothing; the error said 'fix the cell' about a cell the run had replaced."""
    path = built(tmp_path)
    type_in(path, "T&A", S1, "LD", "Forecast", "TBC")
    type_in(path, "T&A", S1, "CUT", "Variance", "see notes")
    result = run(path, ["ta"], ctx())
    said = [f for f in result.findings if f.value in ("TBC", "see notes")]
    assert len(said) == 2 and all("prodbook writes this column" in f.message for f in said)
    run(path, ["undo"], ctx())
    rows = sheet_values(path, "T&A")
    h = rows[0]
    got = {r[h.index("Code")]: (r[h.index("Forecast")], r[h.index("Variance")]) for r in rows[1:] if tuple(r[:3]) == S1}
    assert got["LD"][0] == "TBC" and got["CUT"][1] == "see notes"


def test_a_row_archived_with_a_text_actual_keeps_it_and_its_finding_names_no_row(tmp_path):
    """'TBC' in the Actual of a PO line taken off Orders: the archive got a blank Actual, and the finding's
    link pointed at the T&A row another milestone had taken."""
    path = built(tmp_path)
    type_in(path, "T&A", S1, "LD", "Actual", "TBC")
    wb = openpyxl.load_workbook(path)
    wb["Orders"].delete_rows(2)  # S1's PO line
    wb.save(path)
    result = run(path, ["ta"], ctx())
    (said,) = [f for f in result.findings if f.value == "TBC"]
    assert said.sheet == "T&A" and said.row is None and said.key.startswith("4500000001 / S1 / Navy / LD")
    archive = sheet_values(path, "T&A Archive")
    h = archive[0]
    (ld,) = [r for r in archive[1:] if r[h.index("Code")] == "LD"]
    assert ld[h.index("Actual")] == "TBC"


def test_next_seasons_sheet_named_in_config_is_made_not_taken_for_a_typo(tmp_path):
    """'Sheet: T&A' = 'T&A SS27' beside last season's 'T&A SS26' stopped the run as a typo of it, with no
    way forward."""
    path = named_in_config(built(tmp_path), "T&A SS26", "T&A SS27")
    run(path, ["ta"], ctx())
    names = openpyxl.load_workbook(path, read_only=True).sheetnames
    assert "T&A SS26" in names and "T&A SS27" in names
    assert len(sheet_values(path, "T&A SS27")) == len(sheet_values(path, "T&A SS26"))


def test_two_columns_for_one_field_are_not_named_when_hiding_decides_and_alike_ones_are_told_to_rename(tmp_path):
    """A hidden old 'Ex-Factory' beside the visible one read was named every run; two columns headed alike got
    a Config line as advice, which cannot tell them apart."""
    sheets = base_sheets()
    orders = sheets["Orders"]
    for r in orders:
        r.append("Ex-Factory" if r is orders[0] else date(2026, 12, 1))
    path = write_book(tmp_path / "t.xlsx", sheets)
    said = [f for f in run(path, ["validate"], ctx()).findings if "both read as Ex-Factory" in f.message]
    assert len(said) == 1 and "rename one of the two" in said[0].message
    wb = openpyxl.load_workbook(path)
    wb["Orders"].column_dimensions[openpyxl.utils.get_column_letter(len(orders[0]))].hidden = True
    wb.save(path)
    assert not [f for f in run(path, ["validate"], ctx()).findings if "both read as" in f.message]


def test_a_lab_dip_date_written_into_an_added_actual_column_is_logged_and_undone(tmp_path):
    """The approval date prodbook writes into a lab-dip milestone's Actual went into the Actual column the run
    added (the team's was headed 'Act. Date') without a Change Log line, so undo left it."""
    path = built(tmp_path)
    wb = openpyxl.load_workbook(path)
    head_actual_as(wb["T&A"], "Act. Date")
    dips = wb.create_sheet("Lab Dips")
    for r in (["Style #", "Color", "Round", "Submitted", "Received", "Decision", "Decision Date"],
              ["S1", "Navy", 1, datetime(2027, 1, 5), datetime(2027, 1, 9), "Approved", datetime(2027, 1, 20)]):
        dips.append(r)
    wb.save(path)
    run(path, ["ta"], ctx())
    log = [r for r in sheet_values(path, "Change Log")[1:] if r[4] == "Actual" and str(r[3]).endswith("LD-APP")]
    assert [(r[3], r[6]) for r in log] == [("4500000001 / S1 / Navy / LD-APP", "2027-01-20")]
    run(path, ["undo"], ctx())
    rows = sheet_values(path, "T&A")
    h = rows[0]
    (lda,) = [r for r in rows[1:] if tuple(r[:3]) == S1 and r[h.index("Code")] == "LD-APP"]
    assert lda[h.index("Actual")] is None


def test_a_header_typed_over_two_lines_is_said_on_one():
    """A warning quoting a header with a line break in it split the printed message in two."""
    from prodbook.core.config import build_config
    from prodbook.core.model.sheets import ORDERS
    from prodbook.workbook.tables import read_table
    config, _ = build_config([], "t.xlsx")
    rows = [["PO #", "Style #", "Color", "XF\nDate", "Ex-Fty"], ["P1", "S1", "Navy", date(2027, 4, 1), None]]
    table = read_table(rows, ORDERS, config, sheet="Orders", file="t.xlsx")
    (said,) = [f for f in table.findings if "both read as" in f.message]
    assert "'XF Date'" in said.message and "\n" not in said.message


def test_full_width_headers_typed_on_an_east_asian_keyboard_are_read():
    from prodbook.core.config import build_config
    from prodbook.core.model.sheets import ORDERS
    from prodbook.workbook.tables import read_table
    config, _ = build_config([], "t.xlsx")
    rows = [["ＰＯ ＮＯ", "Ｓｔｙｌｅ #", "Color"], ["P1", "S1", "Navy"]]
    table = read_table(rows, ORDERS, config, sheet="Orders", file="t.xlsx")
    assert table.frame[["po", "style"]].values.tolist() == [["P1", "S1"]]


def test_a_mapping_that_takes_another_fields_column_says_so():
    """'Column: Orders / Ex-Factory' = 'In-DC' read the ex-factory dates from the In-DC column, and In-DC from
    none, without a word: the only error then said the sheet had no In-DC column."""
    from prodbook.core.config import build_config
    from prodbook.core.model.sheets import ORDERS
    from prodbook.workbook.tables import read_table
    config, _ = build_config([("Column: Orders / Ex-Factory", "In-DC", 2)], "t.xlsx")
    rows = [["PO #", "Style #", "Color", "In-DC"], ["P1", "S1", "Navy", date(2027, 4, 1)]]
    table = read_table(rows, ORDERS, config, sheet="Orders", file="t.xlsx")
    (said,) = [f for f in table.findings if "is how prodbook finds In-DC" in f.message]
    assert "In-DC is now read from no column" in said.message and table.columns.get("ex_factory") == 3


def test_a_vendor_code_typed_in_another_case_is_planned_on_that_vendors_calendar(tmp_path):
    """Styles says 'bd1 ' and the Vendors sheet 'BD1' (Friday weekend, Bangladesh holidays): one vendor. It was
    planned Monday-Friday with no holidays, and warned 'not on the Vendors sheet'."""
    as_listed = built(tmp_path)
    sheets = base_sheets()
    sheets["Styles"][1][2] = "bd1 "
    typed = write_book(tmp_path / "typed.xlsx", sheets)
    result = run(typed, ["ta"], ctx())

    def planned(path: Path) -> dict:
        rows = sheet_values(path, "T&A")
        h = rows[0]
        return {(r[0], r[h.index("Code")]): r[h.index("Planned")] for r in rows[1:]}

    assert planned(typed) == planned(as_listed)
    assert not [f for o in result.outcomes for f in o.findings if "not on the Vendors sheet" in f.message]
