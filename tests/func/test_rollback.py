"""`doit rollback`: an earlier release published again as one new commit, then nothing left to do."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from testing.doit import run_doit
from testing.gitrepo import git
from testing.project import EXPORT, LOCK, MANIFEST, clone_tree, snapshot
from testing.published_history import committed, published_paths


@pytest.fixture
def published(history_template, tmp_path):
    """Releases 7 to 11 (11 by hand) in a copy of the template: its own repo, runs and record."""
    root, commits = history_template
    return clone_tree(root, tmp_path / "project"), commits


NEW_DATASET = "web/public/data/Dataset_Version_10.csv"


def tree(root, commit: str) -> dict[str, str]:
    """Every path of a commit's tree and its blob id."""
    listing = git(root, "ls-tree", "-r", "-z", commit).split("\0")
    return {line.split("\t")[1]: line.split()[2] for line in listing if line}


def test_rollback_makes_one_commit_equal_to_the_release_byte_for_byte(published):
    root, commits = published
    before = git(root, "rev-parse", "HEAD")

    result = run_doit(root, "rollback", "to=8")
    assert result.status == 0, result.text

    head = git(root, "rev-parse", "HEAD")
    assert git(root, "rev-parse", "HEAD~1") == before
    subject = git(root, "log", "-1", "--format=%s")
    assert subject == f"chore: roll back web assets to version 8 (commit {commits['8'][:8]})"
    paths = published_paths(root, commits["8"])
    assert {MANIFEST, LOCK, f"{EXPORT}/performance_dense.onnx"} <= set(paths)
    for path in paths:
        assert (root / path).read_bytes() == committed(root, commits["8"], path), path
    # The commit's tree: version 8's published files, the newer dataset gone, nothing else touched.
    now, eight, last = tree(root, head), tree(root, commits["8"]), tree(root, before)
    assert {p: now[p] for p in paths} == {p: eight[p] for p in paths}
    assert NEW_DATASET not in now and not (root / NEW_DATASET).exists()
    changed = {p for p in now.keys() | last.keys() if now.get(p) != last.get(p)}
    assert changed <= {*paths, NEW_DATASET}
    assert git(root, "status", "--porcelain") == ""
    assert "a plain `doit` runs nothing" in result.out

    verified = run_doit(root, "verify")
    assert verified.status == 0, verified.text
    again = run_doit(root)
    assert again.status == 0, again.text
    assert again.ran == []
    assert git(root, "rev-parse", "HEAD") == head
    assert git(root, "status", "--porcelain") == ""

    listed = run_doit(root, "releases").out.splitlines()
    assert [line.split()[0] for line in listed] == ["8", "11", "10", "9", "8", "7"]


def test_rollback_when_the_run_is_gone_keeps_the_release_and_a_plain_doit_does_nothing(published):
    root, commits = published
    shutil.rmtree(root / "experiments" / "v8")
    result = run_doit(root, "rollback", "to=8")
    assert result.status == 0, result.text
    assert "recorded inputs are gone" in result.out
    head = git(root, "rev-parse", "HEAD")
    for path in published_paths(root, commits["8"]):
        assert (root / path).read_bytes() == committed(root, commits["8"], path), path

    assert run_doit(root, "verify").status == 0
    again = run_doit(root)
    assert again.status == 0, again.text
    assert again.ran == []
    assert git(root, "rev-parse", "HEAD") == head
    assert git(root, "status", "--porcelain") == ""

    # A damaged file cannot be copied again from a run that is gone: it is put back from HEAD.
    dataset = root / "web/public/data/Dataset_Version_8.csv"
    good = dataset.read_bytes()
    dataset.write_bytes(good[:100])
    repaired = run_doit(root)
    assert repaired.status == 0, repaired.text
    assert "repaired from HEAD web/public/data/Dataset_Version_8.csv" in repaired.out
    assert dataset.read_bytes() == good
    assert git(root, "rev-parse", "HEAD") == head


def detach(root):
    git(root, "checkout", "--quiet", "--detach")


def edit_model(root):
    (root / f"{EXPORT}/financial_lens.onnx").write_bytes(b"not a model")


def untracked_dataset(root):
    (root / "web/public/data/Dataset_Version_8.csv").write_text("season\n")


def notes_commit(root):
    (root / "NOTES.txt").write_text("not a release\n")
    git(root, "add", "NOTES.txt")
    git(root, "commit", "--quiet", "-m", "docs: notes")


def merge_in_progress(root):
    (root / ".git" / "MERGE_HEAD").write_text(git(root, "rev-parse", "HEAD~1") + "\n")


def rolled_back_to_9(root):
    assert run_doit(root, "rollback", "to=9").status == 0


REFUSALS = {
    "unknown version": (None, "to=99", "No release '99': give a version (11, 10, 9, 8, 7)"),
    "no target": (None, "push=true", "Name the release to roll back to"),
    "made by hand": (None, "to=11", "Release 11 (commit"),
    "not a release": (notes_commit, "to=HEAD", "is not a release"),
    "what is published": (rolled_back_to_9, "to=9", "is what is published now"),
    "changed model": (
        edit_model,
        "to=8",
        f"Uncommitted changes to published files: {EXPORT}/financial_lens.onnx.",
    ),
    "untracked target": (
        untracked_dataset,
        "to=8",
        "Uncommitted changes to published files: web/public/data/Dataset_Version_8.csv.",
    ),
    "detached HEAD": (detach, "to=8", "is on a detached HEAD"),
    "merge in progress": (merge_in_progress, "to=8", "a merge is in progress"),
    "unknown setting": (None, "version=8", "Unknown argument 'version'"),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_each_refusal_is_one_line_and_writes_nothing(published, case):
    root, _ = published
    prepare, argument, said = REFUSALS[case]
    if prepare:
        prepare(root)
    files, head = snapshot(root), git(root, "rev-parse", "HEAD")
    status = git(root, "status", "--porcelain")

    result = run_doit(root, "rollback", argument)

    assert result.status == 3, result.text
    assert result.out == ""
    assert result.err.count("\n") == 1 and said in result.err, result.err
    assert snapshot(root) == files
    assert git(root, "rev-parse", "HEAD") == head
    assert git(root, "status", "--porcelain") == status


def test_the_made_by_hand_refusal_lists_the_releases_made_by_the_tool(published):
    root, _ = published
    result = run_doit(root, "rollback", "to=11")
    assert "Known versions: 10, 9, 8, 7." in result.err


def test_rollback_pushes_to_the_remote_with_push_true(published, tmp_path):
    root, commits = published
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(remote)], check=True)
    git(root, "remote", "add", "origin", str(remote))
    git(root, "push", "--quiet", "origin", "main")

    result = run_doit(root, "rollback", f"to={commits['9'][:10]}", "push=true")
    assert result.status == 0, result.text
    assert "pushed to origin main: live." in result.out
    head = git(root, "rev-parse", "HEAD")
    assert git(remote, "rev-parse", "main") == head
    assert git(root, "log", "-1", "--format=%s") == (
        f"chore: roll back web assets to version 9 (commit {commits['9'][:8]})"
    )
    assert committed(remote, "main", LOCK) == committed(root, commits["9"], LOCK)
