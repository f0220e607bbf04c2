"""The demo tracker: complete, deterministic, true to the domain, and alive on the day it is written."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from prodbook.core import ta
from prodbook.core.model.sheets import ALL_SHEETS, ORDERS, STYLES, TA, TEMPLATES, VENDORS, SheetSpec
from prodbook.demo.tracker import DEMO_FILE, FUNCTIONS, LUNAR_NEW_YEAR, SEASON_WINDOW, write_demo

DAYS = (date(2026, 11, 25), date(2027, 6, 1))


@pytest.fixture(scope="module", params=DAYS, ids=str)
def demo(request, tmp_path_factory) -> tuple[date, Path, dict[str, list[dict]]]:
    today = request.param
    path = write_demo(tmp_path_factory.mktemp(f"demo-{today}"), today)
    return today, path, read_all(path)


def read_all(path: Path) -> dict[str, list[dict]]:
    """Every sheet as records keyed by field (blank rows dropped); headers checked by the tests."""
    wb = openpyxl.load_workbook(path, read_only=True)
    out: dict[str, list[dict]] = {"_headers": {}}  # type: ignore[dict-item]
    for name in wb.sheetnames:
        rows = list(wb[name].iter_rows(values_only=True))
        out["_headers"][name] = rows[0] if rows else ()  # type: ignore[index]
        spec = next((s for s in ALL_SHEETS if s.name == name), None)
        if spec is None:
            continue
        out[name] = [dict(zip(spec.fields, (_plain(v) for v in r))) for r in rows[1:]
                     if any(v is not None for v in r)]
    return out


def _plain(v):
    return v.date() if isinstance(v, datetime) else v


def records(data, spec: SheetSpec) -> list[dict]:
    return data[spec.name]


def fiber_parts(text: str) -> list[list[tuple[int, str]]]:
    """'Shell: 100% Nylon; Lining: 100% Polyester' -> [[(100, 'Nylon')], [(100, 'Polyester')]]."""
    parts = []
    for component in text.split(";"):
        body = component.split(":", 1)[-1]
        parts.append([(int(p), f.strip()) for p, f in re.findall(r"(\d+)%\s*([A-Za-z ]+?)(?=\s*\d+%|$)",
                                                               body.strip())])
    return parts


# --- the workbook --------------------------------------------------------------------------------

def test_every_default_sheet_in_order_with_its_headers(demo):
    _, path, data = demo
    assert list(data["_headers"]) == [s.name for s in ALL_SHEETS] + [FUNCTIONS]
    for spec in ALL_SHEETS:
        assert tuple(data["_headers"][spec.name]) == spec.headers, spec.name
    wb = openpyxl.load_workbook(path)
    names = set()
    for spec in ALL_SHEETS:
        ws = wb[spec.name]
        assert ws.freeze_panes == "A2"
        (table,) = ws.tables.values()
        assert table.ref.startswith("A1:") and " " not in table.displayName
        names.add(table.displayName)
    assert len(names) == len(ALL_SHEETS)
    assert wb["Orders"]["F2"].number_format == "dd-mmm-yy"  # one date format for the workbook, no locale misreads it
    assert wb["Styles"]["O2"].number_format == "#,##0.00"


def test_generated_sheets_start_empty(demo):
    _, _, data = demo
    for name in ("Vendor WIP", "Exceptions", "Follow-ups", "Issues", "Change Log"):
        assert data[name] == [], name


def test_sizes(demo):
    _, _, data = demo
    assert 140 <= len(records(data, ORDERS)) <= 160
    assert 38 <= len(records(data, STYLES)) <= 42
    assert 25 <= len(data["Lab Dips"]) <= 40
    assert 25 <= len(data["Samples"]) <= 40
    assert 5 <= len(records(data, VENDORS)) <= 6


def test_same_day_same_workbook_and_a_rewrite_replaces_it(demo, tmp_path):
    today, _, data = demo
    again = write_demo(tmp_path, today)
    assert read_all(again) == data
    assert read_all(write_demo(tmp_path, today)) == data
    assert sorted(p.name for p in tmp_path.iterdir()) == [DEMO_FILE]


# --- domain facts --------------------------------------------------------------------------------

def test_styles_follow_the_domain_except_the_three_planted_problems(demo):
    _, _, data = demo
    country = {v["vendor"]: v["country"] for v in records(data, VENDORS)}
    bad_sum, bad_hts, bad_coo = [], [], []
    for s in records(data, STYLES):
        for part in fiber_parts(s["fiber_content"]):
            pcts = [p for p, _ in part]
            assert part and pcts == sorted(pcts, reverse=True), s["fiber_content"]
            if sum(pcts) != 100:
                bad_sum.append(s["description"])
        assert re.fullmatch(r"\d{4}\.\d{2}\.\d{4}", s["hts"])
        if s["hts"][:2] != {"Knit": "61", "Woven": "62"}[s["construction"]]:
            bad_hts.append(s["description"])
        if s["coo"] != country[s["vendor"]]:
            bad_coo.append(s["description"])
        assert 4 <= s["fob"] <= 45 and 2.5 <= s["retail"] / s["fob"] <= 4, s["style"]
        assert re.fullmatch(r"(SS|FW)\d\d-(KT|WB|DN|OW|DR)-\d{4}", s["style"])
        assert (s["adopted_date"] is not None) == (s["status"] in ("Adopted", "Dropped"))
    assert (bad_sum, bad_hts, bad_coo) == (["Slub Boxy Tee"], ["Pique Polo"], ["Rain Shell Jacket"])


def test_orders_are_plausible(demo):
    today, _, data = demo
    styles = {s["style"]: s for s in records(data, STYLES)}
    keys = set()
    for o in records(data, ORDERS):
        assert styles[o["style"]]["status"] == "Adopted"
        assert o["color"] in styles[o["style"]]["colors"].split(", ")
        assert re.fullmatch(r"45\d{8}", o["po"]) and 300 <= o["qty"] <= 6000
        assert SEASON_WINDOW[0] <= (o["po_date"] - today).days <= SEASON_WINDOW[1]
        transit = (o["in_dc"] - o["ex_factory"]).days
        assert transit == 7 if o["ship_mode"] == "Air" else 21 <= transit <= 40
        assert 1 <= (o["cancel"] - o["in_dc"]).days <= 14
        keys.add((o["po"], o["style"], o["color"]))
    assert len(keys) == len(records(data, ORDERS))
    assert {o["ship_mode"] for o in records(data, ORDERS)} == {"Sea", "Air"}


def test_closures_cover_the_season(demo):
    today, _, data = demo
    closures = data["Closures"]
    for year in (today.year, today.year + 1):
        lny = LUNAR_NEW_YEAR[year]
        assert any(c["calendar"] == "CN" and c["start"] < lny < c["end"]
                   and (c["end"] - c["start"]).days >= 14 for c in closures)
        assert any(c["calendar"] == "CN" and c["start"] == date(year, 10, 1) for c in closures)
    assert {c["calendar"] for c in closures} >= {"CN", "VN", "BD"}


def test_templates_compile_and_every_style_has_one(demo):
    _, _, data = demo
    rows = records(data, TEMPLATES)
    frame = pd.DataFrame(rows)
    frame["critical"] = frame["critical"] == "Yes"
    frame["_row"] = range(2, len(frame) + 2)
    plans, findings = ta.compile_templates(frame, file=DEMO_FILE)
    assert findings == []
    assert set(plans) == {"Knit 90", "Woven 120", "Denim 120"}
    for plan in plans.values():
        assert 15 <= len(plan.steps) <= 25
        xf = plan.step("XF")
        assert (xf.anchor, xf.offset) == ("ex_factory", 0)
        assert {s.owner for s in plan.steps} <= {"Vendor", "Buyer", "Tech Design", "Mill", "QA",
                                                 "Forwarder"}
    for s in records(data, STYLES):
        assert s["template"] in plans


def test_ta_rows_are_typed_actuals_of_real_milestones(demo):
    """Every T&A row holds what the team typed (an Actual, a Note), except the line cancelled since the last
    run: its rows are its whole plan as that run left it, for the archive to take."""
    today, _, data = demo
    lines = {(o["po"], o["style"], o["color"]) for o in records(data, ORDERS)}
    cancelled = {(o["po"], o["style"], o["color"]) for o in records(data, ORDERS) if o.get("line_status")}
    assert len(cancelled) <= 1
    template = {s["style"]: s["template"] for s in records(data, STYLES)}
    codes: dict[str, set[str]] = {}
    for t in records(data, TEMPLATES):
        codes.setdefault(t["template"], set()).add(t["code"])
    rows = records(data, TA)
    assert len(rows) > 200
    seen = set()
    for r in rows:
        assert (r["po"], r["style"], r["color"]) in lines
        assert r["code"] in codes[template[r["style"]]]
        if (r["po"], r["style"], r["color"]) in cancelled:
            assert r["milestone"] and r["planned"], r
        else:
            assert r["actual"] is not None or r["notes"]
        assert r["actual"] is None or r["actual"] < today
        key = (r["po"], r["style"], r["color"], r["code"])
        assert key not in seen
        seen.add(key)


# --- the daily refresh on the demo ---------------------------------------------------------------

def test_the_refresh_shows_a_live_mix(demo, tmp_path):
    from prodbook.core.findings import Code
    from prodbook.jobs import runner
    from prodbook.jobs.base import Context

    today, path, _ = demo
    copy = tmp_path / DEMO_FILE
    copy.write_bytes(path.read_bytes())
    result = runner.run(copy, ["validate", "ta"], Context(today=today))
    codes = [f.code for f in result.findings]
    assert Code.INTERNAL not in codes
    risks = [f for f in result.findings if f.code is Code.LATE_FOR_CANCEL]
    assert 1 <= len(risks) <= 12
    # a few POs are DDP: one of them is late for cancel on its arrival at the DC, not on its ex-factory
    assert any("forecast ex-factory" in f.message and "(FOB)" in f.message for f in risks)
    assert any("forecast in-DC" in f.message and "(DDP)" in f.message for f in risks)
    statuses = pd.Series([r["status"] for r in read_all(copy)[TA.name]]).value_counts()
    assert statuses.get("Overdue", 0) >= 20
    assert statuses.get("Due soon", 0) >= 20
    assert statuses.get("Done", 0) > statuses.get("Done late", 0) > 0
    assert statuses.get("Upcoming", 0) > 1000
