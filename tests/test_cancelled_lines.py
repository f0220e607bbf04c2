"""A PO line cancelled on Orders (or of a style dropped on Styles) is no longer planned nor chased.

Real workbooks: the demo tracker (``prodbook demo``), a Status column typed into its Orders sheet with
openpyxl as a team would, the real jobs run, the sheets read back.
"""

from __future__ import annotations

import re
import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import TableColumn

from conftest import demo_workbook
from prodbook.core import ta
from prodbook.core.findings import Code
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run

DAY = date(2026, 11, 25)


def ctx(*files: Path) -> Context:
    return Context(today=DAY, now=datetime(2026, 11, 25, 9, 0), files=tuple(files))


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_workbook(tmp_path_factory.mktemp("demo"), DAY)


@pytest.fixture
def tracker(demo_file: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(demo_file, tmp_path / "tracker.xlsx"))


_LINK = re.compile(r'^=HYPERLINK\(".*",\s*"((?:[^"]|"")*)"\)$', re.S)


def _shown(value: Any) -> Any:
    """A link prodbook writes (a PO # leading to its T&A row) as the text it shows."""
    return m.group(1).replace('""', '"') if isinstance(value, str) and (m := _LINK.match(value)) else value


def rows(path: Path, sheet: str) -> list[dict[str, Any]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    if sheet not in wb.sheetnames:
        return []
    got = list(wb[sheet].iter_rows(values_only=True))
    return [dict(zip(got[0], map(_shown, r))) for r in got[1:] if any(v is not None for v in r)]


def of_line(found: list[dict[str, Any]], line: tuple[str, str, str]) -> list[dict[str, Any]]:
    return [r for r in found if (str(r["PO #"]), r["Style #"], r["Color"]) == line]


def set_status(path: Path, statuses: dict[tuple[str, str, str], str | None], *, header: str = "Status",
               qty: dict[tuple[str, str, str], int] | None = None) -> None:
    """What the APM does: type a status (and a Qty) on Orders rows, in the column headed ``header`` (the
    team's own word for it); a sheet without the column gets one at the end of its Table."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Orders"]
    heads = [c.value for c in ws[1]]
    col = next((i + 1 for i, h in enumerate(heads) if h in ("Line Status", "Status", "PO Status")), None)
    if col is not None and heads[col - 1] != header:  # the demo's empty column, as this team heads it
        ws.cell(1, col, header)
        for t in ws.tables.values():
            for c in t.tableColumns:
                if c.name == heads[col - 1]:
                    c.name = header
    if col is None:
        col = len(heads) + 1
        ws.cell(1, col, header)
        for t in ws.tables.values():
            start = t.ref.split(":")[0]
            t.ref = f"{start}:{get_column_letter(col)}{ws.max_row}"
            t.tableColumns.append(TableColumn(id=col, name=header))
    for r in range(2, ws.max_row + 1):
        key = (str(ws.cell(r, 1).value), ws.cell(r, 2).value, ws.cell(r, 3).value)
        if key in statuses:
            ws.cell(r, col, statuses[key])
        if qty and key in qty:
            ws.cell(r, heads.index("Qty") + 1, qty[key])
    wb.save(path)


def a_chased_line(path: Path) -> tuple[str, str, str]:
    """A PO line the demo has open exceptions and follow-ups for."""
    chased = {r["Ref"] for r in rows(path, "Follow-ups")}
    for r in rows(path, "Exceptions"):
        line = (str(r["PO #"]), r["Style #"], r["Color"])
        if r["PO #"] and r["Status"] == "Open" and " / ".join(line) in chased:
            return line
    raise AssertionError("the demo has no PO line with open exceptions and follow-ups")


def test_a_cancelled_line_goes_to_the_archive_and_comes_back_with_its_actuals(tracker: Path) -> None:
    line = a_chased_line(tracker)
    wb = openpyxl.load_workbook(tracker)
    ws = wb["T&A"]
    heads = [c.value for c in ws[1]]
    at = next(r for r in range(2, ws.max_row + 1)
              if (str(ws.cell(r, 1).value), ws.cell(r, 2).value, ws.cell(r, 3).value) == line)
    code = ws.cell(at, heads.index("Code") + 1).value
    ws.cell(at, heads.index("Actual") + 1, datetime(2026, 11, 2))
    ws.cell(at, heads.index("Notes") + 1, "sent by courier")
    wb.save(tracker)
    before = len(of_line(rows(tracker, "T&A"), line))

    set_status(tracker, {line: "Cancelled"})
    result = run(tracker, ["ta"], ctx())
    assert of_line(rows(tracker, "T&A"), line) == []
    archived = of_line(rows(tracker, "T&A Archive"), line)
    assert len(archived) == before
    assert {r["Reason"] for r in archived} == {"PO line cancelled on Orders (Status 'Cancelled')"}
    kept = next(r for r in archived if r["Code"] == code)
    assert (kept["Actual"], kept["Notes"]) == (datetime(2026, 11, 2), "sent by courier")
    stopped = sum(1 for r in rows(tracker, "Orders") if r["Status"])  # the demo's own cancelled line too
    assert stopped == 2
    said = f"{stopped} PO line(s) not planned nor chased: {stopped} cancelled on Orders."
    assert any(said in s for o in result.outcomes for s in o.summary), [s for o in result.outcomes for s in o.summary]

    set_status(tracker, {line: "Open"})  # the buyer reinstates the line
    run(tracker, ["ta"], ctx())
    back = {r["Code"]: r for r in of_line(rows(tracker, "T&A"), line)}
    assert len(back) == before
    assert (back[code]["Actual"], back[code]["Notes"]) == (datetime(2026, 11, 2), "sent by courier")
    assert of_line(rows(tracker, "T&A Archive"), line) == []


def test_a_cancelled_line_raises_no_exception_and_its_open_ones_close(tracker: Path) -> None:
    line = a_chased_line(tracker)
    was_open = [r["ID"] for r in of_line(rows(tracker, "Exceptions"), line) if r["Status"] == "Open"]
    set_status(tracker, {line: "Cxl"})
    result = run(tracker, ["ta", "exceptions"], ctx())
    now = {r["ID"]: r for r in of_line(rows(tracker, "Exceptions"), line)}
    for i in was_open:
        assert now[i]["Status"] == "Resolved by data"
        assert now[i]["Resolution"].endswith(": PO line cancelled on Orders (Status 'Cxl')")
    # open: at most the one about the vendor's WIP report still showing it in production (the demo's has it)
    assert {r["Rule"] for r in now.values() if r["Status"] == "Open"} <= {"cancelled-line-in-production"}
    # built from Orders directly, the late-for-cancel check of the T&A job skips it too
    po, style, color = line
    assert not [f for f in result.findings if f.code is Code.LATE_FOR_CANCEL and f.key == f"{po} / {style} / {color}"]


def test_follow_ups_do_not_chase_a_cancelled_line_even_before_the_ta_is_rebuilt(tracker: Path) -> None:
    line = a_chased_line(tracker)
    ref = " / ".join(line)
    set_status(tracker, {line: "Cancelled by buyer"})
    assert [r for r in rows(tracker, "Follow-ups") if r["Ref"] == ref]
    run(tracker, ["followups"], ctx())  # alone: the T&A still holds the line's milestones
    # no milestone or exception chased; only, where the vendor's WIP shows it moving, whether it stopped
    assert {r["Item"] for r in rows(tracker, "Follow-ups") if r["Ref"] == ref} <= {
        "Cancelled line still in production"}
    assert rows(tracker, "Follow-ups")  # the other lines are still chased


def _wip_file(folder: Path, vendor: str, line: tuple[str, str, str], cut: int) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "WIP"
    ws.append([f"WIP as of {DAY:%d-%b-%Y}"])
    ws.append([])
    ws.append(["PO #", "Style #", "Color", "Order Qty", "Cut Qty", "Sewn Qty", "Packed Qty", "Ex-Fty",
               "Revised Ex-Fty", "Ship Mode", "Remarks"])
    ws.append([*line, 1200, cut, 0, 0, None, None, "Sea", "still cutting"])
    path = folder / f"{vendor} WIP cancelled.xlsx"
    wb.save(path)
    return path


def test_a_vendor_still_producing_a_cancelled_line_is_one_warning(tracker: Path) -> None:
    line = a_chased_line(tracker)
    vendor = next(r["Vendor"] for r in rows(tracker, "Styles") if r["Style #"] == line[1])
    report = _wip_file(tracker.parent, vendor, line, cut=480)
    set_status(tracker, {line: "Dropped"})
    run(tracker, ["ta", "wip", "exceptions"], ctx(report))
    found = [r for r in of_line(rows(tracker, "Exceptions"), line) if r["Status"] == "Open"]
    assert [(r["Rule"], r["Severity"], r["Vendor"]) for r in found] == [
        ("cancelled-line-in-production", "warning", vendor)]
    detail = found[0]["Detail"]
    assert f"PO {line[0]} {line[1]} {line[2]}" in detail and "cut 480" in detail
    assert f"'{report.name}'" in detail and f"Confirm with {vendor} that production stopped" in detail
    run(tracker, ["followups"], ctx())  # the APM asks the vendor
    assert [r["Item"] for r in rows(tracker, "Follow-ups") if r["Ref"] == " / ".join(line)] == [
        "Cancelled line still in production"]


def test_the_wip_import_alone_says_a_report_still_lists_a_cancelled_line(tracker: Path) -> None:
    """``prodbook wip`` on its own raises no exception: its summary names the cancelled line reported."""
    line = a_chased_line(tracker)
    vendor = next(r["Vendor"] for r in rows(tracker, "Styles") if r["Style #"] == line[1])
    report = _wip_file(tracker.parent, vendor, line, cut=480)
    result = run(tracker, ["wip"], ctx(report))
    assert not any("cancelled on Orders" in s for s in result.outcomes[0].summary), result.outcomes[0].summary
    set_status(tracker, {line: "Cancelled"})
    result = run(tracker, ["wip"], ctx(report))
    said = [s for s in result.outcomes[0].summary if "cancelled on Orders" in s]
    assert said == [f"  {report.name}: 1 PO line(s) cancelled on Orders (or of a dropped style) still reported "
                    f"({' / '.join(line)}); run 'prodbook exceptions' (Check exceptions on the prodbook tab, or the "
                    "refresh) to list on the Exceptions sheet each one the report shows in production, and confirm "
                    "with the vendor that production stopped"]


def test_the_refresh_says_its_own_exceptions_step_lists_a_cancelled_line_still_reported(tracker: Path) -> None:
    """In a refresh the exceptions step runs after the import: the import's line says so, not 'run prodbook
    exceptions', and the Exceptions sheet does list the line."""
    from click.testing import CliRunner

    from prodbook.cli import main

    line = a_chased_line(tracker)
    vendor = next(r["Vendor"] for r in rows(tracker, "Styles") if r["Style #"] == line[1])
    report = _wip_file(tracker.parent, vendor, line, cut=480)
    set_status(tracker, {line: "Cancelled"})
    said = CliRunner().invoke(main, ["refresh", str(tracker), str(report), "--today", DAY.isoformat()]).output
    assert (f"  {report.name}: 1 PO line(s) cancelled on Orders (or of a dropped style) still reported "
            f"({' / '.join(line)}); this run's exceptions step lists on the Exceptions sheet each one the report "
            "shows in production: confirm with the vendor that production stopped") in said, said
    assert [r["Rule"] for r in of_line(rows(tracker, "Exceptions"), line) if r["Status"] == "Open"] == [
        "cancelled-line-in-production"]
    said = CliRunner().invoke(main, ["wip", str(tracker), str(report), "--today", DAY.isoformat()]).output
    assert "still reported" in said and "run 'prodbook exceptions' (Check exceptions" in said, said


def test_a_dropped_style_takes_its_lines_out_of_the_plan(tracker: Path) -> None:
    line = a_chased_line(tracker)
    wb = openpyxl.load_workbook(tracker)
    ws = wb["Styles"]
    heads = [c.value for c in ws[1]]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == line[1])
    ws.cell(row, heads.index("Status") + 1, "Dropped")
    wb.save(tracker)
    lines = {(str(r["PO #"]), r["Style #"], r["Color"]) for r in rows(tracker, "Orders") if r["Style #"] == line[1]}
    run(tracker, ["ta", "exceptions"], ctx())
    assert not [r for r in rows(tracker, "T&A") if r["Style #"] == line[1]]
    archived = [r for r in rows(tracker, "T&A Archive") if r["Style #"] == line[1]]
    assert {(str(r["PO #"]), r["Style #"], r["Color"]) for r in archived} == lines
    assert {r["Reason"] for r in archived} == {"style dropped on Styles (Status 'Dropped')"}
    assert {r["Rule"] for r in rows(tracker, "Exceptions") if r["Style #"] == line[1] and r["Status"] == "Open"} \
        <= {"cancelled-line-in-production"}


def test_a_zero_qty_is_a_cancellation_only_with_the_status_blank(tracker: Path) -> None:
    orders = [(str(r["PO #"]), r["Style #"], r["Color"]) for r in rows(tracker, "Orders")]
    zero, zero_open = orders[0], orders[1]
    set_status(tracker, {zero_open: "Open"}, header="PO Status", qty={zero: 0, zero_open: 0})
    result = run(tracker, ["ta"], ctx())
    assert of_line(rows(tracker, "T&A"), zero) == []
    assert {r["Reason"] for r in of_line(rows(tracker, "T&A Archive"), zero)} == {
        "PO line cancelled on Orders (Qty 0, PO Status blank)"}
    assert of_line(rows(tracker, "T&A"), zero_open)  # the team says it is open: planned
    said = [f for f in result.findings if f.code is Code.LINE_CANCELLED]
    assert [(f.severity, f.sheet, f.row, f.column) for f in said] == [("info", "Orders", 2, "Qty")]
    assert "Type 'Cancelled' in PO Status to confirm it, or the real Qty" in said[0].message


def test_a_zero_qty_without_a_status_column_is_planned_as_before(demo_file: Path, tmp_path: Path) -> None:
    """The demo's own Orders sheet, as a team without the column keeps it (the column taken off)."""
    path = Path(shutil.copy(demo_file, tmp_path / "tracker.xlsx"))
    wb = openpyxl.load_workbook(path)
    ws = wb["Orders"]
    heads = [c.value for c in ws[1]]
    if "Line Status" in heads:  # the demo writes the optional column, empty: a team's tracker may not have it
        ws.delete_cols(heads.index("Line Status") + 1)
        for t in ws.tables.values():
            start = t.ref.split(":")[0]
            t.ref = f"{start}:{get_column_letter(len(heads) - 1)}{ws.max_row}"
            t.tableColumns = [c for c in t.tableColumns if c.name != "Line Status"]
    ws.cell(2, heads.index("Qty") + 1, 0)
    first = (str(ws.cell(2, 1).value), ws.cell(2, 2).value, ws.cell(2, 3).value)
    wb.save(path)
    result = run(path, ["ta"], ctx())
    assert of_line(rows(path, "T&A"), first)
    assert not [f for f in result.findings if f.code in (Code.LINE_CANCELLED, Code.LINE_ON_HOLD)]
    # and a line whose Status is the team's own word is planned quietly, one on hold named in the summary
    held, own = [(str(r["PO #"]), r["Style #"], r["Color"]) for r in rows(path, "Orders")][1:3]
    set_status(path, {held: "On hold", own: "Partial"})
    result = run(path, ["ta"], ctx())
    assert of_line(rows(path, "T&A"), held) and of_line(rows(path, "T&A"), own)
    (note,) = [f for f in result.findings if f.code is Code.LINE_ON_HOLD]
    assert " / ".join(held) in note.message and " / ".join(own) not in note.message
    assert note.value == "On hold"  # the Issues row shows what its cell says
    assert any("on hold" in s for o in result.outcomes for s in o.summary)


@pytest.mark.parametrize(("text", "state"), [
    ("Cancelled", "cancelled"), ("canceled", "cancelled"), ("CXL", "cancelled"), ("Cancelled by buyer", "cancelled"),
    ("Dropped", "cancelled"), ("Cxl'd 12/3", "cancelled"), ("Void", "cancelled"),
    ("On hold", "on hold"), ("HOLD - fabric", "on hold"),
    ("Open", "live"), ("Partial", "live"), ("Partially cancelled", "live"), ("Not cancelled", "live"),
    ("Reinstated (was cancelled)", "live"), ("to be cancelled?", "live"), ("Drop ship", "live"), ("", "live"),
    (None, "live")])
def test_line_status_words(text: str | None, state: str) -> None:
    assert ta.line_state(text) == state


def test_one_pass_gives_the_live_and_the_stopped_lines_in_orders_order() -> None:
    from prodbook.core import exceptions as ex

    orders = pd.DataFrame({"po": ["P1", "P2", "P3"], "style": ["S1", "S1", "S2"], "color": ["Red", "Navy", "Red"],
                           "qty": [100, 0, 50], "line_status": [None, None, "Cxl"], "_row": [2, 3, 4]})
    styles = pd.DataFrame({"style": ["S1", "S2"], "vendor": ["V1", "V2"], "status": [None, None]})
    none = pd.DataFrame(columns=["po", "style", "color", "code"])
    wip = pd.DataFrame(columns=["po", "style", "color", "report_date"])
    args = (orders, styles, none, wip, ex.Settings(), DAY)
    every = ex.build_lines(*args, status_header="Line Status", stopped=None)
    live = ex.build_lines(*args, status_header="Line Status")
    stopped = ex.build_lines(*args, status_header="Line Status", stopped=True)
    assert [ln.po for ln in every] == ["P1", "P2", "P3"]
    assert [ln.po for ln in live] == [ln.po for ln in every if ln.stopped is None] == ["P1"]
    assert [(ln.po, ln.stopped) for ln in stopped] == [(ln.po, ln.stopped) for ln in every if ln.stopped] == [
        ("P2", "PO line cancelled on Orders (Qty 0, Line Status blank)"),
        ("P3", "PO line cancelled on Orders (Line Status 'Cxl')")]
