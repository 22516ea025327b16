"""The child process that runs models in ONNX Runtime for the model check (bounded.py starts it).

`python -P -m web_assets.modelcheck.worker TIME_LIMIT MEMORY_LIMIT`: requests come on stdin and
replies go out on stdout, pickled and framed by multiprocessing.connection; anything printed goes
to stderr. Its address space is capped at MEMORY_LIMIT bytes once ONNX Runtime is loaded, and each
request's CPU time at TIME_LIMIT seconds: the parent's deadline comes first, the CPU limit ends a
child whose parent was killed before it could.
"""

from __future__ import annotations

import contextlib
import math
import os
import queue
import re
import resource
import signal
import sys
import threading
from multiprocessing.connection import Connection
from pathlib import Path

# How ONNX Runtime and the C++ library say an allocation failed under RLIMIT_AS.
ALLOCATION = re.compile(r"bad_alloc|bad allocation|failed to allocate|out of memory", re.I)
# Error logs go to a file the parent reads for the last line: a model cannot fill the disk.
LOG_LIMIT = 1 << 24


def main(argv: list[str]) -> int:
    time_limit, memory_limit = float(argv[1]), int(argv[2])
    replies = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)
    requests = Connection(os.dup(0), writable=False)
    import onnxruntime  # noqa: F401 - loaded before the cap, which is for the models

    from web_assets.modelcheck.fixtures import Fixtures

    # Requests are read as they come, while a model runs: the parent sends them all at once, and
    # must never wait on a full pipe while its deadline for the running model passes.
    inbox: queue.SimpleQueue = queue.SimpleQueue()
    threading.Thread(target=_receive, args=(requests, inbox), daemon=True).start()
    # macOS refuses some address-space limits, and enforces none: the deadline still holds there.
    with contextlib.suppress(ValueError, OSError):
        _cap(resource.RLIMIT_AS, memory_limit)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails; no death
    _cap(resource.RLIMIT_FSIZE, LOG_LIMIT)
    replies.send(("ready", None))
    keys = ()
    while True:
        request = inbox.get()
        if request is None:
            return 0
        model_id, model, matrix, sent = request
        keys = keys if sent is None else sent  # None: the same fixtures as the last model
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu = math.ceil(usage.ru_utime + usage.ru_stime + time_limit) + 1
        _cap(resource.RLIMIT_CPU, cpu, soft_only=True)
        replies.send(_run(model_id, Path(model), matrix, Fixtures(keys, (), (), (), ())))


def _receive(requests: Connection, inbox: queue.SimpleQueue) -> None:
    try:
        while True:
            inbox.put(requests.recv())
    except (EOFError, OSError):
        inbox.put(None)


def _cap(which: int, limit: int, soft_only: bool = False) -> None:
    _, hard = resource.getrlimit(which)
    soft = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
    resource.setrlimit(which, (soft, hard if soft_only else soft))


def _run(model_id: str, model: Path, matrix, fixtures) -> tuple[str, object]:
    """("ok", probabilities), ("memory", None) or ("refused", the one-line message)."""
    from web_assets.errors import PublishError
    from web_assets.modelcheck.runtime import run_model

    try:
        return "ok", run_model(model_id, model, matrix, fixtures)
    except PublishError as err:
        # run_model words the runtime's error in one line; the error itself says it was memory.
        cause = err.__cause__ or err.__context__
        if isinstance(cause, MemoryError) or ALLOCATION.search(str(cause or "")):
            return "memory", None
        return "refused", str(err)
    except MemoryError:
        return "memory", None
    except Exception as err:  # onnxruntime's errors share no base class but Exception
        text = " ".join(str(err).split())[:300] or type(err).__name__
        return "refused", f"model {model_id} ({model}) fails in ONNX Runtime: {text}"


if __name__ == "__main__":
    sys.exit(main(sys.argv))
