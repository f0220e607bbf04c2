"""prodbook.toml beside the workbook: settings for a tracker that cannot hold them itself.

The limits for reading the tracker must be known before its Config sheet is
read (that sheet is inside the file they guard), so they come from here.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from prodbook.core.config import build_config, pairs_from_toml
from prodbook.core.limits import Limits


def toml_path(workbook: Path) -> Path:
    return workbook.with_name("prodbook.toml")


def toml_pairs(workbook: Path) -> list[tuple[str, Any, int | None]]:
    path = toml_path(workbook)
    if not path.exists():
        return []
    return [(k, v, None) for k, v in pairs_from_toml(path.read_text(encoding="utf-8"))]


def toml_limits(workbook: Path) -> Limits:
    """The limits for reading the tracker itself: prodbook.toml and the defaults. A prodbook.toml that
    cannot be read leaves the defaults."""
    try:
        return build_config(toml_pairs(workbook), str(toml_path(workbook)))[0].limits
    except (OSError, ValueError, tomllib.TOMLDecodeError):
        return Limits()
