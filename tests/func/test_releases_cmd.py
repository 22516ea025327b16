"""`doit releases` and `doit diff` on a repository whose releases were made by `doit`."""

from __future__ import annotations

import pytest

from testing.doit import run_doit
from testing.gitrepo import git
from testing.project import EXPORT, LOCK, MODELS, clone_tree
from testing.published_history import HAND_RUN_ID


@pytest.fixture
def published(history_template, tmp_path):
    """Releases 7 to 11 (11 by hand) in a copy of the template: its own repo, runs and record."""
    root, commits = history_template
    return clone_tree(root, tmp_path / "project"), commits


def test_releases_lists_every_release_newest_first_with_what_changed(published):
    root, commits = published
    result = run_doit(root, "releases")
    assert result.status == 0, result.text
    lines = result.out.splitlines()
    assert [line.split()[0] for line in lines] == ["11", "10", "9", "8", "7"]
    assert [line.split()[3] for line in lines] == [
        commits[v][:8] for v in ("11", "10", "9", "8", "7")
    ]
    assert lines[0].split()[1] == HAND_RUN_ID
    assert "models changed: market_gradient_boost" in lines[0]
    assert lines[0].endswith("(by hand, no lock file)")
    for version, line in zip((10, 9, 8), lines[1:4], strict=True):
        assert line.split()[1:3] == [
            f"run_202512{version:02d}-120000",
            f"2025-12-{version:02d}T12:00:00Z",
        ]
        assert f"models changed: {', '.join(sorted(MODELS))}" in line
        assert "datasets changed: financial, main" in line
        assert "by hand" not in line
    assert "first release" in lines[4]


def test_diff_names_the_changed_models_datasets_and_features(published):
    root, _ = published
    result = run_doit(root, "diff", "from=8", "to=10")
    assert result.status == 0, result.text
    lines = result.out.splitlines()
    assert lines[0].startswith("from 8 (") and " to 10 (" in lines[0]
    for model in MODELS:
        assert any(line.startswith(f"changed  {EXPORT}/{model}.onnx  ") for line in lines)
        assert any(line.startswith(f"{model} feature_names: ") for line in lines)
    assert any(line.startswith("added    web/public/data/Dataset_Version_10.csv") for line in lines)
    # Version 8's dataset stays in the data folder beside version 10's: kept, not removed.
    assert any(line.startswith("kept     web/public/data/Dataset_Version_8.csv") for line in lines)
    assert not any(line.startswith("removed ") for line in lines)
    assert 'manifest dataset_version: "8" -> "10"' in lines


def test_diff_defaults_to_the_last_release_and_the_one_before(published):
    root, _ = published
    result = run_doit(root, "diff")
    assert result.status == 0, result.text
    lines = result.out.splitlines()
    assert lines[0].startswith("from 10 (") and " to 11 (" in lines[0]
    changed = [line for line in lines if line.startswith("changed ")]
    assert [line.split()[1] for line in changed] == [f"{EXPORT}/market_gradient_boost.onnx"]


def test_history_reads_git_objects_whatever_the_work_tree_holds(published):
    root, _ = published
    (root / LOCK).write_text("{ not json")
    listed = run_doit(root, "releases")
    assert listed.status == 0, listed.text
    assert [line.split()[0] for line in listed.out.splitlines()] == ["11", "10", "9", "8", "7"]
    assert run_doit(root, "diff", "from=7", "to=9").status == 0


def test_bad_arguments_are_one_line(published):
    root, commits = published
    head = git(root, "rev-parse", "HEAD")
    cases = {
        ("diff", "to=99"): "No release '99': give a version (11, 10, 9, 8, 7)",
        ("diff", "from=7", "since=8"): "Unknown argument 'since': this command takes from=, to=.",
        ("releases", "to=8"): "Unknown argument 'to'",
        ("diff", f"to={commits['7']}"): "Version 7 is the first release",
    }
    for args, said in cases.items():
        result = run_doit(root, *args)
        assert result.status == 3, (args, result.text)
        assert result.out == "", args
        assert result.err.count("\n") == 1 and said in result.err, (args, result.err)
        assert "Traceback" not in result.err
    assert git(root, "rev-parse", "HEAD") == head


def test_help_lists_the_commands_and_the_task_list_is_unchanged(published):
    root, _ = published
    shown = run_doit(root, "help")
    for command in ("releases", "diff", "rollback"):
        assert any(line.split()[1:2] == [command] for line in shown.out.splitlines()), shown.out
    listed = run_doit(root, "list")
    assert listed.status == 0, listed.text
    assert "rollback" not in listed.out
