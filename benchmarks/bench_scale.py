"""prodbook at tracker sizes side by side with its peers: CPU seconds and peak memory.

Prints figures; it is not a test. Run with `make bench`, or alone:

    .venv/bin/python benchmarks/bench_scale.py      # 2,000, 10,000, 46,000 and 50,000 PO lines (about 30 min)
    PRODBOOK_BENCH_BIG=0 .venv/bin/python benchmarks/bench_scale.py   # 2,000 and 10,000 only (about 5 min)
    PRODBOOK_BENCH_SIZES=2000 PRODBOOK_BENCH_BIG=0 .venv/bin/python benchmarks/bench_scale.py
    PRODBOOK_BENCH_PEERS=0 ...                                     # prodbook and the floor only

Every figure is the CPU time (user + system, from getrusage) of a fresh process running one command
(and everything it starts, for LibreOffice), and that process's peak resident memory: on a shared
machine wall-clock time measures the neighbours, CPU time measures the work. Even CPU time moves by up to
half for minutes at a time here, so each figure is the best of PRODBOOK_BENCH_REPEAT rounds (default 3 up
to 10,000 PO lines, 1 above; the highest peak memory of them), every figure once a round, every run from
the same file. Each ratio is printed twice: best over best, and round by round (median and range), which
compares runs made seconds apart. For each size:

- ``ta first``: `prodbook ta` on a tracker whose T&A holds the keys and Actuals typed so far, its
  generated columns never filled (every milestone's cells written);
- ``ta daily``: `prodbook ta` the next day, after five Actual dates were typed;
- ``ta next day``: where the daily run moved a full Change Log's oldest rows out to their own workbook (at
  46,000 PO lines the first build logs a million rows), `prodbook ta` the day after, a plain day again;
- ``refresh``: `prodbook refresh` (validate, T&A, exceptions, follow-ups, Issues) on that tracker;
- ``undo``: `prodbook undo` on that tracker (Undo last after the daily run: its log read, the T&A put back);
- ``LibreOffice``: the same T&A as WORKDAY.INTL formulas over a holiday range, loaded, recalculated
  and saved by LibreOffice headless (skipped, with a note, when `soffice` is not installed);
- ``LO start``: LibreOffice converting an empty workbook, the start and stop inside its figure;
- ``openpyxl``: a bare openpyxl load + save of the tracker (at 2,000 PO lines only, unless
  PRODBOOK_BENCH_OPENPYXL=1: it takes minutes above that);
- ``floor``: what any tool rewriting the tracker must do at least: python-calamine reads every sheet,
  and every part of the package is inflated and deflated again (at prodbook's zlib level), on the
  tracker the runs leave;
- ``floor, full log``: where the daily run moved a full Change Log out, the same on the file that run
  started from (its full log read and written again, as that run must).

An Excel sheet holds 1,048,576 rows: 50,000 PO lines of about 22 milestones (1.1 million T&A rows) do
not fit, and prodbook refuses them before it starts (the big run times that refusal too). The big run
uses 46,000 PO lines, about 1.03 million T&A rows, the largest T&A that fits.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

import openpyxl  # noqa: E402
from bench_ta import TODAY, formula_tracker, write_tracker  # noqa: E402

from prodbook.workbook.xlsxparts import REWRITE_COMPRESSLEVEL, CellEdit, rewrite_sheets, sheet_head  # noqa: E402

_MEASURE = ("import json, resource, subprocess, sys\n"
            "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)\n"
            "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
            "print(json.dumps([r.returncode, u.ru_utime + u.ru_stime, u.ru_maxrss, r.stderr[-600:]]))\n")

_FLOOR = ("import sys, zipfile\n"
          "from python_calamine import CalamineWorkbook\n"
          "src, dst, level = sys.argv[1], sys.argv[2], int(sys.argv[3])\n"
          "wb = CalamineWorkbook.from_path(src)\n"
          "cells = sum(len(r) for n in wb.sheet_names for r in wb.get_sheet_by_name(n).to_python())\n"
          "with zipfile.ZipFile(src) as zin, \\\n"
          "        zipfile.ZipFile(dst, 'w', zipfile.ZIP_DEFLATED, compresslevel=level) as zo:\n"
          "    for info in zin.infolist():\n"
          "        out = zipfile.ZipInfo(info.filename, info.date_time)\n"
          "        out.compress_type = zipfile.ZIP_DEFLATED\n"
          "        with zin.open(info) as f, zo.open(out, 'w') as g:\n"
          "            while block := f.read(1 << 20):\n"
          "                g.write(block)\n")


@dataclass
class Figure:
    cpu: float | None
    mb: float | None
    note: str = ""

    def __str__(self) -> str:
        if self.cpu is None:
            return self.note or "-"
        return f"{self.cpu:6.2f} s {self.mb:6,.0f} MB" + (f"  FAILED, {self.note}" if self.note else "")


def measure(cmd: list[str]) -> Figure:
    """CPU seconds of ``cmd`` and everything it started, and its peak memory, from a fresh process."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE.parent / "src"), os.environ.get("PYTHONPATH", "")])}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: compiled once, not on every start (see warm_up)
    out = subprocess.run([sys.executable, "-c", _MEASURE, *cmd], capture_output=True, text=True, env=env)
    code, cpu, rss_kb, err = json.loads(out.stdout.strip().splitlines()[-1])
    note = "" if code in (0, 1) else f"exit {code}: {err.strip().splitlines()[-1] if err.strip() else ''}"
    return Figure(cpu, rss_kb / 1024, note)


def warm_up() -> None:
    """Compile prodbook's modules once, as an installed copy has them: a machine that sets
    PYTHONDONTWRITEBYTECODE would otherwise charge every figure ~0.3 s of compiling."""
    import compileall

    compileall.compile_dir(str(HERE.parent / "src" / "prodbook"), quiet=1)


def prodbook(*args: str) -> list[str]:
    return [sys.executable, "-m", "prodbook.cli", *args]


def type_actuals(path: Path, n: int = 5) -> None:
    """What the APM does before the daily run: type a few Actual dates (the part writer, not openpyxl)."""
    head = sheet_head(path, "T&A", 1)[0]
    actual = head.index("Actual")
    edits = [CellEdit("T&A", 2 + 997 * i, actual, TODAY - timedelta(days=i)) for i in range(n)]
    tmp = path.with_suffix(".typing.xlsx")
    rewrite_sheets(path, tmp, [], edits)
    tmp.replace(path)


def libreoffice(folder: Path, n_lines: int, empty: bool = False) -> Figure:
    """LibreOffice recalculating and saving the formula T&A; with ``empty``, converting an empty workbook:
    its own start and stop, which every run of it pays (as prodbook's runs pay Python's and pandas' start)."""
    soffice = shutil.which("soffice")
    if soffice is None:
        return Figure(None, None, "skipped: soffice not installed (apt-get install libreoffice-calc-nogui)")
    path = folder / f"formula-ta-{n_lines}.xlsx"
    if not path.exists():  # built once for all its runs
        formula_tracker(path, n_lines)
    blank = folder / "empty.xlsx"
    if not blank.exists():
        openpyxl.Workbook().save(blank)
    profile = (folder / "lo-profile").as_uri()
    cmd = [soffice, f"-env:UserInstallation={profile}", "--headless", "--calc", "--convert-to",
           "xlsx:Calc MS Excel 2007 XML", "--outdir", str(folder / "lo-out")]
    if not (folder / "lo-profile").exists():  # LibreOffice's first start creates its profile: not counted
        measure([*cmd, str(blank)])
    return measure([*cmd, str(blank if empty else path)])


BIG_LIMITS = '[settings]\n"Max Part MB" = 2000\n"Max Unpacked MB" = 4000\n"Max Cells" = 100000000\n'
"""From 10,000 PO lines the T&A and the Change Log unpack to more than the default size limits (200 MB;
a million-row T&A is about 600 MB): raised in prodbook.toml, as README says."""


def repeats(n_lines: int) -> int:
    """Runs per figure (PRODBOOK_BENCH_REPEAT; default 3 up to 10,000 PO lines, else 1)."""
    return int(os.environ.get("PRODBOOK_BENCH_REPEAT", 3 if n_lines <= 10_000 else 1))


def best(figures: list[Figure]) -> Figure:
    """The least CPU of the runs (the one the neighbours disturbed least) with the highest peak memory of
    them; a failed run is the figure."""
    failed = next((f for f in figures if f.cpu is None or f.note), None)
    if failed is not None:
        return failed
    return Figure(min(f.cpu for f in figures if f.cpu is not None), max(f.mb for f in figures if f.mb is not None))


def run_size(folder: Path, n_lines: int, today: str) -> tuple[dict[str, Figure], dict[str, list[Figure]]]:
    """Rounds of every figure in turn (first build, daily run, refresh, floor, LibreOffice), each run from
    the same file: the first build from the tracker built, the daily run from the first build's result with
    Actuals typed, refresh from the daily run's result. This machine's speed moves by up to half for minutes
    at a time, so runs of one figure in a row would all land in one such stretch and a ratio would compare
    a slow stretch with a fast one: in rounds, each figure's best run comes from the same stretches."""
    built = write_tracker(folder / f"tracker-{n_lines}.xlsx", n_lines)
    toml = folder / "prodbook.toml"
    toml.write_text(BIG_LIMITS) if n_lines >= 10_000 else toml.unlink(missing_ok=True)
    work = folder / f"work-{n_lines}.xlsx"
    typed, daily = folder / f"typed-{n_lines}.xlsx", folder / f"daily-{n_lines}.xlsx"
    day = (TODAY + timedelta(days=1)).isoformat()
    peers = os.environ.get("PRODBOOK_BENCH_PEERS", "1") != "0"

    def run_on(start: Path, *args: str) -> Figure:
        shutil.copy(start, work)
        return measure(prodbook(*args, str(work)))

    runs: dict[str, list[Figure]] = {}
    moved = False
    for round_ in range(repeats(n_lines)):
        runs.setdefault("ta first", []).append(run_on(built, "ta", "--today", today))
        if round_ == 0:
            shutil.copy(work, typed)
            type_actuals(typed)
        runs.setdefault("ta daily", []).append(run_on(typed, "ta", "--today", day))
        if round_ == 0:
            shutil.copy(work, daily)
            moved = any(folder.glob(f"{work.stem} Change Log to *.xlsx"))
        if moved:  # the daily run moved a full Change Log out: the day after it is a plain day again
            runs.setdefault("ta next day", []).append(
                run_on(daily, "ta", "--today", (TODAY + timedelta(days=2)).isoformat()))
            # that daily run read and rewrote a full log (a million rows, half of them moved to a file of
            # their own): its own floor is the file it started from read, and every part of it deflated again
            runs.setdefault("floor, full log", []).append(
                measure([sys.executable, "-c", _FLOOR, str(typed), str(folder / "floor.xlsx"),
                         str(REWRITE_COMPRESSLEVEL)]))
        runs.setdefault("refresh", []).append(run_on(daily, "refresh", "--today", day))
        runs.setdefault("floor", []).append(measure([sys.executable, "-c", _FLOOR, str(work),
                                                     str(folder / "floor.xlsx"), str(REWRITE_COMPRESSLEVEL)]))
        # after the floor, which reads the tracker refresh left (undo's would be another file)
        runs.setdefault("undo", []).append(run_on(daily, "undo", "--today", day))
        if peers:
            runs.setdefault("LibreOffice", []).append(libreoffice(folder, n_lines))
            runs.setdefault("LO start", []).append(libreoffice(folder, n_lines, empty=True))
    out = {name: best(figures) for name, figures in runs.items()}
    if not peers:
        out["LibreOffice"] = Figure(None, None, "not run")
        out["openpyxl"] = Figure(None, None, "not run")
    elif n_lines <= 2_000 or os.environ.get("PRODBOOK_BENCH_OPENPYXL"):
        out["openpyxl"] = measure([sys.executable, "-c", "import openpyxl, sys; "
                                   "openpyxl.load_workbook(sys.argv[1]).save(sys.argv[2])", str(work),
                                   str(folder / "bare.xlsx")])
    else:
        out["openpyxl"] = Figure(None, None, "not run (PRODBOOK_BENCH_OPENPYXL=1)")
    for f in folder.glob("*.xlsx"):
        f.unlink()
    return out, runs


def ratio(a: Figure, b: Figure) -> str:
    return f"{a.cpu / b.cpu:5.2f}x" if a.cpu and b.cpu else "  -  "


def round_ratios(runs: dict[str, list[Figure]], a: str, b: str) -> str:
    """``a`` over ``b`` within each round (runs seconds apart, so in the same stretch of this machine's
    speed), as the median and range of the rounds: the best of each figure alone can pair a fast stretch
    of one with a slow stretch of the other (the floor's best of five moved by half within an hour)."""
    pairs = [x.cpu / y.cpu for x, y in zip(runs.get(a, []), runs.get(b, []), strict=False) if x.cpu and y.cpu]
    if len(pairs) < 2:
        return ""
    pairs.sort()
    mid = len(pairs) // 2
    median = pairs[mid] if len(pairs) % 2 else (pairs[mid - 1] + pairs[mid]) / 2
    return f" (round by round: median {median:.2f}x, {pairs[0]:.2f}-{pairs[-1]:.2f}x)"


def main() -> None:
    sizes = [int(s) for s in os.environ.get("PRODBOOK_BENCH_SIZES", "2000,10000").split(",") if s]
    big = os.environ.get("PRODBOOK_BENCH_BIG", "1") != "0"
    if big:
        sizes.append(46_000)
    print(f"python {sys.version.split()[0]}; {os.cpu_count()} CPUs; CPU seconds (user+sys) and peak memory "
          "of a fresh process per figure")
    today = TODAY.isoformat()
    warm_up()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for n in sizes:
            r, runs = run_size(folder, n, today)
            print(f"\n{n:,} PO lines:")
            for name, fig in r.items():
                print(f"  {name:<12} {fig}")
            print(f"  ta first / LibreOffice {ratio(r['ta first'], r['LibreOffice'])} (target <= 0.25x)"
                  f"{round_ratios(runs, 'ta first', 'LibreOffice')}\n"
                  f"  ta first / floor {ratio(r['ta first'], r['floor'])} (target <= 2x)"
                  f"{round_ratios(runs, 'ta first', 'floor')}\n"
                  f"  daily / floor {ratio(r['ta daily'], r['floor'])} (target <= 1.5x)"
                  f"{round_ratios(runs, 'ta daily', 'floor')}\n"
                  f"  refresh / floor {ratio(r['refresh'], r['floor'])} (target at 10,000 <= 3x)"
                  f"{round_ratios(runs, 'refresh', 'floor')}\n"
                  f"  undo / floor {ratio(r['undo'], r['floor'])} (no target: Undo last after the daily run)"
                  f"{round_ratios(runs, 'undo', 'floor')}", flush=True)
            if "ta next day" in r:
                print(f"  the daily run moved the full Change Log's oldest rows out (at Excel's rows, or three "
                      f"quarters of the size limits); "
                      f"the next day / floor {ratio(r['ta next day'], r['floor'])} (target <= 1.5x)"
                      f"{round_ratios(runs, 'ta next day', 'floor')}\n"
                      f"  the day the log moved / the floor of the file it read (its full log) "
                      f"{ratio(r['ta daily'], r['floor, full log'])} (target <= 1.5x)"
                      f"{round_ratios(runs, 'ta daily', 'floor, full log')}", flush=True)
        if big:
            path = write_tracker(folder / "tracker-50000.xlsx", 50_000)
            refused = measure(prodbook("ta", str(path), "--today", today))
            said = refused.note.partition(": ")[2] if refused.note.startswith("exit 2") else ""
            print("\n50,000 PO lines (1.1 M T&A rows, past a sheet's 1,048,576): `prodbook ta` "
                  + (f"refuses in {refused.cpu:.2f} s, {refused.mb:,.0f} MB, saying: {said}" if said
                     else f"was NOT refused ({refused})"))


if __name__ == "__main__":
    main()
