"""The webhook after a push: one JSON POST, and a failure to notify is one bounded warning."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from testing.webhook import down, hanging, recording
from web_assets.config.notify import webhook_env
from web_assets.errors import PublishError
from web_assets.notify.webhook import notify, payload

SUMMARY = {
    "version": 8,
    "commit": "4a68816f35c0ffee4a68816f35c0ffee4a68816f",
    "branch": "main",
    "remote": "origin",
    "pushed": "origin main",
    "live": True,
    "pr": None,
    "models": ["financial_lens", "performance_dense"],
}


def test_the_webhook_gets_slack_text_and_the_summary():
    with recording() as (url, server):
        assert notify("HOOK", SUMMARY, 5, {"HOOK": url}) is None
    [body] = server.received
    assert body["text"] == (
        "web-assets: version 8 (4a68816f35) is live: pushed to origin main. "
        "Models: financial_lens, performance_dense."
    )
    assert body["summary"] == SUMMARY


def test_a_pull_request_is_announced_with_its_compare_url():
    pr = {"branch": "web-assets/v8", "base": "main", "url": "https://github.com/o/r/compare/x"}
    text = payload({**SUMMARY, "pr": pr, "live": False, "pushed": "origin web-assets/v8"})["text"]
    assert text.startswith("web-assets: version 8 (4a68816f35) is ready for review: https://")


@pytest.mark.parametrize("status", [404, 500])
def test_an_error_answer_is_a_warning_without_the_url(status):
    with recording(status) as (url, _):
        warning = notify("HOOK", SUMMARY, 5, {"HOOK": url})
    assert warning == (
        f"could not notify the webhook in $HOOK: it answered HTTP {status}. "
        "The release is not affected."
    )


def test_a_webhook_that_is_down_is_a_warning():
    url = down()
    warning = notify("HOOK", SUMMARY, 5, {"HOOK": url})
    assert warning.startswith("could not notify the webhook in $HOOK: it could not be reached")
    assert "secret-token" not in warning and "127.0.0.1" not in warning


def test_a_hanging_webhook_is_given_up_on_after_the_timeout():
    with hanging() as url:
        started = time.monotonic()
        warning = notify("HOOK", SUMMARY, 1, {"HOOK": url})
        took = time.monotonic() - started
    assert warning == (
        "could not notify the webhook in $HOOK: it did not answer within 1 s. "
        "The release is not affected."
    )
    assert took < 10


def test_an_unset_variable_is_a_warning():
    warning = notify("HOOK", SUMMARY, 5, {})
    assert warning == "no notification: $HOOK is not set (it should hold the webhook's URL)."


@pytest.mark.parametrize(
    "value", ["https://hooks.slack.com/services/T0/B0/abc", "hooks.slack.com/services/T0"]
)
def test_the_setting_refuses_a_url_without_echoing_it(value):
    with pytest.raises(PublishError, match="not the URL itself") as refused:
        webhook_env(Path("."), "notify_url_env", value)
    assert "services" not in str(refused.value)


def test_the_setting_takes_a_variable_name():
    assert webhook_env(Path("."), "notify_url_env", " SLACK_WEBHOOK_URL ") == "SLACK_WEBHOOK_URL"
