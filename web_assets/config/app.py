"""Converters of the settings of the web app check (`doit verify app=true`, README "The app")."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from web_assets.config.converters import number_within
from web_assets.errors import PublishError

ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
RUNTIME = re.compile(r"\d+\.\d+(\.\d+)?")
LOCK = Path("web/package-lock.json")

seconds = number_within(0, 86400, "seconds", "600")
tolerance = number_within(0, 1, "a probability gap", "1e-4")


def env_name(root: Path, name: str, value: Any) -> str:
    """The name of an environment variable, never its value: tokens stay out of settings."""
    text = str(value).strip()
    if not ENV_NAME.fullmatch(text):
        raise PublishError(
            f"Setting `{name}` names the environment variable that holds the token (such as "
            "RELOAD_TOKEN), not the token itself: got a value that is not a variable name."
        )
    return text


def runtime_version(root: Path, name: str, value: Any) -> str:
    text = str(value).strip().lstrip("^~=v")
    if not RUNTIME.fullmatch(text):
        raise PublishError(
            f"Setting `{name}` must be an ONNX Runtime version such as 1.23.2, got {value!r}."
        )
    return text


def locked_onnxruntime(root: Path) -> str | None:
    """The onnxruntime-node version web/package-lock.json pins, when the project has that file."""
    lock = root / LOCK
    try:
        data = json.loads(lock.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as err:
        raise PublishError(
            f"{lock} is not readable JSON ({err}): fix it, or set app_onnxruntime."
        ) from None
    packages = data.get("packages") if isinstance(data, dict) else None
    found = (packages or {}).get("node_modules/onnxruntime-node") or {}
    version = found.get("version") if isinstance(found, dict) else None
    return str(version) if version else None
