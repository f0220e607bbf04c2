"""The Follow-ups Draft link shows the draft's file name, not its whole path.

Its text was the path from the workbook ('Follow-up drafts/2027-03-01/BD1_follow-up_2027-03-01.eml'), which
wraps to three lines in the Draft column: every Follow-ups row was three lines tall, whatever its Detail. A
draft in the default folder ('Follow-up drafts/<the date in its name>/') now shows its name and opens the same
file; one written elsewhere (--out) keeps its path as the text. Undo, which reads a Draft cell back as its text
only, makes the link again from the name. Real workbooks written, run, undone and read back.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl

from conftest import base_sheets, write_book
from prodbook.core.cells import Formula
from prodbook.core.looks import text_lines
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from prodbook.workbook.links import file_link

LINK = re.compile(r'^=HYPERLINK\("((?:[^"]|"")*)","((?:[^"]|"")*)"\)$')


def ctx(day: date, hour: int = 9, **kw: Any) -> Context:
    return Context(today=day, now=datetime(day.year, day.month, day.day, hour), **kw)


def book(folder: Path) -> Path:
    sheets = base_sheets()
    sheets["Samples"] = [["Style #", "Sample Type", "Purpose", "Color", "Due", "Shipped"],
                         ["S1", "Proto", "Line review", "Navy", date(2027, 2, 25), None],
                         ["S2", "Fit", "", "Black", date(2027, 2, 20), None]]
    folder.mkdir(parents=True, exist_ok=True)
    return write_book(folder / "tracker.xlsx", sheets)


def drafts(path: Path) -> list[tuple[str, str, Any]]:
    """(link target, link text, cached text) of each Follow-ups Draft cell: each must be a link."""
    ws = openpyxl.load_workbook(path)["Follow-ups"]
    shown = openpyxl.load_workbook(path, data_only=True)["Follow-ups"]
    col = [c.value for c in ws[1]].index("Draft") + 1
    out = []
    for r in range(2, ws.max_row + 1):
        v = ws.cell(row=r, column=col).value
        m = LINK.match(v) if isinstance(v, str) else None
        assert m, (r, v)
        out.append((m[1].replace('""', '"'), m[2].replace('""', '"'), shown.cell(row=r, column=col).value))
    assert out
    return out


def assert_named(path: Path, day: date) -> None:
    """Every Draft shows its file name and opens 'Follow-up drafts/<day>/<name>', a file beside the workbook."""
    for target, text, cached in drafts(path):
        assert text == cached == Path(target).name, (target, text, cached)
        assert target == f"Follow-up drafts/{day.isoformat()}/{text}"
        assert (path.parent / target).is_file(), target


def test_the_draft_shows_its_name_and_opens_its_file(tmp_path: Path) -> None:
    path = book(tmp_path / "team")
    run(path, ["ta", "followups"], ctx(date(2027, 3, 1)))
    assert_named(path, date(2027, 3, 1))


def test_undo_puts_back_links_that_open_the_earlier_drafts(tmp_path: Path) -> None:
    path = book(tmp_path / "team")
    run(path, ["ta", "followups"], ctx(date(2027, 3, 1)))
    before = drafts(path)
    wb = openpyxl.load_workbook(path)
    wb["Samples"]["F2"] = datetime(2027, 3, 3)  # the proto ships: its row goes, and comes back with undo
    wb.save(path)
    run(path, ["followups"], ctx(date(2027, 3, 4)))
    assert_named(path, date(2027, 3, 4))
    run(path, ["undo"], ctx(date(2027, 3, 4), hour=10))
    assert drafts(path) == before  # relinked from the name alone: the 1 March folder, still on disk
    assert_named(path, date(2027, 3, 1))


def test_a_draft_written_elsewhere_keeps_its_path_after_undo_too(tmp_path: Path) -> None:
    path = book(tmp_path / "team")
    run(path, ["ta", "followups"], ctx(date(2027, 3, 1), out=tmp_path / "team" / "to send"))
    found = drafts(path)
    for target, text, cached in found:
        assert target == text == cached and target.startswith("to send/") and (path.parent / target).is_file()
    run(path, ["followups"], ctx(date(2027, 3, 4)))
    assert_named(path, date(2027, 3, 4))
    run(path, ["undo"], ctx(date(2027, 3, 4), hour=10))
    assert drafts(path) == found


def test_a_draft_written_beside_the_workbook_still_opens_it_after_undo(tmp_path: Path) -> None:
    # --out the workbook's own folder: the path from the workbook is the bare name, which undo read as a name of
    # the dated folder ('Follow-up drafts/2027-03-01/...'): another file, or none. './' keeps it a path
    path = book(tmp_path / "team")
    run(path, ["ta", "followups"], ctx(date(2027, 3, 1), out=tmp_path / "team"))
    found = drafts(path)
    for target, text, cached in found:
        assert target == text == cached and re.fullmatch(r"\./[^/]+\.eml", target), (target, text, cached)
        assert (path.parent / target).is_file(), target
    run(path, ["followups"], ctx(date(2027, 3, 4)))
    assert_named(path, date(2027, 3, 4))
    run(path, ["undo"], ctx(date(2027, 3, 4), hour=10))
    assert drafts(path) == found
    assert all((path.parent / target).is_file() for target, _, _ in drafts(path))


def test_a_follow_up_row_is_as_tall_as_its_detail(tmp_path: Path) -> None:
    path = book(tmp_path / "team")
    run(path, ["ta", "followups"], ctx(date(2027, 3, 1)))
    ws = openpyxl.load_workbook(path)["Follow-ups"]
    head = [c.value for c in ws[1]]
    width = ws.column_dimensions[openpyxl.utils.get_column_letter(head.index("Detail") + 1)].width
    one_line = [r for r in range(2, ws.max_row + 1)
                if all(text_lines(c.value, ws.column_dimensions[c.column_letter].width) == 1
                       for c in ws[r] if head[c.column - 1] not in ("Draft",))]
    assert one_line and all(text_lines(ws.cell(row=r, column=head.index("Detail") + 1).value, width) == 1
                            for r in one_line)
    assert [ws.row_dimensions[r].height for r in one_line] == [None] * len(one_line)  # one line: Excel's own


def test_a_name_leads_back_to_its_dated_folder() -> None:
    from prodbook.workbook.links import draft_target

    assert draft_target("BD1_follow-up_2027-03-01.eml") == "Follow-up drafts/2027-03-01/BD1_follow-up_2027-03-01.eml"
    second = "BD1_follow-up_2027-03-01_2.eml"  # a '_2' name: another tracker's draft was there
    assert draft_target(second) == f"Follow-up drafts/2027-03-01/{second}"
    assert draft_target("_AUX._follow-up_2027-03-01_2_3.eml").startswith("Follow-up drafts/2027-03-01/")
    old = "Follow-up drafts/2027-03-01/BD1_follow-up_2027-03-01.eml"  # an older row's text: its path
    assert draft_target(old) == old
    assert draft_target("BD1_follow-up_2027-02-30.eml") == "BD1_follow-up_2027-02-30.eml"  # no such day
    wb = Path("/work/t/tracker.xlsx")
    named = file_link(Path("/work/t/Follow-up drafts/2027-03-01/BD1_follow-up_2027-03-01.eml"), wb)
    assert isinstance(named, Formula) and named.result == "BD1_follow-up_2027-03-01.eml"
    assert named.text == f'=HYPERLINK("{old}","BD1_follow-up_2027-03-01.eml")'
    # a draft of one day in another day's folder (--out 'Follow-up drafts/2027-03-02'): its name leads elsewhere
    moved = file_link(Path("/work/t/Follow-up drafts/2027-03-02/BD1_follow-up_2027-03-01.eml"), wb)
    assert isinstance(moved, Formula) and moved.result == "Follow-up drafts/2027-03-02/BD1_follow-up_2027-03-01.eml"


def test_undo_relinks_a_draft_from_its_text() -> None:
    import pandas as pd

    from prodbook.core.model.sheets import FOLLOW_UPS
    from prodbook.workbook.links import relink

    name, path = "CN1_follow-up_2027-03-01_2.eml", "to send/CN1_follow-up_2027-03-01.eml"
    outlook = "Outlook Drafts: Ningbo Garments: 1 open item to update - 01-Mar-27"
    got = relink(None, FOLLOW_UPS, pd.DataFrame({"draft": [name, path, outlook, None]}))  # type: ignore[arg-type]
    a, b, c, d = got["draft"]
    assert isinstance(a, Formula) and a.result == name and f'"Follow-up drafts/2027-03-01/{name}"' in a.text
    assert isinstance(b, Formula) and b.text == f'=HYPERLINK("{path}","{path}")'
    assert c == outlook and pd.isna(d)  # no file to open: the text as the run wrote it, no link going nowhere
