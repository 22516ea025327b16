"""Benchmark the publish against its floors; prints one table of ratios measured in this run.

    python bench/run.py                  # full size: about 12 GB of temp files, about 15 minutes
    python bench/run.py --scale 0.1      # every file 10x smaller, for a quick look
    python bench/run.py --only w1 import # some workloads (default: all)

Every workload with a goal publishes with the default settings: each model runs in ONNX Runtime
on the fixtures, so the floors load each new model in ONNX Runtime once (bench/ort_loads.py).
A workload with a check off is information only, and says so.

Full size is 3 x 200 MiB models with 55 MiB of CSVs (W1-W3, W7, W9), 100 x 8 MiB (W4), 1,000 x
100 KiB with bundles (W5), a 384 MiB model (W6), 2 x 200 MiB (W7b). The temp files stay until the
end; the 12 GB include bench/objectstore_bench.py's 1.2 GB. The time is with --repeat 3 on 2 cores.

Each workload is built in a temp dir; variants run alternately, --repeat times, median taken.
`doit` runs as the real command in its own process, as a user runs it. The workloads live in
publish_workloads.py (import, W1-W3), scale_workloads.py (W4-W7) and feature_workloads.py
(W8-W10); the project they publish, in workspace.py; timing and the table, in measure.py.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from feature_workloads import w8, w9, w10
from measure import Table
from publish_workloads import import_time, w1_to_w3
from scale_workloads import w4, w5, w6, w7, w7b

# In the order they run: import first, while no workload's writes are still being flushed.
RUNNERS: dict[str, Callable[[Path, argparse.Namespace, Table], None]] = {
    "import": lambda base, args, table: import_time(base, args.repeat, table),
    "w1": lambda base, args, table: w1_to_w3(base, args.scale, args.repeat, table),
    "w4": lambda base, args, table: w4(base, args.scale, table),
    "w5": lambda base, args, table: w5(base, args.scale, args.repeat, table),
    "w6": lambda base, args, table: w6(base, args.scale, table),
    "w7": lambda base, args, table: w7(base, args.scale, args.repeat, table),
    "w7b": lambda base, args, table: w7b(base, args.scale, args.repeat, table),
    "w8": lambda base, args, table: w8(base, args.repeat, table),
    "w9": lambda base, args, table: w9(base, args.scale, args.repeat, table),
    "w10": lambda base, args, table: w10(args.repeat, table),
}
WORKLOADS = list(RUNNERS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every file size")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each variant (median)")
    parser.add_argument(
        "--only", nargs="*", choices=WORKLOADS, default=WORKLOADS, help="workloads (default: all)"
    )
    args = parser.parse_args()
    if shutil.which("openssl") is None:
        raise SystemExit("the floor needs `openssl` on PATH")
    table = Table()
    with tempfile.TemporaryDirectory(prefix="web-assets-bench-") as temp:
        base = Path(temp)
        os.environ.update({"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid"})
        os.environ.update(
            {"GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid"}
        )
        for name, runner in RUNNERS.items():
            if name in args.only:
                runner(base, args, table)
    print(
        f"\nweb-asset-pipeline benchmark, scale {args.scale}, {os.cpu_count()} cores, median of {args.repeat}:\n"
    )
    table.print()


if __name__ == "__main__":
    main()
