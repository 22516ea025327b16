"""A raw.githubusercontent.com-style HTTP server over a bare git repository.

`GET /{owner}/{repo}/{ref}/{path}` answers the bytes of `git show {ref}:{path}`; ref is a 40-hex
commit or a branch name. `--stale` answers a branch with its previous commit, as a CDN still caching
the last publish would; commit refs stay right. Run as a script, it prints its port on the first line:

    python testing/raw_server.py --repo BARE --port 0 [--stale] [--truncate N] [--cors]
"""

from __future__ import annotations

import argparse
import functools
import re
import signal
import subprocess
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the server's own process
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from testing.servers import ServerProcesses

COMMIT = re.compile(r"[0-9a-f]{40}")
BRANCH = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
CHUNK = 1 << 20


def _git(repo: Path, *args: str, stdin: str | None = None) -> str | None:
    """git's stdout, or None when it fails (an unknown ref or path is a 404, not an error)."""
    result = subprocess.run(
        ["git", "--git-dir", str(repo), *args], input=stdin, capture_output=True, text=True
    )
    return result.stdout.strip() if result.returncode == 0 else None


def resolve(repo: Path, ref: str, path: str, stale: bool) -> tuple[str, int, bool] | None:
    """(blob id, size, is a branch) of `ref:path`, or None when there is no such file."""
    if COMMIT.fullmatch(ref):
        commit, branch = _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"), False
    elif BRANCH.fullmatch(ref):
        behind = "~1" if stale else ""
        spec = f"refs/heads/{ref}{behind}^{{commit}}"
        commit, branch = _git(repo, "rev-parse", "--verify", "--quiet", spec), True
    else:
        return None
    parts = path.split("/")
    if not commit or not path or {"", ".", ".."} & set(parts):
        return None
    found = _git(repo, "cat-file", "--batch-check", stdin=f"{commit}:{path}\n")
    fields = (found or "").split()
    if len(fields) != 3 or fields[1] != "blob":
        return None
    return fields[0], int(fields[2]), branch


class RawFiles(BaseHTTPRequestHandler):
    def __init__(self, *args, repo: Path, stale: bool, truncate: int | None, cors: bool, **kw):
        self.repo, self.stale, self.truncate, self.cors = repo, stale, truncate, cors
        super().__init__(*args, **kw)

    def do_GET(self) -> None:
        route = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        parts = route.lstrip("/").split("/", 3)
        found = resolve(self.repo, parts[2], parts[3], self.stale) if len(parts) == 4 else None
        if found is None:
            self._head(404, 14)
            self.wfile.write(b"404: Not Found")
            return
        blob, size, branch = found
        self._head(200, size, branch)
        limit = size if self.truncate is None else min(size, self.truncate)
        with subprocess.Popen(
            ["git", "--git-dir", str(self.repo), "cat-file", "blob", blob], stdout=subprocess.PIPE
        ) as git:
            while limit > 0 and (chunk := git.stdout.read(min(CHUNK, limit))):
                self.wfile.write(chunk)
                limit -= len(chunk)
            git.stdout.close()
            git.kill()
        # A cut response closes the connection early, as a dropped transfer would.
        self.close_connection = True

    def _head(self, status: int, length: int, branch: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(length))
        if branch:
            self.send_header("Cache-Control", "max-age=300")
        if self.cors:
            self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()

    def log_message(self, format: str, *args) -> None:
        pass


def make_server(repo: Path, port: int = 0, **options) -> ThreadingHTTPServer:
    handler = functools.partial(RawFiles, repo=repo, **options)
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    return server


def make_bare(folder: Path, commits: list[dict[str, bytes]], branch: str = "main") -> list[str]:
    """A bare repository at `folder` whose `branch` has one commit per snapshot; their ids."""
    work = folder.with_name(folder.name + ".work")
    subprocess.run(["git", "init", "--quiet", "--bare", str(folder)], check=True)
    subprocess.run(["git", "init", "--quiet", f"--initial-branch={branch}", str(work)], check=True)
    ids = []
    for number, files in enumerate(commits, 1):
        for name, data in files.items():
            (work / name).parent.mkdir(parents=True, exist_ok=True)
            (work / name).write_bytes(data)
        subprocess.run(["git", "-C", str(work), "add", "--all"], check=True)
        subprocess.run(["git", "-C", str(work), "commit", "-qm", f"publish {number}"], check=True)
        ids.append(_git(work / ".git", "rev-parse", "HEAD"))
    subprocess.run(["git", "-C", str(work), "push", "-q", str(folder), branch], check=True)
    return ids


class RawServers(ServerProcesses):
    """Raw servers in their own processes: `start(bare_repo, "--stale", ...)` -> base url."""

    def __init__(self, logs: Path):
        super().__init__(__file__, logs)

    def start(self, repo: Path, *flags: str) -> str:
        return super().start("--repo", str(repo), "--port", "0", *flags)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, required=True, help="a bare git repository")
    parser.add_argument("--port", type=int, default=0, help="0 takes a free port")
    parser.add_argument("--stale", action="store_true", help="serve branches one commit behind")
    parser.add_argument("--truncate", type=int, help="cut every response after N bytes")
    parser.add_argument("--cors", action="store_true", help="send Access-Control-Allow-Origin: *")
    args = parser.parse_args()
    server = make_server(
        args.repo, args.port, stale=args.stale, truncate=args.truncate, cors=args.cors
    )
    print(server.server_address[1], flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
