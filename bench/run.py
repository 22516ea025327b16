"""Benchmark the publish against its floors; prints one table of ratios measured in this run.

    python bench/run.py                  # full size: about 11 GB of temp files, about 7 minutes
    python bench/run.py --scale 0.1      # every file 10x smaller, for a quick look
    python bench/run.py --only w1 import # some workloads (default: all)

Full size is 3 x 200 MiB models with 55 MiB of CSVs (W1-W3, W9), 100 x 8 MiB (W4), 1,000 x
100 KiB (W5), a 1 GiB model (W6), 2 x 200 MiB (W7). The temp files stay until the end; the
11 GB include bench/objectstore_bench.py's 1.2 GB. The time is with --repeat 3 on 2 cores.

Each workload is built in a temp dir; variants run alternately, --repeat times, median taken.
`doit` runs as the real command in its own process, as a user runs it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MiB = 1 << 20
PUBLISHED = ["artifacts", "web"]
FEATURES = b",".join(b"feature_%03d" % i for i in range(204))
MAIN_HEADER = b"season,home_team_name,away_team_name,match_date,result," + FEATURES
FINANCIAL_HEADER = b"season,home_team,away_team,match_date,result," + FEATURES
# The row of a bench/ script that printed no result: its value is NaN, so its goal reads NO.
FAILED = "failed: see stderr"


class Workspace:
    """A project (dodo.py, pyproject.toml, git) with a run exported outside its export folder."""

    def __init__(self, base: Path, name: str):
        self.root = base / name
        self.root.mkdir()
        for file in ("dodo.py", "pyproject.toml"):
            shutil.copy2(REPO / file, self.root / file)
        # dodo.py's wiring lives beside it (not installed).
        shutil.copytree(
            REPO / "tasks", self.root / "tasks", ignore=shutil.ignore_patterns("__pycache__")
        )
        (self.root / ".gitignore").write_text(".doit.db\n.web-assets/\nruns/\nsources/\n")
        self.run_dir = self.root / "runs/run_20251128-101500"
        self.run_dir.mkdir(parents=True)
        (self.root / "sources").mkdir()
        self.dataset = self.root / "sources/Dataset_Version_9.csv"
        self.financial = self.root / "sources/financial_dataset.csv"
        self.reset_git()

    def add_model(self, name: str, size: int) -> Path:
        path = self.run_dir / f"{name}.onnx"
        write_model(path, size)
        (self.run_dir / f"{name}_preprocessing.json").write_text(
            json.dumps(
                {"feature_names": ["a", "b"], "feature_schema_version": "v7", "trainer": "xgb"}
            )
        )
        return path

    def add_csvs(self, main_size: int, financial_size: int) -> None:
        write_csv(self.dataset, main_size, b"\r\n", MAIN_HEADER)
        write_csv(self.financial, financial_size, b"\n", FINANCIAL_HEADER)

    def settings(self, commit: bool) -> list[str]:
        return [
            "version=9",
            f"run_dir={self.run_dir.relative_to(self.root)}",
            f"dataset={self.dataset.relative_to(self.root)}",
            f"financial_dataset={self.financial.relative_to(self.root)}",
            f"commit={str(commit).lower()}",
            # These models are weights only, no classifier: the smoke workload runs real ones.
            "smoke_fixtures=0",
            # Branch URIs, as the floors publish: pinning adds a files commit, measured in W1.
            "uri_template=https://assets.example.invalid/{filename}",
            # The synthetic financial CSV carries only the keys.
            "financial_app_columns=",
        ]

    def doit(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "doit", *args]

    def naive(self, root: Path | None = None) -> list[str]:
        """The naive script, publishing into `root` (default: this project) from this run."""
        paths = [root or self.root, self.run_dir, self.dataset, self.financial]
        return [sys.executable, str(REPO / "bench/naive_publish.py"), *map(str, paths), "9"]

    def clear_outputs(self) -> None:
        for name in ("artifacts", "web", ".web-assets", ".doit.db"):
            path = self.root / name
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()

    def reset_git(self) -> None:
        shutil.rmtree(self.root / ".git", ignore_errors=True)
        for args in (
            ["init", "--quiet", "--initial-branch=main"],
            ["add", "dodo.py", "tasks", "pyproject.toml", ".gitignore"],
            ["commit", "--quiet", "-m", "project"],
        ):
            git(self.root, *args)

    def all_files(self) -> list[Path]:
        return [
            path for path in self.root.rglob("*") if path.is_file() and ".git" not in path.parts
        ]


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def write_model(path: Path, size: int) -> None:
    """A real ONNX classifier (input `input` [1, 2], output `probabilities` [1, 3]) whose weights
    are `size` random bytes, as large models are."""
    from onnx import TensorProto, helper

    weights = helper.make_tensor("weights", TensorProto.UINT8, [size], os.urandom(size), raw=True)
    graph = helper.make_graph(
        [helper.make_node("Identity", ["input"], ["probabilities"])],
        "bench",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 2])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [1, 3])],
        initializer=[weights],
    )
    path.write_bytes(helper.make_model(graph).SerializeToString())


def write_csv(path: Path, size: int, line_end: bytes, header: bytes) -> None:
    rows = [
        b"2024-2025,Team %d,Team %d,2024-01-01,H," % (i, i + 1)
        + b",".join(b"%.4f" % ((i * 7919 + j) % 1000 / 7.0) for j in range(204))
        for i in range(500)
    ]
    block = line_end.join(rows) + line_end
    with path.open("wb") as stream:
        stream.write(header + line_end)
        written = 0
        while written < size:
            stream.write(block)
            written += len(block)


def run(command: list[str], cwd: Path, check: bool = True) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if check and result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return elapsed


def settled() -> None:
    """Flush every dirty page, untimed: a variant must not pay for the writes of the one before."""
    subprocess.run(["sync"], check=True)


def median_of(repeat: int, *variants: Callable[[], float]) -> list[float]:
    """Run the variants alternately `repeat` times; the median time of each."""
    times: list[list[float]] = [[] for _ in variants]
    for _ in range(repeat):
        for index, variant in enumerate(variants):
            times[index].append(variant())
    return [statistics.median(each) for each in times]


def shell(script: str, cwd: Path) -> float:
    return run(["bash", "-c", script], cwd)


def touch_all(paths: list[Path]) -> None:
    now = time.time_ns()
    for path in paths:
        os.utime(path, ns=(now, now))


def meets(ratio: float, goal: str) -> str:
    """`yes` or `NO` for goals written as `<= 1.15`, `< 1`, `>= 4`; `-` for information only."""
    operator, _, bound = goal.partition(" ")
    checks = {"<=": ratio <= float(bound or 0), "<": ratio < float(bound or 0)} if bound else {}
    if operator == ">=":
        return "yes" if ratio >= float(bound) else "NO"
    if operator in checks:
        return "yes" if checks[operator] else "NO"
    return "-"


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str, str]] = []

    def add(self, workload: str, measured: str, ratio: float, goal: str) -> None:
        met = meets(ratio, goal)
        self.rows.append((workload, measured, f"{ratio:.2f}", goal, met))
        print(f"  {workload}: {measured} -> {ratio:.2f} (goal {goal}: {met})", file=sys.stderr)

    def print(self) -> None:
        headers = ("workload", "measured", "ratio", "goal", "met")
        widths = [max(len(row[i]) for row in [headers, *self.rows]) for i in range(5)]
        for row in [headers, tuple("-" * w for w in widths), *self.rows]:
            print(
                "| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |"
            )


def w1_to_w3(base: Path, scale: float, repeat: int, table: Table) -> None:
    ws = Workspace(base, "w1")
    models = [ws.add_model(f"model_{i}", int(200 * MiB * scale)) for i in range(3)]
    ws.add_csvs(int(50 * MiB * scale), int(5 * MiB * scale))
    sources = [*models, *sorted(ws.run_dir.glob("*.json")), ws.dataset, ws.financial]
    floor_dir = base / "floor"
    copies = " && ".join(f"cp '{path}' '{floor_dir}/{path.name}'" for path in sources)
    hashes = " ".join(f"'{model}'" for model in models)
    floor_script = f"rm -rf '{floor_dir}' && mkdir '{floor_dir}' && {copies}"
    floor_script += f" && openssl dgst -sha256 {hashes} > /dev/null"

    def ours_without_commit() -> float:
        ws.clear_outputs()
        settled()
        return run(ws.doit(*ws.settings(commit=False)), ws.root)

    # The goal's floor: the same bytes, copied and hashed, and on disk when it returns.
    def durable_floor() -> float:
        settled()
        return shell(f"{floor_script} && sync", ws.root)

    def floor() -> float:
        settled()
        return shell(floor_script, ws.root)

    ours, durable_t, floor_t = median_of(repeat, ours_without_commit, durable_floor, floor)
    table.add(
        "W1 publish, no commit / durable floor (cp + openssl + sync)",
        f"{ours:.2f}s / {durable_t:.2f}s",
        ours / durable_t,
        "<= 1.15",
    )
    table.add(
        "W1 publish, no commit / floor without sync (cp + openssl)",
        f"{ours:.2f}s / {floor_t:.2f}s",
        ours / floor_t,
        "(info)",
    )

    def ours_with_commit() -> float:
        ws.clear_outputs()
        ws.reset_git()
        settled()
        return run(ws.doit(*ws.settings(commit=True)), ws.root)

    def naive_with_git() -> float:
        ws.clear_outputs()
        ws.reset_git()
        settled()
        commit = ["git", "commit", "--quiet", "-m", "publish"]
        return (
            run(ws.naive(), ws.root)
            + run(["git", "add", *PUBLISHED], ws.root)
            + run(commit, ws.root)
        )

    ours_c, naive_c = median_of(repeat, ours_with_commit, naive_with_git)
    table.add(
        "W1 publish with commit / naive + git",
        f"{ours_c:.2f}s / {naive_c:.2f}s",
        ours_c / naive_c,
        "<= 0.5",
    )

    # W2: the same publish again, nothing changed.
    ws.clear_outputs()
    ws.reset_git()
    run(ws.doit(*ws.settings(commit=True)), ws.root)

    def noop() -> float:
        return run(ws.doit(*ws.settings(commit=True)), ws.root)

    def listing() -> float:
        return run(ws.doit("list", *ws.settings(commit=True)), ws.root)

    noop_t, list_t = median_of(max(repeat, 5), noop, listing)
    table.add("W2 no-op / doit list", f"{noop_t:.3f}s / {list_t:.3f}s", noop_t / list_t, "<= 1.2")

    # W3: every file touched, bytes unchanged: the first run hashes once, the second not at all.
    touch_all(ws.all_files())
    first = noop()
    (second,) = median_of(max(repeat, 5), noop)
    everything = " ".join(f"'{path}'" for path in ws.all_files())
    hash_floor = shell(f"openssl dgst -sha256 {everything} > /dev/null", ws.root)
    table.add(
        "W3 touched, 1st run / openssl of every file",
        f"{first:.2f}s / {hash_floor:.2f}s",
        first / hash_floor,
        "(info)",
    )
    table.add(
        "W3 touched, 2nd run / W2 no-op",
        f"{second:.3f}s / {noop_t:.3f}s",
        second / noop_t,
        "<= 1.3",
    )

    # W2 for the naive script, last, as it overwrites our publish: it redoes everything each run.
    def naive_again() -> float:
        return run(ws.naive(), ws.root) + run(["git", "add", *PUBLISHED], ws.root)

    naive_again()
    run(["git", "commit", "--quiet", "-m", "naive manifest"], ws.root)
    (naive_t,) = median_of(repeat, naive_again)
    table.add(
        "W2 naive + git add / our no-op",
        f"{naive_t:.2f}s / {noop_t:.3f}s",
        naive_t / noop_t,
        ">= 4",
    )


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
    settings.remove("smoke_fixtures=0")

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
    sys.path.insert(0, str(REPO / "tests"))
    from seaweedfs import SeaweedFS

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


def bench_script(name: str, *args: str) -> str:
    """What one of bench/'s scripts prints, run in its own process; on failure, shown too."""
    command = [sys.executable, str(REPO / "bench" / name), *args]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        print(f"bench/{name} failed:\n{result.stdout}\n{result.stderr}", file=sys.stderr)
    return result.stdout


def import_time(base: Path, repeat: int, table: Table) -> None:
    """What `import web_assets` adds to a bare interpreter's start. Run from a temp dir, so
    nothing of the repository's is on sys.path by accident (the package is installed)."""
    cwd = base / "import"
    cwd.mkdir()
    ours, bare = median_of(
        max(repeat, 10),
        lambda: run([sys.executable, "-c", "import web_assets"], cwd),
        lambda: run([sys.executable, "-c", "pass"], cwd),
    )
    table.add(
        "import web_assets, added to python's start (ms)",
        f"{ours * 1000:.0f} ms - {bare * 1000:.0f} ms",
        (ours - bare) * 1000,
        "<= 30",
    )


WORKLOADS = ["import", "w1", "w4", "w5", "w6", "w7", "w8", "w9", "w10"]


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
        # First, while no workload's writes are still being flushed.
        if "import" in args.only:
            import_time(base, args.repeat, table)
        if "w1" in args.only:
            w1_to_w3(base, args.scale, args.repeat, table)
        if "w4" in args.only:
            w4(base, args.scale, table)
        if "w5" in args.only:
            w5(base, args.scale, args.repeat, table)
        if "w6" in args.only:
            w6(base, args.scale, table)
        if "w7" in args.only:
            w7(base, args.scale, args.repeat, table)
        if "w8" in args.only:
            w8(base, args.repeat, table)
        if "w9" in args.only:
            w9(base, args.scale, args.repeat, table)
        if "w10" in args.only:
            w10(args.repeat, table)
    print(
        f"\nweb-asset-pipeline benchmark, scale {args.scale}, {os.cpu_count()} cores, median of {args.repeat}:\n"
    )
    table.print()


if __name__ == "__main__":
    main()
