"""``--log FILE``: what a run says, kept for the APM whose 7:00 scheduled refresh nobody watches.

A scheduled run prints to no one. Its refusal (the workbook was open in Excel at 7:00), its errors and the
warnings only found as it wrote (a formula reading a T&A row it moved) reached nobody before; each run now adds
them to the log under the time, the command, the workbook and its exit status.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from conftest import base_sheets, write_book
from prodbook.cli import main
from test_total_rows import DAY


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*args, "--today", DAY])
    return result.exit_code, result.stdout, result.stderr


def entries(log: Path) -> list[list[str]]:
    """The log's runs, each its lines: a head line, then what the run said."""
    text = log.read_text(encoding="utf-8")
    assert text.endswith("\n\n")
    return [block.splitlines() for block in text.strip("\n").split("\n\n")]


def test_each_run_adds_what_it_said_under_the_time_the_command_and_its_exit_status(tmp_path):
    path = write_book(tmp_path / "SS27 [kids] tracker.xlsx", base_sheets())
    log = tmp_path / "prodbook log.txt"
    code, out, _ = run("ta", str(path), "--log", str(log))
    assert code in (0, 1)
    [first] = entries(log)
    assert first[0].startswith("--- ") and f"prodbook ta '{path}'" in first[0] and first[0].endswith(f"(exit {code})")
    # the same words as on the screen, plain: no colour tags, a name in [brackets] as typed
    assert first[1:] == out.splitlines()
    assert any(line.startswith(f"Saved '{path.name}'") for line in first)
    assert not any("[/]" in line or "[red]" in line for line in first)

    code, _, _ = run("ta", str(path), "--log", str(log))  # the next run: added below, the first one kept
    assert [e[0].endswith(f"(exit {code})") for e in entries(log)] == [True, True]
    assert entries(log)[0] == first and entries(log)[1][-1] == "Nothing to change."


def test_a_refused_run_is_in_the_log_and_the_workbook_is_untouched(tmp_path):
    """The workbook open in Excel at the scheduled time: nothing written, exit 2, and the log says why."""
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    (tmp_path / "~$tracker.xlsx").write_bytes(bytes([3]) + b"Ana".ljust(53) + bytes(111))  # Excel's owner file
    before = path.read_bytes()
    log = tmp_path / "log.txt"
    code, _, err = run("refresh", str(path), "--log", str(log))
    assert code == 2 and path.read_bytes() == before
    [entry] = entries(log)
    assert entry[0].endswith("(exit 2)") and "prodbook refresh" in entry[0]
    assert len(entry) == 2 and entry[1].startswith("prodbook: 'tracker.xlsx' is open in Excel")
    assert entry[1] == err.strip()  # the words on the screen


def test_json_for_a_script_and_the_log_for_a_person(tmp_path):
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    log = tmp_path / "log.txt"
    code, out, _ = run("ta", str(path), "--json", "--log", str(log))
    assert json.loads(out)["exit_code"] == code
    [entry] = entries(log)
    assert any(line.startswith("Saved 'tracker.xlsx'") for line in entry)


def test_a_log_that_cannot_be_written_is_said_and_the_run_stands(tmp_path):
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    before = path.read_bytes()
    code, out, err = run("ta", str(path), "--log", str(tmp_path / "no such folder" / "log.txt"))
    assert code in (0, 1) and path.read_bytes() != before and "Saved 'tracker.xlsx'" in out
    said = " ".join(err.split())
    assert f"could not add to the log '{tmp_path / 'no such folder' / 'log.txt'}'" in said
    assert "does not exist; create it" in said and "The run itself is done as said above." in said
    assert "Traceback" not in err
