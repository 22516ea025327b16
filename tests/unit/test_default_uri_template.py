"""With no uri_template configured, the URIs follow the push remote (issue 20, item 7)."""

from __future__ import annotations

import subprocess

import pytest

from web_assets.config.remote import github_repo, remote_mismatch
from web_assets.config.settings import resolve_settings
from web_assets.errors import PublishError

SAMPLE_TEMPLATE = (
    "https://raw.githubusercontent.com/Beautiful-Game-Oracle/The-Beautiful-Game-Oracle"
    "/{commit}/artifacts/run_export/{filename}"
)


def git(cwd, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def clone(tmp_path):
    """A git work tree whose pyproject.toml names no uri_template."""
    root = tmp_path / "clone"
    root.mkdir()
    (root / "pyproject.toml").write_text("[tool.web-assets]\nversion = 7\n")
    git(root, "init", "--quiet", "--initial-branch=main")
    return root


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/acme/match-models.git",
        "https://github.com/acme/match-models",
        "git@github.com:acme/match-models.git",
        "ssh://git@github.com/acme/match-models.git",
        "https://token@github.com/acme/match-models.git/",
    ],
)
def test_a_github_push_remote_gives_its_own_raw_urls(clone, url):
    git(clone, "remote", "add", "origin", url)
    settings = resolve_settings(clone, environ={})
    assert settings.uri_template == (
        "https://raw.githubusercontent.com/acme/match-models/{commit}/artifacts/run_export/{filename}"
    )
    settings.require_uri_template()


def test_the_push_url_and_the_named_remote_are_followed(clone):
    git(clone, "remote", "add", "origin", "https://github.com/acme/fetched.git")
    git(clone, "remote", "set-url", "--push", "origin", "git@github.com:acme/pushed.git")
    git(clone, "remote", "add", "upstream", "https://github.com/league/oracle.git")
    assert "/acme/pushed/{commit}/" in resolve_settings(clone, environ={}).uri_template
    settings = resolve_settings(clone, {"remote": "upstream"}, environ={})
    assert "/league/oracle/{commit}/" in settings.uri_template


def test_a_project_below_the_repository_top_names_its_path_from_the_top(clone):
    git(clone, "remote", "add", "origin", "https://github.com/acme/mono.git")
    inner = clone / "apps" / "web assets"
    inner.mkdir(parents=True)
    (inner / "pyproject.toml").write_text("[tool.web-assets]\n")
    template = resolve_settings(inner, environ={}).uri_template
    assert template == (
        "https://raw.githubusercontent.com/acme/mono/{commit}/apps/web%20assets/artifacts"
        "/run_export/{filename}"
    )


@pytest.mark.parametrize("remote", [None, "/srv/git/models.git", "https://gitlab.com/acme/m.git"])
def test_another_remote_and_no_template_is_refused_with_the_fix(clone, remote):
    if remote:
        git(clone, "remote", "add", "origin", remote)
    settings = resolve_settings(clone, environ={})
    with pytest.raises(PublishError, match=r"No uri_template given.*set `uri_template`") as err:
        settings.require_uri_template()
    assert "\n" not in str(err.value)


def test_a_given_template_is_kept_whatever_the_remote(clone):
    git(clone, "remote", "add", "origin", "https://github.com/acme/fork.git")
    settings = resolve_settings(clone, {"uri_template": SAMPLE_TEMPLATE}, environ={})
    assert settings.uri_template == SAMPLE_TEMPLATE


def test_a_github_template_naming_another_repo_than_the_push_remote_is_warned_of(clone):
    git(clone, "remote", "add", "origin", "git@github.com:acme/fork.git")
    warning = remote_mismatch(clone, "origin", SAMPLE_TEMPLATE)
    assert warning is not None
    assert "Beautiful-Game-Oracle/The-Beautiful-Game-Oracle" in warning
    assert "github.com/acme/fork" in warning
    own = SAMPLE_TEMPLATE.replace("Beautiful-Game-Oracle/The-Beautiful-Game-Oracle", "ACME/Fork")
    assert remote_mismatch(clone, "origin", own) is None  # GitHub names ignore case
    git(clone, "remote", "set-url", "origin", "/srv/git/models.git")
    assert remote_mismatch(clone, "origin", SAMPLE_TEMPLATE) is None


def test_only_github_urls_name_a_github_repo():
    assert github_repo("https://github.com.evil.example/acme/m.git") is None
    assert github_repo("https://gitlab.com/acme/m.git") is None
    assert github_repo("https://github.com/acme/m/extra") is None
