"""Sheets prodbook owns, laid out the way teams really keep them: a title row, a blank row, the header
further right, their own columns in between. Two refreshes each, every value read back under its header
and compared with the same runs on the default layout."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from conftest import add_table, base_sheets, digest, shown_values, write_book
from prodbook.core.findings import Code, UserError
from prodbook.core.model.sheets import CHANGE_LOG, EXCEPTIONS, FOLLOW_UPS, ISSUES, TA, VENDOR_WIP, SheetSpec
from prodbook.jobs.base import Context
from prodbook.jobs.runner import REFRESH, run

TITLE = "SS27 tracker - notes"
NOTE = "Buyer Note"
OWNED: tuple[SheetSpec, ...] = (TA, ISSUES, FOLLOW_UPS, EXCEPTIONS, CHANGE_LOG, VENDOR_WIP)
KEYS = {TA.name: ("PO #", "Style #", "Color", "Code"), FOLLOW_UPS.name: ("Vendor", "Item", "Ref"),
        EXCEPTIONS.name: ("ID",), VENDOR_WIP.name: ("PO #", "Style #", "Color", "Report Date"),
        ISSUES.name: ("Sheet", "Cell", "Code", "Problem")}
"""What identifies a row across runs, to check a user's cell stays with its row."""
VOLATILE = {CHANGE_LOG.name: {"Timestamp", "Action"}, FOLLOW_UPS.name: {"Draft"}}
"""Columns that differ between two workbooks by design (run time, folder); checked by type instead."""
WIP_HEADER = ["PO #", "Style #", "Color", "Vendor", "Order Qty", "Cut Qty", "Sewn Qty", "Packed Qty",
              "Fabric Status", "Planned XF", "Revised XF", "Ship Mode", "Booking Status", "Remarks"]
DAYS = (date(2027, 3, 1), date(2027, 3, 2))


def layout(kind: str, headers: tuple[str, ...]) -> tuple[list[list[Any]], int | None, int]:
    """The sheet's rows before any run, the header row (None: no header yet), its first column."""
    h = list(headers)
    if kind == "title only":
        return [[TITLE]], None, 0
    if kind == "title, blank row, header (a Table)":
        return [[TITLE], [], h], 3, 0
    if kind == "header from column C":
        return [[TITLE], [None, None, *h]], 2, 2
    if kind == "user column between":
        return [[TITLE, None, "typed by the APM"], [*h[:2], NOTE, *h[2:]]], 2, 0
    if kind == "two columns missing, a wider title row":  # prodbook adds them, past the title's stamp
        short = h[:-3] + h[-1:]
        return [[TITLE, *[None] * (len(short) + 2), "updated weekly"], short], 2, 0
    raise ValueError(kind)


KINDS = ("title only", "title, blank row, header (a Table)", "header from column C", "user column between",
         "two columns missing, a wider title row")


def vendor_file(folder: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(WIP_HEADER)
    ws.append(["4500000001", "S1", "Navy", "BD1", 1200, 1200, 600, 0, "In-house", date(2027, 4, 15),
               date(2027, 4, 22), "Sea", "Pending", ""])
    wb.save(folder / "bd1.xlsx")
    return folder / "bd1.xlsx"


def tracker(folder: Path, kind: str | None) -> Path:
    """The tracker; with ``kind``, every owned sheet exists beforehand in that layout."""
    folder.mkdir()
    path = write_book(folder / "tracker.xlsx", base_sheets())
    if kind is None:
        wb = openpyxl.load_workbook(path)
        del wb[TA.name]  # prodbook makes it, in its own layout
        wb.save(path)
        return path
    wb = openpyxl.load_workbook(path)
    del wb[TA.name]
    for i, spec in enumerate(OWNED):
        ws = wb.create_sheet(spec.name)
        rows, header_row, first = layout(kind, spec.headers)
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row, 1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
        if kind.endswith("(a Table)"):
            ref = f"A{header_row}:{get_column_letter(len(spec.headers))}{header_row + 1}"
            add_table(ws, ref, f"Owned{i}")
    wb.save(path)
    return path


def refresh(path: Path, day: date) -> None:
    run(path, REFRESH, Context(today=day, now=datetime.combine(day, datetime.min.time()).replace(hour=9),
                               files=(vendor_file(path.parent),)))


def read_back(path: Path, spec: SheetSpec) -> tuple[int, dict[str, int], list[dict[str, Any]], list[list]]:
    """(header row, header -> column, one dict per data row, every row) as openpyxl sees the sheet."""
    grid = shown_values(path, spec.name)
    best = max(range(len(grid)), key=lambda r: sum(v in spec.headers for v in grid[r]))
    header = {v: c for c, v in enumerate(grid[best]) if isinstance(v, str)}
    rows = [{h: (row[c] if c < len(row) else None) for h, c in header.items()}
            for row in grid[best + 1:] if any(v is not None for v in row)]
    return best + 1, header, rows, grid


def comparable(spec: SheetSpec, rows: list[dict[str, Any]]) -> Counter:
    skip = VOLATILE.get(spec.name, set())
    keep = [h for h in spec.headers if h not in skip]
    if spec is ISSUES:  # cells move with the title rows, and the new header is itself a note
        keep = ["Sheet", "Severity", "Code"]
        rows = [r for r in rows if r["Code"] != "header-added"]
    return Counter(tuple(_folder_free(r[h]) for h in keep) for r in rows)


def _folder_free(value: Any) -> Any:
    """A draft's path without the workbook's folder (the two workbooks live in different folders)."""
    if isinstance(value, str) and "Follow-up drafts" in value:
        return value[value.index("Follow-up drafts"):]
    return value


def check_types(spec: SheetSpec, rows: list[dict[str, Any]]) -> None:
    """Values that only fit their own column: a shifted column fails here even without the control."""
    codes = {str(c) for c in Code}
    for r in rows:
        if spec is TA:
            assert r["Code"] in {"LD", "LD-APP", "CUT", "XF", "DC"} and isinstance(r["Planned"], datetime)
            assert r["Status"] in {"Overdue", "Due soon", "Upcoming", "Done", "Done late", "Not applicable"}
        elif spec is ISSUES:
            assert r["Severity"] in {"error", "warning", "info"} and r["Code"] in codes
        elif spec is CHANGE_LOG:
            assert isinstance(r["Timestamp"], datetime) and r["Action"].startswith("Refresh ")
        elif spec is FOLLOW_UPS:
            assert r["Vendor"] in {"BD1", "CN1"} and str(r["Draft"]).endswith(".eml")
        elif spec is EXCEPTIONS:
            assert str(r["ID"]).startswith("EX-") and r["Severity"] in {"error", "warning"}
        elif spec is VENDOR_WIP:
            assert r["Vendor"] == "BD1" and isinstance(r["Report Date"], datetime) and r["Cut Qty"] == 1200


def check_sheets(path: Path, control: Path, kind: str, typed: dict[str, tuple]) -> None:
    """Every owned sheet: title kept, each header once, every value under its own header, the same
    values as the default layout got, and the APM's own cells still on their rows."""
    for spec in OWNED:
        header_row, header, rows, grid = read_back(path, spec)
        assert grid[0][0] == TITLE, f"{spec.name}: the title was overwritten"
        assert all(h in header for h in spec.headers), f"{spec.name}: headers {list(header)}"
        assert len(header) == len(spec.headers) + (kind == "user column between"), \
            f"{spec.name}: a header was written twice or beside its column: {list(header)}"
        if kind == "title only":
            assert header_row == 3 and header[spec.headers[0]] == 0
        for r, row in enumerate(grid[header_row:], header_row + 1):
            stray = [f"{get_column_letter(c + 1)}{r}" for c, v in enumerate(row)
                     if v is not None and c not in header.values()]
            assert not stray, f"{spec.name}: values with no header over them in {stray}"
        assert rows, f"{spec.name}: no data rows"
        check_types(spec, rows)
        _, _, expected, _ = read_back(control, spec)
        assert comparable(spec, rows) == comparable(spec, expected), spec.name
        if spec.name in typed:
            key = KEYS.get(spec.name)
            mine = [r for r in rows if not key or tuple(r[k] for k in key) == typed[spec.name]]
            assert mine and mine[0][NOTE] == f"keep {spec.name}", f"{spec.name}: the user's note moved"
            assert sum(r[NOTE] is not None for r in rows) == 1, f"{spec.name}: data under the user's column"


@pytest.mark.parametrize("kind", KINDS)
def test_owned_sheets_with_title_rows_are_written_under_their_own_headers_twice(tmp_path, kind):
    control = tracker(tmp_path / "default", None)
    path = tracker(tmp_path / "titled", kind)
    for book in (control, path):
        refresh(book, DAYS[0])
    check_sheets(path, control, kind, {})
    # the APM types in their own column, on the first row of each sheet
    typed: dict[str, tuple] = {}
    if kind == "user column between":
        wb = openpyxl.load_workbook(path)
        for spec in OWNED:
            header_row, header, rows, _ = read_back(path, spec)
            key = KEYS.get(spec.name)
            typed[spec.name] = tuple(rows[0][k] for k in key) if key else ()
            wb[spec.name].cell(row=header_row + 1, column=header[NOTE] + 1, value=f"keep {spec.name}")
        wb.save(path)
    for book in (control, path):
        refresh(book, DAYS[1])
    check_sheets(path, control, kind, typed)
    if kind == "user column between":
        assert openpyxl.load_workbook(path)[TA.name]["C1"].value == "typed by the APM"


def test_an_owned_sheet_full_of_other_content_is_refused_by_name(tmp_path):
    """No header in its first rows and no room below them for one: nothing is written, and the APM is
    told which sheet and what to do."""
    path = tracker(tmp_path / "book", None)
    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet("Issues")
    for r in range(1, 16):
        ws.cell(row=r, column=1, value=f"my own note {r}")
    wb.save(path)
    before = digest(path)
    with pytest.raises(UserError) as caught:
        refresh(path, DAYS[0])
    message = str(caught.value)
    assert "sheet 'Issues'" in message and "Rename that sheet" in message and "Nothing was written" in message
    assert digest(path) == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["bd1.xlsx", "tracker.xlsx"]  # no drafts


def test_a_title_only_sheet_is_reported_in_the_runs_findings(tmp_path):
    path = tracker(tmp_path / "book", "title only")
    result = run(path, ["ta"], Context(today=DAYS[0], now=datetime(2027, 3, 1, 9)))
    notes = [f for f in result.findings if f.code == "header-added"]
    assert {f.sheet for f in notes} >= {"T&A", "Change Log"}
    ta_note = next(f for f in notes if f.sheet == "T&A")
    assert ta_note.row == 3 and "below the 1 row(s) it already holds" in ta_note.message


# --- the writers' side of the contract: a header goes where its data goes ----------------------------

def titled_sheet(path: Path) -> Path:
    """A sheet with a title row wider than its header (a stamp in H1) and one data row."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Log"
    ws["A1"], ws["H1"] = TITLE, "updated weekly"
    for c, h in enumerate(("PO #", "Code", "Planned"), 1):
        ws.cell(row=2, column=c, value=h)
    for c, v in enumerate(("P1", "LD", date(2027, 1, 4)), 1):
        ws.cell(row=3, column=c, value=v)
    wb.save(path)
    return path


@pytest.mark.parametrize("writer", ["parts", "openpyxl side copy"])
def test_added_headers_go_where_the_caller_put_their_data(tmp_path, writer):
    from prodbook.workbook.openpyxl_writer import write_copy
    from prodbook.workbook.xlsxparts import SheetRewrite, rewrite_sheets

    src, dst = titled_sheet(tmp_path / "t.xlsx"), tmp_path / "o.xlsx"
    rw = SheetRewrite("Log", 2, (0, 8, 9), (("P1", "x1", "y1"), ("P2", "x2", "y2")), source_rows=(3, None),
                      append_headers=("Status", "Variance"), append_at=8)
    (rewrite_sheets if writer == "parts" else write_copy)(src, dst, [rw], [])
    ws = openpyxl.load_workbook(dst)["Log"]
    assert [ws.cell(row=2, column=c).value for c in (1, 2, 3, 8, 9, 10)] == \
        ["PO #", "Code", "Planned", None, "Status", "Variance"]
    assert [ws.cell(row=3, column=c).value for c in (1, 2, 9, 10)] == ["P1", "LD", "x1", "y1"]
    assert [ws.cell(row=4, column=c).value for c in (1, 9, 10)] == ["P2", "x2", "y2"]
    assert (ws["A1"].value, ws["H1"].value) == (TITLE, "updated weekly")


def test_an_added_header_never_overwrites_one(tmp_path):
    from prodbook.workbook.xlsxparts import SheetRewrite, rewrite_sheets

    src = titled_sheet(tmp_path / "t.xlsx")
    with pytest.raises(ValueError, match="C2 already holds a header"):
        rewrite_sheets(src, tmp_path / "o.xlsx", [SheetRewrite("Log", 2, (2,), (("x",),),
                                                               append_headers=("Status",), append_at=2)])
    assert not (tmp_path / "o.xlsx").exists()
