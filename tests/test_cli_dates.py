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
