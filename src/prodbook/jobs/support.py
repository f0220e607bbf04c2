"""What the APM sends to support when prodbook meets a bug: one log file, never a traceback on screen.

The log lives in the user's own log folder (``platformdirs.user_log_dir``:
``%LOCALAPPDATA%\\prodbook\\Logs`` on Windows, ``~/Library/Logs/prodbook`` on
macOS, ``~/.local/state/prodbook/log`` on Linux), never a path shared with
other users. Writing it can never fail the handler itself.
"""

from __future__ import annotations

import os
import tempfile
import traceback
from datetime import datetime
from pathlib import Path

LOG_NAME = "prodbook-error.log"

UNEXPECTED = ("prodbook hit an unexpected problem and stopped. Your workbook was not half-written: it is "
              "either as it was or fully saved (and then the copy from before this run is in 'prodbook backups'). "
              "Please send this file to support: {log}")
NO_LOG = ("prodbook hit an unexpected problem and stopped. Your workbook was not half-written: it is "
          "either as it was or fully saved (and then the copy from before this run is in 'prodbook backups'). "
          "prodbook could not write its error log ({why}); please tell support what you ran and when.")


def log_folder() -> Path:
    """The user's own log folder for prodbook."""
    from platformdirs import user_log_dir

    return Path(user_log_dir("prodbook", appauthor=False))


def crash_log(what: str) -> Path | None:
    """Write the current exception's traceback, with what was running, to the support log.

    Returns None when no log could be written anywhere (the user's log folder,
    then a private new file in the temp folder); never raises.
    """
    try:
        text = f"{datetime.now():%Y-%m-%d %H:%M:%S} {what}\n{traceback.format_exc()}"
    except Exception:  # pragma: no cover - formatting a traceback should not fail, but this must not
        text = f"{what}\n(no traceback)"
    try:
        folder = log_folder()
        folder.mkdir(parents=True, exist_ok=True)
        log = folder / LOG_NAME
        log.write_text(text, encoding="utf-8")
        return log
    except Exception:
        pass
    try:  # a unique file only this user can read: never a fixed shared name
        fd, name = tempfile.mkstemp(prefix="prodbook-error-", suffix=".log")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        return Path(name)
    except Exception:
        return None


def unexpected(log: Path | None) -> str:
    """The message for an unexpected problem, naming the log (or saying none could be written)."""
    if log is None:
        return NO_LOG.format(why=f"the folder '{_folder_or_unknown()}' could not be written")
    return UNEXPECTED.format(log=log)


def send_note(log: Path | None) -> str:
    """The end of a sentence asking for the log: "send this file to support: PATH"."""
    return f"send this file to support: {log}" if log is not None else (
        f"tell support what you ran (prodbook could not write its error log in '{_folder_or_unknown()}')")


def _folder_or_unknown() -> str:
    try:
        return str(log_folder())
    except Exception:
        return "your log folder"
