"""Each exception rule gives its facts and the APM's advice apart: the Exceptions sheet shows both (its Detail
as before), the vendor's follow-up takes the facts alone, whatever the advice's wording.

Before, ``followups.vendor_text`` cut the advice off the Detail where a regular expression (``_FOR_APM``) found
its wording: a rule whose advice was worded otherwise sent it to the vendor, and a vendor's own status
holding such a word ('...; expect 05-Mar') lost the rest of its facts."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from conftest import base_sheets, demo_workbook, sheet_values, write_book
from prodbook.core import exceptions as ex
from prodbook.core import followup_items as fi
from prodbook.core import followups as fu
from prodbook.core import vendor_view as vv
from prodbook.core.exceptions.lines import _fmt
from prodbook.core.findings import Code, Finding, Severity
from prodbook.core.model.sheets import EXCEPTIONS, TA
from prodbook.jobs import exceptions_job
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from prodbook.workbook.filebook import FileBook
from prodbook.workbook.tracker import Tracker
from test_exceptions import CASES, MON_FRI, TODAY, hits, line

ADVICE_WORDS = re.compile(r"\bagree\b|\bbuyer\b|chargeback|\bexpect\b|air freight|\bUSD\b|recovery:", re.I)
"""What only the APM may read: the advice of the rules (the buyer, a chargeback, the recovery costs)."""
FACT_TOKENS = re.compile(r"\d{2}-[A-Z][a-z]{2}-\d{2}|\d[\d,.]*%?")
"""The dates (05-Mar-27) and quantities (1,031, 3%) of a rule's facts: each must reach the vendor."""
NO_WIP = pd.DataFrame(columns=["vendor", "report_date"])
DEMO_DAY = date(2026, 11, 25)


def _inputs(*lines: ex.Line, today: date = TODAY, wip: pd.DataFrame | None = None,
            stopped: tuple[ex.Line, ...] = (), **settings: object) -> ex.Inputs:
    return ex.Inputs(list(lines), NO_WIP if wip is None else wip, today, ex.Settings(**settings), {}, MON_FRI,
                     stopped=list(stopped))


EXTRA = {  # the variants CASES does not show: the other wording of a rule, the rule over stopped lines
    "shipped after cancel": (ex.ship_window_missed,
                             lambda: _inputs(line(actual={"XF": date(2027, 5, 23)}), today=date(2027, 5, 25))),
    "ship mode sea to road": (ex.ship_mode_changed, lambda: _inputs(line({"ship_mode": "Truck"}))),
    "no WIP report yet": (ex.wip_stale, lambda: _inputs(line(planned={"CUT": TODAY}))),
    "late for cancel, DDP": (ex.late_for_cancel,
                             lambda: _inputs(line({"revised_xf": date(2027, 5, 1), "packed_qty": 200},
                                                  terms="DDP"))),
    "cancelled line in WIP": (ex.cancelled_line_in_production,
                              lambda: _inputs(stopped=(line({"cut_qty": 400, "report_date": date(2027, 2, 26),
                                                             "source_file": "V1 WIP.xlsx"},
                                                            stopped="PO line cancelled on Orders"),))),
}


def _case_findings(name: str) -> list[Finding]:
    if name in EXTRA:
        rule, make = EXTRA[name]
        return rule(make())
    rule = next(r for r in CASES if r.__name__ == name)
    _, fire, _ = CASES[rule]
    lines, kw = fire()
    return hits(rule, *lines, **kw)


ALL_CASES = [r.__name__ for r in CASES] + list(EXTRA)


def _vendor_texts(found: list[Finding], today: date = TODAY) -> dict[tuple[str, str], str]:
    """(rule name, ref) -> what the vendor's follow-up says, through the Exceptions frame as a run makes it."""
    frame, _ = ex.merge(pd.DataFrame(columns=[*ex.EXCEPTION_FIELDS, "_row"]), found, today)
    return {(it.item, it.ref): it.detail for it in fu.exception_items(frame)}


def _ref(f: Finding) -> str:
    s = f.subject
    assert s is not None
    return " / ".join(v for v in (s.po, s.style, s.color) if v) or str(s.vendor)


def _assert_vendor_gets_the_facts_alone(f: Finding, said: str) -> None:
    facts = ex.facts_of(f)
    assert facts, f.message
    assert not ADVICE_WORDS.search(said), said
    for token in FACT_TOKENS.findall(re.sub(r"^PO [^:]*:\s*", "", facts)):  # the PO, style, colour: the row's Ref
        assert token.rstrip(".,") in said, (token, facts, said)
    asks = (fi.ASK[str(f.code)], fi.ASK_SHIPPED.get(str(f.code), fi.ASK[str(f.code)]), "Please advise.")
    assert said.endswith(asks), said


def test_every_rule_has_a_case_here():
    assert {rule for rule, _ in EXTRA.values()} | set(CASES) == {*ex.RULES, *ex.STOPPED_RULES}


@pytest.mark.parametrize("name", ALL_CASES)
def test_the_detail_is_the_facts_then_the_advice_and_the_vendor_reads_the_facts(name):
    found = _case_findings(name)
    assert found, name
    said = _vendor_texts(found)
    for f in found:
        assert isinstance(f, ex.Found)
        assert f.message == (f.facts + f.joint + f.advice if f.advice else f.facts)
        assert f.message == ex.detail(f.facts, f.advice, f.joint)
        # where today's wordings split is where the old pattern cut: no fact is lost on the way to the vendor
        assert fu._FOR_APM.sub("", f.message).rstrip(" .:;,") == f.facts.rstrip(" .:;,")
        _assert_vendor_gets_the_facts_alone(f, said[(ex.ALL_RULE_NAMES[f.code], _ref(f))])


def test_the_json_of_a_finding_is_as_before():
    (f,) = _case_findings("late_for_cancel")
    assert set(f.to_dict()) == {"code", "severity", "message", "file", "sheet", "row", "column", "key", "value",
                                "fix", "found_in"}


def test_advice_the_old_pattern_does_not_know_stays_off_the_vendors_text():
    """A rule whose advice is worded unlike any the pattern knows ('Phone the buyer...', after a dash): the
    pattern finds nothing to cut, yet the vendor reads the facts alone."""
    def phone_the_buyer(inp: ex.Inputs) -> list[Finding]:
        return [ln.exception(Code.XF_REVISED_LATE, Severity.WARNING,
                             f"The vendor revised ex-factory to 20-Apr-27, 5 day(s) after the planned "
                             f"{_fmt(ln.ex_factory)}", "Phone the buyer about a USD 2,000 markdown.",
                             joint=" - ") for ln in inp.lines]

    (f,) = ex.evaluate(_inputs(line()), (phone_the_buyer,))
    assert fu._FOR_APM.search(f.message) is None  # the old way would have sent all of it
    assert "Phone the buyer" in f.message
    said = _vendor_texts([f])[("Ex-factory revised later", "P1 / S1 / Navy")]
    assert said == ("You revised ex-factory to 20-Apr-27, 5 day(s) after the planned 15-Apr-27. "
                    + fi.ASK[Code.XF_REVISED_LATE.value])


def test_a_vendors_status_with_an_advice_word_keeps_all_its_facts():
    """The fabric status 'Greige ok; expect 05-Mar' is the vendor's own word: the pattern cut the facts at
    '; expect', sending "(your status: 'Greige ok" and losing the date."""
    (f,) = hits(ex.fabric_not_in_house, line({"fabric_status": "Greige ok; expect 05-Mar"}, planned={"CUT": TODAY}))
    said = _vendor_texts([f])[("Fabric not in-house", "P1 / S1 / Navy")]
    assert said == ("Cutting was planned for 01-Mar-27 and the bulk fabric is not in-house (your status: 'Greige "
                    "ok; expect 05-Mar'). " + fi.ASK[Code.FABRIC_NOT_IN_HOUSE.value])
    assert "ask the mill" in f.message


def test_rows_no_rule_found_in_this_run_have_no_facts_and_are_said_as_before():
    """A row the APM typed (under a rule's code, or any other Rule) and one resolved by data carry no facts:
    the first is cut by the pattern as before, the second is sent as typed."""
    (found,) = hits(ex.revised_xf_later, line({"revised_xf": date(2027, 4, 16)}))
    old = pd.DataFrame([
        {"id": None, "po": "P2", "style": "S2", "color": "Red", "vendor": "V1", "rule": "ship-window-missed",
         "detail": "Shipped 02-Mar-27 after the cancel date: expect a chargeback.", "status": "Open"},
        {"id": None, "po": "P3", "style": "S3", "color": "Red", "vendor": "V1", "rule": "Hangtag artwork",
         "detail": "Send the hangtag artwork", "status": "Open"},
        {"id": "EX-0001", "po": "P4", "style": "S4", "color": "Red", "vendor": "V1", "rule": "in-dc-late",
         "detail": "Forecast in DC ...", "status": "Open"}])
    old["_row"] = range(2, 5)
    frame, _ = ex.merge(old, [found], TODAY)
    assert list(frame[ex.FACTS].isna()) == [True, True, True, False]
    assert frame[ex.FACTS].iloc[3] == found.message  # no advice: the facts are the whole Detail
    said = {it.ref: it.detail for it in fu.exception_items(frame)}
    assert said == {"P2 / S2 / Red": "Shipped 02-Mar-27 after the cancel date. Please advise.",
                    "P3 / S3 / Red": "Send the hangtag artwork. Please advise.",
                    "P1 / S1 / Navy": "You revised ex-factory to 16-Apr-27, 1 day(s) after the planned 15-Apr-27. "
                                      + fi.ASK[Code.XF_REVISED_LATE.value]}


# --- through the jobs: the facts travel in the frame, never onto the sheet ----------------------------------

def _ctx(out: Path, today: date = TODAY) -> Context:
    return Context(today=today, now=datetime.combine(today, datetime.min.time()).replace(hour=9), out=out)


def _plain(path: Path) -> str:
    import email
    from email import policy

    msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    return " ".join(msg.get_body(("plain",)).get_content().split())


def _rows(path: Path, sheet: str) -> list[dict]:
    values = sheet_values(path, sheet)
    return [dict(zip(values[0], r)) for r in values[1:]]


@pytest.mark.parametrize("jobs", [["ta", "exceptions", "followups"], ["ta", "followups"]],
                         ids=["exceptions remembered in the run", "follow-ups run without the exceptions step"])
def test_odd_advice_stays_on_the_apms_sheet_and_off_the_vendors_draft(tmp_path, monkeypatch, jobs):
    def phone_the_buyer(inp: ex.Inputs) -> list[Finding]:
        return [ln.exception(Code.XF_REVISED_LATE, Severity.WARNING,
                             f"The vendor moved ex-factory to {_fmt(ln.ex_factory)}",
                             "Phone the buyer about a USD 2,000 markdown.", joint=" - ") for ln in inp.lines]

    evaluate = ex.evaluate
    monkeypatch.setattr(ex, "evaluate", lambda inp, rules=(): evaluate(inp, (phone_the_buyer,)))
    path = write_book(tmp_path / "t.xlsx", base_sheets())
    if jobs[1] == "followups":  # the Exceptions sheet as a past run left it: the follow-ups run the rules
        run(path, ["ta", "exceptions"], _ctx(tmp_path / "first"))
    run(path, jobs, _ctx(tmp_path / "d"))
    exceptions = _rows(path, "Exceptions")
    assert exceptions and all("Phone the buyer about a USD 2,000 markdown." in r["Detail"] for r in exceptions)
    assert "_facts" not in sheet_values(path, "Exceptions")[0]  # the facts are never a column of the sheet
    chased = [r for r in _rows(path, "Follow-ups") if r["Item"] == "Ex-factory revised later"]
    assert len(chased) == len(exceptions)
    for r in chased:
        assert re.fullmatch(r"You moved ex-factory to \d{2}-[A-Z][a-z]{2}-\d{2}\. "
                            + re.escape(fi.ASK[Code.XF_REVISED_LATE.value]), r["Detail"]), r["Detail"]
        assert not ADVICE_WORDS.search(r["Detail"]) and "Phone" not in r["Detail"], r["Detail"]
    for draft in (tmp_path / "d").glob("*.eml"):
        text = _plain(draft)
        assert vv.VENDOR_NAMES[Code.XF_REVISED_LATE.value] in text and not ADVICE_WORDS.search(text), text


# --- the demo season ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_workbook(tmp_path_factory.mktemp("demo"), DEMO_DAY)


def test_every_rule_of_the_demo_sends_its_facts_and_no_advice(demo):
    """The demo's exceptions as the follow-ups see them: each row the rules found holds its facts; the
    sheet's Detail is those facts and the advice; the Follow-ups row (the draft's text) is made of the facts."""
    tracker = Tracker(FileBook(demo))
    ctx = Context(today=DEMO_DAY, now=datetime(2026, 11, 25, 9))
    frame, _, found, _ = exceptions_job.current_exceptions(tracker, ctx)
    by_key = {ex.identity_of(f): f for f in found}
    open_rows = ex.open_exceptions(frame)
    assert open_rows[ex.FACTS].notna().all()
    fired = set()
    for r in open_rows.to_dict("records"):
        f = by_key[ex.identity(r["rule"], r["po"], r["style"], r["color"], r["vendor"])]
        assert isinstance(f, ex.Found) and r[ex.FACTS] == f.facts
        assert r["detail"] == ex.detail(f.facts, f.advice, f.joint)
        fired.add(f.code)
    assert len(fired) >= 9, fired
    sheet = {(r["Vendor"], r["Item"], r["Ref"]): r["Detail"] for r in _rows(demo, "Follow-ups")}
    shipped = fu.shipped_lines(tracker.current(TA), ("XF", "IDC"), DEMO_DAY)  # asked for shipping details
    assert shipped
    for it in fu.exception_items(frame, shipped):
        assert sheet[(it.vendor, it.item, it.ref)] == it.detail
        f = next(f for f in found if ex.ALL_RULE_NAMES[f.code] == it.item and _ref(f) == it.ref)
        _assert_vendor_gets_the_facts_alone(f, it.detail)


def test_the_demos_exceptions_sheet_gets_no_new_column(demo):
    assert sheet_values(demo, "Exceptions")[0] == list(EXCEPTIONS.headers)
