"""Progress of a large copy or hash, on a terminal only."""

from __future__ import annotations

import sys
import time

PROGRESS_MIN_SIZE = 64 << 20
PROGRESS_INTERVAL = 0.25


class Progress:
    """Bytes done and rate for a large file, on stderr when it is a terminal; silent otherwise."""

    def __init__(self, verb: str, label: str, total: int):
        self.enabled = total >= PROGRESS_MIN_SIZE and sys.stderr.isatty()
        self.verb, self.label, self.total = verb, label, total
        self.done = 0
        self.started = time.monotonic()
        self.shown = self.started - PROGRESS_INTERVAL

    def add(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if self.enabled and now - self.shown >= PROGRESS_INTERVAL:
            self.shown = now
            rate = self.done / max(now - self.started, 1e-9) / 1e6
            sys.stderr.write(
                f"\r{self.verb} {self.label}: {self.done >> 20}/{self.total >> 20} MiB, {rate:.0f} MB/s"
            )
            sys.stderr.flush()

    def finish(self) -> None:
        if self.enabled:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
