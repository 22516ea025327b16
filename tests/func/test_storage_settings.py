"""Files too large for a github.com remote: refused, or committed with a warning.

Bad storage settings are refused as the release loads: tests/unit/test_refusals.py.
"""

from __future__ import annotations

from testing.doit import run_doit
from testing.gitrepo import git
from testing.project import EXPORT, snapshot


def test_a_150_mb_model_for_a_github_remote_is_refused_with_git_storage(project):
    git(project, "remote", "add", "origin", "git@github.com:x/y.git")  # never contacted
    huge = project / EXPORT / "huge_model.onnx"
    with huge.open("wb") as sparse:
        sparse.truncate(150 * 1000 * 1000)
    before, head = snapshot(project), git(project, "rev-parse", "HEAD")
    result = run_doit(project)
    assert result.status != 0
    assert result.err.count("ERROR:") == 1
    assert f"{EXPORT}/huge_model.onnx is 143.05 MiB" in result.err
    assert 'storage = "s3"' in result.err
    assert "Traceback" not in result.text
    assert result.ran == []
    assert snapshot(project) == before
    assert git(project, "rev-parse", "HEAD") == head


def test_a_60_mb_model_for_a_github_remote_is_committed_with_a_warning(project):
    git(project, "remote", "add", "origin", "https://github.com/x/y.git")  # never contacted
    with (project / EXPORT / "large_model.onnx").open("wb") as sparse:
        sparse.truncate(60 * 1000 * 1000)
    result = run_doit(project, "check_models=false")
    assert result.status == 0, result.text
    assert f"warning: {EXPORT}/large_model.onnx is 57.22 MiB" in result.out
    assert "large_model.onnx" in git(project, "log", "--name-only", "--format=", "fixture..HEAD")
