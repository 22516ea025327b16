"""The workloads of scale: W4 (one of 100 models changed: bytes hashed), W5 (1,000 small models),
W6 (peak memory against a model's size), W7 (two large models hashed at once or one by one)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from measure import Table, median_of, run, settled
from workspace import PUBLISHED, MiB, Workspace, write_model

READS_PROBE = """
import io, json, sys
from pathlib import Path
from web_assets.files.digests import cache_for
from web_assets_doit.runner import run_doit
root = Path(sys.argv[1])
def rchar():
    return int(dict(line.split(": ") for line in Path("/proc/self/io").read_text().splitlines())["rchar"])
cache = cache_for(root)
before = rchar()
status, summary = run_doit(root, sys.argv[2:], io.StringIO())
print(json.dumps({"status": status, "rchar": rchar() - before, "hashed": cache.bytes_hashed, "ran": summary.ran}))
"""


def w4(base: Path, scale: float, table: Table) -> None:
    ws = Workspace(base, "w4")
    size = int(8 * MiB * scale)
    models = [ws.add_model(f"model_{i:03d}", size) for i in range(100)]
    ws.add_csvs(int(5 * MiB * scale), int(1 * MiB * scale))
    run(ws.doit(*ws.settings(commit=False)), ws.root)
    time.sleep(0.2)  # past the digest cache's racy window, as between two real publishes
    run(ws.doit(*ws.settings(commit=False)), ws.root)
    changed = models[42]
    write_model(changed, size)
    probe = subprocess.run(
        [sys.executable, "-c", READS_PROBE, str(ws.root), *ws.settings(commit=False)],
        cwd=ws.root,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(probe.stdout)
    assert result["status"] == 0, probe.stdout
    table.add(
        "W4 100 models, 1 changed: bytes hashed / changed",
        f"{result['hashed'] / MiB:.1f} MiB / {size / MiB:.1f} MiB",
        result["hashed"] / size,
        "<= 1.05",
    )
    table.add(
        "W4 same, all bytes the process read / changed",
        f"{result['rchar'] / MiB:.1f} MiB / {size / MiB:.1f} MiB",
        result["rchar"] / size,
        "(info)",
    )


def w5(base: Path, scale: float, repeat: int, table: Table) -> None:
    """1,000 model files of 100 KiB, as the issue states them: models only, so without the
    bundles the model check needs (check_models=false); then the same with a bundle each."""
    many_models(base, scale, repeat, table, bundles=False)
    many_models(base, scale, repeat, table, bundles=True)


def many_models(base: Path, scale: float, repeat: int, table: Table, bundles: bool) -> None:
    ws = Workspace(base, "w5b" if bundles else "w5")
    size = max(int(100 * 1024 * scale), 1)
    for i in range(1000):
        if bundles:
            ws.add_model(f"model_{i:04d}", size)
        else:
            write_model(ws.run_dir / f"model_{i:04d}.onnx", size)
    ws.add_csvs(int(1 * MiB * scale), int(100 * 1024 * scale))
    settings = ws.settings(commit=False) + ([] if bundles else ["check_models=false"])
    label = "W5b 1,000 models + 1,000 bundles" if bundles else "W5 1,000 models"
    goal_full, goal_noop = ("(info)", "(info)") if bundles else ("<= 1.5", "<= 0.8")

    # The naive script publishes into a folder of its own: written into ours, it would change
    # every file our no-op then finds (same bytes, new stats, another manifest).
    naive_root = ws.root.with_name(ws.root.name + "-naive")
    naive_root.mkdir()

    def full() -> float:
        ws.clear_outputs()
        settled()
        return run(ws.doit(*settings), ws.root)

    def naive() -> float:
        for name in PUBLISHED:
            shutil.rmtree(naive_root / name, ignore_errors=True)
        settled()
        return run(ws.naive(naive_root), naive_root)

    full_t, naive_t = median_of(repeat, full, naive)
    table.add(
        f"{label}, full / naive", f"{full_t:.2f}s / {naive_t:.2f}s", full_t / naive_t, goal_full
    )
    run(ws.doit(*settings), ws.root)

    def noop() -> float:
        return run(ws.doit(*settings), ws.root)

    def naive_again() -> float:
        return run(ws.naive(naive_root), naive_root)

    noop_t, naive_t = median_of(repeat, noop, naive_again)
    table.add(
        f"{label}, no-op / naive", f"{noop_t:.2f}s / {naive_t:.2f}s", noop_t / naive_t, goal_noop
    )


# A forked child's peak RSS counts the pages it shares with its parent, and this process holds
# the models it built: so doit is started from a small, fresh Python that reports its peak.
RSS_PROBE = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
_, status, usage = os.wait4(child.pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss * 1024, child.stderr.read().decode())
"""


def peak_rss(ws: Workspace) -> int:
    probe = [sys.executable, "-c", RSS_PROBE, *ws.doit(*ws.settings(commit=False))]
    result = subprocess.run(probe, cwd=ws.root, capture_output=True, text=True, check=True)
    status, peak, errors = result.stdout.split(" ", 2)
    if status != "0":
        raise SystemExit(errors)
    return int(peak)


def w6(base: Path, scale: float, table: Table) -> None:
    results = []
    for name, size in (("small", 8 * MiB), ("large", int(1024 * MiB * scale))):
        ws = Workspace(base, f"w6-{name}")
        ws.add_model("model", size)
        ws.add_csvs(64 * 1024, 16 * 1024)
        results.append(peak_rss(ws))
    growth = (results[1] - results[0]) / MiB
    table.add(
        f"W6 peak RSS growth (MiB), 8 MiB -> {int(1024 * scale)} MiB model",
        f"{results[0] / MiB:.1f} -> {results[1] / MiB:.1f} MiB",
        growth,
        "< 16",
    )


def w7(base: Path, scale: float, repeat: int, table: Table) -> None:
    """Two large new models in the export folder: hashed one after the other, or two at a time."""
    ws = Workspace(base, "w7")
    ws.run_dir = ws.root / "artifacts/run_export"
    ws.run_dir.mkdir(parents=True)
    for i in range(2):
        ws.add_model(f"model_{i}", int(200 * MiB * scale))
    ws.add_csvs(64 * 1024, 16 * 1024)

    def fresh(threads: int) -> float:
        shutil.rmtree(ws.root / ".web-assets", ignore_errors=True)
        (ws.root / ".doit.db").unlink(missing_ok=True)
        return run(ws.doit(*ws.settings(commit=False), f"hash_threads={threads}"), ws.root)

    parallel, sequential = median_of(repeat, lambda: fresh(2), lambda: fresh(1))
    table.add(
        "W7 2 new 200 MiB models, 2 hash threads / 1",
        f"{parallel:.2f}s / {sequential:.2f}s",
        parallel / sequential,
        "< 1",
    )
