"""One converter per kind of setting: a raw value (TOML, command line, Python) to a typed one.

Each takes the project root, the setting's name (for the message) and the value; bad values are
one PublishError line naming the setting.
"""

from __future__ import annotations

import os
import string
import urllib.parse
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from web_assets.errors import PublishError
from web_assets.records.uris import FIELDS as URI_FIELDS
from web_assets.records.uris import fields, render

TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
RUN_ID_CHARS = frozenset(string.ascii_letters + string.digits + "._-")


def input_path(root: Path, name: str, value: Any) -> Path:
    """A file the publish reads: anywhere readable; `~` expanded, relative to the project root."""
    if not isinstance(value, str | os.PathLike):
        raise PublishError(f"Setting `{name}` must be a path, got {value!r}.")
    text = os.fspath(value)
    if "\x00" in text:
        raise PublishError(f"Setting `{name}` holds a NUL character: give a real path.")
    return Path(os.path.abspath(root / Path(text).expanduser()))


def output_path(root: Path, name: str, value: Any) -> Path:
    """A file the publish writes: inside the project, and never through a symlink."""
    path = input_path(root, name, value)
    if not path.is_relative_to(root):
        raise PublishError(
            f"Setting `{name}={value}` is {path}, outside the project {root}: the web app is "
            "served from the project, so name a path inside it."
        )
    for parent in [path, *path.parents]:
        if parent == root:
            break
        if parent.is_symlink():
            raise PublishError(
                f"Setting `{name}={value}`: {parent} is a symlink, and a publish never writes "
                "through one. Replace the symlink by a real folder or file."
            )
    return path


def positive_int(root: Path, name: str, value: Any) -> int:
    text = str(value).strip()
    # isdigit() alone accepts '²' and '٣': only ASCII digits name a version.
    if isinstance(value, bool) or not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise PublishError(
            f"Setting `{name}` must be a positive whole number such as 8, got {value!r}."
        )
    return int(text)


def boolean(root: Path, name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise PublishError(f"Setting `{name}` must be true or false, got {value!r}.")


def text(root: Path, name: str, value: Any) -> str:
    return str(value)


def names(root: Path, name: str, value: Any) -> tuple[str, ...]:
    """A list of column names: a TOML array or a Python list, or comma-separated on the command line."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        raise PublishError(f"Setting `{name}` must be a list of column names, got {value!r}.")
    return tuple(item.strip() for item in value if item.strip())


def uri_template(root: Path, name: str, value: Any) -> str:
    template = str(value)
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as err:
        raise PublishError(f"Setting `{name}={template}` is not a valid template: {err}.") from None
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        if field not in URI_FIELDS or spec or conversion:
            raise PublishError(
                f"Setting `{name}` uses {{{field}{'!' + conversion if conversion else ''}"
                f"{':' + spec if spec else ''}}}: it may only use plain "
                f"{', '.join('{' + known + '}' for known in sorted(URI_FIELDS))}."
            )
    return template


# The fields that tell one file from another: a template without any gives every entry one URI.
# A model and its bundle share an id: only the file name or the object key tells them apart.
ADDRESSING = ("filename", "key")
LOCAL_HOSTS = ("127.0.0.1", "localhost")


def require_addressing_template(template: str) -> None:
    """Refuse a final `uri_template` (storage settled) whose URIs cannot reach each file."""
    if not set(ADDRESSING) & fields(template):
        raise PublishError(
            f"Setting `uri_template={template}` names no file: models and bundles would share "
            "URIs ({id} alone names a model and its bundle alike). Put {filename} in it, such as "
            "https://cdn.example.com/models/{filename}."
        )
    example = render(template, filename="f", version=1, id="i", commit="0" * 40, key="k")
    parts = urllib.parse.urlsplit(example)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if (scheme == "https" and host) or (scheme == "http" and host in LOCAL_HOSTS):
        return
    raise PublishError(
        f"Setting `uri_template={template}` does not give https:// URLs (the web app fetches "
        "each uri from a browser): use https://HOST/...{filename}; http:// is only for "
        f"{' or '.join(LOCAL_HOSTS)}."
    )


def run_id(root: Path, name: str, value: Any) -> str:
    result = str(value)
    if not set(result) <= RUN_ID_CHARS:
        raise PublishError(
            f"Setting `{name}={result}` may only hold letters, digits, '.', '_' and '-' "
            "(the web app's schema)."
        )
    return result


def timestamp(root: Path, name: str, value: Any) -> str:
    return parse_timestamp(name, str(value))


def parse_timestamp(name: str, value: str) -> str:
    """An RFC 3339 timestamp, normalised to UTC with a `Z`, to the second."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        if moment.tzinfo is None:
            raise ValueError("no zone")
        return format_timestamp(moment)
    except (ValueError, OverflowError):
        raise PublishError(
            f"Setting `{name}={value}` is not an RFC 3339 timestamp with a zone between the years "
            "1 and 9999 in UTC, such as 2025-11-28T10:15:00Z."
        ) from None


def format_timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def source_date_epoch(value: str | None) -> str | None:
    if not value:
        return None
    try:
        if not (value.strip().isascii() and value.strip().isdigit()):
            raise ValueError
        return format_timestamp(datetime.fromtimestamp(int(value), UTC))
    except (ValueError, OverflowError, OSError):
        raise PublishError(
            f"SOURCE_DATE_EPOCH={value!r} must be whole seconds since 1970 (for example "
            "`date +%s`), or unset."
        ) from None


def number_within(
    low: float, high: float, what: str, example: str, *, above: bool = False
) -> Callable[..., float]:
    """A converter of a number from `low` (excluded when `above`) to `high`; its refusal says
    what the number is."""
    bounds = f"above {low:g} and at most {high:g}" if above else f"between {low:g} and {high:g}"

    def convert(root: Path, name: str, value: Any) -> float:
        try:
            number = float(value) if not isinstance(value, bool) else low - 1
        except (TypeError, ValueError):
            number = low - 1
        if not (low < number <= high if above else low <= number <= high):
            raise PublishError(
                f"Setting `{name}` must be {what} {bounds} such as {example}, got {value!r}."
            )
        return number

    return convert
