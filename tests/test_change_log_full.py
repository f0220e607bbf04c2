"""A Change Log that would pass Excel's row limit: its oldest actions move to a workbook beside the tracker.

A sheet holds 1,048,576 rows; a 2,000-line tracker logs 20,000 to 40,000 values a day, so without this the
log would make the tracker a file Excel cannot open. The limit is lowered in these tests (a real one
would take a million-row file); everything else is the real run on a real workbook.
"""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import digest
from prodbook.core.changes import actions_to_move, oldest_actions_first
from prodbook.core.findings import Code, UserError
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from prodbook.workbook.log_archive import archive_path
from prodbook.workbook.xlsx.sheetxml import scan_sheet

TODAY = date(2027, 3, 1)
FIELDS = ("Action", "Sheet", "Key", "Field", "Old", "New")


def day(i: int, dry_run: bool = False) -> Context:
    """The i-th weekly run: its own day and its own time (each run is its own action in the log)."""
    return Context(today=TODAY + timedelta(days=7 * i), now=datetime(2027, 3, 1, 9) + timedelta(days=7 * i),
                   dry_run=dry_run)


def log_rows(path: Path, sheet: str = "Change Log") -> list[tuple]:
    ws = openpyxl.load_workbook(path, read_only=True)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    head = list(rows[0])
    return [tuple(r[head.index(f)] for f in FIELDS) for r in rows[1:] if any(v is not None for v in r)]


def test_a_full_change_log_moves_its_oldest_actions_out_and_loses_nothing(tracker, monkeypatch):
    sizes = []
    for i in range(2):
        sizes.append(run(tracker, ["ta"], day(i)).changes)
    logged = log_rows(tracker)
    assert len(logged) == sum(sizes) and sizes[0] > 0 and sizes[1] > 0
    # Room for both runs' rows but not a third's: the next run moves the oldest action out
    limit = sum(sizes) + 1  # header + rows held; room below the header = sum(sizes)
    monkeypatch.setattr("prodbook.workbook.tracker.SHEET_ROWS", limit)
    third = run(tracker, ["ta"], day(2))
    assert third.changes > 0

    archive = archive_path(tracker, day(0).now)
    assert archive.exists(), sorted(p.name for p in tracker.parent.iterdir())
    moved = log_rows(archive)
    kept = log_rows(tracker)
    first_action = logged[0][0]
    assert {r[0] for r in moved} == {first_action}  # whole actions, the oldest
    assert moved == [r for r in logged if r[0] == first_action]
    assert kept[: len(logged) - len(moved)] == [r for r in logged if r[0] != first_action]
    assert len(kept) == len(logged) - len(moved) + third.changes <= limit - 1
    note = next(f for f in third.findings if f.code is Code.LOG_ROWS_MOVED)
    assert archive.name in note.message and note.sheet == "Change Log"
    assert any(archive.name in line for o in third.outcomes for line in o.summary)
    # the archive reads as a log: a header, timestamps as dates
    ws = openpyxl.load_workbook(archive)["Change Log"]
    assert [c.value for c in ws[1]][:3] == ["Timestamp", "Action", "Sheet"]
    assert isinstance(ws["A2"].value, datetime) and ws.tables  # a filterable table, like the tracker's log

    # undo still reaches the newest action, which stayed in the sheet
    undone = run(tracker, ["undo"], day(2))
    assert undone.changes == third.changes


def test_a_dry_run_that_would_move_rows_writes_nothing(tracker, monkeypatch):
    sizes = [run(tracker, ["ta"], day(i)).changes for i in range(2)]
    monkeypatch.setattr("prodbook.workbook.tracker.SHEET_ROWS", sum(sizes) + 1)
    before = digest(tracker)
    files = sorted(p.name for p in tracker.parent.iterdir())
    run(tracker, ["ta"], day(2, dry_run=True))
    assert digest(tracker) == before and sorted(p.name for p in tracker.parent.iterdir()) == files


def test_when_the_moved_rows_cannot_be_written_the_tracker_keeps_its_whole_log(tracker, monkeypatch):
    sizes = [run(tracker, ["ta"], day(i)).changes for i in range(2)]
    monkeypatch.setattr("prodbook.workbook.tracker.SHEET_ROWS", sum(sizes) + 1)
    archive_path(tracker, day(0).now).mkdir()  # a folder in the way: the file cannot be put there
    before = digest(tracker)
    with pytest.raises(UserError) as refused:
        run(tracker, ["ta"], day(2))
    assert "Nothing was written" in str(refused.value) and "Change Log" in str(refused.value)
    assert digest(tracker) == before


def test_a_run_that_alone_passes_the_log_is_refused_before_anything_is_written(tracker, monkeypatch):
    jobs = ["ta", "exceptions", "followups"]
    needed = run(tracker, jobs, day(0, dry_run=True)).changes
    milestones = run(tracker, ["ta"], day(0, dry_run=True)).outcomes[0].data["milestones"]
    assert needed > milestones + 1  # the T&A fits, the run's log does not
    monkeypatch.setattr("prodbook.workbook.tracker.SHEET_ROWS", milestones + 2)
    before = digest(tracker)
    with pytest.raises(UserError) as refused:
        run(tracker, jobs, day(0))
    text = str(refused.value)
    assert f"changes {needed:,} values" in text and "'Change Log' sheet holds" in text
    assert "Nothing was written" in text and digest(tracker) == before


# --- the pure rule -------------------------------------------------------------------------------

sizes_st = st.lists(st.integers(1, 50), max_size=12)


@given(sizes_st, st.integers(0, 120), st.integers(1, 200))
def test_whole_oldest_actions_move_until_the_log_fits_with_room_to_spare(sizes, new, room):
    groups = [(f"a{i}", n) for i, n in enumerate(sizes)]
    held = sum(sizes)
    n = actions_to_move(groups, new, room)
    if new > room:
        assert n is None
        return
    assert n is not None
    if held + new <= room:
        assert n == 0
        return
    kept = sum(sizes[n:])
    assert kept + new <= room  # it fits
    assert kept <= room // 2  # and leaves room for many more runs before the next move
    assert sum(sizes[n - 1:]) > min(room - new, room // 2)  # one action fewer would not have been enough


def test_actions_are_ordered_by_their_time_not_their_row():
    """A team sorted its log by sheet: the oldest action is still found by its timestamp."""
    actions = ["Refresh b", "Refresh a", "Refresh b", None, "Refresh a"]
    stamps = [datetime(2027, 3, 8), datetime(2027, 3, 1), datetime(2027, 3, 8), None, "2027-03-01 09:00:00"]
    assert oldest_actions_first(actions, stamps) == [("", 1), ("Refresh a", 2), ("Refresh b", 2)]


# --- the streamed row count ------------------------------------------------------------------------

def last_row(path: Path, part: str, block: int = 1 << 20) -> int:
    return scan_sheet(path, part, block=block).last_row


def _sheet_part(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return next(n for n in z.namelist() if n.startswith("xl/worksheets/sheet"))


@pytest.fixture(scope="module")
def long_sheet(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("rows") / "long.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    for i in range(1, 30_001):
        ws.append([i, f"row {i} <text> & more", datetime(2027, 3, 1)])
    ws.cell(row=30_050, column=1, value="after a gap")
    wb.save(path)
    return path


def test_the_last_row_is_found_across_every_block_boundary(long_sheet):
    part = _sheet_part(long_sheet)
    assert last_row(long_sheet, part) == 30_050  # 1 MB blocks: the part is several


@settings(max_examples=25, deadline=None)
@given(st.integers(5, 4_000))
def test_the_last_row_does_not_depend_on_where_the_blocks_fall(tmp_path_factory, block):
    path = tmp_path_factory.mktemp("small") / "small.xlsx"
    wb = openpyxl.Workbook()
    for i in range(1, 200):
        wb.active.append([i, "x" * (i % 17)])
    wb.save(path)
    assert last_row(path, _sheet_part(path), block=block) == 199


def _without_row_numbers(src: Path, dst: Path, keep: set[int]) -> str:
    """The workbook with r= taken off every row element but those in ``keep``."""
    part = _sheet_part(src)

    def strip(m: re.Match) -> bytes:
        return m[0] if int(m[2]) in keep else m[1]

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == part:
                data = re.sub(rb'(<row)\s+r="(\d+)"', strip, data)
            zout.writestr(info, data)
    return part


def test_rows_written_without_their_number_follow_the_row_before(long_sheet, tmp_path):
    """The file format lets a row omit r= (it is the row after the one before); some writers do."""
    gap = tmp_path / "gap.xlsx"
    part = _without_row_numbers(long_sheet, gap, keep={30_050})
    assert last_row(gap, part) == 30_050
    bare = tmp_path / "bare.xlsx"
    part = _without_row_numbers(long_sheet, bare, keep=set())
    assert last_row(bare, part) == 30_001  # every row element counted, the gap unknowable
    assert last_row(bare, part, block=777) == 30_001


_ROW_XML = st.sampled_from([
    '<row r="{n}" spans="1:2"><c r="A{n}"><v>1</v></c></row>',  # as Excel writes it
    '<row><c><v>2</v></c></row>', '<row/>', '<row\n r="{n}"/>',  # no r, or r not first
    '<row spans="1:1" r="{n}"></row>', '<rowBreaks count="0"/>',  # not a row
    '<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>see:row 5 &lt;row r="9"&gt;</t></is></c></row>'])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_ROW_XML, st.integers(1, 60), st.sampled_from(["", "x:"])), max_size=12),
       st.booleans())
def test_the_counted_last_row_is_the_one_each_tag_gives(rows, mixed):
    """Reading only the tags after the last row opened with its r, and reading every tag, agree on any mix of
    rows: numbered or not, r first or not, one element prefix or (``mixed``) two."""
    from prodbook.workbook.xlsx.sheetxml import _each_row, _last_row_in

    prefix = rows[0][2] if rows else ""
    xml = "".join(re.sub(r"<(/?)(row|c|v|is|t)\b", rf"<\1{p if mixed else prefix}\2", x.format(n=n))
                  for x, n, p in rows)
    data = b"<sheetData>" + xml.encode() + b"</sheetData>"
    assert _last_row_in(data, len(data), 7) == _each_row(data, len(data), 7)


def test_a_missing_part_has_no_rows(long_sheet):
    assert last_row(long_sheet, "xl/worksheets/sheet99.xml") == 0


def test_logged_text_that_looks_like_a_formula_stays_text_in_the_archive(tmp_path):
    """Vendor text is data: a logged '=HYPERLINK(...)' must not become a live formula in the moved rows."""
    from prodbook.core.looks import look_for
    from prodbook.core.model.sheets import CHANGE_LOG
    from prodbook.workbook.log_archive import archive_file

    rows = [(datetime(2027, 3, 1, 9), "Refresh 2027-03-01 09:00:00", "Orders", "PO1", "Qty",
             '=HYPERLINK("http://x","click")', "-1", "apm")]
    staged = archive_file(tmp_path / "a.xlsx", lambda: (list(CHANGE_LOG.headers), rows),
                          look_for(CHANGE_LOG, "dd-mmm-yy"), "tracker.xlsx")
    staged.content(staged.path)
    wb = openpyxl.load_workbook(staged.path)
    assert wb.sheetnames == ["About", "Change Log"] and "tracker.xlsx" in wb["About"]["A1"].value
    ws = wb["Change Log"]
    assert ws["F2"].value == '=HYPERLINK("http://x","click")' and ws["F2"].data_type == "s"
    assert ws["G2"].value == "-1" and ws["A2"].value == datetime(2027, 3, 1, 9)


@given(st.lists(st.tuples(st.sampled_from(["r1", "r2", "r3", "Undo r1", None]),
                          st.one_of(st.none(), st.integers(0, 5).map(lambda d: datetime(2027, 3, 1 + d)))),
                max_size=30))
def test_each_action_once_by_its_earliest_time_then_its_first_row(rows):
    """The order rotation moves actions in, against the plain definition."""
    got = oldest_actions_first([a for a, _ in rows], [t for _, t in rows])
    names = ["" if a is None else a for a, _ in rows]
    expected = sorted(dict.fromkeys(names), key=lambda a: (
        min((t for n, (_, t) in zip(names, rows, strict=True) if n == a and t is not None), default=datetime.min),
        names.index(a)))
    assert [a for a, _ in got] == expected
    assert [n for _, n in got] == [names.count(a) for a in expected]


def test_a_teams_own_column_on_the_log_goes_with_its_rows(tracker, monkeypatch):
    """A note typed beside a moved row goes to the archive with it; one beside a kept row stays in the tracker."""
    sizes = [run(tracker, ["ta"], day(i)).changes for i in range(2)]
    wb = openpyxl.load_workbook(tracker)
    ws = wb["Change Log"]
    ws["J1"], ws["J2"], ws[f"J{ws.max_row}"] = "Note", "checked with the mill", "kept note"
    wb.save(tracker)
    monkeypatch.setattr("prodbook.workbook.tracker.SHEET_ROWS", sum(sizes) + 1)
    run(tracker, ["ta"], day(2))
    moved = openpyxl.load_workbook(archive_path(tracker, day(0).now))["Change Log"]
    head = [c.value for c in moved[1]]
    assert head[-1] == "Note" and moved.cell(2, len(head)).value == "checked with the mill"
    assert [r[-1] for r in moved.iter_rows(min_row=3, values_only=True)] == [None] * (sizes[0] - 1)
    kept = openpyxl.load_workbook(tracker)["Change Log"]
    notes = [r[9] for r in kept.iter_rows(min_row=2, values_only=True) if len(r) > 9 and r[9]]
    assert notes == ["kept note"]


def test_rows_read_one_at_a_time_are_the_rows_read_at_once(tmp_path):
    """FileBook.iter_rows (a full log read row by row) gives what read_sheet gives, a header below a gap too."""
    from prodbook.workbook.filebook import FileBook

    path = tmp_path / "gap.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["C3"], ws["D3"] = "Timestamp", "Action"
    ws["C4"], ws["D5"], ws["F7"] = datetime(2027, 3, 1, 9), "Refresh x", 1.5
    wb.save(path)
    book = FileBook(path)
    whole = book.read_sheet("Sheet")
    assert [list(r) for r in book.iter_rows("Sheet")] == [list(r) for r in whole]


_LOG_CELL = st.one_of(st.just(""), st.just(None), st.just(float("nan")), st.sampled_from(["Rebuild T&A", "T&A", " "]),
                      st.integers(-3, 3), st.floats(allow_nan=False, width=16), st.booleans(),
                      st.dates(date(2026, 1, 1), date(2026, 1, 3)),
                      st.datetimes(datetime(2026, 1, 1), datetime(2026, 1, 3)))


@st.composite
def log_rows_drawn(draw: st.DrawFn) -> list[list]:
    """Rows of one width, some columns of one type (a run's timestamps, its name): as calamine gives them."""
    width = draw(st.integers(0, 5))
    n = draw(st.integers(0, 25))
    kinds = [draw(st.sampled_from([_LOG_CELL, st.sampled_from(["", "Rebuild T&A", "T&A"]),
                                   st.datetimes(datetime(2026, 1, 1), datetime(2026, 1, 2)), st.just("x")]))
             for _ in range(width)]
    return [[draw(k) for k in kinds] for _ in range(n)]


@settings(max_examples=400, deadline=None)
@given(rows=st.one_of(log_rows_drawn(), st.lists(st.lists(_LOG_CELL, max_size=5), max_size=25)),
       header_row=st.integers(1, 4), block=st.integers(1, 9),
       columns=st.dictionaries(st.sampled_from(["timestamp", "action", "key", "new", "user"]), st.integers(0, 6),
                               max_size=5))
def test_a_log_read_a_column_at_a_time_is_the_log_read_a_row_at_a_time(rows, header_row, block, columns):
    """Blocks of any size over the header, blank rows ('', None, NaN), a team's columns, a field mapped past
    a row's end, rows of one width (read by column) or not: the same fields, rows, extras, shared values."""
    from prodbook.workbook import log_archive

    fields = ["timestamp", "action", "sheet", "key", "new", "user"]
    ref = log_archive.LogColumns({f: [] for f in fields}, [], {})
    log_archive._read_rows(ref, rows[header_row:], header_row, columns, fields, {})
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(log_archive, "LOG_BLOCK", block)
        got = log_archive.read_log(iter(rows), header_row, columns, fields)
    assert got.rows == ref.rows and got.extras == ref.extras
    for f in fields:  # NaN reads as blank: None
        assert got.fields[f] == ref.fields[f] and list(map(type, got.fields[f])) == list(map(type, ref.fields[f])), f
    for f in log_archive.REPEATED:  # each value of a run's repeated fields held once
        values = [v for v in got.fields.get(f, ()) if v is not None]
        assert len({id(v) for v in values}) == len({(type(v), v) for v in values}), f


@settings(max_examples=150, deadline=None)
@given(rows=log_rows_drawn(), picks=st.lists(st.integers(0, 30)), mapped=st.integers(0, 5))
def test_the_moved_rows_are_the_log_rows_they_name_with_the_teams_columns(rows, picks, mapped):
    """moved_rows (the writer's columns) gives each picked row's fields, then its cells in the team's
    columns (blank where it has none), as reading the row would."""
    from prodbook.workbook import log_archive

    fields = ["timestamp", "action", "sheet", "key", "new", "user"][:mapped]
    log = log_archive.read_log(iter([["header"]] + rows), 1, {f: i for i, f in enumerate(fields)}, fields)
    at = [i for i in picks if i < len(log.rows)]
    extra = sorted({c for cells in log.extras.values() for c, _ in cells})
    want = [tuple(log.fields[f][i] for f in fields) + tuple(dict(log.extras.get(log.rows[i], ())).get(c)
                                                            for c in extra) for i in at]
    assert list(log_archive.moved_rows(log, fields, at, extra)) == want


# --- the moved rows copied as they are -------------------------------------------------------------

def _saved_by_libreoffice(path: Path) -> None:
    """The workbook as another spreadsheet program saves it: shared strings (as Excel keeps them, where
    prodbook and openpyxl write inline ones), that program's own styles."""
    import subprocess

    out = path.parent / "resaved"
    subprocess.run(["soffice", f"-env:UserInstallation={(path.parent / 'profile').as_uri()}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(out), str(path)], check=True, capture_output=True,
                   timeout=300)
    (out / path.name).replace(path)
    with zipfile.ZipFile(path) as z:
        assert "xl/sharedStrings.xml" in z.namelist()


def _rotated(tracker: Path, monkeypatch, *, saved_by_excel: bool = False, copy: bool = True) -> tuple[Path, list]:
    """Two weekly runs, then a third that fills the log: the archive it writes, and the log as it was."""
    sizes = [run(tracker, ["ta"], day(i)).changes for i in range(2)]
    if saved_by_excel:
        _saved_by_libreoffice(tracker)
    logged = log_rows(tracker)
    monkeypatch.setattr("prodbook.workbook.tracker.SHEET_ROWS", sum(sizes) + 1)
    if not copy:
        monkeypatch.setattr("prodbook.workbook.log_archive._copied", lambda *a: False)
    run(tracker, ["ta"], day(2))
    return archive_path(tracker, day(0).now), logged


def _copied_as_is(archive: Path) -> bool:
    with zipfile.ZipFile(archive) as z:
        return "xl/worksheets/rows.xml" in z.namelist()


def _sheet_values(path: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [tuple(c.value for c in r) for r in ws.iter_rows()] for ws in wb}


@pytest.mark.parametrize("saved_by_excel", [False, pytest.param(True, marks=pytest.mark.libreoffice)])
def test_moved_rows_copied_as_they_are_read_as_the_rows_written_from_their_values(tmp_path, saved_by_excel):
    """The fast archive (the log's XML copied with the tracker's styles and shared strings) holds the same
    sheets, values, date formats and Table as the archive written from the values read."""
    from conftest import base_sheets, write_book

    made, logs = {}, {}
    for copy in (True, False):
        (tmp_path / f"copy-{copy}").mkdir()
        tracker = write_book(tmp_path / f"copy-{copy}" / "tracker.xlsx", base_sheets())
        with pytest.MonkeyPatch.context() as mp:
            archive, logs[copy] = _rotated(tracker, mp, saved_by_excel=saved_by_excel, copy=copy)
        assert _copied_as_is(archive) is copy
        made[copy] = archive
    fast, slow = _sheet_values(made[True]), _sheet_values(made[False])
    assert list(fast) == list(slow) == ["About", "Change Log"]
    assert fast["About"] == slow["About"]

    def same_run(rows: list[tuple]) -> list[tuple]:  # the two runs' ids differ by the process's run counter
        return [(r[0], re.sub(r" \(\d+\)$", "", r[1]) if isinstance(r[1], str) else r[1], *r[2:]) for r in rows]

    assert same_run(fast["Change Log"]) == same_run(slow["Change Log"])
    logged = logs[True]
    assert log_rows(made[True]) == [r for r in logged if r[0] == logged[0][0]]  # the oldest action, whole
    ws = openpyxl.load_workbook(made[True])["Change Log"]
    assert isinstance(ws["A2"].value, datetime) and "yy" in ws["A2"].number_format  # shown as a date
    table = next(iter(ws.tables.values()))
    assert table.ref == f"A1:H{ws.max_row}" and table.autoFilter.ref == table.ref
    assert openpyxl.load_workbook(made[True]).active.title == "About"
    page = ws.page_setup  # it prints as the tracker's log does (landscape, one page wide)
    log = openpyxl.load_workbook(made[True].with_name("tracker.xlsx"))["Change Log"]
    assert (page.orientation, page.fitToWidth, page.fitToHeight, ws.sheet_properties.pageSetUpPr.fitToPage) == (
        log.page_setup.orientation, log.page_setup.fitToWidth, log.page_setup.fitToHeight,
        log.sheet_properties.pageSetUpPr.fitToPage)
    assert page.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage


def test_moved_rows_with_a_formula_are_written_from_their_values(tracker, monkeypatch):
    """A team's formula beside a moved row could point anywhere once copied: those rows are written anew."""
    sizes = [run(tracker, ["ta"], day(i)).changes for i in range(2)]
    wb = openpyxl.load_workbook(tracker)
    ws = wb["Change Log"]
    ws["J1"], ws["J2"] = "Check", "=LEN(B2)"
    wb.save(tracker)
    logged = log_rows(tracker)
    monkeypatch.setattr("prodbook.workbook.tracker.SHEET_ROWS", sum(sizes) + 1)
    run(tracker, ["ta"], day(2))
    archive = archive_path(tracker, day(0).now)
    assert not _copied_as_is(archive)
    assert log_rows(archive) == [r for r in logged if r[0] == logged[0][0]]


def test_a_tracker_saved_over_since_it_was_read_is_not_copied_from(tmp_path):
    """The rows are copied only from the file the run read; else they are written from the values read."""
    from prodbook.workbook.log_archive import RowsInFile, _copied

    src = tmp_path / "t.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Change Log"
    wb.active.append(["Timestamp", "Action"])
    wb.active.append([datetime(2027, 3, 1, 9), "Refresh"])
    wb.save(src)
    target = tmp_path / "a.xlsx"
    assert not _copied(RowsInFile(src, "Change Log", 1, 2, lambda: False), target, ["about"])
    assert not target.exists()
    assert not _copied(RowsInFile(tmp_path / "moved away.xlsx", "Change Log", 1, 2, lambda: True), target, ["about"])
    assert not target.exists()
    assert _copied(RowsInFile(src, "Change Log", 1, 2, lambda: True), target, ["about"])
    assert _sheet_values(target)["Change Log"] == [("Timestamp", "Action"), (datetime(2027, 3, 1, 9), "Refresh")]


def _sheet_xml(rows: int, prefix: str = "") -> bytes:
    p = prefix
    ns = f'xmlns{":" + p[:-1] if p else ""}="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    body = "".join(f'<{p}row r="{n}" spans="1:2"><{p}c r="A{n}" t="inlineStr"><{p}is><{p}t>row {n} &lt;row r="{n + 1}"'
                   f'</{p}t></{p}is></{p}c><{p}c r="B{n}"><{p}v>{n}</{p}v></{p}c></{p}row>' for n in range(1, rows + 1))
    return (f'<?xml version="1.0"?><{p}worksheet {ns}><{p}dimension ref="A1:B{rows}"/><{p}sheetViews>'
            f'<{p}sheetView tabSelected="1" workbookViewId="0"/></{p}sheetViews><{p}sheetData>{body}'
            f'<{p}row r="{rows + 1}" ht="20" customHeight="1"/><{p}row r="{rows + 20}"/>'
            f'</{p}sheetData><{p}pageMargins left="1" right="1" top="1" bottom="1" header="0" footer="0"/>'
            f"</{p}worksheet>").encode()


@settings(max_examples=200, deadline=None)
@given(rows=st.integers(1, 12), last=st.integers(1, 12), cuts=st.lists(st.integers(1, 400), max_size=12),
       prefix=st.sampled_from(["", "x:"]), table=st.booleans())
def test_rows_copied_through_the_last_one_wherever_the_blocks_fall(rows, last, cuts, prefix, table):
    """Rows 1 to ``last`` byte for byte and nothing after (the last may be an empty row, ``<row .../>``), the
    same output whatever the block sizes."""
    import io

    from defusedxml import ElementTree as DET

    from prodbook.workbook.xlsx.first_rows import NotCopyable, _copy_rows

    xml = _sheet_xml(rows, prefix)
    blocks, at = [], 0
    for n in cuts:
        blocks.append(xml[at:at + n])
        at += n
    blocks.append(xml[at:])
    whole, parts = io.BytesIO(), io.BytesIO()
    if last > rows + 1:
        with pytest.raises(NotCopyable):
            _copy_rows(iter([b for b in blocks if b]), parts, last, table)
        return
    _copy_rows(iter([xml]), whole, last, table)
    _copy_rows(iter([b for b in blocks if b]), parts, last, table)
    assert parts.getvalue() == whole.getvalue()
    root = DET.fromstring(whole.getvalue())
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    assert [r.get("r") for r in root.iter(f"{ns}row")] == [str(n) for n in range(1, last + 1)]
    start = xml.index(f'<{prefix}row r="1"'.encode())
    last_at = xml.index(f'<{prefix}row r="{last}"'.encode())
    end = (xml.index(b"/>", last_at) + 2 if last > rows
           else xml.index(f"</{prefix}row>".encode(), last_at) + len(f"</{prefix}row>"))
    assert xml[start:end] in whole.getvalue()  # the rows as they were
    assert b"dimension" not in whole.getvalue() and b"tabSelected" not in whole.getvalue()
    margins = re.search(rb"<(?:x:)?pageMargins[^>]*/>", xml)[0]
    assert whole.getvalue().count(margins) == 1  # it prints as it did
    assert (root.find(f"{ns}tableParts") is not None) is table


@pytest.mark.parametrize("change", ["no row numbers", "a formula", "cell metadata", "no rows", "strict OOXML"])
def test_rows_that_a_copy_would_change_are_not_copied(change):
    import io

    from prodbook.workbook.xlsx.first_rows import NotCopyable, _copy_rows

    xml = _sheet_xml(4)
    xml = {"no row numbers": xml.replace(b'<row r="3" ', b"<row "),
           "a formula": xml.replace(b"<v>2</v>", b"<f>A1</f><v>2</v>"),
           "cell metadata": xml.replace(b'<c r="B2"', b'<c r="B2" vm="1"'),
           "no rows": re.sub(rb"<sheetData>.*</sheetData>", b"<sheetData/>", xml),
           "strict OOXML": xml.replace(b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                                       b"http://purl.oclc.org/ooxml/spreadsheetml/main")}[change]
    with pytest.raises(NotCopyable):
        _copy_rows(iter([xml]), io.BytesIO(), 3, False)


@pytest.mark.libreoffice
def test_libreoffice_reads_the_copied_rows(tmp_path, monkeypatch):
    """A spreadsheet program other than openpyxl opens the copied archive and finds every moved row."""
    import csv
    import subprocess

    from conftest import base_sheets, write_book

    (tmp_path / "t").mkdir()
    tracker = write_book(tmp_path / "t" / "tracker.xlsx", base_sheets())
    archive, logged = _rotated(tracker, monkeypatch, saved_by_excel=True)
    assert _copied_as_is(archive)
    out = tmp_path / "csv"
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
                    "--outdir", str(out), str(archive)], check=True, capture_output=True, timeout=300)
    lines = list(csv.reader(next(out.glob("*Change Log*.csv")).read_text(encoding="utf-8").splitlines()))
    moved = [r for r in logged if r[0] == logged[0][0]]
    assert lines[0][:3] == ["Timestamp", "Action", "Sheet"] and len(lines) - 1 == len(moved)
    assert [tuple(line[1:5]) for line in lines[1:]] == [tuple("" if v is None else str(v) for v in r[:4])
                                                        for r in moved]
    assert re.fullmatch(r"\d\d/\d\d/2027 09:00:00", lines[1][0])  # a date and time, not a serial number


def title_above_header(tracker: Path) -> None:
    """The log as a team may keep it: a title above its header, and no Table."""
    wb = openpyxl.load_workbook(tracker)
    ws = wb["Change Log"]
    for name in list(ws.tables):
        del ws.tables[name]
    ws.insert_rows(1)
    ws["A1"] = "Change log, SS27 production"
    wb.save(tracker)


def test_a_log_below_a_title_row_is_copied_from_its_title_down(tracker, monkeypatch):
    """A team's log with a title above its header (and no Table): the archive holds the title, the header
    and the oldest action's rows, on the rows they had."""
    sizes = [run(tracker, ["ta"], day(i)).changes for i in range(2)]
    title_above_header(tracker)
    rows = list(openpyxl.load_workbook(tracker)["Change Log"].iter_rows(values_only=True))
    oldest = rows[2][1]
    monkeypatch.setattr("prodbook.workbook.tracker.SHEET_ROWS", sum(sizes) + 2)
    run(tracker, ["ta"], day(2))
    archive = archive_path(tracker, day(0).now)
    assert _copied_as_is(archive)
    moved = list(openpyxl.load_workbook(archive)["Change Log"].iter_rows(values_only=True))
    assert moved == rows[:2] + [r for r in rows[2:] if r[1] == oldest]
    kept = list(openpyxl.load_workbook(tracker, read_only=True)["Change Log"].iter_rows(values_only=True))
    assert kept[:2] == rows[:2] and oldest not in {r[1] for r in kept[2:]}


# --- the log kept inside the file's size limits ------------------------------------------------------

def _older_runs(n_rows: int) -> list[list]:
    """A Change Log of older weekly runs (the header, then ``n_rows`` rows), as a team's tracker has it."""
    from prodbook.core.model.sheets import CHANGE_LOG

    rows: list[list] = [list(CHANGE_LOG.headers)]
    for i in range(n_rows):
        when = datetime(2026, 9, 7, 9) + timedelta(days=7 * (i // 200))
        rows.append([when, f"Refresh {when:%Y-%m-%d %H:%M:%S}", "T&A", f"45{i:08d} / S{i % 50:03d} / Navy / PPA",
                     "Status", "Upcoming", "Due soon", "apm"])
    return rows


def test_a_log_growing_past_the_size_limits_moves_out_before_the_file_would_be_refused(tmp_path):
    """A 2,000-line tracker logs 20,000 to 40,000 values a day: with the default size limits its log would make
    the file too large to read within about a week, long before Excel's row limit. The oldest runs move out
    first, whole, so the next run reads the file."""
    from conftest import base_sheets, write_book
    from prodbook.core.limits import GROWTH_SHARE, MB
    from prodbook.workbook.filebook import FileBook

    path = write_book(tmp_path / "tracker.xlsx", {**base_sheets(), "Change Log": _older_runs(1_900)})
    (tmp_path / "prodbook.toml").write_text('[settings]\n"Max Part MB" = 1\n')
    before = FileBook(path).part_sizes("Change Log")
    assert before is not None and GROWTH_SHARE * MB < before.part_bytes < MB  # read today, past the share
    logged = log_rows(path)
    done = run(path, ["ta"], day(0))
    note = next(f for f in done.findings if f.code is Code.LOG_ROWS_MOVED)
    assert "size prodbook reads safely (Max Part MB 1," in note.message
    archive = next(tmp_path.glob("tracker Change Log to *.xlsx"))
    moved = log_rows(archive)
    runs = list(dict.fromkeys(r[0] for r in logged))
    gone = list(dict.fromkeys(r[0] for r in moved))
    assert gone == runs[:len(gone)] and moved == [r for r in logged if r[0] in gone]  # the oldest, whole
    after = FileBook(path).part_sizes("Change Log")  # read again: not refused
    assert after is not None and after.part_bytes <= GROWTH_SHARE * MB
    assert log_rows(path)[:len(logged) - len(moved)] == [r for r in logged if r[0] not in gone]


@given(part=st.integers(0, 3 << 30), rows=st.integers(0, 1_048_576), other=st.integers(0, 5 << 30),
       part_mb=st.integers(1, 4_000), unpacked_mb=st.integers(1, 8_000))
def test_the_rows_a_growing_sheet_may_hold_keep_the_file_inside_its_limits(part, rows, other, part_mb, unpacked_mb):
    """At the sheet's own size a row, that many rows fill no more than the share of either limit left to
    it; one row more would pass it (a sheet of few rows is sized at ROW_BYTES a row); a larger limit never
    gives fewer rows."""
    from prodbook.core.limits import GROWTH_SHARE, MB, ROW_BYTES, Limits, PartSizes, rows_within

    sizes = PartSizes(part, other, Limits(part_mb=part_mb, unpacked_mb=unpacked_mb))
    n = rows_within(sizes, rows)
    per_row = max(1.0, part / rows) if rows >= 1_000 else ROW_BYTES
    room = GROWTH_SHARE * min(part_mb * MB, unpacked_mb * MB - other)
    assert n >= 0 and n * per_row <= max(room, 0) + 1e-6 * per_row
    assert room < 0 or (n + 1) * per_row > room * (1 - 1e-9)
    wider = PartSizes(part, other, Limits(part_mb=part_mb + 1, unpacked_mb=unpacked_mb + 1))
    assert rows_within(wider, rows) >= n


def test_a_log_already_past_the_limit_is_refused_with_what_raising_it_does(tmp_path):
    """A tracker whose log grew past the limit before prodbook kept it inside: the message says which
    setting to raise and that the log is kept inside it from then on; with it raised, the run works."""
    from conftest import base_sheets, write_book

    path = write_book(tmp_path / "tracker.xlsx", {**base_sheets(), "Change Log": _older_runs(2_400)})
    (tmp_path / "prodbook.toml").write_text('[settings]\n"Max Part MB" = 1\n')
    before = digest(path)
    with pytest.raises(UserError) as refused:
        run(path, ["ta"], day(0))
    text = str(refused.value)
    assert "sheet 'Change Log'" in text and "raise 'Max Part MB' in prodbook.toml" in text
    assert "moving its oldest runs to a workbook beside the tracker" in text and digest(path) == before
    (tmp_path / "prodbook.toml").write_text('[settings]\n"Max Part MB" = 2\n')
    assert run(path, ["ta"], day(0)).changes > 0


def test_a_log_left_little_room_by_the_other_sheets_says_to_raise_the_limit(tmp_path, monkeypatch):
    """The team's other sheets fill most of Max Unpacked MB: the log still moves out (the file stays
    readable), and when that leaves room for few runs like this one the note says to raise the limit, or
    the log would move out every few runs."""
    from conftest import base_sheets, write_book
    from prodbook.workbook.filebook import FileBook

    notes = [["Note"]] + [[f"checked with the mill, lot {i:05d}, shade band B, " * 2] for i in range(3_000)]
    path = write_book(tmp_path / "tracker.xlsx", {**base_sheets(), "Notes": notes, "Change Log": _older_runs(690)})
    (tmp_path / "prodbook.toml").write_text('[settings]\n"Max Unpacked MB" = 1\n')
    sizes = FileBook(path).part_sizes("Change Log")
    assert sizes is not None and sizes.part_bytes + sizes.other_bytes < 1 << 20  # read today
    first = tmp_path / "first.xlsx"
    first.write_bytes(path.read_bytes())
    done = run(path, ["ta"], day(0))
    note = next(f for f in done.findings if f.code is Code.LOG_ROWS_MOVED)
    assert "(Max Part MB 200, Max Unpacked MB 1)" in note.message and "raise Max Unpacked MB" not in note.message
    assert FileBook(path).part_sizes("Change Log") is not None  # read again: not refused
    path.write_bytes(first.read_bytes())
    for archive in tmp_path.glob("tracker Change Log to *.xlsx"):
        archive.unlink()
    monkeypatch.setattr("prodbook.workbook.tracker.CROWDED_RUNS", 1_000)  # room for fewer than 1,000 such runs
    note = next(f for f in run(path, ["ta"], day(0)).findings if f.code is Code.LOG_ROWS_MOVED)
    assert "raise Max Unpacked MB in prodbook.toml" in note.message


def _unpacked(path: Path) -> int:
    with zipfile.ZipFile(path) as z:
        return sum(i.file_size for i in z.infolist())


def test_a_run_that_leaves_the_file_past_its_size_limits_says_what_to_raise(tmp_path):
    """A workbook read within Max Unpacked MB and written past it (the T&A a run fills): the run says so and
    names the setting and a figure, rather than the next run refusing a file that looks damaged."""
    from conftest import base_sheets, write_book

    def tracker(n_notes: int, folder: str) -> Path:
        (tmp_path / folder).mkdir()
        notes = [["Note"]] + [[f"checked with the mill, lot {i:05d}, shade band B"] for i in range(n_notes)]
        return write_book(tmp_path / folder / "tracker.xlsx", {**base_sheets(), "Notes": notes})

    limit = 1 << 20
    trial, bare = tracker(8_000, "trial"), _unpacked(tracker(0, "bare"))
    before = _unpacked(trial)
    run(trial, ["ta"], day(0))
    grows, per_note = _unpacked(trial) - before, (before - bare) / 8_000
    path = tracker(int((limit - grows / 2 - bare) / per_note), "real")  # read within the limit, written past it
    (path.parent / "prodbook.toml").write_text('[settings]\n"Max Unpacked MB" = 1\n')
    assert _unpacked(path) < limit
    done = run(path, ["ta"], day(0))
    assert _unpacked(path) > limit
    said = next(f for f in done.findings if f.code is Code.FILE_PAST_LIMITS)
    assert re.search(r"'tracker\.xlsx' now unpacks to 1\.0 MB \(its largest part, 'Notes', \d\.\d MB\)", said.message)
    assert "raise 'Max Unpacked MB' to at least 2 in prodbook.toml" in said.message
    with pytest.raises(UserError, match="too large to read safely"):  # as it says: the next run refuses it
        run(path, ["ta"], day(1))
    (path.parent / "prodbook.toml").write_text('[settings]\n"Max Unpacked MB" = 2\n')
    assert not [f for f in run(path, ["ta"], day(1)).findings if f.code is Code.FILE_PAST_LIMITS]
