"""Pushing a publish to a bare remote, and a rejected push that keeps the local commit."""

from __future__ import annotations

from testing.doit import doit_here
from testing.gitrepo import git
from testing.project import EXPORT, new_run


def test_push_to_a_bare_remote(tmp_path, project, remote):
    run_dir = new_run(project, version=8, seed=8)
    args = [
        f"run_dir={run_dir.relative_to(project)}",
        "dataset=data/processed/Dataset_Version_8.csv",
    ]
    result = doit_here(project, "version=8", "push=true", *args)
    assert result.status == 0, result.text
    assert git(remote, "rev-parse", "main") == git(project, "rev-parse", "HEAD")
    assert "pushed to origin main" in result.out

    # Models staged and pushed without compression still make valid repositories.
    git(project, "fsck", "--strict")
    git(remote, "fsck", "--strict")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", str(remote), str(clone))
    published = git(project, "diff", "--name-only", "fixture", "HEAD").splitlines()
    assert f"{EXPORT}/performance_dense.onnx" in published
    for path in published:
        assert (clone / path).read_bytes() == (project / path).read_bytes()


def test_rejected_push_is_an_error_and_keeps_the_local_commit(tmp_path, project, remote):
    other = tmp_path / "other"
    git(tmp_path, "clone", "--quiet", str(remote), str(other))
    (other / "README").write_text("someone else's work")
    git(other, "add", "README")
    git(other, "commit", "--quiet", "-m", "elsewhere")
    git(other, "push", "--quiet", "origin", "main")

    result = doit_here(project, "version=8", "push=true")
    assert result.status != 0
    assert "Push to origin main was refused" in result.text
    assert "Traceback" not in result.text
    assert git(project, "log", "-1", "--format=%s") == "chore: update web assets for version 8"

    # Once the branch is brought up to date, the next run pushes: the failed step reruns.
    git(project, "pull", "--quiet", "--rebase", "origin", "main")
    retry = doit_here(project, "version=8", "push=true")
    assert retry.status == 0, retry.text
    assert git(remote, "rev-parse", "main") == git(project, "rev-parse", "HEAD")
