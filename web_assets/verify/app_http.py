"""The web app's HTTP API, asked with bounds: one deadline per request, bodies read up to a limit.

Every network failure is an `Unanswered` with its reason in words; the server's own text is
escaped before anyone prints it, and the reload token is never part of what is returned.
"""

from __future__ import annotations

import http.client
import json
import socket
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

# The app's answers are small JSON documents; more than this is not the app.
BODY_LIMIT = 1 << 20
CHUNK = 1 << 16
USER_AGENT = "web-asset-pipeline-verify"


class Unanswered(Exception):
    """No usable answer within the deadline: refused, timed out, cut, or too large."""


@dataclass(frozen=True)
class Answer:
    """An HTTP answer: its status and its body as JSON (None when the body is not JSON)."""

    status: int
    document: Any
    text: str

    def error(self) -> str:
        """What the app said went wrong, escaped, in one line."""
        said = self.document.get("error") if isinstance(self.document, dict) else None
        return printable(str(said) if said is not None else self.text, 200)


def printable(text: str, limit: int = 300) -> str:
    """`text` on one line, non-printable characters escaped, cut at `limit` characters."""
    shown = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in " ".join(text.split()))
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def ask(
    base: str,
    method: str,
    route: str,
    *,
    body: Any = None,
    token: str | None = None,
    timeout: float = 30.0,
    limit: int = BODY_LIMIT,
) -> Answer:
    """`method route` on the app at `base`; the whole request (connect, headers, body) ends within
    `timeout` seconds, or `Unanswered` is raised."""
    deadline = time.monotonic() + timeout
    parts = urllib.parse.urlsplit(base)
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(parts.hostname or "", parts.port, timeout=max(timeout, 0.001))
    path = parts.path.rstrip("/") + route
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token is not None:
        headers["x-reload-token"] = token
    try:
        connection.request(method, path, body=data, headers=headers)
        # Held here: http.client drops its own reference when the answer closes the connection.
        sock = connection.sock
        sock.settimeout(_left(deadline, timeout))
        response = connection.getresponse()
        raw = _read(response, sock, deadline, timeout, limit)
        return Answer(response.status, _json(raw), raw.decode("utf-8", "replace"))
    except Unanswered:
        raise
    except Exception as err:  # every failure of the network is one reason, whatever raised it
        raise Unanswered(_reason(err, timeout)) from None
    finally:
        connection.close()


def _left(deadline: float, timeout: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise Unanswered(f"no answer within {timeout:g} s")
    return left


def _read(
    response: http.client.HTTPResponse,
    sock: socket.socket,
    deadline: float,
    timeout: float,
    limit: int,
) -> bytes:
    chunks, count = [], 0
    while True:
        # The timeout shrinks to what is left, so a server trickling bytes still meets the deadline.
        sock.settimeout(_left(deadline, timeout))
        chunk = response.read1(CHUNK)
        if not chunk:
            return b"".join(chunks)
        count += len(chunk)
        if count > limit:
            raise Unanswered(f"its answer is larger than {limit:,} bytes")
        chunks.append(chunk)


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _reason(err: BaseException, timeout: float) -> str:
    if isinstance(err, TimeoutError | socket.timeout):
        return f"no answer within {timeout:g} s"
    if isinstance(err, ConnectionRefusedError):
        return "connection refused"
    if isinstance(err, ConnectionError | http.client.RemoteDisconnected):
        return f"connection lost ({type(err).__name__})"
    if isinstance(err, socket.gaierror):
        return "host not found"
    return f"could not ask it ({printable(str(err) or type(err).__name__, 120)})"
