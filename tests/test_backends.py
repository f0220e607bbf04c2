"""One contract, every workbook back end: the same job gives the same tracker.

Parametrised over the file back end, the live back end (``XlBook``) driven
through an in-memory stand-in for xlwings (``fakexl``: the back end's own
code runs, Excel does not), and the live back end on real Excel (marked
``excel``: skipped where there is no Excel, as on Linux).
"""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import base_sheets, sheet_values, write_book
from fakexl import FakeBook
from fakexl import Formula as XlFormula
from prodbook.core.model.sheets import VENDOR_WIP
from prodbook.jobs.base import Context
from prodbook.jobs.runner import REFRESH, run
from prodbook.workbook.backend import Backend
from prodbook.workbook.filebook import FileBook
from prodbook.workbook.xlbook import (
    XlBook,
    changed_blocks,
    edit_blocks,
    excel_value,
    keeps_as_typed,
    merge_formulas,
    rewrite_grid,
    takes_back,
)
from prodbook.workbook.xlsxparts import CellEdit, Formula, SheetRewrite

CTX = Context(today=date(2027, 3, 1), now=datetime(2027, 3, 1, 9, 0))
HAS_EXCEL = sys.platform.startswith("win") or sys.platform == "darwin"


class FileKind:
    name = "file"

    def open(self, path: Path) -> Any:
        return None  # runner opens the file itself

    def backend(self, handle: Any, path: Path) -> Any:
        return None

    def values(self, handle: Any, path: Path, sheet: str) -> list[list[Any]]:
        return [list(r) for r in sheet_values(path, sheet)]

    def type_in(self, handle: Any, path: Path, sheet: str, row: int, col: int, value: Any) -> None:
        import openpyxl
        wb = openpyxl.load_workbook(path)
        wb[sheet].cell(row=row, column=col, value=value)
        wb.save(path)


class FakeLiveKind:
    name = "live (in-memory xlwings stand-in)"

    def open(self, path: Path) -> FakeBook:
        return FakeBook.from_file(path)

    def backend(self, handle: FakeBook, path: Path) -> XlBook:
        return XlBook(handle)

    def values(self, handle: FakeBook, path: Path, sheet: str) -> list[list[Any]]:
        return handle.values(sheet)

    def type_in(self, handle: FakeBook, path: Path, sheet: str, row: int, col: int, value: Any) -> None:
        handle.sheets[sheet].cells[(row, col)] = value


class ExcelKind(FakeLiveKind):
    name = "live (Microsoft Excel)"

    def open(self, path: Path) -> Any:
        import xlwings as xw
        return xw.Book(str(path))

    def values(self, handle: Any, path: Path, sheet: str) -> list[list[Any]]:
        return handle.sheets[sheet].used_range.options(ndim=2).value

    def type_in(self, handle: Any, path: Path, sheet: str, row: int, col: int, value: Any) -> None:
        handle.sheets[sheet].range((row, col)).value = value


KINDS = [
    pytest.param(FileKind(), id="file"),
    pytest.param(FakeLiveKind(), id="live-fake"),
    pytest.param(ExcelKind(), id="live-excel", marks=[
        pytest.mark.excel,
        pytest.mark.skipif(not HAS_EXCEL, reason="needs Microsoft Excel (Windows/macOS); not on Linux")]),
]


def _run(kind: Any, handle: Any, path: Path, jobs: list[str]) -> Any:
    return run(path, jobs, CTX, backend=kind.backend(handle, path))


def _rows(values: list[list[Any]]) -> dict[tuple, dict]:
    header = values[0]
    out = {}
    for r in values[1:]:
        if r and r[0] not in (None, ""):
            d = dict(zip(header, r))
            out[(str(d["PO #"]), d["Style #"], d["Color"], d["Code"])] = d
    return out


def _day(v: Any) -> Any:
    return v.date() if isinstance(v, datetime) else v


@pytest.fixture(params=KINDS)
def kind(request: Any) -> Any:
    return request.param


def test_the_back_ends_implement_the_protocol() -> None:
    members = [n for n in vars(Backend) if not n.startswith("_")] + ["commit"]
    assert {"name", "date1904", "sheet_names", "read_sheet", "stage", "edit"} <= set(members)
    for cls in (FileBook, XlBook):
        for member in members:
            assert hasattr(cls, member), f"{cls.__name__} lacks {member}"


def test_rebuild_ta_gives_the_same_sheet(kind: Any, tmp_path: Path) -> None:
    reference = write_book(tmp_path / "reference.xlsx", base_sheets())
    run(reference, ["ta"], CTX)
    expected = _rows([list(r) for r in sheet_values(reference, "T&A")])

    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    handle = kind.open(path)
    result = _run(kind, handle, path, ["ta"])
    got = _rows(kind.values(handle, path, "T&A"))
    assert result.changes == 10
    assert got.keys() == expected.keys()
    for key, row in expected.items():
        for field in ("Planned", "Forecast", "Status", "Variance", "Vendor", "Milestone"):
            assert _day(got[key][field]) == _day(row[field]), (key, field)
    log = kind.values(handle, path, "Change Log")
    assert len([r for r in log[1:] if r[0] is not None]) == 10


def test_rebuild_keeps_what_the_user_typed(kind: Any, tmp_path: Path) -> None:
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    handle = kind.open(path)
    _run(kind, handle, path, ["ta"])
    values = kind.values(handle, path, "T&A")
    header = values[0]
    row = next(i for i, r in enumerate(values) if r[4] == "LD") + 1
    kind.type_in(handle, path, "T&A", row, header.index("Actual") + 1, datetime(2027, 1, 12))
    kind.type_in(handle, path, "T&A", row, header.index("Notes") + 1, "mill late")
    _run(kind, handle, path, ["ta"])
    rows = _rows(kind.values(handle, path, "T&A"))
    ld = rows[("4500000001", "S1", "Navy", "LD")]
    assert _day(ld["Actual"]) == date(2027, 1, 12)
    assert ld["Notes"] == "mill late"
    assert ld["Status"] == "Done late"


def test_a_hidden_column_gives_way_to_a_visible_one_of_the_same_field(kind: Any, tmp_path: Path) -> None:
    """The team hid last season's 'Ex-Factory' column and keeps the dates in 'XF Date' beside it: the hidden
    one, named better, was read, and every milestone was planned from the old dates."""
    import openpyxl

    sheets = base_sheets()
    orders = sheets["Orders"]
    at = orders[0].index("Ex-Factory")
    for r in orders:
        r.insert(at + 1, "XF Date" if r is orders[0] else r[at] + timedelta(days=14))
        if r is not orders[0]:
            r[at] = date(2026, 12, 1)  # last season's, hidden
    path = write_book(tmp_path / "tracker.xlsx", sheets)
    wb = openpyxl.load_workbook(path)
    wb["Orders"].column_dimensions[openpyxl.utils.get_column_letter(at + 1)].hidden = True
    wb.save(path)
    handle = kind.open(path)
    _run(kind, handle, path, ["ta"])
    xf = {k[0]: _day(r["Planned"]) for k, r in _rows(kind.values(handle, path, "T&A")).items() if k[3] == "XF"}
    assert xf == {"4500000001": date(2027, 4, 29), "4500000002": date(2027, 5, 14)}


def test_a_formula_over_the_ta_on_another_sheet_takes_in_the_rows_a_rebuild_adds(kind: Any, tmp_path: Path) -> None:
    """A dashboard's count over the T&A column runs to the rebuilt T&A's last row: the file back end grows it in
    the file, the add-in inserts the rows inside the data and Excel grows it (``live_rows``)."""
    import openpyxl

    from test_total_rows import add_order

    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    run(path, ["ta"], CTX)  # ten milestones, rows 2-11
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("Dashboard")["A1"] = "=COUNTA('T&A'!$E$2:$E$11)"
    wb.save(path)
    add_order(path, "4500000003")
    handle = kind.open(path)
    _run(kind, handle, path, ["ta"])
    if kind.name == "file":
        formula = openpyxl.load_workbook(path)["Dashboard"]["A1"].value
    else:
        formula = handle.sheets["Dashboard"].range((1, 1)).formula
    assert formula in ("=COUNTA('T&A'!$E$2:$E$16)", (("=COUNTA('T&A'!$E$2:$E$16)",),))
    assert len(_rows(kind.values(handle, path, "T&A"))) == 15


def test_undo_restores_the_sheet(kind: Any, tmp_path: Path) -> None:
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    handle = kind.open(path)
    _run(kind, handle, path, ["ta"])
    _run(kind, handle, path, ["undo"])
    rows = _rows(kind.values(handle, path, "T&A"))
    assert rows == {}


# --- the live back end's write path -----------------------------------------------------------


def test_live_writes_only_changed_blocks(tmp_path: Path) -> None:
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    book = FakeBook.from_file(path)
    run(path, ["ta"], CTX, backend=XlBook(book))
    sheet = book.sheets["T&A"]
    sheet.writes.clear()
    values = book.values("T&A")
    header = values[0]
    row = next(i for i, r in enumerate(values) if r[4] == "LD") + 1
    sheet.cells[(row, header.index("Actual") + 1)] = datetime(2027, 1, 12)
    run(path, ["ta"], CTX, backend=XlBook(book))
    # Status, Variance and the forecasts after LD change; Planned, keys, Notes do not.
    assert sheet.writes, "nothing written"
    written_cols = {c for _, c0, _, w in sheet.writes for c in range(c0, c0 + w)}
    planned = header.index("Planned") + 1
    assert planned not in written_cols
    assert sum(h * w for _, _, h, w in sheet.writes) < 10 * len(header)
    assert book.app.screen_updating is True and book.app.calculation == "automatic"
    assert book.app.status_history and book.app.status_history[-1] is False


def _log(book: FakeBook) -> list[tuple]:
    return [tuple(r[:7]) for r in book.values("Change Log")[1:] if r[0] is not None]


def test_live_runs_keep_every_earlier_run_in_the_change_log(tmp_path: Path) -> None:
    """From the ribbon too, each run's changes are added below the earlier runs' (until 2026-12-03 the
    live back end wrote each run's rows over the log, so undo reached back one run only): the log reads
    as the file back end's, and undo walks back run by run to the sheet as it was."""
    days = [Context(today=date(2027, 3, 1) + timedelta(days=7 * i), now=datetime(2027, 3, 1, 9) + timedelta(days=7 * i))
            for i in range(3)]
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    on_file = write_book(tmp_path / "on file.xlsx", base_sheets())
    book = FakeBook.from_file(path)
    counts = []
    for ctx in days:
        counts.append(run(path, ["ta"], ctx, backend=XlBook(book)).changes)
        run(on_file, ["ta"], ctx)
    assert min(counts) > 0 and len(_log(book)) == sum(counts)
    expected = [tuple(r[:7]) for r in sheet_values(on_file, "Change Log")[1:] if r[0] is not None]
    assert [r[2:] for r in _log(book)] == [r[2:] for r in expected]
    assert [r[0] for r in _log(book)] == [r[0] for r in expected]
    for _ in days:  # each undo takes back one run, the oldest too, as on the file
        live = run(path, ["undo"], days[-1], backend=XlBook(book)).changes
        assert live > 0 and live == run(on_file, ["undo"], days[-1]).changes
        assert _days(book.values("T&A")) == _days(sheet_values(on_file, "T&A"))


def test_a_long_log_is_not_read_to_add_a_runs_rows_below_it(tmp_path: Path) -> None:
    """From the ribbon, a run's log rows go below the log's last rows, read alone: a log of a million rows
    would otherwise pass through Excel twice on every button press."""
    days = [Context(today=date(2027, 3, 1) + timedelta(days=7 * i), now=datetime(2027, 3, 1, 9) + timedelta(days=7 * i))
            for i in range(3)]
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    book = FakeBook.from_file(path)
    counts = [run(path, ["ta"], ctx, backend=XlBook(book)).changes for ctx in days[:2]]
    log = book.sheets["Change Log"]
    older = [(r, c, v) for (r, c), v in log.cells.items() if r > 1]
    for k in range(1, 40):  # forty times the log so far, as a season's log is
        log.cells.update({(r + k * sum(counts), c): v for r, c, v in older})
    held = max(r for r, _ in log.cells) - 1
    log.cells_read = 0
    third = run(path, ["ta"], days[2], backend=XlBook(book)).changes
    from prodbook.workbook.tables import HEADER_SCAN_ROWS
    from prodbook.workbook.xlbook import APPEND_LOOK_BACK

    # the first rows (the header, looked for twice), the last rows: not the log
    assert log.cells_read <= (2 * HEADER_SCAN_ROWS + APPEND_LOOK_BACK) * 8 < held * 8 / 4
    rows = _log(book)
    assert len(rows) == held + third and rows[-third:][0][1].startswith("Rebuild T&A 2027-03-15")
    assert [t.range.bottom[0] for t in log.tables] == [held + third + 1]  # the Table reaches the new rows


def test_a_full_log_moves_its_oldest_run_out_from_the_ribbon_too(tmp_path: Path, monkeypatch: Any) -> None:
    """The live back end's log fills as the file's does: the oldest run goes to the workbook beside the
    tracker, the rest stay with the new run's rows below them."""
    from prodbook.workbook.log_archive import archive_path

    days = [Context(today=date(2027, 3, 1) + timedelta(days=7 * i), now=datetime(2027, 3, 1, 9) + timedelta(days=7 * i))
            for i in range(3)]
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    book = FakeBook.from_file(path)
    book.fullname = str(path)  # a workbook saved on disk: the moved rows go beside it
    counts = [run(path, ["ta"], ctx, backend=XlBook(book)).changes for ctx in days[:2]]
    logged = _log(book)
    monkeypatch.setattr("prodbook.workbook.tracker.SHEET_ROWS", sum(counts) + 1)
    third = run(path, ["ta"], days[2], backend=XlBook(book))
    archive = archive_path(path, days[0].now)
    moved = [tuple(r[:7]) for r in sheet_values(archive, "Change Log")[1:]]
    assert [r[1:] for r in moved] == [r[1:] for r in logged[:counts[0]]]
    kept = _log(book)
    assert kept[:counts[1]] == logged[counts[0]:] and len(kept) == counts[1] + third.changes


def test_a_full_logs_oldest_runs_move_out_and_the_rest_move_up(kind: Any, tmp_path: Path, monkeypatch: Any) -> None:
    """Every back end, real Excel included where there is one (Excel itself deletes the rows that go):
    the oldest runs in their own workbook beside the tracker, the newer ones at the top of the log, this
    run's rows below them, the Table over exactly those rows."""
    days = [Context(today=date(2027, 3, 1) + timedelta(days=7 * i), now=datetime(2027, 3, 1, 9) + timedelta(days=7 * i))
            for i in range(3)]
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    handle = kind.open(path)
    if isinstance(handle, FakeBook):
        handle.fullname = str(path)  # a workbook saved on disk: the moved rows go beside it
    counts = [run(path, ["ta"], ctx, backend=kind.backend(handle, path)).changes for ctx in days[:2]]
    before = [r[:7] for r in kind.values(handle, path, "Change Log")[1:] if r[0] not in (None, "")]
    monkeypatch.setattr("prodbook.workbook.tracker.SHEET_ROWS", sum(counts) + 1)
    third = run(path, ["ta"], days[2], backend=kind.backend(handle, path)).changes
    after = [r[:7] for r in kind.values(handle, path, "Change Log")[1:] if r[0] not in (None, "")]
    assert len(after) == counts[1] + third and [r[2:] for r in after[:counts[1]]] == [r[2:] for r in before[counts[0]:]]
    archive = next(tmp_path.glob("tracker Change Log to *.xlsx"))
    assert [r[2:7] for r in sheet_values(archive, "Change Log")[1:]] == [r[2:] for r in before[:counts[0]]]


@pytest.mark.parametrize("shape", ["table", "title row"])
def test_from_the_ribbon_a_full_logs_oldest_runs_move_out_without_reading_the_log(tmp_path: Path, monkeypatch: Any,
                                                                                  shape: str) -> None:
    """The day the log moves, the add-in reads its action and time columns and the rows that go, and
    Excel deletes those rows (the rows that stay move up without passing through Python): the log and
    the rows moved out read as the command's on the same days, in a Table or below a team's title row,
    and far fewer cells than the log holds pass through Excel
    (``test_a_long_logs_move_from_the_ribbon_reads_two_columns_and_the_rows_that_go``)."""
    from test_change_log_full import title_above_header

    days = [Context(today=date(2027, 3, 1) + timedelta(days=7 * i), now=datetime(2027, 3, 1, 9) + timedelta(days=7 * i))
            for i in range(4)]
    (tmp_path / "file").mkdir()
    (tmp_path / "live").mkdir()
    on_file = write_book(tmp_path / "file" / "tracker.xlsx", base_sheets())
    path = write_book(tmp_path / "live" / "tracker.xlsx", base_sheets())
    counts = [run(path, ["ta"], ctx).changes for ctx in days[:2]]
    # the command's runs a minute later: a run's name gets a counter where this process ran one of that name
    later = [Context(today=c.today, now=c.now + timedelta(minutes=1)) for c in days]
    assert counts == [run(on_file, ["ta"], ctx).changes for ctx in later[:2]] and min(counts) > 0
    hr = 1
    if shape == "title row":
        title_above_header(path)
        title_above_header(on_file)
        hr = 2
    book = FakeBook.from_file(path)
    book.fullname = str(path)
    counts.append(run(path, ["ta"], days[2], backend=XlBook(book)).changes)
    assert counts[2] == run(on_file, ["ta"], later[2]).changes > 0
    log = book.sheets["Change Log"]
    held = max(r for r, _ in log.cells) - hr
    assert held == sum(counts)
    log.cells_read, log.writes[:] = 0, []
    monkeypatch.setattr("prodbook.workbook.tracker.SHEET_ROWS", sum(counts) + hr)
    fourth = run(path, ["ta"], days[3], backend=XlBook(book))
    assert fourth.changes == run(on_file, ["ta"], later[3]).changes > 0
    found = [sorted(p.parent.glob("tracker Change Log to *.xlsx")) for p in (path, on_file)]
    assert [len(f) for f in found] == [1, 1]
    archives = [[tuple(r[2:7]) for r in sheet_values(f[0], "Change Log") if r[2] == "T&A"] for f in found]
    gone = len(archives[1])
    assert gone in (counts[0], counts[0] + counts[1])  # whole runs, the oldest first
    assert archives[0] == archives[1] and log.deletes == [(hr + 1, hr + gone)]  # one delete, by Excel
    assert all(r > hr + held - gone for r, _, _, _ in log.writes)  # only the new rows written
    live_log = [tuple(r[2:7]) for r in book.values("Change Log")[hr:] if r[0] is not None]
    file_log = [tuple(r[2:7]) for r in sheet_values(on_file, "Change Log")[hr:] if r[0] is not None]
    assert live_log == file_log and len(live_log) == held - gone + fourth.changes
    assert book.values("Change Log")[:hr] == [list(r) for r in sheet_values(on_file, "Change Log")[:hr]]
    assert [t.range.bottom[0] for t in log.tables] == ([len(live_log) + 1] if shape == "table" else [])


def test_a_long_logs_move_from_the_ribbon_reads_two_columns_and_the_rows_that_go(tmp_path: Path,
                                                                                monkeypatch: Any) -> None:
    """A season's log below a run's rows: the day its oldest runs move out, Excel hands over the action and
    time columns and the rows that go, never the rows that stay (a full log is a million rows; it was read
    through Excel three times, and the rows that stay written back one by one)."""
    from prodbook.workbook.tables import HEADER_SCAN_ROWS
    from prodbook.workbook.xlbook import APPEND_LOOK_BACK

    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    book = FakeBook.from_file(path)
    book.fullname = str(path)
    first = run(path, ["ta"], CTX, backend=XlBook(book)).changes
    log = book.sheets["Change Log"]
    width = max(c for _, c in log.cells)
    ran = sorted((r, c, v) for (r, c), v in log.cells.items() if r > 1)
    older, size = 40, 30  # forty older runs of thirty rows, each its own action and time, above the run's
    log.cells = {k: v for k, v in log.cells.items() if k[0] == 1}
    for k in range(older):
        when = datetime(2027, 1, 1, 9) + timedelta(days=k)
        for i in range(size):
            row = 2 + k * size + i
            log.cells.update({(row, 1): when, (row, 2): f"Older run {k}", (row, 3): "T&A", (row, 4): f"K{k}-{i}",
                              (row, 5): "Forecast", (row, 6): "a", (row, 7): "b", (row, 8): "apm"})
    log.cells.update({(r + older * size, c): v for r, c, v in ran})
    held = older * size + first
    log.tables[0].range = log.range((1, 1), (held + 1, width))
    log.cells_read = 0
    monkeypatch.setattr("prodbook.workbook.tracker.SHEET_ROWS", held + 2)  # room for a run's rows once some go
    monkeypatch.setattr("prodbook.workbook.xlbook.READ_BLOCK", size)  # blocks as short against this log as
    # 16,384 rows are against a million
    nxt = Context(today=CTX.today + timedelta(days=7), now=CTX.now + timedelta(days=7))
    second = run(path, ["ta"], nxt, backend=XlBook(book)).changes
    assert second > 0 and len(log.deletes) == 1 and log.deletes[0][0] == 2
    gone = log.deletes[0][1] - 1
    assert gone % size == 0 and 0 < gone < older * size  # whole runs, the oldest, not the newer
    fixed = (2 * HEADER_SCAN_ROWS + 2 * APPEND_LOOK_BACK) * width
    assert log.cells_read <= 2 * held + (gone + size) * width + fixed < 3 * held * width / 2  # was 3 reads
    rows = _log(book)
    assert len(rows) == held - gone + second and rows[0][1] == f"Older run {gone // size}"
    archive = next(tmp_path.glob("tracker Change Log to *.xlsx"))
    assert [r[1] for r in sheet_values(archive, "Change Log")[1:]] == [f"Older run {i // size}" for i in range(gone)]


def test_from_the_ribbon_the_log_is_kept_inside_the_size_the_command_reads(tmp_path: Path) -> None:
    """A log the add-in fills moves out at the file's size limits, as the command's does (only Excel's row
    limit moved it before 2026-12-03: a month of button presses on a 2,000-line tracker left a file the
    next command run, scheduled or a colleague's, refused as too large): the same rows on the same day."""
    from prodbook.core.findings import Code
    from test_change_log_full import _older_runs

    runs = []
    for name in ("live", "file"):
        (tmp_path / name).mkdir()
        path = write_book(tmp_path / name / "tracker.xlsx", {**base_sheets(), "Change Log": _older_runs(1_900)})
        (tmp_path / name / "prodbook.toml").write_text('[settings]\n"Max Part MB" = 1\n')
        runs.append(path)
    book = FakeBook.from_file(runs[0])
    book.fullname = str(runs[0])  # as last saved: the file on disk
    live = run(runs[0], ["ta"], CTX, backend=XlBook(book))
    on_file = run(runs[1], ["ta"], CTX)
    notes = [next(f for f in r.findings if f.code is Code.LOG_ROWS_MOVED) for r in (live, on_file)]
    assert notes[0].message == notes[1].message and "size prodbook reads safely (Max Part MB 1," in notes[0].message
    moved = [sheet_values(next(p.parent.glob("tracker Change Log to *.xlsx")), "Change Log")[1:] for p in runs]
    assert moved[0] == moved[1] and len(moved[0]) >= 200
    kept = [[tuple(r[2:7]) for r in rows[1:] if r[0] is not None]
            for rows in (book.values("Change Log"), sheet_values(runs[1], "Change Log"))]
    assert kept[0] == kept[1] and len(kept[0]) == 1_900 - len(moved[0]) + live.changes
    assert XlBook(FakeBook()).part_sizes("Change Log") is None  # a workbook never saved: Excel's rows only


def test_a_sheet_the_file_back_end_hides_is_hidden_from_the_ribbon_too(tmp_path: Path) -> None:
    """The adopted styles' snapshot is prodbook's own record, hidden (Home > Format > Unhide shows it)."""
    import openpyxl

    sys.path.insert(0, str(Path(__file__).parent))
    from test_styles_check import book as styles_book

    on_file = styles_book(tmp_path, {}, {"Status": "Proto"}, name="on file.xlsx")
    run(on_file, ["validate"], CTX)
    assert openpyxl.load_workbook(on_file)["Style Snapshot"].sheet_state == "hidden"
    path = styles_book(tmp_path, {}, {"Status": "Proto"})
    live = FakeBook.from_file(path)
    run(path, ["validate"], CTX, backend=XlBook(live))
    assert live.sheets["Style Snapshot"].visible is False and live.sheets["Styles"].visible is True


def test_a_sheet_created_from_the_ribbon_is_shown_as_the_file_back_end_shows_it(tmp_path: Path) -> None:
    """Widths fitted to the rows, date and number formats, long text wrapped, the header white on blue:
    a sheet the first ribbon run creates (Exceptions, Issues...) reads as the command would make it."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    sheets = base_sheets()
    sheets["Vendor WIP"] = [list(VENDOR_WIP.headers)]  # keeps WIP reports: BD1's missing one is an exception
    on_file = write_book(tmp_path / "on file.xlsx", sheets)
    path = write_book(tmp_path / "tracker.xlsx", sheets)
    had = set(openpyxl.load_workbook(path).sheetnames)
    book = FakeBook.from_file(path)
    # minutes of their own: a run's name gets a counter when this process ran one of that name already
    run(on_file, REFRESH, Context(today=CTX.today, now=CTX.now.replace(minute=37)))
    run(path, REFRESH, Context(today=CTX.today, now=CTX.now.replace(minute=38)), backend=XlBook(book))
    wb = openpyxl.load_workbook(on_file)
    made = [s for s in book.sheets if s.name not in had]
    assert {s.name for s in made} >= {"Exceptions", "Issues", "Change Log"}
    for sheet in made:
        ws, looks = wb[sheet.name], sheet.looks
        widths = {top[1]: v for what, top, _, v in looks if what == "column_width"}
        assert widths and widths == {c: ws.column_dimensions[get_column_letter(c)].width for c in widths}, sheet.name
        formats = {top[1]: v for what, top, _, v in looks if what == "number_format"}
        assert {bottom[0] for what, _, bottom, _ in looks if what == "number_format"} <= {1_048_576}  # later rows too
        assert formats == {c: ws.cell(row=2, column=c).number_format for c in formats}, sheet.name
        wrapped = {top[1] for what, top, _, v in looks if what == "wrap_text" and v}
        assert wrapped == {c for c in widths if ws.cell(row=2, column=c).alignment.wrap_text}, sheet.name
        header = {what: v for what, top, bottom, v in looks if top == (1, 1) and bottom == (1, len(widths))}
        assert header == {"color": "#1F4E78", "font.bold": True, "font.color": "#FFFFFF"}, sheet.name
    assert any("yy" in f for s in made for what, _, _, f in s.looks if what == "number_format")  # dates shown
    assert any(what == "wrap_text" for s in made for what, *_ in s.looks)  # and long text wrapped


def _days(values: list[list[Any]]) -> dict:
    """A T&A's rows by key, dates as days (the live sheet holds datetimes where the file holds dates)."""
    return {k: {f: _day(v) if isinstance(v, date) else v for f, v in row.items()}
            for k, row in _rows([list(r) for r in values]).items()}


def test_rewrite_grid_keeps_a_logs_rows_and_adds_below_them() -> None:
    current = [["Title", None], ["When", "What"], ["d1", "a"], ["d2", "=B3&\"!\""], ["d3", "c"], [None, None]]
    append = SheetRewrite("Log", 2, (0, 1), (("d4", "d"),), keep_rows=1_048_576)
    assert rewrite_grid(current, append)[:6] == [["Title", None], ["When", "What"], ["d1", "a"], ["d2", '=B3&"!"'],
                                                ["d3", "c"], ["d4", "d"]]
    moved = SheetRewrite("Log", 2, (0, 1), (("d4", "d"),), keep_rows=1_048_576, drop_rows=1)
    assert rewrite_grid(current, moved) == [["Title", None], ["When", "What"], ["d2", '=B2&"!"'], ["d3", "c"],
                                            ["d4", "d"], [None, None]]


def test_rewrite_grid_moves_formulas_with_their_row() -> None:
    current = [["Key", "Value", "Mine"], ["a", 1, "=B2*2"], ["b", 2, "=B3*2"]]
    rw = SheetRewrite("S", 1, (0, 1), (("b", 20), ("a", 10), ("c", 30)), source_rows=(3, 2, None))
    new = rewrite_grid(current, rw)
    assert new == [["Key", "Value", "Mine"], ["b", 20, "=B2*2"], ["a", 10, "=B3*2"], ["c", 30, None]]


def test_rewrite_grid_clears_rows_no_longer_there_and_appends_headers() -> None:
    current = [["Key", "Value"], ["a", 1], ["b", 2], ["c", 3]]
    rw = SheetRewrite("S", 1, (0, 1, 2), (("a", 1, "x"),), source_rows=(2,), append_headers=("New",))
    new = rewrite_grid(current, rw)
    assert new[0] == ["Key", "Value", "New"]
    assert new[1] == ["a", 1, "x"]
    assert new[2:] == [[None, None, None], [None, None, None]]


def test_changed_blocks_groups_adjacent_columns() -> None:
    old = [["h1", "h2", "h3", "h4"], [1, 2, 3, 4], [5, 6, 7, 8]]
    new = [["h1", "h2", "h3", "h4"], [1, 20, 30, 4], [5, 6, 70, 80]]
    blocks = changed_blocks(old, new)
    assert [(b.row, b.col, b.values) for b in blocks] == [(2, 1, [[20, 30, 4], [6, 70, 80]])]
    assert changed_blocks(old, [list(r) for r in old]) == []
    split = changed_blocks([[1, 2, 3]], [[9, 2, 9]])
    assert [(b.col, b.values) for b in split] == [(0, [[9]]), (2, [[9]])]


_grid_value = st.sampled_from([None, 1, 2.5, True, "Done", "Overdue", "00123", "1-2", "=A1+1", "TRUE", "#N/A",
                                datetime(2027, 1, 4)])


@settings(max_examples=300, deadline=None)
@given(old=st.lists(st.lists(_grid_value, min_size=4, max_size=4), min_size=1, max_size=12), data=st.data())
def test_changed_blocks_make_the_new_grid_and_rewrite_only_what_excel_keeps(old: list, data: Any) -> None:
    """Written over the old cells, the blocks give the new ones; a cell the run did not change is written
    only where Excel takes it back as it is (no "00123", "1-2", "TRUE" or formula rewritten); no block is
    written that changes nothing."""
    new = [[data.draw(_grid_value) if data.draw(st.booleans()) else v for v in row] for row in old]
    grid = [list(r) for r in old]
    written: set[tuple[int, int]] = set()
    for b in changed_blocks(old, new, first_row=1):
        assert any(old[b.row - 1 + i][b.col + j] != v for i, row in enumerate(b.values) for j, v in enumerate(row))
        for i, row in enumerate(b.values):
            for j, v in enumerate(row):
                r, c = b.row - 1 + i, b.col + j
                assert (r, c) not in written
                written.add((r, c))
                assert old[r][c] != v or keeps_as_typed(v), (r, c, v)
                grid[r][c] = v
    assert grid == new


def test_vendor_text_that_looks_like_a_formula_stays_text() -> None:
    assert excel_value("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert excel_value("-5% late") == "'-5% late"
    assert excel_value(Formula("=A1+1")) == "=A1+1"
    assert excel_value(date(2027, 1, 2)) == datetime(2027, 1, 2)


def test_formula_merge() -> None:
    assert merge_formulas([[1, 2]], [["1", "=A1+1"]]) == [[1, "=A1+1"]]


# --- a run's single-cell edits, from the ribbon ---------------------------------------------------------------

_cell_st = st.tuples(st.integers(1, 30), st.integers(0, 5))
_edits_st = st.dictionaries(_cell_st, st.integers(0, 9), min_size=1, max_size=60)


@settings(max_examples=300, deadline=None)
@given(cells=_edits_st, others=st.dictionaries(_cell_st, st.integers(10, 19)))
def test_edit_blocks_write_the_edited_cells_and_only_those_excel_takes_back(cells: dict, others: dict) -> None:
    """Every edited cell is written once, with its value; a cell no edit names is written only from
    ``between`` (cells Excel takes back), with its own value; without ``between`` a column's stretches of
    edits one below another are one block each."""
    between = {k: v for k, v in others.items() if k not in cells}
    for given_between in (None, between):
        blocks = edit_blocks(cells, given_between)
        written: dict[tuple[int, int], Any] = {}
        for b in blocks:
            assert len({len(r) for r in b.values}) == 1  # a rectangle
            for i, row in enumerate(b.values):
                for j, v in enumerate(row):
                    assert (b.row + i, b.col + j) not in written, "a cell written twice"
                    written[(b.row + i, b.col + j)] = v
        assert {k: v for k, v in written.items() if k in cells} == cells
        assert {k: v for k, v in written.items() if k not in cells} == (
            {} if given_between is None else {k: v for k, v in written.items() if k in between})
        assert all(written[k] == between[k] for k in written if k not in cells)
        if given_between is None:  # no two stretches of one column that could have been one
            columns = [(b.col + j, b.row, b.row + len(b.values) - 1) for b in blocks for j in range(len(b.values[0]))]
            ends = {(c, bottom) for c, _, bottom in columns}
            assert not any((c, top - 1) in ends for c, top, _ in columns)
    everything = {(r, c): 0 for r in range(1, 31) for c in range(6) if (r, c) not in cells}
    assert len(edit_blocks(cells, everything)) <= len({c for _, c in cells})  # gaps all bridged: a block a column


def test_what_excel_takes_back_unchanged() -> None:
    assert takes_back(None, "") and takes_back("", "") and takes_back(5.0, "5") and takes_back(True, "TRUE")
    assert takes_back(datetime(2027, 1, 2), "1/2/2027")
    assert not takes_back("00123", "00123")  # COM would make it the number 123
    assert not takes_back("1-2", "1-2")  # ... or a date
    assert not takes_back(7.0, "=A1+1")  # the formula would become its value
    assert not takes_back(7.0, "")  # shown, not held: a cell a dynamic array spills into
    assert not takes_back(datetime(2027, 1, 2, 9, 30, 0, 500), "1/2/2027 9:30")
    assert takes_back("On track", "On track") and takes_back("N/A", "N/A")  # words COM keeps as text
    assert not takes_back("TRUE", "TRUE") and not takes_back("#N/A", "#N/A") and not takes_back("PO 12", "PO 12")


def _live_sheet() -> tuple[FakeBook, XlBook]:
    book = FakeBook()
    sheet = book.sheets.add("Orders")
    rows = [["PO", "Style", "Size", "Qty"], ["P1", "S1", "00123", 10], ["P2", "S2", "1-2", 20],
            ["P3", "S3", XlFormula("=B2"), 30], ["P4", "S4", None, 40], ["P5", "S5", "M", 50]]
    for r, row in enumerate(rows, 1):
        for c, v in enumerate(row, 1):
            if v is not None:
                sheet.cells[(r, c)] = v
    sheet.tables.add(sheet.range((1, 1), (6, 4)))
    return book, XlBook(book, progress=False)


def test_from_the_ribbon_a_runs_edits_write_those_cells_and_read_none() -> None:
    """A few cells changed on a long sheet go straight into Excel: the sheet is not read, and the APM's
    cells between two edits are not written back (COM would retype the "00123" and "1-2" below)."""
    book, live = _live_sheet()
    sheet = book.sheets["Orders"]
    for row in (2, 6):
        live.edit(CellEdit("Orders", row, 2, "S"))
    live.edit(CellEdit("Orders", 8, 0, "P7"))  # below the Table
    sheet.cells_read = 0
    assert live.commit().cells == 3
    assert sheet.cells_read == 0
    assert sorted(sheet.writes) == [(2, 3, 1, 1), (6, 3, 1, 1), (8, 1, 1, 1)]
    assert [sheet.cells.get((r, 3)) for r in range(2, 7)] == ["S", "1-2", "=B2", None, "S"]
    assert sheet.tables[0].range.bottom == (8, 4)  # the Table reaches the row added below it


def test_from_the_ribbon_many_scattered_edits_run_over_the_cells_excel_takes_back(monkeypatch: Any) -> None:
    """Past DIRECT_BLOCKS separate stretches, the edited column is read once so a block can run over a
    blank or a number between edits; never over text or a formula."""
    import prodbook.workbook.xlbook as xlbook

    monkeypatch.setattr(xlbook, "DIRECT_BLOCKS", 1)
    book, live = _live_sheet()
    sheet = book.sheets["Orders"]
    for row in (2, 4, 6):  # Qty: numbers between
        live.edit(CellEdit("Orders", row, 3, row * 100))
    for row in (2, 4, 6):  # Size: text, a formula and a blank between
        live.edit(CellEdit("Orders", row, 2, "XL"))
    sheet.cells_read = 0
    live.commit()
    assert sheet.cells_read == 2 * 5 * 2  # two columns, rows 2-6, values and formulas
    assert sorted(sheet.writes) == [(2, 3, 1, 1), (2, 4, 5, 1), (4, 3, 3, 1)]
    assert [sheet.cells.get((r, 3)) for r in range(2, 7)] == ["XL", "1-2", "XL", None, "XL"]
    assert [sheet.cells.get((r, 4)) for r in range(2, 7)] == [200, 20, 400, 40, 600]


LIVE_KINDS = [p for p in KINDS if p.id != "file"]


@pytest.mark.parametrize("kind", LIVE_KINDS)
@pytest.mark.parametrize("direct", [True, False], ids=["stretches-alone", "columns-read"])
def test_from_the_ribbon_the_apms_cells_between_edits_keep_what_they_hold(kind: Any, direct: bool, tmp_path: Path,
                                                                          monkeypatch: Any) -> None:
    """On Excel itself: text COM would retype and a formula, between a run's edits, hold what they held."""
    import prodbook.workbook.xlbook as xlbook

    if not direct:
        monkeypatch.setattr(xlbook, "DIRECT_BLOCKS", 1)
    path = write_book(tmp_path / "tracker.xlsx", {"Orders": [
        ["PO", "Size", "Qty"], ["P1", "S", 1], ["P2", "00123", 2], ["P3", "1-2", 3], ["P4", "=A2", 4],
        ["P5", "TRUE", 5], ["P6", "S", 6]]})
    handle = kind.open(path)
    live = kind.backend(handle, path)
    for row in (2, 7):
        live.edit(CellEdit("Orders", row, 1, "M"))
        live.edit(CellEdit("Orders", row, 2, row * 10))
    live.commit()
    values = kind.values(handle, path, "Orders")
    assert [r[1] for i, r in enumerate(values[1:]) if i != 3] == ["M", "00123", "1-2", "TRUE", "M"]
    assert handle.sheets["Orders"].range((5, 2)).formula in ("=A2", (("=A2",),))
    assert [r[2] for r in values[1:]] == [20, 2, 3, 4, 5, 70]


def _formatted(path: Path, sheet: str, header: str, row: int, value: Any, code: str) -> None:
    """A number typed into the team's column and formatted to show its digits their way (Format Cells >
    Custom: 0000000)."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    cell = ws.cell(row=row, column=[c.value for c in ws[1]].index(header) + 1, value=value)
    cell.number_format = code
    wb.save(path)


def _planned(kind: Any, path: Path) -> dict[tuple, Any]:
    handle = kind.open(path)
    _run(kind, handle, path, ["ta"])
    return {k: r["Planned"] for k, r in _days(kind.values(handle, path, "T&A")).items()}


def test_a_weekend_mask_typed_as_a_number_and_shown_padded_is_the_mask(kind: Any, tmp_path: Path) -> None:
    """0000011 typed into a General cell becomes the number 11 (Sunday only), and a team formats the column
    0000000 to see the mask back. The cell shows Saturday and Sunday off; the T&A counted Saturdays worked."""
    sheets = base_sheets()
    sheets["Vendors"][2][5] = "0000011"  # CN1: Saturday and Sunday, as text
    as_text = _planned(FileKind(), write_book(tmp_path / "text.xlsx", sheets))
    shown = write_book(tmp_path / "shown.xlsx", base_sheets())
    _formatted(shown, "Vendors", "Weekend", 3, 11, "0000000")
    plain = write_book(tmp_path / "plain.xlsx", base_sheets())
    _formatted(plain, "Vendors", "Weekend", 3, 11, "General")
    assert _planned(kind, shown) == as_text
    assert _planned(FileKind(), plain) != as_text  # 11 as shown: Sunday only, another plan


def test_a_style_number_shown_with_its_leading_zero_is_the_style_of_that_name(kind: Any, tmp_path: Path) -> None:
    """Styles holds 12345 formatted 000000, so the sheet shows 012345, and Orders types '012345' as text: one
    style. Read as '12345', the order's style was not on Styles and it got no T&A."""
    sheets = base_sheets()
    sheets["Orders"][1][1] = "012345"
    path = write_book(tmp_path / "tracker.xlsx", sheets)
    _formatted(path, "Styles", "Style #", 2, 12345, "000000")
    handle = kind.open(path)
    _run(kind, handle, path, ["ta"])
    styles = {k[1] for k in _rows(kind.values(handle, path, "T&A"))}
    assert styles == {"012345", "S2"}


@given(st.lists(st.integers(2, 5_000), min_size=1, max_size=30), st.integers(1, 600))
def test_row_spans_hold_every_row_once_in_order_and_split_only_at_wide_gaps(rows: list[int], gap: int) -> None:
    from prodbook.workbook.xlbook import row_spans

    spans = row_spans(rows, gap)
    assert [r for s in spans for r in s] == sorted(set(rows))
    assert all(b - a <= gap for s in spans for a, b in zip(s, s[1:]))
    assert all(b[0] - a[-1] > gap for a, b in zip(spans, spans[1:]))


def test_formulas_of_rows_far_apart_read_only_their_neighbourhoods(tmp_path: Path) -> None:
    """An undo asks for the team's formulas on the rows it puts back: two rows 40,000 apart on a long T&A were
    read as the 40,000-row range between them, through Excel."""
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    book = FakeBook.from_file(path)
    ta = book.sheets["T&A"]
    ta.cells[(5, 14)] = XlFormula("=I5-H5")
    ta.cells[(40_005, 14)] = XlFormula("=I40005-H40005")
    ta.cells[(40_006, 14)] = "=typed as text"  # text: shown as it is, not a formula
    ta.cells_read = 0
    got = XlBook(book).formulas("T&A", [(5, 13), (6, 13), (40_005, 13), (40_006, 13)])
    assert got == {(5, 13): "=I5-H5", (40_005, 13): "=I40005-H40005"}
    assert ta.cells_read <= 2 * (2 + 2)  # each near pair read once for formulas, once for values
