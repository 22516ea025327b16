"""Servers a test starts in their own processes: each prints its port, and stops by its pid."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path


class ServerProcesses:
    """`start(*arguments)` runs `python SCRIPT *arguments` and returns its base url."""

    def __init__(self, script: str, logs: Path, stop_signal: int = signal.SIGTERM):
        self.script, self.logs, self.stop_signal = script, logs, stop_signal
        self.started: list[subprocess.Popen] = []

    def start(self, *arguments: str) -> str:
        name = Path(self.script).stem
        log = self.logs / f"{name}.{len(self.started)}.log"
        with log.open("w") as errors:
            process = subprocess.Popen(
                [sys.executable, self.script, *arguments],
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
            )
        self.started.append(process)
        port = process.stdout.readline().strip()
        if not port.isdigit():
            raise RuntimeError(f"the {name} did not start: {log.read_text()}")
        return f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        """Stop every server this started, by its pid."""
        for process in self.started:
            if process.poll() is None:
                os.kill(process.pid, self.stop_signal)
            process.wait(timeout=10)
            process.stdout.close()


def serve_in_thread(server: ThreadingHTTPServer) -> Iterator[str]:
    """Serve `server` in a thread for a fixture: yields its base url, then stops it."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)
