"""A remote that refuses release tags: the push says so and how to publish without them, not to
rebase a branch that is up to date."""

from __future__ import annotations

import pytest

from testing.gitrepo import git
from web_assets.errors import PublishError
from web_assets.git.push import push

REFUSE_TAGS = """#!/bin/sh
case "$1" in refs/tags/*) echo "tags are not allowed here" >&2; exit 1;; esac
exit 0
"""


@pytest.fixture
def remote(tmp_path, repo):
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", str(bare))
    hook = bare / "hooks" / "update"
    hook.write_text(REFUSE_TAGS)
    hook.chmod(0o755)
    git(repo, "tag", "-a", "-m", "release 8", "web-assets/v8")
    return bare


def test_a_refused_tag_names_the_tag_and_the_tags_setting(repo, remote):
    head = git(repo, "rev-parse", "HEAD")
    with pytest.raises(PublishError) as refused:
        push(repo, str(remote), "main", [head], ["web-assets/v8"])
    said = str(refused.value)
    assert "web-assets/v8" in said.splitlines()[0] and "tags=false" in said, said
    assert "pull --rebase" not in said, said
    assert git(remote, "rev-parse", "--verify", "--quiet", "main", check=False) == ""
    assert push(repo, str(remote), "main", [head]) == ("", head)


def test_a_branch_behind_the_remote_still_says_to_bring_it_up_to_date(tmp_path, repo, remote):
    head = git(repo, "rev-parse", "HEAD")
    push(repo, str(remote), "main", [head])
    git(repo, "commit", "--quiet", "--allow-empty", "-m", "local")
    other = tmp_path / "other"
    git(tmp_path, "clone", "--quiet", "--branch", "main", str(remote), str(other))
    git(other, "commit", "--quiet", "--allow-empty", "-m", "remote")
    git(other, "push", "--quiet", "origin", "main")
    with pytest.raises(PublishError, match="pull --rebase"):
        push(repo, str(remote), "main", [git(repo, "rev-parse", "HEAD")], ["web-assets/v8"])
