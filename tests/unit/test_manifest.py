"""The manifest update as a pure function: our fields set, everything else kept."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from testing.project import REPO
from web_assets.errors import PublishError
from web_assets.records.jsonio import json_bytes
from web_assets.records.manifest import (
    Published,
    read_manifest,
    run_id_from_path,
    run_id_time,
    schema,
    schema_problems,
    update_manifest,
    validate,
)

EXAMPLE = json.loads((REPO / "web/public/fixtures/dev.json").read_text())
TEMPLATE = "https://host.invalid/{version}/{filename}"
SHA_A, SHA_B = "a" * 64, "b" * 64


def item(id_: str, sha: str = SHA_A, size: int = 10, suffix: str = ".onnx") -> Published:
    return Published(id_, f"artifacts/run_export/{id_}{suffix}", sha, size)


def update(old, models=None, bundles=None, **kwargs):
    arguments = {
        "models": models if models is not None else [item("performance_dense")],
        "bundles": bundles if bundles is not None else [],
        "version": 7,
        "uri_template": TEMPLATE,
        "run_id": None,
        "trained_at": None,
        "default_time": "2026-01-02T03:04:05Z",
    }
    return update_manifest(old, **{**arguments, **kwargs})


def test_owned_fields_are_set_in_place_and_others_kept():
    old = {
        "run_id": "r1",
        "notes": "keep me",
        "models": [{"id": "performance_dense", "view": "main", "sha256": SHA_B, "x": 1}],
    }
    result = update(old).manifest
    model = result["models"][0]
    assert list(model) == [
        "id",
        "view",
        "sha256",
        "x",
        "uri",
        "path",
        "local_path",
        "integrity",
        "size_bytes",
    ]
    assert model["view"] == "main" and model["x"] == 1
    assert model["sha256"] == SHA_A
    assert model["uri"] == "https://host.invalid/7/performance_dense.onnx"
    assert result["notes"] == "keep me"
    assert list(result)[:3] == ["run_id", "notes", "models"]


def test_new_entries_are_appended_in_the_web_apps_shape():
    result = update(
        {"models": [], "preprocessing": []}, bundles=[item("m", suffix="_preprocessing.json")]
    )
    assert list(result.manifest["models"][0]) == [
        "id",
        "format",
        "uri",
        "path",
        "local_path",
        "sha256",
        "integrity",
        "size_bytes",
    ]
    assert result.manifest["models"][0]["format"] == "onnx"
    assert "format" not in result.manifest["preprocessing"][0]


def test_entries_whose_file_is_gone_are_removed_and_reported():
    old = {
        "models": [{"id": "gone", "sha256": SHA_B, "size_bytes": 3}, {"id": "performance_dense"}]
    }
    result = update(old)
    assert [entry["id"] for entry in result.manifest["models"]] == ["performance_dense"]
    assert ("models", "gone", SHA_B, None, 3, None) in result.changes


@pytest.mark.parametrize(("old", "expected"), [("7", "8"), (7, 8), (None, "8")])
def test_dataset_version_keeps_its_json_type(old, expected):
    manifest = {} if old is None else {"dataset_version": old}
    assert update(manifest, version=8).manifest["dataset_version"] == expected


def test_trained_at_is_kept_when_nothing_changed():
    first = update(None, run_id="run_20251128-101500").manifest
    again = update(first, default_time="2030-01-01T00:00:00Z", run_id="run_20251128-101500")
    assert again.changes == []
    assert again.manifest["trained_at"] == "2025-11-28T10:15:00Z"
    assert json_bytes(again.manifest) == json_bytes(first)


def test_trained_at_moves_when_a_digest_changes():
    first = update(None).manifest
    changed = update(
        first, models=[item("performance_dense", sha=SHA_B)], default_time="2030-01-01T00:00:00Z"
    )
    assert changed.manifest["trained_at"] == "2030-01-01T00:00:00Z"


def test_run_identity_stays_when_only_the_version_changes():
    first = update(None).manifest
    again = update(first, version=8, default_time="2030-01-01T00:00:00Z").manifest
    assert (again["run_id"], again["trained_at"]) == (first["run_id"], first["trained_at"])


def test_a_given_trained_at_always_applies():
    first = update(None).manifest
    assert (
        update(first, trained_at="2024-05-05T05:05:05Z").manifest["trained_at"]
        == "2024-05-05T05:05:05Z"
    )


def test_new_manifest_without_run_id_gets_one_from_its_time():
    result = update(None).manifest
    assert result["run_id"] == "run_20260102-030405"
    assert list(result)[:6] == [
        "run_id",
        "dataset_version",
        "trained_at",
        "models",
        "preprocessing",
        "attribution",
    ]
    jsonschema.validate(result, schema())


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("experiments/run_20251128-101500/export", "run_20251128-101500"),
        ("runs/run_20251128-101500", "run_20251128-101500"),
        ("experiments/run_20251128/export", None),
        ("artifacts/run_export", None),
    ],
)
def test_run_id_from_path(path, expected):
    assert run_id_from_path(path) == expected


def test_run_id_time_is_utc():
    assert run_id_time("run_20251117-032023") == "2025-11-17T03:20:23Z"
    assert run_id_time("run_20251399-000000") is None


def test_render_is_stable_two_space_with_trailing_newline():
    data = json_bytes(EXAMPLE)
    assert data.endswith(b"}\n") and b'\n  "run_id"' in data
    assert json_bytes(json.loads(data)) == data


def test_the_committed_sample_manifest_validates():
    validate(EXAMPLE, Path("dev.json"))


def test_validate_names_the_field():
    broken = json.loads(json.dumps(EXAMPLE))
    broken["models"][1]["sha256"] = "nothex"
    with pytest.raises(PublishError, match=r"models\[1\]\.sha256"):
        validate(broken, Path("dev.json"))


def test_validate_checks_the_timestamp_format():
    broken = {**EXAMPLE, "trained_at": "last tuesday"}
    with pytest.raises(PublishError, match="trained_at"):
        validate(broken, Path("dev.json"))


def test_read_manifest_missing_is_none(tmp_path):
    assert read_manifest(tmp_path / "dev.json") is None


def test_project_schema_matches_the_web_apps():
    shared = REPO.parent / "shared" / "contract" / "manifest_schema.json"
    if not shared.exists():
        pytest.skip("the web app's contract is not checked out beside the project")
    assert json.loads(shared.read_text()) == schema()


# The compiled schema answers first; jsonschema, the reference, must agree with every answer.

ODD_VALUES = [
    None,
    True,
    0,
    -1,
    1.5,
    2**70,
    "",
    "x",
    "2025-02-30T10:00:00Z",
    "2025-11-28T25:00:00Z",
    "2025-11-28t10:15:00z",
    "2025-11-28T10:15:00+01:00",
    "2025-11-28 10:15:00",
    [],
    {},
    ["a"],
    {"a": 1},
    "a" * 64,
    "A" * 64,
    "g" * 64,
    "onnx",
    "ONNX",
    "sha256-x",
    "../x",
    "/abs",
]


def mutations(rng):
    """The example manifest with one to three values replaced, added or removed, anywhere."""
    for _ in range(1500):
        manifest = json.loads(json.dumps(EXAMPLE))
        for _ in range(rng.randint(1, 3)):
            holder, key = rng.choice(list(_slots(manifest)))
            roll = rng.random()
            if roll < 0.7:
                holder[key] = rng.choice(ODD_VALUES)
            elif roll < 0.85 and isinstance(holder, dict):
                holder.pop(key)
            elif isinstance(holder, dict):
                holder[rng.choice(["extra", "Format", "sha"])] = rng.choice(ODD_VALUES)
        yield manifest


def _slots(value):
    """Every (container, key) pair of a JSON value, nested ones included."""
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, inner in list(items):
        yield value, key
        if isinstance(inner, (dict, list)) and inner:
            yield from _slots(inner)


def test_the_compiled_schema_accepts_exactly_what_jsonschema_accepts():
    import random

    reference = jsonschema.Draft7Validator(
        schema(), format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )
    accepted = rejected = 0
    for manifest in mutations(random.Random(14)):
        problems = schema_problems(manifest)
        expected = [error.message for error in reference.iter_errors(manifest)]
        assert bool(problems) == bool(expected), (manifest, expected)
        accepted += not expected
        rejected += bool(expected)
    # Both answers were exercised many times.
    assert accepted > 100 and rejected > 500
