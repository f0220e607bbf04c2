"""A run paces Python's cycle collector for its millions of cells (``jobs.memory``), and puts it back as it
was: the add-in's Python lives on between runs, and so does the test process."""

from __future__ import annotations

import gc
import weakref
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import base_sheets, write_book
from prodbook.jobs.base import Context
from prodbook.jobs.memory import BULK_THRESHOLD, few_collections
from prodbook.jobs.runner import run
from prodbook.workbook.filebook import FileBook


def gc_state() -> tuple[tuple[int, int, int], int]:
    return gc.get_threshold(), gc.get_freeze_count()


def test_a_run_collects_less_and_puts_the_collector_back():
    before = gc_state()
    with few_collections():
        assert gc.get_threshold()[0] >= BULK_THRESHOLD
        assert gc.get_threshold()[1:] == before[0][1:]
        assert gc.get_freeze_count() > 0  # the modules set aside
        with few_collections():  # the runner inside a command
            pass
        assert gc.get_threshold()[0] >= BULK_THRESHOLD and gc.get_freeze_count() > 0  # the outer one's still
    assert gc_state() == before


def test_a_failed_run_puts_the_collector_back_too():
    before = gc_state()
    with pytest.raises(ValueError), few_collections():
        raise ValueError("a job failed")
    assert gc_state() == before


class Node:
    other: Node


def garbage_cycle() -> weakref.ref[Node]:
    """Two objects that hold each other and nothing else: only the cycle collector frees them."""
    a, b = Node(), Node()
    a.other, b.other = b, a
    return weakref.ref(a)


def test_cycles_made_during_a_run_are_still_collected():
    """Paced, not switched off: a cycle of garbage made in a run is freed by the collector on its own."""
    with few_collections():
        gone = garbage_cycle()
        assert gone() is not None  # a cycle: only the collector frees it
        held = [[] for _ in range(2 * BULK_THRESHOLD)]  # new objects enough for the collector to run
        assert gone() is None
        del held


def test_the_runner_reads_the_workbook_with_the_collector_paced(tmp_path: Path, monkeypatch: Any):
    path = write_book(tmp_path / "tracker.xlsx", base_sheets())
    seen: list[int] = []
    read = FileBook.read_sheet

    def spy(self: FileBook, sheet: str) -> list[list[Any]]:
        seen.append(gc.get_threshold()[0])
        return read(self, sheet)

    monkeypatch.setattr(FileBook, "read_sheet", spy)
    before = gc_state()
    run(path, ["ta"], Context(today=date(2027, 3, 1)))
    assert seen and min(seen) >= BULK_THRESHOLD
    assert gc_state() == before


def test_a_run_frees_what_the_run_before_left_for_the_collector():
    """The add-in's Python between two button presses makes few objects, so the collector does not run on its
    own; the next run must not set the last one's cycles aside with the modules (``gc.freeze``) for good."""
    with few_collections():
        gone = garbage_cycle()
    with few_collections():  # (not collected at the end of a run: that would only cost every command)
        assert gone() is None


def test_button_presses_do_not_grow_excels_python(tmp_path: Path):
    """Each run's garbage is freed by the next: after six runs no more is waiting than after one (before, the
    demo's refresh left 4 MB a press, and the add-in's Python grew by every press all day)."""
    from fakexl import FakeBook
    from prodbook.excel import ribbon

    path = write_book(tmp_path / "tracker.xlsx", base_sheets())

    def presses(n: int) -> int:
        gc.collect()
        for _ in range(n):
            report = ribbon.perform(ribbon.action("pbRefresh"), FakeBook.from_file(path))
            assert "logged as 'Refresh" in report.message, report.message
        return gc.collect()  # what is still waiting for the collector

    one = presses(1)
    assert one > 0  # a run does leave cycles: the test can see them
    assert presses(6) < 2 * one
