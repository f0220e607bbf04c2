"""Ribbon actions run on an open workbook (the xlwings stand-in): a message, never a traceback."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from conftest import base_sheets, write_book
from fakexl import FakeBook
from prodbook.excel import ribbon
from prodbook.jobs import support
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


@pytest.mark.parametrize("mac", [False, True], ids=["windows", "mac"])
def test_live_backend_asks_excel_for_the_1904_date_system_on_either_platform(mac: bool) -> None:
    """An old Mac workbook counts dates from 1904: a date rule's bound is a serial of that system. On a Mac
    Excel says so as appscript's ``date_1904``; asked by the Windows name alone, it was always 1900 there."""
    book = FakeBook(mac=mac)
    book.com.Date1904 = True
    assert XlBook(book).date1904 is True
    assert XlBook(FakeBook(mac=mac)).date1904 is False


def test_files_go_to_the_job_context() -> None:
    ctx = ribbon._context(["a.xlsx", "b.csv"])
    assert [p.name for p in ctx.files] == ["a.xlsx", "b.csv"]
    before = date.today()  # the ribbon has no --today: its runs judge against the real date (read twice:
    assert before <= ribbon._context([]).today <= date.today()  # a run at midnight may see the next day)


def test_scorecard_button_writes_the_scorecard_beside_the_workbook(book: FakeBook, tmp_path: Path) -> None:
    book.fullname = str(tmp_path / "tracker.xlsx")  # saved on disk: the scorecard goes beside it
    act = ribbon.action("pbScorecard")
    assert act.jobs == ("scorecard",) and act.available and 'id="pbScorecard"' in ribbon.ribbon_xml()
    report = ribbon.perform(act, book)
    assert report.ok, report.message
    assert "Vendor scorecard: 2 vendor(s)" in report.message and "BD1:" in report.message
    written = list(tmp_path.glob("Vendor Scorecard *.xlsx"))
    assert len(written) == 1 and f"Scorecard: {written[0]}" in report.message


# --- asking for vendor files (Import vendor WIP...): never nothing silently -----------------


class _Alias:
    """What appscript's choose file gives back: an alias with a POSIX ``path``."""

    def __init__(self, path: str) -> None:
        self.path = path


class _Cancel(Exception):
    errornumber = -128


def test_mac_dialog_answers_are_read() -> None:
    assert ribbon.mac_paths([_Alias("/Users/apm/WIP/a.xlsx"), _Alias("/Users/apm/WIP/b.csv")]) == (
        "/Users/apm/WIP/a.xlsx", "/Users/apm/WIP/b.csv")
    assert ribbon.mac_paths(_Alias("/Users/apm/one.xlsx")) == ("/Users/apm/one.xlsx",)
    assert ribbon.is_cancel(_Cancel()) and not ribbon.is_cancel(RuntimeError("no Apple events"))
    asked = ribbon.parse_osascript(0, "/Users/apm/WIP/a b.xlsx\n/Users/apm/WIP/c.csv\n", "")
    assert asked.files == ("/Users/apm/WIP/a b.xlsx", "/Users/apm/WIP/c.csv")
    assert ribbon.parse_osascript(1, "", "execution error: User canceled. (-128)").status == "cancelled"
    gone = ribbon.parse_osascript(1, "", "execution error: No user interaction allowed. (-1713)")
    assert gone.status == "unavailable" and "-1713" in gone.reason
    assert 'choose file with prompt' in ribbon.MAC_SCRIPT and "multiple selections allowed" in ribbon.MAC_SCRIPT


def test_a_cancelled_dialog_says_nothing_was_imported(tmp_path: Path) -> None:
    files, why = ribbon.choose_files(ribbon.Asked(status="cancelled"), str(tmp_path))
    assert files == () and "No file chosen" in why


def _vendor_folder(tmp_path: Path) -> Path:
    d = tmp_path / "WIP"
    d.mkdir()
    for name in ("B vendor.xlsx", "a vendor.csv", "~$B vendor.xlsx", "notes.txt", ".hidden.xlsx", "c.XLSM"):
        (d / name).write_bytes(b"x")
    return d


def test_no_dialog_falls_back_to_the_config_folder(tmp_path: Path) -> None:
    d = _vendor_folder(tmp_path)
    files, why = ribbon.choose_files(ribbon.Asked(status="unavailable", reason="no Apple events"), str(d))
    assert [Path(f).name for f in files] == ["a vendor.csv", "B vendor.xlsx", "c.XLSM"] and why == ""


def test_no_dialog_and_no_usable_folder_is_a_message(tmp_path: Path) -> None:
    unavailable = ribbon.Asked(status="unavailable", reason="no Apple events")
    files, why = ribbon.choose_files(unavailable, "")
    assert files == () and "WIP Folder" in why and "Config sheet" in why and "no Apple events" in why
    empty = tmp_path / "empty"
    empty.mkdir()
    files, why = ribbon.choose_files(unavailable, str(empty))
    assert files == () and str(empty) in why and "no vendor files" in why
    files, why = ribbon.choose_files(unavailable, str(tmp_path / "nowhere"))
    assert files == () and "not a folder" in why


def test_ask_files_on_the_mac_without_a_dialog_reads_the_config_sheet(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """No dialog (no Apple events for Python): the Mac path ends on the Config sheet's folder."""
    monkeypatch.setattr(ribbon, "_ask_mac", lambda book: ribbon.Asked(status="unavailable", reason="no osax"))
    d = _vendor_folder(tmp_path)
    sheets = base_sheets()
    sheets["Config"] = [["Setting", "Value"], ["Due Soon Days", 7], ["WIP Folder", str(d)]]
    book = FakeBook.from_file(write_book(tmp_path / "t.xlsx", sheets))
    files, why = ribbon.ask_files(book, platform="darwin")
    assert [Path(f).name for f in files] == ["a vendor.csv", "B vendor.xlsx", "c.XLSM"], why
    book = FakeBook.from_file(write_book(tmp_path / "u.xlsx", base_sheets()))
    files, why = ribbon.ask_files(book, platform="darwin")
    assert files == () and "WIP Folder" in why


def test_the_import_button_alerts_when_no_file_comes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import xlwings as xw

    book = FakeBook.from_file(write_book(tmp_path / "t.xlsx", base_sheets()))
    monkeypatch.setattr(xw.Book, "caller", staticmethod(lambda: book))
    monkeypatch.setattr(ribbon.sys, "platform", "darwin")
    monkeypatch.setattr(ribbon, "_ask_mac", lambda book: ribbon.Asked(status="cancelled"))
    ribbon.run("pbImportWip")
    assert book.app.alerts[-1] == ("prodbook: Import vendor WIP...", "No file chosen: nothing was imported.")
    monkeypatch.setattr(ribbon, "_ask_mac", lambda book: ribbon.Asked(status="unavailable", reason="no osax"))
    ribbon.run("pbImportWip")
    assert "WIP Folder" in book.app.alerts[-1][1] and len(book.app.alerts) == 2
    assert book.app.status_bar is False


def test_config_value_reads_setting_rows() -> None:
    rows = [["Setting", "Value"], [" wip folder ", " /Users/apm/WIP "], ["Other", None]]
    assert ribbon.config_value(rows, "WIP Folder") == "/Users/apm/WIP"
    assert ribbon.config_value(rows, "Other") == "" and ribbon.config_value([], "WIP Folder") == ""


@pytest.mark.skipif(sys.platform == "darwin", reason="on a Mac this would open the real dialog")
def test_the_real_mac_path_without_appscript_or_osascript_is_unavailable_not_a_crash(tmp_path: Path) -> None:
    book = FakeBook.from_file(write_book(tmp_path / "t.xlsx", base_sheets()))
    asked = ribbon._ask_mac(book)
    assert asked.status == "unavailable" and not asked.files


def test_a_check_that_only_brings_the_issues_up_to_date_says_so(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Not "Nothing to change" when the Issues sheet was just written: the message names the sheet."""
    from prodbook.jobs.base import Context

    sheets = base_sheets()
    sheets["Samples"] = [["Style #", "Sample Type", "Color", "Due"],
                         ["S1", "Proto", "Navy", date.today() - timedelta(days=3)]]
    book = FakeBook.from_file(write_book(tmp_path / "tracker.xlsx", sheets))
    ribbon.perform(ribbon.action("pbCheck"), book)
    assert any("3 day(s) late" in str(r) for r in book.values("Issues")), book.values("Issues")
    week = date.today() + timedelta(days=7)  # the sample a week later: only its Issues row changes
    monkeypatch.setattr(ribbon, "_context", lambda files: Context(today=week, files=(), outlook=True))
    report = ribbon.perform(ribbon.action("pbCheck"), book)
    assert report.message.endswith("The 'Issues' sheet brought up to date; no other value changed, so the "
                                   "Change Log has nothing new."), report.message
    assert any("10 day(s) late" in str(r) for r in book.values("Issues")), book.values("Issues")
    again = ribbon.perform(ribbon.action("pbCheck"), book)
    assert again.message.endswith("Nothing to change."), again.message


def test_a_prodbook_toml_that_cannot_be_read_is_a_message_box_not_a_crash(tmp_path: Path) -> None:
    """The saved workbook's prodbook.toml is read inside Excel too: one that is not TOML says so, plainly."""
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    book = FakeBook.from_file(path)
    book.fullname = str(path)  # a workbook saved where its prodbook.toml lies
    (tmp_path / "prodbook.toml").write_text("[settings\n", encoding="utf-8")
    report = ribbon.perform(ribbon.action("pbRebuildTA"), book)
    assert not report.ok and "prodbook.toml' could not be read: Expected ']'" in report.message, report.message
    assert "Traceback" not in report.message and not [r for r in book.values("T&A")[1:] if r and r[0]]


# --- a workbook Excel cannot name as a file: opened from SharePoint/Teams, or never saved -------


class XlwingsError(Exception):
    """Stands in for xlwings' own: ``Book.fullname`` raises it when a SharePoint/Teams URL maps to no folder."""


@pytest.mark.parametrize("where", ["sharepoint", "url", "never saved"])
def test_buttons_work_on_a_workbook_with_no_folder(book: FakeBook, where: str) -> None:
    if where == "sharepoint":
        book.fullname_error = XlwingsError("Couldn't find your local OneDrive for Business file")
    elif where == "url":
        book.fullname = "https://contoso.sharepoint.com/sites/apparel/Shared Documents/tracker.xlsx"
    else:
        book.fullname = "Book1"  # Excel's FullName of a workbook never saved: no folder, not the current one
    assert XlBook(book).path is None
    report = ribbon.perform(ribbon.action("pbRefresh"), book)
    assert "logged as 'Refresh 20" in report.message, report.message
    report = ribbon.perform(ribbon.action("pbScorecard"), book)
    assert "Vendor scorecard: 2 vendor(s)" in report.message  # the figures, and why there is no file
    assert "The scorecard workbook was not written: this workbook is not saved in a folder" in report.message


@pytest.mark.parametrize("outlook_there", [True, False])
def test_follow_up_drafts_of_a_workbook_with_no_folder_go_to_outlook_where_it_is(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, outlook_there: bool) -> None:
    """A tracker opened from SharePoint has no folder for .eml files; Outlook's Drafts folder needs none."""
    from prodbook.workbook import outlook
    from test_outlook import FakeOutlook

    sheets = base_sheets()  # two vendors with something overdue today (the ribbon judges by the real date)
    late = date.today() - timedelta(days=10)
    sheets["Samples"] = [["Style #", "Sample Type", "Purpose", "Color", "Due", "Shipped"],
                         ["S1", "Proto", "Line review", "Navy", late, None]]
    sheets["Lab Dips"] = [["Style #", "Color", "Round", "Decision", "Decision Date", "Comments"],
                          ["S2", "Black", 1, "Rejected", late, "too red"]]
    book = FakeBook.from_file(write_book(tmp_path / "tracker.xlsx", sheets))
    book.fullname_error = XlwingsError("Couldn't find your local OneDrive for Business file")
    mail = FakeOutlook()
    monkeypatch.setattr(outlook, "_outlook", lambda: mail if outlook_there else None)
    report = ribbon.perform(ribbon.action("pbFollowups"), book)
    assert "unexpected problem" not in report.message and "Traceback" not in report.message
    if outlook_there:
        assert len(mail.drafts) == 2 and "E-mail drafts: 2 in Outlook's Drafts folder" in report.message, \
            report.message
        assert "not written" not in report.message
        drafts = book.values("Follow-ups")
        assert {r[-1] for r in drafts[1:]} == {f"Outlook Drafts: {d.Subject}" for d in mail.drafts}, drafts
        # pressed again: a workbook with no folder has no mark of its own (its name alone would be every
        # 'tracker.xlsx' of the team's), so nothing is deleted; another such tracker's drafts are safe too
        first = list(mail.drafts)
        again = ribbon.perform(ribbon.action("pbFollowups"), book)
        assert len(mail.drafts) == 4 and all(d in mail.drafts and not d.deleted for d in first), again.message
        assert "Removed" not in again.message
    else:
        assert "drafts Outlook did not take were not written: this workbook is not saved in a folder" in \
            report.message, report.message
        assert "Its changes to the workbook were made" in report.message and "was saved" not in report.message
        assert "again.." not in report.message


def test_the_apply_fixes_button_writes_the_fixes_marked_yes(tmp_path: Path) -> None:
    """The Issues sheet's messages said 'type Yes in Accept and run prodbook validate --apply', and the README
    spoke of an Apply fixes button: the ribbon had none, so inside Excel a fix could not be applied."""
    import openpyxl

    from prodbook.jobs.base import Context
    from prodbook.jobs.runner import run

    sheets = base_sheets()
    sheets["Orders"][2][3] = "TBC"
    path = write_book(tmp_path / "tracker.xlsx", sheets)
    run(path, ["validate"], Context(today=date(2027, 3, 1)))
    wb = openpyxl.load_workbook(path)
    ws = wb["Issues"]
    heads = [c.value for c in ws[1]]
    (row,) = [r for r in range(2, ws.max_row + 1) if ws.cell(r, heads.index("Code") + 1).value == "bad-number"]
    ws.cell(row, heads.index("Proposed Value") + 1, "1,200")
    ws.cell(row, heads.index("Accept") + 1, "Yes")
    wb.save(path)
    book = FakeBook.from_file(path)
    report = ribbon.perform(ribbon.action("pbApplyFixes"), book)
    assert book.values("Orders")[2][3] == 1200, report.message
    assert "Apply fixes" in report.message
