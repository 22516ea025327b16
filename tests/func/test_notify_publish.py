"""notify_url_env: a pushed publish posts its summary; a webhook that fails never fails the release."""

from __future__ import annotations

from pathlib import Path

from testing.doit import doit_here
from testing.gitrepo import git
from testing.project import new_run
from testing.webhook import hanging, recording


def inputs(project: Path) -> list[str]:
    run_dir = new_run(project, version=8, seed=8)
    return [f"run_dir={run_dir}", "dataset=data/processed/Dataset_Version_8.csv", "version=8"]


def test_a_pushed_publish_posts_its_summary(project, remote):
    with recording() as (url, server):
        result = doit_here(
            project,
            "push=true",
            "notify_url_env=RELEASE_HOOK",
            *inputs(project),
            env={"RELEASE_HOOK": url},
        )
    assert result.status == 0, result.text
    [body] = server.received
    commit = git(remote, "rev-parse", "main")
    assert body["summary"] == {
        "version": 8,
        "commit": commit,
        "branch": "main",
        "remote": "origin",
        "pushed": "origin main",
        "live": True,
        "pr": None,
        "models": ["financial_lens", "market_gradient_boost", "performance_dense"],
    }
    assert body["text"].startswith(f"web-assets: version 8 ({commit[:10]}) is live")
    assert "warning" not in result.text
    assert url not in result.text


def test_a_hanging_webhook_is_a_warning_after_a_pr_push(project, remote):
    with hanging() as url:
        result = doit_here(
            project,
            "pr=true",
            "push=true",
            "notify_url_env=RELEASE_HOOK",
            "notify_timeout=1",
            *inputs(project),
            env={"RELEASE_HOOK": url},
        )
    assert result.status == 0, result.text
    assert git(remote, "rev-parse", "web-assets/v8") == git(project, "rev-parse", "web-assets/v8")
    assert (
        "warning: could not notify the webhook in $RELEASE_HOOK: it did not answer within 1 s. "
        "The release is not affected."
    ) in result.out
    assert url not in result.text


def test_a_url_given_as_the_setting_is_refused_before_anything_is_written(project):
    args = inputs(project)
    before = git(project, "status", "--porcelain")
    secret = "https://hooks.example.invalid/services/T0/B0/secret"
    result = doit_here(project, f"notify_url_env={secret}", *args)
    assert result.status != 0
    assert "names the environment variable that holds the webhook URL" in result.err
    assert "secret" not in result.text.replace("carries a secret", "")
    assert git(project, "status", "--porcelain") == before
