"""Every development frame of a tracker at once: lab dips and samples to chase, each style's status.

The shell around ``core.development.status``: the tracker is read through the development job's
inputs and settings, then the pure rules run on what was read.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from prodbook.core.development import samples, styles_check
from prodbook.core.development.status import development_status, pending_lab_dips, pending_samples
from prodbook.core.model.sheets import STYLES
from prodbook.jobs import development_job as dj
from prodbook.workbook.tracker import Tracker


def for_tracker(tracker: Tracker, today: date) -> dict[str, pd.DataFrame]:
    """Every development frame of a tracker at once.

    Keys: 'lab_dips' (pending_lab_dips), 'samples' (pending_samples), 'status'
    (development_status), 'line_review' (samples.line_review, empty without a Config
    'Line Review Date'), 'dip_status' (labdips.dip_status).
    """
    d = dj.inputs(tracker)
    view = dj.dip_view(tracker, today, dj.dip_settings(tracker, []))
    ss = dj.sample_settings(tracker, [])
    due = samples.ta_due(d.samples, d.ta, samples.type_codes(d.ta, ss)) if len(d.samples) else None
    review = samples.line_review(d.styles, d.samples, ss.line_review, ss) if ss.line_review else None
    style_settings = styles_check.style_settings(tracker.config.get, STYLES, tracker.file)
    customs, _ = samples.customs(d.styles, d.samples, style_settings, ss, d.places[STYLES.name],
                                 dj.hts_rows(d.styles))
    return {
        "dip_status": view.status,
        "lab_dips": pending_lab_dips(view.status, d.styles, today, view.approval),
        "samples": pending_samples(d.samples, d.styles, today, due, ss.courier_days),
        "line_review": review if review is not None else samples.line_review(d.styles.iloc[0:0], d.samples,
                                                                              today, ss),
        "status": development_status(d.styles, view.status, d.samples, today, review, customs),
    }
