"""What a command loads: `prodbook --help` answers without the tables' libraries, and `prodbook ta` without
the parts of prodbook (and the packages) that other jobs use. Start-up is paid on every run (issue 14); its
figures are in benchmarks/RESULTS.md, these tests keep the imports from creeping back."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import base_sheets, write_book

_LOADED = ("import json, sys\nfrom prodbook.cli import main\n"
           "try:\n    main(sys.argv[1:], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
           "print(json.dumps(sorted(sys.modules)), file=sys.stderr)")


def loaded(*args: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", _LOADED, *args], capture_output=True, text=True, check=True)
    return set(json.loads(out.stderr.strip().splitlines()[-1]))


def test_help_loads_no_table_library():
    modules = loaded("--help")
    assert not {"pandas", "numpy", "pydantic", "xlwings", "openpyxl", "holidays"} & modules


def test_the_ta_job_loads_only_what_it_uses(tmp_path: Path):
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    modules = loaded("ta", str(path), "--today", "2027-03-01")
    assert {"pandas", "python_calamine", "prodbook.jobs.ta_job"} <= modules  # it did run
    unused = {"xlwings", "openpyxl",  # live Excel; openpyxl writes only the side copy of a layout it cannot keep
              "prodbook.workbook.outlook", "prodbook.workbook.mail",  # drafts, when a job makes some
              "prodbook.core.development.discrepancies", "pycountry",  # the style checks
              "xml.sax.saxutils", "urllib.request", "ssl"}  # an XML escape that loads the web
    assert not unused & modules
    assert not {m for m in modules if m.startswith("holidays.countries")}  # only the vendors' countries


_THREADS = ("import atexit, os, runpy, sys\n"
            "atexit.register(lambda: print(os.environ.get('OPENBLAS_NUM_THREADS'), len(os.listdir('/proc/self/task')),"
            " file=sys.stderr))\n"
            "runpy.run_module('prodbook.cli', run_name='__main__')")


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts threads in Linux's /proc")
@pytest.mark.parametrize("users", [None, "2"])
def test_a_command_starts_no_idle_blas_threads(tmp_path: Path, users: str | None):
    """numpy's OpenBLAS would start a thread per core (spinning CPU time away) for linear algebra no job
    does; a user's own OPENBLAS_NUM_THREADS is kept."""
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if users:
        env["OPENBLAS_NUM_THREADS"] = users
    out = subprocess.run([sys.executable, "-c", _THREADS, "ta", str(path), "--today", "2027-03-01"],
                         capture_output=True, text=True, env=env)
    assert out.returncode in (0, 1), out.stderr
    setting, threads = out.stderr.strip().splitlines()[-1].split()
    assert setting == (users or "1")
    if not users:
        assert int(threads) == 1  # this process's threads: numpy was imported, no pool of OpenBLAS beside it


_AT_EXIT = ("import atexit, gc, runpy, sys\n"
            "atexit.register(lambda: print('collector', gc.isenabled(), gc.get_freeze_count() > 0, file=sys.stderr))\n"
            "runpy.run_module('prodbook.cli', run_name='__main__')")


def test_the_command_ends_without_walking_every_object_again(tmp_path: Path):
    """`python -m prodbook.cli` (and the console script, the same ``entry``) runs the job, prints and keeps
    its exit status and output, then ends without Python's last collections (its objects set aside)."""
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    out = subprocess.run([sys.executable, "-c", _AT_EXIT, "ta", str(path), "--today", "2027-03-01"],
                         capture_output=True, text=True)
    assert out.returncode in (0, 1) and "Saved 'tracker.xlsx'" in out.stdout
    assert out.stderr.strip().splitlines()[-1] == "collector False True"
    refused = subprocess.run([sys.executable, "-c", _AT_EXIT, "ta", str(tmp_path / "missing.xlsx")],
                             capture_output=True, text=True)
    assert refused.returncode == 2 and "missing.xlsx" in refused.stderr


def test_the_console_script_is_the_command_s_own_process():
    from importlib.metadata import entry_points

    assert entry_points(group="console_scripts")["prodbook"].value == "prodbook.cli:entry"


def test_a_command_run_in_process_leaves_the_collector_as_it_was(tmp_path: Path):
    """Tests and the add-in run ``main`` in a Python that lives on: its collector is left running."""
    from click.testing import CliRunner

    from prodbook.cli import main

    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    frozen = gc.get_freeze_count()
    CliRunner().invoke(main, ["ta", str(path), "--today", "2027-03-01"])
    assert gc.isenabled() and gc.get_freeze_count() == frozen
