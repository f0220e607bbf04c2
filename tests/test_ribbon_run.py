"""Ribbon actions run on an open workbook (the xlwings stand-in): a message, never a traceback."""

from __future__ import annotations


from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import base_sheets, write_book
from fakexl import FakeBook
from prodbook.excel import ribbon
from prodbook import support
from prodbook.workbook.xlbook import XlBook


@pytest.fixture
def book(tmp_path: Path) -> FakeBook:
    return FakeBook.from_file(write_book(tmp_path / "tracker.xlsx", base_sheets()))


def test_rebuild_ta_button_writes_the_open_workbook_and_reports(book: FakeBook) -> None:
    report = ribbon.perform(ribbon.action("pbRebuildTA"), book)
    assert "milestones for 2 PO lines" in report.message
    assert "logged as 'Rebuild T&A 20" in report.message
    assert len([r for r in book.values("T&A")[1:] if r[0]]) == 10


def test_undo_with_nothing_to_undo_is_a_plain_message(book: FakeBook) -> None:
    report = ribbon.perform(ribbon.action("pbUndo"), book)
    assert not report.ok and "nothing to undo" in report.message
    assert "Traceback" not in report.message


def test_a_missing_sheet_is_a_plain_message(tmp_path: Path) -> None:
    sheets = base_sheets()
    del sheets["Orders"]
    book = FakeBook.from_file(write_book(tmp_path / "t.xlsx", sheets))
    report = ribbon.perform(ribbon.action("pbRebuildTA"), book)
    assert not report.ok and "Orders" in report.message and "Traceback" not in report.message


def test_an_unexpected_problem_names_the_log_and_leaves_the_book(book: FakeBook) -> None:
    def broken(_: Any) -> Any:
        raise RuntimeError("COM went away")
    report = ribbon.perform(ribbon.action("pbRebuildTA"), book, backend_factory=broken)
    assert not report.ok
    assert "unexpected problem" in report.message and "RuntimeError" not in report.message
    assert "prodbook-error.log" in report.message and "as it was" in report.message
    log = support.log_folder() / "prodbook-error.log"
    assert "RuntimeError: COM went away" in log.read_text(encoding="utf-8")  # the details are for support
    assert "T&A" in [s.name for s in book.sheets] and book.values("T&A") == [base_sheets()["T&A"][0]]


def test_settings_opens_config_or_says_how(book: FakeBook) -> None:
    report = ribbon.perform(ribbon.action("pbSettings"), book)
    assert report.ok and "Config" in report.message and "Using prodbook inside Excel" in report.message


def test_refresh_is_the_cli_refresh(book: FakeBook) -> None:
    from prodbook.jobs import runner
    act = ribbon.action("pbRefresh")
    assert act.jobs == runner.REFRESH and act.cli == "prodbook refresh"
    report = ribbon.perform(act, book)
    assert "logged as 'Refresh 20" in report.message, report.message
    assert "Issues" in [s.name for s in book.sheets]


def test_live_backend_status_bar_is_restored(book: FakeBook) -> None:
    ribbon.perform(ribbon.action("pbRebuildTA"), book)
    assert book.app.status_bar is False
    assert any(isinstance(s, str) and s.startswith("prodbook:") for s in book.app.status_history)
    assert book.app.screen_updating is True
    assert isinstance(XlBook(book).date1904, bool)


def test_files_go_to_the_job_context() -> None:
    ctx = ribbon._context(["a.xlsx", "b.csv"])
    assert [p.name for p in ctx.files] == ["a.xlsx", "b.csv"]
    assert ribbon._context([]).today == date.today()


def test_scorecard_button_writes_the_scorecard_beside_the_workbook(book: FakeBook, tmp_path: Path) -> None:
    book.fullname = str(tmp_path / "tracker.xlsx")  # saved on disk: the scorecard goes beside it
    act = ribbon.action("pbScorecard")
    assert act.jobs == ("scorecard",) and act.available and 'id="pbScorecard"' in ribbon.ribbon_xml()
    report = ribbon.perform(act, book)
    assert report.ok, report.message
    assert "Vendor scorecard: 2 vendor(s)" in report.message and "BD1:" in report.message
    written = list(tmp_path.glob("Vendor Scorecard *.xlsx"))
    assert len(written) == 1 and f"Scorecard: {written[0]}" in report.message
