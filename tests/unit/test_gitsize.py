"""GitHub's file size limits, refused or warned before anything is committed."""

from __future__ import annotations

import pytest

from testing.gitrepo import git
from web_assets.release.github_limits import git_size_problems, remote_url

MiB = 1 << 20


def test_a_150_mb_file_is_refused_for_a_github_remote(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "--quiet")
    git(repo, "remote", "add", "origin", "git@github.com:example/models.git")
    model = repo / "huge.onnx"
    with model.open("wb") as sparse:
        sparse.truncate(150 * 1000 * 1000)

    refusals, warnings = git_size_problems(
        [(model.name, model.stat().st_size)], remote_url(repo, "origin")
    )

    assert len(refusals) == 1 and warnings == []
    assert "huge.onnx" in refusals[0] and 'storage = "s3"' in refusals[0]


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/example/models.git",
        "git@github.com:example/models.git",
        "ssh://git@github.com/example/models.git",
        "https://publisher:ghp_secrettoken@github.com/example/models.git",
    ],
)
def test_size_limits_follow_github_for_every_github_remote_form(url):
    files = [("small.onnx", 50 * MiB), ("warn.onnx", 50 * MiB + 1), ("big.onnx", 100 * MiB + 1)]
    refusals, warnings = git_size_problems(files, url)
    assert [line.split()[0] for line in refusals] == ["big.onnx"]
    assert [line.split()[0] for line in warnings] == ["warn.onnx"]
    assert "secrettoken" not in " ".join(refusals + warnings)


def test_other_remotes_and_no_remote_have_no_size_limit(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "--quiet")
    files = [("big.onnx", 500 * MiB)]
    assert remote_url(repo, "origin") is None
    assert git_size_problems(files, None) == ([], [])
    assert git_size_problems(files, "https://gitlab.com/example/models.git") == ([], [])
    assert git_size_problems(files, "https://github.com.evil.example/models.git") == ([], [])
