"""The `uri` of a manifest entry: rendered from `uri_template`, pinned to a commit when it says so.

A branch URI is mutable: a CDN may serve the old bytes for minutes after a push, and the web app
caches a model for its instance's life. `{commit}` names the commit that holds the file's bytes,
so what a URI serves can never change.
"""

from __future__ import annotations

import re
import string
from urllib.parse import quote

# `key` is an object's key in the store (storage = "s3"); `public_base_url` is expanded into the
# template when the settings are resolved (see storage_settings.py).
FIELDS = frozenset({"filename", "version", "id", "commit", "key", "public_base_url"})
COMMIT = re.compile(r"[0-9a-f]{40}")


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def pins(template: str) -> bool:
    """Does the template pin each URI to a commit?"""
    return "commit" in fields(template)


def render(
    template: str, *, filename: str, version: int | str, id: str, commit: str = "", key: str = ""
) -> str:
    """The URI, with names percent-encoded as one path segment each (RFC 3986); a key keeps its
    slashes, as the store's own URLs do."""
    return template.format(
        filename=quote(filename, safe=""),
        version=version,
        id=quote(id, safe=""),
        commit=commit,
        key=quote(key, safe="/"),
    )


def pinned_commit(
    template: str, uri: object, *, filename: str, version: int | str, id: str
) -> str | None:
    """The commit an existing URI is pinned to, if it is this template's URI for this file."""
    if not isinstance(uri, str) or not pins(template):
        return None
    marker = "\x00commit\x00"
    pattern = re.escape(render(template, filename=filename, version=version, id=id, commit=marker))
    pattern = pattern.replace(re.escape(marker), "([0-9a-f]{40})")
    match = re.fullmatch(pattern, uri)
    return match.group(1) if match else None
