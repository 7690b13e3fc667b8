"""The warm-up builds its ``first`` parts alone before starting the rest: a webhook's dedupe
claim waits for storage, which must not share two cores with four importing threads."""

from __future__ import annotations

import threading

from bot.warmup import WarmUp


def test_the_first_part_runs_alone_and_the_rest_start_after_it() -> None:
    release = threading.Event()
    started: list[str] = []
    lock = threading.Lock()

    def part(name: str, gate: threading.Event | None = None) -> None:
        with lock:
            started.append(name)
        if gate is not None:
            assert gate.wait(10)

    warm_up = WarmUp({"router": lambda: part("router"), "storage": lambda: part("storage", release),
                      "tools": lambda: part("tools")}, first=("storage",))
    warm_up.start()
    assert not warm_up.wait(0.3)  # storage is held: nothing else may have started
    with lock:
        assert started == ["storage"]
    assert warm_up.running
    release.set()
    assert warm_up.wait(10)
    assert started[0] == "storage" and sorted(started[1:]) == ["router", "tools"]
    assert not warm_up.running and warm_up.failed == {}


def test_without_first_parts_every_part_runs() -> None:
    ran: list[str] = []
    warm_up = WarmUp({"a": lambda: ran.append("a"), "b": lambda: ran.append("b")}, first=("missing",))
    warm_up.start()
    assert warm_up.wait(10) and sorted(ran) == ["a", "b"]
