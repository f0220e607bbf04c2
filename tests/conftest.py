"""Shared test helpers: small real tracker workbooks built inline with openpyxl."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.table import Table, TableStyleInfo

from prodbook.core.findings import Code, Finding

HAS_SOFFICE = shutil.which("soffice") is not None


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    skip = pytest.mark.skip(reason="LibreOffice (soffice) is not installed")
    for item in items:
        if "libreoffice" in item.keywords and not HAS_SOFFICE:
            item.add_marker(skip)


STYLES = [["Style #", "Description", "Vendor", "T&A Template", "Status"],
          ["S1", "Crew tee", "BD1", "Knit", "Adopted"],
          ["S2", "Chino", "CN1", "Knit", "Adopted"]]
ORDERS = [["PO #", "Style #", "Color", "Qty", "PO Date", "Ex-Factory", "In-DC", "Cancel Date"],
          ["4500000001", "S1", "Navy", 1200, date(2027, 1, 4), date(2027, 4, 15), date(2027, 5, 10),
           date(2027, 5, 20)],
          ["4500000002", "S2", "Black", 800, date(2027, 1, 11), date(2027, 4, 30), date(2027, 5, 30),
           date(2027, 6, 5)]]
TEMPLATES = [["Template", "Code", "Milestone", "Owner", "Anchor", "Offset", "Day Type", "Critical",
              "Stage"],
             ["Knit", "LD", "Lab dip submit", "Mill", "PO Date", 5, "Working", "No", "Development"],
             ["Knit", "LD-APP", "Lab dip approval", "Buyer", "LD", 7, "Working", "Yes", "Development"],
             ["Knit", "CUT", "Bulk cutting", "Vendor", "XF", -15, "Working", "Yes", "Production"],
             ["Knit", "XF", "Ex-factory", "Vendor", "Ex-Factory", 0, "Working", "Yes", "Shipping"],
             ["Knit", "DC", "In DC", "Forwarder", "XF", 30, "Calendar", "No", "Shipping"]]
VENDORS = [["Vendor", "Name", "Country", "Email", "CC", "Weekend", "Holiday Country"],
           ["BD1", "Dhaka Knit Ltd", "Bangladesh", "merch@dhaka-knit.example", "", 16, "BD"],
           ["CN1", "Ningbo Garments", "China", "sales@ningbo.example", "", 1, "CN"]]
CLOSURES = [["Calendar", "From", "To", "Reason"],
            ["CN", date(2027, 1, 30), date(2027, 2, 20), "Chinese New Year"]]
TA = [["PO #", "Style #", "Color", "Vendor", "Code", "Milestone", "Owner", "Planned", "Forecast",
       "Actual", "Status", "Variance", "Notes"]]


def base_sheets() -> dict[str, list[list[Any]]]:
    return {"Styles": [r[:] for r in STYLES], "Orders": [r[:] for r in ORDERS],
            "T&A Templates": [r[:] for r in TEMPLATES], "Vendors": [r[:] for r in VENDORS],
            "Closures": [r[:] for r in CLOSURES], "T&A": [r[:] for r in TA]}


def write_book(path: Path, sheets: dict[str, Sequence[Sequence[Any]]], *, tables: bool = True) -> Path:
    """A workbook with one sheet per entry, each an Excel Table when it has a header and rows."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for i, (name, rows) in enumerate(sheets.items()):
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
        for col in ws.iter_cols(min_row=2):
            for cell in col:
                if isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd"
        if tables and rows and len(rows[0]):
            ref = f"A1:{openpyxl.utils.get_column_letter(len(rows[0]))}{max(len(rows), 2)}"
            add_table(ws, ref, f"T{i}_{''.join(c for c in name if c.isalnum())}")
    wb.save(path)
    return path


def add_table(ws: Any, ref: str, name: str) -> None:
    """Format ``ref`` of the sheet as an Excel Table, as a team's tracker usually is."""
    t = Table(displayName=name, ref=ref)
    t.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(t)


def grow_tables(ws: Any) -> None:
    """The sheet's Tables run down to its last row, as Excel grows a Table over a row typed under it."""
    for table in ws.tables.values():
        first, last = table.ref.split(":")
        table.ref = f"{first}:{''.join(c for c in last if c.isalpha())}{ws.max_row}"


def add_config(path: Path, *lines: tuple[str, Any]) -> Path:
    """The workbook at ``path`` with a Config sheet of these Setting / Value lines, as a team types one."""
    wb = openpyxl.load_workbook(path)
    cfg = wb.create_sheet("Config")
    cfg.append(["Setting", "Value"])
    for line in lines:
        cfg.append(list(line))
    wb.save(path)
    return path


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    return write_book(tmp_path / "tracker.xlsx", base_sheets())


def demo_workbook(folder: Path, day: Any) -> Path:
    """The demo tracker as `prodbook demo FOLDER --today DAY` writes and refreshes it (a module's fixture makes
    it once: the demo takes seconds)."""
    from click.testing import CliRunner

    from prodbook.cli import main

    result = CliRunner().invoke(main, ["demo", str(folder), "--today", str(day)])
    assert result.exit_code == 0, result.output
    return folder / "demo-tracker.xlsx"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_finding(findings: Sequence[Finding], code: Code, **where: Any) -> Finding:
    """The one finding with this code and place; fails with the list when missing."""
    hits = [f for f in findings if f.code is code and all(getattr(f, k) == v for k, v in where.items())]
    assert hits, f"no {code} at {where}; got:\n" + "\n".join(f.text() for f in findings)
    return hits[0]


def add_notes_column(path: Path, name: str = "Notes") -> int:
    """A column of the APM's own (``name``) at the end of the Issues table; its Excel column number."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Issues"]
    note = ws.max_column + 1
    ws.cell(1, note).value = name
    table = next(iter(ws.tables.values()))
    table.ref = f"A1:{openpyxl.utils.get_column_letter(note)}{ws.max_row}"
    table.autoFilter.ref = table.ref
    table.tableColumns.append(openpyxl.worksheet.table.TableColumn(id=note, name=name))
    wb.save(path)
    return note


def decide_issue(book: Path, pick: Callable[[dict[str, Any]], bool], accept: str | None, notes: str) -> None:
    """The APM's Accept and a note (in 'Notes', a column of the team's own added on the right) typed on the one
    Issues row ``pick`` takes (the row as a dict by header)."""
    wb = openpyxl.load_workbook(book)
    ws = wb["Issues"]
    head = [c.value for c in ws[1]]
    if "Notes" not in head:
        ws.cell(1, len(head) + 1, "Notes")
        head.append("Notes")
    rows = [r for r in range(2, ws.max_row + 1) if pick(dict(zip(head, (c.value for c in ws[r]))))]
    assert len(rows) == 1, rows
    ws.cell(rows[0], head.index("Accept") + 1, accept)
    ws.cell(rows[0], head.index("Notes") + 1, notes)
    wb.save(book)

def sheet_values(path: Path, sheet: str) -> list[list[Any]]:
    wb = openpyxl.load_workbook(path, data_only=False)
    return [list(r) for r in wb[sheet].iter_rows(values_only=True)]


_LINK_TEXT = re.compile(r'^=HYPERLINK\(".*",\s*"((?:[^"]|"")*)"\)$', re.S)


def shown_values(path: Path, sheet: str) -> list[list[Any]]:
    """The values as a spreadsheet shows them before recalculating: a link (formula) as its cached text,
    or (saved by openpyxl, which drops cached values) as the text in its formula."""
    shown = openpyxl.load_workbook(path, data_only=True)[sheet].iter_rows(values_only=True)
    typed = openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True)
    out = []
    for a, b in zip(shown, typed):
        out.append([v if v is not None or not isinstance(f, str) or not (m := _LINK_TEXT.match(f))
                    else m.group(1).replace('""', '"') for v, f in zip(a, b)])
    return out


@pytest.fixture(autouse=True)
def _crash_log_in_tmp(tmp_path_factory: Any, monkeypatch: Any) -> None:
    """Crash logs of a test go to a folder of its own, never the user's real log folder."""
    from prodbook.jobs import support

    folder = tmp_path_factory.mktemp("logs")
    monkeypatch.setattr(support, "log_folder", lambda: folder, raising=False)


def damage_compressed_data(path: Path, member: str) -> None:
    """Flip bytes in the middle of ``member``'s compressed data: the zip's directory stays whole, its
    inflating fails (a file cut by a mail gateway, a bad sector), as zlib.error, which is not an OSError."""
    import struct
    import zipfile

    with zipfile.ZipFile(path) as z:
        info = z.getinfo(member)
    data = bytearray(path.read_bytes())
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26: info.header_offset + 30])
    start = info.header_offset + 30 + name_len + extra_len
    for k in range(start + info.compress_size // 3, start + info.compress_size // 3 + 40):
        data[k] ^= 0x5A
    path.write_bytes(bytes(data))


def handles_on(path: Path) -> list[str]:
    """This process's descriptors open on the file now at ``path`` (Linux's /proc): Windows refuses to replace
    or delete a file a handle still holds, so the tests that guard against it look here."""
    want = os.stat(path)
    found = []
    for fd in Path("/proc/self/fd").iterdir():
        try:
            st = os.stat(fd)
        except OSError:  # the listing's own descriptor, closed by now
            continue
        if (st.st_dev, st.st_ino) == (want.st_dev, want.st_ino):
            found.append(os.readlink(fd))
    return found


def without_file_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    """A drive that gives every file the id 0 (a WebDAV-mapped SharePoint library, some cloud drives)."""
    def zeroed(real: Callable[..., os.stat_result]) -> Callable[..., os.stat_result]:
        def stat(*args: Any, **kwargs: Any) -> os.stat_result:
            kind, (seq, extra) = real(*args, **kwargs).__reduce__()
            return kind((seq[0], 0, *seq[2:]), extra)
        return stat
    monkeypatch.setattr(os, "stat", zeroed(os.stat))
    monkeypatch.setattr(os, "fstat", zeroed(os.fstat))
