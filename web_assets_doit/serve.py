"""`doit serve`: the project root over HTTP on 127.0.0.1, for the status page and its files.

A doit command rather than a task: it must run in doit's main thread for Ctrl-C to stop it
cleanly, and tasks run in worker threads here (num_process = 2).
"""

from __future__ import annotations

import functools
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from doit.cmd_base import Command

STATUS_PAGE = "web/public/assets.html"


class ProjectFiles(SimpleHTTPRequestHandler):
    """Files below the root, never cached: the page must check what is on disk now."""

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:
        pass


def make_server(root: Path, port: int = 0) -> ThreadingHTTPServer:
    """A server for `root` on 127.0.0.1; port 0 takes a free one (see server_address)."""
    handler = functools.partial(ProjectFiles, directory=str(root))
    return ThreadingHTTPServer(("127.0.0.1", port), handler)


def serve(root: Path, out=sys.stdout) -> None:
    server = make_server(root)
    host, port = server.server_address[:2]
    out.write(f"Serving {root} at http://{host}:{port}/\n")
    out.write(f"Status page: http://{host}:{port}/{STATUS_PAGE}\n(Ctrl-C to stop)\n")
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
    doc_purpose = "serve the project on 127.0.0.1 (a free port) for the status page"
    doc_usage = ""
    doc_description = None
    cmd_options = ()

    def execute(self, params, args):
        serve(Path.cwd())
        return 0
