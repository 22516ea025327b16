"""The workloads of scale: W4 (one of 100 models changed: bytes hashed), W5 (1,000 small models
and their bundles), W6 (peak memory against ONNX Runtime's own), W7 (one large model retrained),
W7b (two large models hashed at once or one by one)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from measure import Table, median_of, run, settled, shell
from publish_workloads import loads
from workspace import PUBLISHED, REPO, MiB, Workspace, write_model

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
    """1,000 models of 100 KiB with their bundles, default settings (W5); then the models alone
    with the model check off, for information (W5, checks off)."""
    many_models(base, scale, repeat, table, bundles=True)
    many_models(base, scale, repeat, table, bundles=False)


def many_models(base: Path, scale: float, repeat: int, table: Table, bundles: bool) -> None:
    ws = Workspace(base, "w5" if bundles else "w5-unchecked")
    size = max(int(100 * 1024 * scale), 1)
    for i in range(1000):
        if bundles:
            ws.add_model(f"model_{i:04d}", size)
        else:
            write_model(ws.run_dir / f"model_{i:04d}.onnx", size)
    ws.add_csvs(int(1 * MiB * scale), int(100 * 1024 * scale))
    settings = ws.settings(commit=False) + ([] if bundles else ["check_models=false"])
    label = "W5 1,000 models + bundles" if bundles else "W5 1,000 models, checks off (info)"
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

    def model_loads() -> float:
        return shell(loads([ws.run_dir]), ws.root)

    full_t, naive_t, loads_t = median_of(repeat, full, naive, model_loads)
    if bundles:
        floor_t = naive_t + loads_t
        measured = f"{full_t:.2f}s / {naive_t:.2f}s + {loads_t:.2f}s"
        table.add(f"{label}, full / naive + 1,000 loads", measured, full_t / floor_t, "<= 1.5")
    else:
        table.add(
            f"{label}, full / naive", f"{full_t:.2f}s / {naive_t:.2f}s", full_t / naive_t, "(info)"
        )
    run(ws.doit(*settings), ws.root)

    def noop() -> float:
        return run(ws.doit(*settings), ws.root)

    def naive_again() -> float:
        return run(ws.naive(naive_root), naive_root)

    noop_t, naive_t = median_of(repeat, noop, naive_again)
    table.add(
        f"{label}, no-op / naive",
        f"{noop_t:.2f}s / {naive_t:.2f}s",
        noop_t / naive_t,
        "<= 0.4" if bundles else "(info)",
    )


# A forked child's peak RSS counts the pages it shares with its parent, and this process holds
# the models it built: so doit is started from a small, fresh Python that reports its peak.
RSS_PROBE = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
_, status, usage = os.wait4(child.pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss * 1024, child.stderr.read().decode())
"""


def peak_rss(command: list[str], cwd: Path) -> int:
    """The largest peak RSS of `command` and the children it waited for, in bytes."""
    probe = [sys.executable, "-c", RSS_PROBE, *command]
    result = subprocess.run(probe, cwd=cwd, capture_output=True, text=True, check=True)
    status, peak, errors = result.stdout.split(" ", 2)
    if status != "0":
        raise SystemExit(errors)
    return int(peak)


def w6(base: Path, scale: float, table: Table) -> None:
    """Peak RSS of a publish of one 384 MiB model (its run in ONNX Runtime included: the child's
    peak counts) against ONNX Runtime alone loading the same model."""
    ws = Workspace(base, "w6")
    model = ws.add_model("model", int(384 * MiB * scale))
    ws.add_csvs(64 * 1024, 16 * 1024)
    ours = peak_rss(ws.doit(*ws.settings(commit=False)), ws.root)
    alone = peak_rss([sys.executable, str(REPO / "bench" / "ort_loads.py"), str(model)], ws.root)
    growth = (ours - alone) / 1e6
    table.add(
        f"W6 peak RSS, {int(384 * scale)} MiB model: publish / ONNX Runtime alone (+MB)",
        f"{ours / 1e6:.0f} MB / {alone / 1e6:.0f} MB",
        growth,
        "<= 64",
    )


def w7(base: Path, scale: float, repeat: int, table: Table) -> None:
    """One 200 MiB model of three retrained, dataset unchanged, no commit: against its floor,
    cp + openssl of that model, one ONNX Runtime load of it, sync."""
    ws = Workspace(base, "w7")
    models = [ws.add_model(f"model_{i}", int(200 * MiB * scale)) for i in range(3)]
    ws.add_csvs(int(50 * MiB * scale), int(5 * MiB * scale))
    run(ws.doit(*ws.settings(commit=False)), ws.root)
    floor_dir = ws.root.parent / "w7-floor"
    floor_dir.mkdir()
    retrained = models[1]

    def ours() -> float:
        write_model(retrained, int(200 * MiB * scale))
        settled()
        return run(ws.doit(*ws.settings(commit=False)), ws.root)

    def floor() -> float:
        settled()
        copy = f"cp '{retrained}' '{floor_dir}/' && openssl dgst -sha256 '{retrained}' > /dev/null"
        return shell(f"{copy} && {loads([retrained])} && sync", ws.root)

    ours_t, floor_t = median_of(repeat, ours, floor)
    table.add(
        "W7 1 of 3 200 MiB models retrained, no commit / cp + openssl + 1 load + sync",
        f"{ours_t:.2f}s / {floor_t:.2f}s",
        ours_t / floor_t,
        "<= 1.3",
    )


def w7b(base: Path, scale: float, repeat: int, table: Table) -> None:
    """Two large new models in the export folder: hashed one after the other, or two at a time."""
    ws = Workspace(base, "w7b")
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
        "W7b 2 new 200 MiB models, 2 hash threads / 1",
        f"{parallel:.2f}s / {sequential:.2f}s",
        parallel / sequential,
        "< 1",
    )
