"""The workloads of one feature each: the models' run before a publish (W8), the object store
(W9) and the release history (W10). W9 and W10 take a figure from their own bench/ script."""

from __future__ import annotations

import json
import math
import os
import re
import sys
from pathlib import Path

from measure import FAILED, Table, bench_script, median_of, run
from workspace import REPO, MiB, Workspace


def w8(base: Path, repeat: int, table: Table) -> None:
    """Three retrained 200-330 KB tree ensembles replace published ones, run on 200 fixtures of a
    3.4 MB main CSV (bench/smoke_bench.py's workload): the publish with the models' run (smoke
    test and shift; coverage is in both) against the same publish with smoke_fixtures=0."""
    import smoke_bench

    ws = Workspace(base, "w8")
    smoke_bench.write_dataset(ws.root / "sources")
    header = ws.dataset.open().readline().rstrip("\r\n").split(",")
    runs = {}
    for name, seed in (("run_20251127-101500", 2), ("run_20251128-101500", 1)):
        runs[name] = ws.root / "runs" / name
        runs[name].mkdir(parents=True, exist_ok=True)
        bundles = smoke_bench.write_models(runs[name], header, "", seed)
        for model_id, names in bundles.items():
            bundle = runs[name] / f"{model_id}_preprocessing.json"
            bundle.write_text(json.dumps({"feature_names": names}))
    old, new = (f"run_dir={path.relative_to(ws.root)}" for path in runs.values())
    settings = [arg for arg in ws.settings(commit=False) if not arg.startswith("run_dir=")]

    def publish(*extra: str) -> float:
        ws.clear_outputs()
        ws.reset_git()
        run(ws.doit(*settings, old, "commit=true"), ws.root)
        return run(ws.doit(*settings, new, *extra), ws.root)

    checked, unchecked = median_of(repeat, publish, lambda: publish("smoke_fixtures=0"))
    table.add(
        "W8 3 models replaced, 200 fixtures: smoke + shift add (s)",
        f"{checked:.2f}s - {unchecked:.2f}s",
        checked - unchecked,
        "< 0.5",
    )
    publish()

    def noop() -> float:
        return run(ws.doit(*settings, new), ws.root)

    def listing() -> float:
        return run(ws.doit("list", *settings, new), ws.root)

    noop_t, list_t = median_of(max(repeat, 5), noop, listing)
    table.add("W8 no-op / doit list", f"{noop_t:.3f}s / {list_t:.3f}s", noop_t / list_t, "<= 1.3")


def w9(base: Path, scale: float, repeat: int, table: Table) -> None:
    """storage = "s3" to a local SeaweedFS: the no-op publish (the server stopped, so it cannot
    send a request) against `doit list`; then bench/objectstore_bench.py's upload ratio."""
    sys.path.insert(0, str(REPO))
    from testing.seaweedfs import SeaweedFS

    ws = Workspace(base, "w9")
    for i in range(3):
        ws.add_model(f"model_{i}", int(200 * MiB * scale))
    ws.add_csvs(int(50 * MiB * scale), int(5 * MiB * scale))
    with SeaweedFS(base / "seaweedfs") as server:
        bucket = server.new_bucket()
        os.environ.update(server.env())
        # s3 URIs name each object's key (the default {public_base_url}/{key}), not the branch.
        settings = [
            *(arg for arg in ws.settings(commit=True) if not arg.startswith("uri_template=")),
            # Its CSVs carry no financial columns (as W1's): the web app's check is not measured.
            "financial_app_columns=",
            "storage=s3",
            f"s3_bucket={bucket}",
            f"s3_endpoint_url={server.endpoint_url}",
            f"public_base_url={server.public_base_url}/{bucket}",
            "uri_template={public_base_url}/{key}",  # over pyproject.toml's git template
        ]
        run(ws.doit(*settings), ws.root)
    noop_t, list_t = median_of(
        max(repeat, 5),
        lambda: run(ws.doit(*settings), ws.root),
        lambda: run(ws.doit("list", *settings), ws.root),
    )
    table.add(
        "W9 s3 no-op / doit list", f"{noop_t:.3f}s / {list_t:.3f}s", noop_t / list_t, "<= 1.3"
    )
    size = max(5, int(200 * scale))
    out = bench_script("objectstore_bench.py", f"--size={size}", f"--repeat={repeat}")
    ratio = re.search(r"ratio ours / boto3 +([\d.]+)", out)
    label = f"W9 3 x {size} MiB upload / boto3 upload_file"
    if ratio is None:
        table.add(label, FAILED, math.nan, "<= 1.1")
    else:
        table.add(label, "see objectstore_bench", float(ratio[1]), "<= 1.1")


def w10(repeat: int, table: Table) -> None:
    """Issue #12: list 500 releases and summarise each, as bench/history_bench.py does. Its
    releases are small and built in a second, so the count is 500 at any scale."""
    releases = 500
    out = bench_script("history_bench.py", f"--releases={releases}", f"--repeat={max(repeat, 5)}")
    median = re.search(r"for \d+ releases: median ([\d.]+) s", out)
    processes = re.search(r"git processes per listing: (\d+)", out)
    label = f"W10 list + summarise {releases} releases (s)"
    if median is None or processes is None:
        table.add(label, FAILED, math.nan, "< 2")
    else:
        measured = f"{float(median[1]):.3f}s, {processes[1]} git processes"
        table.add(label, measured, float(median[1]), "< 2")
