"""Python's cyclic garbage collector runs on the desk's GUI thread only (ui.tasks.GuiCollector), whatever the
desk's other threads allocate: a collection on a worker could delete Qt objects there and crash the desk."""

from __future__ import annotations

import gc
import threading
import weakref

import pytest
from PySide6.QtCore import QObject

from ui.app import resume_gc
from ui.tasks import run_task

CYCLES = 60_000  # per worker: three workers stay below the collector's CEILING, so nothing here depends on speed


class Node:
    """A garbage cycle's member that says, when it is finalized, on which thread."""

    finalized_on: list[int] = []

    def __init__(self, payload=None):
        self.me = self
        self.payload = payload

    def __del__(self):
        Node.finalized_on.append(threading.get_ident())


def _make_cycles(n: int) -> int:
    """Make ``n`` unreachable cycles of two lists each (garbage only the collector can free)."""
    for _ in range(n):
        a, b = [], []
        a.append(b)
        b.append(a)
    return n


@pytest.fixture
def collections():
    """Every collection's (generation, thread) while the test runs (gc.callbacks)."""
    seen: list[tuple[int, int]] = []

    def record(phase: str, info: dict) -> None:
        if phase == "start":
            seen.append((info["generation"], threading.get_ident()))

    gc.callbacks.append(record)
    yield seen
    gc.callbacks.remove(record)


def test_while_the_desk_runs_worker_threads_never_collect_and_the_gui_thread_does(qtbot, collections):
    resume_gc()  # what the desk runs at its first idle (ui.app.run)
    gui = threading.get_ident()
    done: list[int] = []
    threads = [threading.Thread(target=lambda: done.append(_make_cycles(CYCLES))) for _ in range(2)]
    for thread in threads:
        thread.start()
    run_task(lambda: _make_cycles(CYCLES), lambda result, error: done.append(result))  # the desk's thread pool
    qtbot.waitUntil(lambda: len(done) == 3, timeout=60_000)
    for thread in threads:
        thread.join()
    assert [(generation, who) for generation, who in collections if who != gui] == []

    def gui_collected() -> bool:
        _make_cycles(500)  # the GUI thread's own garbage: it collects only on its timer's tick
        return any(who == gui for _, who in collections)

    qtbot.waitUntil(gui_collected, timeout=60_000)
    assert [(generation, who) for generation, who in collections if who != gui] == []


def test_cyclic_garbage_made_on_a_worker_thread_is_reclaimed_on_the_gui_thread(qtbot):
    resume_gc()
    Node.finalized_on.clear()
    handed = [QObject()]  # a Qt object made on the GUI thread: the worker's cycle takes the only reference
    refs: list[weakref.ref] = []

    def work() -> int:
        node = Node(handed.pop())
        refs.append(weakref.ref(node))
        del node  # unreachable now, but for its cycle
        return _make_cycles(CYCLES)  # what a worker allocates meanwhile (more cycles)

    done: list[object] = []
    run_task(work, lambda result, error: done.append(error or result))

    def reclaimed() -> bool:
        # Garbage keeps coming, as in a desk at work: had a collection found the node still alive (moved to an
        # older generation), a later, older collection finds it.
        _make_cycles(500)
        return bool(done) and bool(refs) and refs[0]() is None

    qtbot.waitUntil(reclaimed, timeout=60_000)
    assert done == [CYCLES]
    assert Node.finalized_on == [threading.get_ident()]


def test_a_gui_thread_kept_from_its_event_loop_lets_garbage_grow_only_to_the_ceiling(qtbot, collections):
    """The bound, and its price: past the ceiling CPython collects where it allocates, as before the collector."""
    from ui.tasks import GuiCollector, collect_on_gui_thread

    desk = collect_on_gui_thread()
    desk.stop()
    small = GuiCollector(ceiling=20_000)
    small.start()
    try:
        gui = threading.get_ident()
        worker = threading.Thread(target=_make_cycles, args=(CYCLES,))
        worker.start()
        worker.join()  # the GUI thread waits here, away from its event loop, while the worker makes garbage
        on_worker = [generation for generation, who in collections if who == worker.ident]
        assert on_worker  # the ceiling was passed: the worker collected, so the garbage stayed bounded
        assert gc.get_count()[0] <= 20_000 + 1_000
        before = len(collections)
        _make_cycles(1_000)  # garbage enough for the next tick's collection
        qtbot.waitUntil(lambda: len(collections) > before, timeout=60_000)  # back in the loop: the GUI collects
        assert {who for _, who in collections[before:]} == {gui}
    finally:
        small.stop()
        desk.start()


def test_after_a_freeze_the_next_full_collection_does_not_wait_for_a_quarter_of_the_frozen_heap(qtbot):
    """After the re-index the desk freezes what it left in the name caches; CPython would still compare what
    reaches the oldest generation with what its last full collection kept, frozen since, and not collect it for
    hours. The collector's ticks are run here by hand, on this (the GUI) thread: the same calls, no timing."""
    from ui.tasks import collect_on_gui_thread, freeze_heap

    collector = collect_on_gui_thread()
    collector.stop()
    collector.start()  # counts start afresh: the oldest generation is counted at the first tick
    kept = [[n] for n in range(100_000)]  # long-lived, as the name caches a build fills
    gc.collect()

    def full_collections_in(ticks: int) -> int:
        before = collector.collections[2]
        for _ in range(ticks):
            _make_cycles(400)  # garbage that dies young: nothing of it reaches the oldest generation
            collector.collect_if_due()
        return collector.collections[2] - before

    try:
        assert full_collections_in(300) == 0  # CPython's rule: a quarter of the heap must be added first
        freeze_heap()
        assert full_collections_in(300) >= 1  # the oldest generation, empty after the freeze, is counted afresh
    finally:
        gc.unfreeze()
    assert len(kept) == 100_000
