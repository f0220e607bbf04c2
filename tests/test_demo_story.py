"""A whole `prodbook demo` run tells one story: the vendor WIP follows the T&A, the planted problems are found,
the workbook opens on the T&A with a Functions sheet that reads right, and a re-run never loses the user's work."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from prodbook.cli import main
from prodbook.core.findings import Code
from prodbook.demo.tracker import (
    CAUGHT_UP_NOTES,
    DEMO_FILE,
    FUNCTIONS,
    FUNCTIONS_FIRST_ROW,
    build_story,
    functions_sheet,
)
from prodbook.demo.vendor_files import PLANTED, planted, vendor_reports

DAYS = (date(2026, 11, 25), date(2027, 6, 1))
TOLERANCE = 0.03
"""The demo's Config: Ship Tolerance % 3."""
ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def rows(path: Path, sheet: str) -> list[dict]:
    """A sheet as header-keyed records, as a spreadsheet program shows them (cached values)."""
    got = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    return [dict(zip(got[0], r)) for r in got[1:] if any(v not in ("", None) for v in r)]


def _day(v) -> date | None:
    if isinstance(v, datetime):
        return v.date()
    return v if isinstance(v, date) else None


@pytest.fixture(scope="module", params=DAYS, ids=str)
def ran(request, tmp_path_factory) -> tuple[date, Path]:
    today = request.param
    folder = tmp_path_factory.mktemp(f"demo-run-{today}")
    code, out = cli("demo", str(folder), "--today", today.isoformat())
    assert code == 0, out
    return today, folder / DEMO_FILE


def _key(r: dict) -> tuple[str, str, str]:
    return str(r["PO #"]), str(r["Style #"]), str(r["Color"])


# --- point 1: the vendor WIP follows the T&A ------------------------------------------------------

def test_vendor_wip_follows_the_ta_on_every_line(ran):
    today, path = ran
    story = build_story(today)
    planted_lines = {(p.po, p.style, p.color) for p in planted(story)}
    orders = {_key(o): o for o in rows(path, "Orders")}
    ta = {(*_key(r), r["Code"]): r for r in rows(path, "T&A")}
    wip = rows(path, "Vendor WIP")
    assert len(wip) >= 60
    cut_lines = finished = revised = 0
    for w in wip:
        key = _key(w)
        if key in planted_lines:
            continue
        qty = orders[key]["Qty"]
        report = _day(w["Report Date"])
        cut, sewn, packed = (int(w[f] or 0) for f in ("Cut Qty", "Sewn Qty", "Packed Qty"))
        assert packed <= sewn <= cut <= qty * (1 + TOLERANCE), (key, cut, sewn, packed, qty)
        cut_at, pack_at, xf_at = (_day(ta[(*key, c)]["Actual"]) for c in ("CUT", "PCK", "XF"))
        if cut_at is None or cut_at > report:
            assert cut == 0, (key, "cutting has not started on the T&A", cut)
        else:
            cut_lines += 1
        if (pack_at and pack_at <= report) or (xf_at and xf_at <= report):
            assert abs(packed - qty) <= qty * TOLERANCE, (key, "packing is complete on the T&A", packed, qty)
            finished += 1
        elif w["Revised XF"] not in ("", None):
            assert _day(w["Revised XF"]) == _day(ta[(*key, "XF")]["Forecast"]), key
            assert _day(w["Revised XF"]) > _day(orders[key]["Ex-Factory"]), key
            revised += 1
        fabric_in = _day(ta[(*key, "FIH")]["Actual"])
        assert (fabric_in is not None and fabric_in <= report) or cut > 0 or \
            not re.search(r"in-house|received", str(w["Fabric Status"]), re.I), (key, w["Fabric Status"])
    assert cut_lines >= 8 and finished >= 2 and revised >= 5, (cut_lines, finished, revised)


def test_no_false_alarms_from_the_vendor_files(ran):
    """Quantity rules fire only on the planted lines: 'Packed 0 against an order of 4,860' is gone."""
    today, path = ran
    story = build_story(today)
    planted_by_code = {}
    for p in planted(story):
        planted_by_code.setdefault(p.code, set()).add((p.po, p.style, p.color))
    exceptions = rows(path, "Exceptions")
    for code in (Code.SHIP_QTY_OFF, Code.WIP_QTY_INCONSISTENT, Code.SHIP_MODE_CHANGED):
        found = {_key(e) for e in exceptions if e["Rule"] == str(code)}
        assert found == planted_by_code[code], code


def test_every_planted_problem_is_found(ran):
    today, path = ran
    story = build_story(today)
    found = planted(story)
    assert len(found) == len(PLANTED)
    exceptions = rows(path, "Exceptions")
    issues = rows(path, "Issues")
    for p in found:
        line = (p.po, p.style, p.color)
        on_line = [e for e in exceptions if _key(e) == line]
        if p.code is Code.WIP_UNMATCHED:
            assert any(i["Code"] == str(p.code) and p.po in str(i["Value"]) and i["Severity"] == "warning"
                       for i in issues), p
        elif p.code is Code.WIP_STALE:
            assert any(e["Rule"] == str(p.code) and e["Vendor"] == p.vendor for e in exceptions), p
        else:
            assert any(e["Rule"] == str(p.code) for e in on_line), (p, on_line)
        if p.problem.startswith("revised ex-factory after the cancel date"):
            cancel = next(o for o in rows(path, "Orders") if _key(o) == line)["Cancel Date"]
            assert any(e["Severity"] == "error" and "cancel" in e["Detail"] for e in on_line), on_line
            assert any(e["Rule"] == "late-for-cancel" and f"after cancel {_day(cancel):%d-%b-%y}" in e["Detail"]
                       for e in on_line), on_line


# --- point 11: opens on the T&A, a Functions sheet that reads right -------------------------------

def test_the_line_that_caught_up_ships_on_its_planned_date(ran):
    """The README's demo line: cutting 4 working days late, the inline inspection on time, packing still to
    come. The T&A forecasts the ex-factory on its Planned date, and nothing calls the line late."""
    today, path = ran
    ta_rows = rows(path, "T&A")
    line = next(_key(r) for r in ta_rows if r["Code"] == "CUT" and r["Notes"] == CAUGHT_UP_NOTES["CUT"])
    steps = {r["Code"]: r for r in ta_rows if _key(r) == line}
    assert steps["CUT"]["Status"] == "Done late" and steps["CUT"]["Variance"] == 4
    assert steps["INL"]["Status"] == "Done"
    assert _day(steps["XF"]["Forecast"]) == _day(steps["XF"]["Planned"]) > today
    late_rules = {"production-behind", "xf-revised-later", "late-for-cancel", "in-dc-late"}
    assert not [r for r in rows(path, "Exceptions") if _key(r) == line and r["Rule"] in late_rules]


def test_the_demo_opens_on_the_ta_sheet(ran):
    _, path = ran
    wb = openpyxl.load_workbook(path, read_only=False)
    assert wb.active.title == "T&A"
    assert [ws.title for ws in wb.worksheets if ws.sheet_view.tabSelected] == ["T&A"]
    with zipfile.ZipFile(path) as z:
        assert 'fullCalcOnLoad="1"' not in z.read("xl/workbook.xml").decode()


def test_still_on_the_ta_sheet_after_the_next_refresh(ran, tmp_path):
    today, path = ran
    copy = tmp_path / DEMO_FILE
    shutil.copy(path, copy)
    code, out = cli("refresh", str(copy), "--today", today.isoformat())
    assert code in (0, 1), out
    assert openpyxl.load_workbook(copy, read_only=True).active.title == "T&A"


def next_days_refresh(today: date, path: Path, tmp_path: Path) -> tuple[Path, str]:
    """A copy of the demo, refreshed the next day (no vendor files): the T&A's open forecasts move."""
    copy = tmp_path / DEMO_FILE
    shutil.copy(path, copy)
    day = (today + timedelta(days=1)).isoformat()
    code, out = cli("refresh", str(copy), "--today", day)
    assert code in (0, 1), out
    return copy, day


def test_check_records_right_after_the_refresh_finds_what_it_found(tmp_path):
    """The refresh checks the records against the T&A it has just rebuilt, not the one it read: what it
    finds reads the same on the Issues sheet as a Check records run straight after it. (The demo of
    4-Dec-26 once had two PP samples due on their milestone's forecast, which moved a day with each day;
    a Check records run after the next day's refresh was rewriting their Issues rows. A sample's due date
    is now its milestone's Planned date, which does not move.)"""
    today = date(2026, 12, 4)
    code, out = cli("demo", str(tmp_path / "demo"), "--today", today.isoformat())
    assert code == 0, out
    copy, day = next_days_refresh(today, tmp_path / "demo" / DEMO_FILE, tmp_path)
    assert rows(copy, "Issues")  # the refresh's own findings, on the sheet
    before = copy.read_bytes()
    code, out = cli("validate", str(copy), "--today", day)
    assert code in (0, 1), out
    assert out.rstrip().endswith("Nothing to change."), out
    assert copy.read_bytes() == before


def test_a_vendors_formula_like_remark_is_named_once(ran, tmp_path):
    """The import names a vendor's text that starts like a formula, with the vendor's file and row; the
    record check does not name it again on the Vendor WIP sheet, day after day."""
    copy, _ = next_days_refresh(*ran, tmp_path)
    named = [r for r in rows(copy, "Issues") if r["Code"] == Code.FORMULA_TEXT]
    remarks = {r["Remarks"] for r in rows(copy, "Vendor WIP")
               if str(r["Remarks"]).startswith(("=", "+", "@"))}
    assert remarks, "the demo's vendors write remarks that start like a formula"
    assert {r["Value"] for r in named} >= remarks
    assert not [r for r in named if r["Sheet"] == "Vendor WIP"], named


def test_the_functions_sheet_holds_formulas_with_prodbooks_values(ran):
    today, path = ran
    sheet = functions_sheet(build_story(today))
    ws = openpyxl.load_workbook(path)[FUNCTIONS]
    formulas = {}
    for k, ex in enumerate(sheet.examples):
        ref = sheet.result_cell(k)
        assert ws[ref].data_type == "f" and ws[ref].value == "=" + ex.call.text(), ref
        assert ws[f"C{FUNCTIONS_FIRST_ROW + k}"].value == "=" + ex.call.text()  # the text beside it
        assert ws[f"C{FUNCTIONS_FIRST_ROW + k}"].data_type == "s"
        formulas[ref] = ex.call.text()
    assert {f.split("(")[0] for f in formulas.values()} >= {"TA_DUE", "TA_DATE", "TA_STATUS"}

    shown = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(FUNCTIONS).to_python()
    cached = {sheet.result_cell(k): shown[FUNCTIONS_FIRST_ROW - 1 + k][1] for k in range(len(sheet.examples))}
    assert all(v not in ("", None) and not str(v).startswith("#") for v in cached.values()), cached
    po, style, color = (str(shown[r][1]) for r in (4, 5, 6))
    ta = {r["Code"]: r for r in rows(path, "T&A") if _key(r) == (po, style, color)}
    by_formula = {f: cached[ref] for ref, f in formulas.items()}
    key = '$B$5,$B$6,$B$7'
    assert by_formula[f'TA_DATE({key},"XF")'] == _day(ta["XF"]["Planned"])
    assert by_formula[f'TA_DATE({key},"XF","Forecast")'] == _day(ta["XF"]["Forecast"])
    assert _day(ta["XF"]["Forecast"]) > _day(ta["XF"]["Planned"])  # the example line is late: both show
    assert by_formula[f'TA_DATE({key},"CUT")'] == _day(ta["CUT"]["Planned"])
    due = next(v for f, v in by_formula.items() if f.startswith("TA_DUE("))
    assert due == _day(ta["CUT"]["Planned"])  # TA_DUE gives the T&A's own planned cutting date
    status = [(f, v) for f, v in by_formula.items() if f.startswith("TA_STATUS(B")]
    code = re.search(r'"([A-Z0-9]+)","Actual"', next(f for f in formulas.values() if '"Actual"' in f))[1]
    assert status and status[0][1] == ta[code]["Status"] == "Done late"
    nested = next(v for f, v in by_formula.items() if f.startswith("TA_STATUS(TA_DATE"))
    assert nested == ta["CUT"]["Status"]


@pytest.mark.libreoffice
def test_libreoffice_shows_the_cached_values_not_name_errors(ran, tmp_path):
    """A spreadsheet program without the add-in shows prodbook's values (LibreOffice does not recalculate)."""
    today, path = ran
    if today != DAYS[0]:
        pytest.skip("one day is enough")
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
                    "--outdir", str(tmp_path), str(path)], check=True, capture_output=True, timeout=300)
    csv_path = next(tmp_path.glob(f"*{FUNCTIONS}*.csv"))
    lines = list(csv.reader(csv_path.read_text(encoding="utf-8").splitlines()))
    results = [r[1] for r in lines[FUNCTIONS_FIRST_ROW - 1:] if r and r[0]]
    assert len(results) == len(functions_sheet(build_story(today)).examples)
    assert all(v and not v.startswith(("#", "Err:")) for v in results), results
    shown = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(FUNCTIONS).to_python()
    assert results[0] == f"{shown[FUNCTIONS_FIRST_ROW - 1][1]:%m/%d/%Y}"  # the planned ex-factory
    assert "Done late" in results


# --- point 9: a re-run never loses what the user did ------------------------------------------------

def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_rerunning_the_demo_keeps_a_changed_demo_and_force_moves_it_aside(tmp_path):
    folder = tmp_path / "demo"
    assert cli("demo", str(folder), "--today", "2026-11-25")[0] == 0
    path = folder / DEMO_FILE
    wb = openpyxl.load_workbook(path)
    ws = wb["T&A"]
    notes = [c.value for c in ws[1]].index("Notes") + 1
    ws.cell(row=5, column=notes, value="Called the mill: fabric ships Friday")
    wb.save(path)
    before = _tree(folder)

    code, out = cli("demo", str(folder), "--today", "2026-11-26")
    assert code == 2, out
    assert "demo-tracker.xlsx' was changed" in out and "--force" in out and "Traceback" not in out
    assert _tree(folder) == before  # nothing written, nothing moved, no backup

    code, out = cli("demo", str(folder), "--today", "2026-11-26", "--force")
    assert code == 0, out
    (old,) = (folder / "old demos").iterdir()
    kept = openpyxl.load_workbook(old / DEMO_FILE)["T&A"].cell(row=5, column=notes).value
    assert kept == "Called the mill: fabric ships Friday"
    assert _tree(old)["vendor files/WIP/SHX WIP 20Nov2026.xlsx"] == before["vendor files/WIP/SHX WIP 20Nov2026.xlsx"]
    assert sorted(p.name for p in (folder / "vendor files" / "WIP").iterdir()) == [
        "DHK WIP 2026-11-20.xlsx", "NBT_Tianfeng_WIP_20261120.csv", "SHX WIP 20Nov2026.xlsx",
        "VNS_WIP_2026-11-10.csv"]


def test_rerunning_an_unchanged_demo_replaces_it_without_stray_files(tmp_path):
    folder = tmp_path / "demo"
    (folder).mkdir()
    (folder / "my notes.txt").write_text("mine")  # not the demo's: never touched
    assert cli("demo", str(folder), "--today", "2026-11-25")[0] == 0
    first = sorted(p.name for p in (folder / "vendor files" / "WIP").iterdir())
    code, out = cli("demo", str(folder), "--today", "2026-12-02")
    assert code == 0, out
    second = sorted(p.name for p in (folder / "vendor files" / "WIP").iterdir())
    assert len(second) == len(first) == 4 and not set(first) & set(second)
    backups = sorted(p.name for p in (folder / "prodbook backups").iterdir()  # one per tracker's refresh
                     if p.is_file())  # beside them, the folder of the drafts the refresh wrote, for its undo
    assert [b.rsplit(" ", 2)[0] for b in backups] == ["demo-tracker", "demo-tracker-kids"], backups
    assert sorted(p.name for p in (folder / "Follow-up drafts").iterdir()) == ["2026-12-02"]
    assert (folder / "my notes.txt").read_text() == "mine"
    assert not (folder / "old demos").exists()
    # importing the whole folder again: every WIP row is on the Orders sheet but the planted one
    code, out = cli("wip", str(folder / DEMO_FILE), str(folder / "vendor files" / "WIP"), "--today", "2026-12-02",
                    "--json")
    assert out.count("is not on the Orders sheet") == 1, out  # the planted mistyped PO, nothing else


def test_a_demo_open_in_excel_is_refused_even_with_force(tmp_path):
    folder = tmp_path / "demo"
    assert cli("demo", str(folder), "--today", "2026-11-25")[0] == 0
    (folder / "~$demo-tracker.xlsx").write_bytes(b"owner")
    before = _tree(folder)
    code, out = cli("demo", str(folder), "--today", "2026-11-25", "--force")
    assert code == 2 and "open in Excel" in out, out
    assert _tree(folder) == before


def test_make_demo_never_writes_committed_files():
    """`make demo` writes the git-ignored demo/ folder; the committed sample in workbooks/ is left alone."""
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^demo:.*\n((?:\t.*\n)+)", makefile, re.M)[1]
    assert "prodbook demo demo" in recipe and "workbooks" not in recipe
    assert "/demo/" in (ROOT / ".gitignore").read_text().split()
    if shutil.which("git") and (ROOT / ".git").exists():
        ignored = subprocess.run(["git", "-C", str(ROOT), "check-ignore", "-q", "demo/demo-tracker.xlsx"])
        assert ignored.returncode == 0


@pytest.mark.parametrize("today", [date(2026, 2, 6), date(2026, 9, 4), date(2027, 2, 10), date(2027, 10, 20)],
                         ids=str)
def test_any_day_the_reports_follow_the_walks_and_every_problem_is_planted(today):
    """The pure story on more days: the same invariants, and all six problems find a line to sit on."""
    story = build_story(today)
    marked = {(p.po, p.style, p.color) for p in planted(story)}
    assert len(planted(story)) == len(PLANTED)
    walks = {(ln.po, ln.style, ln.color): (ln, w) for ln, w in zip(story.lines, story.walks)}
    for report in vendor_reports(story):
        assert report.on < today
        for r in report.rows:
            if (r.po, r.style, r.color) in marked:
                continue
            ln, w = walks[(r.po, r.style, r.color)]
            assert r.packed <= r.sewn <= r.cut <= r.qty * (1 + TOLERANCE)
            cut_at = w.actual.get("CUT")
            assert (r.cut > 0) == bool(cut_at and cut_at <= report.on) or r.finished
            if r.finished:
                assert abs(r.packed - r.qty) <= r.qty * TOLERANCE
            assert r.revised in (None, w.forecast["XF"])
