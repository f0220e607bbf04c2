"""Streamed writes: a long sheet is rewritten a block at a time, with the same bytes as a merge in memory,
and a broken write is still caught before it replaces the user's file."""

from __future__ import annotations

import re
import struct
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl.formatting.rule import FormulaRule
from openpyxl.worksheet.datavalidation import DataValidation

from prodbook.core.findings import UserError
from prodbook.core.limits import Limits
from prodbook.workbook import filebook, safety
from prodbook.workbook.filebook import FileBook
from prodbook.workbook.limits import check_package
from prodbook.workbook.xlsx import edits, package, rewrite
from prodbook.workbook.xlsx.book import _read_book
from prodbook.workbook.xlsx.package import _Package
from prodbook.workbook.xlsx.sheetxml import CELL_HINTS, SheetScan, scan_sheet
from prodbook.workbook.xlsx.styles import _Styles
from prodbook.workbook.xlsxparts import CellEdit, ColumnEdit, SheetRewrite, rewrite_sheets

ROWS = 60
TEXTS = ["Lab dip ✓", "Größe M", "PP sample 样品", "<tag> & 'quote'", "  spaced  ", "plain"]


def sheet_book(path: Path) -> Path:
    """A real sheet of a few kinds of cells, multi-byte text among them, so small blocks cut everything."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "T&A"
    ws.append(["PO #", "Code", "Planned", "Status", "Variance", "Notes"])
    for i in range(ROWS):
        ws.append([f"45{i:06d}", f"M{i % 7}", date(2026, 11, 1) + timedelta(days=i), TEXTS[i % len(TEXTS)],
                   i - 30, None if i % 3 else TEXTS[(i + 1) % len(TEXTS)]])
    ws["C2"].number_format = "dd-mmm-yy"
    log = wb.create_sheet("Change Log")
    log.append(["Timestamp", "Action", "Sheet", "Key", "Field", "Old", "New", "User"])
    wb.save(path)
    return path


def edited_part(path: Path, staged: list, chunk: int | None, ranges: list | None = None) -> bytes:
    """The T&A part after ``staged`` edits: streamed in blocks of ``chunk`` bytes, or merged whole (None);
    given ``ranges``, the part alone, and ``ranges`` receives the byte ranges of rows copied as they were."""
    pkg = _Package(path)
    try:
        book = _read_book(pkg)
        styles = _Styles(pkg, book.part, "dd-mmm-yy")
        part = next(s[2] for s in book.sheets if s[0] == "T&A")
        flat = {}

        def flat_for(prefix: str) -> edits._Flat:
            return flat.setdefault(prefix, edits._Flat(staged, "T&A", prefix, book.date1904))

        if chunk is None:
            edits._edit_whole(pkg, book, styles, part, "T&A", flat_for)
        else:
            edits._stream_edits(pkg, book, styles, part, "T&A", flat_for, chunk)
        if ranges is not None:  # the part alone, and its ranges
            ranges.extend(pkg.copied.get(part, ()))
            return b"".join(pkg.blocks(part))
        return b"".join(pkg.blocks(part)) + b"".join(pkg.blocks("xl/styles.xml"))
    finally:
        pkg.close()


values = st.one_of(st.none(), st.sampled_from(TEXTS), st.integers(-10**6, 10**6),
                   st.dates(date(1950, 1, 1), date(2090, 12, 31)), st.text(max_size=12))
cell_edits = st.lists(st.tuples(st.integers(2, ROWS + 1), st.integers(0, 7), values), min_size=1, max_size=40)


@pytest.fixture(scope="module")
def book_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sheet_book(tmp_path_factory.mktemp("stream") / "sheet.xlsx")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chunk=st.integers(1, 4096), cells=cell_edits, column_rows=st.lists(st.integers(2, ROWS + 1), unique=True))
def test_streamed_edits_equal_the_merge_in_memory(book_path: Path, chunk: int, cells: list, column_rows: list) -> None:
    """Whatever the block size (one byte cuts every tag and every multi-byte character), the streamed
    merge writes the bytes the whole-sheet merge writes, and the styles it adds (a date's) in the same order."""
    staged: list = [CellEdit("T&A", r, c, v) for r, c, v in cells]
    column_rows = sorted(column_rows)
    staged.append(ColumnEdit("T&A", 2, column_rows, [date(2027, 1, 1) + timedelta(days=r) for r in column_rows]))
    assert edited_part(book_path, staged, chunk) == edited_part(book_path, staged, None)


@pytest.fixture(scope="module")
def plain_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sheet with plain ASCII text only: every block can have its copied rows left to the CRC."""
    path = sheet_book(tmp_path_factory.mktemp("plain") / "sheet.xlsx")
    wb = openpyxl.load_workbook(path)
    for row in wb["T&A"].iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.value = cell.value.encode("ascii", "replace").decode()
    wb.save(path)
    return path


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chunk=st.integers(1, 4096), cells=cell_edits, plain=st.booleans())
def test_rows_left_to_the_crc_are_whole_untouched_rows_as_they_were(
        book_path: Path, plain_path: Path, chunk: int, cells: list, plain: bool) -> None:
    """The ranges the check of the file does not parse again hold whole rows, none of them edited, each as the
    user's file had it; the part without them still parses, so every join with an edited row is checked."""
    path = plain_path if plain else book_path
    ranges: list = []
    staged = [CellEdit("T&A", r, c, v) for r, c, v in cells]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(edits, "RUN_NOTED", 0)  # every run of untouched rows noted, however short
        written = edited_part(path, staged, chunk, ranges)
    with zipfile.ZipFile(path) as z:
        old = z.read("xl/worksheets/sheet1.xml")
    edited = {r for r, _, _ in cells}
    rest, pos = b"", 0
    for lo, hi in ranges:
        rows = written[lo:hi]
        assert pos <= lo < hi and re.match(rb"<row[ >]", rows) and rows.endswith(b"</row>") and rows in old
        assert not edited & {int(n) for n in re.findall(rb'<row r="(\d+)"', rows)}
        rest, pos = rest + written[pos:lo], hi
    ElementTree.fromstring(rest + written[pos:])
    if plain and chunk > 2000 and len(edited) < 5:
        assert ranges  # long runs of untouched rows in one block: left to the CRC


def test_rows_this_run_wrote_are_never_left_unparsed(plain_path: Path, tmp_path: Path) -> None:
    """Cells edited on a sheet the same call rewrote: the rows the edits stream past are prodbook's own, so the
    check parses them all; the same edits on the sheet as read leave its untouched rows to the CRC."""
    edits_only: dict = {}
    rewrite_sheets(plain_path, tmp_path / "a.xlsx", [], [CellEdit("T&A", 30, 5, "typed")], copied=edits_only)
    assert edits_only.get("xl/worksheets/sheet1.xml")
    both: dict = {}
    rw = SheetRewrite(sheet="T&A", header_row=1, columns=(2,), rows=tuple((date(2027, 1, 1),) for _ in range(ROWS)),
                      source_rows=tuple(range(2, ROWS + 2)))
    rewrite_sheets(plain_path, tmp_path / "b.xlsx", [rw], [CellEdit("T&A", 30, 5, "typed")], copied=both)
    assert "xl/worksheets/sheet1.xml" not in both
    safety.verify_package(tmp_path / "b.xlsx", unparsed=both)


def test_edit_in_a_row_the_sheet_lacks_goes_to_the_whole_merge(tmp_path: Path) -> None:
    """A new row (past the last) cannot be streamed in place: the same call merges the sheet whole."""
    path = sheet_book(tmp_path / "t.xlsx")
    out = tmp_path / "out.xlsx"
    rewrite_sheets(path, out, [], [CellEdit("T&A", ROWS + 5, 0, "new PO"), CellEdit("T&A", 3, 5, "typed")])
    rows = list(openpyxl.load_workbook(out)["T&A"].values)
    assert rows[ROWS + 4][0] == "new PO" and rows[2][5] == "typed" and len(rows) == ROWS + 5


def test_rows_written_a_block_at_a_time_equal_one_block(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rewrite streamed in blocks of 7 rows gives the file one block gives, a date first met in a later
    block and a datetime included (their styles are numbered as a whole-column pass numbers them)."""
    path = sheet_book(tmp_path / "t.xlsx")
    rows = tuple((None if i < 20 else date(2026, 1, 1) + timedelta(days=i), "Rebuild T&A", "T&A",
                  f"45{i:06d} / M{i % 7}", "Planned", datetime(2026, 11, 25, 8, i % 60), TEXTS[i % len(TEXTS)], "apm")
                 for i in range(50))
    rw = SheetRewrite(sheet="Change Log", header_row=1, columns=tuple(range(8)), rows=rows, keep_rows=1 << 20)
    monkeypatch.setattr(rewrite, "ROW_BLOCK", 1 << 20)
    rewrite_sheets(path, tmp_path / "one.xlsx", [rw])
    monkeypatch.setattr(rewrite, "ROW_BLOCK", 7)
    rewrite_sheets(path, tmp_path / "blocks.xlsx", [rw])
    assert (tmp_path / "one.xlsx").read_bytes() == (tmp_path / "blocks.xlsx").read_bytes()
    back = list(openpyxl.load_workbook(tmp_path / "blocks.xlsx")["Change Log"].values)
    assert len(back) == 51 and back[50][0] == datetime(2026, 2, 19) and back[1][0] is None
    assert back[1][5] == datetime(2026, 11, 25, 8, 0)


def test_a_streamed_part_goes_into_the_package_as_writestr_would_write_it(tmp_path: Path) -> None:
    """The temporary part is copied into the zip with writestr's header and compression: same bytes."""
    text = "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(1, 5000))
    streamed = package._Deflated(tmp_path)
    for i in range(0, len(text), 777):
        streamed.write(text[i:i + 777])
    streamed.close()
    for name, data in (("a.zip", text.encode()), ("b.zip", streamed)):
        with zipfile.ZipFile(tmp_path / name, "w", zipfile.ZIP_DEFLATED) as z:
            info = zipfile.ZipInfo("xl/worksheets/sheet1.xml", date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            package._write_changed(z, info, data)
    streamed.discard()
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()


@pytest.mark.parametrize("damage", ["xml", "crc"])
def test_a_broken_streamed_write_is_caught_and_the_workbook_is_untouched(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str) -> None:
    """A streamed part written wrong (a tag closed wrongly, or bytes changed after their CRC was taken) fails
    the check of the file written: nothing replaces the workbook, no backup or temporary file is left."""
    path = sheet_book(tmp_path / "tracker.xlsx")
    before = path.read_bytes()
    write = package._Deflated.write

    def broken(self: package._Deflated, text: str) -> None:
        if damage == "xml":
            text = text.replace("</c>", "</x>", 1)
        write(self, text)
        if damage == "crc" and self.file_size > 100:
            self.crc ^= 1

    monkeypatch.setattr(package._Deflated, "write", broken)
    book = FileBook(path)
    book.edit(ColumnEdit("T&A", 2, list(range(2, ROWS + 2)), [date(2027, 3, 1)] * ROWS))
    with pytest.raises(ValueError, match="failed its check"):
        book.commit()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["tracker.xlsx"]
    assert not (tmp_path / safety.BACKUP_DIR).exists()


def test_error_cells_of_a_sheet_read_a_block_at_a_time(tmp_path: Path) -> None:
    """Error values are found in a sheet of several MB, however its rows fall across the blocks read: nearly
    every row is one error cell, so a block cut inside a cell would lose one."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "T&A"
    ws.append(["PO #", "Code", "Planned"])
    codes = ["#N/A", "#VALUE!", "#DIV/0!", "#REF!"]
    errors = {r: codes[r % 4] for r in range(2, 80_001) if r % 1000}
    for r in range(2, 80_001):
        ws.append([None, "arrow> </x>" if r % 1000 == 0 else None, errors.get(r, r)])
    path = tmp_path / "big.xlsx"
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        assert z.getinfo("xl/worksheets/sheet1.xml").file_size > 3 << 20  # several blocks
    rows = FileBook(path).read_sheet("T&A")
    assert {r + 1: row[2] for r, row in enumerate(rows) if isinstance(row[2], str) and row[2].startswith("#")} == errors


def test_a_sheet_looked_at_first_still_gives_its_error_cells_and_link_texts(tmp_path: Path) -> None:
    """The run's first look at every sheet notes whether it holds an error cell or a link; the read after it
    finds them as a read without that look does, and a sheet with neither is not opened a second time."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "T&A"
    ws.append(["PO #", "Code", "Planned"])
    for r in range(2, 40_001):
        ws.append([f"PO{r}", "LD", "#N/A" if r == 30_000 else r])
    ws["B2"] = '=HYPERLINK("http://qc.example/po1","see photos")'  # openpyxl keeps no shown text: read from it
    clean = wb.create_sheet("Orders")
    clean.append(["PO #", "Qty"])
    for r in range(2, 20_001):
        clean.append([f"PO{r}", r])
    path = tmp_path / "t.xlsx"
    wb.save(path)
    unscanned = FileBook(path)
    unscanned._scans.clear()  # as a sheet its size check could not look at (a part that did not inflate whole)
    plain = unscanned.read_sheet("T&A")
    looked = FileBook(path)  # its size check looked at every sheet
    assert looked.merged_ranges("T&A") == [] and looked.merged_ranges("Orders") == []
    rows = looked.read_sheet("T&A")
    assert rows == plain and rows[1][1] == "see photos" and rows[29_999][2] == "#N/A"
    opened: list[int] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(filebook, "_error_cells_in", lambda data, found: opened.append(len(data)))
        orders = looked.read_sheet("Orders")
        assert not opened  # looked at already: neither there
        assert unscanned.read_sheet("Orders") == orders and opened  # a book that did not look, looks


def test_the_size_check_looks_at_every_sheet_as_a_scan_would(tmp_path: Path) -> None:
    """A run's start inflates every part once: the size check's look at each sheet (merged ranges, last
    row, error cells and links) is the scan's, so no sheet is inflated again for it; a part that fails
    its CRC gets no look there (the book's opening refuses it, as before)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "T&A"
    ws.append(["PO #", "Code", "Planned"])
    for r in range(2, 30_001):
        ws.append([f"PO{r}", "LD", r])
    ws["C20000"] = "=NA()"
    ws["C20000"].value = "#N/A"
    titled = wb.create_sheet("Orders")
    titled["A1"] = "Orders, spring"
    titled.merge_cells("A1:D1")
    titled.append(["PO #", "Qty"])
    titled.cell(row=5_000, column=2, value=4)
    wb.create_sheet("Empty")
    path = tmp_path / "t.xlsx"
    wb.save(path)
    book = FileBook(path)
    with zipfile.ZipFile(path) as z:
        assert z.getinfo(book.info.sheet_parts["T&A"]).file_size > 1 << 20  # many of the check's pieces
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(filebook, "scan_sheet", lambda *a, **k: pytest.fail("a sheet inflated again to be looked at"))
        got = {sheet: book._scan(sheet) for sheet in book.sheet_names()}
    assert got == {sheet: scan_sheet(path, part) for sheet, part in book.info.sheet_parts.items()}
    assert got["Orders"].merges == [((0, 0), (0, 3))] and got["Orders"].last_row == 5_000
    assert got["T&A"].last_row == 30_000 and got["T&A"].cell_hints and not got["Orders"].cell_hints

    with zipfile.ZipFile(path) as z:  # the Orders sheet's CRC made wrong, in its two headers
        crc = struct.pack("<L", z.getinfo(book.info.sheet_parts["Orders"]).CRC)
    data = path.read_bytes()
    assert data.count(crc) == 2
    broken = tmp_path / "crc.xlsx"
    broken.write_bytes(data.replace(crc, struct.pack("<L", struct.unpack("<L", crc)[0] ^ 1)))
    scans: dict[str, SheetScan] = {}
    check_package(broken, Limits(), scans=scans)
    assert scans == {part: got[sheet] for sheet, part in book.info.sheet_parts.items() if sheet != "Orders"}
    with pytest.raises(UserError, match="could not be read"):  # and the book is refused, as before
        FileBook(broken)


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.sampled_from([
    '<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>plain text {n}</t></is></c></row>',
    '<row r="{n}"><c r="A{n}" t="e"><v>#N/A</v></c></row>',
    '<row r="{n}"><c r="A{n}"><f>HYPERLINK("http://x","go")</f><v></v></c></row>',
    '<row r="{n}"><c r="A{n}" s="1"><v>46000</v></c></row>',
    '<row r="{n}"><c r="A{n}"><f>COUNTA(\'T&amp;A\'!K2:K9)</f><v>8</v></c></row>']), max_size=8),
    block=st.integers(1, 64))
def test_the_scan_notes_error_cells_and_links_wherever_blocks_fall(tmp_path_factory: pytest.TempPathFactory,
                                                                   rows: list[str], block: int) -> None:
    """The notes that let the read skip its second look, and the look after a write pass a sheet by, are right
    for any block size: blocks cut a link's formula text anywhere, and a tag may be carried to the next block."""
    xml = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
           + "".join(r.format(n=i + 1) for i, r in enumerate(rows)) + "</sheetData></worksheet>").encode()
    path = tmp_path_factory.mktemp("hints") / "s.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/worksheets/sheet1.xml", xml)
    scan = scan_sheet(path, "xl/worksheets/sheet1.xml", block=block)
    assert scan.cell_hints == any(h in xml for h in CELL_HINTS)
    assert scan.bang == (b"!" in xml)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.one_of(st.none(), st.integers(2, ROWS + 1)), max_size=ROWS))
def test_a_rewrite_parsing_only_its_source_rows_equals_one_parsing_all(
        book_path: Path, picks: list, tmp_path_factory: pytest.TempPathFactory) -> None:
    """A sheet replaced with cells carried from some of its rows (the Change Log rotated, the T&A re-laid
    out) gives the same file whether every row is split or only the rows carried from (and the first)."""
    folder = tmp_path_factory.mktemp("lean")
    rows = tuple((f"new {i}", f"TBC {i}") for i in range(len(picks)))
    # Planned (C) takes the style of its first data row (C2's date format), wherever that row is carried to
    rw = SheetRewrite(sheet="T&A", header_row=1, columns=(0, 2), rows=rows, source_rows=tuple(picks))
    rewrite_sheets(book_path, folder / "lean.xlsx", [rw])
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rewrite, "_WHOLE_ROWS_HINTS", ("<",))  # every sheet has one: every row is split
        rewrite_sheets(book_path, folder / "all.xlsx", [rw])
    assert (folder / "lean.xlsx").read_bytes() == (folder / "all.xlsx").read_bytes()
    back = list(openpyxl.load_workbook(folder / "lean.xlsx")["T&A"].values)
    for i, src in enumerate(picks):  # the carried cells (Code) came from their own source row
        assert back[1 + i][1] == (f"M{(src - 2) % 7}" if src is not None else None)


_ROWS = st.lists(st.sampled_from([
    '<{p}row r="{n}"/>', '<{p}row r="{n}" spans="1:3"></{p}row>', '<{p}row r="{n}" ht="30" customHeight="1">'
    '<{p}c r="A{n}" t="inlineStr"><{p}is><{p}t>a/b &gt; c</{p}t></{p}is></{p}c></{p}row>',
    '<{p}row r="{n}"><{p}c r="B{n}"/><{p}c r="C{n}" s="2"><{p}v>4</{p}v></{p}c></{p}row>']), min_size=1, max_size=6)


@settings(max_examples=150, deadline=None)
@given(_ROWS, st.sampled_from(["", "x:"]), st.integers(0, 5))
def test_a_row_found_by_find_is_the_row_the_pattern_matches(rows: list[str], p: str, pick: int) -> None:
    """row_at (str.find) gives what _ROW_RE.match gives, for rows self-closed, empty, or holding cells."""
    from prodbook.workbook.xlsx.sheetxml import _ROW_RE, row_at

    text = "<sheetData>" + "".join(r.format(p=p, n=i + 2) for i, r in enumerate(rows)) + "</sheetData>"
    n = 2 + pick % len(rows)
    at = text.find(f'<{p}row r="{n}"')
    m = _ROW_RE.match(text, at)
    assert m is not None
    assert row_at(text, at, p) == (m.group(1), m.group(2) or "", m.end())
    assert row_at(text[:m.end() - 1], at, p) is None or m.group(2) is None


@settings(max_examples=200, deadline=None)
@given(_ROWS, st.sampled_from(["", "x:"]), st.lists(st.booleans(), min_size=6, max_size=6),
       st.sampled_from(['r="{n}"', 'r = "{n}"', 'r="0{n}"', 'r=" {n}"', 'r="{n}x"', 'spans="1:2" r="{n}"']))
def test_row_numbers_in_one_pass_are_the_numbers_each_row_gives(rows: list[str], p: str, bare: list[bool],
                                                               r: str) -> None:
    """row_numbers (one findall) gives what numbered_rows gives, or None: a row without r (or with an r
    only int() reads) leaves it to numbered_rows."""
    from prodbook.workbook.xlsx.model import UnsupportedLayout
    from prodbook.workbook.xlsx.sheetxml import numbered_rows, row_numbers

    made = []
    for i, row in enumerate(rows):
        row = row.replace('r="{n}"', r, 1)
        made.append(row.replace(" " + r, "", 1) if bare[i] else row)
    text = "".join(row.format(p=p, n=i + 2) for i, row in enumerate(made))
    try:
        each = [n for n, _ in numbered_rows(text)]
    except UnsupportedLayout:  # an r int() cannot read: the split refuses it, as a damaged sheet
        each = None
    got = row_numbers(text)
    assert got is None or got == each
    if not any(bare) and r in ('r="{n}"', 'r = "{n}"', 'spans="1:2" r="{n}"'):
        assert got == each  # every row numbered plainly: one pass answers


def test_row_numbers_of_rows_with_and_without_a_prefix_in_one_text() -> None:
    """Rows written plainly beside rows with a namespace prefix: the plain pattern alone would miss the
    prefixed ones, so the general one answers."""
    from prodbook.workbook.xlsx.sheetxml import row_numbers

    text = '<row r="2"><c r="A2"><v>1</v></c></row><x:row r="3"><x:c r="A3"><x:v>2</x:v></x:c></x:row><row r="4"/>'
    assert row_numbers(text) == [2, 3, 4]


@pytest.fixture(scope="module")
def gappy_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A T&A whose rows hold every other column (keys beside blank generated cells), so edits interleave;
    some cells have a style of their own (an edit landing there keeps it), some rows no formula."""
    path = tmp_path_factory.mktemp("gappy") / "gappy.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "T&A"
    ws.append([f"H{c}" for c in range(8)])
    for i in range(ROWS):
        for c in range(0, 8, 2 if i % 4 else 3):
            cell = ws.cell(row=i + 2, column=c + 1, value=TEXTS[(i + c) % len(TEXTS)] if c % 4 else i * 10 + c)
            if (i + c) % 3 == 0:
                cell.number_format = "#,##0" if c % 4 == 0 else "@"
            elif (i + c) % 3 == 1 and c == 6:
                cell.number_format = "dd-mmm-yy"
        if i % 2 == 0:
            ws.cell(row=i + 2, column=3, value=f"=A{i + 2}*2")  # a formula an edit may land on
    wb.save(path)
    return path


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=cell_edits)
def test_rows_merged_by_recipe_equal_rows_merged_cell_by_cell(gappy_path: Path, cells: list,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The recipe (worked out once per shape of row) writes what finding each cell by its r writes."""
    staged = [CellEdit("T&A", r, c, v) for r, c, v in cells]
    by_recipe = merged(gappy_path, staged)
    with monkeypatch.context() as m:
        m.setattr(edits._RowMerge, "row", lambda self, rn, attrs, content, lo, hi: self._row_named(
            rn, attrs, content, *self._window(lo, hi)))
        assert merged(gappy_path, staged) == by_recipe


def test_an_edit_on_a_formula_is_told_by_the_recipe(gappy_path: Path) -> None:
    """Overwriting a formula (its calc chain must go) is reported on the recipe path too."""
    assert merged(gappy_path, [CellEdit("T&A", 2, 2, "x")])[1] is True
    assert merged(gappy_path, [CellEdit("T&A", 3, 1, "x")])[1] is False


def merged(path: Path, staged: list) -> tuple[bytes, bool]:
    """The T&A part and styles after a streamed merge, and whether a formula was overwritten."""
    pkg = _Package(path)
    try:
        book = _read_book(pkg)
        styles = _Styles(pkg, book.part, "dd-mmm-yy")
        part = next(s[2] for s in book.sheets if s[0] == "T&A")
        flat = edits._Flat(staged, "T&A", "", book.date1904)
        formula = edits._stream_edits(pkg, book, styles, part, "T&A", lambda _p: flat, 1 << 20)
        return b"".join(pkg.blocks(part)) + b"".join(pkg.blocks("xl/styles.xml")), formula
    finally:
        pkg.close()


LOG_ROWS = 40


def carried_book(path: Path, *, bare: bool = False, sparse: bool = False) -> Path:
    """A Change Log with a team's own column (J, some rows), rows of their own height, multi-byte text, a
    validation down to its last row; with
    ``bare``, some rows and some cells written without their r (the file format allows it; other writers do);
    with ``sparse``, few rows carry anything (long stretches of rows that carry nothing: an undo's T&A)."""
    note, high = (40, 50) if sparse else (4, 5)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Change Log"
    ws.append(["Timestamp", "Action", "Sheet", "Key", "Field", "Old", "New", "User", None, "Note"])
    for i in range(LOG_ROWS):
        ws.append([datetime(2026, 11, 1, 8) + timedelta(hours=i), f"Rebuild T&A {i // 9}", "T&A",
                   f"45{i:06d} / M{i % 7}", "Planned", TEXTS[i % len(TEXTS)], TEXTS[(i + 2) % len(TEXTS)], "apm",
                   None, TEXTS[i % len(TEXTS)] if i % note == 0 else None])
        if i % high == 0:
            ws.row_dimensions[i + 2].height = 30
    ws["A2"].number_format = "dd-mmm-yy hh:mm"
    users = DataValidation(type="list", formula1='"apm,pm"', allow_blank=True)
    users.add(f"H2:H{LOG_ROWS + 1}")  # a range ending at the last row: it follows the rows written
    ws.add_data_validation(users)
    wb.save(path)
    if bare:
        _bare_rows(path)
    return path


def _bare_rows(path: Path) -> None:
    """Take r off every third row and off the cells after the first of every other row."""
    part = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as z:
        members = {i.filename: z.read(i) for i in z.infolist()}

    def row(m: re.Match[bytes]) -> bytes:
        num = int(m[2])
        body = m[4]
        if num % 2 == 0:  # cells after the first follow the one before
            first = body.find(b"</c>") + 4
            body = body[:first] + re.sub(rb'(<c) r="[A-Z]+\d+"', rb"\1", body[first:])
        start = m[1] if num % 3 == 0 and num > 2 else m[1] + b' r="' + m[2] + b'"'
        return start + m[3] + body + b"</row>"

    members[part] = re.sub(rb'(<row) r="(\d+)"([^>]*>)(.*?)</row>', row, members[part], flags=re.S)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)


def rewritten_part(path: Path, rw: SheetRewrite, chunk: int | None, scan: str, last_row: int | None = None
                   ) -> tuple[bytes, list | None]:
    """The log part rewritten with ``rw``: read ``chunk`` bytes at a time (its rows written a few at a time too),
    or split whole (None: the streamed reader ``scan`` turned off); and the byte ranges noted as rows copied.
    ``last_row``: the sheet's last row as a first look found it (an append in one pass)."""
    pkg = _Package(path)
    try:
        book = _read_book(pkg)
        styles = _Styles(pkg, book.part, "dd-mmm-yy")
        part = next(s[2] for s in book.sheets if s[0] == rw.sheet)
        with pytest.MonkeyPatch.context() as mp:
            if chunk is None:
                mp.setattr(rewrite, scan, lambda *_: None)
            else:
                mp.setattr(rewrite, "ROW_BLOCK", 3)
            formula = rewrite._rewrite_sheet(pkg, book, styles, rw, part, chunk=chunk or package.STREAM_CHUNK,
                                             last_row=last_row if chunk is not None else None)
        data = b"".join(pkg.blocks(part)) + b"".join(pkg.blocks("xl/styles.xml")) + bytes([formula])
        return data, pkg.copied.get(part)
    finally:
        pkg.close()


def carried_part(path: Path, rw: SheetRewrite, chunk: int | None) -> bytes:
    """The log part rewritten with ``rw``, its kept rows' cells carried (the Change Log moved)."""
    return rewritten_part(path, rw, chunk, "_scan_carried")[0]


@pytest.fixture(scope="module", params=["named", "bare", "sparse"])
def log_path(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return carried_book(tmp_path_factory.mktemp("carried") / "log.xlsx", bare=request.param == "bare",
                        sparse=request.param == "sparse")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chunk=st.integers(1, 3000), kept=st.lists(st.integers(2, LOG_ROWS + 3), max_size=LOG_ROWS),
       new=st.integers(0, 12), shuffled=st.booleans())
def test_a_rewrite_carrying_rows_read_a_block_at_a_time_equals_the_whole_split(
        log_path: Path, chunk: int, kept: list, new: int, shuffled: bool) -> None:
    """The Change Log moved: the kept rows (their team's column and heights carried) and this run's rows below
    them. Read in blocks of any size (one byte cuts every tag and character), the sheet written is the one the
    whole split writes, styles and all; source rows in any order, repeated or past the last row included."""
    kept = kept if shuffled else sorted(set(kept))
    rows = tuple((datetime(2026, 12, 1, 9, i % 60) if i % 3 else date(2026, 12, 1), f"Refresh {i}", "T&A",
                  f"K{i}", "Planned", None, TEXTS[i % len(TEXTS)], "apm") for i in range(len(kept) + new))
    rw = SheetRewrite(sheet="Change Log", header_row=1, columns=tuple(range(8)), rows=rows,
                      source_rows=(*kept, *([None] * new)))
    assert carried_part(log_path, rw, chunk) == carried_part(log_path, rw, None)


def test_the_scan_keeps_only_what_rows_carry(tmp_path: Path) -> None:
    """Of the source rows only what they carry is held: attributes and the team's cells, not the row's XML."""
    path = carried_book(tmp_path / "log.xlsx")
    rw = SheetRewrite(sheet="Change Log", header_row=1, columns=tuple(range(8)), rows=((None,) * 8,) * 3,
                      source_rows=(2, 3, 7))
    pkg = _Package(path)
    try:
        scan = rewrite._scan_carried(pkg, "xl/worksheets/sheet1.xml", rw, 64)
    finally:
        pkg.close()
    assert scan is not None and scan.sheet.last_row == LOG_ROWS + 1
    assert [r[0] for r in scan.sheet.rows] == [1, 2]  # the header row, the first data row (its styles)
    assert scan.carried[2][1][0][0] == 9 and scan.carried[2][0] == ' ht="30" customHeight="1"'
    assert 3 not in scan.carried and scan.carried[7] == (' ht="30" customHeight="1"', ())


def test_a_sheet_the_scan_cannot_take_is_split_whole(tmp_path: Path) -> None:
    """Shared formulas (their masters are read from every row), comments in the rows, a sheet without rows: the
    scan gives way and the whole split writes the sheet, with the same answer as before."""
    path = carried_book(tmp_path / "log.xlsx")
    part = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as z:
        members = {i.filename: z.read(i) for i in z.infolist()}
    text = members[part]
    variants = {
        "shared": re.sub(rb'(<row r="5".*?)</row>', rb'\1<c r="K5"><f t="shared" ref="K5:K6" si="0">A5</f></c></row>',
                         text, count=1, flags=re.S),
        "comment": text.replace(b"</row>", b"</row><!-- note -->", 3),
        "empty": re.sub(rb"<sheetData>.*</sheetData>", b"<sheetData/>", text, flags=re.S),
    }
    rw = SheetRewrite(sheet="Change Log", header_row=1, columns=tuple(range(8)), rows=((None,) * 8,) * 2,
                      source_rows=(3, 4))
    for name, data in variants.items():
        odd = tmp_path / f"{name}.xlsx"
        with zipfile.ZipFile(odd, "w", zipfile.ZIP_DEFLATED) as z:
            for member, body in members.items():
                z.writestr(member, data if member == part else body)
        pkg = _Package(odd)
        try:
            assert rewrite._scan_carried(pkg, part, rw, 100) is None, name
        finally:
            pkg.close()
        if name != "comment":  # the whole split refuses comments in the rows, as it always did
            assert carried_part(odd, rw, 100) == carried_part(odd, rw, None), name


def appended_part(path: Path, rw: SheetRewrite, chunk: int | None) -> tuple[bytes, list | None]:
    """The log part with ``rw``'s rows added below its own (its rows copied a region at a time), and the byte
    ranges the check of the file need not parse."""
    return rewritten_part(path, rw, chunk, "_scan_append")


def log_rows(n: int) -> tuple:
    return tuple((datetime(2026, 12, 1, 9, i % 60) if i % 3 else date(2026, 12, 1), f"Refresh {i}", "T&A",
                  f"K{i}", "Planned", None, TEXTS[i % len(TEXTS)], "apm") for i in range(n))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chunk=st.integers(1, 3000), new=st.integers(0, 12))
def test_rows_added_below_a_log_read_a_block_at_a_time_equal_the_whole_split(
        log_path: Path, chunk: int, new: int) -> None:
    """The daily Change Log append: the log's rows copied a region at a time (one byte cuts every tag and
    character) and this run's rows below them are the sheet the whole split writes, styles and all. The range
    left to the CRC is whole rows copied as they were, between the first region and the last."""
    rw = SheetRewrite(sheet="Change Log", header_row=1, columns=tuple(range(8)), rows=log_rows(new),
                      keep_rows=1_000_000)
    streamed, copied = appended_part(log_path, rw, chunk)
    whole, none = appended_part(log_path, rw, None)
    assert streamed == whole and none is None
    for lo, hi in copied or ():
        assert 0 < lo < hi
        with zipfile.ZipFile(log_path) as z:
            old = z.read("xl/worksheets/sheet1.xml")
        rows = streamed[lo:hi]
        assert re.match(rb"<row[ >]", rows) and rows.endswith(b"</row>") and rows in old


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chunk=st.integers(1, 3000), new=st.integers(0, 12))
def test_rows_added_below_a_log_in_one_pass_equal_the_whole_split(log_path: Path, chunk: int, new: int) -> None:
    """With the log's last row known (the run's first look), its rows are checked as they are copied, in one
    pass: the same sheet, styles and copied ranges as the two passes and the whole split."""
    rw = SheetRewrite(sheet="Change Log", header_row=1, columns=tuple(range(8)), rows=log_rows(new),
                      keep_rows=1_000_000)
    two = appended_part(log_path, rw, chunk)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rewrite, "_scan_append", lambda *_: pytest.fail("read twice"))
        one = rewritten_part(log_path, rw, chunk, "_scan_append", last_row=LOG_ROWS + 1)
    assert one == two
    assert one[0] == appended_part(log_path, rw, None)[0]


@pytest.mark.parametrize("told", [LOG_ROWS, LOG_ROWS + 2, 1])
def test_a_last_row_told_wrong_costs_a_second_pass_not_a_wrong_sheet(log_path: Path, told: int) -> None:
    """The one pass confirms the last row it was told as it copies; told wrong, what it wrote is dropped and
    the sheet is written the two-pass way: the dimension is never the wrong one."""
    rw = SheetRewrite(sheet="Change Log", header_row=1, columns=tuple(range(8)), rows=log_rows(4),
                      keep_rows=1_000_000)
    passes: list[str] = []
    scan_append = rewrite._scan_append
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rewrite, "_scan_append", lambda *a: passes.append("two") or scan_append(*a))
        got = rewritten_part(log_path, rw, 500, "_scan_append", last_row=told)
    assert passes == ["two"]
    assert got[0] == appended_part(log_path, rw, None)[0]


def test_an_append_the_scan_cannot_take_is_split_whole(tmp_path: Path) -> None:
    """Rows past the ones kept, the last row without its number, shared formulas, comments, no rows: the
    whole split answers, as before (and copies nothing it need not parse)."""
    path = carried_book(tmp_path / "log.xlsx")
    part = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as z:
        members = {i.filename: z.read(i) for i in z.infolist()}
    text = members[part]
    last = f'<row r="{LOG_ROWS + 1}"'.encode()
    variants = {
        "as is": text,
        "unnumbered last": text.replace(last, b"<row"),
        "shared": re.sub(rb'(<row r="5".*?)</row>', rb'\1<c r="K5"><f t="shared" ref="K5:K6" si="0">A5</f></c></row>',
                         text, count=1, flags=re.S),
        "empty": re.sub(rb"<sheetData>.*</sheetData>", b"<sheetData/>", text, flags=re.S),
    }
    for name, data in variants.items():
        odd = tmp_path / f"{name}.xlsx"
        with zipfile.ZipFile(odd, "w", zipfile.ZIP_DEFLATED) as z:
            for member, body in members.items():
                z.writestr(member, data if member == part else body)
        for keep in (1_000_000, LOG_ROWS - 5):
            rw = SheetRewrite(sheet="Change Log", header_row=1, columns=tuple(range(8)), rows=log_rows(3),
                              keep_rows=keep)
            pkg = _Package(odd)
            try:
                took = rewrite._scan_append(pkg, part, rw, 100) is not None
            finally:
                pkg.close()
            assert took == (name == "as is" and keep > LOG_ROWS), (name, keep)
            whole = appended_part(odd, rw, None)[0]
            assert appended_part(odd, rw, 100)[0] == whole, (name, keep)
            one = rewritten_part(odd, rw, 100, "_scan_append", last_row=LOG_ROWS + 1)[0]  # told the last row
            assert one == whole, (name, keep)


@given(data=st.binary(max_size=200), cuts=st.lists(st.integers(0, 200), max_size=6),
       bounds=st.lists(st.integers(0, 220), max_size=8, unique=True))
def test_the_check_reads_around_copied_ranges_wherever_blocks_fall(data: bytes, cuts: list, bounds: list) -> None:
    """Cut into blocks anywhere, the bytes parsed are the part without the copied ranges, in order."""
    edges = sorted(bounds)
    ranges = [(lo, hi) for lo, hi in zip(edges[::2], edges[1::2])]
    blocks = sorted({0, len(data), *(c for c in cuts if c < len(data))})
    parsed = b""
    for a, b in zip(blocks, blocks[1:]):
        for piece in safety._outside(data[a:b], a, ranges):
            assert piece
            parsed += piece
    kept = bytearray()
    for i, byte in enumerate(data):
        if not any(lo <= i < hi for lo, hi in ranges):
            kept.append(byte)
    assert parsed == bytes(kept)


def test_a_copied_range_is_left_to_the_crc_and_all_around_it_is_parsed(tmp_path: Path) -> None:
    """Broken XML inside the range the writer copied is not parsed again (those bytes are the user's, as they
    were); a range that cuts into the rows around it, or none, and the break is caught."""
    path = tmp_path / "book.xlsx"
    body = b"<sheetData><row r='1'/><row r='2'><c><v>1<</v></c></row><row r='3'/></sheetData>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"<worksheet>" + body + b"</worksheet>")
    start = len(b"<worksheet><sheetData><row r='1'/>")
    end = start + len(b"<row r='2'><c><v>1<</v></c></row>")
    safety.verify_package(path, unparsed={"xl/worksheets/sheet1.xml": [(start, end)]})
    both = [(start, end), (end, end + len(b"<row r='3'/>"))]
    safety.verify_package(path, unparsed={"xl/worksheets/sheet1.xml": both})
    for lo, hi in ((start + 1, end), (start, end - 6), (0, 0)):
        with pytest.raises(ValueError, match="sheet1.xml"):
            safety.verify_package(path, unparsed={"xl/worksheets/sheet1.xml": [(lo, hi)]})


def test_a_run_appends_to_its_change_log_in_one_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The file back end tells the writer each sheet's last row from the run's first look: the next day's
    Change Log rows go below the log's in one pass over it."""
    from conftest import base_sheets, write_book
    from prodbook.jobs.base import Context
    from prodbook.jobs.runner import run

    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    run(path, ["ta"], Context(today=date(2027, 3, 1)))
    before = openpyxl.load_workbook(path, read_only=True)["Change Log"].max_row
    monkeypatch.setattr(rewrite, "_scan_append", lambda *_: pytest.fail("the log read twice"))
    result = run(path, ["ta"], Context(today=date(2027, 4, 20)))
    assert result.changes and result.commit is not None and result.commit.written
    log = [r for r in openpyxl.load_workbook(path, read_only=True)["Change Log"].iter_rows(values_only=True)]
    assert len(log) == before + result.changes


_CELL_FORMS = st.sampled_from(['<{p}c r="{c}{n}" s="3"><{p}v>1</{p}v></{p}c>', '<{p}c r="{c}{n}"/>',
                               '<{p}c s="3" r="{c}{n}"><{p}v>1</{p}v></{p}c>',  # r not first
                               '<{p}c><{p}v>2</{p}v></{p}c>',  # no r: the column after the last
                               '<{p}c r="${c}${n}" t="inlineStr"><{p}is><{p}t>a:c b</{p}t></{p}is></{p}c>',
                               '<y:c r="{c}{n}"><y:v>3</y:v></y:c>'])  # another prefix


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.lists(st.tuples(_CELL_FORMS, st.sampled_from(["A", "B", "C", "AA", "AB"])), max_size=5),
                     min_size=1, max_size=4),
       written=st.sets(st.sampled_from([0, 1, 2, 26, 27])), prefix=st.sampled_from(["", "x:"]))
def test_rows_said_to_carry_no_cell_have_none_outside_the_written_columns(rows, written, prefix):
    """The quick look (``_only_written``) never says "nothing to carry" of rows that have a cell outside
    the written columns, whatever the cells look like; and it says so of the rows prodbook writes."""
    from prodbook.workbook.xlsx.refs import col_letter
    from prodbook.workbook.xlsx.sheetxml import _cells

    region = "".join(f'<{prefix}row r="{n}">' + "".join(form.format(p=prefix, c=c, n=n) for form, c in cells)
                     + f"</{prefix}row>" for n, cells in enumerate(rows, 2))
    letters = frozenset(col_letter(c) for c in written)
    cols = [c for n, cells in enumerate(rows, 2)
            for c, *_ in _cells("".join(form.format(p=prefix, c=c, n=n) for form, c in cells))]
    if rewrite._only_written(region, prefix, letters):
        assert set(cols) <= written
    plain = "".join(f'<{prefix}row r="{n}">' + "".join(f'<{prefix}c r="{col_letter(c)}{n}"/>' for c in sorted(written))
                    + f"</{prefix}row>" for n in range(2, 5))
    assert rewrite._only_written(plain, prefix, letters)


@example(before="=COUNTA(", name="Issues", case=[False] * 8, quote=False, mention=True, after="A2:A9)",
         cuts=[9, 10, 11, 12])  # blocks shorter than the name: 'I', 's', 's', 'u', 'es!A2...'
@given(before=st.text(alphabet="aAsSiIuUeE!'<>f =:;", max_size=60),
       name=st.sampled_from(["Issues", "T&amp;A", "Sheet 2"]),
       case=st.lists(st.booleans(), min_size=8, max_size=8), quote=st.booleans(), mention=st.booleans(),
       after=st.text(alphabet="aAsSiIuUeE!'<>f =", max_size=60), cuts=st.lists(st.integers(1, 140), max_size=40))
def test_a_sheet_s_name_is_found_case_blind_wherever_blocks_fall(before: str, name: str, case: list[bool],
                                                                   quote: bool, mention: bool, after: str,
                                                                   cuts: list[int]) -> None:
    """The quick look (a '!' first, the block folded) finds what ``re.I`` over the whole part finds, however
    short the blocks (a name cut over three of them)."""
    spelt = "".join(c.upper() if up else c.lower() for c, up in zip(name, case * 2, strict=False))
    text = (before + (spelt + ("'" if quote else "") + "!" if mention else "") + after).encode()
    blocks, at = [], 0
    for cut in sorted(set(cuts)):
        blocks.append(text[at:cut])
        at = max(at, cut)
    blocks.append(text[at:])
    blind = re.compile(re.escape(name.encode()) + rb"'?!", re.I)
    lower = re.compile(re.escape(name.encode().lower()) + rb"'?!")
    assert package.holds(iter(blocks), lower, reach=64, hint=b"!", fold=True) == bool(blind.search(text))


@pytest.fixture(scope="module")
def dashboard_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sheet of the team's formulas over the Issues (some in a Table-less block, some beside texts with
    characters of several bytes), and the Issues a rewrite grows from 3 rows to 5."""
    path = tmp_path_factory.mktemp("adjust") / "tracker.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Issues"
    for value in ("Key", "a", "b", "c"):
        wb.active.append([value])
    dash = wb.create_sheet("Dashboard")
    for r in range(1, 41):
        dash.cell(r, 1, f"Größe {r} – 測試")
        if r % 3:
            dash.cell(r, 2, f"=COUNTA(Issues!$A$2:$A$4)+{r}")
        if r % 4 == 0:
            dash.cell(r, 3, f"=COUNTIF(Issues!A2:A4,\"b\")&\"{r}\"")
    dash.conditional_formatting.add("B1:B40", FormulaRule(formula=["COUNTA(Issues!$A$2:$A$4)>3"]))
    wb.save(path)
    return path


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chunk=st.integers(1, 3000))
def test_formulas_adjusted_a_block_of_rows_at_a_time_equal_the_whole_part_adjusted(
        dashboard_path: Path, chunk: int, tmp_path_factory: pytest.TempPathFactory) -> None:
    """A big part's formulas are grown a run of whole rows at a time (``book.STREAM_ADJUST``): wherever the
    blocks fall (one byte cuts every tag and character), the part written is the whole part's."""
    from prodbook.workbook.xlsx import book

    folder = tmp_path_factory.mktemp("adjusted")
    issues = SheetRewrite(sheet="Issues", header_row=1, columns=(0,), rows=tuple((x,) for x in "abcde"))

    def dashboard(streamed: bool) -> bytes:
        out = folder / f"{streamed}.xlsx"
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(book, "STREAM_ADJUST", 0 if streamed else 1 << 40)
            mp.setattr(package, "STREAM_CHUNK", chunk)
            rewrite_sheets(dashboard_path, out, [issues])
        with zipfile.ZipFile(out) as z:
            return z.read("xl/worksheets/sheet2.xml")

    whole = dashboard(False)
    assert b"$A$2:$A$6)+1<" in whole and b'A2:A6,"b")&amp;"4"' in whole  # grown, in cells and rule
    assert b"$A$2:$A$6)&gt;3<" in whole
    assert dashboard(True) == whole
