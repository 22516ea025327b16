"""Digests end to end: a whole publish reads each changed byte once, in threads or not."""

from __future__ import annotations

import hashlib
import io
import time

from testing.doit import run_doit as doit_command
from testing.project import NO_COMMIT, make_sample, retrain
from web_assets.files.digests import RACY_NS, cache_for
from web_assets_doit.runner import run_doit


def settle() -> None:
    """Let files written just now age past the racy window, so their digests may be saved."""
    time.sleep(RACY_NS / 1e9 * 1.5)


def test_a_changed_model_is_read_once_in_a_whole_publish(project):
    assert run_doit(project, [*NO_COMMIT], io.StringIO())[0] == 0
    settle()
    assert run_doit(project, [*NO_COMMIT], io.StringIO())[0] == 0  # every digest now saved
    model = project / "artifacts/run_export/performance_dense.onnx"
    retrain(model, seed=3)

    cache = cache_for(project)
    status, summary = run_doit(project, [], io.StringIO())
    assert status == 0
    assert sorted(summary.ran) == [
        "check:models",
        "commit",
        "commit:files",
        "lockfile",
        "manifest",
    ]
    assert cache.bytes_hashed == model.stat().st_size


def test_a_fresh_publish_hashes_each_source_once_and_no_copy(project):

    run_dir = project / "runs/run_20251128-101500"
    make_sample.write_sample(project, run_dir, version=9, seed=21)
    settle()
    cache = cache_for(project)
    args = ["version=9", "run_dir=runs/run_20251128-101500", *NO_COMMIT]
    args.append("dataset=data/processed/Dataset_Version_9.csv")
    # The published models the new ones replace, run beside them for the prediction shift.
    replaced = sum(
        path.stat().st_size for path in (project / "artifacts/run_export").glob("*.onnx")
    )
    status, _ = run_doit(project, args, io.StringIO())
    assert status == 0
    sources = [*run_dir.iterdir(), project / "data/processed/Dataset_Version_9.csv"]
    sources.append(project / "data/processed/financial_dataset.csv")
    # The checks' saved state hashes each source; copies, hash steps and commit reuse it.
    assert cache.bytes_hashed == sum(path.stat().st_size for path in sources) + replaced


def test_parallel_threads_publish_correctly(project):

    run_dir = project / "runs/run_20251128-101500"
    make_sample.write_sample(project, run_dir, version=9, seed=33)
    args = ["-n", "2", "-P", "thread", "version=9", "run_dir=runs/run_20251128-101500"]
    args.append("dataset=data/processed/Dataset_Version_9.csv")
    result = doit_command(project, *args)
    assert result.status == 0, result.text
    manifest = (project / "web/public/fixtures/dev.json").read_text()
    exported = project / "artifacts/run_export/performance_dense.onnx"
    assert hashlib.sha256(exported.read_bytes()).hexdigest() in manifest
    again = doit_command(project, *args)
    assert again.ran == []
