"""The project lock: one publish per project, and its first-run work done before any step."""

from __future__ import annotations

import threading
import time

from tasks import lock


def test_no_step_starts_before_the_first_taker_has_cleaned_up(tmp_path):
    events: list[str] = []

    def clean_up() -> None:
        events.append("clean-up started")
        time.sleep(0.05)  # a window for the other threads to slip through, if they could
        events.append("clean-up done")

    def step() -> None:
        lock.acquire(tmp_path, first=clean_up)
        events.append("step")

    threads = [threading.Thread(target=step) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lock.release(tmp_path)
    assert events == ["clean-up started", "clean-up done", "step", "step", "step"]


def test_the_lock_is_free_again_after_release(tmp_path):
    lock.acquire(tmp_path)
    lock.release(tmp_path)
    ran = []
    lock.acquire(tmp_path, first=lambda: ran.append(True))
    lock.release(tmp_path)
    assert ran == [True]
