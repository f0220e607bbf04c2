"""Issue 10 point 5: findings stay on the Issues sheet until they are resolved, and every row names its record.

Real tracker files (openpyxl builds them, prodbook writes them, openpyxl reads them back): a costing
sheet and a vendor WIP report are read by one run; a later run that does not read them keeps what they
showed; a run that reads them again, an accepted fix or a dismissal closes it.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl

from conftest import base_sheets, shown_values, write_book
from prodbook.core.model.sheets import ISSUES
from prodbook.jobs.base import Context
from prodbook.jobs.runner import REFRESH, run

DAY1, DAY2, DAY3 = date(2027, 3, 1), date(2027, 3, 2), date(2027, 3, 3)
STYLES = [["Style #", "Description", "Vendor", "T&A Template", "Status", "FOB (USD)", "Fiber Content", "Colors"],
          ["S1", "Crew tee", "BD1", "Knit", "Adopted", 7.45, "60% Cotton 40% Polyester", "Navy"],
          ["S2", "Chino", "CN1", "Knit", "Adopted", 11.5, "100% Cotton", "Black"]]
WIP_HEADER = ["PO #", "Style #", "Color", "Vendor", "Order Qty", "Cut Qty", "Sewn Qty", "Packed Qty",
              "Planned XF", "Report Date"]


def ctx(day: date, *files: Path) -> Context:
    return Context(today=day, now=datetime.combine(day, datetime.min.time()).replace(hour=9), files=files)


def costing(folder: Path, fob: float = 7.05) -> Path:
    path = folder / "BD1 costing.csv"
    path.write_text("Style #,Colour,FOB USD,Composition\n"
                    f"S1,BLACK (NEW),{fob},100% Cotton\n", encoding="utf-8")
    return path


def wip_report(folder: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(WIP_HEADER)
    ws.append(["4500000001", "S1", "Navy", "BD1", 1200, 600, 0, 0, date(2027, 4, 15), date(2027, 2, 26)])
    ws.append(["4599999999", "S1", "Navy", "BD1", 300, 0, 0, 0, date(2027, 4, 15), date(2027, 2, 26)])
    wb.save(folder / "BD1 WIP.xlsx")
    return folder / "BD1 WIP.xlsx"


def book(tmp_path: Path) -> Path:
    sheets = base_sheets()
    sheets["Styles"] = [r[:] for r in STYLES]
    return write_book(tmp_path / "tracker.xlsx", sheets)


def issues(path: Path) -> list[dict[str, Any]]:
    rows = shown_values(path, "Issues")
    return [dict(zip(rows[0], r)) for r in rows[1:] if any(v is not None for v in r)]


def by_code(path: Path) -> dict[str, dict[str, Any]]:
    return {r["Code"]: r for r in issues(path)}


def type_in(path: Path, row: int, header: str, value: Any) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["Issues"]
    ws.cell(row=row, column=[c.value for c in ws[1]].index(header) + 1).value = value
    wb.save(path)


def issues_row(path: Path, code: str) -> int:
    return next(i for i, r in enumerate(issues(path), 2) if r["Code"] == code)


VENDOR_CODES = {"vendor-fob-differs", "vendor-fiber-differs", "vendor-color-name", "wip-unmatched"}


def test_vendor_file_findings_stay_through_a_plain_refresh_with_where_and_when(tmp_path):
    path = book(tmp_path)
    cost, wip = costing(tmp_path), wip_report(tmp_path)
    run(path, ["validate", "wip"], ctx(DAY1, cost, wip))
    first = by_code(path)
    assert set(first) >= VENDOR_CODES
    assert first["vendor-fob-differs"]["Found In"] == "BD1 costing.csv"
    assert first["wip-unmatched"]["Found In"] == "BD1 WIP.xlsx"
    assert first["vendor-fob-differs"]["Found By"] == "Check records"
    run(path, REFRESH, ctx(DAY2))  # the daily run, without the vendor files
    later = by_code(path)
    assert set(later) >= VENDOR_CODES, "the vendor's findings vanished although nothing resolved them"
    for code in VENDOR_CODES:
        assert later[code]["Found On"] == datetime(2027, 3, 1), code  # when it was first found
        assert later[code]["Problem"] == first[code]["Problem"]
    # a run that reads the costing sheet again, now corrected, closes the FOB finding only
    corrected = costing(tmp_path, fob=7.45)
    run(path, ["validate"], ctx(DAY3, corrected))
    assert "vendor-fob-differs" not in by_code(path)
    assert {"vendor-fiber-differs", "vendor-color-name", "wip-unmatched"} <= set(by_code(path))


def test_a_run_of_another_step_keeps_the_checks_it_did_not_do(tmp_path):
    path = book(tmp_path)
    run(path, ["validate"], ctx(DAY1, costing(tmp_path)))
    before = issues(path)
    run(path, ["ta"], ctx(DAY1))
    after = {(r["Code"], r["Key"]) for r in issues(path)}
    assert {(r["Code"], r["Key"]) for r in before} <= after


def test_accepted_fix_applied_without_the_file_leaves_and_a_dismissed_row_stays_decided(tmp_path):
    path = book(tmp_path)
    cost = costing(tmp_path)
    run(path, ["validate"], ctx(DAY1, cost))
    type_in(path, issues_row(path, "vendor-fob-differs"), "Accept", "Yes")
    type_in(path, issues_row(path, "vendor-color-name"), "Accept", "Dismiss")  # told the vendor: stop nagging
    result = run(path, ["apply", "validate"], ctx(DAY2), title="Apply fixes")  # the costing sheet not given
    assert shown_values(path, "Styles")[1][STYLES[0].index("FOB (USD)")] == 7.05
    codes = by_code(path)
    assert "vendor-fob-differs" not in codes, "an applied fix stayed open"
    assert codes["vendor-color-name"]["Accept"] == "Dismiss"  # the APM's decision is kept
    assert issues(path)[-1]["Code"] == "vendor-color-name"  # decided rows go last, out of the way
    assert "vendor-fiber-differs" in codes  # neither accepted nor dismissed: still open
    summary = " ".join(line for o in result.outcomes for line in o.summary)
    assert "1 resolved by an accepted fix" in summary
    again = run(path, ["validate"], ctx(DAY3, cost))  # the same costing sheet: the same colour name
    assert by_code(path)["vendor-color-name"]["Accept"] == "Dismiss"
    assert "1 dismissed and still so" in " ".join(line for o in again.outcomes for line in o.summary)


def test_a_field_error_names_its_record(tmp_path):
    sheets = base_sheets()
    sheets["Styles"] = [r[:] for r in STYLES]
    sheets["Styles"][2][STYLES[0].index("FOB (USD)")] = -3  # a negative FOB: pydantic refuses the row
    sheets["Orders"][2][3] = "lots"  # a quantity that is not a number: refused while the cells are read
    path = write_book(tmp_path / "tracker.xlsx", sheets)
    run(path, ["validate"], ctx(DAY1))
    rows = issues(path)
    fob = next(r for r in rows if r["Field"] == "FOB (USD)" and r["Sheet"] == "Styles")
    assert fob["Key"] == "S2" and fob["Severity"] == "error"
    qty = next(r for r in rows if r["Field"] == "Qty" and r["Sheet"] == "Orders")
    assert qty["Key"] == "4500000002 / S2 / Black"
    assert all(r["Key"] for r in rows if r["Sheet"] in ("Styles", "Orders")), rows


def test_merge_keeps_unchecked_rows_and_closes_checked_ones():
    from prodbook.core.open_findings import Checked, merge

    fields = list(ISSUES.fields)
    old = [{"sheet": "Styles", "cell": "F2", "key": "S1", "field": "FOB (USD)", "code": "vendor-fob-differs",
            "problem": "p", "severity": "warning", "found_in": "cost.csv", "found_by": "Check records",
            "found_on": DAY1, "_row": 2},
           {"sheet": "Styles", "cell": "H2", "key": "S1", "field": "Fiber Content", "code": "fiber-total-not-100",
            "problem": "q", "severity": "error", "found_by": "Check records", "found_on": DAY1, "_row": 3}]
    import pandas as pd

    frame = pd.DataFrame(old)
    none = pd.DataFrame(columns=fields)
    # validate ran without the costing file: the fiber error (checked again, not found) goes, FOB stays
    m = merge(frame, none, Checked(DAY2, frozenset({"Check records"})), fields)
    assert list(m.frame["code"]) == ["vendor-fob-differs"] and m.source == [2] and m.kept == 1
    # the costing file read again and the FOB no longer differs: it goes too
    m = merge(frame, none, Checked(DAY2, frozenset({"Check records"}), frozenset({"cost.csv"})), fields)
    assert m.frame.empty


def test_the_apms_own_proposed_value_outlives_a_run_that_finds_the_row_again(tmp_path):
    """The APM agrees 7.25 with the vendor instead of the costing sheet's 7.05, types it over Proposed Value
    and says Yes; a refresh that reads the costing sheet again keeps their value, so Apply writes 7.25."""
    path = book(tmp_path)
    cost = costing(tmp_path)
    run(path, ["validate"], ctx(DAY1, cost))
    row = issues_row(path, "vendor-fob-differs")
    type_in(path, row, "Proposed Value", "7.25")
    type_in(path, row, "Accept", "Yes")
    run(path, ["validate"], ctx(DAY2, cost))  # the overnight run, the same costing sheet
    again = by_code(path)["vendor-fob-differs"]
    assert (again["Proposed Value"], again["Accept"]) == ("7.25", "Yes")
    run(path, ["apply", "validate"], ctx(DAY2), title="Apply fixes")
    assert shown_values(path, "Styles")[1][STYLES[0].index("FOB (USD)")] == 7.25


def test_a_decision_on_a_value_the_vendor_changed_since_is_asked_again(tmp_path):
    path = book(tmp_path)
    run(path, ["validate"], ctx(DAY1, costing(tmp_path, fob=7.05)))
    type_in(path, issues_row(path, "vendor-fob-differs"), "Accept", "Yes")
    run(path, ["validate"], ctx(DAY2, costing(tmp_path, fob=6.95)))  # the vendor's new costing
    row = by_code(path)["vendor-fob-differs"]
    assert row["Other Value"] in (6.95, "6.95") and row["Accept"] is None


def test_merge_asks_again_when_the_other_value_moved_under_the_same_sentence():
    import pandas as pd

    from prodbook.core.open_findings import Checked, merge

    fields = list(ISSUES.fields)
    base = {"sheet": "Orders", "cell": "D2", "key": "4500000001 / S1 / Navy", "field": "Qty",
            "code": "vendor-qty-differs", "problem": "the vendor's quantity differs", "severity": "warning",
            "found_by": "Check records", "found_on": DAY1}
    old = pd.DataFrame([{**base, "other_value": "1250", "proposed": "1300", "accept": "Yes", "_row": 2}])
    same = pd.DataFrame([{**base, "other_value": "1250", "proposed": "1250"}], columns=fields)
    kept = merge(old, same, Checked(DAY2, frozenset({"Check records"})), fields)
    assert kept.source == [2] and list(kept.frame["proposed"]) == ["1300"] and kept.moved == 0
    moved = pd.DataFrame([{**base, "other_value": "1280", "proposed": "1280"}], columns=fields)
    again = merge(old, moved, Checked(DAY2, frozenset({"Check records"})), fields)
    assert again.source == [2] and list(again.frame["proposed"]) == ["1280"] and again.moved == 1
    assert list(again.frame["accept"]) == [None]  # the row and its notes stay, the Yes is asked again
    assert "decide again" in again.notes[0]


def test_merge_keeps_a_dismissal_while_the_values_stand_and_asks_again_when_they_move():
    import pandas as pd

    from prodbook.core.open_findings import Checked, merge

    fields = list(ISSUES.fields)
    base = {"sheet": "Styles", "cell": "K2", "key": "S1", "field": "HTS Code", "code": "hts-chapter-vs-construction",
            "problem": "a knit style under a woven chapter", "severity": "warning", "found_by": "Check records",
            "found_on": DAY1, "value": "6203.42.4016"}
    old = pd.DataFrame([{**base, "accept": "Dismiss", "_row": 2}])
    checked = Checked(DAY2, frozenset({"Check records"}))
    same = merge(old, pd.DataFrame([base], columns=fields), checked, fields)
    assert same.source == [2] and list(same.frame["accept"]) == ["Dismiss"] and same.still == 1
    moved = merge(old, pd.DataFrame([{**base, "value": "6203.43.4010"}], columns=fields), checked, fields)
    assert moved.source == [2] and moved.back == 1 and list(moved.frame["accept"]) == [None]
    gone = merge(old, pd.DataFrame(columns=fields), checked, fields)  # checked, not found: fixed
    assert gone.frame.empty and gone.dismissed == 1
    unchecked = merge(old, pd.DataFrame(columns=fields), Checked(DAY2), fields)  # not checked: stays decided
    assert unchecked.source == [2]
