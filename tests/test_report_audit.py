"""Audit of the production report as the APM and their manager read it: the report file's name and place,
an empty tracker, the 'since' period with a time, the changes counted on the Summary, late lines in red on the
web page, and what any text (formula-looking, CJK, accents, '<', '&') becomes in the workbook and the page."""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import base_sheets, digest, write_book
from prodbook.core import report as rp
from prodbook.core.findings import Code, UserError
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from prodbook.workbook.report_html import render_html
from prodbook.workbook.report_xlsx import write_xlsx

TODAY = date(2027, 3, 1)


def ctx(today: date = TODAY, hour: int = 9, **kw) -> Context:
    return Context(today=today, now=datetime.combine(today, datetime.min.time()).replace(hour=hour), **kw)


def tracker(tmp_path: Path, name: str = "t.xlsx", **changes) -> Path:
    sheets = base_sheets()
    sheets.update(changes)
    return write_book(tmp_path / name, sheets)


# --- the report file: its name, a file it would replace, a file open in Excel ------------------------

@pytest.mark.parametrize("name", ["report.pdf", "report.xlsm", "report", "report.csv"])
def test_a_report_name_that_is_neither_a_workbook_nor_a_page_is_refused(tmp_path, name):
    """`--out report.pdf` wrote an .xlsx workbook named .pdf (and .xlsm, no extension): nothing opens it."""
    path = tracker(tmp_path)
    before = digest(path)
    with pytest.raises(UserError) as e:
        run(path, ["report"], ctx(out=tmp_path / name))
    assert f"'{name}'" in str(e.value) and ".xlsx" in str(e.value) and ".html" in str(e.value)
    assert not (tmp_path / name).exists() and digest(path) == before


@pytest.mark.parametrize("name", ["Report.XLSX", "report.htm"])
def test_a_report_name_in_capitals_or_htm_is_written(tmp_path, name):
    path = tracker(tmp_path)
    run(path, ["report"], ctx(out=tmp_path / name))
    assert (tmp_path / name).is_file()


def test_a_report_named_after_another_tracker_does_not_write_over_it(tmp_path):
    """`--out` naming the kids tracker (or a backup, or any workbook the team keeps) replaced it with the
    report: the tracker was gone, with no backup."""
    path = tracker(tmp_path)
    other = tracker(tmp_path, "kids.xlsx")
    before, book = digest(other), digest(path)
    with pytest.raises(UserError) as e:
        run(path, ["report"], ctx(out=other))
    assert "kids.xlsx" in str(e.value) and "will not write over it" in str(e.value)
    assert digest(other) == before and digest(path) == book
    page = tmp_path / "team page.html"
    page.write_text("<html><title>Our team</title></html>", encoding="utf-8")
    with pytest.raises(UserError):
        run(path, ["report"], ctx(out=page))
    assert page.read_text(encoding="utf-8") == "<html><title>Our team</title></html>"


@pytest.mark.parametrize(("command", "what"), [("report", "Report workbook"), ("report", "Report web page"),
                                              ("scorecard", "Scorecard")])
def test_a_relative_out_typed_in_another_folder_is_written_there_and_named_whole(tmp_path, monkeypatch, command,
                                                                                 what):
    """`prodbook report "..\\book\\t.xlsx" --out r.xlsx` typed in another folder: the file is that folder's (as
    the follow-up drafts' --out), and the run names the whole path it wrote, not 'r.xlsx' alone, which left the
    APM to guess whether it went beside the tracker."""
    from click.testing import CliRunner

    from prodbook.cli import main

    (tmp_path / "book").mkdir()
    (tmp_path / "cwd").mkdir()
    path = tracker(tmp_path / "book")
    monkeypatch.chdir(tmp_path / "cwd")
    name = "r.html" if what.endswith("page") else "r.xlsx"
    done = CliRunner().invoke(main, [command, str(path), "--out", name, "--today", TODAY.isoformat()])
    assert done.exit_code in (0, 1), done.output
    written = tmp_path / "cwd" / name
    assert written.is_file() and not (tmp_path / "book" / name).exists()
    assert f"{what}: {written}" in done.output, done.output
    if command == "report":  # --json says the same path
        done = CliRunner().invoke(main, [command, str(path), "--out", name, "--today", TODAY.isoformat(), "--json"])
        assert json.loads(done.output)["data"]["Production report"]["report"] == str(written)


@pytest.mark.parametrize(("command", "what"), [("report", "Report workbook"), ("scorecard", "Scorecard")])
def test_an_out_with_dot_dot_is_named_without_it(tmp_path, monkeypatch, command, what):
    """`--out sub\\..\\r.xlsx` was named 'C:\\cwd\\sub\\..\\r.xlsx': the file is 'C:\\cwd\\r.xlsx', and
    the run names it so."""
    from click.testing import CliRunner

    from prodbook.cli import main

    (tmp_path / "cwd" / "sub").mkdir(parents=True)
    path = tracker(tmp_path)
    monkeypatch.chdir(tmp_path / "cwd")
    done = CliRunner().invoke(main, [command, str(path), "--out", os.path.join("sub", "..", "r.xlsx"),
                                     "--today", TODAY.isoformat()])
    assert done.exit_code in (0, 1), done.output
    written = tmp_path / "cwd" / "r.xlsx"
    assert written.is_file() and f"{what}: {written}" in done.output, done.output
    assert ".." not in done.output, done.output


def test_a_report_prodbook_wrote_is_replaced_by_the_next_one(tmp_path):
    path = tracker(tmp_path)
    for out in (tmp_path / "r.xlsx", tmp_path / "r.html"):
        run(path, ["report"], ctx(out=out))
        first = out.read_bytes()
        run(path, ["report"], ctx(date(2027, 3, 8), out=out))
        assert out.read_bytes() != first
    assert openpyxl.load_workbook(tmp_path / "r.xlsx")["Summary"]["A1"].value.endswith("08-Mar-27")


def test_a_report_open_in_excel_is_left_as_it_is_and_the_run_says_so(tmp_path):
    """A report file open in Excel (its '~$' lock file beside it) was written over on a drive that lets it."""
    path = tracker(tmp_path)
    out = tmp_path / "report.xlsx"
    run(path, ["report"], ctx(out=out))
    before = digest(out)
    (tmp_path / "~$report.xlsx").write_bytes(b"\x05Maria" + b" " * 48)
    result = run(path, ["report"], ctx(date(2027, 3, 8), out=out))
    assert digest(out) == before
    said = [f for f in result.findings if f.code is Code.FILE_NOT_WRITTEN]
    assert len(said) == 1 and "report.xlsx" in said[0].message and "~$report.xlsx" in said[0].message
    assert "Close it" in said[0].message and "Maria" in said[0].message
    assert not any("Report workbook" in line for line in result.outcomes[0].summary)
    wb = openpyxl.load_workbook(path)  # the tracker's own report sheet was still brought up to date
    assert wb["Production Report"].max_row == 3


def test_a_scorecard_open_in_excel_is_left_as_it_is_too(tmp_path):
    """The same holds for every file a run writes beside the workbook (``publish.open_elsewhere``)."""
    path = tracker(tmp_path)
    out = tmp_path / "card.xlsx"
    run(path, ["scorecard"], ctx(out=out))
    before = digest(out)
    (tmp_path / "~$card.xlsx").write_bytes(b"\x04Jane" + b" " * 48)
    result = run(path, ["scorecard"], ctx(date(2027, 4, 8), out=out))
    assert digest(out) == before
    said = [f for f in result.findings if f.code is Code.FILE_NOT_WRITTEN]
    assert len(said) == 1 and "~$card.xlsx" in said[0].message
    assert "'card.xlsx' is open in Excel (or another program), by Jane" in said[0].message  # the words of them all


# --- an empty tracker: a clear message, in the run and in the file ---------------------------------

def test_a_tracker_with_no_orders_says_so_in_the_run_the_workbook_and_the_page(tmp_path):
    sheets = base_sheets()
    path = tracker(tmp_path, Orders=sheets["Orders"][:1])
    out = tmp_path / "r.xlsx"
    result = run(path, ["report"], ctx(out=out))
    said = [f for f in result.findings if "No PO lines" in f.message]
    assert len(said) == 1 and said[0].sheet == "Orders" and "Add the season's PO lines" in said[0].message
    summary = openpyxl.load_workbook(out)["Summary"]
    assert summary["A3"].value == said[0].message
    run(path, ["report"], ctx(out=tmp_path / "r.html"))
    assert f"<b>{escape(said[0].message)}.</b>" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_a_tracker_whose_lines_are_all_cancelled_says_that(tmp_path):
    orders = [r[:] + [s] for r, s in zip(base_sheets()["Orders"], ["Line Status", "Cancelled", "Cancelled"])]
    path = tracker(tmp_path, Orders=orders)
    result = run(path, ["report"], ctx(out=tmp_path / "r.xlsx"))
    said = [f for f in result.findings if "No live PO lines" in f.message]
    assert len(said) == 1 and "all 2 PO line(s)" in said[0].message
    assert result.outcomes[0].data["lines"] == 0


def test_a_tracker_without_an_orders_sheet_is_told_as_the_reports_problem(tmp_path):
    """`prodbook report` said 'the exceptions were not checked': the APM asked for a report."""
    sheets = base_sheets()
    del sheets["Orders"]
    path = write_book(tmp_path / "t.xlsx", sheets)
    with pytest.raises(UserError) as e:
        run(path, ["report"], ctx(out=tmp_path / "r.xlsx"))
    assert "production report was not made" in str(e.value) and "'Orders'" in str(e.value)
    assert not (tmp_path / "r.xlsx").exists()


# --- the 'since' period ------------------------------------------------------------------------------

def _changed_tracker(tmp_path: Path) -> Path:
    """A tracker whose first line's ex-factory moved on 2 March: its key dates moved in the Change Log."""
    path = tracker(tmp_path)
    run(path, ["ta", "exceptions"], ctx(TODAY))
    wb = openpyxl.load_workbook(path)
    wb["Orders"]["F2"].value = date(2027, 4, 25)
    wb.save(path)
    run(path, ["ta", "exceptions"], ctx(date(2027, 3, 2)))
    return path


def test_since_with_a_time_is_named_with_its_time_everywhere(tmp_path):
    """`--since 2027-03-02T08:30` was said as '02-Mar-27' in the run's summary and the web page."""
    path = _changed_tracker(tmp_path)
    since = datetime(2027, 3, 2, 8, 30)
    result = run(path, ["report"], ctx(date(2027, 3, 2), 12, since=since, out=tmp_path / "r.xlsx"))
    assert "since 02-Mar-27 08:30." in result.outcomes[0].summary[0]
    run(path, ["report"], ctx(date(2027, 3, 2), 12, since=since, out=tmp_path / "r.html"))
    assert "What changed since 02-Mar-27 08:30<" in (tmp_path / "r.html").read_text(encoding="utf-8")
    assert openpyxl.load_workbook(tmp_path / "r.xlsx")["Summary"]["A2"].value.startswith(
        "Changes since 02-Mar-27 08:30")


def test_the_summary_counts_the_changes_and_the_changes_sheet_says_when_there_are_none(tmp_path):
    """The Summary said 'Changes since 23-Feb-27' and nothing more; an empty Changes sheet was a bare header."""
    path = _changed_tracker(tmp_path)
    out = tmp_path / "r.xlsx"
    result = run(path, ["report"], ctx(date(2027, 3, 2), 12, since=datetime(2027, 3, 2), out=out))
    n = len(result.outcomes[0].data["changes"])
    assert n > 0
    wb = openpyxl.load_workbook(out)
    assert wb["Summary"]["A2"].value.startswith(f"Changes since 02-Mar-27: {n:,} (Changes sheet)")
    assert wb["Changes"].max_row >= n + 1 and wb["Changes"]["A3"].value != "No key date"
    run(path, ["report"], ctx(date(2027, 3, 2), 12, since=datetime(2027, 3, 3), out=out))
    wb = openpyxl.load_workbook(out)
    assert wb["Summary"]["A2"].value.startswith("Changes since 03-Mar-27: 0 (Changes sheet)")
    assert wb["Changes"]["A3"].value == "No key date, status or exception changed since 03-Mar-27."


# --- the web page --------------------------------------------------------------------------------------

class _Rows(HTMLParser):
    """Each table row of a page: its class and its cells' text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[tuple[str | None, list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append((dict(attrs).get("class"), []))
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self.rows:
            self.rows[-1][1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _line(po: str, status: str, **kw) -> dict:
    row = {f: None for f in rp.REPORT.fields}
    row.update(po=po, style="S1", color="Navy", vendor="V1", qty=100, status=status,
               planned_xf=date(2027, 4, 1), forecast_xf=date(2027, 4, 9), cancel=date(2027, 4, 5))
    row.update(kw)
    return row


def _vendors(lines: pd.DataFrame) -> pd.DataFrame:
    return rp.vendor_summary(lines.assign(xf_days_late=None, open_exceptions=0))


def test_late_for_cancel_is_red_and_at_risk_amber_on_the_page_as_on_the_sheet():
    lines = pd.DataFrame([_line("P1", rp.LATE), _line("P2", rp.AT_RISK)])
    page = render_html(today=TODAY, since=datetime(2027, 2, 22), lines=lines, vendors=_vendors(lines),
                       changes=[], other_changes=0)
    rows = _Rows()
    rows.feed(page)
    classes = {cells[0]: cls for cls, cells in rows.rows if cells and cells[0] in ("P1", "P2")}
    assert classes == {"P1": "late", "P2": "risk"}
    assert "tr.late td{background:#fce4e4" in page and "tr.risk td{background:#fff2cc" in page


def test_an_empty_date_of_a_datetime_column_is_blank_on_the_page():
    """A date column pandas made datetime64 (a missing date is NaT) stopped the page with a ValueError."""
    lines = pd.DataFrame([_line("P1", rp.AT_RISK), _line("P2", rp.AT_RISK, forecast_xf=None)])
    lines["forecast_xf"] = pd.to_datetime(lines["forecast_xf"])
    page = render_html(today=TODAY, since=datetime(2027, 2, 22), lines=lines, vendors=_vendors(lines),
                       changes=[], other_changes=0)
    rows = _Rows()
    rows.feed(page)
    head = next(cells for _, cells in rows.rows if cells and cells[0] == "PO #")
    got = {cells[0]: cells[head.index("Forecast XF")] for _, cells in rows.rows if cells and cells[0] in ("P1", "P2")}
    assert got == {"P1": "09-Apr-27", "P2": ""}


# --- invariants ----------------------------------------------------------------------------------------

_STATUSES = st.sampled_from([rp.LATE, rp.AT_RISK, rp.ON_TRACK, rp.SHIPPED, rp.SHIPPED_LATE])
_line_rows = st.lists(st.fixed_dictionaries({
    "vendor": st.sampled_from(["V1", "V2", "Ningbo 宁波", None]),
    "qty": st.one_of(st.none(), st.integers(0, 50_000)),
    "status": _STATUSES,
    "xf_days_late": st.one_of(st.none(), st.integers(-30, 60)),
    "open_exceptions": st.integers(0, 5)}), max_size=40)


@given(_line_rows)
def test_the_vendor_table_adds_up_to_the_headline(rows):
    """Per vendor, lines, units, at-risk lines and units and open exceptions sum to the whole report's; the
    statuses' counts sum to the lines."""
    lines = pd.DataFrame(rows, columns=["vendor", "qty", "status", "xf_days_late", "open_exceptions"])
    vendors = rp.vendor_summary(lines)
    risk = lines[lines["status"].isin(rp.RISK)]
    assert int(vendors["lines"].sum()) == len(lines)
    assert int(vendors["units"].sum()) == int(lines["qty"].fillna(0).sum())
    assert int(vendors["at_risk"].sum()) == len(risk)
    assert int(vendors["units_at_risk"].sum()) == int(risk["qty"].fillna(0).sum())
    assert int(vendors["shipped"].sum()) == int(lines["status"].isin((rp.SHIPPED, rp.SHIPPED_LATE)).sum())
    assert int(vendors["open_exceptions"].sum()) == int(lines["open_exceptions"].sum())
    assert sum(int((lines["status"] == s).sum()) for s in (rp.LATE, rp.AT_RISK, rp.ON_TRACK, rp.SHIPPED,
                                                          rp.SHIPPED_LATE)) == len(lines)
    for v in vendors["on_time_pct"].dropna():
        assert 0 <= v <= 100


_text = st.text(alphabet=st.sampled_from(list("=+-@<>&\"'; aZ9é日本語宁波\u00a0")), min_size=1, max_size=12).filter(
    lambda s: s.strip() == s and s.strip())


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(vendor=_text, color=_text)
def test_any_vendor_text_is_text_in_the_workbook_and_on_the_page(tmp_path, vendor, color):
    """'=...' is never a formula, '<' and '&' never markup, CJK and accents kept: read back as written."""
    lines = pd.DataFrame([_line("P1", rp.AT_RISK, vendor=vendor, color=color)])
    vendors = _vendors(lines)
    out = tmp_path / "r.xlsx"
    write_xlsx(out, today=TODAY, since=datetime(2027, 2, 22), lines=lines, vendors=vendors, changes=[],
               other_changes=0, exceptions=pd.DataFrame())
    wb = openpyxl.load_workbook(out)
    po = wb["PO Lines"]
    head = [c.value for c in po[1]]
    cells = {h: c for h, c in zip(head, po[2])}
    assert (cells["Vendor"].value, cells["Color"].value) == (vendor, color)
    assert cells["Vendor"].data_type == "s" and cells["Color"].data_type == "s"
    summary = [c for row in wb["Summary"].iter_rows() for c in row if c.value == vendor]
    assert summary and all(c.data_type == "s" for c in summary)
    page = render_html(today=TODAY, since=datetime(2027, 2, 22), lines=lines, vendors=vendors, changes=[],
                       other_changes=0)
    assert page.startswith('<!DOCTYPE html><html><head><meta charset="utf-8">')
    rows = _Rows()
    rows.feed(page)
    shown = [cells for _, cells in rows.rows if cells and cells[0] == "P1"]
    assert len(shown) == 1 and shown[0][2:4] == [color, vendor]


def test_the_vendor_tables_open_exceptions_add_up_to_the_headline_on_the_demo(tmp_path):
    """The headline counted every open exception (150 on the demo), the vendor table only those on live PO
    lines (147): a vendor's stale WIP report and the cancelled line's warning were in one and not the other."""
    from click.testing import CliRunner

    from prodbook.cli import main

    assert CliRunner().invoke(main, ["demo", str(tmp_path), "--today", "2026-11-25"]).exit_code in (0, 1)
    book = tmp_path / "demo-tracker.xlsx"
    out = tmp_path / "r.xlsx"
    run(book, ["report"], ctx(date(2026, 11, 25), out=out))
    ws = openpyxl.load_workbook(out)["Summary"]
    cells = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, 15)}
    headline = cells["Open exceptions"]
    head = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Vendor")
    col = next(c for c in range(1, 12) if ws.cell(head, c).value == "Open exceptions")
    per_vendor = [ws.cell(r, col).value for r in range(head + 1, ws.max_row + 1) if ws.cell(r, 1).value]
    assert headline > 0 and sum(v or 0 for v in per_vendor) == headline, (headline, per_vendor)
