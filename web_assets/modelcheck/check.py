"""What the check step runs on the models before anything is written: which features the web app
supplies (coverage), each model in ONNX Runtime on the latest fixtures (smoke test), and how much a
model moves the predictions of the published model it replaces (prediction shift).

Coverage reads headers only; the smoke test and the shift load numpy and onnxruntime (through
fixtures.py and runtime.py) only when they run: a publish with nothing changed never gets this far.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path
from typing import Any

from web_assets.errors import PublishError
from web_assets.files.hashing import hash_file
from web_assets.modelcheck.features import coverage, derived_table
from web_assets.modelcheck.fixtures import FINANCIAL_KEYS, MAIN_KEYS
from web_assets.modelcheck.published_model import published_bytes
from web_assets.modelcheck.report import shorten
from web_assets.records.jsonio import parse_json
from web_assets.records.lockfile import read_lock
from web_assets.release.checks import feature_names
from web_assets.release.load import Release


def run_checks(release: Release) -> dict[str, Any]:
    """Per model: `missing_features`, `regression` (newly missing names), `prediction_shift`.

    Raises a PublishError, one line naming the model and the setting that relaxes the check, for a
    model above `max_missing_features`, failing in ONNX Runtime or running past
    `model_time_limit` or `model_memory_limit` there, or above `max_prediction_shift`.
    """
    settings = release.settings
    table = derived_table(dict(settings.derived_features), settings.replace_derived_features)
    lock = read_lock(settings.lock_file)
    published = {
        (entry.get("kind"), entry.get("id")): entry
        for entry in (lock or {"files": []})["files"]
        if entry.get("kind") in ("model", "preprocessing")
    }
    sources = release.sources
    bundles = {bundle.id: sources[bundle.path] for bundle in release.export.bundles}
    main = [name.strip() for name in release.columns["main"]]
    financial = [name.strip() for name in release.columns["financial"]]
    models: dict[str, dict[str, Any]] = {}
    names: dict[str, list[str]] = {}
    for artefact in release.export.models:
        _refuse_unsupported(settings.app_onnxruntime, artefact.id, sources[artefact.path])
        bundle = bundles.get(artefact.id)
        if bundle is None:
            continue  # the signature check refuses a model without its bundle
        names[artefact.id] = feature_names(bundle)
        missing = list(coverage(names[artefact.id], main, financial, table).missing)
        _refuse_missing(settings, artefact.id, bundle, missing)
        recorded = published.get(("model", artefact.id), {}).get("missing_features")
        grown = sorted(set(missing) - set(recorded)) if isinstance(recorded, list) else []
        models[artefact.id] = {
            "missing_features": missing,
            "regression": grown,
            "prediction_shift": None,
            "shift_line": "",
            "shift_note": "",
        }
    values: dict[str, Any] = {"models": models, "fixtures": 0, "season": ""}
    # The summary says where the fixtures this check cannot cover are checked: a publish with
    # app_url that pushes asks the app (tasks/app_check.py).
    values["app_url"] = settings.app_url is not None and settings.commit and settings.push
    if settings.smoke_fixtures == 0 or not models:
        return values
    _run_on_fixtures(release, table, published, names, values)
    return values


def _refuse_unsupported(runtime: str | None, model_id: str, model: Path) -> None:
    """A model the app's ONNX Runtime cannot load: the app would answer with its heuristic."""
    if runtime:
        from web_assets.modelcheck.ort_support import unsupported

        refused = unsupported(model_id, model, runtime)
        if refused:
            raise PublishError(refused)


def _refuse_missing(settings, model_id: str, bundle: Path, missing: list[str]) -> None:
    limit = settings.max_missing_features
    if limit is None or len(missing) <= limit:
        return
    raise PublishError(
        f"model {model_id}: {bundle.name} names {len(missing)} feature(s) the web app cannot "
        f"supply and fills with 0 ({shorten(missing)}), more than max_missing_features={limit}: "
        "add the columns to the dataset, declare how they derive in derived_features, or raise "
        "max_missing_features."
    )


def _run_on_fixtures(release, table, published, names, values) -> None:
    """Run each model on the latest fixtures, then measure how far it moves the published one's."""
    from web_assets.modelcheck.bounded import BoundedRuntime

    settings = release.settings
    # Started first: the child loads ONNX Runtime while the fixtures are read.
    with BoundedRuntime(settings.model_time_limit, settings.model_memory_limit) as runtime:
        _run_models(release, table, published, names, values, runtime)


def _run_models(release, table, published, names, values, runtime) -> None:
    from web_assets.modelcheck.fixtures import feature_matrix
    from web_assets.modelcheck.runtime import prediction_shift, shift_points
    from web_assets.modelcheck.shift_points import write_shift_points

    settings = release.settings
    fixtures = _latest_fixtures(settings)
    values["fixtures"] = len(fixtures.keys)
    values["season"] = fixtures.keys[0].season
    sources = release.sources
    new: dict[str, Any] = {}
    matrices: dict[str, Any] = {}
    for artefact in release.export.models:
        if artefact.id in names:
            matrix = matrices[artefact.id] = feature_matrix(fixtures, names[artefact.id], table)
            new[artefact.id] = _run_new(
                runtime, artefact.id, sources[artefact.path], matrix, fixtures
            )
    bundles = {bundle.id: sources[bundle.path] for bundle in release.export.bundles}
    points: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="web-assets-published-") as temp:
        for artefact in release.export.models:
            if artefact.id not in new:
                continue
            found = values["models"][artefact.id]
            entry = published.get(("model", artefact.id))
            old = _replaced_bytes(settings, entry, artefact.path, sources[artefact.path], found)
            if old is None:
                continue
            old_names = _published_names(settings, published, artefact.id, bundles[artefact.id])
            # The same fixtures; the published bundle's features when they differ.
            matrix = (
                feature_matrix(fixtures, old_names, table) if old_names else matrices[artefact.id]
            )
            before = _run_replaced(runtime, artefact.id, old, Path(temp), matrix, fixtures, found)
            if before is not None:
                shift = prediction_shift(before, new[artefact.id], fixtures.keys)
                found["prediction_shift"] = shift.record()
                points[artefact.id] = shift_points(fixtures.keys, before, new[artefact.id])
                found["shift_line"] = shift.line(artefact.id)
                _refuse_shift(settings, artefact.id, shift)
    write_shift_points(settings.root, settings.version, points)


def _latest_fixtures(settings):
    """The last `smoke_fixtures` rows of the main CSV's latest season, with their financial rows."""
    from web_assets.modelcheck.fixtures import load_fixtures

    main_keys = settings.main_columns if len(settings.main_columns) == 3 else MAIN_KEYS
    financial_keys = (
        settings.financial_columns if len(settings.financial_columns) == 3 else FINANCIAL_KEYS
    )
    return load_fixtures(
        settings.dataset,
        settings.financial_dataset,
        settings.smoke_fixtures,
        main_keys=main_keys,
        financial_keys=financial_keys,
    )


def _run_new(runtime, model_id: str, model: Path, matrix, fixtures):
    """The new model's predictions; a model that fails is refused, naming the setting that skips."""
    try:
        return runtime.run(model_id, model, matrix, fixtures)
    except PublishError as err:
        raise PublishError(f"{err} (smoke_fixtures=0 skips this test)") from None


def _replaced_bytes(settings, entry, target: Path, source: Path, found) -> bytes | None:
    """The bytes of the published model `source` replaces at `target`; None when no shift is to be
    measured (the same model, or none to compare), with the recorded shift or why in `found`."""
    sha256 = hash_file(source).sha256
    if entry is not None and entry.get("sha256") == sha256:
        # The published model itself: keep the shift it made when it replaced its own.
        if isinstance(entry.get("prediction_shift"), dict):
            found["prediction_shift"] = entry["prediction_shift"]
        return None
    unrecorded = target if target != source else None
    old, note = published_bytes(settings, entry, unrecorded)
    if old is None or hashlib.sha256(old).hexdigest() == sha256:
        found["shift_note"] = note
        return None
    return old


def _run_replaced(runtime, model_id: str, old: bytes, folder: Path, matrix, fixtures, found):
    """The published model's predictions; None, with why in `found`, when it does not run (or not
    within the limits: it is not what this publish is refused for)."""
    old_path = folder / f"{model_id}.onnx"
    old_path.write_bytes(old)
    try:
        return runtime.run(f"{model_id} (published)", old_path, matrix, fixtures)
    except PublishError as err:
        found["shift_note"] = f"the published model does not run: {err}"
        return None


def _published_names(settings, published, model_id: str, bundle: Path) -> list[str] | None:
    """The published bundle's feature names when it differs from the new one (None: the same)."""
    entry = published.get(("preprocessing", model_id))
    if entry is None or entry.get("sha256") == hash_file(bundle).sha256:
        return None
    data, _ = published_bytes(settings, entry, None)
    try:
        names = parse_json(data or b"null", f"the published {model_id} bundle").get("feature_names")
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
        return None
    return names if isinstance(names, list) else None


def _refuse_shift(settings, model_id: str, shift) -> None:
    limit = settings.max_prediction_shift
    if limit is None or shift.mean <= limit:
        return
    raise PublishError(
        f"model {model_id} moves the predictions of the published model more than "
        f"max_prediction_shift={limit} allows ({shift.line(model_id)}): check the new model, or "
        "raise max_prediction_shift."
    )


def lock_fields(found: dict[str, Any] | None) -> dict[str, Any]:
    """What the lock file records of a model's checks: its missing features, its shift if any."""
    if found is None:
        return {}
    fields: dict[str, Any] = {"missing_features": found["missing_features"]}
    if found.get("prediction_shift") is not None:
        fields["prediction_shift"] = found["prediction_shift"]
    return fields
