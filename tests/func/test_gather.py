"""Gathering a run from outside the export folder: only changed copies rewritten, links replaced,
leftover temp files cleared."""

from __future__ import annotations

import os

import pytest

from testing.doit import doit_here
from testing.project import (
    EXPORT,
    NO_COMMIT,
    manifest_entry,
    new_run,
    read_manifest,
    retrain,
    sha256_of,
)


def test_a_retrained_model_of_a_gathered_run_rewrites_its_copy_only(project):
    run_dir = new_run(project, version=9, seed=5)
    settings = [f"run_dir={run_dir}", "version=9", *NO_COMMIT]
    first = doit_here(project, *settings)
    assert first.status == 0, first.text
    copies = {path.name: path.stat().st_ino for path in (project / EXPORT).iterdir()}
    retrain(run_dir / "market_gradient_boost.onnx", seed=11)
    second = doit_here(project, *settings)
    assert second.status == 0, second.text
    assert "gather" in second.ran
    # Each copy is renamed into place when written: a new inode is a rewritten file.
    rewritten = [
        path.name
        for path in (project / EXPORT).iterdir()
        if path.stat().st_ino != copies[path.name]
    ]
    assert rewritten == ["market_gradient_boost.onnx"]
    published = project / EXPORT / "market_gradient_boost.onnx"
    assert published.read_bytes() == (run_dir / "market_gradient_boost.onnx").read_bytes()
    assert manifest_entry(read_manifest(project), "models", "market_gradient_boost")[
        "sha256"
    ] == sha256_of(published)
    verified = doit_here(project, "verify", NO_COMMIT[1])
    assert verified.status == 0, verified.text


@pytest.mark.parametrize("link", ["symlink", "hardlink"])
def test_a_gathered_copy_linked_to_its_source_is_replaced_by_a_file(project, link):
    run_dir = new_run(project, version=9, seed=5)
    settings = [f"run_dir={run_dir}", "version=9", *NO_COMMIT]
    assert doit_here(project, *settings).status == 0
    source = run_dir / "market_gradient_boost.onnx"
    published = project / EXPORT / "market_gradient_boost.onnx"
    published.unlink()
    # Same bytes as the source, as a link: it would change whenever the run's file does.
    if link == "symlink":
        published.symlink_to(source)
    else:
        os.link(source, published)
    retrain(source, seed=12)
    result = doit_here(project, *settings)
    assert result.status == 0, result.text
    assert "gather" in result.ran
    assert not published.is_symlink()
    assert published.stat().st_ino != source.stat().st_ino
    assert published.read_bytes() == source.read_bytes()
    # The next retraining changes the run's file only.
    before = published.read_bytes()
    retrain(source, seed=13)
    assert published.read_bytes() == before


def test_temp_files_an_interrupted_publish_left_are_cleared_by_the_next(project):
    run_dir = new_run(project, version=9, seed=5)
    settings = [f"run_dir={run_dir}", "version=9", *NO_COMMIT]
    # What a publish killed mid-batch leaves: temps of files this release does not publish.
    left = [
        project / EXPORT / ".extra_model_0001.onnx.partial",
        project / "web/public/data/.Dataset_Version_10.csv.partial",
    ]
    for path in left:
        path.write_bytes(b"half written")
    mine = project / "web/public/data/.notes.partial"
    mine.write_text("not a file of ours")
    result = doit_here(project, *settings)
    assert result.status == 0, result.text
    assert [path for path in left if path.exists()] == []
    assert mine.read_text() == "not a file of ours"
