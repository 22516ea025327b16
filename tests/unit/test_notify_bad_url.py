"""A webhook variable holding a URL urllib cannot use: one warning, its secret never shown."""

from __future__ import annotations

import pytest

from web_assets.notify.webhook import notify

SUMMARY = {
    "version": 8,
    "commit": "4a68816f35",
    "models": ["dense"],
    "live": True,
    "pushed": "origin main",
    "remote": "origin",
}


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:s3cret/hook", "https://[::1/s3cret", "https://127.0.0.1:99999/s3cret"]
)
def test_a_malformed_webhook_url_is_one_warning_that_hides_it(capfd, url):
    warning = notify("RELEASE_WEBHOOK", SUMMARY, 30, {"RELEASE_WEBHOOK": url})
    out, err = capfd.readouterr()
    assert warning is not None
    assert warning.startswith("could not notify the webhook in $RELEASE_WEBHOOK: ")
    assert "not a URL it can be sent to" in warning, warning
    assert "s3cret" not in warning + out + err
    assert "Traceback" not in out + err
