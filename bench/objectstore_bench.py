"""Our upload (hashing included) against plain boto3 `upload_file`, to a local SeaweedFS.

    python bench/objectstore_bench.py              # 3 x 200 MiB, median of 3 (about 1.2 GB of disk)
    python bench/objectstore_bench.py --size 20    # 3 x 20 MiB, for a quick look

The files are written once; each run sends them to a bucket of its own, deleted right after
(SeaweedFS drops a bucket's volumes with it), so disk use stays at the files plus one run's copy.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from testing.seaweedfs import SeaweedFS  # noqa: E402
from web_assets.files.hashing import stat_key  # noqa: E402
from web_assets.store.upload import Upload, object_key, upload  # noqa: E402

MiB = 1 << 20


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(MiB):
            digest.update(chunk)
    return digest.hexdigest()


def write_files(folder: Path, count: int, size: int) -> list[Path]:
    paths = []
    for number in range(count):
        path = folder / f"model_{number}.onnx"
        with path.open("wb") as sink:
            for _ in range(size // MiB):
                sink.write(os.urandom(MiB))
        paths.append(path)
    return paths


def ours(server: SeaweedFS, bucket: str, paths: list[Path], threads: int) -> None:
    store = server.store(bucket, prefix="ours")
    items = []
    for path in paths:
        # As a publish does: the stat the digest is taken at goes with it (no second hash).
        hashed_at = path.stat()
        digest = sha256_of(path)
        key = object_key(store.prefix, digest, path.name)
        items.append(Upload(path, digest, hashed_at.st_size, key, stat_key(hashed_at)))
    report = upload(store, items, threads=threads)
    assert len(report.uploaded) == len(paths), report


def plain_boto3(server: SeaweedFS, bucket: str, paths: list[Path], _threads: int) -> None:
    import boto3
    from botocore.config import Config

    # A client of its own, as a script would make, since upload() makes one per call too.
    client = boto3.session.Session().client(
        "s3", endpoint_url=server.endpoint_url, config=Config(s3={"addressing_style": "path"})
    )
    for path in paths:
        client.upload_file(str(path), bucket, f"plain/{path.name}")


def timed(
    server: SeaweedFS, variant: Callable, paths: list[Path], threads: int
) -> tuple[float, float]:
    """Wall time, and this process's CPU time (the client's share of the work)."""
    bucket = server.new_bucket(public=False)
    try:
        start, cpu = time.perf_counter(), time.process_time()
        variant(server, bucket, paths, threads)
        return time.perf_counter() - start, time.process_time() - cpu
    finally:
        client = server.client()
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for entry in page.get("Contents", []):
                client.delete_object(Bucket=bucket, Key=entry["Key"])
        client.delete_bucket(Bucket=bucket)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=200, help="MiB per file (default 200)")
    parser.add_argument("--files", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    # Like for like: boto3's upload_file sends up to 10 parts at once (TransferConfig default).
    parser.add_argument("--threads", type=int, default=10, help="our upload's threads")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="objectstore-bench-") as scratch:
        base = Path(scratch)
        (base / "files").mkdir()
        paths = write_files(base / "files", args.files, args.size * MiB)
        with SeaweedFS(base / "server") as server:
            os.environ.update(server.env())
            times: dict[str, list[float]] = {"ours": [], "boto3": []}
            cpu: dict[str, list[float]] = {"ours": [], "boto3": []}
            for _ in range(args.repeat):
                for name, variant in (("ours", ours), ("boto3", plain_boto3)):
                    wall, used = timed(server, variant, paths, args.threads)
                    times[name].append(wall)
                    cpu[name].append(used)
    median = {name: statistics.median(values) for name, values in times.items()}
    total = args.files * args.size
    print(
        f"{args.files} x {args.size} MiB to a local SeaweedFS, median of {args.repeat}, "
        f"upload(threads={args.threads})"
    )
    for name, label in (("ours", "upload() incl. sha256"), ("boto3", "boto3 upload_file")):
        runs = " ".join(f"{value:.2f}" for value in times[name])
        print(
            f"  {label:24} {median[name]:7.2f} s  {total / median[name]:7.1f} MiB/s  "
            f"client CPU {statistics.median(cpu[name]):6.2f} s  (runs: {runs})"
        )
    print(f"  ratio ours / boto3       {median['ours'] / median['boto3']:7.2f}   (goal <= 1.1)")
    # On a shared machine the fastest run is the one least disturbed by other load.
    best = min(times["ours"]) / min(times["boto3"])
    print(f"  ratio of best runs       {best:7.2f}")


if __name__ == "__main__":
    main()
