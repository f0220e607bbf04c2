"""The golden digest of a whole demo run: what `make golden` writes and test_golden compares.

A digest, not the workbook: counts and a few rows that any change to the
engine, the rules or the demo shows up in, readable in a diff. Every planted
problem is pinned by what found it and where: each Issues row by code, sheet,
cell, key and field; each Exceptions row by rule, PO line (or vendor) and
severity; each Follow-ups row by vendor, item and reference.

    python tests/golden_digest.py          # rewrite tests/golden/demo-2026-11-25.json
"""

from __future__ import annotations

import collections
import json
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from python_calamine import CalamineWorkbook

DAY = date(2026, 11, 25)
GOLDEN = Path(__file__).parent / "golden" / f"demo-{DAY.isoformat()}.json"


def _rows(book: CalamineWorkbook, sheet: str) -> list[dict[str, Any]]:
    rows = book.get_sheet_by_name(sheet).to_python()
    return [dict(zip(rows[0], r)) for r in rows[1:] if any(v not in ("", None) for v in r)]


def _text(v: Any) -> Any:
    return v.isoformat() if hasattr(v, "isoformat") else v


def _line(*values: Any) -> str:
    """One finding as one line of the digest: its identifying cells joined by ' | '."""
    return " | ".join("" if v in (None, "") else str(_text(v)) for v in values)


def digest(path: Path) -> dict[str, Any]:
    book = CalamineWorkbook.from_path(str(path))
    ta = _rows(book, "T&A")
    issues = _rows(book, "Issues")
    exceptions = _rows(book, "Exceptions")
    return {
        "t&a rows": len(ta),
        "t&a status": dict(sorted(collections.Counter(r["Status"] for r in ta).items())),
        "t&a first rows": [{k: _text(v) for k, v in r.items()} for r in ta[:3]],
        "issues by code": dict(sorted(collections.Counter(r["Code"] for r in issues).items())),
        "exceptions by rule": dict(sorted(collections.Counter(r["Rule"] for r in exceptions).items())),
        "vendor wip rows": len(_rows(book, "Vendor WIP")),
        "follow-ups": len(_rows(book, "Follow-ups")),
        "issues (code | sheet | cell | key | field)": sorted(
            _line(r["Code"], r["Sheet"], r["Cell"], r["Key"], r["Field"]) for r in issues),
        "exceptions (rule | PO | style | color | vendor | severity)": sorted(
            _line(r["Rule"], r["PO #"], r["Style #"], r["Color"], r["Vendor"], r["Severity"]) for r in exceptions),
        "follow-ups (vendor | item | ref)": sorted(
            _line(r["Vendor"], r["Item"], r["Ref"]) for r in _rows(book, "Follow-ups")),
    }


def run_demo(folder: Path) -> dict[str, Any]:
    from prodbook.cli import main

    result = CliRunner().invoke(main, ["demo", str(folder), "--today", DAY.isoformat()])
    assert result.exit_code == 0, result.output
    return digest(folder / "demo-tracker.xlsx")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(run_demo(Path(tmp)), indent=1, ensure_ascii=False) + "\n",
                          encoding="utf-8")
    print(f"wrote {GOLDEN}", file=sys.stderr)
