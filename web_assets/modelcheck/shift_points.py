"""Every fixture's old and new prediction, kept in the state folder for the status page's plot.

`.web-assets/shift-points.json`: `{"version": V, "models": {ID: {"fixtures": [LABEL...],
"old": [[h, d, a]...], "new": [[h, d, a]...]}}}`, V the release's dataset version, probabilities
rounded to 6 digits. Written when the models ran; a run that found every model up to date leaves
the last one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from web_assets.files.atomic import atomic_write_bytes
from web_assets.files.publish_lock import make_state_dir
from web_assets.records.jsonio import json_bytes

SHIFT_POINTS = "shift-points.json"


def shift_points_document(version: int | None, models: dict[str, dict[str, Any]]) -> dict:
    """The document, its models in id order so that the same run writes the same bytes."""
    return {"version": version, "models": {key: models[key] for key in sorted(models)}}


def write_shift_points(root: Path, version: int | None, models: dict[str, dict[str, Any]]) -> Path:
    """Write the points atomically in the project's state folder (never through a symlink)."""
    path = make_state_dir(root) / SHIFT_POINTS
    atomic_write_bytes(path, json_bytes(shift_points_document(version, models)))
    return path
