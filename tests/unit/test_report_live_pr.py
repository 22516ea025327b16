"""The report's `Live:` line for a pull request's release: on its branch, live once merged."""

from __future__ import annotations

from web_assets.records.summary import Summary
from web_assets.report.facts import live_state

PR = {"branch": "web-assets/v9", "base": "main", "url": ""}


def test_a_pushed_pr_release_is_said_to_wait_for_its_merge():
    summary = Summary(
        commit_step={"commit": "6ec665adab7c", "pushed": "origin web-assets/v9", "pr": PR}
    )
    assert live_state(summary) == (
        "not yet: committed 6ec665adab on branch web-assets/v9, pushed to origin "
        "web-assets/v9; live once merged into main"
    )


def test_a_pr_release_made_locally_is_said_to_need_a_push_and_a_merge():
    summary = Summary(commit_step={"commit": "6ec665adab7c", "pr": PR})
    assert live_state(summary) == (
        "not yet: committed 6ec665adab on branch web-assets/v9 locally only; live once pushed "
        "and merged into main"
    )
