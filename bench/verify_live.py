"""How long `verify live` takes for large models from the local raw-style server, and its memory.

    python bench/verify_live.py [--files 3] [--mib 200] [--threads 4]

Prints the wall time of check_uris over N files of M MiB served from a bare repo, the time to
hash the same bytes from disk for comparison, and this process's peak RSS (the files are never
held in memory, so it should not grow with their size).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from web_assets.verify.live import LiveEntry, check_uris  # noqa: E402

# Random bytes do not compress: storing them uncompressed spares minutes of zlib in setup.
GIT_ENV = {
    "GIT_CONFIG_COUNT": "2",
    "GIT_CONFIG_KEY_0": "core.compression",
    "GIT_CONFIG_VALUE_0": "0",
    "GIT_CONFIG_KEY_1": "pack.window",
    "GIT_CONFIG_VALUE_1": "0",
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
}


def make_remote(work: Path, files: int, mib: int) -> tuple[Path, str, dict[str, str]]:
    """A bare repo with `files` random files of `mib` MiB, written in chunks: (repo, commit, digests)."""
    clone, bare, digests = work / "clone", work / "remote.git", {}
    subprocess.run(["git", "init", "-q", "--initial-branch=main", str(clone)], check=True)
    for number in range(files):
        name = f"artifacts/run_export/model_{number}.onnx"
        (clone / name).parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with (clone / name).open("wb") as out:
            for _ in range(mib):
                chunk = os.urandom(1 << 20)
                digest.update(chunk)
                out.write(chunk)
        digests[name] = digest.hexdigest()
    subprocess.run(["git", "-C", str(clone), "add", "--all"], check=True)
    subprocess.run(["git", "-C", str(clone), "commit", "-qm", "models"], check=True)
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    subprocess.run(["git", "-C", str(clone), "push", "-q", str(bare), "main"], check=True)
    commit = subprocess.run(
        ["git", "-C", str(clone), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    return bare, commit, digests


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=3)
    parser.add_argument("--mib", type=int, default=200)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    os.environ.update(GIT_ENV)
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        bare, commit, digests = make_remote(Path(folder), args.files, args.mib)
        setup = time.perf_counter() - start
        server = subprocess.Popen(
            [sys.executable, str(ROOT / "tests/raw_server.py"), "--repo", str(bare)],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            base = f"http://127.0.0.1:{server.stdout.readline().strip()}/o/r/{commit}"
            entries = [
                LiveEntry(f"models/{Path(name).stem}", f"{base}/{name}", digest, args.mib << 20)
                for name, digest in digests.items()
            ]
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            start = time.perf_counter()
            problems = check_uris(entries, threads=args.threads)
            fetched = time.perf_counter() - start
            rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        finally:
            server.terminate()
            server.wait(timeout=10)
        start = time.perf_counter()
        for name in digests:
            subprocess.run(
                ["git", "--git-dir", str(bare), "cat-file", "blob", f"{commit}:{name}"],
                stdout=subprocess.DEVNULL,
                check=True,
            )
        git_only = time.perf_counter() - start
    total = args.files * args.mib
    print(
        f"verify live: {args.files} x {args.mib} MiB in {fetched:.2f} s ({total / fetched:.0f} MiB/s), {args.threads} threads"
    )
    print(f"problems: {problems or 'none'}")
    print(f"git cat-file alone, one after another: {git_only:.2f} s")
    print(
        f"peak RSS of this process: {rss_before / 1024:.0f} MiB before, {rss_after / 1024:.0f} MiB after"
    )
    print(f"(setup: a bare repo with the files, {setup:.1f} s)")


if __name__ == "__main__":
    main()
