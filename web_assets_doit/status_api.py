"""The status page's two JSON answers: the branch's release history and this release's shift points.

Both are built per request from git and the disk, and bounded: the history holds the last N
releases (N at most MAX_RELEASES); the shift file is read within the JSON limits and refused past
MAX_MODELS models or MAX_POINTS fixtures in all, more than a page can draw as SVG.
"""

from __future__ import annotations

import json
import math
import os
import stat
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from web_assets.errors import PublishError
from web_assets.files.publish_lock import state_dir
from web_assets.history.branch import UNSHALLOW
from web_assets.history.diff import changes
from web_assets.history.listing import listed
from web_assets.history.log import PastRelease, list_releases
from web_assets.records.jsonio import MAX_JSON_BYTES, parse_json

HISTORY = "/_status/history"
SHIFT = "/_status/shift"
DEFAULT_RELEASES = 10
MAX_RELEASES = 50
MAX_METRICS = 12  # per model: a table cell, not a report
SHIFT_FILE = "shift-points.json"
MAX_MODELS = 50
MAX_POINTS = 20_000  # three circles each: 60,000 SVG elements at most
# Opening a FIFO for reading waits for a writer; O_NONBLOCK returns at once (and changes
# nothing for a regular file), so the fstat after it can refuse whatever is not one.
OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK


def open_regular(path: Path):
    """`path` opened for reading, never blocking: OSError unless it is a regular file."""
    stream = os.fdopen(os.open(path, OPEN_FLAGS), "rb")
    if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
        stream.close()
        raise IsADirectoryError(f"{path} is not a regular file")
    return stream


def read_regular_json(path: Path, what: str) -> Any:
    """A regular file's JSON within MAX_JSON_BYTES and MAX_JSON_DEPTH; OSError or ValueError."""
    with open_regular(path) as stream:
        return parse_json(stream.read(MAX_JSON_BYTES + 1), what)


def answer(root: Path, route: str, query: str) -> tuple[int, bytes]:
    """The HTTP status and JSON bytes of `route`: 400 with an `error` for a query it cannot take."""
    try:
        if route == HISTORY:
            return 200, _json(history(root, release_count(query)))
        return 200, _json(shift_points(root))
    except ValueError as err:
        return 400, _json({"error": str(err)})


def _json(document: Any) -> bytes:
    # ASCII: a commit subject git could not decode holds lone surrogates, which UTF-8 cannot carry.
    return (json.dumps(document, indent=1) + "\n").encode("ascii")


def release_count(query: str) -> int:
    """`n` of the query: how many releases to list, DEFAULT_RELEASES when absent, capped."""
    given = parse_qs(query).get("n", [str(DEFAULT_RELEASES)])[-1]
    if not (given.isascii() and given.isdigit() and int(given) > 0):
        raise ValueError(f"n={given[:20]!r}: say how many releases to list, 1 to {MAX_RELEASES}")
    return min(int(given), MAX_RELEASES)


def history(root: Path, limit: int) -> dict[str, Any]:
    """The last `limit` releases of the branch, newest first, as `doit releases` lists them."""
    from web_assets_doit.history_cmds import history_paths

    try:
        releases = list_releases(root, "HEAD", *history_paths(root))
    except PublishError as err:
        return {"error": str(err), "releases": [], "limit": limit, "max": MAX_RELEASES}
    rows: list[dict[str, Any]] = []
    records_only, more = 0, False
    for entry in listed(releases):
        release, older, again = entry.release, entry.older, entry.again
        if entry.records_only:
            records_only += 1
            continue
        if len(rows) == limit:
            more = True
            break
        row = _row(release, older, releases.shallow)
        if again is not None:
            row["again"] = {
                "rollback": entry.rollback,
                "version": again.version,
                "commit": again.commit,
            }
        rows.append(row)
    return {
        "releases": rows,
        "limit": limit,
        "max": MAX_RELEASES,
        "more": more,
        "shallow": releases.shallow,
        "records_only": records_only,
    }


def _row(release: PastRelease, older: PastRelease | None, shallow: bool) -> dict[str, Any]:
    if older is None and shallow:
        summary = f"earliest in this shallow clone ({UNSHALLOW})"
    else:
        summary = changes(older, release).summary()
    return {
        "version": release.version,
        "run_id": release.run_id,
        "trained_at": release.trained_at,
        "commit": release.commit,
        "date": release.date,
        "subject": release.subject,
        "by_hand": not release.has_lock,
        "changes": summary,
        "again": None,
        "metrics": release_metrics(release),
    }


def release_metrics(release: PastRelease) -> dict[str, dict[str, float]]:
    """Each model's numeric metrics, from the lock file's model entries or the manifest's.

    Read wherever a publish may record them: a model entry's `metrics`, or a top-level `metrics`
    keyed by model id; the first found for a model wins. Other values are left out.
    """
    lock, manifest = release.lock or {}, release.manifest
    held: list[tuple[Any, Any]] = []
    for entries, kind in ((lock.get("files"), "model"), (manifest.get("models"), None)):
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and kind in (None, entry.get("kind")):
                held.append((entry.get("id"), entry.get("metrics")))
    for document in (lock, manifest):
        if isinstance(document.get("metrics"), dict):
            held.extend(document["metrics"].items())
    found: dict[str, dict[str, float]] = {}
    for model, values in held:
        if isinstance(model, str) and model not in found and isinstance(values, dict):
            numbers = sorted((str(k), v) for k, v in values.items() if _finite(v))
            if numbers:
                found[model] = dict(numbers[:MAX_METRICS])
    return dict(sorted(found.items())[:MAX_MODELS])


def shift_points(root: Path) -> dict[str, Any]:
    """`.web-assets/shift-points.json` when its shape holds; else why not (`problem`)."""
    path = state_dir(root) / SHIFT_FILE
    name = path.relative_to(root).as_posix()
    said = {"file": name, "version": None, "models": {}, "problem": None}
    try:
        document = read_regular_json(path, name)
    except FileNotFoundError:
        return said
    except (OSError, ValueError) as err:
        return {**said, "problem": f"{name} cannot be read: {err}"}
    problem = _shape_problem(document)
    if problem:
        return {**said, "problem": f"{name} {problem}"}
    models = dict(sorted(document["models"].items()))
    return {**said, "version": str(document["version"]), "models": models}


def _shape_problem(document: Any) -> str | None:
    """What is wrong with the shift file's shape, or None: {version, models: {id: points}}."""
    if not isinstance(document, dict):
        return "is not a JSON object"
    version = document.get("version")
    if isinstance(version, bool) or not isinstance(version, str | int) or version == "":
        return 'has no "version" (a number or a string)'
    models = document.get("models")
    if not isinstance(models, dict):
        return 'has no "models" object'
    if len(models) > MAX_MODELS:
        return f"has {len(models)} models, over the {MAX_MODELS} a page draws"
    total = 0
    for model, points in models.items():
        fixtures = points.get("fixtures") if isinstance(points, dict) else None
        if not isinstance(fixtures, list) or not all(isinstance(f, str) for f in fixtures):
            return f'models[{model!r}] has no "fixtures" list of labels'
        for side in ("old", "new"):
            rows = points.get(side)
            if not isinstance(rows, list) or len(rows) != len(fixtures):
                return f'models[{model!r}] has no "{side}" list, one per fixture'
            if not all(isinstance(r, list) and len(r) == 3 and all(map(_finite, r)) for r in rows):
                return f'models[{model!r}]["{side}"] is not [home, draw, away] numbers per fixture'
        total += len(fixtures)
    if total > MAX_POINTS:
        return f"has {total:,} fixtures in all, over the {MAX_POINTS:,} a page draws"
    return None


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
