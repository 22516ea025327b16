"""How a library step runs as a doit action: under the project lock, failures as task failures."""

from __future__ import annotations

import errno
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from doit.exceptions import TaskFailed

from web_assets.config.settings import Settings
from web_assets.errors import PublishError, printable
from web_assets.files import publish_lock
from web_assets.files.digests import cache_for
from web_assets.verify.offline import missing_feature_warnings, verify


def run_step(
    root: Path,
    hash_threads: int,
    clean_up: Callable[[], None],
    step: Callable[..., Any],
    *args: Any,
    dependencies: list[str],
    **values: Any,
) -> Any:
    """Run one step under the project lock; a PublishError becomes a clean task failure.

    The first step to take the lock first runs `clean_up` (what an interrupted run left
    half-written). Then the step's inputs are hashed, in parallel, for doit's record of them:
    doit would otherwise hash each new input one after the other, in its main thread.
    """
    try:
        publish_lock.take(root, first=clean_up)
        result = step(*args, **values)
        cache_for(root).digest_all(dependencies, hash_threads)
        return result
    except PublishError as err:
        return TaskFailed(str(err))
    except OSError as err:
        # A full disk or a file taken away meanwhile: one line, and the writer left no part.
        where = err.filename or "a published file"
        hint = " Free some space, then run again." if err.errno == errno.ENOSPC else ""
        return TaskFailed(
            f"Could not write {where}: {err.strerror or err}. The file is as it was before this "
            f"run; the next run finishes the publish.{hint}"
        )


def fail(message: str) -> TaskFailed:
    """An action that reports a problem found while loading the release."""
    return TaskFailed(message)


def run_verify(settings: Settings | None, problem: str | None) -> TaskFailed | None:
    """Print one line per problem and a summary; fail when there is any problem."""
    if settings is None:
        return TaskFailed(str(problem))
    problems, files = verify(settings, live=settings.live)
    # A manifest or lock file can carry anything: escaped, it cannot drive the terminal.
    for found in problems:
        print(f"verify: {printable(found.line())}")
    for warning in missing_feature_warnings(settings):
        print(f"verify: warning: {printable(warning)}")
    if settings.app and not problems:
        # The app is asked only about files that are right: it would only echo a wrong file.
        return _verify_app(settings, files)
    if problems:
        return TaskFailed(
            f"verify: {len(problems)} problem(s) in {files} files; see the lines above."
        )
    print(f"verify: {files} files match the manifest and the lock file.")
    return None


def _verify_app(settings: Settings, files: int) -> TaskFailed | None:
    from web_assets.verify.app_release import live_line, verify_app

    print(f"verify: {files} files match the manifest and the lock file.")
    try:
        report, lines = verify_app(settings)
    except PublishError as err:
        return TaskFailed(str(err))
    for line in lines:
        print(f"verify: {line}")
    for problem in report.problems:
        print(f"verify: {problem}")
    if report.problems:
        return TaskFailed(
            f"verify: {len(report.problems)} problem(s) in the app; see the lines above."
        )
    models = len(report.served.get("models") or [])
    print(f"verify: {live_line(report, models, settings.app_parity_tolerance)}")
    return None


def repair_published(settings: Settings, gone: tuple[str, ...]) -> TaskFailed | None:
    """The recorded inputs are gone: put back, from HEAD, published files that were damaged."""
    from web_assets.release.recorded import repair_from_head

    publish_lock.take(settings.root)
    repaired, left = repair_from_head(settings)
    if repaired:
        print(
            f"The recorded inputs are gone ({', '.join(gone)}): repaired from HEAD "
            f"{', '.join(repaired)}."
        )
    if not left:
        return None
    return TaskFailed(
        f"{', '.join(left)} differ from {settings.relative(settings.lock_file)}, HEAD does not "
        f"hold the recorded bytes, and the recorded inputs are gone ({', '.join(gone)}): restore "
        "the files from a commit that has them, or publish a run with run_dir=... dataset=... "
        "version=..."
    )


def uncaptured(creator: Callable[..., Any]) -> Callable[..., Any]:
    """Run the creator's tasks without doit's output capture.

    doit captures a Python action's output by swapping sys.stdout and sys.stderr around it; with
    steps in threads, one step can "restore" another's capture for good, and doit's own output
    (the json reporter's, error messages) then vanishes. Our steps report through their return
    values, so nothing is lost by not capturing.
    """

    @wraps(creator)
    def wrapper(*args: Any) -> Any:
        made = creator(*args)
        if isinstance(made, dict):
            return {**made, "io": {"capture": False}}
        return ({**task, "io": {"capture": False}} for task in made)

    return wrapper
