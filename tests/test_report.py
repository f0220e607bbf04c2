"""The production report: 'changed since' lists exactly the changes of a run; the sheet and the file."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd

from conftest import base_sheets, digest, sheet_values, shown_values, write_book
from prodbook.core.model.sheets import VENDOR_WIP
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from test_wip import cn_csv


def ctx(today: date, hour: int = 9, **kw) -> Context:
    return Context(today=today, now=datetime.combine(today, datetime.min.time()).replace(hour=hour), **kw)


def first_report(tmp_path: Path, name: str, day: date) -> Path:
    """A tracker after CN1's WIP report ``name`` (revised ex-factory 30 April) was imported on ``day``."""
    sheets = base_sheets()
    sheets["Config"] = [["Setting", "Value"], ["WIP Column: CN1 / Cut Qty", "CUTTING PCS"]]
    path = write_book(tmp_path / "t.xlsx", sheets)
    first = cn_csv(tmp_path, name=name)
    text = first.read_bytes().decode("cp1252").replace("05/07/2027", "04/30/2027")
    first.write_bytes(text.encode("cp1252"))
    run(path, ["ta", "wip", "exceptions"], ctx(day, files=(first,)))
    return path


def two_runs(tmp_path: Path) -> Path:
    """A tracker after two days: a vendor WIP report, then the same report with ex-factory a week later."""
    path = first_report(tmp_path, "CN1_wip_20270301.csv", date(2027, 3, 1))
    second = cn_csv(tmp_path, name="CN1_wip_20270301.csv")
    run(path, ["wip", "exceptions"], ctx(date(2027, 3, 2), files=(second,)))
    return path


def test_changed_since_lists_exactly_the_second_runs_changes(tmp_path):
    path = two_runs(tmp_path)
    log = [r for r in sheet_values(path, "Change Log")[1:] if r[0] >= datetime(2027, 3, 2)]
    assert {(r[2], r[4]) for r in log} == {("Vendor WIP", "Revised XF"), ("Exceptions", "(new row)")}

    out = tmp_path / "report.xlsx"
    result = run(path, ["report"], ctx(date(2027, 3, 2), 10, since=datetime(2027, 3, 2), out=out))
    changes = result.outcomes[0].data["changes"]
    assert [(c["what"], c["ref"], c["detail"]) for c in changes] == [
        ("Vendor revised ex-factory", "4500000002 / S2 / Black / 2027-03-01", "2027-04-30 -> 2027-05-07"),
        ("New exception", "EX-0002 4500000002 / S2 / Black",
         "The vendor revised ex-factory to 07-May-27, 7 day(s) after the planned 30-Apr-27."),
    ]  # EX-0001 is run 1's: BD1 has sent no WIP report
    assert len(log) == len(changes)
    # since the first run: the first run's new exceptions come in too
    wider = run(path, ["report"], ctx(date(2027, 3, 2), 10, since=datetime(2027, 3, 1), out=out))
    assert len(wider.outcomes[0].data["changes"]) > len(changes)


def test_a_weekly_report_with_a_new_revised_ex_factory_is_a_change_and_an_undone_run_is_none(tmp_path):
    """Each week's report is a row of its own, so a vendor's new date comes as a new row, not a changed
    value; a run taken back by Undo changed nothing that is still there."""
    path = first_report(tmp_path, "CN1_wip_20270222.csv", date(2027, 2, 22))
    second = cn_csv(tmp_path, name="CN1_wip_20270301.csv")  # the next week's: 05/07/2027
    run(path, ["wip", "exceptions"], ctx(date(2027, 3, 1), files=(second,)))
    out = tmp_path / "report.xlsx"
    result = run(path, ["report"], ctx(date(2027, 3, 1), 10, since=datetime(2027, 2, 25), out=out))
    changes = [(c["what"], c["ref"], c["detail"]) for c in result.outcomes[0].data["changes"]]
    assert ("Vendor revised ex-factory", "4500000002 / S2 / Black",
            "2027-04-30 -> 2027-05-07 (report of 2027-03-01)") in changes
    assert any(what == "New exception" for what, _, _ in changes)

    run(path, ["undo"], ctx(date(2027, 3, 1), 11))  # the report's own run: nothing of the week's
    run(path, ["undo"], ctx(date(2027, 3, 1), 12))  # the second week's import and exceptions
    again = run(path, ["report"], ctx(date(2027, 3, 1), 13, since=datetime(2027, 2, 25), out=out))
    assert again.outcomes[0].data["changes"] == []


def test_report_sheet_and_standalone_file_with_a_chart(tmp_path):
    sheets = base_sheets()
    sheets["Vendor WIP"] = [list(VENDOR_WIP.headers)]  # a tracker that keeps WIP reports: BD1 sent none
    path = write_book(tmp_path / "t.xlsx", sheets)
    run(path, ["ta", "exceptions"], ctx(date(2027, 3, 1)))
    out = tmp_path / "weekly" / "report.xlsx"
    result = run(path, ["report"], ctx(date(2027, 3, 1), 10, out=out))
    rows = shown_values(path, "Production Report")
    header = rows[0]
    assert header[:7] == ["PO #", "Style #", "Color", "Vendor", "Qty", "Ship Mode", "Status"]
    lines = {r[0]: dict(zip(header, r)) for r in rows[1:]}
    assert set(lines) == {"4500000001", "4500000002"}
    navy = lines["4500000001"]
    assert navy["Planned XF"] == datetime(2027, 4, 15) and navy["Cancel Date"] == datetime(2027, 5, 20)
    # no WIP, no exception, forecast XF = planned XF and in DC on the in-DC date: on track
    assert navy["Forecast XF"] == navy["Planned XF"] and navy["Forecast In-DC"] == navy["In-DC"]
    assert (navy["Status"], navy["Open Exceptions"]) == ("On track", 0)
    assert result.outcomes[0].data["lines"] == 2
    with zipfile.ZipFile(out) as z:
        assert any(n.startswith("xl/charts/chart") for n in z.namelist())
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Summary", "PO Lines", "What Changed", "Changes", "Open Exceptions", "Recovery",
                             "Scorecard", "Exceptions by Rule", "Scorecard Detail"]
    assert [c.value for c in wb["Recovery"][2]] == [None] * 16 or wb["Recovery"].max_row == 1  # none late
    card = {r[0]: r[1:] for r in wb["Scorecard"].iter_rows(min_row=4, values_only=True) if r[0]}
    assert card["Figure"][:2] == ("BD1", "CN1") and card["PO lines"][:2] == (1, 1)
    assert card["Exceptions detected"][:2] == (1, 0)  # EX-0001: BD1 has sent no WIP report
    with zipfile.ZipFile(out) as z:  # the Summary's chart and one per scorecard measure
        assert len([n for n in z.namelist() if n.startswith("xl/charts/chart")]) == 10
    summary = [r for r in wb["Summary"].iter_rows(values_only=True)]
    assert summary[0][0] == "Production report - as of 01-Mar-27"
    vendors = [r[0] for r in summary if r[0] in ("BD1", "CN1")]
    assert vendors == ["BD1", "CN1"]
    # running it again keeps a column the team added to the report sheet, by PO line
    wb = openpyxl.load_workbook(path)
    ws = wb["Production Report"]
    ws.cell(row=1, column=len(header) + 1, value="Merch note")
    row = next(i for i, r in enumerate(shown_values(path, "Production Report"), 1) if r[0] == "4500000002")
    ws.cell(row=row, column=len(header) + 1, value="watch")
    wb.save(path)
    run(path, ["report"], ctx(date(2027, 3, 1), 11, out=out))
    rows = shown_values(path, "Production Report")
    assert {r[0]: r[-1] for r in rows[1:]}["4500000002"] == "watch"


def test_dry_run_writes_no_report_file(tmp_path):
    path = write_book(tmp_path / "t.xlsx", base_sheets())
    before = digest(path)
    run(path, ["report"], ctx(date(2027, 3, 1), dry_run=True, out=tmp_path / "r.xlsx"))
    assert not (tmp_path / "r.xlsx").exists()
    assert digest(path) == before  # nor the Production Report sheet


def test_the_html_pages_numbers_carry_thousands_separators():
    """The page showed 89616 units beside the workbook's 89,616."""
    from prodbook.workbook.report_html import _shown
    assert [_shown(v, "dd-mmm-yy") for v in (89616, 89616.0, 1234.5, 33.3, 7, "4500012604")] == \
        ["89,616", "89,616", "1,234.5", "33.3", "7", "4500012604"]


def test_the_report_as_an_html_page_lists_the_changes_and_escapes_vendor_text(tmp_path):
    from html.parser import HTMLParser

    path = two_runs(tmp_path)
    out = tmp_path / "report.html"
    result = run(path, ["report"], ctx(date(2027, 3, 2), 10, since=datetime(2027, 3, 2), out=out))
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Production report, 02-Mar-27" in page
    # by PO line: the vendor's new ex-factory and the exception it opened, in one row
    assert "<td>4500000002 / S2 / Black</td><td>vendor XF 30-Apr-27 -&gt; 07-May-27 (7 day(s) later)" in page
    assert "<svg" in page
    tags: list[str] = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.append(tag)

    Tags().feed(page)
    assert "script" not in tags and tags.count("table") >= 2
    assert result.outcomes[0].data["report"] == str(out) and not (tmp_path / "report.xlsx").exists()
    assert [f.announce for f in result.outcomes[0].files] == [f"  Report web page: {out}"]  # not a workbook


def test_html_escapes_every_value():
    import pandas as pd

    from prodbook.workbook.report_html import render_html
    lines = pd.DataFrame([{"po": "4500000001", "style": "S1", "color": "Navy", "vendor": "<b>V&Co</b>",
                           "qty": 1200, "status": "At risk", "planned_xf": date(2027, 4, 15),
                           "forecast_xf": date(2027, 4, 30), "cancel": date(2027, 4, 20)}])
    vendors = pd.DataFrame([{"vendor": "<b>V&Co</b>", "lines": 1, "units": 1200, "on_time_pct": 0.0,
                             "at_risk": 1, "units_at_risk": 1200, "avg_days_late": 15.0,
                             "open_exceptions": 0}])
    page = render_html(today=date(2027, 3, 2), since=datetime(2027, 2, 23), lines=lines, vendors=vendors,
                       changes=[], other_changes=3)
    assert "<b>V&Co</b>" not in page and page.count("&lt;b&gt;V&amp;Co&lt;/b&gt;") == 3  # chart + 2 tables
    assert "1 at risk" in page and "1,200 units" in page and "30-Apr-27" in page
    assert "3 other logged change(s)" in page


def test_the_reports_on_time_figures_say_they_are_on_ex_factory_beside_the_scorecards_on_time_delivery(tmp_path):
    """The report workbook holds two on-time figures: the Summary's (actual, else forecast, ex-factory against the
    planned, every line whatever its terms) and the Scorecard's (FOB lines on ex-factory, DDP lines on arrival at
    the DC). The Summary's By vendor table and the web page said a bare 'On-time %' / 'On time %', read as the
    scorecard's."""
    path = write_book(tmp_path / "t.xlsx", base_sheets())
    out, page = tmp_path / "report.xlsx", tmp_path / "report.html"
    run(path, ["report"], ctx(date(2027, 3, 1), out=out))
    run(path, ["report"], ctx(date(2027, 3, 1), out=page))
    ws = openpyxl.load_workbook(out)["Summary"]
    texts = [v for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert "On-time ex-factory %" in texts and "On-time XF %" in texts and "On-time %" not in texts
    (head,) = [c for row in ws.iter_rows() for c in row if c.value == "On-time XF %"]
    assert ws.column_dimensions[head.column_letter].width >= len("On-time XF %") + 1  # one line, as the others
    html = page.read_text(encoding="utf-8")
    assert "<th>On-time ex-factory %</th>" in html and "On time %" not in html


def _busy_log(lines: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A busy week's Change Log: each of ``lines`` PO lines' CUT came due; the first one's ex-factory slipped
    twice (net 9 days), its in-DC went with it, and a late-for-cancel error opened on it; the second's FIH was
    done late; bookkeeping (an ID, a Detected date) around them."""
    from prodbook.core.changes import NEW_ROW

    rows, t = [], datetime(2027, 3, 2, 9)

    def log(sheet, key, field, old, new, minute=0):
        rows.append({"timestamp": t.replace(minute=minute), "action": "Refresh", "sheet": sheet, "key": key,
                     "field": field, "old": old, "new": new})

    for i in range(lines):
        log("T&A", f"45000{i:05d} / S{i} / Navy / CUT", "Status", "Upcoming", "Due soon")
    first = "4500000007 / S7 / Navy"
    log("T&A", f"{first} / XF", "Forecast", "2027-04-15", "2027-04-20")
    log("T&A", f"{first} / XF", "Forecast", "2027-04-20", "2027-04-24", minute=5)
    log("T&A", f"{first} / IDC", "Forecast", "2027-05-10", "2027-05-19")
    log("T&A", f"{first} / PCK", "Forecast", "2027-04-10", "2027-04-19")
    log("Exceptions", "EX-0001", NEW_ROW, None, "Open")
    log("Exceptions", "EX-0001", "Detected", None, "2027-03-02")
    log("T&A", "4500000003 / S3 / Navy / FIH", "Status", "Overdue", "Done late")
    log("Exceptions", "EX-0002", NEW_ROW, None, "Open")  # opened and resolved within the week: nothing to do
    log("Exceptions", "EX-0002", "Status", "Open", "Resolved by data", minute=5)
    log("T&A", "4500000004 / S4 / Navy / XF", "Forecast", "2027-04-15", "2027-04-18")
    log("T&A", "4500000004 / S4 / Navy / XF", "Forecast", "2027-04-18", "2027-04-15", minute=5)
    exceptions = pd.DataFrame([{"id": "EX-0001", "po": "4500000007", "style": "S7", "color": "Navy",
                                "rule": "late-for-cancel", "severity": "error", "detail": "Late for cancel",
                                "status": "Open"},
                               {"id": "EX-0002", "po": "4500000003", "style": "S3", "color": "Navy",
                                "rule": "late-for-cancel", "severity": "error", "detail": "Late for cancel",
                                "status": "Resolved by data"}])
    return pd.DataFrame(rows), exceptions


def test_what_changed_is_by_po_line_most_urgent_first_and_counts_the_rest(tmp_path):
    """A busy week's 'What changed' ran to a row per cell, opening with exception IDs (EX-0001 ...) and every
    milestone coming due: the lines that need the manager were lost in it."""
    from prodbook.core.report import WHAT_CHANGED_LINES, changes_since
    from prodbook.workbook.report_html import render_html
    from prodbook.workbook.report_xlsx import write_xlsx

    log, exceptions = _busy_log(WHAT_CHANGED_LINES + 10)
    sheets = {"T&A": "T&A", "Vendor WIP": "Vendor WIP", "Exceptions": "Exceptions"}
    changes, other = changes_since(log, datetime(2027, 3, 1), sheets=sheets, exceptions=exceptions)
    assert other == 1  # the Detected date: bookkeeping, counted, not listed
    empty = pd.DataFrame(columns=["status", "qty", "xf_days_late", "vendor", "lines", "at_risk"])
    kw = dict(today=date(2027, 3, 2), since=datetime(2027, 3, 1), lines=empty, vendors=empty,
              changes=changes, other_changes=other)
    write_xlsx(tmp_path / "r.xlsx", exceptions=exceptions, **kw)
    rows = sheet_values(tmp_path / "r.xlsx", "What Changed")
    assert rows[0] == ["PO / Style / Color", "Dates Moved", "Milestones", "Exceptions", "Changes"]
    table = [dict(zip(rows[0], r)) for r in rows[1:] if r[0] and r[-1] is not None]
    assert [r["PO / Style / Color"] for r in table] == ["4500000007 / S7 / Navy", "4500000003 / S3 / Navy"]
    urgent = table[0]  # the two XF moves netted into one, in-DC beside it, the error exception by its rule
    assert urgent["Dates Moved"] == ("XF 15-Apr-27 -> 24-Apr-27 (9 day(s) later); IDC 10-May-27 -> 19-May-27 "
                                     "(9 day(s) later); also moved (days): PCK +9")
    assert urgent["Exceptions"] == "new: Late for cancel (error)" and "EX-0001" not in str(rows)
    assert (table[1]["Milestones"], table[1]["Exceptions"]) == ("FIH done late", None)
    notes = [r[0] for r in rows[1:] if r[0] and r[-1] is None]
    # the CUTs coming due (bar the two lines listed, whose rows count theirs) and the XF that moved and came
    # back (two changes) are counted in one line, not listed
    assert notes == [f"Not listed: {WHAT_CHANGED_LINES + 10 - 2 + 2:,} change(s) that ask nothing now: milestones "
                     "coming due, dates that moved and came back, exceptions opened and resolved in the period "
                     "(Changes sheet).",
                     "Not listed: 1 other logged change(s) (other milestones' forecasts and statuses, variances, "
                     "follow-ups, exception details, WIP report rows): see the tracker's Change Log sheet."]
    page = render_html(**kw)
    section = page[page.index("What changed since"):page.index("PO lines at risk")]
    assert section.index("4500000007 / S7 / Navy") < section.index("4500000003 / S3 / Navy")
    assert "XF 15-Apr-27 -&gt; 24-Apr-27 (9 day(s) later)" in section and "EX-0001" not in section
    assert all(n.replace("'", "&#x27;") in section for n in notes)  # the page says what the workbook says


def test_a_long_what_changed_says_how_many_more_lines_and_where(tmp_path):
    from prodbook.core.report import WHAT_CHANGED_LINES, changes_since
    from prodbook.workbook.report_html import render_html
    from prodbook.workbook.report_xlsx import write_xlsx

    log = pd.DataFrame([{"timestamp": datetime(2027, 3, 2, 9), "action": "Refresh", "sheet": "T&A",
                         "key": f"45000{i:05d} / S{i} / Navy / XF", "field": "Forecast", "old": "2027-04-15",
                         "new": f"2027-04-{16 + i % 10}"} for i in range(WHAT_CHANGED_LINES + 25)])
    changes, other = changes_since(log, datetime(2027, 3, 1), exceptions=pd.DataFrame(),
                                   sheets={"T&A": "T&A", "Vendor WIP": "Vendor WIP", "Exceptions": "Exceptions"})
    empty = pd.DataFrame(columns=["status", "qty", "xf_days_late", "vendor", "lines", "at_risk"])
    kw = dict(today=date(2027, 3, 2), since=datetime(2027, 3, 1), lines=empty, vendors=empty,
              changes=changes, other_changes=other)
    write_xlsx(tmp_path / "r.xlsx", exceptions=pd.DataFrame(), **kw)
    rows = sheet_values(tmp_path / "r.xlsx", "What Changed")
    listed = [r for r in rows[1:] if r[-1] is not None]
    assert len(listed) == WHAT_CHANGED_LINES
    assert all("(10 day(s) later)" in r[1] for r in listed[:5])  # the biggest slips first
    more = "And 25 more PO line(s) with 25 change(s), less urgent than those above: see the report workbook's " \
           "Changes sheet."
    assert more in [r[0] for r in rows]
    assert more.replace("'", "&#x27;") in render_html(**kw)


def test_an_apms_decision_asked_again_is_no_change_of_the_production():
    """An Accept a run blanked on Issues is logged so that undo gives it back (its Problem beside it): the report's
    What Changed counted those lines among 'other logged change(s)', which the production never made."""
    from prodbook.core.report import changes_since

    sheets = {"T&A": "T&A", "Vendor WIP": "Vendor WIP", "Exceptions": "Exceptions", "Issues": "Issues"}
    line = {"timestamp": datetime(2027, 3, 2, 9), "action": "Refresh", "sheet": "Issues",
            "key": "Orders / I14 / 4500012545 / SS27-KT-1007 / Black / late-for-cancel"}
    log = pd.DataFrame([{**line, "field": "Accept", "old": "Dismiss", "new": None},
                        {**line, "field": "Problem", "old": "5 day(s) after cancel", "new": "19 day(s) after cancel"},
                        {**line, "sheet": "Follow-ups", "field": "Last Contacted", "old": None, "new": "2027-03-02"}])
    changes, other = changes_since(log, datetime(2027, 3, 1), exceptions=pd.DataFrame(), sheets=sheets)
    assert (changes, other) == ([], 1)  # the follow-up only
