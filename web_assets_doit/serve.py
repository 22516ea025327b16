"""`doit serve`: the status page and the files it checks, over HTTP on 127.0.0.1, nothing else.

A doit command rather than a task: it must run in doit's main thread for Ctrl-C to stop it
cleanly, and tasks run in worker threads here (num_process = 2).

What is served is decided per request from the manifest and the lock file on disk: the page,
the manifest, and the files they name by `path`/`local_path`. Everything else (git's files,
doit's and our state, folder listings, hidden files, symlinks leading out of the project) is a
404, and a request whose Host is not this server's own address is a 403, so that a web page
cannot read the project through a DNS name rebound to 127.0.0.1.
"""

from __future__ import annotations

import email.utils
import io
import os
import posixpath
import sys
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from doit.cmd_base import Command

from web_assets.config.settings import resolve_settings
from web_assets.config.table import DEFAULTS
from web_assets.errors import PublishError
from web_assets_doit.status_api import HISTORY, SHIFT, answer, open_regular, read_regular_json

STATUS_PAGE = "web/public/assets.html"
PAGE_FILES = (
    STATUS_PAGE,
    *(f"web/public/assets{part}.js" for part in ("", "-app", "-history", "-shift")),
)
MANIFEST_SECTIONS = ("models", "preprocessing")
HOSTS = ("127.0.0.1", "localhost")
# A connection silent this long is closed: idle keep-alive sockets would otherwise hold a
# thread each for good.
IDLE_TIMEOUT = 30.0


def clean(name: object) -> str | None:
    """A project-relative POSIX path, or None for anything that is not a plain visible path."""
    if not isinstance(name, str) or not name or "\x00" in name or "\\" in name:
        return None
    path = posixpath.normpath(name.lstrip("/"))
    parts = path.split("/")
    # Hidden parts cover .git, .doit.db*, .web-assets and the `.name.partial` files of writes.
    if path.startswith("/") or any(part.startswith(".") for part in parts):
        return None
    return path


class StatusFiles:
    """Which files of `root` the status page may fetch, read afresh for every request."""

    def __init__(self, root: Path):
        self.root = root.resolve()
        try:
            settings = resolve_settings(self.root, {})
            manifest, lock_file = settings.manifest, settings.lock_file
        except PublishError:
            # A broken pyproject.toml must not stop the page from showing what is published.
            manifest = self.root / DEFAULTS["manifest"]
            lock_file = self.root / DEFAULTS["lock_file"]
        self.manifest = manifest.relative_to(self.root).as_posix()
        self.lock_file = lock_file

    def names(self) -> set[str]:
        # The page reads the lock file too: each model's missing features and prediction shift.
        named = [*PAGE_FILES, self.manifest, self.lock_file.relative_to(self.root).as_posix()]
        manifest = _read_json(self.root / self.manifest)
        if isinstance(manifest, dict):
            for section in MANIFEST_SECTIONS:
                entries = manifest.get(section)
                for entry in entries if isinstance(entries, list) else []:
                    if isinstance(entry, dict):
                        named += [entry.get("local_path"), entry.get("path")]
        lock = _read_json(self.lock_file)
        files = lock.get("files") if isinstance(lock, dict) else None
        for entry in files if isinstance(files, list) else []:
            if isinstance(entry, dict):
                named.append(entry.get("path"))
        return {path for path in map(clean, named) if path is not None}

    def find(self, url: str) -> Path | None:
        """The file a request's URL names, if it is one the page may fetch; else None."""
        wanted = clean(unquote(urlsplit(url).path, errors="strict"))
        if wanted is None or wanted not in self.names():
            return None
        real = (self.root / wanted).resolve()
        if (
            not real.is_relative_to(self.root)
            or clean(real.relative_to(self.root).as_posix()) is None
        ):
            return None
        return real


def _read_json(path: Path) -> object:
    try:
        return read_regular_json(path, str(path))
    except (OSError, ValueError):
        return None


class StatusPageHandler(SimpleHTTPRequestHandler):
    """GET and HEAD of the status page's files, never cached: it must check what is on disk now."""

    server: StatusServer

    def setup(self) -> None:
        self.timeout = self.server.idle_timeout
        super().setup()

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:
        pass

    def send_head(self):
        if self.headers.get("Host", "").lower() not in self.server.hosts:
            self.send_error(
                HTTPStatus.FORBIDDEN, "Unknown Host: use the address `doit serve` printed"
            )
            return None
        route = urlsplit(self.path)
        if route.path in (HISTORY, SHIFT):
            return self.send_answer(route.path, route.query)
        try:
            path = self.server.files.find(self.path)
        except (UnicodeDecodeError, ValueError):
            path = None
        stream = None
        try:
            if path is not None:
                # O_NOFOLLOW: a symlink put in place since the check above is refused too.
                stream = open_regular(path)
                info = os.fstat(stream.fileno())
        except OSError:
            stream = None
        if stream is None:
            self.send_error(HTTPStatus.NOT_FOUND, "Not a file of the status page")
            return None
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Length", str(info.st_size))
        self.send_header("Last-Modified", email.utils.formatdate(info.st_mtime, usegmt=True))
        self.end_headers()
        return stream

    def send_answer(self, route: str, query: str):
        """The history or the shift points as JSON, built now from git and the disk."""
        status, body = answer(self.server.files.root, route, query)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


class StatusServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path, port: int, idle_timeout: float = IDLE_TIMEOUT):
        self.files = StatusFiles(root)
        self.idle_timeout = idle_timeout
        super().__init__(("127.0.0.1", port), StatusPageHandler)
        port = self.server_address[1]
        self.hosts = {f"{host}:{port}" for host in HOSTS}


def make_server(root: Path, port: int = 0, idle_timeout: float = IDLE_TIMEOUT) -> StatusServer:
    """A server for `root`'s status page on 127.0.0.1; port 0 takes a free one (server_address)."""
    return StatusServer(root, port, idle_timeout)


def _app_query(root: Path) -> str:
    """`?app=URL` when app_url is set: the page then shows what the web app itself answers."""
    try:
        url = resolve_settings(root, {}).app_url
    except PublishError:
        return ""
    return f"?app={quote(url, safe=':/')}" if url else ""


def serve(root: Path, out=sys.stdout) -> None:
    server = make_server(root)
    host, port = server.server_address[:2]
    out.write(f"Serving {root} at http://{host}:{port}/\n")
    out.write(
        f"Status page: http://{host}:{port}/{STATUS_PAGE}{_app_query(root)}\n(Ctrl-C to stop)\n"
    )
    out.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        out.write("Stopped.\n")
    finally:
        server.server_close()


class Serve(Command):
    """doit command: `doit serve`."""

    name = "serve"
    doc_purpose = "serve the status page and the files it checks on 127.0.0.1 (a free port)"
    doc_usage = ""
    doc_description = None
    cmd_options = ()

    def execute(self, params, args):
        serve(Path.cwd())
        return 0
