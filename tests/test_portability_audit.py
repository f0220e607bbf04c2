"""Portability audit (Windows, macOS, Linux) of what touches paths, files and text.

Windows' own refusals are simulated where this Linux machine cannot make them: a read refused with a sharing
violation (``winerror`` 32, as Windows sets it for a CSV open in Excel or a file OneDrive is syncing) or a
OneDrive file that could not be downloaded (``winerror`` 362). The files themselves are real, written and
read back.
"""

from __future__ import annotations

import builtins
import io
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import base_sheets, write_book
from prodbook.cli import main

TODAY = "2027-03-01"


def refuse_reading(monkeypatch: pytest.MonkeyPatch, name: str, winerror: int = 32) -> None:
    """Windows refuses to open any file called ``name``, as it does one another program holds (32) or a
    OneDrive file it could not download (362); every other file opens as usual."""
    real = builtins.open

    def guarded(file: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, (str, Path)) and Path(file).name == name:
            exc = PermissionError(13, "The process cannot access the file because it is being used by another "
                                  "process", str(file))
            exc.winerror = winerror  # type: ignore[attr-defined]
            raise exc
        return real(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded)
    monkeypatch.setattr(io, "open", guarded)
    real_bytes: Callable[[Path], bytes] = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == name:
            return guarded(self, "rb").read()  # type: ignore[no-any-return]
        return real_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)


# --- a tracker Windows will not hand over is not "damaged" ---------------------------------------------

@pytest.mark.parametrize("winerror, said", [(32, "another program is using it"), (362, "OneDrive")])
def test_a_tracker_windows_will_not_open_is_not_called_damaged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              winerror: int, said: str) -> None:
    """zipfile.is_zipfile swallows the OSError, so a tracker held by another program (or a OneDrive file not
    downloaded) was 'damaged or not really an Excel workbook ... restore a copy from prodbook backups'."""
    book = write_book(tmp_path / "SS27 Tracker.xlsx", base_sheets())
    before = book.read_bytes()
    refuse_reading(monkeypatch, book.name, winerror)
    result = CliRunner().invoke(main, ["ta", str(book), "--today", TODAY])
    monkeypatch.undo()
    assert result.exit_code == 2, result.output
    assert "damaged" not in result.output and "restore" not in result.output
    assert "'SS27 Tracker.xlsx' could not be opened" in result.output and said in result.output
    assert book.read_bytes() == before


# --- a vendor file Windows will not hand over: said plainly, the others imported --------------------------

def test_a_vendor_file_open_in_excel_is_named_plainly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows refuses to read a CSV Excel has open: the Issues sheet said '[Errno 13] The process cannot
    access the file ...: 'C:\\...\\BD1 WIP.csv'; the file was skipped' (Python's words and the whole path), and
    the validate check told the APM to 'open it in Excel and save it as .xlsx' (it is open in Excel)."""
    book = write_book(tmp_path / "tracker.xlsx", base_sheets())
    wip = tmp_path / "BD1 WIP.csv"
    wip.write_text("PO #,Style #,Color,Order Qty,Cut Qty\r\nPO1,S1,BLK,100,50\r\n", encoding="utf-8")
    refuse_reading(monkeypatch, wip.name)
    for command in ("wip", "validate"):
        result = CliRunner().invoke(main, [command, str(book), str(wip), "--today", TODAY, "--dry-run"])
        assert result.exit_code in (0, 1), result.output
        assert "'BD1 WIP.csv' could not be opened: another program is using it" in result.output, result.output
        assert "Errno" not in result.output and str(tmp_path) not in result.output
        assert "save it as .xlsx" not in result.output


# --- Excel's lock file: who has the workbook, and what to do when nobody has --------------------------------

def owner_file(name: str) -> bytes:
    """Excel's owner file as Office writes it: the name's length and the name in the PC's code page, padded to
    54 bytes, then its length again and the name in UTF-16."""
    ansi = name.encode("cp1252", "replace")
    head = bytes([len(ansi)]) + ansi
    return head.ljust(54, b" ") + len(name).to_bytes(2, "little") + name.encode("utf-16-le") + b"\x00" * 10


def test_a_workbook_open_in_excel_names_who_and_the_lock_file_to_delete_if_stale(tmp_path: Path) -> None:
    """Excel that closed unexpectedly leaves its hidden lock file: the message only said 'Close the workbook'
    (it is closed), and every run stopped on it. A long name's lock file drops the name's first two letters."""
    book = write_book(tmp_path / "Womens Knits SS27 Production Tracker.xlsx", base_sheets())
    lock = tmp_path / "~$mens Knits SS27 Production Tracker.xlsx"
    lock.write_bytes(owner_file("Zoë Nguyễn"))
    before = book.read_bytes()
    result = CliRunner().invoke(main, ["ta", str(book), "--today", TODAY])
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert "is open in Excel (or another program), by Zoë Nguyễn:" in said, said
    assert f"delete '{lock.name}'" in said and "hidden" in said, said
    assert book.read_bytes() == before


# --- names Windows takes for a device -------------------------------------------------------------------

def test_an_attachment_named_like_a_windows_device_gets_a_name_of_its_own(tmp_path: Path) -> None:
    """What comes before the first dot decides: 'PRN.2027.03.01.csv' is the printer port PRN on Windows, so
    the attachment's temporary copy (written under its safe name to be read) went to no file at all."""
    from email.message import EmailMessage
    from pathlib import PureWindowsPath

    from prodbook.workbook import mail

    msg = EmailMessage()
    msg["From"], msg["Subject"] = "wip@vendor.example", "WIP"
    msg.set_content("attached")
    for name in ("PRN.2027.03.01.csv", "nul.wip.csv", "COM\u00b9.csv", "con .csv"):
        msg.add_attachment(b"PO #,Qty\r\nPO1,5\r\n", maintype="text", subtype="csv", filename=name)
    saved = tmp_path / "WIP.eml"
    saved.write_bytes(msg.as_bytes())
    names = [a.name for a in mail.read_message(saved).attachments]
    assert len(names) == 4 and not [n for n in names if PureWindowsPath(n).is_reserved()], names
    assert names[0] == "_PRN.2027.03.01.csv"


def test_a_vendor_code_like_a_windows_device_gets_a_draft_file_of_its_own() -> None:
    from pathlib import PureWindowsPath

    from prodbook.core import followups as fu

    names = fu.draft_names(["AUX.", "nul.1", "Com1.HK", "CON", "BD1"], date(2027, 3, 1))
    assert not [n for n in names.values() if PureWindowsPath(n).is_reserved()], names
    assert names["BD1"] == "BD1_follow-up_2027-03-01.eml" and names["CON"] == "CON_follow-up_2027-03-01.eml"


# --- a folder typed "C:\WIP files\" on Windows ----------------------------------------------------------------

def test_a_windows_folder_typed_with_its_last_backslash_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                                ) -> None:
    """cmd.exe and Windows PowerShell (whose Tab completes a folder as '.\\WIP files\\') hand Python the folder
    with the closing quote inside the name: 'WIP files"'. It was 'the vendor file ... does not exist'."""
    import prodbook.cli as cli

    book = write_book(tmp_path / "tracker.xlsx", base_sheets())
    folder = tmp_path / "WIP files"
    folder.mkdir()
    (folder / "BD1 WIP.csv").write_text("PO #,Style #,Color,Order Qty,Cut Qty\r\nPO1,S1,BLK,100,50\r\n",
                                        encoding="utf-8")
    monkeypatch.setattr(cli, "WINDOWS", True, raising=False)  # what sys.platform says on Windows
    result = CliRunner().invoke(main, ["wip", str(book), f'{folder}"', "--today", TODAY, "--dry-run"])
    assert "from 1 file(s)" in result.output and "does not exist" not in result.output, result.output
    joined = CliRunner().invoke(main, ["wip", str(book), f'{folder}" --dry-run', "--today", TODAY])
    assert joined.exit_code == 2 and "without its last backslash" in " ".join(joined.output.split()), joined.output


# --- a folder's files read in one order on every computer ----------------------------------------------------

def test_a_folders_vendor_files_are_read_in_the_same_order_on_every_computer(tmp_path: Path) -> None:
    """Of two reports of one PO line and date the first file's row is kept. The files of a folder were sorted
    with capitals first on a Mac or Linux ('BD1 WIP.csv' before 'bd1 wip (revised).csv') and without regard to
    them on Windows (the other way round), and the ribbon's folder import sorted them a third way: the same
    folder imported other rows on each."""
    from prodbook.excel.ribbon import folder_files
    from prodbook.jobs.wip_job import expand_inputs

    for name in ("BD1 WIP.csv", "bd1 wip (revised).csv", "Cafe\u0301 WIP.csv", "CAFE WIP 2.csv"):
        (tmp_path / name).write_text("PO #,Qty\r\nPO1,5\r\n", encoding="utf-8")
    as_windows = [p.name for p in sorted(tmp_path.iterdir(), key=lambda p: (p.name.casefold(), p.name))]
    assert as_windows[:2] == ["bd1 wip (revised).csv", "BD1 WIP.csv"]
    order = [p.name for p in expand_inputs((tmp_path,))]
    assert order[:2] == as_windows[:2] and order[2:] == ["CAFE WIP 2.csv", "Cafe\u0301 WIP.csv"], order
    assert [Path(f).name for f in folder_files(tmp_path)] == order



def test_the_buttons_folder_takes_the_files_prodbook_wip_takes(tmp_path: Path) -> None:
    """The Import vendor WIP button's folder (and its Open dialog's filter) took .xlsx, .xlsm, .xls, .csv and
    saved e-mails only, while `prodbook wip` on the same folder also reads .xlsb, .ods and .txt: a vendor's .xlsb
    report was imported by the command and silently left out by the button. A .txt of sentences (a note kept
    beside the reports) is neither's report."""
    from prodbook.excel.ribbon import _PATTERNS, folder_files
    from prodbook.jobs.wip_job import expand_inputs

    names = ("a.xlsx", "b.xlsm", "c.xls", "d.xlsb", "e.ods", "f.csv", "g.txt", "h.msg", "i.eml", "j.pdf",
             "~$a.xlsx", "k.docx")
    for name in names:
        (tmp_path / name).write_bytes(b"PO #\tQty\r\nPO1\t5\r\n" if name.endswith(".txt") else b"x")
    (tmp_path / "notes.txt").write_text("Reports from SHX come on Fridays, VNS on Mondays.\n", encoding="utf-8")
    by_command = [p.name for p in expand_inputs((tmp_path,))]
    assert [Path(f).name for f in folder_files(tmp_path)] == by_command
    assert {"d.xlsb", "e.ods", "g.txt", "h.msg"} <= set(by_command)
    assert not {"j.pdf", "~$a.xlsx", "k.docx", "notes.txt"} & set(by_command)  # a note beside them is not a report
    assert all(f"*{Path(n).suffix}" in _PATTERNS.split(";") for n in by_command)

# --- prodbook.toml as Windows Notepad saves it -------------------------------------------------------------

def test_a_prodbook_toml_saved_by_notepad_as_unicode_is_read(tmp_path: Path) -> None:
    """Notepad's 'Unicode' is UTF-16 with a byte-order mark: it stopped every run with 'it is not text in
    UTF-8' (words an APM cannot act on); an ANSI (cp1252) file now says how to save it as UTF-8."""
    from prodbook.core.findings import UserError
    from prodbook.workbook.toml_settings import toml_pairs

    book = write_book(tmp_path / "tracker.xlsx", base_sheets())
    text = '[settings]\r\n"Max Part MB" = 200\r\n"Sender Email" = "Zoë Tran <zoe@company.example>"\r\n'
    (tmp_path / "prodbook.toml").write_bytes(text.encode("utf-16"))
    assert toml_pairs(book) == [("Max Part MB", 200, None), ("Sender Email", "Zoë Tran <zoe@company.example>", None)]
    (tmp_path / "prodbook.toml").write_bytes(text.encode("cp1252"))
    with pytest.raises(UserError) as refused:
        toml_pairs(book)
    assert "Save As" in str(refused.value) and "Encoding to UTF-8" in str(refused.value)


# --- VBA exported from the Windows VBE ---------------------------------------------------------------------

def test_vba_exported_from_the_windows_vbe_with_a_curly_apostrophe_builds(tmp_path: Path) -> None:
    """The VBE exports a module in cp1252: a comment with ’, – or € was read as Latin-1 control characters
    the module (stored as cp1252) could not hold, and `prodbook addin build --src` stopped with 'an unexpected
    problem'. Read back from the built file with olevba."""
    from oletools.olevba import VBA_Parser

    from prodbook.excel.addin import SOURCES

    src = tmp_path / "addin sources"
    shutil.copytree(SOURCES, src)
    bas = src / "ProdbookRibbon.bas"
    data = bas.read_bytes()
    at = data.index(b"\n", data.index(b"Option Explicit")) + 1
    comment = "' Zoë’s buttons – prices in €"
    bas.write_bytes(data[:at] + comment.encode("cp1252") + b"\r\n" + data[at:])
    out = tmp_path / "prodbook.xlam"
    result = CliRunner().invoke(main, ["addin", "build", "--src", str(src), "--out", str(out)])
    assert result.exit_code == 0, result.output
    parser = VBA_Parser(str(out))
    try:
        sources = {Path(name).stem: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()
    assert comment in sources["ProdbookRibbon"]


# --- a drive that keeps no locks (a Mac's network share) ------------------------------------------------------

@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="POSIX locks")
@pytest.mark.parametrize("lockf_too", [False, True], ids=["byte-range locks", "no locks at all"])
def test_a_tracker_on_a_drive_without_flock_is_still_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             lockf_too: bool) -> None:
    """A Mac refuses flock on an SMB share (OSError 45, 'Operation not supported'; sysdiagnose issue 92), a
    Linux NFS mount without its lock service too: every run on a tracker there stopped with 'prodbook hit an
    unexpected problem'. Byte-range locks are used where the drive has them, else the run goes on."""
    import errno
    import fcntl

    def unsupported(*_: Any) -> None:
        raise OSError(errno.ENOTSUP, "Operation not supported")

    monkeypatch.setattr(fcntl, "flock", unsupported)
    if lockf_too:
        monkeypatch.setattr(fcntl, "lockf", unsupported)
    book = write_book(tmp_path / "SS27 Tracker.xlsx", base_sheets())
    before = book.read_bytes()
    result = CliRunner().invoke(main, ["ta", str(book), "--today", TODAY])
    assert result.exit_code in (0, 1) and "unexpected" not in result.output, result.output
    assert book.read_bytes() != before and "Saved 'SS27 Tracker.xlsx'" in result.output
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".~")]


# --- the add-in's drafts where Outlook is not (a Mac) ----------------------------------------------------------

def test_the_addins_drafts_on_a_mac_are_the_files_the_follow_ups_sheet_links(tmp_path: Path) -> None:
    """Inside Excel on a Mac (no Outlook to take the drafts) the .eml files were named from their subjects
    ('001 Dhaka Knit Ltd 2 open items to update (1 overdue) - 01-Mar-27.eml') while the Follow-ups sheet's
    Draft column linked 'BD1_follow-up_2027-03-01.eml': every link opened nothing (and a run later the same day
    with one item fewer, so another subject, would leave a second draft beside the stale one)."""
    import email
    from datetime import datetime
    from email import policy

    import openpyxl

    from prodbook.jobs.base import Context
    from prodbook.jobs.runner import run

    book = write_book(tmp_path / "tracker.xlsx", base_sheets())
    addin = Context(today=date(2027, 3, 1), now=datetime(2027, 3, 1, 9), outlook=True)  # the ribbon's run
    run(book, ["ta", "exceptions", "followups"], addin)
    sheet = openpyxl.load_workbook(book)["Follow-ups"]
    column = [c.value for c in sheet[1]].index("Draft")
    links = {str(r[column].value).split('"')[1] for r in sheet.iter_rows(min_row=2)}
    written = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.eml")}
    assert links and links == written, (links, written)
    for name in written:
        data = (tmp_path / name).read_bytes()
        assert b"\n" not in data.replace(b"\r\n", b"")  # RFC 5322 line ends, as Outlook and Mail expect
        assert email.message_from_bytes(data, policy=policy.default)["X-Unsent"] == "1"
