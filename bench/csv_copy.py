"""Speed of a CSV's publish copy (copy, hash, count rows, check the text) in MB/s.

Usage: python bench/csv_copy.py FILE.csv [FILE.csv ...]. Each file is read from the page cache
(read once first); `copy` is copy_file with fsync (wall time), `scan` the same read loop without
the write, in CPU time of this process, which isolates the cost of hashing, counting and
checking from the disk and from other load on the machine. Best of 5.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from web_assets.files.hashed_copy import copy_file
from web_assets.files.hashing import LineCount, scan

ROUNDS = 5


def best(run, clock=time.perf_counter) -> float:
    times = []
    for _ in range(ROUNDS):
        started = clock()
        run()
        times.append(clock() - started)
    return min(times)


def measure(source: Path) -> str:
    size = os.stat(source).st_size
    with source.open("rb") as stream:
        scan(stream, "warming", source.name, size, hashing=False)
    with tempfile.TemporaryDirectory(dir=source.parent) as folder:
        target = Path(folder) / source.name
        copy = best(lambda: copy_file(source, target, lines=LineCount()))

    def scan_only() -> None:
        with source.open("rb") as stream:
            scan(stream, "scanning", source.name, size, LineCount())

    scanned = best(scan_only, time.process_time)
    mb = size / 1e6
    return (
        f"{source.name}: {mb:.1f} MB, copy {mb / copy:.0f} MB/s, scan {mb / scanned:.0f} MB/s (CPU)"
    )


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(measure(Path(name)), flush=True)
