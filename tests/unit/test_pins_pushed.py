"""Before a push: every commit the pushed manifest pins is in the pushed commit; after: what it sent."""

from __future__ import annotations

import json

import pytest

from testing.gitrepo import git
from web_assets.errors import PublishError
from web_assets.git.push import push, sent_line
from web_assets.verify.pins import committed_pins, refuse_unserved

TEMPLATE = "https://example.org/{commit}/models/{filename}"


def _manifest(repo, holder: str) -> None:
    document = {
        "dataset_version": 8,
        "models": [
            {
                "id": "old",
                "path": "models/old.onnx",
                "uri": f"https://example.org/{holder}/models/old.onnx",
                "sha256": "0" * 64,
            }
        ],
        "preprocessing": [],
    }
    (repo / "dev.json").write_text(json.dumps(document))
    git(repo, "add", "dev.json")
    git(repo, "commit", "--quiet", "-m", "manifest")


def test_a_pin_on_the_pushed_commit_passes(repo):
    holder = git(repo, "rev-parse", "HEAD")
    _manifest(repo, holder)
    pins = committed_pins(repo, "HEAD", "dev.json", TEMPLATE)
    assert [pin.commit for pin in pins] == [holder]
    refuse_unserved(repo, git(repo, "rev-parse", "HEAD"), pins, "origin main")


def test_a_pin_off_the_pushed_commit_is_refused_in_one_line(repo):
    # The same tree as HEAD, on no branch: what a rebase leaves behind.
    stray = git(repo, "commit-tree", "HEAD^{tree}", "-p", "HEAD~1", "-m", "before the rebase")
    _manifest(repo, stray)
    pins = committed_pins(repo, "HEAD", "dev.json", TEMPLATE)
    with pytest.raises(PublishError, match=f"pins models/old to commit {stray[:10]}") as refused:
        refuse_unserved(repo, git(repo, "rev-parse", "HEAD"), pins, "origin main")
    assert "Nothing was pushed" in str(refused.value)
    assert "\n" not in str(refused.value)


def test_the_push_says_which_commits_it_made_reachable(tmp_path, repo):
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", str(bare))
    first = git(repo, "rev-parse", "HEAD~1")
    assert push(repo, str(bare), "main", [first]) == ("", first)
    head = git(repo, "rev-parse", "HEAD")
    before, after = push(repo, str(bare), "main", [])
    assert (before, after) == (first, head)
    line = sent_line(repo, "origin main", before, after, [head, head])
    assert line == f"pushed origin main: 1 commit(s) ({first[:7]}..{head[:7]}); " + (
        f"the manifest's URIs name {head[:7]}"
    )
    assert push(repo, str(bare), "main", [head]) == (head, head)
    assert sent_line(repo, "origin main", head, head, []) == (
        f"pushed origin main: already at {head[:7]}"
    )
