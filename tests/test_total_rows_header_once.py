"""Reading a team's own sheet maps its header once: the check for a total row typed under the records ('TOTAL' in
the PO column) reads the rows by the same mapping the table is then read by. Before, the header was mapped twice
(once for the total rows, once again for the table): twice the work, and two mappings that could drift apart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from prodbook.core.model.sheets import ORDERS, STYLES, TA
from prodbook.workbook import tables, tracker
from prodbook.workbook.filebook import FileBook
from prodbook.workbook.tracker import Tracker
from test_team_tracker_audit import team_book


@pytest.fixture
def mapped(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of the sheet spec of each header mapping, in order (the real ``map_header`` does the work)."""
    calls: list[str] = []
    real = tables.map_header

    def counted(rows: Any, spec: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(spec.name)
        return real(rows, spec, *args, **kwargs)

    monkeypatch.setattr(tables, "map_header", counted)
    monkeypatch.setattr(tracker, "map_header", counted)
    return calls


def test_the_team_sheet_header_is_mapped_once_and_its_total_row_is_still_no_po_line(tmp_path: Path, mapped):
    book = team_book(tmp_path / "team.xlsx")
    t = Tracker(FileBook(book))
    mapped.clear()  # opening it looks at the headers under a merged title (its own check): reads alone counted
    table = t.table(ORDERS)
    assert mapped.count(ORDERS.name) == 1
    assert table.header_row == 4 and table.sheet == "PO Tracker"
    assert sorted(str(p).strip() for p in table.frame["po"]) == ["4500000001", "4500000002"]  # no 'TOTAL' line
    assert [f.text() for f in table.findings if f.row == 8] == []
    t.table(STYLES)
    t.table(TA, required=False)
    assert mapped.count(STYLES.name) == 1 and mapped.count(TA.name) <= 1  # every sheet: one mapping a read
