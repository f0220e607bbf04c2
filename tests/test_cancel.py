"""Late for cancel has one meaning: judged on the date the order's terms name, counted the same everywhere.

FOB (the default) judges the cancel date on the forecast ex-factory, DDP on the forecast in-DC. The run's
summary, Issues, the Exceptions sheet, the Production Report sheet, the report workbook and the HTML
report all say the same lines, and each names the date it judged. The in-DC milestone moves with the
ex-factory: forecast in-DC = forecast ex-factory + transit.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import base_sheets, shown_values, write_book
from prodbook.core import cancel as cx
from prodbook.core import exceptions as ex
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run

TODAY = date(2027, 3, 1)  # a Monday

TEMPLATES = [["Template", "Code", "Milestone", "Owner", "Anchor", "Offset", "Day Type", "Critical", "Stage"],
             ["Knit", "CUT", "Bulk cutting", "Vendor", "XF", -15, "Working", "Yes", "Production"],
             ["Knit", "XF", "Ex-factory", "Vendor", "Ex-Factory", 0, "Working", "Yes", "Shipping"],
             ["Knit", "IDC", "Received in DC", "Forwarder", "In-DC", 0, "Calendar", "Yes", "Shipping"]]
ORDERS = [["PO #", "Style #", "Color", "Qty", "Ship Mode", "PO Date", "Ex-Factory", "In-DC", "Cancel Date",
           "Incoterm"],
          # cutting was due mid-February and has not started: ex-factory slips about three weeks
          ["4500000001", "S1", "Navy", 1200, "Sea", date(2026, 12, 1), date(2027, 3, 10), date(2027, 4, 9),
           date(2027, 3, 15), None],               # FOB by default: forecast XF after cancel -> late
          ["4500000002", "S1", "Black", 900, "Sea", date(2026, 12, 1), date(2027, 3, 10), date(2027, 4, 9),
           date(2027, 4, 15), "FOB Chittagong"],   # FOB: XF well before cancel, in-DC after it -> not late
          ["4500000003", "S1", "White", 600, "Sea", date(2026, 12, 1), date(2027, 3, 10), date(2027, 4, 9),
           date(2027, 4, 15), "DDP"],              # DDP: the same dates, judged on in-DC -> late
          ["4500000004", "S1", "Grey", 600, "Sea", date(2027, 1, 4), date(2027, 5, 10), date(2027, 6, 9),
           date(2027, 6, 15), "ddp"]]              # DDP on track
LATE = {"4500000001", "4500000003"}


def ctx(today: date = TODAY, hour: int = 9, **kw) -> Context:
    return Context(today=today, now=datetime.combine(today, datetime.min.time()).replace(hour=hour), **kw)


def book(tmp_path: Path, orders=ORDERS, config=None) -> Path:
    sheets = base_sheets()
    sheets["T&A Templates"] = [r[:] for r in TEMPLATES]
    sheets["Orders"] = [r[:] for r in orders]
    if config:
        sheets["Config"] = [["Setting", "Value"], *config]
    return write_book(tmp_path / "tracker.xlsx", sheets)


def rows(path: Path, sheet: str) -> list[dict]:
    values = shown_values(path, sheet)  # a PO # or Cell link reads as the text it shows
    return [dict(zip(values[0], r)) for r in values[1:]]


@pytest.fixture
def ran(tmp_path):
    """The daily refresh, then the report (sheet + workbook + HTML page) on the same day."""
    path = book(tmp_path)
    refresh = run(path, ["validate", "wip", "ta", "exceptions", "followups"], ctx())
    issues = rows(path, "Issues")  # the refresh's Issues (each run rewrites the sheet)
    xlsx = run(path, ["report"], ctx(hour=10, out=tmp_path / "report.xlsx"))
    html = run(path, ["report"], ctx(hour=11, out=tmp_path / "report.html"))
    return path, refresh, xlsx, html, tmp_path, issues


def test_the_same_lines_are_late_for_cancel_everywhere_with_the_date_judged(ran):
    path, refresh, xlsx, html, folder, issues = ran
    # the run's summary
    summary = "\n".join(line for o in refresh.outcomes for line in o.summary)
    assert "2 PO line(s) late for cancel (judged 1 on forecast ex-factory, 1 on forecast in-DC)." in summary
    # Issues: one row per late line, at its Cancel Date cell, naming the judged date and the terms
    issues = [r for r in issues if r["Code"] == "late-for-cancel"]
    assert {r["Key"].split(" / ")[0] for r in issues} == LATE
    by_po = {r["Key"].split(" / ")[0]: r["Problem"] for r in issues}
    assert "Late for cancel: forecast ex-factory" in by_po["4500000001"] and "(FOB)" in by_po["4500000001"]
    assert "after cancel 15-Mar-27" in by_po["4500000001"]
    assert "Late for cancel: forecast in-DC" in by_po["4500000003"] and "(DDP)" in by_po["4500000003"]
    assert all(r["Cell"].startswith("I") for r in issues)  # the Cancel Date column
    # Exceptions: the same lines, the same sentence
    exs = [r for r in rows(path, "Exceptions") if r["Rule"] == "late-for-cancel"]
    assert {r["PO #"] for r in exs} == LATE and all(r["Severity"] == "error" for r in exs)
    assert "forecast in-DC" in next(r["Detail"] for r in exs if r["PO #"] == "4500000003")
    # the Production Report sheet
    report = {r["PO #"]: r for r in rows(path, "Production Report")}
    assert {po for po, r in report.items() if r["Status"] == "Late for cancel"} == LATE
    assert report["4500000001"]["Terms"] == "FOB" and report["4500000003"]["Terms"] == "DDP"
    assert report["4500000001"]["Cancel Check"].startswith("Late for cancel: forecast ex-factory")
    assert report["4500000003"]["Cancel Check"].startswith("Late for cancel: forecast in-DC")
    # the report workbook and its data, the HTML page
    wb = openpyxl.load_workbook(folder / "report.xlsx")
    names = [c.value for c in wb["PO Lines"][1]]
    lines = [dict(zip(names, [c.value for c in r])) for r in wb["PO Lines"].iter_rows(min_row=2)]
    assert {r["PO #"] for r in lines if r["Status"] == "Late for cancel"} == LATE
    # recovery options: every lever of each late line, and on the report sheet the recommendation
    options = [dict(zip([c.value for c in wb["Recovery"][1]], [c.value for c in r]))
               for r in wb["Recovery"].iter_rows(min_row=2)]
    assert {r["PO #"] for r in options} == LATE
    assert all(r["Lever"] != "Cancel extension" or r["Saves the Date"] == "No" for r in options)
    assert all(r["Recommended"] is None or (r["Saves the Date"] == "Yes" and r["Gives"] <= r["Cancel Date"])
               for r in options)
    assert all(report[po]["Recovery"] for po in LATE)
    assert "Recovery options for lines late for cancel" in (folder / "report.html").read_text(encoding="utf-8")
    figures = {r[0]: r[1] for r in wb["Summary"].iter_rows(values_only=True) if r[0]}
    assert figures["Late for cancel"] == 2
    assert xlsx.outcomes[0].data["late_for_cancel"] == html.outcomes[0].data["late_for_cancel"] == 2
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "<b>2 late for cancel</b>" in page
    at_risk = page.split("<h2>PO lines at risk</h2>")[1].split("<h2>")[0]
    assert at_risk.count("<td>Late for cancel</td>") == at_risk.count("<td>Late for cancel: forecast") == 2


def test_fob_line_arriving_after_cancel_is_not_late_for_cancel(ran):
    """Under FOB the cancel date is about the handover at origin: an ex-factory before it is on time, even
    when the goods reach the DC after it. That is an in-DC warning for the DC, not 'Late for cancel'."""
    path, _, _, _, folder, issues = ran
    report = {r["PO #"]: r for r in rows(path, "Production Report")}
    black = report["4500000002"]
    assert black["Forecast XF"] < black["Cancel Date"] < black["Forecast In-DC"]
    assert black["Status"] == "At risk"
    assert black["Cancel Check"].startswith("On time for cancel: forecast ex-factory")
    exs = [r for r in rows(path, "Exceptions") if r["PO #"] == "4500000002"]
    in_dc = [r for r in exs if r["Rule"] == "in-dc-late"]
    assert len(in_dc) == 1 and in_dc[0]["Severity"] == "warning"  # the DC plans around it
    assert "late-for-cancel" not in {r["Rule"] for r in exs}
    assert not [r for r in issues if r["Code"] == "late-for-cancel" and r["Key"].startswith("4500000002")]
    at_risk = (folder / "report.html").read_text(encoding="utf-8").split("<h2>PO lines at risk</h2>")[1]
    row = next(tr for tr in at_risk.split("<tr") if "4500000002" in tr)
    assert "Late" not in row and "On time for cancel" in row
    assert black["Forecast In-DC"].strftime("%d-%b-%y") in row  # the forecast in-DC is shown (dd-mmm-yy)


def test_the_in_dc_milestone_moves_with_a_slipped_ex_factory(ran):
    path = ran[0]
    ta = {(r["PO #"], r["Code"]): r for r in rows(path, "T&A")}
    for po in ("4500000001", "4500000002", "4500000003"):
        xf, idc = ta[(po, "XF")], ta[(po, "IDC")]
        assert xf["Forecast"] > xf["Planned"]  # cutting is late: the ex-factory slips
        transit = idc["Planned"] - xf["Planned"]
        assert idc["Planned"] == datetime(2027, 4, 9)  # the order's In-DC date stays the plan
        assert idc["Forecast"] == xf["Forecast"] + transit
    report = {r["PO #"]: r for r in rows(path, "Production Report")}
    assert report["4500000003"]["Forecast In-DC"] == ta[("4500000003", "IDC")]["Forecast"]
    on_track = ta[("4500000004", "IDC")]
    assert on_track["Forecast"] == on_track["Planned"]


def test_default_terms_and_unknown_terms(tmp_path):
    orders = [r[:] for r in ORDERS]
    orders[1][-1] = "Franco domicile"  # not a term prodbook knows: Default Terms applies, and Issues says so
    path = book(tmp_path, orders, config=[["Default Terms", "DDP"]])
    result = run(path, ["ta"], ctx())
    issues = rows(path, "Issues")
    unknown = [r for r in issues if r["Code"] == "terms-unknown"]
    assert len(unknown) == 1 and unknown[0]["Cell"] == "J2" and "judged as DDP" in unknown[0]["Problem"]
    late = {r["Key"].split(" / ")[0]: r["Problem"] for r in issues if r["Code"] == "late-for-cancel"}
    assert set(late) == LATE and "forecast in-DC" in late["4500000001"]  # Default Terms DDP
    assert "2 PO line(s) late for cancel" in "\n".join(result.outcomes[0].summary)


def test_a_vendors_revised_ex_factory_counts_in_the_run_summary_as_in_the_exceptions(tmp_path):
    """The refresh imports the vendor files before the T&A: its summary and Issues judge the same newest
    revised ex-factory as the Exceptions."""
    orders = [ORDERS[0], ORDERS[1], ORDERS[4]]
    path = book(tmp_path, orders)
    wip = tmp_path / "BD1_wip_20270301.csv"
    wip.write_text("PO,Style,Color,Order Qty,Cut Qty,Planned XF,Revised XF\n"
                   "4500000004,S1,Grey,600,0,05/10/2027,06/20/2027\n", encoding="utf-8")
    result = run(path, ["validate", "wip", "ta", "exceptions"], ctx(files=(wip,)))
    summary = "\n".join(line for o in result.outcomes for line in o.summary)
    assert "2 PO line(s) late for cancel" in summary
    exs = {r["PO #"] for r in rows(path, "Exceptions") if r["Rule"] == "late-for-cancel"}
    assert exs == {"4500000001", "4500000004"}


@pytest.mark.parametrize("text, label, basis", [
    ("FOB", "FOB", cx.Basis.EX_FACTORY), ("fob shanghai", "FOB", cx.Basis.EX_FACTORY),
    ("CIF", "CIF", cx.Basis.EX_FACTORY), ("C&F", "CFR", cx.Basis.EX_FACTORY),
    ("DDP Columbus", "DDP", cx.Basis.IN_DC), ("DAP", "DAP", cx.Basis.IN_DC), ("landed", "Landed", cx.Basis.IN_DC)])
def test_terms_are_read_as_incoterms(text, label, basis):
    assert cx.read_terms(text) == cx.Terms(label, basis)


def test_the_check_at_its_boundaries():
    fob = cx.Terms("FOB", cx.Basis.EX_FACTORY)
    cancel = date(2027, 3, 5)
    on_the_day = cx.judge(fob, cancel, ex_factory=cancel, shipped=False, in_dc=None, received=False)
    assert not on_the_day.late
    late = cx.judge(fob, cancel, ex_factory=cancel + timedelta(days=7), shipped=False, in_dc=None,
                    received=False)
    assert late.late and late.text() == ("Late for cancel: forecast ex-factory 12-Mar-27, 7 day(s) after cancel "
                                         "05-Mar-27 (FOB)")
    shipped = cx.judge(fob, cancel, ex_factory=cancel + timedelta(days=7), shipped=True, in_dc=None,
                       received=False)
    assert not shipped.late and shipped.text().startswith("Shipped 12-Mar-27, 7 day(s) after cancel")
    # a DDP line already shipped is still judged on its forecast arrival
    ddp = cx.Terms("DDP", cx.Basis.IN_DC)
    on_water = cx.judge(ddp, cancel, ex_factory=cancel - timedelta(days=20), shipped=True,
                        in_dc=cancel + timedelta(days=2), received=False)
    assert on_water.late and "forecast in-DC 07-Mar-27" in on_water.text()


def test_ship_window_under_ddp_is_the_arrival():
    line = ex.Line(po="P1", style="S1", color="Navy", vendor="V1", qty=100, ship_mode="Sea",
                   po_date=None, ex_factory=date(2027, 3, 1), in_dc=date(2027, 3, 31), cancel=date(2027, 4, 5),
                   planned={}, forecast={}, actual={"XF": date(2027, 3, 1)}, wip=None, terms="DDP")
    inp = ex.Inputs([line], None, date(2027, 4, 6))  # type: ignore[arg-type]
    (hit,) = ex.ship_window_missed(inp)
    assert "has not reached the DC (DDP)" in hit.message
    fob = ex.Inputs([ex.Line(**{**line.__dict__, "terms": None})], None, date(2027, 4, 6))  # type: ignore[arg-type]
    assert ex.ship_window_missed(fob) == []  # shipped on time under FOB


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=8), st.sampled_from(["FOB", "fob Shanghai", "C&F", "ddp", "Landed",
                                                                 " cif ", "CandF", "xyz"]),
                          st.integers(), st.floats(), st.none()), max_size=20))
def test_read_terms_remembered_reads_as_worked_out(texts: list[object]) -> None:
    """The per-text cache gives what reading the text afresh gives, asked twice."""
    from prodbook.core.cancel import _read_terms, read_terms

    for t in texts + texts:
        fresh = None if t is None or (isinstance(t, float) and t != t) else _read_terms.__wrapped__(str(t))
        assert read_terms(t) == fresh
