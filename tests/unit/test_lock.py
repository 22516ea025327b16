"""The project lock: one publish per project, and its first-run work done before any step."""

from __future__ import annotations

import threading
import time

from web_assets.files import publish_lock


def test_no_step_starts_before_the_first_taker_has_cleaned_up(tmp_path):
    events: list[str] = []

    def clean_up() -> None:
        events.append("clean-up started")
        time.sleep(0.05)  # a window for the other threads to slip through, if they could
        events.append("clean-up done")

    def step() -> None:
        publish_lock.take(tmp_path, first=clean_up)
        events.append("step")

    threads = [threading.Thread(target=step) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    publish_lock.drop(tmp_path)
    assert events == ["clean-up started", "clean-up done", "step", "step", "step"]


def test_the_lock_is_free_again_after_release(tmp_path):
    publish_lock.take(tmp_path)
    publish_lock.drop(tmp_path)
    ran = []
    publish_lock.take(tmp_path, first=lambda: ran.append(True))
    publish_lock.drop(tmp_path)
    assert ran == [True]
