"""Notes and links on the T&A stay with their milestone when the rebuild moves rows.

An APM annotates the T&A as any sheet: a note on a milestone's Actual, a link to the vendor's file. Until
2026-12-04 any note or link below the T&A's header sent every rebuild that moved a row to a copy of the
workbook ("move the comment above the header row or delete it"), and the copy had lost the note. Now each
moves with its row, as Excel's Sort moves them; one on a row the rebuild takes off is named, and the
workbook is left as it was.
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.comments import Comment

from conftest import base_sheets, digest, write_book
from fakexl import FakeBook
from prodbook.cli import main
from prodbook.core.findings import UserError
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from prodbook.workbook.xlbook import XlBook
from prodbook.workbook.xlsx.notes import _anchor, row_moves

DAY = "2027-03-01"


def _cli(*args: str) -> str:
    result = CliRunner().invoke(main, [*args, "--today", DAY])
    assert result.exit_code in (0, 1), result.output
    return result.output


def tracker(tmp_path: Path) -> Path:
    """Three PO lines, their T&A built."""
    sheets = base_sheets()
    third = list(sheets["Orders"][1])
    third[0] = "4500000003"
    sheets["Orders"].append(third)
    path = write_book(tmp_path / "tracker.xlsx", sheets)
    _cli("ta", str(path))
    return path


def milestone(ws, row: int) -> tuple:
    return tuple(ws.cell(row, c).value for c in (1, 5))  # PO #, Code


def annotate(path: Path, notes: dict[tuple, str], links: dict[tuple, str]) -> None:
    """A note on the Actual cell, a link on the Notes cell, of the milestones named (PO #, Code)."""
    wb = openpyxl.load_workbook(path)
    ws = wb["T&A"]
    header = [c.value for c in ws[1]]
    for r in range(2, ws.max_row + 1):
        key = milestone(ws, r)
        if key in notes:
            ws.cell(r, header.index("Actual") + 1).comment = Comment(notes[key], "APM")
        if key in links:
            cell = ws.cell(r, header.index("Notes") + 1)
            cell.value = "vendor file"
            cell.hyperlink = links[key]
    wb.save(path)


def drop_order(path: Path, po: str) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["Orders"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == po)
    ws.delete_rows(row)
    ws.tables[next(iter(ws.tables))].ref = f"A1:{openpyxl.utils.get_column_letter(ws.max_column)}{ws.max_row}"
    wb.save(path)


def found(path: Path) -> tuple[dict[tuple, tuple[str, str]], dict[tuple, str]]:
    """Each note by its milestone, with the column it is in; each link's target by its milestone."""
    wb = openpyxl.load_workbook(path)
    ws = wb["T&A"]
    header = [c.value for c in ws[1]]
    notes, links = {}, {}
    for row in ws.iter_rows(min_row=2):
        for c in row:
            if c.comment:
                notes[milestone(ws, c.row)] = (c.comment.text, header[c.column - 1])
            if c.hyperlink:
                links[milestone(ws, c.row)] = c.hyperlink.target
    return notes, links


def test_notes_and_links_move_with_their_milestone_when_rows_above_go(tmp_path):
    path = tracker(tmp_path)
    notes = {("4500000002", "XF"): "vendor asks for 5 more days", ("4500000003", "CUT"): "cutting started early"}
    links = {("4500000003", "LD"): "https://vendor.example/dips/LD-3.pdf"}
    annotate(path, notes, links)
    drop_order(path, "4500000001")  # its five milestones go: every row below moves up five
    out = _cli("ta", str(path))
    assert "copy instead" not in out and "Saved 'tracker.xlsx'" in out, out
    got_notes, got_links = found(path)
    assert got_notes == {k: (v, "Actual") for k, v in notes.items()}
    assert got_links == links
    with zipfile.ZipFile(path) as z:
        vml = next(z.read(n).decode() for n in z.namelist() if n.endswith(".vml"))
        refs = re.findall(r'<comment ref="([A-Z]+\d+)"', next(z.read(n).decode() for n in z.namelist()
                                                              if "comment" in n and n.endswith(".xml")))
    rows = sorted(int(x) for x in re.findall(r"<(?:\w+:)?Row>(\d+)</(?:\w+:)?Row>", vml))
    assert rows == sorted(int(re.sub(r"[A-Z]", "", r)) - 1 for r in refs)  # each box's row is its cell's


def test_a_note_on_a_milestone_the_rebuild_takes_off_is_named_and_the_workbook_left_as_it_was(tmp_path):
    path = tracker(tmp_path)
    annotate(path, {("4500000001", "CUT"): "lines booked"}, {})
    drop_order(path, "4500000001")
    before = digest(path)
    out = _cli("ta", str(path))
    assert "on a row this run takes off the sheet" in out and "copy what it says to the Notes column" in out, out
    assert digest(path) == before and found(path)[0]


def test_a_rebuild_that_moves_no_row_leaves_notes_byte_for_byte(tmp_path):
    path = tracker(tmp_path)
    annotate(path, {("4500000002", "XF"): "vendor asks for 5 more days"}, {})
    with zipfile.ZipFile(path) as z:
        before = {n: z.read(n) for n in z.namelist() if "comment" in n or n.endswith(".vml")}
    wb = openpyxl.load_workbook(path)
    ws = wb["Orders"]
    ws.cell(3, [c.value for c in ws[1]].index("Ex-Factory") + 1).value = ws.cell(3, 6).value  # a touch
    wb.save(path)
    _cli("ta", str(path))
    with zipfile.ZipFile(path) as z:
        assert {n: z.read(n) for n in before} == before


def test_row_moves_and_anchor_arithmetic():
    assert row_moves(None, 2) is None
    assert row_moves([5, None, 3, 5], 2) == {5: 2, 3: 4}
    assert _anchor("9, 15, 3, 10, 11, 15, 7, 4", -2) == "9, 15, 1, 10, 11, 15, 5, 4"
    assert _anchor("9, 15, 1, 10, 11, 15, 2, 4", -5) == "9, 15, 0, 10, 11, 15, 0, 4"
    assert _anchor("not an anchor", 3) == "not an anchor"


@pytest.mark.libreoffice
def test_libreoffice_shows_each_note_on_its_milestone_after_the_move(tmp_path):
    path = tracker(tmp_path)
    notes = {("4500000002", "XF"): "vendor asks for 5 more days", ("4500000003", "CUT"): "cutting started early"}
    annotate(path, notes, {})
    drop_order(path, "4500000001")
    _cli("ta", str(path))
    out = tmp_path / "lo"
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "fods", "--outdir", str(out), str(path)], check=True, capture_output=True,
                   timeout=180)
    text = (out / "tracker.fods").read_text(encoding="utf-8")
    ta = text[text.index('table:name="T&amp;A"'):]
    ta = ta[:ta.index("</table:table>")]
    assert "4500000001" not in ta  # rebuilt in place: the rows moved
    for row in re.findall(r"<table:table-row\b.*?</table:table-row>", ta, re.S):
        said = re.findall(r"<office:annotation\b.*?</office:annotation>", row, re.S)
        values = [re.sub(r"<[^>]+>", "", v).strip() for v in re.findall(r"<text:p>(.*?)</text:p>", row, re.S)]
        key = (values[0], values[4]) if len(values) > 4 else None
        if key in notes:
            assert len(said) == 1 and notes[key] in said[0], (key, said)
        else:
            assert not said, (key, said)


THREADED = "http://schemas.microsoft.com/office/2017/10/relationships/threadedComment"


def add_threaded_comment(path: Path, ref: str) -> None:
    """A threaded comment (Review > New Comment in Excel 365) on ``ref`` of the sheet with the note, as Excel
    keeps one: its own part, beside the legacy note Excel writes for older programs (there already)."""
    with zipfile.ZipFile(path) as z:
        members = {i.filename: z.read(i.filename) for i in z.infolist()}
    rels = next(n for n in members if n.startswith("xl/worksheets/_rels/") and b"comments" in members[n])
    members[rels] = members[rels].replace(b"</Relationships>", f'<Relationship Id="rIdTc" Type="{THREADED}" '
                                          'Target="../threadedComments/threadedComment1.xml"/></Relationships>'
                                          .encode())
    members["xl/threadedComments/threadedComment1.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<ThreadedComments xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments">'
        f'<threadedComment ref="{ref}" dT="2026-12-03T10:00:00.00" personId="{{1}}" id="{{2}}">'
        "<text>vendor asks for 5 more days</text></threadedComment></ThreadedComments>").encode()
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/threadedComments/threadedComment1.xml" ContentType="application/'
        b'vnd.ms-excel.threadedcomments+xml"/></Types>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)


def test_a_threaded_comment_moves_with_its_note(tmp_path):
    path = tracker(tmp_path)
    annotate(path, {("4500000002", "XF"): "vendor asks for 5 more days"}, {})
    drop_order(path, "4500000001")  # (openpyxl, which writes this file, would drop a threaded comment)
    legacy = found_refs(path)["comment"]
    add_threaded_comment(path, legacy[0])
    out = _cli("ta", str(path))
    assert "Saved 'tracker.xlsx'" in out, out
    refs = found_refs(path)
    assert refs["comment"] == refs["threadedComment"] and refs["comment"] != legacy
    assert found(path)[0] == {("4500000002", "XF"): ("vendor asks for 5 more days", "Actual")}


def found_refs(path: Path) -> dict[str, list[str]]:
    with zipfile.ZipFile(path) as z:
        text = "".join(z.read(n).decode() for n in z.namelist() if "omment" in n and n.endswith(".xml"))
    return {tag: re.findall(rf'<{tag} ref="([A-Z]+\d+)"', text) for tag in ("comment", "threadedComment")}


# --- the add-in: Excel keeps a note on its cell, so prodbook moves it ------------------------------------

def _live_marks(book: FakeBook) -> tuple[dict[tuple, str], dict[tuple, str]]:
    sheet = book.sheets["T&A"]
    key = lambda r: (sheet.cells.get((r, 1)), sheet.cells.get((r, 5)))  # noqa: E731
    return ({key(r): t for (r, _), t in sheet.note_text.items()},
            {key(link.Range.Row): link.Address for link in sheet.links if link.Type == 0})


def test_live_notes_and_links_move_with_their_milestone_as_the_file_s_do(tmp_path):
    path = tracker(tmp_path)
    notes = {("4500000002", "XF"): "vendor asks for 5 more days", ("4500000003", "CUT"): "cutting started early"}
    links = {("4500000003", "LD"): "https://vendor.example/dips/LD-3.pdf"}
    annotate(path, notes, links)
    drop_order(path, "4500000001")
    book = FakeBook.from_file(path)
    run(path, ["ta"], Context(today=date(2027, 3, 1)), backend=XlBook(book, progress=False))
    assert _live_marks(book) == (notes, links)
    _cli("ta", str(path))  # the command on the same file: the same places
    assert {k: v[0] for k, v in found(path)[0].items()} == notes and found(path)[1] == links


def test_live_on_a_mac_notes_move_with_their_milestone_found_through_xlwings(tmp_path):
    """A Mac's Excel gives no Comments collection through appscript: the notes are found through xlwings'
    ``Sheet.notes`` and move as on Windows (they stayed on their cells, on other milestones, until 2026-12-05).
    Links cannot be listed there: they stay on their cells."""
    path = tracker(tmp_path)
    notes = {("4500000002", "XF"): "vendor asks for 5 more days", ("4500000003", "CUT"): "cutting started early"}
    annotate(path, notes, {})
    drop_order(path, "4500000001")
    book = FakeBook.from_file(path, mac=True)
    with pytest.raises(AttributeError):
        book.sheets["T&A"].api.Comments  # noqa: B018 (appscript knows no such name)
    run(path, ["ta"], Context(today=date(2027, 3, 1)), backend=XlBook(book, progress=False))
    assert _live_marks(book)[0] == notes


def test_live_on_a_mac_a_note_on_a_row_that_goes_stops_the_run(tmp_path):
    path = tracker(tmp_path)
    annotate(path, {("4500000001", "CUT"): "lines booked"}, {})
    drop_order(path, "4500000001")
    book = FakeBook.from_file(path, mac=True)
    with pytest.raises(UserError, match="takes off the sheet"):
        run(path, ["ta"], Context(today=date(2027, 3, 1)), backend=XlBook(book, progress=False))
    assert all(not s.writes for s in book.sheets)


def test_live_a_link_on_a_picture_is_no_row_s_link_and_the_rebuild_goes_on(tmp_path):
    """A link on a logo or a shape is listed with the sheet's links, and Excel raises when asked for its cell.
    It stopped every rebuild with "an unexpected problem" until 2026-12-05; it is over the sheet, on no row."""
    from fakexl import _ShapeLink

    path = tracker(tmp_path)
    notes = {("4500000002", "XF"): "vendor asks for 5 more days"}
    links = {("4500000003", "LD"): "https://vendor.example/dips/LD-3.pdf"}
    annotate(path, notes, links)
    drop_order(path, "4500000001")
    book = FakeBook.from_file(path)
    shape = _ShapeLink()
    book.sheets["T&A"].links.insert(0, shape)
    run(path, ["ta"], Context(today=date(2027, 3, 1)), backend=XlBook(book, progress=False))
    assert _live_marks(book) == (notes, links)
    assert shape in book.sheets["T&A"].links


@pytest.mark.parametrize("kind", ["note on a row that goes", "threaded comment on a row that moves"])
def test_live_what_cannot_move_stops_the_run_before_anything_is_written(tmp_path, kind):
    path = tracker(tmp_path)
    annotate(path, {("4500000001", "CUT"): "lines booked"} if kind.startswith("note") else {}, {})
    drop_order(path, "4500000001")
    book = FakeBook.from_file(path)
    if kind.startswith("threaded"):
        sheet = book.sheets["T&A"]
        row = next(r for (r, c), v in sheet.cells.items() if c == 1 and v == "4500000003")
        sheet.threaded[(row, 10)] = "can we pull this forward?"
    with pytest.raises(UserError) as refused:
        run(path, ["ta"], Context(today=date(2027, 3, 1)), backend=XlBook(book, progress=False))
    text = refused.value.finding.text()
    assert "Nothing was written" in text, text
    assert ("takes off the sheet" if kind.startswith("note") else "run the prodbook command") in text, text
    assert all(not s.writes for s in book.sheets)


def test_undo_of_the_rebuild_puts_each_note_back_on_its_milestone(tmp_path):
    path = tracker(tmp_path)
    notes = {("4500000002", "XF"): "vendor asks for 5 more days", ("4500000003", "CUT"): "cutting started early"}
    annotate(path, notes, {})
    wb = openpyxl.load_workbook(path)
    ws = wb["Orders"]
    po2 = [c.value for c in ws[3]]
    ws.insert_rows(2)  # a PO line added at the top: its milestones come first, every other row moves down
    for c, v in enumerate(po2, 1):
        ws.cell(2, c).value = v
    ws.cell(2, 1).value = "4500000000"
    ws.tables[next(iter(ws.tables))].ref = f"A1:{openpyxl.utils.get_column_letter(ws.max_column)}{ws.max_row}"
    wb.save(path)
    before = found(path)[0]
    rows_before = openpyxl.load_workbook(path)["T&A"].max_row
    _cli("ta", str(path))
    assert openpyxl.load_workbook(path)["T&A"].max_row > rows_before
    assert found(path)[0] == before
    _cli("undo", str(path))
    assert openpyxl.load_workbook(path)["T&A"].max_row == rows_before
    assert found(path)[0] == before


def _edit_ta(path: Path, edit) -> None:
    sheet = f"xl/worksheets/sheet{openpyxl.load_workbook(path).sheetnames.index('T&A') + 1}.xml"
    with zipfile.ZipFile(path) as z:
        members = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            z.writestr(info, edit(data.decode()).encode() if info.filename == sheet else data)


def test_a_link_over_cells_of_rows_that_move_together_moves_as_a_block(tmp_path):
    path = tracker(tmp_path)
    annotate(path, {}, {("4500000003", "LD"): "https://vendor.example/dips/LD-3.pdf"})
    drop_order(path, "4500000001")
    ref = re.search(r'<hyperlink\b[^>]*ref="([A-Z]+)(\d+)"', xml_of_ta(path))
    assert ref
    letter, row = ref.group(1), int(ref.group(2))
    _edit_ta(path, lambda t: t.replace(f'ref="{letter}{row}"', f'ref="{letter}{row}:{letter}{row + 1}"', 1))
    out = _cli("ta", str(path))
    assert "Saved 'tracker.xlsx'" in out, out
    assert f'ref="{letter}{row - 5}:{letter}{row - 4}"' in xml_of_ta(path)


def test_a_note_on_what_is_not_a_cell_is_named_as_damage_not_an_unexpected_problem(tmp_path):
    path = tracker(tmp_path)
    annotate(path, {("4500000002", "XF"): "vendor asks for 5 more days"}, {})
    drop_order(path, "4500000001")
    with zipfile.ZipFile(path) as z:
        members = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            if "comments" in info.filename and info.filename.endswith(".xml"):
                data = re.sub(rb'ref="[^"]*"', b'ref="1A"', data, count=1)
            z.writestr(info, data)
    result = CliRunner().invoke(main, ["ta", str(path), "--today", DAY])
    assert "which is not a cell: the file is damaged" in result.output, result.output
    assert "unexpected problem" not in result.output


def xml_of_ta(path: Path) -> str:
    sheet = f"xl/worksheets/sheet{openpyxl.load_workbook(path).sheetnames.index('T&A') + 1}.xml"
    with zipfile.ZipFile(path) as z:
        return z.read(sheet).decode()


def test_live_notes_move_with_an_xlwings_that_has_no_add_note(tmp_path, monkeypatch):
    """pyproject allows xlwings from 0.30; ``Range.add_note`` came later: Excel's own AddComment then."""
    import fakexl

    monkeypatch.delattr(fakexl.FakeRange, "add_note")
    path = tracker(tmp_path)
    notes = {("4500000002", "XF"): "vendor asks for 5 more days"}
    annotate(path, notes, {})
    drop_order(path, "4500000001")
    book = FakeBook.from_file(path)
    run(path, ["ta"], Context(today=date(2027, 3, 1)), backend=XlBook(book, progress=False))
    assert _live_marks(book)[0] == notes
