"""Fetch every published uri as the web app would and compare status, size and SHA-256 to the manifest."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.client
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from web_assets.errors import printable

CHUNK = 1 << 20
# The slowest transfer accepted, on top of `timeout`: a server that trickles bytes just fast enough
# to beat the read timeout still meets a deadline per file.
MIN_RATE = 1 << 20
# The deadline's watchdog fires this much after it, so that a server silent for a whole read
# timeout is reported as timed out (its true story), not as slow.
GRACE = 1.0
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


class _Deadline:
    """One deadline for a whole fetch: connect, TLS, status line, headers, redirects and body.

    Socket timeouts bound each wait, not their sum: a server sending one header byte every few
    seconds never trips them. At the deadline every socket of the fetch is shut down, so whatever
    read is blocked returns at once.
    """

    def __init__(self, seconds: float):
        self.at = time.monotonic() + seconds
        self.expired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(seconds + GRACE, self.expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return max(0.001, self.at + GRACE - time.monotonic())

    def watch(self, sock: socket.socket) -> None:
        # A duplicate descriptor of the same connection: TLS wrapping detaches the original.
        with self._lock:
            self._sockets.append(sock.dup())
            if self.expired:
                self._shut(self._sockets[-1])

    def expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                self._shut(sock)

    def close(self) -> None:
        self._timer.cancel()
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()

    @staticmethod
    def _shut(sock: socket.socket) -> None:
        with contextlib.suppress(OSError):  # already closed by the other end
            sock.shutdown(socket.SHUT_RDWR)


class _Bounded:
    """A connection that takes at most the deadline's remaining time to connect, then is watched."""

    def __init__(self, *args, deadline: _Deadline, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = functools.partial(self._connect_within, deadline)

    @staticmethod
    def _connect_within(deadline: _Deadline, address, timeout, *args, **kwargs):
        timeout = deadline.remaining() if timeout is None else min(timeout, deadline.remaining())
        sock = socket.create_connection(address, timeout, *args, **kwargs)
        deadline.watch(sock)
        return sock


class _HTTP(_Bounded, http.client.HTTPConnection):
    pass


class _HTTPS(_Bounded, http.client.HTTPSConnection):
    pass


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: _Deadline):
        super().__init__()
        self.deadline = deadline

    def http_open(self, req):
        return self.do_open(functools.partial(_HTTP, deadline=self.deadline), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: _Deadline):
        super().__init__()
        self.deadline = deadline

    def https_open(self, req):
        connection = functools.partial(_HTTPS, deadline=self.deadline)
        return self.do_open(connection, req, context=self._context)


def check_uris(
    entries: list[LiveEntry], threads: int = 4, timeout: float = 10.0, *, min_rate: int = MIN_RATE
) -> list[str]:
    """One line per entry whose uri does not answer with exactly its bytes; [] when all do.

    `timeout` bounds the connection and each read; the whole fetch of a file (connect, headers,
    body) must also end within `timeout + size / min_rate` seconds (+ GRACE), however slowly
    the server trickles. At most `size + 1` bytes of a body are read. Network problems are
    reported as lines, never raised; what a server sent is escaped. Lines come in the order of
    `entries`.
    """
    if not entries:
        return []
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        found = pool.map(lambda entry: _check(entry, timeout, min_rate), entries)
        return [line for line in found if line]


def _check(entry: LiveEntry, timeout: float, min_rate: int) -> str | None:
    line = _fetch(entry, timeout, min_rate)
    return None if line is None else printable(line)


def _fetch(entry: LiveEntry, timeout: float, min_rate: int) -> str | None:
    shown = _shown(entry.uri)
    scheme = urllib.parse.urlsplit(entry.uri).scheme.lower()
    if scheme not in ("http", "https"):
        return f"{entry.label}: {shown} is not an http(s) uri: the web app can only fetch http(s)."
    seconds = timeout + entry.size / min_rate
    deadline = _Deadline(seconds)
    opener = urllib.request.build_opener(_HTTPHandler(deadline), _HTTPSHandler(deadline))
    request = urllib.request.Request(entry.uri, headers={"User-Agent": USER_AGENT})
    try:
        with opener.open(request, timeout=timeout) as response:
            if response.status != 200:
                return f"{entry.label}: HTTP {response.status} from {shown} (expected 200)."
            return _compare(entry, shown, _read(response, entry.size, deadline))
    except urllib.error.HTTPError as err:
        err.close()
        hint = " (not pushed yet, or a wrong uri_template?)" if err.code == 404 else ""
        return f"{entry.label}: HTTP {err.code} from {shown}{hint}."
    except Exception as err:  # every network failure is one line, whatever urllib wraps it in
        cause = err.reason if isinstance(err, urllib.error.URLError) else err
        if isinstance(err, _Late) or (deadline.expired and not isinstance(cause, TimeoutError)):
            return (
                f"{entry.label}: {shown} took longer than {seconds:.0f} s for {entry.size} bytes "
                "(connect, headers and body): too slow to trust, try again or check the server."
            )
        return f"{entry.label}: {_reason(err, timeout)}: {shown}."
    finally:
        deadline.close()


def _read(response, size: int, deadline: _Deadline) -> tuple[int, str]:
    """(bytes read, SHA-256) of the body, stopping one byte past `size`."""
    digest = hashlib.sha256()
    count = 0
    while count <= size:
        chunk = response.read1(min(CHUNK, size + 1 - count))
        if not chunk:
            break
        digest.update(chunk)
        count += len(chunk)
    # A body cut by the deadline must not read as a truncated file.
    if deadline.expired:
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
