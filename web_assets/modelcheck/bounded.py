"""Each model's run in ONNX Runtime under a time limit and a memory limit, in a child process.

A valid model can loop for days (a `Loop` of 10^12 trips) or ask for 14 GB (`ConstantOfShape`):
in-process, neither can be stopped. The models of one check run one after another in one child
(worker.py), which pays the start of Python and ONNX Runtime once and is sent every model at once;
its address space is capped (RLIMIT_AS), and a model still running at its deadline is refused and
the child killed by pid. The next model, if any, gets a new child.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import web_assets
from web_assets.errors import PublishError, printable
from web_assets.modelcheck.fixtures import Fixtures

# Seconds the child may take to load Python and ONNX Runtime, before any model's deadline starts.
STARTUP = 120.0
# One thread per library in the child: the machine is shared, and each thread reserves memory.
# ONNX Runtime colours its error logs.
COLOUR = re.compile(r"\x1b\[[0-9;]*m")
QUIET = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MALLOC_ARENA_MAX": "2"}


class StartFailed(PublishError):
    """The child could not load ONNX Runtime: no model was run."""


def shown_size(size: int) -> str:
    """`2GiB`, `512MiB`: how model_memory_limit is written."""
    mib = size / (1 << 20)
    return f"{mib / 1024:g}GiB" if mib >= 1024 and mib % 1024 == 0 else f"{mib:g}MiB"


class BoundedRuntime:
    """Runs models in a child process, each within `time_limit` seconds and `memory_limit` bytes."""

    def __init__(self, time_limit: float, memory_limit: int) -> None:
        self.time_limit, self.memory_limit = time_limit, memory_limit
        self._child: subprocess.Popen | None = None
        self._requests: Connection | None = None
        self._replies: Connection | None = None
        self._stderr = None
        self._ready = False
        self._keys_sent: tuple | None = None

    def __enter__(self) -> BoundedRuntime:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        """Start the child without waiting for it: it loads ONNX Runtime while the caller works."""
        if self._child is not None:
            return
        package = str(Path(web_assets.__file__).resolve().parents[1])
        env = {**os.environ, **QUIET}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package, env.get("PYTHONPATH")]))
        command = [sys.executable, "-P", "-m", "web_assets.modelcheck.worker"]
        request_read, request_write = os.pipe()
        reply_read, reply_write = os.pipe()
        # Kept open for the child's life; close() closes it.
        self._stderr = tempfile.TemporaryFile(prefix="web-assets-onnxruntime-")  # noqa: SIM115
        try:
            self._child = subprocess.Popen(
                [*command, repr(self.time_limit), str(self.memory_limit)],
                stdin=request_read,
                stdout=reply_write,
                stderr=self._stderr,
                env=env,
            )
        finally:
            os.close(request_read)
            os.close(reply_write)
        self._requests = Connection(request_write, readable=False)
        self._replies = Connection(reply_read, writable=False)
        self._ready = False
        self._keys_sent = None

    def close(self) -> None:
        """Stop the child (by its pid, at once) and release its pipes and log."""
        child, self._child = self._child, None
        for connection in (self._requests, self._replies):
            if connection is not None:
                connection.close()
        self._requests = self._replies = None
        if child is not None:
            child.kill()
            child.wait()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def run(self, model_id: str, model: Path, matrix, fixtures: Fixtures):
        """runtime.run_model in the child: the probabilities, or a PublishError in one line."""
        [result] = self.run_all([(model_id, model, matrix)], fixtures)
        if isinstance(result, PublishError):
            raise result
        return result

    def run_all(self, requests: list[tuple[str, Path, Any]], fixtures: Fixtures) -> Iterator:
        """`run` for each (model_id, model, matrix): each model's probabilities or its
        PublishError, in order. All are sent now, so the child goes from one model to the next
        without waiting on the parent; each model's deadline starts when the one before answers.
        A model stopped at a limit stops the child: the models after it go to a new one."""
        pending = list(requests)
        self._submit(pending, fixtures)
        return self._answers(pending, fixtures)

    def _submit(self, pending: list[tuple[str, Path, Any]], fixtures: Fixtures) -> None:
        self.start()
        self._await_ready()
        self._send_all(pending, fixtures)

    def _answers(self, pending: list[tuple[str, Path, Any]], fixtures: Fixtures) -> Iterator:
        while pending:
            for index, (model_id, model, _) in enumerate(pending):
                yield self._reply(model_id, model)
                if self._child is None:
                    pending = pending[index + 1 :]
                    try:
                        if pending:
                            self._submit(pending, fixtures)
                    except StartFailed as err:
                        yield from [err] * len(pending)
                        return
                    break
            else:
                pending = []

    def _send_all(self, requests: list[tuple[str, Path, Any]], fixtures: Fixtures) -> None:
        # The fixtures' keys (for messages) go to the child once, not with every model.
        keys = None if fixtures.keys is self._keys_sent else fixtures.keys
        try:
            for model_id, model, matrix in requests:
                self._requests.send((model_id, str(model), matrix, keys))
                self._keys_sent, keys = fixtures.keys, None
        except OSError:
            return  # the child is gone: the first reply says how

    def _reply(self, model_id: str, model: Path):
        try:
            answered = self._replies.poll(self.time_limit)
            reply = self._replies.recv() if answered else None
        except (EOFError, OSError):
            return self._stopped(model_id, model)
        if reply is None:
            self.close()
            return self._too_long(model_id, model)
        kind, value = reply
        if kind == "ok":
            return value
        if kind == "memory":
            return self._too_big(model_id, model)
        return PublishError(value)

    def _await_ready(self) -> None:
        if self._ready:
            return
        try:
            reply = self._replies.recv() if self._replies.poll(STARTUP) else None
        except (EOFError, OSError):
            reply = None
        if reply != ("ready", None):
            last = self._last_log_line()
            self.close()
            raise StartFailed(
                f"The model check could not start ONNX Runtime in a child process within "
                f"{STARTUP:g} s and model_memory_limit={shown_size(self.memory_limit)}"
                f"{f' ({last})' if last else ''}: check the onnxruntime install, or raise "
                "model_memory_limit."
            )
        self._ready = True

    def _too_long(self, model_id: str, model: Path) -> PublishError:
        return PublishError(
            f"model {model_id} ({model}) still ran in ONNX Runtime after "
            f"model_time_limit={self.time_limit:g} s and was stopped: check the model (a Loop "
            "that never ends?), or raise model_time_limit."
        )

    def _too_big(self, model_id: str, model: Path) -> PublishError:
        return PublishError(
            f"model {model_id} ({model}) needs more memory in ONNX Runtime than "
            f"model_memory_limit={shown_size(self.memory_limit)}: check the model, or raise "
            "model_memory_limit."
        )

    def _stopped(self, model_id: str, model: Path) -> PublishError:
        """The child died while running the model: by its CPU limit, or a crash."""
        child, status = self._child, None
        if child is not None:
            try:
                status = child.wait(timeout=5)
            except subprocess.TimeoutExpired:  # its output closed, itself still running
                child.kill()
                status = child.wait()
        last = self._last_log_line()
        self.close()
        if status == -signal.SIGXCPU:
            return self._too_long(model_id, model)
        how = f"exit status {status}"
        if status is not None and status < 0:
            how = f"signal {_signal_name(-status)}"
        return PublishError(
            f"model {model_id} ({model}) stopped ONNX Runtime ({how}{f': {last}' if last else ''}) "
            f"within model_memory_limit={shown_size(self.memory_limit)}: check the model, or "
            "raise model_memory_limit."
        )

    def _last_log_line(self) -> str:
        """The child's last line on stderr, escaped and at most 300 characters."""
        if self._stderr is None:
            return ""
        self._stderr.seek(max(0, self._stderr.seek(0, os.SEEK_END) - 4096))
        lines = self._stderr.read().decode("utf-8", "replace").split("\n")
        last = next((line.strip() for line in reversed(lines) if line.strip()), "")
        return printable(COLOUR.sub("", last)[:300])


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)
