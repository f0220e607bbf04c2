"""`prodbook scorecard`: a real tracker in, a scorecard workbook or page out, the tracker untouched."""

from __future__ import annotations

import json
import re
import zipfile
from datetime import date, datetime
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
from click.testing import CliRunner

from conftest import base_sheets, digest, write_book
from prodbook.cli import main
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run

TODAY = date(2027, 5, 3)


def tracker(tmp_path: Path) -> Path:
    """BD1 shipped its line 5 days after the planned 15-Apr; CN1's name looks like a formula."""
    sheets = base_sheets()
    sheets["T&A"] = sheets["T&A"] + [["4500000001", "S1", "Navy", "BD1", "XF", None, None, None, None,
                                      date(2027, 4, 20), None, None, None]]
    sheets["Lab Dips"] = [["Style #", "Color", "Round", "Submitted", "Received", "Decision", "Decision Date"],
                          ["S1", "Navy", 1, date(2027, 1, 11), date(2027, 1, 14), "Rejected", date(2027, 1, 16)],
                          ["S1", "Navy", 2, date(2027, 1, 22), date(2027, 1, 25), "Approved", date(2027, 1, 27)]]
    sheets["Samples"] = [["Style #", "Sample Type", "Color", "Due", "Shipped"],
                         ["S2", "PP", "Black", date(2027, 3, 1), date(2027, 2, 27)]]
    path = write_book(tmp_path / "t.xlsx", sheets)
    wb = openpyxl.load_workbook(path)
    name = wb["Vendors"]["B3"]
    name.value, name.data_type = '=HYPERLINK("http://x.example","Ningbo")', "s"  # text, as a vendor typed it
    wb.save(path)
    run(path, ["ta", "exceptions"], Context(today=TODAY, now=datetime(2027, 5, 3, 9)))
    return path


def test_scorecard_workbook_has_the_figures_charts_and_drill_down(tmp_path: Path) -> None:
    path = tracker(tmp_path)
    before = digest(path)
    out = tmp_path / "card.xlsx"
    result = run(path, ["scorecard"], Context(today=TODAY, now=datetime(2027, 5, 3, 10), out=out))
    assert digest(path) == before  # the tracker is not written
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "Scorecard" and "Scorecard Detail" in wb.sheetnames
    card = {r[0]: r[1:3] for r in wb["Scorecard"].iter_rows(min_row=4, values_only=True) if r[0]}
    assert card["Figure"] == ("BD1", "CN1")
    # BD1: 1 shipped, 20-Apr against 15-Apr: 0% on time, 5 days late; its dip approved on round 2 (mill:
    # 16-Jan -> 22-Jan = 6 days). CN1: the PP sample shipped 2 days before due.
    assert card["Delivered in the period"] == (1, 0) and card["On-time delivery %"] == (0.0, None)
    assert card["Worst days late"] == (5, None)
    assert card["Lab-dip rounds to approval"] == (2.0, None) and card["Days with the mill"] == (6.0, None)
    assert card["Fit / PP samples on time %"] == (None, 100.0)
    with zipfile.ZipFile(out) as z:
        assert len([n for n in z.namelist() if n.startswith("xl/charts/chart")]) == 9
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # the vendor's formula-like name is text
    assert card["Name"][1].startswith("=HYPERLINK")
    detail = [r for r in wb["Scorecard Detail"].iter_rows(min_row=2, values_only=True)]
    assert ("On-time delivery", "BD1") in {(r[0], r[1]) for r in detail}
    assert any("Scorecard: " in line for line in result.outcomes[0].summary)


def test_scorecard_page_and_the_command(tmp_path: Path) -> None:
    path = tracker(tmp_path)
    page = tmp_path / "card.html"
    res = CliRunner().invoke(main, ["scorecard", str(path), "--today", TODAY.isoformat(), "--since", "2027-04-01",
                                    "--out", str(page), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)["data"]["Vendor scorecard"]
    assert data["since"] == "2027-04-01" and data["today"] == TODAY.isoformat()
    bd1 = next(v for v in data["vendors"] if v["vendor"] == "BD1")
    assert bd1["shipped"] == 1 and bd1["dip_colours"] == 0  # the dip was approved before April
    html = page.read_text(encoding="utf-8")
    assert html.count("<svg") == 9 and "<script" not in html
    for svg in re.findall(r"<svg.*?</svg>", html, re.S):  # each chart is well-formed SVG, bars for vendors
        root = ElementTree.fromstring(svg)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "=HYPERLINK(&quot;http://x.example&quot;" in html  # escaped, as data


def test_a_tracker_without_orders_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    sheets = base_sheets()
    del sheets["Orders"]
    path = write_book(tmp_path / "t.xlsx", sheets)
    res = CliRunner().invoke(main, ["scorecard", str(path), "--today", TODAY.isoformat()])
    assert res.exit_code == 2 and "Orders" in res.output and "Traceback" not in res.output
    assert not list(tmp_path.glob("Vendor Scorecard*"))


def test_a_vendor_with_several_factories_gets_the_factory_sheet(tmp_path: Path) -> None:
    from prodbook.core import scorecards as sc
    from prodbook.workbook.scorecard_xlsx import write_scorecard
    from test_scorecards import NAMES, S, history
    from test_scorecards import TODAY as DAY

    out = write_scorecard(tmp_path / "card.xlsx", sc.scorecard(history(), S, DAY, rule_names=NAMES))
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Scorecard", "Scorecard by Factory", "Exceptions by Rule", "Scorecard Detail"]
    rows = [r[:4] for r in wb["Scorecard by Factory"].iter_rows(min_row=2, values_only=True)]
    (head,) = [c for c in wb["Scorecard by Factory"][1] if c.value == "On-Time Delivery %"]
    assert head.comment.text.startswith("FOB lines on ex-factory, DDP lines on arrival at the DC")
    assert rows == [("AAA", "Alpha Apparel", None, 3), ("AAA", "Alpha Apparel", "F1", 2),
                    ("AAA", "Alpha Apparel", "F2", 1), ("BBB", "Beta Knits", "FB", 2), ("CCC", "Gamma Denim", None, 0)]
    card = {r[0]: r[1:4] for r in wb["Scorecard"].iter_rows(min_row=4, values_only=True) if r[0]}
    assert card["Figure"] == ("AAA", "BBB", "CCC") and card["On-time delivery %"] == (33.3, 100.0, None)


def test_the_on_time_figure_says_fob_lines_are_judged_on_ex_factory_and_ddp_lines_on_arrival(
        tmp_path: Path) -> None:
    """A DDP line is judged on its arrival at the DC, not on its ex-factory, but the scorecard read 'On-time
    ex-factory %' (its chart, its drill-down rows and the table's 'On-Time XF %' too): a production manager
    took CN1's DDP line, in the DC 4 days late, for a late shipment from the factory."""
    sheets = base_sheets()
    sheets["Orders"][0].append("Terms")
    sheets["Orders"][1].append("FOB")
    sheets["Orders"][2].append("DDP")  # In-DC 30-May
    sheets["T&A"] = sheets["T&A"] + [
        ["4500000001", "S1", "Navy", "BD1", "XF", "Ex-factory", None, None, None, date(2027, 4, 15), None, None,
         None],
        ["4500000002", "S2", "Black", "CN1", "XF", "Ex-factory", None, None, None, date(2027, 4, 30), None, None,
         None],
        ["4500000002", "S2", "Black", "CN1", "IDC", "In DC", None, None, None, date(2027, 6, 3), None, None,
         None]]
    path = write_book(tmp_path / "t.xlsx", sheets)
    out, page = tmp_path / "card.xlsx", tmp_path / "card.html"
    ctx = Context(today=date(2027, 6, 10), now=datetime(2027, 6, 10, 9), out=out)
    result = run(path, ["scorecard"], ctx)
    wb = openpyxl.load_workbook(out)
    rows = {r[0]: r[1:] for r in wb["Scorecard"].iter_rows(min_row=5, values_only=True) if r[0]}
    assert rows["Delivered in the period"][:2] == (1, 1)
    on_time = rows["On-time delivery %"]
    assert on_time[:2] == (100.0, 0.0)
    assert "FOB lines on ex-factory, DDP lines on arrival at the DC" in on_time[2]
    shown = [str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    assert not [v for v in shown if "ex-factory %" in v.lower() or "XF %" in v]
    with zipfile.ZipFile(out) as z:
        charts = [z.read(n).decode() for n in sorted(z.namelist()) if n.startswith("xl/charts/chart")]
    first = "".join(re.findall(r"<a:t>(.*?)</a:t>", charts[0]))
    assert first.startswith("On-time delivery %") and "FOB" in first and "DDP" in first
    detail = {(r[0], r[3].split(" / ")[0], r[4]) for r in wb["Scorecard Detail"].iter_rows(min_row=2, values_only=True)
              if r[0] and r[0].startswith("On-time")}
    assert detail == {("On-time delivery", "4500000001", "XF (FOB)"), ("On-time delivery", "4500000002", "IDC (DDP)")}
    head, *said = [line for line in result.outcomes[0].summary if line.startswith("Vendor scorecard")
                   or line.strip().startswith("CN1:")]
    assert "on time: FOB lines on ex-factory, DDP lines on arrival at the DC" in head
    assert said and "on time 0% of 1 delivered" in said[0]
    run(path, ["scorecard"], Context(today=ctx.today, now=ctx.now, out=page))
    html = page.read_text(encoding="utf-8")
    assert "On-Time Delivery %" in html and "FOB lines on ex-factory, DDP lines on arrival at the DC" in html
    assert "ex-factory %" not in html.lower() and "XF %" not in html


def test_an_in_dc_code_typed_with_two_spaces_matches_its_t_and_a_milestone(tmp_path: Path) -> None:
    """The Config's 'In-DC Code' 'IN  DC' (two spaces) and the T&A's 'IN  DC': the T&A's codes are read with
    their inner spaces as one, the Config's were not, so the tracker's own scorecard found no DDP line in the DC
    while the roll-up (which folds both alike) found it."""
    sheets = base_sheets()
    sheets["Orders"][0].append("Terms")
    sheets["Orders"][1].append("FOB")
    sheets["Orders"][2].append("DDP")  # In-DC 30-May
    sheets["T&A"] = sheets["T&A"] + [
        ["4500000001", "S1", "Navy", "BD1", "XF", "Ex-factory", None, None, None, date(2027, 4, 15), None, None,
         None],
        ["4500000002", "S2", "Black", "CN1", "IN  DC", "In DC", None, None, None, date(2027, 6, 3), None, None,
         None]]
    sheets["Config"] = [["Setting", "Value"], ["In-DC Code", "IN  DC"]]
    path = write_book(tmp_path / "t.xlsx", sheets)
    out = tmp_path / "card.xlsx"
    run(path, ["scorecard"], Context(today=date(2027, 6, 10), now=datetime(2027, 6, 10, 9), out=out))
    rows = {r[0]: r[1:] for r in openpyxl.load_workbook(out)["Scorecard"].iter_rows(min_row=5, values_only=True)
            if r[0]}
    assert rows["Delivered in the period"][:2] == (1, 1)
    assert rows["On-time delivery %"][:2] == (100.0, 0.0)
