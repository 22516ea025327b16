"""What the check step runs on the models before anything is written: which features the web app
supplies (coverage), each model in ONNX Runtime on the latest fixtures (smoke test), and how much a
model moves the predictions of the published model it replaces (prediction shift).

Coverage reads headers only; the smoke test and the shift load numpy and onnxruntime (through
fixtures.py and runtime.py) only when they run: a publish with nothing changed never gets this far.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from web_assets.errors import PublishError
from web_assets.files.digests import cache_for
from web_assets.modelcheck.features import coverage, derived_table
from web_assets.modelcheck.published_model import (
    committed_model,
    missing_note,
    published_bytes,
    published_model,
)
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
    """Run each model on the latest fixtures, then measure how far it moves the published one's.

    A model whose bytes, features, fixtures and runtime are those of an earlier check keeps that
    check's predictions instead of running again (runs.py).
    """
    from web_assets.modelcheck.runs import ModelRuns

    settings = release.settings
    digests = cache_for(settings.root)
    sources = release.sources
    with ModelRuns(settings, table, digests) as runs:
        jobs = []
        for artefact in release.export.models:
            if artefact.id in names:
                source = sources[artefact.path]
                sha256 = digests.digest(source).sha256
                jobs.append((artefact.id, sha256, names[artefact.id], lambda path=source: path))
        new: dict[str, tuple[str, Any]] = {}
        for (model_id, sha256, _, _), after in zip(jobs, runs.predict_all(jobs), strict=True):
            if isinstance(after, PublishError):
                raise PublishError(f"{after} (smoke_fixtures=0 skips this test)")
            new[model_id] = sha256, after
        _measure_shifts(release, published, names, values, runs, new)
        values["fixtures"], values["season"] = runs.count, runs.season
        values["loaded"], values["kept"] = runs.ran, runs.kept


def _measure_shifts(release, published, names, values, runs, new) -> None:
    from web_assets.modelcheck.runtime import prediction_shift, shift_points
    from web_assets.modelcheck.shift_points import write_shift_points

    settings = release.settings
    sources = release.sources
    bundles = {bundle.id: sources[bundle.path] for bundle in release.export.bundles}
    replaced, jobs = [], []
    points: dict[str, Any] = {}
    for artefact in release.export.models:
        if artefact.id not in new:
            continue
        found = values["models"][artefact.id]
        entry = published.get(("model", artefact.id))
        source = sources[artefact.path]
        old = _replaced(settings, entry, artefact.path, source, new[artefact.id][0], found)
        if old is None:
            continue
        # The same fixtures; the published bundle's features when they differ.
        old_names = _published_names(settings, published, artefact.id, bundles[artefact.id])
        replaced.append((artefact.id, old))
        label = f"{artefact.id} (published)"
        locate = _locate(settings, runs, artefact.id, old)
        jobs.append((label, old.sha256, old_names or names[artefact.id], locate))
    for (model_id, old), before in zip(replaced, runs.predict_all(jobs), strict=True):
        found = values["models"][model_id]
        if isinstance(before, PublishError):
            # Not what this publish is refused for (nor its limits): the note says why no shift.
            found["shift_note"] = f"the published model does not run: {before}"
        elif before is None:
            found["shift_note"] = missing_note(old)
        else:
            keys = runs.fixture_keys()
            shift = prediction_shift(before, new[model_id][1], keys)
            found["prediction_shift"] = shift.record()
            points[model_id] = shift_points(keys, before, new[model_id][1])
            found["shift_line"] = shift.line(model_id)
            _refuse_shift(settings, model_id, shift)
    write_shift_points(settings.root, settings.version, points)


def _replaced(settings, entry, target: Path, source: Path, sha256: str, found):
    """The published model `source` replaces at `target`; None when no shift is to be measured
    (the same model, or none to compare), with the recorded shift or why in `found`."""
    if entry is not None and entry.get("sha256") == sha256:
        # The published model itself: keep the shift it made when it replaced its own.
        if isinstance(entry.get("prediction_shift"), dict):
            found["prediction_shift"] = entry["prediction_shift"]
        return None
    unrecorded = target if target != source else None
    old = published_model(settings, entry, unrecorded)
    if old is None or old.sha256 == sha256:
        return None
    return old


def _locate(settings, runs, model_id: str, old):
    """Where the published model's bytes are: the export folder, or a temp file from HEAD."""

    def locate() -> Path | None:
        return old.path or committed_model(settings, old, runs.temp_folder(), f"{model_id}.onnx")

    return locate


def _published_names(settings, published, model_id: str, bundle: Path) -> list[str] | None:
    """The published bundle's feature names when it differs from the new one (None: the same)."""
    entry = published.get(("preprocessing", model_id))
    if entry is None or entry.get("sha256") == cache_for(settings.root).digest(bundle).sha256:
        return None
    data = published_bytes(settings, entry)
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
