"""A whole demo run against its golden digest (regenerate with `make golden` when a change is meant)."""

from __future__ import annotations

import json

from golden_digest import GOLDEN, run_demo


def test_demo_run_matches_the_golden_digest(tmp_path):
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    got = json.loads(json.dumps(run_demo(tmp_path), ensure_ascii=False))
    for part in expected:  # part by part, so a failure names what moved: a count, or which finding where
        assert got.get(part) == expected[part], (f"the demo run changed in '{part}'; if that is intended, run "
                                                 "`make golden` and review the diff")
    assert set(got) == set(expected)
