"""Fixtures for every level: a hermetic git, the sample project, a repo with a user's work."""

from __future__ import annotations

from pathlib import Path

import pytest

from testing.gitrepo import make_repo, pin_git_environment
from testing.project import sample_repo


@pytest.fixture(autouse=True)
def hermetic_git(tmp_path_factory, monkeypatch):
    """Pinned identity, no user or system git config, no SOURCE_DATE_EPOCH from outside."""
    pin_git_environment(monkeypatch, tmp_path_factory.mktemp("home"))


@pytest.fixture
def project(tmp_path) -> Path:
    """The project with its committed sample, in a git repo of its own."""
    return sample_repo(tmp_path / "project")


@pytest.fixture
def repo(tmp_path) -> Path:
    """A git repo with two commits and a user's staged, unstaged and untracked work."""
    return make_repo(tmp_path / "repo")
