"""The settings of where models go: git (the default) or an S3-compatible object store.

With `storage = "s3"` the URIs name content-addressed objects, so `{commit}` is not needed and
`uri_template` defaults to `{public_base_url}/{key}`; the base URL is expanded into the template
here, once, so that rendering a URI needs nothing but the object's key. Credentials are never a
setting: boto3's standard chain (environment, profile, instance role) supplies them.
"""

from __future__ import annotations

import importlib.util
import urllib.parse
from pathlib import Path
from typing import Any

from web_assets.errors import PublishError
from web_assets.records.uris import fields

STORAGES = ("git", "s3")
CHECKSUMS = ("sha256", "when_required")
S3_URI_TEMPLATE = "{public_base_url}/{key}"
DEFAULT_PREFIX = "web-assets"


def _choice(allowed: tuple[str, ...]):
    def convert(root: Path, name: str, value: Any) -> str:
        text = str(value).strip().lower()
        if text not in allowed:
            raise PublishError(
                f"Setting `{name}` must be one of {', '.join(map(repr, allowed))}, got {value!r}."
            )
        return text

    return convert


storage = _choice(STORAGES)
checksums = _choice(CHECKSUMS)


def http_url(root: Path, name: str, value: Any) -> str:
    """An http(s) URL without credentials in it (they belong in the environment)."""
    text = str(value).strip().rstrip("/")
    parts = urllib.parse.urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PublishError(
            f"Setting `{name}` must be an http(s) URL such as https://example.com, got {text!r}."
        )
    if parts.username is not None or parts.password is not None:
        raise PublishError(
            f"Setting `{name}` holds credentials (user@host): remove them; S3 credentials come "
            "only from the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_PROFILE)."
        )
    return text


def prefix(root: Path, name: str, value: Any) -> str:
    return str(value).strip().strip("/")


def resolve_storage(values: dict[str, Any], template_given: bool) -> None:
    """Check the storage settings together and settle `uri_template` (in place)."""
    template = values["uri_template"]
    used = fields(template)
    if values["storage"] == "git":
        for field in ("key", "public_base_url"):
            if field in used:
                raise PublishError(
                    f'uri_template uses {{{field}}}, which only storage = "s3" gives: set '
                    f'storage = "s3" with s3_bucket and public_base_url, or drop {{{field}}}.'
                )
        return
    for name, example in (
        ("s3_bucket", "my-models"),
        ("public_base_url", "https://models.example.com"),
    ):
        if not values[name]:
            raise PublishError(
                f'storage = "s3" needs `{name}` (such as {name} = "{example}") in '
                "[tool.web-assets] of pyproject.toml or on the command line."
            )
    if not template_given:
        template, used = S3_URI_TEMPLATE, {"public_base_url", "key"}
    if "commit" in used:
        raise PublishError(
            'uri_template uses {commit}, which storage = "s3" does not need: its keys are '
            "content-addressed and never change. Use {key}, as the default "
            f"{S3_URI_TEMPLATE} does."
        )
    if "key" not in used:
        raise PublishError(
            f'uri_template = {template!r} does not use {{key}}: with storage = "s3" each URI '
            f"must name its object, as the default {S3_URI_TEMPLATE} does."
        )
    if importlib.util.find_spec("boto3") is None:
        raise PublishError(
            'storage = "s3" uploads with boto3, which is not installed: '
            "pip install 'web-asset-pipeline[s3]' (or pip install boto3)."
        )
    base = values["public_base_url"].replace("{", "{{").replace("}", "}}")
    values["uri_template"] = template.replace("{public_base_url}", base)
    values["s3_prefix"] = values["s3_prefix"] or ""
