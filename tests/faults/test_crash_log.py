"""The crash log is in the user's own log folder, and writing it can never fail the handler."""

from __future__ import annotations

import tempfile
from pathlib import Path

from faults.helpers import TODAY, cli, make_tracker
from prodbook.jobs import support
from prodbook.jobs.support import crash_log

REAL_LOG_FOLDER = getattr(support, "log_folder", None)  # before the test fixture points it elsewhere


def _boom(*_a, **_k):
    raise RuntimeError("a bug")


def test_the_crash_log_is_in_the_users_log_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    if REAL_LOG_FOLDER is not None:
        monkeypatch.setattr(support, "log_folder", REAL_LOG_FOLDER)
    try:
        _boom()
    except RuntimeError:
        log = crash_log("a test")
    assert log == tmp_path / "state" / "prodbook" / "log" / "prodbook-error.log"
    assert "RuntimeError: a bug" in log.read_text(encoding="utf-8")
    assert Path(tempfile.gettempdir()) / "prodbook-error.log" != log


def test_when_no_log_can_be_written_the_message_says_so(tmp_path, monkeypatch):
    book = make_tracker(tmp_path)
    blocker = tmp_path / "not a folder"
    blocker.write_text("x")
    monkeypatch.setattr(support, "log_folder", lambda: blocker / "logs", raising=False)  # mkdir fails
    monkeypatch.setattr(support.tempfile, "mkstemp", _boom)
    monkeypatch.setattr(support.tempfile, "gettempdir", lambda: str(blocker / "tmp"))
    monkeypatch.setattr("prodbook.cli.run", _boom)
    code, out = cli("ta", str(book), "--today", TODAY)
    assert code == 2 and "unexpected problem" in out and "could not write its error log" in out, out
    assert "Traceback" not in out and "None" not in out


def test_a_step_that_fails_names_the_log(tmp_path, monkeypatch):
    from prodbook.jobs import runner
    from prodbook.jobs.base import Context

    book = make_tracker(tmp_path)
    monkeypatch.setitem(runner.JOBS, "ta", _boom)
    from datetime import date
    result = runner.run(book, ["ta"], Context(today=date.fromisoformat(TODAY)))
    [finding] = [f for f in result.findings if f.code == "internal-error" or "unexpected problem" in f.message]
    assert str(result.log) in finding.message and result.log.parent == support.log_folder()


def test_a_run_whose_only_step_stopped_is_logged_under_that_step(tmp_path, monkeypatch):
    """Not as "Refresh": the APM looking down the Change Log, or pressing Undo last, sees the step they ran."""
    from datetime import date

    from prodbook.jobs import runner
    from prodbook.jobs.base import Context

    book = make_tracker(tmp_path)
    monkeypatch.setitem(runner.JOBS, "ta", _boom)
    result = runner.run(book, ["ta"], Context(today=date.fromisoformat(TODAY)))
    assert result.action.startswith("Rebuild T&A "), result.action
    monkeypatch.setitem(runner.JOBS, "exceptions", _boom)
    result = runner.run(book, ["ta", "exceptions"], Context(today=date.fromisoformat(TODAY)))
    assert result.action.startswith("Refresh "), result.action


def test_every_job_names_itself_as_the_runner_would_name_it(tmp_path):
    """The name a run falls back to when its one step stopped is the name the step gives itself."""
    from datetime import date

    from prodbook.jobs import runner
    from prodbook.jobs.base import ACTION_NAMES, Context

    book = make_tracker(tmp_path)
    for job in set(runner.JOBS) - {"undo"}:
        result = runner.run(book, [job], Context(today=date.fromisoformat(TODAY), dry_run=True))
        assert [o.action for o in result.outcomes] == [ACTION_NAMES[job]], job
    assert set(ACTION_NAMES) == set(runner.JOBS)
