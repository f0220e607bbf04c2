"""The demo's history gives believable scorecards: the good vendors score better than the struggling ones."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from prodbook.core import scorecards as sc
from prodbook.demo.tracker import VENDOR_BY_CODE, build_story
from prodbook.demo.vendor_files import REPORTING, vendor_reports, wip_history


def card_of(day: date) -> sc.Scorecard:
    """The scorecard of the demo's records as written (the T&A's planned dates from the story's plan)."""
    story = build_story(day)
    ta = pd.DataFrame([{"po": ln.po, "style": ln.style, "color": ln.color, "vendor": ln.vendor, "code": code,
                        "planned": planned.get(code), "actual": w.actual.get(code)}
                       for ln, w, planned in zip(story.lines, story.walks, story.planned)
                       for code in ("CUT", "PCK", "XF")])
    frames = {name: pd.DataFrame(rows) for name, rows in story.records.items()}
    this_week = [{"po": x.po, "style": x.style, "color": x.color, "vendor": r.vendor, "packed_qty": x.packed,
                  "report_date": r.on} for r in vendor_reports(story) for x in r.rows]  # the refresh imports these
    wip = pd.DataFrame(wip_history(story) + this_week)
    h = sc.History(frames["Orders"], ta, frames["Lab Dips"], frames["Samples"], wip,
                   styles=frames["Styles"], vendors=frames["Vendors"])
    return sc.scorecard(h, sc.ScoreSettings(), day)


@pytest.mark.parametrize("day", [date(2026, 11, 25), date(2027, 3, 10)])
def test_good_vendors_ship_on_time_more_often_and_report_more_regularly(day: date) -> None:
    card = card_of(day)
    t = sc.vendor_rows(card).set_index("vendor")
    xf = card.detail[card.detail["measure"] == sc.Measure.XF]
    struggling = xf["vendor"].map(lambda v: VENDOR_BY_CODE[v].struggling)
    good, bad = xf[~struggling]["ok"].astype(bool), xf[struggling]["ok"].astype(bool)
    assert len(good) >= 5 and len(bad) >= 2, "the season has shipped lines of both kinds of vendor"
    assert good.mean() > bad.mean() + 0.2
    # WIP reports: SHX every week, the others some weeks; TIR and AHD never (the WIP-stale rule's story)
    assert t.loc["SHX", "wip_punctuality_pct"] == 100.0
    assert t.loc["DHK", "wip_punctuality_pct"] < t.loc["SHX", "wip_punctuality_pct"]
    assert all(t.loc[v, "wip_received"] in (0, None) for v in VENDOR_BY_CODE if v not in REPORTING)
    # every figure's rows are in the drill-down, and lab dips and samples have a history to score
    assert {sc.Measure.XF, sc.Measure.DIP, sc.Measure.MILL, sc.Measure.SAMPLE, sc.Measure.WIP} <= set(
        card.detail["measure"])
    assert (card.detail[card.detail["measure"] == sc.Measure.SAMPLE]["ok"] == False).any()  # noqa: E712
