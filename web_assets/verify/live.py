"""Fetch every published uri as the web app would and compare status, size and SHA-256 to the manifest."""

from __future__ import annotations

import hashlib
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

CHUNK = 1 << 20
# The slowest transfer accepted, on top of `timeout`: a server that trickles bytes just fast enough
# to beat the read timeout still meets a deadline per file.
MIN_RATE = 1 << 20
COMMIT = re.compile(r"/[0-9a-f]{40}/")
USER_AGENT = "web-asset-pipeline-verify"


@dataclass(frozen=True)
class LiveEntry:
    """One manifest entry to fetch: label like `models/performance_dense`."""

    label: str
    uri: str
    sha256: str
    size: int


class _Late(Exception):
    """The per-file deadline passed while reading."""


def check_uris(
    entries: list[LiveEntry], threads: int = 4, timeout: float = 10.0, *, min_rate: int = MIN_RATE
) -> list[str]:
    """One line per entry whose uri does not answer with exactly its bytes; [] when all do.

    `timeout` bounds the connection and each read; the whole transfer of a file must also end
    within `timeout + size / min_rate` seconds (checked between reads, so it can be overrun by at
    most one read timeout). Network problems are reported as lines, never raised. Lines come in
    the order of `entries`.
    """
    if not entries:
        return []
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        found = pool.map(lambda entry: _check(entry, timeout, min_rate), entries)
        return [line for line in found if line]


def _check(entry: LiveEntry, timeout: float, min_rate: int) -> str | None:
    shown = _shown(entry.uri)
    scheme = urllib.parse.urlsplit(entry.uri).scheme.lower()
    if scheme not in ("http", "https"):
        return f"{entry.label}: {shown} is not an http(s) uri: the web app can only fetch http(s)."
    deadline = time.monotonic() + timeout + entry.size / min_rate
    request = urllib.request.Request(entry.uri, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            if response.status != 200:
                return f"{entry.label}: HTTP {response.status} from {shown} (expected 200)."
            return _compare(entry, shown, _read(response, entry.size, deadline))
    except urllib.error.HTTPError as err:
        err.close()
        hint = " (not pushed yet, or a wrong uri_template?)" if err.code == 404 else ""
        return f"{entry.label}: HTTP {err.code} from {shown}{hint}."
    except _Late:
        return (
            f"{entry.label}: {shown} took longer than {timeout + entry.size / min_rate:.0f} s "
            f"for {entry.size} bytes: too slow to trust, try again or check the server."
        )
    except Exception as err:  # every network failure is one line, whatever urllib wraps it in
        return f"{entry.label}: {_reason(err, timeout)}: {shown}."


def _read(response, size: int, deadline: float) -> tuple[int, str]:
    """(bytes read, SHA-256) of the body, stopping one byte past `size`."""
    digest = hashlib.sha256()
    count = 0
    while count <= size:
        # read1 returns after one receive, so the deadline is checked however slow the server
        chunk = response.read1(min(CHUNK, size + 1 - count))
        if not chunk:
            break
        digest.update(chunk)
        count += len(chunk)
        if time.monotonic() > deadline:
            raise _Late
    return count, digest.hexdigest()


def _compare(entry: LiveEntry, shown: str, read: tuple[int, str]) -> str | None:
    count, digest = read
    if count < entry.size:
        return f"{entry.label}: truncated: {shown} answered {count} of the manifest's {entry.size} bytes."
    if count > entry.size:
        return f"{entry.label}: {shown} answered more than the manifest's {entry.size} bytes."
    if digest != entry.sha256.lower():
        hint = (
            ""
            if COMMIT.search(urllib.parse.urlsplit(entry.uri).path + "/")
            else "; a branch uri can be served stale by a CDN for minutes: pin uris to a commit"
        )
        return (
            f"{entry.label}: wrong bytes from {shown}: SHA-256 {digest[:12]}…, "
            f"the manifest says {entry.sha256[:12]}… (stale or replaced{hint})."
        )
    return None


def _reason(err: BaseException, timeout: float) -> str:
    """What went wrong, in words, from whatever urllib raised."""
    cause = err.reason if isinstance(err, urllib.error.URLError) else err
    if isinstance(cause, TimeoutError):
        return f"timed out (no answer within {timeout:g} s)"
    if isinstance(cause, ConnectionRefusedError):
        return "connection refused"
    if isinstance(cause, ConnectionError):
        return f"connection lost ({type(cause).__name__})"
    if isinstance(cause, socket.gaierror):
        return "host not found"
    text = str(cause).splitlines()[0] if str(cause) else type(cause).__name__
    return f"could not fetch ({text})"


def _shown(uri: str) -> str:
    """The uri without user info or query string, which may carry credentials (signed URLs)."""
    parts = urllib.parse.urlsplit(uri)
    host = parts.netloc.rpartition("@")[2]
    query = "?…" if parts.query else ""
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", "")) + query
