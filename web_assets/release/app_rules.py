"""What the web app itself requires of a release, checked before anything is written."""

from __future__ import annotations

import ntpath
import posixpath
from pathlib import Path, PurePosixPath

from web_assets.errors import PublishError
from web_assets.modelcheck.onnxio import external_locations

# The columns the app merges from financial_dataset.csv into each fixture, in the app's order.
FINANCIAL_COLUMNS = (
    "squad_value_ratio",
    "squad_value_diff",
    "avg_player_value_ratio",
    "avg_player_value_diff",
    "wage_bill_ratio",
    "wage_bill_diff",
    "avg_salary_ratio",
    "avg_salary_diff",
)


def format_problems(manifest: dict) -> list[str]:
    """One line per model entry whose `format` is set to anything but exactly "onnx"."""
    problems = []
    for entry in manifest.get("models") or []:
        if not isinstance(entry, dict) or "format" not in entry or entry["format"] == "onnx":
            continue
        problems.append(
            f'models/{entry.get("id", "?")}: "format" is {_json(entry["format"])}, and the web app '
            'runs a model through ONNX only when it is exactly "onnx": it would silently answer '
            'with its heuristic. Set "format": "onnx" in the manifest or remove the entry.'
        )
    return problems


def external_data(model: Path) -> list[str]:
    """The relative `location`s of the tensors stored outside `model`, each once, in file order.

    Raises PublishError when a location could reach outside the model's folder (absolute, `..`),
    as the files must be published beside the model.
    """
    locations = external_locations(model)
    for location in locations:
        parts = PurePosixPath(location.replace("\\", "/")).parts
        if (
            posixpath.isabs(location)
            or ntpath.isabs(location)
            or ntpath.splitdrive(location)[0]
            or ".." in parts
            or not parts
        ):
            raise PublishError(
                f"{model} keeps tensor data in {location!r}, outside the model's folder: save it "
                "again with a location relative to the model (onnx.save_model(..., "
                'save_as_external_data=True, location="NAME.data")).'
            )
    return locations


def missing_external_data(model: Path) -> list[str]:
    """The external data locations of `model` that are not files beside it (see external_data)."""
    return [name for name in external_data(model) if not (model.parent / name).is_file()]


def _json(value) -> str:
    import json

    return json.dumps(value)
