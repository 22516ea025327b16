"""JSON as this project reads and writes it: stable bytes, and one-line errors naming the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from web_assets.errors import PublishError

# No file this project reads comes near these (a manifest, lock file or bundle is a few MB and a
# few levels deep); past them a document costs unbounded memory, or recursion that breaks.
MAX_JSON_BYTES = 64 << 20
MAX_JSON_DEPTH = 100
REWRITE = "write it again as the exporter writes it (or move it away)."


class JsonLimitError(PublishError, ValueError):
    """A JSON document over the size or nesting limit.

    A ValueError too, so that a reader which skips unreadable JSON (history, caches) skips it.
    """


def read_json(path: Path, what: str, remedy: str) -> Any | None:
    """A JSON file's document, None when there is no file; a PublishError naming it if not JSON."""
    try:
        data = read_limited(path)
    except FileNotFoundError:
        return None
    try:
        return parse_json(data.decode("utf-8"), f"{what} {path}", remedy)
    except UnicodeDecodeError as err:
        raise PublishError(f"{what} {path} is not UTF-8 text ({err}): {remedy}") from None
    except json.JSONDecodeError as err:
        raise PublishError(f"{what} {path} is not valid JSON ({err}): {remedy}") from None


def read_limited(path: Path) -> bytes:
    """A JSON file's bytes, one past MAX_JSON_BYTES at most: a larger file is refused, not read."""
    with path.open("rb") as file:
        return file.read(MAX_JSON_BYTES + 1)


def parse_json(data: bytes | str, source: str, remedy: str = REWRITE) -> Any:
    """json.loads within MAX_JSON_BYTES and MAX_JSON_DEPTH; over them a JsonLimitError naming
    `source` and the limit. Malformed JSON raises json.JSONDecodeError, as json.loads does."""
    if len(data) > MAX_JSON_BYTES:
        raise JsonLimitError(
            f"{source} is over {MAX_JSON_BYTES:,} bytes, the limit for a JSON file: {remedy}"
        )
    deep = JsonLimitError(
        f"{source} nests JSON more than {MAX_JSON_DEPTH} levels deep, the limit: {remedy}"
    )
    try:
        document = json.loads(data)
    except RecursionError:
        raise deep from None
    # Few brackets cannot nest deep: most documents skip the walk.
    brackets = ("[", "{") if isinstance(data, str) else (b"[", b"{")
    opened = sum(map(data.count, brackets))
    if opened > MAX_JSON_DEPTH and _depth_over(document, MAX_JSON_DEPTH):
        raise deep
    return document


def _depth_over(document: Any, limit: int) -> bool:
    """Whether lists and objects nest more than `limit` deep; iterative, so any depth is safe."""
    pending = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            value = value.values()
        elif not isinstance(value, list):
            continue
        if depth > limit:
            return True
        pending.extend((item, depth + 1) for item in value if isinstance(item, dict | list))
    return False


def is_records(value: Any, key: str) -> bool:
    """A JSON list of objects that each have a string `key` (manifest entries, lock files)."""
    return isinstance(value, list) and all(
        isinstance(item, dict) and isinstance(item.get(key), str) for item in value
    )


def json_bytes(document: Any) -> bytes:
    """Stable bytes for a JSON document: keys in their order, 2-space indent, trailing newline."""
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
