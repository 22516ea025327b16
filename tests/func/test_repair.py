"""Damage to a published file is repaired by the next `doit`, never committed."""

from __future__ import annotations

import json

from testing.doit import doit_here
from testing.gitrepo import git
from testing.project import EXPORT, MANIFEST, new_run, publish_commits


def test_a_truncated_dataset_is_copied_again_not_committed(project):
    assert doit_here(project).status == 0
    published = project / "web/public/data/Dataset_Version_7.csv"
    good = published.read_bytes()
    published.write_bytes(good[: len(good) // 2])

    result = doit_here(project)
    assert result.status == 0, result.text
    assert published.read_bytes() == good
    assert publish_commits(project) == 0
    assert git(project, "status", "--porcelain") == ""
    assert doit_here(project, "verify").status == 0


def test_a_hand_edited_digest_in_the_manifest_is_rewritten(project):
    assert doit_here(project).status == 0
    manifest = project / MANIFEST
    good = manifest.read_bytes()
    document = json.loads(good)
    document["models"][0]["sha256"] = "0" * 64
    manifest.write_text(json.dumps(document, indent=2) + "\n")

    result = doit_here(project)
    assert result.status == 0, result.text
    assert manifest.read_bytes() == good
    assert publish_commits(project) == 0
    assert doit_here(project, "verify").status == 0


def test_a_flipped_byte_in_a_gathered_model_is_copied_again_from_the_run(project):
    run_dir = new_run(project, version=9, seed=5)
    args = [f"run_dir={run_dir}", "version=9", "dataset=data/processed/Dataset_Version_9.csv"]
    assert doit_here(project, *args).status == 0
    exported = project / EXPORT / "performance_dense.onnx"
    good = exported.read_bytes()
    damaged = bytearray(good)
    damaged[len(damaged) // 2] ^= 0xFF
    exported.write_bytes(bytes(damaged))

    result = doit_here(project, *args)
    assert result.status == 0, result.text
    assert exported.read_bytes() == good == (run_dir / "performance_dense.onnx").read_bytes()
    assert git(project, "status", "--porcelain", "--", EXPORT, "web") == ""
    assert doit_here(project, "verify").status == 0


def test_a_damaged_lock_file_is_rewritten(project):
    assert doit_here(project).status == 0
    lock = project / "web-assets.lock.json"
    good = lock.read_bytes()
    lock.write_bytes(good.replace(b'"size_bytes": ', b'"size_bytes": 1', 1))

    result = doit_here(project)
    assert result.status == 0, result.text
    assert lock.read_bytes() == good
    assert publish_commits(project) == 0
