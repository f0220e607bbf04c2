"""What the Samples and Lab Dips sheets record reaches the T&A: a sample's Shipped date fills its blank
sample-submit Actual, a colour's first Submitted date its blank lab-dip submit Actual; logged, undone, and
never over a value the user typed, an N/A or a formula. Real tracker files, written and read back."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl

from conftest import digest, sheet_values, write_book
from prodbook.jobs.runner import run
from test_development import DIPS, SAMPLES, ctx, sheets

SENT = [["S1", "1st Fit", "Fit approval", "Navy", "M", 2, date(2027, 1, 5), date(2027, 1, 14),
         date(2027, 1, 20), "DHL", "4455667788", None, "Shipped", None],
        ["S1", "Fit Sample", "Fit approval", "Navy", "L", 1, date(2027, 1, 5), date(2027, 1, 14),
         date(2027, 1, 18), "DHL", "4455667799", None, "Shipped", None],  # the earlier of the two counts
        ["S1", "PP Sample", "Pre-production", None, "M", 2, date(2027, 2, 1), date(2027, 2, 10),
         date(2027, 2, 9), "FedEx", "999888777666", None, "Shipped", None],  # no colour: every S1 line
        ["S1", "2nd Fit", "Fit approval", "Navy", "M", 2, date(2027, 2, 1), date(2027, 2, 10),
         date(2027, 2, 8), None, None, None, "Cancelled", None],  # its Status closes it
        ["S2", "Fit", "Fit approval", "Black", "32", 2, date(2027, 2, 1), date(2027, 2, 10),
         date(2027, 3, 5), None, None, None, "Shipped", None]]  # after today: not a fact yet


def sample_book(tmp_path: Path, samples: list[list[Any]] | None = None) -> Path:
    s = sheets()
    s["Orders"].append(["4500000003", "S1", "Black", 600, date(2027, 1, 4), date(2027, 4, 15),
                        date(2027, 5, 10), date(2027, 5, 20)])
    s["T&A Templates"] += [["Knit", "FSS", "Fit sample submit", "Vendor", "PO Date", 7, "Working", "No",
                            "Development"],
                           ["Knit", "FS2", "2nd fit sample submit", "Vendor", "FSS", 15, "Working", "No",
                            "Development"],
                           ["Knit", "PPS", "PP sample submit", "Vendor", "CUT", -20, "Working", "Yes",
                            "Development"]]
    s["Samples"] = [SAMPLES, *(SENT if samples is None else samples)]
    return write_book(tmp_path / "samples.xlsx", s)


def ta_cell(path: Path, po: str, code: str, header: str = "Actual") -> Any:
    rows = sheet_values(path, "T&A")
    row = next(r for r in rows[1:] if r[0] == po and r[4] == code)
    value = row[rows[0].index(header)]
    return value.date() if hasattr(value, "date") else value


def ta_row(path: Path, po: str, code: str) -> int:
    """The T&A row (Excel's number) of a PO's milestone."""
    return next(i for i, r in enumerate(sheet_values(path, "T&A"), start=1) if r[0] == po and r[4] == code)


def type_in(path: Path, sheet: str, row: int, header: str, value: Any) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    ws.cell(row=row, column=[c.value for c in ws[1]].index(header) + 1).value = value
    wb.save(path)


def add_rows(path: Path, sheet: str, rows: list[list[Any]]) -> None:
    """Rows typed below a sheet's last one, its Table grown over them."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    for row in rows:
        ws.append(row)
    table = ws.tables[next(iter(ws.tables))]
    table.ref = f"{table.ref.split(':')[0]}:{openpyxl.utils.get_column_letter(ws.max_column)}{ws.max_row}"
    wb.save(path)


def logged_actuals(path: Path) -> list[tuple[Any, ...]]:
    return [(r[3], r[5], r[6]) for r in sheet_values(path, "Change Log")[1:] if r[4] == "Actual"]


# -- samples -----------------------------------------------------------------------------------------

def test_a_shipped_sample_fills_its_blank_submit_actual_and_undo_clears_it(tmp_path):
    path = sample_book(tmp_path, samples=[])
    run(path, ["ta"], ctx())  # the T&A as the APM has it before the samples are on the Samples sheet
    assert ta_cell(path, "4500000001", "FSS", "Status") == "Overdue"
    add_rows(path, "Samples", SENT)
    run(path, ["ta"], ctx())
    assert ta_cell(path, "4500000001", "FSS") == date(2027, 1, 18)  # the earliest of the two fit samples
    assert ta_cell(path, "4500000001", "FSS", "Status") == "Done late"  # planned 13-Jan
    assert ta_cell(path, "4500000003", "FSS") is None  # S1 Black: no fit sample of that colour shipped
    assert ta_cell(path, "4500000003", "FSS", "Status") == "Overdue"
    assert ta_cell(path, "4500000001", "PPS") == ta_cell(path, "4500000003", "PPS") == date(2027, 2, 9)
    assert ta_cell(path, "4500000001", "FS2") is None  # the 2nd fit was cancelled
    assert ta_cell(path, "4500000002", "FSS") is None  # S2's fit ships after today
    assert sorted(logged_actuals(path)) == [("4500000001 / S1 / Navy / FSS", None, "2027-01-18"),
                                            ("4500000001 / S1 / Navy / PPS", None, "2027-02-09"),
                                            ("4500000003 / S1 / Black / PPS", None, "2027-02-09")]
    actions = {str(r[1]) for r in sheet_values(path, "Change Log")[1:] if r[4] == "Actual"}
    assert len(actions) == 1 and actions.pop().startswith("Rebuild T&A")  # the rebuild's: one undo takes it
    run(path, ["undo"], ctx())
    assert ta_cell(path, "4500000001", "FSS") is None
    assert ta_cell(path, "4500000001", "PPS") is None and ta_cell(path, "4500000003", "PPS") is None


def test_a_sample_fills_only_blank_actuals_never_a_typed_date_an_na_text_or_a_formula(tmp_path):
    path = sample_book(tmp_path, samples=[])
    run(path, ["ta"], ctx())  # the T&A as the APM has it, before any sample is on the Samples sheet
    type_in(path, "T&A", ta_row(path, "4500000001", "FSS"), "Actual", date(2027, 1, 25))
    type_in(path, "T&A", ta_row(path, "4500000003", "PPS"), "Actual", "N/A")
    type_in(path, "T&A", ta_row(path, "4500000001", "PPS"), "Actual", '=IF(FALSE,1,"")')
    type_in(path, "T&A", ta_row(path, "4500000003", "FSS"), "Actual", "TBC")
    add_rows(path, "Samples", [*SENT, ["S1", "Fit", "Fit approval", "Black", "M", 2, date(2027, 1, 5),
                                       date(2027, 1, 14), date(2027, 1, 21), "UPS", "1Z999", None, "Shipped", None],
                               ["S2", "Fit", "Fit approval", "Black", "32", 1, date(2027, 1, 20), date(2027, 2, 1),
                                date(2027, 2, 2), "DHL", "4455", None, "Received", None]])
    run(path, ["ta"], ctx())
    assert ta_cell(path, "4500000001", "FSS") == date(2027, 1, 25)  # what the user typed wins
    assert ta_cell(path, "4500000003", "PPS") == "N/A"
    assert ta_cell(path, "4500000001", "PPS") == '=IF(FALSE,1,"")'
    assert ta_cell(path, "4500000003", "FSS") == "TBC"
    assert ta_cell(path, "4500000002", "FSS") == date(2027, 2, 2)  # blank: filled (its other fit ships after today)
    assert logged_actuals(path) == [("4500000002 / S2 / Black / FSS", None, "2027-02-02")]


def test_a_run_that_fills_nothing_writes_nothing(tmp_path):
    path = sample_book(tmp_path)
    run(path, ["ta"], ctx())
    assert len(logged_actuals(path)) == 3
    before = digest(path)
    result = run(path, ["ta"], ctx())  # the same samples: every Actual they fill is filled
    assert digest(path) == before and not result.changes


# -- lab dips ----------------------------------------------------------------------------------------

def test_a_colours_first_submitted_date_fills_the_blank_lab_dip_submit_actual_and_undo_clears_it(tmp_path):
    path = write_book(tmp_path / "dips.xlsx", {**sheets(), "Lab Dips": [DIPS]})
    run(path, ["ta"], ctx())  # the T&A before any dip was submitted
    assert ta_cell(path, "4500000001", "LD", "Status") == "Overdue"
    add_rows(path, "Lab Dips", [
        ["S1", "Navy", "Jersey", "Mill A", None, date(2027, 1, 8), date(2027, 1, 12), "Rejected", date(2027, 1, 15),
         "A/B/C all too red; resubmit"],  # blank Rounds: round 1, then round 2
        ["S1", "Navy", "Jersey", "Mill A", None, date(2027, 1, 22), date(2027, 1, 26), None, None, "under review"],
        ["S2", "Black", "Twill", "Mill B", 2, date(2027, 1, 19), None, None, None, "resubmitted"],
        ["S2", "Black", "Twill", "Mill B", 1, date(2027, 1, 15), date(2027, 1, 18), "Rejected", date(2027, 1, 20),
         "too dark"]])
    run(path, ["ta"], ctx())
    assert ta_cell(path, "4500000001", "LD") == date(2027, 1, 8)
    assert ta_cell(path, "4500000002", "LD") == date(2027, 1, 15)  # round 1's, typed below round 2
    assert ta_cell(path, "4500000001", "LD", "Status") == "Done"
    assert ta_cell(path, "4500000001", "LD-APP") is None  # submitted is not approved
    assert sorted(logged_actuals(path)) == [("4500000001 / S1 / Navy / LD", None, "2027-01-08"),
                                            ("4500000002 / S2 / Black / LD", None, "2027-01-15")]
    run(path, ["undo"], ctx())
    assert ta_cell(path, "4500000001", "LD") is None and ta_cell(path, "4500000002", "LD") is None
    type_in(path, "T&A", ta_row(path, "4500000001", "LD"), "Actual", date(2027, 1, 9))
    run(path, ["ta"], ctx())
    assert ta_cell(path, "4500000001", "LD") == date(2027, 1, 9)  # typed: kept
    assert ta_cell(path, "4500000002", "LD") == date(2027, 1, 15)
