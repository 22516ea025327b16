"""Time committing a new 200 MiB model: `git add` + `git commit --only` against the plumbing.

Usage: python scripts/bench_gitcommit.py [MiB] [rounds]. Prints the median of each, in seconds.
Needs 2 x rounds x MiB of space in the temporary folder, freed at the end.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tasks import git as porcelain
from web_assets.git import commit as gitcommit

MODEL = "artifacts/model.onnx"


def _repo(root: Path) -> None:
    subprocess.run(["git", "init", "-q", "--initial-branch=main", str(root)], check=True)
    (root / "README").write_text("bench\n")
    subprocess.run(["git", "add", "README"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "start"], cwd=root, check=True)
    (root / "artifacts").mkdir()


def _model(root: Path, size: int) -> Path:
    """A new model of random bytes (incompressible, like trained weights), written in 1 MiB steps."""
    path = root / MODEL
    with open(path, "wb") as out:
        for _ in range(size >> 20):
            out.write(os.urandom(1 << 20))
    return path


def _timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    mib = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    for role in ("AUTHOR", "COMMITTER"):
        os.environ[f"GIT_{role}_NAME"] = "Bench"
        os.environ[f"GIT_{role}_EMAIL"] = "bench@example.invalid"
    figures: dict[str, list[float]] = {"add+commit --only": [], "build_commit": [], "publish": []}
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        _repo(root)
        for _ in range(rounds):
            _model(root, mib << 20)
            figures["add+commit --only"].append(
                _timed(lambda: porcelain.commit_paths(root, [MODEL], "bench", {MODEL}))
            )
            model = _model(root, mib << 20)
            parent = gitcommit.head_commit(root)
            started = time.perf_counter()
            new = gitcommit.build_commit(root, parent, {MODEL: model}, "bench", {MODEL})
            built = time.perf_counter()
            gitcommit.advance_branch(root, "main", new, parent)
            gitcommit.sync_index(root, [MODEL])
            figures["build_commit"].append(built - started)
            figures["publish"].append(time.perf_counter() - started)
    for name, times in figures.items():
        print(f"{name:>20}: {statistics.median(times):6.2f} s  ({mib} MiB, median of {rounds})")
    print("publish = build_commit + advance_branch + sync_index")


if __name__ == "__main__":
    main()
