"""A workbook whose name leaves no room for the files prodbook keeps beside it (its lock, its temporary file,
its backup): on Windows a deep OneDrive folder does this at 260 characters for the whole path; here a long
name does it at the file system's 255 bytes a name. Before: "unexpected problem", saying a backup was kept."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

import pytest

from faults.helpers import TODAY, cli, folder_listing, make_tracker


@pytest.mark.parametrize("length", [242, 234], ids=["lock", "backup"])
def test_a_name_too_long_for_the_files_beside_it_is_said_and_nothing_is_written(tmp_path, length):
    """242: the lock's name (17 more) is too long; 234: the lock fits, the backup's temporary name does not."""
    book = tmp_path / ("SS27 Womens Knits tracker " + "x" * (length - 31) + ".xlsx")
    assert len(book.name) == length
    shutil.move(make_tracker(tmp_path / "made"), book)
    shutil.rmtree(tmp_path / "made")
    before = folder_listing(tmp_path), book.read_bytes()
    code, out = cli("ta", str(book), "--today", TODAY)
    assert code == 2, out
    assert "names are longer than this computer allows" in out and "shorter name" in out, out
    assert "unexpected" not in out and "Traceback" not in out, out
    assert (folder_listing(tmp_path), book.read_bytes()) == before  # no backup folder, lock or temp left


@pytest.mark.parametrize(("winerror", "path", "plain"), [
    (206, "C:/Trackers/SS27 tracker.xlsx", True),  # ERROR_FILENAME_EXCED_RANGE
    (3, "C:/OneDrive - Retailer/" + "Womens Knits Vendor Trackers/" * 8 + ".~SS27.xlsx.prodbook-lock", True),
    (3, "C:/Trackers/missing folder/SS27 tracker.xlsx", False),  # a path not found for being missing
])
def test_windows_says_a_path_is_too_long_in_its_own_numbers(winerror, path, plain):
    from prodbook.workbook.safety import os_error_message

    exc = FileNotFoundError(2, "The system cannot find the path specified", path)
    exc.winerror = winerror  # type: ignore[attr-defined]  # set by Windows only
    said = os_error_message(exc, Path("SS27 tracker.xlsx"))
    assert (said is not None and "shorter path" in said) is plain, said


def test_a_path_too_long_with_no_workbook_behind_it_names_the_path():
    from prodbook.workbook.safety import os_error_message

    long = "/reports/" + "Production Report " * 20 + ".xlsx"
    said = os_error_message(OSError(errno.ENAMETOOLONG, "File name too long", long))
    assert said is not None and long in said and "shorter name" in said and "beside" not in said, said
