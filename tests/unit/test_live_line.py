"""The summary's `live in the app` line says where the app loads the models from, as its status
says: the real app (web/src/server/models/loader.ts) prefers a local file at the manifest's path
to the pinned uri, so "from their pinned URIs" is only true when every model is remote."""

from __future__ import annotations

import pytest

from web_assets.verify.app import Report
from web_assets.verify.app_release import live_line

LOCAL = {"kind": "local", "path": "/srv/app/artifacts/run_export/m.onnx"}
REMOTE = {"kind": "remote", "uri": "https://raw.githubusercontent.com/o/r/c/m.onnx"}


def served(*locations: dict) -> Report:
    """A report holding a status document shaped like the app's GET /api/status."""
    models = [
        {"id": f"m{index}", "format": "onnx", "location": location}
        for index, location in enumerate(locations)
    ]
    document = {"ok": True, "run_id": "run_1", "dataset_version": "7", "models": models}
    return Report(served=document)


@pytest.mark.parametrize(
    ("locations", "said"),
    [
        ((REMOTE, REMOTE, REMOTE), "3 models from their pinned URIs,"),
        ((LOCAL, LOCAL, LOCAL), "3 models from the app's local files at their manifest paths,"),
        (
            (REMOTE, LOCAL, REMOTE),
            "3 models (2 from their pinned URIs, 1 from the app's local files),",
        ),
    ],
)
def test_live_line_names_where_the_models_come_from(locations, said):
    line = live_line(served(*locations), 3, 1e-4)
    assert line == f"live in the app: run run_1, version 7, {said} parity within 1e-4"
