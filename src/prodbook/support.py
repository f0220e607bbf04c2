"""What the APM sends to support when prodbook meets a bug: one log file, never a traceback on screen."""

from __future__ import annotations

import tempfile
import traceback
from datetime import datetime
from pathlib import Path

LOG_NAME = "prodbook-error.log"

UNEXPECTED = ("prodbook hit an unexpected problem and stopped. Your workbook was not half-written: it is "
              "either as it was or fully saved, and the copy from before this run is in 'prodbook backups'. "
              "Please send this file to support: {log}")


def crash_log(what: str) -> Path:
    """Write the current exception's traceback, with what was running, to the support log."""
    log = Path(tempfile.gettempdir()) / LOG_NAME
    log.write_text(f"{datetime.now():%Y-%m-%d %H:%M:%S} {what}\n{traceback.format_exc()}", encoding="utf-8")
    return log
