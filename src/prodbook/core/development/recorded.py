"""The T&A Actuals the development sheets already answer: one reading for the T&A rebuild (which writes
them), the follow-ups' chase (which must not ask for what was sent) and the demo (whose story must agree)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from prodbook.core.development import labdips

if TYPE_CHECKING:
    from prodbook.core.development.samples import SampleSettings


def recorded_actuals(ta: pd.DataFrame, dips: pd.DataFrame, samples: pd.DataFrame, today: date,
                     dip_settings: labdips.DipSettings | None = None,
                     sample_settings: SampleSettings | None = None) -> dict[int, Any]:
    """Position in ``ta`` -> the date its blank Actual takes from Lab Dips and Samples: an approved colour's
    approval date, its first Submitted date, a sample's Shipped date (fit, PP... sample submit). The first
    of these wins a milestone code they share. Settings as the job read them from Config (None: the
    defaults)."""
    dip_settings = dip_settings or labdips.DipSettings()
    fills = [labdips.fill_approval_actuals(ta, dips, today, dip_settings),
             labdips.fill_submit_actuals(ta, dips, today, dip_settings)]
    if len(samples):
        # the samples rules load the style checks (fiber, tariff, pycountry): only for a tracker with samples
        from prodbook.core.development import samples as sm

        fills.append(sm.fill_shipped_actuals(ta, samples, today, sample_settings or sm.SampleSettings()))
    dates: dict[int, Any] = {}
    for pos, got in fills:
        for p in pos.tolist():
            dates.setdefault(p, got.iat[p])
    return dates
