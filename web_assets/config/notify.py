"""Converters of the notification settings: the webhook's variable, never its URL."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from web_assets.config.app import ENV_NAME
from web_assets.config.converters import number_within
from web_assets.errors import PublishError

_URL = re.compile(r"://|/|^www\.|^hooks\.", re.IGNORECASE)

notify_seconds = number_within(0, 60, "seconds", "5", above=True)


def webhook_env(root: Path, name: str, value: Any) -> str:
    """The name of the variable holding the webhook URL: the URL carries a secret."""
    text = str(value).strip()
    if _URL.search(text):
        # Not echoed: the value is the secret itself.
        raise PublishError(
            f"Setting `{name}` names the environment variable that holds the webhook URL (such "
            "as SLACK_WEBHOOK_URL), not the URL itself, which carries a secret: set the URL in "
            "that variable and give its name."
        )
    if not ENV_NAME.fullmatch(text):
        raise PublishError(
            f"Setting `{name}` must name an environment variable (letters, digits and _, such "
            "as SLACK_WEBHOOK_URL), got a value that is not a variable name."
        )
    return text
