"""Publish commits through git's plumbing: the user's index, work tree and branch as they were."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from testing.gitrepo import committed, git, make_repo, publish, user_state, write
from web_assets.errors import PublishError
from web_assets.git import commit as gitcommit

FILES = {
    "artifacts/model.onnx": b"\x08\x07model bytes",
    "artifacts/model_preprocessing.json": b'{"feature_names": ["a"]}\n',
    "data/Dataset Version 8.csv": b"a,b\n1,2\n",
}


def test_a_commit_of_three_files_leaves_the_users_changes_as_they_were(repo):
    before = user_state(repo)
    parent = git(repo, "rev-parse", "HEAD")

    new = publish(repo, FILES)

    after = user_state(repo)
    assert git(repo, "rev-parse", "HEAD") == new
    assert git(repo, "rev-parse", "HEAD~1") == parent
    assert sorted(committed(repo)) == sorted(FILES)
    assert git(repo, "log", "-1", "--format=%s") == "Publish"
    for key in ("status", "cached", "diff"):
        assert after[key] == before[key], key
    assert "staged.txt" in git(repo, "diff", "--cached", "--name-only")


def test_two_commits_chain_files_then_manifest(repo):
    parent = gitcommit.head_commit(repo)
    files = gitcommit.build_commit(repo, parent, write(repo, FILES), "Files")
    manifest = write(repo, {"web/dev.json": b"{}\n", "web-assets.lock.json": b"{}\n"})
    pinned = gitcommit.build_commit(repo, files, manifest, "Manifest")
    gitcommit.advance_branch(repo, "main", pinned, parent)
    gitcommit.sync_index(repo, [*FILES, *manifest])

    assert git(repo, "rev-list", "--parents", "-1", "HEAD").split() == [pinned, files]
    assert sorted(committed(repo)) == ["web-assets.lock.json", "web/dev.json"]
    assert sorted(committed(repo, files)) == sorted(FILES)
    assert git(repo, "status", "--porcelain", "--", *FILES, *manifest) == ""


def test_nothing_changed_makes_no_commit(repo):
    publish(repo, FILES)
    head = git(repo, "rev-parse", "HEAD")

    assert publish(repo, FILES) is None
    assert gitcommit.build_commit(repo, head, {}, "Nothing") is None
    assert git(repo, "rev-parse", "HEAD") == head


def test_a_file_named_star_commits_only_itself(repo):
    names = {"*": b"star\n", ":(glob)x": b"magic\n", "with space #1.onnx": b"space\n"}
    before = user_state(repo)

    publish(repo, names)

    assert sorted(committed(repo)) == sorted(names)
    assert user_state(repo)["cached"] == before["cached"]
    assert git(repo, "status", "--porcelain") == before["status"]


def test_an_executable_file_keeps_its_mode(repo):
    path = write(repo, {"tool.sh": b"#!/bin/sh\n"})["tool.sh"]
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    publish(repo, {})  # nothing to publish yet: no commit
    new = gitcommit.build_commit(repo, gitcommit.head_commit(repo), {"tool.sh": path}, "Tool")
    assert git(repo, "ls-tree", new, "tool.sh").startswith("100755 ")


def _conflict(root: Path) -> None:
    """A branch `other` whose commit conflicts with main's on tracked.txt."""
    git(root, "stash", "--quiet", "--include-untracked")
    git(root, "switch", "--quiet", "-c", "other", "HEAD~1")
    (root / "tracked.txt").write_text("one\nthree\n")
    git(root, "commit", "--quiet", "--all", "-m", "other")
    git(root, "switch", "--quiet", "main")


def _merge(root):
    _conflict(root)
    git(root, "merge", "other", check=False)


def _rebase(root):
    _conflict(root)
    git(root, "rebase", "--merge", "main", "other", check=False)


def _rebase_apply(root):
    _conflict(root)
    git(root, "rebase", "--apply", "main", "other", check=False)


def _cherry_pick(root):
    _conflict(root)
    git(root, "cherry-pick", "other", check=False)


def _revert(root):
    (root / "tracked.txt").write_text("one\ntwo\nfour\n")
    git(root, "commit", "--quiet", "--all", "-m", "third")
    git(root, "revert", "--no-edit", "HEAD~1", check=False)


def _bisect(root):
    git(root, "bisect", "start")


def _detached(root):
    git(root, "switch", "--quiet", "--detach", "HEAD")


UNSAFE = {
    "merge": (_merge, "a merge is in progress.*git merge --abort"),
    "rebase": (_rebase, "a rebase is in progress.*git rebase --abort"),
    "rebase-apply": (_rebase_apply, "a rebase or `git am` is in progress"),
    "cherry-pick": (_cherry_pick, "a cherry-pick is in progress"),
    "revert": (_revert, "a revert is in progress"),
    "bisect": (_bisect, "a bisect is in progress.*git bisect reset"),
    "detached": (_detached, "detached HEAD.*branch=BRANCH"),
}


@pytest.mark.parametrize("state", sorted(UNSAFE))
def test_unsafe_state_is_refused_and_nothing_changes(repo, state):
    make, message = UNSAFE[state]
    make(repo)
    before = user_state(repo)

    with pytest.raises(PublishError, match=message):
        gitcommit.refuse_unsafe_state(repo, None)

    assert user_state(repo) == before


def test_unsafe_states_are_seen_from_a_linked_worktree(repo, tmp_path):
    linked = tmp_path / "linked"
    git(repo, "worktree", "add", "--quiet", "-b", "side", str(linked), "HEAD~1")
    assert gitcommit.refuse_unsafe_state(linked, None) == "side"
    git(linked, "bisect", "start")
    with pytest.raises(PublishError, match="bisect"):
        gitcommit.refuse_unsafe_state(linked, None)
    assert gitcommit.refuse_unsafe_state(repo, None) == "main"


def test_a_detached_head_with_a_branch_commits_on_head(repo):
    _detached(repo)
    assert gitcommit.refuse_unsafe_state(repo, "release") == "release"
    parent = gitcommit.head_commit(repo)
    new = gitcommit.build_commit(repo, parent, write(repo, FILES), "Publish")
    gitcommit.advance_branch(repo, "release", new, parent)
    assert git(repo, "rev-parse", "HEAD") == new
    assert git(repo, "rev-parse", "main") == parent


def test_no_identity_is_refused(repo, monkeypatch, tmp_path):
    for role in ("AUTHOR", "COMMITTER"):
        for part in ("NAME", "EMAIL"):
            monkeypatch.delenv(f"GIT_{role}_{part}")
    monkeypatch.delenv("EMAIL", raising=False)
    home = tmp_path / "empty-home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    # Without it git may guess an address from the host name, which depends on the machine.
    (home / ".gitconfig").write_text("[user]\n\tuseConfigOnly = true\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    before = user_state(repo)

    with pytest.raises(PublishError, match=r"no identity.*git config --global user.email"):
        gitcommit.refuse_unsafe_state(repo, None)
    assert user_state(repo) == before


def test_not_a_work_tree_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    with pytest.raises(PublishError, match=r"not in a git work tree.*git init"):
        gitcommit.refuse_unsafe_state(tmp_path, None)


def _hook(root: Path, name: str, body: str) -> None:
    hook = root / ".git" / "hooks" / name
    hook.write_text("#!/bin/sh\n" + body)
    hook.chmod(0o755)


@pytest.mark.parametrize("name", ["pre-commit", "commit-msg"])
def test_a_failing_hook_fails_the_publish_and_leaves_git_as_it_was(repo, name):
    _hook(repo, name, 'echo "lint: line too long in $1" >&2\nexit 3\n')
    paths = write(repo, FILES)
    before = user_state(repo)

    with pytest.raises(
        PublishError, match=f"(?s){name} hook refused.*lint: line too long"
    ) as error:
        gitcommit.build_commit(repo, gitcommit.head_commit(repo), paths, "Publish")

    assert "status 3" in str(error.value)
    assert user_state(repo) == before
    assert list((repo / ".git" / "web-assets").iterdir()) == []


def test_a_passing_hook_sees_what_is_committed(repo, tmp_path):
    seen = tmp_path / "seen.txt"
    _hook(repo, "pre-commit", f"git diff --cached --name-only > '{seen}'\n")
    _hook(repo, "commit-msg", 'printf "\\nReviewed-by: hook\\n\\n\\n" >> "$1"\n')

    publish(repo, FILES)

    assert sorted(seen.read_text().splitlines()) == sorted(FILES)
    assert git(repo, "log", "-1", "--format=%B") == "Publish\n\nReviewed-by: hook"


def test_a_branch_moved_meanwhile_is_refused(repo):
    parent = gitcommit.head_commit(repo)
    new = gitcommit.build_commit(repo, parent, write(repo, FILES), "Publish")
    git(repo, "commit", "--quiet", "-m", "the user's commit")
    theirs = git(repo, "rev-parse", "HEAD")

    with pytest.raises(PublishError, match=r"moved while publishing.*Publish again"):
        gitcommit.advance_branch(repo, "main", new, parent)
    assert git(repo, "rev-parse", "main") == theirs


def test_push_sends_both_commits_and_a_refused_push_keeps_them(repo, tmp_path):
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "--quiet", "origin", "main")
    new = publish(repo, FILES)
    gitcommit.push(repo, "origin", "main", [new])
    assert git(remote, "rev-parse", "main") == new

    other = make_repo(tmp_path / "other")
    git(other, "commit", "--quiet", "-m", "diverged")
    git(other, "push", "--quiet", "--force", str(remote), "main")
    mine = publish(repo, {"artifacts/model.onnx": b"retrained"})
    with pytest.raises(PublishError, match="Push to origin main was refused; the local commits"):
        gitcommit.push(repo, "origin", "main", [mine])
    assert git(repo, "rev-parse", "HEAD") == mine
