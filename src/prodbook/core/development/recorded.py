"""The T&A Actuals the development sheets already answer: one reading for the T&A rebuild (which writes
them), the follow-ups' chase (which must not ask for what was sent) and the demo (whose story must agree)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from prodbook.core.config import Config
from prodbook.core.development import labdips


def recorded_actuals(ta: pd.DataFrame, dips: pd.DataFrame, samples: pd.DataFrame, today: date,
                     config: Config | None = None, file: str | None = None) -> dict[int, Any]:
    """Position in ``ta`` -> the date its blank Actual takes from Lab Dips and Samples: an approved colour's
    approval date, its first Submitted date, a sample's Shipped date (fit, PP... sample submit). The first
    of these wins a milestone code they share. Settings from ``config`` (None: the defaults)."""
    dip_settings = labdips.settings_from(config, file, []) if config is not None else labdips.DipSettings()
    fills = [labdips.fill_approval_actuals(ta, dips, today, dip_settings),
             labdips.fill_submit_actuals(ta, dips, today, dip_settings)]
    if len(samples):
        # the samples rules load the style checks (fiber, tariff, pycountry): only for a tracker with samples
        from prodbook.core.development import samples as sm

        settings = sm.settings_from(config, file, []) if config is not None else sm.SampleSettings()
        fills.append(sm.fill_shipped_actuals(ta, samples, today, settings))
    dates: dict[int, Any] = {}
    for pos, got in fills:
        for p in pos.tolist():
            dates.setdefault(p, got.iat[p])
    return dates
