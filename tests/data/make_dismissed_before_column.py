"""Writes the two trackers tests/test_dismissed_as.py upgrades: as prodbook left them before its Issues sheet had
the Dismissed As column (commit 5a63107), when a dismissed row kept the sentence dismissed in Problem.

Run it with that prodbook first on the path (its own code writes the files, not a copy of its behaviour):

    git archive 5a63107 src | tar -x -C /tmp/before-dismissed-as
    PYTHONPATH=/tmp/before-dismissed-as/src:tests .venv/bin/python tests/data/make_dismissed_before_column.py

- ``dismissed-before-column.xlsx``: a PO line 5 day(s) after cancel and a proto 3 day(s) late, found on
  1-Mar-27 and dismissed by the APM with a note each in a 'Notes' column of their own; run again on 2-Mar-27 with
  the line 12 day(s) after cancel (its Ex-Factory typed a week later) and the proto 4 day(s) late: both still
  dismissed, their Problem the sentence dismissed.
- ``dismiss-blanked-before-column.xlsx``: that tracker run again on 3-Mar-27 with the line 19 day(s) after cancel:
  its Dismiss blanked (logged for Undo last, with the Problem it was decided on), the proto's still standing.
"""

from __future__ import annotations

import shutil
import sys
from datetime import date, datetime
from pathlib import Path

import openpyxl

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from conftest import add_notes_column, base_sheets, write_book  # noqa: E402
from prodbook.core.model.sheets import ISSUES  # noqa: E402
from prodbook.jobs.runner import run  # noqa: E402
from test_issues_dismiss_stands import set_ex_factory  # noqa: E402
from test_open_findings import by_code, ctx  # noqa: E402

SAMPLES = [["Style #", "Sample Type", "Purpose", "Color", "Size", "Qty", "Requested", "Due", "Shipped", "Courier",
            "Tracking #", "Received", "Status", "Comments"],
           ["S1", "Proto", "Line review", "Navy", "M", 3, datetime(2027, 2, 1), datetime(2027, 2, 26), None, None,
            None, None, "Requested", None]]
STEPS = ["ta", "validate"]


def first_days(work: Path) -> Path:
    """The tracker at ``work`` as the APM leaves it on 2-Mar-27: the line and the proto found on 1-Mar-27 and
    dismissed with a note each, the line's Ex-Factory typed a week later, run again (the prodbook on the path)."""
    sheets = base_sheets()
    sheets["Orders"][1][sheets["Orders"][0].index("Cancel Date")] = date(2027, 4, 10)
    write_book(work, {**sheets, "Samples": SAMPLES})
    run(work, STEPS, ctx(date(2027, 3, 1)))
    note = add_notes_column(work)
    wb = openpyxl.load_workbook(work)
    ws = wb["Issues"]
    head = [c.value for c in ws[1]]
    for r in range(2, ws.max_row + 1):
        code = ws.cell(r, head.index("Code") + 1).value
        if code in ("late-for-cancel", "sample-late"):
            ws.cell(r, head.index("Accept") + 1).value = "Dismiss"
            ws.cell(r, note).value = {"late-for-cancel": "buyer agreed +5 days", "sample-late": "vendor ships Friday"}[
                code]
    wb.save(work)
    set_ex_factory(work, date(2027, 4, 22))
    run(work, STEPS, ctx(date(2027, 3, 2)))
    return work


def main(out: Path = HERE) -> None:
    assert "dismissed_as" not in ISSUES.fields, "run it with the prodbook from before the column on the path"
    work = first_days(out / "dismissed-before-column.xlsx")
    rows = by_code(work)
    assert rows["late-for-cancel"]["Accept"] == "Dismiss" and "5 day(s) after cancel" in rows["late-for-cancel"][
        "Problem"], rows
    assert rows["sample-late"]["Accept"] == "Dismiss" and "(3 day(s) late)" in rows["sample-late"]["Problem"], rows
    blanked = out / "dismiss-blanked-before-column.xlsx"
    shutil.copy(work, blanked)
    set_ex_factory(blanked, date(2027, 4, 29))
    run(blanked, STEPS, ctx(date(2027, 3, 3)))
    rows = by_code(blanked)
    assert rows["late-for-cancel"]["Accept"] is None and "19 day(s)" in rows["late-for-cancel"]["Problem"], rows
    assert rows["sample-late"]["Accept"] == "Dismiss", rows
    for made in (work, blanked):
        for left in made.parent.glob("prodbook backups"):
            shutil.rmtree(left)


if __name__ == "__main__":
    main()
