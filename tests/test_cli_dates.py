"""The dates a run prints on the terminal, as the workbook shows them.

A finding's value was printed as 2027-05-10 ('(value: 2027-05-10)') while its own sentence, the Issues sheet and
every date cell of the tracker show the Date Format (Config; default dd-mmm-yy, '10-May-27'): the APM read one
date two ways in one line. The terminal now prints it as the Issues sheet does; --json stays ISO, for scripts.
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import base_sheets, sheet_values, write_book
from prodbook.cli import main


def late_in_dc(path: Path, date_format: str | None) -> Path:
    """Row 2's In-DC (10 May 2027) before its Ex-Factory (25 May): an error whose value is the In-DC date."""
    sheets = base_sheets()
    sheets["Orders"][1][5] = date(2027, 5, 25)
    if date_format is not None:
        sheets["Config"] = [["Setting", "Value"], ["Date Format", date_format]]
    return write_book(path, sheets)


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--today", "2027-03-01"])
    return result.exit_code, result.output


def the_line(out: str) -> str:
    return next(line for line in out.splitlines() if "row 2, column 'In-DC'" in line)


@pytest.mark.parametrize(("date_format", "shown"), [(None, "10-May-27"), ("dd/mm/yyyy", "10/05/2027"),
                                                    ("mm/dd/yyyy", "05/10/2027"), ("0.00", "10-May-27")])
def test_a_date_finding_prints_its_value_in_the_workbook_s_date_format(tmp_path, date_format, shown):
    """As the Issues sheet writes it (a Date Format that is none, '0.00', is the default, with a warning)."""
    path = late_in_dc(tmp_path / "tracker.xlsx", date_format)
    code, out = cli("validate", str(path))
    assert code == 1
    line = the_line(out)
    assert line.startswith("ERROR ") and line.endswith(f"(value: {shown})"), line
    assert "2027-05-10" not in out
    issues = sheet_values(path, "Issues")
    rows = [dict(zip(issues[0], r)) for r in issues[1:]]
    assert [r["Value"] for r in rows if r["Sheet"] == "Orders" and r["Field"] == "In-DC"] == [shown]


def test_json_keeps_the_iso_date(tmp_path):
    path = late_in_dc(tmp_path / "tracker.xlsx", "dd/mm/yyyy")
    code, out = cli("validate", str(path), "--json", "--dry-run")
    assert code == 1
    (f,) = [f for f in json.loads(out)["findings"] if f["row"] == 2 and f["column"] == "In-DC"]
    assert f["value"] == "2027-05-10"


def test_a_value_accept_acts_on_keeps_a_cell_s_text_as_typed():
    """A row the Issues sheet's Accept acts on compares its value with the cell: a text '2027-05-10' typed in the
    cell is that text on the terminal too (as on the Issues sheet), while a date is shown as the workbook shows it."""
    from prodbook.cli import _value_text
    from prodbook.core.findings import Code, Fix, warning

    fix = Fix("12-May-27", "WIP 0301.xlsx row 4")
    typed = warning(Code.BAD_DATE, "x", value="2027-05-10", fix=fix)
    assert _value_text(typed, "dd/mm/yyyy") == "2027-05-10"
    assert _value_text(warning(Code.BAD_DATE, "x", value=date(2027, 5, 10), fix=fix), "dd/mm/yyyy") == "10/05/2027"
    assert _value_text(warning(Code.BAD_DATE, "x", value="2027-05-10"), "dd/mm/yyyy") == "10/05/2027"
    assert _value_text(warning(Code.BAD_DATE, "x", value=1200.0), "dd/mm/yyyy") == "1200"


def date_in_qty(path: Path, date_format: str | None) -> Path:
    """Row 2's Qty holds a date (10 May 2027): the roll-up cannot store it, an error whose value is that date."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sheets = base_sheets()
    sheets["Orders"][1][3] = date(2027, 5, 10)
    if date_format is not None:
        sheets["Config"] = [["Setting", "Value"], ["Date Format", date_format]]
    return write_book(path, sheets)


def test_the_roll_up_prints_each_tracker_s_date_value_in_its_date_format(tmp_path):
    """'prodbook rollup' printed '(value: 2027-05-10)' where every other command prints the date as the workbook
    shows it: each tracker's finding now shows it in that tracker's Date Format, and a tracker that sets none in
    the roll-up's own (prodbook's default, as the roll-up workbook's dates); --json keeps ISO."""
    date_in_qty(tmp_path / "season" / "a.xlsx", "dd/mm/yyyy")
    date_in_qty(tmp_path / "season" / "b.xlsx", None)
    code, out = cli("rollup", str(tmp_path / "season"))
    assert code == 1, out
    said = {name: [line for line in out.splitlines() if line.startswith("ERROR ") and f"'{name}'" in line]
            for name in ("a.xlsx", "b.xlsx")}
    assert said["a.xlsx"] and all(line.endswith("(value: 10/05/2027)") for line in said["a.xlsx"]), out
    assert said["b.xlsx"] and all(line.endswith("(value: 10-May-27)") for line in said["b.xlsx"]), out
    assert "(value: 2027-05-10)" not in out
    code, out = cli("rollup", str(tmp_path / "season"), "--json")
    values = {f["value"] for f in json.loads(out)["findings"] if f["column"] == "Qty"}
    assert values == {"2027-05-10"}


def test_two_trackers_of_one_file_name_print_their_dates_each_in_its_own_date_format(tmp_path):
    """Two team folders each hold a 'Tracker.xlsx', Team A's dates dd/mm/yyyy, Team B's mm/dd/yyyy: the formats
    were kept by file name, so both printed 10 May 2027 as '05/10/2027' (5 October to Team A), and both errors
    named only 'Tracker.xlsx'. Each is now named by its whole path and shows the date in its own Date Format."""
    date_in_qty(tmp_path / "Team A" / "Tracker.xlsx", "dd/mm/yyyy")
    date_in_qty(tmp_path / "Team B" / "Tracker.xlsx", "mm/dd/yyyy")
    code, out = cli("rollup", str(tmp_path / "Team A"), str(tmp_path / "Team B"), "--db", str(tmp_path / "r.duckdb"))
    assert code == 1, out
    errors = [line for line in out.splitlines() if line.startswith("ERROR ") and "(value: " in line]
    said = {team: [line for line in errors if str(tmp_path / team / "Tracker.xlsx") in line]
            for team in ("Team A", "Team B")}
    assert said["Team A"] and all(line.endswith("(value: 10/05/2027)") for line in said["Team A"]), out
    assert said["Team B"] and all(line.endswith("(value: 05/10/2027)") for line in said["Team B"]), out
    assert len(said["Team A"]) + len(said["Team B"]) == len(errors), out
