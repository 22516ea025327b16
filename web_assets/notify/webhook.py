"""One JSON POST after a push: Slack-compatible `text` plus the structured summary.

The webhook's URL carries a secret: it is read from the variable `notify_url_env` names and never
printed. A failure to notify (unset, refused, down, hanging) is one warning, never a failed
release, and takes at most `notify_timeout` seconds.
"""

from __future__ import annotations

import http.client
import json
import os
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

# Enough to see the status line; a webhook's answer is never read further.
_ANSWER_BYTES = 4096


def payload(summary: Mapping[str, Any]) -> dict[str, Any]:
    """The POST's body: a line a person reads in the channel, then the summary as data."""
    version, commit = summary["version"], (summary["commit"] or "")[:10]
    models = ", ".join(summary["models"]) or "none"
    pr = summary.get("pr")
    if pr:
        where = pr.get("url") or f"branch {pr['branch']} on {summary['remote']}"
        text = f"web-assets: version {version} ({commit}) is ready for review: {where}"
    else:
        state = "live" if summary["live"] else "pushed"
        text = f"web-assets: version {version} ({commit}) is {state}: pushed to {summary['pushed']}"
    return {"text": f"{text}. Models: {models}.", "summary": dict(summary)}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect would resend the POST without its body: count it as an answer that failed."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _post(url: str, body: bytes, timeout: float, answer: list[str]) -> None:
    """POST `body`, noting in `answer` what went wrong ("" when taken; nothing on a timeout)."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with opener.open(request, timeout=timeout) as response:
            response.read(_ANSWER_BYTES)
        answer.append("")
    except urllib.error.HTTPError as err:
        answer.append(f"it answered HTTP {err.code}")
    except http.client.HTTPException as err:
        # Its message may quote part of the URL (a port that is a secret): the kind alone.
        answer.append(f"it could not be reached ({type(err).__name__})")
    except (urllib.error.URLError, OSError, ValueError) as err:
        reason = getattr(err, "reason", None) or err
        if isinstance(reason, TimeoutError):
            return  # said as the deadline passing, whichever of the two saw it first
        answer.append(f"it could not be reached ({type(reason).__name__}: {reason})")


def notify(
    env_name: str,
    summary: Mapping[str, Any],
    timeout: float,
    environ: Mapping[str, str] | None = None,
) -> str | None:
    """POST the summary to the webhook in `$env_name`: None when it took it, else the warning."""
    environ = os.environ if environ is None else environ
    url = environ.get(env_name, "").strip()
    where = f"the webhook in ${env_name}"
    if not url:
        return f"no notification: ${env_name} is not set (it should hold the webhook's URL)."
    if not url.lower().startswith(("https://", "http://")):
        return f"no notification: ${env_name} does not hold an http(s) URL."
    if not _sendable(url):
        return (
            f"could not notify {where}: it holds what is not a URL it can be sent to (a host, "
            "and a port that is a number up to 65535). The release is not affected."
        )
    body = json.dumps(payload(summary), sort_keys=True).encode()
    answer: list[str] = []
    # A daemon thread bounds the whole exchange: a socket timeout alone restarts on every byte.
    worker = threading.Thread(target=_post, args=(url, body, timeout, answer), daemon=True)
    worker.start()
    worker.join(timeout)
    problem = answer[0] if answer else f"it did not answer within {timeout:g} s"
    if not problem:
        return None
    # The URL carries a secret: a message that quotes it is not shown.
    problem = problem.replace(url, "(its URL)")
    return f"could not notify {where}: {problem}. The release is not affected."


def _sendable(url: str) -> bool:
    """Whether urllib can send to `url`: else it raises in the sending thread, quoting it."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - a port that is not a number in range raises here
    except ValueError:
        return False
    return bool(parts.hostname)


def notify_pushed(
    settings: Any,
    made: Mapping[str, Any],
    models: list[str],
    environ: Mapping[str, str] | None = None,
) -> list[str]:
    """After a push with `notify_url_env` set: the warning a failed notification gives, if any."""
    if not (settings.notify_url_env and made.get("pushed")):
        return []
    summary = {
        "version": settings.version,
        "commit": made.get("commit") or "",
        "branch": made.get("branch") or "",
        "remote": made.get("remote") or settings.remote,
        "pushed": made["pushed"],
        # A pull request's branch is not what the web app loads: it is live once merged.
        "live": not made.get("pr"),
        "pr": made.get("pr"),
        "models": sorted(models),
    }
    warning = notify(settings.notify_url_env, summary, settings.notify_timeout, environ)
    return [warning] if warning else []
