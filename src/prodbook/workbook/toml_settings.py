"""prodbook.toml beside the workbook: settings for a tracker that cannot hold them itself.

The limits for reading the tracker must be known before its Config sheet is
read (that sheet is inside the file they guard), so they come from here.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from prodbook.core.config import TOML_NAME, build_config, pairs_from_toml
from prodbook.core.findings import UserError
from prodbook.core.limits import Limits


def toml_path(workbook: Path) -> Path:
    return workbook.with_name(TOML_NAME)


def toml_pairs(workbook: Path) -> list[tuple[str, Any, int | None]]:
    """The settings of the prodbook.toml beside ``workbook`` (none when there is none). One that cannot be
    read stops the run, said plainly: the limits and names it holds must not be guessed."""
    path = toml_path(workbook)
    if not path.exists():
        return []
    try:
        return [(k, v, None) for k, v in pairs_from_toml(_text(path.read_bytes()))]
    except (tomllib.TOMLDecodeError, ValueError) as exc:  # UnicodeDecodeError is a ValueError
        reason = (f"it is not text in UTF-8, which {TOML_NAME} must be: in Notepad choose File > Save As and "
                  "set Encoding to UTF-8 (on a Mac, in TextEdit: Format > Make Plain Text, then save it with "
                  "Unicode (UTF-8))" if isinstance(exc, UnicodeDecodeError) else str(exc))
        raise UserError(f"'{path}' could not be read: {reason}. Correct it in a text editor (or move it "
                        "away) and run prodbook again. Nothing was written", file=TOML_NAME) from None
    except OSError as exc:
        raise UserError(f"'{path}' could not be opened ({exc.strerror or exc}). Nothing was written",
                        file=TOML_NAME) from None


def _text(data: bytes) -> str:
    """The file's text: UTF-8 (with or without Notepad's byte-order mark), or UTF-16 with its mark, which is what
    Windows Notepad writes when 'Unicode' is chosen. Anything else raises UnicodeDecodeError."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) and b"\x00" in data:  # settings are mostly ASCII: a 0 byte each
        return data.decode("utf-16")
    return data.decode("utf-8-sig")


def toml_limits(workbook: Path) -> Limits:
    """The limits for reading the tracker itself: prodbook.toml and the defaults. A prodbook.toml that
    cannot be read stops the run (``toml_pairs``)."""
    return build_config(toml_pairs(workbook), TOML_NAME)[0].limits
