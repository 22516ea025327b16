"""`doit verify` offline: each `{commit}` pin names a commit on the branch that holds the bytes."""

from __future__ import annotations

import json

from testing.gitrepo import git
from testing.project import MANIFEST
from web_assets.config.settings import resolve_settings
from web_assets.verify.offline import verify


def repin(project, old: str, new: str) -> None:
    """Point every URI pinned to `old` at `new`, as a rebase or a killed publish leaves them."""
    manifest = project / MANIFEST
    manifest.write_text(manifest.read_text().replace(old, new))


def pinned(project) -> str:
    document = json.loads((project / MANIFEST).read_text())
    return document["models"][0]["uri"].split("/")[5]


def lines(project) -> list[str]:
    problems, _ = verify(resolve_settings(project, {}, environ={}))
    return [problem.line() for problem in problems]


def test_the_published_sample_pins_commits_on_its_branch(project):
    assert lines(project) == []


def test_a_pin_to_a_commit_off_the_branch_is_one_line_per_file(project):
    old = pinned(project)
    # The same files in a commit the branch does not contain: what a rebase leaves behind.
    twin = git(project, "commit-tree", f"{old}^{{tree}}", "-m", "rebased away")
    repin(project, old, twin)
    found = lines(project)
    assert len(found) == 6 and all(f"commit {twin[:10]} is not on main" in line for line in found)
    assert {line.split(":")[0] for line in found} >= {"models/performance_dense"}


def test_a_pin_to_a_commit_with_other_bytes_is_named(project):
    old = pinned(project)
    (project / "artifacts/run_export/financial_lens.onnx").write_bytes(b"other bytes")
    git(project, "add", "artifacts/run_export/financial_lens.onnx")
    git(project, "commit", "-q", "-m", "other model")
    other = git(project, "rev-parse", "HEAD")
    git(project, "checkout", "-q", old, "--", "artifacts/run_export/financial_lens.onnx")
    repin(project, old, other)
    found = [line for line in lines(project) if "other bytes" in line]
    assert (
        found == [line for line in found if line.startswith("models/financial_lens:")]
        and len(found) == 1
    )
