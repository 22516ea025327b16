"""The one git runner: a clean environment, literal pathspecs, text or bytes, failures in one error."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from web_assets.errors import PublishError
from web_assets.git import commit as gitcommit
from web_assets.git.objects import read_all
from web_assets.git.run import NOT_INSTALLED, run, start
from web_assets.release.github_limits import remote_url


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def _repo(path: Path, content: str) -> Path:
    """A work tree on `main` with one commit holding `file.txt`."""
    path.mkdir()
    _git(path, "init", "--quiet", "--initial-branch=main")
    (path / "file.txt").write_text(content, encoding="utf-8")
    _git(path, "add", "file.txt")
    _git(path, "commit", "--quiet", "-m", "start")
    return path


@pytest.fixture
def ours(tmp_path):
    return _repo(tmp_path / "ours", "ours\n")


@pytest.fixture
def hook_env(tmp_path, monkeypatch):
    """Another repository, named by the variables git exports to its hooks (as if run from one)."""
    other = _repo(tmp_path / "other", "other\n")
    _git(other, "remote", "add", "origin", "https://github.com/example/other.git")
    head = _git(other, "rev-parse", "HEAD")
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    monkeypatch.setenv("GIT_INDEX_FILE", str(other / ".git" / "index"))
    return other, head


def test_inherited_repository_variables_do_not_redirect_a_commit(ours, hook_env, tmp_path):
    other, other_head = hook_env
    update = tmp_path / "update.txt"
    update.write_text("new\n", encoding="utf-8")
    parent = run(ours, "rev-parse", "HEAD").stdout.strip()

    made = gitcommit.build_commit(ours, parent, {"file.txt": update}, "chore: update")
    gitcommit.advance_branch(ours, "main", made, parent)

    assert run(ours, "rev-parse", "--show-toplevel").stdout.strip() == str(ours)
    assert run(ours, "show", "HEAD:file.txt").stdout == "new\n"
    assert run(ours, "log", "-1", "--format=%an").stdout.strip() == "Test Publisher"
    assert run(other, "rev-parse", "HEAD").stdout.strip() == other_head


def test_inherited_repository_variables_do_not_redirect_history_reads(ours, hook_env):
    other, _ = hook_env
    assert read_all(ours, ["HEAD:file.txt"]) == {"HEAD:file.txt": b"ours\n"}
    assert remote_url(ours) is None
    assert remote_url(other) == "https://github.com/example/other.git"


def test_an_index_chosen_on_purpose_is_used(ours, tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_INDEX_FILE", str(tmp_path / "inherited-index"))
    private = {"GIT_INDEX_FILE": str(tmp_path / "private-index")}
    run(ours, "read-tree", "--empty", env=private)

    assert run(ours, "ls-files", env=private).stdout == ""
    assert run(ours, "ls-files").stdout == "file.txt\n"
    assert not (tmp_path / "inherited-index").exists()


def test_paths_are_literal_whatever_pathspec_rules_the_user_exports(ours, monkeypatch):
    for name in ("*.txt", "a.txt"):
        (ours / name).write_text(name, encoding="utf-8")
    _git(ours, "add", "--", "*.txt", "a.txt")
    monkeypatch.setenv("GIT_ICASE_PATHSPECS", "1")

    assert run(ours, "ls-files", "--", "*.txt").stdout == "*.txt\n"


def test_bytes_in_and_out(ours):
    data = b"\xff\x00weights\n"
    blob = run(ours, "hash-object", "-w", "--stdin", input=data, binary=True).stdout.strip()

    assert run(ours, "cat-file", "blob", blob.decode(), binary=True).stdout == data


def test_a_failure_names_command_status_and_output_without_credentials(ours):
    with pytest.raises(PublishError) as failed:
        run(ours, "rev-parse", "https://publisher:s3cret@example.invalid/models.git")

    message = str(failed.value)
    assert message.startswith("`git rev-parse https://***@example.invalid/models.git` failed")
    assert f"with status 128 in {ours}" in message
    assert "invalid object name" in message
    assert "s3cret" not in message


def test_unchecked_failure_is_returned(ours):
    result = run(ours, "rev-parse", "--verify", "--quiet", "no-such-branch", check=False)
    assert (result.returncode, result.stdout) == (1, "")


def test_git_missing_is_one_line(ours, tmp_path, monkeypatch):
    empty = tmp_path / "no-programs"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))

    for attempt in (lambda: run(ours, "status"), lambda: start(ours, "cat-file", "--batch")):
        with pytest.raises(PublishError, match=f"^{re.escape(NOT_INSTALLED)}$"):
            attempt()
