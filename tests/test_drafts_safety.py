"""E-mail drafts and the report file are safe: no header injection from tracker text, and no file
written by a run that is refused, fails or is a dry run (issue 9, points 6 and 9).

Drafts are parsed back with the email package from the .eml files actually written; the disk-full
test makes every write under the drafts folder fail with ENOSPC at byte N, as a full disk does.
"""

from __future__ import annotations

import builtins
import email
import errno
import io
import os
from datetime import date, datetime
from email import policy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import assert_finding, base_sheets, digest, handles_on, without_file_ids, write_book
from prodbook.core import followups as fu
from prodbook.core.findings import Code, UserError
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from prodbook.workbook.safety import WorkbookLocked

TODAY = date(2027, 3, 1)
JOBS = ["ta", "exceptions", "followups"]
EVIL = "x@evil.example"


def ctx(out: Path | None, *, dry_run: bool = False) -> Context:
    return Context(today=TODAY, now=datetime(2027, 3, 1, 9), out=out, dry_run=dry_run)


def book(tmp_path: Path, *, vendor_row: dict[int, Any] | None = None, config: list | None = None) -> Path:
    """The two-vendor tracker; ``vendor_row``: BD1's Vendors cells to replace, by column index."""
    sheets = base_sheets()
    for col, value in (vendor_row or {}).items():
        sheets["Vendors"][1][col] = value
    if config:
        sheets["Config"] = [["Setting", "Value"], *config]
    return write_book(tmp_path / "t.xlsx", sheets)


def parse(path: Path) -> email.message.EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


def drafts(folder: Path) -> dict[str, email.message.EmailMessage]:
    return {p.name.split("_")[0]: parse(p) for p in sorted(folder.glob("*.eml"))}


def recipients(msg: email.message.EmailMessage) -> list[str]:
    return [a.addr_spec for name in ("To", "Cc", "Bcc") if msg[name] for a in msg[name].addresses]


def listing(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


# --- point 6: text that goes into headers --------------------------------------------------------

def test_an_injected_bcc_line_in_an_email_cell_reaches_no_header_and_names_the_cell(tmp_path):
    cell = f"merch@dhaka-knit.example\nBcc: {EVIL}"
    path = book(tmp_path, vendor_row={3: cell})
    result = run(path, JOBS, ctx(tmp_path / "out"))
    written = drafts(tmp_path / "out")
    assert set(written) == {"BD1", "CN1"}
    bd1 = written["BD1"]
    assert recipients(bd1) == ["merch@dhaka-knit.example"] and bd1["Bcc"] is None
    raw = (tmp_path / "out" / "BD1_follow-up_2027-03-01.eml").read_bytes()
    assert b"evil" not in raw  # neither a header nor a visible To recipient
    found = assert_finding(result.findings, Code.BAD_ADDRESS, sheet="Vendors", row=2, column="Email")
    assert found.value == cell and f"Bcc: {EVIL}" in found.message and found.file == "t.xlsx"


def test_a_bad_cc_entry_is_left_out_and_the_good_ones_kept(tmp_path):
    path = book(tmp_path, vendor_row={4: f'"Lee, Anna" <anna@buying.example>; qa@x; a@b.example {EVIL}'})
    result = run(path, JOBS, ctx(tmp_path / "out"))
    bd1 = drafts(tmp_path / "out")["BD1"]
    assert [str(a) for a in bd1["Cc"].addresses] == ['"Lee, Anna" <anna@buying.example>']
    bad = [f for f in result.findings if f.code is Code.BAD_ADDRESS]
    assert {(f.sheet, f.row, f.column) for f in bad} == {("Vendors", 2, "CC")} and len(bad) == 2


def test_a_line_break_in_a_vendor_name_leaves_every_other_draft_written(tmp_path):
    path = book(tmp_path, vendor_row={1: "Dhaka Knit\nBcc: " + EVIL})
    result = run(path, JOBS, ctx(tmp_path / "out"))
    written = drafts(tmp_path / "out")
    assert set(written) == {"BD1", "CN1"}
    assert written["CN1"]["Subject"].startswith("Ningbo Garments: ")
    assert written["BD1"]["Subject"].startswith("BD1: ") and written["BD1"]["Bcc"] is None
    assert not [f for f in result.findings if f.code is Code.INTERNAL]
    assert_finding(result.findings, Code.BAD_ADDRESS, sheet="Vendors", row=2, column="Name")


def test_a_sender_email_with_a_line_break_names_its_config_row(tmp_path):
    path = book(tmp_path, config=[["Due Soon Days", 7], ["Sender Email", f"apm@shop.example\nBcc: {EVIL}"]])
    result = run(path, JOBS, ctx(tmp_path / "out"))
    written = drafts(tmp_path / "out")
    assert set(written) == {"BD1", "CN1"}
    for msg in written.values():
        assert msg["From"] is None and msg["Bcc"] is None and EVIL not in recipients(msg)
    found = assert_finding(result.findings, Code.BAD_ADDRESS, sheet="Config", row=3, column="Value")
    assert "Sender Email" in found.message


def test_tracker_text_with_line_breaks_never_reaches_a_header():
    items = [fu.Item("V1\r\nBcc: " + EVIL, "PP sample", "please send it", "P1\nX", "S1", "Navy",
                     date(2027, 2, 20), 9)]
    contact = fu.Contact("V1\r\nBcc: " + EVIL, "Vendor\nOne", ("a@v1.example", f"b@v1.example\nBcc: {EVIL}"))
    msg = fu.render(contact, items, TODAY, sender=f"me@shop.example\r\nBcc: {EVIL}")
    back = email.message_from_bytes(msg.as_bytes(policy=policy.SMTP), policy=policy.default)
    assert back["Bcc"] is None and back["From"] is None and recipients(back) == ["a@v1.example"]
    assert back["Subject"].startswith("Vendor One: 1 open item")
    assert all("\n" not in v and "\r" not in v for v in back.values())


def test_one_address_per_entry():
    good, bad = fu.parse_addresses('Bo <b@x.example>; "Lee, Anna" <a@x.example>\nc@x.example')
    assert good == ("Bo <b@x.example>", '"Lee, Anna" <a@x.example>', "c@x.example") and bad == ()
    for text in ("Bcc: b@x.example", "b@x", "b@x.example c@x.example", "b@x.example\tc", "Bo b@x.example",
                 "jö@x.example"):
        assert isinstance(fu.one_address(text), fu.BadAddress), text


# --- point 9: no file from a refused, failed or dry run -------------------------------------------

@pytest.mark.parametrize("outlook", [False, True], ids=["eml", "add-in"])
def test_a_run_refused_because_the_workbook_is_open_writes_no_draft_and_no_report(tmp_path, outlook):
    path = book(tmp_path)
    (tmp_path / "~$t.xlsx").write_bytes(b"\x05Anna ")  # Excel's lock file: the workbook is open
    before, stamp = listing(tmp_path), digest(path)
    with pytest.raises((WorkbookLocked, UserError)):
        run(path, [*JOBS, "report"], Context(today=TODAY, now=datetime(2027, 3, 1, 9), outlook=outlook))
    assert listing(tmp_path) == before  # no 'Follow-up drafts' folder, no report, no temp file
    assert digest(path) == stamp


def test_a_full_disk_while_writing_drafts_leaves_no_partial_eml(tmp_path, monkeypatch):
    path = book(tmp_path)
    sizes = [p.stat().st_size for p in (book_and_run(tmp_path / "sizes"))]
    out = tmp_path / "out"
    disk_full_after(monkeypatch, sizes[0] + 100, under=out)  # the second draft hits the full disk
    stamp = digest(path)
    with pytest.raises(UserError) as failed:
        run(path, JOBS, ctx(out))
    message = failed.value.finding.text()
    assert "disk is full" in message and str(out) in message
    assert not out.exists()  # no partial .eml, no temp file, no empty folder
    assert listing(tmp_path) == {"t.xlsx", "sizes", *(f"sizes/{n}" for n in listing(tmp_path / "sizes"))}
    assert digest(path) == stamp


def test_dry_run_writes_no_draft_no_report_no_folder(tmp_path):
    path = book(tmp_path)
    before = listing(tmp_path)
    result = run(path, [*JOBS, "report"], ctx(None, dry_run=True))
    assert listing(tmp_path) == before and result.commit is None
    assert not any("drafts" in line or "Report workbook" in line for o in result.outcomes for line in o.summary)


def test_summary_names_the_drafts_and_report_only_once_written(tmp_path):
    path = book(tmp_path)
    result = run(path, [*JOBS, "report"], ctx(None))
    lines = [line for o in result.outcomes for line in o.summary]
    folder = tmp_path / "Follow-up drafts" / "2027-03-01"
    report = tmp_path / "Production Report 2027-03-01.xlsx"
    assert f"  E-mail drafts (open in Outlook): {folder}" in lines and f"  Report workbook: {report}" in lines
    assert len(list(folder.glob("*.eml"))) == 2 and report.is_file()
    assert not [p for p in listing(tmp_path) if ".prodbook." in p]  # no temp file left


def test_a_draft_that_cannot_be_put_in_place_after_the_save_is_named(tmp_path, monkeypatch):
    path = book(tmp_path)
    out = tmp_path / "out"
    real = os.replace

    def refuse_cn1(src: Any, dst: Any) -> None:
        if Path(dst).name.startswith("CN1"):
            raise PermissionError(errno.EACCES, "Permission denied", str(dst))
        real(src, dst)

    monkeypatch.setattr(os, "replace", refuse_cn1)
    result = run(path, JOBS, ctx(out))
    assert result.commit and result.commit.written == path  # the workbook was saved
    assert sorted(p.name for p in out.iterdir()) == ["BD1_follow-up_2027-03-01.eml"]  # no temp file left
    found = assert_finding(result.findings, Code.FILE_NOT_WRITTEN)
    assert "Written: BD1_follow-up_2027-03-01.eml" in found.message
    assert "Not written: CN1_follow-up_2027-03-01.eml" in found.message
    lines = [line for o in result.outcomes for line in o.summary]
    assert f"  E-mail drafts (open in Outlook): {out} (only 1 of 2 written)" in lines


# --- helpers -------------------------------------------------------------------------------------

def book_and_run(folder: Path) -> list[Path]:
    """The drafts of a normal run, in the order they are written (to place the disk-full byte)."""
    folder.mkdir()
    run(book(folder), JOBS, ctx(folder / "out"))
    return [folder / "out" / n for n in ("BD1_follow-up_2027-03-01.eml", "CN1_follow-up_2027-03-01.eml")]


def disk_full_after(monkeypatch: pytest.MonkeyPatch, limit: int, *, under: Path) -> None:
    """Every file opened for writing under ``under`` shares ``limit`` bytes of disk; the write that
    crosses it writes what fits and fails with ENOSPC, as a full disk does."""
    real_open = io.open
    used = [0]

    class Full:
        def __init__(self, f: Any) -> None:
            self._f = f

        def write(self, data: Any) -> int:
            data = bytes(data)
            room = limit - used[0]
            if len(data) > room:
                self._f.write(data[:max(room, 0)])
                used[0] = limit
                raise OSError(errno.ENOSPC, "No space left on device")
            used[0] += len(data)
            return self._f.write(data)

        def __getattr__(self, name: str) -> Any:
            return getattr(self._f, name)

        def __enter__(self) -> Full:
            return self

        def __exit__(self, *exc: Any) -> None:
            self._f.close()

    def fake_open(file: Any, mode: str = "r", *args: Any, **kw: Any) -> Any:
        f = real_open(file, mode, *args, **kw)
        writing = isinstance(file, (str, os.PathLike)) and any(c in mode for c in "wax+")
        if writing and Path(file).resolve().is_relative_to(under.resolve()):
            return Full(f)
        return f

    monkeypatch.setattr(io, "open", fake_open)
    monkeypatch.setattr(builtins, "open", fake_open)


def test_a_report_named_like_the_workbook_never_replaces_it(tmp_path):
    path = book(tmp_path)
    stamp = digest(path)
    with pytest.raises(UserError, match="is the workbook itself"):
        run(path, ["report"], ctx(path))
    assert digest(path) == stamp and listing(tmp_path) == {"t.xlsx"}


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # openpyxl's zip, closed under it
def test_a_full_disk_while_writing_the_report_leaves_no_partial_report(tmp_path, monkeypatch):
    path = book(tmp_path)
    out = tmp_path / "reports" / "Production Report.xlsx"
    out.parent.mkdir()
    disk_full_after(monkeypatch, 2000, under=out.parent)
    stamp = digest(path)
    from prodbook.workbook import atomic

    held: list[list[str]] = []  # what still has the half-written report open as it is removed (Windows: no removal)
    real_remove = atomic.remove_temp

    def remove_temp(tmp: Path) -> None:
        held.append(handles_on(tmp) if tmp.exists() else [])
        real_remove(tmp)

    monkeypatch.setattr(atomic, "remove_temp", remove_temp)
    with pytest.raises(UserError, match="disk is full"):
        run(path, ["report"], ctx(out))
    assert list(out.parent.iterdir()) == [] and digest(path) == stamp
    assert held and held == [[]] * len(held), held


def test_on_a_drive_without_file_ids_a_report_is_not_taken_for_the_workbook(tmp_path, monkeypatch):
    path = book(tmp_path)
    without_file_ids(monkeypatch)
    assert os.stat(path).st_ino == 0
    out = tmp_path / "Production Report.xlsx"
    for _ in range(2):  # the second run finds the report there: still not the workbook
        run(path, ["report"], ctx(out))
    assert out.exists() and listing(tmp_path) >= {"t.xlsx", "Production Report.xlsx"}
    with pytest.raises(UserError, match="is the workbook itself"):  # the workbook itself, by its path, still
        run(path, ["report"], ctx(tmp_path / "." / "t.xlsx"))


def test_a_report_is_written_through_one_temporary_file_no_longer_named_than_itself(tmp_path, monkeypatch):
    """Windows counts 260 characters for a whole path: a report that fits must not fail for its temporary
    name. Before, the temporary name was 20 characters longer, and the report writer made a temp of that temp."""
    import tempfile

    path = book(tmp_path)
    out = tmp_path / ("SS27 Womens Knits Production Report for the weekly vendor call " * 2).strip().replace(" ", "_")
    out = out.with_suffix(".xlsx")
    made: list[str] = []
    real = tempfile.mkstemp

    def mkstemp(*args: Any, **kwargs: Any) -> tuple[int, str]:
        fd, name = real(*args, **kwargs)
        made.append(name)
        return fd, name

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    run(path, ["report"], ctx(out))
    beside = [Path(m).name for m in made if Path(m).parent == out.parent and out.suffix in m]
    report_temps = [m for m in beside if not m.startswith(".~t.")]  # the workbook's own temp is its own
    assert out.exists() and len(report_temps) == 1, beside
    assert len(report_temps[0]) <= len(out.name)


def test_a_report_path_too_long_is_said_with_what_to_do(tmp_path):
    path = book(tmp_path)
    out = tmp_path / ("Production Report " * 16 + ".xlsx")  # past the 255 a name may have here
    result = run(path, ["report"], ctx(out))
    said = [f.message for f in result.findings if f.code is Code.FILE_NOT_WRITTEN]
    assert len(said) == 1 and "longer than this computer allows" in said[0] and "shorter path" in said[0], said
    assert "The workbook was saved" in said[0]
    assert {p for p in listing(tmp_path) if not p.startswith("prodbook backups")} == {"t.xlsx"}  # no temp left


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stem=st.text(alphabet="ab -_", min_size=1, max_size=120))
def test_a_temporary_name_is_never_longer_than_its_file_where_there_is_room(tmp_path, stem):
    from prodbook.workbook.atomic import remove_temp, write_temp

    target = tmp_path / f"{stem.strip() or 'x'}.xlsx"
    tmp = write_temp(target, b"data")
    try:
        assert tmp.parent == target.parent and tmp.name.startswith(".~") and tmp.read_bytes() == b"data"
        assert len(tmp.name) <= max(len(target.name), len(".~x.prodbook.12345678.xlsx"))
    finally:
        remove_temp(tmp)
