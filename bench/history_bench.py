"""Benchmark the release history: list 500 releases and summarise each (goal: under 2 s).

    python bench/history_bench.py                  # 500 releases, 5 runs
    python bench/history_bench.py --releases 2000  # a longer history

The repository is built in a temp dir by one `git fast-import`: each release commits a lock file
(the sample's, with its 200-column dataset entry), a manifest and a small model that changes.
Prints the time of each run, the median, and how many git processes a listing starts.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from web_assets.history.listing import release_lines  # noqa: E402
from web_assets.history.log import list_releases  # noqa: E402

MANIFEST = "web/public/fixtures/dev.json"
LOCK = "web-assets.lock.json"
MODEL = "artifacts/run_export/performance_dense.onnx"


def fast_import_stream(count: int) -> bytes:
    """`count` commits on main, each a release: new model bytes, manifest and lock naming them."""
    manifest = json.loads((REPO / MANIFEST).read_text())
    lock = json.loads((REPO / LOCK).read_text())
    rng = random.Random(500)
    out = bytearray()

    def blob(path: str, data: bytes) -> None:
        out.extend(b"M 100644 inline %s\ndata %d\n" % (path.encode(), len(data)) + data + b"\n")

    for index in range(count):
        version = 8 + index
        model = rng.randbytes(4096)
        digest = hashlib.sha256(model).hexdigest()
        run_id = f"run_{version:06d}"
        trained_at = f"2025-12-01T00:{index // 60 % 60:02d}:{index % 60:02d}Z"
        manifest.update(run_id=run_id, trained_at=trained_at, dataset_version=str(version))
        manifest["models"][0].update(sha256=digest, size_bytes=len(model))
        lock["dataset_version"] = str(version)
        lock["release"] = {"version": version, "run_id": run_id, "trained_at": trained_at}
        for entry in lock["files"]:
            if entry["path"] == MODEL:
                entry.update(sha256=digest, size_bytes=len(model))
        message = f"chore: publish web assets version {version}".encode()
        out.extend(b"commit refs/heads/main\nmark :%d\n" % (index + 1))
        out.extend(b"committer Bench <bench@example.invalid> %d +0000\n" % (1_760_000_000 + index))
        out.extend(b"data %d\n%s\n" % (len(message), message))
        if index:
            out.extend(b"from :%d\n" % index)
        blob(MODEL, model)
        blob(MANIFEST, (json.dumps(manifest, indent=2) + "\n").encode())
        blob(LOCK, (json.dumps(lock, indent=2) + "\n").encode())
    return bytes(out)


def build(root: Path, count: int) -> float:
    started = time.perf_counter()
    subprocess.run(["git", "init", "--quiet", "--initial-branch=main", str(root)], check=True)
    stream = fast_import_stream(count)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=stream, check=True)
    return time.perf_counter() - started


def list_all(root: Path) -> list[str]:
    return release_lines(list_releases(root))


def count_git_processes(root: Path) -> int:
    """Git processes one listing starts, counted where subprocess starts them."""
    started = []
    original = subprocess.Popen.__init__

    def counting(self, args, *rest, **options):
        if isinstance(args, list | tuple) and args and args[0] == "git":
            started.append(args[1:3])
        original(self, args, *rest, **options)

    subprocess.Popen.__init__ = counting
    try:
        list_all(root)
    finally:
        subprocess.Popen.__init__ = original
    return len(started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="history-bench-") as temp:
        root = Path(temp) / "repo"
        built = build(root, options.releases)
        print(f"built {options.releases} releases with git fast-import in {built:.2f} s")
        times = []
        for _ in range(options.repeat):
            started = time.perf_counter()
            lines = list_all(root)
            times.append(time.perf_counter() - started)
        assert len(lines) == options.releases, len(lines)
        print(f"newest: {lines[0]}")
        print(f"oldest: {lines[-1]}")
        print("runs: " + ", ".join(f"{t:.3f}" for t in times) + " s")
        median = statistics.median(times)
        verdict = "met" if median < 2 else "MISSED"
        print(
            f"list_releases + release_lines for {len(lines)} releases: median {median:.3f} s "
            f"(goal under 2 s: {verdict})"
        )
        print(f"git processes per listing: {count_git_processes(root)}")


if __name__ == "__main__":
    main()
