"""Regenerate ``workday_reference.csv``: WORKDAY.INTL / NETWORKDAYS.INTL computed by LibreOffice.

Run by hand, never by the test suite (the CSV is committed)::

    /work/main/.venv/bin/python tests/data/make_workday_reference.py

Needs ``soffice`` (LibreOffice 7.4 was used) and ``openpyxl``. The script writes every
case as a formula into an .xlsx (inputs as cells, holidays in ten cells per row),
has LibreOffice load it headless (a file without cached values is recalculated on
load), convert it to .xlsx again, reads the cached results back with openpyxl and
writes the CSV. It fails if any formula came back empty.

Why not every case LibreOffice can compute: LibreOffice has no Excel date range.
It returns dates before 1900 or after 9999 (and wraps far negative results to
serials near 2**32) where Excel gives #NUM!, so rows whose result falls outside
1900-03-01..9999-12-31 are dropped; those rules are tested from Microsoft's
documentation in ``test_calendar.py``. Inputs start at 1900-03-01 to stay clear of
Excel's phantom 1900-02-29.

Error values are written as text. Only "error or not" is meaningful: Calc's
error codes differ from Excel's (weekend 0 is #VALUE! in Calc, #NUM! in Excel;
Calc's Err:502 for weekend 8 is exported as #NUM!).

CSV columns: func, start, arg (days for WORKDAY.INTL, end date for
NETWORKDAYS.INTL), weekend, weekend_type (num | str | omitted), holidays
(ISO dates separated by spaces, in the order given), result (ISO date, integer
or error text).
"""

from __future__ import annotations

import csv
import random
import shutil
import subprocess
import sys
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
OUT = HERE / "workday_reference.csv"
N_HOL = 10  # holiday cells per row: H..Q
EXCEL_EPOCH = date(1899, 12, 30)
FIRST_OK, LAST_OK = date(1900, 3, 1), date(9999, 12, 31)

CODES = [*range(1, 8), *range(11, 18)]
MASKS = ["0000011", "1000001", "0000100", "0000001", "1000000", "1111110",
         "0111111", "1010101", "0000000", "1111100", "0110110"]
INVALID = [0, 8, 10, 18, -1, 11.5, 1.5, "111111", "00000110", "0000002",
           "1111111", "11", "1", "abc", "000001a", ""]

Case = tuple[str, date, object, object, str, list[date]]  # func, start, arg, weekend, wtype, holidays


def _weekend_fields(weekend: object) -> tuple[object, str]:
    if weekend is None:
        return "", "omitted"
    return weekend, "str" if isinstance(weekend, str) else "num"


def make_cases(seed: int = 20240601) -> list[Case]:
    """Deliberate edge cases first, then random ones; fixed seed so reruns are stable."""
    rnd = random.Random(seed)
    cases: list[Case] = []

    def add(func: str, start: date, arg: object, weekend: object = 1, hol: list[date] | None = None) -> None:
        w, wt = _weekend_fields(weekend)
        cases.append((func, start, arg, w, wt, list(hol or [])))

    monday = date(2024, 6, 3)
    weekends: list[object] = [*CODES, *MASKS]
    # Every weekend, a start on every weekday, small and medium offsets / spans.
    for w in weekends:
        for k in range(7):
            s = monday + timedelta(days=k)
            for n in (0, 1, -1, 3, -3, 10, -10):
                add("WORKDAY.INTL", s, n, w)
            for span in (0, 1, -1, 6, -6, 13, -30):
                add("NETWORKDAYS.INTL", s, s + timedelta(days=span), w)
    # Holidays: on the start, on weekends, duplicated, unsorted, long blocks.
    for w in (1, 7, 11, 16, "0000100", "0000011"):
        for k in range(7):
            s = date(2024, 12, 23) + timedelta(days=k)
            hol = [s, s + timedelta(days=1), s - timedelta(days=1), s + timedelta(days=5),
                   s + timedelta(days=1), date(2025, 1, 1), date(2024, 12, 25)]
            for n in (0, 1, -1, 2, -2, 8, -8):
                add("WORKDAY.INTL", s, n, w, hol)
            for span in (0, 1, -1, 9, -9):
                add("NETWORKDAYS.INTL", s, s + timedelta(days=span), w, hol)
        block = [date(2027, 2, 1) + timedelta(days=i) for i in range(10)]  # a CNY-style closure
        for n in (1, 5, -1, -5, 20):
            add("WORKDAY.INTL", date(2027, 1, 29), n, w, block[::-1])
            add("WORKDAY.INTL", date(2027, 2, 4), n, w, block)
        add("NETWORKDAYS.INTL", date(2027, 1, 25), date(2027, 2, 20), w, block)
    # Omitted weekend argument.
    for k in range(7):
        add("WORKDAY.INTL", monday + timedelta(days=k), 2, None)
        add("NETWORKDAYS.INTL", monday + timedelta(days=k), monday + timedelta(days=k + 9), None)
    # Fractional offsets are truncated toward zero.
    for k in range(7):
        for n in (1.9, -1.9, 0.5, -0.5, 2.999, -2.999, 0.0):
            add("WORKDAY.INTL", monday + timedelta(days=k), n, 1)
    # Month, year and leap-day boundaries.
    for s in (date(2024, 2, 28), date(2024, 2, 29), date(2000, 2, 29), date(2100, 2, 28),
              date(1900, 3, 1), date(1900, 3, 3), date(2023, 12, 29), date(2024, 12, 31),
              date(2025, 1, 31), date(9999, 12, 20), date(9999, 12, 30), date(9999, 12, 31)):
        for w in (1, 11, "0000100"):
            for n in (0, 1, -1, 2, -2, 5, -5, 40, -40):
                add("WORKDAY.INTL", s, n, w, [date(2024, 2, 29), date(2000, 2, 29)])
            for span in (0, 1, -1, 30, -30):
                ordinal = s.toordinal() + span
                e = date.fromordinal(ordinal) if FIRST_OK.toordinal() <= ordinal <= LAST_OK.toordinal() else s
                add("NETWORKDAYS.INTL", s, e, w)
    # Large offsets and spans.
    for w in (1, 11, 16, "1111110", "0111111"):
        for n in (250, -250, 2600, -2600, 40_000, -40_000):
            add("WORKDAY.INTL", date(2001, 7, 4), n, w)
        add("NETWORKDAYS.INTL", date(1901, 1, 1), date(2099, 12, 31), w)
        add("NETWORKDAYS.INTL", date(9999, 12, 31), date(1900, 3, 1), w)
    # Invalid weekends.
    for w in INVALID:
        add("WORKDAY.INTL", monday, 5, w)
        add("NETWORKDAYS.INTL", monday, monday + timedelta(days=20), w)
    # Random cases.
    for _ in range(1600):
        s = date(1901, 1, 1) + timedelta(days=rnd.randrange(0, 73_000))
        w = rnd.choice(weekends)
        nh = rnd.choice((0, 0, 1, 2, 3, 5, 10))
        hol = [s + timedelta(days=rnd.randrange(-20, 40)) for _ in range(nh)]
        if rnd.random() < 0.5:
            n = rnd.choice((rnd.randrange(-15, 16), rnd.randrange(-400, 401), rnd.randrange(-5000, 5001)))
            add("WORKDAY.INTL", s, n, w, hol)
        else:
            span = rnd.choice((rnd.randrange(-15, 16), rnd.randrange(-400, 401), rnd.randrange(-3000, 3001)))
            add("NETWORKDAYS.INTL", s, s + timedelta(days=span), w, hol)
    return cases


def write_workbook(cases: list[Case], path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r, (func, start, arg, weekend, wtype, hol) in enumerate(cases, start=1):
        ws.cell(r, 1, start)
        ws.cell(r, 2, arg)
        if wtype != "omitted":
            ws.cell(r, 3, weekend)  # a str stays text, a number stays a number
        for j, h in enumerate(hol):
            ws.cell(r, 8 + j, h)
        if wtype == "omitted":
            formula = f"={func}(A{r},B{r})"
        else:
            formula = f"={func}(A{r},B{r},C{r},H{r}:Q{r})"
        ws.cell(r, 4, formula)
    wb.save(path)


def recalculate(src: Path, workdir: Path) -> Path:
    """LibreOffice headless, own profile so a running soffice does not take the job."""
    profile = workdir / "lo_profile"
    outdir = workdir / "out"
    cmd = ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
           "--convert-to", "xlsx", "--outdir", str(outdir), str(src)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=600)
    return outdir / src.name


def _cell_result(func: str, value: object) -> str | None:
    """Excel serial / datetime / error text -> CSV text; None when outside Excel's range."""
    if isinstance(value, str):
        return value.strip()
    if func == "NETWORKDAYS.INTL":
        assert isinstance(value, (int, float)) and float(value).is_integer(), value
        return str(int(value))
    if isinstance(value, datetime):
        d = value.date()
    else:
        assert isinstance(value, (int, float)), value
        if not 61 <= value <= 2_958_465:
            return None
        d = EXCEL_EPOCH + timedelta(days=int(value))
    return d.isoformat() if FIRST_OK <= d <= LAST_OK else None


def main() -> int:
    cases = make_cases()
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        src = tmpdir / "workday_cases.xlsx"
        write_workbook(cases, src)
        result_wb = openpyxl.load_workbook(recalculate(src, tmpdir), data_only=True)
        ws = result_wb.active
        rows, dropped = [], 0
        for r, (func, start, arg, weekend, wtype, hol) in enumerate(cases, start=1):
            value = ws.cell(r, 4).value
            if value is None:
                raise SystemExit(f"row {r}: LibreOffice left {func} uncalculated")
            result = _cell_result(func, value)
            if result is None:
                dropped += 1
                continue
            arg_text = arg.isoformat() if isinstance(arg, date) else repr(arg)
            rows.append([func, start.isoformat(), arg_text, weekend, wtype,
                         " ".join(h.isoformat() for h in hol), result])
        shutil.rmtree(tmpdir / "lo_profile", ignore_errors=True)
    with OUT.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["func", "start", "arg", "weekend", "weekend_type", "holidays", "result"])
        w.writerows(rows)
    print(f"{len(rows)} cases written to {OUT} ({dropped} outside Excel's date range dropped)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
