"""JSON as this project reads and writes it: stable bytes, and one-line errors naming the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from web_assets.errors import PublishError


def read_json(path: Path, what: str, remedy: str) -> Any | None:
    """A JSON file's document, None when there is no file; a PublishError naming it if not JSON."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError as err:
        raise PublishError(f"{what} {path} is not UTF-8 text ({err}): {remedy}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise PublishError(f"{what} {path} is not valid JSON ({err}): {remedy}") from None


def is_records(value: Any, key: str) -> bool:
    """A JSON list of objects that each have a string `key` (manifest entries, lock files)."""
    return isinstance(value, list) and all(
        isinstance(item, dict) and isinstance(item.get(key), str) for item in value
    )


def json_bytes(document: Any) -> bytes:
    """Stable bytes for a JSON document: keys in their order, 2-space indent, trailing newline."""
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
